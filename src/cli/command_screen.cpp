// SPDX-License-Identifier: MIT
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "cli/command.hpp"
#include "cli/source_options.hpp"
#include "layers/layer_set.hpp"
#include "output/gdal_table.hpp"
#include "output/screening_report.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"
#include "rules/screening.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace ecozone::cli {

namespace {

struct ScreenOptions {
    SourceOptions sources;
    LoadChecks checks;
    Verbosity verbosity;
    std::string at, wkt, input;
    std::string crs;
    std::string category, status = "planned", name, id = "proposal";
    std::string output;
    std::string lang = "zh";
    unsigned threads = 0;
};

// The schema every proposal follows: the one of the catalogue's subject layers (facilities).
constexpr const char* kProposalSchema = "facility";

std::string jsonString(const std::string& s) {
    std::string o = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') o += '\\';
        if (static_cast<unsigned char>(ch) < 0x20) continue;
        o += ch;
    }
    return o + "\"";
}

class ScreenCommand : public Command {
  public:
    void setUp(CLI::App& app) override {
        app.footer(
            "Screen a proposed project (--at or --wkt) or a file of proposals (--input) against every rule of "
            "the\n"
            "catalogue: verdict, per-rule pass/fail, shoreline distances and margins, zones, legal basis.\n"
            "Exit codes: 0 no conflict found, 1 prohibited or needs review, 2 usage (bad coordinates, unknown\n"
            "category, a site far outside the layers' extent), 3 configuration, 4 data, 5 output.");
        auto* at = app.add_option("--at", o_.at, "The site as LON,LAT (or X,Y in --crs)");
        auto* wkt = app.add_option("--wkt", o_.wkt, "The site or footprint as WKT, in --crs");
        auto* input =
            app.add_option("--input", o_.input,
                           "A file of proposals (any GDAL source[:LAYER]) with the facility schema's fields");
        at->excludes(wkt)->excludes(input);
        wkt->excludes(input);
        app.add_option("--crs", o_.crs, "CRS of --at/--wkt (default EPSG:4326), or of an --input that has none");
        app.add_option("--category", o_.category,
                       "Project category, e.g. chemical, tailings, hydropower, 化工项目");
        app.add_option("--status", o_.status, "Project status (default planned)")->capture_default_str();
        app.add_option("--name", o_.name, "Project name for the report");
        app.add_option("--id", o_.id, "Project id for the report")->capture_default_str();
        o_.sources.add(app, "--layer-crs");
        app.add_option(
            "-o,--output", o_.output,
            "Report (.md, .html, .json) or table (.csv, .gpkg, .geojson, .fgb: one row per proposal and rule)");
        app.add_option("--lang", o_.lang, "Report language: zh or en")
            ->check(CLI::IsMember({"zh", "en"}))
            ->capture_default_str();
        app.add_option("--threads", o_.threads, "Worker threads for --input (default: all cores)")
            ->check(CLI::Range(0u, 1024u));
        o_.checks.add(app);
        o_.verbosity.add(app);
    }

    int run() override {
        // Parse, then work.
        if (o_.at.empty() && o_.wkt.empty() && o_.input.empty())
            throw usageError("screen needs a site: --at LON,LAT, --wkt WKT or --input FILE");
        if (!o_.output.empty() && !output::isReportFile(o_.output)) {
            try {
                output::GdalTable::driverFor(o_.output);
            } catch (const Error&) {
                throw usageError("cannot tell the output format of `" + o_.output +
                                 "`: use a name ending in .md, .html (or .htm) or .json for a report, or .csv, "
                                 ".gpkg, .geojson or .fgb for a table");
            }
        }
        o_.checks.validate();
        o_.verbosity.apply();
        const output::Language lang = o_.lang == "en" ? output::Language::En : output::Language::Zh;

        const layers::LayerSet set = o_.sources.loadLayerSet();
        const rules::Catalogue catalogue = o_.sources.loadCatalogue();
        rules::checkLayerReferences(catalogue, set);
        if (!set.schemas.count(kProposalSchema))
            throw configError("the layer set's schemas have no `facility` schema, which proposals follow");
        const layers::Schema& schema = set.schemas.at(kProposalSchema);

        // The proposals stand in for every catalogue subject layer with the facility schema.
        std::vector<std::string> subjects;
        for (const auto& r : catalogue.rules)
            if (set.binding(r.subject).schema == kProposalSchema &&
                std::find(subjects.begin(), subjects.end(), r.subject) == subjects.end())
                subjects.push_back(r.subject);
        std::vector<std::string> needed;
        for (const auto& r : catalogue.rules)
            for (const std::string* n : {&r.object, &r.subject_inside, &r.subject_outside})
                if (!n->empty() && std::find(needed.begin(), needed.end(), *n) == needed.end())
                    needed.push_back(*n);

        layers::LayerBinding proposalBinding = o_.input.empty() ? singleProposal(schema) : batchProposals();
        std::unique_ptr<layers::Layer> proposals = layers::loadLayer(proposalBinding, schema);
        for (const auto& k : proposals->stats().skipped)
            log::warning("proposal " + (k.id.empty() ? std::to_string(k.fid) : k.id) + " skipped: " + k.reason);
        if (proposals->features().empty())
            throw(o_.input.empty() ? usageError("the proposed site cannot be screened: " +
                                                (proposals->stats().skipped.empty()
                                                     ? std::string("no geometry")
                                                     : proposals->stats().skipped.front().reason))
                                   : dataError("`" + o_.input + "` holds no proposal that can be screened"));

        const layers::LayerMap loaded = layers::loadLayers(set, needed);
        o_.checks.apply(loaded);
        checkExtent(*proposals, loaded);

        rules::Screener screener(catalogue, loaded, *proposals, subjects);
        std::function<void(std::size_t, std::size_t)> progress;
        if (!o_.input.empty() && isatty(STDERR_FILENO) && !o_.verbosity.quiet)
            progress = [start = log::elapsed(), shown = false](std::size_t done, std::size_t total) mutable {
                if (!shown && log::elapsed() - start < 1.0) return;
                if (done == total) {
                    if (shown) std::fprintf(stderr, "\r%-40s\r", "");
                } else {
                    std::fprintf(stderr, "\rscreening %zu/%zu", done, total);
                    shown = true;
                }
                std::fflush(stderr);
            };
        const std::vector<rules::Screening> results = screener.run(o_.threads, progress);

        const output::ScreeningContext ctx{catalogue, loaded, *proposals, lang, set.file.filename().string()};
        writeOutputs(ctx, results);
        // A proposal that could not be screened is a usage error (wrong --crs or axis order), as with --at; it
        // outweighs the verdicts of the others, which are reported and written all the same.
        auto any = [&](rules::Verdict v) {
            return std::any_of(results.begin(), results.end(), [v](const rules::Screening& s) { return s.verdict == v; });
        };
        if (any(rules::Verdict::NotScreened)) return static_cast<int>(ErrorKind::Usage);
        return any(rules::Verdict::Prohibited) || any(rules::Verdict::Review) ? 1 : 0;
    }

  private:
    // One proposal from the command line, as an in-memory GeoJSON source in its own CRS.
    layers::LayerBinding singleProposal(const layers::Schema& schema) const {
        if (o_.category.empty())
            throw usageError("--category is required with --at/--wkt; one of: " +
                             schema.field(schema.class_field)->allowedList());
        for (const auto& [field, value] :
             {std::pair{schema.class_field, o_.category}, std::pair{schema.status_field, o_.status}})
            if (!schema.field(field)->normalise(value))
                throw usageError("--" + std::string(field == schema.class_field ? "category" : "status") + " `" +
                                 value + "` is not known; use one of: " + schema.field(field)->allowedList());
        const std::string crs = o_.crs.empty() ? "EPSG:4326" : o_.crs;
        OGRSpatialReference srs;
        if (srs.SetFromUserInput(crs.c_str()) != OGRERR_NONE)
            throw usageError("--crs `" + crs + "` is not a CRS PROJ knows; give it as EPSG:NNNN");
        std::string geometry;
        if (!o_.at.empty()) {
            double x = 0, y = 0;
            char rest = 0;
            std::string at = o_.at;
            std::replace(at.begin(), at.end(), ' ', ',');
            if (std::sscanf(at.c_str(), "%lf,%lf%c", &x, &y, &rest) != 2 || !std::isfinite(x) || !std::isfinite(y))
                throw usageError("--at `" + o_.at + "`: expected LON,LAT as two numbers, e.g. --at 107.10,29.82");
            if (srs.IsGeographic()) {
                if (std::abs(y) > 90 && std::abs(x) <= 90)
                    throw usageError("--at " + o_.at + ": latitude " + std::to_string(y) +
                                     " is impossible; --at takes LON,LAT (longitude first), e.g. --at " +
                                     shortNumber(y) + "," + shortNumber(x));
                if (std::abs(y) > 90 || std::abs(x) > 180)
                    throw usageError("--at " + o_.at + ": not a longitude/latitude in " + crs +
                                     "; give --crs for projected coordinates (e.g. --crs EPSG:4545)");
            }
            geometry = "{\"type\":\"Point\",\"coordinates\":[" + shortNumber(x) + "," + shortNumber(y) + "]}";
        } else {
            OGRGeometry* parsed = nullptr;
            if (OGRGeometryFactory::createFromWkt(o_.wkt.c_str(), nullptr, &parsed) != OGRERR_NONE || !parsed)
                throw usageError("--wkt: not valid WKT: " + o_.wkt);
            const OGRGeometryUniquePtr g(parsed);
            // An empty geometry has no place to screen (and OGR exports an empty point as no JSON at all).
            if (g->IsEmpty())
                throw usageError("--wkt `" + o_.wkt +
                                 "`: the geometry is empty, so there is no site to screen; give its coordinates, "
                                 "e.g. --wkt 'POINT (107.10 29.82)'");
            char* json = g->exportToJson();
            if (!json) throw usageError("--wkt: cannot use this geometry as a site: " + o_.wkt);
            geometry = json;
            CPLFree(json);
        }
        std::string crsMember;
        if (const char* auth = srs.GetAuthorityName(nullptr); auth && srs.GetAuthorityCode(nullptr))
            crsMember =
                ",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:" + std::string(auth) +
                "::" + srs.GetAuthorityCode(nullptr) + "\"}}";
        layers::LayerBinding b;
        b.name = "proposal";
        b.schema = kProposalSchema;
        b.source = "{\"type\":\"FeatureCollection\"" + crsMember +
                   ",\"features\":[{\"type\":\"Feature\",\"properties\":{" + "\"id\":" + jsonString(o_.id) +
                   ",\"name\":" + jsonString(o_.name.empty() ? o_.id : o_.name) +
                   ",\"category\":" + jsonString(o_.category) + ",\"status\":" + jsonString(o_.status) +
                   "},\"geometry\":" + geometry + "}]}";
        if (crsMember.empty()) b.crs = crs;
        b.origin = "the command line";
        return b;
    }

    layers::LayerBinding batchProposals() const {
        layers::LayerSet one;
        layers::LayerBinding b;
        b.name = "proposals";
        b.schema = kProposalSchema;
        one.bindings.emplace("proposals", b);
        layers::overrideLayer(one, "proposals=" + o_.input);
        layers::LayerBinding out = one.bindings.at("proposals");
        out.origin = "--input " + o_.input;
        out.crs = o_.crs;
        return out;
    }

    static std::string shortNumber(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.10g", v);
        return buf;
    }

    // A site far from every layer is almost always a CRS or axis-order mistake. --at/--wkt: say so instead of
    // screening it. --input: warn; the screener reports those proposals as not screened (the same test).
    void checkExtent(const layers::Layer& proposals, const layers::LayerMap& loaded) const {
        const std::optional<geo::Box> covered = rules::coveredArea(loaded);
        if (!covered) return;
        std::vector<std::string> far;
        for (const auto& p : proposals.features())
            if (rules::farOutside(p.envelope, *covered))
                far.push_back(p.id + " (" + shortNumber(p.envelope.min_lon) + ", " + shortNumber(p.envelope.min_lat) +
                              ")");
        if (far.empty()) return;
        std::string list;
        for (std::size_t i = 0; i < far.size() && i < 5; ++i) list += (i ? ", " : "") + far[i];
        const std::string msg = "the site " + list +
                                (far.size() > 5 ? " and " + std::to_string(far.size() - 5) + " more" : "") +
                                " lies far outside the area the layers cover (" +
                                output::coveredAreaText(*covered, output::Language::En) +
                                "): check --crs and the coordinate order";
        if (o_.input.empty()) throw usageError(msg + " (--at takes LON,LAT)");
        log::warning(msg + " (longitude first); reported as not_screened");
    }

    void writeOutputs(const output::ScreeningContext& ctx, const std::vector<rules::Screening>& results) const {
        const bool single = o_.input.empty();
        if (single) {
            output::writeScreeningText(std::cout, ctx, results.front());
        } else {
            std::map<rules::Verdict, std::size_t> counts;
            for (const auto& s : results) ++counts[s.verdict];
            const bool zh = ctx.lang == output::Language::Zh;
            for (const auto& s : results) {
                const auto& p = ctx.proposals.features()[s.proposal];
                std::cout << p.id << "  " << rules::verdictName(s.verdict) << "  "
                          << (p.name.empty() ? "" : p.name + "  ") << output::verdictReason(ctx, s) << "\n";
            }
            std::cout << (zh ? "\n合计 " : "\ntotal ") << results.size()
                      << (zh ? " 个项目：禁止 " : " proposals: prohibited ") << counts[rules::Verdict::Prohibited]
                      << (zh ? "，需整改或复核 " : ", review ") << counts[rules::Verdict::Review]
                      << (zh ? "，未发现冲突 " : ", clear ") << counts[rules::Verdict::Clear];
            if (counts[rules::Verdict::NotScreened])
                std::cout << (zh ? "，未能筛查 " : ", not screened ") << counts[rules::Verdict::NotScreened];
            std::cout << "\n";
        }
        if (o_.output.empty()) return;
        const std::filesystem::path out = o_.output;
        if (output::isReportFile(out)) {
            std::ofstream file(out, std::ios::binary);
            if (!file) throw outputError("cannot write `" + o_.output + "`");
            std::string ext = out.extension().string();
            std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
            if (ext == ".json") {
                file << output::screeningJson(ctx, results, single);
            } else if (ext == ".md") {
                for (const auto& s : results) output::writeScreeningMarkdown(file, ctx, s);
            } else {
                output::writeScreeningHtml(file, ctx, results);
            }
            if (!file.flush()) throw outputError("cannot write `" + o_.output + "`");
        } else {
            output::writeScreeningTable(out, ctx, results);
        }
        if (!o_.verbosity.quiet)
            std::cout << (ctx.lang == output::Language::Zh ? "\n报告已写入 " : "\nreport written to ") << o_.output
                      << "\n";
    }

    ScreenOptions o_;
};

}  // namespace

std::unique_ptr<Command> makeScreenCommand() {
    return std::make_unique<ScreenCommand>();
}

}  // namespace ecozone::cli

// SPDX-License-Identifier: MIT
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/command.hpp"
#include "cli/paths.hpp"
#include "layers/layer_set.hpp"
#include "output/summary.hpp"
#include "output/violation_table.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace ecozone::cli {

namespace {

struct CheckOptions {
    std::string layer_set;
    std::string catalogue;
    std::vector<std::string> layer_overrides;
    std::vector<std::string> crs_overrides;
    std::vector<std::string> encoding_overrides;
    std::vector<std::string> datum_overrides;
    std::string report_skipped;
    bool strict = false;
    std::string output = "violations.gpkg";
    unsigned threads = 0;
    std::string lang = "zh";
    bool quiet = false;
    bool verbose = false;
};

class CheckCommand : public Command {
  public:
    void setUp(CLI::App& app) override {
        app.footer(
            "Run a rule catalogue over a layer set and write one row per violation.\n"
            "With no --layers/--rules, checks the bundled Chongqing sample against the default catalogue.\n"
            "Exit codes: 0 no violation, 1 violations found, 2 usage, 3 configuration (layer set, schema,\n"
            "catalogue), 4 data (a source cannot be opened or read, no CRS), 5 output cannot be written.");
        app.add_option("--layers", o_.layer_set, "Layer set file (TOML) binding layer names to sources")
            ->check(CLI::ExistingFile);
        app.add_option("--rules", o_.catalogue, "Rule catalogue file (TOML)")->check(CLI::ExistingFile);
        app.add_option("--layer", o_.layer_overrides,
                       "Bind a layer of the set to another source: NAME=SOURCE[:LAYER] (repeatable)");
        app.add_option("--crs", o_.crs_overrides,
                       "The CRS of a layer whose source carries none: NAME=EPSG:NNNN (repeatable)");
        app.add_option("--encoding", o_.encoding_overrides,
                       "Text encoding of a layer's Shapefile or CSV source: NAME=CP936 (repeatable; default: the "
                       ".cpg or DBF language driver, else UTF-8, with GBK tried for text that is not UTF-8)");
        app.add_option("--datum", o_.datum_overrides,
                       "Convert a layer's GCJ-02 or BD-09 coordinates (picked on Chinese web maps) to WGS84: "
                       "NAME=gcj02|bd09 (repeatable)");
        app.add_option("-o,--output", o_.output,
                       "Violations file; the format follows the extension: .gpkg, .geojson, .csv, .fgb")
            ->capture_default_str();
        app.add_option("--report-skipped", o_.report_skipped,
                       "Write every skipped and repaired feature, with its reason, to this table (.csv, .gpkg ...)");
        app.add_flag("--strict", o_.strict, "Treat any repaired or skipped feature as an error (exit 4)");
        app.add_option("--threads", o_.threads, "Worker threads (default: all cores); output is the same for any")
            ->check(CLI::Range(0u, 1024u));
        app.add_option("--lang", o_.lang, "Language of the summary's rule titles: zh or en")
            ->check(CLI::IsMember({"zh", "en"}))
            ->capture_default_str();
        app.add_flag("-q,--quiet", o_.quiet, "Only errors on stderr");
        app.add_flag("-v,--verbose", o_.verbose, "Timed progress lines on stderr");
    }

    int run() override {
        // Parse, then work: the output format is known before any data is read.
        output::driverFor(o_.output);
        if (!o_.report_skipped.empty()) output::driverFor(o_.report_skipped);
        if (o_.quiet) log::setLevel(log::Level::Error);
        if (o_.verbose) log::setLevel(log::Level::Debug);

        layers::LayerSet set =
            layers::loadLayerSet(o_.layer_set.empty() ? defaultLayerSet() : std::filesystem::path(o_.layer_set));
        for (const auto& spec : o_.layer_overrides) layers::overrideLayer(set, spec);
        for (const auto& spec : o_.crs_overrides) layers::overrideCrs(set, spec);
        for (const auto& spec : o_.encoding_overrides) layers::overrideEncoding(set, spec);
        for (const auto& spec : o_.datum_overrides) layers::overrideDatum(set, spec);
        const rules::Catalogue catalogue =
            rules::loadCatalogue(o_.catalogue.empty() ? defaultCatalogue() : std::filesystem::path(o_.catalogue));
        const auto names = rules::layersUsed(catalogue);
        rules::checkLayerReferences(catalogue, set);

        // Writing the output deletes what was there: never an input.
        for (const auto& name : names) {
            std::error_code ec;
            const auto& source = set.binding(name).source;
            if (std::filesystem::exists(source) && std::filesystem::equivalent(source, o_.output, ec))
                throw usageError("the output `" + o_.output + "` is the source of layer `" + name +
                                 "`; writing it would destroy the input: choose another -o");
        }
        log::debug("loading " + std::to_string(names.size()) + " layers");
        const layers::LayerMap loaded = layers::loadLayers(set, names);
        if (!o_.quiet) output::printLoadDetails(std::cerr, loaded, 20);
        for (const auto& w : layers::disjointLayers(loaded)) log::warning(w);
        if (!o_.report_skipped.empty()) layers::writeLoadReport(o_.report_skipped, loaded);
        if (o_.strict) layers::requireClean(loaded);

        rules::EngineOptions options;
        options.threads = o_.threads;
        const bool tty = isatty(STDERR_FILENO) && !o_.quiet;
        if (tty) {
            // Only a run that lasts shows progress: nothing for the first second.
            options.progress = [start = log::elapsed(), shown = false](const rules::Rule& rule, std::size_t done,
                                                                       std::size_t total) mutable {
                if (!shown && log::elapsed() - start < 1.0) return;
                if (done == total) {
                    if (shown) std::fprintf(stderr, "\r%-60s\r", "");
                } else {
                    std::fprintf(stderr, "\r%-24s %3zu%% (%zu/%zu)", rule.id.c_str(), done * 100 / total, done,
                                 total);
                    shown = true;
                }
                std::fflush(stderr);
            };
        }
        log::debug("running " + std::to_string(catalogue.rules.size()) + " rules");
        const auto outcomes = rules::runCatalogue(catalogue, loaded, options);
        log::debug("writing " + o_.output);
        output::writeViolations(o_.output, catalogue, loaded, outcomes);

        std::size_t total = 0;
        for (const auto& o : outcomes) total += o.violations.size();
        output::printRuleSummary(std::cout, catalogue, outcomes,
                                 o_.lang == "en" ? output::Language::En : output::Language::Zh);
        std::cout << "\n";
        output::printLoadSummary(std::cout, loaded);
        std::cout << "\nviolations written to " << o_.output << "\n";
        return total > 0 ? 1 : 0;
    }

  private:
    CheckOptions o_;
};

}  // namespace

std::unique_ptr<Command> makeCheckCommand() {
    return std::make_unique<CheckCommand>();
}

}  // namespace ecozone::cli

// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/command.hpp"
#include "cli/source_options.hpp"
#include "layers/layer_set.hpp"
#include "output/map_html.hpp"
#include "output/map_scene.hpp"
#include "output/map_static.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace ecozone::cli {

namespace {

struct MapOptions {
    SourceOptions sources;
    LoadChecks checks;
    Verbosity verbosity;
    std::string output = "map.html";
    std::string lang = "zh";
    std::string bbox;
    std::string title;
    std::string area;        // --area: frame on this named area
    std::string area_layer;  // --area-layer: where --area and --per-area look
    bool per_rule = false;
    bool per_area = false;
    int width = 1600;
    int height = 1200;
    double simplify_m = 10;
    unsigned threads = 0;
};

// "minlon,minlat,maxlon,maxlat" in WGS84 degrees.
geo::Box parseBbox(const std::string& text) {
    std::vector<double> v;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        char* end = nullptr;
        const double d = std::strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0')
            throw usageError("--bbox `" + text + "`: `" + item + "` is not a number");
        v.push_back(d);
    }
    if (v.size() != 4)
        throw usageError("--bbox `" + text + "`: give four numbers, minlon,minlat,maxlon,maxlat (WGS84 degrees)");
    const geo::Box box{v[0], v[1], v[2], v[3]};
    if (!(box.min_lon < box.max_lon && box.min_lat < box.max_lat) || box.min_lat < -90 || box.max_lat > 90 ||
        box.min_lon < -180 || box.max_lon > 180)
        throw usageError("--bbox `" + text + "`: expected minlon < maxlon and minlat < maxlat, in degrees");
    return box;
}

// Today (UTC), or SOURCE_DATE_EPOCH's day for reproducible output.
std::string today() {
    std::time_t now = std::time(nullptr);
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch)
        now = std::strtoll(epoch, nullptr, 10);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

// FILE.EXT -> FILE-SUFFIX.EXT, the suffix made safe for any OS and unique among `used`.
std::string annexName(const std::filesystem::path& output, const std::string& suffix, const std::string& fallback,
                      std::set<std::string>& used) {
    std::string safe = output::safeFileStem(suffix);
    if (safe.empty()) safe = fallback;
    const std::filesystem::path parent = output.parent_path();
    const std::string stem = output.stem().string(), ext = output.extension().string();
    std::string name = (parent / (stem + "-" + safe + ext)).string();
    for (int n = 2; !used.insert(name).second; ++n)
        name = (parent / (stem + "-" + safe + "-" + std::to_string(n) + ext)).string();
    return name;
}

std::string describe(const output::NamedArea& a) {
    return "  " + a.layer + ": " + a.name + " (" + a.id + ")";
}

// The named area `--area NAME` means: the one whose name holds NAME (every word of it, if it has several), or
// whose id (or a member's) is NAME; an exact name or id wins over names that only contain it.
const output::NamedArea& findArea(const std::vector<output::NamedArea>& areas, const std::string& wanted) {
    std::vector<std::string> words;  // "大巴山 保护区": both
    std::istringstream in(wanted);
    for (std::string w; in >> w;) words.push_back(w);
    if (words.empty()) throw usageError("--area: give (part of) an area's name");
    std::vector<const output::NamedArea*> found, exact;
    for (const auto& a : areas) {
        const bool byId =
            a.id == wanted || std::find(a.member_ids.begin(), a.member_ids.end(), wanted) != a.member_ids.end();
        if (a.name == wanted || byId) exact.push_back(&a);
        if (byId || std::all_of(words.begin(), words.end(),
                                [&](const std::string& w) { return a.name.find(w) != std::string::npos; }))
            found.push_back(&a);
    }
    if (exact.size() == 1) return *exact.front();
    if (found.size() == 1) return *found.front();
    std::string list;
    if (found.empty()) {
        for (const auto& a : areas) list += "\n" + describe(a);
        throw usageError("--area `" + wanted +
                         "`: no area's name holds it; the areas are (layer: name (id)):" + list);
    }
    for (const auto* a : found) list += "\n" + describe(*a);
    throw usageError("--area `" + wanted + "`: " + std::to_string(found.size()) +
                     " areas match; give more of the name, its id, or --area-layer:" + list);
}

class MapCommand : public Command {
  public:
    void setUp(CLI::App& app) override {
        app.footer(
            "Draw the violations of a run on a map: an interactive offline HTML page (.html) or a static map\n"
            "(.png, .svg, .pdf). With no --layers/--rules, maps the bundled sample against the default "
            "catalogue.\n"
            "Exit codes: 0 no violation, 1 violations found (the map is written), 2 usage, 3 configuration,\n"
            "4 data, 5 the map cannot be written (or Leaflet, for HTML, is not installed).");
        o_.sources.add(app);
        app.add_option("-o,--output", o_.output,
                       "The map; the format follows the extension: .html, .png, .svg, .pdf")
            ->capture_default_str();
        app.add_option("--lang", o_.lang, "Language of the map's words: zh or en")
            ->check(CLI::IsMember({"zh", "en"}))
            ->capture_default_str();
        app.add_option("--bbox", o_.bbox,
                       "Extent to draw (static) or show first (HTML): minlon,minlat,maxlon,maxlat");
        app.add_option("--title", o_.title, "Title of a static map (default: the catalogue's title)");
        app.add_option(
            "--area", o_.area,
            "Frame the map on the named area whose name holds this text (or with this id), e.g. 大巴山");
        app.add_option("--area-layer", o_.area_layer,
                       "The area layer --area and --per-area look in (default: all)");
        app.add_flag("--per-rule", o_.per_rule,
                     "One static map per rule with violations, framed on them: FILE-<rule id>.EXT");
        app.add_flag(
            "--per-area", o_.per_area,
            "One static map per area holding violations of `inside` rules, framed on it: FILE-<area id>.EXT");
        app.add_option("--width", o_.width, "Static map width in pixels (PNG) or points (SVG, PDF)")
            ->check(CLI::Range(300, 20000))
            ->capture_default_str();
        app.add_option("--height", o_.height, "Static map height in pixels or points")
            ->check(CLI::Range(300, 20000))
            ->capture_default_str();
        app.add_option("--simplify", o_.simplify_m,
                       "Simplify drawn outlines to this many metres (0: none); distances are never affected")
            ->check(CLI::Range(0.0, 1000.0))
            ->capture_default_str();
        app.add_option("--threads", o_.threads, "Worker threads for the check (default: all cores)")
            ->check(CLI::Range(0u, 1024u));
        o_.checks.add(app);
        o_.verbosity.add(app);
    }

    int run() override {
        // Parse, then work: the format and the extent are known before any data is read.
        const auto ext = std::filesystem::path(o_.output).extension().string();
        const auto format = output::staticFormatFor(o_.output);
        const bool html = ext == ".html" || ext == ".htm";
        if (!format && !html)
            throw usageError("unknown map format `" + ext + "` in `" + o_.output +
                             "`: use .html, .png, .svg or .pdf");
        std::optional<geo::Box> bbox;
        if (!o_.bbox.empty()) bbox = parseBbox(o_.bbox);
        const bool annexes = o_.per_rule || o_.per_area;
        if (o_.per_rule && o_.per_area) throw usageError("--per-rule and --per-area: choose one");
        if (annexes && html)
            throw usageError(std::string(o_.per_rule ? "--per-rule" : "--per-area") +
                             " writes static maps: use -o FILE.png, .svg or .pdf (the HTML map lists every "
                             "violation by rule already)");
        if ((annexes || !o_.area.empty()) && bbox)
            throw usageError("--bbox and " +
                             std::string(o_.per_rule   ? "--per-rule"
                                         : o_.per_area ? "--per-area"
                                                       : "--area") +
                             " both set the extent: give one");
        if (annexes && !o_.area.empty())
            throw usageError("--area frames one map: it cannot be used with --per-rule or --per-area");
        if (annexes && !o_.title.empty())
            throw usageError("--title: each map of --per-rule or --per-area is titled with its rule or area");
        if (!o_.area_layer.empty() && o_.area.empty() && !o_.per_area)
            throw usageError("--area-layer is for --area or --per-area");
        const auto lang = o_.lang == "en" ? output::Language::En : output::Language::Zh;
        o_.checks.validate();
        o_.verbosity.apply();
        if (html) output::findLeaflet();  // fail before the work when Leaflet is missing

        layers::LayerSet set = o_.sources.loadLayerSet();
        const rules::Catalogue catalogue = o_.sources.loadCatalogue();
        const auto names = rules::layersUsed(catalogue);
        rules::checkLayerReferences(catalogue, set);
        refuseOutputOverInput(o_.output, set, names);

        log::debug("loading " + std::to_string(names.size()) + " layers");
        const layers::LayerMap loaded = layers::loadLayers(set, names);
        o_.checks.apply(loaded);
        rules::EngineOptions engine;
        engine.threads = o_.threads;
        log::debug("running " + std::to_string(catalogue.rules.size()) + " rules");
        const auto outcomes = rules::runCatalogue(catalogue, loaded, engine);

        log::debug("building the map: layers, shoreline bands, violations");
        output::MapSceneOptions sceneOptions;
        sceneOptions.simplify_m = o_.simplify_m;
        const output::MapScene scene = output::buildMapScene(catalogue, loaded, outcomes, sceneOptions);
        std::vector<output::NamedArea> areas;
        if (!o_.area.empty() || o_.per_area) {
            areas = output::namedAreas(scene);
            if (!o_.area_layer.empty()) {
                std::erase_if(areas, [&](const output::NamedArea& a) { return a.layer != o_.area_layer; });
                if (areas.empty()) {
                    std::string list;
                    for (const auto& l : scene.areas) list += (list.empty() ? "" : ", ") + l.name;
                    throw usageError("--area-layer `" + o_.area_layer + "`: not an area layer of this run (" +
                                     list + ")");
                }
            }
        }
        output::StaticMapOptions base;
        if (format) base.format = *format;
        base.lang = lang;
        base.width_px = o_.width;
        base.height_px = o_.height;
        base.title = o_.title;
        base.date = today();
        base.bbox = bbox;
        const auto report = [](const std::string& file, const output::StaticMapStats& stats, bool named) {
            if (named) std::cout << file << ": ";
            std::cout << stats.violation_symbols << " violation symbols, " << stats.labels << " facility labels";
            if (stats.labels_dropped) std::cout << " (" << stats.labels_dropped << " left out for lack of room)";
            std::cout << "\n";
        };
        if (!o_.area.empty()) {
            const auto& area = findArea(areas, o_.area);
            log::debug("framing on " + area.layer + " " + area.name);
            base.bbox = output::widen(area.extent, 0.06, 1000);
            base.focus = area.outline;
            if (base.title.empty()) base.title = area.name;
        }
        const auto mappedTo = [&](std::size_t files) {
            std::cout << scene.violations.size() << (scene.violations.size() == 1 ? " violation" : " violations")
                      << " mapped to " << files << (files == 1 ? " map" : " maps") << "\n";
        };
        if (o_.per_rule) {
            std::set<std::string> used;
            std::size_t files = 0;
            for (std::size_t r = 0; r < catalogue.rules.size(); ++r) {
                const auto& rule = catalogue.rules[r];
                output::MapScene part = output::sceneForRule(scene, r);
                if (part.violations.empty()) continue;
                part.title = scene.title + " · " + rule.id;
                const std::string file = annexName(o_.output, rule.id, "rule-" + std::to_string(r + 1), used);
                refuseOutputOverInput(file, set, names);
                output::StaticMapOptions options = base;
                options.bbox = output::violationsExtent(part.violations);
                options.title = lang == output::Language::En && !rule.title_en.empty() ? rule.title_en
                                : !rule.title_zh.empty()                               ? rule.title_zh
                                                                                       : rule.title_en;
                if (options.title.empty()) options.title = rule.id;
                log::debug("writing " + file);
                report(file, output::writeStaticMap(file, part, options), true);
                ++files;
            }
            mappedTo(files);
        } else if (o_.per_area) {
            // The areas holding violations of `inside` rules.
            std::set<std::pair<std::string, std::string>> offended;
            for (const auto& v : scene.violations)
                if (v.predicate == rules::Predicate::Inside) offended.insert({v.object_layer, v.object_id});
            std::set<std::string> used;
            std::size_t files = 0, index = 0;
            for (const auto& area : areas) {
                ++index;
                if (std::none_of(area.member_ids.begin(), area.member_ids.end(), [&](const std::string& id) {
                        return offended.count({area.layer, id}) > 0;
                    }))
                    continue;
                const std::string file = annexName(o_.output, area.id, "area-" + std::to_string(index), used);
                refuseOutputOverInput(file, set, names);
                output::StaticMapOptions options = base;
                options.bbox = output::widen(area.extent, 0.06, 1000);
                options.focus = area.outline;
                options.title = area.name;
                log::debug("writing " + file);
                report(file, output::writeStaticMap(file, scene, options), true);
                ++files;
            }
            if (files == 0)
                log::warning("no area" + (o_.area_layer.empty() ? std::string() : " of " + o_.area_layer) +
                             " holds a violation of an `inside` rule: no map written");
            mappedTo(files);
        } else {
            log::debug("writing " + o_.output);
            if (html) {
                output::HtmlMapOptions options;
                options.lang = lang;
                options.date = today();
                options.bbox = base.bbox;
                output::writeHtmlMap(o_.output, scene, options);
            } else {
                report(o_.output, output::writeStaticMap(o_.output, scene, base), false);
            }
            std::cout << scene.violations.size() << (scene.violations.size() == 1 ? " violation" : " violations")
                      << " mapped to " << o_.output << "\n";
        }
        return scene.violations.empty() ? 0 : 1;
    }

  private:
    MapOptions o_;
};

}  // namespace

std::unique_ptr<Command> makeMapCommand() {
    return std::make_unique<MapCommand>();
}

}  // namespace ecozone::cli

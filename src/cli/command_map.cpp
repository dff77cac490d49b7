// SPDX-License-Identifier: MIT
#include <cstdlib>
#include <ctime>
#include <iostream>
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
    Verbosity verbosity;
    std::string output = "map.html";
    std::string lang = "zh";
    std::string bbox;
    std::string title;
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
        const auto lang = o_.lang == "en" ? output::Language::En : output::Language::Zh;
        o_.verbosity.apply();
        if (html) output::findLeaflet();  // fail before the work when Leaflet is missing

        layers::LayerSet set = o_.sources.loadLayerSet();
        const rules::Catalogue catalogue = o_.sources.loadCatalogue();
        const auto names = rules::layersUsed(catalogue);
        rules::checkLayerReferences(catalogue, set);
        refuseOutputOverInput(o_.output, set, names);

        log::debug("loading " + std::to_string(names.size()) + " layers");
        const layers::LayerMap loaded = layers::loadLayers(set, names);
        rules::EngineOptions engine;
        engine.threads = o_.threads;
        log::debug("running " + std::to_string(catalogue.rules.size()) + " rules");
        const auto outcomes = rules::runCatalogue(catalogue, loaded, engine);

        log::debug("building the map: layers, shoreline bands, violations");
        output::MapSceneOptions sceneOptions;
        sceneOptions.simplify_m = o_.simplify_m;
        const output::MapScene scene = output::buildMapScene(catalogue, loaded, outcomes, sceneOptions);
        log::debug("writing " + o_.output);
        if (html) {
            output::HtmlMapOptions options;
            options.lang = lang;
            options.date = today();
            options.bbox = bbox;
            output::writeHtmlMap(o_.output, scene, options);
        } else {
            output::StaticMapOptions options;
            options.format = *format;
            options.lang = lang;
            options.width_px = o_.width;
            options.height_px = o_.height;
            options.title = o_.title;
            options.date = today();
            options.bbox = bbox;
            const auto stats = output::writeStaticMap(o_.output, scene, options);
            std::cout << stats.violation_symbols << " violation symbols, " << stats.labels << " facility labels";
            if (stats.labels_dropped) std::cout << " (" << stats.labels_dropped << " left out for lack of room)";
            std::cout << "\n";
        }
        std::cout << scene.violations.size() << (scene.violations.size() == 1 ? " violation" : " violations")
                  << " mapped to " << o_.output << "\n";
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

// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geo/geos.hpp"
#include "output/map_scene.hpp"
#include "output/summary.hpp"

namespace ecozone::output {

enum class StaticFormat { Png, Svg, Pdf };

struct StaticMapOptions {
    StaticFormat format = StaticFormat::Png;
    Language lang = Language::Zh;
    int width_px = 1600;  // PNG pixels; SVG and PDF use the same size in points
    int height_px = 1200;
    std::string title;             // empty: the scene's
    std::string date;              // the data note's date
    std::optional<geo::Box> bbox;  // the extent drawn; none: the scene's
    std::vector<Polygon> focus;    // outlined over the map: the area a map is framed on (--area, --per-area)
};

// The static format of an output name (.png, .svg, .pdf), or none.
std::optional<StaticFormat> staticFormatFor(const std::filesystem::path& file);

// Draws the scene with Cairo (one drawing code for the three formats) and Pango (text, with a CJK font): the
// map in an azimuthal equidistant projection centred on the extent, with a title, a legend, a scale bar measured
// on the ellipsoid, a north arrow, the data and date note, and labels for violating facilities placed so that
// they do not overlap each other or the symbols.
// Counters for tests: the number of violation symbols and labels drawn.
struct StaticMapStats {
    std::size_t violation_symbols = 0;  // inside the extent drawn
    std::size_t labels = 0;
    std::size_t labels_dropped = 0;                      // no free place was found
    std::map<std::string, std::size_t> symbols_by_rule;  // violation symbols inside the extent, by rule id
    std::vector<std::string> legend;                     // the legend's entries, as written
};
StaticMapStats writeStaticMap(const std::filesystem::path& file, const MapScene& scene,
                              const StaticMapOptions& options);

}  // namespace ecozone::output

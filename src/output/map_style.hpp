// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "output/map_scene.hpp"
#include "output/summary.hpp"

namespace ecozone::output {

// The symbology shared by the HTML and the static maps, so their legends agree.

struct Rgba {
    double r, g, b, a;
    std::string hex() const;  // "#rrggbb"
};

struct AreaStyle {
    Rgba fill;
    Rgba stroke;
    double stroke_px = 1;
    bool hatched = false;  // diagonal hatching in the stroke colour instead of a solid fill
    bool dashed = false;
};

// Reserve zones by zone (core darkest), water-source zones by grade, red lines hatched, parks grey.
AreaStyle areaStyle(AreaKind kind, const std::string& klass);

struct LineStyle {
    Rgba colour;
    double width_px;
};
// Rivers by the rules that measure from them and their width: listed rivers in strong blue, wide ones thicker.
LineStyle riverStyle(const MapRiver& river);

// Bands: the nearest (narrowest) darkest; `rank` 0 is the widest band of `count`.
AreaStyle bandStyle(std::size_t rank, std::size_t count);

Rgba severityColour(int rank);  // 0 high, 1 medium, 2 low, 3 other
double severityRadiusPx(int rank);
inline Rgba compliantColour() {
    return {0.45, 0.45, 0.45, 1};
}
inline Rgba connectorColour() {
    return {0x8e / 255.0, 0x1b / 255.0, 0x1b / 255.0, 0.9};
}

// Words on the map, in the map's language.
std::string actionLabel(const std::string& action, Language lang);
std::string severityLabel(const std::string& severity, Language lang);
std::string areaKindLabel(AreaKind kind, Language lang);
// A coded value (category, status, zone...) in words: its Chinese alias for zh, else the code with spaces.
std::string valueLabel(const MapScene& scene, const std::string& value, Language lang);
// "1 km", "500 m", "2.5 km".
std::string distanceLabel(double metres);

// One line of the legend, the same on every map.
struct LegendEntry {
    enum class Type { Area, Line, Circle, Dash } type = Type::Area;
    AreaStyle area;   // Area
    Rgba colour{};    // Line, Circle, Dash
    double size = 1;  // line width or circle radius, px
    std::string label;
    std::string note;  // e.g. the rules a band belongs to
};
// Bands narrower than `min_band_m` are left out (a static map leaves out the bands too thin to see at its scale).
std::vector<LegendEntry> legendEntries(const MapScene& scene, Language lang, double min_band_m = 0);

}  // namespace ecozone::output

// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "geo/geos.hpp"
#include "output/map_scene.hpp"
#include "output/summary.hpp"

namespace ecozone::output {

struct HtmlMapOptions {
    Language lang = Language::Zh;
    std::string date;               // the data note's date (YYYY-MM-DD)
    std::filesystem::path leaflet;  // the folder holding leaflet.js and leaflet.css; empty: findLeaflet()
    std::optional<geo::Box> bbox;   // the initial view; none: the scene's extent
};

// The folder of Debian's libjs-leaflet (/usr/share/javascript/leaflet), or $ECOZONE_LEAFLET_DIR when set. Throws
// an output error saying how to install it when leaflet.js or leaflet.css is missing.
std::filesystem::path findLeaflet();

// Writes one self-contained HTML file: Leaflet's script and stylesheet inline (their images as data: URIs), the
// scene as GeoJSON, no tiles and no request to any network. Opened with `?selftest` in its URL, the page checks
// itself (violation markers, layers, a popup) and writes the verdict into document.title.
void writeHtmlMap(const std::filesystem::path& file, const MapScene& scene, const HtmlMapOptions& options);

}  // namespace ecozone::output

// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "geo/geos.hpp"

namespace ecozone::output {

// QGIS layer styles carried inside a GeoPackage, so that a file opened in QGIS looks like ecozone's static map
// without anyone loading a .qml by hand.

// The QML (QGIS 3) for the violations table: violations by severity in the static map's colours (high red,
// medium orange, low amber), points as circles, footprints filled translucent and outlined, lines stroked, the
// most severe drawn on top, labelled with the facility's name (high severity in bold dark red). `families` are
// the geometry kinds the table holds: one kind gets a categorised renderer on `severity`; several (or none)
// get a rule-based one, severity then geometry kind, because a QGIS symbol draws only its own kind and QGIS
// gives every geometry kind of a mixed table the same default style.
std::string violationsQml(const std::set<geo::GeometryFamily>& families);

struct QgisStyle {
    std::string table;  // the styled table; its geometry column is read from the file
    std::string name;   // styleName (at most 30 characters, QGIS's width)
    std::string qml;
    std::string sld;  // may be empty
    std::string description;
};

// Adds QGIS's `layer_styles` table to a finished GeoPackage (the schema QGIS itself creates: an attribute table
// registered in gpkg_contents), with one row per style, each its table's default. The update time is fixed so
// that the file stays byte-identical from run to run. Throws an output error if it cannot be written.
void writeQgisStyles(const std::filesystem::path& gpkg, const std::vector<QgisStyle>& styles);

}  // namespace ecozone::output

// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "layers/schema.hpp"

namespace ecozone::layers {

// Binds a layer name to a source: any GDAL dataset (file, folder, connection string), an optional layer inside it,
// an optional attribute filter (OGR SQL) and, for sources that carry no CRS, the CRS to assume.
struct LayerBinding {
    std::string name;
    std::string schema;
    std::string source;   // resolved: relative paths are made relative to the layer set's folder
    std::string layer;    // empty: the source's only (or first) layer
    std::string where;    // empty: every feature
    std::string crs;      // empty: take the CRS from the source
    std::string encoding; // text encoding of a Shapefile/CSV source (CP936, ...); empty: declared or detected
    std::string x_field;  // for tables without geometry (CSV, XLSX ledgers): the longitude / easting column
    std::string y_field;
    std::string xy_field;  // ... or one column holding both ("108.5, 31.9", "E108°30' N31°54'")
    std::string datum;     // "gcj02" / "bd09": coordinates picked on Chinese web maps, converted to WGS84
    std::string origin;  // where the binding was made: "file:line" or "--layer"
};

struct LayerSet {
    std::filesystem::path file;
    SchemaSet schemas;
    std::map<std::string, LayerBinding> bindings;

    const LayerBinding& binding(const std::string& name) const;
};

LayerSet loadLayerSet(const std::filesystem::path& file);

// Applies `--layer NAME=SOURCE[:LAYER]`: rebinds a layer of the set to another source. The name must be one the
// set declares (its schema comes from there).
void overrideLayer(LayerSet& set, const std::string& spec);
// Applies `--crs NAME=CRS`: the CRS to assume for a layer whose source has none.
void overrideCrs(LayerSet& set, const std::string& spec);
// Applies `--encoding NAME=ENCODING`: the text encoding of a layer's Shapefile or CSV source.
void overrideEncoding(LayerSet& set, const std::string& spec);
// Applies `--datum NAME=gcj02|bd09|wgs84`: the offset datum of a layer's coordinates.
void overrideDatum(LayerSet& set, const std::string& spec);

}  // namespace ecozone::layers

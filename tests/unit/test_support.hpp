// SPDX-License-Identifier: MIT
// Builds tiny layers from inline WKT: each test writes them with GDAL to its own temp folder, and the real loader
// reads them back, so the tests cover the whole path from a file to the engine.
#pragma once

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "layers/layer.hpp"
#include "layers/layer_set.hpp"
#include "layers/schema.hpp"

namespace ecozone::test {

struct Row {
    std::map<std::string, std::string> fields;
    std::string wkt;  // in the layer's CRS; "" for no geometry
};

// Shapefiles and FileGDBs hold one geometry type per layer: take it from the first row.
inline OGRwkbGeometryType geometryTypeOf(const std::vector<Row>& rows) {
    for (const auto& r : rows) {
        if (r.wkt.rfind("POINT", 0) == 0) return wkbPoint;
        if (r.wkt.rfind("LINESTRING", 0) == 0) return wkbLineString;
        if (r.wkt.rfind("POLYGON", 0) == 0 || r.wkt.rfind("MULTIPOLYGON", 0) == 0) return wkbMultiPolygon;
    }
    return wkbUnknown;
}

inline std::filesystem::path tempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    auto dir = std::filesystem::temp_directory_path() / "ecozone-tests" /
               (std::string(info->test_suite_name()) + "." + info->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

inline std::filesystem::path repoRoot() {
    return std::filesystem::path(ECOZONE_TEST_DATA).parent_path();
}

inline const layers::SchemaSet& schemas() {
    static const layers::SchemaSet s = layers::loadSchemas(repoRoot() / "layers" / "schemas.toml");
    return s;
}

// Writes rows to `file` (driver from the extension) in `epsg` (0: no CRS). Fields named in `integers` are
// written as integers; fields in `declare` exist even when there are no rows.
inline void writeLayer(const std::filesystem::path& file, int epsg, const std::vector<Row>& rows,
                       const std::vector<std::string>& integers = {},
                       const std::vector<std::string>& declare = {}) {
    GDALAllRegister();
    const std::string ext = file.extension().string();
    const std::map<std::string, const char*> drivers = {{".gpkg", "GPKG"},      {".csv", "CSV"},
                                                        {".xlsx", "XLSX"},      {".gdb", "OpenFileGDB"},
                                                        {".fgb", "FlatGeobuf"}, {".shp", "ESRI Shapefile"},
                                                        {".geojson", "GeoJSON"}};
    const char* driverName = drivers.count(ext) ? drivers.at(ext) : "GeoJSON";
    const bool table = ext == ".csv" || ext == ".xlsx";
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driverName);
    std::unique_ptr<GDALDataset> ds(driver->Create(file.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(ds) << file;
    OGRSpatialReference srs;
    if (epsg) {
        srs.importFromEPSG(epsg);
        srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    }
    char** options = ext == ".shp" ? CSLSetNameValue(nullptr, "ENCODING", "UTF-8") : nullptr;
    OGRLayer* layer = ds->CreateLayer(file.stem().string().c_str(), epsg ? &srs : nullptr,
                                      table                            ? wkbNone
                                      : ext == ".shp" || ext == ".gdb" ? geometryTypeOf(rows)
                                                                       : wkbUnknown,
                                      options);
    CSLDestroy(options);
    std::vector<std::string> names = declare;
    for (const auto& r : rows)
        for (const auto& [k, v] : r.fields)
            if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
    for (const auto& n : names) {
        const bool integer = std::find(integers.begin(), integers.end(), n) != integers.end();
        OGRFieldDefn def(n.c_str(), integer ? OFTInteger : OFTString);
        layer->CreateField(&def);
    }
    for (const auto& r : rows) {
        OGRFeature f(layer->GetLayerDefn());
        for (const auto& [k, v] : r.fields) f.SetField(k.c_str(), v.c_str());
        if (!r.wkt.empty()) {
            OGRGeometry* g = nullptr;
            ASSERT_EQ(OGRGeometryFactory::createFromWkt(r.wkt.c_str(), epsg ? &srs : nullptr, &g), OGRERR_NONE)
                << r.wkt;
            f.SetGeometryDirectly(g);
        }
        ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
    }
}

inline layers::LayerBinding binding(const std::string& name, const std::string& schema,
                                    const std::filesystem::path& source) {
    layers::LayerBinding b;
    b.name = name;
    b.schema = schema;
    b.source = source.string();
    b.origin = "test";
    return b;
}

inline std::unique_ptr<layers::Layer> load(const layers::LayerBinding& b) {
    return layers::loadLayer(b, schemas().at(b.schema));
}

inline void writeText(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
}

}  // namespace ecozone::test

// SPDX-License-Identifier: MIT
#pragma once

#include <geos_c.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "geo/geodesic.hpp"

namespace ecozone::output {

// A table written through GDAL, its format chosen by the file's extension (.gpkg, .geojson/.json, .csv, .fgb).
// Rows may carry a geometry in WGS84 longitude/latitude; a CSV carries it as WKT in a last `wkt` column. Every
// column is written in every row, as a value or an explicit null. Output is deterministic (fixed GeoPackage
// timestamps), and an existing file is replaced. A GeoPackage table of geometries gets a spatial index.
class GdalTable {
  public:
    enum class Type { String, Real, Integer, Boolean };
    struct Column {
        std::string name;
        Type type;
    };

    GdalTable(const std::filesystem::path& file, const std::string& layerName, std::vector<Column> columns,
              bool withGeometry);
    ~GdalTable();
    GdalTable(const GdalTable&) = delete;
    GdalTable& operator=(const GdalTable&) = delete;

    // Values for the next row, by column name; unset columns are null. Empty strings and non-finite numbers are
    // null.
    void set(const std::string& column, const std::string& value);
    void set(const std::string& column, double value);
    // The same by the column's position in the list given to the constructor, for tables of many rows.
    void setAt(std::size_t column, const std::string& value);
    void setAt(std::size_t column, double value);
    void setInteger(const std::string& column, long long value);
    void setBoolean(const std::string& column, bool value);
    void setGeometry(const GEOSGeometry* g);
    // The same for a geometry known to be a single 2D point at `at`: a GeoPackage row is then made without
    // looking at the GEOS geometry.
    void setPoint(const GEOSGeometry* g, geo::LonLat at);
    void writeRow();
    // Commits and closes; throws an output error if GDAL could not finish the file.
    void finish();

    static std::string driverFor(const std::filesystem::path& file);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ecozone::output

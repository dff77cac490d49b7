// SPDX-License-Identifier: MIT
#pragma once

#include <geos_c.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ecozone::output {

// The rows of a GeoPackage table that GDAL made and closed empty, inserted with SQLite directly: through GDAL
// 3.6's CreateFeature, a violation row of twenty columns cost about 4 µs to write (an OGRFeature filled, every
// field checked and bound again by the driver), one prepared INSERT under 3. What GDAL does to finish a table is
// done the same way: the feature-count triggers are set aside while the rows go in, and put back with
// the count; the table's extent goes into gpkg_contents; the spatial index is packed (writeRtreeIndex). The
// geometry blobs are GDAL's, byte for byte, for the 2D geometries ecozone writes (a GeoPackage header, then
// little-endian ISO WKB; a Z would be dropped). Everything is one
// transaction: a table is written whole or is left empty.
class GpkgRows {
  public:
    // `geometryColumn` empty: a table without geometry. `columns`: the table's other columns, in the order the
    // values are given by position.
    GpkgRows(const std::filesystem::path& file, const std::string& table, const std::string& fidColumn,
             const std::string& geometryColumn, const std::vector<std::string>& columns);
    ~GpkgRows();
    GpkgRows(const GpkgRows&) = delete;
    GpkgRows& operator=(const GpkgRows&) = delete;

    // Values of the next row by column position; columns not given are null. Text is copied.
    void text(std::size_t column, const std::string& value);
    void real(std::size_t column, double value);
    void integer(std::size_t column, long long value);
    // The row's geometry (WGS84, 2D), or none.
    void geometry(GEOSContextHandle_t ctx, const GEOSGeometry* g);
    // The same for a 2D point given by its coordinates.
    void point(double x, double y);
    void insert();
    // Feature count, extent, triggers and spatial index, then the commit. Throws an output error naming the file.
    void finish();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ecozone::output

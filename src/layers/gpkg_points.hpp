// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>

class GDALDataset;
class OGRFeature;
class OGRLayer;

namespace ecozone::layers {

// The rows of a GeoPackage point layer read straight from SQLite, into one OGRFeature reused from row to row, with
// the values GDAL's own reader gives: the fid, each field read as GDAL reads a field of its type, and a point
// decoded from the usual blob (a GeoPackage header and a 2D WKB point). A row whose geometry is anything else is
// read through GDAL (by its fid), so that what GDAL makes of it, or says about it, is what the loader sees.
//
// Half of the time GDAL took to hand over a point feature went to making, filling and freeing the OGRFeature and
// its geometry and to its generic WKB parser; a layer of millions of facilities is read this way in about half the
// time. Only layers this reader can read exactly as GDAL does are read this way: see open().
class GpkgPointReader {
  public:
    // A reader over `layer` of `dataset` (opened from `file`), or null when the layer is not a plain GeoPackage
    // table of 2D points keyed by its rowid, whose fields are all integers, reals and text, with no spatial
    // filter: read it through GDAL. The reader knows nothing of an attribute filter: only open it for a layer
    // without one.
    static std::unique_ptr<GpkgPointReader> open(GDALDataset& dataset, OGRLayer& layer, const std::string& file);
    ~GpkgPointReader();
    GpkgPointReader(const GpkgPointReader&) = delete;
    GpkgPointReader& operator=(const GpkgPointReader&) = delete;

    // The next row, or null at the end of the table or on an error (and from then on). Errors are reported as
    // GDAL's reader reports them, through CPLError, for the caller to find as after OGRLayer::GetNextFeature().
    // The feature is valid until the next call.
    OGRFeature* next();

  private:
    struct Impl;
    explicit GpkgPointReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ecozone::layers

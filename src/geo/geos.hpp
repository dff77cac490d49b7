// SPDX-License-Identifier: MIT
#pragma once

#include <geos_c.h>

#include <memory>
#include <string>
#include <vector>

#include "geo/geodesic.hpp"

namespace ecozone::geo {

// A GEOS reentrant-API context. One per thread that calls GEOS; messages are routed to the project's logger.
class GeosContext {
  public:
    GeosContext();
    ~GeosContext();
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;

    GEOSContextHandle_t get() const { return handle_; }
    // The last error GEOS reported on this context (empty when none).
    const std::string& lastError() const { return last_error_; }

  private:
    GEOSContextHandle_t handle_;
    std::string last_error_;
};

// GEOS geometries outlive the context that made them only as far as destruction goes, which needs a handle; the
// deleter carries one. Geometries are otherwise context-independent and are shared read-only across threads.
struct GeomDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSGeometry* g) const {
        if (g) GEOSGeom_destroy_r(ctx, g);
    }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

struct PreparedDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(const GEOSPreparedGeometry* p) const {
        if (p) GEOSPreparedGeom_destroy_r(ctx, p);
    }
};
using PreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

// A context kept for the life of the process, used to destroy geometries made by contexts that have ended.
GEOSContextHandle_t lifetimeContext();

GeomPtr adopt(GEOSGeometry* g);

enum class GeometryFamily { Point, Line, Polygon, Mixed, Empty };
GeometryFamily familyOf(GEOSContextHandle_t ctx, const GEOSGeometry* g);
const char* familyName(GeometryFamily f);

struct Box {
    double min_lon = 0, min_lat = 0, max_lon = 0, max_lat = 0;
};
Box envelopeOf(GEOSContextHandle_t ctx, const GEOSGeometry* g);

// The vertex sequences of a geometry: each point as a one-vertex part, each line string and each polygon ring as
// its vertices. These are what distances are measured to and from.
std::vector<std::vector<LonLat>> partsOf(GEOSContextHandle_t ctx, const GEOSGeometry* g);

// The polygons of a geometry as rings (exterior first), for areas.
std::vector<std::vector<std::vector<LonLat>>> polygonsOf(GEOSContextHandle_t ctx, const GEOSGeometry* g);

// GEOS computes envelopes lazily and caches them inside the geometry, which is a data race when threads share a
// geometry. Computing every envelope (components, shells and holes) once, before the threads start, makes the
// geometry truly read-only.
void primeEnvelopes(GEOSContextHandle_t ctx, const GEOSGeometry* g);

std::string toWkt(GEOSContextHandle_t ctx, const GEOSGeometry* g, int precision = 7);
GeomPtr fromWkt(GEOSContextHandle_t ctx, const std::string& wkt);

}  // namespace ecozone::geo

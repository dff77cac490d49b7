// SPDX-License-Identifier: MIT
#include "geo/geos.hpp"

#include <cstdarg>
#include <stdexcept>

#include "util/log.hpp"

namespace ecozone::geo {

namespace {
void onGeosNotice(const char* message, void*) {
    log::debug(std::string("GEOS: ") + message);
}
void onGeosError(const char* message, void* user) {
    *static_cast<std::string*>(user) = message;
    log::debug(std::string("GEOS error: ") + message);
}
}  // namespace

GeosContext::GeosContext() : handle_(GEOS_init_r()) {
    GEOSContext_setNoticeMessageHandler_r(handle_, onGeosNotice, nullptr);
    GEOSContext_setErrorMessageHandler_r(handle_, onGeosError, &last_error_);
}

GeosContext::~GeosContext() {
    GEOS_finish_r(handle_);
}

GEOSContextHandle_t lifetimeContext() {
    static GeosContext context;
    return context.get();
}

GeomPtr adopt(GEOSGeometry* g) {
    return GeomPtr(g, GeomDeleter{lifetimeContext()});
}

GeometryFamily familyOf(GEOSContextHandle_t ctx, const GEOSGeometry* g) {
    if (!g || GEOSisEmpty_r(ctx, g)) return GeometryFamily::Empty;
    switch (GEOSGeomTypeId_r(ctx, g)) {
        case GEOS_POINT:
        case GEOS_MULTIPOINT:
            return GeometryFamily::Point;
        case GEOS_LINESTRING:
        case GEOS_LINEARRING:
        case GEOS_MULTILINESTRING:
            return GeometryFamily::Line;
        case GEOS_POLYGON:
        case GEOS_MULTIPOLYGON:
            return GeometryFamily::Polygon;
        default: {
            GeometryFamily found = GeometryFamily::Empty;
            const int n = GEOSGetNumGeometries_r(ctx, g);
            for (int i = 0; i < n; ++i) {
                const GeometryFamily f = familyOf(ctx, GEOSGetGeometryN_r(ctx, g, i));
                if (f == GeometryFamily::Empty) continue;
                if (found != GeometryFamily::Empty && found != f) return GeometryFamily::Mixed;
                found = f;
            }
            return found;
        }
    }
}

const char* familyName(GeometryFamily f) {
    switch (f) {
        case GeometryFamily::Point:
            return "point";
        case GeometryFamily::Line:
            return "line";
        case GeometryFamily::Polygon:
            return "polygon";
        case GeometryFamily::Mixed:
            return "mixed collection";
        case GeometryFamily::Empty:
            return "empty";
    }
    return "?";
}

Box envelopeOf(GEOSContextHandle_t ctx, const GEOSGeometry* g) {
    Box b;
    GEOSGeom_getXMin_r(ctx, g, &b.min_lon);
    GEOSGeom_getYMin_r(ctx, g, &b.min_lat);
    GEOSGeom_getXMax_r(ctx, g, &b.max_lon);
    GEOSGeom_getYMax_r(ctx, g, &b.max_lat);
    return b;
}

namespace {
std::vector<LonLat> readSequence(GEOSContextHandle_t ctx, const GEOSCoordSequence* seq) {
    unsigned int n = 0;
    GEOSCoordSeq_getSize_r(ctx, seq, &n);
    std::vector<LonLat> out(n);
    for (unsigned int i = 0; i < n; ++i) GEOSCoordSeq_getXY_r(ctx, seq, i, &out[i].lon, &out[i].lat);
    return out;
}

void collectParts(GEOSContextHandle_t ctx, const GEOSGeometry* g, std::vector<std::vector<LonLat>>& out) {
    if (GEOSisEmpty_r(ctx, g)) return;
    switch (GEOSGeomTypeId_r(ctx, g)) {
        case GEOS_POINT:
        case GEOS_LINESTRING:
        case GEOS_LINEARRING:
            out.push_back(readSequence(ctx, GEOSGeom_getCoordSeq_r(ctx, g)));
            return;
        case GEOS_POLYGON: {
            collectParts(ctx, GEOSGetExteriorRing_r(ctx, g), out);
            const int holes = GEOSGetNumInteriorRings_r(ctx, g);
            for (int i = 0; i < holes; ++i) collectParts(ctx, GEOSGetInteriorRingN_r(ctx, g, i), out);
            return;
        }
        default: {
            const int n = GEOSGetNumGeometries_r(ctx, g);
            for (int i = 0; i < n; ++i) collectParts(ctx, GEOSGetGeometryN_r(ctx, g, i), out);
        }
    }
}

void collectPolygons(GEOSContextHandle_t ctx, const GEOSGeometry* g,
                     std::vector<std::vector<std::vector<LonLat>>>& out) {
    if (GEOSisEmpty_r(ctx, g)) return;
    const int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON) {
        std::vector<std::vector<LonLat>> rings;
        collectParts(ctx, g, rings);
        out.push_back(std::move(rings));
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx, g);
        for (int i = 0; i < n; ++i) collectPolygons(ctx, GEOSGetGeometryN_r(ctx, g, i), out);
    }
}
}  // namespace

std::vector<std::vector<LonLat>> partsOf(GEOSContextHandle_t ctx, const GEOSGeometry* g) {
    std::vector<std::vector<LonLat>> out;
    collectParts(ctx, g, out);
    return out;
}

std::vector<std::vector<std::vector<LonLat>>> polygonsOf(GEOSContextHandle_t ctx, const GEOSGeometry* g) {
    std::vector<std::vector<std::vector<LonLat>>> out;
    collectPolygons(ctx, g, out);
    return out;
}

void primeEnvelopes(GEOSContextHandle_t ctx, const GEOSGeometry* g) {
    double ignored = 0;
    if (GEOSisEmpty_r(ctx, g)) return;
    GEOSGeom_getXMin_r(ctx, g, &ignored);
    switch (GEOSGeomTypeId_r(ctx, g)) {
        case GEOS_POINT:
        case GEOS_LINESTRING:
        case GEOS_LINEARRING:
            return;
        case GEOS_POLYGON: {
            primeEnvelopes(ctx, GEOSGetExteriorRing_r(ctx, g));
            const int holes = GEOSGetNumInteriorRings_r(ctx, g);
            for (int i = 0; i < holes; ++i) primeEnvelopes(ctx, GEOSGetInteriorRingN_r(ctx, g, i));
            return;
        }
        default: {
            const int n = GEOSGetNumGeometries_r(ctx, g);
            for (int i = 0; i < n; ++i) primeEnvelopes(ctx, GEOSGetGeometryN_r(ctx, g, i));
        }
    }
}

std::string toWkt(GEOSContextHandle_t ctx, const GEOSGeometry* g, int precision) {
    GEOSWKTWriter* writer = GEOSWKTWriter_create_r(ctx);
    GEOSWKTWriter_setTrim_r(ctx, writer, 1);
    GEOSWKTWriter_setRoundingPrecision_r(ctx, writer, precision);
    char* text = GEOSWKTWriter_write_r(ctx, writer, g);
    std::string out = text ? text : "";
    GEOSFree_r(ctx, text);
    GEOSWKTWriter_destroy_r(ctx, writer);
    return out;
}

GeomPtr fromWkt(GEOSContextHandle_t ctx, const std::string& wkt) {
    GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx);
    GEOSGeometry* g = GEOSWKTReader_read_r(ctx, reader, wkt.c_str());
    GEOSWKTReader_destroy_r(ctx, reader);
    if (!g) throw std::invalid_argument("cannot parse WKT: " + wkt);
    return adopt(g);
}

}  // namespace ecozone::geo

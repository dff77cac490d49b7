// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "geo/geodesic.hpp"
#include "geo/geos.hpp"

namespace ecozone::geo {

// What the indexes need to know of one object feature.
struct IndexedObject {
    const GEOSGeometry* geometry = nullptr;
    Box envelope;
    const std::vector<std::vector<LonLat>>* parts = nullptr;
    double half_width_m = 0;  // subtracted from distances: a centerline's shoreline is half a width away
};

// What the indexes need to know of one subject feature.
struct Subject {
    const GEOSGeometry* geometry = nullptr;
    Box envelope;
    const std::vector<std::vector<LonLat>>* parts = nullptr;
    // familyOf(geometry), when the caller knows it (a loaded feature's own): the queries then need not look at
    // the GEOS geometry to tell a point from a footprint. Empty: not known, asked of GEOS.
    GeometryFamily family = GeometryFamily::Empty;
};

// Per-thread state for queries: a GEOS context and the prepared geometries this thread has made so far.
class QueryScratch {
  public:
    explicit QueryScratch(std::size_t objects);
    ~QueryScratch();
    QueryScratch(const QueryScratch&) = delete;
    QueryScratch& operator=(const QueryScratch&) = delete;
    GEOSContextHandle_t geos() const { return context_.get(); }
    // Working memory the queries reuse, so that a warm thread allocates nothing per query.
    struct Buffers;
    Buffers& buffers() { return *buffers_; }
    const GEOSPreparedGeometry* prepared(std::size_t object, const GEOSGeometry* g);
    // Whether `subject` intersects object `object` (boundary included), through its prepared geometry.
    bool intersects(std::size_t object, const GEOSGeometry* objectGeometry, const GEOSGeometry* subject);

  private:
    GeosContext context_;
    std::vector<PreparedPtr> prepared_;
    std::unique_ptr<Buffers> buffers_;
};

struct ShorelineHit {
    std::size_t object;  // index into the objects the index was built from
    Nearest nearest;     // distance_m is the shoreline distance (width removed, never below 0)
};

// Nearest-shoreline queries against a set of objects (lines with optional widths, polygons), in true geodesic
// metres. Objects are cut into segments held in a packed R-tree, so a long river costs only the few segments near
// a subject. A subject that touches or lies inside an object is 0 m from it.
class ShorelineIndex {
  public:
    explicit ShorelineIndex(std::vector<IndexedObject> objects);
    ~ShorelineIndex();
    ShorelineIndex(const ShorelineIndex&) = delete;
    ShorelineIndex& operator=(const ShorelineIndex&) = delete;

    std::size_t size() const { return objects_.size(); }

    // The nearest object within `max_m` metres (inclusive) of the subject, or none. With max_m = infinity, the
    // nearest object wherever it is (none only when the index is empty). Ties go to the lower object index.
    std::optional<ShorelineHit> nearest(const Subject& subject, double max_m, QueryScratch& scratch,
                                        const Geodesic& geodesic) const;

  private:
    struct Tree;
    std::vector<IndexedObject> objects_;
    std::unique_ptr<Tree> tree_;
};

class PointInArea;

// The point-in-area locators of polygonal objects, by their rings: made once and shared by every AreaIndex given
// the cache, so that a feature in several object sets (a reserve in "all zones" and in "core and buffer") is
// indexed once. Safe to use from several threads at once; the rings must outlive the cache.
class AreaLocators {
  public:
    AreaLocators();
    ~AreaLocators();
    AreaLocators(const AreaLocators&) = delete;
    AreaLocators& operator=(const AreaLocators&) = delete;
    std::shared_ptr<const PointInArea> get(const std::vector<std::vector<LonLat>>& rings);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Containment queries: which polygons does a subject intersect (boundary included)?
class AreaIndex {
  public:
    // `locators`, if given, provides (and keeps) the polygons' locators; otherwise the index makes its own.
    explicit AreaIndex(std::vector<IndexedObject> objects, AreaLocators* locators = nullptr);
    ~AreaIndex();
    AreaIndex(const AreaIndex&) = delete;
    AreaIndex& operator=(const AreaIndex&) = delete;

    std::size_t size() const { return objects_.size(); }
    const IndexedObject& object(std::size_t i) const { return objects_[i]; }

    // The indices of the objects the subject intersects, ascending.
    std::vector<std::size_t> intersecting(const Subject& subject, QueryScratch& scratch) const;
    // Whether the subject intersects any object: intersecting() but stopping at the first.
    bool intersectsAny(const Subject& subject, QueryScratch& scratch) const;

  private:
    bool intersects(std::size_t object, const Subject& subject, QueryScratch& scratch) const;
    struct Tree;
    std::vector<IndexedObject> objects_;
    std::unique_ptr<Tree> tree_;
};

// Geodesic area in m² of the part of `subject` inside `object` (both polygonal; 0 otherwise).
double overlapArea(GEOSContextHandle_t ctx, const GEOSGeometry* subject, const GEOSGeometry* object,
                   const Geodesic& geodesic);
// Geodesic area in m² of a polygonal geometry (0 for points and lines).
double area(GEOSContextHandle_t ctx, const GEOSGeometry* g, const Geodesic& geodesic);

}  // namespace ecozone::geo

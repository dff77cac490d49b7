// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "geo/spatial_index.hpp"
#include "layers/layer.hpp"

namespace ecozone::rules {

// The pieces every consumer of the geometry engine shares (check, screen, inventory), so that there is one code
// path for distances and containment.

inline geo::IndexedObject indexed(const layers::Feature& f) {
    return {f.geometry.get(), f.envelope, &f.parts, f.half_width_m};
}

inline geo::Subject subjectOf(const layers::Feature& f) {
    return {f.geometry.get(), f.envelope, &f.parts, f.family};
}

// Per-thread query state: one scratch (GEOS context, prepared geometries) per index the thread has queried.
class Worker {
  public:
    // A GEOS context of this thread's own, for operations outside the indexes (overlaps, areas).
    GEOSContextHandle_t geos() const { return context_.get(); }
    geo::QueryScratch& scratch(const void* index, std::size_t objects) {
        auto& slot = scratch_[index];
        if (!slot) slot = std::make_unique<geo::QueryScratch>(objects);
        return *slot;
    }

  private:
    geo::GeosContext context_;
    std::map<const void*, std::unique_ptr<geo::QueryScratch>> scratch_;
};

// The features of one layer that pass one filter, with their indexes. Build the indexes (shorelineIndex(),
// areaIndex()) before threads share the set; queries are then read-only.
struct ObjectSet {
    const layers::Layer* layer = nullptr;
    std::vector<std::size_t> members;  // feature indices, ascending
    std::unique_ptr<geo::ShorelineIndex> shoreline;
    std::unique_ptr<geo::AreaIndex> area;
    geo::AreaLocators* locators = nullptr;  // shared with the run's other sets, if given

    const geo::ShorelineIndex& shorelineIndex();
    const geo::AreaIndex& areaIndex();

    struct Nearest {
        std::size_t feature;  // index into layer->features()
        geo::Nearest where;   // distance_m is the shoreline distance
    };
    // The nearest member within max_m (infinity: wherever it is), or none.
    std::optional<Nearest> nearest(const geo::Subject& s, double max_m, Worker& worker,
                                   const geo::Geodesic& geodesic);
    // The members the subject intersects (boundary included), as feature indices, ascending.
    std::vector<std::size_t> containing(const geo::Subject& s, Worker& worker);
    // Whether the subject intersects any member (boundary included).
    bool intersectsAny(const geo::Subject& s, Worker& worker);
};

// The object sets of a run, one per (layer, filter), made on first use.
class ObjectSets {
  public:
    explicit ObjectSets(const layers::LayerMap& layers) : layers_(layers) {}

    // `context` names the rule and catalogue line for errors (unknown layer, bad filter).
    ObjectSet& get(const std::string& layer, const std::string& where, const std::string& context);
    const layers::Layer& find(const std::string& name, const std::string& context) const;

  private:
    const layers::LayerMap& layers_;
    geo::AreaLocators locators_;  // a feature in several sets has one point-in-area locator
    std::map<std::pair<std::string, std::string>, std::unique_ptr<ObjectSet>> sets_;
};

}  // namespace ecozone::rules

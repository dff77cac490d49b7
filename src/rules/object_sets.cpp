// SPDX-License-Identifier: MIT
#include "rules/object_sets.hpp"

#include "util/error.hpp"

namespace ecozone::rules {

namespace {
std::vector<geo::IndexedObject> objectsOf(const ObjectSet& set) {
    std::vector<geo::IndexedObject> out;
    out.reserve(set.members.size());
    for (std::size_t i : set.members) out.push_back(indexed(set.layer->features()[i]));
    return out;
}
}  // namespace

const geo::ShorelineIndex& ObjectSet::shorelineIndex() {
    if (!shoreline) shoreline = std::make_unique<geo::ShorelineIndex>(objectsOf(*this));
    return *shoreline;
}

const geo::AreaIndex& ObjectSet::areaIndex() {
    if (!area) area = std::make_unique<geo::AreaIndex>(objectsOf(*this), locators);
    return *area;
}

std::optional<ObjectSet::Nearest> ObjectSet::nearest(const geo::Subject& s, double max_m, Worker& worker,
                                                     const geo::Geodesic& geodesic) {
    const geo::ShorelineIndex& idx = shorelineIndex();
    const auto hit = idx.nearest(s, max_m, worker.scratch(&idx, idx.size()), geodesic);
    if (!hit) return std::nullopt;
    return Nearest{members[hit->object], hit->nearest};
}

std::vector<std::size_t> ObjectSet::containing(const geo::Subject& s, Worker& worker) {
    const geo::AreaIndex& idx = areaIndex();
    std::vector<std::size_t> out = idx.intersecting(s, worker.scratch(&idx, idx.size()));
    for (std::size_t& o : out) o = members[o];
    return out;
}

bool ObjectSet::intersectsAny(const geo::Subject& s, Worker& worker) {
    const geo::AreaIndex& idx = areaIndex();
    return idx.intersectsAny(s, worker.scratch(&idx, idx.size()));
}

ObjectSet& ObjectSets::get(const std::string& layer, const std::string& where, const std::string& context) {
    auto& slot = sets_[{layer, where}];
    if (!slot) {
        auto set = std::make_unique<ObjectSet>();
        set->layer = &find(layer, context);
        set->members = set->layer->select(where, context);
        set->locators = &locators_;
        slot = std::move(set);
    }
    return *slot;
}

const layers::Layer& ObjectSets::find(const std::string& name, const std::string& context) const {
    auto it = layers_.find(name);
    if (it == layers_.end()) throw configError(context + ": no layer `" + name + "` is loaded");
    return *it->second;
}

}  // namespace ecozone::rules

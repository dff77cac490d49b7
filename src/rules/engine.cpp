// SPDX-License-Identifier: MIT
#include "rules/engine.hpp"

#include <algorithm>
#include <functional>
#include <thread>

#include "geo/spatial_index.hpp"
#include "rules/object_sets.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

namespace ecozone::rules {

namespace {

using layers::Feature;
using layers::Layer;

struct PreparedRule {
    std::size_t index;
    const Rule* rule;
    const Layer* subjects;
    std::vector<std::size_t> subject_members;
    ObjectSet* objects;
    ObjectSet* inside_qualifier = nullptr;
    ObjectSet* outside_qualifier = nullptr;
    bool fresh = true;  // subject_members are those of the layer the engine was made with, not yet run
};

// "catalogue.toml:8: rule chem-1km (subject_where)": the line of the filter's own key where the catalogue has one.
std::string whereContext(const Rule& r, const std::string& keyOrigin, const char* key) {
    return (keyOrigin.empty() ? r.origin : keyOrigin) + ": rule " + r.id + " (" + key + ")";
}

bool intersectsAny(ObjectSet& set, const geo::Subject& s, Worker& worker) { return set.intersectsAny(s, worker); }

// Fills the violation's object, distance and nearest points from the nearest object within max_m; false if none.
bool nearestObject(ObjectSet& objects, const geo::Subject& s, double max_m, Worker& worker,
                   const geo::Geodesic& geodesic, Violation& v) {
    const auto hit = objects.nearest(s, max_m, worker, geodesic);
    if (!hit) return false;
    v.object = hit->feature;
    v.distance_m = hit->where.distance_m;
    v.has_nearest = true;
    v.on_subject = hit->where.on_subject;
    v.on_object = hit->where.on_object;
    return true;
}

void evaluate(PreparedRule& p, std::size_t subjectIndex, Worker& worker, const geo::Geodesic& geodesic,
              std::vector<Violation>& out) {
    const Feature& f = p.subjects->features()[subjectIndex];
    const geo::Subject s = subjectOf(f);
    if (p.inside_qualifier && !intersectsAny(*p.inside_qualifier, s, worker)) return;
    if (p.outside_qualifier && intersectsAny(*p.outside_qualifier, s, worker)) return;
    Violation v;
    v.rule = p.index;
    v.subject = subjectIndex;
    switch (p.rule->predicate) {
        case Predicate::WithinDistance: {
            if (nearestObject(*p.objects, s, p.rule->distance_m, worker, geodesic, v)) out.push_back(v);
            return;
        }
        case Predicate::Inside: {
            const bool footprint = f.family == geo::GeometryFamily::Polygon;
            const double ownArea = footprint ? geo::area(worker.geos(), s.geometry, geodesic) : kNoValue;
            for (std::size_t zone : p.objects->containing(s, worker)) {
                Violation hit = v;
                hit.object = zone;
                hit.distance_m = 0;
                if (footprint) {
                    hit.overlap_m2 = geo::overlapArea(worker.geos(), s.geometry,
                                                      p.objects->layer->features()[zone].geometry.get(), geodesic);
                    hit.subject_area_m2 = ownArea;
                }
                out.push_back(hit);
            }
            return;
        }
        case Predicate::Outside: {
            if (intersectsAny(*p.objects, s, worker)) return;
            // Outside every area: the nearest one is named, with its distance (none only if the layer is empty).
            nearestObject(*p.objects, s, std::numeric_limits<double>::infinity(), worker, geodesic, v);
            out.push_back(v);
            return;
        }
    }
}

// An index a run needs: the shoreline index or the area index of one object set, and the vertices it covers.
struct IndexBuild {
    ObjectSet* set;
    bool shoreline;
    std::size_t vertices;
};

void addBuild(std::vector<IndexBuild>& builds, ObjectSet* set, bool shoreline) {
    for (const IndexBuild& b : builds)
        if (b.set == set && b.shoreline == shoreline) return;
    std::size_t vertices = 0;
    for (std::size_t k : set->members)
        for (const auto& part : set->layer->features()[k].parts) vertices += part.size();
    builds.push_back({set, shoreline, vertices});
}

}  // namespace

void checkLayerReferences(const Catalogue& catalogue, const layers::LayerSet& set) {
    for (const auto& rule : catalogue.rules)
        for (const std::string* n : {&rule.subject, &rule.object, &rule.subject_inside, &rule.subject_outside})
            if (!n->empty() && !set.bindings.count(*n))
                throw configError(rule.origin + ": rule " + rule.id + " uses layer `" + *n +
                                  "`, which the layer set `" + set.file.string() + "` does not bind");
}

std::vector<std::string> layersUsed(const Catalogue& catalogue) {
    std::vector<std::string> out;
    auto add = [&](const std::string& n) {
        if (!n.empty() && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    };
    for (const Rule& r : catalogue.rules) {
        add(r.subject);
        add(r.object);
        add(r.subject_inside);
        add(r.subject_outside);
    }
    return out;
}

std::vector<std::string> subjectOnlyLayers(const Catalogue& catalogue) {
    std::vector<std::string> out;
    for (const std::string& name : layersUsed(catalogue)) {
        const bool other = std::any_of(catalogue.rules.begin(), catalogue.rules.end(), [&](const Rule& r) {
            return r.object == name || r.subject_inside == name || r.subject_outside == name;
        });
        if (!other) out.push_back(name);
    }
    return out;
}

struct Engine::Impl {
    const Catalogue& catalogue;
    const layers::LayerMap& layers;
    EngineOptions options;
    ObjectSets sets;
    std::vector<PreparedRule> prepared;
    const geo::Geodesic geodesic;
    std::vector<Worker> workers;

    Impl(const Catalogue& c, const layers::LayerMap& l, EngineOptions o)
        : catalogue(c), layers(l), options(std::move(o)), sets(l) {}

    // The subject members of every rule on `subject` (all rules if empty), from the layers in the map now: the
    // filters on one layer are answered in one pass over its rows.
    void selectSubjects(const std::string& subject) {
        std::vector<std::string> names;
        for (const PreparedRule& p : prepared)
            if ((subject.empty() || p.rule->subject == subject) &&
                std::find(names.begin(), names.end(), p.rule->subject) == names.end())
                names.push_back(p.rule->subject);
        for (const std::string& name : names) {
            std::vector<PreparedRule*> rules;
            std::vector<Layer::Filter> filters;
            for (PreparedRule& p : prepared)
                if (p.rule->subject == name) {
                    p.subjects = &sets.find(name, p.rule->origin + ": rule " + p.rule->id);
                    rules.push_back(&p);
                    filters.push_back({p.rule->subject_where,
                                       whereContext(*p.rule, p.rule->subject_where_origin, "subject_where")});
                }
            auto members = rules.front()->subjects->selectEach(filters);
            for (std::size_t k = 0; k < rules.size(); ++k) {
                rules[k]->subject_members = std::move(members[k]);
                rules[k]->fresh = true;
            }
        }
    }
};

Engine::Engine(const Catalogue& catalogue, const layers::LayerMap& layers, EngineOptions options)
    : impl_(std::make_unique<Impl>(catalogue, layers, std::move(options))) {
    Impl& m = *impl_;
    std::vector<IndexBuild> builds;
    // Parse, then work: every filter and layer reference is checked before any rule runs.
    for (std::size_t i = 0; i < catalogue.rules.size(); ++i) {
        const Rule& r = catalogue.rules[i];
        const std::string ctx = r.origin + ": rule " + r.id;
        PreparedRule p{i, &r, &m.sets.find(r.subject, ctx), {}, nullptr};
        p.subjects->checkFilter(r.subject_where, whereContext(r, r.subject_where_origin, "subject_where"));
        p.objects = &m.sets.get(r.object, r.object_where, whereContext(r, r.object_where_origin, "object_where"));
        if (!r.subject_inside.empty()) p.inside_qualifier = &m.sets.get(r.subject_inside, "", ctx);
        if (!r.subject_outside.empty()) p.outside_qualifier = &m.sets.get(r.subject_outside, "", ctx);
        if (r.predicate != Predicate::WithinDistance)
            for (std::size_t k : p.objects->members)
                if (p.objects->layer->features()[k].family != geo::GeometryFamily::Polygon)
                    throw configError(ctx + ": predicate " + predicateName(r.predicate) + " needs polygons, but " +
                                      "feature " + p.objects->layer->features()[k].id + " of layer `" + r.object +
                                      "` is a " + geo::familyName(p.objects->layer->features()[k].family));
        if (r.predicate == Predicate::WithinDistance || r.predicate == Predicate::Outside)
            addBuild(builds, p.objects, true);
        if (r.predicate != Predicate::WithinDistance) addBuild(builds, p.objects, false);
        if (p.inside_qualifier) addBuild(builds, p.inside_qualifier, false);
        if (p.outside_qualifier) addBuild(builds, p.outside_qualifier, false);
        m.prepared.push_back(std::move(p));
    }
    m.selectSubjects("");
    const unsigned threads =
        m.options.threads > 0 ? m.options.threads : std::max(1u, std::thread::hardware_concurrency());
    m.workers = std::vector<Worker>(threads);
    // The indexes are built here, once, before the threads share them: side by side, one set's index per
    // thread, the largest first (each index is its own; which thread builds it does not change it).
    std::stable_sort(builds.begin(), builds.end(),
                     [](const IndexBuild& a, const IndexBuild& b) { return a.vertices > b.vertices; });
    parallelChunks<Worker>(builds.size(), 1, m.workers,
                           [&](Worker&, std::size_t, std::size_t begin, std::size_t) {
                               const IndexBuild& b = builds[begin];
                               if (b.shoreline)
                                   b.set->shorelineIndex();
                               else
                                   b.set->areaIndex();
                           });
}

Engine::~Engine() = default;

std::vector<RuleOutcome> Engine::run(const std::string& subject) {
    Impl& m = *impl_;
    std::vector<RuleOutcome> outcomes;
    for (PreparedRule& p : m.prepared) {
        if (!subject.empty() && p.rule->subject != subject) continue;
        // The subject layer may have been replaced since the last run (the next part of a layer read in parts):
        // select from the one in the map now. The first run reuses the constructor's selection.
        if (!p.fresh) m.selectSubjects(p.rule->subject);
        p.fresh = false;

        const std::size_t n = p.subject_members.size();
        constexpr std::size_t kChunk = 256;
        std::vector<std::vector<Violation>> results((n + kChunk - 1) / kChunk);
        std::function<void(std::size_t, std::size_t)> progress;
        if (m.options.progress)
            progress = [&](std::size_t done, std::size_t total) { m.options.progress(*p.rule, done, total); };
        parallelChunks<Worker>(
            n, kChunk, m.workers,
            [&](Worker& worker, std::size_t chunk, std::size_t begin, std::size_t end) {
                for (std::size_t k = begin; k < end; ++k)
                    evaluate(p, p.subject_members[k], worker, m.geodesic, results[chunk]);
            },
            progress);

        RuleOutcome outcome{p.index, n, {}};
        for (auto& chunk : results)
            outcome.violations.insert(outcome.violations.end(), chunk.begin(), chunk.end());
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

std::vector<RuleOutcome> runCatalogue(const Catalogue& catalogue, const layers::LayerMap& layers,
                                      const EngineOptions& options) {
    return Engine(catalogue, layers, options).run();
}

}  // namespace ecozone::rules

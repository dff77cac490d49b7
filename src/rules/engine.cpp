// SPDX-License-Identifier: MIT
#include "rules/engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "geo/spatial_index.hpp"
#include "util/error.hpp"

namespace ecozone::rules {

namespace {

using layers::Feature;
using layers::Layer;

geo::IndexedObject indexed(const Feature& f) {
    return {f.geometry.get(), f.envelope, &f.parts, f.half_width_m};
}

geo::Subject subjectOf(const Feature& f) {
    return {f.geometry.get(), f.envelope, &f.parts};
}

// The objects of one layer that pass one filter, with their indexes, built on first use.
struct ObjectSet {
    const Layer* layer = nullptr;
    std::vector<std::size_t> members;  // feature indices
    std::unique_ptr<geo::ShorelineIndex> shoreline;
    std::unique_ptr<geo::AreaIndex> area;

    std::vector<geo::IndexedObject> objects() const {
        std::vector<geo::IndexedObject> out;
        out.reserve(members.size());
        for (std::size_t i : members) out.push_back(indexed(layer->features()[i]));
        return out;
    }
    const geo::ShorelineIndex& shorelineIndex() {
        if (!shoreline) shoreline = std::make_unique<geo::ShorelineIndex>(objects());
        return *shoreline;
    }
    const geo::AreaIndex& areaIndex() {
        if (!area) area = std::make_unique<geo::AreaIndex>(objects());
        return *area;
    }
};

class ObjectSets {
  public:
    explicit ObjectSets(const layers::LayerMap& layers) : layers_(layers) {}

    ObjectSet& get(const std::string& layer, const std::string& where, const std::string& context) {
        auto& slot = sets_[{layer, where}];
        if (!slot) {
            slot = std::make_unique<ObjectSet>();
            slot->layer = &find(layer, context);
            slot->members = slot->layer->select(where, context);
        }
        return *slot;
    }
    const Layer& find(const std::string& name, const std::string& context) const {
        auto it = layers_.find(name);
        if (it == layers_.end()) throw configError(context + ": no layer `" + name + "` is loaded");
        return *it->second;
    }

  private:
    const layers::LayerMap& layers_;
    std::map<std::pair<std::string, std::string>, std::unique_ptr<ObjectSet>> sets_;
};

// Per-thread query state, one scratch per index the thread has queried.
class Worker {
  public:
    geo::QueryScratch& scratch(const void* index, std::size_t objects) {
        auto& slot = scratch_[index];
        if (!slot) slot = std::make_unique<geo::QueryScratch>(objects);
        return *slot;
    }

  private:
    std::map<const void*, std::unique_ptr<geo::QueryScratch>> scratch_;
};

struct PreparedRule {
    std::size_t index;
    const Rule* rule;
    const Layer* subjects;
    std::vector<std::size_t> subject_members;
    ObjectSet* objects;
    ObjectSet* inside_qualifier = nullptr;
    ObjectSet* outside_qualifier = nullptr;
};

bool intersectsAny(ObjectSet& set, const geo::Subject& s, Worker& worker) {
    const geo::AreaIndex& idx = set.areaIndex();
    return !idx.intersecting(s, worker.scratch(&idx, idx.size())).empty();
}

// Fills the violation's object, distance and nearest points from the nearest object within max_m; false if none.
bool nearestObject(ObjectSet& objects, const geo::Subject& s, double max_m, Worker& worker,
                   const geo::Geodesic& geodesic, Violation& v) {
    const geo::ShorelineIndex& idx = objects.shorelineIndex();
    const auto hit = idx.nearest(s, max_m, worker.scratch(&idx, idx.size()), geodesic);
    if (!hit) return false;
    v.object = objects.members[hit->object];
    v.distance_m = hit->nearest.distance_m;
    v.has_nearest = true;
    v.on_subject = hit->nearest.on_subject;
    v.on_object = hit->nearest.on_object;
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
            const geo::AreaIndex& idx = p.objects->areaIndex();
            geo::QueryScratch& scratch = worker.scratch(&idx, idx.size());
            const bool footprint = f.family == geo::GeometryFamily::Polygon;
            const double ownArea = footprint ? geo::area(scratch.geos(), s.geometry, geodesic) : kNoValue;
            for (std::size_t o : idx.intersecting(s, scratch)) {
                Violation hit = v;
                hit.object = p.objects->members[o];
                hit.distance_m = 0;
                if (footprint) {
                    hit.overlap_m2 =
                        geo::overlapArea(scratch.geos(), s.geometry, idx.object(o).geometry, geodesic);
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

std::vector<RuleOutcome> runCatalogue(const Catalogue& catalogue, const layers::LayerMap& layers,
                                      const EngineOptions& options) {
    ObjectSets sets(layers);
    // Parse, then work: every filter and layer reference is checked before any rule runs.
    std::vector<PreparedRule> prepared;
    for (std::size_t i = 0; i < catalogue.rules.size(); ++i) {
        const Rule& r = catalogue.rules[i];
        const std::string ctx = r.origin + ": rule " + r.id;
        PreparedRule p{i, &r, &sets.find(r.subject, ctx), {}, nullptr};
        p.subject_members = p.subjects->select(r.subject_where, ctx + " (subject_where)");
        p.objects = &sets.get(r.object, r.object_where, ctx + " (object_where)");
        if (!r.subject_inside.empty()) p.inside_qualifier = &sets.get(r.subject_inside, "", ctx);
        if (!r.subject_outside.empty()) p.outside_qualifier = &sets.get(r.subject_outside, "", ctx);
        if (r.predicate != Predicate::WithinDistance)
            for (std::size_t m : p.objects->members)
                if (p.objects->layer->features()[m].family != geo::GeometryFamily::Polygon)
                    throw configError(ctx + ": predicate " + predicateName(r.predicate) + " needs polygons, but " +
                                      "feature " + p.objects->layer->features()[m].id + " of layer `" + r.object +
                                      "` is a " + geo::familyName(p.objects->layer->features()[m].family));
        prepared.push_back(std::move(p));
    }

    const unsigned threads =
        options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    const geo::Geodesic geodesic;
    std::vector<Worker> workers(threads);
    std::vector<RuleOutcome> outcomes;
    for (PreparedRule& p : prepared) {
        // Indexes are built here, once, before the threads share them.
        if (p.rule->predicate == Predicate::WithinDistance || p.rule->predicate == Predicate::Outside)
            p.objects->shorelineIndex();
        if (p.rule->predicate != Predicate::WithinDistance) p.objects->areaIndex();
        if (p.inside_qualifier) p.inside_qualifier->areaIndex();
        if (p.outside_qualifier) p.outside_qualifier->areaIndex();

        const std::size_t n = p.subject_members.size();
        constexpr std::size_t kChunk = 256;
        const std::size_t chunks = (n + kChunk - 1) / kChunk;
        std::vector<std::vector<Violation>> results(chunks);
        std::atomic<std::size_t> next{0}, done{0};
        std::atomic<bool> failed{false};
        std::exception_ptr error;
        std::mutex mutex;  // guards error and finished_workers, with `finished` signalling the reporter
        std::condition_variable finished;
        unsigned finishedWorkers = 0;
        auto work = [&](Worker& worker) {
            try {
                for (std::size_t c = next++; c < chunks && !failed; c = next++) {
                    const std::size_t end = std::min(n, (c + 1) * kChunk);
                    for (std::size_t k = c * kChunk; k < end; ++k)
                        evaluate(p, p.subject_members[k], worker, geodesic, results[c]);
                    done += end - c * kChunk;
                }
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!error) error = std::current_exception();
                failed = true;
            }
            std::lock_guard lock(mutex);
            ++finishedWorkers;
            finished.notify_all();
        };
        std::vector<std::thread> pool;
        const unsigned active =
            static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(chunks, 1)));
        // With a progress callback the calling thread reports while `active` threads work; without, it works too.
        const unsigned first = options.progress ? 0 : 1;
        for (unsigned t = first; t < active; ++t) pool.emplace_back(work, std::ref(workers[t]));
        if (options.progress) {
            std::unique_lock lock(mutex);
            while (!finished.wait_for(lock, std::chrono::milliseconds(100),
                                      [&] { return finishedWorkers == active; })) {
                lock.unlock();
                options.progress(*p.rule, done, n);
                lock.lock();
            }
        } else {
            work(workers[0]);
        }
        for (auto& t : pool) t.join();
        if (error) std::rethrow_exception(error);
        if (options.progress) options.progress(*p.rule, n, n);

        RuleOutcome outcome{p.index, n, {}};
        for (auto& chunk : results)
            outcome.violations.insert(outcome.violations.end(), chunk.begin(), chunk.end());
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

}  // namespace ecozone::rules

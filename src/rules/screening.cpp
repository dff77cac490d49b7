// SPDX-License-Identifier: MIT
#include "rules/screening.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <thread>

#include "rules/object_sets.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

namespace ecozone::rules {

const char* verdictName(Verdict v) {
    switch (v) {
        case Verdict::Clear:
            return "clear";
        case Verdict::NotScreened:
            return "not_screened";
        case Verdict::Review:
            return "review";
        case Verdict::Prohibited:
            return "prohibited";
    }
    return "?";
}

Verdict verdictOf(const Rule& rule) {
    return rule.action == "prohibited" || rule.action == "exit" || rule.action == "close" ? Verdict::Prohibited
                                                                                          : Verdict::Review;
}

std::optional<geo::Box> coveredArea(const layers::LayerMap& layers) {
    geo::Box all{180, 90, -180, -90};
    for (const auto& [name, layer] : layers)
        for (const auto& f : layer->features()) {
            all.min_lon = std::min(all.min_lon, f.envelope.min_lon);
            all.min_lat = std::min(all.min_lat, f.envelope.min_lat);
            all.max_lon = std::max(all.max_lon, f.envelope.max_lon);
            all.max_lat = std::max(all.max_lat, f.envelope.max_lat);
        }
    if (all.min_lon > all.max_lon) return std::nullopt;
    return all;
}

bool farOutside(const geo::Box& e, const geo::Box& area) {
    return e.max_lon < area.min_lon - kExtentMargin || e.min_lon > area.max_lon + kExtentMargin ||
           e.max_lat < area.min_lat - kExtentMargin || e.min_lat > area.max_lat + kExtentMargin;
}

namespace {
constexpr double kInfinity = std::numeric_limits<double>::infinity();
// The same inclusive threshold as the engine's bounded query: exactly D is within D.
constexpr double kThresholdNoise = 1e-6;
}  // namespace

struct Screener::Impl {
    const Catalogue& catalogue;
    const layers::Layer& proposals;
    ObjectSets sets;
    struct PreparedRule {
        const Rule* rule = nullptr;
        bool screens = false;                 // the rule's subject is a layer the proposals stand in for
        std::set<std::size_t> subject_match;  // proposals that pass subject_where
        ObjectSet* objects = nullptr;
        ObjectSet* inside_qualifier = nullptr;
        ObjectSet* outside_qualifier = nullptr;
    };
    std::vector<PreparedRule> rules;
    geo::Geodesic geodesic;
    std::optional<geo::Box> covered;

    Impl(const Catalogue& c, const layers::LayerMap& layers, const layers::Layer& p,
         const std::vector<std::string>& subjectLayers)
        : catalogue(c), proposals(p), sets(layers), covered(coveredArea(layers)) {
        for (const Rule& r : c.rules) {
            const std::string ctx = r.origin + ": rule " + r.id;
            PreparedRule pr;
            pr.rule = &r;
            pr.screens = std::find(subjectLayers.begin(), subjectLayers.end(), r.subject) != subjectLayers.end();
            if (pr.screens) {
                // Filter errors name the line of the filter's key.
                auto at = [&](const std::string& keyOrigin, const char* key) {
                    return (keyOrigin.empty() ? r.origin : keyOrigin) + ": rule " + r.id + " (" + key + ")";
                };
                const auto matching = proposals.select(r.subject_where, at(r.subject_where_origin, "subject_where"));
                pr.subject_match.insert(matching.begin(), matching.end());
                pr.objects = &sets.get(r.object, r.object_where, at(r.object_where_origin, "object_where"));
                if (!r.subject_inside.empty()) pr.inside_qualifier = &sets.get(r.subject_inside, "", ctx);
                if (!r.subject_outside.empty()) pr.outside_qualifier = &sets.get(r.subject_outside, "", ctx);
                // Indexes are built now, before threads share them.
                pr.objects->shorelineIndex();
                if (r.predicate != Predicate::WithinDistance) pr.objects->areaIndex();
                if (pr.inside_qualifier) pr.inside_qualifier->areaIndex();
                if (pr.outside_qualifier) pr.outside_qualifier->areaIndex();
            }
            rules.push_back(std::move(pr));
        }
    }

    RuleFinding evaluate(std::size_t index, PreparedRule& pr, std::size_t proposal, Worker& worker) {
        RuleFinding out;
        out.rule = index;
        const Rule& r = *pr.rule;
        const layers::Feature& f = proposals.features()[proposal];
        if (!pr.screens) {
            out.not_applicable = "subject:" + r.subject;
            return out;
        }
        if (!pr.subject_match.count(proposal)) {
            out.not_applicable = "category";
            return out;
        }
        const geo::Subject s = subjectOf(f);
        if (pr.inside_qualifier && !pr.inside_qualifier->intersectsAny(s, worker)) {
            out.not_applicable = "outside:" + r.subject_inside;
            return out;
        }
        if (pr.outside_qualifier && pr.outside_qualifier->intersectsAny(s, worker)) {
            out.not_applicable = "inside:" + r.subject_outside;
            return out;
        }
        out.applies = true;
        const bool footprint = f.family == geo::GeometryFamily::Polygon;
        auto zonesOf = [&](const std::vector<std::size_t>& hits) {
            const double own = footprint ? geo::area(worker.geos(), s.geometry, geodesic) : kNoValue;
            for (std::size_t z : hits) {
                ZoneHit hit{z};
                if (footprint) {
                    hit.overlap_m2 = geo::overlapArea(worker.geos(), s.geometry,
                                                      pr.objects->layer->features()[z].geometry.get(), geodesic);
                    hit.overlap_share = own > 0 ? hit.overlap_m2 / own : kNoValue;
                }
                out.zones.push_back(hit);
            }
        };
        switch (r.predicate) {
            case Predicate::WithinDistance: {
                if (auto hit = pr.objects->nearest(s, kInfinity, worker, geodesic)) {
                    out.object = hit->feature;
                    out.distance_m = hit->where.distance_m;
                    out.margin_m = out.distance_m - r.distance_m;
                    out.passed = out.distance_m > r.distance_m + kThresholdNoise;
                }
                break;
            }
            case Predicate::Inside:
            case Predicate::Outside: {
                zonesOf(pr.objects->containing(s, worker));
                if (!out.zones.empty()) {
                    out.object = out.zones.front().feature;
                    out.distance_m = 0;
                } else if (auto hit = pr.objects->nearest(s, kInfinity, worker, geodesic)) {
                    out.object = hit->feature;
                    out.distance_m = hit->where.distance_m;
                }
                const bool in = !out.zones.empty();
                out.passed = r.predicate == Predicate::Inside ? !in : in;
                break;
            }
        }
        return out;
    }

    Screening screen(std::size_t proposal, Worker& worker) {
        Screening out;
        out.proposal = proposal;
        if (covered && farOutside(proposals.features()[proposal].envelope, *covered)) {
            out.verdict = Verdict::NotScreened;
            out.covered_area = covered;
            for (std::size_t i = 0; i < rules.size(); ++i) {
                RuleFinding f;
                f.rule = i;
                f.not_applicable = "not_screened";
                out.findings.push_back(f);
            }
            return out;
        }
        for (std::size_t i = 0; i < rules.size(); ++i) {
            out.findings.push_back(evaluate(i, rules[i], proposal, worker));
            const RuleFinding& f = out.findings.back();
            if (f.applies && !f.passed) {
                out.decisive.push_back(i);
                out.verdict = std::max(out.verdict, verdictOf(*rules[i].rule));
            }
        }
        return out;
    }
};

Screener::Screener(const Catalogue& catalogue, const layers::LayerMap& layers, const layers::Layer& proposals,
                   std::vector<std::string> subjectLayers)
    : impl_(std::make_unique<Impl>(catalogue, layers, proposals, subjectLayers)) {}

Screener::~Screener() = default;

std::vector<Screening> Screener::run(unsigned threads,
                                     const std::function<void(std::size_t, std::size_t)>& progress) {
    const std::size_t n = impl_->proposals.features().size();
    std::vector<Screening> out(n);
    std::vector<Worker> workers(threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency()));
    parallelChunks<Worker>(
        n, 16, workers,
        [&](Worker& worker, std::size_t, std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) out[i] = impl_->screen(i, worker);
        },
        progress);
    return out;
}

}  // namespace ecozone::rules

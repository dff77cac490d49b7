// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "layers/layer.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"

namespace ecozone::rules {

// Screening a proposed project: every rule of the catalogue, applicable or not, with what was measured.

// In increasing order of concern: the worst of several is the greatest. NotScreened: the proposal lies far outside
// the area the layers cover (almost always a CRS or axis-order mistake), so no rule was evaluated for it.
enum class Verdict { Clear, NotScreened, Review, Prohibited };
const char* verdictName(Verdict v);  // "clear", "not_screened", "review", "prohibited"

// How far (in degrees, about 100 km) a proposal may lie outside the area the layers cover and still be screened.
inline constexpr double kExtentMargin = 1.0;
// The area the layers' features cover (the union of their envelopes); nothing when they hold no feature.
std::optional<geo::Box> coveredArea(const layers::LayerMap& layers);
// Whether an envelope lies more than kExtentMargin outside `area`: the one test behind NotScreened, and behind
// `screen --at` refusing such a site.
bool farOutside(const geo::Box& envelope, const geo::Box& area);

// A zone the proposal falls in.
struct ZoneHit {
    std::size_t feature = 0;       // index into the rule's object layer
    double overlap_m2 = kNoValue;  // footprints only
    double overlap_share = kNoValue;
};

struct RuleFinding {
    std::size_t rule = 0;  // index into the catalogue
    bool applies = false;
    // Why a rule does not apply: the proposal's category/status is not the rule's, or the rule covers only
    // projects inside/outside some layer. Empty when it applies.
    std::string not_applicable;
    bool passed = true;
    // within_distance: the shoreline distance to the nearest object on the rule's list; inside: 0 in a zone, else
    // the distance to the nearest zone; outside: 0 in an area, else the distance to the nearest one.
    double distance_m = kNoValue;
    double margin_m = kNoValue;         // within_distance: distance_m - distance limit (negative: inside it)
    std::optional<std::size_t> object;  // the nearest object, or the (first) zone / area the proposal is in
    std::vector<ZoneHit> zones;         // inside / outside: every zone or area the proposal is in
};

struct Screening {
    std::size_t proposal = 0;  // index into the proposals layer
    Verdict verdict = Verdict::Clear;
    std::vector<RuleFinding> findings;  // one per catalogue rule, in catalogue order
    std::vector<std::size_t> decisive;  // the failed rules behind the verdict (indices into findings)
    // NotScreened: the area the layers cover, which the proposal lies far outside; every finding then has
    // applies = false and not_applicable = "not_screened".
    std::optional<geo::Box> covered_area;
};

// What a failed rule means for a proposal: prohibited for prohibited/exit/close, review for the others.
Verdict verdictOf(const Rule& rule);

// Screens proposals (features of a layer with the facility schema) against a catalogue over the loaded layers;
// proposals far outside the layers' area are not screened (Verdict::NotScreened).
// `subjectLayers` are the names of the catalogue's subject layers the proposals stand in for (usually
// "facilities"); rules on other subjects are listed as not applicable.
class Screener {
  public:
    Screener(const Catalogue& catalogue, const layers::LayerMap& layers, const layers::Layer& proposals,
             std::vector<std::string> subjectLayers);
    ~Screener();
    Screener(const Screener&) = delete;
    Screener& operator=(const Screener&) = delete;

    // Screens every proposal, on `threads` threads (0: all cores); the result is in proposal order whatever the
    // thread count. `progress` (optional) is called on the calling thread with (done, total).
    std::vector<Screening> run(unsigned threads,
                               const std::function<void(std::size_t, std::size_t)>& progress = {});

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ecozone::rules

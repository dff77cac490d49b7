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

enum class Verdict { Clear, Review, Prohibited };
const char* verdictName(Verdict v);  // "clear", "review", "prohibited"

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
};

// What a failed rule means for a proposal: prohibited for prohibited/exit/close, review for the others.
Verdict verdictOf(const Rule& rule);

// Screens proposals (features of a layer with the facility schema) against a catalogue over the loaded layers.
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

// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "geo/geodesic.hpp"
#include "layers/layer.hpp"
#include "rules/catalogue.hpp"

namespace ecozone::rules {

inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

// One finding: a subject feature that breaks a rule, the object it offends and how.
struct Violation {
    std::size_t rule = 0;               // index into the catalogue's rules
    std::size_t subject = 0;            // index into the subject layer's features
    std::optional<std::size_t> object;  // index into the object layer's features (none: nothing to name)
    double distance_m = kNoValue;       // shoreline distance (within_distance, outside), 0 for inside
    double overlap_m2 = kNoValue;       // inside, for footprints: the area inside the object
    double subject_area_m2 = kNoValue;  // inside, for footprints: the footprint's own area
    bool has_nearest = false;           // on_subject/on_object hold the nearest points
    geo::LonLat on_subject, on_object;
};

struct RuleOutcome {
    std::size_t rule = 0;
    std::size_t checked = 0;  // subject features the rule covered
    std::vector<Violation> violations;
};

struct EngineOptions {
    unsigned threads = 0;  // 0: all cores
    // Called on the calling thread, about ten times a second, while a rule runs.
    std::function<void(const Rule& rule, std::size_t done, std::size_t total)> progress;
};

// Runs a catalogue over loaded layers. Every object layer is indexed once per distinct filter, when the engine is
// made; subjects are spread over threads, and the result is the same, in the same order, whatever the number of
// threads. The engine keeps its indexes and per-thread state from one run to the next, so that a subject layer
// read in parts pays for them once: between runs, the caller may replace a layer that is only ever a subject in
// `layers` (the map is read again by each run), never one that is an object or a qualifier.
class Engine {
  public:
    // Checks every rule's layers and filters and builds the indexes (errors name the rule and its line).
    Engine(const Catalogue& catalogue, const layers::LayerMap& layers, EngineOptions options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Runs the rules whose subject layer is `subject` (all rules when empty), in catalogue order; subject indices
    // in the outcomes are into that layer as it is in the map now.
    std::vector<RuleOutcome> run(const std::string& subject = "");

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// One run of every rule of a catalogue: Engine(catalogue, layers, options).run().
std::vector<RuleOutcome> runCatalogue(const Catalogue& catalogue, const layers::LayerMap& layers,
                                      const EngineOptions& options);

// Throws a configuration error naming the rule and its line when a rule uses a layer the set does not bind.
void checkLayerReferences(const Catalogue& catalogue, const layers::LayerSet& set);

// The layer names a catalogue refers to, in first-use order.
std::vector<std::string> layersUsed(const Catalogue& catalogue);

// The layers a catalogue uses only as subjects (never as an object or a qualifier), in first-use order: those an
// Engine can run on part by part.
std::vector<std::string> subjectOnlyLayers(const Catalogue& catalogue);

}  // namespace ecozone::rules

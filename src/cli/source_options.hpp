// SPDX-License-Identifier: MIT
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "layers/layer.hpp"
#include "layers/layer_set.hpp"
#include "rules/catalogue.hpp"

namespace ecozone::cli {

// The options every subcommand that reads a layer set and a catalogue shares, declared once: --layers, --rules,
// --layer, the layer CRS option, --encoding and --datum.
struct SourceOptions {
    std::string layer_set;
    std::string catalogue;
    std::vector<std::string> layers, crs, encodings, datums;

    // `crsOption` is "--crs" for most subcommands; screen uses --crs for the site, so its layers get --layer-crs.
    void add(CLI::App& app, const std::string& crsOption = "--crs");
    // The layer set (the bundled sample when none is given) with the command line's overrides applied.
    layers::LayerSet loadLayerSet() const;
    // The catalogue (the bundled default when none is given).
    rules::Catalogue loadCatalogue() const;
};

// --report-skipped and --strict, for every subcommand that loads layers: what was skipped or repaired, listed in a
// table, or refused.
struct LoadChecks {
    std::string report_skipped;
    bool strict = false;
    void add(CLI::App& app);
    // Parse, then work: the report's format is known before any data is read.
    void validate() const;
    // Writes the report (when asked) and, with --strict, throws a data error if anything was skipped or repaired.
    void apply(const layers::LayerMap& loaded) const;
};

// -q and -v, applied to the logger.
struct Verbosity {
    bool quiet = false;
    bool verbose = false;
    void add(CLI::App& app);
    void apply() const;
};

// Writing an output replaces the file: refuse when it is the source of one of `layerNames`.
void refuseOutputOverInput(const std::string& output, const layers::LayerSet& set,
                           const std::vector<std::string>& layerNames);

}  // namespace ecozone::cli

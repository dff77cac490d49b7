// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "layers/layer.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"

namespace ecozone::output {

// The columns of the violations table, in order. Other programs read these names: keep them stable.
const std::vector<std::string>& violationColumns();

// Writes one row per violation to a file whose format follows its extension: .gpkg, .geojson/.json, .csv, .fgb.
// The geometry is the subject's, in WGS84 longitude/latitude (EPSG:4326); a CSV carries it as WKT in its last
// column. Output is deterministic: the same inputs give the same bytes.
void writeViolations(const std::filesystem::path& file, const rules::Catalogue& catalogue,
                     const layers::LayerMap& layers, const std::vector<rules::RuleOutcome>& outcomes);

// The layers a write reads, by name: a LayerMap as it is now, or as it was for an earlier run (a part of a layer
// read in parts, written while the rules run on the next part).
using LayerView = std::map<std::string, const layers::Layer*>;
LayerView viewOf(const layers::LayerMap& layers);

// The same table written run after run, for a subject layer read in parts: each write() takes the outcomes of
// one run with the layers as they were for it; finish() closes the file. One thread at a time may use a writer,
// not necessarily the one that made it.
class ViolationWriter {
  public:
    explicit ViolationWriter(const std::filesystem::path& file);
    ~ViolationWriter();
    ViolationWriter(const ViolationWriter&) = delete;
    ViolationWriter& operator=(const ViolationWriter&) = delete;
    void write(const rules::Catalogue& catalogue, const LayerView& layers,
               const std::vector<rules::RuleOutcome>& outcomes);
    void write(const rules::Catalogue& catalogue, const layers::LayerMap& layers,
               const std::vector<rules::RuleOutcome>& outcomes) {
        write(catalogue, viewOf(layers), outcomes);
    }
    void finish();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The GDAL driver for an output file name, or throws a usage error naming the supported extensions.
std::string driverFor(const std::filesystem::path& file);

}  // namespace ecozone::output

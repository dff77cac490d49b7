// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "layers/layer.hpp"
#include "output/summary.hpp"
#include "rules/catalogue.hpp"
#include "rules/screening.hpp"

namespace ecozone::output {

// Everything a screening report needs to name things.
struct ScreeningContext {
    const rules::Catalogue& catalogue;
    const layers::LayerMap& layers;  // object layers
    const layers::Layer& proposals;
    Language lang = Language::Zh;
    std::string layer_set;  // shown in the report's footer
};

// The report of one proposal in each format. Terminal text, Markdown and HTML read the same; JSON carries
// `verdict`, `reason`, `proposal` and `rules` (rule_id, applies, passed, distance_m, margin_m, ...).
void writeScreeningText(std::ostream& out, const ScreeningContext& ctx, const rules::Screening& s);
void writeScreeningMarkdown(std::ostream& out, const ScreeningContext& ctx, const rules::Screening& s);
void writeScreeningHtml(std::ostream& out, const ScreeningContext& ctx, const std::vector<rules::Screening>& all);
std::string screeningJson(const ScreeningContext& ctx, const std::vector<rules::Screening>& all, bool single);

// Batch mode: one row per proposal and rule (GPKG, CSV, GeoJSON, FGB by extension), with the proposal's geometry.
void writeScreeningTable(const std::filesystem::path& file, const ScreeningContext& ctx,
                         const std::vector<rules::Screening>& all);

// The one-line reason behind a verdict.
std::string verdictReason(const ScreeningContext& ctx, const rules::Screening& s);

// "105.20–110.30°E, 28.10–32.30°N": the area the layers cover, as messages and reports name it.
std::string coveredAreaText(const geo::Box& area, Language lang);

// Writes a report file whose format follows the extension: .md, .html/.htm, .json; or a table for .gpkg, .csv,
// .geojson, .fgb. Returns false for an extension it does not know.
bool isReportFile(const std::filesystem::path& file);

}  // namespace ecozone::output

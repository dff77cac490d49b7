// SPDX-License-Identifier: MIT
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "layers/layer.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"

namespace ecozone::output {

enum class Language { Zh, En };

// The per-rule summary of a run: rule, action, violations, subjects covered, title.
void printRuleSummary(std::ostream& out, const rules::Catalogue& catalogue,
                      const std::vector<rules::RuleOutcome>& outcomes, Language lang);

// What happened to every feature read: read, used, repaired, skipped, per layer and in total.
void printLoadSummary(std::ostream& out, const layers::LayerMap& layers);

// Each skipped and repaired feature with its reason (to the diagnostics stream).
void printLoadDetails(std::ostream& out, const layers::LayerMap& layers, std::size_t limitPerLayer);

// Display width of UTF-8 text in a terminal (CJK characters take two columns).
std::size_t displayWidth(const std::string& utf8);

}  // namespace ecozone::output

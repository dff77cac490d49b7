// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "output/summary.hpp"
#include "rules/inventory.hpp"

// Writers for the inventory (整改台账): the ledger table (CSV, GeoPackage), the reports (Markdown, HTML), JSON for
// other programs, and the terminal view. Every writer is deterministic: the same inventory gives the same bytes.
namespace ecozone::output {

// The ledger's columns, in order. Inspectors' spreadsheets and other programs read these names: keep them stable.
const std::vector<std::string>& inventoryColumns();

enum class InventoryFormat { Csv, GeoPackage, Markdown, Html, Json };

// The format of an output file name, from its extension, or throws a usage error naming the supported ones.
InventoryFormat inventoryFormatFor(const std::filesystem::path& file);

// Writes the inventory to `file` in the format its extension names; an existing file is replaced. The table
// formats (CSV, GeoPackage, JSON) hold the layers' normalised values (`hydropower`, `core`); the Markdown and HTML
// reports are for people and follow `lang`. Throws an output error when the file cannot be written.
void writeInventory(const std::filesystem::path& file, const rules::Inventory& inventory, Language lang);

// The report as Markdown: a title, the filters and totals, then per area and zone a heading, the counts by
// category and status, and that group's ledger table.
std::string inventoryMarkdown(const rules::Inventory& inventory, Language lang);

// The same report as one self-contained, well-formed HTML file (inline CSS, no external resource).
std::string inventoryHtml(const rules::Inventory& inventory, Language lang);

// {"area_layer", "groups": [{"area_name", "area_id", "zone", "count", "by_category", "by_status",
// "facilities": [one object per ledger row, keyed by inventoryColumns(), empty cells null]}], "total"}.
std::string inventoryJson(const rules::Inventory& inventory);

// The terminal view: per area and zone, a line with the counts, then the facilities (id, name, category, status,
// action), aligned for CJK text.
void printInventory(std::ostream& out, const rules::Inventory& inventory, Language lang);

// How a report shows a value: Chinese names (the schema's CJK alias, 核心区 for `core`) in Chinese, the value
// itself in English.
std::string displayValue(const layers::FieldSpec* field, const std::string& value, Language lang);
std::string displayAction(const std::string& action, Language lang);

}  // namespace ecozone::output

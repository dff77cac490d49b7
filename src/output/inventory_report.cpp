// SPDX-License-Identifier: MIT
#include "output/inventory_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "output/markup.hpp"
#include "output/gdal_table.hpp"
#include "util/error.hpp"

namespace ecozone::output {

namespace {

struct ColumnDef {
    const char* name;
    bool real;
    const char* zh;  // the report's header in Chinese; English reports show the column name
};

const std::vector<ColumnDef>& columnDefs() {
    static const std::vector<ColumnDef> c = {
        {"ledger_id", false, "台账编号"},
        {"facility_id", false, "设施编号"},
        {"facility_name", false, "设施名称"},
        {"category", false, "类别"},
        {"status", false, "状态"},
        {"area_layer", false, "区域图层"},
        {"area_id", false, "区域编号"},
        {"area_name", false, "区域名称"},
        {"zone", false, "分区"},
        {"overlap_m2", true, "重叠面积（m²）"},
        {"overlap_share", true, "重叠比例"},
        {"rule_id", false, "规则编号"},
        {"action", false, "整改措施"},
        {"deadline_note", false, "时限要求"},
        {"basis", false, "依据"},
        {"responsible_unit", false, "责任单位"},
        {"deadline", false, "整改时限"},
        {"rectification_status", false, "整改状态"},
        {"note", false, "备注"},
    };
    return c;
}

// The report tables leave out what the group's heading already says (area layer, area, zone).
const std::vector<std::string>& reportColumns() {
    static const std::vector<std::string> c = {
        "ledger_id", "facility_id",          "facility_name", "category",
        "status",    "overlap_m2",           "overlap_share", "rule_id",
        "action",    "deadline_note",        "basis",         "responsible_unit",
        "deadline",  "rectification_status", "note"};
    return c;
}

const ColumnDef& columnDef(const std::string& name) {
    for (const auto& c : columnDefs())
        if (name == c.name) return c;
    throw std::logic_error("no inventory column " + name);
}

const char* tr(Language lang, const char* zh, const char* en) {
    return lang == Language::Zh ? zh : en;
}

// A text cell as the table formats hold it: the normalised value, "" for an empty (null) cell.
std::string rawText(const rules::Inventory& inv, const rules::LedgerRow& r, const std::string& column) {
    if (column == "ledger_id") return r.ledger_id;
    if (column == "facility_id") return r.facility_id;
    if (column == "facility_name") return r.facility_name;
    if (column == "category") return r.category;
    if (column == "status") return r.status;
    if (column == "area_layer") return inv.request.area_layer;
    if (column == "area_id") return r.area_id;
    if (column == "area_name") return r.area_name;
    if (column == "zone") return r.zone;
    if (column == "rule_id") return r.rule_id;
    if (column == "action") return r.action;
    if (column == "deadline_note") return r.deadline_note;
    if (column == "basis") return r.basis;
    return "";  // the columns inspectors fill in
}

double rawReal(const rules::LedgerRow& r, const std::string& column) {
    return column == "overlap_m2" ? r.overlap_m2 : r.overlap_share;
}

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

const layers::FieldSpec* classField(const layers::Layer* layer) {
    return layer ? layer->schema().field(layer->schema().class_field) : nullptr;
}
const layers::FieldSpec* statusField(const layers::Layer* layer) {
    return layer ? layer->schema().field(layer->schema().status_field) : nullptr;
}

// A cell as the reports show it: values translated, numbers formatted (areas in m², shares in per cent).
std::string displayCell(const rules::Inventory& inv, const rules::LedgerRow& r, const std::string& column,
                        Language lang) {
    if (column == "category") return displayValue(classField(inv.facilities), r.category, lang);
    if (column == "status") return displayValue(statusField(inv.facilities), r.status, lang);
    if (column == "zone") return displayValue(classField(inv.areas), r.zone, lang);
    if (column == "action") return displayAction(r.action, lang);
    if (column == "overlap_m2") return std::isfinite(r.overlap_m2) ? fixed(r.overlap_m2, 2) : "";
    if (column == "overlap_share")
        return std::isfinite(r.overlap_share) ? fixed(r.overlap_share * 100, 2) + "%" : "";
    return rawText(inv, r, column);
}

std::string columnHeader(const std::string& column, Language lang) {
    return lang == Language::Zh ? columnDef(column).zh : column;
}

// "category hydropower, sand_mining; zone core" (or in Chinese), "" when nothing is filtered.
std::string filterText(const rules::Inventory& inv, Language lang) {
    const rules::InventoryRequest& q = inv.request;
    std::string out;
    auto add = [&](const char* zh, const char* en, const std::vector<std::string>& values,
                   const layers::FieldSpec* field) {
        if (values.empty()) return;
        std::string list;
        for (const auto& v : values)
            list += (list.empty() ? "" : tr(lang, "、", ", ")) + displayValue(field, v, lang);
        out += (out.empty() ? "" : tr(lang, "；", "; ")) + std::string(tr(lang, zh, en)) + " " + list;
    };
    add("类别", "category", q.categories, classField(inv.facilities));
    add("状态", "status", q.statuses, statusField(inv.facilities));
    add("区域", "area", q.area_names, nullptr);
    add("分区", "zone", q.zones, classField(inv.areas));
    return out;
}

std::string groupTitle(const rules::Inventory& inv, const rules::InventoryGroup& g, Language lang) {
    std::string out = g.area_name.empty() ? g.area_id : g.area_name;
    if (!g.zone.empty()) out += " · " + displayValue(classField(inv.areas), g.zone, lang);
    if (!g.area_name.empty()) out += std::string(tr(lang, "（", " (")) + g.area_id + tr(lang, "）", ")");
    return out;
}

// "类别：水电站 7；状态：现有 7" or "category: hydropower 7; status: existing 7".
std::string countsText(const rules::Inventory& inv, const rules::InventoryGroup& g, Language lang,
                       const char* separator) {
    auto list = [&](const std::map<std::string, std::size_t>& counts, const layers::FieldSpec* field) {
        std::string out;
        for (const auto& [value, n] : counts)
            out += (out.empty() ? "" : tr(lang, "、", ", ")) +
                   displayValue(field, value.empty() ? "-" : value, lang) + " " + std::to_string(n);
        return out;
    };
    return std::string(tr(lang, "类别：", "category: ")) + list(g.by_category, classField(inv.facilities)) +
           separator + tr(lang, "状态：", "status: ") + list(g.by_status, statusField(inv.facilities));
}

std::string countText(std::size_t n, Language lang) {
    if (lang == Language::Zh) return "共 " + std::to_string(n) + " 处";
    return std::to_string(n) + (n == 1 ? " facility" : " facilities");
}

std::string titleText(const rules::Inventory& inv, Language lang) {
    return lang == Language::Zh ? "整改台账：" + inv.request.area_layer + " 图层内的设施"
                                : "Rectification ledger: facilities inside layer " + inv.request.area_layer;
}

std::string totalText(const rules::Inventory& inv, Language lang) {
    const std::size_t rows = inv.rows.size(), groups = inv.groups.size();
    if (lang == Language::Zh) return std::to_string(rows) + " 条，" + std::to_string(groups) + " 组";
    return std::to_string(rows) + (rows == 1 ? " row" : " rows") + " in " + std::to_string(groups) +
           (groups == 1 ? " group" : " groups");
}

const char* emptyText(Language lang) {
    return tr(lang, "没有设施位于所选区域内。", "No facility lies inside the selected areas.");
}

// The report, once, as blocks; Markdown and HTML render the same blocks, so they say the same thing.
struct ReportTable {
    std::vector<std::string> header;
    std::vector<bool> numeric;
    std::vector<std::vector<std::string>> rows;
};
struct ReportBlock {
    enum class Kind { Title, Facts, Heading, Paragraph, Table } kind;
    std::string text;
    std::vector<std::string> items;
    ReportTable table;
};

std::vector<ReportBlock> reportBlocks(const rules::Inventory& inv, Language lang) {
    using Kind = ReportBlock::Kind;
    std::vector<ReportBlock> blocks;
    blocks.push_back({Kind::Title, titleText(inv, lang), {}, {}});
    const std::string filters = filterText(inv, lang);
    blocks.push_back(
        {Kind::Facts,
         "",
         {std::string(tr(lang, "区域图层：", "Area layer: ")) + inv.request.area_layer,
          std::string(tr(lang, "设施图层：", "Facility layer: ")) + inv.request.facility_layer,
          std::string(tr(lang, "筛选：", "Filters: ")) + (filters.empty() ? tr(lang, "无", "none") : filters),
          std::string(tr(lang, "合计：", "Total: ")) + totalText(inv, lang)},
         {}});
    if (inv.groups.empty()) blocks.push_back({Kind::Paragraph, emptyText(lang), {}, {}});
    for (const rules::InventoryGroup& g : inv.groups) {
        blocks.push_back({Kind::Heading, groupTitle(inv, g, lang), {}, {}});
        blocks.push_back({Kind::Paragraph,
                          countText(g.count, lang) + tr(lang, "。", ". ") +
                              countsText(inv, g, lang, tr(lang, "；", "; ")) + tr(lang, "。", "."),
                          {},
                          {}});
        ReportTable table;
        for (const auto& column : reportColumns()) {
            table.header.push_back(columnHeader(column, lang));
            table.numeric.push_back(columnDef(column).real);
        }
        for (std::size_t i = g.first; i < g.first + g.count; ++i) {
            std::vector<std::string> cells;
            for (const auto& column : reportColumns())
                cells.push_back(displayCell(inv, inv.rows[i], column, lang));
            table.rows.push_back(std::move(cells));
        }
        blocks.push_back({Kind::Table, "", {}, std::move(table)});
    }
    return blocks;
}

// Markdown table cells hold no line breaks and no unescaped pipes.
std::string markdownCell(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '|')
            out += "\\|";
        else if (c == '\\')
            out += "\\\\";
        else if (c == '\n' || c == '\r')
            out += ' ';
        else
            out += c;
    }
    return out;
}


void removeExisting(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) return;
    std::error_code ec;
    std::filesystem::remove(file, ec);
    if (ec) throw outputError("cannot replace `" + file.string() + "`: " + ec.message());
}

void writeText(const std::filesystem::path& file, const std::string& text) {
    removeExisting(file);
    std::ofstream out(file, std::ios::binary);
    if (!out)
        throw outputError("cannot create `" + file.string() + "`: check that its folder exists and is writable");
    out << text;
    out.close();
    if (!out) throw outputError("cannot write `" + file.string() + "` (disk full?)");
}

// The ledger through GDAL: CSV (no geometry column) or GeoPackage (the facility's geometry, EPSG:4326).
void writeTable(const std::filesystem::path& file, const rules::Inventory& inv, bool withGeometry) {
    std::vector<GdalTable::Column> columns;
    for (const auto& c : columnDefs())
        columns.push_back({c.name, c.real ? GdalTable::Type::Real : GdalTable::Type::String});
    GdalTable table(file, "inventory", std::move(columns), withGeometry);
    for (const rules::LedgerRow& r : inv.rows) {
        for (const auto& c : columnDefs()) {
            if (c.real)
                table.set(c.name, rawReal(r, c.name));
            else
                table.set(c.name, rawText(inv, r, c.name));
        }
        table.setGeometry(inv.facilities->features()[r.facility].geometry.get());
        table.writeRow();
    }
    table.finish();
}

// Pads to a display width (CJK characters take two columns).
std::string pad(const std::string& s, std::size_t width) {
    const std::size_t w = displayWidth(s);
    return w >= width ? s : s + std::string(width - w, ' ');
}

}  // namespace

const std::vector<std::string>& inventoryColumns() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& c : columnDefs()) n.emplace_back(c.name);
        return n;
    }();
    return names;
}

InventoryFormat inventoryFormatFor(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".csv") return InventoryFormat::Csv;
    if (ext == ".gpkg") return InventoryFormat::GeoPackage;
    if (ext == ".md") return InventoryFormat::Markdown;
    if (ext == ".html" || ext == ".htm") return InventoryFormat::Html;
    if (ext == ".json") return InventoryFormat::Json;
    throw usageError("cannot tell the output format of `" + file.string() +
                     "`: use a name ending in .csv, .gpkg, .md, .html or .json");
}

std::string displayValue(const layers::FieldSpec* field, const std::string& value, Language lang) {
    if (lang == Language::En || !field) return value;
    // The schema's Chinese alias for the value; aliases are ordered, so the choice is stable.
    for (const auto& [alias, target] : field->aliases)
        if (target == value && std::any_of(alias.begin(), alias.end(), [](unsigned char c) { return c >= 0x80; }))
            return alias;
    return value;
}

std::string displayAction(const std::string& action, Language lang) {
    if (lang == Language::En) return action;
    static const std::map<std::string, std::string> zh = {{"prohibited", "禁止"},  {"rectify", "整改"},
                                                          {"exit", "退出"},        {"close", "关停"},
                                                          {"restore", "生态修复"}, {"review", "复核"}};
    auto it = zh.find(action);
    return it == zh.end() ? action : it->second;
}

std::string inventoryMarkdown(const rules::Inventory& inv, Language lang) {
    std::ostringstream out;
    bool first = true;
    for (const ReportBlock& b : reportBlocks(inv, lang)) {
        if (!first) out << "\n";
        first = false;
        switch (b.kind) {
            case ReportBlock::Kind::Title:
                out << "# " << b.text << "\n";
                break;
            case ReportBlock::Kind::Facts:
                for (const auto& item : b.items) out << "- " << item << "\n";
                break;
            case ReportBlock::Kind::Heading:
                out << "## " << b.text << "\n";
                break;
            case ReportBlock::Kind::Paragraph:
                out << b.text << "\n";
                break;
            case ReportBlock::Kind::Table: {
                out << "|";
                for (const auto& h : b.table.header) out << " " << markdownCell(h) << " |";
                out << "\n|";
                for (bool numeric : b.table.numeric) out << (numeric ? "---:|" : "---|");
                out << "\n";
                for (const auto& row : b.table.rows) {
                    out << "|";
                    for (const auto& cell : row) {
                        if (!cell.empty()) out << " " << markdownCell(cell);
                        out << " |";
                    }
                    out << "\n";
                }
                break;
            }
        }
    }
    return out.str();
}

std::string inventoryHtml(const rules::Inventory& inv, Language lang) {
    std::ostringstream out;
    const std::vector<ReportBlock> blocks = reportBlocks(inv, lang);
    // Well-formed as XML too (every element closed, void elements self-closed), so a strict parser can read it.
    out << "<!DOCTYPE html>\n<html lang=\"" << tr(lang, "zh-CN", "en")
        << "\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        << "<title>" << markupEscape(titleText(inv, lang)) << "</title>\n"
        << "<style>\n"
           "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",\"PingFang "
           "SC\",sans-serif;margin:2em;color:#222}\n"
           "h1{font-size:1.5em}\n"
           "h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}\n"
           "table{border-collapse:collapse;width:100%;font-size:.9em}\n"
           "th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}\n"
           "th{background:#eef2f5}\n"
           "td.num{text-align:right}\n"
           "@media print{body{margin:0}h2{page-break-after:avoid}}\n"
           "</style>\n</head>\n<body>\n";
    for (const ReportBlock& b : blocks) {
        switch (b.kind) {
            case ReportBlock::Kind::Title:
                out << "<h1>" << markupEscape(b.text) << "</h1>\n";
                break;
            case ReportBlock::Kind::Facts:
                out << "<ul>\n";
                for (const auto& item : b.items) out << "<li>" << markupEscape(item) << "</li>\n";
                out << "</ul>\n";
                break;
            case ReportBlock::Kind::Heading:
                out << "<h2>" << markupEscape(b.text) << "</h2>\n";
                break;
            case ReportBlock::Kind::Paragraph:
                out << "<p>" << markupEscape(b.text) << "</p>\n";
                break;
            case ReportBlock::Kind::Table: {
                out << "<table>\n<thead>\n<tr>";
                for (const auto& h : b.table.header) out << "<th>" << markupEscape(h) << "</th>";
                out << "</tr>\n</thead>\n<tbody>\n";
                for (const auto& row : b.table.rows) {
                    out << "<tr>";
                    for (std::size_t i = 0; i < row.size(); ++i)
                        out << (b.table.numeric[i] ? "<td class=\"num\">" : "<td>") << markupEscape(row[i])
                            << "</td>";
                    out << "</tr>\n";
                }
                out << "</tbody>\n</table>\n";
                break;
            }
        }
    }
    out << "</body>\n</html>\n";
    return out.str();
}

std::string inventoryJson(const rules::Inventory& inv) {
    using Json = nlohmann::ordered_json;
    Json groups = Json::array();
    for (const rules::InventoryGroup& g : inv.groups) {
        Json group;
        group["area_name"] = g.area_name;
        group["area_id"] = g.area_id;
        group["zone"] = g.zone.empty() ? Json(nullptr) : Json(g.zone);
        group["count"] = g.count;
        group["by_category"] = Json::object();
        for (const auto& [value, n] : g.by_category) group["by_category"][value] = n;
        group["by_status"] = Json::object();
        for (const auto& [value, n] : g.by_status) group["by_status"][value] = n;
        Json facilities = Json::array();
        for (std::size_t i = g.first; i < g.first + g.count; ++i) {
            Json row;
            for (const auto& c : columnDefs()) {
                if (c.real) {
                    const double v = rawReal(inv.rows[i], c.name);
                    row[c.name] = std::isfinite(v) ? Json(v) : Json(nullptr);
                } else {
                    const std::string v = rawText(inv, inv.rows[i], c.name);
                    row[c.name] = v.empty() ? Json(nullptr) : Json(v);
                }
            }
            facilities.push_back(std::move(row));
        }
        group["facilities"] = std::move(facilities);
        groups.push_back(std::move(group));
    }
    Json doc;
    doc["area_layer"] = inv.request.area_layer;
    doc["groups"] = std::move(groups);
    doc["total"] = inv.rows.size();
    return doc.dump(2) + "\n";
}

void writeInventory(const std::filesystem::path& file, const rules::Inventory& inventory, Language lang) {
    switch (inventoryFormatFor(file)) {
        case InventoryFormat::Csv:
            return writeTable(file, inventory, false);
        case InventoryFormat::GeoPackage:
            return writeTable(file, inventory, true);
        case InventoryFormat::Markdown:
            return writeText(file, inventoryMarkdown(inventory, lang));
        case InventoryFormat::Html:
            return writeText(file, inventoryHtml(inventory, lang));
        case InventoryFormat::Json:
            return writeText(file, inventoryJson(inventory));
    }
}

void printInventory(std::ostream& out, const rules::Inventory& inv, Language lang) {
    const std::string filters = filterText(inv, lang);
    out << titleText(inv, lang);
    if (!filters.empty()) out << tr(lang, "（筛选：", " (filters: ") << filters << tr(lang, "）", ")");
    out << tr(lang, "：", ": ") << totalText(inv, lang) << "\n";
    if (inv.rows.empty()) {
        out << "\n" << emptyText(lang) << "\n";
        return;
    }
    // One set of column widths for the whole view, so every group lines up.
    std::vector<std::vector<std::string>> cells;
    std::vector<std::size_t> widths;
    for (const rules::LedgerRow& r : inv.rows) {
        std::string action =
            r.rule ? displayAction(r.action, lang) + tr(lang, "（", " (") + r.rule_id + tr(lang, "）", ")")
                   : tr(lang, "无适用规则", "no rule");
        std::vector<std::string> row = {r.facility_id, r.facility_name.empty() ? "-" : r.facility_name,
                                        displayCell(inv, r, "category", lang), displayCell(inv, r, "status", lang),
                                        action};
        if (std::isfinite(r.overlap_m2))
            row.push_back(std::string(tr(lang, "重叠 ", "overlap ")) + fixed(r.overlap_m2, 2) + " m²" +
                          (std::isfinite(r.overlap_share)
                               ? tr(lang, "（", " (") + fixed(r.overlap_share * 100, 2) + "%" + tr(lang, "）", ")")
                               : ""));
        if (widths.size() < row.size()) widths.resize(row.size(), 0);
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], displayWidth(row[i]));
        cells.push_back(std::move(row));
    }
    for (const rules::InventoryGroup& g : inv.groups) {
        out << "\n"
            << groupTitle(inv, g, lang) << tr(lang, "：", ": ") << countText(g.count, lang) << tr(lang, "；", "; ")
            << countsText(inv, g, lang, tr(lang, "；", "; ")) << "\n";
        for (std::size_t k = g.first; k < g.first + g.count; ++k) {
            std::string line = " ";
            const auto& row = cells[k];
            for (std::size_t i = 0; i < row.size(); ++i)
                line += " " + (i + 1 == row.size() ? row[i] : pad(row[i], widths[i]) + " ");
            while (!line.empty() && line.back() == ' ') line.pop_back();
            out << line << "\n";
        }
    }
}

}  // namespace ecozone::output

// SPDX-License-Identifier: MIT
#include "output/screening_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "output/markup.hpp"
#include "geo/geodesic.hpp"
#include "output/gdal_table.hpp"
#include "rules/engine.hpp"

namespace ecozone::output {

namespace {

using rules::Predicate;
using rules::RuleFinding;
using rules::Screening;
using rules::Verdict;

bool zh(const ScreeningContext& c) {
    return c.lang == Language::Zh;
}

std::string format(const char* fmt, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

// Metres under 1 km, kilometres above; two decimals where they matter (near a limit) and none where they don't.
std::string distanceText(const ScreeningContext& c, double metres, bool fine) {
    if (metres >= 1000 && !fine) return format("%.2f", metres / 1000) + (zh(c) ? " 公里" : " km");
    return format(fine ? "%.2f" : "%.0f", metres) + (zh(c) ? " 米" : " m");
}

std::string limitText(const ScreeningContext& c, double metres) {
    if (metres >= 1000 && std::fmod(metres, 1000) == 0)
        return format("%.0f", metres / 1000) + (zh(c) ? " 公里" : " km");
    return format("%.0f", metres) + (zh(c) ? " 米" : " m");
}

std::string areaText(const ScreeningContext& c, double m2) {
    return format("%.0f", m2) + (zh(c) ? " 平方米" : " m²");
}

// The label of a schema value in the report's language: for Chinese, the schema's Chinese alias of the value.
std::string valueLabel(const ScreeningContext& c, const layers::Schema& schema, const std::string& field,
                       const std::string& value) {
    if (value.empty()) return value;
    if (zh(c))
        if (const auto* spec = schema.field(field))
            for (const auto& [alias, v] : spec->aliases)
                if (v == value && static_cast<unsigned char>(alias[0]) >= 0x80) return alias;
    std::string out = value;
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

const rules::Rule& ruleOf(const ScreeningContext& c, const RuleFinding& f) {
    return c.catalogue.rules[f.rule];
}

const layers::Layer& objectLayer(const ScreeningContext& c, const RuleFinding& f) {
    return *c.layers.at(ruleOf(c, f).object);
}

// "大巴山国家级自然保护区 核心区" / "大巴山国家级自然保护区 (core)"
std::string objectLabel(const ScreeningContext& c, const RuleFinding& f, std::size_t feature) {
    const layers::Layer& layer = objectLayer(c, f);
    const layers::Feature& o = layer.features()[feature];
    std::string name = o.name.empty() ? o.id : o.name;
    const std::string klass = valueLabel(c, layer.schema(), layer.schema().class_field, o.klass);
    if (!klass.empty()) name += zh(c) ? " " + klass : " (" + klass + ")";
    return name;
}

std::string title(const ScreeningContext& c, const rules::Rule& r) {
    return zh(c) ? r.title_zh : r.title_en;
}

std::string actionText(const ScreeningContext& c, const std::string& action) {
    if (!zh(c)) return action;
    static const std::map<std::string, std::string> names = {{"prohibited", "禁止"},  {"exit", "退出"},
                                                             {"close", "关停"},       {"rectify", "整改"},
                                                             {"restore", "生态修复"}, {"review", "复核"}};
    auto it = names.find(action);
    return it == names.end() ? action : it->second;
}

// Failed rules first, then passed, then those that do not apply; catalogue order within each.
std::vector<const RuleFinding*> reportOrder(const Screening& s) {
    std::vector<const RuleFinding*> out;
    for (int pass = 0; pass < 3; ++pass)
        for (const RuleFinding& f : s.findings)
            if ((pass == 0 && f.applies && !f.passed) || (pass == 1 && f.applies && f.passed) ||
                (pass == 2 && !f.applies))
                out.push_back(&f);
    return out;
}

// A finding of a proposal that was not screened (far outside the layers' area): no rule was evaluated.
bool notScreened(const RuleFinding& f) {
    return f.not_applicable == "not_screened";
}

std::string statusText(const ScreeningContext& c, const RuleFinding& f) {
    if (notScreened(f)) return zh(c) ? "未筛查" : "not screened";
    if (!f.applies) return zh(c) ? "不适用" : "not applicable";
    if (f.passed) return zh(c) ? "通过" : "passes";
    return zh(c) ? "不通过" : "FAILS";
}

std::string notApplicableText(const ScreeningContext& c, const RuleFinding& f) {
    const std::string& why = f.not_applicable;
    const auto colon = why.find(':');
    const std::string what = why.substr(0, colon), layer = colon == std::string::npos ? "" : why.substr(colon + 1);
    if (what == "not_screened")
        return zh(c) ? "未筛查：选址位于图层覆盖范围以外很远处" : "not screened: the site lies far outside the area the layers cover";
    if (what == "category")
        return zh(c) ? "该规则不针对此类别或状态的项目" : "the rule does not cover this category or status";
    if (what == "subject") return zh(c) ? "该规则检查图层 " + layer : "the rule checks layer " + layer;
    if (what == "outside")
        return zh(c) ? "仅适用于位于 " + layer + " 内的项目，本项目不在其内"
                     : "only for projects inside " + layer + ", and the site is not";
    if (what == "inside")
        return zh(c) ? "仅适用于位于 " + layer + " 以外的项目，本项目在其内"
                     : "only for projects outside " + layer + ", and the site is inside";
    return why;
}

// What was measured, in one sentence.
std::string measurementText(const ScreeningContext& c, const RuleFinding& f) {
    if (!f.applies) return notApplicableText(c, f);
    const rules::Rule& r = ruleOf(c, f);
    switch (r.predicate) {
        case Predicate::WithinDistance: {
            if (!f.object)
                return zh(c) ? "图层中没有该规则所列的河流" : "no river on this rule's list in the layers";
            const std::string river = objectLayer(c, f).features()[*f.object].name;
            const bool fine = std::abs(f.margin_m) < 10;
            const std::string d = distanceText(c, f.distance_m, fine), limit = limitText(c, r.distance_m);
            const std::string margin = distanceText(c, std::abs(f.margin_m), fine);
            if (zh(c))
                return "距" + river + "岸线 " + d + "；限值 " + limit + "；" +
                       (f.passed ? "距离限值尚余 " + margin + "，符合" : "在限值内 " + margin);
            return d + " from the shoreline of " + river + "; the limit is " + limit + "; " +
                   (f.passed ? "passes by " + margin : "inside the limit by " + margin);
        }
        case Predicate::Inside:
        case Predicate::Outside: {
            if (!f.zones.empty()) {
                std::string out = zh(c) ? "位于" : "in ";
                for (std::size_t i = 0; i < f.zones.size(); ++i) {
                    const auto& z = f.zones[i];
                    out += (i ? (zh(c) ? "、" : "; ") : "") + objectLabel(c, f, z.feature);
                    if (std::isfinite(z.overlap_m2))
                        out += zh(c) ? "（重叠 " + areaText(c, z.overlap_m2) + "，占 " +
                                           format("%.0f", z.overlap_share * 100) + "%）"
                                     : " (overlap " + areaText(c, z.overlap_m2) + ", " +
                                           format("%.0f", z.overlap_share * 100) + "% of the footprint)";
                }
                return out;
            }
            if (!f.object) return zh(c) ? "图层中没有该规则的区域" : "the layers hold no area for this rule";
            const std::string nearest = objectLabel(c, f, *f.object), d = distanceText(c, f.distance_m, false);
            return zh(c) ? "不在范围内；最近的是" + nearest + "，相距 " + d
                         : "not inside any; the nearest is " + nearest + ", " + d + " away";
        }
    }
    return "";
}

std::string verdictLabel(const ScreeningContext& c, Verdict v) {
    switch (v) {
        case Verdict::Prohibited:
            return zh(c) ? "禁止" : "PROHIBITED";
        case Verdict::Review:
            return zh(c) ? "需整改或复核" : "NEEDS RECTIFICATION OR REVIEW";
        case Verdict::Clear:
            return zh(c) ? "未发现冲突" : "NO CONFLICT FOUND";
        case Verdict::NotScreened:
            return zh(c) ? "未能筛查" : "NOT SCREENED";
    }
    return "";
}

std::string proposalText(const ScreeningContext& c, const Screening& s) {
    const layers::Feature& p = c.proposals.features()[s.proposal];
    const layers::Schema& schema = c.proposals.schema();
    std::string out = (p.name.empty() ? p.id : p.name) + " — " +
                      valueLabel(c, schema, schema.class_field, p.klass) + ", " +
                      valueLabel(c, schema, schema.status_field, p.status);
    if (p.family == geo::GeometryFamily::Point) {
        out += format(", %.6f°E", p.parts[0][0].lon) + format(" %.6f°N", p.parts[0][0].lat);
    } else {
        const double lon = (p.envelope.min_lon + p.envelope.max_lon) / 2,
                     lat = (p.envelope.min_lat + p.envelope.max_lat) / 2;
        out +=
            (zh(c) ? "，范围中心 " : ", footprint centred on ") + format("%.6f°E", lon) + format(" %.6f°N", lat);
    }
    return out;
}

std::size_t countApplying(const Screening& s) {
    return static_cast<std::size_t>(
        std::count_if(s.findings.begin(), s.findings.end(), [](const RuleFinding& f) { return f.applies; }));
}

}  // namespace

std::string coveredAreaText(const geo::Box& area, Language lang) {
    char text[160];
    std::snprintf(text, sizeof text, lang == Language::Zh ? "%.2f–%.2f°E，%.2f–%.2f°N" : "%.2f–%.2f°E, %.2f–%.2f°N",
                  area.min_lon, area.max_lon, area.min_lat, area.max_lat);
    return text;
}

std::string verdictReason(const ScreeningContext& c, const Screening& s) {
    if (s.verdict == Verdict::NotScreened) {
        const std::string area = s.covered_area ? coveredAreaText(*s.covered_area, c.lang) : "";
        return zh(c) ? "选址位于图层覆盖范围（" + area + "）以外很远处，未能筛查：请检查 --crs 和坐标顺序（经度在前）"
                     : "the site lies far outside the area the layers cover (" + area +
                           "), so it was not screened: check --crs and the coordinate order (longitude first)";
    }
    if (s.decisive.empty()) {
        const std::size_t n = countApplying(s);
        return zh(c) ? "适用的 " + std::to_string(n) + " 条规则全部通过"
                     : "all " + std::to_string(n) + " applicable rules pass";
    }
    // The failed rules that make the verdict, most severe first (catalogue order within a kind).
    std::string out;
    for (Verdict kind : {Verdict::Prohibited, Verdict::Review})
        for (std::size_t i : s.decisive) {
            const rules::Rule& r = c.catalogue.rules[s.findings[i].rule];
            if (rules::verdictOf(r) != kind) continue;
            out += (out.empty() ? ""
                    : zh(c)     ? "；"
                                : "; ") +
                   r.id + (zh(c) ? "：" : ": ") + measurementText(c, s.findings[i]);
        }
    return out;
}

bool isReportFile(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return ext == ".md" || ext == ".html" || ext == ".htm" || ext == ".json";
}

void writeScreeningText(std::ostream& out, const ScreeningContext& c, const Screening& s) {
    out << (zh(c) ? "选址筛查：" : "Site screening: ") << proposalText(c, s) << "\n";
    out << (zh(c) ? "结论：" : "Verdict: ") << verdictLabel(c, s.verdict) << " — " << verdictReason(c, s)
        << "\n\n";
    for (const RuleFinding* f : reportOrder(s)) {
        const rules::Rule& r = ruleOf(c, *f);
        out << "[" << statusText(c, *f) << "] " << r.id << "  " << title(c, r) << "\n";
        out << "    " << measurementText(c, *f) << "\n";
        if (f->applies) {
            out << "    " << (zh(c) ? "处理：" : "action: ") << actionText(c, r.action)
                << (zh(c) ? "；依据：" : "; basis: ") << r.basis << "\n";
        }
    }
}

void writeScreeningMarkdown(std::ostream& out, const ScreeningContext& c, const Screening& s) {
    out << "# " << (zh(c) ? "选址筛查报告" : "Site screening report") << "\n\n";
    out << "**" << (zh(c) ? "项目" : "Project") << "**: " << proposalText(c, s) << "\n\n";
    out << "**" << (zh(c) ? "结论" : "Verdict") << "**: " << verdictLabel(c, s.verdict) << " — "
        << verdictReason(c, s) << "\n\n";
    out << (zh(c) ? "| 规则 | 标题 | 结果 | 测量 | 处理 | 依据 |\n"
                  : "| rule | title | result | measured | action | basis |\n");
    out << "|---|---|---|---|---|---|\n";
    auto cell = [](std::string text) {
        std::string o;
        for (char ch : text) o += ch == '|' ? std::string("\\|") : std::string(1, ch);
        return o;
    };
    for (const RuleFinding* f : reportOrder(s)) {
        const rules::Rule& r = ruleOf(c, *f);
        out << "| " << r.id << " | " << cell(title(c, r)) << " | " << statusText(c, *f) << " | "
            << cell(measurementText(c, *f)) << " | " << (f->applies ? actionText(c, r.action) : "") << " | "
            << cell(r.basis) << " |\n";
    }
    out << "\n"
        << (zh(c) ? "距离为 WGS84 椭球面上到岸线的真实距离（米）。图层集："
                  : "Distances are true metres on the WGS84 ellipsoid, from the shoreline. Layer set: ")
        << c.layer_set << (zh(c) ? "；规则目录：" : "; catalogue: ") << c.catalogue.title << "\n";
}

namespace {
}  // namespace

void writeScreeningHtml(std::ostream& out, const ScreeningContext& c, const std::vector<Screening>& all) {
    out << "<!DOCTYPE html>\n<html lang=\"" << (zh(c) ? "zh-CN" : "en")
        << "\">\n<head>\n<meta charset=\"utf-8\">\n"
        << "<title>" << (zh(c) ? "选址筛查报告" : "Site screening report") << "</title>\n"
        << "<style>\n"
           "body{font-family:'Noto Sans CJK SC','Microsoft "
           "YaHei',sans-serif;margin:2em;color:#222;max-width:72em}\n"
           "table{border-collapse:collapse;width:100%;margin:1em 0}\n"
           "th,td{border:1px solid #bbb;padding:.35em .5em;vertical-align:top;text-align:left}\n"
           "th{background:#eee}\n"
           ".verdict{font-size:1.2em;padding:.6em;border-radius:4px}\n"
           ".prohibited{background:#fdd;border:1px solid #c00}\n"
           ".review{background:#ffe9c4;border:1px solid #d80}\n"
           ".clear{background:#dfd;border:1px solid #080}\n"
           ".not_screened{background:#eee;border:1px solid #888}\n"
           "td.fails{color:#c00;font-weight:bold}td.passes{color:#080}td.na{color:#888}\n"
           "footer{color:#666;font-size:.9em}\n"
           "</style>\n</head>\n<body>\n";
    out << "<h1>" << (zh(c) ? "选址筛查报告" : "Site screening report") << "</h1>\n";
    for (const Screening& s : all) {
        out << "<section>\n<h2>" << markupEscape(proposalText(c, s)) << "</h2>\n";
        out << "<p class=\"verdict " << rules::verdictName(s.verdict) << "\"><strong>"
            << markupEscape(verdictLabel(c, s.verdict)) << "</strong> — " << markupEscape(verdictReason(c, s))
            << "</p>\n";
        out << "<table>\n<thead><tr>";
        for (const char* h :
             zh(c) ? std::vector<const char*>{"规则", "标题", "结果", "测量", "处理", "依据"}
                   : std::vector<const char*>{"rule", "title", "result", "measured", "action", "basis"})
            out << "<th>" << h << "</th>";
        out << "</tr></thead>\n<tbody>\n";
        for (const RuleFinding* f : reportOrder(s)) {
            const rules::Rule& r = ruleOf(c, *f);
            const char* cls = !f->applies ? "na" : f->passed ? "passes" : "fails";
            out << "<tr><td>" << markupEscape(r.id) << "</td><td>" << markupEscape(title(c, r)) << "</td><td class=\""
                << cls << "\">" << markupEscape(statusText(c, *f)) << "</td><td>"
                << markupEscape(measurementText(c, *f)) << "</td><td>"
                << (f->applies ? markupEscape(actionText(c, r.action)) : "") << "</td><td>" << markupEscape(r.basis)
                << "</td></tr>\n";
        }
        out << "</tbody>\n</table>\n</section>\n";
    }
    out << "<footer><p>"
        << markupEscape(zh(c) ? "距离为 WGS84 椭球面上到岸线的真实距离。图层集："
                            : "Distances are true metres on the WGS84 ellipsoid, from the shoreline. Layer set: ")
        << markupEscape(c.layer_set) << markupEscape(zh(c) ? "；规则目录：" : "; catalogue: ")
        << markupEscape(c.catalogue.title) << "</p></footer>\n</body>\n</html>\n";
}

namespace {
// Distances and areas to the centimetre, null where not meaningful.
nlohmann::ordered_json number(double v) {
    if (!std::isfinite(v)) return nullptr;
    return std::round(v * 100.0) / 100.0;
}

nlohmann::ordered_json text(const std::string& s) {
    if (s.empty()) return nullptr;
    return s;
}

nlohmann::ordered_json screeningObject(const ScreeningContext& c, const Screening& s) {
    using nlohmann::ordered_json;
    const layers::Feature& p = c.proposals.features()[s.proposal];
    geo::GeosContext geos;
    ordered_json out;
    out["verdict"] = rules::verdictName(s.verdict);
    out["reason"] = verdictReason(c, s);
    out["proposal"] = {{"id", p.id},
                       {"name", text(p.name)},
                       {"category", p.klass},
                       {"status", p.status},
                       {"geometry_wkt", geo::toWkt(geos.get(), p.geometry.get())}};
    ordered_json list = ordered_json::array();
    for (const RuleFinding& f : s.findings) {
        const rules::Rule& r = ruleOf(c, f);
        ordered_json item;
        item["rule_id"] = r.id;
        item["title"] = title(c, r);
        item["predicate"] = rules::predicateName(r.predicate);
        item["applies"] = notScreened(f) ? ordered_json(nullptr) : ordered_json(f.applies);
        item["passed"] = f.applies ? ordered_json(f.passed) : ordered_json(nullptr);
        item["distance_m"] = f.applies ? number(f.distance_m) : nullptr;
        item["threshold_m"] = r.predicate == Predicate::WithinDistance ? number(r.distance_m) : nullptr;
        item["margin_m"] = f.applies ? number(f.margin_m) : nullptr;
        item["action"] = r.action;
        item["severity"] = r.severity;
        item["basis"] = r.basis;
        item["detail"] = measurementText(c, f);
        if (f.applies && f.object) {
            const layers::Feature& o = objectLayer(c, f).features()[*f.object];
            item["object"] = {{"layer", r.object}, {"id", o.id}, {"name", text(o.name)}, {"class", text(o.klass)}};
        } else {
            item["object"] = nullptr;
        }
        ordered_json zones = ordered_json::array();
        for (const auto& z : f.zones) {
            const layers::Feature& o = objectLayer(c, f).features()[z.feature];
            zones.push_back({{"layer", r.object},
                             {"id", o.id},
                             {"name", text(o.name)},
                             {"class", text(o.klass)},
                             {"overlap_m2", number(z.overlap_m2)},
                             {"overlap_share", std::isfinite(z.overlap_share)
                                                   ? ordered_json(std::round(z.overlap_share * 10000.0) / 10000.0)
                                                   : ordered_json(nullptr)}});
        }
        item["zones"] = zones;
        list.push_back(item);
    }
    out["rules"] = list;
    return out;
}
}  // namespace

std::string screeningJson(const ScreeningContext& c, const std::vector<Screening>& all, bool single) {
    if (single && all.size() == 1) return screeningObject(c, all.front()).dump(2) + "\n";
    nlohmann::ordered_json out;
    Verdict worst = Verdict::Clear;
    for (const Screening& s : all) worst = std::max(worst, s.verdict);
    out["verdict"] = rules::verdictName(worst);
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const Screening& s : all) list.push_back(screeningObject(c, s));
    out["proposals"] = list;
    return out.dump(2) + "\n";
}

void writeScreeningTable(const std::filesystem::path& file, const ScreeningContext& c,
                         const std::vector<Screening>& all) {
    using Type = GdalTable::Type;
    GdalTable table(
        file, "screening",
        {{"proposal_id", Type::String}, {"proposal_name", Type::String}, {"category", Type::String},
         {"status", Type::String},      {"verdict", Type::String},       {"rule_id", Type::String},
         {"applies", Type::Boolean},    {"passed", Type::Boolean},       {"distance_m", Type::Real},
         {"threshold_m", Type::Real},   {"margin_m", Type::Real},        {"object_layer", Type::String},
         {"object_id", Type::String},   {"object_name", Type::String},   {"object_class", Type::String},
         {"overlap_m2", Type::Real},    {"overlap_share", Type::Real},   {"action", Type::String},
         {"detail", Type::String},      {"basis", Type::String}},
        true);
    auto round2 = [](double v) { return std::round(v * 100.0) / 100.0; };
    for (const Screening& s : all) {
        const layers::Feature& p = c.proposals.features()[s.proposal];
        for (const RuleFinding& f : s.findings) {
            const rules::Rule& r = ruleOf(c, f);
            table.set("proposal_id", p.id);
            table.set("proposal_name", p.name);
            table.set("category", p.klass);
            table.set("status", p.status);
            table.set("verdict", rules::verdictName(s.verdict));
            table.set("rule_id", r.id);
            if (!notScreened(f)) table.setBoolean("applies", f.applies);
            if (f.applies) {
                table.setBoolean("passed", f.passed);
                table.set("distance_m", round2(f.distance_m));
                table.set("margin_m", round2(f.margin_m));
                table.set("action", r.action);
                if (f.object) {
                    const layers::Feature& o = objectLayer(c, f).features()[*f.object];
                    table.set("object_layer", r.object);
                    table.set("object_id", o.id);
                    table.set("object_name", o.name);
                    table.set("object_class", o.klass);
                }
                if (!f.zones.empty()) {
                    table.set("overlap_m2", round2(f.zones.front().overlap_m2));
                    if (std::isfinite(f.zones.front().overlap_share))
                        table.set("overlap_share", std::round(f.zones.front().overlap_share * 10000.0) / 10000.0);
                }
            }
            if (r.predicate == Predicate::WithinDistance) table.set("threshold_m", round2(r.distance_m));
            table.set("detail", measurementText(c, f));
            table.set("basis", r.basis);
            table.setGeometry(p.geometry.get());
            table.writeRow();
        }
    }
    table.finish();
}

}  // namespace ecozone::output

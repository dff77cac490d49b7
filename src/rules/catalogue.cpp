// SPDX-License-Identifier: MIT
#include "rules/catalogue.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "util/error.hpp"
#include "util/toml_util.hpp"

namespace ecozone::rules {

const std::vector<std::string> kActions = {"prohibited", "exit", "close", "rectify", "restore", "review"};
const std::vector<std::string> kSeverities = {"high", "medium", "low"};

const char* predicateName(Predicate p) {
    switch (p) {
        case Predicate::WithinDistance:
            return "within_distance";
        case Predicate::Inside:
            return "inside";
        case Predicate::Outside:
            return "outside";
    }
    return "?";
}

const std::vector<ParamSpec>& ruleParameters() {
    static const std::vector<ParamSpec> params = {
        {"id", "string", "", true, "all", "Stable identifier, e.g. chem-1km; unique in the catalogue."},
        {"title_zh", "string", "", true, "all", "Title in Chinese."},
        {"title_en", "string", "", true, "all", "Title in English."},
        {"basis", "string", "", true, "all", "Legal basis: the document's title and section."},
        {"note", "string", "", false, "all",
         "Anything a reader should know: open details, parameters set locally."},
        {"predicate", "string", "", true, "all", "within_distance, inside or outside."},
        {"subject", "layer", "", true, "all", "The layer checked (usually facilities)."},
        {"subject_where", "OGR SQL", "", false, "all",
         "Which subject features the rule covers, as an OGR SQL attribute filter (ogr2ogr -where syntax)."},
        {"object", "layer", "", true, "all", "The layer the subject is measured against (rivers, zones ...)."},
        {"object_where", "OGR SQL", "", false, "all", "Which object features count (e.g. which river lists)."},
        {"distance_m", "number", "m", true, "within_distance",
         "Distance from the object's shoreline in metres, on the ellipsoid; exactly this far counts as within."},
        {"subject_inside", "layer", "", false, "all",
         "Only subjects that also lie inside (intersect) a feature of this layer are covered."},
        {"subject_outside", "layer", "", false, "all",
         "Only subjects that lie outside every feature of this layer are covered."},
        {"action", "string", "", true, "all",
         "What the finding requires: prohibited, exit, close, rectify, restore "
         "or review."},
        {"severity", "string", "", true, "all", "high, medium or low."},
    };
    return params;
}

namespace {

std::string oneOf(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
    return out;
}

Rule parseRule(const TomlContext& ctx, const toml::table& t, std::size_t index) {
    Rule r;
    const int line = static_cast<int>(t.source().begin.line);
    r.origin = ctx.file().string() + ":" + std::to_string(line);
    std::string where = "rule[" + std::to_string(index) + "]";
    r.id = ctx.requireString(t, where, "id");
    where = "rule " + r.id;

    const std::string predicate = ctx.requireString(t, where, "predicate");
    if (predicate == "within_distance")
        r.predicate = Predicate::WithinDistance;
    else if (predicate == "inside")
        r.predicate = Predicate::Inside;
    else if (predicate == "outside")
        r.predicate = Predicate::Outside;
    else
        throw ctx.error(*t.get("predicate"), where + ".predicate",
                        "unknown predicate `" + predicate + "`; use within_distance, inside or outside");

    for (const auto& [k, v] : t) {
        const auto& params = ruleParameters();
        auto spec =
            std::find_if(params.begin(), params.end(), [&k = k](const ParamSpec& p) { return k.str() == p.key; });
        if (spec == params.end()) {
            std::string keys;
            for (const auto& p : params) keys += (keys.empty() ? "" : ", ") + std::string(p.key);
            throw ctx.error(v, where + "." + std::string(k.str()), "unknown key; a rule's keys are: " + keys);
        }
        if (std::string(spec->applies_to) != "all" && std::string(spec->applies_to) != predicate)
            throw ctx.error(v, where + "." + std::string(k.str()),
                            "does not apply to predicate `" + predicate + "` (only to " + spec->applies_to + ")");
    }
    r.title_zh = ctx.requireString(t, where, "title_zh");
    r.title_en = ctx.requireString(t, where, "title_en");
    r.basis = ctx.requireString(t, where, "basis");
    r.note = ctx.optionalString(t, where, "note").value_or("");
    r.subject = ctx.requireString(t, where, "subject");
    r.subject_where = ctx.optionalString(t, where, "subject_where").value_or("");
    r.object = ctx.requireString(t, where, "object");
    r.object_where = ctx.optionalString(t, where, "object_where").value_or("");
    for (auto [key, origin] : {std::pair{"subject_where", &r.subject_where_origin},
                               std::pair{"object_where", &r.object_where_origin}})
        if (const toml::node* n = t.get(key))
            *origin = ctx.file().string() + ":" + std::to_string(n->source().begin.line);
    r.subject_inside = ctx.optionalString(t, where, "subject_inside").value_or("");
    r.subject_outside = ctx.optionalString(t, where, "subject_outside").value_or("");
    if (r.predicate == Predicate::WithinDistance) {
        const auto d = ctx.optionalNumber(t, where, "distance_m");
        if (!d)
            throw ctx.error(line, where + ".distance_m", "missing: within_distance needs a distance in metres");
        if (!std::isfinite(*d) || *d < 0)
            throw ctx.error(*t.get("distance_m"), where + ".distance_m", "must be a distance of 0 m or more");
        r.distance_m = *d;
    }
    r.action = ctx.requireString(t, where, "action");
    if (std::find(kActions.begin(), kActions.end(), r.action) == kActions.end())
        throw ctx.error(*t.get("action"), where + ".action",
                        "unknown action `" + r.action + "`; use one of: " + oneOf(kActions));
    r.severity = ctx.requireString(t, where, "severity");
    if (std::find(kSeverities.begin(), kSeverities.end(), r.severity) == kSeverities.end())
        throw ctx.error(*t.get("severity"), where + ".severity",
                        "unknown severity `" + r.severity + "`; use one of: " + oneOf(kSeverities));
    return r;
}

}  // namespace

Catalogue loadCatalogue(const std::filesystem::path& file) {
    const TomlContext ctx(file);
    const toml::table root = ctx.parse();
    ctx.rejectUnknownKeys(root, "", {"title", "rule"});
    Catalogue c;
    c.file = file;
    c.title = ctx.optionalString(root, "", "title").value_or(file.filename().string());
    const auto* rules = root.get("rule");
    if (!rules || !rules->as_array() || rules->as_array()->empty())
        throw ctx.error(0, "rule", "the catalogue has no rules; add [[rule]] tables");
    std::set<std::string> ids;
    std::size_t index = 0;
    for (const auto& node : *rules->as_array()) {
        const auto* t = node.as_table();
        if (!t) throw ctx.error(node, "rule", "expected [[rule]] tables");
        Rule r = parseRule(ctx, *t, index++);
        if (!ids.insert(r.id).second)
            throw ctx.error(*t, "rule " + r.id + ".id", "the id `" + r.id + "` is used twice; ids must be unique");
        c.rules.push_back(std::move(r));
    }
    return c;
}

}  // namespace ecozone::rules

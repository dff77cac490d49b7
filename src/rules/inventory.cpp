// SPDX-License-Identifier: MIT
#include "rules/inventory.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string_view>

#include "util/error.hpp"

namespace ecozone::rules {

namespace {

std::string layerNames(const layers::LayerSet& set) {
    std::string out;
    for (const auto& [name, binding] : set.bindings) out += (out.empty() ? "" : ", ") + name;
    return out;
}

std::string polygonLayerNames(const layers::LayerSet& set) {
    std::string out;
    for (const auto& [name, binding] : set.bindings) {
        auto it = set.schemas.find(binding.schema);
        if (it != set.schemas.end() && it->second.allows(geo::GeometryFamily::Polygon))
            out += (out.empty() ? "" : ", ") + name;
    }
    return out;
}

const layers::Schema& schemaOf(const layers::LayerSet& set, const std::string& option, const std::string& layer) {
    auto it = set.bindings.find(layer);
    if (it == set.bindings.end())
        throw usageError(option + " " + layer + ": the layer set has no layer `" + layer +
                         "` (it has: " + layerNames(set) + ")");
    auto schema = set.schemas.find(it->second.schema);
    if (schema == set.schemas.end())
        throw configError(it->second.origin + ": layer `" + layer + "` names schema `" + it->second.schema +
                          "`, which the schema file does not declare");
    return schema->second;
}

// Replaces each value by the allowed value it stands for, dropping repeats (`hydro` and `水电站` are one filter).
void normaliseValues(std::vector<std::string>& values, const layers::Schema& schema, const std::string& field,
                     const std::string& option, const std::string& what, const std::string& layer) {
    if (values.empty()) return;
    if (field.empty())
        throw usageError(option + ": layer `" + layer + "` (schema " + schema.name + ") has no " + what +
                         " field to filter on");
    const layers::FieldSpec* spec = schema.field(field);
    std::vector<std::string> out;
    for (const auto& raw : values) {
        std::optional<std::string> value = spec ? spec->normalise(raw) : std::optional<std::string>(raw);
        if (!value)
            throw usageError(option + " " + raw + ": not a " + what + " of layer `" + layer + "` (field `" +
                             field + "` of schema " + schema.name + "); use one of: " + spec->allowedList());
        if (std::find(out.begin(), out.end(), *value) == out.end()) out.push_back(*value);
    }
    values = std::move(out);
}

std::string joinAnd(const std::string& a, const std::string& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return "(" + a + ") AND (" + b + ")";
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// Natural order for ids: runs of digits compare as numbers, so F9 comes before F10 and 9 before 10; ids equal
// that way (F01, F1) fall back to plain text order, so the order stays total.
bool idLess(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (isDigit(a[i]) && isDigit(b[j])) {
            std::size_t ei = i, ej = j;
            while (ei < a.size() && isDigit(a[ei])) ++ei;
            while (ej < b.size() && isDigit(b[ej])) ++ej;
            std::size_t si = i, sj = j;  // leading zeros do not change the number
            while (si + 1 < ei && a[si] == '0') ++si;
            while (sj + 1 < ej && b[sj] == '0') ++sj;
            const std::string_view na(a.data() + si, ei - si), nb(b.data() + sj, ej - sj);
            if (na.size() != nb.size()) return na.size() < nb.size();
            if (na != nb) return na < nb;
            i = ei;
            j = ej;
        } else {
            if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
            ++i;
            ++j;
        }
    }
    if ((i < a.size()) != (j < b.size())) return j < b.size();
    return a < b;
}

constexpr double kSquareCentimetres = 100.0;  // areas kept to the square centimetre: finer digits are noise
constexpr double kShareDigits = 10000.0;      // shares to four decimals

}  // namespace

void normaliseInventoryRequest(InventoryRequest& request, const layers::LayerSet& set) {
    if (request.area_layer.empty()) throw usageError("--area-layer is required: one of " + polygonLayerNames(set));
    const layers::Schema& areaSchema = schemaOf(set, "--area-layer", request.area_layer);
    if (!areaSchema.allows(geo::GeometryFamily::Polygon))
        throw usageError("--area-layer " + request.area_layer + ": layer `" + request.area_layer + "` (schema " +
                         areaSchema.name + ") holds " + areaSchema.geometryList() +
                         " features, and an inventory lists what lies inside polygons; polygon layers: " +
                         polygonLayerNames(set));
    const layers::Schema& facilitySchema = schemaOf(set, "--facilities", request.facility_layer);
    if (request.facility_layer == request.area_layer)
        throw usageError("--facilities " + request.facility_layer +
                         ": the facility layer must differ from the area layer");
    normaliseValues(request.categories, facilitySchema, facilitySchema.class_field, "--category", "category",
                    request.facility_layer);
    normaliseValues(request.statuses, facilitySchema, facilitySchema.status_field, "--status", "status",
                    request.facility_layer);
    normaliseValues(request.zones, areaSchema, areaSchema.class_field, "--zone", "zone class", request.area_layer);
    if (!request.area_names.empty() && areaSchema.name_field.empty())
        throw usageError("--area: layer `" + request.area_layer + "` (schema " + areaSchema.name +
                         ") has no name field to filter on");
}

std::string inFilter(const std::string& field, const std::vector<std::string>& values) {
    if (values.empty()) return "";
    std::string out = "\"" + field + "\" IN (";
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::string quoted;
        for (char c : values[i]) quoted += c == '\'' ? std::string("''") : std::string(1, c);
        out += (i ? ", '" : "'") + quoted + "'";
    }
    return out + ")";
}

std::vector<std::size_t> applicableRules(const Catalogue& catalogue, const InventoryRequest& request) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < catalogue.rules.size(); ++i) {
        const Rule& r = catalogue.rules[i];
        if (r.predicate == Predicate::Inside && r.subject == request.facility_layer &&
            r.object == request.area_layer)
            out.push_back(i);
    }
    return out;
}

std::vector<std::string> inventoryLayers(const Catalogue& catalogue, const InventoryRequest& request) {
    std::vector<std::string> out = {request.facility_layer, request.area_layer};
    for (std::size_t i : applicableRules(catalogue, request))
        for (const std::string* n : {&catalogue.rules[i].subject_inside, &catalogue.rules[i].subject_outside})
            if (!n->empty() && std::find(out.begin(), out.end(), *n) == out.end()) out.push_back(*n);
    return out;
}

int zoneRank(const std::string& zone) {
    static const std::vector<std::string> order = {"core", "buffer", "experimental", "grade1", "grade2", "quasi"};
    auto it = std::find(order.begin(), order.end(), zone);
    return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

void sortLedger(std::vector<LedgerRow>& rows) {
    std::sort(rows.begin(), rows.end(), [](const LedgerRow& a, const LedgerRow& b) {
        if (a.area_name != b.area_name) return a.area_name < b.area_name;
        const int za = zoneRank(a.zone), zb = zoneRank(b.zone);
        if (za != zb) return za < zb;
        if (a.zone != b.zone) return a.zone < b.zone;
        if (a.area_id != b.area_id) return idLess(a.area_id, b.area_id);
        if (a.category != b.category) return a.category < b.category;
        if (a.facility_id != b.facility_id) return idLess(a.facility_id, b.facility_id);
        return a.ledger_id < b.ledger_id;
    });
}

std::vector<InventoryGroup> groupLedger(const std::vector<LedgerRow>& rows) {
    std::vector<InventoryGroup> groups;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const LedgerRow& r = rows[i];
        if (groups.empty() || groups.back().area_name != r.area_name || groups.back().zone != r.zone ||
            groups.back().area_id != r.area_id) {
            InventoryGroup g;
            g.area_name = r.area_name;
            g.area_id = r.area_id;
            g.zone = r.zone;
            g.first = i;
            groups.push_back(std::move(g));
        }
        InventoryGroup& g = groups.back();
        ++g.count;
        ++g.by_category[r.category];
        ++g.by_status[r.status];
    }
    return groups;
}

RuleLookup::RuleLookup(const Catalogue& catalogue, const std::vector<std::size_t>& rules,
                       const layers::Layer& facilities, const layers::Layer& areas) {
    auto mask = [](const layers::Layer& layer, const std::string& where, const std::string& context) {
        std::vector<bool> selected(layer.features().size(), false);
        for (std::size_t i : layer.select(where, context)) selected[i] = true;
        return selected;
    };
    for (std::size_t index : rules) {
        const Rule& r = catalogue.rules[index];
        const std::string context = r.origin + ": rule " + r.id;
        Candidate c;
        c.rule = index;
        c.facility_selected = mask(facilities, r.subject_where, context + " (subject_where)");
        c.area_selected = mask(areas, r.object_where, context + " (object_where)");
        c.qualified = !r.subject_inside.empty() || !r.subject_outside.empty();
        candidates_.push_back(std::move(c));
    }
}

void RuleLookup::setQualifiedPairs(std::size_t rule, std::vector<std::pair<std::size_t, std::size_t>> pairs) {
    std::sort(pairs.begin(), pairs.end());
    for (Candidate& c : candidates_)
        if (c.rule == rule) c.pairs = pairs;
}

std::optional<std::size_t> RuleLookup::ruleFor(std::size_t facility, std::size_t area) const {
    for (const Candidate& c : candidates_) {
        if (!c.facility_selected.at(facility) || !c.area_selected.at(area)) continue;
        if (c.qualified && !std::binary_search(c.pairs.begin(), c.pairs.end(), std::make_pair(facility, area)))
            continue;
        return c.rule;
    }
    return std::nullopt;
}

Inventory buildInventory(const InventoryRequest& request, const Catalogue& catalogue,
                         const layers::LayerMap& layers, const EngineOptions& options) {
    Inventory inventory;
    inventory.request = request;
    inventory.facilities = layers.at(request.facility_layer).get();
    inventory.areas = layers.at(request.area_layer).get();
    const layers::Layer& facilities = *inventory.facilities;
    const layers::Layer& areas = *inventory.areas;
    const layers::Schema& areaSchema = areas.schema();
    const layers::Schema& facilitySchema = facilities.schema();

    // Parse, then work: every filter is checked, and the areas are known to be polygons, before any geometry.
    const std::string subjectWhere = joinAnd(inFilter(facilitySchema.class_field, request.categories),
                                             inFilter(facilitySchema.status_field, request.statuses));
    const std::string objectWhere = joinAnd(inFilter(areaSchema.class_field, request.zones),
                                            inFilter(areaSchema.name_field, request.area_names));
    const std::string origin = "ecozone inventory";
    // A misspelt --area would give an empty ledger that looks like a clean one: name what the layer holds instead.
    for (const std::string& name : request.area_names) {
        const auto& features = areas.features();
        if (std::any_of(features.begin(), features.end(),
                        [&](const layers::Feature& f) { return f.name == name; }))
            continue;
        std::set<std::string> names;
        for (const auto& f : features)
            if (!f.name.empty()) names.insert(f.name);
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw usageError("--area " + name + ": no area of layer `" + request.area_layer +
                         "` has that name (field `" + areaSchema.name_field +
                         "`); its areas are: " + (list.empty() ? "(none)" : list));
    }
    for (std::size_t i : areas.select(objectWhere, origin + " (--zone, --area)")) {
        const layers::Feature& f = areas.features()[i];
        if (f.family != geo::GeometryFamily::Polygon)
            throw dataError(
                "layer " + areas.describe() + ": feature " + f.id + " is a " + geo::familyName(f.family) +
                ", and an inventory lists what lies inside polygons; give --area-layer a polygon layer");
    }
    const std::vector<std::size_t> applicable = applicableRules(catalogue, request);
    RuleLookup lookup(catalogue, applicable, facilities, areas);

    // One engine run: the inventory's own `inside` rule first, then each qualified catalogue rule, whose
    // qualifier only the engine can evaluate.
    Catalogue run;
    run.file = catalogue.file;
    run.title = "inventory";
    Rule inside;
    inside.id = "inventory";
    inside.predicate = Predicate::Inside;
    inside.subject = request.facility_layer;
    inside.subject_where = subjectWhere;
    inside.object = request.area_layer;
    inside.object_where = objectWhere;
    inside.origin = origin;
    run.rules.push_back(inside);
    std::vector<std::size_t> qualified;  // catalogue indices of run.rules[1..]
    for (std::size_t i : applicable) {
        const Rule& r = catalogue.rules[i];
        if (r.subject_inside.empty() && r.subject_outside.empty()) continue;
        run.rules.push_back(r);
        qualified.push_back(i);
    }
    const std::vector<RuleOutcome> outcomes = runCatalogue(run, layers, options);
    for (std::size_t k = 0; k < qualified.size(); ++k) {
        std::vector<std::pair<std::size_t, std::size_t>> pairs;
        for (const Violation& v : outcomes.at(k + 1).violations)
            if (v.object) pairs.emplace_back(v.subject, *v.object);
        lookup.setQualifiedPairs(qualified[k], std::move(pairs));
    }

    for (const Violation& v : outcomes.at(0).violations) {
        if (!v.object) continue;
        const layers::Feature& f = facilities.features()[v.subject];
        const layers::Feature& a = areas.features()[*v.object];
        LedgerRow row;
        row.facility = v.subject;
        row.area = *v.object;
        row.facility_id = f.id;
        row.facility_name = f.name;
        row.category = f.klass;
        row.status = f.status;
        row.area_id = a.id;
        row.area_name = a.name;
        row.zone = a.klass;
        row.ledger_id = request.area_layer + "/" + a.id + "/" + f.id;
        if (std::isfinite(v.overlap_m2)) {
            row.overlap_m2 = std::round(v.overlap_m2 * kSquareCentimetres) / kSquareCentimetres;
            if (v.subject_area_m2 > 0)
                row.overlap_share = std::round(v.overlap_m2 / v.subject_area_m2 * kShareDigits) / kShareDigits;
        }
        row.rule = lookup.ruleFor(v.subject, *v.object);
        if (row.rule) {
            const Rule& r = catalogue.rules[*row.rule];
            row.rule_id = r.id;
            row.action = r.action;
            row.basis = r.basis;
            // Rules carry no deadline yet; deadline_note stays empty until the catalogue gains one.
        }
        inventory.rows.push_back(std::move(row));
    }
    sortLedger(inventory.rows);
    inventory.groups = groupLedger(inventory.rows);
    return inventory;
}

}  // namespace ecozone::rules

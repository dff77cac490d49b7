// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "layers/layer.hpp"
#include "layers/layer_set.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"

// The inventory (整改台账): which facilities lie inside which areas of one polygon layer, grouped by area and
// zone, with the action the catalogue requires of each. The geometry is the engine's own `inside` predicate; this
// unit only filters, looks up rules, sorts and groups.
namespace ecozone::rules {

// What to list. Filter values are the schemas' allowed values once normaliseInventoryRequest has run.
struct InventoryRequest {
    std::string area_layer;
    std::string facility_layer = "facilities";
    std::vector<std::string> categories;  // the facility schema's class field; empty: every category
    std::vector<std::string> statuses;    // the facility schema's status field; empty: every status
    std::vector<std::string> area_names;  // the area schema's name field, exact; empty: every area
    std::vector<std::string> zones;       // the area schema's class field (zone, grade, function); empty: all
};

// Checks the request against a layer set and replaces every filter value by the allowed value it stands for
// (`hydro` and `水电站` become `hydropower`, `核心区` becomes `core`). Throws a usage error naming the option and
// listing what is allowed: an unknown layer name, an area layer whose schema holds no polygons, a value the schema
// does not allow, a filter on a field the schema does not have. Reads no data.
void normaliseInventoryRequest(InventoryRequest& request, const layers::LayerSet& set);

// The OGR SQL filter `"field" IN ('a', 'b')` (quotes doubled), or "" when `values` is empty.
std::string inFilter(const std::string& field, const std::vector<std::string>& values);

// The catalogue rules that may name an action for a facility inside an area: predicate `inside`, subject the
// facility layer, object the area layer; in catalogue order, as indices into catalogue.rules.
std::vector<std::size_t> applicableRules(const Catalogue& catalogue, const InventoryRequest& request);

// The layers an inventory reads: the facility and area layers, and any layer that qualifies an applicable rule.
std::vector<std::string> inventoryLayers(const Catalogue& catalogue, const InventoryRequest& request);

// One facility inside one area: one line of the ledger. Text fields hold the layers' normalised values (ids,
// names, category `hydropower`, zone `core`); reports translate them for display.
struct LedgerRow {
    std::string ledger_id;     // <area_layer>/<area_id>/<facility_id>: stable across runs
    std::size_t facility = 0;  // index into the facility layer's features
    std::size_t area = 0;      // index into the area layer's features
    std::string facility_id, facility_name, category, status;
    std::string area_id, area_name, zone;
    double overlap_m2 = kNoValue;     // footprints only: the geodesic area inside the area feature
    double overlap_share = kNoValue;  // footprints only: overlap_m2 over the footprint's area, 0..1
    std::optional<std::size_t> rule;  // the catalogue rule that names the action; none: no rule applies
    std::string rule_id, action, basis, deadline_note;
};

// The rows of one area feature (area name, zone and id), with their counts.
struct InventoryGroup {
    std::string area_name, area_id, zone;
    std::size_t first = 0;  // the group's rows are rows[first, first + count)
    std::size_t count = 0;
    std::map<std::string, std::size_t> by_category;  // counts, keyed by the normalised value
    std::map<std::string, std::size_t> by_status;
};

struct Inventory {
    InventoryRequest request;  // as normalised
    const layers::Layer* facilities = nullptr;
    const layers::Layer* areas = nullptr;
    std::vector<LedgerRow> rows;  // in ledger order (see sortLedger)
    std::vector<InventoryGroup> groups;
};

// The rank of a zone value in reports: core, buffer, experimental, then grade1, grade2, quasi, then every other
// value alphabetically (their rank is 6 and the value itself breaks the tie).
int zoneRank(const std::string& zone);

// Ledger order: area name, zone rank, area id, category, facility id (in natural order: F9 before F10),
// ledger id.
// The order is total, so the ledger is the same whatever order the rows arrived in.
void sortLedger(std::vector<LedgerRow>& rows);

// Groups sorted rows by area feature (name, zone, id) and counts each group's categories and statuses.
std::vector<InventoryGroup> groupLedger(const std::vector<LedgerRow>& rows);

// Names the action for each (facility, area) pair: the first applicable rule, in catalogue order, whose
// object_where selects the area and whose subject_where selects the facility. Each filter is evaluated once, with
// Layer::select. A rule with a subject_inside/subject_outside qualifier applies only where the engine, run on that
// rule, reported the pair.
class RuleLookup {
  public:
    RuleLookup(const Catalogue& catalogue, const std::vector<std::size_t>& rules, const layers::Layer& facilities,
               const layers::Layer& areas);

    // Pairs (facility, area) the engine reported for a qualified rule; ignored for rules without qualifiers.
    void setQualifiedPairs(std::size_t rule, std::vector<std::pair<std::size_t, std::size_t>> pairs);

    std::optional<std::size_t> ruleFor(std::size_t facility, std::size_t area) const;

  private:
    struct Candidate {
        std::size_t rule;
        std::vector<bool> facility_selected;
        std::vector<bool> area_selected;
        bool qualified = false;
        std::vector<std::pair<std::size_t, std::size_t>> pairs;  // sorted; qualified rules only
    };
    std::vector<Candidate> candidates_;
};

// Runs the inventory: the engine's `inside` predicate with the request's filters, one row per facility and area,
// the action looked up in the catalogue, rows sorted and grouped. `layers` holds inventoryLayers(). The result is
// the same for any number of threads. An --area name that no area feature has is a usage error listing the names
// there are; area features that are not polygons are a data error.
Inventory buildInventory(const InventoryRequest& request, const Catalogue& catalogue,
                         const layers::LayerMap& layers, const EngineOptions& options);

}  // namespace ecozone::rules

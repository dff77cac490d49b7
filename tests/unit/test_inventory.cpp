// SPDX-License-Identifier: MIT
// The inventory (整改台账): request normalisation, ledger order and groups, the catalogue's action per facility
// and area, and the reports (HTML well-formed, on the bundled sample).
#include <cpl_minixml.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "output/inventory_report.hpp"
#include "rules/inventory.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace ecozone;
using test::Row;

namespace {

rules::LedgerRow ledgerRow(const std::string& area, const std::string& zone, const std::string& areaId,
                           const std::string& category, const std::string& facility,
                           const std::string& status = "existing") {
    rules::LedgerRow r;
    r.area_name = area;
    r.zone = zone;
    r.area_id = areaId;
    r.category = category;
    r.status = status;
    r.facility_id = facility;
    r.ledger_id = "layer/" + areaId + "/" + facility;
    return r;
}

std::vector<std::string> ledgerIds(const std::vector<rules::LedgerRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.ledger_id);
    return out;
}

// "ledger_id action rule_id" per row.
std::vector<std::string> actions(const rules::Inventory& inv) {
    std::vector<std::string> out;
    for (const auto& r : inv.rows)
        out.push_back(r.ledger_id + " " + (r.action.empty() ? "-" : r.action) + " " +
                      (r.rule_id.empty() ? "-" : r.rule_id));
    return out;
}

std::map<std::string, std::string> fac(const std::string& id, const std::string& category,
                                       const std::string& status = "existing") {
    return {{"id", id}, {"name", id}, {"category", category}, {"status", status}};
}

std::map<std::string, std::string> zone(const std::string& id, const std::string& z) {
    return {{"id", id}, {"reserve", "保护区"}, {"zone", z}};
}

// Inside-rules in a deliberate order: the first that selects both the facility and the area names the action.
// `near` (a distance rule) and `water` (another area layer) never apply to a reserves inventory.
const char* kRules = R"toml(
[[rule]]
id = "near"
title_zh = "近"
title_en = "near"
basis = "b-near"
predicate = "within_distance"
distance_m = 1000
subject = "facilities"
object = "reserves"
action = "prohibited"
severity = "high"

[[rule]]
id = "water"
title_zh = "水源"
title_en = "water"
basis = "b-water"
predicate = "inside"
subject = "facilities"
object = "water_sources"
action = "close"
severity = "high"

[[rule]]
id = "hydro-core"
title_zh = "核心"
title_en = "core"
basis = "b-core"
predicate = "inside"
subject = "facilities"
subject_where = "category = 'hydropower'"
object = "reserves"
object_where = "zone IN ('core', 'buffer')"
action = "exit"
severity = "high"

[[rule]]
id = "hydro-exp"
title_zh = "实验"
title_en = "exp"
basis = "b-exp"
predicate = "inside"
subject = "facilities"
subject_where = "category = 'hydropower'"
object = "reserves"
object_where = "zone = 'experimental'"
action = "rectify"
severity = "medium"

[[rule]]
id = "town-core"
title_zh = "镇内核心区"
title_en = "town core"
basis = "b-town"
predicate = "inside"
subject = "facilities"
subject_inside = "towns"
object = "reserves"
object_where = "zone = 'core'"
action = "restore"
severity = "medium"

[[rule]]
id = "any-core"
title_zh = "核心区"
title_en = "any core"
basis = "b-any"
predicate = "inside"
subject = "facilities"
object = "reserves"
object_where = "zone = 'core'"
action = "close"
severity = "high"
)toml";

struct Fixture {
    layers::LayerMap layers;
    rules::Catalogue catalogue;

    Fixture() {
        const auto dir = test::tempDir();
        test::writeLayer(dir / "facilities.geojson", 4326,
                         {
                             {fac("H-core", "hydropower"), "POINT (108.05 31.05)"},
                             {fac("H-exp", "hydropower"), "POINT (108.25 31.05)"},
                             {fac("H-edge", "hydropower"), "POINT (108.1 31.02)"},  // on the core/buffer edge
                             {fac("L-core", "livestock_farm"), "POINT (108.02 31.02)"},
                             {fac("L-town", "livestock_farm"), "POINT (108.08 31.08)"},  // core, in the town
                             {fac("L-exp", "livestock_farm"), "POINT (108.22 31.02)"},
                             {fac("S-out", "sand_mining"), "POINT (108.5 31.05)"},
                             {fac("F-foot", "hydropower", "planned"),
                              "POLYGON ((108.09 31.05, 108.11 31.05, 108.11 31.06, 108.09 31.06, 108.09 31.05))"},
                         },
                         {}, {"id", "name", "category", "status"});
        test::writeLayer(
            dir / "reserves.gpkg", 4326,
            {
                {zone("Z-core", "核心区"), "POLYGON ((108 31, 108.1 31, 108.1 31.1, 108 31.1, 108 31))"},
                {zone("Z-buffer", "buffer"), "POLYGON ((108.1 31, 108.2 31, 108.2 31.1, 108.1 31.1, 108.1 31))"},
                {zone("Z-exp", "experimental"),
                 "POLYGON ((108.2 31, 108.3 31, 108.3 31.1, 108.2 31.1, 108.2 31))"},
            },
            {}, {"id", "reserve", "zone"});
        test::writeLayer(dir / "towns.geojson", 4326,
                         {{{{"id", "T1"}, {"name", "镇"}},
                           "POLYGON ((108.07 31.07, 108.09 31.07, 108.09 31.09, 108.07 31.09, 108.07 31.07))"}},
                         {}, {"id", "name", "kind"});
        test::writeText(dir / "rules.toml", kRules);
        layers.emplace("facilities",
                       test::load(test::binding("facilities", "facility", dir / "facilities.geojson")));
        layers.emplace("reserves", test::load(test::binding("reserves", "reserve_zone", dir / "reserves.gpkg")));
        layers.emplace("towns", test::load(test::binding("towns", "zone", dir / "towns.geojson")));
        catalogue = rules::loadCatalogue(dir / "rules.toml");
    }

    rules::Inventory run(rules::InventoryRequest request, unsigned threads = 1) const {
        rules::EngineOptions options;
        options.threads = threads;
        return rules::buildInventory(request, catalogue, layers, options);
    }
};

rules::InventoryRequest reserves() {
    rules::InventoryRequest r;
    r.area_layer = "reserves";
    return r;
}

const layers::LayerSet& sampleSet() {
    static const layers::LayerSet set = layers::loadLayerSet(test::repoRoot() / "layers" / "sample.toml");
    return set;
}

// The Chengkou case on the bundled sample: hydropower stations in the reserves.
struct Chengkou {
    rules::Catalogue catalogue = rules::loadCatalogue(test::repoRoot() / "queries" / "chongqing.toml");
    rules::InventoryRequest request;
    layers::LayerMap layers;
    rules::Inventory inventory;

    Chengkou() {
        request.area_layer = "reserves";
        request.categories = {"水电站"};
        rules::normaliseInventoryRequest(request, sampleSet());
        layers = layers::loadLayers(sampleSet(), rules::inventoryLayers(catalogue, request));
        inventory = rules::buildInventory(request, catalogue, layers, {});
    }
};

const Chengkou& chengkou() {
    static const Chengkou c;
    return c;
}

}  // namespace

TEST(Inventory, ZoneRankPutsCoreFirstAndGradesInOrder) {
    EXPECT_LT(rules::zoneRank("core"), rules::zoneRank("buffer"));
    EXPECT_LT(rules::zoneRank("buffer"), rules::zoneRank("experimental"));
    EXPECT_LT(rules::zoneRank("grade1"), rules::zoneRank("grade2"));
    EXPECT_LT(rules::zoneRank("grade2"), rules::zoneRank("quasi"));
    EXPECT_EQ(rules::zoneRank("biodiversity"), rules::zoneRank("water_conservation"));
    EXPECT_GT(rules::zoneRank("biodiversity"), rules::zoneRank("quasi"));
}

TEST(Inventory, LedgerOrderIsAreaZoneCategoryIdWhateverTheInputOrder) {
    const std::vector<rules::LedgerRow> expected = {
        ledgerRow("A保护区", "core", "A-1", "hydropower", "F2"),
        ledgerRow("A保护区", "core", "A-1", "sand_mining", "F1"),
        ledgerRow("A保护区", "buffer", "A-2", "hydropower", "F9"),
        ledgerRow("A保护区", "buffer", "A-2", "hydropower", "F10"),  // natural order: F9 before F10
        ledgerRow("A保护区", "experimental", "A-3", "hydropower", "9"),
        ledgerRow("A保护区", "experimental", "A-3", "hydropower", "010"),  // equal as numbers: text breaks the tie
        ledgerRow("A保护区", "experimental", "A-3", "hydropower", "10"),
        ledgerRow("A保护区", "experimental", "A-3", "hydropower", "X2"),
        ledgerRow("A保护区", "biodiversity", "A-4", "other", "F3"),
        ledgerRow("A保护区", "soil_conservation", "A-5", "other", "F3"),
        ledgerRow("B水源地", "grade1", "B-1", "sewage_outlet", "F4"),
        ledgerRow("B水源地", "quasi", "B-3", "sewage_outlet", "F4"),
    };
    std::vector<rules::LedgerRow> rows = expected;
    std::mt19937 random(7);
    for (int round = 0; round < 5; ++round) {
        std::shuffle(rows.begin(), rows.end(), random);
        rules::sortLedger(rows);
        EXPECT_EQ(ledgerIds(rows), ledgerIds(expected));
    }
}

TEST(Inventory, GroupsAreAreaFeaturesWithCounts) {
    std::vector<rules::LedgerRow> rows = {
        ledgerRow("A", "core", "A-1", "hydropower", "F1"),
        ledgerRow("A", "core", "A-1", "hydropower", "F2", "planned"),
        ledgerRow("A", "core", "A-1", "sand_mining", "F3"),
        ledgerRow("A", "buffer", "A-2", "hydropower", "F4"),
    };
    rules::sortLedger(rows);
    const auto groups = rules::groupLedger(rows);
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].zone, "core");
    EXPECT_EQ(groups[0].first, 0u);
    EXPECT_EQ(groups[0].count, 3u);
    EXPECT_EQ(groups[0].by_category, (std::map<std::string, std::size_t>{{"hydropower", 2}, {"sand_mining", 1}}));
    EXPECT_EQ(groups[0].by_status, (std::map<std::string, std::size_t>{{"existing", 2}, {"planned", 1}}));
    EXPECT_EQ(groups[1].area_id, "A-2");
    EXPECT_EQ(groups[1].first, 3u);
    EXPECT_EQ(groups[1].count, 1u);
}

TEST(Inventory, InFilterQuotesValuesAndFieldNames) {
    EXPECT_EQ(rules::inFilter("zone", {}), "");
    EXPECT_EQ(rules::inFilter("zone", {"core", "buffer"}), "\"zone\" IN ('core', 'buffer')");
    EXPECT_EQ(rules::inFilter("reserve", {"O'Hare 保护区"}), "\"reserve\" IN ('O''Hare 保护区')");
}

TEST(Inventory, RequestValuesAreNormalisedThroughTheSchemaAliases) {
    rules::InventoryRequest r;
    r.area_layer = "reserves";
    r.categories = {"hydro", "水电站", "hydropower", "sand"};
    r.statuses = {"现有"};
    r.zones = {"核心区", "buffer"};
    rules::normaliseInventoryRequest(r, sampleSet());
    EXPECT_EQ(r.categories, (std::vector<std::string>{"hydropower", "sand_mining"}));
    EXPECT_EQ(r.statuses, (std::vector<std::string>{"existing"}));
    EXPECT_EQ(r.zones, (std::vector<std::string>{"core", "buffer"}));

    rules::InventoryRequest w;
    w.area_layer = "water_sources";
    w.zones = {"一级", "准保护区"};
    rules::normaliseInventoryRequest(w, sampleSet());
    EXPECT_EQ(w.zones, (std::vector<std::string>{"grade1", "quasi"}));
}

TEST(Inventory, BadRequestsAreUsageErrorsThatSayWhatIsAllowed) {
    auto usageMessage = [](rules::InventoryRequest r) -> std::string {
        try {
            rules::normaliseInventoryRequest(r, sampleSet());
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Usage) << e.what();
            return e.what();
        }
        ADD_FAILURE() << "no error";
        return "";
    };
    rules::InventoryRequest r = reserves();
    r.categories = {"nuclear"};
    EXPECT_NE(usageMessage(r).find("hydropower"), std::string::npos);
    r = reserves();
    r.zones = {"grade1"};
    EXPECT_NE(usageMessage(r).find("experimental"), std::string::npos);
    r = reserves();
    r.area_layer = "parks";
    EXPECT_NE(usageMessage(r).find("water_sources"), std::string::npos);
    r = reserves();
    r.facility_layer = "reserves";
    EXPECT_NE(usageMessage(r).find("must differ"), std::string::npos);
    r = reserves();
    r.area_layer = "no_breeding";
    r.zones = {"core"};  // the zone schema's kind has no allowed list: any value is a filter
    EXPECT_NO_THROW(rules::normaliseInventoryRequest(r, sampleSet()));
}

TEST(Inventory, TheFirstApplicableRuleInCatalogueOrderNamesTheAction) {
    const Fixture f;
    const auto inv = f.run(reserves());
    EXPECT_EQ(actions(inv), (std::vector<std::string>{
                                "reserves/Z-core/F-foot exit hydro-core", "reserves/Z-core/H-core exit hydro-core",
                                "reserves/Z-core/H-edge exit hydro-core", "reserves/Z-core/L-core close any-core",
                                "reserves/Z-core/L-town restore town-core",  // qualified: inside the town
                                "reserves/Z-buffer/F-foot exit hydro-core",
                                "reserves/Z-buffer/H-edge exit hydro-core",  // boundary counts in both zones
                                "reserves/Z-exp/H-exp rectify hydro-exp",
                                "reserves/Z-exp/L-exp - -",  // inside, but no rule names an action
                            }));
    // The row carries what the ledger needs from the rule and the features.
    const auto& row = inv.rows[1];
    EXPECT_EQ(row.zone, "core");  // the alias 核心区 read as core
    EXPECT_EQ(row.basis, "b-core");
    EXPECT_EQ(row.category, "hydropower");
    EXPECT_EQ(inv.groups.size(), 3u);
    // A footprint's overlap and share; points have none.
    EXPECT_NEAR(inv.rows[0].overlap_share, 0.5, 1e-3);
    EXPECT_GT(inv.rows[0].overlap_m2, 0);
    EXPECT_FALSE(std::isfinite(inv.rows[1].overlap_m2));
}

TEST(Inventory, FiltersNarrowFacilitiesAndAreas) {
    const Fixture f;
    auto request = reserves();
    request.categories = {"hydropower"};
    request.statuses = {"existing"};
    request.zones = {"core"};
    EXPECT_EQ(actions(f.run(request)), (std::vector<std::string>{"reserves/Z-core/H-core exit hydro-core",
                                                                 "reserves/Z-core/H-edge exit hydro-core"}));
    request = reserves();
    request.area_names = {"保护区"};
    request.zones = {"buffer"};
    EXPECT_EQ(actions(f.run(request)), (std::vector<std::string>{"reserves/Z-buffer/F-foot exit hydro-core",
                                                                 "reserves/Z-buffer/H-edge exit hydro-core"}));
    // A name no area has is a mistake, not an empty ledger.
    request = reserves();
    request.area_names = {"不存在"};
    try {
        f.run(request);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find("保护区"), std::string::npos) << e.what();
    }
}

TEST(Inventory, SameLedgerForAnyThreadCount) {
    const Fixture f;
    EXPECT_EQ(actions(f.run(reserves(), 1)), actions(f.run(reserves(), 3)));
}

TEST(Inventory, QualifierLayersAreLoadedWithTheOthers) {
    const Fixture f;
    EXPECT_EQ(rules::inventoryLayers(f.catalogue, reserves()),
              (std::vector<std::string>{"facilities", "reserves", "towns"}));
    EXPECT_EQ(rules::applicableRules(f.catalogue, reserves()), (std::vector<std::size_t>{2, 3, 4, 5}));
}

TEST(InventorySample, ReproducesTheChengkouPlan) {
    const auto& inv = chengkou().inventory;
    ASSERT_EQ(inv.rows.size(), 9u);
    std::map<std::string, std::string> byFacility;  // id -> "zone action"
    for (const auto& r : inv.rows) {
        EXPECT_EQ(r.area_name, "大巴山国家级自然保护区");
        byFacility[r.facility_id] = r.zone + " " + r.action;
    }
    EXPECT_EQ(byFacility["F008"], "core exit");
    EXPECT_EQ(byFacility["F009"], "buffer exit");
    for (const char* id : {"F001", "F002", "F003", "F004", "F005", "F006", "F007"})
        EXPECT_EQ(byFacility[id], "experimental rectify") << id;
    ASSERT_EQ(inv.groups.size(), 3u);
    EXPECT_EQ(inv.groups[2].count, 7u);
}

TEST(InventorySample, HtmlIsWellFormedSelfContainedAndNamesEveryStation) {
    // The checker itself: CPLParseXMLString rejects a tag closed out of order.
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLXMLNode* broken = CPLParseXMLString("<html><body><p>x</body></html>");
    CPLPopErrorHandler();
    EXPECT_EQ(broken, nullptr);
    if (broken) CPLDestroyXMLNode(broken);

    for (auto lang : {output::Language::Zh, output::Language::En}) {
        const std::string html = output::inventoryHtml(chengkou().inventory, lang);
        CPLErrorReset();
        CPLXMLNode* root = CPLParseXMLString(html.c_str());
        ASSERT_NE(root, nullptr) << CPLGetLastErrorMsg();
        EXPECT_NE(CPLGetLastErrorType(), CE_Failure) << CPLGetLastErrorMsg();
        const CPLXMLNode* htmlElement = CPLSearchXMLNode(root, "=html");
        ASSERT_NE(htmlElement, nullptr);
        EXPECT_NE(CPLGetXMLNode(htmlElement, "body"), nullptr);
        CPLDestroyXMLNode(root);
        for (const char* name : {"北屏一级电站", "岚天河电站", "河鱼溪电站", "厚坪电站", "明中河电站",
                                 "高燕二级电站", "东安河电站", "木魁河电站", "树油溪电站"})
            EXPECT_NE(html.find(name), std::string::npos) << name;
        // Nothing loaded from elsewhere.
        for (const char* external : {"src=", "href=", "http:", "https:", "@import", "url("})
            EXPECT_EQ(html.find(external), std::string::npos) << external;
    }
}

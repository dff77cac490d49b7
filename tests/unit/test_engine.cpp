// SPDX-License-Identifier: MIT
// The predicates end to end: layers written from inline WKT, a catalogue, the engine.
#include <gtest/gtest.h>

#include "rules/engine.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace ecozone;
using test::Row;

namespace {

std::map<std::string, std::string> fac(const std::string& id, const std::string& category,
                                       const std::string& status = "planned") {
    return {{"id", id}, {"name", id}, {"category", category}, {"status", status}};
}

std::map<std::string, std::string> river(const std::string& id, const std::string& width, int mainstream) {
    return {{"id", id},
            {"name", id},
            {"width_m", width},
            {"yangtze_mainstream", std::to_string(mainstream)},
            {"yangtze_tributary", std::to_string(1 - mainstream)},
            {"important_tributary", "0"},
            {"main_tributary_list", "0"}};
}

std::map<std::string, std::string> zone(const std::string& id, const std::string& z) {
    return {{"id", id}, {"reserve", "保护区"}, {"zone", z}};
}

struct Run {
    layers::LayerMap layers;
    rules::Catalogue catalogue;
    std::vector<rules::RuleOutcome> outcomes;

    // "rule subject object distance" per violation, distances to the centimetre.
    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        for (const auto& o : outcomes) {
            const auto& r = catalogue.rules[o.rule];
            for (const auto& v : o.violations) {
                char d[32] = "-";
                if (std::isfinite(v.distance_m)) std::snprintf(d, sizeof d, "%.2f", v.distance_m);
                out.push_back(r.id + " " + layers.at(r.subject)->features()[v.subject].id + " " +
                              (v.object ? layers.at(r.object)->features()[*v.object].id : "-") + " " + d);
            }
        }
        return out;
    }
};

const char* kRules = R"(
[[rule]]
id = "near"
title_zh = "近"
title_en = "near"
basis = "b"
predicate = "within_distance"
distance_m = 1000
subject = "facilities"
subject_where = "category = 'chemical_project'"
object = "rivers"
action = "prohibited"
severity = "high"

[[rule]]
id = "core"
title_zh = "核心"
title_en = "core"
basis = "b"
predicate = "inside"
subject = "facilities"
subject_where = "category = 'hydropower'"
object = "reserves"
object_where = "zone = 'core'"
action = "exit"
severity = "high"

[[rule]]
id = "park"
title_zh = "园区"
title_en = "park"
basis = "b"
predicate = "outside"
subject = "facilities"
subject_where = "category = 'industrial_project'"
object = "reserves"
action = "prohibited"
severity = "medium"
)";

Run runOn(const std::vector<Row>& facilities, const std::vector<Row>& rivers, const std::vector<Row>& reserves,
          unsigned threads = 1) {
    const auto dir = test::tempDir();
    test::writeLayer(dir / "facilities.geojson", 4326, facilities, {}, {"id", "name", "category", "status"});
    const std::vector<std::string> flags = {"yangtze_mainstream", "yangtze_tributary", "important_tributary",
                                            "main_tributary_list"};
    std::vector<std::string> riverFields = {"id", "name", "width_m"};
    riverFields.insert(riverFields.end(), flags.begin(), flags.end());
    test::writeLayer(dir / "rivers.gpkg", 4326, rivers, flags, riverFields);
    test::writeLayer(dir / "reserves.gpkg", 4326, reserves, {}, {"id", "reserve", "zone"});
    test::writeText(dir / "rules.toml", kRules);
    Run run;
    run.layers.emplace("facilities",
                       test::load(test::binding("facilities", "facility", dir / "facilities.geojson")));
    run.layers.emplace("rivers", test::load(test::binding("rivers", "river", dir / "rivers.gpkg")));
    run.layers.emplace("reserves", test::load(test::binding("reserves", "reserve_zone", dir / "reserves.gpkg")));
    run.catalogue = rules::loadCatalogue(dir / "rules.toml");
    rules::EngineOptions options;
    options.threads = threads;
    run.outcomes = rules::runCatalogue(run.catalogue, run.layers, options);
    return run;
}

}  // namespace

TEST(Engine, WithinDistanceUsesTheShorelineAndIsInclusive) {
    // Along the equator-parallel 30°N is not a geodesic, so use a meridian: distances east-west from it.
    // A river along the meridian 107°E, 600 m wide. Points east of it on the same latitude.
    geo::Geodesic g;
    auto eastAt = [&](double metres) {
        // Bisect the longitude whose distance from (107, 30) is `metres` on the parallel 30°N; a meridian's
        // nearest point to a point on it is not quite on the same parallel, so measure with the engine's own
        // solver.
        double lo = 107.0, hi = 108.0;
        for (int i = 0; i < 200; ++i) {
            const double mid = (lo + hi) / 2;
            (g.pointToSegment({mid, 30.0}, {{107.0, 29.5}, {107.0, 30.5}}).distance_m < metres ? lo : hi) = mid;
        }
        char wkt[64];
        std::snprintf(wkt, sizeof wkt, "POINT (%.12f 30)", lo);
        return std::string(wkt);
    };
    const auto run = runOn(
        {
            {fac("at", "chemical_project"), eastAt(1300)},             // shoreline exactly 1,000 m
            {fac("in", "chemical_project"), eastAt(1299.5)},           // 999.5 m
            {fac("out", "chemical_project"), eastAt(1300.5)},          // 1,000.5 m
            {fac("water", "chemical_project"), "POINT (107.001 30)"},  // in the river: 0
            {fac("hydro", "hydropower"), eastAt(100)},                 // another category: not covered
        },
        {{river("R1", "600", 1), "LINESTRING (107 29.5, 107 30.5)"}}, {});
    EXPECT_EQ(run.lines(),
              (std::vector<std::string>{"near at R1 1000.00", "near in R1 999.50", "near water R1 0.00"}));
}

TEST(Engine, InsideCountsBoundariesAndReportsOverlap) {
    const auto run = runOn(
        {
            {fac("H1", "hydropower", "existing"), "POINT (108.05 31.05)"},
            {fac("H2", "hydropower", "existing"), "POINT (108.1 31.05)"},  // on the shared boundary
            {fac("H3", "hydropower", "existing"), "POINT (108.3 31.05)"},
            {fac("H4", "hydropower", "existing"),
             "POLYGON ((108.09 31.05, 108.11 31.05, 108.11 31.06, 108.09 31.06, 108.09 31.05))"},
        },
        {},
        {
            {zone("Z-core", "core"), "POLYGON ((108 31, 108.1 31, 108.1 31.1, 108 31.1, 108 31))"},
            {zone("Z-buffer", "buffer"), "POLYGON ((108.1 31, 108.2 31, 108.2 31.1, 108.1 31.1, 108.1 31))"},
        });
    EXPECT_EQ(run.lines(),
              (std::vector<std::string>{"core H1 Z-core 0.00", "core H2 Z-core 0.00", "core H4 Z-core 0.00"}));
    const auto& footprint = run.outcomes[1].violations[2];
    EXPECT_NEAR(footprint.overlap_m2 / footprint.subject_area_m2, 0.5, 1e-3);
}

TEST(Engine, OutsideReportsTheNearestArea) {
    geo::Geodesic g;
    const auto run = runOn(
        {
            {fac("I1", "industrial_project"), "POINT (108.05 31.05)"},  // inside: fine
            {fac("I2", "industrial_project"), "POINT (108.15 31.05)"},  // outside, 0.05° east of the edge
        },
        {}, {{zone("P1", "experimental"), "POLYGON ((108 31, 108.1 31, 108.1 31.1, 108 31.1, 108 31))"}});
    const auto lines = run.lines();
    ASSERT_EQ(lines.size(), 1u);
    const double expected = g.pointToSegment({108.15, 31.05}, {{108.1, 31.0}, {108.1, 31.1}}).distance_m;
    char buf[64];
    std::snprintf(buf, sizeof buf, "park I2 P1 %.2f", expected);
    EXPECT_EQ(lines[0], buf);
}

TEST(Engine, SameResultForAnyThreadCount) {
    std::vector<Row> facilities;
    for (int i = 0; i < 700; ++i) {
        char wkt[64];
        std::snprintf(wkt, sizeof wkt, "POINT (%.6f %.6f)", 106.9 + (i % 37) * 0.006, 29.9 + (i / 37) * 0.01);
        facilities.push_back({fac("F" + std::to_string(i), i % 3 ? "chemical_project" : "hydropower"), wkt});
    }
    const std::vector<Row> rivers = {{river("R1", "500", 1), "LINESTRING (107 29.5, 107.05 30, 107 30.5)"}};
    const std::vector<Row> reserves = {
        {zone("Z1", "core"), "POLYGON ((107 30, 107.1 30, 107.1 30.1, 107 30.1, 107 30))"}};
    const auto one = runOn(facilities, rivers, reserves, 1).lines();
    const auto four = runOn(facilities, rivers, reserves, 4).lines();
    EXPECT_GT(one.size(), 100u);
    EXPECT_EQ(one, four);
}

TEST(Engine, BadFilterNamesTheRule) {
    const auto dir = test::tempDir();
    test::writeLayer(dir / "f.geojson", 4326, {{fac("A", "hydropower"), "POINT (108 31)"}});
    layers::LayerMap layers;
    layers.emplace("facilities", test::load(test::binding("facilities", "facility", dir / "f.geojson")));
    test::writeText(dir / "rules.toml", R"([[rule]]
id = "x"
title_zh = "x"
title_en = "x"
basis = "b"
predicate = "inside"
subject = "facilities"
subject_where = "colour = 'red'"
object = "facilities"
action = "exit"
severity = "high"
)");
    const auto catalogue = rules::loadCatalogue(dir / "rules.toml");
    try {
        rules::runCatalogue(catalogue, layers, {});
        FAIL();
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("rules.toml:8: rule x (subject_where): the filter `colour = 'red'`"), std::string::npos)
            << m;
    }
}

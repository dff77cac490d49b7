// SPDX-License-Identifier: MIT
// The bundled sample against the expectations its generator wrote independently (data-samples/tools, with
// pyproj's geodesic solver): the set of violations per rule, and every shoreline distance it placed.
#include <gtest/gtest.h>

#include <set>

#include "geo/spatial_index.hpp"
#include "rules/engine.hpp"
#include "test_support.hpp"

using namespace ecozone;

namespace {

struct Sample {
    layers::LayerSet set;
    rules::Catalogue catalogue;
    layers::LayerMap layers;
    Sample()
        : set(layers::loadLayerSet(test::repoRoot() / "layers" / "sample.toml")),
          catalogue(rules::loadCatalogue(test::repoRoot() / "queries" / "chongqing.toml")),
          layers(layers::loadLayers(set, rules::layersUsed(catalogue))) {}
};

const Sample& sample() {
    static const Sample s;
    return s;
}

std::vector<std::map<std::string, std::string>> readCsv(const std::filesystem::path& file) {
    GDALAllRegister();
    std::unique_ptr<GDALDataset> ds(
        GDALDataset::Open(file.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    EXPECT_TRUE(ds) << file;
    std::vector<std::map<std::string, std::string>> rows;
    if (!ds) return rows;
    for (auto& f : *ds->GetLayer(0)) {
        std::map<std::string, std::string> row;
        for (int i = 0; i < f->GetFieldCount(); ++i)
            row[f->GetFieldDefnRef(i)->GetNameRef()] = f->GetFieldAsString(i);
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace

TEST(SampleScenario, EveryLayerLoadsWhole) {
    for (const auto& [name, layer] : sample().layers) {
        EXPECT_GT(layer->stats().read, 0u) << name;
        EXPECT_EQ(layer->stats().used, layer->stats().read) << name;
    }
}

TEST(SampleScenario, ViolationsAreThoseTheGeneratorPlanned) {
    rules::EngineOptions options;
    options.threads = 2;
    const auto outcomes = rules::runCatalogue(sample().catalogue, sample().layers, options);
    std::set<std::pair<std::string, std::string>> actual, expected;
    for (const auto& o : outcomes) {
        const auto& rule = sample().catalogue.rules[o.rule];
        for (const auto& v : o.violations)
            actual.insert({rule.id, sample().layers.at(rule.subject)->features()[v.subject].id});
    }
    for (const auto& row : readCsv(test::repoRoot() / "data-samples" / "expected-violations.csv"))
        expected.insert({row.at("rule"), row.at("facility_id")});
    EXPECT_EQ(actual, expected);
}

TEST(SampleScenario, TheChengkouCase) {
    const auto outcomes = rules::runCatalogue(sample().catalogue, sample().layers, {});
    std::map<std::string, std::vector<std::string>> names;
    for (const auto& o : outcomes) {
        const auto& rule = sample().catalogue.rules[o.rule];
        for (const auto& v : o.violations) {
            const auto& reserve = sample().layers.at(rule.object)->features()[*v.object];
            if (rule.id == "hydro-core" || rule.id == "hydro-exp" || rule.id == "reserve-sand") {
                EXPECT_EQ(reserve.name, "大巴山国家级自然保护区") << rule.id;
            }
            names[rule.id].push_back(sample().layers.at(rule.subject)->features()[v.subject].name);
        }
    }
    EXPECT_EQ(names["hydro-core"], (std::vector<std::string>{"木魁河电站", "树油溪电站"}));
    EXPECT_EQ(names["hydro-exp"].size(), 7u);
    EXPECT_EQ(names["reserve-sand"].size(), 2u);
}

TEST(SampleScenario, ShorelineDistancesMatchTheGeneratorsGeodesics) {
    const auto rows = readCsv(test::repoRoot() / "data-samples" / "expected-distances.csv");
    ASSERT_GT(rows.size(), 50u);
    const auto& facilities = *sample().layers.at("facilities");
    const auto& rivers = *sample().layers.at("rivers");
    const geo::Geodesic geodesic;
    for (const auto& row : rows) {
        const rules::Rule* rule = nullptr;
        for (const auto& r : sample().catalogue.rules)
            if (r.id == row.at("rule")) rule = &r;
        ASSERT_TRUE(rule) << row.at("rule");
        const layers::Feature* facility = nullptr;
        for (const auto& f : facilities.features())
            if (f.id == row.at("facility_id")) facility = &f;
        ASSERT_TRUE(facility) << row.at("facility_id");
        const auto members = rivers.select(rule->object_where, rule->id);
        std::vector<geo::IndexedObject> objects;
        for (std::size_t m : members) {
            const auto& f = rivers.features()[m];
            objects.push_back({f.geometry.get(), f.envelope, &f.parts, f.half_width_m});
        }
        geo::ShorelineIndex index(std::move(objects));
        geo::QueryScratch scratch(index.size());
        const auto hit = index.nearest({facility->geometry.get(), facility->envelope, &facility->parts},
                                       std::numeric_limits<double>::infinity(), scratch, geodesic);
        ASSERT_TRUE(hit);
        const double expected = std::stod(row.at("shoreline_distance_m"));
        const std::string what = row.at("facility_id") + " " + row.at("rule") + " " + row.at("river_name");
        if (facility->family != geo::GeometryFamily::Point && expected > 30000) {
            // For footprints and lines more than 30 km away the generator writes only a lower bound.
            EXPECT_GE(hit->nearest.distance_m, expected - 0.02) << what;
            continue;
        }
        EXPECT_NEAR(hit->nearest.distance_m, expected, 0.02) << what;
        if (expected > 0) {
            EXPECT_EQ(rivers.features()[members[hit->object]].name, row.at("river_name")) << what;
        }
    }
}

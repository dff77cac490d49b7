// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "rules/catalogue.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace ecozone;

namespace {

const char* kRule = R"(
[[rule]]
id = "chem-1km"
title_zh = "化工"
title_en = "chemicals"
basis = "doc"
predicate = "within_distance"
distance_m = 1000
subject = "facilities"
object = "rivers"
action = "prohibited"
severity = "high"
)";

std::string errorOf(const std::string& text) {
    const auto file = test::tempDir() / "rules.toml";
    test::writeText(file, text);
    try {
        rules::loadCatalogue(file);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Configuration);
        return std::string(e.what()).substr(file.string().size());
    }
    return "no error";
}

}  // namespace

TEST(Catalogue, TheBundledCatalogueIsValidAndCoversTheSeedRules) {
    const auto c = rules::loadCatalogue(test::repoRoot() / "queries" / "chongqing.toml");
    std::vector<std::string> ids;
    for (const auto& r : c.rules) ids.push_back(r.id);
    for (const char* id :
         {"chem-1km", "tailings-3km", "tailings-1km", "mine-10km", "hydro-core", "hydro-exp", "reserve-sand",
          "outlet-water", "outlet-reserve", "livestock-nobreed", "aquaculture-drawdown", "redline-dev",
          "wujiang-1km", "wujiang-5km", "wujiang-setback-urban", "wujiang-setback-rural", "industry-in-park"})
        EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
    for (const auto& r : c.rules) EXPECT_FALSE(r.basis.empty()) << r.id;
}

TEST(Catalogue, ParsesARule) {
    const auto file = test::tempDir() / "rules.toml";
    test::writeText(file, kRule);
    const auto c = rules::loadCatalogue(file);
    ASSERT_EQ(c.rules.size(), 1u);
    EXPECT_EQ(c.rules[0].predicate, rules::Predicate::WithinDistance);
    EXPECT_EQ(c.rules[0].distance_m, 1000);
    EXPECT_EQ(c.rules[0].origin, file.string() + ":2");
}

TEST(Catalogue, FiltersKnowTheLineOfTheirKey) {
    const auto file = test::tempDir() / "rules.toml";
    test::writeText(file, std::string(kRule) + "subject_where = \"category = 'chemical_project'\"\n");
    const auto c = rules::loadCatalogue(file);
    ASSERT_EQ(c.rules.size(), 1u);
    EXPECT_EQ(c.rules[0].subject_where_origin, file.string() + ":13");
    EXPECT_EQ(c.rules[0].object_where_origin, "");
}

TEST(Catalogue, ErrorsNameTheLineAndKey) {
    std::string text = kRule;
    EXPECT_EQ(errorOf(text + "colour = \"red\"\n").substr(0, 27), ":13: `rule chem-1km.colour`");
    EXPECT_EQ(errorOf(std::string(kRule).replace(text.find("1000"), 4, "-5")),
              ":8: `rule chem-1km.distance_m`: must be a distance of 0 m or more");
    EXPECT_EQ(errorOf(std::string(kRule).replace(text.find("\"prohibited\""), 12, "\"ban\"")),
              ":11: `rule chem-1km.action`: unknown action `ban`; use one of: prohibited, exit, close, rectify, "
              "restore, review");
    EXPECT_EQ(errorOf(std::string(kRule).replace(text.find("distance_m = 1000\n"), 18, "")),
              ":2: `rule chem-1km.distance_m`: missing: within_distance needs a distance in metres");
    EXPECT_EQ(errorOf(text + text),
              ":14: `rule chem-1km.id`: the id `chem-1km` is used twice; ids must be unique");
    EXPECT_EQ(errorOf("[[rule]\n").substr(0, 19), ":1:8: not valid TOM");
}

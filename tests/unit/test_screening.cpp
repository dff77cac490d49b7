// SPDX-License-Identifier: MIT
// Screening proposals on the bundled sample: the findings, and the HTML report's well-formedness.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "output/screening_report.hpp"
#include "rules/screening.hpp"
#include "test_support.hpp"

using namespace ecozone;

namespace {

struct Fixture {
    layers::LayerSet set = layers::loadLayerSet(test::repoRoot() / "layers" / "sample.toml");
    rules::Catalogue catalogue = rules::loadCatalogue(test::repoRoot() / "queries" / "chongqing.toml");
    layers::LayerMap layers;
    std::unique_ptr<layers::Layer> proposals;

    explicit Fixture(const std::vector<test::Row>& rows) {
        std::vector<std::string> needed;
        for (const auto& r : catalogue.rules)
            for (const std::string* n : {&r.object, &r.subject_inside, &r.subject_outside})
                if (!n->empty() && std::find(needed.begin(), needed.end(), *n) == needed.end()) needed.push_back(*n);
        layers = layers::loadLayers(set, needed);
        const auto file = test::tempDir() / "proposals.geojson";
        test::writeLayer(file, 4326, rows);
        proposals = test::load(test::binding("proposals", "facility", file));
    }
    std::vector<rules::Screening> run(unsigned threads = 1) {
        rules::Screener screener(catalogue, layers, *proposals, {"facilities"});
        return screener.run(threads);
    }
    const rules::RuleFinding& finding(const rules::Screening& s, const std::string& id) const {
        for (const auto& f : s.findings)
            if (catalogue.rules[f.rule].id == id) return f;
        throw std::runtime_error("no rule " + id);
    }
};

std::map<std::string, std::string> project(const std::string& id, const std::string& category,
                                           const std::string& status = "planned") {
    return {{"id", id}, {"name", "项目" + id}, {"category", category}, {"status", status}};
}

// Every tag opened is closed, in order (void elements aside).
bool wellFormed(const std::string& html, std::string& problem) {
    static const std::regex tag("<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>");
    std::vector<std::string> open;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator(); ++it) {
        const std::string name = (*it)[2];
        if (name == "meta" || name == "br" || name == "DOCTYPE") continue;
        if ((*it)[1].length() == 0) {
            open.push_back(name);
        } else if (open.empty() || open.back() != name) {
            problem = "</" + name + "> closes " + (open.empty() ? "nothing" : "<" + open.back() + ">");
            return false;
        } else {
            open.pop_back();
        }
    }
    if (!open.empty()) problem = "<" + open.back() + "> is never closed";
    return open.empty();
}

}  // namespace

TEST(Screening, ChemicalPlantsEitherSideOfTheYangtzeKilometre) {
    Fixture f({{project("A", "chemical_project"), "POINT (107.0999555 29.8183021)"},
               {project("B", "chemical_project"), "POINT (107.1062931 29.8084466)"},
               {project("C", "chemical_project", "existing"), "POINT (107.0999555 29.8183021)"}});
    const auto results = f.run();
    ASSERT_EQ(results.size(), 3u);
    const auto& a = f.finding(results[0], "chem-1km");
    EXPECT_TRUE(a.applies);
    EXPECT_FALSE(a.passed);
    EXPECT_NEAR(a.distance_m, 990.0, 0.01);
    EXPECT_NEAR(a.margin_m, -10.0, 0.01);
    EXPECT_EQ(results[0].verdict, rules::Verdict::Prohibited);
    const auto& b = f.finding(results[1], "chem-1km");
    EXPECT_TRUE(b.passed);
    EXPECT_NEAR(b.margin_m, 10.0, 0.01);
    EXPECT_EQ(results[1].verdict, rules::Verdict::Clear);
    // An existing plant is not what the rule covers.
    EXPECT_FALSE(f.finding(results[2], "chem-1km").applies);
    EXPECT_EQ(f.finding(results[2], "chem-1km").not_applicable, "category");
    // Every rule is listed, applicable or not.
    EXPECT_EQ(results[0].findings.size(), f.catalogue.rules.size());
}

TEST(Screening, ZonesAndFootprints) {
    Fixture f({{project("H", "hydropower"), "POINT (108.6358759 32.0566203)"},
               {project("T", "other"),
                "POLYGON ((107.5813302 29.5016426, 107.5784228 29.5025682, 107.5766593 29.4983294, "
                "107.5795665 29.4974037, 107.5813302 29.5016426))"}});
    const auto results = f.run();
    const auto& core = f.finding(results[0], "hydro-core");
    ASSERT_EQ(core.zones.size(), 1u);
    EXPECT_EQ(f.layers.at("reserves")->features()[core.zones[0].feature].klass, "core");
    EXPECT_EQ(results[0].verdict, rules::Verdict::Prohibited);
    // Not in the experimental zone: passes, with the distance to it.
    const auto& exp = f.finding(results[0], "hydro-exp");
    EXPECT_TRUE(exp.passed);
    EXPECT_GT(exp.distance_m, 0.0);
    const auto& red = f.finding(results[1], "redline-dev");
    ASSERT_EQ(red.zones.size(), 1u);
    EXPECT_NEAR(red.zones[0].overlap_share, 0.46, 0.01);
}

TEST(Screening, SameResultsForAnyThreadCount) {
    std::vector<test::Row> rows;
    for (int i = 0; i < 60; ++i) {
        char wkt[64];
        std::snprintf(wkt, sizeof wkt, "POINT (%.5f %.5f)", 106.0 + i * 0.05, 29.3 + (i % 7) * 0.12);
        rows.push_back({project("P" + std::to_string(i), i % 2 ? "chemical_project" : "tailings_pond"), wkt});
    }
    Fixture f(rows);
    const auto one = f.run(1), three = f.run(3);
    ASSERT_EQ(one.size(), three.size());
    for (std::size_t i = 0; i < one.size(); ++i) {
        EXPECT_EQ(one[i].verdict, three[i].verdict);
        for (std::size_t k = 0; k < one[i].findings.size(); ++k)
            EXPECT_EQ(std::isnan(one[i].findings[k].distance_m) ? -1.0 : one[i].findings[k].distance_m,
                      std::isnan(three[i].findings[k].distance_m) ? -1.0 : three[i].findings[k].distance_m);
    }
}

TEST(Screening, ASiteFarOutsideTheLayersIsNotScreenedNorClear) {
    // Longitude and latitude swapped: no rule can say anything about it, so it must not come out clear.
    Fixture f({{project("S", "chemical_project"), "POINT (29.80 30.12)"},
               {project("B", "chemical_project"), "POINT (107.1062931 29.8084466)"}});
    const auto results = f.run();
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].verdict, rules::Verdict::NotScreened);
    ASSERT_TRUE(results[0].covered_area.has_value());
    EXPECT_TRUE(rules::farOutside(f.proposals->features()[0].envelope, *results[0].covered_area));
    EXPECT_TRUE(results[0].decisive.empty());
    ASSERT_EQ(results[0].findings.size(), f.catalogue.rules.size());
    for (const auto& finding : results[0].findings) {
        EXPECT_FALSE(finding.applies);
        EXPECT_EQ(finding.not_applicable, "not_screened");
    }
    EXPECT_EQ(results[1].verdict, rules::Verdict::Clear);
    EXPECT_FALSE(results[1].covered_area.has_value());
    // The worst of the two is not "clear".
    EXPECT_GT(std::max(results[0].verdict, results[1].verdict), rules::Verdict::Clear);
}

TEST(Screening, HtmlReportIsWellFormedAndSelfContained) {
    Fixture f({{project("A", "chemical_project"), "POINT (107.0999555 29.8183021)"},
               {project("T", "other"),
                "POLYGON ((107.5813302 29.5016426, 107.5784228 29.5025682, 107.5766593 29.4983294, "
                "107.5795665 29.4974037, 107.5813302 29.5016426))"}});
    const auto results = f.run();
    for (auto lang : {output::Language::Zh, output::Language::En}) {
        const output::ScreeningContext ctx{f.catalogue, f.layers, *f.proposals, lang, "sample.toml"};
        std::ostringstream html;
        output::writeScreeningHtml(html, ctx, results);
        const std::string text = html.str();
        std::string problem;
        EXPECT_TRUE(wellFormed(text, problem)) << problem;
        EXPECT_EQ(text.find("http"), std::string::npos) << "no external resources";
        EXPECT_NE(text.find("<meta charset=\"utf-8\">"), std::string::npos);
        EXPECT_NE(text.find("chem-1km"), std::string::npos);
        EXPECT_NE(text.find("武陵山水源涵养生态保护红线"), std::string::npos);
        EXPECT_NE(text.find(lang == output::Language::Zh ? "禁止" : "PROHIBITED"), std::string::npos);
    }
}

// SPDX-License-Identifier: MIT
// Maps: the shoreline bands are true geodesic buffers, and the sample's maps (PNG, SVG, PDF, HTML) are written
// whole, the expected size, not blank, with one symbol per violation.
#include <cairo.h>
#include <cpl_minixml.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "output/map_html.hpp"
#include "output/map_scene.hpp"
#include "output/map_static.hpp"
#include "output/map_style.hpp"
#include "output/qgis_style.hpp"
#include "output/violation_table.hpp"
#include "rules/engine.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace ecozone;
using geo::LonLat;

namespace {

struct SampleRun {
    layers::LayerSet set;
    rules::Catalogue catalogue;
    layers::LayerMap layers;
    std::vector<rules::RuleOutcome> outcomes;
    output::MapScene scene;
    SampleRun()
        : set(layers::loadLayerSet(test::repoRoot() / "layers" / "sample.toml")),
          catalogue(rules::loadCatalogue(test::repoRoot() / "queries" / "chongqing.toml")),
          layers(layers::loadLayers(set, rules::layersUsed(catalogue))),
          outcomes(rules::runCatalogue(catalogue, layers, {})),
          scene(output::buildMapScene(catalogue, layers, outcomes, {})) {}
};

const SampleRun& sample() {
    static const SampleRun s;
    return s;
}

std::string readAll(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Filled circles with a white outline in a colour: Cairo writes each as one path whose style starts
// `fill:rgb(...);fill-opacity:1;` and strokes white (footprints are filled translucent, and stroke in colour).
std::size_t symbolsIn(const std::string& svg, const std::string& fill) {
    std::size_t n = 0;
    const std::string start = fill + ";fill-opacity:1;";
    for (auto at = svg.find(start); at != std::string::npos; at = svg.find(start, at + start.size())) {
        const auto end = svg.find('"', at);
        if (svg.substr(at, end - at).find("stroke:rgb(100%,100%,100%)") != std::string::npos) ++n;
    }
    return n;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// Cairo's SVG writes colours as percentages: rgb(83.529412%,0%,0%).
std::string svgColour(const output::Rgba& c) {
    char buf[96];
    auto f = [](double v) {
        const double p = std::round(v * 255) / 255 * 100;
        char b[32];
        if (p == 0 || p == 100)
            std::snprintf(b, sizeof b, "%.0f%%", p);
        else
            std::snprintf(b, sizeof b, "%.6f%%", p);
        return std::string(b);
    };
    std::snprintf(buf, sizeof buf, "fill:rgb(%s,%s,%s)", f(c.r).c_str(), f(c.g).c_str(), f(c.b).c_str());
    return buf;
}

// A colour as QGIS writes it: "r,g,b,a", 0-255.
std::string qgisColour(const output::Rgba& c) {
    auto v = [](double x) { return std::to_string(static_cast<int>(std::lround(x * 255))); };
    return v(c.r) + "," + v(c.g) + "," + v(c.b) + ",255";
}

// Whether a QML document is well-formed XML with a <qgis> root (GDAL's XML parser rejects broken nesting).
bool qmlParses(const std::string& qml) {
    CPLErrorReset();
    CPLXMLNode* root = CPLParseXMLString(qml.c_str());
    const bool ok = root && CPLGetLastErrorType() == CE_None && CPLSearchXMLNode(root, "=qgis") != nullptr;
    if (root) CPLDestroyXMLNode(root);
    return ok;
}

double minDistanceToLine(const geo::Geodesic& g, LonLat p, const std::vector<LonLat>& line) {
    double best = 1e300;
    for (std::size_t i = 0; i + 1 < line.size(); ++i)
        best = std::min(best, g.pointToSegment(p, {line[i], line[i + 1]}).distance_m);
    return best;
}

}  // namespace

TEST(LocalProjection, RoundTripsAndKeepsDistancesFromTheCentre) {
    const output::LocalProjection p({107.5, 29.8});
    const geo::Geodesic g;
    for (const LonLat q : {LonLat{107.6, 29.9}, LonLat{106.9, 29.1}, LonLat{108.3, 30.5}}) {
        const auto [x, y] = p.forward(q);
        EXPECT_NEAR(std::hypot(x, y), g.distance({107.5, 29.8}, q), 1e-6);
        const LonLat back = p.inverse(x, y);
        EXPECT_NEAR(back.lon, q.lon, 1e-9);
        EXPECT_NEAR(back.lat, q.lat, 1e-9);
    }
}

// Every vertex of a band's outline lies the band's distance from the shoreline, to within the documented
// tolerance, for a long line crossing several pieces.
TEST(ShorelineBand, OutlineIsTheDistanceFromTheShoreline) {
    const geo::Geodesic g;
    std::vector<LonLat> line;
    for (int i = 0; i <= 60; ++i) line.push_back({106.0 + i * 0.02, 29.5 + 0.1 * std::sin(i / 6.0)});
    for (double distance : {1000.0, 3000.0, 10000.0}) {
        const double half = 400;
        const double tolerance = std::max(5.0, distance * 0.001);
        const auto band = output::bufferShoreline({line}, {half}, {}, distance, 5.0);
        ASSERT_EQ(band.size(), 1u) << distance;
        std::size_t checked = 0;
        for (const auto& ring : band.front()) {
            for (const auto& v : ring) {
                const double d = minDistanceToLine(g, v, line) - half;
                EXPECT_NEAR(d, distance, tolerance + 5.0) << distance << " at " << v.lon << "," << v.lat;
                ++checked;
            }
        }
        EXPECT_GT(checked, 100u);
    }
}

TEST(ShorelineBand, PolygonBanksAreBufferedFromTheirBoundary) {
    const output::Polygon bank = {{{107.0, 29.0}, {107.05, 29.0}, {107.05, 29.01}, {107.0, 29.01}, {107.0, 29.0}}};
    const auto band = output::bufferShoreline({}, {}, {bank}, 1000, 2);
    ASSERT_EQ(band.size(), 1u);
    ASSERT_EQ(band.front().size(), 1u) << "the bank itself is inside its band: no hole";
    const geo::Geodesic g;
    for (const auto& v : band.front().front()) {
        double d = 1e300;
        for (std::size_t i = 0; i + 1 < bank.front().size(); ++i)
            d = std::min(d, g.pointToSegment(v, {bank.front()[i], bank.front()[i + 1]}).distance_m);
        EXPECT_NEAR(d, 1000, 5);
    }
}

TEST(MapScene, SampleHasEveryViolationAndTheBandsOfTheDistanceRules) {
    const auto& s = sample().scene;
    EXPECT_EQ(s.violations.size(), 52u);
    std::set<double> distances;
    for (const auto& b : s.bands) distances.insert(b.distance_m);
    EXPECT_EQ(distances, (std::set<double>{50, 100, 1000, 3000, 5000, 10000}));
    std::size_t connectors = 0;
    for (const auto& v : s.violations)
        if (v.predicate == rules::Predicate::WithinDistance) {
            ASSERT_TRUE(v.connector) << v.rule_id;
            ++connectors;
            // The connector runs from the facility to the shoreline: its length is the reported distance.
            EXPECT_NEAR(geo::Geodesic().distance(v.connector->first, v.connector->second), v.distance_m,
                        0.5 + v.distance_m * 1e-4)
                << v.rule_id << " " << s.facilities[v.facility].name;
        }
    EXPECT_GT(connectors, 10u);
    bool core = false;
    for (const auto& layer : s.areas)
        if (layer.kind == output::AreaKind::ReserveZone)
            for (const auto& a : layer.areas) core = core || a.klass == "core";
    EXPECT_TRUE(core);
}

TEST(StaticMap, PngIsTheRequestedSizeAndNotBlank) {
    const auto file = test::tempDir() / "sample.png";
    output::StaticMapOptions options;
    options.format = output::StaticFormat::Png;
    options.width_px = 1200;
    options.height_px = 900;
    options.date = "2024-01-01";
    const auto stats = output::writeStaticMap(file, sample().scene, options);
    EXPECT_EQ(stats.violation_symbols, 52u);
    EXPECT_GT(stats.labels, 10u);
    const std::string bytes = readAll(file);
    ASSERT_GT(bytes.size(), 8u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    cairo_surface_t* image = cairo_image_surface_create_from_png(file.c_str());
    ASSERT_EQ(cairo_surface_status(image), CAIRO_STATUS_SUCCESS);
    EXPECT_EQ(cairo_image_surface_get_width(image), 1200);
    EXPECT_EQ(cairo_image_surface_get_height(image), 900);
    // Not blank: many colours, and the severity red among them.
    std::set<uint32_t> colours;
    const unsigned char* data = cairo_image_surface_get_data(image);
    const int stride = cairo_image_surface_get_stride(image);
    for (int y = 0; y < 900; y += 3)
        for (int x = 0; x < 1200; x += 3)
            colours.insert(*reinterpret_cast<const uint32_t*>(data + y * stride + x * 4));
    cairo_surface_destroy(image);
    EXPECT_GT(colours.size(), 50u);
    const auto red = output::severityColour(0);
    const uint32_t argb = 0xff000000u | (static_cast<uint32_t>(std::lround(red.r * 255)) << 16) |
                          (static_cast<uint32_t>(std::lround(red.g * 255)) << 8) |
                          static_cast<uint32_t>(std::lround(red.b * 255));
    EXPECT_TRUE(colours.count(argb));
}

TEST(StaticMap, SvgHoldsOneSymbolPerViolation) {
    const auto file = test::tempDir() / "sample.svg";
    output::StaticMapOptions options;
    options.format = output::StaticFormat::Svg;
    options.date = "2024-01-01";
    const auto stats = output::writeStaticMap(file, sample().scene, options);
    const std::string svg = readAll(file);
    ASSERT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    // Each symbol is one filled path in its severity colour; the legend and the per-rule list add one per entry.
    std::map<int, std::size_t> perRank;
    for (const auto& v : sample().scene.violations) ++perRank[output::severityRank(v.severity)];
    std::set<std::string> rulesByRank[4];
    for (const auto& v : sample().scene.violations)
        rulesByRank[output::severityRank(v.severity)].insert(v.rule_id);
    std::size_t total = 0;
    for (int rank = 0; rank < 3; ++rank) {
        const std::size_t legend = perRank[rank] > 0 ? 1 : 0;
        const std::size_t expected = perRank[rank] + legend + rulesByRank[rank].size() /* per-rule list */;
        EXPECT_EQ(symbolsIn(svg, svgColour(output::severityColour(rank))), expected) << "severity rank " << rank;
        total += perRank[rank];
    }
    EXPECT_EQ(total, 52u);
    EXPECT_EQ(stats.violation_symbols, 52u);
}

TEST(StaticMap, PdfIsAPdf) {
    const auto file = test::tempDir() / "sample.pdf";
    output::StaticMapOptions options;
    options.format = output::StaticFormat::Pdf;
    options.date = "2024-01-01";
    output::writeStaticMap(file, sample().scene, options);
    const std::string pdf = readAll(file);
    ASSERT_GT(pdf.size(), 10000u);
    EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
    EXPECT_NE(pdf.find("%%EOF"), std::string::npos);
    EXPECT_NE(pdf.find("NotoSansCJK"), std::string::npos) << "the CJK font is embedded";
}

TEST(HtmlMap, IsSelfContained) {
    const auto leaflet = std::filesystem::path("/usr/share/javascript/leaflet");
    if (!std::filesystem::exists(leaflet / "leaflet.js")) GTEST_SKIP() << "libjs-leaflet is not installed";
    const auto file = test::tempDir() / "sample.html";
    output::HtmlMapOptions options;
    options.date = "2024-01-01";
    output::writeHtmlMap(file, sample().scene, options);
    const std::string html = readAll(file);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("Leaflet"), std::string::npos);
    // Nothing is fetched: no external script, stylesheet, image or tile.
    EXPECT_EQ(html.find("src=\"http"), std::string::npos);
    EXPECT_EQ(html.find("url(http"), std::string::npos);
    EXPECT_EQ(html.find("{z}/{x}/{y}"), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    EXPECT_EQ(html.find("url(images/"), std::string::npos) << "Leaflet's images are inlined";
    EXPECT_EQ(count(html, "\"rule_id\":"), 52u);
}

TEST(HtmlMap, MissingLeafletIsAClearError) {
    setenv("ECOZONE_LEAFLET_DIR", "/nonexistent-ecozone-leaflet", 1);
    try {
        output::findLeaflet();
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Output);
        EXPECT_NE(std::string(e.what()).find("libjs-leaflet"), std::string::npos);
    }
    unsetenv("ECOZONE_LEAFLET_DIR");
}

TEST(QgisStyle, GeoPackageCarriesTheStaticMapsSymbologyForQgis) {
    const auto file = test::tempDir() / "qgis-style.gpkg";
    const SampleRun& run = sample();
    output::writeViolations(file, run.catalogue, run.layers, run.outcomes);
    GDALAllRegister();
    const auto close = [](GDALDataset* d) { GDALClose(d); };
    std::unique_ptr<GDALDataset, decltype(close)> ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR), close);
    ASSERT_TRUE(ds);
    OGRLayer* violations = ds->GetLayerByName("violations");
    ASSERT_TRUE(violations);
    EXPECT_EQ(violations->GetFeatureCount(), 52);
    // The table has its spatial index (packed once the rows are in, see output/gpkg_rtree.hpp).
    OGRLayer* indexed =
        ds->ExecuteSQL("SELECT HasSpatialIndex('violations', 'geom')", nullptr, nullptr);
    ASSERT_TRUE(indexed);
    std::unique_ptr<OGRFeature> hasIndex(indexed->GetNextFeature());
    ASSERT_TRUE(hasIndex);
    EXPECT_EQ(hasIndex->GetFieldAsInteger(0), 1);
    hasIndex.reset();
    ds->ReleaseResultSet(indexed);
    OGRLayer* styles = ds->GetLayerByName("layer_styles");
    ASSERT_TRUE(styles) << "no layer_styles table";
    EXPECT_EQ(styles->GetGeomType(), wkbNone);
    for (const char* column :
         {"f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML",
          "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"})
        EXPECT_GE(styles->GetLayerDefn()->GetFieldIndex(column), 0) << column;
    ASSERT_EQ(styles->GetFeatureCount(), 1);
    std::unique_ptr<OGRFeature> row(styles->GetNextFeature());
    ASSERT_TRUE(row);
    EXPECT_STREQ(row->GetFieldAsString("f_table_name"), "violations");
    EXPECT_STREQ(row->GetFieldAsString("f_geometry_column"), violations->GetGeometryColumn());
    EXPECT_EQ(row->GetFieldAsInteger("useAsDefault"), 1);
    const std::string qml = row->GetFieldAsString("styleQML");
    EXPECT_TRUE(qmlParses(qml)) << qml;
    for (int rank = 0; rank < 3; ++rank)
        EXPECT_NE(qml.find(qgisColour(output::severityColour(rank))), std::string::npos) << "severity " << rank;
    // The sample's violations are points, lines and footprints: one symbol of each kind per severity.
    EXPECT_NE(qml.find("type=\"RuleRenderer\""), std::string::npos);
    for (const char* kind : {"marker", "line", "fill"})
        EXPECT_EQ(count(qml, std::string("<symbol type=\"") + kind + "\""), 3u) << kind;
    EXPECT_NE(qml.find("fieldName=\"subject_name\""), std::string::npos) << "labelled with the facility's name";
    // A proper GeoPackage table: registered as attributes.
    OGRLayer* contents =
        ds->ExecuteSQL("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'", nullptr, nullptr);
    ASSERT_TRUE(contents);
    std::unique_ptr<OGRFeature> entry(contents->GetNextFeature());
    ASSERT_TRUE(entry);
    EXPECT_STREQ(entry->GetFieldAsString(0), "attributes");
    entry.reset();
    ds->ReleaseResultSet(contents);
}

TEST(QgisStyle, OneGeometryKindIsCategorisedBySeverity) {
    const std::string qml = output::violationsQml({geo::GeometryFamily::Point});
    EXPECT_TRUE(qmlParses(qml)) << qml;
    EXPECT_NE(qml.find("type=\"categorizedSymbol\" attr=\"severity\""), std::string::npos);
    for (const char* severity : {"high", "medium", "low"})
        EXPECT_NE(qml.find(std::string("<category value=\"") + severity + "\""), std::string::npos) << severity;
    EXPECT_EQ(count(qml, "<symbol type=\"marker\""), 3u);
    EXPECT_EQ(qml.find("<symbol type=\"fill\""), std::string::npos);
    for (int rank = 0; rank < 3; ++rank)
        EXPECT_NE(qml.find(qgisColour(output::severityColour(rank))), std::string::npos) << "severity " << rank;
    const std::string polygons = output::violationsQml({geo::GeometryFamily::Polygon});
    EXPECT_TRUE(qmlParses(polygons));
    EXPECT_EQ(count(polygons, "<symbol type=\"fill\""), 3u);
}

namespace {

output::StaticMapStats drawSample(const std::string& name, const geo::Box& bbox,
                                  output::Language lang = output::Language::Zh) {
    output::StaticMapOptions options;
    options.format = output::StaticFormat::Svg;
    options.lang = lang;
    options.date = "2024-01-01";
    options.bbox = bbox;
    return output::writeStaticMap(test::tempDir() / name, sample().scene, options);
}

std::size_t bandEntries(const output::StaticMapStats& stats) {
    return std::count_if(stats.legend.begin(), stats.legend.end(),
                         [](const std::string& l) { return l.find("岸线管控带") != std::string::npos; });
}

bool hasEntry(const output::StaticMapStats& stats, const std::string& label) {
    return std::find(stats.legend.begin(), stats.legend.end(), label) != stats.legend.end();
}

}  // namespace

// The README's Dabashan map: the reserve's 9 hydropower stations (2 in the core or buffer zone, 7 in the
// experimental zone) and its 2 sand-mining sites are drawn, and no shoreline band is in the legend: none reaches
// the view, though the 10 km band's bounding box covers it.
TEST(StaticMap, DabashanHoldsTheReserveViolationsAndNoBand) {
    const auto stats = drawSample("dabashan.svg", {108.44, 31.94, 108.83, 32.22});
    const auto n = [&](const std::string& rule) {
        const auto it = stats.symbols_by_rule.find(rule);
        return it == stats.symbols_by_rule.end() ? std::size_t{0} : it->second;
    };
    EXPECT_EQ(n("hydro-core") + n("hydro-exp"), 9u);
    EXPECT_EQ(n("hydro-core"), 2u);
    EXPECT_EQ(n("reserve-sand"), 2u);
    EXPECT_EQ(n("chem-1km") + n("mine-10km") + n("tailings-1km"), 0u);
    EXPECT_EQ(bandEntries(stats), 0u) << "legend: " << ::testing::PrintToString(stats.legend);
    EXPECT_TRUE(hasEntry(stats, "自然保护区 · 核心区"));
    EXPECT_FALSE(hasEntry(stats, "工业园区")) << "no industrial park is in the view";
}

// The README's Fuling map: the Yangtze and the Wujiang with their 1 km and 3 km bands, both in the legend.
TEST(StaticMap, FulingLegendHoldsTheOneAndThreeKilometreBands) {
    const auto stats = drawSample("fuling.svg", {107.15, 29.45, 107.65, 29.85});
    EXPECT_TRUE(hasEntry(stats, "1 km 岸线管控带")) << ::testing::PrintToString(stats.legend);
    EXPECT_TRUE(hasEntry(stats, "3 km 岸线管控带")) << ::testing::PrintToString(stats.legend);
    EXPECT_GT(stats.violation_symbols, 0u);
}

// A band that covers the whole view is in the legend, one that does not reach it is not; the whole sample lists
// the bands wide enough for its scale.
TEST(StaticMap, BandsInTheLegendAreThoseTheViewShows) {
    const auto& s = sample().scene;
    const output::MapBand* widest = &s.bands.front();
    ASSERT_EQ(widest->distance_m, 10000);
    // The abandoned mine 4 km from the Wujiang: a ~600 m view around it lies inside the 10 km band, with no
    // band outline crossing it, and far from the 1 km band.
    const auto mine = std::find_if(s.violations.begin(), s.violations.end(), [](const output::MapViolation& v) {
        return v.rule_id == "mine-10km" && v.distance_m > 3500 && v.distance_m < 4500;
    });
    ASSERT_NE(mine, s.violations.end());
    const LonLat at = mine->at;
    const double d = 0.003;
    const auto inside = drawSample("inside-band.svg", {at.lon - d, at.lat - d, at.lon + d, at.lat + d});
    EXPECT_TRUE(hasEntry(inside, "10 km 岸线管控带")) << ::testing::PrintToString(inside.legend);
    EXPECT_FALSE(hasEntry(inside, "1 km 岸线管控带")) << ::testing::PrintToString(inside.legend);
    const auto whole = drawSample("whole.svg", s.extent);
    EXPECT_TRUE(hasEntry(whole, "10 km 岸线管控带"));
    EXPECT_FALSE(hasEntry(whole, "50 m 岸线管控带")) << "1.5 px at the municipality's scale is ~80 m";
}

TEST(MapScene, NamedAreasGroupAReservesZones) {
    const auto areas = output::namedAreas(sample().scene);
    std::map<std::string, const output::NamedArea*> reserves;
    for (const auto& a : areas)
        if (a.layer == "reserves") reserves[a.id] = &a;
    ASSERT_EQ(reserves.size(), 2u);
    ASSERT_TRUE(reserves.count("RZ-DBS"));
    ASSERT_TRUE(reserves.count("RZ-JFS"));
    const auto& dbs = *reserves["RZ-DBS"];
    EXPECT_EQ(dbs.name, "大巴山国家级自然保护区");
    EXPECT_EQ(dbs.member_ids.size(), 3u);
    EXPECT_EQ(dbs.outline.size(), 1u) << "the zones' union is one polygon";
    EXPECT_GT(dbs.extent.max_lon, dbs.extent.min_lon);
    // Every hydropower station and sand-mining site of the reserve rules lies within its extent.
    for (const auto& v : sample().scene.violations)
        if (v.object_layer == "reserves" && v.object_id.rfind("RZ-DBS", 0) == 0) {
            EXPECT_GE(v.at.lon, dbs.extent.min_lon);
            EXPECT_LE(v.at.lon, dbs.extent.max_lon);
            EXPECT_GE(v.at.lat, dbs.extent.min_lat);
            EXPECT_LE(v.at.lat, dbs.extent.max_lat);
        }
}

TEST(MapScene, SceneForRuleKeepsThatRulesViolationsOnly) {
    const auto& s = sample().scene;
    std::size_t rule = 0;
    for (const auto& v : s.violations)
        if (v.rule_id == "hydro-exp") rule = v.rule;
    const auto part = output::sceneForRule(s, rule);
    ASSERT_EQ(part.violations.size(), 7u);
    std::multiset<std::string> want, got;
    for (const auto& v : s.violations)
        if (v.rule == rule) want.insert(s.facilities[v.facility].name);
    for (const auto& v : part.violations) {
        EXPECT_EQ(v.rule_id, "hydro-exp");
        ASSERT_LT(v.facility, part.facilities.size());
        got.insert(part.facilities[v.facility].name);
        EXPECT_GE(part.facilities[v.facility].worst_severity, 0);
    }
    EXPECT_EQ(got, want);
    // Facilities that violate only other rules are left out; compliant ones stay.
    std::size_t compliant = 0;
    for (const auto& f : s.facilities) compliant += f.worst_severity < 0;
    std::size_t kept = 0;
    for (const auto& f : part.facilities) kept += f.worst_severity < 0;
    EXPECT_EQ(kept, compliant);
    EXPECT_EQ(part.facilities.size(), compliant + 7);
    const auto box = output::violationsExtent(part.violations);
    for (const auto& v : part.violations) {
        EXPECT_GT(v.at.lon, box.min_lon);
        EXPECT_LT(v.at.lon, box.max_lon);
    }
}

TEST(MapScene, FileStemsAreSafeOnAnyOs) {
    EXPECT_EQ(output::safeFileStem("RZ-DBS"), "RZ-DBS");
    EXPECT_EQ(output::safeFileStem("hydro-core"), "hydro-core");
    EXPECT_EQ(output::safeFileStem("大巴山国家级自然保护区"), "");
    EXPECT_EQ(output::safeFileStem("a/b\\c:d*e?f"), "a_b_c_d_e_f");
    EXPECT_EQ(output::safeFileStem("../etc"), "etc");
    EXPECT_EQ(output::safeFileStem("RL 01."), "RL_01");
}

TEST(StaticMap, FocusAreaIsOutlinedAndInTheLegend) {
    const auto areas = output::namedAreas(sample().scene);
    const auto& jfs =
        *std::find_if(areas.begin(), areas.end(), [](const output::NamedArea& a) { return a.id == "RZ-JFS"; });
    output::StaticMapOptions options;
    options.format = output::StaticFormat::Png;
    options.lang = output::Language::En;
    options.date = "2024-01-01";
    options.bbox = output::widen(jfs.extent, 0.06, 1000);
    options.focus = jfs.outline;
    const auto stats = output::writeStaticMap(test::tempDir() / "jfs.png", sample().scene, options);
    EXPECT_TRUE(hasEntry(stats, "Boundary of the area mapped"));
    EXPECT_EQ(stats.symbols_by_rule.count("outlet-reserve"), 1u);
}

// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <tuple>

#include "geo/chinese_datums.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace ecozone;
using test::Row;

namespace {
std::map<std::string, std::string> facility(const std::string& id, const std::string& category = "hydropower",
                                            const std::string& status = "existing") {
    return {{"id", id}, {"name", "设施" + id}, {"category", category}, {"status", status}};
}
}  // namespace

TEST(Loader, ReadsPointsAndKeepsChineseNames) {
    const auto dir = test::tempDir();
    test::writeLayer(dir / "f.geojson", 4326, {{facility("F1"), "POINT (108.5 31.9)"}});
    auto layer = test::load(test::binding("facilities", "facility", dir / "f.geojson"));
    ASSERT_EQ(layer->features().size(), 1u);
    EXPECT_EQ(layer->features()[0].id, "F1");
    EXPECT_EQ(layer->features()[0].name, "设施F1");
    EXPECT_EQ(layer->features()[0].klass, "hydropower");
    EXPECT_DOUBLE_EQ(layer->features()[0].parts[0][0].lon, 108.5);
    EXPECT_DOUBLE_EQ(layer->features()[0].parts[0][0].lat, 31.9);
}

TEST(Loader, Cgcs2000GeographicAndGaussKrugerLandOnTheSamePlace) {
    const auto dir = test::tempDir();
    // The same point in CGCS2000 geographic, and in CGCS2000 / 3-degree GK CM 108E (EPSG:4545), whose
    // coordinates PROJ gives as (easting, northing) in the traditional order.
    OGRSpatialReference geo, gk;
    geo.importFromEPSG(4490);
    gk.importFromEPSG(4545);
    geo.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    gk.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&geo, &gk));
    double x = 108.25, y = 31.5;
    ASSERT_TRUE(ct->Transform(1, &x, &y));
    EXPECT_NEAR(x, 523777.0, 1000.0);  // east of CM 108E, no zone prefix
    test::writeLayer(dir / "geo.geojson", 4490, {{facility("F1"), "POINT (108.25 31.5)"}});
    test::writeLayer(dir / "gk.gpkg", 4545,
                     {{facility("F1"), "POINT (" + std::to_string(x) + " " + std::to_string(y) + ")"}});
    auto a = test::load(test::binding("facilities", "facility", dir / "geo.geojson"));
    auto b = test::load(test::binding("facilities", "facility", dir / "gk.gpkg"));
    const auto pa = a->features()[0].parts[0][0], pb = b->features()[0].parts[0][0];
    EXPECT_NEAR(pa.lon, 108.25, 1e-9);
    EXPECT_NEAR(pa.lat, 31.5, 1e-9);
    EXPECT_NEAR(pb.lon, 108.25, 1e-7);
    EXPECT_NEAR(pb.lat, 31.5, 1e-7);
}

TEST(Loader, RefusesASourceWithoutCrsUnlessOneIsStated) {
    const auto dir = test::tempDir();
    test::writeLayer(dir / "ledger.csv", 0,
                     {{{{"id", "L1"},
                        {"name", "养殖场"},
                        {"category", "畜禽养殖场"},
                        {"status", "现有"},
                        {"lon", "107.1"},
                        {"lat", "29.8"}},
                       ""}});
    auto b = test::binding("facilities", "facility", dir / "ledger.csv");
    try {
        test::load(b);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Data);
        EXPECT_NE(std::string(e.what()).find("has no CRS"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("--crs facilities=EPSG:4490"), std::string::npos) << e.what();
    }
    b.crs = "EPSG:4490";
    auto layer = test::load(b);
    ASSERT_EQ(layer->features().size(), 1u);
    // Chinese aliases resolve to the schema's values.
    EXPECT_EQ(layer->features()[0].klass, "livestock_farm");
    EXPECT_EQ(layer->features()[0].status, "existing");
    EXPECT_DOUBLE_EQ(layer->features()[0].parts[0][0].lon, 107.1);
}

TEST(Loader, MissingRequiredFieldNamesFileLayerFieldAndAllowedValues) {
    const auto dir = test::tempDir();
    test::writeLayer(
        dir / "r.geojson", 4326,
        {{{{"id", "Z1"}, {"reserve", "大巴山"}}, "POLYGON ((108 31, 108.1 31, 108.1 31.1, 108 31))"}});
    try {
        test::load(test::binding("reserves", "reserve_zone", dir / "r.geojson"));
        FAIL() << "expected an error";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("layer `reserves`"), std::string::npos) << m;
        EXPECT_NE(m.find("r.geojson"), std::string::npos) << m;
        EXPECT_NE(m.find("no field `zone`"), std::string::npos) << m;
        EXPECT_NE(m.find("core, buffer, experimental"), std::string::npos) << m;
    }
}

TEST(Loader, EveryFeatureIsUsedOrSkippedWithAReason) {
    const auto dir = test::tempDir();
    test::writeLayer(dir / "f.geojson", 4326,
                     {
                         {facility("ok"), "POINT (108.5 31.9)"},
                         {facility("nogeom"), ""},
                         {facility("badcat", "spaceport"), "POINT (108.5 31.9)"},
                         {facility("bowtie"), "POLYGON ((108 31, 108.1 31.1, 108.1 31, 108 31.1, 108 31))"},
                         {facility("collapsed"), "POLYGON ((108 31, 108.1 31, 108.2 31, 108 31))"},
                     });
    auto layer = test::load(test::binding("facilities", "facility", dir / "f.geojson"));
    const auto& s = layer->stats();
    EXPECT_EQ(s.read, 5u);
    EXPECT_EQ(s.used + s.skipped.size(), s.read);
    ASSERT_EQ(s.used, 2u);
    EXPECT_EQ(layer->features()[0].id, "ok");
    EXPECT_EQ(layer->features()[1].id, "bowtie");
    EXPECT_EQ(layer->features()[1].family, geo::GeometryFamily::Polygon);
    ASSERT_EQ(s.repaired.size(), 1u);
    EXPECT_NE(s.repaired[0].what.find("Self-intersection"), std::string::npos) << s.repaired[0].what;
    ASSERT_EQ(s.skipped.size(), 3u);
    EXPECT_EQ(s.skipped[0].reason, "empty geometry");
    EXPECT_NE(s.skipped[1].reason.find("`spaceport` is not one of the allowed values"), std::string::npos);
    EXPECT_NE(s.skipped[2].reason.find("collapses"), std::string::npos) << s.skipped[2].reason;
}

TEST(Loader, UnclosedRingsAreClosedAndCounted) {
    const auto dir = test::tempDir();
    test::writeText(dir / "open.geojson", R"({"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"id":"Z1","name":"红线","function":"水源涵养"},
       "geometry":{"type":"Polygon","coordinates":[[[108,31],[108.1,31],[108.1,31.1],[108,31.1]]]}}]})");
    auto layer = test::load(test::binding("redlines", "redline", dir / "open.geojson"));
    ASSERT_EQ(layer->features().size(), 1u);
    EXPECT_EQ(layer->features()[0].klass, "water_conservation");
    ASSERT_EQ(layer->stats().repaired.size(), 1u);
    EXPECT_EQ(layer->stats().repaired[0].what, "unclosed ring closed");
}

TEST(Loader, SelectUsesOgrSqlAndReportsBadFilters) {
    const auto dir = test::tempDir();
    test::writeLayer(dir / "f.geojson", 4326,
                     {{facility("A", "chemical_project", "planned"), "POINT (108 31)"},
                      {facility("B", "化工项目", "扩建"), "POINT (108 31)"},
                      {facility("C", "hydropower", "existing"), "POINT (108 31)"}});
    auto layer = test::load(test::binding("facilities", "facility", dir / "f.geojson"));
    // The alias is matched by its normalised value.
    EXPECT_EQ(layer->select("category = 'chemical_project' AND status IN ('planned', 'expansion')", "t"),
              (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(layer->select("", "t").size(), 3u);
    EXPECT_THROW(layer->select("category = = 'x'", "rule x"), Error);
    EXPECT_THROW(layer->select("no_such_field = 1", "rule x"), Error);
}

TEST(Loader, SelectAnswersAsGdalDoesRowByRow) {
    // select() evaluates each distinct combination of the named fields once; GDAL's own attribute filter on the
    // source, row by row, is the oracle. Values repeat, differ in case, are null or absent, and some filters name
    // FID, which select() must not memoise. Dates and lists go through the packed rows too.
    const auto dir = test::tempDir();
    std::string json = R"({"type":"FeatureCollection","features":[)";
    const char* kinds[] = {"\"a\"", "\"A\"", "\"b\"", "null", "\"bc\"", "\"\""};
    for (int i = 0; i < 300; ++i) {
        const std::string since = i % 9 == 0 ? "null"
                                             : "\"202" + std::to_string(i % 5) + "-0" + std::to_string(1 + i % 8) +
                                                   "-1" + std::to_string(i % 10) + "\"";
        json += std::string(i ? "," : "") + R"({"type":"Feature","properties":{"id":"F)" + std::to_string(i) +
                R"(","name":"n","category":"hydropower","status":"existing","kind":)" + kinds[i % 6] +
                (i % 7 == 0 ? "" : R"(,"n":)" + std::to_string(i % 5)) + R"(,"x":)" + std::to_string(i % 4 * 0.5) +
                R"(,"since":)" + since + R"(,"tags":["t)" + std::to_string(i % 3) + R"(","u"],"codes":[)" +
                std::to_string(i % 4) + R"(,7]},"geometry":{"type":"Point","coordinates":[108,31]}})";
    }
    test::writeText(dir / "f.geojson", json + "]}");
    auto layer = test::load(test::binding("facilities", "facility", dir / "f.geojson"));
    ASSERT_EQ(layer->features().size(), 300u);
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open((dir / "f.geojson").string().c_str(), GDAL_OF_VECTOR));
    OGRLayer* source = ds->GetLayer(0);
    const OGRFeatureDefn* defn = source->GetLayerDefn();
    ASSERT_EQ(defn->GetFieldDefn(defn->GetFieldIndex("since"))->GetType(), OFTDate);
    ASSERT_EQ(defn->GetFieldDefn(defn->GetFieldIndex("tags"))->GetType(), OFTStringList);
    ASSERT_EQ(defn->GetFieldDefn(defn->GetFieldIndex("codes"))->GetType(), OFTIntegerList);
    // One at a time, and all in one pass (with a repeat and an empty filter among them).
    std::vector<layers::Layer::Filter> filters;
    std::vector<std::vector<std::size_t>> expected;
    for (const char* where : {"kind = 'a'", "kind = 'A'", "kind IS NULL", "kind <> 'a'", "NOT (kind = 'b')",
                              "n > 2 OR kind LIKE 'b%'", "n IS NULL AND x >= 1", "x BETWEEN 0.5 AND 1.2",
                              "kind IN ('a', '') AND n <> 3", "FID = 3 OR FID > 290", "FID < 10 AND kind = 'b'",
                              "kind = 'a'", "since >= '2022-03-01'", "since IS NULL OR n = 1",
                              "FID > 100 AND since < '2021-05-15'", ""}) {
        ASSERT_EQ(source->SetAttributeFilter(*where ? where : nullptr), OGRERR_NONE) << where;
        expected.emplace_back();
        source->ResetReading();
        for (auto& f : *source) expected.back().push_back(static_cast<std::size_t>(f->GetFID()));
        EXPECT_EQ(layer->select(where, "t"), expected.back()) << where;
        EXPECT_FALSE(expected.back().empty()) << where;
        filters.push_back({where, "t"});
    }
    EXPECT_EQ(layer->selectEach(filters), expected);
}

TEST(Loader, EverySupportedCrsLandsOnTheSamePlace) {
    // One point in Chongqing written in each CRS users' data comes in, read back in WGS84 lon/lat.
    const auto dir = test::tempDir();
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const double lon = 107.6, lat = 29.7;
    // 4326 WGS84, 4490 CGCS2000, 4545 and 4544 CGCS2000 3-degree GK CM 108E / 105E without zone prefix, 4524
    // CGCS2000 3-degree GK zone 36 (CM 108E) with the zone prefix, 32648 / 32649 UTM 48N / 49N.
    for (int epsg : {4326, 4490, 4545, 4544, 4524, 32648, 32649}) {
        OGRSpatialReference target;
        target.importFromEPSG(epsg);
        target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs84, &target));
        double x = lon, y = lat;
        ASSERT_TRUE(ct->Transform(1, &x, &y)) << epsg;
        if (epsg == 4524) {
            EXPECT_GT(x, 36000000.0);  // the zone prefix is in the easting
        }
        char wkt[96];
        std::snprintf(wkt, sizeof wkt, "POINT (%.6f %.6f)", x, y);
        const auto file = dir / ("p" + std::to_string(epsg) + ".gpkg");
        test::writeLayer(file, epsg, {{facility("F1"), wkt}});
        auto layer = test::load(test::binding("facilities", "facility", file));
        ASSERT_EQ(layer->features().size(), 1u) << epsg;
        const auto p = layer->features()[0].parts[0][0];
        EXPECT_NEAR(p.lon, lon, 2e-8) << epsg;  // 1e-6 m in metric CRSs is ~1e-11°; 2e-8° is 2 mm
        EXPECT_NEAR(p.lat, lat, 2e-8) << epsg;
    }
}

TEST(Loader, ReadsTheFormatsCountyDataComesIn) {
    // GeoPackage, Shapefile, FlatGeobuf, an ArcGIS File Geodatabase, and an Excel ledger with lon/lat columns.
    const auto dir = test::tempDir();
    const std::vector<Row> rows = {{facility("F1", "水电站", "现有"), "POINT (108.5 31.9)"},
                                   {facility("F2", "sand_mining", "existing"), "POINT (108.6 31.8)"}};
    for (const char* name : {"f.gpkg", "f.shp", "f.fgb", "f.gdb"}) {
        test::writeLayer(dir / name, 4490, rows);
        auto layer = test::load(test::binding("facilities", "facility", dir / name));
        ASSERT_EQ(layer->features().size(), 2u)
            << name << ": " << (layer->stats().skipped.empty() ? "" : layer->stats().skipped[0].reason);
        // FlatGeobuf returns features in its spatial index's order: find them by id.
        const auto& fs = layer->features();
        const auto& f1 = fs[0].id == "F1" ? fs[0] : fs[1];
        const auto& f2 = fs[0].id == "F1" ? fs[1] : fs[0];
        EXPECT_EQ(f1.name, "设施F1") << name;
        EXPECT_EQ(f1.klass, "hydropower") << name;
        EXPECT_NEAR(f2.parts[0][0].lon, 108.6, 1e-9) << name;
    }
    std::vector<Row> ledger;
    for (const auto& r : rows) {
        Row l{r.fields, ""};
        l.fields["经度"] = r.wkt.substr(7, 5);
        l.fields["纬度"] = r.wkt.substr(13, 4);
        ledger.push_back(l);
    }
    test::writeLayer(dir / "ledger.xlsx", 0, ledger);
    auto b = test::binding("facilities", "facility", dir / "ledger.xlsx");
    b.crs = "EPSG:4490";
    auto layer = test::load(b);
    ASSERT_EQ(layer->features().size(), 2u);
    EXPECT_EQ(layer->features()[0].klass, "hydropower");
    EXPECT_DOUBLE_EQ(layer->features()[1].parts[0][0].lon, 108.6);
    EXPECT_DOUBLE_EQ(layer->features()[1].parts[0][0].lat, 31.8);
}

TEST(Loader, NumericValuesInTextFieldsAreReadAsText) {
    // Spreadsheets, GeoPackages and Shapefiles often carry ids and names as numbers.
    const auto dir = test::tempDir();
    test::writeText(dir / "n.geojson", R"({"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"id":101,"name":12345,"category":"hydropower","status":"existing","code":7},
       "geometry":{"type":"Point","coordinates":[108.5,31.9]}}]})");
    auto layer = test::load(test::binding("facilities", "facility", dir / "n.geojson"));
    ASSERT_EQ(layer->features().size(), 1u);
    EXPECT_EQ(layer->features()[0].id, "101");
    EXPECT_EQ(layer->features()[0].name, "12345");
    EXPECT_EQ(layer->select("code = 7 AND id = '101'", "t"), (std::vector<std::size_t>{0}));
}

namespace {
// A Shapefile of one hydropower station whose text is GBK, as county data often comes: with a .cpg, without one,
// or with the DBF language-driver byte 0x4D (CP936) and no .cpg.
std::filesystem::path gbkShapefile(const std::filesystem::path& dir, const std::string& variant) {
    GDALAllRegister();
    const auto file = dir / (variant + ".shp");
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
    std::unique_ptr<GDALDataset> ds(driver->Create(file.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    OGRSpatialReference srs;
    srs.importFromEPSG(4490);
    char** options = CSLSetNameValue(nullptr, "ENCODING", "CP936");
    OGRLayer* layer = ds->CreateLayer(variant.c_str(), &srs, wkbPoint, options);
    CSLDestroy(options);
    for (const char* name : {"id", "name", "category", "status"}) {
        OGRFieldDefn def(name, OFTString);
        layer->CreateField(&def);
    }
    OGRFeature f(layer->GetLayerDefn());
    f.SetField("id", "F1");
    f.SetField("name", "木魁河电站");
    f.SetField("category", "水电站");
    f.SetField("status", "现有");
    f.SetGeometryDirectly(new OGRPoint(108.6358759, 32.0566203));
    layer->CreateFeature(&f);
    ds.reset();
    const auto dbf = dir / (variant + ".dbf");
    if (variant != "cpg") std::filesystem::remove(dir / (variant + ".cpg"));
    if (variant == "ldid" || variant == "broken") {
        std::fstream io(dbf, std::ios::in | std::ios::out | std::ios::binary);
        io.seekp(29);
        io.put(static_cast<char>(0x4D));
    }
    if (variant == "broken") {
        // Spoil the name's first byte pair: 0xFF is not a GBK lead byte.
        std::ifstream in(dbf, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        in.close();
        const std::string gbk = "\xc4\xbe";  // 木 in GBK
        const auto at = bytes.find(gbk);
        bytes[at] = static_cast<char>(0xFF);
        bytes[at + 1] = static_cast<char>(0xFF);
        std::ofstream(dbf, std::ios::binary) << bytes;
    }
    if (variant == "gb18030") {
        // 木魁 (4 bytes in GBK) becomes 㐀 (U+3400, CJK Extension A), whose 4-byte form exists in GB18030 only.
        std::ifstream in(dbf, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        in.close();
        const auto at = bytes.find("\xc4\xbe");
        bytes.replace(at, 4, "\x81\x39\xee\x39");
        std::ofstream(dbf, std::ios::binary) << bytes;
    }
    return file;
}
}  // namespace

TEST(Loader, GbkShapefilesWithCpgWithoutCpgAndWithTheLanguageDriverByte) {
    const auto dir = test::tempDir();
    for (const char* variant : {"cpg", "nocpg", "ldid"}) {
        auto layer = test::load(test::binding("facilities", "facility", gbkShapefile(dir, variant)));
        ASSERT_EQ(layer->features().size(), 1u) << variant << ": "
                                                << (layer->stats().skipped.empty() ? "" : layer->stats().skipped[0].reason);
        EXPECT_EQ(layer->features()[0].name, "木魁河电站") << variant;
        EXPECT_EQ(layer->features()[0].klass, "hydropower") << variant;
        EXPECT_EQ(layer->select("name = '木魁河电站'", "t").size(), 1u) << variant;
    }
}

TEST(Loader, TextWithoutADeclaredEncodingIsReadAsGb18030SoCharactersGbkLacksDecode) {
    const auto dir = test::tempDir();
    auto layer = test::load(test::binding("facilities", "facility", gbkShapefile(dir, "gb18030")));
    ASSERT_EQ(layer->features().size(), 1u) << (layer->stats().skipped.empty() ? "" : layer->stats().skipped[0].reason);
    EXPECT_EQ(layer->features()[0].name, "㐀河电站");
    ASSERT_EQ(layer->stats().warnings.size(), 1u);
    EXPECT_NE(layer->stats().warnings[0].find("read as GB18030 (GBK, CP936)"), std::string::npos)
        << layer->stats().warnings[0];
    // Stated as CP936, the same bytes do not decode, and the feature is skipped with the encoding named.
    auto binding = test::binding("facilities", "facility", gbkShapefile(dir, "gb18030"));
    binding.encoding = "CP936";
    auto stated = test::load(binding);
    ASSERT_EQ(stated->stats().skipped.size(), 1u);
    EXPECT_NE(stated->stats().skipped[0].reason.find("not valid CP936"), std::string::npos);
}

TEST(Loader, AStatedEncodingWinsAndUndecodableTextIsReportedNotReplaced) {
    const auto dir = test::tempDir();
    auto binding = test::binding("facilities", "facility", gbkShapefile(dir, "nocpg"));
    binding.encoding = "CP936";
    EXPECT_EQ(test::load(binding)->features()[0].name, "木魁河电站");
    binding.encoding = "NO-SUCH-ENCODING";
    EXPECT_THROW(test::load(binding), Error);
    auto broken = test::load(test::binding("facilities", "facility", gbkShapefile(dir, "broken")));
    EXPECT_EQ(broken->features().size(), 0u);
    ASSERT_EQ(broken->stats().skipped.size(), 1u);
    EXPECT_EQ(broken->stats().skipped[0].id, "F1");
    EXPECT_EQ(broken->stats().skipped[0].reason,
              "field `name` holds bytes that are not valid CP936 (ff ff bf fd ba d3 b5 e7 d5 be); fix the value, or the "
              "layer's encoding");
}

TEST(Loader, WarnsWhenALayerLiesOutsideItsCrsOrLooksSwapped) {
    const auto dir = test::tempDir();
    // CGCS2000 geographic with latitude and longitude swapped, as (31.9, 108.5) typed into x and y... which is
    // impossible (latitude 108.5), so each feature is skipped with the hint; and a Gauss-Kruger layer (CM 108E)
    // given coordinates of the next zone east lies outside its area of use.
    test::writeLayer(dir / "swapped.geojson", 4490, {{facility("S1"), "POINT (31.9 108.5)"}});
    auto swapped = test::load(test::binding("facilities", "facility", dir / "swapped.geojson"));
    ASSERT_EQ(swapped->stats().skipped.size(), 1u);
    EXPECT_NE(swapped->stats().skipped[0].reason.find("swapped"), std::string::npos)
        << swapped->stats().skipped[0].reason;
    // EPSG:4545 is CM 108E; an easting of 1,200 km lands near 115°E, far east of its 106.5–109.5°E.
    test::writeLayer(dir / "east.gpkg", 4545, {{facility("E1"), "POINT (1200000 3500000)"}});
    auto east = test::load(test::binding("facilities", "facility", dir / "east.gpkg"));
    ASSERT_EQ(east->features().size(), 1u);
    ASSERT_EQ(east->stats().warnings.size(), 1u);
    EXPECT_NE(east->stats().warnings[0].find("lie outside the area of use of CGCS2000 / 3-degree Gauss-Kruger CM 108E"),
              std::string::npos)
        << east->stats().warnings[0];
    // A point in Chongqing in a CRS covering China, but written as (lat, lon) that stays within ranges.
    test::writeLayer(dir / "swap2.geojson", 4490, {{facility("S2"), "POINT (29.8 80.1)"}});
    auto swap2 = test::load(test::binding("facilities", "facility", dir / "swap2.geojson"));
    ASSERT_EQ(swap2->features().size(), 1u);
    ASSERT_EQ(swap2->stats().warnings.size(), 1u);
    EXPECT_NE(swap2->stats().warnings[0].find("swapped they would fall inside it"), std::string::npos)
        << swap2->stats().warnings[0];
    // Right data: no warning.
    test::writeLayer(dir / "ok.geojson", 4490, {{facility("O1"), "POINT (108.5 31.9)"}});
    EXPECT_TRUE(test::load(test::binding("facilities", "facility", dir / "ok.geojson"))->stats().warnings.empty());
}

namespace {
std::vector<std::string> warningsAbout(const layers::Layer& layer, const std::string& text) {
    std::vector<std::string> out;
    for (const auto& w : layer.stats().warnings)
        if (w.find(text) != std::string::npos) out.push_back(w);
    return out;
}
}  // namespace

TEST(Loader, WarnsWhenPointsLoadedWithoutDatumSitAtTheGcj02OffsetFromTheRivers) {
    const auto dir = test::tempDir();
    // Outlets and a station on the rivers' shorelines, as picked on a GCJ-02 web map (the corpus case's fixture).
    const auto picked = test::repoRoot() / "tests" / "corpus" / "cases" / "gcj02-undeclared-outlets" / "facilities.geojson";
    auto loadWith = [&](const std::filesystem::path& source, const std::string& datum) {
        layers::LayerSet set = layers::loadLayerSet(test::repoRoot() / "layers" / "sample.toml");
        layers::overrideLayer(set, "facilities=" + source.string());
        if (!datum.empty()) layers::overrideDatum(set, "facilities=" + datum);
        return layers::loadLayers(set, {"facilities", "rivers"});
    };
    auto undeclared = loadWith(picked, "");
    const auto hits = warningsAbout(*undeclared.at("facilities"), "look like GCJ-02");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_NE(hits[0].find("give --datum facilities=gcj02 if they were picked on such a map"), std::string::npos)
        << hits[0];
    EXPECT_TRUE(warningsAbout(*undeclared.at("rivers"), "look like").empty());
    // Declared: converted, no warning.
    EXPECT_TRUE(warningsAbout(*loadWith(picked, "gcj02").at("facilities"), "look like").empty());
    // The same points converted back with the project's own conversion, given as WGS84: no warning.
    std::vector<test::Row> rows;
    for (const auto& f : undeclared.at("facilities")->features()) {
        const geo::LonLat p = geo::gcj02ToWgs84(f.parts[0][0]);
        char wkt[96];
        std::snprintf(wkt, sizeof wkt, "POINT (%.9f %.9f)", p.lon, p.lat);
        rows.push_back({{{"id", f.id}, {"name", f.name}, {"category", f.klass}, {"status", f.status}}, wkt});
    }
    test::writeLayer(dir / "wgs84.geojson", 4326, rows);
    EXPECT_TRUE(warningsAbout(*loadWith(dir / "wgs84.geojson", "").at("facilities"), "look like").empty());
    // The sample's facilities (WGS84) get no warning either.
    EXPECT_TRUE(
        warningsAbout(*loadWith(test::repoRoot() / "data-samples" / "facilities.geojson", "").at("facilities"), "look like")
            .empty());
}

TEST(Loader, WarnsThatXian1980AndBeijing1954GetNoDatumShiftButLoadsThem) {
    const auto dir = test::tempDir();
    // Geographic Beijing 1954 and Xian 1980, and their Gauss-Kruger projections, around Chongqing.
    for (const auto& [epsg, wkt, datum] : std::vector<std::tuple<int, std::string, std::string>>{
             {4214, "POINT (106.55 29.56)", "Beijing 1954"},
             {4610, "POINT (106.55 29.56)", "Xian 1980"},
             {2381, "POINT (500000 3300000)", "Xian 1980"},          // Xian 1980 / 3-degree GK CM 108E
             {2433, "POINT (500000 3300000)", "Beijing 1954"},       // Beijing 1954 / 3-degree GK CM 108E
             {21458, "POINT (560000 3300000)", "Beijing 1954"}}) {  // Beijing 1954 / Gauss-Kruger CM 105E
        const auto file = dir / ("p" + std::to_string(epsg) + ".gpkg");
        test::writeLayer(file, epsg, {{facility("X1"), wkt}});
        auto layer = test::load(test::binding("facilities", "facility", file));
        ASSERT_EQ(layer->features().size(), 1u) << epsg;
        const auto hits = warningsAbout(*layer, "is on the " + datum + " datum");
        ASSERT_EQ(hits.size(), 1u) << epsg;
        EXPECT_NE(hits[0].find("--crs facilities='+proj=... +towgs84="), std::string::npos) << hits[0];
        EXPECT_NE(hits[0].find("EPSG:" + std::to_string(epsg)), std::string::npos) << hits[0];
    }
    // CGCS2000 (also a ballpark to WGS84, but well under a metre) and a stated +towgs84: no such warning.
    test::writeLayer(dir / "cgcs.geojson", 4490, {{facility("C1"), "POINT (106.55 29.56)"}});
    EXPECT_TRUE(warningsAbout(*test::load(test::binding("facilities", "facility", dir / "cgcs.geojson")), "datum").empty());
    test::writeLayer(dir / "none.csv", 0, {{{{"id", "T1"}, {"name", "n"}, {"category", "hydropower"},
                                             {"status", "existing"}, {"lon", "106.55"}, {"lat", "29.56"}}, ""}});
    auto b = test::binding("facilities", "facility", dir / "none.csv");
    b.crs = "+proj=longlat +ellps=IAU76 +towgs84=24,-123,-94,0.02,-0.25,-0.13,1.1 +no_defs";
    auto stated = test::load(b);
    ASSERT_EQ(stated->features().size(), 1u);
    EXPECT_TRUE(warningsAbout(*stated, "datum").empty()) << stated->stats().warnings.front();
}

TEST(Loader, ClockwiseShellsAndRepeatedVerticesAreAcceptedAsTheyAre) {
    // Neither is invalid for GEOS, nor changes an inside test or a distance (a zero-length segment adds nothing),
    // so they are used as they come, not counted as repairs (docs/robustness.md).
    const auto dir = test::tempDir();
    test::writeLayer(dir / "z.geojson", 4326,
                     {{{{"name", "cw"}}, "POLYGON ((108 31, 108 32, 109 32, 109 32, 109 31, 108 31))"}});
    auto layer = test::load(test::binding("no_breeding", "zone", dir / "z.geojson"));
    ASSERT_EQ(layer->features().size(), 1u);
    EXPECT_TRUE(layer->stats().repaired.empty());
    EXPECT_EQ(layer->features()[0].parts[0].size(), 6u);  // the repeated vertex is kept
    geo::GeosContext geos;
    GEOSGeometry* p = GEOSGeom_createPointFromXY_r(geos.get(), 108.5, 31.5);
    EXPECT_EQ(GEOSContains_r(geos.get(), layer->features()[0].geometry.get(), p), 1);
    GEOSGeom_destroy_r(geos.get(), p);
}

TEST(Loader, LayersReadSideBySideReportInTheOrderNamed) {
    // Layers are read on several threads; their messages and the first error come out in the order of the names
    // given, as if read one after another. Two broken sources: the error is the first named one's, whichever
    // thread failed first, and the warning of a layer named before it is written before the error.
    const auto dir = test::tempDir();
    test::writeLayer(dir / "empty.geojson", 4326, {});
    test::writeText(dir / "broken-a.geojson", "{ not json");
    test::writeText(dir / "broken-b.geojson", "{ not json either");
    layers::LayerSet set = layers::loadLayerSet(test::repoRoot() / "layers" / "sample.toml");
    layers::overrideLayer(set, "redlines=" + (dir / "empty.geojson").string());
    layers::overrideLayer(set, "rivers=" + (dir / "broken-b.geojson").string());
    layers::overrideLayer(set, "facilities=" + (dir / "broken-a.geojson").string());
    for (int round = 0; round < 5; ++round) {
        testing::internal::CaptureStderr();
        std::string error;
        try {
            layers::loadLayers(set, {"redlines", "facilities", "reserves", "rivers"});
        } catch (const Error& e) {
            error = e.what();
        }
        const std::string said = testing::internal::GetCapturedStderr();
        EXPECT_NE(error.find("broken-a.geojson"), std::string::npos) << error;
        EXPECT_NE(said.find("empty.geojson` holds no features"), std::string::npos) << said;
    }
    // Every layer read, the warnings in the order named.
    layers::overrideLayer(set, "rivers=" + (dir / "empty.geojson").string());
    layers::overrideLayer(set, "facilities=" + (dir / "empty.geojson").string());
    testing::internal::CaptureStderr();
    const auto loaded = layers::loadLayers(set, {"rivers", "reserves", "facilities", "redlines"});
    const std::string said = testing::internal::GetCapturedStderr();
    EXPECT_EQ(loaded.size(), 4u);
    const auto rivers = said.find("layer `rivers`"), facilities = said.find("layer `facilities`"),
               redlines = said.find("layer `redlines`");
    ASSERT_NE(redlines, std::string::npos) << said;
    EXPECT_LT(rivers, facilities);
    EXPECT_LT(facilities, redlines);
}

TEST(Loader, FidInAFilterCountsOverTheWholeLayerWhenReadInParts) {
    const auto dir = test::tempDir();
    std::vector<test::Row> rows;
    for (int i = 0; i < 5; ++i) rows.push_back({facility("F" + std::to_string(i)), "POINT (108 31)"});
    test::writeLayer(dir / "f.geojson", 4326, rows);
    const auto b = test::binding("facilities", "facility", dir / "f.geojson");
    layers::LayerStream stream(b, test::schemas().at(b.schema));
    std::vector<std::string> ids;
    stream.prefetch(2);
    while (auto part = stream.next(2)) {
        stream.prefetch(2);
        for (std::size_t i : part->select("FID >= 3 OR FID = 0", "t")) ids.push_back(part->features()[i].id);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"F0", "F3", "F4"}));
    EXPECT_EQ(test::load(b)->select("FID >= 3 OR FID = 0", "t"), (std::vector<std::size_t>{0, 3, 4}));
}

// Lines, polygons with holes and their multis reach GEOS vertex sequence by vertex sequence (not through WKB):
// the geometry and its parts are the ones given, from a WGS84 source (no reprojection) and from CGCS2000 (through
// PROJ) alike.
TEST(Loader, LinesAndPolygonsWithHolesKeepEveryPartAndVertex) {
    const auto dir = test::tempDir();
    const std::vector<std::string> wkts = {
        "LINESTRING (106 29, 106.5 29.2, 107 29.1)",
        "MULTILINESTRING ((106 29, 106.1 29.1), (106.2 29.2, 106.3 29.1, 106.4 29.3))",
        "POLYGON ((106 29, 107 29, 107 30, 106 30, 106 29), (106.2 29.2, 106.4 29.2, 106.4 29.4, 106.2 29.2))",
        "MULTIPOLYGON (((106 29, 106.5 29, 106.5 29.5, 106 29)), ((107 30, 107.5 30, 107.5 30.5, 107 30.5, 107 "
        "30), "
        "(107.1 30.1, 107.2 30.1, 107.2 30.2, 107.1 30.1)))",
    };
    const std::vector<std::size_t> parts = {1, 2, 2, 3};
    std::vector<Row> rows;
    for (std::size_t i = 0; i < wkts.size(); ++i) rows.push_back({facility("F" + std::to_string(i)), wkts[i]});
    test::writeLayer(dir / "wgs84.gpkg", 4326, rows);
    test::writeLayer(dir / "cgcs2000.gpkg", 4490, rows);
    geo::GeosContext geos;
    auto wgs84 = test::load(test::binding("facilities", "facility", dir / "wgs84.gpkg"));
    auto cgcs2000 = test::load(test::binding("facilities", "facility", dir / "cgcs2000.gpkg"));
    ASSERT_EQ(wgs84->features().size(), wkts.size());
    ASSERT_EQ(cgcs2000->features().size(), wkts.size());
    for (std::size_t i = 0; i < wkts.size(); ++i) {
        const layers::Feature& f = wgs84->features()[i];
        EXPECT_EQ(geo::toWkt(geos.get(), f.geometry.get()),
                  geo::toWkt(geos.get(), geo::fromWkt(geos.get(), wkts[i]).get()))
            << wkts[i];
        EXPECT_EQ(f.parts.size(), parts[i]) << wkts[i];
        EXPECT_FALSE(f.point);
        // Through PROJ, the same parts and vertices (CGCS2000 and WGS84 agree to well under a millimetre).
        const layers::Feature& g = cgcs2000->features()[i];
        ASSERT_EQ(g.parts.size(), f.parts.size()) << wkts[i];
        for (std::size_t k = 0; k < f.parts.size(); ++k) {
            ASSERT_EQ(g.parts[k].size(), f.parts[k].size()) << wkts[i];
            for (std::size_t v = 0; v < f.parts[k].size(); ++v) {
                EXPECT_NEAR(g.parts[k][v].lon, f.parts[k][v].lon, 1e-8);
                EXPECT_NEAR(g.parts[k][v].lat, f.parts[k][v].lat, 1e-8);
            }
        }
        EXPECT_EQ(geo::familyOf(geos.get(), g.geometry.get()), geo::familyOf(geos.get(), f.geometry.get()));
    }
}

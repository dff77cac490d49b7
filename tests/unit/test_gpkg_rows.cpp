// SPDX-License-Identifier: MIT
// A GeoPackage's rows written with SQLite directly (output/gpkg_rows.hpp, through GdalTable) against the same rows
// written by GDAL's own CreateFeature: every table of the two files, blobs and metadata included, must agree.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "geo/geos.hpp"
#include "output/gdal_table.hpp"
#include "test_support.hpp"

namespace ecozone {
namespace {

namespace fs = std::filesystem;
using Type = output::GdalTable::Type;

struct Row {
    std::string name;  // "" is null
    double value;      // NaN is null
    long long count;
    bool flag;
    std::string wkt;  // "" is no geometry
};

const std::vector<Row>& rows() {
    static const std::vector<Row> r = {
        {"化工厂 甲", 1.5, 3, true, "POINT (106.5 29.5)"},
        {"", std::nan(""), -7, false, "POINT (-0.25 -33.75)"},
        {"footprint", 1234.56, 0, true, "POLYGON ((106 29, 106.1 29, 106.1 29.1, 106 29, 106 29))"},
        {"two parts", 0.0, 1LL << 40, false,
         "MULTIPOLYGON (((107 30, 107.1 30, 107.1 30.1, 107 30)), ((108 31, 108.2 31, 108.2 31.2, 108 31)))"},
        {"a line", -2.5, 12, true, "LINESTRING (105.5 28.5, 105.6 28.7, 105.9 28.6)"},
        {"no geometry", 9.0, 1, false, ""},
        {"an empty polygon", 3.25, 2, true, "POLYGON EMPTY"},
        {"many points", 7.0, 5, false, "MULTIPOINT ((106 29), (106.5 29.25))"},
        {std::string("cut at\0the first NUL, as GDAL takes a C string", 46), 8.0, 6, true, ""},
    };
    return r;
}

const std::vector<output::GdalTable::Column> kColumns = {
    {"name", Type::String}, {"value", Type::Real}, {"count", Type::Integer}, {"flag", Type::Boolean}};

void writeOurs(const fs::path& file, bool withGeometry) {
    geo::GeosContext geos;
    output::GdalTable table(file, "t", kColumns, withGeometry);
    for (const Row& r : rows()) {
        table.setAt(0, r.name);
        table.set("value", r.value);
        table.setInteger("count", r.count);
        table.setBoolean("flag", r.flag);
        geo::GeomPtr g;
        if (!r.wkt.empty()) g = geo::fromWkt(geos.get(), r.wkt);
        // The first point as a loaded point feature gives it (its coordinates known), the others as geometries.
        if (&r == &rows().front())
            table.setPoint(g.get(), {106.5, 29.5});
        else
            table.setGeometry(g.get());
        table.writeRow();
    }
    table.finish();
}

struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};

// The same rows through GDAL alone, as GDAL writes a GeoPackage with its own spatial index.
void writeGdals(const fs::path& file, bool withGeometry) {
    GDALAllRegister();
    CPLSetConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", "page_size=65536");
    std::unique_ptr<GDALDataset, DatasetCloser> ds(
        GetGDALDriverManager()->GetDriverByName("GPKG")->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", nullptr);
    ASSERT_TRUE(ds);
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayer* layer =
        ds->CreateLayer("t", withGeometry ? &wgs84 : nullptr, withGeometry ? wkbUnknown : wkbNone, nullptr);
    ASSERT_TRUE(layer);
    for (const auto& c : kColumns) {
        OGRFieldDefn def(c.name.c_str(), c.type == Type::Real      ? OFTReal
                                         : c.type == Type::String  ? OFTString
                                         : c.type == Type::Integer ? OFTInteger64
                                                                   : OFTInteger);
        if (c.type == Type::Boolean) def.SetSubType(OFSTBoolean);
        ASSERT_EQ(layer->CreateField(&def), OGRERR_NONE);
    }
    ASSERT_EQ(ds->StartTransaction(), OGRERR_NONE);
    for (const Row& r : rows()) {
        OGRFeature f(layer->GetLayerDefn());
        if (r.name.empty())
            f.SetFieldNull(0);
        else
            f.SetField(0, r.name.c_str());
        if (std::isfinite(r.value))
            f.SetField(1, r.value);
        else
            f.SetFieldNull(1);
        f.SetField(2, static_cast<GIntBig>(r.count));
        f.SetField(3, r.flag ? 1 : 0);
        if (withGeometry && !r.wkt.empty()) {
            OGRGeometry* g = nullptr;
            ASSERT_EQ(OGRGeometryFactory::createFromWkt(r.wkt.c_str(), &wgs84, &g), OGRERR_NONE);
            f.SetGeometryDirectly(g);
        }
        ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
    }
    ASSERT_EQ(ds->CommitTransaction(), OGRERR_NONE);
}

// Every row of a query, each value as SQLite's quote() shows it (blobs in hex), one line per row.
std::vector<std::string> query(const fs::path& file, const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db);
    std::vector<std::string> out;
    int rc = SQLITE_DONE;
    while (s && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        std::string line;
        for (int i = 0; i < sqlite3_column_count(s); ++i) {
            const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
            line += std::string(i ? " | " : "") + (t ? t : "NULL");
        }
        out.push_back(line);
    }
    EXPECT_EQ(rc, SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db);
    sqlite3_finalize(s);
    sqlite3_close_v2(db);
    return out;
}

// What the two files hold, table by table: all of it but SQLite's own bookkeeping (rootpages, the order of
// sqlite_master, which GDAL's and our dropping and re-making of triggers change).
void expectSameFiles(const fs::path& ours, const fs::path& gdals, bool withGeometry) {
    std::vector<std::string> tables = {
        "SELECT quote(fid), quote(name), quote(value), quote(count), quote(flag)" +
            std::string(withGeometry ? ", quote(geom)" : "") + " FROM t ORDER BY fid",
        "SELECT * FROM gpkg_contents ORDER BY table_name",
        "SELECT * FROM gpkg_ogr_contents ORDER BY table_name",
        "SELECT * FROM gpkg_geometry_columns ORDER BY table_name",
        "SELECT * FROM gpkg_spatial_ref_sys ORDER BY srs_id",
        "SELECT * FROM sqlite_sequence ORDER BY name",
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name",
        "PRAGMA page_size",
        "PRAGMA application_id",
        "PRAGMA user_version",
    };
    if (withGeometry) {
        tables.push_back("SELECT * FROM gpkg_extensions ORDER BY table_name, extension_name");
        tables.push_back("SELECT * FROM rtree_t_geom ORDER BY id");
        tables.push_back("SELECT rtreecheck('rtree_t_geom')");
    }
    for (const std::string& sql : tables) EXPECT_EQ(query(ours, sql), query(gdals, sql)) << sql;
    EXPECT_EQ(query(ours, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
}

TEST(GpkgRows, HoldWhatGdalWritesForTheSameRowsWithGeometry) {
    const fs::path dir = test::tempDir();
    writeOurs(dir / "ours.gpkg", true);
    writeGdals(dir / "gdal.gpkg", true);
    expectSameFiles(dir / "ours.gpkg", dir / "gdal.gpkg", true);
    // Not by accident the same: the rows are there, and every kind of blob among them.
    EXPECT_EQ(query(dir / "ours.gpkg", "SELECT count(*), count(geom) FROM t"), std::vector<std::string>{"9 | 7"});
    EXPECT_EQ(query(dir / "ours.gpkg", "SELECT name FROM t WHERE fid = 9"), std::vector<std::string>{"cut at"});
    EXPECT_EQ(query(dir / "ours.gpkg", "SELECT count(*) FROM rtree_t_geom"), std::vector<std::string>{"6"});
}

TEST(GpkgRows, HoldWhatGdalWritesForATableWithoutGeometry) {
    const fs::path dir = test::tempDir();
    writeOurs(dir / "ours.gpkg", false);
    writeGdals(dir / "gdal.gpkg", false);
    expectSameFiles(dir / "ours.gpkg", dir / "gdal.gpkg", false);
}

TEST(GpkgRows, ReadBackThroughGdalAsWritten) {
    const fs::path dir = test::tempDir();
    writeOurs(dir / "ours.gpkg", true);
    GDALAllRegister();
    std::unique_ptr<GDALDataset, DatasetCloser> ds(GDALDataset::Open((dir / "ours.gpkg").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(ds);
    OGRLayer* layer = ds->GetLayerByName("t");
    ASSERT_TRUE(layer);
    EXPECT_EQ(layer->GetFeatureCount(FALSE), 9);
    std::vector<std::string> wkts;
    for (auto& f : *layer) {
        char* wkt = nullptr;
        if (const OGRGeometry* g = f->GetGeometryRef()) g->exportToWkt(&wkt, wkbVariantIso);
        wkts.push_back(wkt ? wkt : "");
        CPLFree(wkt);
    }
    std::vector<std::string> expected;
    for (const Row& r : rows()) {
        OGRGeometry* g = nullptr;
        char* wkt = nullptr;
        if (!r.wkt.empty() && OGRGeometryFactory::createFromWkt(r.wkt.c_str(), nullptr, &g) == OGRERR_NONE)
            g->exportToWkt(&wkt, wkbVariantIso);
        expected.push_back(wkt ? wkt : "");
        CPLFree(wkt);
        delete g;
    }
    EXPECT_EQ(wkts, expected);
    // The spatial index answers a window.
    layer->SetSpatialFilterRect(106.9, 29.9, 108.5, 31.5);
    EXPECT_EQ(layer->GetFeatureCount(TRUE), 1);
}

TEST(GpkgRows, ATableNotFinishedIsLeftEmptyWithItsTriggers) {
    const fs::path dir = test::tempDir();
    const fs::path file = dir / "cut.gpkg";
    {
        geo::GeosContext geos;
        output::GdalTable table(file, "t", kColumns, true);
        table.setAt(0, std::string("written, never committed"));
        auto g = geo::fromWkt(geos.get(), "POINT (106.5 29.5)");
        table.setGeometry(g.get());
        table.writeRow();
        // No finish(): an error upstream ends the run here.
    }
    EXPECT_EQ(query(file, "SELECT count(*) FROM t"), std::vector<std::string>{"0"});
    GDALAllRegister();
    std::unique_ptr<GDALDataset, DatasetCloser> ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(ds && ds->GetLayerByName("t"));
    EXPECT_EQ(ds->GetLayerByName("t")->GetFeatureCount(TRUE), 0);
    EXPECT_EQ(
        query(file, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 't' ORDER BY name"),
        (std::vector<std::string>{"trigger_delete_feature_count_t", "trigger_insert_feature_count_t"}));
}

}  // namespace
}  // namespace ecozone

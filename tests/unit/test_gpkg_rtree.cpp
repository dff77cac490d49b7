// SPDX-License-Identifier: MIT
// The GeoPackage spatial index ecozone packs (output/gpkg_rtree.hpp) against SQLite's own R-tree, built row by
// row from the same boxes, and as GDAL (and so QGIS) uses it: spatial filters, then edits through its triggers.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "geo/geos.hpp"
#include "output/gdal_table.hpp"
#include "output/gpkg_rtree.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace ecozone {
namespace {

namespace fs = std::filesystem;

struct Shape {
    std::string wkt;
    double minx, maxx, miny, maxy;
    bool empty = false;
};

// Points (some exactly repeated), short lines and small squares over the Chongqing extent, with an empty
// geometry now and then (it has no box in the index).
std::vector<Shape> shapes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> lon(105.2, 110.2), lat(28.1, 32.2), size(1e-6, 0.05);
    std::vector<Shape> out;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = lon(rng), y = lat(rng), d = size(rng);
        char wkt[256];
        switch (i % 11) {
            case 3:
                std::snprintf(wkt, sizeof wkt, "LINESTRING (%.12f %.12f, %.12f %.12f)", x, y, x + d, y - d / 2);
                out.push_back({wkt, x, x + d, y - d / 2, y});
                break;
            case 5:
                std::snprintf(wkt, sizeof wkt, "POLYGON ((%.12f %.12f, %.12f %.12f, %.12f %.12f, %.12f %.12f))", x,
                              y, x + d, y, x + d, y + d, x, y);
                out.push_back({wkt, x, x + d, y, y + d});
                break;
            case 7:
                if (i % 4 == 0) {
                    out.push_back({"POINT EMPTY", 0, 0, 0, 0, true});
                    break;
                }
                [[fallthrough]];
            case 8:
                if (!out.empty() && !out.back().empty) {  // the same point again
                    out.push_back(out.back());
                    break;
                }
                [[fallthrough]];
            default:
                std::snprintf(wkt, sizeof wkt, "POINT (%.12f %.12f)", x, y);
                out.push_back({wkt, x, x, y, y});
        }
    }
    return out;
}

// Writes the shapes as table `t` (row i has fid i + 1), through the writer the commands use.
void write(const fs::path& file, const std::vector<Shape>& rows) {
    geo::GeosContext geos;
    output::GdalTable table(file, "t", {{"name", output::GdalTable::Type::String}}, true);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        table.set("name", "row " + std::to_string(i + 1));
        auto g = geo::fromWkt(geos.get(), rows[i].wkt);
        table.setGeometry(g.get());
        table.writeRow();
    }
    table.finish();
}

struct Db {
    explicit Db(const fs::path& file) {
        EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    }
    ~Db() { sqlite3_close_v2(db); }
    void exec(const std::string& sql) const {
        char* error = nullptr;
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
            << sql << ": " << (error ? error : "");
        sqlite3_free(error);
    }
    // Every row of a query, each column as a double (the R-tree's coordinates are floats, held exactly).
    std::vector<std::vector<double>> rows(const std::string& sql) const {
        sqlite3_stmt* s = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
            << sql << ": " << sqlite3_errmsg(db);
        std::vector<std::vector<double>> out;
        while (s && sqlite3_step(s) == SQLITE_ROW) {
            std::vector<double> row;
            for (int c = 0; c < sqlite3_column_count(s); ++c) row.push_back(sqlite3_column_double(s, c));
            out.push_back(row);
        }
        sqlite3_finalize(s);
        return out;
    }
    std::string text(const std::string& sql) const {
        sqlite3_stmt* s = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
            << sql << ": " << sqlite3_errmsg(db);
        std::string out = s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)
                              ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0))
                              : "(no row)";
        sqlite3_finalize(s);
        return out;
    }
    sqlite3* db = nullptr;
};

// SQLite's own R-tree of the same boxes, inserted one by one: the reference for what is stored and found.
void buildReference(const Db& db, const std::vector<Shape>& rows) {
    db.exec("CREATE VIRTUAL TABLE ref USING rtree(id, minx, maxx, miny, maxy)");
    db.exec("BEGIN");
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db.db, "INSERT INTO ref VALUES (?, ?, ?, ?, ?)", -1, &s, nullptr), SQLITE_OK);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].empty) continue;
        sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(i + 1));
        sqlite3_bind_double(s, 2, rows[i].minx);
        sqlite3_bind_double(s, 3, rows[i].maxx);
        sqlite3_bind_double(s, 4, rows[i].miny);
        sqlite3_bind_double(s, 5, rows[i].maxy);
        ASSERT_EQ(sqlite3_step(s), SQLITE_DONE);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    db.exec("COMMIT");
}

std::string window(const char* table, const std::array<double, 4>& w) {
    char sql[256];
    std::snprintf(
        sql, sizeof sql,
        "SELECT id FROM %s WHERE minx <= %.17g AND maxx >= %.17g AND miny <= %.17g AND maxy >= %.17g ORDER BY id",
        table, w[1], w[0], w[3], w[2]);
    return sql;
}

std::vector<std::array<double, 4>> windows(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> lon(105.0, 110.4), lat(28.0, 32.4), size(0.0, 0.6);
    std::vector<std::array<double, 4>> out;
    for (int i = 0; i < 40; ++i) {
        const double x = lon(rng), y = lat(rng);
        out.push_back({x, x + size(rng), y, y + size(rng) / 2});
    }
    out.push_back({100, 120, 20, 40});  // everything
    return out;
}

// The node count of a tightly packed tree: ceil(n / 51) leaves, and so on up to the one root.
std::size_t packedNodes(std::size_t n) {
    std::size_t nodes = 1;
    while (n > 51) {
        n = (n + 50) / 51;
        nodes += n;
    }
    return nodes;
}

class GpkgRtree : public ::testing::TestWithParam<std::size_t> {};

TEST_P(GpkgRtree, HoldsWhatSqlitesOwnRtreeHoldsAndFindsTheSameRows) {
    const std::size_t n = GetParam();
    const fs::path file = test::tempDir() / "t.gpkg";
    const std::vector<Shape> rows = shapes(n, static_cast<unsigned>(n) + 7);
    write(file, rows);
    Db db(file);
    buildReference(db, rows);
    EXPECT_EQ(db.text("SELECT rtreecheck('rtree_t_geom')"), "ok");
    EXPECT_EQ(db.text("SELECT rtreecheck('ref')"), "ok");
    // Every box, rounded outwards to floats exactly as SQLite rounds them.
    const auto stored = db.rows("SELECT id, minx, maxx, miny, maxy FROM rtree_t_geom ORDER BY id");
    EXPECT_EQ(stored, db.rows("SELECT id, minx, maxx, miny, maxy FROM ref ORDER BY id"));
    std::size_t boxes = 0;
    for (const Shape& s : rows) boxes += s.empty ? 0 : 1;
    EXPECT_EQ(stored.size(), boxes);
    for (const auto& w : windows(static_cast<unsigned>(n)))
        EXPECT_EQ(db.rows(window("rtree_t_geom", w)), db.rows(window("ref", w))) << window("rtree_t_geom", w);
    // Packed tight, every node but the root in the parent table, every box's leaf in the rowid table.
    EXPECT_EQ(db.rows("SELECT count(*) FROM rtree_t_geom_node")[0][0], static_cast<double>(packedNodes(boxes)));
    EXPECT_EQ(db.rows("SELECT count(*) FROM rtree_t_geom_parent")[0][0],
              static_cast<double>(packedNodes(boxes) - 1));
    EXPECT_EQ(db.rows("SELECT count(*) FROM rtree_t_geom_rowid")[0][0], static_cast<double>(boxes));
    std::size_t depth = 0;
    for (std::size_t k = boxes; k > 51; k = (k + 50) / 51) ++depth;
    EXPECT_EQ(db.rows("SELECT rtreedepth(data) FROM rtree_t_geom_node WHERE nodeno = 1")[0][0],
              static_cast<double>(depth));
    // Registered as GDAL registers its own.
    EXPECT_EQ(db.text("SELECT extension_name || ' ' || definition || ' ' || scope FROM gpkg_extensions WHERE "
                      "table_name = 't' AND column_name = 'geom'"),
              "gpkg_rtree_index http://www.geopackage.org/spec120/#extension_rtree write-only");
}

// 52 and 53 rows hold 51 and 52 boxes (one geometry is empty): a root leaf at most full, and a tree of two leaves.
INSTANTIATE_TEST_SUITE_P(Sizes, GpkgRtree, ::testing::Values(0, 1, 52, 53, 2602, 20000),
                         [](const auto& param) { return std::to_string(param.param) + "_rows"; });

struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};
using Dataset = std::unique_ptr<GDALDataset, DatasetCloser>;

std::set<GIntBig> filtered(OGRLayer* layer, const std::array<double, 4>& w) {
    layer->SetSpatialFilterRect(w[0], w[2], w[1], w[3]);
    layer->ResetReading();
    std::set<GIntBig> ids;
    for (auto& f : *layer) ids.insert(f->GetFID());
    layer->SetSpatialFilter(nullptr);
    return ids;
}

TEST(GpkgRtreeInGdal, SpatialFiltersFindWhatAFullScanFinds) {
    const fs::path dir = test::tempDir();
    const std::vector<Shape> rows = shapes(5000, 11);
    write(dir / "indexed.gpkg", rows);
    fs::copy_file(dir / "indexed.gpkg", dir / "scanned.gpkg");
    GDALAllRegister();
    Dataset indexed(GDALDataset::Open((dir / "indexed.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    Dataset scanned(GDALDataset::Open((dir / "scanned.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    ASSERT_TRUE(indexed && scanned);
    scanned->ReleaseResultSet(scanned->ExecuteSQL("SELECT DisableSpatialIndex('t', 'geom')", nullptr, nullptr));
    OGRLayer* a = indexed->GetLayerByName("t");
    OGRLayer* b = scanned->GetLayerByName("t");
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(a->TestCapability(OLCFastSpatialFilter));
    EXPECT_FALSE(b->TestCapability(OLCFastSpatialFilter));
    std::size_t found = 0;
    for (const auto& w : windows(3)) {
        const auto ids = filtered(a, w);
        EXPECT_EQ(ids, filtered(b, w));
        found += ids.size();
    }
    EXPECT_GT(found, 5000u);  // the windows are not all empty
}

TEST(GpkgRtreeInGdal, EditsKeepTheIndexCurrentThroughItsTriggers) {
    const fs::path file = test::tempDir() / "t.gpkg";
    write(file, shapes(500, 5));
    GDALAllRegister();
    {
        Dataset ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        OGRLayer* layer = ds->GetLayerByName("t");
        ASSERT_TRUE(layer);
        ASSERT_EQ(layer->DeleteFeature(5), OGRERR_NONE);
        std::unique_ptr<OGRFeature> moved(layer->GetFeature(7));
        ASSERT_TRUE(moved);
        moved->SetGeometryDirectly(new OGRPoint(120.5, 40.25));
        ASSERT_EQ(layer->SetFeature(moved.get()), OGRERR_NONE);
        OGRFeature added(layer->GetLayerDefn());
        OGRLineString line;
        line.addPoint(100.0, 20.0);
        line.addPoint(100.5, 21.0);
        added.SetGeometry(&line);
        ASSERT_EQ(layer->CreateFeature(&added), OGRERR_NONE);
        EXPECT_EQ(added.GetFID(), 501);
    }
    Db db(file);
    EXPECT_EQ(db.text("SELECT rtreecheck('rtree_t_geom')"), "ok");
    EXPECT_TRUE(db.rows("SELECT id FROM rtree_t_geom WHERE id = 5").empty());
    const output::RtreeBox point = output::RtreeBox::of(7, 120.5, 120.5, 40.25, 40.25);
    EXPECT_EQ(db.rows("SELECT id, minx, maxx, miny, maxy FROM rtree_t_geom WHERE id = 7"),
              (std::vector<std::vector<double>>{{7, point.minx, point.maxx, point.miny, point.maxy}}));
    EXPECT_EQ(db.rows("SELECT id, minx, maxx, miny, maxy FROM rtree_t_geom WHERE id = 501"),
              (std::vector<std::vector<double>>{{501, 100.0, 100.5, 20.0, 21.0}}));
}

TEST(GpkgRtreeErrors, ATableIndexedTwiceIsAnOutputErrorNamingTheFile) {
    const fs::path file = test::tempDir() / "t.gpkg";
    write(file, shapes(10, 1));
    try {
        output::writeRtreeIndex(file, "t", "fid", "geom", {output::RtreeBox::of(1, 106, 106, 29, 29)});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Output);
        EXPECT_NE(std::string(e.what()).find("`" + file.string() + "`"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("cannot write the spatial index of `" + file.string() +
                                             "`: table \"rtree_t_geom\" already exists"),
                  std::string::npos)
            << e.what();
    }
    // The failed attempt changed nothing.
    Db db(file);
    EXPECT_EQ(db.text("SELECT rtreecheck('rtree_t_geom')"), "ok");
    EXPECT_EQ(db.rows("SELECT count(*) FROM rtree_t_geom")[0][0], 10.0);
}

TEST(GpkgPages, AreOf64KiBUnlessTheUserAskedForOthers) {
    const fs::path dir = test::tempDir();
    write(dir / "default.gpkg", shapes(10, 2));
    EXPECT_EQ(Db(dir / "default.gpkg").text("PRAGMA page_size"), "65536");
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", "page_size=8192");
    write(dir / "asked.gpkg", shapes(10, 2));
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", nullptr);
    EXPECT_EQ(Db(dir / "asked.gpkg").text("PRAGMA page_size"), "8192");
    EXPECT_EQ(Db(dir / "asked.gpkg").text("SELECT rtreecheck('rtree_t_geom')"), "ok");
}

}  // namespace
}  // namespace ecozone

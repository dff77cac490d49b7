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
std::vector<Shape> shapes(std::size_t n, unsigned seed, double lon0 = 105.2, double lat0 = 28.1) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> lon(lon0, lon0 + 5), lat(lat0, lat0 + 4.1), size(1e-6, 0.05);
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

std::vector<std::array<double, 4>> windows(unsigned seed, double lon0 = 105.2, double lat0 = 28.1) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> lon(lon0 - 0.2, lon0 + 5.2), lat(lat0 - 0.1, lat0 + 4.3),
        size(0.0, 0.6);
    std::vector<std::array<double, 4>> out;
    for (int i = 0; i < 40; ++i) {
        const double x = lon(rng), y = lat(rng);
        out.push_back({x, x + size(rng), y, y + size(rng) / 2});
    }
    out.push_back({lon0 - 1, lon0 + 6, lat0 - 1, lat0 + 5});  // everything
    return out;
}

// The node count of a tightly packed tree: ceil(n / fanout) leaves, and so on up to the one root.
std::size_t packedNodes(std::size_t n, std::size_t fanout) {
    std::size_t nodes = 1;
    while (n > fanout) {
        n = (n + fanout - 1) / fanout;
        nodes += n;
    }
    return nodes;
}

// Writes n shapes near (lon0, lat0) and compares the packed index with SQLite's own R-tree of the same boxes: what
// is stored, what windows find, and the shape of the tree for nodes of `fanout` cells.
void agreesWithSqlite(const fs::path& file, std::size_t n, double lon0, double lat0, std::size_t fanout) {
    const std::vector<Shape> rows = shapes(n, static_cast<unsigned>(n) + 7, lon0, lat0);
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
    for (const auto& w : windows(static_cast<unsigned>(n), lon0, lat0))
        EXPECT_EQ(db.rows(window("rtree_t_geom", w)), db.rows(window("ref", w))) << window("rtree_t_geom", w);
    // Packed tight, every node but the root in the parent table, every box's leaf in the rowid table.
    EXPECT_EQ(db.rows("SELECT count(*) FROM rtree_t_geom_node")[0][0],
              static_cast<double>(packedNodes(boxes, fanout)));
    EXPECT_EQ(db.rows("SELECT count(*) FROM rtree_t_geom_parent")[0][0],
              static_cast<double>(packedNodes(boxes, fanout) - 1));
    EXPECT_EQ(db.rows("SELECT count(*) FROM rtree_t_geom_rowid")[0][0], static_cast<double>(boxes));
    std::size_t depth = 0;
    for (std::size_t k = boxes; k > fanout; k = (k + fanout - 1) / fanout) ++depth;
    EXPECT_EQ(db.rows("SELECT rtreedepth(data) FROM rtree_t_geom_node WHERE nodeno = 1")[0][0],
              static_cast<double>(depth));
    // Registered as GDAL registers its own.
    EXPECT_EQ(db.text("SELECT extension_name || ' ' || definition || ' ' || scope FROM gpkg_extensions WHERE "
                      "table_name = 't' AND column_name = 'geom'"),
              "gpkg_rtree_index http://www.geopackage.org/spec120/#extension_rtree write-only");
}

class GpkgRtree : public ::testing::TestWithParam<std::size_t> {};

TEST_P(GpkgRtree, HoldsWhatSqlitesOwnRtreeHoldsAndFindsTheSameRows) {
    agreesWithSqlite(test::tempDir() / "t.gpkg", GetParam(), 105.2, 28.1, 51);
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

TEST(GpkgRtreeSouthWest, NegativeCoordinatesRoundOutwardsToo) {
    agreesWithSqlite(test::tempDir() / "t.gpkg", 3000, -75.3, -42.6, 51);
}

TEST(GpkgRtreePages, SmallPagesMakeSmallerNodes) {
    // 1 KiB pages: SQLite makes nodes of 960 bytes, 39 cells, and the packing follows what the file says.
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", "page_size=1024");
    const fs::path file = test::tempDir() / "t.gpkg";
    agreesWithSqlite(file, 3000, 105.2, 28.1, 39);
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", nullptr);
    EXPECT_EQ(Db(file).text("SELECT length(data) FROM rtree_t_geom_node WHERE nodeno = 1"), "960");
}

TEST(GpkgRtreeSort, OrdersByCentreStablyAsAComparisonSortDoes) {
    std::mt19937 rng(17);
    std::uniform_real_distribution<double> at(-200.0, 200.0), size(0.0, 3.0);
    std::uniform_int_distribution<int> pick(0, 9);
    for (const std::size_t n : {10u, 4095u, 4096u, 50000u}) {
        std::vector<output::RtreeBox> boxes;
        for (std::size_t i = 0; i < n; ++i) {
            double x = at(rng), y = at(rng);
            if (pick(rng) == 0) x = 0.0, y = -0.0;             // zeros of both signs
            if (pick(rng) == 1) x = 1.5, y = -7.25;            // equal centres: their order is kept
            const double w = pick(rng) < 5 ? 0.0 : size(rng);  // points and boxes
            boxes.push_back(output::RtreeBox::of(static_cast<std::int64_t>(i), x - w, x + w, y - w, y + w));
            if (pick(rng) == 2) boxes.back().minx = -0.0f, boxes.back().maxx = 0.0f;
            if (pick(rng) == 3) boxes.back().miny = boxes.back().maxy = -0.0f;
        }
        for (const bool alongX : {true, false}) {
            auto expected = boxes;
            std::stable_sort(expected.begin(), expected.end(), [&](const auto& a, const auto& b) {
                const float ca = alongX ? a.minx + a.maxx : a.miny + a.maxy;
                const float cb = alongX ? b.minx + b.maxx : b.miny + b.maxy;
                return ca < cb;
            });
            auto sorted = boxes;
            output::detail::sortByCentre(sorted, alongX);
            EXPECT_EQ(sorted, expected) << n << (alongX ? " along x" : " along y");
        }
    }
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
        CPLErrorReset();
        const auto ids = filtered(a, w);
        // GDAL says nothing: it would warn, and scan, if it found the index broken.
        EXPECT_EQ(CPLGetLastErrorType(), CE_None) << CPLGetLastErrorMsg();
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

TEST(GpkgRtreeInGdal, ARowAddedToAFullRootAndMostOfATreeDeletedLeaveItSound) {
    const fs::path dir = test::tempDir();
    write(dir / "full.gpkg", shapes(52, 3));  // 51 boxes: the root is a full leaf
    write(dir / "large.gpkg", shapes(2602, 4));
    GDALAllRegister();
    {
        Dataset full(GDALDataset::Open((dir / "full.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        Dataset large(GDALDataset::Open((dir / "large.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(full && large);
        OGRFeature added(full->GetLayerByName("t")->GetLayerDefn());
        added.SetGeometryDirectly(new OGRPoint(106.5, 29.5));
        ASSERT_EQ(full->GetLayerByName("t")->CreateFeature(&added), OGRERR_NONE);
        OGRLayer* t = large->GetLayerByName("t");
        ASSERT_EQ(large->StartTransaction(), OGRERR_NONE);
        for (GIntBig fid = 1; fid <= 2400; ++fid) ASSERT_EQ(t->DeleteFeature(fid), OGRERR_NONE);
        ASSERT_EQ(large->CommitTransaction(), OGRERR_NONE);
    }
    Db full(dir / "full.gpkg"), large(dir / "large.gpkg");
    EXPECT_EQ(full.text("SELECT rtreecheck('rtree_t_geom')"), "ok");
    EXPECT_EQ(full.rows("SELECT count(*) FROM rtree_t_geom")[0][0], 52.0);
    EXPECT_EQ(large.text("SELECT rtreecheck('rtree_t_geom')"), "ok");
    const std::vector<Shape> kept = shapes(2602, 4);
    std::vector<std::vector<double>> left;
    for (std::size_t i = 2400; i < kept.size(); ++i)
        if (!kept[i].empty) left.push_back({static_cast<double>(i + 1)});
    EXPECT_EQ(large.rows("SELECT id FROM rtree_t_geom ORDER BY id"), left);
}

TEST(GpkgRtreeErrors, TwoBoxesForOneRowAreRefusedAndTheFileKeepsNoIndex) {
    const fs::path file = test::tempDir() / "t.gpkg";
    GDALAllRegister();
    {
        GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
        Dataset ds(gpkg->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        ASSERT_TRUE(ds);
        char** options = CSLSetNameValue(nullptr, "SPATIAL_INDEX", "NO");
        OGRLayer* layer = ds->CreateLayer("t", nullptr, wkbPoint, options);
        CSLDestroy(options);
        ASSERT_TRUE(layer);
        OGRFeature f(layer->GetLayerDefn());
        f.SetGeometryDirectly(new OGRPoint(106, 29));
        ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
    }
    const auto box = output::RtreeBox::of(1, 106, 106, 29, 29);
    EXPECT_THROW(output::writeRtreeIndex(file, "t", "fid", "geom", {box, box}), std::logic_error);
    EXPECT_EQ(Db(file).rows("SELECT count(*) FROM sqlite_master WHERE name LIKE 'rtree%'")[0][0], 0.0);
    // The same file takes its index once the boxes are right.
    output::writeRtreeIndex(file, "t", "fid", "geom", {box});
    EXPECT_EQ(Db(file).text("SELECT rtreecheck('rtree_t_geom')"), "ok");
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

}  // namespace
}  // namespace ecozone

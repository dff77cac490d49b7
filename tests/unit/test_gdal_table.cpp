// SPDX-License-Identifier: MIT
// The table writer every command's output goes through (output/gdal_table.hpp): a reused row whose unset columns
// are null, geometries as WKT in a CSV, and the GeoPackage's page size.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

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

// Three rows, each leaving out what the one before set: a column set and then not is null, as are "" and NaN.
void writeRows(const fs::path& file) {
    geo::GeosContext geos;
    output::GdalTable table(file, "t", {{"a", Type::String}, {"b", Type::Real}, {"c", Type::String}}, true);
    table.setAt(0, std::string("x"));
    table.setAt(1, 1.5);
    table.set("c", std::string("a long value, longer than a short string's own room"));
    auto point = geo::fromWkt(geos.get(), "POINT (106.5 29.5)");
    table.setGeometry(point.get());
    table.writeRow();
    table.set("a", std::string("y"));
    table.writeRow();
    table.setAt(0, std::string("z"));
    table.setAt(1, std::nan(""));
    table.setAt(2, std::string());
    table.writeRow();
    table.finish();
}

struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};

// Each row as text: the columns (or "NULL") and the geometry's WKT (or "no geometry").
std::vector<std::string> readRows(const fs::path& file, bool csv) {
    GDALAllRegister();
    std::unique_ptr<GDALDataset, DatasetCloser> ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR));
    EXPECT_TRUE(ds);
    std::vector<std::string> out;
    if (!ds) return out;
    OGRLayer* layer = ds->GetLayer(0);
    for (auto& f : *layer) {
        std::string row;
        for (int i = 0; i < f->GetFieldCount(); ++i) {
            const std::string name = f->GetFieldDefnRef(i)->GetNameRef();
            // A CSV has no null: an empty field is what a null is written as.
            const bool null = !f->IsFieldSetAndNotNull(i) || (csv && std::string(f->GetFieldAsString(i)).empty());
            row += name + "=" + (null ? std::string("NULL") : std::string(f->GetFieldAsString(i))) + " ";
        }
        if (!csv) {
            char* wkt = nullptr;
            if (const OGRGeometry* g = f->GetGeometryRef()) g->exportToWkt(&wkt);
            row += wkt ? wkt : "no geometry";
            CPLFree(wkt);
        }
        out.push_back(row);
    }
    return out;
}

TEST(GdalTable, AColumnARowLeavesUnsetIsNullInEveryFormat) {
    const fs::path dir = test::tempDir();
    writeRows(dir / "t.gpkg");
    EXPECT_EQ(readRows(dir / "t.gpkg", false),
              (std::vector<std::string>{
                  "a=x b=1.5 c=a long value, longer than a short string's own room POINT (106.5 29.5)",
                  "a=y b=NULL c=NULL no geometry", "a=z b=NULL c=NULL no geometry"}));
    writeRows(dir / "t.csv");
    EXPECT_EQ(readRows(dir / "t.csv", true),
              (std::vector<std::string>{
                  "a=x b=1.5 c=a long value, longer than a short string's own room wkt=POINT (106.5 29.5) ",
                  "a=y b=NULL c=NULL wkt=NULL ", "a=z b=NULL c=NULL wkt=NULL "}));
}

std::string pageSize(const fs::path& file) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &s, nullptr);
    std::string out = s && sqlite3_step(s) == SQLITE_ROW ? std::to_string(sqlite3_column_int(s, 0)) : "(none)";
    sqlite3_finalize(s);
    sqlite3_close_v2(db);
    return out;
}

TEST(GdalTable, GeoPackagePagesAreOf64KiBUnlessTheUserSetsAPageSize) {
    const fs::path dir = test::tempDir();
    writeRows(dir / "default.gpkg");
    EXPECT_EQ(pageSize(dir / "default.gpkg"), "65536");
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", "cache_size=-4000");  // the user's, about something else
    writeRows(dir / "other.gpkg");
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", "PAGE_SIZE=8192");
    writeRows(dir / "asked.gpkg");
    CPLSetConfigOption("OGR_SQLITE_PRAGMA", nullptr);
    EXPECT_EQ(pageSize(dir / "other.gpkg"), "65536");
    EXPECT_EQ(pageSize(dir / "asked.gpkg"), "8192");
}

// The load report has a column `fid` (each skipped feature's id in its own layer, so repeated across layers): in a
// GeoPackage it is a column like the others, not the table's row id, which must be unique.
TEST(GdalTable, AColumnNamedFidIsNotTheGeoPackagesRowId) {
    const fs::path file = test::tempDir() / "report.gpkg";
    {
        output::GdalTable table(file, "load_report", {{"layer", Type::String}, {"fid", Type::Integer}}, false);
        for (const char* layer : {"facilities", "rivers"}) {
            table.set("layer", std::string(layer));
            table.setInteger("fid", 7);
            table.writeRow();
        }
        table.finish();
    }
    EXPECT_EQ(readRows(file, false),
              (std::vector<std::string>{"layer=facilities fid=7 no geometry", "layer=rivers fid=7 no geometry"}));
}

}  // namespace
}  // namespace ecozone

// SPDX-License-Identifier: MIT
// A GeoPackage point layer read straight from SQLite (layers/gpkg_points.hpp) against the same layer read by GDAL:
// every feature, fid, field and geometry, and what GDAL reports while reading it, must agree, also for values
// stored with another type than their column's and for geometries other than a plain point.
#include <cpl_error.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "layers/gpkg_points.hpp"
#include "test_support.hpp"

namespace ecozone {
namespace {

namespace fs = std::filesystem;

struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};
using Dataset = std::unique_ptr<GDALDataset, DatasetCloser>;

Dataset openVector(const fs::path& file, unsigned flags = GDAL_OF_READONLY) {
    return Dataset(
        static_cast<GDALDataset*>(GDALOpenEx(file.c_str(), GDAL_OF_VECTOR | flags, nullptr, nullptr, nullptr)));
}

void sql(const fs::path& file, const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << statement << ": " << message;
}

// A point layer with a field of each type the reader takes, whose rows are then given what GDAL would never write.
fs::path writeFacilities(const fs::path& dir) {
    const fs::path file = dir / "points.gpkg";
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    Dataset ds(driver->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    // No spatial index: its triggers call functions that only GDAL's connection has.
    const char* options[] = {"SPATIAL_INDEX=NO", nullptr};
    OGRLayer* layer = ds->CreateLayer("facilities", &wgs84, wkbPoint, const_cast<char**>(options));
    OGRFieldDefn name("name", OFTString), small("small", OFTInteger), big("big", OFTInteger64),
        value("value", OFTReal);
    layer->CreateField(&name);
    layer->CreateField(&small);
    layer->CreateField(&big);
    layer->CreateField(&value);
    struct Row {
        GIntBig fid;
        const char* name;
        int small;
        GIntBig big;
        double value;
        const char* wkt;  // nullptr: no geometry
    };
    const Row rows[] = {
        {9, "化工厂", 1, 1LL << 40, 1.5, "POINT (106.5 29.5)"},
        {3, "", -7, -3, -0.25, "POINT (-0.000001 -33.75)"},
        {5, "no geometry", 0, 0, 0, nullptr},
        {7, "empty", 2, 2, 2, "POINT EMPTY"},
        {11, "three d", 3, 3, 3, "POINT Z (106 29 100)"},
        {12, "measured", 3, 3, 3, "POINT M (106 29 7)"},
        {13, "many", 4, 4, 4, "MULTIPOINT ((106 29), (107 30))"},
        {14, "big endian", 5, 5, 5, "POINT (106.25 29.125)"},
        {15, "damaged", 6, 6, 6, "POINT (106 29)"},
        {16, "stored otherwise", 7, 7, 7, "POINT (105 28)"},
        {17, "nulls", 8, 8, 8, "POINT (104 27)"},
        {18, "header flagged empty", 9, 9, 9, "POINT (103 26)"},
    };
    for (const Row& r : rows) {
        OGRFeature f(layer->GetLayerDefn());
        f.SetFID(r.fid);
        f.SetField("name", r.name);
        f.SetField("small", r.small);
        f.SetField("big", r.big);
        f.SetField("value", r.value);
        if (r.wkt) {
            OGRGeometry* g = nullptr;
            EXPECT_EQ(OGRGeometryFactory::createFromWkt(r.wkt, &wgs84, &g), OGRERR_NONE) << r.wkt;
            f.SetGeometryDirectly(g);
        }
        // GDAL writes the Z, M and multipoint rows to the point table too, with a warning.
        CPLPushErrorHandler(CPLQuietErrorHandler);
        EXPECT_EQ(layer->CreateFeature(&f), OGRERR_NONE) << r.fid;
        CPLPopErrorHandler();
    }
    ds.reset();
    // A point whose WKB is big-endian (byte order 00), after a little-endian header: POINT (106.25 29.125).
    sql(file,
        "UPDATE facilities SET geom = X'47500001E61000000000000001405A900000000000403D200000000000' "
        "WHERE fid = 14");
    // A header, then two bytes that are no geometry.
    sql(file, "UPDATE facilities SET geom = X'47500001E6100000FFFF' WHERE fid = 15");
    // Values whose storage class is not the column's: text in number columns, a real in an integer one, a number
    // beyond 32 bits in the 32-bit column, a blob in the text column.
    sql(file,
        "UPDATE facilities SET small = 'twelve', big = 2.75, value = '3.5e1', name = X'414243' WHERE fid = 16");
    sql(file, "UPDATE facilities SET small = 4294967301 WHERE fid = 9");
    sql(file, "UPDATE facilities SET name = NULL, small = NULL, big = NULL, value = NULL WHERE fid = 17");
    // The header's empty flag (0x10) on a point that has coordinates.
    sql(file,
        "UPDATE facilities SET geom = X'47500011E610000001010000000000000000C059400000000000003A40' "
        "WHERE fid = 18");
    return file;
}

std::string shown(const OGRFeature& f) {
    std::string out = "fid " + std::to_string(f.GetFID());
    for (int i = 0; i < f.GetFieldCount(); ++i)
        out += std::string(" ") + f.GetFieldDefnRef(i)->GetNameRef() + "=" +
               (f.IsFieldNull(i)  ? "NULL"
                : f.IsFieldSet(i) ? f.GetFieldAsString(i)
                                  : "unset");
    if (const OGRGeometry* g = f.GetGeometryRef()) {
        out += ' ';
        out += g->exportToWkt();
    }
    return out;
}

TEST(GpkgPointReader, ReadsEveryRowAsGdalDoes) {
    GDALAllRegister();
    const fs::path dir = test::tempDir();
    const fs::path file = writeFacilities(dir);

    // What GDAL makes of each row, and whether it reported a failure while reading it.
    struct Read {
        std::unique_ptr<OGRFeature> feature;
        bool failed;
    };
    std::vector<Read> expected;
    {
        Dataset ds = openVector(file);
        OGRLayer* layer = ds->GetLayerByName("facilities");
        CPLPushErrorHandler(CPLQuietErrorHandler);
        for (;;) {
            CPLErrorReset();
            std::unique_ptr<OGRFeature> f(layer->GetNextFeature());
            if (!f) break;
            expected.push_back({std::move(f), CPLGetLastErrorType() >= CE_Failure});
        }
        CPLPopErrorHandler();
    }
    ASSERT_EQ(expected.size(), 12u);
    // GDAL cannot read the damaged blob, and says so (for that row only).
    EXPECT_EQ(std::count_if(expected.begin(), expected.end(), [](const Read& r) { return r.failed; }), 1);

    Dataset ds = openVector(file);
    OGRLayer* layer = ds->GetLayerByName("facilities");
    auto reader = layers::GpkgPointReader::open(*ds, *layer, file.string());
    ASSERT_TRUE(reader);
    std::size_t n = 0;
    const OGRFeature* reused = nullptr;  // the feature of the rows read without GDAL
    CPLPushErrorHandler(CPLQuietErrorHandler);
    for (;; ++n) {
        CPLErrorReset();
        OGRFeature* f = reader->next();
        if (!f) break;
        ASSERT_LT(n, expected.size());
        const OGRFeature& want = *expected[n].feature;
        // The plain points are decoded here, not by GDAL: all in the one reused feature.
        const GIntBig fid = want.GetFID();
        if (fid == 3 || fid == 5 || fid == 9 || fid == 14 || fid == 16 || fid == 17) {
            if (!reused) reused = f;
            EXPECT_EQ(f, reused) << "fid " << fid << " was read through GDAL";
        } else {
            EXPECT_NE(f, reused) << "fid " << fid << " was not read through GDAL";
        }
        EXPECT_EQ(CPLGetLastErrorType() >= CE_Failure, expected[n].failed) << "fid " << want.GetFID();
        EXPECT_EQ(f->GetFID(), want.GetFID());
        EXPECT_EQ(shown(*f), shown(want));
        // Each value as it is held, not only as text.
        for (int i = 0; i < want.GetFieldCount(); ++i) {
            const std::string which = "fid " + std::to_string(want.GetFID()) + " field " + std::to_string(i);
            ASSERT_EQ(f->IsFieldSet(i), want.IsFieldSet(i)) << which;
            ASSERT_EQ(f->IsFieldNull(i), want.IsFieldNull(i)) << which;
            if (!want.IsFieldSetAndNotNull(i)) continue;
            switch (want.GetFieldDefnRef(i)->GetType()) {
                case OFTInteger:
                    EXPECT_EQ(f->GetFieldAsInteger(i), want.GetFieldAsInteger(i)) << which;
                    break;
                case OFTInteger64:
                    EXPECT_EQ(f->GetFieldAsInteger64(i), want.GetFieldAsInteger64(i)) << which;
                    break;
                case OFTReal:
                    EXPECT_EQ(f->GetFieldAsDouble(i), want.GetFieldAsDouble(i)) << which;
                    break;
                default:
                    EXPECT_STREQ(f->GetFieldAsString(i), want.GetFieldAsString(i)) << which;
            }
        }
        const OGRGeometry* g = f->GetGeometryRef();
        const OGRGeometry* w = want.GetGeometryRef();
        ASSERT_EQ(g == nullptr, w == nullptr) << "fid " << want.GetFID();
        if (g) {
            EXPECT_EQ(g->getGeometryType(), w->getGeometryType()) << "fid " << want.GetFID();
            EXPECT_EQ(g->IsEmpty(), w->IsEmpty()) << "fid " << want.GetFID();
            EXPECT_TRUE(g->getSpatialReference() && g->getSpatialReference()->IsSame(w->getSpatialReference()));
            if (!w->IsEmpty()) {
                std::vector<unsigned char> a(g->WkbSize()), b(w->WkbSize());
                g->exportToWkb(wkbNDR, a.data(), wkbVariantIso);
                w->exportToWkb(wkbNDR, b.data(), wkbVariantIso);
                EXPECT_EQ(a, b) << "fid " << want.GetFID();
            }
        }
    }
    CPLPopErrorHandler();
    EXPECT_EQ(n, expected.size());
    EXPECT_EQ(CPLGetLastErrorType(), CE_None);
    EXPECT_EQ(reader->next(), nullptr) << "the table read again after its end";
    fs::remove_all(dir);
}

TEST(GpkgPointReader, LeavesToGdalWhatItCannotReadAsGdalDoes) {
    GDALAllRegister();
    const fs::path dir = test::tempDir();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    const fs::path file = dir / "other.gpkg";
    {
        Dataset ds(driver->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRSpatialReference wgs84;
        wgs84.importFromEPSG(4326);
        ds->CreateLayer("zones", &wgs84, wkbPolygon, nullptr);
        ds->CreateLayer("points_z", &wgs84, wkbPoint25D, nullptr);
        OGRLayer* dated = ds->CreateLayer("dated", &wgs84, wkbPoint, nullptr);
        OGRFieldDefn day("day", OFTDate);
        dated->CreateField(&day);
        OGRLayer* flags = ds->CreateLayer("flags", &wgs84, wkbPoint, nullptr);
        OGRFieldDefn flag("flag", OFTInteger);
        flag.SetSubType(OFSTBoolean);
        flags->CreateField(&flag);
        OGRLayer* plain = ds->CreateLayer("plain", &wgs84, wkbPoint, nullptr);
        OGRFieldDefn name("name", OFTString);
        plain->CreateField(&name);
    }
    Dataset ds = openVector(file);
    for (const char* name : {"zones", "points_z", "dated", "flags"})
        EXPECT_FALSE(layers::GpkgPointReader::open(*ds, *ds->GetLayerByName(name), file.string())) << name;
    OGRLayer* plain = ds->GetLayerByName("plain");
    EXPECT_TRUE(layers::GpkgPointReader::open(*ds, *plain, file.string()));
    OGRPoint somewhere(106, 29);
    plain->SetSpatialFilter(&somewhere);
    EXPECT_FALSE(layers::GpkgPointReader::open(*ds, *plain, file.string()));
    plain->SetSpatialFilter(nullptr);

    // Not a GeoPackage: a GeoJSON file of points.
    const fs::path json = dir / "points.geojson";
    test::writeText(json, R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},)"
                          R"("geometry":{"type":"Point","coordinates":[106,29]}}]})");
    Dataset other = openVector(json);
    ASSERT_TRUE(other);
    EXPECT_FALSE(layers::GpkgPointReader::open(*other, *other->GetLayer(0), json.string()));
    fs::remove_all(dir);
}

}  // namespace
}  // namespace ecozone

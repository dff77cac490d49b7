// SPDX-License-Identifier: MIT
#include "layers/gpkg_points.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "output/sqlite_db.hpp"

namespace ecozone::layers {
namespace {

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using output::Statement;
using output::sqlQuoted;

Statement prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return nullptr;
    return Statement(s);
}

double readDouble(const unsigned char* p, bool littleEndian) {
    unsigned char b[8];
    std::memcpy(b, p, 8);
    if (littleEndian != (std::endian::native == std::endian::little))
        for (int i = 0; i < 4; ++i) std::swap(b[i], b[7 - i]);
    double v;
    std::memcpy(&v, b, 8);
    return v;
}

// The point in the usual GeoPackage blob of a 2D point: the standard header ("GP", version 0, not the extended
// kind, not flagged empty) with an envelope of any kind, then a WKB point (type 1, either byte order) and nothing
// more. Anything else (an empty point, Z or M, another geometry, a SpatiaLite blob) is left to GDAL.
bool plainPoint(const unsigned char* blob, int size, double& x, double& y) {
    static constexpr int kEnvelopeBytes[] = {0, 32, 48, 48, 64};
    if (size < 8 || blob[0] != 'G' || blob[1] != 'P' || blob[2] != 0) return false;
    const unsigned flags = blob[3];
    const unsigned envelope = (flags >> 1) & 7;
    if ((flags & 0x30) != 0 || envelope > 4) return false;  // extended or empty
    const int header = 8 + kEnvelopeBytes[envelope];
    if (size != header + 21) return false;
    const unsigned char* wkb = blob + header;
    if (wkb[0] > 1) return false;
    const bool little = wkb[0] == 1;
    const std::uint32_t type = little ? (std::uint32_t{wkb[1]} | std::uint32_t{wkb[2]} << 8 |
                                         std::uint32_t{wkb[3]} << 16 | std::uint32_t{wkb[4]} << 24)
                                      : (std::uint32_t{wkb[4]} | std::uint32_t{wkb[3]} << 8 |
                                         std::uint32_t{wkb[2]} << 16 | std::uint32_t{wkb[1]} << 24);
    if (type != 1) return false;
    x = readDouble(wkb + 5, little);
    y = readDouble(wkb + 13, little);
    return !std::isnan(x) && !std::isnan(y);
}

}  // namespace

struct GpkgPointReader::Impl {
    OGRLayer* layer = nullptr;
    Db db;
    Statement rows;
    std::vector<OGRFieldType> types;  // per field of the layer, in the order of the SELECT after fid and geometry
    std::unique_ptr<OGRFeature> feature;
    OGRPoint* point = nullptr;             // the feature's geometry, when it is the reused point
    std::unique_ptr<OGRFeature> fromGdal;  // a row read through GDAL
    bool done = false;
};

GpkgPointReader::GpkgPointReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpkgPointReader::~GpkgPointReader() = default;

std::unique_ptr<GpkgPointReader> GpkgPointReader::open(GDALDataset& dataset, OGRLayer& layer,
                                                       const std::string& file) {
    if (!dataset.GetDriver() || std::strcmp(dataset.GetDriverName(), "GPKG") != 0) return nullptr;
    // What GDAL returns was checked against 3.6, Debian 12's (3.9 rounds coordinates to a layer's precision, for
    // one). Pragmas given to GDAL's connection may change its order (reverse_unordered_selects).
    const int version = std::atoi(GDALVersionInfo("VERSION_NUM"));
    if (version < 3060000 || version >= 3070000 || CPLGetConfigOption("OGR_SQLITE_PRAGMA", nullptr))
        return nullptr;
    std::error_code ec;
    if (file.rfind("/vsi", 0) == 0 || !std::filesystem::is_regular_file(file, ec)) return nullptr;
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    if (defn->GetGeomFieldCount() != 1 || defn->GetGeomType() != wkbPoint || layer.GetSpatialFilter())
        return nullptr;
    const char* fidColumn = layer.GetFIDColumn();
    const char* geomColumn = layer.GetGeometryColumn();
    if (!fidColumn || !*fidColumn || !geomColumn || !*geomColumn) return nullptr;
    if (defn->GetGeomFieldDefn(0)->IsIgnored()) return nullptr;
    auto impl = std::make_unique<Impl>();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const OGRFieldDefn* field = defn->GetFieldDefn(i);
        const OGRFieldType type = field->GetType();
        // Subtypes (booleans, 16-bit integers, floats, JSON) are set with checks of their own: left to GDAL.
        if (field->IsIgnored() || field->GetSubType() != OFSTNone ||
            (type != OFTInteger && type != OFTInteger64 && type != OFTReal && type != OFTString))
            return nullptr;
        impl->types.push_back(type);
    }

    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    impl->db.reset(db);
    if (rc != SQLITE_OK) return nullptr;
    const std::string table = layer.GetName();
    // A table (not a view) whose columns, after the fid and the geometry, are the layer's fields in order.
    Statement kind = prepare(db, "SELECT type FROM sqlite_master WHERE name = ?");
    if (!kind || sqlite3_bind_text(kind.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_step(kind.get()) != SQLITE_ROW ||
        std::strcmp(reinterpret_cast<const char*>(sqlite3_column_text(kind.get(), 0)), "table") != 0)
        return nullptr;
    Statement columns = prepare(db, "PRAGMA table_info(" + sqlQuoted(table) + ")");
    if (!columns) return nullptr;
    std::vector<std::string> names;
    bool hasFid = false, hasGeom = false;
    int keys = 0;
    while (sqlite3_step(columns.get()) == SQLITE_ROW) {
        const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(columns.get(), 1));
        const auto* declared = reinterpret_cast<const char*>(sqlite3_column_text(columns.get(), 2));
        if (sqlite3_column_int(columns.get(), 5) != 0) ++keys;
        // The fid must be the rowid (INTEGER PRIMARY KEY): rows are read again by it, and another key may hold
        // NULLs or reals that GDAL reads as other fids.
        if (name == fidColumn)
            hasFid = sqlite3_column_int(columns.get(), 5) == 1 && declared && std::string(declared) == "INTEGER";
        else if (name == geomColumn)
            hasGeom = true;
        else
            names.push_back(name);
    }
    if (!hasFid || keys != 1 || !hasGeom || names.size() != static_cast<std::size_t>(defn->GetFieldCount()))
        return nullptr;
    std::string sql = "SELECT " + sqlQuoted(fidColumn) + ", " + sqlQuoted(geomColumn);
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        if (names[static_cast<std::size_t>(i)] != defn->GetFieldDefn(i)->GetNameRef()) return nullptr;
        sql += ", " + sqlQuoted(defn->GetFieldDefn(i)->GetNameRef());
    }
    // In the order GDAL reads them: its statement has no ORDER BY either.
    impl->rows = prepare(db, sql + " FROM " + sqlQuoted(table));
    if (!impl->rows) return nullptr;
    impl->layer = &layer;
    impl->feature = std::make_unique<OGRFeature>(defn);
    return std::unique_ptr<GpkgPointReader>(new GpkgPointReader(std::move(impl)));
}

OGRFeature* GpkgPointReader::next() {
    Impl& m = *impl_;
    m.fromGdal.reset();
    if (m.done) return nullptr;
    sqlite3_stmt* s = m.rows.get();
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        m.done = true;  // as GDAL's reader, which does not start over
        if (rc != SQLITE_DONE) {
            CPLError(CE_Failure, CPLE_AppDefined, "In GetNextRawFeature(): sqlite3_step() : %s",
                     sqlite3_errmsg(m.db.get()));
            sqlite3_reset(s);
        }
        return nullptr;
    }
    const GIntBig fid = sqlite3_column_int64(s, 0);
    OGRFeature& f = *m.feature;
    f.SetFID(fid);
    switch (sqlite3_column_type(s, 1)) {
        case SQLITE_NULL:
            if (f.GetGeometryRef()) f.SetGeometryDirectly(nullptr);
            m.point = nullptr;
            break;
        case SQLITE_BLOB: {
            double x, y;
            const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(s, 1));
            if (blob && plainPoint(blob, sqlite3_column_bytes(s, 1), x, y)) {
                if (!m.point) {
                    m.point = new OGRPoint(x, y);
                    m.point->assignSpatialReference(m.layer->GetLayerDefn()->GetGeomFieldDefn(0)->GetSpatialRef());
                    f.SetGeometryDirectly(m.point);
                } else {
                    m.point->setX(x);
                    m.point->setY(y);
                }
                break;
            }
            [[fallthrough]];
        }
        default:
            // Whatever GDAL makes of this geometry, or says about it, row and all.
            m.fromGdal.reset(m.layer->GetFeature(fid));
            if (!m.fromGdal) {
                m.done = true;
                if (CPLGetLastErrorType() < CE_Failure)
                    CPLError(CE_Failure, CPLE_AppDefined,
                             "GDAL cannot read feature " CPL_FRMT_GIB " again by its fid", fid);
                return nullptr;
            }
            return m.fromGdal.get();
    }
    for (int i = 0; i < static_cast<int>(m.types.size()); ++i) {
        const int column = i + 2;
        if (sqlite3_column_type(s, column) == SQLITE_NULL) {
            f.SetFieldNull(i);
            continue;
        }
        switch (m.types[static_cast<std::size_t>(i)]) {
            case OFTInteger:
                f.SetField(i, sqlite3_column_int(s, column));
                break;
            case OFTInteger64:
                f.SetField(i, static_cast<GIntBig>(sqlite3_column_int64(s, column)));
                break;
            case OFTReal:
                f.SetField(i, sqlite3_column_double(s, column));
                break;
            default: {
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
                if (!text) {  // out of memory
                    m.done = true;
                    CPLError(CE_Failure, CPLE_AppDefined, "%s", sqlite3_errmsg(m.db.get()));
                    return nullptr;
                }
                f.SetField(i, text);
            }
        }
    }
    return &f;
}

}  // namespace ecozone::layers

// SPDX-License-Identifier: MIT
#include "output/gpkg_rows.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "output/gpkg_rtree.hpp"
#include "output/sqlite_db.hpp"

namespace ecozone::output {

namespace {

struct WkbWriterDeleter {
    GEOSContextHandle_t ctx;
    void operator()(GEOSWKBWriter* w) const { GEOSWKBWriter_destroy_r(ctx, w); }
};

void putDouble(std::vector<unsigned char>& out, double v) {
    unsigned char b[8];
    std::memcpy(b, &v, 8);  // little-endian, as the header's byte-order flag says (x86-64, checked at build)
    out.insert(out.end(), b, b + 8);
}

static_assert(std::endian::native == std::endian::little, "the GeoPackage blobs are written little-endian");

}  // namespace

struct GpkgRows::Impl {
    SqliteDb db;
    std::string table, fidColumn, geometryColumn;
    std::int32_t srsId = 0;
    bool hasGeometry = false;
    Statement insert;
    std::vector<char> touched;                                  // by parameter (1-based; 0 unused)
    std::vector<std::pair<std::string, std::string>> triggers;  // name, SQL: set aside while the rows go in
    std::vector<unsigned char> blob;
    bool rowHasBox = false;
    double box[4] = {0, 0, 0, 0};  // minx, maxx, miny, maxy of the row being made
    bool anyExtent = false;
    double extent[4] = {0, 0, 0, 0};
    std::vector<RtreeBox> boxes;
    std::int64_t rows = 0;
    bool finished = false;
    GEOSContextHandle_t wkbContext = nullptr;
    std::unique_ptr<GEOSWKBWriter, WkbWriterDeleter> wkb{nullptr, {nullptr}};

    explicit Impl(const std::filesystem::path& file) : db(file, "cannot write to `" + file.string() + "`") {}
    // A bind SQLite refuses (a value too big for it) is an error, not a silent null.
    void check(int rc) {
        if (rc != SQLITE_OK) db.fail();
    }

    // The GeoPackage header: magic, version 0, flags (little-endian, then `flags`: 0x02 an XY envelope, which
    // GDAL writes for all but points and empty geometries; 0x10 empty), the SRS id.
    void header(unsigned char flags) {
        blob.assign({'G', 'P', 0, static_cast<unsigned char>(0x01 | flags)});
        const auto srs = static_cast<std::uint32_t>(srsId);
        unsigned char bytes[4];
        std::memcpy(bytes, &srs, 4);
        blob.insert(blob.end(), bytes, bytes + 4);
    }
    void bindBlob() {
        check(sqlite3_bind_blob(insert.get(), 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC));
        touched[1] = 1;
    }

    int parameterOf(std::size_t column) {
        const std::size_t p = column + (hasGeometry ? 2 : 1);
        if (p >= touched.size())
            throw std::logic_error("no column " + std::to_string(column) + " in table " + table + " of " +
                                   db.file().string());
        touched[p] = 1;
        return static_cast<int>(p);
    }
};

GpkgRows::GpkgRows(const std::filesystem::path& file, const std::string& table, const std::string& fidColumn,
                   const std::string& geometryColumn, const std::vector<std::string>& columns)
    : impl_(std::make_unique<Impl>(file)) {
    Impl& m = *impl_;
    m.table = table;
    m.fidColumn = fidColumn;
    m.geometryColumn = geometryColumn;
    m.hasGeometry = !geometryColumn.empty();
    // The connection GDAL has to a GeoPackage it creates: the user's SQLite pragmas (split and, when SQLite
    // refuses one, passed over, as GDAL does), the journal mode if set, and synchronous mode off unless the user
    // sets one (GDAL's default for a new file: the file is written out by the system, not waited for;
    // docs/check.md says so).
    auto pragma = [&](const std::string& p) {
        sqlite3_exec(m.db.get(), ("PRAGMA " + p).c_str(), nullptr, nullptr, nullptr);
    };
    if (const char* list = CPLGetConfigOption("OGR_SQLITE_PRAGMA", nullptr)) {
        char** items = CSLTokenizeString2(list, ",", CSLT_HONOURSTRINGS);
        for (char** i = items; i && *i; ++i) pragma(*i);
        CSLDestroy(items);
    }
    if (const char* journal = CPLGetConfigOption("OGR_SQLITE_JOURNAL", nullptr))
        pragma(std::string("journal_mode = ") + journal);
    const char* sync = CPLGetConfigOption("OGR_SQLITE_SYNCHRONOUS", nullptr);
    pragma(std::string("synchronous = ") + (sync ? sync : "OFF"));

    if (m.hasGeometry) {
        Statement s = m.db.prepare(
            "SELECT srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?) AND lower(column_name) = "
            "lower(?)");
        sqlite3_bind_text(s.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s.get(), 2, geometryColumn.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s.get()) != SQLITE_ROW)
            throw std::logic_error("GDAL registered no geometry column " + geometryColumn + " for table " + table +
                                   " of " + file.string());
        m.srsId = sqlite3_column_int(s.get(), 0);
    }
    m.db.exec("BEGIN");
    {
        Statement s = m.db.prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND lower(tbl_name) = lower(?)");
        sqlite3_bind_text(s.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
            m.triggers.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0)),
                                    reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1)));
        if (rc != SQLITE_DONE) m.db.fail();
    }
    for (const auto& [name, sql] : m.triggers) m.db.exec("DROP TRIGGER " + sqlQuoted(name));

    std::string names, params;
    auto add = [&](const std::string& name) {
        names += (names.empty() ? "" : ", ") + sqlQuoted(name);
        params += params.empty() ? "?" : ", ?";
    };
    if (m.hasGeometry) add(geometryColumn);
    for (const std::string& c : columns) add(c);
    m.insert = m.db.prepare("INSERT INTO " + sqlQuoted(table) + " (" + names + ") VALUES (" + params + ")");
    m.touched.assign(columns.size() + (m.hasGeometry ? 2 : 1), 0);
}

GpkgRows::~GpkgRows() = default;  // unfinished: closing the connection rolls the transaction back

void GpkgRows::text(std::size_t column, const std::string& value) {
    // Up to the first NUL, as GDAL took the C string.
    impl_->check(sqlite3_bind_text64(impl_->insert.get(), impl_->parameterOf(column), value.c_str(),
                                     std::strlen(value.c_str()), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void GpkgRows::real(std::size_t column, double value) {
    impl_->check(sqlite3_bind_double(impl_->insert.get(), impl_->parameterOf(column), value));
}

void GpkgRows::integer(std::size_t column, long long value) {
    impl_->check(sqlite3_bind_int64(impl_->insert.get(), impl_->parameterOf(column), value));
}

void GpkgRows::geometry(GEOSContextHandle_t ctx, const GEOSGeometry* g) {
    Impl& m = *impl_;
    if (!m.hasGeometry || !g) return;
    m.touched[1] = 0;  // until the blob is bound again: the statement may point into the one replaced here
    // A point (most rows) is written here: GEOS's WKB writer builds a stream for every geometry.
    double x = 0, y = 0;
    const bool point = GEOSGeomTypeId_r(ctx, g) == GEOS_POINT && GEOSGeomGetX_r(ctx, g, &x) == 1 &&
                       GEOSGeomGetY_r(ctx, g, &y) == 1 && !GEOSHasZ_r(ctx, g);
    const bool empty = !point && GEOSisEmpty_r(ctx, g) == 1;
    if (point) {
        this->point(x, y);
        return;
    }
    m.header(empty ? 0x10 : 0x02);
    m.rowHasBox = !empty;
    if (!empty) {
        GEOSGeom_getXMin_r(ctx, g, &m.box[0]);
        GEOSGeom_getXMax_r(ctx, g, &m.box[1]);
        GEOSGeom_getYMin_r(ctx, g, &m.box[2]);
        GEOSGeom_getYMax_r(ctx, g, &m.box[3]);
        for (double v : m.box) putDouble(m.blob, v);
    }
    // Geometries come validated and in degrees: a box that is not finite and ordered is a bug upstream.
    if (m.rowHasBox && !(m.box[0] <= m.box[1] && m.box[2] <= m.box[3] && std::isfinite(m.box[0]) &&
                         std::isfinite(m.box[1]) && std::isfinite(m.box[2]) && std::isfinite(m.box[3])))
        throw std::logic_error("a row of table " + m.table + " of " + m.db.file().string() +
                               " has a geometry without a finite box");
    if (!m.wkb || m.wkbContext != ctx) {
        m.wkb = std::unique_ptr<GEOSWKBWriter, WkbWriterDeleter>(GEOSWKBWriter_create_r(ctx), {ctx});
        m.wkbContext = ctx;
        GEOSWKBWriter_setByteOrder_r(ctx, m.wkb.get(), GEOS_WKB_NDR);
        GEOSWKBWriter_setOutputDimension_r(ctx, m.wkb.get(), 2);
        GEOSWKBWriter_setFlavor_r(ctx, m.wkb.get(), GEOS_WKB_ISO);
    }
    std::size_t size = 0;
    unsigned char* wkb = GEOSWKBWriter_write_r(ctx, m.wkb.get(), g, &size);
    if (!wkb) throw std::logic_error("GEOS wrote no WKB for a row of table " + m.table);
    m.blob.insert(m.blob.end(), wkb, wkb + size);
    GEOSFree_r(ctx, wkb);
    m.bindBlob();
}

void GpkgRows::point(double x, double y) {
    Impl& m = *impl_;
    if (!m.hasGeometry) return;
    m.touched[1] = 0;
    m.header(0);
    m.box[0] = m.box[1] = x;
    m.box[2] = m.box[3] = y;
    if (!std::isfinite(x) || !std::isfinite(y))
        throw std::logic_error("a row of table " + m.table + " of " + m.db.file().string() +
                               " has a point without finite coordinates");
    m.rowHasBox = true;
    m.blob.insert(m.blob.end(), {0x01, 0x01, 0x00, 0x00, 0x00});  // little-endian, type 1: Point
    putDouble(m.blob, x);
    putDouble(m.blob, y);
    m.bindBlob();
}

void GpkgRows::insert() {
    Impl& m = *impl_;
    sqlite3_stmt* s = m.insert.get();
    for (std::size_t p = 1; p < m.touched.size(); ++p) {
        if (!m.touched[p]) m.check(sqlite3_bind_null(s, static_cast<int>(p)));
        m.touched[p] = 0;
    }
    m.db.run(s);
    ++m.rows;
    if (m.rowHasBox) {
        m.boxes.push_back(
            RtreeBox::of(sqlite3_last_insert_rowid(m.db.get()), m.box[0], m.box[1], m.box[2], m.box[3]));
        if (!m.anyExtent) {
            std::copy(std::begin(m.box), std::end(m.box), std::begin(m.extent));
            m.anyExtent = true;
        } else {
            m.extent[0] = std::min(m.extent[0], m.box[0]);
            m.extent[1] = std::max(m.extent[1], m.box[1]);
            m.extent[2] = std::min(m.extent[2], m.box[2]);
            m.extent[3] = std::max(m.extent[3], m.box[3]);
        }
    }
    m.rowHasBox = false;
}

void GpkgRows::finish() {
    Impl& m = *impl_;
    if (m.finished) return;
    m.insert.reset();
    {
        Statement s =
            m.db.prepare("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower(?)");
        sqlite3_bind_int64(s.get(), 1, m.rows);
        sqlite3_bind_text(s.get(), 2, m.table.c_str(), -1, SQLITE_TRANSIENT);
        m.db.run(s.get());
    }
    if (m.anyExtent) {
        Statement s = m.db.prepare(
            "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE lower(table_name) = "
            "lower(?)");
        sqlite3_bind_double(s.get(), 1, m.extent[0]);
        sqlite3_bind_double(s.get(), 2, m.extent[2]);
        sqlite3_bind_double(s.get(), 3, m.extent[1]);
        sqlite3_bind_double(s.get(), 4, m.extent[3]);
        sqlite3_bind_text(s.get(), 5, m.table.c_str(), -1, SQLITE_TRANSIENT);
        m.db.run(s.get());
    }
    for (const auto& [name, sql] : m.triggers) m.db.exec(sql);
    if (m.hasGeometry) writeRtreeIndex(m.db, m.table, m.fidColumn, m.geometryColumn, std::move(m.boxes));
    m.db.exec("COMMIT");
    m.finished = true;
}

}  // namespace ecozone::output

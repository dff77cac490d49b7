// SPDX-License-Identifier: MIT
#include "output/gdal_table.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "geo/geos.hpp"
#include "output/gpkg_rows.hpp"
#include "util/error.hpp"
#include "util/gdal_option.hpp"
#include "util/text.hpp"

namespace ecozone::output {

namespace {
struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};
}  // namespace

struct GdalTable::Impl {
    std::filesystem::path file;
    std::unique_ptr<GDALDataset, DatasetCloser> dataset;
    OGRLayer* layer = nullptr;
    bool csv = false;
    bool geometry = false;
    OGRSpatialReference wgs84;
    std::unique_ptr<OGRFeature> row;
    geo::GeosContext geos;
    GEOSWKBWriter* wkb = nullptr;  // made on first use, with `geos`
    bool transaction = false;
    // A GeoPackage's rows go in through SQLite (see GpkgRows); GDAL makes the file and the table.
    std::unique_ptr<GpkgRows> gpkg;

    ~Impl() {
        if (wkb) GEOSWKBWriter_destroy_r(geos.get(), wkb);
    }
    // The columns as given to the constructor (and a CSV's `wkt`), and each one's GDAL field index.
    std::vector<std::string> names;
    std::vector<int> fieldOf;
    // Through GDAL, the row is made once and reused: a value stays until the next row sets the column, and
    // columns a row does not set are nulled just before it is written (nulling all twenty columns of every row
    // cost more).
    std::vector<char> touched;  // by GDAL field index: set in the row being made
    void fresh() {
        if (!row) {
            row = std::make_unique<OGRFeature>(layer->GetLayerDefn());
            touched.assign(static_cast<std::size_t>(row->GetFieldCount()), 0);
        }
        row->SetGeometryDirectly(nullptr);
        row->SetFID(OGRNullFID);
    }
    void nullUntouched() {
        for (std::size_t i = 0; i < touched.size(); ++i) {
            if (!touched[i]) row->SetFieldNull(static_cast<int>(i));
            touched[i] = 0;
        }
    }
    // Column positions by name, looked up once.
    std::unordered_map<std::string, std::size_t> positions;
    std::size_t position(const std::string& column) {
        if (auto it = positions.find(column); it != positions.end()) return it->second;
        const auto it = std::find(names.begin(), names.end(), column);
        if (it == names.end()) throw std::logic_error("no column " + column + " in " + file.string());
        return positions.emplace(column, static_cast<std::size_t>(it - names.begin())).first->second;
    }
    // The GDAL field of the column at `column`, marked set in the row.
    int at(std::size_t column) {
        if (column >= fieldOf.size())
            throw std::logic_error("no column " + std::to_string(column) + " in " + file.string());
        touched[static_cast<std::size_t>(fieldOf[column])] = 1;
        return fieldOf[column];
    }
    void text(std::size_t column, const std::string& value) {
        if (value.empty()) return;
        if (gpkg)
            gpkg->text(column, value);
        else
            row->SetField(at(column), value.c_str());
    }
    void real(std::size_t column, double value) {
        if (!std::isfinite(value)) return;
        if (gpkg)
            gpkg->real(column, value);
        else
            row->SetField(at(column), value);
    }
    void integer(std::size_t column, long long value) {
        if (gpkg)
            gpkg->integer(column, value);
        else
            row->SetField(at(column), static_cast<GIntBig>(value));
    }
};

std::string GdalTable::driverFor(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".gpkg") return "GPKG";
    if (ext == ".geojson" || ext == ".json") return "GeoJSON";
    if (ext == ".csv") return "CSV";
    if (ext == ".fgb") return "FlatGeobuf";
    throw usageError("cannot tell the output format of `" + file.string() +
                     "`: use a name ending in .gpkg, .geojson, .csv or .fgb");
}

GdalTable::GdalTable(const std::filesystem::path& file, const std::string& layerName, std::vector<Column> columns,
                     bool withGeometry)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.file = file;
    const std::string driverName = driverFor(file);
    GDALAllRegister();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driverName.c_str());
    if (!driver) throw outputError("this GDAL has no " + driverName + " driver to write `" + file.string() + "`");
    // A fixed timestamp in GeoPackage metadata keeps the output byte-identical from run to run.
    CPLSetConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    if (std::filesystem::exists(file)) {
        std::error_code ec;
        std::filesystem::remove(file, ec);
        if (ec) throw outputError("cannot replace `" + file.string() + "`: " + ec.message());
    }
    // GeoPackage pages of 64 KiB, not SQLite's 4 KiB: a violation row is some 600 bytes (the rule's titles and
    // legal basis), and larger pages made a 1M-facility check's file 6 % smaller and its writing 2 % faster.
    // Added to an OGR_SQLITE_PRAGMA of the user's own unless it sets a page size; on this thread, for the
    // creation.
    const std::string pragmas = CPLGetConfigOption("OGR_SQLITE_PRAGMA", "");
    {
        std::optional<ThreadGdalOption> pages;
        if (driverName == "GPKG" && lower(pragmas).find("page_size") == std::string::npos)
            pages.emplace("OGR_SQLITE_PRAGMA", pragmas + (pragmas.empty() ? "" : ",") + "page_size=65536");
        m.dataset.reset(driver->Create(file.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    }
    if (!m.dataset) throw outputError("cannot create `" + file.string() + "`: " + CPLGetLastErrorMsg());
    m.csv = driverName == "CSV";
    m.geometry = withGeometry;
    m.wgs84.importFromEPSG(4326);
    m.wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    char** options = nullptr;
    if (driverName == "GeoJSON") options = CSLSetNameValue(options, "COORDINATE_PRECISION", "7");
    if (driverName == "FlatGeobuf") options = CSLSetNameValue(options, "SPATIAL_INDEX", "NO");
    // A GeoPackage's rows and spatial index are written by GpkgRows, once GDAL has made the table: GDAL would
    // insert every row into the index as the row is written.
    const bool gpkg = driverName == "GPKG";
    if (gpkg) options = CSLSetNameValue(options, "SPATIAL_INDEX", "NO");
    // A GeoPackage's row id is a column `fid` of its own, unless the table has one (the load report's feature
    // ids, which repeat from layer to layer): GDAL would take that column as the row id.
    if (gpkg && std::any_of(columns.begin(), columns.end(), [](const Column& c) { return lower(c.name) == "fid"; }))
        options = CSLSetNameValue(options, "FID", "ogc_fid");
    const bool layerGeometry = withGeometry && !m.csv;
    m.layer = m.dataset->CreateLayer(layerName.c_str(), layerGeometry ? &m.wgs84 : nullptr,
                                     layerGeometry ? wkbUnknown : wkbNone, options);
    CSLDestroy(options);
    if (!m.layer) throw outputError("cannot create layer `" + layerName + "` in `" + file.string() + "`");
    if (m.csv && withGeometry) columns.push_back({"wkt", Type::String});
    for (const Column& c : columns) {
        // Integers are 64-bit (a feature id may not fit 32 bits); booleans are 0/1 integers, which GPKG and
        // GeoJSON also mark boolean (CSV would quote them).
        OGRFieldDefn def(c.name.c_str(), c.type == Type::Real      ? OFTReal
                                         : c.type == Type::String  ? OFTString
                                         : c.type == Type::Integer ? OFTInteger64
                                                                   : OFTInteger);
        if (c.type == Type::Boolean && !m.csv) def.SetSubType(OFSTBoolean);
        if (m.layer->CreateField(&def) != OGRERR_NONE)
            throw outputError("cannot create column `" + c.name + "` in `" + file.string() + "`");
        m.names.push_back(c.name);
    }
    if (gpkg) {
        const std::string fidColumn = m.layer->GetFIDColumn();
        const std::string geometryColumn = layerGeometry ? m.layer->GetGeometryColumn() : "";
        CPLErrorReset();
        m.dataset.reset();  // GDAL writes the empty table's metadata as it closes
        if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal)
            throw outputError("cannot create `" + file.string() + "`: " + CPLGetLastErrorMsg());
        m.gpkg = std::make_unique<GpkgRows>(file, layerName, fidColumn, geometryColumn, m.names);
        return;
    }
    if (m.dataset->TestCapability(ODsCTransactions)) m.transaction = m.dataset->StartTransaction() == OGRERR_NONE;
    m.fresh();
    for (const Column& c : columns) {
        m.fieldOf.push_back(m.row->GetFieldIndex(c.name.c_str()));
        if (m.fieldOf.back() < 0)
            throw std::logic_error("the " + driverName + " driver did not keep column " + c.name + " of " +
                                   file.string());
    }
}

GdalTable::~GdalTable() = default;

void GdalTable::set(const std::string& column, const std::string& value) {
    impl_->text(impl_->position(column), value);
}

void GdalTable::set(const std::string& column, double value) {
    impl_->real(impl_->position(column), value);
}

void GdalTable::setAt(std::size_t column, const std::string& value) {
    impl_->text(column, value);
}

void GdalTable::setAt(std::size_t column, double value) {
    impl_->real(column, value);
}

void GdalTable::setInteger(const std::string& column, long long value) {
    impl_->integer(impl_->position(column), value);
}

void GdalTable::setBoolean(const std::string& column, bool value) {
    impl_->integer(impl_->position(column), value ? 1 : 0);
}

void GdalTable::setGeometry(const GEOSGeometry* g) {
    Impl& m = *impl_;
    if (!m.geometry || !g) return;
    if (m.gpkg) {
        m.gpkg->geometry(m.geos.get(), g);
        return;
    }
    if (m.csv) {
        set("wkt", geo::toWkt(m.geos.get(), g));
        return;
    }
    GEOSContextHandle_t ctx = m.geos.get();
    // A point (most subjects) is made directly; anything else goes through WKB.
    double x = 0, y = 0;
    if (GEOSGeomTypeId_r(ctx, g) == GEOS_POINT && !GEOSisEmpty_r(ctx, g) && GEOSGeomGetX_r(ctx, g, &x) == 1 &&
        GEOSGeomGetY_r(ctx, g, &y) == 1 && !GEOSHasZ_r(ctx, g)) {
        auto* point = new OGRPoint(x, y);
        point->assignSpatialReference(&m.wgs84);
        m.row->SetGeometryDirectly(point);
        return;
    }
    if (!m.wkb) {
        m.wkb = GEOSWKBWriter_create_r(ctx);
        GEOSWKBWriter_setByteOrder_r(ctx, m.wkb, GEOS_WKB_NDR);
    }
    std::size_t size = 0;
    unsigned char* wkb = GEOSWKBWriter_write_r(ctx, m.wkb, g, &size);
    OGRGeometry* out = nullptr;
    OGRGeometryFactory::createFromWkb(wkb, &m.wgs84, &out, static_cast<int>(size));
    GEOSFree_r(ctx, wkb);
    m.row->SetGeometryDirectly(out);
}

void GdalTable::setPoint(const GEOSGeometry* g, geo::LonLat at) {
    Impl& m = *impl_;
    if (m.gpkg && m.geometry && g) {
        m.gpkg->point(at.lon, at.lat);
        return;
    }
    setGeometry(g);
}

void GdalTable::writeRow() {
    Impl& m = *impl_;
    if (m.gpkg) {
        m.gpkg->insert();
        return;
    }
    m.nullUntouched();
    if (m.layer->CreateFeature(m.row.get()) != OGRERR_NONE)
        throw outputError("cannot write to `" + m.file.string() + "`: " + CPLGetLastErrorMsg());
    m.fresh();
}

void GdalTable::finish() {
    Impl& m = *impl_;
    if (m.gpkg) {
        m.gpkg->finish();
        m.gpkg.reset();
        return;
    }
    if (!m.dataset) return;
    if (m.transaction && m.dataset->CommitTransaction() != OGRERR_NONE)
        throw outputError("cannot write `" + m.file.string() + "`: " + CPLGetLastErrorMsg());
    CPLErrorReset();
    m.row.reset();
    m.dataset.reset();  // closing flushes; a failure shows as a GDAL error
    if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal)
        throw outputError("cannot finish writing `" + m.file.string() + "`: " + CPLGetLastErrorMsg());
}

}  // namespace ecozone::output

// SPDX-License-Identifier: MIT
#include "output/violation_table.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "geo/geos.hpp"
#include "util/error.hpp"

namespace ecozone::output {

namespace {

enum class Kind { String, Real };
struct Column {
    const char* name;
    Kind kind;
};

const std::vector<Column>& columns() {
    static const std::vector<Column> c = {
        {"rule_id", Kind::String},       {"subject_layer", Kind::String},  {"subject_id", Kind::String},
        {"subject_name", Kind::String},  {"object_layer", Kind::String},   {"object_id", Kind::String},
        {"distance_m", Kind::Real},      {"object_name", Kind::String},    {"object_class", Kind::String},
        {"subject_class", Kind::String}, {"subject_status", Kind::String}, {"threshold_m", Kind::Real},
        {"margin_m", Kind::Real},        {"overlap_m2", Kind::Real},       {"overlap_share", Kind::Real},
        {"action", Kind::String},        {"severity", Kind::String},       {"rule_title_zh", Kind::String},
        {"rule_title_en", Kind::String}, {"basis", Kind::String},
    };
    return c;
}

// Distances to the centimetre and areas to the square centimetre: finer digits are noise, and rounding keeps the
// output identical across runs and machines.
double round2(double v) {
    return std::round(v * 100.0) / 100.0;
}

struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};

}  // namespace

const std::vector<std::string>& violationColumns() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& c : columns()) n.emplace_back(c.name);
        return n;
    }();
    return names;
}

std::string driverFor(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".gpkg") return "GPKG";
    if (ext == ".geojson" || ext == ".json") return "GeoJSON";
    if (ext == ".csv") return "CSV";
    if (ext == ".fgb") return "FlatGeobuf";
    throw usageError("cannot tell the output format of `" + file.string() +
                     "`: use a name ending in .gpkg, .geojson, .csv or .fgb");
}

void writeViolations(const std::filesystem::path& file, const rules::Catalogue& catalogue,
                     const layers::LayerMap& layers, const std::vector<rules::RuleOutcome>& outcomes) {
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
    std::unique_ptr<GDALDataset, DatasetCloser> ds(
        driver->Create(file.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw outputError("cannot create `" + file.string() + "`: " + CPLGetLastErrorMsg());

    const bool csv = driverName == "CSV";
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    char** options = nullptr;
    if (driverName == "GeoJSON") options = CSLSetNameValue(options, "COORDINATE_PRECISION", "7");
    if (driverName == "FlatGeobuf") options = CSLSetNameValue(options, "SPATIAL_INDEX", "NO");
    OGRLayer* layer = ds->CreateLayer("violations", csv ? nullptr : &wgs84, csv ? wkbNone : wkbUnknown, options);
    CSLDestroy(options);
    if (!layer) throw outputError("cannot create the violations layer in `" + file.string() + "`");
    for (const auto& c : columns()) {
        OGRFieldDefn def(c.name, c.kind == Kind::Real ? OFTReal : OFTString);
        layer->CreateField(&def);
    }
    if (csv) {
        OGRFieldDefn def("wkt", OFTString);
        layer->CreateField(&def);
    }

    geo::GeosContext geos;
    GEOSWKBWriter* wkbWriter = GEOSWKBWriter_create_r(geos.get());
    GEOSWKBWriter_setByteOrder_r(geos.get(), wkbWriter, GEOS_WKB_NDR);
    if (ds->TestCapability(ODsCTransactions)) ds->StartTransaction();
    for (const rules::RuleOutcome& outcome : outcomes) {
        const rules::Rule& rule = catalogue.rules[outcome.rule];
        const layers::Layer& subjects = *layers.at(rule.subject);
        const layers::Layer& objects = *layers.at(rule.object);
        for (const rules::Violation& v : outcome.violations) {
            const layers::Feature& s = subjects.features()[v.subject];
            const layers::Feature* o = v.object ? &objects.features()[*v.object] : nullptr;
            OGRFeature row(layer->GetLayerDefn());
            // An empty value (a schema with no class field, a feature with no name) is a null, not "".
            // Every column is written, as a value or an explicit null, so that GeoJSON features all carry the
            // same keys.
            for (int i = 0; i < row.GetFieldCount(); ++i) row.SetFieldNull(i);
            auto set = [&](const char* name, const std::string& value) {
                if (!value.empty()) row.SetField(name, value.c_str());
            };
            auto setReal = [&](const char* name, double value) {
                if (std::isfinite(value)) row.SetField(name, round2(value));
            };
            set("rule_id", rule.id);
            set("subject_layer", rule.subject);
            set("subject_id", s.id);
            set("subject_name", s.name);
            set("object_layer", rule.object);
            if (o) {
                set("object_id", o->id);
                set("object_name", o->name);
                set("object_class", o->klass);
            }
            setReal("distance_m", v.distance_m);
            set("subject_class", s.klass);
            set("subject_status", s.status);
            if (rule.predicate == rules::Predicate::WithinDistance) {
                setReal("threshold_m", rule.distance_m);
                setReal("margin_m", v.distance_m - rule.distance_m);
            }
            setReal("overlap_m2", v.overlap_m2);
            if (std::isfinite(v.overlap_m2) && v.subject_area_m2 > 0)
                row.SetField("overlap_share", std::round(v.overlap_m2 / v.subject_area_m2 * 10000.0) / 10000.0);
            set("action", rule.action);
            set("severity", rule.severity);
            set("rule_title_zh", rule.title_zh);
            set("rule_title_en", rule.title_en);
            set("basis", rule.basis);
            if (csv) {
                set("wkt", geo::toWkt(geos.get(), s.geometry.get()));
            } else {
                std::size_t size = 0;
                unsigned char* wkb = GEOSWKBWriter_write_r(geos.get(), wkbWriter, s.geometry.get(), &size);
                OGRGeometry* g = nullptr;
                OGRGeometryFactory::createFromWkb(wkb, &wgs84, &g, static_cast<int>(size));
                GEOSFree_r(geos.get(), wkb);
                row.SetGeometryDirectly(g);
            }
            if (layer->CreateFeature(&row) != OGRERR_NONE)
                throw outputError("cannot write to `" + file.string() + "`: " + CPLGetLastErrorMsg());
        }
    }
    GEOSWKBWriter_destroy_r(geos.get(), wkbWriter);
    if (ds->TestCapability(ODsCTransactions) && ds->CommitTransaction() != OGRERR_NONE)
        throw outputError("cannot write `" + file.string() + "`: " + CPLGetLastErrorMsg());
    CPLErrorReset();
    ds.reset();  // closing flushes; a failure shows as a GDAL error
    if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal)
        throw outputError("cannot finish writing `" + file.string() + "`: " + CPLGetLastErrorMsg());
}

}  // namespace ecozone::output

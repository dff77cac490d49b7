// SPDX-License-Identifier: MIT
#include "output/violation_table.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

#include "output/gdal_table.hpp"
#include "output/qgis_style.hpp"

namespace ecozone::output {

namespace {

using Type = GdalTable::Type;

const std::vector<GdalTable::Column>& columns() {
    static const std::vector<GdalTable::Column> c = {
        {"rule_id", Type::String},       {"subject_layer", Type::String},  {"subject_id", Type::String},
        {"subject_name", Type::String},  {"object_layer", Type::String},   {"object_id", Type::String},
        {"distance_m", Type::Real},      {"object_name", Type::String},    {"object_class", Type::String},
        {"subject_class", Type::String}, {"subject_status", Type::String}, {"threshold_m", Type::Real},
        {"margin_m", Type::Real},        {"overlap_m2", Type::Real},       {"overlap_share", Type::Real},
        {"action", Type::String},        {"severity", Type::String},       {"rule_title_zh", Type::String},
        {"rule_title_en", Type::String}, {"basis", Type::String},
    };
    return c;
}

// The positions of the columns above, for GdalTable::setAt.
enum ColumnAt : std::size_t {
    kRuleId,
    kSubjectLayer,
    kSubjectId,
    kSubjectName,
    kObjectLayer,
    kObjectId,
    kDistance,
    kObjectName,
    kObjectClass,
    kSubjectClass,
    kSubjectStatus,
    kThreshold,
    kMargin,
    kOverlap,
    kOverlapShare,
    kAction,
    kSeverity,
    kTitleZh,
    kTitleEn,
    kBasis,
    kColumnCount,
};

// Distances to the centimetre and areas to the square centimetre: finer digits are noise, and rounding keeps the
// output identical across runs and machines.
double round2(double v) {
    return std::round(v * 100.0) / 100.0;
}

}  // namespace

const std::vector<std::string>& violationColumns() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& c : columns()) n.push_back(c.name);
        return n;
    }();
    return names;
}

std::string driverFor(const std::filesystem::path& file) {
    return GdalTable::driverFor(file);
}

LayerView viewOf(const layers::LayerMap& layers) {
    LayerView view;
    for (const auto& [name, layer] : layers) view.emplace(name, layer.get());
    return view;
}

struct ViolationWriter::Impl {
    std::filesystem::path file;
    GdalTable table;
    std::set<geo::GeometryFamily> families;  // for the GeoPackage's QGIS style
    explicit Impl(const std::filesystem::path& f) : file(f), table(f, "violations", columns(), true) {
        if (columns().size() != kColumnCount)
            throw std::logic_error("violation columns and their positions differ");
    }
};

ViolationWriter::ViolationWriter(const std::filesystem::path& file) : impl_(std::make_unique<Impl>(file)) {}

ViolationWriter::~ViolationWriter() = default;

void ViolationWriter::write(const rules::Catalogue& catalogue, const LayerView& layers,
                            const std::vector<rules::RuleOutcome>& outcomes) {
    GdalTable& table = impl_->table;
    for (const rules::RuleOutcome& outcome : outcomes) {
        const rules::Rule& rule = catalogue.rules[outcome.rule];
        const layers::Layer& subjects = *layers.at(rule.subject);
        const layers::Layer& objects = *layers.at(rule.object);
        for (const rules::Violation& v : outcome.violations) {
            const layers::Feature& s = subjects.features()[v.subject];
            table.setAt(kRuleId, rule.id);
            table.setAt(kSubjectLayer, rule.subject);
            table.setAt(kSubjectId, s.id);
            table.setAt(kSubjectName, s.name);
            table.setAt(kObjectLayer, rule.object);
            if (v.object) {
                const layers::Feature& o = objects.features()[*v.object];
                table.setAt(kObjectId, o.id);
                table.setAt(kObjectName, o.name);
                table.setAt(kObjectClass, o.klass);
            }
            table.setAt(kDistance, round2(v.distance_m));
            table.setAt(kSubjectClass, s.klass);
            table.setAt(kSubjectStatus, s.status);
            if (rule.predicate == rules::Predicate::WithinDistance) {
                table.setAt(kThreshold, round2(rule.distance_m));
                table.setAt(kMargin, round2(v.distance_m - rule.distance_m));
            }
            table.setAt(kOverlap, round2(v.overlap_m2));
            if (std::isfinite(v.overlap_m2) && v.subject_area_m2 > 0)
                table.setAt(kOverlapShare, std::round(v.overlap_m2 / v.subject_area_m2 * 10000.0) / 10000.0);
            table.setAt(kAction, rule.action);
            table.setAt(kSeverity, rule.severity);
            table.setAt(kTitleZh, rule.title_zh);
            table.setAt(kTitleEn, rule.title_en);
            table.setAt(kBasis, rule.basis);
            if (s.point)
                table.setPoint(s.geometry.get(), {s.envelope.min_lon, s.envelope.min_lat});
            else
                table.setGeometry(s.geometry.get());
            impl_->families.insert(s.family);
            table.writeRow();
        }
    }
}

void ViolationWriter::finish() {
    impl_->table.finish();
    // A GeoPackage opened in QGIS shows the violations as the static map does.
    if (driverFor(impl_->file) == "GPKG")
        writeQgisStyles(impl_->file,
                        {{"violations", "ecozone severity", violationsQml(impl_->families), "",
                          "ecozone: violations by severity (high red, medium orange, low amber) as on "
                          "its static maps, labelled with the facility's name"}});
}

void writeViolations(const std::filesystem::path& file, const rules::Catalogue& catalogue,
                     const layers::LayerMap& layers, const std::vector<rules::RuleOutcome>& outcomes) {
    ViolationWriter writer(file);
    writer.write(catalogue, layers, outcomes);
    writer.finish();
}

}  // namespace ecozone::output

// SPDX-License-Identifier: MIT
#include "cli/source_options.hpp"

#include <filesystem>

#include "cli/paths.hpp"
#include "output/gdal_table.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace ecozone::cli {

void SourceOptions::add(CLI::App& app, const std::string& crsOption) {
    app.add_option("--layers", layer_set, "Layer set file (TOML) binding layer names to sources")
        ->check(CLI::ExistingFile);
    app.add_option("--rules", catalogue, "Rule catalogue file (TOML)")->check(CLI::ExistingFile);
    app.add_option("--layer", layers, "Bind a layer of the set to another source: NAME=SOURCE[:LAYER] (repeatable)");
    app.add_option(crsOption, crs, "The CRS of a layer whose source carries none: NAME=EPSG:NNNN (repeatable)");
    app.add_option("--encoding", encodings,
                   "Text encoding of a layer's Shapefile or CSV source: NAME=CP936 (repeatable; default: the .cpg or "
                   "DBF language driver, else UTF-8, with GB18030 (GBK) tried for text that is not UTF-8)");
    app.add_option("--datum", datums,
                   "Convert a layer's GCJ-02 or BD-09 coordinates (picked on Chinese web maps) to WGS84: "
                   "NAME=gcj02|bd09 (repeatable)");
}

layers::LayerSet SourceOptions::loadLayerSet() const {
    layers::LayerSet set = layers::loadLayerSet(layer_set.empty() ? defaultLayerSet() : std::filesystem::path(layer_set));
    for (const auto& spec : layers) layers::overrideLayer(set, spec);
    for (const auto& spec : crs) layers::overrideCrs(set, spec);
    for (const auto& spec : encodings) layers::overrideEncoding(set, spec);
    for (const auto& spec : datums) layers::overrideDatum(set, spec);
    return set;
}

rules::Catalogue SourceOptions::loadCatalogue() const {
    return rules::loadCatalogue(catalogue.empty() ? defaultCatalogue() : std::filesystem::path(catalogue));
}

void LoadChecks::add(CLI::App& app) {
    app.add_option("--report-skipped", report_skipped,
                   "Write every skipped and repaired feature, with its reason, to this table (.csv, .gpkg ...)");
    app.add_flag("--strict", strict, "Treat any repaired or skipped feature as an error (exit 4)");
}

void LoadChecks::validate() const {
    if (!report_skipped.empty()) output::GdalTable::driverFor(report_skipped);
}

void LoadChecks::apply(const layers::LayerMap& loaded) const {
    if (!report_skipped.empty()) layers::writeLoadReport(report_skipped, loaded);
    if (strict) layers::requireClean(loaded);
}

void Verbosity::add(CLI::App& app) {
    app.add_flag("-q,--quiet", quiet, "Only errors on stderr");
    app.add_flag("-v,--verbose", verbose, "Timed progress lines on stderr");
}

void Verbosity::apply() const {
    if (quiet) log::setLevel(log::Level::Error);
    if (verbose) log::setLevel(log::Level::Debug);
}

void refuseOutputOverInput(const std::string& output, const layers::LayerSet& set,
                           const std::vector<std::string>& layerNames) {
    for (const auto& name : layerNames) {
        std::error_code ec;
        const auto& source = set.binding(name).source;
        if (std::filesystem::exists(source) && std::filesystem::equivalent(source, output, ec))
            throw usageError("the output `" + output + "` is the source of layer `" + name +
                             "`; writing it would destroy the input: choose another -o");
    }
}

}  // namespace ecozone::cli

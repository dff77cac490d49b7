// SPDX-License-Identifier: MIT
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/command.hpp"
#include "cli/paths.hpp"
#include "layers/layer_set.hpp"
#include "output/inventory_report.hpp"
#include "output/summary.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"
#include "rules/inventory.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace ecozone::cli {

namespace {

struct InventoryOptions {
    std::string layer_set;
    std::string catalogue;
    std::vector<std::string> layer_overrides;
    std::vector<std::string> crs_overrides;
    rules::InventoryRequest request;
    std::string output;  // empty: the terminal view only
    unsigned threads = 0;
    std::string lang = "zh";
    bool quiet = false;
    bool verbose = false;
};

class InventoryCommand : public Command {
  public:
    void setUp(CLI::App& app) override {
        app.footer(
            "List the facilities inside the polygons of one layer (reserve zones, red lines, water-source "
            "zones...)\n"
            "as a rectification ledger: one row per facility and area, grouped by area and zone, with the action\n"
            "the catalogue requires. Uses the same engine as `check` (boundary inclusive).\n"
            "Category, status and zone values may be given as the schema's aliases (hydro, 水电站, 核心区).\n"
            "Exit codes: 0 success (also when facilities are found), 2 usage, 3 configuration (layer set, "
            "schema,\n"
            "catalogue), 4 data (a source cannot be opened or read, no CRS), 5 output cannot be written.");
        app.add_option("--layers", o_.layer_set, "Layer set file (TOML) binding layer names to sources")
            ->check(CLI::ExistingFile);
        app.add_option("--rules", o_.catalogue, "Rule catalogue file (TOML): where the actions come from")
            ->check(CLI::ExistingFile);
        app.add_option("--layer", o_.layer_overrides,
                       "Bind a layer of the set to another source: NAME=SOURCE[:LAYER] (repeatable)");
        app.add_option("--crs", o_.crs_overrides,
                       "The CRS of a layer whose source carries none: NAME=EPSG:NNNN (repeatable)");
        app.add_option("--area-layer", o_.request.area_layer,
                       "The polygon layer whose areas are listed, e.g. reserves, redlines, water_sources")
            ->required();
        app.add_option("--facilities", o_.request.facility_layer, "The layer of facilities")
            ->capture_default_str();
        app.add_option("--category", o_.request.categories,
                       "Only facilities of this category, e.g. hydropower, hydro or 水电站 (repeatable)")
            ->delimiter(',');
        app.add_option("--status", o_.request.statuses,
                       "Only facilities with this status, e.g. existing or 现有 (repeatable)")
            ->delimiter(',');
        app.add_option("--area", o_.request.area_names, "Only the area with this name, exactly (repeatable)");
        app.add_option("--zone", o_.request.zones,
                       "Only this zone class of the area layer: core, buffer, experimental; grade1, grade2, "
                       "quasi; a red-line function... (repeatable)")
            ->delimiter(',');
        app.add_option("-o,--output", o_.output,
                       "Also write the ledger; the format follows the extension: .csv, .gpkg, .md, .html, .json");
        app.add_option("--threads", o_.threads, "Worker threads (default: all cores); output is the same for any")
            ->check(CLI::Range(0u, 1024u));
        app.add_option("--lang", o_.lang, "Language of the terminal view and the Markdown/HTML reports: zh or en")
            ->check(CLI::IsMember({"zh", "en"}))
            ->capture_default_str();
        app.add_flag("-q,--quiet", o_.quiet, "Only errors on stderr");
        app.add_flag("-v,--verbose", o_.verbose, "Timed progress lines on stderr");
    }

    int run() override {
        // Parse, then work: the output format and every filter value are checked before any data is read.
        if (!o_.output.empty()) output::inventoryFormatFor(o_.output);
        if (o_.quiet) log::setLevel(log::Level::Error);
        if (o_.verbose) log::setLevel(log::Level::Debug);
        const output::Language lang = o_.lang == "en" ? output::Language::En : output::Language::Zh;

        layers::LayerSet set =
            layers::loadLayerSet(o_.layer_set.empty() ? defaultLayerSet() : std::filesystem::path(o_.layer_set));
        for (const auto& spec : o_.layer_overrides) layers::overrideLayer(set, spec);
        for (const auto& spec : o_.crs_overrides) layers::overrideCrs(set, spec);
        rules::InventoryRequest request = o_.request;
        rules::normaliseInventoryRequest(request, set);
        const rules::Catalogue catalogue =
            rules::loadCatalogue(o_.catalogue.empty() ? defaultCatalogue() : std::filesystem::path(o_.catalogue));
        // Only the rules that can name an action here must find their layers in the set.
        rules::Catalogue applicable;
        applicable.file = catalogue.file;
        for (std::size_t i : rules::applicableRules(catalogue, request))
            applicable.rules.push_back(catalogue.rules[i]);
        rules::checkLayerReferences(applicable, set);
        const auto names = rules::inventoryLayers(catalogue, request);

        // Writing the output deletes what was there: never an input.
        if (!o_.output.empty()) {
            for (const auto& name : names) {
                std::error_code ec;
                const auto& source = set.binding(name).source;
                if (std::filesystem::exists(source) && std::filesystem::equivalent(source, o_.output, ec))
                    throw usageError("the output `" + o_.output + "` is the source of layer `" + name +
                                     "`; writing it would destroy the input: choose another -o");
            }
        }
        log::debug("loading " + std::to_string(names.size()) + " layers");
        const layers::LayerMap loaded = layers::loadLayers(set, names);
        if (!o_.quiet) output::printLoadDetails(std::cerr, loaded, 20);

        rules::EngineOptions options;
        options.threads = o_.threads;
        if (isatty(STDERR_FILENO) && !o_.quiet) {
            // Only a run that lasts shows progress: nothing for the first second.
            options.progress = [start = log::elapsed(), shown = false](const rules::Rule& rule, std::size_t done,
                                                                       std::size_t total) mutable {
                if (!shown && log::elapsed() - start < 1.0) return;
                if (done == total) {
                    if (shown) std::fprintf(stderr, "\r%-60s\r", "");
                } else {
                    std::fprintf(stderr, "\r%-24s %3zu%% (%zu/%zu)", rule.id.c_str(), done * 100 / total, done,
                                 total);
                    shown = true;
                }
                std::fflush(stderr);
            };
        }
        log::debug("listing facilities inside layer " + request.area_layer);
        const rules::Inventory inventory = rules::buildInventory(request, catalogue, loaded, options);
        if (!o_.output.empty()) {
            log::debug("writing " + o_.output);
            output::writeInventory(o_.output, inventory, lang);
        }
        output::printInventory(std::cout, inventory, lang);
        if (!o_.output.empty())
            std::cout << "\n"
                      << (lang == output::Language::Zh ? "台账已写入 " : "ledger written to ") << o_.output
                      << "\n";
        return 0;
    }

  private:
    InventoryOptions o_;
};

}  // namespace

std::unique_ptr<Command> makeInventoryCommand() {
    return std::make_unique<InventoryCommand>();
}

}  // namespace ecozone::cli

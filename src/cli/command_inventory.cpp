// SPDX-License-Identifier: MIT
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/command.hpp"
#include "cli/source_options.hpp"
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
    SourceOptions sources;
    LoadChecks checks;
    Verbosity verbosity;
    rules::InventoryRequest request;
    std::string output;  // empty: the terminal view only
    unsigned threads = 0;
    std::string lang = "zh";
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
        o_.sources.add(app);
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
        o_.checks.add(app);
        o_.verbosity.add(app);
    }

    int run() override {
        // Parse, then work: the output format and every filter value are checked before any data is read.
        if (!o_.output.empty()) output::inventoryFormatFor(o_.output);
        o_.checks.validate();
        o_.verbosity.apply();
        const output::Language lang = o_.lang == "en" ? output::Language::En : output::Language::Zh;

        const layers::LayerSet set = o_.sources.loadLayerSet();
        rules::InventoryRequest request = o_.request;
        rules::normaliseInventoryRequest(request, set);
        const rules::Catalogue catalogue = o_.sources.loadCatalogue();
        // Only the rules that can name an action here must find their layers in the set.
        rules::Catalogue applicable;
        applicable.file = catalogue.file;
        for (std::size_t i : rules::applicableRules(catalogue, request))
            applicable.rules.push_back(catalogue.rules[i]);
        rules::checkLayerReferences(applicable, set);
        const auto names = rules::inventoryLayers(catalogue, request);

        if (!o_.output.empty()) refuseOutputOverInput(o_.output, set, names);
        log::debug("loading " + std::to_string(names.size()) + " layers");
        const layers::LayerMap loaded = layers::loadLayers(set, names);
        if (!o_.verbosity.quiet) output::printLoadDetails(std::cerr, loaded, 20);
        o_.checks.apply(loaded);

        rules::EngineOptions options;
        options.threads = o_.threads;
        if (isatty(STDERR_FILENO) && !o_.verbosity.quiet) {
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

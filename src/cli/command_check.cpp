// SPDX-License-Identifier: MIT
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/command.hpp"
#include "cli/source_options.hpp"
#include "layers/layer_set.hpp"
#include "output/summary.hpp"
#include "output/violation_table.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace ecozone::cli {

namespace {

struct CheckOptions {
    SourceOptions sources;
    Verbosity verbosity;
    std::string report_skipped;
    bool strict = false;
    std::string output = "violations.gpkg";
    unsigned threads = 0;
    std::string lang = "zh";
};

class CheckCommand : public Command {
  public:
    void setUp(CLI::App& app) override {
        app.footer(
            "Run a rule catalogue over a layer set and write one row per violation.\n"
            "With no --layers/--rules, checks the bundled Chongqing sample against the default catalogue.\n"
            "Exit codes: 0 no violation, 1 violations found, 2 usage, 3 configuration (layer set, schema,\n"
            "catalogue), 4 data (a source cannot be opened or read, no CRS), 5 output cannot be written.");
        o_.sources.add(app);
        app.add_option("-o,--output", o_.output,
                       "Violations file; the format follows the extension: .gpkg, .geojson, .csv, .fgb")
            ->capture_default_str();
        app.add_option("--report-skipped", o_.report_skipped,
                       "Write every skipped and repaired feature, with its reason, to this table (.csv, .gpkg ...)");
        app.add_flag("--strict", o_.strict, "Treat any repaired or skipped feature as an error (exit 4)");
        app.add_option("--threads", o_.threads, "Worker threads (default: all cores); output is the same for any")
            ->check(CLI::Range(0u, 1024u));
        app.add_option("--lang", o_.lang, "Language of the summary's rule titles: zh or en")
            ->check(CLI::IsMember({"zh", "en"}))
            ->capture_default_str();
        o_.verbosity.add(app);
    }

    int run() override {
        // Parse, then work: the output format is known before any data is read.
        output::driverFor(o_.output);
        if (!o_.report_skipped.empty()) output::driverFor(o_.report_skipped);
        o_.verbosity.apply();
        const layers::LayerSet set = o_.sources.loadLayerSet();
        const rules::Catalogue catalogue = o_.sources.loadCatalogue();
        const auto names = rules::layersUsed(catalogue);
        rules::checkLayerReferences(catalogue, set);

        refuseOutputOverInput(o_.output, set, names);
        log::debug("loading " + std::to_string(names.size()) + " layers");
        const layers::LayerMap loaded = layers::loadLayers(set, names);
        if (!o_.verbosity.quiet) output::printLoadDetails(std::cerr, loaded, 20);
        for (const auto& w : layers::disjointLayers(loaded)) log::warning(w);
        if (!o_.report_skipped.empty()) layers::writeLoadReport(o_.report_skipped, loaded);
        if (o_.strict) layers::requireClean(loaded);

        rules::EngineOptions options;
        options.threads = o_.threads;
        const bool tty = isatty(STDERR_FILENO) && !o_.verbosity.quiet;
        if (tty) {
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
        log::debug("running " + std::to_string(catalogue.rules.size()) + " rules");
        const auto outcomes = rules::runCatalogue(catalogue, loaded, options);
        log::debug("writing " + o_.output);
        output::writeViolations(o_.output, catalogue, loaded, outcomes);

        std::size_t total = 0;
        for (const auto& o : outcomes) total += o.violations.size();
        output::printRuleSummary(std::cout, catalogue, outcomes,
                                 o_.lang == "en" ? output::Language::En : output::Language::Zh);
        std::cout << "\n";
        output::printLoadSummary(std::cout, loaded);
        std::cout << "\nviolations written to " << o_.output << "\n";
        return total > 0 ? 1 : 0;
    }

  private:
    CheckOptions o_;
};

}  // namespace

std::unique_ptr<Command> makeCheckCommand() {
    return std::make_unique<CheckCommand>();
}

}  // namespace ecozone::cli

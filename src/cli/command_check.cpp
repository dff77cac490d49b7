// SPDX-License-Identifier: MIT
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/source_options.hpp"
#include "layers/layer_set.hpp"
#include "output/summary.hpp"
#include "output/violation_table.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"
#include "util/background.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace ecozone::cli {

namespace {

// What the summary keeps of a violation of a layer read in parts: which rule which subject broke.
rules::Violation brokenBy(std::size_t rule, std::size_t subject) {
    rules::Violation v;
    v.rule = rule;
    v.subject = subject;
    return v;
}

struct CheckOptions {
    SourceOptions sources;
    Verbosity verbosity;
    LoadChecks checks;
    std::string output = "violations.gpkg";
    unsigned threads = 0;
    std::size_t part_features = 100'000;
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
        o_.checks.add(app);
        app.add_option("--threads", o_.threads, "Worker threads (default: all cores); output is the same for any")
            ->check(CLI::Range(0u, 1024u));
        app.add_option("--part-features", o_.part_features,
                       "A subject layer larger than this is read and checked part by part, so that memory stays "
                       "bounded (violations then come part by part)")
            ->check(CLI::Validator(
                [](const std::string& v) {
                    return v.find_first_not_of("0123456789") == std::string::npos &&
                                   v.find_first_not_of('0') != std::string::npos
                               ? std::string()
                               : "give a whole number of features, at least 1 (e.g. 100000)";
                },
                "POSITIVE"))
            ->capture_default_str();
        app.add_option("--lang", o_.lang, "Language of the summary's rule titles: zh or en")
            ->check(CLI::IsMember({"zh", "en"}))
            ->capture_default_str();
        o_.verbosity.add(app);
    }

    int run() override {
        // Parse, then work: the output format is known before any data is read.
        output::driverFor(o_.output);
        o_.checks.validate();
        o_.verbosity.apply();
        const layers::LayerSet set = o_.sources.loadLayerSet();
        const rules::Catalogue catalogue = o_.sources.loadCatalogue();
        const auto names = rules::layersUsed(catalogue);
        rules::checkLayerReferences(catalogue, set);

        refuseOutputOverInput(o_.output, set, names);
        log::debug("loading " + std::to_string(names.size()) + " layers");
        // Layers only ever checked (facilities), never checked against, are read part by part when they are large.
        layers::LayerStreams streams;
        layers::LayerMap loaded =
            layers::loadLayers(set, names, rules::subjectOnlyLayers(catalogue), o_.part_features, streams);

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
        // While the rules run on a part, the next part is read on a thread of its own (loadLayers started the
        // first such read).
        if (!streams.empty()) streams.begin()->second->prefetch(o_.part_features);
        auto reportLoad = [&] {
            if (!o_.verbosity.quiet) output::printLoadDetails(std::cerr, loaded, 20);
            for (const auto& w : layers::disjointLayers(loaded)) log::warning(w);
            // With a layer read in parts, the report and --strict wait until every part has been read.
            if (streams.empty()) o_.checks.apply(loaded);
        };
        // The web-map offset check (one core) runs while the engine builds its indexes (the largest alone on a
        // core for a while): both only read the layers. What the check and the engine say is held and written in
        // the order of a run that did one after the other. With --strict (and every layer whole) the load is
        // judged first, so that a refusal comes before any index is built.
        std::optional<rules::Engine> engine;
        if (o_.checks.strict && streams.empty()) {
            layers::checkWebMapOffsets(loaded);
            reportLoad();
            log::debug("running " + std::to_string(catalogue.rules.size()) + " rules");
            engine.emplace(catalogue, loaded, options);
        } else {
            std::exception_ptr engineError;
            std::vector<std::string> engineSays;
            Background<void> offsets([&loaded] { layers::checkWebMapOffsets(loaded); });
            {
                log::Capture held;
                try {
                    engine.emplace(catalogue, loaded, options);
                } catch (...) {
                    engineError = std::current_exception();
                }
                engineSays = held.take();
            }
            offsets.get();
            reportLoad();
            log::debug("running " + std::to_string(catalogue.rules.size()) + " rules");
            log::replay(engineSays);
            if (engineError) std::rethrow_exception(engineError);
        }
        output::ViolationWriter writer(o_.output);
        auto outcomes = engine->run();
        // With layers read in parts, a run's rows are written on a thread of their own while the rules run on the
        // next part; the writer reads the layers as they were for the run, so a part is freed only once its rows
        // are written. Declared in this order, an unfinished write is waited for before the parts it reads go.
        std::unique_ptr<layers::Layer> written;  // the part the write in progress may read
        Background<void> writing;
        auto writeOnTheSide = [&](std::vector<rules::RuleOutcome> results) {
            writing = Background<void>([&writer, &catalogue, view = output::viewOf(loaded),
                                        results = std::move(results)] { writer.write(catalogue, view, results); });
        };
        if (streams.empty())
            writer.write(catalogue, loaded, outcomes);
        else
            writeOnTheSide(outcomes);
        // The next parts of the layers read in parts, each checked by the rules it is the subject of. The summary
        // needs only which subjects broke which rule, so outcomes are kept as that, with indices over whole
        // layers.
        for (auto& [name, stream] : streams) {
            for (rules::RuleOutcome& o : outcomes)
                if (catalogue.rules[o.rule].subject == name)
                    for (rules::Violation& v : o.violations) v = brokenBy(v.rule, v.subject);
            std::size_t offset = loaded.at(name)->features().size();
            Background<void> freeing;  // a part whose rows are written, freed on the side
            while (auto part = stream->next(o_.part_features)) {
                stream->prefetch(o_.part_features);
                {
                    layers::LayerMap shown;  // the part on its own, for its skips and repairs
                    shown.emplace(name, std::move(part));
                    if (!o_.verbosity.quiet) output::printLoadDetails(std::cerr, shown, 20);
                    written = std::exchange(loaded.at(name), std::move(shown.at(name)));
                }
                log::debug("checking the next " + std::to_string(loaded.at(name)->features().size()) +
                           " features of layer `" + name + "`");
                auto more = engine->run(name);
                for (const rules::RuleOutcome& m : more) {
                    rules::RuleOutcome& all = outcomes.at(m.rule);
                    all.checked += m.checked;
                    for (const rules::Violation& v : m.violations)
                        all.violations.push_back(brokenBy(v.rule, v.subject + offset));
                }
                offset += loaded.at(name)->features().size();
                if (writing.pending()) writing.get();
                if (freeing.pending()) freeing.get();
                freeing = Background<void>([done = std::move(written)]() mutable { done.reset(); });
                writeOnTheSide(std::move(more));
            }
            if (writing.pending()) writing.get();
            if (freeing.pending()) freeing.get();
            loaded.at(name) = stream->totals();
        }
        log::debug("writing " + o_.output);
        writer.finish();
        if (!streams.empty()) o_.checks.apply(loaded);

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

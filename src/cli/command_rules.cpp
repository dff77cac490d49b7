// SPDX-License-Identifier: MIT
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/command.hpp"
#include "cli/paths.hpp"
#include "layers/layer_set.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"
#include "util/error.hpp"

namespace ecozone::cli {

namespace {

std::string distanceText(const rules::Rule& r) {
    if (r.predicate != rules::Predicate::WithinDistance) return "";
    std::ostringstream s;
    s << r.distance_m << " m";
    return s.str();
}

class RulesCommand : public Command {
  public:
    void setUp(CLI::App& app) override {
        app.footer(
            "List a rule catalogue (id, titles, predicate, distance, action, legal basis) and validate it.\n"
            "With --layers, also check that every layer the rules name is bound in that layer set.\n"
            "Exit codes: 0 valid, 2 usage, 3 the catalogue (or layer set) is not valid; the message names the\n"
            "file, line and key.");
        app.add_option("catalogue", catalogue_, "Rule catalogue file (default: the bundled catalogue)")
            ->check(CLI::ExistingFile);
        app.add_option("--layers", layer_set_, "Layer set to check the rules' layer names against")
            ->check(CLI::ExistingFile);
        app.add_flag("--keys", keys_, "Describe the keys a rule may have, instead of listing the catalogue");
    }

    int run() override {
        if (keys_) {
            // A Markdown table: docs/rules.md holds this very output, and a test keeps the two the same.
            std::cout << "| key | type | required | predicates | meaning |\n|---|---|---|---|---|\n";
            for (const auto& p : rules::ruleParameters())
                std::cout << "| `" << p.key << "` | " << p.type
                          << (*p.unit ? std::string(" (") + p.unit + ")" : "") << " | "
                          << (p.required ? "yes" : "no") << " | " << p.applies_to << " | " << p.description
                          << " |\n";
            return 0;
        }
        const auto path = catalogue_.empty() ? defaultCatalogue() : std::filesystem::path(catalogue_);
        const rules::Catalogue catalogue = rules::loadCatalogue(path);
        if (!layer_set_.empty()) {
            rules::checkLayerReferences(catalogue, layers::loadLayerSet(layer_set_));
        }
        std::cout << catalogue.title << " (" << catalogue.rules.size() << " rules)\n\n";
        for (const auto& r : catalogue.rules) {
            std::cout << r.id << "  " << r.title_zh << "\n"
                      << "    " << r.title_en << "\n"
                      << "    " << rules::predicateName(r.predicate) << " " << distanceText(r)
                      << (r.predicate == rules::Predicate::WithinDistance ? " of " : " ") << r.object
                      << (r.object_where.empty() ? "" : " [" + r.object_where + "]") << "\n"
                      << "    subject: " << r.subject
                      << (r.subject_where.empty() ? "" : " [" + r.subject_where + "]")
                      << (r.subject_inside.empty() ? "" : ", inside " + r.subject_inside)
                      << (r.subject_outside.empty() ? "" : ", outside " + r.subject_outside) << "\n"
                      << "    action: " << r.action << ", severity: " << r.severity << "\n"
                      << "    basis: " << r.basis << "\n";
            if (!r.note.empty()) std::cout << "    note: " << r.note << "\n";
            std::cout << "\n";
        }
        std::cout << "catalogue is valid\n";
        return 0;
    }

  private:
    std::string catalogue_;
    std::string layer_set_;
    bool keys_ = false;
};

}  // namespace

std::unique_ptr<Command> makeRulesCommand() {
    return std::make_unique<RulesCommand>();
}

}  // namespace ecozone::cli

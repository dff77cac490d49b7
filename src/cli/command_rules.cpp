// SPDX-License-Identifier: MIT
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <tuple>

#include "cli/command.hpp"
#include "cli/paths.hpp"
#include "layers/layer.hpp"
#include "layers/layer_set.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"
#include "util/error.hpp"

namespace ecozone::cli {

namespace {

OGRFieldType ogrType(layers::FieldType t) {
    return t == layers::FieldType::Integer ? OFTInteger64 : t == layers::FieldType::Real ? OFTReal : OFTString;
}

// Whether an OGR SQL filter parses against the fields a schema names: an empty in-memory layer with those fields,
// so no data is read. On failure, `detail` holds GDAL's reason.
bool parsesOnSchema(const layers::Schema& schema, const std::string& where, std::string& detail) {
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("Memory");
    if (!driver) throw dataError("GDAL has no Memory driver; the GDAL installation is incomplete");
    const std::unique_ptr<GDALDataset> dataset(driver->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* layer = dataset->CreateLayer(schema.name.c_str(), nullptr, wkbNone, nullptr);
    for (const auto& f : schema.fields) {
        OGRFieldDefn field(f.name.c_str(), ogrType(f.type));
        layer->CreateField(&field);
    }
    CPLErrorReset();
    if (layer->SetAttributeFilter(where.c_str()) == OGRERR_NONE) return true;
    detail = CPLGetLastErrorMsg();
    return false;
}

// Every rule's subject_where and object_where must be valid OGR SQL on its layer, as `check` requires. A filter on
// the fields its layer's schema names is checked without reading any data; one that names another field (which
// the data may still carry) is checked on the loaded layer, with exactly check's message.
void checkFilters(const rules::Catalogue& catalogue, const layers::LayerSet& set) {
    std::map<std::string, std::unique_ptr<layers::Layer>> loaded;
    for (const auto& r : catalogue.rules)
        for (const auto& [layer, where, keyOrigin, key] :
             {std::tuple{&r.subject, &r.subject_where, &r.subject_where_origin, "subject_where"},
              std::tuple{&r.object, &r.object_where, &r.object_where_origin, "object_where"}}) {
            if (where->empty()) continue;
            const std::string ctx = (keyOrigin->empty() ? r.origin : *keyOrigin) + ": rule " + r.id + " (" + key + ")";
            const layers::LayerBinding& binding = set.binding(*layer);
            const auto schema = set.schemas.find(binding.schema);
            if (schema == set.schemas.end()) continue;  // the layer set names only schemas it has
            std::string detail;
            if (parsesOnSchema(schema->second, *where, detail)) continue;
            if (!loaded.count(*layer)) {
                try {
                    loaded[*layer] = layers::loadLayer(binding, schema->second);
                } catch (const Error& e) {
                    std::string fields;
                    for (const auto& f : schema->second.fields) fields += (fields.empty() ? "" : ", ") + f.name;
                    throw configError(ctx + ": the filter `" + *where + "` on layer `" + *layer +
                                      "` is not valid OGR SQL" + (detail.empty() ? "" : " (" + detail + ")") +
                                      "; the fields of schema `" + schema->first + "` are: " + fields +
                                      " (the layer's own fields are unknown: " + e.what() + ")");
                }
            }
            loaded.at(*layer)->select(*where, ctx);
        }
}

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
            "With --layers, also check that every layer the rules name is bound in that layer set, and that every\n"
            "subject_where / object_where is valid OGR SQL on the fields of its layer.\n"
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
            const layers::LayerSet set = layers::loadLayerSet(layer_set_);
            rules::checkLayerReferences(catalogue, set);
            checkFilters(catalogue, set);
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

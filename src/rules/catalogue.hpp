// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ecozone::rules {

enum class Predicate { WithinDistance, Inside, Outside };
const char* predicateName(Predicate p);

// One declared parameter of a rule: this table drives parsing (unknown keys are rejected), `ecozone rules --keys`
// and docs/rules.md, so a key is described once.
struct ParamSpec {
    const char* key;
    const char* type;  // "string", "number", "layer", "OGR SQL"
    const char* unit;  // "" or "m"
    bool required;
    const char* applies_to;  // "all", or the predicates it belongs to
    const char* description;
};
const std::vector<ParamSpec>& ruleParameters();

struct Rule {
    std::string id;
    std::string title_zh;
    std::string title_en;
    std::string basis;  // legal basis: document and section
    std::string note;
    Predicate predicate = Predicate::Inside;
    std::string subject;        // layer name
    std::string subject_where;  // OGR SQL, empty: all
    std::string object;
    std::string object_where;
    double distance_m = 0;        // within_distance only
    std::string subject_inside;   // optional qualifier: the subject must also lie inside this layer
    std::string subject_outside;  // optional qualifier: the subject must lie outside this layer
    std::string action;           // prohibited, rectify, exit, close, restore, review
    std::string severity;         // high, medium, low
    std::string origin;           // "catalogue.toml:LINE" of the [[rule]] header
    // "catalogue.toml:LINE" of the subject_where / object_where key, for errors about the filter; empty when the
    // rule has no such filter.
    std::string subject_where_origin, object_where_origin;
};

struct Catalogue {
    std::filesystem::path file;
    std::string title;
    std::vector<Rule> rules;
};

extern const std::vector<std::string> kActions;
extern const std::vector<std::string> kSeverities;

// Parses and validates a rule catalogue. Errors name the file, the line and the key.
Catalogue loadCatalogue(const std::filesystem::path& file);

}  // namespace ecozone::rules

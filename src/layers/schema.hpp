// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geo/geos.hpp"

namespace ecozone::layers {

enum class FieldType { String, Integer, Real };
const char* fieldTypeName(FieldType t);

struct FieldSpec {
    std::string name;
    FieldType type = FieldType::String;
    bool required = false;
    std::vector<std::string> allowed;            // empty: any value
    std::map<std::string, std::string> aliases;  // other spelling -> allowed value

    // The allowed value `raw` stands for, or nothing when it is not allowed. Null-free input only.
    std::optional<std::string> normalise(const std::string& raw) const;
    std::string allowedList() const;
};

// What a layer of one kind must carry. Declared in layers/schemas.toml.
struct Schema {
    std::string name;
    std::string title;
    std::vector<geo::GeometryFamily> geometry;
    std::string id_field, name_field, class_field, status_field, width_field;
    std::vector<FieldSpec> fields;

    const FieldSpec* field(const std::string& name) const;
    bool allows(geo::GeometryFamily f) const;
    std::string geometryList() const;
};

using SchemaSet = std::map<std::string, Schema>;

// Parses a schema file; errors name the file, line and key.
SchemaSet loadSchemas(const std::filesystem::path& file);

}  // namespace ecozone::layers

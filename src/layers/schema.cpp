// SPDX-License-Identifier: MIT
#include "layers/schema.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

#include "util/error.hpp"
#include "util/toml_util.hpp"

namespace ecozone::layers {

const char* fieldTypeName(FieldType t) {
    switch (t) {
        case FieldType::String:
            return "string";
        case FieldType::Integer:
            return "integer";
        case FieldType::Real:
            return "real";
    }
    return "?";
}

std::optional<std::string> FieldSpec::normalise(const std::string& raw) const {
    if (allowed.empty()) return raw;
    if (std::find(allowed.begin(), allowed.end(), raw) != allowed.end()) return raw;
    if (auto it = aliases.find(raw); it != aliases.end()) return it->second;
    return std::nullopt;
}

std::string FieldSpec::allowedList() const {
    std::string out;
    for (const auto& a : allowed) out += (out.empty() ? "" : ", ") + a;
    for (const auto& [alias, value] : aliases) out += ", " + alias;
    return out;
}

const FieldSpec* Schema::field(const std::string& n) const {
    for (const auto& f : fields)
        if (f.name == n) return &f;
    return nullptr;
}

bool Schema::allows(geo::GeometryFamily f) const {
    return std::find(geometry.begin(), geometry.end(), f) != geometry.end();
}

std::string Schema::geometryList() const {
    std::string out;
    for (auto f : geometry) out += (out.empty() ? "" : " or ") + std::string(geo::familyName(f));
    return out;
}

namespace {

geo::GeometryFamily parseFamily(const TomlContext& ctx, const toml::node& node) {
    const std::string s = ctx.string(node, "geometry");
    if (s == "point") return geo::GeometryFamily::Point;
    if (s == "line") return geo::GeometryFamily::Line;
    if (s == "polygon") return geo::GeometryFamily::Polygon;
    throw ctx.error(node, "geometry", "unknown geometry family `" + s + "`; use point, line or polygon");
}

FieldSpec parseField(const TomlContext& ctx, const std::string& schema, const std::string& name,
                     const toml::table& t) {
    const std::string where = schema + ".fields." + name;
    ctx.rejectUnknownKeys(t, where, {"type", "required", "allowed", "aliases"});
    FieldSpec f;
    f.name = name;
    const std::string type = ctx.requireString(t, where, "type");
    if (type == "string")
        f.type = FieldType::String;
    else if (type == "integer")
        f.type = FieldType::Integer;
    else if (type == "real")
        f.type = FieldType::Real;
    else
        throw ctx.error(*t.get("type"), where + ".type",
                        "unknown type `" + type + "`; use string, integer or real");
    f.required = ctx.optionalBool(t, where, "required").value_or(false);
    if (const auto* allowed = t.get("allowed")) {
        const auto* arr = allowed->as_array();
        if (!arr) throw ctx.error(*allowed, where + ".allowed", "expected an array of values");
        for (const auto& v : *arr) {
            if (auto s = v.value<std::string>())
                f.allowed.push_back(*s);
            else if (auto i = v.value<int64_t>())
                f.allowed.push_back(std::to_string(*i));
            else
                throw ctx.error(v, where + ".allowed", "expected strings or integers");
        }
    }
    if (const auto* aliases = t.get("aliases")) {
        const auto* tab = aliases->as_table();
        if (!tab) throw ctx.error(*aliases, where + ".aliases", "expected a table of alias = value");
        for (const auto& [k, v] : *tab) {
            const std::string value = ctx.string(v, where + ".aliases");
            if (std::find(f.allowed.begin(), f.allowed.end(), value) == f.allowed.end())
                throw ctx.error(v, where + ".aliases." + std::string(k.str()),
                                "alias points at `" + value + "`, which is not an allowed value");
            f.aliases[std::string(k.str())] = value;
        }
    }
    return f;
}

}  // namespace

SchemaSet loadSchemas(const std::filesystem::path& file) {
    const TomlContext ctx(file);
    const toml::table root = ctx.parse();
    SchemaSet out;
    for (const auto& [key, node] : root) {
        const std::string name(key.str());
        const auto* t = node.as_table();
        if (!t) throw ctx.error(node, name, "expected a table describing the schema");
        ctx.rejectUnknownKeys(*t, name,
                              {"title", "geometry", "id_field", "name_field", "class_field", "status_field",
                               "width_field", "fields"});
        Schema s;
        s.name = name;
        s.title = ctx.optionalString(*t, name, "title").value_or(name);
        const auto* geometry = t->get("geometry");
        if (!geometry || !geometry->as_array())
            throw ctx.error(node, name + ".geometry", "missing: give the allowed geometries, e.g. [\"polygon\"]");
        for (const auto& g : *geometry->as_array()) s.geometry.push_back(parseFamily(ctx, g));
        s.id_field = ctx.optionalString(*t, name, "id_field").value_or("");
        s.name_field = ctx.optionalString(*t, name, "name_field").value_or("");
        s.class_field = ctx.optionalString(*t, name, "class_field").value_or("");
        s.status_field = ctx.optionalString(*t, name, "status_field").value_or("");
        s.width_field = ctx.optionalString(*t, name, "width_field").value_or("");
        if (const auto* fields = t->get("fields")) {
            const auto* ft = fields->as_table();
            if (!ft) throw ctx.error(*fields, name + ".fields", "expected a table of fields");
            for (const auto& [fk, fv] : *ft) {
                const auto* fieldTable = fv.as_table();
                if (!fieldTable)
                    throw ctx.error(fv, name + ".fields." + std::string(fk.str()), "expected a table");
                s.fields.push_back(parseField(ctx, name, std::string(fk.str()), *fieldTable));
            }
        }
        for (const std::string* named :
             {&s.id_field, &s.name_field, &s.class_field, &s.status_field, &s.width_field})
            if (!named->empty() && !s.field(*named))
                throw ctx.error(node, name,
                                "names field `" + *named + "`, which its fields table does not declare");
        out.emplace(name, std::move(s));
    }
    return out;
}

}  // namespace ecozone::layers

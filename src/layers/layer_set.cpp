// SPDX-License-Identifier: MIT
#include "layers/layer_set.hpp"

#include "geo/chinese_datums.hpp"

#include "util/error.hpp"
#include "util/toml_util.hpp"

namespace ecozone::layers {

namespace fs = std::filesystem;

const LayerBinding& LayerSet::binding(const std::string& name) const {
    auto it = bindings.find(name);
    if (it == bindings.end()) {
        std::string names;
        for (const auto& [n, b] : bindings) names += (names.empty() ? "" : ", ") + n;
        throw configError("layer `" + name + "` is not bound in the layer set `" + file.string() +
                          "` (it binds: " + names + "); add it there or give --layer " + name + "=SOURCE");
    }
    return it->second;
}

namespace {

// GDAL connection strings and virtual paths are used as they are; file paths are taken relative to `base`.
std::string resolveSource(const std::string& source, const fs::path& base) {
    const bool gdalPrefix = source.rfind("/vsi", 0) == 0 ||
                            (source.find(':') != std::string::npos && source.find(':') > 1 && !fs::exists(source));
    if (gdalPrefix || fs::path(source).is_absolute()) return source;
    return (base / source).lexically_normal().string();
}

}  // namespace

LayerSet loadLayerSet(const fs::path& file) {
    const TomlContext ctx(file);
    const toml::table root = ctx.parse();
    ctx.rejectUnknownKeys(root, "", {"schemas", "layers"});
    LayerSet set;
    set.file = file;
    const fs::path base = file.parent_path();
    const std::string schemasFile = ctx.optionalString(root, "", "schemas").value_or("schemas.toml");
    set.schemas = loadSchemas(base / schemasFile);

    const auto* layers = root.get("layers");
    if (!layers || !layers->as_table() || layers->as_table()->empty())
        throw ctx.error(0, "layers", "the layer set binds no layers; add [layers.NAME] tables");
    for (const auto& [key, node] : *layers->as_table()) {
        const std::string name(key.str());
        const std::string where = "layers." + name;
        const auto* t = node.as_table();
        if (!t) throw ctx.error(node, where, "expected a table");
        ctx.rejectUnknownKeys(*t, where,
                              {"schema", "source", "layer", "where", "crs", "encoding", "datum", "x_field", "y_field",
                               "xy_field"});
        LayerBinding b;
        b.name = name;
        b.schema = ctx.requireString(*t, where, "schema");
        if (!set.schemas.count(b.schema)) {
            std::string known;
            for (const auto& [n, s] : set.schemas) known += (known.empty() ? "" : ", ") + n;
            throw ctx.error(*t->get("schema"), where + ".schema",
                            "unknown schema `" + b.schema + "`; the schemas are: " + known);
        }
        b.source = resolveSource(ctx.requireString(*t, where, "source"), base);
        b.layer = ctx.optionalString(*t, where, "layer").value_or("");
        b.where = ctx.optionalString(*t, where, "where").value_or("");
        b.crs = ctx.optionalString(*t, where, "crs").value_or("");
        b.encoding = ctx.optionalString(*t, where, "encoding").value_or("");
        b.datum = ctx.optionalString(*t, where, "datum").value_or("");
        if (!b.datum.empty() && !geo::parseDatum(b.datum))
            throw ctx.error(*t->get("datum"), where + ".datum", "unknown datum `" + b.datum + "`; use gcj02, bd09 or wgs84");
        b.xy_field = ctx.optionalString(*t, where, "xy_field").value_or("");
        b.x_field = ctx.optionalString(*t, where, "x_field").value_or("");
        b.y_field = ctx.optionalString(*t, where, "y_field").value_or("");
        b.origin = file.string() + ":" + std::to_string(node.source().begin.line);
        set.bindings.emplace(name, std::move(b));
    }
    return set;
}

namespace {
std::pair<std::string, std::string> splitAssignment(const std::string& spec, const char* option) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw usageError(std::string(option) + " `" + spec + "`: expected NAME=VALUE");
    return {spec.substr(0, eq), spec.substr(eq + 1)};
}
}  // namespace

void overrideLayer(LayerSet& set, const std::string& spec) {
    auto [name, value] = splitAssignment(spec, "--layer");
    auto it = set.bindings.find(name);
    if (it == set.bindings.end()) {
        std::string names;
        for (const auto& [n, b] : set.bindings) names += (names.empty() ? "" : ", ") + n;
        throw usageError("--layer " + spec + ": the layer set has no layer `" + name + "` (it has: " + names +
                         "); add new layers to a layer set file, with their schema");
    }
    LayerBinding& b = it->second;
    // SOURCE[:LAYER]: split at the last colon when what precedes it is an existing path, or a connection string
    // (PG:...) and what follows is a plain name, so that "PG:dbname=x" stays whole and "PG:dbname=x:zones" names
    // the table `zones`.
    std::string source = value, layer;
    if (const auto colon = value.rfind(':'); colon != std::string::npos && colon > 1) {
        const std::string head = value.substr(0, colon), tail = value.substr(colon + 1);
        const bool plainName = !tail.empty() && tail.find_first_of("= /\\") == std::string::npos;
        if (fs::exists(head) || (plainName && head.find(':') != std::string::npos && !fs::exists(value))) {
            source = head;
            layer = tail;
        }
    }
    b.source = source;
    b.layer = layer;
    // Nothing of the old source carries over: its filter, CRS and coordinate columns described other data.
    b.where.clear();
    b.crs.clear();
    b.encoding.clear();
    b.datum.clear();
    b.x_field.clear();
    b.xy_field.clear();
    b.y_field.clear();
    b.origin = "--layer " + spec;
}

void overrideCrs(LayerSet& set, const std::string& spec) {
    auto [name, crs] = splitAssignment(spec, "--crs");
    auto it = set.bindings.find(name);
    if (it == set.bindings.end())
        throw usageError("--crs " + spec + ": the layer set has no layer `" + name + "`");
    it->second.crs = crs;
}

}  // namespace ecozone::layers

namespace ecozone::layers {
void overrideEncoding(LayerSet& set, const std::string& spec) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw usageError("--encoding `" + spec + "`: expected NAME=ENCODING, e.g. facilities=CP936");
    auto it = set.bindings.find(spec.substr(0, eq));
    if (it == set.bindings.end())
        throw usageError("--encoding " + spec + ": the layer set has no layer `" + spec.substr(0, eq) + "`");
    it->second.encoding = spec.substr(eq + 1);
}
}  // namespace ecozone::layers

namespace ecozone::layers {
void overrideDatum(LayerSet& set, const std::string& spec) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw usageError("--datum `" + spec + "`: expected NAME=gcj02|bd09|wgs84, e.g. facilities=gcj02");
    auto it = set.bindings.find(spec.substr(0, eq));
    if (it == set.bindings.end())
        throw usageError("--datum " + spec + ": the layer set has no layer `" + spec.substr(0, eq) + "`");
    if (!geo::parseDatum(spec.substr(eq + 1)))
        throw usageError("--datum " + spec + ": unknown datum `" + spec.substr(eq + 1) + "`; use gcj02, bd09 or wgs84");
    it->second.datum = spec.substr(eq + 1);
}
}  // namespace ecozone::layers

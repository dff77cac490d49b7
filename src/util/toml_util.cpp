// SPDX-License-Identifier: MIT
#include "util/toml_util.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ecozone {

toml::table TomlContext::parse() const {
    std::error_code ec;
    if (std::filesystem::is_directory(file_, ec))
        throw configError("`" + file_.string() + "` is a folder, not a TOML file; give the file itself");
    std::ifstream in(file_, std::ios::binary);
    if (!in) throw configError("cannot open `" + file_.string() + "`: check the path");
    std::stringstream buffer;
    buffer << in.rdbuf();
    try {
        return toml::parse(buffer.str(), file_.string());
    } catch (const toml::parse_error& e) {
        std::ostringstream m;
        m << file_.string() << ":" << e.source().begin.line << ":" << e.source().begin.column
          << ": not valid TOML: " << e.description();
        // toml++ says no more than "invalid utf-8 sequence"; the usual causes are a file saved as GBK or UTF-16, or
        // one that is not text at all.
        if (e.description().find("utf-8") != std::string_view::npos)
            m << "; the file must be UTF-8 text: save it as UTF-8 (it may be GBK or UTF-16, or not a text file)";
        throw configError(m.str());
    }
}

Error TomlContext::error(int line, const std::string& key, const std::string& what) const {
    std::ostringstream m;
    m << file_.string();
    if (line > 0) m << ":" << line;
    m << ": `" << key << "`: " << what;
    return configError(m.str());
}

Error TomlContext::error(const toml::node& node, const std::string& key, const std::string& what) const {
    return error(static_cast<int>(node.source().begin.line), key, what);
}

void TomlContext::rejectUnknownKeys(const toml::table& t, const std::string& where,
                                    std::initializer_list<std::string_view> known) const {
    for (const auto& [k, v] : t) {
        if (std::find(known.begin(), known.end(), k.str()) != known.end()) continue;
        std::string list;
        for (auto n : known) list += (list.empty() ? "" : ", ") + std::string(n);
        throw error(v, (where.empty() ? "" : where + ".") + std::string(k.str()),
                    "unknown key; the keys here are: " + list);
    }
}

std::string TomlContext::string(const toml::node& node, const std::string& key) const {
    if (auto s = node.value<std::string>()) return *s;
    throw error(node, key, "expected a string");
}

std::string TomlContext::requireString(const toml::table& t, const std::string& where,
                                       const std::string& key) const {
    const auto* node = t.get(key);
    if (!node) {
        const int line = static_cast<int>(t.source().begin.line);
        throw error(line, (where.empty() ? "" : where + ".") + key, "missing (required)");
    }
    return string(*node, (where.empty() ? "" : where + ".") + key);
}

std::optional<std::string> TomlContext::optionalString(const toml::table& t, const std::string& where,
                                                       const std::string& key) const {
    const auto* node = t.get(key);
    if (!node) return std::nullopt;
    return string(*node, (where.empty() ? "" : where + ".") + key);
}

std::optional<double> TomlContext::optionalNumber(const toml::table& t, const std::string& where,
                                                  const std::string& key) const {
    const auto* node = t.get(key);
    if (!node) return std::nullopt;
    if (auto d = node->value<double>()) return *d;
    throw error(*node, (where.empty() ? "" : where + ".") + key, "expected a number");
}

std::optional<bool> TomlContext::optionalBool(const toml::table& t, const std::string& where,
                                              const std::string& key) const {
    const auto* node = t.get(key);
    if (!node) return std::nullopt;
    if (auto b = node->value<bool>()) return *b;
    throw error(*node, (where.empty() ? "" : where + ".") + key, "expected true or false");
}

}  // namespace ecozone

// SPDX-License-Identifier: MIT
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>

#include "util/error.hpp"

namespace ecozone {

// Reads one TOML file and builds configuration errors that name the file, the line and the key.
class TomlContext {
  public:
    explicit TomlContext(std::filesystem::path file) : file_(std::move(file)) {}

    const std::filesystem::path& file() const { return file_; }
    toml::table parse() const;

    Error error(const toml::node& node, const std::string& key, const std::string& what) const;
    Error error(int line, const std::string& key, const std::string& what) const;

    void rejectUnknownKeys(const toml::table& t, const std::string& where,
                           std::initializer_list<std::string_view> known) const;
    std::string string(const toml::node& node, const std::string& key) const;
    std::string requireString(const toml::table& t, const std::string& where, const std::string& key) const;
    std::optional<std::string> optionalString(const toml::table& t, const std::string& where,
                                              const std::string& key) const;
    std::optional<double> optionalNumber(const toml::table& t, const std::string& where,
                                         const std::string& key) const;
    std::optional<bool> optionalBool(const toml::table& t, const std::string& where, const std::string& key) const;

  private:
    std::filesystem::path file_;
};

}  // namespace ecozone

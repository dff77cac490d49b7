// SPDX-License-Identifier: MIT
#include "cli/paths.hpp"

#include <cstdlib>

namespace ecozone::cli {

std::filesystem::path home() {
    if (const char* env = std::getenv("ECOZONE_HOME"); env && *env) return env;
    return ECOZONE_SOURCE_DIR;
}

std::filesystem::path defaultLayerSet() {
    return home() / "layers" / "sample.toml";
}
std::filesystem::path defaultCatalogue() {
    return home() / "queries" / "chongqing.toml";
}

}  // namespace ecozone::cli

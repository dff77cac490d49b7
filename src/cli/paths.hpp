// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

namespace ecozone::cli {

// The folder that holds layers/ and queries/: $ECOZONE_HOME when set, else the source tree ecozone was built from.
std::filesystem::path home();
std::filesystem::path defaultLayerSet();   // layers/sample.toml
std::filesystem::path defaultCatalogue();  // queries/chongqing.toml

}  // namespace ecozone::cli

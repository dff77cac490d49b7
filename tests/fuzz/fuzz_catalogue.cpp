// SPDX-License-Identifier: MIT
// libFuzzer target: arbitrary bytes as a rule catalogue file. A configuration error (ecozone::Error) is the
// expected answer to bad input; a crash, a sanitizer report or any other exception is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "rules/catalogue.hpp"
#include "util/error.hpp"

namespace {
// One file per fuzzing process, so that parallel jobs (-jobs=N) do not share it.
const std::filesystem::path& catalogueFile() {
    static const std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("ecozone-fuzz-catalogue-" + std::to_string(getpid()) + ".toml");
    return file;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    {
        std::ofstream out(catalogueFile(), std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        const ecozone::rules::Catalogue catalogue = ecozone::rules::loadCatalogue(catalogueFile());
        // A catalogue that loads has at least one rule, each with the keys every rule requires.
        if (catalogue.rules.empty()) __builtin_trap();
        for (const auto& rule : catalogue.rules)
            if (rule.id.empty() && rule.subject.empty() && rule.object.empty()) __builtin_trap();
    } catch (const ecozone::Error&) {
    }
    return 0;
}

// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cctype>
#include <string>

namespace ecozone {

// ASCII letters in lower case (names of fields, options, datums: compared case-insensitively); other bytes, UTF-8
// included, as they are.
inline std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace ecozone

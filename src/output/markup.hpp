// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace ecozone::output {

// Text made safe inside HTML and XML content and attribute values (both quote styles): the reports, the HTML map
// and the QGIS style all write names and titles from the data.
inline std::string markupEscape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace ecozone::output

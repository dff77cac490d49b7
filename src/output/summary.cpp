// SPDX-License-Identifier: MIT
#include "output/summary.hpp"

#include <algorithm>
#include <iomanip>
#include <map>
#include <vector>

namespace ecozone::output {

std::size_t displayWidth(const std::string& s) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        char32_t cp = c;
        std::size_t len = 1;
        if (c >= 0xF0)
            len = 4, cp = c & 0x07;
        else if (c >= 0xE0)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xC0)
            len = 2, cp = c & 0x1F;
        for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
        i += len;
        const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                          (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                          (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                          (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
        width += wide ? 2 : 1;
    }
    return width;
}

namespace {
std::string pad(const std::string& s, std::size_t width) {
    const std::size_t w = displayWidth(s);
    return w >= width ? s : s + std::string(width - w, ' ');
}
std::string padLeft(const std::string& s, std::size_t width) {
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}
}  // namespace

void printRuleSummary(std::ostream& out, const rules::Catalogue& catalogue,
                      const std::vector<rules::RuleOutcome>& outcomes, Language lang) {
    std::size_t idWidth = 4;
    for (const auto& r : catalogue.rules) idWidth = std::max(idWidth, r.id.size());
    out << pad("rule", idWidth) << "  " << pad("action", 10) << "  " << padLeft("violations", 10) << "  "
        << padLeft("checked", 7) << "  title\n";
    std::size_t total = 0;
    std::map<std::string, std::vector<std::size_t>> subjects;  // the violating features of each subject layer
    for (const auto& o : outcomes) {
        const rules::Rule& r = catalogue.rules[o.rule];
        total += o.violations.size();
        auto& features = subjects[r.subject];
        for (const auto& v : o.violations) features.push_back(v.subject);
        out << pad(r.id, idWidth) << "  " << pad(r.action, 10) << "  "
            << padLeft(std::to_string(o.violations.size()), 10) << "  " << padLeft(std::to_string(o.checked), 7)
            << "  " << (lang == Language::Zh ? r.title_zh : r.title_en) << "\n";
    }
    std::size_t features = 0;
    for (auto& [layer, ids] : subjects) {
        std::sort(ids.begin(), ids.end());
        features += static_cast<std::size_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
    }
    out << "total: " << total << " violation" << (total == 1 ? "" : "s") << " by " << features << " feature"
        << (features == 1 ? "" : "s") << " in " << outcomes.size() << " rules\n";
}

void printLoadSummary(std::ostream& out, const layers::LayerMap& layers) {
    std::size_t nameWidth = 5;
    for (const auto& [name, layer] : layers) nameWidth = std::max(nameWidth, name.size());
    out << pad("layer", nameWidth) << "  " << padLeft("read", 7) << "  " << padLeft("used", 7) << "  "
        << padLeft("repaired", 8) << "  " << padLeft("skipped", 7) << "\n";
    std::size_t read = 0, used = 0, repaired = 0, skipped = 0;
    for (const auto& [name, layer] : layers) {
        const auto& s = layer->stats();
        read += s.read;
        used += s.used;
        repaired += s.repaired.size();
        skipped += s.skipped.size();
        out << pad(name, nameWidth) << "  " << padLeft(std::to_string(s.read), 7) << "  "
            << padLeft(std::to_string(s.used), 7) << "  " << padLeft(std::to_string(s.repaired.size()), 8) << "  "
            << padLeft(std::to_string(s.skipped.size()), 7) << "\n";
    }
    out << pad("total", nameWidth) << "  " << padLeft(std::to_string(read), 7) << "  "
        << padLeft(std::to_string(used), 7) << "  " << padLeft(std::to_string(repaired), 8) << "  "
        << padLeft(std::to_string(skipped), 7) << "\n";
}

void printLoadDetails(std::ostream& out, const layers::LayerMap& layers, std::size_t limitPerLayer) {
    for (const auto& [name, layer] : layers) {
        const auto& s = layer->stats();
        std::size_t shown = 0;
        for (const auto& k : s.skipped) {
            if (shown++ == limitPerLayer) {
                out << "  ... and " << (s.skipped.size() - limitPerLayer) << " more skipped in layer `" << name
                    << "`\n";
                break;
            }
            out << "skipped: layer `" << name << "` feature " << k.fid
                << (k.id.empty() ? "" : " (id " + k.id + ")") << ": " << k.reason << "\n";
        }
        shown = 0;
        for (const auto& r : s.repaired) {
            if (shown++ == limitPerLayer) {
                out << "  ... and " << (s.repaired.size() - limitPerLayer) << " more repaired in layer `" << name
                    << "`\n";
                break;
            }
            out << "repaired: layer `" << name << "` feature " << r.fid
                << (r.id.empty() ? "" : " (id " + r.id + ")") << ": " << r.what << "\n";
        }
        if (s.filtered > 0)
            out << "note: layer `" << name << "`: " << s.filtered << " features left out by its `where` filter\n";
    }
}

}  // namespace ecozone::output

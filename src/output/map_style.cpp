// SPDX-License-Identifier: MIT
#include "output/map_style.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ecozone::output {

namespace {
Rgba rgb(int hex, double a = 1) {
    return {((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0, (hex & 0xff) / 255.0, a};
}
}  // namespace

std::string Rgba::hex() const {
    char buf[8];
    auto c = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c(r), c(g), c(b));
    return buf;
}

AreaStyle areaStyle(AreaKind kind, const std::string& klass) {
    switch (kind) {
        case AreaKind::ReserveZone:
            if (klass == "core") return {rgb(0x1b5e20, 0.62), rgb(0x1b5e20), 0.8};
            if (klass == "buffer") return {rgb(0x4caf50, 0.5), rgb(0x2e7d32), 0.8};
            return {rgb(0xaed581, 0.45), rgb(0x558b2f), 0.8};
        case AreaKind::RedLine:
            return {rgb(0xd32f2f, 0.06), rgb(0xd32f2f, 0.9), 1.4, true};
        case AreaKind::WaterSource:
            if (klass == "grade1") return {rgb(0x1565c0, 0.45), rgb(0x0d47a1), 0.8};
            if (klass == "grade2") return {rgb(0x42a5f5, 0.35), rgb(0x1565c0), 0.8};
            return {rgb(0x90caf9, 0.3), rgb(0x1976d2), 0.8, false, true};
        case AreaKind::IndustrialPark:
            return {rgb(0x9e9e9e, 0.35), rgb(0x616161), 0.8};
        case AreaKind::OtherZone:
            return {rgb(0xffe082, 0.25), rgb(0xc9a227), 0.6, false, true};
    }
    return {rgb(0xcccccc, 0.3), rgb(0x888888), 0.6};
}

LineStyle riverStyle(const MapRiver& river) {
    const bool listed = !river.rules.empty();
    double width = 1.0;
    if (river.width_m >= 600)
        width = 3.2;
    else if (river.width_m >= 250)
        width = 2.2;
    else if (river.width_m > 0)
        width = 1.5;
    return {listed ? rgb(0x1e63b4) : rgb(0x64a6e0), width};
}

AreaStyle bandStyle(std::size_t rank, std::size_t count) {
    // From a pale sand (widest) to a strong orange (narrowest).
    const double t = count <= 1 ? 1.0 : static_cast<double>(rank) / static_cast<double>(count - 1);
    const Rgba pale = rgb(0xfff0d0), strong = rgb(0xe65100);
    const Rgba fill{pale.r + (strong.r - pale.r) * t, pale.g + (strong.g - pale.g) * t,
                    pale.b + (strong.b - pale.b) * t, 0.32 + 0.18 * t};
    const Rgba stroke{0.85 - 0.25 * t, 0.50 - 0.25 * t, 0.05, 0.9};
    return {fill, stroke, 0.8, false, true};
}

Rgba severityColour(int rank) {
    switch (rank) {
        case 0:
            return rgb(0xd50000);
        case 1:
            return rgb(0xff6d00);
        case 2:
            return rgb(0xffc400);
        default:
            return rgb(0x8e24aa);
    }
}

double severityRadiusPx(int rank) {
    return rank == 0 ? 6.5 : rank == 1 ? 5.5 : 5.0;
}

std::string actionLabel(const std::string& action, Language lang) {
    if (lang == Language::En) return action;
    if (action == "prohibited") return "禁止";
    if (action == "exit") return "退出";
    if (action == "rectify") return "整改";
    if (action == "close") return "关停";
    if (action == "restore") return "生态修复";
    if (action == "review") return "复核";
    return action;
}

std::string severityLabel(const std::string& severity, Language lang) {
    if (lang == Language::En) return severity;
    if (severity == "high") return "高";
    if (severity == "medium") return "中";
    if (severity == "low") return "低";
    return severity;
}

std::string areaKindLabel(AreaKind kind, Language lang) {
    const bool zh = lang == Language::Zh;
    switch (kind) {
        case AreaKind::ReserveZone:
            return zh ? "自然保护区" : "Nature reserves";
        case AreaKind::RedLine:
            return zh ? "生态保护红线" : "Ecological red lines";
        case AreaKind::WaterSource:
            return zh ? "饮用水水源保护区" : "Drinking-water source zones";
        case AreaKind::IndustrialPark:
            return zh ? "工业园区" : "Industrial parks";
        case AreaKind::OtherZone:
            return zh ? "其他管控区" : "Other zones";
    }
    return "";
}

std::string valueLabel(const MapScene& scene, const std::string& value, Language lang) {
    if (lang == Language::Zh) {
        if (const auto it = scene.zh_labels.find(value); it != scene.zh_labels.end()) return it->second;
        return value;
    }
    std::string out = value;
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

std::string distanceLabel(double metres) {
    char buf[32];
    if (metres >= 1000) {
        const double km = metres / 1000;
        if (std::fabs(km - std::round(km)) < 1e-9)
            std::snprintf(buf, sizeof buf, "%.0f km", km);
        else
            std::snprintf(buf, sizeof buf, "%g km", km);
    } else {
        std::snprintf(buf, sizeof buf, "%.0f m", metres);
    }
    return buf;
}

std::vector<LegendEntry> legendEntries(const MapScene& scene, Language lang, double min_band_m) {
    using Type = LegendEntry::Type;
    const bool zh = lang == Language::Zh;
    std::vector<LegendEntry> out;
    for (const auto& layer : scene.areas) {
        if (layer.kind == AreaKind::OtherZone) continue;
        std::vector<std::string> classes;
        for (const auto& a : layer.areas)
            if (std::find(classes.begin(), classes.end(), a.klass) == classes.end()) classes.push_back(a.klass);
        if (layer.kind == AreaKind::ReserveZone) {
            std::vector<std::string> ordered;
            for (const char* k : {"core", "buffer", "experimental"})
                if (std::find(classes.begin(), classes.end(), k) != classes.end()) ordered.push_back(k);
            classes = ordered;
        }
        if (layer.kind == AreaKind::WaterSource) std::sort(classes.begin(), classes.end());
        if (layer.kind == AreaKind::RedLine || layer.kind == AreaKind::IndustrialPark) classes = {""};
        for (const auto& k : classes) {
            std::string label = areaKindLabel(layer.kind, lang);
            if (!k.empty()) label += (zh ? " · " : " — ") + valueLabel(scene, k, lang);
            out.push_back({Type::Area, areaStyle(layer.kind, k), {}, 1, label, ""});
        }
    }
    for (std::size_t b = 0; b < scene.bands.size(); ++b) {
        if (scene.bands[b].distance_m < min_band_m) continue;
        std::string rulesText;
        for (const auto& r : scene.bands[b].rules) rulesText += (rulesText.empty() ? "" : ", ") + r;
        out.push_back({Type::Area,
                       bandStyle(b, scene.bands.size()),
                       {},
                       1,
                       distanceLabel(scene.bands[b].distance_m) + (zh ? " 岸线管控带" : " shoreline band"),
                       rulesText});
    }
    // Only what the map holds: rivers of each kind, the severities found, compliant facilities, connectors.
    MapRiver listed, other;
    listed.width_m = 400;
    listed.rules = {"listed"};
    other.width_m = 100;
    const auto anyRiver = [&](bool withRules) {
        return std::any_of(scene.rivers.begin(), scene.rivers.end(),
                           [&](const MapRiver& r) { return r.rules.empty() != withRules; });
    };
    if (anyRiver(true))
        out.push_back({Type::Line,
                       {},
                       riverStyle(listed).colour,
                       riverStyle(listed).width_px,
                       zh ? "河流（距离规则所指）" : "River a distance rule measures from",
                       ""});
    if (anyRiver(false))
        out.push_back({Type::Line,
                       {},
                       riverStyle(other).colour,
                       riverStyle(other).width_px,
                       zh ? "其他河流" : "Other river",
                       ""});
    static const char* severities[] = {"high", "medium", "low"};
    for (int rank = 0; rank < 3; ++rank)
        if (std::any_of(scene.violations.begin(), scene.violations.end(),
                        [&](const MapViolation& v) { return severityRank(v.severity) == rank; }))
            out.push_back(
                {Type::Circle,
                 {},
                 severityColour(rank),
                 severityRadiusPx(rank),
                 (zh ? "违规 · 严重程度" : "Violation, severity ") + severityLabel(severities[rank], lang),
                 ""});
    if (std::any_of(scene.facilities.begin(), scene.facilities.end(),
                    [](const MapFacility& f) { return f.worst_severity < 0; }))
        out.push_back({Type::Circle, {}, compliantColour(), 3, zh ? "合规设施" : "Compliant facility", ""});
    if (std::any_of(scene.violations.begin(), scene.violations.end(),
                    [](const MapViolation& v) { return v.connector.has_value(); }))
        out.push_back(
            {Type::Dash, {}, connectorColour(), 1.5, zh ? "至岸线最近点" : "To the nearest shoreline point", ""});
    return out;
}

}  // namespace ecozone::output

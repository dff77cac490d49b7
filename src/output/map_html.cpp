// SPDX-License-Identifier: MIT
#include "output/map_html.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "output/markup.hpp"
#include "output/map_style.hpp"
#include "util/error.hpp"

namespace ecozone::output {

namespace {

using nlohmann::json;

std::string readFile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string base64(const std::string& bytes) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += {table[(n >> 18) & 63], table[(n >> 12) & 63], table[(n >> 6) & 63], table[n & 63]};
    }
    if (i + 1 == bytes.size()) {
        const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
        out += {table[(n >> 18) & 63], table[(n >> 12) & 63], '=', '='};
    } else if (i + 2 == bytes.size()) {
        const unsigned n =
            (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += {table[(n >> 18) & 63], table[(n >> 12) & 63], table[(n >> 6) & 63], '='};
    }
    return out;
}

// Leaflet's stylesheet with its images inlined, so the page asks for no file.
std::string inlineImages(const std::string& css, const std::filesystem::path& dir) {
    static const std::regex url(R"(url\((images/[A-Za-z0-9_.\-]+\.png)\))");
    std::string out;
    auto begin = std::sregex_iterator(css.begin(), css.end(), url);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        out.append(css, last, static_cast<std::size_t>(m.position()) - last);
        const auto image = dir / m[1].str();
        if (std::filesystem::exists(image))
            out += "url(data:image/png;base64," + base64(readFile(image)) + ")";
        else
            out += "none";
        last = static_cast<std::size_t>(m.position() + m.length());
    }
    out.append(css, last);
    return out;
}

std::string withoutSourceMap(std::string js) {
    const auto at = js.rfind("//# sourceMappingURL=");
    if (at != std::string::npos) js.erase(at);
    return js;
}

// Text embedded in a <script> or <style> element must not close it.
std::string scriptSafe(std::string s) {
    std::size_t at = 0;
    while ((at = s.find("</", at)) != std::string::npos) {
        s.replace(at, 2, "<\\/");
        at += 3;
    }
    return s;
}


double round(double v, double scale) {
    return std::round(v * scale) / scale;
}

json position(geo::LonLat p, double scale = 1e5) {
    return json::array({round(p.lon, scale), round(p.lat, scale)});
}
json latLng(geo::LonLat p) {
    return json::array({round(p.lat, 1e6), round(p.lon, 1e6)});
}

json ringJson(const Ring& ring) {
    json out = json::array();
    for (const auto& p : ring) {
        json pos = position(p);
        if (!out.empty() && out.back() == pos) continue;
        out.push_back(std::move(pos));
    }
    return out;
}

json multiPolygon(const std::vector<Polygon>& polygons) {
    json coordinates = json::array();
    for (const auto& polygon : polygons) {
        json rings = json::array();
        for (const auto& ring : polygon) {
            json r = ringJson(ring);
            if (r.size() >= 4) rings.push_back(std::move(r));
        }
        if (!rings.empty()) coordinates.push_back(std::move(rings));
    }
    return {{"type", "MultiPolygon"}, {"coordinates", coordinates}};
}

json multiLine(const std::vector<std::vector<geo::LonLat>>& lines) {
    json coordinates = json::array();
    for (const auto& line : lines) {
        json l = ringJson(line);
        if (l.size() >= 2) coordinates.push_back(std::move(l));
    }
    return {{"type", "MultiLineString"}, {"coordinates", coordinates}};
}

json styleJson(const AreaStyle& s) {
    json out = {{"fillColor", s.fill.hex()},
                {"fillOpacity", s.fill.a},
                {"color", s.stroke.hex()},
                {"opacity", s.stroke.a},
                {"weight", s.stroke_px}};
    if (s.hatched) {
        out["fillColor"] = "url(#ez-hatch)";
        out["fillOpacity"] = 1;
    }
    if (s.dashed) out["dashArray"] = "4 3";
    return out;
}

json feature(json geometry, json properties) {
    return {{"type", "Feature"}, {"geometry", std::move(geometry)}, {"properties", std::move(properties)}};
}

std::string areaPaneName(AreaKind k) {
    switch (k) {
        case AreaKind::ReserveZone:
            return "ez-reserves";
        case AreaKind::RedLine:
            return "ez-redlines";
        case AreaKind::WaterSource:
            return "ez-water";
        case AreaKind::IndustrialPark:
            return "ez-parks";
        case AreaKind::OtherZone:
            return "ez-other";
    }
    return "ez-other";
}

json texts(Language lang) {
    const bool zh = lang == Language::Zh;
    return {
        {"violations", zh ? "违规点位" : "Violations"},
        {"facilities", zh ? "合规设施" : "Compliant facilities"},
        {"footprints", zh ? "设施范围" : "Facility footprints"},
        {"connectors", zh ? "至岸线最近点连线" : "Lines to the nearest shoreline point"},
        {"rivers", zh ? "河流" : "Rivers"},
        {"band", zh ? "岸线管控带" : "shoreline band"},
        {"rule", zh ? "规则" : "Rule"},
        {"facility", zh ? "设施" : "Facility"},
        {"object", zh ? "对象" : "Offends"},
        {"distance", zh ? "岸线距离" : "Shoreline distance"},
        {"limit", zh ? "管控距离" : "Limit"},
        {"margin", zh ? "超出/余量" : "Margin"},
        {"overlap", zh ? "位于区内" : "Inside"},
        {"action", zh ? "处置" : "Action"},
        {"severity", zh ? "严重程度" : "Severity"},
        {"basis", zh ? "依据" : "Legal basis"},
        {"status", zh ? "状态" : "Status"},
        {"category", zh ? "类别" : "Category"},
        {"count", zh ? "处问题" : " violations"},
        {"legend", zh ? "图例" : "Legend"},
        {"listed", zh ? "适用规则" : "Rules"},
        {"width", zh ? "河宽" : "Width"},
        {"none", zh ? "未发现违规" : "No violation found"},
    };
}

json legendJson(const MapScene& scene, Language lang) {
    json out = json::array();
    for (const auto& e : legendEntries(scene, lang)) {
        using Type = LegendEntry::Type;
        json item = {{"label", e.label}, {"note", e.note}};
        switch (e.type) {
            case Type::Area:
                item["type"] = "area";
                item["style"] = styleJson(e.area);
                break;
            case Type::Line:
                item["type"] = "line";
                item["colour"] = e.colour.hex();
                item["weight"] = e.size;
                break;
            case Type::Circle:
                item["type"] = "circle";
                item["colour"] = e.colour.hex();
                item["radius"] = e.size;
                break;
            case Type::Dash:
                item["type"] = "dash";
                item["colour"] = e.colour.hex();
                break;
        }
        out.push_back(std::move(item));
    }
    return out;
}

json sceneJson(const MapScene& scene, const HtmlMapOptions& options) {
    const Language lang = options.lang;
    const bool zh = lang == Language::Zh;
    json data;
    data["lang"] = zh ? "zh" : "en";
    data["title"] = scene.title;
    data["text"] = texts(lang);
    std::string note = zh ? "数据：" : "Data: ";
    for (std::size_t i = 0; i < scene.sources.size(); ++i) note += (i ? ", " : "") + scene.sources[i];
    note += (zh ? "；规则：" : "; rules: ") + scene.catalogue + (zh ? "；制图：ecozone " : "; map: ecozone ") +
            options.date;
    data["note"] = note;
    data["date"] = options.date;
    const geo::Box view = options.bbox.value_or(scene.extent);
    data["view"] =
        json::array({json::array({view.min_lat, view.min_lon}), json::array({view.max_lat, view.max_lon})});

    json overlays = json::array();
    for (std::size_t b = 0; b < scene.bands.size(); ++b) {
        const auto& band = scene.bands[b];
        std::string rulesText;
        for (const auto& r : band.rules) rulesText += (rulesText.empty() ? "" : ", ") + r;
        json props = {{"style", styleJson(bandStyle(b, scene.bands.size()))},
                      {"tip", distanceLabel(band.distance_m) + (zh ? " 岸线管控带（" : " shoreline band (") +
                                  rulesText + (zh ? "）" : ")")}};
        overlays.push_back({{"name", distanceLabel(band.distance_m) + (zh ? " 岸线管控带" : " shoreline band")},
                            {"pane", "ez-band-" + std::to_string(b)},
                            {"z", 300 + static_cast<int>(b)},
                            {"visible", true},
                            {"geojson", json::array({feature(multiPolygon(band.polygons), props)})}});
    }
    for (const auto& layer : scene.areas) {
        json features = json::array();
        for (const auto& a : layer.areas) {
            std::string tip = a.name;
            if (!a.klass.empty()) tip += (zh ? " · " : " · ") + valueLabel(scene, a.klass, lang);
            if (!a.id.empty()) tip += " (" + a.id + ")";
            features.push_back(feature(multiPolygon(a.polygons),
                                       {{"style", styleJson(areaStyle(layer.kind, a.klass))}, {"tip", tip}}));
        }
        int z = 340;
        switch (layer.kind) {
            case AreaKind::OtherZone:
                z = 330;
                break;
            case AreaKind::IndustrialPark:
                z = 335;
                break;
            case AreaKind::WaterSource:
                z = 345;
                break;
            case AreaKind::ReserveZone:
                z = 340;
                break;
            case AreaKind::RedLine:
                z = 350;
                break;
        }
        std::string name = areaKindLabel(layer.kind, lang);
        if (layer.kind == AreaKind::OtherZone) name += " · " + layer.name;
        overlays.push_back({{"name", name},
                            {"pane", areaPaneName(layer.kind) + "-" + layer.name},
                            {"z", z},
                            {"visible", layer.kind != AreaKind::OtherZone},
                            {"hatch", layer.kind == AreaKind::RedLine},
                            {"geojson", features}});
    }
    {
        json features = json::array();
        for (const auto& r : scene.rivers) {
            const LineStyle s = riverStyle(r);
            std::string tip = r.name;
            if (r.width_m > 0) tip += (zh ? " · 河宽 " : " · width ") + distanceLabel(r.width_m);
            if (!r.rules.empty()) {
                tip += zh ? " · 适用：" : " · rules: ";
                for (std::size_t i = 0; i < r.rules.size(); ++i) tip += (i ? ", " : "") + r.rules[i];
            }
            json style = {{"color", s.colour.hex()}, {"weight", s.width_px}, {"opacity", 0.95}};
            if (!r.water.empty())
                features.push_back(
                    feature(multiPolygon(r.water),
                            {{"style", {{"stroke", false}, {"fillColor", "#9ec9ee"}, {"fillOpacity", 0.85}}},
                             {"tip", tip}}));
            if (!r.lines.empty())
                features.push_back(feature(multiLine(r.lines), {{"style", style}, {"tip", tip}}));
            if (!r.polygons.empty()) {
                style["fillColor"] = s.colour.hex();
                style["fillOpacity"] = 0.6;
                style["weight"] = 0.8;
                features.push_back(feature(multiPolygon(r.polygons), {{"style", style}, {"tip", tip}}));
            }
        }
        overlays.push_back({{"name", zh ? "河流" : "Rivers"},
                            {"pane", "ez-rivers"},
                            {"z", 380},
                            {"visible", true},
                            {"geojson", features}});
    }
    data["overlays"] = overlays;

    json facilities = json::array();
    for (const auto& f : scene.facilities) {
        json item = {{"id", f.id},
                     {"name", f.name},
                     {"category", valueLabel(scene, f.klass, lang)},
                     {"status", valueLabel(scene, f.status, lang)},
                     {"at", latLng(f.at)},
                     {"violating", f.worst_severity >= 0}};
        if (!f.polygons.empty()) item["footprint"] = multiPolygon(f.polygons);
        if (!f.lines.empty()) item["footprint"] = multiLine(f.lines);
        facilities.push_back(std::move(item));
    }
    data["facilities"] = facilities;

    json violations = json::array();
    for (const auto& v : scene.violations) {
        const int rank = severityRank(v.severity);
        json item = {
            {"rule_id", v.rule_id},
            {"title", zh ? v.title_zh : v.title_en},
            {"basis", v.basis},
            {"action", actionLabel(v.action, lang)},
            {"severity", severityLabel(v.severity, lang)},
            {"rank", rank},
            {"colour", severityColour(rank).hex()},
            {"radius", severityRadiusPx(rank)},
            {"facility", v.facility},
            {"object",
             v.object_name + (v.object_class.empty() ? "" : " · " + valueLabel(scene, v.object_class, lang))},
            {"inside", v.predicate == rules::Predicate::Inside},
            {"at", latLng(v.at)}};
        if (std::isfinite(v.distance_m)) item["distance_m"] = round(v.distance_m, 100);
        if (std::isfinite(v.threshold_m)) item["threshold_m"] = v.threshold_m;
        if (v.connector)
            item["connector"] = json::array({latLng(v.connector->first), latLng(v.connector->second)});
        violations.push_back(std::move(item));
    }
    data["violations"] = violations;
    data["legend"] = legendJson(scene, lang);
    return data;
}

constexpr const char* kPageCss = R"CSS(
html, body { margin: 0; height: 100%; font: 13px/1.4 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #222; }
body { display: flex; }
#side { width: 330px; flex: none; overflow-y: auto; border-right: 1px solid #ccc; background: #fafafa; }
#side h1 { font-size: 15px; margin: 10px 12px 4px; }
#side .meta { margin: 0 12px 8px; color: #555; font-size: 12px; }
#map { flex: 1; background: #f4f1ea; }
#side .note { margin-top: 12px; font-size: 11px; color: #777; }
.ez-rule { margin: 8px 0 0; padding: 4px 12px; background: #eee; font-weight: 600; font-size: 12px; }
.ez-rule small { font-weight: normal; color: #555; }
.ez-item { padding: 3px 12px 3px 26px; cursor: pointer; position: relative; border-bottom: 1px solid #eee; }
.ez-item:hover, .ez-item.ez-active { background: #fff3e0; }
.ez-item i { position: absolute; left: 10px; top: 8px; width: 9px; height: 9px; border-radius: 50%; border: 1px solid #fff; box-shadow: 0 0 0 1px #999; }
.ez-item .d { color: #666; float: right; font-variant-numeric: tabular-nums; }
.ez-popup table { border-collapse: collapse; }
.ez-popup th { text-align: left; padding: 1px 8px 1px 0; color: #555; font-weight: normal; white-space: nowrap; vertical-align: top; }
.ez-popup td { padding: 1px 0; }
.ez-popup h3 { margin: 0 0 4px; font-size: 13px; }
.ez-legend { background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); max-width: 260px; font-size: 12px; }
.ez-legend h4 { margin: 0 0 4px; font-size: 12px; }
.ez-legend div { display: flex; align-items: center; margin: 2px 0; }
.ez-legend svg { flex: none; margin-right: 6px; }
.leaflet-container { font: inherit; }
)CSS";

constexpr const char* kPageJs = R"JS(
(function () {
  'use strict';
  var D = window.EZ_DATA, T = D.text;
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function metres(m) {
    if (m == null) return '';
    return Math.abs(m) >= 1000 ? (m / 1000).toFixed(3) + ' km' : m.toFixed(2) + ' m';
  }
  var map = L.map('map', { zoomSnap: 0.25, zoomDelta: 0.5, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution('ecozone · ' + esc(D.date));
  L.control.scale({ metric: true, imperial: false, maxWidth: 160 }).addTo(map);
  // A view first: layers (and their renderers) are set up only on a map that has one.
  map.fitBounds(D.view, { padding: [10, 10] });

  function pane(name, z) {
    var p = map.getPane(name) || map.createPane(name);
    p.style.zIndex = z;
    var r = L.svg({ pane: name, padding: 0.5 });
    map.addLayer(r);
    return r;
  }
  var SVG = 'http://www.w3.org/2000/svg';
  function addHatch(renderer) {
    var svg = renderer._container;
    var defs = document.createElementNS(SVG, 'defs');
    var pat = document.createElementNS(SVG, 'pattern');
    pat.setAttribute('id', 'ez-hatch');
    pat.setAttribute('patternUnits', 'userSpaceOnUse');
    pat.setAttribute('width', '7');
    pat.setAttribute('height', '7');
    pat.setAttribute('patternTransform', 'rotate(45)');
    var line = document.createElementNS(SVG, 'line');
    line.setAttribute('x1', '0'); line.setAttribute('y1', '0');
    line.setAttribute('x2', '0'); line.setAttribute('y2', '7');
    line.setAttribute('stroke', '#d32f2f'); line.setAttribute('stroke-width', '1.3');
    line.setAttribute('stroke-opacity', '0.7');
    pat.appendChild(line); defs.appendChild(pat); svg.insertBefore(defs, svg.firstChild);
  }

  var overlays = {}, paneOf = {};
  D.overlays.forEach(function (o) {
    var r = pane(o.pane, o.z);
    if (o.hatch) addHatch(r);
    var layer = L.geoJSON(o.geojson, {
      renderer: r, pane: o.pane,
      style: function (f) { return f.properties.style; },
      onEachFeature: function (f, l) { if (f.properties.tip) l.bindTooltip(esc(f.properties.tip), { sticky: true }); }
    });
    overlays[o.name] = layer; paneOf[o.name] = o.pane;
    if (o.visible) layer.addTo(map);
  });

  var footRenderer = pane('ez-footprints', 385), linkRenderer = pane('ez-connectors', 390),
      facRenderer = pane('ez-facilities', 395), vioRenderer = pane('ez-violations', 450);
  var footprints = L.layerGroup(), compliant = L.layerGroup(), connectors = L.layerGroup(), violations = L.layerGroup();
  D.facilities.forEach(function (f) {
    if (f.footprint) {
      L.geoJSON(f.footprint, { renderer: footRenderer, pane: 'ez-footprints',
        style: { color: f.violating ? '#b71c1c' : '#616161', weight: 1.5, fillOpacity: 0.25 } }).addTo(footprints);
    }
    if (f.violating) return;
    L.circleMarker(f.at, { renderer: facRenderer, pane: 'ez-facilities', radius: 3, color: '#fff', weight: 1,
      fillColor: '#737373', fillOpacity: 0.9, className: 'ez-facility' })
      .bindPopup('<div class="ez-popup"><h3>' + esc(f.name) + '</h3><table><tr><th>' + T.category + '</th><td>' +
        esc(f.category) + '</td></tr><tr><th>' + T.status + '</th><td>' + esc(f.status) + '</td></tr></table></div>')
      .addTo(compliant);
  });

  function popupHtml(v) {
    var f = D.facilities[v.facility];
    var rows = [
      [T.facility, esc(f.name) + ' (' + esc(f.id) + ') · ' + esc(f.category) + ' · ' + esc(f.status)],
      [T.object, esc(v.object)]
    ];
    if (v.inside) rows.push([T.distance, T.overlap]);
    else if (v.distance_m != null) rows.push([T.distance, metres(v.distance_m)]);
    if (v.threshold_m != null) {
      rows.push([T.limit, metres(v.threshold_m)]);
      rows.push([T.margin, metres(v.distance_m - v.threshold_m)]);
    }
    rows.push([T.action, esc(v.action)], [T.severity, esc(v.severity)], [T.basis, esc(v.basis)]);
    return '<div class="ez-popup"><h3>' + esc(v.rule_id) + ' · ' + esc(v.title) + '</h3><table>' +
      rows.map(function (r) { return '<tr><th>' + r[0] + '</th><td>' + r[1] + '</td></tr>'; }).join('') +
      '</table></div>';
  }

  // Lower severities first, so the highest are drawn on top.
  var order = D.violations.map(function (v, i) { return i; });
  order.sort(function (a, b) { return D.violations[b].rank - D.violations[a].rank || a - b; });
  var markers = new Array(D.violations.length);
  order.forEach(function (i) {
    var v = D.violations[i];
    if (v.connector) {
      L.polyline(v.connector, { renderer: linkRenderer, pane: 'ez-connectors', color: '#8e1b1b', weight: 1.5,
        dashArray: '4 3', opacity: 0.9, className: 'ez-connector' }).addTo(connectors);
    }
    markers[i] = L.circleMarker(v.at, { renderer: vioRenderer, pane: 'ez-violations', radius: v.radius,
      color: '#ffffff', weight: 1.5, fillColor: v.colour, fillOpacity: 1,
      className: 'ez-violation ez-rank-' + v.rank })
      .bindPopup(popupHtml(v), { maxWidth: 380 })
      .bindTooltip(esc(D.facilities[v.facility].name), { direction: 'top', offset: [0, -6] })
      .addTo(violations);
  });
  footprints.addTo(map); compliant.addTo(map); connectors.addTo(map); violations.addTo(map);
  overlays[T.footprints] = footprints; paneOf[T.footprints] = 'ez-footprints';
  overlays[T.connectors] = connectors; paneOf[T.connectors] = 'ez-connectors';
  overlays[T.facilities] = compliant; paneOf[T.facilities] = 'ez-facilities';
  overlays[T.violations] = violations; paneOf[T.violations] = 'ez-violations';
  L.control.layers(null, overlays, { collapsed: true, position: 'topright' }).addTo(map);

  // Legend.
  var legend = L.control({ position: 'bottomright' });
  legend.onAdd = function () {
    var div = L.DomUtil.create('div', 'ez-legend');
    var html = '<h4>' + esc(T.legend) + '</h4>';
    D.legend.forEach(function (e) {
      var sym = '';
      if (e.type === 'area') {
        var s = e.style, fill = s.fillColor.indexOf('url(') === 0 ? '#f8d7d7' : s.fillColor;
        sym = '<svg width="22" height="14"><rect x="1" y="1" width="20" height="12" fill="' + fill +
          '" fill-opacity="' + (s.fillColor.indexOf('url(') === 0 ? 1 : s.fillOpacity) + '" stroke="' + s.color +
          '" stroke-width="' + Math.max(1, s.weight) + '"' + (s.dashArray ? ' stroke-dasharray="3 2"' : '') + '/>' +
          (s.fillColor.indexOf('url(') === 0 ? '<path d="M1 9 L9 1 M5 13 L17 1 M13 13 L21 5" stroke="' + s.color +
          '" stroke-width="1"/>' : '') + '</svg>';
      } else if (e.type === 'line') {
        sym = '<svg width="22" height="14"><path d="M1 10 Q 8 2 12 7 T 21 4" fill="none" stroke="' + e.colour +
          '" stroke-width="' + e.weight + '"/></svg>';
      } else if (e.type === 'circle') {
        sym = '<svg width="22" height="14"><circle cx="11" cy="7" r="' + e.radius + '" fill="' + e.colour +
          '" stroke="#fff" stroke-width="1.2"/></svg>';
      } else {
        sym = '<svg width="22" height="14"><path d="M1 7 H21" stroke="' + e.colour +
          '" stroke-width="1.5" stroke-dasharray="4 3"/></svg>';
      }
      html += '<div title="' + esc(e.note || '') + '">' + sym + '<span>' + esc(e.label) + '</span></div>';
    });
    div.innerHTML = html;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legend.addTo(map);

  // The list of violations, by rule; a click zooms to the violation and opens its popup.
  document.getElementById('note').textContent = D.note;
  var list = document.getElementById('list');
  if (!D.violations.length) list.innerHTML = '<p class="meta">' + esc(T.none) + '</p>';
  var lastRule = null, items = [];
  D.violations.forEach(function (v, i) {
    if (v.rule_id !== lastRule) {
      var n = D.violations.filter(function (w) { return w.rule_id === v.rule_id; }).length;
      var h = document.createElement('div');
      h.className = 'ez-rule';
      h.innerHTML = esc(v.rule_id) + ' · ' + esc(v.action) + ' · ' + n + '<br><small>' + esc(v.title) + '</small>';
      list.appendChild(h);
      lastRule = v.rule_id;
    }
    var f = D.facilities[v.facility];
    var item = document.createElement('div');
    item.className = 'ez-item';
    item.innerHTML = '<i style="background:' + v.colour + '"></i>' + esc(f.name) +
      (v.inside ? '' : '<span class="d">' + metres(v.distance_m) + '</span>');
    item.addEventListener('click', function () { zoomTo(i); });
    list.appendChild(item);
    items.push(item);
  });
  function zoomTo(i) {
    var v = D.violations[i];
    var target = v.connector ? L.latLngBounds(v.connector) : L.latLngBounds([v.at, v.at]);
    map.fitBounds(target.pad(0.5), { maxZoom: 14, animate: false });
    if (!map.hasLayer(violations)) map.addLayer(violations);
    markers[i].openPopup();
    items.forEach(function (it, k) { it.classList.toggle('ez-active', k === i); });
  }

  // ?selftest: the page checks itself and reports in its title, for the headless-browser test.
  if (/[?&]selftest\b/.test(location.search)) {
    var r = { markers: document.querySelectorAll('path.ez-violation').length, expected: D.violations.length,
      list: document.querySelectorAll('#list .ez-item').length,
      overlays: document.querySelectorAll('.leaflet-control-layers-overlays label').length,
      expectedOverlays: Object.keys(overlays).length, legend: document.querySelectorAll('.ez-legend div').length,
      paths: {} };
    var empty = [];
    Object.keys(overlays).forEach(function (name) {
      var n = document.querySelectorAll('.leaflet-' + paneOf[name] + '-pane path').length;
      r.paths[paneOf[name]] = n;
      if (map.hasLayer(overlays[name]) && n === 0) empty.push(name);
    });
    r.emptyLayers = empty;
    r.popup = false;
    if (D.violations.length) {
      zoomTo(0);
      var content = document.querySelector('.leaflet-popup-content');
      r.popup = !!content && content.textContent.indexOf(D.violations[0].rule_id) >= 0 &&
        content.textContent.indexOf(D.violations[0].basis) >= 0;
    }
    var ok = r.markers === r.expected && r.list === r.expected && r.overlays === r.expectedOverlays &&
      empty.length === 0 && (r.popup || !D.violations.length);
    document.title = (ok ? 'SELFTEST PASS ' : 'SELFTEST FAIL ') + JSON.stringify(r);
  }
})();
)JS";

}  // namespace

std::filesystem::path findLeaflet() {
    std::vector<std::filesystem::path> candidates;
    if (const char* env = std::getenv("ECOZONE_LEAFLET_DIR"); env && *env)
        candidates.emplace_back(env);
    else
        candidates.emplace_back("/usr/share/javascript/leaflet");
    for (const auto& dir : candidates)
        if (std::filesystem::exists(dir / "leaflet.js") && std::filesystem::exists(dir / "leaflet.css"))
            return dir;
    throw outputError(
        "Leaflet is not installed: an HTML map embeds leaflet.js and leaflet.css from " +
        candidates.front().string() +
        "; install Debian's libjs-leaflet (`apt-get install libjs-leaflet`, or scripts/install-deps), "
        "or set ECOZONE_LEAFLET_DIR to a folder holding them");
}

void writeHtmlMap(const std::filesystem::path& file, const MapScene& scene, const HtmlMapOptions& options) {
    const auto dir = options.leaflet.empty() ? findLeaflet() : options.leaflet;
    const auto minified = dir / "leaflet.min.js";
    const std::string leafletJs =
        withoutSourceMap(readFile(std::filesystem::exists(minified) ? minified : dir / "leaflet.js"));
    const std::string leafletCss = inlineImages(withoutSourceMap(readFile(dir / "leaflet.css")), dir);
    if (leafletJs.empty() || leafletCss.empty())
        throw outputError("cannot read Leaflet from " + dir.string() + ": reinstall libjs-leaflet");

    const bool zh = options.lang == Language::Zh;
    std::ostringstream page;
    page << "<!DOCTYPE html>\n<html lang=\"" << (zh ? "zh-CN" : "en") << "\">\n<head>\n<meta charset=\"utf-8\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         << "<meta name=\"generator\" content=\"ecozone map\">\n"
         << "<title>" << markupEscape(scene.title) << "</title>\n"
         << "<style>\n"
         << scriptSafe(leafletCss) << "\n</style>\n<style>" << kPageCss << "</style>\n</head>\n<body>\n"
         << "<div id=\"side\"><h1>" << markupEscape(zh ? "问题分布图" : "Violation map")
         << "</h1>\n<div class=\"meta\">" << markupEscape(scene.title) << "<br>" << scene.violations.size()
         << (zh ? " 处问题" : " violations")
         << "</div>\n<div id=\"list\"></div>\n<div class=\"meta note\" id=\"note\"></div></div>\n<div "
            "id=\"map\"></div>\n"
         << "<script>\n"
         << scriptSafe(leafletJs) << "\n</script>\n"
         << "<script>\nwindow.EZ_DATA = "
         << scriptSafe(sceneJson(scene, options).dump(-1, ' ', false, json::error_handler_t::replace))
         << ";\n</script>\n"
         << "<script>" << kPageJs << "</script>\n</body>\n</html>\n";

    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out)
        throw outputError("cannot write `" + file.string() + "`: check that its folder exists and is writable");
    out << page.str();
    out.close();
    if (!out) throw outputError("cannot finish writing `" + file.string() + "` (disk full?)");
}

}  // namespace ecozone::output

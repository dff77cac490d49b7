// SPDX-License-Identifier: MIT
#include "output/map_scene.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <numbers>
#include <set>

#include "util/error.hpp"

namespace ecozone::output {

namespace {

constexpr double kWgs84A = 6378137.0;
constexpr double kWgs84F = 1 / 298.257223563;
constexpr double kMetresPerDegree = 111320.0;  // for simplification tolerances only
constexpr double kPieceLengthM = 20000.0;      // longest piece buffered in one local projection
constexpr int kQuadrantSegments = 16;          // chord error r·(1 − cos(π/64)) ≈ 0.12 % of the radius

using geo::LonLat;

struct Geos {
    geo::GeosContext context;
    GEOSContextHandle_t h() const { return context.get(); }
};

GEOSCoordSequence* sequence(GEOSContextHandle_t h, const std::vector<std::pair<double, double>>& xy) {
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(xy.size()), 2);
    for (unsigned i = 0; i < xy.size(); ++i) {
        GEOSCoordSeq_setX_r(h, seq, i, xy[i].first);
        GEOSCoordSeq_setY_r(h, seq, i, xy[i].second);
    }
    return seq;
}

GEOSGeometry* lonLatPolygon(GEOSContextHandle_t h, const Polygon& rings) {
    std::vector<GEOSGeometry*> holes;
    GEOSGeometry* shell = nullptr;
    for (std::size_t r = 0; r < rings.size(); ++r) {
        std::vector<std::pair<double, double>> xy;
        for (const auto& p : rings[r]) xy.emplace_back(p.lon, p.lat);
        if (xy.size() < 3) continue;
        if (xy.front() != xy.back()) xy.push_back(xy.front());
        if (xy.size() < 4) continue;
        GEOSGeometry* ring = GEOSGeom_createLinearRing_r(h, sequence(h, xy));
        if (r == 0)
            shell = ring;
        else if (shell)
            holes.push_back(ring);
        else
            GEOSGeom_destroy_r(h, ring);
    }
    if (!shell) {
        for (auto* g : holes) GEOSGeom_destroy_r(h, g);
        return nullptr;
    }
    return GEOSGeom_createPolygon_r(h, shell, holes.data(), static_cast<unsigned>(holes.size()));
}

// Rings of a projected polygon geometry mapped back to longitude/latitude.
void collectPolygons(GEOSContextHandle_t h, const GEOSGeometry* g, const LocalProjection* projection,
                     std::vector<Polygon>& out) {
    const int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); ++i)
            collectPolygons(h, GEOSGetGeometryN_r(h, g, i), projection, out);
        return;
    }
    if (type != GEOS_POLYGON || GEOSisEmpty_r(h, g)) return;
    auto ringOf = [&](const GEOSGeometry* ring) {
        Ring vertices;
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, ring);
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, seq, &n);
        vertices.reserve(n);
        for (unsigned i = 0; i < n; ++i) {
            double x = 0, y = 0;
            GEOSCoordSeq_getX_r(h, seq, i, &x);
            GEOSCoordSeq_getY_r(h, seq, i, &y);
            vertices.push_back(projection ? projection->inverse(x, y) : LonLat{x, y});
        }
        return vertices;
    };
    Polygon polygon;
    polygon.push_back(ringOf(GEOSGetExteriorRing_r(h, g)));
    for (int i = 0; i < GEOSGetNumInteriorRings_r(h, g); ++i)
        polygon.push_back(ringOf(GEOSGetInteriorRingN_r(h, g, i)));
    out.push_back(std::move(polygon));
}

// Cuts a vertex sequence into pieces of at most kPieceLengthM (geodesic), sharing their end vertices.
std::vector<std::vector<LonLat>> pieces(const std::vector<LonLat>& line, const geo::Geodesic& geodesic) {
    std::vector<std::vector<LonLat>> out;
    std::vector<LonLat> current;
    double length = 0;
    for (const auto& p : line) {
        if (!current.empty()) {
            length += geodesic.distance(current.back(), p);
            if (length > kPieceLengthM && current.size() > 1) {
                const LonLat last = current.back();
                out.push_back(std::move(current));
                current = {last};
                length = geodesic.distance(last, p);
            }
        }
        current.push_back(p);
    }
    if (!current.empty()) out.push_back(std::move(current));
    return out;
}

GEOSGeometry* bufferPiece(GEOSContextHandle_t h, const std::vector<LonLat>& piece, double radius_m,
                          double tolerance_m, const geo::Geodesic& geodesic) {
    // Centre: the vertex halfway along the piece.
    double total = 0;
    for (std::size_t i = 1; i < piece.size(); ++i) total += geodesic.distance(piece[i - 1], piece[i]);
    LonLat centre = piece.front();
    double run = 0;
    for (std::size_t i = 1; i < piece.size() && run < total / 2; ++i) {
        run += geodesic.distance(piece[i - 1], piece[i]);
        centre = piece[i];
    }
    const LocalProjection projection(centre);
    std::vector<std::pair<double, double>> xy;
    for (const auto& p : piece) xy.push_back(projection.forward(p));
    GEOSGeometry* geometry = nullptr;
    if (xy.size() == 1 || (xy.size() == 2 && xy[0] == xy[1]))
        geometry = GEOSGeom_createPoint_r(h, sequence(h, {xy[0]}));
    else
        geometry = GEOSGeom_createLineString_r(h, sequence(h, xy));
    GEOSGeometry* buffered = GEOSBuffer_r(h, geometry, radius_m, kQuadrantSegments);
    GEOSGeom_destroy_r(h, geometry);
    if (!buffered) return nullptr;
    if (tolerance_m > 0) {
        GEOSGeometry* simple = GEOSTopologyPreserveSimplify_r(h, buffered, tolerance_m);
        if (simple) {
            GEOSGeom_destroy_r(h, buffered);
            buffered = simple;
        }
    }
    std::vector<Polygon> rings;
    collectPolygons(h, buffered, &projection, rings);
    GEOSGeom_destroy_r(h, buffered);
    std::vector<GEOSGeometry*> parts;
    for (const auto& r : rings)
        if (GEOSGeometry* p = lonLatPolygon(h, r)) parts.push_back(p);
    if (parts.empty()) return nullptr;
    return GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts.data(), static_cast<unsigned>(parts.size()));
}

GEOSGeometry* unionAll(GEOSContextHandle_t h, std::vector<GEOSGeometry*>& parts) {
    if (parts.empty()) return nullptr;
    // Flatten multipolygons so the collection is a valid GeometryCollection of polygons.
    GEOSGeometry* collection =
        GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts.data(), static_cast<unsigned>(parts.size()));
    parts.clear();
    GEOSGeometry* united = GEOSUnaryUnion_r(h, collection);
    if (!united) {
        // Slightly invalid pieces (rare, after projecting back): clean them first.
        GEOSGeometry* valid = GEOSMakeValid_r(h, collection);
        united = valid ? GEOSUnaryUnion_r(h, valid) : nullptr;
        if (valid) GEOSGeom_destroy_r(h, valid);
    }
    GEOSGeom_destroy_r(h, collection);
    return united;
}

std::vector<Polygon> simplifiedPolygons(GEOSContextHandle_t h, const GEOSGeometry* g, double tolerance_m) {
    std::vector<Polygon> out;
    if (!g) return out;
    GEOSGeometry* simple =
        tolerance_m > 0 ? GEOSTopologyPreserveSimplify_r(h, g, tolerance_m / kMetresPerDegree) : nullptr;
    collectPolygons(h, simple ? simple : g, nullptr, out);
    if (simple) GEOSGeom_destroy_r(h, simple);
    return out;
}

std::vector<std::vector<LonLat>> simplifiedLines(GEOSContextHandle_t h,
                                                 const std::vector<std::vector<LonLat>>& parts,
                                                 double tolerance_m) {
    std::vector<std::vector<LonLat>> out;
    for (const auto& part : parts) {
        if (part.size() < 3 || tolerance_m <= 0) {
            out.push_back(part);
            continue;
        }
        std::vector<std::pair<double, double>> xy;
        for (const auto& p : part) xy.emplace_back(p.lon, p.lat);
        GEOSGeometry* line = GEOSGeom_createLineString_r(h, sequence(h, xy));
        GEOSGeometry* simple = GEOSTopologyPreserveSimplify_r(h, line, tolerance_m / kMetresPerDegree);
        const auto sequenceParts = geo::partsOf(h, simple ? simple : line);
        for (const auto& s : sequenceParts) out.push_back(s);
        if (simple) GEOSGeom_destroy_r(h, simple);
        GEOSGeom_destroy_r(h, line);
    }
    return out;
}

LonLat pointOn(GEOSContextHandle_t h, const layers::Feature& f) {
    if (f.family == geo::GeometryFamily::Point && !f.parts.empty() && !f.parts.front().empty())
        return f.parts.front().front();
    GEOSGeometry* p = GEOSPointOnSurface_r(h, f.geometry.get());
    LonLat at{(f.envelope.min_lon + f.envelope.max_lon) / 2, (f.envelope.min_lat + f.envelope.max_lat) / 2};
    if (p) {
        double x = 0, y = 0;
        if (GEOSGeomGetX_r(h, p, &x) && GEOSGeomGetY_r(h, p, &y)) at = {x, y};
        GEOSGeom_destroy_r(h, p);
    }
    return at;
}

AreaKind areaKindOf(const layers::Layer& layer) {
    const std::string& schema = layer.schema().name;
    if (schema == "reserve_zone") return AreaKind::ReserveZone;
    if (schema == "redline") return AreaKind::RedLine;
    if (schema == "water_source") return AreaKind::WaterSource;
    const std::string& name = layer.name();
    if (name.find("industrial") != std::string::npos || name.find("park") != std::string::npos)
        return AreaKind::IndustrialPark;
    return AreaKind::OtherZone;
}

void extend(geo::Box& box, bool& any, LonLat p) {
    if (!std::isfinite(p.lon) || !std::isfinite(p.lat)) return;
    if (!any) {
        box = {p.lon, p.lat, p.lon, p.lat};
        any = true;
        return;
    }
    box.min_lon = std::min(box.min_lon, p.lon);
    box.max_lon = std::max(box.max_lon, p.lon);
    box.min_lat = std::min(box.min_lat, p.lat);
    box.max_lat = std::max(box.max_lat, p.lat);
}

}  // namespace

LocalProjection::LocalProjection(LonLat centre) : centre_(centre) {
    geod_init(&g_, kWgs84A, kWgs84F);
}

std::pair<double, double> LocalProjection::forward(LonLat p) const {
    double s12 = 0, azi1 = 0, azi2 = 0;
    geod_inverse(&g_, centre_.lat, centre_.lon, p.lat, p.lon, &s12, &azi1, &azi2);
    const double a = azi1 * std::numbers::pi / 180;
    return {s12 * std::sin(a), s12 * std::cos(a)};
}

LonLat LocalProjection::inverse(double x, double y) const {
    const double s = std::hypot(x, y);
    const double azi = std::atan2(x, y) * 180 / std::numbers::pi;
    double lat = 0, lon = 0;
    geod_direct(&g_, centre_.lat, centre_.lon, azi, s, &lat, &lon, nullptr);
    // Keep longitudes continuous with the centre's (geod_direct reduces them to [-180, 180)).
    while (lon - centre_.lon > 180) lon -= 360;
    while (lon - centre_.lon < -180) lon += 360;
    return {lon, lat};
}

int severityRank(const std::string& severity) {
    if (severity == "high") return 0;
    if (severity == "medium") return 1;
    if (severity == "low") return 2;
    return 3;
}

std::vector<Polygon> bufferShoreline(const std::vector<std::vector<LonLat>>& lines,
                                     const std::vector<double>& half_widths_m,
                                     const std::vector<Polygon>& polygons, double distance_m, double tolerance_m) {
    Geos geos;
    const auto h = geos.h();
    const geo::Geodesic geodesic;
    std::vector<GEOSGeometry*> parts;
    for (std::size_t l = 0; l < lines.size(); ++l) {
        const double half = l < half_widths_m.size() ? half_widths_m[l] : 0.0;
        for (const auto& piece : pieces(lines[l], geodesic))
            if (GEOSGeometry* g = bufferPiece(h, piece, distance_m + half, tolerance_m, geodesic))
                parts.push_back(g);
    }
    // A bank polygon: itself, plus its boundary's buffer.
    for (const auto& polygon : polygons) {
        if (GEOSGeometry* g = lonLatPolygon(h, polygon)) parts.push_back(g);
        for (const auto& ring : polygon)
            for (const auto& piece : pieces(ring, geodesic))
                if (GEOSGeometry* g = bufferPiece(h, piece, distance_m, tolerance_m, geodesic)) parts.push_back(g);
    }
    GEOSGeometry* united = unionAll(h, parts);
    std::vector<Polygon> out;
    if (united) {
        collectPolygons(h, united, nullptr, out);
        GEOSGeom_destroy_r(h, united);
    }
    return out;
}

std::vector<NamedArea> namedAreas(const MapScene& scene) {
    Geos geos;
    const auto h = geos.h();
    std::vector<NamedArea> out;
    for (const auto& layer : scene.areas) {
        std::vector<std::string> names;
        std::map<std::string, std::vector<const MapArea*>> members;
        for (const auto& a : layer.areas) {
            const std::string& name = a.name.empty() ? a.id : a.name;
            if (!members.count(name)) names.push_back(name);
            members[name].push_back(&a);
        }
        for (const auto& name : names) {
            const auto& group = members[name];
            NamedArea area;
            area.layer = layer.name;
            area.kind = layer.kind;
            area.name = name;
            for (const auto* a : group) area.member_ids.push_back(a->id);
            // The common id prefix, cut back to a whole token: RZ-DBS for RZ-DBS-core and RZ-DBS-buffer.
            std::string prefix = area.member_ids.front();
            for (const auto& id : area.member_ids) {
                std::size_t n = 0;
                while (n < prefix.size() && n < id.size() && prefix[n] == id[n]) ++n;
                prefix.resize(n);
            }
            const auto separator = [](char c) { return c == '-' || c == '_' || c == '.' || c == ' ' || c == '/'; };
            if (group.size() > 1) {
                const bool whole = std::all_of(
                    area.member_ids.begin(), area.member_ids.end(),
                    [&](const auto& id) { return id.size() == prefix.size() || separator(id[prefix.size()]); });
                if (!whole) {
                    while (!prefix.empty() && !separator(prefix.back())) prefix.pop_back();
                }
                while (!prefix.empty() && separator(prefix.back())) prefix.pop_back();
            }
            area.id = prefix.empty() ? area.member_ids.front() : prefix;
            bool any = false;
            std::vector<GEOSGeometry*> parts;
            for (const auto* a : group)
                for (const auto& p : a->polygons) {
                    for (const auto& v : p.front()) extend(area.extent, any, v);
                    if (GEOSGeometry* g = lonLatPolygon(h, p)) parts.push_back(g);
                }
            if (!any) continue;
            if (GEOSGeometry* united = unionAll(h, parts)) {
                // Closed by ~20 m: simplified zones that shared a border leave slivers between them, which
                // are not the area's outline.
                constexpr double kClose = 20.0 / kMetresPerDegree;
                GEOSGeometry* grown = GEOSBuffer_r(h, united, kClose, 4);
                GEOSGeometry* closed = grown ? GEOSBuffer_r(h, grown, -kClose, 4) : nullptr;
                collectPolygons(h, closed ? closed : united, nullptr, area.outline);
                for (GEOSGeometry* g : {united, grown, closed})
                    if (g) GEOSGeom_destroy_r(h, g);
            }
            out.push_back(std::move(area));
        }
    }
    return out;
}

MapScene sceneForRule(const MapScene& scene, std::size_t rule) {
    MapScene out = scene;
    out.facilities.clear();
    out.violations.clear();
    std::vector<bool> violates(scene.facilities.size(), false);
    for (const auto& v : scene.violations)
        if (v.rule == rule) violates[v.facility] = true;
    std::vector<std::size_t> index(scene.facilities.size(), 0);
    for (std::size_t i = 0; i < scene.facilities.size(); ++i) {
        if (!violates[i] && scene.facilities[i].worst_severity >= 0) continue;  // violates other rules only
        index[i] = out.facilities.size();
        out.facilities.push_back(scene.facilities[i]);
        out.facilities.back().worst_severity = -1;
    }
    for (const auto& v : scene.violations) {
        if (v.rule != rule) continue;
        MapViolation copy = v;
        copy.facility = index[v.facility];
        auto& f = out.facilities[copy.facility];
        const int rank = severityRank(copy.severity);
        if (f.worst_severity < 0 || rank < f.worst_severity) f.worst_severity = rank;
        out.violations.push_back(std::move(copy));
    }
    return out;
}

geo::Box widen(const geo::Box& box, double margin, double min_span_m) {
    const double lat = (box.min_lat + box.max_lat) / 2, lon = (box.min_lon + box.max_lon) / 2;
    const double perLat = kMetresPerDegree;
    const double perLon = kMetresPerDegree * std::max(0.01, std::cos(lat * std::numbers::pi / 180));
    const double halfLon = std::max((box.max_lon - box.min_lon) / 2, min_span_m / 2 / perLon) * (1 + 2 * margin);
    const double halfLat = std::max((box.max_lat - box.min_lat) / 2, min_span_m / 2 / perLat) * (1 + 2 * margin);
    return {lon - halfLon, std::max(-90.0, lat - halfLat), lon + halfLon, std::min(90.0, lat + halfLat)};
}

geo::Box violationsExtent(const std::vector<MapViolation>& violations, double min_span_m, double margin) {
    geo::Box box{};
    bool any = false;
    for (const auto& v : violations) {
        extend(box, any, v.at);
        if (v.connector) {
            extend(box, any, v.connector->first);
            extend(box, any, v.connector->second);
        }
    }
    return widen(box, margin, min_span_m);
}

std::string safeFileStem(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const bool keep = std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80;
        if (keep || c == '-' || c == '_' || c == '.')
            out += c;
        else if (out.empty() || out.back() != '_')
            out += '_';
    }
    // No leading dots (hidden files, `..`) or trailing dots and underscores (Windows drops trailing dots).
    while (!out.empty() && (out.front() == '.' || out.front() == '_')) out.erase(out.begin());
    while (!out.empty() && (out.back() == '.' || out.back() == '_')) out.pop_back();
    return out;
}

MapScene buildMapScene(const rules::Catalogue& catalogue, const layers::LayerMap& layers,
                       const std::vector<rules::RuleOutcome>& outcomes, const MapSceneOptions& options) {
    Geos geos;
    const auto h = geos.h();
    const geo::Geodesic geodesic;
    MapScene scene;
    scene.title = catalogue.title;
    scene.catalogue = catalogue.file.filename().string();

    auto layerNamed = [&](const std::string& name) -> const layers::Layer* {
        const auto it = layers.find(name);
        return it == layers.end() ? nullptr : it->second.get();
    };

    // Subject layers hold the facilities; distance rules' object layers with lines are rivers.
    std::set<std::string> subjectLayers, riverLayers;
    for (const auto& rule : catalogue.rules) {
        subjectLayers.insert(rule.subject);
        if (const auto* l = layerNamed(rule.object); l && l->schema().name == "river")
            riverLayers.insert(rule.object);
    }
    for (const auto& [name, layer] : layers)
        if (layer->schema().name == "river") riverLayers.insert(name);

    for (const auto& [name, layer] : layers) {
        if (!layer) continue;
        for (const auto& field : layer->schema().fields)
            for (const auto& [alias, value] : field.aliases) {
                const bool chinese = std::any_of(alias.begin(), alias.end(),
                                                 [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
                if (chinese) scene.zh_labels.emplace(value, alias);
            }
        const std::string& source = layer->binding().source;
        const std::filesystem::path path(source);
        scene.sources.push_back(name + ": " +
                                (std::filesystem::exists(path) ? path.filename().string() : source.substr(0, 40)));
    }

    // Areas.
    for (const auto& [name, layer] : layers) {
        if (subjectLayers.count(name) || riverLayers.count(name)) continue;
        MapAreaLayer area{name, layer->schema().name, areaKindOf(*layer), {}};
        for (const auto& f : layer->features()) {
            if (f.family != geo::GeometryFamily::Polygon) continue;
            MapArea a{f.id, f.name, f.klass, simplifiedPolygons(h, f.geometry.get(), options.simplify_m)};
            if (!a.polygons.empty()) area.areas.push_back(std::move(a));
        }
        if (!area.areas.empty()) scene.areas.push_back(std::move(area));
    }
    std::stable_sort(scene.areas.begin(), scene.areas.end(), [](const MapAreaLayer& a, const MapAreaLayer& b) {
        auto order = [](AreaKind k) {
            switch (k) {
                case AreaKind::OtherZone:
                    return 0;
                case AreaKind::IndustrialPark:
                    return 1;
                case AreaKind::WaterSource:
                    return 2;
                case AreaKind::ReserveZone:
                    return 3;
                case AreaKind::RedLine:
                    return 4;
            }
            return 0;
        };
        return order(a.kind) < order(b.kind);
    });

    // Rivers, and which distance rules measure from each.
    std::map<std::pair<std::string, std::size_t>, std::size_t> riverIndex;
    for (const auto& name : riverLayers) {
        const auto* layer = layerNamed(name);
        if (!layer) continue;
        if (scene.river_layer.empty()) scene.river_layer = name;
        for (std::size_t i = 0; i < layer->features().size(); ++i) {
            const auto& f = layer->features()[i];
            MapRiver river;
            river.id = f.id;
            river.name = f.name;
            river.width_m = 2 * f.half_width_m;
            if (f.family == geo::GeometryFamily::Polygon)
                river.polygons = simplifiedPolygons(h, f.geometry.get(), options.simplify_m);
            else
                river.lines = simplifiedLines(h, f.parts, options.simplify_m);
            if (f.family == geo::GeometryFamily::Line && f.half_width_m > 0)
                river.water = bufferShoreline(f.parts, std::vector<double>(f.parts.size(), f.half_width_m), {}, 0,
                                              std::min(options.simplify_m, f.half_width_m / 4));
            riverIndex[{name, i}] = scene.rivers.size();
            scene.rivers.push_back(std::move(river));
        }
    }

    // Bands: one per (object layer, distance), over the objects of every rule with that distance.
    struct BandKey {
        std::string layer;
        double distance;
        bool operator<(const BandKey& o) const {
            return std::tie(layer, distance) < std::tie(o.layer, o.distance);
        }
    };
    std::map<BandKey, std::pair<std::vector<std::string>, std::set<std::size_t>>> bandMembers;
    for (const auto& rule : catalogue.rules) {
        if (rule.predicate != rules::Predicate::WithinDistance) continue;
        const auto* layer = layerNamed(rule.object);
        if (!layer) continue;
        auto members = layer->select(rule.object_where, rule.origin);
        if (rule.object_where.empty()) {
            members.resize(layer->features().size());
            for (std::size_t i = 0; i < members.size(); ++i) members[i] = i;
        }
        auto& entry = bandMembers[{rule.object, rule.distance_m}];
        entry.first.push_back(rule.id);
        entry.second.insert(members.begin(), members.end());
        for (std::size_t m : members)
            if (const auto it = riverIndex.find({rule.object, m}); it != riverIndex.end()) {
                auto& ids = scene.rivers[it->second].rules;
                if (std::find(ids.begin(), ids.end(), rule.id) == ids.end()) ids.push_back(rule.id);
            }
    }
    for (const auto& [key, entry] : bandMembers) {
        const auto& features = layerNamed(key.layer)->features();
        std::vector<std::vector<LonLat>> lines;
        std::vector<double> halves;
        std::vector<Polygon> polygons;
        for (std::size_t m : entry.second) {
            const auto& f = features[m];
            if (f.family == geo::GeometryFamily::Polygon) {
                for (auto& p : geo::polygonsOf(h, f.geometry.get())) polygons.push_back(std::move(p));
            } else {
                for (const auto& part : f.parts) {
                    lines.push_back(part);
                    halves.push_back(f.half_width_m);
                }
            }
        }
        const double tolerance = std::max(options.simplify_m, key.distance * 0.005);
        MapBand band{
            key.distance, key.layer, entry.first,
            bufferShoreline(lines, halves, polygons, key.distance, std::min(tolerance, key.distance * 0.25))};
        scene.bands.push_back(std::move(band));
    }
    std::stable_sort(scene.bands.begin(), scene.bands.end(),
                     [](const MapBand& a, const MapBand& b) { return a.distance_m > b.distance_m; });

    // Facilities of every subject layer, then the violations.
    std::map<std::pair<std::string, std::size_t>, std::size_t> facilityIndex;
    for (const auto& name : subjectLayers) {
        const auto* layer = layerNamed(name);
        if (!layer) continue;
        if (!scene.facility_layer.empty()) scene.facility_layer += ", ";
        scene.facility_layer += name;
        for (std::size_t i = 0; i < layer->features().size(); ++i) {
            const auto& f = layer->features()[i];
            MapFacility facility{f.id, f.name, f.klass, f.status, pointOn(h, f), {}, {}, -1};
            if (f.family == geo::GeometryFamily::Polygon)
                facility.polygons = simplifiedPolygons(h, f.geometry.get(), 0);
            else if (f.family == geo::GeometryFamily::Line)
                facility.lines = f.parts;
            facilityIndex[{name, i}] = scene.facilities.size();
            scene.facilities.push_back(std::move(facility));
        }
    }
    for (const auto& outcome : outcomes) {
        const auto& rule = catalogue.rules[outcome.rule];
        const auto* objectLayer = layerNamed(rule.object);
        for (const auto& v : outcome.violations) {
            MapViolation mv;
            mv.rule = v.rule;
            mv.facility = facilityIndex.at({rule.subject, v.subject});
            mv.predicate = rule.predicate;
            mv.rule_id = rule.id;
            mv.title_zh = rule.title_zh;
            mv.title_en = rule.title_en;
            mv.basis = rule.basis;
            mv.action = rule.action;
            mv.severity = rule.severity;
            mv.object_layer = rule.object;
            mv.distance_m = v.distance_m;
            if (rule.predicate == rules::Predicate::WithinDistance) mv.threshold_m = rule.distance_m;
            const layers::Feature* object = nullptr;
            if (v.object && objectLayer && *v.object < objectLayer->features().size()) {
                object = &objectLayer->features()[*v.object];
                mv.object_id = object->id;
                mv.object_name = object->name;
                mv.object_class = object->klass;
            }
            auto& facility = scene.facilities[mv.facility];
            mv.at = facility.at;
            if (v.has_nearest && rule.predicate == rules::Predicate::WithinDistance) mv.at = v.on_subject;
            // A connector shows how close a facility is to the river a distance rule measures from (an `outside`
            // rule's nearest area may be far away, and a line to it would only mislead).
            if (v.has_nearest && rule.predicate == rules::Predicate::WithinDistance) {
                // The engine's nearest object point is on the centerline; the shoreline lies half a width
                // towards the subject.
                LonLat shore = v.on_object;
                const double centerline = geodesic.distance(v.on_object, v.on_subject);
                if (object && object->half_width_m > 0 && centerline > 0)
                    shore = geodesic.interpolate(v.on_object, v.on_subject,
                                                 std::min(1.0, object->half_width_m / centerline));
                mv.connector = std::make_pair(v.on_subject, shore);
            }
            const int rank = severityRank(mv.severity);
            if (facility.worst_severity < 0 || rank < facility.worst_severity) facility.worst_severity = rank;
            scene.violations.push_back(std::move(mv));
        }
    }

    // Extent: everything but the bands (a 10 km band should not shrink the data).
    bool any = false;
    for (const auto& layer : scene.areas)
        for (const auto& a : layer.areas)
            for (const auto& p : a.polygons)
                for (const auto& v : p.front()) extend(scene.extent, any, v);
    for (const auto& r : scene.rivers) {
        for (const auto& l : r.lines)
            for (const auto& v : l) extend(scene.extent, any, v);
        for (const auto& p : r.polygons)
            for (const auto& v : p.front()) extend(scene.extent, any, v);
    }
    for (const auto& f : scene.facilities) extend(scene.extent, any, f.at);
    if (!any) throw dataError("nothing to map: the layers hold no features");
    return scene;
}

}  // namespace ecozone::output

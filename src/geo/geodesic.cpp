// SPDX-License-Identifier: MIT
#include "geo/geodesic.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ecozone::geo {

namespace {
constexpr double kWgs84A = 6378137.0;
constexpr double kWgs84F = 1.0 / 298.257223563;
constexpr double kDegToRad = std::numbers::pi / 180.0;
}  // namespace

Geodesic::Geodesic() {
    geod_init(&g_, kWgs84A, kWgs84F);
}

double Geodesic::distance(LonLat a, LonLat b) const {
    if (a == b) return 0.0;
    double s12 = 0;
    geod_inverse(&g_, a.lat, a.lon, b.lat, b.lon, &s12, nullptr, nullptr);
    return s12;
}

LonLat Geodesic::interpolate(LonLat a, LonLat b, double t) const {
    if (t <= 0.0 || a == b) return a;
    if (t >= 1.0) return b;
    geod_geodesicline line{};
    geod_inverseline(&line, &g_, a.lat, a.lon, b.lat, b.lon, 0);
    LonLat out;
    geod_position(&line, t * line.s13, &out.lat, &out.lon, nullptr);
    return out;
}

Geodesic::Projected Geodesic::project(LonLat p, LonLat q) const {
    if (q == p) return {};
    double s12 = 0, azi1 = 0;
    geod_inverse(&g_, p.lat, p.lon, q.lat, q.lon, &s12, &azi1, nullptr);
    return {s12 * std::sin(azi1 * kDegToRad), s12 * std::cos(azi1 * kDegToRad), s12};
}

Geodesic::SegmentDistance Geodesic::pointToSegment(LonLat p, const Segment& s, const Projected& a,
                                                   const Projected& b) const {
    if (s.a == s.b) return {a.s, 0.0};
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    const double t = len2 > 0 ? std::clamp(-(a.x * dx + a.y * dy) / len2, 0.0, 1.0) : 0.0;
    if (t <= 0.0) return {a.s, 0.0};
    if (t >= 1.0) return {b.s, 1.0};
    // The chord's nearest point is exactly this far from p (the projection keeps distances from its centre), and
    // the geodesic lies on the far side of the chord from p, within the bound: measured against the ellipsoid,
    // the chord is short by at most L²·d/(12R²), a third of the bound used here.
    const double ex = a.x + t * dx, ey = a.y + t * dy;
    const double chord = std::sqrt(ex * ex + ey * ey);
    constexpr double kR2 = 6371008.8 * 6371008.8;
    const double bound = len2 * (chord + std::sqrt(len2)) / (4 * kR2);
    if (bound <= 1e-4) return {chord, t};
    // Far or long: the geodesic's own point at t, measured. The distance is stationary at the minimum, so an error
    // in t moves it only to second order; the ends bound it from above in any case.
    const double d = distance(p, interpolate(s.a, s.b, t));
    if (d <= a.s && d <= b.s) return {d, t};
    return a.s <= b.s ? SegmentDistance{a.s, 0.0} : SegmentDistance{b.s, 1.0};
}

Nearest Geodesic::pointToSegment(LonLat p, const Segment& s) const {
    const Projected a = project(p, s.a);
    const Projected b = s.a == s.b ? a : project(p, s.b);
    const SegmentDistance d = pointToSegment(p, s, a, b);
    const LonLat on = d.t <= 0.0 ? s.a : d.t >= 1.0 ? s.b : interpolate(s.a, s.b, d.t);
    return {d.distance_m, p, on};
}

bool Geodesic::cross(const Segment& s, const Segment& t, LonLat centre) const {
    if (s.a == s.b || t.a == t.b) return false;
    // In the azimuthal equidistant projection centred near the segments, geodesics of a few tens of kilometres
    // are straight to well under a millimetre, so the planar test decides for the geodesics.
    auto project = [&](LonLat q) {
        if (q == centre) return std::pair<double, double>{0, 0};
        double s12 = 0, azi1 = 0;
        geod_inverse(&g_, centre.lat, centre.lon, q.lat, q.lon, &s12, &azi1, nullptr);
        return std::pair<double, double>{s12 * std::sin(azi1 * kDegToRad), s12 * std::cos(azi1 * kDegToRad)};
    };
    const auto [ax, ay] = project(s.a);
    const auto [bx, by] = project(s.b);
    const auto [cx, cy] = project(t.a);
    const auto [dx, dy] = project(t.b);
    auto side = [](double px, double py, double qx, double qy, double rx, double ry) {
        const double v = (qx - px) * (ry - py) - (qy - py) * (rx - px);
        return (v > 0) - (v < 0);
    };
    const int d1 = side(ax, ay, bx, by, cx, cy), d2 = side(ax, ay, bx, by, dx, dy);
    const int d3 = side(cx, cy, dx, dy, ax, ay), d4 = side(cx, cy, dx, dy, bx, by);
    return d1 * d2 < 0 && d3 * d4 < 0;
}

Nearest Geodesic::segmentToSegment(const Segment& subject, const Segment& object) const {
    // Two segments that do not cross are nearest at an end of one of them.
    Nearest best = pointToSegment(subject.a, object);
    if (!(subject.a == subject.b)) {
        const Nearest n = pointToSegment(subject.b, object);
        if (n.distance_m < best.distance_m) best = n;
    }
    for (const LonLat& end : {object.a, object.b}) {
        const Nearest n = pointToSegment(end, subject);
        if (n.distance_m < best.distance_m) best = {n.distance_m, n.on_object, end};
        if (object.a == object.b) break;
    }
    // Segments that cross as geodesics are 0 apart, even where straight lines in lon/lat would not cross. The
    // crossing lies on the shorter segment, so one of its ends is within half its length of the other segment:
    // only pairs that come that close can cross, and the test runs where they are nearest.
    const double shorter = std::min(distance(subject.a, subject.b), distance(object.a, object.b));
    if (best.distance_m > 0 && best.distance_m <= 0.505 * shorter + 1.0 && cross(subject, object, best.on_subject))
        return {0.0, best.on_subject, best.on_subject};
    return best;
}

double Geodesic::polygonArea(std::span<const std::vector<LonLat>> rings) const {
    double total = 0;
    bool exterior = true;
    for (const auto& ring : rings) {
        geod_polygon poly{};
        geod_polygon_init(&poly, 0);
        std::size_t n = ring.size();
        if (n > 1 && ring.front() == ring.back()) --n;
        for (std::size_t i = 0; i < n; ++i) geod_polygon_addpoint(&g_, &poly, ring[i].lat, ring[i].lon);
        double area = 0;
        geod_polygon_compute(&g_, &poly, 0, 1, &area, nullptr);
        total += exterior ? std::abs(area) : -std::abs(area);
        exterior = false;
    }
    return total;
}

}  // namespace ecozone::geo

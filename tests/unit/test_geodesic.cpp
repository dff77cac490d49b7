// SPDX-License-Identifier: MIT
// Geodesic distances against an independent construction: a point put at a known geodesic distance D from a
// segment (perpendicular to it, with PROJ's direct solver), and a brute-force minimum over a densified segment.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "geo/geodesic.hpp"

using ecozone::geo::Geodesic;
using ecozone::geo::LonLat;
using ecozone::geo::Segment;

namespace {

struct Solver {
    geod_geodesic g{};
    Solver() { geod_init(&g, 6378137.0, 1 / 298.257223563); }
    LonLat direct(LonLat from, double azimuth, double distance) const {
        LonLat out;
        geod_direct(&g, from.lat, from.lon, azimuth, distance, &out.lat, &out.lon, nullptr);
        return out;
    }
    // A point at exactly `d` metres from the segment a-b, off its interior at fraction t.
    LonLat offset(LonLat a, LonLat b, double t, double d, bool left) const {
        geod_geodesicline line{};
        geod_inverseline(&line, &g, a.lat, a.lon, b.lat, b.lon, 0);
        LonLat foot;
        double azi = 0;
        geod_position(&line, t * line.s13, &foot.lat, &foot.lon, &azi);
        return direct(foot, azi + (left ? -90 : 90), d);
    }
};

// The tolerance the project promises: 0.1 m + 0.01 %.
double tolerance(double d) {
    return 0.1 + 1e-4 * d;
}

}  // namespace

TEST(Geodesic, PointDistanceMatchesKnownValue) {
    // One degree of longitude on the equator is a/180·π exactly.
    Geodesic g;
    EXPECT_NEAR(g.distance({0, 0}, {1, 0}), 111319.4907932736, 1e-6);
}

TEST(Geodesic, PerpendicularOffsetsAcrossChongqing) {
    Geodesic g;
    Solver s;
    std::mt19937 rng(20261123);
    std::uniform_real_distribution<double> lon(105.0, 111.0), lat(28.0, 32.5), azi(0, 360), len(200, 20000),
        frac(0.1, 0.9), dist(0.5, 20000);
    for (int i = 0; i < 2000; ++i) {
        const LonLat a{lon(rng), lat(rng)};
        const LonLat b = s.direct(a, azi(rng), len(rng));
        const double d = dist(rng);
        const LonLat p = s.offset(a, b, frac(rng), d, i % 2 == 0);
        const double measured = g.pointToSegment(p, Segment{a, b}).distance_m;
        ASSERT_NEAR(measured, d, tolerance(d)) << "case " << i;
        // In practice far better than the promise:
        ASSERT_NEAR(measured, d, 1e-3) << "case " << i;
    }
}

TEST(Geodesic, ThresholdDecisionsHalfAMetreEitherSide) {
    Geodesic g;
    Solver s;
    for (double threshold : {1000.0, 3000.0, 10000.0}) {
        for (double lon0 = 105.0; lon0 <= 111.0; lon0 += 1.5) {
            for (double lat0 : {28.2, 30.0, 32.3}) {
                const LonLat a{lon0, lat0};
                const LonLat b = s.direct(a, 63.0, 5000);
                const LonLat inside = s.offset(a, b, 0.4, threshold - 0.5, true);
                const LonLat outside = s.offset(a, b, 0.4, threshold + 0.5, false);
                EXPECT_LE(g.pointToSegment(inside, {a, b}).distance_m, threshold);
                EXPECT_GT(g.pointToSegment(outside, {a, b}).distance_m, threshold);
            }
        }
    }
}

TEST(Geodesic, AgreesWithBruteForceOverADensifiedSegment) {
    Geodesic g;
    Solver s;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> lon(105.0, 111.0), lat(28.0, 32.5), off(-0.2, 0.2);
    for (int i = 0; i < 50; ++i) {
        const LonLat a{lon(rng), lat(rng)};
        const LonLat b{a.lon + off(rng), a.lat + off(rng)};
        const LonLat p{a.lon + off(rng), a.lat + off(rng)};
        double best = 1e300;
        for (int k = 0; k <= 20000; ++k) best = std::min(best, g.distance(p, g.interpolate(a, b, k / 20000.0)));
        const double measured = g.pointToSegment(p, {a, b}).distance_m;
        EXPECT_LE(measured, best + 1e-6);
        EXPECT_NEAR(measured, best, tolerance(best)) << "case " << i;
    }
}

TEST(Geodesic, EndpointsAndDegenerateSegments) {
    Geodesic g;
    const LonLat a{106.5, 29.5}, b{106.6, 29.5};
    // Beyond the end, the nearest point is the end.
    const LonLat p{106.7, 29.5};
    EXPECT_NEAR(g.pointToSegment(p, {a, b}).distance_m, g.distance(p, b), 1e-9);
    // A point segment is a point.
    EXPECT_NEAR(g.pointToSegment(p, {a, a}).distance_m, g.distance(p, a), 1e-9);
    // On the segment: 0.
    EXPECT_NEAR(g.pointToSegment(g.interpolate(a, b, 0.5), {a, b}).distance_m, 0.0, 1e-6);
}

TEST(Geodesic, SegmentToSegmentIsTheNearestEnd) {
    Geodesic g;
    Solver s;
    const LonLat a{107.0, 30.0};
    const LonLat b = s.direct(a, 90, 3000);
    // A short segment parallel to a-b, 800 m north of it, within its span.
    const LonLat c = s.offset(a, b, 0.3, 800, true);
    const LonLat d = s.offset(a, b, 0.6, 800, true);
    EXPECT_NEAR(g.segmentToSegment({c, d}, {a, b}).distance_m, 800.0, 0.01);
}

TEST(Geodesic, AreaOfAKilometreSquare) {
    Geodesic g;
    Solver s;
    const LonLat a{108.0, 31.0};
    const LonLat b = s.direct(a, 90, 1000);
    const LonLat c = s.direct(b, 0, 1000);
    const LonLat d = s.direct(a, 0, 1000);
    std::vector<std::vector<LonLat>> rings{{a, b, c, d, a}};
    EXPECT_NEAR(g.polygonArea(rings), 1e6, 1e6 * 1e-4);
    // A hole of a quarter of it.
    const LonLat e = s.direct(s.direct(a, 90, 250), 0, 250);
    const LonLat f = s.direct(e, 90, 500);
    const LonLat h = s.direct(f, 0, 500);
    const LonLat i = s.direct(e, 0, 500);
    rings.push_back({e, i, h, f, e});
    EXPECT_NEAR(g.polygonArea(rings), 0.75e6, 1e6 * 1e-4);
}

TEST(Geodesic, SegmentsCrossingAsGeodesicsAreZeroApart) {
    // A 40 km river along a geodesic that starts due east at 30°N bows about 18 m north of the straight
    // lon/lat line between its ends. A short north-south line starting 5 m north of that straight line, at the
    // middle, crosses the geodesic: the two are 0 m apart, whatever a planar test in lon/lat says.
    Geodesic g;
    Solver s;
    const LonLat a{107.0, 30.0};
    const LonLat b{a.lon + 0.4147, 30.0};  // about 40 km east, on the same parallel
    const LonLat mid{(a.lon + b.lon) / 2, 30.0 + 5.0 / 110850.0};
    const LonLat north = s.direct(mid, 0, 1000);
    EXPECT_EQ(g.segmentToSegment({mid, north}, {a, b}).distance_m, 0.0);
    // Moved 30 m further north it no longer crosses, and the distance is to its southern end.
    const LonLat mid30 = s.direct(mid, 0, 30);
    const double d = g.segmentToSegment({mid30, s.direct(mid30, 0, 1000)}, {a, b}).distance_m;
    EXPECT_NEAR(d, g.pointToSegment(mid30, {a, b}).distance_m, 1e-6);
    EXPECT_GT(d, 10.0);
}

TEST(Geodesic, CrossingSegmentsWithFarEndsAreZeroApart) {
    // An X of a 2.4 km line and a 29 km river: every end is over a kilometre from the other segment, yet they
    // cross. A pair that comes no closer than that at its ends cannot cross: the same line moved 2 km north.
    Geodesic g;
    const Segment river{{108.0, 31.0}, {108.3, 31.0}};
    EXPECT_EQ(g.segmentToSegment({{108.2, 30.99}, {108.21, 31.01}}, river).distance_m, 0.0);
    EXPECT_EQ(g.segmentToSegment(river, {{108.2, 30.99}, {108.21, 31.01}}).distance_m, 0.0);
    EXPECT_NEAR(g.segmentToSegment({{108.2, 31.02}, {108.21, 31.04}}, river).distance_m,
                g.pointToSegment({108.2, 31.02}, river).distance_m, 1e-6);
}

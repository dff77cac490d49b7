// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <memory>
#include <thread>

#include "geo/spatial_index.hpp"

using namespace ecozone::geo;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Geom {
    GeomPtr g;
    std::vector<std::vector<LonLat>> parts;
    Box env;
    explicit Geom(const std::string& wkt) {
        g = fromWkt(lifetimeContext(), wkt);
        parts = partsOf(lifetimeContext(), g.get());
        env = envelopeOf(lifetimeContext(), g.get());
    }
    IndexedObject object(double halfWidth = 0) const { return {g.get(), env, &parts, halfWidth}; }
    Subject subject() const { return {g.get(), env, &parts}; }
};

LonLat direct(LonLat from, double azimuth, double distance) {
    geod_geodesic g{};
    geod_init(&g, 6378137.0, 1 / 298.257223563);
    LonLat out;
    geod_direct(&g, from.lat, from.lon, azimuth, distance, &out.lat, &out.lon, nullptr);
    return out;
}

// The distance from p to the geodesic a-b by brute force over 4,000 steps: the reference for edges, which are
// geodesics (they bow poleward of the parallel between two vertices on one latitude).
double toEdge(LonLat p, LonLat a, LonLat b) {
    Geodesic g;
    double best = std::numeric_limits<double>::infinity();
    for (int k = 0; k <= 4000; ++k) best = std::min(best, g.distance(p, g.interpolate(a, b, k / 4000.0)));
    return best;
}

std::string point(LonLat p) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "POINT (%.12f %.12f)", p.lon, p.lat);
    return buf;
}

// Uniform numbers in [0, 1) from a 64-bit linear congruential generator: the same probes on every run.
class Uniform {
  public:
    explicit Uniform(std::uint64_t seed) : state_(seed) {}
    double operator()() {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state_ >> 11) / 9007199254740992.0;
    }

  private:
    std::uint64_t state_;
};

}  // namespace

TEST(ShorelineIndex, CenterlineWidthIsSubtracted) {
    // A river running due east along a meridian-perpendicular geodesic; a point due north of it.
    const LonLat a{107.0, 30.0};
    const LonLat b = direct(a, 90, 20000);
    geod_geodesic g{};
    geod_init(&g, 6378137.0, 1 / 298.257223563);
    geod_geodesicline line{};
    geod_inverseline(&line, &g, a.lat, a.lon, b.lat, b.lon, 0);
    LonLat foot;
    double azi = 0;
    geod_position(&line, 10000, &foot.lat, &foot.lon, &azi);
    char wkt[160];
    std::snprintf(wkt, sizeof wkt, "LINESTRING (%.12f %.12f, %.12f %.12f)", a.lon, a.lat, b.lon, b.lat);
    Geom river(wkt);
    ShorelineIndex index({river.object(400)});  // 800 m wide
    QueryScratch scratch(1);
    Geodesic geodesic;
    // Centerline 1,400 m away: shoreline 1,000 m. Exactly at the threshold counts as within.
    Geom at(point(direct(foot, azi - 90, 1400)));
    auto hit = index.nearest(at.subject(), 1000, scratch, geodesic);
    ASSERT_TRUE(hit);
    EXPECT_NEAR(hit->nearest.distance_m, 1000.0, 1e-3);
    Geom beyond(point(direct(foot, azi - 90, 1400.5)));
    EXPECT_FALSE(index.nearest(beyond.subject(), 1000, scratch, geodesic));
    Geom within(point(direct(foot, azi + 90, 1399.5)));
    EXPECT_TRUE(index.nearest(within.subject(), 1000, scratch, geodesic));
    // Inside the river's width: 0, not negative.
    Geom onWater(point(direct(foot, azi - 90, 150)));
    hit = index.nearest(onWater.subject(), 1000, scratch, geodesic);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->nearest.distance_m, 0.0);
}

TEST(ShorelineIndex, PolygonBankInsideIsZeroAndHolesCount) {
    // A bank polygon with an island (hole).
    Geom bank(
        "POLYGON ((107 30, 107.2 30, 107.2 30.02, 107 30.02, 107 30), "
        "(107.08 30.005, 107.12 30.005, 107.12 30.015, 107.08 30.015, 107.08 30.005))");
    ShorelineIndex index({bank.object()});
    QueryScratch scratch(1);
    Geodesic geodesic;
    Geom water("POINT (107.05 30.01)");
    ASSERT_TRUE(index.nearest(water.subject(), 0, scratch, geodesic));
    EXPECT_EQ(index.nearest(water.subject(), 0, scratch, geodesic)->nearest.distance_m, 0.0);
    Geom onEdge("POINT (107.1 30.02)");
    EXPECT_EQ(index.nearest(onEdge.subject(), 0, scratch, geodesic)->nearest.distance_m, 0.0);
    // On the island: the distance to the island's shore.
    Geom island("POINT (107.1 30.01)");
    // Edges are geodesics, which bow poleward between two vertices on one parallel: the island's southern shore
    // is nearer than the parallel 30.005°N.
    const double d = index.nearest(island.subject(), 1000, scratch, geodesic)->nearest.distance_m;
    EXPECT_NEAR(d, toEdge({107.1, 30.01}, {107.08, 30.005}, {107.12, 30.005}), 0.01);
    EXPECT_LT(d, geodesic.distance({107.1, 30.01}, {107.1, 30.005}));
    // North of the bank.
    Geom north("POINT (107.1 30.03)");
    EXPECT_NEAR(index.nearest(north.subject(), kInf, scratch, geodesic)->nearest.distance_m,
                toEdge({107.1, 30.03}, {107.0, 30.02}, {107.2, 30.02}), 0.01);
}

TEST(ShorelineIndex, FootprintsAndLinesMeasureFromTheirNearestPart) {
    Geom river("LINESTRING (108 31, 108.3 31)");
    ShorelineIndex index({river.object()});
    QueryScratch scratch(1);
    Geodesic geodesic;
    // A footprint whose southern edge is 0.01° north of the river: its centroid is further.
    Geom footprint("POLYGON ((108.1 31.01, 108.12 31.01, 108.12 31.03, 108.1 31.03, 108.1 31.01))");
    const auto hit = index.nearest(footprint.subject(), kInf, scratch, geodesic);
    ASSERT_TRUE(hit);
    EXPECT_NEAR(hit->nearest.distance_m, toEdge({108.12, 31.01}, {108.0, 31.0}, {108.3, 31.0}), 0.01);
    // A line crossing the river is 0 from it.
    Geom crossing("LINESTRING (108.2 30.99, 108.21 31.01)");
    EXPECT_EQ(index.nearest(crossing.subject(), 10, scratch, geodesic)->nearest.distance_m, 0.0);
    // A footprint straddling the river is 0 from it.
    Geom straddle("POLYGON ((108.2 30.99, 108.21 30.99, 108.21 31.01, 108.2 31.01, 108.2 30.99))");
    EXPECT_EQ(index.nearest(straddle.subject(), 10, scratch, geodesic)->nearest.distance_m, 0.0);
}

TEST(ShorelineIndex, NearestOfSeveralObjectsAndUnboundedSearch) {
    Geom a("LINESTRING (106 29, 106.1 29)");
    Geom b("MULTILINESTRING ((106 29.5, 106.1 29.5), (106 30.5, 106.1 30.5))");
    ShorelineIndex index({a.object(), b.object()});
    QueryScratch scratch(2);
    Geodesic geodesic;
    Geom p("POINT (106.05 29.4)");
    auto hit = index.nearest(p.subject(), kInf, scratch, geodesic);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->object, 1u);
    EXPECT_NEAR(hit->nearest.distance_m, toEdge({106.05, 29.4}, {106.0, 29.5}, {106.1, 29.5}), 0.01);
    // Far away (hundreds of km): still found, still exact.
    Geom far("POINT (110 33)");
    hit = index.nearest(far.subject(), kInf, scratch, geodesic);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->object, 1u);
    const double best = toEdge({110, 33}, {106.0, 30.5}, {106.1, 30.5});
    EXPECT_NEAR(hit->nearest.distance_m, best, 0.1 + 1e-4 * best);
    // Bounded: nothing within 1 km.
    EXPECT_FALSE(index.nearest(far.subject(), 1000, scratch, geodesic));
}

TEST(AreaIndex, BoundaryCountsAsInsideAndHolesDoNot) {
    Geom core(
        "POLYGON ((108 31, 108.1 31, 108.1 31.1, 108 31.1, 108 31), "
        "(108.04 31.04, 108.06 31.04, 108.06 31.06, 108.04 31.06, 108.04 31.04))");
    Geom other(
        "MULTIPOLYGON (((109 31, 109.1 31, 109.1 31.1, 109 31)), ((108.1 31, 108.2 31, 108.2 31.1, 108.1 31.1, "
        "108.1 31)))");
    AreaIndex index({core.object(), other.object()});
    QueryScratch scratch(2);
    Geom inside("POINT (108.02 31.02)"), hole("POINT (108.05 31.05)"), edge("POINT (108.1 31.05)"),
        vertex("POINT (108 31)"), outside("POINT (107.9 31.05)");
    EXPECT_EQ(index.intersecting(inside.subject(), scratch), (std::vector<std::size_t>{0}));
    EXPECT_TRUE(index.intersecting(hole.subject(), scratch).empty());
    // On the shared edge of two polygons: inside both.
    EXPECT_EQ(index.intersecting(edge.subject(), scratch), (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(index.intersecting(vertex.subject(), scratch), (std::vector<std::size_t>{0}));
    EXPECT_TRUE(index.intersecting(outside.subject(), scratch).empty());
}

TEST(AreaIndex, OverlapAreaOfAStraddlingFootprint) {
    Geom zone("POLYGON ((108 31, 108.1 31, 108.1 31.1, 108 31.1, 108 31))");
    Geom footprint("POLYGON ((108.09 31.05, 108.11 31.05, 108.11 31.06, 108.09 31.06, 108.09 31.05))");
    Geodesic geodesic;
    const double all = area(lifetimeContext(), footprint.g.get(), geodesic);
    const double part = overlapArea(lifetimeContext(), footprint.g.get(), zone.g.get(), geodesic);
    EXPECT_NEAR(part / all, 0.5, 1e-3);
    // 0.02° x 0.01° at 31°N: about 1,907 m x 1,109 m.
    EXPECT_NEAR(all, 2.115e6, 0.01e6);
}

TEST(ShorelineIndex, TiesInsideTheWidthGoToTheLowerObject) {
    // Two 200 m wide centerlines, 99 m and 10 m from the point: both put it on the water (0 m). The lower index
    // wins.
    const LonLat p{107.5, 30.5};
    char a[128], b[128];
    const LonLat a0 = direct(p, 0, 99), b0 = direct(p, 180, 10);
    std::snprintf(a, sizeof a, "LINESTRING (%.12f %.12f, %.12f %.12f)", a0.lon - 0.01, a0.lat, a0.lon + 0.01,
                  a0.lat);
    std::snprintf(b, sizeof b, "LINESTRING (%.12f %.12f, %.12f %.12f)", b0.lon - 0.01, b0.lat, b0.lon + 0.01,
                  b0.lat);
    Geom ra(a), rb(b);
    ShorelineIndex index({ra.object(100), rb.object(100)});
    QueryScratch scratch(2);
    Geodesic geodesic;
    Geom subject(point(p));
    const auto hit = index.nearest(subject.subject(), 1000, scratch, geodesic);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->nearest.distance_m, 0.0);
    EXPECT_EQ(hit->object, 0u);
}

TEST(ShorelineIndex, FootprintHoldingAPieceOfRiverIsZeroFromIt) {
    // The river's piece lies wholly inside the footprint, crossing none of its edges: the footprint's boundary is
    // hundreds of metres from the river, but the footprint covers it.
    Geom river("LINESTRING (108.102 31.015, 108.108 31.016)");
    Geom footprint("POLYGON ((108.1 31.01, 108.11 31.01, 108.11 31.02, 108.1 31.02, 108.1 31.01))");
    ShorelineIndex index({river.object()});
    QueryScratch scratch(1);
    Geodesic geodesic;
    const auto hit = index.nearest(footprint.subject(), 0, scratch, geodesic);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->nearest.distance_m, 0.0);
}

// The index against brute force over every segment of every object, on a tangle of meandering rivers of several
// widths and a bank polygon: the same nearest object and the same distance, bounded and unbounded. The tangle
// lies in a 0.6° square whose south-west corner is `origin`.
static void agreesWithBruteForceOnManyRivers(const LonLat origin) {
    auto at = [&](double dlon, double dlat) { return LonLat{origin.lon + dlon, origin.lat + dlat}; };
    Uniform unit(12345);
    auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * unit(); };
    std::vector<std::unique_ptr<Geom>> geoms;
    std::vector<double> halfWidths;
    for (int r = 0; r < 40; ++r) {
        LonLat p = at(uniform(0, 0.6), uniform(0, 0.6));
        double heading = uniform(0, 360);
        std::string wkt = "LINESTRING (";
        const int n = 5 + static_cast<int>(uniform(0, 60));
        for (int k = 0; k < n; ++k) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s%.9f %.9f", k ? ", " : "", p.lon, p.lat);
            wkt += buf;
            heading += uniform(-40, 40);
            p = direct(p, heading, uniform(50, 3000));
        }
        geoms.push_back(std::make_unique<Geom>(wkt + ")"));
        halfWidths.push_back(r % 3 == 0 ? 0.0 : uniform(5, 600));
    }
    {
        const LonLat a = at(0.3, 0.3), b = at(0.35, 0.3), c = at(0.35, 0.34);
        char wkt[256];
        std::snprintf(wkt, sizeof wkt, "POLYGON ((%.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f))", a.lon, a.lat, b.lon,
                      b.lat, c.lon, c.lat, a.lon, a.lat);
        geoms.push_back(std::make_unique<Geom>(wkt));
    }
    halfWidths.push_back(0);
    std::vector<IndexedObject> objects;
    for (std::size_t o = 0; o < geoms.size(); ++o) objects.push_back(geoms[o]->object(halfWidths[o]));
    ShorelineIndex index(objects);
    QueryScratch scratch(objects.size());
    Geodesic geodesic;

    auto brute = [&](const LonLat& p) {
        std::pair<double, std::size_t> best{kInf, 0};
        for (std::size_t o = 0; o < geoms.size(); ++o)
            for (const auto& part : geoms[o]->parts)
                for (std::size_t i = 1; i < part.size(); ++i) {
                    const double d =
                        std::max(0.0, geodesic.pointToSegment(p, {part[i - 1], part[i]}).distance_m - halfWidths[o]);
                    if (d < best.first) best = {d, o};
                }
        return best;
    };
    for (int k = 0; k < 400; ++k) {
        const LonLat p = at(uniform(-0.1, 0.8), uniform(-0.1, 0.8));
        if (geodesic.distance(p, at(0.33, 0.32)) < 2500) continue;  // keep clear of the polygon's inside
        const auto [want, wantObject] = brute(p);
        Geom subject(point(p));
        const auto unbounded = index.nearest(subject.subject(), kInf, scratch, geodesic);
        ASSERT_TRUE(unbounded);
        EXPECT_NEAR(unbounded->nearest.distance_m, want, 1e-6) << k;
        if (want > 0) {
            EXPECT_EQ(unbounded->object, wantObject) << k;
        }
        for (const double limit : {200.0, 1000.0, 5000.0}) {
            const auto bounded = index.nearest(subject.subject(), limit, scratch, geodesic);
            EXPECT_EQ(bounded.has_value(), want <= limit) << k << " at " << limit;
            if (bounded) {
                EXPECT_NEAR(bounded->nearest.distance_m, want, 1e-6) << k;
            }
        }
    }
    // Far from every river, in every direction (the search walks the boxes nearest first, in degrees, and stops on
    // a bound in metres that depends on the direction and the latitude): 20 km to 1,500 km away.
    for (int k = 0; k < 150; ++k) {
        const LonLat p = direct(at(0.3, 0.3), uniform(0, 360), uniform(20e3, 1500e3));
        const auto [want, wantObject] = brute(p);
        Geom subject(point(p));
        const auto unbounded = index.nearest(subject.subject(), kInf, scratch, geodesic);
        ASSERT_TRUE(unbounded);
        EXPECT_NEAR(unbounded->nearest.distance_m, want, 1e-6) << "far " << k;
        EXPECT_EQ(unbounded->object, wantObject) << "far " << k;
        const auto justWithin = index.nearest(subject.subject(), want + 1, scratch, geodesic);
        ASSERT_TRUE(justWithin) << "far " << k;
        EXPECT_NEAR(justWithin->nearest.distance_m, want, 1e-6) << "far " << k;
        EXPECT_FALSE(index.nearest(subject.subject(), want - 1, scratch, geodesic)) << "far " << k;
    }
    // Footprints (small triangles), near and far: the nearest pair of edges, by brute force.
    for (int k = 0; k < 40; ++k) {
        const LonLat a = k % 2 ? direct(at(0.3, 0.3), uniform(0, 360), uniform(40e3, 400e3))
                               : at(uniform(-0.1, 0.8), uniform(-0.1, 0.8));
        if (geodesic.distance(a, at(0.33, 0.32)) < 2500) continue;
        const double heading = uniform(0, 360);
        const LonLat b = direct(a, heading, 200), c = direct(a, heading + 60, 200);
        char wkt[256];
        std::snprintf(wkt, sizeof wkt, "POLYGON ((%.12f %.12f, %.12f %.12f, %.12f %.12f, %.12f %.12f))", a.lon, a.lat,
                      b.lon, b.lat, c.lon, c.lat, a.lon, a.lat);
        Geom footprint(wkt);
        std::pair<double, std::size_t> want{kInf, 0};
        for (std::size_t o = 0; o < geoms.size(); ++o)
            for (const auto& part : geoms[o]->parts)
                for (std::size_t i = 1; i < part.size(); ++i)
                    for (const Segment& edge : {Segment{a, b}, Segment{b, c}, Segment{c, a}}) {
                        const double d = std::max(
                            0.0, geodesic.segmentToSegment(edge, {part[i - 1], part[i]}).distance_m - halfWidths[o]);
                        if (d < want.first) want = {d, o};
                    }
        const auto hit = index.nearest(footprint.subject(), kInf, scratch, geodesic);
        ASSERT_TRUE(hit);
        EXPECT_NEAR(hit->nearest.distance_m, want.first, 1e-6) << "footprint " << k;
        if (want.first > 0) {
            EXPECT_EQ(hit->object, want.second) << "footprint " << k;
        }
        EXPECT_EQ(index.nearest(footprint.subject(), 2000, scratch, geodesic).has_value(), want.first <= 2000)
            << "footprint " << k;
    }
}

TEST(ShorelineIndex, AgreesWithBruteForceOnManyRivers) { agreesWithBruteForceOnManyRivers({106.0, 29.0}); }

// Near the latitude where the local frame stops using its second-order bound (61°), where that bound is widest.
TEST(ShorelineIndex, AgreesWithBruteForceFarNorth) { agreesWithBruteForceOnManyRivers({24.0, 58.0}); }

TEST(AreaIndex, PointsAnswerAsGeosPreparedPolygonsDo) {
    // The engine's own point-in-area test against GEOS's prepared intersects, on ragged polygons with holes and
    // a multipolygon, for random points and for points placed on vertices, on edges (horizontal and slanted) and
    // just beside them.
    GEOSContextHandle_t ctx = lifetimeContext();
    Uniform uniform(20240605);
    auto ring = [&](double cx, double cy, double r, int n, bool clockwise) {
        std::string wkt = "(";
        std::vector<LonLat> pts;
        for (int k = 0; k < n; ++k) {
            const double t = 2 * M_PI * (clockwise ? n - k : k) / n;
            const double rr = r * (0.7 + 0.3 * uniform());
            // Snap some vertices to a coarse grid so that horizontal edges and shared latitudes occur.
            double x = cx + rr * std::cos(t), y = cy + rr * std::sin(t);
            if (k % 5 == 0) x = std::round(x * 100) / 100, y = std::round(y * 100) / 100;
            if (k % 7 == 1) y = pts.empty() ? y : pts.back().lat;
            pts.push_back({x, y});
        }
        pts.push_back(pts.front());
        for (std::size_t k = 0; k < pts.size(); ++k) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s%.10f %.10f", k ? ", " : "", pts[k].lon, pts[k].lat);
            wkt += buf;
        }
        return wkt + ")";
    };
    std::vector<std::unique_ptr<Geom>> zones;
    zones.push_back(std::make_unique<Geom>("POLYGON (" + ring(107, 30, 0.5, 300, false) + ", " +
                                           ring(107, 30, 0.15, 80, true) + ")"));
    zones.push_back(std::make_unique<Geom>("MULTIPOLYGON ((" + ring(108.5, 30.2, 0.3, 200, false) + "), (" +
                                           ring(109.3, 30.2, 0.3, 150, false) + "))"));
    zones.push_back(std::make_unique<Geom>("POLYGON ((106 29, 106.5 29, 106.5 29.5, 106 29.5, 106 29))"));
    for (auto& z : zones) {
        auto repaired = GEOSMakeValid_r(ctx, z->g.get());
        ASSERT_NE(repaired, nullptr);
        z->g = adopt(repaired);
        z->parts = partsOf(ctx, z->g.get());
        z->env = envelopeOf(ctx, z->g.get());
    }
    std::vector<IndexedObject> objects;
    for (const auto& z : zones) objects.push_back(z->object());
    AreaIndex index(objects);
    QueryScratch scratch(objects.size());
    std::vector<LonLat> probes;
    for (int k = 0; k < 4000; ++k) probes.push_back({105.8 + 3.9 * uniform(), 29.0 + 1.8 * uniform()});
    for (const auto& z : zones)
        for (const auto& part : z->parts)
            for (std::size_t i = 0; i + 1 < part.size(); i += 3) {
                const LonLat a = part[i], b = part[i + 1];
                const double t = uniform();
                probes.push_back(a);
                probes.push_back({a.lon + t * (b.lon - a.lon), a.lat + t * (b.lat - a.lat)});
                probes.push_back({(a.lon + b.lon) / 2, (a.lat + b.lat) / 2});
                probes.push_back({std::nextafter(a.lon, 200.0), a.lat});
                probes.push_back({a.lon, std::nextafter(a.lat, -100.0)});
            }
    probes.push_back({106.25, 29});   // on a horizontal edge of the square
    probes.push_back({106, 29.25});   // on a vertical edge
    probes.push_back({106.5, 29.5});  // a corner
    std::vector<PreparedPtr> prepared;
    for (const auto& z : zones) prepared.emplace_back(GEOSPrepare_r(ctx, z->g.get()), PreparedDeleter{ctx});
    std::size_t inside = 0, boundary = 0;
    for (const LonLat& p : probes) {
        const Geom subject(point(p));
        // point() prints 12 decimals: probe the point as GEOS holds it.
        const LonLat q = subject.parts[0][0];
        std::vector<std::size_t> expected;
        for (std::size_t o = 0; o < zones.size(); ++o) {
            GEOSGeometry* pt = GEOSGeom_createPointFromXY_r(ctx, q.lon, q.lat);
            if (GEOSPreparedIntersects_r(ctx, prepared[o].get(), pt) == 1) expected.push_back(o);
            if (GEOSIntersects_r(ctx, zones[o]->g.get(), pt) == 1 && GEOSContains_r(ctx, zones[o]->g.get(), pt) != 1)
                ++boundary;
            GEOSGeom_destroy_r(ctx, pt);
        }
        inside += !expected.empty();
        ASSERT_EQ(index.intersecting(subject.subject(), scratch), expected) << q.lon << " " << q.lat;
        ASSERT_EQ(index.intersectsAny(subject.subject(), scratch), !expected.empty()) << q.lon << " " << q.lat;
    }
    // The probes cover all three cases.
    EXPECT_GT(inside, 1000u);
    EXPECT_GT(boundary, 100u);
    EXPECT_GT(probes.size() - inside, 1000u);
}

TEST(AreaIndex, GridCellsAnswerAsGeosDoes) {
    // Points are answered by the cell of a grid they fall in: zones that hold the whole cell without a test, the
    // rest tested. Against GEOS's prepared intersects, on what stresses that: a zone with a hundred small holes
    // (cells inside the zone, inside a hole, and cut by a hole's edge), zones nested in one another and sharing
    // edges, a zone of one tiny square (fewer edges than cells), a line (no polygon: always tested), points on
    // the grid's extent and just beyond it, and points within a few units in the last place of every edge.
    GEOSContextHandle_t ctx = lifetimeContext();
    Uniform uniform(7);
    auto square = [](double x0, double y0, double x1, double y1, bool clockwise = false) {
        char buf[256];
        if (clockwise)
            std::snprintf(buf, sizeof buf, "(%.12g %.12g, %.12g %.12g, %.12g %.12g, %.12g %.12g, %.12g %.12g)", x0,
                          y0, x0, y1, x1, y1, x1, y0, x0, y0);
        else
            std::snprintf(buf, sizeof buf, "(%.12g %.12g, %.12g %.12g, %.12g %.12g, %.12g %.12g, %.12g %.12g)", x0,
                          y0, x1, y0, x1, y1, x0, y1, x0, y0);
        return std::string(buf);
    };
    std::string holed = "POLYGON (" + square(106, 29, 107, 30);
    for (int i = 0; i < 10; ++i)
        for (int j = 0; j < 10; ++j) {
            const double x = 106.05 + 0.1 * i + 0.01 * uniform(), y = 29.05 + 0.1 * j + 0.01 * uniform();
            holed += ", " + square(x, y, x + 0.013 + 0.02 * uniform(), y + 0.011 + 0.02 * uniform(), true);
        }
    holed += ")";
    std::vector<std::unique_ptr<Geom>> zones;
    zones.push_back(std::make_unique<Geom>(holed));
    zones.push_back(
        std::make_unique<Geom>("POLYGON (" + square(106.2, 29.2, 106.8, 29.8) + ")"));  // inside the first
    zones.push_back(
        std::make_unique<Geom>("POLYGON (" + square(106.4, 29.2, 106.6, 29.5) + ")"));  // shares an edge
    zones.push_back(
        std::make_unique<Geom>("POLYGON (" + square(107, 29.5, 107.4, 29.9) + ")"));  // touches the first
    zones.push_back(std::make_unique<Geom>("POLYGON (" + square(106.5, 29.5, 106.5001, 29.5001) + ")"));
    zones.push_back(std::make_unique<Geom>("LINESTRING (106.1 29.1, 106.5 29.1, 106.9 29.1, 107.3 29.1)"));
    zones.push_back(std::make_unique<Geom>("MULTIPOLYGON ((" + square(107.05, 29.05, 107.35, 29.3) + ", " +
                                           square(107.1, 29.1, 107.2, 29.2, true) + "), (" +
                                           square(107.12, 29.12, 107.18, 29.18) + "))"));
    std::vector<IndexedObject> objects;
    for (const auto& z : zones) objects.push_back(z->object());
    AreaIndex index(objects);
    QueryScratch scratch(objects.size());

    std::vector<LonLat> probes;
    for (int k = 0; k < 30000; ++k) probes.push_back({105.99 + 1.42 * uniform(), 28.99 + 0.92 * uniform()});
    for (const auto& z : zones)
        for (const auto& part : z->parts)
            for (std::size_t i = 0; i + 1 < part.size(); ++i) {
                const LonLat a = part[i], b = part[i + 1];
                for (int k = 0; k < 8; ++k) {
                    const double t = uniform();
                    LonLat p{a.lon + t * (b.lon - a.lon), a.lat + t * (b.lat - a.lat)};
                    for (int ulp = 0; ulp < k % 4; ++ulp)
                        p = {std::nextafter(p.lon, k < 4 ? 200.0 : -200.0),
                             std::nextafter(p.lat, k % 2 ? 100.0 : -100.0)};
                    probes.push_back(p);
                }
                probes.push_back(a);
            }
    // The extent of all objects is 106-107.4, 29-30: on it and beyond it.
    for (double lat : {29.0, 29.5, 30.0})
        for (double lon : {106.0, 107.4, std::nextafter(106.0, 0.0), std::nextafter(107.4, 200.0)})
            probes.push_back({lon, lat}),
                probes.push_back(
                    {lat - 29 + 106, std::nextafter(lat == 30 ? 30.0 : 29.0, lat == 30 ? 100.0 : 0.0)});

    std::vector<PreparedPtr> prepared;
    for (const auto& z : zones) prepared.emplace_back(GEOSPrepare_r(ctx, z->g.get()), PreparedDeleter{ctx});
    std::size_t inHole = 0, nested = 0, onLine = 0;
    for (const LonLat& q : probes) {
        GEOSGeometry* pt = GEOSGeom_createPointFromXY_r(ctx, q.lon, q.lat);
        std::vector<std::size_t> expected;
        for (std::size_t o = 0; o < zones.size(); ++o)
            if (GEOSPreparedIntersects_r(ctx, prepared[o].get(), pt) == 1) expected.push_back(o);
        GeomPtr held = adopt(pt);
        const std::vector<std::vector<LonLat>> parts{{q}};
        const Subject subject{held.get(), {q.lon, q.lat, q.lon, q.lat}, &parts, GeometryFamily::Point};
        ASSERT_EQ(index.intersecting(subject, scratch), expected)
            << std::setprecision(17) << q.lon << " " << q.lat;
        ASSERT_EQ(index.intersectsAny(subject, scratch), !expected.empty())
            << std::setprecision(17) << q.lon << " " << q.lat;
        const bool inBox = q.lon > 106 && q.lon < 107 && q.lat > 29 && q.lat < 30;
        inHole += inBox && (expected.empty() || expected.front() != 0);
        nested += expected.size() >= 3;
        onLine += std::find(expected.begin(), expected.end(), 5) != expected.end();
    }
    // The probes reach every case.
    EXPECT_GT(inHole, 100u);
    EXPECT_GT(nested, 1000u);
    EXPECT_GT(onLine, 5u);
}

TEST(AreaIndex, SharedLocatorsAnswerAsOwnOnes) {
    // Two indexes over overlapping sets of zones, built side by side with one locator cache, answer as GEOS does;
    // the cache makes one locator per zone, whichever thread asks first.
    Geom a(
        "POLYGON ((108 31, 108.1 31, 108.1 31.1, 108 31.1, 108 31), (108.04 31.04, 108.06 31.04, 108.06 31.06, "
        "108.04 31.06, 108.04 31.04))");
    Geom b("POLYGON ((108.05 31.05, 108.2 31.05, 108.2 31.2, 108.05 31.2, 108.05 31.05))");
    Geom c(
        "MULTIPOLYGON (((108.3 31, 108.4 31, 108.4 31.1, 108.3 31)), ((108.1 31, 108.15 31, 108.15 31.04, "
        "108.1 31.04, 108.1 31)))");
    AreaLocators cache;
    std::unique_ptr<AreaIndex> first, second;
    std::thread other([&] { first = std::make_unique<AreaIndex>(std::vector{a.object(), b.object()}, &cache); });
    second = std::make_unique<AreaIndex>(std::vector{b.object(), c.object(), a.object()}, &cache);
    other.join();
    EXPECT_EQ(cache.get(a.parts), cache.get(a.parts));
    EXPECT_NE(cache.get(a.parts), cache.get(b.parts));
    GEOSContextHandle_t ctx = lifetimeContext();
    auto geos = [&](const std::vector<const Geom*>& zones, const Geom& p) {
        std::vector<std::size_t> out;
        for (std::size_t o = 0; o < zones.size(); ++o)
            if (GEOSIntersects_r(ctx, zones[o]->g.get(), p.g.get()) == 1) out.push_back(o);
        return out;
    };
    QueryScratch s1(2), s2(3);
    Uniform uniform(11);
    for (int k = 0; k < 20000; ++k) {
        const double u = uniform(), v = uniform();
        // On a 0.005° lattice a fifth of the time, so that edges and vertices are hit.
        LonLat q{107.95 + 0.5 * u, 30.95 + 0.3 * v};
        if (k % 5 == 0) q = {std::round(q.lon * 200) / 200, std::round(q.lat * 200) / 200};
        const Geom p(point(q));
        ASSERT_EQ(first->intersecting(p.subject(), s1), geos({&a, &b}, p)) << point(q);
        ASSERT_EQ(second->intersecting(p.subject(), s2), geos({&b, &c, &a}, p)) << point(q);
    }
}

TEST(AreaIndex, GridCoarsensOrStandsAsideWhereItWouldCostTooMuch) {
    // 4,500 nested squares, each covering almost the whole extent: even 1,024 cells would list every square in
    // every cell (4.6 M entries, over the grid's budget of 4.3 M), so the R-tree answers; 300 such squares, which
    // the grid takes; and a long thin strip, whose extent is 40° by 0.0001° (4,096 cells across, one high).
    // Squares are answered by hand (closed, axis-aligned: GEOS's answer), the strip by GEOS.
    auto squares = [](int n) {
        std::vector<std::unique_ptr<Geom>> out;
        for (int k = 0; k < n; ++k) {
            char wkt[256];
            const double d = k * 1e-6;
            std::snprintf(wkt, sizeof wkt, "POLYGON ((%.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f))",
                          106.5 - d, 29.5 - d, 107 + d, 29.5 - d, 107 + d, 30 + d, 106.5 - d, 30 + d, 106.5 - d,
                          29.5 - d);
            out.push_back(std::make_unique<Geom>(wkt));
        }
        return out;
    };
    Uniform uniform(3);
    for (int n : {4500, 300}) {
        const auto zones = squares(n);
        std::vector<IndexedObject> objects;
        for (const auto& z : zones) objects.push_back(z->object());
        AreaIndex index(objects);
        QueryScratch scratch(objects.size());
        for (int k = 0; k < 2000; ++k) {
            LonLat q{106.5 - 0.46 * uniform() + 0.96 * uniform(), 29.5 - 0.46 * uniform() + 0.96 * uniform()};
            if (k % 4 == 0) q.lon = 107 + std::round(uniform() * n) * 1e-6;  // on an edge, as WKT rounds it
            const Geom p(point(q));
            const LonLat at = p.parts[0][0];
            std::vector<std::size_t> expected;
            for (int o = 0; o < n; ++o) {
                const Box& e = zones[o]->env;
                if (at.lon >= e.min_lon && at.lon <= e.max_lon && at.lat >= e.min_lat && at.lat <= e.max_lat)
                    expected.push_back(o);
            }
            ASSERT_EQ(index.intersecting(p.subject(), scratch), expected) << n << " " << point(at);
        }
    }
    std::string strip = "POLYGON ((60 30";
    for (int k = 1; k <= 1000; ++k) strip += ", " + std::to_string(60 + 0.04 * k) + " 30";
    for (int k = 1000; k >= 0; --k)
        strip += ", " + std::to_string(60 + 0.04 * k) + (k % 2 ? " 30.0001" : " 30.00008");
    strip += ", 60 30))";
    const Geom zone(strip);
    AreaIndex index({zone.object()});
    QueryScratch scratch(1);
    GEOSContextHandle_t ctx = lifetimeContext();
    std::size_t inside = 0;
    for (int k = 0; k < 5000; ++k) {
        const Geom p(point({60 + 40 * uniform(), 29.99999 + 0.00012 * uniform()}));
        const bool expected = GEOSIntersects_r(ctx, zone.g.get(), p.g.get()) == 1;
        inside += expected;
        ASSERT_EQ(index.intersectsAny(p.subject(), scratch), expected) << point(p.parts[0][0]);
    }
    EXPECT_GT(inside, 1000u);
}

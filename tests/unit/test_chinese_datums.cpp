// SPDX-License-Identifier: MIT
// GCJ-02 / BD-09 against published forward pairs, and the iterative inverses by round trips over Chongqing and
// across China.
//
// Where the published vectors come from:
// - googollee/eviltransform, go/transform_test.go (the same three pairs are in its PHP, JavaScript and C# tests):
//   WGS84 -> GCJ-02 for Shanghai, Shenzhen and Beijing, given as (lat, lng).
// - wandergis/coordtransform, README.md ("result" block): wgs84togcj02, gcj02tobd09, and the one-step
//   approximations gcj02towgs84 and bd09togcj02, all for the input (116.404, 39.915) as (lng, lat).
// - athxx/coordtransform-rs (Rust port of qichengzx/coordtransform), tests: wgs84_to_bd09(116.404, 39.915).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "geo/chinese_datums.hpp"

using namespace ecozone::geo;

namespace {

double maxAbsDiff(LonLat a, LonLat b) {
    return std::max(std::abs(a.lon - b.lon), std::abs(a.lat - b.lat));
}

std::string scientific(double v) {
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%.3g", v);
    return buf.data();
}

struct PublishedPair {
    const char* where;
    LonLat wgs;
    LonLat gcj;
};

// googollee/eviltransform's pairs, reordered to (lon, lat).
const std::array<PublishedPair, 3> kEviltransformPairs = {{
    {"Shanghai", {121.5272106, 31.1774276}, {121.531541859215, 31.17530398364597}},
    {"Shenzhen", {113.912316, 22.543847}, {113.9171764808363, 22.540796131694766}},
    {"Beijing", {116.377817, 39.911954}, {116.38404722455657, 39.91334545536069}},
}};

// A few cities across the country, far from Chongqing and from each other (WGS84, approximate centres).
const std::array<LonLat, 10> kAcrossChina = {{
    {126.6424, 45.7567},  // Harbin
    {87.6168, 43.8256},   // Urumqi
    {91.1409, 29.6456},   // Lhasa
    {102.8329, 24.8801},  // Kunming
    {109.5119, 18.2528},  // Sanya
    {113.2644, 23.1291},  // Guangzhou
    {121.4737, 31.2304},  // Shanghai
    {116.4074, 39.9042},  // Beijing
    {103.8343, 36.0611},  // Lanzhou
    {104.0665, 30.5723},  // Chengdu
}};

}  // namespace

TEST(ChineseDatums, ForwardMatchesEviltransformPairs) {
    for (const auto& p : kEviltransformPairs) {
        const LonLat gcj = wgs84ToGcj02(p.wgs);
        EXPECT_NEAR(gcj.lon, p.gcj.lon, 1e-9) << p.where;
        EXPECT_NEAR(gcj.lat, p.gcj.lat, 1e-9) << p.where;
    }
}

TEST(ChineseDatums, InverseRecoversEviltransformPairs) {
    // eviltransform's own exact inverse promises 0.5 m here; the iteration recovers the WGS84 input to the
    // precision the published GCJ-02 values were printed with.
    for (const auto& p : kEviltransformPairs) {
        const LonLat wgs = gcj02ToWgs84(p.gcj);
        EXPECT_NEAR(wgs.lon, p.wgs.lon, 1e-11) << p.where;
        EXPECT_NEAR(wgs.lat, p.wgs.lat, 1e-11) << p.where;
    }
}

TEST(ChineseDatums, ForwardMatchesCoordtransformReadme) {
    const LonLat in{116.404, 39.915};
    const LonLat gcj = wgs84ToGcj02(in);
    EXPECT_NEAR(gcj.lon, 116.41024449916938, 1e-9);
    EXPECT_NEAR(gcj.lat, 39.91640428150164, 1e-9);
    const LonLat bd = gcj02ToBd09(in);
    EXPECT_NEAR(bd.lon, 116.41036949371029, 1e-9);
    EXPECT_NEAR(bd.lat, 39.92133699351021, 1e-9);
    const LonLat wgsToBd = wgs84ToBd09(in);
    EXPECT_NEAR(wgsToBd.lon, 116.41662724378733, 1e-9);
    EXPECT_NEAR(wgsToBd.lat, 39.922699552216216, 1e-9);
}

TEST(ChineseDatums, InversesImproveOnThePublishedOneStepApproximations) {
    // coordtransform's gcj02towgs84 and bd09togcj02 are one-step approximations: close to the exact inverse (a few
    // centimetres here, up to 3 m elsewhere), but their forward image misses the input. Ours does not.
    const Geodesic geod;
    const LonLat in{116.404, 39.915};

    const LonLat wgs = gcj02ToWgs84(in);
    const LonLat publishedWgs{116.39775550083061, 39.91359571849836};
    EXPECT_LT(geod.distance(wgs, publishedWgs), 0.5);
    EXPECT_LT(maxAbsDiff(wgs84ToGcj02(wgs), in), 1e-12);
    EXPECT_GT(maxAbsDiff(wgs84ToGcj02(publishedWgs), in), 1e-7);

    const LonLat gcj = bd09ToGcj02(in);
    const LonLat publishedGcj{116.39762729119315, 39.90865673957631};
    EXPECT_LT(geod.distance(gcj, publishedGcj), 0.5);
    EXPECT_LT(maxAbsDiff(gcj02ToBd09(gcj), in), 1e-12);
    EXPECT_GT(maxAbsDiff(gcj02ToBd09(publishedGcj), in), 1e-7);
}

TEST(ChineseDatums, RoundTripsCloseOverChongqing) {
    // A 0.05° grid over 105–111°E, 28–32.5°N (11,011 points), including the meridian 105°E where the GCJ-02
    // formula has a square-root cusp.
    double worstGcj = 0, worstBd = 0, worstResidualGcj = 0, worstResidualBd = 0;
    for (int i = 0; i <= 120; ++i) {
        for (int j = 0; j <= 90; ++j) {
            const LonLat w{105.0 + 0.05 * i, 28.0 + 0.05 * j};
            worstGcj = std::max(worstGcj, maxAbsDiff(gcj02ToWgs84(wgs84ToGcj02(w)), w));
            worstBd = std::max(worstBd, maxAbsDiff(bd09ToWgs84(wgs84ToBd09(w)), w));
            // Residual of each inverse: how far its forward image lands from where it started.
            worstResidualGcj = std::max(worstResidualGcj, maxAbsDiff(wgs84ToGcj02(gcj02ToWgs84(w)), w));
            worstResidualBd = std::max(worstResidualBd, maxAbsDiff(gcj02ToBd09(bd09ToGcj02(w)), w));
        }
    }
    EXPECT_LT(worstGcj, 1e-8);
    EXPECT_LT(worstBd, 1e-8);
    EXPECT_LT(worstResidualGcj, 1e-9);
    EXPECT_LT(worstResidualBd, 1e-9);
    RecordProperty("worst_round_trip_gcj02_deg", scientific(worstGcj));
    RecordProperty("worst_round_trip_bd09_deg", scientific(worstBd));
    RecordProperty("worst_residual_gcj02_deg", scientific(worstResidualGcj));
    RecordProperty("worst_residual_bd09_deg", scientific(worstResidualBd));
    // In practice (docs/datums.md): about 3e-12° for both round trips and under 1e-12° for both residuals.
    EXPECT_LT(worstGcj, 1e-11);
    EXPECT_LT(worstBd, 1e-11);
}

TEST(ChineseDatums, RoundTripsCloseNextToTheCusp) {
    // The sqrt(|lon - 105|) term makes the GCJ-02 offset non-differentiable at 105°E; the inverse must still land.
    for (const double d : {0.0, 1e-12, -1e-12, 1e-9, -1e-9, 1e-6, -1e-6, 1e-3, -1e-3}) {
        for (const double lat : {28.0, 29.5, 31.0, 32.5}) {
            const LonLat w{105.0 + d, lat};
            EXPECT_LT(maxAbsDiff(gcj02ToWgs84(wgs84ToGcj02(w)), w), 1e-9) << d << " " << lat;
            const LonLat g{105.0 + d, lat};
            EXPECT_LT(maxAbsDiff(wgs84ToGcj02(gcj02ToWgs84(g)), g), 1e-9) << d << " " << lat;
        }
    }
}

TEST(ChineseDatums, RoundTripsCloseAcrossChina) {
    for (const LonLat w : kAcrossChina) {
        EXPECT_LT(maxAbsDiff(gcj02ToWgs84(wgs84ToGcj02(w)), w), 1e-11) << w.lon << " " << w.lat;
        EXPECT_LT(maxAbsDiff(bd09ToWgs84(wgs84ToBd09(w)), w), 1e-11) << w.lon << " " << w.lat;
        EXPECT_LT(maxAbsDiff(toWgs84(fromWgs84(w, Datum::Gcj02), Datum::Gcj02), w), 1e-11);
        EXPECT_LT(maxAbsDiff(toWgs84(fromWgs84(w, Datum::Bd09), Datum::Bd09), w), 1e-11);
    }
}

TEST(ChineseDatums, OffsetInChongqingIsAFewHundredMetres) {
    // Measured on a 0.05° grid (docs/datums.md): GCJ-02 380–632 m from WGS84, BD-09 967–1222 m.
    const Geodesic geod;
    double least = std::numeric_limits<double>::infinity(), most = 0;
    for (int i = 0; i <= 60; ++i) {
        for (int j = 0; j <= 45; ++j) {
            const LonLat w{105.0 + 0.1 * i, 28.0 + 0.1 * j};
            const double d = geod.distance(w, wgs84ToGcj02(w));
            least = std::min(least, d);
            most = std::max(most, d);
        }
    }
    EXPECT_GT(least, 300.0);
    EXPECT_LT(most, 700.0);
    // Chongqing's centre (Jiefangbei): the GCJ-02 point sits about 480 m east-south-east of the WGS84 one.
    const LonLat centre{106.5516, 29.5630};
    const LonLat gcj = wgs84ToGcj02(centre);
    EXPECT_NEAR(geod.distance(centre, gcj), 479, 5);
    EXPECT_GT(gcj.lon, centre.lon);
    EXPECT_LT(gcj.lat, centre.lat);
    const double bdOffset = geod.distance(centre, wgs84ToBd09(centre));
    EXPECT_GT(bdOffset, 700.0);
    EXPECT_LT(bdOffset, 2000.0);
}

TEST(ChineseDatums, IdentityOutsideTheChinaBox) {
    for (const LonLat p : {LonLat{-0.1276, 51.5072}, LonLat{139.6917, 35.6895}, LonLat{151.2093, -33.8688},
                           LonLat{-74.006, 40.7128}, LonLat{72.0, 30.0}, LonLat{110.0, 56.0}}) {
        EXPECT_FALSE(insideChinaForGcj(p)) << p.lon << " " << p.lat;
        EXPECT_EQ(wgs84ToGcj02(p), p);
        EXPECT_EQ(gcj02ToWgs84(p), p);
        EXPECT_EQ(toWgs84(p, Datum::Gcj02), p);
    }
    EXPECT_TRUE(insideChinaForGcj({106.55, 29.56}));
    // The box is a box: Seoul lies inside it and is shifted like any Chinese point.
    EXPECT_TRUE(insideChinaForGcj({126.978, 37.5665}));
}

TEST(ChineseDatums, ParsesDatumNames) {
    EXPECT_EQ(parseDatum("wgs84"), Datum::Wgs84);
    EXPECT_EQ(parseDatum("WGS84"), Datum::Wgs84);
    EXPECT_EQ(parseDatum("gcj02"), Datum::Gcj02);
    EXPECT_EQ(parseDatum("GCJ-02"), Datum::Gcj02);
    EXPECT_EQ(parseDatum("bd09"), Datum::Bd09);
    EXPECT_EQ(parseDatum("Bd-09"), Datum::Bd09);
    EXPECT_EQ(parseDatum(""), std::nullopt);
    EXPECT_EQ(parseDatum("gcj"), std::nullopt);
    EXPECT_EQ(parseDatum("bd09mc"), std::nullopt);
    EXPECT_EQ(parseDatum(" gcj02"), std::nullopt);
    for (const Datum d : {Datum::Wgs84, Datum::Gcj02, Datum::Bd09}) EXPECT_EQ(parseDatum(datumName(d)), d);
}

TEST(ChineseDatums, ToWgs84DispatchesOnTheDatum) {
    const LonLat p{106.5516, 29.5630};
    EXPECT_EQ(toWgs84(p, Datum::Wgs84), p);
    EXPECT_EQ(toWgs84(p, Datum::Gcj02), gcj02ToWgs84(p));
    EXPECT_EQ(toWgs84(p, Datum::Bd09), bd09ToWgs84(p));
    EXPECT_EQ(fromWgs84(p, Datum::Gcj02), wgs84ToGcj02(p));
    EXPECT_EQ(fromWgs84(p, Datum::Bd09), wgs84ToBd09(p));
}

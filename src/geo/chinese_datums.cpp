// SPDX-License-Identifier: MIT
#include "geo/chinese_datums.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "util/text.hpp"

namespace ecozone::geo {

namespace {

// Constants of the public algorithm. The Krasovsky 1940 ellipsoid is part of the obfuscation formula, not a
// statement about the data: input and output are both WGS84 longitude/latitude.
constexpr double kKrasovskyA = 6378245.0;
constexpr double kKrasovskyE2 = 0.00669342162296594323;
constexpr double kPi = std::numbers::pi;
constexpr double kBaiduXPi = kPi * 3000.0 / 180.0;

// When an inverse iteration stops: the forward image of the result is this close to the input (degrees), or
// kMaxIterations have run. The GCJ-02 iteration contracts by about 1e-3 per step and the BD-09 one by about 2e-2,
// so a handful of steps reach the tolerance (at most 4 after the one-step start over Chongqing).
constexpr double kInverseTolerance = 1e-12;
constexpr int kMaxIterations = 40;

double offsetLat(double x, double y) {
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
    r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
    r += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
    r += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y * kPi / 30.0)) * 2.0 / 3.0;
    return r;
}

double offsetLon(double x, double y) {
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
    r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
    r += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
    r += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
    return r;
}

// The GCJ-02 forward formula without the box test, so that the inverse iteration sees a continuous function even
// when an iterate steps just outside the box.
LonLat gcjForward(LonLat wgs) {
    const double dLat0 = offsetLat(wgs.lon - 105.0, wgs.lat - 35.0);
    const double dLon0 = offsetLon(wgs.lon - 105.0, wgs.lat - 35.0);
    const double radLat = wgs.lat / 180.0 * kPi;
    const double s = std::sin(radLat);
    const double magic = 1.0 - kKrasovskyE2 * s * s;
    const double sqrtMagic = std::sqrt(magic);
    const double dLat = (dLat0 * 180.0) / ((kKrasovskyA * (1.0 - kKrasovskyE2)) / (magic * sqrtMagic) * kPi);
    const double dLon = (dLon0 * 180.0) / (kKrasovskyA / sqrtMagic * std::cos(radLat) * kPi);
    return {wgs.lon + dLon, wgs.lat + dLat};
}

// Solves forward(x) == target by x <- x - (forward(x) - target), starting at `guess`. Both forward functions are
// the identity plus a small, slowly varying offset, so this converges linearly and fast. Keeps the best iterate,
// which matters only next to the square-root cusp of the GCJ-02 formula at 105°E, where the iteration can end up
// alternating between two points a few 1e-12 degrees apart.
template <typename Forward>
LonLat invert(Forward forward, LonLat target, LonLat guess) {
    LonLat x = guess;
    LonLat best = guess;
    double bestResidual = std::numeric_limits<double>::infinity();
    for (int i = 0; i < kMaxIterations; ++i) {
        const LonLat f = forward(x);
        const double rLon = f.lon - target.lon;
        const double rLat = f.lat - target.lat;
        const double residual = std::max(std::abs(rLon), std::abs(rLat));
        if (residual < bestResidual) {
            bestResidual = residual;
            best = x;
        }
        if (residual < kInverseTolerance || !std::isfinite(residual)) break;
        x = {x.lon - rLon, x.lat - rLat};
    }
    return best;
}

}  // namespace

std::optional<Datum> parseDatum(std::string_view name) {
    const std::string l = lower(std::string(name));
    if (l == "wgs84" || l == "wgs-84") return Datum::Wgs84;
    if (l == "gcj02" || l == "gcj-02") return Datum::Gcj02;
    if (l == "bd09" || l == "bd-09") return Datum::Bd09;
    return std::nullopt;
}

const char* datumName(Datum d) {
    switch (d) {
        case Datum::Wgs84:
            return "wgs84";
        case Datum::Gcj02:
            return "gcj02";
        case Datum::Bd09:
            return "bd09";
    }
    return "?";
}

bool insideChinaForGcj(LonLat p) {
    return p.lon >= 72.004 && p.lon <= 137.8347 && p.lat >= 0.8293 && p.lat <= 55.8271;
}

LonLat wgs84ToGcj02(LonLat wgs) {
    if (!insideChinaForGcj(wgs)) return wgs;
    return gcjForward(wgs);
}

LonLat gcj02ToWgs84(LonLat gcj) {
    if (!insideChinaForGcj(gcj)) return gcj;
    // The one-step approximation of the public algorithm (gcj minus the offset at gcj) is within a few metres;
    // iterating removes the rest.
    const LonLat once = gcjForward(gcj);
    const LonLat guess{2.0 * gcj.lon - once.lon, 2.0 * gcj.lat - once.lat};
    return invert(gcjForward, gcj, guess);
}

LonLat gcj02ToBd09(LonLat gcj) {
    const double x = gcj.lon;
    const double y = gcj.lat;
    const double z = std::sqrt(x * x + y * y) + 0.00002 * std::sin(y * kBaiduXPi);
    const double theta = std::atan2(y, x) + 0.000003 * std::cos(x * kBaiduXPi);
    return {z * std::cos(theta) + 0.0065, z * std::sin(theta) + 0.006};
}

LonLat bd09ToGcj02(LonLat bd) {
    const double x = bd.lon - 0.0065;
    const double y = bd.lat - 0.006;
    const double z = std::sqrt(x * x + y * y) - 0.00002 * std::sin(y * kBaiduXPi);
    const double theta = std::atan2(y, x) - 0.000003 * std::cos(x * kBaiduXPi);
    const LonLat guess{z * std::cos(theta), z * std::sin(theta)};
    return invert(gcj02ToBd09, bd, guess);
}

LonLat wgs84ToBd09(LonLat wgs) {
    return gcj02ToBd09(wgs84ToGcj02(wgs));
}

LonLat bd09ToWgs84(LonLat bd) {
    return gcj02ToWgs84(bd09ToGcj02(bd));
}

LonLat toWgs84(LonLat p, Datum from) {
    switch (from) {
        case Datum::Wgs84:
            return p;
        case Datum::Gcj02:
            return gcj02ToWgs84(p);
        case Datum::Bd09:
            return bd09ToWgs84(p);
    }
    return p;
}

LonLat fromWgs84(LonLat wgs, Datum to) {
    switch (to) {
        case Datum::Wgs84:
            return wgs;
        case Datum::Gcj02:
            return wgs84ToGcj02(wgs);
        case Datum::Bd09:
            return wgs84ToBd09(wgs);
    }
    return wgs;
}

}  // namespace ecozone::geo

// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string_view>

#include "geo/geodesic.hpp"

// GCJ-02 and BD-09, the obfuscated "Mars" coordinates of Chinese web maps (Amap/Gaode, Tencent, Google .cn:
// GCJ-02; Baidu: BD-09). Neither is a datum in the geodetic sense: each is a published, deterministic distortion
// of WGS84 longitude/latitude by a few hundred metres. The forward formulas are the public "eviltransform" ones;
// the inverses are solved by iterating on the forward functions, so a round trip closes to about 1e-12 degrees
// (measured values in docs/datums.md). All functions are pure and thread-safe.
namespace ecozone::geo {

enum class Datum { Wgs84, Gcj02, Bd09 };

// "wgs84", "wgs-84", "gcj02", "gcj-02", "bd09" or "bd-09", in any letter case; nothing for anything else.
std::optional<Datum> parseDatum(std::string_view name);

// The canonical spelling ("wgs84", "gcj02", "bd09"), as parseDatum accepts it.
const char* datumName(Datum d);

// The rough mainland bounding box the public algorithm uses (72.004..137.8347°E, 0.8293..55.8271°N): outside it
// GCJ-02 is WGS84 unchanged. It is a box, not a border, so neighbours inside it (Seoul, Hanoi, Ulaanbaatar) are
// shifted too, exactly as the web maps shift them.
bool insideChinaForGcj(LonLat p);

// WGS84 -> GCJ-02: the public forward formula (Krasovsky a = 6378245 m, e² = 0.00669342162296594323).
LonLat wgs84ToGcj02(LonLat wgs);

// GCJ-02 -> WGS84: the point whose forward image is `gcj`, found by fixed-point iteration on wgs84ToGcj02 until
// the residual is below 1e-12 degrees (or stops shrinking, which only happens within a few 1e-12 degrees of the
// non-smooth meridian 105°E). Identity outside insideChinaForGcj, as in the public algorithm.
LonLat gcj02ToWgs84(LonLat gcj);

// GCJ-02 -> BD-09: Baidu's published second offset (x_pi = π·3000/180), applied everywhere, without a box test.
LonLat gcj02ToBd09(LonLat gcj);

// BD-09 -> GCJ-02: the public closed-form approximation refined by iterating on gcj02ToBd09, residual below 1e-12
// degrees.
LonLat bd09ToGcj02(LonLat bd);

LonLat wgs84ToBd09(LonLat wgs);  // gcj02ToBd09(wgs84ToGcj02(wgs))
LonLat bd09ToWgs84(LonLat bd);   // gcj02ToWgs84(bd09ToGcj02(bd))

// Converts a point given in `from` to WGS84 (identity for Datum::Wgs84).
LonLat toWgs84(LonLat p, Datum from);

// Converts a WGS84 point to `to` (identity for Datum::Wgs84).
LonLat fromWgs84(LonLat wgs, Datum to);

}  // namespace ecozone::geo

// SPDX-License-Identifier: MIT
#pragma once

#include <geodesic.h>

#include <span>
#include <vector>

namespace ecozone::geo {

// Longitude/latitude in degrees on the WGS84 ellipsoid (CGCS2000's GRS80 differs by 0.1 mm in the semi-minor
// axis, so one ellipsoid serves both).
struct LonLat {
    double lon = 0;
    double lat = 0;
    friend bool operator==(const LonLat&, const LonLat&) = default;
};

// A straight piece of a line or ring: a geodesic between two vertices (a point is a segment with a == b).
struct Segment {
    LonLat a;
    LonLat b;
};

// The result of a distance measurement: the geodesic distance and where it is attained.
struct Nearest {
    double distance_m = 0;
    LonLat on_subject;
    LonLat on_object;
};

// Geodesic computations on the WGS84 ellipsoid, built on PROJ's implementation of Karney's algorithms.
// Thread-safe: the object is immutable after construction.
class Geodesic {
  public:
    Geodesic();

    // Geodesic distance in metres between two points.
    double distance(LonLat a, LonLat b) const;

    // The point a fraction `t` (0..1) of the way along the geodesic from a to b.
    LonLat interpolate(LonLat a, LonLat b, double t) const;

    // Distance from p to the nearest point of the geodesic segment s, within 0.1 mm: the nearest point is found in
    // an azimuthal equidistant projection centred on p, where distances from p are exact and a geodesic strays
    // from the chord of its ends by under L²·(d + L)/(4R²) (L its length, d its distance; about 10 µm for a
    // 500 m edge 15 km away). Where that bound exceeds 0.1 mm (long edges, far away), the point the chord gives is
    // moved onto the geodesic and measured on the ellipsoid.
    Nearest pointToSegment(LonLat p, const Segment& s) const;

    // The same in two steps, for a caller that measures many segments from one point and shares their vertices:
    // project() puts a vertex in the projection centred on p, and pointToSegment() takes the projected ends.
    // The nearest point of the segment is then its fraction t of the way from s.a to s.b (interpolate gives it).
    struct Projected {
        double x = 0, y = 0, s = 0;  // metres east and north of p, and the geodesic distance from p
    };
    struct SegmentDistance {
        double distance_m = 0;
        double t = 0;
    };
    Projected project(LonLat p, LonLat q) const;
    SegmentDistance pointToSegment(LonLat p, const Segment& s, const Projected& a, const Projected& b) const;

    // Distance between two segments; 0 when they cross as geodesics.
    Nearest segmentToSegment(const Segment& subject, const Segment& object) const;

    // Whether two geodesic segments cross (properly), decided in a projection centred on `centre`, which should
    // lie near both.
    bool cross(const Segment& s, const Segment& t, LonLat centre) const;

    // Area in square metres of a polygon given as rings (first exterior, then holes), each closed or not.
    double polygonArea(std::span<const std::vector<LonLat>> rings) const;

  private:
    geod_geodesic g_{};
};

}  // namespace ecozone::geo

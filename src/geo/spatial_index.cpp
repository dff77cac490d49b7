// SPDX-License-Identifier: MIT
#include "geo/spatial_index.hpp"

#include <algorithm>
#include <array>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>
#include <stdexcept>

namespace ecozone::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
using BoxValue = std::pair<BBox, std::uint32_t>;
using BoxTree = bgi::rtree<BoxValue, bgi::rstar<16>>;

// A candidate of a nearest-shoreline query: one object segment against one subject segment, with bounds on
// their shoreline distance from the local frame.
struct ShorelineCandidate {
    double lower, upper;
    std::uint32_t segment;
    std::uint32_t subject_segment;
};

// A subject segment in the query's local frame, with the bound on its geodesic bow.
struct LocalSubjectSegment {
    std::array<double, 4> xy;
    double bow;
};

struct QueryScratch::Buffers {
    std::vector<BoxValue> found;
    std::vector<ShorelineCandidate> candidates;
    std::vector<Segment> subjectSegments;
    std::vector<LocalSubjectSegment> subjectLocal;
    std::vector<std::pair<LonLat, Geodesic::Projected>> projected;  // vertices measured from a point subject
};

QueryScratch::QueryScratch(std::size_t objects) : prepared_(objects), buffers_(std::make_unique<Buffers>()) {}

QueryScratch::~QueryScratch() = default;

const GEOSPreparedGeometry* QueryScratch::prepared(std::size_t object, const GEOSGeometry* g) {
    PreparedPtr& slot = prepared_[object];
    if (!slot) slot = PreparedPtr(GEOSPrepare_r(context_.get(), g), PreparedDeleter{context_.get()});
    return slot.get();
}

bool QueryScratch::intersects(std::size_t object, const GEOSGeometry* objectGeometry,
                              const GEOSGeometry* subject) {
    const char r = GEOSPreparedIntersects_r(context_.get(), prepared(object, objectGeometry), subject);
    // 2 is GEOS's "exception": an answer we cannot trust is an error, not a "no".
    if (r == 2) throw std::runtime_error("GEOS failed to test an intersection: " + context_.lastError());
    return r == 1;
}

namespace {

constexpr double kA = 6378137.0;
constexpr double kF = 1.0 / 298.257223563;
constexpr double kE2 = kF * (2 - kF);
constexpr double kDeg = std::numbers::pi / 180.0;
constexpr double kEarthRadius = 6371008.8;

BBox toBBox(const Box& b) {
    return {{b.min_lon, b.min_lat}, {b.max_lon, b.max_lat}};
}

// The box around `b` that contains every point within `metres` of it. Conservative: a degree of latitude is at
// least 110,574 m and a degree of longitude at least 111,319 m·cos(lat) on WGS84.
Box expand(const Box& b, double metres) {
    const double dlat = metres / 110000.0 + 1e-9;
    const double lat = std::min(89.0, std::max(std::abs(b.min_lat), std::abs(b.max_lat)) + dlat);
    const double dlon = std::min(360.0, metres / (111000.0 * std::cos(lat * kDeg)) + 1e-9);
    return {b.min_lon - dlon, b.min_lat - dlat, b.max_lon + dlon, b.max_lat + dlat};
}

// A local frame in metres, centred on a subject: an equirectangular projection whose scales are taken at the mean
// of the centre's and the point's latitude (to first order in the difference), which makes distances from the
// centre good to second order in d/R. Measured against the ellipsoid from centres below 60° (and points below 75°),
// up to 1,000 km away, the relative error stays under 0.06·(1 + tan²φ)·(d/R)², where φ is the centre's latitude;
// points off the centre (a footprint's other vertices) are good to first order only. Used only to rank
// candidates, never to decide.
struct LocalFrame {
    double lon0, lat0, kx, ky;
    double gx, gy;  // d ln(scale)/d lat, halved, per degree: the scales at the mean latitude
    explicit LocalFrame(const Box& b) {
        lon0 = (b.min_lon + b.max_lon) / 2;
        lat0 = (b.min_lat + b.max_lat) / 2;
        const double s = std::sin(lat0 * kDeg), c = std::cos(lat0 * kDeg);
        const double w2 = 1 - kE2 * s * s, w = std::sqrt(w2);
        kx = kDeg * kA / w * c;
        ky = kDeg * kA * (1 - kE2) / (w2 * w);
        // N·cos φ and M (the radii of the parallel and of the meridian) change with latitude at these rates.
        const double q = kE2 * s * c / w2;
        gx = (q - s / c) * kDeg / 2;
        gy = 3 * q * kDeg / 2;
    }
    std::pair<double, double> operator()(LonLat p) const {
        const double h = p.lat - lat0;
        return {(p.lon - lon0) * kx * (1 + gx * h), h * ky * (1 + gy * h)};
    }
};

double pointSegment2(double px, double py, double ax, double ay, double bx, double by) {
    const double dx = bx - ax, dy = by - ay;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    const double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return ex * ex + ey * ey;
}

double cross(double ax, double ay, double bx, double by, double cx, double cy) {
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

double segmentSegment(const std::array<double, 4>& s, const std::array<double, 4>& t) {
    const double d1 = cross(s[0], s[1], s[2], s[3], t[0], t[1]);
    const double d2 = cross(s[0], s[1], s[2], s[3], t[2], t[3]);
    const double d3 = cross(t[0], t[1], t[2], t[3], s[0], s[1]);
    const double d4 = cross(t[0], t[1], t[2], t[3], s[2], s[3]);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return 0;
    const double m = std::min(
        {pointSegment2(s[0], s[1], t[0], t[1], t[2], t[3]), pointSegment2(s[2], s[3], t[0], t[1], t[2], t[3]),
         pointSegment2(t[0], t[1], s[0], s[1], s[2], s[3]), pointSegment2(t[2], t[3], s[0], s[1], s[2], s[3])});
    return std::sqrt(m);
}

void appendSegments(const std::vector<std::vector<LonLat>>& parts, std::vector<Segment>& out) {
    for (const auto& part : parts) {
        if (part.size() == 1) out.push_back({part[0], part[0]});
        for (std::size_t i = 1; i < part.size(); ++i) out.push_back({part[i - 1], part[i]});
    }
}

std::vector<Segment> segmentsOf(const std::vector<std::vector<LonLat>>& parts) {
    std::vector<Segment> out;
    appendSegments(parts, out);
    return out;
}

}  // namespace

struct ShorelineIndex::Tree {
    std::vector<Segment> segments;
    std::vector<std::uint32_t> owner;  // object index per segment
    // Segments, each box widened by its object's half width: a box within r of a subject holds every segment whose
    // shoreline is within r, so a search radius is a shoreline distance, whatever the widest river.
    BoxTree rtree;
    BoxTree polygons;   // envelopes of the polygonal objects, for the contact test
    BoxTree envelopes;  // envelopes of every object, to start an unbounded search near its answer
};

namespace {

// A GEOS context of the calling thread's own: indexes are built side by side, and a context serves one thread at a
// time (GEOS's rule), even for calls that only read.
GEOSContextHandle_t threadContext() {
    thread_local GeosContext context;
    return context.get();
}

// The bow of a geodesic edge of local length `len` in a frame at latitude φ: it strays from the straight chord of
// its ends by about L²(1 + tan φ)/(8R); twice that is a safe bound.
double bowOf(double len, double tanLat) { return 2.0 * len * len * (1 + tanLat) / (8 * kEarthRadius); }

// The first search radius of a query, in metres of shoreline distance; it grows until the nearest candidate is
// provably inside it. Most subjects near a river find it at once.
constexpr double kFirstRadius = 400.0;

}  // namespace

ShorelineIndex::ShorelineIndex(std::vector<IndexedObject> objects)
    : objects_(std::move(objects)), tree_(std::make_unique<Tree>()) {
    std::vector<BoxValue> values;
    for (std::size_t o = 0; o < objects_.size(); ++o) {
        for (const Segment& s : segmentsOf(*objects_[o].parts)) {
            const auto id = static_cast<std::uint32_t>(tree_->segments.size());
            tree_->segments.push_back(s);
            tree_->owner.push_back(static_cast<std::uint32_t>(o));
            // The geodesic between the ends may bow out of the box of its ends: widen the box by the bow.
            const Box ends{std::min(s.a.lon, s.b.lon), std::min(s.a.lat, s.b.lat), std::max(s.a.lon, s.b.lon),
                           std::max(s.a.lat, s.b.lat)};
            const LocalFrame frame(ends);
            const double dx = (s.b.lon - s.a.lon) * frame.kx, dy = (s.b.lat - s.a.lat) * frame.ky;
            const double bow = bowOf(std::sqrt(dx * dx + dy * dy), std::abs(std::tan(frame.lat0 * kDeg)));
            const double widen = (bow > 0.001 ? bow : 0) + objects_[o].half_width_m;
            values.emplace_back(toBBox(widen > 0 ? expand(ends, widen) : ends), id);
        }
    }
    tree_->rtree = BoxTree(values.begin(), values.end());  // the range constructor packs the tree
    values.clear();
    for (std::size_t o = 0; o < objects_.size(); ++o) {
        const GeometryFamily f = familyOf(threadContext(), objects_[o].geometry);
        if (f == GeometryFamily::Polygon || f == GeometryFamily::Mixed)
            values.emplace_back(toBBox(objects_[o].envelope), static_cast<std::uint32_t>(o));
    }
    tree_->polygons = BoxTree(values.begin(), values.end());
    values.clear();
    for (std::size_t o = 0; o < objects_.size(); ++o)
        values.emplace_back(toBBox(objects_[o].envelope), static_cast<std::uint32_t>(o));
    tree_->envelopes = BoxTree(values.begin(), values.end());
}

ShorelineIndex::~ShorelineIndex() = default;

std::optional<ShorelineHit> ShorelineIndex::nearest(const Subject& subject, double max_m, QueryScratch& scratch,
                                                    const Geodesic& geodesic) const {
    if (objects_.empty()) return std::nullopt;
    bool bounded = std::isfinite(max_m);
    const LonLat at = subject.parts->front().front();
    std::optional<std::uint32_t> contact;  // the lowest object the subject touches or lies in, when there is one

    // A subject inside an object is 0 m from it, however far that object's shoreline segments are. Only a polygon
    // can hold a subject, and only a polygonal subject can hold a piece of an object without crossing its
    // outline (crossings and touches the segment search finds as 0 m): only then is GEOS asked.
    const GeometryFamily subjectFamily =
        subject.family != GeometryFamily::Empty ? subject.family : familyOf(scratch.geos(), subject.geometry);
    const bool subjectPolygonal = subjectFamily == GeometryFamily::Polygon || subjectFamily == GeometryFamily::Mixed;
    {
        std::vector<BoxValue> touching;
        if (subjectPolygonal) {
            // Every object whose segments come near the footprint's envelope.
            tree_->rtree.query(bgi::intersects(toBBox(subject.envelope)), std::back_inserter(touching));
            for (auto& v : touching) v.second = tree_->owner[v.second];
        }
        tree_->polygons.query(bgi::intersects(toBBox(subject.envelope)), std::back_inserter(touching));
        std::sort(touching.begin(), touching.end(),
                  [](const BoxValue& x, const BoxValue& y) { return x.second < y.second; });
        std::uint32_t last = std::numeric_limits<std::uint32_t>::max();
        for (const auto& [box, o] : touching) {
            if (o == last) continue;
            last = o;
            if (scratch.intersects(o, objects_[o].geometry, subject.geometry)) {
                contact = o;
                break;
            }
        }
    }
    // In contact, the answer is 0 m; the search below only looks for a lower object that is 0 m away too (a
    // centerline whose water covers the subject), so that ties go to the lower object however they arise.
    if (contact) {
        max_m = 0;
        bounded = true;
    }

    const LocalFrame frame(subject.envelope);
    const double tanLat = std::abs(std::tan(frame.lat0 * kDeg));
    QueryScratch::Buffers& buffers = scratch.buffers();
    std::vector<Segment>& subjectSegments = buffers.subjectSegments;
    subjectSegments.clear();
    appendSegments(*subject.parts, subjectSegments);
    std::vector<LocalSubjectSegment>& subjectLocal = buffers.subjectLocal;
    subjectLocal.clear();
    for (const Segment& s : subjectSegments) {
        auto [ax, ay] = frame(s.a);
        auto [bx, by] = frame(s.b);
        subjectLocal.push_back({{ax, ay, bx, by}, bowOf(std::sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay)),
                                                        tanLat)});
    }
    // A point subject (the usual case) is measured point to segment, in the frame and on the ellipsoid.
    const bool onePoint = subjectSegments.size() == 1 && subjectSegments[0].a == subjectSegments[0].b;
    double subjectBow = 0;
    for (const LocalSubjectSegment& l : subjectLocal) subjectBow = std::max(subjectBow, l.bow);
    const double ex = (subject.envelope.max_lon - subject.envelope.min_lon) * frame.kx;
    const double ey = (subject.envelope.max_lat - subject.envelope.min_lat) * frame.ky;
    const double extent = std::sqrt(ex * ex + ey * ey);
    // The approximate distance may be off by this much (relative), so everything within it of the best is refined:
    // from a point below 61° of latitude and within 1,000 km (so the points measured lie below 70°), four times the
    // largest error measured there; from a footprint, or further, or nearer a pole, a bound of first order in
    // distance and extent (of which at most a third was used in the same measurement).
    const bool fromPoint = extent == 0 && tanLat < 1.8;
    auto slack = [&](double d) {
        if (fromPoint && d < 1.0e6) {
            const double q = d / kEarthRadius;
            return 1e-9 + 0.25 * (1 + tanLat * tanLat) * q * q;
        }
        return 0.002 + 1.5 * (1 + tanLat) * (d + extent) / kEarthRadius;
    };
    constexpr double kRounding = 1e-6;  // metres: rounding in the frame, so that exact ties are all solved

    // Bound every candidate's shoreline distance from below and above with the local frame; then solve on the
    // ellipsoid in order of lower bound, until the next lower bound exceeds the best exact distance.
    std::vector<ShorelineCandidate>& candidates = buffers.candidates;
    std::vector<BoxValue>& found = buffers.found;
    double bestUpper = std::numeric_limits<double>::infinity();
    // Grow the radius until the best upper bound lies within it: every segment left out is then further than it.
    // It doubles while nothing is found; once something is, the best upper bound is a radius that must hold the
    // nearest, so at most one more search follows.
    double firstRadius = bounded ? std::min(max_m, kFirstRadius) : kFirstRadius;
    if (!bounded) {
        // Unbounded (the nearest area wherever it is): the object whose envelope is nearest in degrees is probably
        // near the answer, and the distance to some of its vertices bounds the answer from above. Starting there
        // takes one search instead of doubling out from 400 m.
        std::vector<BoxValue>& seed = buffers.found;
        seed.clear();
        tree_->envelopes.query(bgi::nearest(BPoint(at.lon, at.lat), 1), std::back_inserter(seed));
        if (!seed.empty()) {
            const IndexedObject& o = objects_[seed.front().second];
            double upper = std::numeric_limits<double>::infinity();
            for (const auto& part : *o.parts) {
                const std::size_t step = std::max<std::size_t>(1, part.size() / 8);
                for (std::size_t i = 0; i < part.size(); i += step) {
                    auto [x, y] = frame(part[i]);
                    const double d = std::sqrt(x * x + y * y);
                    upper = std::min(upper, d * (1 + slack(d)) + 1.0);  // the frame's error, bounded generously
                }
            }
            // From the subject's first vertex; its other vertices are at most its extent further.
            upper = std::max(0.0, upper + extent - o.half_width_m);
            if (std::isfinite(upper)) firstRadius = std::max(firstRadius, upper);
        }
    }
    for (double radius = firstRadius;;) {
        found.clear();
        candidates.clear();
        bestUpper = std::numeric_limits<double>::infinity();
        // The subject's own edges are geodesics too, and may bow out of its envelope.
        tree_->rtree.query(bgi::intersects(toBBox(expand(subject.envelope, radius + subjectBow))),
                           std::back_inserter(found));
        for (const auto& [box, id] : found) {
            const Segment& s = tree_->segments[id];
            auto [ax, ay] = frame(s.a);
            auto [bx, by] = frame(s.b);
            const std::array<double, 4> local{ax, ay, bx, by};
            const double hw = objects_[tree_->owner[id]].half_width_m;
            const double bow = bowOf(std::sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay)), tanLat);
            for (std::size_t k = 0; k < subjectLocal.size(); ++k) {
                const auto& sxy = subjectLocal[k].xy;
                const double planar = onePoint ? std::sqrt(pointSegment2(sxy[0], sxy[1], ax, ay, bx, by))
                                               : segmentSegment(sxy, local);
                const double rel = slack(planar);
                // Clamped at 0 like the distances they bound, so that ties on the water all reach the refinement.
                const double lower = std::max(0.0, planar * (1 - rel) - bow - subjectLocal[k].bow - hw - kRounding);
                const double upper = std::max(0.0, planar * (1 + rel) + bow + subjectLocal[k].bow - hw + kRounding);
                candidates.push_back({lower, upper, id, static_cast<std::uint32_t>(k)});
                bestUpper = std::min(bestUpper, upper);
            }
        }
        if (bestUpper <= radius) break;
        if (bounded && radius >= max_m) break;
        if (radius > 4.1e7) break;  // the whole Earth has been searched
        radius = candidates.empty() ? 2 * radius : bestUpper;
        if (bounded) radius = std::min(radius, max_m);
    }
    const auto contactHit = [&]() -> std::optional<ShorelineHit> {
        if (!contact) return std::nullopt;
        return ShorelineHit{*contact, Nearest{0.0, at, at}};
    };
    if (candidates.empty()) return contactHit();
    const double cutoff = bounded ? std::min(bestUpper, max_m) + 1e-6 : bestUpper;
    std::erase_if(candidates, [&](const ShorelineCandidate& c) { return c.lower > cutoff; });
    std::sort(candidates.begin(), candidates.end(), [](const ShorelineCandidate& x, const ShorelineCandidate& y) {
        return x.lower != y.lower ? x.lower < y.lower : x.segment < y.segment;
    });

    // A point subject: neighbouring candidates share vertices, so each vertex is measured from it once (and the
    // nearest point of the winner located at the end).
    auto& projected = buffers.projected;
    projected.clear();
    auto projectedOf = [&](LonLat q) {
        for (auto it = projected.rbegin(); it != projected.rend(); ++it)
            if (it->first == q) return it->second;
        const Geodesic::Projected pr = geodesic.project(at, q);
        if (projected.size() < 64) projected.emplace_back(q, pr);
        return pr;
    };
    std::optional<ShorelineHit> best;
    const Segment* bestSegment = nullptr;
    double bestT = 0;
    for (const auto& c : candidates) {
        // Every candidate whose lower bound reaches the best so far is solved, ties included.
        if (best && c.lower > best->nearest.distance_m) break;
        const std::uint32_t o = tree_->owner[c.segment];
        const Segment& seg = tree_->segments[c.segment];
        const Segment& sub = subjectSegments[c.subject_segment];
        Nearest n;
        double t = 0;
        if (onePoint) {
            const Geodesic::Projected a = projectedOf(seg.a);
            const Geodesic::Projected b = seg.a == seg.b ? a : projectedOf(seg.b);
            const Geodesic::SegmentDistance d = geodesic.pointToSegment(at, seg, a, b);
            n.distance_m = d.distance_m;
            t = d.t;
        } else {
            n = (sub.a == sub.b) ? geodesic.pointToSegment(sub.a, seg) : geodesic.segmentToSegment(sub, seg);
        }
        n.distance_m = std::max(0.0, n.distance_m - objects_[o].half_width_m);
        if (!best || n.distance_m < best->nearest.distance_m ||
            (n.distance_m == best->nearest.distance_m && o < best->object)) {
            best = ShorelineHit{o, n};
            bestSegment = &seg;
            bestT = t;
        }
    }
    if (best && onePoint) {
        best->nearest.on_subject = at;
        best->nearest.on_object = bestT <= 0.0   ? bestSegment->a
                                  : bestT >= 1.0 ? bestSegment->b
                                                 : geodesic.interpolate(bestSegment->a, bestSegment->b, bestT);
    }
    // Inclusive: exactly max_m is within. The micrometre absorbs floating-point noise in the geodesic solution.
    if (best && bounded && best->nearest.distance_m > max_m + 1e-6) best.reset();
    if (contact && (!best || best->nearest.distance_m > 0 || best->object > *contact)) return contactHit();
    return best;
}

namespace {

// GEOS's Orientation::index(p1, p2, q), decided the way GEOS decides it: its double-precision filter, and GEOS
// itself (double-double arithmetic) where the filter cannot tell.
int orientationIndex(GEOSContextHandle_t ctx, const LonLat& p1, const LonLat& p2, const LonLat& q) {
    constexpr double kSafeEpsilon = 1e-15;  // GEOS's DP_SAFE_EPSILON
    const double left = (p1.lon - q.lon) * (p2.lat - q.lat);
    const double right = (p1.lat - q.lat) * (p2.lon - q.lon);
    const double det = left - right;
    auto sign = [](double v) { return (v > 0) - (v < 0); };
    double sum;
    if (left > 0) {
        if (right <= 0) return sign(det);
        sum = left + right;
    } else if (left < 0) {
        if (right >= 0) return sign(det);
        sum = -left - right;
    } else {
        return sign(det);
    }
    if (det >= kSafeEpsilon * sum || -det >= kSafeEpsilon * sum) return sign(det);
    return GEOSOrientationIndex_r(ctx, p1.lon, p1.lat, p2.lon, p2.lat, q.lon, q.lat);
}

}  // namespace

// Where a point lies against a polygonal object, as GEOS's IndexedPointInAreaLocator says (which prepared
// polygons use for points): every edge of every ring whose latitude span holds the point is counted by GEOS's
// ray-crossing rule, the point being inside when the count is odd and on the boundary when some edge holds it.
// The edges are listed by bands of latitude, built once and shared by the threads; a point then costs no GEOS
// call and no allocation (GEOS makes each thread build its own locator, and allocates per call).
class PointInArea {
  public:
    explicit PointInArea(const std::vector<std::vector<LonLat>>& rings) : rings_(&rings) {
        std::size_t edges = 0;
        double lo = HUGE_VAL, hi = -HUGE_VAL;
        for (const auto& ring : rings) {
            edges += ring.size() > 1 ? ring.size() - 1 : 0;
            for (const auto& p : ring) lo = std::min(lo, p.lat), hi = std::max(hi, p.lat);
        }
        bands_ = std::max<std::size_t>(1, std::min<std::size_t>(edges / 4, 1 << 16));
        lat0_ = lo;
        scale_ = hi > lo ? static_cast<double>(bands_) / (hi - lo) : 0;
        // Two passes: count per band, then fill (compressed rows).
        start_.assign(bands_ + 1, 0);
        auto each = [&](auto&& visit) {
            for (std::uint32_t r = 0; r < rings.size(); ++r)
                for (std::uint32_t i = 0; i + 1 < rings[r].size(); ++i) {
                    const auto [a, b] = std::minmax(rings[r][i].lat, rings[r][i + 1].lat);
                    for (std::size_t band = bandOf(a); band <= bandOf(b); ++band) visit(band, r, i);
                }
        };
        each([&](std::size_t band, std::uint32_t, std::uint32_t) { ++start_[band + 1]; });
        for (std::size_t b = 0; b < bands_; ++b) start_[b + 1] += start_[b];
        edges_.resize(start_[bands_]);
        std::vector<std::uint32_t> fill(start_.begin(), start_.end() - 1);
        each([&](std::size_t band, std::uint32_t r, std::uint32_t i) { edges_[fill[band]++] = {r, i}; });
    }

    // GEOS's answer to "does the point intersect the area" (interior or boundary).
    bool intersects(GEOSContextHandle_t ctx, const LonLat& q) const {
        const std::size_t band = bandOf(q.lat);
        bool onBoundary = false;
        std::size_t crossings = 0;
        for (std::size_t k = start_[band]; k < start_[band + 1] && !onBoundary; ++k) {
            const auto& ring = (*rings_)[edges_[k].first];
            const LonLat& p1 = ring[edges_[k].second];
            const LonLat& p2 = ring[edges_[k].second + 1];
            // GEOS's RayCrossingCounter::countSegment, for an edge whose latitude span holds the point.
            if (std::min(p1.lat, p2.lat) > q.lat || std::max(p1.lat, p2.lat) < q.lat) continue;
            if (p1.lon < q.lon && p2.lon < q.lon) continue;
            if (q.lon == p2.lon && q.lat == p2.lat) {
                onBoundary = true;
                break;
            }
            if (p1.lat == q.lat && p2.lat == q.lat) {
                if (q.lon >= std::min(p1.lon, p2.lon) && q.lon <= std::max(p1.lon, p2.lon)) onBoundary = true;
                continue;
            }
            if ((p1.lat > q.lat && p2.lat <= q.lat) || (p2.lat > q.lat && p1.lat <= q.lat)) {
                int sign = orientationIndex(ctx, p1, p2, q);
                if (sign == 0) {
                    onBoundary = true;
                    break;
                }
                if (p2.lat < p1.lat) sign = -sign;
                if (sign > 0) ++crossings;
            }
        }
        return onBoundary || crossings % 2 == 1;
    }

  private:
    std::size_t bandOf(double lat) const {
        const double b = (lat - lat0_) * scale_;
        if (!(b > 0)) return 0;
        return std::min(bands_ - 1, static_cast<std::size_t>(b));
    }

    const std::vector<std::vector<LonLat>>* rings_;
    std::size_t bands_ = 1;
    double lat0_ = 0, scale_ = 0;
    std::vector<std::size_t> start_;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges_;  // (ring, first vertex) per band
};

namespace {

// Which objects a point may intersect, by cells of a grid over the objects' extent: per cell, each object whose
// outline comes near the cell ("to test": the point's own test decides) and each that holds the whole cell
// (inside it, whatever the point). An object neither near nor holding a cell is left out of it. A point in a cell
// that no outline comes near thus costs no test at all: most points, where the zones are large against the cells.
// A cell holds an object's whole when no edge's box, widened by a margin far above rounding, touches the closed
// cell: the cell then lies in one face of the outline, and its centre's answer is every point's.
class CellGrid {
  public:
    // `locators[o]` null: object o is no polygon, and every cell of its box lists it to test.
    CellGrid(const std::vector<IndexedObject>& objects,
             const std::vector<std::shared_ptr<const PointInArea>>& locators, GEOSContextHandle_t ctx) {
        if (objects.empty()) return;
        extent_ = objects.front().envelope;
        std::size_t edges = 0;
        for (const IndexedObject& o : objects) {
            extent_.min_lon = std::min(extent_.min_lon, o.envelope.min_lon);
            extent_.min_lat = std::min(extent_.min_lat, o.envelope.min_lat);
            extent_.max_lon = std::max(extent_.max_lon, o.envelope.max_lon);
            extent_.max_lat = std::max(extent_.max_lat, o.envelope.max_lat);
            if (o.parts)
                for (const auto& ring : *o.parts) edges += ring.size();
        }
        // About one cell per edge (fewer than 1,024 or more than 2^20 cells do not pay), square in degrees;
        // coarser where the cells of the objects' and edges' boxes would be too many to visit (zones that each
        // cover the whole extent, long slanted edges), and no grid at all if even 1,024 cells are (the R-tree
        // answers then).
        const double budget = 4.0 * (1 << 20) + 4.0 * static_cast<double>(edges);
        for (double cells = std::clamp<double>(static_cast<double>(edges), 1024, 1 << 20);;
             cells = std::max(1024.0, cells / 4)) {
            layOut(cells);
            if (boxCells(objects, locators, budget) <= budget) break;
            if (cells <= 1024) return;
        }
        const double margin = this->margin();

        // (cell, object << 1 | to test), objects ascending within a cell once sorted by cell (stable).
        std::vector<std::pair<std::uint32_t, std::uint32_t>> entries;
        std::vector<std::uint32_t> near(nx_ * ny_, 0);  // object + 1 whose outline comes near the cell
        for (std::uint32_t o = 0; o < objects.size(); ++o) {
            const auto [x0, y0, x1, y1] = cellsOf(objects[o].envelope, margin);
            const PointInArea* locator = locators[o].get();
            if (locator && objects[o].parts)
                eachEdgeCell(*objects[o].parts, margin, [&](std::size_t cell) { near[cell] = o + 1; });
            for (std::size_t y = y0; y <= y1; ++y) {
                // A run of cells in a row that no edge comes near lies in one face: one test for the run.
                int inside = -1;
                for (std::size_t x = x0; x <= x1; ++x) {
                    const std::size_t cell = y * nx_ + x;
                    // The cells on the rim of the object's box are tested, so that a point beyond the object's
                    // envelope gets the envelope's answer (GEOS looks at it first); so is a cell whose centre
                    // does not map back to it (cells too small for the coordinates' precision).
                    const LonLat centre{extent_.min_lon + (static_cast<double>(x) + 0.5) * cell_w_,
                                        extent_.min_lat + (static_cast<double>(y) + 0.5) * cell_h_};
                    if (!locator || near[cell] == o + 1 || x == x0 || x == x1 || y == y0 || y == y1 ||
                        cellOf(centre.lon, centre.lat) != std::pair{x, y}) {
                        entries.emplace_back(static_cast<std::uint32_t>(cell), o << 1 | 1);
                        inside = -1;
                        continue;
                    }
                    if (inside < 0) inside = locator->intersects(ctx, centre) ? 1 : 0;
                    if (inside == 1) entries.emplace_back(static_cast<std::uint32_t>(cell), o << 1);
                }
            }
        }
        start_.assign(nx_ * ny_ + 1, 0);
        for (const auto& e : entries) ++start_[e.first + 1];
        for (std::size_t c = 0; c < nx_ * ny_; ++c) start_[c + 1] += start_[c];
        objects_.resize(entries.size());
        std::vector<std::uint32_t> fill(start_.begin(), start_.end() - 1);
        for (const auto& e : entries) objects_[fill[e.first]++] = e.second;
    }

    // Whether the grid was made: at() may be asked only then.
    bool usable() const { return !start_.empty(); }

    // The entries of the cell holding q (object << 1 | to test), or none when q lies outside every object's box.
    std::pair<const std::uint32_t*, const std::uint32_t*> at(const LonLat& q) const {
        if (start_.empty() || !(q.lon >= extent_.min_lon && q.lon <= extent_.max_lon && q.lat >= extent_.min_lat &&
                                q.lat <= extent_.max_lat))
            return {nullptr, nullptr};
        const auto [x, y] = cellOf(q.lon, q.lat);
        const std::size_t cell = y * nx_ + x;
        return {objects_.data() + start_[cell], objects_.data() + start_[cell + 1]};
    }

  private:
    void layOut(double cells) {
        const double w = std::max(extent_.max_lon - extent_.min_lon, 1e-9);
        const double h = std::max(extent_.max_lat - extent_.min_lat, 1e-9);
        const double side = std::sqrt(w * h / cells);
        nx_ = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(w / side)), 1, 4096);
        ny_ = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(h / side)), 1, 4096);
        cell_w_ = w / static_cast<double>(nx_);
        cell_h_ = h / static_cast<double>(ny_);
    }

    double margin() const { return 1e-7 * std::max(cell_w_, cell_h_) + 1e-9; }

    // Every cell the widened box of an edge of `rings` touches (a cell may come more than once).
    template <class Visit>
    void eachEdgeCell(const std::vector<std::vector<LonLat>>& rings, double margin, Visit&& visit) const {
        for (const auto& ring : rings)
            for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
                const auto [a, b, c, d] = cellsOf(boxOf(ring[i], ring[i + 1]), margin);
                for (std::size_t y = b; y <= d; ++y)
                    for (std::size_t x = a; x <= c; ++x) visit(y * nx_ + x);
            }
    }

    // The cells the constructor would visit with this layout (objects' boxes and edges' boxes), counted up to
    // just past `limit`.
    double boxCells(const std::vector<IndexedObject>& objects,
                    const std::vector<std::shared_ptr<const PointInArea>>& locators, double limit) const {
        const double margin = this->margin();
        auto span = [&](const Box& b) {
            const auto [x0, y0, x1, y1] = cellsOf(b, margin);
            return static_cast<double>(x1 - x0 + 1) * static_cast<double>(y1 - y0 + 1);
        };
        double total = 0;
        for (std::size_t o = 0; o < objects.size() && total <= limit; ++o) {
            total += span(objects[o].envelope);
            if (!locators[o] || !objects[o].parts) continue;
            for (const auto& ring : *objects[o].parts)
                for (std::size_t i = 0; i + 1 < ring.size(); ++i) total += span(boxOf(ring[i], ring[i + 1]));
        }
        return total;
    }

    static Box boxOf(const LonLat& a, const LonLat& b) {
        return {std::min(a.lon, b.lon), std::min(a.lat, b.lat), std::max(a.lon, b.lon), std::max(a.lat, b.lat)};
    }

    // The first and last columns and rows of the cells that `b`, widened by `margin`, touches.
    std::array<std::size_t, 4> cellsOf(const Box& b, double margin) const {
        const auto [x0, y0] = cellOf(b.min_lon - margin, b.min_lat - margin);
        const auto [x1, y1] = cellOf(b.max_lon + margin, b.max_lat + margin);
        return {x0, y0, x1, y1};
    }

    std::pair<std::size_t, std::size_t> cellOf(double lon, double lat) const {
        auto index = [](double v, std::size_t n) {
            if (!(v > 0)) return std::size_t{0};
            return std::min(n - 1, static_cast<std::size_t>(v));
        };
        return {index((lon - extent_.min_lon) / cell_w_, nx_), index((lat - extent_.min_lat) / cell_h_, ny_)};
    }

    Box extent_;
    std::size_t nx_ = 1, ny_ = 1;
    double cell_w_ = 1, cell_h_ = 1;
    std::vector<std::uint32_t> start_;
    std::vector<std::uint32_t> objects_;
};

}  // namespace

struct AreaLocators::Impl {
    struct Entry {
        std::once_flag made;
        std::shared_ptr<const PointInArea> locator;
    };
    std::mutex mutex;
    std::map<const void*, std::unique_ptr<Entry>> entries;  // by the rings' address
};

AreaLocators::AreaLocators() : impl_(std::make_unique<Impl>()) {}

AreaLocators::~AreaLocators() = default;

std::shared_ptr<const PointInArea> AreaLocators::get(const std::vector<std::vector<LonLat>>& rings) {
    Impl::Entry* entry;
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        auto& slot = impl_->entries[&rings];
        if (!slot) slot = std::make_unique<Impl::Entry>();
        entry = slot.get();
    }
    // Outside the lock: other threads make other locators meanwhile, and wait only for this one.
    std::call_once(entry->made, [&] { entry->locator = std::make_shared<const PointInArea>(rings); });
    return entry->locator;
}

struct AreaIndex::Tree {
    BoxTree rtree;
    std::vector<std::shared_ptr<const PointInArea>> locators;  // per polygonal object; null for others
    std::unique_ptr<CellGrid> grid;                      // for point subjects
};

AreaIndex::AreaIndex(std::vector<IndexedObject> objects, AreaLocators* locators)
    : objects_(std::move(objects)), tree_(std::make_unique<Tree>()) {
    std::vector<BoxValue> values;
    values.reserve(objects_.size());
    for (std::size_t o = 0; o < objects_.size(); ++o)
        values.emplace_back(toBBox(objects_[o].envelope), static_cast<std::uint32_t>(o));
    tree_->rtree = BoxTree(values.begin(), values.end());
    GEOSContextHandle_t ctx = threadContext();
    tree_->locators.resize(objects_.size());
    for (std::size_t o = 0; o < objects_.size(); ++o) {
        const IndexedObject& obj = objects_[o];
        if (!obj.geometry || !obj.parts) continue;
        const int type = GEOSGeomTypeId_r(ctx, obj.geometry);
        if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON)
            tree_->locators[o] =
                locators ? locators->get(*obj.parts) : std::make_shared<const PointInArea>(*obj.parts);
    }
    tree_->grid = std::make_unique<CellGrid>(objects_, tree_->locators, ctx);
}

AreaIndex::~AreaIndex() = default;

namespace {

// The point a subject is, if it is one. A subject of the point family with an envelope of no extent is one point
// (or points on top of one another, which intersect where it does), at the envelope's corner; one part of one
// vertex is a point too (a line or a ring has more). Neither needs the GEOS geometry looked at.
std::optional<LonLat> pointOf(const Subject& subject) {
    if (subject.family == GeometryFamily::Point && subject.envelope.min_lon == subject.envelope.max_lon &&
        subject.envelope.min_lat == subject.envelope.max_lat)
        return LonLat{subject.envelope.min_lon, subject.envelope.min_lat};
    if (subject.parts && subject.parts->size() == 1 && subject.parts->front().size() == 1)
        return subject.parts->front().front();
    return std::nullopt;
}

}  // namespace

bool AreaIndex::intersects(std::size_t o, const Subject& subject, QueryScratch& scratch) const {
    // A point against a polygon: the engine's own locator, with GEOS's answer. Anything else: GEOS.
    if (tree_->locators[o]) {
        if (const auto q = pointOf(subject)) {
            const Box& e = objects_[o].envelope;
            if (q->lon < e.min_lon || q->lon > e.max_lon || q->lat < e.min_lat || q->lat > e.max_lat) return false;
            return tree_->locators[o]->intersects(scratch.geos(), *q);
        }
    }
    return scratch.intersects(o, objects_[o].geometry, subject.geometry);
}

std::vector<std::size_t> AreaIndex::intersecting(const Subject& subject, QueryScratch& scratch) const {
    const auto q = tree_->grid->usable() ? pointOf(subject) : std::nullopt;
    if (q) {  // the grid's cell, not the R-tree; objects come ascending
        std::vector<std::size_t> out;
        for (auto [e, end] = tree_->grid->at(*q); e != end; ++e)
            if (!(*e & 1) || intersects(*e >> 1, subject, scratch)) out.push_back(*e >> 1);
        return out;
    }
    std::vector<BoxValue>& found = scratch.buffers().found;
    found.clear();
    tree_->rtree.query(bgi::intersects(toBBox(subject.envelope)), std::back_inserter(found));
    std::vector<std::size_t> out;
    for (const auto& [box, o] : found)
        if (intersects(o, subject, scratch)) out.push_back(o);
    std::sort(out.begin(), out.end());
    return out;
}

bool AreaIndex::intersectsAny(const Subject& subject, QueryScratch& scratch) const {
    const auto q = tree_->grid->usable() ? pointOf(subject) : std::nullopt;
    if (q) {
        for (auto [e, end] = tree_->grid->at(*q); e != end; ++e)
            if (!(*e & 1) || intersects(*e >> 1, subject, scratch)) return true;
        return false;
    }
    std::vector<BoxValue>& found = scratch.buffers().found;
    found.clear();
    tree_->rtree.query(bgi::intersects(toBBox(subject.envelope)), std::back_inserter(found));
    for (const auto& [box, o] : found)
        if (intersects(o, subject, scratch)) return true;
    return false;
}

double area(GEOSContextHandle_t ctx, const GEOSGeometry* g, const Geodesic& geodesic) {
    double total = 0;
    for (const auto& polygon : polygonsOf(ctx, g)) total += geodesic.polygonArea(polygon);
    return total;
}

double overlapArea(GEOSContextHandle_t ctx, const GEOSGeometry* subject, const GEOSGeometry* object,
                   const Geodesic& geodesic) {
    GEOSGeometry* common = GEOSIntersection_r(ctx, subject, object);
    if (!common) throw std::runtime_error("GEOS could not intersect a footprint with a zone");
    const double a = area(ctx, common, geodesic);
    GEOSGeom_destroy_r(ctx, common);
    return a;
}

}  // namespace ecozone::geo

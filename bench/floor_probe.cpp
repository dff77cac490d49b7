// SPDX-License-Identifier: MIT
// The read floor and the minimal program of issue 5: how fast can anything answer "which facilities lie within D
// metres of a river's shoreline" on these files? It reads the facilities with GDAL (timed alone), reads the rivers,
// builds a Boost packed R-tree of river segments, and probes it once per facility with a planar check in a local
// metric frame (centreline distance less half the width). Single-threaded, no geodesics, no output file: a floor,
// not a tool.
//
//   ecozone_floor_probe --facilities FILE [--rivers FILE] [--distance M] [--ids OUT.txt]
//
// Prints one line `FLOOR key=value ...` (seconds) for bench/run, and a readable summary on stderr.

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

using Point = bg::model::point<double, 2, bg::cs::cartesian>;
using Box = bg::model::box<Point>;
using Value = std::pair<Box, std::uint32_t>;
using Tree = bgi::rtree<Value, bgi::rstar<16>>;

constexpr double kDeg = std::numbers::pi / 180;

struct Clock {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    double lap() {
        const auto now = std::chrono::steady_clock::now();
        const double s = std::chrono::duration<double>(now - start).count();
        start = now;
        return s;
    }
};

struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

DatasetPtr open(const std::string& file) {
    DatasetPtr ds(static_cast<GDALDataset*>(GDALOpenEx(file.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
    if (!ds || ds->GetLayerCount() < 1) throw std::runtime_error("cannot open " + file);
    return ds;
}

struct Facility {
    std::string id;
    double lon, lat;
};

struct Segment {
    double ax, ay, bx, by;  // lon/lat
    float half_width_m;
};

// Squared distance in metres from (px, py) to a segment, all in a local equirectangular frame.
double pointSegment2(double px, double py, double ax, double ay, double bx, double by) {
    const double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    const double t = len2 > 0 ? std::clamp(((px - ax) * dx + (py - ay) * dy) / len2, 0.0, 1.0) : 0.0;
    const double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return ex * ex + ey * ey;
}

}  // namespace

int main(int argc, char** argv) {
    std::string facilitiesFile, riversFile, idsFile;
    double distance = 1000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : "";
        if (a == "--facilities") facilitiesFile = v, ++i;
        else if (a == "--rivers") riversFile = v, ++i;
        else if (a == "--distance") distance = std::stod(v), ++i;
        else if (a == "--ids") idsFile = v, ++i;
        else {
            std::cerr << "usage: ecozone_floor_probe --facilities FILE [--rivers FILE] [--distance M] [--ids OUT]\n";
            return 2;
        }
    }
    if (facilitiesFile.empty()) {
        std::cerr << "ecozone_floor_probe: --facilities is required\n";
        return 2;
    }
    try {
        GDALAllRegister();
        Clock total, clock;

        // 1. The read floor: every facility's id and point through GDAL's feature API.
        std::vector<Facility> facilities;
        {
            DatasetPtr ds = open(facilitiesFile);
            OGRLayer* layer = ds->GetLayer(0);
            const int idField = layer->GetLayerDefn()->GetFieldIndex("id");
            while (OGRFeature* f = layer->GetNextFeature()) {
                const OGRGeometry* g = f->GetGeometryRef();
                if (g && wkbFlatten(g->getGeometryType()) == wkbPoint) {
                    const auto* p = g->toPoint();
                    facilities.push_back({idField >= 0 ? f->GetFieldAsString(idField) : std::to_string(f->GetFID()),
                                          p->getX(), p->getY()});
                }
                OGRFeature::DestroyFeature(f);
            }
        }
        const double readFacilities = clock.lap();
        if (riversFile.empty()) {
            std::printf("FLOOR facilities=%zu read_s=%.3f\n", facilities.size(), readFacilities);
            return 0;
        }

        // 2. Rivers cut into segments, boxed, in a packed R-tree (the range constructor packs).
        std::vector<Segment> segments;
        double maxHalfWidth = 0;
        {
            DatasetPtr ds = open(riversFile);
            OGRLayer* layer = ds->GetLayer(0);
            const int widthField = layer->GetLayerDefn()->GetFieldIndex("width_m");
            while (OGRFeature* f = layer->GetNextFeature()) {
                const double hw = widthField >= 0 && f->IsFieldSetAndNotNull(widthField)
                                      ? f->GetFieldAsDouble(widthField) / 2
                                      : 0.0;
                maxHalfWidth = std::max(maxHalfWidth, hw);
                const OGRGeometry* g = f->GetGeometryRef();
                auto addLine = [&](const OGRLineString* l) {
                    for (int k = 1; k < l->getNumPoints(); ++k)
                        segments.push_back({l->getX(k - 1), l->getY(k - 1), l->getX(k), l->getY(k),
                                            static_cast<float>(hw)});
                };
                if (g && wkbFlatten(g->getGeometryType()) == wkbLineString) addLine(g->toLineString());
                else if (g && wkbFlatten(g->getGeometryType()) == wkbMultiLineString)
                    for (const auto* part : *g->toMultiLineString()) addLine(part);
                OGRFeature::DestroyFeature(f);
            }
        }
        const double readRivers = clock.lap();
        std::vector<Value> values;
        values.reserve(segments.size());
        for (std::uint32_t i = 0; i < segments.size(); ++i) {
            const Segment& s = segments[i];
            values.emplace_back(Box{{std::min(s.ax, s.bx), std::min(s.ay, s.by)},
                                    {std::max(s.ax, s.bx), std::max(s.ay, s.by)}},
                                i);
        }
        const Tree tree(values.begin(), values.end());
        const double build = clock.lap();

        // 3. One probe per facility: the box within reach, then an exact planar test in a local metric frame.
        std::vector<const Facility*> hits;
        std::vector<Value> found;
        const double reach = distance + maxHalfWidth;
        for (const Facility& f : facilities) {
            const double ky = 110574.0, kx = 111320.0 * std::cos(f.lat * kDeg);
            const double dlat = reach / ky, dlon = reach / kx;
            found.clear();
            tree.query(bgi::intersects(Box{{f.lon - dlon, f.lat - dlat}, {f.lon + dlon, f.lat + dlat}}),
                       std::back_inserter(found));
            for (const auto& [box, i] : found) {
                const Segment& s = segments[i];
                const double limit = distance + s.half_width_m;
                const double d2 = pointSegment2(0, 0, (s.ax - f.lon) * kx, (s.ay - f.lat) * ky, (s.bx - f.lon) * kx,
                                                (s.by - f.lat) * ky);
                if (d2 <= limit * limit) {
                    hits.push_back(&f);
                    break;
                }
            }
        }
        const double probe = clock.lap();
        const double all = total.lap();
        if (!idsFile.empty()) {
            std::ofstream out(idsFile);
            for (const Facility* f : hits) out << f->id << "\n";
        }
        std::printf(
            "FLOOR facilities=%zu segments=%zu hits=%zu read_s=%.3f rivers_s=%.3f build_s=%.3f probe_s=%.3f "
            "total_s=%.3f\n",
            facilities.size(), segments.size(), hits.size(), readFacilities, readRivers, build, probe, all);
        std::cerr << "read " << facilities.size() << " facilities in " << readFacilities << " s; " << segments.size()
                  << " river segments read in " << readRivers << " s, indexed in " << build << " s; probed in "
                  << probe << " s: " << hits.size() << " within " << distance << " m\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "ecozone_floor_probe: " << e.what() << "\n";
        return 1;
    }
}

// SPDX-License-Identifier: MIT
// Deterministic synthetic Chongqing scenario for the benchmark: every layer of layers/schemas.toml as a GeoPackage
// in EPSG:4326, plus a layer set (layers.toml) binding them. The same seed and sizes give the same files' content.
// Facilities are streamed, so 10M of them need no more memory than 100k.
//
//   ecozone_gen_synthetic --out DIR [--facilities N] [--rivers N] [--reserves N] [--seed S] [--schemas FILE]

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr double kMinLon = 105.3, kMaxLon = 110.2, kMinLat = 28.2, kMaxLat = 32.2;
constexpr double kPi = std::numbers::pi;
constexpr double kMetresPerDegLat = 110900.0;

// xoshiro256** seeded by splitmix64: the same stream on every platform and standard library (std:: distributions
// are implementation-defined, so none are used).
class Random {
  public:
    explicit Random(std::uint64_t seed) {
        for (auto& w : s_) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            w = z ^ (z >> 31);
        }
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double a, double b) { return a + (b - a) * uniform(); }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(uniform() * static_cast<double>(n)); }
    double normal() {  // Box-Muller, one value per call
        const double u = std::max(uniform(), 1e-300), v = uniform();
        return std::sqrt(-2 * std::log(u)) * std::cos(2 * kPi * v);
    }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

struct LonLat {
    double lon, lat;
};

double metresPerDegLon(double lat) {
    return 111320.0 * std::cos(lat * kPi / 180);
}

LonLat offset(LonLat p, double eastM, double northM) {
    return {p.lon + eastM / metresPerDegLon(p.lat), p.lat + northM / kMetresPerDegLat};
}

bool inExtent(LonLat p, double marginDeg = 0) {
    return p.lon > kMinLon + marginDeg && p.lon < kMaxLon - marginDeg && p.lat > kMinLat + marginDeg &&
           p.lat < kMaxLat - marginDeg;
}

LonLat randomPoint(Random& r, double marginDeg = 0) {
    return {r.uniform(kMinLon + marginDeg, kMaxLon - marginDeg), r.uniform(kMinLat + marginDeg, kMaxLat - marginDeg)};
}

// ---------------------------------------------------------------------------------------------------------------
// GDAL output

struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

struct FieldSpec {
    const char* name;
    OGRFieldType type;
};

class GpkgLayer {
  public:
    GpkgLayer(const fs::path& file, const std::string& name, OGRwkbGeometryType type,
              const std::vector<FieldSpec>& fields) {
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
        if (!driver) throw std::runtime_error("GDAL has no GPKG driver");
        fs::remove(file);
        ds_.reset(driver->Create(file.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!ds_) throw std::runtime_error("cannot create " + file.string());
        OGRSpatialReference srs;
        srs.importFromEPSG(4326);
        srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        char** options = nullptr;
        options = CSLSetNameValue(options, "SPATIAL_INDEX", "YES");
        layer_ = ds_->CreateLayer(name.c_str(), &srs, type, options);
        CSLDestroy(options);
        if (!layer_) throw std::runtime_error("cannot create layer " + name + " in " + file.string());
        for (const auto& f : fields) {
            OGRFieldDefn defn(f.name, f.type);
            if (layer_->CreateField(&defn) != OGRERR_NONE)
                throw std::runtime_error(std::string("cannot create field ") + f.name);
        }
        begin();
    }
    ~GpkgLayer() {
        if (ds_) ds_->CommitTransaction();
    }
    OGRFeature* blank() { return OGRFeature::CreateFeature(layer_->GetLayerDefn()); }
    void write(OGRFeature* f) {
        if (layer_->CreateFeature(f) != OGRERR_NONE) throw std::runtime_error("cannot write a feature");
        OGRFeature::DestroyFeature(f);
        if (++pending_ == 100000) {
            ds_->CommitTransaction();
            begin();
        }
    }

  private:
    void begin() {
        ds_->StartTransaction();
        pending_ = 0;
    }
    DatasetPtr ds_;
    OGRLayer* layer_ = nullptr;
    std::size_t pending_ = 0;
};

OGRLineString* lineOf(const std::vector<LonLat>& pts) {
    auto* line = new OGRLineString();
    line->setNumPoints(static_cast<int>(pts.size()), false);
    for (std::size_t i = 0; i < pts.size(); ++i) line->setPoint(static_cast<int>(i), pts[i].lon, pts[i].lat);
    return line;
}

OGRLinearRing* ringOf(const std::vector<LonLat>& pts) {
    auto* ring = new OGRLinearRing();
    ring->setNumPoints(static_cast<int>(pts.size()) + 1, false);
    for (std::size_t i = 0; i < pts.size(); ++i) ring->setPoint(static_cast<int>(i), pts[i].lon, pts[i].lat);
    ring->setPoint(static_cast<int>(pts.size()), pts[0].lon, pts[0].lat);
    return ring;
}

// ---------------------------------------------------------------------------------------------------------------
// Shapes

// A star-shaped outline: radius(θ) = R·(1 + Σ a_k sin(kθ + φ_k)), with Σ|a_k| < 0.75 so it stays positive, and
// angles strictly increasing, so the ring is simple. Many harmonics give a ragged, "surveyed" boundary.
struct Outline {
    std::vector<double> amp, phase;
    explicit Outline(Random& r) {
        const int harmonics = 24;
        double total = 0;
        for (int k = 1; k <= harmonics; ++k) {
            amp.push_back(r.uniform(0, 1) / std::pow(k, 1.1));
            phase.push_back(r.uniform(0, 2 * kPi));
            total += amp.back();
        }
        for (double& a : amp) a *= 0.7 / total;
    }
    double factor(double theta) const {
        double f = 1;
        for (std::size_t k = 0; k < amp.size(); ++k) f += amp[k] * std::sin((k + 1) * theta + phase[k]);
        return f;
    }
};

// Points of a ring at radius radii[i] metres along angle i·2π/n around `centre`.
std::vector<LonLat> ringAt(LonLat centre, const std::vector<double>& radii) {
    std::vector<LonLat> out;
    const std::size_t n = radii.size();
    for (std::size_t i = 0; i < n; ++i) {
        const double t = 2 * kPi * static_cast<double>(i) / static_cast<double>(n);
        out.push_back(offset(centre, radii[i] * std::cos(t), radii[i] * std::sin(t)));
    }
    return out;
}

std::vector<double> radiiOf(const Outline& o, double radiusM, std::size_t n) {
    std::vector<double> r(n);
    for (std::size_t i = 0; i < n; ++i) r[i] = radiusM * o.factor(2 * kPi * static_cast<double>(i) / n);
    return r;
}

// A meandering line: a correlated random walk with steps of `stepM` metres whose heading is pulled towards
// `heading0` (so it travels) and swings around it (so it meanders).
std::vector<LonLat> meander(Random& r, LonLat start, double heading0, std::size_t vertices, double stepM,
                            double swing) {
    std::vector<LonLat> out{start};
    double heading = heading0, turn = 0;
    for (std::size_t i = 1; i < vertices; ++i) {
        turn = 0.9 * turn + swing * r.normal() - 0.02 * (heading - heading0);
        heading += turn;
        LonLat next = offset(out.back(), stepM * std::cos(heading), stepM * std::sin(heading));
        if (!inExtent(next, 0.01)) {
            heading0 += kPi / 2;  // turn back into the extent
            heading = heading0;
            turn = 0;
            next = offset(out.back(), stepM * std::cos(heading), stepM * std::sin(heading));
            if (!inExtent(next, 0.005)) break;
        }
        out.push_back(next);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------

struct Options {
    fs::path out;
    std::uint64_t facilities = 100000;
    std::size_t rivers = 3000;
    std::size_t reserves = 300;
    std::uint64_t seed = 20240605;
    fs::path schemas;
};

struct River {
    std::vector<LonLat> line;
};

const char* kCategories[] = {"chemical_project", "chemical_park", "tailings_pond", "open_pit_mine",
                             "hydropower",       "sand_mining",   "sewage_outlet", "livestock_farm",
                             "aquaculture",      "industrial_project", "building",  "other"};
// Relative weights: chemical/tailings/mines/industry common enough that every distance rule has thousands of
// subjects at 100k.
const double kCategoryWeights[] = {8, 3, 5, 6, 5, 5, 8, 10, 8, 12, 20, 10};
const char* kStatuses[] = {"planned", "new", "rebuild", "expansion", "existing", "abandoned", "closed"};
const double kStatusWeights[] = {15, 15, 8, 10, 30, 14, 8};

template <std::size_t N>
std::size_t weighted(Random& r, const double (&w)[N]) {
    double total = 0;
    for (double x : w) total += x;
    double u = r.uniform() * total;
    for (std::size_t i = 0; i < N; ++i) {
        if (u < w[i]) return i;
        u -= w[i];
    }
    return N - 1;
}

std::vector<River> writeRivers(const Options& o, Random& r) {
    GpkgLayer out(o.out / "rivers.gpkg", "rivers", wkbLineString,
                  {{"id", OFTString}, {"name", OFTString}, {"width_m", OFTReal}, {"yangtze_mainstream", OFTInteger},
                   {"yangtze_tributary", OFTInteger}, {"important_tributary", OFTInteger},
                   {"main_tributary_list", OFTInteger}});
    std::vector<River> rivers;
    auto emit = [&](const std::vector<LonLat>& line, const std::string& name, double width, int mainstream,
                    int tributary, int important, int mainList) {
        OGRFeature* f = out.blank();
        f->SetField("id", ("R" + std::to_string(rivers.size() + 1)).c_str());
        f->SetField("name", name.c_str());
        if (width > 0) f->SetField("width_m", width);
        f->SetField("yangtze_mainstream", mainstream);
        f->SetField("yangtze_tributary", tributary);
        f->SetField("important_tributary", important);
        f->SetField("main_tributary_list", mainList);
        f->SetGeometryDirectly(lineOf(line));
        out.write(f);
        rivers.push_back({line});
    };
    // The Yangtze: west to east across the extent, about 150 m between vertices, many thousands of vertices.
    const auto yangtze = meander(r, {kMinLon + 0.02, 29.0}, 0.18, 7000, 110, 0.02);
    emit(yangtze, "长江", 1200, 1, 0, 0, 0);
    // Named tributaries leave from the mainstream: the Jialing north, the Wujiang south-east (important, and on
    // the national main-tributary list), then other long ones.
    const LonLat jialingMouth = yangtze[yangtze.size() * 25 / 100];
    emit(meander(r, jialingMouth, kPi / 2 - 0.3, 5000, 110, 0.025), "嘉陵江", 500, 0, 1, 1, 1);
    const LonLat wujiangMouth = yangtze[yangtze.size() * 45 / 100];
    emit(meander(r, wujiangMouth, -0.5, 5000, 110, 0.025), "乌江", 400, 0, 1, 1, 1);
    for (int k = 0; k < 20; ++k) {
        const LonLat mouth = yangtze[r.below(yangtze.size())];
        const double heading = (r.uniform() < 0.5 ? kPi / 2 : -kPi / 2) + r.uniform(-0.6, 0.6);
        emit(meander(r, mouth, heading, 1500 + r.below(2500), 120, 0.03), "支流" + std::to_string(k + 1),
             r.uniform(80, 300), 0, 1, 0, 0);
    }
    // Small rivers everywhere; a third of them listed as Yangtze tributaries; some without a width.
    while (rivers.size() < o.rivers) {
        const std::size_t n = 30 + static_cast<std::size_t>(std::pow(r.uniform(), 3) * 1500);
        const auto line = meander(r, randomPoint(r, 0.05), r.uniform(0, 2 * kPi), n, r.uniform(60, 150), 0.05);
        if (line.size() < 2) continue;
        const bool listed = r.uniform() < 0.33;
        const double width = r.uniform() < 0.2 ? 0 : r.uniform(5, 60);
        emit(line, "河" + std::to_string(rivers.size() + 1), width, 0, listed ? 1 : 0, 0, 0);
    }
    return rivers;
}

void writeReserves(const Options& o, Random& r) {
    GpkgLayer out(o.out / "reserves.gpkg", "reserves", wkbPolygon,
                  {{"id", OFTString}, {"reserve", OFTString}, {"level", OFTString}, {"zone", OFTString}});
    const char* levels[] = {"national", "municipal", "county"};
    for (std::size_t k = 0; k < o.reserves; ++k) {
        const LonLat centre = randomPoint(r, 0.3);
        const Outline shape(r);
        const std::size_t n = 400 + r.below(1600);
        const double core = r.uniform(1500, 6000);
        std::vector<double> inner = radiiOf(shape, core, n);
        // Buffer and experimental rings lie outside the core by a varying positive margin, so the three zones
        // are nested, disjoint, and share their boundaries exactly.
        const Outline b(r), e(r);
        std::vector<double> buffer(n), experimental(n);
        const double bw = r.uniform(800, 3000), ew = r.uniform(1000, 5000);
        for (std::size_t i = 0; i < n; ++i) {
            const double t = 2 * kPi * static_cast<double>(i) / n;
            buffer[i] = inner[i] + bw * (0.3 + 0.7 * b.factor(t));
            experimental[i] = buffer[i] + ew * (0.3 + 0.7 * e.factor(t));
        }
        const auto ringCore = ringAt(centre, inner), ringBuffer = ringAt(centre, buffer),
                   ringExp = ringAt(centre, experimental);
        const std::string name = "保护区" + std::to_string(k + 1);
        const char* level = levels[r.below(3)];
        auto emit = [&](const char* zone, const std::vector<LonLat>& outer, const std::vector<LonLat>* hole) {
            OGRFeature* f = out.blank();
            f->SetField("id", ("Z" + std::to_string(k + 1) + "-" + zone).c_str());
            f->SetField("reserve", name.c_str());
            f->SetField("level", level);
            f->SetField("zone", zone);
            auto* poly = new OGRPolygon();
            poly->addRingDirectly(ringOf(outer));
            if (hole) poly->addRingDirectly(ringOf(*hole));
            f->SetGeometryDirectly(poly);
            out.write(f);
        };
        emit("core", ringCore, nullptr);
        emit("buffer", ringBuffer, &ringCore);
        emit("experimental", ringExp, &ringBuffer);
    }
}

// Star-shaped polygons of complex outline; `near` (when not empty) places them on a river.
void writeZones(const fs::path& file, const std::string& layer, const std::vector<FieldSpec>& fields,
                std::size_t count, double minR, double maxR, Random& r, const std::vector<River>* near,
                const std::function<void(OGRFeature*, std::size_t)>& attributes) {
    GpkgLayer out(file, layer, wkbPolygon, fields);
    for (std::size_t k = 0; k < count; ++k) {
        LonLat centre = randomPoint(r, 0.2);
        if (near) {
            const auto& river = (*near)[r.below(std::min<std::size_t>(near->size(), 23))].line;
            centre = river[r.below(river.size())];
        }
        const Outline shape(r);
        const std::size_t n = 100 + r.below(700);
        OGRFeature* f = out.blank();
        attributes(f, k);
        auto* poly = new OGRPolygon();
        poly->addRingDirectly(ringOf(ringAt(centre, radiiOf(shape, r.uniform(minR, maxR), n))));
        f->SetGeometryDirectly(poly);
        out.write(f);
    }
}

void writeFacilities(const Options& o, Random& r, const std::vector<River>& rivers) {
    GpkgLayer out(o.out / "facilities.gpkg", "facilities", wkbPoint,
                  {{"id", OFTString}, {"name", OFTString}, {"category", OFTString}, {"status", OFTString}});
    // Vertices of the long rivers, to put a share of the facilities along the banks (as real ones are).
    std::vector<LonLat> banks;
    for (std::size_t i = 0; i < std::min<std::size_t>(rivers.size(), 23); ++i)
        banks.insert(banks.end(), rivers[i].line.begin(), rivers[i].line.end());
    char id[32];
    for (std::uint64_t k = 0; k < o.facilities; ++k) {
        LonLat p;
        const double where = r.uniform();
        if (where < 0.25 && !banks.empty()) {
            // Within ~12 km of a long river, denser near it.
            const LonLat b = banks[r.below(banks.size())];
            const double d = 12000 * r.uniform() * r.uniform(), t = r.uniform(0, 2 * kPi);
            p = offset(b, d * std::cos(t), d * std::sin(t));
            if (!inExtent(p)) p = b;
        } else {
            p = randomPoint(r);
        }
        std::snprintf(id, sizeof id, "F%09llu", static_cast<unsigned long long>(k + 1));
        OGRFeature* f = out.blank();
        f->SetField("id", id);
        f->SetField("name", id + 1);
        f->SetField("category", kCategories[weighted(r, kCategoryWeights)]);
        f->SetField("status", kStatuses[weighted(r, kStatusWeights)]);
        f->SetGeometryDirectly(new OGRPoint(p.lon, p.lat));
        out.write(f);
    }
}

void writeLayerSet(const Options& o) {
    std::ofstream t(o.out / "layers.toml");
    t << "# Synthetic Chongqing scenario written by ecozone_gen_synthetic (seed " << o.seed << ", " << o.facilities
      << " facilities). Paths are relative to this file.\n";
    t << "schemas = \"" << fs::absolute(o.schemas).lexically_normal().string() << "\"\n";
    const std::pair<const char*, const char*> layers[] = {
        {"redlines", "redline"},       {"reserves", "reserve_zone"},   {"rivers", "river"},
        {"water_sources", "water_source"}, {"no_breeding", "zone"},    {"drawdown", "zone"},
        {"industrial_parks", "zone"},  {"urban_areas", "zone"},        {"facilities", "facility"}};
    for (const auto& [name, schema] : layers)
        t << "\n[layers." << name << "]\nschema = \"" << schema << "\"\nsource = \"" << name << ".gpkg\"\nlayer = \""
          << name << "\"\n";
}

Options parse(int argc, char** argv) {
    Options o;
    auto suffixed = [](std::string v) {
        double m = 1;
        if (!v.empty() && (v.back() == 'k' || v.back() == 'K')) m = 1e3, v.pop_back();
        else if (!v.empty() && (v.back() == 'm' || v.back() == 'M')) m = 1e6, v.pop_back();
        return static_cast<std::uint64_t>(std::stod(v) * m);
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
            return argv[++i];
        };
        if (a == "--out") o.out = value();
        else if (a == "--facilities") o.facilities = suffixed(value());
        else if (a == "--rivers") o.rivers = suffixed(value());
        else if (a == "--reserves") o.reserves = suffixed(value());
        else if (a == "--seed") o.seed = std::stoull(value());
        else if (a == "--schemas") o.schemas = value();
        else throw std::invalid_argument("unknown option " + a);
    }
    if (o.out.empty()) throw std::invalid_argument("--out DIR is required");
    if (o.schemas.empty()) o.schemas = fs::path(ECOZONE_SOURCE_DIR) / "layers" / "schemas.toml";
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse(argc, argv);
        GDALAllRegister();
        CPLSetConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
        fs::create_directories(o.out);
        const auto start = std::chrono::steady_clock::now();
        // One stream per layer, so a layer's content does not depend on the sizes of the others.
        Random riverRandom(o.seed), reserveRandom(o.seed + 1), zoneRandom(o.seed + 2), facilityRandom(o.seed + 3);
        const auto rivers = writeRivers(o, riverRandom);
        writeReserves(o, reserveRandom);
        auto named = [](const char* prefix, const char* kind) {
            return [prefix, kind](OGRFeature* f, std::size_t k) {
                const std::string id = std::string(prefix) + std::to_string(k + 1);
                f->SetField("id", id.c_str());
                f->SetField("name", id.c_str());
                if (kind) f->SetField("kind", kind);
            };
        };
        const std::vector<FieldSpec> zoneFields{{"id", OFTString}, {"name", OFTString}, {"kind", OFTString}};
        writeZones(o.out / "redlines.gpkg", "redlines", {{"id", OFTString}, {"name", OFTString}, {"function", OFTString}},
                   150, 4000, 15000, zoneRandom, nullptr, [](OGRFeature* f, std::size_t k) {
                       const char* functions[] = {"water_conservation", "biodiversity", "soil_conservation", "other"};
                       const std::string id = "RL" + std::to_string(k + 1);
                       f->SetField("id", id.c_str());
                       f->SetField("name", id.c_str());
                       f->SetField("function", functions[k % 4]);
                   });
        writeZones(o.out / "water_sources.gpkg", "water_sources",
                   {{"id", OFTString}, {"name", OFTString}, {"grade", OFTString}}, 600, 500, 3000, zoneRandom,
                   &rivers, [](OGRFeature* f, std::size_t k) {
                       const char* grades[] = {"grade1", "grade2", "quasi"};
                       const std::string id = "WS" + std::to_string(k + 1);
                       f->SetField("id", id.c_str());
                       f->SetField("name", id.c_str());
                       f->SetField("grade", grades[k % 3]);
                   });
        writeZones(o.out / "no_breeding.gpkg", "no_breeding", zoneFields, 300, 2000, 8000, zoneRandom, nullptr,
                   named("NB", "no_breeding"));
        writeZones(o.out / "drawdown.gpkg", "drawdown", zoneFields, 200, 500, 2500, zoneRandom, &rivers,
                   named("DD", "drawdown"));
        writeZones(o.out / "industrial_parks.gpkg", "industrial_parks", zoneFields, 250, 1000, 5000, zoneRandom,
                   nullptr, named("IP", "industrial_park"));
        writeZones(o.out / "urban_areas.gpkg", "urban_areas", zoneFields, 60, 3000, 15000, zoneRandom, nullptr,
                   named("UA", "urban"));
        writeFacilities(o, facilityRandom, rivers);
        writeLayerSet(o);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cerr << "wrote " << o.facilities << " facilities, " << rivers.size() << " rivers, " << o.reserves
                  << " reserves to " << o.out.string() << " in " << s << " s\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "ecozone_gen_synthetic: " << e.what() << "\n";
        return 2;
    }
}

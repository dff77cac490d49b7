// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "geo/geos.hpp"
#include "layers/layer_set.hpp"
#include "layers/schema.hpp"

class OGRFeatureQuery;

namespace ecozone::layers {

// One feature as the engine sees it: validated, repaired, reprojected to WGS84 longitude/latitude.
struct Feature {
    int64_t fid = 0;          // the source's feature id
    std::string id;           // the schema's id field, or the fid
    std::string name;         // the schema's name field ("" when none)
    std::string klass;        // the schema's class field: zone, grade, category ...
    std::string status;       // the schema's status field
    double half_width_m = 0;  // half the river width, for centerlines with a width
    geo::GeometryFamily family = geo::GeometryFamily::Empty;
    bool point = false;  // a single 2D point (not a multipoint), at the corner of `envelope`
    geo::GeomPtr geometry;
    geo::Box envelope;
    std::vector<std::vector<geo::LonLat>> parts;  // vertex sequences, for distances
};

struct SkippedFeature {
    int64_t fid;
    std::string id;  // the id field's value when the feature has one
    std::string reason;
};

struct RepairedFeature {
    int64_t fid;
    std::string id;  // the id field's value when the feature has one
    std::string what;
};

// Every feature read is used or skipped, and the repairs among the used ones are listed.
struct LoadStats {
    std::size_t read = 0;
    std::size_t used = 0;
    std::size_t filtered = 0;  // excluded by the layer set's `where`
    std::vector<SkippedFeature> skipped;
    std::vector<RepairedFeature> repaired;
    std::vector<std::string> warnings;  // about the layer as a whole (CRS, encoding), also logged
};

class AttributeTable;

// A loaded layer. Immutable once loaded, except that `select` serialises on the attribute table.
class Layer {
  public:
    Layer(LayerBinding binding, const Schema& schema);
    ~Layer();
    Layer(const Layer&) = delete;
    Layer& operator=(const Layer&) = delete;

    const std::string& name() const { return binding_.name; }
    const LayerBinding& binding() const { return binding_; }
    const Schema& schema() const { return *schema_; }
    const std::vector<Feature>& features() const { return features_; }
    const LoadStats& stats() const { return stats_; }
    // "facilities (data-samples/facilities.geojson)"
    std::string describe() const;

    // The indices of the features that match an OGR SQL attribute filter (empty: all). Throws with the filter's
    // text and `context` (e.g. the rule and catalogue line) when GDAL cannot parse it.
    std::vector<std::size_t> select(const std::string& where, const std::string& context) const;
    // Several filters at once, in one pass over the rows: out[k] are the features that match filters[k].
    struct Filter {
        std::string where;
        std::string context;
    };
    std::vector<std::vector<std::size_t>> selectEach(const std::vector<Filter>& filters) const;
    // Throws as select() would on a filter GDAL cannot parse, without evaluating it.
    void checkFilter(const std::string& where, const std::string& context) const;

  private:
    void compile(OGRFeatureQuery& query, const std::string& where, const std::string& context) const;
    friend class LayerLoader;
    friend class LayerStream;
    LayerBinding binding_;
    const Schema* schema_;
    std::vector<Feature> features_;
    LoadStats stats_;
    std::unique_ptr<AttributeTable> attributes_;
    mutable std::mutex select_mutex_;
};

// A layer read in parts, for a subject layer too large to hold at once: each part holds at most a given number of
// features, read, validated, repaired and counted as a whole layer would be (its indices start at 0). When the
// whole source fits in the first part, that part is exactly what loadLayer() reads; otherwise the checks over the
// layer as a whole (area of use, datum, encoding) look at the first part.
class LayerStream {
  public:
    LayerStream(const LayerBinding& binding, const Schema& schema);
    ~LayerStream();
    LayerStream(const LayerStream&) = delete;
    LayerStream& operator=(const LayerStream&) = delete;

    // The next part, or null when the source is done: the one prefetch() started, if it did.
    std::unique_ptr<Layer> next(std::size_t max_features);
    // Starts reading the next part on a thread of its own, while the caller works on the last one. Its messages,
    // and any error, come out of next().
    void prefetch(std::size_t max_features);
    // Neither while a prefetched part is pending.
    bool done() const;
    // Once done after several parts: a layer without features whose counts (read, used, filtered, skipped,
    // repaired, warnings) are every part's, for summaries and reports. Null otherwise.
    std::unique_ptr<Layer> totals();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Opens the source, checks it against the schema (missing fields are errors; per-feature problems are skips),
// repairs invalid geometries with GEOS and reprojects to WGS84 longitude/latitude.
std::unique_ptr<Layer> loadLayer(const LayerBinding& binding, const Schema& schema);

// All the layers of a set that are named in `names`, keyed by name.
using LayerMap = std::map<std::string, std::unique_ptr<Layer>>;

}  // namespace ecozone::layers

namespace ecozone::layers {
// Loads the named layers of a set, in order, and returns them keyed by name, its web-map offsets checked.
LayerMap loadLayers(const LayerSet& set, const std::vector<std::string>& names);

// The same, but the layers named in `streamable` are read in parts of at most `part_features` features: the map
// holds their first part, and `streams` the stream of each that did not fit in it (none when all fit). The first
// stream is already reading its next part (LayerStream::prefetch). The web-map offsets are left to the caller,
// who may check them beside other work.
using LayerStreams = std::map<std::string, std::unique_ptr<LayerStream>>;
LayerMap loadLayers(const LayerSet& set, const std::vector<std::string>& names,
                    const std::vector<std::string>& streamable, std::size_t part_features, LayerStreams& streams);

// Warns (and notes in the layer's warnings) when a point layer given no datum lies much nearer the other layers
// once converted from GCJ-02 or BD-09, the Chinese web maps' offset coordinates. It only reads the layers'
// features (and adds to their warnings), so it may run beside other readers of them.
void checkWebMapOffsets(const LayerMap& layers);

// Warnings for layers whose extent does not come near the other layers' (a wrong CRS moves a whole layer away).
std::vector<std::string> disjointLayers(const LayerMap& layers);

// Every skipped and repaired feature, with its layer, source, feature id and reason, as a table (CSV, GPKG ...).
void writeLoadReport(const std::filesystem::path& file, const LayerMap& layers);

// Throws a data error naming the first few repairs and skips, for --strict.
void requireClean(const LayerMap& layers);
}  // namespace ecozone::layers

// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geo/geodesic.hpp"
#include "geo/geos.hpp"
#include "layers/layer.hpp"
#include "rules/catalogue.hpp"
#include "rules/engine.hpp"

namespace ecozone::output {

// Everything a map draws, in WGS84 longitude/latitude, built once from a run (layers, catalogue, outcomes) and
// shared by the HTML and the static (PNG/SVG/PDF) writers, so both show the same thing.

using Ring = std::vector<geo::LonLat>;
using Polygon = std::vector<Ring>;  // exterior ring first, then holes

// What an area layer is, for its symbology; taken from the layer's schema.
enum class AreaKind { ReserveZone, RedLine, WaterSource, IndustrialPark, OtherZone };

struct MapArea {
    std::string id, name, klass;  // klass: zone (core/buffer/experimental), grade, function ...
    std::vector<Polygon> polygons;
};

struct MapAreaLayer {
    std::string name;    // the layer set's name: reserves, redlines ...
    std::string schema;  // the layer's schema: reserve_zone, redline ...
    AreaKind kind = AreaKind::OtherZone;
    std::vector<MapArea> areas;
};

struct MapRiver {
    std::string id, name;
    double width_m = 0;                           // 0: unknown (a centerline is then its own shoreline)
    std::vector<std::string> rules;               // the distance rules that measure from this river
    std::vector<std::vector<geo::LonLat>> lines;  // centerlines, or the outlines of a bank polygon
    std::vector<Polygon> polygons;                // bank/water-surface polygons
    std::vector<Polygon> water;                   // a centerline with a width, widened to its shoreline
};

// The set of points within `distance_m` of the shoreline of the rivers some distance rules measure from: a true
// geodesic buffer, computed piecewise in local azimuthal equidistant projections (see bufferShoreline).
struct MapBand {
    double distance_m = 0;
    std::string object_layer;
    std::vector<std::string> rules;  // the rules this band is the limit of
    std::vector<Polygon> polygons;
};

struct MapFacility {
    std::string id, name, klass, status;
    geo::LonLat at;                               // where its symbol goes (a point on the feature)
    std::vector<std::vector<geo::LonLat>> lines;  // line features
    std::vector<Polygon> polygons;                // footprints
    int worst_severity = -1;                      // -1: compliant; else 0 high, 1 medium, 2 low
};

struct MapViolation {
    std::size_t rule = 0;      // index into the catalogue
    std::size_t facility = 0;  // index into MapScene::facilities
    rules::Predicate predicate = rules::Predicate::Inside;
    std::string rule_id, title_zh, title_en, basis, action, severity;
    std::string object_layer, object_id, object_name, object_class;
    double distance_m = rules::kNoValue;
    double threshold_m = rules::kNoValue;
    geo::LonLat at;  // the marker: the subject's nearest point for distance rules, else the facility's symbol
    // For distance rules: from the subject's nearest point to the nearest point of the offending river's
    // shoreline.
    std::optional<std::pair<geo::LonLat, geo::LonLat>> connector;
};

struct MapScene {
    std::string title;                 // the catalogue's title
    std::string catalogue;             // the catalogue file's name
    std::vector<std::string> sources;  // "facilities: facilities.geojson", for the data note
    std::vector<MapAreaLayer> areas;   // in drawing order (lowest first)
    std::string river_layer;
    std::vector<MapRiver> rivers;
    std::vector<MapBand> bands;  // widest first
    std::string facility_layer;
    std::vector<MapFacility> facilities;
    std::vector<MapViolation> violations;  // in catalogue order, as `check` writes them
    geo::Box extent;                       // of everything drawn
    // Chinese labels of coded values (category, status, zone, grade ...), from the schemas' aliases.
    std::map<std::string, std::string> zh_labels;
};

struct MapSceneOptions {
    // Simplification of drawn outlines, in metres (0: none); bands use the larger of this and 0.5 % of their
    // distance. Distances in violations are always the engine's, never measured on simplified geometry.
    double simplify_m = 10;
};

MapScene buildMapScene(const rules::Catalogue& catalogue, const layers::LayerMap& layers,
                       const std::vector<rules::RuleOutcome>& outcomes, const MapSceneOptions& options);

// An area as a reader names it: the features of one area layer that share a name (a reserve's core, buffer and
// experimental zones are one reserve), for framing a map on it (`--area`, `--per-area`).
struct NamedArea {
    std::string layer;  // the layer set's name
    AreaKind kind = AreaKind::OtherZone;
    std::string id;    // the members' common id prefix (RZ-DBS for RZ-DBS-core, ...), or the one member's id
    std::string name;  // the features' name (their id when they have none)
    std::vector<std::string> member_ids;
    std::vector<Polygon> outline;  // the members' union
    geo::Box extent;
};
// Every named area of the scene's area layers, in layer order, then in the order of the layer's features.
std::vector<NamedArea> namedAreas(const MapScene& scene);

// The scene with one rule's violations only: the facilities that violate only other rules are left out, the
// others keep their worst severity under this rule (compliant ones stay, for context).
MapScene sceneForRule(const MapScene& scene, std::size_t rule);

// The extent of the given violations (their markers and connectors), widened to at least `min_span_m` across
// and then by `margin` (a share of its size) on each side.
geo::Box violationsExtent(const std::vector<MapViolation>& violations, double min_span_m = 3000,
                          double margin = 0.18);
// A box widened by `margin` of its size on each side, and to at least `min_span_m` across.
geo::Box widen(const geo::Box& box, double margin, double min_span_m);

// A name made safe for a file on any OS: ASCII letters, digits, `-`, `_` and `.` are kept, runs of anything
// else become one `_`, leading dots and underscores and trailing ones go; empty when nothing is left.
std::string safeFileStem(const std::string& text);

// Rank of a severity for drawing order and colour: high 0, medium 1, low 2, anything else 3.
int severityRank(const std::string& severity);

// The polygons covering every point within `distance_m` (geodesic metres) of the given shorelines: the lines
// are widened by their half width first (`half_widths_m`, one per line; a polygon part is taken as it is).
// Each line is cut into pieces of at most ~20 km; each piece is buffered by GEOS in an ellipsoidal azimuthal
// equidistant projection centred on the piece (exact for distances from the centre, and within a few parts per
// million across the piece), projected back, and the pieces are unioned. Vertices of the result are within
// distance_m ± max(tolerance_m, 0.1 % of distance_m) of the shoreline.
std::vector<Polygon> bufferShoreline(const std::vector<std::vector<geo::LonLat>>& lines,
                                     const std::vector<double>& half_widths_m,
                                     const std::vector<Polygon>& polygons, double distance_m, double tolerance_m);

// An ellipsoidal azimuthal equidistant projection centred on a point, from PROJ's geodesic routines: x east and
// y north in metres, the distance from the centre exact.
class LocalProjection {
  public:
    explicit LocalProjection(geo::LonLat centre);
    std::pair<double, double> forward(geo::LonLat p) const;
    geo::LonLat inverse(double x, double y) const;
    geo::LonLat centre() const { return centre_; }

  private:
    geo::LonLat centre_;
    geod_geodesic g_{};
};

}  // namespace ecozone::output

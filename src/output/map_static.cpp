// SPDX-License-Identifier: MIT
#include "output/map_static.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numbers>
#include <set>

#include "output/map_style.hpp"
#include "util/error.hpp"

namespace ecozone::output {

namespace {

using geo::LonLat;

const Rgba focusColour{0.30, 0.12, 0.45, 1};  // the framed area's outline: violet, unlike any layer

constexpr const char* kFontFamily = "Noto Sans CJK SC, Noto Sans CJK, Noto Sans, sans-serif";

struct CairoSurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct LayoutDeleter {
    void operator()(PangoLayout* l) const { g_object_unref(l); }
};

struct Rect {
    double x0, y0, x1, y1;
    bool overlaps(const Rect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
    bool inside(const Rect& o) const { return x0 >= o.x0 && x1 <= o.x1 && y0 >= o.y0 && y1 <= o.y1; }
};

void setColour(cairo_t* cr, const Rgba& c) {
    cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a);
}

// Text through Pango with a CJK font, sizes in user units (pixels for PNG, points for SVG/PDF).
class TextPainter {
  public:
    explicit TextPainter(cairo_t* cr) : cr_(cr), layout_(pango_cairo_create_layout(cr)) {
        pango_cairo_context_set_resolution(pango_layout_get_context(layout_.get()), 72);
        pango_layout_context_changed(layout_.get());
    }
    // Sets the text and font; returns the logical size.
    std::pair<double, double> set(const std::string& text, double size, bool bold = false, double wrap = 0) {
        PangoFontDescription* desc = pango_font_description_from_string(kFontFamily);
        pango_font_description_set_absolute_size(desc, size * PANGO_SCALE);
        if (bold) pango_font_description_set_weight(desc, PANGO_WEIGHT_BOLD);
        pango_layout_set_font_description(layout_.get(), desc);
        pango_font_description_free(desc);
        pango_layout_set_width(layout_.get(), wrap > 0 ? static_cast<int>(wrap * PANGO_SCALE) : -1);
        pango_layout_set_wrap(layout_.get(), PANGO_WRAP_WORD_CHAR);
        pango_layout_set_text(layout_.get(), text.c_str(), -1);
        int w = 0, h = 0;
        pango_layout_get_pixel_size(layout_.get(), &w, &h);
        return {w, h};
    }
    void draw(double x, double y, const Rgba& colour, double halo = 0) {
        cairo_save(cr_);
        cairo_move_to(cr_, x, y);
        if (halo > 0) {
            pango_cairo_layout_path(cr_, layout_.get());
            cairo_set_source_rgba(cr_, 1, 1, 1, 0.9);
            cairo_set_line_width(cr_, halo);
            cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
            cairo_stroke(cr_);
            cairo_move_to(cr_, x, y);
        }
        setColour(cr_, colour);
        pango_cairo_show_layout(cr_, layout_.get());
        cairo_restore(cr_);
    }

  private:
    cairo_t* cr_;
    std::unique_ptr<PangoLayout, LayoutDeleter> layout_;
};

// The map's projection and its placement in the frame.
class View {
  public:
    View(const geo::Box& box, const Rect& frame)
        : projection_({(box.min_lon + box.max_lon) / 2, (box.min_lat + box.max_lat) / 2}), frame_(frame) {
        double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
        for (int i = 0; i <= 32; ++i) {
            const double t = i / 32.0;
            for (const LonLat p : {LonLat{box.min_lon + t * (box.max_lon - box.min_lon), box.min_lat},
                                   LonLat{box.min_lon + t * (box.max_lon - box.min_lon), box.max_lat},
                                   LonLat{box.min_lon, box.min_lat + t * (box.max_lat - box.min_lat)},
                                   LonLat{box.max_lon, box.min_lat + t * (box.max_lat - box.min_lat)}}) {
                const auto [x, y] = projection_.forward(p);
                x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
            }
        }
        const double w = frame.x1 - frame.x0, h = frame.y1 - frame.y0;
        k_ = std::min(w / std::max(x1 - x0, 1.0), h / std::max(y1 - y0, 1.0)) * 0.96;
        cx_ = (x0 + x1) / 2, cy_ = (y0 + y1) / 2;
    }
    std::pair<double, double> toPage(LonLat p) const {
        const auto [x, y] = projection_.forward(p);
        return {(frame_.x0 + frame_.x1) / 2 + (x - cx_) * k_, (frame_.y0 + frame_.y1) / 2 - (y - cy_) * k_};
    }
    LonLat fromPage(double px, double py) const {
        return projection_.inverse((px - (frame_.x0 + frame_.x1) / 2) / k_ + cx_,
                                   ((frame_.y0 + frame_.y1) / 2 - py) / k_ + cy_);
    }
    double unitsPerMetre() const { return k_; }
    const LocalProjection& projection() const { return projection_; }

  private:
    LocalProjection projection_;
    Rect frame_;
    double k_ = 1, cx_ = 0, cy_ = 0;
};

void tracePath(cairo_t* cr, const View& view, const std::vector<LonLat>& line, bool close) {
    bool first = true;
    for (const auto& p : line) {
        const auto [x, y] = view.toPage(p);
        if (first)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
        first = false;
    }
    if (close && !first) cairo_close_path(cr);
}

void tracePolygons(cairo_t* cr, const View& view, const std::vector<Polygon>& polygons) {
    for (const auto& polygon : polygons)
        for (const auto& ring : polygon) tracePath(cr, view, ring, true);
}

void fillAndStroke(cairo_t* cr, const AreaStyle& style, double u) {
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    if (style.hatched) {
        // Hatching: clip to the area and draw diagonal lines across its extents.
        cairo_save(cr);
        cairo_clip_preserve(cr);
        double x0, y0, x1, y1;
        cairo_clip_extents(cr, &x0, &y0, &x1, &y1);
        cairo_new_path(cr);
        // Light and sparse, so that the zones beneath keep their own colour (a red line often covers a reserve).
        setColour(cr, {style.fill.r, style.fill.g, style.fill.b, 0.05});
        cairo_paint(cr);
        setColour(cr, {style.stroke.r, style.stroke.g, style.stroke.b, 0.32});
        cairo_set_line_width(cr, 0.7 * u);
        const double step = 11 * u;
        for (double s = x0 - (y1 - y0); s < x1; s += step) {
            cairo_move_to(cr, s, y1);
            cairo_line_to(cr, s + (y1 - y0), y0);
        }
        cairo_stroke(cr);
        cairo_restore(cr);
    } else {
        setColour(cr, style.fill);
        cairo_fill_preserve(cr);
    }
    setColour(cr, style.stroke);
    cairo_set_line_width(cr, style.stroke_px * u);
    if (style.dashed) {
        const double dash[] = {4 * u, 3 * u};
        cairo_set_dash(cr, dash, 2, 0);
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
}

void circle(cairo_t* cr, double x, double y, double r, const Rgba& fill, double u) {
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, r, 0, 2 * std::numbers::pi);
    setColour(cr, fill);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, 1.2 * u);
    cairo_stroke(cr);
}

// Whether a segment on the page crosses or lies in a rectangle (Liang–Barsky clipping).
bool segmentHits(const Rect& r, double x0, double y0, double x1, double y1) {
    double t0 = 0, t1 = 1;
    const auto clip = [&](double p, double q) {
        if (p == 0) return q >= 0;
        const double t = q / p;
        if (p < 0) {
            if (t > t1) return false;
            t0 = std::max(t0, t);
        } else {
            if (t < t0) return false;
            t1 = std::min(t1, t);
        }
        return true;
    };
    const double dx = x1 - x0, dy = y1 - y0;
    return clip(-dx, x0 - r.x0) && clip(dx, r.x1 - x0) && clip(-dy, y0 - r.y0) && clip(dy, r.y1 - y0);
}

// Visibility of geometry in the frame, decided on the page, where it is drawn: a line is visible when one of its
// segments crosses the frame, a polygon when one of its rings does or when it covers the frame (its rings hold
// the frame's centre, even-odd, holes excluded). Bounding boxes are not enough: a 10 km band's box covers much
// that the band does not.
class Visibility {
  public:
    Visibility(const View& view, const Rect& frame) : view_(view), frame_(frame) {}

    bool line(const std::vector<LonLat>& line) const {
        const auto page = project(line);
        if (page.size() == 1)
            return segmentHits(frame_, page[0].first, page[0].second, page[0].first, page[0].second);
        for (std::size_t i = 1; i < page.size(); ++i)
            if (segmentHits(frame_, page[i - 1].first, page[i - 1].second, page[i].first, page[i].second))
                return true;
        return false;
    }
    bool lines(const std::vector<std::vector<LonLat>>& lines) const {
        return std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return line(l); });
    }
    bool polygons(const std::vector<Polygon>& polygons) const {
        const double cx = (frame_.x0 + frame_.x1) / 2, cy = (frame_.y0 + frame_.y1) / 2;
        for (const auto& polygon : polygons) {
            bool inside = false;
            for (const auto& ring : polygon) {
                auto page = project(ring);
                if (page.empty()) continue;
                if (page.front() != page.back()) page.push_back(page.front());
                for (std::size_t i = 1; i < page.size(); ++i) {
                    const auto [xa, ya] = page[i - 1];
                    const auto [xb, yb] = page[i];
                    if (segmentHits(frame_, xa, ya, xb, yb)) return true;
                    if ((ya > cy) != (yb > cy) && cx < xa + (cy - ya) * (xb - xa) / (yb - ya)) inside = !inside;
                }
            }
            if (inside) return true;
        }
        return false;
    }
    bool point(LonLat p) const {
        const auto [x, y] = view_.toPage(p);
        return x >= frame_.x0 && x <= frame_.x1 && y >= frame_.y0 && y <= frame_.y1;
    }

  private:
    std::vector<std::pair<double, double>> project(const std::vector<LonLat>& line) const {
        std::vector<std::pair<double, double>> out;
        out.reserve(line.size());
        for (const auto& p : line) out.push_back(view_.toPage(p));
        return out;
    }
    const View& view_;
    Rect frame_;
};

// What of the scene the frame shows, for the legend and the counts (the drawing itself is clipped). Bands are
// left out: the legend takes them from the whole scene, so their styles keep their rank among all bands.
MapScene visiblePart(const MapScene& scene, const Visibility& visible) {
    MapScene out;
    out.title = scene.title;
    out.zh_labels = scene.zh_labels;
    for (const auto& f : scene.facilities)
        if (visible.point(f.at) || visible.polygons(f.polygons) || visible.lines(f.lines))
            out.facilities.push_back(f);
    for (const auto& layer : scene.areas) {
        MapAreaLayer copy{layer.name, layer.schema, layer.kind, {}};
        for (const auto& a : layer.areas)
            if (visible.polygons(a.polygons)) copy.areas.push_back({a.id, a.name, a.klass, {}});
        if (!copy.areas.empty()) out.areas.push_back(std::move(copy));
    }
    for (const auto& r : scene.rivers)
        if (visible.lines(r.lines) || visible.polygons(r.polygons) || visible.polygons(r.water)) {
            MapRiver copy;
            copy.rules = r.rules;
            out.rivers.push_back(std::move(copy));
        }
    for (const auto& v : scene.violations)
        if (visible.point(v.at)) out.violations.push_back(v);
    return out;
}

double niceLength(double metres) {
    const double e = std::pow(10.0, std::floor(std::log10(metres)));
    for (double m : {5.0, 2.0, 1.0})
        if (m * e <= metres) return m * e;
    return e;
}

void legendSymbol(cairo_t* cr, const LegendEntry& e, double x, double y, double u) {
    using Type = LegendEntry::Type;
    const double w = 22 * u, h = 13 * u;
    switch (e.type) {
        case Type::Area:
            cairo_rectangle(cr, x, y, w, h);
            fillAndStroke(cr, e.area, u);
            break;
        case Type::Line:
            cairo_move_to(cr, x, y + h * 0.75);
            cairo_curve_to(cr, x + w * 0.3, y, x + w * 0.6, y + h, x + w, y + h * 0.25);
            setColour(cr, e.colour);
            cairo_set_line_width(cr, e.size * u);
            cairo_stroke(cr);
            break;
        case Type::Circle:
            circle(cr, x + w / 2, y + h / 2, e.size * u, e.colour, u);
            break;
        case Type::Dash: {
            const double dash[] = {4 * u, 3 * u};
            cairo_set_dash(cr, dash, 2, 0);
            cairo_move_to(cr, x, y + h / 2);
            cairo_line_to(cr, x + w, y + h / 2);
            setColour(cr, e.colour);
            cairo_set_line_width(cr, e.size * u);
            cairo_stroke(cr);
            cairo_set_dash(cr, nullptr, 0, 0);
            break;
        }
    }
}

}  // namespace

std::optional<StaticFormat> staticFormatFor(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".png") return StaticFormat::Png;
    if (ext == ".svg") return StaticFormat::Svg;
    if (ext == ".pdf") return StaticFormat::Pdf;
    return std::nullopt;
}

StaticMapStats writeStaticMap(const std::filesystem::path& file, const MapScene& scene,
                              const StaticMapOptions& options) {
    const double W = options.width_px, H = options.height_px;
    const double u = std::min(W / 1600.0, H / 1200.0);  // sizes are designed for 1600 × 1200
    const bool zh = options.lang == Language::Zh;
    StaticMapStats stats;

    std::unique_ptr<cairo_surface_t, CairoSurfaceDeleter> surface;
    switch (options.format) {
        case StaticFormat::Png:
            surface.reset(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, options.width_px, options.height_px));
            break;
        case StaticFormat::Svg:
            surface.reset(cairo_svg_surface_create(file.c_str(), W, H));
            break;
        case StaticFormat::Pdf:
            surface.reset(cairo_pdf_surface_create(file.c_str(), W, H));
            break;
    }
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
        throw outputError("cannot write `" + file.string() +
                          "`: " + cairo_status_to_string(cairo_surface_status(surface.get())));
    if (options.format == StaticFormat::Pdf) {
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                       (options.title.empty() ? scene.title : options.title).c_str());
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "ecozone map");
    }
    std::unique_ptr<cairo_t, CairoDeleter> context(cairo_create(surface.get()));
    cairo_t* cr = context.get();
    TextPainter text(cr);
    const Rgba ink{0.13, 0.13, 0.13, 1}, grey{0.35, 0.35, 0.35, 1};

    // Page: title band, map frame, legend panel on the right, note line at the bottom.
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    const double margin = 24 * u, panel = 330 * u;
    const Rect frame{margin, 78 * u, W - margin - panel, H - 40 * u};
    const Rect panelRect{frame.x1 + 16 * u, frame.y0, W - margin, frame.y1};

    const geo::Box box = options.bbox.value_or(scene.extent);
    const View view(box, frame);
    const Visibility visibility(view, frame);
    const MapScene visible = visiblePart(scene, visibility);

    const std::string title = options.title.empty() ? (zh ? "生态分区与岸线管控问题分布图"
                                                          : "Ecological zoning and shoreline violations")
                                                    : options.title;
    auto [tw, th] = text.set(title, 26 * u, true);
    text.draw(margin, 16 * u, ink);
    std::string subtitle = scene.title + " · ";
    if (visible.violations.size() == scene.violations.size())
        subtitle += std::to_string(scene.violations.size()) + (zh ? " 处问题" : " violations");
    else
        subtitle += (zh ? "本图 " : "") + std::to_string(visible.violations.size()) +
                    (zh ? " 处问题（全部 " : " violations on this map (of ") +
                    std::to_string(scene.violations.size()) + (zh ? " 处）" : ")");
    text.set(subtitle, 14 * u, false, W - 2 * margin);
    text.draw(margin, 16 * u + th + 2 * u, grey);

    // The map, clipped to its frame.
    cairo_save(cr);
    cairo_rectangle(cr, frame.x0, frame.y0, frame.x1 - frame.x0, frame.y1 - frame.y0);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0.972, 0.965, 0.945);
    cairo_paint(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);

    // Bands under 1.5 units wide at this scale cannot be seen: they are left out, and out of the legend.
    // A band is shown when its outline crosses the frame or it covers the frame.
    const double minBandM = 1.5 / view.unitsPerMetre();
    std::vector<bool> bandShown(scene.bands.size(), false);
    for (std::size_t b = 0; b < scene.bands.size(); ++b) {
        if (scene.bands[b].distance_m < minBandM || !visibility.polygons(scene.bands[b].polygons)) continue;
        bandShown[b] = true;
        tracePolygons(cr, view, scene.bands[b].polygons);
        fillAndStroke(cr, bandStyle(b, scene.bands.size()), u);
    }
    for (const auto& layer : scene.areas) {
        if (layer.kind == AreaKind::OtherZone) continue;
        for (const auto& area : layer.areas) {
            tracePolygons(cr, view, area.polygons);
            fillAndStroke(cr, areaStyle(layer.kind, area.klass), u);
        }
    }
    // Water surfaces first (centerlines widened to their shorelines), then every centerline over them.
    cairo_set_source_rgb(cr, 0x9e / 255.0, 0xc9 / 255.0, 0xee / 255.0);
    for (const auto& river : scene.rivers) {
        tracePolygons(cr, view, river.water);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
        cairo_fill(cr);
    }
    for (const auto& river : scene.rivers) {
        const LineStyle s = riverStyle(river);
        for (const auto& line : river.lines) tracePath(cr, view, line, false);
        setColour(cr, s.colour);
        cairo_set_line_width(cr, s.width_px * u);
        cairo_stroke(cr);
        if (!river.polygons.empty()) {
            tracePolygons(cr, view, river.polygons);
            setColour(cr, {s.colour.r, s.colour.g, s.colour.b, 0.6});
            cairo_fill(cr);
        }
    }
    // The area the map is framed on: its outline, cased in white.
    if (!options.focus.empty()) {
        tracePolygons(cr, view, options.focus);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_set_line_width(cr, 5 * u);
        cairo_stroke_preserve(cr);
        setColour(cr, focusColour);
        cairo_set_line_width(cr, 2.4 * u);
        cairo_stroke(cr);
    }
    // Connectors, footprints, facilities, violations.
    {
        const double dash[] = {4 * u, 3 * u};
        cairo_set_dash(cr, dash, 2, 0);
        setColour(cr, connectorColour());
        cairo_set_line_width(cr, 1.5 * u);
        for (const auto& v : scene.violations) {
            if (!v.connector) continue;
            const auto [x0, y0] = view.toPage(v.connector->first);
            const auto [x1, y1] = view.toPage(v.connector->second);
            cairo_move_to(cr, x0, y0);
            cairo_line_to(cr, x1, y1);
        }
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
    }
    for (const auto& f : scene.facilities) {
        const Rgba c = f.worst_severity >= 0 ? severityColour(f.worst_severity) : compliantColour();
        if (!f.polygons.empty()) {
            tracePolygons(cr, view, f.polygons);
            fillAndStroke(cr, {{c.r, c.g, c.b, 0.3}, c, 1.2}, u);
        }
        for (const auto& line : f.lines) tracePath(cr, view, line, false);
        setColour(cr, c);
        cairo_set_line_width(cr, 2 * u);
        cairo_stroke(cr);
    }
    for (const auto& f : scene.facilities) {
        if (f.worst_severity >= 0) continue;
        const auto [x, y] = view.toPage(f.at);
        circle(cr, x, y, 3 * u, compliantColour(), u * 0.7);
    }
    // Violation symbols, highest severity on top; their boxes keep labels off them.
    std::vector<std::size_t> order(scene.violations.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return severityRank(scene.violations[a].severity) > severityRank(scene.violations[b].severity);
    });
    std::vector<Rect> obstacles;
    for (std::size_t i : order) {
        const auto& v = scene.violations[i];
        const int rank = severityRank(v.severity);
        const double r = severityRadiusPx(rank) * u;
        const auto [x, y] = view.toPage(v.at);
        circle(cr, x, y, r, severityColour(rank), u);
        if (x >= frame.x0 && x <= frame.x1 && y >= frame.y0 && y <= frame.y1) {
            ++stats.violation_symbols;
            ++stats.symbols_by_rule[v.rule_id];
        }
        obstacles.push_back({x - r, y - r, x + r, y + r});
    }

    // Labels: one per violating facility, the most severe first, at the first free place around its symbol.
    std::vector<std::size_t> labelled;
    std::set<std::size_t> seen;
    for (const auto& v : scene.violations)
        if (seen.insert(v.facility).second) labelled.push_back(v.facility);
    std::stable_sort(labelled.begin(), labelled.end(), [&](std::size_t a, std::size_t b) {
        return scene.facilities[a].worst_severity < scene.facilities[b].worst_severity;
    });
    const Rect inner{frame.x0 + 2 * u, frame.y0 + 2 * u, frame.x1 - 2 * u, frame.y1 - 2 * u};
    // Keep the scale bar and north arrow corners free.
    std::vector<Rect> placed{{frame.x0, frame.y1 - 60 * u, frame.x0 + 280 * u, frame.y1},
                             {frame.x1 - 70 * u, frame.y0, frame.x1, frame.y0 + 90 * u}};
    const double fontSize = 12.5 * u;
    for (std::size_t fi : labelled) {
        const auto& f = scene.facilities[fi];
        const std::string label = f.name.empty() ? f.id : f.name;
        const auto [w, h] = text.set(label, fontSize, f.worst_severity == 0);
        // Where the facility's violations are drawn (the first one's marker).
        LonLat at = f.at;
        for (const auto& v : scene.violations)
            if (v.facility == fi) {
                at = v.at;
                break;
            }
        const auto [x, y] = view.toPage(at);
        if (x < frame.x0 || x > frame.x1 || y < frame.y0 || y > frame.y1) continue;  // outside the extent drawn
        const double r = severityRadiusPx(f.worst_severity) * u + 2 * u;
        bool done = false;
        for (double reach : {1.0, 2.2, 3.6}) {
            const double d = r * reach + (reach > 1 ? 6 * u : 0);
            const std::pair<double, double> candidates[] = {{x + d, y - h / 2},
                                                            {x - d - w, y - h / 2},
                                                            {x + d * 0.7, y - d * 0.7 - h},
                                                            {x + d * 0.7, y + d * 0.7},
                                                            {x - d * 0.7 - w, y - d * 0.7 - h},
                                                            {x - d * 0.7 - w, y + d * 0.7},
                                                            {x - w / 2, y - d - h},
                                                            {x - w / 2, y + d}};
            for (const auto& [lx, ly] : candidates) {
                const Rect labelBox{lx - 1 * u, ly, lx + w + 1 * u, ly + h};
                if (!labelBox.inside(inner)) continue;
                if (std::any_of(placed.begin(), placed.end(), [&](const Rect& o) { return o.overlaps(labelBox); }))
                    continue;
                if (std::any_of(obstacles.begin(), obstacles.end(),
                                [&](const Rect& o) { return o.overlaps(labelBox); }))
                    continue;
                if (reach > 1) {
                    // A leader from the symbol to the label's nearest edge.
                    const double ex = std::clamp(x, labelBox.x0, labelBox.x1),
                                 ey = std::clamp(y, labelBox.y0, labelBox.y1);
                    const double len = std::hypot(ex - x, ey - y);
                    if (len > r) {
                        cairo_move_to(cr, x + (ex - x) * r / len, y + (ey - y) * r / len);
                        cairo_line_to(cr, ex, ey);
                        cairo_set_source_rgba(cr, 0.2, 0.2, 0.2, 0.8);
                        cairo_set_line_width(cr, 0.7 * u);
                        cairo_stroke(cr);
                    }
                }
                text.draw(lx, ly, f.worst_severity == 0 ? Rgba{0.45, 0, 0, 1} : ink, 3 * u);
                placed.push_back(labelBox);
                ++stats.labels;
                done = true;
                break;
            }
            if (done) break;
        }
        if (!done) ++stats.labels_dropped;
    }
    cairo_restore(cr);
    cairo_rectangle(cr, frame.x0, frame.y0, frame.x1 - frame.x0, frame.y1 - frame.y0);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 1 * u);
    cairo_stroke(cr);

    // Scale bar: a round length, its page length from the ellipsoid along the bar itself.
    {
        const geo::Geodesic geodesic;
        const double bx = frame.x0 + 18 * u, by = frame.y1 - 22 * u;
        const double target = 180 * u;
        const LonLat a = view.fromPage(bx, by), b = view.fromPage(bx + target, by);
        const double metresPerUnit = geodesic.distance(a, b) / target;
        const double length = niceLength(target * metresPerUnit);
        const double px = length / metresPerUnit;
        cairo_rectangle(cr, bx - 8 * u, by - 24 * u, px + 60 * u, 38 * u);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
        cairo_fill(cr);
        for (int i = 0; i < 4; ++i) {
            cairo_rectangle(cr, bx + px * i / 4, by, px / 4, 6 * u);
            if (i % 2 == 0)
                cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            else
                cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            cairo_set_line_width(cr, 0.8 * u);
            cairo_stroke(cr);
        }
        const auto label = [&](double value, double x) {
            const std::string s = value == 0 ? "0" : distanceLabel(value);
            const auto [w, h] = text.set(s, 11 * u);
            text.draw(x - w / 2, by - h - 2 * u, ink);
        };
        label(0, bx);
        label(length / 2, bx + px / 2);
        label(length, bx + px);
    }
    // North arrow: towards true north at the arrow's place.
    {
        const double nx = frame.x1 - 36 * u, ny = frame.y0 + 52 * u;
        const LonLat here = view.fromPage(nx, ny);
        const auto [x0, y0] = view.toPage(here);
        const auto [x1, y1] = view.toPage({here.lon, here.lat + 0.01});
        const double angle = std::atan2(x1 - x0, -(y1 - y0));
        cairo_save(cr);
        cairo_translate(cr, nx, ny);
        cairo_arc(cr, 0, -6 * u, 30 * u, 0, 2 * std::numbers::pi);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
        cairo_fill(cr);
        cairo_rotate(cr, angle);
        cairo_move_to(cr, 0, -22 * u);
        cairo_line_to(cr, 9 * u, 12 * u);
        cairo_line_to(cr, 0, 5 * u);
        cairo_close_path(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_fill(cr);
        cairo_move_to(cr, 0, -22 * u);
        cairo_line_to(cr, -9 * u, 12 * u);
        cairo_line_to(cr, 0, 5 * u);
        cairo_close_path(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_line_width(cr, 1 * u);
        cairo_stroke(cr);
        const auto [w, h] = text.set(zh ? "北" : "N", 14 * u, true);
        text.draw(-w / 2, -22 * u - h - 1 * u, ink);
        cairo_restore(cr);
    }

    // Legend panel.
    double y = panelRect.y0;
    {
        auto [w, h] = text.set(zh ? "图例" : "Legend", 16 * u, true);
        text.draw(panelRect.x0, y, ink);
        y += h + 6 * u;
    }
    // The visible part's entries, with the shown bands' entries (styled by their rank among all the scene's
    // bands, as drawn) after the areas'.
    std::vector<LegendEntry> legend = legendEntries(visible, options.lang);
    {
        MapScene bandsOnly;
        for (const auto& b : scene.bands) bandsOnly.bands.push_back({b.distance_m, b.object_layer, b.rules, {}});
        const auto all = legendEntries(bandsOnly, options.lang);  // one per band, in order
        std::vector<LegendEntry> shownBands;
        for (std::size_t b = 0; b < all.size() && b < bandShown.size(); ++b)
            if (bandShown[b]) shownBands.push_back(all[b]);
        std::size_t areas = 0;
        while (areas < legend.size() && legend[areas].type == LegendEntry::Type::Area) ++areas;
        legend.insert(legend.begin() + static_cast<std::ptrdiff_t>(areas), shownBands.begin(), shownBands.end());
    }
    if (!options.focus.empty())
        legend.push_back({LegendEntry::Type::Line,
                          {},
                          focusColour,
                          2.4,
                          zh ? "本图区域边界" : "Boundary of the area mapped",
                          ""});
    for (const auto& e : legend) {
        stats.legend.push_back(e.label);
        std::string label = e.label;
        if (!e.note.empty()) label += "  (" + e.note + ")";
        const auto [w, h] = text.set(label, 12 * u, false, panelRect.x1 - panelRect.x0 - 32 * u);
        const double rowHeight = std::max(h, 16 * u);
        legendSymbol(cr, e, panelRect.x0, y + (std::min(h, 18 * u) - 13 * u) / 2, u);
        text.draw(panelRect.x0 + 30 * u, y, ink);
        y += rowHeight + 5 * u;
    }
    // Violations per rule.
    y += 10 * u;
    {
        auto [w, h] = text.set(zh ? "问题统计（规则 · 处置 · 处数）" : "Violations by rule", 14 * u, true);
        text.draw(panelRect.x0, y, ink);
        y += h + 4 * u;
    }
    std::map<std::size_t, std::size_t> perRule;
    for (const auto& v : visible.violations) ++perRule[v.rule];
    for (const auto& [rule, count] : perRule) {
        const auto* first = &*std::find_if(visible.violations.begin(), visible.violations.end(),
                                           [&rule = rule](const MapViolation& v) { return v.rule == rule; });
        const std::string line =
            first->rule_id + " · " + actionLabel(first->action, options.lang) + " · " + std::to_string(count);
        const auto [w, h] = text.set(line, 12 * u);
        if (y + h > panelRect.y1) break;
        circle(cr, panelRect.x0 + 6 * u, y + h / 2, 4.5 * u, severityColour(severityRank(first->severity)), u);
        text.draw(panelRect.x0 + 18 * u, y, ink);
        y += h + 2 * u;
    }

    // Note: data, rules, projection, date.
    {
        std::string note = zh ? "数据：" : "Data: ";
        for (std::size_t i = 0; i < scene.sources.size(); ++i) note += (i ? ", " : "") + scene.sources[i];
        const LonLat c = view.projection().centre();
        char centre[64];
        std::snprintf(centre, sizeof centre, "%.2f°E %.2f°N", c.lon, c.lat);
        note +=
            (zh ? "。规则：" : ". Rules: ") + scene.catalogue +
            (zh ? "。WGS84/CGCS2000，等距方位投影（中心 " : ". WGS84/CGCS2000, azimuthal equidistant (centre ") +
            centre +
            (zh ? "），距离与管控带为椭球面真实米数。制图：ecozone "
                : "); distances and bands in true metres. ecozone ") +
            options.date;
        text.set(note, 10.5 * u, false, W - 2 * margin);
        text.draw(margin, frame.y1 + 8 * u, grey);
    }

    cairo_surface_flush(surface.get());
    if (options.format == StaticFormat::Png) {
        if (cairo_surface_write_to_png(surface.get(), file.c_str()) != CAIRO_STATUS_SUCCESS)
            throw outputError("cannot write `" + file.string() +
                              "`: check that its folder exists and is writable");
    } else {
        cairo_surface_finish(surface.get());
        if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
            throw outputError("cannot finish `" + file.string() +
                              "`: " + cairo_status_to_string(cairo_surface_status(surface.get())));
    }
    return stats;
}

}  // namespace ecozone::output

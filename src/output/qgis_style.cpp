// SPDX-License-Identifier: MIT
#include "output/qgis_style.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>

#include "output/map_style.hpp"
#include "output/markup.hpp"
#include "util/error.hpp"
#include "util/gdal_option.hpp"

namespace ecozone::output {

namespace {

using geo::GeometryFamily;

// QGIS colours: "r,g,b,a", 0-255.
std::string qgisColour(const Rgba& c, double alpha = -1) {
    auto v = [](double x) { return static_cast<int>(std::lround(std::clamp(x, 0.0, 1.0) * 255)); };
    return std::to_string(v(c.r)) + "," + std::to_string(v(c.g)) + "," + std::to_string(v(c.b)) + "," +
           std::to_string(v(alpha < 0 ? c.a : alpha));
}

// The static map's pixels (at its default size) as millimetres on a 96 dpi screen, QGIS's unit for symbols.
std::string mm(double px) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", px * 25.4 / 96.0);
    return buf;
}

using Props = std::vector<std::pair<std::string, std::string>>;

// One symbol layer, its properties written twice: as an <Option> map (QGIS 3.16 and later read it) and as
// <prop> elements (earlier QGIS 3 releases read only those); QGIS itself wrote both for several releases.
void symbolLayer(std::ostringstream& x, const char* klass, const Props& props) {
    x << "        <layer class=\"" << klass << "\" enabled=\"1\" locked=\"0\" pass=\"0\">\n";
    x << "          <Option type=\"Map\">\n";
    for (const auto& [k, v] : props)
        x << "            <Option name=\"" << k << "\" type=\"QString\" value=\"" << markupEscape(v) << "\"/>\n";
    x << "          </Option>\n";
    for (const auto& [k, v] : props) x << "          <prop k=\"" << k << "\" v=\"" << markupEscape(v) << "\"/>\n";
    x << "        </layer>\n";
}

const char* symbolType(GeometryFamily f) {
    return f == GeometryFamily::Point ? "marker" : f == GeometryFamily::Line ? "line" : "fill";
}

// A violation's symbol, as the static map draws it: a circle in the severity's colour with a white outline;
// a footprint filled translucent and outlined in the colour; a line stroked in the colour.
void symbol(std::ostringstream& x, int name, int rank, GeometryFamily family) {
    const Rgba c = severityColour(rank);
    x << "      <symbol type=\"" << symbolType(family) << "\" name=\"" << name
      << "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n";
    if (family == GeometryFamily::Point) {
        symbolLayer(x, "SimpleMarker",
                    {{"angle", "0"},
                     {"color", qgisColour(c)},
                     {"joinstyle", "bevel"},
                     {"name", "circle"},
                     {"offset", "0,0"},
                     {"offset_unit", "MM"},
                     {"outline_color", "255,255,255,255"},
                     {"outline_style", "solid"},
                     {"outline_width", mm(1.2)},
                     {"outline_width_unit", "MM"},
                     {"scale_method", "diameter"},
                     {"size", mm(2 * severityRadiusPx(rank))},
                     {"size_unit", "MM"}});
    } else if (family == GeometryFamily::Line) {
        symbolLayer(x, "SimpleLine",
                    {{"capstyle", "round"},
                     {"joinstyle", "round"},
                     {"line_color", qgisColour(c)},
                     {"line_style", "solid"},
                     {"line_width", mm(2)},
                     {"line_width_unit", "MM"},
                     {"offset", "0"},
                     {"offset_unit", "MM"}});
    } else {
        symbolLayer(x, "SimpleFill",
                    {{"color", qgisColour(c, 0.3)},
                     {"joinstyle", "bevel"},
                     {"offset", "0,0"},
                     {"offset_unit", "MM"},
                     {"outline_color", qgisColour(c)},
                     {"outline_style", "solid"},
                     {"outline_width", mm(1.2)},
                     {"outline_width_unit", "MM"},
                     {"style", "solid"}});
    }
    x << "      </symbol>\n";
}

const char* const kSeverities[] = {"high", "medium", "low"};

std::string severityText(int rank) {
    const std::string s = kSeverities[rank];
    return "严重程度 " + severityLabel(s, Language::Zh) + " / severity " + s;
}

const char* familyText(GeometryFamily f) {
    return f == GeometryFamily::Point ? "点 point" : f == GeometryFamily::Line ? "线 line" : "面 polygon";
}

const char* familyExpression(GeometryFamily f) {
    // QGIS's geometry_type(): 'Point', 'Line' or 'Polygon' (multi-part kinds included).
    return f == GeometryFamily::Point  ? "geometry_type($geometry) = 'Point'"
           : f == GeometryFamily::Line ? "geometry_type($geometry) = 'Line'"
                                       : "geometry_type($geometry) = 'Polygon'";
}

std::string severityFilter(int rank) {
    return "\"severity\" = '" + std::string(kSeverities[rank]) + "'";
}

// Labels: the facility's name with a white halo, around the symbol; high severity in bold dark red as on the
// static map. No font family is named: QGIS's default font, with its fallbacks for Chinese, is used.
void labeling(std::ostringstream& x, bool pointsOnly) {
    const std::string highExpr = markupEscape(severityFilter(0));
    const std::string colourExpr =
        markupEscape("CASE WHEN " + severityFilter(0) + " THEN '115,0,0,255' ELSE '33,33,33,255' END");
    x << "  <labeling type=\"simple\">\n"
         "    <settings calloutType=\"simple\">\n"
         "      <text-style fieldName=\"subject_name\" isExpression=\"0\" fontSize=\"9\" fontSizeUnit=\"Point\""
         " fontWeight=\"50\" fontItalic=\"0\" fontUnderline=\"0\" fontStrikeout=\"0\" textColor=\"33,33,33,255\""
         " textOpacity=\"1\" multilineHeight=\"1\" blendMode=\"0\">\n"
         "        <text-buffer bufferDraw=\"1\" bufferSize=\"0.6\" bufferSizeUnits=\"MM\""
         " bufferColor=\"255,255,255,255\" bufferOpacity=\"1\" bufferNoFill=\"1\" bufferJoinStyle=\"128\""
         " bufferBlendMode=\"0\"/>\n"
         "      </text-style>\n"
         "      <text-format wrapChar=\"\" autoWrapLength=\"0\" multilineAlign=\"3\"/>\n";
    // Points: the cartographic positions around the symbol, like the static map's eight; lines and footprints:
    // around their centre or along the line.
    x << "      <placement placement=\"" << (pointsOnly ? 6 : 0)
      << "\" predefinedPositionOrder=\"TR,TL,BR,BL,R,L,TSR,BSR\" dist=\"1\" distUnits=\"MM\" offsetType=\"1\""
         " quadOffset=\"4\" xOffset=\"0\" yOffset=\"0\" offsetUnits=\"MM\" priority=\"5\" centroidInside=\"1\""
         " fitInPolygonOnly=\"0\"/>\n"
         "      <rendering drawLabels=\"1\" obstacle=\"1\" obstacleFactor=\"1\" scaleVisibility=\"0\""
         " upsidedownLabels=\"0\" labelPerPart=\"0\" mergeLines=\"0\" limitNumLabels=\"0\" maxNumLabels=\"2000\""
         " minFeatureSize=\"0\" zIndex=\"0\"/>\n"
         "      <dd_properties>\n"
         "        <Option type=\"Map\">\n"
         "          <Option name=\"name\" type=\"QString\" value=\"\"/>\n"
         "          <Option name=\"properties\" type=\"Map\">\n"
         "            <Option name=\"Bold\" type=\"Map\">\n"
         "              <Option name=\"active\" type=\"bool\" value=\"true\"/>\n"
         "              <Option name=\"expression\" type=\"QString\" value=\""
      << highExpr
      << "\"/>\n"
         "              <Option name=\"type\" type=\"int\" value=\"3\"/>\n"
         "            </Option>\n"
         "            <Option name=\"Color\" type=\"Map\">\n"
         "              <Option name=\"active\" type=\"bool\" value=\"true\"/>\n"
         "              <Option name=\"expression\" type=\"QString\" value=\""
      << colourExpr
      << "\"/>\n"
         "              <Option name=\"type\" type=\"int\" value=\"3\"/>\n"
         "            </Option>\n"
         "          </Option>\n"
         "          <Option name=\"type\" type=\"QString\" value=\"collection\"/>\n"
         "        </Option>\n"
         "      </dd_properties>\n"
         "    </settings>\n"
         "  </labeling>\n";
}

}  // namespace

std::string violationsQml(const std::set<GeometryFamily>& present) {
    std::vector<GeometryFamily> families;
    for (GeometryFamily f : {GeometryFamily::Point, GeometryFamily::Line, GeometryFamily::Polygon})
        if (present.count(f) || present.count(GeometryFamily::Mixed)) families.push_back(f);
    if (families.empty()) families = {GeometryFamily::Point, GeometryFamily::Line, GeometryFamily::Polygon};
    const bool categorised = families.size() == 1;

    std::ostringstream x;
    // No <layerGeometryType>: QGIS would refuse the style for a geometry kind other than the one named, and a
    // mixed table is opened as one layer per kind, all sharing this default style.
    x << "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
         "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\" labelsEnabled=\"1\">\n";
    // Features in the order of their severity, low first, so the most severe are drawn on top.
    const char* orderBy = "CASE WHEN \"severity\" = 'high' THEN 2 WHEN \"severity\" = 'medium' THEN 1 ELSE 0 END";
    int symbols = 0;
    if (categorised) {
        x << "  <renderer-v2 type=\"categorizedSymbol\" attr=\"severity\" symbollevels=\"0\" enableorderby=\"1\""
             " forceraster=\"0\" referencescale=\"-1\">\n"
             "    <categories>\n";
        for (int rank = 0; rank < 3; ++rank)
            x << "      <category value=\"" << kSeverities[rank] << "\" symbol=\"" << rank << "\" label=\""
              << markupEscape(severityText(rank)) << "\" render=\"true\"/>\n";
        x << "    </categories>\n"
             "    <symbols>\n";
        for (int rank = 0; rank < 3; ++rank) symbol(x, rank, rank, families.front());
        x << "    </symbols>\n";
    } else {
        x << "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"1\" forceraster=\"0\""
             " referencescale=\"-1\">\n"
             "    <rules key=\"ecozone-severity\">\n";
        for (int rank = 0; rank < 3; ++rank) {
            x << "      <rule key=\"ecozone-" << kSeverities[rank] << "\" filter=\""
              << markupEscape(severityFilter(rank)) << "\" label=\"" << markupEscape(severityText(rank))
              << "\">\n";
            for (GeometryFamily f : families)
                x << "        <rule key=\"ecozone-" << kSeverities[rank] << "-" << symbolType(f) << "\" filter=\""
                  << markupEscape(familyExpression(f)) << "\" symbol=\"" << symbols++ << "\" label=\""
                  << familyText(f) << "\"/>\n";
            x << "      </rule>\n";
        }
        x << "    </rules>\n"
             "    <symbols>\n";
        int name = 0;
        for (int rank = 0; rank < 3; ++rank)
            for (GeometryFamily f : families) symbol(x, name++, rank, f);
        x << "    </symbols>\n";
    }
    x << "    <orderby>\n"
         "      <orderByClause asc=\"1\" nullsFirst=\"1\">"
      << markupEscape(orderBy)
      << "</orderByClause>\n"
         "    </orderby>\n"
         "  </renderer-v2>\n";
    labeling(x, families.size() == 1 && families.front() == GeometryFamily::Point);
    x << "</qgis>\n";
    return x.str();
}

namespace {
struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};
}  // namespace

void writeQgisStyles(const std::filesystem::path& gpkg, const std::vector<QgisStyle>& styles) {
    const std::string file = gpkg.string();
    GDALAllRegister();
    CPLSetConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    const char* drivers[] = {"GPKG", nullptr};
    // Not synced to disk, as GDAL's writing of the rows was not: the styles' four small transactions would
    // otherwise each wait for the whole new file to reach the disk (60 ms for a 1M-facility check). A setting
    // of the user's own wins; this one is for this thread and this opening only.
    std::unique_ptr<GDALDataset, DatasetCloser> ds;
    {
        std::optional<ThreadGdalOption> unsynced;
        if (!CPLGetConfigOption("OGR_SQLITE_SYNCHRONOUS", nullptr))
            unsynced.emplace("OGR_SQLITE_SYNCHRONOUS", "OFF");
        ds.reset(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, nullptr, nullptr));
    }
    if (!ds) throw outputError("cannot reopen `" + file + "` to add its QGIS styles: " + CPLGetLastErrorMsg());

    // The table as QGIS creates it (QgsOgrProviderMetadata::saveStyle): an attribute table with an `id` key.
    char** options = CSLSetNameValue(nullptr, "FID", "id");
    OGRLayer* table = ds->CreateLayer("layer_styles", nullptr, wkbNone, options);
    CSLDestroy(options);
    if (!table)
        throw outputError("cannot create the layer_styles table in `" + file + "`: " + CPLGetLastErrorMsg());
    struct Field {
        const char* name;
        OGRFieldType type;
        int width;
    };
    const Field fields[] = {{"f_table_catalog", OFTString, 256},
                            {"f_table_schema", OFTString, 256},
                            {"f_table_name", OFTString, 256},
                            {"f_geometry_column", OFTString, 256},
                            {"styleName", OFTString, 30},
                            {"styleQML", OFTString, 0},
                            {"styleSLD", OFTString, 0},
                            {"useAsDefault", OFTInteger, 0},
                            {"description", OFTString, 0},
                            {"owner", OFTString, 30},
                            {"ui", OFTString, 30},
                            {"update_time", OFTDateTime, 0}};
    for (const Field& f : fields) {
        OGRFieldDefn def(f.name, f.type);
        if (f.width) def.SetWidth(f.width);
        if (f.type == OFTInteger) def.SetSubType(OFSTBoolean);
        if (f.type == OFTDateTime) def.SetDefault("CURRENT_TIMESTAMP");
        if (table->CreateField(&def) != OGRERR_NONE)
            throw outputError("cannot create column `" + std::string(f.name) + "` of layer_styles in `" + file +
                              "`");
    }
    const bool transaction = ds->StartTransaction() == OGRERR_NONE;
    for (const QgisStyle& s : styles) {
        OGRLayer* styled = ds->GetLayerByName(s.table.c_str());
        if (!styled) throw std::logic_error("no table " + s.table + " in " + file + " to style");
        OGRFeature row(table->GetLayerDefn());
        row.SetField("f_table_catalog", "");
        row.SetField("f_table_schema", "");
        row.SetField("f_table_name", s.table.c_str());
        row.SetField("f_geometry_column", styled->GetGeometryColumn());
        row.SetField("styleName", s.name.c_str());
        row.SetField("styleQML", s.qml.c_str());
        row.SetField("styleSLD", s.sld.c_str());
        row.SetField("useAsDefault", 1);
        row.SetField("description", s.description.c_str());
        row.SetField("owner", "");
        row.SetFieldNull(row.GetFieldIndex("ui"));
        row.SetField("update_time", 2000, 1, 1, 0, 0, 0.0f, 100);  // fixed, like the file's other timestamps
        if (table->CreateFeature(&row) != OGRERR_NONE)
            throw outputError("cannot write the QGIS style of `" + s.table + "` to `" + file +
                              "`: " + CPLGetLastErrorMsg());
    }
    if (transaction && ds->CommitTransaction() != OGRERR_NONE)
        throw outputError("cannot write the QGIS styles to `" + file + "`: " + CPLGetLastErrorMsg());
    CPLErrorReset();
    ds.reset();
    if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal)
        throw outputError("cannot finish writing `" + file + "`: " + CPLGetLastErrorMsg());
}

}  // namespace ecozone::output

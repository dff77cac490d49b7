// SPDX-License-Identifier: MIT
#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <proj.h>

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "geo/chinese_datums.hpp"
#include "layers/coordinate_text.hpp"
#include "layers/gpkg_points.hpp"
#include "layers/layer.hpp"
#include "layers/text_decoder.hpp"
#include "output/gdal_table.hpp"
#include "util/background.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace ecozone::layers {

// The features' attributes, in the types of one GDAL feature definition, so that rule filters are OGR SQL with
// GDAL's own semantics. Row i belongs to Layer::features()[i]. A filter is compiled once; the rows are stored packed
// (a GDAL feature per row cost an allocation per field and a tenth of a large check in making and freeing them)
// and one reusable GDAL feature is filled from a row where GDAL must evaluate it. The parts of a layer read in parts
// share a definition.
class AttributeTable {
  public:
    explicit AttributeTable(const std::string& name) : defn_(new OGRFeatureDefn(name.c_str())) {
        GDALAllRegister();  // idempotent: the library works whether or not main() registered the drivers
        defn_->Reference();
        defn_->SetGeomType(wkbNone);
    }
    explicit AttributeTable(OGRFeatureDefn* shared) : defn_(shared) {
        defn_->Reference();
        for (int i = 0; i < defn_->GetFieldCount(); ++i) types_.push_back(defn_->GetFieldDefn(i)->GetType());
    }
    ~AttributeTable() { defn_->Release(); }
    AttributeTable(const AttributeTable&) = delete;
    AttributeTable& operator=(const AttributeTable&) = delete;

    OGRFeatureDefn* defn() const { return defn_; }
    // Fields are added before the first row.
    void addField(const OGRFieldDefn& field) {
        defn_->AddFieldDefn(&field);
        types_.push_back(field.GetType());
    }
    void reserve(std::size_t rows) {
        start_.reserve(rows + 1);
        fid_.reserve(rows);
    }

    // A value for add(): text, converted to the field's type as GDAL's SetField(const char*) converts it, or a
    // raw value of the field's own type; neither leaves the field unset.
    struct Value {
        const char* text = nullptr;
        const OGRField* raw = nullptr;
    };

    // Appends a row of values, one per field of the definition, with its FID.
    void add(const std::vector<Value>& values, GIntBig fid) {
        const std::vector<OGRFieldType>& types = fieldTypes();
        const int n = static_cast<int>(types.size());
        if (start_.empty()) start_.push_back(0);
        for (int i = 0; i < n; ++i) {
            const Value& v = values[static_cast<std::size_t>(i)];
            const OGRFieldType type = types[static_cast<std::size_t>(i)];
            if (v.text) {
                data_.push_back(kSet);
                switch (type) {
                    case OFTString: putText(v.text); break;
                    case OFTInteger64: put(static_cast<GIntBig>(CPLAtoGIntBig(v.text))); break;
                    case OFTInteger: put(static_cast<int>(CPLAtoGIntBig(v.text))); break;
                    case OFTReal: put(CPLAtof(v.text)); break;
                    default: throw std::logic_error("text for a field that is not a string or a number");
                }
            } else if (v.raw) {
                putRaw(*v.raw, type);
            } else {
                data_.push_back(kUnset);
            }
        }
        start_.push_back(data_.size());
        fid_.push_back(fid);
        // Room for the rows reserved, from the first row's size (and a quarter more, at most 64 MiB: a first
        // row with a long text must not reserve gigabytes): growing by doubling moved the whole buffer a dozen
        // times per part.
        if (fid_.size() == 1 && start_.capacity() > 2)
            data_.reserve(std::min<std::size_t>(data_.size() * (start_.capacity() - 1) * 5 / 4, 64u << 20));
    }

    std::size_t size() const { return fid_.size(); }

    // Where each field's stored value (a tag byte, then the value) begins in row i; bounds.back() is its end.
    void bounds(std::size_t i, std::vector<const char*>& out) const {
        out.clear();
        const char* p = data_.data() + start_[i];
        for (const OGRFieldType type : fieldTypes()) {
            out.push_back(p);
            p = skip(p, type);
        }
        out.push_back(p);
    }

    // Fills `row` (of this definition) with row i, as add() took it.
    void fill(std::size_t i, OGRFeature& row) const {
        const char* p = data_.data() + start_[i];
        const std::vector<OGRFieldType>& types = fieldTypes();
        const int n = static_cast<int>(types.size());
        for (int f = 0; f < n; ++f) {
            const char tag = *p++;
            if (tag == kUnset) {
                row.UnsetField(f);
                continue;
            }
            if (tag == kNull) {
                row.SetFieldNull(f);
                continue;
            }
            switch (types[static_cast<std::size_t>(f)]) {
                case OFTInteger: row.SetField(f, get<int>(p)); break;
                case OFTInteger64: row.SetField(f, static_cast<GIntBig>(get<GIntBig>(p))); break;
                case OFTReal: row.SetField(f, get<double>(p)); break;
                case OFTDate:
                case OFTTime:
                case OFTDateTime: {
                    OGRField v;
                    v.Date.Year = get<GInt16>(p), v.Date.Month = get<GByte>(p), v.Date.Day = get<GByte>(p);
                    v.Date.Hour = get<GByte>(p), v.Date.Minute = get<GByte>(p), v.Date.Second = get<float>(p);
                    v.Date.TZFlag = get<GByte>(p);
                    v.Date.Reserved = 0;
                    row.SetField(f, &v);
                    break;
                }
                case OFTIntegerList: setArray<int>(row, f, p); break;
                case OFTInteger64List: setArray<GIntBig>(row, f, p); break;
                case OFTRealList: setArray<double>(row, f, p); break;
                case OFTBinary: setArray<GByte>(row, f, p); break;
                case OFTStringList: {
                    const int count = get<int>(p);
                    std::vector<const char*> list;
                    for (int k = 0; k < count; ++k) list.push_back(getText(p));
                    list.push_back(nullptr);
                    row.SetField(f, list.data());
                    break;
                }
                default: row.SetField(f, getText(p)); break;
            }
        }
        row.SetFID(fid_[i]);
    }

  private:
    static constexpr char kUnset = 0, kNull = 1, kSet = 2;

    // The definition's field types, kept as fields are added (before the first row).
    const std::vector<OGRFieldType>& fieldTypes() const { return types_; }

    void putRaw(const OGRField& value, OGRFieldType type) {
        const OGRField* raw = &value;
        if (OGR_RawField_IsUnset(raw)) {
            data_.push_back(kUnset);
            return;
        }
        if (OGR_RawField_IsNull(raw)) {
            data_.push_back(kNull);
            return;
        }
        data_.push_back(kSet);
        switch (type) {
            case OFTInteger: put(raw->Integer); break;
            case OFTInteger64: put(raw->Integer64); break;
            case OFTReal: put(raw->Real); break;
            case OFTString: putText(raw->String); break;
            case OFTDate:
            case OFTTime:
            case OFTDateTime:  // member by member (the struct has padding)
                put(raw->Date.Year), put(raw->Date.Month), put(raw->Date.Day), put(raw->Date.Hour);
                put(raw->Date.Minute), put(raw->Date.Second), put(raw->Date.TZFlag);
                break;
            case OFTIntegerList: putArray(raw->IntegerList.paList, raw->IntegerList.nCount); break;
            case OFTInteger64List: putArray(raw->Integer64List.paList, raw->Integer64List.nCount); break;
            case OFTRealList: putArray(raw->RealList.paList, raw->RealList.nCount); break;
            case OFTStringList:
                put(raw->StringList.nCount);
                for (int k = 0; k < raw->StringList.nCount; ++k) putText(raw->StringList.paList[k]);
                break;
            case OFTBinary: putArray(raw->Binary.paData, raw->Binary.nCount); break;
            default: data_.back() = kUnset; break;  // the deprecated wide strings: no plain value
        }
    }

    template <typename T>
    void put(const T& v) {
        const char* b = reinterpret_cast<const char*>(&v);
        data_.insert(data_.end(), b, b + sizeof v);
    }
    void putText(const char* text) {
        const std::size_t length = std::strlen(text);
        put(length);
        data_.insert(data_.end(), text, text + length + 1);  // with its terminating zero, for fill()
    }
    template <typename T>
    void putArray(const T* values, int count) {
        put(count);
        const char* b = reinterpret_cast<const char*>(values);
        data_.insert(data_.end(), b, b + sizeof(T) * static_cast<std::size_t>(count));
    }
    template <typename T>
    static T get(const char*& p) {
        T v;
        std::memcpy(&v, p, sizeof v);
        p += sizeof v;
        return v;
    }
    static const char* getText(const char*& p) {
        const auto length = get<std::size_t>(p);
        const char* text = p;
        p += length + 1;
        return text;
    }
    template <typename T>
    static std::vector<T> getArray(const char*& p) {
        const int count = get<int>(p);
        std::vector<T> values(static_cast<std::size_t>(count));
        std::memcpy(values.data(), p, sizeof(T) * values.size());
        p += sizeof(T) * values.size();
        return values;
    }
    // A list or binary value into field f (the OGRFeature::SetField(i, count, values) overloads).
    template <typename T>
    static void setArray(OGRFeature& row, int f, const char*& p) {
        const std::vector<T> values = getArray<T>(p);
        row.SetField(f, static_cast<int>(values.size()), values.data());
    }
    static const char* skip(const char* p, OGRFieldType type) {
        if (*p++ != kSet) return p;
        auto skipArray = [&](std::size_t size) {
            const int count = get<int>(p);
            p += size * static_cast<std::size_t>(count);
        };
        switch (type) {
            case OFTInteger: return p + sizeof(int);
            case OFTInteger64: return p + sizeof(GIntBig);
            case OFTReal: return p + sizeof(double);
            case OFTDate:
            case OFTTime:
            case OFTDateTime: return p + sizeof(GInt16) + 4 * sizeof(GByte) + sizeof(float) + sizeof(GByte);
            case OFTIntegerList: skipArray(sizeof(int)); return p;
            case OFTInteger64List: skipArray(sizeof(GIntBig)); return p;
            case OFTRealList: skipArray(sizeof(double)); return p;
            case OFTBinary: skipArray(1); return p;
            case OFTStringList: {
                const int count = get<int>(p);
                for (int k = 0; k < count; ++k) getText(p);
                return p;
            }
            default: getText(p); return p;
        }
    }

    OGRFeatureDefn* defn_;
    std::vector<OGRFieldType> types_;
    std::vector<char> data_;          // every row's fields, one after another
    std::vector<std::size_t> start_;  // where each row begins in data_, and one past the last
    std::vector<GIntBig> fid_;
};

namespace {

// An attribute filter's answer depends only on the values of the fields it names, and a layer has few distinct
// combinations of them (a category and a status). So the filters of a layer are answered together, in one pass:
// each row's named fields make a key, GDAL evaluates the filters once for each distinct key, and every other row is
// a hash lookup on its raw field values. GDAL's evaluator copies every string operand, and one pass per filter over
// a million scattered rows made filtering the largest serial cost of a check. A filter that names a special field
// (FID, OGR_GEOMETRY ...) or a field of a type without a plain value (lists, binary) is evaluated row by row, as are
// all filters on a row whose key is new once the memo holds kMaxKeys keys.
class FilterPass {
  public:
    static constexpr std::size_t kMaxKeys = 1 << 16;

    explicit FilterPass(const OGRFeatureDefn& defn) : defn_(defn) {}

    // The filter's rows will be added to `out`.
    void add(OGRFeatureQuery& query, std::vector<std::size_t>& out) {
        std::vector<int> fields;
        bool plain = true;
        char** used = query.GetUsedFields();
        for (char** name = used; name && *name; ++name) {
            const int index = defn_.GetFieldIndex(*name);
            const bool special = std::any_of(std::begin(kSpecialFields), std::end(kSpecialFields),
                                             [&](const char* s) { return EQUAL(s, *name); });
            if (index < 0 || special || !plainType(defn_.GetFieldDefn(index)->GetType())) {
                plain = false;
                break;
            }
            fields.push_back(index);
        }
        CSLDestroy(used);
        if (!plain) {
            direct_.push_back({&query, &out});
            return;
        }
        memoised_.push_back({&query, &out});
        for (int f : fields)
            if (std::find(fields_.begin(), fields_.end(), f) == fields_.end()) fields_.push_back(f);
    }

    void run(const AttributeTable& table) {
        const std::size_t n = memoised_.size();
        std::vector<char> answers(n);
        OGRFeature row(const_cast<OGRFeatureDefn*>(&defn_));
        std::vector<const char*> bounds;
        for (std::size_t i = 0; i < table.size(); ++i) {
            bool filled = false;
            auto filledRow = [&]() -> OGRFeature* {
                if (!filled) table.fill(i, row);
                filled = true;
                return &row;
            };
            for (auto& [query, out] : direct_)
                if (query->Evaluate(filledRow())) out->push_back(i);
            if (n == 0) continue;
            // The key: the named fields' stored values, each a tag byte and the value's bytes.
            table.bounds(i, bounds);
            key_.clear();
            for (int f : fields_) key_.append(bounds[f], bounds[f + 1]);
            const char* known = nullptr;
            if (const auto hit = memo_.find(key_); hit != memo_.end()) {
                known = table_.data() + hit->second * n;
            } else {
                for (std::size_t q = 0; q < n; ++q) answers[q] = memoised_[q].first->Evaluate(filledRow()) ? 1 : 0;
                if (memo_.size() < kMaxKeys) {
                    memo_.emplace(key_, memo_.size());
                    table_.insert(table_.end(), answers.begin(), answers.end());
                }
                known = answers.data();
            }
            for (std::size_t q = 0; q < n; ++q)
                if (known[q]) memoised_[q].second->push_back(i);
        }
    }

  private:
    static constexpr const char* kSpecialFields[] = {"FID", "OGR_GEOMETRY", "OGR_STYLE", "OGR_GEOM_WKT",
                                                     "OGR_GEOM_AREA"};

    static bool plainType(OGRFieldType t) {
        return t == OFTInteger || t == OFTInteger64 || t == OFTReal || t == OFTString || t == OFTDate ||
               t == OFTTime || t == OFTDateTime;
    }

    const OGRFeatureDefn& defn_;
    std::vector<int> fields_;
    std::vector<std::pair<OGRFeatureQuery*, std::vector<std::size_t>*>> memoised_, direct_;
    std::string key_;
    std::unordered_map<std::string, std::size_t> memo_;  // key -> row of table_
    std::vector<char> table_;                            // the memoised filters' answers, one row per key
};

}  // namespace

Layer::Layer(LayerBinding binding, const Schema& schema)
    : binding_(std::move(binding)),
      schema_(&schema),
      attributes_(std::make_unique<AttributeTable>(binding_.name)) {}

Layer::~Layer() = default;

std::string Layer::describe() const {
    std::string out = "`" + binding_.name + "` (" + binding_.source;
    if (!binding_.layer.empty()) out += ", layer " + binding_.layer;
    return out + ")";
}

void Layer::compile(OGRFeatureQuery& query, const std::string& where, const std::string& context) const {
    OGRFeatureDefn* defn = attributes_->defn();
    CPLErrorReset();
    if (query.Compile(defn, where.c_str(), TRUE, nullptr) == OGRERR_NONE) return;
    const std::string detail = CPLGetLastErrorMsg();
    std::string fields;
    for (int i = 0; i < defn->GetFieldCount(); ++i)
        fields += (i ? ", " : "") + std::string(defn->GetFieldDefn(i)->GetNameRef());
    throw configError(context + ": the filter `" + where + "` on layer `" + binding_.name + "` is not valid OGR SQL" +
                      (detail.empty() ? "" : " (" + detail + ")") + "; the layer's fields are: " + fields);
}

void Layer::checkFilter(const std::string& where, const std::string& context) const {
    if (where.empty()) return;
    std::lock_guard lock(select_mutex_);
    OGRFeatureQuery query;
    compile(query, where, context);
}

std::vector<std::size_t> Layer::select(const std::string& where, const std::string& context) const {
    return std::move(selectEach({{where, context}}).front());
}

std::vector<std::vector<std::size_t>> Layer::selectEach(const std::vector<Filter>& filters) const {
    std::vector<std::vector<std::size_t>> out(filters.size());
    std::lock_guard lock(select_mutex_);
    OGRFeatureDefn* defn = attributes_->defn();
    FilterPass pass(*defn);
    std::vector<std::unique_ptr<OGRFeatureQuery>> queries;
    std::vector<std::size_t> same(filters.size());  // the first filter of the same text
    for (std::size_t k = 0; k < filters.size(); ++k) {
        const std::string& where = filters[k].where;  // not a structured binding: clang cannot capture those
        const std::string& context = filters[k].context;
        if (where.empty()) {
            out[k].resize(features_.size());
            for (std::size_t i = 0; i < out[k].size(); ++i) out[k][i] = i;
            continue;
        }
        // The same text twice is evaluated once.
        same[k] = static_cast<std::size_t>(
            std::find_if(filters.begin(), filters.begin() + k, [&](const Filter& f) { return f.where == where; }) -
            filters.begin());
        if (same[k] != k) continue;
        queries.push_back(std::make_unique<OGRFeatureQuery>());
        compile(*queries.back(), where, context);
        pass.add(*queries.back(), out[k]);
    }
    pass.run(*attributes_);
    for (std::size_t k = 0; k < filters.size(); ++k)
        if (!filters[k].where.empty() && same[k] != k) out[k] = out[same[k]];
    return out;
}

namespace {

struct GdalDatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};

std::optional<double> parseNumber(const std::string& text) {
    std::string s = text;
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    if (s.empty()) return std::nullopt;
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

// Converts GCJ-02 / BD-09 longitude/latitude to WGS84 in place, as a coordinate transformation OGR can apply.
class DatumShift : public OGRCoordinateTransformation {
  public:
    explicit DatumShift(geo::Datum from) : from_(from) {}
    OGRSpatialReference* GetSourceCS() override { return nullptr; }
    OGRSpatialReference* GetTargetCS() override { return nullptr; }
    int Transform(int count, double* x, double* y, double*, double*, int* success) override {
        for (int i = 0; i < count; ++i) {
            const geo::LonLat p = geo::toWgs84({x[i], y[i]}, from_);
            x[i] = p.lon;
            y[i] = p.lat;
            if (success) success[i] = TRUE;
        }
        return TRUE;
    }
    OGRCoordinateTransformation* Clone() const override { return new DatumShift(from_); }
    OGRCoordinateTransformation* GetInverse() const override { return nullptr; }

  private:
    geo::Datum from_;
};

int findField(OGRFeatureDefn* defn, const std::string& name) {
    return defn->GetFieldIndex(name.c_str());
}

std::string fieldList(OGRFeatureDefn* defn) {
    std::string out;
    for (int i = 0; i < defn->GetFieldCount(); ++i)
        out += (i ? ", " : "") + std::string(defn->GetFieldDefn(i)->GetNameRef());
    return out.empty() ? "(none)" : out;
}

// A Shapefile is several files, and GDAL opens a .shp without its .dbf (reading no attributes at all), so the
// parts are checked before GDAL sees the source.
void requireShapefileParts(const LayerBinding& b) {
    const std::filesystem::path shp(b.source);
    std::error_code ec;
    if (lower(shp.extension().string()) != ".shp" || !std::filesystem::is_regular_file(shp, ec)) return;
    const std::string stem = shp.stem().string();
    auto part = [&](std::string ext) {  // GDAL looks for the lower-case and the upper-case extension
        if (std::filesystem::exists(shp.parent_path() / (stem + ext), ec)) return true;
        for (char& c : ext) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return std::filesystem::exists(shp.parent_path() / (stem + ext), ec);
    };
    const std::string where = "layer `" + b.name + "` (bound at " + b.origin + "): the Shapefile `" + b.source + "`";
    if (!part(".shx") && !CPLTestBool(CPLGetConfigOption("SHAPE_RESTORE_SHX", "NO")))
        throw dataError(where + " has no index file `" + stem + ".shx`; a Shapefile is the .shp, .shx and .dbf " +
                        "together: copy the missing file next to it (if it is lost, running with the environment " +
                        "variable SHAPE_RESTORE_SHX=YES lets GDAL rebuild it)");
    if (!part(".dbf"))
        throw dataError(where + " has no attribute file `" + stem + ".dbf`, so its features have no attributes; " +
                        "a Shapefile is the .shp, .shx and .dbf together: copy the missing file next to it");
}

// Why GDAL cannot open a source that exists, in the user's terms.
std::string whyUnopenable(const std::string& source, const std::string& detail) {
    std::error_code ec;
    if (std::filesystem::is_directory(source, ec))
        return "it is a folder in which GDAL finds no dataset; give the data file itself";
    if (std::filesystem::is_regular_file(source, ec) && std::filesystem::file_size(source, ec) == 0)
        return "the file is empty (0 bytes); it was not saved or copied completely";
    if (std::filesystem::is_regular_file(source, ec))
        return (detail.empty() ? "" : detail + "; ") +
               "the file is truncated or damaged, or not in a format GDAL reads (`ogrinfo " + source +
               "` shows what GDAL makes of it)";
    return (detail.empty() ? "" : detail + "; ") +
           "check the path, or that GDAL can read the format (`ogrinfo` lists what it can)";
}

// Spreadsheet ledgers: the first row holds the column names even when every cell is text (GDAL's automatic
// detection wants numbers under text headers before it believes that). The drivers read these options lazily, so
// they are held while a source is opened and read; an explicit setting by the user wins. GDAL keeps them per
// thread, and a layer read in parts may be read on several.
struct ReadOptions {
    CPLConfigOptionSetter xlsx{"OGR_XLSX_HEADERS", "FORCE", true};
    CPLConfigOptionSetter ods{"OGR_ODS_HEADERS", "FORCE", true};
};

class LayerLoaderImpl {
  public:
    LayerLoaderImpl(Layer& layer, std::vector<Feature>& features, LoadStats& stats, AttributeTable* table)
        : layer_(layer), features_(features), stats_(stats), table_(table) {}

    void load();
    // load() in steps, for a layer read in parts: begin() opens and checks the source, readSome() reads at most
    // `max` more features (false once the source is done), finish() runs the checks over what has been read.
    void begin();
    bool readSome(std::size_t max);
    void finish();
    // The attribute table that rows go to from now on (the previous part's table left with its part).
    void retable(AttributeTable* table) { table_ = table; }

  private:
    void openSource();
    void resolveFields();
    void resolveCrs();
    void readFeature(OGRFeature& f);
    std::optional<std::string> geometryOf(OGRFeature& f, Feature& out);
    // The same for a point geometry (the usual facility), and the Feature of a point once it is in WGS84.
    std::optional<std::string> pointOf(OGRFeature& f, const OGRPoint& point, Feature& out);
    std::optional<std::string> pointAt(OGRFeature& f, geo::LonLat p, const std::vector<std::string>& repairs,
                                       Feature& out);
    // Why the schema refuses a geometry of this family, or nothing.
    std::optional<std::string> refusedFamily(geo::GeometryFamily family) const;
    void noteRepairs(const OGRFeature& f, const std::vector<std::string>& repairs);
    void warn(const std::string& message) {
        stats_.warnings.push_back(message);
        log::warning(message);
    }
    void skip(int64_t fid, std::string reason) { stats_.skipped.push_back({fid, current_id_, std::move(reason)}); }
    std::string current_id_;  // the id field's value of the feature being read, for messages
    std::string read_error_;  // what GDAL reported while reading the current feature ("" when nothing)

    Layer& layer_;
    std::vector<Feature>& features_;
    LoadStats& stats_;
    AttributeTable* table_;
    std::unique_ptr<GDALDataset, GdalDatasetCloser> dataset_;
    OGRLayer* source_ = nullptr;
    // Reads the source instead of GDAL's reader, when it is a GeoPackage of points.
    std::unique_ptr<GpkgPointReader> direct_;
    std::vector<int> schema_field_index_;  // per schema field: index in the source, or -1
    int x_index_ = -1, y_index_ = -1, xy_index_ = -1;
    bool geographic_ = true;                  // the source CRS is longitude/latitude (ledger cells may be DMS)
    std::optional<geo::Datum> datum_;         // GCJ-02 / BD-09 coordinates to convert after reprojection
    std::unique_ptr<OGRCoordinateTransformation> transform_;
    bool identity_ = false;  // the source is in WGS84 longitude/latitude already: transform_ would change nothing
    std::optional<geo::Box> area_of_use_;  // of the source CRS, in degrees
    std::string crs_name_;
    OGRSpatialReference source_crs_;
    bool checkPlausibility();  // true when every feature used lies outside the CRS's area of use
    void checkDatumTransformation();
    // Gauss-Kruger coordinates with or without the zone prefix the CRS expects, or northing first.
    std::vector<std::pair<double, double>> raw_xy_;  // the first vertex of features as read (at most 1,000)
    std::size_t not_transformed_ = 0;                // features skipped as untransformable or out of range
    void checkGaussKrugerHints(bool allOutside);
    // Text: `decoder_` when the encoding is known (stated, or declared by a .cpg / DBF language driver) and the
    // source is read raw; otherwise text that is not UTF-8 is tried as GB18030 (the superset of GBK, the usual
    // encoding of Chinese data that declares none, which also decodes characters GBK lacks), and counted.
    std::unique_ptr<TextDecoder> decoder_;
    std::unique_ptr<TextDecoder> fallback_;
    std::size_t read_as_gbk_ = 0;
    void resolveEncoding();
    std::optional<std::string> decodeText(OGRFeature& f);
    geo::GeosContext geos_;
    std::vector<AttributeTable::Value> values_;  // the attribute row being made, one value per table field
    std::vector<std::string> texts_;             // the normalised text of each schema field, for values_
    // Per source field, found once: its index if it is text (checked for its encoding), and whether its table
    // field has its type (the value is then copied as it is).
    std::vector<int> text_fields_;
    std::vector<char> same_type_;
    std::vector<OGRRawPoint> xy_;  // a vertex sequence on its way to GEOS
};

void LayerLoaderImpl::openSource() {
    const LayerBinding& b = layer_.binding();
    // A plain path that does not exist gets a plain answer; anything else (connection strings, /vsi paths) is
    // left to GDAL.
    if (b.source.find(':') == std::string::npos && b.source.rfind("/vsi", 0) != 0 &&
        !std::filesystem::exists(b.source))
        throw dataError(
            "layer `" + b.name + "` (bound at " + b.origin + "): the source `" + b.source +
            "` does not exist; check the path (relative paths in a layer set are relative to its folder)");
    requireShapefileParts(b);
    CPLErrorReset();
    dataset_.reset(static_cast<GDALDataset*>(
        GDALOpenEx(b.source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
    if (!dataset_)
        throw dataError("cannot open `" + b.source + "` for layer `" + b.name + "` (bound at " + b.origin +
                        "): " + whyUnopenable(b.source, CPLGetLastErrorMsg()));
    if (!b.layer.empty()) {
        source_ = dataset_->GetLayerByName(b.layer.c_str());
        if (!source_) {
            std::string names;
            for (auto* l : dataset_->GetLayers()) names += (names.empty() ? "" : ", ") + std::string(l->GetName());
            throw dataError("`" + b.source + "` has no layer `" + b.layer + "` (it has: " + names + ")");
        }
    } else {
        if (dataset_->GetLayerCount() == 0) throw dataError("`" + b.source + "` holds no vector layer");
        source_ = dataset_->GetLayer(0);
        if (dataset_->GetLayerCount() > 1)
            log::warning("`" + b.source + "` has " + std::to_string(dataset_->GetLayerCount()) +
                         " layers; layer `" + b.name + "` reads the first, `" + source_->GetName() +
                         "` (name one with `layer = ...`)");
    }
}

void LayerLoaderImpl::resolveEncoding() {
    const LayerBinding& b = layer_.binding();
    const std::string driver = dataset_->GetDriverName();
    const bool shapefile = driver == "ESRI Shapefile", csv = driver == "CSV";
    if (!b.encoding.empty() && !shapefile && !csv)
        log::warning("layer `" + b.name + "`: `encoding` applies to Shapefile and CSV sources only; " + driver +
                     " stores UTF-8, so it is ignored");
    std::string encoding = (shapefile || csv) ? b.encoding : "";
    if (encoding.empty() && shapefile) {
        // The encoding the Shapefile declares (.cpg, or the DBF's language driver byte: 0x4D is CP936).
        if (const char* declared = source_->GetMetadataItem("SOURCE_ENCODING", "SHAPEFILE")) encoding = declared;
    }
    if (!encoding.empty()) {
        decoder_ = std::make_unique<TextDecoder>(encoding);
        if (shapefile) {
            // Read the bytes as they are and decode them here, so that a value that does not decode is reported
            // with its feature instead of being silently replaced by GDAL.
            const std::string name = source_->GetName();
            const char* rawOptions[] = {"ENCODING=", nullptr};
            dataset_.reset(static_cast<GDALDataset*>(GDALOpenEx(
                b.source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, rawOptions, nullptr)));
            source_ = dataset_ ? dataset_->GetLayerByName(name.c_str()) : nullptr;
            if (!source_) throw dataError("cannot reopen `" + b.source + "` to read its text as " + encoding);
        }
    } else {
        fallback_ = std::make_unique<TextDecoder>("GB18030");  // a superset of GBK (CP936)
    }
    // Field names may be encoded too (名称 in GBK): decode them in place so that schemas and filters see UTF-8.
    OGRFeatureDefn* defn = source_->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        OGRFieldDefn* field = defn->GetFieldDefn(i);
        const std::string raw = field->GetNameRef();
        std::optional<std::string> name;
        if (decoder_) name = decoder_->decode(raw);
        else if (!isValidUtf8(raw)) name = fallback_->decode(raw);
        if (name && *name != raw) field->SetName(name->c_str());
        else if (!name && (decoder_ || !isValidUtf8(raw)))
            throw dataError("layer `" + b.name + "` in `" + b.source + "`: the name of field " + std::to_string(i + 1) +
                            " (bytes " + hexBytes(raw) + ") is not valid " +
                            (decoder_ ? decoder_->encoding() : std::string("UTF-8 or GB18030")) +
                            "; give the source's encoding with --encoding " + b.name + "=ENCODING");
    }
}

std::optional<std::string> LayerLoaderImpl::decodeText(OGRFeature& f) {
    bool gbk = false;
    for (const int i : text_fields_) {
        if (!f.IsFieldSetAndNotNull(i)) continue;
        if (!decoder_ && isValidUtf8(f.GetFieldAsString(i))) continue;  // the usual case, without a copy
        const std::string raw = f.GetFieldAsString(i);
        if (decoder_) {
            const auto text = decoder_->decode(raw);
            if (!text)
                return "field `" + std::string(f.GetFieldDefnRef(i)->GetNameRef()) + "` holds bytes that are not valid " +
                       decoder_->encoding() + " (" + hexBytes(raw) + "); fix the value, or the layer's encoding";
            if (*text != raw) f.SetField(i, text->c_str());
        } else if (!isValidUtf8(raw)) {
            const auto text = fallback_->decode(raw);
            if (!text)
                return "field `" + std::string(f.GetFieldDefnRef(i)->GetNameRef()) +
                       "` holds text that is neither UTF-8 nor GB18030 (GBK) (" + hexBytes(raw) +
                       "); give the source's encoding with --encoding " + layer_.name() + "=ENCODING";
            f.SetField(i, text->c_str());
            gbk = true;
        }
    }
    if (gbk) ++read_as_gbk_;
    return std::nullopt;
}

void LayerLoaderImpl::resolveFields() {
    const Schema& schema = layer_.schema();
    OGRFeatureDefn* defn = source_->GetLayerDefn();
    for (const FieldSpec& spec : schema.fields) {
        const int idx = findField(defn, spec.name);
        // A source with no features may declare no fields at all (an empty GeoJSON FeatureCollection): nothing
        // to check, and load() warns that the layer is empty.
        if (idx < 0 && spec.required && source_->GetFeatureCount(TRUE) != 0) {
            std::string msg = "layer `" + layer_.name() + "` in `" + layer_.binding().source + "` has no field `" +
                              spec.name + "`, which schema `" + schema.name + "` requires (" +
                              fieldTypeName(spec.type);
            if (!spec.allowed.empty()) msg += "; allowed values: " + spec.allowedList();
            msg += "). The layer's fields are: " + fieldList(defn) + ". Add or rename the field in the data.";
            throw dataError(msg);
        }
        schema_field_index_.push_back(idx);
    }
    // The attribute table mirrors the source's fields, so that filters may use any of them.
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        OGRFieldDefn copy(defn->GetFieldDefn(i));
        // Schema fields hold the normalised value (aliases resolved), so give them the schema's type.
        if (const FieldSpec* spec = schema.field(copy.GetNameRef())) {
            copy.SetType(spec->type == FieldType::Integer ? OFTInteger64
                         : spec->type == FieldType::Real  ? OFTReal
                                                          : OFTString);
            copy.SetSubType(OFSTNone);
            copy.SetWidth(0);
        }
        table_->addField(copy);
    }
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        if (defn->GetFieldDefn(i)->GetType() == OFTString) text_fields_.push_back(i);
        same_type_.push_back(table_->defn()->GetFieldDefn(i)->GetType() == defn->GetFieldDefn(i)->GetType());
    }
    // A required field can only be missing from a source with no features; the table still gets it, so that rule
    // filters on it parse (and select nothing).
    for (std::size_t i = 0; i < schema.fields.size(); ++i) {
        const FieldSpec& spec = schema.fields[i];
        if (schema_field_index_[i] >= 0 || !spec.required) continue;
        OGRFieldDefn field(spec.name.c_str(), spec.type == FieldType::Integer ? OFTInteger64
                                              : spec.type == FieldType::Real  ? OFTReal
                                                                              : OFTString);
        table_->addField(field);
    }
    if (source_->GetLayerDefn()->GetGeomFieldCount() == 0) {
        const LayerBinding& b = layer_.binding();
        auto pick = [&](const std::string& configured, std::initializer_list<const char*> guesses) {
            if (!configured.empty()) {
                const int idx = findField(defn, configured);
                if (idx < 0)
                    throw dataError("layer `" + b.name + "` in `" + b.source + "` has no column `" + configured +
                                    "` (bound at " + b.origin + "); its columns are: " + fieldList(defn));
                return idx;
            }
            for (int i = 0; i < defn->GetFieldCount(); ++i)
                for (const char* g : guesses)
                    if (lower(defn->GetFieldDefn(i)->GetNameRef()) == g) return i;
            return -1;
        };
        if (b.xy_field.empty()) {
            x_index_ = pick(b.x_field, {"lon", "lng", "long", "longitude", "x", "经度", "东经"});
            y_index_ = pick(b.y_field, {"lat", "latitude", "y", "纬度", "北纬"});
        }
        if (x_index_ < 0 || y_index_ < 0) {
            x_index_ = y_index_ = -1;
            xy_index_ = pick(b.xy_field, {"lonlat", "lon_lat", "coordinates", "coordinate", "坐标", "经纬度", "经纬度坐标"});
        }
        if (x_index_ < 0 && xy_index_ < 0)
            throw dataError("layer `" + b.name + "` in `" + b.source +
                            "` has no geometry and no longitude/latitude columns; name them with x_field and "
                            "y_field (or xy_field for one column holding both) in the layer set (its columns are: " +
                            fieldList(defn) + ")");
    }
}

void LayerLoaderImpl::resolveCrs() {
    const LayerBinding& b = layer_.binding();
    OGRSpatialReference src;
    if (!b.crs.empty()) {
        if (src.SetFromUserInput(b.crs.c_str()) != OGRERR_NONE)
            throw configError("layer `" + b.name + "`: cannot understand the CRS `" + b.crs +
                              "`; give it as EPSG:NNNN, e.g. EPSG:4490 for CGCS2000");
        // Stating a CRS for a source that has its own overrides it: legitimate for a wrong .prj, a mistake
        // otherwise, so say so.
        if (const OGRSpatialReference* own = source_->GetSpatialRef(); own && !own->IsSame(&src))
            log::warning("layer `" + b.name + "`: the stated CRS " + b.crs + " overrides the CRS of `" + b.source +
                         "` (" + (own->GetName() ? own->GetName() : "unnamed") +
                         "); remove `crs` if the source's "
                         "own CRS is right");
    } else if (const OGRSpatialReference* srs = source_->GetSpatialRef()) {
        src = *srs;
    } else {
        throw dataError("layer `" + b.name + "` in `" + b.source +
                        "` has no CRS; state it with `crs = \"EPSG:4490\"` in the layer set (bound at " +
                        b.origin + ") or with --crs " + b.name +
                        "=EPSG:4490 (use the CRS the data really is in: EPSG:4490 "
                        "CGCS2000, EPSG:4326 WGS84, EPSG:4545 CGCS2000 / GK CM 108E, ...)");
    }
    src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    source_crs_ = src;
    geographic_ = src.IsGeographic();
    if (!b.datum.empty()) {
        datum_ = geo::parseDatum(b.datum);
        if (!datum_) throw configError("layer `" + b.name + "`: unknown datum `" + b.datum + "`; use gcj02, bd09 or wgs84");
        if (*datum_ != geo::Datum::Wgs84 && !geographic_)
            warn("layer `" + b.name + "`: datum " + b.datum + " is for longitude/latitude picked on Chinese web maps, "
                 "but the layer's CRS is projected; converting its reprojected coordinates anyway");
    }
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    double west = 0, south = 0, east = 0, north = 0;
    const char* area = nullptr;
    if (src.GetAreaOfUse(&west, &south, &east, &north, &area) && west > -1000) {
        area_of_use_ = geo::Box{west, south, east, north};
    } else {
        // CRSs read from legacy definitions (GeoJSON's crs member, a .prj) carry no area of use: find the EPSG
        // entry they are and take its area.
        OGRSpatialReference identified(src);
        const char* code = identified.GetAuthorityCode(nullptr);
        if (!code && identified.AutoIdentifyEPSG() == OGRERR_NONE) code = identified.GetAuthorityCode(nullptr);
        OGRSpatialReference registered;
        if (code && registered.importFromEPSG(std::atoi(code)) == OGRERR_NONE &&
            registered.GetAreaOfUse(&west, &south, &east, &north, &area) && west > -1000)
            area_of_use_ = geo::Box{west, south, east, north};
    }
    crs_name_ = src.GetName() ? src.GetName() : b.crs;
    if (const char* code = src.GetAuthorityCode(nullptr))
        crs_name_ += std::string(" (") + (src.GetAuthorityName(nullptr) ? src.GetAuthorityName(nullptr) : "") + ":" +
                     code + ")";
    // Data already in WGS84 longitude/latitude is not passed through PROJ's no-op, vertex by vertex: when GDAL
    // itself would find nothing to do (the same CRS, axis mapping included, and no longitude wrapping asked for).
    const char* const equivalent[] = {"CRITERION=EQUIVALENT", nullptr};
    identity_ = src.IsSame(&wgs84, equivalent) == TRUE && !CPLGetConfigOption("CENTER_LONG", nullptr) &&
                !src.GetExtension("GEOGCS", "CENTER_LONG", nullptr);
    transform_.reset(OGRCreateCoordinateTransformation(&src, &wgs84));
    if (!transform_)
        throw dataError("layer `" + b.name + "`: PROJ cannot transform its CRS to WGS84 longitude/latitude (" +
                        std::string(CPLGetLastErrorMsg()) + ")");
}

std::optional<std::string> LayerLoaderImpl::pointOf(OGRFeature& f, const OGRPoint& point, Feature& out) {
    // What the general path does to a point, in its order and with its messages, without copying the geometry.
    std::vector<std::string> repairs;
    if (point.Is3D() || point.IsMeasured())
        repairs.push_back(point.Is3D() && point.IsMeasured() ? "Z and M coordinates dropped"
                          : point.Is3D()                     ? "Z coordinates dropped"
                                                             : "M coordinates dropped");
    double x = point.getX(), y = point.getY(), z = 0;
    if (!std::isfinite(x) || !std::isfinite(y)) return "non-finite (NaN or infinite) coordinates";
    if (raw_xy_.size() < 1000) raw_xy_.emplace_back(x, y);
    if (!identity_ && !transform_->Transform(1, &x, &y, &z)) {
        ++not_transformed_;
        return "coordinates cannot be transformed to WGS84 (outside the CRS's area?)";
    }
    if (datum_ && *datum_ != geo::Datum::Wgs84) DatumShift(*datum_).Transform(1, &x, &y, nullptr, nullptr, nullptr);
    if (x < -180 || x > 180 || y < -90 || y > 90 || !std::isfinite(x) || !std::isfinite(y)) {
        ++not_transformed_;
        return "coordinates fall outside longitude -180..180 / latitude -90..90 after reprojection; is the CRS "
               "right, and are x and y swapped?";
    }
    return pointAt(f, {x, y}, repairs, out);
}

std::optional<std::string> LayerLoaderImpl::pointAt(OGRFeature& f, geo::LonLat p,
                                                    const std::vector<std::string>& repairs, Feature& out) {
    // A point (2D, finite: checked) is valid as it stands; it needs no round trip through WKB.
    GEOSContextHandle_t ctx = geos_.get();
    out.family = geo::GeometryFamily::Point;
    if (auto refused = refusedFamily(out.family)) return refused;
    GEOSGeometry* raw = GEOSGeom_createPointFromXY_r(ctx, p.lon, p.lat);
    if (!raw) return "unrepairable geometry (" + geos_.lastError() + ")";
    geo::primeEnvelopes(ctx, raw);  // before threads share it (a point layer may be a rule's object)
    out.envelope = geo::Box{p.lon, p.lat, p.lon, p.lat};
    out.point = true;
    out.parts = {{p}};
    out.geometry = geo::adopt(raw);
    noteRepairs(f, repairs);
    return std::nullopt;
}

namespace {

// Every x and y finite (an envelope passes over NaN: every comparison with it is false). Lines, polygons and their
// collections are read vertex by vertex here; anything else through GDAL's visitor, which makes a point of each
// vertex.
bool allFinite(const OGRGeometry& g) {
    switch (wkbFlatten(g.getGeometryType())) {
        case wkbLineString:
        case wkbLinearRing: {
            const OGRSimpleCurve& c = *g.toSimpleCurve();
            for (int i = 0; i < c.getNumPoints(); ++i)
                if (!std::isfinite(c.getX(i)) || !std::isfinite(c.getY(i))) return false;
            return true;
        }
        case wkbPolygon:
            for (const OGRLinearRing* ring : *g.toPolygon())
                if (!allFinite(*ring)) return false;
            return true;
        case wkbMultiLineString:
        case wkbMultiPolygon:
        case wkbGeometryCollection:
            for (const OGRGeometry* part : *g.toGeometryCollection())
                if (!allFinite(*part)) return false;
            return true;
        default: {
            struct FiniteCheck : OGRDefaultConstGeometryVisitor {
                using OGRDefaultConstGeometryVisitor::visit;
                bool finite = true;
                void visit(const OGRPoint* p) override {
                    if (!std::isfinite(p->getX()) || !std::isfinite(p->getY())) finite = false;
                }
            } check;
            g.accept(&check);
            return check.finite;
        }
    }
}

// The GEOS geometry of a 2D line, polygon, multiline or multipolygon, each vertex sequence copied in one call
// (GEOS's WKB reader, which this replaces for them, reads a double at a time). nullptr for anything else and for
// what GEOS would refuse (empty parts, lines of one vertex, rings of fewer than four): those go through WKB,
// which says why.
GEOSGeometry* directGeos(GEOSContextHandle_t ctx, const OGRGeometry& g, std::vector<OGRRawPoint>& xy) {
    auto sequence = [&](const OGRSimpleCurve& c) {
        xy.resize(static_cast<std::size_t>(c.getNumPoints()));
        c.getPoints(xy.data());
        static_assert(sizeof(OGRRawPoint) == 2 * sizeof(double));
        return GEOSCoordSeq_copyFromBuffer_r(ctx, reinterpret_cast<const double*>(xy.data()),
                                             static_cast<unsigned>(xy.size()), 0, 0);
    };
    auto lineOk = [](const OGRSimpleCurve& c) { return c.getNumPoints() >= 2; };
    auto ringOk = [](const OGRLinearRing& r) { return r.getNumPoints() >= 4 && r.get_IsClosed(); };
    auto polygonOk = [&](const OGRPolygon& p) {
        if (p.IsEmpty()) return false;
        for (const OGRLinearRing* ring : p)
            if (!ringOk(*ring)) return false;
        return true;
    };
    auto line = [&](const OGRLineString& l) { return GEOSGeom_createLineString_r(ctx, sequence(l)); };
    auto polygon = [&](const OGRPolygon& p) {
        GEOSGeometry* shell = GEOSGeom_createLinearRing_r(ctx, sequence(*p.getExteriorRing()));
        std::vector<GEOSGeometry*> holes;
        for (int i = 0; i < p.getNumInteriorRings(); ++i)
            holes.push_back(GEOSGeom_createLinearRing_r(ctx, sequence(*p.getInteriorRing(i))));
        return GEOSGeom_createPolygon_r(ctx, shell, holes.data(), static_cast<unsigned>(holes.size()));
    };
    // A multi-geometry of `type` from its members, when every one passes `ok`.
    auto multi = [&](const auto& members, auto ok, auto make, int type) -> GEOSGeometry* {
        if (members.IsEmpty()) return nullptr;
        for (const auto* member : members)
            if (!ok(*member)) return nullptr;
        std::vector<GEOSGeometry*> parts;
        for (const auto* member : members) parts.push_back(make(*member));
        return GEOSGeom_createCollection_r(ctx, type, parts.data(), static_cast<unsigned>(parts.size()));
    };
    switch (wkbFlatten(g.getGeometryType())) {
        case wkbLineString:
            return lineOk(*g.toLineString()) ? line(*g.toLineString()) : nullptr;
        case wkbPolygon:
            return polygonOk(*g.toPolygon()) ? polygon(*g.toPolygon()) : nullptr;
        case wkbMultiLineString:
            return multi(*g.toMultiLineString(), lineOk, line, GEOS_MULTILINESTRING);
        case wkbMultiPolygon:
            return multi(*g.toMultiPolygon(), polygonOk, polygon, GEOS_MULTIPOLYGON);
        default:
            return nullptr;
    }
}

}  // namespace

std::optional<std::string> LayerLoaderImpl::geometryOf(OGRFeature& f, Feature& out) {
    if (xy_index_ < 0 && x_index_ < 0)
        if (const OGRGeometry* g = f.GetGeometryRef();
            g && wkbFlatten(g->getGeometryType()) == wkbPoint && !g->IsEmpty())
            return pointOf(f, *g->toPoint(), out);
    std::unique_ptr<OGRGeometry> geom;
    if (xy_index_ >= 0) {
        const std::string cell = f.IsFieldSetAndNotNull(xy_index_) ? f.GetFieldAsString(xy_index_) : "";
        if (cell.find_first_not_of(" \t") == std::string::npos) return "no coordinates (empty coordinate cell)";
        std::string why;
        const auto lonlat = parseLonLatCell(cell, &why);
        if (!lonlat) return "coordinates `" + cell + "` cannot be read: " + why;
        geom = std::make_unique<OGRPoint>(lonlat->first, lonlat->second);
    } else if (x_index_ >= 0) {
        const std::string xs = f.IsFieldSetAndNotNull(x_index_) ? f.GetFieldAsString(x_index_) : "";
        const std::string ys = f.IsFieldSetAndNotNull(y_index_) ? f.GetFieldAsString(y_index_) : "";
        if (xs.find_first_not_of(" \t") == std::string::npos || ys.find_first_not_of(" \t") == std::string::npos)
            return "no coordinates (empty longitude or latitude cell)";
        // Degrees come as people type them (DMS, full-width digits, 东经/北纬); metres in projected CRSs are numbers.
        std::string whyX, whyY;
        const auto x = geographic_ ? parseCoordinate(xs, &whyX) : parseNumber(xs);
        const auto y = geographic_ ? parseCoordinate(ys, &whyY) : parseNumber(ys);
        if (!x) return "longitude `" + xs + "` cannot be read" + (whyX.empty() ? ": not a number" : ": " + whyX);
        if (!y) return "latitude `" + ys + "` cannot be read" + (whyY.empty() ? ": not a number" : ": " + whyY);
        geom = std::make_unique<OGRPoint>(*x, *y);
    } else {
        OGRGeometry* g = f.GetGeometryRef();
        if (!g || g->IsEmpty())
            return read_error_.empty() ? "empty geometry"
                                       : "no geometry: GDAL could not read it (" + read_error_ + "); the file is damaged";
        geom.reset(g->clone());
    }
    std::vector<std::string> repairs;
    if (geom->hasCurveGeometry()) {
        geom.reset(geom->getLinearGeometry());
        repairs.push_back("curves approximated by lines");
    }
    if (geom->Is3D() || geom->IsMeasured()) {
        repairs.push_back(geom->Is3D() && geom->IsMeasured() ? "Z and M coordinates dropped"
                          : geom->Is3D()                     ? "Z coordinates dropped"
                                                             : "M coordinates dropped");
        geom->flattenTo2D();
        geom->setMeasured(FALSE);
    }
    if (!allFinite(*geom)) return "non-finite (NaN or infinite) coordinates";
    OGREnvelope env;
    // Unclosed rings: GEOS refuses them, so close them here and say so.
    if (const auto flat = wkbFlatten(geom->getGeometryType()); flat == wkbPolygon || flat == wkbMultiPolygon) {
        bool open = false;
        auto checkPolygon = [&](const OGRPolygon* p) {
            for (const OGRLinearRing* ring : *p)
                if (ring->getNumPoints() > 0 && !ring->get_IsClosed()) open = true;
        };
        if (flat == wkbPolygon)
            checkPolygon(geom->toPolygon());
        else
            for (const OGRPolygon* p : *geom->toMultiPolygon()) checkPolygon(p);
        if (open) {
            geom->closeRings();
            repairs.push_back("unclosed ring closed");
        }
    }
    if (!geom->IsEmpty() && raw_xy_.size() < 1000) {
        geom->getEnvelope(&env);
        raw_xy_.emplace_back(env.MinX, env.MinY);
    }
    if (!identity_ && geom->transform(transform_.get()) != OGRERR_NONE) {
        ++not_transformed_;
        return "coordinates cannot be transformed to WGS84 (outside the CRS's area?)";
    }
    if (datum_ && *datum_ != geo::Datum::Wgs84) {
        DatumShift shift(*datum_);
        geom->transform(&shift);
    }
    geom->getEnvelope(&env);
    if (env.MinX < -180 || env.MaxX > 180 || env.MinY < -90 || env.MaxY > 90 || !std::isfinite(env.MinX)) {
        ++not_transformed_;
        return "coordinates fall outside longitude -180..180 / latitude -90..90 after reprojection; is the CRS "
               "right, and are x and y swapped?";
    }

    GEOSContextHandle_t ctx = geos_.get();
    if (wkbFlatten(geom->getGeometryType()) == wkbPoint)
        return pointAt(f, {geom->toPoint()->getX(), geom->toPoint()->getY()}, repairs, out);
    GEOSGeometry* raw = directGeos(ctx, *geom, xy_);
    if (!raw) {
        const int size = static_cast<int>(geom->WkbSize());
        std::vector<unsigned char> wkb(static_cast<std::size_t>(size));
        geom->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
        GEOSWKBReader* reader = GEOSWKBReader_create_r(ctx);
        raw = GEOSWKBReader_read_r(ctx, reader, wkb.data(), wkb.size());
        GEOSWKBReader_destroy_r(ctx, reader);
    }
    if (!raw) {
        std::string why = geos_.lastError();
        while (!why.empty() && std::isspace(static_cast<unsigned char>(why.back()))) why.pop_back();
        return "unrepairable geometry (" + why + ")";
    }
    geo::GeomPtr g = geo::adopt(raw);
    const geo::GeometryFamily before = geo::familyOf(ctx, g.get());
    if (GEOSisValid_r(ctx, g.get()) != 1) {
        char* reason = GEOSisValidReason_r(ctx, g.get());
        const std::string why = reason ? reason : "invalid";
        GEOSFree_r(ctx, reason);
        GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(ctx);
        GEOSMakeValidParams_setMethod_r(ctx, params, GEOS_MAKE_VALID_STRUCTURE);
        GEOSMakeValidParams_setKeepCollapsed_r(ctx, params, 0);
        GEOSGeometry* fixed = GEOSMakeValidWithParams_r(ctx, g.get(), params);
        GEOSMakeValidParams_destroy_r(ctx, params);
        if (!fixed) return "invalid geometry (" + why + ") that GEOS could not repair";
        g = geo::adopt(fixed);
        if (GEOSisEmpty_r(ctx, g.get()) || geo::familyOf(ctx, g.get()) != before)
            return "invalid geometry (" + why + ") that collapses when repaired";
        repairs.push_back("invalid geometry repaired (" + why + ")");
    }
    out.family = geo::familyOf(ctx, g.get());
    if (out.family == geo::GeometryFamily::Empty) return "empty geometry";
    if (auto refused = refusedFamily(out.family)) return refused;
    geo::primeEnvelopes(ctx, g.get());
    out.envelope = geo::envelopeOf(ctx, g.get());
    out.parts = geo::partsOf(ctx, g.get());
    out.geometry = std::move(g);
    noteRepairs(f, repairs);
    return std::nullopt;
}

std::optional<std::string> LayerLoaderImpl::refusedFamily(geo::GeometryFamily family) const {
    if (layer_.schema().allows(family)) return std::nullopt;
    return std::string("a ") + geo::familyName(family) + " geometry where schema `" + layer_.schema().name +
           "` takes " + layer_.schema().geometryList();
}

void LayerLoaderImpl::noteRepairs(const OGRFeature& f, const std::vector<std::string>& repairs) {
    if (repairs.empty()) return;
    std::string what;
    for (const auto& r : repairs) what += (what.empty() ? "" : "; ") + r;
    stats_.repaired.push_back({f.GetFID(), current_id_, what});
}

void LayerLoaderImpl::readFeature(OGRFeature& f) {
    ++stats_.read;
    const Schema& schema = layer_.schema();
    Feature out;
    out.fid = f.GetFID();
    const FieldSpec* idSpec = schema.field(schema.id_field);
    const int idIndex = idSpec ? schema_field_index_[static_cast<std::size_t>(idSpec - schema.fields.data())] : -1;
    auto idValue = [&] { return idIndex >= 0 && f.IsFieldSetAndNotNull(idIndex) ? f.GetFieldAsString(idIndex) : ""; };
    current_id_ = idValue();
    if (!isValidUtf8(current_id_)) current_id_.clear();  // for the message, should the text not decode
    if (auto problem = decodeText(f)) return skip(out.fid, *problem);
    current_id_ = idValue();
    // The row's values, packed by the table: the schema's fields as normalised text, the others as they are.
    values_.assign(static_cast<std::size_t>(table_->defn()->GetFieldCount()), {});
    texts_.resize(schema.fields.size());
    // Attributes first: the schema's allowed values and types.
    for (std::size_t i = 0; i < schema.fields.size(); ++i) {
        const FieldSpec& spec = schema.fields[i];
        const int idx = schema_field_index_[i];
        if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) {
            if (spec.required) return skip(out.fid, "no value in required field `" + spec.name + "`");
            continue;
        }
        std::string value = f.GetFieldAsString(idx);
        if (spec.type != FieldType::String) {
            const auto number = parseNumber(value);
            if (!number) return skip(out.fid, "field `" + spec.name + "` = `" + value + "` is not a number");
            if (spec.type == FieldType::Integer) {
                if (*number != std::floor(*number) || std::abs(*number) > 9.0e15)
                    return skip(out.fid, "field `" + spec.name + "` = `" + value + "` is not an integer");
                value = std::to_string(static_cast<long long>(*number));
            }
        }
        auto normalised = spec.normalise(value);
        if (!normalised)
            return skip(out.fid, "field `" + spec.name + "` = `" + value + "` is not one of the allowed values (" +
                                     spec.allowedList() + ")");
        // The table holds schema fields with the schema's type, whatever the source's type: given as text.
        texts_[i] = std::move(*normalised);
        values_[static_cast<std::size_t>(idx)].text = texts_[i].c_str();
        if (spec.name == schema.id_field) out.id = texts_[i];
        if (spec.name == schema.name_field) out.name = texts_[i];
        if (spec.name == schema.class_field) out.klass = texts_[i];
        if (spec.name == schema.status_field) out.status = texts_[i];
        if (spec.name == schema.width_field) {
            const double w = *parseNumber(texts_[i]);
            if (w < 0) return skip(out.fid, "field `" + spec.name + "` = `" + value + "` is a negative width");
            out.half_width_m = w / 2;
        }
    }
    if (out.id.empty()) out.id = std::to_string(out.fid);
    if (auto problem = geometryOf(f, out)) return skip(out.fid, *problem);
    if (out.family != geo::GeometryFamily::Line) out.half_width_m = 0;  // a width widens centerlines only

    // Copy the remaining attributes as they are (their table fields have the source's types).
    for (int i = 0; i < f.GetFieldCount(); ++i) {
        AttributeTable::Value& v = values_[static_cast<std::size_t>(i)];
        if (!v.text && same_type_[static_cast<std::size_t>(i)] && f.IsFieldSetAndNotNull(i))
            v.raw = f.GetRawFieldRef(i);
    }
    // FID in a filter is the feature's index in the whole layer, also when it is read in parts (`used` counts
    // every part; for a layer read whole it is features_.size()).
    table_->add(values_, static_cast<GIntBig>(stats_.used));
    features_.push_back(std::move(out));
    ++stats_.used;
}

// Data in the wrong CRS or with swapped axes still transforms, to the wrong place: warn when a layer lies outside
// its CRS's area of use, or where swapping its coordinates would put it where the CRS is meant for.
bool LayerLoaderImpl::checkPlausibility() {
    if (!area_of_use_ || features_.empty()) return false;
    const geo::Box& a = *area_of_use_;
    constexpr double kMargin = 1.0;  // degrees: projections are usable a little beyond their nominal area
    auto inside = [&](double lon, double lat) {
        return lon >= a.min_lon - kMargin && lon <= a.max_lon + kMargin && lat >= a.min_lat - kMargin &&
               lat <= a.max_lat + kMargin;
    };
    std::size_t outside = 0, swappedInside = 0;
    const Feature* example = nullptr;
    for (const Feature& f : features_) {
        const double lon = (f.envelope.min_lon + f.envelope.max_lon) / 2, lat = (f.envelope.min_lat + f.envelope.max_lat) / 2;
        if (inside(lon, lat)) continue;
        ++outside;
        if (!example) example = &f;
        if (inside(lat, lon)) ++swappedInside;
    }
    if (outside == 0) return false;
    char where[160];
    std::snprintf(where, sizeof where, "%.2f–%.2f°E, %.2f–%.2f°N", a.min_lon, a.max_lon, a.min_lat, a.max_lat);
    char at[96];
    std::snprintf(at, sizeof at, "%.4f°E %.4f°N", example->parts.front().front().lon, example->parts.front().front().lat);
    std::string msg = "layer `" + layer_.name() + "`: " + std::to_string(outside) + " of " +
                      std::to_string(features_.size()) + " features lie outside the area of use of " + crs_name_ +
                      " (" + where + "), e.g. feature " + example->id + " at " + at;
    if (swappedInside * 2 > outside)
        msg += "; with longitude and latitude swapped they would fall inside it: check the axis order of `" +
               layer_.binding().source + "`";
    else
        msg += "; check that the CRS is the one the data was made in";
    warn(msg);
    return outside == features_.size();
}

// CGCS2000 3-degree Gauss-Kruger comes as two EPSG families: EPSG:4513-4533 (zones 25-45, eastings carry the zone
// number as a prefix: 36 500 000) and EPSG:4534-4554 (CM 75E-135E, no prefix: 500 000). Data in one given the
// other's code, or typed northing first, fails to transform or lands far away; when that happens to the whole
// layer, say which it looks like.
void LayerLoaderImpl::checkGaussKrugerHints(bool allOutside) {
    if (raw_xy_.empty() || !(allOutside || (features_.empty() && not_transformed_ > 0))) return;
    const char* auth = source_crs_.GetAuthorityName(nullptr);
    const char* codeText = source_crs_.GetAuthorityCode(nullptr);
    if (!auth || !codeText || std::string(auth) != "EPSG") return;
    const int code = std::atoi(codeText);
    const bool prefixed = code >= 4513 && code <= 4533, plain = code >= 4534 && code <= 4554;
    if (!prefixed && !plain) return;
    auto all = [&](auto&& test) {
        return std::all_of(raw_xy_.begin(), raw_xy_.end(), [&](const auto& xy) { return test(xy.first, xy.second); });
    };
    auto isNorthing = [](double v) { return v > 1.0e6 && v < 6.5e6; };  // China lies 2,000-6,000 km north
    auto isPlainEasting = [](double v) { return v > 0 && v < 1.0e6; };
    auto zoneOf = [](double v) { return static_cast<int>(std::floor(v / 1.0e6)); };
    auto isPrefixedEasting = [&](double v) { return zoneOf(v) >= 25 && zoneOf(v) <= 45 && v < 46.0e6; };
    const std::string given = "EPSG:" + std::to_string(code);
    const std::string& name = layer_.name();
    auto label = [](int epsg) {
        OGRSpatialReference s;
        return s.importFromEPSG(epsg) == OGRERR_NONE && s.GetName() ? std::string(s.GetName()) : std::string("?");
    };
    std::string hint;
    if (all([&](double x, double y) { return isNorthing(x) && (isPlainEasting(y) || isPrefixedEasting(y)); })) {
        hint = "x and y look swapped: the first coordinate holds northings (" + std::to_string(std::lround(raw_xy_[0].first)) +
               ") and the second eastings; give the coordinates easting first, or swap the columns";
    } else if (plain && all([&](double x, double y) { return isPrefixedEasting(x) && isNorthing(y); })) {
        const int zone = zoneOf(raw_xy_[0].first);
        if (all([&](double x, double) { return zoneOf(x) == zone; })) {
            const int epsg = 4513 + zone - 25;
            hint = "eastings carry the zone prefix " + std::to_string(zone) + ": use EPSG:" + std::to_string(epsg) +
                   " (" + label(epsg) + ") instead of " + given + " (--crs " + name + "=EPSG:" +
                   std::to_string(epsg) + ", or fix the source's CRS)";
        }
    } else if (prefixed && all([&](double x, double y) { return isPlainEasting(x) && isNorthing(y); })) {
        const int zone = 25 + code - 4513;
        const int epsg = 4534 + zone - 25;
        hint = "eastings lack the zone prefix " + std::to_string(zone) + " that " + given + " expects: use EPSG:" +
               std::to_string(epsg) + " (" + label(epsg) + ") instead (--crs " + name + "=EPSG:" +
               std::to_string(epsg) + ", or fix the source's CRS)";
    }
    if (!hint.empty())
        warn("layer `" + name + "`: every feature in " + crs_name_ + " fails to transform or lies far outside its area; " +
             hint);
}

// Xian 1980 and Beijing 1954 differ from WGS84 by tens of metres, but PROJ (with Debian's data) knows no
// transformation between them and WGS84 over most of China, Chongqing included: it then applies a "ballpark" one,
// which only changes the ellipsoid, and says nothing. Ask PROJ which operation it has over the layer's extent, and
// warn when it is a ballpark one.
void LayerLoaderImpl::checkDatumTransformation() {
    const char* datumAttr = source_crs_.GetAttrValue("DATUM");
    std::string datum = datumAttr ? datumAttr : "";
    std::replace(datum.begin(), datum.end(), '_', ' ');
    const std::string l = lower(datum);
    const char* which = l.find("xian 1980") != std::string::npos      ? "Xian 1980"
                        : l.find("beijing 1954") != std::string::npos ? "Beijing 1954"
                                                                      : nullptr;
    if (!which) return;
    geo::Box box{180, 90, -180, -90};
    for (const Feature& f : features_) {
        box.min_lon = std::min(box.min_lon, f.envelope.min_lon), box.max_lon = std::max(box.max_lon, f.envelope.max_lon);
        box.min_lat = std::min(box.min_lat, f.envelope.min_lat), box.max_lat = std::max(box.max_lat, f.envelope.max_lat);
    }
    if (features_.empty()) {
        if (!area_of_use_) return;
        box = *area_of_use_;
    }
    bool ballpark = true;
    PJ_CONTEXT* ctx = proj_context_create();
    char* wkt = nullptr;
    if (source_crs_.exportToWkt(&wkt, std::vector<const char*>{"FORMAT=WKT2_2019", nullptr}.data()) == OGRERR_NONE) {
        PJ* from = proj_create(ctx, wkt);
        PJ* to = proj_create(ctx, "EPSG:4326");
        PJ_OPERATION_FACTORY_CONTEXT* factory = proj_create_operation_factory_context(ctx, nullptr);
        if (from && to && factory) {
            proj_operation_factory_context_set_area_of_interest(ctx, factory, box.min_lon, box.min_lat, box.max_lon,
                                                                box.max_lat);
            proj_operation_factory_context_set_spatial_criterion(ctx, factory,
                                                                 PROJ_SPATIAL_CRITERION_PARTIAL_INTERSECTION);
            proj_operation_factory_context_set_grid_availability_use(
                ctx, factory, PROJ_GRID_AVAILABILITY_DISCARD_OPERATION_IF_MISSING_GRID);
            if (PJ_OBJ_LIST* ops = proj_create_operations(ctx, from, to, factory)) {
                if (proj_list_get_count(ops) > 0) {
                    PJ* best = proj_list_get(ctx, ops, 0);
                    ballpark = best && proj_coordoperation_has_ballpark_transformation(ctx, best);
                    proj_destroy(best);
                }
                proj_list_destroy(ops);
            }
        }
        proj_operation_factory_context_destroy(factory);
        proj_destroy(to);
        proj_destroy(from);
    }
    CPLFree(wkt);
    proj_context_destroy(ctx);
    if (!ballpark) return;
    const std::string& name = layer_.name();
    warn("layer `" + name + "`: its CRS " + crs_name_ + " is on the " + which +
         " datum, and PROJ knows no transformation from it to WGS84 where the layer lies, so it applies none (only "
         "the ellipsoid changes): positions may be off by 50-100 m or more. Give the datum's 7-parameter "
         "transformation with the CRS, as --crs " + name + "='+proj=... +towgs84=dx,dy,dz,rx,ry,rz,ds' (or "
         "`crs = \"...\"` in the layer set), or convert the layer to CGCS2000 with the surveying bureau's parameters");
}

void LayerLoaderImpl::load() {
    begin();
    readSome(std::numeric_limits<std::size_t>::max());
    finish();
}

void LayerLoaderImpl::begin() {
    const ReadOptions options;
    openSource();
    resolveEncoding();
    resolveFields();
    resolveCrs();
    const LayerBinding& b = layer_.binding();
    if (!b.where.empty()) {
        const GIntBig total = source_->GetFeatureCount(TRUE);
        CPLErrorReset();
        if (source_->SetAttributeFilter(b.where.c_str()) != OGRERR_NONE)
            throw configError("layer `" + b.name + "` (bound at " + b.origin + "): the filter `" + b.where +
                              "` is not valid OGR SQL (" + CPLGetLastErrorMsg() + ")");
        const GIntBig kept = source_->GetFeatureCount(TRUE);
        if (total >= 0 && kept >= 0) stats_.filtered = static_cast<std::size_t>(total - kept);
    }
    source_->ResetReading();
    if (b.where.empty()) direct_ = GpkgPointReader::open(*dataset_, *source_, b.source);
}

bool LayerLoaderImpl::readSome(std::size_t max) {
    const LayerBinding& b = layer_.binding();
    const ReadOptions options;
    // GDAL ends a layer early, with an error, when the file is cut short (a truncated .dbf), and reads a geometry it
    // cannot decode as none: tell both from a clean end and a genuinely empty geometry.
    // Room for what is left, when the source can tell cheaply.
    if (const GIntBig total = source_->GetFeatureCount(FALSE); total >= 0) {
        const auto left = static_cast<std::size_t>(std::max<GIntBig>(0, total - static_cast<GIntBig>(stats_.read)));
        features_.reserve(features_.size() + std::min(max, left));
        table_->reserve(table_->size() + std::min(max, left));
    }
    for (std::size_t n = 0; n < max; ++n) {
        CPLErrorReset();
        OGRFeatureUniquePtr owned;
        OGRFeature* f = direct_ ? direct_->next() : (owned = OGRFeatureUniquePtr(source_->GetNextFeature())).get();
        read_error_ = CPLGetLastErrorType() >= CE_Failure ? CPLGetLastErrorMsg() : "";
        while (!read_error_.empty() && std::isspace(static_cast<unsigned char>(read_error_.back())))
            read_error_.pop_back();
        if (!f) {
            if (!read_error_.empty()) {
                const GIntBig total = source_->GetFeatureCount(FALSE);
                throw dataError("layer `" + b.name + "`: reading `" + b.source + "` stopped after " +
                                std::to_string(stats_.read) + (total >= 0 ? " of " + std::to_string(total) : "") +
                                " features (" + read_error_ + "); the file is truncated or damaged: restore it " +
                                "from the original");
            }
            return false;
        }
        readFeature(*f);
    }
    return true;
}

void LayerLoaderImpl::finish() {
    const LayerBinding& b = layer_.binding();
    checkGaussKrugerHints(checkPlausibility());
    checkDatumTransformation();
    if (stats_.read == 0 && stats_.filtered == 0)
        warn("layer `" + b.name + "`: `" + b.source + "` holds no features, so no rule finds anything in it; check " +
             "that it is the file meant");
    if (read_as_gbk_ > 0)
        warn("layer `" + b.name + "`: " + std::to_string(read_as_gbk_) +
                     " features had text that is not UTF-8 and were read as GB18030 (GBK, CP936), since `" +
                     b.source + "` declares no encoding; add a .cpg file or `encoding = \"GB18030\"` (or \"CP936\") " +
                     "to the layer set to make that explicit");
}

}  // namespace

class LayerLoader {
  public:
    static std::unique_ptr<Layer> load(const LayerBinding& binding, const Schema& schema) {
        auto layer = std::make_unique<Layer>(binding, schema);
        LayerLoaderImpl impl(*layer, layer->features_, layer->stats_, layer->attributes_.get());
        impl.load();
        return layer;
    }
    // The features read into `staging` since the last hand-off, as a layer of their own, with the part's counts.
    static std::unique_ptr<Layer> handOff(Layer& staging, LayerLoaderImpl& loader, std::size_t& skippedBefore,
                                          std::size_t& repairedBefore, std::size_t& readBefore) {
        auto part = std::make_unique<Layer>(staging.binding_, *staging.schema_);
        part->features_ = std::move(staging.features_);
        staging.features_.clear();
        part->attributes_ = std::move(staging.attributes_);
        staging.attributes_ = std::make_unique<AttributeTable>(part->attributes_->defn());
        loader.retable(staging.attributes_.get());
        const LoadStats& all = staging.stats_;
        if (readBefore == 0) {
            // What concerns the layer as a whole goes with its first part, which is what the run shows first.
            part->stats_.filtered = all.filtered;
            part->stats_.warnings = all.warnings;
        }
        part->stats_.read = all.read - readBefore;
        part->stats_.used = part->features_.size();
        part->stats_.skipped.assign(all.skipped.begin() + static_cast<std::ptrdiff_t>(skippedBefore),
                                    all.skipped.end());
        part->stats_.repaired.assign(all.repaired.begin() + static_cast<std::ptrdiff_t>(repairedBefore),
                                     all.repaired.end());
        skippedBefore = all.skipped.size();
        repairedBefore = all.repaired.size();
        readBefore = all.read;
        return part;
    }
    // A warning about a layer found once the whole set is loaded (it compares the layer with the others).
    static void warn(Layer& layer, const std::string& message) {
        layer.stats_.warnings.push_back(message);
        log::warning(message);
    }
};

std::unique_ptr<Layer> loadLayer(const LayerBinding& binding, const Schema& schema) {
    return LayerLoader::load(binding, schema);
}

// The stream reads into one staging layer; each full part leaves it with the features, their attribute table and
// the counts of that part, and the staging layer carries on with a fresh table of the same columns.
struct LayerStream::Impl {
    std::unique_ptr<Layer> staging;
    std::optional<LayerLoaderImpl> loader;
    bool started = false, done = false;
    std::size_t skipped_before = 0, repaired_before = 0, read_before = 0;
    Background<std::unique_ptr<Layer>> ahead;  // the next part, being read
    std::unique_ptr<Layer> read(std::size_t max_features);
};

LayerStream::LayerStream(const LayerBinding& binding, const Schema& schema) : impl_(std::make_unique<Impl>()) {
    impl_->staging = std::make_unique<Layer>(binding, schema);
}

LayerStream::~LayerStream() = default;

bool LayerStream::done() const {
    if (impl_->ahead.pending()) throw std::logic_error("LayerStream::done() while a part is being read");
    return impl_->done;
}

void LayerStream::prefetch(std::size_t max_features) {
    Impl& m = *impl_;
    if (m.ahead.pending() || m.done) return;
    m.ahead = Background<std::unique_ptr<Layer>>([&m, max_features] { return m.read(max_features); });
}

std::unique_ptr<Layer> LayerStream::next(std::size_t max_features) {
    Impl& m = *impl_;
    if (m.ahead.pending()) {
        auto part = m.ahead.get();
        m.ahead = {};
        return part;
    }
    return m.read(max_features);
}

std::unique_ptr<Layer> LayerStream::Impl::read(std::size_t max_features) {
    Impl& m = *this;
    if (m.done) return nullptr;
    Layer& stage = *m.staging;
    if (!m.started) {
        m.loader.emplace(stage, stage.features_, stage.stats_, stage.attributes_.get());
        m.loader->begin();
        m.started = true;
        if (!m.loader->readSome(std::max<std::size_t>(max_features, 1))) {
            // The whole source fits in one part: that part is the layer, as loadLayer() would read it.
            m.loader->finish();
            m.done = true;
            return std::move(m.staging);
        }
        m.loader->finish();  // the checks over the layer as a whole look at its first part
    } else if (!m.loader->readSome(std::max<std::size_t>(max_features, 1))) {
        m.done = true;
        // A last part of skipped features only is still a part: its skips must be listed and counted.
        if (stage.features_.empty() && stage.stats_.read == m.read_before) return nullptr;
    }
    return LayerLoader::handOff(stage, *m.loader, m.skipped_before, m.repaired_before, m.read_before);
}

std::unique_ptr<Layer> LayerStream::totals() {
    Impl& m = *impl_;
    if (m.ahead.pending()) throw std::logic_error("LayerStream::totals() while a part is being read");
    if (!m.done || !m.staging) return nullptr;
    return std::move(m.staging);
}

}  // namespace ecozone::layers

namespace ecozone::layers {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using FlatPoint = bg::model::d2::point_xy<double>;
using FlatSegment = bg::model::segment<FlatPoint>;
using ShoreSegment = std::pair<FlatSegment, double>;  // a segment and the half width it is widened by

// Longitude/latitude as flat metres around a reference point (equirectangular). Over the few kilometres that matter
// here its distances are within a few per cent of the geodesic ones: plenty for comparing two medians.
struct LocalMetres {
    double lon0, lat0, kx, ky;
    LocalMetres(double lon, double lat)
        : lon0(lon), lat0(lat), kx(111320.0 * std::cos(lat * M_PI / 180)), ky(110574.0) {}
    FlatPoint operator()(geo::LonLat p) const { return {(p.lon - lon0) * kx, (p.lat - lat0) * ky}; }
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Points picked on a Chinese web map and loaded without `datum` sit 400-650 m (GCJ-02) or about 1 km (BD-09) off
// everything else. For each point layer loaded without `datum`, compare the median distance of its points (a
// deterministic sample of at most kSample) to the nearest line (a river's shoreline where it has a width) or polygon
// boundary of the other layers as given and as converted from GCJ-02 (and BD-09) to WGS84, and warn when a
// conversion fits clearly better: the median drops by more than half and by more than 100 m. Points placed on rivers
// and boundaries (outlets, stations, sites picked on a map) show the offset; points scattered at random distances
// from everything do not, and get no warning.
// The cells of a grid over a box (and one cell around it) within one cell of some point: a bitmap, since the box
// is at most China's (about 3,000 x 2,000 cells of 0.02 degrees).
class NearCells {
  public:
    struct Cell {
        std::int64_t x, y;
    };

    NearCells(const geo::Box& box, double cell)
        : cell_(cell),
          x0_(static_cast<std::int64_t>(std::floor(box.min_lon / cell)) - 1),
          y0_(static_cast<std::int64_t>(std::floor(box.min_lat / cell)) - 1),
          width_(static_cast<std::int64_t>(std::floor(box.max_lon / cell)) - x0_ + 2),
          height_(static_cast<std::int64_t>(std::floor(box.max_lat / cell)) - y0_ + 2),
          bits_(static_cast<std::size_t>(width_ * height_)) {}

    Cell cellOf(geo::LonLat p) const { return {floorOf(p.lon / cell_), floorOf(p.lat / cell_)}; }
    static bool same(Cell a, Cell b) { return a.x == b.x && a.y == b.y; }
    void markAround(geo::LonLat p) {
        const Cell c = cellOf(p);
        for (std::int64_t dx = -1; dx <= 1; ++dx)
            for (std::int64_t dy = -1; dy <= 1; ++dy) bits_[index(c.x + dx, c.y + dy)] = true;
    }
    bool marked(Cell c) const {
        if (c.x < x0_ || c.y < y0_ || c.x >= x0_ + width_ || c.y >= y0_ + height_) return false;
        return bits_[index(c.x, c.y)];
    }

  private:
    std::size_t index(std::int64_t x, std::int64_t y) const { return static_cast<std::size_t>((y - y0_) * width_ + (x - x0_)); }
    // std::floor of a finite quotient of degrees by a cell, inline (the library call was most of this check's
    // time, run on every vertex of every other layer).
    static std::int64_t floorOf(double v) {
        const auto t = static_cast<std::int64_t>(v);
        return static_cast<double>(t) > v ? t - 1 : t;
    }

    double cell_;
    std::int64_t x0_, y0_, width_, height_;
    std::vector<bool> bits_;
};

void warnWebMapOffsets(const LayerMap& layers) {
    constexpr std::size_t kSample = 500, kMinPoints = 5;
    constexpr double kReach = 0.05;  // degrees around the points within which other layers' segments count
    for (const auto& [name, layer] : layers) {
        if (!layer->binding().datum.empty()) continue;
        std::vector<geo::LonLat> points;
        for (const Feature& f : layer->features())
            if (f.family == geo::GeometryFamily::Point)
                for (const auto& part : f.parts)
                    if (!part.empty() && geo::insideChinaForGcj(part.front())) points.push_back(part.front());
        if (points.size() < kMinPoints) continue;
        if (points.size() > kSample) {
            std::vector<geo::LonLat> sample;
            const double step = static_cast<double>(points.size()) / kSample;
            for (std::size_t i = 0; i < kSample; ++i) sample.push_back(points[static_cast<std::size_t>(i * step)]);
            points = std::move(sample);
        }
        geo::Box box{180, 90, -180, -90};
        for (const auto& p : points) {
            box.min_lon = std::min(box.min_lon, p.lon), box.max_lon = std::max(box.max_lon, p.lon);
            box.min_lat = std::min(box.min_lat, p.lat), box.max_lat = std::max(box.max_lat, p.lat);
        }
        const LocalMetres flat((box.min_lon + box.max_lon) / 2, (box.min_lat + box.max_lat) / 2);
        // Only segments near some sampled point count (in the grid cells of about 2 km around the points: the
        // offsets looked for are under 1.5 km), so that a province of reserve outlines is not indexed for a few
        // thousand points.
        constexpr double kCell = 0.02;
        NearCells near(box, kCell);
        for (const auto& p : points) near.markAround(p);
        std::vector<ShoreSegment> segments;
        for (const auto& [other, o] : layers) {
            if (other == name) continue;
            for (const Feature& f : o->features()) {
                if (f.family != geo::GeometryFamily::Line && f.family != geo::GeometryFamily::Polygon) continue;
                if (f.envelope.max_lon < box.min_lon - kReach || f.envelope.min_lon > box.max_lon + kReach ||
                    f.envelope.max_lat < box.min_lat - kReach || f.envelope.min_lat > box.max_lat + kReach)
                    continue;
                for (const auto& part : f.parts) {
                    if (part.empty()) continue;
                    auto cellA = near.cellOf(part[0]);
                    for (std::size_t i = 1; i < part.size(); ++i) {
                        const geo::LonLat a = part[i - 1], b = part[i];
                        const auto cellB = near.cellOf(b);
                        // A segment counts when an end or its middle lies in a marked cell (the middle of a
                        // segment within one cell lies in that cell).
                        const bool counts = near.marked(cellA) || near.marked(cellB) ||
                                            (!NearCells::same(cellA, cellB) &&
                                             near.marked(near.cellOf({(a.lon + b.lon) / 2, (a.lat + b.lat) / 2})));
                        cellA = cellB;
                        if (counts) segments.emplace_back(FlatSegment(flat(a), flat(b)), f.half_width_m);
                    }
                }
            }
        }
        if (segments.empty()) continue;
        const bgi::rtree<ShoreSegment, bgi::rstar<16>> tree(segments.begin(), segments.end());
        auto medianDistance = [&](auto&& convert) {
            std::vector<double> d;
            d.reserve(points.size());
            for (const auto& p : points) {
                const FlatPoint q = flat(convert(p));
                // The nearest few centerlines, so that a wide river's shoreline is found behind a narrow one's.
                std::vector<ShoreSegment> nearest;
                tree.query(bgi::nearest(q, 4), std::back_inserter(nearest));
                double best = HUGE_VAL;
                for (const auto& [segment, halfWidth] : nearest)
                    best = std::min(best, std::max(0.0, bg::distance(q, segment) - halfWidth));
                d.push_back(best);
            }
            return median(std::move(d));
        };
        const double given = medianDistance([](geo::LonLat p) { return p; });
        log::debug("layer `" + name + "`: median distance of " + std::to_string(points.size()) +
                   " points to the other layers' shorelines, lines and boundaries: " + std::to_string(given) + " m as given");
        for (const geo::Datum datum : {geo::Datum::Gcj02, geo::Datum::Bd09}) {
            const double converted = medianDistance([&](geo::LonLat p) { return geo::toWgs84(p, datum); });
            log::debug("  ... " + std::to_string(converted) + " m converted from " + geo::datumName(datum));
            if (!(converted < given / 2 && given - converted > 100)) continue;
            const bool gcj = datum == geo::Datum::Gcj02;
            char numbers[160];
            std::snprintf(numbers, sizeof numbers, "%.0f m as given to %.0f m", given, converted);
            LayerLoader::warn(
                *layer, "layer `" + name + "`: its points look like " +
                            (gcj ? std::string("GCJ-02 (Chinese web-map: Amap/Gaode, Tencent)")
                                 : std::string("BD-09 (Baidu Maps)")) +
                            " coordinates: converted to WGS84, the median distance of " +
                            std::to_string(points.size()) +
                            " of them to the nearest shoreline, line or boundary of the other layers drops from " + numbers +
                            "; give --datum " + name + "=" + geo::datumName(datum) +
                            " if they were picked on such a map");
            break;
        }
    }
}

}  // namespace

LayerMap loadLayers(const LayerSet& set, const std::vector<std::string>& names) {
    LayerStreams none;
    LayerMap out = loadLayers(set, names, {}, 0, none);
    checkWebMapOffsets(out);
    return out;
}

void checkWebMapOffsets(const LayerMap& layers) { warnWebMapOffsets(layers); }

LayerMap loadLayers(const LayerSet& set, const std::vector<std::string>& names,
                    const std::vector<std::string>& streamable, std::size_t part_features, LayerStreams& streams) {
    // The layers are read side by side, as many at a time as there are cores, the largest sources first; what
    // each says, and the first error, come out in the order of `names`, as if they were read one after another.
    struct Loaded {
        std::unique_ptr<Layer> layer;
        std::unique_ptr<LayerStream> stream;
        double seconds = 0;
    };
    GDALAllRegister();  // once, here: registering drivers from several threads at once is not safe
    std::vector<std::size_t> order(names.size());
    std::vector<std::uintmax_t> sizes(names.size(), 0);
    for (std::size_t i = 0; i < names.size(); ++i) {
        order[i] = i;
        std::error_code ec;
        const auto size = std::filesystem::file_size(set.binding(names[i]).source, ec);
        if (!ec) sizes[i] = size;
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });
    std::vector<std::optional<Background<Loaded>>> jobs(names.size());
    const std::size_t width = std::max(1u, std::thread::hardware_concurrency());
    auto start = [&](std::size_t i) {
        const std::string& name = names[i];
        const bool streamed = std::find(streamable.begin(), streamable.end(), name) != streamable.end();
        jobs[i].emplace([&set, &name, streamed, part_features] {
            const LayerBinding& b = set.binding(name);
            const double begin = log::elapsed();
            Loaded l;
            if (streamed) {
                l.stream = std::make_unique<LayerStream>(b, set.schemas.at(b.schema));
                l.layer = l.stream->next(part_features);
                if (l.stream->done()) l.stream.reset();
            } else {
                l.layer = loadLayer(b, set.schemas.at(b.schema));
            }
            l.seconds = log::elapsed() - begin;
            return l;
        });
    };
    // A sliding window over `order`: job k + width starts once job k is taken up.
    std::size_t started = 0;
    while (started < std::min(width, order.size())) start(order[started++]);
    std::vector<std::optional<Loaded>> done(names.size());
    std::vector<std::vector<std::string>> held(names.size());
    std::exception_ptr first_error;
    std::size_t first_error_at = names.size();
    for (std::size_t k = 0; k < order.size(); ++k) {
        const std::size_t i = order[k];
        // Taken up in `order`, their messages held until they can be written in the order of `names`.
        log::Capture hold;
        try {
            done[i] = jobs[i]->get();
        } catch (...) {
            if (i < first_error_at) first_error = std::current_exception(), first_error_at = i;
        }
        held[i] = hold.take();
        if (started < order.size()) start(order[started++]);
    }
    LayerMap out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        log::replay(held[i]);
        if (i == first_error_at) std::rethrow_exception(first_error);
        const std::string& name = names[i];
        Loaded& l = *done[i];
        log::debug("loaded layer `" + name + "`: " + std::to_string(l.layer->stats().used) + " features in " +
                   std::to_string(l.seconds) + " s" + (l.stream ? " (first part)" : ""));
        out.emplace(name, std::move(l.layer));
        if (l.stream) streams.emplace(name, std::move(l.stream));
    }
    // The next part of the first layer read in parts is read while the caller checks the offsets and builds its
    // indexes: it is the next thing a check needs.
    if (!streams.empty()) streams.begin()->second->prefetch(part_features);
    return out;
}
}  // namespace ecozone::layers

namespace ecozone::layers {

std::vector<std::string> disjointLayers(const LayerMap& layers) {
    std::map<std::string, geo::Box> extents;
    for (const auto& [name, layer] : layers) {
        if (layer->features().empty()) continue;
        geo::Box e{180, 90, -180, -90};
        for (const Feature& f : layer->features()) {
            e.min_lon = std::min(e.min_lon, f.envelope.min_lon);
            e.min_lat = std::min(e.min_lat, f.envelope.min_lat);
            e.max_lon = std::max(e.max_lon, f.envelope.max_lon);
            e.max_lat = std::max(e.max_lat, f.envelope.max_lat);
        }
        extents[name] = e;
    }
    std::vector<std::string> out;
    if (extents.size() < 2) return out;
    constexpr double kNear = 1.0;  // degrees
    for (const auto& [name, e] : extents) {
        bool near = false;
        for (const auto& [other, o] : extents)
            if (other != name && e.min_lon <= o.max_lon + kNear && o.min_lon <= e.max_lon + kNear &&
                e.min_lat <= o.max_lat + kNear && o.min_lat <= e.max_lat + kNear)
                near = true;
        if (near) continue;
        char text[128];
        std::snprintf(text, sizeof text, "%.2f–%.2f°E, %.2f–%.2f°N", e.min_lon, e.max_lon, e.min_lat, e.max_lat);
        out.push_back("layer `" + name + "` (" + text + ") lies far from every other layer: check its CRS and axis order");
    }
    return out;
}

void writeLoadReport(const std::filesystem::path& file, const LayerMap& layers) {
    using Type = output::GdalTable::Type;
    output::GdalTable table(file, "load_report",
                            {{"layer", Type::String},
                             {"source", Type::String},
                             {"fid", Type::Integer},
                             {"id", Type::String},
                             {"outcome", Type::String},
                             {"reason", Type::String}},
                            false);
    for (const auto& [name, layer] : layers) {
        // Init-captures: clang 14 (the fuzz build) cannot capture structured bindings implicitly.
        auto row = [&, &name = name, &layer = layer](int64_t fid, const std::string& id, const char* outcome,
                                                     const std::string& reason) {
            table.set("layer", name);
            table.set("source", layer->binding().source);
            table.setInteger("fid", fid);
            table.set("id", id);
            table.set("outcome", outcome);
            table.set("reason", reason);
            table.writeRow();
        };
        for (const auto& k : layer->stats().skipped) row(k.fid, k.id, "skipped", k.reason);
        for (const auto& r : layer->stats().repaired) row(r.fid, r.id, "repaired", r.what);
    }
    table.finish();
}

void requireClean(const LayerMap& layers) {
    std::size_t skipped = 0, repaired = 0;
    std::string first;
    for (const auto& [name, layer] : layers) {
        skipped += layer->stats().skipped.size();
        repaired += layer->stats().repaired.size();
        for (const auto& k : layer->stats().skipped)
            if (first.empty()) first = "layer `" + name + "` feature " + std::to_string(k.fid) + " skipped: " + k.reason;
        for (const auto& r : layer->stats().repaired)
            if (first.empty()) first = "layer `" + name + "` feature " + std::to_string(r.fid) + " repaired: " + r.what;
    }
    if (skipped + repaired > 0)
        throw dataError("--strict: " + std::to_string(skipped) + " features skipped and " + std::to_string(repaired) +
                        " repaired while loading (first: " + first +
                        "); fix the data, or run without --strict (--report-skipped FILE lists them all)");
}

}  // namespace ecozone::layers

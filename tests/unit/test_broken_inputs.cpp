// SPDX-License-Identifier: MIT
// The loader on broken inputs: per-feature problems are skips or repairs with a reason, unusable sources are data
// errors that name the file. The CLI side of the same cases is the corpus under tests/corpus.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_support.hpp"
#include "util/error.hpp"

using namespace ecozone;

namespace {
const char* const kFacility = R"("properties":{"id":"F1","name":"n","category":"hydropower","status":"existing"})";

std::string featureCollection(const std::vector<std::string>& geometries) {
    std::string out = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < geometries.size(); ++i)
        out += std::string(i ? "," : "") + R"({"type":"Feature",)" + kFacility + R"(,"geometry":)" +
               geometries[i] + "}";
    return out + "]}";
}

// The message of the data error loading `b` throws.
std::string dataErrorOf(const layers::LayerBinding& b) {
    try {
        test::load(b);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Data) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "expected a data error loading " << b.source;
    return "";
}
}  // namespace

TEST(BrokenInputs, NanInsideARingIsRefusedAsNonFinite) {
    // An envelope ignores NaN, so only a check of every vertex sees it.
    const auto dir = test::tempDir();
    test::writeText(
        dir / "f.geojson",
        featureCollection({R"({"type":"Polygon","coordinates":[[[108,31],[108.1,NaN],[108.1,31.1],[108,31]]]})",
                           R"({"type":"LineString","coordinates":[[108,31],[Infinity,31]]})",
                           R"({"type":"Point","coordinates":[108,31]})"}));
    auto layer = test::load(test::binding("facilities", "facility", dir / "f.geojson"));
    const auto& s = layer->stats();
    EXPECT_EQ(s.used, 1u);
    ASSERT_EQ(s.skipped.size(), 2u);
    EXPECT_EQ(s.skipped[0].reason, "non-finite (NaN or infinite) coordinates");
    EXPECT_EQ(s.skipped[1].reason, "non-finite (NaN or infinite) coordinates");
}

TEST(BrokenInputs, DroppedZAndMAreCountedAsRepairs) {
    const auto dir = test::tempDir();
    test::writeLayer(dir / "f.gpkg", 4326,
                     {{{{"name", "n"}, {"category", "other"}, {"status", "new"}}, "POINT ZM (108 31 5 6)"}});
    auto layer = test::load(test::binding("facilities", "facility", dir / "f.gpkg"));
    ASSERT_EQ(layer->stats().repaired.size(), 1u);
    EXPECT_EQ(layer->stats().repaired[0].what, "Z and M coordinates dropped");
    EXPECT_DOUBLE_EQ(layer->features()[0].parts[0][0].lon, 108);
}

TEST(BrokenInputs, AnEmptyFeatureCollectionIsAnEmptyLayerThatFiltersStillParse) {
    const auto dir = test::tempDir();
    test::writeText(dir / "f.geojson", featureCollection({}));
    auto layer = test::load(test::binding("facilities", "facility", dir / "f.geojson"));
    EXPECT_TRUE(layer->features().empty());
    ASSERT_EQ(layer->stats().warnings.size(), 1u);
    EXPECT_NE(layer->stats().warnings[0].find("holds no features"), std::string::npos);
    EXPECT_TRUE(layer->select("category = 'hydropower'", "test").empty());
}

TEST(BrokenInputs, ShapefileWithoutItsDbfOrShxIsADataErrorNamingTheMissingFile) {
    const auto dir = test::tempDir();
    const std::vector<test::Row> rows = {
        {{{"name", "n"}, {"category", "other"}, {"status", "new"}}, "POINT (108 31)"}};
    test::writeLayer(dir / "a.shp", 4326, rows);
    test::writeLayer(dir / "b.shp", 4326, rows);
    std::filesystem::remove(dir / "a.dbf");
    std::filesystem::remove(dir / "b.shx");
    EXPECT_NE(
        dataErrorOf(test::binding("facilities", "facility", dir / "a.shp")).find("no attribute file `a.dbf`"),
        std::string::npos);
    EXPECT_NE(dataErrorOf(test::binding("facilities", "facility", dir / "b.shp")).find("no index file `b.shx`"),
              std::string::npos);
}

TEST(BrokenInputs, ATruncatedDbfStopsTheLoadInsteadOfDroppingFeatures) {
    const auto dir = test::tempDir();
    std::vector<test::Row> rows;
    for (int i = 0; i < 4; ++i)
        rows.push_back({{{"id", "F" + std::to_string(i)}, {"name", "n"}, {"category", "other"}, {"status", "new"}},
                        "POINT (108 31)"});
    test::writeLayer(dir / "f.shp", 4326, rows);
    std::filesystem::resize_file(dir / "f.dbf", std::filesystem::file_size(dir / "f.dbf") / 2);
    const std::string message = dataErrorOf(test::binding("facilities", "facility", dir / "f.shp"));
    EXPECT_NE(message.find("stopped after"), std::string::npos) << message;
    EXPECT_NE(message.find("of 4 features"), std::string::npos) << message;
}

TEST(BrokenInputs, EmptyFilesAndFoldersAreNamedAsSuch) {
    const auto dir = test::tempDir();
    test::writeText(dir / "empty.geojson", "");
    std::filesystem::create_directories(dir / "folder");
    test::writeText(dir / "folder" / "notes.txt", "not data");
    EXPECT_NE(
        dataErrorOf(test::binding("facilities", "facility", dir / "empty.geojson")).find("is empty (0 bytes)"),
        std::string::npos);
    EXPECT_NE(dataErrorOf(test::binding("facilities", "facility", dir / "folder")).find("it is a folder"),
              std::string::npos);
}

// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "layers/layer_set.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace ecozone;

TEST(LayerSet, RebindingALayerForgetsTheOldSourcesCrsAndFilter) {
    const auto dir = test::tempDir();
    std::filesystem::copy_file(test::repoRoot() / "layers" / "schemas.toml", dir / "schemas.toml",
                               std::filesystem::copy_options::overwrite_existing);
    test::writeText(dir / "set.toml", R"([layers.facilities]
schema = "facility"
source = "ledger.csv"
crs = "EPSG:4545"
where = "status = 'planned'"
x_field = "x"
y_field = "y"
)");
    auto set = layers::loadLayerSet(dir / "set.toml");
    EXPECT_EQ(set.binding("facilities").crs, "EPSG:4545");
    layers::overrideLayer(set, "facilities=other.geojson");
    const auto& b = set.binding("facilities");
    EXPECT_EQ(b.source, "other.geojson");
    EXPECT_EQ(b.crs, "");
    EXPECT_EQ(b.where, "");
    EXPECT_EQ(b.x_field, "");
    EXPECT_EQ(b.origin, "--layer facilities=other.geojson");
}

TEST(LayerSet, LayerNamesAfterPathsAndConnectionStrings) {
    const auto dir = test::tempDir();
    std::filesystem::copy_file(test::repoRoot() / "layers" / "schemas.toml", dir / "schemas.toml");
    test::writeText(dir / "set.toml", "[layers.reserves]\nschema = \"reserve_zone\"\nsource = \"x.gpkg\"\n");
    test::writeText(dir / "county.gpkg", "");
    auto set = layers::loadLayerSet(dir / "set.toml");
    const auto county = (dir / "county.gpkg").string();
    layers::overrideLayer(set, "reserves=" + county + ":zones");
    EXPECT_EQ(set.binding("reserves").source, county);
    EXPECT_EQ(set.binding("reserves").layer, "zones");
    layers::overrideLayer(set, "reserves=PG:host=127.0.0.1 dbname=eco");
    EXPECT_EQ(set.binding("reserves").source, "PG:host=127.0.0.1 dbname=eco");
    EXPECT_EQ(set.binding("reserves").layer, "");
    layers::overrideLayer(set, "reserves=PG:host=127.0.0.1 dbname=eco:public.zones");
    EXPECT_EQ(set.binding("reserves").source, "PG:host=127.0.0.1 dbname=eco");
    EXPECT_EQ(set.binding("reserves").layer, "public.zones");
    EXPECT_THROW(layers::overrideLayer(set, "reserves"), Error);
    EXPECT_THROW(layers::overrideLayer(set, "nosuch=x.gpkg"), Error);
}

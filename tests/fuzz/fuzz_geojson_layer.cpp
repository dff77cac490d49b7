// SPDX-License-Identifier: MIT
// libFuzzer target: arbitrary bytes as a GeoJSON source of the `facilities` layer (schema `facility` from
// layers/schemas.toml), read by the real loader from an in-memory GDAL file. A data or configuration error
// (ecozone::Error) and skipped features are expected answers; a crash, a sanitizer report or any other exception
// is a bug.
#include <cpl_vsi.h>
#include <gdal_priv.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "layers/layer.hpp"
#include "layers/schema.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace {
const char* const kSource = "/vsimem/ecozone-fuzz/facilities.geojson";

const ecozone::layers::Schema* g_schema = nullptr;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    ecozone::log::setLevel(ecozone::log::Level::Quiet);
    ecozone::log::captureLibraryMessages();
    GDALAllRegister();
    static const ecozone::layers::SchemaSet schemas =
        ecozone::layers::loadSchemas(std::filesystem::path(ECOZONE_SOURCE_DIR) / "layers" / "schemas.toml");
    g_schema = &schemas.at("facility");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    // GDAL reads the bytes in place (no copy, not taken over), so the buffer must outlive the load.
    VSILFILE* file = VSIFileFromMemBuffer(kSource, const_cast<GByte*>(data), size, FALSE);
    if (!file) return 0;
    VSIFCloseL(file);
    ecozone::layers::LayerBinding binding;
    binding.name = "facilities";
    binding.schema = "facility";
    binding.source = kSource;
    binding.origin = "fuzz";
    try {
        const auto layer = ecozone::layers::loadLayer(binding, *g_schema);
        const auto& stats = layer->stats();
        // Every feature read is used or skipped, and every used one has a geometry.
        if (stats.read != stats.used + stats.skipped.size()) __builtin_trap();
        for (const auto& feature : layer->features())
            if (!feature.geometry || feature.parts.empty()) __builtin_trap();
    } catch (const ecozone::Error&) {
    }
    VSIUnlink(kSource);
    return 0;
}

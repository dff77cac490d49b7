# SPDX-License-Identifier: MIT
# Included from tests/CMakeLists.txt: the fuzz targets' entry points, linked with a plain main() instead of
# libFuzzer, replay their seed corpora (tests/fuzz/corpus/NAME, which keep every crash found) as regression tests.
foreach(pair IN ITEMS catalogue:catalogue geojson_layer:geojson)
  string(REPLACE ":" ";" pair ${pair})
  list(GET pair 0 target)
  list(GET pair 1 corpus)
  add_executable(replay_${target} fuzz/fuzz_${target}.cpp fuzz/replay_main.cpp)
  target_link_libraries(replay_${target} PRIVATE ecozone_core ecozone_flags)
  target_compile_definitions(replay_${target} PRIVATE ECOZONE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME fuzz-replay.${corpus} COMMAND replay_${target} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${corpus})
  set_tests_properties(fuzz-replay.${corpus} PROPERTIES LABELS fuzz)
endforeach()

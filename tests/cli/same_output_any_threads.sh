#!/bin/sh
# SPDX-License-Identifier: MIT
# `ecozone check` on the sample writes byte-identical files whatever the thread count, in every output format.
set -eu
bin=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
for ext in gpkg fgb geojson csv; do
    for threads in 1 2 3; do
        status=0
        "$bin" check --quiet --threads "$threads" -o "$out/v$threads.$ext" >/dev/null || status=$?
        [ "$status" = 1 ] || { echo "check exited with $status (expected 1: violations)"; exit 1; }
    done
    cmp "$out/v1.$ext" "$out/v2.$ext"
    cmp "$out/v1.$ext" "$out/v3.$ext"
    # And a second run is the same as the first.
    "$bin" check --quiet --threads 2 -o "$out/again.$ext" >/dev/null || true
    cmp "$out/v1.$ext" "$out/again.$ext"
done
echo "identical for 1, 2 and 3 threads in gpkg, fgb, geojson and csv"
# Chinese text survives the binary formats too.
if command -v ogrinfo >/dev/null 2>&1; then
    for ext in gpkg fgb; do
        ogrinfo -q "$out/v1.$ext" violations -where "rule_id = 'hydro-core'" | grep -q "subject_name (String) = 木魁河电站" ||
            { echo "木魁河电站 not found in the $ext output"; exit 1; }
    done
fi

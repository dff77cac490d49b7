#!/bin/sh
# SPDX-License-Identifier: MIT
# `ecozone check` on the sample finds the same violations, and prints the same summary, when its facilities are
# read and checked part by part (--part-features) as when they are read whole: only the order of the rows may
# differ, since violations then come part by part.
set -eu
bin=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
run() {
    status=0
    "$bin" check --quiet "$@" >"$out/stdout" || status=$?
    [ "$status" = 1 ] || { echo "check $* exited with $status (expected 1: violations)"; exit 1; }
}
run -o "$out/whole.csv"
mv "$out/stdout" "$out/whole.stdout"
head -n 1 "$out/whole.csv" >"$out/header"
tail -n +2 "$out/whole.csv" | sort >"$out/whole.sorted"
for size in 1 7 50; do
    run --part-features "$size" -o "$out/parts-$size.csv" --report-skipped "$out/skipped-$size.csv"
    sed "s|parts-$size.csv|whole.csv|" "$out/stdout" | diff "$out/whole.stdout" - ||
        { echo "the summary differs with --part-features $size"; exit 1; }
    head -n 1 "$out/parts-$size.csv" | cmp "$out/header" - || { echo "the header differs"; exit 1; }
    tail -n +2 "$out/parts-$size.csv" | sort | diff "$out/whole.sorted" - ||
        { echo "the violations differ with --part-features $size"; exit 1; }
done
echo "same violations and summary for the whole layer and for parts of 1, 7 and 50 features"

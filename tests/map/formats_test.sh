#!/bin/sh
# SPDX-License-Identifier: MIT
# `ecozone map` from the command line, on the bundled sample: each format is written with exit code 1
# (violations found) and starts as it must; --area, --per-rule and --per-area write the maps they must; a bad
# extension, a bad --bbox, an ambiguous --area and options that conflict are usage errors (2).
# Usage: formats_test.sh ECOZONE OUT_DIR
set -u
bin=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
failed=0

expect() { # code args...
    want=$1
    shift
    "$bin" "$@" >"$out/last.stdout" 2>"$out/last.stderr"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "ecozone $*: expected exit code $want, got $got"
        cat "$out/last.stderr"
        failed=1
    fi
}
starts() { # file hex-prefix
    prefix=$(od -An -tx1 -N$(( ${#2} / 2 )) "$1" 2>/dev/null | tr -d ' \n')
    if [ "$prefix" != "$2" ]; then
        echo "$1 does not start with $2 (got $prefix)"
        failed=1
    fi
}

expect 1 map -q -o "$out/sample.png" --width 1000 --height 750
starts "$out/sample.png" 89504e470d0a1a0a
grep -q "52 violation symbols" "$out/last.stdout" || { echo "expected 52 violation symbols:"; cat "$out/last.stdout"; failed=1; }
expect 1 map -q -o "$out/sample.svg" --lang en
starts "$out/sample.svg" 3c3f786d6c   # <?xml
expect 1 map -q -o "$out/sample.pdf"
starts "$out/sample.pdf" 255044462d   # %PDF-
# The Dabashan reserve (Chengkou) and the Yangtze around Fuling, with their bands.
expect 1 map -q -o "$out/dabashan.png" --bbox 108.44,31.94,108.83,32.22 --title "大巴山自然保护区水电站"
grep -q "^15 violation symbols" "$out/last.stdout" || { echo "expected 15 violation symbols on the Dabashan map:"; cat "$out/last.stdout"; failed=1; }
expect 1 map -q -o "$out/fuling.png" --bbox 107.15,29.45,107.65,29.85 --title "涪陵段长江岸线 1 km / 3 km"

# --area: framed on one named area; a name that several areas hold, or none, lists them (usage, 2).
expect 1 map -q -o "$out/area.svg" --area "大巴山 保护区"
grep -q "^14 violation symbols" "$out/last.stdout" || { echo "expected 14 violation symbols in the Dabashan reserve:"; cat "$out/last.stdout"; failed=1; }
expect 1 map -q -o "$out/area.png" --area 大巴山 --area-layer reserves
expect 2 map -o "$out/x.png" --area 大巴山
grep -q "reserves: 大巴山国家级自然保护区 (RZ-DBS)" "$out/last.stderr" && grep -q "redlines: 大巴山" "$out/last.stderr" ||
    { echo "an ambiguous --area does not list the areas it matches:"; cat "$out/last.stderr"; failed=1; }
expect 2 map -o "$out/x.png" --area 不存在的保护区
grep -q "金佛山国家级自然保护区" "$out/last.stderr" || { echo "an unknown --area does not list the areas"; failed=1; }

# --per-rule: one file per rule with violations, named FILE-<rule id>.EXT, each printed.
"$bin" check -q -o "$out/violations.csv" >/dev/null 2>&1
rules=$(tail -n +2 "$out/violations.csv" | cut -d, -f1 | sort -u)
mkdir -p "$out/per-rule"
expect 1 map -q -o "$out/per-rule/annex.svg" --per-rule
for rule in $rules; do
    [ -s "$out/per-rule/annex-$rule.svg" ] || { echo "--per-rule wrote no annex-$rule.svg"; failed=1; }
    grep -q "^$out/per-rule/annex-$rule.svg: [1-9]" "$out/last.stdout" || { echo "--per-rule did not print annex-$rule.svg"; failed=1; }
done
written=$(ls "$out/per-rule" | wc -l)
[ "$written" = "$(echo "$rules" | wc -l)" ] || { echo "--per-rule wrote $written files for $(echo "$rules" | wc -l) violated rules"; failed=1; }
grep -q "^52 violations mapped to $written maps" "$out/last.stdout" || { echo "no --per-rule summary:"; cat "$out/last.stdout"; failed=1; }

# --per-area: one file per area holding violations of `inside` rules, named by its id; for the reserves layer, the
# two reserves.
mkdir -p "$out/per-area"
expect 1 map -q -o "$out/per-area/reserve.png" --per-area --area-layer reserves
[ "$(ls "$out/per-area" | tr '\n' ' ')" = "reserve-RZ-DBS.png reserve-RZ-JFS.png " ] ||
    { echo "--per-area --area-layer reserves wrote: $(ls "$out/per-area")"; failed=1; }
starts "$out/per-area/reserve-RZ-DBS.png" 89504e470d0a1a0a
grep -q "reserve-RZ-DBS.png: 14 violation symbols" "$out/last.stdout" || { echo "the Dabashan annex:"; cat "$out/last.stdout"; failed=1; }
mkdir -p "$out/per-area-all"
expect 1 map -q -o "$out/per-area-all/a.pdf" --per-area
# The sample's areas with violations of `inside` rules: 2 reserves, 5 red lines, 3 water-source zones, 3 no-breeding
# zones and 1 drawdown zone.
[ "$(ls "$out/per-area-all" | wc -l)" = 14 ] || { echo "--per-area wrote $(ls "$out/per-area-all" | wc -l) files, expected 14"; failed=1; }
starts "$out/per-area-all/a-RZ-DBS.pdf" 255044462d

# Options that cannot go together, and --per-rule for HTML, are usage errors.
expect 2 map -o "$out/x.html" --per-rule
grep -q "static maps" "$out/last.stderr" || { echo "no message for --per-rule with .html"; failed=1; }
expect 2 map -o "$out/x.png" --per-rule --per-area
expect 2 map -o "$out/x.png" --per-area --bbox 108.44,31.94,108.83,32.22
expect 2 map -o "$out/x.png" --per-rule --title "附图"
expect 2 map -o "$out/x.png" --per-area --area-layer nosuchlayer
if [ -f /usr/share/javascript/leaflet/leaflet.js ]; then
    expect 1 map -q -o "$out/sample.html"
    starts "$out/sample.html" 3c21444f4354595045   # <!DOCTYPE
fi
expect 2 map -o "$out/sample.gif"
grep -q "unknown map format" "$out/last.stderr" || { echo "no message for an unknown format"; failed=1; }
expect 2 map -o "$out/x.png" --bbox 1,2,3
export ECOZONE_LEAFLET_DIR=/nonexistent-leaflet
expect 5 map -o "$out/x.html"
unset ECOZONE_LEAFLET_DIR
grep -q "libjs-leaflet" "$out/last.stderr" || { echo "no install hint when Leaflet is missing"; failed=1; }
[ "$failed" = 0 ] && echo "all map formats written"
exit "$failed"

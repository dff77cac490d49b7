#!/bin/sh
# SPDX-License-Identifier: MIT
# `ecozone map` from the command line, on the bundled sample: each format is written with exit code 1
# (violations found) and starts as it must; a bad extension and a bad --bbox are usage errors (2).
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
expect 1 map -q -o "$out/fuling.png" --bbox 107.15,29.45,107.65,29.85 --title "涪陵段长江岸线 1 km / 3 km"
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

#!/bin/sh
# SPDX-License-Identifier: MIT
# The HTML map in a real browser. Writes the sample's map, loads it from disk in headless Chromium with
# `?selftest` (the page counts its violation markers, list entries and layers, checks every shown layer drew
# something, opens the first violation's popup and writes the verdict into its title), then takes a screenshot.
# Usage: browser_test.sh ECOZONE OUT_DIR EXPECTED_VIOLATIONS. Exit 77 (skipped) when chromium is not installed.
set -u
bin=$1
out=$2
expected=$3

browser=""
for candidate in chromium chromium-browser; do
    if command -v "$candidate" >/dev/null 2>&1; then browser=$(command -v "$candidate"); break; fi
done
if [ -z "$browser" ]; then
    echo "SKIPPED: chromium is not installed (Debian package chromium; scripts/install-deps installs it)"
    exit 77
fi

rm -rf "$out"
mkdir -p "$out"
"$bin" map -o "$out/map.html" >"$out/map.stdout" 2>"$out/map.stderr"
code=$?
if [ "$code" != 1 ]; then
    echo "ecozone map: expected exit code 1 (violations found), got $code"
    cat "$out/map.stderr"
    exit 1
fi

# A fresh profile per run, no network services, no sandbox (CI runs as root).
run_browser() {
    profile=$(mktemp -d "$out/profile.XXXXXX")
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
        --user-data-dir="$profile" --virtual-time-budget=10000 "$@" 2>>"$out/chromium.stderr"
    status=$?
    rm -rf "$profile"
    return $status
}

url="file://$(cd "$out" && pwd)/map.html?selftest"
run_browser --dump-dom "$url" >"$out/dom.html"
title=$(sed -n 's:.*<title>\(.*\)</title>.*:\1:p' "$out/dom.html" | head -n 1)
echo "page title: $title"
case "$title" in
    "SELFTEST PASS "*) ;;
    *) echo "the page's self-test did not pass"; tail -n 20 "$out/chromium.stderr"; exit 1 ;;
esac
case "$title" in
    *"\"markers\":$expected,"*) ;;
    *) echo "expected $expected violation markers"; exit 1 ;;
esac
case "$title" in
    *'"popup":true'*) ;;
    *) echo "the first violation's popup did not open"; exit 1 ;;
esac

run_browser --hide-scrollbars --window-size=1280,900 --screenshot="$out/map.png" "$url" >/dev/null
if [ ! -s "$out/map.png" ]; then
    echo "no screenshot was written"
    exit 1
fi
# PNG signature, then the IHDR width and height (big-endian) at bytes 16..23.
signature=$(od -An -tx1 -N8 "$out/map.png" | tr -d ' \n')
size=$(od -An -tu1 -j16 -N8 "$out/map.png" | tr -s ' ' | sed 's/^ //')
if [ "$signature" != "89504e470d0a1a0a" ] || [ "$size" != "0 0 5 0 0 0 3 132" ]; then
    echo "the screenshot is not a 1280x900 PNG (signature $signature, IHDR size bytes $size)"
    exit 1
fi
bytes=$(wc -c <"$out/map.png")
if [ "$bytes" -lt 50000 ]; then
    echo "the screenshot is suspiciously small ($bytes bytes): blank page?"
    exit 1
fi
echo "screenshot: $out/map.png ($bytes bytes)"

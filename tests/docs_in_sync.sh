#!/bin/sh
# SPDX-License-Identifier: MIT
# docs/rules.md holds the output of `ecozone rules --keys`: fail when the two drift apart.
set -eu
bin=$1
doc=$2
expected=$("$bin" rules --keys)
if ! grep -qF -- "$(printf '%s\n' "$expected" | head -n 3 | tail -n 1)" "$doc"; then
    echo "docs/rules.md does not hold the output of 'ecozone rules --keys'"; exit 1
fi
printf '%s\n' "$expected" | while IFS= read -r line; do
    grep -qxF -- "$line" "$doc" || { echo "missing from $doc: $line"; exit 1; }
done

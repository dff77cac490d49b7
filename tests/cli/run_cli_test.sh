#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs one CLI test case: the real binary with the case's arguments, from inside the case's folder, and compares
# the exit code, stdout, stderr and any expected output files with the golden ones, whole.
#
# A case folder holds:
#   args            the arguments, as one shell-quoted line; @OUT@ is this run's output folder
#   exit-code       the expected exit code
#   stdout, stderr  the expected streams (optional; absent means "not compared")
#   files/NAME      an expected output file, compared with @OUT@/NAME
# In the actual streams and files, the output folder, the case folder and ECOZONE_HOME are written as @OUT@,
# @CASE@ and @HOME@, so golden files hold no machine paths. UPDATE_GOLDEN=1 rewrites the golden files.
set -u
bin=$1
case_dir=$2
out=$3
rm -rf "$out"
mkdir -p "$out"
cd "$case_dir" || exit 2

args=$(sed "s|@OUT@|$out|g" args)
eval "set -- $args"
"$bin" "$@" >"$out/.stdout" 2>"$out/.stderr"
code=$?

normalise() {
    sed -e "s|$out|@OUT@|g" -e "s|$case_dir|@CASE@|g" -e "s|${ECOZONE_HOME:-@@none@@}|@HOME@|g" "$1"
}

failed=0
expected_code=$(cat exit-code)
if [ "$code" != "$expected_code" ]; then
    echo "exit code: expected $expected_code, got $code"
    failed=1
fi
compare() { # golden actual label
    normalise "$2" >"$2.normalised"
    if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$2.normalised" "$1"
    elif ! diff -u "$1" "$2.normalised"; then
        echo "$3 differs from $1"
        failed=1
    fi
}
[ -f stdout ] && compare stdout "$out/.stdout" stdout
[ -f stderr ] && compare stderr "$out/.stderr" stderr
if [ -d files ]; then
    for golden in files/*; do
        name=$(basename "$golden")
        if [ ! -f "$out/$name" ]; then
            echo "expected output file $name was not written"
            failed=1
            continue
        fi
        compare "$golden" "$out/$name" "$name"
    done
fi
if [ "$failed" != 0 ]; then
    echo "--- stdout ---"; cat "$out/.stdout"
    echo "--- stderr ---"; cat "$out/.stderr"
fi
exit "$failed"

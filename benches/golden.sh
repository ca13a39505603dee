#!/usr/bin/env bash
# Golden outputs of the corpus: `lock`, `check` and `wheelhouse` (requirements.txt, manifest and
# the file list with sha256) for every set of tests/data/corpus/, against the live index with a
# fixed --exclude-newer, for the multi-target reference of shared/targets.md.
#
#   benches/golden.sh OUT_DIR [PINWHEEL_BINARY]
#
# Used to prove a refactoring changed no output:
#   benches/golden.sh /tmp/golden-before target-before/pinwheel
#   benches/golden.sh /tmp/golden-after
#   diff -r /tmp/golden-before /tmp/golden-after
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: benches/golden.sh OUT_DIR [PINWHEEL]}
PW=${2:-target/release/pinwheel}
CACHE=${GOLDEN_CACHE:-bench-out/golden-cache}
CUT=2026-11-01T00:00:00Z
TARGETS=(-t cp311-manylinux_2_28_x86_64 -t cp312-manylinux_2_28_x86_64 -t cp313-manylinux_2_28_x86_64
         -t cp311-musllinux_1_2_x86_64 -t cp312-musllinux_1_2_x86_64 -t cp313-musllinux_1_2_x86_64)
mkdir -p "$OUT"
for input in tests/data/corpus/*.in; do
    set_name=$(basename "$input" .in)
    d="$OUT/$set_name"
    rm -rf "$d"; mkdir -p "$d"
    "$PW" lock "$input" -o "$d/requirements.lock" "${TARGETS[@]}" --exclude-newer "$CUT" \
        --cache-dir "$CACHE" >"$d/lock.out" 2>&1
    echo "exit $?" >>"$d/lock.out"
    "$PW" check "$d/requirements.lock" --cache-dir "$CACHE" >"$d/check.out" 2>&1
    echo "exit $?" >>"$d/check.out"
    wh="$OUT/$set_name.wheelhouse"; rm -rf "$wh"
    "$PW" wheelhouse "$d/requirements.lock" -d "$wh" --cache-dir "$CACHE" >"$d/wheelhouse.out" 2>&1
    echo "exit $?" >>"$d/wheelhouse.out"
    cp "$wh/requirements.txt" "$d/wheelhouse-requirements.txt" 2>/dev/null
    for f in "$wh"/*.json "$wh"/*.toml; do [ -e "$f" ] && cp "$f" "$d/"; done
    (cd "$wh" && find . -type f ! -name '*.txt' ! -name '*.json' ! -name '*.toml' -print0 \
        | sort -z | xargs -0 sha256sum) >"$d/wheelhouse-files.sha256"
    rm -rf "$wh"
done
# The lock header records the command line and output path: normalise what differs by OUT.
# Durations differ from run to run.
sed -i -E -e "s#$OUT#OUT#g" -e 's/[0-9]+(\.[0-9]+)?(s|ms) *$/TIME/' -e 's/ in [0-9]+(\.[0-9]+)?(s|ms)/ in TIME/g' "$OUT"/*/* 2>/dev/null
echo "golden outputs in $OUT"

#!/usr/bin/env bash
# Comparison benchmarks: pinwheel against uv and pip, measured in the same run.
#   benches/compare.sh lock        cold and warm `lock` of the web-api corpus vs `uv pip compile --generate-hashes`
#   benches/compare.sh wheelhouse  multi-target wheelhouse vs a `pip download --only-binary=:all:` loop
#                                  and a plain single-stream download of the same files
#   benches/compare.sh memory      peak RSS while fetching one very large wheel (torch)
# Needs network access to the index. Installs uv into bench-out/venv if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench-out}
EXCLUDE=${EXCLUDE:-2025-10-01T00:00:00Z}
CORPUS=tests/data/corpus/web-api.in
mkdir -p "$OUT"
cargo build --release -q
PW=$PWD/target/release/pinwheel
if [ ! -x "$OUT/venv/bin/uv" ]; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install -q uv
fi
UV=$(cd "$OUT" && pwd)/venv/bin/uv
# uv looks for an interpreter of --python-version and, failing that, tries to download one; on a
# machine that reaches only package registries that attempt alone costs it ~12 s per run. It
# needs no interpreter to compile for another platform: forbid the download so uv is timed on
# the lock alone.
export UV_PYTHON_DOWNLOADS=never
PIP="$(cd "$OUT" && pwd)/venv/bin/python -m pip"
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }

bench_lock() {
  local target=cp312-manylinux_2_28_x86_64
  rm -rf "$OUT/pw-cache" "$OUT/uv-cache" "$OUT/pw.lock" "$OUT/uv.lock"
  t=$(now); "$PW" lock "$CORPUS" -o "$OUT/pw.lock" --target $target --exclude-newer "$EXCLUDE" --cache-dir "$OUT/pw-cache" -q; pw_cold=$(elapsed $t)
  t=$(now); "$UV" pip compile "$CORPUS" --generate-hashes --python-version 3.12 --python-platform x86_64-manylinux_2_28 \
      --exclude-newer "$EXCLUDE" --cache-dir "$OUT/uv-cache" -o "$OUT/uv.lock" -q; uv_cold=$(elapsed $t)
  rm -f "$OUT/pw.lock" "$OUT/uv.lock"
  pw_warm=$( { for i in 1 2 3 4 5; do t=$(now); "$PW" lock "$CORPUS" -o "$OUT/pw.lock" --target $target --exclude-newer "$EXCLUDE" --cache-dir "$OUT/pw-cache" -q; elapsed $t; rm -f "$OUT/pw.lock"; done; } | sort -n | sed -n 3p)
  uv_warm=$( { for i in 1 2 3 4 5; do t=$(now); "$UV" pip compile "$CORPUS" --generate-hashes --python-version 3.12 --python-platform x86_64-manylinux_2_28 \
      --exclude-newer "$EXCLUDE" --cache-dir "$OUT/uv-cache" -o "$OUT/uv.lock" -q; elapsed $t; rm -f "$OUT/uv.lock"; done; } | sort -n | sed -n 3p)
  "$PW" lock "$CORPUS" -o "$OUT/pw.lock" --target $target --exclude-newer "$EXCLUDE" --cache-dir "$OUT/pw-cache" -q
  "$UV" pip compile "$CORPUS" --generate-hashes --python-version 3.12 --python-platform x86_64-manylinux_2_28 \
      --exclude-newer "$EXCLUDE" --cache-dir "$OUT/uv-cache" -o "$OUT/uv.lock" -q
  pins() { grep -E '^[A-Za-z0-9._-]+==' "$1" | sed 's/ .*//' | awk -F== '{n=tolower($1); gsub(/[._]/, "-", n); print n"=="$2}' | sort; }
  pins "$OUT/pw.lock" > "$OUT/pw.pins"; pins "$OUT/uv.lock" > "$OUT/uv.pins"
  echo "lock web-api ($target, exclude-newer $EXCLUDE)"
  printf '  cold: pinwheel %.2fs  uv %.2fs  ratio uv/pinwheel %.2f\n' "$pw_cold" "$uv_cold" "$(echo "$uv_cold / $pw_cold" | bc -l)"
  printf '  warm (median of 5): pinwheel %.3fs  uv %.3fs  ratio uv/pinwheel %.2f\n' "$pw_warm" "$uv_warm" "$(echo "$uv_warm / $pw_warm" | bc -l)"
  echo "  pins: pinwheel $(wc -l < "$OUT/pw.pins"), uv $(wc -l < "$OUT/uv.pins"); differences:"
  diff "$OUT/pw.pins" "$OUT/uv.pins" | sed 's/^/    /' || true
}

bench_wheelhouse() {
  local targets=() pyv plat
  for pyv in 311 312 313; do for plat in manylinux_2_28_x86_64 musllinux_1_2_x86_64; do targets+=(--target "cp$pyv-$plat"); done; done
  "$PW" lock "$CORPUS" -o "$OUT/multi.lock" "${targets[@]}" --exclude-newer "$EXCLUDE" --cache-dir "$OUT/pw-cache" -q
  # The index here sits behind a caching proxy: the first fetch of a file is slower than later
  # ones. Warm it once (discarded) so that no tool pays for, or profits from, running first.
  rm -rf "$OUT/wh-warmup"; "$PW" wheelhouse "$OUT/multi.lock" -d "$OUT/wh-warmup" --no-cache -q; rm -rf "$OUT/wh-warmup"
  rm -rf "$OUT/wh" "$OUT/pipdl"
  t=$(now); "$PW" wheelhouse "$OUT/multi.lock" -d "$OUT/wh" --no-cache -q; pw=$(elapsed $t)
  # The pip loop users write: one `pip download` per target, from the index, on the lock itself,
  # with every platform tag the target accepts (pip does not expand --platform by itself).
  plats() {
    if [ "$1" = glibc ]; then
      for n in $(seq 28 -1 17); do echo --platform manylinux_2_${n}_x86_64; done
      echo --platform manylinux2014_x86_64 --platform manylinux_2_12_x86_64 --platform manylinux2010_x86_64 --platform manylinux_2_5_x86_64 --platform manylinux1_x86_64
    else
      echo --platform musllinux_1_2_x86_64 --platform musllinux_1_1_x86_64
    fi
  }
  rm -rf "$OUT/pipdl"
  t=$(now)
  for pyv in 3.11 3.12 3.13; do for libc in glibc musl; do
    env -u PIP_FIND_LINKS $PIP download --quiet --no-cache-dir --only-binary=:all: --no-deps --python-version $pyv $(plats $libc) \
      -d "$OUT/pipdl/$pyv-$libc" -r "$OUT/multi.lock" > "$OUT/pipdl-$pyv-$libc.log" 2>&1 || echo "  pip download failed for $pyv $libc (see $OUT/pipdl-$pyv-$libc.log)"
  done; done
  pip=$(elapsed $t)
  # Plain single-stream download of the same bytes.
  python3 - "$OUT/wh/pinwheel-manifest.json" "$OUT/multi.lock" > "$OUT/urls.txt" <<'PY'
import json, sys, urllib.request
m = json.load(open(sys.argv[1]))
names = {f["filename"] for f in m["files"]}
projects = set()
for line in open(sys.argv[2]):
    if "==" in line and not line.startswith("#"):
        projects.add(line.split("==")[0].strip())
for p in sorted(projects):
    req = urllib.request.Request(f"https://pypi.org/simple/{p}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    for f in json.load(urllib.request.urlopen(req))["files"]:
        if f["filename"] in names:
            print(f["url"])
PY
  rm -rf "$OUT/plain"; mkdir -p "$OUT/plain"
  t=$(now); (cd "$OUT/plain" && while read -r u; do curl -s -O "$u"; done < ../urls.txt); plain=$(elapsed $t)
  bytes=$(du -sb "$OUT/wh" | cut -f1)
  echo "wheelhouse web-api, 6 targets ($(ls "$OUT/wh" | wc -l) files, $((bytes/1048576)) MiB)"
  echo "  pip loop fetched $(find "$OUT/pipdl" -type f | wc -l) files ($(du -sm "$OUT/pipdl" | cut -f1) MiB, duplicates across targets included)"
  printf '  pinwheel %.2fs  pip download loop %.2fs  plain single-stream curl %.2fs\n' "$pw" "$pip" "$plain"
  printf '  pip/pinwheel %.1fx   pinwheel/plain %.2fx\n' "$(echo "$pip / $pw" | bc -l)" "$(echo "$pw / $plain" | bc -l)"
}

bench_memory() {
  printf 'torch==2.8.0 --hash=sha256:%s\n' "${TORCH_SHA:-}" > /dev/null
  "$PW" lock <(echo "torch==2.8.0") --target cp312-manylinux_2_28_x86_64 --exclude-newer "$EXCLUDE" -o "$OUT/torch.lock" -q --cache-dir "$OUT/pw-cache" || true
  # Keep only the torch pin: the point is one very large file.
  awk '/^torch==/{p=1} p&&/^[a-z]/&&!/^torch==/{p=0} p' "$OUT/torch.lock" > "$OUT/torch-only.lock"
  rm -rf "$OUT/torch-wh"
  /usr/bin/time -v "$PW" wheelhouse "$OUT/torch-only.lock" -d "$OUT/torch-wh" --target cp312-manylinux_2_28_x86_64 -q 2> "$OUT/time.txt"
  size=$(du -sb "$OUT/torch-wh" | cut -f1)
  echo "memory: wheelhouse of one $((size/1048576)) MiB torch wheel: peak RSS $(grep 'Maximum resident' "$OUT/time.txt" | awk '{print $NF}') KiB"
}

case "${1:-all}" in
  lock) bench_lock ;;
  wheelhouse) bench_wheelhouse ;;
  memory) bench_memory ;;
  all) bench_lock; bench_wheelhouse; bench_memory ;;
esac

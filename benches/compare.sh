#!/usr/bin/env bash
# Comparison benchmarks: pinwheel against uv and pip, measured in the same run.
#   benches/compare.sh lock        cold and warm `lock` of the web-api corpus vs `uv pip compile --generate-hashes`
#   benches/compare.sh wheelhouse  multi-target wheelhouse vs a `pip download --only-binary=:all:` loop
#                                  and a plain single-stream download of the same files
#   benches/compare.sh memory      peak RSS while fetching one very large wheel (torch)
#   benches/compare.sh all         lock, wheelhouse and memory (not resolve, which takes far longer)
#   benches/compare.sh resolve [SET...]
#                                  the resolver benchmark: every set (default) or the named ones
#                                  (alpine-mixed web-api django fastapi-template airflow source-only),
#                                  cold and warm `lock` vs `uv pip compile --generate-hashes`, repeated,
#                                  with peak RSS and the pins of both tools compared; writes
#                                  BENCHMARKS.md and benches/chart.svg. Environment: COLD_RUNS (3),
#                                  WARM_RUNS (5), RUN_TIMEOUT (seconds per tool run, 900), WARMUP (1:
#                                  one discarded cold run per tool and set first), SMALL_PINS (60),
#                                  NOTE (a line written at the top of BENCHMARKS.md).
# Needs network access to the index. Installs uv into bench-out/venv if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-all}" in
  lock|wheelhouse|memory|all|resolve) ;;
  *) echo "usage: benches/compare.sh [lock|wheelhouse|memory|all|resolve [SET...]]" >&2; exit 2 ;;
esac
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
# The name==version pins of a lock (pinwheel's, uv's or pip-compile's), names normalized, sorted.
pins() { grep -E '^[A-Za-z0-9._-]+==' "$1" | sed 's/[ ;].*//' | awk -F== '{n=tolower($1); gsub(/[._]/, "-", n); print n"=="$2}' | sort -u; }

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

# ---------------------------------------------------------------------------------------------
# resolve: the resolver benchmark. One row per requirement set; see BENCHMARKS.md for the method.
RESOLVE_SETS=(alpine-mixed web-api django fastapi-template airflow source-only)
RESOLVE_EXCLUDE=2026-11-01T00:00:00Z

# set_info SET: sets INPUT, PW_TARGETS (pinwheel's --target values, all in one lock) and
# UV_PLATFORMS (one `uv pip compile --python-platform` run each, timed together).
set_info() {
  PW_TARGETS=(cp312-manylinux_2_28_x86_64); UV_PLATFORMS=(x86_64-manylinux_2_28)
  case "$1" in
    alpine-mixed) INPUT=tests/data/corpus/alpine-mixed.in ;;
    web-api) INPUT=tests/data/corpus/web-api.in ;;
    django) INPUT=benches/sets/django.in ;;
    # python:3.12-slim is Debian 13 (glibc 2.41); uv names platforms up to manylinux_2_40, the
    # nearest it can express. python:3.12-alpine@linux/arm64 is musllinux_1_2 aarch64.
    fastapi-template) INPUT=benches/sets/fastapi-template.in
      PW_TARGETS=(python:3.12-slim python:3.12-alpine@linux/arm64)
      UV_PLATFORMS=(x86_64-manylinux_2_40 aarch64-unknown-linux-musl) ;;
    airflow) INPUT=benches/sets/airflow.in ;;
    source-only) INPUT=benches/sets/source-only.in ;;
    *) return 1 ;;
  esac
}

# One timed run of one tool on one set; appends "set tool phase rep status seconds rss_kib" to
# results.tsv. Every tool run gets an empty output file (a lock that exists is read as
# preferences by both tools) and its own pip cache (pinwheel's PEP 517 builds install build
# requirements with pip), cleared with the tool's cache for cold runs.
resolve_run() {
  local set=$1 tool=$2 phase=$3 rep=$4 dir=$RES/$1 rc=0 status=ok rss=0 t secs i off=()
  case "$phase" in
    warm) ;;
    offline) off=(--offline) ;;
    *) rm -rf "$dir/$tool-cache" "$dir/$tool-pip-cache" ;;
  esac
  rm -f "$dir/$tool"*.lock
  : > "$dir/$tool-$phase-$rep.rss"
  t=$(now)
  if [ "$tool" = pw ]; then
    if PIP_CACHE_DIR=$dir/pw-pip-cache /usr/bin/time -f %M -a -o "$dir/pw-$phase-$rep.rss" timeout "$RUN_TIMEOUT" \
        "$PW" lock "$INPUT" -o "$dir/pw.lock" "${PW_ARGS[@]}" --exclude-newer "$RESOLVE_EXCLUDE" \
        --cache-dir "$dir/pw-cache" ${off[@]+"${off[@]}"} -q > "$dir/pw-$phase-$rep.log" 2>&1; then rc=0; else rc=$?; fi
  else
    : > "$dir/uv-$phase-$rep.log"
    for i in "${!UV_PLATFORMS[@]}"; do
      if PIP_CACHE_DIR=$dir/uv-pip-cache /usr/bin/time -f %M -a -o "$dir/uv-$phase-$rep.rss" timeout "$RUN_TIMEOUT" \
          "$UV" pip compile "$INPUT" --generate-hashes --no-config --python-version 3.12 \
          --python-platform "${UV_PLATFORMS[$i]}" --exclude-newer "$RESOLVE_EXCLUDE" \
          --cache-dir "$dir/uv-cache" -o "$dir/uv-$i.lock" ${off[@]+"${off[@]}"} -q >> "$dir/uv-$phase-$rep.log" 2>&1; then rc=0; else rc=$?; break; fi
    done
  fi
  secs=$(elapsed "$t")
  # /usr/bin/time writes "Command exited with non-zero status N" before %M on failure.
  rss=$(grep -E '^[0-9]+$' "$dir/$tool-$phase-$rep.rss" | sort -n | tail -1 || true)
  if [ "$rc" = 124 ]; then status=timeout; elif [ "$rc" != 0 ]; then status=exit-$rc; fi
  printf '%s\t%s\t%s\t%s\t%s\t%.4f\t%s\n' "$set" "$tool" "$phase" "$rep" "$status" "$secs" "${rss:-0}" >> "$RES/results.tsv"
  printf '  %-16s %-8s %-7s #%s  %-8s %8.3fs  %7s KiB\n' "$set" "$([ "$tool" = pw ] && echo pinwheel || echo uv)" "$phase" "$rep" "$status" "$secs" "${rss:-?}" >&2
  [ "$status" = ok ] || sed 's/^/      | /' "$dir/$tool-$phase-$rep.log" | tail -5 >&2
}

bench_resolve() {
  local sets=("$@") set rep first second i cmd
  [ ${#sets[@]} -gt 0 ] || sets=("${RESOLVE_SETS[@]}")
  for set in "${sets[@]}"; do
    set_info "$set" || { echo "unknown set: $set (known: ${RESOLVE_SETS[*]})" >&2; exit 2; }
  done
  COLD_RUNS=${COLD_RUNS:-3} WARM_RUNS=${WARM_RUNS:-5} RUN_TIMEOUT=${RUN_TIMEOUT:-900} WARMUP=${WARMUP:-1}
  RES=$(cd "$OUT" && pwd)/resolve
  rm -rf "$RES"; mkdir -p "$RES"
  # Both tools alike: PyPI, no find-links from this machine's pip configuration, no Python
  # downloads (above), and a PATH of the system directories plus one python3 (and python): the
  # interpreter `python3` names here, linked directly. Behind pyenv shims every interpreter query
  # runs a shell script, and uv queries several per run (python3.12, python3, python: ~2 s a run
  # on the machine this was written on); pinwheel's PEP 517 builds run python3 as well.
  unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL UV_INDEX_URL UV_EXTRA_INDEX_URL UV_DEFAULT_INDEX UV_INDEX UV_FIND_LINKS
  local py; py=$(python3 -c 'import sys; print(sys.executable)')
  mkdir -p "$RES/bin"; ln -sf "$py" "$RES/bin/python3"; ln -sf python3 "$RES/bin/python"
  export PATH="$RES/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  printf 'set\ttool\tphase\trep\tstatus\tseconds\trss_kib\n' > "$RES/results.tsv"
  : > "$RES/sets.tsv"
  {
    echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc=$(nproc)"
    echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "memory=$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "cpu=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')"
    echo "kernel=$(uname -sr)"
    echo "pinwheel=$("$PW" --version 2>/dev/null || echo pinwheel) (commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo ', uncommitted changes'))"
    echo "uv=$("$UV" --version)"
    echo "python=$(python3 --version 2>&1) ($py)"
    # What the index says about caching its pages decides what a warm run of each tool may skip.
    echo "index_cache_headers=$(curl -sI -H 'Accept: application/vnd.pypi.simple.v1+json' https://pypi.org/simple/flask/ \
      | tr -d '\r' | grep -iE '^(cache-control|etag|last-modified|expires|age):' | paste -sd ';' - || true)"
    echo "cold_runs=$COLD_RUNS"; echo "warm_runs=$WARM_RUNS"; echo "timeout=$RUN_TIMEOUT"; echo "warmup=$WARMUP"
    echo "exclude=$RESOLVE_EXCLUDE"; echo "small_pins=${SMALL_PINS:-60}"
    echo "sets=${sets[*]}"; echo "all_sets=${RESOLVE_SETS[*]}"
    echo "note=${NOTE:-}"
  } > "$RES/env.txt"
  for set in "${sets[@]}"; do
    set_info "$set"; mkdir -p "$RES/$set"
    PW_ARGS=(); for i in "${PW_TARGETS[@]}"; do PW_ARGS+=(--target "$i"); done
    printf '%s\t%s\t%s\t%s\n' "$set" "$INPUT" "${PW_TARGETS[*]}" "${UV_PLATFORMS[*]}" >> "$RES/sets.tsv"
    {
      echo "$PW lock $INPUT -o $RES/$set/pw.lock ${PW_ARGS[*]} --exclude-newer $RESOLVE_EXCLUDE --cache-dir $RES/$set/pw-cache -q"
      for i in "${!UV_PLATFORMS[@]}"; do
        echo "$UV pip compile $INPUT --generate-hashes --no-config --python-version 3.12 --python-platform ${UV_PLATFORMS[$i]} --exclude-newer $RESOLVE_EXCLUDE --cache-dir $RES/$set/uv-cache -o $RES/$set/uv-$i.lock -q"
      done
    } | sed "s#$PWD/##g" > "$RES/$set/commands.txt"
    echo "resolve $set ($INPUT; pinwheel --target ${PW_TARGETS[*]}; uv --python-platform ${UV_PLATFORMS[*]})" >&2
    # The index may sit behind a caching proxy: the first fetch of a file is slower than later
    # ones. One discarded cold run of each tool first, so that neither pays for it.
    if [ "$WARMUP" = 1 ]; then resolve_run "$set" pw warmup 0; resolve_run "$set" uv warmup 0; fi
    # Cold: both caches emptied before each run; the tool that goes first alternates.
    for rep in $(seq 1 "$COLD_RUNS"); do
      if [ $((rep % 2)) = 1 ]; then first=pw second=uv; else first=uv second=pw; fi
      resolve_run "$set" $first cold "$rep"; resolve_run "$set" $second cold "$rep"
    done
    # Warm: the caches the last cold run left (filled again if that run left none).
    [ "$COLD_RUNS" -gt 0 ] || { resolve_run "$set" pw fill 0; resolve_run "$set" uv fill 0; }
    for rep in $(seq 1 "$WARM_RUNS"); do
      if [ $((rep % 2)) = 1 ]; then first=pw second=uv; else first=uv second=pw; fi
      resolve_run "$set" $first warm "$rep"; resolve_run "$set" $second warm "$rep"
    done
    # The pins of the last warm runs (uv: the union over its per-target compiles).
    if ls "$RES/$set"/pw.lock > /dev/null 2>&1; then pins "$RES/$set/pw.lock" > "$RES/$set/pw.pins" || true; else rm -f "$RES/$set/pw.pins"; fi
    if ls "$RES/$set"/uv-*.lock > /dev/null 2>&1 && [ "$(ls "$RES/$set"/uv-*.lock | wc -l)" = ${#UV_PLATFORMS[@]} ]; then
      cat "$RES/$set"/uv-*.lock > "$RES/$set/uv-all.txt"; pins "$RES/$set/uv-all.txt" > "$RES/$set/uv.pins" || true
    else rm -f "$RES/$set/uv.pins"; fi
    if [ -f "$RES/$set/pw.pins" ] && [ -f "$RES/$set/uv.pins" ]; then
      diff "$RES/$set/pw.pins" "$RES/$set/uv.pins" > "$RES/$set/pins.diff" || true
      echo "  pins: pinwheel $(wc -l < "$RES/$set/pw.pins"), uv $(wc -l < "$RES/$set/uv.pins"); differences (< pinwheel, > uv):" >&2
      grep '^[<>]' "$RES/$set/pins.diff" | sed 's/^/    /' >&2 || echo "    none" >&2
    fi
    # Reference: the warm caches used with no network at all (--offline), both tools.
    for rep in $(seq 1 "$WARM_RUNS"); do
      if [ $((rep % 2)) = 1 ]; then first=pw second=uv; else first=uv second=pw; fi
      resolve_run "$set" $first offline "$rep"; resolve_run "$set" $second offline "$rep"
    done
  done
  { echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"; } >> "$RES/env.txt"
  python3 - "$RES" BENCHMARKS.md benches/chart.svg <<'PY'
# Reads the runs under sys.argv[1] (bench-out/resolve); writes BENCHMARKS.md and the SVG chart.
import math, os, statistics, sys
from xml.sax.saxutils import escape

res, md_path, svg_path = sys.argv[1], sys.argv[2], sys.argv[3]
env = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(res, "env.txt")) if "=" in l)
sets = [l.rstrip("\n").split("\t") for l in open(os.path.join(res, "sets.tsv")) if l.strip()]
runs = [l.rstrip("\n").split("\t") for l in open(os.path.join(res, "results.tsv"))][1:]
small_pins = int(env.get("small_pins", "60"))
TOOLS = {"pw": "pinwheel", "uv": "uv"}

def read(path):
    try:
        return open(path).read()
    except OSError:
        return None

def stats(name, tool, phase):
    rs = [r for r in runs if r[0] == name and r[1] == tool and r[2] == phase]
    ok = sorted(float(r[5]) for r in rs if r[4] == "ok")
    bad = [r[4] for r in rs if r[4] != "ok"]
    if not rs:
        return None
    return {"n": len(rs), "ok": ok, "bad": bad,
            "median": statistics.median(ok) if ok else None,
            "min": ok[0] if ok else None, "max": ok[-1] if ok else None}

def peak_rss(name, tool, ok=True):
    """The highest peak RSS over the tool's successful runs on the set (ok=False: failed runs)."""
    v = [int(r[6]) for r in runs if r[0] == name and r[1] == tool and (r[4] == "ok") == ok
         and r[6].isdigit() and int(r[6]) > 0]
    return max(v) if v else None

def rss_cell(name, tool):
    good, bad = peak_rss(name, tool), peak_rss(name, tool, ok=False)
    s = fmt_mib(good)
    if bad is not None and (good is None or bad > good):
        s += f" (failed runs: up to {fmt_mib(bad)})"
    return s

def fmt_s(x):
    if x is None:
        return "–"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s" if x < 100 else f"{x:.0f} s"

def fmt_cell(st):
    if st is None:
        return "not run"
    if not st["ok"]:
        return "failed: " + ", ".join(sorted(set(st["bad"])))
    s = fmt_s(st["median"])
    if len(st["ok"]) > 1:
        s += f" ({fmt_s(st['min'])}–{fmt_s(st['max'])})"
    if st["bad"]:
        s += f"; {len(st['bad'])} of {st['n']} failed ({', '.join(sorted(set(st['bad'])))})"
    return s

def fmt_mib(k):
    return "–" if k is None else f"{k / 1024:.0f} MiB"

def verdict(ok, reason=None):
    if reason:
        return f"n/a ({reason})"
    return "**pass**" if ok else "**miss**"

rows, details = [], []
for name, inp, pw_targets, uv_platforms in sets:
    d = os.path.join(res, name)
    pwc, uvc, pww, uvw = stats(name, "pw", "cold"), stats(name, "uv", "cold"), stats(name, "pw", "warm"), stats(name, "uv", "warm")
    rp, ru = peak_rss(name, "pw"), peak_rss(name, "uv")
    pwp, uvp = read(os.path.join(d, "pw.pins")), read(os.path.join(d, "uv.pins"))
    npw = len(pwp.split()) if pwp is not None else None
    nuv = len(uvp.split()) if uvp is not None else None
    npins = npw if npw else nuv
    small = npins is not None and npins <= small_pins

    def ratio_cell(a, b):
        if not a or not b or a["median"] is None or b["median"] is None:
            return "–", None
        r = a["median"] / b["median"]
        return f"{r:.2f}×", r

    cold_ratio, cr = ratio_cell(pwc, uvc)
    warm_ratio, wr = ratio_cell(pww, uvw)
    def clean(st):
        return st is not None and st["ok"] and not st["bad"]
    def need(*pairs):
        for st, who in pairs:
            if st is None:
                return f"{who} not run"
            if not st["ok"]:
                return f"{who} failed"
        return None
    cold_v = "**miss** (pinwheel failed)" if pwc and not clean(pwc) and pwc["n"] else verdict(cr is not None and cr <= 1.0, need((pwc, "pinwheel"), (uvc, "uv")))
    if pww and not clean(pww):
        warm150 = warm05 = "**miss** (pinwheel failed)"
    else:
        warm150 = verdict(pww is not None and pww["median"] is not None and pww["median"] <= 0.150, need((pww, "pinwheel"))) if small else "n/a (large set)"
        warm05 = verdict(wr is not None and wr <= 0.5, need((pww, "pinwheel"), (uvw, "uv")))
    rss_v = verdict(rp is not None and ru is not None and rp <= ru, None if (rp and ru) else "no measure")
    if pwp is not None and uvp is not None:
        diff = read(os.path.join(d, "pins.diff")) or ""
        only_pw = [l[2:] for l in diff.splitlines() if l.startswith("< ")]
        only_uv = [l[2:] for l in diff.splitlines() if l.startswith("> ")]
        agree = "identical" if not only_pw and not only_uv else f"{max(len(only_pw), len(only_uv))} differ"
    else:
        only_pw = only_uv = []
        agree = "n/a (a tool failed)"
    rows.append([f"`{name}`", f"{npw if npw is not None else '–'} / {nuv if nuv is not None else '–'}",
                 fmt_cell(pwc), fmt_cell(uvc), cold_ratio, cold_v,
                 fmt_cell(pww), fmt_cell(uvw), warm_ratio, warm150, warm05,
                 rss_cell(name, "pw"), rss_cell(name, "uv"), rss_v, agree])
    details.append(dict(name=name, inp=inp, pw_targets=pw_targets, uv_platforms=uv_platforms, small=small,
                        npins=npins, only_pw=only_pw, only_uv=only_uv, agree=agree,
                        commands=read(os.path.join(d, "commands.txt")) or "",
                        stats={("pw", "cold"): pwc, ("uv", "cold"): uvc, ("pw", "warm"): pww, ("uv", "warm"): uvw},
                        rss={"pw": rp, "uv": ru}))

run_sets = env.get("sets", "").split()
all_sets = env.get("all_sets", "").split()
missing = [s for s in all_sets if s not in run_sets]
cold_n, warm_n = int(env.get("cold_runs", "0")), int(env.get("warm_runs", "0"))
partial = []
if missing:
    partial.append("sets not run: " + ", ".join(f"`{s}`" for s in missing))
if cold_n < 3 or warm_n < 5:
    partial.append(f"fewer repetitions than the defaults ({cold_n} cold, {warm_n} warm; defaults 3 and 5)")

out = []
w = out.append
w("# Resolver benchmark: `pinwheel lock` vs `uv pip compile --generate-hashes`")
w("")
w("Written by `benches/compare.sh resolve` (do not edit by hand; run it again). "
  "The raw runs of the last run are in `bench-out/resolve/results.tsv`.")
w("")
if env.get("note"):
    w(f"> **Note:** {env['note']}")
    w("")
if partial:
    w("> **Partial run:** " + "; ".join(partial) + ". A full run (`benches/compare.sh resolve`) regenerates this file.")
    w("")
w("![pinwheel vs uv: cold and warm lock time, peak RSS](benches/chart.svg)")
w("")
w("## Machine and tools")
w("")
w(f"- date: {env.get('started', '?')} to {env.get('finished', '?')} (UTC)")
w(f"- machine: {env.get('nproc', '?')} CPUs (`nproc`), {env.get('memory', '?')} memory, {env.get('cpu', '?')}, {env.get('kernel', '?')}")
w(f"- load average (1, 5, 15 min; `/proc/loadavg`): {env.get('load_start', '?')} at the start, {env.get('load_end', '?')} at the end (anything above 0 is other work sharing the CPUs, and noise in the figures)")
w(f"- pinwheel: {env.get('pinwheel', '?')}, release build")
w(f"- uv: {env.get('uv', '?')}")
w(f"- Python for metadata builds (both tools): {env.get('python', '?')}")
w(f"- index: PyPI, both tools with `--exclude-newer {env.get('exclude', '?')}`")
w("")
w("## Method")
w("")
w(f"- Each set is locked by both tools in the same run: {'one discarded cold run of each tool first (so that a caching proxy in front of the index favours neither), then ' if env.get('warmup') == '1' else ''}"
  f"{cold_n} cold runs (both tools' caches emptied before each) and then {warm_n} warm runs (the caches the cold runs left; index pages still fresh), "
  "the tool that goes first alternating from one repetition to the next. Every run writes a new output file (an existing one would be read as preferences).")
w("- Time is wall-clock time of the whole command; the table gives the median and, in brackets, the spread (min–max).")
w("- Peak RSS is `/usr/bin/time -f %M` (the largest resident set of the process or of any process it waited for, such as a PEP 517 build), the highest over the tool's successful runs on the set (warm-up, cold, warm and offline runs); failed runs are shown apart.")
w("- Multi-target sets: pinwheel makes one lock for all targets; `uv pip compile` takes one `--python-platform`, so it runs once per target and its time is the sum of those runs (its peak RSS the largest). "
  "This is the fair comparison for what a user needs: one lock valid for both images. (`uv pip compile --universal` would resolve for every platform and Python, a different, larger problem.) "
  "`python:3.12-slim` is Debian 13 with glibc 2.41 (`/work/shared/targets.md`); uv names platforms up to `x86_64-manylinux_2_40`, the nearest it can express; "
  "`python:3.12-alpine@linux/arm64` is `aarch64-unknown-linux-musl` for uv (musllinux_1_2 aarch64).")
w("- Environment for both tools: the index is PyPI (`PIP_INDEX_URL`, `UV_INDEX_URL`, ... unset); `UV_PYTHON_DOWNLOADS=never` (uv otherwise tries to download a CPython 3.12, ~12 s per run on a machine that reaches only package registries); `PIP_FIND_LINKS` unset; "
  "`PIP_CACHE_DIR` per tool and set under `bench-out/resolve/` (pinwheel's PEP 517 builds install build requirements with pip; that cache is emptied with the tool's own for cold runs); "
  "`PATH` holds the system directories and `bench-out/resolve/bin/python3`, a link to the interpreter above, so that no interpreter query goes through a pyenv shim (a shell script per query: uv makes several per run). "
  "Neither tool finds a CPython 3.12 there, so both run source builds with the interpreter above. "
  f"Each tool run is limited to {env.get('timeout', '?')} s (`timeout`).")
hdr = env.get("index_cache_headers", "")
w(f"- Caching headers of the index pages (`curl -sI https://pypi.org/simple/flask/` at the start of the run): {('`' + hdr + '`') if hdr else '**none** (no Cache-Control, ETag nor Last-Modified)'}. "
  "What a warm run may skip depends on them: pinwheel keeps a page without Cache-Control fresh for 10 minutes (RFC 9111 heuristic freshness), so its warm runs here make no request; "
  "uv revalidates such a page on every run" + (", and with no ETag nor Last-Modified to revalidate with, fetches it again. " if not hdr else ". ") +
  "The reference table below shows both tools on the same warm caches with no network at all (`--offline`).")
w("- Output differences that do not change the pins: pinwheel lists the hashes of the files its targets install, uv those of every file of the pinned version.")
w(f"- Targets: cold ≤ 1.0× uv (median); warm ≤ 150 ms on the small sets (≤ {small_pins} pins) and ≤ 0.5× uv on all; peak RSS ≤ uv's. "
  "Ratios are pinwheel / uv (below 1: pinwheel is faster). A failed or timed-out run is shown in its cell, not left out.")
w("")
w("## Results")
w("")
head = ["set", "pins pinwheel / uv", "cold pinwheel", "cold uv", "cold ratio", "cold ≤ 1.0× uv",
        "warm pinwheel", "warm uv", "warm ratio", "warm ≤ 150 ms", "warm ≤ 0.5× uv",
        "peak RSS pinwheel", "peak RSS uv", "RSS ≤ uv", "pins agree"]
w("| " + " | ".join(head) + " |")
w("| " + " | ".join("---" for _ in head) + " |")
for r in rows:
    w("| " + " | ".join(r) + " |")
w("")
offline_rows = []
for dt in details:
    po, uo = stats(dt["name"], "pw", "offline"), stats(dt["name"], "uv", "offline")
    if po is None and uo is None:
        continue
    r = f"{po['median'] / uo['median']:.2f}×" if po and uo and po["median"] and uo["median"] else "–"
    offline_rows.append(f"| `{dt['name']}` | {fmt_cell(po)} | {fmt_cell(uo)} | {r} |")
if offline_rows:
    w("### Reference: warm, from the caches alone (`--offline`, both tools)")
    w("")
    w(f"The same warm caches, each tool run {warm_n} times with `--offline` (no request at all): the resolver and cache work alone, whatever the index's caching headers.")
    w("")
    w("| set | pinwheel | uv | ratio |")
    w("| --- | --- | --- | --- |")
    for r in offline_rows:
        w(r)
    w("")
w("## Pins")
w("")
w("The name==version pins of the last run of each tool, compared (uv: the union of its per-target locks).")
w("")
for dt in details:
    if dt["agree"] == "identical":
        w(f"- `{dt['name']}`: identical ({dt['npins']} pins).")
    elif dt["agree"].startswith("n/a"):
        w(f"- `{dt['name']}`: not compared (a tool failed).")
    else:
        w(f"- `{dt['name']}`: only pinwheel: {', '.join(f'`{p}`' for p in dt['only_pw']) or 'none'}; only uv: {', '.join(f'`{p}`' for p in dt['only_uv']) or 'none'}.")
w("")
w("## Sets and the exact commands")
w("")
w("Run from the repository root, with the environment above (cold runs start from empty `*-cache` directories).")
w("")
for dt in details:
    w(f"### `{dt['name']}`")
    w("")
    w(f"Input `{dt['inp']}`; pinwheel targets {', '.join(f'`{t}`' for t in dt['pw_targets'].split())}; uv platforms {', '.join(f'`{t}`' for t in dt['uv_platforms'].split())}.")
    w("")
    w("```")
    w(dt["commands"].rstrip())
    w("```")
    w("")
open(md_path, "w").write("\n".join(out))

# ---- chart: per set, four bars (pinwheel cold, uv cold, pinwheel warm, uv warm) on a log time
# axis with min–max whiskers; on the right, peak RSS of both tools on a log MiB axis.
COL = {("pw", "cold"): "#1f5fa8", ("uv", "cold"): "#c4561d", ("pw", "warm"): "#8cbcea", ("uv", "warm"): "#f2b77e"}
BAR, GAP, GROUP = 13, 3, 22
LEFT, TOP = 150, 92
T0, T1 = LEFT, LEFT + 470          # time panel
R0, R1 = T1 + 110, T1 + 110 + 220  # RSS panel
W = R1 + 80
group_h = 4 * BAR + 3 * GAP
H = TOP + len(details) * (group_h + GROUP) + 62

def log_axis(values, lo_floor):
    vals = [v for v in values if v and v > 0]
    if not vals:
        return lo_floor, lo_floor * 10
    lo = 10 ** math.floor(math.log10(max(min(vals), lo_floor)))
    hi = 10 ** math.ceil(math.log10(max(vals) * 1.0001))
    if hi <= lo:
        hi = lo * 10
    return lo, hi

def xpos(v, lo, hi, a, b):
    v = min(max(v, lo), hi)
    return a + (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * (b - a)

times = []
for dt in details:
    for st in dt["stats"].values():
        if st and st["ok"]:
            times += [st["min"], st["max"]]
tlo, thi = log_axis(times, 0.01)
mibs = [v / 1024 for dt in details for v in dt["rss"].values() if v]
rlo, rhi = log_axis(mibs, 1)

def tlabel(v):
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:g} s"

s = []
a = s.append
a(f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif" font-size="12">')
a(f'<rect width="{W}" height="{H}" fill="#ffffff"/>')
a(f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">pinwheel lock vs uv pip compile --generate-hashes</text>')
sub = f"median of {cold_n} cold and {warm_n} warm runs, whiskers min–max; {env.get('nproc', '?')} CPUs; {env.get('started', '')[:10]}"
if partial:
    sub += " — partial run"
a(f'<text x="{W / 2}" y="40" text-anchor="middle" fill="#444">{escape(sub)}</text>')
lx = LEFT
for (tool, phase), c in COL.items():
    a(f'<rect x="{lx}" y="52" width="14" height="12" fill="{c}"/><text x="{lx + 19}" y="62">{TOOLS[tool]} {phase}</text>')
    lx += 130
a(f'<text x="{(T0 + T1) / 2}" y="84" text-anchor="middle" font-weight="bold">lock time (log scale)</text>')
a(f'<text x="{(R0 + R1) / 2}" y="84" text-anchor="middle" font-weight="bold">peak RSS, MiB (log scale)</text>')
bottom = H - 52
for lo, hi, x0, x1, lab in ((tlo, thi, T0, T1, tlabel), (rlo, rhi, R0, R1, lambda v: f"{v:g}")):
    # Decades labelled; 2× and 5× too when the axis spans few decades.
    few = (x1 - x0) / max(math.log10(hi / lo), 1) >= 170
    d = lo
    while d <= hi * 1.0001:
        for m in (1, 2, 5):
            v = d * m
            if v > hi * 1.0001 or (m > 1 and not few):
                continue
            x = xpos(v, lo, hi, x0, x1)
            a(f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{bottom}" stroke="{"#ddd" if m == 1 else "#f0f0f0"}"/>')
            a(f'<text x="{x:.1f}" y="{bottom + 15}" text-anchor="middle" fill="{"#555" if m == 1 else "#999"}" font-size="{12 if m == 1 else 10}">{escape(lab(v))}</text>')
        d *= 10
    a(f'<line x1="{x0}" y1="{TOP - 4}" x2="{x0}" y2="{bottom}" stroke="#888"/>')
if tlo <= 0.150 <= thi:
    x = xpos(0.150, tlo, thi, T0, T1)
    a(f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{bottom}" stroke="#2a8a3a" stroke-dasharray="4 3"/>')
    a(f'<text x="{x:.1f}" y="{bottom + 28}" text-anchor="middle" fill="#2a8a3a" font-size="10">150 ms: warm target, small sets</text>')
y = TOP
for dt in details:
    a(f'<text x="{LEFT - 10}" y="{y + group_h / 2 + 4:.1f}" text-anchor="end" font-weight="bold">{escape(dt["name"])}</text>')
    targets = dt["pw_targets"].split()
    a(f'<text x="{LEFT - 10}" y="{y + group_h / 2 + 18:.1f}" text-anchor="end" fill="#666" font-size="10">{len(targets)} target{"s" if len(targets) > 1 else ""}, {dt["npins"] if dt["npins"] is not None else "?"} pins</text>')
    for i, key in enumerate((("pw", "cold"), ("uv", "cold"), ("pw", "warm"), ("uv", "warm"))):
        by = y + i * (BAR + GAP)
        st = dt["stats"][key]
        if not st or not st["ok"]:
            why = "not run" if not st else "failed: " + ", ".join(sorted(set(st["bad"])))
            a(f'<text x="{T0 + 4}" y="{by + BAR - 3}" fill="#b00">{escape(TOOLS[key[0]] + " " + key[1] + ": " + why)}</text>')
            continue
        xm = xpos(st["median"], tlo, thi, T0, T1)
        a(f'<rect x="{T0}" y="{by}" width="{max(xm - T0, 1):.1f}" height="{BAR}" fill="{COL[key]}"><title>{escape(TOOLS[key[0]])} {key[1]}: median {escape(fmt_s(st["median"]))}, {escape(fmt_s(st["min"]))}–{escape(fmt_s(st["max"]))}</title></rect>')
        x_lo, x_hi = xpos(st["min"], tlo, thi, T0, T1), xpos(st["max"], tlo, thi, T0, T1)
        cy = by + BAR / 2
        if x_hi - x_lo >= 1:
            a(f'<path d="M{x_lo:.1f} {cy}H{x_hi:.1f}M{x_lo:.1f} {cy - 4}V{cy + 4}M{x_hi:.1f} {cy - 4}V{cy + 4}" stroke="#222" stroke-width="1.2" fill="none"/>')
        label = fmt_s(st["median"]) + (f" ({len(st['bad'])} failed)" if st["bad"] else "")
        a(f'<text x="{max(xm, x_hi) + 5:.1f}" y="{by + BAR - 3}" font-size="11">{escape(label)}</text>')
    for i, tool in enumerate(("pw", "uv")):
        by = y + i * (BAR + GAP)
        v = dt["rss"][tool]
        if not v:
            a(f'<text x="{R0 + 4}" y="{by + BAR - 3}" fill="#b00">{TOOLS[tool]}: no successful run</text>')
            continue
        xm = xpos(v / 1024, rlo, rhi, R0, R1)
        a(f'<rect x="{R0}" y="{by}" width="{max(xm - R0, 1):.1f}" height="{BAR}" fill="{COL[(tool, "cold")]}"/>')
        a(f'<text x="{xm + 5:.1f}" y="{by + BAR - 3}" font-size="11">{TOOLS[tool]} {v / 1024:.0f}</text>')
    y += group_h + GROUP
a("</svg>")
open(svg_path, "w").write("\n".join(s) + "\n")
PY
  echo "wrote BENCHMARKS.md and benches/chart.svg (raw runs: $RES/results.tsv)" >&2
}

case "${1:-all}" in
  lock) bench_lock ;;
  wheelhouse) bench_wheelhouse ;;
  memory) bench_memory ;;
  resolve) shift; bench_resolve "$@" ;;
  all) bench_lock; bench_wheelhouse; bench_memory ;;
esac

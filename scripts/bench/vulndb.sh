#!/usr/bin/env bash
# Benchmarks of the vulnerability database (issue 5), release build:
#   1. import of all shared OSV zips + Alpine secdb (goal < 2 s, peak RSS well under 100 MB) and the database size
#   2. scan of the bookworm, bullseye and alpine-310 test images (goal for bookworm < 150 ms wall, < 100 MB RSS),
#      with the split: image open + catalogue vs database open + match + report (goal for the latter < 20 ms)
#   3. matching throughput: 100,000 generated packages against 1,000,000 generated records
#      (goal >= 1,000,000 package checks per second; checks / wall time of matching after the database is open)
# Trivy is run in the same run where it can be compared: it has no vulnerability database
# offline, so only its catalogue stage (`-f cyclonedx`, a lower bound of a trivy scan) is timed.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${DATA:-../shared/data}
IMAGES=${IMAGES:-/var/tmp/vigie-test-images}
RUNS=${RUNS:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cargo build --release -q -p vigie
cargo build --release -q -p vigie-vulndb --example bench_match
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
VIGIE="$TARGET_DIR/release/vigie"
DB="$WORK/vulndb.sqlite"

# best wall seconds and max RSS (MB) of RUNS runs of a command
measure() {
  local best=999999 rss=0 t m
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>&1 || true
    read -r t m < <(tail -n 1 "$WORK/time")
    best=$(python3 -c "print(min($best, $t))")
    rss=$(python3 -c "print(max($rss, $m / 1024))")
  done
  printf '%s %.1f\n' "$best" "$rss"
}

# median of the stage timings vigie prints with `scan --timings` over RUNS runs:
# "collect_ms database_ms" (database = open + match + report)
stages() {
  for _ in $(seq "$RUNS"); do
    "$@" 2>&1 >/dev/null | sed -n 's/.*timings: collect \([0-9.]*\) ms.*database total \([0-9.]*\) ms.*/\1 \2/p'
  done | python3 -c '
import sys, statistics
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
print("%.1f %.1f" % (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)) if rows else "n/a n/a")'
}

INPUTS=("$DATA/osv/Debian.zip" "$DATA/osv/PyPI.zip" "$DATA/osv/crates.io.zip" "$DATA/alpine-secdb")
echo "== import of all shared OSV zips + secdb (best of $RUNS; machine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
read -r t m < <(measure "$VIGIE" db --db "$DB" import --fresh "${INPUTS[@]}")
"$VIGIE" db --db "$DB" import --fresh "${INPUTS[@]}" | tail -1
printf 'import_seconds %s (goal < 2)\nimport_peak_rss_mb %s (goal well under 100)\n' "$t" "$m"
printf 'db_size_mb %.1f\n' "$(python3 -c "import os; print(os.path.getsize('$DB')/1e6)")"

echo "== scan (wall: best of $RUNS; split: median of $RUNS, from scan --timings)"
printf '%-24s %8s %8s %11s %12s %12s %12s\n' target vigie_s vigie_MB collect_ms db_match_ms trivy_cat_s trivy_cat_MB
for image in "$IMAGES/debian-bookworm.tar" "$IMAGES/debian-bullseye.tar" "$DATA/images/alpine-310.tar.gz"; do
  [ -f "$image" ] || { echo "missing $image: run ../shared/scripts/build-test-images.sh $IMAGES" >&2; continue; }
  read -r vt vm < <(measure "$VIGIE" scan --db "$DB" -f json "$image")
  read -r collect dbms < <(stages "$VIGIE" scan --db "$DB" -f json --timings "$image")
  if command -v trivy >/dev/null; then
    read -r tt tm < <(measure trivy image --input "$image" --skip-db-update --offline-scan --cache-dir "$WORK/trivy" -f cyclonedx -q)
  else
    tt=n/a; tm=n/a
  fi
  printf '%-24s %8s %8s %11s %12s %12s %12s\n' "$(basename "$image")" "$vt" "$vm" "$collect" "$dbms" "$tt" "$tm"
done
echo "(goals for bookworm: < 0.150 s, < 100 MB; db_match_ms = database open + match + report, goal < 20)"

echo "== matching throughput (generated database and SBOM; parameters printed by the generator)"
BENCH_DIR="$WORK" "$TARGET_DIR/release/examples/bench_match" "${RECORDS:-1000000}" "${PACKAGES:-100000}"
echo "== the same SBOM with no package named in the database (the name prefilter alone)"
BENCH_NAMED_PERCENT=0 BENCH_DIR="$WORK" "$TARGET_DIR/release/examples/bench_match" "${RECORDS:-1000000}" "${PACKAGES:-100000}" |
  grep -E '^\[warm\] (match_seconds|checks_per_second)'

#!/usr/bin/env bash
# Benchmarks of the vulnerability database (issue 5), release build:
#   1. import of all shared OSV zips + Alpine secdb (goal < 2 s) and the database size
#   2. scan of the bookworm and alpine-310 test images (goal < 150 ms wall, < 100 MB RSS)
#   3. matching throughput: 100,000 generated packages against 1,000,000 generated records
#      (goal >= 1,000,000 package checks per second)
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

echo "== import of all shared OSV zips + secdb (best of $RUNS)"
read -r t m < <(measure "$VIGIE" db --db "$DB" import --fresh "$DATA/osv/Debian.zip" "$DATA/osv/PyPI.zip" "$DATA/osv/crates.io.zip" "$DATA/alpine-secdb")
"$VIGIE" db --db "$DB" import --fresh "$DATA/osv/Debian.zip" "$DATA/osv/PyPI.zip" "$DATA/osv/crates.io.zip" "$DATA/alpine-secdb" | tail -1
printf 'import_seconds %s (goal < 2)\nimport_rss_mb %s\n' "$t" "$m"
printf 'db_size_mb %.1f\n' "$(python3 -c "import os; print(os.path.getsize('$DB')/1e6)")"

echo "== scan (best of $RUNS)"
printf '%-34s %9s %9s %12s %12s\n' target vigie_s vigie_MB trivy_cat_s trivy_cat_MB
for image in "$IMAGES/debian-bookworm.tar" "$IMAGES/debian-bullseye.tar" "$DATA/images/alpine-310.tar.gz"; do
  [ -f "$image" ] || { echo "missing $image: run scripts/lib/peers-vulndb.sh" >&2; continue; }
  read -r vt vm < <(measure "$VIGIE" scan --db "$DB" -f json "$image")
  if command -v trivy >/dev/null; then
    read -r tt tm < <(measure trivy image --input "$image" --skip-db-update --offline-scan --cache-dir "$WORK/trivy" -f cyclonedx -q)
  else
    tt=n/a; tm=n/a
  fi
  printf '%-34s %9s %9s %12s %12s\n' "$(basename "$image")" "$vt" "$vm" "$tt" "$tm"
done

echo "== matching throughput (generated: 1,000,000 records, 100,000 packages)"
BENCH_DIR="$WORK" "$TARGET_DIR/release/examples/bench_match" "${RECORDS:-1000000}" "${PACKAGES:-100000}"
echo "(second run, database warm)"
BENCH_DIR="$WORK" "$TARGET_DIR/release/examples/bench_match" "${RECORDS:-1000000}" "${PACKAGES:-100000}" | grep -E 'match_seconds|checks_per_second'

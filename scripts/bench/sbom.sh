#!/usr/bin/env bash
# bench/sbom.sh - `vigie sbom` against Trivy in the same run: wall time and
# peak RSS on dir:/ (this host), the bookworm test image archive and
# alpine-310; plus layer reading against `gzip -dc LAYER | wc -c`.
#   scripts/bench/sbom.sh [RUNS]      (default 5 runs, median reported)
# Needs: a release build (cargo build --release -p vigie), scripts/lib/peers-sbom.sh,
# the test images (scripts/test builds them in /var/tmp/vigie-test-images).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-5}
VIGIE=${VIGIE:-${CARGO_TARGET_DIR:-$ROOT/target}/release/vigie}
IMAGES=${VIGIE_TEST_IMAGES:-/var/tmp/vigie-test-images}
DATA=$ROOT/../shared/data
[[ -x $VIGIE ]] || { echo "no release binary at $VIGIE (cargo build --release -p vigie)" >&2; exit 2; }
command -v trivy >/dev/null || { echo "trivy missing: run scripts/lib/peers-sbom.sh" >&2; exit 2; }
[[ -f $IMAGES/debian-bookworm.tar ]] || { echo "test images missing: run scripts/test" >&2; exit 2; }
CACHE=$(mktemp -d); trap 'rm -rf "$CACHE"' EXIT
# Trivy keeps per-layer results in its cache: --cache-backend memory makes every run a first scan,
# as vigie's are (no vulnerability DB is needed for SBOMs).

measure() { # measure CMD... -> "seconds max_rss_kb" (median of RUNS by time)
  local i
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -o "$CACHE/time" -f '%e %M' "$@" >/dev/null 2>&1 || true
    tail -1 "$CACHE/time"
  done | sort -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2)'
}

printf '%-22s %10s %10s %10s %10s %8s %8s\n' target vigie_s trivy_s vigie_MB trivy_MB speedup rss_ratio
row() { # row LABEL VIGIE_TARGET TRIVY_ARGS...
  local label=$1 target=$2; shift 2
  read -r vs vk < <(measure "$VIGIE" sbom "$target" -f json)
  read -r ts tk < <(measure trivy "$@" --skip-db-update --skip-java-db-update --offline-scan --cache-dir "$CACHE" -f cyclonedx -q)
  awk -v l="$label" -v vs="$vs" -v ts="$ts" -v vk="$vk" -v tk="$tk" 'BEGIN {
    printf "%-22s %10.3f %10.3f %10.1f %10.1f %7.1fx %7.2f\n", l, vs, ts, vk/1024, tk/1024, (vs > 0 ? ts/vs : 0), (tk > 0 ? vk/tk : 0) }'
}
# Offline, Trivy cannot list a host's language packages (it must download its Java DB first and
# aborts): it lists OS packages only (--pkg-types os), vigie every ecosystem. Not the same work.
row "dir:/ (trivy: os only)" "dir:/" rootfs / --pkg-types os
row "debian-bookworm.tar" "$IMAGES/debian-bookworm.tar" image --input "$IMAGES/debian-bookworm.tar"
row "alpine-310.tar.gz" "$DATA/images/alpine-310.tar.gz" image --input "$DATA/images/alpine-310.tar.gz"
row "pylang-1.tar" "$IMAGES/pylang-1.tar" image --input "$IMAGES/pylang-1.tar"

# Layer reading vs the decompression floor, on the gzip layers of the OCI export.
if [[ -d $IMAGES/insecure-1.oci ]]; then
  biggest=$(ls -S "$IMAGES"/insecure-1.oci/blobs/sha256/* | head -1)
  read -r gs _ < <(measure sh -c "gzip -dc '$biggest' | wc -c")
  read -r vs _ < <(measure "$VIGIE" sbom "oci:$IMAGES/insecure-1.oci" -f json)
  awk -v g="$gs" -v v="$vs" 'BEGIN { printf "\nlayer reading: vigie sbom of insecure-1.oci %.3fs (all 13 layers) vs gzip -dc | wc -c of its largest layer %.3fs: ratio %.2f\n", v, g, (g > 0 ? v/g : 0) }'
fi

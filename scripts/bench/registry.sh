#!/usr/bin/env bash
# bench/registry.sh - `vigie sbom registry:…` (no engine) against Trivy's
# remote image source in the same run: wall time and peak RSS reading images
# from Debian's docker-registry on 127.0.0.1 (plain HTTP), images pushed there
# by the engine: the bookworm and pylang test images, and one with a 200 MB
# incompressible layer (the memory figure shows the layer is streamed).
#   scripts/bench/registry.sh [RUNS]      (default 5 runs, median reported)
# Needs: a release build (cargo build --release -p vigie), the engine,
# scripts/lib/peers-registry.sh and peers-sbom.sh (Trivy), the test images.
# Fairness: both list packages only (Trivy -f cyclonedx, no vulnerability DB);
# Trivy gets a fresh, empty cache dir per run (vigie has no cache); both fetch
# over the same loopback registry.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-5}
VIGIE=${VIGIE:-${CARGO_TARGET_DIR:-$ROOT/target}/release/vigie}
IMAGES=${VIGIE_TEST_IMAGES:-/var/tmp/vigie-test-images}
[[ -x $VIGIE ]] || { echo "no release binary at $VIGIE (cargo build --release -p vigie)" >&2; exit 2; }
TRIVY=${TRIVY:-$(command -v trivy || true)}
[[ -n $TRIVY ]] || { echo "trivy missing: run scripts/lib/peers-sbom.sh" >&2; exit 2; }
if head -c 2 "$TRIVY" | grep -q '#!' && command -v pyenv >/dev/null; then
  TRIVY=$(pyenv which trivy)
fi
command -v docker-registry >/dev/null || { echo "docker-registry missing: run scripts/lib/peers-registry.sh" >&2; exit 2; }
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { [[ -n ${REG_PID:-} ]] && kill "$REG_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
cat > "$WORK/config.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $WORK/storage}}
http: {addr: "127.0.0.1:$PORT"}
YML
docker-registry serve "$WORK/config.yml" >/dev/null 2>&1 & REG_PID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
push() { # push LOCAL NAME: tag and push LOCAL as 127.0.0.1:PORT/NAME
  docker tag "$1" "127.0.0.1:$PORT/$2" && docker push -q "127.0.0.1:$PORT/$2" >/dev/null && docker rmi -f "127.0.0.1:$PORT/$2" >/dev/null
}
for pair in debian-bookworm.tar:testimg/debian:bookworm pylang-1.tar:testimg/pylang:1; do
  archive=${pair%%:*} image=${pair#*:}
  docker image inspect "$image" >/dev/null 2>&1 || docker load -q -i "$IMAGES/$archive" >/dev/null
done
push testimg/debian:bookworm bench/debian:bookworm
push testimg/pylang:1 bench/pylang:1
head -c 200M /dev/urandom > "$WORK/big"
printf 'FROM testimg/debian:bookworm\nCOPY big /big\n' > "$WORK/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t vigie-bench/big:1 "$WORK" >/dev/null 2>&1
rm -f "$WORK/big"
push vigie-bench/big:1 bench/big:1
docker rmi -f vigie-bench/big:1 >/dev/null

timed() { # timed CMD... -> "seconds max_rss_kb" of one run (output discarded)
  /usr/bin/time -o "$WORK/time" -f '%e %M' "$@" >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; }
  tail -1 "$WORK/time"
}
median() { sort -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2)'; }
vigie_run() { local i; for ((i = 0; i < RUNS; i++)); do timed "$VIGIE" sbom -f cyclonedx --insecure-registry "registry:127.0.0.1:$PORT/$1"; done | median; }
trivy_run() {
  local i cache
  for ((i = 0; i < RUNS; i++)); do
    cache=$(mktemp -d -p "$WORK")
    timed "$TRIVY" image --image-src remote --insecure --skip-db-update --offline-scan -f cyclonedx -q \
      --cache-dir "$cache" "127.0.0.1:$PORT/$1"
    rm -rf "$cache"
  done | median
}
printf '%-22s %12s %12s %12s %12s %8s\n' image "vigie s" "vigie MiB" "trivy s" "trivy MiB" "ratio"
for image in bench/debian:bookworm bench/pylang:1 bench/big:1; do
  read -r vs vm < <(vigie_run "$image")
  read -r ts tm < <(trivy_run "$image")
  printf '%-22s %12s %12d %12s %12d %7.1fx\n' "$image" "$vs" $((vm / 1024)) "$ts" $((tm / 1024)) \
    "$(awk -v a="$ts" -v b="$vs" 'BEGIN { print (b > 0 ? a / b : 0) }')"
done
echo "(median of $RUNS runs; ratio = Trivy time / vigie time; $(nproc) cores; $(date -u +%Y-%m-%d))"

#!/usr/bin/env bash
# Benchmark `vigie audit`: 200 created containers of mixed configurations,
# wall time of a full audit (engine list + inspect of every container + host
# info + rules + JSON), peak RSS, cost per container. Goals (issue 3):
# < 2 s wall, < 50 MB peak RSS on the 2-core machines.
# docker-bench-security, the reference, is neither a Debian nor a PyPI
# package: the comparison is skipped (it needs ~37 docker processes per
# running container; the issue measured 34.5 s for 23 containers).
#
# Usage: scripts/bench/audit.sh [COUNT]   (VIGIE_BIN=path to use a built binary)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib/engine.sh
source "$here/scripts/lib/engine.sh"
count=${1:-200}
runs=${RUNS:-5}
label="io.vigie.bench=audit-$$"

ensure_engine
ensure_lab_image
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }

bin=${VIGIE_BIN:-}
if [ -z "$bin" ]; then
  vigie_log "building vigie (release)"
  (cd "$here" && cargo build -q --release -p vigie)
  bin="${CARGO_TARGET_DIR:-$here/target}/release/vigie"
fi

cleanup() {
  local ids
  ids=$(docker ps -aq --filter "label=$label")
  [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1 || true
}
trap cleanup EXIT

configs=(
  ""
  "--privileged"
  "--cap-add SYS_ADMIN --cap-add NET_ADMIN"
  "--user 1000:1000 --cap-drop ALL --read-only --security-opt no-new-privileges -m 64m --pids-limit 50 --health-cmd true"
  "-v /:/mnt:ro -v /var/run/docker.sock:/var/run/docker.sock"
  "-p 8080 -p 127.0.0.1::80 --restart always -e DB_PASSWORD=x -e API_TOKEN=y"
  "--pid host --ipc host --security-opt seccomp=unconfined"
  "--network none --restart on-failure:3 --ulimit nofile=1024:1024 --cpus 0.5"
)
vigie_log "creating $count containers (${#configs[@]} configurations)"
start=$(date +%s.%N)
seq 1 "$count" | xargs -P 4 -I{} bash -c '
  i={}; configs=("$@"); c=${configs[$((i % ${#configs[@]}))]}
  docker create --label io.vigie.test=1 --label '"$label"' $c alpine:3.10 sh >/dev/null' _ "${configs[@]}"
vigie_log "created in $(echo "$(date +%s.%N) - $start" | bc) s"

total=$(docker ps -aq | wc -l)
"$bin" audit --format json -o /dev/null   # warm the engine's caches once
walls=()
for _ in $(seq 1 "$runs"); do
  s=$(date +%s%N)
  "$bin" audit --format json -o /dev/null
  e=$(date +%s%N)
  walls+=($(( (e - s) / 1000000 )))
done
median=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
rss=$( { /usr/bin/time -v "$bin" audit --format json -o /dev/null; } 2>&1 | awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}')
table_ms=$( { s=$(date +%s%N); "$bin" audit >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); } )
per=$(echo "scale=2; $median * 1000 / $total" | bc)

echo "vigie audit: $total containers on the engine ($count created by this benchmark)"
echo "  wall (median of $runs, JSON):  ${median} ms   [goal < 2000 ms]   runs: ${walls[*]}"
echo "  wall (table output):           ${table_ms} ms"
echo "  peak RSS:                      $((rss / 1024)) MB (${rss} kB)   [goal < 50 MB]"
echo "  per container:                 ${per} µs"
echo "  docker-bench-security:         skipped (not installable from apt or PyPI)"

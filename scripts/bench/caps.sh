#!/usr/bin/env bash
# Benchmark for issue 2: `vigie caps MASK` wall time and peak RSS (goal < 5 ms,
# < 10 MB), `vigie inside` inside alpine (goal < 50 ms), static binary size.
# Peer in the same run: capsh --decode (libcap2-bin).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/engine.sh
source scripts/lib/peers-caps.sh
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
VIGIE=$(scripts/build-static release)
N=${N:-500}

per_run_ms() { # COMMAND... : mean wall ms over $N runs
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$N"); do "$@" >/dev/null; done
  end=$(date +%s%N)
  echo "scale=3; ($end - $start) / $N / 1000000" | bc
}

vigie_ms=$(per_run_ms "$VIGIE" caps 00000000a82425fb)
capsh_ms=$(per_run_ms capsh --decode=00000000a82425fb)
rss_kb=$(/usr/bin/time -f %M "$VIGIE" caps 00000000a82425fb 2>&1 >/dev/null | tail -1)
json_ms=$(per_run_ms "$VIGIE" caps 00000000a82425fb --format json)
size=$(stat -c %s "$VIGIE")

ensure_engine
ensure_lab_image
name=vigie-bench-inside-$$
docker run -d --name "$name" --label io.vigie.test=1 -v "$VIGIE:/vigie:ro" alpine:3.10 sleep 300 >/dev/null
trap 'docker rm -f "$name" >/dev/null 2>&1 || true' EXIT
# Time 50 runs inside the container, so docker exec's own cost is not counted.
inside_ms=$(docker exec "$name" sh -c 'a=$(date +%s%N 2>/dev/null || echo x); i=0; s=$(cat /proc/uptime | cut -d" " -f1); while [ $i -lt 50 ]; do /vigie inside -f json >/dev/null; i=$((i+1)); done; e=$(cat /proc/uptime | cut -d" " -f1); echo "$s $e"' |
  awk '{ printf "%.1f", ($2 - $1) * 1000 / 50 }')
inside_rss=$(docker exec "$name" sh -c '/vigie inside -f json >/dev/null & p=$!; m=0; while kill -0 $p 2>/dev/null; do r=$(grep VmHWM /proc/$p/status 2>/dev/null | awk "{print \$2}"); [ -n "$r" ] && m=$r; done; echo $m')

printf 'vigie caps MASK (table):   %s ms/run over %s runs (goal < 5 ms)\n' "$vigie_ms" "$N"
printf 'vigie caps MASK --format json: %s ms/run\n' "$json_ms"
printf 'capsh --decode (peer):     %s ms/run   ratio vigie/capsh: %s\n' "$capsh_ms" "$(echo "scale=2; $vigie_ms / $capsh_ms" | bc)"
printf 'vigie caps peak RSS:       %s kB (goal < 10240 kB)\n' "$rss_kb"
printf 'vigie inside in alpine:    %s ms/run over 50 runs (goal < 50 ms), peak RSS ~%s kB (sampled)\n' "$inside_ms" "$inside_rss"
printf 'static binary size:        %s bytes (%s MB)\n' "$size" "$(echo "scale=1; $size / 1048576" | bc)"

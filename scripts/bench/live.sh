#!/usr/bin/env bash
# Live-operation benchmarks (issue 7), each printed with its goal and, where a
# peer exists, the ratio against it in the same run:
#   1. vigie run --rm alpine:3.10 true  vs  docker run --rm alpine:3.10 true   (goal <= 1.1x)
#   2. vigie stats CPU with 50 containers at 1 s interval, vs docker stats     (goal < 2% of a core)
#   3. vigie watch reaction time, container create -> finding printed          (goal < 200 ms)
#
#   scripts/bench/live.sh                 # builds target/release/vigie if missing
#   VIGIE=/path/to/vigie RUNS=20 STATS_CONTAINERS=50 scripts/bench/live.sh
# Every container it starts carries io.vigie.test=1 and io.vigie.bench=1 and is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
IMAGE=${IMAGE:-alpine:3.10}
RUNS=${RUNS:-10}
N=${STATS_CONTAINERS:-50}
SECONDS_STATS=${SECONDS_STATS:-20}
WATCH_CREATES=${WATCH_CREATES:-20}
if [ -z "${VIGIE:-}" ]; then
  [ -x target/release/vigie ] || cargo build --release -q -p vigie
  VIGIE=target/release/vigie
fi
# Discarded output goes to a scratch file: on some sandboxes /dev/null is a plain file that
# other processes read from.
SINK=$(mktemp)
LABELS=(--label io.vigie.test=1 --label io.vigie.bench=1)
cleanup() {
  local ids
  ids=$(docker ps -aq --filter label=io.vigie.bench=1 2>"$SINK" || true)
  [ -z "$ids" ] || docker rm -f $ids >"$SINK" 2>&1 || true
  [ -z "${WATCH_PID:-}" ] || kill "$WATCH_PID" 2>"$SINK" || true
  [ -z "${WATCH_OUT:-}" ] || rm -f "$WATCH_OUT"
  rm -f "$SINK"
}
trap cleanup EXIT
now_ms() { date +%s%3N; }
# CPU seconds (user+system) a process used, from /proc/PID/stat.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14+$15)/hz}' "/proc/$1/stat"; }

echo "== 1. run overhead: $RUNS runs each, alternated (median wall time)"
docker run --rm "$IMAGE" true >"$SINK"  # warm the engine
d=(); v=(); q=()
for _ in $(seq "$RUNS"); do
  t=$(now_ms); docker run --rm "${LABELS[@]}" "$IMAGE" true >"$SINK"; d+=($(( $(now_ms) - t )))
  t=$(now_ms); "$VIGIE" run --rm "${LABELS[@]}" "$IMAGE" true >"$SINK" 2>&1; v+=($(( $(now_ms) - t )))
  t=$(now_ms); "$VIGIE" run -q --rm "${LABELS[@]}" "$IMAGE" true >"$SINK" 2>&1; q+=($(( $(now_ms) - t )))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
md=$(median "${d[@]}"); mv=$(median "${v[@]}"); mq=$(median "${q[@]}")
echo "docker run --rm $IMAGE true:             ${md} ms"
echo "vigie run --rm $IMAGE true (posture):     ${mv} ms  ratio $(awk -v a="$mv" -v b="$md" 'BEGIN{printf "%.2f", a/b}')x"
echo "vigie run -q --rm $IMAGE true (no posture): ${mq} ms  ratio $(awk -v a="$mq" -v b="$md" 'BEGIN{printf "%.2f", a/b}')x  (goal <= 1.1x)"

echo "== 2. stats overhead: $N containers, 1 s interval, ${SECONDS_STATS} s"
for i in $(seq "$N"); do docker run -d "${LABELS[@]}" --name "vigie-bench-stats-$i" "$IMAGE" sleep 600 >"$SINK"; done
# Outputs go to scratch files, not "$SINK" (on some sandboxes "$SINK" is a plain file).
SCRATCH=$(mktemp -d)
"$VIGIE" stats --interval 1 --format json >"$SCRATCH/vigie" 2>&1 & SP=$!
docker stats --format '{{.Name}} {{.CPUPerc}}' >"$SCRATCH/docker" 2>&1 & DP=$!
sleep "$SECONDS_STATS"
vs=$(cpu_seconds "$SP"); ds=$(cpu_seconds "$DP")
kill -INT "$SP" "$DP" 2>"$SINK" || true; wait "$SP" "$DP" 2>"$SINK" || true
echo "vigie stats printed $(wc -l <"$SCRATCH/vigie") JSON lines"; rm -rf "$SCRATCH"
echo "vigie stats:  $(awk -v c="$vs" -v s="$SECONDS_STATS" 'BEGIN{printf "%.2f", c/s*100}')% of one core (goal < 2%)"
echo "docker stats: $(awk -v c="$ds" -v s="$SECONDS_STATS" 'BEGIN{printf "%.2f", c/s*100}')% of one core  ratio $(awk -v a="$vs" -v b="$ds" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "n/a"}')x"
docker rm -f $(docker ps -aq --filter label=io.vigie.bench=1) >"$SINK" 2>&1 || true

echo "== 3. watch reaction: $WATCH_CREATES creates of a -v /:/mnt container"
WATCH_OUT=$(mktemp)
"$VIGIE" watch --format json >"$WATCH_OUT" 2>"$SINK" & WATCH_PID=$!
sleep 1.5
for i in $(seq "$WATCH_CREATES"); do
  docker create "${LABELS[@]}" --name "vigie-bench-watch-$i" -v /:/mnt "$IMAGE" true >"$SINK"
  sleep 0.3
done
sleep 1
kill -INT "$WATCH_PID"; wait "$WATCH_PID" 2>"$SINK" || true; WATCH_PID=
python3 - "$WATCH_OUT" <<'PY'
import json, sys
first = {}
for line in open(sys.argv[1]):
    v = json.loads(line)
    if "finding" in v and v["container"].startswith("vigie-bench-watch-") and v["event"] == "create":
        first.setdefault(v["container"], (v["printed_time_nano"] - v["event_time_nano"]) / 1e6)
ms = sorted(first.values())
if not ms:
    sys.exit("no finding printed")
p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print(f"create -> finding: {len(ms)} containers, median {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms, max {ms[-1]:.1f} ms (goal < 200 ms)")
PY

#!/usr/bin/env bash
# Benchmark: lint 1,000 real-world Dockerfiles (the 877 files of
# crates/vigie/tests/data/dockerfiles/corpus.tar.gz, the first ones repeated
# to reach COUNT), vigie vs hadolint in the same run; prints both times, the
# ratio and vigie's peak memory.
# VIGIE_BIN overrides the binary (default: a release build of this tree).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
count="${COUNT:-1000}"
bash "$root/scripts/lib/peers-lint.sh"
if [[ -z "${VIGIE_BIN:-}" ]]; then
    cargo build --quiet --release -p vigie --manifest-path "$root/Cargo.toml"
    VIGIE_BIN="${CARGO_TARGET_DIR:-$root/target}/release/vigie"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
tar -xzf "$root/crates/vigie/tests/data/dockerfiles/corpus.tar.gz" -C "$work/src"
mapfile -t corpus < <(tail -n +2 "$root/crates/vigie/tests/data/dockerfiles/SOURCES.tsv" | cut -f1)
for ((i = 0; i < count; i++)); do
    cp "$work/src/${corpus[i % ${#corpus[@]}]}" "$work/$i.Dockerfile"
done
lines=$(cat "$work"/*.Dockerfile | wc -l)

now() { date +%s.%N; }
# Warm the page cache once for both tools.
"$VIGIE_BIN" lint -f json "$work" >/dev/null || true

start=$(now)
"$VIGIE_BIN" lint -f json "$work" >/dev/null || true
vigie_s=$(echo "$(now) - $start" | bc -l)
# Peak memory of a second run (GNU time's %M is in KiB).
rss_kib=0
if [[ -x /usr/bin/time ]]; then
    rss_kib=$(/usr/bin/time -f '%M' -o "$work/rss" "$VIGIE_BIN" lint -f json "$work" >/dev/null 2>&1; cat "$work/rss" 2>/dev/null || echo 0)
fi

start=$(now)
(cd "$work" && hadolint -f json --no-fail ./*.Dockerfile >/dev/null) || true
hadolint_s=$(echo "$(now) - $start" | bc -l)

printf 'lint %d Dockerfiles (%d lines), %s cores\n' "$count" "$lines" "$(nproc)"
printf 'vigie    %8.3f s\n' "$vigie_s"
printf 'hadolint %8.3f s\n' "$hadolint_s"
printf 'ratio    %8.1fx faster\n' "$(echo "$hadolint_s / $vigie_s" | bc -l)"
printf 'vigie peak RSS %s MiB\n' "$(( $(tail -1 <<<"$rss_kib") / 1024 ))"

#!/usr/bin/env bash
# Benchmark: lint a directory of 1,000 Dockerfiles (the test corpus repeated),
# vigie vs hadolint in the same run; prints both times and the ratio.
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
mapfile -t corpus < <(ls "$root"/crates/vigie-dockerfile/tests/corpus/*.Dockerfile)
for ((i = 0; i < count; i++)); do
    cp "${corpus[i % ${#corpus[@]}]}" "$work/$i.Dockerfile"
done
lines=$(cat "$work"/*.Dockerfile | wc -l)

now() { date +%s.%N; }
# Warm the page cache once for both tools.
"$VIGIE_BIN" lint -f json "$work" >/dev/null || true

start=$(now)
"$VIGIE_BIN" lint -f json "$work" >/dev/null || true
vigie_s=$(echo "$(now) - $start" | bc -l)

start=$(now)
(cd "$work" && hadolint -f json --no-fail ./*.Dockerfile >/dev/null) || true
hadolint_s=$(echo "$(now) - $start" | bc -l)

printf 'lint %d Dockerfiles (%d lines), %s cores\n' "$count" "$lines" "$(nproc)"
printf 'vigie    %8.3f s\n' "$vigie_s"
printf 'hadolint %8.3f s\n' "$hadolint_s"
printf 'ratio    %8.1fx faster\n' "$(echo "$hadolint_s / $vigie_s" | bc -l)"

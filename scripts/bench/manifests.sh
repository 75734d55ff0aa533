#!/usr/bin/env bash
# bench/manifests.sh - `vigie audit k8s` against Checkov in the same run, on
# real manifests: the 515 files of the k8s corpus (tests/data/manifests), and a
# stream of 10,000+ Kubernetes documents made by repeating the corpus's
# documents (what `helm template | vigie audit k8s -` sees for a big chart set).
# Prints wall time and peak RSS of each, and the ratio. Goal (issue "Compose
# files and Kubernetes manifests"): 10,000 documents in under 1 s, at least 50x
# Checkov, under 100 MB.
#   scripts/bench/manifests.sh [RUNS]      (default 3 runs, median reported)
# Needs: a release build (cargo build --release -p vigie) and
# scripts/lib/peers-manifests.sh (Checkov 3.3.30).
# Fairness: both read the same files and report every finding as JSON to
# /dev/null; Checkov runs only its Kubernetes framework, offline
# (--skip-download, BC_SKIP_MAPPING), with its default checks.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-3}
VIGIE=${VIGIE:-${CARGO_TARGET_DIR:-$ROOT/target}/release/vigie}
[[ -x $VIGIE ]] || { echo "no release binary at $VIGIE (cargo build --release -p vigie)" >&2; exit 2; }
command -v checkov >/dev/null || { echo "checkov missing: run scripts/lib/peers-manifests.sh" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/corpus"
tar -xzf "$ROOT/crates/vigie/tests/data/manifests/k8s-corpus.tar.gz" -C "$WORK/corpus"
# Files vigie refuses as invalid YAML (duplicate keys) or Checkov crashes on are left out of both.
rm -f "$WORK/corpus/kubescape__regolibrary/rules/set-fsgroup-value/test/cronjob/input/cronjob1.yaml"
python3 - "$WORK" <<'PY'
import os, sys, yaml
work = sys.argv[1]
docs = []
for dirpath, _, names in sorted(os.walk(os.path.join(work, "corpus"))):
    for n in sorted(names):
        if not n.endswith((".yaml", ".yml", ".json")):
            continue
        p = os.path.join(dirpath, n)
        text = open(p, encoding="utf-8").read()
        try:
            parsed = [d for d in yaml.safe_load_all(text) if isinstance(d, dict) and "kind" in d]
        except Exception:
            continue
        if "{{" in text:
            continue
        for d in parsed:
            docs.append(yaml.safe_dump(d, sort_keys=False))
out, n = [], 0
while n < 10000:
    for d in docs:
        out.append(d)
        n += 1
open(os.path.join(work, "stream.yaml"), "w").write("---\n".join(out))
print(f"stream: {n} documents from {len(docs)} distinct ones", file=sys.stderr)
PY
export BC_SKIP_MAPPING=TRUE
timed() { # timed CMD... -> "seconds max_rss_kb" of one run (output discarded)
  /usr/bin/time -o "$WORK/time" -f '%e %M' "$@" >/dev/null 2>"$WORK/stderr" || true
  tail -1 "$WORK/time"
}
median() { sort -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2)'; }
runs() { local i; for ((i = 0; i < RUNS; i++)); do timed "$@"; done | median; }

report() { # report LABEL "vigie_s vigie_kb" "checkov_s checkov_kb"
  read -r vs vk <<<"$2"
  read -r cs ck <<<"$3"
  awk -v l="$1" -v vs="$vs" -v vk="$vk" -v cs="$cs" -v ck="$ck" 'BEGIN {
    printf "%-34s vigie %7.3f s %7.1f MiB   checkov %8.2f s %7.1f MiB   speed-up %6.0fx\n",
      l, vs, vk / 1024, cs, ck / 1024, (vs > 0 ? cs / vs : 0) }'
}

cd "$WORK"
v=$(runs "$VIGIE" audit k8s stream.yaml -f json -o /dev/null --allow-incomplete)
c=$(runs checkov -f stream.yaml --framework kubernetes -o json --quiet --skip-download --compact)
report "10,000+ documents, one stream" "$v" "$c"
v=$(runs "$VIGIE" audit k8s corpus -f json -o /dev/null --allow-incomplete)
c=$(runs checkov -d corpus --framework kubernetes -o json --quiet --skip-download --compact)
report "515 corpus files (directory)" "$v" "$c"

#!/usr/bin/env bash
# bench/sbom.sh - `vigie sbom` against Trivy in the same run: wall time and
# peak RSS on dir:/ (this host), the bookworm test image archive, alpine-310
# and pylang; plus reading one gzip layer against `gzip -dc LAYER | wc -c`.
#   scripts/bench/sbom.sh [RUNS]      (default 5 runs, median reported)
# Needs: a release build (cargo build --release -p vigie), scripts/lib/peers-sbom.sh,
# the test images (scripts/test builds them in /var/tmp/vigie-test-images).
#
# Fairness, explicitly:
# - Trivy is run as its own binary (a pyenv shim would add a bash start to every run).
# - Trivy caches each layer's analysis by digest in --cache-dir: the "cold" column gives
#   every run a fresh, empty cache dir (created and removed outside the timing), as vigie
#   has no cache; "warm" reuses one cache dir filled by a first, untimed run.
# - Same work: both list packages only (Trivy with -f cyclonedx needs no vulnerability DB).
#   On dir:/ two rows: OS packages only (both tools: --pkg-types os) and every ecosystem
#   (Trivy cannot read jars offline, it must download its Java DB first and aborts: the
#   directories holding jars are skipped for Trivy only, vigie still reads them).
#   Package counts per ecosystem are printed for both tools.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-5}
VIGIE=${VIGIE:-${CARGO_TARGET_DIR:-$ROOT/target}/release/vigie}
IMAGES=${VIGIE_TEST_IMAGES:-/var/tmp/vigie-test-images}
# The pinned subsets in testdata/; DATA=DIR uses a full-size copy laid out the same way.
DATA=${DATA:-$ROOT/testdata}
[[ -x $VIGIE ]] || { echo "no release binary at $VIGIE (cargo build --release -p vigie)" >&2; exit 2; }
TRIVY=${TRIVY:-$(command -v trivy || true)}
[[ -n $TRIVY ]] || { echo "trivy missing: run scripts/lib/peers-sbom.sh" >&2; exit 2; }
if head -c 2 "$TRIVY" | grep -q '#!' && command -v pyenv >/dev/null; then
  TRIVY=$(pyenv which trivy)
fi
[[ -f $IMAGES/debian-bookworm.tar ]] || { echo "test images missing: run scripts/test" >&2; exit 2; }
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
TRIVY_FLAGS=(--skip-db-update --skip-java-db-update --offline-scan -f cyclonedx -q)

timed() { # timed CMD... -> "seconds max_rss_kb cpu_seconds" of one run (output discarded)
  /usr/bin/time -o "$WORK/time" -f '%e %M %U %S' "$@" >/dev/null 2>"$WORK/stderr" || true
  tail -1 "$WORK/time" | awk '{ printf "%s %s %.3f\n", $1, $2, $3 + $4 }'
}
median() { sort -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2)'; }

measure() { # measure CMD... -> median "seconds max_rss_kb" of RUNS runs
  local i
  for ((i = 0; i < RUNS; i++)); do timed "$@"; done | median
}

trivy_cold() { # trivy_cold ARGS... -> median of RUNS runs, each with a fresh cache dir
  local i cache
  for ((i = 0; i < RUNS; i++)); do
    cache=$(mktemp -d -p "$WORK")
    timed "$TRIVY" "$@" "${TRIVY_FLAGS[@]}" --cache-dir "$cache"
    rm -rf "$cache"
  done | median
}

trivy_warm() { # trivy_warm ARGS... -> median of RUNS runs sharing a cache dir filled first
  local cache
  cache=$(mktemp -d -p "$WORK")
  "$TRIVY" "$@" "${TRIVY_FLAGS[@]}" --cache-dir "$cache" >/dev/null 2>&1 || true
  measure "$TRIVY" "$@" "${TRIVY_FLAGS[@]}" --cache-dir "$cache"
  rm -rf "$cache"
}

counts_vigie() { # counts_vigie TARGET ARGS... -> "deb=867 cargo=…" of one run
  "$VIGIE" sbom "$@" -f json 2>/dev/null | python3 -c '
import json, sys, collections
d = json.load(sys.stdin)
c = collections.Counter(p["ecosystem"] for p in d["packages"])
print(" ".join(f"{k}={v}" for k, v in sorted(c.items())) + (" (incomplete)" if d.get("incomplete") else ""))'
}

counts_trivy() { # counts_trivy ARGS... -> "deb=867 cargo=…" of one run
  local cache
  cache=$(mktemp -d -p "$WORK")
  "$TRIVY" "$@" "${TRIVY_FLAGS[@]}" --cache-dir "$cache" 2>/dev/null | python3 -c '
import json, sys, collections
d = json.load(sys.stdin)
c = collections.Counter(x.get("purl", "pkg:no-purl/").split(":")[1].split("/")[0] for x in d.get("components", []) if x.get("type") == "library")
m = {"golang": "go", "pypi": "pypi", "npm": "npm", "cargo": "cargo", "deb": "deb", "apk": "apk", "rpm": "rpm", "maven": "maven"}
print(" ".join(f"{m.get(k, k)}={v}" for k, v in sorted(c.items(), key=lambda kv: m.get(kv[0], kv[0]))))'
  rm -rf "$cache"
}

printf '%-24s %8s %8s %8s %9s %9s %8s %8s %7s %7s %8s\n' target vigie_s trivy_s trivy_w vigie_MB trivy_MB speedup rss \
  vigie_cpu trivy_cpu cpu_ratio
row() { # row LABEL "VIGIE ARGS" TRIVY_ARGS...
  local label=$1 vigie_args=$2; shift 2
  local vs vk vc ts tk tc ws
  # shellcheck disable=SC2086
  read -r vs vk vc < <(measure "$VIGIE" sbom $vigie_args -f json)
  read -r ts tk tc < <(trivy_cold "$@")
  read -r ws _ < <(trivy_warm "$@")
  awk -v l="$label" -v vs="$vs" -v ts="$ts" -v ws="$ws" -v vk="$vk" -v tk="$tk" -v vc="$vc" -v tc="$tc" 'BEGIN {
    cpu = (vc > 0 ? sprintf("%7.1fx", tc/vc) : "  (<1ms)")
    printf "%-24s %8.3f %8.3f %8.3f %9.1f %9.1f %7.1fx %8.2f %7.3f %7.3f %s\n", l, vs, ts, ws, vk/1024, tk/1024,
      (vs > 0 ? ts/vs : 0), (tk > 0 ? vk/tk : 0), vc, tc, cpu }'
  # shellcheck disable=SC2086
  printf '  %-22s vigie: %s\n  %-22s trivy: %s\n' "" "$(counts_vigie $vigie_args)" "" "$(counts_trivy "$@")"
}

# Trivy aborts offline on a jar (its Java DB is not there): skip, for Trivy only, the directories with jars.
JAR_DIRS=()
while IFS= read -r d; do JAR_DIRS+=(--skip-dirs "$d"); done < <(
  find / -xdev \( -path /proc -o -path /sys -o -path /var/lib/docker -o -path /tmp \) -prune -o \
    \( -name '*.jar' -o -name '*.war' -o -name '*.ear' -o -name '*.hpi' \) -printf '%h\n' 2>/dev/null |
    awk -F/ '{print "/" $2 "/" $3 "/" $4}' | sort -u)

row "dir:/ OS packages" "dir:/ --pkg-types os --allow-incomplete" rootfs / --pkg-types os
row "dir:/ every ecosystem" "dir:/ --allow-incomplete" rootfs / "${JAR_DIRS[@]}"
row "debian-bookworm.tar" "$IMAGES/debian-bookworm.tar" image --input "$IMAGES/debian-bookworm.tar"
ALPINE=$DATA/images/alpine-310.tar.gz; [[ -f $ALPINE ]] || ALPINE=$IMAGES/lab-alpine-310.tar.gz
row "alpine-310.tar.gz" "$ALPINE" image --input "$ALPINE"
row "pylang-1.tar" "$IMAGES/pylang-1.tar" image --input "$IMAGES/pylang-1.tar"
echo "(trivy_s: cold, a fresh cache dir per run; trivy_w: warm cache; speedup and rss: vigie against cold Trivy;"
echo " *_cpu: user + system seconds of the run whose wall time is the median, steadier than wall time on a busy machine)"

# Layer reading against the decompression floor, on the same layer: the largest gzip
# layer of the insecure-1 OCI export, alone in an OCI layout (its digests checked, its
# tar parsed and catalogued) against `gzip -dc LAYER | wc -c`.
if [[ -d $IMAGES/insecure-1.oci ]]; then
  layer=$(ls -S "$IMAGES"/insecure-1.oci/blobs/sha256/* | head -1)
  python3 - "$layer" "$WORK/one-layer" <<'EOF'
import hashlib, json, os, subprocess, sys
layer, out = sys.argv[1], sys.argv[2]
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)
def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, digest), "wb").write(data)
    return "sha256:" + digest, len(data)
unzipped = subprocess.run(["gzip", "-dc", layer], capture_output=True, check=True).stdout
layer_digest = "sha256:" + os.path.basename(layer)
os.symlink(layer, os.path.join(blobs, os.path.basename(layer)))
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(unzipped).hexdigest()]}}).encode()
config_digest, config_size = blob(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest,
                "size": os.path.getsize(layer)}]}).encode()
manifest_digest, manifest_size = blob(manifest)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": manifest_digest, "size": manifest_size}]}, open(os.path.join(out, "index.json"), "w"))
open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion": "1.0.0"}')
EOF
  read -r gs _ _ < <(measure sh -c "gzip -dc '$layer' | wc -c")
  read -r vs vk _ < <(measure "$VIGIE" sbom "oci:$WORK/one-layer" -f json --allow-incomplete)
  awk -v g="$gs" -v v="$vs" -v k="$vk" -v mb="$(($(stat -c %s "$layer") >> 20))" 'BEGIN {
    printf "\nlayer reading, largest layer of insecure-1.oci (%d MB gzip): vigie sbom %.3fs (%.1f MB RSS), gzip -dc | wc -c %.3fs: ratio %.2f (goal <= 1.5)\n", mb, v, k/1024, g, (g > 0 ? v/g : 0) }'
fi

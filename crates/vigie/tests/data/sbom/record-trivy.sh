#!/usr/bin/env bash
# Record Trivy's package lists for the sbom differential test: one small JSON
# per image, {"os": ..., "packages": [[type, name, version], ...]} sorted.
# Needs scripts/lib/peers-sbom.sh and the test images (scripts/test builds them).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
IMAGES=${VIGIE_TEST_IMAGES:-/var/tmp/vigie-test-images}
CACHE=$(mktemp -d); trap 'rm -rf "$CACHE"' EXIT
record() { # record NAME INPUT
  trivy image --input "$2" --skip-db-update --offline-scan --cache-dir "$CACHE" -f cyclonedx -q -o "$CACHE/$1.cdx.json"
  python3 - "$CACHE/$1.cdx.json" "$HERE/trivy/$1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
os_ = None; pkgs = []
for c in d.get("components", []):
    props = {p["name"]: p["value"] for p in c.get("properties", [])}
    if c["type"] == "operating-system":
        os_ = {"family": c["name"], "version": c.get("version", "")}
    elif c["type"] == "library":
        pkgs.append([props.get("aquasecurity:trivy:PkgType", ""), c["name"], c.get("version", "")])
json.dump({"trivy": "0.76.0", "os": os_, "packages": sorted(pkgs)}, open(sys.argv[2], "w"), indent=0)
PY
}
for img in busybox-1 debian-bookworm debian-bullseye insecure-1 secure-1 pylang-1; do
  [[ -f $IMAGES/$img.tar ]] && record "$img" "$IMAGES/$img.tar"
done
# alpine-310/311 were recorded on the real alpine:3.10/3.11 images; the tests compare them with the
# lab stand-ins, which carry those images' package databases (testdata/images/alpine-*).
if [[ -n ${ALPINE_310_ARCHIVE:-} ]]; then record alpine-310 "$ALPINE_310_ARCHIVE"; fi
if [[ -n ${ALPINE_311_ARCHIVE:-} ]]; then record alpine-311 "$ALPINE_311_ARCHIVE"; fi

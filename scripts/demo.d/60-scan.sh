# shellcheck shell=bash
# Demo step (sourced by scripts/demo): the lab's §2.5-2.6 — what is in an
# image (SBOM), its known vulnerabilities from a local open-data database, and
# a comparison of two reports. The database comes from `vigie db update` when
# its sources answer, else from the repository's pinned open data (testdata/,
# see testdata/SOURCES.md): the scan steps always run.

SCAN_DIR=$(mktemp -d)
step "§2.5 vigie sbom: every package in the lab's image"
show vigie sbom "$IMAGE"
show vigie sbom "$IMAGE" --format cyclonedx -o "$SCAN_DIR/alpine.cdx.json"
echo "CycloneDX SBOM: $SCAN_DIR/alpine.cdx.json"

DATA=testdata
export VIGIE_DB="$SCAN_DIR/vulndb.sqlite"
step "§2.5 the vulnerability database: vigie db update, or the pinned open data when offline"
if timeout 60 "$VIGIE" db update --db "$VIGIE_DB" >"$SCAN_DIR/update.log" 2>&1; then
  echo "$ vigie db update   # the default sources answered"
else
  echo "vigie db update: the default sources do not answer here ($(tail -n 1 "$SCAN_DIR/update.log" | cut -c1-160))"
  echo "importing the repository's pinned open data instead (OSV, Alpine secdb; testdata/SOURCES.md):"
  show vigie db import --db "$VIGIE_DB" "$DATA"/osv/*.zip "$DATA"/alpine-secdb/v3.4 "$DATA"/alpine-secdb/v3.10
fi
show vigie db status --db "$VIGIE_DB"

step "§2.5 vigie scan: the lab's image (newer than every fix in the data: nothing to report)"
show vigie scan --db "$VIGIE_DB" "$IMAGE"
step "§2.5 vigie scan: an Alpine 3.4 system (real apk database) against Alpine's secdb"
mkdir -p "$SCAN_DIR/rootfs/lib/apk/db" "$SCAN_DIR/rootfs/etc"
cp "$DATA/pkgdb/apk/installed" "$SCAN_DIR/rootfs/lib/apk/db/installed"
echo 3.4.6 > "$SCAN_DIR/rootfs/etc/alpine-release"
# This real database has one entry without a version: the scan says it is
# incomplete and exits 2; --allow-incomplete accepts the partial result.
expect 2 vigie scan --db "$VIGIE_DB" "dir:$SCAN_DIR/rootfs"
show vigie scan --allow-incomplete --db "$VIGIE_DB" "dir:$SCAN_DIR/rootfs" -f json -o "$SCAN_DIR/a.json"
show vigie scan --allow-incomplete --db "$VIGIE_DB" "dir:$SCAN_DIR/rootfs" -f trivy-json --ignore-unfixed \
  -o "$SCAN_DIR/b.json"
step "§2.6 vigie diff: two reports compared (vigie JSON vs Trivy-layout JSON)"
show vigie diff "$SCAN_DIR/a.json" "$SCAN_DIR/b.json"
rm -rf "$SCAN_DIR"
unset VIGIE_DB

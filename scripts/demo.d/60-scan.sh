# shellcheck shell=bash
# Demo step (sourced by scripts/demo): the lab's §2.5-2.6 — what is in an
# image (SBOM), its known vulnerabilities from a local open-data database, and
# a comparison of two reports. The database is imported from the shared data
# when this checkout sits beside it, else updated from the network; without
# either, the scan steps are skipped with the reason.

SCAN_DIR=$(mktemp -d)
step "§2.5 vigie sbom: every package in the lab's image"
show vigie sbom "$IMAGE"
show vigie sbom "$IMAGE" --format cyclonedx -o "$SCAN_DIR/alpine.cdx.json"
echo "CycloneDX SBOM: $SCAN_DIR/alpine.cdx.json"

DATA=../shared/data
export VIGIE_DB="$SCAN_DIR/vulndb.sqlite"
have_db=
if [ -d "$DATA/alpine-secdb" ]; then
  step "§2.5 vigie db import: open data (OSV, Alpine secdb), local and offline"
  show vigie db import --db "$VIGIE_DB" "$DATA"/osv/*.zip "$DATA"/alpine-secdb/v3.4 "$DATA"/alpine-secdb/v3.10 && have_db=1
  show vigie db status --db "$VIGIE_DB"
elif timeout 120 "$VIGIE" db update --db "$VIGIE_DB" >/dev/null 2>&1; then
  have_db=1
else
  echo "no vulnerability data here (no ../shared/data and no network): scan steps skipped"
fi

if [ -n "$have_db" ]; then
  step "§2.5 vigie scan: the lab's image (newer than every fix in the data: nothing to report)"
  show vigie scan --db "$VIGIE_DB" "$IMAGE"
  if [ -f "$DATA/pkgdb/apk/installed" ]; then
    step "§2.5 vigie scan: an Alpine 3.4 system (real apk database) against Alpine's secdb"
    mkdir -p "$SCAN_DIR/rootfs/lib/apk/db" "$SCAN_DIR/rootfs/etc"
    cp "$DATA/pkgdb/apk/installed" "$SCAN_DIR/rootfs/lib/apk/db/installed"
    echo 3.4.6 > "$SCAN_DIR/rootfs/etc/alpine-release"
    # This real database has one entry without a version: the scan says it is
    # incomplete and exits 2; --allow-incomplete accepts the partial result.
    show vigie scan --db "$VIGIE_DB" "dir:$SCAN_DIR/rootfs"
    echo "(exit code: $(vigie scan --db "$VIGIE_DB" "dir:$SCAN_DIR/rootfs" >/dev/null 2>&1; echo $?))"
    vigie scan --allow-incomplete --db "$VIGIE_DB" "dir:$SCAN_DIR/rootfs" -f json -o "$SCAN_DIR/a.json" || true
    vigie scan --allow-incomplete --db "$VIGIE_DB" "dir:$SCAN_DIR/rootfs" -f trivy-json --ignore-unfixed \
      -o "$SCAN_DIR/b.json" || true
    step "§2.6 vigie diff: two reports compared (vigie JSON vs Trivy-layout JSON)"
    show vigie diff "$SCAN_DIR/a.json" "$SCAN_DIR/b.json"
  fi
fi
rm -rf "$SCAN_DIR"
unset VIGIE_DB

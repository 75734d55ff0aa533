#!/usr/bin/env bash
# Peers of `vigie audit`'s tests, installed idempotently and quietly:
#   - chromium + chromium-driver (Debian): loads the HTML report headless, proves no injected script runs
#   - stunnel4 + openssl (Debian): a TLS proxy (client certificate required) in front of the engine socket
#     for the TLS engine test (socat's OpenSSL server refuses rustls' session resumption)
#   - python3 jsonschema (PyPI): validates the SARIF output
#   - the official OASIS SARIF 2.1.0 JSON schema, taken from the serde-sarif crate (crates.io), which ships it
#     as src/schema.json; copied to $VIGIE_PEERS_DIR/sarif-schema-2.1.0.json
# Usage: bash scripts/lib/peers-audit.sh   (or source it and call ensure_audit_peers)
set -euo pipefail

VIGIE_PEERS_DIR=${VIGIE_PEERS_DIR:-/var/cache/vigie-peers}
SERDE_SARIF_VERSION=0.8.0

_peers_log() { printf '[peers-audit] %s\n' "$*" >&2; }

ensure_audit_peers() {
  export DEBIAN_FRONTEND=noninteractive
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    _peers_log "installing chromium chromium-driver"
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  if ! command -v stunnel4 >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
    _peers_log "installing stunnel4 openssl"
    apt-get update -qq >/dev/null
    apt-get install -y -qq stunnel4 openssl >/dev/null
  fi
  if ! python3 -c 'import jsonschema' >/dev/null 2>&1; then
    _peers_log "installing python jsonschema"
    python3 -m pip install -q jsonschema >/dev/null 2>&1 \
      || python3 -m pip install -q --break-system-packages jsonschema >/dev/null 2>&1 \
      || { apt-get install -y -qq python3-jsonschema >/dev/null; }
  fi
  local schema="$VIGIE_PEERS_DIR/sarif-schema-2.1.0.json"
  if [ ! -s "$schema" ]; then
    _peers_log "fetching the SARIF 2.1.0 schema from the serde-sarif $SERDE_SARIF_VERSION crate"
    mkdir -p "$VIGIE_PEERS_DIR"
    local tmp
    tmp=$(mktemp -d)
    mkdir -p "$tmp/src"
    printf '[package]\nname = "sarif-schema-fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nserde-sarif = "=%s"\n' \
      "$SERDE_SARIF_VERSION" > "$tmp/Cargo.toml"
    echo 'fn main() {}' > "$tmp/src/main.rs"
    (cd "$tmp" && cargo fetch -q >/dev/null 2>&1)
    local found
    found=$(cd "$tmp" && cargo metadata --format-version 1 2>/dev/null \
      | python3 -c 'import json,sys,os; m=json.load(sys.stdin); print(next(os.path.join(os.path.dirname(p["manifest_path"]),"src","schema.json") for p in m["packages"] if p["name"]=="serde-sarif"))')
    cp "$found" "$schema"
    rm -rf "$tmp"
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_audit_peers
fi

#!/usr/bin/env bash
# shellcheck shell=bash
# Peers for the vulnerability database tests (crates/vigie/tests/{db,scan,diff}.rs), idempotent and quiet:
#   python3 + PyYAML          -> the independent Alpine oracle (tests/oracle/apk_secdb_oracle.py) and the HTTP test servers
#   docker + the real alpine:3.10 -> `apk version -t` for the oracle, live when the engine has it (no
#                             registry here: otherwise its recorded answers, testdata/oracle/apk-secdb-v3.4.txt)
#   /var/tmp/vigie-test-images -> the test images (scripts/lib/build-test-images.sh)
# Usable both sourced (function ensure_vulndb_peers) and run directly.

_peers_vulndb_log() { printf '[peers-vulndb %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

ensure_vulndb_peers() {
  export DEBIAN_FRONTEND=noninteractive
  local missing=()
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)
  if [ ${#missing[@]} -gt 0 ]; then
    _peers_vulndb_log "apt-get install ${missing[*]}"
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
  fi
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    if [ ! -f /var/tmp/vigie-test-images/debian-bullseye.tar ] || [ ! -f /var/tmp/vigie-test-images/lab-alpine-310.tar.gz ]; then
      _peers_vulndb_log "building the test images"
      bash "$here/scripts/lib/build-test-images.sh" /var/tmp/vigie-test-images >/dev/null 2>&1 || return 1
    fi
  else
    _peers_vulndb_log "no Docker engine answers: the Alpine oracle test will fail (scripts/lib/engine.sh starts one)"
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_vulndb_peers
fi

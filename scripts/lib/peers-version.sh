#!/usr/bin/env bash
# shellcheck shell=bash
# Peers for crates/vigie-version's differential tests (idempotent, quiet, skips what is present):
#   dpkg                      -> `dpkg --compare-versions` (always on Debian)
#   python3-apt  (/usr/bin/python3) -> apt_pkg.version_compare, dpkg's algorithm through libapt
#   rpm, python3-rpm (/usr/bin/python3) -> rpm.labelCompare
#   packaging (pip, for `python3` on PATH) -> packaging.version.Version
#   libmaven3-core-java       -> Maven's own ComparableVersion (maven-artifact.jar), run with `java`
#   docker + the real alpine:3.10 -> `apk version -t`, live when the engine has it (Debian has no apk-tools and
#                             no registry answers here: otherwise apk's recorded answers in testdata/oracle/)
# Usable both sourced (function ensure_version_peers) and run directly.

_peers_version_log() { printf '[peers-version %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

ensure_version_peers() {
  export DEBIAN_FRONTEND=noninteractive
  local missing=()
  command -v dpkg >/dev/null 2>&1 || missing+=(dpkg)
  /usr/bin/python3 -c 'import apt_pkg' >/dev/null 2>&1 || missing+=(python3-apt)
  command -v rpm >/dev/null 2>&1 || missing+=(rpm)
  /usr/bin/python3 -c 'import rpm' >/dev/null 2>&1 || missing+=(python3-rpm)
  if ! ls /usr/share/java/maven-artifact*.jar >/dev/null 2>&1; then missing+=(libmaven3-core-java); fi
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
  if [ ${#missing[@]} -gt 0 ]; then
    _peers_version_log "apt-get install ${missing[*]}"
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
  fi
  if ! python3 -c 'import packaging.version' >/dev/null 2>&1; then
    _peers_version_log "pip install packaging"
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore packaging >/dev/null || return 1
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_version_peers
fi

# shellcheck shell=bash
# Peers for the capability tests: capsh (libcap2-bin).
command -v capsh >/dev/null 2>&1 || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcap2-bin >/dev/null; }

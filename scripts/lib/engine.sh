# shellcheck shell=bash
# Sourced by scripts/demo and scripts/test: make sure a Docker engine answers.
# If `docker info` fails: install docker.io when dockerd is missing, start
# dockerd in the background and wait for its socket.

vigie_log() { printf '[vigie %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# A tool that renames a file over /dev/null turns it into a plain file and
# breaks every later redirection (cargo, tmux, dockerd): put the device back.
if [ ! -c /dev/null ] && [ "$(id -u)" = 0 ]; then
  rm -f /dev/null && mknod -m 666 /dev/null c 1 3
  vigie_log "repaired /dev/null (it was not a character device)"
fi

ensure_engine() {
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    vigie_log "dockerd missing: apt-get install -y docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq docker.io >/dev/null
  fi
  if ! command -v docker >/dev/null 2>&1; then
    vigie_log "docker CLI missing after install"; return 1
  fi
  if ! docker info >/dev/null 2>&1; then
    vigie_log "starting dockerd in the background (log: /var/log/vigie-dockerd.log)"
    # iptables may be unusable in some sandboxes; dockerd still serves the API.
    nohup dockerd >/var/log/vigie-dockerd.log 2>&1 &
    local i
    for i in $(seq 1 120); do
      if [ -S /var/run/docker.sock ] && docker info >/dev/null 2>&1; then
        break
      fi
      sleep 0.5
    done
  fi
  if ! docker info >/dev/null 2>&1; then
    vigie_log "the Docker engine did not come up; see /var/log/vigie-dockerd.log"
    tail -n 20 /var/log/vigie-dockerd.log >&2 || true
    return 1
  fi
  vigie_log "engine ready: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null)"
}

# The lab's image: alpine:3.10 from the engine, a registry, the shared archive,
# or a minimal image built from Debian's busybox-static package.
ensure_lab_image() {
  local image=${VIGIE_LAB_IMAGE:-alpine:3.10}
  if docker image inspect "$image" >/dev/null 2>&1; then return 0; fi
  if timeout 20 docker pull -q "$image" >/dev/null 2>&1; then return 0; fi
  local here archive
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  for archive in "$here/../shared/data/images/alpine-310.tar.gz" "${VIGIE_SHARED:-/nonexistent}/data/images/alpine-310.tar.gz"; do
    if [ -f "$archive" ]; then
      vigie_log "loading $image from $archive"
      docker load -q -i "$archive" >/dev/null && return 0
    fi
  done
  vigie_log "building a minimal $image stand-in from Debian's busybox-static package"
  local ctx
  ctx=$(mktemp -d)
  (
    cd "$ctx" || exit 1
    apt-get download busybox-static >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get download busybox-static >/dev/null; }
    dpkg-deb -x busybox-static_*.deb root
    mkdir -p root/bin root/etc root/tmp root/proc root/sys root/dev
    cp root/bin/busybox root/bin/busybox.real 2>/dev/null || true
    for applet in sh ls cat id ps ping sleep wget grep head true echo; do ln -sf busybox root/bin/$applet; done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > root/etc/passwd
    printf 'root:x:0:\nnogroup:x:65534:\n' > root/etc/group
    printf 'FROM scratch\nCOPY root/ /\nCMD ["/bin/sh"]\n' > Dockerfile
    DOCKER_BUILDKIT=0 docker build -q -t "$image" . >/dev/null
  )
  local rc=$?
  rm -rf "$ctx"
  return $rc
}

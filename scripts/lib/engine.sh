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

# The lab's image. The lab pulls alpine:3.10; when the engine has it or a
# registry answers, that is used. Otherwise a stand-in is built locally under
# vigie's own name (vigie-lab/alpine:3.10, never an upstream name) and
# VIGIE_LAB_IMAGE names it for the rest of the script.
ensure_lab_image() {
  local image=${VIGIE_LAB_IMAGE:-alpine:3.10}
  if docker image inspect "$image" >/dev/null 2>&1 || timeout 20 docker pull -q "$image" >/dev/null 2>&1; then
    export VIGIE_LAB_IMAGE=$image
    return 0
  fi
  vigie_log "$image: not in the engine and no registry answers; using the stand-in vigie-lab/alpine:3.10"
  build_lab_standin 3.10 || return 1
  export VIGIE_LAB_IMAGE=vigie-lab/alpine:3.10
}

# build_lab_standin RELEASE: vigie-lab/alpine:RELEASE, from Debian packages and
# the repository only: busybox from Debian's busybox-static with every applet
# linked where Alpine puts it (busybox --list-full), adduser/addgroup scripts
# (Debian builds busybox without those applets; scripts/lib/lab-image), and the
# real Alpine RELEASE package database, release files and accounts copied from
# the alpine:RELEASE image (testdata/images/alpine-RELEASE, see SOURCES.md), so
# the lab's steps run and scanners see Alpine's own package list. Rebuilt only
# when its inputs change (label io.vigie.stand-in.inputs).
build_lab_standin() {
  local release=$1 image=vigie-lab/alpine:$1 here data ctx deb inputs self
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  self=$here/scripts/lib/engine.sh
  data=$here/testdata/images/alpine-$release
  [ -f "$data/lib/apk/db/installed" ] || { vigie_log "no $data in this checkout"; return 1; }
  ctx=$(mktemp -d)
  (
    set -e
    cd "$ctx"
    apt-get download busybox-static >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && apt-get download busybox-static >/dev/null; }
    deb=$(ls busybox-static_*.deb)
    inputs=$({ sha256sum "$deb" | cut -c1-64; cd "$here" && sha256sum scripts/lib/lab-image/* "$self" &&
      find "testdata/images/alpine-$release" -type f | sort | xargs sha256sum; } | sha256sum | cut -c1-16)
    if [ "$(docker image inspect -f '{{index .Config.Labels "io.vigie.stand-in.inputs"}}' "$image" 2>/dev/null)" = "$inputs" ]; then
      exit 0
    fi
    dpkg-deb -x "$deb" root
    mkdir -p root/sbin root/usr/bin root/usr/sbin root/etc root/tmp root/root root/home root/var/tmp \
      root/proc root/sys root/dev root/lib/apk/db
    for applet in $(root/bin/busybox --list-full); do
      [ -e "root/$applet" ] || ln root/bin/busybox "root/$applet"
    done
    install -m 0755 "$here"/scripts/lib/lab-image/adduser "$here"/scripts/lib/lab-image/addgroup root/usr/sbin/
    cp -r "$data"/. root/
    chmod 0640 root/etc/shadow; chmod 1777 root/tmp root/var/tmp; chmod 0700 root/root
    tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C root -cf rootfs.tar .
    cat > Dockerfile <<DOCKERFILE
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL io.vigie.stand-in="alpine:$release stand-in: busybox $(dpkg-deb -f "$deb" Version) from Debian's busybox-static, with Alpine $(cat "$data/etc/alpine-release")'s package database and accounts" \
      io.vigie.stand-in.inputs="$inputs"
CMD ["/bin/sh"]
DOCKERFILE
    DOCKER_BUILDKIT=0 docker build -q -t "$image" . >/dev/null 2>&1
  )
  local rc=$?
  rm -rf "$ctx"
  [ $rc = 0 ] && vigie_log "$image ready"
  return $rc
}

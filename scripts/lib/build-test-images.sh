#!/usr/bin/env bash
# scripts/lib/build-test-images.sh - vigie's test images, built from Debian's
# packages and the repository only (no registry is needed), each saved as a
# docker-archive tarball for the tests. scripts/test runs it; the output
# directory is kept outside the checkout so a second run takes seconds.
# Started from the workplace's example builder (build-test-images.sh, same
# recipes and tags, so recorded peer outputs stay valid) and extended with
# vigie's lab stand-ins.
#
#   scripts/lib/build-test-images.sh [OUTDIR]   (default OUTDIR: /var/tmp/vigie-test-images)
#
# Needs: root, a running Docker engine (the classic builder is used, BuildKit is
# not needed), and network access to the Debian mirror configured for apt.
# Installs debootstrap (and skopeo, for the OCI export) with apt-get if missing.
#
# Images (tagged testimg/* and vigie-lab/*, nothing else is touched):
#   testimg/busybox:1         FROM scratch, busybox from the busybox-static .deb
#   testimg/debian:bookworm   debootstrap --variant=minbase bookworm, docker import
#   testimg/debian:bullseye   the same for bullseye (skipped if the mirror lacks it)
#   testimg/insecure:1        many layers of misconfiguration (root, secrets, setuid,
#                             file capabilities, world-writable, whiteouts, EXPOSE 22)
#   testimg/secure:1          hardened: non-root USER appuser, HEALTHCHECK, no setuid
#   testimg/pylang:1          language manifests/lockfiles and installed-package
#                             metadata at known-vulnerable old versions
#   vigie-lab/alpine:3.10     the lab's stand-in (scripts/lib/engine.sh
#   vigie-lab/alpine:3.11     build_lab_standin): busybox + Alpine's real package
#                             database (testdata/images/alpine-*)
#
# Output in OUTDIR:
#   <name>.tar            docker-archive (`docker save`) of each image
#   lab-alpine-310.tar.gz gzip docker-archives of the stand-ins
#   insecure-1.oci/       OCI image layout (skopeo, gzip layers), if skopeo works
#   insecure-1.oci.tar    the same as an oci-archive tarball
#   images.tsv            ref, image id, tarball, bytes, layer count
#   SHA256SUMS            checksums of the tarballs
#   timings.tsv           seconds per step of the last run
#   skipped.txt           images that could not be built (e.g. suite not on the mirror)
#   build/<name>/         the Docker build contexts (Dockerfiles, data files)
#   .cache/               debootstrap rootfs tarballs, downloaded .debs, logs, stamps
#
# Idempotent: a second run reuses the cached rootfs tarballs, the Docker layer
# cache and the saved tarballs (re-saved only when the image id changed).
#
# Environment knobs:
#   MIRROR=URL        Debian mirror for debootstrap (default: taken from
#                     /etc/apt/sources.list and /etc/apt/sources.list.d/*)
#   SUITES="bookworm bullseye"   debootstrap suites to build
#   FORCE=1           ignore every cache: re-debootstrap, rebuild with --no-cache,
#                     re-save
#   SKIP_OCI=1        do not export the OCI layout
#   NO_INSTALL=1      never apt-get install missing host tools; fail instead
set -euo pipefail

OUT_ARG=${1:-/var/tmp/vigie-test-images}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=engine.sh
source "$REPO/scripts/lib/engine.sh"
SUITES=${SUITES:-"bookworm bullseye"}
FORCE=${FORCE:-}
SKIP_OCI=${SKIP_OCI:-}
NO_INSTALL=${NO_INSTALL:-}
LABEL_KEY=io.testimg.built-by
LABEL_VAL=build-test-images.sh
# Bump when the rootfs recipe changes, so that cached rootfs tarballs are redone.
ROOTFS_REV=2
# The classic builder: same layer layout whatever the client has installed.
export DOCKER_BUILDKIT=0

log()  { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { log "WARNING: $*"; }
die()  { log "ERROR: $*"; exit 1; }

[[ ${EUID:-$(id -u)} -eq 0 ]] || die "must run as root (debootstrap, docker)"
command -v docker >/dev/null || die "docker CLI not found"
docker info >/dev/null 2>&1 || die "the Docker engine is not running (docker info failed)"

mkdir -p "$OUT_ARG"
OUT=$(cd "$OUT_ARG" && pwd)
CACHE=$OUT/.cache
mkdir -p "$CACHE/logs" "$CACHE/stamps" "$CACHE/debs" "$OUT/build"
ARCH=$(dpkg --print-architecture)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-test-images.XXXXXX")
umount_under() { # unmount anything debootstrap may have left mounted below $1
  local m
  command -v findmnt >/dev/null || return 0
  findmnt -rn -o TARGET | awk -v p="$1/" 'index($0, p) == 1' | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
cleanup() { umount_under "$WORK"; rm -rf --one-file-system "$WORK"; }
trap cleanup EXIT

# ---------------------------------------------------------------- timing
STEP_NAMES=(); STEP_MS=()
fmt_ms() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
timed() { # timed LABEL command args...
  local label=$1 t0 ms; shift
  t0=$(date +%s%N)
  log ">>> $label"
  "$@"
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  STEP_NAMES+=("$label"); STEP_MS+=("$ms")
  log "<<< $label: $(fmt_ms "$ms")s"
}
T_START=$(date +%s%N)

# ---------------------------------------------------------------- host tools
APT_UPDATED=
apt_install() {
  [[ -z $NO_INSTALL ]] || die "missing host package(s): $* (NO_INSTALL is set)"
  export DEBIAN_FRONTEND=noninteractive
  if [[ -z $APT_UPDATED ]]; then apt-get update -qq; APT_UPDATED=1; fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
host_tools() {
  local need=()
  command -v dpkg-deb >/dev/null || die "dpkg-deb not found: this script needs a Debian host"
  command -v debootstrap >/dev/null || need+=(debootstrap)
  command -v curl >/dev/null || command -v wget >/dev/null || need+=(curl)
  if ((${#need[@]})); then log "installing host packages: ${need[*]}"; apt_install "${need[@]}"; fi
  # skopeo is optional: without it there is just no OCI export
  if [[ -z $SKIP_OCI ]] && ! command -v skopeo >/dev/null; then
    log "installing host package: skopeo"
    (apt_install skopeo) || warn "could not install skopeo; the OCI export will be skipped"
  fi
}

# ---------------------------------------------------------------- mirror
url_get() { # print the body of URL, fail unless it answers 200
  if command -v curl >/dev/null; then curl -fsSL --max-time 30 "$1"
  else wget -q -T 30 -O - "$1"; fi
}
mirror_candidates() { # URIs of enabled "deb" sources for a plain suite (not -security/-updates)
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk '$1 == "deb" {
           i = 2
           if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
           if ($(i+1) !~ /[-\/]/) print $i
         }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         {
           types = ""; uris = ""; suites = ""; enabled = "yes"
           for (i = 1; i <= NF; i++) {
             line = $i
             if (line ~ /^[ \t]*#/) continue
             k = tolower(line); sub(/:.*/, "", k)
             v = line; sub(/^[^:]*:[ \t]*/, "", v)
             if (k == "types") types = v
             else if (k == "uris") uris = v
             else if (k == "suites") suites = v
             else if (k == "enabled") enabled = tolower(v)
           }
           if (enabled == "no" || (" " types " ") !~ / deb /) next
           plain = 0; n = split(suites, s, /[ \t]+/)
           for (j = 1; j <= n; j++) if (s[j] != "" && s[j] !~ /[-\/]/) plain = 1
           if (!plain) next
           n = split(uris, u, /[ \t]+/)
           for (j = 1; j <= n; j++) if (u[j] != "") print u[j]
         }' "$f"
  done
}
pick_mirror() {
  local suite=$1 uri rel
  if [[ -n ${MIRROR:-} ]]; then echo "${MIRROR%/}"; return 0; fi
  # Debian archives first (path ending in /debian), then the rest; a candidate must
  # serve dists/SUITE/Release with "Origin: Debian" (not some third-party repo).
  while read -r uri; do
    [[ $uri =~ ^(https?|file):// ]] || continue
    rel=$(url_get "${uri%/}/dists/$suite/Release" 2>/dev/null) || continue
    if grep -q '^Origin: Debian$' <<<"$rel"; then echo "${uri%/}"; return 0; fi
  done < <(mirror_candidates | awk '!seen[$0]++' | awk '{ print ($0 ~ /\/debian\/?$/ ? 0 : 1) "\t" $0 }' | sort -s -k1,1n | cut -f2)
  return 1
}

# ---------------------------------------------------------------- helpers
image_id()    { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
image_label() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }

docker_build() { # docker_build REF CONTEXT_DIR LOGNAME
  local ref=$1 ctx=$2 name=$3
  local args=(--network host -t "$ref")
  [[ -z $FORCE ]] || args+=(--no-cache)
  local v
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [[ -z ${!v:-} ]] || args+=(--build-arg "$v")
  done
  if ! docker build "${args[@]}" "$ctx" >"$CACHE/logs/build-$name.log" 2>&1; then
    tail -n 40 "$CACHE/logs/build-$name.log" >&2
    die "docker build of $ref failed (log: $CACHE/logs/build-$name.log)"
  fi
  log "$ref -> $(image_id "$ref")"
}

SAVED=()
save_image() { # save_image REF FILE   (FILE ending in .gz: gzip-compressed)
  local ref=$1 file=$2 id stamp
  id=$(image_id "$ref"); [[ -n $id ]] || die "no image $ref to save"
  stamp=$CACHE/stamps/$file.id
  if [[ -z $FORCE && -s $OUT/$file && -f $stamp && $(<"$stamp") == "$id" ]]; then
    log "$file is up to date ($id)"
  else
    if [[ $file == *.gz ]]; then docker save "$ref" | gzip -n >"$OUT/$file.tmp"
    else docker save -o "$OUT/$file.tmp" "$ref"; fi
    mv -f "$OUT/$file.tmp" "$OUT/$file"
    echo "$id" >"$stamp"
  fi
  SAVED+=("$ref $file")
}

# ---------------------------------------------------------------- busybox
cached_deb() { # cached_deb DIR VERSION -> a .deb in DIR with that version
  local f
  for f in "$1"/*.deb; do
    [[ -f $f && $(dpkg-deb -f "$f" Version) == "$2" ]] && { echo "$f"; return 0; }
  done
  return 1
}
fetch_deb() { # fetch_deb PKG -> path of apt's candidate .deb, cached in $CACHE/debs/PKG
  local pkg=$1 ver dir=$CACHE/debs/$1
  ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [[ -z $ver || $ver == "(none)" ]]; then
    apt-get update -qq; APT_UPDATED=1
    ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
  fi
  [[ -n $ver && $ver != "(none)" ]] || die "apt has no candidate for $pkg"
  mkdir -p "$dir"
  cached_deb "$dir" "$ver" && return 0
  (cd "$dir" && apt-get download -qq "$pkg=$ver" >"$CACHE/logs/apt-download-$pkg.log" 2>&1) ||
    die "apt-get download $pkg=$ver failed (log: $CACHE/logs/apt-download-$pkg.log)"
  cached_deb "$dir" "$ver" || die "downloaded $pkg but found no .deb of version $ver"
}

build_busybox() {
  local ref=testimg/busybox:1 ctx=$OUT/build/busybox deb root bb a epoch ver
  deb=$(fetch_deb busybox-static)
  ver=$(dpkg-deb -f "$deb" Version)
  root=$WORK/busybox-rootfs
  rm -rf "$root"; mkdir -p "$root"
  dpkg-deb -x "$deb" "$root"          # /bin/busybox + /usr/share/doc/busybox-static
  bb=$root/bin/busybox
  [[ -x $bb ]] || die "no bin/busybox in $deb"
  epoch=$(stat -c %Y "$bb")
  # One hard link per applet in /bin, as the official busybox image does.
  local applets
  applets=$("$bb" --list) || die "cannot run the extracted busybox (is ${TMPDIR:-/tmp} noexec? set TMPDIR)"
  for a in $applets; do
    [[ $a == busybox || -e $root/bin/$a ]] || ln "$bb" "$root/bin/$a"
  done
  mkdir -p "$root"/{etc,root,tmp,home,var/spool/mail,var/www,usr/sbin}
  chmod 0700 "$root/root"; chmod 1777 "$root/tmp"
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
wheel:x:10:root
mail:x:12:
www-data:x:33:
operator:x:37:
users:x:100:
nogroup:x:65534:
EOF
  rm -rf "$ctx"; mkdir -p "$ctx"
  tar --sort=name --numeric-owner --owner=0 --group=0 \
      --mtime="@$epoch" --clamp-mtime -C "$root" -cf "$ctx/busybox-rootfs.tar" .
  cat >"$ctx/Dockerfile" <<EOF
# busybox $ver from Debian's busybox-static package (dpkg-deb -x), one hard link
# per applet in /bin. No package database: scanners should find no OS packages.
FROM scratch
ADD busybox-rootfs.tar /
LABEL $LABEL_KEY="$LABEL_VAL" \\
      io.testimg.source="debian busybox-static $ver" \\
      org.opencontainers.image.title="testimg busybox"
CMD ["sh"]
EOF
  docker_build "$ref" "$ctx" busybox
}

# ---------------------------------------------------------------- debian
minimizing_config() { # the container tweaks the official Debian images carry
  local dir=$1
  [[ -n $dir && $dir != / && -d $dir/etc/apt/apt.conf.d ]] || die "bad rootfs dir '$dir'"
  # apt: no package caches or downloaded .debs left in the layers
  cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'APTCONF'
# Package installs happen in "docker build" steps, so APT's caches would only
# waste space in each layer: drop them after every dpkg and apt-get update run.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APTCONF
  echo 'Acquire::Languages "none";' >"$dir/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$dir/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$dir/etc/apt/apt.conf.d/docker-autoremove-suggests"
  echo 'force-unsafe-io' >"$dir/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
  # no service may start during "docker build"
  printf '#!/bin/sh\n# no services may be started inside an image build\nexit 101\n' \
    >"$dir/usr/sbin/policy-rc.d"
  chmod 0755 "$dir/usr/sbin/policy-rc.d"
}

rootfs_tar() { echo "$CACHE/rootfs-$1-$ARCH-r$ROOTFS_REV.tar"; }

debootstrap_rootfs() { # debootstrap_rootfs SUITE MIRROR -> $(rootfs_tar SUITE)
  local suite=$1 mirror=$2 tar dir opts=()
  tar=$(rootfs_tar "$suite")
  if [[ -z $FORCE && -s $tar ]]; then log "using cached $tar"; return 0; fi
  dir=$WORK/rootfs-$suite
  # The official images are merged-/usr from bookworm on, split /usr before.
  case $suite in buster|bullseye) opts+=(--no-merged-usr) ;; esac
  log "debootstrap --variant=minbase ${opts[*]} $suite from $mirror"
  mkdir -p "$CACHE/debs/$suite"
  if ! debootstrap --variant=minbase --arch="$ARCH" --cache-dir="$CACHE/debs/$suite" "${opts[@]}" \
        "$suite" "$dir" "$mirror" >"$CACHE/logs/debootstrap-$suite.log" 2>&1; then
    tail -n 30 "$CACHE/logs/debootstrap-$suite.log" >&2
    umount_under "$dir"
    die "debootstrap $suite failed (log: $CACHE/logs/debootstrap-$suite.log)"
  fi
  umount_under "$dir"
  local m
  for m in dev proc sys run; do
    ! mountpoint -q "$dir/$m" || die "$dir/$m is still mounted; refusing to clean it"
  done
  # Trim like the official images do: no device nodes (Docker provides /dev),
  # no apt lists or caches, no host identity copied in by debootstrap.
  find "$dir/dev" "$dir/proc" "$dir/sys" "$dir/run" -mindepth 1 -xdev -delete 2>/dev/null || true
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin \
         "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/debconf/*-old \
         "$dir"/var/lib/dpkg/*-old "$dir"/debootstrap
  mkdir -p "$dir/var/lib/apt/lists/partial"
  : >"$dir/etc/resolv.conf"
  echo localhost >"$dir/etc/hostname"
  minimizing_config "$dir"
  tar --sort=name --numeric-owner --xattrs --xattrs-include='security.capability' \
      -C "$dir" -cf "$tar.tmp" .
  mv -f "$tar.tmp" "$tar"
  # drop rootfs tarballs of older recipe revisions
  find "$CACHE" -maxdepth 1 -name "rootfs-$suite-$ARCH*.tar" ! -name "${tar##*/}" -delete
  rm -rf --one-file-system "$dir"
}

import_debian() { # import_debian SUITE
  local suite=$1 ref=testimg/debian:$1 tar sha
  tar=$(rootfs_tar "$suite")
  sha=$(sha256sum "$tar" | cut -c1-64)
  if [[ -z $FORCE && $(image_label "$ref" io.testimg.rootfs-sha256) == "$sha" ]]; then
    log "$ref already imported from this rootfs"
    return 0
  fi
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --change "LABEL $LABEL_KEY=$LABEL_VAL io.testimg.source=debootstrap-minbase-$suite io.testimg.rootfs-sha256=$sha" \
    --message "debootstrap --variant=minbase $suite" \
    "$tar" "$ref" >/dev/null
  log "$ref -> $(image_id "$ref")"
}

# ---------------------------------------------------------------- insecure
write_insecure_ctx() {
  local ctx=$OUT/build/insecure
  rm -rf "$ctx"; mkdir -p "$ctx"
  # A syntactically PEM-looking but fake private key; it is deleted in a later
  # layer, so it survives only in the lower layer (the classic "deleted secret").
  {
    echo '-----BEGIN OPENSSH PRIVATE KEY-----'
    printf 'FAKE KEY FOR CONTAINER SCANNER TESTS - NOT A REAL KEY - %.0s' {1..12} | base64 -w 70
    echo '-----END OPENSSH PRIVATE KEY-----'
  } >"$ctx/id_rsa"
  chmod 0600 "$ctx/id_rsa"
  cat >"$ctx/aws-credentials" <<'EOF'
[default]
aws_access_key_id = AKIAFAKEFAKEFAKEFAKE
aws_secret_access_key = fAkE/SeCrEt+KeY/ForScannerTests012345678
region = eu-west-1
EOF
  cat >"$ctx/app.env" <<'EOF'
# Application settings (fixture: hard-coded credentials)
DATABASE_URL=postgres://admin:hunter2@db.internal:5432/prod
GITHUB_TOKEN=ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0123
STRIPE_SECRET_KEY=sk_live_FAKEfakeFAKEfakeFAKEfake00
EOF
  cat >"$ctx/entrypoint.sh" <<'EOF'
#!/bin/sh
# world-writable entrypoint run as root (fixture)
mkdir -p /run/sshd
exec /usr/sbin/sshd -D -e
EOF
  chmod 0777 "$ctx/entrypoint.sh"
  cat >"$ctx/Dockerfile" <<EOF
# Negative fixture: a pile of common container misconfigurations, one per layer
# where possible, so that layer attribution can be tested too.
FROM testimg/debian:bookworm
LABEL $LABEL_KEY="$LABEL_VAL" org.opencontainers.image.title="testimg insecure"
# secrets in the image config (docker inspect shows them)
ENV AWS_ACCESS_KEY_ID=AKIAFAKEFAKEFAKEFAKE \\
    AWS_SECRET_ACCESS_KEY=fAkE/SeCrEt+KeY/ForScannerTests012345678 \\
    DB_PASSWORD=hunter2
ARG DEBIAN_FRONTEND=noninteractive
# packages added in a later layer (dpkg status changes above the base layer);
# openssh-server's postinst generates host private keys in /etc/ssh
RUN apt-get update \\
 && apt-get install -y --no-install-recommends openssh-server sudo libcap2-bin \\
 && rm -rf /var/lib/apt/lists/*
# setuid-root copy of a shell
RUN cp /usr/bin/bash /usr/local/bin/rootbash && chmod 4755 /usr/local/bin/rootbash
# file capability (security.capability xattr in the layer tar)
RUN cp /usr/bin/perl /usr/local/bin/perl-cap && setcap cap_setuid,cap_net_raw+ep /usr/local/bin/perl-cap
# world-writable directory (no sticky bit) and world-writable root entrypoint
RUN mkdir -p /srv/uploads && chmod 0777 /srv/uploads
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
# passwordless sudo for everyone, root login over ssh with a weak password
RUN echo 'ALL ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/99-everyone \\
 && chmod 0440 /etc/sudoers.d/99-everyone \\
 && echo 'PermitRootLogin yes' >>/etc/ssh/sshd_config \\
 && echo 'root:root' | chpasswd
# secrets that stay, and one that is "deleted" in the next layer (whiteout)
COPY aws-credentials /root/.aws/credentials
COPY app.env /opt/app/.env
COPY id_rsa /root/.ssh/id_rsa
RUN rm -f /root/.ssh/id_rsa
# a directory replaced wholesale in a later layer (opaque whiteout)
RUN mkdir -p /opt/legacy && echo 'password=changeme' >/opt/legacy/app.properties
RUN rm -rf /opt/legacy && mkdir /opt/legacy && echo 'moved to /opt/app' >/opt/legacy/README
EXPOSE 22
# no USER: runs as root; no HEALTHCHECK
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
EOF
}

# ---------------------------------------------------------------- secure
write_secure_ctx() {
  local ctx=$OUT/build/secure
  rm -rf "$ctx"; mkdir -p "$ctx"
  cat >"$ctx/app.sh" <<'EOF'
#!/bin/sh
# Minimal long-running "service" for the hardened fixture.
case "${1:-run}" in
  health) test -r /app/app.sh ;;
  run) trap 'exit 0' TERM INT
       echo "appuser service running as $(id -un) ($(id -u))"
       while :; do sleep 3600 & wait $!; done ;;
  *) echo "usage: $0 [run|health]" >&2; exit 2 ;;
esac
EOF
  chmod 0555 "$ctx/app.sh"
  cat >"$ctx/Dockerfile" <<EOF
# Positive fixture: what a hardened Dockerfile looks like.
FROM testimg/debian:bookworm
LABEL $LABEL_KEY="$LABEL_VAL" \\
      org.opencontainers.image.title="testimg secure" \\
      org.opencontainers.image.description="non-root, no setuid binaries, healthcheck"
# dedicated system user with a fixed uid/gid and no login shell;
# strip every setuid/setgid bit the base image ships (su, passwd, ...)
RUN groupadd --system --gid 10001 appuser \\
 && useradd --system --uid 10001 --gid appuser --home-dir /app --no-create-home \\
            --shell /usr/sbin/nologin appuser \\
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} + \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# code owned by root, read/exec only
COPY app.sh /app/app.sh
WORKDIR /app
USER appuser
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["/app/app.sh", "health"]
STOPSIGNAL SIGTERM
CMD ["/app/app.sh", "run"]
EOF
}

# ---------------------------------------------------------------- pylang
record_hash() { # urlsafe-base64 sha256 without padding, as in a wheel RECORD
  local hex; hex=$(sha256sum "$1" | cut -c1-64)
  # shellcheck disable=SC2059
  printf "$(sed 's/../\\x&/g' <<<"$hex")" | base64 -w0 | tr '+/' '-_' | tr -d '='
}
# dist_info DIR NAME VERSION LICENSE SUMMARY [Requires-Dist...]: write a pip-style
# *.dist-info (METADATA, INSTALLER, WHEEL, top_level.txt, RECORD).
dist_info() {
  local sp=$1 name=$2 ver=$3 lic=$4 summary=$5; shift 5
  local d="$sp/$name-$ver.dist-info" r top
  mkdir -p "$d"
  {
    echo "Metadata-Version: 2.1"
    echo "Name: $name"
    echo "Version: $ver"
    echo "Summary: $summary"
    echo "License: $lic"
    echo "Platform: UNKNOWN"
    for r in "$@"; do echo "Requires-Dist: $r"; done
    echo
    echo "$summary"
  } >"$d/METADATA"
  echo pip >"$d/INSTALLER"
  printf 'Wheel-Version: 1.0\nGenerator: bdist_wheel (0.31.1)\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n' >"$d/WHEEL"
  top=$(echo "$name" | tr 'A-Z-' 'a-z_'); [[ $name != PyYAML ]] || top=yaml
  echo "$top" >"$d/top_level.txt"
  {
    for r in METADATA INSTALLER WHEEL top_level.txt; do
      echo "$name-$ver.dist-info/$r,sha256=$(record_hash "$d/$r"),$(stat -c %s "$d/$r")"
    done
    echo "$name-$ver.dist-info/RECORD,,"
  } >"$d/RECORD"
}

write_pylang_ctx() {
  local ctx=$OUT/build/pylang sp
  rm -rf "$ctx"; mkdir -p "$ctx"/{app/rust/src,app/node,venv/bin,sysdist}
  # ---- Python: requirements.txt + a virtualenv's site-packages
  cat >"$ctx/app/requirements.txt" <<'EOF'
# Pinned for the legacy API - do not upgrade without QA sign-off.
Django==2.2
requests==2.19.0
urllib3==1.23
idna==2.7
chardet==3.0.4
certifi==2018.4.16
Jinja2==2.10
MarkupSafe==1.1.0
PyYAML==5.3
pytz==2018.9
sqlparse==0.2.4
EOF
  printf 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\nexecutable = /usr/bin/python3.11\ncommand = /usr/bin/python3 -m venv /opt/venv\n' >"$ctx/venv/pyvenv.cfg"
  ln -s /usr/bin/python3 "$ctx/venv/bin/python3"
  ln -s python3 "$ctx/venv/bin/python"
  sp=$ctx/venv/lib/python3.11/site-packages
  mkdir -p "$sp"; ln -s lib "$ctx/venv/lib64"
  dist_info "$sp" requests 2.19.0 "Apache 2.0" "Python HTTP for Humans." \
    "chardet (<3.1.0,>=3.0.2)" "idna (<2.8,>=2.5)" "urllib3 (<1.24,>=1.21.1)" "certifi (>=2017.4.17)"
  dist_info "$sp" urllib3 1.23 MIT "HTTP library with thread-safe connection pooling, file post, and more."
  dist_info "$sp" idna 2.7 BSD-like "Internationalized Domain Names in Applications (IDNA)"
  dist_info "$sp" chardet 3.0.4 LGPL "Universal encoding detector for Python 2 and 3"
  dist_info "$sp" certifi 2018.4.16 MPL-2.0 "Python package for providing Mozilla's CA Bundle."
  dist_info "$sp" Django 2.2 BSD "A high-level Python Web framework that encourages rapid development and clean, pragmatic design." \
    pytz sqlparse
  dist_info "$sp" pytz 2018.9 MIT "World timezone definitions, modern and historical"
  dist_info "$sp" sqlparse 0.2.4 BSD "Non-validating SQL parser"
  dist_info "$sp" Jinja2 2.10 BSD "A small but fast and easy to use stand-alone template engine written in pure python." \
    "MarkupSafe (>=0.23)"
  dist_info "$sp" MarkupSafe 1.1.0 BSD "Safely add untrusted strings to HTML/XML markup."
  # ---- an old-style egg-info installed with the system pip (outside dpkg)
  mkdir -p "$ctx/sysdist/PyYAML-5.3-py3.11.egg-info"
  cat >"$ctx/sysdist/PyYAML-5.3-py3.11.egg-info/PKG-INFO" <<'EOF'
Metadata-Version: 1.1
Name: PyYAML
Version: 5.3
Summary: YAML parser and emitter for Python
Home-page: https://github.com/yaml/pyyaml
Author: Kirill Simonov
Author-email: xi@resolvent.net
License: MIT
Description: YAML is a data serialization format designed for human readability
        and interaction with scripting languages.
Platform: Any
EOF
  printf 'yaml\n_yaml\n' >"$ctx/sysdist/PyYAML-5.3-py3.11.egg-info/top_level.txt"
  # ---- Rust: Cargo.toml + Cargo.lock (resolved by cargo against crates.io)
  cat >"$ctx/app/rust/Cargo.toml" <<'EOF'
[package]
name = "legacy-service"
version = "0.1.0"
edition = "2018"

[dependencies]
smallvec = "=1.6.0"
serde_json = "=1.0.40"
regex = "=1.5.4"
chrono = "=0.4.19"
EOF
  echo 'fn main() {}' >"$ctx/app/rust/src/main.rs"
  cat >"$ctx/app/rust/Cargo.lock" <<'EOF'
# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "aho-corasick"
version = "0.7.20"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "cc936419f96fa211c1b9166887b38e5e40b19958e5b895be7c1f93adec7071ac"
dependencies = [
 "memchr",
]

[[package]]
name = "autocfg"
version = "1.5.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "f2032f911046de80f0a198e0901378627c33f59ea0ac00e363d481118bd70a53"

[[package]]
name = "chrono"
version = "0.4.19"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "670ad68c9088c2a963aaa298cb369688cf3f9465ce5e2d4ca10e6e0098a1ce73"
dependencies = [
 "libc",
 "num-integer",
 "num-traits",
 "time",
 "winapi",
]

[[package]]
name = "itoa"
version = "0.4.8"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "b71991ff56294aa922b450139ee08b3bfc70982c6b2c7562771375cf73542dd4"

[[package]]
name = "legacy-service"
version = "0.1.0"
dependencies = [
 "chrono",
 "regex",
 "serde_json",
 "smallvec",
]

[[package]]
name = "libc"
version = "0.2.191"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "65cd87c9a6d60536580b316ad985726104730a5151c99845f2490428ef91240a"

[[package]]
name = "memchr"
version = "2.8.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "cf8baf1c55e62ffcace7a9f06f4bd9cd3f0c4beb022d3b367256b91b87513d98"

[[package]]
name = "num-integer"
version = "0.1.47"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "7ce2d95d4b3734dc35aa2f45e1aa22cd416814592a4f9d9205e11affd5b8e10b"
dependencies = [
 "num-traits",
]

[[package]]
name = "num-traits"
version = "0.2.19"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "071dfc062690e90b734c0b2273ce72ad0ffa95f0c74596bc250dcfd960262841"
dependencies = [
 "autocfg",
]

[[package]]
name = "proc-macro2"
version = "1.0.107"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "985e7ec9bb745e6ce6535b544d84d6cd6f7ad8bd711c398938ae983b91a766d9"
dependencies = [
 "unicode-ident",
]

[[package]]
name = "quote"
version = "1.0.47"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "1fbf4db142a473a8d80c26bbf18454ed458bf8d26c8219c331daecfdbd079001"
dependencies = [
 "proc-macro2",
]

[[package]]
name = "regex"
version = "1.5.4"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "d07a8629359eb56f1e2fb1652bb04212c072a87ba68546a04065d525673ac461"
dependencies = [
 "aho-corasick",
 "memchr",
 "regex-syntax",
]

[[package]]
name = "regex-syntax"
version = "0.6.29"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "f162c6dd7b008981e4d40210aca20b4bd0f9b60ca9271061b07f78537722f2e1"

[[package]]
name = "ryu"
version = "1.0.23"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "9774ba4a74de5f7b1c1451ed6cd5285a32eddb5cccb8cc655a4e50009e06477f"

[[package]]
name = "serde"
version = "1.0.229"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "4148590afebada386688f18773da617792bf2ef03ffc1e4cbd2b1d45b023e0ba"
dependencies = [
 "serde_core",
]

[[package]]
name = "serde_core"
version = "1.0.229"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "67dca2c9c51e58a4791a4b1ed58308b39c64224d349a935ab5039aa360942a48"
dependencies = [
 "serde_derive",
]

[[package]]
name = "serde_derive"
version = "1.0.229"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "e7a5d71263a5a7d47b41f6b3f06ba276f10cc18b0931f1799f710578e2309348"
dependencies = [
 "proc-macro2",
 "quote",
 "syn",
]

[[package]]
name = "serde_json"
version = "1.0.40"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "051c49229f282f7c6f3813f8286cc1e3323e8051823fce42c7ea80fe13521704"
dependencies = [
 "itoa",
 "ryu",
 "serde",
]

[[package]]
name = "smallvec"
version = "1.6.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "1a55ca5f3b68e41c979bf8c46a6f1da892ca4db8f94023ce0bd32407573b1ac0"

[[package]]
name = "syn"
version = "3.0.10"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "4ae9ccbea3a7b0b09443036490c8f34a8b1b760fd345e5c0dae0aac718faea79"
dependencies = [
 "proc-macro2",
 "quote",
 "unicode-ident",
]

[[package]]
name = "time"
version = "0.1.45"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "1b797afad3f312d1c66a56d11d0316f916356d11bd158fbc6ca6389ff6bf805a"
dependencies = [
 "libc",
 "wasi",
 "winapi",
]

[[package]]
name = "unicode-ident"
version = "1.0.27"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "a2c754d6c33795a1c324727428e5a7dedb5b06195f9890bdbcba760d3e246563"

[[package]]
name = "wasi"
version = "0.10.0+wasi-snapshot-preview1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "1a143597ca7c7793eff794def352d41792a93c481eb1042423ff7ff72ba2c31f"

[[package]]
name = "winapi"
version = "0.3.9"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "5c839a674fcd7a98952e593242ea400abe93992746761e38641405d28b00f419"
dependencies = [
 "winapi-i686-pc-windows-gnu",
 "winapi-x86_64-pc-windows-gnu",
]

[[package]]
name = "winapi-i686-pc-windows-gnu"
version = "0.4.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "ac3b87c63620426dd9b991e5ce0329eff545bccbbb34f3be09ff6fb6ab51b7b6"

[[package]]
name = "winapi-x86_64-pc-windows-gnu"
version = "0.4.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "712e227841d057c1ee1cd2fb22fa7e5a5461ae8e48fa2ca79ec42cfc1931183f"
EOF
  # ---- Node.js: package.json + package-lock.json (v3, resolved by npm, download
  # addresses omitted) + node_modules/*/package.json as an `npm ci` would leave
  cat >"$ctx/app/node/package.json" <<'EOF'
{
  "name": "legacy-frontend",
  "version": "1.0.0",
  "private": true,
  "description": "Fixture: web app pinned to old dependency versions",
  "license": "UNLICENSED",
  "dependencies": {
    "axios": "0.21.0",
    "lodash": "4.17.15",
    "minimist": "1.2.0",
    "node-fetch": "2.6.0"
  },
  "devDependencies": {
    "ansi-regex": "5.0.0"
  }
}
EOF
  cat >"$ctx/app/node/package-lock.json" <<'EOF'
{
  "name": "legacy-frontend",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "legacy-frontend",
      "version": "1.0.0",
      "license": "UNLICENSED",
      "dependencies": {
        "axios": "0.21.0",
        "lodash": "4.17.15",
        "minimist": "1.2.0",
        "node-fetch": "2.6.0"
      },
      "devDependencies": {
        "ansi-regex": "5.0.0"
      }
    },
    "node_modules/ansi-regex": {
      "version": "5.0.0",
      "integrity": "sha512-bY6fj56OUQ0hU1KjFNDQuJFezqKdrAyFdIevADiqrWHwSlbmBNMHp5ak2f40Pm8JTFyM2mqxkG6ngkHO11f/lg==",
      "dev": true,
      "license": "MIT",
      "engines": {
        "node": ">=8"
      }
    },
    "node_modules/axios": {
      "version": "0.21.0",
      "integrity": "sha512-fmkJBknJKoZwem3/IKSSLpkdNXZeBu5Q7GA/aRsr2btgrptmSCxi2oFjZHqGdK9DoTil9PIHlPIZw2EcRJXRvw==",
      "license": "MIT",
      "dependencies": {
        "follow-redirects": "^1.10.0"
      }
    },
    "node_modules/follow-redirects": {
      "version": "1.16.3",
      "integrity": "sha512-toOSoqN6d51Wjf1aOFJYcoVv1aND9rj/CwjLU0Vz40oDuSpWDayCeKe4JpL5NL0WdFvoOOCI3BRo69HahjbR1A==",
      "funding": [
        {
          "type": "individual",
          "url": "https://github.com/sponsors/RubenVerborgh"
        }
      ],
      "license": "MIT",
      "engines": {
        "node": ">=4.0"
      },
      "peerDependenciesMeta": {
        "debug": {
          "optional": true
        }
      }
    },
    "node_modules/lodash": {
      "version": "4.17.15",
      "integrity": "sha512-8xOcRHvCjnocdS5cpwXQXVzmmh5e5+saE2QGoeQmbKmRS6J3VQppPOIt0MnmE+4xlZoumy0GPG0D0MVIQbNA1A==",
      "license": "MIT"
    },
    "node_modules/minimist": {
      "version": "1.2.0",
      "integrity": "sha512-7Wl+Jz+IGWuSdgsQEJ4JunV0si/iMhg42MnQQG6h1R6TNeVenp4U9x5CC5v/gYqz/fENLQITAWXidNtVL0NNbw==",
      "license": "MIT"
    },
    "node_modules/node-fetch": {
      "version": "2.6.0",
      "integrity": "sha512-8dG4H5ujfvFiqDmVu9fQ5bOHUC15JMjMY/Zumv26oOvvVJjM67KF8koCWIabKQ1GJIa9r2mMZscBq/TbdOcmNA==",
      "license": "MIT",
      "engines": {
        "node": "4.x || >=6.0.0"
      }
    }
  }
}
EOF
  local p n v l
  for p in "ansi-regex 5.0.0 MIT" "axios 0.21.0 MIT" "follow-redirects 1.16.3 MIT" \
           "lodash 4.17.15 MIT" "minimist 1.2.0 MIT" "node-fetch 2.6.0 MIT"; do
    read -r n v l <<<"$p"
    mkdir -p "$ctx/app/node/node_modules/$n"
    printf '{\n  "name": "%s",\n  "version": "%s",\n  "license": "%s",\n  "main": "index.js"\n}\n' \
      "$n" "$v" "$l" >"$ctx/app/node/node_modules/$n/package.json"
  done
  cat >"$ctx/Dockerfile" <<EOF
# Language-ecosystem fixture: Debian's python3 (dpkg-owned egg-info that must NOT
# be reported twice) plus lockfiles, manifests and installed-package metadata
# at known-vulnerable old versions.
FROM testimg/debian:bookworm
LABEL $LABEL_KEY="$LABEL_VAL" org.opencontainers.image.title="testimg pylang"
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-requests \\
 && rm -rf /var/lib/apt/lists/*
# a virtualenv as "python3 -m venv /opt/venv && pip install -r requirements.txt" leaves it
COPY venv/ /opt/venv/
# a package pip-installed into the system interpreter, outside dpkg
COPY sysdist/ /usr/local/lib/python3.11/dist-packages/
COPY app/ /app/
ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /app
CMD ["python3", "-c", "import sys; print(sys.version)"]
EOF
}

# ---------------------------------------------------------------- OCI
export_oci() { # export_oci FILE  (docker-archive in $OUT) -> FILE%.tar.oci/ and .oci.tar
  local file=$1 base=${1%.tar} id stamp
  id=$(<"$CACHE/stamps/$file.id")
  stamp=$CACHE/stamps/$base.oci.id
  if [[ -z $FORCE && -d $OUT/$base.oci && -s $OUT/$base.oci.tar && -f $stamp && $(<"$stamp") == "$id" ]]; then
    log "$base.oci is up to date"; return 0
  fi
  rm -rf "$OUT/$base.oci" "$OUT/$base.oci.tar"
  if skopeo --insecure-policy copy -q --dest-compress --dest-compress-format gzip \
        "docker-archive:$OUT/$file" "oci:$OUT/$base.oci:${base##*-}" >"$CACHE/logs/skopeo-$base.log" 2>&1 &&
     skopeo --insecure-policy copy -q --dest-compress --dest-compress-format gzip \
        "docker-archive:$OUT/$file" "oci-archive:$OUT/$base.oci.tar:${base##*-}" >>"$CACHE/logs/skopeo-$base.log" 2>&1; then
    echo "$id" >"$stamp"
  else
    tail -n 20 "$CACHE/logs/skopeo-$base.log" >&2
    warn "skopeo could not export $file to OCI (log: $CACHE/logs/skopeo-$base.log)"
    rm -rf "$OUT/$base.oci" "$OUT/$base.oci.tar"
  fi
}

# ================================================================= main
timed "host tools" host_tools

MIRROR_USED=
SKIPPED=()
for suite in $SUITES; do
  if ! m=$(pick_mirror "$suite"); then
    if [[ $suite == bookworm ]]; then die "no configured mirror serves dists/$suite (set MIRROR=...)"; fi
    warn "no configured mirror serves dists/$suite; skipping testimg/debian:$suite"
    SKIPPED+=("testimg/debian:$suite (mirror does not serve $suite)")
    continue
  fi
  MIRROR_USED=$m
  timed "debootstrap $suite" debootstrap_rootfs "$suite" "$m"
  timed "import debian:$suite" import_debian "$suite"
done
[[ -n $(image_id testimg/debian:bookworm) ]] || die "testimg/debian:bookworm was not built"

timed "build busybox:1"  build_busybox
write_insecure_ctx; timed "build insecure:1" docker_build testimg/insecure:1 "$OUT/build/insecure" insecure
write_secure_ctx;   timed "build secure:1"   docker_build testimg/secure:1   "$OUT/build/secure"   secure
write_pylang_ctx;   timed "build pylang:1"   docker_build testimg/pylang:1   "$OUT/build/pylang"   pylang
timed "build vigie-lab/alpine:3.10" build_lab_standin 3.10
timed "build vigie-lab/alpine:3.11" build_lab_standin 3.11

save_all() {
  local ref
  save_image testimg/busybox:1 busybox-1.tar
  for ref in $SUITES; do
    [[ -z $(image_id "testimg/debian:$ref") ]] || save_image "testimg/debian:$ref" "debian-$ref.tar"
  done
  save_image testimg/insecure:1 insecure-1.tar
  save_image testimg/secure:1 secure-1.tar
  save_image testimg/pylang:1 pylang-1.tar
  save_image vigie-lab/alpine:3.10 lab-alpine-310.tar.gz
  save_image vigie-lab/alpine:3.11 lab-alpine-311.tar.gz
}
timed "docker save" save_all

if [[ -z $SKIP_OCI ]]; then
  if command -v skopeo >/dev/null; then timed "skopeo OCI export" export_oci insecure-1.tar
  else warn "skopeo not available; no OCI layout exported"; fi
fi

# Drop dangling images left by earlier runs of this script (ours only: by label).
docker image prune -f --filter "label=$LABEL_KEY=$LABEL_VAL" >/dev/null 2>&1 || true

# ---------------------------------------------------------------- manifest
{
  printf 'ref\timage_id\ttarball\tbytes\tlayers\n'
  for e in "${SAVED[@]}"; do
    read -r ref file <<<"$e"
    printf '%s\t%s\t%s\t%s\t%s\n' "$ref" "$(image_id "$ref")" "$file" \
      "$(stat -c %s "$OUT/$file")" "$(docker image inspect -f '{{len .RootFS.Layers}}' "$ref")"
  done
} >"$OUT/images.tsv"
(cd "$OUT" && sha256sum -- *.tar >SHA256SUMS)
total_ms=$(( ($(date +%s%N) - T_START) / 1000000 ))
{
  printf 'step\tseconds\n'
  for i in "${!STEP_NAMES[@]}"; do printf '%s\t%s\n' "${STEP_NAMES[$i]}" "$(fmt_ms "${STEP_MS[$i]}")"; done
  printf 'total\t%s\n' "$(fmt_ms "$total_ms")"
} >"$OUT/timings.tsv"

log "mirror: ${MIRROR_USED:-?}"
if ((${#SKIPPED[@]})); then
  printf '%s\n' "${SKIPPED[@]}" >"$OUT/skipped.txt"
  log "skipped: ${SKIPPED[*]} (see $OUT/skipped.txt)"
else
  rm -f "$OUT/skipped.txt"
fi
if command -v column >/dev/null; then
  column -t -s $'\t' "$OUT/images.tsv" >&2; column -t -s $'\t' "$OUT/timings.tsv" >&2
else
  cat "$OUT/images.tsv" "$OUT/timings.tsv" >&2
fi
log "done in $(fmt_ms "$total_ms")s; output in $OUT"

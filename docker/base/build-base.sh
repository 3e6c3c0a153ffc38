#!/usr/bin/env bash
# Makes a Debian bookworm base image from Debian packages, without pulling from any registry:
#   debootstrap --variant=minbase bookworm <tmpdir> <mirror>   then   tar | docker import
# Usage: docker/base/build-base.sh [--force] [--tag <image>] [--mirror <uri>]
# Env: LIFEBOAT_BASE_IMAGE (default lifeboat/debian-base:bookworm), DEBIAN_MIRROR (default: detected
# from the host's apt sources). Needs root (debootstrap) and a running Docker engine.
set -euo pipefail

tag="${LIFEBOAT_BASE_IMAGE:-lifeboat/debian-base:bookworm}"
mirror="${DEBIAN_MIRROR:-}"
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --tag) tag="$2"; shift ;;
    --mirror) mirror="$2"; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "build-base: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "build-base: $*"; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

if [ "$force" = 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
  log "$tag exists, skipping (--force to rebuild)"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "build-base: debootstrap is missing (apt-get install -y debootstrap)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "build-base: debootstrap needs root" >&2; exit 1; }

# The mirror: the first URI of a deb822 source naming the bookworm suite, else a one-line source.
detect_mirror() {
  local f
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         /(^|\n)Suites:[^\n]*bookworm([ \t\n]|$)/ {
           for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); print a[2]; exit }
         }' "$f" | head -n1 | grep . && return 0
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" && $0 ~ /[ \t]bookworm[ \t]/ {
           for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit }
         }' "$f" | head -n1 | grep . && return 0
  done
  echo "http://deb.debian.org/debian"
}
[ -n "$mirror" ] || mirror="$(detect_mirror)"
# Security updates: the host's bookworm-security source if it has one, else Debian's.
security="${DEBIAN_SECURITY_MIRROR:-$(awk 'BEGIN { RS = ""; FS = "\n" }
  /(^|\n)Suites:[^\n]*bookworm-security/ {
    for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); print a[2]; exit }
  }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)}"
security="${security:-http://security.debian.org/debian-security}"

tmp="$(mktemp -d /tmp/lifeboat-base.XXXXXX)"
cleanup() {
  # debootstrap mounts /proc and /sys in the target; an interrupted run can leave them mounted.
  grep -o " $tmp/[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$tmp" "$tmp.log"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

old_id="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
start=$(now)
log "debootstrap --variant=minbase bookworm $tmp $mirror"
t=$(now)
debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 || {
  tail -n 30 "$tmp.log" >&2; rm -f "$tmp.log"; echo "build-base: debootstrap failed" >&2; exit 1; }
rm -f "$tmp.log"
log "debootstrap: $(took "$t")"

# The same suites as the host: bookworm, bookworm-updates and bookworm-security.
rm -f "$tmp/etc/apt/sources.list"
cat >"$tmp/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
# Containers never start services at package installation.
printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"; chmod 755 "$tmp/usr/sbin/policy-rc.d"

# Slim the tree a little: apt lists and caches are fetched again by 'apt-get update' in Dockerfiles.
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/* "$tmp"/var/log/*.log "$tmp"/tmp/*

t=$(now)
tar -C "$tmp" --numeric-owner -cf - . \
  | docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --change 'CMD ["bash"]' \
      --message "debootstrap --variant=minbase bookworm $mirror" \
      - "$tag" >/dev/null
log "docker import: $(took "$t")"
new_id="$(docker image inspect -f '{{.Id}}' "$tag")"
# The image this one replaced, unless something still uses it.
[ -z "$old_id" ] || [ "$old_id" = "$new_id" ] || docker rmi "$old_id" >/dev/null 2>&1 || true
log "$tag built in $(took "$start") ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"

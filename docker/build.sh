#!/usr/bin/env bash
# Builds Lifeboat's images, in order and one at a time (npm run docker:build):
#   lifeboat/debian-base:bookworm   docker/base/build-base.sh (debootstrap + docker import), if missing
#   lifeboat/postgres-lab:15        docker/postgres-lab/Dockerfile
#   lifeboat/lifeboat:<version>     docker/lifeboat/Dockerfile, also tagged :latest (runs npm run build first)
# An image is skipped when it exists and was built from the same inputs (a hash of its Dockerfile and
# context, the base image id and the build args, kept in the label lifeboat.inputs).
#
# Usage: docker/build.sh [--force] [--no-npm-build] [base|postgres-lab|lifeboat ...]
#   --force          rebuild even when up to date (the base too)
#   --no-npm-build   use dist/ as it is (CI: `npm ci` just built it)
# Env:
#   LIFEBOAT_DOCKER_BASE   a base image to use instead of building one (e.g. debian:bookworm-slim)
#   LIFEBOAT_NODE_BIN      the Node 20 binary to put in the lifeboat image (default: the node running npm)
#   LIFEBOAT_DOCKER_CACHE  where production node_modules are cached (default ~/.cache/lifeboat-docker)
#   LIFEBOAT_DOCKER_VERBOSE=1  stream docker build's output (else it goes to $TMPDIR/lifeboat-docker-build.*.log)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

force=0
npm_build=1
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --no-npm-build) npm_build=0 ;;
    base|postgres-lab|lifeboat) only+=("$1") ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "docker-build: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
wanted() { [ ${#only[@]} -eq 0 ] && return 0; local x; for x in "${only[@]}"; do [ "$x" = "$1" ] && return 0; done; return 1; }

log() { echo "docker-build: $*"; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
size_of() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'; }
label_of() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }
# A hash of every file under the given paths (names and contents), plus extra strings.
hash_inputs() {
  local extra="$1"; shift
  { printf '%s\n' "$extra"
    find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    find "$@" -type l -printf '%p -> %l\n' | LC_ALL=C sort
  } | sha256sum | cut -c1-64
}
# docker build, its output in a log file (streamed with LIFEBOAT_DOCKER_VERBOSE=1; tail on failure).
dbuild() {
  local name="$1"; shift
  if [ "${LIFEBOAT_DOCKER_VERBOSE:-0}" = 1 ]; then docker build "$@"; return; fi
  local out="${TMPDIR:-/tmp}/lifeboat-docker-build.$name.log"
  log "  (docker build output: $out)"
  if ! docker build "$@" >"$out" 2>&1; then
    tail -n 40 "$out" >&2
    echo "docker-build: building $name failed; full output in $out" >&2
    return 1
  fi
}
up_to_date() { [ "$force" = 0 ] && [ "$(label_of "$1" lifeboat.inputs)" = "$2" ]; }

docker info >/dev/null 2>&1 || {
  echo "docker-build: no Docker engine answers. Start one: dockerd >/tmp/dockerd.log 2>&1 &" >&2; exit 1; }

total=$(now)
base="${LIFEBOAT_DOCKER_BASE:-lifeboat/debian-base:bookworm}"
pg_image=lifeboat/postgres-lab:15
version="$(node -p "require('./package.json').version")"
lb_image="lifeboat/lifeboat:$version"

# 1. The base.
if wanted base || ! docker image inspect "$base" >/dev/null 2>&1; then
  if [ -n "${LIFEBOAT_DOCKER_BASE:-}" ]; then
    docker image inspect "$base" >/dev/null 2>&1 || docker pull "$base"
    log "base: using $base"
  else
    t=$(now)
    docker/base/build-base.sh $([ "$force" = 1 ] && echo --force) --tag "$base"
    log "base: $(took "$t")"
  fi
fi
base_id="$(docker image inspect -f '{{.Id}}' "$base")"

# 2. The PostgreSQL lab image.
if wanted postgres-lab; then
  t=$(now)
  inputs="$(hash_inputs "BASE=$base $base_id" docker/postgres-lab)"
  if up_to_date "$pg_image" "$inputs"; then
    log "$pg_image is up to date, skipping"
  else
    log "building $pg_image"
    dbuild postgres-lab --build-arg BASE="$base" --label lifeboat.inputs="$inputs" -t "$pg_image" docker/postgres-lab
    log "$pg_image: $(took "$t") ($(size_of "$pg_image"))"
  fi
fi

# 3. Lifeboat's image.
if wanted lifeboat; then
  t=$(now)
  if [ "$npm_build" = 1 ]; then
    log "npm run build"
    npm run build --silent
    log "npm run build: $(took "$t")"
  fi
  [ -f dist/cli/main.js ] || { echo "docker-build: dist/cli/main.js is missing: npm run build" >&2; exit 1; }

  node_bin="${LIFEBOAT_NODE_BIN:-$(node -p process.execPath)}"
  node_version="$("$node_bin" --version)"
  case "$node_version" in
    v2[0-9].*) ;;
    *) echo "docker-build: $node_bin is $node_version; the image needs Node 20 (set LIFEBOAT_NODE_BIN)" >&2; exit 1 ;;
  esac

  # Production node_modules: npm ci --omit=dev on the host (the registry and the node headers are
  # here), cached by package-lock.json, package.json's dependencies and the node version.
  cache="${LIFEBOAT_DOCKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lifeboat-docker}"
  mkdir -p "$cache"
  pkg_json="$(node -e '
    const p = require("./package.json");
    for (const k of ["scripts", "devDependencies"]) delete p[k];
    process.stdout.write(JSON.stringify(p, null, 2) + "\n");')"
  modules_key="$( { printf '%s\n' "$node_version $(uname -m)" "$pkg_json"; cat package-lock.json; } | sha256sum | cut -c1-16)"
  modules="$cache/prod-$modules_key"
  if [ ! -d "$modules/node_modules" ]; then
    tm=$(now)
    log "npm ci --omit=dev (cache $modules)"
    rm -rf "$modules.tmp"; mkdir -p "$modules.tmp"
    printf '%s' "$pkg_json" >"$modules.tmp/package.json"
    cp package-lock.json "$modules.tmp/"
    (cd "$modules.tmp" && PATH="$(dirname "$node_bin"):$PATH" npm ci --omit=dev --no-audit --no-fund --loglevel=error)
    # Build leftovers of the native addon: only build/Release/*.node is loaded.
    bs="$modules.tmp/node_modules/better-sqlite3"
    if [ -d "$bs" ]; then
      rm -rf "$bs/deps" "$bs/src" "$bs/build/deps" "$bs/build/Release/obj" "$bs/build/Release/obj.target" \
        "$bs/build/Release/.deps" "$bs/build/Release/test_extension.node" "$bs"/build/Release/*.a
    fi
    find "$cache" -maxdepth 1 -name 'prod-*' ! -name "prod-$modules_key*" -exec rm -rf {} +
    mv "$modules.tmp" "$modules"
    log "npm ci --omit=dev: $(took "$tm")"
  fi

  tm=$(now)
  inputs="$(hash_inputs "BASE=$base $base_id VERSION=$version $pkg_json" \
    docker/lifeboat/Dockerfile "$node_bin" package-lock.json dist schema runbooks templates "$modules/node_modules")"
  if up_to_date "$lb_image" "$inputs" && docker image inspect lifeboat/lifeboat:latest >/dev/null 2>&1; then
    log "$lb_image is up to date, skipping ($(took "$tm") to check)"
  else
    ctx="$(mktemp -d /tmp/lifeboat-docker-ctx.XXXXXX)"
    trap 'rm -rf "$ctx"' EXIT
    mkdir -p "$ctx/app"
    cp docker/lifeboat/Dockerfile "$ctx/Dockerfile"
    cp "$node_bin" "$ctx/node"
    printf '%s' "$pkg_json" >"$ctx/app/package.json"
    cp -r package-lock.json dist schema runbooks templates "$ctx/app/"
    cp -a "$modules/node_modules" "$ctx/app/node_modules"
    log "building $lb_image"
    dbuild lifeboat --build-arg BASE="$base" --build-arg VERSION="$version" \
      --label lifeboat.inputs="$inputs" -t "$lb_image" -t lifeboat/lifeboat:latest "$ctx"
    rm -rf "$ctx"
    log "$lb_image: $(took "$t") ($(size_of "$lb_image"))"
  fi
fi

# Images these builds replaced (untagged, ours only).
docker image prune -f --filter label=lifeboat.inputs >/dev/null

log "done in $(took "$total")"

#!/bin/sh
# Installs what InfinStor needs, and builds it. Idempotent: each step is
# skipped when already done, so it is cheap to run every time.
#
#   sh scripts/setup.sh demo      what `npm run demo` needs: FUSE, moto, the npm
#                                 packages, the compiled CLI and the dashboard
#   sh scripts/setup.sh package   what a complete npm package needs (prepack):
#                                 the CLI, the dashboard and the JupyterLab extension
#   sh scripts/setup.sh [all]     everything, for the tests: all of the above,
#                                 plus Chromium and a JupyterLab venv
set -e
cd "$(dirname "$0")/.."

mode=${1:-all}
case "$mode" in
  demo|package|all) ;;
  *) echo "usage: sh scripts/setup.sh [demo|package|all]" >&2; exit 2 ;;
esac
wants () { # wants demo package all: true when this mode needs the step
  for m in "$@"; do [ "$m" = "$mode" ] && return 0; done
  return 1
}

log() { printf 'setup: %s\n' "$*" >&2; }
# step WHAT COMMAND...: says what it starts, runs it, and says how long it took.
step () {
  what=$1; shift
  log "$what..."
  t0=$(date +%s)
  "$@"
  log "$what: done in $(( $(date +%s) - t0 )) s"
}

# --- system packages (FUSE for mounts, chromium for UI tests, S3 clients) ----
need_apt=""
if wants demo all; then
  command -v fusermount >/dev/null 2>&1 || need_apt="$need_apt fuse"
  [ -e /usr/lib/x86_64-linux-gnu/libfuse.so.2 ] || [ -e /lib/x86_64-linux-gnu/libfuse.so.2 ] || ldconfig -p 2>/dev/null | grep -q 'libfuse.so.2' || need_apt="$need_apt libfuse2"
fi
if wants all; then
  command -v chromium >/dev/null 2>&1 || need_apt="$need_apt chromium"
  # PostgreSQL: the history index's tests run against a throwaway cluster.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt="$need_apt postgresql"
  # rclone and curl are clients in the S3 gateway's tests.
  command -v rclone >/dev/null 2>&1 || need_apt="$need_apt rclone"
  command -v curl >/dev/null 2>&1 || need_apt="$need_apt curl"
  if [ -n "${INFINSTOR_SETUP_EXTRA_APT:-}" ]; then need_apt="$need_apt $INFINSTOR_SETUP_EXTRA_APT"; fi
fi
apt_install () {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  apt-get install -y -qq $need_apt >/dev/null
}
if [ -n "$need_apt" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    step "installing Debian packages:$need_apt" apt_install
  else
    log "please install these packages (as root):$need_apt"
  fi
fi

# --- moto, the local S3 server ------------------------------------------------
moto_install () {
  if [ -d /opt/pypi/files ]; then
    python3 -m pip install -q --no-index --find-links /opt/pypi/files 'moto[server]' ||
      python3 -m pip install -q 'moto[server]'
  else
    python3 -m pip install -q 'moto[server]'
  fi
  command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
}
if wants demo all && ! command -v moto_server >/dev/null 2>&1; then
  step "installing moto[server], the local S3 (pip)" moto_install
fi

# --- npm packages: reinstall only when the lockfile changed ------------------
# npm_ci DIR WHAT: `npm ci` in DIR unless its lockfile is the one last installed.
npm_ci () {
  stamp="$1/node_modules/.infinstor-lock"
  want=$(sha256sum "$1/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    step "npm ci ($2)" sh -c "cd '$1' && npm ci --no-audit --no-fund --loglevel=error >/dev/null"
    echo "$want" > "$stamp"
  fi
}
npm_ci . "InfinStor's packages"

# --- better-sqlite3's native binding -------------------------------------------
# Its install script is off (package.json allowScripts): on these machines it
# would try a download, then compile for about 3 minutes on every `npm ci`.
# It is compiled here once per version and Node ABI, and kept in the user's
# cache, so a fresh clone or a changed lockfile copies it in seconds.
sqlite_native () {
  dir=node_modules/better-sqlite3
  built=$dir/build/Release/better_sqlite3.node
  [ -f "$built" ] && return 0
  tag=$(node -p "require('./$dir/package.json').version + '-' + process.platform + '-' + process.arch + '-abi' + process.versions.modules")
  cached="${XDG_CACHE_HOME:-$HOME/.cache}/infinstor/native/better-sqlite3-$tag.node"
  if [ ! -f "$cached" ]; then
    log "compiling better-sqlite3 $tag (once; about 3 minutes)"
    (cd "$dir" && npm run build-release --silent >/dev/null)
    mkdir -p "$(dirname "$cached")"
    cp "$built" "$cached.tmp.$$" && mv "$cached.tmp.$$" "$cached"
  fi
  mkdir -p "$(dirname "$built")"
  cp "$cached" "$built"
}
wants demo all && sqlite_native

# --- build -------------------------------------------------------------------
step "compiling the TypeScript (dist/)" npx tsc -p tsconfig.json

# --- dashboard front end (src/ui has its own package, so the root stays lean) ---
npm_ci src/ui "the dashboard's packages"
# Rebuilt only when a source file changed: the hash of every file is kept beside the build.
ui_hash=$(find src/ui -path src/ui/node_modules -prune -o -type f -print | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
build_ui () {
  # Type-checked with the root's TypeScript; built with the front end's own Vite.
  node_modules/.bin/tsc -p src/ui/tsconfig.json
  (cd src/ui && node_modules/.bin/vite build --logLevel warn)
  echo "$ui_hash" > dist/ui/.source-hash
}
if [ ! -f dist/ui/.source-hash ] || [ "$(cat dist/ui/.source-hash)" != "$ui_hash" ]; then
  step "building the dashboard (dist/ui)" build_ui
fi

# --- JupyterLab: the prebuilt extension, and a venv for the browser tests -----
if wants all; then
  venv () {
    python3 -m venv .venv
    # This repo's package.json says "type": "module"; JS files shipped inside
    # Python packages in the venv are CommonJS, so mark the venv as such.
    echo '{"type": "commonjs"}' > .venv/package.json
    if [ -d /opt/pypi/files ]; then
      .venv/bin/pip install -q --no-index --find-links /opt/pypi/files jupyterlab || .venv/bin/pip install -q jupyterlab
    else
      .venv/bin/pip install -q jupyterlab
    fi
  }
  [ -x .venv/bin/jupyter-lab ] || step "creating .venv with JupyterLab (for the browser tests)" venv
fi

if wants package all; then
  npm_ci src/labext "the JupyterLab extension's packages"
  # Rebuild only when a source changed: the bundler takes a while.
  srchash=$(find src/labext/src src/labext/schema src/labext/style src/core src/labext/package.json src/labext/tsconfig.json -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
  build_labext () {
    rm -rf dist/labextension src/labext/lib
    (cd src/labext && npm run build --silent >/dev/null)
    echo "$srchash" > dist/.labext-src
  }
  if [ ! -f dist/labextension/package.json ] || [ "$(cat dist/.labext-src 2>/dev/null)" != "$srchash" ]; then
    step "building the JupyterLab extension (dist/labextension)" build_labext
  fi
fi

# --- S3 clients for the gateway's tests (boto3, pyarrow, polars, Ray), in their own venv ---
s3_clients () {
  python3 -m venv .venv-s3
  if [ -d /opt/pypi/files ]; then
    .venv-s3/bin/pip install -q --no-index --find-links /opt/pypi/files boto3 pyarrow polars pandas 'ray[data]' ||
      .venv-s3/bin/pip install -q boto3 pyarrow polars pandas 'ray[data]'
  else
    .venv-s3/bin/pip install -q boto3 pyarrow polars pandas 'ray[data]'
  fi
}
if wants all && ! .venv-s3/bin/python -c 'import boto3, pyarrow, polars, ray.data' >/dev/null 2>&1; then
  step "creating .venv-s3 with the S3 clients the gateway is tested with" s3_clients
fi

# --- infinstor-jupyter (the drive, its server extension, the kernel helper) in .venv ---
# Reinstalled only when the Python sources or the built labextension changed.
py_install () {
  node bin/infinstor jupyter install --jupyter .venv/bin/jupyter >/dev/null
  echo "$pyhash" > .venv/.infinstor-jupyter
}
if wants all; then
  pyhash=$( (cat dist/.labext-src; find python -type f -not -path '*/__pycache__/*' | LC_ALL=C sort | xargs -d '\n' sha256sum) | sha256sum | cut -d' ' -f1)
  if [ "$(cat .venv/.infinstor-jupyter 2>/dev/null)" != "$pyhash" ] || [ ! -f .venv/share/jupyter/labextensions/@infinstor/jupyterlab/package.json ]; then
    step "installing infinstor-jupyter into .venv" py_install
  fi
fi

log "ready ($mode)"

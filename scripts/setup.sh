#!/bin/sh
# Installs what InfinStor's demo and tests need, and builds it. Idempotent:
# each step is skipped when already done, so it is cheap to run every time.
set -e
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

# --- system packages (FUSE for mounts, chromium for UI tests) ---------------
need_apt=""
command -v fusermount >/dev/null 2>&1 || need_apt="$need_apt fuse"
[ -e /usr/lib/x86_64-linux-gnu/libfuse.so.2 ] || [ -e /lib/x86_64-linux-gnu/libfuse.so.2 ] || ldconfig -p 2>/dev/null | grep -q 'libfuse.so.2' || need_apt="$need_apt libfuse2"
command -v chromium >/dev/null 2>&1 || need_apt="$need_apt chromium"
if [ -n "${INFINSTOR_SETUP_EXTRA_APT:-}" ]; then need_apt="$need_apt $INFINSTOR_SETUP_EXTRA_APT"; fi
if [ -n "$need_apt" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian packages:$need_apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    apt-get install -y -qq $need_apt >/dev/null
  else
    log "please install these packages (as root):$need_apt"
  fi
fi

# --- moto, the local S3 server ------------------------------------------------
if ! command -v moto_server >/dev/null 2>&1; then
  log "installing moto[server]"
  if [ -d /opt/pypi/files ]; then
    python3 -m pip install -q --no-index --find-links /opt/pypi/files 'moto[server]' ||
      python3 -m pip install -q 'moto[server]'
  else
    python3 -m pip install -q 'moto[server]'
  fi
  command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
fi

# --- npm packages: reinstall only when the lockfile changed ------------------
# npm_ci DIR WHAT: `npm ci` in DIR unless its lockfile is the one last installed.
npm_ci () {
  stamp="$1/node_modules/.infinstor-lock"
  want=$(sha256sum "$1/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "npm ci ($2)"
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}
npm_ci . InfinStor

# --- build -------------------------------------------------------------------
npx tsc -p tsconfig.json

# --- dashboard front end (src/ui has its own package, so the root stays lean) ---
npm_ci src/ui dashboard
# Rebuilt only when a source file changed: the hash of every file is kept beside the build.
ui_hash=$(find src/ui -path src/ui/node_modules -prune -o -type f -print | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
if [ ! -f dist/ui/.source-hash ] || [ "$(cat dist/ui/.source-hash)" != "$ui_hash" ]; then
  log "building the dashboard (dist/ui)"
  # Type-checked with the root's TypeScript; built with the front end's own Vite.
  node_modules/.bin/tsc -p src/ui/tsconfig.json
  (cd src/ui && node_modules/.bin/vite build --logLevel warn)
  echo "$ui_hash" > dist/ui/.source-hash
fi

# --- JupyterLab: a venv for the browser tests, and the prebuilt extension -----
if [ ! -x .venv/bin/jupyter-lab ]; then
  log "creating .venv with JupyterLab"
  python3 -m venv .venv
  # This repo's package.json says "type": "module"; JS files shipped inside
  # Python packages in the venv are CommonJS, so mark the venv as such.
  echo '{"type": "commonjs"}' > .venv/package.json
  if [ -d /opt/pypi/files ]; then
    .venv/bin/pip install -q --no-index --find-links /opt/pypi/files jupyterlab || .venv/bin/pip install -q jupyterlab
  else
    .venv/bin/pip install -q jupyterlab
  fi
fi

npm_ci src/labext "JupyterLab extension"
# Rebuild only when a source changed: the bundler takes a while.
srchash=$(find src/labext/src src/labext/schema src/labext/style src/core src/labext/package.json src/labext/tsconfig.json -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
if [ ! -f dist/labextension/package.json ] || [ "$(cat dist/.labext-src 2>/dev/null)" != "$srchash" ]; then
  log "building the JupyterLab extension"
  rm -rf dist/labextension src/labext/lib
  (cd src/labext && npm run build --silent >/dev/null)
  echo "$srchash" > dist/.labext-src
fi

# --- infinstor-jupyter (the drive, its server extension, the kernel helper) in .venv ---
# Reinstalled only when the Python sources or the built labextension changed.
pyhash=$( (cat dist/.labext-src; find python -type f -not -path '*/__pycache__/*' | LC_ALL=C sort | xargs -d '\n' sha256sum) | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.infinstor-jupyter 2>/dev/null)" != "$pyhash" ] || [ ! -f .venv/share/jupyter/labextensions/@infinstor/jupyterlab/package.json ]; then
  log "installing infinstor-jupyter into .venv"
  node bin/infinstor jupyter install --jupyter .venv/bin/jupyter >/dev/null
  echo "$pyhash" > .venv/.infinstor-jupyter
fi

#!/bin/sh
# npm run bench [-- --quick]: installs what the peers need, builds, runs.
set -e
cd "$(dirname "$0")/.."

# rclone and s3fs are only needed here, so scripts/setup.sh installs them
# only when asked. A peer that still cannot be installed is skipped, with a
# note in the report.
extra=""
command -v rclone >/dev/null 2>&1 || extra="$extra rclone"
command -v s3fs >/dev/null 2>&1 || extra="$extra s3fs"
command -v curl >/dev/null 2>&1 || extra="$extra curl"
INFINSTOR_SETUP_EXTRA_APT="${INFINSTOR_SETUP_EXTRA_APT:-}$extra" sh scripts/setup.sh || {
  [ -n "$extra" ] || exit 1
  echo "bench: could not install$extra; continuing without" >&2
  sh scripts/setup.sh
}
npx tsc -p bench/tsconfig.json
exec node bench/.work/dist/bench/src/main.js "$@"

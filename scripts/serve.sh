#!/usr/bin/env bash
# The one command that builds and runs Tafelrunde on a fresh Debian machine
# with the Rust toolchain: installs Node.js and npm if missing (only to build
# the web client; the running server does not need them), builds the web
# client, then runs `tafelrunde serve` in release mode. Extra arguments are
# passed to `tafelrunde serve` (see `tafelrunde serve --help`).
#
# For trying it out on this machine (it listens on 127.0.0.1 only) rooms
# with any name are allowed (--open-rooms), so that a call works before any
# school is imported. A real installation leaves open rooms off: then only
# school rooms exist, opened by their teachers (docs/moderation.md).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
fi

(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build)
exec cargo run --release -p tafelrunde -- serve --open-rooms "$@"

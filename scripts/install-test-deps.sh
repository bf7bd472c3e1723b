#!/usr/bin/env bash
# Installs what the tests need on a Debian 12 machine: Chromium (browser
# tests), coturn (TURN tests), PostgreSQL (storage tests), iptables and iproute2 (blocked-UDP and network
# tests), Node.js and npm (web build, e2e runner), and the npm packages of
# web/ and tests/e2e/. Idempotent: apt is only asked when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
need() { # need COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}
need chromium chromium
need turnserver coturn
need iptables iptables
need ip iproute2
need setpriv util-linux
# PostgreSQL: the storage tests run against a server of their own (initdb).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
need node nodejs
need npm npm
[ -s /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
# Chromium needs fonts to render text in screenshots.
[ -n "$(ls /usr/share/fonts/truetype/dejavu 2>/dev/null)" ] || missing+=(fonts-dejavu-core)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-test-deps: installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
  echo "install-test-deps: system packages present"
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "install-test-deps: Node.js $(node --version) is too old; playwright-core needs Node.js 20 or newer" >&2
  exit 1
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "install-test-deps: cargo-nextest missing; scripts/test.sh falls back to cargo test" >&2
fi

# npm ci is cheap when node_modules already matches the lock file.
for dir in web tests/e2e; do
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

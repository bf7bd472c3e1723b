#!/usr/bin/env bash
# Installs what the tests need on a Debian 12 machine: Chromium (browser
# tests), coturn (TURN tests), PostgreSQL (storage tests), iptables and iproute2 (blocked-UDP and network
# tests), Node.js and npm (web build, e2e runner), the npm packages of
# web/ and tests/e2e/, cargo-fuzz (fuzz step, on the installed nightly
# toolchain) and schemathesis in a virtual environment (API property tests).
# Idempotent: apt, cargo and pip are only asked when something is missing.
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
# The API property tests run schemathesis from a virtual environment.
need python3 python3
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)

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

# Fuzzing (scripts/fuzz.sh) needs cargo-fuzz and a nightly toolchain; the
# nightly cannot be downloaded here, it comes with the machine.
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "install-test-deps: no nightly Rust toolchain; the fuzz step will fail" >&2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "install-test-deps: installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi

# schemathesis, pinned in tests/api/requirements.txt, in the target folder
# (not the system's Python, which Debian keeps for its own packages).
target_dir="${CARGO_TARGET_DIR:-target}"
venv="$target_dir/schemathesis-venv"
pinned="$(sed -n 's/^schemathesis==//p' tests/api/requirements.txt)"
if [ "$("$venv/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}')" != "$pinned" ]; then
  echo "install-test-deps: installing schemathesis $pinned into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/api/requirements.txt
fi

# npm ci is cheap when node_modules already matches the lock file.
for dir in web tests/e2e; do
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

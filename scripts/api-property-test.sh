#!/usr/bin/env bash
# Property tests of the JSON API against its own OpenAPI document: a real
# `tafelrunde serve` (SQLite, a temporary folder, a free loopback port),
# generated requests to every route from schemathesis, anonymous and as each
# role; no answer may be a server error. See tests/api/properties.py.
#
# Environment:
#   TAFELRUNDE_BIN          the server (default $CARGO_TARGET_DIR/debug/tafelrunde)
#   API_PROPERTY_SECONDS    seconds per role (default 40; four roles)
#   API_PROPERTY_SEED       repeat a run (its seed is printed)
#   API_PROPERTY_ROLES      e.g. "anonymous teacher" (default: all four)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
venv="$target_dir/schemathesis-venv"

if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "api properties: schemathesis is not installed in $venv: run bash scripts/install-test-deps.sh" >&2
  exit 1
fi
export SCHEMATHESIS="$venv/bin/schemathesis"
export TAFELRUNDE_BIN="${TAFELRUNDE_BIN:-$target_dir/debug/tafelrunde}"
export CARGO_TARGET_DIR="$target_dir"
exec "$venv/bin/python" tests/api/properties.py

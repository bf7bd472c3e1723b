#!/usr/bin/env bash
# The one command that installs what the tests need and runs every test:
# unit and integration tests of the Rust workspace, the web client's unit
# tests (node --test), property tests of the JSON API against its OpenAPI document, the end-to-end tests (real server,
# headless Chromium), then a time-bounded run of every fuzz target. Exits
# non-zero when anything fails.
#
# Environment:
#   CARGO_TARGET_DIR     shared target folder (default: target/)
#   E2E_TIMEOUT_SCALE    multiplies e2e timeouts on slow machines (default 1)
#   E2E_ONLY=PATTERN     run only e2e files whose name contains PATTERN
#   SKIP_E2E=1           skip the e2e tests
#   SKIP_API_PROPERTIES=1  skip the API property tests (API_PROPERTY_SECONDS: per role)
#   SKIP_FUZZ=1          skip the fuzz step (FUZZ_SECONDS: per target)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

step() { printf '\n==> %s\n' "$*"; }

step "installing test dependencies"
bash scripts/install-test-deps.sh

# The web client is embedded into the binary at build time: build it first.
step "building the web client"
(cd web && npm run build)

step "building the workspace"
cargo build --workspace --all-targets

failed=()
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

step "web client unit tests"
(cd web && npm test) 2>&1 | tee "$logs/web.log" || failed+=("web unit tests")

step "Rust tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace 2>&1 | tee "$logs/rust.log" || failed+=("cargo nextest")
else
  cargo test --workspace 2>&1 | tee "$logs/rust.log" || failed+=("cargo test")
fi

if [ "${SKIP_API_PROPERTIES:-0}" != 1 ]; then
  step "API property tests (no server error on any route, for any input)"
  if ! bash scripts/api-property-test.sh; then
    failed+=("API-property-tests")
  fi
fi

if [ "${SKIP_E2E:-0}" != 1 ]; then
  step "end-to-end tests"
  target_dir="${CARGO_TARGET_DIR:-$root/target}"
  case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
  export TAFELRUNDE_BIN="${TAFELRUNDE_BIN:-$target_dir/debug/tafelrunde}"
  shopt -s nullglob
  files=()
  for f in tests/e2e/*.test.mjs; do
    [[ -z "${E2E_ONLY:-}" || "$f" == *"$E2E_ONLY"* ]] && files+=("$f")
  done
  if [ "${#files[@]}" -eq 0 ]; then
    echo "no e2e test files found" >&2
    failed+=("e2e (no tests)")
  # One file at a time: each starts its own server and Chromium, and two of
  # them at once would starve each other on a 2-core machine.
  elif ! node --test --test-concurrency=1 --test-reporter=spec "${files[@]}" 2>&1 | tee "$logs/e2e.log"; then
    failed+=("e2e")
    echo "e2e artifacts (server logs, console logs, screenshots): $root/tests/e2e/artifacts" >&2
  fi
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  step "fuzzing (every target of fuzz/Cargo.toml, time-bounded)"
  if ! bash scripts/fuzz.sh; then
    failed+=("fuzz")
  fi
fi

if [ "${#failed[@]}" -gt 0 ]; then
  printf '\nFAILED: %s\n' "${failed[*]}" >&2
else
  printf '\nall tests passed\n'
fi

# The closing line, with the counts of all runners: nextest's (or cargo
# test's) summaries and node's "ℹ pass N" / "ℹ fail N".
cat "$logs"/*.log 2>/dev/null | awk '
  /Summary \[|^test result:/ {
    for (i = 2; i <= NF; i++) {
      if ($i ~ /^passed[,;]?$/) p += $(i - 1)
      if ($i ~ /^failed[,;]?$/) f += $(i - 1)
    }
  }
  /^ℹ pass [0-9]+$/ { p += $3 }
  /^ℹ fail [0-9]+$/ { f += $3 }
  END { printf "total: %d passed, %d failed\n", p, f }'

[ "${#failed[@]}" -eq 0 ]

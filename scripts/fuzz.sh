#!/usr/bin/env bash
# Builds every fuzz target of fuzz/Cargo.toml with cargo-fuzz (nightly) and
# runs each for a bounded time on its seeds in fuzz/corpus/<target>/. Exits
# non-zero when a target crashes, hangs or runs out of memory, naming the
# target and the input that did it (kept in fuzz/artifacts/<target>/).
#
# The seeds are only read: what a run finds goes to a scratch folder that is
# removed at the end, so a CI run never changes the repository. To keep an
# interesting input, copy it into fuzz/corpus/<target>/ (see fuzz/README.md).
#
# Environment:
#   FUZZ_SECONDS=N       seconds per target (default 30)
#   FUZZ_PARALLEL=N      targets running at the same time (default 2: the CI has 2 cores)
#   FUZZ_TARGETS="a b"   only these targets (default: every [[bin]] of fuzz/Cargo.toml)
#   CARGO_TARGET_DIR     the fuzz build goes to $CARGO_TARGET_DIR/fuzz (default target/fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

seconds="${FUZZ_SECONDS:-30}"
parallel="${FUZZ_PARALLEL:-2}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
fuzz_target_dir="$target_dir/fuzz"

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: no nightly toolchain (cargo +nightly); cargo-fuzz needs one (rustup toolchain list)" >&2
  exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: cargo-fuzz is missing: cargo install cargo-fuzz --locked (scripts/install-test-deps.sh does it)" >&2
  exit 1
fi

# The fuzz workspace resolves its own dependencies; starting from the main
# lock file gives it the versions the server is built and tested with.
cp Cargo.lock fuzz/Cargo.lock

if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
if [ "${#targets[@]}" -eq 0 ]; then
  echo "fuzz: no targets in fuzz/Cargo.toml" >&2
  exit 1
fi

# Dev profile (fuzz/Cargo.toml: unoptimised, overflow checks and debug
# assertions on): the release build with the coverage instrumentation takes
# three times as long to compile on 2 cores, which a short run does not win
# back. No sanitizer: our crates forbid unsafe code; panics, stack overflows,
# hangs and memory blow-ups are caught by libFuzzer itself.
build_start=$SECONDS
echo "fuzz: building ${#targets[@]} targets: ${targets[*]}"
mkdir -p "$fuzz_target_dir"
build_log="$fuzz_target_dir/build.log"
if ! cargo +nightly fuzz build --dev --sanitizer none --target-dir "$fuzz_target_dir" >"$build_log" 2>&1; then
  grep -vE '^\s+(Compiling|Checking|Fresh|Downloaded|Downloading) ' "$build_log" | tail -n 60 >&2
  echo "fuzz: the build of the fuzz targets failed (whole log: $build_log)" >&2
  exit 1
fi
build_secs=$((SECONDS - build_start))
triple="$(rustc +nightly -vV | sed -n 's/^host: //p')"
bin_dir="$fuzz_target_dir/$triple/debug"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# One target: its seeds (read only) after a scratch folder that takes the
# new inputs; a dictionary from fuzz/dict/<target>.dict when there is one.
run_target() {
  local t="$1"
  local seeds="fuzz/corpus/$t" artifacts="fuzz/artifacts/$t"
  local log="$scratch/$t.log"
  mkdir -p "$scratch/$t" "$artifacts"
  local args=(
    -max_total_time="$seconds"
    -timeout=10
    -rss_limit_mb=2048
    -print_final_stats=1
    -artifact_prefix="$artifacts/"
  )
  [ -f "fuzz/dict/$t.dict" ] && args+=(-dict="fuzz/dict/$t.dict")
  local dirs=("$scratch/$t")
  if [ -d "$seeds" ]; then
    dirs+=("$seeds")
  else
    echo "fuzz: $t has no seeds in $seeds/ (starting from nothing)" >&2
  fi
  local status=0
  "$bin_dir/$t" "${args[@]}" "${dirs[@]}" >"$log" 2>&1 || status=$?
  echo "$status" >"$scratch/$t.status"
}

run_start=$SECONDS
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  run_target "$t" &
done
wait
run_secs=$((SECONDS - run_start))

failed=()
for t in "${targets[@]}"; do
  status="$(cat "$scratch/$t.status" 2>/dev/null || echo 1)"
  log="$scratch/$t.log"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)"
  found="$(find "$scratch/$t" -type f | wc -l)"
  if [ "$status" = 0 ]; then
    printf 'fuzz: %-16s ok: %s runs, coverage %s, %s new inputs (not kept)\n' "$t" "${execs:-?}" "${cov:-?}" "$found"
    continue
  fi
  failed+=("$t")
  input="$(grep -oE '(crash|timeout|oom|leak|slow-unit)-[0-9a-f]+' "$log" | tail -1)"
  echo >&2
  echo "fuzz: TARGET $t FAILED (exit $status)" >&2
  if [ -n "$input" ]; then
    echo "fuzz: the input that did it: $root/fuzz/artifacts/$t/$input" >&2
    echo "fuzz: reproduce with: cargo +nightly fuzz run --dev --sanitizer none --target-dir $fuzz_target_dir $t fuzz/artifacts/$t/$input" >&2
  fi
  echo "fuzz: what it said:" >&2
  { grep -m1 -A2 'panicked at' "$log" || true; echo '    ...'; tail -n 14 "$log"; } | sed 's/^/    /' >&2
done

echo "fuzz: build ${build_secs} s, runs ${run_secs} s (${#targets[@]} targets × ${seconds} s, ${parallel} at a time)"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi

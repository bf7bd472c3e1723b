#!/usr/bin/env bash
# Instructions per forwarded packet of the SFU's forwarding path, counted by
# valgrind's callgrind: no clock, so a regression shows as a changed count
# even on a noisy shared machine (see docs/performance.md).
#
# What is counted: the shard receiving one publisher's SRTP datagrams (one
# audio, one ~1000-byte video packet per step) and producing every
# subscriber's encrypted datagram — route, decrypt, forward, rewrite, encrypt
# (crates/sfu/benches/common). Setup, time steps and the subscribers' own work
# are outside the count (--toggle-collect).
#
# Usage: scripts/callgrind-forwarding.sh [SUBSCRIBERS (20)] [STEPS (100)]
# Environment: CARGO_TARGET_DIR as for cargo; TOP=N shows the N most costly
# functions (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."

subscribers="${1:-20}"
steps="${2:-100}"
top="${TOP:-15}"

if ! command -v valgrind >/dev/null; then
  echo "valgrind is not installed (apt-get install -y valgrind)" >&2
  exit 1
fi

exe="$(cargo bench -p tafelrunde-sfu --bench forwarding_callgrind --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*forwarding_callgrind[^"]*"' | tail -1 | cut -d'"' -f4)"
if [ -z "$exe" ] || [ ! -x "$exe" ]; then
  echo "could not build the forwarding_callgrind bench (try: cargo bench -p tafelrunde-sfu --bench forwarding_callgrind --no-run)" >&2
  exit 1
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
  --toggle-collect='*callgrind_measured_forward*' \
  "$exe" "$subscribers" "$steps" >"$out/stdout" 2>"$out/stderr" || {
  cat "$out/stderr" >&2
  exit 1
}

# "forwarded N datagrams to S subscribers from R received (STEPS steps)"
line="$(grep '^forwarded ' "$out/stdout")"
forwarded="$(echo "$line" | awk '{print $2}')"
received="$(echo "$line" | awk '{print $8}')"
total="$(grep -E '^(summary|totals):' "$out/callgrind.out" | head -1 | awk '{print $2}')"
if [ -z "$forwarded" ] || [ "$forwarded" -eq 0 ] || [ -z "$total" ]; then
  echo "nothing was forwarded or counted:" >&2
  cat "$out/stdout" "$out/stderr" >&2
  exit 1
fi

echo "callgrind: $line"
echo "instructions in the measured path: $total"
awk -v t="$total" -v f="$forwarded" -v r="$received" -v s="$subscribers" 'BEGIN {
  printf "instructions per forwarded packet: %.0f\n", t / f
  printf "instructions per received packet (fan-out %d): %.0f\n", s, t / r
}'
echo
echo "most costly functions (inclusive of callees, share of the measured path; TOP=N for more):"
callgrind_annotate --inclusive=yes --threshold=99 "$out/callgrind.out" 2>/dev/null \
  | grep -E "^\s*[0-9,]+ \(" | grep -v "(100.0%)" | head -n "$top" | sed -E "s#/rustc/[0-9a-f]+/##; s# \[/[^]]*\]##" | cut -c1-160
printf '{"bench":"callgrind-forwarding","subscribers":%s,"steps":%s,"forwarded":%s,"instructions":%s,"instructions_per_packet":%s}\n' \
  "$subscribers" "$steps" "$forwarded" "$total" "$(awk -v t="$total" -v f="$forwarded" 'BEGIN{printf "%.0f", t/f}')"

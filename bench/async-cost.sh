#!/usr/bin/env bash
# Where the async path's per-message cost goes: instructions per message (callgrind, deterministic) of
# `inproc_thr` with blocking and with async (ZMQ_PERF_ASYNC=1) sockets, both threads counted, and, where `perf`
# can count tracepoints, the system calls of each for a longer run. The README's "Async sockets" section quotes it.
#
#   bash bench/async-cost.sh            # 1 B messages, 300 000 under callgrind, 5 000 000 for the syscall count
#   SIZE=64 COUNT=100000 bash bench/async-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
size="${SIZE:-1}" count="${COUNT:-300000}" syscall_count="${SYSCALL_COUNT:-5000000}"
command -v valgrind >/dev/null || { echo "async-cost.sh: valgrind is needed" >&2; exit 1; }
cargo build -q --release --features tokio --example inproc_thr
bin="${CARGO_TARGET_DIR:-target}/release/examples/inproc_thr"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for mode in blocking async; do
  async=0; [ "$mode" = async ] && async=1
  ZMQ_PERF_ASYNC=$async valgrind --tool=callgrind --callgrind-out-file="$out/$mode" "$bin" "$size" "$count" \
    >/dev/null 2>"$out/$mode.log"
  ir=$(grep -oP 'Collected : \K[0-9]+' "$out/$mode.log")
  echo "$mode: $((ir / count)) instructions per $size B message ($ir for $count, callgrind)"
  if perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1; then
    calls=$(ZMQ_PERF_ASYNC=$async perf stat -x, -e raw_syscalls:sys_enter "$bin" "$size" "$syscall_count" 2>&1 >/dev/null \
      | grep raw_syscalls | cut -d, -f1)
    echo "$mode: $calls system calls for $syscall_count messages (perf stat)"
  fi
done

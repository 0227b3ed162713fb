#!/usr/bin/env bash
# Shows that the Rust perf examples and the C programs speak to each other: every cross pair
# (C local + Rust remote, Rust local + C remote, and the same with the Rust programs on AsyncSocket,
# "Rust-async", ZMQ_PERF_ASYNC=1) for throughput and latency over tcp and ipc, printing each command and
# its report. Exits non-zero if a pair fails.
#
#   bash bench/interop.sh
#   LIBZMQ_PERF_DIR=/path/to/libzmq/perf/binaries bash bench/interop.sh   # also pair with libzmq's own tools
#
# Settings: SIZE=64 COUNT=100000 ROUNDTRIPS=2000 RUN_TIMEOUT=60, CARGO_TARGET_DIR, and run.sh's build settings.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
BUILD_ONLY=1 bash "$here/run.sh"

target_dir="${CARGO_TARGET_DIR:-$repo/target}"
SIZE="${SIZE:-64}"
COUNT="${COUNT:-100000}"
ROUNDTRIPS="${ROUNDTRIPS:-2000}"
RUN_TIMEOUT="${RUN_TIMEOUT:-60}"
declare -A dirs=([Rust]="$target_dir/release/examples" [Rust-async]="$target_dir/release/examples" [C]="$target_dir/bench-c")
impls=(Rust Rust-async C)
# ZMQ_PERF_ASYNC for a program of each implementation.
async_of() { if [[ "$1" == Rust-async ]]; then echo 1; else echo 0; fi; }
if [[ -n "${LIBZMQ_PERF_DIR:-}" ]]; then
    dirs[libzmq]="$LIBZMQ_PERF_DIR"
    impls+=(libzmq)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/zmq-interop.XXXXXX")"
trap 'rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 30000))
failures=0

pair() {
    local test="$1" transport="$2" local_impl="$3" remote_impl="$4" endpoint count lpid rc=0
    if [[ "$transport" == tcp ]]; then
        port=$((port + 1))
        endpoint="tcp://127.0.0.1:$port"
    else
        endpoint="ipc://$work/$test-$local_impl-$remote_impl.ipc"
    fi
    if [[ "$test" == thr ]]; then count="$COUNT"; else count="$ROUNDTRIPS"; fi
    local lcmd="${dirs[$local_impl]}/local_$test $endpoint $SIZE $count"
    local rcmd="${dirs[$remote_impl]}/remote_$test $endpoint $SIZE $count"
    echo "### $test over $transport: $local_impl local_$test <- $remote_impl remote_$test"
    [[ "$local_impl$remote_impl" == *async* ]] && echo "(ZMQ_PERF_ASYNC=1 on the Rust-async side)"
    echo "\$ timeout $RUN_TIMEOUT $lcmd &"
    echo "\$ timeout $RUN_TIMEOUT $rcmd"
    # shellcheck disable=SC2086 # commands are word lists
    ZMQ_PERF_ASYNC="$(async_of "$local_impl")" timeout "$RUN_TIMEOUT" $lcmd >"$work/local.out" 2>&1 &
    lpid=$!
    sleep 0.3
    # ipc: let the receiver drain before the sender closes (see examples/remote_thr.rs).
    # shellcheck disable=SC2086
    ZMQ_PERF_ASYNC="$(async_of "$remote_impl")" ZMQ_PERF_CLOSE_DELAY_MS=200 timeout "$RUN_TIMEOUT" $rcmd \
        >"$work/remote.out" 2>&1 || rc=$?
    wait "$lpid" || rc=$?
    sed 's/^/  local:  /' "$work/local.out"
    sed 's/^/  remote: /' "$work/remote.out"
    if [[ $rc != 0 ]]; then
        echo "  FAILED (exit $rc)"
        failures=$((failures + 1))
    fi
    echo
}

for transport in tcp ipc; do
    for test in thr lat; do
        for l in "${impls[@]}"; do
            for r in "${impls[@]}"; do
                [[ "$l" == "$r" ]] && continue
                pair "$test" "$transport" "$l" "$r"
            done
        done
    done
done
if ((failures)); then
    echo "$failures pair(s) failed"
    exit 1
fi
echo "all pairs interoperate"

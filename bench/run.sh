#!/usr/bin/env bash
# Rust-vs-C benchmark of the zmq crate: throughput and latency over tcp, ipc and inproc.
#
#   bash bench/run.sh            # full suite: 5 rounds, ~0.5 s per run (~5 min on 2 cores)
#   QUICK=1 bash bench/run.sh    # smoke run: 2 rounds, ~0.12 s per run (~1 min)
#
# What it does:
#   1. builds the C reference programs (bench/c/*.c) with `cc -O2 ... -lzmq` against the libzmq the
#      Rust build links (pkg-config's by default), and the six Rust perf examples with
#      `cargo build --release --example ...` (just those, so that work in progress elsewhere in
#      examples/ cannot stop the benchmark); checks that both link the same libzmq;
#   2. calibrates a message / round-trip count per case from one short C run, so that every run
#      measures for about TARGET_SECS;
#   3. for ROUNDS rounds runs every case as C, Rust and C again (the order rotates each round), so
#      that Rust/C can be read against the C-vs-C noise of the same round; plus, for 1 MiB
#      throughput, the zero-copy senders of both (see ZERO_COPY below), to set against the C copying
#      send (`zmq_send`) and against each other;
#   4. prints the table and writes bench/results/latest.{md,csv}, latest-runs.csv and
#      throughput.svg (bench/report.py, python3 standard library only).
#
# Pairs: local_* binds, remote_* connects; Rust local with Rust remote, C with C. Every process runs
# under `timeout`.
#
# Settings (environment):
#   ROUNDS=5  TARGET_SECS=0.5  QUICK=1 (ROUNDS=2, TARGET_SECS=0.12)
#   TRANSPORTS="tcp ipc inproc"  SIZES="1 64 1024 65536 1048576"  TESTS="thr lat"
#   ZERO_COPY="fresh shared static": the zero-copy modes run for 1 MiB throughput (0: none), as variants
#     rust_zc / c_zc (fresh: a new zero-filled buffer per message, `--zero-copy`), rust_zs / c_zs
#     (shared: one payload made once, every message refers to it, `--zero-copy-shared`) and rust_zt / c_zt
#     (static: one constant payload, `--zero-copy-static`); shared and static rows get their own message
#     count (from a C shared probe), as they can run far faster
#   ASYNC=1: also run the Rust programs on zmq::AsyncSocket (variant "async", ZMQ_PERF_ASYNC=1: awaited sends
#     and receives on a current-thread tokio runtime), against the blocking Rust calls and C (0: skip)
#   RUN_TIMEOUT=60 (seconds, per process)  RESULTS_DIR=bench/results
#   IPC_CLOSE_DELAY_MS=200 (ipc throughput senders wait this long before closing; see remote_thr.rs)
#   CARGO_TARGET_DIR (honoured)  CC=cc  CFLAGS=-O2
#   BENCH_MANIFEST: Cargo.toml to build the examples from (default: this repository's)
#   LIBZMQ_PREFIX / LIBZMQ_LIB_DIR / LIBZMQ_INCLUDE_DIR (as zmq-sys reads them)
#   ZMQ_C_FLAGS / ZMQ_C_LIBS: compile / link flags for the C programs (instead of pkg-config)
#   ALLOW_LIB_MISMATCH=1: run even if Rust and C do not link the same libzmq
#   BUILD_ONLY=1: build (and check the libzmq) only; bench/interop.sh uses it
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

if [[ "${QUICK:-0}" != 0 ]]; then
    ROUNDS="${ROUNDS:-2}"
    TARGET_SECS="${TARGET_SECS:-0.12}"
else
    ROUNDS="${ROUNDS:-5}"
    TARGET_SECS="${TARGET_SECS:-0.5}"
fi
TRANSPORTS="${TRANSPORTS:-tcp ipc inproc}"
SIZES="${SIZES:-1 64 1024 65536 1048576}"
TESTS="${TESTS:-thr lat}"
ZERO_COPY="${ZERO_COPY:-fresh shared static}"
case "$ZERO_COPY" in
0) ZERO_COPY="" ;;
1) ZERO_COPY="fresh shared static" ;;
esac
ASYNC="${ASYNC:-1}"
RUN_TIMEOUT="${RUN_TIMEOUT:-60}"
IPC_CLOSE_DELAY_MS="${IPC_CLOSE_DELAY_MS:-200}"
RESULTS_DIR="${RESULTS_DIR:-$here/results}"
CC="${CC:-cc}"
CFLAGS="${CFLAGS:--O2}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
c_bin="$target_dir/bench-c"
rust_bin="$target_dir/release/examples"
programs=(local_thr remote_thr local_lat remote_lat inproc_thr inproc_lat)

log() { printf '%s\n' "$*" >&2; }
die() {
    log "run.sh: $*"
    exit 1
}

for mode in $ZERO_COPY; do
    [[ "$mode" == fresh || "$mode" == shared || "$mode" == static ]] ||
        die "ZERO_COPY: unknown mode '$mode' (fresh, shared, static, 0)"
done
for tool in "$CC" cargo python3 timeout; do
    command -v "$tool" >/dev/null || die "needs '$tool' on PATH"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/zmq-bench.XXXXXX")"
cleanup() {
    local pids
    pids="$(jobs -p)"
    if [[ -n "$pids" ]]; then
        # shellcheck disable=SC2086 # one pid per word
        kill $pids 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------- build
log "== building the Rust perf examples (release)"
libzmq_static=""
example_args=()
for p in "${programs[@]}"; do example_args+=(--example "$p"); done
cargo build --release --features tokio --manifest-path "${BENCH_MANIFEST:-$repo/Cargo.toml}" "${example_args[@]}" >&2

if [[ -n "${ZMQ_C_FLAGS:-}${ZMQ_C_LIBS:-}" ]]; then
    zmq_cflags="${ZMQ_C_FLAGS:-}"
    zmq_libs="${ZMQ_C_LIBS:--lzmq}"
elif [[ -n "${LIBZMQ_LIB_DIR:-}${LIBZMQ_PREFIX:-}" ]]; then
    lib_dir="${LIBZMQ_LIB_DIR:-$LIBZMQ_PREFIX/lib}"
    inc_dir="${LIBZMQ_INCLUDE_DIR:-${LIBZMQ_PREFIX:+$LIBZMQ_PREFIX/include}}"
    inc_dir="${inc_dir:-$lib_dir/../include}"
    zmq_cflags="-I$inc_dir"
    zmq_libs="-L$lib_dir -Wl,-rpath,$lib_dir -lzmq"
elif ! ldd "$rust_bin/local_thr" 2>/dev/null | grep -q libzmq; then
    # The Rust build linked libzmq statically (a vendored source build): link the C programs with the
    # very archive it built.
    # shellcheck disable=SC2012 # newest first; the paths are cargo's
    vendored_lib="$(ls -t "$target_dir"/release/build/zmq-sys-*/out/lib/libzmq.a 2>/dev/null | head -n 1 || true)"
    [[ -n "$vendored_lib" ]] || die "the Rust examples link libzmq statically, but no vendored libzmq.a was found; set ZMQ_C_FLAGS/ZMQ_C_LIBS"
    vendored_out="${vendored_lib%/lib/libzmq.a}"
    inc_dir="$vendored_out/include"
    [[ -f "$inc_dir/zmq.h" ]] || inc_dir="$vendored_out/source/include"
    zmq_cflags="-I$inc_dir -DZMQ_STATIC"
    zmq_libs="$vendored_lib"
    # shellcheck disable=SC2012
    sodium="$(ls -t "$target_dir"/release/build/libsodium-sys-*/out/*/libsodium.a "$target_dir"/release/build/libsodium-sys-*/out/lib/libsodium.a 2>/dev/null | head -n 1 || true)"
    [[ -n "$sodium" ]] && zmq_libs+=" $sodium"
    zmq_libs+=" -lstdc++ -lm"
    libzmq_static="$vendored_lib"
else
    command -v pkg-config >/dev/null || die "needs pkg-config (or ZMQ_C_FLAGS/ZMQ_C_LIBS)"
    zmq_cflags="$(pkg-config --cflags libzmq)" || die "pkg-config finds no libzmq"
    zmq_libs="$(pkg-config --libs libzmq)"
fi
log "== building the C reference programs: $CC $CFLAGS $zmq_cflags ... $zmq_libs"
mkdir -p "$c_bin"
for p in "${programs[@]}"; do
    # shellcheck disable=SC2086 # the flags are word lists
    "$CC" $CFLAGS -std=c11 -Wall -Wextra -o "$c_bin/$p" "$here/c/$p.c" $zmq_cflags $zmq_libs -lpthread
done

# Both sides must use one libzmq, or the comparison measures two libraries.
linked_zmq() { ldd "$1" 2>/dev/null | awk '/libzmq/ { print $3; exit }'; }
rust_lib="$(linked_zmq "$rust_bin/local_thr")"
c_lib="$(linked_zmq "$c_bin/local_thr")"
if [[ -n "$rust_lib" ]]; then rust_lib="$(readlink -f "$rust_lib")"; fi
if [[ -n "$c_lib" ]]; then c_lib="$(readlink -f "$c_lib")"; fi
if [[ "$rust_lib" != "$c_lib" ]]; then
    msg="Rust links libzmq '${rust_lib:-statically (vendored build)}', C links '${c_lib:-none}'"
    if [[ "${ALLOW_LIB_MISMATCH:-0}" == 0 ]]; then
        die "$msg; point the C build at the same library (ZMQ_C_FLAGS/ZMQ_C_LIBS) or set ALLOW_LIB_MISMATCH=1"
    fi
    log "warning: $msg"
fi
libzmq_desc="${rust_lib:-static ${libzmq_static:-?}}"
if [[ "${BUILD_ONLY:-0}" != 0 ]]; then
    log "== built: Rust in $rust_bin, C in $c_bin (libzmq: $libzmq_desc)"
    exit 0
fi

# ------------------------------------------------------------------------------------------ running
next_port=$((20000 + RANDOM % 30000))
free_port() {
    local p
    while :; do
        next_port=$((next_port + 1))
        ((next_port > 60000)) && next_port=20001
        p=$next_port
        if command -v ss >/dev/null; then
            [[ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]] && break
        else
            break
        fi
    done
    echo "$p"
}

# Waits (up to 5 s) until the binding side listens, so that connection retries do not enter a
# latency measurement (remote_lat's clock starts before its first request).
wait_bound() {
    local endpoint="$1" pid="$2" i
    for ((i = 0; i < 1000; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        case "$endpoint" in
        tcp://*)
            if command -v ss >/dev/null; then
                [[ -n "$(ss -Hltn "sport = :${endpoint##*:}" 2>/dev/null)" ]] && return 0
            else
                sleep 0.05
                return 0
            fi
            ;;
        ipc://*)
            if command -v ss >/dev/null; then
                [[ -n "$(ss -Hxl "src = ${endpoint#ipc://}" 2>/dev/null)" ]] && return 0
            elif [[ -S "${endpoint#ipc://}" ]]; then
                sleep 0.05
                return 0
            fi
            ;;
        esac
        sleep 0.005
    done
}

# run_case IMPL TEST TRANSPORT SIZE COUNT [FLAG] -> prints the measured value (msg/s or us), or NA.
# FLAG is a sender's send-mode flag (--zero-copy, --zero-copy-shared, --zero-copy-static) or empty.
run_case() {
    local impl="$1" test="$2" transport="$3" size="$4" count="$5" zc="${6:-}"
    local bin out="$work/out" err="$work/err" endpoint lpid rc=0 value delay
    if [[ "$impl" == rust || "$impl" == async ]]; then bin="$rust_bin"; else bin="$c_bin"; fi
    # The async variant: the same Rust programs on zmq::AsyncSocket, both sides.
    local ZMQ_PERF_ASYNC=0
    [[ "$impl" == async ]] && ZMQ_PERF_ASYNC=1
    export ZMQ_PERF_ASYNC
    : >"$out"
    : >"$err"
    if [[ "$transport" == inproc ]]; then
        timeout "$RUN_TIMEOUT" "$bin/inproc_$test" "$size" "$count" ${zc:+"$zc"} >"$out" 2>"$err" || rc=$?
    else
        if [[ "$transport" == tcp ]]; then
            endpoint="tcp://127.0.0.1:$(free_port)"
        else
            endpoint="ipc://$work/s$RANDOM.ipc"
        fi
        timeout "$RUN_TIMEOUT" "$bin/local_$test" "$endpoint" "$size" "$count" >>"$out" 2>>"$err" &
        lpid=$!
        wait_bound "$endpoint" "$lpid"
        # Over ipc://, libzmq can drop what a back-pressured receiver has not read yet when the sender
        # closes (see examples/remote_thr.rs): the sender waits a little before closing. The receiver
        # measures, so this does not enter the result.
        delay=0
        [[ "$transport" == ipc && "$test" == thr ]] && delay="$IPC_CLOSE_DELAY_MS"
        ZMQ_PERF_CLOSE_DELAY_MS="$delay" timeout "$RUN_TIMEOUT" "$bin/remote_$test" "$endpoint" "$size" "$count" ${zc:+"$zc"} \
            >>"$out" 2>>"$err" || rc=$?
        wait "$lpid" || rc=$?
        [[ "$transport" == ipc ]] && rm -f "${endpoint#ipc://}"
    fi
    if [[ "$test" == thr ]]; then
        value="$(awk '/mean throughput: .*\[msg\/s\]/ { print $3 }' "$out")"
    else
        value="$(awk '/average latency:/ { print $3 }' "$out")"
    fi
    if [[ $rc != 0 || -z "$value" ]]; then
        log "warning: $impl $test $transport ${size}B x$count ${zc:-} failed (exit $rc): $(head -c 300 "$err")"
        value=NA
    fi
    echo "$value"
}

# A first guess at a short run, used to calibrate.
probe_count() {
    local test="$1" size="$2"
    if [[ "$test" == thr ]]; then
        awk -v s="$size" 'BEGIN { n = 30000000 / (s + 100); if (n > 200000) n = 200000; if (n < 100) n = 100; printf "%d", n }'
    else
        if ((size >= 1048576)); then echo 100; else echo 500; fi
    fi
}

# Count for TARGET_SECS of measurement from a probe's value (over 20 x the probe: the probe was too short
# to trust, and calibrate probes again).
scaled_count() {
    local test="$1" value="$2" fallback="$3"
    [[ "$value" == NA ]] && {
        echo "$fallback"
        return
    }
    awk -v t="$test" -v v="$value" -v secs="$TARGET_SECS" 'BEGIN {
        if (t == "thr") n = v * secs; else n = secs * 1e6 / (2 * v);
        if (n < 20) n = 20;
        printf "%d", n }'
}

# Cases: "test transport size". Throughput cases also get a zero-copy row at 1 MiB.
cases=()
for test in $TESTS; do
    for transport in $TRANSPORTS; do
        for size in $SIZES; do cases+=("$test $transport $size"); done
    done
done

mkdir -p "$RESULTS_DIR"
runs_csv="$work/runs.csv"
echo "round,test,transport,size,variant,count,value" >"$runs_csv"
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
if awk -v l="${load_before%% *}" -v n="$(nproc 2>/dev/null || echo 1)" 'BEGIN { exit !(l > n / 2) }'; then
    log "warning: load average is $load_before on $(nproc 2>/dev/null || echo '?') CPUs: other work will add noise"
fi
started=$SECONDS

# calibrate TEST TRANSPORT SIZE [FLAG] -> a count for TARGET_SECS, from short C runs: the first probe is
# a guess; one that measured for under TARGET_SECS/20 is repeated with a tenth of the count it gave.
calibrate() {
    local test="$1" transport="$2" size="$3" flag="${4:-}" probe v count _
    probe="$(probe_count "$test" "$size")"
    for _ in 1 2 3; do
        v="$(run_case c "$test" "$transport" "$size" "$probe" "$flag")"
        count="$(scaled_count "$test" "$v" "$probe")"
        log "   $test $transport ${size}B${flag:+ $flag}: probe ${probe} -> ${v} -> count ${count}"
        [[ "$v" == NA ]] || ((count <= 20 * probe)) && break
        probe=$((count / 10))
    done
    echo "$count"
}

# send_flag VARIANT -> the sender flag of a zero-copy variant (rust_zc, c_zs, ...), or nothing.
send_flag() {
    case "$1" in
    *_zc) echo --zero-copy ;;
    *_zs) echo --zero-copy-shared ;;
    *_zt) echo --zero-copy-static ;;
    esac
}

# zero_copy_case TEST SIZE: whether the zero-copy variants run for this case.
zero_copy_case() { [[ -n "$ZERO_COPY" && "$1" == thr && "$2" == 1048576 ]]; }

log "== calibrating (${TARGET_SECS}s per run, short C runs per case)"
declare -A count_of
for c in "${cases[@]}"; do
    read -r test transport size <<<"$c"
    count_of[$c]="$(calibrate "$test" "$transport" "$size")"
    # Shared and static zero-copy sends can be far faster than copying ones (inproc moves no payload at
    # all): they get a count of their own (C makes the same calls for both). Fresh zero-copy sends keep
    # the copying count.
    if zero_copy_case "$test" "$size" && [[ " $ZERO_COPY " == *" shared "* || " $ZERO_COPY " == *" static "* ]]; then
        count_of[$c zs]="$(calibrate "$test" "$transport" "$size" --zero-copy-shared)"
    fi
done

record() { echo "$1,$2,$3,$4,$5,$6,$7" >>"$runs_csv"; }

for ((round = 1; round <= ROUNDS; round++)); do
    log "== round $round/$ROUNDS ($((SECONDS - started)) s, load $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'))"
    for c in "${cases[@]}"; do
        read -r test transport size <<<"$c"
        count="${count_of[$c]}"
        # C (a), Rust, C (b), in an order that rotates each round.
        if [[ "$ASYNC" != 0 ]]; then
            # With the async variant: C (a), Rust, async Rust, C (b), rotated.
            base=(c_a rust async c_b)
            shift_by=$((round % 4))
            order=("${base[@]:shift_by}" "${base[@]:0:shift_by}")
        else
            case $((round % 3)) in
            1) order=(c_a rust c_b) ;;
            2) order=(rust c_b c_a) ;;
            0) order=(c_b c_a rust) ;;
            esac
        fi
        if zero_copy_case "$test" "$size"; then
            # The zero-copy variants, rotated each round, after the copying ones in odd rounds and
            # before them in even rounds.
            zero=()
            [[ " $ZERO_COPY " == *" fresh "* ]] && zero+=(rust_zc c_zc)
            [[ " $ZERO_COPY " == *" shared "* ]] && zero+=(rust_zs c_zs)
            [[ " $ZERO_COPY " == *" static "* ]] && zero+=(rust_zt c_zt)
            shift_by=$((round % ${#zero[@]}))
            zero=("${zero[@]:shift_by}" "${zero[@]:0:shift_by}")
            if ((round % 2 == 0)); then order=("${zero[@]}" "${order[@]}"); else order+=("${zero[@]}"); fi
        fi
        line="   $test $transport ${size}B x$count:"
        for variant in "${order[@]}"; do
            impl="${variant%%_*}"
            n="$count"
            [[ "$variant" == *_zs || "$variant" == *_zt ]] && n="${count_of[$c zs]}"
            v="$(run_case "$impl" "$test" "$transport" "$size" "$n" "$(send_flag "$variant")")"
            record "$round" "$test" "$transport" "$size" "$variant" "$n" "$v"
            line+=" $variant=$v"
            [[ "$n" != "$count" ]] && line+="(x$n)"
        done
        log "$line"
    done
done

load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
elapsed=$((SECONDS - started))
cp "$runs_csv" "$RESULTS_DIR/latest-runs.csv"
python3 "$here/report.py" \
    --runs "$RESULTS_DIR/latest-runs.csv" \
    --out-dir "$RESULTS_DIR" \
    --meta "rounds=$ROUNDS" \
    --meta "target_secs=$TARGET_SECS" \
    --meta "mode=$([[ "${QUICK:-0}" != 0 ]] && echo quick || echo full)" \
    --meta "libzmq=$libzmq_desc" \
    --meta "load_before=$load_before" \
    --meta "load_after=$load_after" \
    --meta "elapsed_s=$elapsed" \
    --meta "zero_copy=$ZERO_COPY" \
    --meta "async=$ASYNC"

#!/usr/bin/env bash
# Runs the test suite and builds the examples of the published zmq 0.10.0 crate (rust-zmq) against this crate:
# the drop-in claim, measured with that crate's own code. The 0.10.0 package comes from crates.io at run time
# and is unpacked under target/; nothing of it is kept in this repository.
#
# Left out: tests/compile-tests.rs, which compares rustc's error text (naming 0.10's private field types) for two
# programs that must not compile; this crate checks the same two properties with compile_fail doctests in lib.rs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/target/zmq-0.10-suite
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/zmq-0.10-suite-target}
rm -rf "$work" && mkdir -p "$work/locate/src" "$work/suite/src"

# Locate the unpacked zmq 0.10.0 package in cargo's registry cache.
cat >"$work/locate/Cargo.toml" <<'TOML'
[package]
name = "locate-zmq-010"
version = "0.0.0"
edition = "2018"
[workspace]
[dependencies]
zmq = "=0.10.0"
TOML
: >"$work/locate/src/lib.rs"
src=$(cd "$work/locate" && cargo metadata --format-version 1 --quiet | python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
print(next(os.path.dirname(p["manifest_path"]) for p in meta["packages"] if p["name"] == "zmq" and p["version"] == "0.10.0"))')
echo "zmq 0.10.0 from $src"

cp -r "$src/tests" "$src/examples" "$work/suite/"
rm "$work/suite/tests/compile-tests.rs"
: >"$work/suite/src/lib.rs"
{
  cat <<TOML
[package]
name = "zmq-010-suite"
version = "0.0.0"
edition = "2018"
publish = false

[workspace]

[dependencies]
zmq = { path = "$root" }

[dev-dependencies]
zmq-sys = { path = "$root/zmq-sys" }
TOML
  # 0.10's own dev-dependencies and example targets, as its manifest declares them.
  python3 - "$src/Cargo.toml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for header, body in re.findall(r'^(\[[^\]]+\]\]?)\n((?:(?!\[).*\n?)*)', text, re.M):
    if header.startswith('[dev-dependencies.') and 'trybuild' not in header or header == '[[example]]':
        print(header); print(body)
PY
} >"$work/suite/Cargo.toml"

cd "$work/suite"
cargo test --no-fail-fast 2>&1 | tee "$work/test.log"
passed=$(grep -o 'test result: ok\. [0-9]* passed' "$work/test.log" | awk '{s += $4} END {print s + 0}')
failed=$(grep -o '[0-9]* failed' "$work/test.log" | awk '{s += $1} END {print s + 0}')
echo "zmq 0.10.0's own suite against this crate: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]

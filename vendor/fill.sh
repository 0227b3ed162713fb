#!/usr/bin/env bash
# Fills vendor/ with the source of every crate in Cargo.lock (libzmq's inside zeromq-src, libsodium's inside
# libsodium-sys-stable), so that a build needs no network, then prints the lines for .cargo/config.toml.
# stdout carries only those lines (`bash vendor/fill.sh >> .cargo/config.toml`); the summary goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

# The crate directories of an earlier run go; this script and README.md stay (plain `cargo vendor` would delete
# them too, hence --no-delete).
find vendor -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
# cargo vendor prints the config lines on stdout and its progress on stderr, shown only if it fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo vendor --locked --no-delete vendor 2>"$log" || { cat "$log" >&2; exit 1; }

crate_version() { sed -n 's/^version = "\(.*\)"$/\1/p' "$1/Cargo.toml" | head -n 1; }
{
  echo "vendor/: $(find vendor -mindepth 1 -maxdepth 1 -type d | wc -l) crates, $(du -sh vendor | cut -f1)"
  zsrc=$(ls -d vendor/zeromq-src* | head -n 1)
  zmq_h=$zsrc/vendor/include/zmq.h
  zmq_version=$(awk '/#define ZMQ_VERSION_(MAJOR|MINOR|PATCH)/ { v = v (v == "" ? "" : ".") $3 } END { print v }' "$zmq_h")
  echo "  libzmq $zmq_version from $(basename "$zsrc") $(crate_version "$zsrc") ($zsrc/vendor/)"
  sodium=$(ls -d vendor/libsodium-sys-stable* | head -n 1)
  sodium_version=$(tar -xzOf "$sodium/LATEST.tar.gz" libsodium-stable/configure.ac \
    | sed -n 's/^AC_INIT(\[libsodium\],\[\([^]]*\)\].*/\1/p')
  echo "  libsodium $sodium_version from $(basename "$sodium") $(crate_version "$sodium") ($sodium/LATEST.tar.gz," \
    "checked against its minisign signature when built)"
  echo "Add the lines printed on stdout to .cargo/config.toml; then \`cargo build --offline --features vendored\`" \
    "needs nothing but vendor/."
} >&2

//! Turns the facts zmq-sys found about the linked libzmq (its `links` metadata) into cfgs, so the safe crate
//! compiles exactly the API that library has. No probing happens here.

use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(zmq_draft)");
    println!("cargo::rustc-check-cfg=cfg(zmq_vendored)");
    println!("cargo::rustc-check-cfg=cfg(zmq_curve_built)");
    for var in
        ["DEP_ZMQ_VERSION", "DEP_ZMQ_DRAFT", "DEP_ZMQ_CURVE", "DEP_ZMQ_VENDORED", "DEP_ZMQ_INCLUDE", "DEP_ZMQ_SODIUM"]
    {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let flag = |name: &str| env::var(name).map(|v| v == "1").unwrap_or(false);
    if flag("DEP_ZMQ_DRAFT") {
        println!("cargo:rustc-cfg=zmq_draft");
    }
    if flag("DEP_ZMQ_VENDORED") {
        println!("cargo:rustc-cfg=zmq_vendored");
    }
    if flag("DEP_ZMQ_CURVE") {
        println!("cargo:rustc-cfg=zmq_curve_built");
    }
    build_interop_test_library();
    let version = env::var("DEP_ZMQ_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=ZMQ_LINKED_VERSION={version}");
    println!("cargo:rustc-env=ZMQ_LINKED_INCLUDE={}", env::var("DEP_ZMQ_INCLUDE").unwrap_or_default());
    // Where CURVE's libsodium comes from (`static`, `shared`, `external`, …): read by the build-mode test.
    println!("cargo:rustc-env=ZMQ_LINKED_SODIUM={}", env::var("DEP_ZMQ_SODIUM").unwrap_or_default());
}

/// Compiles the C half of `tests/interop.rs` against the header of the libzmq being linked. Only that test links
/// it (by name); it is a few functions and costs nothing elsewhere.
fn build_interop_test_library() {
    println!("cargo:rerun-if-changed=tests/interop.c");
    let Ok(include) = env::var("DEP_ZMQ_INCLUDE") else { return };
    let out = std::path::PathBuf::from(env::var("OUT_DIR").unwrap());
    cc::Build::new()
        .file("tests/interop.c")
        .include(include)
        .cargo_metadata(false)
        .warnings(true)
        .compile("zmq_interop_c");
    println!("cargo:rustc-link-search=native={}", out.display());
}

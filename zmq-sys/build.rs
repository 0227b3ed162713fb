//! Finds or builds libzmq, then hands what it learned to dependents as `links` metadata.
//!
//! Probe order (first match wins), each announced by one `cargo:warning` line:
//!
//! 1. feature `vendored` or `ZMQ_SYS_VENDORED=1`: build libzmq 4.3.5 from source, statically, with CURVE;
//! 2. `LIBZMQ_PREFIX`, or `LIBZMQ_LIB_DIR` (+ `LIBZMQ_INCLUDE_DIR`): link that installation;
//! 3. pkg-config finds `libzmq >= 4.2`: link it dynamically;
//! 4. otherwise build from source as in 1, unless `ZMQ_SYS_NO_VENDOR=1`, which makes it a build error.
//!
//! libzmq 4.3.5 has CURVE only through libsodium. A source build takes it from `libsodium-sys-stable` (built from
//! source, static) when feature `vendored` enabled that optional dependency, and otherwise from the system's
//! libsodium found by pkg-config (shared); with neither it stops and lists the ways out. Rows 2 and 3 compile no
//! libsodium: the linked libzmq brings whatever it was built with.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// Reads an environment variable and tells cargo to rerun when it changes.
fn env_var(name: &str) -> Option<String> {
    println!("cargo:rerun-if-env-changed={name}");
    env::var(name).ok().filter(|v| !v.is_empty())
}

fn env_flag(name: &str) -> bool {
    matches!(env_var(name).as_deref(), Some(v) if v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// What the build settled on; printed as `links` metadata.
struct Linked {
    version: (u32, u32, u32),
    draft: bool,
    /// `Some(true/false)` when known at build time.
    curve: Option<bool>,
    include_dir: PathBuf,
    vendored: bool,
    sodium: Sodium,
}

/// Where CURVE's libsodium comes from; `links` metadata `sodium`.
enum Sodium {
    /// libzmq was not built here: it brings whatever it was built with.
    External,
    /// `libsodium-sys-stable` (feature `vendored`): built from the source it ships and linked statically, unless its
    /// own variables point it at an installed copy (`redirected`). Its `DEP_SODIUM_INCLUDE` / `DEP_SODIUM_LIB`.
    Crate { include: Option<PathBuf>, lib: Option<PathBuf>, version: Option<String>, redirected: bool },
    /// The system's, found by pkg-config, linked dynamically.
    System(pkg_config::Library),
}

impl Sodium {
    fn metadata(&self) -> &'static str {
        match self {
            Sodium::External => "external",
            Sodium::Crate { redirected: false, .. } => "static",
            Sodium::Crate { redirected: true, .. } => "libsodium-sys-stable",
            Sodium::System(_) => "shared",
        }
    }

    /// Where its headers are, beyond the compiler's default directories.
    fn include_dirs(&self) -> Vec<PathBuf> {
        match self {
            Sodium::External => Vec::new(),
            Sodium::Crate { include, .. } => include.iter().cloned().collect(),
            Sodium::System(lib) => lib.include_paths.clone(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Sodium::External => "CURVE as that library was built; no libsodium is compiled here".to_string(),
            Sodium::Crate { redirected: true, .. } => {
                "CURVE via the libsodium that SODIUM_LIB_DIR / SODIUM_USE_PKG_CONFIG point libsodium-sys-stable at"
                    .to_string()
            }
            Sodium::Crate { version, .. } => format!(
                "CURVE via libsodium {} built from source too (crate libsodium-sys-stable)",
                version.as_deref().unwrap_or("(unknown version)")
            ),
            Sodium::System(lib) => {
                format!("CURVE via the system libsodium {} (pkg-config, linked dynamically)", lib.version)
            }
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/bindings.rs");
    let want_draft = env::var_os("CARGO_FEATURE_DRAFT").is_some();
    let force_vendor = env::var_os("CARGO_FEATURE_VENDORED").is_some() || env_flag("ZMQ_SYS_VENDORED");
    let no_vendor = env_flag("ZMQ_SYS_NO_VENDOR");

    let linked = if force_vendor {
        let why = if env::var_os("CARGO_FEATURE_VENDORED").is_some() {
            "feature `vendored` is on"
        } else {
            "ZMQ_SYS_VENDORED is set"
        };
        build_from_source(want_draft, why)
    } else if let Some(linked) = explicit_install(want_draft) {
        linked
    } else {
        match system_library(want_draft) {
            Ok(linked) => linked,
            Err(reason) if no_vendor => panic!(
                "\n\nzmq-sys: no usable libzmq was found ({reason}) and ZMQ_SYS_NO_VENDOR=1 forbids building it \
                 from source.\nWays out:\n  - install the system library: `apt-get install libzmq3-dev pkg-config` \
                 (Debian/Ubuntu), `dnf install zeromq-devel`, `brew install zeromq`;\n  - point at an installation: \
                 LIBZMQ_LIB_DIR=/path/to/lib LIBZMQ_INCLUDE_DIR=/path/to/include (or LIBZMQ_PREFIX=/path);\n  - \
                 allow the source build: unset ZMQ_SYS_NO_VENDOR, or enable the `vendored` feature.\n\n"
            ),
            Err(reason) => build_from_source(want_draft, &format!("{reason}; falling back")),
        }
    };

    if want_draft && !linked.draft {
        panic!(
            "\n\nzmq-sys: feature `draft` was requested, but the libzmq being linked (version {}.{}.{}, headers in {}) \
             does not export the draft API (distribution packages such as Debian's libzmq3-dev are built without it).\n\
             Ways out:\n  - build libzmq from source with its draft API: add feature `vendored` (or set \
             ZMQ_SYS_VENDORED=1);\n  - link a libzmq configured with --enable-drafts through LIBZMQ_LIB_DIR / \
             LIBZMQ_INCLUDE_DIR;\n  - drop feature `draft`.\n\n",
            linked.version.0,
            linked.version.1,
            linked.version.2,
            linked.include_dir.display()
        );
    }

    let (major, minor, patch) = linked.version;
    println!("cargo:version={major}.{minor}.{patch}");
    println!("cargo:version_major={major}");
    println!("cargo:version_minor={minor}");
    println!("cargo:version_patch={patch}");
    println!("cargo:draft={}", if linked.draft { 1 } else { 0 });
    match linked.curve {
        Some(curve) => println!("cargo:curve={}", if curve { 1 } else { 0 }),
        None => println!("cargo:curve=unknown"),
    }
    println!("cargo:vendored={}", if linked.vendored { 1 } else { 0 });
    println!("cargo:sodium={}", linked.sodium.metadata());
    println!("cargo:include={}", linked.include_dir.display());

    generate_bindings(&linked);
    build_header_check(&linked.include_dir);
}

/// Features of every Linux C library (glibc and musl) that libzmq's configure step would detect.
const LINUX_FEATURES: &[&str] = &[
    "ZMQ_IOTHREAD_POLLER_USE_EPOLL_CLOEXEC",
    "ZMQ_HAVE_PPOLL",
    "HAVE_POSIX_MEMALIGN=1",
    "ZMQ_CACHELINE_SIZE=64",
    "HAVE_FORK",
    "HAVE_CLOCK_GETTIME",
    "HAVE_MKDTEMP",
    "ZMQ_HAVE_NOEXCEPT",
    "ZMQ_HAVE_EVENTFD",
    "ZMQ_HAVE_EVENTFD_CLOEXEC",
    "ZMQ_HAVE_IFADDRS",
    "ZMQ_HAVE_SO_BINDTODEVICE",
    "ZMQ_HAVE_SO_PEERCRED",
    "ZMQ_HAVE_BUSY_POLL",
    "ZMQ_HAVE_O_CLOEXEC",
    "ZMQ_HAVE_SOCK_CLOEXEC",
    "ZMQ_HAVE_SO_KEEPALIVE",
    "ZMQ_HAVE_SO_PRIORITY",
    "ZMQ_HAVE_TCP_KEEPCNT",
    "ZMQ_HAVE_TCP_KEEPIDLE",
    "ZMQ_HAVE_TCP_KEEPINTVL",
    "ZMQ_HAVE_PTHREAD_SETNAME_2",
    "ZMQ_HAVE_PTHREAD_SET_AFFINITY",
    "HAVE_ACCEPT4",
    "HAVE_IF_NAMETOINDEX",
];

/// Rows 1 and 4: libzmq 4.3.5 from the `zeromq-src` crate, with CURVE through the libsodium [`find_sodium`] picks.
fn build_from_source(draft: bool, why: &str) -> Linked {
    let sodium = find_sodium(why);
    println!(
        "cargo:warning=zmq-sys: building libzmq 4.3.5 from source ({why}); static, {}, draft API {}",
        sodium.describe(),
        if draft { "on" } else { "off" }
    );
    // zeromq-src defines only the platform basics. On Linux, also turn on what every Linux libc has, as libzmq's own
    // configure would: TCP keepalive options, close-on-exec descriptors, eventfd signalling, IPC peer credentials
    // (the IPC filter options), I/O thread names and CPU affinity. `-w`: libzmq's sources trip a few -Wextra warnings
    // that say nothing to users of this crate.
    let mut flags = env::var("CXXFLAGS").unwrap_or_default();
    flags.push_str(" -w");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        for define in LINUX_FEATURES {
            flags.push_str(" -D");
            flags.push_str(define);
        }
    }
    let mut build = zeromq_src::Build::new();
    build.enable_draft(draft);
    match &sodium {
        // The static library libsodium-sys-stable built: zeromq-src turns CURVE on and links it.
        Sodium::Crate { include: Some(include), lib: Some(lib), redirected: false, .. } => {
            build.with_libsodium(Some(zeromq_src::LibLocation::new(lib, include)));
        }
        // Any other libsodium is linked by someone else (libsodium-sys-stable as its variables say, or the lines
        // below): only compile libzmq's CURVE code, against that libsodium's headers.
        other => {
            flags.push_str(" -DZMQ_USE_LIBSODIUM=1 -DZMQ_HAVE_CURVE=1");
            for dir in other.include_dirs() {
                flags.push_str(&format!(" -I{}", dir.display()));
            }
        }
    }
    env::set_var("CXXFLAGS", flags.trim());
    build.build();
    // After libzmq's archive, so that a linker reading left to right still needs libsodium when it gets there.
    if let Sodium::System(lib) = &sodium {
        for dir in &lib.link_paths {
            println!("cargo:rustc-link-search=native={}", dir.display());
        }
        for name in &lib.libs {
            println!("cargo:rustc-link-lib=dylib={name}");
        }
    }
    // zeromq-src compiles C++ sources into a static archive: link the C++ runtime too.
    let target = env::var("TARGET").unwrap_or_default();
    if target.contains("apple") || target.contains("freebsd") {
        println!("cargo:rustc-link-lib=dylib=c++");
    } else if !target.contains("msvc") {
        println!("cargo:rustc-link-lib=dylib=stdc++");
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let include_dir = out.join("source").join("include");
    let version = header_version(&include_dir).expect("the vendored zmq.h has a version");
    Linked { version, draft, curve: Some(true), include_dir, vendored: true, sodium }
}

/// libzmq 4.3.5 has CURVE only through libsodium, and cargo cannot add a dependency from a build script: with
/// feature `vendored` the optional `libsodium-sys-stable` is there to use; without it, the system's libsodium found
/// by pkg-config, or a build error that lists the ways out. Never a libzmq without CURVE.
fn find_sodium(why: &str) -> Sodium {
    if env::var_os("CARGO_FEATURE_VENDORED").is_some() {
        let include = env::var_os("DEP_SODIUM_INCLUDE").map(PathBuf::from);
        let lib = env::var_os("DEP_SODIUM_LIB").map(PathBuf::from);
        let version = include.as_deref().and_then(sodium_header_version);
        let redirected = env_var("SODIUM_LIB_DIR").is_some() || env_var("SODIUM_USE_PKG_CONFIG").is_some();
        return Sodium::Crate { include, lib, version, redirected };
    }
    match pkg_config::Config::new().cargo_metadata(false).probe("libsodium") {
        Ok(lib) => Sodium::System(lib),
        Err(e) => panic!(
            "\n\nzmq-sys: building libzmq 4.3.5 from source ({why}), and libzmq 4.3.5 has CURVE only through \
             libsodium, but pkg-config found no libsodium ({}).\nWays out:\n  - build libsodium from source too: \
             enable the `vendored` feature (`cargo build --features vendored`);\n  - install the system libsodium: \
             `apt-get install libsodium-dev pkg-config` (Debian/Ubuntu), `dnf install libsodium-devel`, `brew install \
             libsodium`;\n  - or link the system libzmq instead: `apt-get install libzmq3-dev pkg-config`, \
             `dnf install zeromq-devel`, `brew install zeromq`.\n\n",
            pkg_config_reason(&e).trim_end_matches('.')
        ),
    }
}

/// Reads `SODIUM_VERSION_STRING` from libsodium's `sodium/version.h`.
fn sodium_header_version(include_dir: &Path) -> Option<String> {
    let text = fs::read_to_string(include_dir.join("sodium").join("version.h")).ok()?;
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("#define")?.trim().strip_prefix("SODIUM_VERSION_STRING")?;
        Some(rest.trim().trim_matches('"').to_string())
    })
}

/// Row 2: an installation named by the user.
fn explicit_install(want_draft: bool) -> Option<Linked> {
    let prefix = env_var("LIBZMQ_PREFIX").map(PathBuf::from);
    let lib_dir = env_var("LIBZMQ_LIB_DIR").map(PathBuf::from).or_else(|| prefix.as_ref().map(|p| p.join("lib")))?;
    let include_dir = env_var("LIBZMQ_INCLUDE_DIR")
        .map(PathBuf::from)
        .or_else(|| prefix.as_ref().map(|p| p.join("include")))
        .unwrap_or_else(|| lib_dir.join("..").join("include"));
    let version = header_version(&include_dir).unwrap_or_else(|| {
        panic!(
            "zmq-sys: LIBZMQ_LIB_DIR={} was given, but no readable zmq.h was found in {}; set LIBZMQ_INCLUDE_DIR",
            lib_dir.display(),
            include_dir.display()
        )
    });
    let kind = if env_flag("LIBZMQ_STATIC") { "static" } else { "dylib" };
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    println!("cargo:rustc-link-lib={kind}=zmq");
    let draft = want_draft && links_draft_symbols(std::slice::from_ref(&lib_dir), &include_dir);
    println!(
        "cargo:warning=zmq-sys: linking libzmq {}.{}.{} from {} (LIBZMQ_LIB_DIR/LIBZMQ_PREFIX set); {}",
        version.0,
        version.1,
        version.2,
        lib_dir.display(),
        Sodium::External.describe()
    );
    Some(Linked { version, draft, curve: None, include_dir, vendored: false, sodium: Sodium::External })
}

/// Row 3: pkg-config.
fn system_library(want_draft: bool) -> Result<Linked, String> {
    let lib = pkg_config::Config::new()
        .atleast_version("4.2")
        .probe("libzmq")
        .map_err(|e| format!("pkg-config found no libzmq >= 4.2: {}", pkg_config_reason(&e).trim_end_matches('.')))?;
    let mut search = lib.include_paths.clone();
    search.push(PathBuf::from("/usr/include"));
    search.push(PathBuf::from("/usr/local/include"));
    let include_dir = search
        .into_iter()
        .find(|dir| dir.join("zmq.h").is_file())
        .ok_or_else(|| "pkg-config found libzmq but not its zmq.h".to_string())?;
    let version = header_version(&include_dir).ok_or("zmq.h has no version")?;
    let defines_draft = lib.defines.contains_key("ZMQ_BUILD_DRAFT_API");
    let draft = want_draft && (defines_draft || links_draft_symbols(&lib.link_paths, &include_dir));
    println!(
        "cargo:warning=zmq-sys: linking the system libzmq {} (pkg-config), headers in {}; {}",
        lib.version,
        include_dir.display(),
        Sodium::External.describe()
    );
    Ok(Linked { version, draft, curve: None, include_dir, vendored: false, sodium: Sodium::External })
}

/// The gist of a pkg-config failure in one line: what pkg-config itself said, when it ran.
fn pkg_config_reason(e: &pkg_config::Error) -> String {
    let text = match e {
        pkg_config::Error::ProbeFailure { output, .. } => String::from_utf8_lossy(&output.stderr).into_owned(),
        other => other.to_string(),
    };
    let first = text.lines().map(str::trim).find(|line| !line.is_empty());
    first.unwrap_or("no reason given").to_string()
}

/// Reads `ZMQ_VERSION_MAJOR/MINOR/PATCH` from a zmq.h.
fn header_version(include_dir: &Path) -> Option<(u32, u32, u32)> {
    let text = fs::read_to_string(include_dir.join("zmq.h")).ok()?;
    let find = |name: &str| -> Option<u32> {
        text.lines().find_map(|line| {
            let mut words = line.split_whitespace();
            if words.next()? == "#define" && words.next()? == name {
                words.next()?.parse().ok()
            } else {
                None
            }
        })
    };
    Some((find("ZMQ_VERSION_MAJOR")?, find("ZMQ_VERSION_MINOR")?, find("ZMQ_VERSION_PATCH")?))
}

/// Tries to link a program that calls a draft function: the one reliable test of a library's draft API.
fn links_draft_symbols(lib_dirs: &[PathBuf], include_dir: &Path) -> bool {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let src = out.join("draft_probe.c");
    fs::write(
        &src,
        "void *zmq_poller_new(void);\nint zmq_poller_destroy(void **);\n\
         int main(void) { void *p = zmq_poller_new(); return zmq_poller_destroy(&p); }\n",
    )
    .expect("write probe");
    let compiler = cc::Build::new().cargo_metadata(false).get_compiler();
    let mut cmd = compiler.to_command();
    cmd.arg(&src).arg("-o").arg(out.join("draft_probe")).arg("-I").arg(include_dir);
    for dir in lib_dirs {
        cmd.arg("-L").arg(dir);
    }
    cmd.arg("-lzmq");
    matches!(cmd.output(), Ok(o) if o.status.success())
}

#[cfg(feature = "bindgen")]
fn generate_bindings(linked: &Linked) {
    let header = linked.include_dir.join("zmq.h");
    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .clang_arg("-DZMQ_BUILD_DRAFT_API=1")
        .allowlist_function("zmq_.*")
        .allowlist_type("zmq_.*")
        .allowlist_var("ZMQ_.*")
        .no_copy("zmq_msg_t")
        .use_core()
        .ctypes_prefix("libc")
        .blocklist_type("__sigset_t|sigset_t")
        .raw_line("pub use libc::sigset_t;")
        .derive_default(false)
        .layout_tests(true)
        .generate()
        .expect("bindgen could not read zmq.h");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("bindings.rs");
    bindings.write_to_file(&out).expect("write bindings");
    println!("cargo:rustc-cfg=zmq_sys_generated");
}

#[cfg(not(feature = "bindgen"))]
fn generate_bindings(_linked: &Linked) {}

/// Compiles a tiny C library that reports the header's constants and struct sizes, so a test can compare them
/// with the checked-in bindings (`tests/header.rs`).
fn build_header_check(include_dir: &Path) {
    println!("cargo::rustc-check-cfg=cfg(zmq_sys_generated)");
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let bindings = fs::read_to_string(manifest.join("src").join("bindings.rs")).expect("src/bindings.rs");
    let mut names: Vec<&str> = bindings
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub const ZMQ_"))
        .filter(|rest| !rest.contains("&[u8"))
        .filter_map(|rest| rest.split(':').next())
        .collect();
    names.sort_unstable();
    names.dedup();
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let mut build = cc::Build::new();
    // One table as a plain C program sees the header, one with the draft API switched on: a constant present only
    // in the second belongs to the draft section.
    for (table, draft) in [("zmq_sys_consts", false), ("zmq_sys_draft_consts", true)] {
        let mut c = String::new();
        if draft {
            c.push_str("#define ZMQ_BUILD_DRAFT_API 1\n");
        }
        c.push_str(
            "#include <zmq.h>\n#include <stddef.h>\n\
             struct zmq_sys_const { const char *name; long long value; int defined; };\n",
        );
        c.push_str(&format!("const struct zmq_sys_const {table}[] = {{\n"));
        for name in &names {
            c.push_str(&format!(
                "#ifdef ZMQ_{name}\n  {{\"ZMQ_{name}\", (long long)(ZMQ_{name}), 1}},\n#else\n  {{\"ZMQ_{name}\", 0, 0}},\n#endif\n"
            ));
        }
        c.push_str("  {0, 0, 0}\n};\n");
        if !draft {
            c.push_str(
                "const size_t zmq_sys_sizes[] = { sizeof(zmq_msg_t), sizeof(zmq_pollitem_t), \
                 offsetof(zmq_pollitem_t, events), offsetof(zmq_pollitem_t, revents) };\n",
            );
        }
        let src = out.join(format!("{table}.c"));
        fs::write(&src, c).expect("write header check source");
        build.file(&src);
    }
    build.include(include_dir).cargo_metadata(false).warnings(false).compile("zmq_sys_header_check");
    // Only the header test links it (by name); the search path is harmless for everyone else.
    println!("cargo:rustc-link-search=native={}", out.display());
}

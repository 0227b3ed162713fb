//! The library the build chose is the one that runs, and it has what the build promised.

#[test]
fn linked_version_is_the_one_the_build_chose() {
    let (major, minor, patch) = zmq::version();
    let running = format!("{major}.{minor}.{patch}");
    assert_eq!(running, zmq::build_info::LINKED_VERSION, "built against one libzmq, running another");
    if zmq::build_info::VENDORED {
        assert_eq!(running, "4.3.5", "the source build is libzmq 4.3.5");
    }
    println!("libzmq {running}, vendored: {}, draft: {}", zmq::build_info::VENDORED, zmq::build_info::DRAFT);
}

/// CURVE is promised in every build mode: a build without it is a bug, so this fails rather than skips.
#[test]
fn curve_is_available() {
    assert_eq!(zmq::has("curve"), Some(true), "this libzmq was built without CURVE");
    let pair = zmq::CurveKeyPair::new().expect("zmq_curve_keypair works");
    assert_ne!(pair.public_key, [0u8; 32]);
}

#[test]
fn draft_api_matches_the_build() {
    assert_eq!(zmq::has("draft"), Some(zmq::build_info::DRAFT), "draft API promised and present must agree");
}

#[test]
fn ipc_and_inproc_work() {
    assert_eq!(zmq::has("ipc"), Some(true));
}

/// Where CURVE's libsodium comes from, as the build decided it (`DEP_ZMQ_SODIUM`, forwarded by the root build
/// script): `static` (built from source into this binary), `shared` (the system's, linked dynamically), `external`
/// (a libzmq that was not built here brings its own) or `libsodium-sys-stable` (that crate, told by its own
/// variables to link an installed copy).
const SODIUM: Option<&str> = Some(zmq::build_info::SODIUM);

/// A build that links the system libzmq compiles no libsodium of its own; a source build links exactly the
/// libsodium the build announced. Checked in the running binary: its symbol table and the shared objects mapped.
#[test]
#[cfg(target_os = "linux")]
fn libsodium_is_the_one_the_build_chose() {
    let exe = std::fs::read("/proc/self/exe").expect("read /proc/self/exe");
    let defines = |name: &[u8]| elf::defines_symbol(&exe, name).expect("the test binary is an ELF file with symbols");
    assert!(defines(b"main") && !defines(b"no_such_symbol_in_this_binary"), "the symbol table reader works");
    let compiled_in = defines(b"sodium_init");
    let maps = std::fs::read_to_string("/proc/self/maps").expect("read /proc/self/maps");
    let shared_loaded = maps.lines().any(|line| line.contains("/libsodium.so"));
    println!("libsodium: {SODIUM:?}; compiled in: {compiled_in}; shared library loaded: {shared_loaded}");
    if !zmq::build_info::VENDORED {
        assert_eq!(SODIUM, Some("external"), "a libzmq built elsewhere brings its own libsodium");
        assert!(!compiled_in, "linking a libzmq built elsewhere, yet this binary carries its own libsodium");
        return;
    }
    match SODIUM {
        Some("static") => {
            assert!(compiled_in, "the build promised a static libsodium, but sodium_init is not in this binary");
            assert!(!shared_loaded, "a static libsodium was promised, yet a shared one is loaded too");
        }
        Some("shared") => {
            assert!(!compiled_in, "the build promised the system's libsodium, yet this binary carries its own");
            assert!(shared_loaded, "the build promised the system's libsodium, but no libsodium.so is loaded");
        }
        // libsodium-sys-stable linking an installed copy, as SODIUM_LIB_DIR / SODIUM_USE_PKG_CONFIG told it.
        Some("libsodium-sys-stable") => {}
        other => panic!("the source build did not say where CURVE's libsodium comes from ({other:?})"),
    }
}

/// Just enough of ELF64 (little-endian) to ask whether the static symbol table defines a name.
#[cfg(target_os = "linux")]
mod elf {
    const SHT_SYMTAB: u32 = 2;
    const SHN_UNDEF: u16 = 0;

    fn bytes<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
        data.get(at..at.checked_add(N)?)?.try_into().ok()
    }
    fn u16_at(data: &[u8], at: usize) -> Option<u16> {
        bytes(data, at).map(u16::from_le_bytes)
    }
    fn u32_at(data: &[u8], at: usize) -> Option<u32> {
        bytes(data, at).map(u32::from_le_bytes)
    }
    fn usize_at(data: &[u8], at: usize) -> Option<usize> {
        bytes(data, at).map(u64::from_le_bytes).and_then(|v| usize::try_from(v).ok())
    }

    /// `Some(true)` when a symbol of that name is defined (not merely referenced) in the `.symtab` section; `None`
    /// when the file is not a little-endian ELF64 file or has no symbol table.
    pub fn defines_symbol(file: &[u8], name: &[u8]) -> Option<bool> {
        if file.get(..6)? != b"\x7fELF\x02\x01" {
            return None;
        }
        let (shoff, shentsize, shnum) = (usize_at(file, 0x28)?, usize::from(u16_at(file, 0x3a)?), u16_at(file, 0x3c)?);
        let section = |i: usize| -> Option<(u32, usize, usize, usize)> {
            let at = shoff.checked_add(i.checked_mul(shentsize)?)?;
            let header = file.get(at..at.checked_add(64)?)?;
            Some((u32_at(header, 4)?, usize_at(header, 24)?, usize_at(header, 32)?, u32_at(header, 40)? as usize))
        };
        let (_, symoff, symsize, strtab) = (0..usize::from(shnum)).filter_map(section).find(|s| s.0 == SHT_SYMTAB)?;
        let (_, stroff, strsize, _) = section(strtab)?;
        let strings = file.get(stroff..stroff.checked_add(strsize)?)?;
        let symbols = file.get(symoff..symoff.checked_add(symsize)?)?;
        Some(symbols.chunks_exact(24).any(|sym| {
            let defined = u16_at(sym, 6).is_some_and(|shndx| shndx != SHN_UNDEF);
            let start = u32_at(sym, 0).unwrap_or(0) as usize;
            let found = strings.get(start..).and_then(|s| s.split(|&b| b == 0).next());
            defined && found == Some(name)
        }))
    }
}

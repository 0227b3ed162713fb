//! Checks the checked-in bindings against the zmq.h actually used by this build: every `ZMQ_*` constant the
//! bindings declare must have the header's value (or be absent from an older header), and the structs must have
//! the header's layout. The C side is compiled by the build script (`zmq_sys_header_check`).

use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_longlong};

#[repr(C)]
struct CConst {
    name: *const c_char,
    value: c_longlong,
    defined: c_int,
}

#[link(name = "zmq_sys_header_check", kind = "static")]
extern "C" {
    static zmq_sys_consts: [CConst; 0];
    static zmq_sys_draft_consts: [CConst; 0];
    static zmq_sys_sizes: [usize; 4];
}

/// Parses `pub const ZMQ_X: T = V;` lines of the checked-in bindings.
fn rust_constants() -> Vec<(String, i128)> {
    let text = include_str!("../src/bindings.rs");
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("pub const ")?;
            if rest.contains("&[u8") {
                return None; // string constants (message property names) are not numbers
            }
            let (name, rest) = rest.split_once(':')?;
            let value = rest.split_once('=')?.1.trim().trim_end_matches(';');
            Some((name.trim().to_string(), value.parse().ok()?))
        })
        .collect()
}

fn c_constants(draft: bool) -> Vec<(String, Option<i128>)> {
    let mut out = Vec::new();
    // SAFETY: the C arrays are terminated by an entry with a NULL name; every name is a static C string.
    unsafe {
        let mut p = if draft {
            std::ptr::addr_of!(zmq_sys_draft_consts) as *const CConst
        } else {
            std::ptr::addr_of!(zmq_sys_consts) as *const CConst
        };
        while !(*p).name.is_null() {
            let name = CStr::from_ptr((*p).name).to_str().unwrap().to_string();
            out.push((name, ((*p).defined != 0).then_some((*p).value as i128)));
            p = p.add(1);
        }
    }
    out
}

#[test]
fn constants_match_the_header() {
    let mut rust = rust_constants();
    rust.sort();
    let stable = c_constants(false);
    let draft = c_constants(true);
    assert!(rust.len() > 200, "parsed only {} constants from bindings.rs", rust.len());
    assert_eq!(rust.len(), stable.len(), "the C check and the bindings list different constants");
    let (mut major, mut minor, mut patch) = (0, 0, 0);
    // SAFETY: zmq_version writes three ints.
    unsafe { zmq_sys::zmq_version(&mut major, &mut minor, &mut patch) };
    let same_release = (major, minor, patch) == (4, 3, 5);
    let (mut checked, mut absent, mut draft_differs) = (0, Vec::new(), Vec::new());
    for (((name, value), (_, stable_value)), (c_name, draft_value)) in rust.iter().zip(&stable).zip(&draft) {
        assert_eq!(name, c_name);
        if name.starts_with("ZMQ_VERSION_") {
            continue; // the bindings come from 4.3.5; the linked version is checked below
        }
        match (stable_value, draft_value) {
            // Stable API: must match whatever 4.x header is used.
            (Some(c), _) => {
                assert_eq!(value, c, "{name}: bindings say {value}, zmq.h says {c}");
                checked += 1;
            }
            // Draft API: must match the header the bindings were made from; older releases renumbered some.
            (None, Some(c)) if same_release => {
                assert_eq!(value, c, "{name} (draft): bindings say {value}, zmq.h says {c}");
                checked += 1;
            }
            (None, Some(c)) => {
                if value != c {
                    draft_differs.push(format!("{name}={c}"));
                }
                checked += 1;
            }
            (None, None) => absent.push(name.clone()),
        }
    }
    // 4.3.5's header has every constant of the bindings; an older 4.3 lacks only some of 4.3.5's draft additions.
    if same_release {
        assert!(absent.is_empty(), "zmq.h lacks {absent:?}");
    }
    assert!(checked > 200, "only {checked} constants could be checked");
    println!(
        "libzmq {major}.{minor}.{patch}: {checked} constants checked against zmq.h; absent: {absent:?}; draft values \
         that differ from 4.3.5: {draft_differs:?}"
    );
}

#[test]
fn struct_layouts_match_the_header() {
    // SAFETY: a plain array of four sizes defined by the C side.
    let sizes = unsafe { zmq_sys_sizes };
    assert_eq!(sizes[0], std::mem::size_of::<zmq_sys::zmq_msg_t>());
    assert_eq!(sizes[1], std::mem::size_of::<zmq_sys::zmq_pollitem_t>());
    assert_eq!(sizes[2], std::mem::offset_of!(zmq_sys::zmq_pollitem_t, events));
    assert_eq!(sizes[3], std::mem::offset_of!(zmq_sys::zmq_pollitem_t, revents));
    assert_eq!(std::mem::align_of::<zmq_sys::zmq_msg_t>(), 8);
}

#[test]
fn errno_values_match_libzmq() {
    use zmq_sys::errno;
    // libzmq's own numbers, as zmq_strerror knows them.
    for (code, text) in
        [(errno::ETERM, "Context was terminated"), (errno::EFSM, "Operation cannot be accomplished in current state")]
    {
        // SAFETY: zmq_strerror returns a static string for any int.
        let msg = unsafe { CStr::from_ptr(zmq_sys::zmq_strerror(code)) };
        assert_eq!(msg.to_str().unwrap(), text);
    }
}

#[test]
fn linked_version_is_the_metadata_version() {
    let (mut a, mut b, mut c) = (0, 0, 0);
    // SAFETY: zmq_version writes three ints.
    unsafe { zmq_sys::zmq_version(&mut a, &mut b, &mut c) };
    assert!((a, b) >= (4, 2), "libzmq {a}.{b}.{c} is older than 4.2");
}

//! C interop: one libzmq in the process, contexts and sockets passed between C and Rust as raw pointers.
//! The C side is tests/interop.c, compiled by the build script against the header of the linked libzmq.

mod common;

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::time::Duration;

use common::{socket, unique, within};

#[link(name = "zmq_interop_c", kind = "static")]
extern "C" {
    fn interop_ctx_new() -> *mut c_void;
    fn interop_ctx_term(ctx: *mut c_void) -> c_int;
    fn interop_pair(ctx: *mut c_void, endpoint: *const c_char, bind: c_int) -> *mut c_void;
    fn interop_send(s: *mut c_void, text: *const c_char) -> c_int;
    fn interop_recv(s: *mut c_void, buf: *mut c_char, cap: c_int) -> c_int;
    fn interop_close(s: *mut c_void) -> c_int;
    fn interop_ctx_new_address() -> *mut c_void;
    fn interop_version(major: *mut c_int, minor: *mut c_int, patch: *mut c_int);
}

const LIMIT: Duration = Duration::from_secs(20);

fn c_recv(s: *mut c_void) -> String {
    let mut buf = [0 as c_char; 256];
    // SAFETY: the C side writes at most 255 bytes plus a NUL into buf.
    let n = unsafe { interop_recv(s, buf.as_mut_ptr(), buf.len() as c_int) };
    assert!(n >= 0, "C recv failed");
    // SAFETY: NUL-terminated by interop_recv.
    unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap().to_string()
}

fn c_send(s: *mut c_void, text: &str) {
    let text = CString::new(text).unwrap();
    // SAFETY: s is an open socket; text is NUL-terminated.
    assert!(unsafe { interop_send(s, text.as_ptr()) } >= 0, "C send failed");
}

#[test]
fn one_libzmq_in_the_process() {
    // SAFETY: plain queries.
    let c_addr = unsafe { interop_ctx_new_address() } as usize;
    let rust_addr = zmq_sys::zmq_ctx_new as unsafe extern "C" fn() -> *mut c_void as usize;
    assert_eq!(c_addr, rust_addr, "C and Rust resolve zmq_ctx_new to different libraries");
    let (mut a, mut b, mut c) = (0, 0, 0);
    // SAFETY: writes three ints.
    unsafe { interop_version(&mut a, &mut b, &mut c) };
    assert_eq!((a, b, c), zmq::version());
}

/// C creates the context and a socket; Rust borrows the context, makes its own socket, and they talk both ways.
#[test]
fn rust_borrows_a_context_made_by_c() {
    within(LIMIT, || {
        // SAFETY: a fresh context, terminated by the C side at the end, after every Rust handle is gone.
        let raw_ctx = unsafe { interop_ctx_new() };
        assert!(!raw_ctx.is_null());
        let ep = CString::new(format!("inproc://{}", unique("c-made"))).unwrap();
        // SAFETY: raw_ctx is live; ep is NUL-terminated.
        let c_sock = unsafe { interop_pair(raw_ctx, ep.as_ptr(), 1) };
        assert!(!c_sock.is_null());
        {
            // SAFETY: the C side terminates the context only after this block, when every handle is gone.
            let ctx = unsafe { zmq::Context::from_raw_borrowed(raw_ctx) };
            let s = socket(&ctx, zmq::PAIR);
            s.set_linger(0).unwrap();
            s.connect(ep.to_str().unwrap()).unwrap();
            s.send("from rust", 0).unwrap();
            assert_eq!(c_recv(c_sock), "from rust");
            c_send(c_sock, "from c");
            assert_eq!(s.recv_string(0).unwrap().unwrap(), "from c");
        }
        // SAFETY: closes the C socket, then terminates the context, which no Rust handle uses any more.
        unsafe {
            assert_eq!(interop_close(c_sock), 0);
            assert_eq!(interop_ctx_term(raw_ctx), 0);
        }
    });
}

/// Rust hands its context's raw pointer to C; C makes a socket on it and they talk both ways.
#[test]
fn c_uses_a_context_made_by_rust() {
    within(LIMIT, || {
        let ctx = zmq::Context::new();
        let s = socket(&ctx, zmq::PAIR);
        s.set_linger(0).unwrap();
        let ep = format!("inproc://{}", unique("rust-made"));
        s.bind(&ep).unwrap();
        let c_ep = CString::new(ep).unwrap();
        // SAFETY: the context is alive while `ctx` lives; the C socket is closed before `ctx` is dropped.
        let c_sock = unsafe { interop_pair(ctx.as_raw(), c_ep.as_ptr(), 0) };
        assert!(!c_sock.is_null());
        c_send(c_sock, "hello from c");
        assert_eq!(s.recv_string(0).unwrap().unwrap(), "hello from c");
        s.send("hello from rust", 0).unwrap();
        assert_eq!(c_recv(c_sock), "hello from rust");
        // A socket made by C can also be adopted by Rust and closed on drop.
        // SAFETY: c_sock is open, used by nothing else from here on, and its context outlives it.
        let adopted = unsafe { zmq::Socket::from_raw(c_sock) };
        assert_eq!(adopted.get_socket_type().unwrap(), zmq::PAIR);
        drop(adopted);
        drop(s);
        drop(ctx);
    });
}

/// A raw message pointer passed to C-style code is a real zmq_msg_t.
#[test]
fn raw_messages_are_zmq_msg_t() {
    let mut msg = zmq::Message::from("payload");
    // SAFETY: the pointer is a live, initialised zmq_msg_t.
    let size = unsafe { zmq_sys::zmq_msg_size(msg.as_mut_msg_ptr()) };
    assert_eq!(size, 7);
}

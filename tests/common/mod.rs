//! Support shared by the integration tests.
#![allow(dead_code)]

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Runs `f` on its own thread and fails the test if it does not finish within `limit` (a zmq bug usually shows
/// up as a hang). A panic inside `f` is re-raised here.
pub fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        let out = f();
        let _ = tx.send(());
        out
    });
    match rx.recv_timeout(limit) {
        Ok(()) => handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
        Err(mpsc::RecvTimeoutError::Disconnected) => handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("timed out after {limit:?}: the operation hangs"),
    }
}

/// Times `f`.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// A context whose sockets never wait for undelivered messages, so a failing test cannot hang at the end.
pub fn ctx() -> zmq::Context {
    zmq::Context::builder().linger(0).build().unwrap()
}

/// A socket with a receive timeout, so a test fails instead of hanging.
pub fn socket(ctx: &zmq::Context, kind: zmq::SocketType) -> zmq::Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s
}

/// Binds `s` to a free loopback TCP port and returns the endpoint.
pub fn bind_tcp(s: &zmq::Socket) -> String {
    s.bind("tcp://127.0.0.1:*").unwrap();
    s.last_endpoint().unwrap()
}

/// A loopback TCP endpoint with nothing listening on it (a port bound and released by the OS).
pub fn dead_tcp_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("tcp://127.0.0.1:{port}")
}

/// A unique name for inproc and ipc endpoints.
pub fn unique(tag: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{tag}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

#[path = "../isolated/mod.rs"]
pub mod isolated;
#[allow(unused_imports)]
pub use isolated::isolated;

/// A zero-copy message owner ([`zmq::Message::from_owned`]) that runs `on_drop` when libzmq frees it.
pub struct Owner {
    bytes: Vec<u8>,
    on_drop: fn(),
}

impl Owner {
    pub fn new(bytes: Vec<u8>, on_drop: fn()) -> Owner {
        Owner { bytes, on_drop }
    }
}

impl AsRef<[u8]> for Owner {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        (self.on_drop)()
    }
}

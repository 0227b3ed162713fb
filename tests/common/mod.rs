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

/// Runs `body` in a child process (this test binary again, running only the test `name`), so that a crash, an
/// abort or a hang in it fails this test instead of killing or stalling the whole test run. Returns the child's
/// combined output; fails the test if the child does not exit successfully within `limit`.
///
/// `name` must be the test's own name (as `--exact` matches it); in the child, `body` runs and the test returns.
pub fn isolated(name: &str, limit: Duration, body: impl FnOnce()) -> String {
    const VAR: &str = "ZMQ_TEST_ISOLATED";
    if std::env::var(VAR).as_deref() == Ok(name) {
        body();
        return String::new();
    }
    let exe = std::env::current_exe().expect("current_exe");
    let mut child = std::process::Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(VAR, name)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the test binary");
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(10));
    };
    let mut out = String::new();
    use std::io::Read;
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut out);
    }
    match status {
        None => panic!("{name}: the child process hung for {limit:?}\n{out}"),
        Some(s) if !s.success() => panic!("{name}: the child process failed ({s})\n{out}"),
        Some(_) if !out.contains("test result: ok. 1 passed") => panic!("{name}: the child ran no test\n{out}"),
        Some(_) => out,
    }
}

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

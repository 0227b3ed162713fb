//! Shared pieces of the perf examples (`{local,remote,inproc}_{thr,lat}.rs`): the command line, the
//! send modes, the timed loops and libzmq's report lines. Each of them pulls it in with `mod perf;`
//! (cargo does not build `examples/perf/mod.rs` as an example of its own). The C reference programs in
//! `bench/c/` share the same pieces through `bench/c/perf.h`.
#![allow(dead_code)]

use std::process::exit;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Prints `error in <what>: <err>` and exits with status 1.
pub fn fail(what: &str, err: zmq::Error) -> ! {
    eprintln!("error in {what}: {err}");
    exit(1)
}

/// How a throughput sender makes its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendMode {
    /// Every message from one reused buffer with `send(&[u8])`: one copy into a libzmq message, as
    /// `zmq_send` does in C.
    Copy,
    /// `--zero-copy` / `ZMQ_PERF_ZERO_COPY=1`: every message a freshly allocated, zero-filled `Vec<u8>`
    /// whose ownership goes to libzmq without copying (`send(Vec<u8>)`, i.e. `zmq_msg_init_data`).
    ZeroCopyFresh,
    /// `--zero-copy-shared` / `ZMQ_PERF_ZERO_COPY=shared`: one immutable `Arc<[u8]>` payload, made once
    /// and handed to libzmq once (`Message::from_owned`); every message is a zero-copy reference to that one
    /// message (`Message::share`, i.e. `zmq_msg_copy`: a reference count, no allocation).
    ZeroCopyShared,
    /// `--zero-copy-static` / `ZMQ_PERF_ZERO_COPY=static`: one payload that lives until the process exits,
    /// every message referring to it as constant data (`Message::from_static`, i.e. `zmq_msg_init_data`
    /// without a free function).
    ZeroCopyStatic,
}

impl SendMode {
    fn from_flag(flag: &str) -> Option<SendMode> {
        match flag {
            "--zero-copy" => Some(SendMode::ZeroCopyFresh),
            "--zero-copy-shared" => Some(SendMode::ZeroCopyShared),
            "--zero-copy-static" => Some(SendMode::ZeroCopyStatic),
            _ => None,
        }
    }

    /// `ZMQ_PERF_ZERO_COPY`: unset, empty or `0` copies, `shared` shares one payload, `static` sends one
    /// constant payload, anything else (`1`) sends fresh buffers.
    fn from_env() -> SendMode {
        match std::env::var("ZMQ_PERF_ZERO_COPY").as_deref() {
            Err(_) | Ok("") | Ok("0") => SendMode::Copy,
            Ok("shared") => SendMode::ZeroCopyShared,
            Ok("static") => SendMode::ZeroCopyStatic,
            Ok(_) => SendMode::ZeroCopyFresh,
        }
    }
}

/// A perf tool's command line: `positional` arguments, and for senders an optional send-mode flag.
pub struct Args {
    usage: &'static str,
    args: Vec<String>,
    /// The send mode (`SendMode::Copy` for tools that take no flag).
    pub send_mode: SendMode,
}

impl Args {
    /// Exactly `positional` arguments, or the usage line and exit.
    pub fn parse(usage: &'static str, positional: usize) -> Args {
        Args::parse_inner(usage, positional, false)
    }

    /// `positional` arguments and optionally `--zero-copy`, `--zero-copy-shared` or `--zero-copy-static` (else
    /// `ZMQ_PERF_ZERO_COPY`).
    pub fn parse_with_send_mode(usage: &'static str, positional: usize) -> Args {
        Args::parse_inner(usage, positional, true)
    }

    fn parse_inner(usage: &'static str, positional: usize, send_mode_flag: bool) -> Args {
        let mut args: Vec<String> = std::env::args().skip(1).collect();
        let send_mode = if send_mode_flag && args.len() == positional + 1 {
            args.pop().as_deref().and_then(SendMode::from_flag)
        } else if args.len() == positional {
            Some(if send_mode_flag { SendMode::from_env() } else { SendMode::Copy })
        } else {
            None
        };
        let Some(send_mode) = send_mode else {
            eprintln!("{usage}");
            exit(1)
        };
        Args { usage, args, send_mode }
    }

    /// The `i`-th positional argument (from 0).
    pub fn text(&self, i: usize) -> &str {
        &self.args[i]
    }

    /// The `i`-th positional argument as a number `>= min`, or the usage line and exit.
    pub fn number(&self, i: usize, min: usize) -> usize {
        let arg = &self.args[i];
        match arg.parse::<usize>() {
            Ok(n) if n >= min => n,
            _ => {
                eprintln!("{}\ninvalid number: {arg:?}", self.usage);
                exit(1)
            }
        }
    }
}

/// A socket of `kind` bound to `endpoint`.
pub fn bind(ctx: &zmq::Context, kind: zmq::SocketType, endpoint: &str) -> zmq::Socket {
    let socket = ctx.socket(kind).unwrap_or_else(|e| fail("socket", e));
    socket.bind(endpoint).unwrap_or_else(|e| fail("bind", e));
    socket
}

/// A socket of `kind` connected to `endpoint`.
pub fn connect(ctx: &zmq::Context, kind: zmq::SocketType, endpoint: &str) -> zmq::Socket {
    let socket = ctx.socket(kind).unwrap_or_else(|e| fail("socket", e));
    socket.connect(endpoint).unwrap_or_else(|e| fail("connect", e));
    socket
}

/// Runs `work` on a second thread with a handle on the same context (the other end of an inproc test).
pub fn spawn_peer<F>(ctx: &zmq::Context, work: F) -> thread::JoinHandle<()>
where
    F: FnOnce(zmq::Context) + Send + 'static,
{
    let ctx = ctx.clone();
    thread::spawn(move || work(ctx))
}

/// Waits for the thread of [`spawn_peer`]; exits if it panicked.
pub fn join_peer(peer: thread::JoinHandle<()>) {
    if peer.join().is_err() {
        eprintln!("error: the peer thread panicked");
        exit(1);
    }
}

/// `size` bytes of a non-zero pattern (so that no zero-page shortcut of the kernel applies when it is read).
pub fn payload(size: usize) -> Vec<u8> {
    (0..size).map(|i| i as u8).collect()
}

/// Whether `ZMQ_PERF_ASYNC=1` asks for the async loops.
pub fn async_mode() -> bool {
    std::env::var("ZMQ_PERF_ASYNC").as_deref() == Ok("1")
}

/// Sends `count` messages of `size` bytes in `mode`; gives the socket back, for the caller to close when it
/// chooses (see [`close_delay_from_env`]).
pub fn send_messages(socket: zmq::Socket, size: usize, count: usize, mode: SendMode) -> zmq::Socket {
    if async_mode() {
        return asynchronous::send_messages(socket, size, count, mode);
    }
    let mut messages = Messages::new(size, mode);
    for _ in 0..count {
        socket.send(messages.next(), 0).unwrap_or_else(|e| fail("send", e));
    }
    socket
}

/// Where a sender in some [`SendMode`] takes its messages from.
pub enum Messages {
    Copy(Vec<u8>),
    Fresh(usize),
    Shared(zmq::Message),
    Static(&'static [u8]),
}

impl Messages {
    /// The messages a sender in `mode` sends.
    pub fn new(size: usize, mode: SendMode) -> Messages {
        match mode {
            SendMode::Copy => Messages::Copy(payload(size)),
            SendMode::ZeroCopyFresh => Messages::Fresh(size),
            SendMode::ZeroCopyShared => {
                let shared: Arc<[u8]> = payload(size).into();
                Messages::Shared(zmq::Message::from_owned(shared))
            }
            // Queued messages may still refer to it after the sender returns: it lives until the process exits.
            SendMode::ZeroCopyStatic => Messages::Static(Box::leak(payload(size).into_boxed_slice())),
        }
    }

    /// The next message to send.
    #[inline]
    pub fn next(&mut self) -> zmq::Message {
        match self {
            // A copy into a new libzmq message, as `send(&[u8])` and C's `zmq_send` make.
            Messages::Copy(buf) => zmq::Message::from(&buf[..]),
            Messages::Fresh(size) => zmq::Message::from(vec![0u8; *size]),
            Messages::Shared(message) => message.share(),
            Messages::Static(constant) => zmq::Message::from_static(constant),
        }
    }
}

/// Sleeps `ZMQ_PERF_CLOSE_DELAY_MS` milliseconds, if set.
///
/// Over `ipc://` libzmq (4.3.x) can drop the data still buffered for a receiver that is applying
/// back-pressure when the sender's connection closes (the receiver sees EPOLLHUP while its input is
/// stopped), and the receiver then waits forever for the missing messages; a sender that waits a little
/// before closing lets it drain first. The receiver measures, so the delay does not enter the result.
pub fn close_delay_from_env() {
    let ms = std::env::var("ZMQ_PERF_CLOSE_DELAY_MS").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    if ms > 0 {
        thread::sleep(Duration::from_millis(ms));
    }
}

/// Receives one message into `msg` and checks its size.
pub fn recv_exact(socket: &zmq::Socket, msg: &mut zmq::Message, size: usize) {
    socket.recv(msg, 0).unwrap_or_else(|e| fail("recv", e));
    check_size(msg, size);
}

/// Exits unless `msg` has `size` bytes.
pub fn check_size(msg: &zmq::Message, size: usize) {
    if msg.len() != size {
        eprintln!("message of incorrect size received: {} [B], expected {size} [B]", msg.len());
        exit(1);
    }
}

/// Receives `count` messages of `size` bytes into one reused message; returns the microseconds from the
/// first message to the last (at least 1).
pub fn receive_timed(socket: zmq::Socket, size: usize, count: usize) -> f64 {
    if async_mode() {
        return asynchronous::receive_timed(socket, size, count);
    }
    let socket = &socket;
    let mut msg = zmq::Message::new();
    recv_exact(socket, &mut msg, size);
    let start = Instant::now();
    for _ in 1..count {
        recv_exact(socket, &mut msg, size);
    }
    (start.elapsed().as_secs_f64() * 1e6).max(1.0)
}

/// Sends every one of `count` requests straight back: the received message itself, without copying.
pub fn echo(socket: zmq::Socket, size: usize, count: usize) {
    if async_mode() {
        return asynchronous::echo(socket, size, count);
    }
    let socket = &socket;
    let mut msg = zmq::Message::new();
    for _ in 0..count {
        recv_exact(socket, &mut msg, size);
        socket.send_in_place(&mut msg, 0).unwrap_or_else(|e| fail("send", e));
    }
}

/// `count` round trips of a `size` byte request sent from one reused buffer (`send(&[u8])`, one copy),
/// the reply received into one reused message; returns the microseconds they took.
pub fn roundtrips(socket: zmq::Socket, size: usize, count: usize) -> f64 {
    if async_mode() {
        return asynchronous::roundtrips(socket, size, count);
    }
    let socket = &socket;
    let request = payload(size);
    let mut reply = zmq::Message::new();
    let start = Instant::now();
    for _ in 0..count {
        socket.send(&request[..], 0).unwrap_or_else(|e| fail("send", e));
        recv_exact(socket, &mut reply, size);
    }
    start.elapsed().as_secs_f64() * 1e6
}

/// libzmq's first two report lines: `message size: N [B]` and `<count_label>: N`.
pub fn print_header(size: usize, count_label: &str, count: usize) {
    println!("message size: {size} [B]");
    println!("{count_label}: {count}");
}

/// libzmq's throughput report lines.
pub fn print_throughput(size: usize, count: usize, elapsed_us: f64) {
    let throughput = count as f64 / elapsed_us * 1e6;
    let megabits = throughput * size as f64 * 8.0 / 1e6;
    println!("mean throughput: {} [msg/s]", throughput as u64);
    println!("mean throughput: {megabits:.3} [Mb/s]");
}

/// libzmq's latency report line: half the mean round trip.
pub fn print_latency(elapsed_us: f64, roundtrips: usize) {
    println!("average latency: {:.3} [us]", elapsed_us / (roundtrips as f64 * 2.0));
}

/// The loops above on [`zmq::AsyncSocket`], each on a current-thread runtime of its own.
#[cfg(feature = "tokio")]
mod asynchronous {
    use super::{check_size, fail, payload, Messages, SendMode};
    use std::future::Future;
    use std::time::Instant;
    use zmq::AsyncSocket;

    /// Runs `body` on the socket made async; gives the blocking socket back once `body` is done with it.
    fn run<T, F, Fut>(socket: zmq::Socket, body: F) -> (T, zmq::Socket)
    where
        F: FnOnce(AsyncSocket) -> Fut,
        Fut: Future<Output = T>,
    {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
        runtime.block_on(async {
            let socket = AsyncSocket::from_socket(socket).unwrap_or_else(|e| fail("AsyncSocket::from_socket", e));
            let out = body(socket.clone()).await;
            let Ok(socket) = socket.into_socket() else { unreachable!("the body's handle is gone") };
            (out, socket)
        })
    }

    async fn ok<T>(what: &str, call: impl Future<Output = zmq::Result<T>>) -> T {
        call.await.unwrap_or_else(|e| fail(what, e))
    }

    pub fn send_messages(socket: zmq::Socket, size: usize, count: usize, mode: SendMode) -> zmq::Socket {
        let mut messages = Messages::new(size, mode);
        let ((), socket) = run(socket, |socket| async move {
            for _ in 0..count {
                ok("send", socket.send(messages.next(), 0)).await;
            }
        });
        socket
    }

    pub fn receive_timed(socket: zmq::Socket, size: usize, count: usize) -> f64 {
        run(socket, |socket| async move {
            let mut msg = zmq::Message::new();
            ok("recv", socket.recv(&mut msg)).await;
            check_size(&msg, size);
            let start = Instant::now();
            for _ in 1..count {
                ok("recv", socket.recv(&mut msg)).await;
                check_size(&msg, size);
            }
            (start.elapsed().as_secs_f64() * 1e6).max(1.0)
        })
        .0
    }

    pub fn echo(socket: zmq::Socket, size: usize, count: usize) {
        run(socket, |socket| async move {
            for _ in 0..count {
                let msg = ok("recv", socket.recv_msg()).await;
                check_size(&msg, size);
                ok("send", socket.send(msg, 0)).await;
            }
        });
    }

    pub fn roundtrips(socket: zmq::Socket, size: usize, count: usize) -> f64 {
        run(socket, |socket| async move {
            let request = payload(size);
            let mut reply = zmq::Message::new();
            let start = Instant::now();
            for _ in 0..count {
                ok("send", socket.send(&request[..], 0)).await;
                ok("recv", socket.recv(&mut reply)).await;
                check_size(&reply, size);
            }
            start.elapsed().as_secs_f64() * 1e6
        })
        .0
    }
}

/// Without the `tokio` feature, `ZMQ_PERF_ASYNC=1` is an error.
#[cfg(not(feature = "tokio"))]
mod asynchronous {
    use super::SendMode;

    fn unavailable() -> ! {
        eprintln!("ZMQ_PERF_ASYNC=1 needs the examples built with `--features tokio`");
        std::process::exit(1)
    }

    pub fn send_messages(_: zmq::Socket, _: usize, _: usize, _: SendMode) -> zmq::Socket {
        unavailable()
    }

    pub fn receive_timed(_: zmq::Socket, _: usize, _: usize) -> f64 {
        unavailable()
    }

    pub fn echo(_: zmq::Socket, _: usize, _: usize) {
        unavailable()
    }

    pub fn roundtrips(_: zmq::Socket, _: usize, _: usize) -> f64 {
        unavailable()
    }
}

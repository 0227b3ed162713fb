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

/// Sends `count` messages of `size` bytes in `mode`.
pub fn send_messages(socket: &zmq::Socket, size: usize, count: usize, mode: SendMode) {
    match mode {
        SendMode::Copy => {
            let buf = payload(size);
            for _ in 0..count {
                socket.send(&buf[..], 0).unwrap_or_else(|e| fail("send", e));
            }
        }
        SendMode::ZeroCopyFresh => {
            for _ in 0..count {
                let owned = vec![0u8; size];
                socket.send(owned, 0).unwrap_or_else(|e| fail("send", e));
            }
        }
        SendMode::ZeroCopyShared => {
            let shared: Arc<[u8]> = payload(size).into();
            let mut message = zmq::Message::from_owned(shared);
            for _ in 0..count {
                socket.send(message.share(), 0).unwrap_or_else(|e| fail("send", e));
            }
        }
        SendMode::ZeroCopyStatic => {
            // Queued messages may still refer to it after this returns: it lives until the process exits.
            let constant: &'static [u8] = Box::leak(payload(size).into_boxed_slice());
            for _ in 0..count {
                socket.send(zmq::Message::from_static(constant), 0).unwrap_or_else(|e| fail("send", e));
            }
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
    if msg.len() != size {
        eprintln!("message of incorrect size received: {} [B], expected {size} [B]", msg.len());
        exit(1);
    }
}

/// Receives `count` messages of `size` bytes into one reused message; returns the microseconds from the
/// first message to the last (at least 1).
pub fn receive_timed(socket: &zmq::Socket, size: usize, count: usize) -> f64 {
    let mut msg = zmq::Message::new();
    recv_exact(socket, &mut msg, size);
    let start = Instant::now();
    for _ in 1..count {
        recv_exact(socket, &mut msg, size);
    }
    (start.elapsed().as_secs_f64() * 1e6).max(1.0)
}

/// Sends every one of `count` requests straight back: the received message itself, without copying.
pub fn echo(socket: &zmq::Socket, size: usize, count: usize) {
    let mut msg = zmq::Message::new();
    for _ in 0..count {
        recv_exact(socket, &mut msg, size);
        socket.send_in_place(&mut msg, 0).unwrap_or_else(|e| fail("send", e));
    }
}

/// `count` round trips of a `size` byte request sent from one reused buffer (`send(&[u8])`, one copy),
/// the reply received into one reused message; returns the microseconds they took.
pub fn roundtrips(socket: &zmq::Socket, size: usize, count: usize) -> f64 {
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

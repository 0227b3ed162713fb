//! Throughput over `inproc://` between two threads: a Rust counterpart of libzmq's `perf/inproc_thr`.
//!
//! ```text
//! inproc_thr <message-size> <message-count> [--zero-copy]
//! ```
//!
//! The main thread binds a PULL socket and receives into one reused `zmq::Message`; a second thread
//! connects a PUSH socket on the same context and sends `message-count` messages of `message-size`
//! bytes. By default each is sent from one reused buffer with `send(&[u8])` (one copy); with
//! `--zero-copy` (or `ZMQ_PERF_ZERO_COPY=1`) each is a fresh zero-filled `Vec<u8>` handed to libzmq
//! without copying. Prints libzmq's report lines.

use std::process::exit;
use std::thread;
use std::time::Instant;

const USAGE: &str = "usage: inproc_thr <message-size> <message-count> [--zero-copy]";
const ENDPOINT: &str = "inproc://thr_test";

fn fail(what: &str, err: zmq::Error) -> ! {
    eprintln!("error in {what}: {err}");
    exit(1)
}

fn number(arg: &str, min: usize) -> usize {
    match arg.parse::<usize>() {
        Ok(n) if n >= min => n,
        _ => {
            eprintln!("{USAGE}\ninvalid number: {arg:?}");
            exit(1)
        }
    }
}

fn zero_copy_from_env() -> bool {
    std::env::var("ZMQ_PERF_ZERO_COPY").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn sender(ctx: zmq::Context, message_size: usize, message_count: usize, zero_copy: bool) {
    let socket = ctx.socket(zmq::PUSH).unwrap_or_else(|e| fail("socket", e));
    socket.connect(ENDPOINT).unwrap_or_else(|e| fail("connect", e));
    if zero_copy {
        for _ in 0..message_count {
            let owned = vec![0u8; message_size];
            socket.send(owned, 0).unwrap_or_else(|e| fail("send", e));
        }
    } else {
        let buf = vec![0u8; message_size];
        for _ in 0..message_count {
            socket.send(&buf[..], 0).unwrap_or_else(|e| fail("send", e));
        }
    }
}

fn recv_exact(socket: &zmq::Socket, msg: &mut zmq::Message, size: usize) {
    if let Err(err) = socket.recv(msg, 0) {
        fail("recv", err);
    }
    if msg.len() != size {
        eprintln!("message of incorrect size received: {} [B], expected {size} [B]", msg.len());
        exit(1);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let zero_copy = match args.len() {
        3 => zero_copy_from_env(),
        4 if args[3] == "--zero-copy" => true,
        _ => {
            eprintln!("{USAGE}");
            exit(1)
        }
    };
    let message_size = number(&args[1], 0);
    let message_count = number(&args[2], 1);

    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::PULL).unwrap_or_else(|e| fail("socket", e));
    socket.bind(ENDPOINT).unwrap_or_else(|e| fail("bind", e));

    let worker_ctx = ctx.clone();
    let worker = thread::spawn(move || sender(worker_ctx, message_size, message_count, zero_copy));

    println!("message size: {message_size} [B]");
    println!("message count: {message_count}");

    let mut msg = zmq::Message::new();
    recv_exact(&socket, &mut msg, message_size);
    let start = Instant::now();
    for _ in 1..message_count {
        recv_exact(&socket, &mut msg, message_size);
    }
    let elapsed_us = (start.elapsed().as_secs_f64() * 1e6).max(1.0);

    if worker.join().is_err() {
        eprintln!("error: the sending thread panicked");
        exit(1);
    }

    let throughput = message_count as f64 / elapsed_us * 1e6;
    let megabits = throughput * message_size as f64 * 8.0 / 1e6;
    println!("mean throughput: {} [msg/s]", throughput as u64);
    println!("mean throughput: {megabits:.3} [Mb/s]");
}

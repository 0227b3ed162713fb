//! Latency over `inproc://` between two threads: a Rust counterpart of libzmq's `perf/inproc_lat`.
//!
//! ```text
//! inproc_lat <message-size> <roundtrip-count>
//! ```
//!
//! The main thread binds a REQ socket; a second thread connects a REP socket on the same context and
//! echoes every request back by sending the received `zmq::Message` itself with `send_in_place` (no
//! copy, one reused message). The main thread sends each request from one reused buffer with
//! `send(&[u8])` (one copy) and receives the echo into one reused `zmq::Message`. Prints libzmq's
//! report lines; the latency is half the mean round trip.

use std::process::exit;
use std::thread;
use std::time::Instant;

const USAGE: &str = "usage: inproc_lat <message-size> <roundtrip-count>";
const ENDPOINT: &str = "inproc://lat_test";

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

fn echo(ctx: zmq::Context, roundtrip_count: usize) {
    let socket = ctx.socket(zmq::REP).unwrap_or_else(|e| fail("socket", e));
    socket.connect(ENDPOINT).unwrap_or_else(|e| fail("connect", e));
    let mut msg = zmq::Message::new();
    for _ in 0..roundtrip_count {
        socket.recv(&mut msg, 0).unwrap_or_else(|e| fail("recv", e));
        socket.send_in_place(&mut msg, 0).unwrap_or_else(|e| fail("send", e));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("{USAGE}");
        exit(1);
    }
    let message_size = number(&args[1], 0);
    let roundtrip_count = number(&args[2], 1);

    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::REQ).unwrap_or_else(|e| fail("socket", e));
    socket.bind(ENDPOINT).unwrap_or_else(|e| fail("bind", e));

    let worker_ctx = ctx.clone();
    let worker = thread::spawn(move || echo(worker_ctx, roundtrip_count));

    println!("message size: {message_size} [B]");
    println!("roundtrip count: {roundtrip_count}");

    let request = vec![0u8; message_size];
    let mut reply = zmq::Message::new();
    let start = Instant::now();
    for _ in 0..roundtrip_count {
        socket.send(&request[..], 0).unwrap_or_else(|e| fail("send", e));
        socket.recv(&mut reply, 0).unwrap_or_else(|e| fail("recv", e));
        if reply.len() != message_size {
            eprintln!("message of incorrect size received: {} [B], expected {message_size} [B]", reply.len());
            exit(1);
        }
    }
    let elapsed_us = start.elapsed().as_secs_f64() * 1e6;

    if worker.join().is_err() {
        eprintln!("error: the echoing thread panicked");
        exit(1);
    }

    let latency = elapsed_us / (roundtrip_count as f64 * 2.0);
    println!("average latency: {latency:.3} [us]");
}

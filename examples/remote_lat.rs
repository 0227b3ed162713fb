//! Latency test, requesting side: a Rust counterpart of libzmq's `perf/remote_lat`.
//!
//! ```text
//! remote_lat <connect-to> <message-size> <roundtrip-count>
//! ```
//!
//! Connects a REQ socket, then `roundtrip-count` times sends a `message-size` byte request from one
//! reused buffer (`send(&[u8])`, one copy, as `zmq_send` in C) and receives the echo into one reused
//! `zmq::Message`. Prints libzmq's report lines; the latency is half the mean round trip. Start
//! `local_lat` first: the clock starts before the first request.

use std::process::exit;
use std::time::Instant;

const USAGE: &str = "usage: remote_lat <connect-to> <message-size> <roundtrip-count>";

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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("{USAGE}");
        exit(1);
    }
    let connect_to = &args[1];
    let message_size = number(&args[2], 0);
    let roundtrip_count = number(&args[3], 1);

    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::REQ).unwrap_or_else(|e| fail("socket", e));
    socket.connect(connect_to).unwrap_or_else(|e| fail("connect", e));

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

    let latency = elapsed_us / (roundtrip_count as f64 * 2.0);
    println!("message size: {message_size} [B]");
    println!("roundtrip count: {roundtrip_count}");
    println!("average latency: {latency:.3} [us]");
}

//! Throughput test, receiving side: a Rust counterpart of libzmq's `perf/local_thr`.
//!
//! ```text
//! local_thr <bind-to> <message-size> <message-count>
//! ```
//!
//! Binds a PULL socket, receives `message-count` messages of `message-size` bytes into one reused
//! `zmq::Message`, and prints the same report lines as libzmq's tool. The clock starts when the first
//! message arrives, so connection setup is not measured. Pair it with `remote_thr` (this crate's or
//! libzmq's): `local_thr tcp://127.0.0.1:5555 64 1000000` and `remote_thr tcp://127.0.0.1:5555 64 1000000`.

use std::process::exit;
use std::time::Instant;

const USAGE: &str = "usage: local_thr <bind-to> <message-size> <message-count>";

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
    if args.len() != 4 {
        eprintln!("{USAGE}");
        exit(1);
    }
    let bind_to = &args[1];
    let message_size = number(&args[2], 0);
    let message_count = number(&args[3], 1);

    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::PULL).unwrap_or_else(|e| fail("socket", e));
    socket.bind(bind_to).unwrap_or_else(|e| fail("bind", e));

    let mut msg = zmq::Message::new();
    recv_exact(&socket, &mut msg, message_size);
    let start = Instant::now();
    for _ in 1..message_count {
        recv_exact(&socket, &mut msg, message_size);
    }
    let elapsed_us = (start.elapsed().as_secs_f64() * 1e6).max(1.0);

    let throughput = message_count as f64 / elapsed_us * 1e6;
    let megabits = throughput * message_size as f64 * 8.0 / 1e6;
    println!("message size: {message_size} [B]");
    println!("message count: {message_count}");
    println!("mean throughput: {} [msg/s]", throughput as u64);
    println!("mean throughput: {megabits:.3} [Mb/s]");
}

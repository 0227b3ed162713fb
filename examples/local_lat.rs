//! Latency test, echoing side: a Rust counterpart of libzmq's `perf/local_lat`.
//!
//! ```text
//! local_lat <bind-to> <message-size> <roundtrip-count>
//! ```
//!
//! Binds a REP socket and sends every one of `roundtrip-count` requests straight back: the received
//! `zmq::Message` itself is sent with `send_in_place`, so the payload is never copied and the one
//! message is reused (as libzmq's tool does with one `zmq_msg_t`). It prints nothing: the requesting
//! side (`remote_lat`) measures.

use std::process::exit;

const USAGE: &str = "usage: local_lat <bind-to> <message-size> <roundtrip-count>";

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
    let bind_to = &args[1];
    let message_size = number(&args[2], 0);
    let roundtrip_count = number(&args[3], 1);

    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::REP).unwrap_or_else(|e| fail("socket", e));
    socket.bind(bind_to).unwrap_or_else(|e| fail("bind", e));

    let mut msg = zmq::Message::new();
    for _ in 0..roundtrip_count {
        socket.recv(&mut msg, 0).unwrap_or_else(|e| fail("recv", e));
        if msg.len() != message_size {
            eprintln!("message of incorrect size received: {} [B], expected {message_size} [B]", msg.len());
            exit(1);
        }
        socket.send_in_place(&mut msg, 0).unwrap_or_else(|e| fail("send", e));
    }
}

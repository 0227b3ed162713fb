//! Throughput test, sending side: a Rust counterpart of libzmq's `perf/remote_thr`.
//!
//! ```text
//! remote_thr <connect-to> <message-size> <message-count> [--zero-copy]
//! ```
//!
//! Connects a PUSH socket and sends `message-count` messages of `message-size` bytes, then waits
//! (default linger) until all of them are handed to the peer. It prints nothing: the receiving side
//! (`local_thr`) measures.
//!
//! By default every message is sent from one reused buffer with `send(&[u8])`, which copies it once
//! into a libzmq message, as `zmq_send` does in C. With `--zero-copy` (or `ZMQ_PERF_ZERO_COPY=1`) every
//! message is a freshly allocated, zero-filled `Vec<u8>` whose ownership is handed to libzmq without
//! copying (`send(Vec<u8>)`, i.e. `zmq_msg_init_data`).
//!
//! `ZMQ_PERF_CLOSE_DELAY_MS=N` waits N ms after the last send before closing the socket. Over `ipc://`
//! libzmq (4.3.x) can drop the data still buffered for a receiver that is applying back-pressure when
//! the sender's connection closes (the receiver sees EPOLLHUP while its input is stopped), and the
//! receiver then waits forever for the missing messages; the delay lets it drain first. The receiver
//! measures, so the delay does not enter the result.

use std::process::exit;
use std::thread;
use std::time::Duration;

const USAGE: &str = "usage: remote_thr <connect-to> <message-size> <message-count> [--zero-copy]";

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

fn close_delay_from_env() -> Option<Duration> {
    let ms = std::env::var("ZMQ_PERF_CLOSE_DELAY_MS").ok()?.parse::<u64>().ok()?;
    (ms > 0).then(|| Duration::from_millis(ms))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let zero_copy = match args.len() {
        4 => zero_copy_from_env(),
        5 if args[4] == "--zero-copy" => true,
        _ => {
            eprintln!("{USAGE}");
            exit(1)
        }
    };
    let connect_to = &args[1];
    let message_size = number(&args[2], 0);
    let message_count = number(&args[3], 1);

    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::PUSH).unwrap_or_else(|e| fail("socket", e));
    socket.connect(connect_to).unwrap_or_else(|e| fail("connect", e));

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
    if let Some(delay) = close_delay_from_env() {
        thread::sleep(delay);
    }
}

//! Throughput over `inproc://` between two threads: a Rust counterpart of libzmq's `perf/inproc_thr`.
//!
//! ```text
//! inproc_thr <message-size> <message-count> [--zero-copy | --zero-copy-shared | --zero-copy-static]
//! ```
//!
//! The main thread binds a PULL socket and receives into one reused `zmq::Message`; a second thread
//! connects a PUSH socket on the same context and sends `message-count` messages of `message-size`
//! bytes, made as `remote_thr` makes them: by default from one reused buffer with `send(&[u8])` (one
//! copy); with `--zero-copy` (`ZMQ_PERF_ZERO_COPY=1`) each a fresh zero-filled `Vec<u8>` handed to libzmq
//! without copying; with `--zero-copy-shared` (`ZMQ_PERF_ZERO_COPY=shared`) each a reference to one
//! shared `Arc<[u8]>` payload (one `Message::from_owned`, then `share()` per message); with
//! `--zero-copy-static` (`ZMQ_PERF_ZERO_COPY=static`) each `Message::from_static` of one constant payload.
//! Prints libzmq's report lines.

#[macro_use]
mod zhelpers; //  println! that dies by SIGPIPE, as the C tools' printf
mod perf;

const USAGE: &str =
    "usage: inproc_thr <message-size> <message-count> [--zero-copy | --zero-copy-shared | --zero-copy-static]";
const ENDPOINT: &str = "inproc://thr_test";

fn main() {
    let args = perf::Args::parse_with_send_mode(USAGE, 2);
    let message_size = args.number(0, 0);
    let message_count = args.number(1, 1);
    let send_mode = args.send_mode;

    let ctx = zmq::Context::new();
    let socket = perf::bind(&ctx, zmq::PULL, ENDPOINT);
    let peer = perf::spawn_peer(&ctx, move |ctx| {
        let push = perf::connect(&ctx, zmq::PUSH, ENDPOINT);
        drop(perf::send_messages(push, message_size, message_count, send_mode));
    });

    perf::print_header(message_size, "message count", message_count);
    let elapsed_us = perf::receive_timed(socket, message_size, message_count);
    perf::join_peer(peer);
    perf::print_throughput(message_size, message_count, elapsed_us);
}

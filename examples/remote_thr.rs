//! Throughput test, sending side: a Rust counterpart of libzmq's `perf/remote_thr`.
//!
//! ```text
//! remote_thr <connect-to> <message-size> <message-count> [--zero-copy | --zero-copy-shared | --zero-copy-static]
//! ```
//!
//! Connects a PUSH socket and sends `message-count` messages of `message-size` bytes, then waits
//! (default linger) until all of them are handed to the peer. It prints nothing: the receiving side
//! (`local_thr`) measures.
//!
//! How the messages are made (`ZMQ_PERF_ZERO_COPY` chooses when no flag is given):
//! - by default every message is sent from one reused buffer with `send(&[u8])`, which copies it once
//!   into a libzmq message, as `zmq_send` does in C;
//! - `--zero-copy` (`ZMQ_PERF_ZERO_COPY=1`): every message is a freshly allocated, zero-filled `Vec<u8>`
//!   whose ownership is handed to libzmq without copying (`send(Vec<u8>)`, i.e. `zmq_msg_init_data`);
//! - `--zero-copy-shared` (`ZMQ_PERF_ZERO_COPY=shared`): one immutable `Arc<[u8]>` payload is handed to
//!   libzmq once (`Message::from_owned`) and every message is a zero-copy reference to it
//!   (`Message::share`: a reference count, no allocation); libzmq drops the payload after the last one;
//! - `--zero-copy-static` (`ZMQ_PERF_ZERO_COPY=static`): one payload that lives until the process exits, every
//!   message referring to it as constant data (`Message::from_static`).
//!
//! `ZMQ_PERF_CLOSE_DELAY_MS=N` waits N ms after the last send before closing the socket: over `ipc://`
//! libzmq (4.3.x) can drop what a back-pressured receiver has not read yet when the sender's connection
//! closes (see `close_delay_from_env` in `perf/mod.rs`). The receiver measures, so the delay does not
//! enter the result.

#[macro_use]
mod zhelpers; //  println! that dies by SIGPIPE, as the C tools' printf
mod perf;

const USAGE: &str = "usage: remote_thr <connect-to> <message-size> <message-count> [--zero-copy | --zero-copy-shared | --zero-copy-static]";

fn main() {
    let args = perf::Args::parse_with_send_mode(USAGE, 3);
    let message_size = args.number(1, 0);
    let message_count = args.number(2, 1);

    let ctx = zmq::Context::new();
    let socket = perf::connect(&ctx, zmq::PUSH, args.text(0));
    let _socket = perf::send_messages(socket, message_size, message_count, args.send_mode);
    perf::close_delay_from_env();
}

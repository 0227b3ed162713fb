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

#[macro_use]
mod zhelpers; //  println! that dies by SIGPIPE, as the C tools' printf
mod perf;

const USAGE: &str = "usage: local_thr <bind-to> <message-size> <message-count>";

fn main() {
    let args = perf::Args::parse(USAGE, 3);
    let message_size = args.number(1, 0);
    let message_count = args.number(2, 1);

    let ctx = zmq::Context::new();
    let socket = perf::bind(&ctx, zmq::PULL, args.text(0));
    let elapsed_us = perf::receive_timed(socket, message_size, message_count);

    perf::print_header(message_size, "message count", message_count);
    perf::print_throughput(message_size, message_count, elapsed_us);
}

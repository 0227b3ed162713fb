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

#[macro_use]
mod zhelpers; //  println! that dies by SIGPIPE, as the C tools' printf
mod perf;

const USAGE: &str = "usage: remote_lat <connect-to> <message-size> <roundtrip-count>";

fn main() {
    let args = perf::Args::parse(USAGE, 3);
    let message_size = args.number(1, 0);
    let roundtrip_count = args.number(2, 1);

    let ctx = zmq::Context::new();
    let socket = perf::connect(&ctx, zmq::REQ, args.text(0));
    let elapsed_us = perf::roundtrips(socket, message_size, roundtrip_count);

    perf::print_header(message_size, "roundtrip count", roundtrip_count);
    perf::print_latency(elapsed_us, roundtrip_count);
}

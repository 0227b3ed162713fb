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

#[macro_use]
mod zhelpers; //  println! that dies by SIGPIPE, as the C tools' printf
mod perf;

const USAGE: &str = "usage: inproc_lat <message-size> <roundtrip-count>";
const ENDPOINT: &str = "inproc://lat_test";

fn main() {
    let args = perf::Args::parse(USAGE, 2);
    let message_size = args.number(0, 0);
    let roundtrip_count = args.number(1, 1);

    let ctx = zmq::Context::new();
    let socket = perf::bind(&ctx, zmq::REQ, ENDPOINT);
    let peer = perf::spawn_peer(&ctx, move |ctx| {
        let rep = perf::connect(&ctx, zmq::REP, ENDPOINT);
        perf::echo(rep, message_size, roundtrip_count);
    });

    perf::print_header(message_size, "roundtrip count", roundtrip_count);
    let elapsed_us = perf::roundtrips(socket, message_size, roundtrip_count);
    perf::join_peer(peer);
    perf::print_latency(elapsed_us, roundtrip_count);
}

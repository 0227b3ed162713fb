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

#[macro_use]
mod zhelpers; //  println! that dies by SIGPIPE, as the C tools' printf
mod perf;

const USAGE: &str = "usage: local_lat <bind-to> <message-size> <roundtrip-count>";

fn main() {
    let args = perf::Args::parse(USAGE, 3);
    let message_size = args.number(1, 0);
    let roundtrip_count = args.number(2, 1);

    let ctx = zmq::Context::new();
    let socket = perf::bind(&ctx, zmq::REP, args.text(0));
    perf::echo(socket, message_size, roundtrip_count);
}

//! A connected PAIR of sockets over a fresh inproc endpoint, for tests that use `common`.

/// `(sender, receiver)`: the receiver binds a unique `inproc://` name, the sender connects to it; both have the
/// send and receive timeouts of `common::socket`.
pub fn inproc_pair(ctx: &zmq::Context, tag: &str) -> (zmq::Socket, zmq::Socket) {
    let endpoint = format!("inproc://{}", crate::common::unique(tag));
    let rx = crate::common::socket(ctx, zmq::PAIR);
    rx.bind(&endpoint).unwrap();
    let tx = crate::common::socket(ctx, zmq::PAIR);
    tx.connect(&endpoint).unwrap();
    (tx, rx)
}

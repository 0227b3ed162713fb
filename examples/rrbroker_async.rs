//! Simple request-reply broker, async: `rrbroker.rs` (the zguide's
//! `examples/C/rrbroker.c`) on [`zmq::AsyncSocket`] and the tokio runtime (run with
//! `--features tokio`).
//!
//! Where the C polls both sockets and forwards one part at a time, this awaits whichever
//! socket has a whole message first (`tokio::select!`; a receive that loses the race
//! consumes nothing) and forwards all of its parts in one send. It serves `rrclient` and
//! `rrworker` like the blocking broker.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and sockets
    let context = zmq::Context::new();
    let frontend = zmq::AsyncSocket::new(&context, zmq::ROUTER)?;
    let backend = zmq::AsyncSocket::new(&context, zmq::DEALER)?;
    frontend.bind("tcp://*:5559")?;
    backend.bind("tcp://*:5560")?;

    //  Switch messages between sockets
    loop {
        tokio::select! {
            message = frontend.recv_multipart() => backend.send_multipart(message?, 0).await?,
            message = backend.recv_multipart() => frontend.send_multipart(message?, 0).await?,
        }
    }
}

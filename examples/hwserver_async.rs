//! Hello World server, async: `hwserver.rs` (the zguide's `examples/C/hwserver.c`) on
//! [`zmq::AsyncSocket`] and the tokio runtime (run with `--features tokio`).
//!
//! Statement for statement the blocking port; the receive and the send are awaited, and
//! the second of "work" is a `tokio::time::sleep`, so the thread is free meanwhile. It
//! answers `hwclient` and `hwclient_async` alike.

use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), zmq::Error> {
    //  Socket to talk to clients
    let context = zmq::Context::new();
    let responder = zmq::AsyncSocket::new(&context, zmq::REP)?;
    responder.bind("tcp://*:5555")?;

    loop {
        let mut buffer = [0u8; 10];
        responder.recv_into(&mut buffer).await?;
        println!("Received Hello");
        tokio::time::sleep(Duration::from_secs(1)).await; //  Pretend to do some 'work'
        responder.send("World", 0).await?;
    }
}

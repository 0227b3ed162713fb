//! Hello World client, async: `hwclient.rs` (the zguide's `examples/C/hwclient.c`) on
//! [`zmq::AsyncSocket`] and the tokio runtime (run with `--features tokio`).
//!
//! Statement for statement the blocking port, with the send and the receive awaited. It
//! talks to `hwserver` and `hwserver_async` alike.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), zmq::Error> {
    println!("Connecting to hello world server...");
    let context = zmq::Context::new();
    let requester = zmq::AsyncSocket::new(&context, zmq::REQ)?;
    requester.connect("tcp://localhost:5555")?;

    for request_nbr in 0..10 {
        let mut buffer = [0u8; 10];
        println!("Sending Hello {request_nbr}...");
        requester.send("Hello", 0).await?;
        requester.recv_into(&mut buffer).await?;
        println!("Received World {request_nbr}");
    }
    Ok(())
}

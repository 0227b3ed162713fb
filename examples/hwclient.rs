//! Hello World client: a port of the zguide's `examples/C/hwclient.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`. Prints with `zhelpers`' `println!`, which dies by
//! SIGPIPE as C's printf does when stdout's reader has gone.

#[macro_use]
mod zhelpers;

fn main() -> Result<(), zmq::Error> {
    println!("Connecting to hello world server...");
    let context = zmq::Context::new();
    let requester = context.socket(zmq::REQ)?;
    requester.connect("tcp://localhost:5555")?;

    for request_nbr in 0..10 {
        let mut buffer = [0u8; 10];
        println!("Sending Hello {request_nbr}...");
        requester.send("Hello", 0)?;
        requester.recv_into(&mut buffer, 0)?;
        println!("Received World {request_nbr}");
    }
    drop(requester);
    drop(context);
    Ok(())
}

//! Hello World client with a REQ socket that sets its identity: a port of the
//! zguide's `examples/C/hwclient3.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`. Talks to `hwserver3` (a ROUTER on port 5555).
// Hello World client
// REQ socket connect to tcp://localhost:5555
// send "Hello" to Server，expect receive "World" from Server
#[macro_use]
mod zhelpers;

use zhelpers::{c_str, printf};

fn main() -> Result<(), zmq::Error> {
    println!("Connecting to hello world server...");
    let context = zmq::Context::new();
    let requester = context.socket(zmq::REQ)?;
    //set REQ socket identity
    requester.set_identity(b"ZMQ")?;
    requester.connect("tcp://localhost:5555")?;
    for request_nbr in 0..10 {
        let mut buffer = [0u8; 10];
        //send request msg
        println!("Sending request msg: Hello NO={}...", request_nbr + 1);
        requester.send("Hello", 0)?;
        //receive respond msg
        requester.recv_into(&mut buffer, 0)?;
        printf("Received respond msg: %s NO=%d\n\n", &[&c_str(&buffer), &(request_nbr + 1)]);
    }
    drop(requester);
    drop(context);
    Ok(())
}

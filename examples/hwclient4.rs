//! Hello World client with a DEALER socket that sets its identity: a port of
//! the zguide's `examples/C/hwclient4.c`.
//!
//! Differs from the C only in that libzmq errors, which the C asserts on or
//! ignores, end `main` through `?`. Talks to `hwserver4` (a ROUTER on port
//! 5555).
// Hello World client
// DEALER socket connect to tcp://localhost:5555
// send "Hello" to Server，expect recv "World" from Server
#[macro_use]
mod zhelpers;

use zhelpers::{printf, s_recv, s_send, s_sendmore};

fn main() -> Result<(), zmq::Error> {
    println!("Connecting to hello world server...");
    let context = zmq::Context::new();
    let requester = context.socket(zmq::DEALER)?;
    //set socket identity
    requester.set_identity(b"ZMQ")?;
    requester.connect("tcp://localhost:5555")?;
    for request_nbr in 0..10 {
        println!("Sending request msg: Hello NO={}...", request_nbr + 1);
        //send request msg
        s_sendmore(&requester, "")?; //send empty delimiter frame
        s_send(&requester, "Hello")?; //send data frame
                                      //recv reply msg
        let empty = s_recv(&requester)?;
        assert!(empty.is_empty());
        let reply = s_recv(&requester)?;
        printf("Received respond msg: %s NO=%d\n\n", &[&reply, &(request_nbr + 1)]);
    }

    drop(requester);
    drop(context);
    Ok(())
}

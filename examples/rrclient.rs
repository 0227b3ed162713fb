//! Hello World client for the request-reply broker: a port of the zguide's
//! `examples/C/rrclient.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  Connects REQ socket to tcp://localhost:5559
//  Sends "Hello" to server, expects "World" back

#[macro_use]
mod zhelpers;

use zhelpers::{printf, s_recv, s_send};

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();

    //  Socket to talk to server
    let requester = context.socket(zmq::REQ)?;
    requester.connect("tcp://localhost:5559")?;

    for request_nbr in 0..10 {
        s_send(&requester, "Hello")?;
        let string = s_recv(&requester)?;
        printf("Received reply %d [%s]\n", &[&request_nbr, &string]);
    }
    drop(requester);
    drop(context);
    Ok(())
}

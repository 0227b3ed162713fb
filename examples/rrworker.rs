//! Hello World worker for the request-reply broker: a port of the zguide's
//! `examples/C/rrworker.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  Connects REP socket to tcp://localhost:5560
//  Expects "Hello" from client, replies with "World"

#[macro_use]
mod zhelpers;

use std::thread;
use std::time::Duration;
use zhelpers::{printf, s_recv, s_send};

#[allow(unreachable_code)]
fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();

    //  Socket to talk to clients
    let responder = context.socket(zmq::REP)?;
    responder.connect("tcp://localhost:5560")?;

    loop {
        //  Wait for next request from client
        let string = s_recv(&responder)?;
        printf("Received request: [%s]\n", &[&string]);

        //  Do some 'work'
        thread::sleep(Duration::from_secs(1));

        //  Send reply back to client
        s_send(&responder, "World")?;
    }
    //  We never get here, but clean up anyhow
    drop(responder);
    drop(context);
    Ok(())
}

//! Hello World server: a port of the zguide's `examples/C/hwserver.c`.
//!
//! Differs from the C only in that libzmq errors, which the C asserts on or
//! ignores, end `main` through `?`. Prints with `zhelpers`' `println!`,
//! which dies by SIGPIPE as C's printf does when stdout's reader has gone.

#[macro_use]
mod zhelpers;

use std::thread;
use std::time::Duration;

fn main() -> Result<(), zmq::Error> {
    //  Socket to talk to clients
    let context = zmq::Context::new();
    let responder = context.socket(zmq::REP)?;
    responder.bind("tcp://*:5555")?; // Check if the response code indicates success

    loop {
        const K_READ_BUFFER_LENGTH: usize = 10;
        let mut buffer = [0u8; K_READ_BUFFER_LENGTH];
        responder.recv_into(&mut buffer, 0)?;
        println!("Received Hello");
        thread::sleep(Duration::from_secs(1)); //  Pretend to do some 'work'
        const K_REPLY_STRING: &str = "World";
        responder.send(K_REPLY_STRING, 0)?;
    }
}

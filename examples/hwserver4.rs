//! Hello World server with a ROUTER socket: a port of the zguide's
//! `examples/C/hwserver4.c`.
//!
//! Differs from the C only in that libzmq errors, which the C asserts on or
//! ignores, end `main` through `?`, and the identity is kept in a `String`
//! rather than copied into a 10-byte array. Serves `hwclient4`.
// Hello World server
// ROUTER socket bind to "tcp://*:5555"
// +expect receive "Hello", use "World" reply
#[macro_use]
mod zhelpers;

use std::thread;
use std::time::Duration;
use zhelpers::{printf, s_recv, s_send, s_sendmore};

#[allow(unreachable_code)]
fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();
    let responder = context.socket(zmq::ROUTER)?;
    responder.bind("tcp://*:5555")?;

    loop {
        //recv client`s request msg
        //the 1st received frame is identity frame
        let frame1 = s_recv(&responder)?;
        printf("[recv] frame1 = %s\n", &[&frame1]);
        let identity = frame1; //save the identity
                               //the 2nd frame received is empty delimiter frame
        let frame2 = s_recv(&responder)?;
        printf("[recv] frame2 = %s\n", &[&frame2]);
        assert!(frame2.is_empty());
        //the 3rd frame received is data frame
        let frame3 = s_recv(&responder)?;
        printf("[recv] frame3 = %s\n", &[&frame3]);

        thread::sleep(Duration::from_secs(1)); //Do some work

        //send respond msg to client
        printf("[send] frame1 = %s\n", &[&identity]);
        println!("[send] frame2 = ");
        println!("[send] frame3 = World\n");
        s_sendmore(&responder, &identity)?; //send identity frame
        s_sendmore(&responder, "")?; //send empty delimiter frame
        s_send(&responder, "World")?; //send data frame
    }

    drop(responder);
    drop(context);
    Ok(())
}

//! Hello World server with a ROUTER socket: a port of the zguide's
//! `examples/C/hwserver3.c`.
//!
//! Differs from the C only in that libzmq errors, which the C asserts on or
//! ignores, end `main` through `?`. Serves `hwclient3`, whose REQ socket sets
//! a printable identity.
// Hello World server
// ROUTER socket bind to "tcp://*:5555"
// expect receive "Hello", use "World" reply
#[macro_use]
mod zhelpers;

use std::thread;
use std::time::Duration;
use zhelpers::{printf, s_recv, s_sendmore};

#[allow(unreachable_code)]
fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();
    let responder = context.socket(zmq::ROUTER)?;
    responder.bind("tcp://*:5555")?;

    loop {
        //receive client request msg
        let identity = s_recv(&responder)?; //receive the first part is identity frame
        printf("[Frame_1] identity = %s\n", &[&identity]);
        //if the second part is empty frame, then continue receiving the third part
        let string = s_recv(&responder)?;
        printf("[Frame_2] string = %s\n", &[&string]);
        if string.is_empty() {
            //receive the third part is the data frame
            let content = s_recv(&responder)?;
            printf("[Frame_3] Received request msg: %s\n", &[&content]);
        }
        //if the second part is not empty frame,then discard the whole ZMQ msg.
        else {
            println!("Discard the ZMQ message!");
            continue;
        }
        thread::sleep(Duration::from_secs(1)); //Do some work
                                               //send reply msg to client
        println!("Send respond msg: World\n");
        s_sendmore(&responder, &identity)?; //send identity frame
        s_sendmore(&responder, "")?; //send empty frame
        responder.send("World", 0)?; //send data frame
    }
    drop(responder);
    drop(context);
    Ok(())
}

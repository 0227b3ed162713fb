//! Hello World server that replies before it works: a port of the zguide's
//! `examples/C/hwserver2.c`.
//!
//! Differs from the C only in that libzmq errors, which the C asserts on or
//! ignores, end `main` through `?`. Serves `hwclient2` (and `hwclient`).
// **Hello World server
// REP socket bind to tcp://*:5555
// expect receive"Hello"，use "World" to responsd

#[macro_use]
mod zhelpers;

use std::thread;
use std::time::Duration;
use zhelpers::{c_str, printf};

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();
    let responder = context.socket(zmq::REP)?;
    responder.bind("tcp://*:5555")?;
    loop {
        let mut buffer = [0u8; 10];
        responder.recv_into(&mut buffer, 0)?;
        printf("Received request msg: %s\n", &[&c_str(&buffer)]);
        println!("Send respond msg: World\n");
        responder.send("World", 0)?;
        thread::sleep(Duration::from_secs(1)); //Do some work
    }
}

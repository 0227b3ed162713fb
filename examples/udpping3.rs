//! UDP ping, model 3: a port of the zguide's `examples/C/udpping3.c`,
//! over the `interface` port (with `udplib`).
//!
//! Differs from the C only in its interface and UDP classes (see their
//! differences), and in that a failure to start the interface ends `main`
//! with the libzmq error.

//  UDP ping command
//  Model 3, uses abstract network interface

mod czmq;
mod interface;
mod udplib;

use czmq::*;
use interface::*;

fn main() -> Result<(), zmq::Error> {
    let interface = interface_new()?;
    //  None when interrupted
    while let Some(msg) = interface_recv(&interface) {
        zmsg_dump(&msg);
    }
    interface_destroy(interface);
    Ok(())
}

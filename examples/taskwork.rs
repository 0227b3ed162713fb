//! Task worker: a port of the zguide's `examples/C/taskwork.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  Connects PULL socket to tcp://localhost:5557
//  Collects workloads from ventilator via that socket
//  Connects PUSH socket to tcp://localhost:5558
//  Sends results to sink via that socket

#[macro_use]
mod zhelpers;

use std::io::{self, Write};
use zhelpers::{atoi, printf, s_recv, s_send, s_sleep};

#[allow(unreachable_code)]
fn main() -> Result<(), zmq::Error> {
    //  Socket to receive messages on
    let context = zmq::Context::new();
    let receiver = context.socket(zmq::PULL)?;
    receiver.connect("tcp://localhost:5557")?;

    //  Socket to send messages to
    let sender = context.socket(zmq::PUSH)?;
    sender.connect("tcp://localhost:5558")?;

    //  Process tasks forever
    loop {
        let string = s_recv(&receiver)?;
        printf("%s.", &[&string]); //  Show progress
        let _ = io::stdout().flush();
        s_sleep(atoi(&string)); //  Do the work
        s_send(&sender, "")?; //  Send results to sink
    }
    drop(receiver);
    drop(sender);
    drop(context);
    Ok(())
}

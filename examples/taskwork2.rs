//! Task worker - design 2: a port of the zguide's `examples/C/taskwork2.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  Adds pub-sub flow to receive and respond to kill signal

#[macro_use]
mod zhelpers;

use std::io::{self, Write};
use zhelpers::{atoi, printf, s_recv, s_send, s_sleep};

fn main() -> Result<(), zmq::Error> {
    //  Socket to receive messages on
    let context = zmq::Context::new();
    let receiver = context.socket(zmq::PULL)?;
    receiver.connect("tcp://localhost:5557")?;

    //  Socket to send messages to
    let sender = context.socket(zmq::PUSH)?;
    sender.connect("tcp://localhost:5558")?;

    //  Socket for control input
    let controller = context.socket(zmq::SUB)?;
    controller.connect("tcp://localhost:5559")?;
    controller.set_subscribe(b"")?;

    //  Process messages from either socket
    loop {
        let mut items = [receiver.as_poll_item(zmq::POLLIN), controller.as_poll_item(zmq::POLLIN)];
        zmq::poll(&mut items, -1)?;
        if items[0].is_readable() {
            let string = s_recv(&receiver)?;
            printf("%s.", &[&string]); //  Show progress
            let _ = io::stdout().flush();
            s_sleep(atoi(&string)); //  Do the work
            s_send(&sender, "")?; //  Send results to sink
        }
        //  Any waiting controller command acts as 'KILL'
        if items[1].is_readable() {
            break; //  Exit loop
        }
    }
    drop(receiver);
    drop(sender);
    drop(controller);
    drop(context);
    Ok(())
}

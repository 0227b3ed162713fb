//! Task ventilator: a port of the zguide's `examples/C/taskvent.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`, and the prompt is flushed before reading stdin (C's
//! stdio does that itself when stdin and stdout are a terminal).

//  Binds PUSH socket to tcp://localhost:5557
//  Sends batch of tasks to workers via that socket

#[macro_use]
mod zhelpers;

use std::io::{self, Read, Write};
use zhelpers::{randof, s_send, srandom, time};

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();

    //  Socket to send messages on
    let sender = context.socket(zmq::PUSH)?;
    sender.bind("tcp://*:5557")?;

    //  Socket to send start of batch message on
    let sink = context.socket(zmq::PUSH)?;
    sink.connect("tcp://localhost:5558")?;

    print!("Press Enter when the workers are ready: ");
    let _ = io::stdout().flush();
    let _ = io::stdin().read(&mut [0u8; 1]);
    println!("Sending tasks to workers...");

    //  The first message is "0" and signals start of batch
    s_send(&sink, "0")?;

    //  Initialize random number generator
    srandom(time() as u32);

    //  Send 100 tasks
    let mut total_msec = 0; //  Total expected cost in msecs
    for _task_nbr in 0..100 {
        //  Random workload from 1 to 100msecs
        let workload = randof(100) + 1;
        total_msec += workload;
        let string = workload.to_string();
        s_send(&sender, &string)?;
    }
    println!("Total expected cost: {total_msec} msec");

    drop(sink);
    drop(sender);
    drop(context);
    Ok(())
}

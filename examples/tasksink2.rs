//! Task sink - design 2: a port of the zguide's `examples/C/tasksink2.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  Adds pub-sub flow to send kill signal to workers

#[macro_use]
mod zhelpers;

use std::io::{self, Write};
use zhelpers::{s_clock, s_recv, s_send};

fn main() -> Result<(), zmq::Error> {
    //  Socket to receive messages on
    let context = zmq::Context::new();
    let receiver = context.socket(zmq::PULL)?;
    receiver.bind("tcp://*:5558")?;

    //  Socket for worker control
    let controller = context.socket(zmq::PUB)?;
    controller.bind("tcp://*:5559")?;

    //  Wait for start of batch
    let _string = s_recv(&receiver)?;

    //  Start our clock now
    let start_time = s_clock();

    //  Process 100 confirmations
    for task_nbr in 0..100 {
        let _string = s_recv(&receiver)?;
        if task_nbr % 10 == 0 {
            print!(":");
        } else {
            print!(".");
        }
        let _ = io::stdout().flush();
    }
    println!("Total elapsed time: {} msec", s_clock() - start_time);

    //  Send kill signal to workers
    s_send(&controller, "KILL")?;

    drop(receiver);
    drop(controller);
    drop(context);
    Ok(())
}

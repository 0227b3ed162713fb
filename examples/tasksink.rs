//! Task sink: a port of the zguide's `examples/C/tasksink.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  Binds PULL socket to tcp://localhost:5558
//  Collects results from workers via that socket

#[macro_use]
mod zhelpers;

use std::io::{self, Write};
use zhelpers::{s_clock, s_recv};

fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and socket
    let context = zmq::Context::new();
    let receiver = context.socket(zmq::PULL)?;
    receiver.bind("tcp://*:5558")?;

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
    //  Calculate and report duration of batch
    println!("Total elapsed time: {} msec", s_clock() - start_time);

    drop(receiver);
    drop(context);
    Ok(())
}

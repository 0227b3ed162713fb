//! Multithreaded relay: a port of the zguide's `examples/C/mtrelay.c`.
//!
//! Differs from the C only in that each thread gets a clone of the
//! (reference-counted) context instead of the raw pointer, and libzmq errors,
//! which the C ignores, end `main` (or the thread) through `?`. As in the C,
//! the threads are never joined.

#[macro_use]
mod zhelpers;

use std::thread;
use zhelpers::{s_recv, s_send};

fn step1(context: zmq::Context) -> Result<(), zmq::Error> {
    //  Connect to step2 and tell it we're ready
    let xmitter = context.socket(zmq::PAIR)?;
    xmitter.connect("inproc://step2")?;
    println!("Step 1 ready, signaling step 2");
    s_send(&xmitter, "READY")?;
    drop(xmitter);

    Ok(())
}

fn step2(context: zmq::Context) -> Result<(), zmq::Error> {
    //  Bind inproc socket before starting step1
    let receiver = context.socket(zmq::PAIR)?;
    receiver.bind("inproc://step2")?;
    let step1_context = context.clone();
    thread::spawn(move || step1(step1_context));

    //  Wait for signal and pass it on
    let _string = s_recv(&receiver)?;
    drop(receiver);

    //  Connect to step3 and tell it we're ready
    let xmitter = context.socket(zmq::PAIR)?;
    xmitter.connect("inproc://step3")?;
    println!("Step 2 ready, signaling step 3");
    s_send(&xmitter, "READY")?;
    drop(xmitter);

    Ok(())
}

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();

    //  Bind inproc socket before starting step2
    let receiver = context.socket(zmq::PAIR)?;
    receiver.bind("inproc://step3")?;
    let step2_context = context.clone();
    thread::spawn(move || step2(step2_context));

    //  Wait for signal
    let _string = s_recv(&receiver)?;
    drop(receiver);

    println!("Test successful!");
    drop(context);
    Ok(())
}

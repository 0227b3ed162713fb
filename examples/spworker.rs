//! Simple Pirate worker: a port of the zguide's `examples/C/spworker.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  Simple Pirate worker
//  Connects REQ socket to tcp://*:5556
//  Implements worker part of load-balancing

mod czmq;

use czmq::*;
use std::thread;
use std::time::Duration;

const WORKER_READY: &[u8] = b"\x01"; //  Signals worker is ready

#[allow(clippy::while_let_loop)] //  The C's loop, with its break
fn main() -> Result<(), zmq::Error> {
    let ctx = zctx_new();
    let worker = zsocket_new(&ctx, zmq::REQ)?;

    //  Set random identity to make tracing easier
    srandom(time() as u32);
    let identity = format!("{:04X}-{:04X}", randof(0x10000), randof(0x10000));
    worker.set_identity(identity.as_bytes())?;
    zsocket_connect(&worker, "tcp://localhost:5556")?;

    //  Tell broker we're ready for work
    println!("I: ({identity}) worker ready");
    let frame = zframe_new(WORKER_READY);
    zframe_send(frame, &worker, 0)?;

    let mut cycles = 0;
    loop {
        let Some(msg) = zmsg_recv(&worker) else {
            break; //  Interrupted
        };

        //  Simulate various problems, after a few cycles
        cycles += 1;
        if cycles > 3 && randof(5) == 0 {
            println!("I: ({identity}) simulating a crash");
            zmsg_destroy(msg);
            break;
        } else if cycles > 3 && randof(5) == 0 {
            println!("I: ({identity}) simulating CPU overload");
            thread::sleep(Duration::from_secs(3));
            if zctx_interrupted() {
                break;
            }
        }
        println!("I: ({identity}) normal reply");
        thread::sleep(Duration::from_secs(1)); //  Do some heavy work
        zmsg_send(msg, &worker)?;
    }
    drop(worker);
    zctx_destroy(ctx);
    Ok(())
}

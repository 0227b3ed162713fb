//! Simple Pirate broker: a port of the zguide's `examples/C/spqueue.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`; the worker list is a `VecDeque`; and a reply whose
//! envelope is empty (where the C reads past the frame, or a NULL frame) is
//! dropped like a READY, instead of crashing the queue.

//  Simple Pirate broker
//  This is identical to load-balancing pattern, with no reliability
//  mechanisms. It depends on the client for recovery. Runs forever.

mod czmq;

use czmq::*;
use std::collections::VecDeque;

const WORKER_READY: &[u8] = b"\x01"; //  Signals worker is ready

fn main() -> Result<(), zmq::Error> {
    let ctx = zctx_new();
    let frontend = zsocket_new(&ctx, zmq::ROUTER)?;
    let backend = zsocket_new(&ctx, zmq::ROUTER)?;
    zsocket_bind(&frontend, "tcp://*:5555")?; //  For clients
    zsocket_bind(&backend, "tcp://*:5556")?; //  For workers

    //  Queue of available workers
    let mut workers: VecDeque<ZFrame> = VecDeque::new();

    //  The body of this example is exactly the same as lbbroker2.
    //  .skip
    loop {
        let mut items = [backend.as_poll_item(zmq::POLLIN), frontend.as_poll_item(zmq::POLLIN)];
        //  Poll frontend only if we have available workers
        let rc = zmq::poll(&mut items[..if workers.is_empty() { 1 } else { 2 }], -1);
        if rc.is_err() {
            break; //  Interrupted
        }

        //  Handle worker activity on backend
        if items[0].is_readable() {
            //  Use worker identity for load-balancing
            let Some(mut msg) = zmsg_recv(&backend) else {
                break; //  Interrupted
            };
            let Some(identity) = zmsg_unwrap(&mut msg) else { continue };
            workers.push_back(identity);

            //  Forward message to client if it's not a READY
            match zmsg_first(&mut msg) {
                Some(frame) if !zframe_data(frame).starts_with(WORKER_READY) => zmsg_send(msg, &frontend)?,
                _ => zmsg_destroy(msg),
            }
        }
        if items[1].is_readable() {
            //  Get client request, route to first available worker
            if let Some(mut msg) = zmsg_recv(&frontend) {
                if let Some(worker) = workers.pop_front() {
                    zmsg_wrap(&mut msg, worker);
                    zmsg_send(msg, &backend)?;
                }
            }
        }
    }
    //  When we're done, clean up properly
    while let Some(frame) = workers.pop_front() {
        zframe_destroy(frame);
    }
    drop(frontend);
    drop(backend);
    zctx_destroy(ctx);
    Ok(())
    //  .until
}

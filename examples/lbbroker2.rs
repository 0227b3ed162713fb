//! Load-balancing broker over czmq: a port of the zguide's
//! `examples/C/lbbroker2.c` in its czmq 2/3 form (the guide's revision
//! 0517cad5; later revisions rewrote it for czmq 4's actors).
//!
//! Differs from the C in that libzmq errors, which the C ignores, end
//! `main` (or the client or worker thread) through `?`; the threads get
//! `()` for the C's unused `void *args`; the worker queue is a `VecDeque`
//! of identity frames (the C's `zlist_t`); only the `ipc://` endpoints are
//! kept (the C's Windows branch uses TCP ports 5672/5673); and a worker
//! message with no frame after its envelope, which the C reads through a
//! NULL frame, counts as a READY and is dropped, while the READY check
//! compares the frame's bytes (C: `memcmp` of five bytes, past the end of
//! a shorter frame). As in the C, `main` returns once it has routed the
//! tenth reply, without waiting for the threads, so the last clients may
//! be cut off before they print their reply.
//! Like the C it uses `ipc://frontend.ipc` and `ipc://backend.ipc`, files
//! in the current directory.

//  Load-balancing broker
//  Demonstrates use of the CZMQ API

mod czmq;

use czmq::*;
use std::collections::VecDeque;

const NBR_CLIENTS: i32 = 10;
const NBR_WORKERS: i32 = 3;
const WORKER_READY: &[u8] = b"READY"; //  Signals worker is ready

//  Basic request-reply client using REQ socket
//
fn client_task(_args: ()) {
    let _ = client_run();
}

fn client_run() -> zmq::Result<()> {
    let ctx = zctx_new();
    let client = zsocket_new(&ctx, zmq::REQ)?;

    zsocket_connect(&client, "ipc://frontend.ipc")?;

    //  Send request, get reply
    zstr_send(&client, "HELLO")?;
    let reply = zstr_recv(&client);
    if let Some(reply) = reply {
        printf("Client: %s\n", &[&reply]);
    }

    drop(client);
    zctx_destroy(ctx);
    Ok(())
}

//  Worker using REQ socket to do load-balancing
//
fn worker_task(_args: ()) {
    let _ = worker_run();
}

fn worker_run() -> zmq::Result<()> {
    let ctx = zctx_new();
    let worker = zsocket_new(&ctx, zmq::REQ)?;

    zsocket_connect(&worker, "ipc://backend.ipc")?;

    //  Tell broker we're ready for work
    let frame = zframe_new(WORKER_READY);
    zframe_send(frame, &worker, 0)?;

    //  Process messages as they arrive
    //  (until interrupted)
    while let Some(mut msg) = zmsg_recv(&worker) {
        if let Some(last) = zmsg_last(&mut msg) {
            zframe_print(last, Some("Worker: "));
            zframe_reset(last, b"OK");
        }
        zmsg_send(msg, &worker)?;
    }
    drop(worker);
    zctx_destroy(ctx);
    Ok(())
}

//  .split main task
//  Now we come to the main task. This has the identical functionality to
//  the previous {{lbbroker}} broker example, but uses CZMQ to start child
//  threads, to hold the list of workers, and to read and send messages:

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ctx = zctx_new();
    let frontend = zsocket_new(&ctx, zmq::ROUTER)?;
    let backend = zsocket_new(&ctx, zmq::ROUTER)?;

    zsocket_bind(&frontend, "ipc://frontend.ipc")?;
    zsocket_bind(&backend, "ipc://backend.ipc")?;

    let mut client_nbr = 0;
    while client_nbr < NBR_CLIENTS {
        zthread_new(client_task, ())?;
        client_nbr += 1;
    }
    let mut worker_nbr = 0;
    while worker_nbr < NBR_WORKERS {
        zthread_new(worker_task, ())?;
        worker_nbr += 1;
    }

    //  Queue of available workers
    let mut workers: VecDeque<ZFrame> = VecDeque::new();

    //  .split main load-balancer loop
    //  Here is the main loop for the load balancer. It works the same way
    //  as the previous example, but is a lot shorter because CZMQ gives
    //  us an API that does more with fewer calls:
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

            let identity = zmsg_pop(&mut msg);
            let delimiter = zmsg_pop(&mut msg);
            drop(delimiter);

            workers.extend(identity);

            //  Forward message to client if it's not a READY
            let frame = zmsg_first(&mut msg);
            if frame.is_none_or(|frame| zframe_data(frame).starts_with(WORKER_READY)) {
                zmsg_destroy(msg);
            } else {
                zmsg_send(msg, &frontend)?;
                client_nbr -= 1;
                if client_nbr == 0 {
                    break; //  Exit after N messages
                }
            }
        }
        if items[1].is_readable() {
            //  Get client request, route to first available worker
            if let Some(mut msg) = zmsg_recv(&frontend) {
                zmsg_pushmem(&mut msg, &[]); //  delimiter
                if let Some(worker) = workers.pop_front() {
                    zmsg_push(&mut msg, worker);
                }

                zmsg_send(msg, &backend)?;
            }
        }
    }
    //  When we're done, clean up properly
    workers.clear();
    drop(frontend);
    drop(backend);
    zctx_destroy(ctx);
    Ok(())
}

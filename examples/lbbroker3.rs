//! Load-balancing broker in reactor style: a port of the zguide's
//! `examples/C/lbbroker3.c` in its czmq 2/3 form (the guide's revision
//! 837932bd; later revisions rewrote it for czmq 4's actors).
//!
//! Differs from the C in that libzmq errors, which the C ignores, end
//! `main` (or the client or worker thread) through `?` and are ignored in
//! the handlers, as in the C; the threads get `()` for the C's unused
//! `void *args`; the broker struct is the reactor's state and holds its
//! sockets as `Rc` (see `czmq::zloop`), and the worker queue is a
//! `VecDeque` of identity frames (the C's `zlist_t`); the frontend's
//! poller is ended by its socket (`zloop_reader_end`, as czmq 2's
//! `zloop_poller_end` matches pollers by socket); and a worker message with
//! no frame after its envelope, which the C reads through a NULL frame,
//! counts as a READY and is dropped. As in the C, the clients ask once a
//! second for ever and the broker runs until SIGINT or SIGTERM, then
//! returns without waiting for its threads.
//! Like the C it uses `ipc://frontend.ipc` and `ipc://backend.ipc`, files
//! in the current directory.

//  Load-balancing broker
//  Demonstrates use of the CZMQ API and reactor style
//
//  The client and worker tasks are identical from the previous example.
//  .skip

mod czmq;

use czmq::*;
use std::collections::VecDeque;
use std::rc::Rc;

const NBR_CLIENTS: i32 = 10;
const NBR_WORKERS: i32 = 3;
const WORKER_READY: &[u8] = b"\x01"; //  Signals worker is ready

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
    loop {
        zstr_send(&client, "HELLO")?;
        let Some(reply) = zstr_recv(&client) else {
            break;
        };
        printf("Client: %s\n", &[&reply]);
        zclock_sleep(1000);
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
            //zframe_print (zmsg_last (msg), "Worker: ");
            zframe_reset(last, b"OK");
        }
        zmsg_send(msg, &worker)?;
    }
    drop(worker);
    zctx_destroy(ctx);
    Ok(())
}

//  .until
//  Our load-balancer structure, passed to reactor handlers
struct LbBroker {
    frontend: Rc<zmq::Socket>, //  Listen to clients
    backend: Rc<zmq::Socket>,  //  Listen to workers
    workers: VecDeque<ZFrame>, //  List of ready workers
}

//  .split reactor design
//  In the reactor design, each time a message arrives on a socket, the
//  reactor passes it to a handler function. We have two handlers; one
//  for the frontend, one for the backend:

//  Handle input from client, on frontend
fn s_handle_frontend(reactor: &mut ZLoop<LbBroker>, _poller: &ZPollItem, this: &mut LbBroker) -> i32 {
    if let Some(mut msg) = zmsg_recv(&this.frontend) {
        if let Some(worker) = this.workers.pop_front() {
            zmsg_wrap(&mut msg, worker);
        }
        let _ = zmsg_send(msg, &this.backend);

        //  Cancel reader on frontend if we went from 1 to 0 workers
        if this.workers.is_empty() {
            zloop_reader_end(reactor, &this.frontend);
        }
    }
    0
}

//  Handle input from worker, on backend
fn s_handle_backend(reactor: &mut ZLoop<LbBroker>, _poller: &ZPollItem, this: &mut LbBroker) -> i32 {
    //  Use worker identity for load-balancing
    if let Some(mut msg) = zmsg_recv(&this.backend) {
        let identity = zmsg_unwrap(&mut msg);
        this.workers.extend(identity);

        //  Enable reader on frontend if we went from 0 to 1 workers
        if this.workers.len() == 1 {
            let poller = ZPollItem::socket(&this.frontend, zmq::POLLIN);
            zloop_poller(reactor, &poller, s_handle_frontend);
        }
        //  Forward message to client if it's not a READY
        let frame = zmsg_first(&mut msg);
        if frame.is_none_or(|frame| zframe_data(frame).starts_with(WORKER_READY)) {
            zmsg_destroy(msg);
        } else {
            let _ = zmsg_send(msg, &this.frontend);
        }
    }
    0
}

//  .split main task
//  And the main task now sets up child tasks, then starts its reactor.
//  If you press Ctrl-C, the reactor exits and the main task shuts down.
//  Because the reactor is a CZMQ class, this example may not translate
//  into all languages equally well.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ctx = zctx_new();
    let mut this = LbBroker {
        frontend: Rc::new(zsocket_new(&ctx, zmq::ROUTER)?),
        backend: Rc::new(zsocket_new(&ctx, zmq::ROUTER)?),
        workers: VecDeque::new(),
    };
    zsocket_bind(&this.frontend, "ipc://frontend.ipc")?;
    zsocket_bind(&this.backend, "ipc://backend.ipc")?;

    for _client_nbr in 0..NBR_CLIENTS {
        zthread_new(client_task, ())?;
    }
    for _worker_nbr in 0..NBR_WORKERS {
        zthread_new(worker_task, ())?;
    }

    //  Queue of available workers
    this.workers = VecDeque::new();

    //  Prepare reactor and fire it up
    let mut reactor = zloop_new();
    let poller = ZPollItem::socket(&this.backend, zmq::POLLIN);
    zloop_poller(&mut reactor, &poller, s_handle_backend);
    zloop_start(&mut reactor, &mut this);
    zloop_destroy(reactor);

    //  When we're done, clean up properly
    this.workers.clear();
    drop(this);
    zctx_destroy(ctx);
    Ok(())
}

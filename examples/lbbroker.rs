//! Load-balancing broker: a port of the zguide's `examples/C/lbbroker.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` (or the client or worker thread) through `?`, the tasks get no
//! argument (the C passes one for its Windows-only code) and the worker queue
//! is a `VecDeque` instead of an array shifted with `memmove`. As in the C,
//! `main` returns once the last reply is sent, without joining the threads,
//! so the last clients may be cut off before they print their reply.
//! Like the C it uses `ipc://frontend.ipc` and `ipc://backend.ipc`, files in
//! the current directory.

#[macro_use]
mod zhelpers;

use std::collections::VecDeque;
use zhelpers::{printf, s_recv, s_send, s_sendmore, s_set_id};

use std::thread;

const NBR_CLIENTS: i32 = 10;
const NBR_WORKERS: i32 = 3;

//  Basic request-reply client using REQ socket
//  Because s_send and s_recv can't handle 0MQ binary identities, we
//  set a printable text identity to allow routing.
//
fn client_task() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();
    let client = context.socket(zmq::REQ)?;

    s_set_id(&client)?; // Set a printable identity
    client.connect("ipc://frontend.ipc")?;

    //  Send request, get reply
    s_send(&client, "HELLO")?;
    let reply = s_recv(&client)?;
    printf("Client: %s\n", &[&reply]);
    drop(client);
    drop(context);
    Ok(())
}

//  .split worker task
//  While this example runs in a single process, that is just to make
//  it easier to start and stop the example. Each thread has its own
//  context and conceptually acts as a separate process.
//  This is the worker task, using a REQ socket to do load-balancing.
//  Because s_send and s_recv can't handle 0MQ binary identities, we
//  set a printable text identity to allow routing.

#[allow(unreachable_code)]
fn worker_task() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();
    let worker = context.socket(zmq::REQ)?;

    s_set_id(&worker)?;
    worker.connect("ipc://backend.ipc")?;

    //  Tell broker we're ready for work
    s_send(&worker, "READY")?;

    loop {
        //  Read and save all frames until we get an empty frame
        //  In this example there is only 1, but there could be more
        let identity = s_recv(&worker)?;
        let empty = s_recv(&worker)?;
        assert!(empty.is_empty());

        //  Get request, send reply
        let request = s_recv(&worker)?;
        printf("Worker: %s\n", &[&request]);

        s_sendmore(&worker, &identity)?;
        s_sendmore(&worker, "")?;
        s_send(&worker, "OK")?;
    }
    drop(worker);
    drop(context);
    Ok(())
}

//  .split main task
//  This is the main task. It starts the clients and workers, and then
//  routes requests between the two layers. Workers signal READY when
//  they start; after that we treat them as ready when they reply with
//  a response back to a client. The load-balancing data structure is
//  just a queue of next available workers.

fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and sockets
    let context = zmq::Context::new();
    let frontend = context.socket(zmq::ROUTER)?;
    let backend = context.socket(zmq::ROUTER)?;

    frontend.bind("ipc://frontend.ipc")?;
    backend.bind("ipc://backend.ipc")?;

    let mut client_nbr = 0;
    while client_nbr < NBR_CLIENTS {
        thread::spawn(client_task);
        client_nbr += 1;
    }
    for _worker_nbr in 0..NBR_WORKERS {
        thread::spawn(worker_task);
    }
    //  .split main task body
    //  Here is the main loop for the least-recently-used queue. It has two
    //  sockets; a frontend for clients and a backend for workers. It polls
    //  the backend in all cases, and polls the frontend only when there are
    //  one or more workers ready. This is a neat way to use 0MQ's own queues
    //  to hold messages we're not ready to process yet. When we get a client
    //  request, we pop the next available worker and send the request to it,
    //  including the originating client identity. When a worker replies, we
    //  requeue that worker and forward the reply to the original client
    //  using the reply envelope.

    //  Queue of available workers
    let mut available_workers = 0;
    let mut worker_queue: VecDeque<Vec<u8>> = VecDeque::with_capacity(10);

    loop {
        let mut items = [backend.as_poll_item(zmq::POLLIN), frontend.as_poll_item(zmq::POLLIN)];
        //  Poll frontend only if we have available workers
        let rc = zmq::poll(&mut items[..if available_workers > 0 { 2 } else { 1 }], -1);
        if rc.is_err() {
            break; //  Interrupted
        }

        //  Handle worker activity on backend
        if items[0].is_readable() {
            //  Queue worker identity for load-balancing
            let worker_id = s_recv(&backend)?;
            assert!(available_workers < NBR_WORKERS);
            worker_queue.push_back(worker_id);
            available_workers += 1;

            //  Second frame is empty
            let empty = s_recv(&backend)?;
            assert!(empty.is_empty());

            //  Third frame is READY or else a client reply identity
            let client_id = s_recv(&backend)?;

            //  If client reply, send rest back to frontend
            if client_id != b"READY" {
                let empty = s_recv(&backend)?;
                assert!(empty.is_empty());
                let reply = s_recv(&backend)?;
                s_sendmore(&frontend, &client_id)?;
                s_sendmore(&frontend, "")?;
                s_send(&frontend, &reply)?;
                client_nbr -= 1;
                if client_nbr == 0 {
                    break; //  Exit after N messages
                }
            }
        }
        //  .split handling a client request
        //  Here is how we handle a client request:

        if items[1].is_readable() {
            //  Now get next client request, route to last-used worker
            //  Client request is [identity][empty][request]
            let client_id = s_recv(&frontend)?;
            let empty = s_recv(&frontend)?;
            assert!(empty.is_empty());
            let request = s_recv(&frontend)?;

            s_sendmore(&backend, &worker_queue[0])?;
            s_sendmore(&backend, "")?;
            s_sendmore(&backend, &client_id)?;
            s_sendmore(&backend, "")?;
            s_send(&backend, &request)?;

            //  Dequeue and drop the next worker identity
            worker_queue.pop_front();
            available_workers -= 1;
        }
    }
    drop(frontend);
    drop(backend);
    drop(context);
    Ok(())
}

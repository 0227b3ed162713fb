//! Paranoid Pirate queue: a port of the zguide's `examples/C/ppqueue.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`; the worker list is a `VecDeque` of worker structs
//! (the C's `zlist_t` and constructor/destructor pairs); a worker message
//! with no envelope, or with an empty control frame (which the C reads
//! past), is reported as invalid like any other bad control message; and
//! the "E: invalid message from worker" line ends with a newline.

//  Paranoid Pirate queue

mod czmq;

use czmq::*;
use std::collections::VecDeque;

const HEARTBEAT_LIVENESS: i64 = 3; //  3-5 is reasonable
const HEARTBEAT_INTERVAL: i64 = 1000; //  msecs

//  Paranoid Pirate Protocol constants
const PPP_READY: &[u8] = b"\x01"; //  Signals worker is ready
const PPP_HEARTBEAT: &[u8] = b"\x02"; //  Signals worker heartbeat

//  .split worker class structure
//  Here we define the worker class; a structure and a set of functions that
//  act as constructor, destructor, and methods on worker objects:

struct Worker {
    identity: ZFrame,  //  Identity of worker
    id_string: String, //  Printable identity
    expiry: i64,       //  Expires at this time
}

//  Construct new worker
fn s_worker_new(identity: ZFrame) -> Worker {
    let id_string = zframe_strhex(&identity);
    Worker { identity, id_string, expiry: zclock_time() + HEARTBEAT_INTERVAL * HEARTBEAT_LIVENESS }
}

//  .split worker ready method
//  The ready method puts a worker to the end of the ready list:

fn s_worker_ready(worker: Worker, workers: &mut VecDeque<Worker>) {
    if let Some(index) = workers.iter().position(|other| other.id_string == worker.id_string) {
        workers.remove(index);
    }
    workers.push_back(worker);
}

//  .split get next available worker
//  The next method returns the next available worker identity:

fn s_workers_next(workers: &mut VecDeque<Worker>) -> Option<ZFrame> {
    let worker = workers.pop_front()?;
    Some(worker.identity)
}

//  .split purge expired workers
//  The purge method looks for and kills expired workers. We hold workers
//  from oldest to most recent, so we stop at the first alive worker:

fn s_workers_purge(workers: &mut VecDeque<Worker>) {
    while let Some(worker) = workers.front() {
        if zclock_time() < worker.expiry {
            break; //  Worker is alive, we're done here
        }
        workers.pop_front();
    }
}

//  .split main task
//  The main task is a load-balancer with heartbeating on workers so we
//  can detect crashed or blocked worker tasks:

fn main() -> Result<(), zmq::Error> {
    let ctx = zctx_new();
    let frontend = zsocket_new(&ctx, zmq::ROUTER)?;
    let backend = zsocket_new(&ctx, zmq::ROUTER)?;
    zsocket_bind(&frontend, "tcp://*:5555")?; //  For clients
    zsocket_bind(&backend, "tcp://*:5556")?; //  For workers

    //  List of available workers
    let mut workers: VecDeque<Worker> = VecDeque::new();

    //  Send out heartbeats at regular intervals
    let mut heartbeat_at = zclock_time() + HEARTBEAT_INTERVAL;

    loop {
        let mut items = [backend.as_poll_item(zmq::POLLIN), frontend.as_poll_item(zmq::POLLIN)];
        //  Poll frontend only if we have available workers
        let rc = zmq::poll(&mut items[..if workers.is_empty() { 1 } else { 2 }], HEARTBEAT_INTERVAL);
        if rc.is_err() {
            break; //  Interrupted
        }

        //  Handle worker activity on backend
        if items[0].is_readable() {
            //  Use worker identity for load-balancing
            let Some(mut msg) = zmsg_recv(&backend) else {
                break; //  Interrupted
            };

            //  Any sign of life from worker means it's ready
            if let Some(identity) = zmsg_unwrap(&mut msg) {
                let worker = s_worker_new(identity);
                s_worker_ready(worker, &mut workers);
            }

            //  Validate control message, or return reply to client
            if zmsg_size(&msg) <= 1 {
                let valid = zmsg_first(&mut msg).is_some_and(|frame| {
                    let data = zframe_data(frame);
                    data.starts_with(PPP_READY) || data.starts_with(PPP_HEARTBEAT)
                });
                if !valid {
                    println!("E: invalid message from worker");
                    zmsg_dump(&msg);
                }
                zmsg_destroy(msg);
            } else {
                zmsg_send(msg, &frontend)?;
            }
        }
        if items[1].is_readable() {
            //  Now get next client request, route to next worker
            let Some(mut msg) = zmsg_recv(&frontend) else {
                break; //  Interrupted
            };
            if let Some(identity) = s_workers_next(&mut workers) {
                zmsg_prepend(&mut msg, identity);
                zmsg_send(msg, &backend)?;
            }
        }
        //  .split handle heartbeating
        //  We handle heartbeating after any socket activity. First, we send
        //  heartbeats to any idle workers if it's time. Then, we purge any
        //  dead workers:
        if zclock_time() >= heartbeat_at {
            for worker in &workers {
                zframe_send(&worker.identity, &backend, ZFRAME_REUSE + ZFRAME_MORE)?;
                let frame = zframe_new(PPP_HEARTBEAT);
                zframe_send(frame, &backend, 0)?;
            }
            heartbeat_at = zclock_time() + HEARTBEAT_INTERVAL;
        }
        s_workers_purge(&mut workers);
    }
    //  When we're done, clean up properly
    workers.clear();
    drop(frontend);
    drop(backend);
    zctx_destroy(ctx);
    Ok(())
}

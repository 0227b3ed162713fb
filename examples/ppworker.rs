//! Paranoid Pirate worker: a port of the zguide's `examples/C/ppworker.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`, and an empty one-frame message (which the C reads
//! past) counts as invalid.

//  Paranoid Pirate worker

mod czmq;

use czmq::*;
use std::thread;
use std::time::Duration;

const HEARTBEAT_LIVENESS: usize = 3; //  3-5 is reasonable
const HEARTBEAT_INTERVAL: i64 = 1000; //  msecs
const INTERVAL_INIT: i64 = 1000; //  Initial reconnect
const INTERVAL_MAX: i64 = 32000; //  After exponential backoff

//  Paranoid Pirate Protocol constants
const PPP_READY: &[u8] = b"\x01"; //  Signals worker is ready
const PPP_HEARTBEAT: &[u8] = b"\x02"; //  Signals worker heartbeat

//  Helper function that returns a new configured socket
//  connected to the Paranoid Pirate queue

fn s_worker_socket(ctx: &ZCtx) -> Result<zmq::Socket, zmq::Error> {
    let worker = zsocket_new(ctx, zmq::DEALER)?;
    zsocket_connect(&worker, "tcp://localhost:5556")?;

    //  Tell queue we're ready for work
    println!("I: worker ready");
    let frame = zframe_new(PPP_READY);
    zframe_send(frame, &worker, 0)?;

    Ok(worker)
}

//  .split main task
//  We have a single task that implements the worker side of the
//  Paranoid Pirate Protocol (PPP). The interesting parts here are
//  the heartbeating, which lets the worker detect if the queue has
//  died, and vice versa:

fn main() -> Result<(), zmq::Error> {
    let ctx = zctx_new();
    let mut worker = s_worker_socket(&ctx)?;

    //  If liveness hits zero, queue is considered disconnected
    let mut liveness = HEARTBEAT_LIVENESS;
    let mut interval = INTERVAL_INIT;

    //  Send out heartbeats at regular intervals
    let mut heartbeat_at = zclock_time() + HEARTBEAT_INTERVAL;

    srandom(time() as u32);
    let mut cycles = 0;
    loop {
        let mut items = [worker.as_poll_item(zmq::POLLIN)];
        let rc = zmq::poll(&mut items, HEARTBEAT_INTERVAL);
        if rc.is_err() {
            break; //  Interrupted
        }

        if items[0].is_readable() {
            //  Get message
            //  - 3-part envelope + content -> request
            //  - 1-part HEARTBEAT -> heartbeat
            let Some(mut msg) = zmsg_recv(&worker) else {
                break; //  Interrupted
            };

            //  .split simulating problems
            //  To test the robustness of the queue implementation we
            //  simulate various typical problems, such as the worker
            //  crashing or running very slowly. We do this after a few
            //  cycles so that the architecture can get up and running
            //  first:
            if zmsg_size(&msg) == 3 {
                cycles += 1;
                if cycles > 3 && randof(5) == 0 {
                    println!("I: simulating a crash");
                    zmsg_destroy(msg);
                    break;
                } else if cycles > 3 && randof(5) == 0 {
                    println!("I: simulating CPU overload");
                    thread::sleep(Duration::from_secs(3));
                    if zctx_interrupted() {
                        break;
                    }
                }
                println!("I: normal reply");
                zmsg_send(msg, &worker)?;
                liveness = HEARTBEAT_LIVENESS;
                thread::sleep(Duration::from_secs(1)); //  Do some heavy work
                if zctx_interrupted() {
                    break;
                }
            }
            //  .split handle heartbeats
            //  When we get a heartbeat message from the queue, it means the
            //  queue was (recently) alive, so we must reset our liveness
            //  indicator:
            else if zmsg_size(&msg) == 1 {
                let heartbeat = zmsg_first(&mut msg).is_some_and(|frame| zframe_data(frame).starts_with(PPP_HEARTBEAT));
                if heartbeat {
                    liveness = HEARTBEAT_LIVENESS;
                } else {
                    println!("E: invalid message");
                    zmsg_dump(&msg);
                }
                zmsg_destroy(msg);
            } else {
                println!("E: invalid message");
                zmsg_dump(&msg);
            }
            interval = INTERVAL_INIT;
        }
        //  .split detecting a dead queue
        //  If the queue hasn't sent us heartbeats in a while, destroy the
        //  socket and reconnect. This is the simplest most brutal way of
        //  discarding any messages we might have sent in the meantime:
        else {
            liveness -= 1;
            if liveness == 0 {
                println!("W: heartbeat failure, can't reach queue");
                println!("W: reconnecting in {interval} msec...");
                zclock_sleep(interval);

                if interval < INTERVAL_MAX {
                    interval *= 2;
                }
                zsocket_destroy(&ctx, worker);
                worker = s_worker_socket(&ctx)?;
                liveness = HEARTBEAT_LIVENESS;
            }
        }
        //  Send heartbeat to queue if it's time
        if zclock_time() > heartbeat_at {
            heartbeat_at = zclock_time() + HEARTBEAT_INTERVAL;
            println!("I: worker heartbeat");
            let frame = zframe_new(PPP_HEARTBEAT);
            zframe_send(frame, &worker, 0)?;
        }
    }
    drop(worker);
    zctx_destroy(ctx);
    Ok(())
}

//! ROUTER-to-DEALER example: a port of the zguide's `examples/C/rtdealer.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` (or the worker thread) through `?`, and the workers get no argument
//! (the C passes one for its Windows-only `s_set_id`). As in the C, `main`
//! returns without joining the workers, so a worker fired last may be cut off
//! before it prints its total.

#[macro_use]
mod zhelpers;

use std::thread;
use zhelpers::{randof, s_clock, s_recv, s_send, s_sendmore, s_set_id, s_sleep, srandom, time};

const NBR_WORKERS: i32 = 10;

fn worker_task() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();
    let worker = context.socket(zmq::DEALER)?;

    s_set_id(&worker)?; //  Set a printable identity

    worker.connect("tcp://localhost:5671")?;

    let mut total = 0;
    loop {
        //  Tell the broker we're ready for work
        s_sendmore(&worker, "")?;
        s_send(&worker, "Hi Boss")?;

        //  Get workload from broker, until finished
        s_recv(&worker)?; //  Envelope delimiter
        let workload = s_recv(&worker)?;
        //  .skip
        let finished = workload == b"Fired!";
        if finished {
            println!("Completed: {total} tasks");
            break;
        }
        total += 1;

        //  Do some random work
        s_sleep(randof(500) + 1);
    }
    drop(worker);
    drop(context);
    Ok(())
}

//  .split main task
//  While this example runs in a single process, that is just to make
//  it easier to start and stop the example. Each thread has its own
//  context and conceptually acts as a separate process.

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();
    let broker = context.socket(zmq::ROUTER)?;

    broker.bind("tcp://*:5671")?;
    srandom(time() as u32);

    for _worker_nbr in 0..NBR_WORKERS {
        thread::spawn(worker_task);
    }
    //  Run for five seconds and then tell workers to end
    let end_time = s_clock() + 5000;
    let mut workers_fired = 0;
    loop {
        //  Next message gives us least recently used worker
        let identity = s_recv(&broker)?;
        s_sendmore(&broker, &identity)?;
        s_recv(&broker)?; //  Envelope delimiter
        s_recv(&broker)?; //  Response from worker
        s_sendmore(&broker, "")?;

        //  Encourage workers until it's time to fire them
        if s_clock() < end_time {
            s_send(&broker, "Work harder")?;
        } else {
            s_send(&broker, "Fired!")?;
            workers_fired += 1;
            if workers_fired == NBR_WORKERS {
                break;
            }
        }
    }
    drop(broker);
    drop(context);
    Ok(())
}
//  .until

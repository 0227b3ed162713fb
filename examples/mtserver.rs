//! Multithreaded Hello World server: a port of the zguide's
//! `examples/C/mtserver.c`.
//!
//! Differs from the C only in that each worker thread gets a clone of the
//! (reference-counted) context instead of the raw pointer, and libzmq errors,
//! which the C ignores, end `main` (or the worker thread) through `?`.

#[macro_use]
mod zhelpers;

use std::thread;
use std::time::Duration;
use zhelpers::{printf, s_recv, s_send};

#[allow(unreachable_code)]
fn worker_routine(context: zmq::Context) -> Result<(), zmq::Error> {
    //  Socket to talk to dispatcher
    let receiver = context.socket(zmq::REP)?;
    receiver.connect("inproc://workers")?;

    loop {
        let string = s_recv(&receiver)?;
        printf("Received request: [%s]\n", &[&string]);
        //  Do some 'work'
        thread::sleep(Duration::from_secs(1));
        //  Send reply back to client
        s_send(&receiver, "World")?;
    }
    drop(receiver);
    Ok(())
}

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();

    //  Socket to talk to clients
    let clients = context.socket(zmq::ROUTER)?;
    clients.bind("tcp://*:5555")?;

    //  Socket to talk to workers
    let workers = context.socket(zmq::DEALER)?;
    workers.bind("inproc://workers")?;

    //  Launch pool of worker threads
    for _thread_nbr in 0..5 {
        let context = context.clone();
        thread::spawn(move || worker_routine(context));
    }
    //  Connect work threads to client threads via a queue proxy
    zmq::proxy(&clients, &workers)?;

    //  We never get here, but clean up anyhow
    drop(clients);
    drop(workers);
    drop(context);
    Ok(())
}

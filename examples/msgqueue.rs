//! Simple message queuing broker: a port of the zguide's
//! `examples/C/msgqueue.c`.
//!
//! Differs from the C only in that libzmq errors, which the C asserts on or
//! ignores, end `main` through `?`.

//  Same as request-reply broker but using shared queue proxy

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();

    //  Socket facing clients
    let frontend = context.socket(zmq::ROUTER)?;
    frontend.bind("tcp://*:5559")?;

    //  Socket facing services
    let backend = context.socket(zmq::DEALER)?;
    backend.bind("tcp://*:5560")?;

    //  Start the proxy
    zmq::proxy(&frontend, &backend)?;

    //  We never get here...
    drop(frontend);
    drop(backend);
    drop(context);
    Ok(())
}

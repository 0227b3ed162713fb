//! Pubsub envelope subscriber: a port of the zguide's
//! `examples/C/psenvsub.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

#[macro_use]
mod zhelpers;

use zhelpers::{printf, s_recv};

#[allow(unreachable_code)]
fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and subscriber
    let context = zmq::Context::new();
    let subscriber = context.socket(zmq::SUB)?;
    subscriber.connect("tcp://localhost:5563")?;
    subscriber.set_subscribe(b"B")?;

    loop {
        //  Read envelope with address
        let address = s_recv(&subscriber)?;
        //  Read message contents
        let contents = s_recv(&subscriber)?;
        printf("[%s] %s\n", &[&address, &contents]);
    }
    //  We never get here, but clean up anyhow
    drop(subscriber);
    drop(context);
    Ok(())
}

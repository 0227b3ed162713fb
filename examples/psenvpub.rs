//! Pubsub envelope publisher: a port of the zguide's `examples/C/psenvpub.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  Note that the zhelpers module also provides s_sendmore

#[macro_use]
mod zhelpers;

use std::thread;
use std::time::Duration;
use zhelpers::{s_send, s_sendmore};

#[allow(unreachable_code)]
fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and publisher
    let context = zmq::Context::new();
    let publisher = context.socket(zmq::PUB)?;
    publisher.bind("tcp://*:5563")?;

    loop {
        //  Write two messages, each with an envelope and content
        s_sendmore(&publisher, "A")?;
        s_send(&publisher, "We don't want to see this")?;
        s_sendmore(&publisher, "B")?;
        s_send(&publisher, "We would like to see this")?;
        thread::sleep(Duration::from_secs(1));
    }
    //  We never get here, but clean up anyhow
    drop(publisher);
    drop(context);
    Ok(())
}

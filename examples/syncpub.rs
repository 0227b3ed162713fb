//! Synchronized publisher: a port of the zguide's `examples/C/syncpub.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

#[macro_use]
mod zhelpers;

use zhelpers::{s_recv, s_send};

const SUBSCRIBERS_EXPECTED: i32 = 10; //  We wait for 10 subscribers

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();

    //  Socket to talk to clients
    let publisher = context.socket(zmq::PUB)?;

    let sndhwm = 1100000;
    publisher.set_sndhwm(sndhwm)?;

    publisher.bind("tcp://*:5561")?;

    //  Socket to receive signals
    let syncservice = context.socket(zmq::REP)?;
    syncservice.bind("tcp://*:5562")?;

    //  Get synchronization from subscribers
    println!("Waiting for subscribers");
    let mut subscribers = 0;
    while subscribers < SUBSCRIBERS_EXPECTED {
        //  - wait for synchronization request
        let _string = s_recv(&syncservice)?;
        //  - send synchronization reply
        s_send(&syncservice, "")?;
        subscribers += 1;
    }
    //  Now broadcast exactly 1M updates followed by END
    println!("Broadcasting messages");
    for _update_nbr in 0..1000000 {
        s_send(&publisher, "Rhubarb")?;
    }

    s_send(&publisher, "END")?;

    drop(publisher);
    drop(syncservice);
    drop(context);
    Ok(())
}

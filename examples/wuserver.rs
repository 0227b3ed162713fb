//! Weather update server: a port of the zguide's `examples/C/wuserver.c`.
//!
//! Differs from the C only in that libzmq errors, which the C asserts on or
//! ignores, end `main` through `?`.

//  Binds PUB socket to tcp://*:5556
//  Publishes random weather updates

#[macro_use]
mod zhelpers;

use zhelpers::{randof, s_send, srandom, time};

#[allow(unreachable_code)]
fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and publisher
    let context = zmq::Context::new();
    let publisher = context.socket(zmq::PUB)?;
    publisher.bind("tcp://*:5556")?;

    //  Initialize random number generator
    srandom(time() as u32);
    loop {
        //  Get values that will fool the boss
        let zipcode = randof(100000);
        let temperature = randof(215) - 80;
        let relhumidity = randof(50) + 10;

        //  Send message to all subscribers
        let update = format!("{zipcode:05} {temperature} {relhumidity}");
        s_send(&publisher, &update)?;
    }
    drop(publisher);
    drop(context);
    Ok(())
}

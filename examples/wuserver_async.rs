//! Weather update server, async: `wuserver.rs` (the zguide's `examples/C/wuserver.c`) on
//! [`zmq::AsyncSocket`] and the tokio runtime (run with `--features tokio`).
//!
//! Statement for statement the blocking port, with each update's send awaited (a PUB
//! send never waits: at a subscriber's HWM libzmq drops the update for that subscriber).

//  Binds PUB socket to tcp://*:5556
//  Publishes random weather updates

mod zhelpers;

use zhelpers::{randof, srandom, time};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and publisher
    let context = zmq::Context::new();
    let publisher = zmq::AsyncSocket::new(&context, zmq::PUB)?;
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
        publisher.send(update, 0).await?;
    }
}

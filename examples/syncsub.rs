//! Synchronized subscriber: a port of the zguide's `examples/C/syncsub.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

#[macro_use]
mod zhelpers;

use std::thread;
use std::time::Duration;
use zhelpers::{s_recv, s_send};

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();

    //  First, connect our subscriber socket
    let subscriber = context.socket(zmq::SUB)?;
    subscriber.connect("tcp://localhost:5561")?;
    subscriber.set_subscribe(b"")?;

    //  0MQ is so fast, we need to wait a while...
    thread::sleep(Duration::from_secs(1));

    //  Second, synchronize with publisher
    let syncclient = context.socket(zmq::REQ)?;
    syncclient.connect("tcp://localhost:5562")?;

    //  - send a synchronization request
    s_send(&syncclient, "")?;

    //  - wait for synchronization reply
    let _string = s_recv(&syncclient)?;

    //  Third, get our updates and report how many we got
    let mut update_nbr = 0;
    loop {
        let string = s_recv(&subscriber)?;
        if string == b"END" {
            break;
        }
        update_nbr += 1;
    }
    println!("Received {update_nbr} updates");

    drop(subscriber);
    drop(syncclient);
    drop(context);
    Ok(())
}

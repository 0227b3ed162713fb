//! Reading from multiple sockets, with a simple recv loop: a port of the
//! zguide's `examples/C/msreader.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  This version uses a simple recv loop

#[macro_use]
mod zhelpers;

use zhelpers::s_sleep;

#[allow(unreachable_code)]
fn main() -> Result<(), zmq::Error> {
    //  Connect to task ventilator
    let context = zmq::Context::new();
    let receiver = context.socket(zmq::PULL)?;
    receiver.connect("tcp://localhost:5557")?;

    //  Connect to weather server
    let subscriber = context.socket(zmq::SUB)?;
    subscriber.connect("tcp://localhost:5556")?;
    subscriber.set_subscribe(b"10001 ")?;

    //  Process messages from both sockets
    //  We prioritize traffic from the task ventilator
    loop {
        let mut msg = [0u8; 256];
        loop {
            let size = receiver.recv_into(&mut msg[..255], zmq::DONTWAIT);
            if let Ok(_size) = size {
                //  Process task
            } else {
                break;
            }
        }
        loop {
            let size = subscriber.recv_into(&mut msg[..255], zmq::DONTWAIT);
            if let Ok(_size) = size {
                //  Process weather update
            } else {
                break;
            }
        }
        //  No activity, so sleep for 1 msec
        s_sleep(1);
    }
    drop(receiver);
    drop(subscriber);
    drop(context);
    Ok(())
}

//! Reading from multiple sockets, with `zmq::poll`: a port of the zguide's
//! `examples/C/mspoller.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  This version uses zmq_poll()

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

    let mut items = [receiver.as_poll_item(zmq::POLLIN), subscriber.as_poll_item(zmq::POLLIN)];
    //  Process messages from both sockets
    loop {
        let mut msg = [0u8; 256];

        zmq::poll(&mut items, -1)?;
        if items[0].is_readable() {
            let size = receiver.recv_into(&mut msg[..255], 0);
            if let Ok(_size) = size {
                //  Process task
            }
        }
        if items[1].is_readable() {
            let size = subscriber.recv_into(&mut msg[..255], 0);
            if let Ok(_size) = size {
                //  Process weather update
            }
        }
    }
    drop(subscriber);
    drop(context);
    Ok(())
}

//! Simple request-reply broker: a port of the zguide's
//! `examples/C/rrbroker.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`; sending a `zmq::Message` consumes it, so there is no
//! `zmq_msg_close`.

#[allow(unreachable_code)]
fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and sockets
    let context = zmq::Context::new();
    let frontend = context.socket(zmq::ROUTER)?;
    let backend = context.socket(zmq::DEALER)?;
    frontend.bind("tcp://*:5559")?;
    backend.bind("tcp://*:5560")?;

    //  Initialize poll set
    let mut items = [frontend.as_poll_item(zmq::POLLIN), backend.as_poll_item(zmq::POLLIN)];
    //  Switch messages between sockets
    loop {
        zmq::poll(&mut items, -1)?;
        if items[0].is_readable() {
            loop {
                //  Process all parts of the message
                let mut message = zmq::Message::new();
                frontend.recv(&mut message, 0)?;
                let more = message.get_more();
                backend.send(message, if more { zmq::SNDMORE } else { 0 })?;
                if !more {
                    break; //  Last message part
                }
            }
        }
        if items[1].is_readable() {
            loop {
                //  Process all parts of the message
                let mut message = zmq::Message::new();
                backend.recv(&mut message, 0)?;
                let more = message.get_more();
                frontend.send(message, if more { zmq::SNDMORE } else { 0 })?;
                if !more {
                    break; //  Last message part
                }
            }
        }
    }
    //  We never get here, but clean up anyhow
    drop(frontend);
    drop(backend);
    drop(context);
    Ok(())
}

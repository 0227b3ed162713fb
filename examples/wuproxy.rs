//! Weather proxy device: a port of the zguide's `examples/C/wuproxy.c`.
//!
//! Differs from the C in its endpoints: the C connects to a weather server on
//! another host's private address and binds a second interface's private
//! address. Here the weather server is `wuserver` on this machine
//! (`tcp://localhost:5556`) and the public endpoint is port 8100 on all local
//! interfaces (`tcp://*:8100`). libzmq errors, which the C ignores, end `main`
//! through `?`.

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();

    //  This is where the weather server sits
    let frontend = context.socket(zmq::XSUB)?;
    frontend.connect("tcp://localhost:5556")?;

    //  This is our public endpoint for subscribers
    let backend = context.socket(zmq::XPUB)?;
    backend.bind("tcp://*:8100")?;

    //  Run the proxy until the user interrupts us
    zmq::proxy(&frontend, &backend)?;

    drop(frontend);
    drop(backend);
    drop(context);
    Ok(())
}

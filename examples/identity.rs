//! Demonstrate request-reply identities: a port of the zguide's
//! `examples/C/identity.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

#[macro_use]
mod zhelpers;

use zhelpers::{s_dump, s_send};

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();
    let sink = context.socket(zmq::ROUTER)?;
    sink.bind("inproc://example")?;

    //  First allow 0MQ to set the identity
    let anonymous = context.socket(zmq::REQ)?;
    anonymous.connect("inproc://example")?;
    s_send(&anonymous, "ROUTER uses a generated 5 byte identity")?;
    s_dump(&sink)?;

    //  Then set the identity ourselves
    let identified = context.socket(zmq::REQ)?;
    identified.set_identity(b"PEER2")?;
    identified.connect("inproc://example")?;
    s_send(&identified, "ROUTER socket uses REQ's socket identity")?;
    s_dump(&sink)?;

    drop(sink);
    drop(anonymous);
    drop(identified);
    drop(context);
    Ok(())
}

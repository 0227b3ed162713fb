//! Majordomo Protocol worker example: a port of the zguide's
//! `examples/C/mdworker.c` over the `mdwrkapi` port.
//!
//! Differs from the C only in that a failure to create the session ends
//! `main` with the libzmq error.

//  Majordomo Protocol worker example
//  Uses the mdwrk API to hide all MDP aspects

mod czmq;
mod mdp;
mod mdwrkapi;

use czmq::*;
use mdwrkapi::*;

#[allow(clippy::while_let_loop)] //  The C's loop, with its break
fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.len() > 1 && streq(&args[1], "-v");
    let mut session = mdwrk_new("tcp://localhost:5555", "echo", verbose)?;

    let mut reply = None;
    loop {
        let Some(request) = mdwrk_recv(&mut session, reply.take()) else {
            break; //  Worker was interrupted
        };
        reply = Some(request); //  Echo is complex... :-)
    }
    mdwrk_destroy(session);
    Ok(())
}

//! MMI echo query example: a port of the zguide's `examples/C/mmiecho.c`
//! over the `mdcliapi` port.
//!
//! Differs from the C only in that a failure to create the session ends
//! `main` with the libzmq error, and the reply code is printed byte for
//! byte (an empty reply prints an empty code where the C dereferences
//! NULL).

//  MMI echo query example

mod czmq;
mod mdcliapi;
mod mdp;

use czmq::*;
use mdcliapi::*;

fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.len() > 1 && streq(&args[1], "-v");
    let mut session = mdcli_new("tcp://localhost:5555", verbose)?;

    //  This is the service we want to look up
    let mut request = zmsg_new();
    zmsg_addstr(&mut request, "echo");

    //  This is the service we send our request to
    let reply = mdcli_send(&mut session, "mmi.service", request);

    if let Some(mut reply) = reply {
        let reply_code = zmsg_first(&mut reply).map(|frame| zframe_strdup(frame)).unwrap_or_default();
        printf("Lookup echo service: %s\n", &[&reply_code]);
        zmsg_destroy(reply);
    } else {
        println!("E: no response from broker, make sure it's running");
    }
    mdcli_destroy(session);
    Ok(())
}

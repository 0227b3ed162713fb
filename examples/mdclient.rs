//! Majordomo Protocol client example: a port of the zguide's
//! `examples/C/mdclient.c` over the `mdcliapi` port.
//!
//! Differs from the C in that a failure to create the session ends `main`
//! with the libzmq error, and the number of requests (100000 in the C) can
//! be lowered with the environment variable `MDCLIENT_REQUESTS`, so a test
//! can run it briefly.

//  Majordomo Protocol client example
//  Uses the mdcli API to hide all MDP aspects

mod czmq;
mod mdcliapi;
mod mdp;

use czmq::*;
use mdcliapi::*;

fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.len() > 1 && streq(&args[1], "-v");
    let requests = std::env::var("MDCLIENT_REQUESTS").ok().map_or(100000, atoi);
    let mut session = mdcli_new("tcp://localhost:5555", verbose)?;

    let mut count = 0;
    while count < requests {
        let mut request = zmsg_new();
        zmsg_pushstr(&mut request, "Hello world");
        let reply = mdcli_send(&mut session, "echo", request);
        if let Some(reply) = reply {
            zmsg_destroy(reply);
        } else {
            break; //  Interrupt or failure
        }
        count += 1;
    }
    println!("{count} requests/replies processed");
    mdcli_destroy(session);
    Ok(())
}

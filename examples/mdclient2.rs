//! Majordomo Protocol client example, asynchronous: a port of the zguide's
//! `examples/C/mdclient2.c` over the `mdcliapi2` port.
//!
//! Differs from the C in that the C includes `mdcliapi2.c` where this uses
//! `mod mdcliapi2;`; a failure to create the session or to send a request
//! ends `main` with libzmq's error; and the number of requests (100000 in
//! the C) can be lowered with the environment variable `MDCLIENT_REQUESTS`,
//! as for `mdclient`.

//  Majordomo Protocol client example - asynchronous
//  Uses the mdcli API to hide all MDP aspects

mod czmq;
mod mdcliapi2;
mod mdp;

use czmq::*;
use mdcliapi2::*;

fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.len() > 1 && streq(&args[1], "-v");
    let requests = std::env::var("MDCLIENT_REQUESTS").ok().map_or(100000, atoi);
    let mut session = mdcli_new("tcp://localhost:5555", verbose)?;

    let mut count = 0;
    while count < requests {
        let mut request = zmsg_new();
        zmsg_pushstr(&mut request, "Hello world");
        mdcli_send(&mut session, "echo", request)?;
        count += 1;
    }
    count = 0;
    while count < requests {
        if let Some(reply) = mdcli_recv(&mut session) {
            zmsg_destroy(reply);
        } else {
            break; //  Interrupted by Ctrl-C
        }
        count += 1;
    }
    println!("{count} replies received");
    mdcli_destroy(session);
    Ok(())
}

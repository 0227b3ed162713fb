//! Freelance client, model 3: a port of the zguide's
//! `examples/C/flclient3.c` over the `flcliapi` port.
//!
//! Differs from the C in that the C includes `flcliapi.c` where this uses
//! `mod flcliapi;`; libzmq errors on the agent's pipe end `main`; and the
//! number of requests (10000 in the C) can be lowered with the environment
//! variable `FLCLIENT_REQUESTS`, the average then still divides by 10 as
//! the C's does.

//  Freelance client - Model 3
//  Uses flcliapi class to encapsulate Freelance pattern

mod czmq;
mod flcliapi;

use czmq::*;
use flcliapi::*;

fn main() -> Result<(), zmq::Error> {
    //  Create new freelance client object
    let client = flcliapi_new()?;

    //  Connect to several endpoints
    flcliapi_connect(&client, "tcp://localhost:5555")?;
    flcliapi_connect(&client, "tcp://localhost:5556")?;
    flcliapi_connect(&client, "tcp://localhost:5557")?;

    //  Send a bunch of name resolution 'requests', measure time
    let mut requests = std::env::var("FLCLIENT_REQUESTS").ok().map_or(10000, atoi);
    let start = zclock_time();
    while requests > 0 {
        requests -= 1;
        let mut request = zmsg_new();
        zmsg_addstr(&mut request, "random name");
        let Some(reply) = flcliapi_request(&client, request)? else {
            println!("E: name service not available, aborting");
            break;
        };
        zmsg_destroy(reply);
    }
    printf("Average round trip cost: %d usec\n", &[&((zclock_time() - start) / 10)]);

    flcliapi_destroy(client);
    Ok(())
}

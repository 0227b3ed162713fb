//! Pathological publisher: a port of the zguide's `examples/C/pathopub.c`.
//!
//! Differs from the C in that libzmq errors, which the C ignores, end
//! `main` through `?`, and an endpoint argument that is not UTF-8 is
//! refused with an error.

//  Pathological publisher
//  Sends out 1,000 topics and then one random update per second

mod czmq;

use czmq::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv = std::env::args_os()
        .map(|arg| arg.into_string().map_err(|arg| format!("not UTF-8: {arg:?}")))
        .collect::<Result<Vec<String>, String>>()?;
    let context = zctx_new();
    let publisher = zsocket_new(&context, zmq::PUB)?;
    if argv.len() == 2 {
        zsocket_bind(&publisher, &argv[1])?;
    } else {
        zsocket_bind(&publisher, "tcp://*:5556")?;
    }

    //  Ensure subscriber connection has time to complete
    zclock_sleep(1000);

    //  Send out all 1,000 topic messages
    for topic_nbr in 0..1000 {
        zstr_sendfm(&publisher, "%03d", &[&topic_nbr])?;
        zstr_send(&publisher, "Save Roger")?;
    }
    //  Send one random update per second
    srandom(time() as u32);
    while !zctx_interrupted() {
        zclock_sleep(1000);
        zstr_sendfm(&publisher, "%03d", &[&randof(1000)])?;
        zstr_send(&publisher, "Off with his head!")?;
    }
    drop(publisher);
    zctx_destroy(context);
    Ok(())
}

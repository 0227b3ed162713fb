//! Clone client, model one: a port of the zguide's `examples/C/clonecli1.c`
//! over the `kvsimple` port.
//!
//! Differs from the C in that the C includes `kvsimple.c` where this uses
//! `mod kvsimple;`; a failure to connect ends `main` with libzmq's error
//! (the C ignores it); a malformed message is dropped (the C's `kvmsg_recv`
//! returns NULL for it, which ends its loop as an interrupt does); and, as
//! it exits, the client dumps its map to stderr when `CLONE_DUMP` is set
//! (`kvmap_dump`, an addition for the scenario tests).

//  Clone client Model One

mod czmq;
mod kvsimple;

use czmq::*;
use kvsimple::*;

fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and updates socket
    let ctx = zctx_new();
    let updates = zsocket_new(&ctx, zmq::SUB)?;
    zsocket_set_subscribe(&updates, "")?;
    zsocket_connect(&updates, "tcp://localhost:5556")?;

    let mut kvmap = KvMap::new();
    let mut sequence: i64 = 0;

    loop {
        let kvmsg = match kvmsg_recv(&updates) {
            Ok(Some(kvmsg)) => kvmsg,
            Ok(None) => continue, //  Malformed: dropped
            Err(_) => break,      //  Interrupted
        };
        kvmsg_store(kvmsg, &mut kvmap);
        sequence += 1;
    }
    printf(" Interrupted\n%d messages in\n", &[&(sequence as i32)]);
    kvmap_dump(&kvmap);
    drop(kvmap);
    zctx_destroy(ctx);
    Ok(())
}

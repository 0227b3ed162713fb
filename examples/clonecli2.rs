//! Clone client, model two: a port of the zguide's `examples/C/clonecli2.c`
//! over the `kvsimple` port.
//!
//! Differs from the C in that the C includes `kvsimple.c` where this uses
//! `mod kvsimple;`; a failure to connect or to send the request ends `main`
//! with libzmq's error (the C ignores it); a malformed message is dropped
//! (the C's `kvmsg_recv` returns NULL for it, which ends its loop as an
//! interrupt does); and, as it exits, the client dumps its map to stderr
//! when `CLONE_DUMP` is set (`kvmap_dump`, an addition for the scenario
//! tests).

//  Clone client - Model Two

//  Lets us build this source without creating a library
mod czmq;
mod kvsimple;

use czmq::*;
use kvsimple::*;

fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and subscriber
    let ctx = zctx_new();
    let snapshot = zsocket_new(&ctx, zmq::DEALER)?;
    zsocket_connect(&snapshot, "tcp://localhost:5556")?;
    let subscriber = zsocket_new(&ctx, zmq::SUB)?;
    zsocket_set_subscribe(&subscriber, "")?;
    zsocket_connect(&subscriber, "tcp://localhost:5557")?;

    let mut kvmap = KvMap::new();

    //  Get state snapshot
    let mut sequence: i64 = 0;
    zstr_send(&snapshot, "ICANHAZ?")?;
    loop {
        let kvmsg = match kvmsg_recv(&snapshot) {
            Ok(Some(kvmsg)) => kvmsg,
            Ok(None) => continue, //  Malformed: dropped
            Err(_) => break,      //  Interrupted
        };
        if streq(kvmsg_key(&kvmsg).unwrap_or_default(), "KTHXBAI") {
            sequence = kvmsg_sequence(&kvmsg);
            printf("Received snapshot=%d\n", &[&(sequence as i32)]);
            kvmsg_destroy(kvmsg);
            break; //  Done
        }
        kvmsg_store(kvmsg, &mut kvmap);
    }
    //  Now apply pending updates, discard out-of-sequence messages
    while !zctx_interrupted() {
        let kvmsg = match kvmsg_recv(&subscriber) {
            Ok(Some(kvmsg)) => kvmsg,
            Ok(None) => continue, //  Malformed: dropped
            Err(_) => break,      //  Interrupted
        };
        if kvmsg_sequence(&kvmsg) > sequence {
            sequence = kvmsg_sequence(&kvmsg);
            kvmsg_store(kvmsg, &mut kvmap);
        } else {
            kvmsg_destroy(kvmsg);
        }
    }
    kvmap_dump(&kvmap);
    drop(kvmap);
    zctx_destroy(ctx);
    Ok(())
}

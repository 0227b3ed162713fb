//! Clone client, model four: a port of the zguide's
//! `examples/C/clonecli4.c` over the `kvsimple` port.
//!
//! Differs from the C in that the C includes `kvsimple.c` where this uses
//! `mod kvsimple;`; a failure to connect or to send the request ends `main`
//! with libzmq's error (the C ignores it); a malformed message is dropped
//! (the C's `kvmsg_recv` returns NULL for it, which ends its loop as an
//! interrupt does); and, as it exits, the client dumps its map to stderr
//! when `CLONE_DUMP` is set (`kvmap_dump`, an addition for the scenario
//! tests).
//!
//! The C subscribes its SUB socket to "" as well as to the subtree (a line
//! left from `clonecli3.c`), so it would take every update the server
//! publishes, in the subtree or not, and store it; this port subscribes to
//! the subtree only, as the guide's text says and its other languages'
//! versions do.

//  Clone client - Model Four

//  Lets us build this source without creating a library
mod czmq;
mod kvsimple;

use czmq::*;
use kvsimple::*;

//  This client is identical to clonecli3 except for where we
//  handles subtrees.
const SUBTREE: &str = "/client/";
//  .skip

fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and subscriber
    let ctx = zctx_new();
    let snapshot = zsocket_new(&ctx, zmq::DEALER)?;
    zsocket_connect(&snapshot, "tcp://localhost:5556")?;
    let subscriber = zsocket_new(&ctx, zmq::SUB)?;
    //  .until
    zsocket_connect(&subscriber, "tcp://localhost:5557")?;
    zsocket_set_subscribe(&subscriber, SUBTREE)?;
    //  .skip
    let publisher = zsocket_new(&ctx, zmq::PUSH)?;
    zsocket_connect(&publisher, "tcp://localhost:5558")?;

    let mut kvmap = KvMap::new();
    srandom(time() as u32);

    //  .until
    //  We first request a state snapshot:
    let mut sequence: i64 = 0;
    zstr_sendm(&snapshot, "ICANHAZ?")?;
    zstr_send(&snapshot, SUBTREE)?;
    //  .skip
    loop {
        let kvmsg = match kvmsg_recv(&snapshot) {
            Ok(Some(kvmsg)) => kvmsg,
            Ok(None) => continue, //  Malformed: dropped
            Err(_) => break,      //  Interrupted
        };
        if streq(kvmsg_key(&kvmsg).unwrap_or_default(), "KTHXBAI") {
            sequence = kvmsg_sequence(&kvmsg);
            printf("I: received snapshot=%d\n", &[&(sequence as i32)]);
            kvmsg_destroy(kvmsg);
            break; //  Done
        }
        kvmsg_store(kvmsg, &mut kvmap);
    }
    let mut alarm = zclock_time() + 1000;
    while !zctx_interrupted() {
        let mut items = [subscriber.as_poll_item(zmq::POLLIN)];
        let mut tickless = alarm - zclock_time();
        if tickless < 0 {
            tickless = 0;
        }
        let rc = zmq::poll(&mut items, tickless);
        if rc.is_err() {
            break; //  Context has been shut down
        }

        if items[0].is_readable() {
            let kvmsg = match kvmsg_recv(&subscriber) {
                Ok(Some(kvmsg)) => Some(kvmsg),
                Ok(None) => None, //  Malformed: dropped
                Err(_) => break,  //  Interrupted
            };

            //  Discard out-of-sequence kvmsgs, incl. heartbeats
            if let Some(kvmsg) = kvmsg {
                if kvmsg_sequence(&kvmsg) > sequence {
                    sequence = kvmsg_sequence(&kvmsg);
                    kvmsg_store(kvmsg, &mut kvmap);
                    printf("I: received update=%d\n", &[&(sequence as i32)]);
                } else {
                    kvmsg_destroy(kvmsg);
                }
            }
        }
        //  .until
        //  If we timed out, generate a random kvmsg
        if zclock_time() >= alarm {
            let mut kvmsg = kvmsg_new(0);
            kvmsg_fmt_key(&mut kvmsg, "%s%d", &[&SUBTREE, &randof(10000)]);
            kvmsg_fmt_body(&mut kvmsg, "%d", &[&randof(1000000)]);
            //  An error (an interrupt) only loses this update, as in the C
            let _ = kvmsg_send(&kvmsg, &publisher);
            kvmsg_destroy(kvmsg);
            alarm = zclock_time() + 1000;
        }
        //  .skip
    }
    printf(" Interrupted\n%d messages in\n", &[&(sequence as i32)]);
    kvmap_dump(&kvmap);
    drop(kvmap);
    zctx_destroy(ctx);
    Ok(())
}

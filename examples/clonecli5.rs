//! Clone client, model five: a port of the zguide's
//! `examples/C/clonecli5.c`.
//!
//! Differs from the C in that libzmq errors on creating and connecting the
//! sockets end `main` through `?` (the C ignores them), errors on sending
//! are ignored, as in the C, a malformed message from the server is
//! dropped (the C's `kvmsg_recv` returns NULL for it, which ends its loops
//! as if interrupted), and a snapshot message without a key is stored
//! (dropped: see `kvmsg_store`) where the C's `streq` reads through NULL.

//  Clone client - Model Five

//  Lets us build this source without creating a library
mod czmq;
mod kvmsg;

use czmq::*;
use kvmsg::*;

const SUBTREE: &str = "/client/";

#[allow(clippy::while_let_loop)] //  The C's loop, with its break
fn main() -> zmq::Result<()> {
    //  Prepare our context and subscriber
    let ctx = zctx_new();
    let snapshot = zsocket_new(&ctx, zmq::DEALER)?;
    zsocket_connect(&snapshot, "tcp://localhost:5556")?;
    let subscriber = zsocket_new(&ctx, zmq::SUB)?;
    zsocket_set_subscribe(&subscriber, "")?;
    zsocket_connect(&subscriber, "tcp://localhost:5557")?;
    zsocket_set_subscribe(&subscriber, SUBTREE)?;
    let publisher = zsocket_new(&ctx, zmq::PUSH)?;
    zsocket_connect(&publisher, "tcp://localhost:5558")?;

    let mut kvmap = KvMap::new();
    srandom(time() as u32);

    //  Get state snapshot
    let mut sequence: i64 = 0;
    zstr_sendm(&snapshot, "ICANHAZ?")?;
    zstr_send(&snapshot, SUBTREE)?;
    loop {
        let Ok(kvmsg) = kvmsg_recv(&snapshot) else {
            break; //  Interrupted
        };
        let Some(kvmsg) = kvmsg else {
            continue; //  Malformed, dropped
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
        let tickless = (alarm - zclock_time()).max(0);
        if zmq::poll(&mut items, tickless).is_err() {
            break; //  Context has been shut down
        }

        if items[0].is_readable() {
            let Ok(kvmsg) = kvmsg_recv(&subscriber) else {
                break; //  Interrupted
            };
            let Some(kvmsg) = kvmsg else {
                continue; //  Malformed, dropped
            };

            //  Discard out-of-sequence kvmsgs, incl. heartbeats
            if kvmsg_sequence(&kvmsg) > sequence {
                sequence = kvmsg_sequence(&kvmsg);
                kvmsg_store(kvmsg, &mut kvmap);
                printf("I: received update=%d\n", &[&(sequence as i32)]);
            } else {
                kvmsg_destroy(kvmsg);
            }
        }
        //  If we timed out, generate a random kvmsg
        if zclock_time() >= alarm {
            let mut kvmsg = kvmsg_new(0);
            kvmsg_fmt_key(&mut kvmsg, "%s%d", &[&SUBTREE, &randof(10000)]);
            kvmsg_fmt_body(&mut kvmsg, "%d", &[&randof(1000000)]);
            kvmsg_set_prop(&mut kvmsg, "ttl", "%d", &[&randof(30)]);
            let _ = kvmsg_send(&mut kvmsg, &publisher);
            kvmsg_destroy(kvmsg);
            alarm = zclock_time() + 1000;
        }
    }
    printf(" Interrupted\n%d messages in\n", &[&(sequence as i32)]);
    drop(kvmap);
    drop((snapshot, subscriber, publisher));
    zctx_destroy(ctx);
    Ok(())
}

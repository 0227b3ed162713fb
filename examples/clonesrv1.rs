//! Clone server, model one: a port of the zguide's `examples/C/clonesrv1.c`
//! over the `kvsimple` port.
//!
//! Differs from the C in that the C includes `kvsimple.c` where this uses
//! `mod kvsimple;`, and a failure to bind ends `main` with libzmq's error
//! (the C ignores it).

//  Clone server Model One

mod czmq;
mod kvsimple;

use czmq::*;
use kvsimple::*;

fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and publisher socket
    let ctx = zctx_new();
    let publisher = zsocket_new(&ctx, zmq::PUB)?;
    zsocket_bind(&publisher, "tcp://*:5556")?;
    zclock_sleep(200);

    let mut kvmap = KvMap::new();
    let mut sequence: i64 = 0;
    srandom(time() as u32);

    while !zctx_interrupted() {
        //  Distribute as key-value message
        sequence += 1;
        let mut kvmsg = kvmsg_new(sequence);
        kvmsg_fmt_key(&mut kvmsg, "%d", &[&randof(10000)]);
        kvmsg_fmt_body(&mut kvmsg, "%d", &[&randof(1000000)]);
        //  A PUB socket drops what it cannot send: an error only loses
        //  this update, as in the C
        let _ = kvmsg_send(&kvmsg, &publisher);
        kvmsg_store(kvmsg, &mut kvmap);
    }
    printf(" Interrupted\n%d messages out\n", &[&(sequence as i32)]);
    drop(kvmap);
    zctx_destroy(ctx);
    Ok(())
}

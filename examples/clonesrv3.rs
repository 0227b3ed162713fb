//! Clone server, model three: a port of the zguide's
//! `examples/C/clonesrv3.c` over the `kvsimple` port.
//!
//! Differs from the C in that the C includes `kvsimple.c` where this uses
//! `mod kvsimple;`; a failure to bind ends `main` with libzmq's error (the
//! C ignores it); `kvroute_t` borrows the socket and the identity frame; a
//! malformed update from a client is dropped (the C's `kvmsg_recv` returns
//! NULL for it, which ends the server as an interrupt does); and a request
//! is read whole: frames after the request's first are dropped (the C
//! would read them as the next request). The snapshot socket has SNDHWM 0
//! (no limit): a ROUTER drops messages over its SNDHWM (1000 by default
//! since 0MQ 3; the guide was written for 0MQ 2, which had no limit), so
//! the C sends at most about a thousand entries of a larger map, loses the
//! KTHXBAI after them, and its client waits for that for ever.

//  Clone server - Model Three

//  Lets us build this source without creating a library
mod czmq;
mod kvsimple;

use czmq::*;
use kvsimple::*;

//  Routing information for a key-value snapshot
struct KvRoute<'a> {
    socket: &'a zmq::Socket, //  ROUTER socket to send to
    identity: &'a ZFrame,    //  Identity of peer who requested state
}

//  Send one state snapshot key-value pair to a socket
//  Hash item data is our kvmsg object, ready to send
fn s_send_single(_key: &[u8], data: &KvMsg, args: &KvRoute) -> i32 {
    let kvroute = args;
    //  Send identity of recipient first
    let _ = zframe_send(kvroute.identity, kvroute.socket, ZFRAME_MORE + ZFRAME_REUSE);
    let kvmsg = data;
    let _ = kvmsg_send(kvmsg, kvroute.socket);
    0
}

fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and sockets
    let ctx = zctx_new();
    let snapshot = zsocket_new(&ctx, zmq::ROUTER)?;
    //  A snapshot is sent whole: a ROUTER drops what goes over its SNDHWM
    zsocket_set_sndhwm(&snapshot, 0)?;
    zsocket_bind(&snapshot, "tcp://*:5556")?;
    let publisher = zsocket_new(&ctx, zmq::PUB)?;
    zsocket_bind(&publisher, "tcp://*:5557")?;
    let collector = zsocket_new(&ctx, zmq::PULL)?;
    zsocket_bind(&collector, "tcp://*:5558")?;

    //  .split body of main task
    //  The body of the main task collects updates from clients and
    //  publishes them back out to clients:

    let mut sequence: i64 = 0;
    let mut kvmap = KvMap::new();

    while !zctx_interrupted() {
        let mut items = [collector.as_poll_item(zmq::POLLIN), snapshot.as_poll_item(zmq::POLLIN)];
        let _rc = zmq::poll(&mut items, 1000);

        //  Apply state update sent from client
        if items[0].is_readable() {
            match kvmsg_recv(&collector) {
                Ok(Some(mut kvmsg)) => {
                    sequence += 1;
                    kvmsg_set_sequence(&mut kvmsg, sequence);
                    let _ = kvmsg_send(&kvmsg, &publisher);
                    kvmsg_store(kvmsg, &mut kvmap);
                    printf("I: publishing update %5d\n", &[&(sequence as i32)]);
                }
                Ok(None) => {}   //  Malformed: dropped
                Err(_) => break, //  Interrupted
            }
        }
        //  Execute state snapshot request
        if items[1].is_readable() {
            let Some(identity) = zframe_recv(&snapshot) else {
                break; //  Interrupted
            };

            //  Request is in second frame of message
            let request = zstr_recv(&snapshot);
            s_drop_rest(&snapshot);
            if request.as_deref().is_some_and(|request| streq(request, "ICANHAZ?")) {
                drop(request);
            } else {
                printf("E: bad request, aborting\n", &[]);
                break;
            }
            //  Send state snapshot to client
            let routing = KvRoute { socket: &snapshot, identity: &identity };

            //  For each entry in kvmap, send kvmsg to client
            for (key, kvmsg) in &kvmap {
                s_send_single(key, kvmsg, &routing);
            }

            //  Now send END message with sequence number
            printf("I: sending shapshot=%d\n", &[&(sequence as i32)]);
            let _ = zframe_send(identity, &snapshot, ZFRAME_MORE);
            let mut kvmsg = kvmsg_new(sequence);
            kvmsg_set_key(&mut kvmsg, "KTHXBAI");
            kvmsg_set_body(&mut kvmsg, b"");
            let _ = kvmsg_send(&kvmsg, &snapshot);
            kvmsg_destroy(kvmsg);
        }
    }
    printf(" Interrupted\n%d messages handled\n", &[&(sequence as i32)]);
    drop(kvmap);
    zctx_destroy(ctx);

    Ok(())
}

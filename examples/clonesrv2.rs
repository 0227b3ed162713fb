//! Clone server, model two: a port of the zguide's `examples/C/clonesrv2.c`
//! over the `kvsimple` port.
//!
//! Differs from the C in that the C includes `kvsimple.c` where this uses
//! `mod kvsimple;`; a failure to bind ends `main` (or the state manager)
//! with libzmq's error (the C ignores it); `kvroute_t` borrows the socket
//! and the identity frame; a malformed update from the pipe is dropped
//! (the C's `kvmsg_recv` returns NULL for it, which ends the loop); and a
//! request is read whole: frames after the request's first are dropped
//! (the C would read them as the next request). The snapshot socket has
//! SNDHWM 0 (no limit): a ROUTER drops messages over its SNDHWM (1000 by
//! default since 0MQ 3; the guide was written for 0MQ 2, which had no
//! limit), so the C sends at most about a thousand entries of its map of up
//! to 10000, loses the KTHXBAI after them, and its client waits for ever.

//  Clone server - Model Two

//  Lets us build this source without creating a library
mod czmq;
mod kvsimple;

use czmq::*;
use kvsimple::*;

fn main() -> Result<(), zmq::Error> {
    //  Prepare our context and sockets
    let ctx = zctx_new();
    let publisher = zsocket_new(&ctx, zmq::PUB)?;
    zsocket_bind(&publisher, "tcp://*:5557")?;

    let mut sequence: i64 = 0;
    srandom(time() as u32);

    //  Start state manager and wait for synchronization signal
    let updates = zthread_fork(&ctx, state_manager, ())?;
    drop(zstr_recv(&updates));

    while !zctx_interrupted() {
        //  Distribute as key-value message
        sequence += 1;
        let mut kvmsg = kvmsg_new(sequence);
        kvmsg_fmt_key(&mut kvmsg, "%d", &[&randof(10000)]);
        kvmsg_fmt_body(&mut kvmsg, "%d", &[&randof(1000000)]);
        //  An error only loses this update (to subscribers or the state), as in the C
        let _ = kvmsg_send(&kvmsg, &publisher);
        let _ = kvmsg_send(&kvmsg, &updates);
        kvmsg_destroy(kvmsg);
    }
    printf(" Interrupted\n%d messages out\n", &[&(sequence as i32)]);
    zctx_destroy(ctx);
    Ok(())
}

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

//  .split state manager
//  The state manager task maintains the state and handles requests from
//  clients for snapshots:

fn state_manager(_args: (), ctx: &ZCtx, pipe: &zmq::Socket) {
    let mut kvmap = KvMap::new();

    let _ = zstr_send(pipe, "READY");
    let Ok(snapshot) = zsocket_new(ctx, zmq::ROUTER) else { return };
    //  A snapshot is sent whole: a ROUTER drops what goes over its SNDHWM
    let _ = zsocket_set_sndhwm(&snapshot, 0);
    if let Err(error) = zsocket_bind(&snapshot, "tcp://*:5556") {
        printf("E: cannot bind tcp://*:5556: %s\n", &[&error.to_string()]);
        return;
    }

    let mut sequence: i64 = 0; //  Current snapshot version number
    while !zctx_interrupted() {
        let mut items = [pipe.as_poll_item(zmq::POLLIN), snapshot.as_poll_item(zmq::POLLIN)];
        let rc = zmq::poll(&mut items, -1);
        if rc == Err(zmq::Error::ETERM) {
            break; //  Context has been shut down
        }

        //  Apply state update from main thread
        if items[0].is_readable() {
            match kvmsg_recv(pipe) {
                Ok(Some(kvmsg)) => {
                    sequence = kvmsg_sequence(&kvmsg);
                    kvmsg_store(kvmsg, &mut kvmap);
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
            printf("Sending state shapshot=%d\n", &[&(sequence as i32)]);
            let _ = zframe_send(identity, &snapshot, ZFRAME_MORE);
            let mut kvmsg = kvmsg_new(sequence);
            kvmsg_set_key(&mut kvmsg, "KTHXBAI");
            kvmsg_set_body(&mut kvmsg, b"");
            let _ = kvmsg_send(&kvmsg, &snapshot);
            kvmsg_destroy(kvmsg);
        }
    }
    drop(kvmap);
}

//! Clone server, model five: a port of the zguide's
//! `examples/C/clonesrv5.c`.
//!
//! Differs from the C:
//! - the server struct is the reactor's state and holds its sockets as
//!   `Rc` (see `czmq::zloop`); the reactor itself is not in the struct, as
//!   the loop and the state it hands to its handlers cannot be one value;
//! - libzmq errors on creating and binding the sockets end `main` through
//!   `?` (the C ignores them); errors on sending are ignored, as in the C;
//! - `zhash_foreach` is a loop over the map; the TTL flush first collects
//!   the expired keys, then deletes them (the C deletes inside its
//!   `zhash_foreach`);
//! - a snapshot request is read whole: one that ends before its request
//!   or subtree frame is a bad request (the C waits for the next message
//!   to read them from: a one-frame ICANHAZ?, as model 2's client sends,
//!   stops its reactor until then), and frames after the subtree are
//!   dropped (the C would read them as the next request); a "ttl" property
//!   that is not a number counts as no TTL (the C's `sscanf` leaves its
//!   variable unset and compares garbage).

//  Clone server - Model Five

//  Lets us build this source without creating a library
mod czmq;
mod kvmsg;

use czmq::*;
use kvmsg::*;
use std::rc::Rc;

//  Our server is defined by these properties
struct CloneSrv {
    #[allow(dead_code)] //  Kept, as in the C; the sockets hold the context too
    ctx: ZCtx, //  Context wrapper
    kvmap: KvMap, //  Key-value store
    #[allow(dead_code)] //  Kept, as in the C
    port: u16, //  Main port we're working on
    sequence: i64, //  How many updates we're at
    snapshot: Rc<zmq::Socket>, //  Handle snapshot requests
    publisher: zmq::Socket, //  Publish updates to clients
    collector: Rc<zmq::Socket>, //  Collect updates from clients
}

fn main() -> zmq::Result<()> {
    let port = 5556;
    let ctx = zctx_new();
    let mut reactor = zloop_new();
    zloop_set_verbose(&mut reactor, false);

    //  Set up our clone server sockets
    let snapshot = Rc::new(zsocket_new(&ctx, zmq::ROUTER)?);
    zsocket_bind(&snapshot, &format!("tcp://*:{port}"))?;
    let publisher = zsocket_new(&ctx, zmq::PUB)?;
    zsocket_bind(&publisher, &format!("tcp://*:{}", port + 1))?;
    let collector = Rc::new(zsocket_new(&ctx, zmq::PULL)?);
    zsocket_bind(&collector, &format!("tcp://*:{}", port + 2))?;
    let mut this = CloneSrv { ctx, kvmap: KvMap::new(), port, sequence: 0, snapshot, publisher, collector };

    //  Register our handlers with reactor
    let poller = ZPollItem::socket(&this.snapshot, zmq::POLLIN);
    zloop_poller(&mut reactor, &poller, s_snapshots);
    let poller = ZPollItem::socket(&this.collector, zmq::POLLIN);
    zloop_poller(&mut reactor, &poller, s_collector);
    zloop_timer(&mut reactor, 1000, 0, s_flush_ttl);

    //  Run reactor until process interrupted
    zloop_start(&mut reactor, &mut this);

    zloop_destroy(reactor);
    drop(this);
    Ok(())
}

//  .split send snapshots
//  We handle ICANHAZ? requests by sending snapshot data to the
//  client that requested it:

//  Routing information for a key-value snapshot
struct KvRoute<'a> {
    socket: &'a zmq::Socket, //  ROUTER socket to send to
    identity: &'a ZFrame,    //  Identity of peer who requested state
    subtree: &'a [u8],       //  Client subtree specification
}

//  We call this function for each key-value pair in our hash table
fn s_send_single(_key: &[u8], kvmsg: &mut KvMsg, kvroute: &KvRoute) -> i32 {
    if kvmsg_key(kvmsg).unwrap_or_default().starts_with(kvroute.subtree) {
        //  Choose recipient
        let _ = zframe_send(kvroute.identity, kvroute.socket, ZFRAME_MORE + ZFRAME_REUSE);
        let _ = kvmsg_send(kvmsg, kvroute.socket);
    }
    0
}

//  .split snapshot handler
//  This is the reactor handler for the snapshot socket; it accepts
//  just the ICANHAZ? request and replies with a state snapshot ending
//  with a KTHXBAI message:

fn s_snapshots(_reactor: &mut ZLoop<CloneSrv>, poller: &ZPollItem, this: &mut CloneSrv) -> i32 {
    let Some(socket) = poller.socket.as_deref() else { return 0 };

    if let Some(identity) = zframe_recv(socket) {
        //  Request is in second frame of message
        let request = s_recv_more(socket);
        let mut subtree = None;
        if request.is_some_and(|request| streq(request, "ICANHAZ?")) {
            subtree = s_recv_more(socket);
        }
        if subtree.is_none() {
            printf("E: bad request, aborting\n", &[]);
        }
        s_drop_rest(socket);

        if let Some(subtree) = subtree {
            //  Send state socket to client
            let routing = KvRoute { socket, identity: &identity, subtree: &subtree };
            for (key, kvmsg) in this.kvmap.iter_mut() {
                s_send_single(key, kvmsg, &routing);
            }

            //  Now send END message with sequence number
            zclock_log("I: sending shapshot=%d", &[&(this.sequence as i32)]);
            let _ = zframe_send(&identity, socket, ZFRAME_MORE);
            let mut kvmsg = kvmsg_new(this.sequence);
            kvmsg_set_key(&mut kvmsg, "KTHXBAI");
            kvmsg_set_body(&mut kvmsg, &subtree[..0]);
            let _ = kvmsg_send(&mut kvmsg, socket);
            kvmsg_destroy(kvmsg);
        }
        zframe_destroy(identity);
    }
    0
}

//  .split collect updates
//  We store each update with a new sequence number, and if necessary, a
//  time-to-live. We publish updates immediately on our publisher socket:

fn s_collector(_reactor: &mut ZLoop<CloneSrv>, poller: &ZPollItem, this: &mut CloneSrv) -> i32 {
    let Some(socket) = poller.socket.as_deref() else { return 0 };

    if let Ok(Some(mut kvmsg)) = kvmsg_recv(socket) {
        this.sequence += 1;
        kvmsg_set_sequence(&mut kvmsg, this.sequence);
        let _ = kvmsg_send(&mut kvmsg, &this.publisher);
        let ttl = atoi(kvmsg_get_prop(&kvmsg, "ttl"));
        if ttl != 0 {
            kvmsg_set_prop(&mut kvmsg, "ttl", "%ld", &[&(zclock_time() + i64::from(ttl) * 1000)]);
        }
        kvmsg_store(kvmsg, &mut this.kvmap);
        zclock_log("I: publishing update=%d", &[&(this.sequence as i32)]);
    }
    0
}

//  .split flush ephemeral values
//  At regular intervals, we flush ephemeral values that have expired. This
//  could be slow on very large data sets:

//  If key-value pair has expired, delete it and publish the
//  fact to listening clients.
fn s_flush_single(key: &[u8], this: &mut CloneSrv) -> i32 {
    let Some(kvmsg) = this.kvmap.get_mut(key) else { return 0 };
    let ttl = atol(kvmsg_get_prop(kvmsg, "ttl"));
    if ttl != 0 && zclock_time() >= ttl {
        this.sequence += 1;
        kvmsg_set_sequence(kvmsg, this.sequence);
        kvmsg_set_body(kvmsg, b"");
        let _ = kvmsg_send(kvmsg, &this.publisher);
        if let Some(kvmsg) = this.kvmap.remove(key) {
            kvmsg_store(kvmsg, &mut this.kvmap);
        }
        zclock_log("I: publishing delete=%d", &[&(this.sequence as i32)]);
    }
    0
}

fn s_flush_ttl(_reactor: &mut ZLoop<CloneSrv>, _timer_id: i32, this: &mut CloneSrv) -> i32 {
    let keys: Vec<Vec<u8>> = this.kvmap.keys().cloned().collect();
    for key in keys {
        s_flush_single(&key, this);
    }
    0
}

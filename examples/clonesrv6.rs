//! Clone server, model six: a port of the zguide's
//! `examples/C/clonesrv6.c` over the `bstar` and `kvmsg` ports.
//!
//! Differs from the C:
//! - the C includes `bstar.c` and `kvmsg.c` where this uses `mod bstar;`
//!   and `mod kvmsg;`; the server struct is the bstar's application
//!   argument, so it is built (its sockets made) before `bstar_voter` is
//!   called, where the C fills in its pointer's fields after that call;
//!   handlers added to the bstar's reactor reach it through `bstar_arg`;
//! - libzmq errors on creating, binding and connecting the sockets end
//!   `main` through `?` (the C ignores them); errors on sending are
//!   ignored, as in the C;
//! - `zhash_foreach` is a loop over the map; the TTL flush first collects
//!   the expired keys, then deletes them (the C deletes inside its
//!   `zhash_foreach`); it reads the expiry time as a whole number, and a
//!   "ttl" that is not one counts as no TTL (the C's `sscanf` reads a
//!   leading number or leaves its variable unset);
//! - an active server without a map yet (a backup that turns active before
//!   it got its first snapshot) sends an empty snapshot and starts a new
//!   map on its first update, where the C's `zhash_foreach` and
//!   `kvmsg_store` would be called on NULL;
//! - a snapshot request that ends before its request or subtree frame is a
//!   bad request ("E: bad request, aborting", which does not abort, as in
//!   the C), where the C waits for the next message to read them from (a
//!   one-frame ICANHAZ?, as clonecli2 sends, stops the C's reactor until
//!   then);
//! - TTLs: the active publishes an update with the client's "ttl" (in
//!   seconds, as in the C) and stores it with its expiry time; the passive
//!   here turns the "ttl" of each update it applies into its own expiry
//!   time, and does not flush: it deletes what the active deletes, when
//!   that is published. A server turning active does the same for its
//!   pending updates. In the C the passive stores the seconds and its TTL
//!   flush compares them with the clock: every ephemeral value is deleted
//!   on the passive within a second, and each such delete moves its
//!   sequence past the active's, so it then drops the active's next update
//!   (the updates are lost at failover), and the pending updates a new
//!   active applies are deleted a second later;
//! - the passive server's snapshot from its peer ends on an interrupt, as
//!   in the C, and also after the peer is silent for as long as the Binary
//!   Star takes to declare it dead (2 s), so a primary killed during the
//!   snapshot cannot stop the backup's reactor for ever (the C blocks).

//  Clone server Model Six

//  Lets us build this source without creating a library
mod bstar;
mod czmq;
mod kvmsg;

use bstar::*;
use czmq::*;
use kvmsg::*;
use std::rc::Rc;

//  .split definitions
//  We define a set of reactor handlers and our server object structure:

/// The reactor of the bstar, whose state holds our server.
type Reactor = ZLoop<BstarFsm<CloneSrv>>;

//  Our server is defined by these properties
struct CloneSrv {
    ctx: ZCtx,            //  Context wrapper
    kvmap: Option<KvMap>, //  Key-value store
    sequence: i64,        //  How many updates we're at
    #[allow(dead_code)] //  Kept, as in the C
    port: i32, //  Main port we're working on
    peer: i32,            //  Main port of our peer
    publisher: zmq::Socket, //  Publish updates and hugz
    collector: Rc<zmq::Socket>, //  Collect updates from clients
    subscriber: Rc<zmq::Socket>, //  Get updates from peer
    pending: Vec<KvMsg>,  //  Pending updates from clients
    #[allow(dead_code)] //  Kept, as in the C
    primary: bool, //  true if we're primary
    active: bool,         //  true if we're active
    passive: bool,        //  true if we're passive
}

//  .split main task setup
//  The main task parses the command line to decide whether to start
//  as a primary or backup server. We're using the Binary Star pattern
//  for reliability. This interconnects the two servers so they can
//  agree on which one is primary and which one is backup. To allow the
//  two servers to run on the same box, we use different ports for
//  primary and backup. Ports 5003/5004 are used to interconnect the
//  servers. Ports 5556/5566 are used to receive voting events (snapshot
//  requests in the clone pattern). Ports 5557/5567 are used by the
//  publisher, and ports 5558/5568 are used by the collector:

fn main() -> zmq::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mut bstar;
    let voter;
    let (port, peer, primary);
    if args.len() == 2 && streq(&args[1], "-p") {
        zclock_log("I: primary active, waiting for backup (passive)", &[]);
        bstar = bstar_new(BSTAR_PRIMARY, "tcp://*:5003", "tcp://localhost:5004")?;
        voter = "tcp://*:5556";
        port = 5556;
        peer = 5566;
        primary = true;
    } else if args.len() == 2 && streq(&args[1], "-b") {
        zclock_log("I: backup passive, waiting for primary (active)", &[]);
        bstar = bstar_new(BSTAR_BACKUP, "tcp://*:5004", "tcp://localhost:5003")?;
        voter = "tcp://*:5566";
        port = 5566;
        peer = 5556;
        primary = false;
    } else {
        printf("Usage: clonesrv6 { -p | -b }\n", &[]);
        std::process::exit(0);
    }
    //  Primary server will become first active
    let kvmap = if primary { Some(KvMap::new()) } else { None };

    let ctx = zctx_new();
    let pending = Vec::new();
    bstar_set_verbose(&mut bstar, true);

    //  Set up our clone server sockets
    let publisher = zsocket_new(&ctx, zmq::PUB)?;
    let collector = zsocket_new(&ctx, zmq::SUB)?;
    zsocket_set_subscribe(&collector, "")?;
    zsocket_bind(&publisher, &format!("tcp://*:{}", port + 1))?;
    zsocket_bind(&collector, &format!("tcp://*:{}", port + 2))?;

    //  Set up our own clone client interface to peer
    let subscriber = zsocket_new(&ctx, zmq::SUB)?;
    zsocket_set_subscribe(&subscriber, "")?;
    zsocket_connect(&subscriber, &format!("tcp://localhost:{}", peer + 1))?;

    let this = CloneSrv {
        ctx,
        kvmap,
        sequence: 0,
        port,
        peer,
        publisher,
        collector: Rc::new(collector),
        subscriber: Rc::new(subscriber),
        pending,
        primary,
        active: false,
        passive: false,
    };
    let collector = Rc::clone(&this.collector);
    bstar_voter(&mut bstar, voter, zmq::ROUTER, s_snapshots, this)?;

    //  .split main task body
    //  After we've setup our sockets, we register our binary star
    //  event handlers, and then start the bstar reactor. This finishes
    //  when the user presses Ctrl-C or when the process receives a SIGINT
    //  interrupt:

    //  Register state change handlers
    bstar_new_active(&mut bstar, s_new_active);
    bstar_new_passive(&mut bstar, s_new_passive);

    //  Register our other handlers with the bstar reactor
    let poller = ZPollItem::socket(&collector, zmq::POLLIN);
    zloop_poller(bstar_zloop(&mut bstar), &poller, s_collector);
    zloop_timer(bstar_zloop(&mut bstar), 1000, 0, s_flush_ttl);
    zloop_timer(bstar_zloop(&mut bstar), 1000, 0, s_send_hugz);

    //  Start the bstar reactor
    bstar_start(&mut bstar);

    //  Interrupted, so shut down
    bstar_destroy(bstar);
    Ok(())
}

//  We handle ICANHAZ? requests exactly as in the clonesrv5 example.
//  .skip

//  Routing information for a key-value snapshot
struct KvRoute<'a> {
    socket: &'a zmq::Socket, //  ROUTER socket to send to
    identity: &'a ZFrame,    //  Identity of peer who requested state
    subtree: &'a [u8],       //  Client subtree specification
}

//  Send one state snapshot key-value pair to a socket
//  Hash item data is our kvmsg object, ready to send
fn s_send_single(_key: &[u8], kvmsg: &mut KvMsg, kvroute: &KvRoute) -> i32 {
    if kvmsg_key(kvmsg).unwrap_or_default().starts_with(kvroute.subtree) {
        //  Choose recipient
        let _ = zframe_send(kvroute.identity, kvroute.socket, ZFRAME_MORE + ZFRAME_REUSE);
        let _ = kvmsg_send(kvmsg, kvroute.socket);
    }
    0
}

fn s_snapshots(_reactor: &mut Reactor, poller: Option<&ZPollItem>, this: &mut CloneSrv) -> i32 {
    let Some(socket) = poller.and_then(|poller| poller.socket.as_deref()) else { return 0 };

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
            for (key, kvmsg) in this.kvmap.iter_mut().flatten() {
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
//  .until

//  .split collect updates
//  The collector is more complex than in the clonesrv5 example because the
//  way it processes updates depends on whether we're active or passive.
//  The active applies them immediately to its kvmap, whereas the passive
//  queues them as pending:

//  If message was already on pending list, remove it and return true,
//  else return false.
fn s_was_pending(this: &mut CloneSrv, kvmsg: &KvMsg) -> bool {
    let held = this.pending.iter().position(|held| kvmsg_uuid(kvmsg) == kvmsg_uuid(held));
    match held {
        Some(held) => {
            this.pending.remove(held);
            true
        }
        None => false,
    }
}

fn s_collector(_reactor: &mut Reactor, poller: &ZPollItem, fsm: &mut BstarFsm<CloneSrv>) -> i32 {
    let (Some(this), Some(socket)) = (bstar_arg(fsm), poller.socket.as_deref()) else { return 0 };

    if let Ok(Some(mut kvmsg)) = kvmsg_recv(socket) {
        if this.active {
            this.sequence += 1;
            kvmsg_set_sequence(&mut kvmsg, this.sequence);
            let _ = kvmsg_send(&mut kvmsg, &this.publisher);
            s_set_expiry(&mut kvmsg);
            kvmsg_store(kvmsg, this.kvmap.get_or_insert_with(KvMap::new));
            zclock_log("I: publishing update=%d", &[&(this.sequence as i32)]);
        } else {
            //  If we already got message from active, drop it, else
            //  hold on pending list
            if s_was_pending(this, &kvmsg) {
                kvmsg_destroy(kvmsg);
            } else {
                this.pending.push(kvmsg);
            }
        }
    }
    0
}

//  We purge ephemeral values using exactly the same code as in
//  the previous clonesrv5 example.
//  .skip
//  If key-value pair has expired, delete it and publish the
//  fact to listening clients.
fn s_flush_single(key: &[u8], this: &mut CloneSrv) -> i32 {
    let Some(kvmap) = this.kvmap.as_mut() else { return 0 };
    let Some(kvmsg) = kvmap.get_mut(key) else { return 0 };
    //  What s_set_expiry stored ("%ld"), or a "ttl" atoi read as 0
    let ttl: i64 = String::from_utf8_lossy(kvmsg_get_prop(kvmsg, "ttl")).parse().unwrap_or(0);
    if ttl != 0 && zclock_time() >= ttl {
        this.sequence += 1;
        kvmsg_set_sequence(kvmsg, this.sequence);
        kvmsg_set_body(kvmsg, b"");
        let _ = kvmsg_send(kvmsg, &this.publisher);
        if let Some(kvmsg) = kvmap.remove(key) {
            kvmsg_store(kvmsg, kvmap);
        }
        zclock_log("I: publishing delete=%d", &[&(this.sequence as i32)]);
    }
    0
}

fn s_flush_ttl(_reactor: &mut Reactor, _timer_id: i32, fsm: &mut BstarFsm<CloneSrv>) -> i32 {
    let Some(this) = bstar_arg(fsm) else { return 0 };
    //  The passive deletes what the active deletes, when it publishes it
    if let (true, Some(kvmap)) = (this.active, &this.kvmap) {
        let keys: Vec<Vec<u8>> = kvmap.keys().cloned().collect();
        for key in keys {
            s_flush_single(&key, this);
        }
    }
    0
}
//  .until

//  .split heartbeating
//  We send a HUGZ message once a second to all subscribers so that they
//  can detect if our server dies. They'll then switch over to the backup
//  server, which will become active:

fn s_send_hugz(_reactor: &mut Reactor, _timer_id: i32, fsm: &mut BstarFsm<CloneSrv>) -> i32 {
    let Some(this) = bstar_arg(fsm) else { return 0 };

    let mut kvmsg = kvmsg_new(this.sequence);
    kvmsg_set_key(&mut kvmsg, "HUGZ");
    kvmsg_set_body(&mut kvmsg, b"");
    let _ = kvmsg_send(&mut kvmsg, &this.publisher);
    kvmsg_destroy(kvmsg);

    0
}

//  .split handling state changes
//  When we switch from passive to active, we apply our pending list so that
//  our kvmap is up-to-date. When we switch to passive, we wipe our kvmap
//  and grab a new snapshot from the active server:

fn s_new_active(reactor: &mut Reactor, _unused: Option<&ZPollItem>, this: &mut CloneSrv) -> i32 {
    this.active = true;
    this.passive = false;

    //  Stop subscribing to updates
    zloop_reader_end(reactor, &this.subscriber);

    //  Apply pending list to own hash table
    while !this.pending.is_empty() {
        let mut kvmsg = this.pending.remove(0);
        this.sequence += 1;
        kvmsg_set_sequence(&mut kvmsg, this.sequence);
        let _ = kvmsg_send(&mut kvmsg, &this.publisher);
        s_set_expiry(&mut kvmsg);
        kvmsg_store(kvmsg, this.kvmap.get_or_insert_with(KvMap::new));
        zclock_log("I: publishing pending=%d", &[&(this.sequence as i32)]);
    }
    0
}

fn s_new_passive(reactor: &mut Reactor, _unused: Option<&ZPollItem>, this: &mut CloneSrv) -> i32 {
    this.kvmap = None;
    this.active = false;
    this.passive = true;

    //  Start subscribing to updates
    let poller = ZPollItem::socket(&this.subscriber, zmq::POLLIN);
    zloop_poller(reactor, &poller, s_subscriber);

    0
}

//  .split subscriber handler
//  When we get an update, we create a new kvmap if necessary, and then
//  add our update to our kvmap. We're always passive in this case:

fn s_subscriber(_reactor: &mut Reactor, poller: &ZPollItem, fsm: &mut BstarFsm<CloneSrv>) -> i32 {
    let (Some(this), Some(socket)) = (bstar_arg(fsm), poller.socket.as_deref()) else { return 0 };
    //  Get state snapshot if necessary
    if this.kvmap.is_none() {
        let kvmap = this.kvmap.insert(KvMap::new());
        let Ok(snapshot) = s_snapshot_socket(&this.ctx, this.peer) else { return 0 };
        zclock_log("I: asking for snapshot from: tcp://localhost:%d", &[&this.peer]);
        let _ = zstr_sendm(&snapshot, "ICANHAZ?");
        let _ = zstr_send(&snapshot, ""); // blank subtree to get all
                                          //  Ends when interrupted (or the peer is silent)
        while let Ok(kvmsg) = kvmsg_recv(&snapshot) {
            let Some(kvmsg) = kvmsg else {
                continue; //  Malformed, dropped
            };
            if streq(kvmsg_key(&kvmsg).unwrap_or_default(), "KTHXBAI") {
                this.sequence = kvmsg_sequence(&kvmsg);
                kvmsg_destroy(kvmsg);
                break; //  Done
            }
            kvmsg_store(kvmsg, kvmap);
        }
        zclock_log("I: received snapshot=%d", &[&(this.sequence as i32)]);
        zsocket_destroy(&this.ctx, snapshot);
    }
    //  Find and remove update off pending list
    let Ok(Some(mut kvmsg)) = kvmsg_recv(socket) else { return 0 };

    if !streq(kvmsg_key(&kvmsg).unwrap_or_default(), "HUGZ") {
        if !s_was_pending(this, &kvmsg) {
            //  If active update came before client update, flip it
            //  around, store active update (with sequence) on pending
            //  list and use to clear client update when it comes later
            this.pending.push(kvmsg_dup(&kvmsg));
        }
        //  If update is more recent than our kvmap, apply it
        if kvmsg_sequence(&kvmsg) > this.sequence {
            this.sequence = kvmsg_sequence(&kvmsg);
            s_set_expiry(&mut kvmsg);
            if let Some(kvmap) = this.kvmap.as_mut() {
                kvmsg_store(kvmsg, kvmap);
            }
            zclock_log("I: received update=%d", &[&(this.sequence as i32)]);
        } else {
            kvmsg_destroy(kvmsg);
        }
    } else {
        kvmsg_destroy(kvmsg);
    }
    0
}

/// Turns a "ttl" in seconds (what clients send, and what the active
/// publishes) into the time it expires, in msecs since the epoch, which is
/// what the TTL flush compares with the clock.
fn s_set_expiry(kvmsg: &mut KvMsg) {
    let ttl = atoi(kvmsg_get_prop(kvmsg, "ttl"));
    if ttl != 0 {
        kvmsg_set_prop(kvmsg, "ttl", "%ld", &[&(zclock_time() + i64::from(ttl) * 1000)]);
    }
}

/// The passive server's DEALER to its peer's snapshot port, which gives up
/// a receive after the peer is silent for 2 s (`2 * BSTAR_HEARTBEAT`).
fn s_snapshot_socket(ctx: &ZCtx, peer: i32) -> zmq::Result<zmq::Socket> {
    let snapshot = zsocket_new(ctx, zmq::DEALER)?;
    snapshot.set_rcvtimeo(2000)?;
    zsocket_connect(&snapshot, &format!("tcp://localhost:{peer}"))?;
    Ok(snapshot)
}

//! Binary Star reactor: a port of the zguide's `examples/C/bstar.c` (with
//! `bstar.h`), for `bstarsrv2` (`mod czmq; mod bstar;`).
//!
//! Differs from the C:
//! - `bstar_t` is [`Bstar`], destroyed by dropping it; its reactor is a
//!   `ZLoop` over the fsm ([`BstarFsm`]), since czmq's loop and the state
//!   its handlers change cannot both live in one struct in Rust;
//! - the application's handlers share one argument, given with the voter
//!   (C: an argument per handler); they get the reactor, the voter's poll
//!   item (`None` where the C passes NULL) and that argument;
//! - `bstar_new` and `bstar_voter` return libzmq's errors (a port taken,
//!   say), which the C ignores; a second voter is refused with `EINVAL`
//!   and starting without one returns -1 (the C asserts on both); a
//!   second active or passive handler replaces the first (the C asserts);
//! - `bstar.h` declares `bstar_new_master` and `bstar_new_slave`, but
//!   `bstar.c` defines `bstar_new_active` and `bstar_new_passive`: these
//!   are the ones ported;
//! - states and events stay numbers, as they travel as text ("%d") and are
//!   read back with `atoi`: a peer's unknown number changes nothing.
#![allow(dead_code)]

//  bstar class - Binary Star reactor

use crate::czmq::*;
use std::rc::Rc;

//  Arguments for constructor
pub const BSTAR_PRIMARY: i32 = 1;
pub const BSTAR_BACKUP: i32 = 0;

//  States we can be in at any point in time
const STATE_PRIMARY: i32 = 1; //  Primary, waiting for peer to connect
const STATE_BACKUP: i32 = 2; //  Backup, waiting for peer to connect
const STATE_ACTIVE: i32 = 3; //  Active - accepting connections
const STATE_PASSIVE: i32 = 4; //  Passive - not accepting connections

//  Events, which start with the states our peer can be in
const PEER_PRIMARY: i32 = 1; //  HA peer is pending primary
const PEER_BACKUP: i32 = 2; //  HA peer is pending backup
const PEER_ACTIVE: i32 = 3; //  HA peer is active
const PEER_PASSIVE: i32 = 4; //  HA peer is passive
const CLIENT_REQUEST: i32 = 5; //  Client makes request

/// An application handler: the reactor, the voter's poll item (`None` for
/// a state change) and the application's argument.
pub type BstarFn<A> = fn(&mut ZLoop<BstarFsm<A>>, Option<&ZPollItem>, &mut A) -> i32;

//  Structure of our class

pub struct Bstar<A> {
    reactor: ZLoop<BstarFsm<A>>, //  Reactor loop
    fsm: BstarFsm<A>,            //  What the reactor's handlers change
}

/// The finite-state machine and what its handlers need.
pub struct BstarFsm<A> {
    ctx: ZCtx,                      //  Our private context
    statepub: Rc<zmq::Socket>,      //  State publisher
    statesub: Rc<zmq::Socket>,      //  State subscriber
    state: i32,                     //  Current state
    event: i32,                     //  Current event
    peer_expiry: i64,               //  When peer is considered 'dead'
    voter_fn: Option<BstarFn<A>>,   //  Voting socket handler
    arg: Option<A>,                 //  Argument for the handlers
    active_fn: Option<BstarFn<A>>,  //  Call when become active
    passive_fn: Option<BstarFn<A>>, //  Call when become passive
}

//  The finite-state machine is the same as in the proof-of-concept server.
//  To understand this reactor in detail, first read the CZMQ zloop class.
//  .skip

//  We send state information every this often
//  If peer doesn't respond in two heartbeats, it is 'dead'
const BSTAR_HEARTBEAT: i64 = 1000; //  In msecs

//  Calls a state change handler, if there is one
fn s_call<A>(reactor: &mut ZLoop<BstarFsm<A>>, this: &mut BstarFsm<A>, handler: Option<BstarFn<A>>) {
    if let (Some(handler), Some(arg)) = (handler, this.arg.as_mut()) {
        handler(reactor, None, arg);
    }
}

//  Binary Star finite state machine (applies event to state)
//  Returns -1 if there was an exception, 0 if event was valid.

fn s_execute_fsm<A>(reactor: &mut ZLoop<BstarFsm<A>>, this: &mut BstarFsm<A>) -> i32 {
    let mut rc = 0;
    //  Primary server is waiting for peer to connect
    //  Accepts CLIENT_REQUEST events in this state
    if this.state == STATE_PRIMARY {
        if this.event == PEER_BACKUP {
            zclock_log("I: connected to backup (passive), ready as active", &[]);
            this.state = STATE_ACTIVE;
            s_call(reactor, this, this.active_fn);
        } else if this.event == PEER_ACTIVE {
            zclock_log("I: connected to backup (active), ready as passive", &[]);
            this.state = STATE_PASSIVE;
            s_call(reactor, this, this.passive_fn);
        } else if this.event == CLIENT_REQUEST {
            // Allow client requests to turn us into the active if we've
            // waited sufficiently long to believe the backup is not
            // currently acting as active (i.e., after a failover)
            assert!(this.peer_expiry > 0);
            if zclock_time() >= this.peer_expiry {
                zclock_log("I: request from client, ready as active", &[]);
                this.state = STATE_ACTIVE;
                s_call(reactor, this, this.active_fn);
            } else {
                // Don't respond to clients yet - it's possible we're
                // performing a failback and the backup is currently active
                rc = -1;
            }
        }
    }
    //  Backup server is waiting for peer to connect
    //  Rejects CLIENT_REQUEST events in this state
    else if this.state == STATE_BACKUP {
        if this.event == PEER_ACTIVE {
            zclock_log("I: connected to primary (active), ready as passive", &[]);
            this.state = STATE_PASSIVE;
            s_call(reactor, this, this.passive_fn);
        } else if this.event == CLIENT_REQUEST {
            rc = -1;
        }
    }
    //  Server is active
    //  Accepts CLIENT_REQUEST events in this state
    //  The only way out of ACTIVE is death
    else if this.state == STATE_ACTIVE {
        if this.event == PEER_ACTIVE {
            //  Two actives would mean split-brain
            zclock_log("E: fatal error - dual actives, aborting", &[]);
            rc = -1;
        }
    }
    //  Server is passive
    //  CLIENT_REQUEST events can trigger failover if peer looks dead
    else if this.state == STATE_PASSIVE {
        if this.event == PEER_PRIMARY {
            //  Peer is restarting - become active, peer will go passive
            zclock_log("I: primary (passive) is restarting, ready as active", &[]);
            this.state = STATE_ACTIVE;
        } else if this.event == PEER_BACKUP {
            //  Peer is restarting - become active, peer will go passive
            zclock_log("I: backup (passive) is restarting, ready as active", &[]);
            this.state = STATE_ACTIVE;
        } else if this.event == PEER_PASSIVE {
            //  Two passives would mean cluster would be non-responsive
            zclock_log("E: fatal error - dual passives, aborting", &[]);
            rc = -1;
        } else if this.event == CLIENT_REQUEST {
            //  Peer becomes active if timeout has passed
            //  It's the client request that triggers the failover
            assert!(this.peer_expiry > 0);
            if zclock_time() >= this.peer_expiry {
                //  If peer is dead, switch to the active state
                zclock_log("I: failover successful, ready as active", &[]);
                this.state = STATE_ACTIVE;
            } else {
                //  If peer is alive, reject connections
                rc = -1;
            }
        }
        //  Call state change handler if necessary
        if this.state == STATE_ACTIVE {
            s_call(reactor, this, this.active_fn);
        }
    }
    rc
}

fn s_update_peer_expiry<A>(this: &mut BstarFsm<A>) {
    this.peer_expiry = zclock_time() + 2 * BSTAR_HEARTBEAT;
}

//  Reactor event handlers...

//  Publish our state to peer
fn s_send_state<A>(_reactor: &mut ZLoop<BstarFsm<A>>, _timer_id: i32, this: &mut BstarFsm<A>) -> i32 {
    //  A PUB socket drops what it cannot send, so this cannot block
    let _ = zstr_send(&this.statepub, sprintf("%d", &[&this.state]));
    0
}

//  Receive state from peer, execute finite state machine
fn s_recv_state<A>(reactor: &mut ZLoop<BstarFsm<A>>, poller: &ZPollItem, this: &mut BstarFsm<A>) -> i32 {
    let state = poller.socket.as_deref().and_then(zstr_recv);
    if let Some(state) = state {
        this.event = atoi(&state);
        s_update_peer_expiry(this);
    }
    s_execute_fsm(reactor, this)
}

//  Application wants to speak to us, see if it's possible
fn s_voter_ready<A>(reactor: &mut ZLoop<BstarFsm<A>>, poller: &ZPollItem, this: &mut BstarFsm<A>) -> i32 {
    //  If server can accept input now, call appl handler
    this.event = CLIENT_REQUEST;
    if s_execute_fsm(reactor, this) == 0 {
        if let (Some(voter_fn), Some(arg)) = (this.voter_fn, this.arg.as_mut()) {
            voter_fn(reactor, Some(poller), arg);
        }
    } else {
        //  Destroy waiting message, no-one to read it
        if let Some(msg) = poller.socket.as_deref().and_then(zmsg_recv) {
            zmsg_destroy(msg);
        }
    }
    0
}

//  .until
//  .split constructor
//  This is the constructor for our {{bstar}} class. We have to tell it
//  whether we're primary or backup server, as well as our local and
//  remote endpoints to bind and connect to:

pub fn bstar_new<A>(primary: i32, local: &str, remote: &str) -> zmq::Result<Bstar<A>> {
    //  Initialize the Binary Star
    let ctx = zctx_new();
    let mut reactor = zloop_new();
    let state = if primary != 0 { STATE_PRIMARY } else { STATE_BACKUP };

    //  Create publisher for state going to peer
    let statepub = zsocket_new(&ctx, zmq::PUB)?;
    zsocket_bind(&statepub, local)?;

    //  Create subscriber for state coming from peer
    let statesub = zsocket_new(&ctx, zmq::SUB)?;
    zsocket_set_subscribe(&statesub, "")?;
    zsocket_connect(&statesub, remote)?;

    //  Set-up basic reactor events
    let (statepub, statesub) = (Rc::new(statepub), Rc::new(statesub));
    zloop_timer(&mut reactor, BSTAR_HEARTBEAT, 0, s_send_state);
    let poller = ZPollItem::socket(&statesub, zmq::POLLIN);
    zloop_poller(&mut reactor, &poller, s_recv_state);
    let fsm = BstarFsm {
        ctx,
        statepub,
        statesub,
        state,
        event: 0,
        peer_expiry: 0,
        voter_fn: None,
        arg: None,
        active_fn: None,
        passive_fn: None,
    };
    Ok(Bstar { reactor, fsm })
}

//  .split destructor
//  The destructor shuts down the bstar reactor:

pub fn bstar_destroy<A>(this: Bstar<A>) {
    drop(this);
}

//  .split zloop method
//  This method returns the underlying zloop reactor, so we can add
//  additional timers and readers:

pub fn bstar_zloop<A>(this: &mut Bstar<A>) -> &mut ZLoop<BstarFsm<A>> {
    &mut this.reactor
}

/// The application's argument, for handlers the application adds to the
/// reactor itself (the C passes them their own `arg`).
pub fn bstar_arg<A>(fsm: &mut BstarFsm<A>) -> Option<&mut A> {
    fsm.arg.as_mut()
}

//  .split voter method
//  This method registers a client voter socket. Messages received
//  on this socket provide the CLIENT_REQUEST events for the Binary Star
//  FSM and are passed to the provided application handler. We require
//  exactly one voter per {{bstar}} instance:

pub fn bstar_voter<A>(
    this: &mut Bstar<A>,
    endpoint: &str,
    socket_type: zmq::SocketType,
    handler: BstarFn<A>,
    arg: A,
) -> zmq::Result<i32> {
    //  Hold actual handler+arg so we can call this later
    if this.fsm.voter_fn.is_some() {
        return Err(zmq::Error::EINVAL);
    }
    let socket = zsocket_new(&this.fsm.ctx, socket_type)?;
    zsocket_bind(&socket, endpoint)?;
    this.fsm.voter_fn = Some(handler);
    this.fsm.arg = Some(arg);
    let poller = ZPollItem::socket(&Rc::new(socket), zmq::POLLIN);
    Ok(zloop_poller(&mut this.reactor, &poller, s_voter_ready))
}

//  .split register state-change handlers
//  Register handlers to be called each time there's a state change:

pub fn bstar_new_active<A>(this: &mut Bstar<A>, handler: BstarFn<A>) {
    this.fsm.active_fn = Some(handler);
}

pub fn bstar_new_passive<A>(this: &mut Bstar<A>, handler: BstarFn<A>) {
    this.fsm.passive_fn = Some(handler);
}

//  .split enable/disable tracing
//  Enable/disable verbose tracing, for debugging:

pub fn bstar_set_verbose<A>(this: &mut Bstar<A>, verbose: bool) {
    zloop_set_verbose(&mut this.reactor, verbose);
}

//  .split start the reactor
//  Finally, start the configured reactor. It will end if any handler
//  returns -1 to the reactor, or if the process receives SIGINT or SIGTERM:

pub fn bstar_start<A>(this: &mut Bstar<A>) -> i32 {
    if this.fsm.voter_fn.is_none() {
        return -1;
    }
    s_update_peer_expiry(&mut this.fsm);
    zloop_start(&mut this.reactor, &mut this.fsm)
}

//! Binary Star server proof-of-concept: a port of the zguide's
//! `examples/C/bstarsrv.c`.
//!
//! Differs from the C in that libzmq errors, which the C ignores, end
//! `main` through `?`; states and events stay numbers as in the C (they
//! travel as text and are read back with `atoi`); the `bstar_t` fsm struct
//! is [`Bstar`]; and a message that cannot be received (an interrupt) ends
//! the loop, where the C would read a NULL.

//  Binary Star server proof-of-concept implementation. This server does no
//  real work; it just demonstrates the Binary Star failover model.

mod czmq;

use czmq::*;

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

//  Our finite state machine
#[derive(Default)]
struct Bstar {
    state: i32,       //  Current state
    event: i32,       //  Current event
    peer_expiry: i64, //  When peer is considered 'dead'
}

//  We send state information this often
//  If peer doesn't respond in two heartbeats, it is 'dead'
const HEARTBEAT: i64 = 1000; //  In msecs

//  .split Binary Star state machine
//  The heart of the Binary Star design is its finite-state machine (FSM).
//  The FSM runs one event at a time. We apply an event to the current state,
//  which checks if the event is accepted, and if so, sets a new state:

fn s_state_machine(fsm: &mut Bstar) -> bool {
    let mut exception = false;

    //  These are the PRIMARY and BACKUP states; we're waiting to become
    //  ACTIVE or PASSIVE depending on events we get from our peer:
    if fsm.state == STATE_PRIMARY {
        if fsm.event == PEER_BACKUP {
            println!("I: connected to backup (passive), ready active");
            fsm.state = STATE_ACTIVE;
        } else if fsm.event == PEER_ACTIVE {
            println!("I: connected to backup (active), ready passive");
            fsm.state = STATE_PASSIVE;
        }
        //  Accept client connections
    } else if fsm.state == STATE_BACKUP {
        if fsm.event == PEER_ACTIVE {
            println!("I: connected to primary (active), ready passive");
            fsm.state = STATE_PASSIVE;
        }
        //  Reject client connections when acting as backup
        else if fsm.event == CLIENT_REQUEST {
            exception = true;
        }
    }
    //  .split active and passive states
    //  These are the ACTIVE and PASSIVE states:
    else if fsm.state == STATE_ACTIVE {
        if fsm.event == PEER_ACTIVE {
            //  Two actives would mean split-brain
            println!("E: fatal error - dual actives, aborting");
            exception = true;
        }
    }
    //  Server is passive
    //  CLIENT_REQUEST events can trigger failover if peer looks dead
    else if fsm.state == STATE_PASSIVE {
        if fsm.event == PEER_PRIMARY {
            //  Peer is restarting - become active, peer will go passive
            println!("I: primary (passive) is restarting, ready active");
            fsm.state = STATE_ACTIVE;
        } else if fsm.event == PEER_BACKUP {
            //  Peer is restarting - become active, peer will go passive
            println!("I: backup (passive) is restarting, ready active");
            fsm.state = STATE_ACTIVE;
        } else if fsm.event == PEER_PASSIVE {
            //  Two passives would mean cluster would be non-responsive
            println!("E: fatal error - dual passives, aborting");
            exception = true;
        } else if fsm.event == CLIENT_REQUEST {
            //  Peer becomes active if timeout has passed
            //  It's the client request that triggers the failover
            assert!(fsm.peer_expiry > 0);
            if zclock_time() >= fsm.peer_expiry {
                //  If peer is dead, switch to the active state
                println!("I: failover successful, ready active");
                fsm.state = STATE_ACTIVE;
            } else {
                //  If peer is alive, reject connections
                exception = true;
            }
        }
    }
    exception
}

//  .split main task
//  This is our main task. First we bind/connect our sockets with our
//  peer and make sure we will get state messages correctly. We use
//  three sockets; one to publish state, one to subscribe to state, and
//  one for client requests/replies:

fn main() -> Result<(), zmq::Error> {
    //  Arguments can be either of:
    //      -p  primary server, at tcp://localhost:5001
    //      -b  backup server, at tcp://localhost:5002
    let args: Vec<String> = std::env::args().collect();
    let ctx = zctx_new();
    let statepub = zsocket_new(&ctx, zmq::PUB)?;
    let statesub = zsocket_new(&ctx, zmq::SUB)?;
    zsocket_set_subscribe(&statesub, "")?;
    let frontend = zsocket_new(&ctx, zmq::ROUTER)?;
    let mut fsm = Bstar::default();

    if args.len() == 2 && streq(&args[1], "-p") {
        println!("I: Primary active, waiting for backup (passive)");
        zsocket_bind(&frontend, "tcp://*:5001")?;
        zsocket_bind(&statepub, "tcp://*:5003")?;
        zsocket_connect(&statesub, "tcp://localhost:5004")?;
        fsm.state = STATE_PRIMARY;
    } else if args.len() == 2 && streq(&args[1], "-b") {
        println!("I: Backup passive, waiting for primary (active)");
        zsocket_bind(&frontend, "tcp://*:5002")?;
        zsocket_bind(&statepub, "tcp://*:5004")?;
        zsocket_connect(&statesub, "tcp://localhost:5003")?;
        fsm.state = STATE_BACKUP;
    } else {
        println!("Usage: bstarsrv {{ -p | -b }}");
        zctx_destroy(ctx);
        std::process::exit(0);
    }
    //  .split handling socket input
    //  We now process events on our two input sockets, and process these
    //  events one at a time via our finite-state machine. Our "work" for
    //  a client request is simply to echo it back:

    //  Set timer for next outgoing state message
    let mut send_state_at = zclock_time() + HEARTBEAT;
    while !zctx_interrupted() {
        let mut items = [frontend.as_poll_item(zmq::POLLIN), statesub.as_poll_item(zmq::POLLIN)];
        let time_left = (send_state_at - zclock_time()).max(0);
        let rc = zmq::poll(&mut items, time_left);
        if rc.is_err() {
            break; //  Context has been shut down
        }

        if items[0].is_readable() {
            //  Have a client request
            let Some(msg) = zmsg_recv(&frontend) else {
                break; //  Interrupted
            };
            fsm.event = CLIENT_REQUEST;
            if !s_state_machine(&mut fsm) {
                //  Answer client by echoing request back
                zmsg_send(msg, &frontend)?;
            } else {
                zmsg_destroy(msg);
            }
        }
        if items[1].is_readable() {
            //  Have state from our peer, execute as event
            let Some(message) = zstr_recv(&statesub) else {
                break; //  Interrupted
            };
            fsm.event = atoi(&message);
            if s_state_machine(&mut fsm) {
                break; //  Error, so exit
            }
            fsm.peer_expiry = zclock_time() + 2 * HEARTBEAT;
        }
        //  If we timed out, send state to peer
        if zclock_time() >= send_state_at {
            let message = sprintf("%d", &[&fsm.state]);
            zstr_send(&statepub, message)?;
            send_state_at = zclock_time() + HEARTBEAT;
        }
    }
    if zctx_interrupted() {
        println!("W: interrupted");
    }

    //  Shutdown sockets and context
    drop((statepub, statesub, frontend));
    zctx_destroy(ctx);
    Ok(())
}

//! Interface class: a port of the zguide's `examples/C/interface.c`, for
//! `udpping3` (`mod czmq; mod udplib; mod interface;`, as the C includes
//! `udplib.c`).
//!
//! Differs from the C:
//! - the UUID the agent beacons is 16 bytes from getrandom(2) (the kernel's
//!   /dev/urandom source) with the version (4) and variant bits set, the
//!   same shape as libuuid's `uuid_generate` makes from /dev/urandom; no
//!   libuuid dependency. It is printed as the C's `s_uuid_str` prints it: 32
//!   upper-case hex digits, no dashes. If getrandom fails the agent logs it
//!   and ends the process with status 1 (libuuid would fall back to a time
//!   based UUID);
//! - `interface_t` is [`Interface`] and `zhash_t` of peers a `HashMap`; the
//!   reaping walks it with `retain`, reporting each expired peer in the
//!   closure (where the C deletes from the hash inside `zhash_foreach`);
//! - `interface_destroy` drops the application's context handle and pipe;
//!   it does not end the agent thread as czmq's `zctx_destroy` does (by
//!   closing its sockets): the thread ends with the process.
#![allow(dead_code)]

//  Interface class for Chapter on Distributed Computing
//  This implements an "interface" to our network of nodes

use crate::czmq::*;
use crate::udplib::*;
use std::collections::HashMap;
use std::process;

//  =====================================================================
//  Synchronous part, works in our application thread

//  Structure of our class

pub struct Interface {
    ctx: ZCtx,         //  Our context wrapper
    pipe: zmq::Socket, //  Pipe through to agent
}

//  .split constructor and destructor
//  Here are the constructor and destructor for the interface class.
//  Note that the class has barely any properties; it is just an excuse
//  to start the background thread and a wrapper around {{zmsg_recv}}:

pub fn interface_new() -> zmq::Result<Interface> {
    let ctx = zctx_new();
    let pipe = zthread_fork(&ctx, interface_agent, ())?;
    Ok(Interface { ctx, pipe })
}

pub fn interface_destroy(interface: Interface) {
    let Interface { ctx, pipe } = interface;
    drop(pipe);
    zctx_destroy(ctx);
}

//  .split receive message
//  Here we wait for a message from the interface. This returns
//  us a {{zmsg_t}} object, or NULL if interrupted:

pub fn interface_recv(interface: &Interface) -> Option<ZMsg> {
    zmsg_recv(&interface.pipe)
}

//  =====================================================================
//  Asynchronous part, works in the background

//  .split peer class
//  This structure defines each peer that we discover and track:

type Uuid = [u8; 16];

struct Peer {
    uuid: Uuid,       //  Peer's UUID as binary blob
    uuid_str: String, //  UUID as printable string
    expires_at: i64,
}

const PING_PORT_NUMBER: u16 = 9999;
const PING_INTERVAL: i64 = 1000; //  Once per second
const PEER_EXPIRY: i64 = 5000; //  Five seconds and it's gone

//  Convert binary UUID to freshly allocated string

fn s_uuid_str(uuid: &Uuid) -> String {
    const HEX_CHAR: &[u8; 16] = b"0123456789ABCDEF";
    let mut string = String::with_capacity(uuid.len() * 2);
    for &byte in uuid {
        string.push(char::from(HEX_CHAR[usize::from(byte >> 4)]));
        string.push(char::from(HEX_CHAR[usize::from(byte & 15)]));
    }
    string
}

//  A random (version 4) UUID, as uuid_generate makes from /dev/urandom

fn uuid_generate() -> Uuid {
    let mut uuid: Uuid = [0; 16];
    let mut filled = 0;
    while filled < uuid.len() {
        let rest = &mut uuid[filled..];
        // SAFETY: getrandom(2) writes at most `rest.len()` bytes into `rest`, a live, writable buffer.
        let got = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if got < 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() != std::io::ErrorKind::Interrupted {
                zclock_log("E: (interface) getrandom failed: %s", &[&error.to_string()]);
                process::exit(1);
            }
        } else {
            filled += got as usize;
        }
    }
    uuid[6] = (uuid[6] & 0x0F) | 0x40; //  Version 4: random
    uuid[8] = (uuid[8] & 0x3F) | 0x80; //  Variant: RFC 4122
    uuid
}

//  .split peer constructor and destructor
//  We have a constructor and destructor for the peer class:

fn peer_new(uuid: &Uuid) -> Peer {
    Peer { uuid: *uuid, uuid_str: s_uuid_str(uuid), expires_at: 0 }
}

//  Destroy peer object

fn peer_destroy(peer: Peer) {
    drop(peer);
}

//  .split peer methods
//  These methods return the peer's UUID in binary format or
//  as a printable string:

fn peer_uuid(peer: &Peer) -> &Uuid {
    &peer.uuid
}

fn peer_uuid_str(peer: &Peer) -> &str {
    &peer.uuid_str
}

//  Just resets the peers expiry time; we call this method
//  whenever we get any activity from a peer.

fn peer_is_alive(peer: &mut Peer) {
    peer.expires_at = zclock_time() + PEER_EXPIRY;
}

//  .split agent class
//  This structure holds the context for our agent so we can
//  pass that around cleanly to methods that need it:

struct Agent<'a> {
    ctx: &'a ZCtx,                //  CZMQ context
    pipe: &'a zmq::Socket,        //  Pipe back to application
    udp: Udp,                     //  UDP object
    uuid: Uuid,                   //  Our UUID as binary blob
    peers: HashMap<String, Peer>, //  Hash of known peers, fast lookup
}

//  .split agent constructor and destructor
//  Now we create the constructor and destructor for our agent. Each
//  interface has one agent object, which implements its background thread:

fn agent_new<'a>(ctx: &'a ZCtx, pipe: &'a zmq::Socket) -> Agent<'a> {
    Agent { ctx, pipe, udp: udp_new(PING_PORT_NUMBER), peers: HashMap::new(), uuid: uuid_generate() }
}

fn agent_destroy(agent: Agent) {
    let Agent { peers, udp, .. } = agent;
    drop(peers);
    udp_destroy(udp);
}

//  .skip
//  Here we handle the different control messages from the frontend.

fn agent_control_message(agent: &mut Agent) -> i32 {
    //  Get the whole message off the pipe in one go
    let Some(mut msg) = zmsg_recv(agent.pipe) else {
        return -1; //  Interrupted
    };
    let Some(command) = zmsg_popstr(&mut msg) else {
        return -1; //  Interrupted
    };

    //  We don't actually implement any control commands yet
    //  but if we did, this would be where we did it...
    //  if (streq (command, "EXAMPLE")) {
    //  }

    drop(command);
    zmsg_destroy(msg);
    0
}
//  .until

//  .split handle beacon
//  This is how we handle a beacon coming into our UDP socket;
//  this may be from other peers or an echo of our own broadcast
//  beacon:

fn agent_handle_beacon(agent: &mut Agent) -> i32 {
    let mut uuid: Uuid = [0; 16];
    let size = udp_recv(&agent.udp, &mut uuid);

    //  If we got a UUID and it's not our own beacon, we have a peer
    if size == uuid.len() as isize && uuid != agent.uuid {
        let uuid_str = s_uuid_str(&uuid);

        //  Find or create peer via its UUID string
        let peer = agent.peers.entry(uuid_str.clone()).or_insert_with(|| {
            //  Report peer joined the network
            let _ = zstr_sendm(agent.pipe, "JOINED");
            let _ = zstr_send(agent.pipe, &uuid_str);
            peer_new(&uuid)
        });
        //  Any activity from the peer means it's alive
        peer_is_alive(peer);
    }
    0
}

//  .split reap peers
//  This method checks one peer item for expiration; if the peer hasn't
//  sent us anything by now, it's "dead" and we can delete it (the
//  caller deletes it when this returns false):

fn agent_reap_peer(pipe: &zmq::Socket, _key: &str, peer: &Peer) -> bool {
    if zclock_time() >= peer.expires_at {
        //  Report peer left the network
        let _ = zstr_sendm(pipe, "LEFT");
        let _ = zstr_send(pipe, peer_uuid_str(peer));
        return false;
    }
    true
}

//  .split agent main loop
//  This is the main loop for the background agent. It uses {{zmq_poll}}
//  to monitor the frontend pipe (commands from the API) and the
//  backend UDP handle (beacons):

fn interface_agent(_args: (), ctx: &ZCtx, pipe: &zmq::Socket) {
    //  Create agent instance to pass around
    let mut agent = agent_new(ctx, pipe);

    //  Send first beacon immediately
    let mut ping_at = zclock_time();
    let mut pollitems =
        [agent.pipe.as_poll_item(zmq::POLLIN), zmq::PollItem::from_fd(udp_handle(&agent.udp), zmq::POLLIN)];
    while !zctx_interrupted() {
        let timeout = (ping_at - zclock_time()).max(0);
        if zmq::poll(&mut pollitems, timeout).is_err() {
            break; //  Interrupted
        }

        //  If we had activity on the pipe, go handle the control
        //  message. Current code never sends control messages.
        if pollitems[0].is_readable() {
            agent_control_message(&mut agent);
        }

        //  If we had input on the UDP socket, go process that
        if pollitems[1].is_readable() {
            agent_handle_beacon(&mut agent);
        }

        //  If we passed the 1-second mark, broadcast our beacon
        if zclock_time() >= ping_at {
            udp_send(&agent.udp, &agent.uuid);
            ping_at = zclock_time() + PING_INTERVAL;
        }
        //  Delete and report any expired peers
        let pipe = agent.pipe;
        agent.peers.retain(|key, peer| agent_reap_peer(pipe, key, peer));
    }
    agent_destroy(agent);
}

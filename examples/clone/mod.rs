//! Clone client API stack: a port of the zguide's `examples/C/clone.c`
//! (with `clone.h`), for `clonecli6` (`mod czmq; mod kvmsg; mod clone;`).
//!
//! Differs from the C:
//! - `clone_t` is [`CloneClient`] (a type named `Clone` would hide Rust's
//!   trait), destroyed by dropping it; the agent thread then ends with the
//!   process (C: `zctx_destroy` terminates the context, which ends the
//!   agent's poll);
//! - the frontend methods return libzmq's errors on the pipe (the C
//!   ignores them), and `clone_new` the error of starting the agent;
//!   `clone_get` returns the value's bytes, `None` where the C returns NULL;
//! - the servers are a `Vec` (C: an array of `SERVER_MAX` pointers); a
//!   server whose sockets cannot be made is left out (the C would keep
//!   NULL sockets), and, as in the C, a failed connect is ignored;
//! - a SET's TTL becomes the "ttl" property as a `%s` argument, where the C
//!   passes it as the format string (the same for the digits the frontend
//!   sends); a control message that lacks a frame is read with empty
//!   frames where the C would read through NULL;
//! - a message from a server that is not a kvmsg (bad framing) is dropped,
//!   without counting as a sign of life; in the C `kvmsg_recv` returns NULL
//!   for it, which ends the agent like an interrupt, and the application's
//!   next `clone_get` then waits for ever;
//! - `GLOBAL_TIMEOUT` is kept but, as in the C, not used: `clone_get`
//!   waits for the agent's reply.
#![allow(dead_code)]

//  clone class - Clone client API stack (multithreaded)

use crate::czmq::*;
use crate::kvmsg::*;

//  If no server replies within this time, abandon request
const GLOBAL_TIMEOUT: i64 = 4000; //  msecs

//  =====================================================================
//  Synchronous part, works in our application thread

//  Structure of our class

pub struct CloneClient {
    ctx: ZCtx,         //  Our context wrapper
    pipe: zmq::Socket, //  Pipe through to clone agent
}

//  .split constructor and destructor
//  Here are the constructor and destructor for the clone class. Note that
//  we create a context specifically for the pipe that connects our
//  frontend to the backend agent:

pub fn clone_new() -> zmq::Result<CloneClient> {
    let ctx = zctx_new();
    let pipe = zthread_fork(&ctx, clone_agent, ())?;
    Ok(CloneClient { ctx, pipe })
}

pub fn clone_destroy(this: CloneClient) {
    let CloneClient { ctx, pipe } = this;
    drop(pipe);
    zctx_destroy(ctx);
}

//  .split subtree method
//  Specify subtree for snapshot and updates, which we must do before
//  connecting to a server as the subtree specification is sent as the
//  first command to the server. Sends a [SUBTREE][subtree] command to
//  the agent:

pub fn clone_subtree(this: &CloneClient, subtree: &str) -> zmq::Result<()> {
    let mut msg = zmsg_new();
    zmsg_addstr(&mut msg, "SUBTREE");
    zmsg_addstr(&mut msg, subtree);
    zmsg_send(msg, &this.pipe)
}

//  .split connect method
//  Connect to a new server endpoint. We can connect to at most two
//  servers. Sends [CONNECT][endpoint][service] to the agent:

pub fn clone_connect(this: &CloneClient, address: &str, service: &str) -> zmq::Result<()> {
    let mut msg = zmsg_new();
    zmsg_addstr(&mut msg, "CONNECT");
    zmsg_addstr(&mut msg, address);
    zmsg_addstr(&mut msg, service);
    zmsg_send(msg, &this.pipe)
}

//  .split set method
//  Set a new value in the shared hashmap. Sends a [SET][key][value][ttl]
//  command through to the agent which does the actual work:

pub fn clone_set(this: &CloneClient, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>, ttl: i32) -> zmq::Result<()> {
    let ttlstr = sprintf("%d", &[&ttl]);

    let mut msg = zmsg_new();
    zmsg_addstr(&mut msg, "SET");
    zmsg_addstr(&mut msg, key);
    zmsg_addstr(&mut msg, value);
    zmsg_addstr(&mut msg, ttlstr);
    zmsg_send(msg, &this.pipe)
}

//  .split get method
//  Look up value in distributed hash table. Sends [GET][key] to the agent and
//  waits for a value response. If there is no value available, will eventually
//  return NULL:

pub fn clone_get(this: &CloneClient, key: impl AsRef<[u8]>) -> zmq::Result<Option<Vec<u8>>> {
    let mut msg = zmsg_new();
    zmsg_addstr(&mut msg, "GET");
    zmsg_addstr(&mut msg, key);
    zmsg_send(msg, &this.pipe)?;

    if let Some(mut reply) = zmsg_recv(&this.pipe) {
        let value = zmsg_popstr(&mut reply);
        zmsg_destroy(reply);
        return Ok(value);
    }
    Ok(None)
}

//  .split working with servers
//  The backend agent manages a set of servers, which we implement using
//  our simple class model:

struct Server {
    address: Vec<u8>,        //  Server address
    port: i32,               //  Server port
    snapshot: zmq::Socket,   //  Snapshot socket
    subscriber: zmq::Socket, //  Incoming updates
    expiry: i64,             //  When server expires
    requests: u32,           //  How many snapshot requests made?
}

fn server_new(ctx: &ZCtx, address: &[u8], port: i32, subtree: &[u8]) -> zmq::Result<Server> {
    zclock_log("I: adding server %s:%d...", &[&address, &port]);
    let endpoint = |port: i32| [address, &sprintf(":%d", &[&port])].concat();
    let endpoint = |port| String::from_utf8_lossy(&endpoint(port)).into_owned();

    let snapshot = zsocket_new(ctx, zmq::DEALER)?;
    let _ = zsocket_connect(&snapshot, &endpoint(port));
    let subscriber = zsocket_new(ctx, zmq::SUB)?;
    let _ = zsocket_connect(&subscriber, &endpoint(port + 1));
    zsocket_set_subscribe(&subscriber, subtree)?;
    zsocket_set_subscribe(&subscriber, "HUGZ")?;
    Ok(Server { address: address.to_vec(), port, snapshot, subscriber, expiry: 0, requests: 0 })
}

fn server_destroy(this: Server) {
    drop(this);
}

//  .split backend agent class
//  Here is the implementation of the backend agent itself:

//  Number of servers to which we will talk to
const SERVER_MAX: usize = 2;

//  Server considered dead if silent for this long
const SERVER_TTL: i64 = 5000; //  msecs

//  States we can be in
const STATE_INITIAL: u32 = 0; //  Before asking server for state
const STATE_SYNCING: u32 = 1; //  Getting state from server
const STATE_ACTIVE: u32 = 2; //  Getting new updates from server

struct Agent<'a> {
    ctx: &'a ZCtx,          //  Context wrapper
    pipe: &'a zmq::Socket,  //  Pipe back to application
    kvmap: KvMap,           //  Actual key/value table
    subtree: Vec<u8>,       //  Subtree specification, if any
    server: Vec<Server>,    //  At most SERVER_MAX servers
    state: u32,             //  Current state
    cur_server: usize,      //  If active, server 0 or 1
    sequence: i64,          //  Last kvmsg processed
    publisher: zmq::Socket, //  Outgoing updates
}

fn agent_new<'a>(ctx: &'a ZCtx, pipe: &'a zmq::Socket) -> zmq::Result<Agent<'a>> {
    Ok(Agent {
        ctx,
        pipe,
        kvmap: KvMap::new(),
        subtree: Vec::new(),
        server: Vec::new(),
        state: STATE_INITIAL,
        cur_server: 0,
        sequence: 0,
        publisher: zsocket_new(ctx, zmq::PUB)?,
    })
}

fn agent_destroy(this: Agent) {
    drop(this);
}

//  .split handling a control message
//  Here we handle the different control messages from the frontend;
//  SUBTREE, CONNECT, SET, and GET:

fn agent_control_message(this: &mut Agent) -> i32 {
    let Some(mut msg) = zmsg_recv(this.pipe) else { return -1 };
    let Some(command) = zmsg_popstr(&mut msg) else {
        return -1; //  Interrupted
    };
    let mut popstr = || zmsg_popstr(&mut msg).unwrap_or_default();

    if streq(&command, "SUBTREE") {
        this.subtree = popstr();
    } else if streq(&command, "CONNECT") {
        let address = popstr();
        let service = popstr();
        if this.server.len() < SERVER_MAX {
            if let Ok(server) = server_new(this.ctx, &address, atoi(&service), &this.subtree) {
                this.server.push(server);
            }
            //  We broadcast updates to all known servers
            let endpoint = [address.as_slice(), &sprintf(":%d", &[&(atoi(&service) + 2)])].concat();
            let _ = zsocket_connect(&this.publisher, &String::from_utf8_lossy(&endpoint));
        } else {
            zclock_log("E: too many servers (max. %d)", &[&(SERVER_MAX as i32)]);
        }
    }
    //  .split set and get commands
    //  When we set a property, we push the new key-value pair onto
    //  all our connected servers:
    else if streq(&command, "SET") {
        let key = popstr();
        let value = popstr();
        let ttl = popstr();

        //  Send key-value pair on to server
        let mut kvmsg = kvmsg_new(0);
        kvmsg_set_key(&mut kvmsg, key);
        kvmsg_set_uuid(&mut kvmsg);
        kvmsg_fmt_body(&mut kvmsg, "%s", &[&value]);
        kvmsg_set_prop(&mut kvmsg, "ttl", "%s", &[&ttl]);
        let _ = kvmsg_send(&mut kvmsg, &this.publisher);
        kvmsg_store(kvmsg, &mut this.kvmap);
    } else if streq(&command, "GET") {
        let key = popstr();
        let kvmsg = this.kvmap.get(zhelpers::c_str(&key));
        let value = kvmsg.and_then(kvmsg_body);
        //  An error here loses the reply, as in the C
        let _ = match value {
            Some(value) => this.pipe.send(value, 0),
            None => zstr_send(this.pipe, ""),
        };
    }
    zmsg_destroy(msg);
    0
}

//  .split backend agent
//  The asynchronous agent manages a server pool and handles the
//  request-reply dialog when the application asks for it:

fn clone_agent(_args: (), ctx: &ZCtx, pipe: &zmq::Socket) {
    let Ok(mut this) = agent_new(ctx, pipe) else { return };
    clone_agent_run(&mut this);
    agent_destroy(this);
}

/// Which of the current server's sockets the agent polls.
#[derive(Clone, Copy)]
enum Polled {
    Nothing,
    Snapshot,
    Subscriber,
}

fn clone_agent_run(this: &mut Agent) {
    loop {
        let mut polled = Polled::Nothing;
        let mut poll_timer = -1;
        let cur_server = this.cur_server;
        match this.state {
            STATE_INITIAL => {
                //  In this state we ask the server for a snapshot,
                //  if we have a server to talk to...
                if let Some(server) = this.server.get_mut(cur_server) {
                    zclock_log("I: waiting for server at %s:%d...", &[&server.address, &server.port]);
                    if server.requests < 2 {
                        let _ = zstr_sendm(&server.snapshot, "ICANHAZ?");
                        let _ = zstr_send(&server.snapshot, &this.subtree);
                        server.requests += 1;
                    }
                    server.expiry = zclock_time() + SERVER_TTL;
                    this.state = STATE_SYNCING;
                    polled = Polled::Snapshot;
                }
            }
            STATE_SYNCING => {
                //  In this state we read from snapshot and we expect
                //  the server to respond, else we fail over.
                polled = Polled::Snapshot;
            }
            STATE_ACTIVE => {
                //  In this state we read from subscriber and we expect
                //  the server to give HUGZ, else we fail over.
                polled = Polled::Subscriber;
            }
            _ => {}
        }
        let server = this.server.get(cur_server);
        if let Some(server) = server {
            poll_timer = (server.expiry - zclock_time()).max(0);
        }
        //  .split client poll loop
        //  We're ready to process incoming messages; if nothing at all
        //  comes from our server within the timeout, that means the
        //  server is dead:

        let socket = match (server, polled) {
            (Some(server), Polled::Snapshot) => Some(&server.snapshot),
            (Some(server), Polled::Subscriber) => Some(&server.subscriber),
            _ => None,
        };
        let mut poll_set = vec![this.pipe.as_poll_item(zmq::POLLIN)];
        poll_set.extend(socket.map(|socket| socket.as_poll_item(zmq::POLLIN)));
        if zmq::poll(&mut poll_set, poll_timer).is_err() {
            break; //  Context has been shut down
        }
        let server_ready = poll_set.get(1).is_some_and(|item| item.is_readable());

        if poll_set[0].is_readable() {
            if agent_control_message(this) != 0 {
                break; //  Interrupted
            }
        } else if let (true, Some(socket)) = (server_ready, socket) {
            let Ok(kvmsg) = kvmsg_recv(socket) else {
                break; //  Interrupted
            };
            let Some(kvmsg) = kvmsg else {
                continue; //  Malformed, dropped
            };

            //  Anything from server resets its expiry time
            let server = &mut this.server[cur_server];
            server.expiry = zclock_time() + SERVER_TTL;
            if this.state == STATE_SYNCING {
                //  Store in snapshot until we're finished
                server.requests = 0;
                if streq(kvmsg_key(&kvmsg).unwrap_or_default(), "KTHXBAI") {
                    this.sequence = kvmsg_sequence(&kvmsg);
                    this.state = STATE_ACTIVE;
                    zclock_log(
                        "I: received from %s:%d snapshot=%d",
                        &[&server.address, &server.port, &(this.sequence as i32)],
                    );
                    kvmsg_destroy(kvmsg);
                } else {
                    kvmsg_store(kvmsg, &mut this.kvmap);
                }
            } else if this.state == STATE_ACTIVE {
                //  Discard out-of-sequence updates, incl. HUGZ
                if kvmsg_sequence(&kvmsg) > this.sequence {
                    this.sequence = kvmsg_sequence(&kvmsg);
                    kvmsg_store(kvmsg, &mut this.kvmap);
                    zclock_log(
                        "I: received from %s:%d update=%d",
                        &[&server.address, &server.port, &(this.sequence as i32)],
                    );
                } else {
                    kvmsg_destroy(kvmsg);
                }
            }
        } else if let Some(server) = this.server.get(cur_server) {
            //  Server has died, failover to next
            zclock_log("I: server at %s:%d didn't give HUGZ", &[&server.address, &server.port]);
            this.cur_server = (this.cur_server + 1) % this.server.len();
            this.state = STATE_INITIAL;
        }
    }
}

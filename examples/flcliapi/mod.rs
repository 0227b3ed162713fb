//! Freelance Pattern agent class: a port of the zguide's
//! `examples/C/flcliapi.c` (with `flcliapi.h`), for `flclient3`
//! (`mod czmq; mod flcliapi;`).
//!
//! Differs from the C:
//! - `flcliapi_t` is [`Flcliapi`], destroyed by dropping it; the agent
//!   thread then ends with the process (C: `zctx_destroy` terminates the
//!   context, which ends the agent's poll);
//! - the servers are a `HashMap` by endpoint and the active list holds
//!   endpoints (C: `zhash_t` and `zlist_t` of `server_t` pointers); as in
//!   the C, a server is on that list from its CONNECT and again from its
//!   first reply;
//! - libzmq errors on the frontend's pipe are returned; an endpoint the
//!   agent cannot connect to (the C asserts) is reported and skipped; a
//!   message from a server it does not know (the C asserts) is dropped;
//!   a message it cannot receive (an interrupt) is skipped, where the C
//!   would read a NULL; a REQUEST while another is pending (the C asserts)
//!   replaces it;
//! - the poll timeout is clamped at 0 (the C's unsigned arithmetic would
//!   wrap a past deadline into a wait for ever).
#![allow(dead_code)]

//  flcliapi class - Freelance Pattern agent class
//  Implements the Freelance Protocol at http://rfc.zeromq.org/spec:10

use crate::czmq::*;
use std::collections::HashMap;

//  If no server replies within this time, abandon request
const GLOBAL_TIMEOUT: i64 = 3000; //  msecs
                                  //  PING interval for servers we think are alive
const PING_INTERVAL: i64 = 2000; //  msecs
                                 //  Server considered dead if silent for this long
const SERVER_TTL: i64 = 6000; //  msecs

//  .split API structure
//  This API works in two halves, a common pattern for APIs that need to
//  run in the background. One half is an frontend object our application
//  creates and works with; the other half is a backend "agent" that runs
//  in a background thread. The frontend talks to the backend over an
//  inproc pipe socket:

//  Structure of our frontend class

pub struct Flcliapi {
    ctx: ZCtx,         //  Our context wrapper
    pipe: zmq::Socket, //  Pipe through to flcliapi agent
}

//  Constructor

pub fn flcliapi_new() -> zmq::Result<Flcliapi> {
    let ctx = zctx_new();
    let pipe = zthread_fork(&ctx, flcliapi_agent, ())?;
    Ok(Flcliapi { ctx, pipe })
}

//  Destructor

pub fn flcliapi_destroy(this: Flcliapi) {
    let Flcliapi { ctx, pipe } = this;
    drop(pipe);
    zctx_destroy(ctx);
}

//  .split connect method
//  To implement the connect method, the frontend object sends a multipart
//  message to the backend agent. The first part is a string "CONNECT", and
//  the second part is the endpoint. It waits 100msec for the connection to
//  come up, which isn't pretty, but saves us from sending all requests to a
//  single server, at startup time:

pub fn flcliapi_connect(this: &Flcliapi, endpoint: &str) -> zmq::Result<()> {
    let mut msg = zmsg_new();
    zmsg_addstr(&mut msg, "CONNECT");
    zmsg_addstr(&mut msg, endpoint);
    zmsg_send(msg, &this.pipe)?;
    zclock_sleep(100); //  Allow connection to come up
    Ok(())
}

//  .split request method
//  To implement the request method, the frontend object sends a message
//  to the backend, specifying a command "REQUEST" and the request message:

pub fn flcliapi_request(this: &Flcliapi, mut request: ZMsg) -> zmq::Result<Option<ZMsg>> {
    zmsg_pushstr(&mut request, "REQUEST");
    zmsg_send(request, &this.pipe)?;
    let mut reply = zmsg_recv(&this.pipe);
    if let Some(msg) = reply.as_mut() {
        let status = zmsg_popstr(msg);
        if status.is_some_and(|status| streq(status, "FAILED")) {
            reply = None;
        }
    }
    Ok(reply)
}

//  .split backend agent
//  Here we see the backend agent. It runs as an attached thread, talking
//  to its parent over a pipe socket. It is a fairly complex piece of work
//  so we'll break it down into pieces. First, the agent manages a set of
//  servers, using our familiar class approach:

//  Simple class for one server we talk to

struct Server {
    endpoint: Vec<u8>, //  Server identity/endpoint
    alive: bool,       //  1 if known to be alive
    ping_at: i64,      //  Next ping at this time
    expires: i64,      //  Expires at this time
}

fn server_new(endpoint: &[u8]) -> Server {
    Server {
        endpoint: endpoint.to_vec(),
        alive: false,
        ping_at: zclock_time() + PING_INTERVAL,
        expires: zclock_time() + SERVER_TTL,
    }
}

fn server_ping(server: &mut Server, socket: &zmq::Socket) {
    if zclock_time() >= server.ping_at {
        let mut ping = zmsg_new();
        zmsg_addstr(&mut ping, &server.endpoint);
        zmsg_addstr(&mut ping, "PING");
        //  A ROUTER drops what it cannot route, so this cannot block
        let _ = zmsg_send(ping, socket);
        server.ping_at = zclock_time() + PING_INTERVAL;
    }
}

fn server_tickless(server: &Server, tickless: &mut i64) {
    if *tickless > server.ping_at {
        *tickless = server.ping_at;
    }
}

//  .split backend agent class
//  We build the agent as a class that's capable of processing messages
//  coming in from its various sockets:

//  Simple class for one background agent

struct Agent<'a> {
    ctx: &'a ZCtx,                     //  Own context
    pipe: &'a zmq::Socket,             //  Socket to talk back to application
    router: zmq::Socket,               //  Socket to talk to servers
    servers: HashMap<Vec<u8>, Server>, //  Servers we've connected to
    actives: Vec<Vec<u8>>,             //  Servers we know are alive
    sequence: u32,                     //  Number of requests ever sent
    request: Option<ZMsg>,             //  Current request if any
    reply: Option<ZMsg>,               //  Current reply if any
    expires: i64,                      //  Timeout for request/reply
}

fn agent_new<'a>(ctx: &'a ZCtx, pipe: &'a zmq::Socket) -> zmq::Result<Agent<'a>> {
    let router = zsocket_new(ctx, zmq::ROUTER)?;
    Ok(Agent {
        ctx,
        pipe,
        router,
        servers: HashMap::new(),
        actives: Vec::new(),
        sequence: 0,
        request: None,
        reply: None,
        expires: 0,
    })
}

//  .split control messages
//  This method processes one message from our frontend class
//  (it's going to be CONNECT or REQUEST):

fn agent_control_message(this: &mut Agent) {
    let Some(mut msg) = zmsg_recv(this.pipe) else {
        return; //  Interrupted
    };
    let command = zmsg_popstr(&mut msg).unwrap_or_default();

    if streq(&command, "CONNECT") {
        let endpoint = zmsg_popstr(&mut msg).unwrap_or_default();
        printf("I: connecting to %s...\n", &[&endpoint]);
        let connected = std::str::from_utf8(&endpoint).map_err(|_| zmq::Error::EINVAL);
        if let Err(error) = connected.and_then(|endpoint| this.router.connect(endpoint)) {
            printf("E: cannot connect to %s: %s\n", &[&endpoint, &error.to_string()]);
            return;
        }
        let mut server = server_new(&endpoint);
        server.ping_at = zclock_time() + PING_INTERVAL;
        server.expires = zclock_time() + SERVER_TTL;
        this.servers.insert(endpoint.clone(), server);
        this.actives.push(endpoint);
    } else if streq(&command, "REQUEST") {
        //  Prefix request with sequence number and empty envelope
        this.sequence = this.sequence.wrapping_add(1);
        let sequence_text = sprintf("%u", &[&this.sequence]);
        zmsg_pushstr(&mut msg, sequence_text);
        //  Take ownership of request message
        this.request = Some(msg);
        //  Request expires after global timeout
        this.expires = zclock_time() + GLOBAL_TIMEOUT;
    }
}

//  .split router messages
//  This method processes one message from a connected
//  server:

fn agent_router_message(this: &mut Agent) {
    let Some(mut reply) = zmsg_recv(&this.router) else {
        return; //  Interrupted
    };

    //  Frame 0 is server that replied
    let endpoint = zmsg_popstr(&mut reply).unwrap_or_default();
    let Some(server) = this.servers.get_mut(&endpoint) else {
        return; //  Not a server we connected to
    };
    if !server.alive {
        this.actives.push(endpoint);
        server.alive = true;
    }
    server.ping_at = zclock_time() + PING_INTERVAL;
    server.expires = zclock_time() + SERVER_TTL;

    //  Frame 1 may be sequence number for reply
    let sequence = zmsg_popstr(&mut reply).unwrap_or_default();
    if i64::from(atoi(&sequence)) == i64::from(this.sequence) {
        zmsg_pushstr(&mut reply, "OK");
        //  The application waits for this on the pipe
        let _ = zmsg_send(reply, this.pipe);
        this.request = None;
    } else {
        zmsg_destroy(reply);
    }
}

//  .split backend agent implementation
//  Finally, here's the agent task itself, which polls its two sockets
//  and processes incoming messages:

fn flcliapi_agent(_args: (), ctx: &ZCtx, pipe: &zmq::Socket) {
    let Ok(mut this) = agent_new(ctx, pipe) else {
        return;
    };

    while !zctx_interrupted() {
        let mut items = [this.pipe.as_poll_item(zmq::POLLIN), this.router.as_poll_item(zmq::POLLIN)];
        //  Calculate tickless timer, up to 1 hour
        let mut tickless = zclock_time() + 1000 * 3600;
        if this.request.is_some() && tickless > this.expires {
            tickless = this.expires;
        }
        for server in this.servers.values() {
            server_tickless(server, &mut tickless);
        }

        let rc = zmq::poll(&mut items, (tickless - zclock_time()).max(0));
        if rc.is_err() {
            break; //  Context has been shut down
        }
        let (pipe_ready, router_ready) = (items[0].is_readable(), items[1].is_readable());

        if pipe_ready {
            agent_control_message(&mut this);
        }

        if router_ready {
            agent_router_message(&mut this);
        }

        //  If we're processing a request, dispatch to next server
        if let Some(request) = &this.request {
            if zclock_time() >= this.expires {
                //  Request expired, kill it
                let _ = zstr_send(this.pipe, "FAILED");
                this.request = None;
            } else {
                //  Find server to talk to, remove any expired ones
                while let Some(endpoint) = this.actives.first() {
                    let Some(server) = this.servers.get_mut(endpoint) else {
                        this.actives.remove(0);
                        continue;
                    };
                    if zclock_time() >= server.expires {
                        this.actives.remove(0);
                        server.alive = false;
                    } else {
                        let mut request = zmsg_dup(request);
                        zmsg_pushstr(&mut request, &server.endpoint);
                        let _ = zmsg_send(request, &this.router);
                        break;
                    }
                }
            }
        }
        //  Disconnect and delete any expired servers
        //  Send heartbeats to idle servers if needed
        for server in this.servers.values_mut() {
            server_ping(server, &this.router);
        }
    }
}

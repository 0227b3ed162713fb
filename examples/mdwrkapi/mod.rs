//! Majordomo Protocol worker API: a port of the zguide's
//! `examples/C/mdwrkapi.c` (with `mdwrkapi.h`), for `mdworker`
//! (`mod czmq; mod mdp; mod mdwrkapi;`).
//!
//! Differs from the C: `mdwrk_t` is [`Mdwrk`], destroyed by dropping it;
//! `mdwrk_recv` takes the reply by value (C: `zmsg_t **`, which it
//! destroys); libzmq errors on (re)connecting end `mdwrk_recv` with `None`;
//! a malformed message from the broker (which the C asserts on, aborting)
//! is logged and dropped, as the C does with an unknown command; and a
//! reply given before any request (also an assertion in C) is dropped.
#![allow(dead_code)]

//  mdwrkapi class - Majordomo Protocol Worker API
//  Implements the MDP/Worker spec at http://rfc.zeromq.org/spec:7.

use crate::czmq::*;
use crate::mdp::*;

//  Reliability parameters
const HEARTBEAT_LIVENESS: usize = 3; //  3-5 is reasonable

//  .split worker class structure
//  This is the structure of a worker API instance. We use a pseudo-OO
//  approach in a lot of the C examples, as well as the CZMQ binding:

//  Structure of our class
//  We access these properties only via class methods

pub struct Mdwrk {
    ctx: ZCtx,                   //  Our context
    broker: String,              //
    service: String,             //
    worker: Option<zmq::Socket>, //  Socket to broker
    verbose: bool,               //  Print activity to stdout

    //  Heartbeat management
    heartbeat_at: i64, //  When to send HEARTBEAT
    liveness: usize,   //  How many attempts left
    heartbeat: i64,    //  Heartbeat delay, msecs
    reconnect: i64,    //  Reconnect delay, msecs

    expect_reply: bool,       //  Zero only at start
    reply_to: Option<ZFrame>, //  Return identity, if any
}

//  .split utility functions
//  We have two utility functions; to send a message to the broker and
//  to (re)connect to the broker:

//  Send message to broker
//  If no msg is provided, creates one internally
fn s_mdwrk_send_to_broker(this: &Mdwrk, command: &str, option: Option<&str>, msg: Option<&ZMsg>) -> zmq::Result<()> {
    let mut msg = match msg {
        Some(msg) => zmsg_dup(msg),
        None => zmsg_new(),
    };

    //  Stack protocol envelope to start of message
    if let Some(option) = option {
        zmsg_pushstr(&mut msg, option);
    }
    zmsg_pushstr(&mut msg, command);
    zmsg_pushstr(&mut msg, MDPW_WORKER);
    zmsg_pushstr(&mut msg, "");

    if this.verbose {
        zclock_log("I: sending %s to broker", &[&mdps_commands(command)]);
        zmsg_dump(&msg);
    }
    match &this.worker {
        Some(worker) => zmsg_send(msg, worker),
        None => Err(zmq::Error::ENOTSOCK),
    }
}

//  Connect or reconnect to broker

fn s_mdwrk_connect_to_broker(this: &mut Mdwrk) -> zmq::Result<()> {
    if let Some(worker) = this.worker.take() {
        zsocket_destroy(&this.ctx, worker);
    }
    let worker = zsocket_new(&this.ctx, zmq::DEALER)?;
    worker.connect(&this.broker)?;
    this.worker = Some(worker);
    if this.verbose {
        zclock_log("I: connecting to broker at %s...", &[&this.broker]);
    }

    //  Register service with broker
    s_mdwrk_send_to_broker(this, MDPW_READY, Some(&this.service), None)?;

    //  If liveness hits zero, queue is considered disconnected
    this.liveness = HEARTBEAT_LIVENESS;
    this.heartbeat_at = zclock_time() + this.heartbeat;
    Ok(())
}

//  .split constructor and destructor
//  Here we have the constructor and destructor for our mdwrk class:

//  Constructor

pub fn mdwrk_new(broker: &str, service: &str, verbose: bool) -> zmq::Result<Mdwrk> {
    let mut this = Mdwrk {
        ctx: zctx_new(),
        broker: broker.to_string(),
        service: service.to_string(),
        worker: None,
        verbose,
        heartbeat_at: 0,
        liveness: 0,
        heartbeat: 2500, //  msecs
        reconnect: 2500, //  msecs
        expect_reply: false,
        reply_to: None,
    };
    s_mdwrk_connect_to_broker(&mut this)?;
    Ok(this)
}

//  Destructor

pub fn mdwrk_destroy(this: Mdwrk) {
    drop(this);
}

//  .split configure worker
//  We provide two methods to configure the worker API. You can set the
//  heartbeat interval and retries to match the expected network performance.

//  Set heartbeat delay

pub fn mdwrk_set_heartbeat(this: &mut Mdwrk, heartbeat: i64) {
    this.heartbeat = heartbeat;
}

//  Set reconnect delay

pub fn mdwrk_set_reconnect(this: &mut Mdwrk, reconnect: i64) {
    this.reconnect = reconnect;
}

//  .split recv method
//  This is the {{recv}} method; it's a little misnamed because it first sends
//  any reply and then waits for a new request. If you have a better name
//  for this, let me know.

//  Send reply, if any, to broker and wait for next request.

pub fn mdwrk_recv(this: &mut Mdwrk, reply: Option<ZMsg>) -> Option<ZMsg> {
    //  Format and send the reply if we were provided one
    if let Some(mut reply) = reply {
        if let Some(reply_to) = this.reply_to.take() {
            zmsg_wrap(&mut reply, reply_to);
            s_mdwrk_send_to_broker(this, MDPW_REPLY, None, Some(&reply)).ok()?;
        }
        zmsg_destroy(reply);
    }
    this.expect_reply = true;

    loop {
        let worker = this.worker.as_ref()?;
        let mut items = [worker.as_poll_item(zmq::POLLIN)];
        let rc = zmq::poll(&mut items, this.heartbeat);
        if rc.is_err() {
            break; //  Interrupted
        }

        if items[0].is_readable() {
            let Some(mut msg) = zmsg_recv(worker) else {
                break; //  Interrupted
            };
            if this.verbose {
                zclock_log("I: received message from broker:", &[]);
                zmsg_dump(&msg);
            }
            this.liveness = HEARTBEAT_LIVENESS;

            //  Don't try to handle errors, just assert noisily
            let empty = zmsg_pop(&mut msg);
            let header = zmsg_pop(&mut msg);
            let command = zmsg_pop(&mut msg);
            match (empty, header, command) {
                (Some(empty), Some(header), Some(command))
                    if zframe_streq(&empty, "") && zframe_streq(&header, MDPW_WORKER) =>
                {
                    if zframe_streq(&command, MDPW_REQUEST) {
                        //  We should pop and save as many addresses as there are
                        //  up to a null part, but for now, just save one...
                        this.reply_to = zmsg_unwrap(&mut msg);
                        zframe_destroy(command);
                        //  .split process message
                        //  Here is where we actually have a message to process; we
                        //  return it to the caller application:

                        return Some(msg); //  We have a request to process
                    } else if zframe_streq(&command, MDPW_HEARTBEAT) {
                        //  Do nothing for heartbeats
                    } else if zframe_streq(&command, MDPW_DISCONNECT) {
                        s_mdwrk_connect_to_broker(this).ok()?;
                    } else {
                        zclock_log("E: invalid input message", &[]);
                        zmsg_dump(&msg);
                    }
                    zframe_destroy(command);
                }
                _ => {
                    zclock_log("E: invalid input message", &[]);
                    zmsg_dump(&msg);
                }
            }
            zmsg_destroy(msg);
        } else {
            this.liveness -= 1;
            if this.liveness == 0 {
                if this.verbose {
                    zclock_log("W: disconnected from broker - retrying...", &[]);
                }
                zclock_sleep(this.reconnect);
                s_mdwrk_connect_to_broker(this).ok()?;
            }
        }
        //  Send HEARTBEAT if it's time
        if zclock_time() > this.heartbeat_at {
            s_mdwrk_send_to_broker(this, MDPW_HEARTBEAT, None, None).ok()?;
            this.heartbeat_at = zclock_time() + this.heartbeat;
        }
    }
    if zctx_interrupted() {
        println!("W: interrupt received, killing worker...");
    }
    None
}

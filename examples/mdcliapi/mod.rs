//! Majordomo Protocol client API: a port of the zguide's
//! `examples/C/mdcliapi.c` (with `mdcliapi.h`), for `mdclient` and
//! `mmiecho` (`mod czmq; mod mdp; mod mdcliapi;`).
//!
//! Differs from the C: `mdcli_t` is [`Mdcli`], destroyed by dropping it;
//! libzmq errors on connecting are returned; and a malformed reply (which
//! the C asserts on, aborting) is logged, dropped and counts as no reply:
//! `mdcli_send` returns `None` as it does when it gives up.
#![allow(dead_code)]

//  mdcliapi class - Majordomo Protocol Client API
//  Implements the MDP/Worker spec at http://rfc.zeromq.org/spec:7.

use crate::czmq::*;
use crate::mdp::*;

//  Structure of our class
//  We access these properties only via class methods

pub struct Mdcli {
    ctx: ZCtx,                   //  Our context
    broker: String,              //
    client: Option<zmq::Socket>, //  Socket to broker
    verbose: bool,               //  Print activity to stdout
    timeout: i64,                //  Request timeout
    retries: i32,                //  Request retries
}

//  Connect or reconnect to broker

fn s_mdcli_connect_to_broker(this: &mut Mdcli) -> zmq::Result<()> {
    if let Some(client) = this.client.take() {
        zsocket_destroy(&this.ctx, client);
    }
    let client = zsocket_new(&this.ctx, zmq::REQ)?;
    client.connect(&this.broker)?;
    this.client = Some(client);
    if this.verbose {
        zclock_log("I: connecting to broker at %s...", &[&this.broker]);
    }
    Ok(())
}

//  .split constructor and destructor
//  Here we have the constructor and destructor for our class:

//  Constructor

pub fn mdcli_new(broker: &str, verbose: bool) -> zmq::Result<Mdcli> {
    let mut this = Mdcli {
        ctx: zctx_new(),
        broker: broker.to_string(),
        client: None,
        verbose,
        timeout: 2500, //  msecs
        retries: 3,    //  Before we abandon
    };
    s_mdcli_connect_to_broker(&mut this)?;
    Ok(this)
}

//  Destructor

pub fn mdcli_destroy(this: Mdcli) {
    drop(this);
}

//  .split configure retry behavior
//  These are the class methods. We can set the request timeout and number
//  of retry attempts before sending requests:

//  Set request timeout

pub fn mdcli_set_timeout(this: &mut Mdcli, timeout: i64) {
    this.timeout = timeout;
}

//  Set request retries

pub fn mdcli_set_retries(this: &mut Mdcli, retries: i32) {
    this.retries = retries;
}

//  .split send request and wait for reply
//  Here is the {{send}} method. It sends a request to the broker and gets
//  a reply even if it has to retry several times. It takes ownership of
//  the request message, and destroys it when sent. It returns the reply
//  message, or NULL if there was no reply after multiple attempts:

pub fn mdcli_send(this: &mut Mdcli, service: &str, mut request: ZMsg) -> Option<ZMsg> {
    //  Prefix request with protocol frames
    //  Frame 1: "MDPCxy" (six bytes, MDP/Client x.y)
    //  Frame 2: Service name (printable string)
    zmsg_pushstr(&mut request, service);
    zmsg_pushstr(&mut request, MDPC_CLIENT);
    if this.verbose {
        zclock_log("I: send request to '%s' service:", &[&service]);
        zmsg_dump(&request);
    }
    let mut retries_left = this.retries;
    while retries_left != 0 && !zctx_interrupted() {
        let client = this.client.as_ref()?;
        let msg = zmsg_dup(&request);
        zmsg_send(msg, client).ok()?;

        let mut items = [client.as_poll_item(zmq::POLLIN)];
        //  .split body of send
        //  On any blocking call, {{libzmq}} will return -1 if there was
        //  an error; we could in theory check for different error codes,
        //  but in practice it's OK to assume it was {{EINTR}} (Ctrl-C):

        let rc = zmq::poll(&mut items, this.timeout);
        if rc.is_err() {
            break; //  Interrupted
        }

        //  If we got a reply, process it
        if items[0].is_readable() {
            let mut msg = zmsg_recv(client)?;
            if this.verbose {
                zclock_log("I: received reply:", &[]);
                zmsg_dump(&msg);
            }
            //  We would handle malformed replies better in real code
            let header = zmsg_pop(&mut msg);
            let reply_service = zmsg_pop(&mut msg);
            let well_formed = zmsg_size(&msg) >= 1
                && header.is_some_and(|header| zframe_streq(&header, MDPC_CLIENT))
                && reply_service.is_some_and(|reply_service| zframe_streq(&reply_service, service));
            if !well_formed {
                zclock_log("E: malformed reply from broker", &[]);
                break;
            }
            zmsg_destroy(request);
            return Some(msg); //  Success
        } else {
            retries_left -= 1;
            if retries_left != 0 {
                if this.verbose {
                    zclock_log("W: no reply, reconnecting...", &[]);
                }
                s_mdcli_connect_to_broker(this).ok()?;
            } else {
                if this.verbose {
                    zclock_log("W: permanent error, abandoning", &[]);
                }
                break; //  Give up
            }
        }
    }
    if zctx_interrupted() {
        println!("W: interrupt received, killing client...");
    }
    zmsg_destroy(request);
    None
}

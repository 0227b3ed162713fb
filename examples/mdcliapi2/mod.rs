//! Majordomo Protocol client API, asynchronous: a port of the zguide's
//! `examples/C/mdcliapi2.c` (with `mdcliapi2.h`), for `mdclient2`
//! (`mod czmq; mod mdp; mod mdcliapi2;`).
//!
//! Differs from the C: `mdcli_t` is [`Mdcli`], destroyed by dropping it;
//! libzmq errors on connecting and sending are returned; and a malformed
//! reply (on which the C asserts, aborting) is logged, dropped and counts
//! as no reply: `mdcli_recv` returns `None` as it does on a timeout.
#![allow(dead_code)]

//  mdcliapi2 class - Majordomo Protocol Client API
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
}

//  Connect or reconnect to broker. In this asynchronous class we use a
//  DEALER socket instead of a REQ socket; this lets us send any number
//  of requests without waiting for a reply.

fn s_mdcli_connect_to_broker(this: &mut Mdcli) -> zmq::Result<()> {
    if let Some(client) = this.client.take() {
        zsocket_destroy(&this.ctx, client);
    }
    let client = zsocket_new(&this.ctx, zmq::DEALER)?;
    client.connect(&this.broker)?;
    this.client = Some(client);
    if this.verbose {
        zclock_log("I: connecting to broker at %s...", &[&this.broker]);
    }
    Ok(())
}

//  The constructor and destructor are the same as in mdcliapi, except
//  we don't do retries, so there's no retries property.
//  .skip
//  ---------------------------------------------------------------------
//  Constructor

pub fn mdcli_new(broker: &str, verbose: bool) -> zmq::Result<Mdcli> {
    let mut this = Mdcli {
        ctx: zctx_new(),
        broker: broker.to_string(),
        client: None,
        verbose,
        timeout: 2500, //  msecs
    };
    s_mdcli_connect_to_broker(&mut this)?;
    Ok(this)
}

//  Destructor

pub fn mdcli_destroy(this: Mdcli) {
    drop(this);
}

//  Set request timeout

pub fn mdcli_set_timeout(this: &mut Mdcli, timeout: i64) {
    this.timeout = timeout;
}

//  .until
//  .skip
//  The send method now just sends one message, without waiting for a
//  reply. Since we're using a DEALER socket we have to send an empty
//  frame at the start, to create the same envelope that the REQ socket
//  would normally make for us:

pub fn mdcli_send(this: &mut Mdcli, service: &str, mut request: ZMsg) -> zmq::Result<()> {
    //  Prefix request with protocol frames
    //  Frame 0: empty (REQ emulation)
    //  Frame 1: "MDPCxy" (six bytes, MDP/Client x.y)
    //  Frame 2: Service name (printable string)
    zmsg_pushstr(&mut request, service);
    zmsg_pushstr(&mut request, MDPC_CLIENT);
    zmsg_pushstr(&mut request, "");
    if this.verbose {
        zclock_log("I: send request to '%s' service:", &[&service]);
        zmsg_dump(&request);
    }
    let client = this.client.as_ref().ok_or(zmq::Error::ENOTSOCK)?;
    zmsg_send(request, client)
}

//  .skip
//  The recv method waits for a reply message and returns that to the
//  caller.
//  ---------------------------------------------------------------------
//  Returns the reply message or NULL if there was no reply. Does not
//  attempt to recover from a broker failure, this is not possible
//  without storing all unanswered requests and resending them all...

pub fn mdcli_recv(this: &mut Mdcli) -> Option<ZMsg> {
    let client = this.client.as_ref()?;

    //  Poll socket for a reply, with timeout
    let mut items = [client.as_poll_item(zmq::POLLIN)];
    let rc = zmq::poll(&mut items, this.timeout);
    if rc.is_err() {
        return None; //  Interrupted
    }

    //  If we got a reply, process it
    if items[0].is_readable() {
        let mut msg = zmsg_recv(client)?;
        if this.verbose {
            zclock_log("I: received reply:", &[]);
            zmsg_dump(&msg);
        }
        //  Don't try to handle errors, just assert noisily
        let size = zmsg_size(&msg);
        let empty = zmsg_pop(&mut msg);
        let header = zmsg_pop(&mut msg);
        let well_formed = size >= 4
            && empty.is_some_and(|empty| zframe_streq(&empty, ""))
            && header.is_some_and(|header| zframe_streq(&header, MDPC_CLIENT));
        if !well_formed {
            zclock_log("E: malformed reply from broker", &[]);
            return None;
        }

        let service = zmsg_pop(&mut msg);
        drop(service);

        return Some(msg); //  Success
    }
    if zctx_interrupted() {
        println!("W: interrupt received, killing client...");
    } else if this.verbose {
        zclock_log("W: permanent error, abandoning request", &[]);
    }

    None
}

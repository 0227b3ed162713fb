//! Titanic client example: a port of the zguide's `examples/C/ticlient.c`
//! over the `mdcliapi` port.
//!
//! Differs from the C in that the C includes `mdcliapi.c` where this uses
//! `mod mdcliapi;`; a failure to create the session ends `main` with
//! libzmq's error; and a `titanic.request` answer without a UUID (the C
//! would then duplicate a NULL frame) ends the client.

//  Titanic client example
//  Implements client side of http://rfc.zeromq.org/spec:9

mod czmq;
mod mdcliapi;
mod mdp;

use czmq::*;
use mdcliapi::*;
use std::process::exit;

//  Calls a TSP service
//  Returns response if successful (status code 200 OK), else NULL
//
fn s_service_call(session: &mut Mdcli, service: &str, request: ZMsg) -> Option<ZMsg> {
    let Some(mut reply) = mdcli_send(session, service, request) else {
        exit(0); //  Interrupted or failed
    };
    let status = zmsg_pop(&mut reply).unwrap_or_else(zframe_new_empty);
    if zframe_streq(&status, "200") {
        return Some(reply);
    } else if zframe_streq(&status, "400") {
        println!("E: client fatal error, aborting");
        exit(1);
    } else if zframe_streq(&status, "500") {
        println!("E: server fatal error, aborting");
        exit(1);
    }

    zmsg_destroy(reply);
    None //  Didn't succeed; don't care why not
}

//  .split main task
//  The main task tests our service call by sending an echo request:

fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.len() > 1 && streq(&args[1], "-v");
    let mut session = mdcli_new("tcp://localhost:5555", verbose)?;

    //  1. Send 'echo' request to Titanic
    let mut request = zmsg_new();
    zmsg_addstr(&mut request, "echo");
    zmsg_addstr(&mut request, "Hello world");
    let reply = s_service_call(&mut session, "titanic.request", request);

    let mut uuid = None;
    if let Some(mut reply) = reply {
        uuid = zmsg_pop(&mut reply);
        zmsg_destroy(reply);
        if let Some(uuid) = &uuid {
            zframe_print(uuid, Some("I: request UUID "));
        }
    }
    let Some(uuid) = uuid else {
        return Ok(()); //  No UUID to ask about
    };
    //  2. Wait until we get a reply
    while !zctx_interrupted() {
        zclock_sleep(100);
        let mut request = zmsg_new();
        zmsg_add(&mut request, zframe_dup(&uuid));
        let reply = s_service_call(&mut session, "titanic.reply", request);

        if let Some(mut reply) = reply {
            let reply_string = zmsg_last(&mut reply).map(|frame| zframe_strdup(frame)).unwrap_or_default();
            printf("Reply: %s\n", &[&reply_string]);
            zmsg_destroy(reply);

            //  3. Close request
            let mut request = zmsg_new();
            zmsg_add(&mut request, zframe_dup(&uuid));
            let reply = s_service_call(&mut session, "titanic.close", request);
            drop(reply);
            break;
        } else {
            println!("I: no reply yet, trying again...");
            zclock_sleep(5000); //  Try again in 5 seconds
        }
    }
    zframe_destroy(uuid);
    mdcli_destroy(session);
    Ok(())
}

//! Freelance client, model 1: a port of the zguide's
//! `examples/C/flclient1.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`.

//  Freelance client - Model 1
//  Uses REQ socket to query one or more services

mod czmq;

use czmq::*;

const REQUEST_TIMEOUT: i64 = 1000;
const MAX_RETRIES: i32 = 3; //  Before we abandon

fn s_try_request(ctx: &ZCtx, endpoint: &str, request: &ZMsg) -> zmq::Result<Option<ZMsg>> {
    println!("I: trying echo service at {endpoint}...");
    let client = zsocket_new(ctx, zmq::REQ)?;
    zsocket_connect(&client, endpoint)?;

    //  Send request, wait safely for reply
    let msg = zmsg_dup(request);
    zmsg_send(msg, &client)?;
    let mut items = [client.as_poll_item(zmq::POLLIN)];
    zmq::poll(&mut items, REQUEST_TIMEOUT)?;
    let mut reply = None;
    if items[0].is_readable() {
        reply = zmsg_recv(&client);
    }

    //  Close socket in any case, we're done with it now
    zsocket_destroy(ctx, client);
    Ok(reply)
}

//  .split client task
//  The client uses a Lazy Pirate strategy if it only has one server to talk
//  to. If it has two or more servers to talk to, it will try each server just
//  once:

fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    let ctx = zctx_new();
    let mut request = zmsg_new();
    zmsg_addstr(&mut request, "Hello world");
    let mut reply = None;

    let endpoints = args.len() - 1;
    if endpoints == 0 {
        println!("I: syntax: {} <endpoint> ...", args[0]);
    } else if endpoints == 1 {
        //  For one endpoint, we retry N times
        for _retries in 0..MAX_RETRIES {
            let endpoint = &args[1];
            reply = s_try_request(&ctx, endpoint, &request)?;
            if reply.is_some() {
                break; //  Successful
            }
            println!("W: no response from {endpoint}, retrying...");
        }
    } else {
        //  For multiple endpoints, try each at most once
        for endpoint_nbr in 0..endpoints {
            let endpoint = &args[endpoint_nbr + 1];
            reply = s_try_request(&ctx, endpoint, &request)?;
            if reply.is_some() {
                break; //  Successful
            }
            println!("W: no response from {endpoint}");
        }
    }
    if reply.is_some() {
        println!("Service is running OK");
    }

    zmsg_destroy(request);
    drop(reply);
    zctx_destroy(ctx);
    Ok(())
}

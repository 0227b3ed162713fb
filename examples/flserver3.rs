//! Freelance server, model 3: a port of the zguide's
//! `examples/C/flserver3.c`.
//!
//! Differs from the C in that libzmq errors, which the C ignores, end
//! `main` through `?`; and a request without a control frame (the C would
//! read a NULL frame) is dumped and dropped.

//  Freelance server - Model 3
//  Uses an ROUTER/ROUTER socket but just one thread

mod czmq;

use czmq::*;

fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.len() > 1 && streq(&args[1], "-v");

    let ctx = zctx_new();

    //  Prepare server socket with predictable identity
    let bind_endpoint = "tcp://*:5555";
    let connect_endpoint = "tcp://localhost:5555";
    let server = zsocket_new(&ctx, zmq::ROUTER)?;
    server.set_identity(connect_endpoint.as_bytes())?;
    zsocket_bind(&server, bind_endpoint)?;
    println!("I: service is ready at {bind_endpoint}");

    while !zctx_interrupted() {
        let request = zmsg_recv(&server);
        if verbose {
            if let Some(request) = &request {
                zmsg_dump(request);
            }
        }
        let Some(mut request) = request else {
            break; //  Interrupted
        };

        //  Frame 0: identity of client
        //  Frame 1: PING, or client control frame
        //  Frame 2: request body
        let identity = zmsg_pop(&mut request);
        let control = zmsg_pop(&mut request);
        let (Some(identity), Some(control)) = (identity, control) else {
            println!("E: invalid request from client");
            zmsg_dump(&request);
            continue;
        };
        let mut reply = zmsg_new();
        if zframe_streq(&control, "PING") {
            zmsg_addstr(&mut reply, "PONG");
        } else {
            zmsg_add(&mut reply, control);
            zmsg_addstr(&mut reply, "OK");
        }
        zmsg_destroy(request);
        zmsg_prepend(&mut reply, identity);
        if verbose {
            zmsg_dump(&reply);
        }
        zmsg_send(reply, &server)?;
    }
    if zctx_interrupted() {
        println!("W: interrupted");
    }

    drop(server);
    zctx_destroy(ctx);
    Ok(())
}

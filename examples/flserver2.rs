//! Freelance server, model 2: a port of the zguide's
//! `examples/C/flserver2.c`.
//!
//! Differs from the C in that a failure to bind (the C ignores it) ends
//! `main` with libzmq's error, as does a reply it cannot send; and a
//! request that is not two frames, on which the C asserts ("fail nastily
//! if run against wrong client"), is reported, dumped and answered with an
//! empty frame, so the REP socket can take the next request.

//  Freelance server - Model 2
//  Does some work, replies OK, with message sequencing

mod czmq;

use czmq::*;

fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 2 {
        println!("I: syntax: {} <endpoint>", args[0]);
        return Ok(());
    }
    let ctx = zctx_new();
    let server = zsocket_new(&ctx, zmq::REP)?;
    zsocket_bind(&server, &args[1])?;

    println!("I: service is ready at {}", args[1]);
    //  zmsg_recv returns None when interrupted
    while let Some(mut request) = zmsg_recv(&server) {
        //  Fail nastily if run against wrong client
        if zmsg_size(&request) != 2 {
            println!("E: invalid request from client");
            zmsg_dump(&request);
            zframe_send(zframe_new_empty(), &server, 0)?;
            continue;
        }

        let identity = zmsg_pop(&mut request);
        zmsg_destroy(request);

        let mut reply = zmsg_new();
        if let Some(identity) = identity {
            zmsg_add(&mut reply, identity);
        }
        zmsg_addstr(&mut reply, "OK");
        zmsg_send(reply, &server)?;
    }
    if zctx_interrupted() {
        println!("W: interrupted");
    }

    drop(server);
    zctx_destroy(ctx);
    Ok(())
}

//! Freelance server, model 1: a port of the zguide's
//! `examples/C/flserver1.c`.
//!
//! Differs from the C only in that a failure to bind (the C ignores it)
//! ends `main` with libzmq's error, as does a reply it cannot send.

//  Freelance server - Model 1
//  Trivial echo service

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

    println!("I: echo service is ready at {}", args[1]);
    //  zmsg_recv returns None when interrupted
    while let Some(msg) = zmsg_recv(&server) {
        zmsg_send(msg, &server)?;
    }
    if zctx_interrupted() {
        println!("W: interrupted");
    }

    drop(server);
    zctx_destroy(ctx);
    Ok(())
}

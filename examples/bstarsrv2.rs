//! Binary Star server, using the bstar reactor: a port of the zguide's
//! `examples/C/bstarsrv2.c` over the `bstar` port.
//!
//! Differs from the C in that the C includes `bstar.c` where this uses
//! `mod bstar;`; a failure to bind or connect ends `main` with libzmq's
//! error (the C ignores it); the voter's argument is `()` (C: NULL); and
//! the echo handler skips a message it cannot receive (the C would send
//! the NULL it got).

//  Binary Star server, using bstar reactor

mod bstar;
mod czmq;

use bstar::*;
use czmq::*;

//  Echo service
fn s_echo(_reactor: &mut ZLoop<BstarFsm<()>>, poller: Option<&ZPollItem>, _arg: &mut ()) -> i32 {
    if let Some(socket) = poller.and_then(|poller| poller.socket.as_deref()) {
        if let Some(msg) = zmsg_recv(socket) {
            //  An error here only loses this reply, as in the C
            let _ = zmsg_send(msg, socket);
        }
    }
    0
}

fn main() -> Result<(), zmq::Error> {
    //  Arguments can be either of:
    //      -p  primary server, at tcp://localhost:5001
    //      -b  backup server, at tcp://localhost:5002
    let args: Vec<String> = std::env::args().collect();
    let mut bstar;
    if args.len() == 2 && streq(&args[1], "-p") {
        println!("I: Primary active, waiting for backup (passive)");
        bstar = bstar_new(BSTAR_PRIMARY, "tcp://*:5003", "tcp://localhost:5004")?;
        bstar_voter(&mut bstar, "tcp://*:5001", zmq::ROUTER, s_echo, ())?;
    } else if args.len() == 2 && streq(&args[1], "-b") {
        println!("I: Backup passive, waiting for primary (active)");
        bstar = bstar_new(BSTAR_BACKUP, "tcp://*:5004", "tcp://localhost:5003")?;
        bstar_voter(&mut bstar, "tcp://*:5002", zmq::ROUTER, s_echo, ())?;
    } else {
        println!("Usage: bstarsrvs {{ -p | -b }}");
        std::process::exit(0);
    }
    bstar_start(&mut bstar);
    bstar_destroy(bstar);
    Ok(())
}

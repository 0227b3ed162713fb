//! Broker peering simulation (part 1): a port of the zguide's
//! `examples/C/peering1.c`.
//!
//! Differs from the C in that libzmq errors, which the C ignores, end
//! `main` through `?`; the endpoints are built with `format!` (C: czmq's
//! printf-style `zsocket_bind`/`zsocket_connect`); a name that is not
//! UTF-8, which cannot be part of an endpoint string here, is refused with
//! an error; and a status message cut short by an interrupt ends the loop,
//! where the C prints "(null)" for the missing part.
//! The main loop also ends once `zctx_interrupted` is set: a signal that
//! arrives while the loop is not inside `zmq_poll` interrupts nothing, and
//! with traffic flowing the C would go on for ever.

//  Broker peering simulation (part 1)
//  Prototypes the state flow

mod czmq;

use czmq::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    //  First argument is this broker's name
    //  Other arguments are our peers' names
    //
    let argv = std::env::args_os()
        .map(|arg| arg.into_string().map_err(|arg| format!("not UTF-8: {arg:?}")))
        .collect::<Result<Vec<String>, String>>()?;
    if argv.len() < 2 {
        printf("syntax: peering1 me {you}...\n", &[]);
        return Ok(());
    }
    let this = &argv[1];
    printf("I: preparing broker at %s...\n", &[this]);
    srandom(time() as u32);

    let ctx = zctx_new();

    //  Bind state backend to endpoint
    let statebe = zsocket_new(&ctx, zmq::PUB)?;
    zsocket_bind(&statebe, &format!("ipc://{this}-state.ipc"))?;

    //  Connect statefe to all peers
    let statefe = zsocket_new(&ctx, zmq::SUB)?;
    zsocket_set_subscribe(&statefe, "")?;
    for peer in &argv[2..] {
        printf("I: connecting to state backend at '%s'\n", &[peer]);
        zsocket_connect(&statefe, &format!("ipc://{peer}-state.ipc"))?;
    }
    //  .split main loop
    //  The main loop sends out status messages to peers, and collects
    //  status messages back from peers. The zmq_poll timeout defines
    //  our own heartbeat:

    while !zctx_interrupted() {
        //  Poll for activity, or 1 second timeout
        let mut items = [statefe.as_poll_item(zmq::POLLIN)];
        let rc = zmq::poll(&mut items, 1000);
        if rc.is_err() {
            break; //  Interrupted
        }

        //  Handle incoming status messages
        if items[0].is_readable() {
            let (Some(peer_name), Some(available)) = (zstr_recv(&statefe), zstr_recv(&statefe)) else {
                break; //  Interrupted
            };
            printf("%s - %s workers free\n", &[&peer_name, &available]);
        } else {
            //  Send random values for worker availability
            zstr_sendm(&statebe, this)?;
            zstr_sendf(&statebe, "%d", &[&randof(10)])?;
        }
    }
    drop(statefe);
    drop(statebe);
    zctx_destroy(ctx);
    Ok(())
}

//! Binary Star client proof-of-concept: a port of the zguide's
//! `examples/C/bstarcli.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`; a reply that cannot be received (an interrupt) ends
//! the wait, where the C would read a NULL; and the reply is compared with
//! `atoi` on its bytes and printed byte for byte, as the C does.

//  Binary Star client proof-of-concept implementation. This client does no
//  real work; it just demonstrates the Binary Star failover model.

mod czmq;

use czmq::*;

const REQUEST_TIMEOUT: i64 = 1000; //  msecs
const SETTLE_DELAY: i64 = 2000; //  Before failing over

fn main() -> Result<(), zmq::Error> {
    let ctx = zctx_new();

    let server = ["tcp://localhost:5001", "tcp://localhost:5002"];
    let mut server_nbr = 0;

    println!("I: connecting to server at {}...", server[server_nbr]);
    let mut client = zsocket_new(&ctx, zmq::REQ)?;
    zsocket_connect(&client, server[server_nbr])?;

    let mut sequence = 0;
    while !zctx_interrupted() {
        //  We send a request, then we work to get a reply
        sequence += 1;
        let request = sprintf("%d", &[&sequence]);
        zstr_send(&client, &request)?;

        let mut expect_reply = true;
        while expect_reply {
            //  Poll socket for a reply, with timeout
            let mut items = [client.as_poll_item(zmq::POLLIN)];
            let rc = zmq::poll(&mut items, REQUEST_TIMEOUT);
            if rc.is_err() {
                break; //  Interrupted
            }

            //  .split main body of client
            //  We use a Lazy Pirate strategy in the client. If there's no
            //  reply within our timeout, we close the socket and try again.
            //  In Binary Star, it's the client vote that decides which
            //  server is primary; the client must therefore try to connect
            //  to each server in turn:

            if items[0].is_readable() {
                //  We got a reply from the server, must match sequence
                let Some(reply) = zstr_recv(&client) else {
                    break; //  Interrupted
                };
                if atoi(&reply) == sequence {
                    printf("I: server replied OK (%s)\n", &[&reply]);
                    expect_reply = false;
                    zclock_sleep(1000); //  One request per second
                } else {
                    printf("E: bad reply from server: %s\n", &[&reply]);
                }
            } else {
                println!("W: no response from server, failing over");

                //  Old socket is confused; close it and open a new one
                zsocket_destroy(&ctx, client);
                server_nbr = (server_nbr + 1) % 2;
                zclock_sleep(SETTLE_DELAY);
                println!("I: connecting to server at {}...", server[server_nbr]);
                client = zsocket_new(&ctx, zmq::REQ)?;
                zsocket_connect(&client, server[server_nbr])?;

                //  Send request again, on new socket
                zstr_send(&client, &request)?;
            }
        }
    }
    drop(client);
    zctx_destroy(ctx);
    Ok(())
}

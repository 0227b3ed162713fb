//! Lazy Pirate client: a port of the zguide's `examples/C/lpclient.c` in
//! its czmq 2 form (commit 23e5f529, the listing the guide prints).
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`, and the reply is compared with `atoi` on its bytes
//! and printed byte for byte, as the C does. (The current C file, moved to
//! czmq 4's `zsock` API, returns after its first request; the guide's text
//! describes this loop.)

//  Lazy Pirate client
//  Use zmq_poll to do a safe request-reply
//  To run, start lpserver and then randomly kill/restart it

mod czmq;

use czmq::*;

const REQUEST_TIMEOUT: i64 = 2500; //  msecs, (> 1000!)
const REQUEST_RETRIES: i32 = 3; //  Before we abandon
const SERVER_ENDPOINT: &str = "tcp://localhost:5555";

fn main() -> Result<(), zmq::Error> {
    let ctx = zctx_new();
    println!("I: connecting to server...");
    let mut client = zsocket_new(&ctx, zmq::REQ)?;
    zsocket_connect(&client, SERVER_ENDPOINT)?;

    let mut sequence = 0;
    let mut retries_left = REQUEST_RETRIES;
    while retries_left != 0 && !zctx_interrupted() {
        //  We send a request, then we work to get a reply
        sequence += 1;
        let request = format!("{sequence}");
        zstr_send(&client, &request)?;

        let mut expect_reply = true;
        while expect_reply {
            //  Poll socket for a reply, with timeout
            let mut items = [client.as_poll_item(zmq::POLLIN)];
            let rc = zmq::poll(&mut items, REQUEST_TIMEOUT);
            if rc.is_err() {
                break; //  Interrupted
            }

            //  .split process server reply
            //  Here we process a server reply and exit our loop if the
            //  reply is valid. If we didn't receive a reply we close the client
            //  socket and resend the request. We try a number of times
            //  before finally abandoning:

            if items[0].is_readable() {
                //  We got a reply from the server, must match sequence
                let Some(reply) = zstr_recv(&client) else {
                    break; //  Interrupted
                };
                if atoi(&reply) == sequence {
                    printf("I: server replied OK (%s)\n", &[&reply]);
                    retries_left = REQUEST_RETRIES;
                    expect_reply = false;
                } else {
                    printf("E: malformed reply from server: %s\n", &[&reply]);
                }
            } else {
                retries_left -= 1;
                if retries_left == 0 {
                    println!("E: server seems to be offline, abandoning");
                    break;
                } else {
                    println!("W: no response from server, retrying...");
                    //  Old socket is confused; close it and open a new one
                    zsocket_destroy(&ctx, client);
                    println!("I: reconnecting to server...");
                    client = zsocket_new(&ctx, zmq::REQ)?;
                    zsocket_connect(&client, SERVER_ENDPOINT)?;
                    //  Send request again, on new socket
                    zstr_send(&client, &request)?;
                }
            }
        }
    }
    drop(client);
    zctx_destroy(ctx);
    Ok(())
}

//! Freelance client, model 2: a port of the zguide's
//! `examples/C/flclient2.c`.
//!
//! Differs from the C in that `flclient_t` is [`Flclient`], destroyed by
//! dropping it; libzmq errors, which the C ignores, are returned (and end
//! `main`); a reply that is not three frames, on which the C asserts, is
//! dropped like a reply to an older request; and the number of requests
//! (10000 in the C) can be lowered with the environment variable
//! `FLCLIENT_REQUESTS`, the average then still divides by 10 as the C's
//! does (which gives microseconds for 10000 requests only).

//  Freelance client - Model 2
//  Uses DEALER socket to blast one or more services

mod czmq;

use czmq::*;

//  If not a single service replies within this time, give up
const GLOBAL_TIMEOUT: i64 = 2500;

fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 1 {
        println!("I: syntax: {} <endpoint> ...", args[0]);
        return Ok(());
    }
    //  Create new freelance client object
    let mut client = flclient_new()?;

    //  Connect to each endpoint
    for endpoint in &args[1..] {
        flclient_connect(&mut client, endpoint)?;
    }

    //  Send a bunch of name resolution 'requests', measure time
    let mut requests = std::env::var("FLCLIENT_REQUESTS").ok().map_or(10000, atoi);
    let start = zclock_time();
    while requests > 0 {
        requests -= 1;
        let mut request = zmsg_new();
        zmsg_addstr(&mut request, "random name");
        let Some(reply) = flclient_request(&mut client, request)? else {
            println!("E: name service not available, aborting");
            break;
        };
        zmsg_destroy(reply);
    }
    printf("Average round trip cost: %d usec\n", &[&((zclock_time() - start) / 10)]);

    flclient_destroy(client);
    Ok(())
}

//  .split class implementation
//  Here is the {{flclient}} class implementation. Each instance has a
//  context, a DEALER socket it uses to talk to the servers, a counter
//  of how many servers it's connected to, and a request sequence number:

struct Flclient {
    ctx: ZCtx,           //  Our context wrapper
    socket: zmq::Socket, //  DEALER socket talking to servers
    servers: usize,      //  How many servers we have connected to
    sequence: u32,       //  Number of requests ever sent
}

//  Constructor

fn flclient_new() -> zmq::Result<Flclient> {
    let ctx = zctx_new();
    let socket = zsocket_new(&ctx, zmq::DEALER)?;
    Ok(Flclient { ctx, socket, servers: 0, sequence: 0 })
}

//  Destructor

fn flclient_destroy(this: Flclient) {
    let Flclient { ctx, socket, .. } = this;
    drop(socket);
    zctx_destroy(ctx);
}

//  Connect to new server endpoint

fn flclient_connect(this: &mut Flclient, endpoint: &str) -> zmq::Result<()> {
    zsocket_connect(&this.socket, endpoint)?;
    this.servers += 1;
    Ok(())
}

//  .split request method
//  This method does the hard work. It sends a request to all
//  connected servers in parallel (for this to work, all connections
//  must be successful and completed by this time). It then waits
//  for a single successful reply, and returns that to the caller.
//  Any other replies are just dropped:

fn flclient_request(this: &mut Flclient, mut request: ZMsg) -> zmq::Result<Option<ZMsg>> {
    //  Prefix request with sequence number and empty envelope
    this.sequence = this.sequence.wrapping_add(1);
    let sequence_text = sprintf("%u", &[&this.sequence]);
    zmsg_pushstr(&mut request, sequence_text);
    zmsg_pushstr(&mut request, "");

    //  Blast the request to all connected servers
    for _server in 0..this.servers {
        let msg = zmsg_dup(&request);
        zmsg_send(msg, &this.socket)?;
    }
    //  Wait for a matching reply to arrive from anywhere
    //  Since we can poll several times, calculate each one
    let mut reply = None;
    let endtime = zclock_time() + GLOBAL_TIMEOUT;
    while zclock_time() < endtime {
        let mut items = [this.socket.as_poll_item(zmq::POLLIN)];
        zmq::poll(&mut items, (endtime - zclock_time()).max(0))?;
        if items[0].is_readable() {
            //  Reply is [empty][sequence][OK]
            let Some(mut msg) = zmsg_recv(&this.socket) else {
                break; //  Interrupted
            };
            if zmsg_size(&msg) != 3 {
                continue; //  Not a reply from this protocol
            }
            zmsg_popstr(&mut msg);
            let sequence = zmsg_popstr(&mut msg).unwrap_or_default();
            let sequence_nbr = atoi(&sequence);
            if i64::from(sequence_nbr) == i64::from(this.sequence) {
                reply = Some(msg);
                break;
            }
            zmsg_destroy(msg);
        }
    }
    zmsg_destroy(request);
    Ok(reply)
}

//! Broker peering simulation (part 2): a port of the zguide's
//! `examples/C/peering2.c` in its czmq 2/3 form (the guide's revision
//! 1cc51438; later revisions rewrote it for czmq 4's actors).
//!
//! Differs from the C in that libzmq errors, which the C ignores, end
//! `main` (or the client or worker thread) through `?`; the broker's name
//! is handed to each thread (C: a static `self`); the endpoints are built
//! with `format!` (C: czmq's printf-style `zsocket_bind`/`zsocket_connect`)
//! and a name that is not UTF-8, which cannot be part of one, is refused
//! with an error; the worker queue is a `VecDeque` of identity frames (the
//! C's `zlist_t`); a message cut short by an interrupt, which the C reads
//! through a NULL pointer or asserts on, ends the loop; a worker message
//! with no frame after its envelope counts as a READY, and a reply with
//! no frames after the unwrapped envelope is dropped (the C reads through
//! NULL frames). As in the C, clients ask once a second for ever and the
//! broker runs until SIGINT or SIGTERM.
//! Like the C it uses `ipc://NAME-cloud.ipc`, `ipc://NAME-localfe.ipc` and
//! `ipc://NAME-localbe.ipc`, files in the current directory.
//! The main loop also ends once `zctx_interrupted` is set: a signal that
//! arrives while the loop is not inside `zmq_poll` interrupts nothing, and
//! with traffic flowing the C would go on for ever.

//  Broker peering simulation (part 2)
//  Prototypes the request-reply flow

mod czmq;

use czmq::*;
use std::collections::VecDeque;
use std::io::Read;

const NBR_CLIENTS: i32 = 10;
const NBR_WORKERS: i32 = 3;
const WORKER_READY: &[u8] = b"\x01"; //  Signals worker is ready

//  .split client task
//  The client task does a request-reply dialog using a standard
//  synchronous REQ socket:

fn client_task(this: String) {
    let _ = client_run(&this);
}

fn client_run(this: &str) -> zmq::Result<()> {
    let ctx = zctx_new();
    let client = zsocket_new(&ctx, zmq::REQ)?;
    zsocket_connect(&client, &format!("ipc://{this}-localfe.ipc"))?;

    loop {
        //  Send request, get reply
        zstr_send(&client, "HELLO")?;
        let Some(reply) = zstr_recv(&client) else {
            break; //  Interrupted
        };
        printf("Client: %s\n", &[&reply]);
        zclock_sleep(1000);
    }
    drop(client);
    zctx_destroy(ctx);
    Ok(())
}

//  .split worker task
//  The worker task plugs into the load-balancer using a REQ
//  socket:

fn worker_task(this: String) {
    let _ = worker_run(&this);
}

fn worker_run(this: &str) -> zmq::Result<()> {
    let ctx = zctx_new();
    let worker = zsocket_new(&ctx, zmq::REQ)?;
    zsocket_connect(&worker, &format!("ipc://{this}-localbe.ipc"))?;

    //  Tell broker we're ready for work
    let frame = zframe_new(WORKER_READY);
    zframe_send(frame, &worker, 0)?;

    //  Process messages as they arrive
    //  (until interrupted)
    while let Some(mut msg) = zmsg_recv(&worker) {
        if let Some(last) = zmsg_last(&mut msg) {
            zframe_print(last, Some("Worker: "));
            zframe_reset(last, b"OK");
        }
        zmsg_send(msg, &worker)?;
    }
    drop(worker);
    zctx_destroy(ctx);
    Ok(())
}

//  .split main task
//  The main task begins by setting-up its frontend and backend sockets
//  and then starting its client and worker tasks:

fn main() -> Result<(), Box<dyn std::error::Error>> {
    //  First argument is this broker's name
    //  Other arguments are our peers' names
    //
    let argv = std::env::args_os()
        .map(|arg| arg.into_string().map_err(|arg| format!("not UTF-8: {arg:?}")))
        .collect::<Result<Vec<String>, String>>()?;
    let argc = argv.len();
    if argc < 2 {
        printf("syntax: peering2 me {you}...\n", &[]);
        return Ok(());
    }
    let this = argv[1].clone();
    printf("I: preparing broker at %s...\n", &[&this]);
    srandom(time() as u32);

    let ctx = zctx_new();

    //  Bind cloud frontend to endpoint
    let cloudfe = zsocket_new(&ctx, zmq::ROUTER)?;
    zsocket_set_identity(&cloudfe, &this)?;
    zsocket_bind(&cloudfe, &format!("ipc://{this}-cloud.ipc"))?;

    //  Connect cloud backend to all peers
    let cloudbe = zsocket_new(&ctx, zmq::ROUTER)?;
    zsocket_set_identity(&cloudbe, &this)?;
    for peer in &argv[2..] {
        printf("I: connecting to cloud frontend at '%s'\n", &[peer]);
        zsocket_connect(&cloudbe, &format!("ipc://{peer}-cloud.ipc"))?;
    }
    //  Prepare local frontend and backend
    let localfe = zsocket_new(&ctx, zmq::ROUTER)?;
    zsocket_bind(&localfe, &format!("ipc://{this}-localfe.ipc"))?;
    let localbe = zsocket_new(&ctx, zmq::ROUTER)?;
    zsocket_bind(&localbe, &format!("ipc://{this}-localbe.ipc"))?;

    //  Get user to tell us when we can start...
    printf("Press Enter when all brokers are started: ", &[]);
    let _ = std::io::stdin().read(&mut [0u8; 1]);

    //  Start local workers
    for _worker_nbr in 0..NBR_WORKERS {
        zthread_new(worker_task, this.clone())?;
    }

    //  Start local clients
    for _client_nbr in 0..NBR_CLIENTS {
        zthread_new(client_task, this.clone())?;
    }

    // Interesting part
    //  .split request-reply handling
    //  Here, we handle the request-reply flow. We're using load-balancing
    //  to poll workers at all times, and clients only when there are one
    //  or more workers available.

    //  Least recently used queue of available workers
    let mut capacity = 0;
    let mut workers: VecDeque<ZFrame> = VecDeque::new();

    'broker: while !zctx_interrupted() {
        //  First, route any waiting replies from workers
        let mut backends = [localbe.as_poll_item(zmq::POLLIN), cloudbe.as_poll_item(zmq::POLLIN)];
        //  If we have no workers, wait indefinitely
        let rc = zmq::poll(&mut backends, if capacity > 0 { 1000 } else { -1 });
        if rc.is_err() {
            break; //  Interrupted
        }

        //  Handle reply from local worker
        let mut msg = None;
        if backends[0].is_readable() {
            let Some(mut reply) = zmsg_recv(&localbe) else {
                break; //  Interrupted
            };
            if let Some(identity) = zmsg_unwrap(&mut reply) {
                workers.push_back(identity);
                capacity += 1;
            }

            //  If it's READY, don't route the message any further
            let frame = zmsg_first(&mut reply);
            if frame.is_none_or(|frame| zframe_data(frame).starts_with(WORKER_READY)) {
                zmsg_destroy(reply);
            } else {
                msg = Some(reply);
            }
        }
        //  Or handle reply from peer broker
        else if backends[1].is_readable() {
            let Some(mut reply) = zmsg_recv(&cloudbe) else {
                break; //  Interrupted
            };
            //  We don't use peer broker identity for anything
            let identity = zmsg_unwrap(&mut reply);
            drop(identity);
            msg = Some(reply).filter(|reply| zmsg_size(reply) > 0);
        }
        //  Route reply to cloud if it's addressed to a broker
        for peer in &argv[2..] {
            let Some(mut reply) = msg.take() else {
                break;
            };
            if zmsg_first(&mut reply).is_some_and(|frame| zframe_data(frame) == peer.as_bytes()) {
                zmsg_send(reply, &cloudfe)?;
            } else {
                msg = Some(reply);
            }
        }
        //  Route reply to client if we still need to
        if let Some(reply) = msg.take() {
            zmsg_send(reply, &localfe)?;
        }

        //  .split route client requests
        //  Now we route as many client requests as we have worker capacity
        //  for. We may reroute requests from our local frontend, but not from
        //  the cloud frontend. We reroute randomly now, just to test things
        //  out. In the next version, we'll do this properly by calculating
        //  cloud capacity:

        while capacity > 0 {
            let mut frontends = [localfe.as_poll_item(zmq::POLLIN), cloudfe.as_poll_item(zmq::POLLIN)];
            if zmq::poll(&mut frontends, 0).is_err() {
                break 'broker; //  Interrupted
            }
            let reroutable;
            let request;
            //  We'll do peer brokers first, to prevent starvation
            if frontends[1].is_readable() {
                request = zmsg_recv(&cloudfe);
                reroutable = false;
            } else if frontends[0].is_readable() {
                request = zmsg_recv(&localfe);
                reroutable = true;
            } else {
                break; //  No work, go back to backends
            }
            let Some(mut request) = request else {
                break 'broker; //  Interrupted
            };

            //  If reroutable, send to cloud 20% of the time
            //  Here we'd normally use cloud status information
            //
            if reroutable && argc > 2 && randof(5) == 0 {
                //  Route to random broker peer
                let peer = randof(argc as i32 - 2) as usize + 2;
                zmsg_pushmem(&mut request, argv[peer].as_bytes());
                zmsg_send(request, &cloudbe)?;
            } else if let Some(frame) = workers.pop_front() {
                zmsg_wrap(&mut request, frame);
                zmsg_send(request, &localbe)?;
                capacity -= 1;
            }
        }
    }
    //  When we're done, clean up properly
    workers.clear();
    drop((cloudfe, cloudbe, localfe, localbe));
    zctx_destroy(ctx);
    Ok(())
}

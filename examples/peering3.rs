//! Broker peering simulation (part 3): a port of the zguide's
//! `examples/C/peering3.c`.
//!
//! Differs from the C in that libzmq errors, which the C ignores, end
//! `main` (or the client or worker thread) through `?`; the broker's name
//! is handed to each thread (C: a static `self`); the endpoints are built
//! with `format!` (C: czmq's printf-style `zsocket_bind`/`zsocket_connect`)
//! and a name that is not UTF-8, which cannot be part of one, is refused
//! with an error; the worker queue is a `VecDeque` of identity frames (the
//! C's `zlist_t`); a client that gets a reply other than its task id
//! reports "E: CLIENT EXIT - wrong reply" to the monitor and ends (C: an
//! assert aborts the process), and a client that ends leaves its sockets
//! open, as the C does by returning without `zctx_destroy`, so its last
//! report still reaches the monitor; a message cut short by an interrupt,
//! which the C reads through a NULL pointer or asserts on, ends the loop;
//! a worker message with no frame after its envelope counts as a READY,
//! and a reply with no frames after the unwrapped envelope is dropped (the
//! C reads through NULL frames). As in the C, the broker runs until SIGINT
//! or SIGTERM.
//! Like the C it uses `ipc://NAME-localfe.ipc`, `-localbe`, `-cloud`,
//! `-state` and `-monitor` files in the current directory.
//! The main loop also ends once `zctx_interrupted` is set: a signal that
//! arrives while the loop is not inside `zmq_poll` interrupts nothing, and
//! with traffic flowing the C would go on for ever.

//  Broker peering simulation (part 3)
//  Prototypes the full flow of status and tasks

mod czmq;

use czmq::*;
use std::collections::VecDeque;

const NBR_CLIENTS: i32 = 10;
const NBR_WORKERS: i32 = 5;
const WORKER_READY: &[u8] = b"\x01"; //  Signals worker is ready

//  .split client task
//  This is the client task. It issues a burst of requests and then
//  sleeps for a few seconds. This simulates sporadic activity; when
//  a number of clients are active at once, the local workers should
//  be overloaded. The client uses a REQ socket for requests and also
//  pushes statistics to the monitor socket:

fn client_task(this: String) {
    let _ = client_run(&this);
}

fn client_run(this: &str) -> zmq::Result<()> {
    let ctx = zctx_new();
    let client = zsocket_new(&ctx, zmq::REQ)?;
    zsocket_connect(&client, &format!("ipc://{this}-localfe.ipc"))?;
    let monitor = zsocket_new(&ctx, zmq::PUSH)?;
    zsocket_connect(&monitor, &format!("ipc://{this}-monitor.ipc"))?;

    'client: loop {
        zclock_sleep(i64::from(randof(5)) * 1000);
        let mut burst = randof(15);
        while burst > 0 {
            burst -= 1;
            let task_id = sprintf("%04X", &[&randof(0x10000)]);

            //  Send request with random hex ID
            zstr_send(&client, &task_id)?;

            //  Wait max ten seconds for a reply, then complain
            let mut pollset = [client.as_poll_item(zmq::POLLIN)];
            let rc = zmq::poll(&mut pollset, 10 * 1000);
            if rc.is_err() {
                break; //  Interrupted
            }

            if pollset[0].is_readable() {
                let Some(reply) = zstr_recv(&client) else {
                    break; //  Interrupted
                };
                //  Worker is supposed to answer us with our task id
                if !streq(&reply, &task_id) {
                    zstr_sendf(&monitor, "E: CLIENT EXIT - wrong reply %s to task %s", &[&reply, &task_id])?;
                    break 'client;
                }
                zstr_sendf(&monitor, "%s", &[&reply])?;
            } else {
                zstr_sendf(&monitor, "E: CLIENT EXIT - lost task %s", &[&task_id])?;
                break 'client;
            }
        }
    }
    //  As in the C, the sockets stay open, so the last report is delivered
    std::mem::forget((client, monitor, ctx));
    Ok(())
}

//  .split worker task
//  This is the worker task, which uses a REQ socket to plug into the
//  load-balancer. It's the same stub worker task that you've seen in
//  other examples:

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
    while let Some(msg) = zmsg_recv(&worker) {
        //  Workers are busy for 0/1 seconds
        zclock_sleep(i64::from(randof(2)) * 1000);
        zmsg_send(msg, &worker)?;
    }
    drop(worker);
    zctx_destroy(ctx);
    Ok(())
}

//  .split main task
//  The main task begins by setting up all its sockets. The local frontend
//  talks to clients, and our local backend talks to workers. The cloud
//  frontend talks to peer brokers as if they were clients, and the cloud
//  backend talks to peer brokers as if they were workers. The state
//  backend publishes regular state messages, and the state frontend
//  subscribes to all state backends to collect these messages. Finally,
//  we use a PULL monitor socket to collect printable messages from tasks:

fn main() -> Result<(), Box<dyn std::error::Error>> {
    //  First argument is this broker's name
    //  Other arguments are our peers' names
    let argv = std::env::args_os()
        .map(|arg| arg.into_string().map_err(|arg| format!("not UTF-8: {arg:?}")))
        .collect::<Result<Vec<String>, String>>()?;
    let argc = argv.len();
    if argc < 2 {
        printf("syntax: peering3 me {you}...\n", &[]);
        return Ok(());
    }
    let this = argv[1].clone();
    printf("I: preparing broker at %s...\n", &[&this]);
    srandom(time() as u32);

    //  Prepare local frontend and backend
    let ctx = zctx_new();
    let localfe = zsocket_new(&ctx, zmq::ROUTER)?;
    zsocket_bind(&localfe, &format!("ipc://{this}-localfe.ipc"))?;

    let localbe = zsocket_new(&ctx, zmq::ROUTER)?;
    zsocket_bind(&localbe, &format!("ipc://{this}-localbe.ipc"))?;

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
    //  Bind state backend to endpoint
    let statebe = zsocket_new(&ctx, zmq::PUB)?;
    zsocket_bind(&statebe, &format!("ipc://{this}-state.ipc"))?;

    //  Connect state frontend to all peers
    let statefe = zsocket_new(&ctx, zmq::SUB)?;
    zsocket_set_subscribe(&statefe, "")?;
    for peer in &argv[2..] {
        printf("I: connecting to state backend at '%s'\n", &[peer]);
        zsocket_connect(&statefe, &format!("ipc://{peer}-state.ipc"))?;
    }
    //  Prepare monitor socket
    let monitor = zsocket_new(&ctx, zmq::PULL)?;
    zsocket_bind(&monitor, &format!("ipc://{this}-monitor.ipc"))?;

    //  .split start child tasks
    //  After binding and connecting all our sockets, we start our child
    //  tasks - workers and clients:

    for _worker_nbr in 0..NBR_WORKERS {
        zthread_new(worker_task, this.clone())?;
    }

    //  Start local clients
    for _client_nbr in 0..NBR_CLIENTS {
        zthread_new(client_task, this.clone())?;
    }

    //  Queue of available workers
    let mut local_capacity = 0;
    let mut cloud_capacity = 0;
    let mut workers: VecDeque<ZFrame> = VecDeque::new();

    //  .split main loop
    //  The main loop has two parts. First, we poll workers and our two service
    //  sockets (statefe and monitor), in any case. If we have no ready workers,
    //  then there's no point in looking at incoming requests. These can remain
    //  on their internal 0MQ queues:

    'broker: while !zctx_interrupted() {
        let mut primary = [
            localbe.as_poll_item(zmq::POLLIN),
            cloudbe.as_poll_item(zmq::POLLIN),
            statefe.as_poll_item(zmq::POLLIN),
            monitor.as_poll_item(zmq::POLLIN),
        ];
        //  If we have no workers ready, wait indefinitely
        let rc = zmq::poll(&mut primary, if local_capacity > 0 { 1000 } else { -1 });
        if rc.is_err() {
            break; //  Interrupted
        }

        //  Track if capacity changes during this iteration
        let previous = local_capacity;
        let mut msg = None; //  Reply from local worker

        if primary[0].is_readable() {
            let Some(mut reply) = zmsg_recv(&localbe) else {
                break; //  Interrupted
            };
            if let Some(identity) = zmsg_unwrap(&mut reply) {
                workers.push_back(identity);
                local_capacity += 1;
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
        else if primary[1].is_readable() {
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

        //  .split handle state messages
        //  If we have input messages on our statefe or monitor sockets, we
        //  can process these immediately:

        if primary[2].is_readable() {
            let peer = zstr_recv(&statefe);
            let status = zstr_recv(&statefe);
            cloud_capacity = atoi(status.unwrap_or_default());
            drop(peer);
        }
        if primary[3].is_readable() {
            if let Some(status) = zstr_recv(&monitor) {
                printf("%s\n", &[&status]);
            }
        }
        //  .split route client requests
        //  Now route as many clients requests as we can handle. If we have
        //  local capacity, we poll both localfe and cloudfe. If we have cloud
        //  capacity only, we poll just localfe. We route any request locally
        //  if we can, else we route to the cloud.

        while local_capacity + cloud_capacity != 0 {
            let mut secondary = [localfe.as_poll_item(zmq::POLLIN), cloudfe.as_poll_item(zmq::POLLIN)];
            let rc = if local_capacity > 0 { zmq::poll(&mut secondary, 0) } else { zmq::poll(&mut secondary[..1], 0) };
            if rc.is_err() {
                break 'broker; //  Interrupted
            }

            let request = if secondary[0].is_readable() {
                zmsg_recv(&localfe)
            } else if secondary[1].is_readable() {
                zmsg_recv(&cloudfe)
            } else {
                break; //  No work, go back to primary
            };
            let Some(mut request) = request else {
                break 'broker; //  Interrupted
            };

            if local_capacity > 0 {
                if let Some(frame) = workers.pop_front() {
                    zmsg_wrap(&mut request, frame);
                }
                zmsg_send(request, &localbe)?;
                local_capacity -= 1;
            } else {
                //  Route to random broker peer
                let peer = randof(argc as i32 - 2) as usize + 2;
                if let Some(peer) = argv.get(peer) {
                    zmsg_pushmem(&mut request, peer.as_bytes());
                    zmsg_send(request, &cloudbe)?;
                }
            }
        }
        //  .split broadcast capacity
        //  We broadcast capacity messages to other peers; to reduce chatter,
        //  we do this only if our capacity changed.

        if local_capacity != previous {
            //  We stick our own identity onto the envelope
            zstr_sendm(&statebe, &this)?;
            //  Broadcast new capacity
            zstr_sendf(&statebe, "%d", &[&local_capacity])?;
        }
    }
    //  When we're done, clean up properly
    workers.clear();
    drop((localfe, localbe, cloudfe, cloudbe, statebe, statefe, monitor));
    zctx_destroy(ctx);
    Ok(())
}

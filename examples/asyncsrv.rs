//! Asynchronous client-to-server (DEALER to ROUTER): a port of the zguide's
//! `examples/C/asyncsrv.c` in its czmq 2/3 form (the guide's revision
//! bfc4223e; later revisions rewrote it for czmq 4's actors).
//!
//! Differs from the C in that libzmq errors, which the C ignores, end the
//! task that meets them (through `?`), and the threads get `()` for the
//! C's unused `void *args`; the client's identity buffer is a `Vec<u8>`
//! (C: `char [10]`, which its nine characters and NUL fill); and a server
//! worker ends when its receive fails (the context is gone), where the C
//! reads on through a NULL message, and drops a message without content
//! where the C asserts. As in the C, `main` returns after five seconds
//! without stopping the threads, and the replies are printed on stderr by
//! `zframe_print`.

//  Asynchronous client-to-server (DEALER to ROUTER)
//
//  While this example runs in a single process, that is to make
//  it easier to start and stop the example. Each task has its own
//  context and conceptually acts as a separate process.

mod czmq;

use czmq::*;

//  This is our client task
//  It connects to the server, and then sends a request once per second
//  It collects responses as they arrive, and it prints them out. We will
//  run several client tasks in parallel, each with a different random ID.

fn client_task(_args: ()) {
    let _ = client_run();
}

#[allow(unreachable_code)]
fn client_run() -> zmq::Result<()> {
    let ctx = zctx_new();
    let client = zsocket_new(&ctx, zmq::DEALER)?;

    //  Set random identity to make tracing easier
    let identity = sprintf("%04X-%04X", &[&randof(0x10000), &randof(0x10000)]);
    zsocket_set_identity(&client, &identity)?;
    zsocket_connect(&client, "tcp://localhost:5570")?;

    let identity = String::from_utf8_lossy(&identity).into_owned();
    let mut request_nbr = 0;
    loop {
        //  Tick once per second, pulling in arriving messages
        for _centitick in 0..100 {
            let mut items = [client.as_poll_item(zmq::POLLIN)];
            zmq::poll(&mut items, 10)?;
            if items[0].is_readable() {
                if let Some(mut msg) = zmsg_recv(&client) {
                    if let Some(last) = zmsg_last(&mut msg) {
                        zframe_print(last, Some(&identity));
                    }
                    zmsg_destroy(msg);
                }
            }
        }
        request_nbr += 1;
        zstr_sendf(&client, "request #%d", &[&request_nbr])?;
    }
    zctx_destroy(ctx);
    Ok(())
}

//  .split server task
//  This is our server task.
//  It uses the multithreaded server model to deal requests out to a pool
//  of workers and route replies back to clients. One worker can handle
//  one request at a time but one client can talk to multiple workers at
//  once.

fn server_task(_args: ()) {
    let _ = server_run();
}

fn server_run() -> zmq::Result<()> {
    //  Frontend socket talks to clients over TCP
    let ctx = zctx_new();
    let frontend = zsocket_new(&ctx, zmq::ROUTER)?;
    zsocket_bind(&frontend, "tcp://*:5570")?;

    //  Backend socket talks to workers over inproc
    let backend = zsocket_new(&ctx, zmq::DEALER)?;
    zsocket_bind(&backend, "inproc://backend")?;

    //  Launch pool of worker threads, precise number is not critical
    let mut pipes = Vec::new();
    for _thread_nbr in 0..5 {
        pipes.push(zthread_fork(&ctx, server_worker, ())?);
    }

    //  Connect backend to frontend via a proxy
    let _ = zmq::proxy(&frontend, &backend);

    drop(pipes);
    zctx_destroy(ctx);
    Ok(())
}

//  .split worker task
//  Each worker task works on one request at a time and sends a random number
//  of replies back, with random delays between replies:

fn server_worker(_args: (), ctx: &ZCtx, _pipe: &zmq::Socket) {
    let Ok(worker) = zsocket_new(ctx, zmq::DEALER) else {
        return;
    };
    if zsocket_connect(&worker, "inproc://backend").is_err() {
        return;
    }

    loop {
        //  The DEALER socket gives us the reply envelope and message
        let Some(mut msg) = zmsg_recv(&worker) else {
            return; //  The context is gone
        };
        let identity = zmsg_pop(&mut msg);
        let content = zmsg_pop(&mut msg);
        zmsg_destroy(msg);
        let (Some(identity), Some(content)) = (identity, content) else {
            continue; //  No content to send back
        };

        //  Send 0..4 replies back
        let replies = randof(5);
        for _reply in 0..replies {
            //  Sleep for some fraction of a second
            zclock_sleep(i64::from(randof(1000) + 1));
            let _ = zframe_send(&identity, &worker, ZFRAME_REUSE + ZFRAME_MORE);
            let _ = zframe_send(&content, &worker, ZFRAME_REUSE);
        }
        zframe_destroy(identity);
        zframe_destroy(content);
    }
}

//  The main thread simply starts several clients and a server, and then
//  waits for the server to finish.

fn main() -> std::io::Result<()> {
    zthread_new(client_task, ())?;
    zthread_new(client_task, ())?;
    zthread_new(client_task, ())?;
    zthread_new(server_task, ())?;
    zclock_sleep(5 * 1000); //  Run for 5 seconds then quit
    Ok(())
}

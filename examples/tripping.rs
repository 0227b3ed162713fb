//! Round-trip demonstrator: a port of the zguide's `examples/C/tripping.c`.
//!
//! Differs from the C in that libzmq errors, which the C ignores, end the
//! task that meets them (the client's then tells main it is done, so the
//! process ends rather than waits); the calls/second divide by at least
//! one millisecond (the C divides by zero on a run under 1 ms); and the
//! broker's `zmq_proxy` is `zmq::proxy`.

//  Round-trip demonstrator
//  While this example runs in a single process, that is just to make
//  it easier to start and stop the example. The client task signals to
//  main when it's ready.

mod czmq;

use czmq::*;

fn client_task(_args: (), ctx: &ZCtx, pipe: &zmq::Socket) {
    if let Err(error) = s_client_rounds(ctx) {
        println!("E: client: {error}");
    }
    let _ = zstr_send(pipe, "done");
}

//  The client's two tests; errors end them
fn s_client_rounds(ctx: &ZCtx) -> zmq::Result<()> {
    let client = zsocket_new(ctx, zmq::DEALER)?;
    zsocket_connect(&client, "tcp://localhost:5555")?;
    println!("Setting up test...");
    zclock_sleep(100);

    println!("Synchronous round-trip test...");
    let start = zclock_time();
    for _requests in 0..10000 {
        zstr_send(&client, "hello")?;
        let reply = client.recv_bytes(0)?;
        drop(reply);
    }
    println!(" {} calls/second", (1000 * 10000) / (zclock_time() - start).max(1));

    println!("Asynchronous round-trip test...");
    let start = zclock_time();
    for _requests in 0..100000 {
        zstr_send(&client, "hello")?;
    }
    for _requests in 0..100000 {
        let reply = client.recv_bytes(0)?;
        drop(reply);
    }
    println!(" {} calls/second", (1000 * 100000) / (zclock_time() - start).max(1));
    Ok(())
}

//  .split worker task
//  Here is the worker task. All it does is receive a message, and
//  bounce it back the way it came:

fn worker_task(_args: ()) {
    let ctx = zctx_new();
    let Ok(worker) = zsocket_new(&ctx, zmq::DEALER) else {
        return;
    };
    if zsocket_connect(&worker, "tcp://localhost:5556").is_err() {
        return;
    }

    //  zmsg_recv returns None when interrupted
    while let Some(msg) = zmsg_recv(&worker) {
        if zmsg_send(msg, &worker).is_err() {
            break;
        }
    }
    drop(worker);
    zctx_destroy(ctx);
}

//  .split broker task
//  Here is the broker task. It uses the {{zmq_proxy}} function to switch
//  messages between frontend and backend:

fn broker_task(_args: ()) {
    //  Prepare our context and sockets
    let ctx = zctx_new();
    let Ok(frontend) = zsocket_new(&ctx, zmq::DEALER) else {
        return;
    };
    if zsocket_bind(&frontend, "tcp://*:5555").is_err() {
        return;
    }
    let Ok(backend) = zsocket_new(&ctx, zmq::DEALER) else {
        return;
    };
    if zsocket_bind(&backend, "tcp://*:5556").is_err() {
        return;
    }
    let _ = zmq::proxy(&frontend, &backend);
    drop((frontend, backend));
    zctx_destroy(ctx);
}

//  .split main task
//  Finally, here's the main task, which starts the client, worker, and
//  broker, and then runs until the client signals it to stop:

fn main() -> Result<(), zmq::Error> {
    //  Create threads
    let ctx = zctx_new();
    let client = zthread_fork(&ctx, client_task, ())?;
    zthread_new(worker_task, ()).map_err(|_| zmq::Error::EMFILE)?;
    zthread_new(broker_task, ()).map_err(|_| zmq::Error::EMFILE)?;

    //  Wait for signal on client pipe
    let signal = zstr_recv(&client);
    drop(signal);

    drop(client);
    zctx_destroy(ctx);
    Ok(())
}

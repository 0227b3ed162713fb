//! Espresso Pattern: a port of the zguide's `examples/C/espresso.c`.
//!
//! Differs from the C in that libzmq errors, which the C ignores, end the
//! thread that meets them (through `?`), and the threads get `()` for the
//! C's unused `void *args`. As in the C, the listener prints what the proxy
//! captures with `zframe_print` (on stderr), and SIGINT ends the proxy,
//! after which `main` prints " interrupted" and returns.

//  Espresso Pattern
//  This shows how to capture data using a pub-sub proxy

mod czmq;

use czmq::*;

//  The subscriber thread requests messages starting with
//  A and B, then reads and counts incoming messages.

fn subscriber_thread(_args: (), ctx: &ZCtx, _pipe: &zmq::Socket) {
    let _ = subscriber_run(ctx);
}

fn subscriber_run(ctx: &ZCtx) -> zmq::Result<()> {
    //  Subscribe to "A" and "B"
    let subscriber = zsocket_new(ctx, zmq::SUB)?;
    zsocket_connect(&subscriber, "tcp://localhost:6001")?;
    zsocket_set_subscribe(&subscriber, "A")?;
    zsocket_set_subscribe(&subscriber, "B")?;

    let mut count = 0;
    while count < 5 {
        let Some(string) = zstr_recv(&subscriber) else {
            break; //  Interrupted
        };
        drop(string);
        count += 1;
    }
    zsocket_destroy(ctx, subscriber);
    Ok(())
}

//  .split publisher thread
//  The publisher sends random messages starting with A-J:

fn publisher_thread(_args: (), ctx: &ZCtx, _pipe: &zmq::Socket) {
    let _ = publisher_run(ctx);
}

fn publisher_run(ctx: &ZCtx) -> zmq::Result<()> {
    let publisher = zsocket_new(ctx, zmq::PUB)?;
    zsocket_bind(&publisher, "tcp://*:6000")?;

    while !zctx_interrupted() {
        let string = sprintf("%c-%05d", &[&(randof(10) + i32::from(b'A')), &randof(100000)]);
        if zstr_send(&publisher, &string).is_err() {
            break; //  Interrupted
        }
        zclock_sleep(100); //  Wait for 1/10th second
    }
    Ok(())
}

//  .split listener thread
//  The listener receives all messages flowing through the proxy, on its
//  pipe. In CZMQ, the pipe is a pair of ZMQ_PAIR sockets that connect
//  attached child threads. In other languages your mileage may vary:

fn listener_thread(_args: (), _ctx: &ZCtx, pipe: &zmq::Socket) {
    //  Print everything that arrives on pipe
    //  (until interrupted)
    while let Some(frame) = zframe_recv(pipe) {
        zframe_print(&frame, None);
        zframe_destroy(frame);
    }
}

//  .split main thread
//  The main task starts the subscriber and publisher, and then sets
//  itself up as a listening proxy. The listener runs as a child thread:

fn main() -> Result<(), zmq::Error> {
    //  Start child threads
    let ctx = zctx_new();
    let publisher_pipe = zthread_fork(&ctx, publisher_thread, ())?;
    let subscriber_pipe = zthread_fork(&ctx, subscriber_thread, ())?;

    let mut subscriber = zsocket_new(&ctx, zmq::XSUB)?;
    zsocket_connect(&subscriber, "tcp://localhost:6000")?;
    let mut publisher = zsocket_new(&ctx, zmq::XPUB)?;
    zsocket_bind(&publisher, "tcp://*:6001")?;
    let mut listener = zthread_fork(&ctx, listener_thread, ())?;
    let _ = zmq::proxy_with_capture(&mut subscriber, &mut publisher, &mut listener);

    printf(" interrupted\n", &[]);
    //  Tell attached threads to exit
    drop((publisher_pipe, subscriber_pipe, subscriber, publisher, listener));
    zctx_destroy(ctx);
    Ok(())
}

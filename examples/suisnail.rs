//! Suicidal Snail: a port of the zguide's `examples/C/suisnail.c`.
//!
//! Differs from the C in that libzmq errors, which the C ignores, end the
//! task that meets them; the threads get `()` for the C's unused
//! `void *args`; the subscriber also ends (with "E: bad timestamp" on
//! stderr) on a message that is not a number, where the C asserts, and
//! when its receive fails (the C prints a NULL string); the timestamp is
//! read as `sscanf`'s `%" PRId64 "` reads it: leading spaces, a sign and
//! digits, the rest ignored.

//  Suicidal Snail

mod czmq;

use czmq::*;

//  This is our subscriber. It connects to the publisher and subscribes
//  to everything. It sleeps for a short time between messages to
//  simulate doing too much work. If a message is more than one second
//  late, it croaks.

const MAX_ALLOWED_DELAY: i64 = 1000; //  msecs

/// The number at the start of `text` (after spaces), as `sscanf ("%ld")`
/// reads it, or `None` where it finds none.
fn s_scan_i64(text: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(text).ok()?.trim_start();
    let end = text
        .char_indices()
        .find(|&(index, char)| !(char.is_ascii_digit() || (index == 0 && (char == '-' || char == '+'))))
        .map_or(text.len(), |(index, _)| index);
    text[..end].parse().ok()
}

fn subscriber(_args: (), ctx: &ZCtx, pipe: &zmq::Socket) {
    let _ = subscriber_run(ctx);
    let _ = zstr_send(pipe, "gone and died");
}

fn subscriber_run(ctx: &ZCtx) -> zmq::Result<()> {
    //  Subscribe to everything
    let subscriber = zsocket_new(ctx, zmq::SUB)?;
    zsocket_set_subscribe(&subscriber, "")?;
    zsocket_connect(&subscriber, "tcp://localhost:5556")?;

    //  Get and process messages
    while let Some(string) = zstr_recv(&subscriber) {
        printf("%s\n", &[&string]);
        let Some(clock) = s_scan_i64(&string) else {
            s_write_or_die(std::io::Write::write_all(&mut std::io::stderr(), b"E: bad timestamp\n"));
            break;
        };

        //  Suicide snail logic
        if zclock_time() - clock > MAX_ALLOWED_DELAY {
            s_write_or_die(std::io::Write::write_all(
                &mut std::io::stderr(),
                b"E: subscriber cannot keep up, aborting\n",
            ));
            break;
        }
        //  Work for 1 msec plus some random additional time
        zclock_sleep(i64::from(1 + randof(2)));
    }
    Ok(())
}

//  .split publisher task
//  This is our publisher task. It publishes a time-stamped message to its
//  PUB socket every millisecond:

fn publisher(_args: (), ctx: &ZCtx, pipe: &zmq::Socket) {
    let _ = publisher_run(ctx, pipe);
}

fn publisher_run(ctx: &ZCtx, pipe: &zmq::Socket) -> zmq::Result<()> {
    //  Prepare publisher
    let publisher = zsocket_new(ctx, zmq::PUB)?;
    zsocket_bind(&publisher, "tcp://*:5556")?;

    loop {
        //  Send current clock (msecs) to subscribers
        let string = sprintf("%ld", &[&zclock_time()]);
        zstr_send(&publisher, &string)?;
        let signal = zstr_recv_nowait(pipe);
        if signal.is_some() {
            break;
        }
        zclock_sleep(1); //  1msec wait
    }
    Ok(())
}

//  .split main task
//  The main task simply starts a client and a server, and then
//  waits for the client to signal that it has died:

fn main() -> Result<(), zmq::Error> {
    let ctx = zctx_new();
    let pubpipe = zthread_fork(&ctx, publisher, ())?;
    let subpipe = zthread_fork(&ctx, subscriber, ())?;
    drop(zstr_recv(&subpipe));
    zstr_send(&pubpipe, "break")?;
    zclock_sleep(100);
    drop((pubpipe, subpipe));
    zctx_destroy(ctx);
    Ok(())
}

//! File transfer model #1: a port of the zguide's `examples/C/fileio1.c`.
//!
//! Differs from the C in that:
//! - a missing `testdata` file ends the process with a message and exit
//!   status 1 (the C's `assert` aborts);
//! - a libzmq error, which the C ignores, ends the thread that met it with a
//!   message on stderr; if that is the client thread, the process exits with
//!   status 1 (the main task would wait for it for ever); a server whose
//!   port is taken so leaves the client to whatever listens there, as the C
//!   does;
//! - a request whose command is not "fetch" (the C asserts) is reported
//!   and skipped;
//! - each chunk is read into a buffer the size of what was read, which the
//!   frame then owns (the C copies a `malloc`ed chunk and leaks it).

//  File Transfer model #1
//
//  In which the server sends the entire file to the client in
//  large chunks with no attempt at flow control.

mod czmq;

use czmq::*;
use std::fs::File;
use std::io::Read;
use std::process;

const CHUNK_SIZE: usize = 250000;

#[allow(clippy::while_let_loop)] //  The C's loop, with its break
fn client_thread(_args: (), ctx: &ZCtx, pipe: &zmq::Socket) -> zmq::Result<()> {
    let dealer = zsocket_new(ctx, zmq::DEALER)?;
    zsocket_connect(&dealer, "tcp://127.0.0.1:6000")?;

    zstr_send(&dealer, "fetch")?;
    let mut total = 0; //  Total bytes received
    let mut chunks = 0; //  Total chunks received

    loop {
        let Some(frame) = zframe_recv(&dealer) else {
            break; //  Shutting down, quit
        };
        chunks += 1;
        let size = zframe_size(&frame);
        zframe_destroy(frame);
        total += size;
        if size == 0 {
            break; //  Whole file received
        }
    }
    printf("%zd chunks received, %zd bytes\n", &[&chunks, &total]);
    zstr_send(pipe, "OK")
}

//  .split File server thread
//  The server thread reads the file from disk in chunks, and sends
//  each chunk to the client as a separate message. We only have one
//  test file, so open that once and then serve it out as needed:

#[allow(clippy::while_let_loop)] //  The C's loop, with its break
fn server_thread(_args: (), ctx: &ZCtx, _pipe: &zmq::Socket) -> zmq::Result<()> {
    let mut file = File::open("testdata").unwrap_or_else(|error| {
        eprintln!("E: cannot open testdata: {error}");
        process::exit(1)
    });

    let router = zsocket_new(ctx, zmq::ROUTER)?;
    //  Default HWM is 1000, which will drop messages here
    //  because we send more than 1,000 chunks of test data,
    //  so set an infinite HWM as a simple, stupid solution:
    zsocket_set_hwm(&router, 0)?;
    zsocket_bind(&router, "tcp://*:6000")?;
    loop {
        //  First frame in each message is the sender identity
        let Some(identity) = zframe_recv(&router) else {
            break; //  Shutting down, quit
        };

        //  Second frame is "fetch" command
        let command = zstr_recv(&router);
        if !command.is_some_and(|command| streq(command, "fetch")) {
            eprintln!("E: invalid command, expected \"fetch\"");
            continue;
        }

        loop {
            let mut data = Vec::with_capacity(CHUNK_SIZE);
            //  A read error ends the file, as fread's short count does
            let _ = (&mut file).take(CHUNK_SIZE as u64).read_to_end(&mut data);
            let size = data.len();
            let chunk = zframe_from(data);
            zframe_send(&identity, &router, ZFRAME_REUSE + ZFRAME_MORE)?;
            zframe_send(chunk, &router, 0)?;
            if size == 0 {
                break; //  Always end with a zero-size frame
            }
        }
        zframe_destroy(identity);
    }
    Ok(())
}

//  .split File main thread
//  The main task starts the client and server threads; it's easier
//  to test this as a single process with threads, than as multiple
//  processes:

fn main() -> Result<(), zmq::Error> {
    //  Start child threads
    let ctx = zctx_new();
    zthread_fork(
        &ctx,
        |args, ctx, pipe| {
            if let Err(error) = server_thread(args, ctx, pipe) {
                eprintln!("E: server thread: {error}");
            }
        },
        (),
    )?;
    let client = zthread_fork(
        &ctx,
        |args, ctx, pipe| {
            if let Err(error) = client_thread(args, ctx, pipe) {
                eprintln!("E: client thread: {error}");
                process::exit(1);
            }
        },
        (),
    )?;
    //  Loop until client tells us it's done
    let string = zstr_recv(&client);
    drop(string);
    //  Kill server thread
    zctx_destroy(ctx);
    Ok(())
}

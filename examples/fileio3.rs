//! File transfer model #3: a port of the zguide's `examples/C/fileio3.c`.
//!
//! Differs from the C in that:
//! - a missing `testdata` file ends the process with a message and exit
//!   status 1 (the C's `assert` aborts);
//! - a libzmq error, which the C ignores, ends the thread that met it with a
//!   message on stderr; if that is the client thread, the process exits with
//!   status 1 (the main task would wait for it for ever); a server whose
//!   port is taken so leaves the client to whatever listens there, as the C
//!   does;
//! - a request that is not "fetch", an offset and a size (the C asserts, or
//!   reads past a missing frame) is reported and skipped;
//! - a chunk is read into a buffer the size of what was read, which the
//!   frame then owns: a request for a huge size cannot exhaust memory (the
//!   C `malloc`s the size asked for, asserts it succeeded, and leaks it).
//!
//! Like the C, it sets the server's HWM to `PIPELINE * 2` as a sanity check
//! that should never be hit, and like the C on libzmq 3 and later it is hit
//! on a large file: a ROUTER drops what it cannot queue, and its sending
//! side learns that the client has read its messages only when it handles
//! libzmq's commands, which a socket receiving a steady stream of requests
//! does once per 100 frames. Over the 1 GiB `testdata` of `mktestdata` the
//! client then misses chunks: in 10 runs here every transfer came up short
//! (about 4288 of 4295 chunks) and 4 of them waited for ever for a dropped
//! last chunk. The files of a few megabytes the guide talks about pass.

//  File Transfer model #3
//
//  In which the client requests each chunk individually, using
//  command pipelining to give us a credit-based flow control.

mod czmq;

use czmq::*;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::process;

const CHUNK_SIZE: usize = 250000;
const PIPELINE: usize = 10;

fn client_thread(_args: (), ctx: &ZCtx, pipe: &zmq::Socket) -> zmq::Result<()> {
    let dealer = zsocket_new(ctx, zmq::DEALER)?;
    zsocket_connect(&dealer, "tcp://127.0.0.1:6000")?;

    //  Up to this many chunks in transit
    let mut credit = PIPELINE;

    let mut total = 0; //  Total bytes received
    let mut chunks = 0; //  Total chunks received
    let mut offset = 0; //  Offset of next chunk request

    loop {
        while credit != 0 {
            //  Ask for next chunk
            zstr_sendm(&dealer, "fetch")?;
            zstr_sendfm(&dealer, "%ld", &[&offset])?;
            zstr_sendf(&dealer, "%ld", &[&CHUNK_SIZE])?;
            offset += CHUNK_SIZE;
            credit -= 1;
        }
        let Some(chunk) = zframe_recv(&dealer) else {
            break; //  Shutting down, quit
        };
        chunks += 1;
        credit += 1;
        let size = zframe_size(&chunk);
        zframe_destroy(chunk);
        total += size;
        if size < CHUNK_SIZE {
            break; //  Last chunk received; exit
        }
    }
    printf("%zd chunks received, %zd bytes\n", &[&chunks, &total]);
    zstr_send(pipe, "OK")
}

//  The rest of the code is exactly the same as in model 2, except
//  that we set the HWM on the server's ROUTER socket to PIPELINE
//  to act as a sanity check.
//  .skip

//  The server thread waits for a chunk request from a client,
//  reads that chunk and sends it back to the client:

#[allow(clippy::while_let_loop)] //  The C's loop, with its break
fn server_thread(_args: (), ctx: &ZCtx, _pipe: &zmq::Socket) -> zmq::Result<()> {
    let mut file = File::open("testdata").unwrap_or_else(|error| {
        eprintln!("E: cannot open testdata: {error}");
        process::exit(1)
    });

    let router = zsocket_new(ctx, zmq::ROUTER)?;
    //  We have two parts per message so HWM is PIPELINE * 2
    zsocket_set_hwm(&router, (PIPELINE * 2) as i32)?;
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

        //  Third frame is chunk offset in file
        let Some(offset_str) = zstr_recv(&router) else {
            eprintln!("E: request without an offset");
            continue;
        };
        //  Converted as C converts an int to size_t
        let offset = atoi(offset_str) as usize;

        //  Fourth frame is maximum chunk size
        let Some(chunksz_str) = zstr_recv(&router) else {
            eprintln!("E: request without a chunk size");
            continue;
        };
        let chunksz = atoi(chunksz_str) as usize;

        //  Read chunk of data from file
        //  (a failed seek leaves the position unchanged, as fseek's does)
        let _ = file.seek(SeekFrom::Start(offset as u64));
        let mut data = Vec::new();

        //  Send resulting chunk to client
        //  (a read error ends the chunk, as fread's short count does)
        let _ = (&mut file).take(chunksz as u64).read_to_end(&mut data);
        let chunk = zframe_from(data);
        zframe_send(identity, &router, ZFRAME_MORE)?;
        zframe_send(chunk, &router, 0)?;
    }
    Ok(())
}

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
//  .until

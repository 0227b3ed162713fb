//! Decentralized chat: a port of the zguide's `examples/C/dechat.c`.
//!
//! Usage: `dechat ipaddress interface username`, e.g.
//! `dechat 192.168.55.123 eth0 joe`: a SUB connects to port 9000 on every
//! address 1..254 of the first address's /24 (its own included, so a
//! user sees their own lines too), a PUB binds port 9000 on the interface,
//! and each line typed on stdin goes to all as "username: line".
//!
//! Differs from the C: `fgets` is a small twin over std's locked stdin
//! (lines of at most 1023 bytes, a longer one in pieces, as C's); a failed
//! connect (the C's `assert (rc == 0)`) prints the error and exits with
//! status 1; what
//! the listener prints is written at once (C's stdout, a pipe, would hold
//! it in its buffer until 4 KiB or the exit); the arguments are bytes
//! (`args_os`), as C's `argv`.

//  Decentralized chat example
//

mod czmq;

use czmq::*;
use std::ffi::OsString;
use std::io::{self, BufRead};
use std::os::unix::ffi::OsStringExt;

fn listener_task(args: Vec<u8>, ctx: &ZCtx, _pipe: &zmq::Socket) {
    let Ok(listener) = zsocket_new(ctx, zmq::SUB) else { return };
    for address in 1..255 {
        let endpoint = sprintf("tcp://%s%d:9000", &[&args, &address]);
        let rc = zsocket_connect(&listener, &String::from_utf8_lossy(&endpoint));
        if let Err(error) = rc {
            eprintln!("dechat: zsocket_connect: {error}");
            std::process::exit(1);
        }
    }
    let _ = zsocket_set_subscribe(&listener, "");
    while !zctx_interrupted() {
        let message = zstr_recv(&listener);
        if let Some(message) = message {
            printf("%s", &[&message]);
        }
    }
}

//  Reads a line of at most `size` - 1 bytes (with its newline) into
//  `message`, as C's fgets; false at the end of the input or on an error
fn fgets(message: &mut Vec<u8>, size: usize, stdin: &mut impl BufRead) -> bool {
    message.clear();
    while message.len() < size - 1 {
        let available = match stdin.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => return !message.is_empty(),
            Err(_) => return false,
        };
        if available.is_empty() {
            break;
        }
        let wanted = available.len().min(size - 1 - message.len());
        let taken = available[..wanted].iter().position(|&byte| byte == b'\n').map_or(wanted, |newline| newline + 1);
        message.extend_from_slice(&available[..taken]);
        stdin.consume(taken);
        if message.last() == Some(&b'\n') {
            break;
        }
    }
    !message.is_empty()
}

fn main() {
    let mut argv: Vec<Vec<u8>> = std::env::args_os().map(OsString::into_vec).collect();
    let dot = if argv.len() == 4 { argv[1].iter().rposition(|&byte| byte == b'.') } else { None };
    if let Some(dot) = dot {
        argv[1].truncate(dot + 1); //  Cut string after dot
    } else {
        printf("Usage: dechat ipaddress interface username\n", &[]);
        printf("Example: dechat 192.168.55.123 eth0 joe\n", &[]);
        std::process::exit(0);
    }
    let ctx = zctx_new();
    let _ = zthread_fork(&ctx, listener_task, argv[1].clone());

    let Ok(broadcaster) = zsocket_new(&ctx, zmq::PUB) else { return };
    let _ = zsocket_bind(&broadcaster, &String::from_utf8_lossy(&sprintf("tcp://%s:9000", &[&argv[2]])));
    let mut stdin = io::stdin().lock();
    while !zctx_interrupted() {
        let mut message = Vec::with_capacity(1024);
        if !fgets(&mut message, 1024, &mut stdin) {
            break;
        }
        let _ = zstr_sendf(&broadcaster, "%s: %s", &[&argv[3], &message]);
    }
    zctx_destroy(ctx);
}

//! kvsimple class: a port of the zguide's `examples/C/kvsimple.c` (with
//! `kvsimple.h`), the key-value message of the Clone models 1 to 4, for
//! `clonesrv1`..`4` and `clonecli1`..`4` (`mod czmq; mod kvsimple;`).
//!
//! Differs from the C:
//! - `kvmsg_t` is [`KvMsg`], its frames owned byte vectors (C: `zmq_msg_t`
//!   and a presence flag); `kvmsg_destroy` is a drop;
//! - `kvmsg_recv` returns `Err` where the C returns NULL (the call was
//!   interrupted or the context ended) and `Ok(None)` for a malformed
//!   message, which it drops whole: one that is not 3 frames, or whose
//!   sequence frame is not 8 bytes. The C returns NULL for those too
//!   (callers then leave their loop as if interrupted), leaves the rest of a
//!   longer message in the socket and asserts on a short sequence frame
//!   later; here the callers skip the message and go on;
//! - `kvmsg_key` returns the key's bytes (what the C's 255-byte C string
//!   holds: at most 255 bytes, up to the first NUL), or `None` (C: NULL);
//! - `kvmsg_send` returns libzmq's error (the C ignores it);
//! - `kvmsg_fmt_key`/`kvmsg_fmt_body` take `printf`'s arguments as a slice;
//! - `zhash_t` is a `HashMap` from the key's bytes to the message it owns
//!   ([`KvMap`]), so `kvmsg_store` takes the message by value;
//! - `kvmsg_dump` takes `Option<&KvMsg>` (C: a possibly NULL pointer);
//! - `kvmsg_test` uses `inproc://kvmsg_selftest` (C: an ipc file in the
//!   current directory) and a 5 s receive timeout, so it cannot hang;
//! - [`kvmap_dump`] is an addition: the clients call it as they exit, and it
//!   prints their map with `kvmsg_dump` only when `CLONE_DUMP` is set in the
//!   environment (the C clients print nothing about their map).
#![allow(dead_code)]

//  kvsimple class - key-value message class for example applications

use crate::czmq::zhelpers::{c_str, PrintfArg};
use crate::czmq::*;
use std::collections::HashMap;
use std::io::Write;

//  Keys are short strings
const KVMSG_KEY_MAX: usize = 255;

//  Message is formatted on wire as 3 frames:
//  frame 0: key (0MQ string)
//  frame 1: sequence (8 bytes, network order)
//  frame 2: body (blob)
const FRAME_KEY: usize = 0;
const FRAME_SEQ: usize = 1;
const FRAME_BODY: usize = 2;
const KVMSG_FRAMES: usize = 3;

/// The hash map the clone examples keep their state in (C: `zhash_t`).
pub type KvMap = HashMap<Vec<u8>, KvMsg>;

//  The kvmsg class holds a single key-value message consisting of a
//  list of 0 or more frames:

/// A key-value message (C: `kvmsg_t`).
#[derive(Clone, Debug, Default)]
pub struct KvMsg {
    //  Corresponding 0MQ message frames, if any (None: not present)
    frame: [Option<Vec<u8>>; KVMSG_FRAMES],
}

//  .split constructor and destructor
//  Here are the constructor and destructor for the class:

//  Constructor, takes a sequence number for the new kvmsg instance:
pub fn kvmsg_new(sequence: i64) -> KvMsg {
    let mut this = KvMsg::default();
    kvmsg_set_sequence(&mut this, sequence);
    this
}

//  Destructor
pub fn kvmsg_destroy(this: KvMsg) {
    drop(this);
}

//  .split recv method
//  This method reads a key-value message from socket, and returns a new
//  {{kvmsg}} instance:

pub fn kvmsg_recv(socket: &zmq::Socket) -> zmq::Result<Option<KvMsg>> {
    let mut this = kvmsg_new(0);

    //  Read all frames off the wire, reject if bogus
    let mut bogus = false;
    let mut frame_nbr = 0;
    loop {
        let mut message = zmq::Message::new();
        socket.recv(&mut message, 0)?;
        let more = message.get_more();
        if frame_nbr < KVMSG_FRAMES {
            this.frame[frame_nbr] = Some(message.to_vec());
        }
        //  Verify multipart framing
        let rcvmore = frame_nbr < KVMSG_FRAMES - 1;
        if more != rcvmore {
            bogus = true;
        }
        frame_nbr += 1;
        if !more {
            break;
        }
    }
    //  The sequence is 8 bytes, network order
    if this.frame[FRAME_SEQ].as_ref().map(Vec::len) != Some(8) {
        bogus = true;
    }
    Ok(if bogus { None } else { Some(this) })
}

//  .split send method
//  This method sends a multiframe key-value message to a socket:

pub fn kvmsg_send(this: &KvMsg, socket: &zmq::Socket) -> zmq::Result<()> {
    for frame_nbr in 0..KVMSG_FRAMES {
        let copy: &[u8] = this.frame[frame_nbr].as_deref().unwrap_or_default();
        socket.send(copy, if frame_nbr < KVMSG_FRAMES - 1 { zmq::SNDMORE } else { 0 })?;
    }
    Ok(())
}

//  .split key methods
//  These methods let the caller get and set the message key, as a
//  fixed string and as a printf formatted string:

pub fn kvmsg_key(this: &KvMsg) -> Option<&[u8]> {
    let key = this.frame[FRAME_KEY].as_deref()?;
    let size = key.len().min(KVMSG_KEY_MAX);
    Some(c_str(&key[..size]))
}

pub fn kvmsg_set_key(this: &mut KvMsg, key: impl AsRef<[u8]>) {
    this.frame[FRAME_KEY] = Some(c_str(key.as_ref()).to_vec());
}

pub fn kvmsg_fmt_key(this: &mut KvMsg, format: &str, args: &[&dyn PrintfArg]) {
    let value = s_vsnprintf(KVMSG_KEY_MAX, format, args);
    kvmsg_set_key(this, value);
}

//  What vsnprintf (value, size, format, args) leaves in value: at most
//  size - 1 bytes
fn s_vsnprintf(size: usize, format: &str, args: &[&dyn PrintfArg]) -> Vec<u8> {
    let mut value = sprintf(format, args);
    value.truncate(size - 1);
    value
}

//  .split sequence methods
//  These two methods let the caller get and set the message sequence number:

pub fn kvmsg_sequence(this: &KvMsg) -> i64 {
    match this.frame[FRAME_SEQ].as_deref().and_then(|source| <[u8; 8]>::try_from(source).ok()) {
        Some(source) => i64::from_be_bytes(source),
        None => 0,
    }
}

pub fn kvmsg_set_sequence(this: &mut KvMsg, sequence: i64) {
    this.frame[FRAME_SEQ] = Some(sequence.to_be_bytes().to_vec());
}

//  .split message body methods
//  These methods let the caller get and set the message body as a
//  fixed string and as a printf formatted string:

pub fn kvmsg_body(this: &KvMsg) -> Option<&[u8]> {
    this.frame[FRAME_BODY].as_deref()
}

pub fn kvmsg_set_body(this: &mut KvMsg, body: &[u8]) {
    this.frame[FRAME_BODY] = Some(body.to_vec());
}

pub fn kvmsg_fmt_body(this: &mut KvMsg, format: &str, args: &[&dyn PrintfArg]) {
    let value = s_vsnprintf(255, format, args);
    kvmsg_set_body(this, c_str(&value));
}

//  .split size method
//  This method returns the body size of the most recently read message,
//  if any exists:

pub fn kvmsg_size(this: &KvMsg) -> usize {
    kvmsg_body(this).map_or(0, <[u8]>::len)
}

//  .split store method
//  This method stores the key-value message into a hash map, unless
//  the key and value are both null. It takes the {{kvmsg}} over
//  so that the object is owned by the hash map, not the caller:

pub fn kvmsg_store(this: KvMsg, hash: &mut KvMap) {
    if this.frame[FRAME_KEY].is_some() && this.frame[FRAME_BODY].is_some() {
        let key = kvmsg_key(&this).unwrap_or_default().to_vec();
        hash.insert(key, this);
    }
}

//  .split dump method
//  This method prints the key-value message to stderr for
//  debugging and tracing:

pub fn kvmsg_dump(this: Option<&KvMsg>) {
    let mut line = Vec::new();
    if let Some(this) = this {
        let size = kvmsg_size(this);
        let body = kvmsg_body(this).unwrap_or_default();
        line.extend_from_slice(format!("[seq:{}]", kvmsg_sequence(this)).as_bytes());
        line.extend_from_slice(b"[key:");
        line.extend_from_slice(kvmsg_key(this).unwrap_or(b"(null)"));
        line.extend_from_slice(format!("][size:{size}] ").as_bytes());
        for byte in body {
            line.extend_from_slice(format!("{byte:02X}").as_bytes());
        }
        line.push(b'\n');
    } else {
        line.extend_from_slice(b"NULL message\n");
    }
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(&line);
}

/// Prints every message of `kvmap` with `kvmsg_dump`, in sequence order,
/// if `CLONE_DUMP` is set in the environment (an addition to the C, for
/// the scenario tests); else does nothing.
pub fn kvmap_dump(kvmap: &KvMap) {
    if std::env::var_os("CLONE_DUMP").is_none() {
        return;
    }
    let mut kvmsgs: Vec<&KvMsg> = kvmap.values().collect();
    kvmsgs.sort_by_key(|kvmsg| (kvmsg_sequence(kvmsg), kvmsg_key(kvmsg).map(<[u8]>::to_vec)));
    for kvmsg in kvmsgs {
        kvmsg_dump(Some(kvmsg));
    }
}

//  .split test method
//  It's good practice to have a self-test method that tests the class; this
//  also shows how it's used in applications:

pub fn kvmsg_test(verbose: bool) -> i32 {
    printf(" * kvmsg: ", &[]);

    //  Prepare our context and sockets
    let ctx = zctx_new();
    let output = zsocket_new(&ctx, zmq::DEALER).expect("DEALER socket");
    let rc = output.bind("inproc://kvmsg_selftest");
    assert!(rc.is_ok());
    let input = zsocket_new(&ctx, zmq::DEALER).expect("DEALER socket");
    let rc = input.connect("inproc://kvmsg_selftest");
    assert!(rc.is_ok());
    input.set_rcvtimeo(5000).expect("RCVTIMEO");

    let mut kvmap = KvMap::new();

    //  Test send and receive of simple message
    let mut kvmsg = kvmsg_new(1);
    kvmsg_set_key(&mut kvmsg, "key");
    kvmsg_set_body(&mut kvmsg, b"body");
    if verbose {
        kvmsg_dump(Some(&kvmsg));
    }
    kvmsg_send(&kvmsg, &output).expect("kvmsg_send");
    kvmsg_store(kvmsg, &mut kvmap);

    let kvmsg = kvmsg_recv(&input).expect("kvmsg_recv").expect("a well-formed kvmsg");
    if verbose {
        kvmsg_dump(Some(&kvmsg));
    }
    assert!(streq(kvmsg_key(&kvmsg).unwrap_or_default(), "key"));
    kvmsg_store(kvmsg, &mut kvmap);

    //  Shutdown and destroy all objects
    drop(kvmap);
    drop((input, output));
    zctx_destroy(ctx);

    printf("OK\n", &[]);
    0
}

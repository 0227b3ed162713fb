//! Key-value message class: a port of the zguide's `examples/C/kvmsg.c`
//! (with `kvmsg.h`), for the Clone models 5 and 6 and the clone class
//! (`mod czmq; mod kvmsg;`). `tstkvmsg` runs its self test.
//!
//! Differs from the C:
//! - `kvmsg_t` is [`KvMsg`], destroyed by dropping it; its frames are byte
//!   vectors, `None` where the C's `present` flag is 0;
//! - a function that takes `kvmsg_t **` to hand the message over
//!   (`kvmsg_store`, `kvmsg_destroy`) takes it by value; `kvmsg_dump` takes
//!   `Option<&KvMsg>`, where the C takes a possibly NULL pointer;
//! - keys, bodies and properties are bytes (the C's `char *` holds what the
//!   peer sent); the key is cut at 255 bytes and at its first NUL, as the
//!   C's key buffer is read as a C string. The C caches the key on first
//!   read and keeps serving the cached one after `kvmsg_set_key`; here the
//!   key always reflects the key frame;
//! - as in the `kvsimple` port, `kvmsg_recv` returns `Err` where the C
//!   returns NULL (the call was interrupted or timed out, the context
//!   ended) and `Ok(None)` for a malformed message, which it drops whole:
//!   one that is not 5 frames, or whose sequence frame is not 8 bytes. The
//!   C returns NULL for those too, so its callers leave their loop as if
//!   interrupted; it leaves the rest of a longer message in the socket and
//!   asserts on a short sequence frame when it is read. The callers here
//!   skip a malformed message and go on; `kvmsg_send` returns libzmq's
//!   error (the C ignores it);
//! - properties are split at each `\n` and each cut at its first NUL (the
//!   C's `strdup`); the C then miscounts the bytes left and can read past
//!   the frame, here the rest of the frame is simply scanned;
//! - `kvmsg_store` drops a message that has a body but no key (the C leaks
//!   it) and deletes nothing for an empty message without a key (czmq
//!   asserts on a NULL key);
//! - `kvmsg_test` gives its input socket a 5 s receive timeout, so it
//!   cannot hang;
//! - the UUID is 16 random bytes (from the standard library's randomly
//!   seeded hashers), where the C calls libuuid's `uuid_generate`;
//! - `kvmsg_fmt_key`, `kvmsg_fmt_body` and `kvmsg_set_prop` format with
//!   zhelpers' `sprintf` and keep at most 254 bytes, as `vsnprintf (value,
//!   255, ...)` does.
#![allow(dead_code)]

//  kvmsg class - key-value message class for example applications

use crate::czmq::*;
use std::collections::HashMap;
use std::io::Write;

//  Keys are short strings
pub const KVMSG_KEY_MAX: usize = 255;

//  Message is formatted on wire as 5 frames:
//  frame 0: key (0MQ string)
//  frame 1: sequence (8 bytes, network order)
//  frame 2: uuid (blob, 16 bytes)
//  frame 3: properties (0MQ string)
//  frame 4: body (blob)
const FRAME_KEY: usize = 0;
const FRAME_SEQ: usize = 1;
const FRAME_UUID: usize = 2;
const FRAME_PROPS: usize = 3;
const FRAME_BODY: usize = 4;
const KVMSG_FRAMES: usize = 5;

/// The size of a UUID (`sizeof (uuid_t)`).
const UUID_SIZE: usize = 16;

//  Structure of our class
#[derive(Debug, Default)]
pub struct KvMsg {
    //  Corresponding 0MQ message frames, if any (None: not present)
    frame: [Option<Vec<u8>>; KVMSG_FRAMES],
    //  List of properties, as name=value strings
    props: Vec<Vec<u8>>,
    props_size: usize,
}

/// The hash map the Clone examples keep their state in (`zhash_t`), by key.
pub type KvMap = HashMap<Vec<u8>, KvMsg>;

//  .split property encoding
//  These two helpers serialize a list of properties to and from a
//  message frame:

fn s_encode_props(this: &mut KvMsg) {
    let mut dest = Vec::with_capacity(this.props_size);
    for prop in &this.props {
        dest.extend_from_slice(prop);
        dest.push(b'\n');
    }
    this.frame[FRAME_PROPS] = Some(dest);
}

fn s_decode_props(this: &mut KvMsg) {
    this.props_size = 0;
    this.props.clear();

    let msg = this.frame[FRAME_PROPS].as_deref().unwrap_or_default();
    //  Every line that ends in '\n' is a property; what follows the last
    //  '\n' is ignored
    let mut lines: Vec<&[u8]> = msg.split(|&byte| byte == b'\n').collect();
    lines.pop();
    for prop in lines {
        let prop = zhelpers::c_str(prop).to_vec();
        this.props_size += prop.len() + 1;
        this.props.push(prop);
    }
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
//  This method reads a key-value message from the socket and returns a
//  new kvmsg instance:

pub fn kvmsg_recv(socket: &zmq::Socket) -> zmq::Result<Option<KvMsg>> {
    //  This method is almost unchanged from kvsimple
    let mut this = kvmsg_new(0);

    //  Read all frames off the wire, reject if bogus
    let mut bogus = false;
    let mut frame_nbr = 0;
    loop {
        let frame = socket.recv_bytes(0)?;
        if frame_nbr < KVMSG_FRAMES {
            this.frame[frame_nbr] = Some(frame);
        }
        //  Verify multipart framing
        let more = socket.get_rcvmore()?;
        let rcvmore = frame_nbr < KVMSG_FRAMES - 1;
        bogus |= more != rcvmore;
        frame_nbr += 1;
        if !more {
            break;
        }
    }
    //  The sequence is 8 bytes, network order
    bogus |= this.frame[FRAME_SEQ].as_ref().map(Vec::len) != Some(8);
    if bogus {
        return Ok(None);
    }
    s_decode_props(&mut this);
    Ok(Some(this))
}

//  Send key-value message to socket; any empty frames are sent as such.
pub fn kvmsg_send(this: &mut KvMsg, socket: &zmq::Socket) -> zmq::Result<()> {
    s_encode_props(this);
    //  The rest of the method is unchanged from kvsimple
    for (frame_nbr, frame) in this.frame.iter().enumerate() {
        let copy: &[u8] = frame.as_deref().unwrap_or_default();
        let flags = if frame_nbr < KVMSG_FRAMES - 1 { zmq::SNDMORE } else { 0 };
        socket.send(copy, flags)?;
    }
    Ok(())
}

//  .split dup method
//  This method duplicates a kvmsg instance, returns the new instance:

pub fn kvmsg_dup(this: &KvMsg) -> KvMsg {
    KvMsg { frame: this.frame.clone(), props: this.props.clone(), props_size: this.props_size }
}

//  The key, sequence, body, and size methods are the same as in kvsimple.

//  Return key from last read message, if any, else NULL
pub fn kvmsg_key(this: &KvMsg) -> Option<&[u8]> {
    let key = this.frame[FRAME_KEY].as_deref()?;
    Some(zhelpers::c_str(&key[..key.len().min(KVMSG_KEY_MAX)]))
}

//  Set message key as provided
pub fn kvmsg_set_key(this: &mut KvMsg, key: impl AsRef<[u8]>) {
    this.frame[FRAME_KEY] = Some(zhelpers::c_str(key.as_ref()).to_vec());
}

//  Set message key using printf format
pub fn kvmsg_fmt_key(this: &mut KvMsg, format: &str, args: &[&dyn zhelpers::PrintfArg]) {
    let value = s_vsnprintf(KVMSG_KEY_MAX, format, args);
    kvmsg_set_key(this, value);
}

//  Return sequence nbr from last read message, if any
pub fn kvmsg_sequence(this: &KvMsg) -> i64 {
    match this.frame[FRAME_SEQ].as_deref() {
        Some(source) => match <[u8; 8]>::try_from(source) {
            Ok(source) => i64::from_be_bytes(source),
            Err(_) => 0, //  Not made by kvmsg_set_sequence; rejected on receipt
        },
        None => 0,
    }
}

//  Set message sequence number
pub fn kvmsg_set_sequence(this: &mut KvMsg, sequence: i64) {
    this.frame[FRAME_SEQ] = Some(sequence.to_be_bytes().to_vec());
}

//  Return body from last read message, if any, else NULL
pub fn kvmsg_body(this: &KvMsg) -> Option<&[u8]> {
    this.frame[FRAME_BODY].as_deref()
}

//  Set message body
pub fn kvmsg_set_body(this: &mut KvMsg, body: &[u8]) {
    this.frame[FRAME_BODY] = Some(body.to_vec());
}

//  Set message body using printf format
pub fn kvmsg_fmt_body(this: &mut KvMsg, format: &str, args: &[&dyn zhelpers::PrintfArg]) {
    let value = s_vsnprintf(255, format, args);
    kvmsg_set_body(this, zhelpers::c_str(&value));
}

//  Return body size from last read message, if any, else zero
pub fn kvmsg_size(this: &KvMsg) -> usize {
    this.frame[FRAME_BODY].as_ref().map_or(0, Vec::len)
}

//  .split UUID methods
//  These methods get and set the UUID for the key-value message:

pub fn kvmsg_uuid(this: &KvMsg) -> Option<&[u8]> {
    this.frame[FRAME_UUID].as_deref().filter(|uuid| uuid.len() == UUID_SIZE)
}

//  Sets the UUID to a randomly generated value
pub fn kvmsg_set_uuid(this: &mut KvMsg) {
    let uuid = uuid_generate();
    this.frame[FRAME_UUID] = Some(uuid.to_vec());
}

//  .split property methods
//  These methods get and set a specified message property:

//  Get message property, return "" if no such property is defined.
pub fn kvmsg_get_prop<'a>(this: &'a KvMsg, name: &str) -> &'a [u8] {
    assert!(!name.contains('='), "a property name cannot contain '='");
    let namelen = name.len();
    for prop in &this.props {
        if prop.len() > namelen && prop.starts_with(name.as_bytes()) && prop[namelen] == b'=' {
            return &prop[namelen + 1..];
        }
    }
    b""
}

//  Set message property. Property name cannot contain '='. Max length of
//  value is 255 chars.
pub fn kvmsg_set_prop(this: &mut KvMsg, name: &str, format: &str, args: &[&dyn zhelpers::PrintfArg]) {
    assert!(!name.contains('='), "a property name cannot contain '='");

    let value = s_vsnprintf(255, format, args);

    //  Allocate name=value string
    let mut prop = format!("{name}=").into_bytes();

    //  Remove existing property if any
    if let Some(existing) = this.props.iter().position(|existing| existing.starts_with(&prop)) {
        let existing = this.props.remove(existing);
        this.props_size -= existing.len() + 1;
    }
    //  Add new name=value property string
    prop.extend_from_slice(zhelpers::c_str(&value));
    this.props_size += prop.len() + 1;
    this.props.push(prop);
}

//  .split store method
//  This method stores the key-value message into a hash map, unless
//  the key and value are both null. It takes the kvmsg, so that the
//  object is owned by the hash map, not the caller:

pub fn kvmsg_store(this: KvMsg, hash: &mut KvMap) {
    if kvmsg_size(&this) > 0 {
        if let (Some(key), Some(_)) = (kvmsg_key(&this), kvmsg_body(&this)) {
            hash.insert(key.to_vec(), this);
        }
    } else if let Some(key) = kvmsg_key(&this) {
        hash.remove(key);
    }
}

//  .split dump method
//  This method extends the kvsimple implementation with support for
//  message properties:

pub fn kvmsg_dump(this: Option<&KvMsg>) {
    let mut out = Vec::new();
    if let Some(this) = this {
        let size = kvmsg_size(this);
        let body = kvmsg_body(this).unwrap_or_default();
        out.extend(sprintf("[seq:%ld]", &[&kvmsg_sequence(this)]));
        out.extend(sprintf("[key:%s]", &[&kvmsg_key(this).unwrap_or(b"(null)".as_slice())]));
        out.extend(sprintf("[size:%zd] ", &[&size]));
        if !this.props.is_empty() {
            out.extend(b"[");
            for prop in &this.props {
                out.extend(sprintf("%s;", &[prop]));
            }
            out.extend(b"]");
        }
        for byte in body {
            out.extend(sprintf("%02X", &[byte]));
        }
        out.extend(b"\n");
    } else {
        out.extend(b"NULL message\n");
    }
    let _ = std::io::stderr().write_all(&out);
}

//  .split test method
//  This method is the same as in kvsimple with added support
//  for the uuid and property features of kvmsg:

pub fn kvmsg_test(verbose: bool) -> i32 {
    printf(" * kvmsg: ", &[]);

    //  Prepare our context and sockets
    let ctx = zctx_new();
    let output = zsocket_new(&ctx, zmq::DEALER).expect("a DEALER socket");
    output.bind("ipc://kvmsg_selftest.ipc").expect("bind");
    let input = zsocket_new(&ctx, zmq::DEALER).expect("a DEALER socket");
    input.connect("ipc://kvmsg_selftest.ipc").expect("connect");
    input.set_rcvtimeo(5000).expect("a receive timeout, so the test cannot hang");

    let mut kvmap = KvMap::new();

    //  Test send and receive of simple message
    let mut kvmsg = kvmsg_new(1);
    kvmsg_set_key(&mut kvmsg, "key");
    kvmsg_set_uuid(&mut kvmsg);
    kvmsg_set_body(&mut kvmsg, b"body");
    if verbose {
        kvmsg_dump(Some(&kvmsg));
    }
    kvmsg_send(&mut kvmsg, &output).expect("send");
    kvmsg_store(kvmsg, &mut kvmap);

    let kvmsg = kvmsg_recv(&input).expect("receive").expect("a kvmsg");
    if verbose {
        kvmsg_dump(Some(&kvmsg));
    }
    assert!(streq(kvmsg_key(&kvmsg).unwrap_or_default(), "key"));
    kvmsg_store(kvmsg, &mut kvmap);

    //  Test send and receive of message with properties
    let mut kvmsg = kvmsg_new(2);
    kvmsg_set_prop(&mut kvmsg, "prop1", "value1", &[]);
    kvmsg_set_prop(&mut kvmsg, "prop2", "value1", &[]);
    kvmsg_set_prop(&mut kvmsg, "prop2", "value2", &[]);
    kvmsg_set_key(&mut kvmsg, "key");
    kvmsg_set_uuid(&mut kvmsg);
    kvmsg_set_body(&mut kvmsg, b"body");
    assert!(streq(kvmsg_get_prop(&kvmsg, "prop2"), "value2"));
    if verbose {
        kvmsg_dump(Some(&kvmsg));
    }
    kvmsg_send(&mut kvmsg, &output).expect("send");
    kvmsg_destroy(kvmsg);

    let kvmsg = kvmsg_recv(&input).expect("receive").expect("a kvmsg");
    if verbose {
        kvmsg_dump(Some(&kvmsg));
    }
    assert!(streq(kvmsg_key(&kvmsg).unwrap_or_default(), "key"));
    assert!(streq(kvmsg_get_prop(&kvmsg, "prop2"), "value2"));
    kvmsg_destroy(kvmsg);
    //  Shutdown and destroy all objects
    drop(kvmap);
    zctx_destroy(ctx);

    printf("OK\n", &[]);
    0
}

/// `vsnprintf (value, size, format, ...)`: the formatted bytes, at most
/// `size - 1` of them.
fn s_vsnprintf(size: usize, format: &str, args: &[&dyn zhelpers::PrintfArg]) -> Vec<u8> {
    let mut value = sprintf(format, args);
    value.truncate(size - 1);
    value
}

/// `uuid_generate`: 16 random bytes, from hashers the standard library
/// seeds with the operating system's randomness.
fn uuid_generate() -> [u8; UUID_SIZE] {
    use std::hash::{BuildHasher, Hasher};
    let mut uuid = [0u8; UUID_SIZE];
    for half in uuid.chunks_mut(8) {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
        );
        half.copy_from_slice(&hasher.finish().to_ne_bytes());
    }
    uuid
}

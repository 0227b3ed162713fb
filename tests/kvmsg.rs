//! Unit tests for the Clone pattern's key-value message class
//! (`examples/kvmsg/`): its wire format, its store, and what it does with
//! malformed messages from a peer.

#[path = "../examples/czmq/mod.rs"]
mod czmq;
#[path = "../examples/kvmsg/mod.rs"]
mod kvmsg;

use czmq::*;
use kvmsg::*;

/// A connected PAIR of sockets over a fresh inproc endpoint, with timeouts
/// so no test can hang.
fn pair(ctx: &ZCtx, name: &str) -> (zmq::Socket, zmq::Socket) {
    let endpoint = format!("inproc://kvmsg-test-{name}");
    let left = zsocket_new(ctx, zmq::PAIR).unwrap();
    let right = zsocket_new(ctx, zmq::PAIR).unwrap();
    left.bind(&endpoint).unwrap();
    right.connect(&endpoint).unwrap();
    for socket in [&left, &right] {
        socket.set_rcvtimeo(5000).unwrap();
        socket.set_sndtimeo(5000).unwrap();
    }
    (left, right)
}

fn send_frames(socket: &zmq::Socket, frames: &[&[u8]]) {
    socket.send_multipart(frames.iter().copied(), 0).unwrap();
}

fn good_frames(sequence: i64) -> Vec<Vec<u8>> {
    vec![b"key".to_vec(), sequence.to_be_bytes().to_vec(), vec![7; 16], b"ttl=3\n".to_vec(), b"body".to_vec()]
}

#[test]
fn the_self_test_passes() {
    // It binds ipc://kvmsg_selftest.ipc in the working directory, as the C does.
    let dir = std::env::temp_dir().join(format!("kvmsg-selftest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::env::set_current_dir(&dir).unwrap();
    assert_eq!(kvmsg_test(false), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_message_travels_as_five_frames_and_comes_back_whole() {
    let ctx = zctx_new();
    let (output, input) = pair(&ctx, "five");
    let mut kvmsg = kvmsg_new(0x0102_0304_0506_0708);
    kvmsg_set_key(&mut kvmsg, "/client/7");
    kvmsg_set_uuid(&mut kvmsg);
    kvmsg_set_prop(&mut kvmsg, "ttl", "%d", &[&30]);
    kvmsg_set_body(&mut kvmsg, b"\0\xffbody");
    kvmsg_send(&mut kvmsg, &output).unwrap();

    let frames = input.recv_multipart(0).unwrap();
    assert_eq!(frames.len(), 5);
    assert_eq!(frames[0], b"/client/7");
    assert_eq!(frames[1], [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(frames[2], kvmsg_uuid(&kvmsg).unwrap());
    assert_eq!(frames[3], b"ttl=30\n");
    assert_eq!(frames[4], b"\0\xffbody");

    kvmsg_send(&mut kvmsg, &output).unwrap();
    let copy = kvmsg_recv(&input).unwrap().unwrap();
    assert_eq!(kvmsg_key(&copy), Some(&b"/client/7"[..]));
    assert_eq!(kvmsg_sequence(&copy), 0x0102_0304_0506_0708);
    assert_eq!(kvmsg_uuid(&copy), kvmsg_uuid(&kvmsg));
    assert_eq!(kvmsg_get_prop(&copy, "ttl"), b"30");
    assert_eq!(kvmsg_get_prop(&copy, "tt"), b"");
    assert_eq!(kvmsg_body(&copy), Some(&b"\0\xffbody"[..]));
    assert_eq!(kvmsg_size(&copy), 6);
}

#[test]
fn two_uuids_differ() {
    let (mut a, mut b) = (kvmsg_new(0), kvmsg_new(0));
    kvmsg_set_uuid(&mut a);
    kvmsg_set_uuid(&mut b);
    assert_eq!(kvmsg_uuid(&a).unwrap().len(), 16);
    assert_ne!(kvmsg_uuid(&a), kvmsg_uuid(&b));
    assert_eq!(kvmsg_uuid(&kvmsg_new(0)), None);
}

#[test]
fn store_inserts_replaces_and_deletes_by_key() {
    let mut kvmap = KvMap::new();
    for (sequence, body) in [(1, &b"one"[..]), (2, b"two")] {
        let mut kvmsg = kvmsg_new(sequence);
        kvmsg_set_key(&mut kvmsg, "k");
        kvmsg_set_body(&mut kvmsg, body);
        kvmsg_store(kvmsg, &mut kvmap);
    }
    assert_eq!(kvmap.len(), 1);
    assert_eq!(kvmsg_sequence(&kvmap[&b"k"[..]]), 2);
    assert_eq!(kvmsg_body(&kvmap[&b"k"[..]]), Some(&b"two"[..]));

    // An empty body deletes the key; a body without a key is dropped.
    let mut delete = kvmsg_new(3);
    kvmsg_set_key(&mut delete, "k");
    kvmsg_store(delete, &mut kvmap);
    assert!(kvmap.is_empty());
    let mut keyless = kvmsg_new(4);
    kvmsg_set_body(&mut keyless, b"x");
    kvmsg_store(keyless, &mut kvmap);
    kvmsg_store(kvmsg_new(5), &mut kvmap);
    assert!(kvmap.is_empty());
}

#[test]
fn properties_replace_by_name_and_survive_dup() {
    let mut kvmsg = kvmsg_new(0);
    kvmsg_set_prop(&mut kvmsg, "a", "1", &[]);
    kvmsg_set_prop(&mut kvmsg, "ab", "2", &[]);
    kvmsg_set_prop(&mut kvmsg, "a", "%s", &[&"3"]);
    assert_eq!(kvmsg_get_prop(&kvmsg, "a"), b"3");
    assert_eq!(kvmsg_get_prop(&kvmsg, "ab"), b"2");
    let copy = kvmsg_dup(&kvmsg);
    assert_eq!(kvmsg_get_prop(&copy, "a"), b"3");
    assert_eq!(kvmsg_sequence(&copy), 0);
    // Values are cut at 254 bytes, as vsnprintf (value, 255, ...) cuts them.
    let long = "v".repeat(400);
    kvmsg_set_prop(&mut kvmsg, "long", "%s", &[&long]);
    assert_eq!(kvmsg_get_prop(&kvmsg, "long").len(), 254);
}

#[test]
fn keys_are_cut_at_255_bytes_and_at_a_nul() {
    let mut kvmsg = kvmsg_new(0);
    kvmsg_set_key(&mut kvmsg, "a\0b");
    assert_eq!(kvmsg_key(&kvmsg), Some(&b"a"[..]));
    kvmsg_fmt_key(&mut kvmsg, "%s", &[&"k".repeat(300)]);
    assert_eq!(kvmsg_key(&kvmsg).unwrap().len(), 254);

    // A peer's key frame may be longer, and the key reads as 255 bytes of it.
    let ctx = zctx_new();
    let (output, input) = pair(&ctx, "longkey");
    let mut frames = good_frames(1);
    frames[0] = vec![b'x'; 300];
    send_frames(&output, &frames.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let kvmsg = kvmsg_recv(&input).unwrap().unwrap();
    assert_eq!(kvmsg_key(&kvmsg).unwrap().len(), 255);
}

#[test]
fn malformed_messages_from_a_peer_are_rejected_and_the_next_one_is_read() {
    let ctx = zctx_new();
    let (output, input) = pair(&ctx, "malformed");
    let good = good_frames(9);
    let good: Vec<&[u8]> = good.iter().map(Vec::as_slice).collect();

    // Too few frames: rejected, the whole message consumed.
    send_frames(&output, &good[..3]);
    assert!(kvmsg_recv(&input).unwrap().is_none());
    send_frames(&output, &good);
    assert_eq!(kvmsg_sequence(&kvmsg_recv(&input).unwrap().unwrap()), 9);

    // A sequence that is not 8 bytes: rejected.
    let mut short_seq = good.clone();
    short_seq[1] = b"1234567";
    send_frames(&output, &short_seq);
    assert!(kvmsg_recv(&input).unwrap().is_none());
    send_frames(&output, &good);
    assert_eq!(kvmsg_sequence(&kvmsg_recv(&input).unwrap().unwrap()), 9);

    // Too many frames: rejected, the whole message consumed.
    let mut long = good.clone();
    long.push(b"extra");
    send_frames(&output, &long);
    assert!(kvmsg_recv(&input).unwrap().is_none());
    send_frames(&output, &good);
    assert_eq!(kvmsg_sequence(&kvmsg_recv(&input).unwrap().unwrap()), 9);

    // Properties without a final newline, with a NUL, or empty.
    let mut odd_props = good.clone();
    odd_props[3] = b"a=1\nb=2\0junk\nc=3";
    send_frames(&output, &odd_props);
    let kvmsg = kvmsg_recv(&input).unwrap().unwrap();
    assert_eq!(kvmsg_get_prop(&kvmsg, "a"), b"1");
    assert_eq!(kvmsg_get_prop(&kvmsg, "b"), b"2");
    assert_eq!(kvmsg_get_prop(&kvmsg, "c"), b"");
    kvmsg_dump(Some(&kvmsg));
    let mut empty = vec![&b""[..]; 5];
    empty[1] = good[1];
    send_frames(&output, &empty);
    let kvmsg = kvmsg_recv(&input).unwrap().unwrap();
    assert_eq!(kvmsg_key(&kvmsg), Some(&b""[..]));
    assert_eq!(kvmsg_uuid(&kvmsg), None);
    assert_eq!(kvmsg_size(&kvmsg), 0);
    kvmsg_dump(Some(&kvmsg));
    kvmsg_dump(None);
}

#[test]
fn a_receive_that_times_out_is_an_error() {
    let ctx = zctx_new();
    let (_output, input) = pair(&ctx, "timeout");
    input.set_rcvtimeo(50).unwrap();
    assert_eq!(kvmsg_recv(&input).unwrap_err(), zmq::Error::EAGAIN);
}

//! Messages: constructors, zero-copy ownership, copy-on-write, properties.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{ctx, socket, unique};

#[test]
fn constructors_hold_their_bytes() {
    let big: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    assert_eq!(&zmq::Message::new()[..], b"");
    assert_eq!(&zmq::Message::with_size(5)[..], &[0u8; 5]);
    assert_eq!(&zmq::Message::from(&b"slice"[..])[..], b"slice");
    assert_eq!(&zmq::Message::from("str")[..], b"str");
    assert_eq!(&zmq::Message::from(&String::from("string ref"))[..], b"string ref");
    assert_eq!(
        &zmq::Message::from(String::from("owned string, long enough to be zero-copy"))[..],
        b"owned string, long enough to be zero-copy"
    );
    assert_eq!(&zmq::Message::from(big.clone())[..], &big[..]);
    assert_eq!(&zmq::Message::from(big.clone().into_boxed_slice())[..], &big[..]);
    let mut with_spare = Vec::with_capacity(4096);
    with_spare.extend_from_slice(&big);
    assert_eq!(&zmq::Message::from(with_spare)[..], &big[..]);
    assert_eq!(&zmq::Message::from(&big)[..], &big[..]);
    assert_eq!(
        &zmq::Message::from_static(b"static bytes that libzmq will not copy at all")[..],
        b"static bytes that libzmq will not copy at all"
    );
    assert_eq!(&zmq::Message::from([1u8, 2, 3])[..], &[1, 2, 3]);
    assert_eq!(&zmq::Message::from(&[4u8, 5])[..], &[4, 5]);
    #[allow(deprecated)]
    {
        assert_eq!(&zmq::Message::from_slice(b"old")[..], b"old");
        assert_eq!(zmq::Message::with_capacity(3).len(), 3);
    }
    assert_eq!(zmq::Message::from("a"), zmq::Message::from(&b"a"[..]));
    assert_eq!(format!("{:?}", zmq::Message::from("hi")), "[104, 105]", "zmq 0.10 prints the bytes as a slice");
    assert_eq!(zmq::Message::from(vec![0xff, 0xfe]).as_str(), None);
}

/// Invariant 7: writing through a message never changes another message that shares its buffer.
#[test]
fn mutation_copies_shared_buffers() {
    let mut original = zmq::Message::from(vec![1u8; 1000]);
    let mut copy = original.share();
    assert!(original.is_shared() && copy.is_shared(), "zmq_msg_copy shares large buffers");
    copy[0] = 9;
    assert_eq!(copy[0], 9);
    assert_eq!(original[0], 1, "the shared original must not change");
    assert!(!copy.is_shared());

    let mut constant = zmq::Message::from_static(b"a constant buffer in read-only memory, long");
    constant[0] = b'A';
    assert_eq!(&constant[..1], b"A");

    // Private buffers are written in place, without a copy.
    let mut private = zmq::Message::from(vec![0u8; 100]);
    let before = private.as_ptr();
    private[5] = 5;
    assert_eq!(private.as_ptr(), before);
}

/// Invariant 7 for received messages: fan-out of one large message may share one buffer between receivers.
#[test]
fn received_messages_do_not_alias_mutably() {
    let c = ctx();
    let publisher = socket(&c, zmq::PUB);
    let ep = format!("inproc://{}", unique("fanout"));
    publisher.bind(&ep).unwrap();
    let subs: Vec<_> = (0..2)
        .map(|_| {
            let sub = socket(&c, zmq::SUB);
            sub.set_subscribe(b"").unwrap();
            sub.connect(&ep).unwrap();
            sub
        })
        .collect();
    // Wait until both subscriptions have arrived: send probes until each subscriber sees one.
    let mut seen = [false; 2];
    while !seen.iter().all(|s| *s) {
        publisher.send("probe", 0).unwrap();
        for (i, sub) in subs.iter().enumerate() {
            if sub.poll(zmq::POLLIN, 10).unwrap() > 0 {
                while sub.recv_msg(zmq::DONTWAIT).is_ok() {}
                seen[i] = true;
            }
        }
    }
    publisher.send(vec![7u8; 100_000], 0).unwrap();
    let mut a = subs[0].recv_msg(0).unwrap();
    let b = subs[1].recv_msg(0).unwrap();
    a[0] = 1;
    assert_eq!(a[0], 1);
    assert_eq!(b[0], 7, "writing one received message changed another");
}

/// Zero-copy buffers are freed by libzmq exactly once, from whatever thread drops the last reference, and only
/// then.
#[test]
fn zero_copy_buffers_are_freed_once() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let c = ctx();
    let push = socket(&c, zmq::PUSH);
    let pull = socket(&c, zmq::PULL);
    let ep = format!("inproc://{}", unique("zc"));
    pull.bind(&ep).unwrap();
    push.connect(&ep).unwrap();
    let owner = common::Owner::new(vec![3u8; 64 * 1024], || {
        DROPS.fetch_add(1, Ordering::SeqCst);
    });
    let ptr = owner.as_ref().as_ptr();
    push.send(zmq::Message::from_owned(owner), 0).unwrap();
    let mut got = std::thread::spawn(move || pull.recv_msg(0).unwrap()).join().unwrap();
    assert_eq!(got.as_ptr(), ptr, "inproc delivery of an owned buffer must not copy it");
    assert_eq!(DROPS.load(Ordering::SeqCst), 0, "freed while a message still refers to it");
    let clone = got.share();
    drop(got);
    assert_eq!(DROPS.load(Ordering::SeqCst), 0, "freed while a shared reference remains");
    std::thread::spawn(move || drop(clone)).join().unwrap();
    assert_eq!(DROPS.load(Ordering::SeqCst), 1, "not freed exactly once");

    // An owner that others still read is never written through.
    let shared: Arc<[u8]> = vec![5u8; 100].into();
    let mut msg = zmq::Message::from_owned(shared.clone());
    assert_eq!(msg.as_ptr(), shared.as_ptr());
    msg[0] = 6;
    assert_eq!(shared[0], 5);
    assert_eq!(msg[0], 6);
}

#[test]
fn more_flag_and_properties() {
    let c = ctx();
    let a = socket(&c, zmq::PAIR);
    let b = socket(&c, zmq::PAIR);
    a.bind("tcp://127.0.0.1:*").unwrap();
    b.connect(&a.last_endpoint().unwrap()).unwrap();
    b.send_multipart(["one", "two"], 0).unwrap();
    let mut first = a.recv_msg(0).unwrap();
    assert!(first.get_more());
    assert!(a.get_rcvmore().unwrap());
    assert_eq!(first.gets("Socket-Type"), Some("PAIR"));
    assert!(first.gets_bytes("Peer-Address").is_some());
    assert_eq!(first.gets("No-Such-Property"), None);
    let second = a.recv_msg(0).unwrap();
    assert!(!second.get_more());
    assert_eq!(second.get(zmq_sys::ZMQ_MORE as i32).unwrap(), 0);
}

#[test]
fn raw_round_trip() {
    let msg = zmq::Message::from("raw");
    let raw = msg.into_raw();
    // SAFETY: raw came from into_raw, initialised and not closed.
    let back = unsafe { zmq::Message::from_raw(raw) };
    assert_eq!(&back[..], b"raw");
}

#[test]
fn messages_cross_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<zmq::Message>();
    assert_send_sync::<zmq::Context>();
    let msg = zmq::Message::from(vec![1u8; 500]);
    let clone = msg.clone();
    let joined = std::thread::spawn(move || clone.len()).join().unwrap();
    assert_eq!(joined, 500);
    drop(msg);
}

#[test]
fn multipart_into_reuses_messages() {
    let c = ctx();
    let a = socket(&c, zmq::PAIR);
    let b = socket(&c, zmq::PAIR);
    let ep = format!("inproc://{}", unique("mp"));
    a.bind(&ep).unwrap();
    b.connect(&ep).unwrap();
    let mut frames = Vec::new();
    b.send_multipart(vec![b"a".to_vec(), b"bb".to_vec(), b"ccc".to_vec()], 0).unwrap();
    assert_eq!(a.recv_multipart_into(&mut frames, 0).unwrap(), 3);
    assert_eq!(frames.iter().map(|m| m.len()).collect::<Vec<_>>(), [1, 2, 3]);
    b.send("single", 0).unwrap();
    assert_eq!(a.recv_multipart_into(&mut frames, 0).unwrap(), 1);
    assert_eq!(frames.len(), 1);
    b.send_multipart(["x", "y"], 0).unwrap();
    assert_eq!(a.recv_multipart(0).unwrap(), vec![b"x".to_vec(), b"y".to_vec()]);
}

#[test]
fn send_in_place_keeps_the_message_on_failure() {
    let c = ctx();
    let push = socket(&c, zmq::PUSH); // no peer: DONTWAIT fails with EAGAIN
    let mut msg = zmq::Message::from("keep me");
    assert_eq!(push.send_in_place(&mut msg, zmq::DONTWAIT).unwrap_err(), zmq::Error::EAGAIN);
    assert_eq!(msg.as_str(), Some("keep me"));
    let pull = socket(&c, zmq::PULL);
    let ep = format!("inproc://{}", unique("keep"));
    pull.bind(&ep).unwrap();
    push.connect(&ep).unwrap();
    push.send_in_place(&mut msg, 0).unwrap();
    assert_eq!(msg.len(), 0, "a sent message is left empty");
    assert_eq!(pull.recv_string(0).unwrap().unwrap(), "keep me");
}

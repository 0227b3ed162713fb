//! Zero-copy conversions between `Message` and `bytes::Bytes` (feature `bytes`).
#![cfg(feature = "bytes")]

mod common;
#[path = "support/inproc_pair.rs"]
mod pair;

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use common::{bind_tcp, ctx, socket, unique, within};
use pair::inproc_pair;

const LIMIT: Duration = Duration::from_secs(20);

/// A connected PUSH -> PULL over loopback TCP.
fn tcp_pipe(ctx: &zmq::Context) -> (zmq::Socket, zmq::Socket) {
    let rx = socket(ctx, zmq::PULL);
    let endpoint = bind_tcp(&rx);
    let tx = socket(ctx, zmq::PUSH);
    tx.connect(&endpoint).unwrap();
    (tx, rx)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 1) as u8).collect()
}

#[test]
fn bytes_travel_both_ways_over_inproc_without_a_copy() {
    within(LIMIT, || {
        let ctx = ctx();
        let (tx, rx) = inproc_pair(&ctx, "bytes-both-ways");
        for len in [34usize, 1000, 1 << 20] {
            let payload = Bytes::from(pattern(len));
            tx.send(payload.clone(), 0).unwrap();
            let received = rx.recv_as_bytes(0).unwrap();
            assert_eq!(received.as_ptr(), payload.as_ptr(), "{len} B: the receiver holds the sender's buffer");
            assert_eq!(received, payload);
        }
    });
}

#[test]
fn a_received_message_becomes_bytes_in_place() {
    within(LIMIT, || {
        let ctx = ctx();
        let (tx, rx) = tcp_pipe(&ctx);
        // Over TCP libzmq either decodes in place in its receive buffer or allocates the message: either way the
        // Bytes must point at the very content the message had.
        for len in [34usize, 100, 8000, 100_000, 3 << 20] {
            tx.send(pattern(len), 0).unwrap();
            let msg = rx.recv_msg(0).unwrap();
            let data = msg.as_ptr();
            let bytes = Bytes::from(msg);
            assert_eq!(bytes.as_ptr(), data, "{len} B");
            assert_eq!(&bytes[..], &pattern(len)[..], "{len} B");
        }
    });
}

#[test]
fn small_frames_are_copied_out_of_the_message() {
    within(LIMIT, || {
        let ctx = ctx();
        let (tx, rx) = tcp_pipe(&ctx);
        let mut inline_seen = 0;
        for len in 0..=40usize {
            tx.send(pattern(len), 0).unwrap();
            let msg = rx.recv_msg(0).unwrap();
            let inline = {
                let start = msg.as_msg_ptr() as usize;
                (start..start + std::mem::size_of::<zmq_sys::zmq_msg_t>()).contains(&(msg.as_ptr() as usize))
            };
            // libzmq keeps some frames of up to 33 bytes inside the zmq_msg_t (which ones depends on the path).
            assert!(!inline || (1..=33).contains(&len), "{len} B inline");
            inline_seen += usize::from(inline);
            let bytes = msg.into_bytes();
            // Moving the Bytes around (and the message inside it, if any) must not change what it reads.
            let moved = Box::new(bytes);
            assert_eq!(&moved[..], &pattern(len)[..], "{len} B");
        }
        assert!(inline_seen > 0, "no inline frame was tested");
    });
}

#[test]
fn bytes_stay_valid_after_the_socket_and_context_are_gone() {
    within(LIMIT, || {
        let mut kept = Vec::new();
        {
            let ctx = ctx();
            let (tx, rx) = tcp_pipe(&ctx);
            let (itx, irx) = inproc_pair(&ctx, "bytes-outlive");
            for len in [10usize, 100, 8000, 100_000, 2 << 20] {
                tx.send(pattern(len), 0).unwrap();
                kept.push((len, rx.recv_as_bytes(0).unwrap()));
                itx.send(Bytes::from(pattern(len)), 0).unwrap();
                kept.push((len, irx.recv_as_bytes(0).unwrap()));
            }
            tx.send_multipart([pattern(50), pattern(60_000)], 0).unwrap();
            for frame in rx.recv_multipart_bytes(0).unwrap() {
                kept.push((frame.len(), frame));
            }
            drop((tx, rx, itx, irx));
            drop(ctx); // the context terminates here: no socket is left
        }
        // Read them on another thread too: a Bytes is Send + Sync, and so is the message inside it.
        let handle = std::thread::spawn(move || {
            for (len, bytes) in &kept {
                assert_eq!(&bytes[..], &pattern(*len)[..], "{len} B");
            }
            kept
        });
        let kept = handle.join().unwrap();
        drop(kept);
    });
}

#[test]
fn multipart_frames_arrive_as_bytes_without_a_copy() {
    within(LIMIT, || {
        let ctx = ctx();
        let (tx, rx) = inproc_pair(&ctx, "bytes-multipart");
        let frames: Vec<Bytes> = [5usize, 34, 4096, 1 << 16].iter().map(|&n| Bytes::from(pattern(n))).collect();
        tx.send_multipart(frames.iter(), 0).unwrap();
        tx.send("next", 0).unwrap();
        let received = rx.recv_multipart_bytes(0).unwrap();
        assert_eq!(received, frames);
        for (sent, got) in frames.iter().zip(&received).filter(|(f, _)| f.len() > 33) {
            assert_eq!(got.as_ptr(), sent.as_ptr(), "{} B frame copied", sent.len());
        }
        // The next message is a message of its own.
        assert_eq!(rx.recv_multipart_bytes(0).unwrap(), vec![Bytes::from_static(b"next")]);
    });
}

#[test]
fn receive_errors_pass_through() {
    let ctx = ctx();
    let (_tx, rx) = inproc_pair(&ctx, "bytes-eagain");
    assert_eq!(rx.recv_as_bytes(zmq::DONTWAIT), Err(zmq::Error::EAGAIN));
    assert_eq!(rx.recv_multipart_bytes(zmq::DONTWAIT), Err(zmq::Error::EAGAIN));
}

#[test]
fn bytes_from_a_message_are_never_made_writable_in_place() {
    let msg = zmq::Message::from(pattern(1000));
    assert!(!msg.is_shared(), "a Vec-backed message is private and writable in place");
    let bytes = msg.into_bytes();
    let data = bytes.as_ptr();
    // Neither way to BytesMut may hand out the message's buffer for writing.
    let bytes = bytes.try_into_mut().expect_err("a Bytes that owns a message is never unique");
    let mut copy = BytesMut::from(bytes.clone());
    assert_ne!(copy.as_ptr(), data, "BytesMut::from copies");
    copy[0] ^= 0xff;
    assert_eq!(&bytes[..], &pattern(1000)[..]);
}

#[test]
fn a_message_made_from_bytes_copies_before_writing() {
    within(LIMIT, || {
        let payload = Bytes::from(pattern(500));
        let mut msg = zmq::Message::from(payload.clone());
        assert_eq!(msg.as_ptr(), payload.as_ptr());
        assert!(msg.is_shared());
        msg[0] ^= 0xff;
        assert_ne!(msg.as_ptr(), payload.as_ptr());
        assert_eq!(&payload[..], &pattern(500)[..]);

        // The read-only mark travels with the libzmq message: the receiver over inproc holds the same buffer.
        let ctx = ctx();
        let (tx, rx) = inproc_pair(&ctx, "bytes-cow");
        tx.send(&payload, 0).unwrap();
        let mut received = rx.recv_msg(0).unwrap();
        assert_eq!(received.as_ptr(), payload.as_ptr());
        assert!(received.is_shared());
        received[1] ^= 0xff;
        assert_eq!(&payload[..], &pattern(500)[..]);

        // A static Bytes and a BytesMut go too.
        tx.send(Bytes::from_static(&[42u8; 64]), 0).unwrap();
        assert_eq!(&rx.recv_msg(0).unwrap()[..], &[42u8; 64][..]);
        let mut fresh = BytesMut::with_capacity(100);
        fresh.extend_from_slice(&pattern(100));
        let fresh_ptr = fresh.as_ptr();
        tx.send(fresh, 0).unwrap();
        assert_eq!(rx.recv_as_bytes(0).unwrap().as_ptr(), fresh_ptr);
    });
}

#[test]
fn fan_out_copies_stay_independent() {
    within(LIMIT, || {
        // libzmq shares one buffer between the subscribers of a PUB fan-out over inproc: one subscriber's Bytes
        // and the other's Message must not see each other's writes.
        let ctx = ctx();
        let endpoint = format!("inproc://{}", unique("bytes-fanout"));
        let publisher = socket(&ctx, zmq::XPUB);
        publisher.set_xpub_verbose(true).unwrap();
        publisher.bind(&endpoint).unwrap();
        let subs: Vec<zmq::Socket> = (0..2)
            .map(|_| {
                let s = socket(&ctx, zmq::SUB);
                s.set_subscribe(b"").unwrap();
                s.connect(&endpoint).unwrap();
                publisher.recv_msg(0).unwrap(); // the subscription arrived
                s
            })
            .collect();
        publisher.send(pattern(4096), 0).unwrap();
        let as_bytes = subs[0].recv_as_bytes(0).unwrap();
        let mut as_msg = subs[1].recv_msg(0).unwrap();
        assert_eq!(as_bytes.as_ptr(), as_msg.as_ptr(), "the subscribers share one buffer");
        as_msg[0] ^= 0xff;
        assert_eq!(&as_bytes[..], &pattern(4096)[..]);
    });
}

#[test]
fn one_received_bytes_read_and_dropped_by_many_threads() {
    within(LIMIT, || {
        fn send_sync<T: Send + Sync>(_: &T) {}
        let ctx = ctx();
        let (tx, rx) = tcp_pipe(&ctx);
        tx.send(pattern(100_000), 0).unwrap();
        let bytes = rx.recv_as_bytes(0).unwrap();
        send_sync(&bytes);
        drop((tx, rx, ctx));
        // The last clone to go closes the message, on whichever thread that is.
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let mine = bytes.slice(i * 1000..);
                let first = pattern(100_000)[i * 1000];
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        let again = mine.clone();
                        assert_eq!(again[0], first);
                    }
                    assert_eq!(&mine[..], &pattern(100_000)[i * 1000..]);
                })
            })
            .collect();
        drop(bytes);
        for t in threads {
            t.join().unwrap();
        }
    });
}

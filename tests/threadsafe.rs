//! `ThreadSafeSocket`: the thread-safe draft socket types shared between threads (built with
//! `--features vendored,draft`).
#![cfg(zmq_draft)]

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{ctx, unique, within};
use zmq::{Error, Message, Poller, SocketType, ThreadSafeSocket};

const LIMIT: Duration = Duration::from_secs(30);

/// A thread-safe socket with send and receive timeouts, so a test fails instead of hanging.
fn ts(ctx: &zmq::Context, kind: SocketType) -> ThreadSafeSocket {
    let s = ThreadSafeSocket::new(ctx, kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s
}

fn bind_tcp(s: &ThreadSafeSocket) -> String {
    s.bind_to("tcp://127.0.0.1:*").unwrap()
}

fn inproc(tag: &str) -> String {
    format!("inproc://{}", unique(tag))
}

#[test]
fn thread_safe_socket_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<ThreadSafeSocket>();
}

#[test]
fn classic_and_dgram_types_are_refused_with_einval() {
    within(LIMIT, || {
        let c = ctx();
        for kind in [
            zmq::PAIR,
            zmq::PUB,
            zmq::SUB,
            zmq::REQ,
            zmq::REP,
            zmq::DEALER,
            zmq::ROUTER,
            zmq::PULL,
            zmq::PUSH,
            zmq::XPUB,
            zmq::XSUB,
            zmq::STREAM,
            zmq::DGRAM,
        ] {
            assert_eq!(ThreadSafeSocket::new(&c, kind).unwrap_err(), Error::EINVAL, "{kind:?}");
            let (back, err) = ThreadSafeSocket::from_socket(c.socket(kind).unwrap()).unwrap_err();
            assert_eq!(err, Error::EINVAL);
            assert_eq!(back.get_socket_type().unwrap(), kind, "the socket is handed back");
        }
        for kind in
            [zmq::SERVER, zmq::CLIENT, zmq::RADIO, zmq::DISH, zmq::SCATTER, zmq::GATHER, zmq::PEER, zmq::CHANNEL]
        {
            let s = ThreadSafeSocket::new(&c, kind).unwrap();
            assert_eq!(s.socket_type().unwrap(), kind);
            assert!(s.into_socket().is_thread_safe().unwrap());
        }
    });
}

#[test]
fn sndmore_is_refused_and_the_message_kept() {
    within(LIMIT, || {
        let c = ctx();
        let client = ts(&c, zmq::CLIENT);
        assert_eq!(client.send("part", zmq::SNDMORE).unwrap_err(), Error::EINVAL);
        let mut msg = Message::from("kept");
        assert_eq!(client.send_in_place(&mut msg, zmq::SNDMORE | zmq::DONTWAIT).unwrap_err(), Error::EINVAL);
        assert_eq!(&msg[..], b"kept");
        let server = ts(&c, zmq::SERVER);
        assert_eq!(server.send_to("x", 7, zmq::SNDMORE).unwrap_err(), Error::EINVAL);
        assert_eq!(server.send_to("x", 0, 0).unwrap_err(), Error::EINVAL, "routing id 0 is not an id");
        let radio = ts(&c, zmq::RADIO);
        assert_eq!(radio.send_to_group("x", "g", zmq::SNDMORE).unwrap_err(), Error::EINVAL);
        assert_eq!(radio.send_to_group("x", &"g".repeat(256), 0).unwrap_err(), Error::EINVAL);
        // A later single-frame send still works: nothing half-sent was left behind.
        let ep = inproc("ts-sndmore");
        server.bind(&ep).unwrap();
        client.connect(&ep).unwrap();
        client.send("whole", 0).unwrap();
        assert_eq!(server.recv_string(0).unwrap().unwrap(), "whole");
    });
}

#[test]
fn many_client_senders_and_server_receivers_deliver_each_message_once() {
    const SENDERS: usize = 4;
    const RECEIVERS: usize = 3;
    const PER_SENDER: usize = 500;
    within(LIMIT, || {
        let c = ctx();
        let server = ts(&c, zmq::SERVER);
        let client = ts(&c, zmq::CLIENT);
        client.connect(&bind_tcp(&server)).unwrap();
        let received: Vec<Vec<String>> = std::thread::scope(|s| {
            let receivers: Vec<_> = (0..RECEIVERS)
                .map(|_| {
                    s.spawn(|| {
                        let mut got = Vec::new();
                        let mut msg = Message::new();
                        loop {
                            server.recv(&mut msg, 0).expect("a receiver timed out");
                            assert!(msg.routing_id().is_some(), "SERVER messages carry the client's id");
                            match msg.as_str().unwrap() {
                                "stop" => return got,
                                text => got.push(text.to_owned()),
                            }
                        }
                    })
                })
                .collect();
            let senders: Vec<_> = (0..SENDERS)
                .map(|t| {
                    let client = &client;
                    s.spawn(move || {
                        for i in 0..PER_SENDER {
                            client.send(format!("{t}-{i}"), 0).unwrap();
                        }
                    })
                })
                .collect();
            for sender in senders {
                sender.join().unwrap();
            }
            // One connection keeps order, so each receiver's stop comes after every message; a receiver that
            // takes one leaves the rest to the others.
            for _ in 0..RECEIVERS {
                client.send("stop", 0).unwrap();
            }
            receivers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let all: Vec<&String> = received.iter().flatten().collect();
        let unique: BTreeSet<&String> = all.iter().copied().collect();
        assert_eq!(all.len(), SENDERS * PER_SENDER, "no message lost or duplicated");
        assert_eq!(unique.len(), SENDERS * PER_SENDER);
        for t in 0..SENDERS {
            for i in 0..PER_SENDER {
                assert!(unique.contains(&format!("{t}-{i}")));
            }
        }
    });
}

/// A DISH bound to a free `udp://127.0.0.1` port; a port taken by someone else in between is retried.
fn bind_udp(dish: &ThreadSafeSocket) -> String {
    for _ in 0..20 {
        let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let ep = format!("udp://127.0.0.1:{port}");
        match dish.bind(&ep) {
            Ok(()) => return ep,
            Err(Error::EADDRINUSE) => continue,
            Err(e) => panic!("binding {ep}: {e}"),
        }
    }
    panic!("no free UDP port found");
}

#[test]
fn radio_and_dish_over_udp_filter_groups_with_two_sending_threads() {
    within(LIMIT, || {
        let c = ctx();
        let radio = ts(&c, zmq::RADIO);
        let dish = ts(&c, zmq::DISH);
        dish.join("wanted").unwrap();
        radio.connect(&bind_udp(&dish)).unwrap();
        dish.set_rcvtimeo(100).unwrap();
        let stop = AtomicBool::new(false);
        let got = std::thread::scope(|s| {
            for t in 0..2 {
                let (radio, stop) = (&radio, &stop);
                s.spawn(move || {
                    // UDP may drop datagrams: keep publishing until the receiver has what it needs.
                    while !stop.load(Ordering::Relaxed) {
                        radio.send_to_group(format!("other-{t}"), "other", 0).unwrap();
                        radio.send_to_group(format!("wanted-{t}"), "wanted", 0).unwrap();
                        std::thread::yield_now();
                    }
                });
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut got = BTreeSet::new();
            while got.len() < 2 && Instant::now() < deadline {
                match dish.recv_msg(0) {
                    Ok(msg) => {
                        assert_eq!(msg.group(), Some("wanted"), "a message of a group not joined arrived");
                        got.insert(msg.as_str().unwrap().to_owned());
                    }
                    Err(Error::EAGAIN) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            stop.store(true, Ordering::Relaxed);
            got
        });
        assert_eq!(got, BTreeSet::from(["wanted-0".to_owned(), "wanted-1".to_owned()]));
    });
}

#[test]
fn radio_and_dish_over_inproc_filter_groups() {
    within(LIMIT, || {
        let c = ctx();
        let radio = ts(&c, zmq::RADIO);
        let dish = ts(&c, zmq::DISH);
        let ep = inproc("ts-radio");
        radio.bind(&ep).unwrap();
        dish.join("x").unwrap();
        dish.join("y").unwrap();
        // Over inproc the radio learns the joins as soon as the dish is connected.
        dish.connect(&ep).unwrap();
        let recv = || {
            let msg = dish.recv_msg(0).unwrap();
            (msg.group().unwrap().to_owned(), msg.as_str().unwrap().to_owned())
        };
        for (text, group) in [("x1", "x"), ("z1", "z"), ("y1", "y"), ("z2", "z"), ("x2", "x")] {
            radio.send_to_group(text, group, 0).unwrap();
        }
        let got = [recv(), recv(), recv()];
        assert_eq!(got, [("x", "x1"), ("y", "y1"), ("x", "x2")].map(|(g, t)| (g.to_owned(), t.to_owned())));
        // After leaving, the dish drops the group's messages (the radio may still send them until the leave
        // reaches it).
        dish.leave("y").unwrap();
        radio.send_to_group("y2", "y", 0).unwrap();
        radio.send_to_group("end", "x", 0).unwrap();
        assert_eq!(recv(), ("x".to_owned(), "end".to_owned()));
        assert_eq!(radio.join("x").unwrap_err(), Error::ENOTSUP, "only a DISH joins");
    });
}

#[test]
fn scatter_balances_across_two_gatherers() {
    const PER_THREAD: usize = 100;
    within(LIMIT, || {
        let c = ctx();
        let scatter = ts(&c, zmq::SCATTER);
        let ep = bind_tcp(&scatter);
        let gatherers = [ts(&c, zmq::GATHER), ts(&c, zmq::GATHER)];
        for g in &gatherers {
            g.connect(&ep).unwrap();
        }
        let mut poller = Poller::new().unwrap();
        for (i, g) in gatherers.iter().enumerate() {
            poller.add_thread_safe(g, i, zmq::POLLIN).unwrap();
        }
        // Until both connections are up, everything goes to the first: send probes until each gatherer has one.
        let mut reached = [false; 2];
        while reached != [true; 2] {
            scatter.send("probe", 0).unwrap();
            let event = poller.wait(Some(Duration::from_secs(5))).expect("a probe got lost");
            assert_eq!(gatherers[event.token].recv_string(0).unwrap().unwrap(), "probe");
            reached[event.token] = true;
        }
        std::thread::scope(|s| {
            for t in 0..2 {
                let scatter = &scatter;
                s.spawn(move || {
                    for i in 0..PER_THREAD {
                        scatter.send(format!("{t}-{i}"), 0).unwrap();
                    }
                });
            }
        });
        let mut seen = BTreeSet::new();
        let mut per_gatherer = [0usize; 2];
        while seen.len() < 2 * PER_THREAD {
            let event = poller.wait(Some(Duration::from_secs(5))).expect("messages got lost");
            let text = gatherers[event.token].recv_string(0).unwrap().unwrap();
            assert!(seen.insert(text), "a message arrived twice");
            per_gatherer[event.token] += 1;
        }
        // Round-robin over two ready peers: each gets about half.
        for n in per_gatherer {
            assert!(n >= PER_THREAD / 2, "unbalanced: {per_gatherer:?}");
        }
    });
}

#[test]
fn peer_connect_peer_round_trip_from_two_threads() {
    within(LIMIT, || {
        let c = ctx();
        let a = ts(&c, zmq::PEER);
        let b = ts(&c, zmq::PEER);
        let a_id = b.connect_peer(&bind_tcp(&a)).unwrap();
        assert_ne!(a_id, 0);
        std::thread::scope(|s| {
            // `a` echoes two requests on its own thread while two threads of `b` send them.
            s.spawn(|| {
                for _ in 0..2 {
                    let msg = a.recv_msg(0).unwrap();
                    let from = msg.routing_id().expect("a PEER message carries the sender's id");
                    a.send_to(format!("echo {}", msg.as_str().unwrap()), from, 0).unwrap();
                }
            });
            for t in 0..2 {
                let b = &b;
                s.spawn(move || b.send_to(format!("hi {t}"), a_id, 0).unwrap());
            }
        });
        let mut replies = [b.recv_msg(0).unwrap(), b.recv_msg(0).unwrap()].map(|m| {
            assert_eq!(m.routing_id(), Some(a_id));
            m.as_str().unwrap().to_owned()
        });
        replies.sort();
        assert_eq!(replies, ["echo hi 0", "echo hi 1"]);
        assert_eq!(b.send_to("nobody", a_id + 1000, 0).unwrap_err(), Error::EHOSTUNREACH);
        // connect_peer needs a PEER socket, and cannot work with ZMQ_IMMEDIATE.
        assert_eq!(ts(&c, zmq::CLIENT).connect_peer("inproc://none").unwrap_err(), Error::ENOTSUP);
        b.set_immediate(true).unwrap();
        assert!(b.is_immediate().unwrap());
        assert_eq!(b.connect_peer("inproc://none").unwrap_err(), Error::EFAULT);
    });
}

#[test]
fn channel_sends_while_another_thread_blocks_in_recv() {
    within(LIMIT, || {
        let c = ctx();
        let a = ts(&c, zmq::CHANNEL);
        let b = ts(&c, zmq::CHANNEL);
        let ep = inproc("ts-channel");
        a.bind(&ep).unwrap();
        b.connect(&ep).unwrap();
        std::thread::scope(|s| {
            // This thread waits in a.recv while the main thread sends on `a`: libzmq releases the socket's
            // mutex while a receive waits.
            let waiting = s.spawn(|| a.recv_string(0).unwrap().unwrap());
            a.send("ping", 0).unwrap();
            assert_eq!(b.recv_string(0).unwrap().unwrap(), "ping");
            b.send("pong", 0).unwrap();
            assert_eq!(waiting.join().unwrap(), "pong");
        });
        let mut buf = [0u8; 2];
        b.send("long", 0).unwrap();
        assert_eq!(a.recv_into(&mut buf, 0).unwrap(), 4, "the full size is reported");
        assert_eq!(&buf, b"lo");
    });
}

#[test]
fn poller_on_one_thread_waits_while_others_use_the_socket() {
    within(LIMIT, || {
        let c = ctx();
        let server = ts(&c, zmq::SERVER);
        let client = ts(&c, zmq::CLIENT);
        let ep = inproc("ts-poller");
        server.bind(&ep).unwrap();
        client.connect(&ep).unwrap();
        std::thread::scope(|s| {
            let (ready_tx, ready_rx) = std::sync::mpsc::channel();
            let server = &server;
            let waiter = s.spawn(move || {
                let mut poller = Poller::new().unwrap();
                poller.add_thread_safe(server, 42, zmq::POLLIN).unwrap();
                ready_tx.send(()).unwrap();
                let event = poller.wait(Some(Duration::from_secs(5))).unwrap();
                poller.modify_thread_safe(server, zmq::POLLOUT).unwrap();
                poller.remove_thread_safe(server).unwrap();
                (event, server.recv_string(0).unwrap().unwrap())
            });
            ready_rx.recv().unwrap();
            // Option calls on the same socket while the poller waits on it.
            server.set_rcvhwm(500).unwrap();
            assert_eq!(server.get_rcvhwm().unwrap(), 500);
            server.set_linger_duration(Some(Duration::from_millis(10))).unwrap();
            assert_eq!(server.linger().unwrap(), Some(Duration::from_millis(10)));
            assert!(!server.get_events().unwrap().contains(zmq::POLLIN));
            client.send("wake", 0).unwrap();
            let (event, text) = waiter.join().unwrap();
            assert_eq!(event.token, 42);
            assert!(event.events.contains(zmq::POLLIN));
            assert_eq!(text, "wake");
        });
    });
}

#[test]
fn shutdown_wakes_every_thread_blocked_on_one_socket() {
    within(LIMIT, || {
        let c = ctx();
        let gather = ThreadSafeSocket::new(&c, zmq::GATHER).unwrap();
        gather.bind(&inproc("ts-shutdown")).unwrap();
        assert_eq!(gather.rcvtimeo().unwrap(), None, "no timeout: only shutdown can wake them");
        std::thread::scope(|s| {
            let waiters: Vec<_> = (0..3).map(|_| s.spawn(|| gather.recv_msg(0).map(drop))).collect();
            // The receives may not have started yet: shutdown also fails receives that start after it.
            c.shutdown().unwrap();
            for w in waiters {
                assert_eq!(w.join().unwrap(), Err(Error::ETERM));
            }
        });
    });
}

//! Faults between hosts, by messaging pattern: PUB/SUB across a partition and with a slow subscriber, ROUTER
//! with vanished and reconnecting peers, REQ with a late reply, CURVE across a partition. The hosts are network
//! namespaces (see `netns/mod.rs`); monitor events are the synchronisation and every wait has a deadline.

mod netns;

use std::time::{Duration, Instant};

use netns::{await_event, lab, Lab};
use zmq::SocketEvent;

const SECOND: Duration = Duration::from_secs(1);

fn socket(ctx: &zmq::Context, kind: zmq::SocketType) -> zmq::Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s
}

fn monitor(s: &zmq::Socket) -> zmq::Monitor<'_> {
    zmq::Monitor::for_socket(s, SocketEvent::ALL as i32).unwrap()
}

/// Heartbeats every 100 ms, a link silent for 500 ms is dead; reconnect every 50 ms.
fn resilient(s: &zmq::Socket) {
    s.set_heartbeat_ivl(100).unwrap();
    s.set_heartbeat_timeout(500).unwrap();
    s.set_reconnect_ivl(50).unwrap();
    s.set_connect_timeout(250).unwrap();
}

/// A socket of `kind` on the hub's context, prepared by `setup` and bound on every address; returns it with the
/// port.
fn hub_socket(
    lab: &Lab,
    ctx: &zmq::Context,
    kind: zmq::SocketType,
    setup: impl FnOnce(&zmq::Socket),
) -> (zmq::Socket, u16) {
    lab.enter(0, || {
        let s = socket(ctx, kind);
        setup(&s);
        let ep = s.bind_to("tcp://0.0.0.0:*").unwrap();
        let port = ep.rsplit(':').next().unwrap().parse().unwrap();
        (s, port)
    })
}

/// The hub's endpoint for `leaf`.
fn to_hub(lab: &Lab, leaf: usize, port: u16) -> String {
    format!("tcp://{}:{port}", lab.hub_addr(leaf))
}

/// A subscriber cut off by a partition reconnects by itself once the link heals and then receives what is
/// published from then on, never what was published while it was away.
#[test]
fn a_subscriber_that_reconnects_gets_new_messages_not_old_ones() {
    let Some(lab) = lab(1) else { return };
    let (hub, leaf) = (lab.context(0), lab.context(1));
    let (xpub, port) = hub_socket(&lab, &hub, zmq::XPUB, |s| {
        resilient(s);
        s.set_xpub_verbose(true).unwrap();
    });
    let pmon = monitor(&xpub);
    let sub = socket(&leaf, zmq::SUB);
    resilient(&sub);
    sub.set_subscribe(b"").unwrap();
    let smon = monitor(&sub);
    sub.connect(&to_hub(&lab, 1, port)).unwrap();
    assert_eq!(xpub.recv_bytes(0).unwrap(), b"\x01", "the subscription arrives");
    xpub.send("before", 0).unwrap();
    assert_eq!(sub.recv_string(0).unwrap().unwrap(), "before");

    lab.cut(1);
    xpub.send("old: published after the cut", 0).unwrap();
    await_event(&smon, SocketEvent::DISCONNECTED, 5 * SECOND);
    await_event(&pmon, SocketEvent::DISCONNECTED, 5 * SECOND);
    xpub.send("old: published while both sides know", 0).unwrap();
    lab.heal(1);
    await_event(&smon, SocketEvent::HANDSHAKE_SUCCEEDED, 10 * SECOND);
    // Until the subscription is through again, what is published is dropped: publish until something arrives.
    let deadline = Instant::now() + 10 * SECOND;
    let first = loop {
        xpub.send("new", 0).unwrap();
        if sub.poll(zmq::POLLIN, 50).unwrap() > 0 {
            break sub.recv_string(0).unwrap().unwrap();
        }
        assert!(Instant::now() < deadline, "nothing arrives after reconnecting");
    };
    assert_eq!(first, "new", "the first message after the reconnection is a new one");
}

/// Publishes `n` messages of `size` bytes while the fast subscriber reads each one and the slow one reads
/// nothing; returns how many sends succeeded before the first `EAGAIN` (all `n` if none), the longest send, how
/// many messages the slow subscriber got and the HWM. Without NODROP the sends use DONTWAIT; with it they block
/// for at most SNDTIMEO (200 ms).
///
/// The HWM is 100 although the fast subscriber never has more than one message queued: the publisher learns that
/// queued messages were taken only in batches of half the HWM, when it processes commands, so with a HWM of 10
/// even the fast subscriber's queue looked full and lost messages. For the same reason the publisher reads
/// ZMQ_EVENTS before each send (see there).
fn publish_past_a_slow_subscriber(nodrop: bool, n: usize, size: usize) -> (usize, Duration, usize, usize) {
    let Some(lab) = lab(2) else { return (0, Duration::ZERO, 0, 0) };
    let (hub, fast_ctx, slow_ctx) = (lab.context(0), lab.context(1), lab.context(2));
    let hwm = 100;
    let (xpub, port) = hub_socket(&lab, &hub, zmq::XPUB, |s| {
        s.set_sndhwm(hwm).unwrap();
        s.set_sndbuf(64 * 1024).unwrap();
        s.set_xpub_verbose(true).unwrap();
        s.set_xpub_nodrop(nodrop).unwrap();
        s.set_sndtimeo(200).unwrap();
    });
    let subscriber = |ctx: &zmq::Context, leaf| {
        let s = socket(ctx, zmq::SUB);
        s.set_rcvhwm(hwm).unwrap();
        s.set_rcvbuf(64 * 1024).unwrap();
        s.set_subscribe(b"").unwrap();
        s.connect(&to_hub(&lab, leaf, port)).unwrap();
        assert_eq!(xpub.recv_bytes(0).unwrap(), b"\x01");
        s
    };
    let (fast, slow) = (subscriber(&fast_ctx, 1), subscriber(&slow_ctx, 2));
    let body = vec![0u8; size];
    let (mut sent, mut longest) = (0, Duration::ZERO);
    for i in 0..n {
        let mut frame = (i as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(&body);
        // ZMQ_EVENTS processes the publisher's pending commands, among them the ones saying how much of each queue
        // was taken. A DONTWAIT send processes them at most once a millisecond, so a burst of sends within one
        // (HWM/2 = 50 fast round trips) could find even the fast subscriber's queue full, and drop its message.
        xpub.get_events().unwrap();
        let start = Instant::now();
        let result = xpub.send(frame, if nodrop { 0 } else { zmq::DONTWAIT });
        longest = longest.max(start.elapsed());
        match result {
            Ok(()) => sent += 1,
            Err(zmq::Error::EAGAIN) => break,
            Err(e) => panic!("send {i}: {e}"),
        }
        let got = fast.recv_bytes(0).unwrap_or_else(|e| panic!("fast subscriber, message {i}: {e}"));
        assert_eq!(got[..4], (i as u32).to_be_bytes(), "the fast subscriber gets every message");
    }
    if sent < n {
        // XPUB_NODROP: the send that failed waited for room, for SNDTIMEO.
        assert!(longest >= Duration::from_millis(150), "{longest:?}");
    }
    // The slow subscriber now reads what reached it, in order. Mostly the first messages; but while its side was
    // still taking data off the connection, its queue at the publisher could be full for one send and have room
    // for the next, so what it lost need not be the tail.
    slow.set_rcvtimeo(500).unwrap();
    let (mut got, mut last) = (0, None);
    while let Ok(frame) = slow.recv_bytes(0) {
        let number = u32::from_be_bytes(frame[..4].try_into().unwrap());
        assert!(last.is_none_or(|last| number > last), "in order: {number} after {last:?}");
        assert!((number as usize) < sent, "{number} was not published");
        last = Some(number);
        got += 1;
    }
    // It is still connected: what is published now reaches it.
    xpub.set_sndtimeo(5000).unwrap();
    xpub.send("end", 0).unwrap();
    assert_eq!(slow.recv_bytes(0).unwrap(), b"end");
    (sent, longest, got, hwm as usize)
}

/// A subscriber that does not read is dropped at the high-water mark: the publisher never blocks and never
/// fails, the fast subscriber gets everything, the slow one gets fewer than half of them, in order.
#[test]
fn a_slow_subscriber_is_dropped_at_the_hwm_and_the_publisher_never_blocks() {
    let n = 600;
    let (sent, longest, slow_got, hwm) = publish_past_a_slow_subscriber(false, n, 16 * 1024);
    if sent == 0 {
        return; // skipped
    }
    println!("publisher: {sent} sent, longest send {longest:?}; slow subscriber got {slow_got} (HWM {hwm})");
    assert_eq!(sent, n);
    assert!(slow_got < n / 2, "the slow subscriber lost messages: got {slow_got} of {n}");
    assert!(longest < Duration::from_millis(100), "a send took {longest:?}");
}

/// With XPUB_NODROP the publisher refuses (EAGAIN) instead of dropping: every message it accepted reaches the slow
/// subscriber too.
#[test]
fn xpub_nodrop_blocks_instead_of_dropping() {
    let n = 600;
    let (sent, _, slow_got, hwm) = publish_past_a_slow_subscriber(true, n, 16 * 1024);
    if sent == 0 {
        return; // skipped
    }
    println!("publisher: {sent} accepted before EAGAIN; slow subscriber got {slow_got} (HWM {hwm})");
    assert!(sent < n, "NODROP stops accepting once the slow subscriber's queue is full");
    assert_eq!(slow_got, sent, "nothing accepted is dropped");
}

/// ROUTER_MANDATORY turns a send to a peer that vanished (its link died, found by heartbeats) into
/// `EHOSTUNREACH`; without it the message is dropped silently.
#[test]
fn router_mandatory_reports_a_vanished_peer() {
    let Some(lab) = lab(1) else { return };
    let (hub, leaf) = (lab.context(0), lab.context(1));
    let (router, port) = hub_socket(&lab, &hub, zmq::ROUTER, |s| {
        resilient(s);
        s.set_router_mandatory(true).unwrap();
    });
    let rmon = monitor(&router);
    let dealer = socket(&leaf, zmq::DEALER);
    resilient(&dealer);
    dealer.set_routing_id(b"peer-a").unwrap();
    dealer.connect(&to_hub(&lab, 1, port)).unwrap();
    dealer.send("hello", 0).unwrap();
    assert_eq!(router.recv_multipart(0).unwrap(), [b"peer-a".to_vec(), b"hello".to_vec()]);
    router.send_multipart(["peer-a", "to you"], 0).unwrap();
    assert_eq!(dealer.recv_string(0).unwrap().unwrap(), "to you");

    lab.cut(1);
    await_event(&rmon, SocketEvent::DISCONNECTED, 5 * SECOND);
    // The event comes from the I/O thread; the ROUTER drops the peer's route when it next processes commands,
    // so a send right after the event may still be accepted (and lost with the connection).
    let deadline = Instant::now() + 5 * SECOND;
    let mut accepted = 0;
    loop {
        match router.send_multipart(["peer-a", "gone?"], 0) {
            Err(zmq::Error::EHOSTUNREACH) => break,
            Ok(()) => accepted += 1,
            Err(e) => panic!("{e}"),
        }
        assert!(Instant::now() < deadline, "still routable 5 s after DISCONNECTED");
        std::thread::sleep(Duration::from_millis(1));
    }
    println!("{accepted} sends accepted between DISCONNECTED and EHOSTUNREACH");
    router.set_router_mandatory(false).unwrap();
    router.send_multipart(["peer-a", "dropped"], 0).unwrap();
}

/// ROUTER_HANDOVER: a peer that reconnects under the same routing id while the ROUTER still holds its old,
/// half-open connection (the ROUTER has no heartbeats) takes the id over, so replies reach the new connection.
#[test]
fn router_handover_gives_a_reconnecting_identity_its_messages() {
    let Some(lab) = lab(1) else { return };
    let (hub, leaf) = (lab.context(0), lab.context(1));
    let (router, port) = hub_socket(&lab, &hub, zmq::ROUTER, |s| s.set_router_handover(true).unwrap());
    let dealer = socket(&leaf, zmq::DEALER);
    resilient(&dealer);
    dealer.set_routing_id(b"peer-x").unwrap();
    let dmon = monitor(&dealer);
    dealer.connect(&to_hub(&lab, 1, port)).unwrap();
    dealer.send("hello", 0).unwrap();
    assert_eq!(router.recv_multipart(0).unwrap(), [b"peer-x".to_vec(), b"hello".to_vec()]);

    lab.cut(1);
    await_event(&dmon, SocketEvent::DISCONNECTED, 5 * SECOND);
    lab.heal(1);
    await_event(&dmon, SocketEvent::HANDSHAKE_SUCCEEDED, 10 * SECOND);
    dealer.send("back", 0).unwrap();
    assert_eq!(router.recv_multipart(0).unwrap(), [b"peer-x".to_vec(), b"back".to_vec()]);
    router.send_multipart(["peer-x", "welcome back"], 0).unwrap();
    assert_eq!(dealer.recv_string(0).unwrap().unwrap(), "welcome back");
}

/// A REP answers a request while the link is cut; the REQ (REQ_RELAXED) gives up waiting and asks again. When the
/// link heals the late answer arrives first. With REQ_CORRELATE it is dropped and the REQ gets the answer to its
/// second request; without, the REQ takes the stale answer for the new request.
#[test]
fn req_correlate_drops_a_late_reply() {
    let Some(lab) = lab(1) else { return };
    for correlate in [true, false] {
        let (hub, leaf) = (lab.context(0), lab.context(1));
        let (rep, port) = hub_socket(&lab, &hub, zmq::REP, |_| {});
        let req = socket(&leaf, zmq::REQ);
        req.set_req_relaxed(true).unwrap();
        req.set_req_correlate(correlate).unwrap();
        req.connect(&to_hub(&lab, 1, port)).unwrap();
        req.send("first", 0).unwrap();
        assert_eq!(rep.recv_string(0).unwrap().unwrap(), "first");

        lab.cut(1);
        rep.send("answer to first", 0).unwrap(); // stuck in the partition
        req.set_rcvtimeo(300).unwrap();
        assert_eq!(req.recv_string(0), Err(zmq::Error::EAGAIN), "the link is down: no answer");
        req.send("second", 0).unwrap();
        lab.heal(1);
        // TCP retransmits: the late answer arrives, then the second request goes out and is answered.
        req.set_rcvtimeo(20_000).unwrap();
        rep.set_rcvtimeo(20_000).unwrap();
        assert_eq!(rep.recv_string(0).unwrap().unwrap(), "second");
        rep.send("answer to second", 0).unwrap();
        let got = req.recv_string(0).unwrap().unwrap();
        if correlate {
            assert_eq!(got, "answer to second");
        } else {
            assert_eq!(got, "answer to first", "without REQ_CORRELATE the stale answer is taken");
        }
    }
}

/// CURVE across a partition: the client's connection dies, it reconnects after healing and the handshake is
/// done again; a client with the wrong server key fails its handshake before and after, and none of its
/// messages ever reaches the server.
#[test]
fn curve_redoes_the_handshake_after_a_partition_and_a_wrong_key_never_gets_through() {
    let Some(lab) = lab(1) else { return };
    let (hub, leaf) = (lab.context(0), lab.context(1));
    let server_keys = zmq::CurveKeyPair::new().unwrap();
    let (pull, port) = hub_socket(&lab, &hub, zmq::PULL, |s| {
        resilient(s);
        s.set_curve_server(true).unwrap();
        s.set_curve_secretkey(&server_keys.secret_key).unwrap();
    });
    let client = |server_key: &[u8]| {
        let keys = zmq::CurveKeyPair::new().unwrap();
        let s = socket(&leaf, zmq::PUSH);
        resilient(&s);
        s.set_curve_serverkey(server_key).unwrap();
        s.set_curve_publickey(&keys.public_key).unwrap();
        s.set_curve_secretkey(&keys.secret_key).unwrap();
        s
    };
    let wrong_key = zmq::CurveKeyPair::new().unwrap().public_key;
    let good = client(&server_keys.public_key);
    let gmon = monitor(&good);
    good.connect(&to_hub(&lab, 1, port)).unwrap();
    await_event(&gmon, SocketEvent::HANDSHAKE_SUCCEEDED, 5 * SECOND);
    let bad_before = client(&wrong_key);
    let bmon = monitor(&bad_before);
    bad_before.connect(&to_hub(&lab, 1, port)).unwrap();
    // Queued, never delivered (or refused at once: the handshake may have failed already)
    assert!(matches!(bad_before.send("from the wrong key, before", zmq::DONTWAIT), Ok(()) | Err(zmq::Error::EAGAIN)));
    await_event(&bmon, SocketEvent::HANDSHAKE_FAILED_NO_DETAIL, 5 * SECOND);
    good.send("one", 0).unwrap();
    assert_eq!(pull.recv_string(0).unwrap().unwrap(), "one");

    lab.cut(1);
    await_event(&gmon, SocketEvent::DISCONNECTED, 5 * SECOND);
    lab.heal(1);
    await_event(&gmon, SocketEvent::HANDSHAKE_SUCCEEDED, 10 * SECOND);
    let bad_after = client(&wrong_key);
    let amon = monitor(&bad_after);
    bad_after.connect(&to_hub(&lab, 1, port)).unwrap();
    assert!(matches!(bad_after.send("from the wrong key, after", zmq::DONTWAIT), Ok(()) | Err(zmq::Error::EAGAIN)));
    await_event(&amon, SocketEvent::HANDSHAKE_FAILED_NO_DETAIL, 5 * SECOND);
    good.send("two", 0).unwrap();
    assert_eq!(pull.recv_string(0).unwrap().unwrap(), "two");
    assert_eq!(pull.recv_bytes(zmq::DONTWAIT), Err(zmq::Error::EAGAIN), "nothing from the wrong key");
}

//! `zmq::Multipart`: the frame-list operations, the envelope operations and their edge cases, sends and receives
//! on real sockets (brokers over inproc and tcp, zero-copy forwarding, atomicity, hand-back on failure), and
//! round-trip properties.

mod common;
#[path = "support/inproc_pair.rs"]
mod inproc_pair;

use std::time::Duration;

use common::{bind_tcp, ctx, socket, unique, within};
use inproc_pair::inproc_pair;
use proptest::prelude::*;
use zmq::{Error, Message, Multipart, Socket, SocketType};

fn frames(msg: &Multipart) -> Vec<Vec<u8>> {
    msg.iter().map(|frame| frame.to_vec()).collect()
}

fn mp<const N: usize>(parts: [&str; N]) -> Multipart {
    Multipart::from_iter(parts)
}

/// `(bound, connected)` sockets of the given types over `transport` ("inproc" or "tcp").
fn connected(ctx: &zmq::Context, transport: &str, bound: SocketType, connecting: SocketType) -> (Socket, Socket) {
    connected_as(ctx, transport, bound, connecting, None)
}

/// As `connected`, the connecting socket with a routing id if given.
fn connected_as(
    ctx: &zmq::Context,
    transport: &str,
    bound: SocketType,
    connecting: SocketType,
    routing_id: Option<&[u8]>,
) -> (Socket, Socket) {
    let server = socket(ctx, bound);
    let endpoint = match transport {
        "inproc" => {
            let endpoint = format!("inproc://{}", unique("multipart"));
            server.bind(&endpoint).unwrap();
            endpoint
        }
        _ => bind_tcp(&server),
    };
    let client = socket(ctx, connecting);
    if let Some(id) = routing_id {
        client.set_routing_id(id).unwrap();
    }
    client.connect(&endpoint).unwrap();
    (server, client)
}

#[test]
fn frame_list_operations() {
    let mut msg = Multipart::new();
    assert!(msg.is_empty());
    assert_eq!((msg.len(), msg.content_size()), (0, 0));
    assert!(msg.front().is_none() && msg.back().is_none() && msg.get(0).is_none() && msg.get_mut(0).is_none());
    assert!(msg.pop_front().is_none() && msg.pop_back().is_none());
    assert_eq!(msg, Multipart::default());

    msg.push_back("b");
    msg.push_front(vec![b'a'; 100]); // an owned buffer, taken without copying
    msg.push_back(Message::from("c"));
    msg.push_back(&b""[..]);
    assert_eq!((msg.len(), msg.content_size()), (4, 102));
    assert!(!msg.is_empty());
    assert_eq!(msg.front().unwrap().len(), 100);
    assert_eq!(msg.back().unwrap().len(), 0);
    assert_eq!(msg.get(1).unwrap().as_str(), Some("b"));
    assert_eq!(msg[2].as_str(), Some("c"));
    msg[2][0] = b'C';
    msg.get_mut(1).unwrap()[0] = b'B';
    for frame in msg.iter_mut().take(1) {
        frame[0] = b'A';
    }
    for frame in &mut msg {
        if frame.is_empty() {
            *frame = Message::from("d");
        }
    }
    assert_eq!(msg.iter().map(|f| f[0]).collect::<Vec<_>>(), b"ABCd");
    assert_eq!((&msg).into_iter().count(), 4);

    msg.extend(["e", "f"]);
    assert_eq!(msg.pop_back().unwrap().as_str(), Some("f"));
    assert_eq!(msg.pop_front().unwrap().len(), 100);
    assert_eq!(frames(&msg), [b"B".to_vec(), b"C".to_vec(), b"d".to_vec(), b"e".to_vec()]);

    let copy = msg.clone();
    assert_eq!(copy, msg);
    assert_ne!(copy, mp(["B", "C", "d"]));
    assert_ne!(mp(["ab"]), mp(["a", "b"]), "equal bytes in other frames are another message");
    assert_eq!(format!("{:?}", mp(["a", ""])), "Multipart[[97], []]");

    let vec = msg.into_vec();
    assert_eq!(vec.len(), 4);
    let msg = Multipart::from(vec);
    let owned: Vec<Message> = msg.clone().into_iter().collect();
    assert_eq!(Vec::<Message>::from(msg.clone()), owned);
    assert_eq!(Multipart::from(std::collections::VecDeque::from(owned)), msg);
    assert_eq!(Multipart::from_iter(&msg), msg, "frames by reference are copied");
    assert_eq!(Multipart::with_capacity(8), Multipart::new());

    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<Multipart>(); // as its frames are
}

#[test]
fn share_refers_to_the_same_buffers() {
    let mut msg = Multipart::from_iter([vec![7u8; 1000], vec![8u8; 2000]]);
    let pointers: Vec<_> = msg.iter().map(|f| f.as_ptr()).collect();
    let mut shared = msg.share();
    assert_eq!(shared.iter().map(|f| f.as_ptr()).collect::<Vec<_>>(), pointers);
    assert!(msg.iter().chain(shared.iter()).all(Message::is_shared));
    shared[0][0] = 0; // copy on write: the original is untouched
    assert_eq!(msg[0][0], 7);
    assert_ne!(shared[0].as_ptr(), pointers[0]);
    let cloned = msg.clone();
    assert_ne!(cloned[1].as_ptr(), pointers[1], "Clone copies the bytes");
}

#[test]
fn push_address_and_pop_address() {
    let mut msg = mp(["body"]);
    msg.push_address("addr");
    assert_eq!(msg, mp(["addr", "", "body"]));
    assert_eq!(msg.pop_address().unwrap().as_str(), Some("addr"));
    assert_eq!(msg, mp(["body"]));

    // Several hops: each wrap adds an address and a delimiter; unwrap takes them off in reverse.
    msg.push_address("hop 1");
    msg.push_address("hop 2");
    assert_eq!(msg, mp(["hop 2", "", "hop 1", "", "body"]));
    assert_eq!(msg.pop_address().unwrap().as_str(), Some("hop 2"));
    assert_eq!(msg.pop_address().unwrap().as_str(), Some("hop 1"));
    assert_eq!(msg, mp(["body"]));

    // An empty message: wrap works, unwrap gives None and changes nothing.
    let mut empty = Multipart::new();
    assert!(empty.pop_address().is_none());
    assert!(empty.is_empty());
    empty.push_address("addr");
    assert_eq!(empty, mp(["addr", ""]));
    assert_eq!(empty.pop_address().unwrap().as_str(), Some("addr"));
    assert!(empty.is_empty());

    // An address alone, and an address followed by a frame that is not a delimiter (a DEALER's message at a
    // ROUTER): only the address goes.
    let mut address_only = mp(["addr"]);
    assert_eq!(address_only.pop_address().unwrap().as_str(), Some("addr"));
    assert!(address_only.is_empty());
    let mut no_delimiter = mp(["addr", "body", ""]);
    assert_eq!(no_delimiter.pop_address().unwrap().as_str(), Some("addr"));
    assert_eq!(no_delimiter, mp(["body", ""]));
    // Only one delimiter goes, even if the body starts with an empty frame.
    let mut two_empty = mp(["addr", "", ""]);
    two_empty.pop_address();
    assert_eq!(two_empty, mp([""]));
}

#[test]
fn envelopes() {
    let request = mp(["id 2", "id 1", "", "request", "", "tail"]);
    let hops: Vec<_> = request.envelope().unwrap().map(|f| f.to_vec()).collect();
    assert_eq!(hops, [b"id 2".to_vec(), b"id 1".to_vec()]);

    let (envelope, body) = request.clone().split_envelope().unwrap();
    assert_eq!(envelope, mp(["id 2", "id 1"]));
    assert_eq!(body, mp(["request", "", "tail"]), "only the first empty frame is the delimiter");
    assert_eq!(Multipart::join(envelope.clone(), body.clone()), request);

    let mut in_place = request.clone();
    assert_eq!(in_place.take_envelope().unwrap(), envelope);
    assert_eq!(in_place, body);
    in_place.push_envelope(envelope);
    assert_eq!(in_place, request);

    // No delimiter: None / Err with the message, unchanged.
    let dealer = mp(["id", "body"]);
    assert!(dealer.envelope().is_none());
    assert_eq!(dealer.clone().split_envelope().unwrap_err(), dealer);
    let mut unchanged = dealer.clone();
    assert!(unchanged.take_envelope().is_none());
    assert_eq!(unchanged, dealer);
    let mut nothing = Multipart::new();
    assert!(nothing.envelope().is_none() && nothing.take_envelope().is_none());
    assert_eq!(Multipart::new().split_envelope().unwrap_err(), Multipart::new());

    // The delimiter first (a REQ's request as a DEALER or REP-less peer sees it): an empty envelope.
    let (envelope, body) = mp(["", "body"]).split_envelope().unwrap();
    assert!(envelope.is_empty());
    assert_eq!(body, mp(["body"]));
    assert_eq!(Multipart::join(envelope, body), mp(["", "body"]));
    assert_eq!(mp(["", "body"]).envelope().unwrap().count(), 0);

    // An address and delimiter only: an empty body.
    let (envelope, body) = mp(["id", ""]).split_envelope().unwrap();
    assert_eq!((envelope, body.len()), (mp(["id"]), 0));
    assert_eq!(Multipart::join(mp(["id"]), Multipart::new()), mp(["id", ""]));
    let mut reply = Multipart::new();
    reply.push_envelope(Multipart::new());
    assert_eq!(reply, mp([""]));
}

#[test]
fn empty_multipart_sends_nothing() {
    let ctx = ctx();
    let (tx, rx) = inproc_pair(&ctx, "empty-send");
    Multipart::new().send(&tx, 0).unwrap();
    assert!(Multipart::new().try_send(&tx, zmq::DONTWAIT).is_ok());
    mp(["after"]).send(&tx, 0).unwrap();
    assert_eq!(Multipart::recv(&rx, 0).unwrap(), mp(["after"]), "nothing was sent before it");
    assert_eq!(Multipart::recv(&rx, zmq::DONTWAIT), Err(Error::EAGAIN));
}

#[test]
fn recv_and_send_keep_every_frame() {
    for transport in ["inproc", "tcp"] {
        let ctx = ctx();
        let (pull, push) = connected(&ctx, transport, zmq::PULL, zmq::PUSH);
        let sent = Multipart::from_iter([vec![], vec![1u8; 10], vec![2u8; 100_000], vec![]]);
        sent.clone().send(&push, 0).unwrap();
        mp(["single"]).send(&push, 0).unwrap();
        let received = Multipart::recv(&pull, 0).unwrap();
        assert_eq!(received, sent, "{transport}");
        assert!(received.iter().take(3).all(Message::get_more) && !received[3].get_more());
        assert_eq!(Multipart::recv(&pull, 0).unwrap(), mp(["single"]));
        // Socket::send_multipart takes a Multipart too.
        push.send_multipart(sent.clone(), 0).unwrap();
        assert_eq!(Multipart::recv(&pull, 0).unwrap(), sent);
        // Nothing waiting: EAGAIN without DONTWAIT after RCVTIMEO, and at once with it.
        pull.set_rcvtimeo(20).unwrap();
        assert_eq!(Multipart::recv(&pull, 0), Err(Error::EAGAIN));
        assert_eq!(Multipart::recv(&pull, zmq::DONTWAIT), Err(Error::EAGAIN));
    }
}

/// The load-balancing broker of the zguide: clients (REQ) at a ROUTER frontend, workers (REQ) at a ROUTER
/// backend; the broker wraps each request in the worker's address and unwraps the replies; the worker answers
/// with split_envelope/join.
fn load_balancing_broker(transport: &str) {
    let ctx = ctx();
    let (frontend, client) = connected_as(&ctx, transport, zmq::ROUTER, zmq::REQ, Some(b"client"));
    let (backend, worker) = connected_as(&ctx, transport, zmq::ROUTER, zmq::REQ, Some(b"worker"));

    worker.send("READY", 0).unwrap();
    let mut ready = Multipart::recv(&backend, 0).unwrap();
    assert_eq!(ready.len(), 3, "[worker] [] [READY]");
    let worker_address = ready.pop_address().unwrap();
    assert_eq!(worker_address.as_str(), Some("worker"));
    assert_eq!(ready, mp(["READY"]));

    for i in 0..5 {
        client.send(format!("request {i}").as_str(), 0).unwrap();
        let mut request = Multipart::recv(&frontend, 0).unwrap();
        let client_address = request.front().unwrap().clone();
        assert_eq!(client_address.as_str(), Some("client"));
        assert_eq!(request.len(), 3, "[client] [] [request]");
        request.push_address(worker_address.clone());
        request.send(&backend, 0).unwrap();

        let (envelope, body) = Multipart::recv(&worker, 0).unwrap().split_envelope().unwrap();
        assert_eq!(envelope, Multipart::from_iter([client_address.clone()]));
        assert_eq!(body, mp([format!("request {i}").as_str()]));
        Multipart::join(envelope, mp([format!("reply {i}").as_str()])).send(&worker, 0).unwrap();

        let mut reply = Multipart::recv(&backend, 0).unwrap();
        assert_eq!(reply.len(), 5, "[worker] [] [client] [] [reply]");
        assert_eq!(reply.pop_address().unwrap(), worker_address);
        assert_eq!(reply.front(), Some(&client_address));
        reply.send(&frontend, 0).unwrap();
        assert_eq!(client.recv_string(0).unwrap().unwrap(), format!("reply {i}"));
    }
}

#[test]
fn load_balancing_broker_inproc() {
    within(Duration::from_secs(30), || load_balancing_broker("inproc"));
}

#[test]
fn load_balancing_broker_tcp() {
    within(Duration::from_secs(30), || load_balancing_broker("tcp"));
}

/// REQ → ROUTER | DEALER → ROUTER server: the server sees two routing ids before the delimiter, answers with the
/// envelope it took off, and the broker forwards the frames unchanged both ways.
fn two_hops(transport: &str) {
    let ctx = ctx();
    let (frontend, client) = connected(&ctx, transport, zmq::ROUTER, zmq::REQ);
    let (server, backend) = connected(&ctx, transport, zmq::ROUTER, zmq::DEALER);
    for i in 0..5 {
        client.send_multipart(["sum", "40", &i.to_string()], 0).unwrap();
        Multipart::recv(&frontend, 0).unwrap().send(&backend, 0).unwrap();

        let request = Multipart::recv(&server, 0).unwrap();
        assert_eq!(request.envelope().unwrap().count(), 2, "[dealer] [client] [] [sum] [40] [i]");
        let (envelope, body) = request.split_envelope().unwrap();
        let sum: i32 = body.iter().skip(1).map(|n| n.as_str().unwrap().parse::<i32>().unwrap()).sum();
        Multipart::join(envelope, mp([sum.to_string().as_str()])).send(&server, 0).unwrap();

        let reply = Multipart::recv(&backend, 0).unwrap();
        assert_eq!(reply.len(), 3, "[client] [] [sum]");
        reply.send(&frontend, 0).unwrap();
        assert_eq!(client.recv_string(0).unwrap().unwrap(), (40 + i).to_string());
    }
}

#[test]
fn two_hops_inproc() {
    within(Duration::from_secs(30), || two_hops("inproc"));
}

#[test]
fn two_hops_tcp() {
    within(Duration::from_secs(30), || two_hops("tcp"));
}

/// Over inproc libzmq hands the receiver the sender's very buffer; a Multipart keeps it, so a frame forwarded
/// through a broker arrives at the far end with the data pointer the first sender made.
#[test]
fn forwarding_is_zero_copy_over_inproc() {
    let ctx = ctx();
    let (tx, broker_in) = inproc_pair(&ctx, "zero-copy-in");
    let (broker_out, rx) = inproc_pair(&ctx, "zero-copy-out");
    let payloads = [vec![1u8; 4096], vec![2u8; 1 << 20]];
    let pointers: Vec<*const u8> = payloads.iter().map(|p| p.as_ptr()).collect();
    let mut sent = Multipart::from_iter(payloads);
    sent.push_front("small, stored inside the zmq_msg_t");
    sent.send(&tx, 0).unwrap();

    let forwarded = Multipart::recv(&broker_in, 0).unwrap();
    assert_eq!(forwarded.iter().skip(1).map(|f| f.as_ptr()).collect::<Vec<_>>(), pointers);
    forwarded.send(&broker_out, 0).unwrap();
    let received = Multipart::recv(&rx, 0).unwrap();
    assert_eq!(received.iter().skip(1).map(|f| f.as_ptr()).collect::<Vec<_>>(), pointers);
    assert_eq!(received[0].as_str(), Some("small, stored inside the zmq_msg_t"));
    assert!(received[2].iter().all(|&b| b == 2));
}

/// A message is visible to the receiver only when its last frame is sent: until then a DONTWAIT receive finds
/// nothing (and takes nothing), afterwards it gets every frame.
#[test]
fn dontwait_never_receives_half_a_message() {
    for transport in ["inproc", "tcp"] {
        within(Duration::from_secs(30), move || {
            let ctx = ctx();
            let (rx, tx) = connected(&ctx, transport, zmq::PAIR, zmq::PAIR);
            mp(["whole"]).send(&tx, 0).unwrap();
            assert_eq!(rx.poll(zmq::POLLIN, 5000).unwrap(), 1);
            assert_eq!(Multipart::recv(&rx, zmq::DONTWAIT).unwrap(), mp(["whole"]));

            tx.send("first", zmq::SNDMORE).unwrap();
            tx.send("second", zmq::SNDMORE).unwrap();
            assert_eq!(rx.poll(zmq::POLLIN, 200).unwrap(), 0, "{transport}: a partial message is not readable");
            assert_eq!(Multipart::recv(&rx, zmq::DONTWAIT), Err(Error::EAGAIN));
            tx.send("last", 0).unwrap();
            assert_eq!(rx.poll(zmq::POLLIN, 5000).unwrap(), 1);
            assert_eq!(Multipart::recv(&rx, zmq::DONTWAIT).unwrap(), mp(["first", "second", "last"]));
        });
    }
}

/// Large frames over tcp arrive in many reads, yet every DONTWAIT receive gets a whole message or EAGAIN.
#[test]
fn dontwait_over_tcp_gets_whole_large_messages() {
    within(Duration::from_secs(60), || {
        let ctx = ctx();
        let (pull, push) = connected(&ctx, "tcp", zmq::PULL, zmq::PUSH);
        const COUNT: u8 = 10;
        let sender = std::thread::spawn(move || {
            for i in 0..COUNT {
                let msg = Multipart::from_iter([vec![i], vec![i; 1 << 20], vec![i; 300_000], vec![i; 3]]);
                msg.send(&push, 0).unwrap();
            }
            push
        });
        let (mut received, mut would_block) = (0, 0);
        while received < COUNT {
            match Multipart::recv(&pull, zmq::DONTWAIT) {
                Ok(msg) => {
                    let lengths: Vec<_> = msg.iter().map(|f| f.len()).collect();
                    assert_eq!(lengths, [1, 1 << 20, 300_000, 3]);
                    assert!(msg.iter().all(|f| f.iter().all(|&b| b == received)));
                    received += 1;
                }
                Err(Error::EAGAIN) => {
                    would_block += 1;
                    assert_eq!(pull.poll(zmq::POLLIN, 5000).unwrap(), 1, "the sender stalled");
                }
                Err(e) => panic!("{e}"),
            }
        }
        drop(sender.join().unwrap());
        assert!(would_block > 0, "the receiver never had to wait: the test did not exercise partial arrivals");
    });
}

#[test]
fn try_send_hands_back_an_unroutable_message() {
    let ctx = ctx();
    let router = socket(&ctx, zmq::ROUTER);
    router.set_router_mandatory(true).unwrap();
    let payload = vec![9u8; 5000];
    let pointer = payload.as_ptr();
    let mut msg = Multipart::from_iter([b"nobody".to_vec(), Vec::new(), payload]);
    for flags in [0, zmq::DONTWAIT] {
        let (error, back) = msg.share().try_send(&router, flags).unwrap_err();
        assert_eq!(error, Error::EHOSTUNREACH);
        assert_eq!(back, msg);
        assert_eq!(back[2].as_ptr(), pointer, "the frames come back as they were, not copies");
    }
    assert_eq!(msg.send(&router, 0), Err(Error::EHOSTUNREACH));

    // Without ROUTER_MANDATORY libzmq drops unroutable messages silently, as documented.
    let lax = socket(&ctx, zmq::ROUTER);
    assert!(mp(["nobody", "", "hello"]).try_send(&lax, zmq::DONTWAIT).is_ok());
}

#[test]
fn try_send_at_the_high_water_mark_hands_back_the_whole_message() {
    within(Duration::from_secs(30), || {
        let ctx = ctx();
        let endpoint = format!("inproc://{}", unique("hwm"));
        let pull = socket(&ctx, zmq::PULL);
        pull.set_rcvhwm(1).unwrap();
        pull.bind(&endpoint).unwrap();
        let push = socket(&ctx, zmq::PUSH);
        push.set_sndhwm(1).unwrap();
        push.connect(&endpoint).unwrap();

        let mut queued = 0;
        while mp(["filler"]).try_send(&push, zmq::DONTWAIT).is_ok() {
            queued += 1;
            assert!(queued < 1000, "the high-water mark never applied");
        }
        assert!(queued > 0);
        let msg = Multipart::from_iter([b"first".to_vec(), vec![3u8; 4096], b"last".to_vec()]);
        let (error, back) = msg.clone().try_send(&push, zmq::DONTWAIT).unwrap_err();
        assert_eq!(error, Error::EAGAIN);
        assert_eq!(back, msg, "the first frame was refused: nothing was sent");
        // A send timeout is refused at the first frame too.
        push.set_sndtimeo(10).unwrap();
        let (error, back) = back.try_send(&push, 0).unwrap_err();
        assert_eq!((error, back.len()), (Error::EAGAIN, 3));

        for _ in 0..queued {
            assert_eq!(Multipart::recv(&pull, 0).unwrap(), mp(["filler"]));
        }
        push.set_sndtimeo(5000).unwrap();
        back.try_send(&push, 0).unwrap(); // the retry, once the queue has room
        assert_eq!(Multipart::recv(&pull, 0).unwrap(), msg);
        assert_eq!(Multipart::recv(&pull, zmq::DONTWAIT), Err(Error::EAGAIN), "nothing else arrived");
    });
}

#[test]
fn try_send_hands_back_on_other_first_frame_errors() {
    let ctx = ctx();
    // No peer at all.
    let push = socket(&ctx, zmq::PUSH);
    let (error, back) = mp(["a", "b"]).try_send(&push, zmq::DONTWAIT).unwrap_err();
    assert_eq!((error, back), (Error::EAGAIN, mp(["a", "b"])));
    // A REQ socket that must receive before it sends again.
    let (rep, req) = connected(&ctx, "inproc", zmq::REP, zmq::REQ);
    mp(["request"]).send(&req, 0).unwrap();
    let (error, back) = mp(["again"]).try_send(&req, 0).unwrap_err();
    assert_eq!((error, back), (Error::EFSM, mp(["again"])));
    assert_eq!(Multipart::recv(&rep, 0).unwrap(), mp(["request"]));
    // A context shut down.
    let pull = socket(&ctx, zmq::PULL);
    ctx.shutdown().unwrap();
    let (error, back) = mp(["late", "frames"]).try_send(&push, 0).unwrap_err();
    assert_eq!((error, back), (Error::ETERM, mp(["late", "frames"])));
    assert_eq!(Multipart::recv(&pull, 0), Err(Error::ETERM));
    drop(rep);
}

fn frame_list(max_frames: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    // Sizes on both sides of libzmq's 33-byte inline limit.
    proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..max_frames)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn push_address_then_pop_address_is_identity(body in frame_list(8), address in proptest::collection::vec(any::<u8>(), 0..40)) {
        let original = Multipart::from_iter(body);
        let mut msg = original.clone();
        msg.push_address(address.clone());
        prop_assert_eq!(msg.len(), original.len() + 2);
        prop_assert_eq!(&msg[0][..], &address[..]);
        prop_assert_eq!(msg.pop_address().map(|a| a.to_vec()), Some(address));
        prop_assert_eq!(msg, original);
    }

    #[test]
    fn join_then_split_is_identity(
        envelope in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..40), 0..5),
        body in frame_list(6),
    ) {
        let (envelope, body) = (Multipart::from_iter(envelope), Multipart::from_iter(body));
        let joined = Multipart::join(envelope.clone(), body.clone());
        prop_assert_eq!(joined.len(), envelope.len() + 1 + body.len());
        prop_assert_eq!(joined.envelope().map(Iterator::count), Some(envelope.len()));
        let mut in_place = joined.clone();
        let taken = in_place.take_envelope();
        prop_assert_eq!(taken.as_ref(), Some(&envelope));
        prop_assert_eq!(&in_place, &body);
        in_place.push_envelope(envelope.clone());
        prop_assert_eq!(&in_place, &joined);
        prop_assert_eq!(joined.split_envelope().ok(), Some((envelope, body)));
    }

    #[test]
    fn split_then_join_is_identity(parts in frame_list(8)) {
        let has_delimiter = parts.iter().any(Vec::is_empty);
        let original = Multipart::from_iter(parts);
        match original.clone().split_envelope() {
            Ok((envelope, body)) => {
                prop_assert!(has_delimiter);
                prop_assert!(envelope.iter().all(|frame| !frame.is_empty()));
                prop_assert_eq!(Multipart::join(envelope, body), original);
            }
            Err(unchanged) => {
                prop_assert!(!has_delimiter);
                prop_assert_eq!(unchanged, original);
            }
        }
    }
}

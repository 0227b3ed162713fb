//! `AsyncSocket` (feature `tokio`): delivery under random yields and cancellations, split reader and writer
//! tasks under back-pressure, whole-or-nothing multipart sends, shutdown and drop with futures pending, and an
//! idle socket's CPU cost. Every test runs under a watchdog; most run on both runtime flavours.
#![cfg(feature = "tokio")]

mod common;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use zmq::{AsyncSocket, Message};

/// A small deterministic generator (xorshift64*), seeded per test and printed, so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn new(tag: &str) -> Rng {
        let seed = std::env::var("ZMQ_ASYNC_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64 | 1
        });
        eprintln!("{tag}: ZMQ_ASYNC_SEED={seed}");
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Runs `body` on a current-thread and then on a multi-thread runtime, each under a watchdog.
fn on_both_runtimes<F, Fut>(limit: Duration, body: F)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let body = Arc::new(body);
    for make in [current_thread as fn() -> tokio::runtime::Runtime, multi_thread] {
        let body = Arc::clone(&body);
        common::within(limit, move || make().block_on(async move { tokio::spawn(body()).await.unwrap() }));
    }
}

fn ctx() -> zmq::Context {
    common::ctx()
}

/// A bound async socket and its endpoint.
fn bound(ctx: &zmq::Context, kind: zmq::SocketType, endpoint: &str) -> (AsyncSocket, String) {
    let socket = AsyncSocket::new(ctx, kind).unwrap();
    socket.bind(endpoint).unwrap();
    let endpoint = socket.last_endpoint().unwrap();
    (socket, endpoint)
}

fn connected(ctx: &zmq::Context, kind: zmq::SocketType, endpoint: &str) -> AsyncSocket {
    connected_with(ctx, kind, endpoint, |_| Ok(()))
}

/// Options are set before connecting: libzmq applies a HWM changed later to the existing pipe's writer end only,
/// and a writer at such a HWM may never be woken (its reader sends a "can write" only at the old low-water mark).
fn connected_with(
    ctx: &zmq::Context,
    kind: zmq::SocketType,
    endpoint: &str,
    options: impl FnOnce(&zmq::Socket) -> zmq::Result<()>,
) -> AsyncSocket {
    let socket = AsyncSocket::new(ctx, kind).unwrap();
    socket.with_socket(options).unwrap();
    socket.connect(endpoint).unwrap();
    socket
}

fn bound_with(
    ctx: &zmq::Context,
    kind: zmq::SocketType,
    endpoint: &str,
    options: impl FnOnce(&zmq::Socket) -> zmq::Result<()>,
) -> (AsyncSocket, String) {
    let socket = AsyncSocket::new(ctx, kind).unwrap();
    socket.with_socket(options).unwrap();
    socket.bind(endpoint).unwrap();
    let endpoint = socket.last_endpoint().unwrap();
    (socket, endpoint)
}

fn seq_of(frame: &[u8]) -> u64 {
    u64::from_le_bytes(frame[..8].try_into().unwrap())
}

/// Sends `count` numbered multipart messages of `frames` frames, cancelling a random share of the sends with a
/// zero timeout (a cancelled send is retried: it must have sent nothing) and yielding at random.
///
/// Returns the socket, so that the caller keeps it open until everything arrived (the tests' contexts have LINGER 0:
/// closing the socket would drop what is still queued).
async fn send_numbered(
    socket: AsyncSocket,
    count: u64,
    frames: usize,
    mut rng: Rng,
    envelope: Option<Vec<u8>>,
) -> AsyncSocket {
    let mut seq = 0;
    let mut cancelled = 0u64;
    while seq < count {
        let mut msg: Vec<Vec<u8>> = envelope.iter().cloned().collect();
        msg.extend((0..frames).map(|i| {
            let mut frame = seq.to_le_bytes().to_vec();
            frame.push(i as u8);
            frame
        }));
        match rng.below(8) {
            0 => {
                if tokio::time::timeout(Duration::ZERO, socket.send_multipart(msg, 0)).await.is_err() {
                    cancelled += 1;
                    continue;
                }
            }
            1 => {
                tokio::task::yield_now().await;
                socket.send_multipart(msg, 0).await.unwrap();
            }
            _ => socket.send_multipart(msg, 0).await.unwrap(),
        }
        seq += 1;
    }
    eprintln!("sender: {count} sent, {cancelled} sends cancelled and retried");
    socket
}

/// Receives `count` numbered messages, in order, each whole; cancels a random share of the receives.
async fn recv_numbered(socket: AsyncSocket, count: u64, frames: usize, mut rng: Rng, envelope: bool) -> AsyncSocket {
    let mut next = 0;
    let mut cancelled = 0u64;
    let mut reused = Vec::new();
    while next < count {
        let parts = match rng.below(8) {
            0 => match tokio::time::timeout(Duration::ZERO, socket.recv_multipart()).await {
                Ok(parts) => parts.unwrap(),
                Err(_) => {
                    cancelled += 1;
                    continue;
                }
            },
            1 => {
                tokio::task::yield_now().await;
                socket.recv_multipart_into(&mut reused).await.unwrap();
                std::mem::take(&mut reused)
            }
            _ => socket.recv_multipart().await.unwrap(),
        };
        let body = &parts[usize::from(envelope)..];
        assert_eq!(body.len(), frames, "message {next}: frames {parts:?}");
        for (i, frame) in body.iter().enumerate() {
            assert_eq!(seq_of(frame), next, "message out of order or lost");
            assert_eq!(frame[8], i as u8);
        }
        next += 1;
    }
    eprintln!("receiver: {count} received, {cancelled} receives cancelled");
    socket
}

#[test]
fn push_pull_every_message_once_in_order() {
    on_both_runtimes(Duration::from_secs(60), || async {
        let ctx = ctx();
        // Small HWMs, so the sender waits for POLLOUT often.
        let (pull, endpoint) = bound_with(&ctx, zmq::PULL, "tcp://127.0.0.1:*", |s| s.set_rcvhwm(50));
        let push = connected_with(&ctx, zmq::PUSH, &endpoint, |s| s.set_sndhwm(50));
        let count = 150_000;
        let sender = tokio::spawn(send_numbered(push, count, 1, Rng::new("push"), None));
        recv_numbered(pull, count, 1, Rng::new("pull"), false).await;
        drop(sender.await.unwrap());
    });
}

#[test]
fn dealer_router_multipart_every_message_once_in_order() {
    on_both_runtimes(Duration::from_secs(60), || async {
        let ctx = ctx();
        // ROUTER_MANDATORY: at a peer's HWM the ROUTER says EAGAIN (and the sender waits) instead of dropping.
        let (router, endpoint) =
            bound_with(&ctx, zmq::ROUTER, &format!("ipc:///tmp/{}.ipc", common::unique("dr")), |s| {
                s.set_router_mandatory(true).and(s.set_sndhwm(20))
            });
        let dealer = connected_with(&ctx, zmq::DEALER, &endpoint, |s| {
            s.set_identity(b"dealer").and(s.set_sndhwm(20)).and(s.set_rcvhwm(20))
        });
        let count = 60_000;
        let sender = tokio::spawn(send_numbered(dealer.clone(), count, 3, Rng::new("dealer"), None));
        let router = recv_numbered(router, count, 3, Rng::new("router"), true).await;
        drop(sender.await.unwrap());
        // And back: ROUTER to DEALER with the envelope.
        let sender = tokio::spawn(send_numbered(router, count / 2, 2, Rng::new("router"), Some(b"dealer".to_vec())));
        recv_numbered(dealer, count / 2, 2, Rng::new("dealer"), false).await;
        drop(sender.await.unwrap());
    });
}

#[test]
fn pub_sub_with_nodrop_every_message_once_in_order() {
    on_both_runtimes(Duration::from_secs(60), || async {
        let ctx = ctx();
        // XPUB_NODROP: at the HWM the publisher gets EAGAIN (and waits for POLLOUT) instead of dropping.
        let (publisher, endpoint) = bound_with(&ctx, zmq::XPUB, &format!("inproc://{}", common::unique("ps")), |s| {
            s.set_xpub_nodrop(true).and(s.set_sndhwm(100))
        });
        let subscriber = connected_with(&ctx, zmq::SUB, &endpoint, |s| s.set_rcvhwm(100));
        subscriber.set_subscribe(b"").unwrap();
        // The XPUB sees the subscription: from then on nothing is dropped.
        let subscription = publisher.recv_msg().await.unwrap();
        assert_eq!(&subscription[..], b"\x01");
        let count = 150_000;
        let sender = tokio::spawn(send_numbered(publisher, count, 1, Rng::new("pub"), None));
        recv_numbered(subscriber, count, 1, Rng::new("sub"), false).await;
        drop(sender.await.unwrap());
    });
}

#[test]
fn req_rep_round_trips_with_cancelled_receives() {
    on_both_runtimes(Duration::from_secs(60), || async {
        let ctx = ctx();
        let (rep, endpoint) = bound(&ctx, zmq::REP, "tcp://127.0.0.1:*");
        let req = connected(&ctx, zmq::REQ, &endpoint);
        let count = 20_000u64;
        let server = tokio::spawn(async move {
            for _ in 0..count {
                let request = rep.recv_msg().await.unwrap();
                rep.send(request, 0).await.unwrap();
            }
        });
        let mut rng = Rng::new("req");
        let mut cancelled = 0;
        for seq in 0..count {
            req.send(&seq.to_le_bytes()[..], 0).await.unwrap();
            // A cancelled receive leaves the reply queued (the REQ still waits for it): receive it again.
            let reply = loop {
                if rng.below(4) == 0 {
                    match tokio::time::timeout(Duration::ZERO, req.recv_msg()).await {
                        Ok(reply) => break reply.unwrap(),
                        Err(_) => cancelled += 1,
                    }
                } else {
                    break req.recv_msg().await.unwrap();
                }
            };
            assert_eq!(seq_of(&reply), seq);
        }
        server.await.unwrap();
        eprintln!("req: {count} round trips, {cancelled} receives cancelled");
    });
}

#[test]
fn cancelled_req_recv_then_send_is_efsm_unless_relaxed() {
    on_both_runtimes(Duration::from_secs(20), || async {
        let ctx = ctx();
        let (rep, endpoint) = bound(&ctx, zmq::REP, &format!("inproc://{}", common::unique("req")));
        let req = connected(&ctx, zmq::REQ, &endpoint);
        req.send("first", 0).await.unwrap();
        assert_eq!(rep.recv_msg().await.unwrap().as_str(), Some("first"));
        // The receive is cancelled before any reply exists.
        assert!(tokio::time::timeout(Duration::from_millis(5), req.recv_msg()).await.is_err());
        assert_eq!(req.send("second", 0).await, Err(zmq::Error::EFSM));

        let relaxed = connected(&ctx, zmq::REQ, &endpoint);
        relaxed.with_socket(|s| s.set_req_relaxed(true).and(s.set_req_correlate(true))).unwrap();
        relaxed.send("one", 0).await.unwrap();
        // `rep` still owes "first" its reply; answer it, then take "one".
        rep.send("reply to first", 0).await.unwrap();
        assert_eq!(req.recv_msg().await.unwrap().as_str(), Some("reply to first"));
        assert_eq!(rep.recv_msg().await.unwrap().as_str(), Some("one"));
        assert!(tokio::time::timeout(Duration::from_millis(5), relaxed.recv_msg()).await.is_err());
        // Relaxed: a new request is allowed, and the late reply to "one" is dropped (correlated).
        relaxed.send("two", 0).await.unwrap();
        rep.send("late reply to one", 0).await.unwrap();
        assert_eq!(rep.recv_msg().await.unwrap().as_str(), Some("two"));
        rep.send("reply to two", 0).await.unwrap();
        assert_eq!(relaxed.recv_msg().await.unwrap().as_str(), Some("reply to two"));
    });
}

#[test]
fn split_dealer_reader_and_writer_tasks_under_backpressure() {
    on_both_runtimes(Duration::from_secs(60), || async {
        let ctx = ctx();
        let hwm = |s: &zmq::Socket| s.set_sndhwm(4).and(s.set_rcvhwm(4));
        let (router, endpoint) =
            bound_with(&ctx, zmq::ROUTER, "tcp://127.0.0.1:*", |s| hwm(s).and(s.set_router_mandatory(true)));
        let dealer = connected_with(&ctx, zmq::DEALER, &endpoint, hwm);
        let count = 40_000u64;
        // An echo on the ROUTER side, in its own task.
        let echo = tokio::spawn(async move {
            for _ in 0..count {
                let frames = router.recv_multipart().await.unwrap();
                router.send_multipart(frames, 0).await.unwrap();
            }
        });
        // Reader and writer of one DEALER in two tasks, each waiting on its own direction.
        let writer = {
            let dealer = dealer.clone();
            tokio::spawn(async move {
                let mut rng = Rng::new("writer");
                for seq in 0..count {
                    if rng.below(16) == 0 {
                        tokio::task::yield_now().await;
                    }
                    dealer.send(&seq.to_le_bytes()[..], 0).await.unwrap();
                }
            })
        };
        let reader = tokio::spawn(async move {
            for seq in 0..count {
                assert_eq!(seq_of(&dealer.recv_msg().await.unwrap()), seq);
            }
        });
        writer.await.unwrap();
        reader.await.unwrap();
        echo.await.unwrap();
    });
}

#[test]
fn push_at_hwm_is_woken_when_the_peer_drains() {
    on_both_runtimes(Duration::from_secs(20), || async {
        let ctx = ctx();
        let pull = ctx.socket(zmq::PULL).unwrap();
        pull.set_rcvhwm(1).unwrap();
        pull.set_rcvtimeo(5000).unwrap();
        let endpoint = format!("inproc://{}", common::unique("hwm"));
        pull.bind(&endpoint).unwrap();
        let push = connected_with(&ctx, zmq::PUSH, &endpoint, |s| s.set_sndhwm(1));
        let mut sent = 0u64;
        while push.try_send_in_place(&mut [Message::from(&sent.to_le_bytes()[..])], 0).is_ok() {
            sent += 1;
        }
        // Full. A send now waits; a blocking thread drains the PULL once the send is pending.
        let pending = tokio::spawn({
            let push = push.clone();
            async move { push.send(&sent.to_le_bytes()[..], 0).await }
        });
        tokio::task::yield_now().await;
        let drained = tokio::task::spawn_blocking(move || {
            (0..=sent).map(|_| seq_of(&pull.recv_msg(0).unwrap())).collect::<Vec<_>>()
        });
        pending.await.unwrap().unwrap();
        assert_eq!(drained.await.unwrap(), (0..=sent).collect::<Vec<_>>());
    });
}

#[test]
fn cancelled_multipart_send_sends_nothing() {
    on_both_runtimes(Duration::from_secs(20), || async {
        let ctx = ctx();
        let pull = ctx.socket(zmq::PULL).unwrap();
        pull.set_rcvhwm(1).unwrap();
        pull.set_rcvtimeo(2000).unwrap();
        let endpoint = format!("inproc://{}", common::unique("mp"));
        pull.bind(&endpoint).unwrap();
        let push = connected_with(&ctx, zmq::PUSH, &endpoint, |s| s.set_sndhwm(1));
        let mut queued = 0;
        while push.try_send_in_place(&mut [Message::from("queued")], 0).is_ok() {
            queued += 1;
        }
        let frames = ["cancelled", "multipart", "message"];
        for _ in 0..20 {
            assert!(tokio::time::timeout(Duration::from_millis(1), push.send_multipart(frames, 0)).await.is_err());
        }
        // Also through the Sink: an unsent message stays in the sink, whole, until a later flush.
        let mut sink = push.clone();
        assert!(tokio::time::timeout(Duration::from_millis(1), SinkExt::send(&mut sink, ["kept", "whole"]))
            .await
            .is_err());
        let receiver = tokio::task::spawn_blocking(move || {
            let mut frames = Vec::new();
            for _ in 0..queued {
                frames.push(pull.recv_multipart(0).unwrap());
            }
            frames.push(pull.recv_multipart(0).unwrap());
            frames.push(pull.recv_multipart(0).unwrap());
            assert_eq!(pull.recv_msg(0).err(), Some(zmq::Error::EAGAIN), "nothing else arrives");
            frames
        });
        SinkExt::<[&str; 1]>::flush(&mut sink).await.unwrap();
        push.send("last", 0).await.unwrap();
        let received = receiver.await.unwrap();
        let tail: Vec<Vec<Vec<u8>>> = vec![vec![b"kept".to_vec(), b"whole".to_vec()], vec![b"last".to_vec()]];
        assert_eq!(&received[queued..], &tail[..]);
        assert!(received[..queued].iter().all(|m| m == &[b"queued".to_vec()]));
    });
}

#[test]
fn stream_and_sink_carry_multipart_messages() {
    on_both_runtimes(Duration::from_secs(20), || async {
        let ctx = ctx();
        let (pull, endpoint) = bound(&ctx, zmq::PULL, &format!("inproc://{}", common::unique("ss")));
        let mut push = connected(&ctx, zmq::PUSH, &endpoint);
        let sender = tokio::spawn(async move {
            for i in 0..1000u32 {
                SinkExt::send(&mut push, vec![i.to_string(), "payload".to_string()]).await.unwrap();
            }
            push
        });
        let received: Vec<Vec<Message>> = pull.take(1000).map(|m| m.unwrap()).collect().await;
        for (i, frames) in received.iter().enumerate() {
            assert_eq!(frames[0].as_str(), Some(i.to_string().as_str()));
            assert_eq!(frames[1].as_str(), Some("payload"));
        }
        drop(sender.await.unwrap());
    });
}

#[test]
fn shutdown_wakes_pending_futures_with_eterm() {
    on_both_runtimes(Duration::from_secs(20), || async {
        let ctx = zmq::Context::new();
        let pull = AsyncSocket::new(&ctx, zmq::PULL).unwrap();
        pull.bind(&format!("inproc://{}", common::unique("st"))).unwrap();
        let push = AsyncSocket::new(&ctx, zmq::PUSH).unwrap(); // no peer: a send waits
        let dealer = AsyncSocket::new(&ctx, zmq::DEALER).unwrap();
        let waiting = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for i in 0..6 {
            let (pull, push, dealer, waiting) = (pull.clone(), push.clone(), dealer.clone(), waiting.clone());
            tasks.push(tokio::spawn(async move {
                waiting.fetch_add(1, Ordering::SeqCst);
                match i % 3 {
                    0 => pull.recv_msg().await.map(drop),
                    1 => push.send("never", 0).await,
                    _ => dealer.recv_multipart().await.map(drop),
                }
            }));
        }
        while waiting.load(Ordering::SeqCst) < 6 {
            tokio::task::yield_now().await;
        }
        tokio::task::yield_now().await;
        let started = Instant::now();
        ctx.shutdown().unwrap();
        for task in tasks {
            assert_eq!(task.await.unwrap(), Err(zmq::Error::ETERM));
        }
        eprintln!("all pending futures saw ETERM {:?} after shutdown", started.elapsed());
        // Once shut down, a new wait fails at once.
        assert_eq!(pull.recv_msg().await.err(), Some(zmq::Error::ETERM));
    });
}

#[test]
fn dropping_the_runtime_with_futures_pending_neither_hangs_nor_keeps_the_socket() {
    common::within(Duration::from_secs(20), || {
        for make in [current_thread as fn() -> tokio::runtime::Runtime, multi_thread] {
            let mut ctx = ctx();
            let runtime = make();
            let alive = Arc::new(());
            runtime.block_on(async {
                let pull = AsyncSocket::new(&ctx, zmq::PULL).unwrap();
                pull.bind(&format!("inproc://{}", common::unique("rt"))).unwrap();
                let push = AsyncSocket::new(&ctx, zmq::PUSH).unwrap();
                let token = Arc::clone(&alive);
                tokio::spawn(async move {
                    let _token = token;
                    pull.recv_msg().await
                });
                let token = Arc::clone(&alive);
                tokio::spawn(async move {
                    let _token = token;
                    push.send("no peer", 0).await
                });
                tokio::task::yield_now().await;
            });
            drop(runtime);
            // The pending tasks, and the sockets they held, are gone with the runtime, and the context terminates
            // (`destroy` would block while a socket were open).
            assert_eq!(Arc::strong_count(&alive), 1);
            ctx.destroy().unwrap();
        }
    });
}

#[test]
fn a_future_pending_when_its_runtime_shuts_down_fails_instead_of_hanging() {
    common::within(Duration::from_secs(20), || {
        let ctx = ctx();
        let runtime = current_thread();
        let pull = runtime.block_on(async { AsyncSocket::new(&ctx, zmq::PULL) }).unwrap();
        pull.bind(&format!("inproc://{}", common::unique("gone"))).unwrap();
        drop(runtime);
        // A socket outlives its runtime: waiting on it now fails rather than waiting forever.
        let other = current_thread();
        let result = other.block_on(pull.recv_msg());
        assert!(result.is_err(), "{result:?}");
        drop(pull);
    });
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec.
    assert_eq!(unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) }, 0);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[test]
fn an_idle_socket_costs_no_cpu() {
    common::within(Duration::from_secs(20), || {
        let ctx = ctx();
        let runtime = current_thread();
        runtime.block_on(async {
            let (pull, endpoint) = bound(&ctx, zmq::PULL, "tcp://127.0.0.1:*");
            let push = connected(&ctx, zmq::PUSH, &endpoint);
            push.send("warm up", 0).await.unwrap();
            pull.recv_msg().await.unwrap();
            let (wall, cpu) = (Instant::now(), thread_cpu());
            // Reader and writer-side waits both pending for 500 ms on an idle connection.
            let idle = tokio::time::timeout(Duration::from_millis(500), async {
                let _ = tokio::join!(pull.recv_msg(), pull.readable());
            })
            .await;
            assert!(idle.is_err(), "nothing was sent");
            let (wall, cpu) = (wall.elapsed(), thread_cpu() - cpu);
            eprintln!("idle for {wall:?}: {cpu:?} of CPU on the runtime thread");
            assert!(cpu < Duration::from_millis(25), "an idle wait spun: {cpu:?} CPU in {wall:?}");
        });
    });
}

#[test]
fn construction_needs_a_runtime_with_io() {
    let ctx = ctx();
    assert_eq!(AsyncSocket::new(&ctx, zmq::PAIR).err(), Some(zmq::Error::EINVAL));
    let no_io = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(no_io.block_on(async { AsyncSocket::new(&ctx, zmq::PAIR).err() }), Some(zmq::Error::EINVAL));
}

#[cfg(zmq_draft)]
#[test]
fn thread_safe_types_are_refused() {
    let ctx = ctx();
    current_thread().block_on(async {
        for kind in [zmq::SERVER, zmq::CLIENT, zmq::RADIO, zmq::DISH, zmq::SCATTER, zmq::GATHER] {
            assert_eq!(AsyncSocket::new(&ctx, kind).err(), Some(zmq::Error::EINVAL), "{kind:?}");
        }
    });
}

#[test]
fn async_peer_talks_to_a_blocking_peer() {
    on_both_runtimes(Duration::from_secs(20), || async {
        let ctx = ctx();
        let rep = common::socket(&ctx, zmq::REP);
        let endpoint = common::bind_tcp(&rep);
        let server = std::thread::spawn(move || {
            for _ in 0..1000 {
                let msg = rep.recv_msg(0).unwrap();
                rep.send(msg, 0).unwrap();
            }
        });
        let req = connected(&ctx, zmq::REQ, &endpoint);
        for i in 0..1000u32 {
            req.send(i.to_string(), 0).await.unwrap();
            assert_eq!(req.recv_string().await.unwrap().unwrap(), i.to_string());
        }
        tokio::task::spawn_blocking(move || server.join().unwrap()).await.unwrap();
    });
}

#[test]
fn into_socket_gives_the_blocking_socket_back() {
    let ctx = ctx();
    current_thread().block_on(async {
        let socket = AsyncSocket::new(&ctx, zmq::PAIR).unwrap();
        let other = socket.clone();
        let socket = socket.into_socket().unwrap_err();
        drop(other);
        let blocking = socket.into_socket().unwrap();
        assert_eq!(blocking.get_socket_type().unwrap(), zmq::PAIR);
    });
}

/// pyzmq: `ZMQ_TEST_PYTHON=/path/to/python cargo test --features tokio --test asyncio -- --ignored pyzmq`. An async
/// DEALER here against a pyzmq ROUTER echo (blocking pyzmq), then an async REP here answering pyzmq's own asyncio
/// REQ (`zmq.asyncio`), multipart messages both ways.
#[test]
#[ignore = "needs pyzmq: set ZMQ_TEST_PYTHON to a python that has it"]
fn pyzmq_interoperates_with_async_sockets() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let python = std::env::var("ZMQ_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import asyncio, sys, zmq, zmq.asyncio
ctx = zmq.Context()
router = ctx.socket(zmq.ROUTER)
router.linger = 0
port = router.bind_to_random_port("tcp://127.0.0.1")
print(port, flush=True)
for _ in range(1000):
    router.send_multipart(router.recv_multipart())
rep_endpoint = sys.stdin.readline().strip()
async def requests():
    actx = zmq.asyncio.Context()
    req = actx.socket(zmq.REQ)
    req.linger = 0
    req.connect(rep_endpoint)
    for i in range(500):
        await req.send_multipart([b"py", str(i).encode()])
        reply = await req.recv_multipart()
        assert reply == [b"rust", str(i * 2).encode()], reply
    print("asyncio done", flush=True)
asyncio.run(requests())
"#;
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = lines.next().expect("a port").unwrap().trim().parse().unwrap();
    let stdin = child.stdin.take().unwrap();
    let outcome = common::within(Duration::from_secs(30), move || {
        let mut stdin = stdin;
        let ctx = ctx();
        multi_thread().block_on(async {
            let dealer = connected(&ctx, zmq::DEALER, &format!("tcp://127.0.0.1:{port}"));
            let writer = {
                let dealer = dealer.clone();
                tokio::spawn(async move {
                    for i in 0..1000u32 {
                        dealer.send_multipart([b"echo".to_vec(), i.to_le_bytes().to_vec()], 0).await.unwrap();
                    }
                })
            };
            for i in 0..1000u32 {
                let frames = dealer.recv_multipart().await.unwrap();
                assert_eq!(frames.len(), 2);
                assert_eq!(&frames[1][..], &i.to_le_bytes()[..]);
            }
            writer.await.unwrap();

            let (rep, endpoint) = bound(&ctx, zmq::REP, "tcp://127.0.0.1:*");
            std::io::Write::write_all(&mut stdin, format!("{endpoint}\n").as_bytes()).unwrap();
            for i in 0..500u32 {
                let frames = rep.recv_multipart().await.unwrap();
                assert_eq!(frames[0].as_str(), Some("py"));
                let n: u32 = frames[1].as_str().unwrap().parse().unwrap();
                assert_eq!(n, i);
                rep.send_multipart(["rust".to_string(), (n * 2).to_string()], 0).await.unwrap();
            }
            // Keep the REP open until pyzmq has its last reply.
            tokio::task::spawn_blocking(move || lines.next().map(|l| l.unwrap())).await.unwrap()
        })
    });
    assert_eq!(outcome.as_deref(), Some("asyncio done"));
    assert!(child.wait().unwrap().success());
}

#[test]
fn many_tasks_share_one_socket_each_way() {
    on_both_runtimes(Duration::from_secs(60), || async {
        let ctx = ctx();
        let (pull, endpoint) = bound_with(&ctx, zmq::PULL, "tcp://127.0.0.1:*", |s| s.set_rcvhwm(10));
        let push = connected_with(&ctx, zmq::PUSH, &endpoint, |s| s.set_sndhwm(10));
        let (writers, readers, each) = (4u64, 3, 15_000u64);
        let mut tasks = Vec::new();
        for w in 0..writers {
            let push = push.clone();
            tasks.push(tokio::spawn(async move {
                for seq in 0..each {
                    push.send_multipart([w.to_le_bytes(), seq.to_le_bytes()], 0).await.unwrap();
                }
            }));
        }
        let received = Arc::new(AtomicU64::new(0));
        let mut reader_tasks = Vec::new();
        for _ in 0..readers {
            let (pull, received) = (pull.clone(), received.clone());
            reader_tasks.push(tokio::spawn(async move {
                // What this reader saw, per writer: each writer's messages come in its order.
                let mut last = vec![None::<u64>; writers as usize];
                let mut seen = Vec::new();
                while received.load(Ordering::SeqCst) < writers * each {
                    let Ok(frames) = tokio::time::timeout(Duration::from_millis(200), pull.recv_multipart()).await
                    else {
                        continue;
                    };
                    let frames = frames.unwrap();
                    let (w, seq) = (seq_of(&frames[0]) as usize, seq_of(&frames[1]));
                    assert!(last[w].is_none_or(|prev| prev < seq), "writer {w}: {seq} after {:?}", last[w]);
                    last[w] = Some(seq);
                    seen.push((w, seq));
                    received.fetch_add(1, Ordering::SeqCst);
                }
                seen
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let mut all = Vec::new();
        for task in reader_tasks {
            all.extend(task.await.unwrap());
        }
        all.sort_unstable();
        let expected: Vec<(usize, u64)> =
            (0..writers as usize).flat_map(|w| (0..each).map(move |seq| (w, seq))).collect();
        assert_eq!(all, expected, "every message exactly once");
    });
}

#[test]
fn async_sockets_and_their_futures_can_move_between_threads() {
    fn shareable<T: Send + Sync + Unpin>(_: &T) {}
    fn sendable<T: Send>(_: &T) {}
    let ctx = ctx();
    current_thread().block_on(async {
        let socket = AsyncSocket::new(&ctx, zmq::PAIR).unwrap();
        shareable(&socket);
        sendable(&socket.recv_msg());
        sendable(&socket.send("x", 0));
        sendable(&socket.send_multipart(["a", "b"], 0));
        sendable(&socket.readable());
    });
}

/// A forked child that drops an `AsyncSocket` it inherited must not touch the parent's reactor: the epoll instance
/// is shared across fork, so deregistering the socket's descriptor there would take it out of the parent's set, and
/// the parent's next wait on that socket would never wake.
#[test]
fn a_forked_child_dropping_an_inherited_async_socket_leaves_the_parent_working() {
    common::isolated(
        "a_forked_child_dropping_an_inherited_async_socket_leaves_the_parent_working",
        Duration::from_secs(30),
        || {
            let ctx = ctx();
            let runtime = current_thread();
            let (pull, push) = runtime.block_on(async {
                let (pull, endpoint) = bound(&ctx, zmq::PULL, "tcp://127.0.0.1:*");
                let push = connected(&ctx, zmq::PUSH, &endpoint);
                push.send("before", 0).await.unwrap();
                assert_eq!(pull.recv_msg().await.unwrap().as_str(), Some("before"));
                (pull, push)
            });
            // SAFETY: fork in a test process of its own; the child only drops the inherited handles and leaves
            // with _exit, never returning into the harness (nor dropping the inherited runtime).
            let pid = unsafe { libc::fork() };
            assert!(pid >= 0, "fork failed");
            if pid == 0 {
                drop(pull);
                drop(push);
                // SAFETY: ends the child at once, running no destructors of the parent's state.
                unsafe { libc::_exit(0) };
            }
            let mut status = 0;
            // SAFETY: waits for the child forked above.
            assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
            assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "child status {status}");
            runtime.block_on(async {
                // The receive has to wait (nothing is queued yet), so it needs the reactor to report the edge.
                let receive = tokio::spawn(async move { pull.recv_msg().await });
                tokio::task::yield_now().await;
                push.send("after", 0).await.unwrap();
                let got = tokio::time::timeout(Duration::from_secs(5), receive).await;
                let got = got.expect("the parent's receive was never woken").unwrap().unwrap();
                assert_eq!(got.as_str(), Some("after"));
            });
        },
    );
}

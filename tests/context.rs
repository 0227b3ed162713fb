//! The drop-order invariants: whatever order handles are dropped in, nothing is freed too early, nothing hangs,
//! and termination waits at most LINGER.

mod common;

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{bind_tcp, dead_tcp_endpoint, socket, timed, unique, within};

const LIMIT: Duration = Duration::from_secs(20);

/// Invariant 1: a socket keeps its context alive after every context handle is gone.
#[test]
fn socket_outlives_its_context_handle() {
    within(LIMIT, || {
        let ctx = zmq::Context::new();
        let a = socket(&ctx, zmq::PAIR);
        let b = socket(&ctx, zmq::PAIR);
        let ep = format!("inproc://{}", unique("outlive"));
        a.bind(&ep).unwrap();
        b.connect(&ep).unwrap();
        // Invariant 3: dropping the last handle while this thread still owns sockets returns at once.
        let ((), took) = timed(|| drop(ctx));
        assert!(took < Duration::from_millis(500), "dropping the handle blocked for {took:?}");
        a.send("still here", 0).unwrap();
        assert_eq!(b.recv_string(0).unwrap().unwrap(), "still here");
    });
}

/// Invariant 2: termination runs after the last socket closes, and waits for its pending messages (LINGER).
#[test]
fn termination_waits_for_the_last_socket_and_flushes() {
    within(LIMIT, || {
        let receiver_ctx = zmq::Context::new();
        let pull = socket(&receiver_ctx, zmq::PULL);
        let ep = bind_tcp(&pull);

        let ctx = zmq::Context::new();
        let push = ctx.socket(zmq::PUSH).unwrap();
        push.set_linger(5000).unwrap();
        push.connect(&ep).unwrap();
        drop(ctx); // returns at once: the socket still holds the context
        for i in 0..100 {
            push.send(format!("m{i}").as_bytes(), 0).unwrap();
        }
        drop(push); // last handle: zmq_ctx_term runs here and waits until the messages are out
        for i in 0..100 {
            assert_eq!(pull.recv_string(0).unwrap().unwrap(), format!("m{i}"));
        }
    });
}

extern "C" fn ignore_signal(_: libc::c_int) {}

/// Invariant 2: zmq_ctx_term is retried on EINTR, so a signal does not cut termination short (which would leak the
/// context and drop queued messages).
#[test]
fn termination_is_retried_on_eintr() {
    // SAFETY: installs a handler that does nothing, without SA_RESTART, so blocking calls see EINTR.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore_signal as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = 0;
        assert_eq!(libc::sigaction(libc::SIGUSR2, &action, std::ptr::null_mut()), 0);
    }
    within(LIMIT, || {
        let ctx = zmq::Context::new();
        let push = ctx.socket(zmq::PUSH).unwrap();
        push.set_linger(600).unwrap();
        push.connect(&dead_tcp_endpoint()).unwrap();
        push.send("undeliverable", 0).unwrap();
        drop(ctx);
        let (tx, rx) = mpsc::channel::<libc::pthread_t>();
        let (done_tx, done_rx) = mpsc::channel::<Duration>();
        let dropper = thread::spawn(move || {
            // SAFETY: pthread_self has no preconditions.
            tx.send(unsafe { libc::pthread_self() }).unwrap();
            let ((), took) = timed(|| drop(push));
            done_tx.send(took).unwrap();
        });
        let tid = rx.recv().unwrap();
        let mut signals = 0;
        let took = loop {
            // SAFETY: the thread is alive until it sends on done_tx; we stop signalling once it has.
            match done_rx.recv_timeout(Duration::from_millis(5)) {
                Ok(took) => break took,
                Err(_) => {
                    unsafe { libc::pthread_kill(tid, libc::SIGUSR2) };
                    signals += 1;
                }
            }
        };
        dropper.join().unwrap();
        assert!(signals > 10, "only {signals} signals were sent");
        assert!(took >= Duration::from_millis(500), "termination returned after {took:?}, before LINGER (600 ms)");
    });
}

/// Invariant 2: `destroy()` (zmq 0.10 API) never frees a context that a socket in another thread still uses; it
/// shuts it down, the blocked call returns ETERM, and termination follows when that socket goes.
#[test]
fn destroy_while_a_socket_is_blocked_elsewhere() {
    within(LIMIT, || {
        let mut ctx = zmq::Context::new();
        let sock = ctx.socket(zmq::PULL).unwrap();
        sock.bind(&format!("inproc://{}", unique("destroy"))).unwrap();
        let (ready_tx, ready_rx) = mpsc::channel();
        let worker = thread::spawn(move || {
            ready_tx.send(()).unwrap();
            let err = sock.recv_msg(0).unwrap_err(); // blocks until shutdown
            drop(sock);
            err
        });
        ready_rx.recv().unwrap();
        let (res, took) = timed(|| ctx.destroy());
        res.unwrap();
        assert!(took < Duration::from_secs(2), "destroy blocked for {took:?}");
        assert_eq!(worker.join().unwrap(), zmq::Error::ETERM);
        ctx.destroy().unwrap(); // twice is harmless
        assert_eq!(ctx.socket(zmq::PUSH).unwrap_err(), zmq::Error::ETERM);
    });
}

/// `destroy()` on the last handle with no sockets terminates at once, and later drops do nothing more.
#[test]
fn destroy_last_handle_terminates_once() {
    within(LIMIT, || {
        let mut ctx = zmq::Context::new();
        drop(ctx.socket(zmq::PUB).unwrap());
        ctx.destroy().unwrap();
        ctx.destroy().unwrap();
        assert_eq!(ctx.socket(zmq::SUB).unwrap_err(), zmq::Error::ETERM);
    });
}

/// Invariant 2: `into_raw` keeps the context alive (no hang, no use after free), and `from_raw` hands it back.
#[test]
fn into_raw_never_hangs_and_from_raw_restores() {
    within(LIMIT, || {
        let ctx = zmq::Context::new();
        let raw_ctx = ctx.as_raw();
        let a = socket(&ctx, zmq::PAIR);
        let ep = format!("inproc://{}", unique("raw"));
        a.bind(&ep).unwrap();
        let raw = a.into_raw();
        let ((), took) = timed(|| drop(ctx)); // must not hang although an open socket escaped as a raw pointer
        assert!(took < Duration::from_millis(500), "dropping the handle blocked for {took:?}");
        // SAFETY: `raw` came from into_raw and is open; from_raw takes it back exactly once.
        let a = unsafe { zmq::Socket::from_raw(raw) };
        let ctx = a.context().expect("from_raw gives the socket its context back");
        assert_eq!(ctx.as_raw(), raw_ctx);
        assert_eq!(ctx.handle_count(), 2, "the parked keep-alive went back to the socket");
        // The context still works: a new peer on it talks to the adopted socket.
        let b = socket(&ctx, zmq::PAIR);
        b.connect(&ep).unwrap();
        b.send("through a re-adopted socket", 0).unwrap();
        assert_eq!(a.recv_string(0).unwrap().unwrap(), "through a re-adopted socket");
        drop((b, ctx));
        drop(a); // the context's last keep-alive: terminates now
    });
}

/// A socket given away with `into_raw` and never taken back leaves its context alive: nothing hangs.
#[test]
fn into_raw_without_from_raw_does_not_hang() {
    within(LIMIT, || {
        let ctx = zmq::Context::new();
        let s = ctx.socket(zmq::PUSH).unwrap();
        s.connect(&dead_tcp_endpoint()).unwrap();
        let raw = s.into_raw();
        let ((), took) = timed(|| drop(ctx));
        assert!(took < Duration::from_millis(500));
        // C code closes the raw socket itself.
        // SAFETY: raw is an open socket that nothing else uses.
        assert_eq!(unsafe { zmq_sys::zmq_close(raw) }, 0);
    });
}

/// Invariant 4: with LINGER 0 (here the context's default), termination is prompt even with undeliverable
/// messages queued.
#[test]
fn linger_zero_terminates_at_once() {
    within(LIMIT, || {
        let ctx = zmq::Context::builder().linger(0).build().unwrap();
        let push = ctx.socket(zmq::PUSH).unwrap();
        assert_eq!(push.get_linger().unwrap(), 0);
        push.connect(&dead_tcp_endpoint()).unwrap();
        for _ in 0..100 {
            push.send(&[0u8; 100][..], 0).unwrap();
        }
        let ((), took) = timed(|| {
            drop(push);
            drop(ctx);
        });
        assert!(took < Duration::from_millis(500), "termination took {took:?} with LINGER 0");
    });
}

/// Invariant 4: termination waits at most LINGER.
#[test]
fn termination_waits_at_most_linger() {
    within(LIMIT, || {
        let ctx = zmq::Context::new();
        let push = ctx.socket(zmq::PUSH).unwrap();
        push.set_linger(300).unwrap();
        push.connect(&dead_tcp_endpoint()).unwrap();
        push.send("undeliverable", 0).unwrap();
        let ((), took) = timed(|| {
            drop(ctx);
            drop(push);
        });
        assert!(took >= Duration::from_millis(250), "returned after {took:?}, before LINGER");
        assert!(took < Duration::from_secs(5), "waited {took:?}, far beyond LINGER 300 ms");
    });
}

/// Invariant 5: a socket dropped while its thread unwinds from a panic closes with LINGER 0, so the context can
/// terminate although the socket had LINGER -1 and undeliverable messages.
#[test]
fn panic_does_not_hang_termination() {
    within(LIMIT, || {
        let ctx = zmq::Context::new();
        let ctx2 = ctx.clone();
        let result = thread::spawn(move || {
            let push = ctx2.socket(zmq::PUSH).unwrap();
            push.set_linger(-1).unwrap();
            push.connect(&dead_tcp_endpoint()).unwrap();
            push.send("never delivered", 0).unwrap();
            drop(ctx2);
            panic!("boom (expected by the test)");
        })
        .join();
        assert!(result.is_err());
        let ((), took) = timed(|| drop(ctx)); // the last handle: would wait forever for LINGER -1
        assert!(took < Duration::from_secs(2), "termination took {took:?}");
    });
}

/// Invariant 6: `shutdown()` wakes recv, send and poll blocked in other threads with ETERM.
#[test]
fn shutdown_wakes_every_blocked_call() {
    within(LIMIT, || {
        let ctx = zmq::Context::new();
        let (ready_tx, ready_rx) = mpsc::channel();
        let mut workers = Vec::new();

        let pull = ctx.socket(zmq::PULL).unwrap();
        pull.bind(&format!("inproc://{}", unique("sd-recv"))).unwrap();
        let tx = ready_tx.clone();
        workers.push(thread::spawn(move || {
            tx.send(()).unwrap();
            pull.recv_msg(0).unwrap_err()
        }));

        let push = ctx.socket(zmq::PUSH).unwrap(); // no peer: send blocks
        let tx = ready_tx.clone();
        workers.push(thread::spawn(move || {
            tx.send(()).unwrap();
            push.send("blocked", 0).unwrap_err()
        }));

        let sub = ctx.socket(zmq::SUB).unwrap();
        sub.bind(&format!("inproc://{}", unique("sd-poll"))).unwrap();
        let tx = ready_tx.clone();
        workers.push(thread::spawn(move || {
            tx.send(()).unwrap();
            let mut items = [sub.as_poll_item(zmq::POLLIN)];
            zmq::poll(&mut items, -1).unwrap_err()
        }));

        for _ in 0..3 {
            ready_rx.recv().unwrap();
        }
        ctx.shutdown().unwrap();
        for worker in workers {
            assert_eq!(worker.join().unwrap(), zmq::Error::ETERM);
        }
        assert_eq!(ctx.socket(zmq::REQ).unwrap_err(), zmq::Error::ETERM);
        ctx.shutdown().unwrap(); // idempotent
    });
}

/// Clones share one context; the context survives until every clone is gone.
#[test]
fn clones_share_one_context() {
    let ctx = zmq::Context::new();
    let clone = ctx.clone();
    assert_eq!(ctx.as_raw(), clone.as_raw());
    assert_eq!(ctx.handle_count(), 2);
    let s = clone.socket(zmq::PAIR).unwrap();
    assert_eq!(ctx.handle_count(), 3);
    drop(clone);
    drop(s);
    assert_eq!(ctx.handle_count(), 1);
}

/// The builder's options reach libzmq, and a rejected one is an error, not a panic.
#[test]
fn builder_options() {
    let ctx = zmq::Context::builder().io_threads(3).max_sockets(64).blocky(false).build().unwrap();
    assert_eq!(ctx.get_io_threads().unwrap(), 3);
    assert_eq!(ctx.get_option(zmq_sys::ZMQ_MAX_SOCKETS as i32).unwrap(), 64);
    assert_eq!(ctx.get_option(zmq_sys::ZMQ_BLOCKY as i32).unwrap(), 0);
    assert_eq!(zmq::Context::builder().io_threads(-1).build().unwrap_err(), zmq::Error::EINVAL);
    ctx.set_default_linger(Some(42)).unwrap();
    assert_eq!(ctx.socket(zmq::PUB).unwrap().get_linger().unwrap(), 42);
    ctx.set_default_linger(None).unwrap();
    assert_eq!(ctx.default_linger(), None);
}

/// A context borrowed from C is never terminated by Rust.
#[test]
fn borrowed_context_is_not_terminated() {
    within(LIMIT, || {
        // SAFETY: a fresh context that this test terminates itself at the end.
        let raw = unsafe { zmq_sys::zmq_ctx_new() };
        {
            // SAFETY: raw is live and terminated only after every handle made here is gone.
            let ctx = unsafe { zmq::Context::from_raw_borrowed(raw) };
            assert!(!ctx.is_owned());
            let s = ctx.socket(zmq::PUB).unwrap();
            s.set_linger(0).unwrap();
        }
        // Still alive: creating a socket through libzmq works.
        // SAFETY: raw is a live context.
        let s = unsafe { zmq_sys::zmq_socket(raw, zmq_sys::ZMQ_PUB as i32) };
        assert!(!s.is_null());
        // SAFETY: closes the socket just made, then terminates the context nobody else uses.
        unsafe {
            zmq_sys::zmq_close(s);
            assert_eq!(zmq_sys::zmq_ctx_term(raw), 0);
        }
    });
}

/// A context given away with `into_raw` comes back with `from_raw`, and owned raw contexts are terminated.
#[test]
fn context_raw_round_trip() {
    within(LIMIT, || {
        let ctx = zmq::Context::new();
        let raw = ctx.into_raw();
        // SAFETY: raw came from into_raw; from_raw takes it back once.
        let ctx = unsafe { zmq::Context::from_raw(raw) };
        assert!(ctx.is_owned());
        drop(ctx.socket(zmq::PAIR).unwrap());
        // SAFETY: a fresh context whose ownership passes to the handle.
        let owned = unsafe { zmq::Context::from_raw(zmq_sys::zmq_ctx_new()) };
        drop(owned.socket(zmq::PAIR).unwrap());
    });
}

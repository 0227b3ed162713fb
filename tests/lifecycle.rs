//! Process lifecycle: a forked child with inherited contexts and sockets, and `Context::shutdown` waking many
//! blocked threads at once. The fork tests run in a process of their own (tests/isolated), and the forked child
//! runs under a deadline, so a hang fails one test.

mod common;

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::isolated;

const SECOND: Duration = Duration::from_secs(1);

/// What a forked child reported: its exit code, or `None` if it did not finish within the limit (then it is
/// killed).
fn in_forked_child(limit: Duration, body: impl FnOnce() -> i32) -> Option<i32> {
    // SAFETY: fork in a test process of its own; the child runs `body` and leaves with _exit, never returning
    // into the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        let code = std::panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(101);
        // SAFETY: ends the child at once, without running the parent's exit handlers a second time.
        unsafe { libc::_exit(code) };
    }
    let deadline = Instant::now() + limit;
    loop {
        let mut status = 0;
        // SAFETY: waits for our own child without blocking.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if rc == pid {
            return Some(if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                128 + libc::WTERMSIG(status)
            });
        }
        if Instant::now() >= deadline {
            // SAFETY: our own child, not yet reaped.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return None;
        }
        std::thread::sleep(Duration::from_millis(5)); // polling a deadline
    }
}

/// A connected PUSH/PULL pair over TCP on one context, with one message through.
fn connected_pair() -> (zmq::Context, zmq::Socket, zmq::Socket, String) {
    let ctx = zmq::Context::builder().linger(0).build().unwrap();
    let pull = common::socket(&ctx, zmq::PULL);
    let endpoint = common::bind_tcp(&pull);
    let push = common::socket(&ctx, zmq::PUSH);
    push.connect(&endpoint).unwrap();
    push.send("warm", 0).unwrap();
    assert_eq!(pull.recv_string(0).unwrap().unwrap(), "warm");
    (ctx, push, pull, endpoint)
}

/// A child that inherited a context and sockets drops them at once (it used to spin for ever in zmq_ctx_term,
/// which libzmq fails with EINTR in a forked child), and the parent's sockets keep working.
#[test]
fn a_forked_child_drops_what_it_inherited_without_hanging() {
    isolated("a_forked_child_drops_what_it_inherited_without_hanging", 30 * SECOND, || {
        let (ctx, push, pull, _) = connected_pair();
        let clone = ctx.clone();
        let child = in_forked_child(5 * SECOND, move || {
            drop(push);
            drop(pull);
            drop(clone);
            drop(ctx);
            0
        });
        assert_eq!(child, Some(0), "the child hangs (None) or fails dropping inherited handles");
    });
}

/// The parent is not disturbed by a child that drops (or merely holds) inherited handles.
#[test]
fn the_parent_keeps_working_after_a_child_dropped_inherited_handles() {
    isolated("the_parent_keeps_working_after_a_child_dropped_inherited_handles", 30 * SECOND, || {
        let (ctx, push, pull, _) = connected_pair();
        let child = in_forked_child(5 * SECOND, || {
            // The child owns copies of the handles: dropping them must not reach the parent's libzmq threads.
            // SAFETY: reading the handles bitwise makes the child's copies its own; the parent's stay untouched.
            let (push, pull, ctx) = unsafe { (std::ptr::read(&push), std::ptr::read(&pull), std::ptr::read(&ctx)) };
            drop((push, pull, ctx));
            0
        });
        assert_eq!(child, Some(0));
        for i in 0..100 {
            push.send(format!("after {i}").as_str(), 0).unwrap();
            assert_eq!(pull.recv_string(0).unwrap().unwrap(), format!("after {i}"));
        }
        drop((push, pull));
        common::within(5 * SECOND, move || drop(ctx));
    });
}

/// In the child, the inherited context refuses new sockets and its options with `ETERM`, and a new context works:
/// it reaches the parent.
#[test]
fn a_forked_child_gets_eterm_from_inherited_contexts_and_can_make_a_new_one() {
    isolated("a_forked_child_gets_eterm_from_inherited_contexts_and_can_make_a_new_one", 30 * SECOND, || {
        let (ctx, _push, pull, endpoint) = connected_pair();
        let child = in_forked_child(10 * SECOND, move || {
            if ctx.socket(zmq::PUSH).err() != Some(zmq::Error::ETERM) {
                return 2;
            }
            if ctx.get_io_threads() != Err(zmq::Error::ETERM) {
                return 3;
            }
            let fresh = zmq::Context::builder().linger(-1).build().unwrap();
            let push = fresh.socket(zmq::PUSH).unwrap();
            push.connect(&endpoint).unwrap();
            push.send("from the child", 0).unwrap();
            drop(push);
            drop(fresh); // waits until the message is out (LINGER -1)
            0
        });
        assert_eq!(child, Some(0));
        assert_eq!(pull.recv_string(0).unwrap().unwrap(), "from the child");
    });
}

/// In a forked child, every call on an inherited socket is `ETERM` (sends, receives, options, binds, monitors),
/// and an inherited authenticator and monitor drop without touching libzmq or joining the parent's threads.
#[test]
fn a_forked_childs_inherited_sockets_give_eterm() {
    isolated("a_forked_childs_inherited_sockets_give_eterm", 30 * SECOND, || {
        let (ctx, push, pull, _endpoint) = connected_pair();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        let monitor = zmq::Monitor::for_socket(&pull, zmq::SocketEvent::ALL as i32).unwrap();
        let child = in_forked_child(10 * SECOND, || {
            let eterm = Some(zmq::Error::ETERM);
            let checks = [
                push.send("x", zmq::DONTWAIT).err(),
                pull.recv_msg(zmq::DONTWAIT).err(),
                push.get_sndhwm().err(),
                push.set_sndhwm(5).err(),
                push.get_last_endpoint().err(),
                pull.bind("inproc://child").err(),
                push.connect("inproc://child").err(),
                pull.monitor("inproc://child-monitor", zmq::SocketEvent::ALL as i32).err(),
            ];
            if let Some(i) = checks.iter().position(|c| *c != eterm) {
                return 10 + i as i32;
            }
            drop(monitor);
            drop(auth);
            0
        });
        assert_eq!(child, Some(0));
    });
}

/// `Context::shutdown` wakes 100 threads blocked in recv, send and poll on one context: each gets `ETERM`.
#[test]
fn shutdown_wakes_a_hundred_blocked_threads() {
    let ctx = zmq::Context::builder().linger(0).build().unwrap();
    let n = 100;
    let ready = Arc::new(Barrier::new(n + 1));
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (ctx, ready) = (ctx.clone(), Arc::clone(&ready));
            std::thread::spawn(move || {
                let kind = match i % 3 {
                    0 => zmq::PULL,
                    1 => zmq::PUSH,
                    _ => zmq::SUB,
                };
                let s = ctx.socket(kind).unwrap();
                s.bind(&format!("inproc://{}", common::unique("blocked"))).unwrap();
                ready.wait();
                let result = match i % 3 {
                    0 => s.recv_bytes(0).map(drop),
                    1 => s.send("nobody takes this", 0), // no peer: blocks
                    _ => s.poll(zmq::POLLIN, -1).map(drop),
                };
                (i, result, Instant::now())
            })
        })
        .collect();
    ready.wait();
    // Every thread has passed the barrier; give them time to block, then check they really are blocked.
    std::thread::sleep(Duration::from_millis(200));
    assert!(threads.iter().all(|t| !t.is_finished()), "a call returned before the shutdown");
    let start = Instant::now();
    ctx.shutdown().unwrap();
    let mut slowest = Duration::ZERO;
    let watchdog = Instant::now() + 10 * SECOND;
    for t in threads {
        while !t.is_finished() {
            assert!(Instant::now() < watchdog, "a blocked call was not woken within 10 s");
            std::thread::sleep(Duration::from_millis(1));
        }
        let (i, result, woke) = t.join().unwrap();
        assert_eq!(result, Err(zmq::Error::ETERM), "thread {i}");
        slowest = slowest.max(woke - start);
    }
    println!("shutdown woke {n} blocked threads (recv, send, poll) in {slowest:?}");
    assert!(slowest < 2 * SECOND, "{slowest:?}");
    common::within(5 * SECOND, move || drop(ctx));
}

//! Safe code cannot reach undefined behaviour through messages and contexts: shared bytes are never written,
//! nothing reachable through `&Message` writes to libzmq's message, a panicking zero-copy owner does not abort the
//! process, and raw-pointer round trips keep their counts. What could crash runs in a child process
//! (`common::isolated`), so a regression fails the test instead of killing the test run.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{ctx, isolated, socket, unique, Owner};

const LIMIT: Duration = Duration::from_secs(30);

/// A PUSH/PULL pair over a fresh inproc endpoint.
fn inproc_pipe(c: &zmq::Context) -> (zmq::Socket, zmq::Socket) {
    let push = socket(c, zmq::PUSH);
    let pull = socket(c, zmq::PULL);
    let ep = format!("inproc://{}", unique("pipe"));
    pull.bind(&ep).unwrap();
    push.connect(&ep).unwrap();
    (push, pull)
}

/// Over inproc the receiver gets the sender's very buffer; writing to it must copy, not change the `Arc`.
#[test]
fn owned_arc_written_after_an_inproc_hop_is_copied() {
    let c = ctx();
    let (push, pull) = inproc_pipe(&c);
    let shared: Arc<[u8]> = vec![5u8; 1000].into();
    push.send(zmq::Message::from_owned(shared.clone()), 0).unwrap();
    let mut got = pull.recv_msg(0).unwrap();
    assert_eq!(got.as_ptr(), shared.as_ptr(), "inproc hands over the buffer itself");
    assert!(got.is_shared(), "a received owned buffer must still count as shared");
    got[0] = b'X';
    assert_eq!(got[0], b'X');
    assert_eq!(shared[0], 5, "the sender's Arc was written through");
    assert_ne!(got.as_ptr(), shared.as_ptr());
}

/// A `&'static str` owner lives in read-only memory: writing it in place would crash.
#[test]
fn static_owner_written_after_an_inproc_hop_is_copied() {
    isolated("static_owner_written_after_an_inproc_hop_is_copied", LIMIT, || {
        let c = ctx();
        let (push, pull) = inproc_pipe(&c);
        let text: &'static str = "a constant string in read-only memory, longer than an inline message";
        push.send(zmq::Message::from_owned(text), 0).unwrap();
        let mut got = pull.recv_msg(0).unwrap();
        got[0] = b'A';
        assert_eq!(&got[..3], b"A c");
        push.send(zmq::Message::from_static(text.as_bytes()), 0).unwrap();
        let mut got = pull.recv_msg(0).unwrap();
        got[0] = b'B';
        assert_eq!(&got[..3], b"B c");
        assert!(text.starts_with("a c"));
    });
}

/// The same through a ROUTER envelope, both ways.
#[test]
fn owned_buffers_stay_read_only_across_a_router_hop() {
    let c = ctx();
    let router = socket(&c, zmq::ROUTER);
    let dealer = socket(&c, zmq::DEALER);
    let ep = format!("inproc://{}", unique("router"));
    router.bind(&ep).unwrap();
    dealer.connect(&ep).unwrap();

    let up: Arc<[u8]> = vec![1u8; 500].into();
    dealer.send(zmq::Message::from_owned(up.clone()), 0).unwrap();
    let mut frames = Vec::new();
    router.recv_multipart_into(&mut frames, 0).unwrap();
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1].as_ptr(), up.as_ptr());
    frames[1][0] = 9;
    assert_eq!(up[0], 1, "the dealer's buffer was written through the router");

    let down: Arc<[u8]> = vec![2u8; 500].into();
    router.send(frames[0].clone(), zmq::SNDMORE).unwrap();
    router.send(zmq::Message::from_owned(down.clone()), 0).unwrap();
    let mut got = dealer.recv_msg(0).unwrap();
    assert_eq!(got.as_ptr(), down.as_ptr());
    got[499] = 7;
    assert_eq!(down[499], 2, "the router's buffer was written through the dealer");
}

/// The read-only fact lives in the libzmq message, so it survives leaving Rust and coming back.
#[test]
fn raw_round_trip_keeps_owned_buffers_read_only() {
    let shared: Arc<[u8]> = vec![3u8; 200].into();
    let raw = zmq::Message::from_owned(shared.clone()).into_raw();
    // SAFETY: `raw` came from into_raw: initialised, not closed, owned by nobody else.
    let mut back = unsafe { zmq::Message::from_raw(raw) };
    assert!(back.is_shared());
    back[0] = 4;
    assert_eq!(shared[0], 3);
}

/// Private buffers are still written in place, without a copy.
#[test]
fn private_buffers_are_written_in_place() {
    let c = ctx();
    let (push, pull) = inproc_pipe(&c);
    let mut v = Vec::with_capacity(2000);
    v.resize(1000, 0u8);
    let ptr = v.as_ptr();
    push.send(v, 0).unwrap();
    let mut got = pull.recv_msg(0).unwrap();
    assert!(!got.is_shared());
    got[0] = 1;
    assert_eq!(got.as_ptr(), ptr, "a Vec nobody else sees needs no copy");
}

/// `Clone` goes through `&self`, which other threads may hold: it must not write to the source message.
#[test]
fn clone_never_writes_to_its_source() {
    let original = zmq::Message::from(vec![1u8; 1000]);
    assert!(!original.is_shared());
    let copy = original.clone();
    assert!(!original.is_shared(), "clone marked the source shared: it wrote to it");
    assert_eq!(copy, original);
    assert_ne!(copy.as_ptr(), original.as_ptr());
    let from_ref = zmq::Message::from(&original);
    assert_eq!(from_ref, original);
    assert!(!original.is_shared());
}

static CLONE_DROPS: AtomicUsize = AtomicUsize::new(0);

fn count_drop() {
    CLONE_DROPS.fetch_add(1, Ordering::SeqCst);
}

/// Two threads cloning the same `&Message`s at once (and a third sending them by reference) must not lose a
/// reference count: each owner is freed exactly once, when its message goes.
#[test]
fn concurrent_clones_of_one_message_are_sound() {
    isolated("concurrent_clones_of_one_message_are_sound", LIMIT, || {
        const N: usize = 20_000;
        let msgs: Vec<zmq::Message> =
            (0..N).map(|_| zmq::Message::from_owned(Owner::new(vec![7u8; 256], count_drop))).collect();
        let c = ctx();
        let start = std::sync::Barrier::new(3);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    start.wait();
                    for msg in &msgs {
                        let clone = msg.clone();
                        assert_eq!(clone[255], 7);
                    }
                });
            }
            s.spawn(|| {
                let (push, pull) = inproc_pipe(&c);
                start.wait();
                for msg in &msgs {
                    push.send(msg, 0).unwrap();
                    assert_eq!(pull.recv_msg(0).unwrap().len(), 256);
                }
            });
        });
        assert_eq!(CLONE_DROPS.load(Ordering::SeqCst), 0, "an owner was freed while its message lives");
        assert!(msgs.iter().all(|m| m[0] == 7));
        drop(msgs);
        assert_eq!(CLONE_DROPS.load(Ordering::SeqCst), N, "each owner must be freed exactly once");
    });
}

/// `share` is the zero-copy reference; afterwards both sides copy before writing.
#[test]
fn share_refers_to_the_same_bytes() {
    let mut original = zmq::Message::from(vec![1u8; 1000]);
    let mut shared = original.share();
    assert_eq!(shared.as_ptr(), original.as_ptr());
    assert!(original.is_shared() && shared.is_shared());
    shared[0] = 2;
    assert_eq!((original[0], shared[0]), (1, 2));
    assert_ne!(shared.as_ptr(), original.as_ptr());
}

/// An owner whose `Drop` panics: the panic cannot unwind into libzmq (an abort), so it is caught and counted,
/// whether the content is freed on this thread or on a libzmq I/O thread after a TCP send.
#[test]
fn a_panicking_owner_does_not_abort_the_process() {
    isolated("a_panicking_owner_does_not_abort_the_process", LIMIT, || {
        fn explode() {
            panic!("owner dropped");
        }
        let before = zmq::Message::owner_drop_panics();
        drop(zmq::Message::from_owned(Owner::new(vec![1; 100], explode)));
        assert_eq!(zmq::Message::owner_drop_panics(), before + 1);

        let c = ctx();
        let pull = socket(&c, zmq::PULL);
        let push = socket(&c, zmq::PUSH);
        push.connect(&common::bind_tcp(&pull)).unwrap();
        push.send(zmq::Message::from_owned(Owner::new(vec![2; 100_000], explode)), 0).unwrap();
        assert_eq!(pull.recv_msg(0).unwrap().len(), 100_000);
        drop((push, pull));
        drop(c); // terminated: every I/O thread has let go of the content
        assert_eq!(zmq::Message::owner_drop_panics(), before + 2);
    });
}

/// A failed receive leaves the message as it was (libzmq itself would empty it).
#[test]
fn a_failed_receive_keeps_the_message() {
    let c = ctx();
    let pull = socket(&c, zmq::PULL);
    pull.bind(&format!("inproc://{}", unique("empty"))).unwrap();
    let mut msg = zmq::Message::from("keep me");
    assert_eq!(pull.recv(&mut msg, zmq::DONTWAIT), Err(zmq::Error::EAGAIN));
    assert_eq!(msg.as_str(), Some("keep me"));
    pull.set_rcvtimeo(10).unwrap();
    assert_eq!(pull.recv(&mut msg, 0), Err(zmq::Error::EAGAIN));
    assert_eq!(msg.as_str(), Some("keep me"));
    let mut frames = vec![zmq::Message::from("a"), zmq::Message::from("b")];
    assert_eq!(pull.recv_multipart_into(&mut frames, zmq::DONTWAIT), Err(zmq::Error::EAGAIN));
    assert_eq!(frames[0].as_str(), Some("a"));
}

/// Giving the same context away twice and taking it back twice restores two handles of one context, which is
/// terminated once (a second termination would read freed memory).
#[test]
fn context_into_raw_twice_and_back_terminates_once() {
    isolated("context_into_raw_twice_and_back_terminates_once", LIMIT, || {
        let ctx = zmq::Context::new();
        let a = ctx.clone().into_raw();
        let b = ctx.into_raw();
        assert_eq!(a, b);
        // SAFETY: both pointers came from into_raw of live handles of this context.
        let (ra, rb) = unsafe { (zmq::Context::from_raw(a), zmq::Context::from_raw(b)) };
        assert_eq!(ra.handle_count(), 2, "the second into_raw's keep-alive was lost");
        let s = rb.socket(zmq::PAIR).unwrap();
        drop(ra);
        s.bind(&format!("inproc://{}", unique("raw-twice"))).unwrap();
        drop(rb);
        drop(s);
    });
}

/// A context borrowed from C code is the C side's to end: `destroy` on the borrowed handle must not shut it down.
#[test]
fn destroying_a_borrowed_context_leaves_the_owner_running() {
    // SAFETY: a fresh context, terminated below once nothing uses it.
    let raw = unsafe { zmq_sys::zmq_ctx_new() };
    assert!(!raw.is_null());
    {
        // SAFETY: `raw` is live and outlives this handle.
        let mut borrowed = unsafe { zmq::Context::from_raw_borrowed(raw) };
        assert_eq!(borrowed.destroy(), Ok(()));
        assert!(borrowed.socket(zmq::PAIR).is_ok(), "the borrowed handle still works");
    }
    // SAFETY: `raw` is still live; the socket is closed before the context is terminated.
    unsafe {
        let s = zmq_sys::zmq_socket(raw, zmq_sys::ZMQ_PAIR as i32);
        assert!(!s.is_null(), "the owner's context was shut down: {}", zmq::Error::from_raw(zmq_sys::zmq_errno()));
        let ep = std::ffi::CString::new(format!("inproc://{}", unique("borrowed"))).unwrap();
        assert_eq!(
            zmq_sys::zmq_bind(s, ep.as_ptr()),
            0,
            "bind on the owner's context: {}",
            zmq::Error::from_raw(zmq_sys::zmq_errno())
        );
        zmq_sys::zmq_close(s);
        assert_eq!(zmq_sys::zmq_ctx_term(raw), 0);
    }
}

/// LINGER is checked where it is given, not at every later `socket()`.
#[test]
fn default_linger_is_checked_where_it_is_given() {
    assert_eq!(zmq::Context::builder().linger(-5).build().map(drop), Err(zmq::Error::EINVAL));
    assert_eq!(zmq::Context::builder().linger(i32::MIN).build().map(drop), Err(zmq::Error::EINVAL));
    let c = zmq::Context::builder().linger(-1).build().unwrap();
    assert_eq!(c.default_linger(), Some(-1));
    assert_eq!(c.set_default_linger(Some(i32::MIN)), Err(zmq::Error::EINVAL));
    assert_eq!(c.set_default_linger(Some(-2)), Err(zmq::Error::EINVAL));
    assert_eq!(c.default_linger(), Some(-1), "a rejected value must not change the setting");
    c.set_default_linger(Some(250)).unwrap();
    assert_eq!(c.socket(zmq::PUSH).unwrap().get_linger(), Ok(250));
    c.set_default_linger(None).unwrap();
    assert_eq!(c.default_linger(), None);
}

/// Binding on a listener the caller opened: libzmq owns it afterwards, so Rust never closes it a second time; the
/// next bind creates its own socket (two listeners on one descriptor would make libzmq close it twice: an abort).
#[test]
fn bind_with_fd_hands_over_one_listener_for_one_bind() {
    isolated("bind_with_fd_hands_over_one_listener_for_one_bind", LIMIT, || {
        let c = ctx();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("tcp://{}", listener.local_addr().unwrap());
        let server = socket(&c, zmq::PULL);
        server.bind_with_fd("tcp://127.0.0.1:0", listener.into()).unwrap();
        assert_eq!(server.last_endpoint().unwrap(), address);
        assert_eq!(server.get_use_fd(), Ok(-1));
        server.bind("tcp://127.0.0.1:*").unwrap();
        let second = server.last_endpoint().unwrap();
        assert_ne!(second, address, "the second bind reused the handed-over descriptor");
        for ep in [&address, &second] {
            let client = socket(&c, zmq::PUSH);
            client.connect(ep).unwrap();
            client.send(ep.as_str(), 0).unwrap();
            assert_eq!(server.recv_string(0).unwrap().unwrap(), *ep);
        }
        drop(server); // closes both listeners: each descriptor once
        drop(c);
    });
}

/// Descriptors libzmq cannot take over are refused before it sees them.
#[test]
fn bind_with_fd_refuses_what_libzmq_cannot_listen_on() {
    use std::os::fd::OwnedFd;
    let c = ctx();
    let s = socket(&c, zmq::PULL);
    let file: OwnedFd = std::fs::File::open("/dev/null").unwrap().into();
    assert_eq!(s.bind_with_fd("tcp://127.0.0.1:0", file), Err(zmq::Error::EINVAL));
    let udp: OwnedFd = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().into();
    assert_eq!(s.bind_with_fd("tcp://127.0.0.1:0", udp), Err(zmq::Error::EINVAL));
    let target = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let connected: OwnedFd = std::net::TcpStream::connect(target.local_addr().unwrap()).unwrap().into();
    assert_eq!(s.bind_with_fd("tcp://127.0.0.1:0", connected), Err(zmq::Error::EINVAL), "not listening");
    let tcp: OwnedFd = std::net::TcpListener::bind("127.0.0.1:0").unwrap().into();
    assert_eq!(s.bind_with_fd("ipc:///tmp/x", tcp), Err(zmq::Error::EINVAL), "a TCP listener for ipc://");
    let tcp: OwnedFd = std::net::TcpListener::bind("127.0.0.1:0").unwrap().into();
    assert_eq!(s.bind_with_fd("inproc://x", tcp), Err(zmq::Error::EINVAL));
    let path = std::env::temp_dir().join(unique("use-fd.sock"));
    let unix: OwnedFd = std::os::unix::net::UnixListener::bind(&path).unwrap().into();
    assert_eq!(s.bind_with_fd("tcp://127.0.0.1:0", unix), Err(zmq::Error::EINVAL), "a Unix listener for tcp://");
    let _ = std::fs::remove_file(&path);
    assert_eq!(s.get_use_fd(), Ok(-1));
}

/// An ipc listener handed over works the same way.
#[test]
fn bind_with_fd_takes_a_unix_listener_for_ipc() {
    let c = ctx();
    let path = std::env::temp_dir().join(unique("use-fd-ipc.sock"));
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let endpoint = format!("ipc://{}", path.display());
    let server = socket(&c, zmq::PULL);
    server.bind_with_fd(&endpoint, listener.into()).unwrap();
    let client = socket(&c, zmq::PUSH);
    client.connect(&endpoint).unwrap();
    client.send("over a handed-over unix socket", 0).unwrap();
    assert_eq!(server.recv_string(0).unwrap().unwrap(), "over a handed-over unix socket");
    drop((client, server));
    let _ = std::fs::remove_file(&path);
}

//! Bad input never panics, aborts or hangs: each case below gives its documented `Err`.

mod common;

use std::time::Duration;

use common::{ctx, dead_tcp_endpoint, socket, unique, within};
use zmq::Error::*;
use zmq::{Context, Error, Socket};

type Case = (&'static str, Error, fn(&Context) -> zmq::Result<()>);

fn s(ctx: &Context, kind: zmq::SocketType) -> Socket {
    socket(ctx, kind)
}

fn cases() -> Vec<Case> {
    vec![
        // Endpoints.
        ("bind to an empty endpoint", EINVAL, |c| s(c, zmq::PUB).bind("")),
        ("bind without a transport", EINVAL, |c| s(c, zmq::PUB).bind("127.0.0.1:5555")),
        ("bind to an unknown transport", EPROTONOSUPPORT, |c| s(c, zmq::PUB).bind("carrier-pigeon://x")),
        ("bind tcp without a port", EINVAL, |c| s(c, zmq::PUB).bind("tcp://127.0.0.1")),
        ("bind tcp to port 99999", EINVAL, |c| s(c, zmq::PUB).bind("tcp://127.0.0.1:99999")),
        ("bind tcp to a malformed address", ENODEV, |c| s(c, zmq::PUB).bind("tcp://300.1.2.3:5555")),
        ("bind an endpoint with a NUL byte", EINVAL, |c| s(c, zmq::PUB).bind("inproc://a\0b")),
        ("connect an endpoint with a NUL byte", EINVAL, |c| s(c, zmq::SUB).connect("tcp://127.0.0.1:1\0")),
        ("connect without a transport", EINVAL, |c| s(c, zmq::SUB).connect("nowhere")),
        ("connect to an unknown transport", EPROTONOSUPPORT, |c| s(c, zmq::SUB).connect("smoke://signal")),
        ("connect tcp without a port", EINVAL, |c| s(c, zmq::SUB).connect("tcp://127.0.0.1")),
        ("connect tcp to port 65536", EINVAL, |c| s(c, zmq::SUB).connect("tcp://127.0.0.1:65536")),
        // libzmq reads ports with strtoul and keeps 16 bits: each of these would bind or connect another port.
        ("bind tcp to port -1 (65535 to libzmq)", EINVAL, |c| s(c, zmq::PUB).bind("tcp://127.0.0.1:-1")),
        ("bind tcp to port +70000 (4464 to libzmq)", EINVAL, |c| s(c, zmq::PUB).bind("tcp://127.0.0.1:+70000")),
        ("bind tcp to port ' 70000' (4464 to libzmq)", EINVAL, |c| s(c, zmq::PUB).bind("tcp://127.0.0.1: 70000")),
        ("bind tcp to port 45555junk (45555 to libzmq)", EINVAL, |c| s(c, zmq::PUB).bind("tcp://127.0.0.1:45555junk")),
        ("bind tcp to port 0x10 (0 to libzmq)", EINVAL, |c| s(c, zmq::PUB).bind("tcp://127.0.0.1:0x10")),
        ("connect tcp from source port 70000", EINVAL, |c| {
            s(c, zmq::SUB).connect("tcp://127.0.0.1:70000;127.0.0.1:5555")
        }),
        ("connect tcp from source port 1junk", EINVAL, |c| {
            s(c, zmq::SUB).connect("tcp://127.0.0.1:1junk;127.0.0.1:5555")
        }),
        ("connect tcp to port -5 behind a source", EINVAL, |c| {
            s(c, zmq::SUB).connect("tcp://127.0.0.1:0;127.0.0.1:-5")
        }),
        ("unbind tcp port +1", EINVAL, |c| s(c, zmq::PUB).unbind("tcp://127.0.0.1:+1")),
        ("disconnect tcp port 99999", EINVAL, |c| s(c, zmq::SUB).disconnect("tcp://127.0.0.1:99999")),
        ("bind inproc with an empty name", EINVAL, |c| s(c, zmq::PAIR).bind("inproc://")),
        ("bind ipc to an over-long path", ENAMETOOLONG, |c| {
            s(c, zmq::PAIR).bind(&format!("ipc:///tmp/{}", "x".repeat(200)))
        }),
        ("bind a very long endpoint (heap path of the C string)", ENODEV, |c| {
            s(c, zmq::PAIR).bind(&format!("tcp://{}:1", "9".repeat(400)))
        }),
        ("bind the same inproc name twice", EADDRINUSE, |c| {
            let name = format!("inproc://{}", unique("twice"));
            let a = s(c, zmq::PAIR);
            a.bind(&name)?;
            s(c, zmq::PAIR).bind(&name)
        }),
        ("unbind an endpoint never bound", ENOENT, |c| s(c, zmq::PUB).unbind("tcp://127.0.0.1:1")),
        ("disconnect an endpoint never connected", ENOENT, |c| s(c, zmq::SUB).disconnect("tcp://127.0.0.1:1")),
        // Socket state and pattern.
        ("send on a SUB socket", ENOTSUP, |c| s(c, zmq::SUB).send("x", 0)),
        ("receive on a PUB socket", ENOTSUP, |c| s(c, zmq::PUB).recv_msg(0).map(drop)),
        ("receive on a PUSH socket", ENOTSUP, |c| s(c, zmq::PUSH).recv_msg(0).map(drop)),
        ("send on a PULL socket", ENOTSUP, |c| s(c, zmq::PULL).send("x", 0)),
        ("REQ sends twice", EFSM, |c| {
            let req = s(c, zmq::REQ);
            req.connect(&format!("inproc://{}", unique("req")))?;
            req.send("one", zmq::DONTWAIT).or_else(|e| if e == EAGAIN { Ok(()) } else { Err(e) })?;
            // The first send is queued (inproc connect before bind creates the pipe); the second breaks the rule.
            req.send("two", zmq::DONTWAIT)
        }),
        ("REQ receives before sending", EFSM, |c| s(c, zmq::REQ).recv_msg(zmq::DONTWAIT).map(drop)),
        ("REP sends before receiving", EFSM, |c| s(c, zmq::REP).send("x", zmq::DONTWAIT)),
        ("non-blocking receive with nothing queued", EAGAIN, |c| s(c, zmq::PULL).recv_msg(zmq::DONTWAIT).map(drop)),
        ("non-blocking send with no peer", EAGAIN, |c| s(c, zmq::PUSH).send("x", zmq::DONTWAIT)),
        ("receive timeout expires", EAGAIN, |c| {
            let pull = s(c, zmq::PULL);
            pull.set_rcvtimeo(10)?;
            pull.recv_msg(0).map(drop)
        }),
        ("ROUTER_MANDATORY to an unknown peer", EHOSTUNREACH, |c| {
            let router = s(c, zmq::ROUTER);
            router.set_router_mandatory(true)?;
            router.send_multipart(["nobody", "hello"], zmq::DONTWAIT)
        }),
        // Options.
        ("identity of zero bytes", EINVAL, |c| s(c, zmq::DEALER).set_identity(b"")),
        ("identity over 255 bytes", EINVAL, |c| s(c, zmq::DEALER).set_identity(&[1u8; 256])),
        ("subscribe on a PUB socket", EINVAL, |c| s(c, zmq::PUB).set_subscribe(b"topic")),
        ("ROUTER_MANDATORY on a DEALER", EINVAL, |c| s(c, zmq::DEALER).set_router_mandatory(true)),
        ("XPUB_VERBOSE on a SUB", EINVAL, |c| s(c, zmq::SUB).set_xpub_verbose(true)),
        ("REQ_RELAXED on a REP", EINVAL, |c| s(c, zmq::REP).set_req_relaxed(true)),
        ("negative high water mark", EINVAL, |c| s(c, zmq::PUSH).set_sndhwm(-1)),
        ("LINGER below -1", EINVAL, |c| s(c, zmq::PUSH).set_linger(-2)),
        ("PLAIN username with a NUL byte", EINVAL, |c| s(c, zmq::REQ).set_plain_username(Some("a\0b"))),
        ("ZAP domain over 255 bytes", EINVAL, |c| s(c, zmq::REP).set_zap_domain(&"d".repeat(300))),
        ("CURVE key of 31 bytes", EINVAL, |c| s(c, zmq::REQ).set_curve_secretkey(&[7u8; 31])),
        ("CURVE key of 41 bytes", EINVAL, |c| s(c, zmq::REQ).set_curve_serverkey(&[b'a'; 41])),
        ("CURVE key of 40 chars outside Z85", EINVAL, |c| s(c, zmq::REQ).set_curve_publickey(&[b'~'; 40])),
        ("CURVE key of 40 non-UTF-8 bytes", EINVAL, |c| s(c, zmq::REQ).set_curve_publickey(&[0xffu8; 40])),
        // Context.
        ("unknown context option", EINVAL, |c| c.set_option(9999, 1)),
        ("negative I/O thread count", EINVAL, |c| c.set_io_threads(-1)),
        ("socket after shutdown", ETERM, |c| {
            c.shutdown()?;
            c.socket(zmq::PAIR).map(drop)
        }),
        ("receive after shutdown", ETERM, |c| {
            let pull = s(c, zmq::PULL);
            c.shutdown()?;
            pull.recv_msg(0).map(drop)
        }),
        ("send after shutdown", ETERM, |c| {
            let push = s(c, zmq::PUSH);
            c.shutdown()?;
            push.send("x", 0)
        }),
        ("bind after shutdown", ETERM, |c| {
            let push = s(c, zmq::PUSH);
            c.shutdown()?;
            push.bind(&format!("inproc://{}", unique("late")))
        }),
        ("poll after shutdown", ETERM, |c| {
            let pull = s(c, zmq::PULL);
            c.shutdown()?;
            pull.poll(zmq::POLLIN, 1000).map(drop)
        }),
        ("a context default LINGER of -5 (builder)", EINVAL, |_| Context::builder().linger(-5).build().map(drop)),
        ("a context default LINGER of i32::MIN", EINVAL, |c| c.set_default_linger(Some(i32::MIN))),
        ("socket after destroy", ETERM, |c| {
            let mut c = c.clone();
            c.destroy()?;
            c.socket(zmq::PAIR).map(drop)
        }),
        ("a context whose I/O threads run on CPU 1000", EINVAL, |_| {
            Context::builder().thread_affinity_cpu_add(1000).build().map(drop)
        }),
        ("a context with scheduling policy 12345", EINVAL, |_| {
            Context::builder().thread_sched_policy(12345).build().map(drop)
        }),
        ("a context with a million I/O threads", EINVAL, |_| {
            Context::builder().io_threads(1_000_000).build().map(drop)
        }),
        // File descriptors and proxies libzmq would abort on or free twice.
        ("bind on a regular file as listener", EINVAL, |c| {
            s(c, zmq::PULL).bind_with_fd("tcp://127.0.0.1:0", std::fs::File::open("/dev/null").unwrap().into())
        }),
        (
            "a tcp connect through a SOCKS proxy (libzmq frees its poll entry twice when the proxy fails)",
            ENOTSUP,
            |c| {
                let dealer = s(c, zmq::DEALER);
                dealer.set_socks_proxy(Some("127.0.0.1:1080"))?;
                dealer.connect("tcp://127.0.0.1:5555")
            },
        ),
        // Timers and timeouts libzmq would overflow.
        ("a timer of u64::MAX milliseconds", EINVAL, |_| {
            zmq::Timers::new().add(Duration::from_millis(u64::MAX), |_| {}).map(drop)
        }),
        // Sizes.
        ("a message of usize::MAX bytes", ENOMEM, |_| zmq::Message::try_with_size(usize::MAX).map(drop)),
        ("a socket type number libzmq does not know (from C)", EINVAL, |c| {
            // SAFETY: zmq_socket validates the type and returns NULL with errno for an unknown one.
            let raw = unsafe { zmq_sys::zmq_socket(c.as_raw(), 99) };
            assert!(raw.is_null());
            Err(Error::from_raw(unsafe { zmq_sys::zmq_errno() }))
        }),
    ]
}

#[test]
fn every_bad_input_gives_its_error() {
    let cases = cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let n = cases.len();
    within(Duration::from_secs(60), move || {
        let mut failures = Vec::new();
        for (what, expected, case) in cases {
            let c = ctx();
            let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&c)));
            match got {
                Ok(Err(err)) if err == expected => {}
                Ok(other) => failures.push(format!("{what}: expected Err({expected:?}), got {other:?}")),
                Err(_) => failures.push(format!("{what}: panicked")),
            }
        }
        assert!(failures.is_empty(), "{} of {n} cases wrong:\n{}", failures.len(), failures.join("\n"));
    });
    println!("{n} bad inputs checked");
}

#[test]
fn z85_rejects_bad_input() {
    assert!(matches!(zmq::z85_encode(&[1, 2, 3]), Err(zmq::EncodeError::BadLength)));
    assert!(matches!(zmq::z85_decode("abcd"), Err(zmq::DecodeError::BadLength)));
    assert!(matches!(zmq::z85_decode("ab\0cd"), Err(zmq::DecodeError::NulError(_))));
    assert!(matches!(zmq::z85_decode("~~~~~"), Err(zmq::DecodeError::BadCharacter)));
    assert_eq!(zmq::z85_decode("").unwrap(), Vec::<u8>::new());
}

#[test]
fn odd_but_valid_input_works() {
    let c = ctx();
    // Zero-size messages, zero-length receive buffers, tiny timeouts.
    let pull = s(&c, zmq::PULL);
    let push = s(&c, zmq::PUSH);
    let ep = format!("inproc://{}", unique("odd"));
    pull.bind(&ep).unwrap();
    push.connect(&ep).unwrap();
    push.send(zmq::Message::with_size(0), 0).unwrap();
    push.send(&b""[..], 0).unwrap();
    push.send("truncated", 0).unwrap();
    assert_eq!(pull.recv_msg(0).unwrap().len(), 0);
    assert_eq!(pull.recv_bytes(0).unwrap(), b"");
    let mut none = [0u8; 0];
    assert_eq!(pull.recv_into(&mut none, 0).unwrap(), 9, "recv_into reports the full size of a truncated frame");
    assert_eq!(pull.poll(zmq::POLLIN, 0).unwrap(), 0);
    assert_eq!(zmq::has("cur\0ve"), None);
    assert_eq!(zmq::has("no-such-capability"), Some(false));
    assert_eq!(zmq::SocketType::from_raw(99), None);
    let mut msg = zmq::Message::from("x");
    assert_eq!(msg.gets("Socket\0Type"), None);
    // Ports as libzmq means them: `0` and `*` pick a free one; a source address with port 0 lets the OS choose.
    let any = s(&c, zmq::PULL);
    any.bind("tcp://127.0.0.1:0").unwrap();
    let bound = any.last_endpoint().unwrap();
    let from = s(&c, zmq::PUSH);
    from.connect(&format!("tcp://127.0.0.1:0;{}", bound.trim_start_matches("tcp://"))).unwrap();
    from.send("via a source address", 0).unwrap();
    assert_eq!(any.recv_string(0).unwrap().unwrap(), "via a source address");
    // Connecting to an endpoint with nothing behind it is fine (libzmq reconnects in the background).
    push.connect(&dead_tcp_endpoint()).unwrap();
}

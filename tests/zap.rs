//! The ZAP authenticator under hostile input: arbitrary requests sent straight to its endpoint (a property test),
//! and callbacks that panic. A malformed request is never admitted, gets an error reply when it can be answered at
//! all, and never stops the handler thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

mod common;
use common::socket;

const WATCHDOG: Duration = Duration::from_secs(30);

fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    common::within(WATCHDOG, f)
}

fn ctx() -> zmq::Context {
    assert_eq!(zmq::has("curve"), Some(true), "this build of libzmq has no CURVE: that is a bug, not a skip");
    common::ctx()
}

const DENIED_ADDRESS: &[u8] = b"10.0.0.66";

/// Whether the authenticator set up in `zap_requests_are_never_admitted_unless_well_formed` must admit a request
/// (RFC 27 frames from the version on): version 1.0, UTF-8 text frames, an address not on the deny list, and the
/// credentials of its mechanism, exactly.
fn admissible(frames: &[Vec<u8>], curve_key: &[u8; 32]) -> bool {
    if frames.len() < 6 || frames[0] != b"1.0" || frames[3] == DENIED_ADDRESS {
        return false;
    }
    if [2, 3, 5].iter().any(|&i| std::str::from_utf8(&frames[i]).is_err()) {
        return false;
    }
    let credentials = &frames[6..];
    match frames[5].as_slice() {
        b"NULL" => credentials.is_empty(),
        b"PLAIN" => credentials == [b"admin".to_vec(), b"secret".to_vec()],
        b"CURVE" => credentials == [curve_key.to_vec()],
        b"GSSAPI" => credentials.len() == 1 && std::str::from_utf8(&credentials[0]).is_ok(),
        _ => false,
    }
}

/// A request frame: the values that matter to the authenticator, or anything.
fn zap_frame(curve_key: [u8; 32]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"1.0".to_vec()),
        Just(b"1.1".to_vec()),
        Just(Vec::new()),
        Just(b"127.0.0.1".to_vec()),
        Just(DENIED_ADDRESS.to_vec()),
        Just(b"NULL".to_vec()),
        Just(b"PLAIN".to_vec()),
        Just(b"CURVE".to_vec()),
        Just(b"GSSAPI".to_vec()),
        Just(b"admin".to_vec()),
        Just(b"secret".to_vec()),
        Just(curve_key.to_vec()),
        vec(any::<u8>(), 0..12),
        vec(any::<u8>(), 32),
    ]
}

/// Requests that are well formed but for one frame, so that the interesting cases come up often.
fn zap_request(curve_key: [u8; 32]) -> impl Strategy<Value = Vec<Vec<u8>>> {
    let mechanism = prop_oneof![
        Just(vec![b"NULL".to_vec()]),
        Just(vec![b"PLAIN".to_vec(), b"admin".to_vec(), b"secret".to_vec()]),
        Just(vec![b"CURVE".to_vec(), curve_key.to_vec()]),
        Just(vec![b"GSSAPI".to_vec(), b"principal".to_vec()]),
    ];
    let base = mechanism.prop_map(|tail| {
        let mut frames = vec![b"1.0".to_vec(), b"id".to_vec(), b"domain".to_vec(), b"127.0.0.1".to_vec(), vec![]];
        frames.extend(tail);
        frames
    });
    (base, any::<prop::sample::Index>(), zap_frame(curve_key), 0..3u8).prop_map(|(mut frames, at, frame, edit)| {
        let at = at.index(frames.len() + 1);
        match edit {
            0 if at < frames.len() => frames[at] = frame,
            1 => frames.insert(at, frame),
            _ if at < frames.len() => drop(frames.remove(at)),
            _ => {}
        }
        frames
    })
}

/// Sends arbitrary requests to the authenticator as libzmq would (a DEALER: empty delimiter, then the frames),
/// each followed by a well-formed request whose reply marks the end of the answers to the first one.
#[test]
fn zap_requests_are_never_admitted_unless_well_formed() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        let curve = zmq::CurveKeyPair::new().unwrap();
        auth.configure_plain(zmq::ANY_DOMAIN, [("admin", "secret")]);
        auth.configure_curve(zmq::ANY_DOMAIN, [curve.public_key]).unwrap();
        auth.deny(std::str::from_utf8(DENIED_ADDRESS).unwrap());
        let client = socket(&ctx, zmq::DEALER);
        client.connect(zmq::ZAP_ENDPOINT).unwrap();

        let key = curve.public_key;
        let strategy = prop_oneof![vec(zap_frame(key), 0..10), zap_request(key)];
        let mut runner =
            TestRunner::new(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(300) });
        let cases = AtomicUsize::new(0);
        runner
            .run(&strategy, |frames| {
                // The end marker's id is unique per case, and every reply up to its own is read before checking,
                // so that a failing case leaves nothing behind for the next (proptest reruns cases to shrink them).
                let case = cases.fetch_add(1, Ordering::Relaxed);
                let marker = format!("\u{fffd}end of the answers to request {case}").into_bytes();
                let mut message = vec![Vec::new()];
                message.extend(frames.iter().cloned());
                client.send_multipart(message, 0).unwrap();
                let end: [&[u8]; 7] = [b"", b"1.0", &marker, b"", b"127.0.0.1", b"", b"NULL"];
                client.send_multipart(end, 0).unwrap();
                let mut replies = Vec::new();
                loop {
                    let reply = client.recv_multipart(0).expect("a reply");
                    if reply.get(2) == Some(&marker) {
                        prop_assert_eq!(&reply[3], b"200");
                        break;
                    }
                    replies.push(reply);
                }

                if frames.len() < 2 {
                    prop_assert!(replies.is_empty(), "a reply to a request without id: {:?}", replies);
                    return Ok(());
                }
                prop_assert_eq!(replies.len(), 1, "{:?}", replies);
                let reply = &replies[0];
                prop_assert_eq!(reply.len(), 7, "{:?}", reply);
                prop_assert_eq!((&reply[0][..], &reply[1][..], &reply[2]), (&b""[..], &b"1.0"[..], &frames[1]));
                let status = std::str::from_utf8(&reply[3]).unwrap().to_owned();
                prop_assert!(["200", "300", "400", "500"].contains(&status.as_str()), "{}", status);
                prop_assert_eq!(status == "200", admissible(&frames, &key), "{:?} -> {:?}", frames, reply);
                Ok(())
            })
            .unwrap();
        assert!(auth.is_running());
    });
}

/// A PLAIN server and a client with these credentials; whether the client's message gets through (waiting up to
/// 5 s when it should, 500 ms when it should not).
fn plain_exchange(ctx: &zmq::Context, user: &str, password: &str, should: bool) -> bool {
    let server = socket(ctx, zmq::PULL);
    server.set_plain_server(true).unwrap();
    let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
    let client = socket(ctx, zmq::PUSH);
    client.set_plain_username(Some(user)).unwrap();
    client.set_plain_password(Some(password)).unwrap();
    client.connect(&endpoint).unwrap();
    // A refusal may come before the send (if this thread is held up after the connect): then libzmq has dropped
    // the connection's pipe and there is nothing to send to.
    match client.send("knock", zmq::DONTWAIT) {
        Ok(()) => {}
        Err(zmq::Error::EAGAIN) if !should => return false,
        Err(error) => panic!("send: {error}"),
    }
    server.poll(zmq::POLLIN, if should { 5000 } else { 500 }).unwrap() == 1 && server.recv_bytes(0).unwrap() == b"knock"
}

/// A callback that panics refuses that peer (`500`) and nothing more: the handler thread goes on answering, the
/// next peers are decided as usual, and a panicking logger changes nothing either.
#[test]
fn a_panicking_callback_refuses_one_peer_and_the_authenticator_goes_on() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_plain(zmq::ANY_DOMAIN, [("admin", "secret"), ("boom", "secret")]);
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&calls);
        auth.set_handler(zmq::ANY_DOMAIN, move |request| {
            seen.fetch_add(1, Ordering::SeqCst);
            match request.plain_credentials() {
                Some(("boom", _)) => panic!("a callback that panics"),
                _ => None,
            }
        });
        let lines = Arc::new(AtomicUsize::new(0));
        let logged = Arc::clone(&lines);
        auth.set_logger(move |_| {
            logged.fetch_add(1, Ordering::SeqCst);
            panic!("a logger that panics");
        });

        assert!(!plain_exchange(&ctx, "boom", "secret", false), "the panicking callback's peer is refused");
        assert!(auth.is_running(), "the handler thread survives the panic");
        assert!(plain_exchange(&ctx, "admin", "secret", true), "the next peer is admitted");
        assert!(!plain_exchange(&ctx, "admin", "wrong", false), "and a wrong password still refused");
        assert!(!plain_exchange(&ctx, "boom", "secret", false));
        assert!(plain_exchange(&ctx, "admin", "secret", true));
        assert!(calls.load(Ordering::SeqCst) >= 5, "the callback ran for every peer");
        assert!(lines.load(Ordering::SeqCst) >= 5, "the logger ran for every decision");
        assert!(auth.is_running());
    });
}

/// Found by `zap_requests_are_never_admitted_unless_well_formed`: a NULL request carrying a credential frame was
/// admitted. Requests whose credentials do not have their mechanism's shape are refused.
#[test]
fn credentials_of_the_wrong_shape_are_refused() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_plain(zmq::ANY_DOMAIN, [("admin", "secret")]);
        let client = socket(&ctx, zmq::DEALER);
        client.connect(zmq::ZAP_ENDPOINT).unwrap();
        let head: [&[u8]; 6] = [b"", b"1.0", b"id", b"", b"127.0.0.1", b""];
        let cases: [(&[&[u8]], &[u8]); 6] = [
            (&[b"NULL"], b"200"),
            (&[b"NULL", b"NULL"], b"400"),
            (&[b"PLAIN", b"admin", b"secret"], b"200"),
            (&[b"PLAIN", b"admin", b"secret", b"extra"], b"400"),
            (&[b"GSSAPI"], b"400"),
            (&[b"GSSAPI", b"principal", b"extra"], b"400"),
        ];
        for (tail, status) in cases {
            client.send_multipart(head.iter().chain(tail), 0).unwrap();
            let reply = client.recv_multipart(0).unwrap();
            assert_eq!(reply[3], status, "{tail:?}: {reply:?}");
        }
    });
}

/// A panic payload whose own `Drop` panics: dropping the caught payload must not unwind the handler thread.
struct PanicsWhenDropped;

impl Drop for PanicsWhenDropped {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("a panic payload that panics when dropped");
        }
    }
}

#[test]
fn a_callback_panic_whose_payload_panics_on_drop_is_contained() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_plain(zmq::ANY_DOMAIN, [("admin", "secret"), ("boom", "secret")]);
        auth.set_handler(zmq::ANY_DOMAIN, |request| match request.plain_credentials() {
            Some(("boom", _)) => std::panic::panic_any(PanicsWhenDropped),
            _ => None,
        });
        auth.set_logger(|line| {
            if line.contains("\"boom\"") {
                std::panic::panic_any(PanicsWhenDropped);
            }
        });
        assert!(!plain_exchange(&ctx, "boom", "secret", false));
        assert!(plain_exchange(&ctx, "admin", "secret", true), "the authenticator still answers");
        assert!(auth.is_running());
    });
}

/// The last handle of an authenticator may be dropped by its own callback, on the handler thread: the drop must
/// not wait for (join) the thread it runs on, nor panic.
#[test]
fn an_authenticator_dropped_by_its_own_callback() {
    static SLOT: std::sync::Mutex<Option<zmq::Authenticator>> = std::sync::Mutex::new(None);
    static DROPPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_plain(zmq::ANY_DOMAIN, [("admin", "secret")]);
        auth.set_handler(zmq::ANY_DOMAIN, |_| {
            drop(SLOT.lock().unwrap().take());
            DROPPED.store(true, Ordering::SeqCst);
            None
        });
        *SLOT.lock().unwrap() = Some(auth);
        assert!(plain_exchange(&ctx, "admin", "secret", true), "the request being decided is still answered");
        assert!(DROPPED.load(Ordering::SeqCst), "the drop returned");
        // The endpoint is free again: a new authenticator can bind it.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let again = loop {
            match zmq::Authenticator::new(&ctx) {
                Ok(auth) => break auth,
                Err(zmq::Error::EADDRINUSE) if std::time::Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(10))
                }
                Err(err) => panic!("no new authenticator: {err}"),
            }
        };
        assert!(again.is_running());
    });
}

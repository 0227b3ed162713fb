//! Security: CURVE keys, certificates (czmq and pyzmq formats), the ZAP authenticator, and the CURVE examples.
//!
//! Every connection is real TCP on 127.0.0.1 (`tcp://127.0.0.1:*` read back with `last_endpoint`); every blocking
//! call is bounded (RCVTIMEO, poll timeouts, and a watchdog around each test). A refused peer is checked two ways:
//! the server receives nothing from it, and the server's monitor reports a `HANDSHAKE_FAILED_*` event.
//!
//! CURVE must be available in every build of this crate: the tests fail, never skip, when it is not.

#![allow(clippy::duplicate_mod)] // Both included examples pull in zhelpers for their println!

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

// The examples print with zhelpers' println!, which names `crate::zhelpers`.
#[macro_use]
#[path = "../examples/zhelpers/mod.rs"]
mod zhelpers;
#[allow(dead_code)]
#[path = "../examples/curve_reqrep.rs"]
mod curve_reqrep;
#[allow(dead_code)]
#[path = "../examples/ironhouse.rs"]
mod ironhouse;

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const WATCHDOG: Duration = Duration::from_secs(30);
/// How long a refused peer is watched for a message that must not come.
const QUIET_MS: i64 = 400;

/// Runs `f` on its own thread and fails the test if it takes longer than `WATCHDOG`.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        let out = f();
        let _ = tx.send(());
        out
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
            handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test hangs (watchdog: {WATCHDOG:?})"),
    }
}

/// A context whose sockets never wait for undelivered messages.
fn ctx() -> zmq::Context {
    assert_eq!(zmq::has("curve"), Some(true), "this build of libzmq has no CURVE: that is a bug, not a skip");
    zmq::Context::builder().linger(0).build().unwrap()
}

fn socket(ctx: &zmq::Context, kind: zmq::SocketType) -> zmq::Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(5000).unwrap();
    s.set_sndtimeo(5000).unwrap();
    s
}

#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/certs").join(path)
}

/// A monitor on `socket`: a PAIR socket reading its events (v1 format: two frames per event).
struct Monitor {
    pair: zmq::Socket,
}

/// One monitor event: (event number, value, endpoint).
type Event = (u16, u32, String);

fn event(e: zmq::SocketEvent) -> u16 {
    e.to_raw()
}

const AUTH: u16 = events::AUTH;
const SUCCEEDED: u16 = events::SUCCEEDED;
const FAILED: [u16; 3] = [AUTH, events::PROTOCOL, events::NO_DETAIL];

/// Event numbers of zmq_socket_monitor(3), as constants for matching; `event_numbers_match` checks them against
/// `zmq::SocketEvent`.
mod events {
    pub const NO_DETAIL: u16 = 0x0800;
    pub const SUCCEEDED: u16 = 0x1000;
    pub const PROTOCOL: u16 = 0x2000;
    pub const AUTH: u16 = 0x4000;
}

impl Monitor {
    /// Starts monitoring `socket` (call before it binds).
    fn new(ctx: &zmq::Context, socket: &zmq::Socket) -> Monitor {
        static N: AtomicUsize = AtomicUsize::new(0);
        let endpoint = format!("inproc://security-monitor-{}", N.fetch_add(1, Ordering::Relaxed));
        socket.monitor(&endpoint, zmq::SocketEvent::ALL.to_raw() as i32).unwrap();
        let pair = socket_of(ctx, zmq::PAIR);
        pair.connect(&endpoint).unwrap();
        Monitor { pair }
    }

    /// The next event, or `None` after `timeout`.
    fn next(&self, timeout: Duration) -> Option<Event> {
        if self.pair.poll(zmq::POLLIN, timeout.as_millis() as i64).unwrap() == 0 {
            return None;
        }
        let frames = self.pair.recv_multipart(0).unwrap();
        assert_eq!(frames.len(), 2, "a v1 monitor event has two frames");
        assert_eq!(frames[0].len(), 6, "frame 1 is u16 event + u32 value");
        let event = u16::from_le_bytes([frames[0][0], frames[0][1]]);
        let value = u32::from_le_bytes([frames[0][2], frames[0][3], frames[0][4], frames[0][5]]);
        Some((event, value, String::from_utf8_lossy(&frames[1]).into_owned()))
    }

    /// Waits for the first handshake outcome and returns it; fails if none comes within 5 s.
    fn handshake(&self) -> Event {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.next(left) {
                Some(event) if event.0 == SUCCEEDED || FAILED.contains(&event.0) => return event,
                Some(event) => seen.push(event),
                None => break,
            }
        }
        panic!("no handshake event within 5 s; saw {seen:?}");
    }

    /// Asserts that the next handshake failed, and returns the failure event.
    fn expect_failure(&self) -> Event {
        let event = self.handshake();
        assert!(FAILED.contains(&event.0), "expected a HANDSHAKE_FAILED_* event, got {event:?}");
        event
    }
}

fn socket_of(ctx: &zmq::Context, kind: zmq::SocketType) -> zmq::Socket {
    socket(ctx, kind)
}

/// Asserts that `server` receives nothing for a while.
fn assert_nothing_arrives(server: &zmq::Socket) {
    assert_eq!(server.poll(zmq::POLLIN, QUIET_MS).unwrap(), 0, "a refused peer's message was delivered");
}

/// A REP CURVE server bound to loopback, with a monitor; returns (server, monitor, endpoint, keys).
fn curve_server(ctx: &zmq::Context) -> (zmq::Socket, Monitor, String, zmq::CurveKeyPair) {
    let keys = zmq::CurveKeyPair::new().unwrap();
    let server = socket(ctx, zmq::REP);
    keys.apply_server(&server).unwrap();
    let monitor = Monitor::new(ctx, &server);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    (server, monitor, endpoint, keys)
}

fn curve_client(ctx: &zmq::Context, keys: &zmq::CurveKeyPair, server_key: &[u8], endpoint: &str) -> zmq::Socket {
    let client = socket(ctx, zmq::REQ);
    keys.apply_client(&client, server_key).unwrap();
    client.connect(endpoint).unwrap();
    client
}

/// One request/reply round; returns the request as the server saw it (with its properties).
fn exchange(client: &zmq::Socket, server: &zmq::Socket) -> zmq::Message {
    client.send("hello", 0).unwrap();
    let mut request = zmq::Message::new();
    server.recv(&mut request, 0).expect("the admitted client's request did not arrive");
    assert_eq!(request.as_str(), Some("hello"));
    server.send("world", 0).unwrap();
    assert_eq!(client.recv_string(0).unwrap().unwrap(), "world");
    request
}

/// Sends from a client that must be refused, and checks both that nothing arrives and that the monitor saw the
/// handshake fail; returns the failure event.
fn assert_refused(client: &zmq::Socket, server: &zmq::Socket, monitor: &Monitor) -> Event {
    // The refusal may come first: then libzmq has dropped the connection's pipe and there is nothing to send to.
    match client.send("let me in", zmq::DONTWAIT) {
        Ok(()) | Err(zmq::Error::EAGAIN) => {}
        Err(error) => panic!("send: {error}"),
    }
    let event = monitor.expect_failure();
    assert_nothing_arrives(server);
    event
}

// ---------------------------------------------------------------------------------------------------------------
// CURVE keys

#[test]
fn event_numbers_match() {
    use zmq::SocketEvent as E;
    assert_eq!(event(E::HANDSHAKE_FAILED_NO_DETAIL), events::NO_DETAIL);
    assert_eq!(event(E::HANDSHAKE_SUCCEEDED), SUCCEEDED);
    assert_eq!(event(E::HANDSHAKE_FAILED_PROTOCOL), events::PROTOCOL);
    assert_eq!(event(E::HANDSHAKE_FAILED_AUTH), AUTH);
}

#[test]
fn curve_is_available() {
    assert_eq!(zmq::has("curve"), Some(true), "CURVE is promised in every build (system and vendored)");
    zmq::CurveKeyPair::new().expect("zmq_curve_keypair works");
}

#[test]
fn curve_public_derives_the_public_key() {
    let _ = ctx();
    let pair = zmq::CurveKeyPair::new().unwrap();
    assert_eq!(zmq::curve_public(&pair.secret_key).unwrap(), pair.public_key);
    assert_eq!(zmq::curve_public(pair.secret_key_z85().as_bytes()).unwrap(), pair.public_key);
    let mut with_nul = pair.secret_key_z85().into_bytes();
    with_nul.push(0);
    assert_eq!(zmq::curve_public(&with_nul).unwrap(), pair.public_key);

    // The test vectors of zmq_curve(7).
    let client = zmq::CurveKeyPair::from_secret_key(b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs").unwrap();
    assert_eq!(client.public_key_z85(), "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    assert_eq!(client.secret_key_z85(), "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs");
    let server = zmq::CurveKeyPair::from_secret_key(b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6").unwrap();
    assert_eq!(zmq::z85_encode(&server.public_key).unwrap(), "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    assert_eq!(zmq::CurveKeyPair::from_secret_key(&server.secret_key).unwrap(), server);
    assert!(!format!("{server:?}").contains(&server.secret_key_z85()), "Debug must hide the secret key");
}

#[test]
fn malformed_keys_are_einval_not_panics() {
    let ctx = ctx();
    let s = ctx.socket(zmq::REQ).unwrap();
    let good = zmq::CurveKeyPair::new().unwrap();
    let mut bad_keys: Vec<Vec<u8>> = vec![
        vec![],
        vec![1; 31],
        vec![1; 33],
        vec![b'a'; 39],
        vec![b'a'; 41],
        vec![0xff; 40],                                       // not UTF-8
        vec![b'#'; 40],                                       // Z85 characters, but a group overflows 32 bits
        b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI~".to_vec(), // `~` is outside the alphabet
        b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI ".to_vec(), // so is a space
        b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI\"".to_vec(),
    ];
    let mut interior_nul = good.public_key_z85().into_bytes();
    interior_nul[10] = 0;
    bad_keys.push(interior_nul);

    for key in &bad_keys {
        assert_eq!(s.set_curve_secretkey(key), Err(zmq::Error::EINVAL), "secret key {key:?}");
        assert_eq!(s.set_curve_publickey(key), Err(zmq::Error::EINVAL), "public key {key:?}");
        assert_eq!(s.set_curve_serverkey(key), Err(zmq::Error::EINVAL), "server key {key:?}");
        assert_eq!(zmq::curve_public(key), Err(zmq::Error::EINVAL), "curve_public {key:?}");
        assert_eq!(zmq::CurveKeyPair::from_secret_key(key).err(), Some(zmq::Error::EINVAL));
        assert_eq!(zmq::Certificate::from_public_key(key).err(), Some(zmq::Error::EINVAL));
        assert_eq!(good.apply_client(&s, key), Err(zmq::Error::EINVAL));
    }

    // The good forms: binary, Z85, Z85 with the C string's NUL.
    s.set_curve_serverkey(&good.public_key).unwrap();
    s.set_curve_serverkey(good.public_key_z85().as_bytes()).unwrap();
    let mut z85_nul = good.public_key_z85().into_bytes();
    z85_nul.push(0);
    s.set_curve_serverkey(&z85_nul).unwrap();
    assert_eq!(s.get_curve_serverkey().unwrap(), good.public_key.to_vec());

    let auth = zmq::Authenticator::new(&ctx).unwrap();
    assert_eq!(auth.configure_curve(zmq::ANY_DOMAIN, [&b"short"[..]]), Err(zmq::Error::EINVAL));
}

// ---------------------------------------------------------------------------------------------------------------
// CURVE with the authenticator

#[test]
fn curve_allowed_client_exchanges_messages() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        let client_keys = zmq::CurveKeyPair::new().unwrap();
        let cert = zmq::Certificate::from(client_keys.clone()).with_meta("name", "client one");
        auth.configure_curve_certs(zmq::ANY_DOMAIN, [cert]);

        let (server, monitor, endpoint, server_keys) = curve_server(&ctx);
        let client = curve_client(&ctx, &client_keys, &server_keys.public_key, &endpoint);
        let mut request = exchange(&client, &server);
        assert_eq!(monitor.handshake().0, SUCCEEDED);
        assert_eq!(request.gets("User-Id"), Some(client_keys.public_key_z85().as_str()));
        assert_eq!(request.gets("name"), Some("client one"), "certificate metadata reaches the message");
        assert_eq!(server.get_mechanism().unwrap(), zmq::Mechanism::ZMQ_CURVE);
        for _ in 0..3 {
            exchange(&client, &server);
        }
    })
}

#[test]
fn curve_client_with_unknown_key_is_refused() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        let known = zmq::CurveKeyPair::new().unwrap();
        auth.configure_curve(zmq::ANY_DOMAIN, [known.public_key_z85()]).unwrap();

        let (server, monitor, endpoint, server_keys) = curve_server(&ctx);
        let stranger = curve_client(&ctx, &zmq::CurveKeyPair::new().unwrap(), &server_keys.public_key, &endpoint);
        let event = assert_refused(&stranger, &server, &monitor);
        assert_eq!((event.0, event.1), (AUTH, 400), "refused by the ZAP handler with status 400");

        // The known key still gets in on the same server.
        let friend = curve_client(&ctx, &known, &server_keys.public_key, &endpoint);
        exchange(&friend, &server);
    })
}

#[test]
fn client_without_curve_is_refused() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_curve_any(zmq::ANY_DOMAIN);

        let (server, monitor, endpoint, _) = curve_server(&ctx);
        let plain_text = socket(&ctx, zmq::REQ);
        plain_text.connect(&endpoint).unwrap();
        let event = assert_refused(&plain_text, &server, &monitor);
        assert_ne!(event.0, SUCCEEDED);
    })
}

#[test]
fn client_with_the_wrong_server_key_gets_nothing_through() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_curve_any(zmq::ANY_DOMAIN);
        let (server, monitor, endpoint, _) = curve_server(&ctx);
        let impostor_server_key = zmq::CurveKeyPair::new().unwrap().public_key;
        let client = curve_client(&ctx, &zmq::CurveKeyPair::new().unwrap(), &impostor_server_key, &endpoint);
        assert_refused(&client, &server, &monitor);
    })
}

#[test]
fn curve_allow_any_admits_every_valid_key() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_curve_any(zmq::ANY_DOMAIN);
        let (server, _monitor, endpoint, server_keys) = curve_server(&ctx);
        for _ in 0..3 {
            let keys = zmq::CurveKeyPair::new().unwrap();
            let client = curve_client(&ctx, &keys, &server_keys.public_key, &endpoint);
            let mut request = exchange(&client, &server);
            assert_eq!(request.gets("User-Id"), Some(keys.public_key_z85().as_str()));
        }
    })
}

#[test]
fn curve_without_configuration_is_refused_once_an_authenticator_runs() {
    within(|| {
        let ctx = ctx();
        let _auth = zmq::Authenticator::new(&ctx).unwrap();
        let (server, monitor, endpoint, server_keys) = curve_server(&ctx);
        let client = curve_client(&ctx, &zmq::CurveKeyPair::new().unwrap(), &server_keys.public_key, &endpoint);
        let event = assert_refused(&client, &server, &monitor);
        assert_eq!(event.0, AUTH);
    })
}

#[test]
fn key_removed_from_the_directory_is_refused_after_reload() {
    within(|| {
        let dir = TempDir::new("security-curve-dir");
        let ctx = ctx();
        let alice = zmq::Certificate::new().unwrap().with_meta("name", "alice");
        let bob = zmq::Certificate::new().unwrap().with_meta("name", "bob");
        alice.save(dir.path().join("alice")).unwrap();
        bob.save(dir.path().join("bob")).unwrap();
        fs::write(dir.path().join(".hidden"), "not a certificate").unwrap();

        let auth = zmq::Authenticator::new(&ctx).unwrap();
        assert_eq!(auth.configure_curve_dir(zmq::ANY_DOMAIN, dir.path()).unwrap(), 2);
        let (server, monitor, endpoint, server_keys) = curve_server(&ctx);

        let alice_keys = alice.keypair().unwrap();
        let first = curve_client(&ctx, &alice_keys, &server_keys.public_key, &endpoint);
        let mut request = exchange(&first, &server);
        assert_eq!(request.gets("name"), Some("alice"));
        assert_eq!(monitor.handshake().0, SUCCEEDED);
        drop(first);

        // Alice's public file goes; after a reload a new connection with her key is refused.
        fs::remove_file(dir.path().join("alice.key")).unwrap();
        auth.reload().unwrap();
        let second = curve_client(&ctx, &alice_keys, &server_keys.public_key, &endpoint);
        let event = assert_refused(&second, &server, &monitor);
        assert_eq!((event.0, event.1), (AUTH, 400));

        // Bob is still in.
        let bob_client = curve_client(&ctx, &bob.keypair().unwrap(), &server_keys.public_key, &endpoint);
        exchange(&bob_client, &server);
    })
}

#[test]
fn failed_reload_keeps_the_previous_keys() {
    let dir = TempDir::new("security-curve-dir-bad");
    let ctx = ctx();
    zmq::Certificate::new().unwrap().save(dir.path().join("one")).unwrap();
    let auth = zmq::Authenticator::new(&ctx).unwrap();
    assert_eq!(auth.configure_curve_dir("d", dir.path()).unwrap(), 1);
    fs::write(dir.path().join("broken.key"), "curve\n    public-key = \"too short\"\n").unwrap();
    let err = auth.reload().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("broken.key"), "{err}");
    let err = auth.configure_curve_dir("d", dir.path().join("missing")).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
}

// ---------------------------------------------------------------------------------------------------------------
// PLAIN

fn plain_server(ctx: &zmq::Context) -> (zmq::Socket, Monitor, String) {
    plain_server_in(ctx, "")
}

/// A PLAIN server in a ZAP domain (options are copied when binding, so the domain is set before).
fn plain_server_in(ctx: &zmq::Context, domain: &str) -> (zmq::Socket, Monitor, String) {
    let server = socket(ctx, zmq::REP);
    server.set_plain_server(true).unwrap();
    if !domain.is_empty() {
        server.set_zap_domain(domain).unwrap();
    }
    let monitor = Monitor::new(ctx, &server);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    (server, monitor, endpoint)
}

fn plain_client(ctx: &zmq::Context, user: &str, password: &str, endpoint: &str) -> zmq::Socket {
    let client = socket(ctx, zmq::REQ);
    client.set_plain_username(Some(user)).unwrap();
    client.set_plain_password(Some(password)).unwrap();
    client.connect(endpoint).unwrap();
    client
}

#[test]
fn plain_right_password_is_accepted() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_plain(zmq::ANY_DOMAIN, [("admin", "secret"), ("guest", "guest")]);
        let (server, monitor, endpoint) = plain_server(&ctx);
        let client = plain_client(&ctx, "admin", "secret", &endpoint);
        let mut request = exchange(&client, &server);
        assert_eq!(request.gets("User-Id"), Some("admin"));
        assert_eq!(monitor.handshake().0, SUCCEEDED);
    })
}

#[test]
fn plain_wrong_password_is_refused() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_plain(zmq::ANY_DOMAIN, [("admin", "secret")]);
        let (server, monitor, endpoint) = plain_server(&ctx);
        let client = plain_client(&ctx, "admin", "Secret", &endpoint);
        let event = assert_refused(&client, &server, &monitor);
        assert_eq!((event.0, event.1), (AUTH, 400));
    })
}

#[test]
fn plain_unknown_user_is_refused() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_plain(zmq::ANY_DOMAIN, [("admin", "secret")]);
        let (server, monitor, endpoint) = plain_server(&ctx);
        let client = plain_client(&ctx, "mallory", "secret", &endpoint);
        let event = assert_refused(&client, &server, &monitor);
        assert_eq!((event.0, event.1), (AUTH, 400));
    })
}

#[test]
fn plain_password_file_and_reload() {
    within(|| {
        let dir = TempDir::new("security-passwords");
        let file = dir.path().join("passwords.txt");
        fs::write(&file, "# users\nadmin=secret\n\n  guest = guest  \n").unwrap();
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        assert_eq!(auth.configure_plain_file(zmq::ANY_DOMAIN, &file).unwrap(), 2);
        let (server, monitor, endpoint) = plain_server(&ctx);
        exchange(&plain_client(&ctx, "guest", "guest", &endpoint), &server);
        assert_eq!(monitor.handshake().0, SUCCEEDED);

        fs::write(&file, "admin=secret\n").unwrap();
        auth.reload().unwrap();
        let event = assert_refused(&plain_client(&ctx, "guest", "guest", &endpoint), &server, &monitor);
        assert_eq!(event.0, AUTH);

        fs::write(&file, "no equals sign here\n").unwrap();
        let err = auth.reload().unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        exchange(&plain_client(&ctx, "admin", "secret", &endpoint), &server); // the old table stays
    })
}

// ---------------------------------------------------------------------------------------------------------------
// IP allow and deny lists

/// A NULL-mechanism server: libzmq asks the ZAP handler only when a ZAP domain is set.
fn null_server(ctx: &zmq::Context) -> (zmq::Socket, Monitor, String) {
    let server = socket(ctx, zmq::REP);
    server.set_zap_domain("global").unwrap();
    let monitor = Monitor::new(ctx, &server);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    (server, monitor, endpoint)
}

#[test]
fn deny_list_refuses_localhost() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.deny("127.0.0.1");
        let (server, monitor, endpoint) = null_server(&ctx);
        let client = socket(&ctx, zmq::REQ);
        client.connect(&endpoint).unwrap();
        let event = assert_refused(&client, &server, &monitor);
        assert_eq!((event.0, event.1), (AUTH, 400));
    })
}

#[test]
fn deny_list_applies_before_passwords() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_plain(zmq::ANY_DOMAIN, [("admin", "secret")]);
        auth.deny("127.0.0.1");
        let (server, monitor, endpoint) = plain_server(&ctx);
        assert_refused(&plain_client(&ctx, "admin", "secret", &endpoint), &server, &monitor);
        assert!(auth.remove_denied("127.0.0.1"));
        exchange(&plain_client(&ctx, "admin", "secret", &endpoint), &server);
    })
}

#[test]
fn allow_list_admits_localhost() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.allow("127.0.0.1");
        auth.deny("127.0.0.1"); // ignored while the allow list is not empty
        let (server, monitor, endpoint) = null_server(&ctx);
        let client = socket(&ctx, zmq::REQ);
        client.connect(&endpoint).unwrap();
        exchange(&client, &server);
        assert_eq!(monitor.handshake().0, SUCCEEDED);
    })
}

#[test]
fn allow_list_without_localhost_refuses_it() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.allow("192.0.2.1");
        let (server, monitor, endpoint) = null_server(&ctx);
        let client = socket(&ctx, zmq::REQ);
        client.connect(&endpoint).unwrap();
        assert_refused(&client, &server, &monitor);
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Callback, domains, logging

#[test]
fn callback_decides_and_can_defer_to_the_built_in_rules() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        auth.configure_plain(zmq::ANY_DOMAIN, [("table-user", "pw")]);
        auth.set_handler(zmq::ANY_DOMAIN, move |request| {
            log.lock().unwrap().push(format!("{request:?}"));
            let (user, password) = request.plain_credentials()?;
            match user {
                "vip" if password == "pass" => {
                    Some(zmq::ZapReply::allow("VIP").with_metadata("Tier", b"gold".to_vec()))
                }
                "blocked" => Some(zmq::ZapReply::deny("blocked by the callback")),
                _ => None, // the password table decides
            }
        });
        let (server, monitor, endpoint) = plain_server(&ctx);

        let mut request = exchange(&plain_client(&ctx, "vip", "pass", &endpoint), &server);
        assert_eq!(request.gets("User-Id"), Some("VIP"));
        assert_eq!(request.gets("Tier"), Some("gold"));
        assert_eq!(monitor.handshake().0, SUCCEEDED);

        exchange(&plain_client(&ctx, "table-user", "pw", &endpoint), &server);
        assert_eq!(monitor.handshake().0, SUCCEEDED);

        assert_refused(&plain_client(&ctx, "blocked", "pw", &endpoint), &server, &monitor);
        let seen = seen.lock().unwrap();
        assert!(seen.iter().any(|r| r.contains("vip")), "{seen:?}");
        assert!(seen.iter().all(|r| !r.contains("\"pass\"")), "Debug hides passwords: {seen:?}");
    })
}

#[test]
fn settings_are_per_domain_with_a_fallback() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_plain("north", [("ann", "north-pw")]);
        auth.configure_plain("south", [("bob", "south-pw")]);
        auth.configure_plain(zmq::ANY_DOMAIN, [("carol", "any-pw")]);

        let (north, north_mon, north_ep) = plain_server_in(&ctx, "north");
        let (south, south_mon, south_ep) = plain_server_in(&ctx, "south");
        let (other, _other_mon, other_ep) = plain_server_in(&ctx, "elsewhere");

        exchange(&plain_client(&ctx, "ann", "north-pw", &north_ep), &north);
        exchange(&plain_client(&ctx, "bob", "south-pw", &south_ep), &south);
        exchange(&plain_client(&ctx, "carol", "any-pw", &other_ep), &other);
        assert_eq!(north_mon.handshake().0, SUCCEEDED);
        assert_eq!(south_mon.handshake().0, SUCCEEDED);
        assert_refused(&plain_client(&ctx, "ann", "north-pw", &south_ep), &south, &south_mon);
        assert_refused(&plain_client(&ctx, "carol", "any-pw", &north_ep), &north, &north_mon);

        assert!(auth.remove_domain("north"));
        exchange(&plain_client(&ctx, "carol", "any-pw", &north_ep), &north);
    })
}

#[test]
fn verbose_mode_logs_each_decision_without_passwords() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = Arc::clone(&lines);
        auth.set_logger(move |line| sink.lock().unwrap().push(line.to_owned()));
        auth.configure_plain(zmq::ANY_DOMAIN, [("admin", "hunter2")]);
        let (server, monitor, endpoint) = plain_server(&ctx);
        exchange(&plain_client(&ctx, "admin", "hunter2", &endpoint), &server);
        assert_eq!(monitor.handshake().0, SUCCEEDED);
        assert_refused(&plain_client(&ctx, "admin", "wrong-pw", &endpoint), &server, &monitor);

        let lines = lines.lock().unwrap();
        assert!(lines.iter().any(|l| l.contains("ALLOWED PLAIN") && l.contains("admin")), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("DENIED PLAIN") && l.contains("127.0.0.1")), "{lines:?}");
        assert!(lines.iter().all(|l| !l.contains("hunter2") && !l.contains("wrong-pw")), "{lines:?}");
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle

#[test]
fn only_one_authenticator_per_context() {
    within(|| {
        let (one, two) = (ctx(), ctx());
        let first = zmq::Authenticator::new(&one).unwrap();
        assert_eq!(zmq::Authenticator::new(&one).err(), Some(zmq::Error::EADDRINUSE));
        // A plain socket cannot take the ZAP endpoint either.
        let rep = one.socket(zmq::REP).unwrap();
        assert_eq!(rep.bind(zmq::ZAP_ENDPOINT), Err(zmq::Error::EADDRINUSE));
        // Another context has its own.
        let _elsewhere = zmq::Authenticator::new(&two).unwrap();
        // Dropping the first frees the endpoint at once.
        drop(first);
        let second = zmq::Authenticator::new(&one).unwrap();
        assert!(second.is_running());
    })
}

#[test]
fn dropping_the_authenticator_stops_it_promptly() {
    within(|| {
        let ctx = ctx();
        for _ in 0..20 {
            let auth = zmq::Authenticator::new(&ctx).unwrap();
            auth.configure_curve_any(zmq::ANY_DOMAIN);
            let start = Instant::now();
            drop(auth);
            assert!(start.elapsed() < Duration::from_secs(2));
        }
    })
}

#[test]
fn context_shutdown_ends_the_authenticator_thread() {
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_curve_any(zmq::ANY_DOMAIN);
        // A live server and a pending client, to have something in flight.
        let (_server, _monitor, endpoint, server_keys) = curve_server(&ctx);
        let _client = curve_client(&ctx, &zmq::CurveKeyPair::new().unwrap(), &server_keys.public_key, &endpoint);

        ctx.shutdown().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while auth.is_running() {
            assert!(Instant::now() < deadline, "the authenticator thread ignored ETERM");
            thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(zmq::Authenticator::new(&ctx).err(), Some(zmq::Error::ETERM));
        drop(auth);
    })
}

#[test]
fn context_terminates_promptly_whatever_the_drop_order() {
    // The context handle first, then the authenticator (which holds the last sockets).
    within(|| {
        let ctx = ctx();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        auth.configure_plain(zmq::ANY_DOMAIN, [("u", "p")]);
        let (server, _monitor, endpoint) = plain_server(&ctx);
        let client = plain_client(&ctx, "u", "p", &endpoint);
        exchange(&client, &server);
        drop(ctx);
        drop(client);
        drop(server);
        drop(_monitor);
        drop(auth); // terminates the context here; LINGER 0 everywhere, so at once
    });
    // destroy() while the authenticator lives: it shuts the context down and the thread leaves.
    within(|| {
        let mut ctx = zmq::Context::new();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        ctx.destroy().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while auth.is_running() {
            assert!(Instant::now() < deadline, "the authenticator thread ignored ETERM");
            thread::sleep(Duration::from_millis(10));
        }
        drop(auth);
        drop(ctx);
    });
}

#[test]
fn authenticator_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<zmq::Authenticator>();
    within(|| {
        let ctx = ctx();
        let auth = Arc::new(zmq::Authenticator::new(&ctx).unwrap());
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let auth = Arc::clone(&auth);
                thread::spawn(move || {
                    for j in 0..50 {
                        auth.configure_plain(&format!("d{i}"), [(format!("u{j}"), "p")]);
                        auth.deny(&format!("10.0.{i}.{j}"));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(format!("{auth:?}").contains("d3"));
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Certificates

const CZMQ_PUBLIC: &str = "+9M2mH!C-ntyyg(B6pTfpA!@x>5z!2*nknJKIYTM";
const PYZMQ_PUBLIC: &str = "R5>x&p2Viq%iasm([c$aR-%ma/V8tX)lP$$3D9:f";

#[test]
fn loads_czmq_certificates() {
    let secret = zmq::Certificate::load(fixture("czmq/client.key_secret")).unwrap();
    assert_eq!(secret.public_key_z85(), CZMQ_PUBLIC);
    assert_eq!(secret.secret_key_z85().as_deref(), Some("K#.kjC>k456*Oy#CU{t1OA8%kljXx4wrP+@vgg=."));
    assert_eq!(zmq::curve_public(&secret.secret_key.unwrap()).unwrap(), secret.public_key);
    assert_eq!(secret.meta("name"), Some("czmq client"));
    assert_eq!(secret.meta("email"), Some("czmq@example.org"));

    let public = zmq::Certificate::load(fixture("czmq/client.key")).unwrap();
    assert_eq!(public, secret.to_public(), "czmq writes the metadata into both files");
    assert!(!public.is_secret());
}

#[test]
fn loads_pyzmq_certificates() {
    let public = zmq::Certificate::load(fixture("pyzmq/server.key")).unwrap();
    assert_eq!(public.public_key_z85(), PYZMQ_PUBLIC);
    assert!(public.metadata.is_empty(), "pyzmq leaves the public file's metadata empty");
    assert_eq!(public.secret_key, None);

    let secret = zmq::Certificate::load(fixture("pyzmq/server.key_secret")).unwrap();
    assert_eq!(secret.public_key, public.public_key);
    assert_eq!(secret.secret_key_z85().as_deref(), Some("!wn8^yiO]g5Uo5Xc3!]AidnRR5OlMB4b=MC?bX*^"));
    // pyzmq writes metadata values bare.
    assert_eq!(secret.meta("name"), Some("pyzmq server"));
    assert_eq!(secret.meta("role"), Some("test"));
}

#[test]
fn loads_zpl_variants() {
    // CRLF line ends, single quotes, trailing comments, an unknown section, a nested item (as czmq reads them).
    let cert = zmq::Certificate::load(fixture("variants/variant.key_secret")).unwrap();
    assert_eq!(cert.public_key_z85(), "zR3*5pIy5:!ns<WE3b>d>Py4Ir.+v8eNDxV^G=AW");
    assert_eq!(cert.secret_key_z85().as_deref(), Some("HoQsKpjcX:d7e<kCWg:dA:{?^r9W[X9&SKbe-nhY"));
    let expected: BTreeMap<String, String> =
        [("name".into(), "variant \"quoted\"".into()), ("empty".into(), String::new())].into();
    assert_eq!(cert.metadata, expected);
}

#[test]
fn fixtures_work_as_socket_keys() {
    within(|| {
        let ctx = ctx();
        let server_cert = zmq::Certificate::load(fixture("pyzmq/server.key_secret")).unwrap();
        let client_cert = zmq::Certificate::load(fixture("czmq/client.key_secret")).unwrap();
        let auth = zmq::Authenticator::new(&ctx).unwrap();
        // The server trusts the directory holding czmq's public file.
        auth.configure_curve_dir(zmq::ANY_DOMAIN, fixture("czmq")).unwrap();
        let server = socket(&ctx, zmq::REP);
        server_cert.apply_server(&server).unwrap();
        server.bind("tcp://127.0.0.1:*").unwrap();
        let server_public = zmq::Certificate::load(fixture("pyzmq/server.key")).unwrap();
        let client = socket(&ctx, zmq::REQ);
        client_cert.apply_client(&client, &server_public.public_key).unwrap();
        client.connect(&server.last_endpoint().unwrap()).unwrap();
        let mut request = exchange(&client, &server);
        assert_eq!(request.gets("User-Id"), Some(CZMQ_PUBLIC));
        assert_eq!(request.gets("email"), Some("czmq@example.org"));
        assert_eq!(
            zmq::Certificate::load(fixture("czmq/client.key")).unwrap().apply_server(&server),
            Err(zmq::Error::EINVAL)
        );
    })
}

/// How pyzmq's `zmq.auth.load_certificate` reads a file: line by line, skipping `#` lines, taking what follows the
/// first `=` on lines starting with `public-key` / `secret-key`, stripped of spaces, tabs and both quotes.
fn read_like_pyzmq(path: &Path) -> (Option<String>, Option<String>) {
    let text = fs::read_to_string(path).unwrap();
    let (mut public, mut secret) = (None, None);
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        let value = || line.split_once('=').map(|(_, v)| v.trim_matches([' ', '\t', '\'', '"']).to_owned());
        if line.starts_with("public-key") {
            public = value();
        }
        if line.starts_with("secret-key") {
            secret = value();
        }
    }
    (public, secret)
}

#[test]
fn saved_certificates_have_the_shared_layout() {
    let dir = TempDir::new("security-save");
    let cert = zmq::Certificate::new().unwrap().with_meta("name", "saved one").with_meta("email", "a@b.c");
    let (public_path, secret_path) = cert.save(dir.path().join("node")).unwrap();
    let secret_path = secret_path.unwrap();
    assert_eq!(public_path, dir.path().join("node.key"));
    assert_eq!(secret_path, dir.path().join("node.key_secret"));
    assert_eq!(fs::metadata(&secret_path).unwrap().permissions().mode() & 0o777, 0o600);

    let public_text = fs::read_to_string(&public_path).unwrap();
    let secret_text = fs::read_to_string(&secret_path).unwrap();
    let public_z85 = cert.public_key_z85();
    let secret_z85 = cert.secret_key_z85().unwrap();
    assert!(!public_text.contains("secret-key") && !public_text.contains(&secret_z85));
    for text in [&public_text, &secret_text] {
        // Comments, then the two sections at column 0 with properties indented by 4 spaces, values quoted.
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect();
        assert_eq!(body[0], "metadata");
        assert!(body.contains(&"    name = \"saved one\""), "{text}");
        assert!(body.contains(&"curve"));
        assert!(body.contains(&format!("    public-key = \"{public_z85}\"").as_str()), "{text}");
    }
    assert!(secret_text.contains(&format!("    secret-key = \"{secret_z85}\"\n")));

    // Our reader and a pyzmq-like reader agree.
    assert_eq!(zmq::Certificate::load(&secret_path).unwrap(), cert);
    assert_eq!(zmq::Certificate::load(&public_path).unwrap(), cert.to_public());
    assert_eq!(read_like_pyzmq(&public_path), (Some(public_z85.clone()), None));
    assert_eq!(read_like_pyzmq(&secret_path), (Some(public_z85), Some(secret_z85)));
    // And the fixtures read the same both ways.
    for (file, public) in [("czmq/client.key_secret", CZMQ_PUBLIC), ("pyzmq/server.key_secret", PYZMQ_PUBLIC)] {
        let cert = zmq::Certificate::load(fixture(file)).unwrap();
        assert_eq!(read_like_pyzmq(&fixture(file)), (Some(public.to_owned()), cert.secret_key_z85()));
    }
}

#[test]
fn secret_file_mode_is_tightened_when_overwriting() {
    let dir = TempDir::new("security-mode");
    let path = dir.path().join("x.key_secret");
    fs::write(&path, "old").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let cert = zmq::Certificate::new().unwrap();
    cert.save_secret(&path).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(zmq::Certificate::load(&path).unwrap(), cert);
    // A public certificate has no secret file to write.
    let public = cert.to_public();
    assert_eq!(public.save_secret(&path).unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    let (_, none) = public.save(dir.path().join("pub-only")).unwrap();
    assert_eq!(none, None);
    assert!(!dir.path().join("pub-only.key_secret").exists());
}

#[test]
fn metadata_that_cannot_be_written_is_an_error() {
    let cert = zmq::Certificate::new().unwrap();
    for (name, value) in [("has space", "v"), ("", "v"), ("ok", "two\nlines"), ("ok", "both \" and '")] {
        let bad = cert.clone().with_meta(name, value);
        assert_eq!(bad.to_secret_text().unwrap_err().kind(), std::io::ErrorKind::InvalidInput, "{name:?}");
    }
    let quoted = cert.clone().with_meta("motto", "say \"hi\" # not a comment");
    assert_eq!(quoted.to_public_text().unwrap().parse::<zmq::Certificate>().unwrap(), quoted.to_public());
}

#[test]
fn load_dir_reads_public_certificates_only() {
    let dir = TempDir::new("security-dir");
    let a = zmq::Certificate::new().unwrap().with_meta("name", "a");
    let b = zmq::Certificate::new().unwrap().with_meta("name", "b");
    a.save(dir.path().join("a")).unwrap();
    b.save(dir.path().join("b")).unwrap();
    fs::copy(fixture("czmq/client.key"), dir.path().join("czmq-client.cert")).unwrap(); // any name but *_secret
    fs::write(dir.path().join(".notes"), "hidden files are skipped").unwrap();
    fs::create_dir(dir.path().join("subdir")).unwrap();

    let certs = zmq::Certificate::load_dir(dir.path()).unwrap();
    let names: Vec<_> = certs.iter().map(|c| c.meta("name").unwrap_or_default().to_owned()).collect();
    assert_eq!(names, ["a", "b", "czmq client"]);
    assert!(certs.iter().all(|c| !c.is_secret()), "secret files are not read, secrets never kept");
}

#[test]
fn certificate_errors_are_clear() {
    let err = zmq::Certificate::load("/nonexistent/cert.key").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    assert!(err.to_string().contains("/nonexistent/cert.key"), "{err}");

    let cases = [
        ("metadata\n", "no `public-key`"),
        ("curve\n    public-key = \"abc\"\n", "line 2"),
        ("curve\n    public-key = \"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI~\"\n", "Z85"),
        ("curve\n  public-key two words\n", "line 2"),
    ];
    for (text, needle) in cases {
        let err = text.parse::<zmq::Certificate>().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(err.to_string().contains(needle), "{text:?}: {err}");
    }
    // A secret key that does not belong to the public key.
    let one = zmq::Certificate::new().unwrap();
    let two = zmq::Certificate::new().unwrap();
    let mixed = format!(
        "curve\n    public-key = \"{}\"\n    secret-key = \"{}\"\n",
        one.public_key_z85(),
        two.secret_key_z85().unwrap()
    );
    let err = mixed.parse::<zmq::Certificate>().unwrap_err();
    assert!(err.to_string().contains("does not belong"), "{err}");
    assert!(!format!("{two:?}").contains(&two.secret_key_z85().unwrap()), "Debug hides the secret key");
}

/// Checks files written by this crate with the real pyzmq, and reads pyzmq's own output. Needs a Python with
/// pyzmq: `ZMQ_TEST_PYTHON=/path/to/python cargo test --test security -- --ignored pyzmq`.
#[test]
#[ignore = "needs pyzmq: set ZMQ_TEST_PYTHON to a python that has it"]
fn pyzmq_interoperates() {
    let python = std::env::var("ZMQ_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let dir = TempDir::new("security-pyzmq");
    let ours = zmq::Certificate::new().unwrap().with_meta("name", "from rust");
    ours.save(dir.path().join("rust")).unwrap();
    let script = format!(
        r#"
import zmq.auth, sys
d = {dir:?}
pub, sec = zmq.auth.load_certificate(d + "/rust.key_secret")
pub2, none = zmq.auth.load_certificate(d + "/rust.key")
assert none is None and pub == pub2
keys = zmq.auth.load_certificates(d)
assert list(keys) == [pub]
zmq.auth.create_certificates(d, "py", metadata={{"name": "from python", "email": "p@example.org"}})
print(pub.decode()); print(sec.decode())
"#,
        dir = dir.path().to_str().unwrap()
    );
    let out = std::process::Command::new(&python).arg("-c").arg(script).output().expect("runs python");
    assert!(out.status.success(), "pyzmq failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines, [ours.public_key_z85(), ours.secret_key_z85().unwrap()]);

    let theirs = zmq::Certificate::load(dir.path().join("py.key_secret")).unwrap();
    assert_eq!(theirs.meta("name"), Some("from python"));
    assert_eq!(theirs.meta("email"), Some("p@example.org"));
    assert_eq!(zmq::curve_public(&theirs.secret_key.unwrap()).unwrap(), theirs.public_key);
    let mut expected_public = theirs.to_public();
    expected_public.metadata.clear(); // pyzmq writes the metadata into the secret file only
    assert_eq!(zmq::Certificate::load(dir.path().join("py.key")).unwrap(), expected_public);
}

/// A small C program for `czmq_interoperates`: `load FILE...` prints what czmq's `zcert_load` finds; `save BASE`
/// writes a certificate with czmq's `zcert_save` and prints its keys.
const CZMQ_CERTTOOL: &str = r#"
#include <czmq.h>
int main (int argc, char **argv) {
    if (argc == 3 && streq (argv [1], "save")) {
        zcert_t *cert = zcert_new ();
        zcert_set_meta (cert, "name", "from czmq");
        int rc = zcert_save (cert, argv [2]);
        printf ("%s\n%s\n", zcert_public_txt (cert), zcert_secret_txt (cert));
        zcert_destroy (&cert);
        return rc == 0 ? 0 : 1;
    }
    for (int i = 2; i < argc; i++) {
        zcert_t *cert = zcert_load (argv [i]);
        if (!cert)
            return 2;
        printf ("%s %s %s\n", zcert_public_txt (cert), zcert_secret_txt (cert),
                zcert_meta (cert, "name") ? zcert_meta (cert, "name") : "-");
        zcert_destroy (&cert);
    }
    return 0;
}
"#;

/// Checks files written by this crate with the real czmq (`zcert_load`), and reads czmq's own output. Needs a C
/// compiler and czmq's headers (`apt-get install libczmq-dev`): `cargo test --test security -- --ignored czmq`.
#[test]
#[ignore = "needs a C compiler and libczmq-dev"]
fn czmq_interoperates() {
    use std::process::Command;
    let dir = TempDir::new("security-czmq");
    let source = dir.path().join("certtool.c");
    let tool = dir.path().join("certtool");
    fs::write(&source, CZMQ_CERTTOOL).unwrap();
    let flags = Command::new("pkg-config").args(["--cflags", "--libs", "libczmq", "libzmq"]).output().unwrap();
    assert!(flags.status.success(), "pkg-config finds no libczmq: install libczmq-dev");
    let flags = String::from_utf8(flags.stdout).unwrap();
    let status = Command::new("cc").arg("-o").arg(&tool).arg(&source).args(flags.split_whitespace()).status().unwrap();
    assert!(status.success(), "compiling the czmq checker failed");

    // czmq reads ours: the secret file (czmq's zcert_load("X") reads "X_secret" first), then the public file alone.
    let ours = zmq::Certificate::new().unwrap().with_meta("name", "from rust");
    ours.save(dir.path().join("rust")).unwrap();
    let public_only = dir.path().join("public-only");
    fs::create_dir(&public_only).unwrap();
    ours.save_public(public_only.join("rust.key")).unwrap();
    let out = Command::new(&tool)
        .arg("load")
        .arg(dir.path().join("rust.key"))
        .arg(public_only.join("rust.key"))
        .output()
        .unwrap();
    assert!(out.status.success(), "czmq could not load our certificates");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let public = ours.public_key_z85();
    let zeros = "0".repeat(40);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            format!("{public} {} from rust", ours.secret_key_z85().unwrap()),
            format!("{public} {zeros} from rust"), // czmq shows a missing secret key as forty zeros
        ]
    );

    // We read czmq's.
    let out = Command::new(&tool).arg("save").arg(dir.path().join("c.key")).output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let keys: Vec<&str> = stdout.lines().collect();
    let theirs = zmq::Certificate::load(dir.path().join("c.key_secret")).unwrap();
    assert_eq!(theirs.public_key_z85(), keys[0]);
    assert_eq!(theirs.secret_key_z85().as_deref(), Some(keys[1]));
    assert_eq!(theirs.meta("name"), Some("from czmq"));
    assert_eq!(zmq::Certificate::load(dir.path().join("c.key")).unwrap(), theirs.to_public());
}

// ---------------------------------------------------------------------------------------------------------------
// The examples, run in this process under the watchdog

#[test]
fn example_curve_reqrep() {
    let replies = within(|| curve_reqrep::run(3).unwrap());
    assert_eq!(replies.len(), 3);
    for (n, reply) in replies.iter().enumerate() {
        assert_eq!(reply, &format!("World, to Hello {n} (over ZMQ_CURVE)"));
    }
}

#[test]
fn example_ironhouse() {
    let outcome = within(|| ironhouse::run().map_err(|e| e.to_string()).unwrap());
    assert_eq!(outcome.reply, "Welcome");
    assert_eq!(outcome.user_id, outcome.client_key);
    assert_eq!(outcome.client_name, "trusted client");
    assert!(outcome.stranger_refused);
}

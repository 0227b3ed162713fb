//! Socket monitoring on real TCP connections: the connection life cycle, handshake failures, both wire formats
//! (v2 with the `draft` feature), and the monitor's own life cycle (no hang when it goes away first).

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, Error, Monitor, MonitorEvent, SocketEvent};

const LIMIT: Duration = Duration::from_secs(20);
const WAIT: Duration = Duration::from_secs(5);

/// Runs `f` on its own thread and fails if it does not finish within `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        let out = f();
        let _ = tx.send(());
        out
    });
    match rx.recv_timeout(limit) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
            handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("timed out after {limit:?}: the operation hangs"),
    }
}

fn ctx() -> Context {
    Context::builder().linger(0).build().unwrap()
}

/// Reads events until one of kind `kind` arrives (within `WAIT`), keeping every event read in `seen`.
fn expect(monitor: &Monitor<'_>, kind: SocketEvent, seen: &mut Vec<MonitorEvent>) -> MonitorEvent {
    expect_poking(monitor, kind, seen, &|| ())
}

/// Like [`expect`], calling `poke` every 20 ms meanwhile: a socket processes libzmq's internal commands (such as
/// finishing a disconnect) only inside API calls on it.
fn expect_poking(
    monitor: &Monitor<'_>,
    kind: SocketEvent,
    seen: &mut Vec<MonitorEvent>,
    poke: &dyn Fn(),
) -> MonitorEvent {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no {kind:?} event within {WAIT:?}; read: {seen:#?}");
        poke();
        if let Some(event) = monitor.recv_timeout(left.min(Duration::from_millis(20))).unwrap() {
            seen.push(event.clone());
            if event.event == kind {
                return event;
            }
        }
    }
}

fn kinds(events: &[MonitorEvent]) -> Vec<SocketEvent> {
    events.iter().map(|e| e.event).collect()
}

/// One connection's life on both sides, monitored with `start` (v1 or v2): returns what each side saw.
fn connection_life_cycle<'a>(
    ctx: &Context,
    server: &'a zmq::Socket,
    client: &'a zmq::Socket,
    server_monitor: &Monitor<'a>,
    client_monitor: &Monitor<'a>,
) -> (Vec<MonitorEvent>, Vec<MonitorEvent>) {
    let (mut on_server, mut on_client) = (Vec::new(), Vec::new());
    let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
    let listening = expect(server_monitor, SocketEvent::LISTENING, &mut on_server);
    assert_eq!(listening.endpoint, endpoint);
    assert!(listening.value > 0, "the listening descriptor");

    client.connect(&endpoint).unwrap();
    let connected = expect(client_monitor, SocketEvent::CONNECTED, &mut on_client);
    assert_eq!(connected.remote_endpoint.as_ref().unwrap_or(&connected.endpoint), &endpoint);
    expect(client_monitor, SocketEvent::HANDSHAKE_SUCCEEDED, &mut on_client);
    let accepted = expect(server_monitor, SocketEvent::ACCEPTED, &mut on_server);
    assert_eq!(accepted.local_endpoint.as_ref().unwrap_or(&accepted.endpoint), &endpoint);
    expect(server_monitor, SocketEvent::HANDSHAKE_SUCCEEDED, &mut on_server);

    client.send("ping", 0).unwrap();
    assert_eq!(server.recv_multipart(0).unwrap()[1], b"ping");

    client.disconnect(&endpoint).unwrap();
    expect_poking(server_monitor, SocketEvent::DISCONNECTED, &mut on_server, &|| {
        let _ = client.get_events();
    });
    server.unbind(&endpoint).unwrap();
    let closed = expect(server_monitor, SocketEvent::CLOSED, &mut on_server);
    assert_eq!(closed.local_endpoint.as_ref().unwrap_or(&closed.endpoint), &endpoint);
    let _ = ctx;
    (on_server, on_client)
}

fn server_and_client(ctx: &Context) -> (zmq::Socket, zmq::Socket) {
    let server = ctx.socket(zmq::ROUTER).unwrap();
    server.set_rcvtimeo(5000).unwrap();
    let client = ctx.socket(zmq::DEALER).unwrap();
    client.set_sndtimeo(5000).unwrap();
    (server, client)
}

#[test]
fn v1_events_of_a_tcp_connection() {
    within(LIMIT, || {
        let ctx = ctx();
        let (server, client) = server_and_client(&ctx);
        let all = SocketEvent::ALL.to_raw() as i32;
        let server_monitor = Monitor::new(&ctx, &server, all).unwrap();
        let client_monitor = Monitor::new(&ctx, &client, all).unwrap();
        assert!(!server_monitor.is_versioned());
        assert!(server_monitor.endpoint().starts_with("inproc://"));
        let (on_server, on_client) = connection_life_cycle(&ctx, &server, &client, &server_monitor, &client_monitor);
        println!("server: {:?}\nclient: {:?}", kinds(&on_server), kinds(&on_client));
        for event in on_server.iter().chain(&on_client) {
            assert_eq!((&event.local_endpoint, &event.remote_endpoint), (&None, &None), "v1 has one endpoint");
            assert_eq!(event.values, vec![event.value]);
        }
    });
}

#[test]
fn only_the_requested_events_arrive() {
    within(LIMIT, || {
        let ctx = ctx();
        let (server, client) = server_and_client(&ctx);
        let mask = (SocketEvent::ACCEPTED.to_raw() | SocketEvent::DISCONNECTED.to_raw()) as i32;
        let monitor = Monitor::new(&ctx, &server, mask).unwrap();
        let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
        client.connect(&endpoint).unwrap();
        let mut seen = Vec::new();
        expect(&monitor, SocketEvent::ACCEPTED, &mut seen);
        client.disconnect(&endpoint).unwrap();
        expect_poking(&monitor, SocketEvent::DISCONNECTED, &mut seen, &|| {
            let _ = client.get_events();
        });
        assert_eq!(kinds(&seen), [SocketEvent::ACCEPTED, SocketEvent::DISCONNECTED], "no LISTENING, no handshake");
        assert_eq!(monitor.try_recv(), Ok(None));
    });
}

/// A PLAIN server and a NULL client disagree on the mechanism: both sides report a failed handshake.
#[test]
fn v1_handshake_failure_on_mechanism_mismatch() {
    within(LIMIT, || {
        let ctx = ctx();
        let (server, client) = server_and_client(&ctx);
        server.set_plain_server(true).unwrap();
        let all = SocketEvent::ALL.to_raw() as i32;
        let server_monitor = Monitor::new(&ctx, &server, all).unwrap();
        let client_monitor = Monitor::new(&ctx, &client, all).unwrap();
        let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
        client.connect(&endpoint).unwrap();
        let (mut on_server, mut on_client) = (Vec::new(), Vec::new());
        let failed = expect(&server_monitor, SocketEvent::HANDSHAKE_FAILED_PROTOCOL, &mut on_server);
        assert_eq!(failed.protocol_error(), Some(zmq::ProtocolError::ZmtpMechanismMismatch), "{failed:?}");
        let failed = expect(&client_monitor, SocketEvent::HANDSHAKE_FAILED_PROTOCOL, &mut on_client);
        assert_eq!(failed.protocol_error(), Some(zmq::ProtocolError::ZmtpMechanismMismatch), "{failed:?}");
        assert_eq!(failed.endpoint, endpoint);
        assert!(!kinds(&on_server).contains(&SocketEvent::HANDSHAKE_SUCCEEDED));
    });
}

/// A CURVE server and a client without keys: libzmq 4.3 reports the mismatch the same way.
#[test]
fn v1_handshake_failure_curve_server_plain_client() {
    within(LIMIT, || {
        let ctx = ctx();
        let (server, client) = server_and_client(&ctx);
        let keys = zmq::CurveKeyPair::new().unwrap();
        server.set_curve_server(true).unwrap();
        server.set_curve_secretkey(&keys.secret_key).unwrap();
        client.set_plain_username(Some("user")).unwrap();
        client.set_plain_password(Some("pass")).unwrap();
        let server_monitor = Monitor::new(&ctx, &server, SocketEvent::ALL.to_raw() as i32).unwrap();
        let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
        client.connect(&endpoint).unwrap();
        let failed = expect(&server_monitor, SocketEvent::HANDSHAKE_FAILED_PROTOCOL, &mut Vec::new());
        assert_eq!(failed.protocol_error(), Some(zmq::ProtocolError::ZmtpMechanismMismatch));
    });
}

#[test]
fn bind_failure_carries_the_errno() {
    within(LIMIT, || {
        let ctx = ctx();
        let first = ctx.socket(zmq::PULL).unwrap();
        let endpoint = first.bind_to("tcp://127.0.0.1:*").unwrap();
        let second = ctx.socket(zmq::PULL).unwrap();
        let monitor = Monitor::new(&ctx, &second, SocketEvent::ALL.to_raw() as i32).unwrap();
        assert_eq!(second.bind(&endpoint), Err(Error::EADDRINUSE));
        let failed = expect(&monitor, SocketEvent::BIND_FAILED, &mut Vec::new());
        assert_eq!(failed.error(), Some(Error::EADDRINUSE));
        assert_eq!(failed.endpoint, endpoint.trim_start_matches("tcp://"), "libzmq reports the address only");
    });
}

/// Dropping a monitor stops libzmq's monitoring first: events that follow do not block the socket (libzmq blocks
/// the reporting thread when a monitor has no reader), and a newer monitor of the same socket keeps working.
#[test]
fn dropping_a_monitor_never_blocks_the_socket() {
    within(LIMIT, || {
        let ctx = ctx();
        let (server, client) = server_and_client(&ctx);
        let all = SocketEvent::ALL.to_raw() as i32;
        let monitor = Monitor::new(&ctx, &server, all).unwrap();
        let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
        drop(monitor); // with an unread LISTENING event
        for _ in 0..3 {
            let more = server.bind_to("tcp://127.0.0.1:*").unwrap(); // reports LISTENING: must not block
            server.unbind(&more).unwrap();
        }
        client.connect(&endpoint).unwrap();
        client.send("after", 0).unwrap();
        assert_eq!(server.recv_multipart(0).unwrap()[1], b"after");

        // A newer monitor replaces an older one; dropping the older one leaves the newer one running.
        let older = Monitor::new(&ctx, &server, all).unwrap();
        let newer = Monitor::new(&ctx, &server, all).unwrap();
        drop(older);
        let again = server.bind_to("tcp://127.0.0.1:*").unwrap();
        assert_eq!(expect(&newer, SocketEvent::LISTENING, &mut Vec::new()).endpoint, again);
    });
}

#[test]
fn a_monitor_needs_the_sockets_context() {
    within(LIMIT, || {
        let (ctx, other) = (ctx(), ctx());
        let server = ctx.socket(zmq::ROUTER).unwrap();
        let all = SocketEvent::ALL.to_raw() as i32;
        assert_eq!(Monitor::new(&other, &server, all).err(), Some(Error::EINVAL));
        // Nothing was left behind: binding (which reports an event) does not block, and a proper monitor works.
        server.bind("tcp://127.0.0.1:*").unwrap();
        let monitor = Monitor::new(&ctx, &server, all).unwrap();
        let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
        assert_eq!(expect(&monitor, SocketEvent::LISTENING, &mut Vec::new()).endpoint, endpoint);
        // libzmq checks the v1 mask (16 bits).
        assert_eq!(Monitor::new(&ctx, &server, 1 << 16).err(), Some(Error::EINVAL));
    });
}

#[test]
fn shutdown_wakes_a_waiting_monitor() {
    within(LIMIT, || {
        let ctx = ctx();
        let server = ctx.socket(zmq::ROUTER).unwrap();
        let monitor = Monitor::new(&ctx, &server, SocketEvent::ALL.to_raw() as i32).unwrap();
        let stopper = ctx.clone();
        let waker = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            stopper.shutdown().unwrap();
        });
        assert_eq!(monitor.recv().err(), Some(Error::ETERM));
        waker.join().unwrap();
    });
}

#[cfg(zmq_draft)]
mod v2 {
    use super::*;

    const ALL_V2: u64 = zmq_sys::ZMQ_EVENT_ALL_V2 as u64;

    #[test]
    fn v2_events_of_a_tcp_connection() {
        within(LIMIT, || {
            let ctx = ctx();
            let (server, client) = server_and_client(&ctx);
            let server_monitor = Monitor::new_versioned(&ctx, &server, ALL_V2).unwrap();
            let client_monitor = Monitor::new_versioned(&ctx, &client, ALL_V2).unwrap();
            assert!(server_monitor.is_versioned());
            let (on_server, on_client) =
                connection_life_cycle(&ctx, &server, &client, &server_monitor, &client_monitor);
            println!("server: {:#?}\nclient: {:#?}", on_server, on_client);
            let listening = &on_server[0];
            assert_eq!(listening.event, SocketEvent::LISTENING);
            assert_eq!(listening.local_endpoint.as_deref(), Some(listening.endpoint.as_str()));
            assert_eq!(listening.remote_endpoint.as_deref(), Some(""));
            let connected = on_client.iter().find(|e| e.event == SocketEvent::CONNECTED).unwrap();
            assert_eq!(connected.remote_endpoint.as_deref(), Some(connected.endpoint.as_str()));
            // Handshake events on the server carry both ends of the connection.
            let handshake = on_server.iter().find(|e| e.event == SocketEvent::HANDSHAKE_SUCCEEDED).unwrap();
            let (local, remote) =
                (handshake.local_endpoint.clone().unwrap(), handshake.remote_endpoint.clone().unwrap());
            assert!(local.starts_with("tcp://127.0.0.1:") && remote.starts_with("tcp://127.0.0.1:"), "{handshake:?}");
            assert_ne!(local, remote);
        });
    }

    #[test]
    fn v2_handshake_failure_on_mechanism_mismatch() {
        within(LIMIT, || {
            let ctx = ctx();
            let (server, client) = server_and_client(&ctx);
            server.set_plain_server(true).unwrap();
            let server_monitor = Monitor::new_versioned(&ctx, &server, ALL_V2).unwrap();
            let client_monitor = Monitor::new_versioned(&ctx, &client, ALL_V2).unwrap();
            let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
            client.connect(&endpoint).unwrap();
            for monitor in [&server_monitor, &client_monitor] {
                let failed = expect(monitor, SocketEvent::HANDSHAKE_FAILED_PROTOCOL, &mut Vec::new());
                assert_eq!(failed.protocol_error(), Some(zmq::ProtocolError::ZmtpMechanismMismatch));
                assert_eq!(failed.values.len(), 1);
            }
        });
    }

    #[test]
    fn pipes_stats_on_request() {
        within(LIMIT, || {
            let ctx = ctx();
            let (server, client) = server_and_client(&ctx);
            let monitor = Monitor::new_versioned(&ctx, &server, ALL_V2).unwrap();
            assert_eq!(monitor.request_pipes_stats(), Err(Error::EAGAIN), "no connection yet");
            let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
            client.connect(&endpoint).unwrap();
            for text in ["one", "two", "three"] {
                client.send(text, 0).unwrap();
            }
            let mut seen = Vec::new();
            expect(&monitor, SocketEvent::HANDSHAKE_SUCCEEDED, &mut seen);
            // The three messages are queued inbound once the server has been told about them.
            let deadline = Instant::now() + WAIT;
            let stats = loop {
                assert!(Instant::now() < deadline, "no PIPES_STATS with 3 inbound messages; read: {seen:#?}");
                let _ = server.get_events(); // lets the socket process pending commands (see zmq_socket_monitor_versioned(3))
                monitor.request_pipes_stats().unwrap();
                match monitor.recv_timeout(Duration::from_millis(50)).unwrap() {
                    Some(e) if e.is_pipes_stats() && e.values[1] == 3 => break e,
                    Some(e) => seen.push(e),
                    None => {}
                }
            };
            assert_eq!(stats.values.len(), 2);
            assert_eq!(stats.values[0], 0, "nothing queued outbound");
            // A v1 monitor cannot ask for them.
            let v1 = Monitor::new(&ctx, &server, SocketEvent::ALL.to_raw() as i32).unwrap();
            assert_eq!(v1.request_pipes_stats(), Err(Error::EINVAL));
        });
    }
}

/// zmq 0.10 code passes the mask as `SocketEvent::ALL as i32`, connects its own PAIR reader and decodes the event
/// number with `SocketEvent::from_raw`.
#[test]
fn raw_monitor_with_the_zmq_0_10_mask() {
    within(LIMIT, || {
        let ctx = ctx();
        let server = ctx.socket(zmq::ROUTER).unwrap();
        let endpoint = "inproc://monitor-test.raw-0-10-mask";
        server.monitor(endpoint, zmq::SocketEvent::ALL as i32).unwrap();
        let reader = ctx.socket(zmq::PAIR).unwrap();
        reader.set_rcvtimeo(5000).unwrap();
        reader.connect(endpoint).unwrap();
        let bound = server.bind_to("tcp://127.0.0.1:*").unwrap();
        let frames = reader.recv_multipart(0).unwrap();
        let number = u16::from_ne_bytes([frames[0][0], frames[0][1]]);
        assert_eq!(SocketEvent::from_raw(number), SocketEvent::LISTENING);
        assert_eq!(String::from_utf8_lossy(&frames[1]), bound);
        server.monitor_stop().unwrap();
        let stopped = MonitorEvent::parse_v1(&reader.recv_multipart(0).unwrap()).unwrap();
        assert_eq!(stopped.event, SocketEvent::MONITOR_STOPPED);
    });
}

/// `SocketEvent` is field-less, as in zmq 0.10: each variant's discriminant is its `ZMQ_EVENT_*` number.
#[test]
fn socket_event_discriminants_are_the_libzmq_numbers() {
    let table = [
        (SocketEvent::CONNECTED, zmq_sys::ZMQ_EVENT_CONNECTED),
        (SocketEvent::CONNECT_DELAYED, zmq_sys::ZMQ_EVENT_CONNECT_DELAYED),
        (SocketEvent::CONNECT_RETRIED, zmq_sys::ZMQ_EVENT_CONNECT_RETRIED),
        (SocketEvent::LISTENING, zmq_sys::ZMQ_EVENT_LISTENING),
        (SocketEvent::BIND_FAILED, zmq_sys::ZMQ_EVENT_BIND_FAILED),
        (SocketEvent::ACCEPTED, zmq_sys::ZMQ_EVENT_ACCEPTED),
        (SocketEvent::ACCEPT_FAILED, zmq_sys::ZMQ_EVENT_ACCEPT_FAILED),
        (SocketEvent::CLOSED, zmq_sys::ZMQ_EVENT_CLOSED),
        (SocketEvent::CLOSE_FAILED, zmq_sys::ZMQ_EVENT_CLOSE_FAILED),
        (SocketEvent::DISCONNECTED, zmq_sys::ZMQ_EVENT_DISCONNECTED),
        (SocketEvent::MONITOR_STOPPED, zmq_sys::ZMQ_EVENT_MONITOR_STOPPED),
        (SocketEvent::HANDSHAKE_FAILED_NO_DETAIL, zmq_sys::ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL),
        (SocketEvent::HANDSHAKE_SUCCEEDED, zmq_sys::ZMQ_EVENT_HANDSHAKE_SUCCEEDED),
        (SocketEvent::HANDSHAKE_FAILED_PROTOCOL, zmq_sys::ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL),
        (SocketEvent::HANDSHAKE_FAILED_AUTH, zmq_sys::ZMQ_EVENT_HANDSHAKE_FAILED_AUTH),
        (SocketEvent::ALL, zmq_sys::ZMQ_EVENT_ALL),
    ];
    for (event, number) in table {
        assert_eq!(event as i32, number as i32, "{event:?}");
        assert_eq!(event.to_raw(), number as u16, "{event:?}");
        assert_eq!(SocketEvent::from_raw(number as u16), event);
        assert_eq!(SocketEvent::try_from_raw(u64::from(number)), Some(event));
    }
    assert_eq!(SocketEvent::ALL as i32, 0xFFFF);
    assert_eq!(SocketEvent::CONNECTED as i32, 1);
}

/// Event numbers the enum does not name (a v1 bit libzmq does not use, the v2 `PIPES_STATS`, a future event)
/// are kept in `MonitorEvent::number`; `from_raw` maps them to `ALL` instead of panicking as zmq 0.10 did.
#[test]
fn unknown_event_numbers_are_kept() {
    assert_eq!(SocketEvent::try_from_raw(0x8000), None);
    assert_eq!(SocketEvent::from_raw(0x8000), SocketEvent::ALL);
    assert_eq!(SocketEvent::try_from_raw(3), None, "not a single event bit");

    let mut head = 0x8000u16.to_ne_bytes().to_vec();
    head.extend_from_slice(&7u32.to_ne_bytes());
    let event = MonitorEvent::parse_v1(&[head, b"tcp://127.0.0.1:1".to_vec()]).unwrap();
    assert_eq!((event.number, event.event, event.value), (0x8000, SocketEvent::ALL, 7));
    assert_eq!(event.kind(), None);

    for number in [u64::from(zmq_sys::ZMQ_EVENT_PIPES_STATS), 1 << 40] {
        let mut frames = vec![number.to_ne_bytes().to_vec(), 2u64.to_ne_bytes().to_vec()];
        frames.push(5u64.to_ne_bytes().to_vec());
        frames.push(6u64.to_ne_bytes().to_vec());
        frames.push(b"tcp://127.0.0.1:1".to_vec());
        frames.push(b"tcp://127.0.0.1:2".to_vec());
        let event = MonitorEvent::parse_v2(&frames).unwrap();
        assert_eq!((event.number, event.event, event.kind()), (number, SocketEvent::ALL, None));
        assert_eq!(event.values, [5, 6]);
        assert_eq!(event.is_pipes_stats(), number == u64::from(zmq_sys::ZMQ_EVENT_PIPES_STATS));
    }
}

/// A raw monitor started while a `Monitor` runs replaces it (libzmq allows one monitor per socket). Dropping the
/// `Monitor` afterwards must neither stop the raw monitor nor block, whether the raw one has a reader or not.
#[test]
fn dropping_a_monitor_replaced_by_a_raw_monitor_without_reader() {
    within(LIMIT, || {
        let ctx = ctx();
        let server = ctx.socket(zmq::ROUTER).unwrap();
        let monitor = Monitor::new(&ctx, &server, SocketEvent::ALL as i32).unwrap();
        server.monitor("inproc://monitor-test.replaces-typed.no-reader", SocketEvent::ALL as i32).unwrap();
        // The replaced monitor heard libzmq stop it.
        assert_eq!(expect(&monitor, SocketEvent::MONITOR_STOPPED, &mut Vec::new()).number, 0x400);
        drop(monitor);
        // Stopping a raw monitor that has no reader does not block either.
        server.monitor_stop().unwrap();
        server.bind("tcp://127.0.0.1:*").unwrap();
    });
}

#[test]
fn dropping_a_monitor_leaves_the_raw_monitor_that_replaced_it_running() {
    within(LIMIT, || {
        let ctx = ctx();
        let server = ctx.socket(zmq::ROUTER).unwrap();
        let monitor = Monitor::new(&ctx, &server, SocketEvent::ALL as i32).unwrap();
        let endpoint = "inproc://monitor-test.replaces-typed.with-reader";
        let reader = ctx.socket(zmq::PAIR).unwrap();
        reader.set_rcvtimeo(5000).unwrap();
        reader.connect(endpoint).unwrap();
        server.monitor(endpoint, SocketEvent::ALL as i32).unwrap();
        drop(monitor);
        let bound = server.bind_to("tcp://127.0.0.1:*").unwrap();
        let event = MonitorEvent::parse_v1(&reader.recv_multipart(0).unwrap()).unwrap();
        assert_eq!((event.event, event.endpoint), (SocketEvent::LISTENING, bound), "the raw monitor still runs");
        server.monitor_stop().unwrap();
    });
}

/// A raw monitor nobody reads, then a `Monitor` of the same socket: replacing the raw one must not block on the
/// MONITOR_STOPPED event libzmq sends it.
#[test]
fn a_monitor_replaces_a_raw_monitor_without_reader() {
    within(LIMIT, || {
        let ctx = ctx();
        let server = ctx.socket(zmq::ROUTER).unwrap();
        server.monitor("inproc://monitor-test.raw-then-typed", SocketEvent::ALL as i32).unwrap();
        let monitor = Monitor::for_socket(&server, SocketEvent::ALL as i32).unwrap();
        let bound = server.bind_to("tcp://127.0.0.1:*").unwrap();
        assert_eq!(expect(&monitor, SocketEvent::LISTENING, &mut Vec::new()).endpoint, bound);
        // A raw monitor replacing another raw monitor without reader does not block either.
        server.monitor("inproc://monitor-test.raw-then-typed.2", SocketEvent::ALL as i32).unwrap();
        server.monitor("inproc://monitor-test.raw-then-typed.3", SocketEvent::ALL as i32).unwrap();
        server.monitor_stop().unwrap();
    });
}

/// The monitor's reader cannot be disconnected through the `Monitor` (that made the next event block the
/// socket); it is polled through `as_poll_item`.
#[test]
fn the_reader_is_polled_with_other_sockets() {
    within(LIMIT, || {
        let ctx = ctx();
        let server = ctx.socket(zmq::ROUTER).unwrap();
        server.set_rcvtimeo(5000).unwrap();
        let monitor = Monitor::new(&ctx, &server, SocketEvent::ALL as i32).unwrap();
        let client = ctx.socket(zmq::DEALER).unwrap();
        let mut items = [server.as_poll_item(zmq::POLLIN), monitor.as_poll_item(zmq::POLLIN)];
        assert_eq!(zmq::poll(&mut items, 0).unwrap(), 0);
        let bound = server.bind_to("tcp://127.0.0.1:*").unwrap();
        client.connect(&bound).unwrap();
        client.send("hello", 0).unwrap();
        let (mut events, mut message) = (Vec::new(), None);
        let deadline = Instant::now() + WAIT;
        while message.is_none() || !kinds(&events).contains(&SocketEvent::ACCEPTED) {
            assert!(Instant::now() < deadline, "no message and ACCEPTED within {WAIT:?}: {events:?}");
            let mut items = [server.as_poll_item(zmq::POLLIN), monitor.as_poll_item(zmq::POLLIN)];
            zmq::poll(&mut items, 100).unwrap();
            if items[0].is_readable() {
                message = Some(server.recv_multipart(0).unwrap());
            }
            if items[1].is_readable() {
                while let Some(event) = monitor.try_recv().unwrap() {
                    events.push(event);
                }
            }
        }
        assert_eq!(events[0].event, SocketEvent::LISTENING);
        assert_eq!(events[0].endpoint, bound);
        assert_eq!(message.unwrap()[1], b"hello");
        assert!(monitor.get_fd().unwrap() >= 0);
    });
}

/// Events nobody reads queue without limit: libzmq would otherwise block the reporting thread (here the one
/// calling `bind`) once the queue holds a high-water mark's worth (1000 + 1000 by default).
#[test]
fn unread_events_never_block_the_socket() {
    within(LIMIT, || {
        let ctx = ctx();
        let server = ctx.socket(zmq::ROUTER).unwrap();
        let monitor = Monitor::new(&ctx, &server, SocketEvent::LISTENING as i32).unwrap();
        for _ in 0..2500 {
            let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
            server.unbind(&endpoint).unwrap();
        }
        drop(monitor);
    });
}

/// A socket adopted with `from_raw` has no known context: the monitor checks the one it is given with a probe
/// endpoint, which replaces the socket's current monitor, and that must not block either.
#[test]
fn a_monitor_of_an_adopted_socket() {
    within(LIMIT, || {
        // SAFETY: zmq_ctx_new has no preconditions; it returns a new context or NULL.
        let raw_ctx = unsafe { zmq_sys::zmq_ctx_new() };
        assert!(!raw_ctx.is_null());
        {
            // SAFETY: the context is terminated only after this block, when every handle of it is gone.
            let ctx = unsafe { Context::from_raw_borrowed(raw_ctx) };
            // SAFETY: `raw_ctx` is a live context.
            let raw = unsafe { zmq_sys::zmq_socket(raw_ctx, zmq_sys::ZMQ_ROUTER as i32) };
            assert!(!raw.is_null());
            // SAFETY: `raw` is an open socket that nothing else uses or closes, on a context that outlives it.
            let server = unsafe { zmq::Socket::from_raw(raw) };
            server.set_linger(0).unwrap();
            assert!(server.context().is_none());
            let all = SocketEvent::ALL as i32;
            assert_eq!(Monitor::for_socket(&server, all).err(), Some(Error::EINVAL));
            assert_eq!(Monitor::new(&self::ctx(), &server, all).err(), Some(Error::EINVAL));
            server.monitor("inproc://monitor-test.adopted.raw", all).unwrap(); // no reader
            let monitor = Monitor::new(&ctx, &server, all).unwrap();
            let bound = server.bind_to("tcp://127.0.0.1:*").unwrap();
            assert_eq!(expect(&monitor, SocketEvent::LISTENING, &mut Vec::new()).endpoint, bound);
            drop(monitor);
            drop(server);
        }
        // SAFETY: every socket of the context is closed and no handle of it is left.
        assert_eq!(unsafe { zmq_sys::zmq_ctx_term(raw_ctx) }, 0);
    });
}

//! Every socket option of the linked libzmq's `zmq.h`, round-tripped through its typed setter and getter (or, for
//! write-only and read-only options, set or read and checked), plus the `Duration` accessors and the context
//! options.
//!
//! How options are counted: the numeric `#define`s of the header's "Socket options" section (76 in libzmq 4.3),
//! minus `ZMQ_BLOCKY`, which sits in that list but is a context option (zmq_ctx_set(3)), give the stable socket
//! options: 75. The header's "Deprecated options and aliases" section adds five numbers libzmq still accepts
//! (`ZMQ_IPV4ONLY`, `ZMQ_TCP_ACCEPT_FILTER`, `ZMQ_IPC_FILTER_{PID,UID,GID}`); its aliases (`ZMQ_IDENTITY` …) reuse
//! numbers already counted. With the `draft` feature, the "DRAFT Socket options" section adds 32 more. Context
//! options, message options, flags and event numbers are not socket options and are not counted.
#![allow(deprecated)] // the deprecated options are covered too

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::time::Duration;

use zmq::{Context, Error, Socket, SocketType};

/// Options checked so far, by C name.
#[derive(Default)]
struct Covered(BTreeSet<String>);

impl Covered {
    fn mark(&mut self, name: &str) {
        assert!(self.0.insert(name.to_string()), "{name} checked twice");
    }

    /// A read-write option: checks the default, sets `value`, reads it back.
    fn round_trip<T, G, S>(&mut self, name: &str, get: G, set: S, default: T, value: T)
    where
        T: PartialEq + Debug + Clone,
        G: Fn() -> zmq::Result<T>,
        S: Fn(T) -> zmq::Result<()>,
    {
        assert_eq!(get(), Ok(default), "{name}: default");
        set(value.clone()).unwrap_or_else(|e| panic!("{name}: set {value:?}: {e}"));
        assert_eq!(get(), Ok(value), "{name}: read back");
        self.mark(name);
    }

    /// A read-write string option.
    fn round_trip_str<G, S>(&mut self, name: &str, get: G, set: S, default: &str, value: &str)
    where
        G: Fn() -> zmq::Result<Result<String, Vec<u8>>>,
        S: Fn(&str) -> zmq::Result<()>,
    {
        self.round_trip(name, get, |v: Result<String, Vec<u8>>| set(&v.unwrap()), Ok(default.into()), Ok(value.into()));
    }

    /// A write-only option: the setter accepts `value`.
    fn write_only(&mut self, name: &str, result: zmq::Result<()>) {
        result.unwrap_or_else(|e| panic!("{name}: {e}"));
        self.mark(name);
    }
}

/// The numeric `#define ZMQ_*` lines of the header section that starts with the comment `title`.
fn header_section(header: &str, title: &str) -> BTreeSet<(String, i32)> {
    let mut lines = header.lines().skip_while(|l| !(l.starts_with("/*") && l.contains(title)));
    assert!(lines.next().is_some(), "zmq.h has no section {title:?}");
    lines
        .take_while(|l| !l.starts_with("/*"))
        .filter_map(|l| {
            let mut words = l.strip_prefix("#define ")?.split_whitespace();
            let name = words.next()?;
            let number = words.next()?.parse().ok()?;
            Some((name.to_string(), number))
        })
        .collect()
}

fn linked_header() -> String {
    let dir = env!("ZMQ_LINKED_INCLUDE");
    assert!(!dir.is_empty(), "the build script reported no include directory");
    std::fs::read_to_string(std::path::Path::new(dir).join("zmq.h")).expect("the linked zmq.h")
}

/// The stable socket options of the linked header (see the file's doc for how they are counted).
fn stable_header_options() -> BTreeSet<(String, i32)> {
    let mut options = header_section(&linked_header(), "Socket options");
    let blocky = ("ZMQ_BLOCKY".to_string(), 70);
    assert!(options.remove(&blocky), "ZMQ_BLOCKY is listed with the socket options");
    options
}

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_linger(0).unwrap();
    s
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Checks every stable and deprecated socket option; returns the names checked.
fn check_stable_options(ctx: &Context) -> Covered {
    let mut c = Covered::default();
    let s = socket(ctx, zmq::DEALER);
    s.set_linger(-1).unwrap(); // back to libzmq's default, which is checked below

    // Integers and flags on any socket type.
    c.round_trip("ZMQ_AFFINITY", || s.get_affinity(), |v| s.set_affinity(v), 0, 3);
    c.round_trip("ZMQ_BACKLOG", || s.get_backlog(), |v| s.set_backlog(v), 100, 50);
    c.round_trip("ZMQ_CONFLATE", || s.is_conflate(), |v| s.set_conflate(v), false, true);
    c.round_trip("ZMQ_CONNECT_TIMEOUT", || s.get_connect_timeout(), |v| s.set_connect_timeout(v), 0, 250);
    c.round_trip("ZMQ_HANDSHAKE_IVL", || s.get_handshake_ivl(), |v| s.set_handshake_ivl(v), 30000, 1500);
    c.round_trip("ZMQ_HEARTBEAT_IVL", || s.get_heartbeat_ivl(), |v| s.set_heartbeat_ivl(v), 0, 1000);
    c.round_trip("ZMQ_HEARTBEAT_TIMEOUT", || s.get_heartbeat_timeout(), |v| s.set_heartbeat_timeout(v), -1, 3000);
    c.round_trip("ZMQ_HEARTBEAT_TTL", || s.get_heartbeat_ttl(), |v| s.set_heartbeat_ttl(v), 0, 2000);
    c.round_trip("ZMQ_IMMEDIATE", || s.is_immediate(), |v| s.set_immediate(v), false, true);
    c.round_trip("ZMQ_IPV6", || s.is_ipv6(), |v| s.set_ipv6(v), false, true);
    c.round_trip("ZMQ_LINGER", || s.get_linger(), |v| s.set_linger(v), -1, 250);
    c.round_trip("ZMQ_MAXMSGSIZE", || s.get_maxmsgsize(), |v| s.set_maxmsgsize(v), -1, 1 << 40);
    c.round_trip("ZMQ_MULTICAST_HOPS", || s.get_multicast_hops(), |v| s.set_multicast_hops(v), 1, 5);
    c.round_trip("ZMQ_MULTICAST_MAXTPDU", || s.get_multicast_maxtpdu(), |v| s.set_multicast_maxtpdu(v), 1500, 9000);
    c.round_trip("ZMQ_RATE", || s.get_rate(), |v| s.set_rate(v), 100, 200);
    c.round_trip("ZMQ_RCVBUF", || s.get_rcvbuf(), |v| s.set_rcvbuf(v), -1, 65536);
    c.round_trip("ZMQ_RCVHWM", || s.get_rcvhwm(), |v| s.set_rcvhwm(v), 1000, 10);
    c.round_trip("ZMQ_RCVTIMEO", || s.get_rcvtimeo(), |v| s.set_rcvtimeo(v), -1, 100);
    c.round_trip("ZMQ_RECONNECT_IVL", || s.get_reconnect_ivl(), |v| s.set_reconnect_ivl(v), 100, 250);
    c.round_trip("ZMQ_RECONNECT_IVL_MAX", || s.get_reconnect_ivl_max(), |v| s.set_reconnect_ivl_max(v), 0, 1000);
    c.round_trip("ZMQ_RECOVERY_IVL", || s.get_recovery_ivl(), |v| s.set_recovery_ivl(v), 10000, 5000);
    c.round_trip("ZMQ_SNDBUF", || s.get_sndbuf(), |v| s.set_sndbuf(v), -1, 65536);
    c.round_trip("ZMQ_SNDHWM", || s.get_sndhwm(), |v| s.set_sndhwm(v), 1000, 20);
    c.round_trip("ZMQ_SNDTIMEO", || s.get_sndtimeo(), |v| s.set_sndtimeo(v), -1, 200);
    c.round_trip("ZMQ_TCP_KEEPALIVE", || s.get_tcp_keepalive(), |v| s.set_tcp_keepalive(v), -1, 1);
    c.round_trip("ZMQ_TCP_KEEPALIVE_CNT", || s.get_tcp_keepalive_cnt(), |v| s.set_tcp_keepalive_cnt(v), -1, 5);
    c.round_trip("ZMQ_TCP_KEEPALIVE_IDLE", || s.get_tcp_keepalive_idle(), |v| s.set_tcp_keepalive_idle(v), -1, 60);
    c.round_trip("ZMQ_TCP_KEEPALIVE_INTVL", || s.get_tcp_keepalive_intvl(), |v| s.set_tcp_keepalive_intvl(v), -1, 10);
    c.round_trip("ZMQ_TCP_MAXRT", || s.get_tcp_maxrt(), |v| s.set_tcp_maxrt(v), 0, 3000);
    c.round_trip("ZMQ_TOS", || s.get_tos(), |v| s.set_tos(v), 0, 0x28);
    assert_eq!(s.set_rcvhwm(-1), Err(Error::EINVAL), "libzmq validates values");

    // Strings and binary values.
    c.round_trip_str("ZMQ_BINDTODEVICE", || s.get_bindtodevice(), |v| s.set_bindtodevice(Some(v)), "", "lo");
    s.set_bindtodevice(None).unwrap();
    assert_eq!(s.get_bindtodevice(), Ok(Ok(String::new())));
    c.round_trip("ZMQ_ROUTING_ID", || s.get_routing_id(), |v| s.set_routing_id(&v), vec![], b"id-1".to_vec());
    // ZMQ_IDENTITY is the same option under its old name.
    assert_eq!(s.get_identity(), Ok(b"id-1".to_vec()));
    s.set_identity(&[0xff; 255]).unwrap();
    assert_eq!(s.get_routing_id(), Ok(vec![0xff; 255]));
    assert_eq!(s.set_routing_id(&[0; 256]), Err(Error::EINVAL));
    assert_eq!(s.set_routing_id(&[]), Err(Error::EINVAL));
    // A proxy address reads back; connecting through it is refused (libzmq's SOCKS connecter has a use after free;
    // see tests/option_edges.rs).
    assert_eq!(s.get_socks_proxy(), Ok(Ok(String::new())));
    s.set_socks_proxy(Some("127.0.0.1:1080")).unwrap();
    assert_eq!(s.get_socks_proxy(), Ok(Ok("127.0.0.1:1080".to_string())));
    assert_eq!(s.connect("tcp://127.0.0.1:1"), Err(Error::ENOTSUP));
    s.set_socks_proxy(None).unwrap();
    c.mark("ZMQ_SOCKS_PROXY");
    c.round_trip_str("ZMQ_ZAP_DOMAIN", || s.get_zap_domain(), |v| s.set_zap_domain(v), "", "global");
    assert_eq!(s.set_zap_domain("a\0b"), Err(Error::EINVAL), "NUL bytes are refused before reaching libzmq");

    // Security mechanisms, each on its own socket (setting one switches the mechanism).
    let plain = socket(ctx, zmq::DEALER);
    assert_eq!(plain.get_mechanism(), Ok(zmq::Mechanism::ZMQ_NULL));
    c.round_trip("ZMQ_PLAIN_SERVER", || plain.is_plain_server(), |v| plain.set_plain_server(v), false, true);
    c.mark("ZMQ_MECHANISM");
    assert_eq!(plain.get_mechanism(), Ok(zmq::Mechanism::ZMQ_PLAIN));
    let plain = socket(ctx, zmq::DEALER);
    c.round_trip_str(
        "ZMQ_PLAIN_USERNAME",
        || plain.get_plain_username(),
        |v| plain.set_plain_username(Some(v)),
        "",
        "admin",
    );
    c.round_trip_str(
        "ZMQ_PLAIN_PASSWORD",
        || plain.get_plain_password(),
        |v| plain.set_plain_password(Some(v)),
        "",
        "secret",
    );
    assert_eq!(plain.get_mechanism(), Ok(zmq::Mechanism::ZMQ_PLAIN));
    plain.set_plain_username(None).unwrap();
    assert_eq!(plain.get_mechanism(), Ok(zmq::Mechanism::ZMQ_NULL), "a NULL username resets the mechanism");

    assert_eq!(zmq::has("curve"), Some(true), "every build of this crate has CURVE");
    let curve = socket(ctx, zmq::DEALER);
    let keys = zmq::CurveKeyPair::new().unwrap();
    let server = zmq::CurveKeyPair::new().unwrap();
    c.round_trip("ZMQ_CURVE_SERVER", || curve.is_curve_server(), |v| curve.set_curve_server(v), false, true);
    assert_eq!(curve.get_mechanism(), Ok(zmq::Mechanism::ZMQ_CURVE));
    c.round_trip(
        "ZMQ_CURVE_PUBLICKEY",
        || curve.get_curve_publickey(),
        |v| curve.set_curve_publickey(&v),
        vec![0; 32],
        keys.public_key.to_vec(),
    );
    c.round_trip(
        "ZMQ_CURVE_SECRETKEY",
        || curve.get_curve_secretkey(),
        |v| curve.set_curve_secretkey(&v),
        vec![0; 32],
        keys.secret_key.to_vec(),
    );
    let server_z85 = zmq::z85_encode(&server.public_key).unwrap();
    c.round_trip(
        "ZMQ_CURVE_SERVERKEY",
        || curve.get_curve_serverkey(),
        |v| curve.set_curve_serverkey(&v),
        vec![0; 32],
        server.public_key.to_vec(),
    );
    curve.set_curve_serverkey(server_z85.as_bytes()).unwrap();
    assert_eq!(curve.get_curve_serverkey(), Ok(server.public_key.to_vec()), "Z85 keys are accepted too");
    assert_eq!(curve.set_curve_serverkey(&[1; 31]), Err(Error::EINVAL));

    let gss = socket(ctx, zmq::DEALER);
    let nt = zmq::GssapiNameType::UserName;
    if zmq::has("gssapi") == Some(true) {
        c.round_trip(
            "ZMQ_GSSAPI_PLAINTEXT",
            || gss.is_gssapi_plaintext(),
            |v| gss.set_gssapi_plaintext(v),
            false,
            true,
        );
        c.round_trip_str(
            "ZMQ_GSSAPI_PRINCIPAL",
            || gss.get_gssapi_principal(),
            |v| gss.set_gssapi_principal(v),
            "",
            "me",
        );
        c.round_trip_str(
            "ZMQ_GSSAPI_SERVICE_PRINCIPAL",
            || gss.get_gssapi_service_principal(),
            |v| gss.set_gssapi_service_principal(v),
            "",
            "svc",
        );
        c.round_trip("ZMQ_GSSAPI_SERVER", || gss.is_gssapi_server(), |v| gss.set_gssapi_server(v), false, true);
        let default = zmq::GssapiNameType::HostBased;
        c.round_trip(
            "ZMQ_GSSAPI_PRINCIPAL_NAMETYPE",
            || gss.get_gssapi_principal_nametype(),
            |v| gss.set_gssapi_principal_nametype(v),
            default,
            nt,
        );
        c.round_trip(
            "ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE",
            || gss.get_gssapi_service_principal_nametype(),
            |v| gss.set_gssapi_service_principal_nametype(v),
            default,
            nt,
        );
        assert_eq!(gss.set_gssapi_principal_nametype(zmq::GssapiNameType::Unknown(9)), Err(Error::EINVAL));
    } else {
        // Without GSSAPI, libzmq rejects all of them.
        let results = [
            ("ZMQ_GSSAPI_PLAINTEXT", gss.is_gssapi_plaintext().map(drop), gss.set_gssapi_plaintext(true)),
            ("ZMQ_GSSAPI_PRINCIPAL", gss.get_gssapi_principal().map(drop), gss.set_gssapi_principal("me")),
            (
                "ZMQ_GSSAPI_SERVICE_PRINCIPAL",
                gss.get_gssapi_service_principal().map(drop),
                gss.set_gssapi_service_principal("svc"),
            ),
            ("ZMQ_GSSAPI_SERVER", gss.is_gssapi_server().map(drop), gss.set_gssapi_server(true)),
            (
                "ZMQ_GSSAPI_PRINCIPAL_NAMETYPE",
                gss.get_gssapi_principal_nametype().map(drop),
                gss.set_gssapi_principal_nametype(nt),
            ),
            (
                "ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE",
                gss.get_gssapi_service_principal_nametype().map(drop),
                gss.set_gssapi_service_principal_nametype(nt),
            ),
        ];
        for (name, get, set) in results {
            assert_eq!((get, set), (Err(Error::EINVAL), Err(Error::EINVAL)), "{name} without GSSAPI");
            c.mark(name);
        }
    }

    // Read-only options.
    assert_eq!(s.get_socket_type(), Ok(zmq::DEALER));
    c.mark("ZMQ_TYPE");
    assert!(s.get_fd().unwrap() >= 0);
    c.mark("ZMQ_FD");
    assert_eq!(s.is_thread_safe(), Ok(false));
    c.mark("ZMQ_THREAD_SAFE");
    assert_eq!(s.get_last_endpoint(), Ok(Ok(String::new())));
    let listener = socket(ctx, zmq::PAIR);
    listener.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = listener.get_last_endpoint().unwrap().unwrap();
    assert!(endpoint.starts_with("tcp://127.0.0.1:") && !endpoint.ends_with(":*"), "{endpoint}");
    c.mark("ZMQ_LAST_ENDPOINT");
    // ZMQ_EVENTS and ZMQ_RCVMORE on a connected pair.
    let (a, b) = (socket(ctx, zmq::PAIR), socket(ctx, zmq::PAIR));
    a.bind("inproc://options-events").unwrap();
    b.connect("inproc://options-events").unwrap();
    b.set_rcvtimeo(5000).unwrap();
    assert_eq!(b.get_events().unwrap() & zmq::POLLIN, zmq::PollEvents::empty());
    a.send_multipart(["first", "second"], 0).unwrap();
    assert!(b.poll(zmq::POLLIN, 5000).unwrap() == 1);
    assert!(b.get_events().unwrap().contains(zmq::POLLIN));
    c.mark("ZMQ_EVENTS");
    assert_eq!(b.get_rcvmore(), Ok(false));
    assert_eq!(b.recv_bytes(0).unwrap(), b"first");
    assert_eq!(b.get_rcvmore(), Ok(true));
    assert_eq!(b.recv_bytes(0).unwrap(), b"second");
    assert_eq!(b.get_rcvmore(), Ok(false));
    c.mark("ZMQ_RCVMORE");

    // USE_FD hands the next bind a listening descriptor (libzmq then owns and closes it).
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("tcp://{}", tcp.local_addr().unwrap());
    let fd = std::os::unix::io::IntoRawFd::into_raw_fd(tcp);
    let server = socket(ctx, zmq::PAIR);
    server.set_rcvtimeo(5000).unwrap();
    // SAFETY: `fd` is an open listening TCP socket nothing else owns, used by the one bind below.
    c.round_trip("ZMQ_USE_FD", || server.get_use_fd(), |v| unsafe { server.set_use_fd(v) }, -1, fd);
    server.bind(&address).unwrap();
    let client = socket(ctx, zmq::PAIR);
    client.connect(&address).unwrap();
    client.send("through the given fd", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"through the given fd");

    // Options of particular socket types.
    let sub = socket(ctx, zmq::SUB);
    c.write_only("ZMQ_SUBSCRIBE", sub.set_subscribe(b"topic"));
    c.write_only("ZMQ_UNSUBSCRIBE", sub.set_unsubscribe(b"topic"));
    c.round_trip("ZMQ_INVERT_MATCHING", || sub.is_invert_matching(), |v| sub.set_invert_matching(v), false, true);
    let req = socket(ctx, zmq::REQ);
    c.write_only("ZMQ_REQ_CORRELATE", req.set_req_correlate(true));
    c.write_only("ZMQ_REQ_RELAXED", req.set_req_relaxed(true));
    assert_eq!(s.set_req_relaxed(true), Err(Error::EINVAL), "only REQ has it");
    let router = socket(ctx, zmq::ROUTER);
    c.write_only("ZMQ_ROUTER_HANDOVER", router.set_router_handover(true));
    c.write_only("ZMQ_ROUTER_MANDATORY", router.set_router_mandatory(true));
    c.write_only("ZMQ_PROBE_ROUTER", router.set_probe_router(true));
    c.write_only("ZMQ_CONNECT_ROUTING_ID", router.set_connect_routing_id(b"peer-1"));
    c.write_only("ZMQ_ROUTER_RAW", socket(ctx, zmq::ROUTER).set_router_raw(true));
    // The zmq 0.10 readers of write-only options: libzmq has no getter for them.
    assert_eq!(router.is_router_handover(), Err(Error::EINVAL));
    assert_eq!(router.is_router_mandatory(), Err(Error::EINVAL));
    assert_eq!(router.is_probe_router(), Err(Error::EINVAL));
    c.write_only("ZMQ_STREAM_NOTIFY", socket(ctx, zmq::STREAM).set_stream_notify(false));
    let xpub = socket(ctx, zmq::XPUB);
    c.write_only("ZMQ_XPUB_VERBOSE", xpub.set_xpub_verbose(true));
    c.write_only("ZMQ_XPUB_VERBOSER", xpub.set_xpub_verboser(true));
    c.write_only("ZMQ_XPUB_NODROP", xpub.set_xpub_nodrop(true));
    c.write_only("ZMQ_XPUB_MANUAL", xpub.set_xpub_manual(true));
    c.write_only("ZMQ_XPUB_WELCOME_MSG", xpub.set_xpub_welcome_msg(Some("welcome")));
    xpub.set_xpub_welcome_msg(None).unwrap();
    assert_eq!(s.set_xpub_nodrop(true), Err(Error::EINVAL), "only XPUB/PUB have it");

    // VMCI options exist only in libzmq builds with the VMCI transport; none of libzmq's has a getter for them.
    let vmci = socket(ctx, zmq::PAIR).bind("vmci://1:5555") != Err(Error::EPROTONOSUPPORT);
    let expect = if vmci { Ok(()) } else { Err(Error::EINVAL) };
    for (name, result) in [
        ("ZMQ_VMCI_BUFFER_SIZE", s.set_vmci_buffer_size(65546)),
        ("ZMQ_VMCI_BUFFER_MIN_SIZE", s.set_vmci_buffer_min_size(128)),
        ("ZMQ_VMCI_BUFFER_MAX_SIZE", s.set_vmci_buffer_max_size(262144)),
        ("ZMQ_VMCI_CONNECT_TIMEOUT", s.set_vmci_connect_timeout(1000)),
    ] {
        assert_eq!(result, expect, "{name} (VMCI transport: {vmci})");
        c.mark(name);
    }
    c
}

/// The deprecated options libzmq 4.3 still accepts.
fn check_deprecated_options(ctx: &Context) -> Covered {
    let mut c = Covered::default();
    let s = socket(ctx, zmq::PAIR);
    c.round_trip("ZMQ_IPV4ONLY", || s.is_ipv4only(), |v| s.set_ipv4only(v), true, false);
    assert_eq!(s.is_ipv6(), Ok(true), "IPV4ONLY is the inverse of IPV6");
    c.write_only("ZMQ_TCP_ACCEPT_FILTER", s.set_tcp_accept_filter(Some("127.0.0.1")));
    s.set_tcp_accept_filter(None).unwrap();
    assert_eq!(s.set_tcp_accept_filter(Some("not an address")), Err(Error::EINVAL));
    // SAFETY: getpid/getuid/getgid have no preconditions.
    let (pid, uid, gid) = unsafe { (libc::getpid(), libc::getuid(), libc::getgid()) };
    // The IPC filters need peer credentials (SO_PEERCRED), which libzmq compiles in only when its build detects
    // them: the distributions' builds do, the zeromq-src source build does not. All three agree either way.
    let results = [
        ("ZMQ_IPC_FILTER_PID", s.set_ipc_filter_pid(Some(pid)), s.set_ipc_filter_pid(None)),
        ("ZMQ_IPC_FILTER_UID", s.set_ipc_filter_uid(Some(uid)), s.set_ipc_filter_uid(None)),
        ("ZMQ_IPC_FILTER_GID", s.set_ipc_filter_gid(Some(gid)), s.set_ipc_filter_gid(None)),
    ];
    let expect = results[1].1;
    assert!(expect == Ok(()) || expect == Err(Error::EINVAL), "{expect:?}");
    println!("IPC filters compiled in: {}", expect.is_ok());
    for (name, add, clear) in results {
        assert_eq!((add, clear), (expect, expect), "{name}: added, then cleared with None");
        c.mark(name);
    }
    c
}

#[test]
fn every_stable_socket_option_of_the_header_is_covered() {
    let ctx = Context::new();
    let covered = check_stable_options(&ctx);
    let header = stable_header_options();
    let names: BTreeSet<String> = header.iter().map(|(name, _)| name.clone()).collect();
    let missing: Vec<_> = names.difference(&covered.0).collect();
    let extra: Vec<_> = covered.0.difference(&names).collect();
    println!(
        "stable socket options: {} covered of {} in {}/zmq.h (libzmq {:?}; ZMQ_BLOCKY excluded as a context option)",
        covered.0.len(),
        names.len(),
        env!("ZMQ_LINKED_INCLUDE"),
        zmq::version()
    );
    assert!(missing.is_empty() && extra.is_empty(), "not covered: {missing:?}; not in the header: {extra:?}");
    assert_eq!(covered.0.len(), names.len());
    assert_eq!(names.len(), 75, "libzmq 4.3 has 75 stable socket options");
}

#[test]
fn the_option_table_matches_the_header() {
    let header = stable_header_options();
    let table: BTreeSet<(String, i32)> =
        zmq::SOCKET_OPTIONS.iter().map(|&(name, number, _, _)| (name.to_string(), number)).collect();
    let missing: Vec<_> = header.difference(&table).collect();
    assert!(missing.is_empty(), "the table lacks {missing:?}");
    // The rest of the table: the old name ZMQ_IDENTITY and the deprecated options, with the header's numbers.
    let mut deprecated = header_section(&linked_header(), "Deprecated options and aliases");
    deprecated.insert(("ZMQ_IDENTITY".to_string(), 5));
    let rest: BTreeSet<_> = table.difference(&header).cloned().collect();
    assert_eq!(rest, deprecated);
    let numbers: BTreeSet<i32> = zmq::SOCKET_OPTIONS.iter().map(|o| o.1).collect();
    assert_eq!(numbers.len(), header.len() + 5, "distinct numbers: stable + deprecated (ZMQ_IDENTITY shares 5)");
    // Every row has at least one accessor, except the ones with hand-written typed getters.
    for &(name, _, get, set) in zmq::SOCKET_OPTIONS {
        let custom = ["ZMQ_EVENTS", "ZMQ_FD", "ZMQ_MECHANISM", "ZMQ_TYPE"].contains(&name);
        assert!(get || set || custom, "{name} has no accessor");
    }
}

#[test]
fn deprecated_options_are_covered() {
    let covered = check_deprecated_options(&Context::new());
    let header: BTreeSet<String> =
        header_section(&linked_header(), "Deprecated options and aliases").into_iter().map(|(n, _)| n).collect();
    println!("deprecated socket options: {} covered of {}", covered.0.len(), header.len());
    assert_eq!(covered.0, header);
}

#[test]
fn duration_accessors() {
    let ctx = Context::new();
    let s = socket(&ctx, zmq::DEALER);
    s.set_linger(-1).unwrap();
    assert_eq!(s.linger(), Ok(None));
    s.set_linger_duration(Some(ms(250))).unwrap();
    assert_eq!((s.get_linger(), s.linger()), (Ok(250), Ok(Some(ms(250)))));
    s.set_linger_duration(None).unwrap();
    assert_eq!(s.get_linger(), Ok(-1));

    assert_eq!(s.rcvtimeo(), Ok(None));
    s.set_rcvtimeo_duration(Some(Duration::from_micros(1500))).unwrap();
    assert_eq!(s.get_rcvtimeo(), Ok(2), "rounded up to whole milliseconds");
    s.set_rcvtimeo_duration(Some(Duration::ZERO)).unwrap();
    assert_eq!(s.rcvtimeo(), Ok(Some(Duration::ZERO)));
    assert_eq!(s.set_rcvtimeo_duration(Some(Duration::from_secs(1 << 40))), Err(Error::EINVAL));
    assert_eq!(s.sndtimeo(), Ok(None));
    s.set_sndtimeo_duration(Some(ms(30))).unwrap();
    assert_eq!(s.get_sndtimeo(), Ok(30));

    assert_eq!(s.reconnect_ivl(), Ok(Some(ms(100))));
    s.set_reconnect_ivl_duration(None).unwrap();
    assert_eq!((s.get_reconnect_ivl(), s.reconnect_ivl()), (Ok(-1), Ok(None)));
    assert_eq!(s.reconnect_ivl_max(), Ok(Duration::ZERO));
    s.set_reconnect_ivl_max_duration(Duration::from_secs(2)).unwrap();
    assert_eq!(s.get_reconnect_ivl_max(), Ok(2000));

    assert_eq!(s.connect_timeout(), Ok(Duration::ZERO));
    s.set_connect_timeout_duration(ms(750)).unwrap();
    assert_eq!(s.get_connect_timeout(), Ok(750));
    assert_eq!(s.handshake_ivl(), Ok(Duration::from_secs(30)));
    s.set_handshake_ivl_duration(ms(1200)).unwrap();
    assert_eq!(s.get_handshake_ivl(), Ok(1200));
    assert_eq!(s.heartbeat_ivl(), Ok(Duration::ZERO));
    s.set_heartbeat_ivl_duration(ms(500)).unwrap();
    assert_eq!(s.get_heartbeat_ivl(), Ok(500));
    assert_eq!(s.heartbeat_timeout(), Ok(None), "default: the heartbeat interval");
    assert_eq!(s.set_heartbeat_timeout_duration(None), Err(Error::EINVAL), "libzmq does not take -1 back");
    s.set_heartbeat_timeout_duration(Some(ms(900))).unwrap();
    assert_eq!(s.heartbeat_timeout(), Ok(Some(ms(900))));
    s.set_heartbeat_ttl_duration(Duration::from_secs(3)).unwrap();
    assert_eq!(s.heartbeat_ttl(), Ok(Duration::from_secs(3)));
    s.set_heartbeat_ttl_duration(ms(150)).unwrap();
    assert_eq!(s.heartbeat_ttl(), Ok(ms(100)), "libzmq keeps tenths of a second");
    assert_eq!(s.recovery_ivl(), Ok(Duration::from_secs(10)));
    s.set_recovery_ivl_duration(ms(20)).unwrap();
    assert_eq!(s.get_recovery_ivl(), Ok(20));
    assert_eq!(s.tcp_maxrt(), Ok(Duration::ZERO));
    s.set_tcp_maxrt_duration(Duration::from_secs(4)).unwrap();
    assert_eq!(s.get_tcp_maxrt(), Ok(4000));

    assert_eq!((s.tcp_keepalive_idle(), s.tcp_keepalive_intvl()), (Ok(None), Ok(None)));
    s.set_tcp_keepalive_idle_duration(Some(Duration::from_secs(60))).unwrap();
    s.set_tcp_keepalive_intvl_duration(Some(ms(1500))).unwrap();
    assert_eq!((s.get_tcp_keepalive_idle(), s.get_tcp_keepalive_intvl()), (Ok(60), Ok(2)), "seconds, rounded up");
    s.set_tcp_keepalive_idle_duration(None).unwrap();
    assert_eq!(s.get_tcp_keepalive_idle(), Ok(-1));
}

#[test]
fn write_only_options_take_effect() {
    let ctx = Context::new();
    // ZMQ_ROUTING_ID is what a ROUTER sees; ZMQ_CONNECT_ROUTING_ID names the peer of the next connect.
    let router = socket(&ctx, zmq::ROUTER);
    router.set_rcvtimeo(5000).unwrap();
    router.bind("inproc://options-routing").unwrap();
    let dealer = socket(&ctx, zmq::DEALER);
    dealer.set_routing_id(b"dealer-7").unwrap();
    dealer.connect("inproc://options-routing").unwrap();
    dealer.send("hi", 0).unwrap();
    assert_eq!(router.recv_multipart(0).unwrap(), vec![b"dealer-7".to_vec(), b"hi".to_vec()]);

    let sender = socket(&ctx, zmq::ROUTER);
    sender.set_router_mandatory(true).unwrap();
    assert_eq!(sender.send_multipart(["nobody", "x"], 0), Err(Error::EHOSTUNREACH), "ROUTER_MANDATORY");
    sender.set_connect_routing_id(b"the-peer").unwrap();
    let peer = socket(&ctx, zmq::ROUTER);
    peer.set_rcvtimeo(5000).unwrap();
    peer.set_routing_id(b"me").unwrap();
    peer.bind("inproc://options-connect-rid").unwrap();
    sender.connect("inproc://options-connect-rid").unwrap();
    sender.set_sndtimeo(5000).unwrap();
    sender.send_multipart(["the-peer", "hello"], 0).unwrap();
    assert_eq!(peer.recv_multipart(0).unwrap()[1], b"hello");

    // ZMQ_MAXMSGSIZE: an oversized message is dropped with its connection; a later small one arrives.
    let pull = socket(&ctx, zmq::PULL);
    pull.set_maxmsgsize(100).unwrap(); // the handshake's commands count too: not too small
    pull.set_rcvtimeo(5000).unwrap();
    let endpoint = pull.bind_to("tcp://127.0.0.1:*").unwrap();
    let push = socket(&ctx, zmq::PUSH);
    push.connect(&endpoint).unwrap();
    push.send(vec![b'x'; 1000], 0).unwrap();
    let push2 = socket(&ctx, zmq::PUSH);
    push2.connect(&endpoint).unwrap();
    push2.send("ok", 0).unwrap();
    assert_eq!(pull.recv_bytes(0).unwrap(), b"ok");
}

#[cfg(zmq_draft)]
mod draft {
    use super::*;
    use zmq::{NormMode, ReconnectStop, RouterNotify};

    fn check_draft_options(ctx: &Context) -> Covered {
        let mut c = Covered::default();
        let s = socket(ctx, zmq::DEALER);
        c.round_trip(
            "ZMQ_ZAP_ENFORCE_DOMAIN",
            || s.is_zap_enforce_domain(),
            |v| s.set_zap_enforce_domain(v),
            false,
            true,
        );
        c.round_trip("ZMQ_LOOPBACK_FASTPATH", || s.is_loopback_fastpath(), |v| s.set_loopback_fastpath(v), false, true);
        c.round_trip("ZMQ_MULTICAST_LOOP", || s.is_multicast_loop(), |v| s.set_multicast_loop(v), true, false);
        c.round_trip("ZMQ_IN_BATCH_SIZE", || s.get_in_batch_size(), |v| s.set_in_batch_size(v), 8192, 100);
        c.round_trip("ZMQ_OUT_BATCH_SIZE", || s.get_out_batch_size(), |v| s.set_out_batch_size(v), 8192, 200);
        c.round_trip("ZMQ_PRIORITY", || s.get_priority(), |v| s.set_priority(v), 0, 3);
        let stop = ReconnectStop::CONN_REFUSED | ReconnectStop::AFTER_DISCONNECT;
        c.round_trip(
            "ZMQ_RECONNECT_STOP",
            || s.get_reconnect_stop(),
            |v| s.set_reconnect_stop(v),
            ReconnectStop::empty(),
            stop,
        );
        c.round_trip_str(
            "ZMQ_SOCKS_USERNAME",
            || s.get_socks_username(),
            |v| s.set_socks_username(Some(v)),
            "",
            "user",
        );
        c.round_trip_str("ZMQ_SOCKS_PASSWORD", || s.get_socks_password(), |v| s.set_socks_password(Some(v)), "", "pw");
        s.set_socks_username(None).unwrap();
        assert_eq!(s.get_socks_username(), Ok(Ok(String::new())));
        c.write_only("ZMQ_METADATA", s.set_metadata("X-color:blue"));
        assert_eq!(s.set_metadata("color:blue"), Err(Error::EINVAL), "keys start with X-");
        assert_eq!(s.add_metadata("color", "blue"), Err(Error::EINVAL));
        c.write_only("ZMQ_HELLO_MSG", s.set_hello_msg(b"hello"));
        c.write_only("ZMQ_HICCUP_MSG", s.set_hiccup_msg(b"hiccup"));
        c.write_only("ZMQ_BUSY_POLL", s.set_busy_poll(true));
        let router = socket(ctx, zmq::ROUTER);
        let notify = RouterNotify::CONNECT | RouterNotify::DISCONNECT;
        c.round_trip(
            "ZMQ_ROUTER_NOTIFY",
            || router.get_router_notify(),
            |v| router.set_router_notify(v),
            RouterNotify::empty(),
            notify,
        );
        c.write_only("ZMQ_DISCONNECT_MSG", router.set_disconnect_msg(b"bye"));
        let xpub = socket(ctx, zmq::XPUB);
        c.write_only("ZMQ_XPUB_MANUAL_LAST_VALUE", xpub.set_xpub_manual_last_value(true));
        c.write_only("ZMQ_ONLY_FIRST_SUBSCRIBE", xpub.set_only_first_subscribe(true));
        c.write_only("ZMQ_XSUB_VERBOSE_UNSUBSCRIBE", socket(ctx, zmq::XSUB).set_xsub_verbose_unsubscribe(true));
        let sub = socket(ctx, zmq::SUB);
        assert_eq!(sub.get_topics_count(), Ok(0));
        sub.set_subscribe(b"a").unwrap();
        sub.set_subscribe(b"b").unwrap();
        assert_eq!(sub.get_topics_count(), Ok(2));
        c.mark("ZMQ_TOPICS_COUNT");
        assert_eq!(socket(ctx, zmq::CLIENT).is_thread_safe(), Ok(true));

        // Transport-specific options exist only when libzmq was built with the transport.
        let wss = zmq::has("WSS") == Some(true);
        let expect = if wss { Ok(()) } else { Err(Error::EINVAL) };
        for (name, result) in [
            ("ZMQ_WSS_KEY_PEM", s.set_wss_key_pem("-----BEGIN PRIVATE KEY-----")),
            ("ZMQ_WSS_CERT_PEM", s.set_wss_cert_pem("-----BEGIN CERTIFICATE-----")),
            ("ZMQ_WSS_TRUST_PEM", s.set_wss_trust_pem("-----BEGIN CERTIFICATE-----")),
            ("ZMQ_WSS_HOSTNAME", s.set_wss_hostname("localhost")),
            ("ZMQ_WSS_TRUST_SYSTEM", s.set_wss_trust_system(true)),
        ] {
            assert_eq!(result, expect, "{name} (WSS: {wss})");
            c.mark(name);
        }
        if zmq::has("norm") == Some(true) {
            c.round_trip("ZMQ_NORM_MODE", || s.get_norm_mode(), |v| s.set_norm_mode(v), NormMode::Cc, NormMode::Fixed);
            c.round_trip(
                "ZMQ_NORM_UNICAST_NACK",
                || s.is_norm_unicast_nack(),
                |v| s.set_norm_unicast_nack(v),
                false,
                true,
            );
            c.round_trip(
                "ZMQ_NORM_BUFFER_SIZE",
                || s.get_norm_buffer_size(),
                |v| s.set_norm_buffer_size(v),
                2048,
                1024,
            );
            c.round_trip(
                "ZMQ_NORM_SEGMENT_SIZE",
                || s.get_norm_segment_size(),
                |v| s.set_norm_segment_size(v),
                1400,
                1000,
            );
            c.round_trip("ZMQ_NORM_BLOCK_SIZE", || s.get_norm_block_size(), |v| s.set_norm_block_size(v), 16, 32);
            c.round_trip("ZMQ_NORM_NUM_PARITY", || s.get_norm_num_parity(), |v| s.set_norm_num_parity(v), 4, 8);
            c.round_trip(
                "ZMQ_NORM_NUM_AUTOPARITY",
                || s.get_norm_num_autoparity(),
                |v| s.set_norm_num_autoparity(v),
                0,
                2,
            );
            c.round_trip("ZMQ_NORM_PUSH", || s.is_norm_push(), |v| s.set_norm_push(v), false, true);
        } else {
            let results = [
                ("ZMQ_NORM_MODE", s.get_norm_mode().map(drop), s.set_norm_mode(NormMode::Fixed)),
                ("ZMQ_NORM_UNICAST_NACK", s.is_norm_unicast_nack().map(drop), s.set_norm_unicast_nack(true)),
                ("ZMQ_NORM_BUFFER_SIZE", s.get_norm_buffer_size().map(drop), s.set_norm_buffer_size(1024)),
                ("ZMQ_NORM_SEGMENT_SIZE", s.get_norm_segment_size().map(drop), s.set_norm_segment_size(1000)),
                ("ZMQ_NORM_BLOCK_SIZE", s.get_norm_block_size().map(drop), s.set_norm_block_size(32)),
                ("ZMQ_NORM_NUM_PARITY", s.get_norm_num_parity().map(drop), s.set_norm_num_parity(8)),
                ("ZMQ_NORM_NUM_AUTOPARITY", s.get_norm_num_autoparity().map(drop), s.set_norm_num_autoparity(2)),
                ("ZMQ_NORM_PUSH", s.is_norm_push().map(drop), s.set_norm_push(true)),
            ];
            for (name, get, set) in results {
                assert_eq!((get, set), (Err(Error::EINVAL), Err(Error::EINVAL)), "{name} without NORM");
                c.mark(name);
            }
        }
        c
    }

    #[test]
    fn every_draft_socket_option_of_the_header_is_covered() {
        let covered = check_draft_options(&Context::new());
        let header = header_section(&linked_header(), "DRAFT Socket options");
        let names: BTreeSet<String> = header.iter().map(|(n, _)| n.clone()).collect();
        println!("draft socket options: {} covered of {}", covered.0.len(), names.len());
        assert_eq!(covered.0, names);
        let table: BTreeSet<(String, i32)> =
            zmq::DRAFT_SOCKET_OPTIONS.iter().map(|&(name, number, _, _)| (name.to_string(), number)).collect();
        assert_eq!(table, header, "the draft table has the header's names and numbers");
        assert_eq!(names.len(), 32);
    }

    #[test]
    fn metadata_reaches_the_peer() {
        let ctx = Context::new();
        let server = socket(&ctx, zmq::PULL);
        server.set_rcvtimeo(5000).unwrap();
        let endpoint = server.bind_to("tcp://127.0.0.1:*").unwrap();
        let client = socket(&ctx, zmq::PUSH);
        client.add_metadata("X-Color", "blue").unwrap();
        client.connect(&endpoint).unwrap();
        client.send("m", 0).unwrap();
        let mut msg = server.recv_msg(0).unwrap();
        assert_eq!(msg.gets("X-Color"), Some("blue"));
    }
}

#[test]
fn context_options() {
    let ctx = Context::new();
    assert_eq!(ctx.get_io_threads(), Ok(1));
    assert_eq!(ctx.get_max_sockets(), Ok(1023));
    let limit = ctx.get_socket_limit().unwrap();
    assert!(limit >= 1023, "{limit}");
    assert_eq!(ctx.is_ipv6(), Ok(false));
    ctx.set_ipv6(true).unwrap();
    assert_eq!(ctx.is_ipv6(), Ok(true));
    assert_eq!(ctx.socket(zmq::PAIR).unwrap().is_ipv6(), Ok(true), "new sockets take the context's IPV6");
    assert_eq!(ctx.is_blocky(), Ok(true));
    ctx.set_blocky(false).unwrap();
    assert_eq!(ctx.is_blocky(), Ok(false));
    assert_eq!(ctx.get_max_msgsz(), Ok(i32::MAX));
    ctx.set_max_msgsz(1 << 20).unwrap();
    assert_eq!(ctx.get_max_msgsz(), Ok(1 << 20));
    assert_eq!(ctx.set_max_msgsz(-1), Err(Error::EINVAL));
    assert_eq!(ctx.get_msg_t_size(), Ok(64));
    assert_eq!(ctx.get_thread_sched_policy(), Ok(-1), "-1 is a value here, not an error");
    assert_eq!(ctx.get_thread_name_prefix(), Ok(0));
    #[cfg(zmq_draft)]
    {
        assert_eq!(ctx.is_zero_copy_recv(), Ok(true));
        ctx.set_zero_copy_recv(false).unwrap();
        assert_eq!(ctx.is_zero_copy_recv(), Ok(false));
    }
}

#[test]
fn context_builder_options() {
    // A CPU this process may run on (containers may exclude CPU 0).
    // SAFETY: sched_getaffinity writes at most size_of::<cpu_set_t>() bytes into `set`.
    let cpu = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        assert_eq!(libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set), 0);
        (0..libc::CPU_SETSIZE).find(|&c| libc::CPU_ISSET(c as usize, &set)).unwrap()
    };
    let ctx = Context::builder()
        .io_threads(2)
        .max_sockets(64)
        .thread_sched_policy(libc::SCHED_OTHER)
        .thread_affinity_cpu_add(cpu)
        .thread_affinity_cpu_remove(cpu)
        .thread_affinity_cpu_add(cpu)
        .thread_name_prefix(4242)
        .max_msgsz(1000)
        .linger(0)
        .build()
        .unwrap();
    assert_eq!(ctx.get_io_threads(), Ok(2));
    assert_eq!(ctx.get_max_sockets(), Ok(64));
    assert_eq!(ctx.get_thread_sched_policy(), Ok(libc::SCHED_OTHER));
    assert_eq!(ctx.get_thread_name_prefix(), Ok(4242));
    assert_eq!(ctx.get_max_msgsz(), Ok(1000));
    // Starting the I/O threads applies the thread options (libzmq aborts if the OS refuses them).
    let (a, b) = (socket(&ctx, zmq::PAIR), socket(&ctx, zmq::PAIR));
    a.bind("tcp://127.0.0.1:*").unwrap();
    b.connect(&a.last_endpoint().unwrap()).unwrap();
    b.set_rcvtimeo(5000).unwrap();
    a.send("threads", 0).unwrap();
    assert_eq!(b.recv_bytes(0).unwrap(), b"threads");
    let names: Vec<String> = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim_end().to_string())
        .collect();
    // libzmq names its threads where its build detected pthread_setname_np (the source build does not).
    if names.iter().any(|n| n.contains("ZMQbg")) {
        assert!(names.iter().any(|n| n.starts_with("4242/ZMQbg/")), "threads: {names:?}");
    } else {
        println!("this libzmq does not name its threads: {names:?}");
    }

    // Rejected values make build() fail.
    assert_eq!(Context::builder().thread_affinity_cpu_remove(cpu).build().err(), Some(Error::EINVAL));
    assert_eq!(Context::builder().thread_affinity_cpu_add(1 << 20).build().err(), Some(Error::EINVAL));
    assert_eq!(Context::builder().max_sockets(0).build().err(), Some(Error::EINVAL));
    // libzmq has no getter for THREAD_PRIORITY (its number, 3, reads back ZMQ_SOCKET_LIMIT); tests/ctx_options.rs
    // covers the thread priority and policy checks.
    let ctx = Context::new();
    assert_eq!(ctx.get_option(zmq_sys::ZMQ_THREAD_PRIORITY as i32), ctx.get_socket_limit());
    #[cfg(zmq_draft)]
    {
        let ctx = Context::builder().zero_copy_recv(false).build().unwrap();
        assert_eq!(ctx.is_zero_copy_recv(), Ok(false));
        ctx.set_thread_name_prefix_text("rs-test").unwrap();
        assert_eq!(ctx.thread_name_prefix_text().unwrap(), "rs-test");
        assert_eq!(ctx.set_thread_name_prefix_text("far-too-long-for-libzmq"), Err(Error::EINVAL));
    }
}

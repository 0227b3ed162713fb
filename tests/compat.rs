//! Every public item of the zmq 0.10 crate, used the way code written for that crate uses it. If this file
//! compiles, such code compiles against this crate; the runtime checks show it behaves the same.
#![allow(deprecated, drop_bounds, clippy::type_complexity, clippy::needless_borrows_for_generic_args)]

mod common;

use std::os::unix::io::AsRawFd;

use zmq::{
    CurveKeyPair, DecodeError, EncodeError, Error, Mechanism, Message, PollEvents, PollItem, Result, Sendable, Socket,
    SocketEvent, SocketType,
};

/// Names every item with its 0.10 signature; never called, only type-checked.
#[allow(dead_code, unused_variables, unused_must_use, clippy::all)]
fn signatures() {
    // Message
    let _: fn() -> Message = Message::new;
    let _: unsafe fn(usize) -> Message = Message::with_capacity_unallocated;
    let _: fn(usize) -> Message = Message::with_size;
    let _: fn(usize) -> Message = Message::with_capacity;
    let _: fn(&[u8]) -> Message = Message::from_slice;
    let _: for<'a> fn(&'a Message) -> Option<&'a str> = Message::as_str;
    let _: fn(&Message) -> bool = Message::get_more;
    let _: for<'a> fn(&'a mut Message, &str) -> Option<&'a str> = Message::gets;
    fn from_impls<'a, T: Into<Message> + Clone>(
        b: &'a [u8],
        v: Vec<u8>,
        bx: Box<[u8]>,
        s: &'a str,
        st: &'a String,
        t: &'a T,
    ) {
        let _: Message = b.into();
        let _: Message = v.into();
        let _: Message = bx.into();
        let _: Message = s.into();
        let _: Message = st.into();
        let _: Message = t.into();
    }
    fn message_traits<
        T: Drop + std::fmt::Debug + std::ops::Deref<Target = [u8]> + std::ops::DerefMut + PartialEq + Eq,
    >() {
    }
    message_traits::<Message>();
    // Result, SocketType
    let _: Result<()> = Ok(());
    fn socket_type_traits<T: Clone + Copy + std::fmt::Debug + PartialEq + Eq>() {}
    socket_type_traits::<SocketType>();
    let _ = [
        SocketType::PAIR,
        SocketType::PUB,
        SocketType::SUB,
        SocketType::REQ,
        SocketType::REP,
        SocketType::DEALER,
        SocketType::ROUTER,
        SocketType::PULL,
        SocketType::PUSH,
        SocketType::XPUB,
        SocketType::XSUB,
        SocketType::STREAM,
    ];
    let _ = [
        zmq::PAIR,
        zmq::PUB,
        zmq::SUB,
        zmq::REQ,
        zmq::REP,
        zmq::DEALER,
        zmq::ROUTER,
        zmq::PULL,
        zmq::PUSH,
        zmq::XPUB,
        zmq::XSUB,
        zmq::STREAM,
    ];
    // SocketEvent
    socket_type_traits::<SocketEvent>();
    let _ = [
        SocketEvent::CONNECTED,
        SocketEvent::CONNECT_DELAYED,
        SocketEvent::CONNECT_RETRIED,
        SocketEvent::LISTENING,
        SocketEvent::BIND_FAILED,
        SocketEvent::ACCEPTED,
        SocketEvent::ACCEPT_FAILED,
        SocketEvent::CLOSED,
        SocketEvent::CLOSE_FAILED,
        SocketEvent::DISCONNECTED,
        SocketEvent::MONITOR_STOPPED,
        SocketEvent::HANDSHAKE_FAILED_NO_DETAIL,
        SocketEvent::HANDSHAKE_SUCCEEDED,
        SocketEvent::HANDSHAKE_FAILED_PROTOCOL,
        SocketEvent::HANDSHAKE_FAILED_AUTH,
        SocketEvent::ALL,
    ];
    let _: fn(SocketEvent) -> u16 = SocketEvent::to_raw;
    let _: fn(u16) -> SocketEvent = SocketEvent::from_raw;
    // Flags, Mechanism
    let _: i32 = zmq::DONTWAIT;
    let _: i32 = zmq::SNDMORE;
    socket_type_traits::<Mechanism>();
    let _ = [Mechanism::ZMQ_NULL, Mechanism::ZMQ_PLAIN, Mechanism::ZMQ_CURVE, Mechanism::ZMQ_GSSAPI];
    // Error
    fn error_traits<T: Clone + Copy + Eq + PartialEq + std::error::Error + std::fmt::Display + std::fmt::Debug>() {}
    error_traits::<Error>();
    let _ = [
        Error::EACCES,
        Error::EADDRINUSE,
        Error::EAGAIN,
        Error::EBUSY,
        Error::ECONNREFUSED,
        Error::EFAULT,
        Error::EINTR,
        Error::EHOSTUNREACH,
        Error::EINPROGRESS,
        Error::EINVAL,
        Error::EMFILE,
        Error::EMSGSIZE,
        Error::ENAMETOOLONG,
        Error::ENODEV,
        Error::ENOENT,
        Error::ENOMEM,
        Error::ENOTCONN,
        Error::ENOTSOCK,
        Error::EPROTO,
        Error::EPROTONOSUPPORT,
        Error::ENOTSUP,
        Error::ENOBUFS,
        Error::ENETDOWN,
        Error::EADDRNOTAVAIL,
        Error::EFSM,
        Error::ENOCOMPATPROTO,
        Error::ETERM,
        Error::EMTHREAD,
    ];
    let _: fn(Error) -> i32 = Error::to_raw;
    let _: fn(i32) -> Error = Error::from_raw;
    let _: fn(Error) -> &'static str = Error::message;
    let _: std::io::Error = Error::EINVAL.into();
    let _: fn() -> (i32, i32, i32) = zmq::version;
    // Context
    let _: fn() -> zmq::Context = zmq::Context::new;
    let _: fn(&zmq::Context) -> Result<i32> = zmq::Context::get_io_threads;
    let _: fn(&zmq::Context, i32) -> Result<()> = zmq::Context::set_io_threads;
    let _: fn(&zmq::Context, SocketType) -> Result<Socket> = zmq::Context::socket;
    let _: fn(&mut zmq::Context) -> Result<()> = zmq::Context::destroy;
    fn ctx_traits<T: Clone + Default>() {}
    ctx_traits::<zmq::Context>();
    // Socket
    let _: fn(Socket) -> *mut std::os::raw::c_void = Socket::into_raw;
    let _: unsafe fn(*mut std::os::raw::c_void) -> Socket = Socket::from_raw;
    let _: fn(&mut Socket) -> *mut std::os::raw::c_void = Socket::as_mut_ptr;
    let _: fn(&Socket, &str) -> Result<()> = Socket::bind;
    let _: fn(&Socket, &str) -> Result<()> = Socket::unbind;
    let _: fn(&Socket, &str) -> Result<()> = Socket::connect;
    let _: fn(&Socket, &str) -> Result<()> = Socket::disconnect;
    let _: fn(&Socket, &str, i32) -> Result<()> = Socket::monitor;
    fn send_bytes<'a>(s: &Socket, data: &'a [u8], flags: i32) -> Result<()> {
        s.send(data, flags)
    }
    let _: fn(&Socket, Message, i32) -> Result<()> = Socket::send_msg;
    let _: fn(&Socket, &str, i32) -> Result<()> = Socket::send_str;
    let _: fn(&Socket, Vec<Vec<u8>>, i32) -> Result<()> = Socket::send_multipart::<Vec<Vec<u8>>, Vec<u8>>;
    let _: fn(&Socket, &mut Message, i32) -> Result<()> = Socket::recv;
    let _: fn(&Socket, &mut [u8], i32) -> Result<usize> = Socket::recv_into;
    let _: fn(&Socket, i32) -> Result<Message> = Socket::recv_msg;
    let _: fn(&Socket, i32) -> Result<Vec<u8>> = Socket::recv_bytes;
    let _: fn(&Socket, i32) -> Result<std::result::Result<String, Vec<u8>>> = Socket::recv_string;
    let _: fn(&Socket, i32) -> Result<Vec<Vec<u8>>> = Socket::recv_multipart;
    macro_rules! bools { ($($get:ident $set:ident),*) => { $( let _: fn(&Socket) -> Result<bool> = Socket::$get; let _: fn(&Socket, bool) -> Result<()> = Socket::$set; )* } }
    bools!(is_ipv6 set_ipv6, is_immediate set_immediate, is_plain_server set_plain_server, is_conflate set_conflate,
        is_probe_router set_probe_router, is_curve_server set_curve_server, is_gssapi_server set_gssapi_server,
        is_gssapi_plaintext set_gssapi_plaintext);
    // zmq 0.10 also has getters for these two write-only options; they fail with EINVAL at run time.
    let _: fn(&Socket) -> Result<bool> = Socket::is_router_mandatory;
    let _: fn(&Socket) -> Result<bool> = Socket::is_router_handover;
    let _: fn(&Socket, bool) -> Result<()> = Socket::set_router_mandatory;
    let _: fn(&Socket, bool) -> Result<()> = Socket::set_router_handover;
    let _: fn(&Socket, bool) -> Result<()> = Socket::set_req_relaxed;
    let _: fn(&Socket, bool) -> Result<()> = Socket::set_req_correlate;
    let _: fn(&Socket) -> Result<SocketType> = Socket::get_socket_type;
    let _: fn(&Socket) -> Result<bool> = Socket::get_rcvmore;
    let _: fn(&Socket) -> Result<i64> = Socket::get_maxmsgsize;
    let _: fn(&Socket, i64) -> Result<()> = Socket::set_maxmsgsize;
    let _: fn(&Socket) -> Result<u64> = Socket::get_affinity;
    let _: fn(&Socket, u64) -> Result<()> = Socket::set_affinity;
    macro_rules! ints { ($($get:ident $set:ident),*) => { $( let _: fn(&Socket) -> Result<i32> = Socket::$get; let _: fn(&Socket, i32) -> Result<()> = Socket::$set; )* } }
    ints!(get_sndhwm set_sndhwm, get_rcvhwm set_rcvhwm, get_rate set_rate, get_recovery_ivl set_recovery_ivl,
        get_sndbuf set_sndbuf, get_rcvbuf set_rcvbuf, get_tos set_tos, get_linger set_linger,
        get_reconnect_ivl set_reconnect_ivl, get_reconnect_ivl_max set_reconnect_ivl_max, get_backlog set_backlog,
        get_multicast_hops set_multicast_hops, get_rcvtimeo set_rcvtimeo, get_sndtimeo set_sndtimeo,
        get_tcp_keepalive set_tcp_keepalive, get_tcp_keepalive_cnt set_tcp_keepalive_cnt,
        get_tcp_keepalive_idle set_tcp_keepalive_idle, get_tcp_keepalive_intvl set_tcp_keepalive_intvl,
        get_handshake_ivl set_handshake_ivl, get_heartbeat_ivl set_heartbeat_ivl, get_heartbeat_ttl set_heartbeat_ttl,
        get_heartbeat_timeout set_heartbeat_timeout, get_connect_timeout set_connect_timeout);
    let _: fn(&Socket) -> Result<std::os::unix::io::RawFd> = Socket::get_fd;
    let _: fn(&Socket) -> Result<PollEvents> = Socket::get_events;
    let _: fn(&Socket, &[u8]) -> Result<()> = Socket::set_identity;
    let _: fn(&Socket, &[u8]) -> Result<()> = Socket::set_subscribe;
    let _: fn(&Socket, &[u8]) -> Result<()> = Socket::set_unsubscribe;
    let _: fn(&Socket) -> Result<Vec<u8>> = Socket::get_identity;
    macro_rules! strs { ($($get:ident),*) => { $( let _: fn(&Socket) -> Result<std::result::Result<String, Vec<u8>>> = Socket::$get; )* } }
    strs!(
        get_socks_proxy,
        get_plain_username,
        get_plain_password,
        get_zap_domain,
        get_last_endpoint,
        get_gssapi_principal,
        get_gssapi_service_principal
    );
    let _: fn(&Socket) -> Result<Mechanism> = Socket::get_mechanism;
    let _: fn(&Socket) -> Result<Vec<u8>> = Socket::get_curve_publickey;
    let _: fn(&Socket) -> Result<Vec<u8>> = Socket::get_curve_secretkey;
    let _: fn(&Socket) -> Result<Vec<u8>> = Socket::get_curve_serverkey;
    let _: fn(&Socket, Option<&str>) -> Result<()> = Socket::set_socks_proxy;
    let _: fn(&Socket, Option<&str>) -> Result<()> = Socket::set_plain_username;
    let _: fn(&Socket, Option<&str>) -> Result<()> = Socket::set_plain_password;
    let _: fn(&Socket, &str) -> Result<()> = Socket::set_zap_domain;
    let _: fn(&Socket, Option<&str>) -> Result<()> = Socket::set_xpub_welcome_msg;
    let _: fn(&Socket, bool) -> Result<()> = Socket::set_xpub_verbose;
    let _: fn(&Socket, &[u8]) -> Result<()> = Socket::set_curve_publickey;
    let _: fn(&Socket, &[u8]) -> Result<()> = Socket::set_curve_secretkey;
    let _: fn(&Socket, &[u8]) -> Result<()> = Socket::set_curve_serverkey;
    let _: fn(&Socket, &str) -> Result<()> = Socket::set_gssapi_principal;
    let _: fn(&Socket, &str) -> Result<()> = Socket::set_gssapi_service_principal;
    let _: for<'a> fn(&'a Socket, PollEvents) -> PollItem<'a> = Socket::as_poll_item;
    let _: fn(&Socket, PollEvents, i64) -> Result<i32> = Socket::poll;
    fn socket_traits<T: Send + Drop + AsRawFd>() {}
    socket_traits::<Socket>();
    // Sendable
    fn sendable<T: Sendable>() {}
    sendable::<&str>();
    sendable::<&[u8]>();
    sendable::<&String>();
    sendable::<&Vec<u8>>();
    sendable::<Vec<u8>>();
    sendable::<Message>();
    sendable::<Box<[u8]>>();
    fn send_str_via_trait<'a>(data: &'a str, s: &Socket, flags: i32) -> Result<()> {
        <&'a str as Sendable>::send(data, s, flags)
    }
    // PollEvents
    let _ = [PollEvents::POLLIN, PollEvents::POLLOUT, PollEvents::POLLERR, zmq::POLLIN, zmq::POLLOUT, zmq::POLLERR];
    let _: fn() -> PollEvents = PollEvents::empty;
    let _: fn() -> PollEvents = PollEvents::all;
    let _: fn(&PollEvents) -> i16 = PollEvents::bits;
    let _: fn(i16) -> Option<PollEvents> = PollEvents::from_bits;
    let _: fn(i16) -> PollEvents = PollEvents::from_bits_truncate;
    let _: unsafe fn(i16) -> PollEvents = PollEvents::from_bits_unchecked;
    let _: fn(&PollEvents) -> bool = PollEvents::is_empty;
    let _: fn(&PollEvents) -> bool = PollEvents::is_all;
    let _: fn(&PollEvents, PollEvents) -> bool = PollEvents::intersects;
    let _: fn(&PollEvents, PollEvents) -> bool = PollEvents::contains;
    let _: fn(&mut PollEvents, PollEvents) = PollEvents::insert;
    let _: fn(&mut PollEvents, PollEvents) = PollEvents::remove;
    let _: fn(&mut PollEvents, PollEvents) = PollEvents::toggle;
    let _: fn(&mut PollEvents, PollEvents, bool) = PollEvents::set;
    let _: fn(PollEvents, PollEvents) -> PollEvents = PollEvents::intersection;
    let _: fn(PollEvents, PollEvents) -> PollEvents = PollEvents::union;
    let _: fn(PollEvents, PollEvents) -> PollEvents = PollEvents::difference;
    let _: fn(PollEvents, PollEvents) -> PollEvents = PollEvents::symmetric_difference;
    let _: fn(PollEvents) -> PollEvents = PollEvents::complement;
    fn flags_traits<
        T: Copy
            + Eq
            + Clone
            + Ord
            + std::hash::Hash
            + std::fmt::Debug
            + std::fmt::Binary
            + std::fmt::Octal
            + std::fmt::LowerHex
            + std::fmt::UpperHex
            + std::ops::BitOr<Output = T>
            + std::ops::BitOrAssign
            + std::ops::BitXor<Output = T>
            + std::ops::BitXorAssign
            + std::ops::BitAnd<Output = T>
            + std::ops::BitAndAssign
            + std::ops::Sub<Output = T>
            + std::ops::SubAssign
            + std::ops::Not<Output = T>
            + Extend<T>
            + FromIterator<T>,
    >() {
    }
    flags_traits::<PollEvents>();
    // PollItem, poll, proxies
    let _: fn(std::os::unix::io::RawFd, PollEvents) -> PollItem<'static> = PollItem::from_fd;
    fn poll_item_methods(item: &mut PollItem<'_>, s: &Socket) {
        item.set_events(zmq::POLLIN);
        let _: PollEvents = item.get_revents();
        let _: bool = item.is_readable() || item.is_writable() || item.is_error();
        let _: bool = item.has_socket(s) || item.has_fd(0);
    }
    let _: fn(&mut [PollItem<'_>], i64) -> Result<i32> = zmq::poll;
    let _: fn(&Socket, &Socket) -> Result<()> = zmq::proxy;
    let _: fn(&mut Socket, &mut Socket, &mut Socket) -> Result<()> = zmq::proxy_with_capture;
    let _: fn(&mut Socket, &mut Socket, &mut Socket) -> Result<()> = zmq::proxy_steerable;
    let _: fn(&mut Socket, &mut Socket, &mut Socket, &mut Socket) -> Result<()> = zmq::proxy_steerable_with_capture;
    let _: fn(&str) -> Option<bool> = zmq::has;
    // CURVE, Z85
    let _: fn() -> Result<CurveKeyPair> = CurveKeyPair::new;
    let pair: CurveKeyPair = CurveKeyPair { public_key: [0; 32], secret_key: [0; 32] };
    let _ = format!("{pair:?}");
    let _ = [EncodeError::BadLength];
    let _ = [DecodeError::BadLength];
    fn err_traits<T: std::fmt::Debug + std::fmt::Display + std::error::Error>() {}
    err_traits::<EncodeError>();
    err_traits::<DecodeError>();
    let _: EncodeError = String::from_utf8(vec![0xff]).unwrap_err().into();
    let _: DecodeError = std::ffi::CString::new("a\0").unwrap_err().into();
    let _: fn(&[u8]) -> std::result::Result<String, EncodeError> = zmq::z85_encode;
    let _: fn(&str) -> std::result::Result<Vec<u8>, DecodeError> = zmq::z85_decode;
    let _ = zmq_sys::errno::ETERM;
}

/// The hello-world of the zmq 0.10 README, unchanged.
#[test]
fn zmq_010_style_program_behaves_the_same() {
    let ctx = zmq::Context::new();
    let rep = ctx.socket(zmq::REP).unwrap();
    rep.bind("tcp://127.0.0.1:*").unwrap();
    let ep = rep.get_last_endpoint().unwrap().unwrap();
    let req = ctx.socket(zmq::REQ).unwrap();
    req.set_rcvtimeo(5000).unwrap();
    rep.set_rcvtimeo(5000).unwrap();
    req.connect(&ep).unwrap();
    req.send("Hello", 0).unwrap();
    let mut msg = zmq::Message::new();
    rep.recv(&mut msg, 0).unwrap();
    assert_eq!(msg.as_str(), Some("Hello"));
    rep.send_multipart(&["World", "!"], 0).unwrap();
    assert_eq!(req.recv_multipart(0).unwrap(), vec![b"World".to_vec(), b"!".to_vec()]);
    req.send(&b"bytes"[..], zmq::SNDMORE).unwrap();
    req.send(String::from("string").as_str(), 0).unwrap();
    assert_eq!(rep.recv_bytes(0).unwrap(), b"bytes");
    assert_eq!(rep.recv_string(0).unwrap(), Ok("string".to_string()));
    rep.send(vec![1u8, 2, 3], 0).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(req.recv_into(&mut buf, 0).unwrap(), 3);
    let mut items = [req.as_poll_item(zmq::POLLIN), rep.as_poll_item(zmq::POLLIN)];
    assert_eq!(zmq::poll(&mut items, 0).unwrap(), 0);
    assert!(!items[0].is_readable() && items[0].has_socket(&req));
    assert!(req.as_raw_fd() >= 0);
    assert_eq!(req.get_socket_type().unwrap(), zmq::REQ);
    assert_eq!(req.get_mechanism().unwrap(), Mechanism::ZMQ_NULL);
    assert_eq!(SocketEvent::from_raw(SocketEvent::CONNECTED.to_raw()), SocketEvent::CONNECTED);
    assert_eq!(Error::from_raw(Error::EFSM.to_raw()), Error::EFSM);
    assert_eq!(format!("{}", Error::EAGAIN), format!("{:?}", Error::EAGAIN));
    assert_eq!(zmq::z85_decode(&zmq::z85_encode(&[1, 2, 3, 4]).unwrap()).unwrap(), [1, 2, 3, 4]);
    let events = zmq::POLLIN | zmq::POLLOUT;
    assert_eq!(events.bits(), 3);
    assert!(zmq::has("ipc").is_some());
    // Deprecated items still work.
    req.send_str("old", 0).unwrap();
    assert_eq!(rep.recv_msg(0).unwrap().as_str(), Some("old"));
    rep.send_msg(zmq::Message::from_slice(b"old msg"), 0).unwrap();
    assert_eq!(req.recv_bytes(0).unwrap(), b"old msg");
    let mut ctx = ctx;
    drop((req, rep));
    ctx.destroy().unwrap();
}

/// What zmq 0.10 programs observe beyond signatures: text output, casts, monitor call shapes, non-UTF-8 input.
#[test]
fn zmq_010_observable_behaviour() {
    use std::time::Duration;
    // Debug of a message is its bytes as a slice; programs log and compare it.
    assert_eq!(format!("{:?}", Message::from("foo")), "[102, 111, 111]");
    assert_eq!(format!("{:?}", Message::new()), "[]");
    assert_eq!(format!("{:#?}", Message::from(&[1u8][..])), "[1]", "0.10 ignores the alternate flag");
    // Derived Debug of the enums: the variant names.
    assert_eq!(format!("{:?}", zmq::REQ), "REQ");
    assert_eq!(format!("{:?}", SocketEvent::HANDSHAKE_SUCCEEDED), "HANDSHAKE_SUCCEEDED");
    assert_eq!(format!("{:?}", Mechanism::ZMQ_CURVE), "ZMQ_CURVE");
    // PollEvents prints as 0.10's bitflags 1 did.
    assert_eq!(format!("{:?}", zmq::POLLIN | zmq::POLLOUT), "POLLIN | POLLOUT");
    assert_eq!(format!("{:?}", PollEvents::empty()), "(empty)");
    assert_eq!(format!("{:?}", zmq::POLLERR), "POLLERR");
    // Error: Debug and Display are both libzmq's message.
    assert_eq!(format!("{:?}", Error::EAGAIN), Error::EAGAIN.message());
    assert_eq!(Error::EINVAL.to_string(), "Invalid argument");
    // z85 error texts.
    assert_eq!(zmq::z85_encode(&[1]).unwrap_err().to_string(), "Invalid data length. Should be multiple of 4.");
    assert_eq!(zmq::z85_decode("abc").unwrap_err().to_string(), "Invalid data length. Should be multiple of 5.");
    assert!(zmq::z85_decode("ab\0cd").unwrap_err().to_string().starts_with("Nul byte error: "));
    // SocketEvent is field-less with libzmq's numbers, so 0.10 code casts it.
    assert_eq!(SocketEvent::ALL as i32, 0xFFFF);
    assert_eq!(SocketEvent::CONNECTED as i32, 1);
    assert_eq!(SocketEvent::ALL.to_raw() as i32, SocketEvent::ALL as i32);

    let ctx = zmq::Context::new();
    let server = ctx.socket(zmq::PAIR).unwrap();
    let client = ctx.socket(zmq::PAIR).unwrap();
    for s in [&server, &client] {
        s.set_rcvtimeo(5000).unwrap();
        s.set_linger(0).unwrap();
    }
    // The monitor call as 0.10 code writes it, read back as 0.10 code reads it: two frames per event.
    let events = ctx.socket(zmq::PAIR).unwrap();
    events.set_rcvtimeo(5000).unwrap();
    events.connect("inproc://compat-010-monitor").unwrap();
    server.monitor("inproc://compat-010-monitor", SocketEvent::ALL as i32).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let frames = events.recv_multipart(0).unwrap();
    assert_eq!(frames.len(), 2);
    let number = u16::from_ne_bytes([frames[0][0], frames[0][1]]);
    assert_eq!(SocketEvent::from_raw(number), SocketEvent::LISTENING);
    assert_eq!(std::str::from_utf8(&frames[1]).unwrap(), server.get_last_endpoint().unwrap().unwrap());

    client.connect(&server.get_last_endpoint().unwrap().unwrap()).unwrap();
    // recv_string on bytes that are not UTF-8: Ok(Err(the bytes)).
    client.send(&[0xffu8, 0xfe][..], 0).unwrap();
    assert_eq!(server.recv_string(0).unwrap(), Err(vec![0xff, 0xfe]));
    // A received Message keeps its bytes after a failed receive with DONTWAIT (as 0.10 documents nothing, the
    // natural expectation) and reports `more` like 0.10.
    client.send_multipart(vec![b"a".to_vec(), b"b".to_vec()], 0).unwrap();
    let mut msg = Message::new();
    server.recv(&mut msg, 0).unwrap();
    assert!(msg.get_more());
    server.recv(&mut msg, 0).unwrap();
    assert!(!msg.get_more());
    assert_eq!(server.recv(&mut msg, zmq::DONTWAIT), Err(Error::EAGAIN));
    assert_eq!(&msg[..], b"b");
    // get_last_endpoint's Ok(Err(bytes)) shape and get_identity on a fresh socket.
    assert!(matches!(client.get_last_endpoint(), Ok(Ok(_))));
    assert_eq!(client.get_identity().unwrap(), Vec::<u8>::new());
    // poll with a timeout in milliseconds returns the number of ready items.
    client.send("ready", 0).unwrap();
    let mut items = [server.as_poll_item(zmq::POLLIN)];
    assert_eq!(zmq::poll(&mut items, Duration::from_secs(5).as_millis() as i64).unwrap(), 1);
    assert!(items[0].is_readable());
}

//! Socket option values at the edges of their ranges: libzmq either refuses them or applies them to a TCP
//! connection without aborting. Each case runs in a child process, so that an abort shows as a failed test.

mod isolated;

use std::time::Duration;

use isolated::isolated;
use zmq::{Context, Socket};

const LIMIT: Duration = Duration::from_secs(240);

/// Sets an option on both ends of a TCP pair (where libzmq accepts the value) and checks a message still passes.
fn over_tcp(name: &str, ipv6: bool, set: &dyn Fn(&Socket) -> zmq::Result<()>) {
    let ctx = Context::builder().linger(0).build().unwrap();
    let (a, b) = (ctx.socket(zmq::DEALER).unwrap(), ctx.socket(zmq::DEALER).unwrap());
    let accepted = [set(&a).is_ok(), set(&b).is_ok()];
    for s in [&a, &b] {
        s.set_ipv6(ipv6).unwrap();
        s.set_sndtimeo(500).unwrap();
        s.set_rcvtimeo(500).unwrap();
    }
    // A value can make bind or connect fail (an affinity naming no I/O thread: EMTHREAD); that is an answer too.
    let linked = a
        .bind_to(if ipv6 { "tcp://[::1]:*" } else { "tcp://127.0.0.1:*" })
        .and_then(|endpoint| b.connect(&endpoint))
        .and_then(|()| b.send("edge", 0));
    if let Err(err) = linked {
        println!("{name} (ipv6 {ipv6}): accepted {accepted:?}, no connection: {err}");
        return;
    }
    // Values such as a tiny heartbeat TTL may legitimately drop the connection; only the process must survive.
    let got = a.recv_bytes(0);
    println!("{name} (ipv6 {ipv6}): accepted {accepted:?}, message {:?}", got.map(|m| m.len()));
}

type Setter = Box<dyn Fn(&Socket) -> zmq::Result<()>>;

fn int_options(value: i32) -> Vec<(&'static str, Setter)> {
    vec![
        ("ZMQ_TOS", Box::new(move |s| s.set_tos(value))),
        ("ZMQ_SNDBUF", Box::new(move |s| s.set_sndbuf(value))),
        ("ZMQ_RCVBUF", Box::new(move |s| s.set_rcvbuf(value))),
        ("ZMQ_BACKLOG", Box::new(move |s| s.set_backlog(value))),
        ("ZMQ_TCP_KEEPALIVE", Box::new(move |s| s.set_tcp_keepalive(value))),
        ("ZMQ_TCP_KEEPALIVE_CNT", Box::new(move |s| s.set_tcp_keepalive(1).and(s.set_tcp_keepalive_cnt(value)))),
        ("ZMQ_TCP_KEEPALIVE_IDLE", Box::new(move |s| s.set_tcp_keepalive(1).and(s.set_tcp_keepalive_idle(value)))),
        ("ZMQ_TCP_KEEPALIVE_INTVL", Box::new(move |s| s.set_tcp_keepalive(1).and(s.set_tcp_keepalive_intvl(value)))),
        ("ZMQ_TCP_MAXRT", Box::new(move |s| s.set_tcp_maxrt(value))),
        ("ZMQ_MULTICAST_HOPS", Box::new(move |s| s.set_multicast_hops(value))),
        ("ZMQ_CONNECT_TIMEOUT", Box::new(move |s| s.set_connect_timeout(value))),
        ("ZMQ_HANDSHAKE_IVL", Box::new(move |s| s.set_handshake_ivl(value))),
        ("ZMQ_HEARTBEAT_IVL", Box::new(move |s| s.set_heartbeat_ivl(value))),
        ("ZMQ_HEARTBEAT_TIMEOUT", Box::new(move |s| s.set_heartbeat_ivl(10).and(s.set_heartbeat_timeout(value)))),
        ("ZMQ_HEARTBEAT_TTL", Box::new(move |s| s.set_heartbeat_ivl(10).and(s.set_heartbeat_ttl(value)))),
        ("ZMQ_RECONNECT_IVL", Box::new(move |s| s.set_reconnect_ivl(value))),
        ("ZMQ_RECONNECT_IVL_MAX", Box::new(move |s| s.set_reconnect_ivl_max(value))),
        ("ZMQ_SNDHWM", Box::new(move |s| s.set_sndhwm(value))),
        ("ZMQ_RCVHWM", Box::new(move |s| s.set_rcvhwm(value))),
        ("ZMQ_RATE", Box::new(move |s| s.set_rate(value))),
        ("ZMQ_RECOVERY_IVL", Box::new(move |s| s.set_recovery_ivl(value))),
        ("ZMQ_MULTICAST_MAXTPDU", Box::new(move |s| s.set_multicast_maxtpdu(value))),
        ("ZMQ_LINGER", Box::new(move |s| s.set_linger(value))),
        ("ZMQ_MAXMSGSIZE", Box::new(move |s| s.set_maxmsgsize(i64::from(value)))),
        ("ZMQ_AFFINITY", Box::new(move |s| s.set_affinity(value as u64))),
        #[cfg(zmq_draft)]
        ("ZMQ_PRIORITY", Box::new(move |s| s.set_priority(value))),
        #[cfg(zmq_draft)]
        ("ZMQ_IN_BATCH_SIZE", Box::new(move |s| s.set_in_batch_size(value))),
        #[cfg(zmq_draft)]
        ("ZMQ_OUT_BATCH_SIZE", Box::new(move |s| s.set_out_batch_size(value))),
        #[cfg(zmq_draft)]
        ("ZMQ_BUSY_POLL", Box::new(move |s| s.set_busy_poll(value != 0))),
    ]
}

#[test]
fn extreme_int_option_values_never_abort() {
    isolated("extreme_int_option_values_never_abort", LIMIT, || {
        for value in [i32::MAX, 65_536, 0, -1, i32::MIN] {
            for (name, set) in int_options(value) {
                for ipv6 in [false, true] {
                    over_tcp(&format!("{name} = {value}"), ipv6, &*set);
                }
            }
        }
    });
}

#[cfg(zmq_draft)]
#[test]
fn socket_priorities_without_the_privilege_never_abort() {
    // SO_PRIORITY above 6 needs CAP_NET_ADMIN; libzmq sets it on each TCP connection and asserts that it worked.
    isolated("socket_priorities_without_the_privilege_never_abort", LIMIT, || {
        isolated::drop_privileges();
        let ctx = Context::new();
        let s = ctx.socket(zmq::DEALER).unwrap();
        for value in [7, 100, i32::MAX] {
            over_tcp(&format!("ZMQ_PRIORITY = {value}"), false, &move |s| s.set_priority(value));
            assert_eq!(s.set_priority(value), Err(zmq::Error::EPERM), "{value}");
        }
        for value in [0, 6] {
            assert_eq!(s.set_priority(value), Ok(()), "{value}");
            over_tcp(&format!("ZMQ_PRIORITY = {value}"), false, &move |s| s.set_priority(value));
        }
    });
}

#[test]
#[allow(deprecated)]
fn odd_string_option_values_never_abort() {
    isolated("odd_string_option_values_never_abort", LIMIT, || {
        let odd = ["", ":", "[", "[::1", "::1]:x", "256.1.1.1:1", "*:*", "localhost:99999", "x:0", "\u{7f}:1"];
        for value in odd {
            let cases: Vec<(&str, Setter)> = vec![
                ("ZMQ_BINDTODEVICE", Box::new(move |s| s.set_bindtodevice(Some(value)))),
                ("ZMQ_TCP_ACCEPT_FILTER", Box::new(move |s| s.set_tcp_accept_filter(Some(value)))),
                ("ZMQ_ZAP_DOMAIN", Box::new(move |s| s.set_zap_domain(value))),
            ];
            for (name, set) in cases {
                over_tcp(&format!("{name} = {value:?}"), false, &*set);
            }
        }
        for device in ["lo", "nonexistent0", "a-name-too-long-for-linux"] {
            over_tcp(&format!("ZMQ_BINDTODEVICE = {device}"), false, &move |s| s.set_bindtodevice(Some(device)));
        }
    });
}

#[test]
fn connecting_through_a_socks_proxy_is_refused() {
    // libzmq 4.3's SOCKS connecter frees its poll entry when the connection to the proxy fails, and again when the
    // socket is closed before the next attempt: closing the socket then reads freed memory (libzmq aborts on the
    // garbage it reads). Run in a child process.
    isolated("connecting_through_a_socks_proxy_is_refused", LIMIT, || {
        let ctx = Context::builder().linger(0).build().unwrap();
        let s = ctx.socket(zmq::DEALER).unwrap();
        // Loopback addresses nothing listens on (ports bound and released again).
        let dead = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        s.set_socks_proxy(Some(&dead())).unwrap();
        match s.connect(&format!("tcp://{}", dead())) {
            Err(err) => assert_eq!(err, zmq::Error::ENOTSUP),
            Ok(()) => {
                // The old behaviour: wait until a connection to the proxy has failed, then close the socket.
                let monitor = zmq::Monitor::for_socket(&s, zmq::SocketEvent::CONNECT_RETRIED.to_raw() as i32).unwrap();
                let event = monitor.recv_timeout(Duration::from_secs(10)).unwrap().expect("a failed attempt");
                assert_eq!(event.event, zmq::SocketEvent::CONNECT_RETRIED);
                drop(monitor);
                drop(s);
                panic!("connected through a SOCKS proxy (and the process survived closing the socket)");
            }
        }
        // Other transports, and tcp once the proxy is cleared, connect as usual.
        s.connect("inproc://through-no-proxy").unwrap();
        s.set_socks_proxy(None).unwrap();
        s.connect(&format!("tcp://{}", dead())).unwrap();
    });
}

//! Socket options: one table, one row per `ZMQ_*` option, expanded into typed getters and setters on [`Socket`].
//!
//! Row form: `ZMQ_NAME "ZMQ_NAME": kind, get getter_name, set setter_name; "doc"` (the C name twice: once to
//! find the constant, once as the doc alias). The kind picks the C representation and the
//! Rust types:
//!
//! | kind       | getter returns                   | setter takes     | C value             |
//! |------------|----------------------------------|------------------|---------------------|
//! | `bool`     | `bool`                           | `bool`           | int 0/1             |
//! | `i32`      | `i32`                            | `i32`            | int                 |
//! | `i64`      | `i64`                            | `i64`            | int64_t             |
//! | `u64`      | `u64`                            | `u64`            | uint64_t            |
//! | `bytes`    | `Vec<u8>`                        | `&[u8]`          | binary              |
//! | `string`   | `Result<String, Vec<u8>>`        | `&str`           | character string    |
//! | `optstring`| `Result<String, Vec<u8>>`        | `Option<&str>`   | string, None = NULL |
//! | `key`      | `Vec<u8>` (32 bytes, binary)     | `&[u8]` 32 or 40 | CURVE key           |

use std::os::raw::{c_int, c_void};

use crate::error::{check, Error, Result};
use crate::socket::Socket;

/// Longest string or binary option value libzmq returns (endpoints and names are far shorter).
const MAX_OPTION_BYTES: usize = 1024;

#[inline]
pub(crate) fn get_raw<T: Copy + Default>(socket: &Socket, option: c_int) -> Result<T> {
    let mut value = T::default();
    let mut size = std::mem::size_of::<T>();
    // SAFETY: `value` is a writable T and `size` its size; libzmq writes at most `size` bytes and fails with EINVAL
    // if the option's size differs.
    check(unsafe { zmq_sys::zmq_getsockopt(socket.as_raw(), option, &mut value as *mut T as *mut c_void, &mut size) })?;
    Ok(value)
}

#[inline]
pub(crate) fn set_raw<T: Copy>(socket: &Socket, option: c_int, value: T) -> Result<()> {
    // SAFETY: libzmq reads exactly size_of::<T>() bytes from `value`, which lives for the call.
    check(unsafe {
        zmq_sys::zmq_setsockopt(socket.as_raw(), option, &value as *const T as *const c_void, std::mem::size_of::<T>())
    })
    .map(drop)
}

pub(crate) fn get_bytes(socket: &Socket, option: c_int) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; MAX_OPTION_BYTES];
    let mut size = buf.len();
    // SAFETY: libzmq writes at most `size` bytes into the buffer and stores the value's length in `size`.
    check(unsafe { zmq_sys::zmq_getsockopt(socket.as_raw(), option, buf.as_mut_ptr() as *mut c_void, &mut size) })?;
    buf.truncate(size);
    Ok(buf)
}

pub(crate) fn set_bytes(socket: &Socket, option: c_int, value: &[u8]) -> Result<()> {
    // SAFETY: libzmq reads `value.len()` bytes from the slice, which lives for the call.
    check(unsafe { zmq_sys::zmq_setsockopt(socket.as_raw(), option, value.as_ptr() as *const c_void, value.len()) })
        .map(drop)
}

/// A string option: libzmq returns it NUL-terminated; the terminator is dropped.
pub(crate) fn get_string(socket: &Socket, option: c_int) -> Result<std::result::Result<String, Vec<u8>>> {
    let mut bytes = get_bytes(socket, option)?;
    if let Some(end) = bytes.iter().position(|&b| b == 0) {
        bytes.truncate(end);
    }
    Ok(String::from_utf8(bytes).map_err(|e| e.into_bytes()))
}

pub(crate) fn set_string(socket: &Socket, option: c_int, value: &str) -> Result<()> {
    if value.as_bytes().contains(&0) {
        return Err(Error::EINVAL);
    }
    set_bytes(socket, option, value.as_bytes())
}

pub(crate) fn set_opt_string(socket: &Socket, option: c_int, value: Option<&str>) -> Result<()> {
    match value {
        Some(text) => set_string(socket, option, text),
        // SAFETY: a NULL value with size 0 resets a string option (zmq_setsockopt(3)).
        None => check(unsafe { zmq_sys::zmq_setsockopt(socket.as_raw(), option, std::ptr::null(), 0) }).map(drop),
    }
}

/// A CURVE key: 32 binary bytes, or 40 Z85 characters (an optional trailing NUL is accepted).
pub(crate) fn set_key(socket: &Socket, option: c_int, key: &[u8]) -> Result<()> {
    let key = match key {
        [k @ .., 0] if k.len() == 40 => k,
        k => k,
    };
    match key.len() {
        32 => set_bytes(socket, option, key),
        40 => {
            let text = std::str::from_utf8(key).map_err(|_| Error::EINVAL)?;
            let binary = crate::curve::z85_decode(text).map_err(|_| Error::EINVAL)?;
            set_bytes(socket, option, &binary)
        }
        _ => Err(Error::EINVAL),
    }
}

pub(crate) fn get_key(socket: &Socket, option: c_int) -> Result<Vec<u8>> {
    let mut buf = [0u8; 32];
    let mut size = buf.len();
    // SAFETY: a 32-byte buffer asks libzmq for the binary form of the key; it writes at most 32 bytes.
    check(unsafe { zmq_sys::zmq_getsockopt(socket.as_raw(), option, buf.as_mut_ptr() as *mut c_void, &mut size) })?;
    Ok(buf[..size].to_vec())
}

macro_rules! opt_out {
    (bool) => { bool };
    (i32) => { i32 };
    (i64) => { i64 };
    (u64) => { u64 };
    (bytes) => { Vec<u8> };
    (key) => { Vec<u8> };
    (string) => { std::result::Result<String, Vec<u8>> };
    (optstring) => { std::result::Result<String, Vec<u8>> };
}

macro_rules! opt_in {
    (bool) => { bool };
    (i32) => { i32 };
    (i64) => { i64 };
    (u64) => { u64 };
    (bytes) => { &[u8] };
    (key) => { &[u8] };
    (string) => { &str };
    (optstring) => { Option<&str> };
}

macro_rules! opt_get {
    (bool, $s:expr, $o:expr) => {
        get_raw::<c_int>($s, $o).map(|v| v != 0)
    };
    (i32, $s:expr, $o:expr) => {
        get_raw::<c_int>($s, $o).map(|v| v as i32)
    };
    (i64, $s:expr, $o:expr) => {
        get_raw::<i64>($s, $o)
    };
    (u64, $s:expr, $o:expr) => {
        get_raw::<u64>($s, $o)
    };
    (bytes, $s:expr, $o:expr) => {
        get_bytes($s, $o)
    };
    (key, $s:expr, $o:expr) => {
        get_key($s, $o)
    };
    (string, $s:expr, $o:expr) => {
        get_string($s, $o)
    };
    (optstring, $s:expr, $o:expr) => {
        get_string($s, $o)
    };
}

macro_rules! opt_set {
    (bool, $s:expr, $o:expr, $v:expr) => {
        set_raw::<c_int>($s, $o, $v as c_int)
    };
    (i32, $s:expr, $o:expr, $v:expr) => {
        set_raw::<c_int>($s, $o, $v as c_int)
    };
    (i64, $s:expr, $o:expr, $v:expr) => {
        set_raw::<i64>($s, $o, $v)
    };
    (u64, $s:expr, $o:expr, $v:expr) => {
        set_raw::<u64>($s, $o, $v)
    };
    (bytes, $s:expr, $o:expr, $v:expr) => {
        set_bytes($s, $o, $v)
    };
    (key, $s:expr, $o:expr, $v:expr) => {
        set_key($s, $o, $v)
    };
    (string, $s:expr, $o:expr, $v:expr) => {
        set_string($s, $o, $v)
    };
    (optstring, $s:expr, $o:expr, $v:expr) => {
        set_opt_string($s, $o, $v)
    };
}

macro_rules! sockopts {
    (const $table:ident; $( $opt:ident $cname:literal : $kind:ident $(, get $get:ident)? $(, set $set:ident)? ; $doc:literal )*) => {
        impl Socket {
            $(
                $(
                    #[doc = concat!("Reads `", stringify!($opt), "`: ", $doc)]
                    #[doc = ""]
                    #[doc = concat!("Calls zmq_getsockopt(3) with `", stringify!($opt), "`.")]
                    #[doc(alias = $cname)]
                    #[inline]
                    pub fn $get(&self) -> Result<opt_out!($kind)> {
                        opt_get!($kind, self, zmq_sys::$opt as c_int)
                    }
                )?
                $(
                    #[doc = concat!("Sets `", stringify!($opt), "`: ", $doc)]
                    #[doc = ""]
                    #[doc = concat!("Calls zmq_setsockopt(3) with `", stringify!($opt), "`.")]
                    #[doc(alias = $cname)]
                    #[inline]
                    pub fn $set(&self, value: opt_in!($kind)) -> Result<()> {
                        opt_set!($kind, self, zmq_sys::$opt as c_int, value)
                    }
                )?
            )*
        }

        /// Every option in the table: (C name, `ZMQ_*` number, has getter, has setter).
        #[doc(hidden)]
        pub const $table: &[(&str, i32, bool, bool)] = &[
            $( (stringify!($opt), zmq_sys::$opt as i32, sockopts!(@has $($get)?), sockopts!(@has $($set)?)), )*
        ];
    };
    (@has $name:ident) => { true };
    (@has) => { false };
}

sockopts! {
    const SOCKET_OPTIONS;
    ZMQ_AFFINITY "ZMQ_AFFINITY": u64, get get_affinity, set set_affinity; "I/O thread affinity bitmask for new connections."
    ZMQ_BACKLOG "ZMQ_BACKLOG": i32, get get_backlog, set set_backlog; "maximum length of the queue of pending connections."
    ZMQ_CONFLATE "ZMQ_CONFLATE": bool, get is_conflate, set set_conflate; "keep only the last message in the queues."
    ZMQ_CONNECT_TIMEOUT "ZMQ_CONNECT_TIMEOUT": i32, get get_connect_timeout, set set_connect_timeout; "TCP connect timeout in ms (0 = OS default)."
    ZMQ_CURVE_PUBLICKEY "ZMQ_CURVE_PUBLICKEY": key, get get_curve_publickey, set set_curve_publickey; "the socket's long-term CURVE public key (32 bytes binary or 40 Z85)."
    ZMQ_CURVE_SECRETKEY "ZMQ_CURVE_SECRETKEY": key, get get_curve_secretkey, set set_curve_secretkey; "the socket's long-term CURVE secret key (32 bytes binary or 40 Z85)."
    ZMQ_CURVE_SERVER "ZMQ_CURVE_SERVER": bool, get is_curve_server, set set_curve_server; "act as CURVE server."
    ZMQ_CURVE_SERVERKEY "ZMQ_CURVE_SERVERKEY": key, get get_curve_serverkey, set set_curve_serverkey; "the server's CURVE public key, on a client (32 bytes binary or 40 Z85)."
    ZMQ_EVENTS "ZMQ_EVENTS": i32; "the events currently pending on the socket."
    ZMQ_FD "ZMQ_FD": i32; "the file descriptor that signals pending events."
    ZMQ_GSSAPI_PLAINTEXT "ZMQ_GSSAPI_PLAINTEXT": bool, get is_gssapi_plaintext, set set_gssapi_plaintext; "disable GSSAPI encryption."
    ZMQ_GSSAPI_PRINCIPAL "ZMQ_GSSAPI_PRINCIPAL": string, get get_gssapi_principal, set set_gssapi_principal; "the GSSAPI principal name."
    ZMQ_GSSAPI_SERVER "ZMQ_GSSAPI_SERVER": bool, get is_gssapi_server, set set_gssapi_server; "act as GSSAPI server."
    ZMQ_GSSAPI_SERVICE_PRINCIPAL "ZMQ_GSSAPI_SERVICE_PRINCIPAL": string, get get_gssapi_service_principal, set set_gssapi_service_principal; "the GSSAPI service principal name."
    ZMQ_HANDSHAKE_IVL "ZMQ_HANDSHAKE_IVL": i32, get get_handshake_ivl, set set_handshake_ivl; "maximum ZMTP handshake time in ms (0 = none)."
    ZMQ_HEARTBEAT_IVL "ZMQ_HEARTBEAT_IVL": i32, get get_heartbeat_ivl, set set_heartbeat_ivl; "interval between ZMTP heartbeats in ms."
    ZMQ_HEARTBEAT_TIMEOUT "ZMQ_HEARTBEAT_TIMEOUT": i32, get get_heartbeat_timeout, set set_heartbeat_timeout; "how long to wait for a heartbeat reply, in ms."
    ZMQ_HEARTBEAT_TTL "ZMQ_HEARTBEAT_TTL": i32, get get_heartbeat_ttl, set set_heartbeat_ttl; "time-to-live sent with heartbeats, in ms."
    ZMQ_IDENTITY "ZMQ_IDENTITY": bytes, get get_identity, set set_identity; "the socket's routing id (1 to 255 bytes)."
    ZMQ_IMMEDIATE "ZMQ_IMMEDIATE": bool, get is_immediate, set set_immediate; "queue messages only to completed connections."
    ZMQ_IPV6 "ZMQ_IPV6": bool, get is_ipv6, set set_ipv6; "enable IPv6 on the socket."
    ZMQ_LAST_ENDPOINT "ZMQ_LAST_ENDPOINT": string, get get_last_endpoint; "the last endpoint bound or connected, wildcards resolved."
    ZMQ_LINGER "ZMQ_LINGER": i32, get get_linger, set set_linger; "how long pending messages are kept after close, in ms (-1 = forever)."
    ZMQ_MAXMSGSIZE "ZMQ_MAXMSGSIZE": i64, get get_maxmsgsize, set set_maxmsgsize; "largest inbound message size in bytes (-1 = no limit)."
    ZMQ_MECHANISM "ZMQ_MECHANISM": i32; "the security mechanism in use."
    ZMQ_MULTICAST_HOPS "ZMQ_MULTICAST_HOPS": i32, get get_multicast_hops, set set_multicast_hops; "maximum multicast network hops."
    ZMQ_PLAIN_PASSWORD "ZMQ_PLAIN_PASSWORD": optstring, get get_plain_password, set set_plain_password; "the PLAIN password."
    ZMQ_PLAIN_SERVER "ZMQ_PLAIN_SERVER": bool, get is_plain_server, set set_plain_server; "act as PLAIN server."
    ZMQ_PLAIN_USERNAME "ZMQ_PLAIN_USERNAME": optstring, get get_plain_username, set set_plain_username; "the PLAIN username."
    ZMQ_PROBE_ROUTER "ZMQ_PROBE_ROUTER": bool, get is_probe_router, set set_probe_router; "send an empty message to ROUTER peers on connect."
    ZMQ_RATE "ZMQ_RATE": i32, get get_rate, set set_rate; "multicast data rate in kbit/s."
    ZMQ_RCVBUF "ZMQ_RCVBUF": i32, get get_rcvbuf, set set_rcvbuf; "kernel receive buffer size in bytes (-1 = OS default)."
    ZMQ_RCVHWM "ZMQ_RCVHWM": i32, get get_rcvhwm, set set_rcvhwm; "high water mark for inbound messages."
    ZMQ_RCVMORE "ZMQ_RCVMORE": bool, get get_rcvmore; "whether more frames of the current message follow."
    ZMQ_RCVTIMEO "ZMQ_RCVTIMEO": i32, get get_rcvtimeo, set set_rcvtimeo; "receive timeout in ms (-1 = block forever)."
    ZMQ_RECONNECT_IVL "ZMQ_RECONNECT_IVL": i32, get get_reconnect_ivl, set set_reconnect_ivl; "initial reconnection interval in ms."
    ZMQ_RECONNECT_IVL_MAX "ZMQ_RECONNECT_IVL_MAX": i32, get get_reconnect_ivl_max, set set_reconnect_ivl_max; "maximum reconnection interval in ms."
    ZMQ_RECOVERY_IVL "ZMQ_RECOVERY_IVL": i32, get get_recovery_ivl, set set_recovery_ivl; "multicast recovery interval in ms."
    ZMQ_REQ_CORRELATE "ZMQ_REQ_CORRELATE": bool, set set_req_correlate; "match REQ replies to requests."
    ZMQ_REQ_RELAXED "ZMQ_REQ_RELAXED": bool, set set_req_relaxed; "relax REQ's strict send/receive alternation."
    ZMQ_ROUTER_HANDOVER "ZMQ_ROUTER_HANDOVER": bool, get is_router_handover, set set_router_handover; "let a new connection take over an existing routing id."
    ZMQ_ROUTER_MANDATORY "ZMQ_ROUTER_MANDATORY": bool, get is_router_mandatory, set set_router_mandatory; "fail with EHOSTUNREACH for unroutable messages."
    ZMQ_SNDBUF "ZMQ_SNDBUF": i32, get get_sndbuf, set set_sndbuf; "kernel send buffer size in bytes (-1 = OS default)."
    ZMQ_SNDHWM "ZMQ_SNDHWM": i32, get get_sndhwm, set set_sndhwm; "high water mark for outbound messages."
    ZMQ_SNDTIMEO "ZMQ_SNDTIMEO": i32, get get_sndtimeo, set set_sndtimeo; "send timeout in ms (-1 = block forever)."
    ZMQ_SOCKS_PROXY "ZMQ_SOCKS_PROXY": optstring, get get_socks_proxy, set set_socks_proxy; "the SOCKS5 proxy address."
    ZMQ_SUBSCRIBE "ZMQ_SUBSCRIBE": bytes, set set_subscribe; "add a subscription prefix (SUB, XSUB)."
    ZMQ_TCP_KEEPALIVE "ZMQ_TCP_KEEPALIVE": i32, get get_tcp_keepalive, set set_tcp_keepalive; "SO_KEEPALIVE (-1 = OS default, 0 off, 1 on)."
    ZMQ_TCP_KEEPALIVE_CNT "ZMQ_TCP_KEEPALIVE_CNT": i32, get get_tcp_keepalive_cnt, set set_tcp_keepalive_cnt; "TCP_KEEPCNT (-1 = OS default)."
    ZMQ_TCP_KEEPALIVE_IDLE "ZMQ_TCP_KEEPALIVE_IDLE": i32, get get_tcp_keepalive_idle, set set_tcp_keepalive_idle; "TCP_KEEPIDLE (-1 = OS default)."
    ZMQ_TCP_KEEPALIVE_INTVL "ZMQ_TCP_KEEPALIVE_INTVL": i32, get get_tcp_keepalive_intvl, set set_tcp_keepalive_intvl; "TCP_KEEPINTVL (-1 = OS default)."
    ZMQ_TOS "ZMQ_TOS": i32, get get_tos, set set_tos; "IP type-of-service of outgoing packets."
    ZMQ_TYPE "ZMQ_TYPE": i32; "the socket type."
    ZMQ_UNSUBSCRIBE "ZMQ_UNSUBSCRIBE": bytes, set set_unsubscribe; "remove a subscription prefix (SUB, XSUB)."
    ZMQ_XPUB_VERBOSE "ZMQ_XPUB_VERBOSE": bool, set set_xpub_verbose; "pass all subscription messages upstream (XPUB)."
    ZMQ_XPUB_WELCOME_MSG "ZMQ_XPUB_WELCOME_MSG": optstring, set set_xpub_welcome_msg; "message sent to each new subscriber (XPUB)."
    ZMQ_ZAP_DOMAIN "ZMQ_ZAP_DOMAIN": string, get get_zap_domain, set set_zap_domain; "the ZAP authentication domain."
}

impl Socket {
    /// The socket's type (`ZMQ_TYPE`); `EINVAL` if the number is one this build does not know.
    #[doc(alias = "ZMQ_TYPE")]
    pub fn get_socket_type(&self) -> Result<crate::SocketType> {
        let raw = get_raw::<c_int>(self, zmq_sys::ZMQ_TYPE as c_int)?;
        crate::SocketType::from_raw(raw).ok_or(Error::EINVAL)
    }

    /// The events pending on the socket (`ZMQ_EVENTS`): readable, writable.
    #[doc(alias = "ZMQ_EVENTS")]
    pub fn get_events(&self) -> Result<crate::PollEvents> {
        let raw = get_raw::<c_int>(self, zmq_sys::ZMQ_EVENTS as c_int)?;
        Ok(crate::PollEvents::from_bits_truncate(raw as i16))
    }

    /// The file descriptor that signals pending events (`ZMQ_FD`); edge-triggered, see zmq_getsockopt(3).
    #[doc(alias = "ZMQ_FD")]
    pub fn get_fd(&self) -> Result<std::os::unix::io::RawFd> {
        get_raw::<c_int>(self, zmq_sys::ZMQ_FD as c_int)
    }

    /// The security mechanism in use (`ZMQ_MECHANISM`).
    #[doc(alias = "ZMQ_MECHANISM")]
    pub fn get_mechanism(&self) -> Result<crate::Mechanism> {
        let raw = get_raw::<c_int>(self, zmq_sys::ZMQ_MECHANISM as c_int)?;
        crate::Mechanism::from_raw(raw).ok_or(Error::EPROTO)
    }
}

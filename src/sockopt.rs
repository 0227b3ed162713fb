//! Socket options: one table, one row per `ZMQ_*` option, expanded into typed getters and setters on [`Socket`].
//!
//! Row form: `ZMQ_NAME "ZMQ_NAME": kind, get getter_name, set setter_name; "doc"` (the C name twice: once to
//! find the constant, once as the doc alias), optionally preceded by attributes (`#[deprecated]`) that go on both
//! methods. A write-only option has no `get`, a read-only one no `set`. A row may end in `, check function`: the
//! setter passes the value (by reference) to that function first and fails with its error, for values libzmq
//! would accept and then abort on. The kind picks the C representation and the
//! Rust types:
//!
//! | kind              | getter returns              | setter takes     | C value                        |
//! |-------------------|-----------------------------|------------------|--------------------------------|
//! | `bool`            | `bool`                      | `bool`           | int 0/1                        |
//! | `i32`             | `i32`                       | `i32`            | int                            |
//! | `i64`             | `i64`                       | `i64`            | int64_t                        |
//! | `u64`             | `u64`                       | `u64`            | uint64_t                       |
//! | `bytes`           | `Vec<u8>`                   | `&[u8]`          | binary                         |
//! | `string`          | `Result<String, Vec<u8>>`   | `&str`           | character string               |
//! | `optstring`       | `Result<String, Vec<u8>>`   | `Option<&str>`   | string, None = NULL (reset)    |
//! | `key`             | `Vec<u8>` (32 bytes)        | `&[u8]` 32 or 40 | CURVE key, binary or Z85       |
//! | `(typed T)`       | `T`                         | `T`              | int, through [`IntOption`]     |
//! | `(filter T)`      | —                           | `Option<T>`      | a `T` added to a set; None = NULL clears it |
//!
//! Time options also have `Duration` accessors (second table, [`duration_opts!`]): the getter is named after the
//! option (`linger()`, `rcvtimeo()`), the setter `set_<name>_duration`. The integer `get_*`/`set_*` pairs keep the
//! zmq 0.10 signatures.
//!
//! Counting: libzmq 4.3's `zmq.h` lists 76 numbers in its "Socket options" section; one of them, `ZMQ_BLOCKY`, is a
//! context option (see [`crate::ContextBuilder::blocky`]), so [`SOCKET_OPTIONS`] covers the other 75, plus the
//! five deprecated numbers that libzmq still accepts (`ZMQ_IPV4ONLY`, `ZMQ_TCP_ACCEPT_FILTER`,
//! `ZMQ_IPC_FILTER_PID/UID/GID`) and the old name `ZMQ_IDENTITY` (= `ZMQ_ROUTING_ID`). The draft options
//! (`ZMQ_ZAP_ENFORCE_DOMAIN` … `ZMQ_NORM_PUSH`) are in `DRAFT_SOCKET_OPTIONS`, compiled with the `draft` feature.

use std::os::raw::{c_int, c_void};
use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::socket::Socket;

/// The first buffer size tried for a string or binary option value (endpoints and names usually fit).
const FIRST_OPTION_BYTES: usize = 256;

/// The largest buffer tried for a string or binary option value. libzmq does not report the size it needs (on a
/// too small buffer it fails with `EINVAL` and leaves the size alone), so the buffer doubles up to this size;
/// `EINVAL` at this size means the option has no getter (or the value is larger still).
const MAX_OPTION_BYTES: usize = 1 << 28;

#[inline]
pub(crate) fn get_raw<T: Copy + Default>(socket: &Socket, option: c_int) -> Result<T> {
    let mut value = T::default();
    let mut size = std::mem::size_of::<T>();
    // SAFETY: `value` is a writable T and `size` its size; libzmq writes at most `size` bytes and fails with EINVAL
    // if the option's size differs.
    check(unsafe { zmq_sys::zmq_getsockopt(socket.live()?, option, &mut value as *mut T as *mut c_void, &mut size) })?;
    Ok(value)
}

#[inline]
pub(crate) fn set_raw<T: Copy>(socket: &Socket, option: c_int, value: T) -> Result<()> {
    // SAFETY: libzmq reads exactly size_of::<T>() bytes from `value`, which lives for the call.
    check(unsafe {
        zmq_sys::zmq_setsockopt(socket.live()?, option, &value as *const T as *const c_void, std::mem::size_of::<T>())
    })
    .map(drop)
}

/// Sets an option to NULL with size 0, which resets string options and clears filter sets (zmq_setsockopt(3)).
fn set_null(socket: &Socket, option: c_int) -> Result<()> {
    // SAFETY: a NULL value with size 0 is a documented input; libzmq reads nothing.
    check(unsafe { zmq_sys::zmq_setsockopt(socket.live()?, option, std::ptr::null(), 0) }).map(drop)
}

/// A string or binary option value, whatever its length: the buffer grows until the value fits.
pub(crate) fn get_bytes(socket: &Socket, option: c_int) -> Result<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::new();
    let mut capacity = FIRST_OPTION_BYTES;
    loop {
        // Growing without zeroing: libzmq only writes into the buffer. Memory for a larger buffer may run out
        // first; the value (or the absent getter) then stays unreadable, as libzmq said.
        if buf.try_reserve_exact(capacity).is_err() {
            return Err(Error::EINVAL);
        }
        let mut size = capacity;
        // SAFETY: the buffer has room for `capacity` bytes; libzmq writes at most `size` bytes into it (on success
        // the value and zeros up to `size`) and stores the value's length in `size`.
        let rc = unsafe { zmq_sys::zmq_getsockopt(socket.live()?, option, buf.as_mut_ptr() as *mut c_void, &mut size) };
        match check(rc) {
            Ok(_) => {
                // SAFETY: on success libzmq has written `size` (at most `capacity`) bytes.
                unsafe { buf.set_len(size.min(capacity)) };
                return Ok(buf);
            }
            Err(Error::EINVAL) if capacity < MAX_OPTION_BYTES => capacity *= 2,
            Err(err) => return Err(err),
        }
    }
}

pub(crate) fn set_bytes(socket: &Socket, option: c_int, value: &[u8]) -> Result<()> {
    // SAFETY: libzmq reads `value.len()` bytes from the slice, which lives for the call.
    check(unsafe { zmq_sys::zmq_setsockopt(socket.live()?, option, value.as_ptr() as *const c_void, value.len()) })
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
        None => set_null(socket, option),
    }
}

/// A value added to one of libzmq's filter sets (`ZMQ_IPC_FILTER_*`); `None` clears the set.
fn set_filter<T: Copy>(socket: &Socket, option: c_int, value: Option<T>) -> Result<()> {
    match value {
        Some(value) => set_raw(socket, option, value),
        None => set_null(socket, option),
    }
}

/// A CURVE key: 32 binary bytes, or 40 Z85 characters (an optional trailing NUL is accepted).
pub(crate) fn set_key(socket: &Socket, option: c_int, key: &[u8]) -> Result<()> {
    set_bytes(socket, option, &crate::curve::key_from_bytes(key)?)
}

pub(crate) fn get_key(socket: &Socket, option: c_int) -> Result<Vec<u8>> {
    let mut buf = [0u8; 32];
    let mut size = buf.len();
    // SAFETY: a 32-byte buffer asks libzmq for the binary form of the key; it writes at most 32 bytes.
    check(unsafe { zmq_sys::zmq_getsockopt(socket.live()?, option, buf.as_mut_ptr() as *mut c_void, &mut size) })?;
    Ok(buf[..size].to_vec())
}

/// An option value libzmq carries as a C `int` but that has a Rust type of its own (an enum or a set of flags).
/// Conversions never fail: numbers without a name are kept (an `Unknown` variant, or retained flag bits).
pub(crate) trait IntOption: Copy {
    fn to_int(self) -> c_int;
    fn from_int(raw: c_int) -> Self;
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
    ((typed $t:ty)) => { $t };
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
    ((typed $t:ty)) => { $t };
    ((filter $t:ty)) => { Option<$t> };
}

macro_rules! opt_get {
    (bool, $s:expr, $o:expr) => {
        get_raw::<c_int>($s, $o).map(|v| v != 0)
    };
    (i32, $s:expr, $o:expr) => {
        get_raw::<c_int>($s, $o)
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
    ((typed $t:ty), $s:expr, $o:expr) => {
        get_raw::<c_int>($s, $o).map(<$t as IntOption>::from_int)
    };
}

macro_rules! opt_set {
    (bool, $s:expr, $o:expr, $v:expr) => {
        set_raw::<c_int>($s, $o, $v as c_int)
    };
    (i32, $s:expr, $o:expr, $v:expr) => {
        set_raw::<c_int>($s, $o, $v)
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
    ((typed $t:ty), $s:expr, $o:expr, $v:expr) => {
        set_raw::<c_int>($s, $o, IntOption::to_int($v))
    };
    ((filter $t:ty), $s:expr, $o:expr, $v:expr) => {
        set_filter::<$t>($s, $o, $v)
    };
}

/// One getter (or nothing, for a row without `get`).
macro_rules! sockopt_getter {
    ([$($attr:tt)*] $opt:ident $cname:literal $kind:tt $doc:literal $get:ident) => {
        $($attr)*
        #[doc = concat!("Reads `", stringify!($opt), "`: ", $doc)]
        #[doc = ""]
        #[doc = concat!("Calls zmq_getsockopt(3) with `", stringify!($opt), "`.")]
        #[doc(alias = $cname)]
        #[inline]
        pub fn $get(&self) -> Result<opt_out!($kind)> {
            opt_get!($kind, self, zmq_sys::$opt as c_int)
        }
    };
    ([$($attr:tt)*] $opt:ident $cname:literal $kind:tt $doc:literal) => {};
}

/// One setter (or nothing, for a row without `set`), running the row's `check` on the value first, if it has one.
macro_rules! sockopt_setter {
    ([$($attr:tt)*] [$($check:path)?] $opt:ident $cname:literal $kind:tt $doc:literal $set:ident) => {
        $($attr)*
        #[doc = concat!("Sets `", stringify!($opt), "`: ", $doc)]
        #[doc = ""]
        #[doc = concat!("Calls zmq_setsockopt(3) with `", stringify!($opt), "`.")]
        #[doc(alias = $cname)]
        #[inline]
        pub fn $set(&self, value: opt_in!($kind)) -> Result<()> {
            $( $check(&value)?; )?
            opt_set!($kind, self, zmq_sys::$opt as c_int, value)
        }
    };
    ([$($attr:tt)*] [$($check:path)?] $opt:ident $cname:literal $kind:tt $doc:literal) => {};
}

macro_rules! sockopts {
    (const $table:ident; $( $(#[$attr:meta])* $opt:ident $cname:literal : $kind:tt $(, get $get:ident)? $(, set $set:ident)? $(, check $check:path)? ; $doc:literal )*) => {
        impl Socket {
            $(
                sockopt_getter!([$(#[$attr])*] $opt $cname $kind $doc $($get)?);
                sockopt_setter!([$(#[$attr])*] [$($check)?] $opt $cname $kind $doc $($set)?);
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
    ZMQ_BINDTODEVICE "ZMQ_BINDTODEVICE": optstring, get get_bindtodevice, set set_bindtodevice; "the network interface (`SO_BINDTODEVICE`) TCP and UDP sockets bind to; `None` unsets it. Binding then needs `CAP_NET_RAW`."
    ZMQ_CONFLATE "ZMQ_CONFLATE": bool, get is_conflate, set set_conflate; "keep only the last message in the queues."
    ZMQ_CONNECT_ROUTING_ID "ZMQ_CONNECT_ROUTING_ID": bytes, set set_connect_routing_id; "the routing id given to the peer of the next `connect` (ROUTER, STREAM; 1 to 255 bytes)."
    ZMQ_CONNECT_TIMEOUT "ZMQ_CONNECT_TIMEOUT": i32, get get_connect_timeout, set set_connect_timeout; "TCP connect timeout in ms (0 = OS default)."
    ZMQ_CURVE_PUBLICKEY "ZMQ_CURVE_PUBLICKEY": key, get get_curve_publickey, set set_curve_publickey; "the socket's long-term CURVE public key (32 bytes binary or 40 Z85)."
    ZMQ_CURVE_SECRETKEY "ZMQ_CURVE_SECRETKEY": key, get get_curve_secretkey, set set_curve_secretkey; "the socket's long-term CURVE secret key (32 bytes binary or 40 Z85)."
    ZMQ_CURVE_SERVER "ZMQ_CURVE_SERVER": bool, get is_curve_server, set set_curve_server; "act as CURVE server."
    ZMQ_CURVE_SERVERKEY "ZMQ_CURVE_SERVERKEY": key, get get_curve_serverkey, set set_curve_serverkey; "the server's CURVE public key, on a client (32 bytes binary or 40 Z85)."
    ZMQ_EVENTS "ZMQ_EVENTS": i32; "the events currently pending on the socket."
    ZMQ_FD "ZMQ_FD": i32; "the file descriptor that signals pending events."
    ZMQ_GSSAPI_PLAINTEXT "ZMQ_GSSAPI_PLAINTEXT": bool, get is_gssapi_plaintext, set set_gssapi_plaintext; "disable GSSAPI encryption."
    ZMQ_GSSAPI_PRINCIPAL "ZMQ_GSSAPI_PRINCIPAL": string, get get_gssapi_principal, set set_gssapi_principal; "the GSSAPI principal name."
    ZMQ_GSSAPI_PRINCIPAL_NAMETYPE "ZMQ_GSSAPI_PRINCIPAL_NAMETYPE": (typed GssapiNameType), get get_gssapi_principal_nametype, set set_gssapi_principal_nametype; "how the GSSAPI principal name is to be read (libzmq built with GSSAPI only)."
    ZMQ_GSSAPI_SERVER "ZMQ_GSSAPI_SERVER": bool, get is_gssapi_server, set set_gssapi_server; "act as GSSAPI server."
    ZMQ_GSSAPI_SERVICE_PRINCIPAL "ZMQ_GSSAPI_SERVICE_PRINCIPAL": string, get get_gssapi_service_principal, set set_gssapi_service_principal; "the GSSAPI service principal name."
    ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE "ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE": (typed GssapiNameType), get get_gssapi_service_principal_nametype, set set_gssapi_service_principal_nametype; "how the GSSAPI service principal name is to be read (libzmq built with GSSAPI only)."
    ZMQ_HANDSHAKE_IVL "ZMQ_HANDSHAKE_IVL": i32, get get_handshake_ivl, set set_handshake_ivl; "maximum ZMTP handshake time in ms (0 = none)."
    ZMQ_HEARTBEAT_IVL "ZMQ_HEARTBEAT_IVL": i32, get get_heartbeat_ivl, set set_heartbeat_ivl; "interval between ZMTP heartbeats in ms."
    ZMQ_HEARTBEAT_TIMEOUT "ZMQ_HEARTBEAT_TIMEOUT": i32, get get_heartbeat_timeout, set set_heartbeat_timeout; "how long to wait for traffic after a heartbeat, in ms (-1, the default: the heartbeat interval; 0: never)."
    ZMQ_HEARTBEAT_TTL "ZMQ_HEARTBEAT_TTL": i32, get get_heartbeat_ttl, set set_heartbeat_ttl; "time-to-live sent with heartbeats, in ms (libzmq keeps tenths of a second: 0 to 6553500)."
    ZMQ_IDENTITY "ZMQ_IDENTITY": bytes, get get_identity, set set_identity; "the socket's routing id (1 to 255 bytes); the old name of `ZMQ_ROUTING_ID`."
    ZMQ_IMMEDIATE "ZMQ_IMMEDIATE": bool, get is_immediate, set set_immediate; "queue messages only to completed connections."
    ZMQ_INVERT_MATCHING "ZMQ_INVERT_MATCHING": bool, get is_invert_matching, set set_invert_matching; "deliver the messages that match no subscription instead (PUB, XPUB, SUB)."
    ZMQ_IPV6 "ZMQ_IPV6": bool, get is_ipv6, set set_ipv6; "enable IPv6 on the socket."
    ZMQ_LAST_ENDPOINT "ZMQ_LAST_ENDPOINT": string, get get_last_endpoint; "the last endpoint bound or connected, wildcards resolved."
    ZMQ_LINGER "ZMQ_LINGER": i32, get get_linger, set set_linger; "how long pending messages are kept after close, in ms (-1 = forever)."
    ZMQ_MAXMSGSIZE "ZMQ_MAXMSGSIZE": i64, get get_maxmsgsize, set set_maxmsgsize; "largest inbound message size in bytes (-1 = no limit)."
    ZMQ_MECHANISM "ZMQ_MECHANISM": i32; "the security mechanism in use."
    ZMQ_MULTICAST_HOPS "ZMQ_MULTICAST_HOPS": i32, get get_multicast_hops, set set_multicast_hops; "maximum multicast network hops."
    ZMQ_MULTICAST_MAXTPDU "ZMQ_MULTICAST_MAXTPDU": i32, get get_multicast_maxtpdu, set set_multicast_maxtpdu; "largest multicast transport data unit, in bytes (default 1500)."
    ZMQ_PLAIN_PASSWORD "ZMQ_PLAIN_PASSWORD": optstring, get get_plain_password, set set_plain_password; "the PLAIN password."
    ZMQ_PLAIN_SERVER "ZMQ_PLAIN_SERVER": bool, get is_plain_server, set set_plain_server; "act as PLAIN server."
    ZMQ_PLAIN_USERNAME "ZMQ_PLAIN_USERNAME": optstring, get get_plain_username, set set_plain_username; "the PLAIN username."
    ZMQ_PROBE_ROUTER "ZMQ_PROBE_ROUTER": bool, get is_probe_router, set set_probe_router; "send an empty message to ROUTER peers on connect. libzmq 4.3 has no getter for it: reading fails with `EINVAL` (the reader is kept for zmq 0.10)."
    ZMQ_RATE "ZMQ_RATE": i32, get get_rate, set set_rate; "multicast data rate in kbit/s."
    ZMQ_RCVBUF "ZMQ_RCVBUF": i32, get get_rcvbuf, set set_rcvbuf; "kernel receive buffer size in bytes (-1 = OS default)."
    ZMQ_RCVHWM "ZMQ_RCVHWM": i32, get get_rcvhwm, set set_rcvhwm; "high water mark for inbound messages."
    ZMQ_RCVMORE "ZMQ_RCVMORE": bool, get get_rcvmore; "whether more frames of the current message follow."
    ZMQ_RCVTIMEO "ZMQ_RCVTIMEO": i32, get get_rcvtimeo, set set_rcvtimeo; "receive timeout in ms (-1 = block forever)."
    ZMQ_RECONNECT_IVL "ZMQ_RECONNECT_IVL": i32, get get_reconnect_ivl, set set_reconnect_ivl; "initial reconnection interval in ms (-1 = no reconnection)."
    ZMQ_RECONNECT_IVL_MAX "ZMQ_RECONNECT_IVL_MAX": i32, get get_reconnect_ivl_max, set set_reconnect_ivl_max; "maximum reconnection interval in ms."
    ZMQ_RECOVERY_IVL "ZMQ_RECOVERY_IVL": i32, get get_recovery_ivl, set set_recovery_ivl; "multicast recovery interval in ms."
    ZMQ_REQ_CORRELATE "ZMQ_REQ_CORRELATE": bool, set set_req_correlate; "match REQ replies to requests."
    ZMQ_REQ_RELAXED "ZMQ_REQ_RELAXED": bool, set set_req_relaxed; "relax REQ's strict send/receive alternation."
    ZMQ_ROUTER_HANDOVER "ZMQ_ROUTER_HANDOVER": bool, get is_router_handover, set set_router_handover; "let a new connection take over an existing routing id. libzmq 4.3 has no getter for it: reading fails with `EINVAL` (the reader is kept for zmq 0.10)."
    ZMQ_ROUTER_MANDATORY "ZMQ_ROUTER_MANDATORY": bool, get is_router_mandatory, set set_router_mandatory; "fail with EHOSTUNREACH for unroutable messages. libzmq 4.3 has no getter for it: reading fails with `EINVAL` (the reader is kept for zmq 0.10)."
    ZMQ_ROUTER_RAW "ZMQ_ROUTER_RAW": bool, set set_router_raw; "switch a ROUTER to raw mode (no ZMTP framing; prefer a STREAM socket)."
    ZMQ_ROUTING_ID "ZMQ_ROUTING_ID": bytes, get get_routing_id, set set_routing_id; "the socket's routing id, as ROUTER peers see it (1 to 255 bytes; ids starting with a zero byte are reserved for libzmq)."
    ZMQ_SNDBUF "ZMQ_SNDBUF": i32, get get_sndbuf, set set_sndbuf; "kernel send buffer size in bytes (-1 = OS default)."
    ZMQ_SNDHWM "ZMQ_SNDHWM": i32, get get_sndhwm, set set_sndhwm; "high water mark for outbound messages."
    ZMQ_SNDTIMEO "ZMQ_SNDTIMEO": i32, get get_sndtimeo, set set_sndtimeo; "send timeout in ms (-1 = block forever)."
    ZMQ_SOCKS_PROXY "ZMQ_SOCKS_PROXY": optstring, get get_socks_proxy, set set_socks_proxy; "the SOCKS5 proxy address. It can be set and read, but while one is set `connect` to a `tcp://` endpoint fails with `ENOTSUP`: libzmq 4.3's SOCKS connecter frees its poll entry when a connection to the proxy fails and frees it again when the socket is closed or disconnected before the next attempt, a use after free that a proxy refusing or dropping a connection triggers (libzmq `socks_connecter_t::error`)."
    ZMQ_STREAM_NOTIFY "ZMQ_STREAM_NOTIFY": bool, set set_stream_notify; "deliver an empty message on connect and disconnect (STREAM; default on)."
    ZMQ_SUBSCRIBE "ZMQ_SUBSCRIBE": bytes, set set_subscribe; "add a subscription prefix (SUB, XSUB)."
    ZMQ_TCP_KEEPALIVE "ZMQ_TCP_KEEPALIVE": i32, get get_tcp_keepalive, set set_tcp_keepalive; "SO_KEEPALIVE (-1 = OS default, 0 off, 1 on)."
    ZMQ_TCP_KEEPALIVE_CNT "ZMQ_TCP_KEEPALIVE_CNT": i32, get get_tcp_keepalive_cnt, set set_tcp_keepalive_cnt; "TCP_KEEPCNT (-1 = OS default)."
    ZMQ_TCP_KEEPALIVE_IDLE "ZMQ_TCP_KEEPALIVE_IDLE": i32, get get_tcp_keepalive_idle, set set_tcp_keepalive_idle; "TCP_KEEPIDLE in seconds (-1 = OS default)."
    ZMQ_TCP_KEEPALIVE_INTVL "ZMQ_TCP_KEEPALIVE_INTVL": i32, get get_tcp_keepalive_intvl, set set_tcp_keepalive_intvl; "TCP_KEEPINTVL in seconds (-1 = OS default)."
    ZMQ_TCP_MAXRT "ZMQ_TCP_MAXRT": i32, get get_tcp_maxrt, set set_tcp_maxrt; "TCP maximum retransmit timeout in ms (`TCP_USER_TIMEOUT`; 0 = OS default)."
    ZMQ_THREAD_SAFE "ZMQ_THREAD_SAFE": bool, get is_thread_safe; "whether the socket type is thread-safe (the draft CLIENT, SERVER, RADIO, DISH … types)."
    ZMQ_TOS "ZMQ_TOS": i32, get get_tos, set set_tos; "IP type-of-service of outgoing packets."
    ZMQ_TYPE "ZMQ_TYPE": i32; "the socket type."
    ZMQ_UNSUBSCRIBE "ZMQ_UNSUBSCRIBE": bytes, set set_unsubscribe; "remove a subscription prefix (SUB, XSUB)."
    ZMQ_USE_FD "ZMQ_USE_FD": i32, get get_use_fd; "the listening file descriptor every following bind uses instead of creating one (-1 = none); set it with the unsafe `set_use_fd`, or bind on a descriptor safely with `bind_with_fd`."
    ZMQ_VMCI_BUFFER_MAX_SIZE "ZMQ_VMCI_BUFFER_MAX_SIZE": u64, set set_vmci_buffer_max_size; "largest VMCI buffer, in bytes (libzmq built with VMCI only; it has no getter)."
    ZMQ_VMCI_BUFFER_MIN_SIZE "ZMQ_VMCI_BUFFER_MIN_SIZE": u64, set set_vmci_buffer_min_size; "smallest VMCI buffer, in bytes (libzmq built with VMCI only; it has no getter)."
    ZMQ_VMCI_BUFFER_SIZE "ZMQ_VMCI_BUFFER_SIZE": u64, set set_vmci_buffer_size; "VMCI buffer size, in bytes (libzmq built with VMCI only; it has no getter)."
    ZMQ_VMCI_CONNECT_TIMEOUT "ZMQ_VMCI_CONNECT_TIMEOUT": i32, set set_vmci_connect_timeout; "VMCI connect timeout in ms (libzmq built with VMCI only; it has no getter)."
    ZMQ_XPUB_MANUAL "ZMQ_XPUB_MANUAL": bool, set set_xpub_manual; "let the application manage subscriptions by calling `set_subscribe` on the XPUB."
    ZMQ_XPUB_NODROP "ZMQ_XPUB_NODROP": bool, set set_xpub_nodrop; "fail with EAGAIN at the high water mark instead of dropping messages (XPUB, PUB)."
    ZMQ_XPUB_VERBOSE "ZMQ_XPUB_VERBOSE": bool, set set_xpub_verbose; "pass all subscription messages upstream (XPUB)."
    ZMQ_XPUB_VERBOSER "ZMQ_XPUB_VERBOSER": bool, set set_xpub_verboser; "pass all subscribe and unsubscribe messages upstream (XPUB)."
    ZMQ_XPUB_WELCOME_MSG "ZMQ_XPUB_WELCOME_MSG": optstring, set set_xpub_welcome_msg; "message sent to each new subscriber (XPUB)."
    ZMQ_ZAP_DOMAIN "ZMQ_ZAP_DOMAIN": string, get get_zap_domain, set set_zap_domain; "the ZAP authentication domain (1 to 255 bytes; libzmq refuses an empty one)."

    // Deprecated in zmq.h, still accepted by libzmq 4.3.
    #[deprecated(note = "libzmq deprecates ZMQ_IPV4ONLY: use `set_ipv6`")]
    ZMQ_IPV4ONLY "ZMQ_IPV4ONLY": bool, get is_ipv4only, set set_ipv4only; "use IPv4 only (the inverse of `ZMQ_IPV6`)."
    #[deprecated(note = "libzmq deprecates ZMQ_TCP_ACCEPT_FILTER: authenticate peers with ZAP instead")]
    ZMQ_TCP_ACCEPT_FILTER "ZMQ_TCP_ACCEPT_FILTER": optstring, set set_tcp_accept_filter; "add an address or subnet (`192.168.1.0/24`) new TCP connections must come from; `None` clears the list."
    #[deprecated(note = "libzmq deprecates the IPC filters: authenticate peers with ZAP instead")]
    ZMQ_IPC_FILTER_GID "ZMQ_IPC_FILTER_GID": (filter libc::gid_t), set set_ipc_filter_gid; "add a group id IPC peers must run as; `None` clears the list."
    #[deprecated(note = "libzmq deprecates the IPC filters: authenticate peers with ZAP instead")]
    ZMQ_IPC_FILTER_PID "ZMQ_IPC_FILTER_PID": (filter libc::pid_t), set set_ipc_filter_pid; "add a process id IPC peers must have; `None` clears the list."
    #[deprecated(note = "libzmq deprecates the IPC filters: authenticate peers with ZAP instead")]
    ZMQ_IPC_FILTER_UID "ZMQ_IPC_FILTER_UID": (filter libc::uid_t), set set_ipc_filter_uid; "add a user id IPC peers must run as; `None` clears the list."
}

// The draft table, after the macros it uses (macro_rules are visible in modules declared after them).
#[cfg(zmq_draft)]
mod draft;
#[cfg(zmq_draft)]
pub use self::draft::{NormMode, ReconnectStop, RouterNotify, DRAFT_SOCKET_OPTIONS};

/// How a GSSAPI principal name is to be read (`ZMQ_GSSAPI_NT_*`), for
/// [`Socket::set_gssapi_principal_nametype`] and [`Socket::set_gssapi_service_principal_nametype`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GssapiNameType {
    /// A host-based service name, `service@host` (`ZMQ_GSSAPI_NT_HOSTBASED`, the default).
    HostBased,
    /// A local user name (`ZMQ_GSSAPI_NT_USER_NAME`).
    UserName,
    /// A Kerberos principal, `user@REALM` (`ZMQ_GSSAPI_NT_KRB5_PRINCIPAL`).
    Krb5Principal,
    /// A number this build does not name (kept, never a panic).
    Unknown(i32),
}

impl GssapiNameType {
    /// The `ZMQ_GSSAPI_NT_*` number.
    pub fn to_raw(self) -> i32 {
        match self {
            GssapiNameType::HostBased => zmq_sys::ZMQ_GSSAPI_NT_HOSTBASED as i32,
            GssapiNameType::UserName => zmq_sys::ZMQ_GSSAPI_NT_USER_NAME as i32,
            GssapiNameType::Krb5Principal => zmq_sys::ZMQ_GSSAPI_NT_KRB5_PRINCIPAL as i32,
            GssapiNameType::Unknown(raw) => raw,
        }
    }

    /// The name type with this number; unknown numbers give [`GssapiNameType::Unknown`].
    pub fn from_raw(raw: i32) -> GssapiNameType {
        [GssapiNameType::HostBased, GssapiNameType::UserName, GssapiNameType::Krb5Principal]
            .into_iter()
            .find(|t| t.to_raw() == raw)
            .unwrap_or(GssapiNameType::Unknown(raw))
    }
}

impl IntOption for GssapiNameType {
    fn to_int(self) -> c_int {
        self.to_raw()
    }
    fn from_int(raw: c_int) -> Self {
        GssapiNameType::from_raw(raw)
    }
}

/// The unit a time option counts in.
#[derive(Clone, Copy)]
enum Unit {
    Millis,
    Seconds,
}

/// A duration as a whole number of `unit`s, rounded up (so that a short non-zero duration never becomes 0, which
/// often means "off" or "don't wait"). `EINVAL` if it does not fit in a C int.
fn duration_to_int(value: Duration, unit: Unit) -> Result<c_int> {
    let (whole, rest) = match unit {
        Unit::Millis => (value.as_millis(), value.subsec_nanos() % 1_000_000),
        Unit::Seconds => (u128::from(value.as_secs()), value.subsec_nanos()),
    };
    let rounded = whole + u128::from(rest != 0);
    c_int::try_from(rounded).map_err(|_| Error::EINVAL)
}

fn int_to_duration(value: c_int, unit: Unit) -> Duration {
    let value = u64::try_from(value).unwrap_or(0);
    match unit {
        Unit::Millis => Duration::from_millis(value),
        Unit::Seconds => Duration::from_secs(value),
    }
}

macro_rules! dur_unit {
    (ms) => {
        Unit::Millis
    };
    (s) => {
        Unit::Seconds
    };
}

macro_rules! dur_type {
    (opt) => { Option<Duration> };
    (plain) => { Duration };
}

macro_rules! dur_get {
    (opt, $unit:ident, $raw:expr) => {
        if $raw < 0 {
            None
        } else {
            Some(int_to_duration($raw, dur_unit!($unit)))
        }
    };
    (plain, $unit:ident, $raw:expr) => {
        int_to_duration($raw, dur_unit!($unit))
    };
}

macro_rules! dur_set {
    (opt, $unit:ident, $value:expr) => {
        match $value {
            Some(d) => duration_to_int(d, dur_unit!($unit))?,
            None => -1,
        }
    };
    (plain, $unit:ident, $value:expr) => {
        duration_to_int($value, dur_unit!($unit))?
    };
}

/// `Duration` accessors for time options. Form `opt`: `None` is libzmq's -1; form `plain`: a plain duration.
/// Unit `ms` or `s` (sub-unit durations are rounded up).
macro_rules! duration_opts {
    ($( $opt:ident $cname:literal : $form:ident $unit:ident, get $get:ident, set $set:ident; $doc:literal )*) => {
        impl Socket {
            $(
                #[doc = concat!("Reads `", stringify!($opt), "` as a duration: ", $doc)]
                #[doc = ""]
                #[doc = concat!("Calls zmq_getsockopt(3) with `", stringify!($opt), "`.")]
                #[doc(alias = $cname)]
                #[inline]
                pub fn $get(&self) -> Result<dur_type!($form)> {
                    let raw = get_raw::<c_int>(self, zmq_sys::$opt as c_int)?;
                    Ok(dur_get!($form, $unit, raw))
                }

                #[doc = concat!("Sets `", stringify!($opt), "` from a duration: ", $doc)]
                #[doc = ""]
                #[doc = concat!("A duration that is not a whole number of ", stringify!($unit), " is rounded up; one too large for a C int gives `EINVAL`. Calls zmq_setsockopt(3) with `", stringify!($opt), "`.")]
                #[doc(alias = $cname)]
                #[inline]
                pub fn $set(&self, value: dur_type!($form)) -> Result<()> {
                    set_raw::<c_int>(self, zmq_sys::$opt as c_int, dur_set!($form, $unit, value))
                }
            )*
        }
    };
}

duration_opts! {
    ZMQ_CONNECT_TIMEOUT "ZMQ_CONNECT_TIMEOUT": plain ms, get connect_timeout, set set_connect_timeout_duration; "TCP connect timeout (zero: the OS default)."
    ZMQ_HANDSHAKE_IVL "ZMQ_HANDSHAKE_IVL": plain ms, get handshake_ivl, set set_handshake_ivl_duration; "longest time a ZMTP handshake may take (zero: no limit)."
    ZMQ_HEARTBEAT_IVL "ZMQ_HEARTBEAT_IVL": plain ms, get heartbeat_ivl, set set_heartbeat_ivl_duration; "interval between ZMTP heartbeats (zero: no heartbeats)."
    ZMQ_HEARTBEAT_TIMEOUT "ZMQ_HEARTBEAT_TIMEOUT": opt ms, get heartbeat_timeout, set set_heartbeat_timeout_duration; "how long to wait for traffic after a heartbeat before closing the connection (`None`, the default: the heartbeat interval, which libzmq does not accept back from a setter; zero: never)."
    ZMQ_HEARTBEAT_TTL "ZMQ_HEARTBEAT_TTL": plain ms, get heartbeat_ttl, set set_heartbeat_ttl_duration; "how long the peer may wait for traffic before closing (zero: no limit; libzmq keeps tenths of a second)."
    ZMQ_LINGER "ZMQ_LINGER": opt ms, get linger, set set_linger_duration; "how long pending messages are kept after close (`None`: until delivered)."
    ZMQ_RCVTIMEO "ZMQ_RCVTIMEO": opt ms, get rcvtimeo, set set_rcvtimeo_duration; "how long a receive waits before failing with `EAGAIN` (`None`: forever; zero: not at all)."
    ZMQ_RECONNECT_IVL "ZMQ_RECONNECT_IVL": opt ms, get reconnect_ivl, set set_reconnect_ivl_duration; "the initial reconnection interval (`None`: never reconnect)."
    ZMQ_RECONNECT_IVL_MAX "ZMQ_RECONNECT_IVL_MAX": plain ms, get reconnect_ivl_max, set set_reconnect_ivl_max_duration; "the longest reconnection interval, reached by doubling (zero: always the initial interval)."
    ZMQ_RECOVERY_IVL "ZMQ_RECOVERY_IVL": plain ms, get recovery_ivl, set set_recovery_ivl_duration; "how far back a multicast receiver can recover lost data."
    ZMQ_SNDTIMEO "ZMQ_SNDTIMEO": opt ms, get sndtimeo, set set_sndtimeo_duration; "how long a send waits before failing with `EAGAIN` (`None`: forever; zero: not at all)."
    ZMQ_TCP_KEEPALIVE_IDLE "ZMQ_TCP_KEEPALIVE_IDLE": opt s, get tcp_keepalive_idle, set set_tcp_keepalive_idle_duration; "idle time before TCP keepalive probes start (`None`: the OS default)."
    ZMQ_TCP_KEEPALIVE_INTVL "ZMQ_TCP_KEEPALIVE_INTVL": opt s, get tcp_keepalive_intvl, set set_tcp_keepalive_intvl_duration; "interval between TCP keepalive probes (`None`: the OS default)."
    ZMQ_TCP_MAXRT "ZMQ_TCP_MAXRT": plain ms, get tcp_maxrt, set set_tcp_maxrt_duration; "how long unacknowledged data may stay in flight before the connection is dropped (zero: the OS default)."
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

    /// The security mechanism in use (`ZMQ_MECHANISM`); a number this build does not name gives `EPROTO`
    /// (the zmq 0.10 [`crate::Mechanism`] enum has no variant for it).
    #[doc(alias = "ZMQ_MECHANISM")]
    pub fn get_mechanism(&self) -> Result<crate::Mechanism> {
        let raw = get_raw::<c_int>(self, zmq_sys::ZMQ_MECHANISM as c_int)?;
        crate::Mechanism::from_raw(raw).ok_or(Error::EPROTO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_up_and_reject_overflow() {
        assert_eq!(duration_to_int(Duration::ZERO, Unit::Millis), Ok(0));
        assert_eq!(duration_to_int(Duration::from_micros(1), Unit::Millis), Ok(1));
        assert_eq!(duration_to_int(Duration::from_micros(1500), Unit::Millis), Ok(2));
        assert_eq!(duration_to_int(Duration::from_millis(250), Unit::Seconds), Ok(1));
        assert_eq!(duration_to_int(Duration::from_secs(7), Unit::Seconds), Ok(7));
        assert_eq!(duration_to_int(Duration::from_millis(i32::MAX as u64), Unit::Millis), Ok(i32::MAX));
        assert_eq!(duration_to_int(Duration::from_millis(i32::MAX as u64 + 1), Unit::Millis), Err(Error::EINVAL));
        assert_eq!(duration_to_int(Duration::MAX, Unit::Seconds), Err(Error::EINVAL));
        assert_eq!(int_to_duration(-5, Unit::Millis), Duration::ZERO);
        assert_eq!(int_to_duration(3, Unit::Seconds), Duration::from_secs(3));
    }

    #[test]
    fn gssapi_name_types_keep_unknown_numbers() {
        for t in [GssapiNameType::HostBased, GssapiNameType::UserName, GssapiNameType::Krb5Principal] {
            assert_eq!(GssapiNameType::from_raw(t.to_raw()), t);
        }
        assert_eq!(GssapiNameType::from_raw(77), GssapiNameType::Unknown(77));
        assert_eq!(GssapiNameType::Unknown(77).to_raw(), 77);
    }
}

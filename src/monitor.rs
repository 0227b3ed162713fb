//! Socket monitoring: event kinds ([`SocketEvent`]), parsed events ([`MonitorEvent`]) and a typed reader
//! ([`Monitor`]); also the security [`Mechanism`] enum.
//!
//! libzmq publishes a socket's events on a PAIR socket bound to an `inproc://` endpoint (zmq_socket_monitor(3)).
//! Two wire formats exist:
//!
//! * **v1** (stable): two frames, a 6-byte frame holding the event number (`u16`) and a value (`u32`) in native
//!   byte order, then the endpoint.
//! * **v2** (draft, zmq_socket_monitor_versioned(3)): the event number (`u64`), the number of values (`u64`), that
//!   many `u64` values, then the local and the remote endpoint.
//!
//! A warning that applies to every use of libzmq's monitor: libzmq *blocks* the thread that reports an event while
//! the monitor's queue is full or no reader is connected (an I/O thread, or the application thread in `bind`).
//! [`Monitor`] keeps its reader connected from before monitoring starts until it has stopped, with a queue
//! without limit, so it never blocks; [`Socket::monitor`] says what a reader of your own must do.

use std::collections::HashMap;
use std::os::raw::c_int;
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::context::Context;
use crate::error::{check, Error, Result};
use crate::poll::{PollEvents, PollItem};
use crate::socket::{with_c_str, Socket, SocketType};

macro_rules! socket_events {
    ($( $(#[$doc:meta])* $name:ident = $raw:ident, )*) => {
        /// A socket monitor event kind (`ZMQ_EVENT_*`), as published by [`crate::Socket::monitor`] and read by
        /// [`Monitor`]: exactly the variants of zmq 0.10, each with its libzmq number as discriminant, so
        /// `SocketEvent::ALL as i32` is the mask of every v1 event (`0xFFFF`).
        ///
        /// Event numbers it does not name (the v2 `ZMQ_EVENT_PIPES_STATS`, events of newer libzmq versions) are
        /// kept by [`MonitorEvent::number`]; [`SocketEvent::try_from_raw`] tells them apart.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum SocketEvent {
            $( $(#[$doc])* $name = zmq_sys::$raw as isize, )*
        }

        impl SocketEvent {
            /// The `ZMQ_EVENT_*` number (the zmq 0.10 signature; every variant's number fits 16 bits).
            pub fn to_raw(self) -> u16 {
                self as u16
            }

            /// The event with this number, or `None` for a number this enum does not name (such as
            /// `ZMQ_EVENT_PIPES_STATS`, `0x10000`). Takes `u64`, the width of v2 event numbers.
            pub fn try_from_raw(raw: u64) -> Option<SocketEvent> {
                $( if raw == u64::from(zmq_sys::$raw) { return Some(SocketEvent::$name); } )*
                None
            }
        }
    };
}

socket_events! {
    /// A connection was established; the value is the connection's file descriptor.
    CONNECTED = ZMQ_EVENT_CONNECTED,
    /// A connect is pending.
    CONNECT_DELAYED = ZMQ_EVENT_CONNECT_DELAYED,
    /// A reconnect is scheduled; the value is the reconnect interval in ms.
    CONNECT_RETRIED = ZMQ_EVENT_CONNECT_RETRIED,
    /// The socket is listening on an endpoint; the value is the listening file descriptor.
    LISTENING = ZMQ_EVENT_LISTENING,
    /// A bind failed; the value is the errno.
    BIND_FAILED = ZMQ_EVENT_BIND_FAILED,
    /// A connection was accepted; the value is the connection's file descriptor.
    ACCEPTED = ZMQ_EVENT_ACCEPTED,
    /// Accepting a connection failed; the value is the errno.
    ACCEPT_FAILED = ZMQ_EVENT_ACCEPT_FAILED,
    /// A file descriptor (listening or connecting) was closed; the value is that descriptor.
    CLOSED = ZMQ_EVENT_CLOSED,
    /// Closing a file descriptor failed; the value is the errno.
    CLOSE_FAILED = ZMQ_EVENT_CLOSE_FAILED,
    /// A session was disconnected; the value is the connection's file descriptor.
    DISCONNECTED = ZMQ_EVENT_DISCONNECTED,
    /// Monitoring stopped.
    MONITOR_STOPPED = ZMQ_EVENT_MONITOR_STOPPED,
    /// The handshake failed for a reason not otherwise detailed; the value is the errno.
    HANDSHAKE_FAILED_NO_DETAIL = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
    /// The security handshake succeeded.
    HANDSHAKE_SUCCEEDED = ZMQ_EVENT_HANDSHAKE_SUCCEEDED,
    /// The handshake failed on a protocol error; the value is a [`ProtocolError`].
    HANDSHAKE_FAILED_PROTOCOL = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
    /// The handshake failed authentication; the value is the ZAP status code (300, 400 or 500).
    HANDSHAKE_FAILED_AUTH = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH,
    /// Mask of all v1 events (for [`crate::Socket::monitor`]). libzmq never reports it as an event, so
    /// [`SocketEvent::from_raw`] and [`MonitorEvent::event`] also use it for numbers this enum does not name.
    ALL = ZMQ_EVENT_ALL,
}

impl SocketEvent {
    /// The event with this 16-bit number (the zmq 0.10 signature). A number this enum does not name gives
    /// [`SocketEvent::ALL`] (zmq 0.10 panicked); use [`SocketEvent::try_from_raw`] to tell it apart.
    pub fn from_raw(raw: u16) -> SocketEvent {
        SocketEvent::try_from_raw(u64::from(raw)).unwrap_or(SocketEvent::ALL)
    }

    /// Whether this event's value is an errno (`BIND_FAILED`, `ACCEPT_FAILED`, `CLOSE_FAILED`,
    /// `HANDSHAKE_FAILED_NO_DETAIL`).
    pub fn carries_errno(self) -> bool {
        matches!(
            self,
            SocketEvent::BIND_FAILED
                | SocketEvent::ACCEPT_FAILED
                | SocketEvent::CLOSE_FAILED
                | SocketEvent::HANDSHAKE_FAILED_NO_DETAIL
        )
    }
}

macro_rules! protocol_errors {
    ($( $(#[$doc:meta])* $name:ident = $raw:ident, )*) => {
        /// Why a handshake failed (`ZMQ_PROTOCOL_ERROR_*`), the value of a `HANDSHAKE_FAILED_PROTOCOL` event.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ProtocolError {
            $( $(#[$doc])* $name, )*
            /// A number this build does not name (kept, never a panic).
            Unknown(u64),
        }

        impl ProtocolError {
            /// The `ZMQ_PROTOCOL_ERROR_*` number.
            pub fn to_raw(self) -> u64 {
                match self {
                    $( ProtocolError::$name => zmq_sys::$raw as u64, )*
                    ProtocolError::Unknown(raw) => raw,
                }
            }

            /// The error with this number; unknown numbers give [`ProtocolError::Unknown`].
            pub fn from_raw(raw: u64) -> ProtocolError {
                $( if raw == zmq_sys::$raw as u64 { return ProtocolError::$name; } )*
                ProtocolError::Unknown(raw)
            }
        }
    };
}

protocol_errors! {
    /// An unspecified ZMTP error.
    ZmtpUnspecified = ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    /// A command that was not expected at this point.
    ZmtpUnexpectedCommand = ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    /// Commands in an invalid order.
    ZmtpInvalidSequence = ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
    /// The key exchange failed.
    ZmtpKeyExchange = ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE,
    /// A malformed command.
    ZmtpMalformedCommandUnspecified = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    /// A malformed MESSAGE command.
    ZmtpMalformedCommandMessage = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
    /// A malformed HELLO command.
    ZmtpMalformedCommandHello = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    /// A malformed INITIATE command.
    ZmtpMalformedCommandInitiate = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE,
    /// A malformed ERROR command.
    ZmtpMalformedCommandError = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    /// A malformed READY command.
    ZmtpMalformedCommandReady = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY,
    /// A malformed WELCOME command.
    ZmtpMalformedCommandWelcome = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME,
    /// Invalid metadata in a command.
    ZmtpInvalidMetadata = ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    /// A cryptographic check failed (CURVE).
    ZmtpCryptographic = ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
    /// The peers use different security mechanisms.
    ZmtpMechanismMismatch = ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    /// An unspecified ZAP error.
    ZapUnspecified = ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED,
    /// The ZAP handler sent a malformed reply.
    ZapMalformedReply = ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY,
    /// The ZAP reply named the wrong request.
    ZapBadRequestId = ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID,
    /// The ZAP reply had the wrong version.
    ZapBadVersion = ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION,
    /// The ZAP reply had an invalid status code.
    ZapInvalidStatusCode = ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE,
    /// The ZAP reply had invalid metadata.
    ZapInvalidMetadata = ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA,
    /// An unspecified WebSocket error.
    WsUnspecified = ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED,
}

/// One parsed monitor event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitorEvent {
    /// What happened: the event [`MonitorEvent::number`] names, or [`SocketEvent::ALL`] when [`SocketEvent`] has
    /// no variant for it (the v2 `ZMQ_EVENT_PIPES_STATS`, events of newer libzmq versions).
    pub event: SocketEvent,
    /// The `ZMQ_EVENT_*` number exactly as libzmq sent it (16 bits in v1, 64 in v2), known to [`SocketEvent`] or
    /// not.
    pub number: u64,
    /// The event's value (a file descriptor, an errno, an interval …; see [`SocketEvent`]); the first value for a
    /// v2 event, 0 if it has none.
    pub value: u64,
    /// All values: one for v1; for v2 as many as the event carries (two for `PIPES_STATS`).
    pub values: Vec<u64>,
    /// The endpoint concerned. v1: the endpoint frame; v2: the remote endpoint, or the local one when the remote
    /// one is empty. Bytes that are not UTF-8 are replaced (U+FFFD).
    pub endpoint: String,
    /// v2 only: the local endpoint (may be empty).
    pub local_endpoint: Option<String>,
    /// v2 only: the remote endpoint (may be empty).
    pub remote_endpoint: Option<String>,
}

fn text(frame: &[u8]) -> String {
    String::from_utf8_lossy(frame).into_owned()
}

fn u64_frame(frame: &[u8]) -> Result<u64> {
    <[u8; 8]>::try_from(frame).map(u64::from_ne_bytes).map_err(|_| Error::EPROTO)
}

impl MonitorEvent {
    /// Parses the frames of one v1 event (two frames: 6 bytes of event number and value, then the endpoint).
    /// Anything else gives `EPROTO`; this never panics.
    pub fn parse_v1<F: AsRef<[u8]>>(frames: &[F]) -> Result<MonitorEvent> {
        let [head, endpoint] = frames else {
            return Err(Error::EPROTO);
        };
        let head = <[u8; 6]>::try_from(head.as_ref()).map_err(|_| Error::EPROTO)?;
        let event = u16::from_ne_bytes([head[0], head[1]]);
        let value = u64::from(u32::from_ne_bytes([head[2], head[3], head[4], head[5]]));
        Ok(MonitorEvent {
            event: SocketEvent::from_raw(event),
            number: u64::from(event),
            value,
            values: vec![value],
            endpoint: text(endpoint.as_ref()),
            local_endpoint: None,
            remote_endpoint: None,
        })
    }

    /// Parses the frames of one v2 event (draft format): event number, value count `n`, `n` values (all `u64`),
    /// local endpoint, remote endpoint. Anything else (wrong sizes, a count that does not match) gives `EPROTO`;
    /// this never panics.
    pub fn parse_v2<F: AsRef<[u8]>>(frames: &[F]) -> Result<MonitorEvent> {
        let [event, count, rest @ ..] = frames else {
            return Err(Error::EPROTO);
        };
        let event = u64_frame(event.as_ref())?;
        let count = u64_frame(count.as_ref())?;
        let [values @ .., local, remote] = rest else {
            return Err(Error::EPROTO);
        };
        if u64::try_from(values.len()).ok() != Some(count) {
            return Err(Error::EPROTO);
        }
        let values = values.iter().map(|v| u64_frame(v.as_ref())).collect::<Result<Vec<u64>>>()?;
        let (local, remote) = (text(local.as_ref()), text(remote.as_ref()));
        Ok(MonitorEvent {
            event: SocketEvent::try_from_raw(event).unwrap_or(SocketEvent::ALL),
            number: event,
            value: values.first().copied().unwrap_or(0),
            values,
            endpoint: if remote.is_empty() { local.clone() } else { remote.clone() },
            local_endpoint: Some(local),
            remote_endpoint: Some(remote),
        })
    }

    /// The event kind, or `None` when [`SocketEvent`] has no variant for [`MonitorEvent::number`].
    pub fn kind(&self) -> Option<SocketEvent> {
        SocketEvent::try_from_raw(self.number)
    }

    /// Whether this is a v2 `ZMQ_EVENT_PIPES_STATS` event (asked for with the draft `Monitor::request_pipes_stats`):
    /// its two values are the messages queued outbound and inbound on one connection.
    pub fn is_pipes_stats(&self) -> bool {
        self.number == u64::from(zmq_sys::ZMQ_EVENT_PIPES_STATS)
    }

    /// The error an event reports, for the events whose value is an errno ([`SocketEvent::carries_errno`]).
    pub fn error(&self) -> Option<Error> {
        if self.event.carries_errno() {
            i32::try_from(self.value).ok().map(Error::from_raw)
        } else {
            None
        }
    }

    /// Why the handshake failed, for a `HANDSHAKE_FAILED_PROTOCOL` event.
    pub fn protocol_error(&self) -> Option<ProtocolError> {
        (self.event == SocketEvent::HANDSHAKE_FAILED_PROTOCOL).then(|| ProtocolError::from_raw(self.value))
    }
}

/// The monitor this crate last started on a socket. libzmq keeps one monitor per socket: starting one stops the
/// previous one, which first gets a `MONITOR_STOPPED` event (a blocking send).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Active {
    /// A [`Monitor`], by id: its reader is connected for the monitor's whole life and its queue has no limit, so
    /// no event sent to it (`MONITOR_STOPPED` included) can block.
    Typed(u64),
    /// A monitor started with [`Socket::monitor`] on this endpoint; its reader, if any, is the caller's.
    Raw(String),
}

/// The active monitor of each socket (by address). An entry lives while its socket is monitored; a [`Monitor`]
/// borrows its socket, so its entry cannot outlive it. A raw entry can go stale when its socket is closed:
/// [`stop_reader`] checks that the endpoint is still bound before using it.
fn registry() -> &'static Mutex<HashMap<usize, Active>> {
    static REGISTRY: OnceLock<Mutex<HashMap<usize, Active>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

fn active(socket: &Socket) -> Option<Active> {
    registry().lock().unwrap_or_else(|e| e.into_inner()).get(&(socket.as_raw() as usize)).cloned()
}

fn set_active(socket: &Socket, now: Option<Active>) {
    let mut registry = registry().lock().unwrap_or_else(|e| e.into_inner());
    let key = socket.as_raw() as usize;
    match now {
        Some(now) => registry.insert(key, now),
        None => registry.remove(&key),
    };
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Runs `f`, a libzmq call that may stop the socket's current monitor, so that stopping cannot block: when the
/// current monitor is a raw one, a reader of ours is connected to it first, so that its `MONITOR_STOPPED` event
/// has somewhere to go. (A PAIR socket takes one peer: when the caller's reader is connected, it gets the event
/// and ours is turned away.) `ctx` is the monitored socket's context.
fn replacing<R>(socket: &Socket, ctx: Option<&Context>, f: impl FnOnce() -> Result<R>) -> Result<R> {
    let _reader = match (active(socket), ctx) {
        (Some(Active::Raw(endpoint)), Some(ctx)) => stop_reader(ctx, &endpoint),
        _ => None,
    };
    f()
    // `_reader` closes here (LINGER 0), after libzmq has closed the stopped monitor's socket.
}

/// A PAIR connected to a raw monitor's `endpoint`, if something is still bound there.
fn stop_reader(ctx: &Context, endpoint: &str) -> Option<Socket> {
    let reader = ctx.socket(SocketType::PAIR).ok()?;
    reader.set_linger(0).ok()?;
    reader.set_rcvhwm(0).ok()?;
    // Connecting to an unbound inproc endpoint would leave a pending connection in the context; a bind that
    // fails with EADDRINUSE shows the monitor's socket is there.
    match reader.bind(endpoint) {
        Err(Error::EADDRINUSE) => {}
        Ok(()) => {
            let _ = reader.unbind(endpoint);
            return None;
        }
        Err(_) => return None,
    }
    reader.connect(endpoint).ok()?;
    Some(reader)
}

fn socket_monitor(socket: &Socket, endpoint: &str, events: i32) -> Result<()> {
    // SAFETY: the socket is open (borrowed); the endpoint is a NUL-terminated string for the duration of the call.
    with_c_str(endpoint, |ep| {
        check(unsafe { zmq_sys::zmq_socket_monitor(socket.live()?, ep, events as c_int) }).map(drop)
    })
}

fn stop_monitor(socket: &Socket) -> Result<()> {
    // SAFETY: the socket is open (borrowed); a NULL endpoint stops monitoring (zmq_socket_monitor(3)).
    check(unsafe { zmq_sys::zmq_socket_monitor(socket.live()?, std::ptr::null(), 0) }).map(drop)
}

impl Socket {
    /// Starts publishing this socket's events on a PAIR endpoint (`inproc://…`), for a PAIR socket to read;
    /// [`crate::Monitor`] does all of it and parses the events. `events` is a mask of `ZMQ_EVENT_*` values
    /// (`zmq::SocketEvent::ALL as i32` for all). A socket has one monitor at a time: this replaces the previous
    /// one (a [`crate::Monitor`] too), which receives `MONITOR_STOPPED`. Calls zmq_socket_monitor(3).
    ///
    /// libzmq *blocks* the thread that reports an event (the one calling `bind`, or an I/O thread, which stalls
    /// every socket it serves) while the monitor has no reader or its queue is full. The reader you supply must
    /// therefore:
    ///
    /// * connect before any event can occur: before this call (inproc allows connecting before the bind);
    /// * stay connected and keep reading until the monitor is stopped ([`Socket::monitor_stop`], a newer monitor,
    ///   or closing the socket — which sends `MONITOR_STOPPED` too, from libzmq's reaper thread, stalling it until
    ///   the context terminates if nobody reads); setting its `RCVHWM` to 0 before connecting lets events queue
    ///   without limit, so a slow reader never blocks the socket.
    ///
    /// Replacing or stopping a raw monitor through this crate ([`Socket::monitor`], [`Socket::monitor_stop`],
    /// [`crate::Monitor`]) does not wait for lack of a reader: when none is connected, the crate connects one for
    /// the `MONITOR_STOPPED` event. (It needs the socket's context, so not for a socket adopted with `from_raw`
    /// whose context is unknown; and it cannot help a reader of yours that is connected with a full queue, or one
    /// that has disconnected: libzmq keeps the dead reader's pipe, turns every new reader away, and the
    /// `MONITOR_STOPPED` event then blocks the caller of `monitor`/`monitor_stop`, or the reaper thread on close,
    /// until the context is shut down. Keep your reader until the monitor is stopped.)
    #[doc(alias = "zmq_socket_monitor")]
    pub fn monitor(&self, monitor_endpoint: &str, events: i32) -> Result<()> {
        replacing(self, self.context().as_ref(), || socket_monitor(self, monitor_endpoint, events))?;
        set_active(self, Some(Active::Raw(monitor_endpoint.to_owned())));
        Ok(())
    }

    /// Stops the socket's monitor, whichever started it ([`Socket::monitor`] or a [`crate::Monitor`], which then
    /// receives `MONITOR_STOPPED` and no more events), without waiting for lack of a reader (see
    /// [`Socket::monitor`]). Calls zmq_socket_monitor(3) with a NULL endpoint.
    pub fn monitor_stop(&self) -> Result<()> {
        replacing(self, self.context().as_ref(), || stop_monitor(self))?;
        set_active(self, None);
        Ok(())
    }
}

/// The wire format of a monitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    V1,
    #[cfg(zmq_draft)]
    V2,
}

/// Reads the events of a socket, parsed.
///
/// Creating a monitor starts libzmq's monitoring of `socket` on a fresh `inproc://` endpoint, with a PAIR reader
/// connected before any event can be reported; dropping it stops the monitoring, then closes the reader. It
/// borrows the monitored socket, so it lives on the socket's thread.
///
/// A monitor never blocks the monitored socket, nor its own drop: the reader stays connected for the monitor's
/// whole life (it is not handed out; poll it with [`Monitor::as_poll_item`]), and events queue without limit
/// until read — read them, or drop the monitor, to bound the memory they take. A socket has one monitor at a
/// time (libzmq's rule): a newer one, or a [`Socket::monitor`] call, replaces this one, which then receives
/// `MONITOR_STOPPED` and no more events, and whose drop leaves the newer one running.
///
/// ```
/// use std::time::Duration;
/// let ctx = zmq::Context::new();
/// let server = ctx.socket(zmq::REP).unwrap();
/// let monitor = zmq::Monitor::new(&ctx, &server, zmq::SocketEvent::ALL as i32).unwrap();
/// server.bind("tcp://127.0.0.1:*").unwrap();
/// let event = monitor.recv_timeout(Duration::from_secs(5)).unwrap().expect("an event");
/// assert_eq!(event.event, zmq::SocketEvent::LISTENING);
/// assert_eq!(event.endpoint, server.last_endpoint().unwrap());
/// ```
///
/// The reader cannot be disconnected (that made the next event block the socket):
///
/// ```compile_fail
/// let ctx = zmq::Context::new();
/// let server = ctx.socket(zmq::REP).unwrap();
/// let monitor = zmq::Monitor::new(&ctx, &server, zmq::SocketEvent::ALL as i32).unwrap();
/// monitor.reader().disconnect(monitor.endpoint()).unwrap();
/// ```
pub struct Monitor<'s> {
    socket: &'s Socket,
    reader: Socket,
    endpoint: String,
    format: Format,
    id: u64,
}

impl std::fmt::Debug for Monitor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor").field("endpoint", &self.endpoint).field("format", &self.format).finish()
    }
}

impl<'s> Monitor<'s> {
    /// Starts monitoring `socket` in the v1 format, on the socket's own context (see [`Monitor::new`]).
    /// `EINVAL` for a socket adopted with `from_raw` whose context this crate does not know.
    pub fn for_socket(socket: &'s Socket, events: i32) -> Result<Monitor<'s>> {
        let ctx = socket.context().ok_or(crate::Error::EINVAL)?;
        Monitor::new(&ctx, socket, events)
    }

    /// Starts monitoring `socket` (which must belong to `ctx`; otherwise `EINVAL`) in the v1 format, replacing
    /// the socket's current monitor. `events` is a mask of `ZMQ_EVENT_*` numbers (`zmq::SocketEvent::ALL as i32`
    /// for all). Calls zmq_socket_monitor(3).
    #[doc(alias = "zmq_socket_monitor")]
    pub fn new(ctx: &Context, socket: &'s Socket, events: i32) -> Result<Monitor<'s>> {
        Monitor::start(ctx, socket, Format::V1, |endpoint| socket_monitor(socket, endpoint, events))
    }

    /// Starts monitoring `socket` (which must belong to `ctx`) in the v2 format (draft): 64-bit values, several
    /// values per event, local and remote endpoints, and the `PIPES_STATS` event. `events` is a mask of
    /// `ZMQ_EVENT_*` numbers (`SocketEvent::X as u64`, `zmq_sys::ZMQ_EVENT_PIPES_STATS`; `zmq_sys::ZMQ_EVENT_ALL_V2`
    /// for all). Calls zmq_socket_monitor_versioned(3).
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_socket_monitor_versioned")]
    pub fn new_versioned(ctx: &Context, socket: &'s Socket, events: u64) -> Result<Monitor<'s>> {
        Monitor::start(ctx, socket, Format::V2, |endpoint| {
            // SAFETY: as in socket_monitor; the reader is a PAIR, matching the PAIR libzmq creates.
            with_c_str(endpoint, |ep| {
                check(unsafe {
                    zmq_sys::zmq_socket_monitor_versioned(
                        socket.as_raw(),
                        ep,
                        events,
                        zmq_sys::ZMQ_CURRENT_EVENT_VERSION_DRAFT as c_int,
                        zmq_sys::ZMQ_PAIR as c_int,
                    )
                })
                .map(drop)
            })
        })
    }

    fn start(
        ctx: &Context,
        socket: &'s Socket,
        format: Format,
        monitor: impl FnOnce(&str) -> Result<()>,
    ) -> Result<Monitor<'s>> {
        let id = next_id();
        let endpoint = format!("inproc://zmq-rs.monitor.{id}");
        let reader = ctx.socket(SocketType::PAIR)?;
        reader.set_linger(0)?;
        // No high-water mark: libzmq's send of an event then never waits for room.
        reader.set_rcvhwm(0)?;
        check_same_context(ctx, socket, &reader, &format!("{endpoint}.probe"))?;
        // Connect first (inproc allows connecting before the bind): libzmq's monitor socket then has its reader
        // from the first event on, and never blocks for lack of one.
        reader.connect(&endpoint)?;
        // Replaces the current monitor, if any. A failure may come before or after libzmq stopped that one: its
        // entry stays, as a raw one is checked before use and a typed one only ever stops its own.
        replacing(socket, Some(ctx), || monitor(&endpoint))?;
        set_active(socket, Some(Active::Typed(id)));
        Ok(Monitor { socket, reader, endpoint, format, id })
    }

    /// Receives the next event, waiting for it as long as it takes ([`Monitor::recv_timeout`] bounds the wait;
    /// `ETERM` once the context is shut down). A malformed event gives `EPROTO` (and is consumed).
    pub fn recv(&self) -> Result<MonitorEvent> {
        let frames = self.reader.recv_multipart(0)?;
        self.parse(&frames)
    }

    /// Receives the next event if one arrives within `timeout`; `Ok(None)` otherwise.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<MonitorEvent>> {
        let ms = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
        if self.reader.poll(crate::POLLIN, ms)? == 0 {
            return Ok(None);
        }
        self.try_recv()
    }

    /// Receives the next event if one is already queued; `Ok(None)` otherwise.
    pub fn try_recv(&self) -> Result<Option<MonitorEvent>> {
        match self.reader.recv_multipart(crate::DONTWAIT) {
            // A message's frames arrive together: once the first is there, the others are too.
            Ok(frames) => self.parse(&frames).map(Some),
            Err(Error::EAGAIN) => Ok(None),
            Err(err) => Err(err),
        }
    }

    fn parse(&self, frames: &[Vec<u8>]) -> Result<MonitorEvent> {
        match self.format {
            Format::V1 => MonitorEvent::parse_v1(frames),
            #[cfg(zmq_draft)]
            Format::V2 => MonitorEvent::parse_v2(frames),
        }
    }

    /// Asks libzmq to report a `PIPES_STATS` event for each connection of the monitored socket (draft; the monitor
    /// must be v2 and include `PIPES_STATS` in its mask, else `EINVAL`; `EAGAIN` when there is no connection).
    /// The events arrive asynchronously. Calls zmq_socket_monitor_pipes_stats(3).
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_socket_monitor_pipes_stats")]
    pub fn request_pipes_stats(&self) -> Result<()> {
        // SAFETY: the monitored socket is open (borrowed).
        check(unsafe { zmq_sys::zmq_socket_monitor_pipes_stats(self.socket.as_raw()) }).map(drop)
    }

    /// The `inproc://` endpoint libzmq publishes the events on.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A poll item for the reader, to wait for events together with other sockets ([`crate::poll`]); it is
    /// readable while an event is queued. Read the events with [`Monitor::try_recv`].
    pub fn as_poll_item(&self, events: PollEvents) -> PollItem<'_> {
        self.reader.as_poll_item(events)
    }

    /// The reader's `ZMQ_FD`, for an external event loop: it signals edge-triggered, so after each wake-up read
    /// with [`Monitor::try_recv`] until it gives `Ok(None)`. Calls zmq_getsockopt(3).
    pub fn get_fd(&self) -> Result<RawFd> {
        self.reader.get_fd()
    }

    /// Whether this monitor reads the v2 (draft) format.
    pub fn is_versioned(&self) -> bool {
        self.format != Format::V1
    }
}

/// Checks that `reader`, made by `ctx`, lives on the monitored socket's context (inproc endpoints are per
/// context). When the socket's context is known, the raw pointers are compared. For a socket adopted with
/// `from_raw`, libzmq binds a probe endpoint with an event mask of 0 (so nothing is ever reported on it), and
/// binding the same name from `reader` must then fail with `EADDRINUSE`; this stops the socket's current monitor.
fn check_same_context(ctx: &Context, socket: &Socket, reader: &Socket, probe: &str) -> Result<()> {
    if let Some(own) = socket.context() {
        return if own.as_raw() == ctx.as_raw() { Ok(()) } else { Err(Error::EINVAL) };
    }
    replacing(socket, Some(ctx), || socket_monitor(socket, probe, 0))?;
    set_active(socket, None);
    let outcome = match reader.bind(probe) {
        Err(Error::EADDRINUSE) => Ok(()),
        Ok(()) => {
            let _ = reader.unbind(probe);
            Err(Error::EINVAL)
        }
        Err(err) => Err(err),
    };
    // With a mask of 0 this sends no MONITOR_STOPPED event.
    stop_monitor(socket)?;
    outcome
}

impl Drop for Monitor<'_> {
    fn drop(&mut self) {
        if active(self.socket) == Some(Active::Typed(self.id)) {
            // Stop before the reader closes. Never blocks: the reader is connected and its queue has no limit.
            let _ = stop_monitor(self.socket);
            set_active(self.socket, None);
        }
    }
}

/// A security mechanism (`ZMQ_MECHANISM`).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// No security.
    ZMQ_NULL,
    /// Clear-text username and password.
    ZMQ_PLAIN,
    /// CurveZMQ encryption and authentication.
    ZMQ_CURVE,
    /// Kerberos (GSSAPI).
    ZMQ_GSSAPI,
}

impl Mechanism {
    /// The `ZMQ_*` number of this mechanism.
    pub fn to_raw(self) -> i32 {
        (match self {
            Mechanism::ZMQ_NULL => zmq_sys::ZMQ_NULL,
            Mechanism::ZMQ_PLAIN => zmq_sys::ZMQ_PLAIN,
            Mechanism::ZMQ_CURVE => zmq_sys::ZMQ_CURVE,
            Mechanism::ZMQ_GSSAPI => zmq_sys::ZMQ_GSSAPI,
        }) as i32
    }

    /// The mechanism with this number, if any.
    pub fn from_raw(raw: i32) -> Option<Mechanism> {
        [Mechanism::ZMQ_NULL, Mechanism::ZMQ_PLAIN, Mechanism::ZMQ_CURVE, Mechanism::ZMQ_GSSAPI]
            .into_iter()
            .find(|m| m.to_raw() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1_head(event: u16, value: u32) -> Vec<u8> {
        let mut head = event.to_ne_bytes().to_vec();
        head.extend_from_slice(&value.to_ne_bytes());
        head
    }

    #[test]
    fn parses_v1() {
        let frames = [v1_head(8, 17), b"tcp://127.0.0.1:5555".to_vec()];
        let ev = MonitorEvent::parse_v1(&frames).unwrap();
        assert_eq!(ev.event, SocketEvent::LISTENING);
        assert_eq!((ev.value, ev.values.as_slice()), (17, &[17][..]));
        assert_eq!(ev.endpoint, "tcp://127.0.0.1:5555");
        assert_eq!((ev.local_endpoint, ev.remote_endpoint), (None, None));
        let ev = MonitorEvent::parse_v1(&[v1_head(0x4321, u32::MAX), Vec::new()]).unwrap();
        assert_eq!(
            (ev.event, ev.number, ev.value, ev.endpoint.as_str()),
            (SocketEvent::ALL, 0x4321, u32::MAX as u64, "")
        );
    }

    #[test]
    fn rejects_malformed_v1() {
        let empty: [&[u8]; 0] = [];
        assert_eq!(MonitorEvent::parse_v1(&empty), Err(Error::EPROTO));
        assert_eq!(MonitorEvent::parse_v1(&[v1_head(8, 1)]), Err(Error::EPROTO));
        assert_eq!(MonitorEvent::parse_v1(&[&[1u8, 2, 3][..], b"x"]), Err(Error::EPROTO));
        assert_eq!(MonitorEvent::parse_v1(&[&[0u8; 7][..], b"x"]), Err(Error::EPROTO));
        assert_eq!(MonitorEvent::parse_v1(&[v1_head(8, 1), b"a".to_vec(), b"b".to_vec()]), Err(Error::EPROTO));
        // Not UTF-8: replaced, not rejected.
        let ev = MonitorEvent::parse_v1(&[v1_head(8, 1), vec![b'a', 0xff]]).unwrap();
        assert_eq!(ev.endpoint, "a\u{fffd}");
    }

    fn v2(event: u64, values: &[u64], local: &str, remote: &str) -> Vec<Vec<u8>> {
        let mut frames = vec![event.to_ne_bytes().to_vec(), (values.len() as u64).to_ne_bytes().to_vec()];
        frames.extend(values.iter().map(|v| v.to_ne_bytes().to_vec()));
        frames.push(local.as_bytes().to_vec());
        frames.push(remote.as_bytes().to_vec());
        frames
    }

    #[test]
    fn parses_v2() {
        let ev = MonitorEvent::parse_v2(&v2(0x10000, &[3, 4], "tcp://127.0.0.1:1", "tcp://127.0.0.1:2")).unwrap();
        assert_eq!((ev.number, ev.event, ev.kind()), (0x10000, SocketEvent::ALL, None));
        assert!(ev.is_pipes_stats());
        assert_eq!((ev.value, ev.values), (3, vec![3, 4]));
        assert_eq!(ev.endpoint, "tcp://127.0.0.1:2");
        assert_eq!(ev.local_endpoint.as_deref(), Some("tcp://127.0.0.1:1"));
        assert_eq!(ev.remote_endpoint.as_deref(), Some("tcp://127.0.0.1:2"));
        let ev = MonitorEvent::parse_v2(&v2(8, &[], "tcp://127.0.0.1:1", "")).unwrap();
        assert_eq!((ev.event, ev.value, ev.endpoint.as_str()), (SocketEvent::LISTENING, 0, "tcp://127.0.0.1:1"));
        let ev = MonitorEvent::parse_v2(&v2(1 << 40, &[u64::MAX], "", "")).unwrap();
        assert_eq!((ev.event, ev.number, ev.value), (SocketEvent::ALL, 1 << 40, u64::MAX));
        assert!(!ev.is_pipes_stats());
    }

    #[test]
    fn rejects_malformed_v2() {
        let good = v2(8, &[1, 2], "l", "r");
        for n in 0..good.len() {
            assert_eq!(MonitorEvent::parse_v2(&good[..n]), Err(Error::EPROTO), "{n} frames");
        }
        let mut extra = good.clone();
        extra.push(b"x".to_vec());
        assert_eq!(MonitorEvent::parse_v2(&extra), Err(Error::EPROTO));
        // A count that does not match, including absurd ones.
        for count in [0u64, 1, 3, u64::MAX, 1 << 63] {
            let mut frames = good.clone();
            frames[1] = count.to_ne_bytes().to_vec();
            assert_eq!(MonitorEvent::parse_v2(&frames), Err(Error::EPROTO), "count {count}");
        }
        // Wrong frame sizes for the event, the count and a value.
        for (index, bad) in [(0, vec![0u8; 6]), (1, vec![2u8]), (2, vec![0u8; 9]), (3, Vec::new())] {
            let mut frames = good.clone();
            frames[index] = bad;
            assert_eq!(MonitorEvent::parse_v2(&frames), Err(Error::EPROTO), "frame {index}");
        }
    }

    #[test]
    fn event_numbers_round_trip() {
        for raw in [1u16, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 0xFFFF] {
            let event = SocketEvent::from_raw(raw);
            assert_eq!(SocketEvent::try_from_raw(u64::from(raw)), Some(event), "{raw}");
            assert_eq!(event.to_raw(), raw);
        }
        assert_eq!(SocketEvent::from_raw(3), SocketEvent::ALL);
        assert_eq!(SocketEvent::try_from_raw(3), None);
        assert_eq!(SocketEvent::try_from_raw(1 << 16), None);
    }

    #[test]
    fn event_values_are_interpreted() {
        let errno = crate::Error::EADDRINUSE.to_raw() as u32;
        let ev = MonitorEvent::parse_v1(&[v1_head(16, errno), b"tcp://x".to_vec()]).unwrap();
        assert_eq!(ev.error(), Some(Error::EADDRINUSE));
        assert_eq!(ev.protocol_error(), None);
        let mismatch = zmq_sys::ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH;
        let ev = MonitorEvent::parse_v1(&[v1_head(0x2000, mismatch), b"tcp://x".to_vec()]).unwrap();
        assert_eq!(ev.protocol_error(), Some(ProtocolError::ZmtpMechanismMismatch));
        assert_eq!(ev.error(), None);
        assert_eq!(ProtocolError::from_raw(7), ProtocolError::Unknown(7));
        assert_eq!(ProtocolError::ZapBadVersion.to_raw(), 0x2000_0003);
    }
}

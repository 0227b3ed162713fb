//! Socket monitor events and security mechanisms.

macro_rules! socket_events {
    ($( $(#[$doc:meta])* $name:ident = $raw:ident ),* $(,)?) => {
        /// A socket monitor event kind (`ZMQ_EVENT_*`), as published by [`crate::Socket::monitor`].
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum SocketEvent {
            $( $(#[$doc])* $name, )*
            /// A number this build does not name (kept, never a panic).
            Unknown(u16),
        }

        impl SocketEvent {
            /// The `ZMQ_EVENT_*` number.
            pub fn to_raw(self) -> u16 {
                match self {
                    $( SocketEvent::$name => zmq_sys::$raw as u16, )*
                    SocketEvent::Unknown(raw) => raw,
                }
            }

            /// The event with this number; unknown numbers give [`SocketEvent::Unknown`].
            pub fn from_raw(raw: u16) -> SocketEvent {
                $( if raw == zmq_sys::$raw as u16 { return SocketEvent::$name; } )*
                SocketEvent::Unknown(raw)
            }
        }
    };
}

socket_events! {
    /// A connection was established.
    CONNECTED = ZMQ_EVENT_CONNECTED,
    /// A connect is pending.
    CONNECT_DELAYED = ZMQ_EVENT_CONNECT_DELAYED,
    /// A reconnect is scheduled.
    CONNECT_RETRIED = ZMQ_EVENT_CONNECT_RETRIED,
    /// The socket is listening on an endpoint.
    LISTENING = ZMQ_EVENT_LISTENING,
    /// A bind failed.
    BIND_FAILED = ZMQ_EVENT_BIND_FAILED,
    /// A connection was accepted.
    ACCEPTED = ZMQ_EVENT_ACCEPTED,
    /// Accepting a connection failed.
    ACCEPT_FAILED = ZMQ_EVENT_ACCEPT_FAILED,
    /// A connection's socket was closed.
    CLOSED = ZMQ_EVENT_CLOSED,
    /// Closing a connection's socket failed.
    CLOSE_FAILED = ZMQ_EVENT_CLOSE_FAILED,
    /// A session was disconnected.
    DISCONNECTED = ZMQ_EVENT_DISCONNECTED,
    /// Monitoring stopped.
    MONITOR_STOPPED = ZMQ_EVENT_MONITOR_STOPPED,
    /// The handshake failed for a reason not otherwise detailed.
    HANDSHAKE_FAILED_NO_DETAIL = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
    /// The security handshake succeeded.
    HANDSHAKE_SUCCEEDED = ZMQ_EVENT_HANDSHAKE_SUCCEEDED,
    /// The handshake failed on a protocol error.
    HANDSHAKE_FAILED_PROTOCOL = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
    /// The handshake failed authentication.
    HANDSHAKE_FAILED_AUTH = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH,
    /// Mask of all events (for [`crate::Socket::monitor`]).
    ALL = ZMQ_EVENT_ALL,
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

//! Safe, complete and fast bindings to [libzmq](https://zeromq.org), the ZeroMQ C library.
//!
//! The API is a superset of the `zmq` 0.10 crate: code written for it compiles unchanged against this crate.
//! Beyond it: typed options, context builder and shutdown, zero-copy messages, multipart messages with routing
//! envelope operations ([`Multipart`]), raw-pointer interop with C code, and a drop order that is safe whatever
//! order things are dropped in.
//!
//! ```
//! let ctx = zmq::Context::new();
//! let server = ctx.socket(zmq::REP).unwrap();
//! server.bind("tcp://127.0.0.1:*").unwrap();
//! let endpoint = server.last_endpoint().unwrap();
//!
//! let client = ctx.socket(zmq::REQ).unwrap();
//! client.connect(&endpoint).unwrap();
//! client.send("Hello", 0).unwrap();
//! assert_eq!(server.recv_string(0).unwrap().unwrap(), "Hello");
//! server.send("World", 0).unwrap();
//! assert_eq!(client.recv_msg(0).unwrap().as_str(), Some("World"));
//! ```
//!
//! # Optional features
//!
//! * `tokio`: `AsyncSocket`, async send and receive on the tokio runtime, with `Stream` and `Sink` of multipart
//!   messages and documented cancellation rules.
//! * `bytes`: zero-copy conversions between [`Message`] and `bytes::Bytes`, and multipart receives as `Bytes`.
//! * `serde`: `Socket::send_json` / `Socket::recv_json`.
//! * `draft`: libzmq's draft API (thread-safe socket types, `ThreadSafeSocket`, the poller, routing ids, groups).
//! * `vendored`: build libzmq and libsodium from source.
//!
//! # Ownership and drop order
//!
//! * A [`Socket`] keeps its [`Context`] alive: the context is terminated (`zmq_ctx_term`) exactly once, after the
//!   last context handle and the last socket are gone, on whichever thread drops the last one.
//! * Dropping a context handle never blocks on sockets still open; [`Context::destroy`] never frees a context
//!   that other handles or sockets use.
//! * Termination waits for pending outgoing messages at most each socket's LINGER (set a default for all sockets
//!   with [`ContextBuilder::linger`]); a socket dropped during a panic uses LINGER 0.
//! * [`Context::shutdown`] makes blocking calls on the context's sockets, in every thread, return `Err(ETERM)`.
//!
//! # Thread safety, checked by the compiler
//!
//! A socket may move to another thread but not be shared between threads:
//!
//! ```compile_fail
//! fn shared<T: Sync>(_: &T) {}
//! let ctx = zmq::Context::new();
//! let socket = ctx.socket(zmq::PAIR).unwrap();
//! shared(&socket); // error: `Socket` is not `Sync`
//! ```
//!
//! ```
//! let ctx = zmq::Context::new();
//! let socket = ctx.socket(zmq::PAIR).unwrap();
//! std::thread::spawn(move || drop(socket)).join().unwrap(); // fine: `Socket` is `Send`
//! ```
//!
//! A [`PollItem`] borrows its socket, so it cannot outlive it:
//!
//! ```compile_fail
//! let ctx = zmq::Context::new();
//! let item = {
//!     let socket = ctx.socket(zmq::PULL).unwrap();
//!     socket.as_poll_item(zmq::POLLIN)
//! }; // error: `socket` does not live long enough
//! zmq::poll(&mut [item], 0).unwrap();
//! ```
//!
//! A socket cannot be used from two threads at once even through a shared reference:
//!
//! ```compile_fail
//! let ctx = zmq::Context::new();
//! let socket = ctx.socket(zmq::PAIR).unwrap();
//! std::thread::scope(|s| {
//!     s.spawn(|| socket.send("a", 0));
//!     s.spawn(|| socket.send("b", 0));
//! });
//! ```
#![deny(missing_docs)]
#![warn(unsafe_op_in_unsafe_fn)]

#[cfg(feature = "tokio")]
mod asyncio;
mod auth;
#[cfg(feature = "bytes")]
mod bytes;
mod cert;
mod context;
mod ctxopt;
mod curve;
mod error;
#[cfg(feature = "serde")]
mod json;
mod message;
mod monitor;
mod multipart;
mod poll;
#[cfg(zmq_draft)]
mod poller;
mod proxy;
mod socket;
mod sockopt;
#[cfg(zmq_draft)]
mod threadsafe;
mod timers;
mod zap;

use std::ffi::CString;

#[cfg(feature = "tokio")]
pub use crate::asyncio::AsyncSocket;
pub use crate::auth::{Authenticator, ZapHandler, ZapReply, ZapRequest, ZapStatus, ANY_DOMAIN, ZAP_ENDPOINT};
pub use crate::cert::Certificate;
pub use crate::context::{Context, ContextBuilder};
pub use crate::curve::{curve_public, z85_decode, z85_encode, CurveKeyPair, DecodeError, EncodeError};
pub use crate::error::{Error, Result};
#[cfg(feature = "serde")]
pub use crate::json::JsonError;
pub use crate::message::Message;
pub use crate::monitor::{Mechanism, Monitor, MonitorEvent, ProtocolError, SocketEvent};
pub use crate::multipart::Multipart;
pub use crate::poll::{poll, PollEvents, PollItem};
#[cfg(zmq_draft)]
pub use crate::poller::{Poller, PollerEvent};
pub use crate::proxy::{
    proxy, proxy_steerable, proxy_steerable_with_capture, proxy_with_capture, ProxyControl, ProxySocketStatistics,
    ProxyStatistics,
};
pub use crate::socket::{Sendable, Socket, SocketType};
pub use crate::sockopt::GssapiNameType;
#[cfg(zmq_draft)]
#[doc(hidden)]
pub use crate::sockopt::DRAFT_SOCKET_OPTIONS;
#[doc(hidden)]
pub use crate::sockopt::SOCKET_OPTIONS;
#[cfg(zmq_draft)]
pub use crate::sockopt::{NormMode, ReconnectStop, RouterNotify};
#[cfg(zmq_draft)]
pub use crate::threadsafe::ThreadSafeSocket;
pub use crate::timers::{TimerId, Timers};
pub use crate::SocketType::*;

/// Flag: fail with `EAGAIN` instead of blocking (`ZMQ_DONTWAIT`).
pub const DONTWAIT: i32 = zmq_sys::ZMQ_DONTWAIT as i32;
/// Flag: more frames of this message follow (`ZMQ_SNDMORE`).
pub const SNDMORE: i32 = zmq_sys::ZMQ_SNDMORE as i32;

/// Poll for readability.
pub const POLLIN: PollEvents = PollEvents::POLLIN;
/// Poll for writability.
pub const POLLOUT: PollEvents = PollEvents::POLLOUT;
/// Poll for errors (file descriptors only).
pub const POLLERR: PollEvents = PollEvents::POLLERR;
/// Poll for urgent data (file descriptors only).
pub const POLLPRI: PollEvents = PollEvents::POLLPRI;

/// The version of the libzmq linked in, as (major, minor, patch). Calls zmq_version(3).
#[doc(alias = "zmq_version")]
pub fn version() -> (i32, i32, i32) {
    let (mut major, mut minor, mut patch) = (0, 0, 0);
    // SAFETY: zmq_version writes three ints through valid pointers.
    unsafe { zmq_sys::zmq_version(&mut major, &mut minor, &mut patch) };
    (major, minor, patch)
}

/// Whether the linked libzmq supports a capability: `"ipc"`, `"pgm"`, `"tipc"`, `"norm"`, `"curve"`, `"gssapi"`,
/// `"draft"`. `None` if the name has a NUL byte. Calls zmq_has(3).
///
/// ```
/// assert_eq!(zmq::has("ipc"), Some(true));
/// ```
#[doc(alias = "zmq_has")]
pub fn has(capability: &str) -> Option<bool> {
    let name = CString::new(capability).ok()?;
    // SAFETY: zmq_has reads a NUL-terminated string.
    Some(unsafe { zmq_sys::zmq_has(name.as_ptr()) } == 1)
}

/// Facts about the libzmq this crate was built against (from the build script), for diagnostics.
pub mod build_info {
    /// The libzmq version the build linked, e.g. `"4.3.4"`.
    pub const LINKED_VERSION: &str = env!("ZMQ_LINKED_VERSION");
    /// Whether libzmq was built from source and linked statically.
    pub const VENDORED: bool = cfg!(zmq_vendored);
    /// Whether the draft API is compiled in.
    pub const DRAFT: bool = cfg!(zmq_draft);
    /// Where CURVE's libsodium comes from: `"external"` (the linked libzmq brings its own), `"static"` (built from
    /// source into this binary, feature `vendored`), `"shared"` (the system's, linked dynamically) or
    /// `"libsodium-sys-stable"` (that crate linking an installed copy, as its `SODIUM_*` variables say).
    pub const SODIUM: &str = env!("ZMQ_LINKED_SODIUM");
}

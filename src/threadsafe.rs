//! Thread-safe draft sockets (SERVER, CLIENT, RADIO, DISH, SCATTER, GATHER, PEER, CHANNEL) as a `Sync` type.
//!
//! libzmq guards every call on these socket types with a mutex of the socket, so several threads may use one at
//! once. A classic [`Socket`] is not `Sync`; a [`ThreadSafeSocket`] is, and offers only the calls that libzmq
//! makes under that mutex.
//!
//! The compiler rejects sharing a classic socket between threads:
//!
//! ```compile_fail
//! let ctx = zmq::Context::new();
//! let socket = ctx.socket(zmq::CLIENT).unwrap();
//! std::thread::scope(|s| {
//!     s.spawn(|| socket.send("a", 0)); // error: `Socket` cannot be shared between threads safely
//!     s.spawn(|| socket.send("b", 0));
//! });
//! ```
//!
//! and accepts sharing a thread-safe one:
//!
//! ```
//! # fn main() -> zmq::Result<()> {
//! let ctx = zmq::Context::new();
//! let server = zmq::ThreadSafeSocket::new(&ctx, zmq::SERVER)?;
//! server.bind("inproc://doc-threadsafe-share")?;
//! let client = zmq::ThreadSafeSocket::new(&ctx, zmq::CLIENT)?;
//! client.connect("inproc://doc-threadsafe-share")?;
//! server.set_rcvtimeo(5000)?;
//! std::thread::scope(|s| {
//!     s.spawn(|| client.send("a", 0).unwrap());
//!     s.spawn(|| client.send("b", 0).unwrap());
//! });
//! let mut got = vec![server.recv_string(0)?.unwrap(), server.recv_string(0)?.unwrap()];
//! got.sort();
//! assert_eq!(got, ["a", "b"]);
//! # Ok(()) }
//! ```

use std::os::raw::c_void;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::message::Message;
use crate::poll::PollEvents;
use crate::poller::Poller;
use crate::socket::{Socket, SocketType};
use crate::Context;

/// A socket of a thread-safe draft type, usable from several threads at once through `&self` (`Send + Sync`).
///
/// It can only hold a socket for which libzmq reports `ZMQ_THREAD_SAFE`: SERVER, CLIENT, RADIO, DISH, SCATTER,
/// GATHER, PEER and CHANNEL (not DGRAM, nor the classic types). These types send and receive single-frame messages
/// only: a send with [`crate::SNDMORE`] gives `EINVAL`. The routing id of SERVER and PEER messages and the group of
/// RADIO and DISH messages travel on the [`Message`] ([`Message::routing_id`], [`Message::group`]); use
/// [`ThreadSafeSocket::send_to`] and [`ThreadSafeSocket::send_to_group`] to address one.
///
/// Blocking calls behave as on [`Socket`]: a send or receive waits at most `SNDTIMEO`/`RCVTIMEO`, and
/// [`Context::shutdown`] wakes every thread blocked on it with `Err(ETERM)`. While one thread blocks in a receive,
/// others can still send, receive, bind or set options (libzmq releases the socket's mutex while it waits).
///
/// libzmq offers no `ZMQ_FD` for these types. To wait on one, use a [`Poller`] ([`Poller::add_thread_safe`]),
/// which may run on another thread than the socket's other users.
///
/// ```
/// # fn main() -> zmq::Result<()> {
/// let ctx = zmq::Context::new();
/// assert_eq!(zmq::ThreadSafeSocket::new(&ctx, zmq::PAIR).unwrap_err(), zmq::Error::EINVAL);
/// let radio = zmq::ThreadSafeSocket::new(&ctx, zmq::RADIO)?;
/// assert_eq!(radio.socket_type()?, zmq::RADIO);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ThreadSafeSocket {
    inner: Socket,
}

// SAFETY: every method reachable through `&ThreadSafeSocket` is listed here with the libzmq calls it makes
// (libzmq 4.3.5, src/socket_base.cpp, src/peer.cpp, src/zmq.cpp, src/socket_poller.cpp). `inner` always holds a
// socket whose `ZMQ_THREAD_SAFE` is 1 (checked in `from_socket`, the only constructor), i.e. whose
// socket_base_t was created with `_thread_safe` set, and that flag never changes. For such a socket:
// - `bind`/`bind_to` (zmq_bind), `connect` (zmq_connect), `unbind`/`disconnect` (zmq_unbind/zmq_disconnect →
//   term_endpoint), `join`/`leave` (zmq_join/zmq_leave), `send`/`send_in_place`/`send_to`/`send_to_group`
//   (zmq_msg_send → socket_base_t::send), the receives (zmq_msg_recv/zmq_recv → socket_base_t::recv) and every
//   option accessor, `last_endpoint` and `socket_type` included (zmq_getsockopt/zmq_setsockopt) run their body
//   under `scoped_optional_lock_t (_thread_safe ? &_sync : NULL)`, the socket's mutex. A blocking send or
//   receive waits on the socket's mailbox_safe_t condition variable, which releases that mutex while waiting and
//   takes it back before touching the socket again.
// - `connect_peer` (zmq_connect_peer) reads `ZMQ_TYPE` through the locked getsockopt, then runs
//   peer_t::connect_peer under the same (recursive) mutex.
// - `Poller::add_thread_safe`/`modify_thread_safe`/`remove_thread_safe` (zmq_poller_add/modify/remove) and the
//   poller's wait read only `_thread_safe` and the socket's tag (set at creation, never written again), then call
//   add_signaler/remove_signaler (under `_sync`) and getsockopt(ZMQ_EVENTS) (locked as above).
// - `as_raw` and `context` only copy a pointer / clone an `Arc`, and touch no libzmq state.
// The arguments passed (endpoint strings, messages, option buffers) are owned or borrowed by the calling thread
// for the call. Nothing that is not locked is reachable: no `ZMQ_FD` (libzmq refuses it for these types anyway),
// no monitor, no `&Socket`; closing needs `self` by value (Drop or `into_socket`), so no other thread can be
// using the socket then. `Send` comes from `Socket`.
unsafe impl Sync for ThreadSafeSocket {}

/// Forwards option accessors to the [`Socket`] ones of the same name, with docs that name the C option.
macro_rules! forward_options {
    ($( $name:ident ( $($arg:ident : $ty:ty)? ) -> $ret:ty, $cfn:literal $cname:literal; )*) => {
        $(
            #[doc = concat!("As [`Socket::", stringify!($name), "`]. Calls ", $cfn, "(3) with `", $cname, "`.")]
            #[doc(alias = $cname)]
            #[inline]
            pub fn $name(&self $(, $arg: $ty)?) -> Result<$ret> {
                self.inner.$name($($arg)?)
            }
        )*
    };
}

impl ThreadSafeSocket {
    /// Creates a socket of `socket_type` in `ctx`. A type that libzmq does not report as thread-safe
    /// (`ZMQ_THREAD_SAFE`: the classic types and DGRAM) gives `EINVAL`. Calls zmq_socket(3).
    ///
    /// ```
    /// # fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let client = zmq::ThreadSafeSocket::new(&ctx, zmq::CLIENT)?;
    /// assert_eq!(zmq::ThreadSafeSocket::new(&ctx, zmq::DGRAM).unwrap_err(), zmq::Error::EINVAL);
    /// # drop(client); Ok(()) }
    /// ```
    #[doc(alias = "zmq_socket")]
    pub fn new(ctx: &Context, socket_type: SocketType) -> Result<ThreadSafeSocket> {
        ThreadSafeSocket::from_socket(ctx.socket(socket_type)?).map_err(|(_, err)| err)
    }

    /// Wraps a socket of a thread-safe type (`ZMQ_THREAD_SAFE` is 1), or hands it back with `EINVAL` (or the
    /// error reading the option gave). Calls zmq_getsockopt(3) with `ZMQ_THREAD_SAFE`.
    ///
    /// ```
    /// # fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let (socket, err) = zmq::ThreadSafeSocket::from_socket(ctx.socket(zmq::DEALER)?).unwrap_err();
    /// assert_eq!(err, zmq::Error::EINVAL);
    /// assert_eq!(socket.get_socket_type()?, zmq::DEALER);
    /// let dish = zmq::ThreadSafeSocket::from_socket(ctx.socket(zmq::DISH)?).map_err(|(_, e)| e)?;
    /// # drop(dish); Ok(()) }
    /// ```
    #[doc(alias = "ZMQ_THREAD_SAFE")]
    pub fn from_socket(socket: Socket) -> std::result::Result<ThreadSafeSocket, (Socket, Error)> {
        match socket.is_thread_safe() {
            Ok(true) => Ok(ThreadSafeSocket { inner: socket }),
            Ok(false) => Err((socket, Error::EINVAL)),
            Err(err) => Err((socket, err)),
        }
    }

    /// The classic socket again, for the calls only it has (monitors, `ZMQ_FD`, every option). Taking `self` by
    /// value, it can only be called once no other thread uses the socket.
    pub fn into_socket(self) -> Socket {
        self.inner
    }

    /// The context this socket belongs to (see [`Socket::context`]).
    pub fn context(&self) -> Option<Context> {
        self.inner.context()
    }

    /// The raw `void *` socket, for libzmq calls. Other threads may use the socket at the same time: only libzmq
    /// functions that lock the socket are safe to call on it.
    #[inline]
    pub fn as_raw(&self) -> *mut c_void {
        self.inner.as_raw()
    }

    /// The socket's type. Calls zmq_getsockopt(3) with `ZMQ_TYPE`.
    #[doc(alias = "ZMQ_TYPE")]
    pub fn socket_type(&self) -> Result<SocketType> {
        self.inner.get_socket_type()
    }

    /// Accepts connections on an endpoint, as [`Socket::bind`]. Calls zmq_bind(3).
    #[doc(alias = "zmq_bind")]
    pub fn bind(&self, endpoint: &str) -> Result<()> {
        self.inner.bind(endpoint)
    }

    /// Binds and returns the endpoint actually bound (a wildcard port resolved), as [`Socket::bind_to`]. Another
    /// thread binding or connecting at the same time may change the last endpoint in between: read it from
    /// one thread, or bind a fixed endpoint.
    pub fn bind_to(&self, endpoint: &str) -> Result<String> {
        self.inner.bind_to(endpoint)
    }

    /// Stops accepting on an endpoint bound earlier. Calls zmq_unbind(3).
    #[doc(alias = "zmq_unbind")]
    pub fn unbind(&self, endpoint: &str) -> Result<()> {
        self.inner.unbind(endpoint)
    }

    /// Connects to an endpoint. Calls zmq_connect(3).
    #[doc(alias = "zmq_connect")]
    pub fn connect(&self, endpoint: &str) -> Result<()> {
        self.inner.connect(endpoint)
    }

    /// Disconnects from an endpoint connected earlier. Calls zmq_disconnect(3).
    #[doc(alias = "zmq_disconnect")]
    pub fn disconnect(&self, endpoint: &str) -> Result<()> {
        self.inner.disconnect(endpoint)
    }

    /// The endpoint this socket last bound or connected to, with wildcards resolved (`ZMQ_LAST_ENDPOINT`).
    /// Calls zmq_getsockopt(3).
    #[doc(alias = "ZMQ_LAST_ENDPOINT")]
    pub fn last_endpoint(&self) -> Result<String> {
        self.inner.last_endpoint()
    }

    /// Joins a group, on a DISH socket (`ENOTSUP` on other types). Calls zmq_join(3).
    #[doc(alias = "zmq_join")]
    pub fn join(&self, group: &str) -> Result<()> {
        self.inner.join(group)
    }

    /// Leaves a group, on a DISH socket. Calls zmq_leave(3).
    #[doc(alias = "zmq_leave")]
    pub fn leave(&self, group: &str) -> Result<()> {
        self.inner.leave(group)
    }

    /// Connects a PEER socket and returns the routing id of the new peer, for [`ThreadSafeSocket::send_to`]
    /// (`ENOTSUP` on other types; `EFAULT` with `ZMQ_IMMEDIATE` set). Calls zmq_connect_peer(3).
    ///
    /// ```
    /// # fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let (a, b) = (zmq::ThreadSafeSocket::new(&ctx, zmq::PEER)?, zmq::ThreadSafeSocket::new(&ctx, zmq::PEER)?);
    /// a.bind("inproc://doc-threadsafe-peer")?;
    /// let a_id = b.connect_peer("inproc://doc-threadsafe-peer")?;
    /// b.send_to("hi", a_id, 0)?;
    /// a.set_rcvtimeo(5000)?;
    /// let msg = a.recv_msg(0)?;
    /// assert_eq!(msg.as_str(), Some("hi"));
    /// a.send_to("hello", msg.routing_id().unwrap(), 0)?;
    /// b.set_rcvtimeo(5000)?;
    /// assert_eq!(b.recv_msg(0)?.as_str(), Some("hello"));
    /// # Ok(()) }
    /// ```
    #[doc(alias = "zmq_connect_peer")]
    pub fn connect_peer(&self, endpoint: &str) -> Result<u32> {
        self.inner.connect_peer(endpoint)
    }

    /// Sends one single-frame message: `&[u8]`, `&str`, `Vec<u8>`, `String`, a [`Message`] (with its routing id or
    /// group), … `flags` may hold [`crate::DONTWAIT`]; [`crate::SNDMORE`] gives `EINVAL` (these types have no
    /// multipart messages). Calls zmq_msg_send(3).
    #[doc(alias = "zmq_msg_send")]
    #[inline]
    pub fn send<T: Into<Message>>(&self, data: T, flags: i32) -> Result<()> {
        refuse_more(flags)?;
        self.inner.send(data.into(), flags)
    }

    /// Sends `msg` and keeps it on failure, as [`Socket::send_in_place`]: on success it is left empty; on error
    /// unchanged. [`crate::SNDMORE`] gives `EINVAL`. Calls zmq_msg_send(3).
    #[doc(alias = "zmq_msg_send")]
    #[inline]
    pub fn send_in_place(&self, msg: &mut Message, flags: i32) -> Result<()> {
        refuse_more(flags)?;
        self.inner.send_in_place(msg, flags)
    }

    /// Sends `data` to one peer of a SERVER or PEER socket, by the routing id a received message carried
    /// ([`Message::routing_id`]) or [`ThreadSafeSocket::connect_peer`] returned. A routing id of 0 gives `EINVAL`;
    /// an unknown one `EHOSTUNREACH`. Calls zmq_msg_set_routing_id(3) and zmq_msg_send(3).
    #[doc(alias = "zmq_msg_set_routing_id")]
    pub fn send_to<T: Into<Message>>(&self, data: T, routing_id: u32, flags: i32) -> Result<()> {
        refuse_more(flags)?;
        let mut msg = data.into();
        msg.set_routing_id(routing_id)?;
        self.inner.send(msg, flags)
    }

    /// Sends `data` to a group, on a RADIO socket (at most 255 bytes, no NUL, else `EINVAL`). Calls
    /// zmq_msg_set_group(3) and zmq_msg_send(3).
    ///
    /// ```
    /// # fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let radio = zmq::ThreadSafeSocket::new(&ctx, zmq::RADIO)?;
    /// let dish = zmq::ThreadSafeSocket::new(&ctx, zmq::DISH)?;
    /// radio.bind("inproc://doc-threadsafe-radio")?;
    /// dish.join("news")?;
    /// dish.connect("inproc://doc-threadsafe-radio")?; // inproc: the join is known once connected
    /// radio.send_to_group("skipped", "sports", 0)?;
    /// radio.send_to_group("extra!", "news", 0)?;
    /// dish.set_rcvtimeo(5000)?;
    /// let msg = dish.recv_msg(0)?;
    /// assert_eq!((msg.group(), msg.as_str()), (Some("news"), Some("extra!")));
    /// # Ok(()) }
    /// ```
    #[doc(alias = "zmq_msg_set_group")]
    pub fn send_to_group<T: Into<Message>>(&self, data: T, group: &str, flags: i32) -> Result<()> {
        refuse_more(flags)?;
        let mut msg = data.into();
        msg.set_group(group)?;
        self.inner.send(msg, flags)
    }

    /// Receives one message into `msg`, replacing its content; on failure `msg` is unchanged, as
    /// [`Socket::recv`]. Calls zmq_msg_recv(3).
    #[doc(alias = "zmq_msg_recv")]
    #[inline]
    pub fn recv(&self, msg: &mut Message, flags: i32) -> Result<()> {
        self.inner.recv(msg, flags)
    }

    /// Receives one message as a new [`Message`] (with its routing id or group). Calls zmq_msg_recv(3).
    #[doc(alias = "zmq_msg_recv")]
    #[inline]
    pub fn recv_msg(&self, flags: i32) -> Result<Message> {
        self.inner.recv_msg(flags)
    }

    /// Receives one message into a buffer, returning its full size; a longer message is truncated to
    /// `bytes.len()`. Calls zmq_recv(3).
    #[doc(alias = "zmq_recv")]
    #[inline]
    pub fn recv_into(&self, bytes: &mut [u8], flags: i32) -> Result<usize> {
        self.inner.recv_into(bytes, flags)
    }

    /// Receives one message as bytes. Calls zmq_msg_recv(3).
    pub fn recv_bytes(&self, flags: i32) -> Result<Vec<u8>> {
        self.inner.recv_bytes(flags)
    }

    /// Receives one message as text; `Err(bytes)` inside if it is not UTF-8. Calls zmq_msg_recv(3).
    pub fn recv_string(&self, flags: i32) -> Result<std::result::Result<String, Vec<u8>>> {
        self.inner.recv_string(flags)
    }

    forward_options! {
        get_linger() -> i32, "zmq_getsockopt" "ZMQ_LINGER";
        set_linger(value: i32) -> (), "zmq_setsockopt" "ZMQ_LINGER";
        linger() -> Option<Duration>, "zmq_getsockopt" "ZMQ_LINGER";
        set_linger_duration(value: Option<Duration>) -> (), "zmq_setsockopt" "ZMQ_LINGER";
        get_sndtimeo() -> i32, "zmq_getsockopt" "ZMQ_SNDTIMEO";
        set_sndtimeo(value: i32) -> (), "zmq_setsockopt" "ZMQ_SNDTIMEO";
        sndtimeo() -> Option<Duration>, "zmq_getsockopt" "ZMQ_SNDTIMEO";
        set_sndtimeo_duration(value: Option<Duration>) -> (), "zmq_setsockopt" "ZMQ_SNDTIMEO";
        get_rcvtimeo() -> i32, "zmq_getsockopt" "ZMQ_RCVTIMEO";
        set_rcvtimeo(value: i32) -> (), "zmq_setsockopt" "ZMQ_RCVTIMEO";
        rcvtimeo() -> Option<Duration>, "zmq_getsockopt" "ZMQ_RCVTIMEO";
        set_rcvtimeo_duration(value: Option<Duration>) -> (), "zmq_setsockopt" "ZMQ_RCVTIMEO";
        get_sndhwm() -> i32, "zmq_getsockopt" "ZMQ_SNDHWM";
        set_sndhwm(value: i32) -> (), "zmq_setsockopt" "ZMQ_SNDHWM";
        get_rcvhwm() -> i32, "zmq_getsockopt" "ZMQ_RCVHWM";
        set_rcvhwm(value: i32) -> (), "zmq_setsockopt" "ZMQ_RCVHWM";
        is_immediate() -> bool, "zmq_getsockopt" "ZMQ_IMMEDIATE";
        set_immediate(value: bool) -> (), "zmq_setsockopt" "ZMQ_IMMEDIATE";
        get_events() -> PollEvents, "zmq_getsockopt" "ZMQ_EVENTS";
    }
}

/// These socket types have no multipart messages: refuse `SNDMORE` before libzmq sees it.
#[inline]
fn refuse_more(flags: i32) -> Result<()> {
    if flags & crate::SNDMORE != 0 {
        Err(Error::EINVAL)
    } else {
        Ok(())
    }
}

impl<'a> Poller<'a> {
    /// Adds a thread-safe socket with a token that [`Poller::wait`] reports, as [`Poller::add`]. The poller may
    /// wait on one thread while other threads use the socket. Calls zmq_poller_add(3).
    ///
    /// ```
    /// # fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let server = zmq::ThreadSafeSocket::new(&ctx, zmq::SERVER)?;
    /// server.bind("inproc://doc-threadsafe-poller")?;
    /// let client = zmq::ThreadSafeSocket::new(&ctx, zmq::CLIENT)?;
    /// client.connect("inproc://doc-threadsafe-poller")?;
    /// std::thread::scope(|s| {
    ///     let waiter = s.spawn(|| {
    ///         let mut poller = zmq::Poller::new()?;
    ///         poller.add_thread_safe(&server, 1, zmq::POLLIN)?;
    ///         poller.wait(Some(std::time::Duration::from_secs(5)))
    ///     });
    ///     client.send("wake", 0)?;
    ///     assert_eq!(waiter.join().unwrap()?.token, 1);
    ///     Ok(())
    /// })
    /// # }
    /// ```
    #[doc(alias = "zmq_poller_add")]
    pub fn add_thread_safe(&mut self, socket: &'a ThreadSafeSocket, token: usize, events: PollEvents) -> Result<()> {
        self.add(&socket.inner, token, events)
    }

    /// Changes the events of interest for a thread-safe socket. Calls zmq_poller_modify(3).
    #[doc(alias = "zmq_poller_modify")]
    pub fn modify_thread_safe(&mut self, socket: &ThreadSafeSocket, events: PollEvents) -> Result<()> {
        self.modify(&socket.inner, events)
    }

    /// Removes a thread-safe socket. Calls zmq_poller_remove(3).
    #[doc(alias = "zmq_poller_remove")]
    pub fn remove_thread_safe(&mut self, socket: &ThreadSafeSocket) -> Result<()> {
        self.remove(&socket.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sndmore_is_refused_before_libzmq() {
        assert_eq!(refuse_more(crate::SNDMORE | crate::DONTWAIT), Err(Error::EINVAL));
        assert_eq!(refuse_more(crate::DONTWAIT), Ok(()));
    }
}

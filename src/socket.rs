//! Sockets: creation, bind/connect, send and receive, raw interop.

use std::fmt;
use std::os::raw::{c_int, c_void};
use std::ptr::NonNull;
use std::sync::Arc;

use crate::context::{self, ContextInner};
use crate::error::{check, Error, Result};
use crate::message::Message;

/// Rejects TCP and UDP ports that libzmq would silently read as another port. libzmq parses the text after the
/// last `:` with `strtoul` and keeps 16 bits, so `-1` means 65535, `+70000` and ` 70000` mean 4464 and `45555junk`
/// means 45555. Only `*`, or decimal digits up to 65535, name the port the user wrote. For `tcp://` both the
/// address and the source address (`tcp://source:port;address:port`) are checked; for `udp://` the part before
/// `;` is an interface and has no port.
fn check_endpoint(endpoint: &str) -> Result<()> {
    fn check_port(address: &str) -> Result<()> {
        let Some((_, port)) = address.rsplit_once(':') else {
            return Ok(()); // no port at all: libzmq itself rejects it where one is needed
        };
        let digits = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
        if port == "*" || (digits && port.parse::<u16>().is_ok()) {
            Ok(())
        } else {
            Err(Error::EINVAL)
        }
    }
    if let Some(address) = endpoint.strip_prefix("tcp://") {
        match address.rsplit_once(';') {
            Some((source, address)) => check_port(source).and(check_port(address)),
            None => check_port(address),
        }
    } else if let Some(address) = endpoint.strip_prefix("udp://") {
        check_port(address.rsplit_once(';').map_or(address, |(_, a)| a))
    } else {
        Ok(())
    }
}

/// Checks that `fd` is a listening stream socket of one of `domains` (what libzmq's listeners can take over).
fn check_listener(fd: c_int, domains: &[c_int]) -> Result<()> {
    fn int_option(fd: c_int, name: c_int) -> Result<c_int> {
        let mut value: c_int = 0;
        let mut len = std::mem::size_of::<c_int>() as libc::socklen_t;
        // SAFETY: getsockopt writes at most `len` bytes into `value`; a descriptor that is not a socket gives
        // ENOTSOCK (the caller owns `fd`, so it is open).
        let rc =
            unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, name, &mut value as *mut c_int as *mut c_void, &mut len) };
        if rc == 0 {
            Ok(value)
        } else {
            Err(Error::EINVAL)
        }
    }
    let listening = int_option(fd, libc::SO_ACCEPTCONN)? == 1;
    let stream = int_option(fd, libc::SO_TYPE)? == libc::SOCK_STREAM;
    let domain = int_option(fd, libc::SO_DOMAIN)?;
    if listening && stream && domains.contains(&domain) {
        Ok(())
    } else {
        Err(Error::EINVAL)
    }
}

/// Calls `f` with `s` as a NUL-terminated C string, without allocating for strings under 256 bytes.
/// A string with an interior NUL byte gives `EINVAL`.
pub(crate) fn with_c_str<R>(s: &str, f: impl FnOnce(*const std::os::raw::c_char) -> Result<R>) -> Result<R> {
    let bytes = s.as_bytes();
    if bytes.contains(&0) {
        return Err(Error::EINVAL);
    }
    let mut buf = [0u8; 256];
    if bytes.len() < buf.len() {
        buf[..bytes.len()].copy_from_slice(bytes);
        f(buf.as_ptr() as *const _)
    } else {
        let owned = std::ffi::CString::new(bytes).map_err(|_| Error::EINVAL)?;
        f(owned.as_ptr())
    }
}

macro_rules! socket_types {
    (stable { $( $sdoc:literal $sname:ident = $sraw:ident, )* } draft { $( $ddoc:literal $dname:ident = $draw:ident, )* }) => {
        /// The type of a socket, which sets its messaging pattern (zmq_socket(3)). The draft types exist when the
        /// crate is built with the `draft` feature against a libzmq that has them.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum SocketType {
            $( #[doc = $sdoc] $sname, )*
            $( #[doc = $ddoc] #[cfg(zmq_draft)] $dname, )*
        }

        impl SocketType {
            /// The `ZMQ_*` number of this type.
            pub fn to_raw(self) -> i32 {
                match self {
                    $( SocketType::$sname => zmq_sys::$sraw as i32, )*
                    $( #[cfg(zmq_draft)] SocketType::$dname => zmq_sys::$draw as i32, )*
                }
            }

            /// The type with this `ZMQ_*` number, if this build knows it.
            pub fn from_raw(raw: i32) -> Option<SocketType> {
                const ALL: &[SocketType] = &[
                    $( SocketType::$sname, )*
                    $( #[cfg(zmq_draft)] SocketType::$dname, )*
                ];
                ALL.iter().copied().find(|t| t.to_raw() == raw)
            }
        }
    };
}

socket_types! {
    stable {
        "Exclusive pair: one peer, both directions." PAIR = ZMQ_PAIR,
        "Publisher: sends to every matching subscriber." PUB = ZMQ_PUB,
        "Subscriber: receives what matches its subscriptions." SUB = ZMQ_SUB,
        "Requester: strict send/receive alternation, load-balanced over peers." REQ = ZMQ_REQ,
        "Replier: strict receive/send alternation." REP = ZMQ_REP,
        "Asynchronous requester: load-balances sends, fair-queues receives." DEALER = ZMQ_DEALER,
        "Asynchronous replier: frames each message with the peer's routing id." ROUTER = ZMQ_ROUTER,
        "Pipeline receiver." PULL = ZMQ_PULL,
        "Pipeline sender." PUSH = ZMQ_PUSH,
        "Publisher that also sees subscription messages." XPUB = ZMQ_XPUB,
        "Subscriber that sends subscriptions as messages." XSUB = ZMQ_XSUB,
        "Raw TCP peer." STREAM = ZMQ_STREAM,
    }
    draft {
        "Thread-safe replier addressed by routing id (draft)." SERVER = ZMQ_SERVER,
        "Thread-safe requester (draft)." CLIENT = ZMQ_CLIENT,
        "Group publisher, UDP-capable (draft)." RADIO = ZMQ_RADIO,
        "Group subscriber, UDP-capable (draft)." DISH = ZMQ_DISH,
        "Thread-safe fair-queued receiver (draft)." GATHER = ZMQ_GATHER,
        "Thread-safe load-balanced sender (draft)." SCATTER = ZMQ_SCATTER,
        "Raw UDP datagrams (draft)." DGRAM = ZMQ_DGRAM,
        "Thread-safe peer-to-peer (draft)." PEER = ZMQ_PEER,
        "Thread-safe exclusive pair (draft)." CHANNEL = ZMQ_CHANNEL,
    }
}

/// A ZeroMQ socket.
///
/// A socket may move between threads (`Send`) but not be shared by them (not `Sync`), as zmq(7) requires. It keeps
/// its context alive; dropping it closes it (`zmq_close`), after which libzmq flushes pending messages for at most
/// the socket's LINGER. A socket dropped while its thread is panicking is closed with LINGER 0, so a panic never
/// leaves the process waiting on undeliverable messages.
///
/// # What blocks
///
/// - `send` and `recv` (and `poll`) wait as libzmq does: until a peer can take or offer a frame, for at most
///   `SNDTIMEO`/`RCVTIMEO` (default -1: no limit; then `Err(EAGAIN)`), or not at all with [`crate::DONTWAIT`].
///   [`crate::Context::shutdown`] wakes them from any thread with `Err(ETERM)`. A failed `recv` leaves the
///   message it was given unchanged.
/// - `bind`, `connect`, options and dropping the socket do not wait for peers (a host name in a `tcp://` endpoint
///   is resolved by DNS within the call, as libzmq does). (libzmq's raw
///   [`Socket::monitor`] is the exception it documents: its events block the socket while no reader is connected;
///   [`crate::Monitor`] keeps a reader attached.)
/// - The context's termination, after the last socket and handle are gone, waits for each socket's LINGER: see
///   [`crate::Context`].
///
/// Bad input — an endpoint with a NUL byte, a TCP port libzmq would misread, an option value out of range, a call
/// the socket type or state does not allow — is an `Err`, never a panic.
pub struct Socket {
    raw: NonNull<c_void>,
    /// The context this socket belongs to; released only after `raw` is closed (Drop closes first). `None` for a
    /// socket adopted with `from_raw` whose context is not managed by this crate.
    ctx: Option<Arc<ContextInner>>,
}

// SAFETY: zmq_socket(7): a socket may be used from another thread provided a full memory barrier separates the
// uses, which moving a value between threads implies. It is not Sync: libzmq sockets are not thread-safe.
unsafe impl Send for Socket {}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket").field("raw", &self.raw).finish()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        if self.ctx.as_ref().is_some_and(|ctx| ctx.inherited()) {
            // A forked child's copy of a parent's socket: zmq_close would hand it to a reaper thread that does not
            // exist here, through a descriptor shared with the parent. It is left to the child's exit.
            return;
        }
        if std::thread::panicking() {
            let zero: c_int = 0;
            // SAFETY: the socket is open; LINGER takes an int.
            unsafe {
                zmq_sys::zmq_setsockopt(
                    self.raw.as_ptr(),
                    zmq_sys::ZMQ_LINGER as c_int,
                    &zero as *const c_int as *const c_void,
                    std::mem::size_of::<c_int>(),
                )
            };
        }
        // SAFETY: the socket is open and closed exactly once: here, or in close()/into_raw(), which forget `self`.
        unsafe { zmq_sys::zmq_close(self.raw.as_ptr()) };
        // `ctx` drops after this body: the context can only be terminated once the socket is closed.
    }
}

impl Socket {
    pub(crate) fn new(ctx: &Arc<ContextInner>, socket_type: i32) -> Result<Socket> {
        let ctx_raw = ctx.live_ptr()?;
        // SAFETY: the context is alive (we hold an Arc, and it was not terminated); zmq_socket returns NULL with
        // errno on failure.
        let raw = unsafe { zmq_sys::zmq_socket(ctx_raw, socket_type as c_int) };
        let raw = NonNull::new(raw).ok_or_else(Error::last)?;
        let socket = Socket { raw, ctx: Some(Arc::clone(ctx)) };
        if let Some(linger) = ctx.default_linger() {
            socket.set_linger(linger)?;
        }
        Ok(socket)
    }

    /// The context this socket belongs to, or `None` for a socket adopted with [`Socket::from_raw`] whose context
    /// this crate does not manage.
    pub fn context(&self) -> Option<crate::Context> {
        self.ctx.as_ref().map(|inner| crate::Context { inner: Arc::clone(inner) })
    }

    /// The raw socket for a libzmq call, or `ETERM` for a forked child's copy of a parent's socket (see
    /// `Context`, "After `fork()`"): one relaxed atomic load.
    #[inline]
    pub(crate) fn live(&self) -> Result<*mut c_void> {
        match &self.ctx {
            Some(ctx) if ctx.inherited() => Err(Error::ETERM),
            _ => Ok(self.raw.as_ptr()),
        }
    }

    /// The raw `void *` socket, for libzmq calls.
    #[inline]
    pub fn as_raw(&self) -> *mut c_void {
        self.raw.as_ptr()
    }

    /// The raw `void *` socket (zmq 0.10 name).
    #[inline]
    pub fn as_mut_ptr(&mut self) -> *mut c_void {
        self.raw.as_ptr()
    }

    /// Gives the raw socket to foreign code without closing it. Its context stays alive (never terminated) until
    /// [`Socket::from_raw`] takes the pointer back, so the raw socket can never be left on a terminated context and
    /// nothing waits on it.
    pub fn into_raw(self) -> *mut c_void {
        let this = std::mem::ManuallyDrop::new(self);
        let raw = this.raw.as_ptr();
        // SAFETY: `this` is never dropped, so the Arc is moved out exactly once.
        if let Some(ctx) = unsafe { std::ptr::read(&this.ctx) } {
            context::park(raw, ctx);
        }
        raw
    }

    /// Takes ownership of a raw socket: dropping the result closes it. A pointer that came from
    /// [`Socket::into_raw`] gets its context handle back.
    ///
    /// # Safety
    /// `sock` must be an open libzmq socket that nothing else closes or uses concurrently, whose context stays
    /// alive while the returned `Socket` lives.
    pub unsafe fn from_raw(sock: *mut c_void) -> Socket {
        Socket { raw: NonNull::new(sock).expect("Socket::from_raw: null pointer"), ctx: context::unpark(sock) }
    }

    /// Closes the socket, reporting libzmq's error; on failure the socket is handed back. Calls zmq_close(3).
    #[doc(alias = "zmq_close")]
    pub fn close(self) -> std::result::Result<(), (Socket, Error)> {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: the socket is open; on success it is closed and `this` is forgotten after we take the context.
        let rc = unsafe { zmq_sys::zmq_close(this.raw.as_ptr()) };
        if rc == -1 {
            let err = Error::last();
            return Err((std::mem::ManuallyDrop::into_inner(this), err));
        }
        // SAFETY: moved out once; `this` is never dropped.
        drop(unsafe { std::ptr::read(&this.ctx) });
        Ok(())
    }

    /// Accepts connections on an endpoint (`tcp://127.0.0.1:*`, `ipc://path`, `inproc://name`, …).
    ///
    /// Calls zmq_bind(3). A malformed endpoint or one with a NUL byte gives `EINVAL`; an unknown transport
    /// `EPROTONOSUPPORT`; a taken address `EADDRINUSE`. Read a wildcard port back with [`Socket::last_endpoint`].
    #[doc(alias = "zmq_bind")]
    pub fn bind(&self, endpoint: &str) -> Result<()> {
        check_endpoint(endpoint)?;
        // SAFETY: the socket is open and the endpoint is a NUL-terminated string for the duration of the call.
        with_c_str(endpoint, |ep| check(unsafe { zmq_sys::zmq_bind(self.live()?, ep) }).map(drop))
    }

    /// Binds `endpoint` on a listening socket the caller already has — from systemd socket activation, or opened
    /// before dropping privileges — instead of creating one (libzmq's `ZMQ_USE_FD`, for this one bind only).
    ///
    /// libzmq takes `listener` over and closes it when the socket unbinds or closes; if the bind fails, it is
    /// closed here. It must be a listening stream socket of the endpoint's kind — IPv4 or IPv6 for `tcp://`,
    /// Unix-domain for `ipc://` — or the call fails with `EINVAL` (libzmq would abort on some other
    /// descriptors). For `tcp://` libzmq ignores the address in `endpoint` and listens where `listener` does;
    /// [`Socket::last_endpoint`] tells where.
    ///
    /// ```
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let ctx = zmq::Context::new();
    /// let server = ctx.socket(zmq::PULL).unwrap();
    /// server.bind_with_fd("tcp://127.0.0.1:0", listener.into()).unwrap();
    /// assert_eq!(server.get_use_fd().unwrap(), -1, "the next bind creates its own socket again");
    /// ```
    #[doc(alias = "ZMQ_USE_FD")]
    pub fn bind_with_fd(&self, endpoint: &str, listener: std::os::fd::OwnedFd) -> Result<()> {
        use std::os::fd::{AsRawFd, IntoRawFd};
        let domains: &[c_int] = if endpoint.starts_with("tcp://") {
            &[libc::AF_INET, libc::AF_INET6]
        } else if endpoint.starts_with("ipc://") {
            &[libc::AF_UNIX]
        } else {
            return Err(Error::EINVAL);
        };
        check_listener(listener.as_raw_fd(), domains)?;
        // SAFETY: `listener` is an open, listening stream socket of the right family that we own. libzmq uses it
        // for the bind below only: USE_FD is reset right after, so no later bind takes (and closes) it again. (If
        // the reset fails, the context has been shut down, and no later bind can succeed either.) `&self` keeps
        // other code off this socket in between, since `Socket` is not `Sync`.
        unsafe { self.set_use_fd(listener.as_raw_fd())? };
        let bound = self.bind(endpoint);
        // SAFETY: -1 means "no descriptor".
        let reset = unsafe { self.set_use_fd(-1) };
        match bound {
            Ok(()) => {
                // libzmq owns the descriptor now and closes it with its listener.
                let _ = listener.into_raw_fd();
                reset
            }
            Err(e) => Err(e), // `listener` was not taken: dropping it closes it
        }
    }

    /// Sets `ZMQ_USE_FD`: every following `bind` (until it is set to -1 again) listens on `fd` instead of
    /// creating a socket. Prefer [`Socket::bind_with_fd`], which is safe.
    ///
    /// # Safety
    ///
    /// libzmq takes ownership of `fd` at each bind while it is set and closes it when that listener goes, so:
    /// `fd` must be an open, listening stream socket of the family the endpoint's transport uses (libzmq aborts
    /// the process on a descriptor epoll cannot watch, such as a closed one); nothing else may own or close it
    /// (a `TcpListener` would close it a second time, aborting in Rust's I/O-safety check or closing an unrelated
    /// descriptor); and at most one bind may use it — set -1 before binding again, since a second listener on
    /// the same descriptor makes libzmq close it twice, which aborts the process.
    ///
    /// Safe code cannot call it:
    ///
    /// ```compile_fail
    /// let ctx = zmq::Context::new();
    /// let s = ctx.socket(zmq::PULL).unwrap();
    /// s.set_use_fd(54321).unwrap(); // error: call to unsafe function
    /// ```
    #[doc(alias = "ZMQ_USE_FD")]
    pub unsafe fn set_use_fd(&self, fd: std::os::fd::RawFd) -> Result<()> {
        crate::sockopt::set_raw::<c_int>(self, zmq_sys::ZMQ_USE_FD as c_int, fd)
    }

    /// What `connect` must refuse before libzmq sees it: a misread port, or a SOCKS connection (see `connect`).
    fn check_connect(&self, endpoint: &str) -> Result<()> {
        check_endpoint(endpoint)?;
        if endpoint.starts_with("tcp://") {
            let proxy_set = match self.get_socks_proxy()? {
                Ok(text) => !text.is_empty(),
                Err(bytes) => !bytes.is_empty(),
            };
            if proxy_set {
                return Err(Error::ENOTSUP);
            }
        }
        Ok(())
    }

    /// Stops accepting on an endpoint bound earlier. Calls zmq_unbind(3).
    #[doc(alias = "zmq_unbind")]
    pub fn unbind(&self, endpoint: &str) -> Result<()> {
        check_endpoint(endpoint)?;
        // SAFETY: as in bind.
        with_c_str(endpoint, |ep| check(unsafe { zmq_sys::zmq_unbind(self.live()?, ep) }).map(drop))
    }

    /// Connects to an endpoint. Calls zmq_connect(3).
    ///
    /// A `tcp://` connection through a SOCKS proxy ([`Socket::set_socks_proxy`]) fails with `ENOTSUP`: libzmq 4.3
    /// frees its SOCKS connection's poll entry twice when the proxy fails, a use after free.
    #[doc(alias = "zmq_connect")]
    pub fn connect(&self, endpoint: &str) -> Result<()> {
        self.check_connect(endpoint)?;
        // SAFETY: as in bind.
        with_c_str(endpoint, |ep| check(unsafe { zmq_sys::zmq_connect(self.live()?, ep) }).map(drop))
    }

    /// Disconnects from an endpoint connected earlier. Calls zmq_disconnect(3).
    ///
    /// The connection is closed asynchronously, by libzmq's I/O thread. libzmq 4.3 can leave open, until the socket
    /// is closed, a connection that was still being set up when this was called (up to a few in a thousand such
    /// calls in `tests/churn.rs`); it carries no messages. A socket that connects and disconnects endlessly should
    /// be recreated now and then (see docs/guarantees.md, "Churn").
    #[doc(alias = "zmq_disconnect")]
    pub fn disconnect(&self, endpoint: &str) -> Result<()> {
        check_endpoint(endpoint)?;
        // SAFETY: as in bind.
        with_c_str(endpoint, |ep| check(unsafe { zmq_sys::zmq_disconnect(self.live()?, ep) }).map(drop))
    }

    /// The endpoint this socket last bound or connected to, with wildcards resolved (`ZMQ_LAST_ENDPOINT`).
    ///
    /// ```
    /// let ctx = zmq::Context::new();
    /// let s = ctx.socket(zmq::PULL).unwrap();
    /// s.bind("tcp://127.0.0.1:*").unwrap();
    /// assert!(s.last_endpoint().unwrap().starts_with("tcp://127.0.0.1:"));
    /// ```
    pub fn last_endpoint(&self) -> Result<String> {
        self.get_last_endpoint()?.map_err(|_| Error::EPROTO)
    }

    /// Binds and returns the endpoint actually bound (a wildcard port resolved).
    pub fn bind_to(&self, endpoint: &str) -> Result<String> {
        self.bind(endpoint)?;
        self.last_endpoint()
    }

    /// Joins a group, on a DISH socket (draft). Calls zmq_join(3).
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_join")]
    pub fn join(&self, group: &str) -> Result<()> {
        // SAFETY: as in bind.
        with_c_str(group, |g| check(unsafe { zmq_sys::zmq_join(self.live()?, g) }).map(drop))
    }

    /// Leaves a group, on a DISH socket (draft). Calls zmq_leave(3).
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_leave")]
    pub fn leave(&self, group: &str) -> Result<()> {
        // SAFETY: as in bind.
        with_c_str(group, |g| check(unsafe { zmq_sys::zmq_leave(self.live()?, g) }).map(drop))
    }

    /// Connects a PEER socket and returns the routing id of the new peer (draft). Calls zmq_connect_peer(3).
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_connect_peer")]
    pub fn connect_peer(&self, endpoint: &str) -> Result<u32> {
        self.check_connect(endpoint)?;
        with_c_str(endpoint, |ep| {
            // SAFETY: as in bind; zmq_connect_peer returns 0 with errno set on failure.
            match unsafe { zmq_sys::zmq_connect_peer(self.live()?, ep) } {
                0 => Err(Error::last()),
                id => Ok(id),
            }
        })
    }

    /// Sends one frame: `&[u8]`, `&str`, `Vec<u8>`, `Box<[u8]>`, `String`, a [`Message`], or anything else that
    /// converts into one. Owned buffers are handed to libzmq without copying. `flags` combines [`crate::DONTWAIT`]
    /// and [`crate::SNDMORE`]. Calls zmq_msg_send(3).
    #[doc(alias = "zmq_send")]
    #[doc(alias = "zmq_msg_send")]
    #[inline]
    pub fn send<T>(&self, data: T, flags: i32) -> Result<()>
    where
        T: Sendable,
    {
        data.send(self, flags)
    }

    /// Sends a message (kept for zmq 0.10; use [`Socket::send`]).
    #[deprecated(since = "0.9.0", note = "use `send` instead")]
    pub fn send_msg(&self, msg: Message, flags: i32) -> Result<()> {
        self.send(msg, flags)
    }

    /// Sends text (kept for zmq 0.10; use [`Socket::send`]).
    #[deprecated(since = "0.9.0", note = "use `send` instead")]
    pub fn send_str(&self, data: &str, flags: i32) -> Result<()> {
        self.send(data, flags)
    }

    /// Sends `msg` and keeps it on failure: on success `msg` is left empty; on error (e.g. `EAGAIN` with
    /// [`crate::DONTWAIT`], or a send timeout) it is unchanged, ready to retry. Calls zmq_msg_send(3).
    #[doc(alias = "zmq_msg_send")]
    #[inline]
    pub fn send_in_place(&self, msg: &mut Message, flags: i32) -> Result<()> {
        // SAFETY: the socket is open and the message initialised; on success libzmq leaves it empty (initialised),
        // on failure untouched, so it stays valid for Message's Drop either way.
        let raw = self.live()?;
        check(unsafe { zmq_sys::zmq_msg_send(msg.as_mut_msg_ptr(), raw, flags as c_int) }).map(drop)
    }

    /// Sends the frames of one multipart message: every frame but the last with `SNDMORE`. No allocation beyond
    /// each frame's own conversion into a [`Message`].
    pub fn send_multipart<I, T>(&self, iter: I, flags: i32) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: Into<Message>,
    {
        let mut iter = iter.into_iter().peekable();
        while let Some(frame) = iter.next() {
            let more = if iter.peek().is_some() { crate::SNDMORE } else { 0 };
            self.send(frame.into(), flags | more)?;
        }
        Ok(())
    }

    /// Receives one frame into `msg`, replacing its content (no allocation for the message itself). On failure
    /// (`EAGAIN` with [`crate::DONTWAIT`] or after `RCVTIMEO`, `ETERM`, `EINTR`, …) `msg` keeps its content.
    /// Calls zmq_msg_recv(3).
    #[doc(alias = "zmq_msg_recv")]
    #[inline]
    pub fn recv(&self, msg: &mut Message, flags: i32) -> Result<()> {
        // libzmq closes the message it is given before it knows whether a frame is there (fq_t::recv), so a failed
        // receive would empty `msg`: receive into a fresh message and replace `msg` only on success.
        let mut fresh = Message::new();
        // SAFETY: the socket is open and `fresh` initialised; zmq_msg_recv fills it, or leaves it empty on failure.
        let raw = self.live()?;
        check(unsafe { zmq_sys::zmq_msg_recv(fresh.as_mut_msg_ptr(), raw, flags as c_int) })?;
        *msg = fresh;
        Ok(())
    }

    /// Receives one frame into a buffer, returning the frame's full size; a longer frame is truncated to
    /// `bytes.len()`. Calls zmq_recv(3).
    #[doc(alias = "zmq_recv")]
    #[inline]
    pub fn recv_into(&self, bytes: &mut [u8], flags: i32) -> Result<usize> {
        // SAFETY: libzmq writes at most `bytes.len()` bytes into the buffer.
        let rc =
            unsafe { zmq_sys::zmq_recv(self.live()?, bytes.as_mut_ptr() as *mut c_void, bytes.len(), flags as c_int) };
        check(rc).map(|n| n as usize)
    }

    /// Receives one frame as a new [`Message`].
    #[inline]
    pub fn recv_msg(&self, flags: i32) -> Result<Message> {
        let mut msg = Message::new();
        self.recv(&mut msg, flags)?;
        Ok(msg)
    }

    /// Receives one frame as bytes.
    pub fn recv_bytes(&self, flags: i32) -> Result<Vec<u8>> {
        self.recv_msg(flags).map(|msg| msg.to_vec())
    }

    /// Receives one frame as text; `Err(bytes)` inside if it is not UTF-8.
    pub fn recv_string(&self, flags: i32) -> Result<std::result::Result<String, Vec<u8>>> {
        self.recv_bytes(flags).map(|bytes| String::from_utf8(bytes).map_err(|e| e.into_bytes()))
    }

    /// Receives all frames of one multipart message.
    pub fn recv_multipart(&self, flags: i32) -> Result<Vec<Vec<u8>>> {
        let mut parts = Vec::new();
        let mut msg = Message::new();
        loop {
            self.recv(&mut msg, flags)?;
            parts.push(msg.to_vec());
            if !msg.get_more() {
                return Ok(parts);
            }
        }
    }

    /// Receives all frames of one multipart message into `frames`, reusing the messages already there (no
    /// allocation in the steady state). Returns the number of frames; `frames` is truncated to it.
    pub fn recv_multipart_into(&self, frames: &mut Vec<Message>, flags: i32) -> Result<usize> {
        let mut n = 0;
        loop {
            if n == frames.len() {
                frames.push(Message::new());
            }
            self.recv(&mut frames[n], flags)?;
            n += 1;
            if !frames[n - 1].get_more() {
                frames.truncate(n);
                return Ok(n);
            }
        }
    }
}

impl std::os::unix::io::AsRawFd for Socket {
    /// The socket's `ZMQ_FD` (edge-triggered readiness signal), or -1 if it cannot be read.
    fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
        self.get_fd().unwrap_or(-1)
    }
}

/// Things a [`Socket`] can send as one frame.
pub trait Sendable {
    /// Sends `self` on `socket`.
    fn send(self, socket: &Socket, flags: i32) -> Result<()>;
}

impl<T> Sendable for T
where
    T: Into<Message>,
{
    #[inline]
    fn send(self, socket: &Socket, flags: i32) -> Result<()> {
        let mut msg = self.into();
        socket.send_in_place(&mut msg, flags)?;
        // zmq_msg_send(3) leaves a sent message empty, holding nothing: closing it would be a wasted call.
        std::mem::forget(msg);
        Ok(())
    }
}

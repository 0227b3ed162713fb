//! Async sockets for the tokio runtime (feature `tokio`).
//!
//! # How readiness is tracked
//!
//! libzmq signals a socket's state through one file descriptor, `ZMQ_FD`, which is edge-triggered and says only
//! "look at `ZMQ_EVENTS` again". Every call into the socket (a send, a receive, even reading `ZMQ_EVENTS`) may
//! process libzmq's pending commands and drain that descriptor, taking the edge away from a task that was waiting
//! for it. So:
//!
//! * every operation is first tried with `ZMQ_DONTWAIT`, and a waiting task reads `ZMQ_EVENTS` itself before it
//!   sleeps, after registering as a waiter;
//! * after every call into the socket, if any task is waiting, `ZMQ_EVENTS` is read and the waiting readers
//!   (writers) are woken when `POLLIN` (`POLLOUT`) is set, so an edge that one task consumed reaches the others;
//! * the descriptor itself is watched through tokio's `AsyncFd` (its own waiter list, so a reader and a writer
//!   waiting at once are both woken), never closed by us, and deregistered before libzmq closes it.

use std::cell::UnsafeCell;
use std::future::{poll_fn, Future};
use std::io;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::os::fd::{AsRawFd, RawFd};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use tokio::io::unix::AsyncFd;
use tokio::sync::futures::Notified;
use tokio::sync::Notify;

use crate::{Context, Error, Message, PollEvents, Result, Socket, SocketType, DONTWAIT, SNDMORE};

/// `ZMQ_FD` of a socket, for tokio's reactor. It does not own the descriptor: libzmq closes it with the socket.
struct ZmqFd(RawFd);

impl AsRawFd for ZmqFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// Which way a task waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    In,
    Out,
}

impl Direction {
    fn event(self) -> PollEvents {
        match self {
            Direction::In => PollEvents::POLLIN,
            Direction::Out => PollEvents::POLLOUT,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The socket and the bookkeeping of its waiters, under one lock: a call into the socket and a task registering
/// as a waiter are ordered by the lock, so no call can miss a waiter and no waiter can miss a call, with no atomic
/// operation beyond the lock's own.
struct Locked {
    socket: Socket,
    /// Calls into the socket so far.
    calls: u64,
    /// Tasks waiting, by direction, between registering and returning.
    waiting: [usize; 2],
}

/// The lock around [`Locked`]: an atomic swap to take it and a plain store to release it.
///
/// A `std::sync::Mutex` also costs an atomic swap on release (to learn whether a thread sleeps on it): about 9 ns
/// of the ~30 ns an async send + receive adds to the blocking calls (`cargo bench --bench overhead`). The price is
/// that a contending thread cannot sleep on this lock: it spins, then yields, then naps 50 µs at a time. Calls
/// under it are short — `DONTWAIT` calls, option accesses, binds — and it is never held across an `.await`, so
/// contention needs two threads of a multi-thread runtime calling into one socket at the same instant.
struct CallLock {
    held: AtomicBool,
    value: UnsafeCell<Locked>,
}

// SAFETY: `value` is reached only through a `CallGuard`, and at most one guard exists at a time: `held` is taken by
// an acquiring swap that found it false and given back by a releasing store, so the accesses of successive
// holders are ordered (acquire/release) and never overlap. The guard is neither `Send` nor `Sync`, so the `&Locked`
// and `&mut Locked` it lends stay on the holder's thread. `Locked` is `Send` (a `Socket` is), which is what moving
// it from one holder's thread to the next's needs.
unsafe impl Sync for CallLock {}

impl CallLock {
    fn new(value: Locked) -> CallLock {
        CallLock { held: AtomicBool::new(false), value: UnsafeCell::new(value) }
    }

    #[inline]
    fn lock(&self) -> CallGuard<'_> {
        if self.held.swap(true, Ordering::Acquire) {
            self.lock_contended();
        }
        CallGuard { lock: self, _not_send_or_sync: PhantomData }
    }

    #[cold]
    fn lock_contended(&self) {
        let mut tries = 0u32;
        loop {
            while self.held.load(Ordering::Relaxed) {
                tries += 1;
                if tries < 64 {
                    std::hint::spin_loop();
                } else if tries < 128 {
                    std::thread::yield_now();
                } else {
                    std::thread::sleep(std::time::Duration::from_micros(50));
                }
            }
            if !self.held.swap(true, Ordering::Acquire) {
                return;
            }
        }
    }

    fn into_inner(self) -> Locked {
        self.value.into_inner()
    }
}

/// Holds the [`CallLock`]; releases it on drop (also when a `with_socket` closure panics: a libzmq call is not
/// interrupted by unwinding, so the socket stays consistent).
struct CallGuard<'a> {
    lock: &'a CallLock,
    _not_send_or_sync: PhantomData<*const ()>,
}

impl Deref for CallGuard<'_> {
    type Target = Locked;
    #[inline]
    fn deref(&self) -> &Locked {
        // SAFETY: this guard is the only one (see `CallLock`), so no `&mut Locked` exists meanwhile.
        unsafe { &*self.lock.value.get() }
    }
}

impl DerefMut for CallGuard<'_> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Locked {
        // SAFETY: this guard is the only one, and `&mut self` makes this borrow the only one through it.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl Drop for CallGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.lock.held.store(false, Ordering::Release);
    }
}

/// The socket's descriptor registered with tokio's reactor. Dropping it deregisters the descriptor, except in a
/// forked child: the child shares the parent's epoll instance, and deregistering there would take the descriptor
/// out of the parent's set too (its next wait on this socket would never wake). The child leaves it alone.
struct Registered {
    fd: Option<AsyncFd<ZmqFd>>,
    generation: u32,
}

impl Deref for Registered {
    type Target = AsyncFd<ZmqFd>;
    fn deref(&self) -> &AsyncFd<ZmqFd> {
        self.fd.as_ref().expect("registered until dropped")
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if crate::context::fork_generation() != self.generation {
            std::mem::forget(self.fd.take());
        }
    }
}

/// What all handles of one async socket share.
struct Shared {
    // Field order is drop order: the descriptor is deregistered from the reactor while libzmq still has it open.
    fd: Registered,
    locked: CallLock,
    /// Wake-ups for the waiting readers and writers.
    notify: [Notify; 2],
}

/// Counts a task as waiting while it lives (also when its future is dropped half-way).
struct Registration<'a> {
    shared: &'a Shared,
    direction: Direction,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.shared.lock().waiting[self.direction.index()] -= 1;
    }
}

/// Turns a reactor error (the runtime shutting down, say) into the crate's error type.
fn reactor_error(err: io::Error) -> Error {
    err.raw_os_error().map(Error::from_raw).unwrap_or(Error::ETERM)
}

impl Shared {
    fn lock(&self) -> CallGuard<'_> {
        self.locked.lock()
    }

    /// Registers the calling task as waiting for `direction`; returns the registration and the number of calls
    /// made so far. The caller enables its `Notified` first, so that any call after this one can wake it.
    fn register(&self, direction: Direction) -> (Registration<'_>, u64) {
        let mut locked = self.lock();
        locked.waiting[direction.index()] += 1;
        (Registration { shared: self, direction }, locked.calls)
    }

    /// Runs one call into the socket, then passes on any readiness it may have consumed to the waiting tasks
    /// (not counting the caller itself, if it waits for `mine`). Returns the number of calls made so far.
    fn call<R>(&self, mine: Option<Direction>, f: impl FnOnce(&Socket) -> R) -> (R, u64) {
        let mut locked = self.lock();
        let result = f(&locked.socket);
        locked.calls += 1;
        let calls = locked.calls;
        let others = |direction: Direction| locked.waiting[direction.index()] > usize::from(mine == Some(direction));
        let mut wake = [false; 2];
        if others(Direction::In) || others(Direction::Out) {
            // Wake the readers (writers) if POLLIN (POLLOUT) is set, or all of them if ZMQ_EVENTS failed: they will
            // see the error themselves. Other tasks waiting the same way as the caller are woken too.
            let ready = locked.socket.get_events().unwrap_or(PollEvents::POLLIN | PollEvents::POLLOUT);
            for direction in [Direction::In, Direction::Out] {
                wake[direction.index()] = ready.contains(direction.event()) && others(direction);
            }
        }
        // Wakers run outside the lock: an executor's waker may poll a task at once, and that task may call into
        // this socket. (A waiter registered before this call has its `Notified` enabled, so it is still reached.)
        drop(locked);
        for direction in [Direction::In, Direction::Out] {
            if wake[direction.index()] {
                self.notify[direction.index()].notify_waiters();
            }
        }
        (result, calls)
    }

    fn op<R>(&self, f: impl FnOnce(&Socket) -> R) -> R {
        self.call(None, f).0
    }

    /// Sleeps until the descriptor signals (a new edge) or another call into the socket notifies `notified`.
    async fn edge_or_notified(&self, mut notified: Pin<&mut Notified<'_>>) -> Result<()> {
        let mut readable = pin!(self.fd.readable());
        poll_fn(|cx| {
            if notified.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ok(()));
            }
            match readable.as_mut().poll(cx) {
                Poll::Ready(Ok(mut guard)) => {
                    // Forgetting this edge is safe: the caller calls into the socket (which processes libzmq's
                    // pending commands) before it sleeps again, and any later edge sets the readiness anew.
                    guard.clear_ready();
                    Poll::Ready(Ok(()))
                }
                Poll::Ready(Err(err)) => Poll::Ready(Err(reactor_error(err))),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }

    /// Waits until the socket reports `direction`'s event (or an error, returned).
    async fn ready(&self, direction: Direction) -> Result<()> {
        let notify = &self.notify[direction.index()];
        let mut notified = pin!(notify.notified());
        notified.as_mut().enable();
        let _registered = self.register(direction);
        loop {
            // ZMQ_EVENTS processes all of libzmq's pending commands, so what it reports is the truth; any change
            // after it comes as a new edge or from another call, which wakes us.
            if self.call(Some(direction), |socket| socket.get_events()).0?.contains(direction.event()) {
                return Ok(());
            }
            self.edge_or_notified(notified.as_mut()).await?;
            notified.set(notify.notified());
            notified.as_mut().enable();
        }
    }

    /// Runs `f` (a `DONTWAIT` call) until it does not fail with `EAGAIN`, waiting for `direction` in between.
    ///
    /// The first try costs one call into libzmq and no registration. Only when it fails does the task register
    /// as a waiter; if another task called into the socket between the failed try and the registration (and may
    /// have taken the edge meant for us), it tries again before it sleeps. Every call after the registration
    /// sees it and wakes us when our event is set.
    async fn io<R>(&self, direction: Direction, mut f: impl FnMut(&Socket) -> Result<R>) -> Result<R> {
        match self.call(None, &mut f) {
            (Err(Error::EAGAIN), tried_at) => {
                // Boxed: the waiting machinery (two futures of tokio's) would make every call's future several
                // hundred bytes, copied on each call even when it completes at once.
                Box::pin(self.wait_and_retry(direction, &mut f, tried_at)).await
            }
            (done, _) => done,
        }
    }

    /// The rest of [`Shared::io`] after a first try that failed with `EAGAIN` (call number `tried_at`).
    async fn wait_and_retry<R>(
        &self,
        direction: Direction,
        f: &mut impl FnMut(&Socket) -> Result<R>,
        tried_at: u64,
    ) -> Result<R> {
        let notify = &self.notify[direction.index()];
        let mut notified = pin!(notify.notified());
        notified.as_mut().enable();
        let (_registered, registered_at) = self.register(direction);
        let mut retry = registered_at != tried_at;
        // A socket may report an event and still refuse the call (a ROUTER with ROUTER_MANDATORY reports POLLOUT
        // when any peer can take a message, not the one addressed): after such a refusal, wait for a change.
        let mut trust_events = true;
        loop {
            if retry {
                match self.call(Some(direction), &mut *f).0 {
                    Err(Error::EAGAIN) => {}
                    done => return done,
                }
            }
            // A receive that fails has processed all of libzmq's pending commands, so its EAGAIN is the truth. A
            // send may have put them off: ZMQ_EVENTS processes them, and tells whether to try again at once.
            if direction == Direction::Out {
                let events = self.call(Some(direction), |socket| socket.get_events()).0?;
                if trust_events && events.contains(direction.event()) {
                    trust_events = false;
                    retry = true;
                    continue;
                }
            }
            self.edge_or_notified(notified.as_mut()).await?;
            notified.set(notify.notified());
            notified.as_mut().enable();
            trust_events = true;
            retry = true;
        }
    }
}

/// A boxed call in progress, kept by the `Stream` and `Sink` implementations between polls.
type Pending<T> = Pin<Box<dyn Future<Output = Result<T>> + Send + Sync>>;

/// Receives one whole multipart message without waiting, into `frames` (truncated to the frame count).
///
/// libzmq delivers the frames of a message together: once the first is there, the others are too, so only the
/// first receive can fail with `EAGAIN`, and nothing is consumed then.
fn recv_frames(socket: &Socket, frames: &mut Vec<Message>) -> Result<usize> {
    socket.recv_multipart_into(frames, DONTWAIT)
}

/// Sends a whole multipart message without waiting. Only the first frame can fail with `EAGAIN` (libzmq accepts
/// the rest of a message once it accepted its first frame), and then nothing was sent and `frames` is unchanged.
/// On success the frames are left empty.
fn send_frames(socket: &Socket, frames: &mut [Message], flags: i32) -> Result<()> {
    let last = frames.len().saturating_sub(1);
    for (i, frame) in frames.iter_mut().enumerate() {
        let more = if i < last { SNDMORE } else { 0 };
        socket.send_in_place(frame, flags | DONTWAIT | more)?;
    }
    Ok(())
}

/// A socket for async code on the tokio runtime: `send` and `recv` are `async fn`s that wait without blocking
/// a thread (feature `tokio`).
///
/// It wraps a [`Socket`] of any type that has a `ZMQ_FD` (every classic type: REQ, REP, DEALER, ROUTER, PUB,
/// SUB, XPUB, XSUB, PUSH, PULL, PAIR, STREAM). Its methods take `&self` and handles are cheap to [`Clone`], so a
/// reader task and a writer task may use one socket at once (each wait has its own wake-up; calls into libzmq are
/// serialised by a mutex). The socket is closed when the last handle is dropped.
///
/// Every operation first tries without waiting, so a message that can go or come at once costs no wake-up.
///
/// # Cancellation
///
/// A future of this type may be dropped at any `.await` point (by `select!`, `tokio::time::timeout`, an aborted
/// task):
///
/// * `recv*`: nothing is consumed. A message is taken from libzmq only in the same poll that returns it.
/// * `send_multipart`: the frames go out all together in one poll, or none do: a cancelled multipart send never
///   leaves half a message behind. `send` with [`SNDMORE`] sends one frame, which is a part of whatever message it
///   belongs to: cancel between frames and the next send continues that message.
/// * `send*` futures own their message: dropping one before it completes drops the message unsent. To keep an
///   unsent message, use the [`futures_sink::Sink`] implementation, which holds it until it is flushed, or
///   [`AsyncSocket::try_send_in_place`].
/// * REQ: cancelling `recv` after a `send` leaves the REQ socket waiting for that reply; a new `send` fails with
///   `EFSM`. Set `ZMQ_REQ_RELAXED` (a new request is allowed) and `ZMQ_REQ_CORRELATE` (the late reply to the old
///   one is dropped) with [`Socket::set_req_relaxed`] and [`Socket::set_req_correlate`] to retry instead.
///
/// # Shutdown and errors
///
/// [`Context::shutdown`] wakes every pending future of the context's sockets with `Err(ETERM)`. If the tokio
/// runtime shuts down while a future waits, the future fails with `ETERM` too. Dropping the last handle
/// deregisters the descriptor from the reactor, then closes the socket (with its LINGER, as [`Socket`] does).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> zmq::Result<()> {
/// let ctx = zmq::Context::new();
/// let server = zmq::AsyncSocket::new(&ctx, zmq::REP)?;
/// server.bind("tcp://127.0.0.1:*")?;
/// let client = zmq::AsyncSocket::new(&ctx, zmq::REQ)?;
/// client.connect(&server.last_endpoint()?)?;
///
/// client.send("Hello", 0).await?;
/// assert_eq!(server.recv_msg().await?.as_str(), Some("Hello"));
/// server.send("World", 0).await?;
/// assert_eq!(client.recv_msg().await?.as_str(), Some("World"));
/// # Ok(())
/// # }
/// ```
pub struct AsyncSocket {
    shared: Arc<Shared>,
    /// The `Stream`'s receive that had to wait.
    stream: Option<Pending<Vec<Message>>>,
    /// The `Sink`'s message not yet tried, or its send that had to wait (which owns the message).
    sink_frames: Option<Vec<Message>>,
    sink: Option<Pending<()>>,
}

impl std::fmt::Debug for AsyncSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncSocket").field("fd", &self.shared.fd.get_ref().0).finish_non_exhaustive()
    }
}

impl Clone for AsyncSocket {
    /// Another handle to the same socket, with its own `Stream`/`Sink` state.
    fn clone(&self) -> AsyncSocket {
        AsyncSocket { shared: Arc::clone(&self.shared), stream: None, sink_frames: None, sink: None }
    }
}

impl AsyncSocket {
    /// Creates a socket of `socket_type` on `ctx` for async use. Calls zmq_socket(3).
    ///
    /// Must be called within a tokio runtime whose I/O driver is enabled (`Runtime::enable_io`, on by default in
    /// `#[tokio::main]`), else `Err(EINVAL)`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let dealer = zmq::AsyncSocket::new(&ctx, zmq::DEALER)?;
    /// assert_eq!(dealer.get_socket_type()?, zmq::DEALER);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(ctx: &Context, socket_type: SocketType) -> Result<AsyncSocket> {
        AsyncSocket::from_socket(ctx.socket(socket_type)?)
    }

    /// Makes a blocking socket async (see [`AsyncSocket::new`] for the runtime it needs). Its options are kept.
    ///
    /// The draft thread-safe types (SERVER, CLIENT, RADIO, DISH, SCATTER, GATHER, PEER, CHANNEL) have no `ZMQ_FD`
    /// to wait on and give `Err(EINVAL)` (the socket is dropped); use `ThreadSafeSocket` (draft builds) from blocking
    /// threads (e.g. `tokio::task::spawn_blocking`) for them.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let blocking = ctx.socket(zmq::SUB)?;
    /// blocking.set_rcvhwm(10)?;
    /// let sub = zmq::AsyncSocket::from_socket(blocking)?;
    /// assert_eq!(sub.with_socket(|s| s.get_rcvhwm())?, 10);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_socket(socket: Socket) -> Result<AsyncSocket> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::EINVAL);
        }
        let fd = ZmqFd(socket.get_fd()?);
        // tokio panics (rather than failing) when the runtime was built without its I/O driver: contain that.
        let registered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // SAFETY: ZMQ_FD stays open, as the same descriptor, for as long as the socket is open; the `AsyncFd` is
            // dropped before the socket (field order of `Shared`, and `into_socket` drops it first), and `ZmqFd`
            // returns the same number on every call.
            unsafe { AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE) }
        }));
        let fd = match registered {
            Ok(Ok(fd)) => Registered { fd: Some(fd), generation: crate::context::fork_generation() },
            Ok(Err(err)) => return Err(reactor_error(err.into_parts().1)),
            Err(_) => return Err(Error::EINVAL),
        };
        let shared = Shared {
            fd,
            locked: CallLock::new(Locked { socket, calls: 0, waiting: [0, 0] }),
            notify: [Notify::new(), Notify::new()],
        };
        Ok(AsyncSocket { shared: Arc::new(shared), stream: None, sink_frames: None, sink: None })
    }

    /// Gives the blocking socket back, if this is its last handle; else `Err(self)`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let async_pair = zmq::AsyncSocket::new(&ctx, zmq::PAIR)?;
    /// let blocking = async_pair.into_socket().expect("the only handle");
    /// assert_eq!(blocking.get_socket_type()?, zmq::PAIR);
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_socket(self) -> std::result::Result<Socket, AsyncSocket> {
        match Arc::try_unwrap(self.shared) {
            Ok(shared) => {
                let Shared { fd, locked, .. } = shared;
                drop(fd); // deregister first
                Ok(locked.into_inner().socket)
            }
            Err(shared) => Err(AsyncSocket { shared, stream: None, sink_frames: None, sink: None }),
        }
    }

    /// Runs `f` with the blocking socket, for any option or call this type does not forward, e.g.
    /// `sock.with_socket(|s| s.set_sndhwm(10))`. Other handles' calls wait meanwhile; `f` must not block (no
    /// blocking send or receive: use this type's methods), and must not call this socket's own `AsyncSocket`
    /// methods (through any handle): the socket's lock is not reentrant, so that call would wait for ever.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.with_socket(|s| s.set_sndhwm(100))?;
    /// assert_eq!(push.with_socket(|s| s.get_sndhwm())?, 100);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_socket<R>(&self, f: impl FnOnce(&Socket) -> R) -> R {
        self.shared.op(f)
    }

    /// Accepts connections on an endpoint (see [`Socket::bind`]). Calls zmq_bind(3).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let rep = zmq::AsyncSocket::new(&ctx, zmq::REP)?;
    /// rep.bind("tcp://127.0.0.1:*")?;
    /// assert!(rep.last_endpoint()?.starts_with("tcp://127.0.0.1:"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn bind(&self, endpoint: &str) -> Result<()> {
        self.with_socket(|s| s.bind(endpoint))
    }

    /// Connects to an endpoint (see [`Socket::connect`]). Calls zmq_connect(3).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let req = zmq::AsyncSocket::new(&ctx, zmq::REQ)?;
    /// req.connect("tcp://127.0.0.1:5555")?; // connects in the background, whenever a peer is there
    /// # Ok(())
    /// # }
    /// ```
    pub fn connect(&self, endpoint: &str) -> Result<()> {
        self.with_socket(|s| s.connect(endpoint))
    }

    /// Stops accepting on an endpoint. Calls zmq_unbind(3).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://unbind-example")?;
    /// pull.unbind("inproc://unbind-example")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn unbind(&self, endpoint: &str) -> Result<()> {
        self.with_socket(|s| s.unbind(endpoint))
    }

    /// Disconnects from an endpoint. Calls zmq_disconnect(3).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("tcp://127.0.0.1:5555")?;
    /// push.disconnect("tcp://127.0.0.1:5555")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn disconnect(&self, endpoint: &str) -> Result<()> {
        self.with_socket(|s| s.disconnect(endpoint))
    }

    /// The last endpoint bound or connected, with a wildcard port resolved (`ZMQ_LAST_ENDPOINT`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("ipc:///tmp/zmq-async-doc.ipc")?;
    /// assert_eq!(pull.last_endpoint()?, "ipc:///tmp/zmq-async-doc.ipc");
    /// # Ok(())
    /// # }
    /// ```
    pub fn last_endpoint(&self) -> Result<String> {
        self.with_socket(|s| s.last_endpoint())
    }

    /// The socket's type (`ZMQ_TYPE`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let router = zmq::AsyncSocket::new(&ctx, zmq::ROUTER)?;
    /// assert_eq!(router.get_socket_type()?, zmq::ROUTER);
    /// # Ok(())
    /// # }
    /// ```
    pub fn get_socket_type(&self) -> Result<SocketType> {
        self.with_socket(|s| s.get_socket_type())
    }

    /// Subscribes a SUB socket to messages starting with `prefix` (`ZMQ_SUBSCRIBE`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let publisher = zmq::AsyncSocket::new(&ctx, zmq::XPUB)?;
    /// publisher.bind("inproc://weather")?;
    /// let subscriber = zmq::AsyncSocket::new(&ctx, zmq::SUB)?;
    /// subscriber.connect("inproc://weather")?;
    /// subscriber.set_subscribe(b"10001 ")?;
    /// assert_eq!(&publisher.recv_msg().await?[..], b"\x0110001 "); // the subscription reaches the XPUB
    /// publisher.send("10001 72F", 0).await?;
    /// assert_eq!(subscriber.recv_msg().await?.as_str(), Some("10001 72F"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_subscribe(&self, prefix: &[u8]) -> Result<()> {
        self.with_socket(|s| s.set_subscribe(prefix))
    }

    /// Removes a subscription (`ZMQ_UNSUBSCRIBE`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let subscriber = zmq::AsyncSocket::new(&ctx, zmq::SUB)?;
    /// subscriber.set_subscribe(b"news")?;
    /// subscriber.set_unsubscribe(b"news")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_unsubscribe(&self, prefix: &[u8]) -> Result<()> {
        self.with_socket(|s| s.set_unsubscribe(prefix))
    }

    /// Sends one frame (anything [`Socket::send`] takes that converts into a [`Message`]); `flags` may hold
    /// [`SNDMORE`] (`DONTWAIT` is implied). Waits while the socket cannot send (at its HWM, or with no peer for
    /// socket types that need one). Calls zmq_msg_send(3).
    ///
    /// Cancellation: dropping the future before it completes drops the frame unsent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://example")?;
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("inproc://example")?;
    /// push.send("part one", zmq::SNDMORE).await?;
    /// push.send(b"part two".to_vec(), 0).await?; // a Vec goes to libzmq without a copy
    /// assert_eq!(pull.recv_multipart().await?.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn send<T: Into<Message>>(&self, data: T, flags: i32) -> impl Future<Output = Result<()>> + Send + '_ {
        // Converted before the future is made, so the future holds the message only, not also what it came from.
        let mut msg = data.into();
        async move { self.shared.io(Direction::Out, |s| s.send_in_place(&mut msg, flags | DONTWAIT)).await }
    }

    /// Sends the frames of one multipart message, all in one go: no frame is sent until all can be. Calls
    /// zmq_msg_send(3) for each frame.
    ///
    /// Cancellation: the message is either sent whole or not at all; dropping the future before it completes
    /// drops the message unsent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://example")?;
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("inproc://example")?;
    /// push.send_multipart(["key", "value"], 0).await?;
    /// let frames = pull.recv_multipart().await?;
    /// assert_eq!(frames[1].as_str(), Some("value"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_multipart<I, T>(&self, frames: I, flags: i32) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: Into<Message>,
    {
        let mut frames: Vec<Message> = frames.into_iter().map(Into::into).collect();
        self.shared.io(Direction::Out, |s| send_frames(s, &mut frames, flags)).await
    }

    /// Sends `frames` as one multipart message if that can be done now, without waiting: `Err(EAGAIN)` leaves
    /// `frames` untouched for a later try (on success the frames are left empty).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?; // no peer: nothing can be sent
    /// let mut frames = [zmq::Message::from("kept")];
    /// assert_eq!(push.try_send_in_place(&mut frames, 0), Err(zmq::Error::EAGAIN));
    /// assert_eq!(frames[0].as_str(), Some("kept")); // still here, for a later try
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_send_in_place(&self, frames: &mut [Message], flags: i32) -> Result<()> {
        self.shared.op(|s| send_frames(s, frames, flags))
    }

    /// Receives one frame. Check [`Message::get_more`] for more frames of the same message. Calls
    /// zmq_msg_recv(3).
    ///
    /// Cancellation: safe; no frame is consumed unless the future completes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://example")?;
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("inproc://example")?;
    /// push.send("hello", 0).await?;
    /// let msg = pull.recv_msg().await?;
    /// assert_eq!(msg.as_str(), Some("hello"));
    /// assert!(!msg.get_more());
    /// # Ok(())
    /// # }
    /// ```
    pub fn recv_msg(&self) -> impl Future<Output = Result<Message>> + Send + '_ {
        self.shared.io(Direction::In, |s| s.recv_msg(DONTWAIT))
    }

    /// Receives one frame into `msg`, replacing its content (kept on failure). Calls zmq_msg_recv(3).
    ///
    /// Cancellation: safe; `msg` is only changed when the future completes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://example")?;
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("inproc://example")?;
    /// let mut msg = zmq::Message::new(); // reused for every receive
    /// for word in ["one", "two"] {
    ///     push.send(word, 0).await?;
    ///     pull.recv(&mut msg).await?;
    ///     assert_eq!(msg.as_str(), Some(word));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn recv<'a>(&'a self, msg: &'a mut Message) -> impl Future<Output = Result<()>> + Send + 'a {
        self.shared.io(Direction::In, move |s| s.recv(msg, DONTWAIT))
    }

    /// Receives one frame into a buffer, returning the frame's full size (a longer frame is truncated). Calls
    /// zmq_recv(3).
    ///
    /// Cancellation: safe; nothing is consumed unless the future completes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://example")?;
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("inproc://example")?;
    /// push.send("a longer message", 0).await?;
    /// let mut buf = [0u8; 8];
    /// assert_eq!(pull.recv_into(&mut buf).await?, 16); // the full size; 8 bytes were kept
    /// assert_eq!(&buf, b"a longer");
    /// # Ok(())
    /// # }
    /// ```
    pub fn recv_into<'a>(&'a self, buf: &'a mut [u8]) -> impl Future<Output = Result<usize>> + Send + 'a {
        self.shared.io(Direction::In, move |s| s.recv_into(buf, DONTWAIT))
    }

    /// Receives one frame as bytes.
    ///
    /// Cancellation: safe, as [`AsyncSocket::recv_msg`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://example")?;
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("inproc://example")?;
    /// push.send(&[1u8, 2, 3][..], 0).await?;
    /// assert_eq!(pull.recv_bytes().await?, vec![1, 2, 3]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recv_bytes(&self) -> Result<Vec<u8>> {
        self.recv_msg().await.map(|msg| msg.to_vec())
    }

    /// Receives one frame as text; `Err(bytes)` inside if it is not UTF-8.
    ///
    /// Cancellation: safe, as [`AsyncSocket::recv_msg`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://example")?;
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("inproc://example")?;
    /// push.send("text", 0).await?;
    /// push.send(&[0xffu8][..], 0).await?;
    /// assert_eq!(pull.recv_string().await?, Ok("text".to_string()));
    /// assert_eq!(pull.recv_string().await?, Err(vec![0xff]));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recv_string(&self) -> Result<std::result::Result<String, Vec<u8>>> {
        self.recv_bytes().await.map(|bytes| String::from_utf8(bytes).map_err(|e| e.into_bytes()))
    }

    /// Receives all frames of one multipart message (without copying their payloads).
    ///
    /// Cancellation: safe; the frames are taken from libzmq all in the poll that returns them.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let router = zmq::AsyncSocket::new(&ctx, zmq::ROUTER)?;
    /// router.bind("inproc://multipart")?;
    /// let dealer = zmq::AsyncSocket::new(&ctx, zmq::DEALER)?;
    /// dealer.with_socket(|s| s.set_identity(b"me"))?;
    /// dealer.connect("inproc://multipart")?;
    /// dealer.send_multipart(["", "request"], 0).await?;
    /// let frames = router.recv_multipart().await?; // the envelope comes first
    /// assert_eq!(&frames[0][..], b"me");
    /// assert_eq!(frames[2].as_str(), Some("request"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recv_multipart(&self) -> Result<Vec<Message>> {
        let mut frames = Vec::new();
        self.recv_multipart_into(&mut frames).await?;
        Ok(frames)
    }

    /// Receives all frames of one multipart message into `frames`, reusing the messages already there; returns
    /// the frame count (`frames` is truncated to it).
    ///
    /// Cancellation: safe; `frames` is only changed in the poll that completes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://example")?;
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("inproc://example")?;
    /// let mut frames = Vec::new(); // reused: no allocation in the steady state
    /// push.send_multipart(["a", "b", "c"], 0).await?;
    /// assert_eq!(pull.recv_multipart_into(&mut frames).await?, 3);
    /// push.send_multipart(["d"], 0).await?;
    /// assert_eq!(pull.recv_multipart_into(&mut frames).await?, 1);
    /// assert_eq!(frames[0].as_str(), Some("d"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recv_multipart_into(&self, frames: &mut Vec<Message>) -> Result<usize> {
        self.shared.io(Direction::In, |s| recv_frames(s, frames)).await
    }

    /// Waits until the socket can receive (`POLLIN`) without consuming anything.
    ///
    /// Cancellation: safe.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://example")?;
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("inproc://example")?;
    /// push.send("wake up", 0).await?;
    /// pull.readable().await?; // a message is there, still unread
    /// assert_eq!(pull.recv_msg().await?.as_str(), Some("wake up"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn readable(&self) -> Result<()> {
        self.shared.ready(Direction::In).await
    }

    /// Waits until the socket can send (`POLLOUT`).
    ///
    /// Cancellation: safe.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> zmq::Result<()> {
    /// let ctx = zmq::Context::new();
    /// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
    /// pull.bind("inproc://example")?;
    /// let push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
    /// push.connect("inproc://example")?;
    /// push.writable().await?; // connected, below its HWM
    /// push.send("now", 0).await?;
    /// # let _ = pull;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn writable(&self) -> Result<()> {
        self.shared.ready(Direction::Out).await
    }
}

/// Polls a stored call; `None` if there is none.
fn poll_pending<T>(slot: &mut Option<Pending<T>>, cx: &mut TaskContext<'_>) -> Poll<Option<Result<T>>> {
    let Some(pending) = slot else { return Poll::Ready(None) };
    let result = std::task::ready!(pending.as_mut().poll(cx));
    *slot = None;
    Poll::Ready(Some(result))
}

/// Multipart messages received, one `Vec<Message>` each. The stream does not end: after `Context::shutdown` it
/// yields `Err(ETERM)`.
///
/// Cancellation: dropping a pending `next()` consumes nothing; a receive that had to wait stays with the stream
/// and completes at its next poll.
///
/// ```
/// use futures::{SinkExt, StreamExt};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> zmq::Result<()> {
/// let ctx = zmq::Context::new();
/// let mut pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
/// pull.bind("inproc://stream")?;
/// let mut push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
/// push.connect("inproc://stream")?;
/// for i in 0..3 {
///     SinkExt::send(&mut push, [format!("message {i}")]).await?;
/// }
/// let first_three: Vec<_> = (&mut pull).take(3).collect().await;
/// assert_eq!(first_three[2].as_ref().unwrap()[0].as_str(), Some("message 2"));
/// # Ok(())
/// # }
/// ```
impl futures_core::Stream for AsyncSocket {
    type Item = Result<Vec<Message>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.stream.is_none() {
            let mut frames = Vec::new();
            match this.shared.op(|s| recv_frames(s, &mut frames)) {
                Err(Error::EAGAIN) => {}
                done => return Poll::Ready(Some(done.map(|_| frames))),
            }
            let shared = Arc::clone(&this.shared);
            this.stream = Some(Box::pin(async move {
                let mut frames = Vec::new();
                shared.io(Direction::In, |s| recv_frames(s, &mut frames)).await?;
                Ok(frames)
            }));
        }
        poll_pending(&mut this.stream, cx)
    }
}

impl AsyncSocket {
    fn poll_flush_frames(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<()>> {
        if let Some(mut frames) = self.sink_frames.take() {
            match self.shared.op(|s| send_frames(s, &mut frames, 0)) {
                Err(Error::EAGAIN) => {}
                done => return Poll::Ready(done),
            }
            let shared = Arc::clone(&self.shared);
            self.sink =
                Some(Box::pin(async move { shared.io(Direction::Out, |s| send_frames(s, &mut frames, 0)).await }));
        }
        poll_pending(&mut self.sink, cx).map(|done| done.unwrap_or(Ok(())))
    }
}

/// Sends multipart messages: any iterable of frames that convert into [`Message`]s (`Vec<Message>`,
/// `[&str; 2]`, `Vec<Vec<u8>>`, …), each one whole message.
///
/// `start_send` keeps the message in the sink and `poll_flush` (or the next `poll_ready`) sends it, whole, in one
/// poll: a message given to the sink is not lost if a flush is cancelled; it stays in the sink and goes with the
/// next flush. Dropping the sink drops a message it still holds.
///
/// The inherent [`AsyncSocket::send`] takes flags; with `SinkExt` in scope, call the sink's as
/// `SinkExt::send(&mut socket, frames)`, or use `feed`/`send_all`:
///
/// ```
/// use futures::{stream, SinkExt, StreamExt};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> zmq::Result<()> {
/// let ctx = zmq::Context::new();
/// let pull = zmq::AsyncSocket::new(&ctx, zmq::PULL)?;
/// pull.bind("inproc://sink")?;
/// let mut push = zmq::AsyncSocket::new(&ctx, zmq::PUSH)?;
/// push.connect("inproc://sink")?;
/// let mut messages = stream::iter((0..100).map(|i| Ok(vec![i.to_string(), "payload".to_string()])));
/// push.send_all(&mut messages).await?;
/// for i in 0..100 {
///     assert_eq!(pull.recv_multipart().await?[0].as_str(), Some(i.to_string().as_str()));
/// }
/// # Ok(())
/// # }
/// ```
impl<I, T> futures_sink::Sink<I> for AsyncSocket
where
    I: IntoIterator<Item = T>,
    T: Into<Message>,
{
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_flush_frames(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: I) -> Result<()> {
        let this = self.get_mut();
        if this.sink_frames.is_some() || this.sink.is_some() {
            // `poll_ready` was not called first.
            return Err(Error::EAGAIN);
        }
        this.sink_frames = Some(item.into_iter().map(Into::into).collect());
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_flush_frames(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_flush_frames(cx)
    }
}

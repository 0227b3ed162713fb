//! The context: libzmq's container for sockets and I/O threads.
//!
//! Ownership: a [`Context`] is a cheap handle (an `Arc`) to one libzmq context. Every [`Socket`] holds such a
//! handle too, so the context lives until the last handle *and* the last socket are gone; only then is
//! `zmq_ctx_term` called, once, on whichever thread let go last. Dropping a handle therefore never blocks on sockets
//! that are still open, and a socket never outlives its context.

use std::collections::HashMap;
use std::fmt;
use std::os::raw::{c_int, c_void};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock};

use crate::error::{check, Error, Result};
use crate::socket::{Socket, SocketType};

/// Marks "no default linger" in [`ContextInner::default_linger`] (never a valid LINGER: see [`check_linger`]).
const NO_LINGER: i32 = i32::MIN;

/// A LINGER libzmq accepts: -1 (for ever) or milliseconds.
fn check_linger(ms: i32) -> Result<i32> {
    if ms >= -1 {
        Ok(ms)
    } else {
        Err(Error::EINVAL)
    }
}

/// How many times this process is a `fork()` away from the one it started as: raised in the child of every fork by
/// a `pthread_atfork` handler. A context belongs to the generation it was created in.
static FORK_GENERATION: AtomicU32 = AtomicU32::new(0);

extern "C" fn forked_child() {
    // Only an atomic add: async-signal-safe, as a handler run in the child of a multi-threaded fork must be.
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// The current fork generation, with the fork handler registered (once per process) before it is first read.
pub(crate) fn fork_generation() -> u32 {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // SAFETY: registers a child handler that only touches an atomic; it stays valid for the whole process.
        unsafe { libc::pthread_atfork(None, None, Some(forked_child)) };
    });
    FORK_GENERATION.load(Ordering::Relaxed)
}

/// The shared state behind every handle of one context.
pub(crate) struct ContextInner {
    raw: NonNull<c_void>,
    /// Whether dropping the last handle terminates the context (false for a context borrowed from C).
    owned: AtomicBool,
    /// LINGER given to every socket this context creates, or `NO_LINGER`.
    default_linger: AtomicI32,
    /// Set once `destroy` has terminated the context: the pointer is dangling and must not reach libzmq again.
    terminated: AtomicBool,
    /// The fork generation the context was created in ([`FORK_GENERATION`]). In a forked child the context's I/O
    /// and reaper threads do not exist, and its descriptors are shared with the parent: nothing of it may reach
    /// libzmq again there.
    generation: u32,
}

// SAFETY: zmq(7) documents a context as thread-safe: zmq_socket, zmq_ctx_get/set and zmq_ctx_shutdown may be
// called from any thread concurrently, which is all that `&ContextInner` (so `&Context` and every socket) reaches.
// The one call that frees the context, zmq_ctx_term, runs only with exclusive access: in Drop, or in `destroy`
// under `Arc::get_mut`, after which `terminated` keeps the dangling pointer from every other call. The fields
// other than the pointer are atomics.
unsafe impl Send for ContextInner {}
// SAFETY: as above.
unsafe impl Sync for ContextInner {}

impl ContextInner {
    /// The context pointer, or `ETERM` once `destroy` has terminated it or in a process forked after its creation.
    #[inline]
    pub(crate) fn live_ptr(&self) -> Result<*mut c_void> {
        if self.terminated.load(Ordering::Acquire) || self.inherited() {
            Err(Error::ETERM)
        } else {
            Ok(self.raw.as_ptr())
        }
    }

    /// Whether this process is a forked child of the one that created the context (which, with its sockets,
    /// is then unusable here).
    #[inline]
    pub(crate) fn inherited(&self) -> bool {
        self.generation != FORK_GENERATION.load(Ordering::Relaxed)
    }

    fn new(raw: NonNull<c_void>, owned: bool) -> ContextInner {
        ContextInner {
            raw,
            owned: AtomicBool::new(owned),
            default_linger: AtomicI32::new(NO_LINGER),
            terminated: AtomicBool::new(false),
            generation: fork_generation(),
        }
    }

    pub(crate) fn default_linger(&self) -> Option<i32> {
        match self.default_linger.load(Ordering::Relaxed) {
            NO_LINGER => None,
            ms => Some(ms),
        }
    }
}

impl Drop for ContextInner {
    fn drop(&mut self) {
        if !self.owned.load(Ordering::Acquire) || self.inherited() {
            // In a forked child zmq_ctx_term fails with EINTR for ever (libzmq's own fork check) or, in a libzmq
            // built without that check, signals the parent's threads through descriptors shared with it: the
            // child's copy of the context is left alone (its memory and descriptors go when the child exits or
            // execs; libzmq opens them close-on-exec).
            return;
        }
        // Every socket of this crate holds an Arc to us, so all of them are closed by now: zmq_ctx_term waits only
        // for their LINGER. It is retried on EINTR and runs exactly once, since this is the only place and drop
        // runs once.
        loop {
            // SAFETY: raw came from zmq_ctx_new (or a caller who handed us ownership) and was never terminated:
            // termination happens only here.
            let rc = unsafe { zmq_sys::zmq_ctx_term(self.raw.as_ptr()) };
            if rc == 0 || Error::last() != Error::EINTR {
                break;
            }
        }
    }
}

/// Handles whose raw pointer was given away with `into_raw`, kept alive here until `from_raw` takes them back: one
/// entry per `into_raw`, so giving the same context away twice keeps two handles.
fn escaped() -> &'static Mutex<HashMap<usize, Vec<Arc<ContextInner>>>> {
    static ESCAPED: OnceLock<Mutex<HashMap<usize, Vec<Arc<ContextInner>>>>> = OnceLock::new();
    ESCAPED.get_or_init(Default::default)
}

/// Keeps `ctx` alive on behalf of a raw pointer `key` (a socket or context pointer) handed out to foreign code.
pub(crate) fn park(key: *mut c_void, ctx: Arc<ContextInner>) {
    let mut map = escaped().lock().unwrap_or_else(|e| e.into_inner());
    map.entry(key as usize).or_default().push(ctx);
}

/// Takes back one of the handles [`park`] kept for `key`, if any.
pub(crate) fn unpark(key: *mut c_void) -> Option<Arc<ContextInner>> {
    let mut map = escaped().lock().unwrap_or_else(|e| e.into_inner());
    let parked = map.get_mut(&(key as usize))?;
    let ctx = parked.pop();
    if parked.is_empty() {
        map.remove(&(key as usize));
    }
    ctx
}

/// A ZeroMQ context: it owns the I/O threads and creates [`Socket`]s.
///
/// `Context` is `Send + Sync` and cheap to clone: clones share one libzmq context. The context is terminated
/// (`zmq_ctx_term`) when the last clone *and* the last socket created from it have been dropped, so drop order
/// never matters. To stop a program whose threads are blocked in `recv`, call [`Context::shutdown`].
///
/// # What blocks
///
/// Only the final termination, on whichever thread drops the last handle or socket: libzmq then waits until every
/// message still queued for sending has been delivered, or for each socket's LINGER. libzmq's default LINGER is
/// -1, *for ever*: a message queued for a peer that never comes keeps the process from finishing that drop. Bound
/// it for every socket of the context with [`ContextBuilder::linger`] (or [`Context::set_default_linger`]), or per
/// socket with `set_linger`; with LINGER 0 termination returns at once and queued messages are dropped. A socket
/// dropped while its thread panics is closed with LINGER 0. Dropping a handle while sockets of the context are
/// still open never blocks: the context outlives the handle.
///
/// Sockets created on [`Context::as_raw`] by C code are not tracked: termination also waits for C to close them.
///
/// # After `fork()`
///
/// A forked child inherits the parent's contexts and sockets but not libzmq's I/O threads, and shares libzmq's
/// internal descriptors with the parent. In the child an inherited context is as good as terminated: creating a
/// socket, reading or setting an option fail with `ETERM`, and so does every call on an inherited socket (send,
/// receive, bind, connect, options, monitors); [`Context::shutdown`] and [`Context::destroy`] do nothing,
/// [`Context::as_raw`] is null, and dropping inherited contexts, sockets, monitors and authenticators returns at
/// once without calling libzmq or joining the parent's threads (their memory and descriptors are released when the child exits or execs). A new context made
/// in the child works normally. Fork only while no other thread is inside libzmq: a lock held at that moment
/// stays held in the child.
///
/// ```
/// let ctx = zmq::Context::new();
/// let rep = ctx.socket(zmq::REP).unwrap();
/// rep.bind("inproc://doc-context").unwrap();
/// let req = ctx.socket(zmq::REQ).unwrap();
/// req.connect("inproc://doc-context").unwrap();
/// req.send("ping", 0).unwrap();
/// assert_eq!(rep.recv_string(0).unwrap().unwrap(), "ping");
/// ```
#[derive(Clone)]
pub struct Context {
    pub(crate) inner: Arc<ContextInner>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context").field("raw", &self.inner.raw).finish()
    }
}

impl Default for Context {
    fn default() -> Self {
        Context::new()
    }
}

impl Context {
    /// Creates a new context with libzmq's defaults (one I/O thread).
    ///
    /// Calls zmq_ctx_new(3). Panics only if libzmq cannot create a context at all (out of memory or file
    /// descriptors); use [`ContextBuilder::build`] to get that as an `Err`.
    #[doc(alias = "zmq_ctx_new")]
    pub fn new() -> Context {
        Context::builder().build().expect("zmq_ctx_new failed")
    }

    /// Starts a [`ContextBuilder`], for the options libzmq reads only before the first socket.
    pub fn builder() -> ContextBuilder {
        ContextBuilder::default()
    }

    fn from_new_raw(raw: *mut c_void) -> Result<Context> {
        let raw = NonNull::new(raw).ok_or_else(Error::last)?;
        Ok(Context { inner: Arc::new(ContextInner::new(raw, true)) })
    }

    /// Creates a socket of the given type.
    ///
    /// Calls zmq_socket(3). Fails with `ETERM` after [`shutdown`](Context::shutdown), `EMFILE` when the
    /// context's socket limit is reached, `EINVAL` for a type the linked library does not know.
    #[doc(alias = "zmq_socket")]
    pub fn socket(&self, socket_type: SocketType) -> Result<Socket> {
        Socket::new(&self.inner, socket_type.to_raw())
    }

    /// Reads a context option with zmq_ctx_get(3).
    #[doc(alias = "zmq_ctx_get")]
    pub fn get_option(&self, option: i32) -> Result<i32> {
        let raw = self.inner.live_ptr()?;
        // SAFETY: the context is live (not terminated) and kept alive by `self`; zmq_ctx_get validates the option.
        check(unsafe { zmq_sys::zmq_ctx_get(raw, option as c_int) })
    }

    /// Sets a context option with zmq_ctx_set(3).
    #[doc(alias = "zmq_ctx_set")]
    pub fn set_option(&self, option: i32, value: i32) -> Result<()> {
        let raw = self.inner.live_ptr()?;
        crate::ctxopt::check_option(self, option, value)?;
        // SAFETY: the context is live (not terminated) and kept alive by `self`; zmq_ctx_set validates option and value.
        check(unsafe { zmq_sys::zmq_ctx_set(raw, option as c_int, value as c_int) }).map(drop)
    }

    /// The size of the I/O thread pool (`ZMQ_IO_THREADS`).
    pub fn get_io_threads(&self) -> Result<i32> {
        self.get_option(zmq_sys::ZMQ_IO_THREADS as i32)
    }

    /// Sets the size of the I/O thread pool (`ZMQ_IO_THREADS`); it takes effect only before the first socket
    /// is created, so prefer [`ContextBuilder::io_threads`]. At most 1024 and at most a quarter of the open-file
    /// limit (`RLIMIT_NOFILE`), else `EINVAL` (libzmq would abort creating the threads' mailboxes).
    pub fn set_io_threads(&self, value: i32) -> Result<()> {
        self.set_option(zmq_sys::ZMQ_IO_THREADS as i32, value)
    }

    /// The LINGER (milliseconds) given to every socket this context creates from now on, if one is set.
    pub fn default_linger(&self) -> Option<i32> {
        self.inner.default_linger()
    }

    /// Sets (or clears, with `None`) the LINGER given to every socket this context creates from now on: `-1`
    /// (wait for ever, libzmq's default) or a number of milliseconds; anything else gives `EINVAL` and changes
    /// nothing.
    ///
    /// With `Some(0)` a program exits at once even when messages are still queued for peers that never came.
    pub fn set_default_linger(&self, linger_ms: Option<i32>) -> Result<()> {
        let value = match linger_ms {
            None => NO_LINGER,
            Some(ms) => check_linger(ms)?,
        };
        self.inner.default_linger.store(value, Ordering::Relaxed);
        Ok(())
    }

    /// Shuts the context down: every blocking call on its sockets, in any thread, returns `Err(ETERM)`, and
    /// creating sockets fails with `ETERM`. Sockets must still be dropped; the context is terminated when the last
    /// handle and socket are gone. Calling it again does nothing.
    ///
    /// Calls zmq_ctx_shutdown(3).
    #[doc(alias = "zmq_ctx_shutdown")]
    pub fn shutdown(&self) -> Result<()> {
        let Ok(raw) = self.inner.live_ptr() else {
            return Ok(()); // terminated by destroy(): shut down already
        };
        // SAFETY: the context is alive (we hold a handle and it was not terminated); zmq_ctx_shutdown is
        // thread-safe and idempotent.
        check(unsafe { zmq_sys::zmq_ctx_shutdown(raw) }).map(drop)
    }

    /// Shuts the context down and, if this is the last handle and no socket is left, terminates it now.
    ///
    /// This keeps the zmq 0.10 signature. Unlike a bare `zmq_ctx_term` it never frees a context that other
    /// handles or sockets still use: in that case it only shuts it down (so their blocking calls return
    /// `ETERM`) and termination happens when the last of them is dropped. Calling it twice is harmless.
    ///
    /// On a context borrowed from C code ([`Context::from_raw_borrowed`]) it does nothing and returns `Ok(())`:
    /// that context is its owner's to end. (Call [`Context::shutdown`] explicitly to wake blocked calls anyway.)
    pub fn destroy(&mut self) -> Result<()> {
        if !self.is_owned() || self.inner.inherited() {
            return Ok(());
        }
        self.shutdown()?;
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            if inner.owned.swap(false, Ordering::AcqRel) {
                loop {
                    // SAFETY: we are the only handle (Arc::get_mut) and `owned` was still set, so the context was
                    // never terminated; clearing `owned` first makes Drop skip it, so it is terminated once.
                    let rc = unsafe { zmq_sys::zmq_ctx_term(inner.raw.as_ptr()) };
                    if rc == 0 {
                        inner.terminated.store(true, Ordering::Release);
                        break;
                    }
                    let err = Error::last();
                    if err != Error::EINTR {
                        inner.owned.store(true, Ordering::Release);
                        return Err(err);
                    }
                }
            }
        }
        Ok(())
    }

    /// The raw `void *` context, for passing to C code. It stays valid while this handle (or any socket of the
    /// context) lives; after [`Context::destroy`] has terminated the context it is null.
    #[inline]
    pub fn as_raw(&self) -> *mut c_void {
        self.inner.live_ptr().unwrap_or(std::ptr::null_mut())
    }

    /// Gives the raw context pointer to foreign code, keeping the context alive (not terminated) until
    /// [`Context::from_raw`] takes it back. Sockets and other handles are unaffected. Each call keeps one handle:
    /// giving the same context away twice needs two `from_raw` calls to take both back.
    pub fn into_raw(self) -> *mut c_void {
        let raw = self.as_raw();
        park(raw, self.inner);
        raw
    }

    /// Takes ownership of a raw context: dropping the last handle terminates it.
    ///
    /// A pointer returned by [`Context::into_raw`] gets its original handle back.
    ///
    /// # Safety
    /// `raw` must be a live context from `zmq_ctx_new` (or `into_raw`) that nothing else will terminate.
    pub unsafe fn from_raw(raw: *mut c_void) -> Context {
        if let Some(inner) = unpark(raw) {
            return Context { inner };
        }
        Context {
            inner: Arc::new(ContextInner::new(NonNull::new(raw).expect("Context::from_raw: null pointer"), true)),
        }
    }

    /// Wraps a context owned by C code without taking ownership: sockets can be created on it, and dropping the
    /// handles never terminates it.
    ///
    /// # Safety
    /// `raw` must be a live libzmq context, and the C side must not terminate it while any handle or socket
    /// made through this `Context` is alive (terminating it first would block in `zmq_ctx_term` until they close,
    /// or free it under them).
    pub unsafe fn from_raw_borrowed(raw: *mut c_void) -> Context {
        Context {
            inner: Arc::new(ContextInner::new(
                NonNull::new(raw).expect("Context::from_raw_borrowed: null pointer"),
                false,
            )),
        }
    }

    /// Whether dropping the last handle terminates this context (false for [`Context::from_raw_borrowed`]).
    pub fn is_owned(&self) -> bool {
        self.inner.owned.load(Ordering::Acquire)
    }

    /// How many handles (clones, sockets, parked raw pointers) share this context.
    pub fn handle_count(&self) -> usize {
        Arc::strong_count(&self.inner)
    }
}

/// Options that libzmq reads only before a context's first socket, set at creation so they cannot come too late.
///
/// ```
/// let ctx = zmq::Context::builder().io_threads(2).linger(0).build().unwrap();
/// assert_eq!(ctx.get_io_threads().unwrap(), 2);
/// let s = ctx.socket(zmq::PUSH).unwrap();
/// assert_eq!(s.get_linger().unwrap(), 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ContextBuilder {
    options: Vec<(i32, i32)>,
    linger: Option<i32>,
}

impl ContextBuilder {
    /// Sets a raw context option (`ZMQ_*`) before the first socket.
    pub fn option(mut self, option: i32, value: i32) -> Self {
        self.options.push((option, value));
        self
    }

    /// The number of I/O threads (`ZMQ_IO_THREADS`, default 1): at most 1024 and at most a quarter of the
    /// open-file limit, else [`ContextBuilder::build`] fails with `EINVAL`.
    pub fn io_threads(self, n: i32) -> Self {
        self.option(zmq_sys::ZMQ_IO_THREADS as i32, n)
    }

    /// The largest number of sockets (`ZMQ_MAX_SOCKETS`, default 1023): at most
    /// [`Context::get_socket_limit`], else [`ContextBuilder::build`] fails with `EINVAL`.
    pub fn max_sockets(self, n: i32) -> Self {
        self.option(zmq_sys::ZMQ_MAX_SOCKETS as i32, n)
    }

    /// Whether sockets use IPv6 (`ZMQ_IPV6`).
    pub fn ipv6(self, on: bool) -> Self {
        self.option(zmq_sys::ZMQ_IPV6 as i32, on as i32)
    }

    /// libzmq's `ZMQ_BLOCKY`: when true (libzmq's default), terminating waits for sockets' LINGER; when false, every
    /// socket behaves as if LINGER were 0 and blocking calls return `ETERM` at termination.
    pub fn blocky(self, on: bool) -> Self {
        self.option(zmq_sys::ZMQ_BLOCKY as i32, on as i32)
    }

    /// The LINGER (milliseconds, or -1 to wait for ever) given to every socket the context creates; see
    /// [`Context::set_default_linger`]. Any other negative value makes [`ContextBuilder::build`] fail with `EINVAL`.
    pub fn linger(mut self, linger_ms: i32) -> Self {
        self.linger = Some(linger_ms);
        self
    }

    /// Creates the context and applies the options, failing with the first option libzmq rejects.
    #[doc(alias = "zmq_ctx_new")]
    pub fn build(self) -> Result<Context> {
        if let Some(ms) = self.linger {
            check_linger(ms)?;
        }
        // SAFETY: zmq_ctx_new takes no arguments and returns a new context or NULL (errno set).
        let ctx = Context::from_new_raw(unsafe { zmq_sys::zmq_ctx_new() })?;
        let mut options = self.options;
        // A SCHED_FIFO/SCHED_RR policy is checked against the thread priority, so priorities go first (a stable
        // sort keeps the order of everything else).
        options.sort_by_key(|&(option, _)| option != zmq_sys::ZMQ_THREAD_PRIORITY as i32);
        for (option, value) in options {
            ctx.set_option(option, value)?;
        }
        ctx.set_default_linger(self.linger)?;
        Ok(ctx)
    }
}

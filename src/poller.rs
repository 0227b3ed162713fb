//! `zmq_poller` (draft API): a reusable poll set, cheaper than [`crate::poll`] when the same sockets are polled
//! again and again, and the only way to poll the thread-safe draft socket types.

use std::marker::PhantomData;
use std::os::raw::{c_int, c_long, c_short, c_void};
use std::os::unix::io::RawFd;
use std::ptr::NonNull;
use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::poll::{check_fd_count, deadline_after, wait_until, PollEvents};
use crate::socket::Socket;

/// One readiness event from [`Poller::wait`]: the token given when the socket or fd was added, and what happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollerEvent {
    /// The token passed to [`Poller::add`] or [`Poller::add_fd`].
    pub token: usize,
    /// The events that occurred.
    pub events: PollEvents,
    /// The file descriptor, for an entry added with [`Poller::add_fd`].
    pub fd: Option<RawFd>,
}

/// A poll set (zmq_poller(3), draft). It borrows the sockets added to it, so they outlive it.
///
/// ```
/// # fn main() -> zmq::Result<()> {
/// let ctx = zmq::Context::new();
/// let (a, b) = (ctx.socket(zmq::PAIR)?, ctx.socket(zmq::PAIR)?);
/// a.bind("inproc://doc-poller")?;
/// b.connect("inproc://doc-poller")?;
/// let mut poller = zmq::Poller::new()?;
/// poller.add(&a, 7, zmq::POLLIN)?;
/// b.send("ping", 0)?;
/// let event = poller.wait(Some(std::time::Duration::from_secs(5)))?;
/// assert_eq!(event.token, 7);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Poller<'a> {
    raw: NonNull<c_void>,
    events: Vec<zmq_sys::zmq_poller_event_t>,
    len: usize,
    marker: PhantomData<&'a Socket>,
}

impl Drop for Poller<'_> {
    fn drop(&mut self) {
        let mut raw = self.raw.as_ptr();
        // SAFETY: the poller is live and destroyed once, here.
        unsafe { zmq_sys::zmq_poller_destroy(&mut raw) };
    }
}

impl<'a> Poller<'a> {
    /// An empty poll set. Calls zmq_poller_new(3).
    #[doc(alias = "zmq_poller_new")]
    pub fn new() -> Result<Poller<'a>> {
        // SAFETY: zmq_poller_new takes nothing and returns a new poller or NULL.
        let raw = NonNull::new(unsafe { zmq_sys::zmq_poller_new() }).ok_or_else(Error::last)?;
        Ok(Poller { raw, events: Vec::new(), len: 0, marker: PhantomData })
    }

    /// Adds a socket with a token that [`Poller::wait`] reports. Calls zmq_poller_add(3).
    #[doc(alias = "zmq_poller_add")]
    pub fn add(&mut self, socket: &'a Socket, token: usize, events: PollEvents) -> Result<()> {
        // SAFETY: the socket is borrowed for the poller's lifetime, so it stays open while registered; the token
        // is stored as an opaque pointer-sized value and never dereferenced.
        check(unsafe {
            zmq_sys::zmq_poller_add(self.raw.as_ptr(), socket.as_raw(), token as *mut c_void, events.bits() as c_short)
        })?;
        self.len += 1;
        Ok(())
    }

    /// Changes the events of interest for a socket. Calls zmq_poller_modify(3).
    #[doc(alias = "zmq_poller_modify")]
    pub fn modify(&mut self, socket: &Socket, events: PollEvents) -> Result<()> {
        // SAFETY: libzmq looks the socket up in the set; an unknown one gives EINVAL.
        check(unsafe { zmq_sys::zmq_poller_modify(self.raw.as_ptr(), socket.as_raw(), events.bits() as c_short) })
            .map(drop)
    }

    /// Removes a socket. Calls zmq_poller_remove(3).
    #[doc(alias = "zmq_poller_remove")]
    pub fn remove(&mut self, socket: &Socket) -> Result<()> {
        // SAFETY: as in modify.
        check(unsafe { zmq_sys::zmq_poller_remove(self.raw.as_ptr(), socket.as_raw()) })?;
        self.len -= 1;
        Ok(())
    }

    /// Adds a plain file descriptor. Calls zmq_poller_add_fd(3).
    #[doc(alias = "zmq_poller_add_fd")]
    pub fn add_fd(&mut self, fd: RawFd, token: usize, events: PollEvents) -> Result<()> {
        // SAFETY: libzmq only polls the descriptor; the token is opaque.
        check(unsafe {
            zmq_sys::zmq_poller_add_fd(self.raw.as_ptr(), fd, token as *mut c_void, events.bits() as c_short)
        })?;
        self.len += 1;
        Ok(())
    }

    /// Changes the events of interest for a file descriptor. Calls zmq_poller_modify_fd(3).
    #[doc(alias = "zmq_poller_modify_fd")]
    pub fn modify_fd(&mut self, fd: RawFd, events: PollEvents) -> Result<()> {
        // SAFETY: as in add_fd.
        check(unsafe { zmq_sys::zmq_poller_modify_fd(self.raw.as_ptr(), fd, events.bits() as c_short) }).map(drop)
    }

    /// Removes a file descriptor. Calls zmq_poller_remove_fd(3).
    #[doc(alias = "zmq_poller_remove_fd")]
    pub fn remove_fd(&mut self, fd: RawFd) -> Result<()> {
        // SAFETY: as in add_fd.
        check(unsafe { zmq_sys::zmq_poller_remove_fd(self.raw.as_ptr(), fd) })?;
        self.len -= 1;
        Ok(())
    }

    /// How many sockets and descriptors are registered.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn event(raw: &zmq_sys::zmq_poller_event_t) -> PollerEvent {
        PollerEvent {
            token: raw.user_data as usize,
            events: PollEvents::from_bits_retain(raw.events),
            fd: raw.socket.is_null().then_some(raw.fd),
        }
    }

    /// Runs `once` (one zmq_poller_wait* call with a timeout in ms) for `timeout`: `None` waits forever in one call;
    /// a duration is waited in full (libzmq alone may come back early), `Err(EAGAIN)` once it has passed.
    fn wait_with<T>(
        &mut self,
        timeout: Option<Duration>,
        mut once: impl FnMut(&mut Self, c_long) -> Result<T>,
    ) -> Result<T> {
        check_fd_count(self.len)?;
        let mut attempt = |ms| match once(self, ms) {
            Ok(found) => Ok(Some(found)),
            Err(Error::EAGAIN) => Ok(None),
            Err(err) => Err(err),
        };
        let found = match timeout {
            None => attempt(-1)?,
            Some(Duration::ZERO) => attempt(0)?,
            Some(timeout) => wait_until(deadline_after(timeout), attempt)?,
        };
        found.ok_or(Error::EAGAIN)
    }

    /// Waits for one event, at most `timeout` (`None`: forever); `Err(EAGAIN)` once the timeout has passed (never
    /// earlier). With nothing registered, `None` gives `EFAULT` (libzmq will not wait forever for nothing), a
    /// duration sleeps. More entries than `RLIMIT_NOFILE` give `EINVAL`. Calls zmq_poller_wait(3).
    #[doc(alias = "zmq_poller_wait")]
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<PollerEvent> {
        self.wait_with(timeout, |poller, ms| {
            // SAFETY: an all-zero zmq_poller_event_t is valid (null pointers, zero numbers).
            let mut raw: zmq_sys::zmq_poller_event_t = unsafe { std::mem::zeroed() };
            // SAFETY: the poller is live and `raw` is a writable event.
            check(unsafe { zmq_sys::zmq_poller_wait(poller.raw.as_ptr(), &mut raw, ms) })?;
            Ok(Self::event(&raw))
        })
    }

    /// Waits for events, at most `timeout`, and returns all that occurred; `Err(EAGAIN)` once the timeout has
    /// passed, as [`Poller::wait`]. Calls zmq_poller_wait_all(3).
    #[doc(alias = "zmq_poller_wait_all")]
    pub fn wait_all(&mut self, timeout: Option<Duration>) -> Result<Vec<PollerEvent>> {
        // SAFETY: all-zero events are valid values.
        self.events.resize(self.len.max(1), unsafe { std::mem::zeroed() });
        self.wait_with(timeout, |poller, ms| {
            let capacity = c_int::try_from(poller.events.len()).map_err(|_| Error::EINVAL)?;
            // SAFETY: the buffer holds `capacity` writable events; libzmq fills at most that many.
            let n = check(unsafe {
                zmq_sys::zmq_poller_wait_all(poller.raw.as_ptr(), poller.events.as_mut_ptr(), capacity, ms)
            })?;
            Ok(poller.events[..n as usize].iter().map(Self::event).collect())
        })
    }
}

//! `zmq_poll`: waiting on several sockets and file descriptors at once.

use std::marker::PhantomData;
use std::os::raw::{c_int, c_long, c_short};
use std::os::unix::io::RawFd;
use std::time::{Duration, Instant};

use crate::error::{check, Error, Result};
use crate::socket::Socket;

/// The longest single wait handed to libzmq, in ms. With nothing to poll libzmq sleeps with usleep(3), whose
/// argument (in microseconds) has 32 bits: a longer wait would be cut short.
const MAX_WAIT_MS: c_long = (u32::MAX / 1000) as c_long;

/// Repeats `attempt(timeout_ms)` (one libzmq wait: `Some` when something happened, `None` when its timeout ran out)
/// until it reports something or `deadline` has passed (`None`: never), in steps of at most [`MAX_WAIT_MS`]. libzmq
/// measures its timeout with a coarse millisecond clock and may give up a little early; this never returns `None`
/// before the deadline by the monotonic clock.
pub(crate) fn wait_until<T>(
    deadline: Option<Instant>,
    mut attempt: impl FnMut(c_long) -> Result<Option<T>>,
) -> Result<Option<T>> {
    loop {
        let ms = match deadline {
            None => MAX_WAIT_MS,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                let ms = left.as_millis() + u128::from(left.subsec_nanos() % 1_000_000 != 0);
                ms.min(MAX_WAIT_MS as u128) as c_long
            }
        };
        if let Some(found) = attempt(ms)? {
            return Ok(Some(found));
        }
        if ms == 0 || deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return Ok(None);
        }
    }
}

/// The instant `timeout` from now; `None` (never) if that is beyond what the clock can represent.
pub(crate) fn deadline_after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// Up to this many descriptors are polled without checking `RLIMIT_NOFILE` (a system call): no usable process has
/// a lower limit.
const UNCHECKED_FDS: usize = 16;

/// The process's soft limit on open files (`RLIMIT_NOFILE`), if it has one.
pub(crate) fn open_file_limit() -> Option<libc::rlim_t> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes one rlimit into `limit`.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    (rc == 0 && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

/// `EINVAL` if polling `n` descriptors would exceed `RLIMIT_NOFILE`: poll(2) then fails with EINVAL, which libzmq
/// treats as a bug of its own and aborts on.
pub(crate) fn check_fd_count(n: usize) -> Result<()> {
    if n <= UNCHECKED_FDS {
        return Ok(()); // no system call on the common path
    }
    match open_file_limit() {
        Some(limit) if n as libc::rlim_t > limit => Err(Error::EINVAL),
        _ => Ok(()),
    }
}

bitflags::bitflags! {
    /// Events to poll for, or that occurred (`ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLERR`, `ZMQ_POLLPRI`).
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct PollEvents: i16 {
        /// At least one message can be received (or the fd is readable).
        const POLLIN = zmq_sys::ZMQ_POLLIN as i16;
        /// At least one message can be sent (or the fd is writable).
        const POLLOUT = zmq_sys::ZMQ_POLLOUT as i16;
        /// An error condition on a file descriptor (never set for sockets).
        const POLLERR = zmq_sys::ZMQ_POLLERR as i16;
        /// Urgent data on a file descriptor (never set for sockets).
        const POLLPRI = zmq_sys::ZMQ_POLLPRI as i16;
    }
}

impl std::fmt::Debug for PollEvents {
    /// As zmq 0.10 prints it: the names of the set flags joined by ` | `, unknown bits in hex, `(empty)` for
    /// none (`POLLIN | POLLOUT`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        let mut part = |f: &mut std::fmt::Formatter<'_>, text: std::fmt::Arguments<'_>| {
            let sep = if first { "" } else { " | " };
            first = false;
            write!(f, "{sep}{text}")
        };
        for (name, _) in self.iter_names() {
            part(f, format_args!("{name}"))?;
        }
        let unknown = self.bits() & !PollEvents::all().bits();
        if unknown != 0 {
            part(f, format_args!("{unknown:#x}"))?;
        }
        if first {
            f.write_str("(empty)")?;
        }
        Ok(())
    }
}

impl PollEvents {
    /// Converts raw bits, keeping unknown ones (zmq 0.10 name; bitflags 2 calls it `from_bits_retain`).
    ///
    /// # Safety
    /// Always safe; kept `unsafe` for zmq 0.10 compatibility.
    #[deprecated(note = "use `from_bits_retain`")]
    pub unsafe fn from_bits_unchecked(bits: i16) -> Self {
        Self::from_bits_retain(bits)
    }
}

/// One entry of a [`poll`] call: a socket (borrowed for `'a`) or a file descriptor, and the events of interest.
#[repr(transparent)]
pub struct PollItem<'a> {
    item: zmq_sys::zmq_pollitem_t,
    marker: PhantomData<&'a Socket>,
}

impl std::fmt::Debug for PollItem<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollItem")
            .field("socket", &self.item.socket)
            .field("fd", &self.item.fd)
            .field("events", &self.item.events)
            .field("revents", &self.item.revents)
            .finish()
    }
}

impl<'a> PollItem<'a> {
    pub(crate) fn from_socket(socket: &'a Socket, events: PollEvents) -> PollItem<'a> {
        PollItem {
            item: zmq_sys::zmq_pollitem_t {
                socket: socket.as_raw(),
                fd: 0,
                events: events.bits() as c_short,
                revents: 0,
            },
            marker: PhantomData,
        }
    }

    /// An entry for a plain file descriptor.
    pub fn from_fd(fd: RawFd, events: PollEvents) -> PollItem<'a> {
        PollItem {
            item: zmq_sys::zmq_pollitem_t {
                socket: std::ptr::null_mut(),
                fd,
                events: events.bits() as c_short,
                revents: 0,
            },
            marker: PhantomData,
        }
    }

    /// Changes the events of interest.
    pub fn set_events(&mut self, events: PollEvents) {
        self.item.events = events.bits() as c_short;
    }

    /// The events that occurred in the last [`poll`].
    pub fn get_revents(&self) -> PollEvents {
        PollEvents::from_bits_retain(self.item.revents)
    }

    /// Whether the last poll found it readable.
    pub fn is_readable(&self) -> bool {
        self.get_revents().contains(PollEvents::POLLIN)
    }

    /// Whether the last poll found it writable.
    pub fn is_writable(&self) -> bool {
        self.get_revents().contains(PollEvents::POLLOUT)
    }

    /// Whether the last poll found an error condition.
    pub fn is_error(&self) -> bool {
        self.get_revents().contains(PollEvents::POLLERR)
    }

    /// Whether this entry is for `socket`.
    pub fn has_socket(&self, socket: &Socket) -> bool {
        self.item.socket == socket.as_raw()
    }

    /// Whether this entry is for the file descriptor `fd`.
    pub fn has_fd(&self, fd: RawFd) -> bool {
        self.item.socket.is_null() && self.item.fd == fd
    }
}

/// Waits until at least one item has an event of interest, or `timeout` ms pass (negative: forever, 0: check and
/// return). Returns how many items have events; read them with [`PollItem::is_readable`] and friends.
///
/// It never returns `Ok(0)` before the timeout has passed, for any timeout: with no items it sleeps that long
/// (negative: until a signal interrupts it, `EINTR`). Calls zmq_poll(3), in steps of at most 71 minutes; fails
/// with `ETERM` once the context of a socket is shut down, `EINTR` on a signal, and `EINVAL` for more items than
/// the process may open files (`RLIMIT_NOFILE`, which poll(2) cannot exceed).
#[doc(alias = "zmq_poll")]
pub fn poll(items: &mut [PollItem<'_>], timeout: i64) -> Result<i32> {
    let count = c_int::try_from(items.len()).map_err(|_| Error::EINVAL)?;
    check_fd_count(items.len())?;
    let raw = items.as_mut_ptr() as *mut zmq_sys::zmq_pollitem_t;
    // SAFETY: PollItem is repr(transparent) over zmq_pollitem_t and `raw` covers `count` items; the sockets are
    // borrowed for the items' lifetime, so they are open; libzmq writes only the revents fields.
    let once = |ms: c_long| check(unsafe { zmq_sys::zmq_poll(raw, count, ms) });
    if timeout == 0 || timeout < 0 && count > 0 {
        return once(timeout.signum() as c_long); // no deadline to keep: one call, no clock reads
    }
    let deadline = match u64::try_from(timeout) {
        Ok(ms) => deadline_after(Duration::from_millis(ms)),
        Err(_) => None,
    };
    Ok(wait_until(deadline, |ms| once(ms).map(|n| (n > 0).then_some(n)))?.unwrap_or(0))
}

impl Socket {
    /// A [`PollItem`] for this socket, borrowing it.
    pub fn as_poll_item(&self, events: PollEvents) -> PollItem<'_> {
        PollItem::from_socket(self, events)
    }

    /// Polls this one socket: `Ok(1)` if an event of interest is pending, `Ok(0)` after the timeout (ms).
    pub fn poll(&self, events: PollEvents, timeout_ms: i64) -> Result<i32> {
        poll(&mut [self.as_poll_item(events)], timeout_ms)
    }
}

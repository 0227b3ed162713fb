//! `zmq_poll`: waiting on several sockets and file descriptors at once.

use std::marker::PhantomData;
use std::os::raw::{c_long, c_short};
use std::os::unix::io::RawFd;

use crate::error::{check, Result};
use crate::socket::Socket;

bitflags::bitflags! {
    /// Events to poll for, or that occurred (`ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLERR`, `ZMQ_POLLPRI`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

/// Waits until at least one item has an event of interest, or `timeout` ms pass (-1: forever, 0: check and
/// return). Returns how many items have events; read them with [`PollItem::is_readable`] and friends.
/// Calls zmq_poll(3); fails with `ETERM` once the context of a socket is shut down and `EINTR` on a signal.
#[doc(alias = "zmq_poll")]
pub fn poll(items: &mut [PollItem<'_>], timeout: i64) -> Result<i32> {
    // A timeout beyond what a C long holds (32-bit platforms) means "forever", as any negative value does.
    let timeout = c_long::try_from(timeout).unwrap_or(-1);
    // SAFETY: PollItem is repr(transparent) over zmq_pollitem_t; the sockets are borrowed for the items' lifetime,
    // so they are open; libzmq writes only the revents fields.
    check(unsafe { zmq_sys::zmq_poll(items.as_mut_ptr() as *mut zmq_sys::zmq_pollitem_t, items.len() as _, timeout) })
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

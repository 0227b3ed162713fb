//! Zero-copy conversions between [`Message`] and [`bytes::Bytes`] (feature `bytes`).
//!
//! A received [`Message`] becomes a [`Bytes`] that owns the libzmq message and closes it when the last clone of
//! the `Bytes` goes; a [`Bytes`] becomes a [`Message`] that owns the `Bytes` and drops it when libzmq is done with
//! the content. Neither direction copies the payload, except for frames of at most 33 bytes: libzmq stores those
//! inside the `zmq_msg_t` itself (its "very small messages"), and copying them is cheaper than the allocations
//! that would keep them in place.
//!
//! ```
//! use bytes::Bytes;
//!
//! let ctx = zmq::Context::new();
//! let (tx, rx) = (ctx.socket(zmq::PAIR).unwrap(), ctx.socket(zmq::PAIR).unwrap());
//! rx.bind("inproc://bytes-doc").unwrap();
//! tx.connect("inproc://bytes-doc").unwrap();
//!
//! let payload = Bytes::from(vec![7u8; 4096]);
//! tx.send(payload.clone(), 0).unwrap(); // no copy: the message holds a clone of `payload`
//! let received: Bytes = rx.recv_as_bytes(0).unwrap(); // no copy: the Bytes holds the message
//! assert_eq!(received.as_ptr(), payload.as_ptr()); // over inproc, the very same buffer
//! drop((tx, rx, ctx));
//! assert_eq!(received, payload); // still valid: a message needs neither its socket nor its context
//! ```
//!
//! # Read-only, whoever holds it
//!
//! A `Bytes` is immutable and may be shared between threads; the buffer under it may also be seen by other
//! messages (libzmq shares large messages between the subscribers of a fan-out, and over `inproc://` the receiver
//! gets the sender's buffer). Nothing here writes to it: a `Bytes` made from a message never counts as unique, so
//! [`Bytes::try_into_mut`] fails and `BytesMut::from(bytes)` copies; and a message made from a `Bytes` is marked
//! shared in libzmq (`ZMQ_SHARED`), so writing to it through [`Message`]'s `DerefMut` copies first.

use ::bytes::{Bytes, BytesMut};

use crate::error::Result;
use crate::message::Message;
use crate::socket::Socket;

/// Whether the message's content lies inside the `zmq_msg_t` itself (libzmq's inline "very small message"), which
/// moves whenever the message does.
fn is_inline(msg: &Message) -> bool {
    let start = msg.as_msg_ptr() as usize;
    let end = start + std::mem::size_of::<zmq_sys::zmq_msg_t>();
    (start..end).contains(&(msg.as_ptr() as usize))
}

impl Message {
    /// The message as [`Bytes`], without copying the content: the `Bytes` owns the message and closes it
    /// (zmq_msg_close(3)) when its last clone is dropped, on whatever thread that is. Content of at most 33 bytes,
    /// which libzmq keeps inside the message itself, is copied instead. The `more` flag and metadata are not kept:
    /// read them first.
    ///
    /// ```
    /// let msg = zmq::Message::from(vec![1u8; 100]);
    /// let data = msg.as_ptr();
    /// let bytes = msg.into_bytes();
    /// assert_eq!(bytes.as_ptr(), data);
    /// assert_eq!(&bytes[..], &[1u8; 100][..]);
    /// ```
    pub fn into_bytes(self) -> Bytes {
        if self.is_empty() {
            Bytes::new()
        } else if is_inline(&self) {
            Bytes::copy_from_slice(&self)
        } else {
            // The content is outside the zmq_msg_t, so it stays put when the message moves into the Bytes, and
            // nothing can change it there: the Bytes hands out shared references only.
            Bytes::from_owner(self)
        }
    }
}

impl From<Message> for Bytes {
    /// [`Message::into_bytes`]: no copy beyond 33 bytes.
    fn from(msg: Message) -> Bytes {
        msg.into_bytes()
    }
}

impl From<Bytes> for Message {
    /// Hands the buffer to libzmq without copying (zmq_msg_init_data(3)); libzmq drops the `Bytes` when the last
    /// message referring to it goes. The content is read-only ([`Message::is_shared`]). Up to 33 bytes are
    /// copied into the message instead, which is cheaper.
    ///
    /// ```
    /// let payload = bytes::Bytes::from(vec![3u8; 1000]);
    /// let msg = zmq::Message::from(payload.clone());
    /// assert_eq!(msg.as_ptr(), payload.as_ptr());
    /// assert!(msg.is_shared());
    /// ```
    fn from(bytes: Bytes) -> Message {
        if bytes.len() <= crate::message::INLINE_MAX {
            Message::from(&bytes[..])
        } else {
            Message::from_owned(bytes)
        }
    }
}

impl From<BytesMut> for Message {
    /// Freezes the buffer and hands it to libzmq without copying, as `From<Bytes>` does.
    fn from(bytes: BytesMut) -> Message {
        Message::from(bytes.freeze())
    }
}

impl Socket {
    /// Receives one frame as [`Bytes`], without copying it (see [`Message::into_bytes`]). Calls zmq_msg_recv(3).
    #[doc(alias = "zmq_msg_recv")]
    pub fn recv_as_bytes(&self, flags: i32) -> Result<Bytes> {
        self.recv_msg(flags).map(Message::into_bytes)
    }

    /// Receives all frames of one multipart message as [`Bytes`], without copying any frame of more than 33
    /// bytes. Calls zmq_msg_recv(3) per frame.
    ///
    /// If a frame after the first fails to arrive (`EAGAIN` with [`crate::DONTWAIT`] cannot happen there, as
    /// libzmq delivers multipart messages whole, but `ETERM` or `EINTR` can), the frames received so far are
    /// dropped and the error returned, as [`Socket::recv_multipart`] does.
    ///
    /// ```
    /// let ctx = zmq::Context::new();
    /// let (tx, rx) = (ctx.socket(zmq::PAIR).unwrap(), ctx.socket(zmq::PAIR).unwrap());
    /// rx.bind("inproc://bytes-multipart-doc").unwrap();
    /// tx.connect("inproc://bytes-multipart-doc").unwrap();
    /// tx.send_multipart([&b"header"[..], &[9u8; 500][..]], 0).unwrap();
    /// let frames = rx.recv_multipart_bytes(0).unwrap();
    /// assert_eq!(frames.len(), 2);
    /// assert_eq!(&frames[0][..], b"header");
    /// assert_eq!(frames[1].len(), 500);
    /// ```
    #[doc(alias = "zmq_msg_recv")]
    pub fn recv_multipart_bytes(&self, flags: i32) -> Result<Vec<Bytes>> {
        let mut frames = Vec::new();
        loop {
            let msg = self.recv_msg(flags)?;
            let more = msg.get_more();
            frames.push(msg.into_bytes());
            if !more {
                return Ok(frames);
            }
        }
    }
}

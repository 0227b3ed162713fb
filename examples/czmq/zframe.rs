//! `zframe`: one message frame, as czmq's `zframe_t`.
//!
//! A frame owns its bytes and remembers whether more frames followed it
//! when it was received. `zframe_send` takes a frame or a reference to one:
//! passing the frame itself gives it away, as the C's `zframe_send (&frame,
//! ...)` does; passing `&frame` keeps it, as `ZFRAME_REUSE` does in C.

use std::borrow::Borrow;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::zhelpers::s_write_or_die;

/// The frame is not the last of its message (`zframe_send` flag).
pub const ZFRAME_MORE: i32 = 1;
/// Keep the frame after sending it; implied when a reference is sent.
pub const ZFRAME_REUSE: i32 = 2;
/// Do not block when the frame cannot be sent at once.
pub const ZFRAME_DONTWAIT: i32 = 4;

/// One frame of a message. Frames are equal when their bytes are.
#[derive(Clone, Debug, Default)]
pub struct ZFrame {
    data: Vec<u8>,
    more: bool,
}

impl PartialEq for ZFrame {
    fn eq(&self, other: &ZFrame) -> bool {
        self.data == other.data
    }
}

impl Eq for ZFrame {}

/// A new frame holding a copy of `data` (C: `zframe_new (data, size)`).
pub fn zframe_new(data: &[u8]) -> ZFrame {
    ZFrame { data: data.to_vec(), more: false }
}

/// A new frame that takes `data` over, without copying.
pub fn zframe_from(data: Vec<u8>) -> ZFrame {
    ZFrame { data, more: false }
}

/// A new empty frame (C: `zframe_new_empty`).
pub fn zframe_new_empty() -> ZFrame {
    ZFrame::default()
}

/// Destroys a frame; dropping it does the same.
pub fn zframe_destroy(frame: ZFrame) {
    drop(frame);
}

/// Receives one frame, blocking; `None` where the C returns NULL (the
/// context was terminated, a signal interrupted the call, a timeout).
pub fn zframe_recv(socket: &zmq::Socket) -> Option<ZFrame> {
    zframe_recv_flags(socket, 0)
}

/// Receives one frame if one is waiting, else `None`.
pub fn zframe_recv_nowait(socket: &zmq::Socket) -> Option<ZFrame> {
    zframe_recv_flags(socket, zmq::DONTWAIT)
}

fn zframe_recv_flags(socket: &zmq::Socket, flags: i32) -> Option<ZFrame> {
    let mut message = zmq::Message::new();
    socket.recv(&mut message, flags).ok()?;
    Some(ZFrame { data: message.to_vec(), more: message.get_more() })
}

/// Sends a frame with `ZFRAME_MORE`, `ZFRAME_DONTWAIT` (`ZFRAME_REUSE` is
/// what passing a reference means). The C returns -1 on failure.
pub fn zframe_send(frame: impl Borrow<ZFrame>, socket: &zmq::Socket, flags: i32) -> zmq::Result<()> {
    let mut send_flags = 0;
    if flags & ZFRAME_MORE != 0 {
        send_flags |= zmq::SNDMORE;
    }
    if flags & ZFRAME_DONTWAIT != 0 {
        send_flags |= zmq::DONTWAIT;
    }
    socket.send(&frame.borrow().data[..], send_flags)
}

/// The number of bytes in the frame.
pub fn zframe_size(frame: &ZFrame) -> usize {
    frame.data.len()
}

/// The frame's bytes.
pub fn zframe_data(frame: &ZFrame) -> &[u8] {
    &frame.data
}

/// A copy of the frame.
pub fn zframe_dup(frame: &ZFrame) -> ZFrame {
    frame.clone()
}

/// The frame's bytes in upper-case hex (C: a new string to free).
pub fn zframe_strhex(frame: &ZFrame) -> String {
    frame.data.iter().fold(String::with_capacity(frame.data.len() * 2), |mut hex, byte| {
        let _ = write!(hex, "{byte:02X}");
        hex
    })
}

/// A copy of the frame's bytes, the C string `zframe_strdup` returns
/// (which C code then reads up to its first NUL).
pub fn zframe_strdup(frame: &ZFrame) -> Vec<u8> {
    frame.data.clone()
}

/// Whether the frame holds exactly the bytes of `string`.
pub fn zframe_streq(frame: &ZFrame, string: impl AsRef<[u8]>) -> bool {
    frame.data == string.as_ref()
}

/// Whether more frames followed this one when it was received.
pub fn zframe_more(frame: &ZFrame) -> bool {
    frame.more
}

/// Whether two frames hold the same bytes.
pub fn zframe_eq(frame: &ZFrame, other: &ZFrame) -> bool {
    frame.data == other.data
}

/// Replaces the frame's bytes with a copy of `data`.
pub fn zframe_reset(frame: &mut ZFrame, data: &[u8]) {
    frame.data.clear();
    frame.data.extend_from_slice(data);
}

/// The line `zframe_print` writes: `[size] ` then the bytes as text when
/// they are all printable, else in hex, cut short with "..." as czmq does.
pub fn zframe_format(frame: &ZFrame, prefix: Option<&str>) -> Vec<u8> {
    let data = &frame.data;
    let is_bin = data.iter().any(|&byte| !(9..=127).contains(&byte));
    let max_size = if is_bin { 35 } else { 70 };
    let shown = &data[..data.len().min(max_size)];
    let mut line = prefix.unwrap_or("").as_bytes().to_vec();
    line.extend_from_slice(format!("[{:03}] ", data.len()).as_bytes());
    if is_bin {
        line.extend_from_slice(zframe_strhex(&zframe_new(shown)).as_bytes());
    } else {
        line.extend_from_slice(shown);
    }
    if data.len() > max_size {
        line.extend_from_slice(b"...");
    }
    line.push(b'\n');
    line
}

/// Prints the frame to stderr, as czmq's `zframe_print` does.
pub fn zframe_print(frame: &ZFrame, prefix: Option<&str>) {
    s_write_or_die(io::stderr().lock().write_all(&zframe_format(frame, prefix)));
}

/// Marks whether more frames follow (set by `zmsg_recv`).
pub fn zframe_set_more(frame: &mut ZFrame, more: bool) {
    frame.more = more;
}

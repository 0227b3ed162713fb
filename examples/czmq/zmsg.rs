//! `zmsg`: a multipart message as a list of frames, with czmq's envelope
//! operations (`zmsg_wrap`/`zmsg_unwrap` push and pop an address and its
//! empty delimiter).
//!
//! Every operation on a message that lacks the frames it wants returns
//! `None` (where the C returns NULL) and leaves the message as it was; none
//! panics. `zmsg_send` consumes the message, as the C's `zmsg_send (&msg,
//! socket)` destroys it. `zmsg_first`/`zmsg_next` walk the frames with a
//! cursor kept in the message, as in C.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read, Write};

use super::zframe::{zframe_format, zframe_new, ZFrame};
use super::zhelpers::s_write_or_die;

/// A message: zero or more frames. Messages are equal when their frames are.
#[derive(Clone, Debug, Default)]
pub struct ZMsg {
    frames: VecDeque<ZFrame>,
    cursor: usize,
}

impl PartialEq for ZMsg {
    fn eq(&self, other: &ZMsg) -> bool {
        self.frames == other.frames
    }
}

impl Eq for ZMsg {}

/// A new empty message.
pub fn zmsg_new() -> ZMsg {
    ZMsg::default()
}

/// Destroys a message; dropping it does the same.
pub fn zmsg_destroy(msg: ZMsg) {
    drop(msg);
}

/// Receives a whole multipart message, blocking; `None` where the C
/// returns NULL (interrupted, terminated, timed out).
pub fn zmsg_recv(socket: &zmq::Socket) -> Option<ZMsg> {
    zmsg_recv_flags(socket, 0)
}

/// Receives a message if one is waiting, else `None`.
pub fn zmsg_recv_nowait(socket: &zmq::Socket) -> Option<ZMsg> {
    zmsg_recv_flags(socket, zmq::DONTWAIT)
}

fn zmsg_recv_flags(socket: &zmq::Socket, flags: i32) -> Option<ZMsg> {
    let frames = socket.recv_multipart(flags).ok()?;
    let count = frames.len();
    let frames = frames.into_iter().enumerate().map(|(index, data)| {
        let mut frame = super::zframe::zframe_from(data);
        super::zframe::zframe_set_more(&mut frame, index + 1 < count);
        frame
    });
    Some(ZMsg { frames: frames.collect(), cursor: 0 })
}

/// Sends the message's frames and destroys it. An empty message sends
/// nothing, as in czmq.
pub fn zmsg_send(msg: ZMsg, socket: &zmq::Socket) -> zmq::Result<()> {
    if msg.frames.is_empty() {
        return Ok(());
    }
    socket.send_multipart(msg.frames.iter().map(super::zframe::zframe_data), 0)
}

/// The number of frames.
pub fn zmsg_size(msg: &ZMsg) -> usize {
    msg.frames.len()
}

/// The number of bytes in all frames.
pub fn zmsg_content_size(msg: &ZMsg) -> usize {
    msg.frames.iter().map(super::zframe::zframe_size).sum()
}

/// Puts a frame in front of the others.
pub fn zmsg_push(msg: &mut ZMsg, frame: ZFrame) {
    msg.frames.push_front(frame);
}

/// Puts a frame in front of the others (C: `zmsg_prepend (msg, &frame)`).
pub fn zmsg_prepend(msg: &mut ZMsg, frame: ZFrame) {
    zmsg_push(msg, frame);
}

/// Puts a frame after the others.
pub fn zmsg_append(msg: &mut ZMsg, frame: ZFrame) {
    msg.frames.push_back(frame);
}

/// Puts a frame after the others (czmq 2's name for `zmsg_append`).
pub fn zmsg_add(msg: &mut ZMsg, frame: ZFrame) {
    zmsg_append(msg, frame);
}

/// Takes the first frame off, `None` if there is none.
pub fn zmsg_pop(msg: &mut ZMsg) -> Option<ZFrame> {
    msg.cursor = 0;
    msg.frames.pop_front()
}

/// Pushes a frame holding the bytes of `string`.
pub fn zmsg_pushstr(msg: &mut ZMsg, string: impl AsRef<[u8]>) {
    zmsg_push(msg, zframe_new(string.as_ref()));
}

/// Appends a frame holding the bytes of `string`.
pub fn zmsg_addstr(msg: &mut ZMsg, string: impl AsRef<[u8]>) {
    zmsg_append(msg, zframe_new(string.as_ref()));
}

/// Pushes a frame holding a copy of `data`.
pub fn zmsg_pushmem(msg: &mut ZMsg, data: &[u8]) {
    zmsg_push(msg, zframe_new(data));
}

/// Appends a frame holding a copy of `data`.
pub fn zmsg_addmem(msg: &mut ZMsg, data: &[u8]) {
    zmsg_append(msg, zframe_new(data));
}

/// Takes the first frame off and returns its bytes (C: a string to free).
pub fn zmsg_popstr(msg: &mut ZMsg) -> Option<Vec<u8>> {
    zmsg_pop(msg).map(|frame| super::zframe::zframe_data(&frame).to_vec())
}

/// Pushes `frame` and an empty delimiter in front of it: the message gets
/// the envelope `[frame][empty][...]`.
pub fn zmsg_wrap(msg: &mut ZMsg, frame: ZFrame) {
    zmsg_push(msg, ZFrame::default());
    zmsg_push(msg, frame);
}

/// Takes the first frame off, and the empty delimiter after it if there is
/// one; `None` (and no change) if the message is empty.
pub fn zmsg_unwrap(msg: &mut ZMsg) -> Option<ZFrame> {
    let frame = zmsg_pop(msg)?;
    if msg.frames.front().is_some_and(|next| super::zframe::zframe_size(next) == 0) {
        msg.frames.pop_front();
    }
    Some(frame)
}

/// Removes the first frame equal to `frame`, if any.
pub fn zmsg_remove(msg: &mut ZMsg, frame: &ZFrame) {
    if let Some(index) = msg.frames.iter().position(|candidate| candidate == frame) {
        msg.frames.remove(index);
        msg.cursor = 0;
    }
}

/// The first frame, and resets the cursor there.
pub fn zmsg_first(msg: &mut ZMsg) -> Option<&mut ZFrame> {
    msg.cursor = 0;
    msg.frames.front_mut()
}

/// The frame after the one `zmsg_first` or `zmsg_next` returned.
pub fn zmsg_next(msg: &mut ZMsg) -> Option<&mut ZFrame> {
    if msg.cursor < msg.frames.len() {
        msg.cursor += 1;
    }
    msg.frames.get_mut(msg.cursor)
}

/// The last frame.
pub fn zmsg_last(msg: &mut ZMsg) -> Option<&mut ZFrame> {
    msg.cursor = msg.frames.len().saturating_sub(1);
    msg.frames.back_mut()
}

/// The frames, first to last, for Rust's iterators.
pub fn zmsg_frames(msg: &ZMsg) -> impl Iterator<Item = &ZFrame> {
    msg.frames.iter()
}

/// A copy of the message.
pub fn zmsg_dup(msg: &ZMsg) -> ZMsg {
    ZMsg { frames: msg.frames.clone(), cursor: 0 }
}

/// The text `zmsg_dump` writes: a rule, then a line per frame (the first
/// ten), as czmq does.
pub fn zmsg_format(msg: &ZMsg) -> Vec<u8> {
    let mut text = b"--------------------------------------\n".to_vec();
    for frame in msg.frames.iter().take(10) {
        text.extend_from_slice(&zframe_format(frame, None));
    }
    text
}

/// Prints the message to stderr, as czmq's `zmsg_dump` does.
pub fn zmsg_dump(msg: &ZMsg) {
    s_write_or_die(io::stderr().lock().write_all(&zmsg_format(msg)));
}

/// Writes the message to a file: per frame, its size as a 4-byte
/// big-endian number and its bytes (czmq's `zmsg_save` writes the size in
/// host order; this format is the same on every host).
pub fn zmsg_save(msg: &ZMsg, file: &mut impl Write) -> io::Result<()> {
    for frame in &msg.frames {
        let data = super::zframe::zframe_data(frame);
        let size = u32::try_from(data.len()).map_err(|_| io::Error::other("frame too large to save"))?;
        file.write_all(&size.to_be_bytes())?;
        file.write_all(data)?;
    }
    file.flush()
}

/// Reads back a message `zmsg_save` wrote, up to the end of the file; a
/// cut-off last frame is an error, never a panic.
pub fn zmsg_load(file: &mut impl BufRead) -> io::Result<ZMsg> {
    let mut msg = zmsg_new();
    while !file.fill_buf()?.is_empty() {
        let mut size = [0u8; 4];
        file.read_exact(&mut size)?;
        let size = u32::from_be_bytes(size) as usize;
        let mut data = Vec::new();
        file.by_ref().take(size as u64).read_to_end(&mut data)?;
        if data.len() != size {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "message file cut short"));
        }
        zmsg_append(&mut msg, super::zframe::zframe_from(data));
    }
    Ok(msg)
}

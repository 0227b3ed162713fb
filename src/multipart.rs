//! Multipart messages: the frames of one message, with routing-envelope operations.

use std::collections::vec_deque::{self, VecDeque};
use std::fmt;
use std::ops::{Index, IndexMut};

use crate::error::{Error, Result};
use crate::message::Message;
use crate::socket::Socket;

/// The frames of one multipart message, first to last, as [`Message`]s in a [`VecDeque`] (so pushing and popping
/// at either end is cheap). Receiving one keeps each frame's libzmq buffer as it came, and sending it hands those
/// buffers on, so a broker forwards payloads without copying them.
///
/// Two multiparts are equal when they have the same number of frames with the same bytes. [`Clone`] copies every
/// frame's bytes (as [`Message`]'s `Clone` does); [`Multipart::share`] makes a zero-copy duplicate instead.
///
/// # Envelopes
///
/// A ROUTER socket puts the routing id of the peer a message came from in front of it, and takes the first frame
/// of a message it sends as the routing id of the peer to send it to. A REQ socket sends an empty *delimiter*
/// frame before its request, and takes it off the front of the reply (a reply without one is dropped); a REP
/// socket keeps everything up to and including the delimiter and puts it back in front of its reply. So what a ROUTER receives
/// from a REQ is
///
/// ```text
/// [routing id] [] [request frames…]
/// ```
///
/// and after each further ROUTER on the way (a broker's frontend, then its backend) one more routing id is in
/// front: `[id 2] [id 1] [] [request…]`. The frames before the first empty frame are the *envelope* (routing ids
/// are never empty: libzmq refuses an empty `ZMQ_ROUTING_ID`), the frames after it the *body*.
///
/// * [`Multipart::push_address`] and [`Multipart::pop_address`] push and pop one address with its delimiter (czmq's
///   `zmsg_wrap`/`zmsg_unwrap`), as a load-balancing broker does between its frontend and its REQ workers.
/// * [`Multipart::split_envelope`] / [`Multipart::take_envelope`] take a request apart into envelope and body, and
///   [`Multipart::join`] / [`Multipart::push_envelope`] put the reply's envelope back, as a REP socket does.
///
/// Every operation that wants frames the message does not have returns `None` (or `Err` with the message) and
/// leaves the message as it was; none panics. Only indexing (`msg[i]`) panics out of range, as a slice's does.
///
/// ```
/// use zmq::Multipart;
///
/// let ctx = zmq::Context::new();
/// let server = ctx.socket(zmq::ROUTER)?;
/// server.bind("inproc://multipart-module-doc")?;
/// let client = ctx.socket(zmq::REQ)?;
/// client.connect("inproc://multipart-module-doc")?;
///
/// client.send("ping", 0)?;
/// let request = Multipart::recv(&server, 0)?; // [client's routing id] [] [ping]
/// assert_eq!(request.len(), 3);
/// let (envelope, body) = request.split_envelope().expect("a REQ request has a delimiter");
/// assert_eq!(envelope.len(), 1);
/// assert_eq!(body[0].as_str(), Some("ping"));
///
/// Multipart::join(envelope, Multipart::from_iter(["pong"])).send(&server, 0)?;
/// assert_eq!(client.recv_msg(0)?.as_str(), Some("pong"));
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Default, Clone, PartialEq, Eq)]
pub struct Multipart {
    frames: VecDeque<Message>,
}

impl Multipart {
    /// A message with no frames.
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// A message with no frames and room for `capacity` of them.
    pub fn with_capacity(capacity: usize) -> Multipart {
        Multipart { frames: VecDeque::with_capacity(capacity) }
    }

    /// The number of frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether there are no frames at all (a message of one empty frame is not empty).
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The total number of bytes in all frames.
    pub fn content_size(&self) -> usize {
        self.frames.iter().map(|frame| frame.len()).sum()
    }

    /// The frames, first to last.
    pub fn iter(&self) -> vec_deque::Iter<'_, Message> {
        self.frames.iter()
    }

    /// The frames, first to last, writable (a frame whose buffer is shared is copied before it is written: see
    /// [`Message`]).
    pub fn iter_mut(&mut self) -> vec_deque::IterMut<'_, Message> {
        self.frames.iter_mut()
    }

    /// The frame at `index`, `None` past the end.
    pub fn get(&self, index: usize) -> Option<&Message> {
        self.frames.get(index)
    }

    /// The frame at `index`, writable; `None` past the end.
    pub fn get_mut(&mut self, index: usize) -> Option<&mut Message> {
        self.frames.get_mut(index)
    }

    /// The first frame, `None` if there are no frames.
    pub fn front(&self) -> Option<&Message> {
        self.frames.front()
    }

    /// The last frame, `None` if there are no frames.
    pub fn back(&self) -> Option<&Message> {
        self.frames.back()
    }

    /// Puts a frame in front of the others (`&str`, `&[u8]`, `Vec<u8>`, a [`Message`], …; owned buffers are not
    /// copied).
    pub fn push_front(&mut self, frame: impl Into<Message>) {
        self.frames.push_front(frame.into());
    }

    /// Puts a frame after the others (owned buffers are not copied).
    pub fn push_back(&mut self, frame: impl Into<Message>) {
        self.frames.push_back(frame.into());
    }

    /// Takes the first frame off; `None` if there are no frames.
    pub fn pop_front(&mut self) -> Option<Message> {
        self.frames.pop_front()
    }

    /// Takes the last frame off; `None` if there are no frames.
    pub fn pop_back(&mut self) -> Option<Message> {
        self.frames.pop_back()
    }

    /// The frames as a `Vec`, first to last.
    pub fn into_vec(self) -> Vec<Message> {
        self.frames.into()
    }

    /// A duplicate referring to the same buffers, without copying them (a [`Message::share`] of every frame). All
    /// frames of both then count as shared, so writing to one copies it first. Useful to keep a request for a
    /// retry while sending it.
    pub fn share(&mut self) -> Multipart {
        self.frames.iter_mut().map(Message::share).collect()
    }

    /// Puts `address` and an empty delimiter in front of the frames: `[address] [] [frames…]` (czmq's
    /// `zmsg_wrap`). Works on any message, an empty one included.
    ///
    /// ```
    /// let mut msg = zmq::Multipart::from_iter(["body"]);
    /// msg.push_address("worker-1");
    /// assert_eq!(msg, zmq::Multipart::from_iter(["worker-1", "", "body"]));
    /// ```
    #[doc(alias = "wrap")]
    #[doc(alias = "zmsg_wrap")]
    pub fn push_address(&mut self, address: impl Into<Message>) {
        self.frames.push_front(Message::new());
        self.frames.push_front(address.into());
    }

    /// Takes the first frame off and returns it as an address, together with the empty delimiter right after it
    /// if there is one (czmq's `zmsg_unwrap`): the inverse of [`Multipart::push_address`]. A frame after the address that
    /// is not empty stays. `None`, and no change, if there are no frames.
    ///
    /// ```
    /// let mut msg = zmq::Multipart::from_iter(["worker-1", "", "body"]);
    /// assert_eq!(msg.pop_address().unwrap().as_str(), Some("worker-1"));
    /// assert_eq!(msg, zmq::Multipart::from_iter(["body"]));
    /// assert_eq!(msg.pop_address().unwrap().as_str(), Some("body")); // no delimiter: only the frame goes
    /// assert!(msg.pop_address().is_none());
    /// ```
    #[doc(alias = "unwrap")]
    #[doc(alias = "zmsg_unwrap")]
    pub fn pop_address(&mut self) -> Option<Message> {
        let address = self.frames.pop_front()?;
        if self.frames.front().is_some_and(|frame| frame.is_empty()) {
            self.frames.pop_front();
        }
        Some(address)
    }

    /// The position of the empty delimiter ending the envelope: the first empty frame. `None` if there is none.
    fn delimiter(&self) -> Option<usize> {
        self.frames.iter().position(|frame| frame.is_empty())
    }

    /// The envelope's frames — the routing ids before the first empty frame, without it — or `None` if no frame
    /// is empty. An empty iterator means the message starts with the delimiter (what a REP socket's peer sends
    /// over a DEALER).
    ///
    /// ```
    /// let msg = zmq::Multipart::from_iter(["id 2", "id 1", "", "request"]);
    /// let hops: Vec<_> = msg.envelope().unwrap().map(|id| id.as_str().unwrap()).collect();
    /// assert_eq!(hops, ["id 2", "id 1"]);
    /// assert!(zmq::Multipart::from_iter(["id", "body"]).envelope().is_none());
    /// ```
    pub fn envelope(&self) -> Option<vec_deque::Iter<'_, Message>> {
        self.delimiter().map(|end| self.frames.range(..end))
    }

    /// Removes the envelope from the front — the frames before the first empty frame, and that delimiter — and
    /// returns it (without the delimiter), leaving the body in `self`. `None`, and no change, if no frame is empty.
    /// The in-place form of [`Multipart::split_envelope`]; [`Multipart::push_envelope`] undoes it.
    ///
    /// ```
    /// let mut msg = zmq::Multipart::from_iter(["id", "", "request"]);
    /// let envelope = msg.take_envelope().unwrap();
    /// assert_eq!(envelope, zmq::Multipart::from_iter(["id"]));
    /// assert_eq!(msg, zmq::Multipart::from_iter(["request"]));
    /// assert!(msg.take_envelope().is_none());
    /// assert_eq!(msg, zmq::Multipart::from_iter(["request"]));
    /// ```
    pub fn take_envelope(&mut self) -> Option<Multipart> {
        let end = self.delimiter()?;
        let body = self.frames.split_off(end + 1);
        let mut envelope = std::mem::replace(&mut self.frames, body);
        envelope.pop_back(); // the delimiter
        Some(Multipart { frames: envelope })
    }

    /// Splits a request into `(envelope, body)`: the frames before the first empty frame, and those after it (the
    /// delimiter itself is in neither). `Err(self)`, unchanged, if no frame is empty — e.g. a message from a DEALER
    /// that sent no delimiter. [`Multipart::join`] puts the two together again.
    ///
    /// A REP-style worker behind a ROUTER (or a REQ worker of a broker) answers like this:
    ///
    /// ```
    /// use zmq::Multipart;
    ///
    /// let ctx = zmq::Context::new();
    /// let router = ctx.socket(zmq::ROUTER)?;
    /// let endpoint = router.bind_to("tcp://127.0.0.1:*")?;
    /// router.set_rcvtimeo(5000)?;
    /// let req = ctx.socket(zmq::REQ)?;
    /// req.set_rcvtimeo(5000)?;
    /// req.connect(&endpoint)?;
    ///
    /// req.send_multipart(["add", "2", "3"], 0)?;
    /// let (envelope, body) = Multipart::recv(&router, 0)?.split_envelope().map_err(|_| zmq::Error::EPROTO)?;
    /// let sum: i32 = body.iter().skip(1).map(|n| n.as_str().unwrap().parse::<i32>().unwrap()).sum();
    /// Multipart::join(envelope, Multipart::from_iter([sum.to_string()])).send(&router, 0)?;
    /// assert_eq!(req.recv_string(0)?.unwrap(), "5");
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn split_envelope(mut self) -> std::result::Result<(Multipart, Multipart), Multipart> {
        match self.take_envelope() {
            Some(envelope) => Ok((envelope, self)),
            None => Err(self),
        }
    }

    /// `[envelope…] [] [body…]`: the message [`Multipart::split_envelope`] took apart. An empty envelope gives a
    /// message that starts with the delimiter.
    pub fn join(envelope: Multipart, body: Multipart) -> Multipart {
        let mut frames = envelope.frames;
        frames.reserve(body.frames.len() + 1);
        frames.push_back(Message::new());
        frames.extend(body.frames);
        Multipart { frames }
    }

    /// Puts `envelope` and an empty delimiter in front of the frames: `[envelope…] [] [frames…]`, undoing
    /// [`Multipart::take_envelope`]. With a one-frame envelope this is [`Multipart::push_address`].
    pub fn push_envelope(&mut self, envelope: Multipart) {
        self.frames.reserve(envelope.frames.len() + 1);
        self.frames.push_front(Message::new());
        for frame in envelope.frames.into_iter().rev() {
            self.frames.push_front(frame);
        }
    }

    /// Receives all frames of one multipart message, keeping each frame's libzmq buffer (no copy). Calls
    /// zmq_msg_recv(3) once per frame.
    ///
    /// libzmq makes a multipart message visible to the receiver only once all of its frames have arrived, so
    /// with [`crate::DONTWAIT`] this gives either the whole message or `Err(EAGAIN)` with nothing taken from the
    /// socket; the same holds for a receive timeout (`RCVTIMEO`). Only a context shut down between two frames
    /// (`Err(ETERM)`) can interrupt a message part-way; the frames already taken are then dropped.
    #[doc(alias = "zmq_msg_recv")]
    pub fn recv(socket: &Socket, flags: i32) -> Result<Multipart> {
        let mut frames = VecDeque::new();
        loop {
            let frame = socket.recv_msg(flags)?;
            let more = frame.get_more();
            frames.push_back(frame);
            if !more {
                return Ok(Multipart { frames });
            }
        }
    }

    /// Sends the frames as one multipart message, every frame but the last with [`crate::SNDMORE`], handing each
    /// frame's buffer to libzmq without copying. `flags` may add [`crate::DONTWAIT`] (and [`crate::SNDMORE`],
    /// which makes the next send continue this message). Calls zmq_msg_send(3) once per frame.
    ///
    /// A message with no frames sends nothing and returns `Ok(())`, as czmq's `zmsg_send` and
    /// [`Socket::send_multipart`] do: libzmq has no message of zero frames.
    ///
    /// On error the message is dropped; [`Multipart::try_send`] hands it back instead.
    #[doc(alias = "zmq_msg_send")]
    pub fn send(self, socket: &Socket, flags: i32) -> Result<()> {
        self.try_send(socket, flags).map_err(|(error, _)| error)
    }

    /// Sends like [`Multipart::send`], and on failure hands back the error and the frames libzmq did not take, so
    /// that a broker can try again later or elsewhere (e.g. after `EHOSTUNREACH` from a ROUTER with
    /// `ZMQ_ROUTER_MANDATORY`, or `EAGAIN` at the high-water mark with [`crate::DONTWAIT`]).
    ///
    /// libzmq decides whether a message can go when it is given the first frame: the high-water mark counts
    /// whole messages, and a ROUTER looks up the peer on the routing id. So `EAGAIN`, `EHOSTUNREACH`, a send
    /// timeout and `ETERM` from a context already shut down all come from the first frame, and then nothing was
    /// sent and the message handed back is the whole message. A later frame fails only when the context is shut
    /// down in the middle of the message (`ETERM`), or when a PUSH or DEALER peer's connection goes away in the
    /// middle with [`crate::DONTWAIT`] (`EAGAIN`; without it libzmq drops the rest of that message silently and
    /// reports success). libzmq then discards the frames it already took (the peer never sees part of a message),
    /// and the message handed back holds only the frames from the failed one on: compare its [`Multipart::len`]
    /// with the length sent to tell the two cases apart.
    ///
    /// ```
    /// let ctx = zmq::Context::new();
    /// let router = ctx.socket(zmq::ROUTER)?;
    /// router.set_router_mandatory(true)?;
    /// let msg = zmq::Multipart::from_iter(["nobody", "", "hello"]);
    /// let (error, msg) = msg.try_send(&router, zmq::DONTWAIT).unwrap_err();
    /// assert_eq!(error, zmq::Error::EHOSTUNREACH);
    /// assert_eq!(msg, zmq::Multipart::from_iter(["nobody", "", "hello"]));
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_msg_send")]
    pub fn try_send(mut self, socket: &Socket, flags: i32) -> std::result::Result<(), (Error, Multipart)> {
        while let Some(mut frame) = self.frames.pop_front() {
            let more = if self.frames.is_empty() { 0 } else { crate::SNDMORE };
            if let Err(error) = socket.send_in_place(&mut frame, flags | more) {
                // zmq_msg_send leaves a frame it refuses unchanged.
                self.frames.push_front(frame);
                return Err((error, self));
            }
            // zmq_msg_send(3) leaves a sent frame empty, holding nothing: closing it would be a wasted call.
            std::mem::forget(frame);
        }
        Ok(())
    }
}

impl fmt::Debug for Multipart {
    /// `Multipart[…]` with each frame as [`Message`] prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Multipart")?;
        f.debug_list().entries(&self.frames).finish()
    }
}

impl<T: Into<Message>> FromIterator<T> for Multipart {
    /// The frames in order; owned buffers are not copied.
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Multipart {
        Multipart { frames: iter.into_iter().map(Into::into).collect() }
    }
}

impl<T: Into<Message>> Extend<T> for Multipart {
    /// Appends the frames in order; owned buffers are not copied.
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.frames.extend(iter.into_iter().map(Into::into));
    }
}

impl From<Vec<Message>> for Multipart {
    /// Takes the frames as they are (what [`Socket::recv_multipart_into`] fills).
    fn from(frames: Vec<Message>) -> Multipart {
        Multipart { frames: frames.into() }
    }
}

impl From<VecDeque<Message>> for Multipart {
    fn from(frames: VecDeque<Message>) -> Multipart {
        Multipart { frames }
    }
}

impl From<Multipart> for Vec<Message> {
    fn from(msg: Multipart) -> Vec<Message> {
        msg.into_vec()
    }
}

impl IntoIterator for Multipart {
    type Item = Message;
    type IntoIter = vec_deque::IntoIter<Message>;

    /// The frames, first to last; e.g. for [`Socket::send_multipart`].
    fn into_iter(self) -> Self::IntoIter {
        self.frames.into_iter()
    }
}

impl<'a> IntoIterator for &'a Multipart {
    type Item = &'a Message;
    type IntoIter = vec_deque::Iter<'a, Message>;

    fn into_iter(self) -> Self::IntoIter {
        self.frames.iter()
    }
}

impl<'a> IntoIterator for &'a mut Multipart {
    type Item = &'a mut Message;
    type IntoIter = vec_deque::IterMut<'a, Message>;

    fn into_iter(self) -> Self::IntoIter {
        self.frames.iter_mut()
    }
}

impl Index<usize> for Multipart {
    type Output = Message;

    /// The frame at `index`; panics past the end, as a slice does ([`Multipart::get`] does not).
    fn index(&self, index: usize) -> &Message {
        &self.frames[index]
    }
}

impl IndexMut<usize> for Multipart {
    /// The frame at `index`, writable; panics past the end ([`Multipart::get_mut`] does not).
    fn index_mut(&mut self, index: usize) -> &mut Message {
        &mut self.frames[index]
    }
}

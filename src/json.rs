//! JSON frames with serde_json (feature `serde`): [`Socket::send_json`] and [`Socket::recv_json`], like pyzmq's.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;
use crate::socket::Socket;

/// Why [`Socket::send_json`] or [`Socket::recv_json`] failed: libzmq's error, or serde_json's.
///
/// The two are kept apart because they call for different handling: a [`JsonError::Zmq`] is about the socket
/// (`EAGAIN` after a timeout, `ETERM` at shutdown, …) and the message was not sent or not received, while a
/// [`JsonError::Json`] is about the data (a value serde_json cannot write, or a received frame that is not valid
/// JSON for the type asked for) and the socket is fine: a malformed frame has been consumed, and the next
/// receive gets the next message.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// libzmq failed to send or receive.
    #[error(transparent)]
    Zmq(#[from] Error),
    /// The value could not be written as JSON, or the frame received was not JSON of the expected shape.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<JsonError> for std::io::Error {
    fn from(e: JsonError) -> std::io::Error {
        match e {
            JsonError::Zmq(e) => e.into(),
            JsonError::Json(e) => e.into(),
        }
    }
}

impl Socket {
    /// Sends `value` as one frame of JSON text (serde_json), handing the encoded buffer to libzmq without a
    /// further copy. `flags` as for [`Socket::send`] ([`crate::SNDMORE`] makes it one part of a multipart
    /// message). Nothing is sent if `value` cannot be encoded. Calls zmq_msg_send(3).
    ///
    /// ```
    /// let ctx = zmq::Context::new();
    /// let (tx, rx) = (ctx.socket(zmq::PAIR).unwrap(), ctx.socket(zmq::PAIR).unwrap());
    /// rx.bind("inproc://json-doc").unwrap();
    /// tx.connect("inproc://json-doc").unwrap();
    ///
    /// tx.send_json(&serde_json::json!({"op": "add", "args": [1, 2]}), 0).unwrap();
    /// let request: serde_json::Value = rx.recv_json(0).unwrap();
    /// assert_eq!(request["args"][1], 2);
    ///
    /// tx.send("{not json", 0).unwrap();
    /// assert!(matches!(rx.recv_json::<serde_json::Value>(0), Err(zmq::JsonError::Json(_))));
    /// ```
    #[doc(alias = "zmq_msg_send")]
    pub fn send_json<T>(&self, value: &T, flags: i32) -> Result<(), JsonError>
    where
        T: Serialize + ?Sized,
    {
        let encoded = serde_json::to_vec(value)?;
        self.send(encoded, flags)?;
        Ok(())
    }

    /// Receives one frame and decodes it from JSON into a `T` (serde_json), reading the frame in place. A frame
    /// that is not valid JSON for `T` gives [`JsonError::Json`]; it is consumed either way. Of a multipart
    /// message only one frame is read: check [`Socket::get_rcvmore`] for the rest. Calls zmq_msg_recv(3).
    #[doc(alias = "zmq_msg_recv")]
    pub fn recv_json<T>(&self, flags: i32) -> Result<T, JsonError>
    where
        T: DeserializeOwned,
    {
        let msg = self.recv_msg(flags)?;
        Ok(serde_json::from_slice(&msg)?)
    }
}

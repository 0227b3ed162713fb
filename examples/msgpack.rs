//! MessagePack over ZeroMQ with serde: a REQ/REP calculator whose requests and replies are Rust types encoded
//! with `rmp-serde`. The same pattern works for any serde format (Protobuf through `prost` works alike, with its
//! own derive): encode into a `Vec<u8>`, which `send` hands to libzmq without a copy, and decode straight from
//! the received `Message`'s bytes.
//!
//! ```text
//! cargo run --example msgpack
//! ```
//!
//! A frame that is not a valid request gets an error reply; the server never panics on what a peer sends.

use serde::{Deserialize, Serialize};

/// What the client asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// The sum of the numbers.
    Sum(Vec<f64>),
    /// The mean of the numbers (an error for none).
    Mean(Vec<f64>),
}

/// One request: an id the reply echoes, and the operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub op: Op,
}

/// The answer to one request, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub id: Option<u64>,
    pub result: Result<f64, String>,
}

/// Why a call failed: the socket, or the encoding.
#[derive(Debug)]
pub enum CallError {
    Zmq(zmq::Error),
    Encode(rmp_serde::encode::Error),
    Decode(rmp_serde::decode::Error),
}

impl From<zmq::Error> for CallError {
    fn from(e: zmq::Error) -> Self {
        CallError::Zmq(e)
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Zmq(e) => write!(f, "zmq: {e}"),
            CallError::Encode(e) => write!(f, "encoding: {e}"),
            CallError::Decode(e) => write!(f, "decoding: {e}"),
        }
    }
}

/// Encodes `value` as MessagePack (with field names, so that either side may add fields) and sends it as one
/// frame: the buffer goes to libzmq without a copy.
pub fn send_msgpack<T: Serialize>(socket: &zmq::Socket, value: &T) -> Result<(), CallError> {
    let frame = rmp_serde::to_vec_named(value).map_err(CallError::Encode)?;
    socket.send(frame, 0)?;
    Ok(())
}

/// Receives one frame and decodes it from MessagePack, reading the message's bytes in place.
pub fn recv_msgpack<T: for<'de> Deserialize<'de>>(socket: &zmq::Socket) -> Result<T, CallError> {
    let msg = socket.recv_msg(0)?;
    rmp_serde::from_slice(&msg).map_err(CallError::Decode)
}

fn evaluate(op: &Op) -> Result<f64, String> {
    match op {
        Op::Sum(v) => Ok(v.iter().sum()),
        Op::Mean(v) if v.is_empty() => Err("mean of nothing".into()),
        Op::Mean(v) => Ok(v.iter().sum::<f64>() / v.len() as f64),
    }
}

/// Answers `count` requests on a REP socket. A frame that does not decode gets a reply with no id and the
/// decoding error.
pub fn serve(socket: &zmq::Socket, count: usize) -> Result<(), CallError> {
    for _ in 0..count {
        let reply = match recv_msgpack::<Request>(socket) {
            Ok(request) => Reply { id: Some(request.id), result: evaluate(&request.op) },
            Err(CallError::Decode(e)) => Reply { id: None, result: Err(format!("bad request: {e}")) },
            Err(e) => return Err(e),
        };
        send_msgpack(socket, &reply)?;
    }
    Ok(())
}

/// Sends one request on a REQ socket and waits for its reply.
pub fn call(socket: &zmq::Socket, request: &Request) -> Result<Reply, CallError> {
    send_msgpack(socket, request)?;
    recv_msgpack(socket)
}

#[allow(dead_code)] // the scenario test includes this file and calls the pieces above
fn main() -> Result<(), CallError> {
    let ctx = zmq::Context::new();
    let server = ctx.socket(zmq::REP)?;
    server.bind("tcp://127.0.0.1:*")?;
    let endpoint = server.last_endpoint()?;
    let worker = std::thread::spawn(move || serve(&server, 3));

    let client = ctx.socket(zmq::REQ)?;
    client.set_rcvtimeo(5000)?;
    client.connect(&endpoint)?;
    for (id, op) in [(1, Op::Sum(vec![1.5, 2.5, 3.0])), (2, Op::Mean(vec![]))] {
        let reply = call(&client, &Request { id, op })?;
        println!("request {id}: {:?}", reply.result);
    }
    client.send("not MessagePack", 0)?;
    let reply: Reply = recv_msgpack(&client)?;
    println!("garbage: {:?}", reply.result);

    worker.join().expect("the server thread panicked")?;
    Ok(())
}

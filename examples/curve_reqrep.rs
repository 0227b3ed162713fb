//! Encrypted request-reply: a REP server and a REQ client in one process, on two threads, talking CURVE
//! (CurveZMQ, RFC 26) over TCP on 127.0.0.1.
//!
//! The server has a long-term key pair and sets `ZMQ_CURVE_SERVER`; the client knows the server's public key and
//! has a key pair of its own. Every message is encrypted and the client is sure it talks to the holder of the
//! server's secret key. No authenticator runs, so the server admits any client that completes the handshake:
//! see `ironhouse.rs` for checking clients too.
//!
//! Run it with `cargo run --example curve_reqrep`.

#[macro_use]
mod zhelpers; //  println! that dies by SIGPIPE when stdout's reader has gone, as printf does

use std::thread;

/// Sends `rounds` requests and returns the replies the client got.
pub fn run(rounds: usize) -> Result<Vec<String>, zmq::Error> {
    let context = zmq::Context::new();

    //  Each side has a long-term key pair; the client must know the server's public key beforehand
    let server_keys = zmq::CurveKeyPair::new()?;
    let client_keys = zmq::CurveKeyPair::new()?;
    println!("server public key: {}", server_keys.public_key_z85());
    println!("client public key: {}", client_keys.public_key_z85());

    //  Server: CURVE server role, secret key only
    let server = context.socket(zmq::REP)?;
    server_keys.apply_server(&server)?;
    server.set_rcvtimeo(5000)?;
    server.bind("tcp://127.0.0.1:*")?;
    let endpoint = server.last_endpoint()?;

    let server_thread = thread::spawn(move || -> Result<(), zmq::Error> {
        let mut request = zmq::Message::new();
        for _ in 0..rounds {
            server.recv(&mut request, 0)?;
            let text = request.as_str().unwrap_or("<binary>").to_owned();
            server.send(format!("World, to {text} (over {:?})", server.get_mechanism()?), 0)?;
        }
        Ok(())
    });

    //  Client: the server's public key plus its own key pair
    let client = context.socket(zmq::REQ)?;
    client_keys.apply_client(&client, &server_keys.public_key)?;
    client.set_rcvtimeo(5000)?;
    client.connect(&endpoint)?;

    let mut replies = Vec::with_capacity(rounds);
    for n in 0..rounds {
        client.send(format!("Hello {n}"), 0)?;
        let reply = client.recv_string(0)?.unwrap_or_default();
        println!("client received: {reply}");
        replies.push(reply);
    }
    server_thread.join().expect("the server thread panicked")?;
    Ok(replies)
}

fn main() -> Result<(), zmq::Error> {
    if zmq::has("curve") != Some(true) {
        eprintln!("this libzmq was built without CURVE");
        std::process::exit(1);
    }
    run(3)?;
    Ok(())
}

//! Ironhouse: CURVE in both directions, and the server admits only clients whose public key it knows.
//!
//! The client checks the server (it must hold the secret key for the public key the client expects); the server
//! checks the client through an authenticator (`zmq::Authenticator`, a ZAP handler on its own thread) that admits
//! only the keys found in a directory of public certificate files — the `NAME.key` files czmq and pyzmq write.
//!
//! The example makes fresh certificates in a temporary directory, puts only the trusted client's public
//! certificate into the server's "authorized clients" directory, and then
//! * the trusted client talks to the server: its request arrives carrying its key as `User-Id` and its
//!   certificate's metadata;
//! * a stranger with a valid key pair that is not in the directory is refused: its request never arrives.
//!
//! Everything runs in one process over TCP on 127.0.0.1. Run it with `cargo run --example ironhouse`.

#[macro_use]
mod zhelpers; //  println! that dies by SIGPIPE when stdout's reader has gone, as printf does

use std::error::Error;
use std::path::PathBuf;

/// What happened, for the caller to print or check.
#[derive(Debug)]
pub struct Outcome {
    /// The reply the trusted client got.
    pub reply: String,
    /// The `User-Id` the server saw on the trusted client's request (its public key in Z85).
    pub user_id: String,
    /// The trusted client's public key in Z85.
    pub client_key: String,
    /// The `name` metadata of the trusted client's certificate, as the server saw it.
    pub client_name: String,
    /// Whether the stranger's request was kept out.
    pub stranger_refused: bool,
}

/// A scratch directory removed when dropped.
struct ScratchDir(PathBuf);

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the scenario.
pub fn run() -> Result<Outcome, Box<dyn Error>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let scratch = ScratchDir(std::env::temp_dir().join(format!(
        "zmq-ironhouse-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    )));
    let authorized = scratch.0.join("authorized_clients");
    let client_dir = scratch.0.join("client");
    std::fs::create_dir_all(&authorized)?;
    std::fs::create_dir_all(&client_dir)?;

    //  Certificates: the server's, the trusted client's (public part given to the server), a stranger's
    let server_cert = zmq::Certificate::new()?.with_meta("name", "ironhouse server");
    let client_cert = zmq::Certificate::new()?.with_meta("name", "trusted client");
    client_cert.save(client_dir.join("client"))?;
    client_cert.save_public(authorized.join("client.key"))?;
    let stranger_cert = zmq::Certificate::new()?.with_meta("name", "stranger");

    let context = zmq::Context::builder().linger(0).build()?;

    //  Start an authenticator for this context: only the keys in the directory may connect
    let auth = zmq::Authenticator::new(&context)?;
    auth.allow("127.0.0.1");
    let known = auth.configure_curve_dir(zmq::ANY_DOMAIN, &authorized)?;
    println!("authenticator: {known} authorized client key(s)");

    //  Server: CURVE server with its secret key
    let server = context.socket(zmq::REP)?;
    server_cert.apply_server(&server)?;
    server.set_rcvtimeo(5000)?;
    server.bind("tcp://127.0.0.1:*")?;
    let endpoint = server.last_endpoint()?;

    //  Trusted client: loads its secret certificate from disk, knows the server's public key
    let client_cert = zmq::Certificate::load(client_dir.join("client.key_secret"))?;
    let client = context.socket(zmq::REQ)?;
    client_cert.apply_client(&client, &server_cert.public_key)?;
    client.set_rcvtimeo(5000)?;
    client.connect(&endpoint)?;
    client.send("Hello from a known client", 0)?;

    let mut request = zmq::Message::new();
    server.recv(&mut request, 0)?;
    let user_id = request.gets("User-Id").unwrap_or_default().to_owned();
    let client_name = request.gets("name").unwrap_or_default().to_owned();
    println!("server received {:?} from {user_id} ({client_name})", request.as_str().unwrap_or_default());
    server.send("Welcome", 0)?;
    let reply = client.recv_string(0)?.unwrap_or_default();
    println!("trusted client received {reply:?}");

    //  Stranger: a valid CURVE client, but its key is not in the directory
    let stranger = context.socket(zmq::REQ)?;
    stranger_cert.apply_client(&stranger, &server_cert.public_key)?;
    stranger.connect(&endpoint)?;
    stranger.send("Let me in", zmq::DONTWAIT)?;
    let stranger_refused = server.poll(zmq::POLLIN, 1000)? == 0;
    println!("stranger {}", if stranger_refused { "refused" } else { "ADMITTED" });

    Ok(Outcome { reply, user_id, client_key: client_cert.public_key_z85(), client_name, stranger_refused })
}

fn main() -> Result<(), Box<dyn Error>> {
    if zmq::has("curve") != Some(true) {
        return Err("this libzmq was built without CURVE".into());
    }
    let outcome = run()?;
    if !outcome.stranger_refused || outcome.user_id != outcome.client_key {
        return Err(format!("ironhouse failed: {outcome:?}").into());
    }
    println!("Ironhouse test OK");
    Ok(())
}

//! The ZAP authenticator: a handler libzmq asks whether to admit each connecting peer (ZAP, RFC 27).

use crate::error::contain;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::cert::{read_text_file, Certificate};
use crate::context::Context;
use crate::curve::{key_from_bytes, key_to_z85};
use crate::error::{Error, Result};
use crate::socket::{Socket, SocketType};
use crate::zap::ZAP_VERSION;
pub use crate::zap::{ZapReply, ZapRequest, ZapStatus};

/// Where a ZAP handler binds in a context (RFC 27). Only one socket per context can bind it.
pub const ZAP_ENDPOINT: &str = "inproc://zeromq.zap.01";

/// The domain name whose settings apply to every ZAP domain without its own (pyzmq and czmq use `"*"` too).
pub const ANY_DOMAIN: &str = "*";

/// A callback deciding ZAP requests; `None` leaves the decision to the built-in rules.
pub type ZapHandler = dyn Fn(&ZapRequest) -> Option<ZapReply> + Send + Sync;

type Logger = Arc<dyn Fn(&str) + Send + Sync>;

/// CURVE settings of one domain.
#[derive(Clone)]
enum CurvePolicy {
    /// Any client with a valid key pair (encryption without authentication: "stonehouse").
    AnyKey,
    /// Only these keys, each with the metadata of its certificate; `dir` is re-read by `reload`.
    Keys { keys: HashMap<[u8; 32], BTreeMap<String, String>>, dir: Option<PathBuf> },
}

/// The settings of one ZAP domain; `None` fields fall back to [`ANY_DOMAIN`]'s.
#[derive(Clone, Default)]
struct DomainPolicy {
    passwords: Option<HashMap<String, String>>,
    password_file: Option<PathBuf>,
    curve: Option<CurvePolicy>,
    handler: Option<Arc<ZapHandler>>,
}

#[derive(Default)]
struct Config {
    allow: BTreeSet<String>,
    deny: BTreeSet<String>,
    domains: HashMap<String, DomainPolicy>,
    verbose: bool,
    logger: Option<Logger>,
}

impl Config {
    /// The setting `pick` of `domain`, else of [`ANY_DOMAIN`].
    fn lookup<T>(&self, domain: &str, pick: impl Fn(&DomainPolicy) -> Option<&T>) -> Option<&T> {
        self.domains.get(domain).and_then(&pick).or_else(|| self.domains.get(ANY_DOMAIN).and_then(&pick))
    }

    /// Step 1: the IP rules. `Some(reply)` refuses.
    fn check_address(&self, address: &str) -> Option<ZapReply> {
        if !self.allow.is_empty() {
            if !self.allow.contains(address) {
                return Some(ZapReply::deny(format!("address {address} is not on the allow list")));
            }
        } else if self.deny.contains(address) {
            return Some(ZapReply::deny(format!("address {address} is on the deny list")));
        }
        None
    }

    /// Step 3: the mechanism rules.
    fn check_mechanism(&self, request: &ZapRequest) -> ZapReply {
        let domain = request.domain.as_str();
        match request.mechanism.as_str() {
            "NULL" if request.credentials.is_empty() => ZapReply::allow(""),
            "NULL" => ZapReply::deny("malformed NULL request: it carries credentials"),
            "PLAIN" => {
                let Some(table) = self.lookup(domain, |p| p.passwords.as_ref()) else {
                    return ZapReply::deny("PLAIN is not configured for this domain");
                };
                match request.plain_credentials() {
                    Some((user, password)) if table.get(user).is_some_and(|p| same(p, password)) => {
                        ZapReply::allow(user)
                    }
                    Some((user, _)) if table.contains_key(user) => ZapReply::deny(format!("wrong password for {user}")),
                    Some((user, _)) => ZapReply::deny(format!("unknown user {user}")),
                    None => ZapReply::deny("malformed PLAIN credentials"),
                }
            }
            "CURVE" => {
                let Some(key) = request.curve_public_key() else {
                    return ZapReply::deny("malformed CURVE credentials");
                };
                let user_id = key_to_z85(&key);
                match self.lookup(domain, |p| p.curve.as_ref()) {
                    None => ZapReply::deny("CURVE is not configured for this domain"),
                    Some(CurvePolicy::AnyKey) => ZapReply::allow(user_id),
                    Some(CurvePolicy::Keys { keys, .. }) => match keys.get(&key) {
                        Some(metadata) => metadata
                            .iter()
                            .fold(ZapReply::allow(user_id), |reply, (k, v)| reply.with_metadata(k.clone(), v.clone())),
                        None => ZapReply::deny(format!("unknown CURVE key {user_id}")),
                    },
                }
            }
            "GSSAPI" => match request.gssapi_principal() {
                Some(principal) => ZapReply::allow(principal),
                None => ZapReply::deny("malformed GSSAPI credentials"),
            },
            other => ZapReply::deny(format!("unsupported mechanism {other:?}")),
        }
    }
}

/// Compares two passwords in time that depends only on their lengths.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

struct Shared {
    config: Mutex<Config>,
    running: AtomicBool,
}

impl Shared {
    fn config(&self) -> MutexGuard<'_, Config> {
        self.config.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Decides one request (the lock is not held while the user's callback runs).
    fn decide(&self, request: &ZapRequest) -> ZapReply {
        if request.version.as_bytes() != ZAP_VERSION {
            return ZapReply {
                status: ZapStatus::InternalError,
                ..ZapReply::deny(format!("unsupported ZAP version {:?}", request.version))
            };
        }
        let handler = {
            let config = self.config();
            if let Some(refusal) = config.check_address(&request.address) {
                return refusal;
            }
            config.lookup(&request.domain, |p| p.handler.as_ref()).cloned()
        };
        if let Some(handler) = handler {
            match contain(|| handler(request)) {
                Some(Some(reply)) => return reply,
                Some(None) => {}
                None => {
                    return ZapReply {
                        status: ZapStatus::InternalError,
                        ..ZapReply::deny("the authentication callback panicked")
                    }
                }
            }
        }
        self.config().check_mechanism(request)
    }

    /// Logs a decision if verbose.
    fn log(&self, request: &ZapRequest, reply: &ZapReply) {
        let logger = {
            let config = self.config();
            if !config.verbose {
                return;
            }
            config.logger.clone()
        };
        let verdict = if reply.is_allowed() { "ALLOWED" } else { "DENIED" };
        let line = format!(
            "zmq auth: {verdict} {} domain={:?} address={} user={:?}: {} {}",
            request.mechanism,
            request.domain,
            request.address,
            if reply.is_allowed() { reply.user_id.clone() } else { describe_user(request) },
            reply.status.code(),
            reply.status_text,
        );
        match logger {
            Some(logger) => {
                let _ = contain(|| logger(&line));
            }
            None => eprintln!("{line}"),
        }
    }
}

/// Who a refused request claimed to be, for the log (never a password).
fn describe_user(request: &ZapRequest) -> String {
    if let Some((user, _)) = request.plain_credentials() {
        user.to_owned()
    } else if let Some(key) = request.curve_public_key() {
        key_to_z85(&key)
    } else {
        request.gssapi_principal().unwrap_or_default().to_owned()
    }
}

/// A ZAP handler running on its own thread for one [`Context`]: libzmq asks it whether to admit each connecting
/// peer (ZAP, RFC 27).
///
/// When a socket using PLAIN or CURVE (or NULL with a `ZMQ_ZAP_DOMAIN` set) accepts a connection, libzmq sends a
/// request to whoever is bound at `inproc://zeromq.zap.01` in the socket's context, and admits the peer only if the
/// reply says `200`. An `Authenticator` binds there and answers on its own thread, following the rules you give
/// it while it runs:
///
/// 1. **IP addresses** (all domains): if the allow list is not empty, only its addresses pass; otherwise addresses
///    on the deny list are refused. A peer that passes still has to pass its mechanism's check.
/// 2. **Your callback** for the domain, if any ([`Authenticator::set_handler`]): it may decide (return a reply) or
///    leave the decision to the built-in rules (return `None`).
/// 3. **The mechanism**: NULL is admitted; PLAIN needs a username/password from the domain's table; CURVE needs a
///    client public key from the domain's set (in memory or a directory of certificates), or "any key"; GSSAPI is
///    admitted with the principal as user id.
///
/// Mechanism settings are per ZAP domain (`ZMQ_ZAP_DOMAIN`, empty by default). For each mechanism, a domain without
/// its own setting uses the one configured for [`ANY_DOMAIN`] (`"*"`).
///
/// Replies for CURVE carry the client's Z85 public key as user id and the metadata of its certificate; PLAIN
/// replies carry the username. Read them on a received message with `Message::gets("User-Id")` or by name.
///
/// ```
/// # if zmq::has("curve") == Some(true) {
/// let ctx = zmq::Context::new();
/// let auth = zmq::Authenticator::new(&ctx).unwrap();
/// let server_keys = zmq::CurveKeyPair::new().unwrap();
/// let client_keys = zmq::CurveKeyPair::new().unwrap();
/// auth.configure_curve(zmq::ANY_DOMAIN, [client_keys.public_key]).unwrap();
///
/// let server = ctx.socket(zmq::REP).unwrap();
/// server_keys.apply_server(&server).unwrap();
/// server.bind("tcp://127.0.0.1:*").unwrap();
///
/// let client = ctx.socket(zmq::REQ).unwrap();
/// client_keys.apply_client(&client, &server_keys.public_key).unwrap();
/// client.connect(&server.last_endpoint().unwrap()).unwrap();
/// client.send("hello", 0).unwrap();
///
/// let mut msg = zmq::Message::new();
/// server.recv(&mut msg, 0).unwrap();
/// assert_eq!(msg.gets("User-Id"), Some(client_keys.public_key_z85().as_str()));
/// # }
/// ```
///
/// Configure it from any thread while it runs (it is `Send + Sync`); each request is decided with the settings of
/// that moment. Dropping it stops the thread (and frees `inproc://zeromq.zap.01` for another handler). Its sockets
/// use LINGER 0, and the thread also ends by itself when the context is shut down ([`Context::shutdown`]), so it
/// never delays termination.
///
/// Without a ZAP handler, libzmq refuses every PLAIN peer and admits every CURVE peer that completes the handshake
/// (unless `ZMQ_ZAP_ENFORCE_DOMAIN` is set); NULL-mechanism sockets consult a handler only when their
/// `ZMQ_ZAP_DOMAIN` is set.
pub struct Authenticator {
    shared: Arc<Shared>,
    control: Mutex<Socket>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = self.shared.config();
        let mut domains: Vec<&String> = config.domains.keys().collect();
        domains.sort();
        f.debug_struct("Authenticator")
            .field("running", &self.is_running())
            .field("allow", &config.allow)
            .field("deny", &config.deny)
            .field("domains", &domains)
            .field("verbose", &config.verbose)
            .finish()
    }
}

impl Drop for Authenticator {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            {
                let control = self.control.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if control.live().is_err() {
                    // A forked child's copy: the handler thread exists only in the parent; there is nothing to
                    // stop or join here.
                    std::mem::forget(thread);
                    return;
                }
                // Fails only if the context was shut down, and then the thread has seen ETERM already.
                let _ = control.send("STOP", crate::DONTWAIT);
            }
            // Dropped by a callback, on the handler thread itself: it stops after the current request.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

impl Authenticator {
    /// Binds a ZAP handler to `inproc://zeromq.zap.01` in `ctx` and starts its thread. Until configured, it admits
    /// NULL and GSSAPI peers and refuses PLAIN and CURVE ones.
    ///
    /// Fails with `EADDRINUSE` if the context already has a ZAP handler (only one can bind), `ETERM` if the
    /// context was shut down, `ENOMEM` if no thread can be started.
    pub fn new(ctx: &Context) -> Result<Authenticator> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);

        let zap = ctx.socket(SocketType::ROUTER)?;
        zap.set_linger(0)?;
        zap.bind(ZAP_ENDPOINT)?;

        let endpoint = format!("inproc://zmq-rs.authenticator.control.{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let inbox = ctx.socket(SocketType::PAIR)?;
        inbox.set_linger(0)?;
        inbox.bind(&endpoint)?;
        let control = ctx.socket(SocketType::PAIR)?;
        control.set_linger(0)?;
        control.connect(&endpoint)?;

        let shared = Arc::new(Shared { config: Mutex::new(Config::default()), running: AtomicBool::new(true) });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("zmq-authenticator".into())
            .spawn(move || {
                serve(&zap, &inbox, &thread_shared);
                // Free the endpoint now (closing a socket frees it only later, on libzmq's reaper thread), so a
                // new authenticator can bind as soon as this one is dropped.
                let _ = zap.unbind(ZAP_ENDPOINT);
                thread_shared.running.store(false, Ordering::Release);
            })
            .map_err(|_| Error::ENOMEM)?;
        Ok(Authenticator { shared, control: Mutex::new(control), thread: Some(thread) })
    }

    /// Whether the handler thread still answers requests (false once the context was shut down).
    pub fn is_running(&self) -> bool {
        self.shared.running.load(Ordering::Acquire)
    }

    /// Adds an IP address (as libzmq reports it, e.g. `"127.0.0.1"`, `"::1"`) to the allow list. While the allow
    /// list is not empty, only its addresses are admitted, in every domain, and the deny list is not used.
    pub fn allow(&self, address: &str) {
        self.shared.config().allow.insert(address.to_owned());
    }

    /// Adds an IP address to the deny list, used while the allow list is empty.
    pub fn deny(&self, address: &str) {
        self.shared.config().deny.insert(address.to_owned());
    }

    /// Removes an address from the allow list; returns whether it was there.
    pub fn remove_allowed(&self, address: &str) -> bool {
        self.shared.config().allow.remove(address)
    }

    /// Removes an address from the deny list; returns whether it was there.
    pub fn remove_denied(&self, address: &str) -> bool {
        self.shared.config().deny.remove(address)
    }

    fn update_domain(&self, domain: &str, f: impl FnOnce(&mut DomainPolicy)) {
        f(self.shared.config().domains.entry(domain.to_owned()).or_default());
    }

    /// Sets the PLAIN username → password table of `domain` ([`ANY_DOMAIN`] for all), replacing any earlier one.
    pub fn configure_plain<I, U, P>(&self, domain: &str, passwords: I)
    where
        I: IntoIterator<Item = (U, P)>,
        U: Into<String>,
        P: Into<String>,
    {
        let table = passwords.into_iter().map(|(u, p)| (u.into(), p.into())).collect();
        self.update_domain(domain, |policy| {
            policy.passwords = Some(table);
            policy.password_file = None;
        });
    }

    /// Sets the PLAIN table of `domain` from a file of `user=password` lines (blank lines and lines starting with
    /// `#` are skipped; spaces around both parts are trimmed). The file is read again by
    /// [`Authenticator::reload`]. Returns the number of users; on error the previous table stays.
    pub fn configure_plain_file(&self, domain: &str, path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        let table = read_password_file(path)?;
        let count = table.len();
        self.update_domain(domain, |policy| {
            policy.passwords = Some(table);
            policy.password_file = Some(path.to_owned());
        });
        Ok(count)
    }

    /// Admits CURVE clients of `domain` whose public key is one of `keys` (each 32 binary bytes or 40 Z85
    /// characters), replacing the domain's earlier CURVE setting. `EINVAL` (and no change) if a key is malformed.
    pub fn configure_curve<I, K>(&self, domain: &str, keys: I) -> Result<()>
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        let keys = keys
            .into_iter()
            .map(|k| key_from_bytes(k.as_ref()).map(|k| (k, BTreeMap::new())))
            .collect::<Result<HashMap<_, _>>>()?;
        self.update_domain(domain, |policy| policy.curve = Some(CurvePolicy::Keys { keys, dir: None }));
        Ok(())
    }

    /// Admits CURVE clients of `domain` holding one of these certificates' keys; each admitted peer's messages
    /// carry its certificate's metadata as properties. Replaces the domain's earlier CURVE setting.
    pub fn configure_curve_certs<I>(&self, domain: &str, certs: I)
    where
        I: IntoIterator<Item = Certificate>,
    {
        let keys = certs.into_iter().map(|c| (c.public_key, c.metadata)).collect();
        self.update_domain(domain, |policy| policy.curve = Some(CurvePolicy::Keys { keys, dir: None }));
    }

    /// Admits CURVE clients of `domain` whose public certificate is in `dir` (see [`Certificate::load_dir`]),
    /// replacing the domain's earlier CURVE setting. The directory is read now and again by
    /// [`Authenticator::reload`]. Returns the number of keys; on error the previous setting stays.
    pub fn configure_curve_dir(&self, domain: &str, dir: impl AsRef<Path>) -> io::Result<usize> {
        let dir = dir.as_ref();
        let keys = read_curve_dir(dir)?;
        let count = keys.len();
        self.update_domain(domain, |policy| {
            policy.curve = Some(CurvePolicy::Keys { keys, dir: Some(dir.to_owned()) });
        });
        Ok(count)
    }

    /// Admits every CURVE client of `domain` that completes the handshake, whatever its key (encryption
    /// without client authentication). Replaces the domain's earlier CURVE setting.
    pub fn configure_curve_any(&self, domain: &str) {
        self.update_domain(domain, |policy| policy.curve = Some(CurvePolicy::AnyKey));
    }

    /// Re-reads every certificate directory and password file given to `configure_*`, so keys and users added or
    /// removed since take effect for new connections (established ones stay). All files are read before anything
    /// changes: on error nothing changes.
    pub fn reload(&self) -> io::Result<()> {
        let (dirs, files): (Vec<_>, Vec<_>) = {
            let config = self.shared.config();
            let dirs = config
                .domains
                .iter()
                .filter_map(|(domain, policy)| match &policy.curve {
                    Some(CurvePolicy::Keys { dir: Some(dir), .. }) => Some((domain.clone(), dir.clone())),
                    _ => None,
                })
                .collect();
            let files = config
                .domains
                .iter()
                .filter_map(|(domain, policy)| policy.password_file.clone().map(|file| (domain.clone(), file)))
                .collect();
            (dirs, files)
        };
        let dirs = dirs
            .into_iter()
            .map(|(domain, dir)| read_curve_dir(&dir).map(|keys| (domain, dir, keys)))
            .collect::<io::Result<Vec<_>>>()?;
        let files = files
            .into_iter()
            .map(|(domain, file)| read_password_file(&file).map(|table| (domain, file, table)))
            .collect::<io::Result<Vec<_>>>()?;

        let mut config = self.shared.config();
        for (domain, dir, new_keys) in dirs {
            if let Some(CurvePolicy::Keys { keys, dir: Some(current) }) =
                config.domains.get_mut(&domain).and_then(|p| p.curve.as_mut())
            {
                if *current == dir {
                    *keys = new_keys;
                }
            }
        }
        for (domain, file, table) in files {
            if let Some(policy) = config.domains.get_mut(&domain) {
                if policy.password_file.as_ref() == Some(&file) {
                    policy.passwords = Some(table);
                }
            }
        }
        Ok(())
    }

    /// Lets `handler` decide the requests of `domain` ([`ANY_DOMAIN`] for all) that pass the IP rules: it returns
    /// a reply to decide, or `None` to apply the built-in rules. It runs on the authenticator's thread; a panic in
    /// it refuses the peer (`500`) and the thread goes on. While it runs, no other request of the context is
    /// decided, and dropping the authenticator waits for it to return: a callback that blocks stalls every
    /// handshake that needs ZAP (libzmq gives up on one after `ZMQ_HANDSHAKE_IVL`).
    ///
    /// ```
    /// let ctx = zmq::Context::new();
    /// let auth = zmq::Authenticator::new(&ctx).unwrap();
    /// // Admit PLAIN users whose password is their name reversed.
    /// auth.set_handler(zmq::ANY_DOMAIN, |request| {
    ///     let (user, password) = request.plain_credentials()?;
    ///     Some(if user.chars().rev().eq(password.chars()) {
    ///         zmq::ZapReply::allow(user)
    ///     } else {
    ///         zmq::ZapReply::deny("wrong password")
    ///     })
    /// });
    /// ```
    pub fn set_handler<F>(&self, domain: &str, handler: F)
    where
        F: Fn(&ZapRequest) -> Option<ZapReply> + Send + Sync + 'static,
    {
        let handler: Arc<ZapHandler> = Arc::new(handler);
        self.update_domain(domain, |policy| policy.handler = Some(handler));
    }

    /// Removes the callback of `domain`.
    pub fn clear_handler(&self, domain: &str) {
        self.update_domain(domain, |policy| policy.handler = None);
    }

    /// Forgets every setting of `domain` (so it falls back to [`ANY_DOMAIN`]'s); returns whether it had any.
    pub fn remove_domain(&self, domain: &str) -> bool {
        self.shared.config().domains.remove(domain).is_some()
    }

    /// Logs every decision (one line each, to stderr unless a logger is set). Passwords are never logged.
    pub fn set_verbose(&self, verbose: bool) {
        self.shared.config().verbose = verbose;
    }

    /// Sends the verbose log lines to `logger` instead of stderr, and turns verbose logging on.
    pub fn set_logger<F>(&self, logger: F)
    where
        F: Fn(&str) + Send + Sync + 'static,
    {
        let mut config = self.shared.config();
        config.logger = Some(Arc::new(logger));
        config.verbose = true;
    }
}

/// The handler thread: answers ZAP requests until told to stop or the context is shut down.
fn serve(zap: &Socket, inbox: &Socket, shared: &Shared) {
    loop {
        let mut items = [zap.as_poll_item(crate::POLLIN), inbox.as_poll_item(crate::POLLIN)];
        match crate::poll(&mut items, -1) {
            Ok(_) => {}
            Err(Error::EINTR) => continue,
            Err(_) => return, // ETERM: the context is shutting down
        }
        if items[1].is_readable() {
            return; // the only command is "stop"
        }
        if !items[0].is_readable() {
            continue;
        }
        let frames = match zap.recv_multipart(crate::DONTWAIT) {
            Ok(frames) => frames,
            Err(Error::EAGAIN) | Err(Error::EINTR) => continue,
            Err(_) => return,
        };
        // ROUTER framing: the session's routing id, the empty delimiter, then the request.
        let [peer, delimiter, request @ ..] = frames.as_slice() else { continue };
        if !delimiter.is_empty() || request.len() < 2 {
            continue; // not a ZAP request; nothing sensible to answer
        }
        let request_id = request[1].clone();
        let reply = match ZapRequest::from_frames(request) {
            Some(request) => {
                let reply = shared.decide(&request);
                shared.log(&request, &reply);
                reply
            }
            None => ZapReply { status: ZapStatus::InternalError, ..ZapReply::deny("malformed ZAP request") },
        };
        let metadata = reply.encode_metadata();
        let frames: [&[u8]; 8] = [
            peer,
            b"",
            ZAP_VERSION,
            &request_id,
            reply.status.code().as_bytes(),
            reply.status_text.as_bytes(),
            reply.user_id.as_bytes(),
            &metadata,
        ];
        // ZAP pipes have no high-water mark, so this never blocks; a vanished peer's reply is dropped.
        if let Err(Error::ETERM) = zap.send_multipart(frames, 0) {
            return;
        }
    }
}

fn read_curve_dir(dir: &Path) -> io::Result<HashMap<[u8; 32], BTreeMap<String, String>>> {
    Ok(Certificate::load_dir(dir)?.into_iter().map(|c| (c.public_key, c.metadata)).collect())
}

/// The largest password file read (16 MiB).
const MAX_PASSWORD_FILE_SIZE: u64 = 16 << 20;

/// Reads `user=password` lines.
fn read_password_file(path: &Path) -> io::Result<HashMap<String, String>> {
    let text = read_text_file(path, MAX_PASSWORD_FILE_SIZE)?;
    let mut table = HashMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((user, password)) = line.split_once('=') else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: line {}: expected `user=password`", path.display(), index + 1),
            ));
        };
        table.insert(user.trim().to_owned(), password.trim().to_owned());
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(mechanism: &str, address: &str, credentials: &[&[u8]]) -> ZapRequest {
        ZapRequest {
            version: "1.0".into(),
            request_id: b"1".to_vec(),
            domain: String::new(),
            address: address.into(),
            routing_id: vec![],
            mechanism: mechanism.into(),
            credentials: credentials.iter().map(|c| c.to_vec()).collect(),
        }
    }

    fn shared() -> Shared {
        Shared { config: Mutex::new(Config::default()), running: AtomicBool::new(true) }
    }

    #[test]
    fn allow_list_wins_over_deny_list() {
        let s = shared();
        s.config().deny.insert("10.0.0.1".into());
        assert!(!s.decide(&request("NULL", "10.0.0.1", &[])).is_allowed());
        assert!(s.decide(&request("NULL", "10.0.0.2", &[])).is_allowed());
        s.config().allow.insert("10.0.0.1".into());
        assert!(s.decide(&request("NULL", "10.0.0.1", &[])).is_allowed());
        assert!(!s.decide(&request("NULL", "10.0.0.2", &[])).is_allowed());
    }

    #[test]
    fn plain_and_curve_fall_back_to_any_domain() {
        let s = shared();
        s.config().domains.insert(
            ANY_DOMAIN.into(),
            DomainPolicy {
                passwords: Some([("ann".to_owned(), "pw".to_owned())].into()),
                curve: Some(CurvePolicy::AnyKey),
                ..Default::default()
            },
        );
        let mut req = request("PLAIN", "1.2.3.4", &[b"ann", b"pw"]);
        req.domain = "elsewhere".into();
        assert_eq!(s.decide(&req).user_id, "ann");
        req.credentials[1] = b"nope".to_vec();
        assert_eq!(s.decide(&req).status, ZapStatus::Failure);
        let curve = request("CURVE", "1.2.3.4", &[&[7u8; 32]]);
        assert!(s.decide(&curve).is_allowed());
        assert!(!s.decide(&request("CURVE", "1.2.3.4", &[b"short"])).is_allowed());
    }

    #[test]
    fn bad_version_and_panicking_handler_are_internal_errors() {
        let s = shared();
        let mut req = request("NULL", "1.2.3.4", &[]);
        req.version = "2.0".into();
        assert_eq!(s.decide(&req).status, ZapStatus::InternalError);
        let handler: Arc<ZapHandler> = Arc::new(|_: &ZapRequest| panic!("boom"));
        s.config().domains.insert(ANY_DOMAIN.into(), DomainPolicy { handler: Some(handler), ..Default::default() });
        let reply = s.decide(&request("NULL", "1.2.3.4", &[])); // prints the panic message; that is expected
        assert_eq!(reply.status, ZapStatus::InternalError);
    }

    #[test]
    fn passwords_compare_exactly() {
        assert!(same("secret", "secret"));
        assert!(!same("secret", "secreT"));
        assert!(!same("secret", "secrets"));
    }
}

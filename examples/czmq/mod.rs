//! Helper module for the examples written over czmq: a Rust twin of the
//! part of czmq (versions 2 and 3, which the zguide's C examples use) that
//! those examples call, as `zhelpers` twins `zhelpers.h`.
//!
//! Each example pulls it in with `mod czmq;` and reads like its C: the
//! functions have czmq's names and argument order. Where ownership differs:
//! - a function the C hands a `zxxx_t **` to destroy (`zmsg_send`,
//!   `zmsg_destroy`, `zframe_send` without `ZFRAME_REUSE`) takes the value;
//!   sizes that go with a pointer in C come with the slice;
//! - calls that return NULL in C return `None`, and calls that return -1 on
//!   failure return `zmq::Result`; strings from the wire are bytes
//!   (`Vec<u8>`), as C's `char *` holds whatever the peer sent, and are
//!   printed with `printf`;
//! - `zctx_t` is [`ZCtx`], a `zmq::Context` and its default LINGER (0, as in
//!   czmq); sockets belong to whoever holds them and close when dropped, so
//!   `zsocket_destroy` and `zctx_destroy` are drops. czmq applies the linger
//!   when it closes a socket; here a socket gets it when created;
//! - `zhash_t` and `zlist_t` are Rust's `HashMap` and `Vec`/`VecDeque`;
//! - `zthread_fork` takes a `fn` and its argument by value;
//! - `zloop` shares sockets as `Rc` and hands one state to all handlers
//!   (see [`zloop`]).
//!
//! Like czmq's `zctx_new`, [`zctx_new`] catches SIGINT and SIGTERM and sets
//! [`zctx_interrupted`], so blocking calls return (their `None` or `Err`)
//! and the examples leave their loops; it also restores SIGPIPE's default
//! action, so writing to a closed pipe ends the process as it ends a C one.
//! Nothing here panics on what a peer sends.
#![allow(dead_code, unused_imports)]

pub mod zframe;
#[path = "../zhelpers/mod.rs"]
pub mod zhelpers;
pub mod zloop;
pub mod zmsg;

pub use zframe::*;
pub use zhelpers::{atoi, atol, printf, randof, s_write_or_die, sprintf, srandom, time};
pub use zloop::*;
pub use zmsg::*;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

// ---------------------------------------------------------------------------
//  czmq_prelude

/// Whether two strings (or byte strings) are equal, as czmq's `streq`.
pub fn streq(left: impl AsRef<[u8]>, right: impl AsRef<[u8]>) -> bool {
    left.as_ref() == right.as_ref()
}

// ---------------------------------------------------------------------------
//  zclock

/// Milliseconds since the epoch.
pub fn zclock_time() -> i64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

/// Sleeps for `msecs` milliseconds (nothing for a negative number).
pub fn zclock_sleep(msecs: i64) {
    thread::sleep(Duration::from_millis(u64::try_from(msecs).unwrap_or(0)));
}

/// Prints a line to stdout, prefixed by the date and time as czmq's
/// `zclock_log` does ("YY-MM-DD HH:MM:SS "), formatted as `printf`.
pub fn zclock_log(format: &str, args: &[&dyn zhelpers::PrintfArg]) {
    let mut line = zhelpers::s_strftime(b"%y-%m-%d %H:%M:%S \0");
    line.extend_from_slice(&sprintf(format, args));
    line.push(b'\n');
    zhelpers::s_print_bytes(&line);
}

// ---------------------------------------------------------------------------
//  zctx: a context, the default linger of its sockets, and interrupts

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether SIGINT or SIGTERM arrived since `zctx_new` (czmq's global
/// `zctx_interrupted`).
pub fn zctx_interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

extern "C" fn s_interrupt_handler(_signal: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

fn s_catch_interrupts() {
    zhelpers::s_on_interrupt(s_interrupt_handler);
    // SAFETY: signal(2) with a valid signal and action; SIG_DFL for SIGPIPE gives this process the behaviour of a
    // C program, which the examples are ports of.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
}

/// A context, as czmq's `zctx_t`.
#[derive(Clone)]
pub struct ZCtx {
    context: zmq::Context,
}

/// A new context, with LINGER 0 for its sockets; catches interrupts.
pub fn zctx_new() -> ZCtx {
    s_catch_interrupts();
    let context = zmq::Context::new();
    //  0 is always a valid linger
    let _ = context.set_default_linger(Some(0));
    ZCtx { context }
}

/// A context sharing `ctx`'s 0MQ context, as a child thread gets.
pub fn zctx_shadow(ctx: &ZCtx) -> ZCtx {
    ctx.clone()
}

/// Destroys a context handle: the 0MQ context ends when its last socket
/// and handle are gone.
pub fn zctx_destroy(ctx: ZCtx) {
    drop(ctx);
}

/// Sets the LINGER (msecs, -1 for ever) of the sockets made from now on.
/// An invalid value (below -1) is refused and changes nothing.
pub fn zctx_set_linger(ctx: &ZCtx, linger: i32) {
    let _ = ctx.context.set_default_linger(Some(linger));
}

/// The underlying `zmq::Context` (C: `zctx_underlying`).
pub fn zctx_underlying(ctx: &ZCtx) -> &zmq::Context {
    &ctx.context
}

// ---------------------------------------------------------------------------
//  zsocket

/// A new socket of the given type (C: NULL on failure).
pub fn zsocket_new(ctx: &ZCtx, socket_type: zmq::SocketType) -> zmq::Result<zmq::Socket> {
    ctx.context.socket(socket_type)
}

/// Destroys a socket; dropping it does the same.
pub fn zsocket_destroy(_ctx: &ZCtx, socket: zmq::Socket) {
    drop(socket);
}

/// Binds the socket; for a TCP endpoint returns the port it bound (so
/// "tcp://*:*" binds an ephemeral port), else 0.
pub fn zsocket_bind(socket: &zmq::Socket, endpoint: &str) -> zmq::Result<u16> {
    socket.bind(endpoint)?;
    let bound = socket.last_endpoint()?;
    Ok(match bound.strip_prefix("tcp://") {
        Some(address) => address.rsplit(':').next().and_then(|port| port.parse().ok()).unwrap_or(0),
        None => 0,
    })
}

/// Connects the socket.
pub fn zsocket_connect(socket: &zmq::Socket, endpoint: &str) -> zmq::Result<()> {
    socket.connect(endpoint)
}

/// Sets the socket's identity (routing id).
pub fn zsocket_set_identity(socket: &zmq::Socket, identity: impl AsRef<[u8]>) -> zmq::Result<()> {
    socket.set_identity(identity.as_ref())
}

/// Subscribes a SUB socket to `prefix`.
pub fn zsocket_set_subscribe(socket: &zmq::Socket, prefix: impl AsRef<[u8]>) -> zmq::Result<()> {
    socket.set_subscribe(prefix.as_ref())
}

/// Sets the socket's high-water marks for sending and receiving.
pub fn zsocket_set_hwm(socket: &zmq::Socket, hwm: i32) -> zmq::Result<()> {
    socket.set_sndhwm(hwm)?;
    socket.set_rcvhwm(hwm)
}

/// Sets the socket's high-water mark for sending.
pub fn zsocket_set_sndhwm(socket: &zmq::Socket, sndhwm: i32) -> zmq::Result<()> {
    socket.set_sndhwm(sndhwm)
}

/// Sets how long (msecs, -1 for ever, 0 not at all) a send may wait.
pub fn zsocket_set_sndtimeo(socket: &zmq::Socket, sndtimeo: i32) -> zmq::Result<()> {
    socket.set_sndtimeo(sndtimeo)
}

/// Whether the last frame received on the socket has more frames after it
/// (false if that cannot be read).
pub fn zsocket_rcvmore(socket: &zmq::Socket) -> bool {
    socket.get_rcvmore().unwrap_or(false)
}

/// Whether the socket becomes readable within `msecs`.
pub fn zsocket_poll(socket: &zmq::Socket, msecs: i64) -> bool {
    socket.poll(zmq::POLLIN, msecs).is_ok_and(|ready| ready > 0)
}

// ---------------------------------------------------------------------------
//  zstr

/// Sends a string as a one-frame message.
pub fn zstr_send(socket: &zmq::Socket, string: impl AsRef<[u8]>) -> zmq::Result<()> {
    socket.send(string.as_ref(), 0)
}

/// Sends a string as a frame with more to follow.
pub fn zstr_sendm(socket: &zmq::Socket, string: impl AsRef<[u8]>) -> zmq::Result<()> {
    socket.send(string.as_ref(), zmq::SNDMORE)
}

/// Sends a string formatted as `printf` does, as a one-frame message.
pub fn zstr_sendf(socket: &zmq::Socket, format: &str, args: &[&dyn zhelpers::PrintfArg]) -> zmq::Result<()> {
    zstr_send(socket, sprintf(format, args))
}

/// Sends a string formatted as `printf` does, with more to follow.
pub fn zstr_sendfm(socket: &zmq::Socket, format: &str, args: &[&dyn zhelpers::PrintfArg]) -> zmq::Result<()> {
    zstr_sendm(socket, sprintf(format, args))
}

/// Receives a frame's bytes; `None` where the C returns NULL.
pub fn zstr_recv(socket: &zmq::Socket) -> Option<Vec<u8>> {
    socket.recv_bytes(0).ok()
}

/// Receives a frame's bytes if one is waiting.
pub fn zstr_recv_nowait(socket: &zmq::Socket) -> Option<Vec<u8>> {
    socket.recv_bytes(zmq::DONTWAIT).ok()
}

/// Not in czmq: the next frame of the message being received, as
/// `zstr_recv`, or `None` if the last frame received had no more after it.
/// A server reads a peer's request with it, so a request shorter than it
/// should be cannot make it wait for (and misread) the next message.
pub fn s_recv_more(socket: &zmq::Socket) -> Option<Vec<u8>> {
    if zsocket_rcvmore(socket) {
        zstr_recv(socket)
    } else {
        None
    }
}

/// Not in czmq: drops the rest of the message being received, if any, so a
/// request longer than it should be cannot shift the next one.
pub fn s_drop_rest(socket: &zmq::Socket) {
    while zsocket_rcvmore(socket) && socket.recv_bytes(0).is_ok() {}
}

// ---------------------------------------------------------------------------
//  zthread

/// Starts `thread_fn (args)` in a detached thread.
pub fn zthread_new<A: Send + 'static>(thread_fn: fn(A), args: A) -> std::io::Result<()> {
    thread::Builder::new().spawn(move || thread_fn(args)).map(drop)
}

/// Starts `thread_fn (args, ctx, pipe)` in a thread attached to the caller
/// by a PAIR pipe: returns the caller's end; the thread gets the other end
/// and a shadow of `ctx`. The thread is detached, as in czmq.
pub fn zthread_fork<A: Send + 'static>(
    ctx: &ZCtx,
    thread_fn: fn(A, &ZCtx, &zmq::Socket),
    args: A,
) -> zmq::Result<zmq::Socket> {
    static PIPES: AtomicU64 = AtomicU64::new(0);
    let endpoint = format!("inproc://zctx-pipe-{}-{}", std::process::id(), PIPES.fetch_add(1, Ordering::Relaxed));
    let pipe = zsocket_new(ctx, zmq::PAIR)?;
    pipe.set_sndhwm(0)?;
    pipe.bind(&endpoint)?;
    let child_ctx = zctx_shadow(ctx);
    let child_pipe = zsocket_new(&child_ctx, zmq::PAIR)?;
    child_pipe.set_sndhwm(0)?;
    child_pipe.connect(&endpoint)?;
    thread::Builder::new().spawn(move || thread_fn(args, &child_ctx, &child_pipe)).map_err(|_| zmq::Error::EMFILE)?;
    Ok(pipe)
}

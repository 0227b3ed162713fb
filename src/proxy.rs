//! Built-in proxies: forwarding between a frontend and a backend socket, and the controller of a steerable one.

use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::context::Context;
use crate::error::{check, Error, Result};
use crate::message::Message;
use crate::socket::{Socket, SocketType};

/// Forwards messages between `frontend` and `backend` until their context is shut down (then `Err(ETERM)`).
/// Calls zmq_proxy(3).
#[doc(alias = "zmq_proxy")]
pub fn proxy(frontend: &Socket, backend: &Socket) -> Result<()> {
    // SAFETY: both sockets are open for the call; libzmq uses them only on this thread until it returns.
    check(unsafe { zmq_sys::zmq_proxy(frontend.as_raw(), backend.as_raw(), ptr::null_mut()) }).map(drop)
}

/// Like [`proxy`], also sending a copy of every message to `capture`.
#[doc(alias = "zmq_proxy")]
pub fn proxy_with_capture(frontend: &mut Socket, backend: &mut Socket, capture: &mut Socket) -> Result<()> {
    // SAFETY: as in proxy.
    check(unsafe { zmq_sys::zmq_proxy(frontend.as_raw(), backend.as_raw(), capture.as_raw()) }).map(drop)
}

/// Like [`proxy`], steered through messages received on `control`: `PAUSE` stops forwarding (messages stay
/// queued), `RESUME` starts it again, `TERMINATE` makes this return `Ok(())`, and `STATISTICS` (libzmq 4.3.3+) is
/// answered with the proxy's counters (eight frames, see [`ProxyStatistics`]). [`ProxyControl`] speaks this
/// protocol. Calls zmq_proxy_steerable(3).
///
/// `control` can be any socket, bound or connected anywhere (a SUB on TCP, a REP, a PAIR …), because libzmq never
/// sees it: the binding reads it on a helper thread and passes on only those four commands, as one-frame
/// messages, exact and case-sensitive, to libzmq's proxy over a private inproc socket. libzmq 4.3.4 aborts the
/// process on any other command, so everything else is dropped: other text, empty and multipart messages.
/// What `control` receives back:
/// - the proxy's answers, where it can send them: the eight `STATISTICS` frames, and with libzmq 4.3.5, which
///   answers every command, an empty frame for each other command (dropped ones included, as 4.3.5 would);
/// - on a REP socket, which must answer every request, an empty frame for each command the linked libzmq does not
///   answer itself (as libzmq after 4.3.5 does for REP);
/// - nothing where the socket cannot send (SUB, PULL): answers that cannot be sent at once are dropped.
///
/// libzmq 4.3.5 swaps `PAUSE` and `RESUME`; the binding swaps them back, so `PAUSE` pauses with every version.
/// While paused with messages waiting on a socket, libzmq 4.3's proxy loop keeps finding them and polls again
/// without blocking: it keeps one core busy until resumed.
/// An error on `control` (e.g. `ETERM` when its context is shut down) ends the proxy with that error, as with
/// libzmq's own loop. Each call starts one helper thread and a small private context (`EAGAIN` if no thread can
/// be started).
#[doc(alias = "zmq_proxy_steerable")]
pub fn proxy_steerable(frontend: &mut Socket, backend: &mut Socket, control: &mut Socket) -> Result<()> {
    steer(frontend, backend, None, control)
}

/// [`proxy_steerable`] with a capture socket. libzmq 4.3.4 and older also copy the commands passed on to the
/// proxy to `capture`.
#[doc(alias = "zmq_proxy_steerable")]
pub fn proxy_steerable_with_capture(
    frontend: &mut Socket,
    backend: &mut Socket,
    capture: &mut Socket,
    control: &mut Socket,
) -> Result<()> {
    steer(frontend, backend, Some(capture), control)
}

/// Runs libzmq's steerable proxy on this thread with a private control socket, fed by a [`Relay`] from
/// `control` on a scoped thread.
fn steer(
    frontend: &mut Socket,
    backend: &mut Socket,
    capture: Option<&mut Socket>,
    control: &mut Socket,
) -> Result<()> {
    // A context of our own: no other code can reach its inproc endpoints, so nothing but the relay talks to the
    // proxy's control socket. It needs no I/O thread.
    let private = Context::builder().io_threads(0).linger(0).build()?;
    let pair = |endpoint: &str| -> Result<(Socket, Socket)> {
        let (bound, connected) = (private.socket(SocketType::PAIR)?, private.socket(SocketType::PAIR)?);
        bound.bind(endpoint)?;
        connected.connect(endpoint)?;
        Ok((bound, connected))
    };
    let (relay_end, proxy_end) = pair("inproc://control")?;
    let (stop_rx, stop_tx) = pair("inproc://stop")?;
    let relay = Relay::new(control, relay_end, stop_rx);
    let capture = capture.map_or(ptr::null_mut(), |c| c.as_raw());
    std::thread::scope(|scope| {
        let relay = std::thread::Builder::new()
            .name("zmq-proxy-control".into())
            .spawn_scoped(scope, move || relay.run())
            .map_err(|_| Error::EAGAIN)?;
        // SAFETY: the sockets are open for the call; libzmq uses them only on this thread until it returns. The
        // control socket is ours and only ever carries the commands the relay lets through.
        let proxied = check(unsafe {
            zmq_sys::zmq_proxy_steerable(frontend.as_raw(), backend.as_raw(), capture, proxy_end.as_raw())
        });
        // The relay runs until told: it forwards what the proxy still answered, then ends. Only a failing private
        // socket could refuse this, and the relay then ends by itself.
        let _ = stop_tx.send("", 0);
        let relayed = relay.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        proxied.and(relayed)
    })
}

/// The commands of a steerable proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Command {
    Pause,
    Resume,
    Terminate,
    Statistics,
}

impl Command {
    /// The command a message holds: exactly one frame with a command's name. Anything else is `None`.
    fn parse(frames: &[Message], dialect: Dialect) -> Option<Command> {
        let [frame] = frames else { return None };
        match &**frame {
            b"PAUSE" => Some(Command::Pause),
            b"RESUME" => Some(Command::Resume),
            b"TERMINATE" => Some(Command::Terminate),
            b"STATISTICS" if dialect.statistics => Some(Command::Statistics),
            _ => None,
        }
    }

    /// The text that makes the linked libzmq do this.
    fn wire(self, dialect: Dialect) -> &'static str {
        match self {
            Command::Pause if dialect.swapped_pause => "RESUME",
            Command::Resume if dialect.swapped_pause => "PAUSE",
            Command::Pause => "PAUSE",
            Command::Resume => "RESUME",
            Command::Terminate => "TERMINATE",
            Command::Statistics => "STATISTICS",
        }
    }
}

/// Carries commands from a user's control socket to libzmq's proxy, and the proxy's answers back.
struct Relay<'a> {
    /// The caller's control socket.
    user: &'a mut Socket,
    /// Our end of the proxy's control socket.
    proxy: Socket,
    /// Readable once the proxy has returned.
    stop: Socket,
    dialect: Dialect,
    /// Whether `user` is a REP socket, which must answer each request before it can take the next.
    answers_each: bool,
}

impl<'a> Relay<'a> {
    fn new(user: &'a mut Socket, proxy: Socket, stop: Socket) -> Relay<'a> {
        let answers_each = user.get_socket_type() == Ok(SocketType::REP);
        Relay { user, proxy, stop, dialect: Dialect::of(crate::version()), answers_each }
    }

    /// Relays until the proxy has returned. Returns the error that ended `user`, if one did: the proxy is then
    /// told to terminate, as an error on its control socket would have ended libzmq's loop. If the relay ends
    /// early for any other reason (an error of a private socket, a panic), it tells the proxy to terminate too:
    /// nothing else could reach it, and `zmq_proxy_steerable` would wait for ever.
    fn run(self) -> Result<()> {
        let mut stopped = false;
        let served = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.serve(&mut stopped)));
        if !stopped {
            let _ = self.proxy.send(Command::Terminate.wire(self.dialect), 0);
        }
        served.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    /// The relay loop; sets `stopped` when it ends because the proxy has returned.
    fn serve(&self, stopped_by_proxy: &mut bool) -> Result<()> {
        let mut frames = Vec::new();
        // A message waiting for room on the way to the proxy.
        let mut pending: Option<&'static str> = None;
        let mut failed: Option<Error> = None;
        loop {
            let towards_proxy = if pending.is_some() { crate::POLLIN | crate::POLLOUT } else { crate::POLLIN };
            let mut items = [
                self.stop.as_poll_item(crate::POLLIN),
                self.proxy.as_poll_item(towards_proxy),
                self.user.as_poll_item(crate::POLLIN),
            ];
            // The user's socket is left out while a message waits (back-pressure) and once it has failed.
            let watched = if pending.is_none() && failed.is_none() { 3 } else { 2 };
            match crate::poll::poll(&mut items[..watched], -1) {
                Ok(_) => {}
                Err(Error::EINTR) => continue,
                Err(err) if watched == 3 => {
                    // Only the user's socket can fail: ours belong to a private context nobody shuts down.
                    failed = Some(err);
                    pending = Some(Command::Terminate.wire(self.dialect));
                    continue;
                }
                Err(err) => return Err(err),
            }
            let (stopped, answered) = (items[0].is_readable(), items[1].is_readable());
            let (room, asked) = (items[1].is_writable(), watched == 3 && items[2].is_readable());
            if answered || stopped {
                self.pass_answers(failed.is_none(), &mut frames);
            }
            if stopped {
                *stopped_by_proxy = true;
                return failed.map_or(Ok(()), Err);
            }
            if let (Some(message), true) = (pending, room) {
                match self.proxy.send(message, crate::DONTWAIT) {
                    Ok(()) => pending = None,
                    Err(Error::EAGAIN) => {}
                    Err(err) => return Err(err),
                }
            }
            if asked {
                match self.user.recv_multipart_into(&mut frames, crate::DONTWAIT) {
                    Ok(_) => pending = self.command(&frames),
                    Err(Error::EAGAIN) | Err(Error::EINTR) => {}
                    Err(err) => {
                        failed = Some(err);
                        pending = Some(Command::Terminate.wire(self.dialect));
                    }
                }
            }
        }
    }

    /// What to send the proxy for a message from the user, answering it here where the proxy will not.
    fn command(&self, frames: &[Message]) -> Option<&'static str> {
        let command = Command::parse(frames, self.dialect);
        if self.dialect.replies_always {
            // The proxy answers everything; a message it must not see goes as a no-op (an empty frame, which it
            // answers like any other), so the answers stay in order.
            return Some(command.map_or("", |c| c.wire(self.dialect)));
        }
        if self.answers_each && command != Some(Command::Statistics) {
            let _ = self.user.send("", crate::DONTWAIT);
        }
        command.map(|c| c.wire(self.dialect))
    }

    /// Forwards the proxy's answers to the user (where `deliver` and the user's socket can take them now).
    fn pass_answers(&self, deliver: bool, frames: &mut Vec<Message>) {
        while self.proxy.recv_multipart_into(frames, crate::DONTWAIT).is_ok() {
            if deliver {
                let last = frames.len() - 1;
                for (i, frame) in frames.iter_mut().enumerate() {
                    let more = if i < last { crate::SNDMORE } else { 0 };
                    if self.user.send_in_place(frame, crate::DONTWAIT | more).is_err() {
                        break;
                    }
                }
            }
        }
    }
}

/// The counters of one side of a steerable proxy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ProxySocketStatistics {
    /// Messages received on this socket.
    pub messages_received: u64,
    /// Bytes received on this socket.
    pub bytes_received: u64,
    /// Messages sent on this socket.
    pub messages_sent: u64,
    /// Bytes sent on this socket.
    pub bytes_sent: u64,
}

/// The reply of a steerable proxy to `STATISTICS` (libzmq 4.3.3+): message and byte counts of both sockets.
/// Multipart messages count once per frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ProxyStatistics {
    /// The frontend socket's counters.
    pub frontend: ProxySocketStatistics,
    /// The backend socket's counters.
    pub backend: ProxySocketStatistics,
}

impl ProxyStatistics {
    /// Parses a `STATISTICS` reply: eight frames of one native-endian `u64` each (frontend received messages and
    /// bytes, sent messages and bytes, then the same for the backend). Anything else gives `EPROTO`.
    pub fn parse<F: AsRef<[u8]>>(frames: &[F]) -> Result<ProxyStatistics> {
        if frames.len() != 8 {
            return Err(Error::EPROTO);
        }
        let mut n = [0u64; 8];
        for (value, frame) in n.iter_mut().zip(frames) {
            *value = <[u8; 8]>::try_from(frame.as_ref()).map(u64::from_ne_bytes).map_err(|_| Error::EPROTO)?;
        }
        let side = |i: usize| ProxySocketStatistics {
            messages_received: n[i],
            bytes_received: n[i + 1],
            messages_sent: n[i + 2],
            bytes_sent: n[i + 3],
        };
        Ok(ProxyStatistics { frontend: side(0), backend: side(4) })
    }
}

/// What the linked libzmq's steerable proxy does with commands (the relay in [`proxy_steerable`] and
/// [`ProxyControl`] both follow it).
#[derive(Clone, Copy, Debug)]
struct Dialect {
    /// libzmq 4.3.5 answers every command (an empty frame, except for STATISTICS); others answer only STATISTICS.
    replies_always: bool,
    /// libzmq 4.3.5 swaps PAUSE and RESUME (fixed after its release, libzmq commit f8b3cc81).
    swapped_pause: bool,
    /// STATISTICS exists from libzmq 4.3.3 on; older versions abort on an unknown command.
    statistics: bool,
}

impl Dialect {
    fn of(version: (i32, i32, i32)) -> Dialect {
        let is_435 = version == (4, 3, 5);
        Dialect { replies_always: is_435, swapped_pause: is_435, statistics: version >= (4, 3, 3) }
    }
}

/// The controlling end of a steerable proxy ([`proxy_steerable`]), speaking the command protocol of the linked
/// libzmq: it knows which versions reply to commands. Where the proxy can confirm a command (libzmq 4.3.3+),
/// [`pause`](ProxyControl::pause) and [`resume`](ProxyControl::resume) return only once the proxy has applied it.
///
/// Waiting for a confirmation or statistics honours the control socket's `RCVTIMEO` (none by default: set it
/// through [`ProxyControl::socket`]); after such a timeout the replies may be out of step, so start a new
/// controller. With a capture socket, libzmq 4.3.4 and older also copy the commands to it (including the
/// `STATISTICS` requests used for confirmation).
///
/// ```
/// let ctx = zmq::Context::new();
/// let (control, control_end) = zmq::ProxyControl::new(&ctx).unwrap();
/// let mut frontend = ctx.socket(zmq::PULL).unwrap();
/// let mut backend = ctx.socket(zmq::PUSH).unwrap();
/// let mut control_end = control_end;
/// frontend.bind("inproc://doc-proxy-in").unwrap();
/// backend.bind("inproc://doc-proxy-out").unwrap();
/// let proxy = std::thread::spawn(move || zmq::proxy_steerable(&mut frontend, &mut backend, &mut control_end));
/// control.pause().unwrap();
/// control.resume().unwrap();
/// control.terminate().unwrap();
/// assert_eq!(proxy.join().unwrap(), Ok(()));
/// ```
#[derive(Debug)]
pub struct ProxyControl {
    socket: Socket,
    dialect: Dialect,
}

impl ProxyControl {
    /// Creates a controller and the socket to pass to [`proxy_steerable`] as its control socket: a pair of PAIR
    /// sockets connected over a fresh `inproc://` endpoint of `ctx`.
    pub fn new(ctx: &Context) -> Result<(ProxyControl, Socket)> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let endpoint = format!("inproc://zmq-rs.proxy-control.{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let socket = ctx.socket(SocketType::PAIR)?;
        socket.set_linger(0)?;
        socket.bind(&endpoint)?;
        let proxy_end = ctx.socket(SocketType::PAIR)?;
        proxy_end.set_linger(0)?;
        proxy_end.connect(&endpoint)?;
        Ok((ProxyControl { socket, dialect: Dialect::of(crate::version()) }, proxy_end))
    }

    /// The controller's socket, e.g. to set `RCVTIMEO`/`SNDTIMEO`. Do not read or write on it directly.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// Drops replies left over from an earlier command that timed out, then sends `command`.
    fn send(&self, command: &str) -> Result<()> {
        while self.socket.recv_multipart(crate::DONTWAIT).is_ok() {}
        self.socket.send(command, 0)
    }

    /// Waits for libzmq 4.3.5's empty reply to a command.
    fn acknowledged(&self) -> Result<()> {
        match self.socket.recv_multipart(0)?.as_slice() {
            [reply] if reply.is_empty() => Ok(()),
            _ => Err(Error::EPROTO),
        }
    }

    /// Sends a state command and waits until the proxy has applied it, where the version allows.
    fn steer(&self, command: &str) -> Result<()> {
        self.send(command)?;
        if self.dialect.replies_always {
            self.acknowledged()
        } else if self.dialect.statistics {
            // Commands are handled in order: once STATISTICS is answered, `command` has been applied.
            self.statistics().map(drop)
        } else {
            Ok(())
        }
    }

    /// Stops the proxy from forwarding messages (they stay queued) until [`resume`](ProxyControl::resume).
    pub fn pause(&self) -> Result<()> {
        self.steer("PAUSE")
    }

    /// Lets a paused proxy forward messages again.
    pub fn resume(&self) -> Result<()> {
        self.steer("RESUME")
    }

    /// Makes [`proxy_steerable`] return `Ok(())`. With libzmq 4.3.5 this waits for the proxy's reply; with other
    /// versions it returns once the command is sent: join the proxy's thread to know it has ended.
    pub fn terminate(&self) -> Result<()> {
        self.send("TERMINATE")?;
        if self.dialect.replies_always {
            self.acknowledged()
        } else {
            Ok(())
        }
    }

    /// Asks the proxy for its counters (`STATISTICS`); `ENOTSUP` before libzmq 4.3.3, which has no such command
    /// (and would abort on it).
    pub fn statistics(&self) -> Result<ProxyStatistics> {
        if !self.dialect.statistics {
            return Err(Error::ENOTSUP);
        }
        self.send("STATISTICS")?;
        ProxyStatistics::parse(&self.socket.recv_multipart(0)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_statistics() {
        let frames: Vec<Vec<u8>> = (1..=8u64).map(|n| n.to_ne_bytes().to_vec()).collect();
        let stats = ProxyStatistics::parse(&frames).unwrap();
        assert_eq!(
            stats.frontend,
            ProxySocketStatistics { messages_received: 1, bytes_received: 2, messages_sent: 3, bytes_sent: 4 }
        );
        assert_eq!(
            stats.backend,
            ProxySocketStatistics { messages_received: 5, bytes_received: 6, messages_sent: 7, bytes_sent: 8 }
        );
        assert_eq!(ProxyStatistics::parse(&frames[..7]), Err(Error::EPROTO));
        let mut long = frames.clone();
        long.push(vec![0; 8]);
        assert_eq!(ProxyStatistics::parse(&long), Err(Error::EPROTO));
        let mut short = frames;
        short[3] = vec![0; 4];
        assert_eq!(ProxyStatistics::parse(&short), Err(Error::EPROTO));
    }

    #[test]
    fn only_exact_one_frame_commands_pass() {
        let (v434, v435) = (Dialect::of((4, 3, 4)), Dialect::of((4, 3, 5)));
        let one = |text: &str| vec![Message::from(text)];
        assert_eq!(Command::parse(&one("PAUSE"), v434), Some(Command::Pause));
        assert_eq!(Command::parse(&one("STATISTICS"), v434), Some(Command::Statistics));
        assert_eq!(Command::parse(&one("STATISTICS"), Dialect::of((4, 3, 2))), None, "4.3.2 would abort on it");
        for garbage in [one("pause"), one(""), one("PAUSE "), vec![Message::from("PAUSE"), Message::from("")], vec![]] {
            assert_eq!(Command::parse(&garbage, v435), None, "{garbage:?}");
        }
        assert_eq!((Command::Pause.wire(v434), Command::Resume.wire(v434)), ("PAUSE", "RESUME"));
        assert_eq!((Command::Pause.wire(v435), Command::Resume.wire(v435)), ("RESUME", "PAUSE"), "4.3.5 swaps them");
        assert_eq!(Command::Terminate.wire(v435), "TERMINATE");
    }

    #[test]
    fn knows_the_dialects() {
        let d = Dialect::of((4, 3, 5));
        assert!(d.replies_always && d.swapped_pause && d.statistics);
        let d = Dialect::of((4, 3, 4));
        assert!(!d.replies_always && !d.swapped_pause && d.statistics);
        let d = Dialect::of((4, 3, 2));
        assert!(!d.replies_always && !d.swapped_pause && !d.statistics);
        let d = Dialect::of((4, 3, 6));
        assert!(!d.replies_always && !d.swapped_pause && d.statistics);
    }
}

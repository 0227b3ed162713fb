//! Built-in proxies: forwarding between a frontend and a backend socket, and the controller of a steerable one.

use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::context::Context;
use crate::error::{check, Error, Result};
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

/// Like [`proxy`], controlled through `control`: a message `PAUSE`, `RESUME` or `TERMINATE` (and `STATISTICS`
/// on libzmq 4.3.3+) sent to it steers the proxy; `TERMINATE` makes this return `Ok(())`.
/// Calls zmq_proxy_steerable(3).
#[doc(alias = "zmq_proxy_steerable")]
pub fn proxy_steerable(frontend: &mut Socket, backend: &mut Socket, control: &mut Socket) -> Result<()> {
    // SAFETY: as in proxy.
    check(unsafe {
        zmq_sys::zmq_proxy_steerable(frontend.as_raw(), backend.as_raw(), ptr::null_mut(), control.as_raw())
    })
    .map(drop)
}

/// [`proxy_steerable`] with a capture socket.
#[doc(alias = "zmq_proxy_steerable")]
pub fn proxy_steerable_with_capture(
    frontend: &mut Socket,
    backend: &mut Socket,
    capture: &mut Socket,
    control: &mut Socket,
) -> Result<()> {
    // SAFETY: as in proxy.
    check(unsafe {
        zmq_sys::zmq_proxy_steerable(frontend.as_raw(), backend.as_raw(), capture.as_raw(), control.as_raw())
    })
    .map(drop)
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

/// What the linked libzmq's steerable proxy does with commands.
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
/// libzmq: it knows which versions reply to commands, and works around libzmq 4.3.5, which swaps `PAUSE` and
/// `RESUME`. Where the proxy can confirm a command (libzmq 4.3.3+), [`pause`](ProxyControl::pause) and
/// [`resume`](ProxyControl::resume) return only once the proxy has applied it.
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
        self.steer(if self.dialect.swapped_pause { "RESUME" } else { "PAUSE" })
    }

    /// Lets a paused proxy forward messages again.
    pub fn resume(&self) -> Result<()> {
        self.steer(if self.dialect.swapped_pause { "PAUSE" } else { "RESUME" })
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

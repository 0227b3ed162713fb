//! The error type: one variant per errno value libzmq reports.

use std::ffi::CStr;
use std::fmt;
use std::io;

use zmq_sys::errno;

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

macro_rules! errors {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// An error reported by libzmq (or by this crate for bad input), named after its errno value.
        ///
        /// `Display` and `Debug` print libzmq's own message (`zmq_strerror(3)`). Numbers that no variant names are
        /// kept in [`Error::Other`] rather than lost.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
        #[error("{}", self.message())]
        pub enum Error {
            $( $(#[$doc])* $name, )*
            /// An errno value that no other variant names.
            Other(i32),
        }

        impl Error {
            /// Maps an errno value (as returned by `zmq_errno()`) to its variant; unknown values become
            /// [`Error::Other`].
            pub fn from_raw(raw: i32) -> Error {
                $( if raw == errno::$name { return Error::$name; } )*
                Error::Other(raw)
            }

            /// The errno value of this error.
            pub fn to_raw(self) -> i32 {
                match self {
                    $( Error::$name => errno::$name, )*
                    Error::Other(raw) => raw,
                }
            }
        }
    };
}

errors! {
    /// Permission denied.
    EACCES,
    /// The address is already in use.
    EADDRINUSE,
    /// Resource temporarily unavailable: a non-blocking call would block, or a timeout expired.
    EAGAIN,
    /// The resource is busy.
    EBUSY,
    /// Connection refused.
    ECONNREFUSED,
    /// Bad address (e.g. an invalid socket or message pointer).
    EFAULT,
    /// A signal interrupted the call.
    EINTR,
    /// The host is unreachable (ROUTER with MANDATORY set and no such peer).
    EHOSTUNREACH,
    /// The operation is in progress.
    EINPROGRESS,
    /// An argument was invalid: a malformed endpoint, an unknown option, a value out of range.
    EINVAL,
    /// Too many open files or sockets.
    EMFILE,
    /// The message is too long.
    EMSGSIZE,
    /// A name (e.g. an ipc path) is too long.
    ENAMETOOLONG,
    /// No such device (e.g. a bad network interface name).
    ENODEV,
    /// No such file, directory or endpoint.
    ENOENT,
    /// Out of memory.
    ENOMEM,
    /// The socket is not connected.
    ENOTCONN,
    /// Not a socket (e.g. a socket that was closed).
    ENOTSOCK,
    /// Protocol error.
    EPROTO,
    /// The protocol (transport) is not supported.
    EPROTONOSUPPORT,
    /// The operation is not supported (by this socket type or this build of libzmq).
    ENOTSUP,
    /// No buffer space available.
    ENOBUFS,
    /// The network is down.
    ENETDOWN,
    /// The address is not available on this machine.
    EADDRNOTAVAIL,
    /// The operation cannot be done in the socket's current state (e.g. a REQ socket sending twice).
    EFSM,
    /// The transport is not compatible with the socket type.
    ENOCOMPATPROTO,
    /// The context was shut down or terminated.
    ETERM,
    /// No I/O thread is available to do the job.
    EMTHREAD,
    /// The address family is not supported.
    EAFNOSUPPORT,
    /// The connection was aborted.
    ECONNABORTED,
    /// The connection was reset by the peer.
    ECONNRESET,
    /// The operation timed out.
    ETIMEDOUT,
    /// The network is unreachable.
    ENETUNREACH,
    /// The network dropped the connection on reset.
    ENETRESET,
    /// Operation not permitted.
    EPERM,
    /// Bad file descriptor.
    EBADF,
    /// No space left on the device.
    ENOSPC,
}

impl Error {
    /// libzmq's description of this error (`zmq_strerror(3)`).
    #[doc(alias = "zmq_strerror")]
    pub fn message(self) -> &'static str {
        // SAFETY: zmq_strerror accepts any int and returns a pointer to a static, NUL-terminated string (libzmq's
        // own table or the C library's strerror text), which lives for the whole process.
        let text = unsafe { CStr::from_ptr(zmq_sys::zmq_strerror(self.to_raw())) };
        text.to_str().unwrap_or("unknown error")
    }

    /// Reads `zmq_errno()`: the error of the libzmq call that just failed on this thread.
    #[inline]
    pub(crate) fn last() -> Error {
        // SAFETY: zmq_errno only reads the calling thread's errno.
        Error::from_raw(unsafe { zmq_sys::zmq_errno() })
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl From<Error> for io::Error {
    fn from(error: Error) -> io::Error {
        use io::ErrorKind as K;
        let kind = match error {
            Error::ENOENT => K::NotFound,
            Error::EACCES | Error::EPERM => K::PermissionDenied,
            Error::ECONNREFUSED => K::ConnectionRefused,
            Error::ECONNRESET => K::ConnectionReset,
            Error::ECONNABORTED => K::ConnectionAborted,
            Error::ENOTCONN => K::NotConnected,
            Error::EADDRINUSE => K::AddrInUse,
            Error::EADDRNOTAVAIL => K::AddrNotAvailable,
            Error::EAGAIN => K::WouldBlock,
            Error::EINVAL => K::InvalidInput,
            Error::ETIMEDOUT => K::TimedOut,
            Error::EINTR => K::Interrupted,
            Error::ENOTSUP | Error::EPROTONOSUPPORT => K::Unsupported,
            Error::ENOMEM => K::OutOfMemory,
            _ => K::Other,
        };
        io::Error::new(kind, error)
    }
}

/// Turns a libzmq return code into a `Result`, reading `zmq_errno()` on failure.
#[inline]
pub(crate) fn check(rc: i32) -> Result<i32> {
    if rc == -1 {
        Err(Error::last())
    } else {
        Ok(rc)
    }
}

/// Runs user code where a panic must not escape — on a libzmq thread inside a C call, or on a handler thread that
/// must keep serving: `None` if it panicked. The panic hook has already reported the panic. Its payload is dropped
/// under `catch_unwind` too (a payload's `Drop` may panic); only the payload of such a second panic is leaked.
pub(crate) fn contain<R>(callback: impl FnOnce() -> R) -> Option<R> {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    match catch_unwind(AssertUnwindSafe(callback)) {
        Ok(value) => Some(value),
        Err(payload) => {
            if let Err(second) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
                std::mem::forget(second);
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_named_errno() {
        for raw in [errno::EAGAIN, errno::EINVAL, errno::ETERM, errno::EFSM, errno::EHOSTUNREACH] {
            assert_eq!(Error::from_raw(raw).to_raw(), raw);
            assert!(!matches!(Error::from_raw(raw), Error::Other(_)));
        }
        assert_eq!(Error::from_raw(123_456), Error::Other(123_456));
        assert_eq!(Error::Other(123_456).to_raw(), 123_456);
    }

    #[test]
    fn messages_come_from_libzmq() {
        assert_eq!(Error::ETERM.to_string(), "Context was terminated");
        assert_eq!(format!("{:?}", Error::EFSM), Error::EFSM.message());
        assert!(!Error::Other(987_654).message().is_empty());
        let io: io::Error = Error::EAGAIN.into();
        assert_eq!(io.kind(), io::ErrorKind::WouldBlock);
    }
}

//! Raw FFI bindings to libzmq, the ZeroMQ C library.
//!
//! This crate finds or builds libzmq and exposes its C API as it is: every `zmq_*` function, every `ZMQ_*`
//! constant, and the errno values libzmq reports ([`errno`]). It holds no logic; the safe API lives in the `zmq`
//! crate.
//!
//! How libzmq is found is decided by the build script (the system library through pkg-config, an installation
//! named by `LIBZMQ_LIB_DIR`, or a static build from source); see the repository's README. What it chose is
//! available to dependents as `links` metadata (`DEP_ZMQ_VERSION`, `DEP_ZMQ_DRAFT`, `DEP_ZMQ_CURVE`,
//! `DEP_ZMQ_INCLUDE`, `DEP_ZMQ_VENDORED`, and `DEP_ZMQ_SODIUM`: where CURVE's libsodium comes from).
//!
//! The bindings cover libzmq 4.3.5's `zmq.h` including its draft section. Draft functions are declared whatever
//! library is linked; calling one links only when that library exports it (see `DEP_ZMQ_DRAFT`).
#![no_std]
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
#![allow(clippy::all)]

pub use libc::{c_char, c_int, c_long, c_short, c_uint, c_void, size_t};

#[cfg(not(zmq_sys_generated))]
mod bindings;
#[cfg(zmq_sys_generated)]
mod bindings {
    include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
}

pub use bindings::*;

// With feature `vendored`, libzmq's CURVE uses the libsodium this crate builds from source; this keeps it in the
// link.
#[cfg(feature = "vendored")]
extern crate libsodium_sys;

/// The errno values libzmq reports, as `zmq_errno()` returns them on this platform.
///
/// The POSIX ones come from the platform (`libc`); the ZeroMQ-specific ones are `ZMQ_HAUSNUMERO`-based as in
/// `zmq.h`.
pub mod errno {
    use libc as l;
    /// libzmq's base for its own error numbers.
    pub const HAUSNUMERO: i32 = 156_384_712;
    pub const EACCES: i32 = l::EACCES;
    pub const EADDRINUSE: i32 = l::EADDRINUSE;
    pub const EAGAIN: i32 = l::EAGAIN;
    pub const EBUSY: i32 = l::EBUSY;
    pub const ECONNREFUSED: i32 = l::ECONNREFUSED;
    pub const EFAULT: i32 = l::EFAULT;
    pub const EINTR: i32 = l::EINTR;
    pub const EHOSTUNREACH: i32 = l::EHOSTUNREACH;
    pub const EINPROGRESS: i32 = l::EINPROGRESS;
    pub const EINVAL: i32 = l::EINVAL;
    pub const EMFILE: i32 = l::EMFILE;
    pub const EMSGSIZE: i32 = l::EMSGSIZE;
    pub const ENAMETOOLONG: i32 = l::ENAMETOOLONG;
    pub const ENODEV: i32 = l::ENODEV;
    pub const ENOENT: i32 = l::ENOENT;
    pub const ENOMEM: i32 = l::ENOMEM;
    pub const ENOTCONN: i32 = l::ENOTCONN;
    pub const ENOTSOCK: i32 = l::ENOTSOCK;
    pub const EPROTO: i32 = l::EPROTO;
    pub const EPROTONOSUPPORT: i32 = l::EPROTONOSUPPORT;
    pub const ENOTSUP: i32 = l::ENOTSUP;
    pub const ENOBUFS: i32 = l::ENOBUFS;
    pub const ENETDOWN: i32 = l::ENETDOWN;
    pub const EADDRNOTAVAIL: i32 = l::EADDRNOTAVAIL;
    pub const EAFNOSUPPORT: i32 = l::EAFNOSUPPORT;
    pub const ECONNABORTED: i32 = l::ECONNABORTED;
    pub const ECONNRESET: i32 = l::ECONNRESET;
    pub const ETIMEDOUT: i32 = l::ETIMEDOUT;
    pub const ENETUNREACH: i32 = l::ENETUNREACH;
    pub const ENETRESET: i32 = l::ENETRESET;
    pub const ENOSPC: i32 = l::ENOSPC;
    pub const EPERM: i32 = l::EPERM;
    pub const EBADF: i32 = l::EBADF;
    /// The operation cannot be done in the socket's current state (e.g. REQ send twice).
    pub const EFSM: i32 = HAUSNUMERO + 51;
    /// The peer speaks an incompatible protocol.
    pub const ENOCOMPATPROTO: i32 = HAUSNUMERO + 52;
    /// The context was terminated.
    pub const ETERM: i32 = HAUSNUMERO + 53;
    /// No I/O thread is available.
    pub const EMTHREAD: i32 = HAUSNUMERO + 54;
}

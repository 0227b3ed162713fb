//! Built-in proxies: forwarding between a frontend and a backend socket.

use std::ptr;

use crate::error::{check, Result};
use crate::socket::Socket;

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

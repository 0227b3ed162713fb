//! Context options (zmq_ctx_set(3), zmq_ctx_get(3)): typed accessors on [`Context`] and [`ContextBuilder`].
//!
//! Options libzmq reads only when a context starts (its first socket) — `ZMQ_IO_THREADS`, `ZMQ_MAX_SOCKETS` and
//! the `ZMQ_THREAD_*` options — are set on the builder, so they cannot come too late. Options read each time a
//! socket is created or the context ends (`ZMQ_IPV6`, `ZMQ_BLOCKY`, `ZMQ_ZERO_COPY_RECV`) can also be changed on a
//! live context. libzmq 4.3.4 and 4.3.5 accept the same context options.

use std::os::raw::c_int;

use crate::context::{Context, ContextBuilder};
use crate::error::{Error, Result};

/// The number of CPUs a `cpu_set_t` can name (glibc's `CPU_SETSIZE`); libzmq does not check the bound itself.
const CPU_SETSIZE: i32 = 1024;

impl Context {
    /// Reads an int option whose value may legitimately be -1, which `zmq_ctx_get` also uses for errors. Only
    /// called with options every libzmq 4.2+ knows, on a live context, where the call cannot fail.
    fn get_option_allowing_minus_one(&self, option: u32) -> Result<i32> {
        let raw = self.as_raw();
        if raw.is_null() {
            return Err(Error::ETERM);
        }
        // SAFETY: the context is live (not terminated: as_raw is not null) and kept alive by `self`.
        Ok(unsafe { zmq_sys::zmq_ctx_get(raw, option as c_int) })
    }

    /// The largest number of sockets the context allows (`ZMQ_MAX_SOCKETS`, default 1023). Set it with
    /// [`ContextBuilder::max_sockets`]. Calls zmq_ctx_get(3).
    #[doc(alias = "ZMQ_MAX_SOCKETS")]
    pub fn get_max_sockets(&self) -> Result<i32> {
        self.get_option(zmq_sys::ZMQ_MAX_SOCKETS as i32)
    }

    /// The largest value `ZMQ_MAX_SOCKETS` may take on this system (`ZMQ_SOCKET_LIMIT`, read-only).
    /// Calls zmq_ctx_get(3).
    #[doc(alias = "ZMQ_SOCKET_LIMIT")]
    pub fn get_socket_limit(&self) -> Result<i32> {
        self.get_option(zmq_sys::ZMQ_SOCKET_LIMIT as i32)
    }

    /// Whether sockets created from now on use IPv6 (`ZMQ_IPV6`, default false). Calls zmq_ctx_get(3).
    #[doc(alias = "ZMQ_IPV6")]
    pub fn is_ipv6(&self) -> Result<bool> {
        self.get_option(zmq_sys::ZMQ_IPV6 as i32).map(|v| v != 0)
    }

    /// Makes sockets created from now on use IPv6 or not (`ZMQ_IPV6`); existing sockets keep their setting.
    /// Calls zmq_ctx_set(3).
    #[doc(alias = "ZMQ_IPV6")]
    pub fn set_ipv6(&self, on: bool) -> Result<()> {
        self.set_option(zmq_sys::ZMQ_IPV6 as i32, on as i32)
    }

    /// libzmq's `ZMQ_BLOCKY` (default true): whether terminating waits for each socket's LINGER. Calls zmq_ctx_get(3).
    #[doc(alias = "ZMQ_BLOCKY")]
    pub fn is_blocky(&self) -> Result<bool> {
        self.get_option(zmq_sys::ZMQ_BLOCKY as i32).map(|v| v != 0)
    }

    /// Sets `ZMQ_BLOCKY` (see [`ContextBuilder::blocky`]); it is read when the context terminates, so it may be
    /// changed at any time. Calls zmq_ctx_set(3).
    #[doc(alias = "ZMQ_BLOCKY")]
    pub fn set_blocky(&self, on: bool) -> Result<()> {
        self.set_option(zmq_sys::ZMQ_BLOCKY as i32, on as i32)
    }

    /// The context's largest message size in bytes (`ZMQ_MAX_MSGSZ`, default `i32::MAX`). libzmq 4.3 stores this
    /// value but does not enforce it; limit inbound messages per socket with [`crate::Socket::set_maxmsgsize`].
    /// Calls zmq_ctx_get(3).
    #[doc(alias = "ZMQ_MAX_MSGSZ")]
    pub fn get_max_msgsz(&self) -> Result<i32> {
        self.get_option(zmq_sys::ZMQ_MAX_MSGSZ as i32)
    }

    /// Sets `ZMQ_MAX_MSGSZ` (0 to `i32::MAX`); see [`Context::get_max_msgsz`]. Calls zmq_ctx_set(3).
    #[doc(alias = "ZMQ_MAX_MSGSZ")]
    pub fn set_max_msgsz(&self, bytes: i32) -> Result<()> {
        self.set_option(zmq_sys::ZMQ_MAX_MSGSZ as i32, bytes)
    }

    /// The size in bytes of libzmq's `zmq_msg_t` (`ZMQ_MSG_T_SIZE`, read-only), for checking binary
    /// compatibility. Calls zmq_ctx_get(3).
    #[doc(alias = "ZMQ_MSG_T_SIZE")]
    pub fn get_msg_t_size(&self) -> Result<i32> {
        self.get_option(zmq_sys::ZMQ_MSG_T_SIZE as i32)
    }

    /// The scheduling policy of the I/O threads (`ZMQ_THREAD_SCHED_POLICY`); -1, the default, leaves the OS
    /// default. Set it with [`ContextBuilder::thread_sched_policy`]. Calls zmq_ctx_get(3).
    #[doc(alias = "ZMQ_THREAD_SCHED_POLICY")]
    pub fn get_thread_sched_policy(&self) -> Result<i32> {
        self.get_option_allowing_minus_one(zmq_sys::ZMQ_THREAD_SCHED_POLICY)
    }

    /// The numeric name prefix of the I/O threads (`ZMQ_THREAD_NAME_PREFIX` read as an int; 0 when none or not a
    /// number). Set it with [`ContextBuilder::thread_name_prefix`]. Calls zmq_ctx_get(3).
    #[doc(alias = "ZMQ_THREAD_NAME_PREFIX")]
    pub fn get_thread_name_prefix(&self) -> Result<i32> {
        self.get_option_allowing_minus_one(zmq_sys::ZMQ_THREAD_NAME_PREFIX)
    }

    /// Whether received messages may point into libzmq's receive buffer instead of being copied
    /// (`ZMQ_ZERO_COPY_RECV`, draft, default true). Calls zmq_ctx_get(3).
    #[cfg(zmq_draft)]
    #[doc(alias = "ZMQ_ZERO_COPY_RECV")]
    pub fn is_zero_copy_recv(&self) -> Result<bool> {
        self.get_option(zmq_sys::ZMQ_ZERO_COPY_RECV as i32).map(|v| v != 0)
    }

    /// Sets `ZMQ_ZERO_COPY_RECV` (draft) for sockets created from now on. Turning it off copies every message out
    /// of the receive buffer, which saves memory when many small messages stay queued. Calls zmq_ctx_set(3).
    #[cfg(zmq_draft)]
    #[doc(alias = "ZMQ_ZERO_COPY_RECV")]
    pub fn set_zero_copy_recv(&self, on: bool) -> Result<()> {
        self.set_option(zmq_sys::ZMQ_ZERO_COPY_RECV as i32, on as i32)
    }

    /// Sets the name prefix of the I/O threads to text, at most 16 bytes (`ZMQ_THREAD_NAME_PREFIX`; draft, as it
    /// needs zmq_ctx_set_ext(3)). Threads are named `<prefix>/ZMQbg/...`; the OS truncates names to 15 bytes.
    /// It only takes effect before the context's first socket is created.
    #[cfg(zmq_draft)]
    #[doc(alias = "ZMQ_THREAD_NAME_PREFIX")]
    #[doc(alias = "zmq_ctx_set_ext")]
    pub fn set_thread_name_prefix_text(&self, prefix: &str) -> Result<()> {
        // libzmq takes a 4-byte value as an int, and at most 16 bytes as text.
        if prefix.is_empty() || prefix.len() == std::mem::size_of::<c_int>() || prefix.len() > 16 {
            return Err(Error::EINVAL);
        }
        if prefix.as_bytes().contains(&0) {
            return Err(Error::EINVAL);
        }
        let raw = self.as_raw();
        if raw.is_null() {
            return Err(Error::ETERM);
        }
        // SAFETY: the context is live; libzmq copies `prefix.len()` bytes from the string during the call.
        crate::error::check(unsafe {
            zmq_sys::zmq_ctx_set_ext(
                raw,
                zmq_sys::ZMQ_THREAD_NAME_PREFIX as c_int,
                prefix.as_ptr() as *const std::os::raw::c_void,
                prefix.len(),
            )
        })
        .map(drop)
    }

    /// The name prefix of the I/O threads as text (`ZMQ_THREAD_NAME_PREFIX`, draft; empty when none).
    /// Calls zmq_ctx_get_ext(3).
    #[cfg(zmq_draft)]
    #[doc(alias = "ZMQ_THREAD_NAME_PREFIX")]
    #[doc(alias = "zmq_ctx_get_ext")]
    pub fn thread_name_prefix_text(&self) -> Result<String> {
        let raw = self.as_raw();
        if raw.is_null() {
            return Err(Error::ETERM);
        }
        // libzmq copies the prefix without a terminator and without reporting its length, so start zeroed; the
        // buffer must not be int-sized (that reads the prefix as a number).
        let mut buf = [0u8; 64];
        let mut size = buf.len();
        // SAFETY: libzmq writes at most the prefix's length (at most 16 bytes, checked against `size`) into `buf`.
        crate::error::check(unsafe {
            zmq_sys::zmq_ctx_get_ext(
                raw,
                zmq_sys::ZMQ_THREAD_NAME_PREFIX as c_int,
                buf.as_mut_ptr() as *mut std::os::raw::c_void,
                &mut size,
            )
        })?;
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8(buf[..end].to_vec()).map_err(|_| Error::EPROTO)
    }
}

/// The thread options below are applied by libzmq in each background thread it starts (with the context's first
/// socket). libzmq 4.3 treats a refusal by the OS as a fatal error and **aborts the process**: for example a real-time
/// policy, or any [`thread_priority`](ContextBuilder::thread_priority), without `CAP_SYS_NICE`, or an affinity to a
/// CPU the process may not use.
impl ContextBuilder {
    /// The scheduling policy of the I/O threads (`ZMQ_THREAD_SCHED_POLICY`): a `SCHED_*` value such as
    /// `libc::SCHED_OTHER` or `libc::SCHED_FIFO` (default: the OS default). See the note on aborts above.
    #[doc(alias = "ZMQ_THREAD_SCHED_POLICY")]
    pub fn thread_sched_policy(self, policy: i32) -> Self {
        self.option(zmq_sys::ZMQ_THREAD_SCHED_POLICY as i32, policy)
    }

    /// The priority of the I/O threads (`ZMQ_THREAD_PRIORITY`): 1 to 99 for `SCHED_FIFO`/`SCHED_RR`; for other
    /// policies libzmq instead raises the threads to the highest priority (`nice(-20)`), which needs privileges.
    /// See the note on aborts above.
    #[doc(alias = "ZMQ_THREAD_PRIORITY")]
    pub fn thread_priority(self, priority: i32) -> Self {
        self.option(zmq_sys::ZMQ_THREAD_PRIORITY as i32, priority)
    }

    /// Adds a CPU the I/O threads may run on (`ZMQ_THREAD_AFFINITY_CPU_ADD`); call it once per CPU. By default they
    /// may run on any. A CPU number of 1024 or more makes [`build`](ContextBuilder::build) fail with `EINVAL`.
    #[doc(alias = "ZMQ_THREAD_AFFINITY_CPU_ADD")]
    pub fn thread_affinity_cpu_add(self, cpu: i32) -> Self {
        // Out-of-range numbers become -1, which libzmq rejects with EINVAL at build().
        let cpu = if cpu < CPU_SETSIZE { cpu } else { -1 };
        self.option(zmq_sys::ZMQ_THREAD_AFFINITY_CPU_ADD as i32, cpu)
    }

    /// Removes a CPU added with [`thread_affinity_cpu_add`](ContextBuilder::thread_affinity_cpu_add)
    /// (`ZMQ_THREAD_AFFINITY_CPU_REMOVE`); removing one that was not added makes `build` fail with `EINVAL`.
    #[doc(alias = "ZMQ_THREAD_AFFINITY_CPU_REMOVE")]
    pub fn thread_affinity_cpu_remove(self, cpu: i32) -> Self {
        self.option(zmq_sys::ZMQ_THREAD_AFFINITY_CPU_REMOVE as i32, cpu)
    }

    /// A number prefixed to the names of the I/O threads (`ZMQ_THREAD_NAME_PREFIX`): they are named
    /// `<prefix>/ZMQbg/IO/<n>` and `<prefix>/ZMQbg/Reaper` (15 bytes at most are kept by Linux).
    #[doc(alias = "ZMQ_THREAD_NAME_PREFIX")]
    pub fn thread_name_prefix(self, prefix: i32) -> Self {
        self.option(zmq_sys::ZMQ_THREAD_NAME_PREFIX as i32, prefix)
    }

    /// The context's largest message size (`ZMQ_MAX_MSGSZ`); see [`Context::get_max_msgsz`].
    #[doc(alias = "ZMQ_MAX_MSGSZ")]
    pub fn max_msgsz(self, bytes: i32) -> Self {
        self.option(zmq_sys::ZMQ_MAX_MSGSZ as i32, bytes)
    }

    /// Whether received messages may point into libzmq's receive buffer (`ZMQ_ZERO_COPY_RECV`, draft, default
    /// true); see [`Context::set_zero_copy_recv`].
    #[cfg(zmq_draft)]
    #[doc(alias = "ZMQ_ZERO_COPY_RECV")]
    pub fn zero_copy_recv(self, on: bool) -> Self {
        self.option(zmq_sys::ZMQ_ZERO_COPY_RECV as i32, on as i32)
    }
}

//! Context options (zmq_ctx_set(3), zmq_ctx_get(3)): typed accessors on [`Context`] and [`ContextBuilder`].
//!
//! Options libzmq reads only when a context starts (its first socket) — `ZMQ_IO_THREADS`, `ZMQ_MAX_SOCKETS` and
//! the `ZMQ_THREAD_*` options — are set on the builder, so they cannot come too late. Options read each time a
//! socket is created or the context ends (`ZMQ_IPV6`, `ZMQ_BLOCKY`, `ZMQ_ZERO_COPY_RECV`) can also be changed on a
//! live context. libzmq 4.3.4 and 4.3.5 accept the same context options.
//!
//! Some values libzmq accepts only to abort the process later, when the first socket starts the context's threads:
//! thread settings the OS refuses, more I/O threads than it can start (or than the file descriptor limit allows),
//! a socket count beyond `ZMQ_SOCKET_LIMIT` (its slot array, sockets + threads + 2 as a C int, can overflow).
//! [`Context::set_option`], and with it every setter here and [`ContextBuilder::build`], refuses them up front:
//! at most 1024 I/O threads and at most a quarter of `RLIMIT_NOFILE`; at most `ZMQ_SOCKET_LIMIT` sockets; thread
//! settings as described on [`ContextBuilder`]'s thread options.

use std::os::raw::c_int;
use std::sync::{Arc, Mutex, Weak};

use crate::context::{Context, ContextBuilder, ContextInner};
use crate::error::{Error, Result};

/// The most I/O threads a context may have. libzmq aborts when it cannot start a thread or create its two
/// descriptors (an epoll set and a mailbox), so the count is also held to a quarter of `RLIMIT_NOFILE`.
const MAX_IO_THREADS: i32 = 1024;

/// The thread priority set through this crate on each live context (libzmq has no getter for
/// `ZMQ_THREAD_PRIORITY`); the check of a scheduling policy needs it.
static PRIORITIES: Mutex<Vec<(Weak<ContextInner>, i32)>> = Mutex::new(Vec::new());

/// The thread priority set on `ctx` through this crate, or -1 (libzmq's "none").
fn recorded_priority(ctx: &Context) -> i32 {
    let table = PRIORITIES.lock().unwrap_or_else(|e| e.into_inner());
    let key = Arc::downgrade(&ctx.inner);
    table.iter().find(|(owner, _)| owner.ptr_eq(&key)).map_or(-1, |&(_, priority)| priority)
}

fn record_priority(ctx: &Context, priority: i32) {
    let mut table = PRIORITIES.lock().unwrap_or_else(|e| e.into_inner());
    // An entry of a context that is gone cannot match a new one: its Weak keeps the old allocation reserved.
    table.retain(|(owner, _)| owner.strong_count() > 0);
    let key = Arc::downgrade(&ctx.inner);
    match table.iter_mut().find(|(owner, _)| owner.ptr_eq(&key)) {
        Some(entry) => entry.1 = priority,
        None => table.push((key, priority)),
    }
}

/// Refuses context option values that libzmq accepts but cannot apply later: it applies the thread options in each
/// background thread it starts (with the context's first socket) and aborts the process if the OS refuses them,
/// and it aborts when it cannot allocate the threads and sockets it was told to. Called by
/// [`Context::set_option`] before zmq_ctx_set(3), so both the builder and the raw setter are covered.
///
/// The thread options are tried out, as libzmq will apply them, on a short-lived thread of this process; a
/// refusal comes back as the OS's error (`EINVAL`, or `EPERM` without the privilege). Values libzmq itself
/// rejects (negative ones) are left to it.
pub(crate) fn check_option(ctx: &Context, option: i32, value: i32) -> Result<()> {
    let Ok(option) = u32::try_from(option) else {
        return Ok(());
    };
    match option {
        zmq_sys::ZMQ_IO_THREADS => {
            let by_files = crate::poll::open_file_limit().map_or(libc::rlim_t::MAX, |files| files / 4);
            let too_many = value > MAX_IO_THREADS || value > 0 && value as libc::rlim_t > by_files;
            if too_many {
                Err(Error::EINVAL)
            } else {
                Ok(())
            }
        }
        zmq_sys::ZMQ_MAX_SOCKETS if value > ctx.get_socket_limit()? => Err(Error::EINVAL),
        zmq_sys::ZMQ_THREAD_SCHED_POLICY if value >= 0 => {
            try_thread_settings(ThreadSettings { policy: value, priority: recorded_priority(ctx), cpu: None })
        }
        zmq_sys::ZMQ_THREAD_PRIORITY if value >= 0 => {
            let policy = ctx.get_thread_sched_policy()?;
            try_thread_settings(ThreadSettings { policy, priority: value, cpu: None })?;
            record_priority(ctx, value);
            Ok(())
        }
        // libzmq would silently leave a CPU beyond the set's size out of the thread's CPU set.
        zmq_sys::ZMQ_THREAD_AFFINITY_CPU_ADD if value >= libc::CPU_SETSIZE => Err(Error::EINVAL),
        zmq_sys::ZMQ_THREAD_AFFINITY_CPU_ADD if value >= 0 => {
            try_thread_settings(ThreadSettings { policy: -1, priority: -1, cpu: Some(value) })
        }
        _ => Ok(()),
    }
}

/// Thread settings as libzmq keeps them: -1 for "not set".
#[derive(Clone, Copy)]
struct ThreadSettings {
    policy: i32,
    priority: i32,
    cpu: Option<i32>,
}

/// Applies `settings` on a new thread the way libzmq applies them to its own threads, and reports whether the OS
/// accepted them. `EAGAIN` if no thread can be started (libzmq would then abort too).
fn try_thread_settings(settings: ThreadSettings) -> Result<()> {
    let probe = std::thread::Builder::new()
        .name("zmq-thread-check".into())
        .spawn(move || apply_like_libzmq(settings))
        .map_err(|_| Error::EAGAIN)?;
    probe.join().unwrap_or(Err(Error::EINVAL))
}

/// The steps of libzmq 4.3's `thread_t::applySchedulingParameters` (thread.cpp) on the calling thread, returning the
/// first failure where libzmq asserts: keep the thread's policy and priority unless set; for `SCHED_FIFO` and
/// `SCHED_RR` use the priority as the static priority, for other policies priority 0 plus `nice(-20)`; then
/// restrict the thread to the CPU. Only run on a probe thread, which ends right after.
fn apply_like_libzmq(settings: ThreadSettings) -> Result<()> {
    let os_error = |rc: c_int| if rc == 0 { Ok(()) } else { Err(Error::from_raw(rc)) };
    // SAFETY: all calls act on the calling thread only, with pointers to locals that outlive them.
    unsafe {
        let this = libc::pthread_self();
        let mut policy: c_int = 0;
        let mut param: libc::sched_param = std::mem::zeroed();
        os_error(libc::pthread_getschedparam(this, &mut policy, &mut param))?;
        if settings.policy != -1 {
            policy = settings.policy;
        }
        let nice_instead = policy != libc::SCHED_FIFO && policy != libc::SCHED_RR;
        if settings.priority != -1 {
            param.sched_priority = if nice_instead { 0 } else { settings.priority };
        }
        os_error(libc::pthread_setschedparam(this, policy, &param))?;
        if nice_instead && settings.priority != -1 && libc::nice(-20) == -1 {
            // libzmq treats -1 as failure even when it is the new nice value.
            let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
            return Err(if errno == 0 { Error::EINVAL } else { Error::from_raw(errno) });
        }
        if let Some(cpu) = settings.cpu {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu as usize, &mut set); // cpu < CPU_SETSIZE, checked by the caller
            os_error(libc::pthread_setaffinity_np(this, std::mem::size_of::<libc::cpu_set_t>(), &set))?;
        }
    }
    Ok(())
}

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
/// socket), and libzmq 4.3 aborts the process if the OS refuses them. So each value is tried out on a short-lived
/// thread when it is set: [`build`](ContextBuilder::build) (and [`Context::set_option`]) fails with the OS's error
/// instead, `EINVAL` for an unknown policy, a priority out of the policy's range or a CPU the process may not use,
/// `EPERM` without the privilege (a real-time policy, or any priority, without `CAP_SYS_NICE` or a matching
/// `RLIMIT_RTPRIO`/`RLIMIT_NICE`). The check runs on the setting thread, so the first socket should be created
/// by a thread with the same scheduling and the same CPU set.
impl ContextBuilder {
    /// The scheduling policy of the I/O threads (`ZMQ_THREAD_SCHED_POLICY`): a `SCHED_*` value such as
    /// `libc::SCHED_OTHER`, `libc::SCHED_BATCH` or `libc::SCHED_FIFO` (default: the policy of the thread that
    /// creates the first socket). `SCHED_FIFO` and `SCHED_RR` need a static priority: set one with
    /// [`thread_priority`](ContextBuilder::thread_priority) (in either order; `build` applies it first), or
    /// `build` fails with `EINVAL`. (With [`Context::set_option`](crate::Context::set_option), set the priority
    /// first.)
    /// See the note on checks above.
    #[doc(alias = "ZMQ_THREAD_SCHED_POLICY")]
    pub fn thread_sched_policy(self, policy: i32) -> Self {
        self.option(zmq_sys::ZMQ_THREAD_SCHED_POLICY as i32, policy)
    }

    /// The priority of the I/O threads (`ZMQ_THREAD_PRIORITY`): the static priority for `SCHED_FIFO`/`SCHED_RR`
    /// (1 to 99 on Linux); with other policies libzmq instead raises the threads to the highest priority
    /// (`nice(-20)`), whatever the number, which needs privileges. See the note on checks above.
    #[doc(alias = "ZMQ_THREAD_PRIORITY")]
    pub fn thread_priority(self, priority: i32) -> Self {
        self.option(zmq_sys::ZMQ_THREAD_PRIORITY as i32, priority)
    }

    /// Adds a CPU the I/O threads may run on (`ZMQ_THREAD_AFFINITY_CPU_ADD`); call it once per CPU. By default they
    /// may run on any. A CPU this process may not run on (or that does not exist) makes
    /// [`build`](ContextBuilder::build) fail with `EINVAL`.
    #[doc(alias = "ZMQ_THREAD_AFFINITY_CPU_ADD")]
    pub fn thread_affinity_cpu_add(self, cpu: i32) -> Self {
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

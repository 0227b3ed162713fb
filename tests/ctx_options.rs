//! Context options that libzmq would accept and then abort on when the first socket starts its threads: the
//! binding rejects them up front, from `ContextBuilder::build` and from `Context::set_option`. Each case runs in
//! a child process, so that an abort shows as a failed test.

mod isolated;

use std::time::Duration;

use isolated::isolated;
use zmq::{Context, ContextBuilder, Error};

const LIMIT: Duration = Duration::from_secs(30);

/// Builds the context; if that succeeds, starts its threads (first socket) and checks they work, so that a
/// value libzmq cannot apply aborts here. Returns the error of `build`, if any.
fn start(builder: ContextBuilder) -> Option<Error> {
    let ctx = match builder.linger(0).build() {
        Ok(ctx) => ctx,
        Err(err) => return Some(err),
    };
    threads_work(&ctx);
    None
}

/// Starts the context's I/O threads and sends a message over TCP through them.
fn threads_work(ctx: &Context) {
    let a = ctx.socket(zmq::PAIR).unwrap();
    let b = ctx.socket(zmq::PAIR).unwrap();
    for s in [&a, &b] {
        s.set_rcvtimeo(5000).unwrap();
        s.set_sndtimeo(5000).unwrap();
    }
    a.bind("tcp://127.0.0.1:*").unwrap();
    b.connect(&a.last_endpoint().unwrap()).unwrap();
    a.send("through the I/O thread", 0).unwrap();
    assert_eq!(b.recv_bytes(0).unwrap(), b"through the I/O thread");
}

/// The CPUs this process may run on.
fn allowed_cpus() -> Vec<i32> {
    // SAFETY: sched_getaffinity writes at most size_of::<cpu_set_t>() bytes into `set`.
    let set = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        assert_eq!(libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set), 0);
        set
    };
    // SAFETY: every index is below CPU_SETSIZE, inside the set.
    (0..libc::CPU_SETSIZE).filter(|&c| unsafe { libc::CPU_ISSET(c as usize, &set) }).collect()
}

#[test]
fn affinity_to_a_cpu_the_process_cannot_use_is_rejected() {
    isolated("affinity_to_a_cpu_the_process_cannot_use_is_rejected", LIMIT, || {
        let allowed = allowed_cpus();
        let absent = (0..libc::CPU_SETSIZE).find(|c| !allowed.contains(c)).expect("a CPU number this machine lacks");
        for cpu in [absent, 1000, libc::CPU_SETSIZE - 1, libc::CPU_SETSIZE, i32::MAX, -1] {
            let err = start(Context::builder().thread_affinity_cpu_add(cpu));
            assert_eq!(err, Some(Error::EINVAL), "CPU {cpu}");
        }
        // A usable CPU is accepted, also next to a rejected one on a live context.
        let ctx = Context::new();
        ctx.set_option(zmq_sys::ZMQ_THREAD_AFFINITY_CPU_ADD as i32, allowed[0]).unwrap();
        assert_eq!(ctx.set_option(zmq_sys::ZMQ_THREAD_AFFINITY_CPU_ADD as i32, 1000), Err(Error::EINVAL));
        threads_work(&ctx);
    });
}

#[test]
fn unknown_scheduling_policies_are_rejected() {
    isolated("unknown_scheduling_policies_are_rejected", LIMIT, || {
        for policy in [12345, 4, libc::SCHED_DEADLINE, i32::MAX, -2] {
            assert_eq!(start(Context::builder().thread_sched_policy(policy)), Some(Error::EINVAL), "policy {policy}");
            let ctx = Context::new();
            assert_eq!(
                ctx.set_option(zmq_sys::ZMQ_THREAD_SCHED_POLICY as i32, policy),
                Err(Error::EINVAL),
                "policy {policy}"
            );
            threads_work(&ctx);
        }
        for policy in [libc::SCHED_OTHER, libc::SCHED_BATCH, libc::SCHED_IDLE] {
            assert_eq!(start(Context::builder().thread_sched_policy(policy)), None, "policy {policy}");
        }
    });
}

/// Whether this process may give a thread the real-time policy `SCHED_FIFO` (tried on a throwaway thread).
fn may_use_realtime() -> bool {
    std::thread::spawn(|| {
        // SAFETY: changes the scheduling of this short-lived thread only.
        unsafe {
            let param = libc::sched_param { sched_priority: 1 };
            libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) == 0
        }
    })
    .join()
    .unwrap()
}

#[test]
fn realtime_policies_need_a_priority_in_range() {
    isolated("realtime_policies_need_a_priority_in_range", LIMIT, || {
        let realtime = if may_use_realtime() { None } else { Some(Error::EPERM) };
        for policy in [libc::SCHED_FIFO, libc::SCHED_RR] {
            // Without a priority libzmq keeps the thread's own (0), which these policies refuse.
            assert_eq!(start(Context::builder().thread_sched_policy(policy)), Some(Error::EINVAL), "{policy}");
            for priority in [0, 100, i32::MAX] {
                let builder = Context::builder().thread_priority(priority).thread_sched_policy(policy);
                let expected = if realtime.is_some() { realtime } else { Some(Error::EINVAL) };
                assert_eq!(start(builder), expected, "policy {policy}, priority {priority}");
            }
            for priority in [1, 50, 99] {
                let builder = Context::builder().thread_priority(priority).thread_sched_policy(policy);
                assert_eq!(start(builder), realtime, "policy {policy}, priority {priority}");
            }
            // The builder applies the priority first, whichever order it was given in.
            let builder = Context::builder().thread_sched_policy(policy).thread_priority(50);
            assert_eq!(start(builder), realtime, "policy {policy} given before priority 50");
        }
        // The same checks on a live context, through the raw setter.
        let ctx = Context::new();
        let policy = zmq_sys::ZMQ_THREAD_SCHED_POLICY as i32;
        let priority = zmq_sys::ZMQ_THREAD_PRIORITY as i32;
        assert_eq!(ctx.set_option(policy, libc::SCHED_FIFO), Err(Error::EINVAL));
        if realtime.is_none() {
            ctx.set_option(priority, 10).unwrap();
            ctx.set_option(policy, libc::SCHED_FIFO).unwrap();
            assert_eq!(ctx.set_option(priority, 100), Err(Error::EINVAL), "beyond SCHED_FIFO's range");
            threads_work(&ctx);
        }
    });
}

/// Whether this process may lower a thread's nice value to -20 (tried on a throwaway thread).
fn may_raise_priority() -> bool {
    // SAFETY: changes the nice value of this short-lived thread only (Linux keeps it per thread).
    std::thread::spawn(|| unsafe { libc::nice(-20) != -1 }).join().unwrap()
}

#[test]
fn priorities_without_the_privilege_are_refused() {
    // Without CAP_SYS_NICE, libzmq's nice(-20) (any priority with a normal policy) and a real-time policy fail in
    // its threads, and it aborts.
    isolated("priorities_without_the_privilege_are_refused", LIMIT, || {
        isolated::drop_privileges();
        if may_raise_priority() || may_use_realtime() {
            println!("this process keeps the privilege to raise thread priorities: nothing to check");
            return;
        }
        assert_eq!(start(Context::builder().thread_priority(10)), Some(Error::EPERM));
        assert_eq!(
            start(Context::builder().thread_priority(0).thread_sched_policy(libc::SCHED_OTHER)),
            Some(Error::EPERM)
        );
        let realtime = Context::builder().thread_priority(10).thread_sched_policy(libc::SCHED_FIFO);
        assert_eq!(start(realtime), Some(Error::EPERM));
        // Normal policies need no privilege.
        assert_eq!(start(Context::builder().thread_sched_policy(libc::SCHED_BATCH)), None);
        assert_eq!(start(Context::builder().thread_sched_policy(libc::SCHED_OTHER)), None);
    });
}

#[test]
fn thread_and_socket_counts_libzmq_cannot_allocate_are_rejected() {
    // libzmq sizes one array for max_sockets + io_threads + 2 (a C int, which overflows) and aborts when it cannot
    // start a thread or create its descriptors.
    isolated("thread_and_socket_counts_libzmq_cannot_allocate_are_rejected", LIMIT, || {
        for n in [i32::MAX, 1 << 20, 1025] {
            assert_eq!(start(Context::builder().io_threads(n)), Some(Error::EINVAL), "{n} I/O threads");
        }
        let limit = Context::new().get_socket_limit().unwrap();
        for n in [i32::MAX, i32::MAX - 3, limit + 1] {
            assert_eq!(start(Context::builder().max_sockets(n)), Some(Error::EINVAL), "{n} sockets");
        }
        assert_eq!(start(Context::builder().max_sockets(limit).io_threads(4)), None);
        // Fewer descriptors allowed, fewer threads: each needs two, and sockets need theirs.
        let files = libc::rlimit { rlim_cur: 400, rlim_max: 400 };
        // SAFETY: setrlimit reads the struct; lowering the limit of this child process is harmless.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &files) }, 0);
        assert_eq!(start(Context::builder().io_threads(101)), Some(Error::EINVAL));
        assert_eq!(start(Context::builder().io_threads(100)), None);
    });
}

//! zmq_poll over sockets and plain file descriptors, and the draft zmq_poller.

mod common;

use std::io::Write;
use std::os::unix::io::AsRawFd;
use std::os::unix::thread::JoinHandleExt;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::isolated;
use common::{ctx, socket, unique, within};

#[test]
fn poll_sockets_and_file_descriptors() {
    within(Duration::from_secs(20), || {
        let c = ctx();
        let pull = socket(&c, zmq::PULL);
        let push = socket(&c, zmq::PUSH);
        let ep = format!("inproc://{}", unique("poll"));
        pull.bind(&ep).unwrap();
        push.connect(&ep).unwrap();
        let (reader, mut writer) = std::os::unix::net::UnixStream::pair().unwrap();

        // Nothing ready: a zero timeout returns 0 at once.
        let mut items = [pull.as_poll_item(zmq::POLLIN), zmq::PollItem::from_fd(reader.as_raw_fd(), zmq::POLLIN)];
        assert_eq!(zmq::poll(&mut items, 0).unwrap(), 0);
        assert!(!items[0].is_readable() && !items[1].is_readable());

        // A socket message and fd bytes: both reported.
        push.send("msg", 0).unwrap();
        writer.write_all(b"x").unwrap();
        let mut ready = 0;
        while ready < 2 {
            ready = zmq::poll(&mut items, 5000).unwrap();
            assert!(ready > 0, "poll timed out with data pending");
        }
        assert!(items[0].is_readable() && items[0].has_socket(&pull));
        assert!(items[1].is_readable() && items[1].has_fd(reader.as_raw_fd()));
        assert!(!items[1].has_socket(&pull));

        // Writability, and changing the interest set.
        let mut out = [push.as_poll_item(zmq::POLLOUT)];
        assert_eq!(zmq::poll(&mut out, 1000).unwrap(), 1);
        assert!(out[0].is_writable());
        out[0].set_events(zmq::POLLIN);
        assert_eq!(zmq::poll(&mut out, 0).unwrap(), 0);
        assert_eq!(out[0].get_revents(), zmq::PollEvents::empty());

        // The single-socket shortcut and the edge-triggered fd.
        assert_eq!(pull.poll(zmq::POLLIN, 1000).unwrap(), 1);
        assert!(pull.get_events().unwrap().contains(zmq::POLLIN));
        assert!(pull.as_raw_fd() >= 0);
        assert_eq!(pull.recv_string(0).unwrap().unwrap(), "msg");
        assert_eq!(pull.poll(zmq::POLLIN, 0).unwrap(), 0);
    });
}

#[test]
fn poll_never_returns_before_the_timeout() {
    let c = ctx();
    let pull = socket(&c, zmq::PULL);
    pull.bind(&format!("inproc://{}", unique("poll-timeout"))).unwrap();
    let (reader, _writer) = std::os::unix::net::UnixStream::pair().unwrap();
    for ms in [1, 2, 3, 7, 20, 50] {
        let limit = Duration::from_millis(ms as u64);
        let start = Instant::now();
        assert_eq!(zmq::poll(&mut [], ms).unwrap(), 0);
        assert!(start.elapsed() >= limit, "no items, {ms} ms: back after {:?}", start.elapsed());
        let start = Instant::now();
        assert_eq!(zmq::poll(&mut [pull.as_poll_item(zmq::POLLIN)], ms).unwrap(), 0);
        assert!(start.elapsed() >= limit, "a socket, {ms} ms: back after {:?}", start.elapsed());
        let start = Instant::now();
        assert_eq!(zmq::poll(&mut [zmq::PollItem::from_fd(reader.as_raw_fd(), zmq::POLLIN)], ms).unwrap(), 0);
        assert!(start.elapsed() >= limit, "an fd, {ms} ms: back after {:?}", start.elapsed());
    }
}

/// Makes SIGUSR1 interrupt blocking calls (a handler that does nothing, without SA_RESTART).
fn interrupt_with_sigusr1() {
    extern "C" fn ignore(_: libc::c_int) {}
    // SAFETY: a zeroed sigaction with a handler that touches nothing is valid; it is installed for SIGUSR1 only.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore as extern "C" fn(libc::c_int) as usize;
        assert_eq!(libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()), 0);
    }
}

/// Runs `wait` on a thread, checks that it is still waiting after `blocked_for`, then interrupts it with SIGUSR1
/// (repeatedly, in case a signal lands between two waits) and returns its result.
fn still_waiting<T: Send + std::fmt::Debug + 'static>(
    what: &str,
    blocked_for: Duration,
    wait: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || tx.send(wait()).unwrap());
    if let Ok(early) = rx.recv_timeout(blocked_for) {
        panic!("{what}: the wait returned before {blocked_for:?}: {early:?}");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        // SAFETY: the thread is alive (it has not sent its result) and SIGUSR1 has a harmless handler.
        assert_eq!(unsafe { libc::pthread_kill(handle.as_pthread_t(), libc::SIGUSR1) }, 0);
        if let Ok(result) = rx.recv_timeout(Duration::from_millis(100)) {
            handle.join().unwrap();
            return result;
        }
        assert!(Instant::now() < deadline, "{what}: a signal does not end the wait");
    }
}

#[test]
fn poll_without_items_sleeps_the_whole_timeout() {
    // libzmq sleeps with usleep(timeout * 1000), which keeps 32 bits: 4_294_968 ms (71 minutes) came back after
    // about a millisecond, and "forever" after 71 minutes. Run in a child process, which installs a signal
    // handler to end the waits.
    isolated("poll_without_items_sleeps_the_whole_timeout", Duration::from_secs(60), || {
        interrupt_with_sigusr1();
        for timeout in [4_294_968, 4_295_268, 1 << 32, i64::MAX, -1, i64::MIN] {
            let what = format!("timeout {timeout}");
            let result = still_waiting(&what, Duration::from_millis(500), move || zmq::poll(&mut [], timeout));
            assert_eq!(result, Err(zmq::Error::EINTR), "timeout {timeout}");
        }
    });
}

#[test]
fn poll_with_huge_timeouts_waits_for_an_event() {
    within(Duration::from_secs(30), || {
        let c = ctx();
        for timeout in [4_294_968, 1 << 32, i64::MAX, -1, i64::MIN] {
            let watched = socket(&c, zmq::PULL);
            watched.bind(&format!("inproc://{}", unique("poll-huge"))).unwrap();
            let (reader, mut writer) = std::os::unix::net::UnixStream::pair().unwrap();
            let poller = thread::spawn(move || {
                let mut items =
                    [watched.as_poll_item(zmq::POLLIN), zmq::PollItem::from_fd(reader.as_raw_fd(), zmq::POLLIN)];
                let n = zmq::poll(&mut items, timeout);
                (n, items[1].is_readable())
            });
            thread::sleep(Duration::from_millis(200));
            assert!(!poller.is_finished(), "timeout {timeout}: poll returned with nothing ready");
            writer.write_all(b"x").unwrap();
            assert_eq!(poller.join().unwrap(), (Ok(1), true), "timeout {timeout}");
        }
    });
}

#[test]
fn poll_refuses_more_items_than_open_files() {
    // poll(2) fails with EINVAL for more descriptors than RLIMIT_NOFILE, which libzmq asserts against.
    isolated("poll_refuses_more_items_than_open_files", Duration::from_secs(30), || {
        let limit = libc::rlimit { rlim_cur: 64, rlim_max: 64 };
        // SAFETY: setrlimit reads the struct; lowering the limit of this child process is harmless.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
        let mut items: Vec<zmq::PollItem<'_>> = (0..65).map(|_| zmq::PollItem::from_fd(-1, zmq::POLLIN)).collect();
        assert_eq!(zmq::poll(&mut items, 0), Err(zmq::Error::EINVAL));
        assert_eq!(zmq::poll(&mut items[..64], 0), Ok(0));
        #[cfg(zmq_draft)]
        {
            let mut poller = zmq::Poller::new().unwrap();
            for fd in 0..65 {
                poller.add_fd(1000 + fd, fd as usize, zmq::POLLIN).unwrap();
            }
            assert_eq!(poller.wait(Some(Duration::ZERO)).unwrap_err(), zmq::Error::EINVAL);
            assert_eq!(poller.wait_all(Some(Duration::ZERO)).unwrap_err(), zmq::Error::EINVAL);
            poller.remove_fd(1000).unwrap();
            // The descriptors are not open: poll(2) flags each of them, which libzmq reports as an error event.
            let event = poller.wait(Some(Duration::ZERO)).unwrap();
            assert_eq!(event.events, zmq::POLLERR);
        }
    });
}

#[cfg(zmq_draft)]
#[test]
fn draft_poller_reports_tokens() {
    within(Duration::from_secs(20), || {
        let c = ctx();
        let a = socket(&c, zmq::PAIR);
        let b = socket(&c, zmq::PAIR);
        let ep = format!("inproc://{}", unique("poller"));
        a.bind(&ep).unwrap();
        b.connect(&ep).unwrap();
        let (reader, mut writer) = std::os::unix::net::UnixStream::pair().unwrap();
        let mut poller = zmq::Poller::new().unwrap();
        poller.add(&a, 1, zmq::POLLIN).unwrap();
        poller.add_fd(reader.as_raw_fd(), 2, zmq::POLLIN).unwrap();
        assert_eq!(poller.len(), 2);
        assert_eq!(poller.wait(Some(Duration::ZERO)).unwrap_err(), zmq::Error::EAGAIN);
        b.send("x", 0).unwrap();
        let event = poller.wait(Some(Duration::from_secs(5))).unwrap();
        assert_eq!((event.token, event.fd), (1, None));
        writer.write_all(b"y").unwrap();
        let mut tokens = Vec::new();
        while tokens.len() < 2 {
            tokens = poller.wait_all(Some(Duration::from_secs(5))).unwrap().iter().map(|e| e.token).collect();
        }
        tokens.sort();
        assert_eq!(tokens, [1, 2]);
        poller.remove(&a).unwrap();
        poller.remove_fd(reader.as_raw_fd()).unwrap();
        assert!(poller.is_empty());
        assert_eq!(poller.remove(&b).unwrap_err(), zmq::Error::EINVAL);
    });
}

#[cfg(zmq_draft)]
#[test]
fn draft_poller_never_returns_before_the_timeout() {
    let c = ctx();
    let a = socket(&c, zmq::PAIR);
    a.bind(&format!("inproc://{}", unique("poller-timeout"))).unwrap();
    let mut empty = zmq::Poller::new().unwrap();
    let mut one = zmq::Poller::new().unwrap();
    one.add(&a, 1, zmq::POLLIN).unwrap();
    for limit in [Duration::from_micros(1500), Duration::from_micros(2700), Duration::from_millis(20)] {
        for poller in [&mut empty, &mut one] {
            let start = Instant::now();
            assert_eq!(poller.wait(Some(limit)).unwrap_err(), zmq::Error::EAGAIN);
            assert!(start.elapsed() >= limit, "{} items, {limit:?}: back after {:?}", poller.len(), start.elapsed());
            let start = Instant::now();
            assert_eq!(poller.wait_all(Some(limit)).unwrap_err(), zmq::Error::EAGAIN);
            assert!(start.elapsed() >= limit, "{} items, {limit:?}: back after {:?}", poller.len(), start.elapsed());
        }
    }
    // libzmq refuses to wait forever with nothing to wait for.
    assert_eq!(empty.wait(None).unwrap_err(), zmq::Error::EFAULT);
}

#[cfg(zmq_draft)]
#[test]
fn draft_poller_sleeps_the_whole_huge_timeout() {
    // An empty poller makes libzmq sleep with usleep(timeout * 1000) (32 bits): 4_294_968 ms came back after a
    // millisecond. The sleeping thread is left behind when the child process exits.
    isolated("draft_poller_sleeps_the_whole_huge_timeout", Duration::from_secs(60), || {
        for ms in [4_294_968, 4_295_268, 1 << 32, u64::MAX] {
            let (tx, rx) = mpsc::channel();
            thread::spawn(move || {
                let mut poller = zmq::Poller::new().unwrap();
                let _ = tx.send(poller.wait(Some(Duration::from_millis(ms))));
            });
            if let Ok(early) = rx.recv_timeout(Duration::from_millis(500)) {
                panic!("{ms} ms: the wait returned at once: {early:?}");
            }
        }
    });
}

#[cfg(zmq_draft)]
#[test]
fn draft_poller_with_huge_timeouts_waits_for_an_event() {
    within(Duration::from_secs(30), || {
        let c = ctx();
        let ep = format!("inproc://{}", unique("poller-huge"));
        let a = socket(&c, zmq::PAIR);
        a.bind(&ep).unwrap();
        let b = socket(&c, zmq::PAIR);
        b.connect(&ep).unwrap();
        let a = std::sync::Arc::new(std::sync::Mutex::new(a));
        for timeout in [Some(Duration::from_millis(4_294_968)), Some(Duration::MAX), None] {
            let watched = std::sync::Arc::clone(&a);
            let poller = thread::spawn(move || {
                let a = watched.lock().unwrap();
                let mut poller = zmq::Poller::new().unwrap();
                poller.add(&a, 9, zmq::POLLIN).unwrap();
                let token = poller.wait(timeout).map(|e| e.token);
                a.recv_bytes(0).unwrap();
                token
            });
            thread::sleep(Duration::from_millis(200));
            assert!(!poller.is_finished(), "{timeout:?}: the wait returned with nothing ready");
            b.send("wake", 0).unwrap();
            assert_eq!(poller.join().unwrap(), Ok(9), "{timeout:?}");
        }
    });
}

//! zmq_poll over sockets and plain file descriptors, and the draft zmq_poller.

mod common;

use std::io::Write;
use std::os::unix::io::AsRawFd;
use std::time::Duration;

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
fn poll_with_no_items_waits_for_the_timeout() {
    let start = std::time::Instant::now();
    assert_eq!(zmq::poll(&mut [], 50).unwrap(), 0);
    assert!(start.elapsed() >= Duration::from_millis(40));
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

//! Scenario tests for the zguide's chapter 7 and 8 examples: each runs the
//! example ports as processes and checks what the guide says they do: a
//! send that fails at the high-water mark, file transfer with and without
//! credit-based flow control (and the credit that bounds what is in
//! flight, seen by the test standing in for the server), UDP broadcast
//! discovery between two instances. The harness is in `zguide_support`.

#[path = "../examples/czmq/mod.rs"]
mod czmq;
#[path = "../examples/udplib/mod.rs"]
mod udplib;
mod zguide_support;

use std::fs;
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use zguide_support::*;

/// The examples these scenarios run.
const EXAMPLES: &[&str] = &["eagain", "fileio1", "fileio2", "fileio3", "udpping1", "udpping2"];

/// The fileio examples' chunk size.
const CHUNK_SIZE: usize = 250000;

/// Fails unless nothing listens on TCP `port` (the guide's ports outside
/// the harness's list).
fn assert_port_free(port: u16) {
    if let Err(error) = TcpListener::bind(("0.0.0.0", port)) {
        panic!("port {port} is taken by another program: {error}");
    }
}

/// `testdata` in the examples' directory, removed when dropped.
struct TestData(PathBuf);

impl TestData {
    fn new(size: usize) -> TestData {
        let path = work_dir().join("testdata");
        let data: Vec<u8> = (0..size).map(|index| (index % 251) as u8).collect();
        fs::write(&path, data).expect("writing testdata");
        TestData(path)
    }
}

impl Drop for TestData {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

// ---------------------------------------------------------------------------
// eagain

#[test]
fn eagain_stops_at_the_hwm_with_eagain() {
    let _guard = serial();
    assert_port_free(9876);
    let mut example = Example::start("eagain");
    let output = example.finish(10 * SECOND);
    // SNDHWM 4 on a pipe with no peer: four messages queue, the fifth
    // fails at once (SNDTIMEO 0) and the loop stops before its ten
    let mut expected: String = (0..5).map(|count| format!("Sending message {count}\n")).collect();
    expected.push_str("Resource temporarily unavailable\n");
    assert_eq!(output, expected, "{}", example.describe());
}

// ---------------------------------------------------------------------------
// fileio: the whole transfer, within one process

/// Runs `name` over a `testdata` of `size` bytes and returns its report.
fn transfer(name: &str, size: usize) -> String {
    let _data = TestData::new(size);
    let mut example = Example::start(name);
    let output = example.finish(30 * SECOND);
    assert_eq!(example.errors(), "", "{}", example.describe());
    output
}

fn report(chunks: usize, bytes: usize) -> String {
    format!("{chunks} chunks received, {bytes} bytes\n")
}

/// File sizes: a partial last chunk, a whole number of chunks, empty.
const SIZES: [usize; 3] = [10 * CHUNK_SIZE + 100000, 10 * CHUNK_SIZE, 0];

#[test]
fn fileio1_sends_every_chunk_then_an_empty_one() {
    let _guard = serial();
    assert_port_free(6000);
    for size in SIZES {
        // Every chunk read, the short one if any, and the empty frame
        assert_eq!(transfer("fileio1", size), report(size.div_ceil(CHUNK_SIZE) + 1, size), "size {size}");
    }
}

#[test]
fn fileio2_and_fileio3_end_at_the_first_short_chunk() {
    let _guard = serial();
    assert_port_free(6000);
    for name in ["fileio2", "fileio3"] {
        for size in SIZES {
            // The full chunks and the short (maybe empty) one that ends it
            assert_eq!(transfer(name, size), report(size / CHUNK_SIZE + 1, size), "{name} size {size}");
        }
    }
}

#[test]
fn fileio_without_testdata_exits_with_a_message() {
    let _guard = serial();
    assert_port_free(6000);
    let _ = fs::remove_file(work_dir().join("testdata"));
    for name in ["fileio1", "fileio2", "fileio3"] {
        let mut example = Example::start(name);
        let status = example.wait(10 * SECOND);
        assert_eq!(status.code(), Some(1), "{}", example.describe());
        assert!(example.errors().starts_with("E: cannot open testdata: "), "{}", example.describe());
        assert_eq!(example.output(), "", "{}", example.describe());
    }
}

// ---------------------------------------------------------------------------
// fileio: the test holds port 6000, so the client talks to the test

/// A ROUTER on the examples' port, standing in for their server thread
/// (whose bind then fails, as the C's would, and which says so).
struct StandIn {
    _context: zmq::Context,
    router: zmq::Socket,
}

impl StandIn {
    fn bind() -> StandIn {
        assert_port_free(6000);
        let context = zmq::Context::new();
        let router = context.socket(zmq::ROUTER).unwrap();
        router.set_linger(0).unwrap();
        router.set_rcvtimeo(10_000).unwrap();
        router.set_sndtimeo(10_000).unwrap();
        router.bind("tcp://*:6000").unwrap();
        StandIn { _context: context, router }
    }

    /// The next request: identity, then its frames; fails after 10 s.
    fn request(&self) -> (Vec<u8>, Vec<String>) {
        let mut frames = self.router.recv_multipart(0).expect("a request within 10 s");
        let identity = frames.remove(0);
        (identity, frames.into_iter().map(|frame| String::from_utf8(frame).unwrap()).collect())
    }

    /// Whether a request arrives within `wait`.
    fn quiet_for(&self, wait: Duration) -> bool {
        self.router.poll(zmq::POLLIN, wait.as_millis() as i64).unwrap() == 0
    }

    fn reply(&self, identity: &[u8], size: usize) {
        self.router.send(identity, zmq::SNDMORE).unwrap();
        self.router.send(vec![7u8; size], 0).unwrap();
    }
}

/// Waits for the example's report and checks its server thread failed to bind.
fn finish_against(mut example: Example, expected: &str) {
    let output = example.finish(10 * SECOND);
    assert_eq!(output, expected, "{}", example.describe());
    assert!(example.errors().contains("E: server thread: "), "{}", example.describe());
}

fn fetch(offset: usize) -> Vec<String> {
    vec!["fetch".to_string(), offset.to_string(), CHUNK_SIZE.to_string()]
}

#[test]
fn fileio1_client_asks_once_and_counts_to_the_empty_frame() {
    let _guard = serial();
    let _data = TestData::new(10);
    let server = StandIn::bind();
    let example = Example::start("fileio1");
    let (identity, request) = server.request();
    assert_eq!(request, ["fetch"]);
    for size in [1000, 1000, 1000, 0] {
        server.reply(&identity, size);
    }
    finish_against(example, &report(4, 3000));
}

#[test]
fn fileio2_client_has_one_request_in_flight() {
    let _guard = serial();
    let _data = TestData::new(10);
    let server = StandIn::bind();
    let example = Example::start("fileio2");
    let (identity, request) = server.request();
    assert_eq!(request, fetch(0));
    assert!(server.quiet_for(Duration::from_millis(300)), "a second request before the first chunk");
    server.reply(&identity, CHUNK_SIZE);
    let (_, request) = server.request();
    assert_eq!(request, fetch(CHUNK_SIZE));
    assert!(server.quiet_for(Duration::from_millis(300)), "a third request before the second chunk");
    server.reply(&identity, 10);
    finish_against(example, &report(2, CHUNK_SIZE + 10));
}

#[test]
fn fileio3_credit_bounds_the_requests_in_flight() {
    let _guard = serial();
    let _data = TestData::new(10);
    let server = StandIn::bind();
    let example = Example::start("fileio3");
    // PIPELINE (10) requests for consecutive chunks, then silence
    let mut identity = Vec::new();
    for index in 0..10 {
        let (sender, request) = server.request();
        assert_eq!(request, fetch(index * CHUNK_SIZE), "request {index}");
        identity = sender;
    }
    assert!(server.quiet_for(Duration::from_millis(500)), "more than 10 requests in flight");
    // Each chunk returns one credit: one more request, no more
    for index in 10..13 {
        server.reply(&identity, CHUNK_SIZE);
        let (_, request) = server.request();
        assert_eq!(request, fetch(index * CHUNK_SIZE), "request {index}");
        assert!(server.quiet_for(Duration::from_millis(300)), "a second request for one credit");
    }
    server.reply(&identity, 5);
    finish_against(example, &report(4, 3 * CHUNK_SIZE + 5));
}

// ---------------------------------------------------------------------------
// udpping: broadcast on UDP port 9999. The pings go to 255.255.255.255, out
// of the default route's interface; Linux delivers them to the sending host
// too, so instances on one machine hear each other (and themselves).

/// The guide's ping port.
const PING_PORT: u16 = 9999;

/// Fails unless no UDP socket is bound to the ping port.
fn assert_ping_port_free() {
    if let Err(error) = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, PING_PORT)) {
        panic!("UDP port {PING_PORT} is taken by another program: {error}");
    }
}

/// How many pings ("!") `udp` receives within `window`.
fn count_pings(udp: &udplib::Udp, window: Duration) -> usize {
    let deadline = Instant::now() + window;
    let mut pings = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return pings;
        }
        let mut items = [zmq::PollItem::from_fd(udplib::udp_handle(udp), zmq::POLLIN)];
        zmq::poll(&mut items, left.as_millis() as i64 + 1).unwrap();
        if items[0].is_readable() {
            let mut buffer = [0u8; 16];
            if udplib::udp_recv(udp, &mut buffer) == 1 && buffer[0] == b'!' {
                pings += 1;
            }
        }
    }
}

#[test]
#[ignore = "sends UDP broadcasts out of the default interface, not loopback: run by hand with --ignored"]
fn udpping1_hears_pings_and_a_second_instance_cannot_bind() {
    let _guard = serial();
    assert_ping_port_free();
    let mut first = Example::start("udpping1");
    // Its own broadcast comes back to it
    first.wait_for_output("its own ping", 10 * SECOND, |output| {
        output.lines().any(|line| line.starts_with("Found peer ") && line.ends_with(":9999"))
    });
    // Model 1 sets no SO_REUSEADDR: the second instance on this host fails
    let mut second = Example::start("udpping1");
    let status = second.wait(10 * SECOND);
    assert_eq!(status.code(), Some(1), "{}", second.describe());
    assert_eq!(second.errors(), "bind: Address already in use\n", "{}", second.describe());
    // Another node's ping, from another port, is reported with that port
    let node = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).unwrap();
    node.set_broadcast(true).unwrap();
    let port = node.local_addr().unwrap().port();
    node.send_to(b"!", (Ipv4Addr::BROADCAST, PING_PORT)).unwrap();
    let suffix = format!(":{port}");
    first.wait_for_output("the other node's ping", 10 * SECOND, |output| {
        output.lines().any(|line| line.starts_with("Found peer ") && line.ends_with(&suffix))
    });
    assert!(first.output().starts_with("Pinging peers...\n"), "{}", first.describe());
    // SIGINT ends the loop (zctx_interrupted) and the program
    first.signal(libc::SIGINT);
    let status = first.wait(10 * SECOND);
    assert!(status.success(), "{}", first.describe());
}

#[test]
#[ignore = "sends UDP broadcasts out of the default interface, not loopback: run by hand with --ignored"]
fn udpping2_instances_share_the_port_and_each_pings() {
    let _guard = serial();
    assert_ping_port_free();
    // The test listens on the port too, as a third node (SO_REUSEADDR)
    let listener = udplib::udp_new(PING_PORT);
    let mut first = Example::start("udpping2");
    first.wait_for_output("a ping", 10 * SECOND, |output| output.contains("Pinging peers..."));
    let mut second = Example::start("udpping2");
    second.wait_for_output("a ping", 10 * SECOND, |output| output.contains("Pinging peers..."));
    // One sender pings at most 4 times in 3.5 s: 5 or more are from both
    let both = count_pings(&listener, Duration::from_millis(3500));
    assert!((5..=9).contains(&both), "{both} pings from two instances");
    assert!(first.is_running() && second.is_running(), "{}\n{}", first.describe(), second.describe());
    // The first killed by its pid: only the second's pings remain
    first.kill();
    count_pings(&listener, Duration::from_millis(200));
    let one = count_pings(&listener, Duration::from_millis(3500));
    assert!((2..=4).contains(&one), "{one} pings from one instance");
    second.signal(libc::SIGINT);
    let status = second.wait(10 * SECOND);
    assert!(status.success(), "{}", second.describe());
    let pings = count_lines(&second.output(), "Pinging peers...");
    assert!(pings >= 4 && second.output().lines().count() == pings, "{}", second.describe());
    udplib::udp_destroy(listener);
}

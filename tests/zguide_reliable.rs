//! Scenario tests for the zguide's reliable request-reply patterns
//! (chapter 4): each runs the example ports as processes and puts them
//! under the faults the pattern exists for (a server that crashes or
//! stalls, a worker killed mid-request, a queue that goes away), checking
//! what the guide says happens. The harness is in `zguide_support`.

mod zguide_support;

use std::time::{Duration, Instant};
use zguide_support::*;

/// The examples these scenarios run.
const EXAMPLES: &[&str] = &["lpclient", "lpserver", "spqueue", "spworker", "ppqueue", "ppworker"];

// ---------------------------------------------------------------------------
// Helpers

/// A Lazy Pirate client in the test: sends a request, waits `timeout` for
/// the reply, and on silence closes its REQ socket, opens a new one and
/// resends, like lpclient.
struct LazyClient {
    context: zmq::Context,
    socket: zmq::Socket,
    endpoint: &'static str,
    timeout: Duration,
}

impl LazyClient {
    fn new(endpoint: &'static str, timeout: Duration) -> LazyClient {
        let context = zmq::Context::new();
        let socket = LazyClient::open(&context, endpoint);
        LazyClient { context, socket, endpoint, timeout }
    }

    fn open(context: &zmq::Context, endpoint: &str) -> zmq::Socket {
        let socket = context.socket(zmq::REQ).unwrap();
        socket.set_linger(0).unwrap();
        socket.connect(endpoint).unwrap();
        socket
    }

    /// Sends `body` until it comes back (the workers echo), at most
    /// `attempts` times; returns how many sends it took, or `None`.
    fn request(&mut self, body: &str, attempts: usize, mut between: impl FnMut()) -> Option<usize> {
        for attempt in 1..=attempts {
            self.socket.send(body, 0).unwrap();
            let deadline = Instant::now() + self.timeout;
            while Instant::now() < deadline {
                between();
                if self.socket.poll(zmq::POLLIN, 50).unwrap() > 0 {
                    let reply = self.socket.recv_string(0).unwrap().unwrap();
                    assert_eq!(reply, body, "a reply to another request");
                    return Some(attempt);
                }
            }
            self.socket = LazyClient::open(&self.context, self.endpoint);
        }
        None
    }
}

/// Workers of one kind, by the order they started; any that exits by
/// itself (the examples simulate crashes) is replaced, as an operator would.
struct Workers {
    name: &'static str,
    all: Vec<Example>,
    dead: Vec<bool>,
    /// The first worker started after a deliberate kill
    restarted_from: usize,
}

impl Workers {
    fn start(name: &'static str, count: usize) -> Workers {
        let mut workers = Workers { name, all: Vec::new(), dead: Vec::new(), restarted_from: usize::MAX };
        for _ in 0..count {
            workers.spawn();
        }
        workers
    }

    /// Starts a worker and waits for it to say it is ready; returns its
    /// index.
    fn spawn(&mut self) -> usize {
        // The workers seed random () with time (NULL), and spworker takes
        // its identity from it: two started in the same second would share
        // one (and the queue's ROUTER would refuse the second), as in C
        let second = time_seconds();
        while time_seconds() == second {
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut worker = Example::start(self.name);
        worker.wait_for_output("ready", 10 * SECOND, |output| output.contains("worker ready"));
        self.all.push(worker);
        self.dead.push(false);
        self.all.len() - 1
    }

    /// Replaces the workers that exited.
    fn replace_crashed(&mut self) {
        for index in 0..self.all.len() {
            if !self.dead[index] && !self.all[index].is_running() {
                let worker = &self.all[index];
                assert!(worker.output().contains("simulating a crash"), "{}", worker.describe());
                self.dead[index] = true;
                self.spawn();
            }
        }
    }

    /// How many crashes were simulated so far.
    fn crashes(&self) -> usize {
        self.all.iter().filter(|worker| worker.output().contains("simulating a crash")).count()
    }

    /// How many requests each worker has taken so far.
    fn replies(&self) -> Vec<usize> {
        self.all.iter().map(|worker| count_matching(&worker.output(), "normal reply")).collect()
    }

    /// Kills worker `index` by its pid.
    fn kill(&mut self, index: usize) {
        self.all[index].kill();
        self.dead[index] = true;
    }

    /// A worker that is still running.
    fn live_one(&self) -> usize {
        self.dead.iter().position(|&dead| !dead).expect("a live worker")
    }

    fn describe(&self) -> String {
        self.all.iter().map(Example::describe).collect::<Vec<_>>().join("\n")
    }
}

/// The calendar time in seconds, as time (NULL).
fn time_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// How many lines of `output` contain `text`.
fn count_matching(output: &str, text: &str) -> usize {
    output.lines().filter(|line| line.contains(text)).count()
}

// ---------------------------------------------------------------------------
// Lazy Pirate

/// The client's lines for one lost request: it retries, then reconnects.
const RETRY: [&str; 2] = ["W: no response from server, retrying...", "I: reconnecting to server..."];

/// Checks lpclient's output: replies in sequence, retries only in pairs,
/// and at the end the two retries and the abandonment. Returns the
/// sequence numbers confirmed and how many retries it made.
fn check_lpclient_output(output: &str) -> (Vec<i64>, usize) {
    let mut lines = output.lines().peekable();
    assert_eq!(lines.next(), Some("I: connecting to server..."), "{output:?}");
    let (mut replied, mut retries, mut in_a_row) = (Vec::new(), 0, 0);
    while let Some(line) = lines.next() {
        if let Some(sequence) = number_in(line, "I: server replied OK (", ")") {
            assert_eq!(sequence, replied.len() as i64 + 1, "{output:?}");
            replied.push(sequence);
            in_a_row = 0;
        } else if line == RETRY[0] {
            assert_eq!(lines.next(), Some(RETRY[1]), "{output:?}");
            retries += 1;
            in_a_row += 1;
            assert!(in_a_row <= 2, "more than two retries: {output:?}");
        } else if line.starts_with("E: malformed reply from server: ") {
            continue;
        } else {
            assert_eq!(line, "E: server seems to be offline, abandoning", "{output:?}");
            assert_eq!(in_a_row, 2, "{output:?}");
            assert_eq!(lines.next(), None, "{output:?}");
        }
    }
    (replied, retries)
}

#[test]
fn lpclient_lpserver() {
    let _guard = serial();
    let mut server = Example::start("lpserver");
    let mut client = Example::start("lpclient");
    // The server simulates a crash from its fourth request on (one in
    // three); the client then retries twice and gives up
    let output = client.finish(180 * SECOND);
    let (replied, _) = check_lpclient_output(&output);
    assert!(output.ends_with("E: server seems to be offline, abandoning\n"), "{output:?}");
    let status = server.wait(SECOND);
    assert!(status.success(), "{}", server.describe());
    let served = server.output();
    assert!(served.ends_with("I: simulating a crash\n"), "{served:?}");
    // Every reply the client took was a request the server served; an
    // overloaded server may see a request twice (the client's retry), and
    // it serves an overloaded request (2 s, then 1 s of work) after the
    // client's 2.5 s timeout: then its reply is lost, and the request is the
    // last one served (the retry meets the simulated crash or is abandoned)
    let mut numbers: Vec<i64> = served.lines().filter_map(|line| number_in(line, "I: normal request (", ")")).collect();
    numbers.dedup();
    assert!(numbers.starts_with(&replied), "{served:?}\n{output:?}");
    assert!(numbers.len() <= replied.len() + 1, "{served:?}\n{output:?}");
    assert!(replied.len() >= 3, "{output:?}");
}

#[test]
fn lpclient_retries_through_a_stall_and_a_restart() {
    let _guard = serial();
    // The test is the server: it answers three requests, crashes on the
    // fourth, restarts (a new socket) once the client has retried and
    // answers the resend; then it goes away and the client must give up
    let context = zmq::Context::new();
    let bind = || {
        let server = context.socket(zmq::REP).unwrap();
        server.set_linger(0).unwrap();
        server.set_rcvtimeo(10_000).unwrap();
        server.bind("tcp://*:5555").unwrap();
        server
    };
    let mut server = bind();
    let mut client = Example::start("lpclient");
    for sequence in 1..=4 {
        let request = server.recv_string(0).unwrap().unwrap();
        assert_eq!(request, sequence.to_string());
        if sequence < 4 {
            server.send(request.as_str(), 0).unwrap();
        }
    }
    let stalled = Instant::now();
    drop(server);
    client.wait_for_output("a retry", 10 * SECOND, |output| output.ends_with("I: reconnecting to server...\n"));
    // REQUEST_TIMEOUT is 2.5 seconds
    assert!(stalled.elapsed() >= Duration::from_millis(2000), "{:?}", stalled.elapsed());
    server = bind();
    assert_eq!(server.recv_string(0).unwrap().unwrap(), "4");
    server.send("4", 0).unwrap();
    assert_eq!(server.recv_string(0).unwrap().unwrap(), "5");
    // A wrong reply is reported and the client waits on
    server.send("17", 0).unwrap();
    client.wait_for_output("the malformed reply", 10 * SECOND, |output| output.contains("malformed"));
    drop(server);
    let gone = Instant::now();
    let output = client.finish(20 * SECOND);
    // Three timeouts of 2.5 seconds: the last two after retries
    assert!(gone.elapsed() >= Duration::from_millis(6000), "{:?}", gone.elapsed());
    let (replied, retries) = check_lpclient_output(&output);
    assert_eq!(replied, [1, 2, 3, 4]);
    assert_eq!(retries, 3);
    assert!(output.contains("E: malformed reply from server: 17\n"), "{output:?}");
}

// ---------------------------------------------------------------------------
// Simple Pirate and Paranoid Pirate

/// Sends `requests` through the queue on 5555, one at a time. During
/// request `kill_at`, kills the worker that took it (it prints "normal
/// reply" and then works for a second) and starts another; returns how
/// many sends each request took.
fn requests_with_a_killed_worker(
    workers: &mut Workers,
    requests: std::ops::RangeInclusive<i32>,
    kill_at: i32,
) -> Vec<usize> {
    // Longer than an overloaded worker takes (3 + 1 seconds), so only lost
    // requests are resent
    let mut client = LazyClient::new("tcp://localhost:5555", 6 * SECOND);
    let mut attempts = Vec::new();
    for sequence in requests {
        let before = workers.replies();
        let mut killed = sequence != kill_at;
        let sent = client.request(&sequence.to_string(), 4, || {
            if !killed {
                let now = workers.replies();
                if let Some(busy) = (0..before.len()).find(|&index| now[index] > before[index]) {
                    workers.kill(busy);
                    killed = true;
                }
            }
            workers.replace_crashed();
        });
        let sent = sent.unwrap_or_else(|| panic!("request {sequence} was never answered\n{}", workers.describe()));
        assert!(killed, "no worker took request {sequence}\n{}", workers.describe());
        if sequence == kill_at {
            // The killed worker's request came back from another worker
            assert!(sent >= 2, "{}", workers.describe());
            workers.restarted_from = workers.spawn();
        }
        attempts.push(sent);
    }
    attempts
}

/// Checks that the worker started after the kill took requests too.
fn check_restarted_worker_served(workers: &Workers) {
    let served: usize = workers.replies().iter().skip(workers.restarted_from).sum();
    assert!(served >= 1, "the restarted worker took no requests\n{}", workers.describe());
}

#[test]
fn spqueue_spworker_survive_a_killed_worker() {
    let _guard = serial();
    let mut queue = Example::start("spqueue");
    let mut workers = Workers::start("spworker", 2);
    let attempts = requests_with_a_killed_worker(&mut workers, 1..=8, 3);
    assert!(attempts.iter().all(|&sent| sent <= 3), "{attempts:?}");
    check_restarted_worker_served(&workers);
    // Workers tag their lines with their identity, "XXXX-XXXX"
    for worker in &workers.all {
        let output = worker.output();
        let tag = output.lines().next().and_then(|line| line.strip_suffix(" worker ready")).unwrap();
        assert!(output.lines().all(|line| line.starts_with(tag)), "{output:?}");
    }
    assert_eq!(queue.stop(), "");
}

#[test]
fn ppqueue_ppworker_survive_killed_workers() {
    let _guard = serial();
    let mut queue = Example::start("ppqueue");
    let mut workers = Workers::start("ppworker", 2);
    // Longer than an overloaded worker takes (3 + 1 seconds), so only lost
    // requests are resent
    let mut client = LazyClient::new("tcp://localhost:5555", 6 * SECOND);
    let mut request = |workers: &mut Workers, sequence: i32| -> usize {
        let sent = client.request(&sequence.to_string(), 4, || workers.replace_crashed());
        sent.unwrap_or_else(|| panic!("request {sequence} was never answered\n{}", workers.describe()))
    };
    for sequence in 1..=3 {
        request(&mut workers, sequence);
    }
    // ppworker replies, then works for a second: kill the one that just
    // replied, while the queue holds it as ready. A request the queue
    // sends it is lost until the queue, missing its heartbeats, forgets it;
    // the client's resend goes to a live worker. A new worker joins
    let before = workers.replies();
    let request_nbr = 4;
    assert_eq!(request(&mut workers, request_nbr), 1, "{}", workers.describe());
    let now = workers.replies();
    if let Some(busy) = (0..before.len()).find(|&index| now[index] > before[index] && !workers.dead[index]) {
        workers.kill(busy);
    }
    workers.restarted_from = workers.spawn();
    for sequence in 5..=8 {
        assert!(request(&mut workers, sequence) <= 3, "{}", workers.describe());
    }
    check_restarted_worker_served(&workers);
    // A worker killed while idle: the queue stops hearing its heartbeats
    // and, after HEARTBEAT_LIVENESS * HEARTBEAT_INTERVAL (3 seconds),
    // forgets it, so no request goes to the dead worker. Wait out that
    // expiry, with a second to spare
    let idle = workers.live_one();
    workers.kill(idle);
    std::thread::sleep(4 * SECOND);
    for sequence in 9..=12 {
        let crashes_before = workers.crashes();
        let sent = request(&mut workers, sequence);
        // Only a simulated crash of the worker that took it loses a request
        if workers.crashes() == crashes_before {
            assert_eq!(sent, 1, "request {sequence} went to a dead worker\n{}", workers.describe());
        }
    }
    // The queue is silent; the workers heartbeat it and report nothing bad
    for worker in &workers.all {
        let output = worker.output();
        assert!(!output.contains("E: "), "{output:?}");
    }
    assert!(workers.all.iter().any(|worker| worker.output().contains("I: worker heartbeat")));
    assert_eq!(queue.stop(), "");
}

#[test]
fn ppworker_reconnects_with_backoff_when_the_queue_dies() {
    let _guard = serial();
    let mut queue = Example::start("ppqueue");
    let mut workers = Workers::start("ppworker", 1);
    let mut client = LazyClient::new("tcp://localhost:5555", 6 * SECOND);
    assert_eq!(client.request("1", 1, || {}), Some(1), "{}", workers.describe());
    queue.kill();
    // Three silent heartbeat intervals, then a reconnect after 1 second;
    // still no queue, so the next wait is 2 seconds
    let worker = &mut workers.all[0];
    worker.wait_for_output("two reconnects", 20 * SECOND, |output| output.contains("reconnecting in 2000 msec"));
    let mut queue = Example::start("ppqueue");
    assert!(client.request("2", 3, || {}).is_some(), "{}", workers.describe());
    // The worker prints before it replies, but its output reaches us through a pipe and a reader thread, which
    // may not have read that line yet when the reply is here
    workers.all[0]
        .wait_for_output("its second reply", 5 * SECOND, |output| count_matching(output, "I: normal reply") >= 2);
    let output = workers.all[0].output();
    let failures: Vec<&str> = output.lines().filter(|line| line.starts_with("W: ")).collect();
    assert_eq!(
        failures[..4],
        [
            "W: heartbeat failure, can't reach queue",
            "W: reconnecting in 1000 msec...",
            "W: heartbeat failure, can't reach queue",
            "W: reconnecting in 2000 msec...",
        ],
        "{output:?}"
    );
    // It said READY again on each new socket
    assert!(count_matching(&output, "I: worker ready") >= 3, "{output:?}");
    assert_eq!(count_matching(&output, "I: normal reply"), 2, "{output:?}");
    assert_eq!(queue.stop(), "");
}

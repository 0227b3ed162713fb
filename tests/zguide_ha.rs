//! Scenario tests for the zguide's high-availability patterns (chapter 4):
//! Binary Star, Freelance, the asynchronous Majordomo client, the
//! round-trip demonstrator and Titanic's disconnected requests. Each runs the example ports as processes and puts them under
//! the faults the pattern exists for (a server killed by its pid, servers
//! that never started, a broker restarted), checking what the guide says
//! happens. The harness is in `zguide_support`.

mod zguide_support;

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zguide_support::*;

/// The examples these scenarios run.
const EXAMPLES: &[&str] = &[
    "bstarsrv",
    "bstarsrv2",
    "bstarcli",
    "flserver1",
    "flclient1",
    "flserver2",
    "flclient2",
    "flserver3",
    "flclient3",
    "mdbroker",
    "mdworker",
    "mdclient2",
    "tripping",
    "titanic",
    "ticlient",
];

// ---------------------------------------------------------------------------
// Helpers

/// The sequence numbers in the lines `prefix<n>suffix` of `output`.
fn numbers(output: &str, prefix: &str, suffix: &str) -> Vec<i64> {
    output.lines().filter_map(|line| number_in(line, prefix, suffix)).collect()
}

/// Waits until `example` has printed `line` (a whole line, or the end of
/// one: zclock_log puts the time first).
fn wait_line(example: &mut Example, line: &str, timeout: Duration) {
    example.wait_for_output(line, timeout, |output| output.lines().any(|candidate| candidate.ends_with(line)));
}

/// The output after the first line ending with `line`.
fn after<'a>(output: &'a str, line: &str) -> &'a str {
    match output.find(line) {
        Some(start) => &output[start + line.len()..],
        None => "",
    }
}

// ---------------------------------------------------------------------------
// Binary Star

const REPLIED: (&str, &str) = ("I: server replied OK (", ")");
const FAILING_OVER: &str = "W: no response from server, failing over";

/// Waits until bstarcli has printed `count` replies after `mark` (or from
/// the start when `mark` is empty).
fn wait_replies(client: &mut Example, mark: &str, count: usize, timeout: Duration) {
    client.wait_for_output("replies", timeout, |output| {
        let rest = if mark.is_empty() { output } else { after(output, mark) };
        numbers(rest, REPLIED.0, REPLIED.1).len() >= count
    });
}

/// Primary and backup `server`s (`bstarsrv` prints "ready active", the
/// bstar reactor "ready as active": `as_` is "" or "as ") and a bstarcli.
/// The backup, passive, drops a request while the primary lives; the
/// primary, killed by its pid, stops answering: the client fails over to
/// the backup, whose state goes active on that request, and keeps getting
/// its replies in sequence; the primary, restarted, sees an active peer
/// and goes passive, and the client stays with the backup.
fn binary_star(server: &str, as_: &str) {
    let _guard = serial();
    let mut primary = Example::start_with(server, &["-p"]);
    wait_line(&mut primary, "I: Primary active, waiting for backup (passive)", 10 * SECOND);
    let mut backup = Example::start_with(server, &["-b"]);
    wait_line(&mut primary, &format!("I: connected to backup (passive), ready {as_}active"), 10 * SECOND);
    wait_line(&mut backup, &format!("I: connected to primary (active), ready {as_}passive"), 10 * SECOND);

    // A passive server does not answer clients while its peer lives
    let context = zmq::Context::new();
    let probe = context.socket(zmq::REQ).unwrap();
    probe.set_linger(0).unwrap();
    probe.connect("tcp://127.0.0.1:5002").unwrap();
    probe.send("probe", 0).unwrap();
    assert_eq!(probe.poll(zmq::POLLIN, 1500).unwrap(), 0, "the passive backup answered\n{}", backup.describe());
    drop(probe);

    let mut client = Example::start("bstarcli");
    wait_replies(&mut client, "", 3, 15 * SECOND);
    let before_kill = numbers(&client.output(), REPLIED.0, REPLIED.1).len();
    let killed_at = Instant::now();
    primary.kill();

    // The client's next request goes unanswered; it fails over to the
    // backup, which takes the request as its vote to become active
    let backup_mark = "I: connecting to server at tcp://localhost:5002...";
    wait_replies(&mut client, backup_mark, 1, 20 * SECOND);
    let failover = killed_at.elapsed();
    wait_replies(&mut client, backup_mark, 3, 10 * SECOND);
    let active = format!("I: failover successful, ready {as_}active");
    wait_line(&mut backup, &active, SECOND);

    // The primary comes back: it finds an active backup and goes passive
    let mut restarted = Example::start_with(server, &["-p"]);
    wait_line(&mut restarted, &format!("I: connected to backup (active), ready {as_}passive"), 10 * SECOND);
    let at_restart = numbers(&client.output(), REPLIED.0, REPLIED.1).len();
    client.wait_for_output("replies after the restart", 10 * SECOND, |output| {
        numbers(output, REPLIED.0, REPLIED.1).len() >= at_restart + 3
    });

    let output = client.stop();
    let replied = numbers(&output, REPLIED.0, REPLIED.1);
    let expected: Vec<i64> = (1..=replied.len() as i64).collect();
    assert_eq!(replied, expected, "replies out of sequence: {output:?}");
    assert_eq!(count_lines(&output, FAILING_OVER), 1, "{output:?}");
    assert!(before_kill >= 3 && replied.len() >= before_kill + 6, "{output:?}");
    assert!(!output.contains("E: bad reply"), "{output:?}");
    let served = backup.stop();
    let restarted_output = restarted.stop();
    for output in [&served, &restarted_output, &primary.output()] {
        assert!(!output.contains("fatal error"), "{output:?}");
    }
    assert_eq!(served.lines().filter(|line| line.ends_with(&active)).count(), 1, "{served:?}");
    // The restarted primary stays passive: no line about becoming active
    let became_active = format!("ready {as_}active");
    assert!(!restarted_output.lines().any(|line| line.ends_with(&became_active)), "{restarted_output:?}");
    eprintln!("{server}: {} replies, the first from the backup {failover:?} after the kill", replied.len());
}

#[test]
fn bstarsrv_failover_and_restart() {
    binary_star("bstarsrv", "");
}

#[test]
fn bstarsrv2_failover_and_restart() {
    binary_star("bstarsrv2", "as ");
}

// ---------------------------------------------------------------------------
// Freelance

/// Starts a Freelance server (model 1 or 2) bound at `port` and waits until
/// it says it is ready.
fn fl_server(name: &str, port: u16, ready: &str) -> Example {
    let endpoint = format!("tcp://*:{port}");
    let mut server = Example::start_with(name, &[&endpoint]);
    wait_line(&mut server, &format!("{ready}{endpoint}"), 10 * SECOND);
    server
}

/// A server that was killed by its pid: its port is closed.
fn killed_server(name: &str, port: u16, ready: &str) {
    let mut server = fl_server(name, port, ready);
    server.kill();
}

/// Model 1: flclient1 tries each endpoint once, on a new REQ socket, and
/// stops at the first that answers; with one endpoint it retries it three
/// times.
#[test]
fn flclient1_skips_dead_servers() {
    let _guard = serial();
    let ready = "I: echo service is ready at ";
    killed_server("flserver1", 5555, ready);
    let mut alive = fl_server("flserver1", 5557, ready);
    let endpoints = ["tcp://localhost:5555", "tcp://localhost:5556", "tcp://localhost:5557"];
    let started = Instant::now();
    let output = Example::start_with("flclient1", &endpoints).finish(15 * SECOND);
    let took = started.elapsed();
    let expected = "I: trying echo service at tcp://localhost:5555...\n\
                    W: no response from tcp://localhost:5555\n\
                    I: trying echo service at tcp://localhost:5556...\n\
                    W: no response from tcp://localhost:5556\n\
                    I: trying echo service at tcp://localhost:5557...\n\
                    Service is running OK\n";
    assert_eq!(output, expected);
    // Two timeouts of a second each, then an answer
    assert!(took >= 2 * SECOND, "{took:?}");

    // One endpoint, dead: three tries, no answer
    let output = Example::start_with("flclient1", &["tcp://localhost:5556"]).finish(15 * SECOND);
    let tries =
        "I: trying echo service at tcp://localhost:5556...\nW: no response from tcp://localhost:5556, retrying...\n";
    assert_eq!(output, tries.repeat(3));
    // One endpoint, alive: the first try answers
    let output = Example::start_with("flclient1", &["tcp://localhost:5557"]).finish(15 * SECOND);
    assert_eq!(output, "I: trying echo service at tcp://localhost:5557...\nService is running OK\n");
    alive.stop();
    eprintln!("flclient1: two dead servers, answered after {took:?}");
}

/// The average flclient2 and flclient3 print: "Average round trip cost:
/// N usec" (total msecs / 10).
fn average(output: &str) -> i64 {
    let line = output.lines().last().unwrap_or_default();
    number_in(line, "Average round trip cost: ", " usec").unwrap_or_else(|| panic!("{output:?}"))
}

/// Model 2: flclient2 sends each request to every server through one
/// DEALER and takes the first answer with its sequence number; one server
/// killed and one never started, all 10000 requests are answered. With no
/// server at all it gives up after its 2.5 s global timeout.
#[test]
fn flclient2_survives_dead_servers() {
    let _guard = serial();
    let ready = "I: service is ready at ";
    let mut alive = fl_server("flserver2", 5555, ready);
    let mut doomed = fl_server("flserver2", 5556, ready);
    let endpoints = ["tcp://localhost:5555", "tcp://localhost:5556", "tcp://localhost:5557"];
    let mut client = Example::start_with("flclient2", &endpoints);
    // One server dies while the client runs
    thread_sleep_until(&mut client, 300);
    doomed.kill();
    let output = client.finish(120 * SECOND);
    assert!(!output.contains("E: name service not available"), "{output:?}");
    let usec = average(&output);
    assert!(alive.is_running(), "{}", alive.describe());
    let served = alive.stop();
    assert!(!served.contains("E: invalid request"), "{served:?}");

    // Nobody answers: the first request fails after the global timeout
    let started = Instant::now();
    let output =
        Example::start_with("flclient2", &["tcp://localhost:5556", "tcp://localhost:5557"]).finish(15 * SECOND);
    let took = started.elapsed();
    assert!(output.starts_with("E: name service not available, aborting\n"), "{output:?}");
    assert!(took >= Duration::from_millis(2500), "{took:?}");
    eprintln!("flclient2: 10000 requests, one server killed, one never started: {usec} usec each (C's /10)");
}

/// Waits `msecs` while `example` runs (it must not exit meanwhile).
fn thread_sleep_until(example: &mut Example, msecs: u64) {
    let deadline = Instant::now() + Duration::from_millis(msecs);
    while Instant::now() < deadline {
        assert!(example.is_running(), "{}", example.describe());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Model 3: flclient3's agent connects to three servers and sends each
/// request to the first it believes alive; with only flserver3 (which the
/// guide binds at 5555) running and 5556, 5557 never started, every
/// request is answered. When that server is killed by its pid, the
/// pending request fails after the 3 s global timeout and the client
/// aborts, as the guide describes.
#[test]
fn flclient3_survives_dead_servers() {
    let _guard = serial();
    let mut server = Example::start("flserver3");
    wait_line(&mut server, "I: service is ready at tcp://*:5555", 10 * SECOND);
    let output = Example::start("flclient3").finish(120 * SECOND);
    let connecting: String =
        (5555..=5557).map(|port| format!("I: connecting to tcp://localhost:{port}...\n")).collect();
    assert!(output.starts_with(&connecting), "{output:?}");
    assert!(!output.contains("E: name service not available"), "{output:?}");
    let usec = average(&output);

    // Kill the only server mid-run
    let mut client = Example::start_env("flclient3", &[], &[("FLCLIENT_REQUESTS", "100000000")]);
    thread_sleep_until(&mut client, 1000);
    server.kill();
    let killed_at = Instant::now();
    let output = client.finish(20 * SECOND);
    let took = killed_at.elapsed();
    assert!(output.contains("\nE: name service not available, aborting\n"), "{output:?}");
    assert!(took >= 2 * SECOND, "{took:?}");
    eprintln!(
        "flclient3: 10000 requests, two servers never started: {usec} usec each; aborted {took:?} after the kill"
    );
}

// ---------------------------------------------------------------------------
// Asynchronous Majordomo client, round trips

/// Starts mdbroker and `workers` mdworkers and waits until the broker
/// has them all: an `mmi.service` lookup for "echo" answers 200.
fn majordomo(workers: usize) -> (Example, Vec<Example>) {
    let broker = Example::start("mdbroker");
    let workers: Vec<Example> = (0..workers).map(|_| Example::start("mdworker")).collect();
    let context = zmq::Context::new();
    let deadline = Instant::now() + 10 * SECOND;
    loop {
        let client = context.socket(zmq::REQ).unwrap();
        client.set_linger(0).unwrap();
        client.set_rcvtimeo(1000).unwrap();
        client.connect("tcp://127.0.0.1:5555").unwrap();
        client.send_multipart(["MDPC01", "mmi.service", "echo"], 0).unwrap();
        if let Ok(reply) = client.recv_multipart(0) {
            if reply.last().is_some_and(|code| code == b"200") {
                break;
            }
        }
        assert!(Instant::now() < deadline, "no echo worker registered");
        std::thread::sleep(Duration::from_millis(100));
    }
    (broker, workers)
}

/// mdclient2 sends all its requests through a DEALER before it reads a
/// reply; with two echo workers all 10000 come back. A worker killed by
/// its pid mid-run loses what the broker gave it and the requests still
/// queued for the service: as the guide says, the asynchronous client does
/// not recover them; it waits its 2.5 s timeout, reports how many replies
/// it got, and exits cleanly.
#[test]
fn mdclient2_asynchronous() {
    let _guard = serial();
    let (mut broker, mut workers) = majordomo(2);
    let started = Instant::now();
    let output = Example::start_env("mdclient2", &[], &[("MDCLIENT_REQUESTS", "10000")]).finish(120 * SECOND);
    let took = started.elapsed();
    assert_eq!(output, "10000 replies received\n");
    workers.truncate(1);

    let mut client = Example::start("mdclient2");
    thread_sleep_until(&mut client, 500);
    workers[0].kill();
    let killed_at = Instant::now();
    let output = client.finish(60 * SECOND);
    let after_kill = killed_at.elapsed();
    let replies = number_in(output.trim_end(), "", " replies received").unwrap_or_else(|| panic!("{output:?}"));
    assert!((1..100000).contains(&replies), "{output:?}");
    assert!(after_kill >= Duration::from_millis(2500), "{after_kill:?}");
    broker.stop();
    eprintln!(
        "mdclient2: 10000 requests in {took:?}; worker killed: {replies} of 100000 replies, exit {after_kill:?} later"
    );
}

/// tripping runs its client, broker and worker in one process and prints
/// the synchronous and asynchronous round-trip rates.
#[test]
fn tripping_round_trips() {
    let _guard = serial();
    let output = Example::start("tripping").finish(120 * SECOND);
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 5, "{output:?}");
    assert_eq!(lines[..2], ["Setting up test...", "Synchronous round-trip test..."], "{output:?}");
    assert_eq!(lines[3], "Asynchronous round-trip test...", "{output:?}");
    let synchronous = number_in(lines[2], " ", " calls/second").unwrap_or_else(|| panic!("{output:?}"));
    let asynchronous = number_in(lines[4], " ", " calls/second").unwrap_or_else(|| panic!("{output:?}"));
    assert!(synchronous > 0 && asynchronous > 0, "{output:?}");
    eprintln!("tripping: {synchronous} synchronous, {asynchronous} asynchronous calls/second");
}

// ---------------------------------------------------------------------------
// Titanic

/// An example run with `dir` as its current directory (titanic keeps its
/// queue in `./.titanic`); killed by its pid when dropped.
struct InDir {
    child: Child,
    stdout: Arc<Captured>,
}

impl InDir {
    fn start(name: &str, dir: &Path) -> InDir {
        let mut command = Command::new(examples_dir().join(name));
        command.current_dir(dir).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
        // SAFETY: the pre-exec closure only calls prctl, which is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = command.spawn().unwrap_or_else(|error| panic!("starting {name}: {error}"));
        let (stdout, _reader) = collect(child.stdout.take().expect("stdout"));
        InDir { child, stdout }
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn output(&self) -> String {
        String::from_utf8_lossy(&self.stdout.get()).into_owned()
    }
}

impl Drop for InDir {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A fresh directory under the temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("{name}-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Polls `ready` every 50 ms until it holds, failing after `timeout`.
fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ready() {
        assert!(Instant::now() < deadline, "no {what} in {timeout:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// ticlient's request reaches titanic while no echo worker exists: titanic
/// saves it in its disk queue and the client hears "pending". Then titanic
/// and the broker are killed by their pids and restarted over the same
/// directory, and an echo worker starts: the restarted titanic finds the
/// request still pending in its queue, has it served, and the client
/// gets its reply and closes the request (its files go, the queue entry
/// is marked done).
#[test]
fn titanic_request_survives_restart() {
    let _guard = serial();
    let dir = TempDir::new("zguide-titanic");
    let mut broker = Example::start("mdbroker");
    let mut titanic = InDir::start("titanic", &dir.0);
    let mut client = Example::start("ticlient");
    client.wait_for_output("the pending answer", 20 * SECOND, |output| {
        output.contains("I: no reply yet, trying again...")
    });
    let printed = client.errors();
    let uuid = printed
        .lines()
        .find_map(|line| line.strip_prefix("I: request UUID [032] "))
        .unwrap_or_else(|| panic!("no UUID: {printed:?}"))
        .to_string();
    assert!(uuid.len() == 32 && uuid.bytes().all(|byte| byte.is_ascii_hexdigit()), "{uuid:?}");
    let queue_dir = dir.0.join(".titanic");
    let request_file = queue_dir.join(format!("{uuid}.req"));
    assert!(request_file.exists(), "no {}", request_file.display());
    assert_eq!(fs::read_to_string(queue_dir.join("queue")).unwrap(), format!("-{uuid}\n"));

    // A UUID titanic could not have made names no file: 400 (Unknown);
    // the real one is 300 (Pending)
    let context = zmq::Context::new();
    let probe = context.socket(zmq::REQ).unwrap();
    probe.set_linger(0).unwrap();
    probe.set_rcvtimeo(10_000).unwrap();
    probe.connect("tcp://127.0.0.1:5555").unwrap();
    for (uuid, code) in [("../../queue", "400"), (uuid.as_str(), "300")] {
        probe.send_multipart(["MDPC01", "titanic.reply", uuid], 0).unwrap();
        let reply = probe.recv_multipart(0).unwrap_or_else(|error| panic!("titanic.reply {uuid}: {error}"));
        assert_eq!(reply, [&b"MDPC01"[..], b"titanic.reply", code.as_bytes()], "{uuid}");
    }
    drop(probe);

    // Titanic and the broker die; the request is on disk only
    titanic.kill();
    broker.kill();
    let mut broker = Example::start("mdbroker");
    let mut titanic = InDir::start("titanic", &dir.0);
    let mut worker = Example::start("mdworker");
    let output = client.finish(40 * SECOND);
    assert!(output.ends_with("Reply: Hello world\n"), "{output:?}");
    assert!(!output.contains("fatal error"), "{output:?}");
    let pending = count_lines(&output, "I: no reply yet, trying again...");
    // titanic.close removed both files; the entry is marked processed
    wait_until("closed request", 5 * SECOND, || !request_file.exists());
    assert!(!queue_dir.join(format!("{uuid}.rep")).exists());
    assert_eq!(fs::read_to_string(queue_dir.join("queue")).unwrap(), format!("+{uuid}\n"));
    assert!(titanic.running(), "titanic exited: {}", titanic.output());
    worker.stop();
    broker.stop();
    eprintln!("titanic: request {uuid} served after a restart; the client heard 'pending' {pending} times");
}

//! Scenario test for the zguide's reliable Clone pattern (chapter 5,
//! model six): `clonesrv6` as a Binary Star pair and `clonecli6` clients
//! over the `clone` class. It runs the ports as processes, kills the
//! primary by its pid and checks what the guide says: the clients' updates
//! reach every client through the active server, the passive backup keeps
//! its copy current, the clients fail over to the backup when the primary
//! stops giving HUGZ, nothing published before the kill is lost, and
//! ephemeral values expire on both sides of the failover, and the primary,
//! restarted, takes its state back from the backup as the passive. A probe in this
//! test subscribes to both publishers and asks the servers for snapshots,
//! as a clone client does, to see the keys (clonecli6 logs only sequence
//! numbers). The harness is in `zguide_support`. A second test drives the
//! clone class itself against a server played by the test.

#[path = "../examples/clone/mod.rs"]
mod clone;
#[path = "../examples/czmq/mod.rs"]
mod czmq;
#[path = "../examples/kvmsg/mod.rs"]
mod kvmsg;
mod zguide_support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use zguide_support::*;

/// The examples this scenario runs.
const EXAMPLES: &[&str] = &["clonesrv6", "clonecli6"];

// ---------------------------------------------------------------------------
// Reading the logs (zclock_log puts "YY-MM-DD HH:MM:SS " first)

/// The message of a zclock_log line, without its time stamp.
fn message(line: &str) -> &str {
    line.get(18..).filter(|_| line.as_bytes().get(17) == Some(&b' ')).unwrap_or(line)
}

/// The numbers in the log lines `<prefix><n>`.
fn logged(output: &str, prefix: &str) -> Vec<i64> {
    output.lines().filter_map(|line| number_in(message(line), prefix, "")).collect()
}

/// The sequence numbers a server published: updates, deletes and pending
/// updates, in order.
fn published(output: &str) -> Vec<i64> {
    let mut numbers = Vec::new();
    for line in output.lines() {
        for kind in ["update=", "delete=", "pending="] {
            numbers.extend(number_in(message(line), &format!("I: publishing {kind}"), ""));
        }
    }
    numbers
}

/// What a clone client at `server` ("tcp://localhost:5556") logged it
/// received from it: the snapshots' sequence numbers and the updates'.
fn received(output: &str, server: &str) -> (Vec<i64>, Vec<i64>) {
    (
        logged(output, &format!("I: received from {server} snapshot=")),
        logged(output, &format!("I: received from {server} update=")),
    )
}

/// Waits until `example` has logged a line whose message is `line`.
fn wait_log(example: &mut Example, line: &str, timeout: Duration) {
    example.wait_for_output(line, timeout, |output| output.lines().any(|candidate| message(candidate) == line));
}

/// `numbers` after `after` and up to `upto`.
fn between(numbers: &[i64], after: i64, upto: i64) -> Vec<i64> {
    numbers.iter().copied().filter(|&number| number > after && number <= upto).collect()
}

/// Checks that a client (or the passive server: the prefixes name its log
/// lines) received every update `publisher` published after the client's
/// snapshot, up to the last one published when this is called (waiting
/// for one if there is none yet).
fn check_follows(publisher: &mut Example, follower: &mut Example, snapshot_prefix: &str, update_prefix: &str) {
    let snapshot = *logged(&follower.output(), snapshot_prefix).first().expect("a snapshot");
    publisher.wait_for_output("an update after the snapshot", 5 * SECOND, |output| {
        published(output).last().is_some_and(|&last| last > snapshot)
    });
    let published = published(&publisher.output());
    let last = *published.last().expect("the server published updates");
    follower
        .wait_for_output(&format!("update={last}"), 5 * SECOND, |output| logged(output, update_prefix).contains(&last));
    let expected = between(&published, snapshot, last);
    assert_eq!(
        between(&logged(&follower.output(), update_prefix), snapshot, last),
        expected,
        "{}",
        follower.describe()
    );
}

// ---------------------------------------------------------------------------
// The probe: a clone client in this process

/// One kvmsg as the servers send it.
#[derive(Clone, Debug)]
struct Update {
    key: String,
    sequence: i64,
    body: Vec<u8>,
    ttl: i64,
}

/// Receives one kvmsg (5 frames); `None` on a timeout.
fn recv_kvmsg(socket: &zmq::Socket) -> Option<Update> {
    let frames = socket.recv_multipart(0).ok()?;
    assert_eq!(frames.len(), 5, "a kvmsg has 5 frames: {frames:?}");
    let props = String::from_utf8_lossy(&frames[3]).into_owned();
    let ttl = props.lines().find_map(|prop| prop.strip_prefix("ttl=")).and_then(|ttl| ttl.parse().ok()).unwrap_or(0);
    let sequence = i64::from_be_bytes(frames[1].as_slice().try_into().expect("an 8-byte sequence"));
    Some(Update { key: String::from_utf8_lossy(&frames[0]).into_owned(), sequence, body: frames[4].clone(), ttl })
}

/// A store as the probe rebuilds it: each key's value and when it expires
/// (`None`: never).
type Replica = BTreeMap<String, (Vec<u8>, Option<Instant>)>;

/// Subscribes to both servers' publishers and keeps what they publish,
/// with when it arrived, until stopped.
struct Probe {
    updates: Arc<Mutex<Vec<(Instant, u16, Update)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Probe {
    fn start(context: &zmq::Context) -> Probe {
        let sockets: Vec<(u16, zmq::Socket)> = [5557, 5567]
            .into_iter()
            .map(|port| {
                let socket = context.socket(zmq::SUB).unwrap();
                socket.set_linger(0).unwrap();
                socket.set_subscribe(b"").unwrap();
                socket.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
                (port, socket)
            })
            .collect();
        let updates = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (sink, stopped) = (Arc::clone(&updates), Arc::clone(&stop));
        let thread = thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                let mut items: Vec<zmq::PollItem> =
                    sockets.iter().map(|(_, socket)| socket.as_poll_item(zmq::POLLIN)).collect();
                zmq::poll(&mut items, 100).unwrap();
                let ready: Vec<bool> = items.iter().map(zmq::PollItem::is_readable).collect();
                for ((port, socket), ready) in sockets.iter().zip(ready) {
                    if ready {
                        let update = recv_kvmsg(socket).expect("a kvmsg");
                        sink.lock().unwrap().push((Instant::now(), *port, update));
                    }
                }
            }
        });
        Probe { updates, stop, thread: Some(thread) }
    }

    /// How many HUGZ came from `port`'s publisher.
    fn hugz_count(&self, port: u16) -> usize {
        self.updates.lock().unwrap().iter().filter(|(_, from, update)| *from == port && update.key == "HUGZ").count()
    }

    /// The store the updates make, applied as a client applies them (in
    /// sequence, the HUGZ skipped), each key with its value and when it
    /// expires (`None`: never); and how many updates went in.
    fn replica(&self) -> (Replica, usize) {
        let mut store = BTreeMap::new();
        let (mut sequence, mut applied) = (0, 0);
        for (arrived, _, update) in self.updates.lock().unwrap().iter() {
            if update.key == "HUGZ" || update.sequence <= sequence {
                continue;
            }
            sequence = update.sequence;
            applied += 1;
            let expiry = (update.ttl > 0).then(|| *arrived + Duration::from_secs(update.ttl as u64));
            if update.body.is_empty() {
                store.remove(&update.key);
            } else {
                store.insert(update.key.clone(), (update.body.clone(), expiry));
            }
        }
        (store, applied)
    }

    /// The keys deleted by updates from `port`.
    fn deleted_by(&self, port: u16) -> Vec<String> {
        let updates = self.updates.lock().unwrap();
        updates
            .iter()
            .filter(|(_, from, update)| *from == port && update.key != "HUGZ" && update.body.is_empty())
            .map(|(_, _, update)| update.key.clone())
            .collect()
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Asks the server at `port` for a snapshot of `subtree`, as a clone
/// client does: its keys and values, and the sequence number it ends with.
fn snapshot(context: &zmq::Context, port: u16, subtree: &str) -> (BTreeMap<String, Vec<u8>>, i64) {
    let socket = context.socket(zmq::DEALER).unwrap();
    socket.set_linger(0).unwrap();
    socket.set_rcvtimeo(5000).unwrap();
    socket.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    socket.send_multipart(["ICANHAZ?".as_bytes(), subtree.as_bytes()], 0).unwrap();
    let mut store = BTreeMap::new();
    loop {
        let update = recv_kvmsg(&socket).unwrap_or_else(|| panic!("no snapshot from {port} in 5 s"));
        if update.key == "KTHXBAI" {
            return (store, update.sequence);
        }
        store.insert(update.key, update.body);
    }
}

// ---------------------------------------------------------------------------
// The scenario

#[test]
fn clonesrv6_failover_keeps_the_store() {
    let _guard = serial();
    let context = zmq::Context::new();
    let probe = Probe::start(&context);
    let mut primary = Example::start_with("clonesrv6", &["-p"]);
    wait_log(&mut primary, "I: primary active, waiting for backup (passive)", 10 * SECOND);
    let mut backup = Example::start_with("clonesrv6", &["-b"]);
    wait_log(&mut primary, "I: connected to backup (passive), ready as active", 10 * SECOND);
    wait_log(&mut backup, "I: connected to primary (active), ready as passive", 10 * SECOND);
    // The passive asks the active for its state on its first HUGZ
    wait_log(&mut backup, "I: received snapshot=0", 5 * SECOND);
    let deadline = Instant::now() + 5 * SECOND;
    while probe.hugz_count(5557) == 0 {
        assert!(Instant::now() < deadline, "no HUGZ from the primary's publisher in 5 s");
        thread::sleep(Duration::from_millis(10)); // polling a deadline
    }

    // A request without its subtree frame (clonecli2's one-frame ICANHAZ?)
    // is refused, and the primary goes on with its HUGZ
    let bad = context.socket(zmq::DEALER).unwrap();
    bad.set_linger(0).unwrap();
    bad.connect("tcp://127.0.0.1:5556").unwrap();
    bad.send("ICANHAZ?", 0).unwrap();
    wait_log(&mut primary, "E: bad request, aborting", 5 * SECOND);
    let hugz = probe.hugz_count(5557);
    let deadline = Instant::now() + 3 * SECOND;
    while probe.hugz_count(5557) < hugz + 2 {
        assert!(Instant::now() < deadline, "the primary stopped its HUGZ after a bad request\n{}", primary.describe());
        thread::sleep(Duration::from_millis(10)); // polling a deadline
    }
    drop(bad);

    // Two clients, each setting a value a second through the active primary
    const PRIMARY: &str = "tcp://localhost:5556";
    const BACKUP: &str = "tcp://localhost:5566";
    let mut clients = [Example::start("clonecli6"), Example::start("clonecli6")];
    for client in &mut clients {
        wait_log(client, &format!("I: received from {PRIMARY} snapshot=0"), 10 * SECOND);
    }
    // An ephemeral value expires: the primary publishes its deletion,
    // which reaches both clients (clonecli6's second value lives 5 s)
    primary.wait_for_output("a delete", 20 * SECOND, |output| !logged(output, "I: publishing delete=").is_empty());
    primary.wait_for_output("12 updates", 20 * SECOND, |output| published(output).len() >= 12);
    let client_snapshot = format!("I: received from {PRIMARY} snapshot=");
    let client_update = format!("I: received from {PRIMARY} update=");
    for client in &mut clients {
        check_follows(&mut primary, client, &client_snapshot, &client_update);
    }
    let deletes = logged(&primary.output(), "I: publishing delete=");
    for client in &clients {
        let (_, updates) = received(&client.output(), PRIMARY);
        assert!(deletes.iter().all(|delete| updates.contains(delete)), "{deletes:?}\n{}", client.describe());
    }
    // The passive applies every update the active published
    check_follows(&mut primary, &mut backup, "I: received snapshot=", "I: received update=");
    assert!(published(&backup.output()).is_empty(), "the passive published\n{}", backup.describe());

    // Kill the primary: the clients hear no HUGZ for 5 s and fail over;
    // the first snapshot request makes the backup active
    let before_kill = published(&primary.output());
    primary.kill();
    let killed_at = Instant::now();
    wait_log(&mut backup, "I: failover successful, ready as active", 15 * SECOND);
    let failover = killed_at.elapsed();
    for client in &mut clients {
        wait_log(client, &format!("I: server at {PRIMARY} didn't give HUGZ"), 10 * SECOND);
        client.wait_for_output("a snapshot from the backup", 10 * SECOND, |output| {
            !received(output, BACKUP).0.is_empty()
        });
    }
    // What the clients set while no server was active waited on the
    // backup's pending list, and is published now
    assert!(logged(&backup.output(), "I: publishing pending=").len() >= 4, "{}", backup.describe());
    // The backup's sequence carries on from the primary's
    let backup_published = published(&backup.output());
    let last_before = *before_kill.last().unwrap();
    assert!(backup_published.first().is_some_and(|&first| first > last_before), "{}", backup.describe());

    // A late client: it finds the primary silent and gets its snapshot
    // from the backup
    let mut late = Example::start("clonecli6");
    wait_log(&mut late, &format!("I: server at {PRIMARY} didn't give HUGZ"), 10 * SECOND);
    late.wait_for_output("a snapshot from the backup", 10 * SECOND, |output| !received(output, BACKUP).0.is_empty());
    let backup_snapshot = format!("I: received from {BACKUP} snapshot=");
    let backup_update = format!("I: received from {BACKUP} update=");
    for client in clients.iter_mut().chain([&mut late]) {
        check_follows(&mut backup, client, &backup_snapshot, &backup_update);
    }

    // No update published before the kill is lost: the backup's snapshot
    // holds the store the published updates make, but for values that
    // expire within 2 s of it
    let asked_at = Instant::now();
    let (store, sequence) = snapshot(&context, 5566, "/client/");
    let (replica, applied) = probe.replica();
    let margin = 2 * SECOND;
    let (mut present, mut absent) = (0, 0);
    for (key, (value, expiry)) in &replica {
        match expiry {
            Some(expiry) if *expiry < asked_at + margin && *expiry + margin > asked_at => continue,
            Some(expiry) if *expiry <= asked_at => {
                assert!(!store.contains_key(key), "{key} expired but is in the snapshot");
                absent += 1;
            }
            _ => {
                assert_eq!(store.get(key), Some(value), "{key} in the snapshot (seq {sequence}): {store:?}");
                present += 1;
            }
        }
    }
    for key in store.keys() {
        assert!(replica.contains_key(key), "{key} is in the snapshot but was deleted or never set");
    }
    assert!(present >= 5, "only {present} keys to compare: {replica:?}");
    // The backup expires values the primary had stored
    backup.wait_for_output("a delete", 20 * SECOND, |output| !logged(output, "I: publishing delete=").is_empty());
    assert!(!probe.deleted_by(5567).is_empty());

    // The primary comes back: it finds an active backup, goes passive and
    // takes its state from the backup, then follows its updates
    let mut restarted = Example::start_with("clonesrv6", &["-p"]);
    wait_log(&mut restarted, "I: connected to backup (active), ready as passive", 10 * SECOND);
    wait_log(&mut restarted, "I: asking for snapshot from: tcp://localhost:5566", 5 * SECOND);
    restarted.wait_for_output("a snapshot", 5 * SECOND, |output| !logged(output, "I: received snapshot=").is_empty());
    check_follows(&mut backup, &mut restarted, "I: received snapshot=", "I: received update=");
    let resynced = restarted.stop();
    assert!(published(&resynced).is_empty(), "the passive published\n{resynced}");

    let outputs: Vec<String> = clients.iter_mut().chain([&mut late]).map(Example::stop).collect();
    let served = backup.stop();
    for output in [&served, &resynced, &primary.output()] {
        assert!(!output.contains("fatal error"), "{output}");
    }
    eprintln!(
        "clonesrv6: {} updates before the kill ({} deletes); failover {failover:?} after it; {} published by the \
         backup ({} pending, {} deletes); \
         snapshot seq {sequence} with {} keys ({present} checked present, {absent} expired), {applied} updates \
         applied by the probe; clients logged {:?} lines",
        before_kill.len(),
        deletes.len(),
        published(&served).len(),
        logged(&served, "I: publishing pending=").len(),
        logged(&served, "I: publishing delete=").len(),
        store.len(),
        outputs.iter().map(|output| output.lines().count()).collect::<Vec<_>>(),
    );
}

// ---------------------------------------------------------------------------
// The clone class against a server played by this test

/// A server's three sockets (snapshot ROUTER on `port`, publisher on
/// `port + 1`, collector on `port + 2`), on the first free run of three
/// local ports from a base this process picks.
fn fake_server(context: &zmq::Context) -> (u16, zmq::Socket, zmq::Socket, zmq::Socket) {
    let first = 20000 + (std::process::id() % 2000) as u16 * 10;
    for port in (first..first + 2000).step_by(3) {
        let sockets = [zmq::ROUTER, zmq::PUB, zmq::SUB].map(|kind| {
            let socket = context.socket(kind).unwrap();
            socket.set_linger(0).unwrap();
            socket.set_rcvtimeo(10_000).unwrap();
            socket
        });
        let bound =
            sockets.iter().zip(port..).all(|(socket, port)| socket.bind(&format!("tcp://127.0.0.1:{port}")).is_ok());
        if bound {
            let [snapshot, publisher, collector] = sockets;
            collector.set_subscribe(b"").unwrap();
            return (port, snapshot, publisher, collector);
        }
    }
    panic!("no three free ports from {first}");
}

/// Sends a kvmsg's five frames after `envelope` (a ROUTER's identity).
fn send_kvmsg(socket: &zmq::Socket, envelope: &[Vec<u8>], key: &str, sequence: i64, body: &str) {
    let sequence = sequence.to_be_bytes();
    let frames: Vec<&[u8]> =
        envelope.iter().map(Vec::as_slice).chain([key.as_bytes(), &sequence, b"", b"", body.as_bytes()]).collect();
    socket.send_multipart(frames, 0).unwrap();
}

/// Reads a snapshot request: the requester's identity and its subtree.
fn recv_icanhaz(snapshot: &zmq::Socket) -> (Vec<u8>, Vec<u8>) {
    let frames = snapshot.recv_multipart(0).expect("a snapshot request in 10 s");
    assert_eq!(frames.len(), 3, "{frames:?}");
    assert_eq!(frames[1], b"ICANHAZ?");
    (frames[0].clone(), frames[2].clone())
}

/// `clone_get` until it returns `expected` (the agent applies what the
/// server sends in its own time), failing after 10 s.
fn wait_value(clone: &clone::CloneClient, key: &str, expected: &str) {
    let deadline = Instant::now() + 10 * SECOND;
    loop {
        let value = clone::clone_get(clone, key).unwrap();
        if value.as_deref() == Some(expected.as_bytes()) {
            return;
        }
        assert!(Instant::now() < deadline, "{key} is {value:?}, not {expected:?}, after 10 s");
        thread::sleep(Duration::from_millis(10)); // polling a deadline
    }
}

/// The clone class: it asks for a snapshot of its subtree, stores the
/// snapshot and the updates that follow it (dropping those it already
/// has), sends what the application sets to the server's collector with
/// a UUID and its TTL, answers GET from its copy, and asks again when its
/// only server has been silent for 5 s.
#[test]
fn clone_class_follows_a_server() {
    // clone_get waits for the agent's reply: a stuck agent must not hang the run
    let done = Arc::new(AtomicBool::new(false));
    let finished = Arc::clone(&done);
    thread::spawn(move || {
        thread::sleep(60 * SECOND);
        if !finished.load(Ordering::SeqCst) {
            eprintln!("clone_class_follows_a_server: no progress in 60 s");
            std::process::abort();
        }
    });
    let context = zmq::Context::new();
    let (port, snapshot, publisher, collector) = fake_server(&context);
    let clone = clone::clone_new().unwrap();
    clone::clone_subtree(&clone, "/t/").unwrap();
    clone::clone_connect(&clone, "tcp://127.0.0.1", &port.to_string()).unwrap();

    let (identity, subtree) = recv_icanhaz(&snapshot);
    assert_eq!(subtree, b"/t/");
    let envelope = [identity];
    send_kvmsg(&snapshot, &envelope, "/t/a", 1, "one");
    send_kvmsg(&snapshot, &envelope, "KTHXBAI", 5, "");
    wait_value(&clone, "/t/a", "one");
    assert_eq!(clone::clone_get(&clone, "/t/unknown").unwrap(), Some(Vec::new()));

    // Updates after the snapshot's sequence are applied, older ones dropped; a malformed message from the
    // server (three frames, then a sequence of 7 bytes) is dropped and the agent goes on
    publisher.send_multipart(["/t/x", "", ""], 0).unwrap();
    publisher.send_multipart([&b"/t/x"[..], b"1234567", b"", b"", b"bad"], 0).unwrap();
    send_kvmsg(&publisher, &[], "/t/a", 4, "stale");
    send_kvmsg(&publisher, &[], "/t/b", 6, "two");
    send_kvmsg(&publisher, &[], "/t/a", 7, "");
    wait_value(&clone, "/t/a", "");
    wait_value(&clone, "/t/b", "two");
    assert_eq!(clone::clone_get(&clone, "/t/x").unwrap(), Some(Vec::new()));

    // A value set by the application goes to the collector, and is there
    // to read at once
    let set_at = Instant::now();
    clone::clone_set(&clone, "/t/c", "three", 7).unwrap();
    assert_eq!(clone::clone_get(&clone, "/t/c").unwrap(), Some(b"three".to_vec()));
    // The agent's PUB drops what it sends before it has taken the
    // collector's subscription in, which it may do only on its first send
    // (the C's does the same): set again until one arrives
    let mut sets = 1;
    while collector.poll(zmq::POLLIN, 200).unwrap() == 0 {
        assert!(set_at.elapsed() < 3 * SECOND, "no update at the collector after {sets} sets");
        clone::clone_set(&clone, "/t/c", "three", 7).unwrap();
        sets += 1;
    }
    let frames = collector.recv_multipart(0).expect("the update at the collector in 10 s");
    assert_eq!(frames.len(), 5, "{frames:?}");
    assert_eq!((&frames[0][..], &frames[3][..], &frames[4][..]), (&b"/t/c"[..], &b"ttl=7\n"[..], &b"three"[..]));
    assert_eq!(frames[2].len(), 16, "a UUID: {frames:?}");

    // No HUGZ: after 5 s the agent asks its server for a snapshot again
    let (_, subtree) = recv_icanhaz(&snapshot);
    let silent = set_at.elapsed();
    assert_eq!(subtree, b"/t/");
    assert!(silent >= 4 * SECOND && silent < 9 * SECOND, "asked again after {silent:?}");
    clone::clone_destroy(clone);
    done.store(true, Ordering::SeqCst);
    eprintln!("clone class: {sets} set(s) until one reached the collector; asked for a new snapshot {silent:?} after the server went silent");
}

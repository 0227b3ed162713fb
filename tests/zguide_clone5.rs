//! Scenario tests for the zguide's Clone pattern, model five (chapter 5):
//! `clonesrv5` with its `clonecli5` clients, and the kvmsg class's own test
//! program `tstkvmsg`. Besides the example clients, the test itself speaks
//! the Clone protocol (through the same `kvmsg` module) to check what the
//! examples do not print: that the server's snapshot and its stream of
//! updates give every client the same state, that ephemeral values expire,
//! and that bad input changes nothing. The harness is in `zguide_support`.

#[path = "../examples/czmq/mod.rs"]
mod czmq;
#[path = "../examples/kvmsg/mod.rs"]
mod kvmsg;
mod zguide_support;

use kvmsg::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use zguide_support::*;

/// The examples these scenarios run.
const EXAMPLES: &[&str] = &["tstkvmsg", "clonesrv5", "clonecli5"];

#[test]
fn tstkvmsg_passes_its_self_test() {
    let _guard = serial();
    let mut test = Example::start_with("tstkvmsg", &["-v"]);
    assert_eq!(test.finish(10 * SECOND), " * kvmsg: OK\n");
    let dumps = test.errors();
    assert_eq!(dumps.lines().count(), 4, "{dumps}");
    assert!(dumps.starts_with("[seq:1][key:key][size:4] 626F6479\n"), "{dumps}");
    assert!(dumps.ends_with("[seq:2][key:key][size:4] [prop1=value1;prop2=value2;]626F6479\n"), "{dumps}");
}

// ---------------------------------------------------------------------------
// The test's own Clone client

/// Key to body: what a client's hash map holds.
type State = BTreeMap<Vec<u8>, Vec<u8>>;

/// A Clone client in the test: a subscriber whose subscription is known to
/// be live, a collector push socket and snapshot requests.
struct Probe {
    context: zmq::Context,
    subscriber: zmq::Socket,
    publisher: zmq::Socket,
}

impl Probe {
    fn new() -> Probe {
        let context = zmq::Context::new();
        let subscriber = context.socket(zmq::SUB).unwrap();
        subscriber.set_rcvtimeo(10_000).unwrap();
        subscriber.set_subscribe(b"").unwrap();
        subscriber.connect("tcp://localhost:5557").unwrap();
        let publisher = context.socket(zmq::PUSH).unwrap();
        publisher.set_sndtimeo(10_000).unwrap();
        publisher.connect("tcp://localhost:5558").unwrap();
        Probe { context, subscriber, publisher }
    }

    /// Sends updates until one comes back on the subscriber: from then on
    /// nothing the server publishes is missed. Returns that update.
    fn wait_subscribed(&self) -> KvMsg {
        let deadline = Instant::now() + 10 * SECOND;
        loop {
            self.set(b"/probe/hello", b"1", 0);
            let mut items = [self.subscriber.as_poll_item(zmq::POLLIN)];
            zmq::poll(&mut items, 100).unwrap();
            if items[0].is_readable() {
                return kvmsg_recv(&self.subscriber).expect("an update").expect("a well-formed update");
            }
            assert!(Instant::now() < deadline, "no update came back from clonesrv5");
        }
    }

    fn set(&self, key: &[u8], body: &[u8], ttl: i32) {
        let mut kvmsg = kvmsg_new(0);
        kvmsg_set_key(&mut kvmsg, key);
        kvmsg_set_body(&mut kvmsg, body);
        kvmsg_set_prop(&mut kvmsg, "ttl", "%d", &[&ttl]);
        kvmsg_send(&mut kvmsg, &self.publisher).unwrap();
    }

    /// The server's snapshot of `subtree`: its state and sequence number.
    fn snapshot(&self, subtree: &str) -> (State, i64) {
        let snapshot = self.context.socket(zmq::DEALER).unwrap();
        snapshot.set_rcvtimeo(10_000).unwrap();
        snapshot.set_linger(0).unwrap();
        snapshot.connect("tcp://localhost:5556").unwrap();
        snapshot.send_multipart([&b"ICANHAZ?"[..], subtree.as_bytes()], 0).unwrap();
        let mut state = State::new();
        loop {
            let kvmsg = kvmsg_recv(&snapshot).expect("a snapshot message").expect("well-formed");
            let key = kvmsg_key(&kvmsg).unwrap().to_vec();
            if key == b"KTHXBAI" {
                return (state, kvmsg_sequence(&kvmsg));
            }
            assert!(key.starts_with(subtree.as_bytes()), "{key:?} outside {subtree}");
            assert!(kvmsg_size(&kvmsg) > 0, "a deleted key in the snapshot");
            state.insert(key, kvmsg_body(&kvmsg).unwrap().to_vec());
        }
    }

    /// The next update on the subscriber.
    fn update(&self) -> KvMsg {
        kvmsg_recv(&self.subscriber).expect("an update within 10 s").expect("well-formed")
    }
}

/// Applies an update to a state as `kvmsg_store` does.
fn apply(state: &mut State, kvmsg: &KvMsg) {
    let key = kvmsg_key(kvmsg).unwrap().to_vec();
    match kvmsg_body(kvmsg) {
        Some(body) if !body.is_empty() => state.insert(key, body.to_vec()),
        _ => state.remove(&key),
    };
}

/// The numbers in a client's "I: received update=N" lines.
fn updates(output: &str) -> Vec<i64> {
    output.lines().filter_map(|line| number_in(line, "I: received update=", "")).collect()
}

/// The number in a client's "I: received snapshot=N" line.
fn snapshot_of(output: &str) -> Option<i64> {
    output.lines().find_map(|line| number_in(line, "I: received snapshot=", ""))
}

/// The sequence number of the server's last "publishing" log line.
fn published(output: &str) -> i64 {
    output
        .lines()
        .filter_map(|line| line.split_once("I: publishing ").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split_once('=').and_then(|(_, n)| n.parse().ok()))
        .max()
        .unwrap_or(0)
}

/// Checks that a client printed a snapshot and then, from its first
/// update on, every update in order without a gap, up to at least `upto`.
fn check_client(name: &str, output: &str, upto: i64) -> (i64, Vec<i64>) {
    let snapshot = snapshot_of(output).unwrap_or_else(|| panic!("{name} printed no snapshot:\n{output}"));
    let updates = updates(output);
    assert!(!updates.is_empty() && updates[0] > snapshot, "{name}: snapshot {snapshot}, updates {updates:?}");
    assert!(updates.windows(2).all(|pair| pair[1] == pair[0] + 1), "{name} skipped or repeated an update: {updates:?}");
    assert!(*updates.last().unwrap() >= upto, "{name}: {updates:?} stops before {upto}");
    (snapshot, updates)
}

#[test]
fn clonecli5_clients_share_one_state_and_a_late_client_starts_from_the_snapshot() {
    let _guard = serial();
    let mut server = Example::start("clonesrv5");
    let probe = Probe::new();
    let first = probe.wait_subscribed();
    let mut stream = State::new();
    apply(&mut stream, &first);
    let mut last = kvmsg_sequence(&first);

    // Two clients each set a random value a second; each sees its own and
    // the other's updates
    let mut clients = [Example::start("clonecli5"), Example::start("clonecli5")];
    for client in &mut clients {
        client.wait_for_output("its snapshot", 10 * SECOND, |output| snapshot_of(output).is_some());
    }
    let target = last + 6;
    while last < target {
        let kvmsg = probe.update();
        assert_eq!(kvmsg_sequence(&kvmsg), last + 1, "the probe missed an update");
        last = kvmsg_sequence(&kvmsg);
        apply(&mut stream, &kvmsg);
    }
    for client in &mut clients {
        client.wait_for_output("the updates", 10 * SECOND, |output| updates(output).last() >= Some(&target));
    }

    // A client started now gets the state so far as a snapshot, then the
    // updates that follow it
    let before = last;
    let mut late = Example::start("clonecli5");
    late.wait_for_output("its snapshot", 10 * SECOND, |output| snapshot_of(output).is_some());
    let late_target = target + 4;
    late.wait_for_output("updates", 15 * SECOND, |output| updates(output).last() >= Some(&late_target));
    let (late_snapshot, _) = check_client("the late client", &late.output(), late_target);
    assert!(late_snapshot >= before, "snapshot {late_snapshot} older than the {before} updates before it started");
    for (index, client) in clients.iter_mut().enumerate() {
        client.wait_for_output("the updates", 10 * SECOND, |output| updates(output).last() >= Some(&late_target));
        check_client(&format!("client {index}"), &client.output(), late_target);
    }

    // The clients stop on SIGINT and say how far they got
    let mut last_seen = Vec::new();
    for client in clients.iter_mut().chain([&mut late]) {
        client.signal(libc::SIGINT);
        let output = client.finish(10 * SECOND);
        let seen = *updates(&output).last().unwrap();
        assert!(output.ends_with(&format!(" Interrupted\n{seen} messages in\n")), "{output}");
        last_seen.push(seen);
    }

    // With the clients gone only expiries change the state: the server's
    // snapshot equals the stream of updates replayed to the same sequence
    let (snapshot, sequence) = probe.snapshot("");
    while last < sequence {
        let kvmsg = probe.update();
        assert_eq!(kvmsg_sequence(&kvmsg), last + 1, "the probe missed an update");
        last = kvmsg_sequence(&kvmsg);
        apply(&mut stream, &kvmsg);
    }
    assert_eq!(last, sequence);
    assert_eq!(snapshot, stream, "snapshot at {sequence} differs from the replayed updates");
    assert!(snapshot.len() >= 3, "{snapshot:?}");
    let log = server.stop();
    assert!(published(&log) >= sequence, "{log}");
    assert!(log.contains("I: sending shapshot="), "{log}");
    eprintln!(
        "clone model 5: clients saw updates up to {last_seen:?}; snapshot {sequence} holds {} keys",
        snapshot.len()
    );
}

#[test]
fn clonesrv5_expires_ephemeral_values_and_survives_bad_input() {
    let _guard = serial();
    let mut server = Example::start("clonesrv5");
    let probe = Probe::new();
    probe.wait_subscribed();

    // Bad input: a short message to the collector, a bad snapshot request
    probe.publisher.send_multipart([&b"/probe/short"[..], b"x"], 0).unwrap();
    let bad = probe.context.socket(zmq::DEALER).unwrap();
    bad.set_linger(0).unwrap();
    bad.connect("tcp://localhost:5556").unwrap();
    bad.send("HELLO", 0).unwrap();
    server.wait_for_output("the bad request", 10 * SECOND, |output| output.contains("E: bad request, aborting\n"));
    // An ICANHAZ? without its subtree frame (as model 2's client sends it): the C waits for the missing frame
    // and its reactor stops; the port refuses it and goes on
    bad.send("ICANHAZ?", 0).unwrap();
    server.wait_for_output("a second bad request", 10 * SECOND, |output| {
        count_lines(output, "E: bad request, aborting") == 2
    });

    // A value with a TTL of one second and one without
    probe.set(b"/probe/ephemeral", b"soon gone", 1);
    probe.set(b"/probe/durable", b"stays", 0);
    let mut set_at = None;
    let deleted = loop {
        let kvmsg = probe.update();
        let key = kvmsg_key(&kvmsg).unwrap().to_vec();
        assert_ne!(key, b"/probe/short", "the short message was published");
        match (&key[..], kvmsg_size(&kvmsg)) {
            (b"/probe/ephemeral", 0) => break kvmsg,
            (b"/probe/ephemeral", _) => {
                // Clients get the TTL as it was set, in seconds
                assert_eq!(kvmsg_get_prop(&kvmsg, "ttl"), b"1");
                set_at = Some(Instant::now());
            }
            _ => {}
        }
    };
    let lived = set_at.expect("the ephemeral value was published").elapsed();
    assert!(lived >= Duration::from_millis(900) && lived < 3 * SECOND, "expired after {lived:?}");
    let (state, sequence) = probe.snapshot("/probe/");
    assert_eq!(kvmsg_sequence(&deleted), sequence);
    assert!(!state.contains_key(&b"/probe/ephemeral"[..]), "{state:?}");
    assert_eq!(state.get(&b"/probe/durable"[..]).map(Vec::as_slice), Some(&b"stays"[..]));
    let log = server.stop();
    assert!(log.contains(&format!("I: publishing delete={sequence}\n")), "{log}");
    eprintln!("clone model 5: an entry with a TTL of 1 s was deleted after {lived:?}");
}

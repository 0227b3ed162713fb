//! Scenario tests for the zguide's Clone pattern, models one to four
//! (chapter 5): `clonesrv1`..`4` and `clonecli1`..`4` over `kvsimple`, run
//! as processes. Model one loses what a late client was not there for;
//! model two hands a late client a snapshot and the updates after it;
//! model three has clients publish through the server and converge on one
//! state; model four keeps a client to its subtree. The clients dump their
//! map to stderr as they exit (`CLONE_DUMP`, see `kvsimple::kvmap_dump`).
//! The `kvsimple` class itself is tested in-process. The harness is in
//! `zguide_support`.

mod zguide_support;

#[path = "../examples/czmq/mod.rs"]
mod czmq;
#[path = "../examples/kvsimple/mod.rs"]
mod kvsimple;

use kvsimple::*;
use std::collections::BTreeMap;
use std::fs;
use std::thread;
use std::time::{Duration, Instant};
use zguide_support::*;

/// The examples these scenarios run.
const EXAMPLES: &[&str] = &[
    "clonesrv1",
    "clonecli1",
    "clonesrv2",
    "clonecli2",
    "clonesrv3",
    "clonecli3",
    "clonesrv4",
    "clonecli4",
    "tstkvsimple",
];

/// What a client prints its map with (`CLONE_DUMP` set).
const DUMP: &[(&str, &str)] = &[("CLONE_DUMP", "1")];

// ---------------------------------------------------------------------------
// Helpers

/// One map entry as `kvmsg_dump` prints it: sequence, key, body in hex.
type Entry = (i64, String, String);

/// The entries of a client's map dump (its stderr), keyed by key.
fn dump_of(example: &Example) -> BTreeMap<String, Entry> {
    let mut map = BTreeMap::new();
    for line in example.errors().lines() {
        let parsed = line.strip_prefix("[seq:").and_then(|rest| {
            let (seq, rest) = rest.split_once("][key:")?;
            let (key, rest) = rest.split_once("][size:")?;
            let (_size, body) = rest.split_once("] ")?;
            Some((seq.parse().ok()?, key.to_string(), body.to_string()))
        });
        let entry: Entry = parsed.unwrap_or_else(|| panic!("not a kvmsg_dump line: {line:?}"));
        assert!(map.insert(entry.1.clone(), entry.clone()).is_none(), "key dumped twice: {line:?}");
    }
    map
}

/// The number printed on the line `prefix<n>suffix`, the first such line.
fn number(output: &str, prefix: &str, suffix: &str) -> Option<i64> {
    output.lines().find_map(|line| number_in(line, prefix, suffix))
}

/// All numbers printed on lines `prefix<n>`.
fn numbers(output: &str, prefix: &str) -> Vec<i64> {
    output.lines().filter_map(|line| number_in(line, prefix, "")).collect()
}

/// SIGINTs an example and waits for it to exit cleanly; returns its stdout.
fn interrupt(example: &mut Example) -> String {
    let status = example.interrupt(10 * SECOND);
    assert!(status.success(), "exit after SIGINT: {status}\n{}", example.describe());
    example.output()
}

/// The pids of our child processes running example `name`.
fn child_pids(name: &str) -> Vec<i32> {
    let me = std::process::id().to_string();
    fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|pid: &i32| {
            fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                // pid (comm) state ppid ...
                let after_comm = stat.rsplit_once(") ").map(|(_, rest)| rest).unwrap_or("");
                stat.contains(&format!("({name})")) && after_comm.split(' ').nth(1) == Some(&me)
            })
        })
        .collect()
}

/// The CPU time (clock ticks) process `pid` has used.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let fields: Vec<&str> = stat.rsplit_once(") ").expect("stat").1.split(' ').collect();
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the state
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

/// Waits (up to 20 s) until the processes use no CPU for 300 ms: clients
/// that have applied every update that reached them.
fn wait_idle(pids: &[i32]) {
    let deadline = Instant::now() + 20 * SECOND;
    let total = || pids.iter().map(|&pid| cpu_ticks(pid)).sum::<u64>();
    let mut last = total();
    loop {
        thread::sleep(Duration::from_millis(300)); // sampling the CPU time
        let now = total();
        if now == last {
            return;
        }
        assert!(Instant::now() < deadline, "processes {pids:?} still busy after 20 s");
        last = now;
    }
}

/// Waits until `example` prints a line `prefix<n>` with `n >= at_least`.
fn wait_number(example: &mut Example, prefix: &str, at_least: i64) {
    example.wait_for_output(&format!("{prefix}{at_least}"), 20 * SECOND, |output| {
        numbers(output, prefix).iter().any(|&n| n >= at_least)
    });
}

/// A PUSH socket to the clone server's collector, as a client's publisher.
fn collector_push(ctx: &zmq::Context) -> zmq::Socket {
    let push = ctx.socket(zmq::PUSH).unwrap();
    push.set_sndtimeo(5000).unwrap();
    push.set_linger(5000).unwrap();
    push.connect("tcp://localhost:5558").unwrap();
    push
}

/// Sends a key-value update with `key` and `body` (sequence 0) to `socket`.
fn push_update(socket: &zmq::Socket, key: &str, body: &str) {
    let mut kvmsg = kvmsg_new(0);
    kvmsg_set_key(&mut kvmsg, key);
    kvmsg_set_body(&mut kvmsg, body.as_bytes());
    kvmsg_send(&kvmsg, socket).unwrap();
}

// ---------------------------------------------------------------------------
// The kvsimple class

#[test]
fn kvmsg_self_test_passes() {
    assert_eq!(kvmsg_test(true), 0);
}

#[test]
fn tstkvsimple_runs_the_self_test() {
    let mut test = Example::start_with("tstkvsimple", &["-v"]);
    assert_eq!(test.finish(10 * SECOND), " * kvmsg: OK\n");
    assert_eq!(test.errors(), "[seq:1][key:key][size:4] 626F6479\n".repeat(2), "{}", test.describe());
}

/// A connected PAIR over a fresh inproc endpoint, with receive timeouts.
fn pair(ctx: &zmq::Context, name: &str) -> (zmq::Socket, zmq::Socket) {
    let endpoint = format!("inproc://kvsimple-{name}");
    let (left, right) = (ctx.socket(zmq::PAIR).unwrap(), ctx.socket(zmq::PAIR).unwrap());
    left.bind(&endpoint).unwrap();
    right.connect(&endpoint).unwrap();
    right.set_rcvtimeo(5000).unwrap();
    (left, right)
}

#[test]
fn kvmsg_fields_and_store() {
    let mut kvmsg = kvmsg_new(0x0102_0304_0506_0708);
    assert_eq!(kvmsg_sequence(&kvmsg), 0x0102_0304_0506_0708);
    assert_eq!(kvmsg_key(&kvmsg), None);
    assert_eq!(kvmsg_body(&kvmsg), None);
    assert_eq!(kvmsg_size(&kvmsg), 0);
    let mut kvmap = KvMap::new();
    kvmsg_store(kvmsg.clone(), &mut kvmap);
    assert!(kvmap.is_empty(), "a kvmsg without key and body is not stored");
    kvmsg_fmt_key(&mut kvmsg, "%s%d", &[&"/client/", &42]);
    kvmsg_fmt_body(&mut kvmsg, "%d", &[&123456]);
    assert_eq!(kvmsg_key(&kvmsg), Some(&b"/client/42"[..]));
    assert_eq!(kvmsg_body(&kvmsg), Some(&b"123456"[..]));
    assert_eq!(kvmsg_size(&kvmsg), 6);
    // vsnprintf (value, 255, ...) keeps 254 characters
    kvmsg_fmt_key(&mut kvmsg, "%s", &[&"k".repeat(300)]);
    assert_eq!(kvmsg_key(&kvmsg).map(<[u8]>::len), Some(254));
    kvmsg_set_key(&mut kvmsg, "key");
    kvmsg_store(kvmsg.clone(), &mut kvmap);
    kvmsg_set_sequence(&mut kvmsg, 9);
    kvmsg_store(kvmsg, &mut kvmap);
    assert_eq!(kvmap.len(), 1);
    assert_eq!(kvmsg_sequence(&kvmap[&b"key"[..]]), 9, "a later message replaces the stored one");
}

#[test]
fn kvmsg_recv_drops_malformed_messages_whole() {
    let ctx = zmq::Context::new();
    let (output, input) = pair(&ctx, "malformed");
    // One frame, four frames, a 7-byte sequence, then a good one
    output.send("key", 0).unwrap();
    output.send_multipart(["key", "12345678", "body", "extra"], 0).unwrap();
    output.send_multipart(["key", "1234567", "body"], 0).unwrap();
    let mut good = kvmsg_new(7);
    kvmsg_set_key(&mut good, "key");
    kvmsg_set_body(&mut good, b"body");
    kvmsg_send(&good, &output).unwrap();
    for _ in 0..3 {
        assert!(kvmsg_recv(&input).unwrap().is_none());
    }
    let received = kvmsg_recv(&input).unwrap().expect("the good message after the bad ones");
    assert_eq!(kvmsg_sequence(&received), 7);
    assert_eq!(kvmsg_key(&received), Some(&b"key"[..]));
    assert_eq!(kvmsg_body(&received), Some(&b"body"[..]));
    // Nothing left over: a timeout, as the C's NULL
    input.set_rcvtimeo(100).unwrap();
    assert_eq!(kvmsg_recv(&input).err(), Some(zmq::Error::EAGAIN));
}

// ---------------------------------------------------------------------------
// Model one: publish updates, nothing for a late client

/// clonecli1 runs from the start and stores the updates; a second one
/// started after the first has exited never sees any update published
/// before it existed: every sequence number in its map is above the last
/// one the first client got.
#[test]
fn clone_model_one_late_client_misses_earlier_updates() {
    let _guard = serial();
    let mut early = Example::start_env("clonecli1", &[], DUMP);
    let mut server = Example::start("clonesrv1");
    wait_tcp_connections(5556, 1);
    thread::sleep(Duration::from_millis(500)); // letting updates flow
                                               // clonecli1 sees SIGINT only once it waits for an update: pause the
                                               // server until the client has taken the ones in flight and exited
    server.signal(libc::SIGSTOP);
    let pids = child_pids("clonecli1");
    assert_eq!(pids.len(), 1);
    wait_idle(&pids);
    let early_out = interrupt(&mut early);
    server.signal(libc::SIGCONT);
    let early_in = number(&early_out, "", " messages in").expect("messages in");
    let early_map = dump_of(&early);
    let early_last = early_map.values().map(|entry| entry.0).max().expect("the early client stored updates");
    assert!(early_in > 0 && !early_map.is_empty() && early_map.len() as i64 <= early_in.min(10000));

    let mut late = Example::start_env("clonecli1", &[], DUMP);
    wait_tcp_connections(5556, 1);
    thread::sleep(Duration::from_millis(300)); // letting updates flow
    let server_out = interrupt(&mut server);
    let out = number(&server_out, "", " messages out").expect("messages out");
    let pids = child_pids("clonecli1");
    assert_eq!(pids.len(), 1);
    wait_idle(&pids);
    let late_out = interrupt(&mut late);
    let late_in = number(&late_out, "", " messages in").expect("messages in");
    let late_map = dump_of(&late);
    let late_first = late_map.values().map(|entry| entry.0).min().expect("the late client stored updates");
    println!(
        "model 1: {out} out; early client {early_in} in, {} keys, last seq {early_last}; late client {late_in} in, {} keys, seqs from {late_first}",
        early_map.len(),
        late_map.len()
    );
    assert!(late_first > early_last, "the late client holds an update from before it started");
    assert!(late_in > 0 && late_in < out);
}

// ---------------------------------------------------------------------------
// Model two: a snapshot, then the updates after it

/// A clonecli2 started after the server has published for a while gets a
/// snapshot of its state ("Received snapshot=N", N above what an earlier
/// client got), then applies the updates after N: stopped soon after, it
/// holds every one of the server's 10000 keys, some still as the snapshot
/// gave them (sequence up to N: it takes no update at or below N from its
/// subscriber), the others updated since.
#[test]
fn clone_model_two_late_client_gets_the_snapshot_then_updates() {
    let _guard = serial();
    let mut server = Example::start("clonesrv2");
    let mut first = Example::start_env("clonecli2", &[], DUMP);
    first.wait_for_output("its snapshot", 10 * SECOND, |output| output.starts_with("Received snapshot="));
    thread::sleep(Duration::from_millis(500)); // letting updates flow
    let first_out = interrupt(&mut first);
    let first_snapshot = number(&first_out, "Received snapshot=", "").unwrap();
    let first_map = dump_of(&first);
    assert!(!first_map.is_empty());

    let mut late = Example::start_env("clonecli2", &[], DUMP);
    late.wait_for_output("its snapshot", 20 * SECOND, |output| output.contains("Received snapshot="));
    let server_out = interrupt(&mut server);
    let snapshot = number(&late.output(), "Received snapshot=", "").unwrap();
    let out = number(&server_out, "", " messages out").expect("messages out");
    assert!(numbers(&server_out, "Sending state shapshot=").contains(&snapshot), "{server_out}");
    let pids = child_pids("clonecli2");
    assert_eq!(pids.len(), 1);
    wait_idle(&pids);
    assert_eq!(interrupt(&mut late), format!("Received snapshot={snapshot}\n"));
    let map = dump_of(&late);
    let from_snapshot = map.values().filter(|entry| entry.0 <= snapshot).count();
    println!(
        "model 2: {out} out; first client snapshot={first_snapshot}, {} keys; late client snapshot={snapshot}, {} keys, {from_snapshot} as the snapshot gave them",
        first_map.len(),
        map.len()
    );
    assert!(snapshot > first_snapshot, "snapshot={snapshot} after the first client's {first_snapshot}");
    assert_eq!(map.len(), 10000, "the late client lacks keys");
    assert!(from_snapshot > 0 && from_snapshot < map.len(), "{from_snapshot} of {} from the snapshot", map.len());
    assert!(map.values().all(|entry| entry.0 <= out));
}

// ---------------------------------------------------------------------------
// Models three and four: clients publish through the server

/// The sequence numbers of the server's "I: publishing update %5d" lines.
fn published(output: &str) -> Vec<i64> {
    output.lines().filter_map(|line| line.strip_prefix("I: publishing update ")?.trim().parse().ok()).collect()
}

/// A client's snapshot number and the updates it applied after it.
fn snapshot_and_updates(client: &Example) -> (i64, Vec<i64>) {
    let output = client.output();
    let snapshot = number(&output, "I: received snapshot=", "").expect("a snapshot");
    (snapshot, numbers(&output, "I: received update="))
}

/// Pauses the clients (no more updates from them), waits until the server
/// has taken what was in flight and stops it; resumes the clients and
/// waits until each has applied the server's last update. Returns that
/// update's sequence number, after checking the server published every
/// number up to it once.
fn stop_server_and_drain(server: &mut Example, server_name: &str, clients: &mut [Example]) -> i64 {
    for client in clients.iter() {
        client.signal(libc::SIGSTOP);
    }
    wait_idle(&child_pids(server_name));
    let server_out = interrupt(server);
    let handled = number(&server_out, "", " messages handled").expect("messages handled");
    assert_eq!(published(&server_out), (1..=handled).collect::<Vec<_>>(), "{server_out}");
    for client in clients.iter_mut() {
        client.signal(libc::SIGCONT);
        wait_number(client, "I: received update=", handled);
    }
    handled
}

/// Two clonecli3s publish an update a second each through clonesrv3; a
/// third, started later, gets the snapshot and then every update after it,
/// without a gap. Once the server stops, all three have applied every
/// update up to the server's last ("N messages in" is the server's
/// "N messages handled") and hold the same map.
#[test]
fn clone_model_three_clients_publish_through_the_server_and_converge() {
    let _guard = serial();
    let mut server = Example::start("clonesrv3");
    let mut clients = vec![Example::start_env("clonecli3", &[], DUMP), Example::start_env("clonecli3", &[], DUMP)];
    for client in &mut clients {
        wait_number(client, "I: received update=", 3);
    }
    let mut late = Example::start_env("clonecli3", &[], DUMP);
    late.wait_for_output("its snapshot", 10 * SECOND, |output| output.contains("I: received snapshot="));
    let late_snapshot = snapshot_and_updates(&late).0;
    assert!(late_snapshot >= 3, "{}", late.describe());
    wait_number(&mut late, "I: received update=", late_snapshot + 3);
    clients.push(late);

    let handled = stop_server_and_drain(&mut server, "clonesrv3", &mut clients);
    let mut maps = Vec::new();
    for client in &mut clients {
        let (snapshot, updates) = snapshot_and_updates(client);
        assert_eq!(updates, (snapshot + 1..=handled).collect::<Vec<_>>(), "{}", client.describe());
        let output = interrupt(client);
        assert!(output.ends_with(&format!(" Interrupted\n{handled} messages in\n")), "{output}");
        maps.push(dump_of(client));
    }
    println!(
        "model 3: {handled} updates; snapshots {:?}; {} keys",
        clients.iter().map(|client| snapshot_and_updates(client).0).collect::<Vec<_>>(),
        maps[0].len()
    );
    assert!(!maps[0].is_empty());
    assert!(maps.iter().all(|map| *map == maps[0]), "the clients' maps differ: {maps:?}");
}

/// clonesrv4 drops malformed updates and publishes a key outside
/// "/client/"; a clonecli4 (subtree "/client/") gets a snapshot without
/// it and never that update; one started later gets the first one's keys
/// in its snapshot. Both end with the same map, all under "/client/".
#[test]
fn clone_model_four_clients_keep_to_their_subtree() {
    let _guard = serial();
    let mut server = Example::start("clonesrv4");
    let ctx = zmq::Context::new();
    let push = collector_push(&ctx);
    // One frame, four frames, a 7-byte sequence: dropped
    push.send("/other/one-frame", 0).unwrap();
    push.send_multipart(["/other/four", "12345678", "x", "y"], 0).unwrap();
    push.send_multipart(["/other/short", "1234567", "x"], 0).unwrap();
    push_update(&push, "/other/before", "1");
    server.wait_for_output("update 1", 10 * SECOND, |output| !published(output).is_empty());
    assert_eq!(published(&server.output()), [1]);
    let watcher = ctx.socket(zmq::SUB).unwrap();
    watcher.set_rcvtimeo(10_000).unwrap();
    watcher.set_subscribe(b"/other/").unwrap();
    watcher.connect("tcp://localhost:5557").unwrap();

    let mut first = Example::start_env("clonecli4", &[], DUMP);
    wait_number(&mut first, "I: received update=", 3);
    assert_eq!(snapshot_and_updates(&first).0, 1, "{}", first.describe());
    // An update outside the subtree, while the client listens
    push_update(&push, "/other/during", "2");
    let during = kvmsg_recv(&watcher).expect("the update outside the subtree").expect("a well-formed kvmsg");
    assert_eq!(kvmsg_key(&during), Some(&b"/other/during"[..]));
    let during_seq = kvmsg_sequence(&during);

    let mut late = Example::start_env("clonecli4", &[], DUMP);
    late.wait_for_output("its snapshot", 10 * SECOND, |output| output.contains("I: received snapshot="));
    let late_snapshot = snapshot_and_updates(&late).0;
    assert!(late_snapshot >= during_seq, "{}", late.describe());
    wait_number(&mut late, "I: received update=", late_snapshot + 2);

    let mut clients = vec![first, late];
    let handled = stop_server_and_drain(&mut server, "clonesrv4", &mut clients);
    let first_updates = snapshot_and_updates(&clients[0]).1;
    assert_eq!(first_updates, (2..=handled).filter(|&seq| seq != during_seq).collect::<Vec<_>>());
    assert_eq!(snapshot_and_updates(&clients[1]).1, (late_snapshot + 1..=handled).collect::<Vec<_>>());
    let mut maps = Vec::new();
    for client in &mut clients {
        interrupt(client);
        maps.push(dump_of(client));
    }
    println!(
        "model 4: {handled} updates, /other/during was {during_seq}; late snapshot={late_snapshot}; {} keys",
        maps[0].len()
    );
    assert!(maps[0].keys().all(|key| key.starts_with("/client/")), "{:?}", maps[0]);
    assert_eq!(maps[0], maps[1]);
    assert!(
        maps[1].values().any(|entry| entry.0 < late_snapshot && entry.0 != during_seq),
        "the late client's snapshot brought none of the first client's keys"
    );
}

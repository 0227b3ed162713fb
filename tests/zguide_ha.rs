//! Scenario tests for the zguide's high-availability patterns (chapter 4):
//! Binary Star, Freelance and the asynchronous and disconnected Majordomo
//! clients. Each runs the example ports as processes and puts them under
//! the faults the pattern exists for (a server killed by its pid, servers
//! that never started, a broker restarted), checking what the guide says
//! happens. The harness is in `zguide_support`.

mod zguide_support;

use std::time::{Duration, Instant};
use zguide_support::*;

/// The examples these scenarios run.
const EXAMPLES: &[&str] = &["bstarsrv", "bstarsrv2", "bstarcli"];

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

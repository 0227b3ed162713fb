//! Scenario tests for the zguide's chapter 8 examples that talk over a LAN: the UDP pings (`udpping1`,
//! `udpping2`, `udpping3` over the `interface` class) broadcast to 255.255.255.255, and `dechat` connects to
//! every address of its /24. Each scenario builds a LAN of network namespaces (`netns::lan`: a bridge and
//! hosts `10.201.0.<n>`, each with its `eth0` and a default route on it) and runs one example per host
//! inside its namespace, so the guide's fixed ports (UDP 9999, TCP 9000) are free in every scenario and
//! the host's own network sees nothing: the scenarios need no port lock and run in parallel. Without root
//! they are skipped with a message (a failure with `ZMQ_REQUIRE_NETNS=1`).

mod netns;
mod zguide_support;

use std::collections::BTreeSet;
use std::thread;
use std::time::{Duration, Instant};
use zguide_support::*;

/// The examples these scenarios run.
const EXAMPLES: &[&str] = &["udpping1", "udpping2", "udpping3", "dechat"];

/// Starts `name` with `args` on `host` of `lan`.
fn start_on(lan: &netns::Lan, host: usize, name: &str, args: &[&str]) -> Example {
    Example::start_in_netns(&lan.path(host), name, args)
}

/// Waits (at most `timeout`) until `ready` holds for every example's stdout (`stderr` false) or stderr;
/// fails with all their output otherwise.
fn wait_all(examples: &mut [Example], what: &str, timeout: Duration, stderr: bool, ready: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + timeout;
    let all = |examples: &[Example]| examples.iter().map(Example::describe).collect::<Vec<_>>().join("\n");
    loop {
        if examples.iter().all(|example| ready(&if stderr { example.errors() } else { example.output() })) {
            return;
        }
        if let Some(status) = examples.iter_mut().find_map(Example::try_wait) {
            panic!("an example exited ({status}) before {what}\n{}", all(examples));
        }
        assert!(Instant::now() < deadline, "not {what} within {timeout:?}\n{}", all(examples));
        thread::sleep(Duration::from_millis(10)); // polling a deadline
    }
}

/// The peers a `udpping1` reported ("Found peer <address>:<port>").
fn found_peers(output: &str) -> BTreeSet<String> {
    output.lines().filter_map(|line| line.strip_prefix("Found peer ")).map(str::to_owned).collect()
}

/// How many times `udpping1` reported `peer`.
fn times_found(output: &str, peer: &str) -> usize {
    count_lines(output, &format!("Found peer {peer}"))
}

// ---------------------------------------------------------------------------
// udpping1, udpping2

#[test]
fn udpping1_hosts_find_each_other_by_broadcast() {
    let Some(lan) = netns::lan(3) else { return };
    let start = Instant::now();
    let mut hosts: Vec<Example> = (1..=3).map(|host| start_on(&lan, host, "udpping1", &[])).collect();
    // Each hears the others' beacons and its own (Linux loops a broadcast back to its sender), all from
    // port 9999, and nothing else
    let everyone: BTreeSet<String> = (1..=3).map(|host| format!("{}:9999", lan.addr(host))).collect();
    wait_all(&mut hosts, "every host found every host", 10 * SECOND, false, |output| found_peers(output) == everyone);
    eprintln!("udpping1: 3 hosts found each other in {:?}", start.elapsed());
    for host in &hosts {
        let output = host.output();
        // Its first poll has a zero timeout, so a beacon of a host started before it may be reported before its
        // own first ping, as in the C; every line is one of the two
        assert!(output.lines().any(|line| line == "Pinging peers..."), "{}", host.describe());
        assert!(
            output.lines().all(|line| line == "Pinging peers..." || line.starts_with("Found peer ")),
            "{}",
            host.describe()
        );
        assert!(found_peers(&output).is_subset(&everyone), "{}", host.describe());
    }
    // Model 1 sets no SO_REUSEADDR: a second instance on a host fails to bind
    let mut second = start_on(&lan, 1, "udpping1", &[]);
    let status = second.wait(10 * SECOND);
    assert_eq!(status.code(), Some(1), "{}", second.describe());
    assert_eq!(second.errors(), "bind: Address already in use\n", "{}", second.describe());
    // SIGINT ends the loop (zctx_interrupted) and the program
    hosts[0].signal(libc::SIGINT);
    assert!(hosts[0].wait(10 * SECOND).success(), "{}", hosts[0].describe());
    for host in &mut hosts[1..] {
        host.stop();
    }
}

#[test]
fn udpping2_instances_share_the_port_and_their_pings_reach_the_lan() {
    let Some(lan) = netns::lan(3) else { return };
    // Two model 2 instances on host 1 (SO_REUSEADDR lets both bind 9999), one on host 2; a model 1 on host 3
    // reports every ping it hears, with the sender's address
    let mut pingers =
        [start_on(&lan, 1, "udpping2", &[]), start_on(&lan, 1, "udpping2", &[]), start_on(&lan, 2, "udpping2", &[])];
    let mut observer = start_on(&lan, 3, "udpping1", &[]);
    let (one, two) = (format!("{}:9999", lan.addr(1)), format!("{}:9999", lan.addr(2)));
    observer.wait_for_output("pings from hosts 1 and 2", 10 * SECOND, |output| {
        times_found(output, &one) >= 2 && times_found(output, &two) >= 1
    });
    // An instance pings once a second: 3..5 in 4 s, so 6..10 from host 1's two
    let window = |what: &str, ones: std::ops::RangeInclusive<usize>| {
        let before = observer.output();
        thread::sleep(4 * SECOND); // a measuring window
        let after = observer.output();
        let count = |peer: &str| times_found(&after, peer) - times_found(&before, peer);
        let (from_one, from_two) = (count(&one), count(&two));
        eprintln!("udpping2: in 4 s with {what}, {from_one} pings from host 1, {from_two} from host 2's one");
        assert!(
            ones.contains(&from_one) && (3..=5).contains(&from_two),
            "{from_one}, {from_two}\n{}",
            observer.describe()
        );
    };
    window("two instances on host 1", 6..=10);
    // One of host 1's killed by its pid: host 1 pings as often as host 2
    pingers[0].kill();
    window("one of them killed", 3..=5);
    assert_eq!(
        found_peers(&observer.output()),
        [one, two, format!("{}:9999", lan.addr(3))].into(),
        "{}",
        observer.describe()
    );
    // SIGINT ends model 2; it printed nothing but its pings
    for pinger in &mut pingers[1..] {
        pinger.signal(libc::SIGINT);
        assert!(pinger.wait(10 * SECOND).success(), "{}", pinger.describe());
        let output = pinger.output();
        let pings = count_lines(&output, "Pinging peers...");
        assert!(pings >= 8 && output.lines().count() == pings, "{}", pinger.describe());
    }
    observer.stop();
}

// ---------------------------------------------------------------------------
// udpping3 over the interface class

/// The messages `udpping3` dumped (czmq's `zmsg_dump`, on stderr) as (command, UUID) pairs.
fn interface_events(dump: &str) -> Vec<(String, String)> {
    let mut events = Vec::new();
    let mut lines = dump.lines();
    while let Some(rule) = lines.next() {
        assert_eq!(rule, "--------------------------------------", "{dump}");
        let (Some(command), Some(uuid)) = (lines.next(), lines.next()) else { break };
        let command = command
            .strip_prefix("[006] ")
            .or_else(|| command.strip_prefix("[004] "))
            .unwrap_or_else(|| panic!("{dump}"));
        let uuid = uuid.strip_prefix("[032] ").unwrap_or_else(|| panic!("{dump}"));
        events.push((command.to_string(), uuid.to_string()));
    }
    events
}

/// The UUIDs `dump` reports with `command`.
fn uuids(dump: &str, command: &str) -> BTreeSet<String> {
    interface_events(dump).into_iter().filter(|(said, _)| said == command).map(|(_, uuid)| uuid).collect()
}

#[test]
fn udpping3_hosts_join_and_a_killed_host_leaves_after_the_expiry() {
    let Some(lan) = netns::lan(3) else { return };
    let start = Instant::now();
    let mut hosts: Vec<Example> = (1..=3).map(|host| start_on(&lan, host, "udpping3", &[])).collect();
    wait_all(&mut hosts, "every host saw two peers join", 10 * SECOND, true, |dump| uuids(dump, "JOINED").len() == 2);
    eprintln!("udpping3: 3 hosts saw each other join in {:?}", start.elapsed());
    // Three UUIDs in all; each host sees the other two, never its own beacon; each looks like uuid_generate's
    let seen: Vec<BTreeSet<String>> = hosts.iter().map(|host| uuids(&host.errors(), "JOINED")).collect();
    let all: BTreeSet<String> = seen.iter().flatten().cloned().collect();
    assert_eq!(all.len(), 3, "{seen:?}");
    let own: Vec<String> = seen.iter().map(|joined| all.difference(joined).next().unwrap().clone()).collect();
    for uuid in &all {
        assert!(
            uuid.len() == 32 && uuid.bytes().all(|byte| byte.is_ascii_digit() || (b'A'..=b'F').contains(&byte)),
            "{uuid}"
        );
        assert_eq!(&uuid[12..13], "4", "version 4: {uuid}");
        assert!("89AB".contains(&uuid[16..17]), "RFC 4122 variant: {uuid}");
    }
    // Host 3 killed by its pid: the other two report it LEFT after the expiry (5 s after its last beacon,
    // which came less than a second before the kill; reaped at the next beacon, within a second)
    hosts[2].kill();
    let killed = Instant::now();
    let mut left_after = [None; 2];
    while left_after.iter().any(Option::is_none) {
        for (index, host) in hosts[..2].iter_mut().enumerate() {
            if left_after[index].is_none() && uuids(&host.errors(), "LEFT").contains(&own[2]) {
                left_after[index] = Some(killed.elapsed());
            }
            assert!(host.is_running(), "{}", host.describe());
        }
        assert!(killed.elapsed() < 10 * SECOND, "no LEFT for host 3 within 10 s: {left_after:?}");
        thread::sleep(Duration::from_millis(10)); // polling a deadline
    }
    let left_after: Vec<Duration> = left_after.into_iter().flatten().collect();
    eprintln!("udpping3: host 3 reported LEFT {:?} after its kill (expiry 5 s)", left_after);
    assert!(left_after.iter().all(|after| (3500..=7000).contains(&after.as_millis())), "{left_after:?}");
    // The survivors still see each other: no other LEFT, and nobody joined again
    thread::sleep(2 * SECOND); // a window in which a wrong LEFT or JOINED would show
    for (index, host) in hosts[..2].iter().enumerate() {
        let events = interface_events(&host.errors());
        assert_eq!(events.len(), 3, "{}", host.describe());
        assert_eq!(events[2], ("LEFT".to_string(), own[2].clone()), "{}", host.describe());
        assert!(!seen[index].contains(&own[index]));
    }
    for host in &mut hosts[..2] {
        host.signal(libc::SIGINT);
        assert!(host.wait(10 * SECOND).success(), "{}", host.describe());
    }
}

// ---------------------------------------------------------------------------
// dechat

/// How many lines of `output` are `line`.
fn said(output: &str, line: &str) -> usize {
    count_lines(output, line)
}

#[test]
fn dechat_without_its_three_arguments_prints_the_usage() {
    let mut example = Example::start_with("dechat", &["10.0.0.1", "eth0"]);
    let output = example.finish(10 * SECOND);
    assert_eq!(output, "Usage: dechat ipaddress interface username\nExample: dechat 192.168.55.123 eth0 joe\n");
    let mut example = Example::start_with("dechat", &["nodot", "eth0", "joe"]);
    assert!(example.finish(10 * SECOND).starts_with("Usage: dechat"));
    // An address prefix libzmq refuses: the C asserts; the port says why and exits with status 1
    let mut example = Example::start_with("dechat", &["not an.address", "eth0", "joe"]);
    let status = example.wait(10 * SECOND);
    assert_eq!(status.code(), Some(1), "{status}\n{}", example.describe());
    assert!(example.errors().contains("dechat: zsocket_connect: Invalid argument"), "{}", example.describe());
}

#[test]
fn dechat_lines_reach_every_host_and_a_killed_host_stops_no_one() {
    let Some(lan) = netns::lan(3) else { return };
    let start = Instant::now();
    let mut hosts: Vec<Example> = (1..=3)
        .map(|host| start_on(&lan, host, "dechat", &[&lan.addr(host), "eth0", &format!("user{host}")]))
        .collect();
    // Each PUB has the three SUBs connected (its own host's too: it connects to all 254 addresses)
    for host in &hosts {
        wait_tcp_connections_of(&host.pid().to_string(), 9000, 3);
    }
    let connected = start.elapsed();
    // A SUB's subscription reaches the PUB just after its connection: each host says "probe" until
    // all three have printed it, so no line below can be lost to a subscription still on its way
    for host in 0..3 {
        let probe = format!("user{}: probe", host + 1);
        let deadline = Instant::now() + 10 * SECOND;
        while !hosts.iter().all(|each| said(&each.output(), &probe) > 0) {
            assert!(Instant::now() < deadline, "no probe from host {} everywhere", host + 1);
            hosts[host].type_in("probe\n");
            thread::sleep(Duration::from_millis(100)); // polling a deadline
        }
    }
    eprintln!("dechat: 3 hosts connected in {connected:?}, subscribed in {:?}", start.elapsed());
    // A line typed on one host appears once on every host, its own included
    let sent = Instant::now();
    hosts[0].type_in("hello from one\n");
    hosts[1].type_in("hi from two\n");
    wait_all(&mut hosts, "both lines everywhere", 10 * SECOND, false, |output| {
        said(output, "user1: hello from one") == 1 && said(output, "user2: hi from two") == 1
    });
    eprintln!("dechat: two lines on all 3 hosts within {:?}", sent.elapsed());
    // fgets reads at most 1023 bytes: a longer line goes out in two messages, each with the user's name
    let long = "x".repeat(1500);
    hosts[2].type_in(&format!("{long}\n"));
    let expected = format!("user3: {}user3: {}\n", &long[..1023], &long[1023..]);
    wait_all(&mut hosts, "the long line everywhere", 10 * SECOND, false, |output| output.contains(&expected));
    // Host 3 killed by its pid: hosts 1 and 2 go on talking
    hosts[2].kill();
    hosts[0].type_in("still here\n");
    hosts[1].type_in("me too\n");
    wait_all(&mut hosts[..2], "the lines after the kill on both", 10 * SECOND, false, |output| {
        said(output, "user1: still here") == 1 && said(output, "user2: me too") == 1
    });
    for host in &hosts[..2] {
        let output = host.output();
        let lines: Vec<&str> = output.lines().filter(|line| !line.ends_with(": probe")).collect();
        assert_eq!(lines.len(), 5, "{}", host.describe());
        assert_eq!(host.errors(), "", "{}", host.describe());
    }
    // The end of the input ends dechat
    for host in &mut hosts[..2] {
        host.close_stdin();
        assert!(host.wait(10 * SECOND).success(), "{}", host.describe());
    }
}

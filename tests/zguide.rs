//! Scenario tests for the zguide example ports in `examples/` (chapters 1
//! to 3, and the Lazy Pirate server of chapter 4); the process harness is
//! in `zguide_support`.

mod zguide_support;

use std::collections::BTreeMap;
use std::thread;
use std::time::Instant;
use zguide_support::*;

/// The examples these scenarios run.
const EXAMPLES: &[&str] = &[
    "curve_reqrep",
    "ironhouse",
    "inproc_lat",
    "inproc_thr",
    "hwclient",
    "hwclient2",
    "hwclient3",
    "hwclient4",
    "hwserver",
    "hwserver2",
    "hwserver3",
    "hwserver4",
    "identity",
    "interrupt",
    "lbbroker",
    "lpserver",
    "msgqueue",
    "mspoller",
    "msreader",
    "mtrelay",
    "mtserver",
    "psenvpub",
    "psenvsub",
    "rrbroker",
    "rrclient",
    "rrworker",
    "rtdealer",
    "rtreq",
    "syncpub",
    "syncsub",
    "tasksink",
    "tasksink2",
    "taskvent",
    "taskwork",
    "taskwork2",
    "version",
    "lpclient",
    "wuclient",
    "wuproxy",
    "wuserver",
];

/// The workloads a task worker reported: its output is "N.N.N.".
fn worker_workloads(output: &str) -> Vec<i64> {
    let trimmed = output.strip_suffix('.').unwrap_or(output);
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed
        .split('.')
        .map(|workload| workload.parse().unwrap_or_else(|_| panic!("bad worker output {output:?}")))
        .collect()
}

/// Checks the sink's "::........." progress and returns the elapsed time it
/// reports.
fn check_sink_output(output: &str) -> i64 {
    let progress: String = (0..100).map(|task_nbr| if task_nbr % 10 == 0 { ':' } else { '.' }).collect();
    let rest = output.strip_prefix(&progress).unwrap_or_else(|| panic!("sink progress wrong: {output:?}"));
    number_in(rest, "Total elapsed time: ", " msec\n").unwrap_or_else(|| panic!("sink total wrong: {output:?}"))
}

/// Checks the ventilator's output and returns the total expected cost.
fn check_vent_output(output: &str) -> i64 {
    let rest = output
        .strip_prefix("Press Enter when the workers are ready: Sending tasks to workers...\n")
        .unwrap_or_else(|| panic!("ventilator output wrong: {output:?}"));
    let total = number_in(rest, "Total expected cost: ", " msec\n")
        .unwrap_or_else(|| panic!("ventilator total wrong: {output:?}"));
    assert!((100..=10000).contains(&total), "{output:?}");
    total
}

// ---------------------------------------------------------------------------
// Chapter 1

#[test]
fn version() {
    let _guard = serial();
    let mut version = Example::start("version");
    let output = version.finish(10 * SECOND);
    let (major, minor, patch) = zmq::version();
    assert_eq!(output, format!("Current 0MQ version is {major}.{minor}.{patch}\n"));
}

#[test]
fn hwserver_hwclient() {
    let _guard = serial();
    let mut server = Example::start("hwserver");
    let mut client = Example::start("hwclient");
    let output = client.finish(40 * SECOND);
    let mut expected = "Connecting to hello world server...\n".to_string();
    for request_nbr in 0..10 {
        expected += &format!("Sending Hello {request_nbr}...\nReceived World {request_nbr}\n");
    }
    assert_eq!(output, expected);
    assert_eq!(server.stop(), "Received Hello\n".repeat(10));
}

#[test]
fn hwserver2_hwclient2() {
    let _guard = serial();
    let mut server = Example::start("hwserver2");
    let mut client = Example::start("hwclient2");
    let output = client.finish(40 * SECOND);
    let mut expected = "Connecting to hello world server...\n".to_string();
    for request_nbr in 1..=10 {
        expected += &format!(
            "Sending request msg: Hello NO={request_nbr}...\n\
             Received respond msg: World NO={request_nbr}\n\n"
        );
    }
    assert_eq!(output, expected);
    assert_eq!(server.stop(), "Received request msg: Hello\nSend respond msg: World\n\n".repeat(10));
}

/// The output of hwclient3 and hwclient4, which print the same.
fn hwclient34_output() -> String {
    let mut expected = "Connecting to hello world server...\n".to_string();
    for request_nbr in 1..=10 {
        expected += &format!(
            "Sending request msg: Hello NO={request_nbr}...\n\
             Received respond msg: World NO={request_nbr}\n\n"
        );
    }
    expected
}

#[test]
fn hwserver3_hwclient3() {
    let _guard = serial();
    let mut server = Example::start("hwserver3");
    let mut client = Example::start("hwclient3");
    let output = client.finish(40 * SECOND);
    assert_eq!(output, hwclient34_output());
    assert_eq!(
        server.stop(),
        "[Frame_1] identity = ZMQ\n\
         [Frame_2] string = \n\
         [Frame_3] Received request msg: Hello\n\
         Send respond msg: World\n\n"
            .repeat(10)
    );
}

#[test]
fn hwserver4_hwclient4() {
    let _guard = serial();
    let mut server = Example::start("hwserver4");
    let mut client = Example::start("hwclient4");
    let output = client.finish(40 * SECOND);
    assert_eq!(output, hwclient34_output());
    assert_eq!(
        server.stop(),
        "[recv] frame1 = ZMQ\n\
         [recv] frame2 = \n\
         [recv] frame3 = Hello\n\
         [send] frame1 = ZMQ\n\
         [send] frame2 = \n\
         [send] frame3 = World\n\n"
            .repeat(10)
    );
}

/// Checks a wuclient's output and returns the average temperature.
fn check_wuclient_output(output: &str, filter: &str) -> i64 {
    let rest = output
        .strip_prefix("Collecting updates from weather server...\n")
        .unwrap_or_else(|| panic!("wuclient output wrong: {output:?}"));
    let average = number_in(rest, &format!("Average temperature for zipcode '{filter}' was "), "F\n")
        .unwrap_or_else(|| panic!("wuclient average wrong: {output:?}"));
    // wuserver's temperatures are randof (215) - 80: -80..=134
    assert!((-80..=134).contains(&average), "{output:?}");
    average
}

#[test]
fn wuserver_wuclient() {
    let _guard = serial();
    let mut server = Example::start("wuserver");
    // The default zipcode, and one given on the command line
    let mut client = Example::start("wuclient");
    let mut other_client = Example::start_with("wuclient", &["99999 "]);
    check_wuclient_output(&client.finish(90 * SECOND), "10001 ");
    check_wuclient_output(&other_client.finish(90 * SECOND), "99999 ");
    assert_eq!(server.stop(), "");
}

/// Starts the ventilator and presses Enter once it asks.
fn start_taskvent() -> Example {
    let mut vent = Example::start("taskvent");
    vent.wait_for_output("its prompt", 10 * SECOND, |output| output == "Press Enter when the workers are ready: ");
    vent
}

/// Checks that the workers' reports add up to the ventilator's batch.
fn check_workloads(workers: &[String], total_msec: i64) {
    let workloads: Vec<Vec<i64>> = workers.iter().map(|out| worker_workloads(out)).collect();
    let tasks: usize = workloads.iter().map(Vec::len).sum();
    let cost: i64 = workloads.iter().flatten().sum();
    assert_eq!(tasks, 100, "workers: {workers:?}");
    assert_eq!(cost, total_msec, "workers: {workers:?}");
    assert!(workloads.iter().flatten().all(|workload| (1..=100).contains(workload)), "workers: {workers:?}");
}

#[test]
fn taskvent_taskwork_tasksink() {
    let _guard = serial();
    let mut sink = Example::start("tasksink");
    let mut workers = [Example::start("taskwork"), Example::start("taskwork")];
    let mut vent = start_taskvent();
    // Both workers connected to the ventilator, so both get tasks
    wait_tcp_connections(5557, 2);
    vent.type_in("\n");
    let total_msec = check_vent_output(&vent.finish(30 * SECOND));
    let elapsed = check_sink_output(&sink.finish(60 * SECOND));
    assert!(elapsed >= 0, "elapsed {elapsed}");
    let outputs: Vec<String> = workers.iter_mut().map(Example::stop).collect();
    check_workloads(&outputs, total_msec);
}

#[test]
fn taskvent_taskwork2_tasksink2() {
    let _guard = serial();
    let mut sink = Example::start("tasksink2");
    let mut workers = [Example::start("taskwork2"), Example::start("taskwork2")];
    let mut vent = start_taskvent();
    wait_tcp_connections(5557, 2);
    vent.type_in("\n");
    let total_msec = check_vent_output(&vent.finish(30 * SECOND));
    check_sink_output(&sink.finish(60 * SECOND));
    // The sink's KILL ends the workers
    let outputs: Vec<String> = workers.iter_mut().map(|worker| worker.finish(10 * SECOND)).collect();
    check_workloads(&outputs, total_msec);
}

/// Runs a multiple-socket reader (mspoller or msreader) against the weather
/// server and the ventilator: the ventilator can only send its batch once
/// the reader is connected, and the reader must keep running, silently.
fn multiple_socket_reader(name: &str) {
    let _guard = serial();
    // Stand in for the sink: take the ventilator's start-of-batch message
    let context = zmq::Context::new();
    let sink = context.socket(zmq::PULL).unwrap();
    sink.set_linger(0).unwrap();
    sink.bind("tcp://*:5558").unwrap();

    let mut weather = Example::start("wuserver");
    let mut reader = Example::start(name);
    let mut vent = start_taskvent();
    vent.type_in("\n");
    check_vent_output(&vent.finish(30 * SECOND));
    sink.set_rcvtimeo(10_000).unwrap();
    assert_eq!(sink.recv_string(0).unwrap().unwrap(), "0");
    // Let it read weather updates for a while
    thread::sleep(SECOND);
    assert_eq!(reader.stop(), "", "{}", reader.describe());
    assert_eq!(weather.stop(), "");
}

#[test]
fn msreader() {
    multiple_socket_reader("msreader");
}

#[test]
fn mspoller() {
    multiple_socket_reader("mspoller");
}

#[test]
fn rrbroker() {
    request_reply_broker("rrbroker");
}

#[test]
fn msgqueue() {
    request_reply_broker("msgqueue");
}

#[test]
fn wuproxy() {
    let _guard = serial();
    let mut server = Example::start("wuserver");
    let mut proxy = Example::start("wuproxy");
    // Subscribe on the proxy's public endpoint
    let context = zmq::Context::new();
    let subscriber = context.socket(zmq::SUB).unwrap();
    subscriber.set_linger(0).unwrap();
    subscriber.set_rcvtimeo(30_000).unwrap();
    subscriber.connect("tcp://localhost:8100").unwrap();
    subscriber.set_subscribe(b"10001 ").unwrap();
    for _ in 0..5 {
        let update =
            subscriber.recv_string(0).unwrap_or_else(|error| panic!("no update through the proxy: {error}")).unwrap();
        let fields: Vec<i64> = update.split(' ').map(|field| field.parse().unwrap()).collect();
        assert!(update.starts_with("10001 "), "{update:?}");
        assert_eq!(fields.len(), 3, "{update:?}");
        assert!((-80..=134).contains(&fields[1]), "{update:?}");
        assert!((10..=59).contains(&fields[2]), "{update:?}");
    }
    assert_eq!(proxy.stop(), "");
    assert_eq!(server.stop(), "");
}

#[test]
fn mtserver() {
    let _guard = serial();
    let mut server = Example::start("mtserver");
    let started = Instant::now();
    let mut clients = [Example::start("hwclient"), Example::start("hwclient")];
    let mut expected = "Connecting to hello world server...\n".to_string();
    for request_nbr in 0..10 {
        expected += &format!("Sending Hello {request_nbr}...\nReceived World {request_nbr}\n");
    }
    for client in &mut clients {
        assert_eq!(client.finish(40 * SECOND), expected);
    }
    // The worker threads served the two clients side by side: one at a time
    // would have taken 20 seconds
    let elapsed = started.elapsed();
    assert!(elapsed < 18 * SECOND, "took {elapsed:?}");
    assert_eq!(server.stop(), "Received request: [Hello]\n".repeat(20));
}

#[test]
fn mtrelay() {
    let _guard = serial();
    let mut relay = Example::start("mtrelay");
    assert_eq!(
        relay.finish(10 * SECOND),
        "Step 1 ready, signaling step 2\n\
         Step 2 ready, signaling step 3\n\
         Test successful!\n"
    );
}

#[test]
fn syncpub_syncsub() {
    let _guard = serial();
    let mut publisher = Example::start("syncpub");
    let mut subscribers: Vec<Example> = (0..10).map(|_| Example::start("syncsub")).collect();
    for subscriber in &mut subscribers {
        assert_eq!(subscriber.finish(120 * SECOND), "Received 1000000 updates\n");
    }
    assert_eq!(publisher.finish(10 * SECOND), "Waiting for subscribers\nBroadcasting messages\n");
}

#[test]
fn psenvpub_psenvsub() {
    let _guard = serial();
    let mut publisher = Example::start("psenvpub");
    let mut subscriber = Example::start("psenvsub");
    subscriber.wait_for_output("two updates", 15 * SECOND, |output| output.lines().count() >= 2);
    let output = subscriber.stop();
    assert!(output.lines().all(|line| line == "[B] We would like to see this"), "{output:?}");
    assert_eq!(publisher.stop(), "");
}

// ---------------------------------------------------------------------------
// Chapter 3

#[test]
fn identity() {
    let _guard = serial();
    let mut identity = Example::start("identity");
    let output = identity.finish(10 * SECOND);
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 8, "{output:?}");
    let rule = "-".repeat(40);
    assert_eq!(lines[0], rule);
    // A generated identity: a zero byte, then four bytes, printed in hex
    let generated = lines[1].strip_prefix("[005] 00").unwrap_or_else(|| panic!("{output:?}"));
    assert_eq!(generated.len(), 8, "{output:?}");
    assert!(generated.chars().all(|digit| digit.is_ascii_hexdigit() && !digit.is_ascii_lowercase()), "{output:?}");
    assert_eq!(
        lines[2..],
        [
            "[000] ",
            "[039] ROUTER uses a generated 5 byte identity",
            rule.as_str(),
            "[005] PEER2",
            "[000] ",
            "[040] ROUTER socket uses REQ's socket identity",
        ]
    );
}

/// Runs rtreq or rtdealer: ten workers, fired after five seconds.
fn router_to_workers(name: &str) {
    let _guard = serial();
    let started = Instant::now();
    let mut broker = Example::start(name);
    let output = broker.finish(30 * SECOND);
    assert!(started.elapsed() >= 5 * SECOND);
    // As in the C, main returns once it has fired the last worker, so the
    // last workers may not get to print their totals
    let totals: Vec<i64> = output
        .lines()
        .map(|line| number_in(line, "Completed: ", " tasks").unwrap_or_else(|| panic!("{output:?}")))
        .collect();
    assert!((1..=10).contains(&totals.len()), "no worker reported: {output:?}");
    // Every worker got work for five seconds, at most 500 msec a task
    assert!(totals.iter().all(|&total| total >= 1), "{output:?}");
}

#[test]
fn rtreq() {
    router_to_workers("rtreq");
}

#[test]
fn rtdealer() {
    router_to_workers("rtdealer");
}

#[test]
fn lbbroker() {
    let _guard = serial();
    let mut broker = Example::start("lbbroker");
    let output = broker.finish(30 * SECOND);
    let mut lines: BTreeMap<&str, usize> = BTreeMap::new();
    for line in output.lines() {
        *lines.entry(line).or_default() += 1;
    }
    // Every request reached a worker; as in the C, main returns right after
    // routing the last reply, so the last clients may not get to print it
    assert_eq!(lines.remove("Worker: HELLO"), Some(10), "{output:?}");
    let replies = lines.remove("Client: OK").unwrap_or(0);
    assert!((1..=10).contains(&replies), "{output:?}");
    assert!(lines.is_empty(), "{output:?}");
}

// ---------------------------------------------------------------------------
// Chapter 4

#[test]
fn lpserver() {
    let _guard = serial();
    let mut server = Example::start("lpserver");
    // A lazy client: at most ten requests, each answered within five seconds
    // (one of work, at most two of simulated overload) unless the server
    // simulates a crash, which it may do from the fourth request on
    let context = zmq::Context::new();
    let client = context.socket(zmq::REQ).unwrap();
    client.set_linger(0).unwrap();
    client.connect("tcp://localhost:5555").unwrap();
    let mut replies = 0;
    'requests: for sequence in 1..=10 {
        client.send(sequence.to_string().as_str(), 0).unwrap();
        let deadline = Instant::now() + 5 * SECOND;
        loop {
            if client.poll(zmq::POLLIN, 100).unwrap() > 0 {
                let reply = client.recv_string(0).unwrap().unwrap();
                assert_eq!(reply, sequence.to_string());
                replies += 1;
                break;
            }
            if !server.is_running() {
                assert!(sequence > 3, "crashed too early\n{}", server.describe());
                break 'requests;
            }
            assert!(Instant::now() < deadline, "no reply to {sequence}\n{}", server.describe());
        }
    }
    let crashed = !server.is_running();
    let output = if crashed { server.finish(SECOND) } else { server.stop() };
    let mut lines = output.lines().peekable();
    for sequence in 1..=replies {
        if sequence > 3 && lines.peek() == Some(&"I: simulating CPU overload") {
            lines.next();
        }
        assert_eq!(lines.next(), Some(format!("I: normal request ({sequence})").as_str()), "{output:?}");
    }
    if crashed {
        assert_eq!(lines.next(), Some("I: simulating a crash"), "{output:?}");
    }
    assert_eq!(lines.next(), None, "{output:?}");
}

// ---------------------------------------------------------------------------
// Chapter 2: handling interrupt signals

/// Starts interrupt, makes sure it is in its poll loop by sending it a
/// request, interrupts it with `signal` and checks it cleans up.
fn interrupt_with(signal: libc::c_int) {
    let _guard = serial();
    let mut server = Example::start("interrupt");
    let context = zmq::Context::new();
    let client = context.socket(zmq::REQ).unwrap();
    client.set_linger(0).unwrap();
    client.connect("tcp://localhost:5555").unwrap();
    client.send("Hello", 0).unwrap();
    server.wait_for_output("W: recv", 10 * SECOND, |output| output == "W: recv\n");
    server.signal(signal);
    let status = server.wait(10 * SECOND);
    assert!(status.success(), "{status}\n{}", server.describe());
    assert_eq!(server.output(), "W: recv\nW: interrupt received, killing server...\nW: cleaning up\n");
    assert_eq!(server.errors(), "");
}

#[test]
fn interrupt_sigint() {
    interrupt_with(libc::SIGINT);
}

#[test]
fn interrupt_sigterm() {
    interrupt_with(libc::SIGTERM);
}

// ---------------------------------------------------------------------------
// Same inputs, same outputs as the C: bytes stay bytes, atoi, SIGPIPE

/// A REQ client with a non-UTF-8 identity: the C servers (ROUTER sockets
/// that echo the identity frame back) can answer it.
fn binary_identity_client(server: &str, expected_first_line: &[u8]) {
    let _guard = serial();
    let mut server = Example::start(server);
    let context = zmq::Context::new();
    let client = context.socket(zmq::REQ).unwrap();
    client.set_linger(0).unwrap();
    client.set_rcvtimeo(10_000).unwrap();
    client.set_identity(b"\xff\xfeID").unwrap();
    client.connect("tcp://localhost:5555").unwrap();
    client.send("Hello", 0).unwrap();
    let reply = client.recv_string(0).map(|reply| reply.unwrap());
    let output = server.stop();
    assert_eq!(reply, Ok("World".to_string()), "{output:?}");
    assert!(server.output_bytes().starts_with(expected_first_line), "{output:?}");
}

#[test]
fn hwserver3_answers_a_binary_identity() {
    binary_identity_client("hwserver3", b"[Frame_1] identity = \xff\xfeID\n");
}

#[test]
fn hwserver4_answers_a_binary_identity() {
    binary_identity_client("hwserver4", b"[recv] frame1 = \xff\xfeID\n");
}

#[test]
fn psenvsub_prints_bytes_unchanged() {
    let _guard = serial();
    let context = zmq::Context::new();
    let publisher = context.socket(zmq::PUB).unwrap();
    publisher.set_linger(0).unwrap();
    publisher.bind("tcp://*:5563").unwrap();
    let mut subscriber = Example::start("psenvsub");
    let deadline = std::time::Instant::now() + 15 * SECOND;
    while subscriber.output_bytes().is_empty() {
        assert!(std::time::Instant::now() < deadline, "{}", subscriber.describe());
        publisher.send_multipart([&b"B"[..], b"caf\xe9 \x80"], 0).unwrap();
        thread::sleep(std::time::Duration::from_millis(50));
    }
    subscriber.stop();
    let output = subscriber.output_bytes();
    assert!(output.split_inclusive(|&byte| byte == b'\n').all(|line| line == b"[B] caf\xe9 \x80\n"), "{output:?}");
}

/// Sends one task as the ventilator would and times the worker's result:
/// the worker sleeps atoi (task) msecs, so "300x" is 300 msecs, as in C.
fn task_worker_uses_atoi(name: &str) {
    let _guard = serial();
    let context = zmq::Context::new();
    let sender = context.socket(zmq::PUSH).unwrap();
    sender.set_linger(0).unwrap();
    sender.bind("tcp://*:5557").unwrap();
    let receiver = context.socket(zmq::PULL).unwrap();
    receiver.set_linger(0).unwrap();
    receiver.set_rcvtimeo(10_000).unwrap();
    receiver.bind("tcp://*:5558").unwrap();
    let mut worker = Example::start(name);
    for (task, msecs) in [("300x", 300), (" 200 ms", 200)] {
        let started = Instant::now();
        sender.send(task, 0).unwrap();
        receiver.recv_bytes(0).unwrap_or_else(|error| panic!("no result: {error}\n{}", worker.describe()));
        let elapsed = started.elapsed();
        assert!(elapsed >= std::time::Duration::from_millis(msecs), "{task:?} took {elapsed:?}");
    }
    assert_eq!(worker.stop(), "300x. 200 ms.");
}

#[test]
fn taskwork_parses_the_workload_with_atoi() {
    task_worker_uses_atoi("taskwork");
}

#[test]
fn taskwork2_parses_the_workload_with_atoi() {
    task_worker_uses_atoi("taskwork2");
}

/// An example whose stdout reader has gone dies by SIGPIPE, as a C
/// program does, instead of panicking (exit code 101).
fn dies_by_sigpipe(name: &str) {
    dies_by_sigpipe_with(name, &[]);
}

fn dies_by_sigpipe_with(name: &str, args: &[&str]) {
    use std::os::unix::process::ExitStatusExt;
    let _guard = serial();
    let mut example = Example::start_closed_stdout_with(name, args);
    let status = example.wait(10 * SECOND);
    assert_eq!(status.signal(), Some(libc::SIGPIPE), "{status}\n{}", example.describe());
}

#[test]
fn version_dies_by_sigpipe() {
    dies_by_sigpipe("version");
}

#[test]
fn the_perf_tools_die_by_sigpipe() {
    dies_by_sigpipe_with("inproc_lat", &["1", "100"]);
    dies_by_sigpipe_with("inproc_thr", &["1", "100"]);
}

#[test]
fn the_security_examples_die_by_sigpipe() {
    dies_by_sigpipe("curve_reqrep");
    dies_by_sigpipe("ironhouse");
}

#[test]
fn lpclient_dies_by_sigpipe() {
    dies_by_sigpipe("lpclient");
}

//! Scenario tests for the zguide's Majordomo examples (chapter 4):
//! mdbroker with mdworker and mdclient processes, a second service served
//! by the test, workers killed and restarted, the `mmi.service` lookup, and
//! malformed messages that must not stop the broker. The harness is in
//! `zguide_support`.

mod zguide_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use zguide_support::*;

/// The examples these scenarios run.
const EXAMPLES: &[&str] = &["mdbroker", "mdclient", "mdworker", "mmiecho"];

const BROKER: &str = "tcp://localhost:5555";

/// A socket on the broker with timeouts, so no call can hang.
fn broker_socket(context: &zmq::Context, socket_type: zmq::SocketType) -> zmq::Socket {
    let socket = context.socket(socket_type).unwrap();
    socket.set_linger(0).unwrap();
    socket.set_rcvtimeo(10_000).unwrap();
    socket.set_sndtimeo(10_000).unwrap();
    socket.connect(BROKER).unwrap();
    socket
}

/// One MDP request from a REQ socket: returns the reply's frames after the
/// protocol header, which must name `service`.
fn mdp_request(context: &zmq::Context, service: &str, body: &[&[u8]]) -> Vec<Vec<u8>> {
    let client = broker_socket(context, zmq::REQ);
    let mut request: Vec<&[u8]> = vec![b"MDPC01", service.as_bytes()];
    request.extend_from_slice(body);
    client.send_multipart(request, 0).unwrap();
    let reply = client.recv_multipart(0).unwrap_or_else(|error| panic!("no reply from {service}: {error}"));
    assert_eq!(reply[0], b"MDPC01", "{reply:?}");
    assert_eq!(reply[1], service.as_bytes(), "{reply:?}");
    reply[2..].to_vec()
}

/// An MDP worker for the "upper" service, run by the test in a thread: it
/// replies with the request in upper case and heartbeats the broker.
fn upper_worker(context: zmq::Context, stop: Arc<AtomicBool>) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let worker = broker_socket(&context, zmq::DEALER);
        worker.send_multipart([&b""[..], b"MDPW01", b"\x01", b"upper"], 0).unwrap();
        let mut served = 0;
        let mut heartbeat_at = Instant::now();
        while !stop.load(Ordering::SeqCst) {
            if Instant::now() >= heartbeat_at {
                worker.send_multipart([&b""[..], b"MDPW01", b"\x04"], 0).unwrap();
                heartbeat_at = Instant::now() + Duration::from_secs(1);
            }
            if worker.poll(zmq::POLLIN, 50).unwrap() == 0 {
                continue;
            }
            let msg = worker.recv_multipart(0).unwrap();
            assert_eq!(msg[..2], [b"".to_vec(), b"MDPW01".to_vec()], "{msg:?}");
            if msg[2] == b"\x02" {
                // [empty][header][REQUEST][client][empty][body]
                let body = msg[5].to_ascii_uppercase();
                worker.send_multipart([&b""[..], b"MDPW01", b"\x03", &msg[3], b"", &body], 0).unwrap();
                served += 1;
            }
        }
        served
    })
}

/// Runs mmiecho until it prints `expected`, for at most `timeout`.
fn mmiecho_until(expected: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let output = Example::start("mmiecho").finish(10 * SECOND);
        if output == format!("Lookup echo service: {expected}\n") {
            return;
        }
        assert!(Instant::now() < deadline, "mmiecho said {output:?}, not {expected}");
        thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn majordomo_clients_workers_and_faults() {
    let _guard = serial();
    let mut broker = Example::start("mdbroker");
    broker.wait_for_output("its banner", 10 * SECOND, |output| {
        output.ends_with(" I: MDP broker/0.2.0 is active at tcp://*:5555\n")
    });
    // No echo workers yet
    mmiecho_until("404", 10 * SECOND);
    let mut workers = vec![Example::start("mdworker"), Example::start("mdworker")];
    mmiecho_until("200", 10 * SECOND);

    // A second service, and the MMI answers for it and for nothing
    let context = zmq::Context::new();
    let stop = Arc::new(AtomicBool::new(false));
    let upper = upper_worker(context.clone(), Arc::clone(&stop));
    let deadline = Instant::now() + 10 * SECOND;
    while mdp_request(&context, "mmi.service", &[b"upper"]) != [b"200".to_vec()] {
        assert!(Instant::now() < deadline, "the upper worker never registered");
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(mdp_request(&context, "mmi.service", &[b"nosuch"]), [b"404".to_vec()]);
    assert_eq!(mdp_request(&context, "mmi.other", &[b"echo"]), [b"501".to_vec()]);

    // Malformed messages are logged and dropped; the broker goes on
    let rogue = broker_socket(&context, zmq::DEALER);
    for garbage in [
        vec![b"".to_vec()],
        vec![b"".to_vec(), b"XXX".to_vec()],
        vec![b"".to_vec(), b"MDPW01".to_vec()],
        vec![b"".to_vec(), b"MDPW01".to_vec(), b"\x09".to_vec()],
        vec![b"".to_vec(), b"MDPW01".to_vec(), b"\x03".to_vec()],
        vec![b"".to_vec(), b"MDPW01".to_vec(), b"\x01".to_vec()],
        vec![b"".to_vec(), b"MDPC01".to_vec()],
        vec![b"".to_vec(), b"MDPC01".to_vec(), b"mmi.service".to_vec()],
    ] {
        rogue.send_multipart(garbage, 0).unwrap();
    }

    // Two clients of 30000 requests; one worker is killed and replaced, then
    // the other is killed, so the new one must carry the rest
    let requests = 30000;
    let env = ("MDCLIENT_REQUESTS", "30000");
    let mut clients = vec![Example::start_env("mdclient", &[], &[env]), Example::start_env("mdclient", &[], &[env])];
    for sequence in 0..3 {
        let reply = mdp_request(&context, "upper", &[format!("hello {sequence}").as_bytes()]);
        assert_eq!(reply, [format!("HELLO {sequence}").into_bytes()]);
    }
    thread::sleep(SECOND / 2);
    workers[0].kill();
    workers.push(Example::start("mdworker"));
    thread::sleep(SECOND);
    workers[1].kill();
    assert!(clients.iter_mut().any(Example::is_running), "the clients finished before the faults");
    for client in &mut clients {
        assert_eq!(client.finish(120 * SECOND), format!("{requests} requests/replies processed\n"));
    }
    let mut last = Example::start_env("mdclient", &[], &[("MDCLIENT_REQUESTS", "100")]);
    assert_eq!(last.finish(30 * SECOND), "100 requests/replies processed\n");
    stop.store(true, Ordering::SeqCst);
    assert_eq!(upper.join().unwrap(), 3);

    // The last echo worker dies while idle. The broker stops hearing it and,
    // once it expires (HEARTBEAT_EXPIRY, 7.5 seconds after its last
    // heartbeat, which was at most 2.5 seconds before), forgets it: a new
    // request waits for a worker instead of going to the dead one. (Workers
    // that died busy are never expired, as in the C, so mmi.service still
    // says 200.) Wait out that expiry, with a second to spare
    workers[2].kill();
    thread::sleep(8 * SECOND);
    let mut waiting = Example::start_env("mdclient", &["-v"], &[("MDCLIENT_REQUESTS", "1")]);
    waiting.wait_for_output("its request", 10 * SECOND, |output| output.contains("send request to 'echo'"));
    thread::sleep(SECOND);
    workers.push(Example::start("mdworker"));
    let output = waiting.finish(20 * SECOND);
    assert!(output.ends_with("1 requests/replies processed\n"), "{output:?}");
    assert!(!output.contains("W: no reply"), "the request went to the dead worker: {output:?}");

    let output = broker.stop();
    assert_eq!(output.lines().filter(|line| line.ends_with("E: invalid input message")).count(), 4, "{output:?}");
    assert_eq!(output.lines().filter(|line| line.ends_with("E: invalid message:")).count(), 2, "{output:?}");
}

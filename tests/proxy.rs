//! The built-in proxies, each run on its own thread: plain (ended by `Context::shutdown`), with capture, and
//! steerable through [`zmq::ProxyControl`] (pause, resume, statistics, terminate).

mod isolated;

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use isolated::isolated;
use zmq::{Context, Error, ProxyControl, Socket};

const WAIT: Duration = Duration::from_secs(5);

fn ctx() -> Context {
    Context::builder().linger(0).build().unwrap()
}

/// A socket that gives up after `WAIT` instead of hanging.
fn socket(ctx: &Context, kind: zmq::SocketType) -> Socket {
    let s = ctx.socket(kind).unwrap();
    s.set_rcvtimeo(WAIT.as_millis() as i32).unwrap();
    s.set_sndtimeo(WAIT.as_millis() as i32).unwrap();
    s
}

/// Runs `proxy` on a thread; the receiver yields its result. A test waits for it with a timeout.
fn spawn<F>(proxy: F) -> mpsc::Receiver<zmq::Result<()>>
where
    F: FnOnce() -> zmq::Result<()> + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(proxy());
    });
    rx
}

/// PUSH -> [PULL frontend | PUSH backend] -> PULL, all over inproc, with the proxy's sockets bound.
struct Pipeline {
    input: Socket,
    output: Socket,
}

fn pipeline(ctx: &Context, name: &str) -> (Pipeline, Socket, Socket) {
    let frontend = ctx.socket(zmq::PULL).unwrap();
    frontend.bind(&format!("inproc://{name}-in")).unwrap();
    let backend = ctx.socket(zmq::PUSH).unwrap();
    backend.bind(&format!("inproc://{name}-out")).unwrap();
    let input = socket(ctx, zmq::PUSH);
    input.connect(&format!("inproc://{name}-in")).unwrap();
    let output = socket(ctx, zmq::PULL);
    output.connect(&format!("inproc://{name}-out")).unwrap();
    (Pipeline { input, output }, frontend, backend)
}

/// A [`pipeline`] through a steerable proxy on its own thread, with its controller (which gives up after `WAIT`).
fn steered(ctx: &Context, name: &str) -> (Pipeline, ProxyControl, mpsc::Receiver<zmq::Result<()>>) {
    let (pipeline, mut frontend, mut backend) = pipeline(ctx, name);
    let (control, mut control_end) = ProxyControl::new(ctx).unwrap();
    control.socket().set_rcvtimeo(WAIT.as_millis() as i32).unwrap();
    let done = spawn(move || zmq::proxy_steerable(&mut frontend, &mut backend, &mut control_end));
    (pipeline, control, done)
}

impl Pipeline {
    fn passes(&self, text: &str) {
        self.input.send(text, 0).unwrap();
        assert_eq!(self.output.recv_string(0).unwrap().unwrap(), text);
    }
}

#[test]
fn plain_proxy_ends_with_the_context() {
    let ctx = ctx();
    let (pipeline, frontend, backend) = pipeline(&ctx, "plain");
    let done = spawn(move || zmq::proxy(&frontend, &backend));
    for text in ["one", "two", "three"] {
        pipeline.passes(text);
    }
    ctx.shutdown().unwrap();
    assert_eq!(done.recv_timeout(WAIT).expect("the proxy returns after shutdown"), Err(Error::ETERM));
}

#[test]
fn proxy_with_capture_copies_every_message() {
    let ctx = ctx();
    let (pipeline, mut frontend, mut backend) = pipeline(&ctx, "capture");
    let mut capture = ctx.socket(zmq::PUSH).unwrap();
    capture.bind("inproc://capture-copy").unwrap();
    let copies = socket(&ctx, zmq::PULL);
    copies.connect("inproc://capture-copy").unwrap();
    let done = spawn(move || zmq::proxy_with_capture(&mut frontend, &mut backend, &mut capture));
    pipeline.input.send_multipart(["multi", "part"], 0).unwrap();
    assert_eq!(pipeline.output.recv_multipart(0).unwrap(), [b"multi".to_vec(), b"part".to_vec()]);
    assert_eq!(copies.recv_multipart(0).unwrap(), [b"multi".to_vec(), b"part".to_vec()]);
    pipeline.passes("single");
    assert_eq!(copies.recv_bytes(0).unwrap(), b"single");
    ctx.shutdown().unwrap();
    assert_eq!(done.recv_timeout(WAIT).expect("the proxy returns after shutdown"), Err(Error::ETERM));
}

/// Checks that `text`, sent while the proxy is paused, has not been forwarded: the statistics (answered by the
/// proxy between polls) show that it was not received from the frontend, and nothing reached the output.
fn held_back(control: &ProxyControl, pipeline: &Pipeline, forwarded_before: u64) {
    // Two rounds: by the second answer the proxy has seen the queued message (it was queued before the first
    // request) and, were it running, forwarded it.
    control.statistics().unwrap();
    let stats = control.statistics().unwrap();
    assert_eq!(stats.frontend.messages_received, forwarded_before, "{stats:?}");
    assert_eq!(stats.backend.messages_sent, forwarded_before, "{stats:?}");
    assert_eq!(pipeline.output.recv_bytes(zmq::DONTWAIT), Err(Error::EAGAIN), "delivered while paused");
}

#[test]
fn steerable_proxy_pauses_resumes_and_terminates() {
    let ctx = ctx();
    let (pipeline, control, done) = steered(&ctx, "steer");

    pipeline.passes("before");
    control.pause().unwrap();
    pipeline.input.send("while paused", 0).unwrap();
    held_back(&control, &pipeline, 1);
    control.resume().unwrap();
    assert_eq!(pipeline.output.recv_string(0).unwrap().unwrap(), "while paused");
    pipeline.passes("after");

    // Pausing twice and resuming twice is harmless.
    control.pause().unwrap();
    control.pause().unwrap();
    pipeline.input.send("second pause", 0).unwrap();
    held_back(&control, &pipeline, 3);
    control.resume().unwrap();
    control.resume().unwrap();
    assert_eq!(pipeline.output.recv_string(0).unwrap().unwrap(), "second pause");

    let stats = control.statistics().unwrap();
    println!("libzmq {:?}: {stats:?}", zmq::version());
    assert_eq!(stats.frontend.messages_received, 4);
    assert_eq!(
        stats.frontend.bytes_received,
        ("before".len() + "while paused".len() + "after".len() + "second pause".len()) as u64
    );
    assert_eq!((stats.frontend.messages_sent, stats.frontend.bytes_sent), (0, 0));
    assert_eq!(stats.backend.messages_sent, 4);
    assert_eq!(stats.backend.bytes_sent, stats.frontend.bytes_received);
    assert_eq!((stats.backend.messages_received, stats.backend.bytes_received), (0, 0));

    control.terminate().unwrap();
    assert_eq!(done.recv_timeout(WAIT).expect("the proxy returns after TERMINATE"), Ok(()));
}

#[test]
fn steerable_proxy_with_capture_ends_on_shutdown() {
    let ctx = ctx();
    let (pipeline, mut frontend, mut backend) = pipeline(&ctx, "steer-capture");
    let mut capture = ctx.socket(zmq::PUSH).unwrap();
    capture.bind("inproc://steer-capture-copy").unwrap();
    let copies = socket(&ctx, zmq::PULL);
    copies.connect("inproc://steer-capture-copy").unwrap();
    let (control, mut control_end) = ProxyControl::new(&ctx).unwrap();
    control.socket().set_rcvtimeo(WAIT.as_millis() as i32).unwrap();
    let done =
        spawn(move || zmq::proxy_steerable_with_capture(&mut frontend, &mut backend, &mut capture, &mut control_end));
    pipeline.passes("seen");
    assert_eq!(copies.recv_bytes(0).unwrap(), b"seen");
    let stats = control.statistics().unwrap();
    assert_eq!((stats.frontend.messages_received, stats.backend.messages_sent), (1, 1));
    // Without TERMINATE, a shutdown ends the proxy as it ends the plain one.
    ctx.shutdown().unwrap();
    assert_eq!(done.recv_timeout(WAIT).expect("the proxy returns after shutdown"), Err(Error::ETERM));
}

#[test]
fn steerable_proxy_terminates_while_paused() {
    let ctx = ctx();
    let (pipeline, control, done) = steered(&ctx, "steer-stop");
    control.pause().unwrap();
    pipeline.input.send("never forwarded", 0).unwrap();
    control.terminate().unwrap();
    assert_eq!(done.recv_timeout(WAIT).expect("the proxy returns after TERMINATE"), Ok(()));
    assert_eq!(pipeline.output.recv_bytes(zmq::DONTWAIT), Err(Error::EAGAIN));
}

/// Messages that are no command: libzmq 4.3.4 aborts the process on the first of them, 4.3.5 answers them.
const GARBAGE: [&[&str]; 6] = [&["hello"], &[""], &["pause"], &["TERMINATE", "now"], &["PAUSE", ""], &["STATISTICS "]];

#[test]
fn steerable_proxy_survives_garbage_on_a_tcp_control_socket() {
    // Anyone who can reach the control socket sends what they like. Run in a child process: libzmq 4.3.4 aborts.
    isolated("steerable_proxy_survives_garbage_on_a_tcp_control_socket", Duration::from_secs(30), || {
        let ctx = ctx();
        let (pipeline, mut frontend, mut backend) = pipeline(&ctx, "steer-tcp");
        let mut control = ctx.socket(zmq::SUB).unwrap();
        control.set_subscribe(b"").unwrap();
        control.bind("tcp://127.0.0.1:*").unwrap();
        let endpoint = control.last_endpoint().unwrap();
        // An XPUB sees the subscription arrive, so everything it sends after that reaches the control socket.
        let peer = socket(&ctx, zmq::XPUB);
        peer.connect(&endpoint).unwrap();
        let done = spawn(move || zmq::proxy_steerable(&mut frontend, &mut backend, &mut control));
        assert_eq!(peer.recv_bytes(0).unwrap(), b"\x01", "the subscription");
        for message in GARBAGE {
            peer.send_multipart(message.iter().copied(), 0).unwrap();
        }
        pipeline.passes("still forwarding");
        for message in GARBAGE {
            peer.send_multipart(message.iter().copied(), 0).unwrap();
        }
        peer.send("TERMINATE", 0).unwrap();
        assert_eq!(done.recv_timeout(WAIT).expect("the proxy returns after TERMINATE"), Ok(()));
    });
}

#[test]
fn steerable_proxy_ignores_garbage_from_its_controller() {
    isolated("steerable_proxy_ignores_garbage_from_its_controller", Duration::from_secs(30), || {
        let ctx = ctx();
        let (pipeline, control, done) = steered(&ctx, "steer-garbage");
        for message in GARBAGE {
            control.socket().send_multipart(message.iter().copied(), 0).unwrap();
            if zmq::version() == (4, 3, 5) {
                // 4.3.5 answers every command, and the binding answers what it drops in the same way.
                assert_eq!(control.socket().recv_multipart(0).unwrap(), [Vec::<u8>::new()], "{message:?}");
            }
        }
        pipeline.passes("still forwarding");
        control.pause().unwrap();
        pipeline.input.send("while paused", 0).unwrap();
        held_back(&control, &pipeline, 1);
        control.resume().unwrap();
        assert_eq!(pipeline.output.recv_string(0).unwrap().unwrap(), "while paused");
        control.terminate().unwrap();
        assert_eq!(done.recv_timeout(WAIT).expect("the proxy returns after TERMINATE"), Ok(()));
    });
}

#[test]
fn steerable_proxy_answers_a_rep_control_socket() {
    // A REP socket must answer each request before it can take the next one: every command gets an answer, so
    // the commands after it still arrive.
    let ctx = ctx();
    let (pipeline, mut frontend, mut backend) = pipeline(&ctx, "steer-rep");
    let mut control = ctx.socket(zmq::REP).unwrap();
    control.bind("inproc://steer-rep-control").unwrap();
    let client = socket(&ctx, zmq::REQ);
    client.connect("inproc://steer-rep-control").unwrap();
    let done = spawn(move || zmq::proxy_steerable(&mut frontend, &mut backend, &mut control));
    for command in ["PAUSE", "hello", "RESUME", ""] {
        client.send(command, 0).unwrap();
        assert_eq!(client.recv_multipart(0).unwrap(), [Vec::<u8>::new()], "{command:?}");
    }
    pipeline.passes("forwarding");
    client.send("STATISTICS", 0).unwrap();
    let stats = zmq::ProxyStatistics::parse(&client.recv_multipart(0).unwrap()).unwrap();
    assert_eq!(stats.frontend.messages_received, 1);
    client.send("TERMINATE", 0).unwrap();
    assert_eq!(client.recv_multipart(0).unwrap(), [Vec::<u8>::new()]);
    assert_eq!(done.recv_timeout(WAIT).expect("the proxy returns after TERMINATE"), Ok(()));
}

#[test]
fn steerable_proxy_ends_with_the_error_of_its_control_socket() {
    let ctx = ctx();
    let other = Context::builder().linger(0).build().unwrap();
    let (_pipeline, mut frontend, mut backend) = pipeline(&ctx, "steer-control-ctx");
    let mut control = other.socket(zmq::PAIR).unwrap();
    control.bind("inproc://steer-control-ctx").unwrap();
    let done = spawn(move || zmq::proxy_steerable(&mut frontend, &mut backend, &mut control));
    other.shutdown().unwrap();
    assert_eq!(done.recv_timeout(WAIT).expect("the proxy returns"), Err(Error::ETERM));
}

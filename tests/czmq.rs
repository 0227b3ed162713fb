//! Unit tests for the examples' czmq twin (`examples/czmq/`) and for the
//! helpers it shares with `examples/zhelpers/`.

#[path = "../examples/czmq/mod.rs"]
mod czmq;

use czmq::*;
use std::io::Cursor;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A connected PAIR of sockets over a fresh inproc endpoint, with receive
/// timeouts so no test can hang.
fn pair(ctx: &ZCtx, name: &str) -> (zmq::Socket, zmq::Socket) {
    let endpoint = format!("inproc://czmq-test-{name}");
    let left = zsocket_new(ctx, zmq::PAIR).unwrap();
    let right = zsocket_new(ctx, zmq::PAIR).unwrap();
    assert_eq!(zsocket_bind(&left, &endpoint).unwrap(), 0);
    zsocket_connect(&right, &endpoint).unwrap();
    for socket in [&left, &right] {
        socket.set_rcvtimeo(5000).unwrap();
        socket.set_sndtimeo(5000).unwrap();
    }
    (left, right)
}

fn frames(msg: &ZMsg) -> Vec<Vec<u8>> {
    zmsg_frames(msg).map(|frame| zframe_data(frame).to_vec()).collect()
}

#[test]
fn envelope_wrap_and_unwrap() {
    let mut msg = zmsg_new();
    zmsg_addstr(&mut msg, "body");
    zmsg_wrap(&mut msg, zframe_new(b"\x00\xffid"));
    assert_eq!(frames(&msg), [b"\x00\xffid".to_vec(), Vec::new(), b"body".to_vec()]);
    assert_eq!(zmsg_size(&msg), 3);
    assert_eq!(zmsg_content_size(&msg), 8);
    let address = zmsg_unwrap(&mut msg).unwrap();
    assert_eq!(zframe_data(&address), b"\x00\xffid");
    assert_eq!(frames(&msg), [b"body".to_vec()]);
    // No empty delimiter after the address: only the address goes
    zmsg_pushstr(&mut msg, "next");
    zmsg_pushstr(&mut msg, "addr");
    assert_eq!(zmsg_unwrap(&mut msg).map(|frame| zframe_strdup(&frame)), Some(b"addr".to_vec()));
    assert_eq!(frames(&msg), [b"next".to_vec(), b"body".to_vec()]);
}

#[test]
fn empty_messages_give_none_not_panics() {
    let mut msg = zmsg_new();
    assert!(zmsg_pop(&mut msg).is_none());
    assert!(zmsg_popstr(&mut msg).is_none());
    assert!(zmsg_unwrap(&mut msg).is_none());
    assert!(zmsg_first(&mut msg).is_none());
    assert!(zmsg_next(&mut msg).is_none());
    assert!(zmsg_last(&mut msg).is_none());
    assert_eq!(zmsg_size(&msg), 0);
    // A message of one empty frame unwraps to that frame
    zmsg_addmem(&mut msg, b"");
    assert_eq!(zmsg_unwrap(&mut msg), Some(zframe_new_empty()));
    assert_eq!(zmsg_size(&msg), 0);
}

#[test]
fn push_pop_first_next_last_dup() {
    let mut msg = zmsg_new();
    zmsg_addstr(&mut msg, "b");
    zmsg_append(&mut msg, zframe_new(b"c"));
    zmsg_pushstr(&mut msg, "a");
    zmsg_prepend(&mut msg, zframe_new(b"0"));
    zmsg_pushmem(&mut msg, b"-");
    assert_eq!(zframe_data(zmsg_first(&mut msg).unwrap()), b"-");
    assert_eq!(zframe_data(zmsg_next(&mut msg).unwrap()), b"0");
    assert_eq!(zframe_data(zmsg_next(&mut msg).unwrap()), b"a");
    zframe_reset(zmsg_last(&mut msg).unwrap(), b"C");
    let copy = zmsg_dup(&msg);
    assert_eq!(zmsg_popstr(&mut msg), Some(b"-".to_vec()));
    assert_eq!(zmsg_pop(&mut msg), Some(zframe_new(b"0")));
    zmsg_remove(&mut msg, &zframe_new(b"b"));
    assert_eq!(frames(&msg), [b"a".to_vec(), b"C".to_vec()]);
    assert_eq!(frames(&copy), [b"-", b"0", b"a", b"b", b"C"].map(|frame| frame.to_vec()));
    assert!(zmsg_next(&mut msg).is_some());
    assert!(zmsg_next(&mut msg).is_none());
    assert!(zmsg_next(&mut msg).is_none());
}

#[test]
fn frame_helpers() {
    let frame = zframe_new(b"\x01AB\xff");
    assert_eq!(zframe_size(&frame), 4);
    assert_eq!(zframe_strhex(&frame), "014142FF");
    assert!(zframe_streq(&frame, b"\x01AB\xff"));
    assert!(!zframe_streq(&frame, "AB"));
    assert!(zframe_eq(&frame, &zframe_dup(&frame)));
    assert!(streq("x", b"x"));
}

#[test]
fn dump_format_is_czmqs() {
    let mut msg = zmsg_new();
    zmsg_addstr(&mut msg, "Hello");
    zmsg_addmem(&mut msg, b"\x00\x01");
    zmsg_addmem(&mut msg, b"");
    zmsg_addmem(&mut msg, &[b'x'; 80]);
    zmsg_addmem(&mut msg, &[0u8; 40]);
    let text = String::from_utf8(zmsg_format(&msg)).unwrap();
    let expected = format!(
        "--------------------------------------\n[005] Hello\n[002] 0001\n[000] \n[080] {}...\n[040] {}...\n",
        "x".repeat(70),
        "00".repeat(35)
    );
    assert_eq!(text, expected);
    // Only the first ten frames are shown
    let mut long = zmsg_new();
    for _ in 0..12 {
        zmsg_addstr(&mut long, "f");
    }
    assert_eq!(String::from_utf8(zmsg_format(&long)).unwrap().lines().count(), 11);
}

#[test]
fn send_and_recv_keep_bytes() {
    let ctx = zctx_new();
    let (left, right) = pair(&ctx, "send-recv");
    let mut msg = zmsg_new();
    zmsg_addmem(&mut msg, b"\xff\xfe");
    zmsg_addstr(&mut msg, "");
    zmsg_addstr(&mut msg, "text");
    zmsg_send(zmsg_dup(&msg), &left).unwrap();
    let received = zmsg_recv(&right).unwrap();
    assert_eq!(received, msg);
    // The more flags follow the frames
    let more: Vec<bool> = zmsg_frames(&received).map(zframe_more).collect();
    assert_eq!(more, [true, true, false]);
    // An empty message sends nothing
    zmsg_send(zmsg_new(), &left).unwrap();
    assert!(zmsg_recv_nowait(&right).is_none());
    // Frames, with and without giving them away
    let identity = zframe_new(b"id");
    zframe_send(&identity, &left, ZFRAME_REUSE + ZFRAME_MORE).unwrap();
    zframe_send(zframe_new(b"\x02"), &left, 0).unwrap();
    assert_eq!(zframe_data(&identity), b"id");
    let first = zframe_recv(&right).unwrap();
    assert!(zframe_more(&first));
    assert_eq!(zframe_data(&first), b"id");
    assert_eq!(zframe_recv(&right).map(|frame| zframe_strdup(&frame)), Some(vec![2]));
    // Strings
    zstr_sendm(&left, "a").unwrap();
    zstr_send(&left, b"\x80").unwrap();
    assert_eq!(zstr_recv(&right), Some(b"a".to_vec()));
    assert_eq!(zstr_recv(&right), Some(b"\x80".to_vec()));
    assert_eq!(zstr_recv_nowait(&right), None);
    assert!(zframe_recv_nowait(&right).is_none());
}

#[test]
fn zstr_sendf_and_sendfm_send_formatted_frames() {
    let ctx = zctx_new();
    let (left, right) = pair(&ctx, "sendf");
    zstr_sendf(&left, "request #%d from %s", &[&7, &b"\xffA".to_vec()]).unwrap();
    let frame = zframe_recv(&right).unwrap();
    assert!(!zframe_more(&frame));
    assert_eq!(zframe_data(&frame), b"request #7 from \xffA");
    zstr_sendfm(&left, "%03d", &[&7]).unwrap();
    zstr_send(&left, "body").unwrap();
    let frame = zframe_recv(&right).unwrap();
    assert!(zframe_more(&frame));
    assert_eq!(zframe_data(&frame), b"007");
    assert_eq!(zstr_recv(&right), Some(b"body".to_vec()));
}

#[test]
fn recv_times_out_with_none() {
    let ctx = zctx_new();
    let (_left, right) = pair(&ctx, "timeout");
    right.set_rcvtimeo(50).unwrap();
    assert!(zmsg_recv(&right).is_none());
    assert!(zstr_recv(&right).is_none());
    assert!(!zsocket_poll(&right, 10));
}

#[test]
fn zsocket_bind_returns_the_tcp_port() {
    let ctx = zctx_new();
    let socket = zsocket_new(&ctx, zmq::ROUTER).unwrap();
    let port = zsocket_bind(&socket, "tcp://127.0.0.1:*").unwrap();
    assert!(port > 0);
    assert_eq!(socket.last_endpoint().unwrap(), format!("tcp://127.0.0.1:{port}"));
    assert!(zsocket_bind(&socket, "tcp://127.0.0.1:bad").is_err());
    // The context's default linger is czmq's 0
    assert_eq!(socket.get_linger().unwrap(), 0);
    zctx_set_linger(&ctx, 100);
    assert_eq!(zsocket_new(&ctx, zmq::DEALER).unwrap().get_linger().unwrap(), 100);
    zctx_set_linger(&ctx, -5);
    assert_eq!(zsocket_new(&ctx, zmq::DEALER).unwrap().get_linger().unwrap(), 100);
}

#[test]
fn save_and_load_round_trip() {
    let mut msg = zmsg_new();
    zmsg_addstr(&mut msg, "service");
    zmsg_addmem(&mut msg, b"");
    zmsg_addmem(&mut msg, &[0u8, 255, 10]);
    let mut file = Vec::new();
    zmsg_save(&msg, &mut file).unwrap();
    assert_eq!(zmsg_load(&mut Cursor::new(&file)).unwrap(), msg);
    // A cut-off file is an error
    for cut in 1..file.len() {
        let loaded = zmsg_load(&mut Cursor::new(&file[..cut]));
        assert!(loaded.is_err() || zmsg_size(&loaded.unwrap()) < 3, "cut at {cut}");
    }
    assert_eq!(zmsg_load(&mut Cursor::new(&[0u8, 0, 0])).unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
    assert_eq!(zmsg_load(&mut Cursor::new(&[0u8, 0, 0, 9, 1])).unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
    assert_eq!(zmsg_size(&zmsg_load(&mut Cursor::new(&[] as &[u8])).unwrap()), 0);
}

#[test]
fn zthread_fork_joins_by_a_pipe() {
    fn echo(greeting: String, ctx: &ZCtx, pipe: &zmq::Socket) {
        //  The child can make its own sockets on the shared context
        assert!(zsocket_new(ctx, zmq::PUB).is_ok());
        let request = zstr_recv(pipe).unwrap();
        zstr_sendm(pipe, &greeting).unwrap();
        zstr_send(pipe, request).unwrap();
    }
    let ctx = zctx_new();
    let pipe = zthread_fork(&ctx, echo, "hi".to_string()).unwrap();
    let other = zthread_fork(&ctx, echo, "ho".to_string()).unwrap();
    pipe.set_rcvtimeo(5000).unwrap();
    other.set_rcvtimeo(5000).unwrap();
    zstr_send(&pipe, "one").unwrap();
    zstr_send(&other, "two").unwrap();
    assert_eq!(frames(&zmsg_recv(&pipe).unwrap()), [b"hi".to_vec(), b"one".to_vec()]);
    assert_eq!(frames(&zmsg_recv(&other).unwrap()), [b"ho".to_vec(), b"two".to_vec()]);
}

#[test]
fn zthread_new_runs_detached() {
    let (sender, receiver) = std::sync::mpsc::channel();
    zthread_new(|sender: std::sync::mpsc::Sender<i32>| sender.send(7).unwrap(), sender).unwrap();
    assert_eq!(receiver.recv_timeout(Duration::from_secs(5)), Ok(7));
}

/// State for the reactor tests.
struct Reactor {
    input: Rc<zmq::Socket>,
    received: Vec<Vec<u8>>,
    ticks: Vec<i32>,
    timer: i32,
}

fn reactor_state(ctx: &ZCtx, name: &str) -> (zmq::Socket, Reactor) {
    let (left, right) = pair(ctx, name);
    (left, Reactor { input: Rc::new(right), received: Vec::new(), ticks: Vec::new(), timer: 0 })
}

fn on_input(_loop: &mut ZLoop<Reactor>, socket: &zmq::Socket, state: &mut Reactor) -> i32 {
    let Some(string) = zstr_recv(socket) else { return -1 };
    let stop = string == b"stop";
    state.received.push(string);
    if stop {
        -1
    } else {
        0
    }
}

#[test]
fn zloop_reader_runs_until_a_handler_returns_minus_one() {
    let ctx = zctx_new();
    let (output, mut state) = reactor_state(&ctx, "zloop-reader");
    let mut reactor = zloop_new();
    zloop_reader(&mut reactor, &state.input, on_input);
    for text in ["a", "b", "stop", "after"] {
        zstr_send(&output, text).unwrap();
    }
    assert_eq!(zloop_start(&mut reactor, &mut state), -1);
    assert_eq!(state.received, [b"a".to_vec(), b"b".to_vec(), b"stop".to_vec()]);
    // Ended readers are not called again; with nothing left, start returns 0
    zloop_reader_end(&mut reactor, &Rc::clone(&state.input));
    assert_eq!(zloop_start(&mut reactor, &mut state), 0);
    assert_eq!(state.received.len(), 3);
}

fn on_tick(reactor: &mut ZLoop<Reactor>, timer_id: i32, state: &mut Reactor) -> i32 {
    state.ticks.push(timer_id);
    if state.ticks.len() == 5 {
        zloop_timer_end(reactor, state.timer);
    }
    if state.ticks.len() >= 8 {
        -1
    } else {
        0
    }
}

#[test]
fn zloop_timers_fire_their_times_and_can_be_cancelled() {
    let ctx = zctx_new();
    let (_output, mut state) = reactor_state(&ctx, "zloop-timers");
    let mut reactor = zloop_new();
    let started = Instant::now();
    // Twice, then gone; an endless one cancelled from a handler; a third
    // that ends the loop
    let twice = zloop_timer(&mut reactor, 10, 2, on_tick);
    state.timer = zloop_timer(&mut reactor, 15, 0, on_tick);
    let last = zloop_timer(&mut reactor, 40, 0, on_tick);
    assert_eq!(zloop_start(&mut reactor, &mut state), -1);
    assert_eq!(state.ticks.iter().filter(|&&id| id == twice).count(), 2, "{:?}", state.ticks);
    assert!(state.ticks.iter().filter(|&&id| id == state.timer).count() >= 2, "{:?}", state.ticks);
    assert!(state.ticks.contains(&last), "{:?}", state.ticks);
    let position = state.ticks.iter().rposition(|&id| id == state.timer).unwrap();
    assert!(position < 5, "cancelled timer fired again: {:?}", state.ticks);
    assert!(started.elapsed() >= Duration::from_millis(40));
    assert!(started.elapsed() < Duration::from_secs(5));
}

fn on_poll(reactor: &mut ZLoop<Reactor>, item: &ZPollItem, state: &mut Reactor) -> i32 {
    assert!(item.revents.contains(zmq::POLLIN));
    let socket = item.socket.as_ref().unwrap();
    state.received.push(zstr_recv(socket).unwrap());
    // Ends itself: the next message is left for a reader
    zloop_poller_end(reactor, state.timer);
    zloop_reader(reactor, &state.input, on_input);
    0
}

#[test]
fn zloop_poller_can_replace_itself() {
    let ctx = zctx_new();
    let (output, mut state) = reactor_state(&ctx, "zloop-poller");
    let mut reactor = zloop_new();
    zloop_set_verbose(&mut reactor, false);
    let item = ZPollItem::socket(&state.input, zmq::POLLIN);
    state.timer = zloop_poller(&mut reactor, &item, on_poll);
    zstr_send(&output, "first").unwrap();
    zstr_send(&output, "stop").unwrap();
    assert_eq!(zloop_start(&mut reactor, &mut state), -1);
    assert_eq!(state.received, [b"first".to_vec(), b"stop".to_vec()]);
}

#[test]
fn zloop_with_nothing_to_do_returns() {
    let mut reactor: ZLoop<()> = zloop_new();
    assert_eq!(zloop_start(&mut reactor, &mut ()), 0);
}

#[test]
fn printf_formats_like_c() {
    assert_eq!(sprintf("I: (%s) %d%%", &[&b"\xff\x00ignored".to_vec(), &-5]), b"I: (\xff) -5%");
    assert_eq!(
        sprintf("[%03d] [%5s] [%-4d] [%04X] [%c]", &[&7, &"ab", &3, &255u32, &65]),
        b"[007] [   ab] [3   ] [00FF] [A]"
    );
    assert_eq!(sprintf("%zd msec, %.3s, %ld", &[&1000usize, &"abcdef", &-1i64]), b"1000 msec, abc, -1");
    // Missing arguments print nothing; unknown conversions print as written
    assert_eq!(sprintf("%s|%d|%q|%", &[]), b"||%q|%");
    assert_eq!(sprintf("%05d", &[&-42]), b"-0042");
}

#[test]
fn atoi_is_cs() {
    assert_eq!(atoi("200x"), 200);
    assert_eq!(atoi("  -17 apples"), -17);
    assert_eq!(atoi("+8"), 8);
    assert_eq!(atoi("x1"), 0);
    assert_eq!(atoi(""), 0);
    assert_eq!(atoi(b"\xff12"), 0);
    // glibc's atoi is (int) strtol: saturated to long, then truncated
    assert_eq!(atoi("4294967297"), 1);
    assert_eq!(atoi("99999999999999999999"), -1);
    assert_eq!(atoi("-9223372036854775808"), 0);
    assert_eq!(atoi("-99999999999999999999"), 0);
}

#[test]
fn atol_is_cs() {
    assert_eq!(atol(" 1764600000000 ms"), 1_764_600_000_000);
    assert_eq!(atol("-5"), -5);
    assert_eq!(atol("ttl"), 0);
    assert_eq!(atol("99999999999999999999"), i64::MAX);
    assert_eq!(atol("-99999999999999999999"), i64::MIN);
}

#[test]
fn zclock_moves_forward() {
    let before = zclock_time();
    zclock_sleep(20);
    zclock_sleep(-5);
    assert!(zclock_time() - before >= 20);
}

/// zhelpers.h's randof: `(int) ((float) (num) * random () / (RAND_MAX + 1.0))`,
/// on a value of random (): the product is a float.
fn c_randof(num: i32, random: i64) -> i32 {
    (f64::from(num as f32 * random as f32) / (f64::from(libc::RAND_MAX) + 1.0)) as i32
}

/// The same computed in double throughout.
fn double_randof(num: i32, random: i64) -> i32 {
    (f64::from(num) * random as f64 / (f64::from(libc::RAND_MAX) + 1.0)) as i32
}

#[test]
fn randof_gives_the_c_macros_stream() {
    // Find a seed whose stream differs between float and double within
    // 1000 draws of randof (100): the float product can round up
    let draws = 1000;
    let mut found = None;
    'seeds: for seed in 1..100_000u32 {
        srandom(seed);
        for draw in 0..draws {
            let random = czmq::zhelpers::random();
            if c_randof(100, random) != double_randof(100, random) {
                found = Some((seed, draw));
                break 'seeds;
            }
        }
    }
    let (seed, draw) = found.expect("no seed where float and double differ");
    let mut expected = Vec::new();
    srandom(seed);
    for _ in 0..=draw {
        expected.push(c_randof(100, czmq::zhelpers::random()));
    }
    srandom(seed);
    let stream: Vec<i32> = (0..=draw).map(|_| randof(100)).collect();
    assert_eq!(stream, expected, "seed {seed}, draw {draw}");
    // The float product can reach num itself, as in C
    assert_eq!(c_randof(100, i64::from(libc::RAND_MAX)), 100);
}

#[test]
fn zstr_sendf_formats_and_sendfm_continues() {
    let ctx = zctx_new();
    let (left, right) = pair(&ctx, "sendf");
    zstr_sendfm(&left, "%s-%d", &[&"fetch", &7]).unwrap();
    zstr_sendf(&left, "%ld", &[&250000i64]).unwrap();
    let first = zframe_recv(&right).unwrap();
    assert_eq!(zframe_data(&first), b"fetch-7");
    assert!(zframe_more(&first));
    let second = zframe_recv(&right).unwrap();
    assert_eq!(zframe_data(&second), b"250000");
    assert!(!zframe_more(&second));
}

#[test]
fn zsocket_sndhwm_and_sndtimeo_bound_a_send() {
    let ctx = zctx_new();
    let dealer = zsocket_new(&ctx, zmq::DEALER).unwrap();
    zsocket_set_sndhwm(&dealer, 2).unwrap();
    zsocket_set_sndtimeo(&dealer, 0).unwrap();
    assert_eq!(dealer.get_sndhwm().unwrap(), 2);
    assert_eq!(dealer.get_sndtimeo().unwrap(), 0);
    // A connected pipe with no peer yet holds SNDHWM messages, then refuses at once
    zsocket_connect(&dealer, "inproc://czmq-test-sndhwm-nobody").unwrap();
    let started = Instant::now();
    assert!(zstr_send(&dealer, "one").is_ok());
    assert!(zstr_send(&dealer, "two").is_ok());
    assert_eq!(zstr_send(&dealer, "three"), Err(zmq::Error::EAGAIN));
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(zsocket_set_sndtimeo(&dealer, -2).is_err());
}

#[test]
fn zsocket_rcvmore_follows_the_frames_of_a_message() {
    let ctx = zctx_new();
    let (left, right) = pair(&ctx, "rcvmore");
    assert!(!zsocket_rcvmore(&right));
    zstr_sendm(&left, "first").unwrap();
    zstr_send(&left, "last").unwrap();
    assert_eq!(zstr_recv(&right), Some(b"first".to_vec()));
    assert!(zsocket_rcvmore(&right));
    assert_eq!(zstr_recv(&right), Some(b"last".to_vec()));
    assert!(!zsocket_rcvmore(&right));
}

#[test]
fn s_recv_more_and_s_drop_rest_keep_to_one_message() {
    let ctx = zctx_new();
    let (left, right) = pair(&ctx, "recv-more");
    // A short message: the frame after its last is not read from the next message
    zstr_send(&left, "only").unwrap();
    zstr_send(&left, "next").unwrap();
    assert_eq!(zstr_recv(&right), Some(b"only".to_vec()));
    assert_eq!(s_recv_more(&right), None);
    assert_eq!(zstr_recv(&right), Some(b"next".to_vec()));
    // A long message: the rest is dropped, the next message is read whole
    left.send_multipart(["a", "b", "c", "d"], 0).unwrap();
    zstr_send(&left, "after").unwrap();
    assert_eq!(zstr_recv(&right), Some(b"a".to_vec()));
    assert_eq!(s_recv_more(&right), Some(b"b".to_vec()));
    s_drop_rest(&right);
    assert_eq!(zstr_recv(&right), Some(b"after".to_vec()));
    assert!(!zsocket_rcvmore(&right));
    // Nothing left to drop: returns at once
    s_drop_rest(&right);
}

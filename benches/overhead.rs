//! The binding's own cost: each safe operation timed against the same libzmq calls made raw through `zmq-sys`, in
//! one run, interleaved. `cargo bench --bench overhead` prints ns/op for both and their ratio (1.00 = free).
//!
//! Method: for each operation, 15 rounds alternate raw and safe; a round times a batch sized to ~20 ms; the
//! report is the median ns/op of each side and the spread (min..max) of the per-round ratios.

use std::hint::black_box;
use std::os::raw::{c_int, c_void};
use std::ptr::null_mut as null;
use std::time::{Duration, Instant};

const ROUNDS: usize = 15;

fn ns_per_op(batch: u64, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..batch {
        f();
    }
    start.elapsed().as_nanos() as f64 / batch as f64
}

/// Picks a batch size that takes about 20 ms for `f`.
fn calibrate(mut f: impl FnMut()) -> u64 {
    let mut batch = 64u64;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        if start.elapsed() > Duration::from_millis(20) || batch > 1 << 26 {
            return batch;
        }
        batch *= 2;
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn compare(name: &str, mut raw: impl FnMut(), mut safe: impl FnMut()) {
    let batch = calibrate(&mut raw);
    let (mut raws, mut safes, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let r = ns_per_op(batch, &mut raw);
        let s = ns_per_op(batch, &mut safe);
        raws.push(r);
        safes.push(s);
        ratios.push(s / r);
    }
    let (r, s) = (median(&mut raws), median(&mut safes));
    let lo = ratios.iter().cloned().fold(f64::MAX, f64::min);
    let hi = ratios.iter().cloned().fold(f64::MIN, f64::max);
    println!("| {name:<34} | {r:>9.1} | {s:>9.1} | {:>5.2} | {lo:.2}..{hi:.2} |", s / r);
}

fn main() {
    // `cargo test --benches` runs benches in test mode with `--bench` absent: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    if quick {
        println!("overhead: run with `cargo bench --bench overhead` for numbers");
        return;
    }
    let (major, minor, patch) = zmq::version();
    println!("libzmq {major}.{minor}.{patch}; median ns/op over {ROUNDS} interleaved rounds\n");
    println!("| operation                          |  raw (ns) | safe (ns) | safe/raw | ratio spread |");
    println!("|------------------------------------|-----------|-----------|-------|--------------|");

    compare(
        "message create + drop (empty)",
        // SAFETY: init then close one stack message.
        || unsafe {
            let mut m = std::mem::MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
            zmq_sys::zmq_msg_init(m.as_mut_ptr());
            zmq_sys::zmq_msg_close(black_box(m.as_mut_ptr()));
        },
        || drop(black_box(zmq::Message::new())),
    );
    let data = [7u8; 64];
    compare(
        "message from 64 B + drop",
        // SAFETY: the message has 64 writable bytes; it is closed once.
        || unsafe {
            let mut m = std::mem::MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
            zmq_sys::zmq_msg_init_size(m.as_mut_ptr(), data.len());
            std::ptr::copy_nonoverlapping(data.as_ptr(), zmq_sys::zmq_msg_data(m.as_mut_ptr()) as *mut u8, 64);
            zmq_sys::zmq_msg_close(black_box(m.as_mut_ptr()));
        },
        || drop(black_box(zmq::Message::from(&data[..]))),
    );

    // Clone copies the bytes (zmq_msg_copy would write to a source other threads may read): its price against
    // the reference-counted zmq_msg_copy, by size. `share` is the zero-copy way and costs what zmq_msg_copy costs.
    for size in [64usize, 1024, 64 * 1024] {
        let mut source = zmq::Message::from(vec![5u8; size]);
        let raw_source = source.as_mut_msg_ptr();
        compare(
            &format!("clone a {size} B message + drop"),
            // SAFETY: `raw_source` is the initialised message above, used on this thread only; the copy is closed.
            || unsafe {
                let mut m = std::mem::MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
                zmq_sys::zmq_msg_init(m.as_mut_ptr());
                zmq_sys::zmq_msg_copy(m.as_mut_ptr(), raw_source);
                zmq_sys::zmq_msg_close(black_box(m.as_mut_ptr()));
            },
            || drop(black_box(source.clone())),
        );
    }
    let mut source = zmq::Message::from(vec![5u8; 1024]);
    let raw_source = source.as_mut_msg_ptr();
    compare(
        "share a 1024 B message + drop",
        // SAFETY: as above.
        || unsafe {
            let mut m = std::mem::MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
            zmq_sys::zmq_msg_init(m.as_mut_ptr());
            zmq_sys::zmq_msg_copy(m.as_mut_ptr(), raw_source);
            zmq_sys::zmq_msg_close(black_box(m.as_mut_ptr()));
        },
        || drop(black_box(source.share())),
    );

    let ctx = zmq::Context::new();
    let push = ctx.socket(zmq::PUSH).unwrap();
    let pull = ctx.socket(zmq::PULL).unwrap();
    pull.bind("inproc://overhead").unwrap();
    push.connect("inproc://overhead").unwrap();
    let (raw_push, raw_pull) = (push.as_raw(), pull.as_raw());
    let mut raw_msg = std::mem::MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
    // SAFETY: initialises the reused raw message; closed at the end of main.
    unsafe { zmq_sys::zmq_msg_init(raw_msg.as_mut_ptr()) };
    let mut msg = zmq::Message::new();
    let one = [1u8; 1];
    compare(
        "send + recv 1 B over inproc",
        // SAFETY: both raw sockets are open for the whole benchmark; the message is initialised.
        || unsafe {
            zmq_sys::zmq_send(raw_push, one.as_ptr() as *const c_void, 1, 0);
            zmq_sys::zmq_msg_recv(raw_msg.as_mut_ptr(), raw_pull, 0);
        },
        || {
            push.send(&one[..], 0).unwrap();
            pull.recv(&mut msg, 0).unwrap();
        },
    );
    #[cfg(feature = "tokio")]
    async_rows(&ctx);
    // One immutable 1 MiB payload sent again and again: C's floor is constant data (zmq_msg_init_data without a
    // free function: no allocation, no reference count). `from_static` is that call; `share` of one zero-copy
    // message costs a reference-count increment and decrement; `from_owned` per message allocates a boxed owner
    // and libzmq's reference-count block, and frees both when the receiver closes the message.
    static PAYLOAD: [u8; 1 << 20] = [9u8; 1 << 20];
    let shared: std::sync::Arc<[u8]> = PAYLOAD.to_vec().into();
    let mut template = zmq::Message::from_owned(shared.clone());
    let constant_send_recv = || {
        // SAFETY: the payload is static and never written; both raw sockets are open; the message is initialised.
        unsafe {
            let mut m = std::mem::MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
            zmq_sys::zmq_msg_init_data(m.as_mut_ptr(), PAYLOAD.as_ptr() as *mut c_void, PAYLOAD.len(), None, null());
            zmq_sys::zmq_msg_send(m.as_mut_ptr(), raw_push, 0);
            zmq_sys::zmq_msg_recv(raw_msg.as_mut_ptr(), raw_pull, 0);
        }
    };
    let mut constant_send_recv = constant_send_recv;
    compare("send + recv 1 MiB shared: from_static", &mut constant_send_recv, || {
        push.send(zmq::Message::from_static(&PAYLOAD), 0).unwrap();
        pull.recv(&mut msg, 0).unwrap();
    });
    compare("send + recv 1 MiB shared: share()", &mut constant_send_recv, || {
        push.send(template.share(), 0).unwrap();
        pull.recv(&mut msg, 0).unwrap();
    });
    compare("send + recv 1 MiB shared: from_owned(Arc)", &mut constant_send_recv, || {
        push.send(zmq::Message::from_owned(shared.clone()), 0).unwrap();
        pull.recv(&mut msg, 0).unwrap();
    });
    // The same against C making share()'s calls: one message, a zmq_msg_copy of it per send.
    // With a free function (one that keeps the static payload) libzmq counts references, as for `template`.
    unsafe extern "C" fn keep(_data: *mut c_void, _hint: *mut c_void) {}
    let mut raw_template = std::mem::MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
    // SAFETY: a zero-copy message over the static payload; closed below, after its last use.
    unsafe {
        zmq_sys::zmq_msg_init_data(
            raw_template.as_mut_ptr(),
            PAYLOAD.as_ptr() as *mut c_void,
            1 << 20,
            Some(keep),
            null(),
        )
    };
    compare(
        "send + recv 1 MiB: share() vs C msg_copy",
        // SAFETY: both messages are initialised; the sockets are open.
        || unsafe {
            let mut m = std::mem::MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
            zmq_sys::zmq_msg_init(m.as_mut_ptr());
            zmq_sys::zmq_msg_copy(m.as_mut_ptr(), raw_template.as_mut_ptr());
            zmq_sys::zmq_msg_send(m.as_mut_ptr(), raw_push, 0);
            zmq_sys::zmq_msg_recv(raw_msg.as_mut_ptr(), raw_pull, 0);
        },
        || {
            push.send(template.share(), 0).unwrap();
            pull.recv(&mut msg, 0).unwrap();
        },
    );
    // SAFETY: closes the message initialised above, once.
    unsafe { zmq_sys::zmq_msg_close(raw_template.as_mut_ptr()) };
    compare(
        "set + get an int option (SNDHWM)",
        // SAFETY: the option values are ints of the given size; the socket is open.
        || unsafe {
            let mut v: c_int = 1000;
            let mut size = std::mem::size_of::<c_int>();
            zmq_sys::zmq_setsockopt(raw_push, zmq_sys::ZMQ_SNDHWM as c_int, &v as *const c_int as *const c_void, size);
            zmq_sys::zmq_getsockopt(
                raw_push,
                zmq_sys::ZMQ_SNDHWM as c_int,
                &mut v as *mut c_int as *mut c_void,
                &mut size,
            );
            black_box(v);
        },
        || {
            push.set_sndhwm(1000).unwrap();
            black_box(push.get_sndhwm().unwrap());
        },
    );
    compare(
        "poll one socket (nothing ready)",
        // SAFETY: one poll item for an open socket.
        || unsafe {
            let mut item =
                zmq_sys::zmq_pollitem_t { socket: raw_pull, fd: 0, events: zmq_sys::ZMQ_POLLIN as i16, revents: 0 };
            black_box(zmq_sys::zmq_poll(&mut item, 1, 0));
        },
        || {
            black_box(pull.poll(zmq::POLLIN, 0).unwrap());
        },
    );
    // SAFETY: closes the message initialised above, once.
    unsafe { zmq_sys::zmq_msg_close(raw_msg.as_mut_ptr()) };
}

/// `AsyncSocket` against the blocking calls when the operation can complete at once (the message is there, the
/// pipe has room): the cost of the async path itself, each future polled once with a no-op waker.
#[cfg(feature = "tokio")]
fn async_rows(ctx: &zmq::Context) {
    use std::future::Future;
    use std::task::{Context, Poll};

    fn now<T>(future: impl Future<Output = zmq::Result<T>>) -> T {
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut Context::from_waker(futures::task::noop_waker_ref())) {
            Poll::Ready(result) => result.unwrap(),
            Poll::Pending => panic!("the operation had to wait"),
        }
    }

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _entered = runtime.enter();
    let (pull, push) = (ctx.socket(zmq::PULL).unwrap(), ctx.socket(zmq::PUSH).unwrap());
    pull.bind("inproc://overhead-async-blocking").unwrap();
    push.connect("inproc://overhead-async-blocking").unwrap();
    let (apull, apush) =
        (zmq::AsyncSocket::new(ctx, zmq::PULL).unwrap(), zmq::AsyncSocket::new(ctx, zmq::PUSH).unwrap());
    apull.bind("inproc://overhead-async").unwrap();
    apush.connect("inproc://overhead-async").unwrap();
    let (mut msg, mut amsg) = (zmq::Message::new(), zmq::Message::new());
    let one = [1u8; 1];
    compare(
        "async send + recv 1 B (vs blocking)",
        || {
            push.send(&one[..], 0).unwrap();
            pull.recv(&mut msg, 0).unwrap();
        },
        || {
            now(apush.send(&one[..], 0));
            now(apull.recv(&mut amsg));
        },
    );
    let (mut frames, mut aframes) = (Vec::new(), Vec::new());
    compare(
        "async 3-frame multipart (vs blocking)",
        || {
            push.send_multipart([&one[..], &one[..], &one[..]], 0).unwrap();
            pull.recv_multipart_into(&mut frames, 0).unwrap();
        },
        || {
            now(apush.send_multipart([&one[..], &one[..], &one[..]], 0));
            now(apull.recv_multipart_into(&mut aframes));
        },
    );
}

//! The hot path allocates nothing per message: receiving into a reused `Message` and sending borrowed bytes cost
//! no heap allocation on the Rust side (a counting global allocator sees every Rust allocation; libzmq's own
//! `malloc`s for messages above its inline size are the same as in C and not counted here).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);

// SAFETY: forwards to the system allocator; the counters are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn count<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let out = f();
    COUNTING.store(false, Ordering::SeqCst);
    (out, ALLOCATIONS.load(Ordering::SeqCst))
}

/// One test only, so no other test thread allocates while we count.
#[test]
fn steady_state_send_and_receive_allocate_nothing() {
    let ctx = zmq::Context::new();
    let push = ctx.socket(zmq::PUSH).unwrap();
    let pull = ctx.socket(zmq::PULL).unwrap();
    pull.set_rcvtimeo(5000).unwrap();
    pull.bind("inproc://alloc").unwrap();
    push.connect("inproc://alloc").unwrap();
    let payload_small = [7u8; 16];
    let payload_large = vec![9u8; 64 * 1024];
    let mut msg = zmq::Message::new();
    let mut frames = Vec::new();
    // Warm up: pipes, queues and the multipart vector reach their steady state.
    for _ in 0..100 {
        push.send(&payload_small[..], 0).unwrap();
        pull.recv(&mut msg, 0).unwrap();
        push.send_multipart([&payload_small[..], &payload_small[..]], 0).unwrap();
        pull.recv_multipart_into(&mut frames, 0).unwrap();
    }
    let n = 10_000;
    let ((), allocations) = count(|| {
        for _ in 0..n {
            push.send(&payload_small[..], 0).unwrap();
            pull.recv(&mut msg, 0).unwrap();
            push.send(&payload_large[..], 0).unwrap();
            pull.recv(&mut msg, 0).unwrap();
            push.send_multipart([&payload_small[..], &payload_small[..]], 0).unwrap();
            pull.recv_multipart_into(&mut frames, 0).unwrap();
        }
    });
    println!("{allocations} Rust heap allocations for {} messages", n * 4);
    assert_eq!(allocations, 0, "the hot path allocated {allocations} times for {} messages", n * 4);
    assert_eq!(msg.len(), payload_large.len());
}

//! `zmq::Timers`: handlers run in order and as often as their intervals say; cancel, reset and set_interval; a
//! panicking handler. Every loop sleeps exactly as long as `Timers::timeout` says and is bounded by a deadline.

mod isolated;

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

use isolated::isolated;
use zmq::{Error, TimerId, Timers};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Sleeps until the next timer is due and runs the due handlers, `rounds` times (failing after 10 s).
fn run(timers: &mut Timers<'_>, rounds: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    for _ in 0..rounds {
        assert!(Instant::now() < deadline, "timers did not fire in time");
        let wait = timers.timeout().expect("a timer is pending");
        std::thread::sleep(wait);
        timers.execute().unwrap();
    }
}

/// Runs the timers until `done` says so.
fn run_until(timers: &mut Timers<'_>, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timers did not fire in time");
        run(timers, 1);
    }
}

fn count(log: &RefCell<Vec<TimerId>>, id: TimerId) -> usize {
    log.borrow().iter().filter(|&&x| x == id).count()
}

#[test]
fn timers_fire_in_order_of_their_due_time() {
    let log = RefCell::new(Vec::new());
    let mut timers = Timers::new();
    let slow = timers.add(ms(30), |id| log.borrow_mut().push(id)).unwrap();
    let fast = timers.add(ms(10), |id| log.borrow_mut().push(id)).unwrap();
    assert_ne!(slow, fast);
    assert!(timers.timeout().unwrap() <= ms(10));
    run_until(&mut timers, || count(&log, slow) == 1);
    drop(timers);
    let log = log.into_inner();
    // The 10 ms timer fires first; before the 30 ms one it fires once or twice (twice unless this thread was
    // delayed by 10 ms or more), never three times: its third turn is due at 30 ms at the earliest, and a timer
    // added earlier goes first at equal times.
    assert_eq!(log[0], fast, "{log:?}");
    let before_slow = log.iter().position(|&id| id == slow).unwrap();
    assert!((1..=2).contains(&before_slow), "{log:?}");
    assert!(log[..before_slow].iter().all(|&id| id == fast));
}

#[test]
fn handlers_repeat_until_cancelled() {
    let log = RefCell::new(Vec::new());
    let mut timers = Timers::new();
    let id = timers.add(ms(5), |id| log.borrow_mut().push(id)).unwrap();
    // One timer fires at most once per execute: the count steps 1, 2, 3, 4.
    run_until(&mut timers, || count(&log, id) == 4);
    timers.cancel(id).unwrap();
    assert_eq!(timers.timeout(), None, "no timer left");
    assert_eq!(timers.execute(), Ok(()));
    assert!(timers.is_empty());
    assert_eq!(timers.cancel(id), Err(Error::EINVAL));
    assert_eq!(timers.reset(id), Err(Error::EINVAL));
    assert_eq!(timers.set_interval(id, ms(5)), Err(Error::EINVAL));
    drop(timers);
    assert_eq!(log.into_inner(), vec![id; 4]);
}

#[test]
fn cancelled_timers_never_fire_again() {
    let log = RefCell::new(Vec::new());
    let mut timers = Timers::new();
    let a = timers.add(ms(10), |id| log.borrow_mut().push(id)).unwrap();
    let b = timers.add(ms(10), |id| log.borrow_mut().push(id)).unwrap();
    timers.cancel(a).unwrap();
    run_until(&mut timers, || count(&log, b) == 3);
    timers.cancel(b).unwrap();
    let c = timers.add(ms(5), |id| log.borrow_mut().push(id)).unwrap();
    run_until(&mut timers, || count(&log, c) == 3);
    drop(timers);
    assert_eq!((count(&log, a), count(&log, b), count(&log, c)), (0, 3, 3), "{:?}", log.borrow());
}

#[test]
fn reset_restarts_a_timer() {
    let log = RefCell::new(Vec::new());
    let mut timers = Timers::new();
    let watchdog = timers.add(ms(200), |id| log.borrow_mut().push(id)).unwrap();
    let ticker = timers.add(ms(20), |id| log.borrow_mut().push(id)).unwrap();
    // Each time the ticker fires, push the watchdog back: it does not fire meanwhile.
    let mut last_reset = Instant::now();
    for n in 1..=12 {
        run_until(&mut timers, || count(&log, ticker) == n);
        timers.reset(watchdog).unwrap();
        last_reset = Instant::now();
    }
    assert_eq!(count(&log, watchdog), 0, "the watchdog fired despite the resets");
    // Left alone, it fires a full interval after the last reset.
    run_until(&mut timers, || count(&log, watchdog) == 1);
    assert!(last_reset.elapsed() >= ms(199), "{:?} after the reset", last_reset.elapsed());
}

#[test]
fn set_interval_changes_the_period() {
    let log = RefCell::new(Vec::new());
    let mut timers = Timers::new();
    let slow = timers.add(Duration::from_secs(1000), |id| log.borrow_mut().push(id)).unwrap();
    let reference = timers.add(ms(50), |id| log.borrow_mut().push(id)).unwrap();
    timers.set_interval(slow, ms(10)).unwrap();
    // Now `slow` fires every 10 ms: one to four times before `reference` fires at 50 ms.
    run_until(&mut timers, || count(&log, reference) == 1);
    let before = log.borrow().iter().position(|&id| id == reference).unwrap();
    assert!((1..=4).contains(&before), "{:?}", log.borrow());
    let id = timers.add(ms(1), |_| ()).unwrap();
    assert_eq!(timers.set_interval(id, Duration::ZERO), Err(Error::EINVAL), "libzmq would spin on it");
}

#[test]
fn timeout_reports_the_next_due_time() {
    let mut timers = Timers::new();
    assert_eq!((timers.timeout(), timers.timeout_ms()), (None, -1));
    let start = Instant::now();
    timers.add(Duration::from_secs(60), |_| ()).unwrap();
    let id = timers.add(Duration::from_secs(2), |_| ()).unwrap();
    let left = timers.timeout().unwrap();
    assert!(left <= Duration::from_secs(2) && left + start.elapsed() + ms(5) >= Duration::from_secs(2), "{left:?}");
    assert!(timers.timeout_ms() <= 2000);
    timers.cancel(id).unwrap();
    assert!(timers.timeout().unwrap() > Duration::from_secs(50));
    // Nothing is due: execute runs nothing.
    assert_eq!(timers.execute(), Ok(()));
    assert_eq!(timers.len(), 1);
}

#[test]
fn a_panicking_handler_unwinds_out_of_execute_not_through_libzmq() {
    let count = RefCell::new(0);
    let mut timers = Timers::new();
    timers.add(ms(5), |_| panic!("handler failed")).unwrap();
    let steady = timers.add(ms(5), |_| *count.borrow_mut() += 1).unwrap();
    std::thread::sleep(timers.timeout().unwrap());
    let caught = panic::catch_unwind(AssertUnwindSafe(|| timers.execute()));
    let message = caught.expect_err("the panic reaches the caller");
    assert_eq!(message.downcast_ref::<&str>(), Some(&"handler failed"));
    // The handlers due after the panicking one were skipped; the set stays usable.
    timers.cancel(steady).unwrap();
    assert_eq!(timers.len(), 1);
    drop(timers);
    assert_eq!(count.into_inner(), 0);
}

#[test]
fn handlers_are_dropped_with_their_timer() {
    use std::rc::Rc;
    let token = Rc::new(());
    let mut timers = Timers::new();
    let held = Rc::clone(&token);
    let id = timers.add(ms(100), move |_| drop(Rc::clone(&held))).unwrap();
    let held = Rc::clone(&token);
    timers.add(ms(100), move |_| drop(Rc::clone(&held))).unwrap();
    assert_eq!(Rc::strong_count(&token), 3);
    timers.cancel(id).unwrap();
    assert_eq!(Rc::strong_count(&token), 2, "cancel drops the handler");
    drop(timers);
    assert_eq!(Rc::strong_count(&token), 1, "dropping the set drops the rest");
}

/// Checks that a timer of `interval` (added or changed to it) is not due: `execute` returns without running it and
/// the time left is over a year.
fn stays_pending(timers: &mut Timers<'_>, calls: &Cell<u32>, interval: u64) {
    timers.execute().unwrap();
    assert_eq!(calls.get(), 0, "a timer of {interval} ms ran at once");
    let left = timers.timeout().unwrap();
    assert!(left > Duration::from_secs(366 * 24 * 3600), "{interval} ms: due in {left:?}");
}

#[test]
fn intervals_beyond_libzmq_clock_are_rejected() {
    // Run in a child process: libzmq 4.3 spins forever in execute() on an interval that wraps its clock.
    isolated("intervals_beyond_libzmq_clock_are_rejected", Duration::from_secs(10), || {
        let calls = Cell::new(0);
        let mut timers = Timers::new();
        let huge = [u64::MAX, 1 << 63, i64::MAX as u64 + 1, i64::MAX as u64, 1 << 62, 1 << 40];
        for interval in huge {
            match timers.add(Duration::from_millis(interval), |_| calls.set(calls.get() + 1)) {
                Err(err) => assert_eq!(err, Error::EINVAL, "{interval} ms"),
                Ok(id) => {
                    stays_pending(&mut timers, &calls, interval);
                    timers.cancel(id).unwrap();
                }
            }
        }
        let id = timers.add(ms(1), |_| calls.set(calls.get() + 1)).unwrap();
        for interval in huge {
            match timers.set_interval(id, Duration::from_millis(interval)) {
                Err(err) => assert_eq!(err, Error::EINVAL, "{interval} ms"),
                Ok(()) => stays_pending(&mut timers, &calls, interval),
            }
        }
        // Those that overflow libzmq's millisecond clock or its `long` time left are the ones refused.
        for interval in [Duration::from_millis(u64::MAX), Duration::from_millis(1 << 63), Duration::MAX] {
            assert_eq!(timers.add(interval, |_| ()), Err(Error::EINVAL), "{interval:?}");
            assert_eq!(timers.set_interval(id, interval), Err(Error::EINVAL), "{interval:?}");
        }
        timers.add(Duration::from_millis(i64::MAX as u64), |_| ()).unwrap();
    });
}

//! Timers: libzmq's timer set (zmq_timers(3)) with Rust closures as handlers.
//!
//! A [`Timers`] set holds repeating timers; nothing runs by itself. An event loop asks [`Timers::timeout`] how long
//! it may wait (e.g. as the timeout of [`crate::poll`]) and then calls [`Timers::execute`], which runs the handlers
//! of the timers that are due, on the calling thread.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::os::raw::{c_int, c_long, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::time::Duration;

use crate::error::{check, Error, Result};

/// Identifies a timer of a [`Timers`] set. libzmq numbers timers from 1 and never reuses a number within a set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(i32);

impl TimerId {
    /// libzmq's number for the timer.
    pub fn to_raw(self) -> i32 {
        self.0
    }
}

type Handler<'a> = Box<dyn FnMut(TimerId) + 'a>;

thread_local! {
    /// The first panic of a handler during the current `execute` on this thread, re-raised when libzmq returns.
    static PANIC: RefCell<Option<Box<dyn Any + Send>>> = const { RefCell::new(None) };
}

/// Called by libzmq for a due timer. Never unwinds: a panic of the handler is caught and stored for `execute` to
/// re-raise; once one handler has panicked, the handlers still due in the same `execute` are skipped.
unsafe extern "C" fn trampoline(timer_id: c_int, arg: *mut c_void) {
    if PANIC.with(|p| p.borrow().is_some()) {
        return;
    }
    // SAFETY: `arg` is the `Box<Handler>` that `Timers::add` leaked for this timer; it is freed only by `cancel`
    // (after which libzmq never calls it again) or by dropping the set, and never while `execute` runs, since both
    // need `&mut Timers` as `execute` does. Nothing else refers to it, so the `&mut` is unique.
    let handler = unsafe { &mut *(arg as *mut Handler<'static>) };
    if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| handler(TimerId(timer_id)))) {
        PANIC.with(|p| *p.borrow_mut() = Some(payload));
    }
}

/// A set of repeating timers whose handlers are Rust closures (zmq_timers(3)).
///
/// Timers repeat at their interval until cancelled; [`execute`](Timers::execute) runs the due ones. Like other
/// libzmq objects a set belongs to one thread (it is neither `Send` nor `Sync`). Handlers may borrow from the
/// enclosing scope (`'a`); they are dropped with the set or when their timer is cancelled.
///
/// ```
/// use std::cell::Cell;
/// use std::time::Duration;
/// let fired = Cell::new(0);
/// let mut timers = zmq::Timers::new();
/// let id = timers.add(Duration::from_millis(5), |_| fired.set(fired.get() + 1)).unwrap();
/// while fired.get() < 3 {
///     std::thread::sleep(timers.timeout().unwrap());
///     timers.execute().unwrap();
/// }
/// timers.cancel(id).unwrap();
/// assert_eq!(timers.timeout(), None);
/// ```
pub struct Timers<'a> {
    raw: NonNull<c_void>,
    /// The leaked `Box<Handler>` of every live timer, by id.
    handlers: HashMap<i32, *mut Handler<'a>>,
    /// How many timers libzmq has added: it numbers them with a C int counter, which must not overflow.
    issued: i32,
    /// Not Send/Sync (libzmq timers are single-threaded), and handlers borrow for `'a`.
    _marker: PhantomData<(*mut (), Handler<'a>)>,
}

impl std::fmt::Debug for Timers<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timers").field("raw", &self.raw).field("timers", &self.handlers.len()).finish()
    }
}

impl Default for Timers<'_> {
    fn default() -> Self {
        Timers::new()
    }
}

/// A timer interval in whole milliseconds (rounded up). Refused with `EINVAL`: zero (libzmq would run such a timer
/// again and again within one `execute`), and more than `c_long::MAX` ms (about 292 million years on 64-bit
/// Linux, 24.8 days where a C long has 32 bits): libzmq adds the interval to its millisecond clock and reports the
/// time left as a C `long`, so a larger interval wraps its clock (the timer becomes due at once and `execute`
/// spins on it forever) or its time left (reported as 0 while the timer never fires).
fn interval_ms(interval: Duration) -> Result<usize> {
    let ms = interval.as_millis() + u128::from(interval.subsec_nanos() % 1_000_000 != 0);
    match usize::try_from(ms) {
        Ok(ms) if ms > 0 && ms as u128 <= c_long::MAX as u128 => Ok(ms),
        _ => Err(Error::EINVAL),
    }
}

impl<'a> Timers<'a> {
    /// Creates an empty set. Calls zmq_timers_new(3); panics only if libzmq cannot allocate it.
    #[doc(alias = "zmq_timers_new")]
    pub fn new() -> Timers<'a> {
        // SAFETY: zmq_timers_new takes no arguments and returns a new set (NULL only when out of memory).
        let raw = NonNull::new(unsafe { zmq_sys::zmq_timers_new() }).expect("zmq_timers_new: out of memory");
        Timers { raw, handlers: HashMap::new(), issued: 0, _marker: PhantomData }
    }

    /// Adds a timer that calls `handler` every `interval` (rounded up to whole milliseconds), first `interval` from
    /// now. Zero and intervals beyond what libzmq's clock can hold (more than `c_long::MAX` milliseconds) give
    /// `EINVAL`. A set hands out `i32::MAX` timers over its life (libzmq numbers them with a C int and never
    /// reuses a number); after that `add` fails with `EMFILE`. Calls zmq_timers_add(3).
    #[doc(alias = "zmq_timers_add")]
    pub fn add<F>(&mut self, interval: Duration, handler: F) -> Result<TimerId>
    where
        F: FnMut(TimerId) + 'a,
    {
        let interval = interval_ms(interval)?;
        if self.issued == i32::MAX {
            // libzmq's next number would overflow its int: undefined behaviour, and -1 would read as a failure.
            return Err(Error::EMFILE);
        }
        let handler: *mut Handler<'a> = Box::into_raw(Box::new(Box::new(handler)));
        // SAFETY: the set is live; `handler` stays valid until cancel/drop frees it, and the trampoline only uses it
        // within `execute`.
        let rc = unsafe { zmq_sys::zmq_timers_add(self.raw.as_ptr(), interval, Some(trampoline), handler.cast()) };
        match check(rc) {
            Ok(id) => {
                self.issued += 1;
                self.handlers.insert(id, handler);
                Ok(TimerId(id))
            }
            Err(err) => {
                // SAFETY: libzmq did not keep the pointer; we own the box again.
                drop(unsafe { Box::from_raw(handler) });
                Err(err)
            }
        }
    }

    fn known(&self, id: TimerId) -> Result<()> {
        if self.handlers.contains_key(&id.0) {
            Ok(())
        } else {
            Err(Error::EINVAL)
        }
    }

    /// Cancels a timer and drops its handler; `EINVAL` if the set has no such timer (e.g. cancelled already).
    /// Calls zmq_timers_cancel(3).
    #[doc(alias = "zmq_timers_cancel")]
    pub fn cancel(&mut self, id: TimerId) -> Result<()> {
        self.known(id)?;
        // SAFETY: the set is live.
        check(unsafe { zmq_sys::zmq_timers_cancel(self.raw.as_ptr(), id.0) })?;
        if let Some(handler) = self.handlers.remove(&id.0) {
            // SAFETY: libzmq never calls a cancelled timer again; the box came from `add`.
            drop(unsafe { Box::from_raw(handler) });
        }
        Ok(())
    }

    /// Changes a timer's interval (rounded up to whole milliseconds; zero and more than `c_long::MAX` milliseconds
    /// give `EINVAL`, as in [`Timers::add`]) and restarts it: it next fires `interval` from now.
    /// Calls zmq_timers_set_interval(3).
    #[doc(alias = "zmq_timers_set_interval")]
    pub fn set_interval(&mut self, id: TimerId, interval: Duration) -> Result<()> {
        let interval = interval_ms(interval)?;
        self.known(id)?;
        // SAFETY: the set is live.
        check(unsafe { zmq_sys::zmq_timers_set_interval(self.raw.as_ptr(), id.0, interval) }).map(drop)
    }

    /// Restarts a timer: it next fires one interval from now. Calls zmq_timers_reset(3).
    #[doc(alias = "zmq_timers_reset")]
    pub fn reset(&mut self, id: TimerId) -> Result<()> {
        self.known(id)?;
        // SAFETY: the set is live.
        check(unsafe { zmq_sys::zmq_timers_reset(self.raw.as_ptr(), id.0) }).map(drop)
    }

    /// How long until the next timer is due (zero if one is overdue); `None` when the set has no timers.
    /// Calls zmq_timers_timeout(3).
    #[doc(alias = "zmq_timers_timeout")]
    pub fn timeout(&mut self) -> Option<Duration> {
        // SAFETY: the set is live. (libzmq also drops cancelled timers here, hence `&mut`.)
        let ms = unsafe { zmq_sys::zmq_timers_timeout(self.raw.as_ptr()) };
        u64::try_from(ms).ok().map(Duration::from_millis)
    }

    /// [`Timers::timeout`] in milliseconds as [`crate::poll`] takes it: -1 when there are no timers.
    pub fn timeout_ms(&mut self) -> i64 {
        self.timeout().map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    /// Runs the handlers of all due timers, in order of their due time, and schedules each one interval later.
    ///
    /// If a handler panics, the handlers still due are skipped and the panic is resumed here once libzmq has
    /// returned (it never unwinds through libzmq). Calls zmq_timers_execute(3).
    #[doc(alias = "zmq_timers_execute")]
    pub fn execute(&mut self) -> Result<()> {
        // A panic left over from an `execute` that itself unwound through a handler of an outer set is not ours.
        let outer = PANIC.with(|p| p.borrow_mut().take());
        // SAFETY: the set is live; handlers run on this thread, during this call, while `self` is borrowed mutably.
        let rc = unsafe { zmq_sys::zmq_timers_execute(self.raw.as_ptr()) };
        let payload = PANIC.with(|p| std::mem::replace(&mut *p.borrow_mut(), outer));
        if let Some(payload) = payload {
            panic::resume_unwind(payload);
        }
        check(rc).map(drop)
    }

    /// The number of live (not cancelled) timers.
    pub fn len(&self) -> usize {
        self.handlers.len()
    }

    /// Whether the set has no live timers.
    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }
}

impl Drop for Timers<'_> {
    fn drop(&mut self) {
        let mut raw = self.raw.as_ptr();
        // SAFETY: the set is live and destroyed exactly once, here; libzmq keeps no handler pointer afterwards.
        unsafe { zmq_sys::zmq_timers_destroy(&mut raw) };
        for (_, handler) in self.handlers.drain() {
            // SAFETY: each box came from `add` and is freed once.
            drop(unsafe { Box::from_raw(handler) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_whole_nonzero_milliseconds() {
        assert_eq!(interval_ms(Duration::ZERO), Err(Error::EINVAL));
        assert_eq!(interval_ms(Duration::from_nanos(1)), Ok(1));
        assert_eq!(interval_ms(Duration::from_micros(2500)), Ok(3));
        assert_eq!(interval_ms(Duration::from_secs(2)), Ok(2000));
        assert_eq!(interval_ms(Duration::from_millis(c_long::MAX as u64)), Ok(c_long::MAX as usize));
        assert_eq!(interval_ms(Duration::from_millis(c_long::MAX as u64 + 1)), Err(Error::EINVAL));
        assert_eq!(interval_ms(Duration::from_millis(u64::MAX)), Err(Error::EINVAL));
        assert_eq!(interval_ms(Duration::MAX), Err(Error::EINVAL));
    }

    #[test]
    fn timer_numbers_never_overflow() {
        let mut timers = Timers::new();
        timers.add(Duration::from_secs(60), |_| ()).unwrap();
        // As if all but one of the numbers had been handed out already.
        timers.issued = i32::MAX - 1;
        timers.add(Duration::from_secs(60), |_| ()).unwrap();
        assert_eq!(timers.add(Duration::from_secs(60), |_| ()), Err(Error::EMFILE));
        assert_eq!(timers.len(), 2);
    }

    #[test]
    fn unknown_ids_are_rejected() {
        let mut timers = Timers::new();
        assert!(timers.is_empty());
        assert_eq!(timers.cancel(TimerId(1)), Err(Error::EINVAL));
        assert_eq!(timers.reset(TimerId(1)), Err(Error::EINVAL));
        assert_eq!(timers.set_interval(TimerId(1), Duration::from_millis(1)), Err(Error::EINVAL));
        let id = timers.add(Duration::from_secs(60), |_| ()).unwrap();
        assert_eq!(id.to_raw(), 1);
        assert_eq!(timers.len(), 1);
        timers.cancel(id).unwrap();
        assert_eq!(timers.cancel(id), Err(Error::EINVAL));
        assert_eq!(timers.timeout(), None);
        assert_eq!(timers.timeout_ms(), -1);
        assert_eq!(timers.add(Duration::ZERO, |_| ()), Err(Error::EINVAL));
    }
}

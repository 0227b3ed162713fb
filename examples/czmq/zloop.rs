//! `zloop`: a reactor over `zmq::poll` with timers, as czmq's `zloop_t`.
//!
//! Differences from the C, all forced by ownership:
//! - the handlers get the loop, what fired, and `&mut S`, one state value
//!   handed to `zloop_start` for the whole run (C: a `void *arg` per
//!   registration);
//! - sockets are shared with the loop as `Rc<zmq::Socket>`, so the state
//!   and the loop can both hold them; readers and pollers are ended by that
//!   `Rc` (C: by the socket pointer);
//! - `zloop_poller` returns an id for `zloop_poller_end` (C: 0 or -1).
//!
//! As in czmq, a handler returning -1 ends `zloop_start`, which then
//! returns -1; an interrupt (SIGINT/SIGTERM after `zctx_new`) or a
//! terminated context ends it with 0, as does having nothing to wait for.
//! Timers fire before the pollers that became ready in the same pass; a
//! poller that reports `POLLERR` is ended (its handler still sees it).

use std::os::unix::io::RawFd;
use std::rc::Rc;

use super::{zclock_time, zctx_interrupted};

/// What a poller watches: a socket or a file descriptor, and the events.
#[derive(Clone)]
pub struct ZPollItem {
    /// The socket, or `None` for a file descriptor.
    pub socket: Option<Rc<zmq::Socket>>,
    /// The file descriptor when `socket` is `None`.
    pub fd: RawFd,
    /// The events to wait for.
    pub events: zmq::PollEvents,
    /// The events that fired (set when the handler is called).
    pub revents: zmq::PollEvents,
}

impl ZPollItem {
    /// Watches `socket` for `events` (C: `{ socket, 0, events, 0 }`).
    pub fn socket(socket: &Rc<zmq::Socket>, events: zmq::PollEvents) -> ZPollItem {
        ZPollItem { socket: Some(Rc::clone(socket)), fd: -1, events, revents: zmq::PollEvents::empty() }
    }

    /// Watches file descriptor `fd` for `events` (C: `{ NULL, fd, events, 0 }`).
    pub fn fd(fd: RawFd, events: zmq::PollEvents) -> ZPollItem {
        ZPollItem { socket: None, fd, events, revents: zmq::PollEvents::empty() }
    }
}

/// A poller's handler.
pub type ZLoopPollerFn<S> = fn(&mut ZLoop<S>, &ZPollItem, &mut S) -> i32;
/// A reader's handler: gets the socket that is readable.
pub type ZLoopReaderFn<S> = fn(&mut ZLoop<S>, &zmq::Socket, &mut S) -> i32;
/// A timer's handler: gets the timer's id.
pub type ZLoopTimerFn<S> = fn(&mut ZLoop<S>, i32, &mut S) -> i32;

enum Handler<S> {
    Poller(ZLoopPollerFn<S>),
    Reader(ZLoopReaderFn<S>),
}

impl<S> Clone for Handler<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Handler<S> {}

struct Poller<S> {
    id: i32,
    item: ZPollItem,
    handler: Handler<S>,
}

struct Timer<S> {
    id: i32,
    delay: i64,
    times: usize,
    when: i64,
    handler: ZLoopTimerFn<S>,
}

/// The reactor.
pub struct ZLoop<S> {
    pollers: Vec<Poller<S>>,
    timers: Vec<Timer<S>>,
    last_id: i32,
    verbose: bool,
}

/// A new reactor with nothing to watch.
pub fn zloop_new<S>() -> ZLoop<S> {
    ZLoop { pollers: Vec::new(), timers: Vec::new(), last_id: 0, verbose: false }
}

/// Destroys a reactor; dropping it does the same.
pub fn zloop_destroy<S>(reactor: ZLoop<S>) {
    drop(reactor);
}

/// Logs each event to stdout when `verbose`.
pub fn zloop_set_verbose<S>(reactor: &mut ZLoop<S>, verbose: bool) {
    reactor.verbose = verbose;
}

fn next_id<S>(reactor: &mut ZLoop<S>) -> i32 {
    reactor.last_id = reactor.last_id.wrapping_add(1).max(1);
    reactor.last_id
}

/// Calls `handler` whenever `item` fires; returns the poller's id.
pub fn zloop_poller<S>(reactor: &mut ZLoop<S>, item: &ZPollItem, handler: ZLoopPollerFn<S>) -> i32 {
    let id = next_id(reactor);
    reactor.pollers.push(Poller { id, item: item.clone(), handler: Handler::Poller(handler) });
    id
}

/// Stops the poller `zloop_poller` returned `id` for.
pub fn zloop_poller_end<S>(reactor: &mut ZLoop<S>, id: i32) {
    reactor.pollers.retain(|poller| poller.id != id);
}

/// Calls `handler` whenever `socket` is readable (czmq 3's reader).
pub fn zloop_reader<S>(reactor: &mut ZLoop<S>, socket: &Rc<zmq::Socket>, handler: ZLoopReaderFn<S>) -> i32 {
    let id = next_id(reactor);
    let item = ZPollItem::socket(socket, zmq::POLLIN);
    reactor.pollers.push(Poller { id, item, handler: Handler::Reader(handler) });
    id
}

/// Stops every reader and poller on `socket`.
pub fn zloop_reader_end<S>(reactor: &mut ZLoop<S>, socket: &Rc<zmq::Socket>) {
    reactor.pollers.retain(|poller| !poller.item.socket.as_ref().is_some_and(|own| Rc::ptr_eq(own, socket)));
}

/// Calls `handler` every `delay` msecs, `times` times (0: for ever);
/// returns the timer's id. A negative delay counts as 0.
pub fn zloop_timer<S>(reactor: &mut ZLoop<S>, delay: i64, times: usize, handler: ZLoopTimerFn<S>) -> i32 {
    let id = next_id(reactor);
    let delay = delay.max(0);
    reactor.timers.push(Timer { id, delay, times, when: zclock_time().saturating_add(delay), handler });
    id
}

/// Cancels a timer.
pub fn zloop_timer_end<S>(reactor: &mut ZLoop<S>, timer_id: i32) {
    reactor.timers.retain(|timer| timer.id != timer_id);
}

/// Runs the reactor until a handler returns -1 (then returns -1), or an
/// interrupt, a terminated context or an empty reactor ends it (then 0).
pub fn zloop_start<S>(reactor: &mut ZLoop<S>, state: &mut S) -> i32 {
    loop {
        if zctx_interrupted() || (reactor.pollers.is_empty() && reactor.timers.is_empty()) {
            return 0;
        }
        let now = zclock_time();
        let timeout = match reactor.timers.iter().map(|timer| timer.when).min() {
            Some(when) => when.saturating_sub(now).clamp(0, i64::from(i32::MAX)),
            None => -1,
        };
        let ready = match poll_ready(&reactor.pollers, timeout) {
            Some(ready) => ready,
            None => return 0, //  Interrupted or context terminated
        };
        //  Timers that are due, in the order they were made
        let now = zclock_time();
        let due: Vec<i32> = reactor.timers.iter().filter(|timer| timer.when <= now).map(|timer| timer.id).collect();
        for timer_id in due {
            let Some(index) = reactor.timers.iter().position(|timer| timer.id == timer_id) else {
                continue; //  Cancelled by an earlier handler
            };
            let timer = &mut reactor.timers[index];
            let handler = timer.handler;
            timer.when = now.saturating_add(timer.delay);
            if timer.times > 0 {
                timer.times -= 1;
                if timer.times == 0 {
                    reactor.timers.remove(index);
                }
            }
            if reactor.verbose {
                println!("I: zloop: call timer handler id={timer_id}");
            }
            if handler(reactor, timer_id, state) == -1 {
                return -1;
            }
        }
        for (poller_id, revents) in ready {
            let Some(poller) = reactor.pollers.iter().find(|poller| poller.id == poller_id) else {
                continue; //  Ended by an earlier handler
            };
            let (mut item, handler) = (poller.item.clone(), poller.handler);
            item.revents = revents;
            if revents.contains(zmq::POLLERR) {
                //  As in czmq, an error ends the poller, so it cannot spin
                reactor.pollers.retain(|poller| poller.id != poller_id);
            }
            if reactor.verbose {
                println!("I: zloop: call poller handler id={poller_id}");
            }
            let rc = match handler {
                Handler::Poller(handler) => handler(reactor, &item, state),
                Handler::Reader(handler) => match &item.socket {
                    Some(socket) => handler(reactor, socket, state),
                    None => 0,
                },
            };
            if rc == -1 {
                return -1;
            }
        }
    }
}

/// Polls the pollers; returns the ids and events of those that fired, or
/// `None` when the poll failed (a signal, a terminated context).
fn poll_ready<S>(pollers: &[Poller<S>], timeout: i64) -> Option<Vec<(i32, zmq::PollEvents)>> {
    let mut items: Vec<zmq::PollItem> = pollers
        .iter()
        .map(|poller| match &poller.item.socket {
            Some(socket) => socket.as_poll_item(poller.item.events),
            None => zmq::PollItem::from_fd(poller.item.fd, poller.item.events),
        })
        .collect();
    zmq::poll(&mut items, timeout).ok()?;
    Some(
        pollers
            .iter()
            .zip(&items)
            .filter(|(_, item)| !item.get_revents().is_empty())
            .map(|(poller, item)| (poller.id, item.get_revents()))
            .collect(),
    )
}

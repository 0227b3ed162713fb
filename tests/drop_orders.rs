//! A property test of drop and shutdown orders: random sequences of creating, binding, connecting, sending,
//! receiving, cloning, shutting down, destroying and dropping context handles, sockets, messages, monitors,
//! proxies, authenticators and threads blocked in `recv`. Each sequence runs in a child process with a deadline:
//! whatever the order, the process finishes (every socket has LINGER 0 or 50 ms) and nothing crashes.

mod common;

use std::thread::JoinHandle;
use std::time::Duration;

use proptest::prelude::*;

/// The environment variable that carries a sequence to the child process.
const OPS: &str = "ZMQ_DROP_ORDERS_OPS";

const KINDS: [zmq::SocketType; 9] =
    [zmq::PAIR, zmq::PUSH, zmq::PULL, zmq::PUB, zmq::SUB, zmq::REQ, zmq::REP, zmq::DEALER, zmq::ROUTER];

/// A socket with a monitor borrowing it. The socket is boxed and leaked for the monitor's `'static` borrow, and
/// freed again after the monitor is gone.
struct Monitored {
    monitor: Option<zmq::Monitor<'static>>,
    socket: *mut zmq::Socket,
}

impl Monitored {
    fn new(socket: zmq::Socket) -> Option<Monitored> {
        let socket = Box::into_raw(Box::new(socket));
        // SAFETY: the box lives until Drop, after the monitor (the only borrower) is dropped.
        let monitor = zmq::Monitor::for_socket(unsafe { &*socket }, zmq::SocketEvent::ALL as i32).ok();
        Some(Monitored { monitor, socket })
    }
}

impl Drop for Monitored {
    fn drop(&mut self) {
        if let Some(monitor) = self.monitor.take() {
            let _ = monitor.try_recv();
            drop(monitor);
        }
        // SAFETY: from Box::into_raw in `new`; the monitor borrowing it is gone.
        drop(unsafe { Box::from_raw(self.socket) });
    }
}

#[derive(Default)]
struct World {
    contexts: Vec<zmq::Context>,
    sockets: Vec<zmq::Socket>,
    messages: Vec<zmq::Message>,
    monitors: Vec<Monitored>,
    auths: Vec<zmq::Authenticator>,
    threads: Vec<JoinHandle<()>>,
}

fn pick<T>(v: &[T], i: u8) -> Option<&T> {
    (!v.is_empty()).then(|| &v[i as usize % v.len()])
}

fn take<T>(v: &mut Vec<T>, i: u8) -> Option<T> {
    (!v.is_empty()).then(|| v.remove(i as usize % v.len()))
}

impl World {
    fn endpoint(&self, k: u8) -> String {
        format!("inproc://drop-orders-{}", k % 4)
    }

    fn apply(&mut self, (op, a, b): (u8, u8, u8)) {
        match op % 16 {
            0 => {
                if let Ok(ctx) = zmq::Context::builder().linger(if b % 2 == 0 { 0 } else { 50 }).build() {
                    self.contexts.push(ctx);
                }
            }
            1 => {
                if let Some(ctx) = pick(&self.contexts, a).cloned() {
                    self.contexts.push(ctx);
                }
            }
            2 => drop(take(&mut self.contexts, a)),
            3 => {
                let _ = pick(&self.contexts, a).map(|c| c.shutdown());
            }
            4 => {
                if !self.contexts.is_empty() {
                    let n = self.contexts.len();
                    let _ = self.contexts[a as usize % n].destroy();
                }
            }
            5 | 6 => {
                if let Some(Ok(s)) = pick(&self.contexts, a).map(|c| c.socket(KINDS[b as usize % KINDS.len()])) {
                    self.sockets.push(s);
                }
            }
            7 => {
                let _ = pick(&self.sockets, a).map(|s| s.bind(&self.endpoint(b)));
            }
            8 => {
                let _ = pick(&self.sockets, a).map(|s| s.connect(&self.endpoint(b)));
            }
            9 => {
                let _ = pick(&self.sockets, a).map(|s| s.send(&[b][..], zmq::DONTWAIT));
            }
            10 => {
                if let Some(Ok(msg)) = pick(&self.sockets, a).map(|s| s.recv_msg(zmq::DONTWAIT)) {
                    self.messages.push(msg);
                }
            }
            11 => drop(take(&mut self.sockets, a)),
            12 => match b % 3 {
                0 => self.messages.push(zmq::Message::from(vec![a; 64])),
                1 => drop(take(&mut self.messages, a)),
                _ => {
                    if let (Some(m), Some(s)) = (take(&mut self.messages, a), pick(&self.sockets, b)) {
                        let _ = s.send(m, zmq::DONTWAIT);
                    }
                }
            },
            13 => match b % 2 {
                0 => {
                    if let Some(m) = take(&mut self.sockets, a).and_then(Monitored::new) {
                        self.monitors.push(m);
                    }
                }
                _ => drop(take(&mut self.monitors, a)),
            },
            14 => match b % 3 {
                0 => {
                    if let Some(Ok(auth)) = pick(&self.contexts, a).map(zmq::Authenticator::new) {
                        self.auths.push(auth);
                    }
                }
                1 => drop(take(&mut self.auths, a)),
                _ => {
                    // A proxy between two new sockets of a context, on its own thread, until the context is shut
                    // down.
                    if let Some(ctx) = pick(&self.contexts, a).cloned() {
                        if let (Ok(f), Ok(bk)) = (ctx.socket(zmq::ROUTER), ctx.socket(zmq::DEALER)) {
                            let _ = f.bind(&self.endpoint(b));
                            self.threads.push(std::thread::spawn(move || {
                                let _ = zmq::proxy(&f, &bk);
                            }));
                        }
                    }
                }
            },
            _ => {
                // A thread blocked in recv on one of the sockets, until its context is shut down.
                if let Some(s) = take(&mut self.sockets, a) {
                    self.threads.push(std::thread::spawn(move || drop(s.recv_msg(0))));
                }
            }
        }
    }
}

/// The child process: runs the sequence in `ZMQ_DROP_ORDERS_OPS`, then drops what is left in the order the
/// sequence's last entry picks, and returns (the process then ends; threads still blocked go with it).
#[test]
#[ignore = "run in a child process by drop_and_shutdown_orders_never_hang_or_crash"]
fn drop_orders_child() {
    let Ok(text) = std::env::var(OPS) else { return };
    let ops: Vec<(u8, u8, u8)> = text
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            let v: Vec<u8> = t.split('.').map(|n| n.parse().unwrap()).collect();
            (v[0], v[1], v[2])
        })
        .collect();
    let mut world = World::default();
    for &op in &ops {
        world.apply(op);
    }
    let order = ops.last().map_or(0, |op| op.0);
    let World { contexts, sockets, messages, monitors, auths, threads } = world;
    if order % 2 == 0 {
        drop((contexts, sockets, messages, monitors, auths));
    } else {
        drop((monitors, auths, messages, sockets, contexts));
    }
    drop(threads); // detached: a thread still blocked ends with the process
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn drop_and_shutdown_orders_never_hang_or_crash(
        ops in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 1..40)
    ) {
        // Start with a context most of the time, so that sequences get to the interesting part.
        let text = std::iter::once((0u8, 0u8, 0u8))
            .chain(ops)
            .map(|(o, a, b)| format!("{o}.{a}.{b}"))
            .collect::<Vec<_>>()
            .join(",");
        common::isolated::run_child("drop_orders_child", Duration::from_secs(20), &[(OPS, &text)]);
    }
}

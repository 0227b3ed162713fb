//! Soak test of a broker topology (not a CI test): clients (DEALER) → broker (ROUTER/DEALER `zmq::proxy`) →
//! workers (DEALER, echoing), over TCP on loopback, for a given time. Every `interval` seconds it prints messages
//! sent, received and outstanding, and the process's resident memory and open descriptors; at the end, how many
//! requests never got their reply.
//!
//! ```text
//! cargo run --release --example soak -- [seconds=60] [clients=8] [workers=4] [interval=5]
//! ```

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn status(field: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find(|l| l.starts_with(field)).map(|l| l[field.len()..].trim().to_string()).unwrap_or_default()
}

fn main() -> Result<(), zmq::Error> {
    let args: Vec<u64> = std::env::args().skip(1).map(|a| a.parse().expect("numbers")).collect();
    let arg = |i: usize, default: u64| args.get(i).copied().unwrap_or(default);
    let (seconds, clients, workers, interval) = (arg(0, 60), arg(1, 8), arg(2, 4), arg(3, 5));

    let ctx = zmq::Context::builder().linger(0).build()?;
    let frontend = ctx.socket(zmq::ROUTER)?;
    let front = frontend.bind_to("tcp://127.0.0.1:*")?;
    let backend = ctx.socket(zmq::DEALER)?;
    let back = backend.bind_to("tcp://127.0.0.1:*")?;
    let broker = std::thread::spawn(move || zmq::proxy(&frontend, &backend));

    let stop = Arc::new(AtomicBool::new(false));
    let (sent, received) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut threads = Vec::new();
    for _ in 0..workers {
        let (ctx, back) = (ctx.clone(), back.clone());
        threads.push(std::thread::spawn(move || -> Result<(), zmq::Error> {
            let worker = ctx.socket(zmq::DEALER)?;
            worker.connect(&back)?;
            loop {
                match worker.recv_multipart(0) {
                    Ok(frames) => worker.send_multipart(frames, 0)?,
                    Err(zmq::Error::ETERM) => return Ok(()),
                    Err(e) => return Err(e),
                }
            }
        }));
    }
    for _ in 0..clients {
        let (ctx, front, stop) = (ctx.clone(), front.clone(), Arc::clone(&stop));
        let (sent, received) = (Arc::clone(&sent), Arc::clone(&received));
        threads.push(std::thread::spawn(move || -> Result<(), zmq::Error> {
            let client = ctx.socket(zmq::DEALER)?;
            client.set_rcvtimeo(1000)?;
            client.connect(&front)?;
            let mut n: u64 = 0;
            while !stop.load(Ordering::Relaxed) {
                // Up to 100 requests in flight per client.
                for _ in 0..100 {
                    client.send(n.to_be_bytes().to_vec(), 0)?;
                    sent.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
                for _ in 0..100 {
                    match client.recv_bytes(0) {
                        Ok(_) => {
                            received.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(zmq::Error::EAGAIN) => break, // counted as lost at the end
                        Err(zmq::Error::ETERM) => return Ok(()),
                        Err(e) => return Err(e),
                    }
                }
            }
            Ok(())
        }));
    }

    let start = Instant::now();
    println!("time_s sent received outstanding rss fds");
    while start.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_secs(interval.min(seconds)));
        let (s, r) = (sent.load(Ordering::Relaxed), received.load(Ordering::Relaxed));
        let fds = std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0);
        println!("{:6} {s} {r} {} {} {fds}", start.elapsed().as_secs(), s - r, status("VmRSS:"));
    }
    stop.store(true, Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(1500)); // let the clients take their last replies (RCVTIMEO 1 s)
    let (s, r) = (sent.load(Ordering::Relaxed), received.load(Ordering::Relaxed));
    println!("total: sent {s}, received {r}, lost {}", s - r);
    ctx.shutdown()?;
    for t in threads {
        t.join().expect("a thread panicked")?;
    }
    let _ = broker.join();
    Ok(())
}

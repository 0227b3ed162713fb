//! Hosts on one machine: network namespaces joined by veth pairs, for tests of what happens when links fail and
//! peers die. A [`Lab`] is a star: host 0 is the hub, hosts 1..=n are leaves, each on its own link
//! `10.200.<leaf>.0/24` (hub `.1`, leaf `.2`). [`Lab::cut`] takes a link down at both ends and [`Lab::heal`] brings it
//! back; the namespaces go when the `Lab` is dropped (also while a test panics).
//!
//! Code runs on a host by [`Lab::enter`]: the calling thread joins the host's namespace for the closure and comes
//! back after. libzmq creates a context's I/O threads with its first socket, and they inherit the namespace of the
//! thread that creates it; `bind` opens its listener on the calling thread, `connect` opens its sockets on an I/O
//! thread. So a host's context, its sockets and its binds are made inside `enter`; sends, receives and connects
//! can then happen anywhere.
//!
//! Creating namespaces needs root (CAP_SYS_ADMIN) and iproute2. Where they are missing, [`lab`] returns `None` and
//! the test is skipped with a message, unless `ZMQ_REQUIRE_NETNS=1` asks for a failure instead.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The prefix of every namespace these tests create: `zmqt-<pid>-<n>-<host>`.
const PREFIX: &str = "zmqt-";

/// A star of network namespaces; see the module docs.
pub struct Lab {
    names: Vec<String>,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip").args(args).stdin(Stdio::null()).output().map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Deletes namespaces left by test processes that died without cleaning up (killed by a signal).
fn sweep_stale() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else { return };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let Some(pid) = name.strip_prefix(PREFIX).and_then(|rest| rest.split('-').next()) else { continue };
        if pid.parse::<u32>().is_ok() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = ip(&["netns", "del", name]);
        }
    }
}

/// Creates the namespaces `zmqt-<pid>-<tag><n>-<host>` for hosts `0..=last` (`n` counts the calls), each with its
/// loopback up, after deleting stale ones. Each name goes into `names` as soon as the namespace exists, so the
/// caller's `Drop` deletes what was made even when a step fails part way.
fn add_namespaces(tag: &str, last: usize, names: &mut Vec<String>) -> Result<(), String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    sweep_stale();
    let run = format!("{PREFIX}{}-{tag}{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    for host in 0..=last {
        let name = format!("{run}-{host}");
        ip(&["netns", "add", &name])?;
        names.push(name.clone());
        ip(&["-n", &name, "link", "set", "lo", "up"])?;
    }
    Ok(())
}

/// A lab with `leaves` leaves, or `None` (after saying why) where namespaces cannot be created; with
/// `ZMQ_REQUIRE_NETNS=1` that is a failure instead.
pub fn lab(leaves: usize) -> Option<Lab> {
    made_or_skipped(Lab::new(leaves))
}

/// The namespaces made, or `None` after saying why they could not be (a failure with `ZMQ_REQUIRE_NETNS=1`).
fn made_or_skipped<T>(made: Result<T, String>) -> Option<T> {
    match made {
        Ok(made) => Some(made),
        Err(why) if std::env::var("ZMQ_REQUIRE_NETNS").as_deref() == Ok("1") => {
            panic!("ZMQ_REQUIRE_NETNS=1 but network namespaces cannot be created: {why}")
        }
        Err(why) => {
            eprintln!("skipped: network namespaces cannot be created here ({why}); run as root with iproute2");
            None
        }
    }
}

impl Lab {
    fn new(leaves: usize) -> Result<Lab, String> {
        assert!((1..=200).contains(&leaves));
        let mut lab = Lab { names: Vec::new() };
        add_namespaces("", leaves, &mut lab.names)?;
        for leaf in 1..=leaves {
            let (hub, host) = (&lab.names[0], &lab.names[leaf]);
            let hub_if = format!("hub{leaf}");
            ip(&["link", "add", "name", &hub_if, "netns", hub, "type", "veth", "peer", "name", "leaf", "netns", host])?;
            ip(&["-n", hub, "addr", "add", &format!("{}/24", lab.hub_addr(leaf)), "dev", &hub_if])?;
            ip(&["-n", host, "addr", "add", &format!("{}/24", lab.leaf_addr(leaf)), "dev", "leaf"])?;
            ip(&["-n", hub, "link", "set", &hub_if, "up"])?;
            ip(&["-n", host, "link", "set", "leaf", "up"])?;
        }
        Ok(lab)
    }

    /// The hub's address on the link to `leaf`.
    pub fn hub_addr(&self, leaf: usize) -> String {
        format!("10.200.{leaf}.1")
    }

    /// The address of `leaf`.
    pub fn leaf_addr(&self, leaf: usize) -> String {
        format!("10.200.{leaf}.2")
    }

    /// The namespace name of `host` (0 is the hub).
    pub fn name(&self, host: usize) -> &str {
        &self.names[host]
    }

    /// The inode of `host`'s namespace (what `/proc/<pid>/task/<tid>/ns/net` links to).
    pub fn inode(&self, host: usize) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(format!("/run/netns/{}", self.names[host])).expect("the namespace file").ino()
    }

    /// Runs `f` on the calling thread inside `host`'s namespace, then moves the thread back (also on panic).
    /// Threads started inside (libzmq's I/O threads with a context's first socket, child processes) stay there.
    pub fn enter<T>(&self, host: usize, f: impl FnOnce() -> T) -> T {
        struct Back(File);
        impl Drop for Back {
            fn drop(&mut self) {
                // SAFETY: setns with an open namespace descriptor; it changes only this thread's namespace.
                let rc = unsafe { libc::setns(self.0.as_raw_fd(), libc::CLONE_NEWNET) };
                assert_eq!(rc, 0, "returning to the original network namespace");
            }
        }
        let home = File::open("/proc/thread-self/ns/net").expect("this thread's namespace");
        let target = File::open(format!("/run/netns/{}", self.names[host])).expect("the namespace file");
        // SAFETY: as above.
        let rc = unsafe { libc::setns(target.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns into {}: {}", self.names[host], std::io::Error::last_os_error());
        let _back = Back(home);
        f()
    }

    /// A context (LINGER 0) whose I/O threads run on `host`: it is created there together with a first socket,
    /// which starts them. Its sockets may then be made on any thread; only `bind` must run inside [`Lab::enter`].
    pub fn context(&self, host: usize) -> zmq::Context {
        self.enter(host, || {
            let ctx = zmq::Context::builder().linger(0).build().unwrap();
            drop(ctx.socket(zmq::PAIR).unwrap());
            ctx
        })
    }

    fn set_link(&self, leaf: usize, state: &str) {
        ip(&["-n", &self.names[leaf], "link", "set", "leaf", state]).unwrap();
        ip(&["-n", &self.names[0], "link", "set", &format!("hub{leaf}"), state]).unwrap();
    }

    /// Takes the link between the hub and `leaf` down at both ends: packets on it are lost, open TCP connections
    /// stay open (nothing tells either side), new connections fail.
    pub fn cut(&self, leaf: usize) {
        self.set_link(leaf, "down");
    }

    /// Brings the link between the hub and `leaf` back.
    pub fn heal(&self, leaf: usize) {
        self.set_link(leaf, "up");
    }

    /// Starts this test binary again on `host`, running only the ignored test `test`, with the environment `env`.
    pub fn spawn_peer(&self, host: usize, test: &str, env: &[(&str, &str)]) -> Peer {
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut cmd = Command::new(exe);
        cmd.args([test, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = self.enter(host, || cmd.spawn().expect("the test binary runs"));
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Peer { child, lines }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        delete_namespaces(&self.names);
    }
}

/// Deletes the namespaces `names`, saying which could not be.
fn delete_namespaces(names: &[String]) {
    for name in names {
        if let Err(e) = ip(&["netns", "del", name]) {
            eprintln!("cleaning up: {e}");
        }
    }
}

/// A peer process started by [`Lab::spawn_peer`]; it reports through lines on its standard output. Dropping it
/// kills it.
pub struct Peer {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Peer {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (at most `limit`) for the next output line that starts with `prefix` and returns the rest of it;
    /// lines before it are skipped. Fails the test on timeout or if the peer exits first.
    pub fn expect(&self, prefix: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                // (libtest prints "test peer ... " without a line break: the first report may follow it.)
                Ok(line) => {
                    if let Some((_, rest)) = line.split_once(prefix) {
                        return rest.trim().to_string();
                    }
                }
                Err(e) => panic!("peer {}: no line starting with {prefix:?} within {limit:?} ({e})", self.pid()),
            }
        }
    }

    /// Kills the peer with SIGKILL (by its pid) and reaps it.
    pub fn kill(mut self) {
        self.kill_now();
    }

    fn kill_now(&mut self) {
        // SAFETY: a plain system call on the pid of our own child, which is not reaped yet (so the pid is its).
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill_now();
        }
    }
}

/// Writes one line for the parent of a peer process, at once.
pub fn report(line: impl std::fmt::Display) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Waits (at most `limit`) for the next `want` event on `monitor`, skipping others, and returns it with the moment
/// it was read. Fails the test on timeout, naming the events seen meanwhile.
pub fn await_event(monitor: &zmq::Monitor, want: zmq::SocketEvent, limit: Duration) -> (zmq::MonitorEvent, Instant) {
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match monitor.recv_timeout(left).expect("reading the monitor") {
            Some(event) if event.event == want => return (event, Instant::now()),
            Some(event) => seen.push(event.event),
            None => panic!("no {want:?} event within {limit:?}; saw {seen:?}"),
        }
    }
}

/// Accepts one TCP connection on `listener` within `limit`, or fails the test.
pub fn accept_within(listener: &std::net::TcpListener, limit: Duration) -> std::net::TcpStream {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + limit;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).unwrap();
                return stream;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5)) // polling a deadline, not hoping
            }
            Err(e) => panic!("no connection within {limit:?}: {e}"),
        }
    }
}

/// Kills this process if it is still running after `limit`: a peer process must never outlive its test.
pub fn peer_watchdog(limit: Duration) {
    // SAFETY: prctl(PR_SET_PDEATHSIG) only asks the kernel for a signal when the parent thread exits.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("peer process: still running after {limit:?}, exiting");
        std::process::exit(3);
    });
}

/// The first three octets of every [`Lan`] host's address: hosts are `10.201.0.<host>/24`.
pub const LAN_PREFIX: &str = "10.201.0.";

/// Hosts on one Ethernet segment: a namespace holding a bridge (the switch) and hosts `1..=n`, each a namespace
/// whose `eth0` is a veth pair's end plugged into the bridge, all in `10.201.0.0/24` (host `h` is
/// `10.201.0.<h>`, see [`LAN_PREFIX`]). Each host's default route leaves by `eth0`, so a broadcast to
/// 255.255.255.255 floods the segment and reaches every host, the sender included (Linux loops a host's own
/// broadcasts back to it). The namespaces go when the `Lan` is dropped (also while a test panics).
pub struct Lan {
    /// The switch's namespace, then the hosts'.
    names: Vec<String>,
}

/// A LAN of `hosts` hosts, or `None` (after saying why) where namespaces cannot be created; with
/// `ZMQ_REQUIRE_NETNS=1` that is a failure instead.
pub fn lan(hosts: usize) -> Option<Lan> {
    made_or_skipped(Lan::new(hosts))
}

impl Lan {
    fn new(hosts: usize) -> Result<Lan, String> {
        assert!((1..=200).contains(&hosts));
        let mut lan = Lan { names: Vec::new() };
        add_namespaces("lan", hosts, &mut lan.names)?;
        let switch = lan.names[0].clone();
        ip(&["-n", &switch, "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0"])?;
        ip(&["-n", &switch, "link", "set", "br0", "up"])?;
        for host in 1..=hosts {
            let name = &lan.names[host];
            let port = format!("port{host}");
            ip(&[
                "link", "add", "name", &port, "netns", &switch, "type", "veth", "peer", "name", "eth0", "netns", name,
            ])?;
            ip(&["-n", &switch, "link", "set", &port, "master", "br0"])?;
            ip(&["-n", &switch, "link", "set", &port, "up"])?;
            ip(&["-n", name, "addr", "add", &format!("{}/24", lan.addr(host)), "dev", "eth0"])?;
            ip(&["-n", name, "link", "set", "eth0", "up"])?;
            ip(&["-n", name, "route", "add", "default", "dev", "eth0"])?;
        }
        Ok(lan)
    }

    /// The number of hosts.
    pub fn hosts(&self) -> usize {
        self.names.len() - 1
    }

    /// The address of `host` (1..=n).
    pub fn addr(&self, host: usize) -> String {
        assert!((1..=self.hosts()).contains(&host), "no host {host}");
        format!("{LAN_PREFIX}{host}")
    }

    /// The namespace name of `host` (1..=n); `ip netns exec <name> ...` runs a command there.
    pub fn name(&self, host: usize) -> &str {
        assert!((1..=self.hosts()).contains(&host), "no host {host}");
        &self.names[host]
    }

    /// The path of `host`'s namespace file, for setns(2).
    pub fn path(&self, host: usize) -> std::path::PathBuf {
        std::path::Path::new("/run/netns").join(self.name(host))
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        delete_namespaces(&self.names);
    }
}

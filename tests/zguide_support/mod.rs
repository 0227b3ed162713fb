//! The process harness shared by the zguide scenario tests (`tests/zguide*.rs`).
//!
//! A test file declares `mod zguide_support;` and a crate-level
//! `const EXAMPLES: &[&str]` naming the examples it runs; this module builds
//! any that are missing and runs them as processes. Each scenario starts
//! examples and peers, feeds them what the C versions wait for on stdin,
//! checks what they print and stops the endless servers once their clients
//! are done. Every wait has a deadline: a process that overruns it is killed
//! and the test fails with its output.
//!
//! The examples use the guide's fixed TCP ports (5555, 5556, 5557, ...), so
//! the scenarios run one at a time: under `LOCK` within a test process,
//! and under an exclusive `flock` on `$TMPDIR/zguide-examples.lock` across
//! processes (the other zguide test files, another checkout's or target
//! directory's run). Each scenario first checks that no other program
//! listens on those ports.
//!
//! The example binaries live next to the test's executable
//! (`target/<profile>/examples/`). `cargo test` builds them before the tests,
//! but `cargo test --test zguide` does not, so the first scenario runs
//! `cargo build --example ...` for them when any is missing. With non-default features, build them
//! first with the same features (`cargo test --features ...` does).
#![allow(dead_code)]

use std::env;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::io::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::EXAMPLES;

/// One second, the unit of the scenarios' deadlines.
pub const SECOND: Duration = Duration::from_secs(1);

/// Serialises the scenarios: they share the guide's fixed ports.
pub static LOCK: Mutex<()> = Mutex::new(());

/// The TCP ports the examples bind.
pub const GUIDE_PORTS: &[u16] = &[
    5001, 5002, 5003, 5004, 5555, 5556, 5557, 5558, 5559, 5560, 5561, 5562, 5563, 5566, 5567, 5568, 5570, 5671, 6000,
    6001, 8100, 9000,
];

/// Held for the whole of a scenario: see `serial`.
pub struct Serial {
    _guard: MutexGuard<'static, ()>,
    _lock_file: fs::File,
}

/// Takes the scenario locks (`LOCK`, whatever happened to an earlier holder,
/// then the cross-process file lock) and checks the guide's ports are free.
pub fn serial() -> Serial {
    let guard = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let path = env::temp_dir().join("zguide-examples.lock");
    let lock_file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|error| panic!("opening {}: {error}", path.display()));
    let deadline = Instant::now() + Duration::from_secs(600);
    // SAFETY: flock on a descriptor owned by `lock_file`, alive for the loop.
    while unsafe { libc::flock(lock_file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        assert!(Instant::now() < deadline, "{} stayed locked for 10 minutes", path.display());
        thread::sleep(Duration::from_millis(50));
    }
    for &port in GUIDE_PORTS {
        let deadline = Instant::now() + Duration::from_secs(10);
        // std sets SO_REUSEADDR, as libzmq does: this fails only while
        // another socket listens on the port
        while let Err(error) = TcpListener::bind(("0.0.0.0", port)) {
            assert!(Instant::now() < deadline, "port {port} is taken by another program: {error}");
            thread::sleep(Duration::from_millis(50));
        }
    }
    Serial { _guard: guard, _lock_file: lock_file }
}

// ---------------------------------------------------------------------------
// Locating (and if needed building) the example binaries

/// `target/<profile>/examples`, after making sure the examples are built.
pub fn examples_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let exe = env::current_exe().expect("current_exe");
        // <target-dir>[/<triple>]/<profile>/deps/zguide-<hash>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("test executable is not in <target>/<profile>/deps")
            .to_path_buf();
        let examples = profile_dir.join("examples");
        // `cargo test` has built them with this test's features; build only what is missing (after
        // `cargo test --test zguide`), since a nested cargo cannot know the features this test was built with.
        if EXAMPLES.iter().any(|name| !examples.join(name).exists()) {
            build_examples(&profile_dir);
        }
        examples
    })
}

/// Builds `EXAMPLES` with the profile (and target triple) of this test.
pub fn build_examples(profile_dir: &Path) {
    let profile = match profile_dir.file_name().and_then(|name| name.to_str()) {
        Some("debug") => "dev".to_string(),
        Some(name) => name.to_string(),
        None => panic!("no profile directory in {}", profile_dir.display()),
    };
    let mut target_dir = profile_dir.parent().expect("target dir").to_path_buf();
    let mut triple = None;
    if !target_dir.join("CACHEDIR.TAG").exists()
        && target_dir.parent().is_some_and(|parent| parent.join("CACHEDIR.TAG").exists())
    {
        triple = target_dir.file_name().map(|name| name.to_owned());
        target_dir = target_dir.parent().expect("target dir").to_path_buf();
    }
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .arg("--profile")
        .arg(&profile)
        .arg("--target-dir")
        .arg(&target_dir);
    if let Some(triple) = triple {
        command.arg("--target").arg(triple);
    }
    for example in EXAMPLES {
        command.arg("--example").arg(example);
    }
    // The async examples need the feature this test was built with.
    if cfg!(feature = "tokio") {
        command.arg("--features").arg("tokio");
    }
    let output = command.stdin(Stdio::null()).output().expect("running cargo build for the examples");
    assert!(output.status.success(), "building the examples failed:\n{}", String::from_utf8_lossy(&output.stderr));
}

/// A scratch directory the examples run in (lbbroker creates its ipc files
/// in its current directory). One for all runs: they take turns.
pub fn work_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = env::temp_dir().join("zguide-examples");
        fs::create_dir_all(&dir).expect("creating the scratch directory");
        dir
    })
}

// ---------------------------------------------------------------------------
// Running examples as processes

/// What an example writes to one of its pipes, collected in the background.
///
/// The pipe is read only under the lock, and [`Captured::get`] first takes whatever the pipe holds: so what it
/// returns includes everything the example wrote before the call (say, a line it printed just before sending the
/// reply that the test has just received), not only what the background thread happened to have read by then.
#[derive(Default)]
pub struct Captured {
    /// The bytes so far, and whether the pipe has reached its end.
    state: Mutex<(Vec<u8>, bool)>,
    /// The pipe's reading end, non-blocking (none for a pipe that is not collected).
    pipe: Option<fs::File>,
}

impl Captured {
    /// Appends what the pipe holds now, without waiting. At most 4 MiB a call: that is more than a pipe holds
    /// (64 KiB by default, 1 MiB at most unless raised), so everything written before the call is taken, while an
    /// example that writes without pause cannot keep the caller (and the lock) here for ever.
    fn drain(&self, state: &mut (Vec<u8>, bool)) {
        let Some(mut pipe) = self.pipe.as_ref() else { return };
        let mut chunk = [0u8; 4096];
        for _ in 0..1024 {
            if state.1 {
                break;
            }
            match pipe.read(&mut chunk) {
                Ok(0) => state.1 = true,
                Ok(size) => state.0.extend_from_slice(&chunk[..size]),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => state.1 = true,
            }
        }
    }

    /// Everything written to the pipe so far.
    pub fn get(&self) -> Vec<u8> {
        let mut state = self.state.lock().unwrap();
        self.drain(&mut state);
        state.0.clone()
    }
}

/// Collects everything a pipe delivers, in the background (until its end).
pub fn collect(pipe: impl Into<std::os::fd::OwnedFd>) -> (Arc<Captured>, JoinHandle<()>) {
    let pipe = fs::File::from(pipe.into());
    let fd = pipe.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function owns (through `pipe`); it only changes its status flags.
    let nonblocking = unsafe { libc::fcntl(fd, libc::F_SETFL, libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK) };
    assert_eq!(nonblocking, 0, "making the pipe non-blocking");
    let captured = Arc::new(Captured { state: Mutex::default(), pipe: Some(pipe) });
    let sink = Arc::clone(&captured);
    let reader = thread::spawn(move || loop {
        let mut poll = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd; the descriptor stays open while `sink` (which owns it) lives.
        unsafe { libc::poll(&mut poll, 1, -1) };
        let mut state = sink.state.lock().unwrap();
        sink.drain(&mut state);
        if state.1 {
            return;
        }
    });
    (captured, reader)
}

/// One running example. Dropping it kills the process if it still runs.
pub struct Example {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Captured>,
    stderr: Arc<Captured>,
    readers: Vec<JoinHandle<()>>,
    status: Option<ExitStatus>,
}

impl Example {
    pub fn start(name: &str) -> Example {
        Example::start_with(name, &[])
    }

    pub fn start_with(name: &str, args: &[&str]) -> Example {
        Example::start_env(name, args, &[])
    }

    /// Starts an example with arguments and extra environment variables.
    pub fn start_env(name: &str, args: &[&str], vars: &[(&str, &str)]) -> Example {
        Example::spawn(name, args, vars, false)
    }

    /// Starts an example whose stdout is a pipe nobody reads: closed at once.
    pub fn start_closed_stdout(name: &str) -> Example {
        Example::start_closed_stdout_with(name, &[])
    }

    /// Starts an example with arguments and a stdout closed at once.
    pub fn start_closed_stdout_with(name: &str, args: &[&str]) -> Example {
        Example::spawn(name, args, &[], true)
    }

    /// Starts an example with arguments inside the network namespace whose file is `netns` (`/run/netns/<name>`):
    /// the child joins it (setns(2)) before it runs the example.
    pub fn start_in_netns(netns: &Path, name: &str, args: &[&str]) -> Example {
        let namespace =
            fs::File::open(netns).unwrap_or_else(|error| panic!("opening the namespace {}: {error}", netns.display()));
        Example::spawn_in(Some(namespace), name, args, &[], false)
    }

    fn spawn(name: &str, args: &[&str], vars: &[(&str, &str)], close_stdout: bool) -> Example {
        Example::spawn_in(None, name, args, vars, close_stdout)
    }

    fn spawn_in(
        netns: Option<fs::File>,
        name: &str,
        args: &[&str],
        vars: &[(&str, &str)],
        close_stdout: bool,
    ) -> Example {
        let path = examples_dir().join(name);
        let mut command = Command::new(&path);
        command
            .args(args)
            .envs(vars.iter().copied())
            .current_dir(work_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Should this test process die without cleaning up, its examples die
        // with it rather than hold on to the guide's ports
        // SAFETY: the pre-exec closure only calls prctl, which is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        if let Some(namespace) = netns {
            // SAFETY: the pre-exec closure only calls setns(2), a system call (async-signal-safe), on a descriptor
            // the closure owns; the child then runs in that network namespace.
            unsafe {
                command.pre_exec(move || {
                    if libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) == 0 {
                        Ok(())
                    } else {
                        Err(std::io::Error::last_os_error())
                    }
                });
            }
        }
        let mut child = command.spawn().unwrap_or_else(|error| panic!("starting {}: {error}", path.display()));
        let stdout_pipe = child.stdout.take().expect("stdout");
        let (stdout, out_reader) = if close_stdout {
            drop(stdout_pipe);
            (Arc::default(), thread::spawn(|| ()))
        } else {
            collect(stdout_pipe)
        };
        let (stderr, err_reader) = collect(child.stderr.take().expect("stderr"));
        Example {
            name: name.to_string(),
            stdin: child.stdin.take(),
            child,
            stdout,
            stderr,
            readers: vec![out_reader, err_reader],
            status: None,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The bytes the example wrote to stdout so far.
    pub fn output_bytes(&self) -> Vec<u8> {
        self.stdout.get()
    }

    /// What the example printed on stdout so far.
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.stdout.get()).into_owned()
    }

    /// What it printed on stderr so far.
    pub fn errors(&self) -> String {
        String::from_utf8_lossy(&self.stderr.get()).into_owned()
    }

    /// Stdout and stderr, for failure messages.
    pub fn describe(&self) -> String {
        format!("{} stdout:\n{}\n{} stderr:\n{}", self.name, self.output(), self.name, self.errors())
    }

    /// Waits until the stdout satisfies `ready`, failing after `timeout`.
    pub fn wait_for_output(&mut self, what: &str, timeout: Duration, ready: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + timeout;
        while !ready(&self.output()) {
            if Instant::now() > deadline {
                self.kill();
                panic!("{} did not print {what} in {timeout:?}\n{}", self.name, self.describe());
            }
            if let Some(status) = self.try_wait() {
                panic!("{} exited ({status}) before printing {what}\n{}", self.name, self.describe());
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Writes `text` to the example's stdin.
    pub fn type_in(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(text.as_bytes()).expect("writing to stdin");
        stdin.flush().expect("flushing stdin");
    }

    /// Closes the example's stdin: it reads the end of its input.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The exit status, if the process has exited (then its output is
    /// complete).
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                self.status = Some(status);
                for reader in self.readers.drain(..) {
                    let _ = reader.join();
                }
            }
        }
        self.status
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.try_wait().is_none()
    }

    /// Waits for the process to exit; kills it and fails after `timeout`.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait() {
                return status;
            }
            if Instant::now() > deadline {
                self.kill();
                panic!("{} did not exit in {timeout:?}\n{}", self.name, self.describe());
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits for the process to exit successfully and returns its stdout.
    pub fn finish(&mut self, timeout: Duration) -> String {
        let status = self.wait(timeout);
        assert!(status.success(), "{} failed: {status}\n{}", self.name, self.describe());
        self.output()
    }

    /// Kills the process (an endless server, say) and returns its stdout.
    /// Fails if it had already exited, with an error or not.
    pub fn stop(&mut self) -> String {
        if let Some(status) = self.try_wait() {
            panic!("{} should still be running but exited ({status})\n{}", self.name, self.describe());
        }
        self.kill();
        self.output()
    }

    /// Sends SIGINT until the process exits and returns its status; kills it and fails after `timeout`.
    ///
    /// Like their C, many examples leave their loop only when a poll or a receive fails with EINTR: a SIGINT that
    /// lands between two such calls is only recorded (`zctx_interrupted`) and the program goes on, as the C does
    /// after a Ctrl-C at that moment. So the signal is repeated every 250 ms, as a user presses Ctrl-C again.
    pub fn interrupt(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            self.signal(libc::SIGINT);
            let resend_at = Instant::now() + Duration::from_millis(250);
            while Instant::now() < resend_at {
                if let Some(status) = self.try_wait() {
                    return status;
                }
                thread::sleep(Duration::from_millis(10)); // polling the child's exit against a deadline
            }
            if Instant::now() > deadline {
                self.kill();
                panic!("{} did not exit after SIGINTs for {timeout:?}\n{}", self.name, self.describe());
            }
        }
    }

    /// Sends a signal to the process.
    pub fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid");
        // SAFETY: kill(2) on our own child's pid, which has not been reaped (the Child is alive).
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill({pid}, {signal})");
    }

    pub fn kill(&mut self) {
        if self.status.is_none() {
            let _ = self.child.kill();
            let status = self.child.wait().expect("wait");
            self.status = Some(status);
            for reader in self.readers.drain(..) {
                let _ = reader.join();
            }
        }
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------
// Output helpers

/// How many lines of `output` equal `line`.
pub fn count_lines(output: &str, line: &str) -> usize {
    output.lines().filter(|candidate| *candidate == line).count()
}

/// The integer between `prefix` and `suffix` in `line`, if it has that shape.
pub fn number_in(line: &str, prefix: &str, suffix: &str) -> Option<i64> {
    line.strip_prefix(prefix)?.strip_suffix(suffix)?.parse().ok()
}

/// Waits (up to 10 s) until `n` TCP connections to the local `port` are established, as the kernel lists them in
/// `/proc/net/tcp` and `/proc/net/tcp6`: for scenarios that must not start before their peers have connected.
pub fn wait_tcp_connections(port: u16, n: usize) {
    wait_tcp_connections_of("self", port, n)
}

/// As [`wait_tcp_connections`], in the network namespace of the process `pid` (`"self"` for this one's): the
/// kernel's tables in `/proc/<pid>/net/` are those of the process's namespace.
pub fn wait_tcp_connections_of(pid: &str, port: u16, n: usize) {
    let tables = [format!("/proc/{pid}/net/tcp"), format!("/proc/{pid}/net/tcp6")];
    let count = || {
        tables
            .iter()
            .filter_map(|path| fs::read_to_string(path).ok())
            .flat_map(|table| table.lines().skip(1).map(str::to_owned).collect::<Vec<_>>())
            .filter(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                // local_address is ADDR:PORT in hex; state 01 is ESTABLISHED
                fields.len() > 3
                    && fields[3] == "01"
                    && fields[1].rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok()) == Some(port)
            })
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while count() < n {
        assert!(Instant::now() < deadline, "fewer than {n} connections to port {port} after 10 s");
        thread::sleep(Duration::from_millis(10)); // polling a deadline
    }
}

/// Runs two rrclients through a broker (`rrbroker`, `msgqueue` or `rrbroker_async`) to two rrworkers: every
/// request answered, and both workers served some.
pub fn request_reply_broker(broker_name: &str) {
    let _guard = serial();
    let mut broker = Example::start(broker_name);
    let mut workers = [Example::start("rrworker"), Example::start("rrworker")];
    // Both workers connected to the broker's backend, so its DEALER shares out the requests
    wait_tcp_connections(5560, 2);
    let mut clients = [Example::start("rrclient"), Example::start("rrclient")];
    let expected: String = (0..10).map(|request_nbr| format!("Received reply {request_nbr} [World]\n")).collect();
    for client in &mut clients {
        assert_eq!(client.finish(40 * SECOND), expected);
    }
    let outputs: Vec<String> = workers.iter_mut().map(Example::stop).collect();
    let mut total = 0;
    for output in &outputs {
        let requests = count_lines(output, "Received request: [Hello]");
        assert_eq!(requests, output.lines().count(), "{output:?}");
        assert!(requests > 0, "a worker got no requests: {outputs:?}");
        total += requests;
    }
    assert_eq!(total, 20, "{outputs:?}");
    assert_eq!(broker.stop(), "");
}

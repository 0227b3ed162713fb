//! Runs a test body in a child process (the test binary re-run with just that test), so that an abort or a hang
//! in libzmq shows up as one failed test instead of killing or stalling the whole run.
#![allow(dead_code)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Set in the child to the name of the test it runs.
const CHILD: &str = "ZMQ_RS_ISOLATED_TEST";

/// Runs `body` in a child process and fails unless the child passes within `limit`. `test` is the test's name
/// (its function name, for a test at the top of an integration-test file). In the child itself `body` runs
/// directly.
pub fn isolated(test: &str, limit: Duration, body: impl FnOnce()) {
    if std::env::var(CHILD).as_deref() == Ok(test) {
        body();
        return;
    }
    run_child(test, limit, &[]);
}

/// Runs the test `test` of this binary (ignored or not) in a child process with the extra environment `env`, and
/// fails unless it passes within `limit`.
pub fn run_child(test: &str, limit: Duration, env: &[(&str, &str)]) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1", "--include-ignored"])
        .env(CHILD, test)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the test binary runs");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the child") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(10));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    let report = format!("--- child stdout:\n{stdout}\n--- child stderr:\n{stderr}");
    match status {
        None => panic!("{test}: the child did not finish within {limit:?} (a hang)\n{report}"),
        Some(status) if !status.success() => panic!("{test}: the child failed: {status}\n{report}"),
        Some(_) => assert!(stdout.contains("1 passed"), "{test}: the child ran no test (wrong name?)\n{report}"),
    }
}

/// Gives up root (and with it every capability) for the rest of this process: for checks of what an
/// unprivileged process may do. Call it only in a child process.
pub fn drop_privileges() {
    // SAFETY: plain system calls; the child process that calls this runs only its own test afterwards.
    unsafe {
        if libc::geteuid() == 0 {
            assert_eq!(libc::setgroups(0, std::ptr::null()), 0);
            assert_eq!(libc::setresgid(65534, 65534, 65534), 0);
            assert_eq!(libc::setresuid(65534, 65534, 65534), 0);
        }
    }
}

//! Helper module for the example applications: a Rust port of the zguide's
//! `examples/C/zhelpers.h`.
//!
//! Each example pulls it in with `mod zhelpers;`. Differences from the C:
//! - the helpers return `zmq::Result` instead of a size or `NULL`, so the
//!   examples can use `?`; `s_recv` returns an owned `String`, nothing to free;
//! - `randof` computes in `f64`, so it can never return `num` itself;
//! - `s_console` takes `format_args!(...)` instead of a C format string;
//! - `s_catch_signals` is the self-pipe signal handling from the guide's
//!   `interrupt.c`, kept here so any example can use it;
//! - `srandom`, `time` and `c_str` are small wrappers the C gets from libc.
#![allow(dead_code)]

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::os::unix::io::RawFd;
use std::ptr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

//  The C library's random number generator, which the C examples use
extern "C" {
    #[link_name = "random"]
    fn c_random() -> libc::c_long;
    #[link_name = "srandom"]
    fn c_srandom(seed: libc::c_uint);
}

//  Provide random number from 0..(num-1)
pub fn randof(num: i32) -> i32 {
    // SAFETY: random(3) has no preconditions (glibc serialises it internally).
    let random = unsafe { c_random() };
    (f64::from(num) * random as f64 / (f64::from(libc::RAND_MAX) + 1.0)) as i32
}

//  Seed the random number generator used by randof (libc's srandom)
pub fn srandom(seed: u32) {
    // SAFETY: srandom(3) has no preconditions.
    unsafe { c_srandom(seed) }
}

//  Current calendar time in seconds, like time (NULL)
pub fn time() -> i64 {
    // SAFETY: time(3) accepts a null pointer.
    unsafe { libc::time(ptr::null_mut()) }
}

//  Receive 0MQ string from socket and convert into string
//  Like the C, reads at most 255 bytes and stops at the first NUL.
//  Returns an error (the C returns NULL) if the context is being terminated.
pub fn s_recv(socket: &zmq::Socket) -> zmq::Result<String> {
    const CAP: usize = 256;
    let mut buffer = [0u8; CAP];
    let size = socket.recv_into(&mut buffer[..CAP - 1], 0)?;
    Ok(c_str(&buffer[..size.min(CAP - 1)]).into_owned())
}

//  Convert string to 0MQ string and send to socket
pub fn s_send(socket: &zmq::Socket, string: &str) -> zmq::Result<()> {
    socket.send(string, 0)
}

//  Sends string as 0MQ string, as multipart non-terminal
pub fn s_sendmore(socket: &zmq::Socket, string: &str) -> zmq::Result<()> {
    socket.send(string, zmq::SNDMORE)
}

//  Receives all message parts from socket, prints neatly
//
pub fn s_dump(socket: &zmq::Socket) -> zmq::Result<()> {
    let mut message = zmq::Message::new();

    println!("----------------------------------------");
    //  Process all parts of the message
    loop {
        socket.recv(&mut message, 0)?;

        //  Dump the message as text or binary
        let data: &[u8] = &message;
        let is_text = data.iter().all(|&byte| (32..=126).contains(&byte));

        let mut line = format!("[{:03}] ", data.len());
        for &byte in data {
            if is_text {
                line.push(char::from(byte));
            } else {
                line.push_str(&format!("{byte:02X}"));
            }
        }
        println!("{line}");
        if !message.get_more() {
            break;
        }
    }
    Ok(())
}

//  Set simple random printable identity on socket
pub fn s_set_id(socket: &zmq::Socket) -> zmq::Result<()> {
    let identity = format!("{:04X}-{:04X}", randof(0x10000), randof(0x10000));
    socket.set_identity(identity.as_bytes())
}

//  Sleep for a number of milliseconds
pub fn s_sleep(msecs: i32) {
    thread::sleep(Duration::from_millis(u64::try_from(msecs).unwrap_or(0)));
}

//  Return current system clock as milliseconds
pub fn s_clock() -> i64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

//  Print formatted string to stdout, prefixed by date/time and
//  terminated with a newline.
//  Call it as s_console (format_args! ("...", ...)).
pub fn s_console(args: fmt::Arguments) {
    // SAFETY: time(3) accepts a null pointer.
    let curtime = unsafe { libc::time(ptr::null_mut()) };
    // SAFETY: libc::tm is plain integers (and a pointer localtime_r sets); all-zero is a valid value.
    let mut loctime: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers refer to live locals.
    unsafe { libc::localtime_r(&curtime, &mut loctime) };
    let mut formatted = [0u8; 20];
    let format = b"%y-%m-%d %H:%M:%S \0";
    let size =
        // SAFETY: strftime writes at most `formatted.len()` bytes; the format is NUL-terminated.
        unsafe { libc::strftime(formatted.as_mut_ptr().cast(), formatted.len(), format.as_ptr().cast(), &loctime) };
    let mut stdout = io::stdout().lock();
    let _ = stdout.write_all(&formatted[..size]);
    let _ = writeln!(stdout, "{args}");
}

//  The text of a NUL-terminated C string held in a buffer (the whole
//  buffer if it holds no NUL), as printf ("%s") would print it
pub fn c_str(buffer: &[u8]) -> Cow<'_, str> {
    let end = buffer.iter().position(|&byte| byte == 0);
    String::from_utf8_lossy(&buffer[..end.unwrap_or(buffer.len())])
}

//  Signal handling
//
//  Create a self-pipe and call s_catch_signals(pipe's writefd) in your application
//  at startup, and then exit your main loop if your pipe contains any data.
//  Works especially well with zmq_poll.

const S_NOTIFY_MSG: &[u8] = b" \0";
const S_ERROR_MSG: &[u8] = b"Error while writing to self-pipe.\n";
static S_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn s_signal_handler(_signal_value: libc::c_int) {
    let fd = S_FD.load(Ordering::SeqCst);
    // SAFETY: write(2) is async-signal-safe; the buffer is a static slice of the given length.
    let rc = unsafe { libc::write(fd, S_NOTIFY_MSG.as_ptr().cast(), S_NOTIFY_MSG.len()) };
    if rc != S_NOTIFY_MSG.len() as isize {
        // SAFETY: write(2) and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(libc::STDOUT_FILENO, S_ERROR_MSG.as_ptr().cast(), S_ERROR_MSG.len());
            libc::_exit(1);
        }
    }
}

pub fn s_catch_signals(fd: RawFd) {
    S_FD.store(fd, Ordering::SeqCst);

    let handler: extern "C" fn(libc::c_int) = s_signal_handler;
    // SAFETY: sigaction is plain data; all-zero is a valid empty action.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = handler as libc::sighandler_t;
    //  Doesn't matter if SA_RESTART set because self-pipe will wake up zmq_poll
    //  But setting to 0 will allow zmq_read to be interrupted.
    action.sa_flags = 0;
    // SAFETY: `action` is initialised; installing handlers for SIGINT/SIGTERM that only write to a pipe.
    unsafe {
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, ptr::null_mut());
        libc::sigaction(libc::SIGTERM, &action, ptr::null_mut());
    }
}

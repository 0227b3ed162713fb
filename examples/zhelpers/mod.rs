//! Helper module for the example applications: a Rust port of the zguide's
//! `examples/C/zhelpers.h`.
//!
//! Each example pulls it in with `mod zhelpers;`. Differences from the C:
//! - the helpers return `zmq::Result` instead of a size or `NULL`, so the
//!   examples can use `?`; what `s_recv` returns is owned, nothing to free;
//! - `s_recv` returns the bytes (`Vec<u8>`), as the C's `char *` holds them;
//!   `printf` prints them unchanged, and `atoi` reads numbers as C does;
//! - `print!`/`println!` (with `#[macro_use]`) die by SIGPIPE as C's printf;
//! - `s_console` takes `format_args!(...)` instead of a C format string;
//! - `s_catch_signals` is the self-pipe signal handling from the guide's
//!   `interrupt.c`, kept here so any example can use it;
//! - `random`, `srandom`, `time` and `c_str` are small wrappers the C gets
//!   from libc.
#![allow(dead_code)]

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
//  As zhelpers.h's macro: (int) ((float) (num) * random () / (RAND_MAX + 1.0)),
//  where num * random () is a float product (so it can round up to num)
pub fn randof(num: i32) -> i32 {
    // SAFETY: random(3) has no preconditions (glibc serialises it internally).
    let random = unsafe { c_random() };
    let product = num as f32 * random as f32;
    (f64::from(product) / (f64::from(libc::RAND_MAX) + 1.0)) as i32
}

//  The C library's random (), which randof scales
pub fn random() -> i64 {
    // SAFETY: random(3) has no preconditions (glibc serialises it internally).
    let random = unsafe { c_random() };
    random as i64
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
//  Like the C, reads at most 255 bytes and stops at the first NUL; the
//  bytes are kept as they came (C's char *), so print them with printf.
//  Returns an error (the C returns NULL) if the context is being terminated.
pub fn s_recv(socket: &zmq::Socket) -> zmq::Result<Vec<u8>> {
    const CAP: usize = 256;
    let mut buffer = [0u8; CAP];
    let size = socket.recv_into(&mut buffer[..CAP - 1], 0)?;
    let received = &buffer[..size.min(CAP - 1)];
    let end = received.iter().position(|&byte| byte == 0).unwrap_or(received.len());
    Ok(received[..end].to_vec())
}

//  Convert string to 0MQ string and send to socket
pub fn s_send(socket: &zmq::Socket, string: impl AsRef<[u8]>) -> zmq::Result<()> {
    socket.send(string.as_ref(), 0)
}

//  Sends string as 0MQ string, as multipart non-terminal
pub fn s_sendmore(socket: &zmq::Socket, string: impl AsRef<[u8]>) -> zmq::Result<()> {
    socket.send(string.as_ref(), zmq::SNDMORE)
}

//  Receives all message parts from socket, prints neatly
//
pub fn s_dump(socket: &zmq::Socket) -> zmq::Result<()> {
    let mut message = zmq::Message::new();

    s_print_bytes(b"----------------------------------------\n");
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
        line.push('\n');
        s_print_bytes(line.as_bytes());
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
    let mut line = s_strftime(b"%y-%m-%d %H:%M:%S \0");
    let _ = writeln!(line, "{args}");
    s_print_bytes(&line);
}

//  The local time formatted by strftime (a NUL-terminated format), as
//  s_console prints it
pub fn s_strftime(format: &[u8]) -> Vec<u8> {
    if format.last() != Some(&0) {
        return Vec::new();
    }
    // SAFETY: time(3) accepts a null pointer.
    let curtime = unsafe { libc::time(ptr::null_mut()) };
    // SAFETY: libc::tm is plain integers (and a pointer localtime_r sets); all-zero is a valid value.
    let mut loctime: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers refer to live locals.
    unsafe { libc::localtime_r(&curtime, &mut loctime) };
    let mut formatted = [0u8; 64];
    let size =
        // SAFETY: strftime writes at most `formatted.len()` bytes; the format is NUL-terminated (checked above).
        unsafe { libc::strftime(formatted.as_mut_ptr().cast(), formatted.len(), format.as_ptr().cast(), &loctime) };
    formatted[..size].to_vec()
}

//  Writes bytes to stdout and flushes, dying by SIGPIPE as C would if the
//  reader has gone
pub fn s_print_bytes(bytes: &[u8]) {
    let mut stdout = io::stdout().lock();
    s_write_or_die(stdout.write_all(bytes).and_then(|()| stdout.flush()));
}

//  The bytes of a NUL-terminated C string held in a buffer (the whole
//  buffer if it holds no NUL), as printf ("%s") would print them
pub fn c_str(buffer: &[u8]) -> &[u8] {
    let end = buffer.iter().position(|&byte| byte == 0);
    &buffer[..end.unwrap_or(buffer.len())]
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
    //  Doesn't matter if SA_RESTART set because self-pipe will wake up zmq_poll
    //  But setting to 0 will allow zmq_read to be interrupted.
    s_on_interrupt(s_signal_handler);
}

//  Installs `handler` for SIGINT and SIGTERM, without SA_RESTART, so
//  blocking 0MQ calls return with EINTR. The handler must be
//  async-signal-safe.
pub fn s_on_interrupt(handler: extern "C" fn(libc::c_int)) {
    // SAFETY: sigaction is plain data; all-zero is a valid empty action.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = handler as libc::sighandler_t;
    action.sa_flags = 0;
    // SAFETY: `action` is initialised; the caller's handler is async-signal-safe (the documented contract, kept
    // by both callers: one writes to a pipe, the other stores to an atomic).
    unsafe {
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, ptr::null_mut());
        libc::sigaction(libc::SIGTERM, &action, ptr::null_mut());
    }
}

//  C's printf, for text that must reach stdout byte for byte
//
//  Rust's print! only takes UTF-8; a peer's bytes printed with %s in C go
//  out unchanged, so the ports print them with printf ("...%s...", &[&bytes]).
//  Knows the conversions the guide uses: %s %d %i %u %ld %zd %zu %lu %x %X
//  %c %%, with the '-' and '0' flags, a width and (for %s) a precision. A
//  missing argument prints nothing and an unknown conversion prints as
//  written, where C would be undefined.
pub fn printf(format: &str, args: &[&dyn PrintfArg]) {
    s_print_bytes(&sprintf(format, args));
}

//  The bytes printf would print
pub fn sprintf(format: &str, args: &[&dyn PrintfArg]) -> Vec<u8> {
    let format = format.as_bytes();
    let mut output = Vec::with_capacity(format.len());
    let mut args = args.iter();
    let mut index = 0;
    while index < format.len() {
        if format[index] != b'%' {
            output.push(format[index]);
            index += 1;
            continue;
        }
        let start = index;
        index += 1;
        let (mut left, mut zero) = (false, false);
        while let Some(&flag @ (b'-' | b'0' | b'+' | b' ' | b'#')) = format.get(index) {
            left |= flag == b'-';
            zero |= flag == b'0';
            index += 1;
        }
        let width = s_digits(format, &mut index);
        let precision = if format.get(index) == Some(&b'.') {
            index += 1;
            Some(s_digits(format, &mut index))
        } else {
            None
        };
        while let Some(b'h' | b'l' | b'z' | b'j' | b't' | b'q') = format.get(index) {
            index += 1;
        }
        let Some(&conversion) = format.get(index) else {
            output.extend_from_slice(&format[start..]);
            break;
        };
        index += 1;
        let field: Vec<u8> = match conversion {
            b'%' => {
                output.push(b'%');
                continue;
            }
            b's' | b'd' | b'i' | b'u' | b'x' | b'X' | b'c' => match args.next() {
                Some(arg) => arg.printf_value().convert(conversion, precision),
                None => Vec::new(),
            },
            _ => {
                output.extend_from_slice(&format[start..index]);
                continue;
            }
        };
        let pad = width.saturating_sub(field.len());
        if left {
            output.extend_from_slice(&field);
            output.resize(output.len() + pad, b' ');
        } else if zero && conversion != b's' && conversion != b'c' {
            let sign = usize::from(field.first() == Some(&b'-'));
            output.extend_from_slice(&field[..sign]);
            output.resize(output.len() + pad, b'0');
            output.extend_from_slice(&field[sign..]);
        } else {
            output.resize(output.len() + pad, b' ');
            output.extend_from_slice(&field);
        }
    }
    output
}

//  Reads a decimal number in a printf format (0 if there is none)
fn s_digits(format: &[u8], index: &mut usize) -> usize {
    let mut number = 0usize;
    while let Some(&digit @ b'0'..=b'9') = format.get(*index) {
        number = number.saturating_mul(10).saturating_add(usize::from(digit - b'0'));
        *index += 1;
    }
    number
}

//  A value printf can print
pub enum PrintfValue<'a> {
    Bytes(&'a [u8]),
    Signed(i64),
    Unsigned(u64),
}

impl PrintfValue<'_> {
    fn convert(&self, conversion: u8, precision: Option<usize>) -> Vec<u8> {
        match (self, conversion) {
            (PrintfValue::Bytes(bytes), b's') => {
                //  %s stops at a NUL, as it does in C
                let end = bytes.iter().position(|&byte| byte == 0).unwrap_or(bytes.len());
                bytes[..end.min(precision.unwrap_or(usize::MAX))].to_vec()
            }
            (PrintfValue::Bytes(bytes), _) => bytes.to_vec(),
            (&PrintfValue::Signed(value), b'c') => vec![value as u8],
            (&PrintfValue::Unsigned(value), b'c') => vec![value as u8],
            (&PrintfValue::Signed(value), b'x') => format!("{value:x}").into_bytes(),
            (&PrintfValue::Signed(value), b'X') => format!("{value:X}").into_bytes(),
            (&PrintfValue::Unsigned(value), b'x') => format!("{value:x}").into_bytes(),
            (&PrintfValue::Unsigned(value), b'X') => format!("{value:X}").into_bytes(),
            (PrintfValue::Signed(value), _) => value.to_string().into_bytes(),
            (PrintfValue::Unsigned(value), _) => value.to_string().into_bytes(),
        }
    }
}

//  Anything printf takes as an argument: text, bytes and integers
pub trait PrintfArg {
    fn printf_value(&self) -> PrintfValue<'_>;
}

impl PrintfArg for str {
    fn printf_value(&self) -> PrintfValue<'_> {
        PrintfValue::Bytes(self.as_bytes())
    }
}

impl PrintfArg for [u8] {
    fn printf_value(&self) -> PrintfValue<'_> {
        PrintfValue::Bytes(self)
    }
}

impl<const N: usize> PrintfArg for [u8; N] {
    fn printf_value(&self) -> PrintfValue<'_> {
        PrintfValue::Bytes(self)
    }
}

impl<T: PrintfArg + ?Sized> PrintfArg for &T {
    fn printf_value(&self) -> PrintfValue<'_> {
        (**self).printf_value()
    }
}

impl PrintfArg for String {
    fn printf_value(&self) -> PrintfValue<'_> {
        PrintfValue::Bytes(self.as_bytes())
    }
}

impl PrintfArg for Vec<u8> {
    fn printf_value(&self) -> PrintfValue<'_> {
        PrintfValue::Bytes(self)
    }
}

macro_rules! printf_integers {
    ($variant:ident: $($type:ty),*) => {
        $(impl PrintfArg for $type {
            fn printf_value(&self) -> PrintfValue<'_> {
                PrintfValue::$variant((*self).try_into().unwrap_or_default())
            }
        })*
    };
}
printf_integers!(Signed: i8, i16, i32, i64, isize);
printf_integers!(Unsigned: u8, u16, u32, u64, usize);

//  C's atoi: skips leading white space, takes an optional sign and the
//  digits that follow, and ignores the rest ("200x" is 200, "x" is 0).
//  Out-of-range values wrap as glibc's (int) strtol does.
pub fn atoi(text: impl AsRef<[u8]>) -> i32 {
    atol(text) as i32
}

//  C's atol (glibc's strtol in base 10): as atoi, but a long, which
//  saturates at its range
pub fn atol(text: impl AsRef<[u8]>) -> i64 {
    let text = text.as_ref();
    let mut index = text.iter().take_while(|byte| matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')).count();
    let negative = text.get(index) == Some(&b'-');
    if matches!(text.get(index), Some(b'-' | b'+')) {
        index += 1;
    }
    let mut value: i128 = 0;
    for &digit in text[index..].iter().take_while(|byte| byte.is_ascii_digit()) {
        value = (value * 10 + i128::from(digit - b'0')).min(i128::from(u64::MAX));
    }
    //  strtol saturates at the range of long
    (if negative { -value } else { value }).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

//  What a C program does when stdout's reader has gone: it dies by SIGPIPE
//  (Rust ignores SIGPIPE, so a write reports EPIPE instead). Other errors
//  are ignored, as printf's are.
pub fn s_write_or_die(result: io::Result<()>) {
    if let Err(error) = result {
        if error.kind() == io::ErrorKind::BrokenPipe {
            s_die_by_sigpipe();
        }
    }
}

//  Restores SIGPIPE's default action and raises it
pub fn s_die_by_sigpipe() -> ! {
    // SAFETY: signal(2) and raise(3) with valid arguments; restoring the default action of SIGPIPE affects only
    // this process, which is about to end.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::raise(libc::SIGPIPE);
    }
    //  SIGPIPE was blocked: end as the shell reports a SIGPIPE death
    std::process::exit(128 + libc::SIGPIPE)
}

//  Formatted output that ends the process by SIGPIPE when stdout's reader
//  has gone, as C's printf does (print! would panic)
pub fn s_print_fmt(args: fmt::Arguments) {
    s_write_or_die(io::stdout().lock().write_fmt(args));
}

//  An example that says `#[macro_use] mod zhelpers;` gets these print! and
//  println!, which behave as std's but die by SIGPIPE like C's printf.
//  (Kept last in this file, so nothing above uses them.)
#[allow(unused_macros)]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::zhelpers::s_print_fmt(format_args!($($arg)*))
    };
}

#[allow(unused_macros)]
macro_rules! println {
    () => {
        $crate::zhelpers::s_print_fmt(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::zhelpers::s_print_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

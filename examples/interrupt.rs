//! Shows how to handle Ctrl-C: a port of the zguide's
//! `examples/C/interrupt.c`.
//!
//! Differs from the C in that the self-pipe signal handling (`s_fd`,
//! `s_signal_handler`, `s_catch_signals`), which the C defines in this file,
//! lives in the zhelpers module, and its handler exits with `_exit` rather
//! than `exit` if writing to the pipe fails. libzmq errors, which the C
//! ignores, end `main` through `?`; the ones it checks are handled as in the C.

#[macro_use]
mod zhelpers;

use std::io;
use std::process;
use zhelpers::s_catch_signals;

//  Signal handling
//
//  Create a self-pipe and call s_catch_signals(pipe's writefd) in your application
//  at startup, and then exit your main loop if your pipe contains any data.
//  Works especially well with zmq_poll.

fn main() -> Result<(), zmq::Error> {
    let context = zmq::Context::new();
    let socket = context.socket(zmq::REP)?;
    socket.bind("tcp://*:5555")?;

    let mut pipefds: [libc::c_int; 2] = [-1; 2];
    // SAFETY: pipe writes two descriptors into the two-element array.
    let rc = unsafe { libc::pipe(pipefds.as_mut_ptr()) };
    if rc != 0 {
        eprintln!("Creating self-pipe: {}", io::Error::last_os_error());
        process::exit(1);
    }
    for pipefd in pipefds {
        // SAFETY: fcntl on a descriptor this program just created.
        let flags = unsafe { libc::fcntl(pipefd, libc::F_GETFL, 0) };
        if flags < 0 {
            eprintln!("fcntl(F_GETFL): {}", io::Error::last_os_error());
            process::exit(1);
        }
        // SAFETY: as above.
        let rc = unsafe { libc::fcntl(pipefd, libc::F_SETFL, flags | libc::O_NONBLOCK) };
        if rc != 0 {
            eprintln!("fcntl(F_SETFL): {}", io::Error::last_os_error());
            process::exit(1);
        }
    }

    s_catch_signals(pipefds[1]);

    let mut items = [zmq::PollItem::from_fd(pipefds[0], zmq::POLLIN), socket.as_poll_item(zmq::POLLIN)];

    loop {
        match zmq::poll(&mut items, -1) {
            Ok(0) => continue,
            Err(zmq::Error::EINTR) => continue,
            Err(error) => {
                eprintln!("zmq_poll: {error}");
                process::exit(1);
            }
            Ok(_) => {}
        }

        // Signal pipe FD
        if items[0].is_readable() {
            let mut buffer = [0u8; 1];
            // SAFETY: reads at most one byte into a one-byte buffer.
            unsafe { libc::read(pipefds[0], buffer.as_mut_ptr().cast(), 1) }; // clear notifying byte
            println!("W: interrupt received, killing server...");
            break;
        }

        // Read socket
        if items[1].is_readable() {
            let mut buffer = [0u8; 255];
            // Use non-blocking so we can continue to check self-pipe via zmq_poll
            match socket.recv_into(&mut buffer, zmq::DONTWAIT) {
                Err(zmq::Error::EAGAIN) => continue,
                Err(zmq::Error::EINTR) => continue,
                Err(error) => {
                    eprintln!("recv: {error}");
                    process::exit(1);
                }
                Ok(_) => {}
            }
            println!("W: recv");

            // Now send message back.
            // ...
        }
    }

    println!("W: cleaning up");
    drop(socket);
    drop(context);
    Ok(())
}

//! UDP ping, model 1: a port of the zguide's `examples/C/udpping1.c`.
//!
//! Differs from the C in that the UDP socket is std's `UdpSocket` (bound
//! when created, so SO_BROADCAST is set just after the bind rather than
//! before it), and `derp` prints the failed step and `strerror`'s text, as
//! `perror` does, from the `io::Error` the call returned. As in the C, the
//! socket has no SO_REUSEADDR: a second instance on one host fails to bind.

//  UDP ping command
//  Model 1, does UDP work inline

mod czmq;

use czmq::*;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::unix::io::AsRawFd;
use std::process;

const PING_PORT_NUMBER: u16 = 9999;
const PING_MSG_SIZE: usize = 1;
const PING_INTERVAL: i64 = 1000; //  Once per second

fn derp(s: &str, error: io::Error) -> ! {
    let code = error.raw_os_error().unwrap_or(libc::EIO);
    eprintln!("{s}: {}", zmq::Error::from_raw(code));
    process::exit(1);
}

fn main() -> Result<(), zmq::Error> {
    let ctx = zctx_new();

    //  Create UDP socket
    //  Bind UDP socket to local port so we can receive pings
    let si_this = SocketAddr::from((Ipv4Addr::UNSPECIFIED, PING_PORT_NUMBER));
    let fd = UdpSocket::bind(si_this).unwrap_or_else(|error| derp("bind", error));

    //  Ask operating system to let us do broadcasts from socket
    if let Err(error) = fd.set_broadcast(true) {
        derp("setsockopt (SO_BROADCAST)", error);
    }

    let mut buffer = [0u8; PING_MSG_SIZE];

    //  .split main ping loop
    //  We use {{zmq_poll}} to wait for activity on the UDP socket, because
    //  this function works on non-0MQ file handles. We send a beacon
    //  once a second, and we collect and report beacons that come in
    //  from other nodes:

    let mut pollitems = [zmq::PollItem::from_fd(fd.as_raw_fd(), zmq::POLLIN)];
    //  Send first ping right away
    let mut ping_at = zclock_time();

    while !zctx_interrupted() {
        let timeout = (ping_at - zclock_time()).max(0);
        if zmq::poll(&mut pollitems, timeout).is_err() {
            break; //  Interrupted
        }

        //  Someone answered our ping
        if pollitems[0].is_readable() {
            let (_size, si_that) = fd.recv_from(&mut buffer).unwrap_or_else(|error| derp("recvfrom", error));
            println!("Found peer {}:{}", si_that.ip(), si_that.port());
        }
        if zclock_time() >= ping_at {
            //  Broadcast our beacon
            println!("Pinging peers...");
            buffer[0] = b'!';
            let si_that = SocketAddr::from((Ipv4Addr::BROADCAST, PING_PORT_NUMBER));
            if let Err(error) = fd.send_to(&buffer, si_that) {
                derp("sendto", error);
            }
            ping_at = zclock_time() + PING_INTERVAL;
        }
    }
    drop(fd);
    zctx_destroy(ctx);
    Ok(())
}

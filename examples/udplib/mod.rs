//! A UDP class: a port of the zguide's `examples/C/udplib.c`, which the
//! UDP ping models and the interface class include.
//!
//! Differs from the C in that the socket becomes a std `UdpSocket` once it
//! is bound (closed when the `Udp` is dropped); the interface scan
//! (`getifaddrs`) is left out, since `udp_send` always sends to
//! 255.255.255.255 and the C uses nothing else it found; and an I/O error
//! the C asserts on is logged as the C logs it and ends the process with
//! exit status 1.
#![allow(dead_code)]

//  A UDP class.
//  Implemented as a proper wee class using the CZMQ style.
//  Include directly into your application source code.

use super::czmq::*;
use std::io;
use std::mem;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::unix::io::{AsRawFd, FromRawFd, RawFd};
use std::process;

//  UDP instance

pub struct Udp {
    handle: UdpSocket, //  Socket for send/recv
    port_nbr: u16,     //  UDP port number we work on
}

//  Handle error from I/O operation

fn s_handle_io_error(reason: &str, error: &io::Error) {
    let errno = error.raw_os_error().unwrap_or(libc::EIO);
    let transient = [
        libc::EAGAIN,
        libc::ENETDOWN,
        libc::EPROTO,
        libc::ENOPROTOOPT,
        libc::EHOSTDOWN,
        libc::ENONET,
        libc::EHOSTUNREACH,
        libc::EOPNOTSUPP,
        libc::ENETUNREACH,
        libc::EWOULDBLOCK,
        libc::EINTR,
    ]
    .contains(&errno);
    let peer_gone = errno == libc::EPIPE || errno == libc::ECONNRESET;
    //  Ignore error and try again (both kinds)
    if !transient && !peer_gone {
        zclock_log("E: (udp) error '%s' on %s", &[&zmq::Error::from_raw(errno).to_string(), &reason]);
        process::exit(1);
    }
}

//  Ends the process, as the C does when it cannot go on
fn s_fatal_io_error(reason: &str, error: io::Error) -> ! {
    s_handle_io_error(reason, &error);
    zclock_log("E: (udp) cannot continue after '%s'", &[&reason]);
    process::exit(1);
}

//  The result of a socket call that returns -1 and sets errno
fn s_check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

//  Constructor

pub fn udp_new(port_nbr: u16) -> Udp {
    //  Create UDP socket
    // SAFETY: socket(2) with constant, valid arguments; it returns a new descriptor or -1.
    let handle = s_check(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM, libc::IPPROTO_UDP) })
        .unwrap_or_else(|error| s_fatal_io_error("socket", error));
    // SAFETY: `handle` is a descriptor this function just opened and owns alone; the `UdpSocket` closes it.
    let handle = unsafe { UdpSocket::from_raw_fd(handle) };

    //  Ask operating system to let us do broadcasts from socket
    if let Err(error) = handle.set_broadcast(true) {
        s_handle_io_error("setsockopt (SO_BROADCAST)", &error);
    }

    //  Allow multiple processes to bind to socket; incoming
    //  messages will come to each process
    if let Err(error) = s_set_reuseaddr(handle.as_raw_fd()) {
        s_handle_io_error("setsockopt (SO_REUSEADDR)", &error);
    }

    if let Err(error) = s_bind_any(handle.as_raw_fd(), port_nbr) {
        s_fatal_io_error("bind", error);
    }
    Udp { handle, port_nbr }
}

fn s_set_reuseaddr(fd: RawFd) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: setsockopt(2) on an open descriptor, with a pointer to a live c_int and its size.
    s_check(unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            (&on as *const libc::c_int).cast(),
            mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(drop)
}

fn s_bind_any(fd: RawFd, port_nbr: u16) -> io::Result<()> {
    // SAFETY: sockaddr_in is plain data; all-zero is a valid value to fill in.
    let mut sockaddr: libc::sockaddr_in = unsafe { mem::zeroed() };
    sockaddr.sin_family = libc::AF_INET as libc::sa_family_t;
    sockaddr.sin_port = port_nbr.to_be();
    sockaddr.sin_addr.s_addr = u32::from(Ipv4Addr::UNSPECIFIED).to_be();
    // SAFETY: bind(2) on an open descriptor with a pointer to a live sockaddr_in and its size.
    s_check(unsafe {
        libc::bind(
            fd,
            (&sockaddr as *const libc::sockaddr_in).cast(),
            mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    })
    .map(drop)
}

//  Destructor

pub fn udp_destroy(udp: Udp) {
    drop(udp);
}

//  Returns UDP socket handle

pub fn udp_handle(udp: &Udp) -> RawFd {
    udp.handle.as_raw_fd()
}

//  Send message using UDP broadcast

pub fn udp_send(udp: &Udp, buffer: &[u8]) {
    let broadcast = SocketAddr::from((Ipv4Addr::BROADCAST, udp.port_nbr));
    if let Err(error) = udp.handle.send_to(buffer, broadcast) {
        s_handle_io_error("sendto", &error);
    }
}

//  Receive message from UDP broadcast
//  Returns size of received message, or -1

pub fn udp_recv(udp: &Udp, buffer: &mut [u8]) -> isize {
    match udp.handle.recv_from(buffer) {
        Ok((size, _sockaddr)) => size as isize,
        Err(error) => {
            s_handle_io_error("recvfrom", &error);
            -1
        }
    }
}

//! Report 0MQ version: a port of the zguide's `examples/C/version.c`.
//!
//! Prints with `zhelpers`' `println!`, which dies by SIGPIPE as C's printf
//! does when stdout's reader has gone.

#[macro_use]
mod zhelpers;

fn main() {
    let (major, minor, patch) = zmq::version();
    println!("Current 0MQ version is {major}.{minor}.{patch}");
}

//! UDP ping, model 2: a port of the zguide's `examples/C/udpping2.c`.
//!
//! Differs from the C only in its UDP class, the module `udplib` (see its
//! differences).

//  UDP ping command
//  Model 2, uses separate UDP library

mod czmq;
mod udplib;

use czmq::*;
use udplib::*;

const PING_PORT_NUMBER: u16 = 9999;
const PING_MSG_SIZE: usize = 1;
const PING_INTERVAL: i64 = 1000; //  Once per second

fn main() {
    let ctx = zctx_new();
    let udp = udp_new(PING_PORT_NUMBER);

    let mut buffer = [0u8; PING_MSG_SIZE];
    let mut pollitems = [zmq::PollItem::from_fd(udp_handle(&udp), zmq::POLLIN)];
    //  Send first ping right away
    let mut ping_at = zclock_time();

    while !zctx_interrupted() {
        let timeout = (ping_at - zclock_time()).max(0);
        if zmq::poll(&mut pollitems, timeout).is_err() {
            break; //  Interrupted
        }

        //  Someone answered our ping
        if pollitems[0].is_readable() {
            udp_recv(&udp, &mut buffer);
        }

        if zclock_time() >= ping_at {
            println!("Pinging peers...");
            buffer[0] = b'!';
            udp_send(&udp, &buffer);
            ping_at = zclock_time() + PING_INTERVAL;
        }
    }
    udp_destroy(udp);
    zctx_destroy(ctx);
}

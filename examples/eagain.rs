//! EAGAIN at the high-water mark: a port of the zguide's
//! `examples/C/eagain.c`.
//!
//! Differs from the C only in that libzmq errors in the set-up calls, which
//! the C ignores, end `main` through `?`, and the failed send's error is
//! printed from the `zmq::Error` it returned (its text is libzmq's
//! `zmq_strerror`, the same as `strerror (errno)`).

//  Shows how to provoke EAGAIN when reaching HWM

mod czmq;

use czmq::*;

fn main() -> Result<(), zmq::Error> {
    let ctx = zctx_new();

    let mailbox = zsocket_new(&ctx, zmq::DEALER)?;
    zsocket_set_sndhwm(&mailbox, 4)?;
    zsocket_set_sndtimeo(&mailbox, 0)?;
    zsocket_connect(&mailbox, "tcp://localhost:9876")?;

    for count in 0..10 {
        printf("Sending message %d\n", &[&count]);
        let rc = zstr_sendf(&mailbox, "message %d", &[&count]);
        if let Err(error) = rc {
            printf("%s\n", &[&error.to_string()]);
            break;
        }
    }
    zctx_destroy(ctx);
    Ok(())
}

//! Lazy Pirate server: a port of the zguide's `examples/C/lpserver.c`.
//!
//! Differs from the C only in that libzmq errors, which the C ignores, end
//! `main` through `?`. (The C header says "REQ socket"; it is a REP socket.)

//  Binds REQ socket to tcp://*:5555
//  Like hwserver except:
//   - echoes request as-is
//   - randomly runs slowly, or exits to simulate a crash.

#[macro_use]
mod zhelpers;

use std::thread;
use std::time::Duration;
use zhelpers::{printf, randof, s_recv, s_send, srandom, time};

fn main() -> Result<(), zmq::Error> {
    srandom(time() as u32);

    let context = zmq::Context::new();
    let server = context.socket(zmq::REP)?;
    server.bind("tcp://*:5555")?;

    let mut cycles = 0;
    loop {
        let request = s_recv(&server)?;
        cycles += 1;

        //  Simulate various problems, after a few cycles
        if cycles > 3 && randof(3) == 0 {
            println!("I: simulating a crash");
            break;
        } else if cycles > 3 && randof(3) == 0 {
            println!("I: simulating CPU overload");
            thread::sleep(Duration::from_secs(2));
        }
        printf("I: normal request (%s)\n", &[&request]);
        thread::sleep(Duration::from_secs(1)); //  Do some heavy work
        s_send(&server, &request)?;
    }
    drop(server);
    drop(context);
    Ok(())
}

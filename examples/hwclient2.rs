//! Hello World client with a DEALER socket: a port of the zguide's
//! `examples/C/hwclient2.c`.
//!
//! Differs from the C only in that libzmq errors the C ignores end `main`
//! through `?`; receive errors are still printed and exit with -1 as in the C.
//! Talks to `hwserver2` (or any REP server on port 5555).
// **Hello World client
// DEALER socket connect to tcp://localhost:5555
// send "Hello" to server，expect receive "World"
#[macro_use]
mod zhelpers;

use std::process;
use zhelpers::{c_str, printf, s_sendmore};

fn main() -> Result<(), zmq::Error> {
    println!("Connecting to hello world server...");
    let context = zmq::Context::new();
    let requester = context.socket(zmq::DEALER)?;
    requester.connect("tcp://localhost:5555")?;
    let mut reply_nbr = 0; //receive respond number
    for request_nbr in 0..10 {
        //request number
        let mut buffer = [0u8; 10];
        println!("Sending request msg: Hello NO={}...", request_nbr + 1);
        //send request msg to server
        s_sendmore(&requester, "")?; //send multi part msg,the first part is empty part
        requester.send("Hello", 0)?; //the second part is your request msg
                                     //receive reply msg
        if let Err(error) = requester.recv_into(&mut buffer, 0) {
            println!("Error:{error}");
            process::exit(-1);
        }
        //if the first part you received is empty part,then continue receiving next part
        if c_str(&buffer).is_empty() {
            buffer = [0u8; 10];
            if let Err(error) = requester.recv_into(&mut buffer, 0) {
                println!("Error:{error}");
                process::exit(-1);
            }
            reply_nbr += 1;
            printf("Received respond msg: %s NO=%d\n\n", &[&c_str(&buffer), &reply_nbr]);
        }
        //if the first part you received is not empty part,discard the whole ZMQ msg
        else {
            println!("Discard the ZMQ message!");
        }
    }
    drop(requester);
    drop(context);
    Ok(())
}

//! Weather update client, async: `wuclient.rs` (the zguide's `examples/C/wuclient.c`) on
//! [`zmq::AsyncSocket`] and the tokio runtime (run with `--features tokio`).
//!
//! Statement for statement the blocking port, except that the updates come from the
//! socket as a `Stream` (`StreamExt::next`), one multipart message at a time.

//  Connects SUB socket to tcp://localhost:5556
//  Collects weather updates and finds avg temp in zipcode

use futures::StreamExt;
use std::env;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), zmq::Error> {
    //  Socket to talk to server
    println!("Collecting updates from weather server...");
    let context = zmq::Context::new();
    let mut subscriber = zmq::AsyncSocket::new(&context, zmq::SUB)?;
    subscriber.connect("tcp://localhost:5556")?;

    //  Subscribe to zipcode, default is NYC, 10001
    let filter = env::args().nth(1).unwrap_or_else(|| "10001 ".to_string());
    subscriber.set_subscribe(filter.as_bytes())?;

    //  Process 100 updates
    let mut update_nbr = 0;
    let mut total_temp: i64 = 0;
    while update_nbr < 100 {
        let Some(frames) = subscriber.next().await else { break };
        let string = String::from_utf8_lossy(&frames?[0]).into_owned();

        let mut fields = string.split_whitespace().map(|field| field.parse().unwrap_or(0));
        let (_zipcode, temperature, _relhumidity): (i64, i64, i64) =
            (fields.next().unwrap_or(0), fields.next().unwrap_or(0), fields.next().unwrap_or(0));
        total_temp += temperature;
        update_nbr += 1;
    }
    println!("Average temperature for zipcode '{}' was {}F", filter, total_temp / update_nbr);
    Ok(())
}

//! Weather update client: a port of the zguide's `examples/C/wuclient.c`.
//!
//! Differs from the C only in that libzmq errors, which the C asserts on,
//! end `main` through `?`, and `sscanf` is done by splitting on
//! whitespace and reading each field with `atoi`.

//  Connects SUB socket to tcp://localhost:5556
//  Collects weather updates and finds avg temp in zipcode

#[macro_use]
mod zhelpers;

use std::env;
use zhelpers::{atoi, s_recv};

fn main() -> Result<(), zmq::Error> {
    //  Socket to talk to server
    println!("Collecting updates from weather server...");
    let context = zmq::Context::new();
    let subscriber = context.socket(zmq::SUB)?;
    subscriber.connect("tcp://localhost:5556")?;

    //  Subscribe to zipcode, default is NYC, 10001
    let filter = env::args().nth(1).unwrap_or_else(|| "10001 ".to_string());
    subscriber.set_subscribe(filter.as_bytes())?;

    //  Process 100 updates
    let mut update_nbr = 0;
    let mut total_temp: i64 = 0;
    while update_nbr < 100 {
        let string = s_recv(&subscriber)?;

        let mut fields =
            string.split(u8::is_ascii_whitespace).filter(|field| !field.is_empty()).map(|field| i64::from(atoi(field)));
        let (_zipcode, temperature, _relhumidity): (i64, i64, i64) =
            (fields.next().unwrap_or(0), fields.next().unwrap_or(0), fields.next().unwrap_or(0));
        total_temp += temperature;
        update_nbr += 1;
    }
    println!("Average temperature for zipcode '{}' was {}F", filter, total_temp / update_nbr);

    drop(subscriber);
    drop(context);
    Ok(())
}

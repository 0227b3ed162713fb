//! Pathological subscriber: a port of the zguide's `examples/C/pathosub.c`.
//!
//! Differs from the C in that libzmq errors, which the C ignores, end
//! `main` through `?`; an endpoint argument that is not UTF-8 is refused
//! with an error; a message without its data frame ends the loop (C:
//! `puts (NULL)`), and one whose topic is not the subscription (a longer
//! topic with the same prefix, from another publisher) is skipped, where
//! the C asserts.

//  Pathological subscriber
//  Subscribes to one random topic and prints received messages

mod czmq;

use czmq::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv = std::env::args_os()
        .map(|arg| arg.into_string().map_err(|arg| format!("not UTF-8: {arg:?}")))
        .collect::<Result<Vec<String>, String>>()?;
    let context = zctx_new();
    let subscriber = zsocket_new(&context, zmq::SUB)?;
    if argv.len() == 2 {
        zsocket_connect(&subscriber, &argv[1])?;
    } else {
        zsocket_connect(&subscriber, "tcp://localhost:5556")?;
    }

    srandom(time() as u32);
    let subscription = sprintf("%03d", &[&randof(1000)]);
    zsocket_set_subscribe(&subscriber, &subscription)?;

    while let Some(topic) = zstr_recv(&subscriber) {
        let Some(data) = zstr_recv(&subscriber) else {
            break;
        };
        if !streq(&topic, &subscription) {
            continue;
        }
        printf("%s\n", &[&data]);
    }
    drop(subscriber);
    zctx_destroy(context);
    Ok(())
}

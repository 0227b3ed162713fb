//! Last value cache: a port of the zguide's `examples/C/lvcache.c`.
//!
//! Differs from the C in that libzmq errors, which the C ignores, end
//! `main` through `?`; it connects its frontend to `tcp://localhost:5557`
//! where the C gives `tcp://*:5557`, which libzmq refuses for a connect
//! (EINVAL: the C goes on with a frontend connected to nothing); the cache is a
//! `HashMap` from topic bytes to value bytes (the C's `zhash_t` of
//! strings); an update without its value frame ends the loop like one
//! without a topic (the C caches a NULL value), and an empty subscription
//! event is ignored (the C reads its missing first byte).

//  Last value cache
//  Uses XPUB subscription messages to re-send data

mod czmq;

use czmq::*;
use std::collections::HashMap;

fn main() -> Result<(), zmq::Error> {
    let context = zctx_new();
    let frontend = zsocket_new(&context, zmq::SUB)?;
    zsocket_connect(&frontend, "tcp://localhost:5557")?;
    let backend = zsocket_new(&context, zmq::XPUB)?;
    zsocket_bind(&backend, "tcp://*:5558")?;

    //  Subscribe to every single topic from publisher
    zsocket_set_subscribe(&frontend, "")?;

    //  Store last instance of each topic in a cache
    let mut cache: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();

    //  .split main poll loop
    //  We route topic updates from frontend to backend, and
    //  we handle subscriptions by sending whatever we cached,
    //  if anything:
    loop {
        let mut items = [frontend.as_poll_item(zmq::POLLIN), backend.as_poll_item(zmq::POLLIN)];
        if zmq::poll(&mut items, 1000).is_err() {
            break; //  Interrupted
        }

        //  Any new topic data we cache and then forward
        if items[0].is_readable() {
            let topic = zstr_recv(&frontend);
            let current = zstr_recv(&frontend);
            let (Some(topic), Some(current)) = (topic, current) else {
                break;
            };
            zstr_sendm(&backend, &topic)?;
            zstr_send(&backend, &current)?;
            cache.insert(topic, current);
        }
        //  .split handle subscriptions
        //  When we get a new subscription, we pull data from the cache:
        if items[1].is_readable() {
            let Some(frame) = zframe_recv(&backend) else {
                break;
            };
            //  Event is one byte 0=unsub or 1=sub, followed by topic
            let event = zframe_data(&frame);
            if event.first() == Some(&1) {
                let topic = &event[1..];
                printf("Sending cached topic %s\n", &[&topic]);
                if let Some(previous) = cache.get(topic) {
                    zstr_sendm(&backend, topic)?;
                    zstr_send(&backend, previous)?;
                }
            }
            zframe_destroy(frame);
        }
    }
    drop((frontend, backend));
    zctx_destroy(context);
    Ok(())
}

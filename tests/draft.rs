//! The draft socket types and message fields (built with `--features vendored,draft`).
#![cfg(zmq_draft)]

mod common;

use std::time::Duration;

use common::{bind_tcp, ctx, socket, within};

#[test]
fn server_and_client_use_routing_ids() {
    within(Duration::from_secs(20), || {
        let c = ctx();
        let server = socket(&c, zmq::SERVER);
        let client = socket(&c, zmq::CLIENT);
        client.connect(&bind_tcp(&server)).unwrap();
        client.send("request", 0).unwrap();
        let request = server.recv_msg(0).unwrap();
        let id = request.routing_id().expect("a SERVER message carries the client's routing id");
        let mut reply = zmq::Message::from("reply");
        reply.set_routing_id(id).unwrap();
        server.send(reply, 0).unwrap();
        assert_eq!(client.recv_string(0).unwrap().unwrap(), "reply");
        // Without a routing id, SERVER cannot route.
        assert_eq!(server.send("lost", zmq::DONTWAIT).unwrap_err(), zmq::Error::EHOSTUNREACH);
    });
}

#[test]
fn radio_and_dish_use_groups() {
    within(Duration::from_secs(20), || {
        let c = ctx();
        let radio = socket(&c, zmq::RADIO);
        let dish = socket(&c, zmq::DISH);
        let ep = bind_tcp(&radio);
        dish.join("weather").unwrap();
        dish.connect(&ep).unwrap();
        // The join travels to the radio asynchronously: publish until the dish hears it.
        loop {
            let mut msg = zmq::Message::from("sunny");
            msg.set_group("weather").unwrap();
            radio.send(msg, 0).unwrap();
            let mut other = zmq::Message::from("ignored");
            other.set_group("sports").unwrap();
            radio.send(other, 0).unwrap();
            if dish.poll(zmq::POLLIN, 20).unwrap() > 0 {
                break;
            }
        }
        let got = dish.recv_msg(0).unwrap();
        assert_eq!(got.group(), Some("weather"));
        assert_eq!(got.as_str(), Some("sunny"));
        dish.leave("weather").unwrap();
        let mut long = zmq::Message::from("x");
        assert_eq!(long.set_group(&"g".repeat(300)).unwrap_err(), zmq::Error::EINVAL);
    });
}

#[test]
fn draft_types_round_trip() {
    for t in [
        zmq::SERVER,
        zmq::CLIENT,
        zmq::RADIO,
        zmq::DISH,
        zmq::GATHER,
        zmq::SCATTER,
        zmq::DGRAM,
        zmq::PEER,
        zmq::CHANNEL,
    ] {
        assert_eq!(zmq::SocketType::from_raw(t.to_raw()), Some(t));
        let c = ctx();
        assert_eq!(c.socket(t).unwrap().get_socket_type().unwrap(), t);
    }
}

/// libzmq 4.3 keeps a group longer than 14 bytes in its own allocation, which a second zmq_msg_set_group neither
/// frees nor replaces; the wrapper must neither leak it nor report a stale or corrupted group.
#[test]
fn set_group_replaces_a_long_group() {
    let long_a = "a-long-group-name-number-one";
    let long_b = "another-group-that-is-long-too";
    let mut msg = zmq::Message::from(vec![9u8; 100]);
    msg.set_routing_id(77).unwrap();
    for _ in 0..1000 {
        msg.set_group(long_a).unwrap();
        msg.set_group(long_b).unwrap();
    }
    assert_eq!(msg.group(), Some(long_b));
    msg.set_group("short").unwrap();
    assert_eq!(msg.group(), Some("short"), "a stale long group is still reported");
    msg.set_group(long_a).unwrap();
    msg.set_group("fourteen-chars").unwrap(); // would overwrite libzmq's long-group pointer
    assert_eq!(msg.group(), Some("fourteen-chars"));
    assert_eq!(msg.routing_id(), Some(77), "the routing id survives");
    assert_eq!(&msg[..], &[9u8; 100][..]);
    // A clone and a copy-on-write keep the group.
    msg.set_group(long_b).unwrap();
    let mut clone = msg.clone();
    assert_eq!(clone.group(), Some(long_b));
    clone[0] = 1;
    assert_eq!((clone.group(), clone.routing_id()), (Some(long_b), Some(77)));
}

/// The long group travels: a DISH receives it from a RADIO over inproc.
#[test]
fn long_groups_reach_the_dish() {
    within(Duration::from_secs(20), || {
        let c = ctx();
        let radio = socket(&c, zmq::RADIO);
        let dish = socket(&c, zmq::DISH);
        let ep = format!("inproc://{}", common::unique("long-group"));
        radio.bind(&ep).unwrap();
        let group = "g".repeat(200);
        dish.join(&group).unwrap();
        dish.connect(&ep).unwrap();
        dish.set_rcvtimeo(20).unwrap();
        loop {
            let mut msg = zmq::Message::from("news");
            msg.set_group("short-first").unwrap();
            msg.set_group(&group).unwrap();
            radio.send(msg, 0).unwrap();
            match dish.recv_msg(0) {
                Ok(got) => {
                    assert_eq!(got.group(), Some(group.as_str()));
                    break;
                }
                Err(zmq::Error::EAGAIN) => continue,
                Err(e) => panic!("{e}"),
            }
        }
    });
}

//! JSON frames (feature `serde`), and the MessagePack example's logic.
#![cfg(feature = "serde")]

mod common;
#[path = "support/inproc_pair.rs"]
mod pair;

#[path = "../examples/msgpack.rs"]
#[allow(dead_code)]
mod msgpack;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{bind_tcp, ctx, socket, within};
use pair::inproc_pair;
use serde::{Deserialize, Serialize};
use zmq::JsonError;

const LIMIT: Duration = Duration::from_secs(20);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Reading {
    sensor: String,
    celsius: f64,
    tags: Vec<String>,
}

fn reading() -> Reading {
    Reading { sensor: "kitchen".into(), celsius: 21.5, tags: vec!["indoor".into(), "ä ☃".into()] }
}

#[test]
fn typed_values_round_trip_over_tcp() {
    within(LIMIT, || {
        let ctx = ctx();
        let server = socket(&ctx, zmq::REP);
        let endpoint = bind_tcp(&server);
        let client = socket(&ctx, zmq::REQ);
        client.connect(&endpoint).unwrap();

        client.send_json(&reading(), 0).unwrap();
        let got: Reading = server.recv_json(0).unwrap();
        assert_eq!(got, reading());
        server.send_json(&serde_json::json!({"ok": true, "n": [1, 2, 3]}), 0).unwrap();
        let reply: serde_json::Value = client.recv_json(0).unwrap();
        assert_eq!(reply["n"][2], 3);
    });
}

#[test]
fn the_frame_is_plain_json_text() {
    let ctx = ctx();
    let (tx, rx) = inproc_pair(&ctx, "json-text");
    tx.send_json(&[1, 2], 0).unwrap();
    assert_eq!(rx.recv_string(0).unwrap().unwrap(), "[1,2]");
    tx.send(r#"{"sensor":"x","celsius":-3,"tags":[]}"#, 0).unwrap();
    let got: Reading = rx.recv_json(0).unwrap();
    assert_eq!(got, Reading { sensor: "x".into(), celsius: -3.0, tags: vec![] });
}

#[test]
fn malformed_frames_are_errors_and_the_socket_goes_on() {
    within(LIMIT, || {
        let ctx = ctx();
        let (tx, rx) = inproc_pair(&ctx, "json-malformed");
        let bad: [&[u8]; 7] = [
            b"",
            b"{\"sensor\": ",
            b"\xff\xfe not utf-8",
            b"[1, 2, 3]",                                           // valid JSON, wrong shape
            b"{\"sensor\":\"x\",\"celsius\":\"warm\",\"tags\":[]}", // wrong field type
            b"{\"sensor\":\"x\",\"celsius\":1,\"tags\":[]} trailing",
            &[b'['; 10_000], // deeper than serde_json's recursion limit
        ];
        for frame in bad {
            tx.send(frame, 0).unwrap();
            match rx.recv_json::<Reading>(0) {
                Err(JsonError::Json(e)) => assert!(!e.to_string().is_empty()),
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(&frame[..frame.len().min(40)])),
            }
        }
        // Each bad frame was consumed; the next good one arrives.
        tx.send_json(&reading(), 0).unwrap();
        assert_eq!(rx.recv_json::<Reading>(0).unwrap(), reading());
    });
}

#[test]
fn values_json_cannot_hold_are_not_sent() {
    let ctx = ctx();
    let (tx, rx) = inproc_pair(&ctx, "json-unencodable");
    let mut map = BTreeMap::new();
    map.insert(vec![1u8], 1u8); // JSON object keys must be strings
    assert!(matches!(tx.send_json(&map, 0), Err(JsonError::Json(_))));
    assert!(matches!(tx.send_json(&f64::NAN, 0), Ok(())), "serde_json writes NaN as null");
    assert_eq!(rx.recv_string(0).unwrap().unwrap(), "null");
    assert!(matches!(rx.recv_json::<serde_json::Value>(zmq::DONTWAIT), Err(JsonError::Zmq(zmq::Error::EAGAIN))));
}

#[test]
fn socket_errors_are_zmq_errors() {
    let ctx = ctx();
    let req = socket(&ctx, zmq::REQ);
    req.set_rcvtimeo(0).unwrap();
    // A REQ socket must send first: libzmq refuses the receive.
    let err = req.recv_json::<serde_json::Value>(0).unwrap_err();
    assert!(matches!(err, JsonError::Zmq(zmq::Error::EFSM)), "{err:?}");
    assert_eq!(err.to_string(), zmq::Error::EFSM.to_string());
    let io: std::io::Error = err.into();
    assert!(io.get_ref().is_some());

    let err = JsonError::from(serde_json::from_str::<u8>("x").unwrap_err());
    assert!(err.to_string().starts_with("JSON: "), "{err}");
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::InvalidData);
}

#[test]
fn multipart_json() {
    let ctx = ctx();
    let (tx, rx) = inproc_pair(&ctx, "json-multipart");
    tx.send_json("header", zmq::SNDMORE).unwrap();
    tx.send_json(&reading(), 0).unwrap();
    assert_eq!(rx.recv_json::<String>(0).unwrap(), "header");
    assert!(rx.get_rcvmore().unwrap());
    assert_eq!(rx.recv_json::<Reading>(0).unwrap(), reading());
    assert!(!rx.get_rcvmore().unwrap());
}

#[test]
fn msgpack_example_serves_requests_and_survives_garbage() {
    use msgpack::{call, recv_msgpack, serve, Op, Reply, Request};
    within(LIMIT, || {
        let ctx = ctx();
        let server = socket(&ctx, zmq::REP);
        let endpoint = bind_tcp(&server);
        let worker = std::thread::spawn(move || serve(&server, 4).map_err(|e| e.to_string()));
        let client = socket(&ctx, zmq::REQ);
        client.connect(&endpoint).unwrap();

        let sum = call(&client, &Request { id: 7, op: Op::Sum(vec![1.5, 2.5, 3.0]) }).unwrap();
        assert_eq!(sum, Reply { id: Some(7), result: Ok(7.0) });
        let mean = call(&client, &Request { id: 8, op: Op::Mean(vec![]) }).unwrap();
        assert_eq!(mean, Reply { id: Some(8), result: Err("mean of nothing".into()) });
        for garbage in [&b"not MessagePack"[..], &[0xc1u8][..]] {
            client.send(garbage, 0).unwrap();
            let reply: Reply = recv_msgpack(&client).unwrap();
            assert_eq!(reply.id, None);
            assert!(reply.result.unwrap_err().starts_with("bad request"));
        }
        worker.join().unwrap().unwrap();
    });
}

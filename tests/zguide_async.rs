//! Scenario tests for the async twins of zguide ports (`examples/*_async.rs`, feature `tokio`): each runs with
//! the guide's fixed ports and peers, async against blocking both ways, and checks what the blocking ports'
//! scenarios check. The harness is in `zguide_support`.
#![cfg(feature = "tokio")]

mod zguide_support;

use zguide_support::*;

/// The examples these scenarios run.
const EXAMPLES: &[&str] = &[
    "hwclient",
    "hwclient_async",
    "hwserver",
    "hwserver_async",
    "rrbroker_async",
    "rrclient",
    "rrworker",
    "wuclient",
    "wuclient_async",
    "wuserver_async",
];

fn hwclient_output() -> String {
    let mut expected = "Connecting to hello world server...\n".to_string();
    for request_nbr in 0..10 {
        expected += &format!("Sending Hello {request_nbr}...\nReceived World {request_nbr}\n");
    }
    expected
}

#[test]
fn hwserver_async_answers_the_blocking_hwclient() {
    let _guard = serial();
    let mut server = Example::start("hwserver_async");
    let mut client = Example::start("hwclient");
    assert_eq!(client.finish(40 * SECOND), hwclient_output());
    assert_eq!(server.stop(), "Received Hello\n".repeat(10));
}

#[test]
fn hwclient_async_talks_to_the_blocking_hwserver() {
    let _guard = serial();
    let mut server = Example::start("hwserver");
    let mut client = Example::start("hwclient_async");
    assert_eq!(client.finish(40 * SECOND), hwclient_output());
    assert_eq!(server.stop(), "Received Hello\n".repeat(10));
}

#[test]
fn rrbroker_async_shares_requests_between_blocking_workers() {
    request_reply_broker("rrbroker_async");
}

fn check_wuclient_output(output: &str, filter: &str) {
    let rest = output
        .strip_prefix("Collecting updates from weather server...\n")
        .unwrap_or_else(|| panic!("wuclient output wrong: {output:?}"));
    let average = number_in(rest, &format!("Average temperature for zipcode '{filter}' was "), "F\n")
        .unwrap_or_else(|| panic!("wuclient average wrong: {output:?}"));
    // wuserver's temperatures are randof (215) - 80: -80..=134
    assert!((-80..=134).contains(&average), "{output:?}");
}

#[test]
fn wuserver_async_feeds_async_and_blocking_wuclients() {
    let _guard = serial();
    let mut server = Example::start("wuserver_async");
    let mut client = Example::start("wuclient_async");
    let mut other_client = Example::start_with("wuclient", &["99999 "]);
    check_wuclient_output(&client.finish(90 * SECOND), "10001 ");
    check_wuclient_output(&other_client.finish(90 * SECOND), "99999 ");
    assert_eq!(server.stop(), "");
}

//! The library the build chose is the one that runs, and it has what the build promised.

#[test]
fn linked_version_is_the_one_the_build_chose() {
    let (major, minor, patch) = zmq::version();
    let running = format!("{major}.{minor}.{patch}");
    assert_eq!(running, zmq::build_info::LINKED_VERSION, "built against one libzmq, running another");
    if zmq::build_info::VENDORED {
        assert_eq!(running, "4.3.5", "the source build is libzmq 4.3.5");
    }
    println!("libzmq {running}, vendored: {}, draft: {}", zmq::build_info::VENDORED, zmq::build_info::DRAFT);
}

/// CURVE is promised in every build mode: a build without it is a bug, so this fails rather than skips.
#[test]
fn curve_is_available() {
    assert_eq!(zmq::has("curve"), Some(true), "this libzmq was built without CURVE");
    let pair = zmq::CurveKeyPair::new().expect("zmq_curve_keypair works");
    assert_ne!(pair.public_key, [0u8; 32]);
}

#[test]
fn draft_api_matches_the_build() {
    assert_eq!(zmq::has("draft"), Some(zmq::build_info::DRAFT), "draft API promised and present must agree");
}

#[test]
fn ipc_and_inproc_work() {
    assert_eq!(zmq::has("ipc"), Some(true));
}

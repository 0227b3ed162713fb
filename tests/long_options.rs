//! String and binary option values of any length read back whole: endpoints and every string option, at and
//! past the 1024-byte mark.

use zmq::{Context, Error, Socket};

fn ctx() -> Context {
    Context::builder().linger(0).build().unwrap()
}

/// A unique name of exactly `len` characters.
fn name(tag: &str, len: usize) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let head = format!("{tag}-{}-{}-", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    assert!(head.len() <= len);
    head.clone() + &"x".repeat(len - head.len())
}

#[test]
fn long_inproc_endpoints_read_back() {
    let ctx = ctx();
    for len in [1000, 1014, 1015, 1016, 2000, 100_000] {
        let endpoint = format!("inproc://{}", name("long", len));
        let server = ctx.socket(zmq::PAIR).unwrap();
        assert!(server.bind_to(&endpoint) == Ok(endpoint.clone()), "bind_to, {len} characters");
        assert!(server.last_endpoint() == Ok(endpoint.clone()), "last_endpoint, {len} characters");
        let client = ctx.socket(zmq::PAIR).unwrap();
        client.connect(&endpoint).unwrap();
        assert!(client.get_last_endpoint() == Ok(Ok(endpoint.clone())), "connected, {len} characters");
        client.set_sndtimeo(5000).unwrap();
        server.set_rcvtimeo(5000).unwrap();
        client.send("over a long name", 0).unwrap();
        assert_eq!(server.recv_bytes(0).unwrap(), b"over a long name");
    }
}

#[test]
fn ipc_endpoints_up_to_the_path_limit_read_back() {
    let ctx = ctx();
    let dir = std::env::temp_dir();
    // sun_path holds 108 bytes with the terminator: 107 is the longest path that binds.
    let room = 107 - dir.to_str().unwrap().len() - 1;
    let path = dir.join(name("ipc", room));
    let endpoint = format!("ipc://{}", path.display());
    let s = ctx.socket(zmq::PULL).unwrap();
    assert_eq!(s.bind_to(&endpoint).as_deref(), Ok(endpoint.as_str()));
    let too_long = format!("ipc://{}", dir.join(name("ipc", room + 1)).display());
    assert_eq!(ctx.socket(zmq::PULL).unwrap().bind(&too_long), Err(Error::ENAMETOOLONG));
    // An abstract name (Linux) has the same limit.
    let abstract_endpoint = format!("ipc://@{}", name("ipc-abstract", 106));
    assert_eq!(s.bind_to(&abstract_endpoint).as_deref(), Ok(abstract_endpoint.as_str()));
    drop(s);
    let _ = std::fs::remove_file(path);
}

/// A string option's setter and getter.
type StringOption<'a> = (
    &'a str,
    Box<dyn Fn(&Socket, &str) -> zmq::Result<()>>,
    Box<dyn Fn(&Socket) -> zmq::Result<Result<String, Vec<u8>>>>,
);

fn string_options<'a>() -> Vec<StringOption<'a>> {
    let mut options: Vec<StringOption<'a>> = vec![
        ("ZMQ_PLAIN_USERNAME", Box::new(|s, v| s.set_plain_username(Some(v))), Box::new(|s| s.get_plain_username())),
        ("ZMQ_PLAIN_PASSWORD", Box::new(|s, v| s.set_plain_password(Some(v))), Box::new(|s| s.get_plain_password())),
        ("ZMQ_ZAP_DOMAIN", Box::new(|s, v| s.set_zap_domain(v)), Box::new(|s| s.get_zap_domain())),
        ("ZMQ_BINDTODEVICE", Box::new(|s, v| s.set_bindtodevice(Some(v))), Box::new(|s| s.get_bindtodevice())),
    ];
    options.push(("ZMQ_SOCKS_PROXY", Box::new(|s, v| s.set_socks_proxy(Some(v))), Box::new(|s| s.get_socks_proxy())));
    if zmq::has("gssapi").unwrap_or(false) {
        options.push((
            "ZMQ_GSSAPI_PRINCIPAL",
            Box::new(|s, v| s.set_gssapi_principal(v)),
            Box::new(|s| s.get_gssapi_principal()),
        ));
        options.push((
            "ZMQ_GSSAPI_SERVICE_PRINCIPAL",
            Box::new(|s, v| s.set_gssapi_service_principal(v)),
            Box::new(|s| s.get_gssapi_service_principal()),
        ));
    }
    #[cfg(zmq_draft)]
    {
        options.push((
            "ZMQ_SOCKS_USERNAME",
            Box::new(|s, v| s.set_socks_username(Some(v))),
            Box::new(|s| s.get_socks_username()),
        ));
        options.push((
            "ZMQ_SOCKS_PASSWORD",
            Box::new(|s, v| s.set_socks_password(Some(v))),
            Box::new(|s| s.get_socks_password()),
        ));
    }
    options
}

#[test]
fn every_string_option_reads_back_what_libzmq_accepted() {
    let ctx = ctx();
    let s = ctx.socket(zmq::DEALER).unwrap();
    for (option, set, get) in string_options() {
        let mut longest = 0;
        for len in [1, 15, 255, 256, 1023, 1024, 2000, 65_536, 1 << 20] {
            let value = "v".repeat(len);
            if set(&s, &value).is_err() {
                continue; // longer than this option allows
            }
            longest = len;
            assert!(get(&s) == Ok(Ok(value)), "{option}: {len} bytes do not read back");
        }
        println!("{option}: up to {longest} bytes");
        assert!(longest > 0, "{option} took no value");
    }
}

#[test]
fn binary_options_read_back_whole() {
    let ctx = ctx();
    let s = ctx.socket(zmq::DEALER).unwrap();
    let id: Vec<u8> = (1..=255u8).collect();
    s.set_routing_id(&id).unwrap();
    assert_eq!(s.get_routing_id(), Ok(id.clone()));
    assert_eq!(s.get_identity(), Ok(id));
    assert_eq!(s.set_routing_id(&[7; 256]), Err(Error::EINVAL));
}

#[test]
fn options_without_a_getter_still_fail_cleanly() {
    let ctx = ctx();
    let s = ctx.socket(zmq::DEALER).unwrap();
    if !zmq::has("gssapi").unwrap_or(false) {
        let start = std::time::Instant::now();
        assert_eq!(s.get_gssapi_principal(), Err(Error::EINVAL));
        assert!(start.elapsed() < std::time::Duration::from_secs(1), "{:?}", start.elapsed());
    }
}

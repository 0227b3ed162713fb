//! Property tests of every parser of bytes that come from the network or from disk: monitor events (v1 and v2),
//! ZAP requests, certificate files, Z85 text and CURVE secret keys. Each property states what must hold for any
//! input: no panic, malformed input is an `Err` (or `None`), well-formed input is read back exactly. Failing inputs
//! found along the way are kept as fixed cases at the end of the file.

use proptest::collection::vec;
use proptest::prelude::*;
use zmq::{Error, MonitorEvent, SocketEvent, ZapRequest};

#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

/// The Z85 alphabet (ZMQ RFC 32), in digit order.
const Z85: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Few enough cases that the whole file runs in a few seconds; failures are kept as fixed cases, not in files.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases) }
}

/// Frames of any content, with the sizes the parsers look for (6 and 8 bytes) over-represented.
fn frame() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![vec(any::<u8>(), 0..24), vec(any::<u8>(), 6), vec(any::<u8>(), 8)]
}

fn frames(max: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    vec(frame(), 0..max)
}

/// Z85 decoding as ZMQ RFC 32 defines it: groups of five base-85 digits, each group a big-endian `u32`.
fn z85_reference(text: &str) -> Option<Vec<u8>> {
    if text.len() % 5 != 0 {
        return None;
    }
    let mut out = Vec::new();
    for group in text.as_bytes().chunks(5) {
        let mut value = 0u64;
        for &byte in group {
            value = value * 85 + Z85.bytes().position(|d| d == byte)? as u64;
        }
        out.extend_from_slice(&u32::try_from(value).ok()?.to_be_bytes());
    }
    Some(out)
}

fn u64_of(frame: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(frame).ok().map(u64::from_ne_bytes)
}

/// The v2 layout, checked independently of the parser: event, count, `count` values, local, remote.
fn v2_well_formed(frames: &[Vec<u8>]) -> bool {
    let (Some(event), Some(count)) = (frames.first(), frames.get(1)) else { return false };
    let Some(count) = u64_of(count) else { return false };
    u64_of(event).is_some()
        && frames.len() >= 4
        && (frames.len() - 4) as u64 == count
        && frames[2..frames.len() - 2].iter().all(|v| v.len() == 8)
}

/// What every parsed event must satisfy, whatever its format.
fn check_event(event: &MonitorEvent) -> Result<(), TestCaseError> {
    prop_assert_eq!(event.kind(), SocketEvent::try_from_raw(event.number));
    prop_assert_eq!(event.event, event.kind().unwrap_or(SocketEvent::ALL));
    prop_assert_eq!(event.value, event.values.first().copied().unwrap_or(0));
    // Interpreting the value never panics, whatever it is.
    let _ = (event.error(), event.protocol_error(), event.is_pipes_stats());
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn monitor_v1_accepts_exactly_its_layout(frames in frames(5)) {
        let parsed = MonitorEvent::parse_v1(&frames);
        prop_assert_eq!(parsed.is_ok(), frames.len() == 2 && frames[0].len() == 6, "{:?}", parsed);
        match parsed {
            Err(err) => prop_assert_eq!(err, Error::EPROTO),
            Ok(event) => {
                let head = &frames[0];
                prop_assert_eq!(event.number, u64::from(u16::from_ne_bytes([head[0], head[1]])));
                prop_assert_eq!(event.value, u64::from(u32::from_ne_bytes([head[2], head[3], head[4], head[5]])));
                prop_assert_eq!(&event.values, &vec![event.value]);
                prop_assert_eq!(&event.endpoint, &String::from_utf8_lossy(&frames[1]));
                prop_assert_eq!((&event.local_endpoint, &event.remote_endpoint), (&None, &None));
                check_event(&event)?;
            }
        }
    }

    #[test]
    fn monitor_v2_accepts_exactly_its_layout(frames in frames(8)) {
        let parsed = MonitorEvent::parse_v2(&frames);
        prop_assert_eq!(parsed.is_ok(), v2_well_formed(&frames), "{:?}", parsed);
        match parsed {
            Err(err) => prop_assert_eq!(err, Error::EPROTO),
            Ok(event) => check_event(&event)?,
        }
    }

    #[test]
    fn monitor_v2_reads_back_what_libzmq_writes(
        number in any::<u64>(),
        values in vec(any::<u64>(), 0..5),
        local in ".{0,12}",
        remote in ".{0,12}",
    ) {
        let mut frames = vec![number.to_ne_bytes().to_vec(), (values.len() as u64).to_ne_bytes().to_vec()];
        frames.extend(values.iter().map(|v| v.to_ne_bytes().to_vec()));
        frames.push(local.clone().into_bytes());
        frames.push(remote.clone().into_bytes());
        let event = MonitorEvent::parse_v2(&frames).unwrap();
        prop_assert_eq!(event.number, number);
        prop_assert_eq!(&event.values, &values);
        prop_assert_eq!(event.local_endpoint.as_deref(), Some(local.as_str()));
        prop_assert_eq!(event.remote_endpoint.as_deref(), Some(remote.as_str()));
        prop_assert_eq!(&event.endpoint, if remote.is_empty() { &local } else { &remote });
        check_event(&event)?;
    }
}

/// A ZAP request frame: the values the parser and the authenticator look for, or anything.
fn zap_frame() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"1.0".to_vec()),
        Just(b"NULL".to_vec()),
        Just(b"PLAIN".to_vec()),
        Just(b"CURVE".to_vec()),
        vec(any::<u8>(), 0..12),
        vec(any::<u8>(), 32),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    /// `from_frames` takes exactly: six or more frames whose text frames (version, domain, address, mechanism)
    /// are UTF-8; the rest are kept as they are.
    #[test]
    fn zap_request_parser(frames in vec(zap_frame(), 0..10)) {
        let parsed = ZapRequest::from_frames(&frames);
        let text = |i: usize| std::str::from_utf8(&frames[i]).ok();
        let well_formed = frames.len() >= 6 && [0, 2, 3, 5].into_iter().all(|i| text(i).is_some());
        prop_assert_eq!(parsed.is_some(), well_formed);
        if let Some(request) = parsed {
            prop_assert_eq!(Some(request.version.as_str()), text(0));
            prop_assert_eq!(&request.request_id, &frames[1]);
            prop_assert_eq!(Some(request.domain.as_str()), text(2));
            prop_assert_eq!(Some(request.address.as_str()), text(3));
            prop_assert_eq!(&request.routing_id, &frames[4]);
            prop_assert_eq!(Some(request.mechanism.as_str()), text(5));
            prop_assert_eq!(&request.credentials[..], &frames[6..]);
            // The accessors never panic, and only read credentials of the right shape.
            let _ = format!("{request:?}");
            if let Some((user, password)) = request.plain_credentials() {
                prop_assert_eq!(request.credentials.len(), 2);
                prop_assert_eq!((user.as_bytes(), password.as_bytes()), (&frames[6][..], &frames[7][..]));
            }
            if let Some(key) = request.curve_public_key() {
                prop_assert_eq!(&request.credentials, &vec![key.to_vec()]);
            }
            if request.gssapi_principal().is_some() {
                prop_assert_eq!(request.credentials.len(), 1);
            }
        }
    }
}

/// One line of certificate text: the lines a certificate has, with valid or broken values, or anything.
fn cert_line(public: String, secret: String) -> impl Strategy<Value = String> {
    let prefix = public.clone();
    prop_oneof![
        Just("metadata".to_owned()),
        Just("curve".to_owned()),
        Just("#   a comment".to_owned()),
        Just(String::new()),
        Just(format!("    public-key = \"{public}\"")),
        Just(format!("    secret-key = \"{secret}\"")),
        Just(format!("\tpublic-key = '{public}'   # key")),
        (0..40usize).prop_map(move |n| format!("    public-key = \"{}\"", &prefix[..n])),
        ("[ \t]{0,6}", "[a-z$@./_-]{1,8}", "[ =]{0,3}", ".{0,16}").prop_map(|(i, n, e, v)| format!("{i}{n}{e}{v}")),
        ".{0,40}",
    ]
}

fn cert_text() -> impl Strategy<Value = Vec<u8>> {
    let pair = zmq::CurveKeyPair::new().expect("CURVE is available in every build");
    let line = cert_line(pair.public_key_z85(), pair.secret_key_z85());
    prop_oneof![
        3 => vec(line, 0..12).prop_map(|lines| lines.join("\n").into_bytes()),
        1 => vec(any::<u8>(), 0..200),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// Any file content loads as an error or as a certificate that is consistent: its secret key (if any) belongs
    /// to its public key, and what it writes reads back the same.
    #[test]
    fn certificate_files_load_consistently(contents in cert_text()) {
        let dir = TempDir::new("prop-cert");
        let path = dir.path().join("any.key");
        std::fs::write(&path, &contents).unwrap();
        let Ok(cert) = zmq::Certificate::load(&path) else { return Ok(()) };
        if let Some(secret) = cert.secret_key {
            prop_assert_eq!(zmq::curve_public(&secret).unwrap(), cert.public_key);
        }
        if let Ok(text) = cert.to_public_text() {
            prop_assert_eq!(text.parse::<zmq::Certificate>().unwrap(), cert.to_public());
        }
        if let Ok(text) = cert.to_secret_text() {
            prop_assert_eq!(&text.parse::<zmq::Certificate>().unwrap(), &cert);
        }
    }

    #[test]
    fn z85_round_trips_whole_words(words in vec(any::<[u8; 4]>(), 0..16)) {
        let bytes: Vec<u8> = words.concat();
        let text = zmq::z85_encode(&bytes).unwrap();
        prop_assert_eq!(text.len(), bytes.len() / 4 * 5);
        prop_assert!(text.chars().all(|c| Z85.contains(c)), "{}", text);
        prop_assert_eq!(zmq::z85_decode(&text).unwrap(), bytes);
    }

    #[test]
    fn z85_encode_refuses_partial_words(bytes in vec(any::<u8>(), 0..40)) {
        let encoded = zmq::z85_encode(&bytes);
        prop_assert_eq!(encoded.is_ok(), bytes.len() % 4 == 0);
    }

    /// Decoding any text gives exactly what a plain reading of ZMQ RFC 32 gives: the bytes, or an error.
    #[test]
    fn z85_decode_is_exact(text in prop_oneof![
        "[0-9a-zA-Z.:+=^!/*?&<>()\\[\\]{}@%$#-]{0,25}",
        ".{0,25}",
        "[#%$@}]{5,10}",
    ]) {
        prop_assert_eq!(zmq::z85_decode(&text).ok(), z85_reference(&text));
    }

    /// `curve_public` on any 40 characters: the public key of the decoded secret when they are valid Z85,
    /// `EINVAL` otherwise.
    #[test]
    fn curve_public_of_any_40_characters(text in prop_oneof![
        "[0-9a-zA-Z.:+=^!/*?&<>()\\[\\]{}@%$#-]{40}",
        ".{40}",
        "[0-9a-z]{39}[^0-9a-zA-Z.:+=^!/*?&<>()\\[\\]{}@%$#-]",
    ]) {
        match zmq::z85_decode(&text) {
            Ok(secret) if text.len() == 40 => {
                let public = zmq::curve_public(text.as_bytes()).unwrap();
                prop_assert_eq!(public, zmq::curve_public(&secret).unwrap());
                prop_assert_eq!(zmq::CurveKeyPair::from_secret_key(&secret).unwrap().public_key, public);
            }
            _ => prop_assert_eq!(zmq::curve_public(text.as_bytes()), Err(Error::EINVAL)),
        }
    }

    #[test]
    fn curve_public_of_any_bytes(bytes in vec(any::<u8>(), 0..48)) {
        let result = zmq::curve_public(&bytes);
        if bytes.len() == 32 {
            prop_assert!(result.is_ok());
        } else if ![40, 41].contains(&bytes.len()) {
            prop_assert_eq!(result, Err(Error::EINVAL));
        }
    }
}

// Fixed cases: failing inputs the properties found.

/// `zap_request_parser` found that a domain frame that is not UTF-8 was read (with U+FFFD) rather than refused,
/// so two different domains could read the same.
#[test]
fn zap_request_with_a_text_frame_that_is_not_utf8() {
    let good = [b"1.0".to_vec(), b"1.0".to_vec(), b"d".to_vec(), b"1.0".to_vec(), b"1.0".to_vec(), b"1.0".to_vec()];
    assert!(ZapRequest::from_frames(&good).is_some());
    for index in [0, 2, 3, 5] {
        let mut frames = good.clone();
        frames[index] = vec![0x80];
        assert_eq!(ZapRequest::from_frames(&frames), None, "frame {index}");
    }
    let mut frames = good.clone();
    frames[1] = vec![0x80]; // request id and routing id are bytes
    frames[4] = vec![0xff];
    assert!(ZapRequest::from_frames(&frames).is_some());
}

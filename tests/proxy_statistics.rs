//! `ProxyStatistics::parse` on arbitrary frame lists: it never panics, accepts exactly eight 8-byte frames, and
//! reads them back in order.

use proptest::prelude::*;
use zmq::{Error, ProxyStatistics};

/// A frame: often exactly 8 bytes (so that nearly well-formed lists come up), otherwise 0 to 19.
fn frame() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![Just(8usize), 0..20usize].prop_flat_map(|len| prop::collection::vec(any::<u8>(), len))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(frames in prop::collection::vec(frame(), 0..12)) {
        let parsed = ProxyStatistics::parse(&frames);
        let well_formed = frames.len() == 8 && frames.iter().all(|f| f.len() == 8);
        prop_assert_eq!(parsed.is_ok(), well_formed);
        if !well_formed {
            prop_assert_eq!(parsed, Err(Error::EPROTO));
        }
    }

    #[test]
    fn well_formed_replies_read_back(values in prop::array::uniform8(any::<u64>())) {
        let frames: Vec<[u8; 8]> = values.iter().map(|v| v.to_ne_bytes()).collect();
        let stats = ProxyStatistics::parse(&frames).unwrap();
        let read = [
            stats.frontend.messages_received,
            stats.frontend.bytes_received,
            stats.frontend.messages_sent,
            stats.frontend.bytes_sent,
            stats.backend.messages_received,
            stats.backend.bytes_received,
            stats.backend.messages_sent,
            stats.backend.bytes_sent,
        ];
        prop_assert_eq!(read, values);
    }
}

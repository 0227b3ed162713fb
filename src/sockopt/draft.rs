//! The draft socket options of libzmq 4.3.5 (`ZMQ_ZAP_ENFORCE_DOMAIN` = 93 … `ZMQ_NORM_PUSH` = 124), compiled only
//! with the `draft` feature against a libzmq built with its draft API. Their numbers and meaning may change between
//! libzmq releases; the values here are those of the bindings (libzmq 4.3.5).
//!
//! Some of them exist only when libzmq was built with the matching transport: the `ZMQ_WSS_*` options with WSS,
//! the `ZMQ_NORM_*` options with NORM (`zmq::has("WSS")`, `zmq::has("norm")`); elsewhere they fail with `EINVAL`.

use std::os::raw::c_int;

use super::{get_raw, get_string, set_bytes, set_opt_string, set_raw, set_string, IntOption};
use crate::error::Result;
use crate::socket::Socket;

sockopts! {
    const DRAFT_SOCKET_OPTIONS;
    ZMQ_BUSY_POLL "ZMQ_BUSY_POLL": bool, set set_busy_poll; "busy-poll the TCP socket (`SO_BUSY_POLL`) to cut latency. libzmq 4.3.5's getter is broken (it always fails), so there is no reader."
    ZMQ_DISCONNECT_MSG "ZMQ_DISCONNECT_MSG": bytes, set set_disconnect_msg; "a message the socket delivers to itself when a peer disconnects (ROUTER, SERVER, PEER); empty unsets it."
    ZMQ_HELLO_MSG "ZMQ_HELLO_MSG": bytes, set set_hello_msg; "a message sent to every new peer on connect (ROUTER, DEALER, CLIENT, SERVER, PEER); empty unsets it."
    ZMQ_HICCUP_MSG "ZMQ_HICCUP_MSG": bytes, set set_hiccup_msg; "a message the socket delivers to itself when a connected peer drops and reconnection starts (DEALER, CLIENT, PEER); empty unsets it."
    ZMQ_IN_BATCH_SIZE "ZMQ_IN_BATCH_SIZE": i32, get get_in_batch_size, set set_in_batch_size; "the size in bytes of the buffer each connection reads from the network into (default 8192). libzmq allocates about twice as much per connection and aborts the process if that allocation fails, so keep it modest."
    ZMQ_LOOPBACK_FASTPATH "ZMQ_LOOPBACK_FASTPATH": bool, get is_loopback_fastpath, set set_loopback_fastpath; "use the Windows loopback fast path for TCP (no effect elsewhere)."
    ZMQ_METADATA "ZMQ_METADATA": string, set set_metadata; "add a `X-key:value` property sent to peers in the handshake (see also `Socket::add_metadata`)."
    ZMQ_MULTICAST_LOOP "ZMQ_MULTICAST_LOOP": bool, get is_multicast_loop, set set_multicast_loop; "loop UDP multicast back to the sending host (RADIO; default on)."
    ZMQ_NORM_BLOCK_SIZE "ZMQ_NORM_BLOCK_SIZE": i32, get get_norm_block_size, set set_norm_block_size; "NORM FEC block size in segments (1 to 255)."
    ZMQ_NORM_BUFFER_SIZE "ZMQ_NORM_BUFFER_SIZE": i32, get get_norm_buffer_size, set set_norm_buffer_size; "NORM buffer size in kilobytes."
    ZMQ_NORM_MODE "ZMQ_NORM_MODE": (typed NormMode), get get_norm_mode, set set_norm_mode; "the NORM sender's congestion control mode."
    ZMQ_NORM_NUM_AUTOPARITY "ZMQ_NORM_NUM_AUTOPARITY": i32, get get_norm_num_autoparity, set set_norm_num_autoparity; "NORM parity segments sent proactively per block."
    ZMQ_NORM_NUM_PARITY "ZMQ_NORM_NUM_PARITY": i32, get get_norm_num_parity, set set_norm_num_parity; "NORM parity segments computed per block."
    ZMQ_NORM_PUSH "ZMQ_NORM_PUSH": bool, get is_norm_push, set set_norm_push; "NORM push mode: favour new data over repairs."
    ZMQ_NORM_SEGMENT_SIZE "ZMQ_NORM_SEGMENT_SIZE": i32, get get_norm_segment_size, set set_norm_segment_size; "NORM segment size in bytes."
    ZMQ_NORM_UNICAST_NACK "ZMQ_NORM_UNICAST_NACK": bool, get is_norm_unicast_nack, set set_norm_unicast_nack; "send NORM NACKs by unicast."
    ZMQ_ONLY_FIRST_SUBSCRIBE "ZMQ_ONLY_FIRST_SUBSCRIBE": bool, set set_only_first_subscribe; "treat only the first frame of a multipart message as a (un)subscription (XPUB, XSUB)."
    ZMQ_OUT_BATCH_SIZE "ZMQ_OUT_BATCH_SIZE": i32, get get_out_batch_size, set set_out_batch_size; "the size in bytes of the buffer each connection writes to the network from (default 8192). libzmq allocates it per connection and aborts the process if that allocation fails, so keep it modest."
    ZMQ_PRIORITY "ZMQ_PRIORITY": i32, get get_priority, set set_priority, check socket_priority_allowed; "`SO_PRIORITY` of the socket's TCP connections (0 to 6; higher values need `CAP_NET_ADMIN`, and without it give `EPERM` here: libzmq would abort when a connection applies them)."
    ZMQ_RECONNECT_STOP "ZMQ_RECONNECT_STOP": (typed ReconnectStop), get get_reconnect_stop, set set_reconnect_stop; "when to give up reconnecting."
    ZMQ_ROUTER_NOTIFY "ZMQ_ROUTER_NOTIFY": (typed RouterNotify), get get_router_notify, set set_router_notify; "deliver an empty message with the peer's routing id on connect and/or disconnect (ROUTER)."
    ZMQ_SOCKS_PASSWORD "ZMQ_SOCKS_PASSWORD": optstring, get get_socks_password, set set_socks_password; "the SOCKS5 password (at most 255 bytes); `None` unsets it."
    ZMQ_SOCKS_USERNAME "ZMQ_SOCKS_USERNAME": optstring, get get_socks_username, set set_socks_username; "the SOCKS5 username for basic authentication (at most 255 bytes); `None` unsets it."
    ZMQ_TOPICS_COUNT "ZMQ_TOPICS_COUNT": i32, get get_topics_count; "the number of subscriptions the socket holds (XPUB, XSUB, SUB)."
    ZMQ_WSS_CERT_PEM "ZMQ_WSS_CERT_PEM": string, set set_wss_cert_pem; "the certificate, in PEM, a WSS server presents."
    ZMQ_WSS_HOSTNAME "ZMQ_WSS_HOSTNAME": string, set set_wss_hostname; "the host name a WSS client checks the server's certificate against."
    ZMQ_WSS_KEY_PEM "ZMQ_WSS_KEY_PEM": string, set set_wss_key_pem; "the private key, in PEM, of a WSS server."
    ZMQ_WSS_TRUST_PEM "ZMQ_WSS_TRUST_PEM": string, set set_wss_trust_pem; "the certificate authority, in PEM, a WSS client trusts."
    ZMQ_WSS_TRUST_SYSTEM "ZMQ_WSS_TRUST_SYSTEM": bool, set set_wss_trust_system; "let a WSS client trust the system's certificate authorities."
    ZMQ_XPUB_MANUAL_LAST_VALUE "ZMQ_XPUB_MANUAL_LAST_VALUE": bool, set set_xpub_manual_last_value; "manual subscriptions, sending the last value cached for a topic to a new subscriber (XPUB)."
    ZMQ_XSUB_VERBOSE_UNSUBSCRIBE "ZMQ_XSUB_VERBOSE_UNSUBSCRIBE": bool, set set_xsub_verbose_unsubscribe; "pass on every unsubscription, duplicates included (XSUB)."
    ZMQ_ZAP_ENFORCE_DOMAIN "ZMQ_ZAP_ENFORCE_DOMAIN": bool, get is_zap_enforce_domain, set set_zap_enforce_domain; "follow RFC 27 strictly: require a ZAP handler and a domain."
}

/// The check of `ZMQ_PRIORITY`: libzmq sets `SO_PRIORITY` on each TCP connection and aborts if the OS refuses, which
/// it does for priorities above 6 without `CAP_NET_ADMIN`. Such a value is tried on a throwaway socket first and the
/// OS's refusal returned. Negative values are left to libzmq (`EINVAL`).
fn socket_priority_allowed(priority: &i32) -> Result<()> {
    if !(7..).contains(priority) {
        return Ok(());
    }
    // SAFETY: a fresh socket, given one int option and closed again; `priority` outlives the call.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(crate::Error::from_raw(std::io::Error::last_os_error().raw_os_error().unwrap_or(0)));
        }
        let size = std::mem::size_of::<c_int>() as libc::socklen_t;
        let value = priority as *const i32 as *const libc::c_void;
        let rc = libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_PRIORITY, value, size);
        let error = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        libc::close(fd);
        if rc != 0 {
            return Err(crate::Error::from_raw(error));
        }
    }
    Ok(())
}

impl Socket {
    /// Adds an application metadata property `X-key: value`, sent to peers in the handshake and readable there
    /// with [`crate::Message::gets`]. The key must start with `X-` (ASCII case-insensitive), be at most 255 bytes
    /// and hold no `:`; the value must not be empty. Anything else gives `EINVAL`. Uses `ZMQ_METADATA`.
    #[doc(alias = "ZMQ_METADATA")]
    pub fn add_metadata(&self, key: &str, value: &str) -> Result<()> {
        let prefixed = key.len() > 2 && key.as_bytes()[..2].eq_ignore_ascii_case(b"X-");
        if !prefixed || key.len() > 255 || key.contains(':') || value.is_empty() {
            return Err(crate::Error::EINVAL);
        }
        self.set_metadata(&format!("{key}:{value}"))
    }
}

bitflags::bitflags! {
    /// Which peer events a ROUTER reports as an empty message from the peer (`ZMQ_ROUTER_NOTIFY`).
    /// Unnamed bits read back from libzmq are kept.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct RouterNotify: i32 {
        /// Report new connections (`ZMQ_NOTIFY_CONNECT`).
        const CONNECT = zmq_sys::ZMQ_NOTIFY_CONNECT as i32;
        /// Report disconnections (`ZMQ_NOTIFY_DISCONNECT`).
        const DISCONNECT = zmq_sys::ZMQ_NOTIFY_DISCONNECT as i32;
    }
}

impl IntOption for RouterNotify {
    fn to_int(self) -> c_int {
        self.bits()
    }
    fn from_int(raw: c_int) -> Self {
        RouterNotify::from_bits_retain(raw)
    }
}

bitflags::bitflags! {
    /// When a connecting socket stops trying to reconnect (`ZMQ_RECONNECT_STOP`). The numbers are libzmq 4.3.5's
    /// (`ZMQ_RECONNECT_STOP_AFTER_DISCONNECT` was 3 in 4.3.4's draft header). Unnamed bits are kept.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct ReconnectStop: i32 {
        /// Stop when the peer refuses the connection (`ZMQ_RECONNECT_STOP_CONN_REFUSED`).
        const CONN_REFUSED = zmq_sys::ZMQ_RECONNECT_STOP_CONN_REFUSED as i32;
        /// Stop when a handshake fails (`ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED`).
        const HANDSHAKE_FAILED = zmq_sys::ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED as i32;
        /// Stop after a disconnection initiated by the peer (`ZMQ_RECONNECT_STOP_AFTER_DISCONNECT`).
        const AFTER_DISCONNECT = zmq_sys::ZMQ_RECONNECT_STOP_AFTER_DISCONNECT as i32;
    }
}

impl IntOption for ReconnectStop {
    fn to_int(self) -> c_int {
        self.bits()
    }
    fn from_int(raw: c_int) -> Self {
        ReconnectStop::from_bits_retain(raw)
    }
}

/// The congestion control mode of a NORM sender (`ZMQ_NORM_MODE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NormMode {
    /// A fixed rate, `ZMQ_RATE` (`ZMQ_NORM_FIXED`).
    Fixed,
    /// NORM congestion control (`ZMQ_NORM_CC`, the default).
    Cc,
    /// Loss-tolerant congestion control (`ZMQ_NORM_CCL`).
    Ccl,
    /// ECN-aware congestion control (`ZMQ_NORM_CCE`).
    Cce,
    /// Congestion control on ECN only (`ZMQ_NORM_CCE_ECNONLY`).
    CceEcnOnly,
    /// A number this build does not name (kept, never a panic).
    Unknown(i32),
}

impl NormMode {
    const NAMED: [NormMode; 5] = [NormMode::Fixed, NormMode::Cc, NormMode::Ccl, NormMode::Cce, NormMode::CceEcnOnly];

    /// The `ZMQ_NORM_*` number.
    pub fn to_raw(self) -> i32 {
        (match self {
            NormMode::Fixed => zmq_sys::ZMQ_NORM_FIXED,
            NormMode::Cc => zmq_sys::ZMQ_NORM_CC,
            NormMode::Ccl => zmq_sys::ZMQ_NORM_CCL,
            NormMode::Cce => zmq_sys::ZMQ_NORM_CCE,
            NormMode::CceEcnOnly => zmq_sys::ZMQ_NORM_CCE_ECNONLY,
            NormMode::Unknown(raw) => return raw,
        }) as i32
    }

    /// The mode with this number; unknown numbers give [`NormMode::Unknown`].
    pub fn from_raw(raw: i32) -> NormMode {
        NormMode::NAMED.into_iter().find(|m| m.to_raw() == raw).unwrap_or(NormMode::Unknown(raw))
    }
}

impl IntOption for NormMode {
    fn to_int(self) -> c_int {
        self.to_raw()
    }
    fn from_int(raw: c_int) -> Self {
        NormMode::from_raw(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_keep_unknown_numbers() {
        for m in NormMode::NAMED {
            assert_eq!(NormMode::from_raw(m.to_raw()), m);
        }
        assert_eq!(NormMode::from_raw(42), NormMode::Unknown(42));
        assert_eq!(RouterNotify::from_int(0x41).bits(), 0x41);
        assert_eq!(ReconnectStop::AFTER_DISCONNECT.bits(), 4, "libzmq 4.3.5 numbering");
    }
}

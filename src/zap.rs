//! ZAP messages (RFC 27): the request libzmq sends a ZAP handler, and the reply that decides it.

use std::fmt;

use crate::curve::{key_from_bytes, key_to_z85};

/// The only ZAP version there is.
pub(crate) const ZAP_VERSION: &[u8] = b"1.0";

/// A ZAP request, as libzmq sends it (RFC 27).
#[derive(Clone, PartialEq, Eq)]
pub struct ZapRequest {
    /// The protocol version, `"1.0"`.
    pub version: String,
    /// Opaque id that the reply must echo.
    pub request_id: Vec<u8>,
    /// The server socket's `ZMQ_ZAP_DOMAIN` (empty unless set).
    pub domain: String,
    /// The peer's IP address (without port), e.g. `"127.0.0.1"`.
    pub address: String,
    /// The peer's routing id (`ZMQ_ROUTING_ID` / `ZMQ_IDENTITY`), often empty.
    pub routing_id: Vec<u8>,
    /// The security mechanism: `"NULL"`, `"PLAIN"`, `"CURVE"` or `"GSSAPI"`.
    pub mechanism: String,
    /// Mechanism-specific frames: PLAIN username and password, the CURVE client public key (32 bytes), the GSSAPI
    /// principal; none for NULL.
    pub credentials: Vec<Vec<u8>>,
}

impl fmt::Debug for ZapRequest {
    /// Shows everything but a PLAIN password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials: Vec<String> = match self.mechanism.as_str() {
            "PLAIN" => self
                .credentials
                .iter()
                .enumerate()
                .map(|(i, c)| if i == 0 { String::from_utf8_lossy(c).into_owned() } else { "<hidden>".into() })
                .collect(),
            "CURVE" => self.curve_public_key().map(|k| key_to_z85(&k)).into_iter().collect(),
            _ => self.credentials.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect(),
        };
        f.debug_struct("ZapRequest")
            .field("domain", &self.domain)
            .field("address", &self.address)
            .field("routing_id", &String::from_utf8_lossy(&self.routing_id))
            .field("mechanism", &self.mechanism)
            .field("credentials", &credentials)
            .finish()
    }
}

impl ZapRequest {
    /// Parses the frames of a request (from the version frame on; a REP socket delivers exactly these). `None` if
    /// there are fewer than the six fixed frames or a text frame (version, domain, address, mechanism) is not
    /// UTF-8.
    pub fn from_frames(frames: &[Vec<u8>]) -> Option<ZapRequest> {
        let [version, request_id, domain, address, routing_id, mechanism, credentials @ ..] = frames else {
            return None;
        };
        let text = |frame: &Vec<u8>| String::from_utf8(frame.clone()).ok();
        Some(ZapRequest {
            version: text(version)?,
            request_id: request_id.clone(),
            domain: text(domain)?,
            address: text(address)?,
            routing_id: routing_id.clone(),
            mechanism: text(mechanism)?,
            credentials: credentials.to_vec(),
        })
    }

    /// The PLAIN username and password, if this is a PLAIN request with exactly these two credentials, in UTF-8.
    pub fn plain_credentials(&self) -> Option<(&str, &str)> {
        match (self.mechanism.as_str(), self.credentials.as_slice()) {
            ("PLAIN", [user, password]) => Some((std::str::from_utf8(user).ok()?, std::str::from_utf8(password).ok()?)),
            _ => None,
        }
    }

    /// The client's long-term public key, if this is a CURVE request with exactly this credential (32 bytes).
    pub fn curve_public_key(&self) -> Option<[u8; 32]> {
        match (self.mechanism.as_str(), self.credentials.as_slice()) {
            ("CURVE", [key]) if key.len() == 32 => key_from_bytes(key).ok(),
            _ => None,
        }
    }

    /// The GSSAPI principal, if this is a GSSAPI request with exactly this credential, in UTF-8.
    pub fn gssapi_principal(&self) -> Option<&str> {
        match (self.mechanism.as_str(), self.credentials.as_slice()) {
            ("GSSAPI", [principal]) => std::str::from_utf8(principal).ok(),
            _ => None,
        }
    }
}

/// The status of a ZAP reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ZapStatus {
    /// `200`: admitted.
    Success,
    /// `300`: refused for now; the client may retry.
    TemporaryError,
    /// `400`: refused.
    Failure,
    /// `500`: the handler failed.
    InternalError,
}

impl ZapStatus {
    /// The three-digit code sent on the wire.
    pub fn code(self) -> &'static str {
        match self {
            ZapStatus::Success => "200",
            ZapStatus::TemporaryError => "300",
            ZapStatus::Failure => "400",
            ZapStatus::InternalError => "500",
        }
    }
}

/// A ZAP reply: the decision on one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZapReply {
    /// Admitted or not.
    pub status: ZapStatus,
    /// A short explanation, for logs.
    pub status_text: String,
    /// The user id libzmq attaches to the peer's messages (`"User-Id"` property); empty for none.
    pub user_id: String,
    /// Properties libzmq attaches to the peer's messages (names of 1 to 255 bytes).
    pub metadata: Vec<(String, Vec<u8>)>,
}

impl ZapReply {
    /// Admits the peer (`200 OK`) with this user id.
    pub fn allow(user_id: impl Into<String>) -> ZapReply {
        ZapReply { status: ZapStatus::Success, status_text: "OK".into(), user_id: user_id.into(), metadata: vec![] }
    }

    /// Refuses the peer (`400`) with this reason.
    pub fn deny(reason: impl Into<String>) -> ZapReply {
        ZapReply { status: ZapStatus::Failure, status_text: reason.into(), user_id: String::new(), metadata: vec![] }
    }

    /// Adds a metadata property (ignored on the wire if the name is empty or longer than 255 bytes).
    pub fn with_metadata(mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> ZapReply {
        self.metadata.push((name.into(), value.into()));
        self
    }

    /// Whether the reply admits the peer.
    pub fn is_allowed(&self) -> bool {
        self.status == ZapStatus::Success
    }

    /// The metadata frame: ZMTP property encoding (name length byte, name, 4-byte big-endian value length, value).
    pub(crate) fn encode_metadata(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, value) in &self.metadata {
            if name.is_empty() || name.len() > 255 || value.len() > u32::MAX as usize {
                continue;
            }
            out.push(name.len() as u8);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&(value.len() as u32).to_be_bytes());
            out.extend_from_slice(value);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_uses_zmtp_property_encoding() {
        let reply = ZapReply::allow("u").with_metadata("ab", b"xyz".to_vec()).with_metadata("", b"skipped".to_vec());
        assert_eq!(reply.encode_metadata(), b"\x02ab\x00\x00\x00\x03xyz".to_vec());
    }
}

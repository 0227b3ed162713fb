//! CURVE keys and Z85, ZeroMQ's printable encoding of binary keys.

use std::ffi::{CString, NulError};
use std::fmt;
use std::os::raw::c_char;
use std::string::FromUtf8Error;

use crate::error::{check, Error, Result};
use crate::socket::Socket;

/// Why [`z85_encode`] failed.
#[derive(Debug)]
pub enum EncodeError {
    /// The input length is not a multiple of 4.
    BadLength,
    /// libzmq produced text that is not UTF-8 (never happens with a correct libzmq).
    FromUtf8Error(FromUtf8Error),
}

impl From<FromUtf8Error> for EncodeError {
    fn from(err: FromUtf8Error) -> Self {
        EncodeError::FromUtf8Error(err)
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The texts of zmq 0.10, which programs may show or compare.
            EncodeError::BadLength => write!(f, "Invalid data length. Should be multiple of 4."),
            EncodeError::FromUtf8Error(e) => write!(f, "UTF8 conversion error: {e}"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Why [`z85_decode`] failed.
#[derive(Debug)]
pub enum DecodeError {
    /// The input length is not a multiple of 5.
    BadLength,
    /// The input has a NUL byte.
    NulError(NulError),
    /// The input has a character outside the Z85 alphabet. (Not in zmq 0.10, whose `z85_decode` returned
    /// unspecified bytes for such input; an exhaustive `match` written for 0.10 needs an arm for it — the one
    /// place where this crate prefers an error to 0.10's behaviour.)
    BadCharacter,
}

impl From<NulError> for DecodeError {
    fn from(err: NulError) -> Self {
        DecodeError::NulError(err)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The texts of zmq 0.10, which programs may show or compare.
            DecodeError::BadLength => write!(f, "Invalid data length. Should be multiple of 5."),
            DecodeError::NulError(e) => write!(f, "Nul byte error: {e}"),
            DecodeError::BadCharacter => write!(f, "Z85 input has a character outside the Z85 alphabet"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Encodes bytes (a multiple of 4 long) as Z85 text. Calls zmq_z85_encode(3).
///
/// ```
/// let key = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
/// assert_eq!(zmq::z85_encode(&key).unwrap(), "HelloWorld");
/// ```
#[doc(alias = "zmq_z85_encode")]
pub fn z85_encode(data: &[u8]) -> std::result::Result<String, EncodeError> {
    if data.len() % 4 != 0 {
        return Err(EncodeError::BadLength);
    }
    if data.is_empty() {
        return Ok(String::new());
    }
    // Computed as (len / 4) * 5, which cannot overflow for any slice (len * 5 could).
    let mut dest = vec![0u8; data.len() / 4 * 5 + 1];
    // SAFETY: `dest` holds size*5/4 characters plus the NUL terminator, as zmq_z85_encode(3) requires.
    let rc = unsafe { zmq_sys::zmq_z85_encode(dest.as_mut_ptr() as *mut c_char, data.as_ptr(), data.len()) };
    if rc.is_null() {
        return Err(EncodeError::BadLength);
    }
    dest.pop();
    Ok(String::from_utf8(dest)?)
}

/// Decodes Z85 text (a multiple of 5 long) into bytes. Calls zmq_z85_decode(3).
#[doc(alias = "zmq_z85_decode")]
pub fn z85_decode(data: &str) -> std::result::Result<Vec<u8>, DecodeError> {
    let text = CString::new(data)?;
    if data.len() % 5 != 0 {
        return Err(DecodeError::BadLength);
    }
    if data.is_empty() {
        return Ok(Vec::new()); // libzmq refuses empty input; it simply decodes to nothing
    }
    let mut dest = vec![0u8; data.len() / 5 * 4];
    // SAFETY: `dest` has room for len*4/5 bytes, as zmq_z85_decode(3) requires; the input is NUL-terminated.
    let rc = unsafe { zmq_sys::zmq_z85_decode(dest.as_mut_ptr(), text.as_ptr()) };
    if rc.is_null() {
        return Err(DecodeError::BadCharacter);
    }
    Ok(dest)
}

/// A CURVE key pair, binary (32 bytes each).
#[derive(Clone, PartialEq, Eq)]
pub struct CurveKeyPair {
    /// The public key.
    pub public_key: [u8; 32],
    /// The secret key.
    pub secret_key: [u8; 32],
}

impl fmt::Debug for CurveKeyPair {
    /// Shows the public key only (Z85); the secret key is never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CurveKeyPair")
            .field("public_key", &z85_encode(&self.public_key).unwrap_or_default())
            .field("secret_key", &"<hidden>")
            .finish()
    }
}

impl CurveKeyPair {
    /// Generates a new key pair. Calls zmq_curve_keypair(3); `ENOTSUP` if libzmq was built without CURVE.
    #[doc(alias = "zmq_curve_keypair")]
    pub fn new() -> Result<CurveKeyPair> {
        let mut public = [0 as c_char; 41];
        let mut secret = [0 as c_char; 41];
        // SAFETY: both buffers have the 41 bytes zmq_curve_keypair(3) writes.
        check(unsafe { zmq_sys::zmq_curve_keypair(public.as_mut_ptr(), secret.as_mut_ptr()) })?;
        let mut pair = CurveKeyPair { public_key: [0; 32], secret_key: [0; 32] };
        // SAFETY: 40 Z85 characters decode into the 32 bytes of each key; the buffers are NUL-terminated.
        unsafe {
            zmq_sys::zmq_z85_decode(pair.public_key.as_mut_ptr(), public.as_ptr());
            zmq_sys::zmq_z85_decode(pair.secret_key.as_mut_ptr(), secret.as_ptr());
        }
        Ok(pair)
    }
}

/// Reads a CURVE key given as 32 binary bytes or as 40 Z85 characters (an optional trailing NUL is accepted, as
/// in C strings). Anything else is `EINVAL`.
pub(crate) fn key_from_bytes(key: &[u8]) -> Result<[u8; 32]> {
    let key = match key {
        [text @ .., 0] if text.len() == 40 => text,
        other => other,
    };
    match key.len() {
        32 => {
            let mut out = [0u8; 32];
            out.copy_from_slice(key);
            Ok(out)
        }
        40 => {
            let text = std::str::from_utf8(key).map_err(|_| Error::EINVAL)?;
            let bytes = z85_decode(text).map_err(|_| Error::EINVAL)?;
            let mut out = [0u8; 32];
            out.copy_from_slice(&bytes);
            Ok(out)
        }
        _ => Err(Error::EINVAL),
    }
}

/// Encodes a 32-byte key as its 40 Z85 characters.
pub(crate) fn key_to_z85(key: &[u8; 32]) -> String {
    let mut text = [0u8; 41];
    // SAFETY: `text` has the 32*5/4 + 1 = 41 bytes zmq_z85_encode(3) writes for a 32-byte input.
    unsafe { zmq_sys::zmq_z85_encode(text.as_mut_ptr() as *mut c_char, key.as_ptr(), key.len()) };
    // Z85 output is printable ASCII.
    String::from_utf8_lossy(&text[..40]).into_owned()
}

/// Derives the CURVE public key that belongs to a secret key. Calls zmq_curve_public(3).
///
/// The secret key may be 32 binary bytes or 40 Z85 characters; anything else (wrong length, a character outside
/// the Z85 alphabet) is `Err(EINVAL)`. `ENOTSUP` if libzmq was built without CURVE.
///
/// ```
/// # if zmq::has("curve") == Some(true) {
/// let pair = zmq::CurveKeyPair::new().unwrap();
/// assert_eq!(zmq::curve_public(&pair.secret_key).unwrap(), pair.public_key);
/// assert_eq!(zmq::curve_public(pair.secret_key_z85().as_bytes()).unwrap(), pair.public_key);
/// # }
/// ```
#[doc(alias = "zmq_curve_public")]
pub fn curve_public(secret_key: &[u8]) -> Result<[u8; 32]> {
    let secret = key_from_bytes(secret_key)?;
    let mut secret_text = [0u8; 41];
    secret_text[..40].copy_from_slice(key_to_z85(&secret).as_bytes());
    let mut public_text = [0 as c_char; 41];
    // SAFETY: both buffers are 41 bytes, as zmq_curve_public(3) requires; the secret is NUL-terminated Z85.
    check(unsafe { zmq_sys::zmq_curve_public(public_text.as_mut_ptr(), secret_text.as_ptr() as *const c_char) })?;
    let mut public = [0u8; 32];
    // SAFETY: libzmq wrote 40 Z85 characters and a NUL, which decode into exactly 32 bytes.
    let decoded = unsafe { zmq_sys::zmq_z85_decode(public.as_mut_ptr(), public_text.as_ptr()) };
    if decoded.is_null() {
        return Err(Error::EPROTO);
    }
    Ok(public)
}

impl CurveKeyPair {
    /// The key pair belonging to a secret key (32 binary bytes or 40 Z85 characters): the public key is derived
    /// with zmq_curve_public(3). `EINVAL` for a malformed key, `ENOTSUP` if libzmq was built without CURVE.
    ///
    /// ```
    /// # if zmq::has("curve") == Some(true) {
    /// // The client test key pair from zmq_curve(7).
    /// let pair = zmq::CurveKeyPair::from_secret_key(b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs").unwrap();
    /// assert_eq!(pair.public_key_z85(), "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    /// # }
    /// ```
    #[doc(alias = "zmq_curve_public")]
    pub fn from_secret_key(secret_key: &[u8]) -> Result<CurveKeyPair> {
        let secret_key = key_from_bytes(secret_key)?;
        let public_key = curve_public(&secret_key)?;
        Ok(CurveKeyPair { public_key, secret_key })
    }

    /// The public key as 40 Z85 characters, the form used in certificates and configuration files.
    pub fn public_key_z85(&self) -> String {
        key_to_z85(&self.public_key)
    }

    /// The secret key as 40 Z85 characters. Keep it out of logs.
    pub fn secret_key_z85(&self) -> String {
        key_to_z85(&self.secret_key)
    }

    /// Makes `socket` a CURVE client with this key pair, talking to the server whose public key is `server_key`
    /// (32 binary bytes or 40 Z85 characters). Sets `ZMQ_CURVE_SERVERKEY`, `ZMQ_CURVE_PUBLICKEY` and
    /// `ZMQ_CURVE_SECRETKEY`; call it before `connect`/`bind`.
    pub fn apply_client(&self, socket: &Socket, server_key: &[u8]) -> Result<()> {
        let server_key = key_from_bytes(server_key)?;
        socket.set_curve_serverkey(&server_key)?;
        socket.set_curve_publickey(&self.public_key)?;
        socket.set_curve_secretkey(&self.secret_key)
    }

    /// Makes `socket` a CURVE server with this key pair's secret key (`ZMQ_CURVE_SERVER` and
    /// `ZMQ_CURVE_SECRETKEY`); call it before `bind`/`connect`.
    pub fn apply_server(&self, socket: &Socket) -> Result<()> {
        socket.set_curve_server(true)?;
        socket.set_curve_secretkey(&self.secret_key)
    }
}

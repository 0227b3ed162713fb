//! CURVE keys and Z85, ZeroMQ's printable encoding of binary keys.

use std::ffi::{CString, NulError};
use std::fmt;
use std::os::raw::c_char;
use std::string::FromUtf8Error;

use crate::error::{check, Result};

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
            EncodeError::BadLength => write!(f, "Z85 input length must be a multiple of 4"),
            EncodeError::FromUtf8Error(e) => write!(f, "Z85 output is not UTF-8: {e}"),
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
    /// The input has a character outside the Z85 alphabet.
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
            DecodeError::BadLength => write!(f, "Z85 input length must be a multiple of 5"),
            DecodeError::NulError(e) => write!(f, "Z85 input has a NUL byte: {e}"),
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
    let mut dest = vec![0u8; data.len() * 5 / 4 + 1];
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
    let mut dest = vec![0u8; data.len() * 4 / 5];
    // SAFETY: `dest` has room for len*4/5 bytes, as zmq_z85_decode(3) requires; the input is NUL-terminated.
    let rc = unsafe { zmq_sys::zmq_z85_decode(dest.as_mut_ptr(), text.as_ptr()) };
    if rc.is_null() {
        return Err(DecodeError::BadCharacter);
    }
    Ok(dest)
}

/// A CURVE key pair, binary (32 bytes each).
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

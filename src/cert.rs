//! CURVE certificates: key pairs stored as text files, in the format czmq's `zcert` and pyzmq's `zmq.auth` use.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::curve::{curve_public, key_from_bytes, key_to_z85, CurveKeyPair};
use crate::error::Result;
use crate::socket::Socket;

/// A CURVE certificate: a public key, the secret key when the certificate is a secret one, and metadata
/// (name/value pairs such as `name`, `email`, `organization`).
///
/// A certificate is a pair of files. The public file (conventionally `NAME.key`) holds the public key and can be
/// handed to peers; the secret file (`NAME.key_secret`) holds both keys and must stay private. Both are ZPL text
/// (ZeroMQ Property Language, the format of czmq's `zconfig`): `#` comment lines, sections at column 0, properties
/// indented below them as `name = "value"`:
///
/// ```text
/// #   ZeroMQ CURVE public certificate
///
/// metadata
///     name = "server-1"
/// curve
///     public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
/// ```
///
/// The secret file adds `secret-key = "..."` to the `curve` section. Keys are 40 Z85 characters.
///
/// Reading is lenient where the two tools differ: values may be double-quoted, single-quoted (czmq) or bare
/// (pyzmq writes metadata values unquoted); indentation may be any run of spaces or tabs; header comments are
/// ignored; `\r\n` line ends are accepted; sections other than `metadata` and `curve` are skipped. A bare value
/// ends at a `#` that follows whitespace (a comment), so a `#` inside a word is kept.
///
/// ```
/// # if zmq::has("curve") == Some(true) {
/// let mut cert = zmq::Certificate::new().unwrap();
/// cert.metadata.insert("name".into(), "worker-7".into());
/// let text = cert.to_secret_text().unwrap();
/// let back: zmq::Certificate = text.parse().unwrap();
/// assert_eq!(back, cert);
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The public key (binary).
    pub public_key: [u8; 32],
    /// The secret key (binary), present in secret certificates only.
    pub secret_key: Option<[u8; 32]>,
    /// The `metadata` section. Names must be ZPL names (letters, digits and `$-_@.&+/`) to be saved.
    pub metadata: BTreeMap<String, String>,
}

impl fmt::Debug for Certificate {
    /// Shows the public key in Z85 and the metadata; never the secret key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("public_key", &self.public_key_z85())
            .field("secret_key", &self.secret_key.map(|_| "<hidden>"))
            .field("metadata", &self.metadata)
            .finish()
    }
}

impl From<CurveKeyPair> for Certificate {
    fn from(pair: CurveKeyPair) -> Self {
        Certificate::from_keypair(&pair)
    }
}

impl std::str::FromStr for Certificate {
    type Err = io::Error;

    /// Parses certificate text; see [`Certificate::parse`].
    fn from_str(text: &str) -> io::Result<Certificate> {
        Certificate::parse(text)
    }
}

impl Certificate {
    /// File name ending of a public certificate written by [`Certificate::save`].
    pub const PUBLIC_SUFFIX: &'static str = ".key";
    /// File name ending of a secret certificate written by [`Certificate::save`] (czmq appends `_secret` to the
    /// public file's name).
    pub const SECRET_SUFFIX: &'static str = ".key_secret";

    /// A certificate with a newly generated key pair and no metadata. `ENOTSUP` if libzmq has no CURVE.
    /// Calls zmq_curve_keypair(3).
    pub fn new() -> Result<Certificate> {
        CurveKeyPair::new().map(Certificate::from)
    }

    /// A secret certificate holding this key pair.
    pub fn from_keypair(pair: &CurveKeyPair) -> Certificate {
        Certificate { public_key: pair.public_key, secret_key: Some(pair.secret_key), metadata: BTreeMap::new() }
    }

    /// A public certificate for a public key given as 32 binary bytes or 40 Z85 characters (`EINVAL` otherwise).
    pub fn from_public_key(public_key: &[u8]) -> Result<Certificate> {
        Ok(Certificate { public_key: key_from_bytes(public_key)?, secret_key: None, metadata: BTreeMap::new() })
    }

    /// A secret certificate for a secret key (32 binary bytes or 40 Z85 characters); the public key is derived
    /// from it. `EINVAL` for a malformed key, `ENOTSUP` if libzmq has no CURVE.
    pub fn from_secret_key(secret_key: &[u8]) -> Result<Certificate> {
        CurveKeyPair::from_secret_key(secret_key).map(Certificate::from)
    }

    /// The key pair, if this is a secret certificate.
    pub fn keypair(&self) -> Option<CurveKeyPair> {
        self.secret_key.map(|secret_key| CurveKeyPair { public_key: self.public_key, secret_key })
    }

    /// Whether the certificate holds a secret key.
    pub fn is_secret(&self) -> bool {
        self.secret_key.is_some()
    }

    /// The same certificate without its secret key (what goes into the public file).
    pub fn to_public(&self) -> Certificate {
        Certificate { secret_key: None, ..self.clone() }
    }

    /// The public key as 40 Z85 characters.
    pub fn public_key_z85(&self) -> String {
        key_to_z85(&self.public_key)
    }

    /// The secret key as 40 Z85 characters, if present.
    pub fn secret_key_z85(&self) -> Option<String> {
        self.secret_key.as_ref().map(key_to_z85)
    }

    /// A metadata value.
    pub fn meta(&self, name: &str) -> Option<&str> {
        self.metadata.get(name).map(String::as_str)
    }

    /// Sets a metadata value, returning `self` for chaining.
    pub fn with_meta(mut self, name: &str, value: &str) -> Certificate {
        self.metadata.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Makes `socket` a CURVE client with this certificate's keys, talking to the server whose public key is
    /// `server_key` (32 binary bytes or 40 Z85 characters). `EINVAL` if this certificate has no secret key.
    pub fn apply_client(&self, socket: &Socket, server_key: &[u8]) -> Result<()> {
        self.keypair().ok_or(crate::Error::EINVAL)?.apply_client(socket, server_key)
    }

    /// Makes `socket` a CURVE server with this certificate's secret key. `EINVAL` if it has none.
    pub fn apply_server(&self, socket: &Socket) -> Result<()> {
        self.keypair().ok_or(crate::Error::EINVAL)?.apply_server(socket)
    }

    /// Parses certificate text (public or secret). Errors are `InvalidData` and name the line.
    ///
    /// The `curve` section must have a `public-key` of 40 Z85 characters; a `secret-key`, if present, must be 40
    /// Z85 characters too and, when libzmq has CURVE, must belong to the public key.
    pub fn parse(text: &str) -> io::Result<Certificate> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut public: Option<(usize, String)> = None;
        let mut secret: Option<(usize, String)> = None;
        let mut metadata = BTreeMap::new();
        let mut section = String::new();
        // Indentation of the current section's properties; deeper lines are nested items, which we skip.
        let mut child_indent: Option<usize> = None;

        for (index, raw) in text.lines().enumerate() {
            let lineno = index + 1;
            let line = raw.trim_end();
            let body = line.trim_start_matches([' ', '\t']);
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            let indent = line.len() - body.len();
            let (name, value) = parse_line(body).map_err(|why| invalid(format!("line {lineno}: {why}")))?;
            if indent == 0 {
                section = name.to_owned();
                child_indent = None;
                continue;
            }
            match child_indent {
                None => child_indent = Some(indent),
                Some(expected) if indent > expected => continue, // a nested item: not part of the format
                Some(_) => {}
            }
            let value = value.unwrap_or_default();
            match (section.as_str(), name) {
                ("metadata", _) => {
                    metadata.insert(name.to_owned(), value);
                }
                ("curve", "public-key") => public = Some((lineno, value)),
                ("curve", "secret-key") => secret = Some((lineno, value)),
                _ => {}
            }
        }

        let (lineno, public_text) = public.ok_or_else(|| invalid("no `public-key` in a `curve` section".into()))?;
        let public_key = decode_key(&public_text).map_err(|why| invalid(format!("line {lineno}: public-key {why}")))?;
        let secret_key = match secret {
            None => None,
            Some((lineno, text)) => {
                let key = decode_key(&text).map_err(|why| invalid(format!("line {lineno}: secret-key {why}")))?;
                match curve_public(&key) {
                    Ok(derived) if derived != public_key => {
                        return Err(invalid(format!("line {lineno}: secret-key does not belong to the public-key")))
                    }
                    _ => {} // matches, or libzmq cannot tell (no CURVE)
                }
                Some(key)
            }
        };
        Ok(Certificate { public_key, secret_key, metadata })
    }

    /// The largest certificate file [`Certificate::load`] reads (1 MiB; real ones are well under 1 KiB).
    pub const MAX_FILE_SIZE: u64 = 1 << 20;

    /// Loads a certificate file (public or secret, whichever `path` names). Errors name the file: `InvalidInput`
    /// for something other than a regular file (a FIFO is refused, not waited on), `InvalidData` for a file
    /// larger than [`Certificate::MAX_FILE_SIZE`], not UTF-8, or not a valid certificate.
    pub fn load(path: impl AsRef<Path>) -> io::Result<Certificate> {
        let path = path.as_ref();
        let text = read_text_file(path, Self::MAX_FILE_SIZE)?;
        Certificate::parse(&text).map_err(|e| invalid(format!("{}: {e}", path.display())))
    }

    /// Loads the public certificates of a directory: every regular file whose name does not end in `_secret` and
    /// does not start with `.` (like czmq's certificate store; pyzmq writes them as `*.key`). A file that is not a
    /// valid certificate is an error naming it. The result is sorted by file name.
    pub fn load_dir(dir: impl AsRef<Path>) -> io::Result<Vec<Certificate>> {
        Ok(Certificate::load_dir_with_paths(dir)?.into_iter().map(|(_, cert)| cert).collect())
    }

    /// Like [`Certificate::load_dir`], with each certificate's path.
    pub fn load_dir_with_paths(dir: impl AsRef<Path>) -> io::Result<Vec<(PathBuf, Certificate)>> {
        let dir = dir.as_ref();
        let entries = fs::read_dir(dir).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name.ends_with("_secret") || !entry.path().is_file() {
                continue;
            }
            paths.push(entry.path());
        }
        paths.sort();
        paths
            .into_iter()
            .map(|path| {
                let cert = Certificate::load(&path)?;
                Ok((path, cert.to_public()))
            })
            .collect()
    }

    /// The text of the public file: header comments, `metadata` and `curve` with `public-key`.
    /// `InvalidInput` if a metadata name or value cannot be written as ZPL.
    pub fn to_public_text(&self) -> io::Result<String> {
        self.render(false)
    }

    /// The text of the secret file: as [`Certificate::to_public_text`] plus `secret-key`.
    /// `InvalidInput` if there is no secret key or the metadata cannot be written.
    pub fn to_secret_text(&self) -> io::Result<String> {
        if self.secret_key.is_none() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "the certificate has no secret key"));
        }
        self.render(true)
    }

    fn render(&self, with_secret: bool) -> io::Result<String> {
        let mut out = String::new();
        if with_secret {
            out.push_str("#   ZeroMQ CURVE **Secret** Certificate (written by the Rust zmq crate)\n");
            out.push_str("#   Holds the secret key: keep this file private and readable by its owner only.\n");
        } else {
            out.push_str("#   ZeroMQ CURVE Public Certificate (written by the Rust zmq crate)\n");
            out.push_str("#   Give it to the peers that must recognise this key, over a channel that keeps\n");
            out.push_str("#   it from being altered on the way.\n");
        }
        out.push_str("\nmetadata\n");
        for (name, value) in &self.metadata {
            check_name(name)?;
            out.push_str("    ");
            out.push_str(name);
            out.push_str(" = ");
            out.push_str(&quote(value)?);
            out.push('\n');
        }
        out.push_str("curve\n");
        out.push_str(&format!("    public-key = \"{}\"\n", self.public_key_z85()));
        if with_secret {
            if let Some(secret) = self.secret_key_z85() {
                out.push_str(&format!("    secret-key = \"{secret}\"\n"));
            }
        }
        Ok(out)
    }

    /// Writes the public file at exactly `path` (replacing it, a symlink included, without following it).
    /// `InvalidInput` if `path` does not end in a file name.
    pub fn save_public(&self, path: impl AsRef<Path>) -> io::Result<()> {
        write_file(path.as_ref(), &self.to_public_text()?, false)
    }

    /// Writes the secret file at exactly `path` (replacing it, a symlink included, without following it), readable
    /// and writable by its owner only (mode 0600, also when the file existed with a wider mode). The key is never
    /// written through a file that existed before: it goes to a new file under an unpredictable temporary name,
    /// renamed over `path`. `InvalidInput` without a secret key, or if `path` does not end in a file name.
    pub fn save_secret(&self, path: impl AsRef<Path>) -> io::Result<()> {
        write_file(path.as_ref(), &self.to_secret_text()?, true)
    }

    /// Writes the certificate as `BASE.key` (public) and, when it holds a secret key, `BASE.key_secret` (secret,
    /// mode 0600) — the names pyzmq's `create_certificates` uses and czmq reads (`zcert_load("BASE.key")` looks for
    /// `BASE.key_secret` first). Returns the public and (if written) secret paths.
    ///
    /// `base` is a path without extension, e.g. `certs/server` → `certs/server.key`, `certs/server.key_secret`.
    ///
    /// `InvalidInput` if `base` does not end in a file name (`certs/`, `.`, an empty path): the files would be
    /// hidden ones (`certs/.key`), which [`Certificate::load_dir`] skips.
    pub fn save(&self, base: impl AsRef<Path>) -> io::Result<(PathBuf, Option<PathBuf>)> {
        file_name_of(base.as_ref())?;
        let base = base.as_ref().as_os_str();
        let mut public = base.to_owned();
        public.push(Self::PUBLIC_SUFFIX);
        let public = PathBuf::from(public);
        self.save_public(&public)?;
        if self.secret_key.is_none() {
            return Ok((public, None));
        }
        let mut secret = base.to_owned();
        secret.push(Self::SECRET_SUFFIX);
        let secret = PathBuf::from(secret);
        self.save_secret(&secret)?;
        Ok((public, Some(secret)))
    }
}

/// Reads a text file of at most `limit` bytes. It is opened without blocking and must be a regular file, so a
/// FIFO or device at `path` gives an error instead of a wait; errors name the file.
pub(crate) fn read_text_file(path: &Path, limit: u64) -> io::Result<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;

    let named =
        |kind: io::ErrorKind, why: &dyn fmt::Display| io::Error::new(kind, format!("{}: {why}", path.display()));
    let file =
        fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path).map_err(|e| named(e.kind(), &e))?;
    if !file.metadata().map_err(|e| named(e.kind(), &e))?.is_file() {
        return Err(named(io::ErrorKind::InvalidInput, &"not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| named(e.kind(), &e))?;
    if bytes.len() as u64 > limit {
        return Err(named(io::ErrorKind::InvalidData, &format_args!("larger than {limit} bytes")));
    }
    String::from_utf8(bytes).map_err(|_| named(io::ErrorKind::InvalidData, &"not UTF-8 text"))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Splits a (non-empty, unindented) line into its name and optional value.
fn parse_line(body: &str) -> std::result::Result<(&str, Option<String>), String> {
    let (name, rest) = match body.find('=') {
        Some(eq) => (body[..eq].trim_end(), Some(body[eq + 1..].trim())),
        None => {
            // A name alone (a section or an empty item), possibly followed by a comment.
            let name = match body.find(char::is_whitespace) {
                Some(end) => {
                    let tail = body[end..].trim_start();
                    if !tail.is_empty() && !tail.starts_with('#') {
                        return Err(format!("expected `name = value`, found {body:?}"));
                    }
                    &body[..end]
                }
                None => body,
            };
            (name, None)
        }
    };
    if name.is_empty() {
        return Err(format!("missing name before `=` in {body:?}"));
    }
    Ok((name, rest.map(parse_value)))
}

/// A value as written after `=`: quoted with `"` or `'` (no escapes; text after the closing quote must be a
/// comment), or bare up to a comment.
fn parse_value(text: &str) -> String {
    if let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'') {
        if let Some(end) = text[1..].find(quote) {
            let after = text[1 + end + 1..].trim_start();
            if after.is_empty() || after.starts_with('#') {
                return text[1..1 + end].to_owned();
            }
        }
        // Not a well-formed quoted value: pyzmq writes metadata values bare, whatever they hold. Keep it as is.
    }
    let mut end = text.len();
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            end = i;
            break;
        }
    }
    text[..end].trim_end().to_owned()
}

/// Decodes a Z85 key value, explaining what is wrong.
fn decode_key(text: &str) -> std::result::Result<[u8; 32], String> {
    if text.len() != 40 {
        return Err(format!("must be 40 Z85 characters, found {}", text.len()));
    }
    key_from_bytes(text.as_bytes()).map_err(|_| "has characters outside the Z85 alphabet".to_owned())
}

/// ZPL names: letters, digits and `$-_@.&+/`, not starting or ending with `/`.
fn check_name(name: &str) -> io::Result<()> {
    let ok = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"$-_@.&+/".contains(&b))
        && !name.starts_with('/')
        && !name.ends_with('/');
    if ok {
        Ok(())
    } else {
        Err(io::Error::new(io::ErrorKind::InvalidInput, format!("metadata name {name:?} is not a valid ZPL name")))
    }
}

/// Quotes a value for ZPL: with `"` unless it contains one, then with `'`.
fn quote(value: &str) -> io::Result<String> {
    if value.contains(['\n', '\r']) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "a metadata value cannot span lines"));
    }
    match (value.contains('"'), value.contains('\'')) {
        (false, _) => Ok(format!("\"{value}\"")),
        (true, false) => Ok(format!("'{value}'")),
        (true, true) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a metadata value cannot hold both kinds of quote in a certificate",
        )),
    }
}

/// The last component of `path` as written, if it is a file name: not empty, `.` or `..`, and not followed by a
/// separator (`Path::file_name` would read `dir/` and `dir/.` as `dir`).
fn file_name_of(path: &Path) -> io::Result<&std::ffi::OsStr> {
    use std::os::unix::ffi::OsStrExt;

    let bytes = path.as_os_str().as_bytes();
    let last = bytes.rsplit(|b| *b == b'/').next().unwrap_or_default();
    match last {
        b"" | b"." | b".." => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{:?}: the path does not end in a file name", path.display()),
        )),
        _ => Ok(std::ffi::OsStr::from_bytes(last)),
    }
}

/// A temporary name next to `file_name` that nobody can guess ahead: `.NAME.` and 16 hex digits of a hash keyed
/// by the process's random `RandomState` seed, then `.tmp`.
fn temporary_name(file_name: &std::ffi::OsStr, attempt: u32) -> std::ffi::OsString {
    use std::hash::{BuildHasher, Hasher};

    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u32(attempt);
    if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    let mut name = std::ffi::OsString::from(".");
    name.push(file_name);
    name.push(format!(".{:016x}.tmp", hasher.finish()));
    name
}

/// Writes `text` to `path`, through a temporary file in the same directory renamed into place, so a reader never
/// sees half a certificate. The temporary file is new (`O_CREAT | O_EXCL | O_NOFOLLOW`, so nothing planted at its
/// name — a symlink included — is ever opened) and has an unpredictable name; a private one has mode 0600 from
/// its creation. The rename replaces whatever `path` was, a symlink included, without following it.
fn write_file(path: &Path, text: &str, private: bool) -> io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let file_name = file_name_of(path)?;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true).custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    if private {
        options.mode(0o600);
    }
    let mut attempt = 0;
    let (tmp, mut file) = loop {
        let tmp = path.with_file_name(temporary_name(file_name, attempt));
        match options.open(&tmp) {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(named(e)),
        }
    };
    let result = (|| {
        if private {
            // The umask may have removed bits from 0600; the file is ours alone, so set it exactly.
            file.set_permissions(fs::Permissions::from_mode(0o600))?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_quoted_bare_and_commented() {
        assert_eq!(parse_value("\"a b\""), "a b");
        assert_eq!(parse_value("'it \"is\"'"), "it \"is\"");
        assert_eq!(parse_value("\"x\"   # note"), "x");
        assert_eq!(parse_value("bare value # note"), "bare value");
        assert_eq!(parse_value("a#b"), "a#b");
        assert_eq!(parse_value("\"unterminated"), "\"unterminated");
        assert_eq!(parse_value(""), "");
    }

    #[test]
    fn lines_split_into_name_and_value() {
        assert_eq!(parse_line("curve").unwrap(), ("curve", None));
        assert_eq!(parse_line("curve   # keys").unwrap(), ("curve", None));
        assert_eq!(parse_line("name = \"v\"").unwrap(), ("name", Some("v".to_owned())));
        assert_eq!(parse_line("k=v").unwrap(), ("k", Some("v".to_owned())));
        assert!(parse_line("two words").is_err());
        assert!(parse_line("= v").is_err());
    }

    #[test]
    fn names_and_values_that_cannot_be_written_are_refused() {
        assert!(check_name("email").is_ok());
        assert!(check_name("x-y.z@w+1/2").is_ok());
        assert!(check_name("has space").is_err());
        assert!(check_name("/lead").is_err());
        assert!(quote("two\nlines").is_err());
        assert!(quote("both \" and '").is_err());
        assert_eq!(quote("say \"hi\"").unwrap(), "'say \"hi\"'");
    }

    #[test]
    fn public_key_is_required() {
        let err = Certificate::parse("metadata\ncurve\n").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("public-key"), "{err}");
        let err = Certificate::parse("curve\n    public-key = \"short\"\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}

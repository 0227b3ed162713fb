//! Writing certificate files safely: a secret file never goes through a path someone else planted (a symlink at a
//! temporary or the final name), and a base path without a file name is refused instead of writing hidden files.

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{symlink, PermissionsExt};

mod common;
#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

fn cert() -> zmq::Certificate {
    assert_eq!(zmq::has("curve"), Some(true), "this build of libzmq has no CURVE: that is a bug, not a skip");
    zmq::Certificate::new().unwrap().with_meta("name", "planted")
}

/// Symlinks planted at the temporary name the crate used to write through (`.NAME.tmp<pid>`) and at the final
/// name, each pointing at a file elsewhere: saving must leave both targets untouched and end with a regular 0600
/// file of its own.
#[test]
fn planted_symlinks_never_receive_the_secret_key() {
    let (dir, elsewhere) = (TempDir::new("cert-files-dir"), TempDir::new("cert-files-elsewhere"));
    let path = dir.path().join("node.key_secret");
    let victims = [elsewhere.path().join("via-temporary"), elsewhere.path().join("via-final")];
    for victim in &victims {
        fs::write(victim, "do not touch").unwrap();
    }
    let predictable = dir.path().join(format!(".node.key_secret.tmp{}", std::process::id()));
    symlink(&victims[0], &predictable).unwrap();
    symlink(&victims[1], &path).unwrap();

    let cert = cert();
    cert.save_secret(&path).unwrap();

    for victim in &victims {
        assert_eq!(fs::read_to_string(victim).unwrap(), "do not touch", "{}", victim.display());
    }
    let meta = fs::symlink_metadata(&path).unwrap();
    assert!(meta.file_type().is_file(), "the secret file is a regular file, not a symlink");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(zmq::Certificate::load(&path).unwrap(), cert);
    // Only the planted link and the secret file are left: no temporary file behind.
    let mut names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, [predictable.file_name().unwrap(), path.file_name().unwrap()]);

    // The same holds for the public file and for `save`.
    let public = dir.path().join("node.key");
    symlink(&victims[1], &public).unwrap();
    assert_eq!(cert.save(dir.path().join("node")).unwrap(), (public.clone(), Some(path.clone())));
    assert!(fs::symlink_metadata(&public).unwrap().file_type().is_file());
    assert_eq!(fs::read_to_string(&victims[1]).unwrap(), "do not touch");
}

/// A base path that ends in a separator (or is empty, `.` or `..`) has no file name for `.key` to follow: `save`
/// refuses it (`InvalidInput`) rather than writing `dir/.key`, which `load_dir` skips as hidden.
#[test]
fn save_refuses_a_base_without_file_name() {
    let dir = TempDir::new("cert-files-no-name");
    let cert = cert();
    let base = dir.path().to_str().unwrap().to_owned();
    for bad in [format!("{base}/"), format!("{base}//"), format!("{base}/."), format!("{base}/.."), String::new()] {
        let err = cert.save(&bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}: {err}");
        assert!(err.to_string().contains("file name"), "{bad:?}: {err}");
        let err = cert.save_secret(&bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}: {err}");
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "nothing was written");
    // A proper base in the same directory works, and load_dir finds it.
    cert.save(dir.path().join("node")).unwrap();
    assert_eq!(zmq::Certificate::load_dir(dir.path()).unwrap(), [cert.to_public()]);
}

/// Runs `f` on its own thread and fails if it does not finish within 10 s (reading a FIFO waits for a writer).
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    common::within(std::time::Duration::from_secs(10), f)
}

fn mkfifo(path: &std::path::Path) {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c_path` is a NUL-terminated path that lives for the call.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
}

/// A FIFO (or any other non-regular file) where a certificate or password file is expected gives an error at
/// once instead of waiting forever for a writer.
#[test]
fn a_fifo_is_refused_not_waited_for() {
    let dir = TempDir::new("cert-files-fifo");
    let fifo = dir.path().join("peer.key");
    mkfifo(&fifo);
    let path = fifo.clone();
    let err = within(move || zmq::Certificate::load(&path)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("regular file"), "{err}");
    // load_dir skips it, and a password file that is a FIFO is refused too.
    let dir_path = dir.path().to_owned();
    assert_eq!(within(move || zmq::Certificate::load_dir(&dir_path)).unwrap(), []);
    let ctx = zmq::Context::builder().linger(0).build().unwrap();
    let auth = zmq::Authenticator::new(&ctx).unwrap();
    let err = within(move || auth.configure_plain_file(zmq::ANY_DOMAIN, &fifo)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}

/// A file far larger than any certificate is refused before it is read into memory whole.
#[test]
fn an_oversized_file_is_refused() {
    let dir = TempDir::new("cert-files-big");
    let cert = cert();
    let path = dir.path().join("big.key");
    let mut text = "# padding\n".repeat(200 * 1024); // 2 MiB
    text.push_str(&cert.to_public_text().unwrap());
    fs::write(&path, &text).unwrap();
    let err = zmq::Certificate::load(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData, "{err}");
    assert!(err.to_string().contains("larger than"), "{err}");
}

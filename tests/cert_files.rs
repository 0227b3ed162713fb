//! Writing certificate files safely: a secret file never goes through a path someone else planted (a symlink at a
//! temporary or the final name), and a base path without a file name is refused instead of writing hidden files.

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{symlink, PermissionsExt};

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

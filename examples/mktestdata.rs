//! Makes the file `testdata` that the fileio examples read: a port of the
//! zguide's `examples/C/mktestdata.c`.
//!
//! Differs from the C in that the 1 MiB buffer it writes 1024 times is
//! zeroed (the C writes an uninitialised stack buffer, whatever it holds)
//! and that a file it cannot create or write is reported with exit status
//! 1 (the C writes through a NULL `FILE *` and crashes, or ignores the
//! short writes).

use std::fs::File;
use std::io::Write;
use std::process;

fn main() {
    let mut handle = match File::create("testdata") {
        Ok(handle) => handle,
        Err(error) => {
            eprintln!("mktestdata: testdata: {error}");
            process::exit(1);
        }
    };
    let data = vec![0u8; 1024 * 1024];
    for _count in 0..1024 {
        if let Err(error) = handle.write_all(&data) {
            eprintln!("mktestdata: testdata: {error}");
            process::exit(1);
        }
    }
    drop(handle);
}

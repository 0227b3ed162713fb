//! Test of the kvsimple class: a port of the zguide's
//! `examples/C/tstkvsimple.c`.
//!
//! Differs from the C only in the class, the module `kvsimple` (see its
//! differences).

//  Test kvsimple class

mod czmq;
mod kvsimple;

use czmq::*;
use kvsimple::*;

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let verbose = argv.len() > 1 && streq(&argv[1], "-v");
    kvmsg_test(verbose);
}

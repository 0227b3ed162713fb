//! Test of the kvmsg class: a port of the zguide's `examples/C/tstkvmsg.c`.
//!
//! Differs from the C only in the class, the module `kvmsg` (see its
//! differences).

//  Test kvmsg class

mod czmq;
mod kvmsg;

use czmq::*;
use kvmsg::*;

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let verbose = argv.len() > 1 && streq(&argv[1], "-v");
    kvmsg_test(verbose);
}

//! Clone client, model six: a port of the zguide's `examples/C/clonecli6.c`
//! over the `clone` class.
//!
//! Differs from the C in that the C includes `clone.c` where this uses
//! `mod clone;` (with `mod kvmsg;`); errors on the pipe to the clone agent
//! end `main` through `?` (the C ignores them); and the keys and values
//! are formatted with zhelpers' `sprintf`, from the same unseeded
//! `random ()` as the C's `randof`, so every run sets the same sequence of
//! keys, values and TTLs as the C does.

//  Clone client Model Six

//  Lets us build this source without creating a library
mod clone;
mod czmq;
mod kvmsg;

use clone::*;
use czmq::*;

const SUBTREE: &str = "/client/";

fn main() -> zmq::Result<()> {
    //  Create distributed hash instance
    let clone = clone_new()?;

    //  Specify configuration
    clone_subtree(&clone, SUBTREE)?;
    clone_connect(&clone, "tcp://localhost", "5556")?;
    clone_connect(&clone, "tcp://localhost", "5566")?;

    //  Set random tuples into the distributed hash
    while !zctx_interrupted() {
        //  Set random value, check it was stored
        let key = sprintf("%s%d", &[&SUBTREE, &randof(10000)]);
        let value = sprintf("%d", &[&randof(1000000)]);
        clone_set(&clone, key, value, randof(30))?;
        zclock_sleep(1000);
    }
    clone_destroy(clone);
    Ok(())
}

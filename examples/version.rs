//! Report 0MQ version: a port of the zguide's `examples/C/version.c`.

fn main() {
    let (major, minor, patch) = zmq::version();
    println!("Current 0MQ version is {major}.{minor}.{patch}");
}

//! Majordomo Protocol definitions: a port of the zguide's
//! `examples/C/mdp.h`, for the Majordomo examples (`mod mdp;`).
//!
//! The commands are byte strings; `mdps_commands` names a command, and
//! gives "UNKNOWN" for a byte the C table has no entry for (the C indexes
//! past its table).
#![allow(dead_code)]

//  This is the version of MDP/Client we implement
pub const MDPC_CLIENT: &str = "MDPC01";

//  This is the version of MDP/Worker we implement
pub const MDPW_WORKER: &str = "MDPW01";

//  MDP/Server commands, as strings
pub const MDPW_READY: &str = "\x01";
pub const MDPW_REQUEST: &str = "\x02";
pub const MDPW_REPLY: &str = "\x03";
pub const MDPW_HEARTBEAT: &str = "\x04";
pub const MDPW_DISCONNECT: &str = "\x05";

const MDPS_COMMANDS: [&str; 6] = ["", "READY", "REQUEST", "REPLY", "HEARTBEAT", "DISCONNECT"];

//  The name of a command, for logs
pub fn mdps_commands(command: &str) -> &'static str {
    match command.as_bytes().first() {
        Some(&byte @ 1..=5) => MDPS_COMMANDS[usize::from(byte)],
        _ => "UNKNOWN",
    }
}

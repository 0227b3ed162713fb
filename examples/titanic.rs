//! Titanic service: a port of the zguide's `examples/C/titanic.c` over the
//! `mdwrkapi` and `mdcliapi` ports, keeping its disk queue in `.titanic`
//! under the current directory.
//!
//! Differs from the C:
//! - the C includes `mdwrkapi.c` and `mdcliapi.c` where this uses `mod`;
//! - a UUID is 16 bytes from `/dev/urandom` with the version 4 and variant
//!   bits set, in upper-case hex, as libuuid's `uuid_generate` makes them
//!   when it has a random source;
//! - a UUID from a client that is not 32 upper-case hex digits names no
//!   file: `titanic.reply` answers 400 (Unknown) and `titanic.close`
//!   deletes nothing (the C builds a path from whatever it gets);
//! - a file that cannot be written or read (the C asserts) gets a 500
//!   reply from `titanic.request` and `titanic.reply`; a request file that
//!   cannot be read back counts as not served yet;
//! - a task whose session cannot be created ends; the queue file is read
//!   and marked through `std::fs::File` (C: `fread`, `fseek`, `fwrite`).

//  Titanic service
//  Implements server side of http://rfc.zeromq.org/spec:9

mod czmq;
mod mdcliapi;
mod mdp;
mod mdwrkapi;

use czmq::*;
use mdcliapi::*;
use mdwrkapi::*;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};

//  Return a new UUID as a printable character string

fn s_generate_uuid() -> io::Result<String> {
    let hex_char = b"0123456789ABCDEF";
    let mut uuid = [0u8; 16];
    File::open("/dev/urandom")?.read_exact(&mut uuid)?;
    uuid[6] = (uuid[6] & 0x0F) | 0x40; //  Version 4, random
    uuid[8] = (uuid[8] & 0x3F) | 0x80; //  Variant DCE
    let mut uuidstr = String::with_capacity(uuid.len() * 2);
    for byte in uuid {
        uuidstr.push(char::from(hex_char[usize::from(byte >> 4)]));
        uuidstr.push(char::from(hex_char[usize::from(byte & 15)]));
    }
    Ok(uuidstr)
}

//  Whether a client's UUID is one we could have made, so it names a file
//  in our directory and nothing else

fn s_valid_uuid(uuid: &[u8]) -> bool {
    uuid.len() == 32 && uuid.iter().all(|byte| byte.is_ascii_digit() || (b'A'..=b'F').contains(byte))
}

//  Returns request filename for given UUID

const TITANIC_DIR: &str = ".titanic";

fn s_request_filename(uuid: &str) -> String {
    format!("{TITANIC_DIR}/{uuid}.req")
}

//  Returns reply filename for given UUID

fn s_reply_filename(uuid: &str) -> String {
    format!("{TITANIC_DIR}/{uuid}.rep")
}

//  Saves a message to a new file

fn s_save(msg: &ZMsg, filename: &str) -> io::Result<()> {
    let mut file = File::create(filename)?;
    zmsg_save(msg, &mut file)
}

//  Loads a message from a file

fn s_load(filename: &str) -> io::Result<ZMsg> {
    zmsg_load(&mut BufReader::new(File::open(filename)?))
}

//  .split Titanic request service
//  The {{titanic.request}} task waits for requests to this service. It writes
//  each request to disk and returns a UUID to the client. The client picks
//  up the reply asynchronously using the {{titanic.reply}} service:

#[allow(clippy::while_let_loop)] //  The C's loop, with its break
fn titanic_request(_args: (), _ctx: &ZCtx, pipe: &zmq::Socket) {
    let Ok(mut worker) = mdwrk_new("tcp://localhost:5555", "titanic.request", false) else {
        return;
    };
    let mut reply: Option<ZMsg> = None;

    loop {
        //  Send reply if it's not null
        //  And then get next request from broker
        let Some(request) = mdwrk_recv(&mut worker, reply.take()) else {
            break; //  Interrupted, exit
        };

        //  Ensure message directory exists
        //  Generate UUID and save message to disk
        let saved = fs::create_dir_all(TITANIC_DIR)
            .and_then(|()| s_generate_uuid())
            .and_then(|uuid| s_save(&request, &s_request_filename(&uuid)).map(|()| uuid));
        zmsg_destroy(request);
        let Ok(uuid) = saved else {
            let mut failed = zmsg_new();
            zmsg_addstr(&mut failed, "500");
            reply = Some(failed);
            continue;
        };

        //  Send UUID through to message queue
        let mut queued = zmsg_new();
        zmsg_addstr(&mut queued, &uuid);
        if zmsg_send(queued, pipe).is_err() {
            break; //  Main task has gone
        }

        //  Now send UUID back to client
        //  Done by the mdwrk_recv() at the top of the loop
        let mut answer = zmsg_new();
        zmsg_addstr(&mut answer, "200");
        zmsg_addstr(&mut answer, &uuid);
        reply = Some(answer);
    }
    mdwrk_destroy(worker);
}

//  .split Titanic reply service
//  The {{titanic.reply}} task checks if there's a reply for the specified
//  request (by UUID), and returns a 200 (OK), 300 (Pending), or 400
//  (Unknown) accordingly:

#[allow(clippy::while_let_loop)] //  The C's loop, with its break
fn titanic_reply(_args: ()) {
    let Ok(mut worker) = mdwrk_new("tcp://localhost:5555", "titanic.reply", false) else {
        return;
    };
    let mut reply: Option<ZMsg> = None;

    loop {
        let Some(mut request) = mdwrk_recv(&mut worker, reply.take()) else {
            break; //  Interrupted, exit
        };

        let uuid = zmsg_popstr(&mut request).unwrap_or_default();
        let mut answer;
        if !s_valid_uuid(&uuid) {
            answer = zmsg_new();
            zmsg_pushstr(&mut answer, "400"); //Unknown
        } else {
            let uuid = String::from_utf8_lossy(&uuid);
            let req_filename = s_request_filename(&uuid);
            let rep_filename = s_reply_filename(&uuid);
            if fs::metadata(&rep_filename).is_ok() {
                match s_load(&rep_filename) {
                    Ok(loaded) => {
                        answer = loaded;
                        zmsg_pushstr(&mut answer, "200");
                    }
                    Err(_) => {
                        answer = zmsg_new();
                        zmsg_pushstr(&mut answer, "500");
                    }
                }
            } else {
                answer = zmsg_new();
                if fs::metadata(&req_filename).is_ok() {
                    zmsg_pushstr(&mut answer, "300"); //Pending
                } else {
                    zmsg_pushstr(&mut answer, "400"); //Unknown
                }
            }
        }
        zmsg_destroy(request);
        reply = Some(answer);
    }
    mdwrk_destroy(worker);
}

//  .split Titanic close task
//  The {{titanic.close}} task removes any waiting replies for the request
//  (specified by UUID). It's idempotent, so it is safe to call more than
//  once in a row:

#[allow(clippy::while_let_loop)] //  The C's loop, with its break
fn titanic_close(_args: ()) {
    let Ok(mut worker) = mdwrk_new("tcp://localhost:5555", "titanic.close", false) else {
        return;
    };
    let mut reply: Option<ZMsg> = None;

    loop {
        let Some(mut request) = mdwrk_recv(&mut worker, reply.take()) else {
            break; //  Interrupted, exit
        };

        let uuid = zmsg_popstr(&mut request).unwrap_or_default();
        if s_valid_uuid(&uuid) {
            let uuid = String::from_utf8_lossy(&uuid);
            //  Either may be gone already: closing is idempotent
            let _ = fs::remove_file(s_request_filename(&uuid));
            let _ = fs::remove_file(s_reply_filename(&uuid));
        }

        zmsg_destroy(request);
        let mut answer = zmsg_new();
        zmsg_addstr(&mut answer, "200");
        reply = Some(answer);
    }
    mdwrk_destroy(worker);
}

//  .split worker task
//  This is the main thread for the Titanic worker. It starts three child
//  threads; for the request, reply, and close services. It then dispatches
//  requests to workers using a simple brute force disk queue. It receives
//  request UUIDs from the {{titanic.request}} service, saves these to a disk
//  file, and then throws each request at MDP workers until it gets a
//  response.

fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.len() > 1 && streq(&args[1], "-v");
    let ctx = zctx_new();

    let request_pipe = zthread_fork(&ctx, titanic_request, ())?;
    zthread_new(titanic_reply, ()).map_err(|_| zmq::Error::EMFILE)?;
    zthread_new(titanic_close, ()).map_err(|_| zmq::Error::EMFILE)?;

    //  Main dispatcher loop
    loop {
        //  We'll dispatch once per second, if there's no activity
        let mut items = [request_pipe.as_poll_item(zmq::POLLIN)];
        let rc = zmq::poll(&mut items, 1000);
        if rc.is_err() {
            break; //  Interrupted
        }
        if items[0].is_readable() {
            //  Ensure message directory exists
            //  Append UUID to queue, prefixed with '-' for pending
            let Some(mut msg) = zmsg_recv(&request_pipe) else {
                break; //  Interrupted
            };
            let uuid = zmsg_popstr(&mut msg).unwrap_or_default();
            let queued = fs::create_dir_all(TITANIC_DIR).and_then(|()| {
                let mut file = OpenOptions::new().append(true).create(true).open(format!("{TITANIC_DIR}/queue"))?;
                let mut entry = b"-".to_vec();
                entry.extend_from_slice(&uuid);
                entry.push(b'\n');
                file.write_all(&entry)
            });
            if let Err(error) = queued {
                println!("E: cannot queue request: {error}");
            }
            zmsg_destroy(msg);
        }
        //  Brute force dispatcher
        if let Ok(mut file) = OpenOptions::new().read(true).write(true).open(format!("{TITANIC_DIR}/queue")) {
            s_dispatch(&mut file, verbose);
        }
    }
    Ok(())
}

//  One pass of the brute force dispatcher over the queue file
fn s_dispatch(file: &mut File, verbose: bool) {
    let mut entry = *b"?.......:.......:.......:.......:";
    while file.read_exact(&mut entry).is_ok() {
        //  UUID is prefixed with '-' if still waiting
        if entry[0] == b'-' {
            let uuid = String::from_utf8_lossy(&entry[1..]).into_owned();
            if verbose {
                println!("I: processing request {uuid}");
            }
            if s_service_success(&uuid) {
                //  Mark queue entry as processed
                let marked = file
                    .seek(SeekFrom::Current(-33))
                    .and_then(|_| file.write_all(b"+"))
                    .and_then(|()| file.seek(SeekFrom::Current(32)));
                if marked.is_err() {
                    return;
                }
            }
        }
        //  Skip end of line, LF or CRLF
        let mut end = [0u8; 1];
        if file.read_exact(&mut end).is_ok() && end[0] == b'\r' {
            let _ = file.read_exact(&mut end);
        }
        if zctx_interrupted() {
            break;
        }
    }
}

//  .split try to call a service
//  Here, we first check if the requested MDP service is defined or not,
//  using a MMI lookup to the Majordomo broker. If the service exists,
//  we send a request and wait for a reply using the conventional MDP
//  client API. This is not meant to be fast, just very simple:

fn s_service_success(uuid: &str) -> bool {
    //  Load request message, service will be first frame
    let filename = s_request_filename(uuid);

    //  If the client already closed request, treat as successful
    if fs::metadata(&filename).is_err() {
        return true;
    }

    let Ok(mut request) = s_load(&filename) else {
        return false; //  Not readable (yet): try again next time
    };
    let Some(service) = zmsg_pop(&mut request) else {
        return false;
    };
    let service_name = String::from_utf8_lossy(&zframe_strdup(&service)).into_owned();

    //  Create MDP client session with short timeout
    let Ok(mut client) = mdcli_new("tcp://localhost:5555", false) else {
        return false;
    };
    mdcli_set_timeout(&mut client, 1000); //  1 sec
    mdcli_set_retries(&mut client, 1); //  only 1 retry

    //  Use MMI protocol to check if service is available
    let mut mmi_request = zmsg_new();
    zmsg_add(&mut mmi_request, service);
    let mmi_reply = mdcli_send(&mut client, "mmi.service", mmi_request);
    let service_ok =
        mmi_reply.is_some_and(|mut reply| zmsg_first(&mut reply).is_some_and(|code| zframe_streq(code, "200")));

    let mut result = false;
    if service_ok {
        if let Some(reply) = mdcli_send(&mut client, &service_name, request) {
            let filename = s_reply_filename(uuid);
            result = s_save(&reply, &filename).is_ok();
            zmsg_destroy(reply);
        }
    } else {
        zmsg_destroy(request);
    }

    mdcli_destroy(client);
    result
}

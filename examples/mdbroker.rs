//! Majordomo Protocol broker: a port of the zguide's
//! `examples/C/mdbroker.c`.
//!
//! Differs from the C in that libzmq errors on binding end `main` through
//! `?` and errors on sending are ignored (as in C); the broker, service and
//! worker structs point at each other in C, here the broker owns the
//! services (a `HashMap` by name) and the workers (by hex identity) and
//! the waiting lists hold worker identities; and malformed messages (which
//! the C asserts on, or reads past) are logged with "E: invalid input
//! message" and dropped, so no peer can stop the broker.

//  Majordomo Protocol broker
//  A minimal C implementation of the Majordomo Protocol as defined in
//  http://rfc.zeromq.org/spec:7 and http://rfc.zeromq.org/spec:8.

mod czmq;
mod mdp;

use czmq::*;
use mdp::*;
use std::collections::{HashMap, VecDeque};

//  We'd normally pull these from config data

const HEARTBEAT_LIVENESS: i64 = 3; //  3-5 is reasonable
const HEARTBEAT_INTERVAL: i64 = 2500; //  msecs
const HEARTBEAT_EXPIRY: i64 = HEARTBEAT_INTERVAL * HEARTBEAT_LIVENESS;

//  .split broker class structure
//  The broker class defines a single broker instance:

struct Broker {
    #[allow(dead_code)] //  Kept, as in the C; the socket holds the context too
    ctx: ZCtx, //  Our context
    socket: zmq::Socket,                 //  Socket for clients & workers
    verbose: bool,                       //  Print activity to stdout
    services: HashMap<Vec<u8>, Service>, //  Hash of known services
    workers: HashMap<String, Worker>,    //  Hash of known workers
    waiting: VecDeque<String>,           //  List of waiting workers
    heartbeat_at: i64,                   //  When to send HEARTBEAT
}

//  .split service class structure
//  The service class defines a single service instance:

struct Service {
    #[allow(dead_code)] //  The key in the services hash
    name: Vec<u8>, //  Service name
    requests: VecDeque<ZMsg>,  //  List of client requests
    waiting: VecDeque<String>, //  List of waiting workers
    workers: usize,            //  How many workers we have
}

//  .split worker class structure
//  The worker class defines a single worker, idle or active:

struct Worker {
    #[allow(dead_code)] //  The key in the workers hash
    id_string: String, //  Identity of worker as string
    identity: ZFrame,         //  Identity frame for routing
    service: Option<Vec<u8>>, //  Owning service, if known
    expiry: i64,              //  When worker expires, if no heartbeat
}

//  .split broker constructor and destructor
//  Here are the constructor and destructor for the broker:

fn s_broker_new(verbose: bool) -> zmq::Result<Broker> {
    //  Initialize broker state
    let ctx = zctx_new();
    let socket = zsocket_new(&ctx, zmq::ROUTER)?;
    Ok(Broker {
        ctx,
        socket,
        verbose,
        services: HashMap::new(),
        workers: HashMap::new(),
        waiting: VecDeque::new(),
        heartbeat_at: zclock_time() + HEARTBEAT_INTERVAL,
    })
}

fn s_broker_destroy(this: Broker) {
    drop(this);
}

//  .split broker bind method
//  This method binds the broker instance to an endpoint. We can call
//  this multiple times. Note that MDP uses a single socket for both clients
//  and workers:

fn s_broker_bind(this: &Broker, endpoint: &str) -> zmq::Result<()> {
    zsocket_bind(&this.socket, endpoint)?;
    zclock_log("I: MDP broker/0.2.0 is active at %s", &[&endpoint]);
    Ok(())
}

//  .split broker worker_msg method
//  This method processes one READY, REPLY, HEARTBEAT, or
//  DISCONNECT message sent to the broker by a worker:

fn s_broker_worker_msg(this: &mut Broker, sender: &ZFrame, mut msg: ZMsg) {
    let Some(command) = zmsg_pop(&mut msg) else {
        //  At least, command
        zclock_log("E: invalid input message", &[]);
        zmsg_dump(&msg);
        return;
    };
    let id_string = zframe_strhex(sender);
    let worker_ready = this.workers.contains_key(&id_string);
    let worker = s_worker_require(this, sender);

    if zframe_streq(&command, MDPW_READY) {
        if worker_ready {
            //  Not first command in session
            s_worker_delete(this, &worker, true);
        } else if zframe_size(sender) >= 4 //  Reserved service name
            && zframe_data(sender).starts_with(b"mmi.")
        {
            s_worker_delete(this, &worker, true);
        } else if let Some(service_frame) = zmsg_pop(&mut msg) {
            //  Attach worker to service and mark as idle
            let name = s_service_require(this, &service_frame);
            if let Some(service) = this.services.get_mut(&name) {
                service.workers += 1;
            }
            if let Some(worker) = this.workers.get_mut(&worker) {
                worker.service = Some(name);
            }
            s_worker_waiting(this, &worker);
            zframe_destroy(service_frame);
        } else {
            //  READY without a service name
            s_worker_delete(this, &worker, true);
        }
    } else if zframe_streq(&command, MDPW_REPLY) {
        if worker_ready {
            //  Remove and save client return envelope and insert the
            //  protocol header and service name, then rewrap envelope.
            let service = this.workers.get(&worker).and_then(|worker| worker.service.clone()).unwrap_or_default();
            if let Some(client) = zmsg_unwrap(&mut msg) {
                zmsg_pushstr(&mut msg, &service);
                zmsg_pushstr(&mut msg, MDPC_CLIENT);
                zmsg_wrap(&mut msg, client);
                let _ = zmsg_send(msg, &this.socket);
            }
            s_worker_waiting(this, &worker);
        } else {
            s_worker_delete(this, &worker, true);
        }
    } else if zframe_streq(&command, MDPW_HEARTBEAT) {
        if worker_ready {
            if let Some(worker) = this.workers.get_mut(&worker) {
                worker.expiry = zclock_time() + HEARTBEAT_EXPIRY;
            }
        } else {
            s_worker_delete(this, &worker, true);
        }
    } else if zframe_streq(&command, MDPW_DISCONNECT) {
        s_worker_delete(this, &worker, false);
    } else {
        zclock_log("E: invalid input message", &[]);
        zmsg_dump(&msg);
    }
    zframe_destroy(command);
}

//  .split broker client_msg method
//  Process a request coming from a client. We implement MMI requests
//  directly here (at present, we implement only the mmi.service request):

fn s_broker_client_msg(this: &mut Broker, sender: &ZFrame, mut msg: ZMsg) {
    //  Service name + body
    if zmsg_size(&msg) < 2 {
        zclock_log("E: invalid input message", &[]);
        zmsg_dump(&msg);
        return;
    }
    let Some(service_frame) = zmsg_pop(&mut msg) else { return };
    let service = s_service_require(this, &service_frame);

    //  Set reply return identity to client sender
    zmsg_wrap(&mut msg, zframe_dup(sender));

    //  If we got a MMI service request, process that internally
    if zframe_size(&service_frame) >= 4 && zframe_data(&service_frame).starts_with(b"mmi.") {
        let return_code = if zframe_streq(&service_frame, "mmi.service") {
            let name = zmsg_last(&mut msg).map(|frame| zframe_strdup(frame)).unwrap_or_default();
            let service = this.services.get(&name);
            if service.is_some_and(|service| service.workers > 0) {
                "200"
            } else {
                "404"
            }
        } else {
            "501"
        };
        if let Some(last) = zmsg_last(&mut msg) {
            zframe_reset(last, return_code.as_bytes());
        }

        //  Remove & save client return envelope and insert the
        //  protocol header and service name, then rewrap envelope.
        if let Some(client) = zmsg_unwrap(&mut msg) {
            zmsg_prepend(&mut msg, service_frame);
            zmsg_pushstr(&mut msg, MDPC_CLIENT);
            zmsg_wrap(&mut msg, client);
            let _ = zmsg_send(msg, &this.socket);
        }
    } else {
        //  Else dispatch the message to the requested service
        s_service_dispatch(this, &service, Some(msg));
        zframe_destroy(service_frame);
    }
}

//  .split broker purge method
//  This method deletes any idle workers that haven't pinged us in a
//  while. We hold workers from oldest to most recent so we can stop
//  scanning whenever we find a live worker. This means we'll mainly stop
//  at the first worker, which is essential when we have large numbers of
//  workers (we call this method in our critical path):

fn s_broker_purge(this: &mut Broker) {
    while let Some(id_string) = this.waiting.front().cloned() {
        let expiry = this.workers.get(&id_string).map_or(0, |worker| worker.expiry);
        if zclock_time() < expiry {
            break; //  Worker is alive, we're done here
        }
        if this.verbose {
            zclock_log("I: deleting expired worker: %s", &[&id_string]);
        }
        s_worker_delete(this, &id_string, false);
        //  (A worker missing from the hash leaves the list here too)
        if this.waiting.front() == Some(&id_string) {
            this.waiting.pop_front();
        }
    }
}

//  .split service methods
//  Here is the implementation of the methods that work on a service:

//  Lazy constructor that locates a service by name or creates a new
//  service if there is no service already with that name.

fn s_service_require(this: &mut Broker, service_frame: &ZFrame) -> Vec<u8> {
    let name = zframe_strdup(service_frame);
    if !this.services.contains_key(&name) {
        let service = Service { name: name.clone(), requests: VecDeque::new(), waiting: VecDeque::new(), workers: 0 };
        this.services.insert(name.clone(), service);
        if this.verbose {
            zclock_log("I: added service: %s", &[&name]);
        }
    }
    name
}

//  .split service dispatch method
//  This method sends requests to waiting workers:

fn s_service_dispatch(this: &mut Broker, service_name: &[u8], msg: Option<ZMsg>) {
    if let Some(msg) = msg {
        //  Queue message if any
        if let Some(service) = this.services.get_mut(service_name) {
            service.requests.push_back(msg);
        }
    }
    s_broker_purge(this);
    while let Some(service) = this.services.get_mut(service_name) {
        if service.waiting.is_empty() || service.requests.is_empty() {
            break;
        }
        let (Some(worker), Some(msg)) = (service.waiting.pop_front(), service.requests.pop_front()) else { break };
        this.waiting.retain(|waiting| *waiting != worker);
        s_worker_send(this, &worker, MDPW_REQUEST, None, Some(&msg));
        zmsg_destroy(msg);
    }
}

//  .split worker methods
//  Here is the implementation of the methods that work on a worker:

//  Lazy constructor that locates a worker by identity, or creates a new
//  worker if there is no worker already with that identity.

fn s_worker_require(this: &mut Broker, identity: &ZFrame) -> String {
    //  self->workers is keyed off worker identity
    let id_string = zframe_strhex(identity);
    if !this.workers.contains_key(&id_string) {
        let worker = Worker { id_string: id_string.clone(), identity: zframe_dup(identity), service: None, expiry: 0 };
        this.workers.insert(id_string.clone(), worker);
        if this.verbose {
            zclock_log("I: registering new worker: %s", &[&id_string]);
        }
    }
    id_string
}

//  This method deletes the current worker.

fn s_worker_delete(this: &mut Broker, id_string: &str, disconnect: bool) {
    if disconnect {
        s_worker_send(this, id_string, MDPW_DISCONNECT, None, None);
    }
    if let Some(service) = this.workers.get(id_string).and_then(|worker| worker.service.clone()) {
        if let Some(service) = this.services.get_mut(&service) {
            service.waiting.retain(|waiting| waiting != id_string);
            service.workers = service.workers.saturating_sub(1);
        }
    }
    this.waiting.retain(|waiting| waiting != id_string);
    //  This implicitly calls s_worker_destroy
    this.workers.remove(id_string);
}

//  .split worker send method
//  This method formats and sends a command to a worker. The caller may
//  also provide a command option, and a message payload:

fn s_worker_send(this: &Broker, id_string: &str, command: &str, option: Option<&str>, msg: Option<&ZMsg>) {
    let Some(worker) = this.workers.get(id_string) else { return };
    let mut msg = match msg {
        Some(msg) => zmsg_dup(msg),
        None => zmsg_new(),
    };

    //  Stack protocol envelope to start of message
    if let Some(option) = option {
        zmsg_pushstr(&mut msg, option);
    }
    zmsg_pushstr(&mut msg, command);
    zmsg_pushstr(&mut msg, MDPW_WORKER);

    //  Stack routing envelope to start of message
    zmsg_wrap(&mut msg, zframe_dup(&worker.identity));

    if this.verbose {
        zclock_log("I: sending %s to worker", &[&mdps_commands(command)]);
        zmsg_dump(&msg);
    }
    let _ = zmsg_send(msg, &this.socket);
}

//  This worker is now waiting for work

fn s_worker_waiting(this: &mut Broker, id_string: &str) {
    //  Queue to broker and service waiting lists
    let Some(worker) = this.workers.get_mut(id_string) else { return };
    worker.expiry = zclock_time() + HEARTBEAT_EXPIRY;
    let Some(service) = worker.service.clone() else { return };
    this.waiting.push_back(id_string.to_string());
    if let Some(service) = this.services.get_mut(&service) {
        service.waiting.push_back(id_string.to_string());
    }
    s_service_dispatch(this, &service, None);
}

//  .split main task
//  Finally, here is the main task. We create a new broker instance and
//  then process messages on the broker socket:

fn main() -> Result<(), zmq::Error> {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.len() > 1 && streq(&args[1], "-v");

    let mut this = s_broker_new(verbose)?;
    s_broker_bind(&this, "tcp://*:5555")?;

    //  Get and process messages forever or until interrupted
    loop {
        let mut items = [this.socket.as_poll_item(zmq::POLLIN)];
        let rc = zmq::poll(&mut items, HEARTBEAT_INTERVAL);
        if rc.is_err() {
            break; //  Interrupted
        }

        //  Process next input message, if any
        if items[0].is_readable() {
            let Some(mut msg) = zmsg_recv(&this.socket) else {
                break; //  Interrupted
            };
            if this.verbose {
                zclock_log("I: received message:", &[]);
                zmsg_dump(&msg);
            }
            let sender = zmsg_pop(&mut msg);
            let empty = zmsg_pop(&mut msg);
            let header = zmsg_pop(&mut msg);

            match (&sender, &header) {
                (Some(sender), Some(header)) if zframe_streq(header, MDPC_CLIENT) => {
                    s_broker_client_msg(&mut this, sender, msg)
                }
                (Some(sender), Some(header)) if zframe_streq(header, MDPW_WORKER) => {
                    s_broker_worker_msg(&mut this, sender, msg)
                }
                _ => {
                    zclock_log("E: invalid message:", &[]);
                    zmsg_dump(&msg);
                    zmsg_destroy(msg);
                }
            }
            drop((sender, empty, header));
        }
        //  Disconnect and delete any expired workers
        //  Send heartbeats to idle workers if needed
        if zclock_time() > this.heartbeat_at {
            s_broker_purge(&mut this);
            for worker in this.waiting.clone() {
                s_worker_send(&this, &worker, MDPW_HEARTBEAT, None, None);
            }
            this.heartbeat_at = zclock_time() + HEARTBEAT_INTERVAL;
        }
    }
    if zctx_interrupted() {
        println!("W: interrupt received, shutting down...");
    }
    s_broker_destroy(this);
    Ok(())
}

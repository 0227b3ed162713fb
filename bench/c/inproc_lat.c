/* Latency over inproc:// between two threads (C reference for examples/inproc_lat.rs).
 * usage: inproc_lat <message-size> <roundtrip-count>
 * Main thread: REQ, binds, sends from one reused buffer with zmq_send (one copy) and receives into one
 * reused zmq_msg_t. Worker thread: REP, connects, sends every received zmq_msg_t back (no copy). */
#include "perf.h"

static const char usage[] = "usage: inproc_lat <message-size> <roundtrip-count>";
static const char endpoint[] = "inproc://lat_test";

static size_t message_size, roundtrip_count;

static void *echo (void *ctx)
{
    void *s = perf_socket (ctx, ZMQ_REP, endpoint, 0);
    perf_echo (s, message_size, roundtrip_count);
    zmq_close (s);
    return NULL;
}

int main (int argc, char *argv[])
{
    perf_args (argc, 2, usage);
    message_size = perf_number (argv[1], 0, usage);
    roundtrip_count = perf_number (argv[2], 1, usage);

    void *ctx = perf_ctx_new ();
    void *s = perf_socket (ctx, ZMQ_REQ, endpoint, 1);
    pthread_t worker = perf_spawn_peer (echo, ctx);

    perf_print_header (message_size, "roundtrip count", roundtrip_count);
    double elapsed = perf_roundtrips (s, message_size, roundtrip_count);
    pthread_join (worker, NULL);
    perf_print_latency (elapsed, roundtrip_count);
    perf_close (s, ctx);
    return 0;
}

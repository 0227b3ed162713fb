/* Latency over inproc:// between two threads (C reference for examples/inproc_lat.rs).
 * usage: inproc_lat <message-size> <roundtrip-count>
 * Main thread: REQ, binds, sends from one reused buffer with zmq_send (one copy) and receives into one
 * reused zmq_msg_t. Worker thread: REP, connects, sends every received zmq_msg_t back (no copy). */
#include "perf.h"
#include <pthread.h>

static const char usage[] = "usage: inproc_lat <message-size> <roundtrip-count>";
static const char endpoint[] = "inproc://lat_test";

static size_t roundtrip_count;

static void *echo (void *ctx)
{
    void *s = zmq_socket (ctx, ZMQ_REP);
    zmq_msg_t msg;
    size_t i;
    if (!s)
        perf_fail ("zmq_socket");
    if (zmq_connect (s, endpoint) != 0)
        perf_fail ("zmq_connect");
    zmq_msg_init (&msg);
    for (i = 0; i < roundtrip_count; i++) {
        if (zmq_msg_recv (&msg, s, 0) < 0)
            perf_fail ("zmq_msg_recv");
        if (zmq_msg_send (&msg, s, 0) < 0)
            perf_fail ("zmq_msg_send");
    }
    zmq_msg_close (&msg);
    zmq_close (s);
    return NULL;
}

int main (int argc, char *argv[])
{
    void *ctx, *s;
    zmq_msg_t reply;
    pthread_t worker;
    size_t size, i;
    char *request;
    double start, elapsed;

    if (argc != 3)
        perf_usage (usage);
    size = perf_number (argv[1], 0, usage);
    roundtrip_count = perf_number (argv[2], 1, usage);

    ctx = zmq_ctx_new ();
    if (!ctx)
        perf_fail ("zmq_ctx_new");
    s = zmq_socket (ctx, ZMQ_REQ);
    if (!s)
        perf_fail ("zmq_socket");
    if (zmq_bind (s, endpoint) != 0)
        perf_fail ("zmq_bind");
    if (pthread_create (&worker, NULL, echo, ctx) != 0) {
        fprintf (stderr, "error in pthread_create\n");
        return 1;
    }

    printf ("message size: %zu [B]\n", size);
    printf ("roundtrip count: %zu\n", roundtrip_count);

    request = calloc (size ? size : 1, 1);
    zmq_msg_init (&reply);
    start = perf_now_us ();
    for (i = 0; i < roundtrip_count; i++) {
        if (zmq_send (s, request, size, 0) < 0)
            perf_fail ("zmq_send");
        perf_recv_exact (s, &reply, size);
    }
    elapsed = perf_now_us () - start;
    zmq_msg_close (&reply);
    free (request);

    pthread_join (worker, NULL);
    printf ("average latency: %.3f [us]\n", elapsed / ((double) roundtrip_count * 2.0));

    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}

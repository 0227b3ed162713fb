/* Latency test, requesting side (C reference for examples/remote_lat.rs).
 * usage: remote_lat <connect-to> <message-size> <roundtrip-count>
 * REQ socket, connects; each round trip sends from one reused buffer with zmq_send (one copy) and
 * receives the echo into one reused zmq_msg_t. Latency = half the mean round trip. */
#include "perf.h"

static const char usage[] = "usage: remote_lat <connect-to> <message-size> <roundtrip-count>";

int main (int argc, char *argv[])
{
    void *ctx, *s;
    zmq_msg_t reply;
    size_t size, count, i;
    char *request;
    double start, elapsed;

    if (argc != 4)
        perf_usage (usage);
    size = perf_number (argv[2], 0, usage);
    count = perf_number (argv[3], 1, usage);

    ctx = zmq_ctx_new ();
    if (!ctx)
        perf_fail ("zmq_ctx_new");
    s = zmq_socket (ctx, ZMQ_REQ);
    if (!s)
        perf_fail ("zmq_socket");
    if (zmq_connect (s, argv[1]) != 0)
        perf_fail ("zmq_connect");

    request = calloc (size ? size : 1, 1);
    zmq_msg_init (&reply);
    start = perf_now_us ();
    for (i = 0; i < count; i++) {
        if (zmq_send (s, request, size, 0) < 0)
            perf_fail ("zmq_send");
        perf_recv_exact (s, &reply, size);
    }
    elapsed = perf_now_us () - start;
    zmq_msg_close (&reply);
    free (request);

    printf ("message size: %zu [B]\n", size);
    printf ("roundtrip count: %zu\n", count);
    printf ("average latency: %.3f [us]\n", elapsed / ((double) count * 2.0));

    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}

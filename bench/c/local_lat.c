/* Latency test, echoing side (C reference for examples/local_lat.rs).
 * usage: local_lat <bind-to> <message-size> <roundtrip-count>
 * REP socket, binds, sends every received zmq_msg_t straight back (no copy). */
#include "perf.h"

static const char usage[] = "usage: local_lat <bind-to> <message-size> <roundtrip-count>";

int main (int argc, char *argv[])
{
    perf_args (argc, 3, usage);
    size_t size = perf_number (argv[2], 0, usage);
    size_t count = perf_number (argv[3], 1, usage);

    void *ctx = perf_ctx_new ();
    void *s = perf_socket (ctx, ZMQ_REP, argv[1], 1);
    perf_echo (s, size, count);
    perf_close (s, ctx);
    return 0;
}

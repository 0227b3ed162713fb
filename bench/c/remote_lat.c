/* Latency test, requesting side (C reference for examples/remote_lat.rs).
 * usage: remote_lat <connect-to> <message-size> <roundtrip-count>
 * REQ socket, connects; each round trip sends from one reused buffer with zmq_send (one copy) and
 * receives the echo into one reused zmq_msg_t. Latency = half the mean round trip. */
#include "perf.h"

static const char usage[] = "usage: remote_lat <connect-to> <message-size> <roundtrip-count>";

int main (int argc, char *argv[])
{
    perf_args (argc, 3, usage);
    size_t size = perf_number (argv[2], 0, usage);
    size_t count = perf_number (argv[3], 1, usage);

    void *ctx = perf_ctx_new ();
    void *s = perf_socket (ctx, ZMQ_REQ, argv[1], 0);
    double elapsed = perf_roundtrips (s, size, count);

    perf_print_header (size, "roundtrip count", count);
    perf_print_latency (elapsed, count);
    perf_close (s, ctx);
    return 0;
}

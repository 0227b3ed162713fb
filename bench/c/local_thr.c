/* Throughput test, receiving side (C reference for examples/local_thr.rs).
 * usage: local_thr <bind-to> <message-size> <message-count>
 * PULL socket, binds, receives into one reused zmq_msg_t; the clock starts at the first message. */
#include "perf.h"

static const char usage[] = "usage: local_thr <bind-to> <message-size> <message-count>";

int main (int argc, char *argv[])
{
    perf_args (argc, 3, usage);
    size_t size = perf_number (argv[2], 0, usage);
    size_t count = perf_number (argv[3], 1, usage);

    void *ctx = perf_ctx_new ();
    void *s = perf_socket (ctx, ZMQ_PULL, argv[1], 1);
    double elapsed = perf_receive_timed (s, size, count);

    perf_print_header (size, "message count", count);
    perf_print_throughput (size, count, elapsed);
    perf_close (s, ctx);
    return 0;
}

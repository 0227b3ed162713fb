/* Throughput test, receiving side (C reference for examples/local_thr.rs).
 * usage: local_thr <bind-to> <message-size> <message-count>
 * PULL socket, binds, receives into one reused zmq_msg_t; the clock starts at the first message. */
#include "perf.h"

static const char usage[] = "usage: local_thr <bind-to> <message-size> <message-count>";

int main (int argc, char *argv[])
{
    void *ctx, *s;
    zmq_msg_t msg;
    size_t size, count, i;
    double start;

    if (argc != 4)
        perf_usage (usage);
    size = perf_number (argv[2], 0, usage);
    count = perf_number (argv[3], 1, usage);

    ctx = zmq_ctx_new ();
    if (!ctx)
        perf_fail ("zmq_ctx_new");
    s = zmq_socket (ctx, ZMQ_PULL);
    if (!s)
        perf_fail ("zmq_socket");
    if (zmq_bind (s, argv[1]) != 0)
        perf_fail ("zmq_bind");

    zmq_msg_init (&msg);
    perf_recv_exact (s, &msg, size);
    start = perf_now_us ();
    for (i = 1; i < count; i++)
        perf_recv_exact (s, &msg, size);
    double elapsed = perf_now_us () - start;
    zmq_msg_close (&msg);

    printf ("message size: %zu [B]\n", size);
    printf ("message count: %zu\n", count);
    perf_print_throughput (size, count, elapsed);

    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}

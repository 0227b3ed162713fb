/* Latency test, echoing side (C reference for examples/local_lat.rs).
 * usage: local_lat <bind-to> <message-size> <roundtrip-count>
 * REP socket, binds, sends every received zmq_msg_t straight back (no copy). */
#include "perf.h"

static const char usage[] = "usage: local_lat <bind-to> <message-size> <roundtrip-count>";

int main (int argc, char *argv[])
{
    void *ctx, *s;
    zmq_msg_t msg;
    size_t size, count, i;

    if (argc != 4)
        perf_usage (usage);
    size = perf_number (argv[2], 0, usage);
    count = perf_number (argv[3], 1, usage);

    ctx = zmq_ctx_new ();
    if (!ctx)
        perf_fail ("zmq_ctx_new");
    s = zmq_socket (ctx, ZMQ_REP);
    if (!s)
        perf_fail ("zmq_socket");
    if (zmq_bind (s, argv[1]) != 0)
        perf_fail ("zmq_bind");

    zmq_msg_init (&msg);
    for (i = 0; i < count; i++) {
        perf_recv_exact (s, &msg, size);
        if (zmq_msg_send (&msg, s, 0) < 0)
            perf_fail ("zmq_msg_send");
    }
    zmq_msg_close (&msg);

    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}

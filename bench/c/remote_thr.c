/* Throughput test, sending side (C reference for examples/remote_thr.rs).
 * usage: remote_thr <connect-to> <message-size> <message-count> [--zero-copy]
 * PUSH socket, connects, sends every message from one reused buffer with zmq_send (one copy), or with
 * --zero-copy / ZMQ_PERF_ZERO_COPY=1 a fresh calloc'd buffer handed over by zmq_msg_init_data. */
#include "perf.h"

static const char usage[] =
  "usage: remote_thr <connect-to> <message-size> <message-count> [--zero-copy]";

int main (int argc, char *argv[])
{
    void *ctx, *s;
    size_t size, count, i;
    int zero_copy;
    char *buf;

    if (argc == 4)
        zero_copy = perf_zero_copy_from_env ();
    else if (argc == 5 && strcmp (argv[4], "--zero-copy") == 0)
        zero_copy = 1;
    else
        perf_usage (usage);
    size = perf_number (argv[2], 0, usage);
    count = perf_number (argv[3], 1, usage);

    ctx = zmq_ctx_new ();
    if (!ctx)
        perf_fail ("zmq_ctx_new");
    s = zmq_socket (ctx, ZMQ_PUSH);
    if (!s)
        perf_fail ("zmq_socket");
    if (zmq_connect (s, argv[1]) != 0)
        perf_fail ("zmq_connect");

    if (zero_copy) {
        for (i = 0; i < count; i++)
            perf_send_owned (s, size);
    } else {
        buf = calloc (size ? size : 1, 1);
        for (i = 0; i < count; i++)
            if (zmq_send (s, buf, size, 0) < 0)
                perf_fail ("zmq_send");
        free (buf);
    }

    /* ZMQ_PERF_CLOSE_DELAY_MS=N: wait before closing, so that a receiver applying back-pressure can
     * drain what is still buffered; over ipc:// libzmq 4.3.x may otherwise drop it when the
     * connection closes (see examples/remote_thr.rs). */
    perf_close_delay_from_env ();

    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}

/* Throughput over inproc:// between two threads (C reference for examples/inproc_thr.rs).
 * usage: inproc_thr <message-size> <message-count> [--zero-copy]
 * Main thread: PULL, binds, receives into one reused zmq_msg_t. Worker thread: PUSH, connects, sends
 * from one reused buffer with zmq_send (one copy), or owned buffers with --zero-copy. */
#include "perf.h"
#include <pthread.h>

static const char usage[] = "usage: inproc_thr <message-size> <message-count> [--zero-copy]";
static const char endpoint[] = "inproc://thr_test";

static size_t message_size, message_count;
static int zero_copy;

static void *sender (void *ctx)
{
    void *s = zmq_socket (ctx, ZMQ_PUSH);
    size_t i;
    if (!s)
        perf_fail ("zmq_socket");
    if (zmq_connect (s, endpoint) != 0)
        perf_fail ("zmq_connect");
    if (zero_copy) {
        for (i = 0; i < message_count; i++)
            perf_send_owned (s, message_size);
    } else {
        char *buf = calloc (message_size ? message_size : 1, 1);
        for (i = 0; i < message_count; i++)
            if (zmq_send (s, buf, message_size, 0) < 0)
                perf_fail ("zmq_send");
        free (buf);
    }
    zmq_close (s);
    return NULL;
}

int main (int argc, char *argv[])
{
    void *ctx, *s;
    zmq_msg_t msg;
    pthread_t worker;
    size_t i;
    double start, elapsed;

    if (argc == 3)
        zero_copy = perf_zero_copy_from_env ();
    else if (argc == 4 && strcmp (argv[3], "--zero-copy") == 0)
        zero_copy = 1;
    else
        perf_usage (usage);
    message_size = perf_number (argv[1], 0, usage);
    message_count = perf_number (argv[2], 1, usage);

    ctx = zmq_ctx_new ();
    if (!ctx)
        perf_fail ("zmq_ctx_new");
    s = zmq_socket (ctx, ZMQ_PULL);
    if (!s)
        perf_fail ("zmq_socket");
    if (zmq_bind (s, endpoint) != 0)
        perf_fail ("zmq_bind");
    if (pthread_create (&worker, NULL, sender, ctx) != 0) {
        fprintf (stderr, "error in pthread_create\n");
        return 1;
    }

    printf ("message size: %zu [B]\n", message_size);
    printf ("message count: %zu\n", message_count);

    zmq_msg_init (&msg);
    perf_recv_exact (s, &msg, message_size);
    start = perf_now_us ();
    for (i = 1; i < message_count; i++)
        perf_recv_exact (s, &msg, message_size);
    elapsed = perf_now_us () - start;
    zmq_msg_close (&msg);

    pthread_join (worker, NULL);
    perf_print_throughput (message_size, message_count, elapsed);

    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}

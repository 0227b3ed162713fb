/* Throughput over inproc:// between two threads (C reference for examples/inproc_thr.rs).
 * usage: inproc_thr <message-size> <message-count> [--zero-copy | --zero-copy-shared | --zero-copy-static]
 * Main thread: PULL, binds, receives into one reused zmq_msg_t. Worker thread: PUSH, connects, sends as
 * remote_thr does (zmq_send from one reused buffer, or fresh / shared buffers without copying). */
#include "perf.h"

static const char usage[] =
  "usage: inproc_thr <message-size> <message-count> [--zero-copy | --zero-copy-shared | --zero-copy-static]";
static const char endpoint[] = "inproc://thr_test";

static size_t message_size, message_count;
static enum perf_send_mode mode;

static void *sender (void *ctx)
{
    void *s = perf_socket (ctx, ZMQ_PUSH, endpoint, 0);
    perf_send_messages (s, message_size, message_count, mode);
    zmq_close (s);
    return NULL;
}

int main (int argc, char *argv[])
{
    mode = perf_send_mode_args (argc, argv, 2, usage);
    message_size = perf_number (argv[1], 0, usage);
    message_count = perf_number (argv[2], 1, usage);

    void *ctx = perf_ctx_new ();
    void *s = perf_socket (ctx, ZMQ_PULL, endpoint, 1);
    pthread_t worker = perf_spawn_peer (sender, ctx);

    perf_print_header (message_size, "message count", message_count);
    double elapsed = perf_receive_timed (s, message_size, message_count);
    pthread_join (worker, NULL);
    perf_print_throughput (message_size, message_count, elapsed);
    perf_close (s, ctx);
    return 0;
}

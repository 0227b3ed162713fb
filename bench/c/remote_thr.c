/* Throughput test, sending side (C reference for examples/remote_thr.rs).
 * usage: remote_thr <connect-to> <message-size> <message-count> [--zero-copy | --zero-copy-shared | --zero-copy-static]
 * PUSH socket, connects, sends every message from one reused buffer with zmq_send (one copy); with
 * --zero-copy / ZMQ_PERF_ZERO_COPY=1 a fresh calloc'd buffer per message handed over by
 * zmq_msg_init_data; with --zero-copy-shared / ZMQ_PERF_ZERO_COPY=shared one payload handed to libzmq
 * once and a zmq_msg_copy of that message per send; with --zero-copy-static / ZMQ_PERF_ZERO_COPY=static
 * one payload made once, every message referring to it as constant data (zmq_msg_init_data without a
 * free function). */
#include "perf.h"

static const char usage[] =
  "usage: remote_thr <connect-to> <message-size> <message-count> [--zero-copy | --zero-copy-shared | --zero-copy-static]";

int main (int argc, char *argv[])
{
    enum perf_send_mode mode = perf_send_mode_args (argc, argv, 3, usage);
    size_t size = perf_number (argv[2], 0, usage);
    size_t count = perf_number (argv[3], 1, usage);

    void *ctx = perf_ctx_new ();
    void *s = perf_socket (ctx, ZMQ_PUSH, argv[1], 0);
    perf_send_messages (s, size, count, mode);
    perf_close_delay_from_env ();
    perf_close (s, ctx);
    return 0;
}

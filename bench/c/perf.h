/* Shared helpers of the C reference perf programs (bench/c/).
 *
 * These programs are the C baseline the Rust examples (examples/{local,remote,inproc}_{thr,lat}.rs) are
 * measured against: each one makes the same libzmq calls in its hot loop as its Rust counterpart,
 * takes the same command line and prints the same report lines (those of libzmq's perf tools). */
#ifndef BENCH_PERF_H
#define BENCH_PERF_H

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static inline _Noreturn void perf_fail (const char *what)
{
    fprintf (stderr, "error in %s: %s\n", what, zmq_strerror (zmq_errno ()));
    exit (1);
}

static inline _Noreturn void perf_usage (const char *usage)
{
    fprintf (stderr, "%s\n", usage);
    exit (1);
}

/* A decimal number >= min, or the usage text and exit. */
static inline size_t perf_number (const char *arg, size_t min, const char *usage)
{
    char *end = NULL;
    unsigned long long n;
    errno = 0;
    n = strtoull (arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || n < min) {
        fprintf (stderr, "%s\ninvalid number: \"%s\"\n", usage, arg);
        exit (1);
    }
    return (size_t) n;
}

/* How a throughput sender makes its messages (see examples/perf/mod.rs, SendMode). */
enum perf_send_mode {
    PERF_COPY,              /* zmq_send from one reused buffer: one copy */
    PERF_ZERO_COPY_FRESH,   /* --zero-copy, ZMQ_PERF_ZERO_COPY=1: a fresh calloc'd buffer per message */
    PERF_ZERO_COPY_SHARED,  /* --zero-copy-shared, ZMQ_PERF_ZERO_COPY=shared: references to one message */
    PERF_ZERO_COPY_STATIC   /* --zero-copy-static, ZMQ_PERF_ZERO_COPY=static: one constant payload for all */
};

/* Checks that argc - 1 == positional (or the usage text and exit). */
static inline void perf_args (int argc, int positional, const char *usage)
{
    if (argc - 1 != positional)
        perf_usage (usage);
}

/* A sender's command line: `positional` arguments, then optionally --zero-copy, --zero-copy-shared or
 * --zero-copy-static; without a flag, ZMQ_PERF_ZERO_COPY decides (unset, empty or 0: copy; shared: shared;
 * static: static; else fresh). */
static inline enum perf_send_mode perf_send_mode_args (int argc, char *argv[], int positional, const char *usage)
{
    if (argc - 1 == positional) {
        const char *v = getenv ("ZMQ_PERF_ZERO_COPY");
        if (v == NULL || v[0] == '\0' || strcmp (v, "0") == 0)
            return PERF_COPY;
        if (strcmp (v, "shared") == 0)
            return PERF_ZERO_COPY_SHARED;
        return strcmp (v, "static") == 0 ? PERF_ZERO_COPY_STATIC : PERF_ZERO_COPY_FRESH;
    }
    if (argc - 1 == positional + 1) {
        if (strcmp (argv[argc - 1], "--zero-copy") == 0)
            return PERF_ZERO_COPY_FRESH;
        if (strcmp (argv[argc - 1], "--zero-copy-shared") == 0)
            return PERF_ZERO_COPY_SHARED;
        if (strcmp (argv[argc - 1], "--zero-copy-static") == 0)
            return PERF_ZERO_COPY_STATIC;
    }
    perf_usage (usage);
}

/* Sleeps ZMQ_PERF_CLOSE_DELAY_MS milliseconds, if set: over ipc:// libzmq 4.3.x may drop what a receiver
 * applying back-pressure has not read yet when the sender's connection closes (see examples/perf/mod.rs);
 * the delay lets it drain. The receiver measures, so the delay is not in the result. */
static inline void perf_close_delay_from_env (void)
{
    const char *v = getenv ("ZMQ_PERF_CLOSE_DELAY_MS");
    long ms = v ? strtol (v, NULL, 10) : 0;
    if (ms > 0) {
        struct timespec ts;
        ts.tv_sec = ms / 1000;
        ts.tv_nsec = (ms % 1000) * 1000000L;
        nanosleep (&ts, NULL);
    }
}

/* Monotonic clock in microseconds (the clock Rust's Instant reads on Linux). */
static inline double perf_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

/* A socket of `type` on ctx, bound to (bind != 0) or connected to endpoint. */
static inline void *perf_socket (void *ctx, int type, const char *endpoint, int bind)
{
    void *s = zmq_socket (ctx, type);
    if (!s)
        perf_fail ("zmq_socket");
    if (bind ? zmq_bind (s, endpoint) != 0 : zmq_connect (s, endpoint) != 0)
        perf_fail (bind ? "zmq_bind" : "zmq_connect");
    return s;
}

static inline void *perf_ctx_new (void)
{
    void *ctx = zmq_ctx_new ();
    if (!ctx)
        perf_fail ("zmq_ctx_new");
    return ctx;
}

/* Starts the other end of an inproc test on a thread of its own, with the context as argument. */
static inline pthread_t perf_spawn_peer (void *(*peer) (void *), void *ctx)
{
    pthread_t thread;
    if (pthread_create (&thread, NULL, peer, ctx) != 0) {
        fprintf (stderr, "error in pthread_create\n");
        exit (1);
    }
    return thread;
}

/* size bytes (at least one allocated) of a non-zero pattern, so that no zero-page shortcut of the kernel
 * applies when they are read; free() it. */
static inline char *perf_payload (size_t size)
{
    char *buf = malloc (size ? size : 1);
    size_t i;
    if (!buf) {
        fprintf (stderr, "error in malloc\n");
        exit (1);
    }
    for (i = 0; i < size; i++)
        buf[i] = (char) (unsigned char) i;
    return buf;
}

static inline void perf_free (void *data, void *hint)
{
    (void) hint;
    free (data);
}

/* Sends a zmq_msg_init_data message: ffn NULL makes libzmq treat the data as constant (never freed,
 * no reference count allocated). */
static inline void perf_send_data (void *s, void *data, size_t size, zmq_free_fn *ffn)
{
    zmq_msg_t msg;
    if (zmq_msg_init_data (&msg, data, size, ffn, NULL) != 0)
        perf_fail ("zmq_msg_init_data");
    if (zmq_msg_send (&msg, s, 0) < 0)
        perf_fail ("zmq_msg_send");
}

/* Sends count messages of size bytes in mode: PERF_COPY with zmq_send from one reused buffer;
 * PERF_ZERO_COPY_FRESH with a freshly calloc'd buffer per message, handed to libzmq (zmq_msg_init_data
 * with free); PERF_ZERO_COPY_SHARED with one payload handed to libzmq once (zmq_msg_init_data with free)
 * and a zmq_msg_copy of that message per send (what Rust's `Message::share` calls);
 * PERF_ZERO_COPY_STATIC with one payload made once, every message referring to it as constant data
 * (zmq_msg_init_data without a free function: no allocation, no reference count, libzmq's floor). */
static inline void perf_send_messages (void *s, size_t size, size_t count, enum perf_send_mode mode)
{
    size_t i;
    if (mode == PERF_ZERO_COPY_FRESH) {
        for (i = 0; i < count; i++) {
            void *data = calloc (size ? size : 1, 1);
            if (!data) {
                fprintf (stderr, "error in calloc\n");
                exit (1);
            }
            perf_send_data (s, data, size, perf_free);
        }
        return;
    }
    char *buf = perf_payload (size);
    if (mode == PERF_ZERO_COPY_SHARED) {
        /* One message owns the payload; every message sent is a reference to it (zmq_msg_copy: a reference
         * count, no allocation). libzmq frees the payload when the last reference is closed. */
        zmq_msg_t payload;
        if (zmq_msg_init_data (&payload, buf, size, perf_free, NULL) != 0)
            perf_fail ("zmq_msg_init_data");
        for (i = 0; i < count; i++) {
            zmq_msg_t msg;
            zmq_msg_init (&msg);
            if (zmq_msg_copy (&msg, &payload) != 0)
                perf_fail ("zmq_msg_copy");
            if (zmq_msg_send (&msg, s, 0) < 0)
                perf_fail ("zmq_msg_send");
        }
        zmq_msg_close (&payload);
        return;
    }
    for (i = 0; i < count; i++) {
        if (mode == PERF_ZERO_COPY_STATIC)
            perf_send_data (s, buf, size, NULL);
        else if (zmq_send (s, buf, size, 0) < 0)
            perf_fail ("zmq_send");
    }
    /* Constant messages may still be queued and read after this returns (by an I/O thread, or by the
     * receiving thread over inproc), so the shared payload is never freed: the process exits soon. */
    if (mode == PERF_COPY)
        free (buf);
}

static inline void perf_recv_exact (void *s, zmq_msg_t *msg, size_t size)
{
    if (zmq_msg_recv (msg, s, 0) < 0)
        perf_fail ("zmq_msg_recv");
    if (zmq_msg_size (msg) != size) {
        fprintf (stderr, "message of incorrect size received: %zu [B], expected %zu [B]\n",
                 zmq_msg_size (msg), size);
        exit (1);
    }
}

/* Receives count messages of size bytes into one reused zmq_msg_t; returns the microseconds from the
 * first message to the last (at least 1). */
static inline double perf_receive_timed (void *s, size_t size, size_t count)
{
    zmq_msg_t msg;
    double start, elapsed;
    size_t i;
    zmq_msg_init (&msg);
    perf_recv_exact (s, &msg, size);
    start = perf_now_us ();
    for (i = 1; i < count; i++)
        perf_recv_exact (s, &msg, size);
    elapsed = perf_now_us () - start;
    zmq_msg_close (&msg);
    return elapsed < 1.0 ? 1.0 : elapsed;
}

/* Sends every one of count requests straight back: the received zmq_msg_t itself (no copy). */
static inline void perf_echo (void *s, size_t size, size_t count)
{
    zmq_msg_t msg;
    size_t i;
    zmq_msg_init (&msg);
    for (i = 0; i < count; i++) {
        perf_recv_exact (s, &msg, size);
        if (zmq_msg_send (&msg, s, 0) < 0)
            perf_fail ("zmq_msg_send");
    }
    zmq_msg_close (&msg);
}

/* count round trips of a size byte request sent with zmq_send from one reused buffer (one copy), the
 * reply received into one reused zmq_msg_t; returns the microseconds they took. */
static inline double perf_roundtrips (void *s, size_t size, size_t count)
{
    char *request = perf_payload (size);
    zmq_msg_t reply;
    double start, elapsed;
    size_t i;
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
    return elapsed;
}

/* libzmq's first two report lines. */
static inline void perf_print_header (size_t size, const char *count_label, size_t count)
{
    printf ("message size: %zu [B]\n", size);
    printf ("%s: %zu\n", count_label, count);
}

static inline void perf_print_throughput (size_t message_size, size_t message_count, double elapsed_us)
{
    double throughput = (double) message_count / elapsed_us * 1e6;
    double megabits = throughput * (double) message_size * 8.0 / 1e6;
    printf ("mean throughput: %llu [msg/s]\n", (unsigned long long) throughput);
    printf ("mean throughput: %.3f [Mb/s]\n", megabits);
}

static inline void perf_print_latency (double elapsed_us, size_t roundtrips)
{
    printf ("average latency: %.3f [us]\n", elapsed_us / ((double) roundtrips * 2.0));
}

/* Closes the socket and terminates the context. */
static inline void perf_close (void *s, void *ctx)
{
    zmq_close (s);
    zmq_ctx_term (ctx);
}

#endif

/* Shared helpers of the C reference perf programs (bench/c/).
 *
 * These programs are the C baseline the Rust examples (examples/{local,remote,inproc}_{thr,lat}.rs) are
 * measured against: each one makes the same libzmq calls in its hot loop as its Rust counterpart,
 * takes the same command line and prints the same report lines (those of libzmq's perf tools). */
#ifndef BENCH_PERF_H
#define BENCH_PERF_H

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
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

/* Zero-copy sends are asked for by a trailing "--zero-copy" or ZMQ_PERF_ZERO_COPY=1. */
static inline int perf_zero_copy_from_env (void)
{
    const char *v = getenv ("ZMQ_PERF_ZERO_COPY");
    return v != NULL && v[0] != '\0' && strcmp (v, "0") != 0;
}

/* Sleeps ZMQ_PERF_CLOSE_DELAY_MS milliseconds, if set. */
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

static inline void perf_free (void *data, void *hint)
{
    (void) hint;
    free (data);
}

/* Sends one freshly allocated, zero-filled buffer whose ownership passes to libzmq (no copy). */
static inline void perf_send_owned (void *s, size_t size)
{
    zmq_msg_t msg;
    void *data = calloc (size ? size : 1, 1);
    if (!data) {
        fprintf (stderr, "error in calloc\n");
        exit (1);
    }
    if (zmq_msg_init_data (&msg, data, size, perf_free, NULL) != 0)
        perf_fail ("zmq_msg_init_data");
    if (zmq_msg_send (&msg, s, 0) < 0)
        perf_fail ("zmq_msg_send");
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

static inline void perf_print_throughput (size_t message_size, size_t message_count, double elapsed_us)
{
    double throughput, megabits;
    if (elapsed_us < 1.0)
        elapsed_us = 1.0;
    throughput = (double) message_count / elapsed_us * 1e6;
    megabits = throughput * (double) message_size * 8.0 / 1e6;
    printf ("mean throughput: %llu [msg/s]\n", (unsigned long long) throughput);
    printf ("mean throughput: %.3f [Mb/s]\n", megabits);
}

#endif

/* C side of tests/interop.rs: plain libzmq calls, as a C library inside a Rust program would make them. */
#include <string.h>
#include <zmq.h>

void *interop_ctx_new(void) { return zmq_ctx_new(); }

int interop_ctx_term(void *ctx) { return zmq_ctx_term(ctx); }

void *interop_pair(void *ctx, const char *endpoint, int bind) {
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    int timeout = 5000, linger = 0;
    if (!s) return NULL;
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if ((bind ? zmq_bind(s, endpoint) : zmq_connect(s, endpoint)) != 0) {
        zmq_close(s);
        return NULL;
    }
    return s;
}

int interop_send(void *s, const char *text) { return zmq_send(s, text, strlen(text), 0); }

/* Receives one frame as a NUL-terminated string; returns its length or -1. */
int interop_recv(void *s, char *buf, int cap) {
    int n = zmq_recv(s, buf, (size_t)cap - 1, 0);
    if (n >= 0) buf[n < cap - 1 ? n : cap - 1] = '\0';
    return n;
}

int interop_close(void *s) { return zmq_close(s); }

/* The address of zmq_ctx_new as the C side links it, to check there is one libzmq in the process. */
void *interop_ctx_new_address(void) { return (void *)&zmq_ctx_new; }

void interop_version(int *major, int *minor, int *patch) { zmq_version(major, minor, patch); }

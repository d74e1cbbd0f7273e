/* SPDX-License-Identifier: MIT */
/*
 * http_client.h: a tiny HTTP/1.1 client for the end-to-end tests, on raw
 * sockets, so a test sends exactly the bytes it means, malformed framing
 * included. It reads until the server closes, the first response is
 * complete or a deadline passes, then parses the first response (status,
 * headers, body) and counts how many responses the bytes hold. It knows
 * nothing of rapport and is only for tests: no TLS, no chunked replies.
 */
#ifndef RAPPORT_HTTP_CLIENT_H
#define RAPPORT_HTTP_CLIENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* What came back on one connection. */
typedef struct hc_resp {
    char *raw;        /* every byte received, NUL-terminated; owned */
    size_t raw_len;   /* bytes in raw, without the NUL */
    size_t raw_cap;   /* allocated bytes in raw */
    int status;       /* of the first response; 0 when none parsed */
    size_t head_len;  /* status line and headers with the blank line */
    const char *body; /* the first response's body, inside raw */
    size_t body_len;  /* bytes of body received (at most declared) */
    int complete;     /* the first response is whole */
    size_t trailing;  /* bytes after the first complete response */
    int nresp;        /* "HTTP/1.x NNN " status lines anywhere in raw */
    int eof;          /* the server closed the connection */
    int timed_out;    /* the deadline passed before eof */
    int send_err;     /* errno of a failed send, else 0 */
} hc_resp;

static inline double hc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Frees what r owns and zeroes it; safe on a zeroed struct. */
static inline void hc_resp_free(hc_resp *r)
{
    free(r->raw);
    memset(r, 0, sizeof *r);
}

/* Connects to 127.0.0.1:port. Returns the socket or -errno. */
static inline int hc_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* Sends all n bytes, without SIGPIPE. Returns 0 or -errno. */
static inline int hc_send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? -errno : -EIO;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Value of header name in the first response's head, or NULL; *len gets
 * its length (surrounding blanks removed). Case-insensitive name. */
static inline const char *hc_header(const hc_resp *r, const char *name,
                                    size_t *len)
{
    size_t nlen = strlen(name);
    const char *p = r->raw, *end = r->raw + r->head_len;
    if (r->head_len == 0)
        return NULL;
    /* Skip the status line. */
    p = memchr(p, '\n', (size_t)(end - p));
    while (p != NULL && ++p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        if ((size_t)(eol - p) > nlen && p[nlen] == ':' &&
            strncasecmp(p, name, nlen) == 0) {
            const char *v = p + nlen + 1, *ve = eol;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v &&
                   (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            if (len)
                *len = (size_t)(ve - v);
            return v;
        }
        p = eol;
    }
    return NULL;
}

/* Parses the first response in r->raw and counts status lines. */
static inline void hc_parse(hc_resp *r)
{
    r->status = 0;
    r->head_len = 0;
    r->body = NULL;
    r->body_len = 0;
    r->complete = 0;
    r->trailing = 0;
    r->nresp = 0;
    for (size_t i = 0; i + 13 <= r->raw_len; i++) {
        const char *p = r->raw + i;
        if (memcmp(p, "HTTP/1.", 7) == 0 && (p[7] == '0' || p[7] == '1') &&
            p[8] == ' ' && p[9] >= '0' && p[9] <= '9' && p[10] >= '0' &&
            p[10] <= '9' && p[11] >= '0' && p[11] <= '9' && p[12] == ' ')
            r->nresp++;
    }
    if (r->raw_len < 13 || memcmp(r->raw, "HTTP/1.", 7) != 0)
        return;
    const char *hend = NULL;
    for (size_t i = 0; i + 4 <= r->raw_len; i++)
        if (memcmp(r->raw + i, "\r\n\r\n", 4) == 0) {
            hend = r->raw + i + 4;
            break;
        }
    if (hend == NULL)
        return;
    r->status = atoi(r->raw + 9);
    r->head_len = (size_t)(hend - r->raw);
    r->body = hend;
    size_t avail = r->raw_len - r->head_len, want = avail, cl_len;
    const char *cl = hc_header(r, "Content-Length", &cl_len);
    int bodiless = r->status == 204 || r->status == 304 ||
                   (r->status >= 100 && r->status < 200);
    if (bodiless) {
        want = 0;
        r->complete = 1;
    } else if (cl != NULL) {
        want = (size_t)strtoull(cl, NULL, 10);
        r->complete = avail >= want;
    } else {
        r->complete = r->eof; /* delimited by the close */
    }
    r->body_len = avail < want ? avail : want;
    if (r->complete)
        r->trailing = avail - r->body_len;
}

/* Reads from fd into r until the server closes, the deadline passes or
 * (with until_close 0) the first response is complete. Once the deadline
 * has passed it still reads whatever has already arrived, so a zero
 * timeout drains the socket without waiting. */
static inline void hc_read(int fd, int timeout_ms, int until_close, hc_resp *r)
{
    double deadline = hc_now_ms() + timeout_ms;
    if (r->raw == NULL) {
        /* raw is always a string, even when nothing arrives. */
        r->raw = calloc(1, 16384);
        r->raw_cap = r->raw ? 16384 : 0;
        r->raw_len = 0;
    }
    for (;;) {
        hc_parse(r);
        if (!until_close && r->complete)
            return;
        /* Past the deadline, still take what has already arrived. */
        double left = deadline - hc_now_ms();
        struct pollfd pfd = {fd, POLLIN, 0};
        int k = poll(&pfd, 1, left > 0 ? (int)left + 1 : 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r->eof = 1;
            return;
        }
        if (k == 0) {
            if (left <= 0) {
                r->timed_out = 1;
                return;
            }
            continue;
        }
        if (r->raw_cap - r->raw_len < 4097) {
            size_t cap = r->raw_cap ? r->raw_cap * 2 : 16384;
            char *n = realloc(r->raw, cap);
            if (n == NULL) {
                r->eof = 1;
                return;
            }
            r->raw = n;
            r->raw_cap = cap;
        }
        ssize_t n = recv(fd, r->raw + r->raw_len, 4096, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* A reset counts as a close: the server dropped us. */
            r->eof = 1;
            hc_parse(r);
            return;
        }
        r->raw_len += (size_t)n;
        r->raw[r->raw_len] = '\0';
    }
}

/* Opens a connection, sends req[0..len) and reads the answer into out
 * (zeroed first). A failed send still reads: the server may have answered
 * and closed before taking every byte. Returns 0, or -errno when the
 * connection could not be made. */
static inline int hc_exchange(uint16_t port, const void *req, size_t len,
                              int timeout_ms, int until_close, hc_resp *out)
{
    memset(out, 0, sizeof *out);
    int fd = hc_connect(port);
    if (fd < 0)
        return fd;
    int rc = hc_send_all(fd, req, len);
    out->send_err = rc < 0 ? -rc : 0;
    hc_read(fd, timeout_ms, until_close, out);
    close(fd);
    return 0;
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * http: the libmicrohttpd glue of rapport-server, and the only code that
 * includes microhttpd.h. It listens with an internal epoll loop and a
 * thread pool, refuses requests whose framing is ambiguous (the request
 * smuggling cases libmicrohttpd lets through), enforces body, connection
 * and time limits, hands each request to the API layer and writes one
 * access-log line per request: method, route pattern, status and
 * microseconds, never the query string, the body or a key.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define MAX_PARAMS 32
#define TIMEOUT_S 30
#define CONN_MEMORY (64u << 10) /* request line and headers */

struct srv_http {
    srv *s;
    struct MHD_Daemon *d;
    uint16_t port;
};

/* Per request state, kept by libmicrohttpd between calls. */
typedef struct request {
    double start;       /* seconds, monotonic */
    int checked;        /* headers examined */
    int refused;        /* a response was queued before the body */
    int too_big;        /* the body outgrew the limit while reading */
    rp_buf body;
    int status;         /* for the log */
    const char *route;  /* static, for the log */
    char method[8];
} request;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static enum MHD_Result send_response(struct MHD_Connection *c, request *r,
                                     srv_response *resp, int close_after)
{
    struct MHD_Response *m = MHD_create_response_from_buffer(
        resp->body.len, resp->body.data, MHD_RESPMEM_MUST_COPY);
    if (m == NULL)
        return MHD_NO;
    MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE,
                            resp->content_type);
    MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(m, MHD_HTTP_HEADER_CACHE_CONTROL,
                            resp->cache ? resp->cache : "no-store");
    if (resp->allow)
        MHD_add_response_header(m, MHD_HTTP_HEADER_ALLOW, resp->allow);
    if (resp->cors_origin) {
        MHD_add_response_header(m, "Access-Control-Allow-Origin",
                                resp->cors_origin);
        MHD_add_response_header(m, "Vary", "Origin");
    }
    if (resp->preflight) {
        MHD_add_response_header(m, "Access-Control-Allow-Methods",
                                "GET, PUT, DELETE, OPTIONS");
        MHD_add_response_header(m, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type");
        MHD_add_response_header(m, "Access-Control-Max-Age", "600");
    }
    if (close_after)
        MHD_add_response_header(m, MHD_HTTP_HEADER_CONNECTION, "close");
    r->status = resp->status;
    r->route = resp->route;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)resp->status, m);
    MHD_destroy_response(m);
    return ok;
}

static enum MHD_Result refuse(struct MHD_Connection *c, request *r,
                              int status, const char *code, const char *msg)
{
    srv_response resp;
    srv_response_init(&resp);
    srv_error(&resp, status, code, "invalid_request", "%s", msg);
    resp.route = "refused";
    r->refused = 1;
    enum MHD_Result ok = send_response(c, r, &resp, 1);
    srv_response_fini(&resp);
    return ok;
}

/* What the request headers say about framing. */
typedef struct framing {
    int bad_value;      /* a header value with a control character */
    int ncl;            /* Content-Length headers */
    int cl_differ;      /* with different values */
    const char *cl;     /* the first one */
    int te;             /* Transfer-Encoding present */
    int te_bad;         /* ... with a coding other than chunked */
    int bad_name;       /* a header name with whitespace or nothing */
} framing;

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind,
                                 const char *key, size_t key_size,
                                 const char *value, size_t value_size)
{
    (void)kind;
    framing *f = cls;
    if (key == NULL || key_size == 0 || strlen(key) != key_size ||
        strpbrk(key, " \t\r\n") != NULL)
        f->bad_name = 1;
    /* A NUL, CR or other control byte inside a value lets two parsers
     * disagree about where a header ends: refuse it (tab is allowed). */
    for (size_t i = 0; value && i < value_size; i++) {
        unsigned char ch = (unsigned char)value[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            f->bad_value = 1;
    }
    if (key && strcasecmp(key, "Content-Length") == 0) {
        if (f->ncl++ == 0)
            f->cl = value;
        else if (value == NULL || f->cl == NULL || strcmp(value, f->cl) != 0)
            f->cl_differ = 1;
    }
    if (key && strcasecmp(key, "Transfer-Encoding") == 0) {
        f->te++;
        if (value == NULL || strcasecmp(value, "chunked") != 0)
            f->te_bad = 1;
    }
    return MHD_YES;
}

/* Refuses ambiguous framing and oversized bodies before reading them.
 * Returns 1 when a response was queued. */
static int check_headers(srv_http *h, struct MHD_Connection *c, request *r,
                         enum MHD_Result *ret)
{
    framing f;
    memset(&f, 0, sizeof f);
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, on_header, &f);
    const char *why = NULL;
    if (f.bad_name)
        why = "malformed header name";
    else if (f.bad_value)
        why = "control character in a header value";
    else if (f.ncl > 1)
        why = f.cl_differ ? "conflicting Content-Length headers"
                          : "repeated Content-Length header";
    else if (f.te && f.ncl)
        why = "both Content-Length and Transfer-Encoding";
    else if (f.te > 1 || f.te_bad)
        why = "unsupported Transfer-Encoding";
    if (why) {
        *ret = refuse(c, r, 400, "bad_request", why);
        return 1;
    }
    if (f.cl) {
        char *end;
        unsigned long long n = strtoull(f.cl, &end, 10);
        if (*f.cl < '0' || *f.cl > '9' || *end != '\0') {
            *ret = refuse(c, r, 400, "bad_request", "invalid Content-Length");
            return 1;
        }
        if (n > srv_options(h->s)->max_body) {
            *ret = refuse(c, r, 413, "too_large",
                          "request body over the size limit");
            return 1;
        }
    }
    return 0;
}

typedef struct params {
    srv_param p[MAX_PARAMS];
    size_t n;
    int overflow;
} params;

static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind,
                              const char *key, const char *value)
{
    (void)kind;
    params *ps = cls;
    if (ps->n == MAX_PARAMS) {
        ps->overflow = 1;
        return MHD_NO;
    }
    ps->p[ps->n].key = key ? key : "";
    ps->p[ps->n].value = value ? value : "";
    ps->n++;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    srv_http *h = cls;
    request *r = *con_cls;
    if (r == NULL) {
        r = calloc(1, sizeof *r);
        if (r == NULL)
            return MHD_NO;
        r->start = now_s();
        r->route = "-";
        snprintf(r->method, sizeof r->method, "%s", method);
        *con_cls = r;
        enum MHD_Result ret;
        /* Methods are upper-case tokens; anything else is refused. */
        size_t ml = strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        if (ml == 0 || method[ml] != '\0' || ml > 7)
            return refuse(c, r, 400, "bad_request", "malformed method");
        if (check_headers(h, c, r, &ret))
            return ret;
        return MHD_YES; /* called again with the body, if any */
    }
    if (r->refused) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!r->too_big &&
            r->body.len + *upload_size > srv_options(h->s)->max_body)
            r->too_big = 1;
        if (!r->too_big &&
            rp_buf_append(&r->body, upload_data, *upload_size) != 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_big)
        return refuse(c, r, 413, "too_large",
                      "request body over the size limit");
    params ps;
    memset(&ps, 0, sizeof ps);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, on_arg, &ps);
    if (ps.overflow)
        return refuse(c, r, 400, "too_many_parameters",
                      "too many query parameters");
    srv_request req = {
        method,
        url,
        ps.p,
        ps.n,
        MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                    MHD_HTTP_HEADER_AUTHORIZATION),
        MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                    MHD_HTTP_HEADER_CONTENT_TYPE),
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"),
        (const char *)r->body.data,
        r->body.len,
    };
    if (req.body == NULL)
        req.body = "";
    srv_response resp;
    srv_response_init(&resp);
    srv_handle(h->s, &req, &resp);
    enum MHD_Result ok = send_response(c, r, &resp, 0);
    srv_response_fini(&resp);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c,
                         void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    srv_http *h = cls;
    request *r = *con_cls;
    if (r == NULL)
        return;
    if (!srv_options(h->s)->quiet)
        fprintf(stderr, "%s %s %d %.0f\n", r->method, r->route, r->status,
                (now_s() - r->start) * 1e6);
    rp_buf_fini(&r->body);
    free(r);
    *con_cls = NULL;
}

int srv_http_start(srv *s, srv_http **out, rp_error *err)
{
    *out = NULL;
    const srv_opts *o = srv_options(s);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(o->port);
    if (inet_pton(AF_INET, o->host ? o->host : "127.0.0.1",
                  &addr.sin_addr) != 1)
        return rp_error_set(err, RP_EINVAL, 0,
                            "listen address '%s' is not an IPv4 address",
                            o->host);
    unsigned threads = o->threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    if (threads > SRV_MAX_THREADS)
        threads = SRV_MAX_THREADS; /* the index's reader slots allow it */
    srv_http *h = calloc(1, sizeof *h);
    if (h == NULL)
        return RP_ENOMEM;
    h->s = s;
    h->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, o->port, NULL, NULL,
        on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)SRV_CONN_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        o->per_ip_limit ? o->per_ip_limit : (unsigned)SRV_PER_IP_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONN_MEMORY, MHD_OPTION_STRICT_FOR_CLIENT, 1,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
    if (h->d == NULL) {
        free(h);
        return rp_error_set(err, RP_EIO, 0,
                            "cannot listen on %s:%u (in use, or not allowed)",
                            o->host ? o->host : "127.0.0.1",
                            (unsigned)o->port);
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : o->port;
    *out = h;
    return 0;
}

uint16_t srv_http_port(const srv_http *h)
{
    return h->port;
}

void srv_http_stop(srv_http *h)
{
    if (h == NULL)
        return;
    /* Stop accepting, then let requests in flight finish. */
    MHD_quiesce_daemon(h->d);
    MHD_stop_daemon(h->d);
    free(h);
}

/* SPDX-License-Identifier: MIT */
/*
 * server.h: what rapport-server's three files share. api.c owns the server
 * state (the index, a pool of analyzers, keys, options) and turns a request
 * into a response as plain data, so tests call it without a network.
 * http.c is the libmicrohttpd glue: it enforces HTTP-level limits and
 * sanity, fills a srv_request and sends the srv_response. main.c parses
 * flags, reads key files and handles signals. Not part of librapport.
 */
#ifndef RAPPORT_SERVER_H
#define RAPPORT_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/buf.h"
#include "rapport/error.h"

#define SRV_MAX_BODY (16u << 20) /* default request body limit */
#define SRV_MAX_CORS 16
#define SRV_MIN_ADMIN_KEY 32 /* bytes */
#define SRV_MAX_LIMIT 100    /* hits per search page */
#define SRV_MAX_THREADS 256  /* HTTP worker threads */
#define SRV_PER_IP_LIMIT 64  /* default connections from one address */
#define SRV_CONN_LIMIT 1000  /* connections in all */
#define SRV_READER_CHECK 1024 /* requests between stale reader checks */

typedef struct srv_opts {
    const char *db;          /* index directory */
    const char *host;        /* listen address, "127.0.0.1" */
    uint16_t port;           /* 0: any free port */
    unsigned threads;        /* HTTP worker threads; 0: number of cores */
    const char *admin_key;   /* enables writes; NULL: read-only server */
    size_t admin_key_len;
    const char *search_key;  /* required by search routes when set */
    size_t search_key_len;
    const char *cors[SRV_MAX_CORS]; /* allowed browser origins */
    size_t ncors;
    const char *web_dir;     /* static files for other paths; may be NULL */
    const char *crisis_path; /* crisis.json; NULL: no crisis block */
    size_t max_body;         /* 0: SRV_MAX_BODY */
    size_t map_size;         /* index map size in bytes; 0: the library's
                                default (see rp_index_opts) */
    unsigned per_ip_limit;   /* connections from one address; 0:
                                SRV_PER_IP_LIMIT. Behind a proxy every
                                client has the proxy's address. */
    int quiet;               /* no access log */
} srv_opts;

typedef struct srv srv;

/* Opens the index and prepares the API. Refuses (RP_EINVAL, err says why)
 * an admin key shorter than SRV_MIN_ADMIN_KEY. The strings in o must live
 * as long as the server. Close with srv_close. */
int srv_open(const srv_opts *o, srv **out, rp_error *err);
void srv_close(srv *s);
const srv_opts *srv_options(const srv *s);

typedef struct srv_param {
    const char *key;
    const char *value;
} srv_param;

/* A request as the API sees it. All strings borrowed for the call. */
typedef struct srv_request {
    const char *method;        /* "GET", "PUT", ... */
    const char *path;          /* decoded path, without the query string */
    const srv_param *params;   /* decoded query arguments */
    size_t nparams;
    const char *authorization; /* the header, or NULL */
    const char *content_type;  /* the header, or NULL */
    const char *origin;        /* the Origin header, or NULL */
    const char *body;
    size_t body_len;
} srv_request;

typedef struct srv_response {
    int status;
    rp_buf body;               /* owned */
    const char *content_type;  /* static */
    const char *route;         /* route pattern, for the access log */
    const char *allow;         /* Allow header (405, OPTIONS), static */
    const char *cache;         /* Cache-Control, static; NULL: no-store */
    const char *cors_origin;   /* echo in Access-Control-Allow-Origin */
    int preflight;             /* add the CORS preflight headers */
} srv_response;

void srv_response_init(srv_response *r);
void srv_response_fini(srv_response *r);

/* Answers req into resp (initialised by the caller). Never fails: errors
 * become JSON error responses. Thread-safe. */
void srv_handle(srv *s, const srv_request *req, srv_response *resp);

/* Sets resp to a JSON error: {"error":{"code","message","type"}}. */
void srv_error(srv_response *resp, int status, const char *code,
               const char *type, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* The HTTP listener. */
typedef struct srv_http srv_http;
int srv_http_start(srv *s, srv_http **out, rp_error *err);
uint16_t srv_http_port(const srv_http *h);
void srv_http_stop(srv_http *h);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * rapport-server: serves an index over HTTP. Parses flags, reads the key
 * files, starts the API and the listener, and on SIGTERM or SIGINT stops
 * accepting, lets requests in flight (and a write in progress) finish,
 * closes the index and exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/index.h"
#include "server.h"

static const char usage[] =
    "usage: rapport-server --db DIR [--listen 127.0.0.1:8080] [--threads N]\n"
    "                      [--admin-key-file F] [--search-key-file F]\n"
    "                      [--cors-origin ORIGIN]... [--web DIR]\n"
    "                      [--crisis crisis.json] [--map-size SIZE]\n"
    "                      [--per-ip-limit N] [--quiet]\n";

/* Reads the key on the first line of path (a trailing newline is not
 * part of it) into a new string. */
static char *read_key(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "rapport-server: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    if (n <= 0) {
        free(line);
        fprintf(stderr, "rapport-server: %s: no key on the first line\n",
                path);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n == 0) { /* an empty key would let an empty Bearer in */
        free(line);
        fprintf(stderr, "rapport-server: %s: the key on the first line is "
                        "empty\n",
                path);
        return NULL;
    }
    *len = (size_t)n;
    return line;
}

static int parse_listen(const char *v, srv_opts *o, char *host, size_t cap)
{
    const char *colon = strrchr(v, ':');
    if (colon == NULL || colon == v || (size_t)(colon - v) >= cap)
        return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535 || colon[1] == '\0')
        return -1;
    memcpy(host, v, (size_t)(colon - v));
    host[colon - v] = '\0';
    o->host = host;
    o->port = (uint16_t)port;
    return 0;
}

int main(int argc, char **argv)
{
    srv_opts o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.port = 8080;
    static char host[256];
    char *admin = NULL, *search = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--quiet") == 0) {
            o.quiet = 1;
            continue;
        } else if (v == NULL) {
            fprintf(stderr, "rapport-server: %s needs a value\n%s", a, usage);
            return 2;
        } else if (strcmp(a, "--db") == 0) {
            o.db = v;
        } else if (strcmp(a, "--listen") == 0) {
            if (parse_listen(v, &o, host, sizeof host) != 0) {
                fprintf(stderr, "rapport-server: --listen wants HOST:PORT, "
                                "not '%s'\n",
                        v);
                return 2;
            }
        } else if (strcmp(a, "--threads") == 0) {
            o.threads = (unsigned)atoi(v);
            if (o.threads > SRV_MAX_THREADS) {
                fprintf(stderr, "rapport-server: at most %d threads\n",
                        SRV_MAX_THREADS);
                return 2;
            }
        } else if (strcmp(a, "--per-ip-limit") == 0) {
            long n = atol(v);
            if (n < 1 || n > SRV_CONN_LIMIT) {
                fprintf(stderr, "rapport-server: --per-ip-limit wants "
                                "1..%d\n",
                        SRV_CONN_LIMIT);
                return 2;
            }
            o.per_ip_limit = (unsigned)n;
        } else if (strcmp(a, "--map-size") == 0) {
            if (rp_index_parse_size(v, &o.map_size) != 0) {
                fprintf(stderr, "rapport-server: --map-size wants a size "
                                "such as 512M or 64G, not '%s'\n",
                        v);
                return 2;
            }
        } else if (strcmp(a, "--admin-key-file") == 0) {
            if ((admin = read_key(v, &o.admin_key_len)) == NULL)
                return 1;
            o.admin_key = admin;
        } else if (strcmp(a, "--search-key-file") == 0) {
            if ((search = read_key(v, &o.search_key_len)) == NULL)
                return 1;
            o.search_key = search;
        } else if (strcmp(a, "--cors-origin") == 0) {
            if (o.ncors == SRV_MAX_CORS) {
                fprintf(stderr, "rapport-server: at most %d origins\n",
                        SRV_MAX_CORS);
                return 2;
            }
            o.cors[o.ncors++] = v;
        } else if (strcmp(a, "--web") == 0) {
            o.web_dir = v;
        } else if (strcmp(a, "--crisis") == 0) {
            o.crisis_path = v;
        } else {
            fprintf(stderr, "rapport-server: unknown option %s\n%s", a,
                    usage);
            return 2;
        }
        i++;
    }
    if (o.db == NULL) {
        fputs(usage, stderr);
        return 2;
    }
    if (o.crisis_path == NULL)
        fputs("rapport-server: no --crisis file: words that speak of a "
              "crisis will get no crisis block\n",
              stderr);
    /* Signals are taken synchronously by this thread alone. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    rp_error err;
    rp_error_clear(&err);
    srv *s = NULL;
    srv_http *h = NULL;
    int rc = srv_open(&o, &s, &err);
    if (rc == 0)
        rc = srv_http_start(s, &h, &err);
    if (rc != 0) {
        fprintf(stderr, "rapport-server: %s\n",
                err.code ? err.msg : rp_strerror(rc));
        srv_close(s);
        free(admin);
        free(search);
        return 1;
    }
    fprintf(stderr, "rapport-server: listening on http://%s:%u/ (%s)\n",
            o.host, (unsigned)srv_http_port(h),
            o.admin_key ? "writes enabled" : "read-only");
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "rapport-server: %s, stopping\n",
            sig == SIGINT ? "interrupted" : "terminated");
    srv_http_stop(h);
    srv_close(s);
    free(admin);
    free(search);
    return 0;
}

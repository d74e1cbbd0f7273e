/* SPDX-License-Identifier: MIT */
/*
 * fuzz_http: the API layer of rapport-server (server/api.c) on arbitrary
 * requests. The input is split at newlines into: method, path, then
 * key=value query parameters, then "A:" (authorization), "C:" (content
 * type) and "B:" (body) lines. Over a small index, every answer must be a
 * status below 500 with a strictly valid JSON body (or a static file).
 * Writes are off (no admin key), so runs do not grow the index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../server/server.h"
#include "fuzz.h"
#include "rapport/feed.h"
#include "rapport/index.h"
#include "rapport/ingest.h"
#include "rapport/jsoncheck.h"

const char *const fuzz_shared_seeds[] = {NULL};

/* The fuzzer's one piece of state: a server over a three-document index,
 * made on the first input. */
static struct {
    srv *s;
    char dir[64];
} g;

/* Removes the index when the run ends (its two LMDB files and the dir). */
static void teardown(void)
{
    char path[96];
    srv_close(g.s);
    snprintf(path, sizeof path, "%s/data.mdb", g.dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/lock.mdb", g.dir);
    unlink(path);
    rmdir(g.dir);
}

static void setup(void)
{
    snprintf(g.dir, sizeof g.dir, "/tmp/rapport-fuzz-http-XXXXXX");
    if (mkdtemp(g.dir) == NULL)
        abort();
    rp_index *ix;
    rp_batch *b;
    static const char docs[] =
        "{\"id\":\"a1\",\"title\":\"Grief and loss\",\"body\":\"Grief "
        "comes in waves.\"}\n"
        "{\"id\":\"q1\",\"type\":\"question\",\"title\":\"Cannot sleep\","
        "\"body\":\"Panic at night.\"}\n"
        "{\"id\":\"s1\",\"type\":\"specialist\",\"name\":\"Ana\",\"bio\":"
        "\"Trauma and grief.\",\"concerns\":[\"grief\"]}\n";
    uint64_t n = 0;
    if (rp_index_open(g.dir, NULL, &ix, NULL) != 0 ||
        rp_batch_new(ix, NULL, &b) != 0 ||
        rp_feed_memory(b, docs, sizeof docs - 1, 1, "seed", &n, NULL) != 0 ||
        rp_batch_commit(b, NULL, NULL) != 0)
        abort();
    rp_batch_free(b);
    rp_index_close(ix);
    srv_opts o;
    memset(&o, 0, sizeof o);
    o.db = g.dir;
    o.quiet = 1;
    o.cors[0] = "https://site.example";
    o.ncors = 1;
    if (srv_open(&o, &g.s, NULL) != 0)
        abort();
    atexit(teardown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (g.s == NULL)
        setup();
    char *buf = malloc(size + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *lines[64];
    size_t nl = 0;
    for (char *p = buf; nl < 64;) {
        lines[nl++] = p;
        char *e = strchr(p, '\n');
        if (e == NULL)
            break;
        *e = '\0';
        p = e + 1;
    }
    srv_param params[32];
    size_t np = 0;
    srv_request req;
    memset(&req, 0, sizeof req);
    req.method = nl > 0 ? lines[0] : "GET";
    req.path = nl > 1 ? lines[1] : "/";
    req.body = "";
    for (size_t i = 2; i < nl; i++) {
        char *l = lines[i];
        if (strncmp(l, "A:", 2) == 0) {
            req.authorization = l + 2;
        } else if (strncmp(l, "C:", 2) == 0) {
            req.content_type = l + 2;
        } else if (strncmp(l, "O:", 2) == 0) {
            req.origin = l + 2;
        } else if (strncmp(l, "B:", 2) == 0) {
            req.body = l + 2;
            req.body_len = strlen(l + 2);
        } else if (np < 32) {
            char *eq = strchr(l, '=');
            if (eq)
                *eq = '\0';
            params[np].key = l;
            params[np].value = eq ? eq + 1 : "";
            np++;
        }
    }
    req.params = params;
    req.nparams = np;
    srv_response resp;
    srv_response_init(&resp);
    srv_handle(g.s, &req, &resp);
    if (resp.status < 100 || resp.status >= 500)
        abort();
    if (strcmp(resp.content_type, "application/json") == 0 &&
        resp.body.len > 0 &&
        rp_json_check((const char *)resp.body.data, resp.body.len,
                      RP_JSON_MAX_DEPTH, NULL) != 0)
        abort();
    srv_response_fini(&resp);
    free(buf);
    return 0;
}

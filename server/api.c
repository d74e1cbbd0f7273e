/* SPDX-License-Identifier: MIT */
/*
 * api: the v1 routes of rapport-server as plain functions from a request
 * to a status and a JSON body. Owns the server state: the index, a pool of
 * analyzers (one per concurrent request), the keys and a lock that puts
 * writes one after another. Every request reads in its own LMDB read
 * transaction, so an update is visible to the next request. It never logs
 * query strings or keys.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rapport/analyze.h"
#include "rapport/doc.h"
#include "rapport/docset.h"
#include "rapport/feed.h"
#include "rapport/index.h"
#include "rapport/ingest.h"
#include "rapport/json.h"
#include "rapport/correct.h"
#include "rapport/crisis.h"
#include "rapport/filter.h"
#include "rapport/match.h"
#include "rapport/query.h"
#include "rapport/search.h"
#include "rapport/snippet.h"
#include "rapport/tokenize.h"
#include "rapport/utf8.h"
#include "server.h"

#define POOL_MAX 64
#define SUGGEST_MAX 20
#define WEB_FILE_MAX (8u << 20)
#define ACK_BYTES 80 /* more than the longest answer to a write */

struct srv {
    srv_opts o;
    rp_index *ix;
    pthread_mutex_t pool_mu;
    rp_analyzer *pool[POOL_MAX]; /* idle analyzers */
    size_t npool;
    pthread_mutex_t write_mu;    /* one write batch at a time */
    time_t started;
    rp_vocab *vocab;             /* synonyms, from the index; may be NULL */
    rp_analyzer *vocab_an;       /* the analyzer the vocab was built with */
    rp_crisis *crisis;           /* may be NULL */
    atomic_uint requests;        /* answered, for the reader check */
};

/* ---- responses ---------------------------------------------------------- */

void srv_response_init(srv_response *r)
{
    memset(r, 0, sizeof *r);
    r->status = 200;
    r->content_type = "application/json";
    r->route = "-";
}

void srv_response_fini(srv_response *r)
{
    if (r == NULL)
        return;
    rp_buf_fini(&r->body);
    srv_response_init(r);
}

void srv_error(srv_response *resp, int status, const char *code,
               const char *type, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Messages may quote input: keep the JSON valid whatever it holds. */
    size_t bad, n = strlen(msg);
    while (rp_utf8_validate(msg, n, &bad) != 0)
        n = bad;
    resp->status = status;
    resp->content_type = "application/json";
    resp->body.len = 0;
    int rc = rp_buf_printf(&resp->body, "{\"error\":{\"code\":\"%s\","
                           "\"message\":",
                           code);
    if (rc == 0)
        rc = rp_json_put_string(&resp->body, msg, n);
    if (rc == 0)
        rc = rp_buf_printf(&resp->body, ",\"type\":\"%s\"}}", type);
    if (rc != 0)
        resp->body.len = 0; /* out of memory: the status alone, no half */
}

/* The answer to a malformed document id. */
static void bad_id(srv_response *resp)
{
    srv_error(resp, 400, "invalid_id", "invalid_request",
              "ids are 1..%d printable ASCII bytes without spaces or '/'",
              RP_ID_MAX_BYTES);
}

/* An error code from the library, as the API reports it. */
static void lib_error(srv_response *resp, int rc, const rp_error *err)
{
    const char *msg = err && err->code ? err->msg : rp_strerror(rc);
    switch (rc) {
    case RP_EJSON:
        srv_error(resp, 400, "invalid_json", "invalid_request", "%s", msg);
        break;
    case RP_EUTF8:
        srv_error(resp, 400, "invalid_utf8", "invalid_request", "%s", msg);
        break;
    case RP_EDOC:
        srv_error(resp, 400, "invalid_document", "invalid_request", "%s",
                  msg);
        break;
    case RP_EQUERY:
        srv_error(resp, 400, "invalid_query", "invalid_request", "%s", msg);
        break;
    case RP_ELIMIT:
        srv_error(resp, 400, "limit_exceeded", "invalid_request", "%s", msg);
        break;
    case RP_ETOOBIG:
        srv_error(resp, 413, "too_large", "invalid_request", "%s", msg);
        break;
    case RP_EFULL:
        srv_error(resp, 507, "index_full", "system",
                  "the index is full; nothing was changed");
        break;
    case RP_EBUSY:
        srv_error(resp, 503, "busy", "system", "try again shortly");
        break;
    default:
        /* Internal failures: the code's name only, no details. */
        srv_error(resp, 500, "internal", "internal", "%s", rp_errname(rc));
        break;
    }
}

/* ---- state -------------------------------------------------------------- */

/* Loads the crisis configuration, analysed in the index's language. */
static int load_crisis(srv *s, const char *path, rp_error *err)
{
    rp_buf text = RP_BUF_INIT;
    int rc = rp_buf_read_file(&text, path);
    if (rc != 0) {
        rp_buf_fini(&text);
        return rp_error_set(err, rc, 0, "%s: %s", path, rp_strerror(rc));
    }
    rp_error cerr;
    rp_error_clear(&cerr);
    rc = rp_crisis_load(s->vocab_an, (const char *)text.data, text.len,
                        &s->crisis, &cerr);
    rp_buf_fini(&text);
    if (rc != 0)
        rp_error_set(err, rc, 0, "%s: %s", path,
                     cerr.code ? cerr.msg : rp_strerror(rc));
    return rc;
}

int srv_open(const srv_opts *o, srv **out, rp_error *err)
{
    *out = NULL;
    if (o->admin_key && o->admin_key_len < SRV_MIN_ADMIN_KEY)
        return rp_error_set(err, RP_EINVAL, 0,
                            "the admin key is %zu bytes; at least %d are "
                            "needed to enable writes",
                            o->admin_key_len, SRV_MIN_ADMIN_KEY);
    srv *s = calloc(1, sizeof *s);
    if (s == NULL)
        return RP_ENOMEM;
    s->o = *o;
    if (s->o.max_body == 0)
        s->o.max_body = SRV_MAX_BODY;
    s->started = time(NULL);
    /* Each request holds at most two read transactions at once (stats
     * reads the sizes in a second one) and the HTTP pool runs at most
     * SRV_MAX_THREADS requests at a time: the default slots cover that
     * with room for other processes (rapport-index, backups). */
    _Static_assert(RP_INDEX_READERS >= 2 * SRV_MAX_THREADS + 64,
                   "reader slots for every HTTP thread and then some");
    rp_index_opts io = {NULL, o->map_size, 0, 0};
    int rc = rp_index_open(o->db, &io, &s->ix, err);
    if (rc != 0) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->pool_mu, NULL);
    pthread_mutex_init(&s->write_mu, NULL);
    rp_txn *txn = NULL;
    rc = rp_analyzer_new(rp_index_lang(s->ix), &s->vocab_an);
    if (rc == 0)
        rc = rp_txn_begin(s->ix, 0, &txn);
    if (rc == 0)
        rc = rp_json_index_vocab(txn, s->vocab_an, &s->vocab);
    rp_txn_abort(txn);
    if (rc != 0) {
        rp_error_set(err, rc, 0, "%s: the stored vocabulary: %s", o->db,
                     rp_strerror(rc));
        srv_close(s);
        return rc;
    }
    if (o->crisis_path && (rc = load_crisis(s, o->crisis_path, err)) != 0) {
        srv_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void srv_close(srv *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->npool; i++)
        rp_analyzer_free(s->pool[i]);
    rp_vocab_free(s->vocab);
    rp_crisis_free(s->crisis);
    rp_analyzer_free(s->vocab_an);
    rp_index_close(s->ix);
    pthread_mutex_destroy(&s->pool_mu);
    pthread_mutex_destroy(&s->write_mu);
    free(s);
}

const srv_opts *srv_options(const srv *s)
{
    return &s->o;
}

/* Analyzers are costly to create (a stemmer and its cache): reuse. */
static int take_analyzer(srv *s, rp_analyzer **out)
{
    pthread_mutex_lock(&s->pool_mu);
    *out = s->npool ? s->pool[--s->npool] : NULL;
    pthread_mutex_unlock(&s->pool_mu);
    return *out ? 0 : rp_analyzer_new(rp_index_lang(s->ix), out);
}

static void give_analyzer(srv *s, rp_analyzer *a)
{
    pthread_mutex_lock(&s->pool_mu);
    if (s->npool < POOL_MAX) {
        s->pool[s->npool++] = a;
        a = NULL;
    }
    pthread_mutex_unlock(&s->pool_mu);
    rp_analyzer_free(a);
}

/* ---- helpers ------------------------------------------------------------ */

static const char *param(const srv_request *req, const char *key)
{
    for (size_t i = 0; i < req->nparams; i++)
        if (strcmp(req->params[i].key, key) == 0)
            return req->params[i].value ? req->params[i].value : "";
    return NULL;
}

/* Parses a decimal count in [lo, hi]; returns 0 or -1. */
static int count_param(const char *v, long lo, long hi, long *out)
{
    char *end;
    if (v == NULL || *v < '0' || *v > '9')
        return -1;
    long x = strtol(v, &end, 10);
    if (*end != '\0' || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

/* Compares a presented key with the configured one in time that does not
 * depend on where they differ. */
static int key_equal(const char *given, size_t glen, const char *key,
                     size_t klen)
{
    unsigned char diff = (unsigned char)(glen != klen);
    for (size_t i = 0; i < klen; i++)
        diff |= (unsigned char)((i < glen ? given[i] : 0) ^ key[i]);
    return diff == 0;
}

/* The bearer token of req, or NULL when it has none. */
static const char *bearer(const srv_request *req)
{
    const char *h = req->authorization;
    return h && strncmp(h, "Bearer ", 7) == 0 ? h + 7 : NULL;
}

/* 0 when req carries key as a bearer token; else sets 401 or 403. */
static int check_key(const srv_request *req, const char *key, size_t klen,
                     srv_response *resp)
{
    const char *token = bearer(req);
    if (token == NULL) {
        srv_error(resp, 401, "unauthorized", "auth",
                  "send Authorization: Bearer <key>");
        return -1;
    }
    if (!key_equal(token, strlen(token), key, klen)) {
        srv_error(resp, 403, "forbidden", "auth", "wrong key");
        return -1;
    }
    return 0;
}

static int search_allowed(srv *s, const srv_request *req, srv_response *resp)
{
    if (s->o.search_key == NULL)
        return 0; /* a public site search */
    /* The admin key may search too. */
    const char *token = bearer(req);
    if (s->o.admin_key && token &&
        key_equal(token, strlen(token), s->o.admin_key, s->o.admin_key_len))
        return 0;
    return check_key(req, s->o.search_key, s->o.search_key_len, resp);
}

static int write_allowed(srv *s, const srv_request *req, srv_response *resp)
{
    if (s->o.admin_key == NULL) {
        srv_error(resp, 403, "writes_disabled", "auth",
                  "this server was started without --admin-key-file");
        return -1;
    }
    return check_key(req, s->o.admin_key, s->o.admin_key_len, resp);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The value of the first source field of d feeding field f, or NULL. */
static const rp_docfield *first_field(const rp_doc *d, int f)
{
    for (size_t i = 0; i < d->nfields; i++) {
        const rp_srcfield *src = rp_doc_srcfield(&d->fields[i]);
        if (src && src->field == f)
            return &d->fields[i];
    }
    return NULL;
}

/* ---- routes ------------------------------------------------------------- */

static void route_health(srv_response *resp)
{
    resp->route = "/healthz";
    if (rp_buf_puts(&resp->body, "{\"status\":\"ok\"}") != 0)
        lib_error(resp, RP_ENOMEM, NULL);
}

static void route_stats(srv *s, srv_response *resp)
{
    resp->route = "/v1/stats";
    rp_txn *txn;
    rp_stats st;
    rp_index_space sp;
    int rc = rp_txn_begin(s->ix, 0, &txn);
    if (rc == 0) {
        rc = rp_txn_stats(txn, &st);
        rp_txn_abort(txn);
    }
    if (rc == 0)
        rc = rp_index_space_get(s->ix, &sp);
    if (rc == 0)
        rc = rp_buf_printf(
            &resp->body,
            "{\"documents\":%llu,\"by_type\":{\"article\":%llu,"
            "\"question\":%llu,\"specialist\":%llu},\"terms\":%llu,"
            "\"index_bytes\":%llu,\"language\":\"%s\",\"uptime_s\":%lld}",
            (unsigned long long)st.ndocs,
            (unsigned long long)st.ntype[RP_DOC_ARTICLE],
            (unsigned long long)st.ntype[RP_DOC_QUESTION],
            (unsigned long long)st.ntype[RP_DOC_SPECIALIST],
            (unsigned long long)sp.nterms,
            (unsigned long long)rp_index_disk_bytes(s->ix),
            rp_index_lang(s->ix), (long long)(time(NULL) - s->started));
    if (rc != 0)
        lib_error(resp, rc, NULL);
}

/* ---- filters and facets ------------------------------------------------- */

/* Builds the allowed set from the facet parameters: within one parameter
 * a comma means "any of", across parameters all must hold. *allow stays
 * NULL when no facet parameter is given. Returns 0, or -1 with resp set. */
/* Every type named in the type parameter (commas: any of) must exist.
 * Returns 0, or -1 with a 400 in resp. */
static int check_types(const srv_request *req, srv_response *resp)
{
    const char *v = param(req, "type");
    for (const char *p = v; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (rp_schema_doctype(p, len) == RP_DOC_NONE) {
            srv_error(resp, 400, "invalid_type", "invalid_request",
                      "type must be article, question or specialist");
            return -1;
        }
        p += len + (comma != NULL);
    }
    return 0;
}

/* The filters of the request's parameters as a set of allowed documents
 * (NULL: no filter). A single type is left to the search itself unless
 * single_type is set. Returns 0, or -1 with the error in resp. */
static int build_filter(rp_txn *txn, const srv_request *req, int single_type,
                        rp_docset **allow, srv_response *resp)
{
    *allow = NULL;
    for (int f = 0; f < RP_NFACETS; f++) {
        const char *v = param(req, rp_schema_facet_name(f));
        if (v == NULL || (f == RP_FACET_TYPE && !single_type &&
                          strchr(v, ',') == NULL))
            continue; /* a single type is the search's own filter */
        rp_error err;
        rp_error_clear(&err);
        int rc = rp_filter_add(txn, allow, f, v, strlen(v), &err);
        if (rc == RP_EINVAL) {
            srv_error(resp, 400, "invalid_filter", "invalid_request", "%s",
                      err.msg);
        } else if (rc != 0) {
            lib_error(resp, rc, NULL);
        }
        if (rc != 0) {
            rp_docset_free(*allow);
            *allow = NULL;
            return -1;
        }
    }
    return 0;
}

/* Parses fee_min and fee_max into a budget: [fee_min, fee_max], either
 * side open. Returns 0 (budget->known set when given), or -1 with resp. */
static int build_budget(const srv_request *req, rp_fees *budget,
                        srv_response *resp)
{
    const char *lo = param(req, "fee_min"), *hi = param(req, "fee_max");
    budget->known = lo != NULL || hi != NULL;
    budget->min = 0;
    budget->max = 1e300;
    const char *vs[2] = {lo, hi};
    double *out[2] = {&budget->min, &budget->max};
    for (int i = 0; i < 2; i++) {
        if (vs[i] == NULL)
            continue;
        char *end;
        double x = strtod(vs[i], &end);
        if (*vs[i] == '\0' || *end != '\0' || !(x >= 0 && x < 1e12)) {
            srv_error(resp, 400, "invalid_fee", "invalid_request",
                      "fee_min and fee_max are amounts of 0 or more");
            return -1;
        }
        *out[i] = x;
    }
    if (budget->min > budget->max) {
        srv_error(resp, 400, "invalid_fee", "invalid_request",
                  "fee_min is above fee_max");
        return -1;
    }
    return 0;
}

typedef struct facet_out {
    rp_buf *out;
    const rp_docset *matched;
    int first;
    int rc;
} facet_out;

static int on_facet_value(void *ctx, const char *v, size_t len,
                          const rp_docset *set)
{
    facet_out *fo = ctx;
    uint64_t n = rp_docset_and_count(fo->matched, set);
    if (n == 0)
        return 0;
    int rc = rp_buf_puts(fo->out, fo->first ? "" : ",");
    if (rc == 0)
        rc = rp_json_put_string(fo->out, v, len);
    if (rc == 0)
        rc = rp_buf_printf(fo->out, ":%llu", (unsigned long long)n);
    fo->first = 0;
    return fo->rc = rc;
}

/* Appends ,"facets":{"concerns":{"anxiety":12,...},...} for the facets
 * named in the facets parameter (comma-separated). */
static int put_facets(rp_txn *txn, const char *names, const rp_docset *m,
                      rp_buf *out, srv_response *resp)
{
    int rc = rp_buf_puts(out, ",\"facets\":{");
    int first = 1;
    for (const char *p = names; rc == 0 && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int f = rp_schema_facet(p, len);
        if (f < 0) {
            srv_error(resp, 400, "invalid_facet", "invalid_request",
                      "unknown facet (use concerns, approaches, languages, "
                      "city, country, online, in_person, free_consultation, "
                      "accepting_clients, type)");
            return -1;
        }
        rc = rp_buf_printf(out, "%s\"%s\":{", first ? "" : ",",
                           rp_schema_facet_name(f));
        facet_out fo = {out, m, 1, 0};
        if (rc == 0)
            rc = rp_txn_facet_scan(txn, f, on_facet_value, &fo);
        if (rc == 0)
            rc = rp_buf_puts(out, "}");
        first = 0;
        p += len + (comma != NULL);
    }
    if (rc == 0)
        rc = rp_buf_puts(out, "}");
    if (rc != 0) {
        lib_error(resp, rc, NULL);
        return -1;
    }
    return 0;
}

/* Appends one hit: id, type, score, title or name, snippet, fields. */
static int put_hit(rp_buf *out, rp_analyzer *an, const rp_termset *terms,
                   const rp_doc *d, double score, int highlight)
{
    int rc = rp_buf_puts(out, "{\"id\":");
    if (rc == 0)
        rc = rp_json_put_string(out, rp_doc_id(d), d->id_len);
    if (rc == 0)
        rc = rp_buf_printf(out, ",\"type\":\"%s\",\"score\":%.6g",
                           rp_schema_doctype_name(d->type), score);
    const rp_docfield *title = first_field(d, RP_F_TITLE);
    if (rc == 0 && title) {
        const char *name = d->type == RP_DOC_SPECIALIST ? "name" : "title";
        rc = rp_buf_printf(out, ",\"%s\":", name);
        if (rc == 0)
            rc = rp_json_put_string(out, rp_doc_value(d, title), title->len);
    }
    const rp_docfield *text = first_field(d, RP_F_BODY);
    if (text == NULL)
        text = first_field(d, RP_F_SUMMARY);
    if (rc == 0 && text) {
        rp_buf snip = RP_BUF_INIT;
        rp_snippet_opts so = {0, highlight ? NULL : "", highlight ? NULL : ""};
        rc = rp_snippet(an, terms, rp_doc_value(d, text), text->len, &so,
                        &snip);
        if (rc == 0)
            rc = rp_buf_puts(out, ",\"snippet\":");
        if (rc == 0)
            rc = rp_json_put_string(out, (const char *)snip.data, snip.len);
        rp_buf_fini(&snip);
    }
    if (rc == 0)
        rc = rp_buf_puts(out, ",\"fields\":");
    if (rc == 0)
        rc = rp_json_encode_doc(d, out);
    if (rc == 0)
        rc = rp_buf_puts(out, "}");
    return rc;
}

/* Opens a result object: the crisis block first when the visitor's
 * words speak of a crisis (the results follow as usual), then the
 * query. Text the detector cannot read gets the block. */
static int open_results(srv *s, rp_analyzer *an, const char *q,
                        rp_buf *out)
{
    int rc = rp_buf_puts(out, "{");
    int hit = 0;
    if (rc == 0 && s->crisis) {
        rc = rp_crisis_detect(s->crisis, an, q, strlen(q), &hit);
        if (rc == RP_EUTF8)
            rc = 0;
    }
    if (rc == 0 && hit) {
        size_t len;
        const char *block = rp_crisis_block(s->crisis, &len);
        rc = rp_buf_puts(out, "\"crisis\":");
        if (rc == 0)
            rc = rp_buf_append(out, block, len);
        if (rc == 0)
            rc = rp_buf_puts(out, ",");
    }
    if (rc == 0)
        rc = rp_buf_puts(out, "\"query\":");
    if (rc == 0)
        rc = rp_json_put_string(out, q, strlen(q));
    return rc;
}

/* A refused search (400: a syntax error, a bad filter ...) whose words
 * speak of a crisis still carries the crisis block, before the error. */
static void crisis_on_error(srv *s, const srv_request *req,
                            srv_response *resp)
{
    const char *q = param(req, "q");
    rp_analyzer *an = NULL;
    int hit = 0;
    if (resp->status != 400 || s->crisis == NULL || q == NULL ||
        resp->body.len == 0 || resp->body.data[0] != '{' ||
        take_analyzer(s, &an) != 0)
        return;
    if (rp_crisis_detect(s->crisis, an, q, strlen(q), &hit) == RP_EUTF8)
        hit = 1;
    give_analyzer(s, an);
    if (!hit)
        return;
    size_t blen;
    const char *block = rp_crisis_block(s->crisis, &blen);
    rp_buf out = RP_BUF_INIT;
    int rc = rp_buf_puts(&out, "{\"crisis\":");
    if (rc == 0)
        rc = rp_buf_append(&out, block, blen);
    if (rc == 0)
        rc = rp_buf_puts(&out, ",");
    if (rc == 0)
        rc = rp_buf_append(&out, resp->body.data + 1, resp->body.len - 1);
    if (rc == 0) {
        rp_buf_fini(&resp->body);
        resp->body = out;
    } else {
        rp_buf_fini(&out);
    }
}

/* typo=true|false (default true): typo tolerance. -1 with resp set on a
 * bad value. */
static int typo_param(const srv_request *req, srv_response *resp, int *on)
{
    const char *v = param(req, "typo");
    *on = 1;
    if (v == NULL || strcmp(v, "true") == 0)
        return 0;
    if (strcmp(v, "false") == 0) {
        *on = 0;
        return 0;
    }
    srv_error(resp, 400, "invalid_typo", "invalid_request",
              "typo must be true or false");
    return -1;
}

/* ,"corrected":{...}[,"did_you_mean":"..."] when cr holds corrections. */
static int put_corrected(rp_buf *out, const char *q, const rp_corrected *cr)
{
    if (cr->n == 0)
        return 0;
    int rc = rp_buf_puts(out, ",");
    return rc ? rc : rp_json_put_corrected(out, q, cr);
}

static void route_search(srv *s, const srv_request *req, srv_response *resp)
{
    resp->route = "/v1/search";
    if (search_allowed(s, req, resp) != 0)
        return;
    double t0 = now_ms();
    const char *q = param(req, "q"), *type = param(req, "type");
    const char *hl = param(req, "highlight");
    long limit = 10, offset = 0;
    if (q == NULL) {
        srv_error(resp, 400, "missing_query", "invalid_request",
                  "the q parameter is required");
        return;
    }
    rp_search_opts so;
    rp_search_opts_init(&so);
    if (type && *type && check_types(req, resp) != 0)
        return;
    if (typo_param(req, resp, &so.typo) != 0)
        return;
    if (type && *type && strchr(type, ',') == NULL)
        so.type = rp_schema_doctype(type, strlen(type));
    if (param(req, "limit") &&
        count_param(param(req, "limit"), 1, SRV_MAX_LIMIT, &limit) != 0) {
        srv_error(resp, 400, "invalid_limit", "invalid_request",
                  "limit must be 1..%d", SRV_MAX_LIMIT);
        return;
    }
    if (param(req, "offset") &&
        count_param(param(req, "offset"), 0, RP_SEARCH_MAX_K - SRV_MAX_LIMIT,
                    &offset) != 0) {
        srv_error(resp, 400, "invalid_offset", "invalid_request",
                  "offset must be 0..%d", RP_SEARCH_MAX_K - SRV_MAX_LIMIT);
        return;
    }
    so.limit = (size_t)limit;
    so.offset = (size_t)offset;
    so.vocab = s->vocab;
    rp_error err;
    rp_error_clear(&err);
    rp_query *query = NULL;
    int rc = rp_query_parse(q, strlen(q), &query, &err);
    if (rc != 0) {
        lib_error(resp, rc, &err);
        return;
    }
    rp_analyzer *an = NULL;
    rp_txn *txn = NULL;
    rp_results r;
    memset(&r, 0, sizeof r);
    rp_termset terms;
    rp_termset_init(&terms);
    rp_doc d;
    rp_doc_init(&d);
    rp_docset *allow = NULL, *matched = NULL;
    rp_fees budget = {0};
    rp_corrected cr;
    memset(&cr, 0, sizeof cr);
    const char *facets = param(req, "facets");
    rc = take_analyzer(s, &an);
    if (rc == 0)
        rc = rp_txn_begin(s->ix, 0, &txn);
    if (rc == 0 && (build_filter(txn, req, 0, &allow, resp) != 0 ||
                    build_budget(req, &budget, resp) != 0))
        goto done; /* resp holds the error */
    so.allow = allow;
    so.budget = budget.known ? &budget : NULL;
    if (rc == 0 && facets && (rc = rp_docset_new(&matched)) == 0)
        so.matched = matched;
    if (rc == 0)
        rc = rp_search(txn, an, query, &so, &r);
    if (rc == RP_ELIMIT)
        rp_error_set(&err, rc, 0, "a prefix* matches more than %d terms: "
                                  "type more letters",
                     RP_PREFIX_MAX_TERMS);
    if (rc == 0)
        rc = rp_termset_add_query(&terms, an, query);
    if (rc == 0 && r.ncorrections > 0)
        rc = rp_correct(txn, an, rp_query_text(query),
                        strlen(rp_query_text(query)), 1, r.corrections,
                        r.ncorrections, &so, &cr);
    if (rc == 0 && cr.n > 0) /* highlight what the words were read as */
        for (size_t i = 0; rc == 0 && i < cr.n; i++)
            rc = rp_termset_add_text(
                &terms, an, (const char *)cr.words.data + cr.fix[i].word_off,
                cr.fix[i].word_len);
    rp_buf *out = &resp->body;
    if (rc == 0)
        rc = open_results(s, an, q, out);
    if (rc == 0)
        rc = put_corrected(out, rp_query_text(query), &cr);
    if (rc == 0)
        rc = rp_buf_printf(out, ",\"total\":%llu,\"hits\":[",
                           (unsigned long long)r.total);
    for (size_t i = 0; rc == 0 && i < r.nhits; i++) {
        const void *rec;
        size_t len;
        rc = rp_txn_doc_get(txn, r.hits[i].doc, &rec, &len);
        if (rc == 0)
            rc = rp_doc_decode(rec, len, &d);
        if (rc == 0 && i > 0)
            rc = rp_buf_puts(out, ",");
        if (rc == 0)
            rc = put_hit(out, an, &terms, &d, r.hits[i].score,
                         hl && strcmp(hl, "1") == 0);
    }
    if (rc == 0)
        rc = rp_buf_puts(out, "]");
    if (rc == 0 && facets && put_facets(txn, facets, matched, out, resp) != 0)
        goto done;
    if (rc == 0)
        rc = rp_buf_printf(out, ",\"took_ms\":%.3f}", now_ms() - t0);
    if (rc != 0)
        lib_error(resp, rc, &err);
done:
    rp_corrected_fini(&cr);
    rp_docset_free(allow);
    rp_docset_free(matched);
    rp_doc_fini(&d);
    rp_termset_fini(&terms);
    rp_results_fini(&r);
    rp_txn_abort(txn);
    if (an)
        give_analyzer(s, an);
    rp_query_free(query);
}

/* Words of a title that complete the prefix being typed: normalised
 * (folded, accents stripped), distinct, in title order. */
typedef struct completions {
    char prefix[RP_TERM_MAX_BYTES];
    size_t plen;                 /* 0: nothing to complete */
    char words[SUGGEST_MAX][RP_TERM_MAX_BYTES];
    size_t lens[SUGGEST_MAX];
    size_t n;
} completions;

static int last_token(void *ctx, const rp_token *tok)
{
    completions *c = ctx;
    memcpy(c->prefix, tok->term, tok->term_len);
    c->plen = tok->term_len;
    return 0;
}

static int complete_word(void *ctx, const rp_token *tok)
{
    completions *c = ctx;
    if (c->n == SUGGEST_MAX || (tok->flags & RP_TOK_PART) ||
        tok->term_len < c->plen || memcmp(tok->term, c->prefix, c->plen))
        return 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->lens[i] == tok->term_len &&
            memcmp(c->words[i], tok->term, tok->term_len) == 0)
            return 0;
    memcpy(c->words[c->n], tok->term, tok->term_len);
    c->lens[c->n++] = tok->term_len;
    return 0;
}

/* Specialists for a visitor's own words, with the concerns and approaches
 * that earned each one. */
/* What serve_match ranks. */
enum { FOR_TEXT, FOR_DOC, RELATED_TO_DOC };

/* Ranks specialists for the visitor's words q (FOR_TEXT), specialists for
 * what stored document id is about (FOR_DOC), or the articles and
 * questions related to it (RELATED_TO_DOC): /v1/match,
 * /v1/articles/{id}/specialists and /v1/documents/{id}/related share
 * paging, filters and the shape of hits. */
static void serve_match(srv *s, const srv_request *req, int what,
                        const char *q, const char *id, srv_response *resp)
{
    if (search_allowed(s, req, resp) != 0 || check_types(req, resp) != 0)
        return;
    double t0 = now_ms();
    long limit = 10, offset = 0, seed = (long)(time(NULL) / 86400);
    if ((param(req, "limit") &&
         count_param(param(req, "limit"), 1, SRV_MAX_LIMIT, &limit) != 0) ||
        (param(req, "offset") &&
         count_param(param(req, "offset"), 0, 1000, &offset) != 0) ||
        (param(req, "seed") &&
         count_param(param(req, "seed"), 0, 2147483647L, &seed) != 0)) {
        srv_error(resp, 400, "invalid_paging", "invalid_request",
                  "limit 1..%d, offset 0..1000, seed a whole number",
                  SRV_MAX_LIMIT);
        return;
    }
    rp_analyzer *an = NULL;
    rp_txn *txn = NULL;
    rp_docset *allow = NULL, *matched = NULL;
    const char *facets = param(req, "facets");
    rp_fees budget = {0};
    rp_match_results r;
    memset(&r, 0, sizeof r);
    rp_doc d;
    rp_doc_init(&d);
    rp_corrected cr;
    memset(&cr, 0, sizeof cr);
    int typo = 0;
    if (what == FOR_TEXT && typo_param(req, resp, &typo) != 0)
        return;
    int rc = take_analyzer(s, &an);
    if (rc == 0)
        rc = rp_txn_begin(s->ix, 0, &txn);
    if (rc == 0 && (build_filter(txn, req, 1, &allow, resp) != 0 ||
                    build_budget(req, &budget, resp) != 0))
        goto done;
    rp_match_opts mo;
    rp_match_opts_init(&mo);
    mo.search.limit = (size_t)limit;
    mo.search.offset = (size_t)offset;
    mo.search.allow = allow;
    if (rc == 0 && facets && (rc = rp_docset_new(&matched)) == 0)
        mo.search.matched = matched;
    mo.search.budget = budget.known ? &budget : NULL;
    mo.search.vocab = s->vocab;
    mo.seed = (uint32_t)seed;
    rp_docid doc = 0;
    if (rc == 0 && id) {
        rc = rp_txn_id_get(txn, id, strlen(id), &doc);
        /* Specialists are paired with articles and questions only. */
        const void *rec;
        const char *rid;
        size_t len, rlen;
        rp_doctype dt = RP_DOC_NONE;
        if (rc == 0 && what == FOR_DOC &&
            (rc = rp_txn_doc_get(txn, doc, &rec, &len)) == 0)
            rc = rp_doc_record_id(rec, len, &dt, &rid, &rlen);
        if (rc == 0 && what == FOR_DOC && dt == RP_DOC_SPECIALIST)
            rc = RP_ENOTFOUND;
        if (rc == RP_ENOTFOUND) {
            srv_error(resp, 404, "not_found", "not_found",
                      what == FOR_DOC ? "no article or question with that id"
                                      : "no document with that id");
            goto done;
        }
    }
    if (rc == 0 && what == FOR_TEXT && typo)
        rc = rp_correct_text(txn, an, q, strlen(q), &mo.search, &cr);
    if (rc == 0 && what == FOR_TEXT && cr.n > 0) /* the mended words */
        rc = rp_match(txn, an, s->vocab, (const char *)cr.text.data,
                      cr.text.len, &mo, &r);
    else if (rc == 0 && what == FOR_TEXT)
        rc = rp_match(txn, an, s->vocab, q, strlen(q), &mo, &r);
    else if (rc == 0 && what == FOR_DOC)
        rc = rp_match_doc(txn, an, s->vocab, doc, &mo, &r);
    else if (rc == 0)
        rc = rp_match_related(txn, an, s->vocab, doc, &mo, &r);
    rp_buf *out = &resp->body;
    if (rc == 0 && id) {
        rc = rp_buf_puts(out, "{\"document\":");
        if (rc == 0)
            rc = rp_json_put_string(out, id, strlen(id));
    } else if (rc == 0) {
        rc = open_results(s, an, q, out);
        if (rc == 0)
            rc = put_corrected(out, q, &cr);
    }
    if (rc == 0)
        rc = rp_buf_printf(out, ",\"total\":%llu,\"hits\":[",
                           (unsigned long long)r.total);
    for (size_t i = 0; rc == 0 && i < r.nhits; i++) {
        const rp_match_hit *h = &r.hits[i];
        const void *rec;
        size_t len;
        rc = rp_txn_doc_get(txn, h->doc, &rec, &len);
        if (rc == 0)
            rc = rp_doc_decode(rec, len, &d);
        if (rc == 0)
            rc = rp_buf_puts(out, i ? ",{\"id\":" : "{\"id\":");
        if (rc == 0)
            rc = rp_json_put_string(out, rp_doc_id(&d), d.id_len);
        if (rc == 0)
            rc = rp_buf_printf(out, ",\"type\":\"%s\",\"score\":%.4f,"
                               "\"matched_on\":[",
                               rp_schema_doctype_name(d.type), h->score);
        for (size_t k = 0; rc == 0 && k < h->nreasons; k++) {
            size_t c = h->reasons[k].concept;
            const char *label = rp_vocab_label(s->vocab, c);
            rc = rp_buf_printf(out, "%s{\"%s\":", k ? "," : "",
                               rp_vocab_kind(s->vocab, c) == 0 ? "concern"
                                                               : "approach");
            if (rc == 0)
                rc = rp_json_put_string(out, label, strlen(label));
            if (rc == 0)
                rc = rp_buf_printf(out, ",\"weight\":%.2f}",
                                   h->reasons[k].weight);
        }
        for (size_t k = 0; rc == 0 && k < h->nwords; k++) {
            rc = rp_buf_puts(out, k || h->nreasons ? ",{\"word\":"
                                                   : "{\"word\":");
            if (rc == 0)
                rc = rp_json_put_string(out, h->words[k],
                                        strlen(h->words[k]));
            if (rc == 0)
                rc = rp_buf_puts(out, "}");
        }
        if (rc == 0)
            rc = rp_buf_puts(out, "],\"fields\":");
        if (rc == 0)
            rc = rp_json_encode_doc(&d, out);
        if (rc == 0)
            rc = rp_buf_puts(out, "}");
    }
    if (rc == 0)
        rc = rp_buf_puts(out, "]");
    if (rc == 0 && facets && put_facets(txn, facets, matched, out, resp) != 0)
        goto done;
    if (rc == 0)
        rc = rp_buf_printf(out, ",\"seed\":%ld,\"took_ms\":%.3f}", seed,
                           now_ms() - t0);
    if (rc != 0)
        lib_error(resp, rc, NULL);
done:
    rp_corrected_fini(&cr);
    rp_docset_free(allow);
    rp_docset_free(matched);
    rp_doc_fini(&d);
    rp_match_results_fini(&r);
    rp_txn_abort(txn);
    if (an)
        give_analyzer(s, an);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void route_match(srv *s, const srv_request *req, srv_response *resp)
{
    resp->route = "/v1/match";
    const char *q = param(req, "q");
    if (q == NULL || *q == '\0') {
        srv_error(resp, 400, "missing_query", "invalid_request",
                  "the q parameter is required");
        return;
    }
    if (strlen(q) > RP_QUERY_MAX_BYTES) {
        srv_error(resp, 400, "limit_exceeded", "invalid_request",
                  "query longer than %d bytes", RP_QUERY_MAX_BYTES);
        return;
    }
    serve_match(s, req, FOR_TEXT, q, NULL, resp);
}

/* Completions for a search box: titles and names that start with the
 * words typed, the last one as a prefix, and the words completing it. */
static void route_suggest(srv *s, const srv_request *req,
                          srv_response *resp)
{
    resp->route = "/v1/suggest";
    if (search_allowed(s, req, resp) != 0)
        return;
    const char *q = param(req, "q"), *type = param(req, "type");
    long limit = 8;
    if (q == NULL) {
        srv_error(resp, 400, "missing_query", "invalid_request",
                  "the q parameter is required");
        return;
    }
    if (param(req, "limit") &&
        count_param(param(req, "limit"), 1, SUGGEST_MAX, &limit) != 0) {
        srv_error(resp, 400, "invalid_limit", "invalid_request",
                  "limit must be 1..%d", SUGGEST_MAX);
        return;
    }
    rp_search_opts so;
    rp_search_opts_init(&so);
    so.limit = (size_t)limit;
    so.count = 0;
    if (type && *type &&
        (so.type = rp_schema_doctype(type, strlen(type))) == RP_DOC_NONE) {
        srv_error(resp, 400, "invalid_type", "invalid_request",
                  "type must be article, question or specialist");
        return;
    }
    /* Build "+title:w1 +title:w2 ... +title:last*" from plain words. */
    rp_buf qb = RP_BUF_INIT;
    int rc = 0, words = 0;
    size_t n = strlen(q);
    for (size_t i = 0; i < n && rc == 0 && words < 8;) {
        while (i < n && !((q[i] >= 'a' && q[i] <= 'z') ||
                          (q[i] >= 'A' && q[i] <= 'Z') ||
                          (q[i] >= '0' && q[i] <= '9') ||
                          (unsigned char)q[i] >= 0x80))
            i++;
        size_t j = i;
        while (j < n && ((q[j] >= 'a' && q[j] <= 'z') ||
                         (q[j] >= 'A' && q[j] <= 'Z') ||
                         (q[j] >= '0' && q[j] <= '9') ||
                         (unsigned char)q[j] >= 0x80))
            j++;
        if (j > i) {
            rc = rp_buf_printf(&qb, "%s+title:%.*s%s", words ? " " : "",
                               (int)(j - i), q + i, j == n ? "*" : "");
            words++;
        }
        i = j;
    }
    rp_analyzer *an = NULL;
    rp_txn *txn = NULL;
    rp_query *query = NULL;
    rp_results r;
    memset(&r, 0, sizeof r);
    rp_doc d;
    rp_doc_init(&d);
    rp_error err;
    rp_error_clear(&err);
    if (rc == 0 && words > 0)
        rc = rp_query_parse((const char *)qb.data, qb.len, &query, &err);
    if (rc == 0)
        rc = take_analyzer(s, &an);
    if (rc == 0)
        rc = rp_txn_begin(s->ix, 0, &txn);
    if (rc == 0 && query)
        rc = rp_search(txn, an, query, &so, &r);
    if (rc == RP_ELIMIT)
        rc = 0; /* a prefix too short to narrow anything: no suggestions */
    completions comp;
    memset(&comp, 0, sizeof comp);
    if (rc == 0 && words > 0 && n > 0 && q[n - 1] != ' ')
        rp_tokenize(q, n, 0, last_token, &comp, NULL);
    rp_buf *out = &resp->body;
    if (rc == 0)
        rc = rp_buf_puts(out, "{\"suggestions\":[");
    for (size_t i = 0; rc == 0 && i < r.nhits; i++) {
        const void *rec;
        size_t len;
        rc = rp_txn_doc_get(txn, r.hits[i].doc, &rec, &len);
        if (rc == 0)
            rc = rp_doc_decode(rec, len, &d);
        const rp_docfield *title = rc == 0 ? first_field(&d, RP_F_TITLE)
                                           : NULL;
        if (rc != 0 || title == NULL)
            continue;
        if (comp.plen > 0)
            rp_tokenize(rp_doc_value(&d, title), title->len, 0,
                        complete_word, &comp, NULL);
        rc = rp_buf_puts(out, i ? ",{\"text\":" : "{\"text\":");
        if (rc == 0)
            rc = rp_json_put_string(out, rp_doc_value(&d, title),
                                    title->len);
        if (rc == 0)
            rc = rp_buf_puts(out, ",\"id\":");
        if (rc == 0)
            rc = rp_json_put_string(out, rp_doc_id(&d), d.id_len);
        if (rc == 0)
            rc = rp_buf_printf(out, ",\"type\":\"%s\"}",
                               rp_schema_doctype_name(d.type));
    }
    if (rc == 0)
        rc = rp_buf_puts(out, "],\"terms\":[");
    for (size_t i = 0; rc == 0 && i < comp.n; i++) {
        if (i > 0)
            rc = rp_buf_puts(out, ",");
        if (rc == 0)
            rc = rp_json_put_string(out, comp.words[i], comp.lens[i]);
    }
    if (rc == 0)
        rc = rp_buf_puts(out, "]}");
    if (rc != 0)
        lib_error(resp, rc, &err);
    rp_doc_fini(&d);
    rp_results_fini(&r);
    rp_txn_abort(txn);
    if (an)
        give_analyzer(s, an);
    rp_query_free(query);
    rp_buf_fini(&qb);
}

static void route_get_doc(srv *s, const srv_request *req, const char *id,
                          srv_response *resp)
{
    resp->route = "/v1/documents/{id}";
    if (search_allowed(s, req, resp) != 0)
        return;
    if (!rp_doc_id_valid(id, strlen(id))) {
        bad_id(resp);
        return;
    }
    rp_txn *txn;
    rp_docid doc;
    const void *rec;
    size_t len;
    rp_doc d;
    rp_doc_init(&d);
    int rc = rp_txn_begin(s->ix, 0, &txn);
    if (rc != 0) {
        lib_error(resp, rc, NULL);
        return;
    }
    rc = rp_txn_id_get(txn, id, strlen(id), &doc);
    if (rc == 0)
        rc = rp_txn_doc_get(txn, doc, &rec, &len);
    if (rc == 0)
        rc = rp_doc_decode(rec, len, &d);
    if (rc == 0)
        rc = rp_json_encode_doc(&d, &resp->body);
    if (rc == RP_ENOTFOUND)
        srv_error(resp, 404, "not_found", "not_found",
                  "no document with that id");
    else if (rc != 0)
        lib_error(resp, rc, NULL);
    rp_doc_fini(&d);
    rp_txn_abort(txn);
}

static int commit_batch(srv *s, rp_batch *b, rp_batch_result *res,
                        rp_error *err)
{
    pthread_mutex_lock(&s->write_mu);
    /* A dead reader's slot would keep the writer from reusing pages. */
    rp_index_reader_check(s->ix, NULL);
    int rc = rp_batch_commit(b, res, err);
    pthread_mutex_unlock(&s->write_mu);
    return rc;
}

/* A write's batch, on one thread: requests are small, and the server's
 * other threads serve other requests meanwhile. NULL, with the failure
 * said in resp, when it cannot be made. */
static rp_batch *begin_write(srv *s, srv_response *resp)
{
    rp_batch *b;
    rp_batch_opts bo = {1, NULL, NULL, 0, 0};
    int rc = rp_batch_new(s->ix, &bo, &b);
    if (rc != 0) {
        lib_error(resp, rc, NULL);
        return NULL;
    }
    return b;
}

/* Commits b unless rc (the filling's result) is already a failure, frees
 * it, and says a failure in resp. The answer's bytes are set aside before
 * the commit, so that a committed batch is always acknowledged. Returns 0
 * when the batch was committed. */
static int end_write(srv *s, rp_batch *b, int rc, rp_batch_result *res,
                     rp_error *err, srv_response *resp)
{
    if (rc == 0)
        rc = rp_buf_reserve(&resp->body, ACK_BYTES);
    if (rc == 0)
        rc = commit_batch(s, b, res, err);
    rp_batch_free(b);
    if (rc != 0)
        lib_error(resp, rc, err);
    return rc;
}

static void route_put_docs(srv *s, const srv_request *req,
                           srv_response *resp)
{
    resp->route = "/v1/documents";
    if (write_allowed(s, req, resp) != 0)
        return;
    const char *ct = req->content_type ? req->content_type : "";
    int jsonl;
    if (strncmp(ct, "application/x-ndjson", 20) == 0)
        jsonl = 1;
    else if (strncmp(ct, "application/json", 16) == 0)
        jsonl = 0;
    else {
        srv_error(resp, 415, "unsupported_media_type", "invalid_request",
                  "send application/json or application/x-ndjson");
        return;
    }
    rp_batch *b = begin_write(s, resp);
    if (b == NULL)
        return;
    rp_error err;
    rp_error_clear(&err);
    uint64_t docs = 0;
    rp_batch_result res;
    memset(&res, 0, sizeof res);
    int rc = rp_feed_memory(b, req->body, req->body_len, jsonl, "body",
                            &docs, &err);
    if (rc == 0 && docs == 0) {
        srv_error(resp, 400, "empty_body", "invalid_request",
                  "no documents in the request body");
        rp_batch_free(b);
        return;
    }
    if (end_write(s, b, rc, &res, &err, resp) == 0)
        rp_buf_printf(&resp->body, "{\"indexed\":%llu,\"replaced\":%llu}",
                      (unsigned long long)res.added,
                      (unsigned long long)res.replaced);
}

static void route_delete_doc(srv *s, const srv_request *req, const char *id,
                             srv_response *resp)
{
    resp->route = "/v1/documents/{id}";
    if (write_allowed(s, req, resp) != 0)
        return;
    rp_batch *b = begin_write(s, resp);
    if (b == NULL)
        return;
    rp_error err;
    rp_error_clear(&err);
    rp_batch_result res;
    memset(&res, 0, sizeof res);
    int rc = rp_batch_delete(b, id, strlen(id));
    if (rc == RP_EDOC) {
        bad_id(resp);
        rp_batch_free(b);
        return;
    }
    if (end_write(s, b, rc, &res, &err, resp) != 0)
        return;
    if (res.deleted == 0)
        srv_error(resp, 404, "not_found", "not_found",
                  "no document with that id");
    else
        rp_buf_puts(&resp->body, "{\"deleted\":1}");
}

/* Static files for the demo site and the widget (--web DIR). */
static void route_static(srv *s, const srv_request *req, srv_response *resp)
{
    resp->route = "/static";
    const char *p = req->path;
    if (strcmp(p, "/") == 0)
        p = "/index.html";
    /* Only plain names below the directory: a leading "/" (so the name
     * cannot extend the directory's own name), no "..", no hidden files,
     * no escapes. */
    if (p[0] != '/') {
        srv_error(resp, 404, "not_found", "not_found", "no such file");
        return;
    }
    for (const char *c = p + 1; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                 (*c >= '0' && *c <= '9') || *c == '/' || *c == '-' ||
                 *c == '_' || (*c == '.' && c[-1] != '/' && c[-1] != '.');
        if (!ok) {
            srv_error(resp, 404, "not_found", "not_found", "no such file");
            return;
        }
    }
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".json", "application/json"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".txt", "text/plain; charset=utf-8"}};
    const char *ctype = NULL;
    const char *dot = strrchr(p, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            ctype = types[i].type;
    char path[4096];
    struct stat st;
    if (!ctype ||
        (size_t)snprintf(path, sizeof path, "%s%s", s->o.web_dir, p) >=
            sizeof path ||
        stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size > WEB_FILE_MAX) {
        srv_error(resp, 404, "not_found", "not_found", "no such file");
        return;
    }
    int rc = rp_buf_read_file(&resp->body, path);
    if (rc == -ENOENT) { /* removed since the stat */
        srv_error(resp, 404, "not_found", "not_found", "no such file");
        return;
    }
    if (rc != 0) {
        lib_error(resp, rc, NULL);
        return;
    }
    resp->content_type = ctype;
    /* Pages and scripts may change with a deploy: caches check back after
     * five minutes. API answers stay no-store (health data). */
    resp->cache = "public, max-age=300";
}

/* ---- routing ------------------------------------------------------------ */

static int is(const srv_request *req, const char *method)
{
    return strcmp(req->method, method) == 0;
}

static void method_not_allowed(srv_response *resp, const char *allow)
{
    resp->allow = allow;
    srv_error(resp, 405, "method_not_allowed", "invalid_request",
              "use %s", allow);
}

/* Copies the id between prefix (ending before its '/') and suffix in
 * path into id; one too long to copy stays empty, which is refused. */
static void id_between(const char *path, size_t prefix, const char *suffix,
                       char id[RP_ID_MAX_BYTES + 1])
{
    size_t n = strlen(path + prefix + 1) - strlen(suffix);
    id[0] = '\0';
    if (n <= RP_ID_MAX_BYTES) {
        memcpy(id, path + prefix + 1, n);
        id[n] = '\0';
    }
}

/* /v1/articles/{id}/specialists (FOR_DOC) and /v1/documents/{id}/related
 * (RELATED_TO_DOC): the id lies between the prefix_len bytes of the
 * collection's path and suffix. */
static void route_doc_pairs(srv *s, const srv_request *req, int what,
                            size_t prefix_len, const char *suffix,
                            srv_response *resp)
{
    resp->route = what == FOR_DOC ? "/v1/articles/{id}/specialists"
                                  : "/v1/documents/{id}/related";
    if (!is(req, "GET") && !is(req, "HEAD")) {
        method_not_allowed(resp, "GET");
        return;
    }
    char id[RP_ID_MAX_BYTES + 1];
    id_between(req->path, prefix_len, suffix, id);
    if (!rp_doc_id_valid(id, strlen(id))) {
        bad_id(resp);
        return;
    }
    serve_match(s, req, what, NULL, id, resp);
}

void srv_handle(srv *s, const srv_request *req, srv_response *resp)
{
    /* Now and then, free the slots of readers that died (another process
     * killed while it read the index). */
    if (atomic_fetch_add(&s->requests, 1) % SRV_READER_CHECK ==
        SRV_READER_CHECK - 1)
        rp_index_reader_check(s->ix, NULL);
    /* CORS: echo an allowed origin; answer preflights. */
    for (size_t i = 0; req->origin && i < s->o.ncors; i++)
        if (strcmp(req->origin, s->o.cors[i]) == 0)
            resp->cors_origin = s->o.cors[i];
    if (is(req, "OPTIONS")) {
        resp->route = "OPTIONS";
        resp->status = 204;
        resp->preflight = resp->cors_origin != NULL;
        resp->allow = "GET, PUT, DELETE, OPTIONS";
        return;
    }
    const char *p = req->path;
    const char *docs = "/v1/documents";
    size_t ndocs = strlen(docs);
    const char *arts = "/v1/articles", *specs = "/specialists";
    const char *related = "/related";
    size_t narts = strlen(arts);
    if (strcmp(p, "/healthz") == 0) {
        if (is(req, "GET") || is(req, "HEAD"))
            route_health(resp);
        else
            method_not_allowed(resp, "GET");
    } else if (strcmp(p, "/v1/stats") == 0) {
        if (is(req, "GET") || is(req, "HEAD"))
            route_stats(s, resp);
        else
            method_not_allowed(resp, "GET");
    } else if (strcmp(p, "/v1/search") == 0) {
        if (is(req, "GET") || is(req, "HEAD")) {
            route_search(s, req, resp);
            crisis_on_error(s, req, resp);
        } else
            method_not_allowed(resp, "GET");
    } else if (strcmp(p, "/v1/match") == 0) {
        if (is(req, "GET") || is(req, "HEAD")) {
            route_match(s, req, resp);
            crisis_on_error(s, req, resp);
        } else
            method_not_allowed(resp, "GET");
    } else if (strcmp(p, "/v1/suggest") == 0) {
        if (is(req, "GET") || is(req, "HEAD"))
            route_suggest(s, req, resp);
        else
            method_not_allowed(resp, "GET");
    } else if (strcmp(p, docs) == 0) {
        if (is(req, "PUT") || is(req, "POST"))
            route_put_docs(s, req, resp);
        else
            method_not_allowed(resp, "PUT");
    } else if (strncmp(p, docs, ndocs) == 0 && p[ndocs] == '/' &&
               ends_with(p + ndocs + 1, related)) {
        route_doc_pairs(s, req, RELATED_TO_DOC, ndocs, related, resp);
    } else if (strncmp(p, docs, ndocs) == 0 && p[ndocs] == '/' &&
               p[ndocs + 1] != '\0') {
        const char *id = p + ndocs + 1;
        if (is(req, "GET") || is(req, "HEAD"))
            route_get_doc(s, req, id, resp);
        else if (is(req, "DELETE"))
            route_delete_doc(s, req, id, resp);
        else
            method_not_allowed(resp, "GET, DELETE");
    } else if (strncmp(p, arts, narts) == 0 && p[narts] == '/' &&
               ends_with(p + narts + 1, specs)) {
        route_doc_pairs(s, req, FOR_DOC, narts, specs, resp);
    } else if (strncmp(p, "/v1/", 4) != 0 && s->o.web_dir &&
               (is(req, "GET") || is(req, "HEAD"))) {
        route_static(s, req, resp);
    } else {
        resp->route = "unknown";
        srv_error(resp, 404, "not_found", "not_found", "no such route");
    }
}

/* SPDX-License-Identifier: MIT */
/*
 * Fault injection (linked with tests/failalloc.o and the linker's --wrap,
 * see the Makefile). For N = 1, 2, ... until a run makes fewer than N
 * allocations, the Nth allocation fails and:
 *
 * - library paths (analysis and tokenizer, query parser, document parser,
 *   two ingest batches: the bulk path and the replace-and-delete path,
 *   searches) return 0 or RP_ENOMEM, a failed batch changes nothing, and
 *   no block is left allocated;
 * - API paths (server/api.c: a write, searches with filters, facets and
 *   highlights, match, suggest, related, a document, stats, a delete)
 *   answer 2xx with valid JSON or an error status, a failed write changes
 *   nothing, the next request is served, and nothing leaks.
 *
 * A failed disk sync (fdatasync, interposed here for LMDB) fails that
 * write only.
 */
#define _DEFAULT_SOURCE /* syscall() */
#include <errno.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../server/server.h"
#include "failalloc.h"
#include "rapport/analyze.h"
#include "rapport/doc.h"
#include "rapport/index.h"
#include "rapport/ingest.h"
#include "rapport/json.h"
#include "rapport/jsoncheck.h"
#include "rapport/query.h"
#include "rapport/search.h"
#include "rapport/tokenize.h"
#include "t.h"

#define MAX_N 100000 /* a run making more allocations fails the test */

/* The first N to fail: RP_FAILALLOC_N, to look at one case (for instance
 * under make asan, whose leak report names the blocks). */
static long first_n(void)
{
    const char *v = getenv("RP_FAILALLOC_N");
    return v ? atol(v) : 1;
}

/* ---- fdatasync, interposed --------------------------------------------- */

/* LMDB syncs a commit's pages, then its meta page, with fdatasync. A
 * definition here takes the place of libc's for liblmdb too. */
static atomic_int sync_fail_at; /* fail the nth call from now; 0: none */
static atomic_int sync_calls;

int fdatasync(int fd);
int fdatasync(int fd)
{
    int n = atomic_fetch_add(&sync_calls, 1) + 1;
    if (n == atomic_load(&sync_fail_at)) {
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_fdatasync, fd);
}

/* ---- library paths ------------------------------------------------------ */

static const char *const batch_a[] = {
    "{\"id\":\"a1\",\"title\":\"Grief and loss\",\"body\":\"Grief comes "
    "in waves after a loss; sleep suffers. k1x1v\",\"tags\":[\"grief\"]}",
    "{\"id\":\"q1\",\"type\":\"question\",\"title\":\"Cannot sleep\","
    "\"body\":\"Panic at night, racing thoughts. k2x2v\"}",
    "{\"id\":\"s1\",\"type\":\"specialist\",\"name\":\"Ana Ruiz\",\"bio\":"
    "\"Trauma and grief work with adults. k3x3v\",\"concerns\":[\"grief\","
    "\"trauma\"],\"languages\":[\"spanish\"],\"city\":\"Madrid\","
    "\"online\":true,\"fee_min\":40,\"fee_max\":80,\"site\":\"x\"}",
    NULL};

/* Batch B replaces a1, deletes q1 and adds a2. */
static const char *const batch_b_add[] = {
    "{\"id\":\"a1\",\"title\":\"Grief, revised\",\"body\":\"Loss and sleep "
    "again. k4x4v\"}",
    "{\"id\":\"a2\",\"title\":\"Panic attacks\",\"body\":\"What happens in "
    "a panic attack. k5x5v\",\"tags\":[\"panic\"]}",
    NULL};

/* Fails the test unless rc is 0 or RP_ENOMEM; returns rc == 0. */
static int ok_or_nomem(int rc, const char *what, long n)
{
    if (rc != 0 && rc != RP_ENOMEM)
        T_FAIL("allocation %ld failing: %s gave %d (%s)", n, what, rc,
               rp_strerror(rc));
    return rc == 0;
}

static int count_token(void *ctx, const rp_token *tok)
{
    (void)tok;
    (*(int *)ctx)++;
    return 0;
}

static int commit_lines(rp_index *ix, const char *const *lines,
                        const char *del, long n)
{
    rp_batch *b;
    rp_batch_opts o = {1, NULL, NULL, 0, 0};
    int rc = rp_batch_new(ix, &o, &b);
    if (!ok_or_nomem(rc, "rp_batch_new", n))
        return rc;
    for (size_t i = 0; rc == 0 && lines[i]; i++)
        rc = rp_batch_add_json(b, lines[i], strlen(lines[i]), "t",
                               (long)i + 1);
    if (rc == 0 && del)
        rc = rp_batch_delete(b, del, strlen(del));
    if (ok_or_nomem(rc, "adding to a batch", n)) {
        rp_error err;
        rp_error_clear(&err);
        rc = rp_batch_commit(b, NULL, &err);
        ok_or_nomem(rc, "rp_batch_commit", n);
    }
    rp_batch_free(b);
    return rc;
}

static void search_paths(rp_index *ix, long n)
{
    rp_analyzer *an = NULL;
    rp_txn *txn = NULL;
    rp_query *q = NULL;
    rp_results r;
    memset(&r, 0, sizeof r);
    rp_search_opts o;
    rp_search_opts_init(&o);
    rp_docset *matched = NULL;
    if (ok_or_nomem(rp_analyzer_new("english", &an), "rp_analyzer_new", n) &&
        ok_or_nomem(rp_txn_begin(ix, 0, &txn), "rp_txn_begin", n)) {
        ok_or_nomem(rp_search_text(txn, an, "grief and sleep", 15, &o, &r),
                    "rp_search_text", n);
        rp_results_fini(&r);
        static const char query[] = "(grief OR panic*) +title:loss -night "
                                    "\"after a loss\"";
        if (ok_or_nomem(rp_query_parse(query, sizeof query - 1, &q, NULL),
                        "rp_query_parse", n) &&
            ok_or_nomem(rp_docset_new(&matched), "rp_docset_new", n)) {
            o.matched = matched;
            o.exhaustive = 1;
            ok_or_nomem(rp_search(txn, an, q, &o, &r), "rp_search", n);
            rp_results_fini(&r);
        }
    }
    rp_docset_free(matched);
    rp_query_free(q);
    rp_txn_abort(txn);
    rp_analyzer_free(an);
}

/* One run through every library path. Returns which batches committed
 * (bit 0: A, bit 1: B), or -1 when the index did not open. */
static int library_run(const char *dir, long n)
{
    rp_analyzer *an = NULL;
    int tokens = 0;
    static const char text[] = "Grief comes in waves; sleep—or its lack—"
                               "follows. Don't panic: it's normal.";
    if (ok_or_nomem(rp_analyzer_new("english", &an), "rp_analyzer_new", n))
        ok_or_nomem(rp_analyze(an, text, sizeof text - 1, 0, count_token,
                               &tokens, NULL),
                    "rp_analyze", n);
    rp_analyzer_free(an);
    rp_tokenize(text, sizeof text - 1, 0, count_token, &tokens, NULL);
    rp_doc d;
    rp_doc_init(&d);
    rp_buf enc = RP_BUF_INIT;
    if (ok_or_nomem(rp_json_decode_doc(batch_a[2], strlen(batch_a[2]), &d,
                                       NULL),
                    "rp_json_decode_doc", n))
        ok_or_nomem(rp_json_encode_doc(&d, &enc), "rp_json_encode_doc", n);
    rp_buf_fini(&enc);
    rp_doc_fini(&d);

    rp_index *ix = NULL;
    int state = 0;
    if (!ok_or_nomem(rp_index_open(dir, NULL, &ix, NULL), "rp_index_open",
                     n))
        return -1;
    if (commit_lines(ix, batch_a, NULL, n) == 0)
        state |= 1;
    if (commit_lines(ix, batch_b_add, "q1", n) == 0)
        state |= 2;
    search_paths(ix, n);
    rp_index_close(ix);
    return state;
}

/* The index holds exactly what the committed batches put there. */
static void check_state(const char *dir, int state, long n)
{
    if (state < 0)
        return; /* the index did not open */
    static const char *const ids[] = {"a1", "q1", "s1", "a2"};
    static const char *const terms[] = {"k1x1v", "k2x2v", "k3x3v", "k4x4v",
                                        "k5x5v"};
    int a = state & 1, b = (state & 2) != 0;
    int want_id[4] = {a || b, a && !b, a, b};
    int want_term[5] = {a && !b, a && !b, a, b, b};
    rp_index *ix;
    rp_index_opts ro = {NULL, 0, 1, 0};
    ASSERT_OK(rp_index_open(dir, &ro, &ix, NULL));
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(ix, 0, &txn));
    for (int i = 0; i < 4; i++) {
        rp_docid doc;
        int rc = rp_txn_id_get(txn, ids[i], 2, &doc);
        if ((rc == 0) != want_id[i])
            T_FAIL("allocation %ld failing, batches %d: id %s %s", n, state,
                   ids[i], rc == 0 ? "present" : "missing");
    }
    for (int i = 0; i < 5; i++) {
        rp_terminfo info;
        int rc = rp_txn_term_get(txn, terms[i], 5, &info);
        if ((rc == 0) != want_term[i])
            T_FAIL("allocation %ld failing, batches %d: term %s %s", n,
                   state, terms[i], rc == 0 ? "present" : "missing");
    }
    rp_stats st;
    ASSERT_OK(rp_txn_stats(txn, &st));
    ASSERT_EQ(st.ndocs, (uint64_t)(want_id[0] + want_id[1] + want_id[2] +
                                   want_id[3]));
    rp_txn_abort(txn);
    rp_index_close(ix);
}

/* A new index directory: in memory (/dev/shm) when there is one, since a
 * thousand commits that each wait for the disk would take a while. */
static void fresh_dir(char *dir, size_t cap)
{
    snprintf(dir, cap, "%s/rapport-fail-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    ASSERT(mkdtemp(dir) != NULL);
}

static void test_library_paths(void)
{
    long n, failed = 0, allocs = 0;
    for (n = first_n(); n <= MAX_N; n++) {
        char dir[64];
        fresh_dir(dir, sizeof dir);
        long live = fa_live();
        fa_arm(n);
        int state = library_run(dir, n);
        int fired = fa_fired();
        allocs = fa_count();
        fa_arm(0);
        if (fa_live() != live)
            T_FAIL("allocation %ld failing: %ld blocks leaked", n,
                   fa_live() - live);
        check_state(dir, state, n);
        t_rm_rf(dir);
        if (!fired)
            break; /* the run made fewer than n allocations */
        failed += state != 3;
    }
    ASSERT(n <= MAX_N);
    printf("  library: %ld allocations per run, each failed in turn; "
           "%ld runs lost a batch, none leaked or left a partial one\n",
           allocs, failed);
}

/* ---- API paths ---------------------------------------------------------- */

#define ADMIN "0123456789abcdef0123456789abcdef-admin"

static const char api_docs[] =
    "{\"id\":\"a1\",\"title\":\"Grief and loss\",\"body\":\"Grief comes in "
    "waves after a loss; sleep suffers.\",\"tags\":[\"grief\"]}\n"
    "{\"id\":\"s1\",\"type\":\"specialist\",\"name\":\"Ana Ruiz\",\"bio\":"
    "\"Trauma and grief work.\",\"concerns\":[\"grief\",\"trauma\"],"
    "\"languages\":[\"spanish\"],\"online\":true,\"fee_min\":40,"
    "\"fee_max\":80,\"accepting_clients\":true}\n"
    "{\"id\":\"s2\",\"type\":\"specialist\",\"name\":\"Bo Lin\",\"bio\":"
    "\"Panic and sleep.\",\"concerns\":[\"anxiety\"]}\n";

typedef struct api_req {
    const char *method, *path, *params; /* params: "k=v&k=v" */
    const char *body;
} api_req;

static const api_req api_reqs[] = {
    {"PUT", "/v1/documents", NULL, api_docs},
    {"GET", "/v1/search", "q=grief sleep&highlight=1&facets=concerns,"
                          "languages&limit=5", NULL},
    {"GET", "/v1/search", "q=grief&type=specialist&languages=spanish&"
                          "fee_max=100&online=true", NULL},
    {"GET", "/v1/search", "q=\"after a loss\" OR panic*", NULL},
    {"GET", "/v1/match", "q=I cannot stop grieving&facets=languages", NULL},
    {"GET", "/v1/suggest", "q=gri", NULL},
    {"GET", "/v1/documents/a1", NULL, NULL},
    {"GET", "/v1/documents/a1/related", NULL, NULL},
    {"GET", "/v1/articles/a1/specialists", NULL, NULL},
    {"GET", "/v1/stats", NULL, NULL},
    {"DELETE", "/v1/documents/s2", NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

/* Sends one request; returns its status after checking the answer. */
static int api_call(srv *s, const api_req *q, long n)
{
    char params[256];
    srv_param ps[16];
    size_t np = 0;
    snprintf(params, sizeof params, "%s", q->params ? q->params : "");
    for (char *p = params; *p && np < 16;) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(p, '=');
        if (eq)
            *eq = '\0';
        ps[np].key = p;
        ps[np].value = eq ? eq + 1 : "";
        np++;
        p = amp ? amp + 1 : p + strlen(p);
    }
    char auth[64];
    snprintf(auth, sizeof auth, "Bearer %s", ADMIN);
    srv_request req = {q->method, q->path, ps, np, auth,
                       "application/x-ndjson", NULL,
                       q->body ? q->body : "",
                       q->body ? strlen(q->body) : 0};
    srv_response resp;
    srv_response_init(&resp);
    srv_handle(s, &req, &resp);
    int status = resp.status;
    /* A success carries a whole JSON body; an error says so in JSON, or,
     * when even that could not be allocated, has no body. */
    int json_ok = rp_json_check((const char *)resp.body.data, resp.body.len,
                                RP_JSON_MAX_DEPTH, NULL) == 0;
    if (status < 300 && !json_ok)
        T_FAIL("allocation %ld failing: %s %s answered %d with \"%.*s\"", n,
               q->method, q->path, status, (int)resp.body.len,
               (const char *)resp.body.data);
    if (status >= 300 && resp.body.len > 0 && !json_ok)
        T_FAIL("allocation %ld failing: %s %s: %d with bad JSON", n,
               q->method, q->path, status);
    if (status >= 400 && status != 404 && status != 500 && status != 503 &&
        status != 507)
        T_FAIL("allocation %ld failing: %s %s answered %d: %.*s", n,
               q->method, q->path, status, (int)resp.body.len,
               (const char *)resp.body.data);
    srv_response_fini(&resp);
    return status;
}

static srv *api_open(const char *dir)
{
    srv_opts o;
    memset(&o, 0, sizeof o);
    o.db = dir;
    o.quiet = 1;
    o.admin_key = ADMIN;
    o.admin_key_len = strlen(ADMIN);
    srv *s;
    rp_error err;
    rp_error_clear(&err);
    int rc = srv_open(&o, &s, &err);
    if (rc != 0)
        T_FAIL("srv_open: %s", err.msg);
    return s;
}

static void test_api_paths(void)
{
    long n, allocs = 0, errors = 0;
    for (n = first_n(); n <= MAX_N; n++) {
        char dir[64];
        fresh_dir(dir, sizeof dir);
        long live = fa_live();
        srv *s = api_open(dir);
        fa_arm(n);
        int put = 0;
        for (const api_req *q = api_reqs; q->method; q++) {
            int st = api_call(s, q, n);
            if (q == api_reqs)
                put = st;
            errors += st >= 500;
        }
        int fired = fa_fired();
        allocs = fa_count();
        fa_arm(0);
        /* The next request is served; a failed write left nothing. */
        static const api_req after = {"GET", "/v1/documents/a1", NULL, NULL};
        int st = api_call(s, &after, 0);
        if (put == 200 && st != 200 && st != 404)
            T_FAIL("allocation %ld failing: GET after: %d", n, st);
        if (put != 200 && st != 404)
            T_FAIL("allocation %ld failing: the write failed with %d but "
                   "a1 is %d", n, put, st);
        srv_close(s);
        if (fa_live() != live)
            T_FAIL("allocation %ld failing: %ld blocks leaked", n,
                   fa_live() - live);
        t_rm_rf(dir);
        if (!fired)
            break;
    }
    ASSERT(n <= MAX_N);
    printf("  api: %ld allocations per run of %zu requests, each failed in "
           "turn; %ld error answers, all JSON or empty, none leaked\n",
           allocs, sizeof api_reqs / sizeof api_reqs[0] - 1, errors);
}

/* ---- a failed disk sync ------------------------------------------------- */

static void test_failed_sync(void)
{
    char dir[64];
    fresh_dir(dir, sizeof dir);
    srv *s = api_open(dir);
    /* The commit's first sync (its pages) fails: that write answers 500,
     * nothing of it is stored, and the server goes on. */
    atomic_store(&sync_calls, 0);
    atomic_store(&sync_fail_at, 1);
    ASSERT_EQ(api_call(s, &api_reqs[0], 0), 500);
    ASSERT(atomic_load(&sync_calls) >= 1);
    atomic_store(&sync_fail_at, 0);
    static const api_req get_a1 = {"GET", "/v1/documents/a1", NULL, NULL};
    ASSERT_EQ(api_call(s, &get_a1, 0), 404);
    ASSERT_EQ(api_call(s, &api_reqs[1], 0), 200);
    ASSERT_EQ(api_call(s, &api_reqs[0], 0), 200);
    ASSERT_EQ(api_call(s, &get_a1, 0), 200);
    srv_close(s);
    t_rm_rf(dir);
}

static const t_case cases[] = {
    T(test_library_paths),
    T(test_api_paths),
    T(test_failed_sync),
    {NULL, NULL},
};

T_MAIN(cases)

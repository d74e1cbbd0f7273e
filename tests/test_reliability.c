/* SPDX-License-Identifier: MIT */
/*
 * Reliability tests against the real rapport-server process:
 *
 * - crash atomicity: ingest batches of 1-50 documents over HTTP and
 *   SIGKILL the server at a random moment in each; after every restart
 *   every document of every acknowledged batch is there (by id, by its own
 *   term, and in the live count) and every other batch is all or nothing.
 *   RP_CRASH_BATCHES sets the number of batches (30 here; `make
 *   reliability` runs 1,000) and RP_CRASH_SEED the random seed.
 * - a full index (--map-size) answers 507 with a JSON error, keeps
 *   serving, loses nothing, and takes writes again after a restart with a
 *   larger map.
 * - a hot backup (rapport-index --backup) taken while the server searches
 *   and writes opens and answers a fixed query set exactly as the live
 *   index did at the copied moment.
 *
 * Loopback only; every server started is stopped (tserver.h).
 */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include "rapport/analyze.h"
#include "rapport/doc.h"
#include "rapport/index.h"
#include "rapport/search.h"
#include "tserver.h"

#define KEY_LEN 40
#define CRASH_BATCHES 30
#define CRASH_MAX_DOCS 50
#define FULL_CHECK_EVERY 100 /* batches between searches of every doc */

/* Writes a fresh admin key file into the test directory. */
static void admin_key(char key[KEY_LEN + 1], char *kf, size_t cap)
{
    make_key(key, KEY_LEN, 0x2545f4914f6cdd1dull);
    path_in(kf, cap, "admin.key");
    write_file(kf, key, KEY_LEN);
}

/* Formats a PUT /v1/documents request for an NDJSON body. */
static void put_request(rp_buf *out, const server *s, const char *key,
                        const rp_buf *body)
{
    out->len = 0;
    int rc = rp_buf_printf(out,
                           "PUT /v1/documents HTTP/1.1\r\nHost: 127.0.0.1:%u"
                           "\r\nConnection: close\r\nAuthorization: Bearer "
                           "%s\r\nContent-Type: application/x-ndjson\r\n"
                           "Content-Length: %zu\r\n\r\n",
                           (unsigned)s->port, key, body->len);
    if (rc == 0)
        rc = rp_buf_append(out, body->data, body->len);
    if (rc != 0)
        T_FAIL("out of memory");
}

/* GET target; returns the status, the body in out (owned). */
static int get(const server *s, const char *target, hc_resp *out)
{
    request(s, "GET", target, NULL, NULL, 0, out);
    return out->status;
}

/* ---- crash atomicity ---------------------------------------------------- */

typedef struct batch {
    int ndocs;     /* 1..CRASH_MAX_DOCS */
    int acked;     /* the server answered 200 */
    int committed; /* found after the restart (all of it) */
} batch;

/* Document j of batch i: id "c<i>-<j>", own term "u<i>x<j>v" (letters
 * around digits, so stemming leaves it as it is). */
static void crash_body(rp_buf *body, int i, int n)
{
    body->len = 0;
    for (int j = 0; j < n; j++)
        if (rp_buf_printf(body,
                          "{\"id\":\"c%d-%d\",\"title\":\"Batch %d note "
                          "%d\",\"body\":\"Sleep and worry after a loss, "
                          "written down: u%dx%dv.\"}\n",
                          i, j, i, j, i, j) != 0)
            T_FAIL("out of memory");
}

/* How many of batch i's documents the index has, by id and by term (they
 * must agree). */
static int found_docs(rp_index *ix, int i, int n)
{
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(ix, 0, &txn));
    int by_id = 0, by_term = 0;
    for (int j = 0; j < n; j++) {
        char id[32], term[32];
        rp_docid d;
        rp_terminfo info;
        snprintf(id, sizeof id, "c%d-%d", i, j);
        snprintf(term, sizeof term, "u%dx%dv", i, j);
        int rc = rp_txn_id_get(txn, id, strlen(id), &d);
        if (rc != RP_ENOTFOUND)
            ASSERT_OK(rc);
        by_id += rc == 0;
        rc = rp_txn_term_get(txn, term, strlen(term), &info);
        if (rc != RP_ENOTFOUND)
            ASSERT_OK(rc);
        if (rc == 0)
            ASSERT_EQ(info.df, 1);
        by_term += rc == 0;
    }
    rp_txn_abort(txn);
    if (by_id != by_term)
        T_FAIL("batch %d: %d of %d ids but %d terms", i, by_id, n, by_term);
    return by_id;
}

/* Searches each document of batch i by its term in the library (the
 * search path the server runs): exactly that document. */
static void search_batch(rp_index *ix, rp_analyzer *an, int i, int n)
{
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(ix, 0, &txn));
    rp_search_opts o;
    rp_search_opts_init(&o);
    for (int j = 0; j < n; j++) {
        char term[32], want[32];
        snprintf(term, sizeof term, "u%dx%dv", i, j);
        snprintf(want, sizeof want, "c%d-%d", i, j);
        rp_results r;
        ASSERT_OK(rp_search_text(txn, an, term, strlen(term), &o, &r));
        ASSERT_EQ(r.total, 1);
        const void *rec;
        size_t len, idlen;
        const char *id;
        rp_doctype type;
        ASSERT_OK(rp_txn_doc_get(txn, r.hits[0].doc, &rec, &len));
        ASSERT_OK(rp_doc_record_id(rec, len, &type, &id, &idlen));
        ASSERT_MEM_EQ(id, idlen, want);
        rp_results_fini(&r);
    }
    rp_txn_abort(txn);
}

/* Over HTTP: document j of batch i by id and by its term. */
static void http_find(const server *s, int i, int j)
{
    char target[96], want[48];
    hc_resp r;
    snprintf(target, sizeof target, "/v1/documents/c%d-%d", i, j);
    if (get(s, target, &r) != 200)
        T_FAIL("GET %s after restart: %d", target, r.status);
    hc_resp_free(&r);
    snprintf(target, sizeof target, "/v1/search?q=u%dx%dv", i, j);
    snprintf(want, sizeof want, "\"id\":\"c%d-%d\"", i, j);
    if (get(s, target, &r) != 200 || strstr(r.body, "\"total\":1,") == NULL ||
        strstr(r.body, want) == NULL)
        T_FAIL("search for c%d-%d after restart: %d %.200s", i, j, r.status,
               r.body ? r.body : "");
    hc_resp_free(&r);
}

static uint64_t expected_docs(const batch *b, int n)
{
    uint64_t docs = 0;
    for (int i = 0; i < n; i++)
        docs += b[i].committed ? (uint64_t)b[i].ndocs : 0;
    return docs;
}

/* Sends batch i, kills the server after delay_us, and tells whether the
 * 200 had arrived (the kernel keeps what the server wrote before it
 * died). */
static int send_and_kill(server *s, const char *key, int i, int n,
                         long delay_us)
{
    rp_buf body = RP_BUF_INIT, req = RP_BUF_INIT;
    crash_body(&body, i, n);
    put_request(&req, s, key, &body);
    int fd = hc_connect(s->port);
    if (fd < 0)
        T_FAIL("connect: %s", strerror(-fd));
    int rc = hc_send_all(fd, req.data, req.len);
    struct timespec ts = {delay_us / 1000000, (delay_us % 1000000) * 1000};
    nanosleep(&ts, NULL);
    kill(s->pid, SIGKILL);
    int st;
    while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
        ;
    forget(s->pid);
    s->pid = 0;
    hc_resp r;
    memset(&r, 0, sizeof r);
    if (rc == 0)
        hc_read(fd, IO_TIMEOUT_MS, 1, &r);
    close(fd);
    char want[48];
    snprintf(want, sizeof want, "{\"indexed\":%d,", n);
    int acked = r.complete && r.status == 200 && r.body != NULL &&
                strncmp(r.body, want, strlen(want)) == 0;
    if (r.complete && r.status != 200)
        T_FAIL("batch %d answered %d: %.200s", i, r.status, r.raw);
    hc_resp_free(&r);
    rp_buf_fini(&body);
    rp_buf_fini(&req);
    return acked;
}

/* Sends batch i and waits for the answer; returns microseconds. */
static long timed_batch(const server *s, const char *key, int i, int n)
{
    rp_buf body = RP_BUF_INIT, req = RP_BUF_INIT;
    crash_body(&body, i, n);
    put_request(&req, s, key, &body);
    hc_resp r;
    double t0 = hc_now_ms();
    if (hc_exchange(s->port, req.data, req.len, IO_TIMEOUT_MS, 1, &r) != 0 ||
        r.status != 200)
        T_FAIL("calibration batch %d: %d", i, r.status);
    long us = (long)((hc_now_ms() - t0) * 1000);
    hc_resp_free(&r);
    rp_buf_fini(&body);
    rp_buf_fini(&req);
    return us;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void test_crash_atomicity(void)
{
    need_binaries();
    const char *env = getenv("RP_CRASH_BATCHES");
    int nb = env ? atoi(env) : CRASH_BATCHES;
    ASSERT(nb > 0);
    env = getenv("RP_CRASH_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 0x9e3779b97f4a7c15ull;
    ASSERT(seed != 0);
    /* 1,000 batches take minutes; keep the harness's alarm beyond that. */
    alarm((unsigned)(120 + nb));
    setup();
    char db[128], kf[128], key[KEY_LEN + 1];
    make_db(db, sizeof db, "db");
    admin_key(key, kf, sizeof kf);
    const char *args[] = {"--db", db, "--admin-key-file", kf, "--quiet",
                          NULL};
    batch *b = calloc((size_t)nb + 8, sizeof *b);
    ASSERT(b != NULL);
    server s;
    double t0 = hc_now_ms();

    /* Calibration: 8 batches, not killed, give the time an answer takes;
     * kills then land uniformly within a window that starts at twice the
     * median, so they hit every stage: reading the body, parsing,
     * writing, the commit's syncs, and after the answer. */
    start_ok(&s, "server.log", args);
    long cal[8];
    for (int i = 0; i < 8; i++) {
        b[i].ndocs = 1 + (int)(t_rand(&seed) % CRASH_MAX_DOCS);
        cal[i] = timed_batch(&s, key, i, b[i].ndocs);
        b[i].acked = b[i].committed = 1;
    }
    qsort(cal, 8, sizeof cal[0], cmp_long);
    long window = 2 * cal[4];
    rp_index *ix;
    rp_analyzer *an;
    rp_index_opts ro = {NULL, 0, 1, 0};
    ASSERT_OK(rp_index_open(db, &ro, &ix, NULL));
    ASSERT_OK(rp_analyzer_new(rp_index_lang(ix), &an));

    int acked = 0, whole = 0, absent = 0;
    for (int i = 8; i < nb + 8; i++) {
        if (s.pid == 0)
            start_ok(&s, "server.log", args);
        b[i].ndocs = 1 + (int)(t_rand(&seed) % CRASH_MAX_DOCS);
        long delay = (long)(t_rand(&seed) % (uint64_t)(window + 1));
        b[i].acked = send_and_kill(&s, key, i, b[i].ndocs, delay);
        acked += b[i].acked;
        /* The machine's speed varies: steer the window so that about
         * half the kills come before the answer and half after. */
        window = b[i].acked ? window * 97 / 100 : window * 103 / 100 + 1;

        /* The index opens: a new server comes up on it. */
        start_ok(&s, "server.log", args);
        int n = found_docs(ix, i, b[i].ndocs);
        if (b[i].acked && n != b[i].ndocs)
            T_FAIL("acknowledged batch %d: %d of %d documents", i, n,
                   b[i].ndocs);
        if (n != 0 && n != b[i].ndocs)
            T_FAIL("batch %d is partial: %d of %d documents", i, n,
                   b[i].ndocs);
        b[i].committed = n != 0;
        whole += !b[i].acked && n != 0;
        absent += n == 0;
        /* Every earlier batch is as it was; the live count agrees. */
        for (int k = 0; k < i; k++)
            if (found_docs(ix, k, b[k].ndocs) !=
                (b[k].committed ? b[k].ndocs : 0))
                T_FAIL("batch %d changed after batch %d", k, i);
        rp_txn *txn;
        rp_stats st;
        ASSERT_OK(rp_txn_begin(ix, 0, &txn));
        ASSERT_OK(rp_txn_stats(txn, &st));
        rp_txn_abort(txn);
        ASSERT_EQ(st.ndocs, expected_docs(b, i + 1));
        /* The restarted server finds this batch and an older one. */
        if (b[i].committed)
            http_find(&s, i, (int)(t_rand(&seed) % (uint64_t)b[i].ndocs));
        int k = (int)(t_rand(&seed) % (uint64_t)i);
        if (b[k].committed)
            http_find(&s, k, (int)(t_rand(&seed) % (uint64_t)b[k].ndocs));
        if ((i - 7) % FULL_CHECK_EVERY == 0)
            for (int m = 0; m <= i; m++)
                if (b[m].committed)
                    search_batch(ix, an, m, b[m].ndocs);
    }
    for (int m = 0; m < nb + 8; m++)
        if (b[m].committed)
            search_batch(ix, an, m, b[m].ndocs);
    stop_ok(&s);
    printf("  crash: %d batches (%" PRIu64 " documents stored) in %.1f s; "
           "%d SIGKILLs, %d restarts; %d acknowledged, all found; of the "
           "%d not acknowledged %d committed whole, %d absent, 0 partial "
           "(final kill window %ld us)\n",
           nb, expected_docs(b, nb + 8), (hc_now_ms() - t0) / 1e3, nb, nb,
           acked, nb - acked, whole, absent, window);
    rp_analyzer_free(an);
    rp_index_close(ix);
    free(b);
}

/* ---- a full index ------------------------------------------------------- */

/* PUTs body; returns the status, the answer in out (owned). */
static int put(const server *s, const char *key, const rp_buf *body,
               hc_resp *out)
{
    char headers[160];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: "
             "application/x-ndjson\r\n",
             key);
    request(s, "PUT", "/v1/documents", headers, (const char *)body->data,
            body->len, out);
    return out->status;
}

/* Stats' document count from a running server. */
static long stats_documents(const server *s)
{
    hc_resp r;
    if (get(s, "/v1/stats", &r) != 200)
        T_FAIL("GET /v1/stats: %d", r.status);
    const char *p = strstr(r.body, "\"documents\":");
    long n = p ? strtol(p + 12, NULL, 10) : -1;
    hc_resp_free(&r);
    return n;
}

static void test_index_full_507(void)
{
    need_binaries();
    setup();
    char db[128], kf[128], key[KEY_LEN + 1];
    make_db(db, sizeof db, "db");
    admin_key(key, kf, sizeof kf);
    const char *small[] = {"--db",       db,     "--admin-key-file", kf,
                           "--map-size", "512K", "--quiet",          NULL};
    server s;
    start_ok(&s, "full.log", small);
    rp_buf body = RP_BUF_INIT;
    hc_resp r;
    int batches = 0, status = 0;
    while (batches < 1000) {
        crash_body(&body, batches, 20);
        status = put(&s, key, &body, &r);
        if (status != 200)
            break;
        hc_resp_free(&r);
        batches++;
    }
    ASSERT(batches > 0);
    ASSERT_EQ(status, 507);
    ASSERT(strstr(r.body, "\"code\":\"index_full\"") != NULL);
    ASSERT(strstr(r.body, "\"type\":\"system\"") != NULL);
    ASSERT(header_is(&r, "Content-Type", "application/json"));
    hc_resp_free(&r);
    /* It stays up: health, the count, the documents, their search. */
    ASSERT_EQ(get(&s, "/healthz", &r), 200);
    hc_resp_free(&r);
    ASSERT_EQ(stats_documents(&s), 20L * batches);
    for (int i = 0; i < batches; i++)
        http_find(&s, i, i % 20);
    /* Another write fails the same way, and changes nothing. */
    crash_body(&body, batches, 20);
    ASSERT_EQ(put(&s, key, &body, &r), 507);
    hc_resp_free(&r);
    ASSERT_EQ(stats_documents(&s), 20L * batches);
    stop_ok(&s);

    /* A larger map: the same documents, and room for more. */
    const char *big[] = {"--db",       db,    "--admin-key-file", kf,
                         "--map-size", "16M", "--quiet",          NULL};
    start_ok(&s, "grown.log", big);
    ASSERT_EQ(stats_documents(&s), 20L * batches);
    for (int i = batches; i < batches + 5; i++) {
        crash_body(&body, i, 20);
        ASSERT_EQ(put(&s, key, &body, &r), 200);
        hc_resp_free(&r);
    }
    ASSERT_EQ(stats_documents(&s), 20L * (batches + 5));
    stop_ok(&s);
    rp_index *ix;
    rp_index_opts ro = {NULL, 0, 1, 0};
    ASSERT_OK(rp_index_open(db, &ro, &ix, NULL));
    for (int i = 0; i < batches + 5; i++)
        ASSERT_EQ(found_docs(ix, i, 20), 20);
    rp_index_close(ix);
    rp_buf_fini(&body);
}

/* ---- hot backup --------------------------------------------------------- */

#define GENERATIONS 64 /* batches the writer may add */
#define GEN_DOCS 10
#define NQUERIES 4
#define NREADERS 2

static const char *const backup_queries[NQUERIES] = {
    "/v1/search?q=sleep+worry&limit=50",
    "/v1/search?q=u3x4v+OR+u5x1v+OR+u0x0v",
    "/v1/search?q=%22after+a+loss%22&limit=20&offset=5",
    "/v1/search?q=batch+note&limit=100",
};

typedef struct live {
    const server *s;
    const char *key;
    atomic_int stop;
    atomic_int gens;   /* generations committed and recorded */
    atomic_int failed; /* reader requests that were not 200 */
    atomic_long searches;
    rp_buf answers[GENERATIONS + 1][NQUERIES];
} live;

/* GET target into out without its timing ("took_ms"), which differs
 * between runs. Returns the status (0: no connection). */
static int answer(const server *s, const char *target, rp_buf *out)
{
    char req[512];
    snprintf(req, sizeof req,
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
             target);
    hc_resp r;
    if (hc_exchange(s->port, req, strlen(req), IO_TIMEOUT_MS, 1, &r) != 0)
        return 0;
    int status = r.status;
    out->len = 0;
    const char *t = r.body ? strstr(r.body, ",\"took_ms\":") : NULL;
    size_t n = t ? (size_t)(t - r.body) : r.body_len;
    if (r.body && rp_buf_append(out, r.body, n) != 0)
        status = 0;
    hc_resp_free(&r);
    return status;
}

static void record(live *lv, int gen)
{
    for (int q = 0; q < NQUERIES; q++)
        if (answer(lv->s, backup_queries[q], &lv->answers[gen][q]) != 200)
            T_FAIL("query %d at generation %d", q, gen);
}

/* Adds generation after generation; after each answer, records what the
 * query set returns (no other writer runs, so that is generation gen). */
static void *writer(void *p)
{
    live *lv = p;
    rp_buf body = RP_BUF_INIT;
    for (int gen = 1; gen <= GENERATIONS && !atomic_load(&lv->stop); gen++) {
        crash_body(&body, gen, GEN_DOCS);
        hc_resp r;
        if (put(lv->s, lv->key, &body, &r) != 200)
            T_FAIL("generation %d: %d", gen, r.status);
        hc_resp_free(&r);
        record(lv, gen);
        atomic_store(&lv->gens, gen);
    }
    rp_buf_fini(&body);
    return NULL;
}

static void *searcher(void *p)
{
    live *lv = p;
    rp_buf out = RP_BUF_INIT;
    for (long i = 0; !atomic_load(&lv->stop); i++) {
        if (answer(lv->s, backup_queries[i % NQUERIES], &out) != 200)
            atomic_fetch_add(&lv->failed, 1);
        atomic_fetch_add(&lv->searches, 1);
    }
    rp_buf_fini(&out);
    return NULL;
}

static void wait_gens(live *lv, int gen)
{
    while (atomic_load(&lv->gens) < gen)
        sleep_ms(2);
}

static void test_hot_backup(void)
{
    need_binaries();
    setup();
    char db[128], kf[128], key[KEY_LEN + 1], dest[128], bin[256], log[128];
    make_db(db, sizeof db, "db");
    admin_key(key, kf, sizeof kf);
    path_in(dest, sizeof dest, "backup/copy");
    const char *args[] = {"--db", db, "--admin-key-file", kf, "--quiet",
                          NULL};
    server s;
    start_ok(&s, "live.log", args);
    static live lv;
    memset(&lv, 0, sizeof lv);
    lv.s = &s;
    lv.key = key;
    rp_buf body = RP_BUF_INIT;
    hc_resp r;
    crash_body(&body, 0, GEN_DOCS);
    ASSERT_EQ(put(&s, key, &body, &r), 200);
    hc_resp_free(&r);
    rp_buf_fini(&body);
    record(&lv, 0);
    pthread_t w, rd[NREADERS];
    ASSERT_EQ(pthread_create(&w, NULL, writer, &lv), 0);
    for (int i = 0; i < NREADERS; i++)
        ASSERT_EQ(pthread_create(&rd[i], NULL, searcher, &lv), 0);
    wait_gens(&lv, 4);
    /* The backup runs while both keep going. */
    binary(bin, sizeof bin, "rapport-index");
    path_in(log, sizeof log, "backup.log");
    const char *argv[] = {bin, "--db", db, "--backup", dest, NULL};
    int during = atomic_load(&lv.gens);
    pid_t pid = spawn(argv, log);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    forget(pid);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    wait_gens(&lv, atomic_load(&lv.gens) + 3);
    atomic_store(&lv.stop, 1);
    pthread_join(w, NULL);
    for (int i = 0; i < NREADERS; i++)
        pthread_join(rd[i], NULL);
    ASSERT_EQ(atomic_load(&lv.failed), 0);
    ASSERT(atomic_load(&lv.searches) > 0);
    int after = atomic_load(&lv.gens);
    stop_ok(&s);

    /* The copy, served on its own, is one generation exactly. */
    const char *cargs[] = {"--db", dest, "--quiet", NULL};
    start_ok(&s, "copy.log", cargs);
    long docs = stats_documents(&s);
    ASSERT(docs % GEN_DOCS == 0);
    int gen = (int)(docs / GEN_DOCS) - 1;
    ASSERT(gen >= during && gen < after);
    rp_buf got = RP_BUF_INIT;
    for (int q = 0; q < NQUERIES; q++) {
        ASSERT_EQ(answer(&s, backup_queries[q], &got), 200);
        if (got.len != lv.answers[gen][q].len ||
            memcmp(got.data, lv.answers[gen][q].data, got.len) != 0)
            T_FAIL("query %d on the copy (generation %d) differs:\n%.*s\n"
                   "live:\n%.*s",
                   q, gen, (int)got.len, (const char *)got.data,
                   (int)lv.answers[gen][q].len,
                   (const char *)lv.answers[gen][q].data);
    }
    printf("  backup: taken at generation %d of %d (%ld documents) while "
           "%ld searches ran; %d queries equal\n",
           gen, after, docs, (long)atomic_load(&lv.searches), NQUERIES);
    rp_buf_fini(&got);
    for (int i = 0; i <= GENERATIONS; i++)
        for (int q = 0; q < NQUERIES; q++)
            rp_buf_fini(&lv.answers[i][q]);
    stop_ok(&s);
}

static const t_case cases[] = {
    T(test_crash_atomicity),
    T(test_index_full_507),
    T(test_hot_backup),
    {NULL, NULL},
};

T_MAIN(cases)

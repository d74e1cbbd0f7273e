/* SPDX-License-Identifier: MIT */
/*
 * Tests for the LMDB index: opening and creating, the language and format
 * version checks, norms and the dictionary scan, read transactions kept
 * for reuse seeing later commits, corrupted stored bytes
 * (patched in the data file) giving RP_ECORRUPT, never a crash, and the
 * reliability contract: durable flags only, reader slots for 512
 * concurrent readers, stale slots cleared, a full map failing cleanly and
 * growing on reopen, and hot backups.
 */
#include <errno.h>
#include <pthread.h>

#include "rapport/postings.h"
#include "rapport/stem.h"
#include "tdb.h"

static void test_open_create_reopen(void)
{
    char dir[64] = "/tmp/rapport-test-XXXXXX", sub[128];
    ASSERT(mkdtemp(dir) != NULL);
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    rp_index *ix = NULL;
    rp_error err;
    rp_error_clear(&err);
    rp_index_opts ro = {NULL, 0, 1, 0};
    ASSERT_EQ(rp_index_open(sub, &ro, &ix, &err), -ENOENT);
    ASSERT(ix == NULL);
    ASSERT(strstr(err.msg, sub) != NULL);
    rp_index_opts fr = {"fr", 0, 0, 0};
    ASSERT_OK(rp_index_open(sub, &fr, &ix, NULL));
    ASSERT_STR_EQ(rp_index_lang(ix), "french");
    rp_index_close(ix);
    ASSERT_OK(rp_index_open(sub, NULL, &ix, NULL)); /* language as stored */
    ASSERT_STR_EQ(rp_index_lang(ix), "french");
    rp_index_close(ix);
    rp_index_opts en = {"english", 0, 0, 0};
    rp_error_clear(&err);
    ASSERT_EQ(rp_index_open(sub, &en, &ix, &err), RP_ELANG);
    ASSERT(strstr(err.msg, "french") != NULL);
    rp_index_opts bad = {"klingon", 0, 0, 0};
    ASSERT_EQ(rp_index_open(sub, &bad, &ix, NULL), RP_ELANG);
    ASSERT_OK(rp_index_open(sub, &ro, &ix, NULL));
    rp_txn *txn;
    ASSERT_EQ(rp_txn_begin(ix, 1, &txn), RP_EINVAL);
    rp_index_close(ix);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ASSERT_EQ(system(cmd), 0);
}

static void test_norms_and_scan(void)
{
    tdb t;
    tdb_open(&t);
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t.ix, 1, &txn));
    rp_norms n = {RP_DOC_SPECIALIST, {1, 2, 3, 4, 5, 6, 7, 65535}}, got;
    ASSERT_OK(rp_txn_norms_put(txn, 300, &n));
    ASSERT_OK(rp_txn_norms_put(txn, 2, &n));
    ASSERT_OK(rp_txn_norms_get(txn, 300, &got));
    ASSERT_EQ(got.type, RP_DOC_SPECIALIST);
    ASSERT_EQ(got.len[7], 65535);
    uint16_t lens[RP_NFIELDS];
    ASSERT_OK(rp_txn_lens_get(txn, 2, lens)); /* from the write buffer */
    ASSERT(memcmp(lens, n.len, sizeof lens) == 0);
    ASSERT_OK(rp_txn_commit(txn));
    ASSERT_OK(rp_txn_begin(t.ix, 0, &txn));
    ASSERT_OK(rp_txn_norms_get(txn, 300, &got));
    ASSERT_EQ(got.len[2], 3);
    ASSERT_OK(rp_txn_norms_get(txn, 301, &got));
    ASSERT_EQ(got.type, RP_DOC_NONE);
    ASSERT_OK(rp_txn_norms_get(txn, 2, &got));
    ASSERT_EQ(got.len[0], 1);
    ASSERT_OK(rp_txn_norms_get(txn, 100000, &got));
    ASSERT_EQ(got.type, RP_DOC_NONE);
    /* The lengths alone: the same as rp_txn_norms_get's, zero for a
     * document that is not there (in a stored chunk or past them all). */
    ASSERT_OK(rp_txn_lens_get(txn, 300, lens));
    ASSERT(memcmp(lens, n.len, sizeof lens) == 0);
    ASSERT_OK(rp_txn_lens_get(txn, 301, lens));
    for (int f = 0; f < RP_NFIELDS; f++)
        ASSERT_EQ(lens[f], 0);
    memset(lens, 0xff, sizeof lens);
    ASSERT_OK(rp_txn_lens_get(txn, 100000, lens));
    for (int f = 0; f < RP_NFIELDS; f++)
        ASSERT_EQ(lens[f], 0);
    rp_txn_abort(txn);
    const char *docs[] = {
        "{\"id\":\"a\",\"text\":\"therapy therapist theatre thunder\"}",
        NULL};
    tdb_add_ok(&t, docs);
    ASSERT_OK(rp_txn_begin(t.ix, 0, &txn));
    char seen[256] = "";
    struct scan {
        char *out;
    } s = {seen};
    int on_term(void *ctx, const char *term, size_t len,
                const rp_terminfo *info);
    ASSERT_OK(rp_txn_term_scan(txn, "th", 2, on_term, &s));
    ASSERT_STR_EQ(seen, "theatr therapi therapist thunder ");
    rp_txn_abort(txn);
    tdb_close(&t);
}

int on_term(void *ctx, const char *term, size_t len, const rp_terminfo *info);
int on_term(void *ctx, const char *term, size_t len, const rp_terminfo *info)
{
    char *out = *(char **)ctx;
    ASSERT_EQ(info->df, 1);
    strncat(out, term, len);
    strcat(out, " ");
    return 0;
}

/* Reads the index data file into memory. */
static unsigned char *read_file(const char *dir, size_t *len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    FILE *f = fopen(path, "rb");
    ASSERT(f != NULL);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(*len);
    ASSERT(p != NULL && fread(p, 1, *len, f) == *len);
    fclose(f);
    return p;
}

static void write_file(const char *dir, const unsigned char *p, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    FILE *f = fopen(path, "wb");
    ASSERT(f != NULL && fwrite(p, 1, len, f) == len);
    fclose(f);
}

static size_t find(const unsigned char *hay, size_t n, const void *needle,
                   size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return i;
    return SIZE_MAX;
}

/* Ended read transactions are kept and renewed for the next ones, with
 * the norms chunks they looked up: after a commit a renewed one must read
 * the new bytes, a chunk it found missing included, while one still open
 * keeps its snapshot. */
static void test_reused_readers_see_commits(void)
{
    tdb t;
    tdb_open(&t);
    rp_txn *w, *r, *old;
    rp_norms n = {RP_DOC_ARTICLE, {3}}, got;
    ASSERT_OK(rp_txn_begin(t.ix, 1, &w));
    ASSERT_OK(rp_txn_norms_put(w, 5, &n));
    ASSERT_OK(rp_txn_commit(w));
    for (uint16_t round = 1; round <= 40; round++) {
        ASSERT_OK(rp_txn_begin(t.ix, 0, &old));
        ASSERT_OK(rp_txn_norms_get(old, 5, &got));
        ASSERT_EQ(got.len[0], round == 1 ? 3 : round - 1);
        ASSERT_OK(rp_txn_norms_get(old, 70000, &got));
        ASSERT_EQ(got.type, round == 1 ? RP_DOC_NONE : RP_DOC_ARTICLE);
        /* A reader ended on this snapshot, kept for the next one. */
        ASSERT_OK(rp_txn_begin(t.ix, 0, &r));
        ASSERT_OK(rp_txn_norms_get(r, 5, &got));
        rp_txn_abort(r);
        n.len[0] = round;
        ASSERT_OK(rp_txn_begin(t.ix, 1, &w));
        ASSERT_OK(rp_txn_norms_put(w, 5, &n));
        ASSERT_OK(rp_txn_norms_put(w, 70000, &n));
        ASSERT_OK(rp_txn_commit(w));
        ASSERT_OK(rp_txn_begin(t.ix, 0, &r));
        ASSERT_OK(rp_txn_norms_get(r, 5, &got));
        ASSERT_EQ(got.len[0], round);
        ASSERT_OK(rp_txn_norms_get(r, 70000, &got));
        ASSERT_EQ(got.type, RP_DOC_ARTICLE);
        ASSERT_EQ(got.len[0], round);
        ASSERT_OK(rp_txn_commit(r)); /* a reader's commit ends it too */
        ASSERT_OK(rp_txn_norms_get(old, 5, &got));
        ASSERT_EQ(got.len[0], round == 1 ? 3 : round - 1);
        rp_txn_abort(old);
    }
    tdb_close(&t);
}

static void test_format_version_checked(void)
{
    tdb t;
    tdb_open(&t);
    rp_index_close(t.ix);
    size_t len;
    unsigned char *p = read_file(t.dir, &len);
    size_t at = find(p, len, "format\x05\x00\x00\x00", 10);
    ASSERT(at != SIZE_MAX);
    p[at + 6] = 4; /* an index written by the previous format */
    write_file(t.dir, p, len);
    free(p);
    rp_error err;
    rp_error_clear(&err);
    ASSERT_EQ(rp_index_open(t.dir, NULL, &t.ix, &err), RP_EVERSION);
    ASSERT(strstr(err.msg, "rebuild") != NULL);
    t.ix = NULL;
    tdb_close(&t);
}

/* Runs "zebra" and returns the search rc. */
static int query_rc(tdb *t, const char *q)
{
    char out[256];
    return tdb_query(t, q, NULL, out, sizeof out, NULL);
}

static void test_corrupt_postings(void)
{
    tdb t;
    tdb_open(&t);
    const char *docs[] = {"{\"id\":\"z1\",\"text\":\"zebra\"}",
                          "{\"id\":\"z2\",\"text\":\"zebra\"}",
                          "{\"id\":\"z3\",\"text\":\"zebra\"}", NULL};
    tdb_add_ok(&t, docs);
    ASSERT_OK(query_rc(&t, "zebra"));
    rp_index_close(t.ix);
    /* The block as the index must have stored it. */
    rp_pos zero = 0;
    rp_posting ps[3];
    memset(ps, 0, sizeof ps);
    for (int i = 0; i < 3; i++) {
        ps[i].doc = (rp_docid)i + 1;
        ps[i].tf[RP_F_BODY] = 1;
        ps[i].len[RP_F_BODY] = 1; /* "zebra": one term in the body */
        ps[i].pos = &zero;
        ps[i].npos = 1;
    }
    rp_buf enc = RP_BUF_INIT;
    ASSERT_OK(rp_block_encode(ps, 3, &enc));
    size_t len;
    unsigned char *orig = read_file(t.dir, &len);
    size_t at = find(orig, len, enc.data, enc.len);
    ASSERT(at != SIZE_MAX);
    int corrupt = 0;
    unsigned char *p = malloc(len);
    ASSERT(p != NULL);
    for (size_t i = 0; i < enc.len; i++) {
        for (int pat = 0; pat < 3; pat++) {
            static const unsigned char flips[] = {0x01, 0x80, 0xff};
            memcpy(p, orig, len);
            p[at + i] ^= flips[pat];
            write_file(t.dir, p, len);
            ASSERT_OK(rp_index_open(t.dir, NULL, &t.ix, NULL));
            int rc = query_rc(&t, "zebra");
            if (rc != 0 && rc != RP_ECORRUPT)
                T_FAIL("byte %zu ^ %02x: rc %d", i, flips[pat], rc);
            corrupt += rc == RP_ECORRUPT;
            rp_index_close(t.ix);
        }
    }
    ASSERT(corrupt > (int)enc.len); /* most flips are detected */
    write_file(t.dir, orig, len);
    ASSERT_OK(rp_index_open(t.dir, NULL, &t.ix, NULL));
    ASSERT_OK(query_rc(&t, "zebra"));
    free(p);
    free(orig);
    rp_buf_fini(&enc);
    tdb_close(&t);
}

static void test_corrupt_doc_record(void)
{
    tdb t;
    tdb_open(&t);
    const char *docs[] = {
        "{\"id\":\"uniqueid42\",\"text\":\"kestrel\"}", NULL};
    tdb_add_ok(&t, docs);
    rp_index_close(t.ix);
    size_t len;
    unsigned char *p = read_file(t.dir, &len);
    /* The record: type 1, id length 10, id; the id map key also holds the
     * id, so look for the record's prefix. */
    size_t at = find(p, len, "\x01\x0auniqueid42", 12);
    ASSERT(at != SIZE_MAX);
    p[at + 1] = 0x7f; /* id length now runs past the record */
    write_file(t.dir, p, len);
    free(p);
    ASSERT_OK(rp_index_open(t.dir, NULL, &t.ix, NULL));
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t.ix, 0, &txn));
    rp_docid doc;
    ASSERT_OK(rp_txn_id_get(txn, "uniqueid42", 10, &doc));
    const void *rec;
    size_t rlen;
    ASSERT_OK(rp_txn_doc_get(txn, doc, &rec, &rlen));
    rp_doc d;
    rp_doc_init(&d);
    ASSERT_EQ(rp_doc_decode(rec, rlen, &d), RP_ECORRUPT);
    rp_doc_fini(&d);
    rp_txn_abort(txn);
    /* Deleting or replacing it reports the corruption, changing nothing. */
    rp_error err;
    rp_error_clear(&err);
    const char *v2[] = {"{\"id\":\"uniqueid42\",\"text\":\"falcon\"}", NULL};
    ASSERT_EQ(tdb_add(&t, v2, &err), RP_ECORRUPT);
    ASSERT_STR_EQ(tdb_ids(&t, "falcon"), "");
    tdb_close(&t);
}

/* ---- reliability -------------------------------------------------------- */

static void test_durable_flags(void)
{
    tdb t;
    tdb_open(&t);
    ASSERT(rp_index_durable(t.ix));
    tdb_close(&t);
    /* The flags that trade durability for speed appear in the source only
     * where rp_index_durable tests for them, and no file sets env flags
     * after the open. */
    static const char *const bad[] = {"MDB_NOSYNC", "MDB_NOMETASYNC",
                                      "MDB_MAPASYNC", "MDB_WRITEMAP"};
    rp_buf src;
    t_repo_file("src/index.c", &src);
    const char *text = (const char *)src.data;
    const char *fn = strstr(text, "int rp_index_durable(");
    ASSERT(fn != NULL);
    const char *fn_end = strstr(fn, "\n}\n");
    ASSERT(fn_end != NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (const char *p = strstr(text, bad[i]); p;
             p = strstr(p + 1, bad[i]))
            if (p < fn || p > fn_end)
                T_FAIL("%s used outside rp_index_durable", bad[i]);
    ASSERT(strstr(text, "mdb_env_set_flags") == NULL);
    rp_buf_fini(&src);
}

static void test_parse_size(void)
{
    size_t n;
    ASSERT_OK(rp_index_parse_size("4096", &n));
    ASSERT_EQ(n, 4096);
    ASSERT_OK(rp_index_parse_size("512M", &n));
    ASSERT_EQ(n, (size_t)512 << 20);
    ASSERT_OK(rp_index_parse_size("64g", &n));
    ASSERT_EQ(n, (size_t)64 << 30);
    ASSERT_OK(rp_index_parse_size("1T", &n));
    ASSERT_EQ(n, (size_t)1 << 40);
    static const char *const bad[] = {"", "0", "-1", "M", "12MB", "1.5G",
                                      " 1G", "99999999999999999999",
                                      "20000000000T"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (rp_index_parse_size(bad[i], &n) != RP_EINVAL || n != 0)
            T_FAIL("'%s' was accepted", bad[i]);
}

/* Adds documents r<from>..r<to-1> as one batch, each with its own word. */
static int add_range(rp_index *ix, int from, int to)
{
    rp_batch *b;
    rp_batch_opts o = {1, NULL, NULL, 0, 0};
    ASSERT_OK(rp_batch_new(ix, &o, &b));
    int rc = 0;
    for (int i = from; i < to && rc == 0; i++) {
        char line[512];
        snprintf(line, sizeof line,
                 "{\"id\":\"r%d\",\"title\":\"record w%dx%d\",\"body\":\"a "
                 "longer body of filler text about sleep and worry, so "
                 "that pages fill: u%dv%d\"}",
                 i, i, i, i, i);
        rc = rp_batch_add_json(b, line, strlen(line), "t", i + 1);
    }
    if (rc == 0)
        rc = rp_batch_commit(b, NULL, NULL);
    rp_batch_free(b);
    return rc;
}

/* Every document r<from>..r<to-1> is there, by id and by its own word. */
static void expect_range(tdb *t, int from, int to)
{
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    rp_stats st;
    ASSERT_OK(rp_txn_stats(txn, &st));
    ASSERT_EQ(st.ndocs, (uint64_t)(to - from));
    for (int i = from; i < to; i++) {
        char id[32];
        rp_docid d;
        snprintf(id, sizeof id, "r%d", i);
        ASSERT_OK(rp_txn_id_get(txn, id, strlen(id), &d));
    }
    rp_txn_abort(txn);
    for (int i = from; i < to; i += 7) {
        char q[32], want[32];
        snprintf(q, sizeof q, "w%dx%d", i, i);
        snprintf(want, sizeof want, "r%d", i);
        ASSERT_STR_EQ(tdb_ids(t, q), want);
    }
}

static void test_map_full_then_grow(void)
{
    tdb t;
    tdb_open(&t);
    rp_index_close(t.ix);
    /* A map of 256 KiB fills after a few hundred documents. */
    rp_index_opts small = {NULL, 256 << 10, 0, 0};
    ASSERT_OK(rp_index_open(t.dir, &small, &t.ix, NULL));
    int n = 0, rc = 0;
    while (n < 100000 && (rc = add_range(t.ix, n, n + 20)) == 0)
        n += 20;
    ASSERT_EQ(rc, RP_EFULL);
    ASSERT(n > 0);
    expect_range(&t, 0, n);
    /* A smaller batch still fits or fails the same clean way. */
    rc = add_range(t.ix, n, n + 1);
    ASSERT(rc == 0 || rc == RP_EFULL);
    if (rc == 0)
        n++;
    expect_range(&t, 0, n);
    rp_index_close(t.ix);
    rp_index_opts big = {NULL, 8 << 20, 0, 0};
    ASSERT_OK(rp_index_open(t.dir, &big, &t.ix, NULL));
    expect_range(&t, 0, n);
    ASSERT_OK(add_range(t.ix, n, n + 200));
    expect_range(&t, 0, n + 200);
    tdb_close(&t);
}

static void test_stale_reader_cleared(void)
{
    tdb t;
    tdb_open(&t);
    int cleared = -1;
    ASSERT_OK(rp_index_reader_check(t.ix, &cleared));
    ASSERT_EQ(cleared, 0);
    /* A process that dies inside a read transaction leaves its slot. */
    pid_t pid = t_fork();
    if (pid == 0) {
        rp_index *ix;
        rp_txn *txn;
        if (rp_index_open(t.dir, NULL, &ix, NULL) != 0 ||
            rp_txn_begin(ix, 0, &txn) != 0)
            _exit(1);
        _exit(0); /* no abort, no close */
    }
    t_wait_ok(pid);
    ASSERT_OK(rp_index_reader_check(t.ix, &cleared));
    ASSERT_EQ(cleared, 1);
    ASSERT_OK(rp_index_reader_check(t.ix, &cleared));
    ASSERT_EQ(cleared, 0);
    tdb_close(&t);
}

#define READERS 512

typedef struct reader_arg {
    rp_index *ix;
    pthread_barrier_t *all_in;
    int rc;   /* first failure */
    int hits; /* of the search */
} reader_arg;

/* Opens a read transaction, waits until every thread holds one, then
 * searches in it. */
static void *reader(void *p)
{
    reader_arg *a = p;
    rp_txn *txn = NULL;
    rp_analyzer *an = NULL;
    rp_results r;
    memset(&r, 0, sizeof r);
    a->rc = rp_txn_begin(a->ix, 0, &txn);
    pthread_barrier_wait(a->all_in);
    if (a->rc == 0)
        a->rc = rp_analyzer_new("english", &an);
    rp_search_opts o;
    rp_search_opts_init(&o);
    if (a->rc == 0)
        a->rc = rp_search_text(txn, an, "sleep worry", 11, &o, &r);
    a->hits = (int)r.total;
    rp_results_fini(&r);
    rp_analyzer_free(an);
    rp_txn_abort(txn);
    return NULL;
}

/* Runs n threads that each hold a read transaction at the same moment;
 * returns how many failed with RP_EBUSY (any other failure fails). */
static int concurrent_readers(rp_index *ix, int n, int want_hits)
{
    pthread_t tid[READERS];
    reader_arg arg[READERS];
    pthread_barrier_t all_in;
    ASSERT(n <= READERS);
    ASSERT_EQ(pthread_barrier_init(&all_in, NULL, (unsigned)n), 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1 << 20);
    for (int i = 0; i < n; i++) {
        arg[i] = (reader_arg){ix, &all_in, 0, 0};
        ASSERT_EQ(pthread_create(&tid[i], &attr, reader, &arg[i]), 0);
    }
    int busy = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(tid[i], NULL);
        if (arg[i].rc == RP_EBUSY) {
            busy++;
            continue;
        }
        ASSERT_OK(arg[i].rc);
        ASSERT_EQ(arg[i].hits, want_hits);
    }
    pthread_attr_destroy(&attr);
    pthread_barrier_destroy(&all_in);
    return busy;
}

static void test_512_concurrent_readers(void)
{
    tdb t;
    tdb_open(&t);
    ASSERT_OK(add_range(t.ix, 0, 30));
    ASSERT_EQ(concurrent_readers(t.ix, READERS, 30), 0);
    tdb_close(&t);
    /* The check can fail: with LMDB's own default of 126 slots, some of
     * the same readers are refused (RP_EBUSY, the server's 503). */
    snprintf(t.dir, sizeof t.dir, "/tmp/rapport-test-XXXXXX");
    ASSERT(mkdtemp(t.dir) != NULL);
    rp_index_opts few = {NULL, 0, 0, 126};
    ASSERT_OK(rp_index_open(t.dir, &few, &t.ix, NULL));
    ASSERT_OK(rp_analyzer_new("english", &t.an));
    ASSERT_OK(add_range(t.ix, 0, 30));
    ASSERT(concurrent_readers(t.ix, 200, 30) > 0);
    tdb_close(&t);
}

static void test_backup_copy(void)
{
    tdb t;
    tdb_open(&t);
    ASSERT_OK(add_range(t.ix, 0, 300));
    /* Replacements and deletions leave free pages that compaction drops. */
    ASSERT_OK(add_range(t.ix, 0, 100));
    char dest[128];
    snprintf(dest, sizeof dest, "%s/backup/copy", t.dir);
    rp_error err;
    rp_error_clear(&err);
    ASSERT_OK(rp_index_backup(t.ix, dest, &err));
    rp_error_clear(&err);
    ASSERT_EQ(rp_index_backup(t.ix, dest, &err), -EEXIST);
    ASSERT(strstr(err.msg, dest) != NULL);
    rp_index_opts ro = {NULL, 0, 1, 0};
    tdb copy = t;
    ASSERT_OK(rp_index_open(dest, &ro, &copy.ix, NULL));
    ASSERT(rp_index_disk_bytes(copy.ix) <= rp_index_disk_bytes(t.ix));
    expect_range(&copy, 0, 300);
    static const char *const qs[] = {"sleep", "w5x5 OR w250x250",
                                     "\"filler text\"", "record"};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        char a[4096], b[4096];
        uint64_t ta, tb;
        ASSERT_OK(tdb_query(&t, qs[i], NULL, a, sizeof a, &ta));
        ASSERT_OK(tdb_query(&copy, qs[i], NULL, b, sizeof b, &tb));
        ASSERT_STR_EQ(a, b);
        ASSERT_EQ(ta, tb);
    }
    rp_index_close(copy.ix);
    tdb_close(&t);
}

static const t_case cases[] = {
    T(test_open_create_reopen),
    T(test_norms_and_scan),
    T(test_reused_readers_see_commits),
    T(test_format_version_checked),
    T(test_corrupt_postings),
    T(test_corrupt_doc_record),
    T(test_durable_flags),
    T(test_parse_size),
    T(test_map_full_then_grow),
    T(test_stale_reader_cleared),
    T(test_512_concurrent_readers),
    T(test_backup_copy),
    {NULL, NULL},
};

T_MAIN(cases)

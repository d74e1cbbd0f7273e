/* SPDX-License-Identifier: MIT */
/*
 * Tests for the LMDB index: opening and creating, the language and format
 * version checks, norms and the dictionary scan, and corrupted stored bytes
 * (patched in the data file) giving RP_ECORRUPT, never a crash.
 */
#include <errno.h>

#include "rapport/postings.h"
#include "tdb.h"

static void test_open_create_reopen(void)
{
    char dir[64] = "/tmp/rapport-test-XXXXXX", sub[128];
    ASSERT(mkdtemp(dir) != NULL);
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    rp_index *ix = NULL;
    rp_error err;
    rp_error_clear(&err);
    rp_index_opts ro = {NULL, 0, 1};
    ASSERT_EQ(rp_index_open(sub, &ro, &ix, &err), -ENOENT);
    ASSERT(ix == NULL);
    ASSERT(strstr(err.msg, sub) != NULL);
    rp_index_opts fr = {"fr", 0, 0};
    ASSERT_OK(rp_index_open(sub, &fr, &ix, NULL));
    ASSERT_STR_EQ(rp_index_lang(ix), "french");
    rp_index_close(ix);
    ASSERT_OK(rp_index_open(sub, NULL, &ix, NULL)); /* language as stored */
    ASSERT_STR_EQ(rp_index_lang(ix), "french");
    rp_index_close(ix);
    rp_index_opts en = {"english", 0, 0};
    rp_error_clear(&err);
    ASSERT_EQ(rp_index_open(sub, &en, &ix, &err), RP_ELANG);
    ASSERT(strstr(err.msg, "french") != NULL);
    rp_index_opts bad = {"klingon", 0, 0};
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

static void test_format_version_checked(void)
{
    tdb t;
    tdb_open(&t);
    rp_index_close(t.ix);
    size_t len;
    unsigned char *p = read_file(t.dir, &len);
    size_t at = find(p, len, "format\x04\x00\x00\x00", 10);
    ASSERT(at != SIZE_MAX);
    p[at + 6] = 3; /* an index written by the previous format */
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

static const t_case cases[] = {
    T(test_open_create_reopen),
    T(test_norms_and_scan),
    T(test_format_version_checked),
    T(test_corrupt_postings),
    T(test_corrupt_doc_record),
    {NULL, NULL},
};

T_MAIN(cases)

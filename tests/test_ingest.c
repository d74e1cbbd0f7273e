/* SPDX-License-Identifier: MIT */
/*
 * Tests for the write path: upsert replaces, delete hides at once, a bad
 * document fails its whole batch, the last operation on an id wins,
 * documents added one by one give the same index as one bulk batch,
 * readers keep their snapshot while a writer commits, a staging batch
 * answers as an unstaged one and leaves nothing behind when it fails or
 * dies, and the writer lock keeps other processes' writers out.
 */
#include <time.h>

#include "rapport/docset.h"
#include "rapport/schema.h"
#include "tdb.h"

static void stats_of(tdb *t, rp_stats *st)
{
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    ASSERT_OK(rp_txn_stats(txn, st));
    rp_txn_abort(txn);
}

static uint32_t df_of(tdb *t, const char *term)
{
    rp_txn *txn;
    rp_terminfo info;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    int rc = rp_txn_term_get(txn, term, strlen(term), &info);
    rp_txn_abort(txn);
    if (rc == RP_ENOTFOUND)
        return 0;
    ASSERT_OK(rc);
    return info.df;
}

static void test_upsert_replaces(void)
{
    tdb t;
    tdb_open(&t);
    const char *v1[] = {"{\"id\":\"a\",\"text\":\"walrus anxiety\"}",
                        "{\"id\":\"b\",\"text\":\"anxiety\"}", NULL};
    const char *v2[] = {"{\"id\":\"a\",\"text\":\"pelican anxiety\"}", NULL};
    tdb_add_ok(&t, v1);
    ASSERT_STR_EQ(tdb_ids(&t, "walrus"), "a");
    tdb_add_ok(&t, v2);
    ASSERT_STR_EQ(tdb_ids(&t, "walrus"), "");
    ASSERT_STR_EQ(tdb_ids(&t, "pelican"), "a");
    ASSERT_EQ(df_of(&t, "walrus"), 0);
    ASSERT_EQ(df_of(&t, "anxieti"), 2);
    rp_stats st;
    stats_of(&t, &st);
    ASSERT_EQ(st.ndocs, 2);
    ASSERT_EQ(st.ntype[RP_DOC_ARTICLE], 2);
    ASSERT_EQ(st.fieldlen[RP_F_BODY], 3);
    const char *q[] = {"{\"id\":\"a\",\"type\":\"question\","
                       "\"body\":\"pelican\"}",
                       NULL};
    tdb_add_ok(&t, q); /* the replacement changes type */
    stats_of(&t, &st);
    ASSERT_EQ(st.ndocs, 2);
    ASSERT_EQ(st.ntype[RP_DOC_ARTICLE], 1);
    ASSERT_EQ(st.ntype[RP_DOC_QUESTION], 1);
    tdb_close(&t);
}

static void delete_ids(tdb *t, const char *const *ids)
{
    rp_batch *b;
    ASSERT_OK(rp_batch_new(t->ix, NULL, &b));
    for (size_t i = 0; ids[i]; i++)
        ASSERT_OK(rp_batch_delete(b, ids[i], strlen(ids[i])));
    rp_batch_result res;
    ASSERT_OK(rp_batch_commit(b, &res, NULL));
    rp_batch_free(b);
}

static void test_delete_hides_at_once(void)
{
    tdb t;
    tdb_open(&t);
    /* 300 documents share "grief": three posting blocks. */
    char line[300][96];
    const char *docs[301];
    for (int i = 0; i < 300; i++) {
        snprintf(line[i], sizeof line[i],
                 "{\"id\":\"g%d\",\"text\":\"grief word%d\"}", i, i);
        docs[i] = line[i];
    }
    docs[300] = NULL;
    tdb_add_ok(&t, docs);
    ASSERT_EQ(df_of(&t, "grief"), 300);
    const char *gone[] = {"g0", "g127", "g128", "g200", "g299", "nosuch",
                          NULL};
    delete_ids(&t, gone);
    ASSERT_EQ(df_of(&t, "grief"), 295);
    ASSERT_EQ(df_of(&t, "word127"), 0);
    ASSERT_STR_EQ(tdb_ids(&t, "word128"), "");
    ASSERT_STR_EQ(tdb_ids(&t, "word129"), "g129");
    uint64_t total;
    char out[8192];
    rp_search_opts o;
    rp_search_opts_init(&o);
    o.limit = 1000;
    ASSERT_OK(tdb_query(&t, "grief", &o, out, sizeof out, &total));
    ASSERT_EQ(total, 295);
    ASSERT(strstr(out, "g200 ") == NULL && strstr(out, "g201") != NULL);
    rp_stats st;
    stats_of(&t, &st);
    ASSERT_EQ(st.ndocs, 295);
    /* Deleting everything leaves an empty dictionary; adding works. */
    const char **all = calloc(301, sizeof *all);
    ASSERT(all != NULL);
    char idbuf[300][16];
    for (int i = 0; i < 300; i++) {
        snprintf(idbuf[i], sizeof idbuf[i], "g%d", i);
        all[i] = idbuf[i];
    }
    delete_ids(&t, all);
    free(all);
    ASSERT_EQ(df_of(&t, "grief"), 0);
    stats_of(&t, &st);
    ASSERT_EQ(st.ndocs, 0);
    const char *again[] = {"{\"id\":\"g5\",\"text\":\"grief again\"}", NULL};
    tdb_add_ok(&t, again);
    ASSERT_STR_EQ(tdb_ids(&t, "grief"), "g5");
    tdb_close(&t);
}

static void test_bad_document_fails_batch(void)
{
    tdb t;
    tdb_open(&t);
    const char *first[] = {"{\"id\":\"keep\",\"text\":\"calm\"}", NULL};
    tdb_add_ok(&t, first);
    static const char *bad[] = {
        "{\"id\":\"x1\",\"text\":\"otter\"}",
        "{\"id\":\"x2\",\"text\":\"otter\",}", /* trailing comma */
        "{\"id\":\"x3\",\"text\":\"otter\"}", NULL};
    rp_error err;
    rp_error_clear(&err);
    ASSERT_EQ(tdb_add(&t, bad, &err), RP_EJSON);
    ASSERT(strstr(err.msg, "t:2:") != NULL);
    ASSERT_EQ(err.line, 2);
    ASSERT_STR_EQ(tdb_ids(&t, "otter"), "");
    ASSERT_STR_EQ(tdb_ids(&t, "calm"), "keep");
    static const char *badid[] = {"{\"id\":\"ok\",\"text\":\"otter\"}",
                                  "{\"id\":\"a b\",\"text\":\"otter\"}",
                                  NULL};
    rp_error_clear(&err);
    ASSERT_EQ(tdb_add(&t, badid, &err), RP_EDOC);
    ASSERT(strstr(err.msg, "id") != NULL);
    ASSERT_STR_EQ(tdb_ids(&t, "otter"), "");
    rp_stats st;
    stats_of(&t, &st);
    ASSERT_EQ(st.ndocs, 1);
    tdb_close(&t);
}

static void test_last_operation_wins(void)
{
    tdb t;
    tdb_open(&t);
    rp_batch *b;
    ASSERT_OK(rp_batch_new(t.ix, NULL, &b));
    const char *d1 = "{\"id\":\"a\",\"text\":\"first\"}";
    const char *d2 = "{\"id\":\"a\",\"text\":\"second\"}";
    const char *d3 = "{\"id\":\"b\",\"text\":\"second\"}";
    ASSERT_OK(rp_batch_add_json(b, d1, strlen(d1), NULL, 0));
    ASSERT_OK(rp_batch_add_json(b, d2, strlen(d2), NULL, 0));
    ASSERT_OK(rp_batch_add_json(b, d3, strlen(d3), NULL, 0));
    ASSERT_OK(rp_batch_delete(b, "b", 1));
    ASSERT_EQ(rp_batch_delete(b, "bad id", 6), RP_EDOC);
    rp_batch_result res;
    ASSERT_OK(rp_batch_commit(b, &res, NULL));
    ASSERT_EQ(res.added, 1);
    ASSERT_STR_EQ(tdb_ids(&t, "first"), "");
    ASSERT_STR_EQ(tdb_ids(&t, "second"), "a");
    ASSERT_EQ(rp_batch_size(b), 0);
    rp_batch_free(b);
    tdb_close(&t);
}

/* Hits as "docid:score" text (by_id: "external id:score"), to compare two
 * indexes exactly. */
static void hits_text(tdb *t, const char *q, int by_id, char *out, size_t cap)
{
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    rp_search_opts o;
    rp_search_opts_init(&o);
    o.limit = 50;
    rp_results r;
    ASSERT_OK(rp_search_text(txn, t->an, q, strlen(q), &o, &r));
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r.nhits && n < cap; i++) {
        size_t idlen = 0;
        const char *id = by_id ? tdb_doc_id(txn, r.hits[i].doc, &idlen) : "";
        if (by_id)
            n += (size_t)snprintf(out + n, cap - n, "%.*s:%.12g ", (int)idlen,
                                  id, r.hits[i].score);
        else
            n += (size_t)snprintf(out + n, cap - n, "%u:%.12g ",
                                  r.hits[i].doc, r.hits[i].score);
    }
    rp_results_fini(&r);
    rp_txn_abort(txn);
}

/* 1500 documents, each with a word of its own, so the bulk batch has
 * enough documents for two analysis threads and enough terms (over 1024)
 * for the parallel, buffered posting encoder. */
#define NDOCS 1500

static void test_incremental_equals_bulk(void)
{
    tdb bulk, inc;
    tdb_open(&bulk);
    tdb_open(&inc);
    static const char *words[] = {"grief", "loss", "sleep", "anxiety",
                                  "panic", "trauma", "calm", "family"};
    static char line[NDOCS][160];
    const char **all = calloc(NDOCS + 1, sizeof *all);
    ASSERT(all != NULL);
    for (int i = 0; i < NDOCS; i++) {
        snprintf(line[i], sizeof line[i],
                 "{\"id\":\"n%d\",\"title\":\"%s\",\"text\":\"%s %s %s "
                 "uniq%d\"}",
                 i, words[i % 8], words[(i * 3) % 8], words[(i * 5 + 1) % 8],
                 words[(i / 7) % 8], i);
        all[i] = line[i];
    }
    tdb_add_ok(&bulk, all);
    for (int i = 0; i < NDOCS; i += 137) {
        const char *part[138];
        int n = 0;
        for (int j = i; j < i + 137 && j < NDOCS; j++)
            part[n++] = line[j];
        part[n] = NULL;
        tdb_add_ok(&inc, part);
    }
    free(all);
    char a[8192], b[8192];
    for (int w = 0; w < 8; w++) {
        hits_text(&bulk, words[w], 0, a, sizeof a);
        hits_text(&inc, words[w], 0, b, sizeof b);
        ASSERT_STR_EQ(a, b);
    }
    static const char *probes[] = {"grief sleep panic", "uniq0", "uniq777",
                                   "uniq1499 calm", "uniq1000 uniq1001"};
    for (size_t q = 0; q < sizeof probes / sizeof probes[0]; q++) {
        hits_text(&bulk, probes[q], 0, a, sizeof a);
        hits_text(&inc, probes[q], 0, b, sizeof b);
        ASSERT_STR_EQ(a, b);
        ASSERT(a[0] != '\0');
    }
    rp_txn *t1, *t2;
    rp_stats s1, s2;
    ASSERT_OK(rp_txn_begin(bulk.ix, 0, &t1));
    ASSERT_OK(rp_txn_begin(inc.ix, 0, &t2));
    ASSERT_OK(rp_txn_stats(t1, &s1));
    ASSERT_OK(rp_txn_stats(t2, &s2));
    ASSERT_EQ(s1.ndocs, NDOCS);
    ASSERT_EQ(s1.ndocs, s2.ndocs);
    for (int f = 0; f < RP_NFIELDS; f++)
        ASSERT_EQ(s1.fieldlen[f], s2.fieldlen[f]);
    rp_txn_abort(t1);
    rp_txn_abort(t2);
    tdb_close(&bulk);
    tdb_close(&inc);
}

static void test_readers_keep_snapshot(void)
{
    tdb t;
    tdb_open(&t);
    const char *v1[] = {"{\"id\":\"a\",\"text\":\"heron\"}", NULL};
    tdb_add_ok(&t, v1);
    rp_txn *old;
    ASSERT_OK(rp_txn_begin(t.ix, 0, &old));
    const char *v2[] = {"{\"id\":\"b\",\"text\":\"heron\"}", NULL};
    tdb_add_ok(&t, v2); /* the writer is not blocked by the reader */
    rp_stats st;
    ASSERT_OK(rp_txn_stats(old, &st));
    ASSERT_EQ(st.ndocs, 1);
    rp_txn_abort(old);
    uint64_t total;
    char out[64];
    ASSERT_OK(tdb_query(&t, "heron", NULL, out, sizeof out, &total));
    ASSERT_EQ(total, 2);
    tdb_close(&t);
}

/* With many chunks spread over workers, the error reported is the first
 * bad line of the input, whichever thread met it first. */
static void test_first_error_wins_across_workers(void)
{
    tdb t;
    tdb_open(&t);
    enum { N = 6000 };
    static char line[N][64];
    const char **docs = calloc(N + 1, sizeof *docs);
    ASSERT(docs != NULL);
    for (int i = 0; i < N; i++) {
        if (i == 3499 || i == 5799)
            snprintf(line[i], sizeof line[i], "{\"id\":\"x%d\",\"title\":7}",
                     i);
        else
            snprintf(line[i], sizeof line[i],
                     "{\"id\":\"x%d\",\"text\":\"owl%d\"}", i, i);
        docs[i] = line[i];
    }
    rp_error err;
    rp_error_clear(&err);
    ASSERT_EQ(tdb_add(&t, docs, &err), RP_EDOC);
    ASSERT_EQ(err.line, 3500);
    ASSERT(strstr(err.msg, "t:3500:") != NULL);
    ASSERT(strstr(err.msg, "title") != NULL);
    ASSERT_STR_EQ(tdb_ids(&t, "owl1"), "");
    free(docs);
    tdb_close(&t);
}

/* ---- staging: a bulk batch stores records ahead (src/ingest.c) ---------- */

#define SDOCS 5000 /* five chunks of 1,024 operations */

/* Line i of the staging corpus: specialists with a concern and fees, and
 * two versions of id "dup" (line 10 and line 4500, the later wins), and a
 * deletion of "gone" (added at line 20) at line 4600. */
static const char *staged_line(int i, char *buf, size_t cap)
{
    static const char *concern[] = {"grief", "anxiety", "trauma", "sleep"};
    if (i == 10)
        snprintf(buf, cap, "{\"id\":\"dup\",\"type\":\"specialist\",\"name\":"
                           "\"oldword\",\"concerns\":[\"oldtag\"],"
                           "\"fee_min\":1,\"fee_max\":2}");
    else if (i == 4500)
        snprintf(buf, cap, "{\"id\":\"dup\",\"type\":\"specialist\",\"name\":"
                           "\"newword\",\"concerns\":[\"newtag\"]}");
    else
        snprintf(buf, cap,
                 "{\"id\":\"%s%d\",\"type\":\"specialist\",\"name\":\"%s "
                 "uniq%d\",\"concerns\":[\"%s\"],\"fee_min\":%d,"
                 "\"fee_max\":%d}",
                 i == 20 ? "gone" : "s", i == 20 ? 0 : i, concern[i % 4], i,
                 concern[(i / 4) % 4], 40 + i % 50, 90 + i % 50);
    return buf;
}

/* Builds the staging corpus into t with stage_every (RP_BATCH_UNSTAGED:
 * never) and two threads; progress (may be NULL) sees the phases. Staged
 * postings are committed after each range of terms (stage_bytes 1). */
static int staged_build(tdb *t, unsigned stage_every, rp_progress_cb progress,
                        rp_error *err)
{
    rp_batch *b;
    rp_batch_opts o = {2, progress, NULL, stage_every, 1};
    ASSERT_OK(rp_batch_new(t->ix, &o, &b));
    char line[512];
    for (int i = 0; i < SDOCS; i++) {
        if (i == 4600) {
            ASSERT_OK(rp_batch_delete(b, "gone0", 5));
            continue;
        }
        const char *l = staged_line(i, line, sizeof line);
        ASSERT_OK(rp_batch_add_json(b, l, strlen(l), "s", (long)i + 1));
    }
    int rc = rp_batch_commit(b, NULL, err);
    rp_batch_free(b);
    return rc;
}

/* Documents in the stored set of (facet, value). */
static uint64_t facet_count(tdb *t, int facet, const char *v)
{
    rp_txn *txn;
    rp_docset *set;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    ASSERT_OK(rp_txn_facet_get(txn, facet, v, strlen(v), &set));
    uint64_t n = rp_docset_count(set);
    rp_docset_free(set);
    rp_txn_abort(txn);
    return n;
}

/* Whether a document record is stored under docid doc. */
static int record_at(tdb *t, rp_docid doc)
{
    rp_txn *txn;
    const void *rec;
    size_t len;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    int rc = rp_txn_doc_get(txn, doc, &rec, &len);
    rp_txn_abort(txn);
    ASSERT(rc == 0 || rc == RP_ENOTFOUND);
    return rc == 0;
}

/* A staged build answers exactly as an unstaged one: hits and scores,
 * statistics, facets, fees; the later "dup" wins and the deleted id is
 * gone. Staging numbers every operation (next_docid shows it ran). */
static void test_staged_equals_unstaged(void)
{
    tdb st, un;
    tdb_open(&st);
    tdb_open(&un);
    ASSERT_OK(staged_build(&st, 1, NULL, NULL));
    ASSERT_OK(staged_build(&un, RP_BATCH_UNSTAGED, NULL, NULL));
    rp_stats a, b;
    stats_of(&st, &a);
    stats_of(&un, &b);
    ASSERT_EQ(a.ndocs, SDOCS - 3); /* dup's first version, gone0, the delete */
    ASSERT_EQ(a.ndocs, b.ndocs);
    for (int f = 0; f < RP_NFIELDS; f++)
        ASSERT_EQ(a.fieldlen[f], b.fieldlen[f]);
    ASSERT_EQ(a.next_docid, SDOCS + 1);
    ASSERT_EQ(b.next_docid, SDOCS - 2);
    static const char *probes[] = {"grief", "anxiety trauma", "uniq7",
                                   "uniq4999 sleep", "oldword", "newword",
                                   "uniq20"};
    char x[4096], y[4096];
    for (size_t q = 0; q < sizeof probes / sizeof probes[0]; q++) {
        hits_text(&st, probes[q], 1, x, sizeof x);
        hits_text(&un, probes[q], 1, y, sizeof y);
        ASSERT_STR_EQ(x, y);
    }
    hits_text(&st, "newword", 1, x, sizeof x);
    ASSERT(strncmp(x, "dup:", 4) == 0);
    hits_text(&st, "oldword uniq20", 1, x, sizeof x);
    ASSERT_STR_EQ(x, "");
    ASSERT_EQ(facet_count(&st, RP_FACET_CONCERNS, "oldtag"), 0);
    ASSERT_EQ(facet_count(&st, RP_FACET_CONCERNS, "newtag"), 1);
    ASSERT_EQ(facet_count(&st, RP_FACET_CONCERNS, "grief"),
              facet_count(&un, RP_FACET_CONCERNS, "grief"));
    ASSERT(facet_count(&st, RP_FACET_CONCERNS, "grief") > 1000);
    /* Fees: dup's first version had some, its second has none. */
    rp_txn *txn;
    rp_fees fee;
    rp_docid dup;
    ASSERT_OK(rp_txn_begin(st.ix, 0, &txn));
    ASSERT_OK(rp_txn_id_get(txn, "dup", 3, &dup));
    ASSERT_OK(rp_txn_fees_get(txn, dup, &fee));
    ASSERT_EQ(fee.known, 0);
    ASSERT_OK(rp_txn_fees_get(txn, 1 + 10, &fee)); /* dup's first docid */
    ASSERT_EQ(fee.known, 0);
    rp_docid s7;
    ASSERT_OK(rp_txn_id_get(txn, "s7", 2, &s7));
    ASSERT_OK(rp_txn_fees_get(txn, s7, &fee));
    ASSERT_EQ(fee.known, 1);
    ASSERT(fee.min == 47 && fee.max == 97);
    rp_txn_abort(txn);
    ASSERT(!record_at(&st, 1 + 10)); /* the dropped version's record */
    ASSERT(!record_at(&st, 1 + 20)); /* gone0's */
    tdb_close(&st);
    tdb_close(&un);
}

static void exit_at_write(void *ctx, const char *phase, uint64_t done,
                          uint64_t total)
{
    (void)ctx;
    (void)done;
    (void)total;
    if (strcmp(phase, "write") == 0)
        raise(SIGKILL); /* dies between its staged and its last transaction */
}

/* Dies once the first range of terms has its posting blocks committed,
 * its encoding threads still running. */
static void exit_mid_write(void *ctx, const char *phase, uint64_t done,
                           uint64_t total)
{
    (void)ctx;
    if (strcmp(phase, "write") == 0 && done > 0 && done < total)
        raise(SIGKILL);
}

/* Whether the index holds no dictionary entry and no posting block. */
static int postings_empty(tdb *t)
{
    rp_txn *txn;
    int empty;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    ASSERT_OK(rp_txn_postings_empty(txn, &empty));
    rp_txn_abort(txn);
    return empty;
}

/* A staging batch that dies (in die) leaves records no reader reaches;
 * the next batch, staged or not, sweeps them and commits. With
 * blocks_staged, it died after committing posting blocks: the sweep takes
 * them too. */
static void leftovers_swept(rp_progress_cb die, int blocks_staged)
{
    for (int next_staged = 0; next_staged < 2; next_staged++) {
        tdb t;
        tdb_open(&t);
        rp_index_close(t.ix); /* the child opens its own */
        pid_t pid = t_fork();
        if (pid == 0) {
            rp_index *ix;
            if (rp_index_open(t.dir, NULL, &ix, NULL) != 0)
                _exit(2);
            t.ix = ix;
            staged_build(&t, 1, die, NULL);
            _exit(3); /* not reached */
        }
        t_wait_killed(pid);
        ASSERT_OK(rp_index_open(t.dir, NULL, &t.ix, NULL));
        rp_stats s;
        stats_of(&t, &s);
        ASSERT_EQ(s.ndocs, 0);
        ASSERT(record_at(&t, 1));    /* what the dead batch staged */
        ASSERT_STR_EQ(tdb_ids(&t, "uniq7"), "");
        ASSERT_STR_EQ(tdb_ids(&t, "grief"), "");
        ASSERT_EQ(postings_empty(&t), !blocks_staged);
        if (blocks_staged) {
            /* The sweep itself, in a transaction left uncommitted. */
            rp_txn *txn;
            size_t swept = 0;
            ASSERT_OK(rp_txn_begin(t.ix, 1, &txn));
            ASSERT_OK(rp_txn_sweep_staged(txn, (rp_docid)s.next_docid,
                                          &swept));
            int empty;
            ASSERT_OK(rp_txn_postings_empty(txn, &empty));
            ASSERT(empty);
            ASSERT(swept > SDOCS); /* the records, and blocks besides */
            rp_txn_abort(txn);
        }
        if (next_staged) {
            ASSERT_OK(staged_build(&t, 1, NULL, NULL));
            stats_of(&t, &s);
            ASSERT_EQ(s.ndocs, SDOCS - 3);
            ASSERT_STR_EQ(tdb_ids(&t, "uniq7"), "s7");
        } else {
            const char *one[] = {"{\"id\":\"solo\",\"text\":\"kestrel\"}",
                                 NULL};
            tdb_add_ok(&t, one);
            stats_of(&t, &s);
            ASSERT_EQ(s.ndocs, 1);
            ASSERT_EQ(s.next_docid, 2);
            ASSERT(!record_at(&t, 2));
            ASSERT(!record_at(&t, SDOCS));
            ASSERT_STR_EQ(tdb_ids(&t, "kestrel"), "solo");
            ASSERT_STR_EQ(tdb_ids(&t, "grief"), "");
            rp_index_space sp;
            ASSERT_OK(rp_index_space_get(t.ix, &sp));
            ASSERT_EQ(sp.nterms, 1);
            ASSERT(sp.postings <= 4096); /* solo's block, one page */
        }
        tdb_close(&t);
    }
}

static void test_staged_leftovers_swept(void)
{
    leftovers_swept(exit_at_write, 0);
}

static void test_staged_blocks_swept(void)
{
    leftovers_swept(exit_mid_write, 1);
}

/* A bad document fails a staging batch whole: nothing is found, nothing
 * stays stored, and the index takes the next batch. */
static void test_staged_failure_sweeps(void)
{
    tdb t;
    tdb_open(&t);
    rp_batch *b;
    rp_batch_opts o = {2, NULL, NULL, 1, 0};
    ASSERT_OK(rp_batch_new(t.ix, &o, &b));
    char line[512];
    for (int i = 0; i < SDOCS; i++) {
        const char *l = i == SDOCS - 1 ? "{\"id\":\"bad\",\"title\":7}"
                                        : staged_line(i, line, sizeof line);
        ASSERT_OK(rp_batch_add_json(b, l, strlen(l), "s", (long)i + 1));
    }
    rp_error err;
    rp_error_clear(&err);
    ASSERT(rp_batch_commit(b, NULL, &err) != 0);
    ASSERT(strstr(err.msg, "s:5000:") != NULL);
    rp_batch_free(b);
    rp_stats s;
    stats_of(&t, &s);
    ASSERT_EQ(s.ndocs, 0);
    for (rp_docid d = 1; d <= SDOCS; d += 499)
        ASSERT(!record_at(&t, d));
    ASSERT_STR_EQ(tdb_ids(&t, "uniq7"), "");
    ASSERT_OK(staged_build(&t, 1, NULL, NULL));
    ASSERT_STR_EQ(tdb_ids(&t, "uniq7"), "s7");
    tdb_close(&t);
}

/* The writer lock keeps another process's writer out until released. */
static void test_writer_lock_excludes(void)
{
    tdb t;
    tdb_open(&t);
    ASSERT_OK(rp_index_writer_hold(t.ix));
    pid_t pid = t_fork();
    if (pid == 0) {
        rp_index *ix;
        rp_txn *txn;
        if (rp_index_open(t.dir, NULL, &ix, NULL) != 0 ||
            rp_txn_begin(ix, 1, &txn) != 0 || rp_txn_commit(txn) != 0)
            _exit(2);
        rp_index_close(ix);
        _exit(0);
    }
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    int status;
    ASSERT_EQ(waitpid(pid, &status, WNOHANG), 0); /* still waiting */
    const char *one[] = {"{\"id\":\"a\",\"text\":\"wren\"}", NULL};
    tdb_add_ok(&t, one); /* the holder's thread still writes */
    rp_index_writer_release(t.ix);
    t_wait_ok(pid);
    tdb_close(&t);
}

static const t_case cases[] = {
    T(test_first_error_wins_across_workers),
    T(test_upsert_replaces),
    T(test_delete_hides_at_once),
    T(test_bad_document_fails_batch),
    T(test_last_operation_wins),
    T(test_incremental_equals_bulk),
    T(test_readers_keep_snapshot),
    T(test_staged_equals_unstaged),
    T(test_staged_leftovers_swept),
    T(test_staged_blocks_swept),
    T(test_staged_failure_sweeps),
    T(test_writer_lock_excludes),
    {NULL, NULL},
};

T_MAIN(cases)

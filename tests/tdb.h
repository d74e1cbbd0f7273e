/* SPDX-License-Identifier: MIT */
/*
 * tdb.h: helpers shared by the tests that need a real index: a fresh index
 * in a mkdtemp directory, committing JSON lines, running a query and
 * mapping hits back to external ids. Test code only; every helper fails the
 * test on error.
 */
#ifndef RAPPORT_TDB_H
#define RAPPORT_TDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/analyze.h"
#include "rapport/doc.h"
#include "rapport/index.h"
#include "rapport/ingest.h"
#include "rapport/query.h"
#include "rapport/search.h"
#include "t.h"

typedef struct tdb {
    char dir[64];
    rp_index *ix;
    rp_analyzer *an;
} tdb;

static inline void tdb_open(tdb *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/rapport-test-XXXXXX");
    ASSERT(mkdtemp(t->dir) != NULL);
    rp_error err;
    rp_error_clear(&err);
    ASSERT_OK(rp_index_open(t->dir, NULL, &t->ix, &err));
    ASSERT_OK(rp_analyzer_new(rp_index_lang(t->ix), &t->an));
}

static inline void tdb_close(tdb *t)
{
    rp_analyzer_free(t->an);
    rp_index_close(t->ix);
    t_rm_rf(t->dir);
}

/* Commits NULL-terminated JSON lines as one batch; returns the rc. */
static inline int tdb_add(tdb *t, const char *const *lines, rp_error *err)
{
    rp_batch *b;
    /* Four workers whatever the machine: the threaded paths always run. */
    rp_batch_opts o = {4, NULL, NULL, 0, 0};
    ASSERT_OK(rp_batch_new(t->ix, &o, &b));
    for (size_t i = 0; lines[i]; i++)
        ASSERT_OK(rp_batch_add_json(b, lines[i], strlen(lines[i]), "t", 
                                    (long)i + 1));
    int rc = rp_batch_commit(b, NULL, err);
    rp_batch_free(b);
    return rc;
}

static inline void tdb_add_ok(tdb *t, const char *const *lines)
{
    rp_error err;
    rp_error_clear(&err);
    int rc = tdb_add(t, lines, &err);
    if (rc != 0)
        T_FAIL("batch failed: %s", err.msg);
}

/* The external id of stored document doc (in txn's map). */
static inline const char *tdb_doc_id(rp_txn *txn, rp_docid doc, size_t *len)
{
    const void *rec;
    size_t reclen;
    const char *id;
    rp_doctype type;
    ASSERT_OK(rp_txn_doc_get(txn, doc, &rec, &reclen));
    ASSERT_OK(rp_doc_record_id(rec, reclen, &type, &id, len));
    return id;
}

/* Writes the external ids of r's hits, space-separated, into out. */
static inline void tdb_hit_ids(rp_txn *txn, const rp_results *r, char *out,
                               size_t cap)
{
    out[0] = '\0';
    size_t n = 0;
    for (size_t i = 0; i < r->nhits; i++) {
        size_t idlen;
        const char *id = tdb_doc_id(txn, r->hits[i].doc, &idlen);
        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%.*s",
                              i ? " " : "", (int)idlen, id);
    }
}

/* Runs a structured query; writes the hits' ids, space-separated, into
 * out. */
static inline int tdb_query(tdb *t, const char *q, const rp_search_opts *o,
                            char *out, size_t cap, uint64_t *total)
{
    rp_query *query;
    rp_error err;
    rp_error_clear(&err);
    int rc = rp_query_parse(q, strlen(q), &query, &err);
    if (rc != 0)
        return rc;
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    rp_search_opts def;
    rp_search_opts_init(&def);
    rp_results r;
    rc = rp_search(txn, t->an, query, o ? o : &def, &r);
    out[0] = '\0';
    if (rc == 0)
        tdb_hit_ids(txn, &r, out, cap);
    if (total)
        *total = r.total;
    rp_results_fini(&r);
    rp_txn_abort(txn);
    rp_query_free(query);
    return rc;
}

/* The ids matching q, space-separated, best first. */
static inline const char *tdb_ids(tdb *t, const char *q)
{
    static char out[4096];
    ASSERT_OK(tdb_query(t, q, NULL, out, sizeof out, NULL));
    return out;
}

#endif

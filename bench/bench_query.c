/* SPDX-License-Identifier: MIT */
/*
 * bench_query: runs the query lines of a file (default
 * ../shared/data/bench/queries.txt) against an index (default
 * build/bench/index.db, built by bench_index) as OR, AND or phrase
 * queries, by the rule the peers share (bench/harness.h), top 10, without
 * an exact total count. One untimed warm-up pass, then timed passes; each
 * query's time covers parsing, its read transaction and the search.
 * Prints one result line (bench/harness.h). Usage:
 *   bench_query [QUERIES [DBDIR [PASSES [or|and|phrase]]]]
 * RP_BENCH_SLOWEST=N names the N slowest queries of the first timed pass
 * (5 when N is not a number); RP_BENCH_EXHAUSTIVE=1 turns pruning off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rapport/analyze.h"
#include "rapport/index.h"
#include "rapport/query.h"
#include "rapport/search.h"

/* rapport's query syntax for q: "a b" (plain words are OR-ed), "+a +b"
 * (each word required) or "\"a b\"" (a phrase). Words are [a-z0-9]+, so
 * nothing needs escaping. */
static void query_string(const bh_query *q, bh_mode m, char *out, size_t cap)
{
    size_t at = 0;
    if (m == BH_PHRASE)
        at += (size_t)snprintf(out + at, cap - at, "\"");
    for (size_t i = 0; i < q->nwords && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s%s%s",
                               i ? " " : "", m == BH_AND ? "+" : "",
                               q->words[i]);
    if (m == BH_PHRASE && at < cap)
        snprintf(out + at, cap - at, "\"");
}

/* Runs one query; adds its hits to *hits. */
static int run(rp_index *ix, rp_analyzer *an, const char *q,
               const rp_search_opts *o, uint64_t *hits)
{
    rp_error err;
    rp_error_clear(&err);
    rp_query *pq;
    int rc = rp_query_parse(q, strlen(q), &pq, &err);
    if (rc != 0)
        return rc;
    rp_txn *txn;
    rp_results r;
    memset(&r, 0, sizeof r);
    rc = rp_txn_begin(ix, 0, &txn);
    if (rc == 0) {
        rc = rp_search(txn, an, pq, o, &r);
        rp_txn_abort(txn);
    }
    *hits += r.nhits;
    rp_results_fini(&r);
    rp_query_free(pq);
    return rc;
}

int main(int argc, char **argv)
{
    const char *qfile = argc > 1 ? argv[1] : "../shared/data/bench/queries.txt";
    const char *db = argc > 2 ? argv[2] : "build/bench/index.db";
    int passes = argc > 3 ? atoi(argv[3]) : 3;
    bh_mode m = BH_OR;
    if (passes < 1 || (argc > 4 && bh_mode_parse(argv[4], &m) != 0)) {
        fprintf(stderr, "usage: bench_query [QUERIES [DBDIR [PASSES "
                        "[or|and|phrase]]]]\n");
        return 2;
    }
    bh_query *qs;
    long n = bh_queries_load(qfile, m, &qs);
    if (n <= 0)
        return 1;
    char(*text)[1024] = malloc((size_t)n * sizeof *text);
    double *lat = malloc((size_t)n * passes * sizeof *lat);
    rp_index *ix;
    rp_analyzer *an;
    rp_index_opts io = {NULL, 0, 1, 0};
    /* RP_BENCH_MAP_MB: a smaller LMDB map, for valgrind (see
     * bench_index.c). */
    if (getenv("RP_BENCH_MAP_MB"))
        io.map_size = (size_t)atol(getenv("RP_BENCH_MAP_MB")) << 20;
    rp_error err;
    rp_error_clear(&err);
    if (text == NULL || lat == NULL ||
        rp_index_open(db, &io, &ix, &err) != 0) {
        fprintf(stderr, "bench_query: no index: %s\n", err.msg);
        return 1;
    }
    for (long i = 0; i < n; i++)
        query_string(&qs[i], m, text[i], sizeof text[i]);
    bh_queries_free(qs, n);
    if (rp_analyzer_new(rp_index_lang(ix), &an) != 0)
        return 1;
    rp_search_opts o;
    rp_search_opts_init(&o);
    o.limit = 10;
    o.count = 0;
    /* RP_BENCH_EXHAUSTIVE=1 scores every match, to see what pruning buys;
     * RP_BENCH_TYPO=1 turns typo tolerance on, to see what it costs. */
    o.exhaustive = getenv("RP_BENCH_EXHAUSTIVE") != NULL;
    o.typo = getenv("RP_BENCH_TYPO") != NULL;
    uint64_t hits = 0;
    for (long i = 0; i < n; i++) {
        int rc = run(ix, an, text[i], &o, &hits);
        if (rc != 0) {
            fprintf(stderr, "bench_query: query %ld: %s\n", i + 1,
                    rp_strerror(rc));
            return 1;
        }
    }
    hits = 0;
    double t0 = bh_now();
    for (int p = 0; p < passes; p++)
        for (long i = 0; i < n; i++) {
            double t = bh_now();
            if (run(ix, an, text[i], &o, &hits) != 0)
                return 1;
            lat[p * n + i] = (bh_now() - t) * 1e3;
        }
    double secs = bh_now() - t0;
    if (getenv("RP_BENCH_SLOWEST")) {
        /* The slowest queries of the first timed pass, to see what the
         * tail is made of. */
        long want = atol(getenv("RP_BENCH_SLOWEST"));
        if (want <= 0)
            want = 5;
        double *first = malloc((size_t)n * sizeof *first);
        for (long top = 0; first && top < want && top < n; top++) {
            if (top == 0)
                memcpy(first, lat, (size_t)n * sizeof *first);
            long worst = 0;
            for (long i = 1; i < n; i++)
                if (first[i] > first[worst])
                    worst = i;
            printf("  slow: %.3f ms  %s\n", first[worst], text[worst]);
            first[worst] = -1;
        }
        free(first);
    }
    bh_print_query(o.typo ? "rapport-typo" : "rapport", m, lat,
                   (size_t)n * passes, (size_t)n, passes,
                   secs, hits);
    free(lat);
    free(text);
    rp_analyzer_free(an);
    rp_index_close(ix);
    return 0;
}

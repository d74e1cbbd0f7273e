/* SPDX-License-Identifier: MIT */
/*
 * bench_query: runs every line of a query file (default
 * ../shared/data/bench/queries.txt) against an index (default
 * build/bench/index.db, built by bench_index): words OR-ed, quoted phrases
 * as phrases, top 10. One untimed warm-up pass, then timed passes; prints
 * p50/p95/p99 latency, queries/s and peak RSS. Usage:
 *   bench_query [QUERIES [DBDIR [PASSES]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rapport/analyze.h"
#include "rapport/index.h"
#include "rapport/query.h"
#include "rapport/search.h"

#define MAX_QUERIES 100000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p * (n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* Runs all queries once; fills lat (ms) when non-NULL. */
static int pass(rp_index *ix, rp_analyzer *an, rp_query **qs, size_t n,
                const rp_search_opts *o, double *lat, uint64_t *hits)
{
    for (size_t i = 0; i < n; i++) {
        double t0 = now();
        rp_txn *txn;
        rp_results r;
        int rc = rp_txn_begin(ix, 0, &txn);
        if (rc == 0)
            rc = rp_search(txn, an, qs[i], o, &r);
        rp_txn_abort(txn);
        if (rc != 0) {
            fprintf(stderr, "bench_query: query %zu: %s\n", i + 1,
                    rp_strerror(rc));
            return rc;
        }
        *hits += r.nhits;
        rp_results_fini(&r);
        if (lat)
            lat[i] = (now() - t0) * 1e3;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *qfile = argc > 1 ? argv[1] : "../shared/data/bench/queries.txt";
    const char *db = argc > 2 ? argv[2] : "build/bench/index.db";
    int passes = argc > 3 ? atoi(argv[3]) : 3;
    FILE *f = fopen(qfile, "r");
    if (f == NULL) {
        perror(qfile);
        return 1;
    }
    rp_query **qs = calloc(MAX_QUERIES, sizeof *qs);
    char line[4096];
    size_t n = 0;
    while (qs && n < MAX_QUERIES && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        rp_error err;
        rp_error_clear(&err);
        if (len == 0 || rp_query_parse(line, len, &qs[n], &err) != 0)
            continue;
        n++;
    }
    fclose(f);
    rp_index *ix;
    rp_analyzer *an;
    rp_index_opts io = {NULL, 0, 1, 0};
    rp_error err;
    rp_error_clear(&err);
    if (n == 0 || rp_index_open(db, &io, &ix, &err) != 0) {
        fprintf(stderr, "bench_query: no queries or no index: %s\n", err.msg);
        return 1;
    }
    if (rp_analyzer_new(rp_index_lang(ix), &an) != 0)
        return 1;
    double *lat = malloc(n * passes * sizeof *lat);
    rp_search_opts o;
    rp_search_opts_init(&o);
    o.limit = 10;
    o.count = 0;
    /* RP_BENCH_EXHAUSTIVE=1 scores every match, to see what pruning buys;
     * RP_BENCH_TYPO=1 turns typo tolerance on, to see what it costs. */
    o.exhaustive = getenv("RP_BENCH_EXHAUSTIVE") != NULL;
    o.typo = getenv("RP_BENCH_TYPO") != NULL;
    uint64_t hits = 0;
    if (lat == NULL || pass(ix, an, qs, n, &o, NULL, &hits) != 0)
        return 1;
    double t0 = now();
    for (int p = 0; p < passes; p++)
        if (pass(ix, an, qs, n, &o, lat + p * n, &hits) != 0)
            return 1;
    double secs = now() - t0;
    size_t m = n * passes;
    if (getenv("RP_BENCH_SLOWEST")) {
        /* The five slowest queries of the first timed pass, to see what
         * the tail is made of. */
        for (int top = 0; top < 5; top++) {
            size_t worst = 0;
            for (size_t i = 1; i < n; i++)
                if (lat[i] > lat[worst])
                    worst = i;
            printf("  slow: %.3f ms  %s\n", lat[worst],
                   rp_query_text(qs[worst]));
            lat[worst] = -lat[worst];
        }
        for (size_t i = 0; i < n; i++)
            if (lat[i] < 0)
                lat[i] = -lat[i];
    }
    qsort(lat, m, sizeof *lat, cmp_double);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("queries%s: %zu x %d passes, top 10, no exact count: p50 %.3f ms, "
           "p95 %.3f ms, p99 %.3f ms, %.0f queries/s, peak RSS %.0f MB\n",
           o.typo ? " (typo tolerance)" : "", n, passes, pct(lat, m, 0.50), pct(lat, m, 0.95),
           pct(lat, m, 0.99), m / secs, ru.ru_maxrss / 1024.0);
    o.count = 1;
    hits = 0;
    t0 = now();
    if (pass(ix, an, qs, n, &o, lat, &hits) != 0)
        return 1;
    secs = now() - t0;
    qsort(lat, n, sizeof *lat, cmp_double);
    printf("queries with exact total count: p50 %.3f ms, p95 %.3f ms, "
           "p99 %.3f ms\n",
           pct(lat, n, 0.50), pct(lat, n, 0.95), pct(lat, n, 0.99));
    free(lat);
    for (size_t i = 0; i < n; i++)
        rp_query_free(qs[i]);
    free(qs);
    rp_analyzer_free(an);
    rp_index_close(ix);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * bench_index: builds an index from scratch from a corpus file (default
 * ../shared/data/bench/docs.jsonl.gz) into a fresh directory and prints
 * documents/s, index bytes and peak RSS. Usage:
 *   bench_index [CORPUS [DBDIR]]
 * The index is left in DBDIR (default build/bench/index.db) for
 * bench_query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rapport/feed.h"
#include "rapport/index.h"
#include "rapport/ingest.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Phase start times, from the batch's progress reports. */
typedef struct phases {
    const char *name[8];
    double begin[8];
    int n;
} phases;

static void on_progress(void *ctx, const char *phase, uint64_t done,
                        uint64_t total)
{
    phases *p = ctx;
    (void)done;
    (void)total;
    if (p->n > 0 && strcmp(p->name[p->n - 1], phase) == 0)
        return;
    if (p->n < 8) {
        p->name[p->n] = phase;
        p->begin[p->n++] = now();
    }
}

int main(int argc, char **argv)
{
    const char *corpus = argc > 1 ? argv[1]
                                  : "../shared/data/bench/docs.jsonl.gz";
    const char *db = argc > 2 ? argv[2] : "build/bench/index.db";
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", db);
    if (system(cmd) != 0)
        return 1;
    rp_error err;
    rp_error_clear(&err);
    rp_index *ix;
    int rc = rp_index_open(db, NULL, &ix, &err);
    if (rc != 0) {
        fprintf(stderr, "bench_index: %s\n", err.msg);
        return 1;
    }
    double t0 = now();
    rp_batch *b;
    uint64_t docs = 0;
    phases ph;
    memset(&ph, 0, sizeof ph);
    rp_batch_opts bo = {0, on_progress, &ph};
    rc = rp_batch_new(ix, &bo, &b);
    if (rc == 0)
        rc = rp_feed_path(b, corpus, NULL, NULL, &docs, &err);
    double t1 = now();
    rp_batch_result res;
    if (rc == 0)
        rc = rp_batch_commit(b, &res, &err);
    double t2 = now();
    rp_batch_free(b);
    if (rc != 0) {
        fprintf(stderr, "bench_index: %s\n", err.code ? err.msg
                                                       : rp_strerror(rc));
        rp_index_close(ix);
        return 1;
    }
    uint64_t bytes = rp_index_disk_bytes(ix);
    rp_index_space sp;
    rc = rp_index_space_get(ix, &sp);
    rp_index_close(ix);
    if (rc != 0)
        return 1;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("index build: %llu documents, %llu tokens, %llu terms, %llu "
           "postings\n",
           (unsigned long long)res.added, (unsigned long long)res.tokens,
           (unsigned long long)res.terms, (unsigned long long)res.postings);
    printf("  read %.2f s, parse+analyze+write %.2f s, total %.2f s: "
           "%.0f documents/s\n",
           t1 - t0, t2 - t1, t2 - t0, res.added / (t2 - t0));
    printf("  phases:");
    for (int i = 0; i < ph.n; i++)
        printf(" %s %.2f s", ph.name[i],
               (i + 1 < ph.n ? ph.begin[i + 1] : t2) - ph.begin[i]);
    printf(" (the last includes the commit)\n");
    printf("  index %.1f MB on disk, peak RSS %.0f MB, CPU %.2f s user "
           "%.2f s system\n",
           bytes / 1e6, ru.ru_maxrss / 1024.0,
           ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
           ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
    printf("  postings+positions %.1f MB, dictionary %.1f MB, norms %.1f "
           "MB, stored documents %.1f MB, id map %.1f MB\n",
           sp.postings / 1e6, sp.terms / 1e6, sp.norms / 1e6, sp.docs / 1e6,
           sp.ids / 1e6);
    return 0;
}

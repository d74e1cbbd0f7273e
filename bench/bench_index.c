/* SPDX-License-Identifier: MIT */
/*
 * bench_index: builds an index from scratch from a corpus file (default
 * ../shared/data/bench/docs.jsonl.gz) into a fresh directory, the whole
 * bulk path from JSON Lines to a committed, closed index, and prints the
 * phases, then one result line (bench/harness.h): documents/s, MB/s of
 * JSON, bytes on disk in total and without stored documents, the parts of
 * the index, peak RSS and CPU time. Usage:
 *   bench_index [CORPUS [DBDIR [THREADS]]]
 * THREADS: worker threads, 0 (the default) for one per core. The index is
 * left in DBDIR (default build/bench/index.db) for bench_query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rapport/feed.h"
#include "rapport/index.h"
#include "rapport/ingest.h"

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
        p->begin[p->n++] = bh_now();
    }
}

int main(int argc, char **argv)
{
    const char *corpus = argc > 1 ? argv[1]
                                  : "../shared/data/bench/docs.jsonl.gz";
    const char *db = argc > 2 ? argv[2] : "build/bench/index.db";
    unsigned threads = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", db);
    if (system(cmd) != 0)
        return 1;
    double t0 = bh_now();
    rp_error err;
    rp_error_clear(&err);
    rp_index *ix;
    /* RP_BENCH_MAP_MB: a smaller LMDB map than the default 64 GiB, for
     * valgrind (scripts/bench_profile.sh), which cannot map that much. */
    rp_index_opts wo = {NULL, 0, 0, 0};
    if (getenv("RP_BENCH_MAP_MB"))
        wo.map_size = (size_t)atol(getenv("RP_BENCH_MAP_MB")) << 20;
    int rc = rp_index_open(db, &wo, &ix, &err);
    if (rc != 0) {
        fprintf(stderr, "bench_index: %s\n", err.msg);
        return 1;
    }
    rp_batch *b;
    uint64_t docs = 0;
    phases ph;
    memset(&ph, 0, sizeof ph);
    rp_batch_opts bo = {threads, on_progress, &ph, 0, 0};
    rc = rp_batch_new(ix, &bo, &b);
    if (rc == 0)
        rc = rp_feed_path(b, corpus, NULL, NULL, &docs, &err);
    double t1 = bh_now();
    rp_batch_result res;
    if (rc == 0)
        rc = rp_batch_commit(b, &res, &err);
    double t2 = bh_now();
    rp_batch_free(b);
    if (rc != 0) {
        fprintf(stderr, "bench_index: %s\n", err.code ? err.msg
                                                       : rp_strerror(rc));
        rp_index_close(ix);
        return 1;
    }
    rp_index_close(ix);
    double t3 = bh_now();
    /* Sizes, after the timing, from a second open. */
    rp_index_space sp;
    wo.readonly = 1;
    rc = rp_index_open(db, &wo, &ix, &err);
    if (rc == 0)
        rc = rp_index_space_get(ix, &sp);
    uint64_t bytes = rc == 0 ? rp_index_disk_bytes(ix) : 0;
    rp_index_close(ix);
    if (rc != 0)
        return 1;
    printf("index build: %llu documents, %llu tokens, %llu terms, %llu "
           "postings; read %.2f s, parse+analyze+write %.2f s, close "
           "%.2f s\n",
           (unsigned long long)res.added, (unsigned long long)res.tokens,
           (unsigned long long)res.terms, (unsigned long long)res.postings,
           t1 - t0, t2 - t1, t3 - t2);
    printf("  phases:");
    for (int i = 0; i < ph.n; i++)
        printf(" %s %.2f s", ph.name[i],
               (i + 1 < ph.n ? ph.begin[i + 1] : t2) - ph.begin[i]);
    printf(" (the last includes the commit)\n");
    bh_part parts[] = {{"postings", sp.postings}, {"terms", sp.terms},
                       {"norms", sp.norms}, {"docs_stored", sp.docs},
                       {"ids", sp.ids}};
    bh_print_build("rapport", res.added, t3 - t0, bh_gz_size(corpus), bytes,
                   bytes - sp.docs, "file-minus-stored-documents", parts, 5);
    return 0;
}

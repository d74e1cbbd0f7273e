/* SPDX-License-Identifier: MIT */
/*
 * rapport-index: adds documents to an index, or deletes them by id. Parses
 * arguments, feeds the paths into one batch (all or nothing), shows
 * progress on a terminal and prints a summary. All work is librapport's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rapport/error.h"
#include "rapport/feed.h"
#include "rapport/index.h"
#include "rapport/ingest.h"
#include "rapport/json.h"

static const char usage[] =
    "usage: rapport-index --db DIR [--lang LANG] [--threads N]\n"
    "                     [--map-size SIZE] [--vocabulary FILE] PATH...\n"
    "       rapport-index --db DIR [--map-size SIZE] --delete ID...\n"
    "       rapport-index --db DIR --backup DEST\n"
    "PATH: .jsonl/.ndjson/.json (optionally .gz), a directory, or - for "
    "stdin\n"
    "SIZE: the most the index may hold, e.g. 512M or 64G (default 64G)\n"
    "--backup: a compacted copy of the index into directory DEST, taken\n"
    "while a server may be reading and writing it\n";

#define MAX_PHASES 8

typedef struct progress {
    int tty;
    double start;
    double last;
    const char *phase[MAX_PHASES]; /* phase names, in order seen */
    double begin[MAX_PHASES];      /* when each phase was first seen */
    int nphases;
} progress;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void mark_phase(progress *p, const char *phase)
{
    if (p->nphases > 0 && strcmp(p->phase[p->nphases - 1], phase) == 0)
        return;
    if (p->nphases < MAX_PHASES) {
        p->phase[p->nphases] = phase;
        p->begin[p->nphases++] = now();
    }
}

static void bar(progress *p, const char *what, uint64_t done, uint64_t total)
{
    if (!p->tty)
        return;
    double t = now();
    if (t - p->last < 0.1 && done != total)
        return;
    p->last = t;
    if (total > 0) {
        int width = 30, fill = (int)(width * (double)done / total);
        fprintf(stderr, "\r%-40.40s [%.*s%*s] %5.1f%%", what, fill,
                "##############################", width - fill, "",
                100.0 * done / total);
    } else {
        fprintf(stderr, "\r%-40.40s %llu", what, (unsigned long long)done);
    }
    fflush(stderr);
}

static void on_read(void *ctx, const char *file, uint64_t done,
                    uint64_t total)
{
    const char *base = strrchr(file, '/');
    mark_phase(ctx, "read");
    bar(ctx, base ? base + 1 : file, done, total);
}

static void on_phase(void *ctx, const char *phase, uint64_t done,
                     uint64_t total)
{
    mark_phase(ctx, phase);
    bar(ctx, phase, done, total);
}

static void end_bar(progress *p)
{
    if (p->tty)
        fprintf(stderr, "\r%80s\r", "");
}

/* Reads a vocabulary file and stores it in the index. */
static int store_vocabulary(rp_index *ix, const char *path, rp_error *err)
{
    rp_buf b = RP_BUF_INIT;
    int rc = rp_buf_read_file(&b, path);
    if (rc != 0) {
        rp_buf_fini(&b);
        return rp_error_set(err, rc, 0, "%s: %s", path, rp_strerror(rc));
    }
    rp_error verr;
    rp_error_clear(&verr);
    if (rc == 0)
        rc = rp_json_store_vocab(ix, (const char *)b.data, b.len, &verr);
    if (rc != 0)
        rp_error_set(err, rc, 0, "%s: %s", path,
                     verr.code ? verr.msg : rp_strerror(rc));
    rp_buf_fini(&b);
    return rc;
}

static int die(const char *msg)
{
    fprintf(stderr, "rapport-index: %s\n", msg);
    return 1;
}

/* --backup: copies the index (opened read-only) into dest. */
static int backup(const char *db, const char *dest)
{
    rp_error err;
    rp_error_clear(&err);
    rp_index *ix = NULL;
    rp_index_opts o = {NULL, 0, 1, 0};
    double start = now();
    int rc = rp_index_open(db, &o, &ix, &err);
    if (rc == 0)
        rc = rp_index_backup(ix, dest, &err);
    rp_index_close(ix);
    if (rc != 0)
        return die(err.msg);
    rp_index *copy = NULL;
    if ((rc = rp_index_open(dest, &o, &copy, &err)) != 0)
        return die(err.msg);
    printf("backed up %s to %s: %.1f MB in %.2f s\n", db, dest,
           rp_index_disk_bytes(copy) / 1e6, now() - start);
    rp_index_close(copy);
    return 0;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *lang = NULL, *vocab = NULL, *dest = NULL;
    unsigned threads = 0;
    size_t map_size = 0;
    int deleting = 0, first = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
            lang = argv[++i];
        } else if (strcmp(argv[i], "--vocabulary") == 0 && i + 1 < argc) {
            vocab = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            threads = (unsigned)atoi(argv[++i]);
        } else if (strcmp(argv[i], "--map-size") == 0 && i + 1 < argc) {
            if (rp_index_parse_size(argv[++i], &map_size) != 0) {
                fprintf(stderr, "rapport-index: --map-size wants a size "
                                "such as 512M or 64G, not '%s'\n",
                        argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--backup") == 0 && i + 1 < argc) {
            dest = argv[++i];
        } else if (strcmp(argv[i], "--delete") == 0) {
            deleting = 1;
        } else if (strcmp(argv[i], "--help") == 0 ||
                   strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i], "-")) {
            fprintf(stderr, "rapport-index: unknown option %s\n%s", argv[i],
                    usage);
            return 2;
        } else {
            first = i;
            break;
        }
    }
    if (db != NULL && dest != NULL && first >= argc && vocab == NULL &&
        !deleting)
        return backup(db, dest);
    if (db == NULL || dest != NULL || (first >= argc && vocab == NULL)) {
        fputs(usage, stderr);
        return 2;
    }
    progress pg;
    memset(&pg, 0, sizeof pg);
    pg.tty = isatty(STDERR_FILENO);
    pg.start = now();
    rp_error err;
    rp_error_clear(&err);
    rp_index *ix = NULL;
    rp_index_opts iopts = {lang, map_size, 0, 0};
    int rc = rp_index_open(db, &iopts, &ix, &err);
    if (rc != 0)
        return die(err.msg);
    if (vocab && (rc = store_vocabulary(ix, vocab, &err)) != 0) {
        rp_index_close(ix);
        return die(err.msg);
    }
    if (first >= argc) {
        rp_index_close(ix);
        printf("stored the vocabulary from %s\n", vocab);
        return 0;
    }
    rp_batch_opts bopts = {threads, on_phase, &pg, 0, 0};
    rp_batch *b = NULL;
    if ((rc = rp_batch_new(ix, &bopts, &b)) != 0) {
        rp_index_close(ix);
        return die(rp_strerror(rc));
    }
    uint64_t docs = 0;
    for (int i = first; i < argc && rc == 0; i++) {
        if (deleting) {
            rc = rp_batch_delete(b, argv[i], strlen(argv[i]));
            if (rc != 0)
                rp_error_set(&err, rc, 0, "invalid id '%s'", argv[i]);
        } else {
            rc = rp_feed_path(b, argv[i], on_read, &pg, &docs, &err);
        }
    }
    rp_batch_result res;
    if (rc == 0)
        rc = rp_batch_commit(b, &res, &err);
    end_bar(&pg);
    rp_batch_free(b);
    if (rc != 0) {
        rp_index_close(ix);
        if (err.code == 0)
            rp_error_set(&err, rc, 0, "%s", rp_strerror(rc));
        fprintf(stderr, "rapport-index: %s (nothing was changed)\n", err.msg);
        return 1;
    }
    double secs = now() - pg.start;
    uint64_t bytes = rp_index_disk_bytes(ix);
    rp_index_close(ix);
    if (deleting) {
        printf("deleted %llu of %d ids in %.2f s\n",
               (unsigned long long)res.deleted, argc - first, secs);
        return 0;
    }
    printf("indexed %llu documents (%llu replaced) in %.2f s: %.0f "
           "documents/s\n",
           (unsigned long long)res.added, (unsigned long long)res.replaced,
           secs, secs > 0 ? res.added / secs : 0.0);
    printf("terms %llu, postings %llu, tokens %llu, index %.1f MB\n",
           (unsigned long long)res.terms, (unsigned long long)res.postings,
           (unsigned long long)res.tokens, bytes / 1e6);
    printf("time:");
    for (int i = 0; i < pg.nphases; i++)
        printf(" %s %.2f s", pg.phase[i],
               (i + 1 < pg.nphases ? pg.begin[i + 1] : pg.start + secs) -
                   pg.begin[i]);
    printf("\n");
    return 0;
}

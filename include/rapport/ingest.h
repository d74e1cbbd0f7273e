/* SPDX-License-Identifier: MIT */
/*
 * ingest: the write path. A batch collects documents (as JSON lines or
 * decoded rp_docs) and deletions, then commits them in one LMDB write
 * transaction: all of it or none of it. Parsing and analysis run on worker
 * threads, each with its own analyzer and in-memory segment; the merged
 * postings are then appended to the index. An empty index takes the bulk
 * path (sorted appends). A batch is filled, committed and freed on one
 * thread (LMDB ties a write transaction to its thread, and a staging batch
 * holds the index's writer lock for that thread).
 */
#ifndef RAPPORT_INGEST_H
#define RAPPORT_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/doc.h"
#include "rapport/error.h"
#include "rapport/index.h"

typedef struct rp_batch rp_batch;

/* Progress report: phase name ("parse", "analyze", "write"), units done
 * and total in that phase. Called from the committing thread. */
typedef void (*rp_progress_cb)(void *ctx, const char *phase, uint64_t done,
                               uint64_t total);

/* Staging: a batch into an empty index with worker threads stores its
 * documents' records ahead, while it is still being filled, in write
 * transactions of stage_every analysed chunks of 1,024 operations each.
 * Its last transaction adds everything that makes them reachable, so the
 * batch stays all or nothing (storage spec in src/index.c). It holds the
 * index's writer lock from its first staged transaction to its end. When
 * the index has no postings either, the commit writes its posting blocks
 * ahead too, in transactions of about stage_bytes, so they do not all wait
 * in memory for the last one. */
#define RP_BATCH_STAGE_EVERY 16u  /* the default */
#define RP_BATCH_UNSTAGED 0xFFFFFFFFu /* never stage */
#define RP_BATCH_STAGE_BYTES ((size_t)8 << 20) /* the default */

typedef struct rp_batch_opts {
    unsigned threads;        /* worker threads; 0 = number of cores */
    rp_progress_cb progress; /* may be NULL */
    void *progress_ctx;
    unsigned stage_every;    /* 0: RP_BATCH_STAGE_EVERY */
    size_t stage_bytes;      /* 0: RP_BATCH_STAGE_BYTES */
} rp_batch_opts;

typedef struct rp_batch_result {
    uint64_t added;     /* documents stored (new or replaced) */
    uint64_t replaced;  /* of those, ids that existed before */
    uint64_t deleted;   /* ids deleted that existed */
    uint64_t terms;     /* distinct terms in the batch's new documents */
    uint64_t postings;  /* postings written */
    uint64_t tokens;    /* index terms (occurrences) in the new documents */
} rp_batch_result;

/* Creates an empty batch on ix. opts may be NULL. Returns 0 or RP_ENOMEM;
 * free with rp_batch_free. */
int rp_batch_new(rp_index *ix, const rp_batch_opts *opts, rp_batch **out);

/* Frees b (uncommitted work is dropped); NULL is fine. */
void rp_batch_free(rp_batch *b);

/* Adds one document given as JSON text (copied). file (copied; may be
 * NULL) and line (0 if unknown) name it in error messages. Parsing is
 * deferred to commit, so errors in it are reported there. Returns 0 or
 * RP_ENOMEM. */
int rp_batch_add_json(rp_batch *b, const char *json, size_t len,
                      const char *file, long line);

/* Adds a decoded document; its contents move into the batch and d is left
 * empty. Returns 0, RP_EINVAL (no id) or RP_ENOMEM. */
int rp_batch_add_doc(rp_batch *b, rp_doc *d);

/* Deletes the document with external id[0..len) (a no-op at commit if it
 * does not exist). A later add of the same id in the batch wins, as does a
 * later delete over an earlier add. Returns 0, RP_EDOC (invalid id) or
 * RP_ENOMEM. */
int rp_batch_delete(rp_batch *b, const char *id, size_t len);

/* Number of operations (adds and deletes) queued. */
size_t rp_batch_size(const rp_batch *b);

/*
 * Parses, analyzes and writes everything queued, in one write transaction.
 * On any error nothing is written: a bad document fails the batch with
 * RP_EDOC / RP_EJSON / RP_EUTF8 / RP_ETOOBIG and err names its line (or
 * its position in the batch) and the problem; RP_EFULL when the map is full;
 * RP_ENOMEM; RP_ECORRUPT. out (may be NULL) gets counts on success. The
 * batch is empty afterwards, whatever the result.
 */
int rp_batch_commit(rp_batch *b, rp_batch_result *out, rp_error *err);

#endif

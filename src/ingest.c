/* SPDX-License-Identifier: MIT */
/*
 * ingest: batches. Operations are stored in chunks of CHUNK_OPS as they
 * arrive; each full chunk goes to a worker thread that parses its JSON and
 * analyzes its documents into the worker's own segment, under provisional
 * local ids (the operation's number in the batch), so reading, parsing and
 * analysis overlap. rp_batch_commit finishes the last chunk, lets the last
 * operation on each id win, and in one LMDB write transaction deletes
 * replaced and deleted documents (re-analysing their stored text), numbers
 * the surviving documents, stores records, ids and norms, and merges the
 * segments into the postings (src/merge.c). Any failure aborts the
 * transaction, so a batch is all or nothing.
 *
 * Staging: a batch into an empty index, once its workers run, stores the
 * records (and fees and facets) of analysed chunks ahead, in order, in
 * write transactions of their own under docids next_docid + operation
 * number, and frees those documents. It holds the index's writer lock
 * from the first of them to its end, and its last transaction makes them
 * reachable; a batch that fails sweeps them (storage spec in src/index.c).
 * This takes the records out of the final commit, which LMDB writes on one
 * thread, and keeps the decoded documents from all being held at once.
 * When the index has no postings either, the commit writes the posting
 * blocks ahead in the same way (rp__merge's stage_bytes) and keeps the
 * dictionary entries, which make them reachable, for its last transaction.
 */
#include "rapport/ingest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "rapport/analyze.h"
#include "rapport/docset.h"
#include "rapport/json.h"
#include "rapport/segment.h"

#define MAX_THREADS 16
#define CHUNK_OPS 1024      /* operations handed to a worker at a time */
#define TEXT_BLOCK (1u << 20) /* arena block for deleted ids */
#define CHUNK_TEXT (1u << 20) /* first JSON buffer of a chunk */
#define SPARE_BUFS 8        /* JSON buffers kept for reuse */
#define FIELD_GAP 16        /* positions between field values: no phrase
                               spans two values */

enum { OP_JSON, OP_DOC, OP_DELETE };

typedef struct op {
    int kind;
    int file;         /* index in the batch's file names, -1 if none */
    long line;        /* input line, 0 if unknown */
    const char *text; /* OP_DELETE and staged: the id (arena) */
    size_t off;       /* OP_JSON: where its JSON starts in chunk json */
    size_t len;       /* bytes of JSON (until parsed) or of the id (text) */
    rp_doc doc;       /* the document (OP_JSON once parsed, OP_DOC) */
    int skip;         /* a later operation on the same id wins */
    int staged;       /* its record is stored ahead and doc freed */
    rp_norms norms;   /* computed by analysis */
} op;

typedef struct chunk {
    op ops[CHUNK_OPS];
    size_t n;    /* operations used */
    size_t base; /* batch index of ops[0] */
    /* The JSON text of its OP_JSON operations (owned), freed once they are
     * parsed, so a big batch holds only the text not yet parsed. */
    char *json;
    size_t json_len, json_cap;
    atomic_int ready; /* parsed and analysed (set by its worker) */
} chunk;

/* A thread's analysis state; the committing thread has one too. */
typedef struct worker {
    rp_batch *b;
    pthread_t tid;
    int started;
    rp_analyzer *an; /* owned, created on first use */
    rp_segment *seg; /* owned */
    uint64_t tokens;
    int rc;          /* first failure */
    size_t bad;      /* its operation index */
    rp_error err;
} worker;

struct rp_batch {
    rp_index *ix;
    rp_batch_opts opts;
    chunk **chunks; /* owned; guarded by mu while workers run */
    size_t nchunks, capchunks;
    size_t nops;
    char **blocks;  /* text arena blocks, owned */
    size_t nblocks, capblocks;
    size_t block_used, block_cap; /* in the last block */
    char **files;   /* owned names of input files, for messages */
    size_t nfiles, capfiles;
    /* The worker pool: chunks [0, submitted) are queued, [0, taken) are
     * taken. Started on the first full chunk when threads > 1. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t submitted, taken;
    int closing;
    /* JSON buffers of analysed chunks, kept for new chunks (guarded by mu):
     * a fresh megabyte per chunk would be memory the system must hand over
     * anew each time. Owned. */
    char *spare[SPARE_BUFS];
    size_t spare_cap[SPARE_BUFS];
    size_t nspare;
    size_t nworkers;
    worker workers[MAX_THREADS];
    worker self; /* the committing thread's share */
    atomic_int failed;
    atomic_size_t done; /* operations processed */
    /* The commit's analyzer (vocabulary phrases, deleted documents) and
     * facet log; a staging batch makes them at its first staged
     * transaction. Owned. */
    rp_analyzer *an;
    rp__facetlog *fl;
    /* Staging, on the filling thread: */
    int stage;          /* 0 undecided, 1 staging (writer lock held), -1 no */
    rp_docid base;      /* docid of operation 0 when staging */
    size_t staged;      /* chunks [0, staged) are stored */
    int stage_rc;       /* a staging failure, reported at commit */
    int stage_postings; /* the index has no postings: stage them too */
};

int rp_batch_new(rp_index *ix, const rp_batch_opts *opts, rp_batch **out)
{
    *out = NULL;
    rp_batch *b = calloc(1, sizeof *b);
    if (b == NULL)
        return RP_ENOMEM;
    b->ix = ix;
    if (opts)
        b->opts = *opts;
    if (b->opts.threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        b->opts.threads = n > 0 ? (unsigned)n : 1;
    }
    if (b->opts.threads > MAX_THREADS)
        b->opts.threads = MAX_THREADS;
    if (b->opts.stage_every == 0)
        b->opts.stage_every = RP_BATCH_STAGE_EVERY;
    if (b->opts.stage_bytes == 0)
        b->opts.stage_bytes = RP_BATCH_STAGE_BYTES;
    if (pthread_mutex_init(&b->mu, NULL) != 0) {
        free(b);
        return RP_ENOMEM;
    }
    if (pthread_cond_init(&b->cv, NULL) != 0) {
        pthread_mutex_destroy(&b->mu);
        free(b);
        return RP_ENOMEM;
    }
    atomic_init(&b->failed, 0);
    atomic_init(&b->done, 0);
    *out = b;
    return 0;
}

static void worker_fini(worker *w)
{
    rp_analyzer_free(w->an);
    rp_segment_free(w->seg);
    w->an = NULL;
    w->seg = NULL;
}

/* Stops the pool: no more chunks; workers drain the queue and exit. */
static void stop_pool(rp_batch *b)
{
    pthread_mutex_lock(&b->mu);
    b->closing = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    for (size_t k = 0; k < b->nworkers; k++)
        if (b->workers[k].started)
            pthread_join(b->workers[k].tid, NULL);
}

static void stage_ready(rp_batch *b);
static void stage_end(rp_batch *b, int committed);

/* Returns the batch to empty (no threads, no operations). */
static void clear(rp_batch *b)
{
    stop_pool(b);
    stage_end(b, 0);
    rp__facetlog_free(b->fl);
    rp_analyzer_free(b->an);
    b->fl = NULL;
    b->an = NULL;
    for (size_t k = 0; k < b->nworkers; k++)
        worker_fini(&b->workers[k]);
    worker_fini(&b->self);
    b->nworkers = 0;
    for (size_t c = 0; c < b->nchunks; c++) {
        for (size_t i = 0; i < b->chunks[c]->n; i++)
            rp_doc_fini(&b->chunks[c]->ops[i].doc);
        free(b->chunks[c]->json);
        free(b->chunks[c]);
    }
    b->nchunks = b->nops = 0;
    for (size_t i = 0; i < b->nspare; i++)
        free(b->spare[i]);
    b->nspare = 0;
    for (size_t i = 0; i < b->nblocks; i++)
        free(b->blocks[i]);
    b->nblocks = 0;
    b->block_used = b->block_cap = 0;
    b->submitted = b->taken = 0;
    b->closing = 0;
    atomic_store(&b->failed, 0);
    atomic_store(&b->done, 0);
    memset(&b->self, 0, sizeof b->self);
}

void rp_batch_free(rp_batch *b)
{
    if (b == NULL)
        return;
    clear(b);
    free(b->chunks);
    free(b->blocks);
    for (size_t i = 0; i < b->nfiles; i++)
        free(b->files[i]);
    free(b->files);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

/* ---- analysis ----------------------------------------------------------- */

/* Occurrences are handed to the segment in runs of SINK_RUN, so it can
 * load each term's place ahead (rp_segment_add_many). A stem is only valid
 * until the next token, so its bytes are copied. */
#define SINK_RUN 64

typedef struct sink {
    rp_segment *seg;
    int field;
    uint32_t count; /* terms counted toward the field length */
    size_t n;       /* occurrences waiting in occ */
    rp_segocc occ[SINK_RUN];
    char bytes[SINK_RUN][RP_TERM_MAX_BYTES];
} sink;

static int sink_flush(sink *s)
{
    int rc = rp_segment_add_many(s->seg, s->occ, s->n, s->field);
    s->n = 0;
    return rc;
}

static int to_segment(void *ctx, const rp_token *tok)
{
    sink *s = ctx;
    if (!(tok->flags & RP_TOK_JOINED))
        s->count++;
    if (tok->term_len == 0 || tok->term_len > RP_TERM_MAX_BYTES)
        return RP_EINVAL;
    memcpy(s->bytes[s->n], tok->term, tok->term_len);
    s->occ[s->n].term = s->bytes[s->n];
    s->occ[s->n].len = (uint32_t)tok->term_len;
    s->occ[s->n].pos = tok->pos;
    return ++s->n == SINK_RUN ? sink_flush(s) : 0;
}

/* The one place a document becomes index terms: used to add it and to find
 * its terms again when it is deleted. */
static int analyze_doc(rp_analyzer *an, const rp_doc *d, rp_docid docid,
                       rp_segment *seg, rp_norms *norms, uint64_t *tokens)
{
    int rc = rp_segment_begin(seg, docid);
    rp_pos pos = 0;
    uint32_t lens[RP_NFIELDS] = {0};
    sink s;
    s.seg = seg;
    for (size_t i = 0; i < d->nfields && rc == 0; i++) {
        const rp_docfield *f = &d->fields[i];
        const rp_srcfield *src = rp_doc_srcfield(f);
        if (src == NULL || src->field == RP_FIELD_ANY)
            continue;
        s.field = src->field;
        s.count = 0;
        s.n = 0;
        rc = rp_analyze(an, rp_doc_value(d, f), f->len, pos, to_segment, &s,
                        &pos);
        if (rc == 0)
            rc = sink_flush(&s);
        pos += FIELD_GAP;
        lens[src->field] += s.count;
        *tokens += s.count;
    }
    if (rc == 0)
        rc = rp_segment_end(seg);
    norms->type = d->type;
    for (int f = 0; f < RP_NFIELDS; f++)
        norms->len[f] = (uint16_t)(lens[f] > 65535 ? 65535 : lens[f]);
    return rc;
}

/* Keeps the JSON buffer of analysed chunk c for a new chunk, or frees it
 * when enough are kept. */
static void spare_json(rp_batch *b, chunk *c)
{
    pthread_mutex_lock(&b->mu);
    if (c->json != NULL && b->nspare < SPARE_BUFS) {
        b->spare[b->nspare] = c->json;
        b->spare_cap[b->nspare++] = c->json_cap;
        c->json = NULL;
    }
    pthread_mutex_unlock(&b->mu);
    free(c->json);
    c->json = NULL;
    c->json_cap = 0;
}

/* Parses (if needed) and analyzes one chunk under local ids base + i + 1. */
static void process_chunk(worker *w, chunk *c)
{
    rp_batch *b = w->b;
    if (w->rc != 0)
        return;
    if (w->an == NULL &&
        (w->rc = rp_analyzer_new(rp_index_lang(b->ix), &w->an)) != 0) {
        w->bad = c->base;
        atomic_store(&b->failed, 1);
        return;
    }
    if (w->seg == NULL && (w->rc = rp_segment_new(&w->seg)) != 0) {
        w->bad = c->base;
        atomic_store(&b->failed, 1);
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        op *o = &c->ops[i];
        int rc = 0;
        if (o->kind == OP_JSON)
            rc = rp_json_decode_doc(c->json + o->off, o->len, &o->doc,
                                    &w->err);
        if (rc == 0 && o->kind != OP_DELETE)
            rc = analyze_doc(w->an, &o->doc, (rp_docid)(c->base + i + 1),
                             w->seg, &o->norms, &w->tokens);
        if (rc != 0) {
            w->rc = rc;
            w->bad = c->base + i;
            atomic_store(&b->failed, 1);
            return;
        }
        atomic_fetch_add_explicit(&b->done, 1, memory_order_relaxed);
    }
    spare_json(b, c);
    atomic_store_explicit(&c->ready, 1, memory_order_release);
}

/* Takes queued chunks until the queue is closed and empty. A failure
 * anywhere stops the work: the batch will not commit. */
static void *work(void *arg)
{
    worker *w = arg;
    rp_batch *b = w->b;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        while (b->taken == b->submitted && !b->closing)
            pthread_cond_wait(&b->cv, &b->mu);
        if (b->taken == b->submitted) {
            pthread_mutex_unlock(&b->mu);
            break;
        }
        chunk *c = b->chunks[b->taken++];
        pthread_mutex_unlock(&b->mu);
        if (!atomic_load(&b->failed))
            process_chunk(w, c);
    }
    /* Each worker sorts its own segment's terms, side by side. A failure
     * here is left for finish_analysis, which sorts what is unsorted and
     * reports it. */
    if (w->rc == 0 && w->seg != NULL && !atomic_load(&b->failed))
        (void)rp_segment_finish(w->seg);
    return NULL;
}

/* Queues the full last chunk, starting the pool on first use. */
static void submit(rp_batch *b)
{
    if (b->opts.threads < 2)
        return; /* everything is done at commit */
    if (b->nworkers == 0) {
        /* One thread fewer than asked: the adding thread is busy reading
         * meanwhile, and joins the work at commit. */
        for (size_t k = 0; k + 1 < b->opts.threads; k++) {
            worker *w = &b->workers[k];
            memset(w, 0, sizeof *w);
            w->b = b;
            w->started = pthread_create(&w->tid, NULL, work, w) == 0;
        }
        b->nworkers = b->opts.threads - 1;
    }
    pthread_mutex_lock(&b->mu);
    b->submitted = b->nchunks;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

/* The filling thread reads faster than a worker analyses: left alone it
 * would hold the whole input's JSON before the workers reach it, hundreds
 * of megabytes of memory touched once. So while more than AHEAD chunks per
 * worker wait in the queue, it takes the oldest and analyses it itself,
 * then stages what is ready: reading keeps pace with analysis, and the
 * chunks' memory is freed and reused as the batch goes. */
#define AHEAD 2

/* The filling thread's share: takes the oldest queued chunk when more than
 * keep wait, and analyses it (unless the batch failed). Returns whether it
 * took one. */
static int take_own(rp_batch *b, size_t keep)
{
    b->self.b = b;
    pthread_mutex_lock(&b->mu);
    chunk *c = b->submitted - b->taken > keep ? b->chunks[b->taken++] : NULL;
    pthread_mutex_unlock(&b->mu);
    if (c != NULL && !atomic_load(&b->failed))
        process_chunk(&b->self, c);
    return c != NULL;
}

static void help(rp_batch *b)
{
    while (take_own(b, AHEAD * b->nworkers))
        stage_ready(b);
}

/* ---- adding operations -------------------------------------------------- */

static op *push_op(rp_batch *b)
{
    chunk *last = b->nchunks ? b->chunks[b->nchunks - 1] : NULL;
    if (last == NULL || last->n == CHUNK_OPS) {
        if (last != NULL) {
            submit(b);
            stage_ready(b); /* a failure is reported at commit */
            help(b);
        }
        chunk *c = malloc(sizeof *c);
        if (c == NULL)
            return NULL;
        c->n = 0;
        c->base = b->nops;
        c->json = NULL;
        c->json_len = c->json_cap = 0;
        atomic_init(&c->ready, 0);
        pthread_mutex_lock(&b->mu);
        if (rp__grow((void **)&b->chunks, &b->capchunks, b->nchunks + 1,
                     sizeof *b->chunks) != 0) {
            pthread_mutex_unlock(&b->mu);
            free(c);
            return NULL;
        }
        b->chunks[b->nchunks++] = c;
        if (b->nspare > 0) {
            c->json = b->spare[--b->nspare];
            c->json_cap = b->spare_cap[b->nspare];
        }
        pthread_mutex_unlock(&b->mu);
        last = c;
    }
    op *o = &last->ops[last->n];
    memset(o, 0, sizeof *o);
    o->file = -1;
    rp_doc_init(&o->doc);
    return o;
}

/* The op just filled by push_op now counts. */
static void commit_op(rp_batch *b)
{
    b->chunks[b->nchunks - 1]->n++;
    b->nops++;
}

/* Copies text into the arena; the copy never moves. */
static const char *keep_text(rp_batch *b, const char *s, size_t len)
{
    if (len > b->block_cap - b->block_used) {
        size_t cap = len > TEXT_BLOCK ? len : TEXT_BLOCK;
        if (rp__grow((void **)&b->blocks, &b->capblocks, b->nblocks + 1,
                     sizeof *b->blocks) != 0)
            return NULL;
        char *blk = malloc(cap ? cap : 1);
        if (blk == NULL)
            return NULL;
        b->blocks[b->nblocks++] = blk;
        b->block_used = 0;
        b->block_cap = cap;
    }
    char *p = b->blocks[b->nblocks - 1] + b->block_used;
    memcpy(p, s, len);
    b->block_used += len;
    return p;
}

static int file_index(rp_batch *b, const char *file, int *out)
{
    *out = -1;
    if (file == NULL)
        return 0;
    if (b->nfiles > 0 && strcmp(b->files[b->nfiles - 1], file) == 0) {
        *out = (int)b->nfiles - 1;
        return 0;
    }
    if (rp__grow((void **)&b->files, &b->capfiles, b->nfiles + 1,
                 sizeof *b->files) != 0)
        return RP_ENOMEM;
    size_t n = strlen(file) + 1;
    if ((b->files[b->nfiles] = malloc(n)) == NULL)
        return RP_ENOMEM;
    memcpy(b->files[b->nfiles], file, n);
    *out = (int)b->nfiles++;
    return 0;
}

int rp_batch_add_json(rp_batch *b, const char *json, size_t len,
                      const char *file, long line)
{
    int fi;
    if (file_index(b, file, &fi) != 0)
        return RP_ENOMEM;
    op *o = push_op(b);
    if (o == NULL)
        return RP_ENOMEM;
    o->kind = OP_JSON;
    o->line = line;
    o->file = fi;
    o->len = len;
    chunk *c = b->chunks[b->nchunks - 1];
    if (len > c->json_cap - c->json_len) {
        size_t cap = c->json_cap ? c->json_cap : CHUNK_TEXT;
        while (cap - c->json_len < len)
            cap *= 2;
        char *p = realloc(c->json, cap);
        if (p == NULL)
            return RP_ENOMEM;
        c->json = p;
        c->json_cap = cap;
    }
    memcpy(c->json + c->json_len, json, len);
    o->off = c->json_len;
    c->json_len += len;
    commit_op(b);
    return 0;
}

int rp_batch_add_doc(rp_batch *b, rp_doc *d)
{
    if (d->id_len == 0 || d->type == RP_DOC_NONE)
        return RP_EINVAL;
    op *o = push_op(b);
    if (o == NULL)
        return RP_ENOMEM;
    o->kind = OP_DOC;
    o->doc = *d;
    rp_doc_init(d);
    commit_op(b);
    return 0;
}

int rp_batch_delete(rp_batch *b, const char *id, size_t len)
{
    if (!rp_doc_id_valid(id, len))
        return RP_EDOC;
    op *o = push_op(b);
    if (o == NULL)
        return RP_ENOMEM;
    o->kind = OP_DELETE;
    o->len = len;
    if ((o->text = keep_text(b, id, len)) == NULL)
        return RP_ENOMEM;
    commit_op(b);
    return 0;
}

size_t rp_batch_size(const rp_batch *b)
{
    return b->nops;
}

static op *op_at(const rp_batch *b, size_t i)
{
    return &b->chunks[i / CHUNK_OPS]->ops[i % CHUNK_OPS];
}

/* ---- staging ------------------------------------------------------------ */

/* The commit's analyzer and facet log, made once in write transaction t. */
static int commit_state(rp_batch *b, rp_txn *t)
{
    if (b->fl != NULL)
        return 0;
    int rc = b->an ? 0 : rp_analyzer_new(rp_index_lang(b->ix), &b->an);
    return rc ? rc : rp__facetlog_new(t, b->an, &b->fl);
}

/* Decides whether b stages, in its first staged transaction: it does when
 * the index holds no documents. Then it keeps the writer lock, sweeps what
 * a dead batch staged, and numbers from next_docid. On return *t is that
 * transaction, or NULL when b does not stage (or on failure). */
static int stage_start(rp_batch *b, rp_txn **t)
{
    *t = NULL;
    int rc = rp_index_writer_hold(b->ix);
    if (rc != 0)
        return rc;
    rp_stats st;
    rc = rp_txn_begin(b->ix, 1, t);
    if (rc == 0)
        rc = rp_txn_stats(*t, &st);
    if (rc == 0 && st.ndocs != 0) {
        rp_txn_abort(*t);
        *t = NULL;
        rp_index_writer_release(b->ix);
        b->stage = -1;
        return 0;
    }
    if (rc == 0)
        rc = rp_txn_sweep_staged(*t, st.next_docid, NULL);
    if (rc == 0)
        rc = rp_txn_postings_empty(*t, &b->stage_postings);
    if (rc == 0)
        rc = commit_state(b, *t);
    if (rc != 0) {
        rp_txn_abort(*t);
        *t = NULL;
        rp_index_writer_release(b->ix);
        return rc;
    }
    b->base = (rp_docid)st.next_docid;
    b->stage = 1;
    return 0;
}

/* Stores d's record under doc (appending in docid order when append) and
 * files its facets and fees. */
static int store_record(rp_batch *b, rp_txn *t, const rp_doc *d,
                        rp_docid doc, rp_buf *rec, int append)
{
    rec->len = 0;
    int rc = rp_doc_encode(d, rec);
    if (rc == 0)
        rc = rp_txn_doc_put(t, doc, rec->data, rec->len, append);
    if (rc == 0)
        rc = rp__facetlog_file(b->fl, t, d, doc, 0);
    return rc;
}

/* Stores the record, fees and facets of each document of chunk c, frees
 * the document and keeps its id. */
static int stage_chunk(rp_batch *b, rp_txn *t, chunk *c, rp_buf *rec)
{
    int rc = 0;
    for (size_t i = 0; i < c->n && rc == 0; i++) {
        op *o = &c->ops[i];
        if (o->kind == OP_DELETE)
            continue;
        rp_docid doc = b->base + (rp_docid)(c->base + i);
        if (doc >= UINT32_MAX)
            return RP_ELIMIT;
        rc = store_record(b, t, &o->doc, doc, rec, 1);
        const char *id = NULL;
        if (rc == 0 &&
            (id = keep_text(b, rp_doc_id(&o->doc), o->doc.id_len)) == NULL)
            rc = RP_ENOMEM;
        if (rc == 0) {
            o->text = id;
            o->len = o->doc.id_len;
            o->staged = 1;
            rp_doc_fini(&o->doc);
        }
    }
    return rc;
}

/* Stores the analysed chunks that follow the staged ones, in one
 * transaction, once there are stage_every of them. A failure fails the
 * batch (at commit); what was staged is swept then. */
static void stage_ready(rp_batch *b)
{
    if (b->stage < 0 || b->nworkers == 0 || atomic_load(&b->failed))
        return;
    size_t n = b->staged;
    while (n < b->submitted &&
           atomic_load_explicit(&b->chunks[n]->ready, memory_order_acquire))
        n++;
    if (n - b->staged < b->opts.stage_every)
        return;
    rp_txn *t = NULL;
    int rc = b->stage == 0 ? stage_start(b, &t) : rp_txn_begin(b->ix, 1, &t);
    if (rc == 0 && t == NULL)
        return; /* the index is not empty: no staging */
    rp_buf rec = RP_BUF_INIT;
    for (size_t c = b->staged; c < n && rc == 0; c++)
        rc = stage_chunk(b, t, b->chunks[c], &rec);
    rp_buf_fini(&rec);
    if (rc == 0)
        rc = rp_txn_commit(t);
    else
        rp_txn_abort(t);
    if (rc == 0) {
        b->staged = n;
        return;
    }
    b->stage_rc = rc;
    atomic_store(&b->failed, 1);
}

/* Ends staging: releases the writer lock, after sweeping the staged
 * records unless the batch committed them. A sweep that fails is left to
 * the next writer. */
static void stage_end(rp_batch *b, int committed)
{
    if (b->stage == 1) {
        rp_txn *t;
        if (!committed && b->staged > 0 && rp_txn_begin(b->ix, 1, &t) == 0) {
            if (rp_txn_sweep_staged(t, b->base, NULL) == 0)
                (void)rp_txn_commit(t);
            else
                rp_txn_abort(t);
        }
        rp_index_writer_release(b->ix);
    }
    b->stage = 0;
    b->staged = 0;
    b->base = 0;
    b->stage_rc = 0;
    b->stage_postings = 0;
}

/* ---- commit ------------------------------------------------------------- */

static const char *op_id(const op *o, size_t *len)
{
    if (o->kind == OP_DELETE || o->staged) {
        *len = o->len;
        return o->text;
    }
    *len = o->doc.id_len;
    return rp_doc_id(&o->doc);
}

static void report(const rp_batch *b, const char *phase, uint64_t done,
                   uint64_t total)
{
    if (b->opts.progress)
        b->opts.progress(b->opts.progress_ctx, phase, done, total);
}

static int fail_op(rp_batch *b, size_t i, int rc, const rp_error *src,
                   rp_error *err)
{
    const op *o = op_at(b, i);
    const char *msg = src && src->code ? src->msg : rp_strerror(rc);
    size_t off = src && src->code ? src->offset : 0;
    if (o->kind == OP_JSON && o->file >= 0 && o->line > 0)
        rp_error_set(err, rc, off, "%s:%ld: %s", b->files[o->file], o->line,
                     msg);
    else if (o->kind == OP_JSON && o->line > 0)
        rp_error_set(err, rc, off, "line %ld: %s", o->line, msg);
    else
        rp_error_set(err, rc, off, "document %zu: %s", i + 1, msg);
    if (err)
        err->line = o->kind == OP_JSON ? o->line : 0;
    return rc;
}

/* Finishes parsing and analysis: the committing thread takes its share of
 * the queue (reporting progress), then the workers are joined and every
 * segment is sorted. Returns the first failure, by operation order. */
static int finish_analysis(rp_batch *b, rp_error *err)
{
    pthread_mutex_lock(&b->mu);
    b->submitted = b->nchunks;
    b->closing = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    while (take_own(b, 0)) {
        report(b, "analyze", atomic_load(&b->done), b->nops);
        stage_ready(b);
    }
    /* This thread's segment is sorted while the workers sort theirs. */
    if (b->self.rc == 0 && b->self.seg != NULL && !atomic_load(&b->failed))
        (void)rp_segment_finish(b->self.seg);
    stop_pool(b);
    report(b, "analyze", atomic_load(&b->done), b->nops);
    stage_ready(b);
    worker *bad = b->self.rc ? &b->self : NULL;
    for (size_t k = 0; k < b->nworkers; k++) {
        worker *w = &b->workers[k];
        if (w->rc != 0 && (bad == NULL || w->bad < bad->bad))
            bad = w;
    }
    if (bad)
        return fail_op(b, bad->bad, bad->rc, &bad->err, err);
    int rc = 0;
    for (size_t k = 0; k <= b->nworkers && rc == 0; k++) {
        worker *w = k < b->nworkers ? &b->workers[k] : &b->self;
        if (w->seg)
            rc = rp_segment_finish(w->seg);
    }
    return rc;
}

typedef struct idref {
    const char *id;
    size_t len;
    size_t op;
} idref;

static int cmp_idref(const void *a, const void *b)
{
    const idref *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->id, y->id, n);
    if (c == 0)
        c = (x->len > y->len) - (x->len < y->len);
    if (c == 0)
        c = (x->op > y->op) - (x->op < y->op);
    return c;
}

/* Removes a stored document: finds its terms by analysing its stored
 * text again, drops it from each term's postings, its norms and record. */
static int delete_existing(rp_txn *t, rp_analyzer *an, rp_docid docid,
                           rp_stats *st, rp__facetlog *fl)
{
    const void *rec;
    size_t len;
    rp_doc d;
    rp_doc_init(&d);
    rp_segment *seg = NULL;
    int rc = rp_txn_doc_get(t, docid, &rec, &len);
    if (rc == 0)
        rc = rp_doc_decode(rec, len, &d);
    if (rc == RP_ENOTFOUND)
        rc = RP_ECORRUPT; /* the id map points at a missing record */
    rp_norms norms;
    uint64_t tokens = 0;
    if (rc == 0)
        rc = rp__facetlog_file(fl, t, &d, docid, 1);
    if (rc == 0)
        rc = rp_segment_new(&seg);
    if (rc == 0)
        rc = analyze_doc(an, &d, docid, seg, &norms, &tokens);
    if (rc == 0)
        rc = rp_segment_finish(seg);
    for (size_t i = 0; rc == 0 && i < rp_segment_nterms(seg); i++) {
        size_t tlen;
        uint32_t df;
        const char *term = rp_segment_term(seg, i, &tlen, &df);
        rc = rp_txn_term_remove(t, term, tlen, docid);
    }
    rp_norms old;
    if (rc == 0)
        rc = rp_txn_norms_get(t, docid, &old);
    if (rc == 0) {
        for (int f = 0; f < RP_NFIELDS; f++)
            st->fieldlen[f] -= old.len[f] <= st->fieldlen[f] ? old.len[f]
                                                             : st->fieldlen[f];
        st->ndocs -= st->ndocs > 0;
        st->ntype[old.type] -= st->ntype[old.type] > 0;
        rp_norms none = {RP_DOC_NONE, {0}};
        rc = rp_txn_norms_put(t, docid, &none);
    }
    if (rc == 0)
        rc = rp_txn_doc_del(t, docid);
    rp_segment_free(seg);
    rp_doc_fini(&d);
    return rc;
}

/* Deletes the stored versions of ids the batch replaces or deletes. */
static int delete_replaced(rp_batch *b, rp_txn *t, const idref *ids,
                           size_t nids, rp_stats *st, rp_batch_result *res)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nids; i++) {
        op *o = op_at(b, ids[i].op);
        if (o->skip)
            continue;
        rp_docid old;
        rc = rp_txn_id_get(t, ids[i].id, ids[i].len, &old);
        if (rc == RP_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc == 0)
            rc = delete_existing(t, b->an, old, st, b->fl);
        if (rc == 0 && o->kind == OP_DELETE)
            rc = rp_txn_id_del(t, ids[i].id, ids[i].len);
        if (o->kind == OP_DELETE)
            res->deleted++;
        else
            res->replaced++;
    }
    return rc;
}

/* Numbers surviving documents from next_docid on, in batch order:
 * map[local].doc = docid, 0 for dropped operations, beside the document's
 * field lengths. A staging batch numbers every operation (its records
 * are stored under them), so dropped ones leave gaps. */
static int number_docs(rp_batch *b, rp_stats *st, rp__docmap *map,
                       rp_error *err)
{
    memset(&map[0], 0, sizeof map[0]);
    for (size_t i = 0; i < b->nops; i++) {
        op *o = op_at(b, i);
        map[i + 1].doc = 0;
        memcpy(map[i + 1].len, o->norms.len, sizeof map[i + 1].len);
        if (b->stage == 1)
            st->next_docid = b->base + i;
        if (st->next_docid == UINT32_MAX)
            return rp_error_set(err, RP_ELIMIT, 0, "document ids exhausted");
        if (b->stage == 1)
            st->next_docid++;
        if (o->skip || o->kind == OP_DELETE)
            continue;
        map[i + 1].doc = b->stage == 1 ? st->next_docid - 1
                                       : st->next_docid++;
    }
    return 0;
}

/* A staging batch's staged documents that a later operation dropped:
 * their records, fees and facets go. */
static int unstage_dropped(rp_batch *b, rp_txn *t)
{
    rp_docset *gone = NULL;
    int rc = 0;
    rp_fees none;
    memset(&none, 0, sizeof none);
    for (size_t i = 0; i < b->nops && rc == 0; i++) {
        op *o = op_at(b, i);
        if (!o->staged || !o->skip)
            continue;
        rp_docid doc = b->base + (rp_docid)i;
        if (gone == NULL && (rc = rp_docset_new(&gone)) != 0)
            break;
        rp_docset_add(gone, doc);
        rc = rp_txn_doc_del(t, doc);
        if (rc == 0)
            rc = rp_txn_fees_put(t, doc, &none);
    }
    if (rc == 0 && gone != NULL)
        rp__facetlog_unfile(b->fl, gone);
    rp_docset_free(gone);
    return rc;
}

typedef struct store_arg {
    rp_batch *b;
    rp_txn *t;
    int bulk;
    rp_stats *st;
    const rp__docmap *map;
    const idref *ids;
    size_t nids;
    rp_batch_result *res;
} store_arg;

/* Stores the records, norms and ids of the numbered documents (runs while
 * the postings are encoded). */
static int store_docs(void *arg)
{
    store_arg *a = arg;
    rp_batch *b = a->b;
    rp_buf rec = RP_BUF_INIT;
    int rc = 0;
    /* In bulk, ids go first, in sorted order for LMDB's sorted append
     * (they point into the documents, which are freed below). */
    for (size_t i = 0; rc == 0 && a->bulk && i < a->nids; i++) {
        rp_docid doc = a->map[a->ids[i].op + 1].doc;
        if (doc != 0)
            rc = rp_txn_id_put(a->t, a->ids[i].id, a->ids[i].len, doc, 1);
    }
    for (size_t i = 0; i < b->nops && rc == 0; i++) {
        op *o = op_at(b, i);
        rp_docid doc = a->map[i + 1].doc;
        if (doc == 0)
            continue;
        rp_txn *t = a->t;
        rp_stats *st = a->st;
        int bulk = a->bulk;
        if (!o->staged) {
            rc = store_record(b, t, &o->doc, doc, &rec, bulk);
            if (rc == 0 && !bulk)
                rc = rp_txn_id_put(t, rp_doc_id(&o->doc), o->doc.id_len, doc,
                                   0);
        }
        if (rc == 0)
            rc = rp_txn_norms_put(t, doc, &o->norms);
        for (int f = 0; f < RP_NFIELDS; f++)
            st->fieldlen[f] += o->norms.len[f];
        st->ndocs++;
        st->ntype[o->norms.type]++;
        a->res->added++;
        /* Stored: its memory can serve what the commit still allocates. */
        rp_doc_fini(&o->doc);
    }
    rp_buf_fini(&rec);
    return rc;
}

int rp_batch_commit(rp_batch *b, rp_batch_result *out, rp_error *err)
{
    rp_batch_result res;
    memset(&res, 0, sizeof res);
    rp_txn *t = NULL;
    idref *ids = malloc((b->nops ? b->nops : 1) * sizeof *ids);
    rp__docmap *map = malloc((b->nops + 1) * sizeof *map);
    int rc = ids && map ? 0 : RP_ENOMEM;

    /* 1. Parse and analyze what the workers have not. */
    if (rc == 0)
        rc = finish_analysis(b, err);
    for (size_t k = 0; k < b->nworkers; k++)
        res.tokens += b->workers[k].tokens;
    res.tokens += b->self.tokens;

    /* 2. The last operation on each id wins. */
    size_t nids = 0;
    for (size_t i = 0; rc == 0 && i < b->nops; i++) {
        ids[nids].id = op_id(op_at(b, i), &ids[nids].len);
        ids[nids].op = i;
        nids++;
    }
    if (rc == 0)
        qsort(ids, nids, sizeof *ids, cmp_idref);
    for (size_t i = 0; rc == 0 && i + 1 < nids; i++)
        if (ids[i].len == ids[i + 1].len &&
            memcmp(ids[i].id, ids[i + 1].id, ids[i].len) == 0)
            op_at(b, ids[i].op)->skip = 1;

    /* 3. One write transaction (the last, for a staging batch):
     * deletions, documents, postings. */
    rp_stats st;
    if (rc == 0 && b->stage_rc != 0)
        rc = rp_error_set(err, b->stage_rc, 0, "storing documents: %s",
                          rp_strerror(b->stage_rc));
    if (rc == 0)
        rc = rp_txn_begin(b->ix, 1, &t);
    if (rc == 0)
        rc = commit_state(b, t);
    if (rc == 0)
        rc = rp_txn_stats(t, &st);
    /* The writer lock kept others out since the staging began. */
    if (rc == 0 && b->stage == 1 &&
        (st.ndocs != 0 || st.next_docid != b->base))
        rc = RP_ECORRUPT;
    /* Records past next_docid were staged by a batch that died. */
    if (rc == 0 && b->stage != 1)
        rc = rp_txn_sweep_staged(t, (rp_docid)st.next_docid, NULL);
    int bulk = rc == 0 && st.ndocs == 0;
    if (rc == 0 && !bulk)
        rc = delete_replaced(b, t, ids, nids, &st, &res);
    if (rc == 0)
        rc = number_docs(b, &st, map, err);
    if (rc == 0 && b->stage == 1)
        rc = unstage_dropped(b, t);
    if (rc == 0) {
        store_arg sa = {b, t, bulk, &st, map, ids, nids, &res};
        rp_segment *segs[MAX_THREADS + 1];
        size_t ns = 0;
        for (size_t k = 0; k < b->nworkers; k++)
            segs[ns++] = b->workers[k].seg;
        segs[ns++] = b->self.seg;
        size_t stage_bytes = bulk && b->stage == 1 && b->stage_postings
                                 ? b->opts.stage_bytes
                                 : 0;
        rp__merge_in in = {segs, ns, map, b->nops + 1, t, bulk, stage_bytes,
                           b->opts.threads, b->opts.progress,
                           b->opts.progress_ctx};
        rc = rp__merge(&in, store_docs, &sa, &res.terms, &res.postings);
    }
    if (rc == 0)
        rc = rp__facetlog_apply(b->fl, t);
    if (rc == 0)
        rc = rp_txn_put_stats(t, &st);
    if (rc == 0) {
        report(b, "commit", 0, 1);
        rc = rp_txn_commit(t);
        t = NULL;
    }
    if (rc != 0) {
        rp_error_set(err, rc, 0, "%s", rp_strerror(rc));
        memset(&res, 0, sizeof res);
    }
    rp_txn_abort(t);
    stage_end(b, rc == 0);
    free(ids);
    free(map);
    clear(b);
    if (out)
        *out = res;
    return rc;
}

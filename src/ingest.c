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
 */
#include "rapport/ingest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "rapport/about.h"
#include "rapport/vocab.h"
#include "rapport/analyze.h"
#include "rapport/docset.h"
#include "rapport/json.h"
#include "rapport/segment.h"

#define MAX_THREADS 16
#define CHUNK_OPS 1024      /* operations handed to a worker at a time */
#define TEXT_BLOCK (1u << 20) /* arena block for deleted ids */
#define CHUNK_TEXT (1u << 20) /* first JSON buffer of a chunk */
#define FIELD_GAP 16        /* positions between field values: no phrase
                               spans two values */

enum { OP_JSON, OP_DOC, OP_DELETE };

typedef struct op {
    int kind;
    int file;         /* index in the batch's file names, -1 if none */
    long line;        /* input line, 0 if unknown */
    const char *text; /* OP_DELETE: the id (arena) */
    size_t off;       /* OP_JSON: where its JSON starts in chunk json */
    size_t len;       /* bytes of JSON or id */
    rp_doc doc;       /* the document (OP_JSON once parsed, OP_DOC) */
    int skip;         /* a later operation on the same id wins */
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
    size_t nworkers;
    worker workers[MAX_THREADS];
    worker self; /* the committing thread's share */
    atomic_int failed;
    atomic_size_t done; /* operations processed */
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

/* Returns the batch to empty (no threads, no operations). */
static void clear(rp_batch *b)
{
    stop_pool(b);
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
    free(c->json);
    c->json = NULL;
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

/* ---- adding operations -------------------------------------------------- */

static op *push_op(rp_batch *b)
{
    chunk *last = b->nchunks ? b->chunks[b->nchunks - 1] : NULL;
    if (last == NULL || last->n == CHUNK_OPS) {
        if (last != NULL)
            submit(b);
        chunk *c = malloc(sizeof *c);
        if (c == NULL)
            return NULL;
        c->n = 0;
        c->base = b->nops;
        c->json = NULL;
        c->json_len = c->json_cap = 0;
        pthread_mutex_lock(&b->mu);
        if (rp__grow((void **)&b->chunks, &b->capchunks, b->nchunks + 1,
                     sizeof *b->chunks) != 0) {
            pthread_mutex_unlock(&b->mu);
            free(c);
            return NULL;
        }
        b->chunks[b->nchunks++] = c;
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

/* ---- facets -------------------------------------------------------------- */

/* Changes to one facet value's set, collected over a commit. */
typedef struct facet_delta {
    int facet;
    char v[RP_FACET_VALUE_MAX];
    size_t len;
    rp_docset *add; /* owned, NULL until needed */
    rp_docset *del; /* owned, NULL until needed */
} facet_delta;

typedef struct facet_deltas {
    facet_delta *d; /* owned */
    size_t n, cap;
    rp_docid doc;   /* the document being filed */
    int removing;   /* filing a deletion */
    /* Concepts, when the index holds a vocabulary: */
    rp_vocab *vocab;   /* owned; NULL: no concepts facet */
    rp_analyzer *an;   /* owned, for the vocabulary's phrases */
    rp_docset *gone;   /* owned: documents removed, NULL until one is */
} facet_deltas;

static void deltas_fini(facet_deltas *fd)
{
    for (size_t i = 0; i < fd->n; i++) {
        rp_docset_free(fd->d[i].add);
        rp_docset_free(fd->d[i].del);
    }
    free(fd->d);
    rp_vocab_free(fd->vocab);
    rp_analyzer_free(fd->an);
    rp_docset_free(fd->gone);
    memset(fd, 0, sizeof *fd);
}

static int on_facet(void *ctx, int facet, const char *v, size_t len);

/* Makes the commit's analyzer (also used to re-analyse deleted documents)
 * and loads the index's vocabulary, if it has one, for the concepts facet. */
static int deltas_load_vocab(facet_deltas *fd, rp_txn *t, const char *lang)
{
    int rc = rp_analyzer_new(lang, &fd->an);
    if (rc == 0)
        rc = rp_json_index_vocab(t, fd->an, &fd->vocab);
    return rc;
}

static int on_concept(void *ctx, size_t concept, unsigned how)
{
    facet_deltas *fd = ctx;
    (void)how;
    const char *id = rp_vocab_id(fd->vocab, concept);
    char norm[RP_FACET_VALUE_MAX];
    size_t n = rp_schema_facet_value(id, strlen(id), norm);
    return n ? on_facet(fd, RP_FACET_CONCEPTS, norm, n) : 0;
}

static int on_facet(void *ctx, int facet, const char *v, size_t len)
{
    facet_deltas *fd = ctx;
    facet_delta *e = NULL;
    /* A batch touches few distinct values: search from the most recent. */
    for (size_t i = fd->n; i-- > 0;)
        if (fd->d[i].facet == facet && fd->d[i].len == len &&
            memcmp(fd->d[i].v, v, len) == 0) {
            e = &fd->d[i];
            break;
        }
    if (e == NULL) {
        if (rp__grow((void **)&fd->d, &fd->cap, fd->n + 1, sizeof *fd->d) != 0)
            return RP_ENOMEM;
        e = &fd->d[fd->n++];
        memset(e, 0, sizeof *e);
        e->facet = facet;
        memcpy(e->v, v, len);
        e->len = len;
    }
    rp_docset **set = fd->removing ? &e->del : &e->add;
    if (*set == NULL && rp_docset_new(set) != 0)
        return RP_ENOMEM;
    rp_docset_add(*set, fd->doc);
    return 0;
}

/* Files doc's facet values into fd, and stores or removes its fees. */
static int file_facets(rp_txn *t, facet_deltas *fd, const rp_doc *d,
                       rp_docid doc, int removing)
{
    rp_fees fees;
    fd->doc = doc;
    fd->removing = removing;
    int rc = rp_json_facets(d, on_facet, fd, &fees);
    /* A document's concepts are found again when it is added. When it
     * goes, it leaves every concept's set (apply_facets), so that a
     * vocabulary changed since cannot leave it behind in one. */
    if (rc == 0 && fd->vocab && !removing)
        rc = rp_about_concepts(fd->vocab, fd->an, d, on_concept, fd);
    if (rc == 0 && removing) {
        if (fd->gone == NULL)
            rc = rp_docset_new(&fd->gone);
        if (rc == 0)
            rp_docset_add(fd->gone, doc);
    }
    if (rc == 0 && (fees.known || removing)) {
        if (removing)
            fees.known = 0;
        rc = rp_txn_fees_put(t, doc, &fees);
    }
    return rc;
}

typedef struct concept_value {
    char v[RP_FACET_VALUE_MAX];
    size_t len;
} concept_value;

typedef struct concept_values {
    const rp_docset *gone; /* the documents removed */
    concept_value *v;      /* the values whose sets hold some of them */
    size_t n, cap;
} concept_values;

static int collect_value(void *ctx, const char *v, size_t len,
                         const rp_docset *set)
{
    concept_values *cv = ctx;
    if (rp_docset_and_count(set, cv->gone) == 0)
        return 0;
    if (len > RP_FACET_VALUE_MAX)
        return RP_ECORRUPT;
    if (rp__grow((void **)&cv->v, &cv->cap, cv->n + 1, sizeof *cv->v) != 0)
        return RP_ENOMEM;
    memcpy(cv->v[cv->n].v, v, len);
    cv->v[cv->n++].len = len;
    return 0;
}

/* Takes the removed documents out of every stored concept's set. */
static int remove_gone(rp_txn *t, const rp_docset *gone)
{
    concept_values cv = {gone, NULL, 0, 0};
    int rc = rp_txn_facet_scan(t, RP_FACET_CONCEPTS, collect_value, &cv);
    for (size_t i = 0; rc == 0 && i < cv.n; i++) {
        rp_docset *set;
        rc = rp_txn_facet_get(t, RP_FACET_CONCEPTS, cv.v[i].v, cv.v[i].len,
                              &set);
        if (rc != 0)
            break;
        rp_docset_andnot(set, gone);
        rc = rp_txn_facet_put(t, RP_FACET_CONCEPTS, cv.v[i].v, cv.v[i].len,
                              set);
        rp_docset_free(set);
    }
    free(cv.v);
    return rc;
}

/* Applies the collected changes to the stored sets. */
static int apply_facets(rp_txn *t, facet_deltas *fd)
{
    int rc = fd->gone ? remove_gone(t, fd->gone) : 0;
    for (size_t i = 0; i < fd->n && rc == 0; i++) {
        facet_delta *e = &fd->d[i];
        rp_docset *set;
        rc = rp_txn_facet_get(t, e->facet, e->v, e->len, &set);
        if (rc != 0)
            break;
        if (e->del)
            rp_docset_andnot(set, e->del);
        if (rc == 0 && e->add)
            rp_docset_or(set, e->add);
        if (rc == 0)
            rc = rp_txn_facet_put(t, e->facet, e->v, e->len, set);
        rp_docset_free(set);
    }
    return rc;
}

/* ---- commit ------------------------------------------------------------- */

static op *op_at(const rp_batch *b, size_t i)
{
    return &b->chunks[i / CHUNK_OPS]->ops[i % CHUNK_OPS];
}

static const char *op_id(const op *o, size_t *len)
{
    if (o->kind == OP_DELETE) {
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
    b->self.b = b;
    pthread_mutex_lock(&b->mu);
    b->submitted = b->nchunks;
    b->closing = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    for (;;) {
        pthread_mutex_lock(&b->mu);
        chunk *c = b->taken < b->submitted ? b->chunks[b->taken++] : NULL;
        pthread_mutex_unlock(&b->mu);
        if (c == NULL)
            break;
        if (!atomic_load(&b->failed))
            process_chunk(&b->self, c);
        report(b, "analyze", atomic_load(&b->done), b->nops);
    }
    /* This thread's segment is sorted while the workers sort theirs. */
    if (b->self.rc == 0 && b->self.seg != NULL && !atomic_load(&b->failed))
        (void)rp_segment_finish(b->self.seg);
    stop_pool(b);
    report(b, "analyze", atomic_load(&b->done), b->nops);
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
                           rp_stats *st, facet_deltas *fd)
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
        rc = file_facets(t, fd, &d, docid, 1);
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
                           size_t nids, rp_stats *st, rp_batch_result *res,
                           facet_deltas *fd)
{
    rp_analyzer *an = fd->an; /* the commit's; nothing else uses it yet */
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
            rc = delete_existing(t, an, old, st, fd);
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
 * field lengths. */
static int number_docs(rp_batch *b, rp_stats *st, rp__docmap *map,
                       rp_error *err)
{
    memset(&map[0], 0, sizeof map[0]);
    for (size_t i = 0; i < b->nops; i++) {
        op *o = op_at(b, i);
        map[i + 1].doc = 0;
        memcpy(map[i + 1].len, o->norms.len, sizeof map[i + 1].len);
        if (o->skip || o->kind == OP_DELETE)
            continue;
        if (st->next_docid == UINT32_MAX)
            return rp_error_set(err, RP_ELIMIT, 0, "document ids exhausted");
        map[i + 1].doc = st->next_docid++;
    }
    return 0;
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
    facet_deltas *fd;
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
        rec.len = 0;
        rc = rp_doc_encode(&o->doc, &rec);
        if (rc == 0)
            rc = rp_txn_doc_put(t, doc, rec.data, rec.len, bulk);
        if (rc == 0)
            rc = rp_txn_norms_put(t, doc, &o->norms);
        if (rc == 0)
            rc = file_facets(t, a->fd, &o->doc, doc, 0);
        if (rc == 0 && !bulk)
            rc = rp_txn_id_put(t, rp_doc_id(&o->doc), o->doc.id_len, doc, 0);
        for (int f = 0; f < RP_NFIELDS; f++)
            st->fieldlen[f] += o->norms.len[f];
        st->ndocs++;
        st->ntype[o->doc.type]++;
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

    /* 3. One write transaction: deletions, documents, postings. */
    rp_stats st;
    facet_deltas fd;
    memset(&fd, 0, sizeof fd);
    if (rc == 0)
        rc = rp_txn_begin(b->ix, 1, &t);
    if (rc == 0)
        rc = deltas_load_vocab(&fd, t, rp_index_lang(b->ix));
    if (rc == 0)
        rc = rp_txn_stats(t, &st);
    int bulk = rc == 0 && st.ndocs == 0;
    if (rc == 0 && !bulk)
        rc = delete_replaced(b, t, ids, nids, &st, &res, &fd);
    if (rc == 0)
        rc = number_docs(b, &st, map, err);
    if (rc == 0) {
        store_arg sa = {b, t, bulk, &st, map, ids, nids, &res, &fd};
        rp_segment *segs[MAX_THREADS + 1];
        size_t ns = 0;
        for (size_t k = 0; k < b->nworkers; k++)
            segs[ns++] = b->workers[k].seg;
        segs[ns++] = b->self.seg;
        rp__merge_in in = {segs, ns, map, b->nops + 1, t, bulk,
                           b->opts.threads, b->opts.progress,
                           b->opts.progress_ctx};
        rc = rp__merge(&in, store_docs, &sa, &res.terms, &res.postings);
    }
    if (rc == 0)
        rc = apply_facets(t, &fd);
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
    deltas_fini(&fd);
    free(ids);
    free(map);
    clear(b);
    if (out)
        *out = res;
    return rc;
}

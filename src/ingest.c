/* SPDX-License-Identifier: MIT */
/*
 * ingest: batch commits. Phases: parse JSON (worker threads), resolve
 * repeated ids (the last operation on an id wins), delete replaced and
 * deleted documents (re-analysing their stored text to find their terms),
 * analyze new documents into per-worker segments (worker threads, each over
 * a contiguous range of new docids), then write records, norms, ids and the
 * merged postings in one LMDB write transaction. Any failure aborts the
 * transaction, so a batch is all or nothing.
 */
#include "rapport/ingest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rapport/analyze.h"
#include "rapport/json.h"
#include "rapport/segment.h"

#define MAX_THREADS 16
#define FIELD_GAP 16    /* positions between field values: no phrase spans
                           two values */
#define MIN_PER_THREAD 512

enum { OP_JSON, OP_DOC, OP_DELETE };

typedef struct op {
    int kind;
    long line;       /* input line, 0 if unknown */
    int file;        /* index in the batch's file names, -1 if none */
    size_t off, len; /* OP_JSON: text in the arena; OP_DELETE: the id */
    rp_doc doc;      /* the document (OP_JSON after parsing, OP_DOC) */
    int skip;        /* a later operation on the same id wins */
    rp_docid docid;  /* assigned at commit */
    rp_norms norms;  /* computed by analysis */
} op;

struct rp_batch {
    rp_index *ix;
    rp_batch_opts opts;
    op *ops;
    size_t nops, capops;
    rp_buf text; /* JSON texts and deleted ids */
    char **files; /* owned names of input files, for messages */
    size_t nfiles, capfiles;
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
    *out = b;
    return 0;
}

static void clear_ops(rp_batch *b)
{
    for (size_t i = 0; i < b->nops; i++)
        rp_doc_fini(&b->ops[i].doc);
    b->nops = 0;
    b->text.len = 0;
}

void rp_batch_free(rp_batch *b)
{
    if (b == NULL)
        return;
    clear_ops(b);
    free(b->ops);
    rp_buf_fini(&b->text);
    for (size_t i = 0; i < b->nfiles; i++)
        free(b->files[i]);
    free(b->files);
    free(b);
}

static op *push_op(rp_batch *b)
{
    if (b->nops == b->capops) {
        size_t cap = b->capops ? b->capops * 2 : 256;
        op *p = realloc(b->ops, cap * sizeof *p);
        if (p == NULL)
            return NULL;
        b->ops = p;
        b->capops = cap;
    }
    op *o = &b->ops[b->nops];
    memset(o, 0, sizeof *o);
    o->file = -1;
    rp_doc_init(&o->doc);
    return o;
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
    if (b->nfiles == b->capfiles) {
        size_t cap = b->capfiles ? b->capfiles * 2 : 8;
        char **p = realloc(b->files, cap * sizeof *p);
        if (p == NULL)
            return RP_ENOMEM;
        b->files = p;
        b->capfiles = cap;
    }
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
    o->off = b->text.len;
    o->len = len;
    int rc = rp_buf_append(&b->text, json, len);
    if (rc == 0)
        b->nops++;
    return rc;
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
    b->nops++;
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
    o->off = b->text.len;
    o->len = len;
    int rc = rp_buf_append(&b->text, id, len);
    if (rc == 0)
        b->nops++;
    return rc;
}

size_t rp_batch_size(const rp_batch *b)
{
    return b->nops;
}

static const char *op_id(const rp_batch *b, const op *o, size_t *len)
{
    if (o->kind == OP_DELETE) {
        *len = o->len;
        return (const char *)b->text.data + o->off;
    }
    *len = o->doc.id_len;
    return rp_doc_id(&o->doc);
}

/* ---- progress ---------------------------------------------------------- */

static void report(const rp_batch *b, const char *phase, uint64_t done,
                   uint64_t total)
{
    if (b->opts.progress)
        b->opts.progress(b->opts.progress_ctx, phase, done, total);
}

/* ---- worker threads ---------------------------------------------------- */

typedef struct job {
    rp_batch *b;
    size_t *idx;          /* op indices this batch works on */
    size_t from, to;      /* this worker's range in idx */
    atomic_size_t *done;  /* shared progress counter */
    atomic_int *failed;   /* shared: some job failed */
    const char *lang;
    rp_segment *seg;      /* analysis output, owned by the job */
    uint64_t tokens;
    int rc;
    size_t bad;           /* op index of the first failure */
    rp_error err;
} job;

static int parse_op(rp_batch *b, op *o, rp_error *err)
{
    return rp_json_decode_doc((const char *)b->text.data + o->off, o->len,
                              &o->doc, err);
}

static void *parse_worker(void *arg)
{
    job *j = arg;
    for (size_t i = j->from; i < j->to; i++) {
        op *o = &j->b->ops[j->idx[i]];
        int rc = parse_op(j->b, o, &j->err);
        if (rc != 0) {
            j->rc = rc;
            j->bad = j->idx[i];
            atomic_store(j->failed, 1);
            break;
        }
        atomic_fetch_add_explicit(j->done, 1, memory_order_relaxed);
    }
    return NULL;
}

typedef struct sink {
    rp_segment *seg;
    int field;
    uint32_t count; /* terms counted toward the field length */
} sink;

static int to_segment(void *ctx, const rp_token *tok)
{
    sink *s = ctx;
    if (!(tok->flags & RP_TOK_JOINED))
        s->count++;
    return rp_segment_add(s->seg, tok->term, tok->term_len, s->field,
                          tok->pos);
}

/* The one place a document becomes index terms: used to add it and to find
 * its terms again when it is deleted. */
static int analyze_doc(rp_analyzer *an, const rp_doc *d, rp_docid docid,
                       rp_segment *seg, rp_norms *norms, uint64_t *tokens)
{
    int rc = rp_segment_begin(seg, docid);
    rp_pos pos = 0;
    uint32_t lens[RP_NFIELDS] = {0};
    for (size_t i = 0; i < d->nfields && rc == 0; i++) {
        const rp_docfield *f = &d->fields[i];
        const rp_srcfield *src = rp_doc_srcfield(f);
        if (src == NULL || src->field == RP_FIELD_ANY)
            continue;
        sink s = {seg, src->field, 0};
        rc = rp_analyze(an, rp_doc_value(d, f), f->len, pos, to_segment, &s,
                        &pos);
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

static void *analyze_worker(void *arg)
{
    job *j = arg;
    rp_analyzer *an = NULL;
    j->rc = rp_analyzer_new(j->lang, &an);
    if (j->rc == 0)
        j->rc = rp_segment_new(&j->seg);
    for (size_t i = j->from; i < j->to && j->rc == 0; i++) {
        op *o = &j->b->ops[j->idx[i]];
        j->rc = analyze_doc(an, &o->doc, o->docid, j->seg, &o->norms,
                            &j->tokens);
        if (j->rc != 0) {
            j->bad = j->idx[i];
            atomic_store(j->failed, 1);
        }
        atomic_fetch_add_explicit(j->done, 1, memory_order_relaxed);
    }
    if (j->rc == 0)
        j->rc = rp_segment_finish(j->seg);
    rp_analyzer_free(an);
    return NULL;
}

/* Worker threads over contiguous ranges of op indices. */
typedef struct pool {
    atomic_size_t done;  /* ops finished, for progress */
    atomic_int failed;   /* set by a worker that failed */
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS];
    size_t nj;           /* jobs in use */
} pool;

/* Starts fn over idx[0..n), one contiguous range per job; with one job it
 * runs to completion here. */
static void pool_start(rp_batch *b, pool *pl, job *jobs, size_t *idx,
                       size_t n, void *(*fn)(void *), const char *lang)
{
    size_t nj = b->opts.threads;
    if (nj > n / MIN_PER_THREAD)
        nj = n / MIN_PER_THREAD;
    if (nj == 0)
        nj = 1;
    pl->nj = nj;
    atomic_init(&pl->done, 0);
    atomic_init(&pl->failed, 0);
    for (size_t k = 0; k < nj; k++) {
        memset(&jobs[k], 0, sizeof jobs[k]);
        jobs[k].b = b;
        jobs[k].idx = idx;
        jobs[k].from = n * k / nj;
        jobs[k].to = n * (k + 1) / nj;
        jobs[k].done = &pl->done;
        jobs[k].failed = &pl->failed;
        jobs[k].lang = lang;
        rp_error_clear(&jobs[k].err);
        pl->started[k] = 0;
    }
    if (nj == 1) {
        fn(&jobs[0]);
        return;
    }
    for (size_t k = 0; k < nj; k++)
        pl->started[k] = pthread_create(&pl->tid[k], NULL, fn, &jobs[k]) == 0;
    for (size_t k = 0; k < nj; k++)
        if (!pl->started[k])
            fn(&jobs[k]); /* could not start a thread: run it here */
}

/* Waits for every job, reporting progress meanwhile. */
static void pool_wait(rp_batch *b, pool *pl, size_t n, const char *phase)
{
    struct timespec ts = {0, 100 * 1000 * 1000};
    size_t d;
    int any = 0;
    for (size_t k = 0; k < pl->nj; k++)
        any |= pl->started[k];
    while (any && b->opts.progress && (d = atomic_load(&pl->done)) < n &&
           !atomic_load(&pl->failed)) {
        report(b, phase, d, n);
        nanosleep(&ts, NULL);
    }
    for (size_t k = 0; k < pl->nj; k++)
        if (pl->started[k])
            pthread_join(pl->tid[k], NULL);
    report(b, phase, atomic_load(&pl->done), n);
}

/* The failing job with the lowest op index, or NULL. */
static job *first_failure(job *jobs, size_t nj)
{
    job *bad = NULL;
    for (size_t k = 0; k < nj; k++)
        if (jobs[k].rc != 0 && (bad == NULL || jobs[k].bad < bad->bad))
            bad = &jobs[k];
    return bad;
}

static int fail_op(rp_batch *b, size_t i, int rc, const rp_error *src,
                   rp_error *err)
{
    const op *o = &b->ops[i];
    const char *msg = src && src->code ? src->msg : rp_strerror(rc);
    if (o->kind == OP_JSON && o->file >= 0 && o->line > 0)
        rp_error_set(err, rc, src ? src->offset : 0, "%s:%ld: %s",
                     b->files[o->file], o->line, msg);
    else if (o->kind == OP_JSON && o->line > 0)
        rp_error_set(err, rc, src ? src->offset : 0, "line %ld: %s", o->line,
                     msg);
    else
        rp_error_set(err, rc, src ? src->offset : 0, "document %zu: %s",
                     i + 1, msg);
    if (err)
        err->line = o->kind == OP_JSON ? o->line : 0;
    return rc;
}

/* ---- id resolution ----------------------------------------------------- */

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

/* ---- deletion ---------------------------------------------------------- */

static int delete_existing(rp_txn *t, rp_analyzer *an, rp_docid docid,
                           rp_stats *st)
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
        rp_norms none = {RP_DOC_NONE, {0}};
        rc = rp_txn_norms_put(t, docid, &none);
    }
    if (rc == 0)
        rc = rp_txn_doc_del(t, docid);
    rp_segment_free(seg);
    rp_doc_fini(&d);
    return rc;
}

/* ---- merge ------------------------------------------------------------- */

static int cmp_terms(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* The terms of all segments in byte order: for global term g, at[g * nj +
 * k] is its index in segment k, or NONE when segment k lacks it. */
#define NONE UINT32_MAX

typedef struct gterms {
    uint32_t *at;
    uint64_t *cum; /* postings in terms 0..g, for balancing ranges */
    size_t n;
} gterms;

static int merge_terms(job *jobs, size_t nj, gterms *g)
{
    size_t cap = 0;
    for (size_t k = 0; k < nj; k++)
        cap += rp_segment_nterms(jobs[k].seg);
    g->n = 0;
    g->at = malloc((cap ? cap : 1) * nj * sizeof *g->at);
    g->cum = malloc((cap ? cap : 1) * sizeof *g->cum);
    if (g->at == NULL || g->cum == NULL)
        return RP_ENOMEM;
    size_t head[MAX_THREADS] = {0};
    uint64_t postings = 0;
    for (;;) {
        const char *term = NULL;
        size_t tlen = 0;
        for (size_t k = 0; k < nj; k++) {
            if (head[k] >= rp_segment_nterms(jobs[k].seg))
                continue;
            size_t len;
            uint32_t df;
            const char *s = rp_segment_term(jobs[k].seg, head[k], &len, &df);
            if (term == NULL || cmp_terms(s, len, term, tlen) < 0) {
                term = s;
                tlen = len;
            }
        }
        if (term == NULL)
            break;
        uint32_t *at = g->at + g->n * nj;
        for (size_t k = 0; k < nj; k++) {
            at[k] = NONE;
            if (head[k] >= rp_segment_nterms(jobs[k].seg))
                continue;
            size_t len;
            uint32_t df;
            const char *s = rp_segment_term(jobs[k].seg, head[k], &len, &df);
            if (cmp_terms(s, len, term, tlen) == 0) {
                at[k] = (uint32_t)head[k]++;
                postings += df;
            }
        }
        g->cum[g->n++] = postings;
    }
    return 0;
}

/* Encodes global terms [from, to) with their postings from every segment,
 * in segment order (segments hold ascending docid ranges). With out set,
 * into buffered records; else appended through txn. */
typedef struct encode_job {
    job *jobs;
    size_t nj;
    const gterms *g;
    size_t from, to;
    rp_txn *txn;      /* incremental mode */
    int bulk;
    rp_buf out;       /* buffered mode (bulk, several threads) */
    int buffered;
    uint64_t postings;
    int rc;
} encode_job;

static void *encode_terms(void *arg)
{
    encode_job *e = arg;
    rp_appender a;
    rp_appender_init(&a);
    rp_segreader r;
    rp_segreader_init(&r);
    int rc = 0;
    for (size_t gi = e->from; gi < e->to && rc == 0; gi++) {
        const uint32_t *at = e->g->at + gi * e->nj;
        size_t k0 = 0, tlen;
        uint32_t df;
        while (at[k0] == NONE)
            k0++;
        const char *term = rp_segment_term(e->jobs[k0].seg, at[k0], &tlen,
                                           &df);
        rc = e->buffered
                 ? rp_appender_begin_buffered(&a, &e->out, term, tlen)
                 : rp_appender_begin(&a, e->txn, term, tlen, e->bulk);
        for (size_t k = k0; k < e->nj && rc == 0; k++) {
            if (at[k] == NONE)
                continue;
            rp_segment_reader(e->jobs[k].seg, at[k], &r);
            rp_posting p;
            while (rc == 0 && (rc = rp_segreader_next(&r, &p)) == 1) {
                rc = rp_appender_add(&a, &p);
                e->postings++;
            }
        }
        if (rc == 0)
            rc = rp_appender_end(&a);
    }
    rp_segreader_fini(&r);
    rp_appender_fini(&a);
    e->rc = rc;
    return NULL;
}

static int merge_segments(rp_batch *b, rp_txn *t, job *jobs, size_t nj,
                          int bulk, rp_batch_result *res)
{
    gterms g = {NULL, NULL, 0};
    report(b, "write", 0, 1);
    int rc = merge_terms(jobs, nj, &g);
    encode_job ej[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    size_t ne = bulk ? b->opts.threads : 1;
    if (ne > MAX_THREADS)
        ne = MAX_THREADS;
    if (rc != 0 || g.n < 1024)
        ne = 1;
    /* Ranges of terms with about equal numbers of postings. */
    uint64_t total = g.n ? g.cum[g.n - 1] : 0;
    size_t from = 0;
    for (size_t w = 0; w < ne; w++) {
        memset(&ej[w], 0, sizeof ej[w]);
        ej[w].jobs = jobs;
        ej[w].nj = nj;
        ej[w].g = &g;
        ej[w].txn = t;
        ej[w].bulk = bulk;
        ej[w].buffered = ne > 1;
        ej[w].from = from;
        size_t to = from;
        uint64_t want = total * (w + 1) / ne;
        while (to < g.n && (w + 1 == ne || g.cum[to] < want))
            to++;
        ej[w].to = to;
        from = to;
    }
    if (rc == 0 && ne == 1) {
        encode_terms(&ej[0]);
        rc = ej[0].rc;
    } else if (rc == 0) {
        for (size_t w = 1; w < ne; w++)
            started[w] = pthread_create(&tid[w], NULL, encode_terms,
                                        &ej[w]) == 0;
        encode_terms(&ej[0]);
        /* Write each range as soon as it is ready, in term order. */
        for (size_t w = 0; w < ne; w++) {
            if (w > 0 && started[w])
                pthread_join(tid[w], NULL);
            else if (w > 0)
                encode_terms(&ej[w]);
            if (rc == 0)
                rc = ej[w].rc;
            if (rc == 0)
                rc = rp_txn_put_records(t, &ej[w].out);
            rp_buf_fini(&ej[w].out);
            report(b, "write", ej[w].to, g.n);
        }
    }
    for (size_t w = 0; w < ne; w++) {
        res->postings += ej[w].postings;
        rp_buf_fini(&ej[w].out);
    }
    res->terms = g.n;
    report(b, "write", g.n, g.n);
    free(g.at);
    free(g.cum);
    return rc;
}

/* ---- commit ------------------------------------------------------------ */

/* Stores the records of new documents and, unless bulk (where ids go in
 * sorted order separately), their ids. Reads only the documents, which
 * the analysis threads also only read. */
static int write_records(rp_batch *b, rp_txn *t, size_t *adds, size_t nadds,
                         int bulk)
{
    rp_buf rec = RP_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < nadds && rc == 0; i++) {
        op *o = &b->ops[adds[i]];
        rec.len = 0;
        rc = rp_doc_encode(&o->doc, &rec);
        if (rc == 0)
            rc = rp_txn_doc_put(t, o->docid, rec.data, rec.len, bulk);
        if (rc == 0 && !bulk)
            rc = rp_txn_id_put(t, rp_doc_id(&o->doc), o->doc.id_len,
                               o->docid, 0);
    }
    rp_buf_fini(&rec);
    return rc;
}

/* Stores the norms the analysis computed and adds them to the stats. */
static int write_norms(rp_batch *b, rp_txn *t, size_t *adds, size_t nadds,
                       rp_stats *st)
{
    int rc = 0;
    for (size_t i = 0; i < nadds && rc == 0; i++) {
        op *o = &b->ops[adds[i]];
        rc = rp_txn_norms_put(t, o->docid, &o->norms);
        for (int f = 0; f < RP_NFIELDS; f++)
            st->fieldlen[f] += o->norms.len[f];
        st->ndocs++;
    }
    return rc;
}

int rp_batch_commit(rp_batch *b, rp_batch_result *out, rp_error *err)
{
    rp_batch_result res;
    memset(&res, 0, sizeof res);
    size_t *idx = malloc((b->nops ? b->nops : 1) * sizeof *idx);
    idref *ids = malloc((b->nops ? b->nops : 1) * sizeof *ids);
    job *jobs = calloc(MAX_THREADS, sizeof *jobs);
    rp_txn *t = NULL;
    rp_analyzer *an = NULL;
    size_t nj = 0;
    int rc = idx && ids && jobs ? 0 : RP_ENOMEM;
    const char *lang = rp_index_lang(b->ix);

    /* 1. Parse JSON texts in parallel. */
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < b->nops; i++)
        if (b->ops[i].kind == OP_JSON)
            idx[n++] = i;
    pool pl;
    if (rc == 0 && n > 0) {
        pool_start(b, &pl, jobs, idx, n, parse_worker, lang);
        pool_wait(b, &pl, n, "parse");
        job *bad = first_failure(jobs, pl.nj);
        if (bad)
            rc = fail_op(b, bad->bad, bad->rc, &bad->err, err);
    }

    /* 2. The last operation on each id wins. */
    size_t nids = 0;
    for (size_t i = 0; rc == 0 && i < b->nops; i++) {
        ids[nids].id = op_id(b, &b->ops[i], &ids[nids].len);
        ids[nids].op = i;
        nids++;
    }
    if (rc == 0)
        qsort(ids, nids, sizeof *ids, cmp_idref);
    for (size_t i = 0; rc == 0 && i + 1 < nids; i++)
        if (ids[i].len == ids[i + 1].len &&
            memcmp(ids[i].id, ids[i + 1].id, ids[i].len) == 0)
            b->ops[ids[i].op].skip = 1;

    /* 3. Delete what is replaced or deleted. */
    rp_stats st;
    if (rc == 0)
        rc = rp_txn_begin(b->ix, 1, &t);
    if (rc == 0)
        rc = rp_txn_stats(t, &st);
    int bulk = rc == 0 && st.ndocs == 0;
    if (rc == 0 && !bulk)
        rc = rp_analyzer_new(lang, &an);
    for (size_t i = 0; rc == 0 && !bulk && i < nids; i++) {
        op *o = &b->ops[ids[i].op];
        if (o->skip)
            continue;
        rp_docid old;
        rc = rp_txn_id_get(t, ids[i].id, ids[i].len, &old);
        if (rc == RP_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc == 0)
            rc = delete_existing(t, an, old, &st);
        if (rc == 0 && o->kind == OP_DELETE)
            rc = rp_txn_id_del(t, ids[i].id, ids[i].len);
        if (o->kind == OP_DELETE)
            res.deleted++;
        else
            res.replaced++;
    }

    /* 4. Assign docids and analyze new documents in parallel. */
    size_t nadds = 0;
    for (size_t i = 0; rc == 0 && i < b->nops; i++) {
        op *o = &b->ops[i];
        if (o->skip || o->kind == OP_DELETE)
            continue;
        if (st.next_docid == UINT32_MAX) {
            rc = rp_error_set(err, RP_ELIMIT, 0, "document ids exhausted");
            break;
        }
        o->docid = st.next_docid++;
        idx[nadds++] = i;
    }
    /* 5. While workers analyze, this thread stores the records and ids,
     * which need nothing from the analysis; then norms and postings. */
    if (rc == 0 && nadds > 0) {
        pool_start(b, &pl, jobs, idx, nadds, analyze_worker, lang);
        nj = pl.nj;
        int wrc = write_records(b, t, idx, nadds, bulk);
        for (size_t i = 0; wrc == 0 && bulk && i < nids; i++) {
            op *o = &b->ops[ids[i].op];
            if (!o->skip && o->kind != OP_DELETE)
                wrc = rp_txn_id_put(t, ids[i].id, ids[i].len, o->docid, 1);
        }
        pool_wait(b, &pl, nadds, "analyze");
        job *bad = first_failure(jobs, nj);
        if (bad)
            rc = fail_op(b, bad->bad, bad->rc, NULL, err);
        else
            rc = wrc;
        for (size_t k = 0; k < nj; k++)
            res.tokens += jobs[k].tokens;
    }
    if (rc == 0)
        rc = write_norms(b, t, idx, nadds, &st);
    if (rc == 0 && nj > 0)
        rc = merge_segments(b, t, jobs, nj, bulk, &res);
    if (rc == 0)
        rc = rp_txn_put_stats(t, &st);
    if (rc == 0) {
        report(b, "commit", 0, 1);
        rc = rp_txn_commit(t);
        t = NULL;
    }
    if (rc == 0)
        res.added = nadds;
    else
        rp_error_set(err, rc, 0, "%s", rp_strerror(rc));

    rp_txn_abort(t);
    for (size_t k = 0; k < nj; k++)
        rp_segment_free(jobs[k].seg);
    rp_analyzer_free(an);
    free(jobs);
    free(ids);
    free(idx);
    clear_ops(b);
    if (out)
        *out = res;
    return rc;
}

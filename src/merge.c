/* SPDX-License-Identifier: MIT */
/*
 * merge: writes in-memory segments into the index. The segments' sorted
 * term lists are merged into one term order; each term's postings are
 * merged across segments by local document id and renumbered to final
 * docids. Bulk builds split the term order into ranges of about equal
 * postings and encode them on several threads into buffered records,
 * which the calling thread appends to LMDB in order; LMDB is only ever
 * touched by the calling thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rapport/error.h"

#define MAX_ENCODERS 16
#define NONE UINT32_MAX

/* Global term g is at[g * nsegs + k] in segment k, or NONE. */
typedef struct gterms {
    uint32_t *at;
    uint64_t *cum; /* postings in terms 0..g, to balance ranges */
    size_t n;
} gterms;

static int cmp_terms(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

static size_t nterms_of(const rp__merge_in *in, size_t k)
{
    return in->segs[k] ? rp_segment_nterms(in->segs[k]) : 0;
}

static int merge_terms(const rp__merge_in *in, gterms *g)
{
    size_t cap = 0, ns = in->nsegs;
    for (size_t k = 0; k < ns; k++)
        cap += nterms_of(in, k);
    g->n = 0;
    g->at = malloc((cap ? cap : 1) * (ns ? ns : 1) * sizeof *g->at);
    g->cum = malloc((cap ? cap : 1) * sizeof *g->cum);
    size_t *head = calloc(ns ? ns : 1, sizeof *head);
    if (g->at == NULL || g->cum == NULL || head == NULL) {
        free(head);
        return RP_ENOMEM;
    }
    uint64_t postings = 0;
    for (;;) {
        const char *term = NULL;
        size_t tlen = 0;
        for (size_t k = 0; k < ns; k++) {
            if (head[k] >= nterms_of(in, k))
                continue;
            size_t len;
            uint32_t df;
            const char *s = rp_segment_term(in->segs[k], head[k], &len, &df);
            if (term == NULL || cmp_terms(s, len, term, tlen) < 0) {
                term = s;
                tlen = len;
            }
        }
        if (term == NULL)
            break;
        uint32_t *at = g->at + g->n * ns;
        for (size_t k = 0; k < ns; k++) {
            at[k] = NONE;
            if (head[k] >= nterms_of(in, k))
                continue;
            size_t len;
            uint32_t df;
            const char *s = rp_segment_term(in->segs[k], head[k], &len, &df);
            if (cmp_terms(s, len, term, tlen) == 0) {
                at[k] = (uint32_t)head[k]++;
                postings += df;
            }
        }
        g->cum[g->n++] = postings;
    }
    free(head);
    return 0;
}

typedef struct encoder {
    const rp__merge_in *in;
    const gterms *g;
    size_t from, to;      /* global terms [from, to) */
    int buffered;         /* write records into out, not the txn */
    rp_buf out;
    rp_buf dict;          /* staging: the dictionary entries, held back */
    uint64_t terms, postings;
    int rc;
    int done;             /* encoded (guarded by the pool's mutex) */
} encoder;

/* One segment's postings of the current term, read BATCH at a time: the
 * map is read at random across the batch, a cache miss per posting, so the
 * entries of a whole batch are loaded at once, their misses overlapping,
 * before the first is used. */
#define BATCH 64

typedef struct source {
    rp_segreader r;
    rp_posting b[BATCH];
    size_t n, i; /* b[i..n) not yet consumed */
} source;

/* Reads src's next batch and starts loading its map entries. Returns 0 or
 * RP_ENOMEM; src->n is 0 at the end. */
static int refill(const rp__merge_in *in, source *src)
{
    int n = rp_segreader_read(&src->r, src->b, BATCH);
    src->i = 0;
    src->n = n > 0 ? (size_t)n : 0;
    for (size_t j = 0; j < src->n; j++)
        if (src->b[j].doc < in->nmap)
            __builtin_prefetch(&in->map[src->b[j].doc]);
    return n < 0 ? n : 0;
}

/* Most terms have a posting or two, so their first map entries are a miss
 * each too: started one term ahead. at: the term's place in each
 * segment. */
static void prefetch_first(const rp__merge_in *in, const uint32_t *at)
{
    for (size_t k = 0; k < in->nsegs; k++) {
        if (at[k] == NONE)
            continue;
        rp_segreader r;
        rp_segreader_init(&r);
        rp_segment_reader(in->segs[k], at[k], &r);
        rp_docid d = rp_segreader_peek(&r);
        if (d < in->nmap)
            __builtin_prefetch(&in->map[d]);
    }
}

/* Their postings lie at random too: loaded POSTINGS_AHEAD terms ahead, so
 * prefetch_first finds the first one in the cache. */
#define POSTINGS_AHEAD 2

static void prefetch_postings(const rp__merge_in *in, const uint32_t *at)
{
    for (size_t k = 0; k < in->nsegs; k++)
        if (at[k] != NONE)
            rp_segment_prefetch(in->segs[k], at[k]);
}

static void *encode(void *arg)
{
    encoder *e = arg;
    const rp__merge_in *in = e->in;
    size_t ns = in->nsegs;
    source *src = calloc(ns ? ns : 1, sizeof *src);
    rp_appender a;
    rp_appender_init(&a);
    int rc = src ? 0 : RP_ENOMEM;
    for (size_t k = 0; src && k < ns; k++)
        rp_segreader_init(&src[k].r);
    for (size_t gi = e->from; gi < e->to && rc == 0; gi++) {
        const uint32_t *at = e->g->at + gi * ns;
        if (gi + POSTINGS_AHEAD < e->to)
            prefetch_postings(in, at + POSTINGS_AHEAD * ns);
        if (gi + 1 < e->to)
            prefetch_first(in, at + ns);
        const char *term = NULL;
        size_t tlen = 0;
        for (size_t k = 0; k < ns && rc == 0; k++) {
            src[k].n = src[k].i = 0;
            if (at[k] == NONE)
                continue;
            uint32_t df;
            term = rp_segment_term(in->segs[k], at[k], &tlen, &df);
            rp_segment_reader(in->segs[k], at[k], &src[k].r);
            rc = refill(in, &src[k]);
        }
        if (rc == 0)
            rc = e->buffered
                     ? rp_appender_begin_buffered(
                           &a, &e->out, in->stage_bytes ? &e->dict : NULL,
                           term, tlen)
                     : rp_appender_begin(&a, in->txn, term, tlen, in->bulk);
        /* Merge by local id; the map keeps the order. */
        while (rc == 0) {
            size_t best = ns;
            for (size_t k = 0; k < ns; k++)
                if (src[k].i < src[k].n &&
                    (best == ns ||
                     src[k].b[src[k].i].doc < src[best].b[src[best].i].doc))
                    best = k;
            if (best == ns)
                break;
            source *s = &src[best];
            rp_posting *p = &s->b[s->i++];
            if (p->doc >= in->nmap) {
                rc = RP_EINVAL;
                break;
            }
            const rp__docmap *m = &in->map[p->doc];
            memcpy(p->len, m->len, sizeof p->len);
            p->doc = m->doc;
            if (p->doc != 0) {
                rc = rp_appender_add(&a, p);
                e->postings++;
            }
            if (rc == 0 && s->i == s->n)
                rc = refill(in, s);
        }
        if (rc == 0 && a.info.df + a.npend > 0)
            e->terms++;
        if (rc == 0)
            rc = rp_appender_end(&a);
    }
    for (size_t k = 0; src && k < ns; k++)
        rp_segreader_fini(&src[k].r);
    free(src);
    rp_appender_fini(&a);
    e->rc = rc;
    return NULL;
}

static void report(const rp__merge_in *in, uint64_t done, uint64_t total)
{
    if (in->progress)
        in->progress(in->progress_ctx, "write", done, total);
}

/* Bulk builds cut the term order into RANGES_PER_THREAD ranges per
 * encoding thread, of about equal postings: threads take the next range
 * as they come free, so none waits on a slow one, and the calling thread
 * writes finished ranges in order while the rest are encoded. */
#define RANGES_PER_THREAD 16

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a range was encoded */
    encoder *r;        /* the ranges, in term order */
    size_t n;
    size_t next;       /* the next range to take */
    int stop;          /* a range failed: take no more */
} pool;

/* Takes range k off the pool (under mu) and encodes it. */
static void encode_one(pool *p, size_t k)
{
    pthread_mutex_unlock(&p->mu);
    encode(&p->r[k]);
    pthread_mutex_lock(&p->mu);
    p->r[k].done = 1;
    if (p->r[k].rc != 0)
        p->stop = 1;
    pthread_cond_broadcast(&p->cv);
}

static void *encode_ranges(void *arg)
{
    pool *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop && p->next < p->n)
        encode_one(p, p->next++);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Writes the ranges to the transaction in order, encoding ranges itself
 * while the next one to write is not ready; when staging, commits them
 * every stage_bytes. Returns the first failure. */
static int write_ranges(const rp__merge_in *in, pool *p, size_t nterms)
{
    int rc = 0;
    size_t pending = 0; /* bytes written since the last commit */
    for (size_t put = 0; put < p->n && rc == 0; put++) {
        pthread_mutex_lock(&p->mu);
        while (!p->r[put].done) {
            if (!p->stop && p->next < p->n)
                encode_one(p, p->next++);
            else
                pthread_cond_wait(&p->cv, &p->mu);
        }
        pthread_mutex_unlock(&p->mu);
        rc = p->r[put].rc;
        if (rc == 0)
            rc = rp_txn_put_records(in->txn, &p->r[put].out);
        pending += p->r[put].out.len;
        if (rc == 0 && in->stage_bytes && pending >= in->stage_bytes) {
            rc = rp_txn_checkpoint(in->txn);
            pending = 0;
        }
        rp_buf_fini(&p->r[put].out);
        report(in, p->r[put].to, nterms);
    }
    pthread_mutex_lock(&p->mu);
    p->stop = 1; /* on failure: the threads take nothing more */
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int rp__merge(const rp__merge_in *in, int (*meanwhile)(void *), void *arg,
              uint64_t *terms, uint64_t *postings)
{
    *terms = *postings = 0;
    report(in, 0, 1);
    gterms g = {NULL, NULL, 0};
    int rc = merge_terms(in, &g);
    size_t nt = in->bulk ? in->threads : 1;
    if (nt > MAX_ENCODERS)
        nt = MAX_ENCODERS;
    if (nt == 0 || g.n < 1024)
        nt = 1;
    size_t nr = nt == 1 ? 1 : nt * RANGES_PER_THREAD;
    pool p;
    memset(&p, 0, sizeof p);
    p.r = calloc(nr, sizeof *p.r);
    if (rc == 0 && p.r == NULL)
        rc = RP_ENOMEM;
    uint64_t total = g.n ? g.cum[g.n - 1] : 0;
    size_t from = 0;
    for (size_t k = 0; rc == 0 && k < nr; k++) {
        encoder *e = &p.r[k];
        e->in = in;
        e->g = &g;
        e->buffered = nr > 1;
        e->from = from;
        size_t to = from;
        uint64_t want = total * (k + 1) / nr;
        while (to < g.n && (k + 1 == nr || g.cum[to] < want))
            to++;
        e->to = to;
        from = to;
    }
    p.n = nr;
    if (rc == 0 && nr == 1) {
        /* One range, appended straight to the transaction. */
        if (meanwhile)
            rc = meanwhile(arg);
        if (rc == 0) {
            encode(&p.r[0]);
            rc = p.r[0].rc;
        }
    } else if (rc == 0) {
        pthread_t tid[MAX_ENCODERS];
        int started[MAX_ENCODERS] = {0};
        if (pthread_mutex_init(&p.mu, NULL) != 0)
            rc = RP_ENOMEM;
        else if (pthread_cond_init(&p.cv, NULL) != 0) {
            pthread_mutex_destroy(&p.mu);
            rc = RP_ENOMEM;
        }
        if (rc == 0) {
            /* The threads encode while this one does the caller's other
             * writes, then joins them (a thread that could not start
             * leaves its share to the others). */
            for (size_t w = 0; w < nt; w++)
                started[w] =
                    pthread_create(&tid[w], NULL, encode_ranges, &p) == 0;
            rc = meanwhile && !in->stage_bytes ? meanwhile(arg) : 0;
            if (rc != 0) {
                pthread_mutex_lock(&p.mu);
                p.stop = 1;
                pthread_mutex_unlock(&p.mu);
            } else {
                rc = write_ranges(in, &p, g.n);
            }
            for (size_t w = 0; w < nt; w++)
                if (started[w])
                    pthread_join(tid[w], NULL);
            pthread_cond_destroy(&p.cv);
            pthread_mutex_destroy(&p.mu);
        }
        /* Staging: the last transaction, which makes the postings
         * reachable. */
        if (rc == 0 && in->stage_bytes && meanwhile)
            rc = meanwhile(arg);
        for (size_t k = 0; rc == 0 && in->stage_bytes && k < nr; k++)
            rc = rp_txn_put_records(in->txn, &p.r[k].dict);
    }
    for (size_t k = 0; p.r && k < nr; k++) {
        *terms += p.r[k].terms;
        *postings += p.r[k].postings;
        rp_buf_fini(&p.r[k].out);
        rp_buf_fini(&p.r[k].dict);
    }
    report(in, g.n, g.n);
    free(p.r);
    free(g.at);
    free(g.cum);
    return rc;
}

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
    uint64_t terms, postings;
    int rc;
} encoder;

/* One segment's postings of the current term, read one ahead. */
typedef struct source {
    rp_segreader r;
    rp_posting p;
    int live; /* p holds an unconsumed posting */
} source;

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
        if (gi + 1 < e->to)
            prefetch_first(in, at + ns);
        const char *term = NULL;
        size_t tlen = 0;
        for (size_t k = 0; k < ns && rc == 0; k++) {
            src[k].live = 0;
            if (at[k] == NONE)
                continue;
            uint32_t df;
            term = rp_segment_term(in->segs[k], at[k], &tlen, &df);
            rp_segment_reader(in->segs[k], at[k], &src[k].r);
            rc = rp_segreader_next(&src[k].r, &src[k].p);
            src[k].live = rc == 1;
            rc = rc < 0 ? rc : 0;
        }
        if (rc == 0)
            rc = e->buffered
                     ? rp_appender_begin_buffered(&a, &e->out, term, tlen)
                     : rp_appender_begin(&a, in->txn, term, tlen, in->bulk);
        /* Merge by local id; the map keeps the order. */
        while (rc == 0) {
            size_t best = ns;
            for (size_t k = 0; k < ns; k++)
                if (src[k].live &&
                    (best == ns || src[k].p.doc < src[best].p.doc))
                    best = k;
            if (best == ns)
                break;
            rp_posting p = src[best].p;
            if (p.doc >= in->nmap) {
                rc = RP_EINVAL;
                break;
            }
            const rp__docmap *m = &in->map[p.doc];
            memcpy(p.len, m->len, sizeof p.len);
            p.doc = m->doc;
            if (p.doc != 0) {
                rc = rp_appender_add(&a, &p);
                e->postings++;
            }
            if (rc == 0) {
                rc = rp_segreader_next(&src[best].r, &src[best].p);
                src[best].live = rc == 1;
                /* The map is read at random across the batch, a cache
                 * miss each: start loading the entry of the posting after
                 * this one, so it arrives while this one is written. */
                rp_docid ahead = rp_segreader_peek(&src[best].r);
                if (ahead < in->nmap)
                    __builtin_prefetch(&in->map[ahead]);
                rc = rc < 0 ? rc : 0;
            }
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

int rp__merge(const rp__merge_in *in, int (*meanwhile)(void *), void *arg,
              uint64_t *terms, uint64_t *postings)
{
    *terms = *postings = 0;
    report(in, 0, 1);
    gterms g = {NULL, NULL, 0};
    int rc = merge_terms(in, &g);
    encoder enc[MAX_ENCODERS];
    pthread_t tid[MAX_ENCODERS];
    int started[MAX_ENCODERS] = {0};
    size_t ne = in->bulk ? in->threads : 1;
    if (ne > MAX_ENCODERS)
        ne = MAX_ENCODERS;
    if (ne == 0 || rc != 0 || g.n < 1024)
        ne = 1;
    uint64_t total = g.n ? g.cum[g.n - 1] : 0;
    size_t from = 0;
    for (size_t w = 0; w < ne; w++) {
        memset(&enc[w], 0, sizeof enc[w]);
        enc[w].in = in;
        enc[w].g = &g;
        enc[w].buffered = ne > 1;
        enc[w].from = from;
        size_t to = from;
        uint64_t want = total * (w + 1) / ne;
        while (to < g.n && (w + 1 == ne || g.cum[to] < want))
            to++;
        enc[w].to = to;
        from = to;
    }
    if (rc == 0 && ne == 1) {
        if (meanwhile)
            rc = meanwhile(arg);
        if (rc == 0) {
            encode(&enc[0]);
            rc = enc[0].rc;
        }
    } else if (rc == 0) {
        /* Every range on a thread of its own while this thread does the
         * caller's other writes; then the ranges are written in order. */
        for (size_t w = 0; w < ne; w++)
            started[w] = pthread_create(&tid[w], NULL, encode, &enc[w]) == 0;
        int mrc = meanwhile ? meanwhile(arg) : 0;
        for (size_t w = 0; w < ne; w++) {
            if (started[w])
                pthread_join(tid[w], NULL);
            else
                encode(&enc[w]);
            if (rc == 0)
                rc = mrc;
            if (rc == 0)
                rc = enc[w].rc;
            if (rc == 0)
                rc = rp_txn_put_records(in->txn, &enc[w].out);
            rp_buf_fini(&enc[w].out);
            report(in, enc[w].to, g.n);
        }
    }
    for (size_t w = 0; w < ne; w++) {
        *terms += enc[w].terms;
        *postings += enc[w].postings;
        rp_buf_fini(&enc[w].out);
    }
    report(in, g.n, g.n);
    free(g.at);
    free(g.cum);
    return rc;
}

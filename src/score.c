/* SPDX-License-Identifier: MIT */
/*
 * score: BM25F. The formula is Robertson and Zaragoza's BM25F in its
 * combined-field form (as Lucene's CombinedFieldQuery): per-field weights
 * multiply term frequencies and lengths before one saturation. Deviations
 * from the textbook: idf is Lucene's ln(1 + (N - df + 0.5) / (df + 0.5)),
 * never negative; an average length of 0 (no text in the masked fields)
 * is treated as 1 so the ratio stays finite.
 */
#include "rapport/score.h"

#include <math.h>
#include <string.h>

#include "rapport/error.h"

void rp_score_defaults(rp_score_params *p)
{
    p->k1 = RP_BM25_K1;
    p->b = RP_BM25_B;
    for (int f = 0; f < RP_NFIELDS; f++)
        p->weight[f] = rp_schema_weight(f);
}

int rp_scorer_init(rp_scorer *s, const rp_stats *st, const rp_score_params *p)
{
    if (!(p->k1 > 0) || !(p->b >= 0 && p->b <= 1))
        return RP_EINVAL;
    for (int f = 0; f < RP_NFIELDS; f++)
        if (!(p->weight[f] >= 0))
            return RP_EINVAL;
    memset(s, 0, sizeof *s);
    s->p = *p;
    s->ndocs = (double)st->ndocs;
    s->default_weights = 1;
    for (int f = 0; f < RP_NFIELDS; f++) {
        s->avglen[f] = st->ndocs ? (double)st->fieldlen[f] / st->ndocs : 0;
        if (p->weight[f] != rp_schema_weight(f))
            s->default_weights = 0;
    }
    return 0;
}

double rp_score_idf(const rp_scorer *s, uint32_t df)
{
    double n = s->ndocs < df ? df : s->ndocs;
    return log(1.0 + (n - df + 0.5) / (df + 0.5));
}

static double saturate(const rp_scorer *s, double idf, double wtf,
                       double wlen, double avg)
{
    if (wtf <= 0)
        return 0;
    if (avg <= 0)
        avg = 1;
    double k1 = s->p.k1, b = s->p.b;
    return idf * wtf * (k1 + 1) / (wtf + k1 * (1 - b + b * wlen / avg));
}

/* The weighted sum over the fields in mask of per-field values (tfs or
 * lengths), in field order: every caller sums alike, bit for bit. */
static inline double weighted(const rp_scorer *s, const uint16_t *v,
                              unsigned mask)
{
    double sum = 0;
    for (int f = 0; f < RP_NFIELDS; f++)
        if (mask & (1u << f))
            sum += s->p.weight[f] * v[f];
    return sum;
}

/* The score at weighted tf wtf and a weighted length of at least wlen and
 * at least wtf (a field's length counts the term's occurrences in it),
 * raised by a relative margin that covers rounding differences with the
 * exact sums: an upper bound. */
static double upper(const rp_scorer *s, double idf, double wtf, double wlen,
                    double avg)
{
    return saturate(s, idf, wtf, wlen > wtf ? wlen : wtf, avg) * (1 + 1e-9) +
           1e-12;
}

double rp_score_avglen(const rp_scorer *s, unsigned mask)
{
    double avg = 0;
    for (int f = 0; f < RP_NFIELDS; f++)
        if (mask & (1u << f))
            avg += s->p.weight[f] * s->avglen[f];
    return avg;
}

double rp_score_wlen(const rp_scorer *s, const rp_norms *norms,
                     unsigned mask)
{
    return weighted(s, norms->len, mask);
}

double rp_score_bm25f_pre(const rp_scorer *s, double idf, const uint16_t *tf,
                          double wlen, double avg, unsigned mask)
{
    return saturate(s, idf, weighted(s, tf, mask), wlen, avg);
}

double rp_score_bm25f(const rp_scorer *s, double idf, const uint16_t *tf,
                      const rp_norms *norms, unsigned mask)
{
    return rp_score_bm25f_pre(s, idf, tf, rp_score_wlen(s, norms, mask),
                              rp_score_avglen(s, mask), mask);
}

double rp_score_bound(const rp_scorer *s, double idf, const rp_bound *bound,
                      const rp_lenbound *lens, unsigned mask)
{
    /* The score grows with wtf and falls with wlen; for a posting (w, l)
     * with w <= W, l >= L and l >= w, score(w, l) <= score(w, max(L, w))
     * <= score(W, max(L, W)), since score(x, max(L, x)) grows with x. */
    return upper(s, idf, weighted(s, bound->maxtf, mask),
                 weighted(s, lens->minlen, mask), rp_score_avglen(s, mask));
}

double rp_score_impacts(const rp_scorer *s, double idf, const rp_impacts *imp,
                        unsigned mask)
{
    if (!s->default_weights || mask != RP_FIELD_ALL_MASK || imp->n == 0)
        return HUGE_VAL;
    double avg = rp_score_avglen(s, mask), best = 0;
    for (uint32_t i = 0; i < imp->n; i++) {
        double wtf = (double)imp->wtf[i] / RP_IMPACT_SCALE;
        double wlen = (double)imp->wlen[i] / RP_IMPACT_SCALE;
        double v = upper(s, idf, wtf, wlen, avg);
        if (v > best)
            best = v;
    }
    return best;
}

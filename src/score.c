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
    for (int f = 0; f < RP_NFIELDS; f++)
        s->avglen[f] = st->ndocs ? (double)st->fieldlen[f] / st->ndocs : 0;
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

double rp_score_bm25f(const rp_scorer *s, double idf, const uint16_t *tf,
                      const rp_norms *norms, unsigned mask)
{
    double wtf = 0, wlen = 0, avg = 0;
    for (int f = 0; f < RP_NFIELDS; f++) {
        if (!(mask & (1u << f)))
            continue;
        double w = s->p.weight[f];
        wtf += w * tf[f];
        wlen += w * norms->len[f];
        avg += w * s->avglen[f];
    }
    return saturate(s, idf, wtf, wlen, avg);
}

double rp_score_bound(const rp_scorer *s, double idf, const rp_bound *bound,
                      unsigned mask)
{
    double wtf = 0, avg = 0;
    for (int f = 0; f < RP_NFIELDS; f++) {
        if (!(mask & (1u << f)))
            continue;
        wtf += s->p.weight[f] * bound->maxtf[f];
        avg += s->p.weight[f] * s->avglen[f];
    }
    /* Increasing in wtf when wlen = wtf, and wlen >= wtf lowers the score:
     * the value at (wtf, wlen = wtf) bounds every posting. A relative
     * margin covers rounding differences with the exact computation. */
    return saturate(s, idf, wtf, wtf, avg) * (1 + 1e-9) + 1e-12;
}

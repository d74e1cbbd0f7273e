/* SPDX-License-Identifier: MIT */
/*
 * score: BM25F ranking arithmetic, with no I/O. A scorer is built once per
 * query from the collection statistics, the field weights, k1 and b; it
 * then scores (weighted tf, document norms) pairs and gives per-term upper
 * bounds for dynamic pruning. Plain struct, caller-owned.
 */
#ifndef RAPPORT_SCORE_H
#define RAPPORT_SCORE_H

#include <stdint.h>

#include "rapport/impact.h"
#include "rapport/index.h"

#define RP_BM25_K1 2.0f
#define RP_BM25_B 0.7f

typedef struct rp_score_params {
    float k1;                 /* tf saturation, > 0 */
    float b;                  /* length normalisation, 0..1 */
    float weight[RP_NFIELDS]; /* per-field weights, >= 0 */
} rp_score_params;

/* Fills p with the defaults: k1 2.0, b 0.7 (chosen with make eval; see
 * docs/relevance.md), the schema's weights. */
void rp_score_defaults(rp_score_params *p);

typedef struct rp_scorer {
    rp_score_params p;
    double ndocs;              /* live documents */
    double avglen[RP_NFIELDS]; /* mean field length over live documents */
    int default_weights;       /* p.weight are the schema's: stored score
                                  frontiers (rp_impacts) apply */
} rp_scorer;

/* Prepares a scorer. Returns 0, or RP_EINVAL for parameters out of range
 * (k1 <= 0, b outside 0..1, a negative weight). */
int rp_scorer_init(rp_scorer *s, const rp_stats *st, const rp_score_params *p);

/* BM25 idf with Lucene's +1 inside the log, so it stays positive:
 * ln(1 + (N - df + 0.5) / (df + 0.5)). */
double rp_score_idf(const rp_scorer *s, uint32_t df);

/*
 * BM25F over the fields in mask (the "combined field" form of BM25F:
 * weighted term frequencies and lengths are summed over fields, then
 * saturated once):
 *   wtf  = sum over f in mask of w_f * tf_f
 *   wlen = sum over f in mask of w_f * len_f
 *   avg  = sum over f in mask of w_f * avglen_f
 *   score = idf * wtf * (k1 + 1) / (wtf + k1 * (1 - b + b * wlen / avg))
 * Returns 0 when wtf is 0.
 */
double rp_score_bm25f(const rp_scorer *s, double idf, const uint16_t *tf,
                      const rp_norms *norms, unsigned mask);

/* The pieces of rp_score_bm25f, for callers that score many terms of one
 * document or many documents of one term: the weighted average length of
 * the fields in mask (constant per query term), the document's weighted
 * length over mask (constant per document), and the score from them.
 * rp_score_bm25f(s, idf, tf, n, mask) equals
 * rp_score_bm25f_pre(s, idf, tf, rp_score_wlen(s, n, mask),
 *                    rp_score_avglen(s, mask), mask) bit for bit. */
double rp_score_avglen(const rp_scorer *s, unsigned mask);
double rp_score_wlen(const rp_scorer *s, const rp_norms *norms,
                     unsigned mask);
double rp_score_bm25f_pre(const rp_scorer *s, double idf, const uint16_t *tf,
                          double wlen, double avg, unsigned mask);

/* An upper bound of rp_score_bm25f over every posting whose per-field tfs
 * are at most bound->maxtf and whose field lengths are at least
 * lens->minlen. With W the weighted max tf and L the weighted minimum
 * length, it is the score at (W, max(L, W)): a document's weighted length
 * is at least its own weighted tf, as a field's length counts the term's
 * occurrences in it. */
double rp_score_bound(const rp_scorer *s, double idf, const rp_bound *bound,
                      const rp_lenbound *lens, unsigned mask);

/* An upper bound of rp_score_bm25f over the postings a score frontier was
 * built from (src/impact.c): the largest score at its points, each taken
 * as rp_score_bound takes (W, L). The frontier was built under the
 * schema's weights over all fields, so it applies only when the scorer
 * has those weights and mask is RP_FIELD_ALL_MASK; otherwise, or for an
 * empty frontier, the result is HUGE_VAL (no bound). */
double rp_score_impacts(const rp_scorer *s, double idf, const rp_impacts *imp,
                        unsigned mask);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * metrics: relevance measures computed as trec_eval computes them, over one
 * query's ranked list of relevance grades. Pure functions; no I/O, no
 * allocation.
 */
#ifndef RAPPORT_METRICS_H
#define RAPPORT_METRICS_H

#include <stddef.h>

/*
 * In all three: ranked[0..n) holds, in rank order (best first, already
 * sorted as trec_eval sorts a run), the judged grade of each retrieved
 * document, 0 for not relevant or not judged. k is the cutoff (10, 100).
 */

/* nDCG@k as trec_eval's ndcg_cut.k: gain = grade, discount log2(rank + 1)
 * with rank from 1, normalised by the ideal ordering of all judged grades
 * ideal[0..nideal) (any order; grades <= 0 ignored). 0 if the ideal DCG is
 * 0. */
double rp_metric_ndcg(const int *ranked, size_t n, const int *ideal,
                      size_t nideal, size_t k);

/* Average precision over the top k (trec_eval map_cut.k): the sum of
 * precision at each relevant (grade >= 1) rank <= k, divided by nrel, the
 * number of relevant documents for the query. 0 if nrel is 0. */
double rp_metric_ap(const int *ranked, size_t n, size_t nrel, size_t k);

/* Recall over the top k (trec_eval recall.k): relevant retrieved in the top
 * k divided by nrel. 0 if nrel is 0. */
double rp_metric_recall(const int *ranked, size_t n, size_t nrel, size_t k);

#endif

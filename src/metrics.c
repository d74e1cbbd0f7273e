/* SPDX-License-Identifier: MIT */
/*
 * metrics: nDCG@k, AP@k and recall@k over one query's ranked grades,
 * computed the way trec_eval 9.x computes ndcg_cut.k, map_cut.k and
 * recall.k, so our figures can be compared with published ones. The module
 * owns no state, does no I/O and never allocates; sorting a run and looking
 * up grades is the caller's job (bench/eval.c).
 */
#include "rapport/metrics.h"

#include <limits.h>
#include <math.h>

/* trec_eval's default relevance_level: a document with a grade at or above
 * it counts as relevant for AP and recall. */
#define RELEVANT_GRADE 1

/* The discount of 0-based position i: log2(i + 2), i.e. log2(rank + 1)
 * with 1-based ranks, so rank 1 is not discounted (log2(2) = 1). This is
 * trec_eval 9.x; older releases (8.x) divided by log2(rank) from rank 2 on,
 * which gives different figures. */
static double discount(size_t i)
{
    return log2((double)i + 2.0);
}

/* Returns the largest grade in ideal[] that is positive and below `below`,
 * or 0 if there is none. `below` is wider than int so that the first call
 * can admit every grade up to INT_MAX. */
static int next_level(const int *ideal, size_t nideal, long long below)
{
    int best = 0;
    for (size_t i = 0; i < nideal; i++)
        if (ideal[i] > best && (long long)ideal[i] < below)
            best = ideal[i];
    return best;
}

/* The DCG of the ideal ordering cut at k. The judged grades are visited
 * level by level from the highest down, which sorts them without a copy:
 * each level costs one pass, and collections have few levels (1 to 4). The
 * sum runs in rank order, as trec_eval's does, so rounding matches. */
static double ideal_dcg(const int *ideal, size_t nideal, size_t k)
{
    double sum = 0.0;
    size_t rank = 0;
    int level = next_level(ideal, nideal, (long long)INT_MAX + 1);
    while (level > 0 && rank < k) {
        for (size_t i = 0; i < nideal && rank < k; i++) {
            if (ideal[i] != level)
                continue;
            sum += (double)level / discount(rank);
            rank++;
        }
        level = next_level(ideal, nideal, level);
    }
    return sum;
}

double rp_metric_ndcg(const int *ranked, size_t n, const int *ideal,
                      size_t nideal, size_t k)
{
    /* Gains are the raw grades (trec_eval's default: "gain values are the
     * relevance values in the qrels file"), not 2^grade - 1. Grades at or
     * below zero add nothing. */
    double dcg = 0.0;
    for (size_t i = 0; i < n && i < k; i++)
        if (ranked[i] > 0)
            dcg += (double)ranked[i] / discount(i);
    double idcg = ideal_dcg(ideal, nideal, k);
    return idcg > 0.0 ? dcg / idcg : 0.0;
}

double rp_metric_ap(const int *ranked, size_t n, size_t nrel, size_t k)
{
    if (nrel == 0)
        return 0.0;
    /* Precision is taken at each relevant rank within the cutoff; relevant
     * documents never retrieved (or retrieved below k) contribute zero, so
     * the sum is divided by all nrel, not by min(k, nrel). */
    double sum = 0.0;
    size_t found = 0;
    for (size_t i = 0; i < n && i < k; i++) {
        if (ranked[i] >= RELEVANT_GRADE) {
            found++;
            sum += (double)found / (double)(i + 1);
        }
    }
    return sum / (double)nrel;
}

double rp_metric_recall(const int *ranked, size_t n, size_t nrel, size_t k)
{
    if (nrel == 0)
        return 0.0;
    size_t found = 0;
    for (size_t i = 0; i < n && i < k; i++)
        if (ranked[i] >= RELEVANT_GRADE)
            found++;
    return (double)found / (double)nrel;
}

/* SPDX-License-Identifier: MIT */
/*
 * search: runs a query against one read transaction. Query leaves go
 * through the same analysis as documents; the AST becomes a tree of
 * posting iterators (term, phrase, boolean) evaluated document at a time
 * with BM25F scores, and the top k are kept in a heap. OR-style queries use
 * MaxScore dynamic pruning, which returns the same top k as exhaustive
 * scoring. Each call allocates its own state; results are caller-owned.
 */
#ifndef RAPPORT_SEARCH_H
#define RAPPORT_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/analyze.h"
#include "rapport/docset.h"
#include "rapport/index.h"
#include "rapport/query.h"
#include "rapport/score.h"
#include "rapport/spell.h"
#include "rapport/vocab.h"

#define RP_SEARCH_MAX_K 10000 /* offset + limit at most */
#define RP_PREFIX_MAX_TERMS 64 /* expansions of one prefix* word; more is
                                  RP_ELIMIT */

typedef struct rp_search_opts {
    rp_doctype type;          /* only this type; RP_DOC_NONE: all */
    size_t limit;             /* hits wanted; 0 means 10 */
    size_t offset;            /* hits skipped first */
    rp_score_params params;   /* k1, b, weights; set by
                                 rp_search_opts_init */
    int exhaustive;           /* 1: score every match (no pruning) */
    int count;                /* 1: count all matches exactly (total) */
    const rp_docset *allow;   /* only documents in this set; NULL: all */
    const rp_fees *budget;    /* only documents whose fee range overlaps
                                 [min, max]; NULL: any */
    rp_docset *matched;       /* out, if not NULL: every matching document
                                 is added (implies an exact count) */
    const rp_vocab *vocab;    /* synonym rules for free-text and plain
                                 queries; NULL: none */
    double synonym_weight;    /* weight of a term added by a synonym, 0..1
                                 (rp_search_opts_init: 0.5) */
    int typo;                 /* 1: a word that looks misspelled also
                                 matches the nearest dictionary terms
                                 (rp_spell_alternatives), outside quoted
                                 phrases and prefix* words (init: 0) */
} rp_search_opts;

/* Defaults: all types, limit 10, offset 0, default scoring, pruning on,
 * exact count on. */
void rp_search_opts_init(rp_search_opts *o);

typedef struct rp_hit {
    rp_docid doc;
    double score;
} rp_hit;

typedef struct rp_results {
    rp_hit *hits;       /* owned; best first, ties by ascending docid */
    size_t nhits;
    uint64_t total;     /* documents matching (exact when total_exact) */
    int total_exact;    /* 0: total is a lower bound (count was off) */
    rp_correction *corrections; /* owned; words corrected (opts->typo), in
                                   query order, each once */
    size_t ncorrections;
} rp_results;

/* Frees r's hits and zeroes it; NULL is fine. */
void rp_results_fini(rp_results *r);

/*
 * Runs a parsed query. an must use the index's language. out is
 * overwritten (call rp_results_fini afterwards, also on failure).
 * Returns 0, RP_EINVAL (bad options: k over RP_SEARCH_MAX_K, bad scoring
 * parameters), RP_ELIMIT (a prefix* word matches more than
 * RP_PREFIX_MAX_TERMS terms), RP_ECORRUPT, RP_ENOMEM, or -errno.
 */
int rp_search(rp_txn *txn, rp_analyzer *an, const rp_query *q,
              const rp_search_opts *opts, rp_results *out);

/*
 * Runs natural-language text as an OR of its analysed terms (no operator
 * syntax at all; a repeated term counts once per repetition). Only the
 * first 4096 terms of the text are read, and 1024 distinct ones kept.
 * Same contract as rp_search, plus RP_EUTF8 for invalid UTF-8.
 */
int rp_search_text(rp_txn *txn, rp_analyzer *an, const char *text,
                   size_t len, const rp_search_opts *opts, rp_results *out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * match: pairs what a visitor writes with the specialists who work with
 * it. Text becomes a weighted set of vocabulary concepts; specialists are
 * ranked by the concepts they list (concerns and approaches), the text
 * relevance of their profile and the filters, and each hit carries the
 * concepts that earned it. Reads one transaction; allocates its results.
 */
#ifndef RAPPORT_MATCH_H
#define RAPPORT_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/analyze.h"
#include "rapport/index.h"
#include "rapport/search.h"
#include "rapport/vocab.h"

#define RP_MATCH_MAX_REASONS 8
#define RP_MATCH_MAX_WORDS 6
#define RP_MATCH_WORD_BYTES 48
#define RP_MATCH_CANDIDATES 2000 /* text hits considered; page depth */

typedef struct rp_match_opts {
    rp_search_opts search; /* filters (allow, budget) and scoring; the type
                              is always specialist; limit and offset page;
                              matched, if set, receives every hit of every
                              page (for facet counts) */
    uint32_t seed;         /* rotates near-ties (e.g. the day number) */
} rp_match_opts;

typedef struct rp_match_reason {
    size_t concept;        /* vocabulary index */
    double weight;         /* the query weight it contributed */
} rp_match_reason;

typedef struct rp_match_hit {
    rp_docid doc;
    double score;          /* 0..1: 0.65 concepts + 0.35 text */
    int accepting;         /* accepting_clients is true */
    int free;              /* free_consultation is true */
    size_t nreasons;
    rp_match_reason reasons[RP_MATCH_MAX_REASONS]; /* heaviest first */
    size_t nwords;         /* the visitor's words the profile also uses, */
    char words[RP_MATCH_MAX_WORDS][RP_MATCH_WORD_BYTES]; /* in text order,
                              as written (NUL-terminated; longer words are
                              left out) */
} rp_match_hit;

typedef struct rp_match_results {
    rp_match_hit *hits;    /* owned */
    size_t nhits;
    uint64_t total;        /* candidates with a positive score */
} rp_match_results;

void rp_match_opts_init(rp_match_opts *o);
void rp_match_results_fini(rp_match_results *r);

/*
 * Ranks specialists for text[0..len). vocab may be NULL (then only text
 * relevance counts). An approach found in the text weighs 0.35 of what a
 * concern would (as in rp_match_doc). A concept a profile lists counts
 * 1 / (1 + 0.25 x its place in the profile's concerns or approaches (0
 * first)) of its weight: profiles name their main work first. The tags
 * of the article or question the text finds best (BM25) add 0.75 each
 * when that document shares a concept with the text or the text names
 * none (pseudo-relevance feedback, for words no vocabulary phrase uses);
 * a concept only they name re-weighs the specialists found otherwise and
 * adds none. Order: specialists accepting clients before those who are
 * not; then 5% bands of score; inside a band, a free first consultation
 * first, then a rotation by seed. Cost: one more text search (over
 * articles and questions); reads the stored record of the best of them
 * and of each specialist listing a concept of the text. Returns 0,
 * RP_EUTF8, RP_EINVAL (bad options), RP_ECORRUPT, RP_ENOMEM.
 */
int rp_match(rp_txn *txn, rp_analyzer *an, const rp_vocab *vocab,
             const char *text, size_t len, const rp_match_opts *opts,
             rp_match_results *out);

/*
 * Ranks specialists for what stored document doc (an article, a question)
 * is about: the concepts of its title and summary (or the start of its
 * body), its own tags at twice a phrase's weight and the concepts its
 * whole text mentions (rapport/about.h); text relevance of the title and
 * summary. Approaches weigh 0.35 of a concern; a listed concept counts
 * whole wherever the profile lists it.
 * Ordering as rp_match. Returns as rp_match, and RP_ENOTFOUND if doc is
 * not stored.
 */
int rp_match_doc(rp_txn *txn, rp_analyzer *an, const rp_vocab *vocab,
                 rp_docid doc, const rp_match_opts *opts,
                 rp_match_results *out);

/*
 * More like this: the articles and questions related to stored document
 * doc (any type), by the same concepts and text as rp_match_doc, ordered
 * by score alone (no bands, no rotation; accepting and free are 0); doc
 * itself is left out. The filters of opts apply. Returns as
 * rp_match_doc.
 */
int rp_match_related(rp_txn *txn, rp_analyzer *an, const rp_vocab *vocab,
                     rp_docid doc, const rp_match_opts *opts,
                     rp_match_results *out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * vocab: the site's vocabulary of concerns and approaches, and its synonym
 * rules, analysed with the index's own analyzer so that they match the
 * way queries and documents are indexed. A vocab is built once (from
 * corpus/vocabulary.json, through rp_json_load_vocab) and then only read:
 * rp_vocab_expand is thread-safe on one vocab.
 */
#ifndef RAPPORT_VOCAB_H
#define RAPPORT_VOCAB_H

#include <stddef.h>

#include "rapport/analyze.h"
#include "rapport/phrase.h"

typedef struct rp_vocab rp_vocab;

/* An empty vocab analysing with an (borrowed while building). Returns 0 or
 * RP_ENOMEM; free with rp_vocab_free. */
int rp_vocab_new(rp_analyzer *an, rp_vocab **out);
void rp_vocab_free(rp_vocab *v);

/*
 * Adds a synonym rule. Equivalent (one_way 0): any phrase of from[] found
 * in a query adds the others. One way: a phrase of from[] adds every
 * phrase of to[], never the reverse (a narrower word pulls in a broader
 * one, not the other way round). Phrases are analysed (stemmed, stop words
 * dropped); a phrase with no index term is ignored. Returns 0, RP_EUTF8 or
 * RP_ENOMEM.
 */
int rp_vocab_add_rule(rp_vocab *v, int one_way, const char *const *from,
                      size_t nfrom, const char *const *to, size_t nto);

/* Number of rules. */
size_t rp_vocab_nrules(const rp_vocab *v);

#define RP_VOCAB_MAX_PARENTS 4

/* Adds a concept: kind 0 concern, 1 approach; id (unique), display
 * label, match (the label profiles list, kept normalised as a facet
 * value), the phrases that name it, and parent ids (resolved later by
 * rp_vocab_resolve; at most RP_VOCAB_MAX_PARENTS kept). Returns 0,
 * RP_EINVAL (an id that is not 1..64 of a-z, 0-9 and '-', or is already
 * taken; a match that is empty or over 64 bytes), RP_ELIMIT (a phrase of
 * more than 16 terms), RP_EUTF8 or RP_ENOMEM. */
int rp_vocab_add_concept(rp_vocab *v, int kind, const char *id,
                         const char *label, const char *match,
                         const char *const *phrases, size_t n,
                         const char *const *parents, size_t nparents);

/* Resolves parent ids to concepts. Returns 0 or RP_EDOC (an unknown id). */
int rp_vocab_resolve(rp_vocab *v);

/* Concepts: count, and for concept i its kind, id, label, normalised match
 * value (borrowed, valid while v lives) and parents (indices). */
size_t rp_vocab_nconcepts(const rp_vocab *v);

/* The concept whose id or match label is s (len bytes, compared as facet
 * values: case and surrounding spaces ignored), or SIZE_MAX. */
size_t rp_vocab_find(const rp_vocab *v, const char *s, size_t len);

/* 1 when stem[0..len) is a term of one of v's phrases (a concept's or a
 * synonym rule's): a word the vocabulary knows, though no document may
 * hold it yet. Cost: one pass over the phrases' terms. */
int rp_vocab_knows(const rp_vocab *v, const char *stem, size_t len);
int rp_vocab_kind(const rp_vocab *v, size_t i);
const char *rp_vocab_id(const rp_vocab *v, size_t i);
const char *rp_vocab_label(const rp_vocab *v, size_t i);
const char *rp_vocab_match(const rp_vocab *v, size_t i, size_t *len);
size_t rp_vocab_parents(const rp_vocab *v, size_t i, size_t *out);

/* Called with the raw text of each phrase a rule adds. */
typedef int (*rp_vocab_alt_cb)(void *ctx, const char *text, size_t len);

/* Calls cb once for every concept q[0..n) names, with a weight: 1 for
 * each of its phrases that occurs whole, plus word evidence when the
 * query uses stems the concept's phrases use, rare ones weighing more
 * (so "the garage is full of stuff we never throw out" finds hoarding
 * without any one phrase occurring); see src/vocab.c for the constants.
 * Requires rp_vocab_resolve. Returns 0 or cb's value. */
typedef int (*rp_vocab_concept_hit_cb)(void *ctx, size_t concept,
                                       double weight);
int rp_vocab_concepts(const rp_vocab *v, const rp_vterm *q, size_t n,
                      rp_vocab_concept_hit_cb cb, void *ctx);

/* As rp_vocab_concepts with whole phrases only (weight: how many occur),
 * for long texts, where word evidence would name too much. */
int rp_vocab_phrase_concepts(const rp_vocab *v, const rp_vterm *q, size_t n,
                             rp_vocab_concept_hit_cb cb, void *ctx);

/*
 * Finds every rule phrase occurring in q[0..n) (the query's analysed
 * terms, positions as the analyzer gave them: a phrase matches where its
 * terms sit at the same relative positions) and calls cb once per added
 * phrase (each distinct phrase at most once; never a phrase already
 * present in the query). Returns 0 or cb's non-zero value.
 */
int rp_vocab_expand(const rp_vocab *v, const rp_vterm *q, size_t n,
                    rp_vocab_alt_cb cb, void *ctx);

#endif

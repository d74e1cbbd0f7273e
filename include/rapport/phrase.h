/* SPDX-License-Identifier: MIT */
/*
 * phrase: a table of analysed phrases and where they occur in analysed
 * text. Each phrase keeps its raw text and its index terms (stems, stop
 * words dropped) with their positions relative to the first, so that "end
 * my life" occurs in "I want to end my life" and in "ending my life" but
 * not in "my life has no end". Used by the vocabulary (synonyms and
 * concepts) and by crisis detection. A table is built once, then only
 * read: lookups are thread-safe on one table.
 */
#ifndef RAPPORT_PHRASE_H
#define RAPPORT_PHRASE_H

#include <stddef.h>

#include "rapport/analyze.h"

/* One analysed term of the text searched: its stem and position. */
typedef struct rp_vterm {
    const char *stem;
    size_t len;
    unsigned pos;
    size_t start, end; /* the word's bytes in the text analysed (0, 0 when
                          the text was not analysed by rp_vterms) */
} rp_vterm;

/* The analysed terms of a text, to search phrases in. */
typedef struct rp_vterms {
    rp_vterm *t;
    size_t n;
    char *stems; /* the stems t[] points into */
    size_t cap, stems_len, stems_cap;
} rp_vterms;

/* Analyses text (len bytes) with an and flags (RP_ANALYZE_*, as the
 * phrases to find were) into *out, which owns its memory: every term,
 * however long the text. Returns 0, RP_EUTF8 or RP_ENOMEM; release with
 * rp_vterms_fini (also after an error). */
int rp_vterms_analyze(rp_analyzer *an, unsigned flags, const char *text,
                      size_t len, rp_vterms *out);
void rp_vterms_fini(rp_vterms *v);

typedef struct rp_phrases rp_phrases;

/* An empty table analysing with an (borrowed while adding) and flags
 * (RP_ANALYZE_*). Returns 0 or RP_ENOMEM; free with rp_phrases_free. */
int rp_phrases_new(rp_analyzer *an, unsigned flags, rp_phrases **out);
void rp_phrases_free(rp_phrases *p);

/* Sets *out to the index of text (len bytes), analysed and added if the
 * table does not hold it yet, or to SIZE_MAX when it has no index term
 * (only stop words, unless they are kept). Returns 0, RP_ELIMIT (more
 * than 16 terms: refused, not cut), RP_EUTF8 or RP_ENOMEM. */
int rp_phrases_intern(rp_phrases *p, const char *text, size_t len,
                      size_t *out);

/* Number of phrases; the raw text and the stems of phrase i. */
size_t rp_phrases_count(const rp_phrases *p);
const char *rp_phrases_text(const rp_phrases *p, size_t i, size_t *len);
size_t rp_phrases_nterms(const rp_phrases *p, size_t i);
const char *rp_phrases_term(const rp_phrases *p, size_t i, size_t t,
                            size_t *len);

/* Called for an occurrence of a phrase: the positions of its first and
 * last terms in the text searched. A nonzero return stops the search. */
typedef int (*rp_phrase_hit_cb)(void *ctx, unsigned first, unsigned last);

/* Calls cb for every occurrence of phrase i in q[0..n) (the analyzer's
 * terms, in any order). Returns 0 or cb's value. */
int rp_phrases_each(const rp_phrases *p, size_t i, const rp_vterm *q,
                    size_t n, rp_phrase_hit_cb cb, void *ctx);

/* Calls cb for every occurrence of every phrase of p in q[0..n), in text
 * order: phrase index, first and last positions. Looks only at the
 * phrases starting with each term (a hash of first stems), so a long text
 * costs about its length, not its length times the phrases. Returns 0 or
 * cb's value. */
typedef int (*rp_phrase_scan_cb)(void *ctx, size_t phrase, unsigned first,
                                 unsigned last);
int rp_phrases_scan(const rp_phrases *p, const rp_vterm *q, size_t n,
                    rp_phrase_scan_cb cb, void *ctx);

/* 1 if phrase i occurs in q[0..n), else 0. */
int rp_phrases_occurs(const rp_phrases *p, size_t i, const rp_vterm *q,
                      size_t n);

#endif

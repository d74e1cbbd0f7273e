/* SPDX-License-Identifier: MIT */
/*
 * correct: tells a person what typo tolerance did to their query. Given
 * the corrections of a search (rp_results.corrections, or rp_spell_check
 * for natural text), it finds how each corrected term is written, writes
 * the query with the corrected words replaced, and decides whether to
 * offer that query as "did you mean": when the corrected query, searched
 * without typo tolerance, finds clearly more (at least twice as many plus
 * one) than the query as typed.
 */
#ifndef RAPPORT_CORRECT_H
#define RAPPORT_CORRECT_H

#include <stddef.h>

#include "rapport/buf.h"
#include "rapport/search.h"
#include "rapport/spell.h"

typedef struct rp_fix {
    size_t off, len;           /* the word as typed, in the query */
    size_t word_off, word_len; /* how its correction is written, in words */
} rp_fix;

typedef struct rp_corrected {
    rp_fix *fix; /* owned, in query order */
    size_t n;
    rp_buf words;       /* the written corrections, one after another */
    rp_buf text;        /* the query with each corrected word replaced */
    int did_you_mean;   /* 1: text finds clearly more than the query */
} rp_corrected;

/*
 * Describes the n corrections c of query q[0..len) (syntax: 1 when q is
 * query syntax for rp_search, 0 for natural text and rp_search_text).
 * base gives the type, filters and budget the counts respect. out is
 * overwritten; call rp_corrected_fini afterwards, also on failure.
 * Returns 0, RP_EINVAL (a correction outside q), RP_ENOMEM or a search
 * error.
 */
int rp_correct(rp_txn *txn, rp_analyzer *an, const char *q, size_t len,
               int syntax, const rp_correction *c, size_t n,
               const rp_search_opts *base, rp_corrected *out);

/* rp_spell_check (with base->vocab) and rp_correct together, for natural
 * text (the words of /v1/match): out.text is the text to search when
 * out.n > 0. */
int rp_correct_text(rp_txn *txn, rp_analyzer *an, const char *text,
                    size_t len, const rp_search_opts *base,
                    rp_corrected *out);

void rp_corrected_fini(rp_corrected *out);

#endif

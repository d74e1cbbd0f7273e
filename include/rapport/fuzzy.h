/* SPDX-License-Identifier: MIT */
/*
 * fuzzy: dictionary terms within a small edit distance of a word. The
 * distance is the optimal string alignment distance over code points:
 * inserting, deleting or substituting one character, or swapping two
 * adjacent ones, costs one edit. rp_fuzzy_find walks the sorted dictionary
 * with the rows of the edit-distance table for the current term, reusing
 * the rows of the prefix it shares with the previous term, and seeks past
 * every prefix that can no longer come within the distance, so it reads a
 * small part of the dictionary instead of every term. Stateless; one call
 * allocates one dictionary cursor.
 */
#ifndef RAPPORT_FUZZY_H
#define RAPPORT_FUZZY_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/index.h"
#include "rapport/tokenize.h"

#define RP_FUZZY_MAX_DIST 2
/* Dictionary entries one call may read; past it, the walk ends early with
 * what it found (a bound on latency in large dictionaries, where every
 * term of two characters may still be within reach). The terms sharing
 * the word's first character are walked first. */
#define RP_FUZZY_MAX_VISITS 5000

typedef struct rp_fuzzy_term {
    char term[RP_TERM_MAX_BYTES];
    size_t len;
    unsigned dist; /* 1..maxd */
    uint32_t df;
} rp_fuzzy_term;

/*
 * The distance between a[0..alen) and b[0..blen) (UTF-8; an invalid byte
 * counts as one character), or limit + 1 when it is larger than limit.
 * Words of more than RP_TERM_MAX_BYTES bytes give limit + 1. Thread-safe.
 */
unsigned rp_fuzzy_distance(const char *a, size_t alen, const char *b,
                           size_t blen, unsigned limit);

/*
 * Inserts cand into out[0..*n), kept best first (smaller distance, then
 * larger df, then byte order), of capacity cap: when full, cand replaces
 * the worst if it is better. Does not look for duplicates.
 */
void rp_fuzzy_keep(rp_fuzzy_term *out, size_t cap, size_t *n,
                   const rp_fuzzy_term *cand);

/*
 * Finds the dictionary terms at distance 1..maxd of word[0..len) whose df
 * is at least min_df. Keeps the best cap of them (smaller distance first,
 * then larger df, then byte order) in out, best first, and sets *n.
 * *visited, if not NULL, gets the number of dictionary entries read.
 * Returns 0, RP_EINVAL (maxd over RP_FUZZY_MAX_DIST, len 0 or over
 * RP_TERM_MAX_BYTES, invalid UTF-8), RP_ENOMEM, RP_ECORRUPT or another
 * index error; *n is 0 on failure.
 */
int rp_fuzzy_find(rp_txn *txn, const char *word, size_t len, unsigned maxd,
                  uint32_t min_df, rp_fuzzy_term *out, size_t cap, size_t *n,
                  size_t *visited);

#endif

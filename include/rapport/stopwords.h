/* SPDX-License-Identifier: MIT */
/*
 * stopwords: per-language lists of words too common to index, as constant
 * tables. The English list is Snowball's. Owns no state; never allocates.
 */
#ifndef RAPPORT_STOPWORDS_H
#define RAPPORT_STOPWORDS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rp_stoplist rp_stoplist;

/* The stop list for a language name as rp_stemmer_new takes it ("english",
 * "en", "porter"), or NULL when the language has none. Static. */
const rp_stoplist *rp_stoplist_get(const char *lang);

/* True if word[0..len) (normalised: case-folded, accents stripped, with
 * U+0027 apostrophes) is on list. list may be NULL (then false). Cost: no
 * more than a few comparisons; no allocation. Thread-safe. */
bool rp_stoplist_has(const rp_stoplist *list, const char *word, size_t len);

#endif

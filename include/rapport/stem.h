/* SPDX-License-Identifier: MIT */
/*
 * stem: the Snowball stemmer (Debian's libstemmer) behind one handle, with a
 * small cache of recent words. The only code that includes libstemmer.h.
 * A stemmer keeps per-call state: each thread owns its own.
 */
#ifndef RAPPORT_STEM_H
#define RAPPORT_STEM_H

#include <stddef.h>

typedef struct rp_stemmer rp_stemmer;

/* Creates a stemmer for lang, a libstemmer algorithm name or ISO 639 code,
 * in lower case as libstemmer spells them ("english", "en", "eng",
 * "french", "porter", ...), or "none" for a stemmer that returns words
 * unchanged. Every language libstemmer lists works.
 * out: set to a new stemmer the caller frees with rp_stemmer_free(), or NULL
 * on failure. Returns 0, RP_ELANG (unknown language), RP_EINVAL (NULL lang)
 * or RP_ENOMEM. A stemmer holds about 1 MiB, its word cache ("none" has
 * no cache). */
int rp_stemmer_new(const char *lang, rp_stemmer **out);

/* Frees s; NULL is fine. */
void rp_stemmer_free(rp_stemmer *s);

/* Stems word[0..len) (normalised UTF-8, not NUL-terminated).
 * stem/stem_len: out; *stem points into the stemmer's own buffer, valid until
 * the next call on s. *stem_len is at least 1: where Snowball would strip a
 * word to nothing (porter on "s"), the word is its own stem. On failure they
 * are set to NULL and 0. Returns 0, RP_EINVAL (len 0 or over 255 bytes) or
 * RP_ENOMEM. Not thread-safe on one s. Cost: a cache probe, plus the
 * Snowball algorithm on a miss. */
int rp_stem(rp_stemmer *s, const char *word, size_t len, const char **stem,
            size_t *stem_len);

/* A hint: starts loading the cache line where rp_stem will look word up,
 * so that a caller with words queued can overlap their cache misses. No
 * effect on results; does nothing for words the cache does not hold. */
void rp_stem_prefetch(const rp_stemmer *s, const char *word, size_t len);

/* The canonical name of s's language ("english", or "none"). Static. */
const char *rp_stemmer_lang(const rp_stemmer *s);

/* NULL-terminated list of the algorithm names libstemmer offers. Static. */
const char **rp_stem_languages(void);

#endif

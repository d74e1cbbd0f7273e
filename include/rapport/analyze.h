/* SPDX-License-Identifier: MIT */
/*
 * analyze: the one text-analysis path for documents and queries: tokenize,
 * drop stop words (they keep their positions), stem. An analyzer owns a
 * stemmer, so each thread owns its own analyzer.
 */
#ifndef RAPPORT_ANALYZE_H
#define RAPPORT_ANALYZE_H

#include <stddef.h>

#include "rapport/tokenize.h"

typedef struct rp_analyzer rp_analyzer;

/* Creates an analyzer for lang (any name rp_stemmer_new accepts). out: a new
 * analyzer the caller frees with rp_analyzer_free(), NULL on failure.
 * Returns 0, RP_ELANG, RP_EINVAL or RP_ENOMEM. */
int rp_analyzer_new(const char *lang, rp_analyzer **out);

/* Frees a; NULL is fine. */
void rp_analyzer_free(rp_analyzer *a);

/* The canonical language name ("english"). Static. */
const char *rp_analyzer_lang(const rp_analyzer *a);

/*
 * Analyzes text[0..len) and calls cb once per index term, in text order. The
 * token passed to cb is the tokenizer's, with term/term_len replaced by the
 * stem (numbers are not stemmed); the bytes are borrowed until cb returns.
 * Stop words are not passed but keep their positions. base and next_pos are
 * as for rp_tokenize. Returns 0, RP_EUTF8 (no callback was made), RP_ENOMEM,
 * or cb's non-zero value. Not thread-safe on one a.
 */
int rp_analyze(rp_analyzer *a, const char *text, size_t len, rp_pos base,
               rp_token_cb cb, void *ctx, rp_pos *next_pos);

/* Stems one word already normalised as rp_tokenize emits it (no
 * tokenising, no stop list): for spellings generated from a typed word.
 * Same contract as rp_stem; *stem is valid until the next call on a. */
int rp_analyzer_stem(rp_analyzer *a, const char *word, size_t len,
                     const char **stem, size_t *stem_len);

/* rp_analyze with flags: RP_ANALYZE_STOPWORDS passes stop words too
 * (stemmed like other words), for matching phrases in which they carry
 * the meaning ("I'm not safe"). */
#define RP_ANALYZE_STOPWORDS 1u
int rp_analyze_flags(rp_analyzer *a, const char *text, size_t len,
                     rp_pos base, unsigned flags, rp_token_cb cb, void *ctx,
                     rp_pos *next_pos);

#endif

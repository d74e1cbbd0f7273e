/* SPDX-License-Identifier: MIT */
/*
 * snippet: the display side of a search hit: a short, HTML-safe excerpt of
 * a stored text around the words a query matched, with those words marked.
 * Matching uses the index's own analysis (a word matches when its analysed
 * term is one of the query's terms), so "grieving" is marked for a query
 * "grieves" (both stem to "griev"), but not for "grief", which a search
 * does not match to it either. Owns nothing beyond its calls; allocation
 * only in the output buffer, the term set and per-call scratch.
 */
#ifndef RAPPORT_SNIPPET_H
#define RAPPORT_SNIPPET_H

#include <stddef.h>

#include "rapport/analyze.h"
#include "rapport/buf.h"
#include "rapport/query.h"

/* A set of analysed terms (stems), as the index stores them. The index
 * off/len is kept sorted by term bytes (memcmp order, a prefix first), so
 * lookups binary-search; adding a new term shifts the entries after it,
 * O(n), which suits query-sized sets (hundreds of terms). */
typedef struct rp_termset {
    char *bytes;   /* owned: all terms, back to back, in insertion order */
    size_t *off;   /* owned: term i is bytes[off[i] .. off[i] + len[i]);
                      i runs in sorted term order */
    size_t *len;   /* owned */
    size_t n, cap; /* terms, and room in off/len */
    size_t used, bytes_cap; /* bytes in use, and room, in bytes */
} rp_termset;

/* Zeroes s without allocating. */
void rp_termset_init(rp_termset *s);

/* Frees what s owns and zeroes it; NULL is fine. */
void rp_termset_fini(rp_termset *s);

/* Adds every index term of text[0..len) (analysed with an; duplicates are
 * kept once). Returns 0, RP_EUTF8 (nothing added) or RP_ENOMEM (the terms
 * before the failure stay). */
int rp_termset_add_text(rp_termset *s, rp_analyzer *an, const char *text,
                        size_t len);

/* Adds the terms of every WORD and PHRASE leaf of q that is not under a NOT
 * (excluded words are not highlighted); a prefix word* adds nothing here.
 * As in src/search.c: a compound word adds its parts and its joined form, a
 * compound in a phrase only its parts, a leaf gives at most its first
 * RP_QUERY_MAX_NODES tokens, and stop words add nothing. Fields are
 * ignored: the caller picks the text to excerpt. Returns 0, RP_EUTF8 or
 * RP_ENOMEM (the terms before the failure stay). */
int rp_termset_add_query(rp_termset *s, rp_analyzer *an, const rp_query *q);

/* True if term[0..len) is in s. Cost: O(log n) or better. */
int rp_termset_has(const rp_termset *s, const char *term, size_t len);

typedef struct rp_snippet_opts {
    size_t max_chars;  /* longest excerpt in code points, marks excluded;
                          0 means 180 */
    const char *open;  /* marker before a matched word; NULL: "<mark>" */
    const char *close; /* after it; NULL: "</mark>" */
} rp_snippet_opts;

/*
 * Appends to out an excerpt of text[0..len) (valid UTF-8): the window of at
 * most max_chars code points that holds the most distinct matched terms
 * (ties: the earliest), widened to whole words; "…" (U+2026) where text was
 * cut at the start or the end, with no space added; runs of ASCII
 * whitespace (space, tab, CR, LF) shown as one space, and none at either
 * end; every matched word wrapped in open/close (a hyphenated compound is
 * one word, marked whole when its joined form or any part matches); all
 * text HTML-escaped (& < > " '), the markers written as given. Code points
 * are counted as shown: a whitespace run is one, an escaped character one,
 * markers and "…" none. Context: up to a quarter of the room the matches
 * leave goes before the first match, the rest after the last (and before
 * again if the text ends). Words are split at whitespace and between
 * tokens (so text without spaces, like Han, can be cut); only a single
 * word longer than max_chars is cut inside, at a code point. A text with
 * no match gives its first max_chars code points (cut at a word boundary).
 * An empty or all-whitespace text gives an empty snippet. opts may be
 * NULL; terms may be NULL (nothing matches).
 * Returns 0, RP_EUTF8 (invalid UTF-8; nothing appended) or RP_ENOMEM
 * (nothing appended). Not thread-safe on one an. Cost: linear in len, plus
 * O(log n) per word for the term lookups.
 */
int rp_snippet(rp_analyzer *an, const rp_termset *terms, const char *text,
               size_t len, const rp_snippet_opts *opts, rp_buf *out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * spell: typo tolerance for query words. rp_spell_alternatives decides
 * whether a word someone typed looks misspelled (absent from the
 * dictionary, or rare in it) and which dictionary terms to search beside
 * it, with what weight; rp_spell_surface finds how a dictionary term (a
 * stem) is written, to show a correction in words. The search module calls
 * the first; the code that reports corrections calls the second.
 */
#ifndef RAPPORT_SPELL_H
#define RAPPORT_SPELL_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/analyze.h"
#include "rapport/buf.h"
#include "rapport/fuzzy.h"
#include "rapport/index.h"
#include "rapport/vocab.h"

#define RP_SPELL_MIN_CHARS 5   /* shorter words are never corrected */
#define RP_SPELL_TWO_EDITS 9   /* words this long may be two edits off */
#define RP_SPELL_MAX_ALTS 3    /* terms searched beside one word, at most */

/* A word corrected: where it is in the text searched (rp_query_text for
 * rp_search, the text itself otherwise) and the best dictionary term
 * searched beside it. */
typedef struct rp_correction {
    size_t off, len;
    char term[RP_TERM_MAX_BYTES];
    size_t term_len;
} rp_correction;

typedef struct rp_spell_alt {
    rp_fuzzy_term t;
    double weight; /* query weight relative to the word's own, 0..1 */
} rp_spell_alt;

/*
 * The alternatives for a word: typed[0..typed_len) as the person wrote it
 * (UTF-8), stem[0..stem_len) its analysed term, df that term's document
 * frequency (0: not in the dictionary). A word is corrected when it has at
 * least RP_SPELL_MIN_CHARS characters, no digit, is absent or rare, and is
 * not a word of vocab's phrases (vocab may be NULL: a vocabulary lists
 * misspellings and words the documents may lack on purpose); it
 * then gets the nearest terms that are clearly more common than it: the
 * stems of the spellings one edit from the typed word, and the terms one
 * edit from its stem (two from RP_SPELL_TWO_EDITS characters), best first
 * (fewer edits, then more documents): at most
 * RP_SPELL_MAX_ALTS, all at the smallest distance found. An alternative's
 * weight is below 1, so, as its document frequency is higher than the
 * word's, a document with the word itself outranks one with only the
 * alternative. Sets *n (0: no correction). Returns 0 or an index error.
 */
int rp_spell_alternatives(rp_txn *txn, rp_analyzer *an,
                          const rp_vocab *vocab, const char *typed,
                          size_t typed_len, const char *stem,
                          size_t stem_len, uint32_t df,
                          rp_spell_alt out[RP_SPELL_MAX_ALTS], size_t *n);

/*
 * The corrections of natural-language text[0..len), without searching: each
 * word that rp_spell_alternatives corrects, with its best alternative, in
 * text order; at most RP_SPELL_MAX_FIXES. A word is looked at once (its
 * first occurrence) among the first 64 distinct words; later repeats of
 * rarer words may be corrected again at their own offsets.
 * *out is caller-owned (free()); NULL when *n is 0. Returns 0, RP_EUTF8,
 * RP_ENOMEM or an index error.
 */
#define RP_SPELL_MAX_FIXES 16
int rp_spell_check(rp_txn *txn, rp_analyzer *an, const rp_vocab *vocab,
                   const char *text, size_t len, rp_correction **out,
                   size_t *n);

/*
 * Appends to out how term (a dictionary stem) is written, for showing a
 * correction of typed[0..typed_len): of the case-folded words that give
 * the term in the first documents holding it ("anxieti": "anxiety",
 * "anxieties"), the one nearest to what was typed, then the commonest,
 * then the shortest. It reads up to 8 documents and the first 16 KiB of
 * each of their fields (cut at a space), so its cost is bounded whatever
 * their size. The term itself when none of that shows it. Returns 0,
 * RP_ENOMEM, RP_ECORRUPT or another index error.
 */
int rp_spell_surface(rp_txn *txn, rp_analyzer *an, const char *term,
                     size_t len, const char *typed, size_t typed_len,
                     rp_buf *out);

#endif

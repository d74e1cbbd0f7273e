/* SPDX-License-Identifier: MIT */
/*
 * tokenize: splits UTF-8 text into normalised word tokens with positions and
 * byte spans, and pushes them to a callback that may stop early. Owns no
 * state beyond the call; never allocates. It knows nothing of stop words or
 * stemming (see analyze.h).
 */
#ifndef RAPPORT_TOKENIZE_H
#define RAPPORT_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t rp_pos; /* word position within a document, 0-based */

/* Longest normalised token kept, in bytes. A longer word (or compound
 * part) is not emitted but still takes its position. */
#define RP_TERM_MAX_BYTES 64

/* Token flags. A "digit" for RP_TOK_NUMBER is a decimal digit of any script
 * (Unicode Nd: "٣" and "１" count, "²" does not). The flag is also set on a
 * numeric PART, and on a JOINED whose parts are all numeric ("1-2"). */
#define RP_TOK_PART 0x1   /* one part of a hyphenated compound */
#define RP_TOK_JOINED 0x2 /* the compound's parts joined, no hyphens; it
                           * sits at the position of the first part */
#define RP_TOK_NUMBER 0x4 /* digits only, or digits with a decimal point */

typedef struct rp_token {
    const char *term; /* normalised bytes, not NUL-terminated; borrowed,
                         valid only during the callback */
    size_t term_len;  /* 1..RP_TERM_MAX_BYTES */
    rp_pos pos;       /* base + word index in the text */
    size_t start;     /* byte offset of the word's first byte in the text */
    size_t end;       /* byte offset one past its last byte */
    unsigned flags;   /* RP_TOK_* */
} rp_token;

/* Called once per token, in text order (a JOINED token comes right after the
 * last PART of its compound). Return 0 to go on; any other value (negative
 * ones included) stops tokenising and is returned by rp_tokenize. */
typedef int (*rp_token_cb)(void *ctx, const rp_token *tok);

/*
 * Tokenises text[0..len).
 *
 * Words are maximal runs of letters, digits and combining marks (Unicode
 * categories L*, N*, M*); everything else (spaces, punctuation, symbols,
 * emoji, controls, NUL, format characters) separates. Within a word:
 *  - an apostrophe (U+0027, U+2019, U+02BC) between two letters is kept, as
 *    U+0027 ("don't", "o'brien"); elsewhere it separates ("'quoted'",
 *    "parents'"). U+02BC is always an apostrophe, never a letter;
 *  - a hyphen (U+002D, U+2010, U+2011) between two letters or digits makes a
 *    compound: each part is a token of its own at consecutive positions
 *    (RP_TOK_PART), then the parts joined (RP_TOK_JOINED) at the first part's
 *    position, so "post-traumatic" matches "post traumatic" and
 *    "posttraumatic"; a compound has at most 8 parts (more are split there:
 *    the ninth part starts a new word). Leading, trailing and doubled
 *    hyphens separate. The joined token is left out when a part is too
 *    long or the join exceeds RP_TERM_MAX_BYTES;
 *  - '.' or ',' between two decimal digits continues a number: "3.5" stays
 *    "3.5", "10,000" becomes "10000", "2024." is "2024";
 *  - a Han, Hiragana, Katakana or Hangul letter or number is a token on its
 *    own, with the combining marks after it and, for Hangul, the conjoining
 *    jamo that continue its syllable ("日本語" gives three tokens).
 * Normalisation, per token: NFKC, full Unicode case folding, then combining
 * marks removed ("Café" -> "cafe", "ﬁ" -> "fi", "Straße" -> "strasse");
 * of the result only letters and numbers are kept ("⑴" -> "1"). A word or
 * part whose normalised form is empty (a lone combining mark) is dropped
 * and takes no position; a compound left with one part is a plain word.
 * Every term is valid UTF-8 whose only ASCII bytes are a-z, 0-9, '\'' and
 * '.'.
 *
 * text:     may be NULL when len is 0.
 * base:     position of the first token.
 * next_pos: out, if non-NULL: one past the last position used (base when
 *           there were no words, or on RP_EUTF8), so a caller can continue
 *           in a later field. After an early stop, one past the last
 *           position handed out (for a JOINED token, past its last part).
 * Returns 0; RP_EUTF8 if text is not valid UTF-8 (checked before any callback
 * runs, so a failing call never invokes cb); or the callback's non-zero
 * value. Thread-safe; cost linear in len; uses about 2 KiB of stack.
 */
int rp_tokenize(const char *text, size_t len, rp_pos base, rp_token_cb cb,
                void *ctx, rp_pos *next_pos);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * utf8: strict validation, decoding and encoding of UTF-8 bytes. Never
 * allocates; every output goes to a caller buffer. The normalisation for
 * search (NFKC, case folding, accent stripping through utf8proc) is done by
 * the tokenizer, one token at a time (see tokenize.h).
 */
#ifndef RAPPORT_UTF8_H
#define RAPPORT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Checks that s[0..len) is well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). NUL bytes are valid UTF-8; s may be
 * NULL when len is 0. Returns 0 (leaving *bad_offset untouched), or
 * RP_EUTF8 with *bad_offset (if non-NULL) set to the first bad byte: the
 * first byte of the first ill-formed or truncated sequence, so s[0..offset)
 * is valid. Cost: one pass, with an ASCII fast path. Thread-safe. */
int rp_utf8_validate(const char *s, size_t len, size_t *bad_offset);

/* Decodes one code point at s[0..len), len >= 1, as strictly as
 * rp_utf8_validate. Returns the number of bytes consumed (1..4) and sets
 * *cp; on a malformed or truncated sequence returns 1 and sets *cp to -1.
 * Thread-safe. */
size_t rp_utf8_decode(const char *s, size_t len, int32_t *cp);

/* Encodes cp (0..0x10FFFF, not a surrogate) into out[0..4). Returns the
 * byte count 1..4, or 0 for an invalid code point. */
size_t rp_utf8_encode(int32_t cp, char *out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * utf8: validation and decoding of UTF-8 bytes, and per-code-point
 * normalisation for search (NFKC, case folding, accent stripping) through
 * utf8proc. Never allocates; every output goes to a caller buffer.
 */
#ifndef RAPPORT_UTF8_H
#define RAPPORT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Checks that s[0..len) is well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). NUL bytes are valid UTF-8. Returns 0,
 * or RP_EUTF8 with *bad_offset (if non-NULL) set to the first bad byte.
 * Cost: one pass, with an ASCII fast path. Thread-safe. */
int rp_utf8_validate(const char *s, size_t len, size_t *bad_offset);

/* Decodes one code point at s[0..len), len >= 1. Returns the number of
 * bytes consumed (1..4) and sets *cp; on a malformed sequence returns 1 and
 * sets *cp to -1. Thread-safe. */
size_t rp_utf8_decode(const char *s, size_t len, int32_t *cp);

/* Encodes cp (0..0x10FFFF, not a surrogate) into out[0..4). Returns the
 * byte count 1..4, or 0 for an invalid code point. */
size_t rp_utf8_encode(int32_t cp, char *out);

#endif

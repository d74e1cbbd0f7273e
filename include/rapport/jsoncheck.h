/* SPDX-License-Identifier: MIT */
/*
 * jsoncheck: a strict RFC 8259 syntax check of one JSON text, run before
 * cJSON parses it, because cJSON accepts some invalid JSON (leading zeros,
 * "2.", unescaped control characters, bad \u escapes ...). It builds
 * nothing and never allocates.
 */
#ifndef RAPPORT_JSONCHECK_H
#define RAPPORT_JSONCHECK_H

#include <stddef.h>

#include "rapport/error.h"

/* Default nesting limit for arrays and objects. */
#define RP_JSON_MAX_DEPTH 64

/*
 * Checks that text[0..len) is exactly one JSON value (any type), optionally
 * surrounded by JSON whitespace (space, tab, LF, CR), per RFC 8259: strict
 * numbers, strings with valid escapes (a \u escape for a high surrogate must
 * be followed by one for a low surrogate and vice versa), no control
 * characters below U+0020 in strings, well-formed UTF-8 everywhere, no NUL
 * byte, nesting of arrays and objects no deeper than max_depth.
 * Returns 0, RP_EJSON or RP_EUTF8 (err, if non-NULL, gets the byte offset
 * and a message such as "unexpected ',' after object member"), or
 * RP_ELIMIT when nesting exceeds max_depth. Thread-safe; linear time;
 * constant stack (no recursion).
 */
int rp_json_check(const char *text, size_t len, unsigned max_depth,
                  rp_error *err);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * jsoncheck: a strict RFC 8259 syntax check of one JSON text, run on every
 * document before cJSON parses it. It is a flat state machine with the open
 * containers kept in a fixed bitset, so it never recurses, never allocates
 * and looks at each byte a bounded number of times. It builds no values and
 * must not grow a dependency beyond error.h.
 *
 * Error offsets: an unexpected byte is reported where it stands, an input
 * that ends too early at len, a bad escape at its backslash, a malformed
 * UTF-8 sequence at its lead byte, and a number with a leading zero at
 * that zero.
 */
#include "rapport/jsoncheck.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The deepest nesting the fixed stack can track; a larger max_depth acts
 * as this. 4096 bits cost 512 bytes of C stack. */
#define DEPTH_CAP 4096u

/* Byte classes for the string scanner: 0 for bytes that stand for
 * themselves (U+0020..U+007F except '"' and '\\'), else the reason to
 * stop. */
enum { PLAIN = 0, QUOTE, BACKSLASH, CONTROL, HIGH };

/* clang-format off */
#define P PLAIN
#define R16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
static const unsigned char byte_class[256] = {
    R16(CONTROL),                                   /* 0x00 */
    R16(CONTROL),                                   /* 0x10 */
    P, P, QUOTE, P, P, P, P, P, P, P, P, P, P, P, P, P, /* 0x20 */
    R16(P),                                         /* 0x30 */
    R16(P),                                         /* 0x40 */
    P, P, P, P, P, P, P, P, P, P, P, P, BACKSLASH, P, P, P, /* 0x50 */
    R16(P),                                         /* 0x60 */
    R16(P),                                         /* 0x70 */
    R16(HIGH), R16(HIGH), R16(HIGH), R16(HIGH),     /* 0x80 */
    R16(HIGH), R16(HIGH), R16(HIGH), R16(HIGH),     /* 0xC0 */
};
#undef R16
#undef P
/* clang-format on */

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static size_t skip_ws(const unsigned char *s, size_t len, size_t pos)
{
    while (pos < len && is_ws(s[pos]))
        pos++;
    return pos;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Returns the value of a hex digit, or -1. */
static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Returns nonzero if any of the eight bytes in x needs a closer look in a
 * string: below 0x20, '"', '\\' or 0x80 and up. Each test sets the high bit
 * of a byte that matches; a borrow can only flag bytes above a real match,
 * which is harmless for an any-byte test. */
static int has_special(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u;
    const uint64_t high = 0x8080808080808080u;
    uint64_t q = x ^ (ones * '"');
    uint64_t b = x ^ (ones * '\\');
    uint64_t lt = (x - ones * 0x20) & ~x;
    uint64_t zq = (q - ones) & ~q;
    uint64_t zb = (b - ones) & ~b;
    return ((lt | zq | zb | x) & high) != 0;
}

/*
 * Checks the UTF-8 sequence whose lead byte (0x80 or above) is s[pos],
 * strictly per RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF. On success stores its length in *n and its code point in *cp.
 * A sequence cut short by the end of the input is RP_EJSON "unexpected end
 * of input" inside a string (the text so far is a valid prefix) and
 * RP_EUTF8 elsewhere. Every other fault is RP_EUTF8 at the lead byte.
 */
static int utf8_seq(const unsigned char *s, size_t len, size_t pos,
                    int in_string, size_t *n, uint32_t *cp, rp_error *err)
{
    unsigned char c = s[pos];
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    size_t need;
    uint32_t v;

    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else if (c < 0xC0) {
        return rp_error_set(err, RP_EUTF8, pos,
                            "invalid UTF-8: unexpected continuation byte "
                            "0x%02X",
                            c);
    } else if (c < 0xC2) {
        return rp_error_set(err, RP_EUTF8, pos,
                            "invalid UTF-8: overlong encoding (byte 0x%02X)",
                            c);
    } else {
        return rp_error_set(err, RP_EUTF8, pos,
                            "invalid UTF-8: byte 0x%02X never occurs in "
                            "UTF-8",
                            c);
    }
    for (size_t i = 1; i < need; i++) {
        if (pos + i >= len) {
            if (in_string)
                return rp_error_set(err, RP_EJSON, len,
                                    "unexpected end of input in string");
            return rp_error_set(err, RP_EUTF8, pos,
                                "invalid UTF-8: incomplete sequence "
                                "starting with byte 0x%02X",
                                c);
        }
        unsigned char b = s[pos + i];
        if (b < 0x80 || b > 0xBF)
            return rp_error_set(err, RP_EUTF8, pos,
                                "invalid UTF-8: incomplete sequence "
                                "starting with byte 0x%02X",
                                c);
        if (i == 1 && (b < lo || b > hi)) {
            const char *why = c == 0xED   ? "encoded surrogate"
                              : c == 0xF4 ? "code point above U+10FFFF"
                                          : "overlong encoding";
            return rp_error_set(err, RP_EUTF8, pos,
                                "invalid UTF-8: %s (bytes 0x%02X 0x%02X)", why,
                                c, b);
        }
        v = v << 6 | (b & 0x3Fu);
    }
    *n = need;
    *cp = v;
    return 0;
}

/*
 * Reports the byte at s[pos] as unexpected, or the end of the input if pos
 * is len. where says where we were (" in number", "" at top level), want
 * what would have been valid. A non-ASCII byte is decoded so the message
 * names the character; if it is not valid UTF-8 the error is RP_EUTF8.
 */
static int unexpected(const unsigned char *s, size_t len, size_t pos,
                      const char *where, const char *want, rp_error *err)
{
    char what[16];
    unsigned char c;

    if (pos >= len)
        return rp_error_set(err, RP_EJSON, len,
                            "unexpected end of input%s (expected %s)", where,
                            want);
    c = s[pos];
    if (c >= 0x80) {
        size_t n;
        uint32_t cp;
        int rc = utf8_seq(s, len, pos, 0, &n, &cp, err);
        if (rc != 0)
            return rc;
        snprintf(what, sizeof what, "U+%04X", (unsigned)cp);
    } else if (c < 0x20 || c == 0x7F) {
        snprintf(what, sizeof what, "U+%04X", (unsigned)c);
    } else if (c == '\'') {
        snprintf(what, sizeof what, "\"'\"");
    } else {
        snprintf(what, sizeof what, "'%c'", c);
    }
    return rp_error_set(err, RP_EJSON, pos,
                        "unexpected character %s%s (expected %s)", what, where,
                        want);
}

/* Reads four hex digits at s[pos]. Returns 1 and stores the value, 0 if the
 * input ends first, -1 on a non-hex byte. */
static int hex4(const unsigned char *s, size_t len, size_t pos, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < 4; i++) {
        if (pos + i >= len)
            return 0;
        int h = hex_value(s[pos + i]);
        if (h < 0)
            return -1;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return 1;
}

/* Checks the escape whose backslash is s[*pos] and moves past it. A high
 * surrogate escape must be followed at once by a low surrogate escape; a
 * low surrogate alone is an error. */
static int scan_escape(const unsigned char *s, size_t len, size_t *pos,
                       rp_error *err)
{
    size_t at = *pos;
    unsigned u, lo;
    int r;

    if (at + 1 >= len)
        return rp_error_set(err, RP_EJSON, len,
                            "unexpected end of input in string");
    switch (s[at + 1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        *pos = at + 2;
        return 0;
    case 'u':
        break;
    default: {
        unsigned char c = s[at + 1];
        if (c > 0x20 && c < 0x7F)
            return rp_error_set(err, RP_EJSON, at,
                                "invalid escape '\\%c' in string", c);
        return rp_error_set(err, RP_EJSON, at,
                            "invalid escape in string: '\\' followed by "
                            "byte 0x%02X",
                            c);
    }
    }
    r = hex4(s, len, at + 2, &u);
    if (r == 0)
        return rp_error_set(err, RP_EJSON, len,
                            "unexpected end of input in string");
    if (r < 0)
        return rp_error_set(err, RP_EJSON, at,
                            "invalid \\u escape (expected 4 hex digits)");
    *pos = at + 6;
    if (u < 0xD800 || u > 0xDFFF)
        return 0;
    if (u >= 0xDC00)
        return rp_error_set(err, RP_EJSON, at, "unpaired surrogate \\u%04X", u);
    /* A high surrogate: the next escape must be its low half. */
    size_t next = at + 6;
    if (next >= len || (s[next] == '\\' && next + 1 >= len))
        return rp_error_set(err, RP_EJSON, len,
                            "unexpected end of input in string");
    if (s[next] != '\\' || s[next + 1] != 'u')
        return rp_error_set(err, RP_EJSON, at, "unpaired surrogate \\u%04X", u);
    r = hex4(s, len, next + 2, &lo);
    if (r == 0)
        return rp_error_set(err, RP_EJSON, len,
                            "unexpected end of input in string");
    if (r < 0)
        return rp_error_set(err, RP_EJSON, next,
                            "invalid \\u escape (expected 4 hex digits)");
    if (lo < 0xDC00 || lo > 0xDFFF)
        return rp_error_set(err, RP_EJSON, at, "unpaired surrogate \\u%04X", u);
    *pos = next + 6;
    return 0;
}

/* Checks the string whose opening quote is s[*pos] and moves past its
 * closing quote. Runs of plain bytes are skipped eight at a time. */
static int scan_string(const unsigned char *s, size_t len, size_t *ppos,
                       rp_error *err)
{
    size_t pos = *ppos + 1;
    int rc;

    for (;;) {
        while (len - pos >= 8) {
            uint64_t x;
            memcpy(&x, s + pos, 8);
            if (has_special(x))
                break;
            pos += 8;
        }
        /* Plain bytes and the common well-formed multi-byte characters
         * are taken inline: two-byte ones (U+0080..U+07FF) and three-byte
         * ones with a lead byte from 0xE1 to 0xEF other than 0xED, whose
         * continuation bytes may be any of 0x80..0xBF. Everything else,
         * including all errors, goes through the full checks below. */
        while (pos < len) {
            unsigned char c = s[pos];
            if (byte_class[c] == PLAIN) {
                pos++;
            } else if (c >= 0xC2 && c <= 0xDF && len - pos >= 2 &&
                       (s[pos + 1] & 0xC0) == 0x80) {
                pos += 2;
            } else if (c >= 0xE1 && c <= 0xEF && c != 0xED && len - pos >= 3 &&
                       (s[pos + 1] & 0xC0) == 0x80 &&
                       (s[pos + 2] & 0xC0) == 0x80) {
                pos += 3;
            } else {
                break;
            }
        }
        if (pos == len)
            return rp_error_set(err, RP_EJSON, len,
                                "unexpected end of input in string");
        switch (byte_class[s[pos]]) {
        case QUOTE:
            *ppos = pos + 1;
            return 0;
        case BACKSLASH:
            rc = scan_escape(s, len, &pos, err);
            if (rc != 0)
                return rc;
            break;
        case CONTROL:
            return rp_error_set(err, RP_EJSON, pos,
                                "unescaped control character U+%04X in "
                                "string",
                                (unsigned)s[pos]);
        default: {
            size_t n;
            uint32_t cp;
            rc = utf8_seq(s, len, pos, 1, &n, &cp, err);
            if (rc != 0)
                return rc;
            pos += n;
            break;
        }
        }
    }
}

/* Checks a number at s[*pos] (a '-' or a digit) against
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and moves past it. What
 * follows the number is the caller's business. */
static int scan_number(const unsigned char *s, size_t len, size_t *ppos,
                       rp_error *err)
{
    size_t pos = *ppos;

    if (s[pos] == '-')
        pos++;
    if (pos < len && s[pos] == '0') {
        pos++;
        if (pos < len && is_digit(s[pos]))
            return rp_error_set(err, RP_EJSON, pos - 1,
                                "leading zero in number");
    } else if (pos < len && is_digit(s[pos])) {
        while (pos < len && is_digit(s[pos]))
            pos++;
    } else {
        return unexpected(s, len, pos, " in number", "a digit after '-'", err);
    }
    if (pos < len && s[pos] == '.') {
        pos++;
        if (pos >= len || !is_digit(s[pos]))
            return unexpected(s, len, pos, " in number", "a digit after '.'",
                              err);
        while (pos < len && is_digit(s[pos]))
            pos++;
    }
    if (pos < len && (s[pos] == 'e' || s[pos] == 'E')) {
        pos++;
        if (pos < len && (s[pos] == '+' || s[pos] == '-'))
            pos++;
        if (pos >= len || !is_digit(s[pos]))
            return unexpected(s, len, pos, " in number",
                              "a digit in the exponent", err);
        while (pos < len && is_digit(s[pos]))
            pos++;
    }
    *ppos = pos;
    return 0;
}

/* Checks that the literal word (true, false or null) is at s[*pos] and
 * moves past it. */
static int scan_literal(const unsigned char *s, size_t len, size_t *ppos,
                        const char *word, rp_error *err)
{
    size_t pos = *ppos;
    for (size_t i = 0; word[i] != '\0'; i++, pos++) {
        if (pos >= len || s[pos] != (unsigned char)word[i]) {
            char want[16];
            snprintf(want, sizeof want, "'%s'", word);
            return unexpected(s, len, pos, " in literal", want, err);
        }
    }
    *ppos = pos;
    return 0;
}

int rp_json_check(const char *text, size_t len, unsigned max_depth,
                  rp_error *err)
{
    const unsigned char *s = (const unsigned char *)text;
    /* Bit d is set when the container at depth d + 1 is an object. A bit
     * is always written when its container opens, before it is read, so
     * the array needs no clearing. */
    unsigned char objects[DEPTH_CAP / 8];
    unsigned limit = max_depth < DEPTH_CAP ? max_depth : DEPTH_CAP;
    unsigned depth = 0;
    size_t pos = 0;
    const char *want = "a value"; /* for messages at the next value */
    int rc;

    assert(text != NULL || len == 0);

value:
    pos = skip_ws(s, len, pos);
    if (pos >= len)
        return unexpected(s, len, pos, "", want, err);
    switch (s[pos]) {
    case '[':
    case '{': {
        int obj = s[pos] == '{';
        if (depth >= limit)
            return rp_error_set(err, RP_ELIMIT, pos,
                                "nesting deeper than %u levels of arrays "
                                "and objects",
                                limit);
        if (obj)
            objects[depth >> 3] |= (unsigned char)(1u << (depth & 7));
        else
            objects[depth >> 3] &= (unsigned char)~(1u << (depth & 7));
        depth++;
        pos = skip_ws(s, len, pos + 1);
        if (pos < len && s[pos] == (obj ? '}' : ']')) {
            depth--;
            pos++;
            goto after;
        }
        if (obj) {
            want = "'\"' or '}'";
            goto member;
        }
        want = "a value or ']'";
        goto value;
    }
    case '"':
        rc = scan_string(s, len, &pos, err);
        break;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        rc = scan_number(s, len, &pos, err);
        break;
    case 't':
        rc = scan_literal(s, len, &pos, "true", err);
        break;
    case 'f':
        rc = scan_literal(s, len, &pos, "false", err);
        break;
    case 'n':
        rc = scan_literal(s, len, &pos, "null", err);
        break;
    default:
        return unexpected(s, len, pos, "", want, err);
    }
    if (rc != 0)
        return rc;

after:
    /* A value just ended: close containers, or go on to the next one. */
    pos = skip_ws(s, len, pos);
    if (depth == 0) {
        if (pos < len)
            return rp_error_set(err, RP_EJSON, pos,
                                "trailing characters after JSON value");
        return 0;
    }
    {
        unsigned top = depth - 1;
        int obj = (objects[top >> 3] >> (top & 7)) & 1;
        unsigned char close = obj ? '}' : ']';
        if (pos < len && s[pos] == ',') {
            pos = skip_ws(s, len, pos + 1);
            if (obj) {
                want = "'\"'";
                goto member;
            }
            want = "a value";
            goto value;
        }
        if (pos < len && s[pos] == close) {
            depth--;
            pos++;
            goto after;
        }
        return unexpected(s, len, pos, "", obj ? "',' or '}'" : "',' or ']'",
                          err);
    }

member:
    /* An object member: name, colon, then its value. pos is past any
     * whitespace. */
    if (pos >= len || s[pos] != '"')
        return unexpected(s, len, pos, "", want, err);
    rc = scan_string(s, len, &pos, err);
    if (rc != 0)
        return rc;
    pos = skip_ws(s, len, pos);
    if (pos >= len || s[pos] != ':')
        return unexpected(s, len, pos, "", "':'", err);
    pos++;
    want = "a value";
    goto value;
}

/* SPDX-License-Identifier: MIT */
/*
 * utf8: strict RFC 3629 validation, decoding and encoding of UTF-8. It owns
 * no state, never allocates and needs no Unicode tables; the normalisation
 * for search (through utf8proc) lives in tokenize.c, the only file that
 * includes utf8proc.h.
 */
#include "rapport/utf8.h"

#include <string.h>

#include "rapport/error.h"

/*
 * Checks the multi-byte sequence that starts at p[0] (a byte >= 0x80), with
 * avail >= 1 bytes available. Returns its length 2..4 and stores the code
 * point, or returns 0 if the sequence is ill-formed or truncated. The second
 * byte's range depends on the lead byte (RFC 3629, section 4): that is what
 * rules out overlongs, surrogates and code points above U+10FFFF.
 */
static size_t decode_multi(const unsigned char *p, size_t avail, int32_t *cp)
{
    unsigned char b0 = p[0];
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    size_t n;
    int32_t v;

    if (b0 >= 0xc2 && b0 <= 0xdf) {
        n = 2;
        v = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        n = 3;
        v = b0 & 0x0f;
        if (b0 == 0xe0)
            lo = 0xa0; /* below is an overlong form */
        else if (b0 == 0xed)
            hi = 0x9f; /* above are the surrogates U+D800..U+DFFF */
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        n = 4;
        v = b0 & 0x07;
        if (b0 == 0xf0)
            lo = 0x90; /* below is an overlong form */
        else if (b0 == 0xf4)
            hi = 0x8f; /* above is beyond U+10FFFF */
    } else {
        return 0; /* a continuation byte, C0, C1 or F5..FF */
    }
    if (avail < n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    v = (v << 6) | (p[1] & 0x3f);
    for (size_t i = 2; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3f);
    }
    *cp = v;
    return n;
}

int rp_utf8_validate(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        if (p[i] < 0x80) {
            /* Skip ASCII eight bytes at a time: a word with no high bit
             * set holds eight ASCII bytes. memcpy keeps the load legal at
             * any alignment and compiles to a single move. */
            while (len - i >= 8) {
                uint64_t w;
                memcpy(&w, p + i, sizeof w);
                if (w & UINT64_C(0x8080808080808080))
                    break;
                i += 8;
            }
            while (i < len && p[i] < 0x80)
                i++;
            continue;
        }
        int32_t cp;
        size_t n = decode_multi(p + i, len - i, &cp);
        if (n == 0) {
            if (bad_offset != NULL)
                *bad_offset = i;
            return RP_EUTF8;
        }
        i += n;
    }
    return 0;
}

size_t rp_utf8_decode(const char *s, size_t len, int32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;

    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t n = decode_multi(p, len, cp);
    if (n == 0) {
        *cp = -1;
        return 1;
    }
    return n;
}

size_t rp_utf8_encode(int32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;

    if (cp < 0)
        return 0;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        if (cp >= 0xd800 && cp <= 0xdfff)
            return 0;
        o[0] = (unsigned char)(0xe0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    if (cp <= 0x10ffff) {
        o[0] = (unsigned char)(0xf0 | (cp >> 18));
        o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[3] = (unsigned char)(0x80 | (cp & 0x3f));
        return 4;
    }
    return 0;
}

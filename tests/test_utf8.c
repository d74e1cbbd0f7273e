/* SPDX-License-Identifier: MIT */
/*
 * test_utf8: strict UTF-8 validation, decoding and encoding. Explicit byte
 * cases pin the reported offsets; exhaustive sweeps over every one-, two-
 * and three-byte sequence (and a boundary sample of four-byte ones) compare
 * rp_utf8_decode with utf8proc_iterate, an independent strict decoder, and
 * every code point is encoded and decoded back.
 */
#include "t.h"

#include <string.h>

#include <utf8proc.h>

#include "rapport/error.h"
#include "rapport/utf8.h"

/* Validates a byte string and returns the code, with the offset in *off
 * (left at SIZE_MAX when the validator does not write it). */
static int validate(const char *s, size_t len, size_t *off)
{
    *off = SIZE_MAX;
    return rp_utf8_validate(s, len, off);
}

#define BAD(lit, want_off)                                                     \
    do {                                                                       \
        size_t off_;                                                           \
        ASSERT_EQ(validate(lit, sizeof(lit) - 1, &off_), RP_EUTF8);            \
        ASSERT_EQ(off_, (want_off));                                           \
    } while (0)

#define GOOD(lit) ASSERT_OK(rp_utf8_validate(lit, sizeof(lit) - 1, NULL))

static void test_validate_valid(void)
{
    GOOD("");
    GOOD("plain ASCII text, long enough for the eight-byte fast path.");
    GOOD("\x00");
    GOOD("a\x00"
         "b\x00\x00\x00\x00\x00\x00\x00\x00\x00"
         "c");
    GOOD("\x7f");
    GOOD("\xc2\x80");         /* U+0080, smallest two-byte */
    GOOD("\xdf\xbf");         /* U+07FF */
    GOOD("\xe0\xa0\x80");     /* U+0800, smallest three-byte */
    GOOD("\xed\x9f\xbf");     /* U+D7FF, just below the surrogates */
    GOOD("\xee\x80\x80");     /* U+E000, just above them */
    GOOD("\xef\xbf\xbf");     /* U+FFFF */
    GOOD("\xf0\x90\x80\x80"); /* U+10000, smallest four-byte */
    GOOD("\xf4\x8f\xbf\xbf"); /* U+10FFFF, the largest */
    GOOD("Caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 done");
    size_t off = 7;
    ASSERT_OK(rp_utf8_validate("abc", 3, &off));
    ASSERT_EQ(off, 7); /* untouched on success */
    ASSERT_OK(rp_utf8_validate(NULL, 0, NULL));
}

static void test_validate_invalid(void)
{
    BAD("\x80", 0); /* lone continuation byte */
    BAD("abc\xbf", 3);
    BAD("\xc0\x80", 0);                 /* overlong NUL */
    BAD("\xc1\xbf", 0);                 /* overlong U+007F */
    BAD("\xe0\x80\x80", 0);             /* overlong three-byte NUL */
    BAD("\xe0\x9f\xbf", 0);             /* overlong U+07FF */
    BAD("\xf0\x80\x80\x80", 0);         /* overlong four-byte NUL */
    BAD("\xf0\x8f\xbf\xbf", 0);         /* overlong U+FFFF */
    BAD("\xed\xa0\x80", 0);             /* U+D800 */
    BAD("\xed\xbf\xbf", 0);             /* U+DFFF */
    BAD("\xed\xa0\x80\xed\xb0\x80", 0); /* a CESU-8 surrogate pair */
    BAD("\xf4\x90\x80\x80", 0);         /* U+110000 */
    BAD("\xf5\x80\x80\x80", 0);
    BAD("\xf8\x88\x80\x80\x80", 0); /* old five-byte form */
    BAD("\xfc\x84\x80\x80\x80\x80", 0);
    BAD("\xfe", 0);
    BAD("\xff", 0);
    BAD("\xc3", 0); /* truncated at the end */
    BAD("\xe2\x82", 0);
    BAD("\xf0\x9f\x98", 0);
    BAD("\xc3"
        "a",
        0); /* continuation replaced by ASCII */
    BAD("\xe2\x82"
        "a",
        0);
    BAD("\xf0\x9f\x98"
        "a",
        0);
    BAD("\xe2\x82\xc3\xa9", 0); /* a new lead byte too early */
    /* The offset is that of the first bad sequence, past good text. */
    BAD("ok \xc3\xa9 \xe6\x97\xa5 and then \xed\xa0\x80 \xc0", 19);
    BAD("0123456789abcdef0123456789\xff", 26);
    BAD("0123456789abcdef\xc3\xa9\x80", 18);
    BAD("\xc3\xa9\xc3", 2);
    /* NUL does not stop validation. */
    BAD("a\x00\xff", 2);
    /* A NULL offset pointer is allowed. */
    ASSERT_EQ(rp_utf8_validate("\xff", 1, NULL), RP_EUTF8);
}

/* The result of rp_utf8_decode agrees with utf8proc_iterate on s[0..len). */
static void agree(const unsigned char *s, size_t len)
{
    int32_t cp = 12345;
    size_t n = rp_utf8_decode((const char *)s, len, &cp);
    utf8proc_int32_t ref = -1;
    utf8proc_ssize_t rn = utf8proc_iterate(s, (utf8proc_ssize_t)len, &ref);
    if (rn < 0) {
        if (n != 1 || cp != -1)
            T_FAIL("%02x %02x %02x %02x (len %zu): decoded as %zu bytes "
                   "U+%04X, want malformed",
                   s[0], len > 1 ? s[1] : 0, len > 2 ? s[2] : 0,
                   len > 3 ? s[3] : 0, len, n, (unsigned)cp);
    } else if ((utf8proc_ssize_t)n != rn || cp != ref) {
        T_FAIL("%02x %02x %02x %02x (len %zu): got %zu bytes U+%04X, want "
               "%zd bytes U+%04X",
               s[0], len > 1 ? s[1] : 0, len > 2 ? s[2] : 0, len > 3 ? s[3] : 0,
               len, n, (unsigned)cp, rn, (unsigned)ref);
    }
    /* A lone sequence validates iff it decodes to exactly len bytes. */
    size_t off = SIZE_MAX;
    int rc = rp_utf8_validate((const char *)s, len, &off);
    int whole = rn > 0 && (size_t)rn == len;
    if (whole)
        ASSERT_OK(rc);
    else if (rn < 0)
        ASSERT(rc == RP_EUTF8 && off == 0);
}

static void test_decode_exhaustive(void)
{
    unsigned char s[4];
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        agree(s, 1);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            agree(s, 2);
            if (a < 0xe0 || a > 0xef)
                continue;
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                agree(s, 3);
            }
        }
    }
    /* Four-byte leads against every second byte and boundary values. */
    static const unsigned char edge[] = {0x00, 0x7f, 0x80, 0x81, 0x8f,
                                         0x90, 0xa0, 0xbf, 0xc0, 0xff};
    for (unsigned a = 0xf0; a < 0x100; a++) {
        s[0] = (unsigned char)a;
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            for (size_t c = 0; c < sizeof edge; c++) {
                s[2] = edge[c];
                agree(s, 3);
                for (size_t d = 0; d < sizeof edge; d++) {
                    s[3] = edge[d];
                    agree(s, 4);
                }
            }
        }
    }
}

static void test_decode_cases(void)
{
    int32_t cp;
    ASSERT_EQ(rp_utf8_decode("A", 1, &cp), 1);
    ASSERT_EQ(cp, 'A');
    ASSERT_EQ(rp_utf8_decode("\x00", 1, &cp), 1);
    ASSERT_EQ(cp, 0);
    ASSERT_EQ(rp_utf8_decode("\xc3\xa9xyz", 5, &cp), 2);
    ASSERT_EQ(cp, 0xe9);
    ASSERT_EQ(rp_utf8_decode("\xe2\x80\x99", 3, &cp), 3);
    ASSERT_EQ(cp, 0x2019);
    ASSERT_EQ(rp_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
    ASSERT_EQ(cp, 0x1f600);
    /* Truncated by len, though the bytes beyond would complete it. */
    ASSERT_EQ(rp_utf8_decode("\xe2\x80\x99", 2, &cp), 1);
    ASSERT_EQ(cp, -1);
    ASSERT_EQ(rp_utf8_decode("\xed\xa0\x80", 3, &cp), 1);
    ASSERT_EQ(cp, -1);
    ASSERT_EQ(rp_utf8_decode("\xc0\x80", 2, &cp), 1);
    ASSERT_EQ(cp, -1);
    ASSERT_EQ(rp_utf8_decode("\xf4\x90\x80\x80", 4, &cp), 1);
    ASSERT_EQ(cp, -1);
}

static void test_encode_all(void)
{
    char out[4];
    ASSERT_EQ(rp_utf8_encode(-1, out), 0);
    ASSERT_EQ(rp_utf8_encode(0x110000, out), 0);
    ASSERT_EQ(rp_utf8_encode(INT32_MAX, out), 0);
    ASSERT_EQ(rp_utf8_encode(0xd800, out), 0);
    ASSERT_EQ(rp_utf8_encode(0xdfff, out), 0);
    ASSERT_EQ(rp_utf8_encode(0xe9, out), 2);
    ASSERT_MEM_EQ(out, 2, "\xc3\xa9");
    ASSERT_EQ(rp_utf8_encode(0x20ac, out), 3);
    ASSERT_MEM_EQ(out, 3, "\xe2\x82\xac");
    ASSERT_EQ(rp_utf8_encode(0x10ffff, out), 4);
    ASSERT_MEM_EQ(out, 4, "\xf4\x8f\xbf\xbf");
    for (int32_t cp = 0; cp <= 0x10ffff; cp++) {
        size_t n = rp_utf8_encode(cp, out);
        if (cp >= 0xd800 && cp <= 0xdfff) {
            ASSERT_EQ(n, 0);
            continue;
        }
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        ASSERT_EQ(n, want);
        unsigned char ref[4];
        ASSERT_EQ(utf8proc_encode_char(cp, ref), (utf8proc_ssize_t)n);
        ASSERT(memcmp(ref, out, n) == 0);
        int32_t back = -2;
        ASSERT_EQ(rp_utf8_decode(out, n, &back), n);
        ASSERT_EQ(back, cp);
        ASSERT_OK(rp_utf8_validate(out, n, NULL));
    }
}

/* The shared Markus Kuhn stress file is not valid UTF-8 as a whole; the
 * validator must stop at a real error, and every line it accepts must also
 * decode cleanly code point by code point. */
static void test_kuhn_file(void)
{
    const char *dir = t_shared();
    if (dir == NULL)
        T_SKIP("shared data directory not found");
    char path[4096];
    snprintf(path, sizeof path, "%s/badinput/UTF-8-test.txt", dir);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        T_SKIP("%s not found", path);
    static char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ASSERT(len > 20000 && len < sizeof buf);
    size_t off = SIZE_MAX;
    ASSERT_EQ(rp_utf8_validate(buf, len, &off), RP_EUTF8);
    ASSERT(off < len);
    ASSERT_OK(rp_utf8_validate(buf, off, NULL)); /* the prefix is fine */
    int32_t cp;
    ASSERT_EQ(rp_utf8_decode(buf + off, len - off, &cp), 1);
    ASSERT_EQ(cp, -1);
    size_t good_lines = 0, bad_lines = 0;
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && buf[e] != '\n')
            e++;
        int ok = rp_utf8_validate(buf + i, e - i, NULL) == 0;
        int dec_ok = 1;
        for (size_t j = i; j < e;) {
            size_t n = rp_utf8_decode(buf + j, e - j, &cp);
            if (cp < 0)
                dec_ok = 0;
            j += n;
        }
        ASSERT_EQ(ok, dec_ok);
        good_lines += ok;
        bad_lines += !ok;
        i = e + 1;
    }
    ASSERT(good_lines > 100 && bad_lines > 20);
}

static const t_case cases[] = {
    T(test_validate_valid), T(test_validate_invalid), T(test_decode_exhaustive),
    T(test_decode_cases),   T(test_encode_all),       T(test_kuhn_file),
    {NULL, NULL},
};

T_MAIN(cases)

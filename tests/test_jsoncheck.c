/* SPDX-License-Identifier: MIT */
/*
 * Tests for jsoncheck, the strict RFC 8259 validator that runs before cJSON.
 * Self-contained cases pin exact error codes, byte offsets and messages;
 * the shared JSONTestSuite files check the verdicts (y_ accepted, n_
 * rejected, i_ never crash), including the 17 invalid files that cJSON
 * 1.7.15 accepts. A reference UTF-8 decoder written from the bit patterns
 * cross-checks every 1-, 2- and 3-byte sequence inside a string.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

#include "rapport/jsoncheck.h"

/* The depth cap the implementation documents for huge max_depth values. */
#define DEPTH_CAP 4096u

/* Runs the check with a fresh error record and cross-checks the record. */
static int check(const char *s, size_t len, unsigned depth, rp_error *e)
{
    rp_error_clear(e);
    int rc = rp_json_check(s, len, depth, e);
    if (rc == 0) {
        ASSERT_EQ(e->code, 0);
    } else {
        ASSERT_EQ(e->code, rc);
        ASSERT(e->offset <= len);
        ASSERT(e->msg[0] != '\0');
        /* The error record is optional and must not change the verdict. */
        ASSERT_EQ(rp_json_check(s, len, depth, NULL), rc);
    }
    return rc;
}

static int check_str(const char *s, rp_error *e)
{
    return check(s, strlen(s), RP_JSON_MAX_DEPTH, e);
}

/* Reads a whole file into a malloc'd buffer; NULL if it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *p = realloc(buf, cap * 2);
            if (p == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static void test_valid_basics(void)
{
    static const char *const ok[] = {
        "0",
        "-0",
        "-0.0e-0",
        "1.5e+10",
        "1E5",
        "123456789012345678901234567890",
        "\"\"",
        "[]",
        "{}",
        " \t\r\n[ ] \n",
        "true",
        "false",
        "null",
        "[1,true,false,null,\"x\",{},[]]",
        "{\"a\":[1,{\"b\":\"\\u00e9\\n\\\"\\\\\\/"
        "\\b\\f\\r\\t\"}],\"c\":-1.25E-3}",
        "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\x7f\"",
        "\"\\ud800\\udc00\"",
        "\"\\uDBFF\\uDFFF\"",
        "\"\\u0000\"",
        "\"\xef\xbb\xbf\"",
        "{\"\":\"\"}",
        NULL,
    };
    rp_error e;
    for (int i = 0; ok[i] != NULL; i++) {
        int rc = check_str(ok[i], &e);
        if (rc != 0)
            T_FAIL("rejected valid %s: %s at %zu", ok[i], e.msg, e.offset);
    }
}

typedef struct bad_case {
    const char *text; /* the input */
    size_t len;       /* its length; 0 = strlen(text) */
    int code;         /* the expected return code */
    size_t offset;    /* the expected error offset */
    const char *msg;  /* a substring the message must contain */
} bad_case;

static void test_errors_exact(void)
{
    static const bad_case bad[] = {
        {"01", 0, RP_EJSON, 0, "leading zero in number"},
        {"[-012]", 0, RP_EJSON, 2, "leading zero in number"},
        {"2.", 0, RP_EJSON, 2, "unexpected end of input"},
        {"[2.]", 0, RP_EJSON, 3, "unexpected character ']' in number"},
        {"-", 0, RP_EJSON, 1, "unexpected end of input"},
        {"-a", 0, RP_EJSON, 1, "unexpected character 'a' in number"},
        {"1.5e", 0, RP_EJSON, 4, "unexpected end of input"},
        {"1e+x", 0, RP_EJSON, 3, "unexpected character 'x' in number"},
        {".5", 0, RP_EJSON, 0, "unexpected character '.'"},
        {"[1,]", 0, RP_EJSON, 3, "unexpected character ']' (expected a value)"},
        {"{\"a\" 1}", 0, RP_EJSON, 5,
         "unexpected character '1' (expected ':')"},
        {"{\"a\":1 x}", 0, RP_EJSON, 7,
         "unexpected character 'x' (expected ',' or '}')"},
        {"[1 2]", 0, RP_EJSON, 3,
         "unexpected character '2' (expected ',' or ']')"},
        {"{1:2}", 0, RP_EJSON, 1, "unexpected character '1'"},
        {"{\"a\":1,}", 0, RP_EJSON, 7, "unexpected character '}'"},
        {"[}", 0, RP_EJSON, 1, "unexpected character '}'"},
        {"]", 0, RP_EJSON, 0, "unexpected character ']' (expected a value)"},
        {"['a']", 0, RP_EJSON, 1, "unexpected character \"'\""},
        {"\"a\tb\"", 0, RP_EJSON, 2,
         "unescaped control character U+0009 in string"},
        {"\"a\nb\"", 0, RP_EJSON, 2,
         "unescaped control character U+000A in string"},
        {"\"a\0b\"", 5, RP_EJSON, 2,
         "unescaped control character U+0000 in string"},
        {"\"\\ud800\"", 0, RP_EJSON, 1, "unpaired surrogate \\uD800"},
        {"[\"ab\\uDBFF\\u0041\"]", 0, RP_EJSON, 4,
         "unpaired surrogate \\uDBFF"},
        {"\"\\ud800\\ud800\"", 0, RP_EJSON, 1, "unpaired surrogate \\uD800"},
        {"\"\\ud800\\n\"", 0, RP_EJSON, 1, "unpaired surrogate \\uD800"},
        {"\"\\udc00\"", 0, RP_EJSON, 1, "unpaired surrogate \\uDC00"},
        {"\"\\udc00\\udc00\"", 0, RP_EJSON, 1, "unpaired surrogate \\uDC00"},
        {"\"\\uDFFF\\uDC00\"", 0, RP_EJSON, 1, "unpaired surrogate \\uDFFF"},
        {"\"\\uD7FF\\uDC00\"", 0, RP_EJSON, 7, "unpaired surrogate \\uDC00"},
        {"\"\\uE000\\uDFFF\"", 0, RP_EJSON, 7, "unpaired surrogate \\uDFFF"},
        {"\"\\uDBFF\\uE000\"", 0, RP_EJSON, 1, "unpaired surrogate \\uDBFF"},
        {"\"\\ud800\\u12G4\"", 0, RP_EJSON, 7, "invalid \\u escape"},
        {"\"x\\u12G4\"", 0, RP_EJSON, 2, "invalid \\u escape"},
        {"\"\\x\"", 0, RP_EJSON, 1, "invalid escape '\\x'"},
        {"\"\\\tx\"", 0, RP_EJSON, 1, "invalid escape"},
        {"\"\xc0\xaf\"", 0, RP_EUTF8, 1, "overlong"},
        {"\"ab\xe0\x80\xaf\"", 0, RP_EUTF8, 3, "overlong"},
        {"\"\xf0\x8f\xbf\xbf\"", 0, RP_EUTF8, 1, "overlong"},
        {"\"\xed\xa0\x80\"", 0, RP_EUTF8, 1, "surrogate"},
        {"\"\xf4\x90\x80\x80\"", 0, RP_EUTF8, 1, "above U+10FFFF"},
        {"\"ab\xe2\x82\"", 0, RP_EUTF8, 3, "incomplete"},
        {"\"\xe2\x82x\"", 0, RP_EUTF8, 1, "incomplete"},
        {"\"\x80\"", 0, RP_EUTF8, 1, "continuation byte 0x80"},
        {"\"\xff\"", 0, RP_EUTF8, 1, "0xFF"},
        {"\"\xf8\x88\x80\x80\x80\"", 0, RP_EUTF8, 1, "0xF8"},
        {"\"ab\xe2\x82", 0, RP_EJSON, 5, "unexpected end of input"},
        {"[\xff]", 0, RP_EUTF8, 1, "0xFF"},
        {"[\xc3\xa9]", 0, RP_EJSON, 1, "unexpected character U+00E9"},
        {"\xef\xbb\xbf{}", 0, RP_EJSON, 0, "unexpected character U+FEFF"},
        {"\f[]", 0, RP_EJSON, 0, "unexpected character U+000C"},
        {"[1]\0", 4, RP_EJSON, 3, "trailing characters after JSON value"},
        {"\0", 1, RP_EJSON, 0, "unexpected character U+0000"},
        {"[1] x", 0, RP_EJSON, 4, "trailing characters after JSON value"},
        {"[1]]", 0, RP_EJSON, 3, "trailing characters after JSON value"},
        {"1 2", 0, RP_EJSON, 2, "trailing characters after JSON value"},
        {"nulls", 0, RP_EJSON, 4, "trailing characters after JSON value"},
        {"", 0, RP_EJSON, 0, "unexpected end of input"},
        {" \t\r\n", 0, RP_EJSON, 4, "unexpected end of input"},
        {"tru", 0, RP_EJSON, 3, "unexpected end of input"},
        {"trUe", 0, RP_EJSON, 2, "unexpected character 'U' in literal"},
        {"nan", 0, RP_EJSON, 1, "unexpected character 'a' in literal"},
        {"[", 0, RP_EJSON, 1, "unexpected end of input"},
        {"{\"a\":", 0, RP_EJSON, 5, "unexpected end of input"},
        {"\"abc", 0, RP_EJSON, 4, "unexpected end of input"},
        {"\"\\u00", 0, RP_EJSON, 5, "unexpected end of input"},
        {"\"\\ud800\\", 0, RP_EJSON, 8, "unexpected end of input"},
        {NULL, 0, 0, 0, NULL},
    };
    rp_error e;
    for (const bad_case *c = bad; c->text != NULL; c++) {
        size_t len = c->len ? c->len : strlen(c->text);
        int rc = check(c->text, len, RP_JSON_MAX_DEPTH, &e);
        if (rc != c->code || e.offset != c->offset ||
            strstr(e.msg, c->msg) == NULL)
            T_FAIL("case %d (%.*s): got %s at %zu \"%s\", want %s at %zu "
                   "\"%s\"",
                   (int)(c - bad), (int)len, c->text, rp_errname(rc), e.offset,
                   e.msg, rp_errname(c->code), c->offset, c->msg);
    }
}

/* Builds depth levels of nesting, alternating arrays and objects when mix
 * is set, closed properly. Returns a malloc'd buffer. */
static char *nest(unsigned depth, int mix, size_t *len)
{
    char *buf = malloc((size_t)depth * 6 + 2);
    ASSERT(buf != NULL);
    size_t n = 0;
    for (unsigned i = 0; i < depth; i++) {
        if (mix && i % 2) {
            memcpy(buf + n, "{\"k\":", 5);
            n += 5;
        } else {
            buf[n++] = '[';
        }
    }
    buf[n++] = '0';
    for (unsigned i = depth; i-- > 0;)
        buf[n++] = mix && i % 2 ? '}' : ']';
    *len = n;
    return buf;
}

static void test_depth_limit(void)
{
    rp_error e;
    static const unsigned limits[] = {1, 2, 7, 8, 9, 64, 1000, 4095};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        for (int mix = 0; mix < 2; mix++) {
            unsigned d = limits[i];
            size_t len;
            char *s = nest(d, mix, &len);
            ASSERT_OK(check(s, len, d, &e));
            ASSERT_EQ(check(s, len, d - 1, &e), RP_ELIMIT);
            /* The opener that goes one level too deep is the problem. */
            size_t want = 0;
            for (unsigned k = 0; k + 1 < d; k++)
                want += mix && k % 2 ? 5 : 1;
            ASSERT_EQ(e.offset, want);
            ASSERT(strstr(e.msg, "nest") != NULL);
            free(s);
        }
    }
    /* Depth zero allows scalars only. */
    ASSERT_OK(check("1", 1, 0, &e));
    ASSERT_EQ(check(" []", 3, 0, &e), RP_ELIMIT);
    ASSERT_EQ(e.offset, 1);
}

static void test_depth_cap(void)
{
    rp_error e;
    size_t len;
    char *s = nest(DEPTH_CAP, 1, &len);
    ASSERT_OK(check(s, len, UINT_MAX, &e));
    free(s);
    s = nest(DEPTH_CAP + 1, 0, &len);
    ASSERT_EQ(check(s, len, UINT_MAX, &e), RP_ELIMIT);
    ASSERT_EQ(e.offset, DEPTH_CAP);
    free(s);
}

static void test_nesting_bomb(void)
{
    size_t n = 100000;
    char *s = malloc(n);
    ASSERT(s != NULL);
    memset(s, '[', n);
    rp_error e;
    ASSERT_EQ(check(s, n, RP_JSON_MAX_DEPTH, &e), RP_ELIMIT);
    ASSERT_EQ(e.offset, RP_JSON_MAX_DEPTH);
    ASSERT_EQ(check(s, n, UINT_MAX, &e), RP_ELIMIT);
    ASSERT_EQ(e.offset, DEPTH_CAP);
    /* Syntax is checked before depth: "{[" fails on the '[' at once. */
    memset(s, '{', 1);
    ASSERT_EQ(check(s, n, 1, &e), RP_EJSON);
    ASSERT_EQ(e.offset, 1);
    free(s);
}

/* Reference UTF-8 check written from the bit patterns of RFC 3629 section
 * 3: returns the length of the well-formed sequence at p, or 0. */
static size_t ref_utf8(const unsigned char *p, size_t n)
{
    size_t need;
    uint32_t cp, min;
    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xE0) == 0xC0) {
        need = 2;
        cp = p[0] & 0x1F;
        min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        need = 3;
        cp = p[0] & 0x0F;
        min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        need = 4;
        cp = p[0] & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

/* Wraps bytes in quotes and compares the verdict with the reference. */
static void utf8_case(const unsigned char *b, size_t n)
{
    char s[8];
    s[0] = '"';
    memcpy(s + 1, b, n);
    s[n + 1] = '"';
    /* The first malformed sequence is RP_EUTF8 and the first raw control
     * byte RP_EJSON, both reported at the byte where they start. */
    int want = 0;
    size_t want_at = 0;
    for (size_t i = 0; i < n;) {
        size_t k = ref_utf8(b + i, n - i);
        if (k == 0 || (k == 1 && b[i] < 0x20)) {
            want = k == 0 ? RP_EUTF8 : RP_EJSON;
            want_at = 1 + i;
            break;
        }
        i += k;
    }
    rp_error e;
    int rc = check(s, n + 2, 1, &e);
    if (rc != want || (want != 0 && e.offset != want_at))
        T_FAIL("bytes %02X %02X %02X %02X (n=%zu): %s at %zu (%s), want %s "
               "at %zu",
               b[0], n > 1 ? b[1] : 0, n > 2 ? b[2] : 0, n > 3 ? b[3] : 0, n,
               rp_errname(rc), e.offset, e.msg, rp_errname(want), want_at);
}

static void test_utf8_exhaustive(void)
{
    unsigned char b[4];
    for (unsigned x = 0; x < 256; x++) {
        if (x == '"' || x == '\\')
            continue;
        b[0] = (unsigned char)x;
        utf8_case(b, 1);
        for (unsigned y = 0; y < 256; y++) {
            if (y == '"' || y == '\\')
                continue;
            b[1] = (unsigned char)y;
            utf8_case(b, 2);
            for (unsigned z = 0; z < 256; z++) {
                if (z == '"' || z == '\\')
                    continue;
                b[2] = (unsigned char)z;
                utf8_case(b, 3);
            }
        }
    }
    /* Four-byte sequences: every lead from 0xF0, every second byte, and a
     * spread of third and fourth bytes. */
    static const unsigned char tail[] = {0x00, 0x41, 0x7F, 0x80, 0x8F,
                                         0x90, 0xA0, 0xBF, 0xC0, 0xFF};
    for (unsigned x = 0xF0; x < 256; x++) {
        for (unsigned y = 0; y < 256; y++) {
            if (y == '"' || y == '\\')
                continue;
            for (size_t i = 0; i < sizeof tail; i++) {
                for (size_t j = 0; j < sizeof tail; j++) {
                    b[0] = (unsigned char)x;
                    b[1] = (unsigned char)y;
                    b[2] = tail[i];
                    b[3] = tail[j];
                    utf8_case(b, 4);
                }
            }
        }
    }
}

static void test_utf8_codes(void)
{
    /* Every malformed sequence inside a string is RP_EUTF8 at its lead. */
    /* clang-format off */
    static const char *const bad[] = {
        "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x41",
        "\xe0\x9f\xbf", "\xed\xbf\xbf", "\xef\xbf", "\xf0\x80\x80\x80",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xfe", "\xf1\x80\x80",
        NULL,
    };
    /* clang-format on */
    for (int i = 0; bad[i] != NULL; i++) {
        char s[16];
        int n = snprintf(s, sizeof s, "[\"ab%s\"]", bad[i]);
        rp_error e;
        int rc = check(s, (size_t)n, 4, &e);
        if (rc != RP_EUTF8 || e.offset != 4)
            T_FAIL("case %d: %s at %zu (%s)", i, rp_errname(rc), e.offset,
                   e.msg);
    }
}

/* Long strings cross the eight-byte fast path at every alignment. */
static void test_fast_path_alignment(void)
{
    char s[96];
    for (size_t n = 0; n < 60; n++) {
        for (int kind = 0; kind < 5; kind++) {
            s[0] = '"';
            memset(s + 1, 'a', n + 20);
            size_t at = 1 + n;
            int want;
            switch (kind) {
            case 0: /* a raw control byte */
                s[at] = '\x1f';
                want = RP_EJSON;
                break;
            case 1: /* a lone continuation byte */
                s[at] = '\x80';
                want = RP_EUTF8;
                break;
            case 2: /* DEL is allowed */
                s[at] = '\x7f';
                want = 0;
                break;
            case 3: /* a two-byte character */
                s[at] = '\xc3';
                s[at + 1] = '\xa9';
                want = 0;
                break;
            default: /* an escape */
                s[at] = '\\';
                s[at + 1] = 'n';
                want = 0;
                break;
            }
            s[n + 21] = '"';
            size_t len = n + 22;
            rp_error e;
            int rc = check(s, len, 1, &e);
            if (rc != want || (want != 0 && e.offset != at))
                T_FAIL("n %zu kind %d: %s at %zu", n, kind, rp_errname(rc),
                       e.offset);
            /* Without the closing quote the string never ends. */
            if (want == 0) {
                ASSERT_EQ(check(s, len - 1, 1, &e), RP_EJSON);
                ASSERT_EQ(e.offset, len - 1);
            }
        }
    }
}

/* Calls fn(name, data, len, arg) for each regular file of dir. Returns the
 * number of files, or -1 if the directory cannot be opened. */
static int each_file(const char *dir,
                     void (*fn)(const char *, const char *, size_t, void *),
                     void *arg)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int count = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        size_t len;
        char *data = slurp(path, &len);
        ASSERT(data != NULL);
        fn(ent->d_name, data, len, arg);
        free(data);
        count++;
    }
    closedir(d);
    return count;
}

typedef struct suite_counts {
    int y, n, i, i_accepted;
} suite_counts;

static void suite_file(const char *name, const char *data, size_t len,
                       void *arg)
{
    suite_counts *c = arg;
    rp_error e;
    int rc = check(data, len, RP_JSON_MAX_DEPTH, &e);
    if (name[0] == 'y') {
        c->y++;
        if (rc != 0)
            T_FAIL("%s rejected: %s at %zu", name, e.msg, e.offset);
    } else if (name[0] == 'n') {
        c->n++;
        if (rc == 0)
            T_FAIL("%s accepted", name);
        ASSERT(rc == RP_EJSON || rc == RP_EUTF8 || rc == RP_ELIMIT);
    } else if (name[0] == 'i') {
        c->i++;
        c->i_accepted += rc == 0;
    }
}

static void test_jsontestsuite(void)
{
    const char *sh = t_shared();
    if (sh == NULL)
        T_SKIP("shared data dir not found (set RP_SHARED_DATA)");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/badinput/jsontestsuite", sh);
    suite_counts c = {0, 0, 0, 0};
    int files = each_file(dir, suite_file, &c);
    if (files < 0)
        T_SKIP("%s not found", dir);
    ASSERT_EQ(c.y, 95);
    ASSERT_EQ(c.n, 188);
    ASSERT_EQ(c.i, 35);
    printf("  jsontestsuite: %d y_ accepted, %d n_ rejected, "
           "%d of %d i_ accepted\n",
           c.y, c.n, c.i_accepted, c.i);
}

/* Every y_ file followed by a stray byte is rejected exactly there, and
 * every proper prefix either is valid (a cut number) or ends early. */
static void prefix_file(const char *name, const char *data, size_t len,
                        void *arg)
{
    (void)arg;
    if (name[0] != 'y')
        return;
    rp_error e;
    char *more = malloc(len + 1);
    ASSERT(more != NULL);
    memcpy(more, data, len);
    more[len] = 'x';
    ASSERT_EQ(check(more, len + 1, RP_JSON_MAX_DEPTH, &e), RP_EJSON);
    ASSERT_EQ(e.offset, len);
    ASSERT(strstr(e.msg, "trailing characters") != NULL);
    free(more);
    for (size_t n = 0; n < len; n++) {
        int rc = check(data, n, RP_JSON_MAX_DEPTH, &e);
        if (rc == 0)
            continue;
        if (rc != RP_EJSON || e.offset != n ||
            strncmp(e.msg, "unexpected end of input", 23) != 0)
            T_FAIL("%s cut at %zu: %s at %zu \"%s\"", name, n, rp_errname(rc),
                   e.offset, e.msg);
    }
}

static void test_jsontestsuite_prefixes(void)
{
    const char *sh = t_shared();
    if (sh == NULL)
        T_SKIP("shared data dir not found (set RP_SHARED_DATA)");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/badinput/jsontestsuite", sh);
    if (each_file(dir, prefix_file, NULL) < 0)
        T_SKIP("%s not found", dir);
}

/* The n_ files cJSON 1.7.15 accepts; each one must be rejected here. */
static const char *const lenient[] = {
    "n_multidigit_number_then_00.json",
    "n_number_-01.json",
    "n_number_-2..json",
    "n_number_0.e1.json",
    "n_number_2.e+3.json",
    "n_number_2.e-3.json",
    "n_number_2.e3.json",
    "n_number_neg_int_starting_with_zero.json",
    "n_number_neg_real_without_int_part.json",
    "n_number_real_without_fractional_part.json",
    "n_number_with_leading_zero.json",
    "n_string_invalid_unicode_escape.json",
    "n_string_unescaped_ctrl_char.json",
    "n_string_unescaped_newline.json",
    "n_string_unescaped_tab.json",
    "n_structure_null-byte-outside-string.json",
    "n_structure_whitespace_formfeed.json",
    NULL,
};

static void test_cjson_lenient(void)
{
    const char *sh = t_shared();
    if (sh == NULL)
        T_SKIP("shared data dir not found (set RP_SHARED_DATA)");
    char path[4096];
    snprintf(path, sizeof path, "%s/badinput/cjson-1.7.15-lenient-n.txt", sh);
    size_t len;
    char *list = slurp(path, &len);
    if (list == NULL)
        T_SKIP("%s not found", path);
    /* The list file names exactly the 17 files above. */
    int listed = 0;
    for (size_t i = 0, start = 0; i <= len; i++) {
        if (i < len && list[i] != '\n')
            continue;
        size_t n = i - start;
        if (n > 0) {
            int found = 0;
            for (int k = 0; lenient[k] != NULL; k++)
                found |= strlen(lenient[k]) == n &&
                         memcmp(lenient[k], list + start, n) == 0;
            if (!found)
                T_FAIL("unexpected name in list: %.*s", (int)n, list + start);
            listed++;
        }
        start = i + 1;
    }
    free(list);
    ASSERT_EQ(listed, 17);
    for (int k = 0; lenient[k] != NULL; k++) {
        snprintf(path, sizeof path, "%s/badinput/jsontestsuite/%s", sh,
                 lenient[k]);
        char *data = slurp(path, &len);
        if (data == NULL)
            T_FAIL("cannot read %s", path);
        rp_error e;
        int rc = check(data, len, RP_JSON_MAX_DEPTH, &e);
        if (rc == 0)
            T_FAIL("%s accepted", lenient[k]);
        ASSERT(rc == RP_EJSON);
        free(data);
    }
}

static void transform_file(const char *name, const char *data, size_t len,
                           void *arg)
{
    int *accepted = arg;
    rp_error e;
    int rc = check(data, len, RP_JSON_MAX_DEPTH, &e);
    /* Lone surrogates, escaped or raw, are the only invalid ones. */
    int want = strstr(name, "invalid_codepoint") != NULL
                   ? (strstr(name, "escaped") ? RP_EJSON : RP_EUTF8)
                   : 0;
    if (rc != want)
        T_FAIL("%s: %s (%s), want %s", name, rp_errname(rc), e.msg,
               rp_errname(want));
    *accepted += rc == 0;
}

static void test_jsontestsuite_transform(void)
{
    const char *sh = t_shared();
    if (sh == NULL)
        T_SKIP("shared data dir not found (set RP_SHARED_DATA)");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/badinput/jsontestsuite_transform", sh);
    int accepted = 0;
    int files = each_file(dir, transform_file, &accepted);
    if (files < 0)
        T_SKIP("%s not found", dir);
    ASSERT_EQ(files, 22);
    ASSERT_EQ(accepted, 16);
}

static void test_blns_json(void)
{
    const char *sh = t_shared();
    if (sh == NULL)
        T_SKIP("shared data dir not found (set RP_SHARED_DATA)");
    char path[4096];
    snprintf(path, sizeof path, "%s/badinput/blns.json", sh);
    size_t len;
    char *data = slurp(path, &len);
    if (data == NULL)
        T_SKIP("%s not found", path);
    rp_error e;
    int rc = check(data, len, RP_JSON_MAX_DEPTH, &e);
    if (rc != 0)
        T_FAIL("blns.json rejected: %s at %zu", e.msg, e.offset);
    free(data);
}

/* The project's own sample documents are one valid JSON text per line. */
static void test_corpus_lines(void)
{
    static const char *const files[] = {"corpus/docs/articles.jsonl",
                                        "corpus/docs/questions.jsonl",
                                        "corpus/docs/specialists.jsonl", NULL};
    int lines = 0;
    for (int f = 0; files[f] != NULL; f++) {
        size_t len;
        char *data = slurp(files[f], &len);
        if (data == NULL)
            T_SKIP("%s not found (run from the repository root)", files[f]);
        for (size_t i = 0, start = 0; i < len; i++) {
            if (data[i] != '\n')
                continue;
            rp_error e;
            if (check(data + start, i - start, RP_JSON_MAX_DEPTH, &e) != 0)
                T_FAIL("%s line %d: %s at %zu", files[f], lines + 1, e.msg,
                       e.offset);
            lines++;
            start = i + 1;
        }
        free(data);
    }
    ASSERT(lines > 0);
}

/* clang-format off */
static const t_case cases[] = {
    T(test_valid_basics),
    T(test_errors_exact),
    T(test_depth_limit),
    T(test_depth_cap),
    T(test_nesting_bomb),
    T(test_utf8_exhaustive),
    T(test_utf8_codes),
    T(test_fast_path_alignment),
    T(test_jsontestsuite),
    T(test_jsontestsuite_prefixes),
    T(test_cjson_lenient),
    T(test_jsontestsuite_transform),
    T(test_blns_json),
    T(test_corpus_lines),
    {NULL, NULL},
};
/* clang-format on */

T_MAIN(cases)

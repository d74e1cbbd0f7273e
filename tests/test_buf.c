/* SPDX-License-Identifier: MIT */
/*
 * test_buf: the growable byte buffer and the LEB128 varints every storage
 * codec shares. Varints are checked against hand-written encodings at the
 * 7-bit boundaries, against an independent length formula for random
 * values, and on hostile input: every truncation, over-long forms and 32-bit
 * overflow must be refused. Buffer tests cover growth, printf, the sticky
 * rc helpers and fini.
 */
#include "t.h"

#include <stdint.h>
#include <string.h>

#include "rapport/buf.h"
#include "rapport/error.h"


/* The LEB128 length of v, computed from its bit width. */
static size_t varint_len(uint64_t v)
{
    size_t bits = 0;
    while (bits < 64 && (v >> bits) != 0)
        bits++;
    return bits == 0 ? 1 : (bits + 6) / 7;
}

typedef struct vcase {
    uint64_t v;
    const char *bytes; /* expected encoding */
    size_t len;
} vcase;

static const vcase known[] = {
    {0, "\x00", 1},
    {1, "\x01", 1},
    {127, "\x7f", 1},
    {128, "\x80\x01", 2},
    {300, "\xac\x02", 2},
    {16383, "\xff\x7f", 2},
    {16384, "\x80\x80\x01", 3},
    {(1u << 21) - 1, "\xff\xff\x7f", 3},
    {1u << 21, "\x80\x80\x80\x01", 4},
    {(1u << 28) - 1, "\xff\xff\xff\x7f", 4},
    {1u << 28, "\x80\x80\x80\x80\x01", 5},
    {UINT32_MAX, "\xff\xff\xff\xff\x0f", 5},
    {(uint64_t)UINT32_MAX + 1, "\x80\x80\x80\x80\x10", 5},
    {(uint64_t)1 << 35, "\x80\x80\x80\x80\x80\x01", 6},
    {(uint64_t)1 << 63, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 10},
    {UINT64_MAX, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10},
};
#define NKNOWN (sizeof known / sizeof known[0])

static void test_varint_known_encodings(void)
{
    for (size_t i = 0; i < NKNOWN; i++) {
        unsigned char out[16];
        memset(out, 0xAA, sizeof out);
        size_t n = rp_varint_put(out, known[i].v);
        ASSERT_EQ(n, known[i].len);
        ASSERT_EQ(n, varint_len(known[i].v));
        ASSERT(memcmp(out, known[i].bytes, n) == 0);
        ASSERT_EQ(out[n], 0xAA); /* nothing written past the varint */

        rp_buf b = RP_BUF_INIT;
        ASSERT_OK(rp_buf_put_varint(&b, known[i].v));
        ASSERT_EQ(b.len, known[i].len);
        ASSERT(memcmp(b.data, known[i].bytes, b.len) == 0);
        rp_buf_fini(&b);
    }
}

static void test_varint_round_trip_boundaries(void)
{
    for (size_t i = 0; i < NKNOWN; i++) {
        const unsigned char *p = (const unsigned char *)known[i].bytes;
        size_t len = known[i].len;
        uint64_t v = 12345;
        ASSERT_EQ(rp_varint_get(p, p + len, &v), len);
        ASSERT(v == known[i].v);
        uint32_t v32 = 77;
        size_t k = rp_varint_get32(p, p + len, &v32);
        if (known[i].v <= UINT32_MAX) {
            ASSERT_EQ(k, len);
            ASSERT_EQ(v32, known[i].v);
        } else {
            ASSERT_EQ(k, 0);
        }
    }
}

/* Every strict prefix of a varint (including the empty one) must read as
 * "ends early". Each prefix sits alone in a heap block of exactly its size,
 * so a read past the end is caught by AddressSanitizer. */
static void test_varint_truncated(void)
{
    for (size_t i = 0; i < NKNOWN; i++) {
        for (size_t cut = 0; cut < known[i].len; cut++) {
            unsigned char *p = malloc(cut ? cut : 1);
            ASSERT(p != NULL);
            memcpy(p, known[i].bytes, cut);
            uint64_t v = 0;
            uint32_t v32 = 0;
            ASSERT_EQ(rp_varint_get(p, p + cut, &v), 0);
            ASSERT_EQ(rp_varint_get32(p, p + cut, &v32), 0);
            free(p);
        }
    }
    /* A lone continuation byte and an empty range. */
    unsigned char c = 0x80;
    uint64_t v;
    uint32_t v32;
    ASSERT_EQ(rp_varint_get(&c, &c + 1, &v), 0);
    ASSERT_EQ(rp_varint_get(&c, &c, &v), 0);
    ASSERT_EQ(rp_varint_get32(&c, &c + 1, &v32), 0);
    ASSERT_EQ(rp_varint_get32(&c, &c, &v32), 0);
}

static void test_varint_overlong(void)
{
    uint64_t v;
    uint32_t v32;
    /* Eleven bytes: ten with the continuation bit, then a terminator. */
    unsigned char eleven[11];
    memset(eleven, 0x80, 10);
    eleven[10] = 0x00;
    ASSERT_EQ(rp_varint_get(eleven, eleven + 11, &v), 0);
    ASSERT_EQ(rp_varint_get32(eleven, eleven + 11, &v32), 0);
    /* Eleven bytes of 0xff (as long as the input goes). */
    unsigned char ff[11];
    memset(ff, 0xff, sizeof ff);
    ff[10] = 0x01;
    ASSERT_EQ(rp_varint_get(ff, ff + 11, &v), 0);
    /* Ten bytes whose last one carries bits beyond 64. */
    unsigned char big[10];
    memset(big, 0xff, 9);
    big[9] = 0x02;
    ASSERT_EQ(rp_varint_get(big, big + 10, &v), 0);
    big[9] = 0x7f;
    ASSERT_EQ(rp_varint_get(big, big + 10, &v), 0);
    big[9] = 0x01; /* exactly 2^64 - 1 */
    ASSERT_EQ(rp_varint_get(big, big + 10, &v), 10);
    ASSERT(v == UINT64_MAX);
}

static void test_varint_get32_range(void)
{
    unsigned char p[16];
    uint32_t v32;
    uint64_t vals[] = {(uint64_t)UINT32_MAX + 1, (uint64_t)UINT32_MAX * 2,
                       (uint64_t)1 << 35, (uint64_t)1 << 62, UINT64_MAX};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        size_t n = rp_varint_put(p, vals[i]);
        ASSERT_EQ(rp_varint_get32(p, p + n, &v32), 0);
        uint64_t v;
        ASSERT_EQ(rp_varint_get(p, p + n, &v), n);
        ASSERT(v == vals[i]);
    }
    size_t n = rp_varint_put(p, UINT32_MAX);
    ASSERT_EQ(rp_varint_get32(p, p + n, &v32), 5);
    ASSERT_EQ(v32, UINT32_MAX);
}

/* Random values of every bit width, written back to back into one buffer,
 * then read back in order; lengths must match the bit-width formula. */
static void test_varint_random_stream(void)
{
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    enum { N = 20000 };
    uint64_t *vals = malloc(N * sizeof *vals);
    ASSERT(vals != NULL);
    rp_buf b = RP_BUF_INIT;
    size_t expect_len = 0;
    for (size_t i = 0; i < N; i++) {
        unsigned bits = (unsigned)(t_rand(&seed) % 65);
        uint64_t v = t_rand(&seed);
        v = bits == 64 ? v : bits == 0 ? 0 : v & (((uint64_t)1 << bits) - 1);
        vals[i] = v;
        expect_len += varint_len(v);
        int rc = 0;
        if (i % 2)
            ASSERT_OK(rp_buf_put_varint(&b, v));
        else
            rp_buf_put_varint_rc(&b, v, &rc);
        ASSERT_OK(rc);
    }
    ASSERT_EQ(b.len, expect_len);
    const unsigned char *p = b.data, *end = b.data + b.len;
    for (size_t i = 0; i < N; i++) {
        uint64_t v;
        size_t k = rp_varint_get(p, end, &v);
        ASSERT_EQ(k, varint_len(vals[i]));
        ASSERT(v == vals[i]);
        uint32_t v32;
        size_t k32 = rp_varint_get32(p, end, &v32);
        if (vals[i] <= UINT32_MAX) {
            ASSERT_EQ(k32, k);
            ASSERT_EQ(v32, vals[i]);
        } else {
            ASSERT_EQ(k32, 0);
        }
        p += k;
    }
    ASSERT(p == end);
    rp_buf_fini(&b);
    free(vals);
}

/* rp_varint_skip over a stream of varints of every length: skipping k of
 * them from any start lands where reading k would, also across the
 * 8-byte steps it scans in; a skip past the end gives NULL. */
static void test_varint_skip(void)
{
    uint64_t seed = 0x2545F4914F6CDD1Dull;
    enum { N = 600 };
    size_t at[N + 1]; /* offset of varint i */
    rp_buf b = RP_BUF_INIT;
    at[0] = 0;
    for (size_t i = 0; i < N; i++) {
        unsigned bits = (unsigned)(t_rand(&seed) % 3 == 0
                                       ? t_rand(&seed) % 65
                                       : t_rand(&seed) % 8);
        uint64_t v = t_rand(&seed);
        v = bits == 64 ? v : bits == 0 ? 0 : v & (((uint64_t)1 << bits) - 1);
        ASSERT_OK(rp_buf_put_varint(&b, v));
        at[i + 1] = b.len;
    }
    const unsigned char *end = b.data + b.len;
    for (size_t from = 0; from < N; from += 1 + from / 40)
        for (size_t k = 0; from + k <= N; k += 1 + k / 16) {
            const unsigned char *q = rp_varint_skip(b.data + at[from], end, k);
            if (q != b.data + at[from + k])
                T_FAIL("skip %zu from varint %zu: offset %td, want %zu", k,
                       from, q ? q - b.data : -1, at[from + k]);
        }
    ASSERT(rp_varint_skip(b.data, end, N + 1) == NULL);
    ASSERT(rp_varint_skip(b.data + at[N - 1], end, 2) == NULL);
    ASSERT(rp_varint_skip(end, end, 0) == end);
    ASSERT(rp_varint_skip(end, end, 1) == NULL);
    /* A last varint cut short (no byte below 0x80) does not count. */
    const unsigned char cut[] = {0x05, 0x81, 0x82};
    ASSERT(rp_varint_skip(cut, cut + 3, 1) == cut + 1);
    ASSERT(rp_varint_skip(cut, cut + 3, 2) == NULL);
    rp_buf_fini(&b);
}

static void test_buf_init_fini(void)
{
    rp_buf b;
    memset(&b, 0x5A, sizeof b);
    rp_buf_init(&b);
    ASSERT(b.data == NULL);
    ASSERT_EQ(b.len, 0);
    ASSERT_EQ(b.cap, 0);
    ASSERT_OK(rp_buf_append(&b, "xyz", 3));
    ASSERT(b.data != NULL);
    rp_buf_fini(&b);
    ASSERT(b.data == NULL);
    ASSERT_EQ(b.len, 0);
    ASSERT_EQ(b.cap, 0);
    rp_buf_fini(&b); /* twice is fine */
    rp_buf_fini(NULL);
    rp_buf z = RP_BUF_INIT;
    ASSERT(z.data == NULL && z.len == 0 && z.cap == 0);
}

static void test_buf_append_growth(void)
{
    rp_buf b = RP_BUF_INIT;
    ASSERT_OK(rp_buf_append(&b, NULL, 0)); /* nothing to copy */
    ASSERT_EQ(b.len, 0);
    enum { N = 100000 };
    for (size_t i = 0; i < N; i++) {
        unsigned char c = (unsigned char)(i * 7 + 3);
        ASSERT_OK(rp_buf_append(&b, &c, 1));
        ASSERT(b.cap >= b.len);
    }
    ASSERT_EQ(b.len, N);
    for (size_t i = 0; i < N; i++)
        ASSERT_EQ(b.data[i], (unsigned char)(i * 7 + 3));
    /* One large append on top. */
    unsigned char *big = malloc(3 * N);
    ASSERT(big != NULL);
    for (size_t i = 0; i < 3 * N; i++)
        big[i] = (unsigned char)(i >> 3);
    ASSERT_OK(rp_buf_append(&b, big, 3 * N));
    ASSERT_EQ(b.len, 4 * N);
    ASSERT(memcmp(b.data + N, big, 3 * N) == 0);
    ASSERT_EQ(b.data[N - 1], (unsigned char)((N - 1) * 7 + 3));
    free(big);

    /* Reserve leaves len alone and makes room. */
    size_t len = b.len;
    ASSERT_OK(rp_buf_reserve(&b, 5000));
    ASSERT_EQ(b.len, len);
    ASSERT(b.cap - b.len >= 5000);
    ASSERT_OK(rp_buf_reserve(&b, 0));
    /* Impossible sizes fail cleanly, leaving the buffer usable. */
    ASSERT_EQ(rp_buf_reserve(&b, SIZE_MAX), RP_ENOMEM);
    ASSERT_EQ(rp_buf_reserve(&b, SIZE_MAX / 2 + 1), RP_ENOMEM);
    ASSERT_EQ(b.len, len);
    ASSERT_OK(rp_buf_puts(&b, "tail"));
    ASSERT_MEM_EQ(b.data + len, 4, "tail");
    rp_buf_fini(&b);
}

/* An exact reservation grows to exactly what is asked, keeps the bytes,
 * does nothing when there is room, and fails cleanly like the other. */
static void test_buf_reserve_exact(void)
{
    rp_buf b = RP_BUF_INIT;
    ASSERT_OK(rp_buf_reserve_exact(&b, 870));
    ASSERT_EQ(b.cap, 870);
    ASSERT_OK(rp_buf_puts(&b, "abc"));
    ASSERT_OK(rp_buf_reserve_exact(&b, 10));
    ASSERT_EQ(b.cap, 870);
    ASSERT_OK(rp_buf_reserve_exact(&b, 1000));
    ASSERT_EQ(b.cap, 1003);
    ASSERT_MEM_EQ(b.data, 3, "abc");
    ASSERT_EQ(rp_buf_reserve_exact(&b, SIZE_MAX), RP_ENOMEM);
    ASSERT_EQ(b.len, 3);
    rp_buf_fini(&b);
}

static void test_buf_puts_printf(void)
{
    rp_buf b = RP_BUF_INIT;
    ASSERT_OK(rp_buf_puts(&b, ""));
    ASSERT_EQ(b.len, 0);
    ASSERT_OK(rp_buf_puts(&b, "id="));
    ASSERT_OK(rp_buf_printf(&b, "%d/%s/%05.1f/%c", -42, "abc", 3.5, 'z'));
    ASSERT_MEM_EQ(b.data, b.len, "id=-42/abc/003.5/z");
    ASSERT_OK(rp_buf_printf(&b, "%s", ""));
    ASSERT_MEM_EQ(b.data, b.len, "id=-42/abc/003.5/z");
    /* Output much longer than the initial capacity, in one call. */
    char want[5000];
    memset(want, 'q', sizeof want - 1);
    want[sizeof want - 1] = '\0';
    rp_buf c = RP_BUF_INIT;
    ASSERT_OK(rp_buf_printf(&c, "<%s>", want));
    ASSERT_EQ(c.len, sizeof want + 1);
    ASSERT_EQ(c.data[0], '<');
    ASSERT_EQ(c.data[c.len - 1], '>');
    for (size_t i = 1; i + 1 < c.len; i++)
        ASSERT_EQ(c.data[i], 'q');
    /* Many small appends, each exactly at the end. */
    rp_buf d = RP_BUF_INIT;
    for (int i = 0; i < 2000; i++)
        ASSERT_OK(rp_buf_printf(&d, "%d,", i));
    size_t off = 0;
    for (int i = 0; i < 2000; i++) {
        char tmp[16];
        int n = snprintf(tmp, sizeof tmp, "%d,", i);
        ASSERT(off + (size_t)n <= d.len);
        ASSERT(memcmp(d.data + off, tmp, (size_t)n) == 0);
        off += (size_t)n;
    }
    ASSERT_EQ(off, d.len);
    rp_buf_fini(&b);
    rp_buf_fini(&c);
    rp_buf_fini(&d);
}

static void test_buf_sticky_rc(void)
{
    rp_buf b = RP_BUF_INIT;
    int rc = 0;
    rp_buf_append_rc(&b, "ab", 2, &rc);
    rp_buf_put_varint_rc(&b, 300, &rc);
    ASSERT_OK(rc);
    ASSERT_EQ(b.len, 4);
    ASSERT(memcmp(b.data, "ab\xac\x02", 4) == 0);
    rc = RP_ENOMEM;
    rp_buf_append_rc(&b, "cd", 2, &rc);
    rp_buf_put_varint_rc(&b, 1, &rc);
    ASSERT_EQ(rc, RP_ENOMEM);
    ASSERT_EQ(b.len, 4);
    rc = RP_EINVAL;
    rp_buf c = RP_BUF_INIT;
    rp_buf_append_rc(&c, "x", 1, &rc);
    ASSERT(c.data == NULL);
    ASSERT_EQ(rc, RP_EINVAL);
    rp_buf_fini(&b);
}

static const t_case cases[] = {
    T(test_varint_known_encodings),
    T(test_varint_round_trip_boundaries),
    T(test_varint_truncated),
    T(test_varint_overlong),
    T(test_varint_get32_range),
    T(test_varint_random_stream),
    T(test_varint_skip),
    T(test_buf_init_fini),
    T(test_buf_append_growth),
    T(test_buf_reserve_exact),
    T(test_buf_puts_printf),
    T(test_buf_sticky_rc),
    {NULL, NULL},
};

T_MAIN(cases)

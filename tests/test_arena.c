/* SPDX-License-Identifier: MIT */
/*
 * test_arena: many strings grown a few bytes at a time in random order,
 * as a segment grows its terms' postings, keep every byte: each is checked
 * against a copy kept on the heap, across slice sizes, moves, reused free
 * slices and strings past the largest slice. An empty arena frees cleanly.
 */
#include "t.h"

#include <stdlib.h>
#include <string.h>

#include "rapport/arena.h"

#define NSTR 3000

typedef struct str {
    unsigned char *p;
    size_t len, cap;
    unsigned char *copy; /* the same bytes, on the heap */
} str;

static void test_strings_keep_their_bytes(void)
{
    rp_arena *a;
    ASSERT_OK(rp_arena_new(&a));
    static str s[NSTR];
    memset(s, 0, sizeof s);
    uint64_t r = 42;
    size_t total = 0;
    for (int step = 0; step < 200000; step++) {
        str *x = &s[t_rand(&r) % NSTR];
        /* Mostly short appends; now and then a long one. */
        size_t n = t_rand(&r) % 100 == 0 ? 1 + t_rand(&r) % 70000
                                          : 1 + t_rand(&r) % 12;
        if (x == &s[0])
            n = 40000; /* one string grows past the largest slice */
        ASSERT_OK(rp_arena_reserve(a, &x->p, x->len, &x->cap, n));
        ASSERT(x->cap >= x->len + n);
        unsigned char *c = realloc(x->copy, x->len + n);
        ASSERT(c != NULL);
        x->copy = c;
        for (size_t i = 0; i < n; i++)
            x->p[x->len + i] = x->copy[x->len + i] =
                (unsigned char)t_rand(&r);
        x->len += n;
        total += n;
    }
    ASSERT(s[0].len > ((size_t)1 << 20));
    for (size_t i = 0; i < NSTR; i++)
        if (s[i].len && memcmp(s[i].p, s[i].copy, s[i].len) != 0)
            T_FAIL("string %zu (%zu bytes) lost its bytes", i, s[i].len);
    /* Slices are at most twice what they hold, plus block ends. */
    ASSERT(rp_arena_mapped(a) >= total);
    ASSERT(rp_arena_mapped(a) < 3 * total + ((size_t)64 << 20));
    for (size_t i = 0; i < NSTR; i++)
        free(s[i].copy);
    rp_arena_free(a);
}

static void test_empty_and_null(void)
{
    rp_arena *a;
    ASSERT_OK(rp_arena_new(&a));
    ASSERT_EQ(rp_arena_mapped(a), 0);
    unsigned char *p = NULL;
    size_t cap = 0;
    ASSERT_OK(rp_arena_reserve(a, &p, 0, &cap, 0));
    ASSERT(p == NULL);
    ASSERT_OK(rp_arena_reserve(a, &p, 0, &cap, 1));
    ASSERT(p != NULL && cap >= 1);
    p[0] = 7;
    /* A new string past the largest slice at once: nothing to copy. */
    unsigned char *q = NULL;
    size_t qcap = 0;
    ASSERT_OK(rp_arena_reserve(a, &q, 0, &qcap, (size_t)2 << 20));
    ASSERT(q != NULL && qcap >= ((size_t)2 << 20));
    q[qcap - 1] = 9;
    rp_arena_free(a);
    rp_arena_free(NULL);
}

static const t_case cases[] = {
    T(test_strings_keep_their_bytes),
    T(test_empty_and_null),
    {NULL, NULL},
};

T_MAIN(cases)

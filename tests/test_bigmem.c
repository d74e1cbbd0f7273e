/* SPDX-License-Identifier: MIT */
/*
 * test_bigmem: large growable arrays. Blocks are zeroed and 64-byte
 * aligned on the heap and in mappings alike, and growing by doubling from
 * 64 bytes to 16 MiB, across RP_BIGMEM_MIN, keeps every byte written.
 */
#include "t.h"

#include <stdint.h>
#include <string.h>

#include "rapport/bigmem.h"

static void test_zeroed_and_aligned(void)
{
    size_t sizes[] = {1, 64, 1000, RP_BIGMEM_MIN - 1, RP_BIGMEM_MIN,
                      3 * RP_BIGMEM_MIN + 5};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        unsigned char *p = rp_bigmem_alloc(sizes[i]);
        ASSERT(p != NULL);
        ASSERT_EQ((uintptr_t)p % 64, 0);
        for (size_t j = 0; j < sizes[i]; j++)
            if (p[j] != 0)
                T_FAIL("size %zu: byte %zu not zero", sizes[i], j);
        memset(p, 0xab, sizes[i]);
        rp_bigmem_free(p, sizes[i]);
    }
    rp_bigmem_free(NULL, 10);
}

static void test_growth_keeps_bytes(void)
{
    size_t size = 64;
    unsigned char *p = rp_bigmem_alloc(size);
    ASSERT(p != NULL);
    uint64_t r = 3;
    for (size_t i = 0; i < size; i++)
        p[i] = (unsigned char)t_rand(&r);
    while (size < ((size_t)16 << 20)) {
        unsigned char *q = rp_bigmem_grow(p, size, size * 2);
        ASSERT(q != NULL);
        ASSERT_EQ((uintptr_t)q % 64, 0);
        p = q;
        for (size_t i = size; i < size * 2; i++)
            p[i] = (unsigned char)t_rand(&r);
        size *= 2;
    }
    r = 3;
    for (size_t i = 0; i < size; i++)
        if (p[i] != (unsigned char)t_rand(&r))
            T_FAIL("byte %zu of %zu changed", i, size);
    rp_bigmem_free(p, size);
}

static const t_case cases[] = {
    T(test_zeroed_and_aligned),
    T(test_growth_keeps_bytes),
    {NULL, NULL},
};

T_MAIN(cases)

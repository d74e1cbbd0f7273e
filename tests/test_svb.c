/* SPDX-License-Identifier: MIT */
/*
 * test_svb: rapport's Stream VByte delta decoder, and its size of an
 * encoded run, against libstreamvbyte's encoder. Gaps of every byte length, every count from 0 to 130 (so every
 * split between the 16-byte steps and the byte-at-a-time tail), wrapping
 * sums, and a buffer that ends exactly where the data ends.
 */
#include "t.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <streamvbytedelta.h>

#include "rapport/svb.h"

/* A gap of 1 to 4 bytes, short ones common as in posting lists. */
static uint32_t gap(uint64_t *s)
{
    uint64_t r = t_rand(s);
    switch (r % 8) {
    case 0:
        return (uint32_t)(r >> 8);
    case 1:
        return (uint32_t)(r >> 8) & 0xFFFFFF;
    case 2:
    case 3:
        return (uint32_t)(r >> 8) & 0xFFFF;
    default:
        return (uint32_t)(r >> 8) & 0xFF;
    }
}

static void round_trip(uint64_t *s, uint32_t count, uint32_t prev)
{
    uint32_t want[140] = {0}, got[140 + 1], gaps[140];
    uint32_t at = prev;
    for (uint32_t i = 0; i < count; i++) {
        gaps[i] = gap(s);
        at += gaps[i];
        want[i] = at;
    }
    unsigned char enc[140 * 5 + 64];
    size_t len = streamvbyte_delta_encode(want, count, enc, prev);
    /* The exact bytes in a buffer of their own, so that a read past them
     * is a heap overflow under ASan. */
    unsigned char *in = malloc(len ? len : 1);
    ASSERT(in != NULL);
    memcpy(in, enc, len);
    ASSERT_EQ(rp_svb_size(in, len, count), len);
    if (count > 0) /* keys cut short */
        ASSERT_EQ(rp_svb_size(in, (count + 3) / 4 - 1, count), SIZE_MAX);
    got[count] = 0xDEADBEEF;
    rp_svb_delta_decode(in, len, count, prev, got);
    for (uint32_t i = 0; i < count; i++)
        if (got[i] != want[i])
            T_FAIL("count %u from %u: value %u is %u, want %u", count, prev,
                   i, got[i], want[i]);
    ASSERT_EQ(got[count], 0xDEADBEEF); /* nothing written past count */
    free(in);
}

static void test_every_count(void)
{
    uint64_t s = 0x853C49E6748FEA9Bull;
    for (uint32_t count = 0; count <= 130; count++)
        for (int rep = 0; rep < 20; rep++)
            round_trip(&s, count, (uint32_t)t_rand(&s) % 1000000);
}

static void test_wrapping_and_extremes(void)
{
    uint64_t s = 0xDA3E39CB94B95BDBull;
    for (int rep = 0; rep < 50; rep++)
        round_trip(&s, 127, UINT32_MAX - (uint32_t)(t_rand(&s) % 1000));
    /* Gaps of exactly 0 and of 4 bytes at the top. */
    uint32_t want[8] = {5, 5, 5, 0xFFFFFFF0u, 0xFFFFFFF0u, 0xFFFFFFF1u,
                        0xFFFFFFFFu, 0xFFFFFFFFu}, got[8];
    unsigned char enc[64];
    size_t len = streamvbyte_delta_encode(want, 8, enc, 5);
    rp_svb_delta_decode(enc, len, 8, 5, got);
    ASSERT(memcmp(got, want, sizeof want) == 0);
}

static const t_case cases[] = {
    T(test_every_count),
    T(test_wrapping_and_extremes),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * svb: Stream VByte delta decoding (include/rapport/svb.h). Each key byte
 * describes a group of four values; with SSSE3 one shuffle spreads the
 * group's bytes into four 32-bit lanes (a table gives the shuffle and the
 * group's length for each of the 256 keys), and two shifted adds turn the
 * gaps into running sums. Groups run this way while 16 bytes of input
 * remain past the group's start; the rest, and CPUs without SSSE3, go a
 * value at a time.
 */
#include "rapport/svb.h"

#include <pthread.h>
#include <stdint.h>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define SVB_X86 1
#include <tmmintrin.h>
#endif

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static unsigned char shuffle[256][16]; /* per key: source byte per lane */
static unsigned char group_len[256];   /* per key: bytes of its 4 values */
static int have_ssse3;

static void tables_init(void)
{
    for (unsigned key = 0; key < 256; key++) {
        unsigned at = 0;
        for (unsigned j = 0; j < 4; j++) {
            unsigned n = ((key >> (2 * j)) & 3) + 1;
            for (unsigned b = 0; b < 4; b++) /* 0x80: a zero byte */
                shuffle[key][4 * j + b] = b < n ? (unsigned char)(at + b)
                                                : 0x80;
            at += n;
        }
        group_len[key] = (unsigned char)at;
    }
#ifdef SVB_X86
    have_ssse3 = __builtin_cpu_supports("ssse3");
#endif
}

/* Bytes of value i, from its 2-bit key. */
static inline unsigned value_len(const unsigned char *keys, uint32_t i)
{
    return ((keys[i / 4] >> (2 * (i % 4))) & 3) + 1;
}

#ifdef SVB_X86
/* The whole groups from value 0 while 16 bytes remain at data; returns
 * how many values it decoded, and moves *data and *prev past them. */
__attribute__((target("ssse3"))) static uint32_t
groups_ssse3(const unsigned char *keys, const unsigned char **data,
             const unsigned char *end, uint32_t count, uint32_t *prev,
             uint32_t *out)
{
    const unsigned char *p = *data;
    __m128i sum = _mm_set1_epi32((int)*prev);
    uint32_t i = 0;
    for (; i + 4 <= count && end - p >= 16; i += 4) {
        unsigned key = keys[i / 4];
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        v = _mm_shuffle_epi8(
            v, _mm_loadu_si128((const __m128i *)(const void *)shuffle[key]));
        v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
        v = _mm_add_epi32(v, _mm_slli_si128(v, 8));
        v = _mm_add_epi32(v, sum);
        _mm_storeu_si128((__m128i *)(void *)(out + i), v);
        sum = _mm_shuffle_epi32(v, 0xFF); /* the last sum, in every lane */
        p += group_len[key];
    }
    *data = p;
    *prev = (uint32_t)_mm_cvtsi128_si32(sum);
    return i;
}
#endif

size_t rp_svb_size(const unsigned char *keys, size_t avail, uint32_t count)
{
    pthread_once(&tables_once, tables_init);
    size_t nkeys = ((size_t)count + 3) / 4;
    if (nkeys > avail)
        return SIZE_MAX;
    size_t total = nkeys;
    for (uint32_t k = 0; k < count / 4; k++) /* whole groups: a lookup */
        total += group_len[keys[k]];
    for (uint32_t i = count / 4 * 4; i < count; i++)
        total += value_len(keys, i);
    return total;
}

void rp_svb_delta_decode(const unsigned char *in, size_t len, uint32_t count,
                         uint32_t prev, uint32_t *out)
{
    pthread_once(&tables_once, tables_init);
    const unsigned char *keys = in, *data = in + (count + 3) / 4;
    uint32_t i = 0;
#ifdef SVB_X86
    if (have_ssse3)
        i = groups_ssse3(keys, &data, in + len, count, &prev, out);
#else
    (void)len;
#endif
    for (; i < count; i++) {
        unsigned n = value_len(keys, i);
        uint32_t v = 0;
        for (unsigned b = 0; b < n; b++)
            v |= (uint32_t)data[b] << (8 * b);
        data += n;
        prev += v;
        out[i] = prev;
    }
}

/* SPDX-License-Identifier: MIT */
/*
 * docset: sets of document ids over CRoaring bitmaps. Thin on purpose:
 * the library does the work; this file keeps its types out of every other
 * header and checks stored bytes before trusting them.
 */
#include "rapport/docset.h"

#include <roaring/roaring.h>
#include <stdlib.h>

#include "rapport/error.h"

struct rp_docset {
    roaring_bitmap_t *r; /* owned */
};

int rp_docset_new(rp_docset **out)
{
    *out = NULL;
    rp_docset *s = malloc(sizeof *s);
    if (s == NULL)
        return RP_ENOMEM;
    if ((s->r = roaring_bitmap_create()) == NULL) {
        free(s);
        return RP_ENOMEM;
    }
    *out = s;
    return 0;
}

void rp_docset_free(rp_docset *s)
{
    if (s == NULL)
        return;
    roaring_bitmap_free(s->r);
    free(s);
}

void rp_docset_add(rp_docset *s, uint32_t doc)
{
    roaring_bitmap_add(s->r, doc);
}

void rp_docset_remove(rp_docset *s, uint32_t doc)
{
    roaring_bitmap_remove(s->r, doc);
}

int rp_docset_contains(const rp_docset *s, uint32_t doc)
{
    return roaring_bitmap_contains(s->r, doc);
}

uint64_t rp_docset_count(const rp_docset *s)
{
    return roaring_bitmap_get_cardinality(s->r);
}

void rp_docset_and(rp_docset *a, const rp_docset *b)
{
    roaring_bitmap_and_inplace(a->r, b->r);
}

void rp_docset_or(rp_docset *a, const rp_docset *b)
{
    roaring_bitmap_or_inplace(a->r, b->r);
}

void rp_docset_andnot(rp_docset *a, const rp_docset *b)
{
    roaring_bitmap_andnot_inplace(a->r, b->r);
}

uint64_t rp_docset_and_count(const rp_docset *a, const rp_docset *b)
{
    return roaring_bitmap_and_cardinality(a->r, b->r);
}

size_t rp_docset_list(const rp_docset *s, uint32_t *out, size_t cap)
{
    uint64_t n = roaring_bitmap_get_cardinality(s->r);
    if (n > cap)
        n = cap;
    if (n > 0 && !roaring_bitmap_range_uint32_array(s->r, 0, n, out))
        return 0;
    return (size_t)n;
}

int rp_docset_encode(const rp_docset *s, rp_buf *out)
{
    roaring_bitmap_run_optimize(s->r);
    size_t n = roaring_bitmap_portable_size_in_bytes(s->r);
    int rc = rp_buf_reserve(out, n);
    if (rc != 0)
        return rc;
    size_t w = roaring_bitmap_portable_serialize(s->r,
                                                 (char *)out->data + out->len);
    if (w != n)
        return RP_ENOMEM;
    out->len += w;
    return 0;
}

/* ---- checking stored bytes --------------------------------------------- */

/* The portable format (CRoaring's RoaringFormatSpec), little-endian:
 * a cookie, 12346 then a u32 container count, or 12347 | (count - 1) << 16
 * then a bitmap of run containers; per container a u16 key and u16
 * cardinality - 1; a u32 offset per container (always with 12346, from 4
 * containers on with 12347); then the containers: a run container is a u16
 * run count and (u16 start, u16 length - 1) pairs, a container of more
 * than 4096 values a 65536-bit bitmap, any other a sorted u16 array.
 * CRoaring 0.2's "safe" reader checks lengths only: a bitmap whose
 * cardinality lies, an unsorted array or a run past 65535 decodes, and
 * later operations on it write out of bounds. So every container is
 * checked here first, in one pass over the bytes. */
#define MAX_ARRAY 4096
#define COOKIE_NO_RUNS 12346
#define COOKIE_RUNS 12347
#define OFFSETS_FROM 4 /* containers, with runs, before offsets appear */

static uint32_t get16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const unsigned char *p)
{
    return get16(p) | get16(p + 2) << 16;
}

/* Checks one container's bytes at *p (advanced past them). */
static int check_container(const unsigned char **p, const unsigned char *end,
                           int run, uint32_t card)
{
    const unsigned char *c = *p;
    uint32_t seen = 0;
    if (run) {
        if (end - c < 2)
            return RP_ECORRUPT;
        uint32_t nruns = get16(c);
        c += 2;
        if ((size_t)(end - c) < (size_t)nruns * 4)
            return RP_ECORRUPT;
        int64_t last = -1; /* last value covered so far */
        for (uint32_t i = 0; i < nruns; i++, c += 4) {
            uint32_t start = get16(c), n = get16(c + 2) + 1;
            if ((int64_t)start <= last || start + n - 1 > 0xFFFF)
                return RP_ECORRUPT;
            last = start + n - 1;
            seen += n;
        }
    } else if (card > MAX_ARRAY) {
        if (end - c < 8192)
            return RP_ECORRUPT;
        for (int i = 0; i < 8192; i++)
            seen += (uint32_t)__builtin_popcount(c[i]);
        c += 8192;
    } else {
        if ((size_t)(end - c) < (size_t)card * 2)
            return RP_ECORRUPT;
        for (uint32_t i = 0; i < card; i++)
            if (i > 0 && get16(c + 2 * i) <= get16(c + 2 * (i - 1)))
                return RP_ECORRUPT;
        seen = card;
        c += (size_t)card * 2;
    }
    if (seen != card)
        return RP_ECORRUPT;
    *p = c;
    return 0;
}

/* 0 when data[0..len) is exactly one well-formed set, else RP_ECORRUPT. */
static int check_portable(const unsigned char *data, size_t len)
{
    const unsigned char *p = data, *end = data + len;
    if (len < 4)
        return RP_ECORRUPT;
    uint32_t cookie = get32(p), n;
    const unsigned char *runs = NULL;
    p += 4;
    if ((cookie & 0xFFFF) == COOKIE_RUNS) {
        n = (cookie >> 16) + 1;
        runs = p;
        if ((size_t)(end - p) < (n + 7) / 8)
            return RP_ECORRUPT;
        p += (n + 7) / 8;
    } else if (cookie == COOKIE_NO_RUNS) {
        if (end - p < 4)
            return RP_ECORRUPT;
        n = get32(p);
        p += 4;
    } else {
        return RP_ECORRUPT;
    }
    const unsigned char *head = p;
    if ((size_t)(end - p) < (size_t)n * 4)
        return RP_ECORRUPT;
    p += (size_t)n * 4;
    const unsigned char *offsets = NULL;
    if (runs == NULL || n >= OFFSETS_FROM) {
        offsets = p;
        if ((size_t)(end - p) < (size_t)n * 4)
            return RP_ECORRUPT;
        p += (size_t)n * 4;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = get16(head + 4 * i), card = get16(head + 4 * i + 2) + 1;
        if (i > 0 && key <= get16(head + 4 * (i - 1)))
            return RP_ECORRUPT;
        if (offsets && get32(offsets + 4 * i) != (uint32_t)(p - data))
            return RP_ECORRUPT;
        int run = runs && (runs[i / 8] >> (i % 8) & 1);
        if (check_container(&p, end, run, card) != 0)
            return RP_ECORRUPT;
    }
    return p == end ? 0 : RP_ECORRUPT;
}

int rp_docset_decode(const void *data, size_t len, rp_docset **out)
{
    *out = NULL;
    if (check_portable(data, len) != 0)
        return RP_ECORRUPT;
    rp_docset *s = malloc(sizeof *s);
    if (s == NULL)
        return RP_ENOMEM;
    s->r = roaring_bitmap_portable_deserialize_safe(data, len);
    if (s->r == NULL ||
        roaring_bitmap_portable_size_in_bytes(s->r) != len) {
        if (s->r != NULL) /* CRoaring 0.2 does not take NULL */
            roaring_bitmap_free(s->r);
        free(s);
        return RP_ECORRUPT;
    }
    *out = s;
    return 0;
}

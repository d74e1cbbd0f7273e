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

int rp_docset_decode(const void *data, size_t len, rp_docset **out)
{
    *out = NULL;
    rp_docset *s = malloc(sizeof *s);
    if (s == NULL)
        return RP_ENOMEM;
    s->r = roaring_bitmap_portable_deserialize_safe(data, len);
    if (s->r == NULL ||
        roaring_bitmap_portable_size_in_bytes(s->r) != len) {
        roaring_bitmap_free(s->r);
        free(s);
        return RP_ECORRUPT;
    }
    *out = s;
    return 0;
}

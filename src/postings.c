/* SPDX-License-Identifier: MIT */
/*
 * postings: encoding and decoding of one posting block. The layout (also
 * summarised in the storage spec at the top of src/index.c):
 *
 *   varint  n              postings in the block, 1..128
 *   varint  first          first document id
 *   varint  last - first
 *   bound                  field mask byte, then one varint max tf per field
 *                          in the mask, lowest field first
 *   varint  docs_bytes, ftf_bytes, pos_bytes     the three stream lengths
 *   docs    Stream VByte (1-4 bytes per value, 2-bit keys) of the n - 1
 *           gaps between consecutive document ids, after the first
 *   ftf     per posting: one byte (field << 4 | tf) when the term occurs in
 *           one field with tf 1..15; otherwise 0xF0, a varint field mask and
 *           one varint tf per field in the mask, lowest field first
 *   pos     per posting: its positions, ascending, as varint gaps (the first
 *           gap from 0); a posting has as many positions as its total tf
 *   lens    RP_NFIELDS varints: the shortest length of each field among
 *           the block's documents
 *   impacts the block's score frontier (src/impact.c): varint count
 *           (0..4), then per point varint wtf and varint wlen in
 *           sixteenths, under the schema's default weights; they end the
 *           block exactly
 *
 * Decoding validates every length and value: input is untrusted.
 */
#include "rapport/postings.h"

#include <string.h>
#include <streamvbytedelta.h>

#include "rapport/error.h"
#include "rapport/svb.h"

#define FTF_EXTENDED 0xF0

/* Bytes of varint v (v < 2^32). */
static size_t varint_len32(uint32_t v)
{
    return v < (1u << 7) ? 1 : v < (1u << 14) ? 2 : v < (1u << 21) ? 3
         : v < (1u << 28) ? 4 : 5;
}

/* The most ftf bytes a posting takes: the marker, its mask (two varint
 * bytes at most) and a tf of up to three varint bytes per field. */
#define FTF_MAX (3 + RP_NFIELDS * 3)

int rp_block_encode(const rp_posting *p, size_t n, rp_buf *out)
{
    if (n == 0 || n > RP_BLOCK_DOCS)
        return RP_EINVAL;
    uint32_t gaps[RP_BLOCK_DOCS];
    unsigned char docs[RP_BLOCK_DOCS * 5 + 32];
    unsigned char ftf[RP_BLOCK_DOCS * FTF_MAX];
    size_t ftf_len = 0, pos_len = 0;
    rp_bound bound;
    memset(&bound, 0, sizeof bound);
    rp_lenbound lens;
    rp_lenbound_init(&lens);
    rp_impact_builder imp;
    rp_impact_builder_init(&imp);
    /* First pass: check, gather bounds, write the ftf bytes and count the
     * position bytes, which the second pass writes straight into out. */
    for (size_t i = 0; i < n; i++) {
        if (p[i].doc == 0 || (i > 0 && p[i].doc <= p[i - 1].doc))
            return RP_EINVAL;
        if (i > 0)
            gaps[i - 1] = p[i].doc;
        rp_lenbound_add(&lens, p[i].len);
        rp_impact_add(&imp, p[i].tf, p[i].len);
        unsigned mask = 0, last = 0;
        uint32_t total = 0;
        for (unsigned f = 0; f < RP_NFIELDS; f++) {
            if (p[i].tf[f] == 0)
                continue;
            mask |= 1u << f;
            last = f;
            total += p[i].tf[f];
            if (p[i].tf[f] > bound.maxtf[f])
                bound.maxtf[f] = p[i].tf[f];
        }
        if (mask == 0 || total != p[i].npos)
            return RP_EINVAL;
        if ((mask & (mask - 1)) == 0 && p[i].tf[last] < 16) {
            ftf[ftf_len++] = (unsigned char)(last << 4 | p[i].tf[last]);
        } else {
            ftf[ftf_len++] = FTF_EXTENDED;
            ftf_len += rp_varint_put(ftf + ftf_len, mask);
            for (unsigned f = 0; f < RP_NFIELDS; f++)
                if (mask & (1u << f))
                    ftf_len += rp_varint_put(ftf + ftf_len, p[i].tf[f]);
        }
        rp_pos prev = 0;
        for (uint32_t j = 0; j < p[i].npos; j++) {
            if (p[i].pos[j] < prev)
                return RP_EINVAL;
            pos_len += varint_len32(p[i].pos[j] - prev);
            prev = p[i].pos[j];
        }
    }
    size_t docs_bytes = 0;
    if (n > 1)
        docs_bytes = streamvbyte_delta_encode(gaps, (uint32_t)(n - 1), docs,
                                              p[0].doc);
    int rc = 0;
    rp_buf_put_varint_rc(out, n, &rc);
    rp_buf_put_varint_rc(out, p[0].doc, &rc);
    rp_buf_put_varint_rc(out, p[n - 1].doc - p[0].doc, &rc);
    if (rc == 0)
        rc = rp_bound_put(out, &bound);
    rp_buf_put_varint_rc(out, docs_bytes, &rc);
    rp_buf_put_varint_rc(out, ftf_len, &rc);
    rp_buf_put_varint_rc(out, pos_len, &rc);
    rp_buf_append_rc(out, docs, docs_bytes, &rc);
    rp_buf_append_rc(out, ftf, ftf_len, &rc);
    if (rc == 0)
        rc = rp_buf_reserve(out, pos_len);
    if (rc != 0)
        return rc;
    unsigned char *w = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        rp_pos prev = 0;
        for (uint32_t j = 0; j < p[i].npos; j++) {
            w += rp_varint_put(w, p[i].pos[j] - prev);
            prev = p[i].pos[j];
        }
    }
    out->len += pos_len;
    rc = rp_lenbound_put(out, &lens);
    if (rc == 0) {
        rp_impacts front;
        rp_impact_finish(&imp, &front);
        rc = rp_impacts_put(out, &front);
    }
    return rc;
}

int rp_block_header(const void *data, size_t len, rp_blockhdr *out)
{
    const unsigned char *p = data, *end = p + len;
    uint32_t n, first, span, db, fb, pb;
    size_t k;
    memset(out, 0, sizeof *out);
    if ((k = rp_varint_get32(p, end, &n)) == 0 || n == 0 || n > RP_BLOCK_DOCS)
        return RP_ECORRUPT;
    p += k;
    if ((k = rp_varint_get32(p, end, &first)) == 0 || first == 0)
        return RP_ECORRUPT;
    p += k;
    if ((k = rp_varint_get32(p, end, &span)) == 0 || span > UINT32_MAX - first)
        return RP_ECORRUPT;
    p += k;
    if ((span == 0) != (n == 1) || span < n - 1)
        return RP_ECORRUPT;
    if ((k = rp_bound_get(p, end, &out->bound)) == 0)
        return RP_ECORRUPT;
    p += k;
    if ((k = rp_varint_get32(p, end, &db)) == 0)
        return RP_ECORRUPT;
    p += k;
    if ((k = rp_varint_get32(p, end, &fb)) == 0)
        return RP_ECORRUPT;
    p += k;
    if ((k = rp_varint_get32(p, end, &pb)) == 0)
        return RP_ECORRUPT;
    p += k;
    if ((size_t)(end - p) < (size_t)db + fb + pb || fb < n)
        return RP_ECORRUPT;
    if ((n == 1) != (db == 0))
        return RP_ECORRUPT;
    const unsigned char *lens = p + db + fb + pb;
    if ((k = rp_lenbound_get(lens, end, &out->lens)) == 0)
        return RP_ECORRUPT;
    size_t ki = rp_impacts_get(lens + k, end, &out->impacts);
    if (ki == 0 || lens + k + ki != end)
        return RP_ECORRUPT;
    out->n = n;
    out->first = first;
    out->last = first + span;
    out->docs = p;
    out->ftf = p + db;
    out->pos = p + db + fb;
    out->pos_end = lens;
    out->end = end;
    return 0;
}

int rp_block_docs(const rp_blockhdr *h, rp_docid docs[RP_BLOCK_DOCS])
{
    docs[0] = h->first;
    if (h->n == 1)
        return 0;
    size_t len = (size_t)(h->ftf - h->docs);
    uint32_t count = h->n - 1;
    if (rp_svb_size(h->docs, len, count) != len)
        return RP_ECORRUPT;
    rp_svb_delta_decode(h->docs, len, count, h->first, docs + 1);
    unsigned bad = 0; /* no early exit: the compiler vectorises the scan */
    for (uint32_t i = 1; i < h->n; i++)
        bad |= docs[i] <= docs[i - 1];
    if (bad)
        return RP_ECORRUPT;
    if (docs[h->n - 1] != h->last)
        return RP_ECORRUPT;
    return 0;
}

int rp_block_tfs(const rp_blockhdr *h, uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS],
                 uint32_t total[RP_BLOCK_DOCS])
{
    const unsigned char *p = h->ftf, *end = h->pos;
    memset(tf, 0, sizeof(uint16_t) * h->n * RP_NFIELDS);
    for (uint32_t i = 0; i < h->n; i++) {
        if (p >= end)
            return RP_ECORRUPT;
        unsigned b = *p++;
        uint16_t *t = tf + (size_t)i * RP_NFIELDS;
        if ((b & 0x0f) != 0) {
            if ((b >> 4) >= RP_NFIELDS)
                return RP_ECORRUPT;
            t[b >> 4] = (uint16_t)(b & 0x0f);
            total[i] = b & 0x0f;
            continue;
        }
        if (b != FTF_EXTENDED)
            return RP_ECORRUPT;
        uint32_t mask, v, sum = 0;
        size_t k = rp_varint_get32(p, end, &mask);
        if (k == 0 || mask == 0 || mask > RP_FIELD_ALL_MASK)
            return RP_ECORRUPT;
        p += k;
        for (unsigned f = 0; f < RP_NFIELDS; f++) {
            if (!(mask & (1u << f)))
                continue;
            k = rp_varint_get32(p, end, &v);
            if (k == 0 || v == 0 || v > RP_TF_MAX)
                return RP_ECORRUPT;
            p += k;
            t[f] = (uint16_t)v;
            sum += v;
        }
        total[i] = sum;
    }
    return p == end ? 0 : RP_ECORRUPT;
}

void rp_poscursor_init(rp_poscursor *c, const rp_blockhdr *h)
{
    c->p = h->pos;
    c->end = h->pos_end;
    c->next = 0;
    c->n = h->n;
}

int rp_block_positions(rp_poscursor *c, const uint32_t total[RP_BLOCK_DOCS],
                       uint32_t i, rp_pos *out, uint32_t cap, uint32_t *n)
{
    if (i < c->next || i >= c->n)
        return RP_EINVAL;
    /* The postings before i: passed over, not decoded. */
    uint64_t skip = 0;
    for (; c->next < i; c->next++)
        skip += total[c->next];
    if (skip > 0) {
        const unsigned char *past = rp_varint_skip(c->p, c->end, skip);
        if (past == NULL)
            return RP_ECORRUPT;
        c->p = past;
    }
    uint32_t v;
    rp_pos prev = 0;
    for (uint32_t j = 0; j < total[i]; j++) {
        size_t k = rp_varint_get32(c->p, c->end, &v);
        if (k == 0 || v > UINT32_MAX - prev)
            return RP_ECORRUPT;
        c->p += k;
        prev += v;
        if (j < cap)
            out[j] = prev;
    }
    c->next = i + 1;
    *n = total[i];
    if (c->next == c->n && c->p != c->end)
        return RP_ECORRUPT;
    return 0;
}

void rp_bound_merge(rp_bound *a, const rp_bound *b)
{
    for (int f = 0; f < RP_NFIELDS; f++)
        if (b->maxtf[f] > a->maxtf[f])
            a->maxtf[f] = b->maxtf[f];
}

int rp_bound_put(rp_buf *out, const rp_bound *b)
{
    unsigned char mask = 0;
    for (int f = 0; f < RP_NFIELDS; f++)
        if (b->maxtf[f])
            mask |= (unsigned char)(1u << f);
    int rc = 0;
    rp_buf_append_rc(out, &mask, 1, &rc);
    for (int f = 0; f < RP_NFIELDS; f++)
        if (b->maxtf[f])
            rp_buf_put_varint_rc(out, b->maxtf[f], &rc);
    return rc;
}

size_t rp_bound_get(const unsigned char *p, const unsigned char *end,
                    rp_bound *b)
{
    const unsigned char *start = p;
    memset(b, 0, sizeof *b);
    if (p >= end)
        return 0;
    unsigned mask = *p++;
    if (mask == 0)
        return 0;
    for (int f = 0; f < RP_NFIELDS; f++) {
        if (!(mask & (1u << f)))
            continue;
        uint32_t v;
        size_t k = rp_varint_get32(p, end, &v);
        if (k == 0 || v == 0 || v > RP_TF_MAX)
            return 0;
        b->maxtf[f] = (uint16_t)v;
        p += k;
    }
    return (size_t)(p - start);
}

void rp_lenbound_init(rp_lenbound *l)
{
    for (int f = 0; f < RP_NFIELDS; f++)
        l->minlen[f] = UINT16_MAX;
}

void rp_lenbound_add(rp_lenbound *l, const uint16_t len[RP_NFIELDS])
{
    for (int f = 0; f < RP_NFIELDS; f++)
        if (len[f] < l->minlen[f])
            l->minlen[f] = len[f];
}

int rp_lenbound_put(rp_buf *out, const rp_lenbound *l)
{
    int rc = 0;
    for (int f = 0; f < RP_NFIELDS; f++)
        rp_buf_put_varint_rc(out, l->minlen[f], &rc);
    return rc;
}

size_t rp_lenbound_get(const unsigned char *p, const unsigned char *end,
                       rp_lenbound *l)
{
    const unsigned char *start = p;
    for (int f = 0; f < RP_NFIELDS; f++) {
        uint32_t v;
        size_t k = rp_varint_get32(p, end, &v);
        if (k == 0 || v > UINT16_MAX)
            return 0;
        l->minlen[f] = (uint16_t)v;
        p += k;
    }
    return (size_t)(p - start);
}

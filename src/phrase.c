/* SPDX-License-Identifier: MIT */
/*
 * phrase: analysed phrases in one growing array; texts and stems live in
 * one byte buffer and are referred to by offset, so the array can grow
 * without invalidating them. Occurrence tests scan the text's terms,
 * which is cheap for texts of a few dozen terms.
 */
#include "rapport/phrase.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rapport/buf.h"
#include "rapport/error.h"

#define PHRASE_TERMS 16

typedef struct phrase {
    size_t text_off, text_len;     /* raw text in p->bytes */
    size_t nterms;
    size_t term_off[PHRASE_TERMS]; /* stems in p->bytes */
    size_t term_len[PHRASE_TERMS];
    unsigned rel[PHRASE_TERMS];    /* position relative to the first */
    size_t next;                   /* next phrase in its bucket, or
                                      SIZE_MAX */
} phrase;

/* Phrases are chained in buckets by the hash of their first stem, so a
 * scan of a text looks only at the phrases that can start at each term. */
struct rp_phrases {
    rp_analyzer *an; /* borrowed */
    unsigned flags;  /* RP_ANALYZE_* */
    rp_buf bytes;
    phrase *items;
    size_t n, cap;
    size_t *buckets; /* first phrase of each bucket, or SIZE_MAX */
    size_t nbuckets; /* a power of two, at least n */
};

static uint64_t hash_stem(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static size_t bucket_of(const rp_phrases *p, const char *stem, size_t len)
{
    return (size_t)hash_stem(stem, len) & (p->nbuckets - 1);
}

static void chain(rp_phrases *p, size_t i)
{
    phrase *ph = &p->items[i];
    size_t b = bucket_of(p, (const char *)p->bytes.data + ph->term_off[0],
                         ph->term_len[0]);
    ph->next = p->buckets[b];
    p->buckets[b] = i;
}

/* Adds phrase i (the newest) to the buckets, doubling them first when
 * the phrases outnumber them. */
static int index_phrase(rp_phrases *p, size_t i)
{
    if (p->n > p->nbuckets) {
        size_t nb = p->nbuckets ? p->nbuckets * 2 : 64;
        size_t *b = malloc(nb * sizeof *b);
        if (b == NULL)
            return RP_ENOMEM;
        for (size_t k = 0; k < nb; k++)
            b[k] = SIZE_MAX;
        free(p->buckets);
        p->buckets = b;
        p->nbuckets = nb;
        for (size_t k = 0; k < i; k++)
            chain(p, k);
    }
    chain(p, i);
    return 0;
}

int rp_phrases_new(rp_analyzer *an, unsigned flags, rp_phrases **out)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return RP_ENOMEM;
    (*out)->an = an;
    (*out)->flags = flags;
    return 0;
}

void rp_phrases_free(rp_phrases *p)
{
    if (p == NULL)
        return;
    rp_buf_fini(&p->bytes);
    free(p->items);
    free(p->buckets);
    free(p);
}

typedef struct collect {
    rp_phrases *p;
    phrase *ph;
    unsigned first;
} collect;

static int on_term(void *ctx, const rp_token *tok)
{
    collect *c = ctx;
    if (tok->flags & RP_TOK_JOINED)
        return 0; /* phrases match by their parts */
    if (c->ph->nterms == PHRASE_TERMS)
        return RP_ELIMIT; /* refused: matching a prefix would be wrong */
    if (c->ph->nterms == 0)
        c->first = tok->pos;
    size_t i = c->ph->nterms++;
    c->ph->term_off[i] = c->p->bytes.len;
    c->ph->term_len[i] = tok->term_len;
    c->ph->rel[i] = tok->pos - c->first;
    return rp_buf_append(&c->p->bytes, tok->term, tok->term_len);
}

int rp_phrases_intern(rp_phrases *p, const char *text, size_t len,
                      size_t *out)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->items[i].text_len == len &&
            memcmp(p->bytes.data + p->items[i].text_off, text, len) == 0) {
            *out = i;
            return 0;
        }
    int rc = rp__grow((void **)&p->items, &p->cap, p->n + 1, sizeof(phrase));
    if (rc != 0)
        return rc;
    phrase *ph = &p->items[p->n];
    memset(ph, 0, sizeof *ph);
    ph->text_off = p->bytes.len;
    ph->text_len = len;
    if ((rc = rp_buf_append(&p->bytes, text, len)) != 0)
        return rc;
    collect c = {p, ph, 0};
    rc = rp_analyze_flags(p->an, text, len, 0, p->flags, on_term, &c, NULL);
    if (rc != 0)
        return rc;
    if (ph->nterms == 0) {
        *out = SIZE_MAX;
        return 0;
    }
    *out = p->n++;
    rc = index_phrase(p, *out);
    if (rc != 0)
        p->n--; /* not findable: not added */
    return rc;
}

size_t rp_phrases_count(const rp_phrases *p)
{
    return p->n;
}

const char *rp_phrases_text(const rp_phrases *p, size_t i, size_t *len)
{
    *len = p->items[i].text_len;
    return (const char *)p->bytes.data + p->items[i].text_off;
}

size_t rp_phrases_nterms(const rp_phrases *p, size_t i)
{
    return p->items[i].nterms;
}

const char *rp_phrases_term(const rp_phrases *p, size_t i, size_t t,
                            size_t *len)
{
    *len = p->items[i].term_len[t];
    return (const char *)p->bytes.data + p->items[i].term_off[t];
}

/* Stems are appended back to back; t[].stem is set once the buffer has
 * stopped moving (rp_vterms_analyze). */
static int add_vterm(void *ctx, const rp_token *tok)
{
    rp_vterms *v = ctx;
    int rc = rp__grow((void **)&v->t, &v->cap, v->n + 1, sizeof(rp_vterm));
    if (rc == 0)
        rc = rp__grow((void **)&v->stems, &v->stems_cap,
                      v->stems_len + tok->term_len, 1);
    if (rc != 0)
        return rc;
    memcpy(v->stems + v->stems_len, tok->term, tok->term_len);
    v->t[v->n].stem = NULL;
    v->t[v->n].len = tok->term_len;
    v->t[v->n].pos = tok->pos;
    v->t[v->n].start = tok->start;
    v->t[v->n].end = tok->end;
    v->stems_len += tok->term_len;
    v->n++;
    return 0;
}

int rp_vterms_analyze(rp_analyzer *an, unsigned flags, const char *text,
                      size_t len, rp_vterms *out)
{
    memset(out, 0, sizeof *out);
    int rc = rp_analyze_flags(an, text, len, 0, flags, add_vterm, out, NULL);
    size_t off = 0;
    for (size_t i = 0; i < out->n; i++) {
        out->t[i].stem = out->stems + off;
        off += out->t[i].len;
    }
    if (rc != 0)
        out->n = 0;
    return rc;
}

void rp_vterms_fini(rp_vterms *v)
{
    if (v == NULL)
        return;
    free(v->t);
    free(v->stems);
    memset(v, 0, sizeof *v);
}

/* Positions never decrease in text order, except that a hyphenated
 * compound's joined form comes after its parts, at the first part's
 * position. So a term at pos (> q[k].pos) lies within PHRASE_TERMS terms
 * before q[k] (when q[k] is a joined form) and the first term more than
 * PHRASE_TERMS positions past pos. */
static int term_near(const rp_vterm *q, size_t n, size_t k, unsigned pos,
                     const char *stem, size_t len)
{
    size_t i = k > PHRASE_TERMS ? k - PHRASE_TERMS : 0;
    for (; i < n && (i <= k || q[i].pos <= pos + PHRASE_TERMS); i++)
        if (q[i].pos == pos && q[i].len == len &&
            memcmp(q[i].stem, stem, len) == 0)
            return 1;
    return 0;
}

/* 1 if phrase ph occurs starting at q[k]. */
static int starts_at(const rp_phrases *p, const phrase *ph, const rp_vterm *q,
                     size_t n, size_t k)
{
    const char *b = (const char *)p->bytes.data;
    if (q[k].len != ph->term_len[0] ||
        memcmp(q[k].stem, b + ph->term_off[0], q[k].len) != 0)
        return 0;
    for (size_t j = 1; j < ph->nterms; j++)
        if (!term_near(q, n, k, q[k].pos + ph->rel[j], b + ph->term_off[j],
                       ph->term_len[j]))
            return 0;
    return 1;
}

int rp_phrases_each(const rp_phrases *p, size_t i, const rp_vterm *q,
                    size_t n, rp_phrase_hit_cb cb, void *ctx)
{
    const phrase *ph = &p->items[i];
    for (size_t k = 0; k < n; k++) {
        if (!starts_at(p, ph, q, n, k))
            continue;
        int rc = cb(ctx, q[k].pos, q[k].pos + ph->rel[ph->nterms - 1]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int rp_phrases_scan(const rp_phrases *p, const rp_vterm *q, size_t n,
                    rp_phrase_scan_cb cb, void *ctx)
{
    for (size_t k = 0; k < n && p->n > 0; k++) {
        size_t i = p->buckets[bucket_of(p, q[k].stem, q[k].len)];
        for (; i != SIZE_MAX; i = p->items[i].next) {
            const phrase *ph = &p->items[i];
            if (!starts_at(p, ph, q, n, k))
                continue;
            int rc = cb(ctx, i, q[k].pos, q[k].pos + ph->rel[ph->nterms - 1]);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

static int stop_at_first(void *ctx, unsigned first, unsigned last)
{
    (void)ctx;
    (void)first;
    (void)last;
    return 1;
}

int rp_phrases_occurs(const rp_phrases *p, size_t i, const rp_vterm *q,
                      size_t n)
{
    return rp_phrases_each(p, i, q, n, stop_at_first, NULL) != 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * segment: in-memory inversion for index builds. Terms live in an
 * open-addressing hash table over an entry array; each entry accumulates its
 * postings as raw varints:
 *
 *   varint doc gap (from the term's previous document, or from 0)
 *   u8     field mask, then varint tf per field in the mask
 *   varint position gaps (first from 0), as many as the sum of the tfs
 *
 * While a document is open, its occurrences are chained per entry in a
 * scratch array, so each document costs one hash probe per token and one
 * flush per distinct term.
 */
#include "rapport/segment.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rapport/arena.h"
#include "rapport/bigmem.h"
#include "rapport/error.h"

#define NONE UINT32_MAX

/* A term's entry is split by use. What a token's probe and count touch is
 * one cache line (hot): the term's length and first bytes, to compare
 * without a second miss into the arena, and the open document's counts.
 * What is touched once per posting or once per build is apart (cold). */
#define INLINE_TERM 24

typedef struct hot {
    uint32_t term_len;
    rp_docid cur;           /* open document with occurrences, or 0 */
    uint32_t head, tail;    /* occurrence chain in the scratch array */
    uint16_t tf[RP_NFIELDS];
    char term[INLINE_TERM]; /* the term's first bytes */
    uint32_t term_off;      /* all of its bytes, in the term arena */
    uint32_t spare;         /* pads the entry to a whole cache line */
} hot;

_Static_assert(sizeof(hot) == 64, "a term's hot part is one cache line");

typedef struct cold {
    uint64_t hash;
    uint32_t df;
    rp_docid last;          /* last document flushed into raw */
    unsigned char *raw;     /* encoded postings, see above, in arena */
    size_t rawlen, rawcap;
} cold;

/* A hash slot keeps 32 hash bits so a probe that misses never touches the
 * entry array (a cache miss per probe otherwise). */
typedef struct slot {
    uint32_t hash; /* high bits of the entry's hash */
    uint32_t idx;  /* entry index + 1; 0 = empty */
} slot;

typedef struct occ {
    rp_pos pos;
    uint32_t next;
} occ;

/* After finish, a term's entry in sorted order: what a merge reads of it,
 * gathered from the hot and cold parts so that it reads in sequence. */
typedef struct sorted_term {
    const unsigned char *term;
    const unsigned char *raw;
    size_t rawlen;
    uint32_t len;
    uint32_t df;
} sorted_term;

struct rp_segment {
    hot *hots;          /* owned (bigmem) for hotcap; nentries used */
    cold *colds;        /* owned (bigmem) for coldcap, parallel to hots */
    size_t nentries, capentries; /* capentries: the smaller of the two */
    size_t hotcap, coldcap;
    slot *table;        /* owned (bigmem); open addressing; idx 0 = empty */
    size_t tablecap;    /* power of two */
    rp_buf terms;       /* term bytes arena */
    rp_arena *arena;    /* owned: every entry's raw postings */
    rp_buf post;        /* scratch: one posting, encoded */
    occ *occs;          /* current document's occurrences */
    size_t nocc, capocc;
    uint32_t *touched;  /* entries with occurrences in the open document */
    size_t ntouched, captouched;
    rp_docid doc;       /* open document, 0 when none */
    rp_docid lastdoc;   /* last document begun */
    uint64_t npostings;
    sorted_term *sorted; /* after finish: the terms in order (owned); the
                            table and entry arrays are freed by then */
    rp_pos *posbuf;     /* scratch for sorting one posting's positions */
    size_t capposbuf;
};

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return h;
}

int rp_segment_new(rp_segment **out)
{
    *out = NULL;
    rp_segment *s = calloc(1, sizeof *s);
    if (s == NULL)
        return RP_ENOMEM;
    s->tablecap = 1 << 16;
    s->table = rp_bigmem_alloc(s->tablecap * sizeof *s->table);
    if (s->table == NULL || rp_arena_new(&s->arena) != 0) {
        rp_bigmem_free(s->table, s->tablecap * sizeof *s->table);
        free(s);
        return RP_ENOMEM;
    }
    *out = s;
    return 0;
}

void rp_segment_free(rp_segment *s)
{
    if (s == NULL)
        return;
    rp_arena_free(s->arena);
    rp_buf_fini(&s->post);
    rp_bigmem_free(s->hots, s->hotcap * sizeof *s->hots);
    rp_bigmem_free(s->colds, s->coldcap * sizeof *s->colds);
    rp_bigmem_free(s->table, s->tablecap * sizeof *s->table);
    rp_buf_fini(&s->terms);
    free(s->occs);
    free(s->touched);
    free(s->sorted);
    free(s->posbuf);
    free(s);
}

int rp_segment_begin(rp_segment *s, rp_docid doc)
{
    if (doc == 0 || doc <= s->lastdoc || s->doc != 0 || s->sorted != NULL)
        return RP_EINVAL;
    s->doc = doc;
    s->lastdoc = doc;
    s->nocc = 0;
    s->ntouched = 0;
    return 0;
}

static int rehash(rp_segment *s)
{
    size_t cap = s->tablecap * 2;
    slot *t = rp_bigmem_alloc(cap * sizeof *t);
    if (t == NULL)
        return RP_ENOMEM;
    for (size_t i = 0; i < s->nentries; i++) {
        size_t j = s->colds[i].hash & (cap - 1);
        while (t[j].idx != 0)
            j = (j + 1) & (cap - 1);
        t[j].hash = (uint32_t)(s->colds[i].hash >> 32);
        t[j].idx = (uint32_t)i + 1;
    }
    rp_bigmem_free(s->table, s->tablecap * sizeof *s->table);
    s->table = t;
    s->tablecap = cap;
    return 0;
}

/* Grows array *p of *cap elements of size bytes to cap elements. */
static int grow_array(void **p, size_t *have, size_t cap, size_t size)
{
    if (*have >= cap)
        return 0;
    void *q = *have ? rp_bigmem_grow(*p, *have * size, cap * size)
                    : rp_bigmem_alloc(cap * size);
    if (q == NULL)
        return RP_ENOMEM;
    *p = q;
    *have = cap;
    return 0;
}

/* Room for one more entry: both arrays double (one may have grown
 * already, before the other failed to). */
static int grow_entries(rp_segment *s)
{
    if (s->nentries < s->capentries)
        return 0;
    size_t cap = s->capentries ? s->capentries * 2 : 1024;
    int rc = grow_array((void **)&s->hots, &s->hotcap, cap, sizeof(hot));
    if (rc == 0)
        rc = grow_array((void **)&s->colds, &s->coldcap, cap, sizeof(cold));
    if (rc == 0)
        s->capentries = cap;
    return rc;
}

static int same_term(const rp_segment *s, const hot *h, const char *term,
                     size_t len)
{
    if (h->term_len != len)
        return 0;
    if (len <= INLINE_TERM)
        return memcmp(h->term, term, len) == 0;
    return memcmp(s->terms.data + h->term_off, term, len) == 0;
}

/* Finds or adds term, whose hash_bytes is h; *idx gets its entry. */
static int lookup(rp_segment *s, const char *term, size_t len, uint64_t h,
                  uint32_t *idx)
{
    uint32_t h32 = (uint32_t)(h >> 32);
    size_t j = h & (s->tablecap - 1);
    for (;;) {
        uint32_t v = s->table[j].idx;
        if (v == 0)
            break;
        if (s->table[j].hash == h32 &&
            same_term(s, &s->hots[v - 1], term, len)) {
            *idx = v - 1;
            return 0;
        }
        j = (j + 1) & (s->tablecap - 1);
    }
    int rc = grow_entries(s);
    if (rc != 0)
        return rc;
    uint32_t off = (uint32_t)s->terms.len;
    if ((rc = rp_buf_append(&s->terms, term, len)) != 0)
        return rc;
    hot *e = &s->hots[s->nentries];
    memset(e, 0, sizeof *e);
    e->term_len = (uint32_t)len;
    e->term_off = off;
    memcpy(e->term, term, len < INLINE_TERM ? len : INLINE_TERM);
    e->head = e->tail = NONE;
    cold *c = &s->colds[s->nentries];
    memset(c, 0, sizeof *c);
    c->hash = h;
    s->table[j].hash = h32;
    s->table[j].idx = (uint32_t)s->nentries + 1;
    *idx = (uint32_t)s->nentries++;
    if (s->nentries * 2 > s->tablecap)
        return rehash(s);
    return 0;
}

static int add_hashed(rp_segment *s, const char *term, size_t len,
                      uint64_t h, int field, rp_pos pos)
{
    if (s->doc == 0 || len == 0 || len > RP_TERM_MAX_BYTES || field < 0 ||
        field >= RP_NFIELDS)
        return RP_EINVAL;
    uint32_t idx;
    int rc = lookup(s, term, len, h, &idx);
    if (rc != 0)
        return rc;
    hot *e = &s->hots[idx];
    if (e->cur != s->doc) {
        rc = rp__grow((void **)&s->touched, &s->captouched, s->ntouched + 1,
                  sizeof(uint32_t));
        if (rc != 0)
            return rc;
        s->touched[s->ntouched++] = idx;
        /* The cold part is needed when the document ends: start loading
         * it now, a document's worth of work ahead. */
        __builtin_prefetch(&s->colds[idx]);
        e->cur = s->doc;
        memset(e->tf, 0, sizeof e->tf);
        e->head = e->tail = NONE;
    }
    if (e->tf[field] == RP_TF_MAX)
        return 0; /* saturated: further occurrences add nothing */
    rc = rp__grow((void **)&s->occs, &s->capocc, s->nocc + 1, sizeof(occ));
    if (rc != 0)
        return rc;
    e->tf[field]++;
    uint32_t o = (uint32_t)s->nocc++;
    s->occs[o].pos = pos;
    s->occs[o].next = NONE;
    if (e->tail == NONE)
        e->head = o;
    else
        s->occs[e->tail].next = o;
    e->tail = o;
    return 0;
}

int rp_segment_add(rp_segment *s, const char *term, size_t len, int field,
                   rp_pos pos)
{
    uint64_t h = hash_bytes((const unsigned char *)term, len);
    return add_hashed(s, term, len, h, field, pos);
}

/* How far ahead rp_segment_add_many loads: the table slot SLOT_AHEAD
 * occurrences ahead, and the entry that slot names ENTRY_AHEAD ahead (by
 * then the slot has arrived). */
#define SLOT_AHEAD 8
#define ENTRY_AHEAD 4

int rp_segment_add_many(rp_segment *s, const rp_segocc *run, size_t n,
                        int field)
{
    uint64_t h[SLOT_AHEAD + 1];
    size_t ahead = n < SLOT_AHEAD ? n : SLOT_AHEAD;
    for (size_t k = 0; k < ahead; k++)
        h[k % (SLOT_AHEAD + 1)] =
            hash_bytes((const unsigned char *)run[k].term, run[k].len);
    for (size_t i = 0; i < n; i++) {
        size_t mask = s->tablecap - 1;
        if (i + SLOT_AHEAD < n) {
            size_t k = i + SLOT_AHEAD;
            uint64_t hk = hash_bytes((const unsigned char *)run[k].term,
                                     run[k].len);
            h[k % (SLOT_AHEAD + 1)] = hk;
            __builtin_prefetch(&s->table[hk & mask]);
        }
        if (i + ENTRY_AHEAD < n) {
            uint32_t v =
                s->table[h[(i + ENTRY_AHEAD) % (SLOT_AHEAD + 1)] & mask].idx;
            if (v != 0)
                __builtin_prefetch(&s->hots[v - 1]);
        }
        int rc = add_hashed(s, run[i].term, run[i].len,
                            h[i % (SLOT_AHEAD + 1)], field, run[i].pos);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int cmp_pos(const void *a, const void *b)
{
    rp_pos x = *(const rp_pos *)a, y = *(const rp_pos *)b;
    return (x > y) - (x < y);
}

static int flush(rp_segment *s, hot *e, cold *c)
{
    int rc = 0;
    unsigned char mask = 0;
    uint32_t total = 0;
    for (int f = 0; f < RP_NFIELDS; f++)
        if (e->tf[f]) {
            mask |= (unsigned char)(1u << f);
            total += e->tf[f];
        }
    rc = rp__grow((void **)&s->posbuf, &s->capposbuf, total, sizeof(rp_pos));
    if (rc != 0)
        return rc;
    uint32_t n = 0;
    int sorted = 1;
    for (uint32_t o = e->head; o != NONE; o = s->occs[o].next) {
        s->posbuf[n] = s->occs[o].pos;
        if (n > 0 && s->posbuf[n] < s->posbuf[n - 1])
            sorted = 0;
        n++;
    }
    if (!sorted)
        qsort(s->posbuf, n, sizeof(rp_pos), cmp_pos);
    /* The posting is encoded apart (one reservation covers gap, mask,
     * tfs and positions, at most 5 bytes per 32-bit varint), then copied
     * to the entry's string at its exact size: most terms hold one short
     * posting. */
    s->post.len = 0;
    rc = rp_buf_reserve(&s->post, 6 + RP_NFIELDS * 3 + (size_t)n * 5);
    if (rc != 0)
        return rc;
    unsigned char *p = s->post.data;
    p += rp_varint_put(p, s->doc - c->last);
    *p++ = mask;
    for (int f = 0; f < RP_NFIELDS; f++)
        if (e->tf[f])
            p += rp_varint_put(p, e->tf[f]);
    rp_pos prev = 0;
    for (uint32_t i = 0; i < n; i++) {
        p += rp_varint_put(p, s->posbuf[i] - prev);
        prev = s->posbuf[i];
    }
    size_t len = (size_t)(p - s->post.data);
    rc = rp_arena_reserve(s->arena, &c->raw, c->rawlen, &c->rawcap, len);
    if (rc != 0)
        return rc;
    memcpy(c->raw + c->rawlen, s->post.data, len);
    c->rawlen += len;
    c->last = s->doc;
    c->df++;
    s->npostings++;
    return 0;
}

int rp_segment_end(rp_segment *s)
{
    if (s->doc == 0)
        return RP_EINVAL; /* no open document */
    int rc = 0;
    /* Each flush appends to a buffer of its own, far from the last one: a
     * miss for the buffer's end (its cold part was prefetched when the
     * term first occurred), started a few terms ahead. */
    size_t n = s->ntouched;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i + 4 < n) {
            const cold *c = &s->colds[s->touched[i + 4]];
            if (c->raw)
                __builtin_prefetch(c->raw + c->rawlen, 1);
        }
        rc = flush(s, &s->hots[s->touched[i]], &s->colds[s->touched[i]]);
    }
    s->doc = 0;
    return rc;
}

size_t rp_segment_nterms(const rp_segment *s)
{
    return s->nentries;
}

uint64_t rp_segment_npostings(const rp_segment *s)
{
    return s->npostings;
}

typedef struct sortkey {
    const unsigned char *term;
    uint32_t len;
    uint32_t idx;
} sortkey;

static int cmp_term(const void *a, const void *b)
{
    const sortkey *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->term, y->term, n);
    if (c != 0)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

/* How many terms ahead finish loads an entry while it gathers them. */
#define GATHER_AHEAD 8

int rp_segment_finish(rp_segment *s)
{
    if (s->sorted != NULL)
        return 0;
    if (s->doc != 0)
        return RP_EINVAL; /* a document is still open */
    size_t n = s->nentries ? s->nentries : 1;
    sortkey *keys = malloc(n * sizeof *keys);
    sorted_term *sorted = malloc(n * sizeof *sorted);
    if (keys == NULL || sorted == NULL) {
        free(keys);
        free(sorted);
        return RP_ENOMEM;
    }
    for (size_t i = 0; i < s->nentries; i++) {
        keys[i].term = s->terms.data + s->hots[i].term_off;
        keys[i].len = s->hots[i].term_len;
        keys[i].idx = (uint32_t)i;
    }
    qsort(keys, s->nentries, sizeof *keys, cmp_term);
    /* In term order the entries are at random: gathering them here, a few
     * loads in flight at a time, spares the merge a miss per term. */
    for (size_t i = 0; i < s->nentries; i++) {
        if (i + GATHER_AHEAD < s->nentries)
            __builtin_prefetch(&s->colds[keys[i + GATHER_AHEAD].idx]);
        const cold *c = &s->colds[keys[i].idx];
        sorted[i].term = keys[i].term;
        sorted[i].len = keys[i].len;
        sorted[i].raw = c->raw;
        sorted[i].rawlen = c->rawlen;
        sorted[i].df = c->df;
    }
    free(keys);
    s->sorted = sorted;
    /* Only the sorted terms are read from now on. */
    rp_bigmem_free(s->hots, s->hotcap * sizeof *s->hots);
    rp_bigmem_free(s->colds, s->coldcap * sizeof *s->colds);
    rp_bigmem_free(s->table, s->tablecap * sizeof *s->table);
    s->hots = NULL;
    s->colds = NULL;
    s->table = NULL;
    s->hotcap = s->coldcap = s->capentries = s->tablecap = 0;
    return 0;
}

const char *rp_segment_term(const rp_segment *s, size_t i, size_t *len,
                            uint32_t *df)
{
    const sorted_term *t = &s->sorted[i];
    *len = t->len;
    *df = t->df;
    return (const char *)t->term;
}

void rp_segment_prefetch(const rp_segment *s, size_t i)
{
    __builtin_prefetch(s->sorted[i].raw);
}

void rp_segreader_init(rp_segreader *r)
{
    memset(r, 0, sizeof *r);
}

void rp_segment_reader(const rp_segment *s, size_t i, rp_segreader *r)
{
    const sorted_term *t = &s->sorted[i];
    r->p = t->raw;
    r->end = t->raw + t->rawlen;
    r->doc = 0;
}

/* Raw postings were written by this module and never left memory, so the
 * reader trusts their structure. */
static uint32_t get32(rp_segreader *r)
{
    uint32_t v = 0;
    r->p += rp_varint_get32(r->p, r->end, &v);
    return v;
}

/* Makes room for n positions in r's buffer. */
static int reserve_pos(rp_segreader *r, size_t n)
{
    if (n <= r->cap)
        return 0;
    if (n > UINT32_MAX)
        return RP_ENOMEM;
    size_t cap = r->cap ? r->cap : 64;
    while (cap < n)
        cap *= 2;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    rp_pos *p = realloc(r->pos, cap * sizeof(rp_pos));
    if (p == NULL)
        return RP_ENOMEM;
    r->pos = p;
    r->cap = (uint32_t)cap;
    return 0;
}

int rp_segreader_read(rp_segreader *r, rp_posting *out, size_t max)
{
    size_t n = 0, used = 0;
    for (; n < max && r->p < r->end; n++) {
        rp_posting *o = &out[n];
        r->doc += get32(r);
        o->doc = r->doc;
        unsigned mask = *r->p++;
        uint32_t total = 0;
        for (int f = 0; f < RP_NFIELDS; f++) {
            o->tf[f] = (mask & (1u << f)) ? (uint16_t)get32(r) : 0;
            total += o->tf[f];
        }
        if (reserve_pos(r, used + total) != 0)
            return RP_ENOMEM;
        rp_pos prev = 0;
        for (uint32_t j = 0; j < total; j++) {
            prev += get32(r);
            r->pos[used + j] = prev;
        }
        o->npos = total;
        used += total;
    }
    /* The buffer may have moved while it grew: pointers go in last. */
    used = 0;
    for (size_t k = 0; k < n; k++) {
        out[k].pos = r->pos + used;
        used += out[k].npos;
    }
    return (int)n;
}

int rp_segreader_next(rp_segreader *r, rp_posting *out)
{
    return rp_segreader_read(r, out, 1);
}

rp_docid rp_segreader_peek(const rp_segreader *r)
{
    if (r->p >= r->end)
        return 0;
    uint32_t gap = 0;
    rp_varint_get32(r->p, r->end, &gap);
    return r->doc + gap;
}

void rp_segreader_fini(rp_segreader *r)
{
    if (r == NULL)
        return;
    free(r->pos);
    rp_segreader_init(r);
}

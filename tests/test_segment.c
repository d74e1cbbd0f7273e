/* SPDX-License-Identifier: MIT */
/*
 * test_segment: in-memory inversion. Small hand-made segments pin term
 * order (prefixes first, bytes >= 0x80 after ASCII), document frequencies,
 * per-field tfs and sorted positions; a seeded random corpus of 2000
 * documents over a 300-term vocabulary is checked against an independent
 * model kept in this file and then pushed through the block codec. Also
 * covers argument checks, tf saturation at RP_TF_MAX, misuse of the
 * begin/end/finish sequence, and reading postings in batches.
 */
#include "t.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/error.h"
#include "rapport/postings.h"
#include "rapport/segment.h"


static uint64_t rnd_in(uint64_t *s, uint64_t lo, uint64_t hi)
{
    return lo + t_rand(s) % (hi - lo + 1);
}

static rp_segment *seg_new(void)
{
    rp_segment *s = NULL;
    ASSERT_OK(rp_segment_new(&s));
    ASSERT(s != NULL);
    return s;
}

static void add(rp_segment *s, const char *term, int field, rp_pos pos)
{
    ASSERT_OK(rp_segment_add(s, term, strlen(term), field, pos));
}

/* Finds sorted term i's index by its bytes, or fails. */
static size_t find_term(const rp_segment *s, const char *term, size_t len)
{
    for (size_t i = 0; i < rp_segment_nterms(s); i++) {
        size_t l;
        uint32_t df;
        const char *t = rp_segment_term(s, i, &l, &df);
        if (l == len && memcmp(t, term, len) == 0)
            return i;
    }
    T_FAIL("term \"%.*s\" not found", (int)len, term);
}

/* One expected posting, written out by hand in the tests below. */
typedef struct want {
    rp_docid doc;
    uint16_t tf[RP_NFIELDS];
    rp_pos pos[8];
    uint32_t npos;
} want;

static void expect_postings(const rp_segment *s, const char *term,
                            const want *w, size_t nw)
{
    size_t i = find_term(s, term, strlen(term));
    size_t len;
    uint32_t df;
    rp_segment_term(s, i, &len, &df);
    ASSERT_EQ(df, nw);
    rp_segreader r;
    rp_segreader_init(&r);
    rp_segment_reader(s, i, &r);
    rp_posting p;
    for (size_t k = 0; k < nw; k++) {
        ASSERT_EQ(rp_segreader_next(&r, &p), 1);
        ASSERT_EQ(p.doc, w[k].doc);
        for (int f = 0; f < RP_NFIELDS; f++)
            ASSERT_EQ(p.tf[f], w[k].tf[f]);
        ASSERT_EQ(p.npos, w[k].npos);
        for (uint32_t j = 0; j < p.npos; j++)
            ASSERT_EQ(p.pos[j], w[k].pos[j]);
    }
    ASSERT_EQ(rp_segreader_next(&r, &p), 0);
    ASSERT_EQ(rp_segreader_next(&r, &p), 0);
    rp_segreader_fini(&r);
}

static void test_basic_postings(void)
{
    rp_segment *s = seg_new();
    ASSERT_OK(rp_segment_begin(s, 3));
    add(s, "calm", RP_F_TITLE, 0);
    add(s, "calm", RP_F_BODY, 7);
    add(s, "calm", RP_F_BODY, 4);
    add(s, "sleep", RP_F_BODY, 5);
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_begin(s, 10));
    add(s, "sleep", RP_F_TAGS, 2);
    add(s, "sleep", RP_F_TAGS, 2);
    add(s, "sleep", RP_F_TITLE, 9);
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_begin(s, 11));
    add(s, "calm", RP_F_PLACE, 1);
    ASSERT_OK(rp_segment_end(s));
    ASSERT_EQ(rp_segment_nterms(s), 2);
    ASSERT_EQ(rp_segment_npostings(s), 4);
    ASSERT_OK(rp_segment_finish(s));

    want calm[2] = {
        {.doc = 3,
         .tf = {[RP_F_TITLE] = 1, [RP_F_BODY] = 2},
         .pos = {0, 4, 7},
         .npos = 3},
        {.doc = 11, .tf = {[RP_F_PLACE] = 1}, .pos = {1}, .npos = 1},
    };
    want sleep[2] = {
        {.doc = 3, .tf = {[RP_F_BODY] = 1}, .pos = {5}, .npos = 1},
        {.doc = 10,
         .tf = {[RP_F_TITLE] = 1, [RP_F_TAGS] = 2},
         .pos = {2, 2, 9},
         .npos = 3},
    };
    expect_postings(s, "calm", calm, 2);
    expect_postings(s, "sleep", sleep, 2);
    size_t len;
    uint32_t df;
    ASSERT_MEM_EQ(rp_segment_term(s, 0, &len, &df), len, "calm");
    ASSERT_MEM_EQ(rp_segment_term(s, 1, &len, &df), len, "sleep");
    rp_segment_free(s);
}

static void test_term_byte_order(void)
{
    /* Added in a scrambled order; several are prefixes of others, some
     * hold NUL or bytes >= 0x80 (which sort after all ASCII). */
    static const struct {
        const char *b;
        size_t len;
    } added[] = {
        {"b", 1},    {"abc", 3},      {"ab", 2},       {"\xff", 1},
        {"a", 1},    {"\x80z", 2},    {"Z", 1},        {"a\0", 2},
        {"\x80", 1}, {"abcd", 4},     {"a\0\0", 3},    {"\x7f", 1},
        {"0", 1},    {"\xc3\xa9", 2}, {"\xff\xff", 2}, {"ab\xff", 3},
    };
    static const struct {
        const char *b;
        size_t len;
    } sorted[] = {
        {"0", 1},      {"Z", 1},        {"a", 1},    {"a\0", 2},
        {"a\0\0", 3},  {"ab", 2},       {"abc", 3},  {"abcd", 4},
        {"ab\xff", 3}, {"b", 1},        {"\x7f", 1}, {"\x80", 1},
        {"\x80z", 2},  {"\xc3\xa9", 2}, {"\xff", 1}, {"\xff\xff", 2},
    };
    size_t n = sizeof added / sizeof added[0];
    ASSERT_EQ(n, sizeof sorted / sizeof sorted[0]);
    rp_segment *s = seg_new();
    ASSERT_OK(rp_segment_begin(s, 1));
    for (size_t i = 0; i < n; i++)
        ASSERT_OK(
            rp_segment_add(s, added[i].b, added[i].len, RP_F_BODY, (rp_pos)i));
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_begin(s, 2));
    ASSERT_OK(rp_segment_add(s, "ab", 2, RP_F_TITLE, 0));
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_finish(s));
    ASSERT_OK(rp_segment_finish(s)); /* a second call changes nothing */
    ASSERT_EQ(rp_segment_nterms(s), n);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint32_t df;
        const char *t = rp_segment_term(s, i, &len, &df);
        ASSERT_EQ(len, sorted[i].len);
        if (memcmp(t, sorted[i].b, len) != 0)
            T_FAIL("term %zu: got \"%.*s\"", i, (int)len, t);
        ASSERT_EQ(df, len == 2 && memcmp(t, "ab", 2) == 0 ? 2 : 1);
    }
    rp_segment_free(s);
}

static void test_positions_sorted(void)
{
    rp_segment *s = seg_new();
    ASSERT_OK(rp_segment_begin(s, 5));
    rp_pos in[] = {9, 2, 5, 2, 100, 0, UINT32_MAX, 99};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        add(s, "worry", i % 2 ? RP_F_BODY : RP_F_SUMMARY, in[i]);
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_finish(s));
    want w[1] = {{.doc = 5,
                  .tf = {[RP_F_SUMMARY] = 4, [RP_F_BODY] = 4},
                  .pos = {0, 2, 2, 5, 9, 99, 100, UINT32_MAX},
                  .npos = 8}};
    expect_postings(s, "worry", w, 1);
    rp_segment_free(s);
}

static void test_invalid_arguments(void)
{
    rp_segment *s = seg_new();
    char term[RP_TERM_MAX_BYTES + 1];
    memset(term, 'k', sizeof term);

    ASSERT_EQ(rp_segment_add(s, "x", 1, 0, 0), RP_EINVAL); /* no begin */
    ASSERT_EQ(rp_segment_begin(s, 0), RP_EINVAL);          /* ids are 1-based */
    ASSERT_OK(rp_segment_begin(s, 7));
    ASSERT_EQ(rp_segment_add(s, "x", 0, 0, 0), RP_EINVAL);
    ASSERT_EQ(rp_segment_add(s, term, RP_TERM_MAX_BYTES + 1, 0, 0), RP_EINVAL);
    ASSERT_OK(rp_segment_add(s, term, RP_TERM_MAX_BYTES, 0, 0));
    ASSERT_EQ(rp_segment_add(s, "x", 1, -1, 0), RP_EINVAL);
    ASSERT_EQ(rp_segment_add(s, "x", 1, RP_NFIELDS, 0), RP_EINVAL);
    ASSERT_EQ(rp_segment_add(s, "x", 1, 1000, 0), RP_EINVAL);
    ASSERT_OK(rp_segment_add(s, "x", 1, RP_NFIELDS - 1, 0));
    ASSERT_OK(rp_segment_end(s));
    ASSERT_EQ(rp_segment_add(s, "x", 1, 0, 1), RP_EINVAL); /* after end */
    ASSERT_EQ(rp_segment_begin(s, 7), RP_EINVAL);          /* same id */
    ASSERT_EQ(rp_segment_begin(s, 6), RP_EINVAL);          /* lower id */
    ASSERT_OK(rp_segment_begin(s, 8));
    ASSERT_OK(rp_segment_end(s));
    ASSERT_EQ(rp_segment_begin(s, 8), RP_EINVAL);
    ASSERT_EQ(rp_segment_begin(s, 1), RP_EINVAL);
    ASSERT_OK(rp_segment_finish(s));
    ASSERT_EQ(rp_segment_begin(s, 9), RP_EINVAL); /* after finish */
    ASSERT_EQ(rp_segment_add(s, "x", 1, 0, 1), RP_EINVAL);

    /* Only the valid occurrences were recorded: "kkk..." (64 bytes) and
     * "x" in field 7, each once in document 7; document 8 was empty. */
    ASSERT_EQ(rp_segment_nterms(s), 2);
    ASSERT_EQ(rp_segment_npostings(s), 2);
    size_t len;
    uint32_t df;
    rp_segment_term(s, 0, &len, &df);
    ASSERT_EQ(len, RP_TERM_MAX_BYTES);
    ASSERT_EQ(df, 1);
    want w[1] = {
        {.doc = 7, .tf = {[RP_NFIELDS - 1] = 1}, .pos = {0}, .npos = 1}};
    expect_postings(s, "x", w, 1);
    rp_segment_free(s);
    rp_segment_free(NULL);
}

static void test_empty_segment(void)
{
    rp_segment *s = seg_new();
    ASSERT_OK(rp_segment_finish(s));
    ASSERT_EQ(rp_segment_nterms(s), 0);
    ASSERT_EQ(rp_segment_npostings(s), 0);
    rp_segment_free(s);
    s = seg_new();
    ASSERT_OK(rp_segment_begin(s, 1));
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_finish(s));
    ASSERT_EQ(rp_segment_nterms(s), 0);
    rp_segment_free(s);
}

static void test_large_docids(void)
{
    rp_segment *s = seg_new();
    rp_docid ids[] = {1, (rp_docid)1 << 31, UINT32_MAX - 1, UINT32_MAX};
    for (size_t i = 0; i < 4; i++) {
        ASSERT_OK(rp_segment_begin(s, ids[i]));
        add(s, "far", RP_F_AUTHOR, (rp_pos)i);
        if (i % 2)
            add(s, "odd", RP_F_TAGS, UINT32_MAX);
        ASSERT_OK(rp_segment_end(s));
    }
    ASSERT_EQ(rp_segment_begin(s, UINT32_MAX), RP_EINVAL);
    ASSERT_OK(rp_segment_finish(s));
    want far[4], odd[2];
    memset(far, 0, sizeof far);
    memset(odd, 0, sizeof odd);
    for (size_t i = 0; i < 4; i++) {
        far[i].doc = ids[i];
        far[i].tf[RP_F_AUTHOR] = 1;
        far[i].pos[0] = (rp_pos)i;
        far[i].npos = 1;
        if (i % 2) {
            odd[i / 2].doc = ids[i];
            odd[i / 2].tf[RP_F_TAGS] = 1;
            odd[i / 2].pos[0] = UINT32_MAX;
            odd[i / 2].npos = 1;
        }
    }
    expect_postings(s, "far", far, 4);
    expect_postings(s, "odd", odd, 2);
    rp_segment_free(s);
}

/* tf saturates at RP_TF_MAX per field; the positions kept match the tf and
 * other fields are unaffected. */
static void test_tf_saturation(void)
{
    rp_segment *s = seg_new();
    ASSERT_OK(rp_segment_begin(s, 1));
    for (rp_pos i = 0; i < 70000; i++)
        add(s, "again", RP_F_TAGS, i);
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_begin(s, 2));
    for (rp_pos i = 0; i < 70000; i++)
        add(s, "again", RP_F_BODY, 200000 - i); /* descending */
    add(s, "again", RP_F_TITLE, 5);
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_finish(s));

    rp_segreader r;
    rp_segreader_init(&r);
    rp_segment_reader(s, find_term(s, "again", 5), &r);
    rp_posting p;
    ASSERT_EQ(rp_segreader_next(&r, &p), 1);
    ASSERT_EQ(p.doc, 1);
    for (int f = 0; f < RP_NFIELDS; f++)
        ASSERT_EQ(p.tf[f], f == RP_F_TAGS ? RP_TF_MAX : 0);
    ASSERT_EQ(p.npos, RP_TF_MAX);
    for (uint32_t j = 0; j < p.npos; j++) {
        ASSERT(p.pos[j] < 70000);
        if (j > 0)
            ASSERT(p.pos[j] > p.pos[j - 1]); /* distinct inputs */
    }

    ASSERT_EQ(rp_segreader_next(&r, &p), 1);
    ASSERT_EQ(p.doc, 2);
    for (int f = 0; f < RP_NFIELDS; f++)
        ASSERT_EQ(p.tf[f], f == RP_F_BODY    ? RP_TF_MAX
                           : f == RP_F_TITLE ? 1
                                             : 0);
    ASSERT_EQ(p.npos, RP_TF_MAX + 1);
    ASSERT_EQ(p.pos[0], 5); /* the title occurrence */
    for (uint32_t j = 1; j < p.npos; j++) {
        ASSERT(p.pos[j] > 200000 - 70000 && p.pos[j] <= 200000);
        if (j > 1)
            ASSERT(p.pos[j] > p.pos[j - 1]);
    }
    ASSERT_EQ(rp_segreader_next(&r, &p), 0);
    rp_segreader_fini(&r);
    ASSERT(r.pos == NULL && r.cap == 0 && r.p == NULL);
    rp_segreader_fini(NULL);
    rp_segment_free(s);
}

/* rp_segment_end with no open document (here: a second end, or one before
 * any begin) is RP_EINVAL and must not record the last document again. */
static void test_end_twice(void)
{
    rp_segment *s = seg_new();
    ASSERT_EQ(rp_segment_end(s), RP_EINVAL);
    ASSERT_OK(rp_segment_begin(s, 4));
    add(s, "once", RP_F_BODY, 3);
    ASSERT_OK(rp_segment_end(s));
    ASSERT_EQ(rp_segment_end(s), RP_EINVAL);
    ASSERT_EQ(rp_segment_npostings(s), 1);
    ASSERT_OK(rp_segment_begin(s, 9));
    add(s, "twice", RP_F_BODY, 1);
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_finish(s));
    want w[1] = {{.doc = 4, .tf = {[RP_F_BODY] = 1}, .pos = {3}, .npos = 1}};
    expect_postings(s, "once", w, 1);
    rp_segment_free(s);
}

/* rp_segment_finish while a document is still open is RP_EINVAL and
 * changes nothing: the document can still be ended and finished. After
 * finish nothing more can be added, so the sorted term list stays
 * complete. */
static void test_finish_with_open_document(void)
{
    rp_segment *s = seg_new();
    ASSERT_OK(rp_segment_begin(s, 1));
    add(s, "open", RP_F_BODY, 0);
    ASSERT_EQ(rp_segment_finish(s), RP_EINVAL);
    add(s, "open", RP_F_TITLE, 1); /* the document is still open */
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_finish(s));
    ASSERT_EQ(rp_segment_add(s, "late", 4, RP_F_BODY, 1), RP_EINVAL);
    ASSERT_EQ(rp_segment_begin(s, 2), RP_EINVAL);
    ASSERT_EQ(rp_segment_nterms(s), 1);
    want w[1] = {{.doc = 1,
                  .tf = {[RP_F_TITLE] = 1, [RP_F_BODY] = 1},
                  .pos = {0, 1},
                  .npos = 2}};
    expect_postings(s, "open", w, 1);
    rp_segment_free(s);
}

static int cmp_cstr(const void *a, const void *b)
{
    const unsigned char *x = *(const unsigned char *const *)a;
    const unsigned char *y = *(const unsigned char *const *)b;
    while (*x && *x == *y) {
        x++;
        y++;
    }
    return (*x > *y) - (*x < *y);
}

/* Far more distinct terms than the initial hash table holds, so it must
 * grow several times; every term keeps its postings. */
static void test_many_terms(void)
{
    enum { N = 20000 };
    char(*terms)[16] = malloc(N * sizeof *terms);
    const char **order = malloc(N * sizeof *order);
    ASSERT(terms != NULL && order != NULL);
    uint64_t seed = 0xBB67AE8584CAA73Bull;
    for (size_t i = 0; i < N; i++) {
        /* Distinct by construction: the index in hex, then noise. */
        snprintf(terms[i], sizeof terms[i], "%04zx%c", i,
                 (char)('a' + t_rand(&seed) % 26));
        order[i] = terms[i];
    }
    rp_segment *s = seg_new();
    for (rp_docid d = 1; d <= 3; d++) {
        ASSERT_OK(rp_segment_begin(s, d));
        for (size_t i = 0; i < N; i++)
            if (i % 3 < d) /* term i is in documents i % 3 + 1 .. 3 */
                add(s, terms[i], (int)(i % RP_NFIELDS), (rp_pos)i);
        ASSERT_OK(rp_segment_end(s));
    }
    ASSERT_OK(rp_segment_finish(s));
    ASSERT_EQ(rp_segment_nterms(s), N);
    qsort(order, N, sizeof *order, cmp_cstr);
    rp_segreader r;
    rp_segreader_init(&r);
    for (size_t i = 0; i < N; i++) {
        size_t len;
        uint32_t df;
        const char *t = rp_segment_term(s, i, &len, &df);
        ASSERT_MEM_EQ(t, len, order[i]);
        size_t idx = (size_t)(order[i] - terms[0]) / sizeof terms[0];
        ASSERT_EQ(df, 3 - idx % 3);
        rp_segment_reader(s, i, &r);
        rp_posting p;
        for (rp_docid d = (rp_docid)(idx % 3) + 1; d <= 3; d++) {
            ASSERT_EQ(rp_segreader_next(&r, &p), 1);
            ASSERT_EQ(p.doc, d);
            ASSERT_EQ(p.npos, 1);
            ASSERT_EQ(p.pos[0], idx);
            ASSERT_EQ(p.tf[idx % RP_NFIELDS], 1);
        }
        ASSERT_EQ(rp_segreader_next(&r, &p), 0);
    }
    rp_segreader_fini(&r);
    rp_segment_free(s);
    free(order);
    free(terms);
}

/* ---- The model for the random corpus. ---- */

typedef struct mterm {
    unsigned char b[RP_TERM_MAX_BYTES];
    size_t len;
    size_t rank; /* position in byte order among the vocabulary */
} mterm;

typedef struct mocc {
    uint32_t term; /* vocabulary index */
    rp_docid doc;
    int field;
    rp_pos pos;
} mocc;

typedef struct corpus {
    mterm *voc;
    size_t nvoc;
    mocc *occ;
    size_t nocc, capocc;
} corpus;

/* Byte order written out by hand: unsigned bytes, a prefix first. */
static int term_less(const mterm *a, const mterm *b)
{
    for (size_t i = 0; i < a->len && i < b->len; i++)
        if (a->b[i] != b->b[i])
            return a->b[i] < b->b[i];
    return a->len < b->len;
}

static void make_vocab(uint64_t *s, corpus *c, size_t n)
{
    /* A small alphabet makes shared prefixes common. */
    static const unsigned char alpha[] = {'a',  'b',  'e',  'z', 0x00,
                                          0x7f, 0x80, 0xc3, 0xff};
    c->voc = calloc(n, sizeof *c->voc);
    ASSERT(c->voc != NULL);
    c->nvoc = 0;
    while (c->nvoc < n) {
        mterm t;
        memset(&t, 0, sizeof t);
        if (c->nvoc > 0 && t_rand(s) % 3 == 0) {
            /* Extend or cut an earlier term, to get prefix pairs. */
            const mterm *o = &c->voc[t_rand(s) % c->nvoc];
            t = *o;
            if (t.len < RP_TERM_MAX_BYTES && (t_rand(s) % 2 || t.len == 1))
                t.b[t.len++] = alpha[t_rand(s) % sizeof alpha];
            else
                t.len--;
        } else {
            uint64_t r = t_rand(s) % 10;
            t.len = r < 7 ? (size_t)rnd_in(s, 1, 6)
                          : (size_t)rnd_in(s, 1, RP_TERM_MAX_BYTES);
            for (size_t i = 0; i < t.len; i++)
                t.b[i] = alpha[t_rand(s) % sizeof alpha];
        }
        int dup = 0;
        for (size_t i = 0; i < c->nvoc && !dup; i++)
            dup =
                c->voc[i].len == t.len && memcmp(c->voc[i].b, t.b, t.len) == 0;
        if (!dup)
            c->voc[c->nvoc++] = t;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = 0;
        for (size_t j = 0; j < n; j++)
            r += term_less(&c->voc[j], &c->voc[i]);
        c->voc[i].rank = r;
    }
}

static void model_add(corpus *c, uint32_t term, rp_docid doc, int field,
                      rp_pos pos)
{
    if (c->nocc == c->capocc) {
        c->capocc = c->capocc ? c->capocc * 2 : 1024;
        c->occ = realloc(c->occ, c->capocc * sizeof *c->occ);
        ASSERT(c->occ != NULL);
    }
    mocc *o = &c->occ[c->nocc++];
    o->term = term;
    o->doc = doc;
    o->field = field;
    o->pos = pos;
}

/* Sorting key for the model: term rank (copied from the vocabulary), then
 * document, then position. */
typedef struct mkey {
    size_t rank;
    rp_docid doc;
    rp_pos pos;
    int field;
} mkey;

static int cmp_mkey(const void *a, const void *b)
{
    const mkey *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->doc != y->doc)
        return x->doc < y->doc ? -1 : 1;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return 0;
}

/* A posting copied out of the segment reader (whose buffer is reused). */
typedef struct gotp {
    rp_posting p;
    rp_pos *pos; /* owned copy */
} gotp;

/* Pushes one term's postings through the block codec, 128 at a time, and
 * checks that they decode unchanged. */
static void through_blocks(const gotp *g, size_t n)
{
    rp_pos *out = malloc(((size_t)RP_TF_MAX * RP_NFIELDS) * sizeof *out);
    ASSERT(out != NULL);
    for (size_t at = 0; at < n; at += RP_BLOCK_DOCS) {
        size_t k = n - at < RP_BLOCK_DOCS ? n - at : RP_BLOCK_DOCS;
        rp_posting ps[RP_BLOCK_DOCS];
        for (size_t i = 0; i < k; i++)
            ps[i] = g[at + i].p;
        rp_buf enc = RP_BUF_INIT;
        ASSERT_OK(rp_block_encode(ps, k, &enc));
        rp_blockhdr h;
        ASSERT_OK(rp_block_header(enc.data, enc.len, &h));
        ASSERT_EQ(h.n, k);
        rp_docid docs[RP_BLOCK_DOCS];
        uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
        uint32_t total[RP_BLOCK_DOCS];
        ASSERT_OK(rp_block_docs(&h, docs));
        ASSERT_OK(rp_block_tfs(&h, tf, total));
        rp_poscursor c;
        rp_poscursor_init(&c, &h);
        for (uint32_t i = 0; i < k; i++) {
            ASSERT_EQ(docs[i], ps[i].doc);
            for (int f = 0; f < RP_NFIELDS; f++)
                ASSERT_EQ(tf[i * RP_NFIELDS + f], ps[i].tf[f]);
            uint32_t np;
            ASSERT_OK(rp_block_positions(&c, total, i, out, total[i], &np));
            ASSERT_EQ(np, ps[i].npos);
            ASSERT(memcmp(out, ps[i].pos, np * sizeof(rp_pos)) == 0);
        }
        rp_buf_fini(&enc);
    }
    free(out);
}

/* Compares the whole segment with the model (no saturation in it). */
static void check_model(const rp_segment *s, const corpus *c)
{
    mkey *keys = malloc((c->nocc ? c->nocc : 1) * sizeof *keys);
    ASSERT(keys != NULL);
    for (size_t i = 0; i < c->nocc; i++) {
        keys[i].rank = c->voc[c->occ[i].term].rank;
        keys[i].doc = c->occ[i].doc;
        keys[i].pos = c->occ[i].pos;
        keys[i].field = c->occ[i].field;
    }
    qsort(keys, c->nocc, sizeof *keys, cmp_mkey);
    /* Map rank back to vocabulary index. */
    size_t *byrank = malloc(c->nvoc * sizeof *byrank);
    ASSERT(byrank != NULL);
    for (size_t i = 0; i < c->nvoc; i++)
        byrank[c->voc[i].rank] = i;

    rp_segreader r;
    rp_segreader_init(&r);
    size_t ti = 0, k = 0;
    uint64_t npostings = 0;
    gotp *got = NULL;
    size_t capgot = 0;
    while (k < c->nocc) {
        size_t rank = keys[k].rank;
        const mterm *t = &c->voc[byrank[rank]];
        ASSERT(ti < rp_segment_nterms(s));
        size_t len;
        uint32_t df;
        const char *b = rp_segment_term(s, ti, &len, &df);
        ASSERT_EQ(len, t->len);
        ASSERT(memcmp(b, t->b, len) == 0);
        rp_segment_reader(s, ti, &r);
        uint32_t mdf = 0;
        size_t ngot = 0;
        while (k < c->nocc && keys[k].rank == rank) {
            rp_docid doc = keys[k].doc;
            uint16_t tf[RP_NFIELDS] = {0};
            size_t start = k;
            while (k < c->nocc && keys[k].rank == rank && keys[k].doc == doc)
                tf[keys[k++].field]++;
            rp_posting p;
            ASSERT_EQ(rp_segreader_peek(&r), doc);
            ASSERT_EQ(rp_segreader_next(&r, &p), 1);
            ASSERT_EQ(p.doc, doc);
            for (int f = 0; f < RP_NFIELDS; f++)
                ASSERT_EQ(p.tf[f], tf[f]);
            ASSERT_EQ(p.npos, k - start);
            for (size_t j = 0; j < p.npos; j++)
                ASSERT_EQ(p.pos[j], keys[start + j].pos);
            if (ngot == capgot) {
                capgot = capgot ? capgot * 2 : 64;
                got = realloc(got, capgot * sizeof *got);
                ASSERT(got != NULL);
            }
            got[ngot].p = p;
            got[ngot].pos = malloc(p.npos * sizeof(rp_pos));
            ASSERT(got[ngot].pos != NULL);
            memcpy(got[ngot].pos, p.pos, p.npos * sizeof(rp_pos));
            got[ngot].p.pos = got[ngot].pos;
            ngot++;
            mdf++;
        }
        rp_posting p;
        ASSERT_EQ(rp_segreader_peek(&r), 0);
        ASSERT_EQ(rp_segreader_next(&r, &p), 0);
        ASSERT_EQ(df, mdf);
        npostings += mdf;
        through_blocks(got, ngot);
        for (size_t i = 0; i < ngot; i++)
            free(got[i].pos);
        ti++;
    }
    ASSERT_EQ(rp_segment_nterms(s), ti);
    ASSERT_EQ(rp_segment_npostings(s), npostings);
    rp_segreader_fini(&r);
    free(got);
    free(byrank);
    free(keys);
}

/* Occurrences queued for rp_segment_add_many: a run of one field. */
typedef struct pending {
    rp_segocc occ[128];
    size_t n, cap; /* cap: this run's length, 1..128 */
    int field;
} pending;

static void pending_flush(rp_segment *s, pending *q)
{
    ASSERT_OK(rp_segment_add_many(s, q->occ, q->n, q->field));
    q->n = 0;
}

/* A random corpus, checked against a model. batched: occurrences go in
 * through rp_segment_add_many, in runs of random length (1..128, so both
 * shorter and longer than its look-ahead) that end at field changes. */
static void random_corpus(int batched)
{
    uint64_t seed = 0x6A09E667F3BCC908ull;
    corpus c;
    memset(&c, 0, sizeof c);
    make_vocab(&seed, &c, 300);
    rp_segment *s = seg_new();
    pending q;
    q.n = 0;
    rp_docid doc = 0;
    for (int d = 0; d < 2000; d++) {
        doc += (rp_docid)(d % 10 == 0 ? rnd_in(&seed, 1, 100000)
                                      : rnd_in(&seed, 1, 3));
        ASSERT_OK(rp_segment_begin(s, doc));
        size_t ntok = (size_t)rnd_in(&seed, 0, 80);
        rp_pos pos = d % 50 == 0 ? UINT32_MAX - 200 : 0;
        int shuffle = d % 7 == 0;
        for (size_t i = 0; i < ntok; i++) {
            /* Skewed choice: low indices are frequent. */
            uint32_t t = (uint32_t)(t_rand(&seed) % (1 + t_rand(&seed) % c.nvoc));
            int field = (int)(i * RP_NFIELDS / (ntok ? ntok : 1));
            if (t_rand(&seed) % 5 == 0)
                field = (int)(t_rand(&seed) % RP_NFIELDS);
            /* Shuffled documents add positions in random order. */
            rp_pos p = shuffle ? pos + (rp_pos)rnd_in(&seed, 0, 150) : pos;
            if (!shuffle && t_rand(&seed) % 4)
                pos++; /* else the next token repeats this position */
            if (!batched) {
                ASSERT_OK(rp_segment_add(s, (const char *)c.voc[t].b,
                                         c.voc[t].len, field, p));
            } else {
                if (q.n > 0 && (q.field != field || q.n == q.cap))
                    pending_flush(s, &q);
                if (q.n == 0) {
                    q.field = field;
                    q.cap = (size_t)rnd_in(&seed, 1, 128);
                }
                q.occ[q.n].term = (const char *)c.voc[t].b;
                q.occ[q.n].len = (uint32_t)c.voc[t].len;
                q.occ[q.n++].pos = p;
            }
            model_add(&c, t, doc, field, p);
        }
        if (q.n > 0)
            pending_flush(s, &q);
        ASSERT_OK(rp_segment_end(s));
    }
    ASSERT_OK(rp_segment_finish(s));
    check_model(s, &c);
    rp_segment_free(s);
    free(c.voc);
    free(c.occ);
}

static void test_random_corpus(void)
{
    random_corpus(0);
}

/* rp_segment_add_many gives exactly what rp_segment_add gives. */
static void test_random_corpus_batched(void)
{
    random_corpus(1);
}

/* A run is checked like single adds: a bad occurrence fails it, and those
 * before it are in. */
static void test_add_many_invalid(void)
{
    rp_segment *s = seg_new();
    ASSERT_OK(rp_segment_begin(s, 1));
    char longterm[RP_TERM_MAX_BYTES + 1];
    memset(longterm, 'x', sizeof longterm);
    rp_segocc run[3] = {{"alpha", 5, 0}, {longterm, sizeof longterm, 1},
                        {"gamma", 5, 2}};
    ASSERT_EQ(rp_segment_add_many(s, run, 3, 0), RP_EINVAL);
    ASSERT_EQ(rp_segment_add_many(s, run, 1, RP_NFIELDS), RP_EINVAL);
    ASSERT_OK(rp_segment_add_many(s, run, 0, 0));
    ASSERT_OK(rp_segment_end(s));
    ASSERT_OK(rp_segment_finish(s));
    ASSERT_EQ(rp_segment_nterms(s), 1);
    want w[] = {{1, {1}, {0}, 1}};
    expect_postings(s, "alpha", w, 1);
    rp_segment_free(s);
}

/* Reading in batches (rp_segreader_read) gives the postings one-at-a-time
 * reading gives, for every batch size; the positions of a batch's first
 * posting stay right after the reader's buffer grew for later ones (where
 * realloc moves the buffer, as it always does under `make asan`, a pointer
 * taken before the growth fails here as a use after free). */
static void test_read_batches(void)
{
    uint64_t seed = 0x510E527FADE682D1ull;
    rp_segment *s = seg_new();
    const char *terms[] = {"anchor", "bond", "care", "drift", "ease"};
    for (rp_docid d = 1; d <= 400; d++) {
        ASSERT_OK(rp_segment_begin(s, d));
        rp_pos pos = 0;
        for (size_t t = 0; t < 5; t++) {
            /* Term t in about half the documents, up to 40 times. */
            if (t_rand(&seed) % 2)
                continue;
            size_t n = (size_t)rnd_in(&seed, 1, 40);
            for (size_t k = 0; k < n; k++)
                add(s, terms[t], (int)(k % RP_NFIELDS), pos++);
        }
        ASSERT_OK(rp_segment_end(s));
    }
    ASSERT_OK(rp_segment_finish(s));
    enum { MAXP = 400 };
    rp_posting *one = malloc(MAXP * sizeof *one);
    rp_pos(*pos)[64] = malloc(MAXP * sizeof *pos);
    rp_posting *got = malloc(MAXP * sizeof *got);
    ASSERT(one != NULL && pos != NULL && got != NULL);
    const size_t sizes[] = {1, 2, 3, 7, 64, MAXP};
    for (size_t ti = 0; ti < rp_segment_nterms(s); ti++) {
        rp_segreader r;
        rp_segreader_init(&r);
        rp_segment_reader(s, ti, &r);
        size_t n = 0;
        while (rp_segreader_next(&r, &one[n]) == 1) {
            ASSERT(one[n].npos <= 64);
            memcpy(pos[n], one[n].pos, one[n].npos * sizeof(rp_pos));
            n++;
        }
        rp_segreader_fini(&r);
        ASSERT(n > 100);
        for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
            rp_segreader_init(&r); /* a fresh buffer, to be grown */
            rp_segment_reader(s, ti, &r);
            size_t at = 0;
            int m;
            while ((m = rp_segreader_read(&r, got, sizes[z])) > 0) {
                ASSERT((size_t)m <= sizes[z]);
                for (int k = 0; k < m; k++, at++) {
                    ASSERT(at < n);
                    ASSERT_EQ(got[k].doc, one[at].doc);
                    ASSERT_EQ(got[k].npos, one[at].npos);
                    for (int f = 0; f < RP_NFIELDS; f++)
                        ASSERT_EQ(got[k].tf[f], one[at].tf[f]);
                    for (uint32_t j = 0; j < got[k].npos; j++)
                        ASSERT_EQ(got[k].pos[j], pos[at][j]);
                }
            }
            ASSERT_EQ(m, 0);
            ASSERT_EQ(at, n);
            ASSERT_EQ(rp_segreader_read(&r, got, sizes[z]), 0);
            rp_segreader_fini(&r);
        }
    }
    free(one);
    free(pos);
    free(got);
    rp_segment_free(s);
}

static const t_case cases[] = {
    T(test_basic_postings),
    T(test_term_byte_order),
    T(test_positions_sorted),
    T(test_invalid_arguments),
    T(test_empty_segment),
    T(test_large_docids),
    T(test_tf_saturation),
    T(test_end_twice),
    T(test_finish_with_open_document),
    T(test_many_terms),
    T(test_random_corpus),
    T(test_random_corpus_batched),
    T(test_add_many_invalid),
    T(test_read_batches),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * test_postings: the posting block codec. A hand-assembled block pins the
 * documented byte layout; seeded random blocks (docid gaps up to 2^31, ids
 * up to UINT32_MAX, short and extended field/tf forms, tf up to 65535,
 * repeated positions) must decode to exactly what was encoded; encoder
 * contract violations give RP_EINVAL; and every truncation and many byte
 * flips of encoded blocks must give 0 or RP_ECORRUPT and never a crash
 * (run under AddressSanitizer to make that a proof, not a hope).
 */
#include "t.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/buf.h"
#include "rapport/error.h"
#include "rapport/postings.h"


/* A value in lo..hi inclusive. */
static uint64_t rnd_in(uint64_t *s, uint64_t lo, uint64_t hi)
{
    return lo + t_rand(s) % (hi - lo + 1);
}

/* A block as the test builds it: postings plus the positions they point
 * into (owned). */
typedef struct blk {
    size_t n;
    rp_posting p[RP_BLOCK_DOCS];
    rp_pos *pos;
} blk;

static void blk_free(blk *b)
{
    free(b->pos);
    memset(b, 0, sizeof *b);
}

enum { GAP_DENSE, GAP_SMALL, GAP_MEDIUM, GAP_HUGE, GAP_MIXED, GAP_MODES };
enum { TF_SHORT, TF_SINGLE_BIG, TF_MULTI, TF_MIXED, TF_ALL, TF_MODES };

static uint32_t gen_gap(uint64_t *s, int mode)
{
    if (mode == GAP_MIXED)
        mode = (int)rnd_in(s, GAP_DENSE, GAP_HUGE);
    switch (mode) {
    case GAP_DENSE:
        return 1;
    case GAP_SMALL:
        return (uint32_t)rnd_in(s, 1, 16);
    case GAP_MEDIUM:
        return (uint32_t)rnd_in(s, 1, 70000);
    default:
        /* Half the time exactly 2^31, the largest gap the brief names. */
        return t_rand(s) % 2 ? (uint32_t)1 << 31
                          : (uint32_t)rnd_in(s, 1, (uint64_t)1 << 31);
    }
}

/* Fills tf[] for one posting: big allows one huge tf (up to 65535), and
 * small keeps the extended single-field form at tf 16..20. */
static void gen_tf(uint64_t *s, int mode, int big, int small,
                   uint16_t tf[RP_NFIELDS])
{
    memset(tf, 0, sizeof(uint16_t) * RP_NFIELDS);
    if (mode == TF_MIXED)
        mode = (int)rnd_in(s, TF_SHORT, TF_ALL);
    switch (mode) {
    case TF_SHORT:
        tf[rnd_in(s, 0, RP_NFIELDS - 1)] = (uint16_t)rnd_in(s, 1, 15);
        break;
    case TF_SINGLE_BIG:
        tf[rnd_in(s, 0, RP_NFIELDS - 1)] =
            (uint16_t)(big     ? rnd_in(s, 16, RP_TF_MAX)
                       : small ? rnd_in(s, 16, 20)
                               : rnd_in(s, 16, 300));
        break;
    case TF_MULTI: {
        unsigned k = (unsigned)rnd_in(s, 2, 4);
        for (unsigned i = 0; i < k; i++)
            tf[rnd_in(s, 0, RP_NFIELDS - 1)] = (uint16_t)rnd_in(s, 1, 20);
        break;
    }
    default:
        for (unsigned f = 0; f < RP_NFIELDS; f++)
            tf[f] = (uint16_t)rnd_in(s, 1, 5);
        break;
    }
    if (big && mode != TF_SINGLE_BIG)
        tf[rnd_in(s, 0, RP_NFIELDS - 1)] = RP_TF_MAX;
}

enum { SIZE_SMALL, SIZE_NORMAL, SIZE_HUGE_TF };

/*
 * Builds a random block. n_hint 0 picks n at random; gap and tf modes
 * below 0 are picked at random too. size is SIZE_SMALL (tf at most 20),
 * SIZE_NORMAL (at most 300) or SIZE_HUGE_TF (one posting may reach 65535).
 * Ids never wrap and are >= 1; a quarter of the blocks end exactly at
 * UINT32_MAX.
 */
static void gen_block(uint64_t *s, size_t n_hint, int gmode, int tmode,
                      int size, blk *b)
{
    memset(b, 0, sizeof *b);
    size_t n = n_hint;
    if (n == 0) {
        uint64_t r = t_rand(s) % 8;
        n = r == 0 ? 1 : r == 1 ? RP_BLOCK_DOCS : (size_t)rnd_in(s, 1, 128);
    }
    b->n = n;
    if (gmode < 0)
        gmode = (int)rnd_in(s, 0, GAP_MODES - 1);
    if (tmode < 0)
        tmode = (int)rnd_in(s, 0, TF_MODES - 1);

    uint32_t gaps[RP_BLOCK_DOCS];
    uint64_t sum = 0;
    for (size_t i = 1; i < n; i++) {
        gaps[i] = gen_gap(s, gmode);
        sum += gaps[i];
    }
    /* Halve the largest gaps until the ids fit below UINT32_MAX. */
    while (sum > (uint64_t)UINT32_MAX - 1) {
        size_t m = 1;
        for (size_t i = 2; i < n; i++)
            if (gaps[i] > gaps[m])
                m = i;
        uint32_t h = gaps[m] / 2 ? gaps[m] / 2 : 1;
        sum -= gaps[m] - h;
        gaps[m] = h;
    }
    uint64_t room = (uint64_t)UINT32_MAX - sum; /* largest first id */
    uint64_t r = t_rand(s) % 4;
    rp_docid first = r == 0   ? (rp_docid)room
                     : r == 1 ? 1
                              : (rp_docid)rnd_in(s, 1, room);
    b->p[0].doc = first;
    for (size_t i = 1; i < n; i++)
        b->p[i].doc = b->p[i - 1].doc + gaps[i];

    size_t bigone = size == SIZE_HUGE_TF && t_rand(s) % 3 == 0
                        ? (size_t)(t_rand(s) % n)
                        : SIZE_MAX;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        gen_tf(s, tmode, i == bigone, size == SIZE_SMALL, b->p[i].tf);
        uint32_t t = 0;
        for (int f = 0; f < RP_NFIELDS; f++) {
            t += b->p[i].tf[f];
            /* Field lengths (the score frontier reads them): at least the
             * tf, saturating like the norms. */
            uint64_t len = b->p[i].tf[f] + t_rand(s) % 3000;
            b->p[i].len[f] = (uint16_t)(len > 65535 ? 65535 : len);
        }
        b->p[i].npos = t;
        total += t;
    }
    b->pos = malloc(total * sizeof(rp_pos));
    ASSERT(b->pos != NULL);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t np = b->p[i].npos;
        rp_pos *pp = b->pos + at;
        uint64_t pm = t_rand(s) % 4;
        uint64_t maxgap = pm == 0 ? 1 : pm == 1 ? 3 : pm == 2 ? 1000 : 3;
        uint64_t start =
            pm == 3 ? (uint64_t)UINT32_MAX - (uint64_t)np * 3 - rnd_in(s, 0, 50)
            : t_rand(s) % 2 ? 0
                         : rnd_in(s, 0, 100000);
        uint64_t cur = start;
        for (uint32_t j = 0; j < np; j++) {
            if (j > 0)
                cur += rnd_in(s, 0, maxgap); /* 0: equal positions */
            ASSERT(cur <= UINT32_MAX);
            pp[j] = (rp_pos)cur;
        }
        b->p[i].pos = pp;
        at += np;
    }
}

/* Encodes b into a fresh buffer, asserting success. */
static void encode_ok(const blk *b, rp_buf *out)
{
    rp_buf_init(out);
    ASSERT_OK(rp_block_encode(b->p, b->n, out));
    ASSERT(out->len > 0);
}

/* Decodes data[0..len) and compares every value with the model b. */
static void check_decode(const blk *b, const unsigned char *data, size_t len)
{
    rp_blockhdr h;
    ASSERT_OK(rp_block_header(data, len, &h));
    ASSERT_EQ(h.n, b->n);
    ASSERT_EQ(h.first, b->p[0].doc);
    ASSERT_EQ(h.last, b->p[b->n - 1].doc);
    ASSERT(h.end == data + len);
    uint16_t maxtf[RP_NFIELDS] = {0};
    for (size_t i = 0; i < b->n; i++)
        for (int f = 0; f < RP_NFIELDS; f++)
            if (b->p[i].tf[f] > maxtf[f])
                maxtf[f] = b->p[i].tf[f];
    for (int f = 0; f < RP_NFIELDS; f++)
        ASSERT_EQ(h.bound.maxtf[f], maxtf[f]);
    /* The stored score frontier covers every posting (test_impact checks
     * the frontier itself). */
    ASSERT(h.impacts.n >= 1 && h.impacts.n <= RP_IMPACTS_MAX);
    for (size_t i = 0; i < b->n; i++) {
        double wtf = rp_impact_weigh(b->p[i].tf);
        double wlen = rp_impact_weigh(b->p[i].len);
        int covered = 0;
        for (uint32_t k = 0; k < h.impacts.n; k++)
            covered |= h.impacts.wtf[k] >= wtf * RP_IMPACT_SCALE &&
                       h.impacts.wlen[k] <= wlen * RP_IMPACT_SCALE;
        if (!covered)
            T_FAIL("posting %zu outside the block's score frontier", i);
    }

    rp_docid docs[RP_BLOCK_DOCS];
    ASSERT_OK(rp_block_docs(&h, docs));
    for (size_t i = 0; i < b->n; i++)
        ASSERT_EQ(docs[i], b->p[i].doc);

    static uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
    uint32_t total[RP_BLOCK_DOCS];
    ASSERT_OK(rp_block_tfs(&h, tf, total));
    for (size_t i = 0; i < b->n; i++) {
        for (int f = 0; f < RP_NFIELDS; f++)
            ASSERT_EQ(tf[i * RP_NFIELDS + f], b->p[i].tf[f]);
        ASSERT_EQ(total[i], b->p[i].npos);
    }

    rp_poscursor c;
    rp_poscursor_init(&c, &h);
    rp_pos *out = malloc(((size_t)RP_TF_MAX * RP_NFIELDS + 1) * sizeof *out);
    ASSERT(out != NULL);
    for (uint32_t i = 0; i < b->n; i++) {
        uint32_t n = 0;
        ASSERT_OK(rp_block_positions(&c, total, i, out, total[i], &n));
        ASSERT_EQ(n, b->p[i].npos);
        for (uint32_t j = 0; j < n; j++)
            ASSERT_EQ(out[j], b->p[i].pos[j]);
    }
    free(out);
}

/* The block of the layout test below, assembled by hand from the format
 * described at the top of src/postings.c. */
static const unsigned char golden[] = {
    0x03,                   /* n */
    0x05,                   /* first */
    0xA7, 0x02,             /* last - first = 295 */
    0x13, 0x10, 0x01, 0x02, /* bound: fields 0, 1, 4 -> 16, 1, 2 */
    0x04, 0x06, 0x14,       /* docs, ftf, pos stream bytes: 4, 6, 20 */
    0x04, 0x02, 0x25, 0x01, /* Stream VByte: keys (1 byte, 2 bytes), 2, 293 */
    0x01,                   /* doc 5: field 0, tf 1 */
    0x42,                   /* doc 7: field 4, tf 2 */
    0xF0, 0x03, 0x10, 0x01, /* doc 300: extended, mask 3, tf 16, 1 */
    0x03,                   /* doc 5 positions: 3 */
    0x00, 0x00,             /* doc 7 positions: 0, 0 */
    0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, /* doc 300: 0.. */
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,       /* ..16 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* min field lengths */
    0x01, 0x98, 0x04, 0x00, /* frontier: doc 300 dominates (no lengths set):
                               wtf 2 x 16 + 1.5 x 1 = 33.5 -> 536/16, wlen 0 */
};

static void golden_block(blk *b, rp_pos *pos)
{
    memset(b, 0, sizeof *b);
    b->n = 3;
    pos[0] = 3;
    pos[1] = 0;
    pos[2] = 0;
    for (int j = 0; j < 17; j++)
        pos[3 + j] = (rp_pos)j;
    b->p[0].doc = 5;
    b->p[0].tf[0] = 1;
    b->p[0].pos = pos;
    b->p[0].npos = 1;
    b->p[1].doc = 7;
    b->p[1].tf[4] = 2;
    b->p[1].pos = pos + 1;
    b->p[1].npos = 2;
    b->p[2].doc = 300;
    b->p[2].tf[0] = 16;
    b->p[2].tf[1] = 1;
    b->p[2].pos = pos + 3;
    b->p[2].npos = 17;
}

static void test_layout_golden(void)
{
    blk b;
    rp_pos pos[20];
    golden_block(&b, pos);
    rp_buf out;
    encode_ok(&b, &out);
    ASSERT_EQ(out.len, sizeof golden);
    for (size_t i = 0; i < sizeof golden; i++)
        if (out.data[i] != golden[i])
            T_FAIL("byte %zu: 0x%02x != 0x%02x", i, out.data[i], golden[i]);
    check_decode(&b, golden, sizeof golden);
    /* Encoding appends: a second block lands after the first. */
    ASSERT_OK(rp_block_encode(b.p, b.n, &out));
    ASSERT_EQ(out.len, 2 * sizeof golden);
    ASSERT(memcmp(out.data + sizeof golden, golden, sizeof golden) == 0);
    rp_buf_fini(&out);
}

/* Hand-made corruptions of the golden block, each caught by the function
 * responsible for that part. */
static void test_golden_corruptions(void)
{
    unsigned char d[sizeof golden];
    rp_blockhdr h;
    rp_docid docs[RP_BLOCK_DOCS];
    uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
    uint32_t total[RP_BLOCK_DOCS];

    /* Header fields. */
    memcpy(d, golden, sizeof d);
    d[0] = 0; /* n = 0 */
    ASSERT_EQ(rp_block_header(d, sizeof d, &h), RP_ECORRUPT);
    memcpy(d, golden, sizeof d);
    d[1] = 0; /* first = 0 */
    ASSERT_EQ(rp_block_header(d, sizeof d, &h), RP_ECORRUPT);
    memcpy(d, golden, sizeof d);
    d[2] = 0x81; /* span 257: header fine, last id no longer matches */
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_EQ(h.last, 5 + 257);
    ASSERT_EQ(rp_block_docs(&h, docs), RP_ECORRUPT);
    memcpy(d, golden, sizeof d);
    d[4] = 0x00; /* bound mask 0 */
    ASSERT_EQ(rp_block_header(d, sizeof d, &h), RP_ECORRUPT);
    memcpy(d, golden, sizeof d);
    d[5] = 0x00; /* bound tf 0 */
    ASSERT_EQ(rp_block_header(d, sizeof d, &h), RP_ECORRUPT);
    memcpy(d, golden, sizeof d);
    d[10] = 0x15; /* pos stream one byte longer than what is there */
    ASSERT_EQ(rp_block_header(d, sizeof d, &h), RP_ECORRUPT);
    memcpy(d, golden, sizeof d);
    d[8] = 0x00; /* no docid stream for a block of three */
    d[9] = 0x0a; /* (lengths still add up) */
    ASSERT_EQ(rp_block_header(d, sizeof d, &h), RP_ECORRUPT);

    /* Docid stream: a zero gap gives ids 5, 5, 298. */
    memcpy(d, golden, sizeof d);
    d[12] = 0x00;
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_EQ(rp_block_docs(&h, docs), RP_ECORRUPT);
    /* Gaps 0 and 295: the last id still matches, but 5, 5, 300 is not
     * strictly ascending. */
    memcpy(d, golden, sizeof d);
    d[12] = 0x00;
    d[13] = 0x27;
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_EQ(rp_block_docs(&h, docs), RP_ECORRUPT);
    /* Gaps 2^32 - 1 and 296: the ids wrap to 5, 4, 300, which again ends
     * at the right last id. */
    unsigned char wrap[sizeof golden + 3];
    memcpy(wrap, golden, 11);
    wrap[8] = 0x07; /* the docid stream grows to 7 bytes */
    static const unsigned char wdocs[] = {0x07, 0xFF, 0xFF, 0xFF,
                                          0xFF, 0x28, 0x01};
    memcpy(wrap + 11, wdocs, sizeof wdocs);
    memcpy(wrap + 11 + sizeof wdocs, golden + 15, sizeof golden - 15);
    ASSERT_OK(rp_block_header(wrap, sizeof wrap, &h));
    ASSERT_EQ(rp_block_docs(&h, docs), RP_ECORRUPT);
    uint16_t wtf[RP_BLOCK_DOCS * RP_NFIELDS];
    uint32_t wtotal[RP_BLOCK_DOCS];
    ASSERT_OK(rp_block_tfs(&h, wtf, wtotal)); /* the rest is intact */
    /* A docid stream one byte longer than its keys describe. */
    unsigned char extra[sizeof golden + 1];
    memcpy(extra, golden, 15);
    extra[8] = 0x05;
    extra[15] = 0x00;
    memcpy(extra + 16, golden + 15, sizeof golden - 15);
    ASSERT_OK(rp_block_header(extra, sizeof extra, &h));
    ASSERT_EQ(rp_block_docs(&h, docs), RP_ECORRUPT);
    ASSERT_OK(rp_block_tfs(&h, tf, total)); /* the rest is intact */
    /* Keys that claim more data bytes than the stream holds. */
    memcpy(d, golden, sizeof d);
    d[11] = 0x0f;
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_EQ(rp_block_docs(&h, docs), RP_ECORRUPT);
    /* Keys that claim fewer. */
    memcpy(d, golden, sizeof d);
    d[11] = 0x00;
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_EQ(rp_block_docs(&h, docs), RP_ECORRUPT);

    /* Field/tf stream. */
    static const unsigned char bad_ftf[] = {0x81, 0xF1, 0x00, 0x10, 0xE0};
    for (size_t i = 0; i < sizeof bad_ftf; i++) {
        memcpy(d, golden, sizeof d);
        d[15] = bad_ftf[i];
        ASSERT_OK(rp_block_header(d, sizeof d, &h));
        ASSERT_EQ(rp_block_tfs(&h, tf, total), RP_ECORRUPT);
    }
    memcpy(d, golden, sizeof d);
    d[18] = 0x00; /* extended form with mask 0 */
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_EQ(rp_block_tfs(&h, tf, total), RP_ECORRUPT);
    memcpy(d, golden, sizeof d);
    d[19] = 0x00; /* extended form with a zero tf */
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_EQ(rp_block_tfs(&h, tf, total), RP_ECORRUPT);
    memcpy(d, golden, sizeof d);
    d[20] = 0x81; /* a varint running into the position stream */
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_EQ(rp_block_tfs(&h, tf, total), RP_ECORRUPT);
    memcpy(d, golden, sizeof d);
    d[16] = 0x43; /* doc 7 now needs 3 positions: too few bytes overall */
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_OK(rp_block_tfs(&h, tf, total));
    ASSERT_EQ(total[1], 3);
    rp_poscursor c;
    rp_poscursor_init(&c, &h);
    rp_pos out[64];
    uint32_t n;
    ASSERT_OK(rp_block_positions(&c, total, 0, out, 64, &n));
    ASSERT_OK(rp_block_positions(&c, total, 1, out, 64, &n));
    ASSERT_EQ(rp_block_positions(&c, total, 2, out, 64, &n), RP_ECORRUPT);
}

/* A posting whose extended field/tf entry has an empty field mask would
 * have no occurrences at all: corrupt, even when every length adds up. */
static void test_tfs_empty_mask(void)
{
    static const unsigned char d[] = {
        0x01, 0x01, 0x00, /* n 1, first 1, span 0 */
        0x01, 0x01,       /* bound: field 0 max tf 1 */
        0x00, 0x02, 0x00, /* stream bytes 0, 2, 0 */
        0xF0, 0x00,       /* extended form, mask 0 */
        0, 0, 0, 0, 0, 0, 0, 0, /* min field lengths */
        0x00,                   /* no frontier */
    };
    rp_blockhdr h;
    uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
    uint32_t total[RP_BLOCK_DOCS];
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_EQ(rp_block_tfs(&h, tf, total), RP_ECORRUPT);
    /* The same block with mask 1 and tf 1 (and one position) is fine. */
    static const unsigned char ok[] = {
        0x01, 0x01, 0x00, 0x01, 0x01, 0x00, 0x03, 0x01, 0xF0, 0x01, 0x01, 0x09,
        0, 0, 0, 0, 0, 0, 0, 0, /* min field lengths */
        0x00,                   /* no frontier */
    };
    ASSERT_OK(rp_block_header(ok, sizeof ok, &h));
    ASSERT_OK(rp_block_tfs(&h, tf, total));
    ASSERT_EQ(total[0], 1);
    ASSERT_EQ(tf[0], 1);
}

/* Position gaps that add up past UINT32_MAX are corrupt; gaps that reach it
 * exactly (and repeat it) are fine. */
static void test_position_overflow(void)
{
    unsigned char d[] = {
        0x01, 0x01, 0x00,             /* n 1, first 1, span 0 */
        0x01, 0x02,                   /* bound: field 0 max tf 2 */
        0x00, 0x01, 0x06,             /* stream bytes 0, 1, 6 */
        0x02,                         /* field 0, tf 2 */
        0xFF, 0xFF, 0xFF, 0xFF, 0x0F, /* UINT32_MAX */
        0x00,                         /* the same position again */
        0, 0, 0, 0, 0, 0, 0, 0,       /* min field lengths */
        0x00,                         /* no frontier */
    };
    rp_blockhdr h;
    rp_docid docs[RP_BLOCK_DOCS];
    uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
    uint32_t total[RP_BLOCK_DOCS];
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_OK(rp_block_docs(&h, docs));
    ASSERT_EQ(docs[0], 1);
    ASSERT_OK(rp_block_tfs(&h, tf, total));
    ASSERT_EQ(total[0], 2);
    rp_poscursor c;
    rp_pos out[2];
    uint32_t n = 0;
    rp_poscursor_init(&c, &h);
    ASSERT_OK(rp_block_positions(&c, total, 0, out, 2, &n));
    ASSERT_EQ(n, 2);
    ASSERT_EQ(out[0], UINT32_MAX);
    ASSERT_EQ(out[1], UINT32_MAX);
    d[sizeof d - 2 - RP_NFIELDS] = 0x01; /* one past UINT32_MAX */
    ASSERT_OK(rp_block_header(d, sizeof d, &h));
    ASSERT_OK(rp_block_tfs(&h, tf, total));
    rp_poscursor_init(&c, &h);
    ASSERT_EQ(rp_block_positions(&c, total, 0, out, 2, &n), RP_ECORRUPT);
}

static void test_round_trip_random(void)
{
    uint64_t s = 0x243F6A8885A308D3ull;
    for (int iter = 0; iter < 600; iter++) {
        blk b;
        gen_block(&s, 0, -1, -1, iter % 5 == 0 ? SIZE_HUGE_TF : SIZE_NORMAL,
                  &b);
        rp_buf out;
        encode_ok(&b, &out);
        check_decode(&b, out.data, out.len);
        rp_buf_fini(&out);
        blk_free(&b);
    }
}

/* Every n from 1 to 128 under every gap and tf mode. */
static void test_round_trip_every_n(void)
{
    uint64_t s = 0x13198A2E03707344ull;
    for (size_t n = 1; n <= RP_BLOCK_DOCS; n++) {
        for (int g = 0; g < GAP_MODES; g++) {
            int t = (int)((n + (size_t)g) % TF_MODES);
            blk b;
            gen_block(&s, n, g, t, SIZE_NORMAL, &b);
            rp_buf out;
            encode_ok(&b, &out);
            check_decode(&b, out.data, out.len);
            if (t == TF_SHORT) {
                /* One byte per posting in the short form. */
                rp_blockhdr h;
                ASSERT_OK(rp_block_header(out.data, out.len, &h));
                ASSERT_EQ(h.pos - h.ftf, n);
            }
            rp_buf_fini(&out);
            blk_free(&b);
        }
    }
}

/* Edge shapes written out by hand. */
static void test_round_trip_edges(void)
{
    static rp_pos pos[(size_t)RP_TF_MAX * RP_NFIELDS];
    blk b;
    rp_buf out;

    /* One posting at UINT32_MAX with tf 65535 in every field, all at one
     * position. */
    memset(&b, 0, sizeof b);
    b.n = 1;
    b.p[0].doc = UINT32_MAX;
    for (int f = 0; f < RP_NFIELDS; f++)
        b.p[0].tf[f] = RP_TF_MAX;
    for (size_t j = 0; j < (size_t)RP_TF_MAX * RP_NFIELDS; j++)
        pos[j] = 7;
    b.p[0].pos = pos;
    b.p[0].npos = (uint32_t)RP_TF_MAX * RP_NFIELDS;
    encode_ok(&b, &out);
    check_decode(&b, out.data, out.len);
    rp_buf_fini(&out);

    /* Ids 1 and UINT32_MAX: the largest possible gap. */
    memset(&b, 0, sizeof b);
    b.n = 2;
    for (size_t j = 0; j < 2; j++) {
        pos[j] = (rp_pos)j;
        b.p[j].tf[RP_NFIELDS - 1] = 1;
        b.p[j].pos = pos + j;
        b.p[j].npos = 1;
    }
    b.p[0].doc = 1;
    b.p[1].doc = UINT32_MAX;
    encode_ok(&b, &out);
    check_decode(&b, out.data, out.len);
    rp_buf_fini(&out);

    /* 128 consecutive ids ending at UINT32_MAX, tf exactly 15 and 16. */
    memset(&b, 0, sizeof b);
    b.n = RP_BLOCK_DOCS;
    for (size_t i = 0; i < RP_BLOCK_DOCS; i++) {
        b.p[i].doc = UINT32_MAX - (rp_docid)(RP_BLOCK_DOCS - 1 - i);
        b.p[i].tf[i % RP_NFIELDS] = (uint16_t)(i % 2 ? 16 : 15);
        b.p[i].pos = pos;
        b.p[i].npos = b.p[i].tf[i % RP_NFIELDS];
    }
    for (size_t j = 0; j < 16; j++)
        pos[j] = (rp_pos)(j * j);
    encode_ok(&b, &out);
    check_decode(&b, out.data, out.len);
    rp_buf_fini(&out);

    /* Gaps of exactly 2^31 and 2^31 - 2, ending at UINT32_MAX. */
    memset(&b, 0, sizeof b);
    b.n = 3;
    b.p[0].doc = 1;
    b.p[1].doc = 1 + ((rp_docid)1 << 31);
    b.p[2].doc = b.p[1].doc + ((rp_docid)1 << 31) - 2;
    ASSERT_EQ(b.p[2].doc, UINT32_MAX);
    pos[0] = UINT32_MAX;
    for (size_t i = 0; i < 3; i++) {
        b.p[i].tf[0] = 1;
        b.p[i].pos = pos;
        b.p[i].npos = 1;
    }
    encode_ok(&b, &out);
    check_decode(&b, out.data, out.len);
    rp_buf_fini(&out);
}

/* Builds a valid one-posting-per-doc block over docs[] for contract tests. */
static void simple_block(blk *b, size_t n, rp_pos *pos)
{
    memset(b, 0, sizeof *b);
    b->n = n;
    pos[0] = 4;
    for (size_t i = 0; i < n && i < RP_BLOCK_DOCS; i++) {
        b->p[i].doc = (rp_docid)(10 + 3 * i);
        b->p[i].tf[1] = 1;
        b->p[i].pos = pos;
        b->p[i].npos = 1;
    }
}

static void expect_einval(const rp_posting *p, size_t n)
{
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_buf_puts(&out, "keep"));
    ASSERT_EQ(rp_block_encode(p, n, &out), RP_EINVAL);
    ASSERT_MEM_EQ(out.data, out.len, "keep"); /* nothing appended */
    rp_buf_fini(&out);
}

static void test_encode_contract(void)
{
    rp_pos pos[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static rp_posting many[RP_BLOCK_DOCS + 1];
    for (size_t i = 0; i < RP_BLOCK_DOCS + 1; i++) {
        memset(&many[i], 0, sizeof many[i]);
        many[i].doc = (rp_docid)(i + 1);
        many[i].tf[0] = 1;
        many[i].pos = pos;
        many[i].npos = 1;
    }
    expect_einval(many, 0);
    expect_einval(many, RP_BLOCK_DOCS + 1);
    rp_buf ok = RP_BUF_INIT;
    ASSERT_OK(rp_block_encode(many, RP_BLOCK_DOCS, &ok));
    rp_buf_fini(&ok);

    blk b;
    simple_block(&b, 5, pos);
    b.p[3].doc = b.p[2].doc; /* equal ids */
    expect_einval(b.p, b.n);
    simple_block(&b, 5, pos);
    b.p[4].doc = b.p[3].doc - 1; /* decreasing at the end */
    expect_einval(b.p, b.n);
    simple_block(&b, 5, pos);
    b.p[1].doc = b.p[0].doc - 1; /* decreasing at the start */
    expect_einval(b.p, b.n);

    simple_block(&b, 5, pos);
    b.p[2].npos = 2; /* npos > sum tf */
    expect_einval(b.p, b.n);
    simple_block(&b, 5, pos);
    b.p[2].tf[3] = 2; /* npos < sum tf */
    expect_einval(b.p, b.n);
    simple_block(&b, 5, pos);
    b.p[0].tf[1] = 0; /* all-zero tf, npos 0 */
    b.p[0].npos = 0;
    expect_einval(b.p, b.n);
    simple_block(&b, 5, pos);
    b.p[4].tf[1] = 0; /* all-zero tf on the last posting, npos 1 */
    expect_einval(b.p, b.n);
    simple_block(&b, 1, pos);
    b.p[0].tf[1] = 0;
    b.p[0].npos = 0;
    expect_einval(b.p, b.n);

    /* Positions must be ascending (equal is fine). */
    rp_pos desc[3] = {5, 5, 4};
    simple_block(&b, 2, pos);
    b.p[1].tf[1] = 3;
    b.p[1].pos = desc;
    b.p[1].npos = 3;
    expect_einval(b.p, b.n);
    desc[2] = 5;
    ASSERT_OK(rp_block_encode(b.p, b.n, &ok));
    check_decode(&b, ok.data, ok.len);
    rp_buf_fini(&ok);
}

/* Ids are 1-based (rp_docid) and the header decoder rejects first == 0, so
 * the encoder must refuse id 0 with RP_EINVAL rather than produce a block
 * its own decoder calls corrupt. */
static void test_encode_doc_zero(void)
{
    rp_pos pos[1] = {0};
    blk b;
    memset(&b, 0, sizeof b);
    b.n = 2;
    for (size_t i = 0; i < 2; i++) {
        b.p[i].doc = (rp_docid)i; /* 0, 1 */
        b.p[i].tf[0] = 1;
        b.p[i].pos = pos;
        b.p[i].npos = 1;
    }
    expect_einval(b.p, b.n);
    expect_einval(b.p, 1); /* a single posting with id 0 */
}

static void test_positions_skip(void)
{
    uint64_t s = 0xA4093822299F31D0ull;
    rp_pos *out = malloc(((size_t)RP_TF_MAX * RP_NFIELDS) * sizeof *out);
    ASSERT(out != NULL);
    for (int iter = 0; iter < 60; iter++) {
        blk b;
        gen_block(&s, (size_t)rnd_in(&s, 2, RP_BLOCK_DOCS), -1, -1, SIZE_NORMAL,
                  &b);
        rp_buf enc;
        encode_ok(&b, &enc);
        rp_blockhdr h;
        uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
        uint32_t total[RP_BLOCK_DOCS];
        ASSERT_OK(rp_block_header(enc.data, enc.len, &h));
        ASSERT_OK(rp_block_tfs(&h, tf, total));
        rp_poscursor c;
        uint32_t n;

        /* Jump straight to each posting from a fresh cursor. */
        for (uint32_t i = 0; i < b.n; i++) {
            rp_poscursor_init(&c, &h);
            ASSERT_OK(rp_block_positions(&c, total, i, out, total[i], &n));
            ASSERT_EQ(n, b.p[i].npos);
            for (uint32_t j = 0; j < n; j++)
                ASSERT_EQ(out[j], b.p[i].pos[j]);
            /* Going back, or asking for the same posting again, is
             * refused. */
            ASSERT_EQ(rp_block_positions(&c, total, i, out, total[i], &n),
                      RP_EINVAL);
            if (i > 0)
                ASSERT_EQ(rp_block_positions(&c, total, i - 1, out, 1, &n),
                          RP_EINVAL);
            ASSERT_EQ(rp_block_positions(&c, total, 0 - 1u, out, 1, &n),
                      RP_EINVAL);
        }

        /* Random strides over one cursor. */
        rp_poscursor_init(&c, &h);
        uint32_t i = (uint32_t)rnd_in(&s, 0, 3);
        uint32_t last = UINT32_MAX;
        while (i < b.n) {
            ASSERT_OK(rp_block_positions(&c, total, i, out, total[i], &n));
            ASSERT_EQ(n, b.p[i].npos);
            for (uint32_t j = 0; j < n; j++)
                ASSERT_EQ(out[j], b.p[i].pos[j]);
            last = i;
            i += (uint32_t)rnd_in(&s, 1, 5);
        }
        if (last != UINT32_MAX)
            ASSERT_EQ(rp_block_positions(&c, total, last, out, 1, &n),
                      RP_EINVAL);

        /* A short output array: only cap entries written, full count. */
        rp_poscursor_init(&c, &h);
        uint32_t k = b.n - 1;
        uint32_t cap = total[k] / 2;
        for (uint32_t j = 0; j < total[k] + 4; j++)
            out[j] = 0xDEADBEEF;
        ASSERT_OK(rp_block_positions(&c, total, k, out, cap, &n));
        ASSERT_EQ(n, total[k]);
        for (uint32_t j = 0; j < cap; j++)
            ASSERT_EQ(out[j], b.p[k].pos[j]);
        for (uint32_t j = cap; j < total[k] + 4; j++)
            ASSERT_EQ(out[j], 0xDEADBEEF);

        rp_buf_fini(&enc);
        blk_free(&b);
    }
    free(out);
}

/*
 * Runs every decode function over untrusted bytes. Each must return 0 or
 * RP_ECORRUPT, and whatever "succeeds" must satisfy the documented
 * invariants (ids strictly ascending between first and last, totals equal
 * to the sum of field tfs, positions ascending).
 */
static void decode_hostile(const unsigned char *data, size_t len)
{
    rp_blockhdr h;
    int rc = rp_block_header(data, len, &h);
    ASSERT(rc == 0 || rc == RP_ECORRUPT);
    if (rc != 0)
        return;
    ASSERT(h.n >= 1 && h.n <= RP_BLOCK_DOCS);
    ASSERT(h.first >= 1 && h.first <= h.last);
    ASSERT(h.end == data + len);
    ASSERT(h.docs <= h.ftf && h.ftf <= h.pos && h.pos <= h.end);

    rp_docid docs[RP_BLOCK_DOCS];
    rc = rp_block_docs(&h, docs);
    ASSERT(rc == 0 || rc == RP_ECORRUPT);
    if (rc == 0) {
        ASSERT_EQ(docs[0], h.first);
        ASSERT_EQ(docs[h.n - 1], h.last);
        for (uint32_t i = 1; i < h.n; i++)
            ASSERT(docs[i] > docs[i - 1]);
    }

    uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
    uint32_t total[RP_BLOCK_DOCS];
    rc = rp_block_tfs(&h, tf, total);
    ASSERT(rc == 0 || rc == RP_ECORRUPT);
    if (rc != 0)
        return;
    for (uint32_t i = 0; i < h.n; i++) {
        uint32_t sum = 0;
        for (int f = 0; f < RP_NFIELDS; f++)
            sum += tf[i * RP_NFIELDS + f];
        ASSERT_EQ(total[i], sum);
        ASSERT(sum >= 1);
    }
    rp_poscursor c;
    rp_poscursor_init(&c, &h);
    rp_pos out[64];
    for (uint32_t i = 0; i < h.n; i++) {
        uint32_t n = 0;
        rc = rp_block_positions(&c, total, i, out, 64, &n);
        ASSERT(rc == 0 || rc == RP_ECORRUPT);
        if (rc != 0)
            break;
        ASSERT_EQ(n, total[i]);
        for (uint32_t j = 1; j < n && j < 64; j++)
            ASSERT(out[j] >= out[j - 1]);
    }
}

/* Truncations must fail in rp_block_header (lengths are exact); byte flips
 * must fail cleanly or decode to something consistent. Each input sits in
 * a heap block of exactly its size so ASan sees any overread. */
static void corrupt_one(const unsigned char *enc, size_t len)
{
    static const unsigned char pats[] = {0x01, 0x04, 0x10, 0x40, 0x80, 0xFF};
    rp_blockhdr h;
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *d = malloc(cut ? cut : 1);
        ASSERT(d != NULL);
        memcpy(d, enc, cut);
        if (rp_block_header(d, cut, &h) != RP_ECORRUPT)
            T_FAIL("truncation to %zu of %zu bytes not detected", cut, len);
        decode_hostile(d, cut);
        free(d);
    }
    unsigned char *longer = malloc(len + 1);
    ASSERT(longer != NULL);
    memcpy(longer, enc, len);
    longer[len] = 0;
    ASSERT_EQ(rp_block_header(longer, len + 1, &h), RP_ECORRUPT);
    free(longer);

    unsigned char *d = malloc(len);
    ASSERT(d != NULL);
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof pats; k++) {
            memcpy(d, enc, len);
            d[i] ^= pats[k];
            decode_hostile(d, len);
        }
    }
    free(d);
}

static void test_corruption_random_blocks(void)
{
    uint64_t s = 0x082EFA98EC4E6C89ull;
    for (int iter = 0; iter < 40; iter++) {
        blk b;
        /* Keep blocks modest so every byte can be flipped quickly. */
        size_t n = iter < 5 ? (size_t)iter + 1 : (size_t)rnd_in(&s, 1, 64);
        gen_block(&s, n, iter % GAP_MODES, (iter / GAP_MODES) % TF_MODES,
                  SIZE_SMALL, &b);
        rp_buf enc;
        encode_ok(&b, &enc);
        corrupt_one(enc.data, enc.len);
        rp_buf_fini(&enc);
        blk_free(&b);
    }
    corrupt_one(golden, sizeof golden);
}

/* Random garbage, and random streams behind a plausible header. */
static void test_garbage(void)
{
    uint64_t s = 0x452821E638D01377ull;
    unsigned char buf[600];
    for (int iter = 0; iter < 100000; iter++) {
        size_t len = (size_t)rnd_in(&s, 0, 64);
        for (size_t i = 0; i < len; i++)
            buf[i] = (unsigned char)t_rand(&s);
        if (iter % 2 && len >= 12) {
            /* n, first, span, bound, then lengths that add up. */
            uint32_t n = (uint32_t)rnd_in(&s, 1, 8);
            size_t at = 0;
            buf[at++] = (unsigned char)n;
            buf[at++] = (unsigned char)rnd_in(&s, 1, 100);
            buf[at++] = (unsigned char)(n == 1 ? 0 : rnd_in(&s, n - 1, 120));
            buf[at++] = 0x01;
            buf[at++] = (unsigned char)rnd_in(&s, 1, 20);
            size_t rest = len - at - 3;
            size_t db = n == 1 ? 0 : (size_t)rnd_in(&s, 1, rest / 2);
            size_t fb = (size_t)rnd_in(&s, 0, rest - db);
            buf[at++] = (unsigned char)db;
            buf[at++] = (unsigned char)fb;
            buf[at++] = (unsigned char)(rest - db - fb);
        }
        unsigned char *d = malloc(len ? len : 1);
        ASSERT(d != NULL);
        memcpy(d, buf, len);
        decode_hostile(d, len);
        free(d);
    }
}

static void test_bound_round_trip(void)
{
    uint64_t s = 0xBE5466CF34E90C6Cull;
    for (int iter = 0; iter < 5000; iter++) {
        rp_bound b;
        memset(&b, 0, sizeof b);
        unsigned mask = (unsigned)rnd_in(&s, 1, RP_FIELD_ALL_MASK);
        for (int f = 0; f < RP_NFIELDS; f++)
            if (mask & (1u << f))
                b.maxtf[f] =
                    (uint16_t)(iter % 3 == 0   ? RP_TF_MAX
                               : iter % 3 == 1 ? rnd_in(&s, 1, 127)
                                               : rnd_in(&s, 1, RP_TF_MAX));
        rp_buf out = RP_BUF_INIT;
        ASSERT_OK(rp_buf_puts(&out, "x"));
        ASSERT_OK(rp_bound_put(&out, &b));
        size_t used = out.len - 1;
        ASSERT_EQ(out.data[1], mask); /* the mask byte comes first */
        ASSERT_OK(rp_buf_puts(&out, "trailing"));
        rp_bound got;
        memset(&got, 0xEE, sizeof got);
        size_t k = rp_bound_get(out.data + 1, out.data + out.len, &got);
        ASSERT_EQ(k, used);
        for (int f = 0; f < RP_NFIELDS; f++)
            ASSERT_EQ(got.maxtf[f], b.maxtf[f]);
        /* Every truncation is refused. */
        for (size_t cut = 0; cut < used; cut++) {
            unsigned char *d = malloc(cut ? cut : 1);
            ASSERT(d != NULL);
            memcpy(d, out.data + 1, cut);
            ASSERT_EQ(rp_bound_get(d, d + cut, &got), 0);
            free(d);
        }
        rp_buf_fini(&out);
    }
}

static void test_bound_rejects(void)
{
    rp_bound got;
    unsigned char zero[] = {0x00, 0x05};
    ASSERT_EQ(rp_bound_get(zero, zero + sizeof zero, &got), 0);
    ASSERT_EQ(rp_bound_get(zero, zero, &got), 0);
    unsigned char tf0[] = {0x01, 0x00};
    ASSERT_EQ(rp_bound_get(tf0, tf0 + sizeof tf0, &got), 0);
    unsigned char tfbig[] = {0x02, 0x80, 0x80, 0x04}; /* 65536 */
    ASSERT_EQ(rp_bound_get(tfbig, tfbig + sizeof tfbig, &got), 0);
    unsigned char tfmax[] = {0x02, 0xFF, 0xFF, 0x03}; /* 65535 */
    ASSERT_EQ(rp_bound_get(tfmax, tfmax + sizeof tfmax, &got), 4);
    ASSERT_EQ(got.maxtf[1], RP_TF_MAX);
    ASSERT_EQ(got.maxtf[0], 0);
    /* An all-zero bound encodes as mask 0, which reads back as corrupt. */
    rp_bound none;
    memset(&none, 0, sizeof none);
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_bound_put(&out, &none));
    ASSERT_EQ(out.len, 1);
    ASSERT_EQ(out.data[0], 0);
    ASSERT_EQ(rp_bound_get(out.data, out.data + out.len, &got), 0);
    rp_buf_fini(&out);
}

static void test_bound_merge(void)
{
    rp_bound a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.maxtf[0] = 5;
    a.maxtf[3] = 100;
    b.maxtf[0] = 7;
    b.maxtf[3] = 99;
    b.maxtf[7] = RP_TF_MAX;
    rp_bound_merge(&a, &b);
    ASSERT_EQ(a.maxtf[0], 7);
    ASSERT_EQ(a.maxtf[3], 100);
    ASSERT_EQ(a.maxtf[7], RP_TF_MAX);
    ASSERT_EQ(a.maxtf[1], 0);
    ASSERT_EQ(b.maxtf[3], 99); /* b untouched */
}

/* A block built by hand: one posting, doc 7, body tf 1, position 5, and
 * one stray byte after the positions. Decoding the positions must notice
 * the leftover byte, and an index past the block's n is refused. */
static void test_positions_leftover_and_range(void)
{
    static const unsigned char raw[] = {
        0x01,       /* n */
        0x07,       /* first doc */
        0x00,       /* last - first */
        0x10, 0x01, /* bound: field mask (body), max tf 1 */
        0x00,       /* docs bytes */
        0x01,       /* ftf bytes */
        0x02,       /* pos bytes */
        0x41,       /* field 4, tf 1 */
        0x05, 0x09, /* position 5, then a stray byte */
        0, 0, 0, 0, 0, 0, 0, 0, /* min field lengths */
        0x00,                   /* no frontier */
    };
    rp_blockhdr h;
    ASSERT_OK(rp_block_header(raw, sizeof raw, &h));
    rp_docid docs[RP_BLOCK_DOCS];
    uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
    uint32_t total[RP_BLOCK_DOCS];
    ASSERT_OK(rp_block_docs(&h, docs));
    ASSERT_EQ(docs[0], 7);
    ASSERT_OK(rp_block_tfs(&h, tf, total));
    rp_poscursor c;
    rp_pos pos[4];
    uint32_t n;
    rp_poscursor_init(&c, &h);
    ASSERT_EQ(rp_block_positions(&c, total, 1, pos, 4, &n), RP_EINVAL);
    ASSERT_EQ(rp_block_positions(&c, total, 0, pos, 4, &n), RP_ECORRUPT);
}

static const t_case cases[] = {
    T(test_positions_leftover_and_range),
    T(test_layout_golden),
    T(test_golden_corruptions),
    T(test_tfs_empty_mask),
    T(test_position_overflow),
    T(test_round_trip_random),
    T(test_round_trip_every_n),
    T(test_round_trip_edges),
    T(test_encode_contract),
    T(test_encode_doc_zero),
    T(test_positions_skip),
    T(test_corruption_random_blocks),
    T(test_garbage),
    T(test_bound_round_trip),
    T(test_bound_rejects),
    T(test_bound_merge),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * Tests for score: idf and BM25F worked out by hand, the split form equal
 * to the whole bit for bit, the upper bound never below a real score on
 * random inputs, and parameter checks.
 */
#include <math.h>

#include "rapport/score.h"
#include "t.h"

static void scorer(rp_scorer *s, uint64_t ndocs, uint64_t body_total)
{
    rp_stats st;
    memset(&st, 0, sizeof st);
    st.ndocs = ndocs;
    st.fieldlen[RP_F_BODY] = body_total;
    rp_score_params p;
    rp_score_defaults(&p);
    p.k1 = 1.2f;
    p.b = 0.75f;
    for (int f = 0; f < RP_NFIELDS; f++)
        p.weight[f] = 1.0f;
    ASSERT_OK(rp_scorer_init(s, &st, &p));
}

/* N = 10, df = 3: idf = ln(1 + (10 - 3 + 0.5) / 3.5) = ln(3.142857) =
 * 1.145132304. Body avglen 20 (200 / 10); a document with tf 2, len 10:
 * K = 1.2 * (0.25 + 0.75 * 0.5) = 0.75; score = idf * 2 * 2.2 / 2.75 =
 * 1.145132304 * 1.6 = 1.832211687. */
static void test_by_hand(void)
{
    rp_scorer s;
    scorer(&s, 10, 200);
    double idf = rp_score_idf(&s, 3);
    ASSERT_NEAR(idf, 1.145132304, 1e-9);
    uint16_t tf[RP_NFIELDS] = {0};
    tf[RP_F_BODY] = 2;
    rp_norms n = {RP_DOC_ARTICLE, {0}};
    n.len[RP_F_BODY] = 10;
    /* k1 and b are floats (1.2f is 1.20000005), hence 1e-7. */
    ASSERT_NEAR(rp_score_bm25f(&s, idf, tf, &n, RP_FIELD_ALL_MASK),
                1.832211687, 1e-7);
    /* No occurrence in the masked fields: zero. */
    ASSERT_EQ(rp_score_bm25f(&s, idf, tf, &n, 1u << RP_F_TITLE), 0);
    /* df above N (a stale count) still gives a finite, positive idf. */
    ASSERT(rp_score_idf(&s, 50) > 0 && isfinite(rp_score_idf(&s, 50)));
}

static void test_split_form_is_identical(void)
{
    rp_scorer s;
    scorer(&s, 1000, 77000);
    uint64_t r = 99;
    for (int i = 0; i < 2000; i++) {
        uint16_t tf[RP_NFIELDS];
        rp_norms n = {RP_DOC_ARTICLE, {0}};
        for (int f = 0; f < RP_NFIELDS; f++) {
            n.len[f] = (uint16_t)(t_rand(&r) % 300);
            tf[f] = (uint16_t)(t_rand(&r) % 4 ? 0 : 1 + t_rand(&r) % 5);
            if (tf[f] > n.len[f])
                n.len[f] = tf[f];
        }
        unsigned mask = i % 3 ? RP_FIELD_ALL_MASK
                              : 1u << (t_rand(&r) % RP_NFIELDS);
        double idf = rp_score_idf(&s, 1 + (uint32_t)(t_rand(&r) % 999));
        double whole = rp_score_bm25f(&s, idf, tf, &n, mask);
        double split = rp_score_bm25f_pre(&s, idf, tf,
                                          rp_score_wlen(&s, &n, mask),
                                          rp_score_avglen(&s, mask), mask);
        ASSERT(whole == split);
    }
}

/* The bound from the maximum tfs and minimum lengths of a set of postings
 * is never below the score of any of them. */
static void test_bound_holds(void)
{
    rp_scorer s;
    scorer(&s, 500, 40000);
    uint64_t r = 7;
    for (int set = 0; set < 300; set++) {
        rp_bound b;
        memset(&b, 0, sizeof b);
        rp_lenbound l;
        rp_lenbound_init(&l);
        uint16_t tf[16][RP_NFIELDS];
        rp_norms n[16];
        for (int i = 0; i < 16; i++) {
            n[i].type = RP_DOC_ARTICLE;
            for (int f = 0; f < RP_NFIELDS; f++) {
                tf[i][f] = (uint16_t)(t_rand(&r) % 3 ? 0 : t_rand(&r) % 9);
                n[i].len[f] = (uint16_t)(tf[i][f] + t_rand(&r) % 200);
                if (tf[i][f] > b.maxtf[f])
                    b.maxtf[f] = tf[i][f];
            }
            rp_lenbound_add(&l, n[i].len);
        }
        double idf = rp_score_idf(&s, 1 + (uint32_t)(t_rand(&r) % 400));
        unsigned mask = set % 2 ? RP_FIELD_ALL_MASK : 1u << RP_F_BODY;
        double bound = rp_score_bound(&s, idf, &b, &l, mask);
        for (int i = 0; i < 16; i++)
            ASSERT(rp_score_bm25f(&s, idf, tf[i], &n[i], mask) <= bound);
    }
}

static void test_params_checked(void)
{
    rp_stats st;
    memset(&st, 0, sizeof st);
    rp_score_params p;
    rp_scorer s;
    rp_score_defaults(&p);
    ASSERT_OK(rp_scorer_init(&s, &st, &p)); /* an empty index is fine */
    p.k1 = 0;
    ASSERT_EQ(rp_scorer_init(&s, &st, &p), RP_EINVAL);
    rp_score_defaults(&p);
    p.b = 1.5f;
    ASSERT_EQ(rp_scorer_init(&s, &st, &p), RP_EINVAL);
    rp_score_defaults(&p);
    p.weight[RP_F_BODY] = -1;
    ASSERT_EQ(rp_scorer_init(&s, &st, &p), RP_EINVAL);
    rp_score_defaults(&p);
    p.b = NAN;
    ASSERT_EQ(rp_scorer_init(&s, &st, &p), RP_EINVAL);
}

static const t_case cases[] = {
    T(test_by_hand),
    T(test_split_form_is_identical),
    T(test_bound_holds),
    T(test_params_checked),
    {NULL, NULL},
};

T_MAIN(cases)

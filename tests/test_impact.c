/* SPDX-License-Identifier: MIT */
/*
 * test_impact: score frontiers. Built from random postings, a frontier
 * holds at most RP_IMPACTS_MAX points and dominates every posting (some
 * point has at least its weighted tf and at most its weighted length), so
 * rp_score_impacts bounds every posting's exact BM25F score for random k1,
 * b and average lengths. Small frontiers are kept exactly, dominated
 * postings leave no point, and the stored form round-trips and rejects
 * corrupt bytes.
 */
#include "t.h"

#include <math.h>

#include "rapport/impact.h"
#include "rapport/score.h"

typedef struct post {
    uint16_t tf[RP_NFIELDS];
    uint16_t len[RP_NFIELDS];
} post;

/* A random posting: most fields empty, lengths at least the tfs. */
static void random_post(uint64_t *s, post *p, int big)
{
    for (int f = 0; f < RP_NFIELDS; f++) {
        int used = t_rand(s) % 4 == 0;
        p->tf[f] = used ? (uint16_t)(1 + t_rand(s) % (big ? 300 : 6)) : 0;
        uint32_t len = p->tf[f] + (uint32_t)(t_rand(s) % (big ? 60000 : 400));
        p->len[f] = (uint16_t)(len > 65535 ? 65535 : len);
    }
    if (p->tf[4] == 0 && p->tf[0] == 0) {
        p->tf[4] = 1; /* every posting occurs somewhere */
        if (p->len[4] == 0)
            p->len[4] = 1;
    }
}

static int dominated(const rp_impacts *imp, const post *p)
{
    double wtf = rp_impact_weigh(p->tf), wlen = rp_impact_weigh(p->len);
    for (uint32_t i = 0; i < imp->n; i++)
        if ((double)imp->wtf[i] / RP_IMPACT_SCALE >= wtf &&
            (double)imp->wlen[i] / RP_IMPACT_SCALE <= wlen)
            return 1;
    return 0;
}

static void test_frontier_bounds_every_posting(void)
{
    uint64_t s = 11;
    static post ps[RP_BLOCK_DOCS * 4];
    for (int round = 0; round < 400; round++) {
        size_t n = 1 + t_rand(&s) % (round % 2 ? 128 : 512);
        int big = round % 5 == 0;
        rp_impact_builder b;
        rp_impact_builder_init(&b);
        for (size_t i = 0; i < n; i++) {
            random_post(&s, &ps[i], big);
            rp_impact_add(&b, ps[i].tf, ps[i].len);
        }
        rp_impacts imp;
        rp_impact_finish(&b, &imp);
        ASSERT(imp.n >= 1 && imp.n <= RP_IMPACTS_MAX);
        for (uint32_t i = 1; i < imp.n; i++) {
            ASSERT(imp.wtf[i] <= imp.wtf[i - 1]);
            ASSERT(imp.wlen[i] <= imp.wlen[i - 1]);
        }
        for (size_t i = 0; i < n; i++)
            if (!dominated(&imp, &ps[i]))
                T_FAIL("round %d: posting %zu not dominated", round, i);

        /* The score bound holds whatever k1, b and the averages are. */
        rp_stats st;
        memset(&st, 0, sizeof st);
        st.ndocs = 1000;
        for (int f = 0; f < RP_NFIELDS; f++)
            st.fieldlen[f] = t_rand(&s) % 400000;
        rp_score_params p;
        rp_score_defaults(&p);
        p.k1 = (float)(0.1 + (double)(t_rand(&s) % 300) / 100);
        p.b = (float)((double)(t_rand(&s) % 101) / 100);
        rp_scorer sc;
        ASSERT_OK(rp_scorer_init(&sc, &st, &p));
        ASSERT(sc.default_weights);
        double idf = rp_score_idf(&sc, (uint32_t)n);
        double bound = rp_score_impacts(&sc, idf, &imp, RP_FIELD_ALL_MASK);
        for (size_t i = 0; i < n; i++) {
            rp_norms nm;
            memset(&nm, 0, sizeof nm);
            memcpy(nm.len, ps[i].len, sizeof nm.len);
            double exact = rp_score_bm25f(&sc, idf, ps[i].tf, &nm,
                                          RP_FIELD_ALL_MASK);
            if (exact > bound)
                T_FAIL("round %d posting %zu: score %.17g over bound %.17g",
                       round, i, exact, bound);
        }
    }
}

/* Up to RP_IMPACTS_MAX points that do not dominate each other are all
 * kept, rounded outwards; dominated ones leave nothing. */
static void test_small_frontier_exact(void)
{
    rp_impact_builder b;
    rp_impact_builder_init(&b);
    post p[4];
    memset(p, 0, sizeof p);
    /* Body only (weight 1): (tf, len) = (1, 10), (3, 40), (2, 25), and
     * (1, 50), which (1, 10) dominates. */
    const uint16_t tf[4] = {1, 3, 2, 1}, len[4] = {10, 40, 25, 50};
    for (int i = 0; i < 4; i++) {
        p[i].tf[RP_F_BODY] = tf[i];
        p[i].len[RP_F_BODY] = len[i];
        rp_impact_add(&b, p[i].tf, p[i].len);
    }
    rp_impacts imp;
    rp_impact_finish(&b, &imp);
    ASSERT_EQ(imp.n, 3);
    ASSERT_EQ(imp.wtf[0], 3 * RP_IMPACT_SCALE);
    ASSERT_EQ(imp.wlen[0], 40 * RP_IMPACT_SCALE);
    ASSERT_EQ(imp.wtf[1], 2 * RP_IMPACT_SCALE);
    ASSERT_EQ(imp.wlen[1], 25 * RP_IMPACT_SCALE);
    ASSERT_EQ(imp.wtf[2], 1 * RP_IMPACT_SCALE);
    ASSERT_EQ(imp.wlen[2], 10 * RP_IMPACT_SCALE);

    /* A weight of 1.2 (approaches) rounds wtf up and wlen down. */
    rp_impact_builder_init(&b);
    post q;
    memset(&q, 0, sizeof q);
    q.tf[RP_F_APPROACHES] = 1;
    q.len[RP_F_APPROACHES] = 3;
    rp_impact_add(&b, q.tf, q.len);
    rp_impact_finish(&b, &imp);
    ASSERT_EQ(imp.n, 1);
    ASSERT(imp.wtf[0] == 20 && imp.wlen[0] == 57); /* 19.2 up, 57.6 down */
}

/* Sixty-four points that do not dominate each other: the builder merges
 * neighbours as it goes and the result still covers them all. */
static void test_long_frontier_merged(void)
{
    rp_impact_builder b;
    rp_impact_builder_init(&b);
    post ps[200];
    memset(ps, 0, sizeof ps);
    for (int i = 0; i < 200; i++) {
        ps[i].tf[RP_F_BODY] = (uint16_t)(1 + i);
        ps[i].len[RP_F_BODY] = (uint16_t)(10 + 7 * i);
        rp_impact_add(&b, ps[i].tf, ps[i].len);
    }
    ASSERT(b.n < RP_IMPACT_BUILD);
    rp_impacts imp;
    rp_impact_finish(&b, &imp);
    ASSERT_EQ(imp.n, RP_IMPACTS_MAX);
    for (int i = 0; i < 200; i++)
        ASSERT(dominated(&imp, &ps[i]));
}

static void test_round_trip_and_corruption(void)
{
    rp_impacts imp = {3, {900, 80, 16}, {70000, 300, 0}}, back;
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_impacts_put(&out, &imp));
    ASSERT_EQ(rp_impacts_get(out.data, out.data + out.len, &back), out.len);
    ASSERT_EQ(back.n, 3);
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(back.wtf[i], imp.wtf[i]);
        ASSERT_EQ(back.wlen[i], imp.wlen[i]);
    }
    for (size_t cut = 0; cut < out.len; cut++)
        ASSERT_EQ(rp_impacts_get(out.data, out.data + cut, &back), 0);
    const unsigned char five[] = {5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    ASSERT_EQ(rp_impacts_get(five, five + sizeof five, &back), 0);
    const unsigned char none[] = {0};
    ASSERT_EQ(rp_impacts_get(none, none + 1, &back), 1);
    ASSERT_EQ(back.n, 0);
    rp_buf_fini(&out);
}

/* A scorer with the default parameters over ndocs documents whose only
 * text is field f, total length fieldlen. */
static void default_scorer(rp_stats *st, rp_score_params *p, rp_scorer *sc,
                           uint64_t ndocs, int f, uint64_t fieldlen)
{
    memset(st, 0, sizeof *st);
    st->ndocs = ndocs;
    st->fieldlen[f] = fieldlen;
    rp_score_defaults(p);
    ASSERT_OK(rp_scorer_init(sc, st, p));
}

/* The frontier applies only under the schema's weights over all fields;
 * otherwise, and for an empty one, there is no bound. */
static void test_bound_applies_only_to_defaults(void)
{
    rp_stats st;
    rp_score_params p;
    rp_scorer sc;
    default_scorer(&st, &p, &sc, 10, RP_F_BODY, 100);
    rp_impacts imp = {1, {32}, {160}}, empty = {0, {0}, {0}};
    double idf = rp_score_idf(&sc, 2);
    ASSERT(rp_score_impacts(&sc, idf, &imp, RP_FIELD_ALL_MASK) < HUGE_VAL);
    ASSERT(rp_score_impacts(&sc, idf, &empty, RP_FIELD_ALL_MASK) == HUGE_VAL);
    ASSERT(rp_score_impacts(&sc, idf, &imp, 1u << RP_F_TITLE) == HUGE_VAL);
    p.weight[RP_F_TITLE] = 5;
    ASSERT_OK(rp_scorer_init(&sc, &st, &p));
    ASSERT(!sc.default_weights);
    ASSERT(rp_score_impacts(&sc, idf, &imp, RP_FIELD_ALL_MASK) == HUGE_VAL);
}

/* Every tf of a field weighing 1.2 (inexact in binary), alone in a
 * posting of every length: the one-point frontier bounds its score. The
 * frontier's sums must round exactly as the scorer's do. */
static void test_inexact_weight_every_tf(void)
{
    rp_stats st;
    rp_score_params p;
    rp_scorer sc;
    default_scorer(&st, &p, &sc, 1000, RP_F_APPROACHES, 5000);
    double idf = rp_score_idf(&sc, 3);
    post q;
    memset(&q, 0, sizeof q);
    for (uint32_t tf = 1; tf <= 65535; tf++) {
        q.tf[RP_F_APPROACHES] = (uint16_t)tf;
        q.len[RP_F_APPROACHES] = (uint16_t)(tf + (tf * 7919u) % 97);
        if (q.len[RP_F_APPROACHES] < tf)
            q.len[RP_F_APPROACHES] = 65535;
        rp_impact_builder b;
        rp_impact_builder_init(&b);
        rp_impact_add(&b, q.tf, q.len);
        rp_impacts imp;
        rp_impact_finish(&b, &imp);
        ASSERT(dominated(&imp, &q));
        rp_norms nm;
        memset(&nm, 0, sizeof nm);
        memcpy(nm.len, q.len, sizeof nm.len);
        double exact =
            rp_score_bm25f(&sc, idf, q.tf, &nm, RP_FIELD_ALL_MASK);
        if (exact > rp_score_impacts(&sc, idf, &imp, RP_FIELD_ALL_MASK))
            T_FAIL("tf %u: score above its frontier", tf);
        /* The stored wtf is the scorer's sum rounded up to a sixteenth. */
        double w = rp_impact_weigh(q.tf);
        ASSERT(imp.wtf[0] == (uint32_t)ceil(w * RP_IMPACT_SCALE));
        ASSERT(w == (double)(1.2f * (float)tf));
    }
}

static const t_case cases[] = {
    T(test_inexact_weight_every_tf),
    T(test_frontier_bounds_every_posting),
    T(test_small_frontier_exact),
    T(test_long_frontier_merged),
    T(test_round_trip_and_corruption),
    T(test_bound_applies_only_to_defaults),
    {NULL, NULL},
};

T_MAIN(cases)

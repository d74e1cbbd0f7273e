/* SPDX-License-Identifier: MIT */
/*
 * Tests for fuzzy: the edit distance (swaps count one, characters not
 * bytes), and the dictionary walk, which must find exactly what comparing
 * the word with every term finds while reading far fewer terms.
 */
#include "rapport/fuzzy.h"
#include "tdb.h"

static unsigned dist(const char *a, const char *b, unsigned limit)
{
    return rp_fuzzy_distance(a, strlen(a), b, strlen(b), limit);
}

static void test_distance(void)
{
    ASSERT_EQ(dist("anxiety", "anxiety", 2), 0);
    ASSERT_EQ(dist("anxiety", "anxeity", 2), 1);   /* swap */
    ASSERT_EQ(dist("anxiety", "anxiet", 2), 1);    /* delete */
    ASSERT_EQ(dist("anxiety", "anxxiety", 2), 1);  /* insert */
    ASSERT_EQ(dist("anxiety", "anxiaty", 2), 1);   /* substitute */
    ASSERT_EQ(dist("narcissist", "narcisist", 2), 1);
    ASSERT_EQ(dist("flashback", "flashbaks", 2), 2);
    ASSERT_EQ(dist("kitten", "sitting", 5), 3);
    ASSERT_EQ(dist("kitten", "sitting", 2), 3); /* capped at limit + 1 */
    /* Optimal string alignment: a swapped pair is not edited again. */
    ASSERT_EQ(dist("ca", "abc", 5), 3);
    ASSERT_EQ(dist("", "abc", 5), 3);
    ASSERT_EQ(dist("abc", "", 5), 3);
    /* Characters, not bytes: e and e-acute differ by one. */
    ASSERT_EQ(dist("caf\xc3\xa9", "cafe", 2), 1);
    ASSERT_EQ(dist("\xc3\xa9t\xc3\xa9", "\xc3\xa9\xc3\xa9t", 2), 1);
    /* Two different invalid bytes are two different characters. */
    ASSERT_EQ(dist("a\xff", "a\xfe", 2), 1);
}

/* A dictionary of random words over a small alphabet (dense neighbours),
 * some with two-byte characters. */
static const char *const letters[] = {
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "k", "l", "m", "n", "o",
    "p", "r", "s", "t", "u", "\xc3\xa9", "\xc3\xb1"};

static void random_word(uint64_t *s, char *out)
{
    size_t n = 3 + t_rand(s) % 7;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        strcat(out, letters[t_rand(s) % (sizeof letters / sizeof *letters)]);
}

typedef struct brute {
    const char *word;
    size_t len;
    unsigned maxd;
    uint32_t min_df;
    rp_fuzzy_term found[4096];
    size_t n;
    size_t terms;
} brute;

static int brute_cb(void *ctx, const char *term, size_t len,
                    const rp_terminfo *info)
{
    brute *b = ctx;
    b->terms++;
    unsigned d = rp_fuzzy_distance(b->word, b->len, term, len, b->maxd);
    if (d >= 1 && d <= b->maxd && info->df >= b->min_df) {
        ASSERT(b->n < 4096);
        rp_fuzzy_term *f = &b->found[b->n++];
        memcpy(f->term, term, len);
        f->len = len;
        f->dist = d;
        f->df = info->df;
    }
    return 0;
}

static int has(const rp_fuzzy_term *v, size_t n, const rp_fuzzy_term *t)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].len == t->len && memcmp(v[i].term, t->term, t->len) == 0)
            return v[i].dist == t->dist && v[i].df == t->df;
    return 0;
}

static void build_dictionary(tdb *t, uint64_t *s, size_t ndocs)
{
    static char lines[400][400];
    const char *batch[401];
    for (size_t d = 0; d < ndocs; d++) {
        int n = snprintf(lines[d], sizeof lines[d],
                         "{\"id\":\"d%zu\",\"body\":\"", d);
        for (int w = 0; w < 8; w++) {
            char word[64];
            random_word(s, word);
            n += snprintf(lines[d] + n, sizeof lines[d] - (size_t)n, "%s ",
                          word);
        }
        snprintf(lines[d] + n, sizeof lines[d] - (size_t)n, "\"}");
        batch[d] = lines[d];
    }
    batch[ndocs] = NULL;
    tdb_add_ok(t, batch);
}

static void test_walk_equals_brute_force(void)
{
    tdb t;
    tdb_open(&t);
    uint64_t s = 0x5eed;
    build_dictionary(&t, &s, 400);
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t.ix, 0, &txn));
    static brute b;
    static rp_fuzzy_term got[4096];
    size_t visited_by_dist[3] = {0}, terms_by_dist[3] = {0}, total_found = 0;
    for (int q = 0; q < 300; q++) {
        char word[64];
        random_word(&s, word);
        memset(&b, 0, sizeof b);
        b.word = word;
        b.len = strlen(word);
        b.maxd = 1 + (unsigned)(q % 2);
        b.min_df = q % 5 == 0 ? 2 : 1;
        ASSERT_OK(rp_txn_term_scan(txn, "", 0, brute_cb, &b));
        size_t n, visited;
        ASSERT_OK(rp_fuzzy_find(txn, word, b.len, b.maxd, b.min_df, got,
                                4096, &n, &visited));
        ASSERT_EQ(n, b.n);
        for (size_t i = 0; i < n; i++) {
            ASSERT(has(b.found, b.n, &got[i]));
            if (i > 0) /* best first */
                ASSERT(got[i - 1].dist < got[i].dist ||
                       (got[i - 1].dist == got[i].dist &&
                        got[i - 1].df >= got[i].df));
        }
        visited_by_dist[b.maxd] += visited;
        terms_by_dist[b.maxd] += b.terms;
        total_found += n;
    }
    /* The walk found something, and skipped part of the dictionary. */
    ASSERT(total_found > 100);
    /* Measured here: 21% of the terms read at distance 1, 83% at
     * distance 2 (short random words over 21 letters are dense). */
    ASSERT(visited_by_dist[1] * 3 < terms_by_dist[1]);
    ASSERT(visited_by_dist[2] < terms_by_dist[2]);
    rp_txn_abort(txn);
    tdb_close(&t);
}

static void test_cap_keeps_best(void)
{
    tdb t;
    tdb_open(&t);
    const char *const docs[] = {
        "{\"id\":\"1\",\"body\":\"anxiety anxiety\"}",
        "{\"id\":\"2\",\"body\":\"anxiety\"}",
        "{\"id\":\"3\",\"body\":\"anxiety anxieties\"}",
        "{\"id\":\"4\",\"body\":\"anxie\"}",
        "{\"id\":\"5\",\"body\":\"anxiet\"}",
        "{\"id\":\"6\",\"body\":\"anxi\"}",
        NULL};
    tdb_add_ok(&t, docs);
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t.ix, 0, &txn));
    rp_fuzzy_term got[2];
    size_t n;
    /* "anxieti" is the stem of anxiety (df 3): distance 1 from "anxeiti",
     * before "anxiet" (df 1, distance 2). */
    ASSERT_OK(rp_fuzzy_find(txn, "anxeiti", 7, 2, 1, got, 2, &n, NULL));
    ASSERT_EQ(n, 2);
    ASSERT_MEM_EQ(got[0].term, got[0].len, "anxieti");
    ASSERT_EQ(got[0].dist, 1);
    ASSERT_EQ(got[0].df, 3);
    ASSERT_EQ(got[1].dist, 2);
    /* min_df leaves out the rarer neighbours; the word itself never
     * counts. */
    ASSERT_OK(rp_fuzzy_find(txn, "anxieti", 7, 2, 2, got, 2, &n, NULL));
    ASSERT_EQ(n, 0);
    ASSERT_OK(rp_fuzzy_find(txn, "anxieti", 7, 1, 1, got, 2, &n, NULL));
    ASSERT_EQ(n, 1);
    ASSERT_MEM_EQ(got[0].term, got[0].len, "anxiet");
    /* Bad arguments. */
    ASSERT_EQ(rp_fuzzy_find(txn, "anxieti", 7, 3, 1, got, 2, &n, NULL),
              RP_EINVAL);
    ASSERT_EQ(rp_fuzzy_find(txn, "", 0, 1, 1, got, 2, &n, NULL), RP_EINVAL);
    ASSERT_EQ(rp_fuzzy_find(txn, "a\xff", 2, 1, 1, got, 2, &n, NULL),
              RP_EINVAL);
    rp_txn_abort(txn);
    tdb_close(&t);
}

static const t_case cases[] = {
    T(test_distance),
    T(test_walk_equals_brute_force),
    T(test_cap_keeps_best),
    {NULL, NULL},
};

T_MAIN(cases)

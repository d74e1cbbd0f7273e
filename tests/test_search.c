/* SPDX-License-Identifier: MIT */
/*
 * Tests for search: BM25F scores worked out by hand, query semantics
 * (boolean, phrase, field, prefix, compounds, stop words), paging and
 * totals, and the proof that MaxScore pruning returns exactly the top k of
 * exhaustive scoring on random queries over a random corpus.
 */
#include <math.h>

#include "tdb.h"

static double score_of(tdb *t, const char *q, const rp_search_opts *o,
                       const char *want_id)
{
    rp_query *query;
    ASSERT_OK(rp_query_parse(q, strlen(q), &query, NULL));
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    rp_results r;
    ASSERT_OK(rp_search(txn, t->an, query, o, &r));
    double s = -1;
    for (size_t i = 0; i < r.nhits; i++) {
        size_t idlen;
        const char *id = tdb_doc_id(txn, r.hits[i].doc, &idlen);
        if (idlen == strlen(want_id) && memcmp(id, want_id, idlen) == 0)
            s = r.hits[i].score;
    }
    rp_results_fini(&r);
    rp_txn_abort(txn);
    rp_query_free(query);
    return s;
}

/*
 * Three bodies (field weight 1), after stop words and stemming:
 *   d1 "grief grief loss"      len 3
 *   d2 "grief therapi"         len 2
 *   d3 "anxieti therapi sleep" len 3        N = 3, avglen = 8/3
 * k1 = 1.2, b = 0.75, idf(df) = ln(1 + (N - df + 0.5) / (df + 0.5)):
 *   idf(2) = ln(1.6) = 0.470003629, idf(1) = ln(2.4286) = 0.980829253
 * score = idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len / avglen))
 *   grief, d1: K = 1.2 * (0.25 + 0.75 * 1.125) = 1.3125
 *              0.470003629 * 4.4 / 3.3125 = 0.624306708
 *   grief, d2: K = 1.2 * (0.25 + 0.75 * 0.75) = 0.975
 *              0.470003629 * 2.2 / 1.975 = 0.523548347
 *   therapy, d3: K = 1.3125: 0.470003629 * 2.2 / 2.3125 = 0.447138588
 *   sleep, d3: 0.980829253 * 2.2 / 2.3125 = 0.933113235
 */
static void test_bm25_by_hand(void)
{
    tdb t;
    tdb_open(&t);
    const char *docs[] = {
        "{\"id\":\"d1\",\"text\":\"Grief, grief and loss.\"}",
        "{\"id\":\"d2\",\"text\":\"grief therapy\"}",
        "{\"id\":\"d3\",\"text\":\"anxiety therapy for sleep\"}", NULL};
    tdb_add_ok(&t, docs);
    rp_search_opts o;
    rp_search_opts_init(&o);
    o.params.k1 = 1.2f;
    o.params.b = 0.75f;
    for (int f = 0; f < RP_NFIELDS; f++)
        o.params.weight[f] = 1.0f;
    ASSERT_NEAR(score_of(&t, "grief", &o, "d1"), 0.624306708, 1e-8);
    ASSERT_NEAR(score_of(&t, "grief", &o, "d2"), 0.523548347, 1e-8);
    ASSERT_NEAR(score_of(&t, "therapy", &o, "d3"), 0.447138588, 1e-8);
    ASSERT_NEAR(score_of(&t, "therapy sleep", &o, "d3"),
                0.447138588 + 0.933113235, 1e-8);
    ASSERT_STR_EQ(tdb_ids(&t, "grief"), "d1 d2");
    tdb_close(&t);
}

/*
 * BM25F with weights title 2, body 1 (combined-field form):
 *   A: title "grief" (1 term), body "loss" (1)
 *   B: title "loss" (1), body "grief grief" (2)     N = 2
 *   avg title 1, avg body 1.5, so avg = 2 * 1 + 1 * 1.5 = 3.5
 *   idf(2) = ln(1 + 0.5 / 2.5) = 0.182321557
 *   A: wtf = 2, wlen = 2 + 1 = 3: K = 1.2 * (0.25 + 0.75 * 3 / 3.5)
 *      0.182321557 * 2 * 2.2 / (2 + 1.071428571) = 0.261186230
 *   B: wtf = 2, wlen = 2 + 2 = 4: K = 1.2 * (0.25 + 0.75 * 4 / 3.5)
 *      0.182321557 * 4.4 / (2 + 1.328571429) = 0.241008753
 */
static void test_bm25f_weights_by_hand(void)
{
    tdb t;
    tdb_open(&t);
    const char *docs[] = {
        "{\"id\":\"A\",\"title\":\"grief\",\"text\":\"loss\"}",
        "{\"id\":\"B\",\"title\":\"loss\",\"text\":\"grief grief\"}", NULL};
    tdb_add_ok(&t, docs);
    rp_search_opts o;
    rp_search_opts_init(&o);
    o.params.k1 = 1.2f;
    o.params.b = 0.75f;
    for (int f = 0; f < RP_NFIELDS; f++)
        o.params.weight[f] = 1.0f;
    o.params.weight[RP_F_TITLE] = 2.0f;
    ASSERT_NEAR(score_of(&t, "grief", &o, "A"), 0.261186230, 1e-8);
    ASSERT_NEAR(score_of(&t, "grief", &o, "B"), 0.241008753, 1e-8);
    tdb_close(&t);
}

static void test_query_semantics(void)
{
    tdb t;
    tdb_open(&t);
    const char *docs[] = {
        "{\"id\":\"a1\",\"title\":\"Fear of abandonment\",\"body\":\"attachment"
        " and relationships\"}",
        "{\"id\":\"a2\",\"title\":\"Abandonment\",\"body\":\"fear is normal;"
        " sleep helps\"}",
        "{\"id\":\"a3\",\"body\":\"Post-traumatic stress after an accident\"}",
        "{\"id\":\"a4\",\"body\":\"post traumatic growth\"}",
        "{\"id\":\"a5\",\"body\":\"traumatic memories and sleep\"}",
        "{\"id\":\"s1\",\"type\":\"specialist\",\"name\":\"Ana Ruiz\","
        "\"bio\":\"grief and trauma\",\"concerns\":[\"grief\",\"sleep\"]}",
        NULL};
    tdb_add_ok(&t, docs);
    /* Phrases keep stop-word gaps and order. */
    ASSERT_STR_EQ(tdb_ids(&t, "\"fear of abandonment\""), "a1");
    /* AND, NOT, +, -. */
    ASSERT_STR_EQ(tdb_ids(&t, "fear AND sleep"), "a2");
    ASSERT_STR_EQ(tdb_ids(&t, "sleep -fear -grief"), "a5");
    ASSERT_STR_EQ(tdb_ids(&t, "sleep AND NOT traumatic AND NOT grief"),
                  "a2");
    ASSERT_STR_EQ(tdb_ids(&t, "+abandonment +attachment"), "a1");
    ASSERT_STR_EQ(tdb_ids(&t, "NOT sleep"), "");
    ASSERT_STR_EQ(tdb_ids(&t, "-sleep"), "");
    /* Fields and aliases. */
    ASSERT_STR_EQ(tdb_ids(&t, "title:fear"), "a1");
    ASSERT_STR_EQ(tdb_ids(&t, "concerns:sleep"), "s1");
    ASSERT_STR_EQ(tdb_ids(&t, "name:ruiz"), "s1");
    /* Compounds: all three spellings find the hyphenated document. */
    char out[256];
    ASSERT_OK(tdb_query(&t, "posttraumatic", NULL, out, sizeof out, NULL));
    ASSERT_STR_EQ(out, "a3");
    ASSERT_OK(tdb_query(&t, "\"post traumatic\"", NULL, out, sizeof out,
                        NULL));
    ASSERT(strstr(out, "a3") && strstr(out, "a4"));
    ASSERT_OK(tdb_query(&t, "post-traumatic", NULL, out, sizeof out, NULL));
    ASSERT(strstr(out, "a3") && strstr(out, "a4") && !strstr(out, "a5"));
    /* Prefixes match stems by their unstemmed form. */
    ASSERT_OK(tdb_query(&t, "traum*", NULL, out, sizeof out, NULL));
    ASSERT(strstr(out, "a3") && strstr(out, "a4") && strstr(out, "a5") &&
           strstr(out, "s1"));
    /* A prefix matching more than RP_PREFIX_MAX_TERMS terms is refused. */
    {
        char many[RP_PREFIX_MAX_TERMS + 1][64];
        const char *ds[RP_PREFIX_MAX_TERMS + 2];
        for (int i = 0; i <= RP_PREFIX_MAX_TERMS; i++) {
            snprintf(many[i], sizeof many[i],
                     "{\"id\":\"m%d\",\"text\":\"qqword%dx\"}", i, i);
            ds[i] = many[i];
        }
        ds[RP_PREFIX_MAX_TERMS + 1] = NULL;
        tdb_add_ok(&t, ds);
        char out2[64];
        ASSERT_EQ(tdb_query(&t, "qqword*", NULL, out2, sizeof out2, NULL),
                  RP_ELIMIT);
        ASSERT_OK(tdb_query(&t, "qqword1*", NULL, out2, sizeof out2, NULL));
    }
    /* Only stop words, or unknown words: no hits, no error. */
    ASSERT_STR_EQ(tdb_ids(&t, "the of and"), "");
    ASSERT_STR_EQ(tdb_ids(&t, "zzzunknown"), "");
    ASSERT_STR_EQ(tdb_ids(&t, "+zzzunknown sleep"), "");
    /* A malformed structured query is an error with an offset. */
    rp_query *q = NULL;
    rp_error err;
    rp_error_clear(&err);
    ASSERT_EQ(rp_query_parse("(sleep", 6, &q, &err), RP_EQUERY);
    tdb_close(&t);
}

static void test_type_limit_offset_total(void)
{
    tdb t;
    tdb_open(&t);
    char line[20][160];
    const char *docs[21];
    for (int i = 0; i < 20; i++) {
        snprintf(line[i], sizeof line[i],
                 "{\"id\":\"d%02d\",\"type\":\"%s\",\"title\":\"%s\","
                 "\"body\":\"anxiety%s\"}",
                 i, i % 2 ? "question" : "article", "topic",
                 i % 5 == 0 ? " anxiety anxiety" : "");
        docs[i] = line[i];
    }
    docs[20] = NULL;
    tdb_add_ok(&t, docs);
    rp_search_opts o;
    rp_search_opts_init(&o);
    char all[1024], page[1024];
    uint64_t total;
    o.limit = 20;
    ASSERT_OK(tdb_query(&t, "anxiety", &o, all, sizeof all, &total));
    ASSERT_EQ(total, 20);
    /* The four documents with tf 3 first, ties by insertion order. */
    ASSERT(strncmp(all, "d00 d05 d10 d15 ", 16) == 0);
    o.limit = 3;
    o.offset = 4;
    ASSERT_OK(tdb_query(&t, "anxiety", &o, page, sizeof page, &total));
    ASSERT_EQ(total, 20);
    ASSERT(strncmp(page, all + 16, strlen(page)) == 0);
    o.offset = 0;
    o.limit = 20;
    o.type = RP_DOC_QUESTION;
    ASSERT_OK(tdb_query(&t, "anxiety", &o, page, sizeof page, &total));
    ASSERT_EQ(total, 10);
    ASSERT(strstr(page, "d00") == NULL && strstr(page, "d01") != NULL);
    o.limit = RP_SEARCH_MAX_K + 1;
    ASSERT_EQ(tdb_query(&t, "anxiety", &o, page, sizeof page, &total),
              RP_EINVAL);
    tdb_close(&t);
}

static const char *const word_syl[] = {"ka", "lo",  "mi", "ren", "tu",
                                       "sa", "vor", "el", "nim", "pa"};

/* A word from a Zipf-like vocabulary of 400 made-up words. */
static void word(uint64_t *s, char *out)
{
    uint64_t r = t_rand(s) % 1000;
    unsigned w = (unsigned)(r * r / 2500); /* 0..399, small ones common */
    snprintf(out, 16, "%s%s%s", word_syl[w % 10], word_syl[(w / 10) % 10],
             word_syl[(w / 100) % 10]);
}

/* One of the six commonest words of word(): a phrase of two of them
 * matches often and scores low, so pruning meets it as a term whose
 * documents must be looked up. */
static void common_word(uint64_t *s, char *out)
{
    unsigned w = (unsigned)(t_rand(s) % 6);
    snprintf(out, 16, "%s%s%s", word_syl[w], word_syl[0], word_syl[0]);
}

static void build_random(tdb *t, uint64_t seed, int ndocs)
{
    uint64_t s = seed;
    char **lines = calloc((size_t)ndocs + 1, sizeof *lines);
    ASSERT(lines != NULL);
    for (int i = 0; i < ndocs; i++) {
        char title[200] = "", body[4000] = "", w[16];
        int nt = 1 + (int)(t_rand(&s) % 4), nb = (int)(t_rand(&s) % 120);
        for (int j = 0; j < nt; j++) {
            word(&s, w);
            strcat(title, w);
            strcat(title, " ");
        }
        for (int j = 0; j < nb; j++) {
            word(&s, w);
            strcat(body, w);
            strcat(body, " ");
        }
        lines[i] = malloc(4400);
        ASSERT(lines[i] != NULL);
        snprintf(lines[i], 4400,
                 "{\"id\":\"r%d\",\"type\":\"%s\",\"title\":\"%s\","
                 "\"body\":\"%s\"}",
                 i, i % 3 ? "article" : "question", title, body);
    }
    tdb_add_ok(t, (const char *const *)lines);
    for (int i = 0; i < ndocs; i++)
        free(lines[i]);
    free(lines);
}

/* Fails unless pruned search b returned exactly exhaustive search a's
 * hits, in order, with the same scores. */
static void same_hits(const char *q, size_t k, const char *how,
                      const rp_results *a, const rp_results *b)
{
    if (a->nhits != b->nhits)
        T_FAIL("%s (k=%zu%s): %zu hits exhaustive, %zu pruned", q, k, how,
               a->nhits, b->nhits);
    for (size_t i = 0; i < a->nhits; i++)
        if (a->hits[i].doc != b->hits[i].doc ||
            a->hits[i].score != b->hits[i].score)
            T_FAIL("%s (k=%zu%s) hit %zu: doc %u %.17g vs doc %u %.17g", q,
                   k, how, i, a->hits[i].doc, a->hits[i].score,
                   b->hits[i].doc, b->hits[i].score);
}

static void compare_topk(tdb *t, const char *q, rp_search_opts *o)
{
    rp_query *query;
    ASSERT_OK(rp_query_parse(q, strlen(q), &query, NULL));
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    rp_results a, b;
    o->exhaustive = 1;
    ASSERT_OK(rp_search(txn, t->an, query, o, &a));
    o->exhaustive = 0;
    ASSERT_OK(rp_search(txn, t->an, query, o, &b));
    same_hits(q, o->limit, "", &a, &b);
    ASSERT(a.total_exact && b.total_exact);
    ASSERT_EQ(a.total, b.total);
    rp_results_fini(&b);
    /* Without a total count, a pruned search ends with its top k (no
     * counting pass): the same hits, and a total that is exact or says it
     * is not (then the hits it has). */
    o->count = 0;
    ASSERT_OK(rp_search(txn, t->an, query, o, &b));
    o->count = 1;
    same_hits(q, o->limit, ", no count", &a, &b);
    if (b.total_exact)
        ASSERT_EQ(b.total, a.total);
    else
        ASSERT_EQ(b.total, b.nhits);
    rp_results_fini(&a);
    rp_results_fini(&b);
    rp_txn_abort(txn);
    rp_query_free(query);
}

/* Random queries of 1-6 words, some excluded or fielded, some required
 * (+), one in five with a phrase after them; with vary, also random k1 and b and, one
 * query in four, weights other than the schema's (which the stored score
 * frontiers do not cover). */
static void random_queries(tdb *t, uint64_t seed, int nq, int vary)
{
    uint64_t s = seed;
    static const size_t ks[] = {1, 3, 10, 50};
    static const char *mods[] = {"", "", "", "-", "title:", "+"};
    for (int qi = 0; qi < nq; qi++) {
        /* Every third query may require words (+): a conjunction. */
        size_t nmods = qi % 3 == 1 ? 6 : 5;
        char q[400] = "", w[16];
        int nw = 1 + (int)(t_rand(&s) % 6);
        for (int j = 0; j < nw; j++) {
            word(&s, w);
            strcat(q, j ? " " : "");
            strcat(q, j ? mods[t_rand(&s) % nmods] : "");
            strcat(q, w);
        }
        if (qi % 5 == 2) { /* a phrase among the terms */
            strcat(q, " \"");
            common_word(&s, w);
            strcat(q, w);
            strcat(q, " ");
            common_word(&s, w);
            strcat(q, w);
            strcat(q, "\"");
        }
        rp_search_opts o;
        rp_search_opts_init(&o);
        o.limit = ks[qi % 4];
        o.type = qi % 7 == 0 ? RP_DOC_QUESTION : RP_DOC_NONE;
        if (vary) {
            o.params.k1 = (float)(0.3 + (double)(t_rand(&s) % 250) / 100);
            o.params.b = (float)((double)(t_rand(&s) % 101) / 100);
            if (qi % 4 == 0)
                o.params.weight[RP_F_BODY] = 2.5f;
        }
        compare_topk(t, q, &o);
    }
}

static void test_pruning_equals_exhaustive(void)
{
    tdb t;
    tdb_open(&t);
    build_random(&t, 42, 3000);
    random_queries(&t, 7, 300, 0);
    random_queries(&t, 8, 100, 1);
    /* Incremental updates: a third of the documents replaced (their old
     * postings removed from blocks, the new ones appended to the terms'
     * last blocks) and a batch of deletions; block bounds must still hold. */
    build_random(&t, 43, 1000);
    const char *gone[] = {"r5", "r77", "r1500", "r2999", "r640", NULL};
    rp_batch *b;
    ASSERT_OK(rp_batch_new(t.ix, NULL, &b));
    for (size_t i = 0; gone[i]; i++)
        ASSERT_OK(rp_batch_delete(b, gone[i], strlen(gone[i])));
    rp_error err;
    rp_error_clear(&err);
    ASSERT_OK(rp_batch_commit(b, NULL, &err));
    rp_batch_free(b);
    random_queries(&t, 9, 200, 0);
    random_queries(&t, 10, 100, 1);
    tdb_close(&t);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids matching q, in id order, space-separated (static storage). */
static const char *sorted_ids(tdb *t, const char *q)
{
    static char out[4096];
    char buf[4096], *ids[256];
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", tdb_ids(t, q));
    for (char *tok = strtok(buf, " "); tok && n < 256; tok = strtok(NULL, " "))
        ids[n++] = tok;
    qsort(ids, n, sizeof *ids, cmp_str);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strcat(out, i ? " " : "");
        strcat(out, ids[i]);
    }
    return out;
}

/* Phrases against documents written to line their words up in every way:
 * a repeated word, a word again just before or after where the phrase
 * needs it, and fillers around them (postings of the same blocks whose
 * positions a reader passes over). */
static void test_phrase_positions(void)
{
    tdb t;
    tdb_open(&t);
    static char text[120][96];
    const char *docs[126];
    size_t n = 0;
    const char *mine[] = {
        "{\"id\":\"p1\",\"text\":\"echo echo\"}",
        "{\"id\":\"p2\",\"text\":\"echo delta echo\"}",
        "{\"id\":\"p3\",\"text\":\"delta echo delta delta echo\"}",
        "{\"id\":\"p4\",\"text\":\"delta delta echo\"}",
        "{\"id\":\"p5\",\"title\":\"echo\",\"text\":\"echo delta\"}"};
    for (int i = 0; i < 120; i++) {
        if (i == 60) /* the phrase documents amid the fillers */
            for (size_t j = 0; j < 5; j++)
                docs[n++] = mine[j];
        snprintf(text[i], sizeof text[i],
                 "{\"id\":\"f%03d\",\"text\":\"%s\"}", i,
                 i >= 60   ? "foxtrot echo foxtrot delta"
                 : i % 2 ? "echo foxtrot echo foxtrot delta foxtrot echo "
                           "foxtrot delta"
                         : "echo foxtrot echo foxtrot delta foxtrot");
        docs[n++] = text[i];
    }
    docs[n] = NULL;
    tdb_add_ok(&t, docs);
    ASSERT_STR_EQ(sorted_ids(&t, "\"echo echo\""), "p1");
    ASSERT_STR_EQ(sorted_ids(&t, "\"echo delta delta\""), "p3");
    ASSERT_STR_EQ(sorted_ids(&t, "\"delta echo\""), "p2 p3 p4");
    ASSERT_STR_EQ(sorted_ids(&t, "\"echo delta\""), "p2 p3 p5");
    ASSERT_STR_EQ(sorted_ids(&t, "\"delta delta echo\""), "p3 p4");
    ASSERT_STR_EQ(sorted_ids(&t, "\"echo echo delta\""), "");
    tdb_close(&t);
}

static void test_text_search_counts_repeats(void)
{
    tdb t;
    tdb_open(&t);
    const char *docs[] = {"{\"id\":\"x\",\"text\":\"sleep well\"}",
                          "{\"id\":\"y\",\"text\":\"anxiety\"}", NULL};
    tdb_add_ok(&t, docs);
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t.ix, 0, &txn));
    rp_search_opts o;
    rp_search_opts_init(&o);
    rp_results once, twice;
    const char *q1 = "sleep (anxiety?", *q2 = "sleep sleep \"anxiety";
    ASSERT_OK(rp_search_text(txn, t.an, q1, strlen(q1), &o, &once));
    ASSERT_OK(rp_search_text(txn, t.an, q2, strlen(q2), &o, &twice));
    ASSERT_EQ(once.nhits, 2);
    ASSERT_EQ(twice.nhits, 2);
    /* Natural language: no syntax errors; a repeated term counts twice. */
    double s1 = -1, s2 = -1;
    for (size_t i = 0; i < 2; i++) {
        if (once.hits[i].doc == 1)
            s1 = once.hits[i].score;
        if (twice.hits[i].doc == 1)
            s2 = twice.hits[i].score;
    }
    ASSERT(s1 > 0);
    ASSERT_NEAR(s2, 2 * s1, 1e-9);
    rp_results_fini(&once);
    rp_results_fini(&twice);
    /* A pasted megabyte is read up to its first 4096 terms, and works. */
    size_t big = 1 << 20;
    char *text = malloc(big);
    ASSERT(text != NULL);
    for (size_t i = 0; i < big; i++)
        text[i] = "sleep xyz "[i % 10];
    ASSERT_OK(rp_search_text(txn, t.an, text, big, &o, &once));
    ASSERT_EQ(once.nhits, 1);
    rp_results_fini(&once);
    free(text);
    rp_txn_abort(txn);
    tdb_close(&t);
}

static const t_case cases[] = {
    T(test_bm25_by_hand),
    T(test_bm25f_weights_by_hand),
    T(test_query_semantics),
    T(test_type_limit_offset_total),
    T(test_pruning_equals_exhaustive),
    T(test_phrase_positions),
    T(test_text_search_counts_repeats),
    {NULL, NULL},
};

T_MAIN(cases)

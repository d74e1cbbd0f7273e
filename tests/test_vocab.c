/* SPDX-License-Identifier: MIT */
/*
 * Tests for vocab: synonym rules analysed like the index, matched against
 * analysed queries by relative position, equivalent both ways and one-way
 * only forwards; and search using them (a synonym finds what the literal
 * words would, at a lower weight).
 */
#include "rapport/json.h"
#include "rapport/vocab.h"
#include "tdb.h"

static const char rules_json[] =
    "{\"concerns\":[],\"approaches\":[],\"synonyms\":["
    "{\"type\":\"equivalent\",\"terms\":[\"PTSD\",\"post-traumatic stress\"]},"
    "{\"type\":\"equivalent\",\"terms\":[\"couples counselling\","
    "\"couples therapy\",\"marriage counseling\"]},"
    "{\"type\":\"one_way\",\"from\":[\"panic attacks\"],\"to\":[\"anxiety\"]},"
    "{\"type\":\"equivalent\",\"terms\":[\"the\",\"of\"]}"
    "]}";

typedef struct alts {
    char text[512];
} alts;

static int on_alt(void *ctx, const char *t, size_t n)
{
    alts *a = ctx;
    strncat(a->text, t, n);
    strcat(a->text, "|");
    return 0;
}

/* The phrases added for query text q. */
static const char *expand_text(rp_vocab *v, rp_analyzer *an, const char *q)
{
    static alts a;
    rp_vterms t;
    ASSERT_OK(rp_vterms_analyze(an, 0, q, strlen(q), &t));
    memset(&a, 0, sizeof a);
    ASSERT_OK(rp_vocab_expand(v, t.t, t.n, on_alt, &a));
    rp_vterms_fini(&t);
    return a.text;
}

static void test_expand(void)
{
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_vocab *v;
    ASSERT_OK(rp_vocab_new(an, &v));
    rp_error err;
    rp_error_clear(&err);
    ASSERT_OK(rp_json_load_vocab(rules_json, sizeof rules_json - 1, v, &err));
    ASSERT_EQ(rp_vocab_nrules(v), 4);
    /* Both ways, case-folded. */
    ASSERT_STR_EQ(expand_text(v, an, "ptsd"), "post-traumatic stress|");
    ASSERT_STR_EQ(expand_text(v, an, "Post-Traumatic Stress nightmares"),
                  "PTSD|");
    /* Stemmed, multi-word, several alternatives, not the one present. */
    ASSERT_STR_EQ(expand_text(v, an, "counselling for couples"), "");
    ASSERT_STR_EQ(expand_text(v, an, "couple counselling"),
                  "couples therapy|marriage counseling|");
    /* One way only. */
    ASSERT_STR_EQ(expand_text(v, an, "panic attack at night"), "anxiety|");
    ASSERT_STR_EQ(expand_text(v, an, "anxiety"), "");
    /* A rule of stop words only matches nothing. */
    ASSERT_STR_EQ(expand_text(v, an, "the end"), ""); /* not "of" */
    rp_vocab_free(v);
    rp_analyzer_free(an);
}

static void test_bad_vocabulary(void)
{
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_vocab *v;
    ASSERT_OK(rp_vocab_new(an, &v));
    static const char *const bad[] = {
        "{\"concerns\":1,\"approaches\":[]}",
        "{\"concerns\":[],\"approaches\":[],\"synonyms\":[{\"type\":\"x\"}]}",
        "{\"concerns\":[{\"id\":\"a\"}],\"approaches\":[]}",
        "{\"concerns\":[],\"approaches\":[],\"synonyms\":[{\"type\":"
        "\"one_way\",\"from\":[1],\"to\":[]}]}",
        "{\"concerns\":[], }",
        /* Ids are facet values as they stand; matches fit one. */
        "{\"concerns\":[{\"id\":\"Sleep-Problems\",\"label\":\"S\","
        "\"match\":\"sleep\"}],\"approaches\":[]}",
        "{\"concerns\":[{\"id\":\"sleep\",\"label\":\"S\",\"match\":\"\"}],"
        "\"approaches\":[]}",
        "{\"concerns\":[{\"id\":\"a\",\"label\":\"A\",\"match\":\"a\"},"
        "{\"id\":\"a\",\"label\":\"B\",\"match\":\"b\"}],\"approaches\":[]}",
        /* A phrase of 17 words is refused, not cut to 16. */
        "{\"concerns\":[{\"id\":\"a\",\"label\":\"A\",\"match\":\"a\","
        "\"phrasings\":[\"w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 "
        "w15 w16 w17\"]}],\"approaches\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rp_error err;
        rp_error_clear(&err);
        int rc = rp_json_load_vocab(bad[i], strlen(bad[i]), v, &err);
        if (rc != RP_EDOC && rc != RP_EJSON)
            T_FAIL("case %zu: rc %d", i, rc);
        ASSERT(err.msg[0] != '\0');
    }
    rp_vocab_free(v);
    rp_analyzer_free(an);
}

static void test_search_with_synonyms(void)
{
    tdb t;
    tdb_open(&t);
    const char *docs[] = {
        "{\"id\":\"d1\",\"text\":\"Living with post-traumatic stress.\"}",
        "{\"id\":\"d2\",\"text\":\"What happens in couples therapy.\"}",
        "{\"id\":\"d3\",\"text\":\"Anxiety at work.\"}",
        "{\"id\":\"d4\",\"text\":\"Panic attacks and what to do.\"}",
        "{\"id\":\"d5\",\"text\":\"Couples counselling, a first session.\"}",
        NULL};
    tdb_add_ok(&t, docs);
    rp_vocab *v;
    ASSERT_OK(rp_vocab_new(t.an, &v));
    ASSERT_OK(rp_json_load_vocab(rules_json, sizeof rules_json - 1, v, NULL));
    rp_search_opts o;
    rp_search_opts_init(&o);
    o.vocab = v;
    char out[256];
    ASSERT_OK(tdb_query(&t, "PTSD", &o, out, sizeof out, NULL));
    ASSERT_STR_EQ(out, "d1");
    /* The literal match ranks above the synonym's. */
    ASSERT_OK(tdb_query(&t, "couples counselling", &o, out, sizeof out,
                        NULL));
    ASSERT_STR_EQ(out, "d5 d2");
    ASSERT_OK(tdb_query(&t, "panic attacks", &o, out, sizeof out, NULL));
    ASSERT_STR_EQ(out, "d4 d3");
    ASSERT_OK(tdb_query(&t, "anxiety", &o, out, sizeof out, NULL));
    ASSERT_STR_EQ(out, "d3");
    /* Structured queries say exactly what they mean: no synonyms. */
    ASSERT_OK(tdb_query(&t, "(PTSD)", &o, out, sizeof out, NULL));
    ASSERT_STR_EQ(out, "");
    o.vocab = NULL;
    ASSERT_OK(tdb_query(&t, "PTSD", &o, out, sizeof out, NULL));
    ASSERT_STR_EQ(out, "");
    rp_vocab_free(v);
    tdb_close(&t);
}

typedef struct hits {
    char text[512];
    const rp_vocab *v;
    double w[32]; /* weights in the order of text's ids */
    size_t n;
} hits;

static hits last_hits; /* of the latest concepts_of */

static int on_concept(void *ctx, size_t c, double weight)
{
    hits *h = ctx;
    if (h->n < 32)
        h->w[h->n++] = weight;
    strcat(h->text, rp_vocab_id(h->v, c));
    strcat(h->text, " ");
    return 0;
}

/* The concept ids named in q, in vocabulary order. */
static const char *concepts_of(rp_vocab *v, rp_analyzer *an, const char *q)
{
    hits *h = &last_hits;
    rp_vterms t;
    ASSERT_OK(rp_vterms_analyze(an, 0, q, strlen(q), &t));
    memset(h, 0, sizeof *h);
    h->v = v;
    ASSERT_OK(rp_vocab_concepts(v, t.t, t.n, on_concept, h));
    rp_vterms_fini(&t);
    return h->text;
}

/* Word evidence: a stem only one concept's phrases use names it without
 * any whole phrase occurring (the best such concept weighs 4, against 1
 * for each whole phrase); a stem every concept uses names none. */
static void test_word_evidence(void)
{
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_vocab *v;
    ASSERT_OK(rp_vocab_new(an, &v));
    const char *hoard[] = {"hoarding", "can't throw things away",
                           "rooms full of clutter"};
    const char *grief[] = {"grief", "lost my mother", "feeling empty"};
    const char *lonely[] = {"loneliness", "feeling alone", "no friends"};
    ASSERT_OK(rp_vocab_add_concept(v, 0, "hoarding", "Hoarding", "hoarding",
                                   hoard, 3, NULL, 0));
    ASSERT_OK(rp_vocab_add_concept(v, 0, "grief", "Grief", "grief", grief,
                                   3, NULL, 0));
    ASSERT_OK(rp_vocab_add_concept(v, 0, "loneliness", "Loneliness",
                                   "loneliness", lonely, 3, NULL, 0));
    ASSERT_OK(rp_vocab_resolve(v));
    /* Two stems only hoarding uses (ln 3 each, 2.2 together): below the
     * floor of 3 alone... */
    ASSERT_STR_EQ(concepts_of(v, an, "clutter in the rooms"), "");
    /* ...three reach it, with no phrase of hoarding occurring whole. */
    ASSERT_STR_EQ(concepts_of(v, an, "I never throw away clutter, the "
                                     "rooms are packed"),
                  "hoarding ");
    ASSERT_NEAR(last_hits.w[0], 4.0, 1e-9);
    /* A whole phrase counts 1; its two stems (2.2) add no evidence. */
    ASSERT_STR_EQ(concepts_of(v, an, "I lost my mother"), "grief ");
    ASSERT_NEAR(last_hits.w[0], 1.0, 1e-9);
    /* "feeling" is used by two concepts of three, too weak to name
     * either; "feeling empty" names grief by its phrase. */
    ASSERT_STR_EQ(concepts_of(v, an, "feeling"), "");
    ASSERT_STR_EQ(concepts_of(v, an, "feeling empty"), "grief ");
    rp_vocab_free(v);
    rp_analyzer_free(an);
}

/* The project's vocabulary: visitors' words find the concepts. */
static void test_corpus_vocabulary(void)
{
    rp_buf file;
    t_repo_file("corpus/vocabulary.json", &file);
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_vocab *v;
    ASSERT_OK(rp_vocab_new(an, &v));
    rp_error err;
    rp_error_clear(&err);
    int rc = rp_json_load_vocab((const char *)file.data, file.len, v, &err);
    rp_buf_fini(&file);
    if (rc != 0)
        T_FAIL("load: %s", err.msg);
    ASSERT_EQ(rp_vocab_nconcepts(v), 86 + 44);
    ASSERT(strstr(concepts_of(v, an, "I can't stop checking the stove"),
                  "ocd ") != NULL);
    ASSERT(strstr(concepts_of(v, an, "ptsd flashbacks after the crash"),
                  "ptsd ") != NULL);
    ASSERT(strstr(concepts_of(v, an, "looking for EMDR"), "emdr ") != NULL);
    ASSERT_STR_EQ(concepts_of(v, an, "the weather is nice"), "");
    /* Word evidence: no hoarding phrase occurs whole here. */
    ASSERT(strstr(concepts_of(v, an, "the garage is so full of stuff, we "
                                     "never throw anything out"),
                  "hoarding ") != NULL);
    /* Parents resolve: PTSD sits under trauma. */
    size_t c = 0, par[RP_VOCAB_MAX_PARENTS];
    while (c < rp_vocab_nconcepts(v) && strcmp(rp_vocab_id(v, c), "ptsd"))
        c++;
    ASSERT(c < rp_vocab_nconcepts(v));
    size_t np = rp_vocab_parents(v, c, par);
    ASSERT(np >= 1);
    ASSERT_STR_EQ(rp_vocab_id(v, par[0]), "trauma");
    size_t mlen;
    const char *m = rp_vocab_match(v, c, &mlen);
    ASSERT_MEM_EQ(m, mlen, "ptsd");
    /* Tags name concepts by match label or id, case and spaces aside. */
    ASSERT_EQ(rp_vocab_find(v, " PTSD ", 6), c);
    ASSERT_STR_EQ(rp_vocab_id(v, rp_vocab_find(v, "work-stress", 11)),
                  "work-stress");
    ASSERT_STR_EQ(rp_vocab_id(v, rp_vocab_find(v, "Work Stress", 11)),
                  "work-stress");
    ASSERT_EQ(rp_vocab_find(v, "weather", 7), SIZE_MAX);
    ASSERT_EQ(rp_vocab_find(v, "", 0), SIZE_MAX);
    rp_vocab_free(v);
    rp_analyzer_free(an);
}

/* The docids of a concept's stored set, as "id id ..." of their ids. */
static const char *concept_docs(tdb *t, const char *concept)
{
    static char out[256];
    out[0] = '\0';
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    rp_docset *set;
    ASSERT_OK(rp_txn_facet_get(txn, RP_FACET_CONCEPTS, concept,
                               strlen(concept), &set));
    const char *ids[] = {"a1", "a2", "a3"};
    for (size_t i = 0; i < 3; i++) {
        rp_docid d;
        if (rp_txn_id_get(txn, ids[i], 2, &d) == 0 &&
            rp_docset_contains(set, d)) {
            strcat(out, ids[i]);
            strcat(out, " ");
        }
    }
    ASSERT_EQ(rp_docset_count(set), strlen(out) / 3);
    rp_docset_free(set);
    rp_txn_abort(txn);
    return out;
}

static void store_vocab(tdb *t, const char *json)
{
    rp_error err;
    rp_error_clear(&err);
    if (rp_json_store_vocab(t->ix, json, strlen(json), &err) != 0)
        T_FAIL("store: %s", err.msg);
}

/* With a vocabulary in the index, each batch files the concepts its
 * documents are about (tagged or mentioned); a replaced or deleted
 * document leaves them, even after the vocabulary changed. */
static void test_concepts_facet(void)
{
    tdb t;
    tdb_open(&t);
    store_vocab(&t, "{\"concerns\":["
                    "{\"id\":\"grief\",\"label\":\"Grief\","
                    "\"match\":\"grief\",\"phrasings\":[\"lost my mother\"]},"
                    "{\"id\":\"ocd\",\"label\":\"OCD\",\"match\":\"OCD\","
                    "\"phrasings\":[\"checking the stove\"]}],"
                    "\"approaches\":[],\"synonyms\":[]}");
    const char *docs[] = {
        "{\"id\":\"a1\",\"title\":\"After a loss\",\"tags\":[\"Grief\"]}",
        "{\"id\":\"a2\",\"body\":\"I keep checking the stove.\"}",
        "{\"id\":\"a3\",\"body\":\"Nothing to see.\"}", NULL};
    tdb_add_ok(&t, docs);
    ASSERT_STR_EQ(concept_docs(&t, "grief"), "a1 ");
    ASSERT_STR_EQ(concept_docs(&t, "ocd"), "a2 ");
    /* Replaced: a2 no longer mentions it; a3 now does. */
    const char *again[] = {
        "{\"id\":\"a2\",\"body\":\"Calm now.\"}",
        "{\"id\":\"a3\",\"body\":\"Checking the stove, twice.\"}", NULL};
    tdb_add_ok(&t, again);
    ASSERT_STR_EQ(concept_docs(&t, "ocd"), "a3 ");
    /* A new vocabulary without grief: deleting a1 still clears it. */
    store_vocab(&t, "{\"concerns\":[{\"id\":\"ocd\",\"label\":\"OCD\","
                    "\"match\":\"OCD\",\"phrasings\":[]}],"
                    "\"approaches\":[],\"synonyms\":[]}");
    rp_batch *b;
    ASSERT_OK(rp_batch_new(t.ix, NULL, &b));
    ASSERT_OK(rp_batch_delete(b, "a1", 2));
    ASSERT_OK(rp_batch_commit(b, NULL, NULL));
    rp_batch_free(b);
    ASSERT_STR_EQ(concept_docs(&t, "grief"), "");
    ASSERT_STR_EQ(concept_docs(&t, "ocd"), "a3 ");
    tdb_close(&t);
}

static const t_case cases[] = {
    T(test_concepts_facet),
    T(test_expand),
    T(test_bad_vocabulary),
    T(test_search_with_synonyms),
    T(test_word_evidence),
    T(test_corpus_vocabulary),
    {NULL, NULL},
};

T_MAIN(cases)

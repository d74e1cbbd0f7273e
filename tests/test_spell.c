/* SPDX-License-Identifier: MIT */
/*
 * Tests for typo tolerance: which words spell corrects and with what,
 * search with opts.typo (a corrected word finds what the word would,
 * exact matches stay first, phrases and prefixes are left alone), the
 * written form of a correction and the did-you-mean rule (correct).
 */
#include "rapport/correct.h"
#include "rapport/json.h"
#include "rapport/spell.h"
#include "tdb.h"

static const char *const docs[] = {
    "{\"id\":\"a1\",\"title\":\"Anxiety at night\","
    "\"body\":\"Anxiety keeps many people awake.\"}",
    "{\"id\":\"a2\",\"title\":\"Living with anxiety\","
    "\"body\":\"Small steps help with anxiety and worry.\"}",
    "{\"id\":\"a3\",\"title\":\"Anxiety and the body\","
    "\"body\":\"Anxiety shows in the body.\"}",
    "{\"id\":\"a4\",\"title\":\"Information for carers\","
    "\"body\":\"Information about support with anxiety.\"}",
    "{\"id\":\"a5\",\"title\":\"Flashbacks\","
    "\"body\":\"Flashbacks after trauma, and how therapy helps.\"}",
    "{\"id\":\"q1\",\"type\":\"question\",\"title\":\"My anxeity is bad\","
    "\"body\":\"Typed in a hurry at 3am, 12345 times.\"}",
    NULL};

static void open_docs(tdb *t)
{
    tdb_open(t);
    tdb_add_ok(t, docs);
}

/* The first alternative of typed (analysed as the search would). */
static const char *alt_of(tdb *t, rp_txn *txn, const char *typed,
                          size_t *nalts)
{
    static char out[RP_TERM_MAX_BYTES + 1];
    rp_vterms v;
    ASSERT_OK(rp_vterms_analyze(t->an, 0, typed, strlen(typed), &v));
    ASSERT_EQ(v.n, 1);
    rp_terminfo info;
    int rc = rp_txn_term_get(txn, v.t[0].stem, v.t[0].len, &info);
    ASSERT(rc == 0 || rc == RP_ENOTFOUND);
    rp_spell_alt alts[RP_SPELL_MAX_ALTS];
    ASSERT_OK(rp_spell_alternatives(txn, t->an, NULL, typed, strlen(typed),
                                    v.t[0].stem, v.t[0].len,
                                    rc == 0 ? info.df : 0, alts, nalts));
    rp_vterms_fini(&v);
    out[0] = '\0';
    if (*nalts > 0) {
        memcpy(out, alts[0].t.term, alts[0].t.len);
        out[alts[0].t.len] = '\0';
        for (size_t i = 0; i < *nalts; i++)
            ASSERT(alts[i].weight > 0 && alts[i].weight <= 1.0);
    }
    return out;
}

static void test_alternatives(void)
{
    tdb t;
    open_docs(&t);
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t.ix, 0, &txn));
    size_t n;
    /* Absent words: a swap, a deletion, an insertion. */
    ASSERT_STR_EQ(alt_of(&t, txn, "anxeity", &n), "anxieti");
    ASSERT_STR_EQ(alt_of(&t, txn, "anxity", &n), "anxieti");
    ASSERT_STR_EQ(alt_of(&t, txn, "flashbaks", &n), "flashback");
    /* A typo near the end that stops the suffix being stemmed. */
    ASSERT_STR_EQ(alt_of(&t, txn, "informaiton", &n), "inform");
    /* Never: words under five characters, numbers, known words. */
    ASSERT_STR_EQ(alt_of(&t, txn, "bdoy", &n), "");
    ASSERT_EQ(n, 0);
    ASSERT_STR_EQ(alt_of(&t, txn, "12346", &n), "");
    ASSERT_STR_EQ(alt_of(&t, txn, "anxiety", &n), "");
    /* A word with no neighbour stays as it is. */
    ASSERT_STR_EQ(alt_of(&t, txn, "zzzzzzzz", &n), "");
    /* A word the vocabulary knows is not corrected, even if absent from
     * the documents. */
    static const char vocab_json[] =
        "{\"concerns\":[],\"approaches\":[],\"synonyms\":["
        "{\"type\":\"equivalent\",\"terms\":[\"anxity\",\"worry\"]}]}";
    rp_vocab *v;
    ASSERT_OK(rp_vocab_new(t.an, &v));
    rp_error err;
    rp_error_clear(&err);
    ASSERT_OK(rp_json_load_vocab(vocab_json, sizeof vocab_json - 1, v, &err));
    rp_spell_alt alts[RP_SPELL_MAX_ALTS];
    ASSERT_OK(rp_spell_alternatives(txn, t.an, v, "anxity", 6, "anxiti", 6,
                                    0, alts, &n));
    ASSERT_EQ(n, 0);
    ASSERT_OK(rp_spell_alternatives(txn, t.an, NULL, "anxity", 6, "anxiti",
                                    6, 0, alts, &n));
    ASSERT(n >= 1);
    ASSERT_MEM_EQ(alts[0].t.term, alts[0].t.len, "anxieti");
    rp_vocab_free(v);
    rp_txn_abort(txn);
    tdb_close(&t);
}

static const char *ids_typo(tdb *t, const char *q, int typo, size_t *ncorr)
{
    static char out[1024];
    rp_query *query;
    rp_error err;
    rp_error_clear(&err);
    ASSERT_OK(rp_query_parse(q, strlen(q), &query, &err));
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    rp_search_opts o;
    rp_search_opts_init(&o);
    o.typo = typo;
    rp_results r;
    ASSERT_OK(rp_search(txn, t->an, query, &o, &r));
    tdb_hit_ids(txn, &r, out, sizeof out);
    *ncorr = r.ncorrections;
    rp_results_fini(&r);
    rp_txn_abort(txn);
    rp_query_free(query);
    return out;
}

static void test_search_with_typos(void)
{
    tdb t;
    open_docs(&t);
    size_t nc;
    /* Off: the typo finds only the document that has it. */
    ASSERT_STR_EQ(ids_typo(&t, "anxeity", 0, &nc), "q1");
    ASSERT_EQ(nc, 0);
    /* On: the document with the word as typed stays first (exact before
     * corrected), then those with the word meant. */
    const char *got = ids_typo(&t, "anxeity", 1, &nc);
    ASSERT(strncmp(got, "q1 ", 3) == 0);
    ASSERT(strstr(got, "a1") && strstr(got, "a2") && strstr(got, "a3") &&
           strstr(got, "a4"));
    ASSERT_EQ(nc, 1);
    /* An absent word finds what the word meant finds. */
    ASSERT_STR_EQ(ids_typo(&t, "flashbaks", 1, &nc), "a5");
    ASSERT_STR_EQ(ids_typo(&t, "flashbaks", 0, &nc), "");
    /* Quoted phrases and prefix words are taken as written. */
    ASSERT_STR_EQ(ids_typo(&t, "\"flashbaks after\"", 1, &nc), "");
    ASSERT_EQ(nc, 0);
    ASSERT_STR_EQ(ids_typo(&t, "flashbaks*", 1, &nc), "");
    /* With an operator, the corrected word still must match. */
    ASSERT_STR_EQ(ids_typo(&t, "+flashbaks +therapy", 1, &nc), "a5");
    tdb_close(&t);
}

/* A document "late" whose body is head, 40,000 bytes of filler words, then
 * tail. */
static char *long_doc(const char *head, const char *tail)
{
    enum { FILL = 40000 };
    char *d = malloc(FILL + 256);
    ASSERT(d != NULL);
    size_t n = (size_t)snprintf(d, 128, "{\"id\":\"late\",\"body\":\"%s",
                                head);
    for (size_t i = 0; i < FILL / 5; i++, n += 5)
        memcpy(d + n, "word ", 5);
    snprintf(d + n, 128, "%s\"}", tail);
    return d;
}

/* The form of a correction read from stored text with the given body. */
static void surface_of(tdb *t, const char *head, const char *tail,
                       const char *want)
{
    char *d = long_doc(head, tail);
    const char *one[] = {d, NULL};
    tdb_add_ok(t, one);
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t->ix, 0, &txn));
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_spell_surface(txn, t->an, "journal", 7, "jounraling", 10,
                               &out));
    ASSERT_MEM_EQ(out.data, out.len, want);
    rp_buf_fini(&out);
    rp_txn_abort(txn);
    free(d);
}

/* The written form comes from the first 16 KiB of each field: a word found
 * only further into a long field is not read, and the term stands for
 * itself; the same word near the start is read. */
static void test_surface_reads_field_heads(void)
{
    tdb t;
    tdb_open(&t);
    surface_of(&t, "", "Journaling", "journal");
    surface_of(&t, "Journaling ", "", "journaling");
    tdb_close(&t);
}

static void test_correct(void)
{
    tdb t;
    open_docs(&t);
    rp_txn *txn;
    ASSERT_OK(rp_txn_begin(t.ix, 0, &txn));
    rp_search_opts o;
    rp_search_opts_init(&o);
    /* Natural text: two words mended, written as the documents write
     * them, and offered as "did you mean" (it finds more). */
    const char *q = "Flashbaks and informaiton";
    rp_corrected cr;
    ASSERT_OK(rp_correct_text(txn, t.an, q, strlen(q), &o, &cr));
    ASSERT_EQ(cr.n, 2);
    ASSERT_MEM_EQ(q + cr.fix[0].off, cr.fix[0].len, "Flashbaks");
    ASSERT_MEM_EQ((char *)cr.words.data + cr.fix[0].word_off,
                  cr.fix[0].word_len, "flashbacks");
    ASSERT_MEM_EQ((char *)cr.words.data + cr.fix[1].word_off,
                  cr.fix[1].word_len, "information");
    ASSERT_MEM_EQ(cr.text.data, cr.text.len, "flashbacks and information");
    ASSERT_EQ(cr.did_you_mean, 1);
    rp_buf json = RP_BUF_INIT;
    ASSERT_OK(rp_json_put_corrected(&json, q, &cr));
    ASSERT_MEM_EQ(json.data, json.len,
                  "\"corrected\":{\"Flashbaks\":\"flashbacks\","
                  "\"informaiton\":\"information\"},"
                  "\"did_you_mean\":\"flashbacks and information\"");
    rp_buf_fini(&json);
    rp_corrected_fini(&cr);
    /* A rare word (one document) corrected beside itself: the corrected
     * query finds four documents against one. */
    q = "anxeity";
    ASSERT_OK(rp_correct_text(txn, t.an, q, strlen(q), &o, &cr));
    ASSERT_EQ(cr.n, 1);
    ASSERT_EQ(cr.did_you_mean, 1);
    rp_corrected_fini(&cr);
    /* Not clearly more: restricted to questions, "anxeity bad" finds q1
     * as typed and as corrected. */
    o.type = RP_DOC_QUESTION;
    q = "anxeity bad";
    ASSERT_OK(rp_correct_text(txn, t.an, q, strlen(q), &o, &cr));
    ASSERT_EQ(cr.n, 1);
    ASSERT_EQ(cr.did_you_mean, 0);
    rp_corrected_fini(&cr);
    /* Nothing to correct. */
    q = "anxiety at night";
    ASSERT_OK(rp_correct_text(txn, t.an, q, strlen(q), &o, &cr));
    ASSERT_EQ(cr.n, 0);
    rp_corrected_fini(&cr);
    /* A correction outside the query is refused. */
    rp_correction bad = {.off = 5, .len = 10, .term = "x", .term_len = 1};
    ASSERT_EQ(rp_correct(txn, t.an, "short", 5, 0, &bad, 1, &o, &cr),
              RP_EINVAL);
    rp_corrected_fini(&cr);
    rp_txn_abort(txn);
    tdb_close(&t);
}

static const t_case cases[] = {
    T(test_alternatives),
    T(test_search_with_typos),
    T(test_surface_reads_field_heads),
    T(test_correct),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * Tests for analyze: the one path for documents and queries. Stop words
 * vanish but keep their positions, words are stemmed, numbers are not,
 * compounds keep their parts and joined form, and failures call nothing.
 */
#include "rapport/analyze.h"
#include "rapport/stem.h"
#include "rapport/stopwords.h"
#include "rapport/tokenize.h"
#include "t.h"

typedef struct seen {
    char text[16384];
    size_t n;
    int calls;
} seen;

/* Records "term@pos" for each token, space-separated. */
static int record(void *ctx, const rp_token *tok)
{
    seen *s = ctx;
    s->calls++;
    s->n += (size_t)snprintf(s->text + s->n, sizeof s->text - s->n, "%s%.*s@%u",
                             s->n ? " " : "", (int)tok->term_len, tok->term,
                             tok->pos);
    return 0;
}

static const char *run(rp_analyzer *a, const char *text, rp_pos *next)
{
    static seen s;
    memset(&s, 0, sizeof s);
    ASSERT_OK(rp_analyze(a, text, strlen(text), 0, record, &s, next));
    return s.text;
}

static void test_english(void)
{
    rp_analyzer *a;
    ASSERT_OK(rp_analyzer_new("english", &a));
    ASSERT_STR_EQ(rp_analyzer_lang(a), "english");
    rp_pos next;
    /* "The", "of" and "and" are stop words: gone, positions kept. */
    ASSERT_STR_EQ(run(a, "The fear of abandonment and relationships", &next),
                  "fear@1 abandon@3 relationship@5");
    ASSERT_EQ(next, 6);
    /* Numbers are not stemmed; words around them are. */
    ASSERT_STR_EQ(run(a, "Sleeping 8 hours", NULL), "sleep@0 8@1 hour@2");
    /* Compounds: parts, then the parts joined, all stemmed. */
    ASSERT_STR_EQ(run(a, "post-traumatic", NULL),
                  "post@0 traumat@1 posttraumat@0");
    /* Case, accents and curly apostrophes fold before the stop list. */
    ASSERT_STR_EQ(run(a, "DON\xe2\x80\x99T Caf\xc3\xa9s", NULL), "cafe@1");
    /* Only stop words: nothing, but the positions still advance. */
    ASSERT_STR_EQ(run(a, "it is what it is", &next), "");
    ASSERT_EQ(next, 5);
    rp_analyzer_free(a);
}

static void test_failures(void)
{
    rp_analyzer *a = (rp_analyzer *)1;
    ASSERT_EQ(rp_analyzer_new("klingon", &a), RP_ELANG);
    ASSERT(a == NULL);
    ASSERT_EQ(rp_analyzer_new(NULL, &a), RP_EINVAL);
    ASSERT_OK(rp_analyzer_new("en", &a));
    seen s;
    memset(&s, 0, sizeof s);
    ASSERT_EQ(rp_analyze(a, "ok \xff bad", 8, 0, record, &s, NULL), RP_EUTF8);
    ASSERT_EQ(s.calls, 0);
    rp_analyzer_free(a);
    rp_analyzer_free(NULL);
}

static void test_other_language(void)
{
    rp_analyzer *a;
    ASSERT_OK(rp_analyzer_new("french", &a));
    /* No French stop list: every word stays; French stems. */
    ASSERT_STR_EQ(run(a, "les relations", NULL), "le@0 relat@1");
    rp_analyzer_free(a);
    ASSERT_OK(rp_analyzer_new("none", &a));
    ASSERT_STR_EQ(run(a, "Running Dogs", NULL), "running@0 dogs@1");
    rp_analyzer_free(a);
}

/* The reference for test_long_text: tokenize, drop stop words, stem all
 * but numbers, one token at a time, with the modules themselves. */
typedef struct ref {
    rp_stemmer *st;
    seen *out;
} ref;

static int ref_token(void *ctx, const rp_token *tok)
{
    ref *r = ctx;
    if (rp_stoplist_has(rp_stoplist_get("english"), tok->term, tok->term_len))
        return 0;
    rp_token t = *tok;
    if (!(tok->flags & RP_TOK_NUMBER))
        ASSERT_OK(rp_stem(r->st, tok->term, tok->term_len, &t.term,
                          &t.term_len));
    return record(r->out, &t);
}

/* Texts far longer than the analyzer's run of queued words come out as
 * the modules give them one by one: same terms, positions and order. */
static void test_long_text(void)
{
    static const char *words[] = {
        "The", "therapists", "of", "42", "post-traumatic", "couples",
        "don't", "running", "and", "self-esteem", "1999", "grieving",
        "attachment", "is", "caf\xc3\xa9s", "relationships", "it"};
    char text[8192];
    size_t n = 0;
    for (size_t i = 0; i < 600; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s ",
                              words[(i * 7 + i / 5) % 17]);
    rp_analyzer *a;
    ASSERT_OK(rp_analyzer_new("english", &a));
    seen want, got;
    memset(&want, 0, sizeof want);
    memset(&got, 0, sizeof got);
    ref r = {NULL, &want};
    ASSERT_OK(rp_stemmer_new("english", &r.st));
    rp_pos next_want, next_got;
    ASSERT_OK(rp_tokenize(text, n, 3, ref_token, &r, &next_want));
    ASSERT_OK(rp_analyze(a, text, n, 3, record, &got, &next_got));
    ASSERT(want.calls > 300);
    ASSERT_EQ(got.calls, want.calls);
    ASSERT_STR_EQ(got.text, want.text);
    ASSERT_EQ(next_got, next_want);
    rp_stemmer_free(r.st);
    rp_analyzer_free(a);
}

/* A callback's non-zero return stops the analysis there and is returned,
 * also in the middle of a run of queued words. */
static int stop_at_40(void *ctx, const rp_token *tok)
{
    seen *s = ctx;
    (void)tok;
    return ++s->calls == 40 ? 7 : 0;
}

static void test_callback_stops(void)
{
    char text[4096];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "word%c ",
                              'a' + i % 26);
    rp_analyzer *a;
    ASSERT_OK(rp_analyzer_new("english", &a));
    seen s;
    memset(&s, 0, sizeof s);
    ASSERT_EQ(rp_analyze(a, text, n, 0, stop_at_40, &s, NULL), 7);
    ASSERT_EQ(s.calls, 40);
    rp_analyzer_free(a);
}

static const t_case cases[] = {
    T(test_english),
    T(test_failures),
    T(test_other_language),
    T(test_long_text),
    T(test_callback_stops),
    {NULL, NULL},
};

T_MAIN(cases)

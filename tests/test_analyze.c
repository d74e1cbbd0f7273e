/* SPDX-License-Identifier: MIT */
/*
 * Tests for analyze: the one path for documents and queries. Stop words
 * vanish but keep their positions, words are stemmed, numbers are not,
 * compounds keep their parts and joined form, and failures call nothing.
 */
#include "rapport/analyze.h"
#include "t.h"

typedef struct seen {
    char text[1024];
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

static const t_case cases[] = {
    T(test_english),
    T(test_failures),
    T(test_other_language),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * test_phrase: analysed phrases and their occurrences. A phrase occurs
 * where its stems stand at the same relative positions as in the phrase
 * (stop words keep their places), in any inflection; every occurrence is
 * reported with its span; a phrase of stop words only is refused; long
 * texts are analysed whole.
 */
#include "t.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rapport/phrase.h"

typedef struct spans {
    char text[256];
} spans;

static int on_hit(void *ctx, unsigned first, unsigned last)
{
    spans *s = ctx;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%u-%u ", first, last);
    return 0;
}

/* The spans where phrase i occurs in text. */
static const char *spans_in(rp_analyzer *an, const rp_phrases *p, size_t i,
                            const char *text)
{
    static spans s;
    memset(&s, 0, sizeof s);
    rp_vterms t;
    ASSERT_OK(rp_vterms_analyze(an, 0, text, strlen(text), &t));
    ASSERT_OK(rp_phrases_each(p, i, t.t, t.n, on_hit, &s));
    rp_vterms_fini(&t);
    return s.text;
}

static void test_occurrences(void)
{
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_phrases *p;
    ASSERT_OK(rp_phrases_new(an, 0, &p));
    size_t end_life, again, none;
    ASSERT_OK(rp_phrases_intern(p, "end my life", 11, &end_life));
    ASSERT_EQ(end_life, 0);
    ASSERT_OK(rp_phrases_intern(p, "end my life", 11, &again));
    ASSERT_EQ(again, end_life);
    ASSERT_OK(rp_phrases_intern(p, "to the", 6, &none));
    ASSERT_EQ(none, SIZE_MAX);
    ASSERT_EQ(rp_phrases_count(p), 1);
    ASSERT_EQ(rp_phrases_nterms(p, end_life), 2);
    size_t len;
    const char *txt = rp_phrases_text(p, end_life, &len);
    ASSERT_MEM_EQ(txt, len, "end my life");
    const char *stem = rp_phrases_term(p, end_life, 1, &len);
    ASSERT_MEM_EQ(stem, len, "life");

    /* Positions count stop words: "end" at 3, "life" at 5. */
    ASSERT_STR_EQ(spans_in(an, p, end_life, "I want to end my life"),
                  "3-5 ");
    ASSERT_STR_EQ(spans_in(an, p, end_life, "ending my life"), "0-2 ");
    ASSERT_STR_EQ(spans_in(an, p, end_life,
                           "end my life, end my life"), "0-2 3-5 ");
    /* Same words, other places: no occurrence. */
    ASSERT_STR_EQ(spans_in(an, p, end_life, "my life has no end"), "");
    ASSERT_STR_EQ(spans_in(an, p, end_life, "end of my life"), "");
    ASSERT_STR_EQ(spans_in(an, p, end_life, ""), "");
    rp_phrases_free(p);
    rp_analyzer_free(an);
}

/* With stop words kept, they must match too: "I'm not safe" is not
 * "safe". Without, the phrase would be "safe" alone. */
static void test_stopwords_kept(void)
{
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_phrases *kept, *dropped;
    ASSERT_OK(rp_phrases_new(an, RP_ANALYZE_STOPWORDS, &kept));
    ASSERT_OK(rp_phrases_new(an, 0, &dropped));
    size_t k, d;
    ASSERT_OK(rp_phrases_intern(kept, "I'm not safe", 12, &k));
    ASSERT_OK(rp_phrases_intern(dropped, "I'm not safe", 12, &d));
    ASSERT_EQ(rp_phrases_nterms(kept, k), 3);
    ASSERT_EQ(rp_phrases_nterms(dropped, d), 1);
    const char *yes = "tonight I'm not safe at home";
    const char *no = "how to feel safe with a partner";
    rp_vterms t;
    ASSERT_OK(rp_vterms_analyze(an, RP_ANALYZE_STOPWORDS, yes, strlen(yes),
                                &t));
    ASSERT_EQ(rp_phrases_occurs(kept, k, t.t, t.n), 1);
    rp_vterms_fini(&t);
    ASSERT_OK(rp_vterms_analyze(an, RP_ANALYZE_STOPWORDS, no, strlen(no),
                                &t));
    ASSERT_EQ(rp_phrases_occurs(kept, k, t.t, t.n), 0);
    rp_vterms_fini(&t);
    ASSERT_OK(rp_vterms_analyze(an, 0, no, strlen(no), &t));
    ASSERT_EQ(rp_phrases_occurs(dropped, d, t.t, t.n), 1);
    rp_vterms_fini(&t);
    rp_phrases_free(kept);
    rp_phrases_free(dropped);
    rp_analyzer_free(an);
}

static int on_scan(void *ctx, size_t phrase, unsigned first, unsigned last)
{
    spans *s = ctx;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%zu@%u-%u ", phrase, first,
             last);
    return 0;
}

/* A scan finds what rp_phrases_each finds for every phrase, phrases that
 * share a first stem included, in a table big enough to rehash. */
static void test_scan(void)
{
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_phrases *p;
    ASSERT_OK(rp_phrases_new(an, 0, &p));
    char text[64];
    for (int k = 0; k < 300; k++) { /* four bucket doublings */
        size_t i;
        snprintf(text, sizeof text, "filler%d words", k);
        ASSERT_OK(rp_phrases_intern(p, text, strlen(text), &i));
        ASSERT_EQ(i, (size_t)k);
    }
    size_t a, b, c;
    ASSERT_OK(rp_phrases_intern(p, "panic attack", 12, &a));
    ASSERT_OK(rp_phrases_intern(p, "panic", 5, &b));
    ASSERT_OK(rp_phrases_intern(p, "attacks at night", 16, &c));
    const char *q = "panic attacks at night, then panic";
    rp_vterms t;
    ASSERT_OK(rp_vterms_analyze(an, 0, q, strlen(q), &t));
    spans s;
    memset(&s, 0, sizeof s);
    ASSERT_OK(rp_phrases_scan(p, t.t, t.n, on_scan, &s));
    /* In text order; at one term, the later-added phrase first. */
    char want[128];
    snprintf(want, sizeof want, "%zu@0-0 %zu@0-1 %zu@1-3 %zu@5-5 ", b, a, c,
             b);
    ASSERT_STR_EQ(s.text, want);
    /* Each phrase alone agrees. */
    ASSERT_STR_EQ(spans_in(an, p, a, q), "0-1 ");
    ASSERT_STR_EQ(spans_in(an, p, c, q), "1-3 ");
    ASSERT_STR_EQ(spans_in(an, p, 299, "filler299 words"), "0-1 ");
    rp_vterms_fini(&t);
    rp_phrases_free(p);
    rp_analyzer_free(an);
}

/* A phrase far into a long text is found: nothing is cut off. */
static void test_long_text(void)
{
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_phrases *p;
    ASSERT_OK(rp_phrases_new(an, 0, &p));
    size_t i;
    ASSERT_OK(rp_phrases_intern(p, "kill myself", 11, &i));
    static char text[20000];
    size_t n = 0;
    for (int k = 0; k < 1000; k++)
        n += (size_t)snprintf(text + n, sizeof text - n, "calm%d ", k);
    snprintf(text + n, sizeof text - n, "I will kill myself");
    rp_vterms t;
    ASSERT_OK(rp_vterms_analyze(an, 0, text, strlen(text), &t));
    ASSERT(t.n > 1000);
    ASSERT_EQ(rp_phrases_occurs(p, i, t.t, t.n), 1);
    rp_vterms_fini(&t);
    rp_vterms_fini(&t); /* twice is harmless */
    rp_phrases_free(p);
    rp_analyzer_free(an);
}

static const t_case cases[] = {
    T(test_occurrences),
    T(test_stopwords_kept),
    T(test_scan),
    T(test_long_text),
    {NULL, NULL},
};

T_MAIN(cases)

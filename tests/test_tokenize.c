/* SPDX-License-Identifier: MIT */
/*
 * test_tokenize: exact token lists (term, position, byte span, flags) for
 * English text, compounds, apostrophes, numbers, accents, case folding,
 * compatibility forms and CJK; early stop, invalid input, positions across
 * calls and over-long words. A sweep over every code point compares single
 * characters with utf8proc_map as an independent oracle, and every line of
 * the shared naughty-strings list must give well-formed tokens.
 */
#include "t.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "rapport/error.h"
#include "rapport/tokenize.h"
#include "rapport/utf8.h"

#define P RP_TOK_PART
#define J RP_TOK_JOINED
#define N RP_TOK_NUMBER
#define MAX_TOKS 256

typedef struct got_tok {
    char term[RP_TERM_MAX_BYTES + 1]; /* NUL-terminated copy */
    size_t term_len;
    rp_pos pos;
    size_t start, end;
    unsigned flags;
} got_tok;

typedef struct sink {
    got_tok t[MAX_TOKS];
    size_t n;       /* tokens received */
    size_t stop_at; /* return stop_rc on this token (1-based); 0 = never */
    int stop_rc;
} sink;

typedef struct want {
    const char *term; /* NULL ends a list */
    rp_pos pos;
    size_t start, end;
    unsigned flags;
} want;

static int collect(void *ctx, const rp_token *tok)
{
    sink *s = ctx;
    if (s->n >= MAX_TOKS)
        T_FAIL("more than %d tokens", MAX_TOKS);
    if (tok->term_len < 1 || tok->term_len > RP_TERM_MAX_BYTES)
        T_FAIL("term_len %zu out of range", tok->term_len);
    got_tok *g = &s->t[s->n++];
    memcpy(g->term, tok->term, tok->term_len);
    g->term[tok->term_len] = '\0';
    g->term_len = tok->term_len;
    g->pos = tok->pos;
    g->start = tok->start;
    g->end = tok->end;
    g->flags = tok->flags;
    if (s->stop_at != 0 && s->n == s->stop_at)
        return s->stop_rc;
    return 0;
}

static void dump(const sink *s, const want *w)
{
    fprintf(stderr, "  got:\n");
    for (size_t i = 0; i < s->n; i++)
        fprintf(stderr, "    {\"%s\", %u, %zu, %zu, %u}\n", s->t[i].term,
                (unsigned)s->t[i].pos, s->t[i].start, s->t[i].end,
                s->t[i].flags);
    fprintf(stderr, "  want:\n");
    for (; w->term != NULL; w++)
        fprintf(stderr, "    {\"%s\", %u, %zu, %zu, %u}\n", w->term,
                (unsigned)w->pos, w->start, w->end, w->flags);
}

/* Tokenizes text from position base and compares with the list w; returns
 * next_pos. line is the caller's, for the failure message. */
static rp_pos check_at(int line, const char *text, size_t len, rp_pos base,
                       const want *w)
{
    static sink s; /* large; one per test process */
    memset(&s, 0, sizeof s);
    rp_pos next = 0xdeadbeef;
    int rc = rp_tokenize(text, len, base, collect, &s, &next);
    size_t nw = 0;
    while (w[nw].term != NULL)
        nw++;
    int ok = rc == 0 && s.n == nw;
    for (size_t i = 0; ok && i < nw; i++) {
        const got_tok *g = &s.t[i];
        ok = g->term_len == strlen(w[i].term) &&
             memcmp(g->term, w[i].term, g->term_len) == 0 &&
             g->pos == w[i].pos && g->start == w[i].start &&
             g->end == w[i].end && g->flags == w[i].flags;
    }
    if (!ok) {
        dump(&s, w);
        T_FAIL("line %d: tokens of \"%.*s\" differ (rc %d)", line, (int)len,
               text, rc);
    }
    return next;
}

/* clang-format off */
#define END {NULL, 0, 0, 0, 0}
/* clang-format on */
/* EXPECT("text", {"term", pos, start, end, flags}, ...): exact token list
 * from base 0; evaluates to next_pos. */
#define EXPECT(text, ...)                                                      \
    check_at(__LINE__, text, sizeof(text) - 1, 0,                              \
             (const want[]){__VA_ARGS__, END})
#define EXPECT_NONE(text)                                                      \
    check_at(__LINE__, text, sizeof(text) - 1, 0, (const want[]){END})

static void test_english(void)
{
    rp_pos next = EXPECT(
        "The quick brown fox, isn't it? Yes -- it's 2 o'clock.",
        {"the", 0, 0, 3, 0}, {"quick", 1, 4, 9, 0}, {"brown", 2, 10, 15, 0},
        {"fox", 3, 16, 19, 0}, {"isn't", 4, 21, 26, 0}, {"it", 5, 27, 29, 0},
        {"yes", 6, 31, 34, 0}, {"it's", 7, 38, 42, 0}, {"2", 8, 43, 44, N},
        {"o'clock", 9, 45, 52, 0});
    ASSERT_EQ(next, 10);
    EXPECT("HELLO\tWorld\r\nagain!!!(yes)[no]{x}", {"hello", 0, 0, 5, 0},
           {"world", 1, 6, 11, 0}, {"again", 2, 13, 18, 0},
           {"yes", 3, 22, 25, 0}, {"no", 4, 27, 29, 0}, {"x", 5, 31, 32, 0});
    EXPECT("mail me@example.com or_else #tag $5 50%", {"mail", 0, 0, 4, 0},
           {"me", 1, 5, 7, 0}, {"example", 2, 8, 15, 0}, {"com", 3, 16, 19, 0},
           {"or", 4, 20, 22, 0}, {"else", 5, 23, 27, 0}, {"tag", 6, 29, 32, 0},
           {"5", 7, 34, 35, N}, {"50", 8, 36, 38, N});
}

static void test_compounds(void)
{
    rp_pos next =
        EXPECT("Post-traumatic stress", {"post", 0, 0, 4, P},
               {"traumatic", 1, 5, 14, P}, {"posttraumatic", 0, 0, 14, J},
               {"stress", 2, 15, 21, 0});
    ASSERT_EQ(next, 3);
    next = EXPECT("post-traumatic-stress-disorder clinic", {"post", 0, 0, 4, P},
                  {"traumatic", 1, 5, 14, P}, {"stress", 2, 15, 21, P},
                  {"disorder", 3, 22, 30, P},
                  {"posttraumaticstressdisorder", 0, 0, 30, J},
                  {"clinic", 4, 31, 37, 0});
    ASSERT_EQ(next, 5);
    EXPECT("covid-19", {"covid", 0, 0, 5, P}, {"19", 1, 6, 8, P | N},
           {"covid19", 0, 0, 8, J});
    EXPECT("1-2", {"1", 0, 0, 1, P | N}, {"2", 1, 2, 3, P | N},
           {"12", 0, 0, 3, J | N});
    EXPECT("it's-fine", {"it's", 0, 0, 4, P}, {"fine", 1, 5, 9, P},
           {"it'sfine", 0, 0, 9, J});
    /* Leading, trailing and double hyphens separate. */
    EXPECT_NONE("--");
    EXPECT_NONE("-");
    EXPECT("a--b", {"a", 0, 0, 1, 0}, {"b", 1, 3, 4, 0});
    EXPECT("-a-", {"a", 0, 1, 2, 0});
    EXPECT("self- esteem", {"self", 0, 0, 4, 0}, {"esteem", 1, 6, 12, 0});
    EXPECT("x -y", {"x", 0, 0, 1, 0}, {"y", 1, 3, 4, 0});
    /* U+2010 and U+2011 join; an en dash U+2013 separates. */
    EXPECT("a\xe2\x80\x90"
           "b",
           {"a", 0, 0, 1, P}, {"b", 1, 4, 5, P}, {"ab", 0, 0, 5, J});
    EXPECT("a\xe2\x80\x91"
           "b",
           {"a", 0, 0, 1, P}, {"b", 1, 4, 5, P}, {"ab", 0, 0, 5, J});
    EXPECT("a\xe2\x80\x93"
           "b",
           {"a", 0, 0, 1, 0}, {"b", 1, 4, 5, 0});
    /* A combining mark before the hyphen belongs to the letter. */
    EXPECT("Cafe\xcc\x81-bar", {"cafe", 0, 0, 6, P}, {"bar", 1, 7, 10, P},
           {"cafebar", 0, 0, 10, J});
    /* U+FE76 is a letter whose normal form is empty: its part is dropped
     * and takes no position, leaving a plain word or a smaller compound. */
    EXPECT("\xef\xb9\xb6-abc", {"abc", 0, 4, 7, 0});
    EXPECT("\xef\xb9\xb6-2-ab", {"2", 0, 4, 5, P | N}, {"ab", 1, 6, 8, P},
           {"2ab", 0, 4, 8, J});
    EXPECT("x \xef\xb9\xb6 y", {"x", 0, 0, 1, 0}, {"y", 1, 6, 7, 0});
    /* Han characters stand alone, so no compound forms across them. */
    EXPECT("a-\xe6\x97\xa5", {"a", 0, 0, 1, 0}, {"\xe6\x97\xa5", 1, 2, 5, 0});
}

static void test_compound_limit(void)
{
    rp_pos next =
        EXPECT("a-b-c-d-e-f-g-h-i", {"a", 0, 0, 1, P}, {"b", 1, 2, 3, P},
               {"c", 2, 4, 5, P}, {"d", 3, 6, 7, P}, {"e", 4, 8, 9, P},
               {"f", 5, 10, 11, P}, {"g", 6, 12, 13, P}, {"h", 7, 14, 15, P},
               {"abcdefgh", 0, 0, 15, J}, {"i", 8, 16, 17, 0});
    ASSERT_EQ(next, 9);
    next = EXPECT("a-b-c-d-e-f-g-h-i-j", {"a", 0, 0, 1, P}, {"b", 1, 2, 3, P},
                  {"c", 2, 4, 5, P}, {"d", 3, 6, 7, P}, {"e", 4, 8, 9, P},
                  {"f", 5, 10, 11, P}, {"g", 6, 12, 13, P}, {"h", 7, 14, 15, P},
                  {"abcdefgh", 0, 0, 15, J}, {"i", 8, 16, 17, P},
                  {"j", 9, 18, 19, P}, {"ij", 8, 16, 19, J});
    ASSERT_EQ(next, 10);
}

static void test_apostrophes(void)
{
    EXPECT("don't", {"don't", 0, 0, 5, 0});
    EXPECT("Don\xe2\x80\x99t", {"don't", 0, 0, 7, 0});
    EXPECT("DON\xca\xbct", {"don't", 0, 0, 6, 0});
    EXPECT("parents\xe2\x80\x99 day", {"parents", 0, 0, 7, 0},
           {"day", 1, 11, 14, 0});
    EXPECT("parents' day", {"parents", 0, 0, 7, 0}, {"day", 1, 9, 12, 0});
    EXPECT("'quoted'", {"quoted", 0, 1, 7, 0});
    EXPECT("\xe2\x80\x98quoted\xe2\x80\x99", {"quoted", 0, 3, 9, 0});
    EXPECT("o'brien", {"o'brien", 0, 0, 7, 0});
    EXPECT("O'Brien", {"o'brien", 0, 0, 7, 0});
    EXPECT("rock'n'roll", {"rock'n'roll", 0, 0, 11, 0});
    EXPECT("don''t", {"don", 0, 0, 3, 0}, {"t", 1, 5, 6, 0});
    EXPECT("80's", {"80", 0, 0, 2, N}, {"s", 1, 3, 4, 0});
    EXPECT("a'1", {"a", 0, 0, 1, 0}, {"1", 1, 2, 3, N});
    EXPECT_NONE("'");
    EXPECT_NONE("\xca\xbc");
    /* U+02BC is a letter by category but always acts as an apostrophe. */
    EXPECT("\xca\xbc"
           "a\xca\xbc",
           {"a", 0, 2, 3, 0});
    /* Next to a letter that normalises to nothing (U+FE76), an apostrophe
     * would dangle, so it goes too. */
    EXPECT("C'\xef\xb9\xb6", {"c", 0, 0, 5, 0});
    EXPECT("\xef\xb9\xb6'c", {"c", 0, 0, 5, 0});
    EXPECT("a'\xef\xb9\xb6'b", {"a'b", 0, 0, 7, 0});
    /* An accented letter before the apostrophe still counts. */
    EXPECT("e\xcc\x81'e", {"e'e", 0, 0, 5, 0});
}

static void test_numbers(void)
{
    EXPECT("3.5", {"3.5", 0, 0, 3, N});
    EXPECT("10,000", {"10000", 0, 0, 6, N});
    EXPECT("v2", {"v2", 0, 0, 2, 0});
    EXPECT("2024.", {"2024", 0, 0, 4, N});
    EXPECT("1.2.3", {"1.2.3", 0, 0, 5, N});
    EXPECT("In 2024, 10,000.5 people; v2.0 and 3.5.", {"in", 0, 0, 2, 0},
           {"2024", 1, 3, 7, N}, {"10000.5", 2, 9, 17, N},
           {"people", 3, 18, 24, 0}, {"v2.0", 4, 26, 30, 0},
           {"and", 5, 31, 34, 0}, {"3.5", 6, 35, 38, N});
    EXPECT(".5", {"5", 0, 1, 2, N});
    EXPECT("1..2", {"1", 0, 0, 1, N}, {"2", 1, 3, 4, N});
    EXPECT("1,a", {"1", 0, 0, 1, N}, {"a", 1, 2, 3, 0});
    EXPECT("a.b", {"a", 0, 0, 1, 0}, {"b", 1, 2, 3, 0});
    EXPECT("a,1", {"a", 0, 0, 1, 0}, {"1", 1, 2, 3, N});
    /* Full-width and Arabic-Indic digits are decimal digits too. */
    EXPECT("\xef\xbc\x91\xef\xbc\x92", {"12", 0, 0, 6, N});
    EXPECT("\xd9\xa3", {"\xd9\xa3", 0, 0, 2, N});
    /* Superscript two is a number but not a decimal digit. */
    EXPECT("x\xc2\xb2", {"x2", 0, 0, 3, 0});
    EXPECT("\xc2\xb2", {"2", 0, 0, 2, 0});
}

static void test_accents(void)
{
    EXPECT("Caf\xc3\xa9 na\xc3\xafve Zo\xc3\xab Bront\xc3\xab",
           {"cafe", 0, 0, 5, 0}, {"naive", 1, 6, 12, 0}, {"zoe", 2, 13, 17, 0},
           {"bronte", 3, 18, 25, 0});
    /* The same words with combining marks (NFD). */
    EXPECT("Cafe\xcc\x81 nai\xcc\x88ve Zoe\xcc\x88 Bronte\xcc\x88",
           {"cafe", 0, 0, 6, 0}, {"naive", 1, 7, 14, 0}, {"zoe", 2, 15, 20, 0},
           {"bronte", 3, 21, 29, 0});
    EXPECT("Stra\xc3\x9f"
           "e STRASSE",
           {"strasse", 0, 0, 7, 0}, {"strasse", 1, 8, 15, 0});
    EXPECT("\xe1\xba\x9e", {"ss", 0, 0, 3, 0}); /* capital sharp s */
    EXPECT("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", {"abc", 0, 0, 9, 0});
    EXPECT("\xef\xac\x81ne", {"fine", 0, 0, 5, 0});
    EXPECT("\xc4\xb0stanbul", {"istanbul", 0, 0, 9, 0});
    /* A lone combining mark is no word and takes no position. */
    EXPECT(" \xcc\x81 x", {"x", 0, 4, 5, 0});
    /* A circled digit (category No) keeps only its digit. */
    EXPECT("\xe2\x91\xb4", {"1", 0, 0, 3, 0});
}

static void test_greek_cyrillic(void)
{
    EXPECT("\xce\x9a\xce\x91\xce\x9b\xce\x97\xce\x9c\xce\x88\xce\xa1\xce\x91 "
           "\xce\xa3\xce\xbf\xcf\x86\xce\xaf\xce\xb1 "
           "\xce\x9b\xce\x8c\xce\x93\xce\x9f\xce\xa3 "
           "\xce\xbb\xcf\x8c\xce\xb3\xce\xbf\xcf\x82",
           {"\xce\xba\xce\xb1\xce\xbb\xce\xb7\xce\xbc\xce\xb5\xcf\x81\xce\xb1",
            0, 0, 16, 0},
           {"\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1", 1, 17, 27, 0},
           {"\xce\xbb\xce\xbf\xce\xb3\xce\xbf\xcf\x83", 2, 28, 38, 0},
           {"\xce\xbb\xce\xbf\xce\xb3\xce\xbf\xcf\x83", 3, 39, 49, 0});
    EXPECT("\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2, "
           "\xd0\x9c\xd0\xb8\xd1\x80! \xd0\x81\xd0\xbb\xd0\xba\xd0\xb0",
           {"\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 0, 0, 12, 0},
           {"\xd0\xbc\xd0\xb8\xd1\x80", 1, 14, 20, 0},
           {"\xd0\xb5\xd0\xbb\xd0\xba\xd0\xb0", 2, 22, 30, 0});
}

static void test_cjk(void)
{
    rp_pos next = EXPECT(
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", {"\xe6\x97\xa5", 0, 0, 3, 0},
        {"\xe6\x9c\xac", 1, 3, 6, 0}, {"\xe8\xaa\x9e", 2, 6, 9, 0});
    ASSERT_EQ(next, 3);
    /* Latin letters next to Han form their own word. */
    EXPECT("\xe6\x9d\xb1\xe4\xba\xac"
           "ABC\xe5\xa4\xa7",
           {"\xe6\x9d\xb1", 0, 0, 3, 0}, {"\xe4\xba\xac", 1, 3, 6, 0},
           {"abc", 2, 6, 9, 0}, {"\xe5\xa4\xa7", 3, 9, 12, 0});
    /* Hiragana, and katakana GA in NFC, in NFD and as half-width GA. */
    EXPECT("\xe3\x81\xb2\xe3\x82\x89", {"\xe3\x81\xb2", 0, 0, 3, 0},
           {"\xe3\x82\x89", 1, 3, 6, 0});
    EXPECT("\xe3\x82\xac", {"\xe3\x82\xab", 0, 0, 3, 0});
    EXPECT("\xe3\x82\xab\xe3\x82\x99", {"\xe3\x82\xab", 0, 0, 6, 0});
    next = EXPECT("\xef\xbd\xb6\xef\xbe\x9e", {"\xe3\x82\xab", 0, 0, 3, 0});
    ASSERT_EQ(next, 1);
    /* Hangul syllables, precomposed and as conjoining jamo (NFD). */
    EXPECT("\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", {"\xed\x95\x9c", 0, 0, 3, 0},
           {"\xea\xb5\xad", 1, 3, 6, 0}, {"\xec\x96\xb4", 2, 6, 9, 0});
    EXPECT("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab\xe1\x84\x80\xe1\x85\xae"
           "\xe1\x86\xa8",
           {"\xed\x95\x9c", 0, 0, 9, 0}, {"\xea\xb5\xad", 1, 9, 18, 0});
    /* An LV syllable takes a trailing jamo (GA + final K = GAK) and a
     * vowel jamo (which does not compose); an LVT syllable takes neither
     * a vowel nor a new initial, which start tokens of their own. */
    EXPECT("\xea\xb0\x80\xe1\x86\xa8", {"\xea\xb0\x81", 0, 0, 6, 0});
    EXPECT("\xea\xb0\x80\xe1\x85\xa1",
           {"\xea\xb0\x80\xe1\x85\xa1", 0, 0, 6, 0});
    EXPECT("\xea\xb0\x81\xe1\x85\xa1\xe1\x84\x80", {"\xea\xb0\x81", 0, 0, 3, 0},
           {"\xe1\x85\xa1", 1, 3, 6, 0}, {"\xe1\x84\x80", 2, 6, 9, 0});
    /* A variation selector (a mark) stays with its ideograph. */
    EXPECT("\xe5\xad\x97\xef\xb8\x80x", {"\xe5\xad\x97", 0, 0, 6, 0},
           {"x", 1, 6, 7, 0});
    /* A CJK compatibility ideograph folds to the unified one. */
    EXPECT("\xef\xa4\x80", {"\xe8\xb1\x88", 0, 0, 3, 0});
}

static void test_separators(void)
{
    EXPECT("a\0b", {"a", 0, 0, 1, 0}, {"b", 1, 2, 3, 0});
    EXPECT("a\xf0\x9f\x98\x80"
           "b",
           {"a", 0, 0, 1, 0}, {"b", 1, 5, 6, 0});
    EXPECT("a\xc2\xa0"
           "b",
           {"a", 0, 0, 1, 0}, {"b", 1, 3, 4, 0});
    EXPECT("a\xe2\x80\x8b"
           "b",
           {"a", 0, 0, 1, 0}, {"b", 1, 4, 5, 0});
    EXPECT("a\xee\x80\x80"
           "b",
           {"a", 0, 0, 1, 0}, {"b", 1, 4, 5, 0});
    EXPECT("a\x01\x7f"
           "b",
           {"a", 0, 0, 1, 0}, {"b", 1, 3, 4, 0});
    EXPECT("a\xc2\xbf"
           "b\xe2\x82\xac"
           "c",
           {"a", 0, 0, 1, 0}, {"b", 1, 3, 4, 0}, {"c", 2, 7, 8, 0});
    EXPECT_NONE(" \t\r\n.,;:!?()[]{}<>\"'`~@#$%^&*-_=+|\\/");
    EXPECT_NONE("\xf0\x9f\x98\x80\xe2\x9c\x93\xe2\x80\x94");
}

typedef struct stopper {
    size_t calls;
    size_t stop_at;
    rp_pos last_pos;
} stopper;

static int stop_cb(void *ctx, const rp_token *tok)
{
    stopper *s = ctx;
    s->calls++;
    s->last_pos = tok->pos;
    return s->calls == s->stop_at ? 42 : 0;
}

static void test_stop_early(void)
{
    const char *text = "one two three four";
    stopper s = {0, 2, 0};
    rp_pos next = 0;
    ASSERT_EQ(rp_tokenize(text, strlen(text), 10, stop_cb, &s, &next), 42);
    ASSERT_EQ(s.calls, 2);
    ASSERT_EQ(s.last_pos, 11);
    ASSERT_EQ(next, 12);
    /* Stopping at a part: the positions handed out end at that part. */
    text = "x post-traumatic y";
    s = (stopper){0, 2, 0};
    ASSERT_EQ(rp_tokenize(text, strlen(text), 0, stop_cb, &s, &next), 42);
    ASSERT_EQ(next, 2);
    /* Stopping at the joined token: all its parts were handed out. */
    s = (stopper){0, 4, 0};
    ASSERT_EQ(rp_tokenize(text, strlen(text), 0, stop_cb, &s, &next), 42);
    ASSERT_EQ(s.last_pos, 1);
    ASSERT_EQ(next, 3);
    /* Any non-zero value stops, negative ones included. */
    static sink k;
    memset(&k, 0, sizeof k);
    k.stop_at = 1;
    k.stop_rc = RP_ESTOP;
    ASSERT_EQ(rp_tokenize(text, strlen(text), 0, collect, &k, NULL), RP_ESTOP);
    ASSERT_EQ(k.n, 1);
}

static void test_invalid_utf8(void)
{
    static const char *const bad[] = {
        "good words \xff more", "\xc0\x80",          "abc \xed\xa0\x80",
        "\xf4\x90\x80\x80 x",   "trailing \xe2\x82",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        stopper s = {0, 0, 0};
        rp_pos next = 999;
        ASSERT_EQ(rp_tokenize(bad[i], strlen(bad[i]), 7, stop_cb, &s, &next),
                  RP_EUTF8);
        ASSERT_EQ(s.calls, 0);
        ASSERT_EQ(next, 7);
    }
    stopper s = {0, 0, 0};
    ASSERT_EQ(rp_tokenize("ok \xff", 4, 0, stop_cb, &s, NULL), RP_EUTF8);
    ASSERT_EQ(s.calls, 0);
}

static void test_base_and_next_pos(void)
{
    rp_pos next = check_at(
        __LINE__, "alpha beta", 10, 100,
        (const want[]){{"alpha", 100, 0, 5, 0}, {"beta", 101, 6, 10, 0}, END});
    ASSERT_EQ(next, 102);
    /* A second field continues where the first ended. */
    next = check_at(__LINE__, "gamma-ray", 9, next,
                    (const want[]){{"gamma", 102, 0, 5, P},
                                   {"ray", 103, 6, 9, P},
                                   {"gammaray", 102, 0, 9, J},
                                   END});
    ASSERT_EQ(next, 104);
    next = check_at(__LINE__, "", 0, 5, (const want[]){END});
    ASSERT_EQ(next, 5);
    next = check_at(__LINE__, " ,.;-- ", 7, 5, (const want[]){END});
    ASSERT_EQ(next, 5);
    stopper s = {0, 0, 0};
    next = 0;
    ASSERT_OK(rp_tokenize(NULL, 0, 9, stop_cb, &s, &next));
    ASSERT_EQ(next, 9);
    ASSERT_EQ(s.calls, 0);
    ASSERT_OK(rp_tokenize("x y", 3, 0, stop_cb, &s, NULL));
    ASSERT_EQ(s.calls, 2);
}

/* Writes n copies of the string unit into out, NUL-terminated. */
static size_t repeat(char *out, const char *unit, size_t n)
{
    size_t u = strlen(unit), len = 0;
    for (size_t i = 0; i < n; i++, len += u)
        memcpy(out + len, unit, u);
    out[len] = '\0';
    return len;
}

static void test_long_words(void)
{
    char text[512], w1[128], w2[128];
    /* A 70-letter word is skipped but takes its position. */
    repeat(w1, "x", 70);
    size_t len = (size_t)snprintf(text, sizeof text, "a %s b", w1);
    rp_pos next =
        check_at(__LINE__, text, len, 0,
                 (const want[]){{"a", 0, 0, 1, 0}, {"b", 2, 73, 74, 0}, END});
    ASSERT_EQ(next, 3);
    /* 64 bytes is kept, 65 is not. */
    repeat(w1, "y", 64);
    check_at(__LINE__, w1, 64, 0, (const want[]){{w1, 0, 0, 64, 0}, END});
    repeat(w1, "y", 65);
    next = check_at(__LINE__, w1, 65, 0, (const want[]){END});
    ASSERT_EQ(next, 1);
    /* The limit applies to the normalised bytes: 40 e-acute (80 input
     * bytes) give 40 bytes; 33 sharp s (66 bytes) give 66 and are
     * dropped, 32 give 64 and are kept. */
    len = repeat(text, "\xc3\xa9", 40);
    repeat(w1, "e", 40);
    check_at(__LINE__, text, len, 0, (const want[]){{w1, 0, 0, 80, 0}, END});
    len = repeat(text, "\xc3\x9f", 33);
    next = check_at(__LINE__, text, len, 0, (const want[]){END});
    ASSERT_EQ(next, 1);
    len = repeat(text, "\xc3\x9f", 32);
    repeat(w1, "ss", 32);
    check_at(__LINE__, text, len, 0, (const want[]){{w1, 0, 0, 64, 0}, END});
    /* 22 "ffi" ligatures expand to 66 bytes. */
    len = repeat(text, "\xef\xac\x83", 22);
    check_at(__LINE__, text, len, 0, (const want[]){END});
    /* A too-long part keeps its position; then there is no joined token. */
    repeat(w1, "z", 70);
    len = (size_t)snprintf(text, sizeof text, "x-%s-y", w1);
    next =
        check_at(__LINE__, text, len, 0,
                 (const want[]){{"x", 0, 0, 1, P}, {"y", 2, 73, 74, P}, END});
    ASSERT_EQ(next, 3);
    /* Parts that fit but whose join does not. */
    repeat(w1, "a", 40);
    repeat(w2, "b", 40);
    len = (size_t)snprintf(text, sizeof text, "%s-%s", w1, w2);
    check_at(__LINE__, text, len, 0,
             (const want[]){{w1, 0, 0, 40, P}, {w2, 1, 41, 81, P}, END});
    /* A join of exactly 64 bytes is kept. */
    char joined[256];
    repeat(w1, "a", 32);
    repeat(w2, "b", 32);
    snprintf(joined, sizeof joined, "%s%s", w1, w2);
    len = (size_t)snprintf(text, sizeof text, "%s-%s", w1, w2);
    check_at(
        __LINE__, text, len, 0,
        (const want[]){
            {w1, 0, 0, 32, P}, {w2, 1, 33, 65, P}, {joined, 0, 0, 65, J}, END});
    /* A very long word of mixed scripts is bounded and skipped. */
    static char big[8192];
    len = repeat(big, "a\xc3\xa9\xef\xac\x83\xd0\x96", 800);
    next = check_at(__LINE__, big, len, 0, (const want[]){END});
    ASSERT_EQ(next, 1);
}

/* Validates the invariants every token must hold, for tokens of text. */
typedef struct inv {
    size_t len;
    rp_pos base;
    size_t count;
    size_t last_start; /* start of the previous non-joined token */
    rp_pos last_pos;   /* pos of the previous non-joined token */
} inv;

static int inv_cb(void *ctx, const rp_token *tok)
{
    inv *v = ctx;
    if (tok->term_len < 1 || tok->term_len > RP_TERM_MAX_BYTES)
        T_FAIL("term_len %zu", tok->term_len);
    if (rp_utf8_validate(tok->term, tok->term_len, NULL) != 0)
        T_FAIL("term is not valid UTF-8");
    if (!(tok->start < tok->end && tok->end <= v->len))
        T_FAIL("span %zu..%zu outside 0..%zu", tok->start, tok->end, v->len);
    if (tok->pos < v->base)
        T_FAIL("pos %u below base %u", (unsigned)tok->pos, (unsigned)v->base);
    for (size_t i = 0; i < tok->term_len; i++) {
        unsigned char c = (unsigned char)tok->term[i];
        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '\'' || c == '.'))
            T_FAIL("byte 0x%02x in term", c);
    }
    if (!(tok->flags & RP_TOK_JOINED)) {
        if (v->count > 0 &&
            (tok->start < v->last_start || tok->pos <= v->last_pos))
            T_FAIL("tokens out of order");
        v->last_start = tok->start;
        v->last_pos = tok->pos;
        v->count++;
    }
    return 0;
}

static void test_blns(void)
{
    const char *dir = t_shared();
    if (dir == NULL)
        T_SKIP("shared data directory not found");
    char path[4096];
    snprintf(path, sizeof path, "%s/badinput/blns.txt", dir);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        T_SKIP("%s not found", path);
    static char buf[1 << 17];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ASSERT(len > 1000 && len < sizeof buf);
    size_t lines = 0, valid = 0, tokens = 0;
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && buf[e] != '\n')
            e++;
        inv v = {e - i, 3, 0, 0, 0};
        rp_pos next = 0;
        int rc = rp_tokenize(buf + i, e - i, 3, inv_cb, &v, &next);
        if (rp_utf8_validate(buf + i, e - i, NULL) == 0) {
            ASSERT_OK(rc);
            ASSERT(next >= 3 && (v.count == 0 || next > v.last_pos));
            valid++;
        } else {
            ASSERT_EQ(rc, RP_EUTF8);
            ASSERT_EQ(v.count, 0);
        }
        tokens += v.count;
        lines++;
        i = e + 1;
    }
    ASSERT(lines > 500 && valid > 500 && tokens > 1000);
}

/* A category is a letter, number or mark (utf8proc numbering). */
static int cat_ln(utf8proc_category_t c)
{
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* Every code point alone: separators give nothing; a letter or number gives
 * exactly utf8proc_map's NFKC + case fold + mark strip of it, whenever that
 * is made of letters and numbers only and fits. Every token found also
 * tokenizes back to itself. */
static void test_codepoint_oracle(void)
{
    static sink s;
    size_t compared = 0;
    for (int32_t cp = 1; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff)
            continue;
        char in[4];
        size_t n = rp_utf8_encode(cp, in);
        memset(&s, 0, sizeof s);
        ASSERT_OK(rp_tokenize(in, n, 0, collect, &s, NULL));
        utf8proc_category_t cat = utf8proc_category(cp);
        if (!cat_ln(cat) || cp == 0x02bc) {
            if (s.n != 0)
                T_FAIL("U+%04X (category %d) gave a token", (unsigned)cp,
                       (int)cat);
            continue;
        }
        ASSERT(s.n <= 1);
        utf8proc_uint8_t *ref = NULL;
        utf8proc_ssize_t rn = utf8proc_map(
            (const utf8proc_uint8_t *)in, (utf8proc_ssize_t)n, &ref,
            UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                UTF8PROC_STRIPMARK);
        ASSERT(rn >= 0 && ref != NULL);
        int only_ln = rn > 0 && rn <= RP_TERM_MAX_BYTES;
        for (utf8proc_ssize_t i = 0; only_ln && i < rn;) {
            int32_t c;
            i += (utf8proc_ssize_t)rp_utf8_decode((const char *)ref + i,
                                                  (size_t)(rn - i), &c);
            only_ln = cat_ln(utf8proc_category(c)) && c != 0x02bc;
        }
        if (only_ln) {
            if (s.n != 1 || s.t[0].term_len != (size_t)rn ||
                memcmp(s.t[0].term, ref, (size_t)rn) != 0 ||
                s.t[0].start != 0 || s.t[0].end != n || s.t[0].pos != 0)
                T_FAIL("U+%04X: got %zu tokens \"%s\", want \"%s\"",
                       (unsigned)cp, s.n, s.n ? s.t[0].term : "",
                       (const char *)ref);
            compared++;
        }
        free(ref);
        if (s.n == 1 && cp != 0x309f && cp != 0x30ff) {
            /* Idempotence: a term is its own normal form. (The kana
             * digraphs U+309F and U+30FF expand to two kana, which are
             * then two tokens.) */
            got_tok t0 = s.t[0];
            memset(&s, 0, sizeof s);
            ASSERT_OK(rp_tokenize(t0.term, t0.term_len, 0, collect, &s, NULL));
            if (s.n != 1 || strcmp(s.t[0].term, t0.term) != 0)
                T_FAIL("U+%04X: term \"%s\" does not tokenize to itself",
                       (unsigned)cp, t0.term);
        }
    }
    ASSERT(compared > 100000);
}

/* Random words of letters, numbers and marks from several scripts (no CJK,
 * which would split) must come out as one token equal to utf8proc_map of
 * the whole word, which decomposes, reorders and composes in one go. */
static void test_word_oracle(void)
{
    static const char *const pool[] = {
        "a",
        "Z",
        "q",
        "\xc3\xa9",
        "e\xcc\x81",
        "\xc3\x9f",
        "\xe1\xba\x9e",
        "\xc4\xb0",
        "\xef\xac\x81",
        "\xef\xac\x83",
        "\xef\xbc\xa1",
        "\xef\xbd\x9a",
        "\xce\xa3",
        "\xcf\x82",
        "\xce\xac",
        "\xd0\x81",
        "\xd0\xb9",
        "\xc7\x85",
        "\xe2\x84\xab",
        "\xe2\x84\xaa",
        "\xc2\xb5",
        "\xcc\xa7",
        "\xcc\x88",
        "1",
        "\xd9\xa3",
        "\xef\xbc\x91",
        "\xe2\x85\xab",
        "\xc7\xb0",
        "\xce\x90",
        "\xe1\xbe\xb3",
        "\xd7\xa9",
        "\xe0\xa4\x95\xe0\xa5\x8d",
    };
    const size_t npool = sizeof pool / sizeof pool[0];
    static sink s;
    uint32_t seed = 12345;
    for (int w = 0; w < 3000; w++) {
        char word[128];
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        size_t chars = 1 + (seed >> 16) % 8;
        for (size_t c = 0; c < chars; c++) {
            seed = seed * 1103515245u + 12345u;
            const char *u = pool[(seed >> 16) % npool];
            memcpy(word + len, u, strlen(u));
            len += strlen(u);
        }
        utf8proc_uint8_t *ref = NULL;
        utf8proc_ssize_t rn = utf8proc_map(
            (const utf8proc_uint8_t *)word, (utf8proc_ssize_t)len, &ref,
            UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                UTF8PROC_STRIPMARK);
        ASSERT(rn >= 0 && rn <= RP_TERM_MAX_BYTES && ref != NULL);
        memset(&s, 0, sizeof s);
        ASSERT_OK(rp_tokenize(word, len, 0, collect, &s, NULL));
        size_t nwant = rn > 0 ? 1 : 0;
        if (s.n != nwant ||
            (nwant && (s.t[0].term_len != (size_t)rn ||
                       memcmp(s.t[0].term, ref, (size_t)rn) != 0 ||
                       s.t[0].start != 0 || s.t[0].end != len)))
            T_FAIL("\"%.*s\": got %zu tokens \"%s\", want \"%s\"", (int)len,
                   word, s.n, s.n ? s.t[0].term : "", (const char *)ref);
        free(ref);
    }
}

static const t_case cases[] = {
    T(test_english),        T(test_compounds),    T(test_compound_limit),
    T(test_apostrophes),    T(test_numbers),      T(test_accents),
    T(test_greek_cyrillic), T(test_cjk),          T(test_separators),
    T(test_stop_early),     T(test_invalid_utf8), T(test_base_and_next_pos),
    T(test_long_words),     T(test_blns),         T(test_codepoint_oracle),
    T(test_word_oracle),    {NULL, NULL},
};

T_MAIN(cases)

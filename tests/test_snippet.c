/* SPDX-License-Identifier: MIT */
/*
 * Tests for snippet: the term set (dedup, order, lookups, which query
 * leaves count) and the excerpts, with every expected string worked out by
 * hand from the window rules in src/snippet.c: most distinct terms, ties to
 * the earliest, a quarter of the spare room before the first match, code
 * points not bytes, whole words, "…" at cuts, whitespace collapsed, HTML
 * escaped. The Big List of Naughty Strings checks that any input gives
 * valid UTF-8 with balanced markers.
 */
#include "rapport/snippet.h"
#include "rapport/utf8.h"
#include "t.h"

#define ELL "\xe2\x80\xa6" /* U+2026, the cut mark */

static rp_analyzer *new_an(void)
{
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    return an;
}

/* Adds the terms of query q to s. */
static void add_query(rp_termset *s, rp_analyzer *an, const char *q)
{
    rp_query *query;
    ASSERT_OK(rp_query_parse(q, strlen(q), &query, NULL));
    ASSERT_OK(rp_termset_add_query(s, an, query));
    rp_query_free(query);
}

/* The snippet of text for query q; max_chars 0 is the default; open and
 * close NULL are the defaults. Returns a static NUL-terminated copy. */
static const char *snip_with(const char *q, const char *text, size_t len,
                             size_t max_chars, const char *open,
                             const char *close)
{
    static char res[4096];
    rp_analyzer *an = new_an();
    rp_termset s;
    rp_termset_init(&s);
    add_query(&s, an, q);
    rp_snippet_opts o = {max_chars, open, close};
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_snippet(an, &s, text, len, &o, &out));
    ASSERT(out.len < sizeof res);
    if (out.len)
        memcpy(res, out.data, out.len);
    res[out.len] = '\0';
    rp_buf_fini(&out);
    rp_termset_fini(&s);
    rp_analyzer_free(an);
    return res;
}

static const char *snip(const char *q, const char *text, size_t max_chars)
{
    return snip_with(q, text, strlen(text), max_chars, NULL, NULL);
}

static int has(const rp_termset *s, const char *term)
{
    return rp_termset_has(s, term, strlen(term));
}

static void test_one_match(void)
{
    ASSERT_STR_EQ(snip("grief", "Grief comes in waves.", 0),
                  "<mark>Grief</mark> comes in waves.");
    /* A word elsewhere in the text, with punctuation around it, which
     * stays outside the mark. */
    ASSERT_STR_EQ(snip("waves", "Grief comes in (waves).", 0),
                  "Grief comes in (<mark>waves</mark>).");
    /* Every occurrence is marked, not only the first. */
    ASSERT_STR_EQ(snip("grief", "Grief is grief.", 0),
                  "<mark>Grief</mark> is <mark>grief</mark>.");
}

static void test_stemming(void)
{
    /* The index's own analysis decides: "grieving", "grieves" and
     * "grieve" share the stem "griev". */
    ASSERT_STR_EQ(snip("grieve", "Grieving takes time; she grieves.", 0),
                  "<mark>Grieving</mark> takes time; she "
                  "<mark>grieves</mark>.");
    ASSERT_STR_EQ(snip("sleeping", "Poor sleep.", 0),
                  "Poor <mark>sleep</mark>.");
    /* Snowball stems "grief" to "grief" but "grieving" to "griev": a
     * search for "grief" does not find "grieving", so it is not marked. */
    ASSERT_STR_EQ(snip("grief", "Grieving takes time.", 0),
                  "Grieving takes time.");
    /* Stop words are never marked, even when the query has them. */
    ASSERT_STR_EQ(snip("the waves", "The waves.", 0),
                  "The <mark>waves</mark>.");
}

static void test_distinct_terms(void)
{
    /* "sleep" three times (17 chars) against "sleep helps anxiety" (19):
     * with 20 chars the window with both terms wins, although it comes
     * later and has fewer matches. */
    ASSERT_STR_EQ(snip("sleep anxiety",
                       "sleep sleep sleep one two three four five six "
                       "seven eight nine ten sleep helps anxiety go",
                       20),
                  ELL "<mark>sleep</mark> helps <mark>anxiety</mark>" ELL);
    /* One term twice, never in one window: the earliest wins. The spare
     * room is 5, a quarter of it (1) is too little for context before,
     * so the rest goes after. */
    ASSERT_STR_EQ(snip("anxiety",
                       "anxiety one two three four five six anxiety seven", 12),
                  "<mark>anxiety</mark> one" ELL);
}

static void test_cut_both_ends(void)
{
    static const char text[] = "Many people find that grief arrives in "
                               "waves that come and go without warning.";
    /* 30 chars, "grief" uses 5: a quarter of the 25 spare (6) fits
     * "that " before, the rest is filled after up to "waves" (27). */
    ASSERT_STR_EQ(snip("grief", text, 30),
                  ELL "that <mark>grief</mark> arrives in waves" ELL);
    /* A match at the very end: nothing follows, so the room goes to
     * the words before it. */
    ASSERT_STR_EQ(snip("warning", text, 30),
                  ELL "come and go without <mark>warning</mark>.");
    /* The whole text (78 chars) fits: no cut marks. With one char less,
     * a quarter of the spare room (18) holds "people find that " (17). */
    ASSERT_STR_EQ(snip("grief", text, 78),
                  "Many people find that <mark>grief</mark> arrives in "
                  "waves that come and go without warning.");
    ASSERT_STR_EQ(snip("grief", text, 77),
                  ELL "people find that <mark>grief</mark> arrives in "
                      "waves that come and go without warning.");
}

static void test_no_match(void)
{
    static const char text[] = "Many people find that grief arrives in "
                               "waves that come and go without warning.";
    /* The beginning, up to the last whole word that fits (27 of 30). */
    ASSERT_STR_EQ(snip("anxiety", text, 30), "Many people find that grief" ELL);
    /* An empty query: the same. */
    ASSERT_STR_EQ(snip("", text, 30), "Many people find that grief" ELL);
    /* A compound is one word: never cut at its hyphen. */
    ASSERT_STR_EQ(snip("", "one two post-traumatic", 12), "one two" ELL);
}

static void test_code_points(void)
{
    /* 33 code points in 37 bytes: "ë" and "ï" take two bytes each and
     * the "…" in the text three. */
    static const char text[] =
        "Zo\xc3\xab felt na\xc3\xafve" ELL " but grief stayed.";
    ASSERT_STR_EQ(snip("grief", text, 33), "Zo\xc3\xab felt na\xc3\xafve" ELL
                                           " but <mark>grief</mark> stayed.");
    ASSERT_STR_EQ(snip("grief", text, 32), ELL
                  "felt na\xc3\xafve" ELL " but <mark>grief</mark> stayed.");
    /* A single word longer than the window is cut at a code point. */
    ASSERT_STR_EQ(snip("", "na\xc3\xafvet\xc3\xa9", 3), "na\xc3\xaf" ELL);
    ASSERT_STR_EQ(
        snip("na\xc3\xafvet\xc3\xa9", "Na\xc3\xafvet\xc3\xa9 hurts", 4),
        "<mark>Na\xc3\xafv</mark>" ELL);
}

static void test_spaceless_script(void)
{
    /* Han characters are words of their own: a text without spaces is
     * still cut at word boundaries around the match. */
    char text[256] = "";
    for (int i = 0; i < 30; i++)
        strcat(text, "\xe6\x97\xa5"); /* 日 */
    strcat(text, "\xe6\x82\xb2");     /* 悲 */
    for (int i = 0; i < 20; i++)
        strcat(text, "\xe6\x9c\xac"); /* 本 */
    ASSERT_STR_EQ(snip("\xe6\x82\xb2", text, 10),
                  ELL "\xe6\x97\xa5\xe6\x97\xa5<mark>\xe6\x82\xb2</mark>"
                      "\xe6\x9c\xac\xe6\x9c\xac\xe6\x9c\xac\xe6\x9c\xac"
                      "\xe6\x9c\xac\xe6\x9c\xac\xe6\x9c\xac" ELL);
}

static void test_html_escape(void)
{
    ASSERT_STR_EQ(
        snip("grief",
             "Tom & Jerry said \"<script>alert('grief')</script>\" loudly", 0),
        "Tom &amp; Jerry said &quot;&lt;script&gt;alert(&#39;"
        "<mark>grief</mark>&#39;)&lt;/script&gt;&quot; loudly");
    /* Markers are written as given, even with HTML in them. */
    static const char text[] = "a<b & grief";
    ASSERT_STR_EQ(
        snip_with("grief", text, strlen(text), 0, "<b class=\"hit\">", "</b>"),
        "a&lt;b &amp; <b class=\"hit\">grief</b>");
}

static void test_custom_markers(void)
{
    static const char text[] = "Grief comes in waves.";
    ASSERT_STR_EQ(snip_with("grief waves", text, strlen(text), 0, "[[", "]]"),
                  "[[Grief]] comes in [[waves]].");
    /* Only one marker given: the other keeps its default. */
    ASSERT_STR_EQ(snip_with("grief", text, strlen(text), 0, "{", NULL),
                  "{Grief</mark> comes in waves.");
    /* NULL opts: all defaults. */
    rp_analyzer *an = new_an();
    rp_termset s;
    rp_termset_init(&s);
    add_query(&s, an, "waves");
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_snippet(an, &s, text, strlen(text), NULL, &out));
    ASSERT_MEM_EQ(out.data, out.len, "Grief comes in <mark>waves</mark>.");
    rp_buf_fini(&out);
    rp_termset_fini(&s);
    rp_analyzer_free(an);
}

static void test_compound(void)
{
    static const char text[] = "Living with post-traumatic stress is hard.";
    static const char want[] =
        "Living with <mark>post-traumatic</mark> stress is hard.";
    /* The joined form, the parts, one part, or the phrase of the parts:
     * each marks the whole compound once. */
    ASSERT_STR_EQ(snip("posttraumatic", text, 0), want);
    ASSERT_STR_EQ(snip("post traumatic", text, 0), want);
    ASSERT_STR_EQ(snip("traumatic", text, 0), want);
    ASSERT_STR_EQ(snip("\"post traumatic\"", text, 0), want);
    ASSERT_STR_EQ(snip("post-traumatic", text, 0), want);
    ASSERT_STR_EQ(snip("\"post-traumatic stress\"", text, 0),
                  "Living with <mark>post-traumatic</mark> "
                  "<mark>stress</mark> is hard.");
    /* A query compound marks the document's joined form. */
    ASSERT_STR_EQ(snip("post-traumatic", "Posttraumatic growth.", 0),
                  "<mark>Posttraumatic</mark> growth.");
    /* A stop-word part ("in") does not split the compound. */
    ASSERT_STR_EQ(snip("law", "My mother-in-law called.", 0),
                  "My <mark>mother-in-law</mark> called.");
}

static void test_empty(void)
{
    rp_analyzer *an = new_an();
    rp_termset s;
    rp_termset_init(&s);
    add_query(&s, an, "grief");
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_snippet(an, &s, "", 0, NULL, &out));
    ASSERT_EQ(out.len, 0);
    ASSERT_OK(rp_snippet(an, &s, NULL, 0, NULL, &out));
    ASSERT_EQ(out.len, 0);
    /* Whitespace only: nothing left after trimming. */
    ASSERT_OK(rp_snippet(an, &s, " \t\r\n ", 5, NULL, &out));
    ASSERT_EQ(out.len, 0);
    /* An empty term set and a NULL one mark nothing. */
    rp_termset none;
    rp_termset_init(&none);
    ASSERT_OK(rp_snippet(an, &none, "grief", 5, NULL, &out));
    ASSERT_MEM_EQ(out.data, out.len, "grief");
    out.len = 0;
    ASSERT_OK(rp_snippet(an, NULL, "grief", 5, NULL, &out));
    ASSERT_MEM_EQ(out.data, out.len, "grief");
    rp_buf_fini(&out);
    rp_termset_fini(&s);
    rp_analyzer_free(an);
}

static void test_whitespace(void)
{
    ASSERT_STR_EQ(snip("grief", "  Grief\tcomes\r\n\n in   waves.  \n", 0),
                  "<mark>Grief</mark> comes in waves.");
    /* A run of whitespace counts as the one space it shows as. */
    ASSERT_STR_EQ(snip("", "one\n\n\n\ntwo three", 7), "one two" ELL);
    ASSERT_STR_EQ(snip("", "one\n\n\n\ntwo three", 6), "one" ELL);
}

static void test_invalid_utf8(void)
{
    rp_analyzer *an = new_an();
    rp_termset s;
    rp_termset_init(&s);
    add_query(&s, an, "grief");
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_buf_append(&out, "keep", 4));
    ASSERT_EQ(rp_snippet(an, &s, "grief \xff waves", 13, NULL, &out), RP_EUTF8);
    ASSERT_MEM_EQ(out.data, out.len, "keep");
    ASSERT_EQ(rp_snippet(an, &s, "grief \xe2\x80", 8, NULL, &out), RP_EUTF8);
    ASSERT_MEM_EQ(out.data, out.len, "keep");
    /* The output is appended to, not replaced. */
    ASSERT_OK(rp_snippet(an, &s, "grief", 5, NULL, &out));
    ASSERT_MEM_EQ(out.data, out.len, "keep<mark>grief</mark>");
    /* Invalid text added to a set adds nothing. */
    ASSERT_EQ(rp_termset_add_text(&s, an, "calm \xc0\xaf", 7), RP_EUTF8);
    ASSERT_EQ(s.n, 1);
    rp_buf_fini(&out);
    rp_termset_fini(&s);
    rp_analyzer_free(an);
}

static void test_termset_query(void)
{
    rp_analyzer *an = new_an();
    rp_termset s;

    /* NOT clauses (top level and nested) and prefix words add nothing;
     * phrase words and MUST words do. */
    rp_termset_init(&s);
    add_query(&s, an,
              "anxiety -sleep \"panic attacks\" trauma* +grieving "
              "(calm OR -stress)");
    ASSERT_EQ(s.n, 5);
    ASSERT(has(&s, "anxieti"));
    ASSERT(has(&s, "panic"));
    ASSERT(has(&s, "attack"));
    ASSERT(has(&s, "griev"));
    ASSERT(has(&s, "calm"));
    ASSERT(!has(&s, "sleep"));
    ASSERT(!has(&s, "stress"));
    ASSERT(!has(&s, "trauma"));
    rp_termset_fini(&s);

    /* AND NOT, and a purely negative query. */
    rp_termset_init(&s);
    add_query(&s, an, "sleep AND NOT anxiety");
    ASSERT_EQ(s.n, 1);
    ASSERT(has(&s, "sleep"));
    add_query(&s, an, "-grief");
    add_query(&s, an, "NOT panic");
    ASSERT_EQ(s.n, 1);
    rp_termset_fini(&s);

    /* Duplicates are kept once; stop words are not terms. */
    rp_termset_init(&s);
    add_query(&s, an, "grief GRIEF griefs \"grief\" the a");
    ASSERT_EQ(s.n, 1);
    ASSERT(has(&s, "grief"));
    rp_termset_fini(&s);

    /* A compound word gives its parts and the joined form; a compound in
     * a phrase gives only the parts, as the search engine uses them. */
    rp_termset_init(&s);
    add_query(&s, an, "post-traumatic");
    ASSERT_EQ(s.n, 3);
    ASSERT(has(&s, "post"));
    ASSERT(has(&s, "traumat"));
    ASSERT(has(&s, "posttraumat"));
    rp_termset_fini(&s);
    rp_termset_init(&s);
    add_query(&s, an, "\"post-traumatic stress\"");
    ASSERT_EQ(s.n, 3);
    ASSERT(!has(&s, "posttraumat"));
    ASSERT(has(&s, "stress"));
    rp_termset_fini(&s);

    /* Excluded words stay unmarked in the snippet. */
    ASSERT_STR_EQ(snip("grief -sleep", "Grief and sleep.", 0),
                  "<mark>Grief</mark> and sleep.");
    ASSERT_STR_EQ(snip("grief*", "Grief and sleep.", 0), "Grief and sleep.");
    rp_analyzer_free(an);
}

static int cmp_terms(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static void test_termset_many(void)
{
    rp_analyzer *an = new_an();
    rp_termset s;
    rp_termset_init(&s);
    /* Numbers are not stemmed, so the terms are exactly what we add. */
    enum { N = 600 };
    static char ref[N][16];
    size_t nref = 0;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < N; i++) {
        char w[16];
        int n =
            snprintf(w, sizeof w, "%u", (unsigned)(t_rand(&seed) % 400) * 7);
        ASSERT_OK(rp_termset_add_text(&s, an, w, (size_t)n));
        size_t k = 0;
        while (k < nref && strcmp(ref[k], w) != 0)
            k++;
        if (k == nref)
            memcpy(ref[nref++], w, sizeof w);
    }
    ASSERT_EQ(s.n, nref);
    for (size_t k = 0; k < nref; k++)
        ASSERT(has(&s, ref[k]));
    /* Multiples of 7 only: 1, 8, ... are absent. */
    ASSERT(!has(&s, "1"));
    ASSERT(!has(&s, "8"));
    ASSERT(!has(&s, ""));
    ASSERT(!has(&s, "99999"));
    /* The length is honoured: "14" is a prefix of the buffer. */
    ASSERT(rp_termset_has(&s, "14x", 2) == has(&s, "14"));
    /* The index is kept in byte order. */
    for (size_t i = 1; i < s.n; i++)
        ASSERT(cmp_terms(s.bytes + s.off[i - 1], s.len[i - 1],
                         s.bytes + s.off[i], s.len[i]) < 0);

    /* Words from a text, one term per stem. */
    rp_termset_fini(&s);
    static const char text[] = "Sleeping badly, she slept; sleep came late.";
    ASSERT_OK(rp_termset_add_text(&s, an, text, strlen(text)));
    ASSERT_EQ(s.n, 5); /* sleep bad slept came late; "she" is a stop word */
    ASSERT(has(&s, "sleep"));
    ASSERT(has(&s, "slept"));
    ASSERT(!has(&s, "sleeping"));
    rp_termset_fini(&s);
    rp_analyzer_free(an);
}

static void test_termset_fini(void)
{
    rp_termset s;
    memset(&s, 0, sizeof s);
    rp_termset_fini(&s);
    rp_termset_fini(NULL);
    rp_termset_init(&s);
    ASSERT_EQ(s.n, 0);
    ASSERT(!has(&s, "grief"));
    rp_termset_fini(&s);
    rp_analyzer *an = new_an();
    ASSERT_OK(rp_termset_add_text(&s, an, "grief", 5));
    rp_termset_fini(&s);
    ASSERT(s.bytes == NULL && s.off == NULL && s.len == NULL);
    ASSERT_EQ(s.n + s.cap + s.used + s.bytes_cap, 0);
    rp_termset_fini(&s);
    rp_analyzer_free(an);
}

static void test_large_text(void)
{
    /* About 900 KB with a match every word: the window search is a
     * single sliding pass, so this stays fast. */
    enum { REPS = 50000 };
    static const char unit[] = "calm day ";
    size_t ul = sizeof unit - 1;
    static const char mid[] = "grief and sleep";
    size_t len = 2 * REPS * ul + sizeof mid - 1;
    char *text = malloc(len);
    ASSERT(text != NULL);
    size_t n = 0;
    for (int i = 0; i < REPS; i++, n += ul)
        memcpy(text + n, unit, ul);
    memcpy(text + n, mid, sizeof mid - 1);
    n += sizeof mid - 1;
    for (int i = 0; i < REPS; i++, n += ul)
        memcpy(text + n, " calm day", ul);
    ASSERT_EQ(n, len);
    /* "grief and sleep" is 15 chars; a quarter of the 5 spare (1) is not
     * enough for "day " before; " calm" fits after. */
    ASSERT_STR_EQ(snip_with("grief sleep", text, len, 20, NULL, NULL),
                  ELL "<mark>grief</mark> and <mark>sleep</mark> calm" ELL);
    /* Three distinct terms fit in 20 chars only next to "grief"; the
     * earliest such window starts at "day calm day grief" (18). */
    ASSERT_STR_EQ(snip_with("calm day grief", text, len, 20, NULL, NULL),
                  ELL "<mark>day</mark> <mark>calm</mark> <mark>day</mark> "
                      "<mark>grief</mark>" ELL);
    free(text);
}

/* Checks one snippet: valid UTF-8, markers balanced and never nested, no
 * raw HTML specials outside them, every '&' an entity we write, and at
 * most max_chars shown code points plus the two cut marks. */
static void check_snippet(const unsigned char *p, size_t n, size_t max_chars)
{
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;",
                                       "&#39;"};
    ASSERT_OK(rp_utf8_validate((const char *)p, n, NULL));
    int open = 0;
    size_t chars = 0;
    for (size_t i = 0; i < n;) {
        if (n - i >= 6 && memcmp(p + i, "<mark>", 6) == 0) {
            ASSERT(!open);
            open = 1;
            i += 6;
            continue;
        }
        if (n - i >= 7 && memcmp(p + i, "</mark>", 7) == 0) {
            ASSERT(open);
            open = 0;
            i += 7;
            continue;
        }
        ASSERT(p[i] != '<' && p[i] != '>' && p[i] != '"' && p[i] != '\'');
        ASSERT(p[i] != '\t' && p[i] != '\n' && p[i] != '\r');
        ASSERT(!(p[i] == ' ' && (i == 0 || i + 1 == n || p[i + 1] == ' ')));
        if (p[i] == '&') {
            size_t k = 0;
            while (k < 5 && !(n - i >= strlen(ents[k]) &&
                              memcmp(p + i, ents[k], strlen(ents[k])) == 0))
                k++;
            ASSERT(k < 5);
            i += strlen(ents[k]);
        } else {
            i++;
            while (i < n && (p[i] & 0xC0) == 0x80)
                i++;
        }
        chars++;
    }
    ASSERT(!open);
    ASSERT(chars <= max_chars + 2);
}

static int contains(const unsigned char *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, s, k) == 0)
            return 1;
    return 0;
}

/* Runs every line of shared/data/badinput/<name> through rp_snippet with
 * the query "a the test", at three widths, checking each result. Counts
 * the lines, the invalid ones and those with a mark. */
static void run_lines(const char *name, int *lines, int *bad, int *marked)
{
    const char *dir = t_shared();
    if (dir == NULL)
        T_SKIP("shared data dir not found (set RP_SHARED_DATA)");
    char path[1024];
    snprintf(path, sizeof path, "%s/badinput/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        T_SKIP("%s not found", path);
    rp_analyzer *an = new_an();
    rp_termset s;
    rp_termset_init(&s);
    add_query(&s, an, "a the test");
    ASSERT_EQ(s.n, 1);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    rp_buf out = RP_BUF_INIT;
    *lines = *bad = *marked = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        size_t len = (size_t)got;
        if (len && line[len - 1] == '\n')
            len--;
        (*lines)++;
        static const size_t widths[] = {0, 12, 1};
        for (size_t w = 0; w < 3; w++) {
            rp_snippet_opts o = {widths[w], NULL, NULL};
            out.len = 0;
            int rc = rp_snippet(an, &s, line, len, &o, &out);
            ASSERT(rc == 0 || rc == RP_EUTF8);
            ASSERT_EQ(rc == RP_EUTF8,
                      rp_utf8_validate(line, len, NULL) == RP_EUTF8);
            if (rc == RP_EUTF8) {
                ASSERT_EQ(out.len, 0);
                *bad += w == 0;
                continue;
            }
            check_snippet(out.data, out.len, widths[w] ? widths[w] : 180);
            if (w == 0 && contains(out.data, out.len, "<mark>"))
                (*marked)++;
        }
    }
    free(line);
    fclose(f);
    printf("  %s: %d lines, %d invalid UTF-8, %d with a mark\n", name, *lines,
           *bad, *marked);
    rp_buf_fini(&out);
    rp_termset_fini(&s);
    rp_analyzer_free(an);
}

static void test_blns(void)
{
    int lines, bad, marked;
    run_lines("blns.txt", &lines, &bad, &marked);
    ASSERT(lines > 500);
    ASSERT(marked > 0); /* some lines do say "test" */
}

static void test_bad_utf8_lines(void)
{
    /* Markus Kuhn's decoder test: many lines are invalid on purpose. */
    int lines, bad, marked;
    run_lines("UTF-8-test.txt", &lines, &bad, &marked);
    ASSERT(lines > 100);
    ASSERT(bad > 10);
}

static const t_case cases[] = {
    T(test_one_match),
    T(test_stemming),
    T(test_distinct_terms),
    T(test_cut_both_ends),
    T(test_no_match),
    T(test_code_points),
    T(test_spaceless_script),
    T(test_html_escape),
    T(test_custom_markers),
    T(test_compound),
    T(test_empty),
    T(test_whitespace),
    T(test_invalid_utf8),
    T(test_termset_query),
    T(test_termset_many),
    T(test_termset_fini),
    T(test_large_text),
    T(test_blns),
    T(test_bad_utf8_lines),
    {NULL, NULL},
};

T_MAIN(cases)

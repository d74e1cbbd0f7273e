/* SPDX-License-Identifier: MIT */
/*
 * test_stem: the Snowball wrapper against Snowball's own English golden
 * vocabulary (shared data), a few exact stems, every listed language, the
 * identity stemmer, argument errors and the word cache. The cache tests
 * compare stemmers fed the same words in different orders, so a wrong cache
 * hit shows up as a mismatch.
 */
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/error.h"
#include "rapport/stem.h"

/* Stems a C string with s and compares the result with want. */
#define ASSERT_STEM(s, w, want)                                                \
    do {                                                                       \
        const char *st_ = NULL;                                                \
        size_t sl_ = 0;                                                        \
        ASSERT_OK(rp_stem((s), (w), strlen(w), &st_, &sl_));                   \
        ASSERT_MEM_EQ(st_, sl_, (want));                                       \
    } while (0)

/* A whole file read into memory, its lines split in place. */
typedef struct lines {
    char *data;  /* the file, owned */
    char **line; /* n pointers into data, NUL-terminated lines */
    size_t n;    /* number of lines */
} lines;

static void read_lines(const char *path, lines *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        T_FAIL("cannot open %s", path);
    ASSERT(fseek(f, 0, SEEK_END) == 0);
    long size = ftell(f);
    ASSERT(size > 0);
    rewind(f);
    out->data = malloc((size_t)size + 1);
    ASSERT(out->data != NULL);
    ASSERT_EQ(fread(out->data, 1, (size_t)size, f), size);
    fclose(f);
    out->data[size] = '\0';

    size_t cap = 1;
    for (long i = 0; i < size; i++)
        cap += out->data[i] == '\n';
    out->line = malloc(cap * sizeof *out->line);
    ASSERT(out->line != NULL);
    out->n = 0;
    char *p = out->data;
    while (*p != '\0') {
        char *nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        size_t len = strlen(p);
        if (len > 0 && p[len - 1] == '\r')
            p[len - 1] = '\0';
        out->line[out->n++] = p;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
}

static void free_lines(lines *l)
{
    free(l->line);
    free(l->data);
}

/* Every word of Snowball's English vocabulary stems to the stem listed in
 * output.txt, on the first pass (cache misses) and on the second (hits). */
static void test_golden_english(void)
{
    const char *dir = t_shared();
    if (dir == NULL)
        T_SKIP("shared data dir not found (set RP_SHARED_DATA)");
    char voc_path[4096], out_path[4096];
    snprintf(voc_path, sizeof voc_path, "%s/snowball/english-2.2/voc.txt", dir);
    snprintf(out_path, sizeof out_path, "%s/snowball/english-2.2/output.txt",
             dir);
    if (access(voc_path, R_OK) != 0 || access(out_path, R_OK) != 0)
        T_SKIP("%s/snowball/english-2.2 is missing", dir);

    lines voc, want;
    read_lines(voc_path, &voc);
    read_lines(out_path, &want);
    ASSERT_EQ(voc.n, want.n);
    ASSERT(voc.n >= 29000);

    rp_stemmer *s = NULL;
    ASSERT_OK(rp_stemmer_new("english", &s));
    size_t checked = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < voc.n; i++) {
            const char *st = NULL;
            size_t sl = 0;
            ASSERT_OK(rp_stem(s, voc.line[i], strlen(voc.line[i]), &st, &sl));
            if (sl != strlen(want.line[i]) || memcmp(st, want.line[i], sl) != 0)
                T_FAIL("pass %d, line %zu: %s -> \"%.*s\", want \"%s\"",
                       pass + 1, i + 1, voc.line[i], (int)sl, st, want.line[i]);
            checked++;
        }
    }
    ASSERT_EQ(checked, 2 * voc.n);
    fprintf(stderr, "  %zu golden words matched, twice each\n", voc.n);
    rp_stemmer_free(s);
    free_lines(&voc);
    free_lines(&want);
}

/* Exact stems that need no shared data, checked against libstemmer 2.2. */
static void test_known_stems(void)
{
    rp_stemmer *s = NULL;
    ASSERT_OK(rp_stemmer_new("english", &s));
    ASSERT_STR_EQ(rp_stemmer_lang(s), "english");
    ASSERT_STEM(s, "running", "run");
    ASSERT_STEM(s, "relationships", "relationship");
    ASSERT_STEM(s, "traumatic", "traumat");
    ASSERT_STEM(s, "consultation", "consult");
    ASSERT_STEM(s, "counselling", "counsel");
    ASSERT_STEM(s, "therapists", "therapist");
    ASSERT_STEM(s, "anxiety", "anxieti");
    ASSERT_STEM(s, "happiness", "happi");
    ASSERT_STEM(s, "generalization", "general");
    ASSERT_STEM(s, "o'brien's", "o'brien");
    ASSERT_STEM(s, "don't", "don't");
    rp_stemmer_free(s);

    /* Porter's original algorithm differs from english (Porter2). */
    ASSERT_OK(rp_stemmer_new("porter", &s));
    ASSERT_STEM(s, "generalization", "gener");
    rp_stemmer_free(s);

    ASSERT_OK(rp_stemmer_new("french", &s));
    ASSERT_STEM(s, "continuellement", "continuel");
    rp_stemmer_free(s);

    ASSERT_OK(rp_stemmer_new("de", &s));
    ASSERT_STR_EQ(rp_stemmer_lang(s), "german");
    ASSERT_STEM(s, "aufeinanderfolgenden", "aufeinanderfolg");
    rp_stemmer_free(s);
}

/* ISO codes map to canonical names and select the same algorithm. */
static void test_iso_codes(void)
{
    static const struct {
        const char *code, *name, *word;
    } cases[] = {
        {"en", "english", "generalization"},
        {"eng", "english", "generalization"},
        {"fr", "french", "continuellement"},
        {"fre", "french", "continuellement"},
        {"deu", "german", "aufeinanderfolgenden"},
        {"ger", "german", "aufeinanderfolgenden"},
        {"es", "spanish", "corriendo"},
        {"nl", "dutch", "lichamelijke"},
        {"ru", "russian",
         "\xd0\xba\xd0\xbd\xd0\xb8\xd0\xb3\xd0\xb0\xd0\xbc\xd0"
         "\xb8"},
        {"porter", "porter", "generalization"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rp_stemmer *a = NULL, *b = NULL;
        ASSERT_OK(rp_stemmer_new(cases[i].code, &a));
        ASSERT_OK(rp_stemmer_new(cases[i].name, &b));
        ASSERT_STR_EQ(rp_stemmer_lang(a), cases[i].name);
        ASSERT_STR_EQ(rp_stemmer_lang(b), cases[i].name);
        const char *sa, *sb;
        size_t la, lb;
        size_t n = strlen(cases[i].word);
        ASSERT_OK(rp_stem(a, cases[i].word, n, &sa, &la));
        ASSERT_OK(rp_stem(b, cases[i].word, n, &sb, &lb));
        ASSERT_EQ(la, lb);
        ASSERT(memcmp(sa, sb, la) == 0);
        rp_stemmer_free(a);
        rp_stemmer_free(b);
    }
}

/* Every listed language can be created, names itself and stems words. */
static void test_all_languages(void)
{
    const char **langs = rp_stem_languages();
    ASSERT(langs != NULL);
    size_t n = 0;
    int saw_english = 0, saw_porter = 0;
    for (; langs[n] != NULL; n++) {
        rp_stemmer *s = NULL;
        ASSERT_OK(rp_stemmer_new(langs[n], &s));
        ASSERT(s != NULL);
        ASSERT_STR_EQ(rp_stemmer_lang(s), langs[n]);
        static const char *const words[] = {"running", "a", "s",
                                            "\xc3\xa9t\xc3\xa9s"};
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
            const char *st = NULL;
            size_t sl = 0;
            ASSERT_OK(rp_stem(s, words[i], strlen(words[i]), &st, &sl));
            ASSERT(st != NULL);
            ASSERT(sl >= 1);
        }
        saw_english |= strcmp(langs[n], "english") == 0;
        saw_porter |= strcmp(langs[n], "porter") == 0;
        rp_stemmer_free(s);
    }
    ASSERT(n >= 20);
    ASSERT(saw_english);
    ASSERT(saw_porter);
}

/* Porter strips "s" to nothing; the wrapper returns the word instead. */
static void test_empty_stem_keeps_word(void)
{
    rp_stemmer *s = NULL;
    ASSERT_OK(rp_stemmer_new("porter", &s));
    ASSERT_STEM(s, "s", "s");
    ASSERT_STEM(s, "s", "s"); /* again, from the cache */
    ASSERT_STEM(s, "cats", "cat");
    rp_stemmer_free(s);
}

static void test_unknown_language(void)
{
    static const char *const bad[] = {"xx-unknown", "",   "English", "EN",
                                      "klingon",    "nb", "english "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rp_stemmer *s = (rp_stemmer *)&s; /* poison: must become NULL */
        ASSERT_EQ(rp_stemmer_new(bad[i], &s), RP_ELANG);
        ASSERT(s == NULL);
    }
    rp_stemmer *s = (rp_stemmer *)&s;
    ASSERT_EQ(rp_stemmer_new(NULL, &s), RP_EINVAL);
    ASSERT(s == NULL);
    rp_stemmer_free(NULL);
}

static void test_none_is_identity(void)
{
    rp_stemmer *s = NULL;
    ASSERT_OK(rp_stemmer_new("none", &s));
    ASSERT_STR_EQ(rp_stemmer_lang(s), "none");
    static const char *const words[] = {"running", "relationships", "a",
                                        "caf\xc3\xa9", "don't"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        const char *st = NULL;
        size_t sl = 0;
        ASSERT_OK(rp_stem(s, words[i], strlen(words[i]), &st, &sl));
        ASSERT_MEM_EQ(st, sl, words[i]);
        ASSERT(st != words[i]); /* the stemmer's own copy */
    }
    /* Not NUL-terminated input: only len bytes count. */
    const char *st = NULL;
    size_t sl = 0;
    ASSERT_OK(rp_stem(s, "runningXYZ", 7, &st, &sl));
    ASSERT_MEM_EQ(st, sl, "running");
    rp_stemmer_free(s);
}

/* Builds the i-th synthetic word into buf (NUL-terminated) and returns its
 * length. Words mix stems and suffixes so the stemmer has work to do, and
 * lengths run from 2 to well past the cache's 15-byte limit. */
static size_t make_word(size_t i, char *buf, size_t cap)
{
    static const char *const roots[] = {
        "connect", "relat", "therap", "anxi",   "depress", "counsel",
        "grie",    "sleep", "happ",   "trauma", "gener",   "nation",
        "hope",    "feel",  "run",    "cri",    "emot",    "behav",
        "cope",    "mind",  "stress", "panic",  "lone",    "care"};
    static const char *const suffixes[] = {
        "",      "s",       "ing",     "ed",      "ion", "ions", "ation",
        "ly",    "ness",    "ful",     "ies",     "ity", "ive",  "ement",
        "izing", "al",      "ally",    "ousness", "er",  "ers",  "ist",
        "ists",  "fulness", "ization", "ments",   "y",   "e",    "able"};
    size_t nr = sizeof roots / sizeof roots[0];
    size_t ns = sizeof suffixes / sizeof suffixes[0];
    const char *r1 = roots[i % nr];
    const char *sf = suffixes[(i / nr) % ns];
    size_t rest = i / (nr * ns);
    /* rest picks a prefix: none, one letter, or a repeated second root. */
    char prefix[64] = "";
    if (rest > 0) {
        const char *r2 = roots[(rest * 7) % nr];
        size_t reps = rest % 4;
        size_t o = 0;
        prefix[o++] = (char)('a' + rest % 26);
        for (size_t k = 0; k < reps; k++) {
            size_t l2 = strlen(r2);
            memcpy(prefix + o, r2, l2);
            o += l2;
        }
        prefix[o] = '\0';
    }
    int n = snprintf(buf, cap, "%s%s%s", prefix, r1, sf);
    ASSERT(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

#define NWORDS 40000

/* Stems NWORDS distinct words (more than the cache holds, so slots collide
 * and get evicted) in order with one stemmer, then in a scattered order with
 * repeats with another, and checks both agree; a sample is also checked
 * against a fresh stemmer whose cache is empty. */
static void test_cache_collisions(void)
{
    char(*stems)[128] = calloc(NWORDS, sizeof *stems);
    size_t *stem_lens = calloc(NWORDS, sizeof *stem_lens);
    ASSERT(stems != NULL && stem_lens != NULL);
    char word[256];

    rp_stemmer *a = NULL;
    ASSERT_OK(rp_stemmer_new("english", &a));
    size_t long_words = 0;
    for (size_t i = 0; i < NWORDS; i++) {
        size_t wl = make_word(i, word, sizeof word);
        long_words += wl > 15;
        const char *st;
        size_t sl;
        ASSERT_OK(rp_stem(a, word, wl, &st, &sl));
        ASSERT(sl >= 1 && sl < sizeof stems[0]);
        memcpy(stems[i], st, sl);
        stem_lens[i] = sl;
    }
    ASSERT(long_words > 0);
    ASSERT(long_words < NWORDS / 2);

    /* A stride coprime with NWORDS visits every word in a scattered order;
     * each word is then stemmed again right away and once more after its
     * neighbour, so hits, misses and evictions interleave. */
    rp_stemmer *b = NULL;
    ASSERT_OK(rp_stemmer_new("english", &b));
    size_t j = 0;
    for (size_t k = 0; k < 3 * NWORDS; k++) {
        size_t i = k < NWORDS ? j : (k * 7919u) % NWORDS;
        if (k < NWORDS)
            j = (j + 12347u) % NWORDS;
        size_t wl = make_word(i, word, sizeof word);
        for (int rep = 0; rep < 2; rep++) {
            const char *st;
            size_t sl;
            ASSERT_OK(rp_stem(b, word, wl, &st, &sl));
            if (sl != stem_lens[i] || memcmp(st, stems[i], sl) != 0)
                T_FAIL("%s: \"%.*s\" then \"%.*s\"", word, (int)stem_lens[i],
                       stems[i], (int)sl, st);
        }
    }

    /* Fresh stemmers: their first call is always a cache miss. */
    for (size_t i = 0; i < NWORDS; i += NWORDS / 50) {
        rp_stemmer *f = NULL;
        ASSERT_OK(rp_stemmer_new("english", &f));
        size_t wl = make_word(i, word, sizeof word);
        const char *st;
        size_t sl;
        ASSERT_OK(rp_stem(f, word, wl, &st, &sl));
        ASSERT_EQ(sl, stem_lens[i]);
        ASSERT(memcmp(st, stems[i], sl) == 0);
        rp_stemmer_free(f);
    }
    rp_stemmer_free(a);
    rp_stemmer_free(b);
    free(stems);
    free(stem_lens);
}

/* Words that share a prefix or differ in length by one byte must not
 * answer for each other. */
static void test_cache_near_misses(void)
{
    rp_stemmer *s = NULL;
    ASSERT_OK(rp_stemmer_new("english", &s));
    for (int round = 0; round < 3; round++) {
        ASSERT_STEM(s, "relationships", "relationship");
        ASSERT_STEM(s, "relationship", "relationship");
        ASSERT_STEM(s, "relations", "relat");
        ASSERT_STEM(s, "relation", "relat");
        ASSERT_STEM(s, "run", "run");
        ASSERT_STEM(s, "runs", "run");
        ASSERT_STEM(s, "running", "run");
        /* 14, 15 and 16 bytes: the cache holds words up to 15. */
        ASSERT_STEM(s, "aaaaaaaaaaaing", "aaaaaaaaaaa");
        ASSERT_STEM(s, "aaaaaaaaaaaaing", "aaaaaaaaaaaa");
        ASSERT_STEM(s, "aaaaaaaaaaaaaing", "aaaaaaaaaaaaa");
    }
    rp_stemmer_free(s);
}

/* For every length from 1 to 20 and every position, words that differ in
 * that one byte get their own stems: the cache key must tell apart words
 * of every length it packs. A NUL byte is one of the substitutes, so a
 * word and the same word with a NUL appended differ too. The truth comes
 * from a fresh stemmer, whose first call cannot hit the cache; a shared
 * one then stems all words three times, in two orders. */
static void test_cache_key_lengths(void)
{
    enum { MAXLEN = 20, VARIANTS = 4, NW = MAXLEN * MAXLEN * VARIANTS + 20 };
    static const char subst[VARIANTS] = {'o', 'p', 'x', '\0'};
    static char words[NW][MAXLEN];
    static size_t word_lens[NW];
    static char truth[NW][64];
    static size_t truth_lens[NW];
    size_t n = 0;
    for (size_t len = 1; len <= MAXLEN; len++) {
        memset(words[n], 'k', len); /* the base word, all 'k' */
        word_lens[n++] = len;
        for (size_t k = 0; k < len; k++) {
            for (size_t v = 0; v < VARIANTS; v++) {
                memset(words[n], 'k', len);
                words[n][k] = subst[v];
                word_lens[n++] = len;
            }
        }
    }
    ASSERT(n <= NW);
    for (size_t i = 0; i < n; i++) {
        rp_stemmer *f = NULL;
        ASSERT_OK(rp_stemmer_new("english", &f));
        const char *st;
        size_t sl;
        ASSERT_OK(rp_stem(f, words[i], word_lens[i], &st, &sl));
        ASSERT(sl <= sizeof truth[0]);
        memcpy(truth[i], st, sl);
        truth_lens[i] = sl;
        rp_stemmer_free(f);
    }
    rp_stemmer *s = NULL;
    ASSERT_OK(rp_stemmer_new("english", &s));
    for (int pass = 0; pass < 3; pass++) {
        for (size_t j = 0; j < n; j++) {
            size_t i = pass == 1 ? n - 1 - j : j;
            const char *st;
            size_t sl;
            ASSERT_OK(rp_stem(s, words[i], word_lens[i], &st, &sl));
            ASSERT_EQ(sl, truth_lens[i]);
            if (memcmp(st, truth[i], sl) != 0)
                T_FAIL("pass %d, word %zu (%zu bytes): wrong stem", pass + 1, i,
                       word_lens[i]);
        }
    }
    rp_stemmer_free(s);
}

static void test_word_length_limits(void)
{
    char word[257];
    /* 252 'a' + "ing": Porter2 drops "ing" after a vowel and leaves the
     * rest alone ("aa" is not a double consonant). */
    memset(word, 'a', 252);
    memcpy(word + 252, "ing", 3);
    rp_stemmer *s = NULL, *id = NULL;
    ASSERT_OK(rp_stemmer_new("english", &s));
    ASSERT_OK(rp_stemmer_new("none", &id));
    const char *st = (const char *)1;
    size_t sl = 99;
    ASSERT_OK(rp_stem(s, word, 255, &st, &sl));
    ASSERT_EQ(sl, 252);
    for (size_t i = 0; i < sl; i++)
        ASSERT(st[i] == 'a');
    ASSERT_OK(rp_stem(id, word, 255, &st, &sl));
    ASSERT_EQ(sl, 255);
    ASSERT(memcmp(st, word, 255) == 0);

    word[255] = 'x';
    rp_stemmer *both[] = {s, id};
    for (size_t k = 0; k < 2; k++) {
        st = (const char *)1;
        sl = 99;
        ASSERT_EQ(rp_stem(both[k], word, 256, &st, &sl), RP_EINVAL);
        ASSERT(st == NULL);
        ASSERT_EQ(sl, 0);
        st = (const char *)1;
        sl = 99;
        ASSERT_EQ(rp_stem(both[k], word, 0, &st, &sl), RP_EINVAL);
        ASSERT(st == NULL);
        ASSERT_EQ(sl, 0);
    }
    /* The stemmer still works after rejecting input. */
    ASSERT_STEM(s, "running", "run");
    rp_stemmer_free(s);
    rp_stemmer_free(id);
}

static const t_case cases[] = {
    T(test_golden_english),
    T(test_known_stems),
    T(test_iso_codes),
    T(test_all_languages),
    T(test_empty_stem_keeps_word),
    T(test_unknown_language),
    T(test_none_is_identity),
    T(test_cache_collisions),
    T(test_cache_near_misses),
    T(test_cache_key_lengths),
    T(test_word_length_limits),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * test_stopwords: the English stop list (Snowball's) through the public
 * lookup. Every word of the list below must be found, which also shows the
 * library's hash holds them all; near misses (prefixes, extensions,
 * neighbours) and content words must not be.
 */
#include "t.h"

#include <string.h>

#include "rapport/stopwords.h"
#include "../src/internal.h"

/* Snowball's English stop list, in its published order (not sorted). */
static const char *const snowball_english[] = {
    "i",          "me",        "my",      "myself",    "we",         "our",
    "ours",       "ourselves", "you",     "your",      "yours",      "yourself",
    "yourselves", "he",        "him",     "his",       "himself",    "she",
    "her",        "hers",      "herself", "it",        "its",        "itself",
    "they",       "them",      "their",   "theirs",    "themselves", "what",
    "which",      "who",       "whom",    "this",      "that",       "these",
    "those",      "am",        "is",      "are",       "was",        "were",
    "be",         "been",      "being",   "have",      "has",        "had",
    "having",     "do",        "does",    "did",       "doing",      "would",
    "should",     "could",     "ought",   "i'm",       "you're",     "he's",
    "she's",      "it's",      "we're",   "they're",   "i've",       "you've",
    "we've",      "they've",   "i'd",     "you'd",     "he'd",       "she'd",
    "we'd",       "they'd",    "i'll",    "you'll",    "he'll",      "she'll",
    "we'll",      "they'll",   "isn't",   "aren't",    "wasn't",     "weren't",
    "hasn't",     "haven't",   "hadn't",  "doesn't",   "don't",      "didn't",
    "won't",      "wouldn't",  "shan't",  "shouldn't", "can't",      "cannot",
    "couldn't",   "mustn't",   "let's",   "that's",    "who's",      "what's",
    "here's",     "there's",   "when's",  "where's",   "why's",      "how's",
    "a",          "an",        "the",     "and",       "but",        "if",
    "or",         "because",   "as",      "until",     "while",      "of",
    "at",         "by",        "for",     "with",      "about",      "against",
    "between",    "into",      "through", "during",    "before",     "after",
    "above",      "below",     "to",      "from",      "up",         "down",
    "in",         "out",       "on",      "off",       "over",       "under",
    "again",      "further",   "then",    "once",      "here",       "there",
    "when",       "where",     "why",     "how",       "all",        "any",
    "both",       "each",      "few",     "more",      "most",       "other",
    "some",       "such",      "no",      "nor",       "not",        "only",
    "own",        "same",      "so",      "than",      "too",        "very",
};
#define N_ENGLISH (sizeof snowball_english / sizeof snowball_english[0])

static bool has(const rp_stoplist *l, const char *w)
{
    return rp_stoplist_has(l, w, strlen(w));
}

static bool in_reference(const char *w, size_t len)
{
    for (size_t i = 0; i < N_ENGLISH; i++) {
        if (strlen(snowball_english[i]) == len &&
            memcmp(snowball_english[i], w, len) == 0)
            return true;
    }
    return false;
}

static void test_names(void)
{
    const rp_stoplist *en = rp_stoplist_get("english");
    ASSERT(en != NULL);
    ASSERT(rp_stoplist_get("en") == en);
    ASSERT(rp_stoplist_get("eng") == en);
    ASSERT(rp_stoplist_get("porter") == en);
    ASSERT(rp_stoplist_get("xx-unknown") == NULL);
    ASSERT(rp_stoplist_get("french") == NULL);
    ASSERT(rp_stoplist_get("none") == NULL);
    ASSERT(rp_stoplist_get("") == NULL);
    ASSERT(rp_stoplist_get("English") == NULL);
    ASSERT(rp_stoplist_get(NULL) == NULL);
}

static void test_known_words(void)
{
    const rp_stoplist *en = rp_stoplist_get("en");
    ASSERT(has(en, "the"));
    ASSERT(has(en, "and"));
    ASSERT(has(en, "don't"));
    ASSERT(has(en, "myself"));
    ASSERT(has(en, "a"));
    ASSERT(has(en, "i"));
    ASSERT(has(en, "yourselves"));
    ASSERT(has(en, "themselves"));
    ASSERT(has(en, "shouldn't"));
    ASSERT(!has(en, "anxiety"));
    ASSERT(!has(en, "grief"));
    ASSERT(!has(en, "therapist"));
    ASSERT(!has(en, "depression"));
    ASSERT(!has(en, "mine")); /* left out on purpose by Snowball */
    ASSERT(!has(en, "us"));   /* likewise (US = United States) */
    ASSERT(!has(en, "will")); /* on NLTK's list, not Snowball's */
    ASSERT(!has(en, "just"));
    /* Contractions need the ASCII apostrophe: the tokenizer maps U+2019. */
    ASSERT(!has(en, "dont"));
    ASSERT(!has(en, "don\xe2\x80\x99t"));
}

static void test_edges(void)
{
    const rp_stoplist *en = rp_stoplist_get("english");
    ASSERT(!has(en, "th"));
    ASSERT(!has(en, "thee"));
    ASSERT(!has(en, "thes"));
    ASSERT(!has(en, "these2"));
    ASSERT(!has(en, ""));
    ASSERT(!rp_stoplist_has(en, "the", 0));
    ASSERT(!has(en, "yourselvess")); /* longer than any stop word */
    ASSERT(!has(en, "The"));         /* input is case-folded already */
    ASSERT(!has(en, "'"));
    ASSERT(!has(en, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    /* Only len bytes count: "there" is not NUL-terminated here. */
    ASSERT(rp_stoplist_has(en, "therapist", 3));
    ASSERT(!rp_stoplist_has(en, "therapist", 4));
    ASSERT(!rp_stoplist_has(en, "therapist", 5));
    ASSERT(rp_stoplist_has(en, "thereafter", 5));
    /* Bytes that sort before or after every entry. */
    ASSERT(!has(en, "\x01"));
    ASSERT(!has(en, "\xff\xff"));
    ASSERT(!has(en, "zz"));
    ASSERT(!has(en, "aa"));
}

static void test_null_list(void)
{
    ASSERT(!rp_stoplist_has(NULL, "the", 3));
    ASSERT(!rp_stoplist_has(NULL, "", 0));
    ASSERT(!rp_stoplist_has(rp_stoplist_get("klingon"), "the", 3));
}

/* Every word of the reference list is found (a word missing from the hash
 * would not be), and no near miss is. The lookups go through the hash. */
static void test_whole_list(void)
{
    const rp_stoplist *en = rp_stoplist_get("english");
    ASSERT(rp__stoplist_hashed(en));
    ASSERT_EQ(N_ENGLISH, 174);
    size_t found = 0;
    for (size_t i = 0; i < N_ENGLISH; i++) {
        const char *w = snowball_english[i];
        size_t len = strlen(w);
        if (!rp_stoplist_has(en, w, len))
            T_FAIL("stop word \"%s\" not found", w);
        found++;

        /* Near misses: the word cut short, extended, or with one byte
         * changed. Each is expected only if it is itself on the list. */
        char buf[32];
        ASSERT(len + 1 < sizeof buf);
        memcpy(buf, w, len);
        ASSERT_EQ(rp_stoplist_has(en, buf, len - 1),
                  in_reference(buf, len - 1));
        for (char c = 'a'; c <= 'z'; c++) {
            buf[len] = c;
            ASSERT_EQ(rp_stoplist_has(en, buf, len + 1),
                      in_reference(buf, len + 1));
        }
        for (size_t k = 0; k < len; k++) {
            for (int d = -1; d <= 1; d += 2) {
                memcpy(buf, w, len);
                buf[k] = (char)(buf[k] + d);
                ASSERT_EQ(rp_stoplist_has(en, buf, len),
                          in_reference(buf, len));
            }
        }
    }
    ASSERT_EQ(found, 174);

    /* No duplicates in the reference either, so 174 distinct words. */
    for (size_t i = 0; i < N_ENGLISH; i++)
        for (size_t j = i + 1; j < N_ENGLISH; j++)
            ASSERT(strcmp(snowball_english[i], snowball_english[j]) != 0);
}

/* Every string of one or two lowercase letters (or apostrophe) is found
 * exactly when the reference list has it: the library lists nothing extra
 * among the short words. */
static void test_no_extra_short_words(void)
{
    const rp_stoplist *en = rp_stoplist_get("english");
    const char alphabet[] = "abcdefghijklmnopqrstuvwxyz'";
    size_t na = sizeof alphabet - 1;
    char buf[3];
    for (size_t a = 0; a < na; a++) {
        buf[0] = alphabet[a];
        ASSERT_EQ(rp_stoplist_has(en, buf, 1), in_reference(buf, 1));
        for (size_t b = 0; b < na; b++) {
            buf[1] = alphabet[b];
            ASSERT_EQ(rp_stoplist_has(en, buf, 2), in_reference(buf, 2));
            for (size_t c = 0; c < na; c++) {
                buf[2] = alphabet[c];
                ASSERT_EQ(rp_stoplist_has(en, buf, 3), in_reference(buf, 3));
            }
        }
    }
}

static const t_case cases[] = {
    T(test_names),     T(test_known_words), T(test_edges),
    T(test_null_list), T(test_whole_list),  T(test_no_extra_short_words),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * stopwords: constant stop lists and their lookup. The English list is the
 * one published with Snowball's English stemmer (174 words, contractions
 * spelt with U+0027). Each list is split by word length into sorted,
 * zero-padded rows, so a lookup is a length check and a branch-free binary
 * search of at most six integer comparisons. Owns no state; never
 * allocates.
 */
#include "rapport/stopwords.h"

#include <stdint.h>
#include <string.h>

/* Longest stop word in any list, in bytes. */
#define STOP_MAX_LEN 10

/* Bytes per row: a word, zero-padded. Rows are compared as big-endian
 * integers of their first 8 bytes, whose order is the bytes' memcmp order. */
#define ROW_BYTES 16

/* The words of one length in ascending memcmp order. */
typedef struct bucket {
    const char (*rows)[ROW_BYTES]; /* count rows, each zero-padded */
    uint8_t count;                 /* number of words */
} bucket;

struct rp_stoplist {
    bucket by_len[STOP_MAX_LEN + 1]; /* index = word length; [0] is empty */
};

/* Snowball's English stop list (snowballstem.org, algorithms/english),
 * grouped by length and sorted bytewise within each group; the apostrophe
 * (0x27) sorts before the letters. */
static const char en1[][ROW_BYTES] = {
    "a",
    "i",
};
static const char en2[][ROW_BYTES] = {
    "am", "an", "as", "at", "be", "by", "do", "he", "if", "in", "is",
    "it", "me", "my", "no", "of", "on", "or", "so", "to", "up", "we",
};
static const char en3[][ROW_BYTES] = {
    "all", "and", "any", "are", "but", "did", "few", "for", "had", "has",
    "her", "him", "his", "how", "i'd", "i'm", "its", "nor", "not", "off",
    "our", "out", "own", "she", "the", "too", "was", "who", "why", "you",
};
static const char en4[][ROW_BYTES] = {
    "been", "both", "does", "down", "each", "from", "have", "he'd",
    "he's", "here", "hers", "i'll", "i've", "into", "it's", "more",
    "most", "once", "only", "ours", "over", "same", "some", "such",
    "than", "that", "them", "then", "they", "this", "very", "we'd",
    "were", "what", "when", "whom", "with", "your",
};
static const char en5[][ROW_BYTES] = {
    "about", "above", "after", "again", "being", "below", "can't", "could",
    "doing", "don't", "he'll", "how's", "isn't", "let's", "other", "ought",
    "she'd", "she's", "their", "there", "these", "those", "under", "until",
    "we'll", "we're", "we've", "where", "which", "while", "who's", "why's",
    "won't", "would", "you'd", "yours",
};
static const char en6[][ROW_BYTES] = {
    "aren't", "before", "cannot", "didn't", "during", "hadn't",
    "hasn't", "having", "here's", "itself", "myself", "shan't",
    "she'll", "should", "that's", "theirs", "they'd", "wasn't",
    "what's", "when's", "you'll", "you're", "you've",
};
static const char en7[][ROW_BYTES] = {
    "against", "because", "between", "doesn't", "further", "haven't",
    "herself", "himself", "mustn't", "there's", "they'll", "they're",
    "they've", "through", "weren't", "where's",
};
static const char en8[][ROW_BYTES] = {
    "couldn't",
    "wouldn't",
    "yourself",
};
static const char en9[][ROW_BYTES] = {
    "ourselves",
    "shouldn't",
};
static const char en10[][ROW_BYTES] = {
    "themselves",
    "yourselves",
};

/* Steps of the binary search: enough for 2^SEARCH_STEPS words a length. */
#define SEARCH_STEPS 6

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))
#define BUCKET(t)                                                              \
    {                                                                          \
        (t), (uint8_t)COUNT(t)                                                 \
    }
#define FITS(t)                                                                \
    _Static_assert(COUNT(t) <= (1u << SEARCH_STEPS), #t " is too long")

FITS(en1);
FITS(en2);
FITS(en3);
FITS(en4);
FITS(en5);
FITS(en6);
FITS(en7);
FITS(en8);
FITS(en9);
FITS(en10);

static const rp_stoplist english = {{
    {NULL, 0},
    BUCKET(en1),
    BUCKET(en2),
    BUCKET(en3),
    BUCKET(en4),
    BUCKET(en5),
    BUCKET(en6),
    BUCKET(en7),
    BUCKET(en8),
    BUCKET(en9),
    BUCKET(en10),
}};

/* Language names that select the English list: those rp_stemmer_new takes
 * for the english and porter algorithms. */
static const char *const english_names[] = {"english", "en", "eng", "porter"};

const rp_stoplist *rp_stoplist_get(const char *lang)
{
    if (lang == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof english_names / sizeof english_names[0];
         i++) {
        if (strcmp(lang, english_names[i]) == 0)
            return &english;
    }
    return NULL;
}

/* The first 8 bytes at p as a big-endian integer (compilers turn this into
 * one load and a byte swap). */
static inline uint64_t load_be64(const unsigned char *p)
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

static inline uint32_t load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* Packs word[0..len), len 1..8, into a big-endian integer padded with zero
 * bytes, without branching on len (tokens of random lengths would make any
 * such branch mispredict). Both candidate values read only bytes inside the
 * word, or a zero pad when the word is too short for 4-byte loads, and
 * overlapping reads put the same byte in the same place. */
static inline uint64_t pack_be(const char *word, size_t len)
{
    static const unsigned char pad[8] = {0};
    const unsigned char *p = (const unsigned char *)word;
    size_t mid = len / 2, last = len - 1;
    /* For len 1..3: the first, middle and last bytes cover them all. */
    uint64_t shortk = (uint64_t)p[0] << 56 |
                      (uint64_t)p[mid] << (56 - 8 * mid) |
                      (uint64_t)p[last] << (56 - 8 * last);
    /* For len 4..8: the first and the last four bytes. */
    int wide = len >= 4;
    const unsigned char *q = wide ? p : pad;
    size_t tail = wide ? len - 4 : 0;
    size_t shift = wide ? 64 - 8 * len : 32;
    uint64_t widek =
        (uint64_t)load_be32(q) << 32 | (uint64_t)load_be32(q + tail) << shift;
    return wide ? widek : shortk;
}

bool rp_stoplist_has(const rp_stoplist *list, const char *word, size_t len)
{
    if (list == NULL || len == 0 || len > STOP_MAX_LEN)
        return false;
    const bucket *b = &list->by_len[len];
    if (b->count == 0)
        return false;

    /* Words over 8 bytes are few (two of each length in English), so
     * they are compared whole, one by one. */
    if (len > 8) {
        for (size_t i = 0; i < b->count; i++) {
            if (memcmp(b->rows[i], word, len) == 0)
                return true;
        }
        return false;
    }

    /* Rows of one length up to 8 bytes differ in their first 8 bytes, so
     * one integer each orders them: the word's bytes, big-endian, padded
     * with zeros like the rows. The search finds the last row <= k in a
     * fixed number of steps (once n is 1, half is 0 and base stays put),
     * and the select compiles to a conditional move, so nothing in it
     * mispredicts. */
    uint64_t k = pack_be(word, len);
    const char(*base)[ROW_BYTES] = b->rows;
    size_t n = b->count;
    for (int step = 0; step < SEARCH_STEPS; step++) {
        size_t half = n / 2;
        uint64_t r = load_be64((const unsigned char *)base[half]);
        base = r <= k ? base + half : base;
        n -= half;
    }
    return load_be64((const unsigned char *)base[0]) == k;
}

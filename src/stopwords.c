/* SPDX-License-Identifier: MIT */
/*
 * stopwords: constant stop lists and their lookup. The English list is the
 * one published with Snowball's English stemmer (174 words, contractions
 * spelt with U+0027), written out by word length. Words of up to 8 bytes
 * are also kept in a cuckoo hash of their bytes as one integer, made once
 * on the first rp_stoplist_get: a lookup is two independent loads and two
 * comparisons, with no branch on the word (a token is checked for every
 * word of every document, and a search whose steps each wait on the last
 * load cost 5% of a build). Longer words are compared one by one. The
 * hash tables live in the static list; nothing is allocated.
 */
#include "rapport/stopwords.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* Longest stop word in any list, in bytes. */
#define STOP_MAX_LEN 10

/* Bytes per row: a word, zero-padded. */
#define ROW_BYTES 16

/* The words of one length. */
typedef struct bucket {
    const char (*rows)[ROW_BYTES]; /* count rows, each zero-padded */
    uint8_t count;                 /* number of words */
} bucket;

/* The cuckoo hash of a list's words of up to 8 bytes: each word, as the
 * integer pack_be makes of it, sits in a[slot(k, ma)] or b[slot(k, mb)].
 * An empty slot holds 0, which no word packs to (words are not empty and
 * hold no 0x00 byte). */
#define HASH_BITS 8
#define HASH_SLOTS (1u << HASH_BITS)

typedef struct hash {
    uint64_t ma, mb; /* odd multipliers */
    uint64_t a[HASH_SLOTS], b[HASH_SLOTS];
    int ready;       /* 0: not made, lookups compare rows one by one */
} hash;

struct rp_stoplist {
    bucket by_len[STOP_MAX_LEN + 1]; /* index = word length; [0] is empty */
    hash hashed;                     /* made once */
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

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))
#define BUCKET(t)                                                              \
    {                                                                          \
        (t), (uint8_t)COUNT(t)                                                 \
    }

static pthread_once_t english_once = PTHREAD_ONCE_INIT;
static void make_english(void);

static rp_stoplist english = {
    {{NULL, 0}, BUCKET(en1), BUCKET(en2), BUCKET(en3), BUCKET(en4),
     BUCKET(en5), BUCKET(en6), BUCKET(en7), BUCKET(en8), BUCKET(en9),
     BUCKET(en10)},
    {0, 0, {0}, {0}, 0},
};

/* Language names that select the English list: those rp_stemmer_new takes
 * for the english and porter algorithms. */
static const char *const english_names[] = {"english", "en", "eng", "porter"};

const rp_stoplist *rp_stoplist_get(const char *lang)
{
    if (lang == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof english_names / sizeof english_names[0];
         i++) {
        if (strcmp(lang, english_names[i]) == 0) {
            pthread_once(&english_once, make_english);
            return &english;
        }
    }
    return NULL;
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

static inline size_t slot(uint64_t k, uint64_t m)
{
    return (size_t)((k * m) >> (64 - HASH_BITS));
}

/* Puts k in h, moving the words in its way to their other slot. Returns 0
 * when a chain of moves runs too long (then another pair of multipliers
 * is tried). */
static int cuckoo_put(hash *h, uint64_t k)
{
    for (int moves = 0; moves < 64; moves++) {
        uint64_t *sa = &h->a[slot(k, h->ma)];
        if (*sa == 0) {
            *sa = k;
            return 1;
        }
        uint64_t out = *sa;
        *sa = k;
        uint64_t *sb = &h->b[slot(out, h->mb)];
        if (*sb == 0) {
            *sb = out;
            return 1;
        }
        k = *sb;
        *sb = out;
    }
    return 0;
}

/* Makes list's hash from its words of up to 8 bytes, trying multipliers
 * from a fixed sequence (splitmix64), so every run makes the same table.
 * Left not ready (lookups stay correct, only slower) if none fits. */
static void make_hash(rp_stoplist *list)
{
    hash *h = &list->hashed;
    uint64_t seed = 0x243F6A8885A308D3ull;
    for (int attempt = 0; attempt < 1000; attempt++) {
        memset(h, 0, sizeof *h);
        uint64_t z[2];
        for (int i = 0; i < 2; i++) {
            seed += 0x9E3779B97F4A7C15ull;
            uint64_t x = seed;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
            z[i] = (x ^ (x >> 31)) | 1;
        }
        h->ma = z[0];
        h->mb = z[1];
        int ok = 1;
        for (size_t len = 1; len <= 8 && ok; len++) {
            const bucket *bk = &list->by_len[len];
            for (size_t i = 0; i < bk->count && ok; i++)
                ok = cuckoo_put(h, pack_be(bk->rows[i], len));
        }
        if (ok) {
            h->ready = 1;
            return;
        }
    }
    memset(h, 0, sizeof *h);
}

static void make_english(void)
{
    make_hash(&english);
}

bool rp_stoplist_has(const rp_stoplist *list, const char *word, size_t len)
{
    if (list == NULL || len == 0 || len > STOP_MAX_LEN)
        return false;
    const hash *h = &list->hashed;
    if (len <= 8 && h->ready) {
        uint64_t k = pack_be(word, len);
        return (h->a[slot(k, h->ma)] == k) | (h->b[slot(k, h->mb)] == k);
    }
    const bucket *b = &list->by_len[len];
    for (size_t i = 0; i < b->count; i++) {
        if (memcmp(b->rows[i], word, len) == 0)
            return true;
    }
    return false;
}

int rp__stoplist_hashed(const rp_stoplist *list)
{
    return list != NULL && list->hashed.ready;
}

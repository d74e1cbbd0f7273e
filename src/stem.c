/* SPDX-License-Identifier: MIT */
/*
 * stem: wraps Debian's libstemmer (Snowball) behind rp_stemmer, the only code
 * in the project that includes libstemmer.h. A stemmer owns one Snowball
 * instance and a small set-associative cache of recent words, so the
 * indexer's hot path is usually a hash and a 16-byte compare. It keeps no
 * global state and is not thread-safe: each thread creates its own.
 */
#include "rapport/stem.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/error.h"

/* Longest word rp_stem accepts, in bytes. */
#define WORD_MAX 255

/* The cache is 2-way set-associative: 2^CACHE_BITS sets of two 32-byte
 * slots, one 64-byte cache line per set (4 MiB in all, zeroed lazily by
 * calloc), so a probe touches one line. A slot holds a word of up to
 * SLOT_WORD_MAX bytes and its stem; longer words, and stems too long for a
 * slot, bypass the cache. On 6.1 million tokens of ../shared/data/bench
 * (English Wikipedia), 15 bytes leaves out 0.06% of tokens, and two ways
 * miss half as often as one (5.6% of tokens against 10.9% with 2^14 sets,
 * where 2.2% are first sightings). Since analysis prefetches a word's line
 * (rp_stem_prefetch), a larger table costs little: going from 2^14 to 2^16
 * sets cut Snowball's share of a bench build's samples from 6.3% to 3.0%. */
#define CACHE_BITS 16
#define CACHE_SETS (1u << CACHE_BITS)
#define SLOT_WORD_MAX 15
#define SLOT_STEM_MAX 15
#define SET_BYTES 64

/* A cached word is kept as a 16-byte key (see make_key), not as bytes. */
typedef struct slot {
    uint64_t key[2];          /* make_key(word); {0, 0} = empty */
    uint8_t stem_len;         /* bytes of stem in use */
    char stem[SLOT_STEM_MAX]; /* not NUL-terminated */
} slot;

/* way[0] is the more recently used slot of the two. */
typedef struct set {
    slot way[2];
} set;

_Static_assert(sizeof(set) == SET_BYTES, "a cache set is one line");

struct rp_stemmer {
    struct sb_stemmer *sb; /* NULL for the identity stemmer "none" */
    const char *lang;      /* canonical name; static */
    set *sets;             /* CACHE_SETS entries, 64-byte aligned, in mem */
    void *mem;             /* the allocation behind sets */
    char out[WORD_MAX];    /* a copy of the word, when it is its own stem */
};

/* ISO 639 codes libstemmer 2.2 accepts, with the algorithm each selects.
 * Checked against the library: every two- and three-letter name it accepts
 * is here, and each selects the same algorithm as the name given. */
static const struct {
    const char *code;
    const char *name;
} iso_codes[] = {
    {"ar", "arabic"},      {"ara", "arabic"},    {"hy", "armenian"},
    {"hye", "armenian"},   {"arm", "armenian"},  {"eu", "basque"},
    {"eus", "basque"},     {"baq", "basque"},    {"ca", "catalan"},
    {"cat", "catalan"},    {"da", "danish"},     {"dan", "danish"},
    {"nl", "dutch"},       {"nld", "dutch"},     {"dut", "dutch"},
    {"en", "english"},     {"eng", "english"},   {"fi", "finnish"},
    {"fin", "finnish"},    {"fr", "french"},     {"fra", "french"},
    {"fre", "french"},     {"de", "german"},     {"deu", "german"},
    {"ger", "german"},     {"el", "greek"},      {"ell", "greek"},
    {"gre", "greek"},      {"hi", "hindi"},      {"hin", "hindi"},
    {"hu", "hungarian"},   {"hun", "hungarian"}, {"id", "indonesian"},
    {"ind", "indonesian"}, {"ga", "irish"},      {"gle", "irish"},
    {"it", "italian"},     {"ita", "italian"},   {"lt", "lithuanian"},
    {"lit", "lithuanian"}, {"ne", "nepali"},     {"nep", "nepali"},
    {"no", "norwegian"},   {"nor", "norwegian"}, {"pt", "portuguese"},
    {"por", "portuguese"}, {"ro", "romanian"},   {"ron", "romanian"},
    {"rum", "romanian"},   {"ru", "russian"},    {"rus", "russian"},
    {"sr", "serbian"},     {"srp", "serbian"},   {"es", "spanish"},
    {"spa", "spanish"},    {"esl", "spanish"},   {"sv", "swedish"},
    {"swe", "swedish"},    {"ta", "tamil"},      {"tam", "tamil"},
    {"tr", "turkish"},     {"tur", "turkish"},   {"yi", "yiddish"},
    {"yid", "yiddish"},
};

/* Returns libstemmer's own (static) spelling of an algorithm name or ISO
 * code, or NULL if the library does not offer it. A name not in the table
 * is looked up in the library's list as it is, so the algorithms of a newer
 * libstemmer work by name without a table change (their codes would not). */
static const char *canonical(const char *lang)
{
    const char *name = lang;
    for (size_t i = 0; i < sizeof iso_codes / sizeof iso_codes[0]; i++) {
        if (strcmp(iso_codes[i].code, lang) == 0) {
            name = iso_codes[i].name;
            break;
        }
    }
    for (const char **l = sb_stemmer_list(); *l != NULL; l++) {
        if (strcmp(*l, name) == 0)
            return *l;
    }
    return NULL;
}

int rp_stemmer_new(const char *lang, rp_stemmer **out)
{
    if (out == NULL)
        return RP_EINVAL;
    *out = NULL;
    if (lang == NULL)
        return RP_EINVAL;

    const char *name = "none";
    if (strcmp(lang, "none") != 0) {
        name = canonical(lang);
        if (name == NULL)
            return RP_ELANG;
    }

    rp_stemmer *s = calloc(1, sizeof *s);
    if (s == NULL)
        return RP_ENOMEM;
    s->lang = name;
    if (strcmp(name, "none") == 0) {
        *out = s;
        return 0;
    }
    /* The name is on the library's list, so NULL here can only mean it ran
     * out of memory (the header says so). */
    s->sb = sb_stemmer_new(name, "UTF_8");
    /* calloc gives zeroed (empty) slots cheaply: fresh pages stay untouched
     * until first used. One extra set leaves room to align to 64. */
    s->mem = calloc(CACHE_SETS + 1, sizeof(set));
    if (s->sb == NULL || s->mem == NULL) {
        rp_stemmer_free(s);
        return RP_ENOMEM;
    }
    uintptr_t a =
        ((uintptr_t)s->mem + SET_BYTES - 1) & ~(uintptr_t)(SET_BYTES - 1);
    s->sets = (set *)a;
    *out = s;
    return 0;
}

void rp_stemmer_free(rp_stemmer *s)
{
    if (s == NULL)
        return;
    sb_stemmer_delete(s->sb);
    free(s->mem);
    free(s);
}

const char *rp_stemmer_lang(const rp_stemmer *s)
{
    return s->lang;
}

const char **rp_stem_languages(void)
{
    return sb_stemmer_list();
}

/* Little-endian loads, spelt out so the result does not depend on the
 * host; compilers turn each into a single load on x86 and arm64. */
static inline uint64_t load_le64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
           (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint64_t load_le32(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24;
}

/* Packs a word of len 1..SLOT_WORD_MAX bytes into two integers, reading
 * only bytes inside the word and building the key in registers (writing
 * bytes to memory and reading them back as words would stall the load).
 * The top byte of key[1] is len; given len, the loads cover every byte, and
 * overlapping loads repeat bytes only in fixed places, so two different
 * words never share a key. */
static inline void make_key(const unsigned char *p, size_t len, uint64_t key[2])
{
    if (len >= 8) {
        /* Bytes 8..len of the word, moved down to the low end. */
        uint64_t tail = load_le64(p + len - 8) >> (8 * (15 - len)) >> 8;
        key[0] = load_le64(p);
        key[1] = tail | (uint64_t)len << 56;
    } else if (len >= 4) {
        key[0] = load_le32(p) | load_le32(p + len - 4) << 32;
        key[1] = (uint64_t)len << 56;
    } else {
        key[0] = (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 |
                 (uint64_t)p[len - 1] << 16;
        key[1] = (uint64_t)len << 56;
    }
}

/* Hashes a key to a set index: each half multiplied by an odd constant,
 * then folded. Only the cache uses it; a collision costs a miss, never a
 * wrong answer, because a hit compares the whole key. */
static inline uint32_t hash_key(const uint64_t key[2])
{
    uint64_t h = key[0] * 0x9e3779b97f4a7c15u ^ key[1] * 0xc2b2ae3d27d4eb4fu;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9u;
    return (uint32_t)(h >> (64 - CACHE_BITS));
}

static inline int key_eq(const slot *e, const uint64_t key[2])
{
    return ((e->key[0] ^ key[0]) | (e->key[1] ^ key[1])) == 0;
}

void rp_stem_prefetch(const rp_stemmer *s, const char *word, size_t len)
{
    if (s->sb == NULL || len == 0 || len > SLOT_WORD_MAX)
        return;
    uint64_t key[2];
    make_key((const unsigned char *)word, len, key);
    __builtin_prefetch(&s->sets[hash_key(key)]);
}

int rp_stem(rp_stemmer *s, const char *word, size_t len, const char **stem,
            size_t *stem_len)
{
    *stem = NULL;
    *stem_len = 0;
    if (len == 0 || len > WORD_MAX)
        return RP_EINVAL;
    if (s->sb == NULL) {
        memcpy(s->out, word, len);
        *stem = s->out;
        *stem_len = len;
        return 0;
    }

    uint64_t key[2] = {0, 0};
    set *e = NULL;
    if (len <= SLOT_WORD_MAX) {
        make_key((const unsigned char *)word, len, key);
        e = &s->sets[hash_key(key)];
        if (key_eq(&e->way[0], key)) {
            *stem = e->way[0].stem;
            *stem_len = e->way[0].stem_len;
            return 0;
        }
        if (key_eq(&e->way[1], key)) {
            slot t = e->way[1];
            e->way[1] = e->way[0];
            e->way[0] = t;
            *stem = e->way[0].stem;
            *stem_len = e->way[0].stem_len;
            return 0;
        }
    }

    const sb_symbol *r =
        sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
    if (r == NULL)
        return RP_ENOMEM;
    int n = sb_stemmer_length(s->sb);
    if (n < 0)
        return RP_ENOMEM;
    /* Snowball can strip a word to nothing (porter turns "s" into ""); an
     * empty term is useless to the index, so the word stands for itself. */
    if (n == 0) {
        memcpy(s->out, word, len);
        r = (const sb_symbol *)s->out;
        n = (int)len;
    }

    /* Snowball rules may insert letters, so a stem can outgrow a slot even
     * when its word fits; such a stem is returned uncached, from Snowball's
     * buffer or s->out. Both belong to s alone, so they live until the next
     * call. */
    if (e == NULL || (size_t)n > SLOT_STEM_MAX) {
        *stem = (const char *)r;
        *stem_len = (size_t)n;
        return 0;
    }
    /* The new entry becomes way 0; the older one moves over, and what was
     * in way 1 (the least recently used) is dropped. */
    e->way[1] = e->way[0];
    e->way[0].key[0] = key[0];
    e->way[0].key[1] = key[1];
    memcpy(e->way[0].stem, r, (size_t)n);
    e->way[0].stem_len = (uint8_t)n;
    *stem = e->way[0].stem;
    *stem_len = (size_t)n;
    return 0;
}

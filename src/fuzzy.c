/* SPDX-License-Identifier: MIT */
/*
 * fuzzy: edit-distance matching against the sorted dictionary.
 *
 * The table of the optimal string alignment distance between a term t and
 * the word q has one row per prefix of t: D[i][j] is the distance between
 * t[0..i) and q[0..j). Terms come in byte order, so consecutive terms share
 * prefixes and only the rows past the shared prefix are recomputed (the
 * sorted list acts as a trie). No entry of a row is below the minimum of
 * the row before it: insertions, deletions and substitutions build on that
 * row, and a swap, which reaches back two rows to D[i-1][j-2] + 1, is
 * never below D[i][j-1], itself at most D[i-1][j-2] + 1. So once a row's
 * minimum exceeds the distance, no term with that prefix can come within
 * it, and the walk seeks to the first term after the prefix (the prefix
 * with its last byte raised by one).
 */
#include "rapport/fuzzy.h"

#include <stdlib.h>
#include <string.h>

#include "rapport/error.h"
#include "rapport/utf8.h"

#define MAXCP RP_TERM_MAX_BYTES /* a term has at most this many characters */

typedef struct walk {
    int32_t q[MAXCP];
    size_t m;
    int32_t t[MAXCP];
    size_t tend[MAXCP + 1]; /* byte offset after i characters of t */
    unsigned char rows[MAXCP + 1][MAXCP + 1];
    unsigned char rmin[MAXCP + 1];
} walk;

/* Decodes s into characters (an invalid byte becomes its own negative
 * value, so two different bad bytes differ). Returns the count, and sets
 * ends[i + 1] to the byte offset after character i when ends is given. */
static size_t decode(const char *s, size_t len, int32_t *out, size_t *ends)
{
    size_t n = 0, off = 0;
    if (ends)
        ends[0] = 0;
    while (off < len && n < MAXCP) {
        int32_t cp;
        size_t k = rp_utf8_decode(s + off, len - off, &cp);
        if (cp < 0)
            cp = -1 - (unsigned char)s[off];
        out[n++] = cp;
        off += k;
        if (ends)
            ends[n] = off;
    }
    return n;
}

static unsigned char min3(unsigned a, unsigned b, unsigned c)
{
    unsigned m = a < b ? a : b;
    return (unsigned char)(m < c ? m : c);
}

/* Computes row i (1-based: the row after character t[i - 1]). */
static void fill_row(walk *w, size_t i)
{
    unsigned char *r = w->rows[i], *p = w->rows[i - 1];
    int32_t c = w->t[i - 1];
    r[0] = (unsigned char)(i < 255 ? i : 255);
    unsigned char lo = r[0];
    for (size_t j = 1; j <= w->m; j++) {
        unsigned v = min3(p[j] + 1u, r[j - 1] + 1u,
                          p[j - 1] + (c == w->q[j - 1] ? 0u : 1u));
        if (i > 1 && j > 1 && c == w->q[j - 2] && w->t[i - 2] == w->q[j - 1]) {
            unsigned s = w->rows[i - 2][j - 2] + 1u;
            if (s < v)
                v = s;
        }
        r[j] = (unsigned char)(v < 255 ? v : 255);
        if (r[j] < lo)
            lo = r[j];
    }
    w->rmin[i] = lo;
}

static void init_rows(walk *w)
{
    for (size_t j = 0; j <= w->m; j++)
        w->rows[0][j] = (unsigned char)j;
    w->rmin[0] = 0;
}

unsigned rp_fuzzy_distance(const char *a, size_t alen, const char *b,
                           size_t blen, unsigned limit)
{
    if (alen > RP_TERM_MAX_BYTES || blen > RP_TERM_MAX_BYTES)
        return limit + 1;
    walk w;
    w.m = decode(a, alen, w.q, NULL);
    size_t n = decode(b, blen, w.t, NULL);
    init_rows(&w);
    for (size_t i = 1; i <= n; i++)
        fill_row(&w, i);
    unsigned d = w.rows[n][w.m];
    return d > limit ? limit + 1 : d;
}

/* a is better than b: smaller distance, larger df, then byte order. */
static int better(const rp_fuzzy_term *a, const rp_fuzzy_term *b)
{
    if (a->dist != b->dist)
        return a->dist < b->dist;
    if (a->df != b->df)
        return a->df > b->df;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->term, b->term, n);
    return c != 0 ? c < 0 : a->len < b->len;
}

void rp_fuzzy_keep(rp_fuzzy_term *out, size_t cap, size_t *n,
                   const rp_fuzzy_term *cand)
{
    if (cap == 0 || (*n == cap && !better(cand, &out[cap - 1])))
        return;
    size_t i = *n < cap ? (*n)++ : cap - 1;
    while (i > 0 && better(cand, &out[i - 1])) {
        out[i] = out[i - 1];
        i--;
    }
    out[i] = *cand;
}

static size_t common_bytes(const char *a, size_t alen, const char *b,
                           size_t blen)
{
    size_t n = alen < blen ? alen : blen, i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

/* Sets key to the first byte string after every string starting with
 * prefix[0..len). Returns its length, 0 when there is none. */
static size_t successor(char *key, const char *prefix, size_t len)
{
    memcpy(key, prefix, len);
    while (len > 0 && (unsigned char)key[len - 1] == 0xff)
        len--;
    if (len > 0)
        key[len - 1] = (char)((unsigned char)key[len - 1] + 1);
    return len;
}

/* Compares byte strings a and b in dictionary order. */
static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    return c != 0 ? c : (alen > blen) - (alen < blen);
}

typedef struct range_walk {
    walk *w;
    rp_termcur *tc;
    unsigned maxd;
    uint32_t min_df;
    rp_fuzzy_term *out;
    size_t cap, *n;
    size_t seen; /* entries read, over all ranges */
} range_walk;

/* Walks the terms in [lo, hi) (hilen 0: to the end), within the budget of
 * RP_FUZZY_MAX_VISITS entries. Returns 0 or an index error. */
static int walk_range(range_walk *r, const char *lo, size_t lolen,
                      const char *hi, size_t hilen)
{
    walk *w = r->w;
    char prev[RP_TERM_MAX_BYTES], key[RP_TERM_MAX_BYTES];
    size_t prevlen = 0, rows_ok = 0;
    const char *term;
    size_t tlen;
    rp_terminfo info;
    int rc = rp_termcur_seek(r->tc, lo, lolen, &term, &tlen, &info);
    while (rc == 0 && r->seen < RP_FUZZY_MAX_VISITS) {
        if (hilen && bytes_cmp(term, tlen, hi, hilen) >= 0)
            break;
        r->seen++;
        size_t nt = decode(term, tlen, w->t, w->tend);
        /* Rows of the characters this term shares with the last one. */
        size_t same = common_bytes(prev, prevlen, term, tlen), k = 0;
        while (k < nt && w->tend[k + 1] <= same)
            k++;
        if (rows_ok > k)
            rows_ok = k;
        size_t dead = 0;
        for (size_t i = rows_ok + 1; i <= nt; i++) {
            fill_row(w, i);
            rows_ok = i;
            if (w->rmin[i] > r->maxd) {
                dead = i;
                break;
            }
        }
        memcpy(prev, term, tlen);
        prevlen = tlen;
        if (dead) {
            size_t klen = successor(key, term, w->tend[dead]);
            if (klen == 0)
                break;
            rc = rp_termcur_seek(r->tc, key, klen, &term, &tlen, &info);
            continue;
        }
        unsigned d = w->rows[nt][w->m];
        if (d >= 1 && d <= r->maxd && info.df >= r->min_df) {
            rp_fuzzy_term cand = {.len = tlen, .dist = d, .df = info.df};
            memcpy(cand.term, term, tlen);
            rp_fuzzy_keep(r->out, r->cap, r->n, &cand);
        }
        rc = rp_termcur_next(r->tc, &term, &tlen, &info);
    }
    return rc == RP_ENOTFOUND ? 0 : rc;
}

int rp_fuzzy_find(rp_txn *txn, const char *word, size_t len, unsigned maxd,
                  uint32_t min_df, rp_fuzzy_term *out, size_t cap, size_t *n,
                  size_t *visited)
{
    *n = 0;
    if (visited)
        *visited = 0;
    if (maxd > RP_FUZZY_MAX_DIST || len == 0 || len > RP_TERM_MAX_BYTES ||
        rp_utf8_validate(word, len, NULL) != 0)
        return RP_EINVAL;
    walk *w = malloc(sizeof *w);
    if (w == NULL)
        return RP_ENOMEM;
    w->m = decode(word, len, w->q, w->tend);
    init_rows(w);
    range_walk r = {w, NULL, maxd, min_df, out, cap, n, 0};
    int rc = rp_termcur_open(txn, &r.tc);
    if (rc != 0) {
        free(w);
        return rc;
    }
    /* Most typos keep the first letter: the terms sharing it come first,
     * then those before and after, while the budget lasts. */
    char first[4], after[4];
    size_t flen = w->tend[1];
    memcpy(first, word, flen);
    size_t alen = successor(after, first, flen);
    rc = walk_range(&r, first, flen, after, alen);
    if (rc == 0)
        rc = walk_range(&r, NULL, 0, first, flen);
    if (rc == 0 && alen > 0)
        rc = walk_range(&r, after, alen, NULL, 0);
    rp_termcur_close(r.tc);
    free(w);
    if (visited)
        *visited = r.seen;
    if (rc != 0)
        *n = 0;
    return rc;
}

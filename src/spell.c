/* SPDX-License-Identifier: MIT */
/*
 * spell: which typed words get corrected, with what, and how a correction
 * is written. The rules, measured with make eval's misspelled run
 * (docs/relevance.md):
 *   - a word is a candidate when it is absent from the dictionary, or
 *     rare (df <= RARE_DF), since a typo can itself occur in a document;
 *   - an alternative of a rare word must be RARE_FACTOR times more common,
 *     so a rare real word is not drowned by a common neighbour, and it
 *     weighs RARE_WEIGHT, so the word's own documents stay first;
 *   - only the nearest distance class is kept: when one edit finds
 *     something, two-edit neighbours are noise.
 */
#include "rapport/spell.h"

#include <stdlib.h>
#include <string.h>

#include "rapport/doc.h"
#include "rapport/postings.h"
#include "rapport/tokenize.h"
#include "rapport/utf8.h"

#define RARE_DF 1
#define RARE_FACTOR 4
/* The best alternative's weight (the others' scale by their df): a word
 * absent from the dictionary matches nothing itself, so its correction
 * counts as the word would; a rare word keeps its own documents first. */
#define ABSENT_WEIGHT 1.0
#define RARE_WEIGHT 0.3
#define FIND_CAP 16
#define EDIT_MAX_BYTES 32 /* longer words get only the dictionary walk */

/* Characters in s, or 0 when s holds a digit (numbers are not words). */
static size_t word_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9')
            return 0;
        n += (c & 0xc0) != 0x80;
    }
    return n;
}

/* Candidate terms, unique, at most FIND_CAP (the best kept). */
typedef struct cands {
    rp_fuzzy_term t[FIND_CAP];
    size_t n;
} cands;

static int cand_better(const rp_fuzzy_term *a, const rp_fuzzy_term *b)
{
    if (a->dist != b->dist)
        return a->dist < b->dist;
    if (a->df != b->df)
        return a->df > b->df;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->term, b->term, n);
    return c != 0 ? c < 0 : a->len < b->len;
}

static void cand_add(cands *c, const rp_fuzzy_term *t)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->t[i].len == t->len && memcmp(c->t[i].term, t->term, t->len) == 0) {
            if (t->dist < c->t[i].dist)
                c->t[i].dist = t->dist;
            return;
        }
    if (c->n == FIND_CAP && !cand_better(t, &c->t[FIND_CAP - 1]))
        return;
    size_t i = c->n < FIND_CAP ? c->n++ : FIND_CAP - 1;
    c->t[i] = *t;
}

static int cmp_cand(const void *a, const void *b)
{
    return cand_better(a, b) ? -1 : cand_better(b, a) ? 1 : 0;
}

typedef struct edits {
    rp_txn *txn;
    rp_analyzer *an;
    const char *stem;
    size_t stem_len;
    uint32_t min_df;
    cands *out;
} edits;

/* One spelling one edit from the typed word: its stem, if the dictionary
 * holds it often enough, is a candidate at distance 1. */
static int try_spelling(edits *e, const char *w, size_t len)
{
    const char *s;
    size_t slen;
    int rc = rp_analyzer_stem(e->an, w, len, &s, &slen);
    if (rc != 0)
        return rc == RP_EINVAL ? 0 : rc;
    if (slen == e->stem_len && memcmp(s, e->stem, slen) == 0)
        return 0;
    rp_terminfo info;
    rc = rp_txn_term_get(e->txn, s, slen, &info);
    if (rc == RP_ENOTFOUND || (rc == 0 && info.df < e->min_df))
        return 0;
    if (rc != 0)
        return rc;
    rp_fuzzy_term t = {.len = slen, .dist = 1, .df = info.df};
    memcpy(t.term, s, slen);
    cand_add(e->out, &t);
    return 0;
}

/*
 * Every spelling one edit from w (a folded ASCII word): each letter
 * deleted, each adjacent pair swapped, each letter replaced and each gap
 * filled with a-z. The dictionary holds stems, and a typo near the end of
 * a word often stops the stemmer from removing its suffix ("inforamtion"
 * stems to "inforamt", far from "inform"); the corrected spelling stems
 * like the word meant, which the dictionary walk over stems cannot see.
 */
static int spellings(edits *e, const char *w, size_t n)
{
    char v[EDIT_MAX_BYTES + 1];
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) { /* delete */
        memcpy(v, w, i);
        memcpy(v + i, w + i + 1, n - i - 1);
        rc = try_spelling(e, v, n - 1);
    }
    for (size_t i = 0; i + 1 < n && rc == 0; i++) { /* swap */
        if (w[i] == w[i + 1])
            continue;
        memcpy(v, w, n);
        v[i] = w[i + 1];
        v[i + 1] = w[i];
        rc = try_spelling(e, v, n);
    }
    for (size_t i = 0; i < n && rc == 0; i++) /* replace */
        for (char c = 'a'; c <= 'z' && rc == 0; c++) {
            if (c == w[i])
                continue;
            memcpy(v, w, n);
            v[i] = c;
            rc = try_spelling(e, v, n);
        }
    for (size_t i = 0; i <= n && rc == 0; i++) /* insert */
        for (char c = 'a'; c <= 'z' && rc == 0; c++) {
            memcpy(v, w, i);
            v[i] = c;
            memcpy(v + i + 1, w + i, n - i);
            rc = try_spelling(e, v, n + 1);
        }
    return rc;
}

static int first_folded(void *ctx, const rp_token *tok)
{
    rp_buf *out = ctx;
    int rc = rp_buf_append(out, tok->term, tok->term_len);
    return rc != 0 ? rc : 1;
}

/* The typed word folded as the tokenizer folds it, if it is plain ASCII
 * letters of at most EDIT_MAX_BYTES; else len 0. */
static int fold_ascii(const char *typed, size_t len, rp_buf *out)
{
    int rc = rp_tokenize(typed, len, 0, first_folded, out, NULL);
    if (rc != 0 && rc != 1)
        return rc;
    for (size_t i = 0; i < out->len; i++)
        if (out->data[i] < 'a' || out->data[i] > 'z')
            out->len = 0;
    if (out->len > EDIT_MAX_BYTES)
        out->len = 0;
    return 0;
}

int rp_spell_alternatives(rp_txn *txn, rp_analyzer *an,
                          const rp_vocab *vocab, const char *typed,
                          size_t typed_len, const char *stem,
                          size_t stem_len, uint32_t df,
                          rp_spell_alt out[RP_SPELL_MAX_ALTS], size_t *n)
{
    *n = 0;
    size_t chars = word_chars(typed, typed_len);
    if (chars < RP_SPELL_MIN_CHARS || df > RARE_DF || stem_len == 0 ||
        stem_len > RP_TERM_MAX_BYTES ||
        (vocab && rp_vocab_knows(vocab, stem, stem_len)))
        return 0;
    unsigned maxd = chars >= RP_SPELL_TWO_EDITS ? 2 : 1;
    uint32_t min_df = df == 0 ? 1 : df * RARE_FACTOR;
    cands c = {.n = 0};
    rp_buf folded = RP_BUF_INIT;
    int rc = fold_ascii(typed, typed_len, &folded);
    if (rc == 0 && folded.len > 0) {
        edits e = {txn, an, stem, stem_len, min_df, &c};
        rc = spellings(&e, (const char *)folded.data, folded.len);
    }
    rp_buf_fini(&folded);
    /* The walk over stems is the fallback: for words with letters
     * outside a-z, words longer than EDIT_MAX_BYTES, and typos the
     * spellings one edit away do not mend (two edits, from
     * RP_SPELL_TWO_EDITS characters). */
    rp_fuzzy_term found[FIND_CAP];
    size_t nfound = 0;
    if (rc == 0 && c.n == 0)
        rc = rp_fuzzy_find(txn, stem, stem_len, maxd, min_df, found,
                           FIND_CAP, &nfound, NULL);
    if (rc == RP_EINVAL)
        rc = 0; /* not a term the dictionary could hold */
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < nfound; i++)
        cand_add(&c, &found[i]);
    qsort(c.t, c.n, sizeof *c.t, cmp_cand);
    for (size_t i = 0; i < c.n && *n < RP_SPELL_MAX_ALTS; i++) {
        if (c.t[i].dist != c.t[0].dist)
            break;
        out[*n].t = c.t[i];
        out[*n].weight = (df == 0 ? ABSENT_WEIGHT : RARE_WEIGHT) *
                         (double)c.t[i].df / (double)c.t[0].df;
        (*n)++;
    }
    return 0;
}

typedef struct check {
    rp_txn *txn;
    rp_analyzer *an;
    const rp_vocab *vocab;
    const char *text;
    rp_correction *fix;
    size_t n;
    char seen[64][RP_TERM_MAX_BYTES]; /* stems already looked at */
    size_t seen_len[64], nseen;
} check;

static int check_word(void *ctx, const rp_token *tok)
{
    check *k = ctx;
    for (size_t i = 0; i < k->nseen; i++)
        if (k->seen_len[i] == tok->term_len &&
            memcmp(k->seen[i], tok->term, tok->term_len) == 0)
            return 0;
    if (k->nseen < 64) {
        memcpy(k->seen[k->nseen], tok->term, tok->term_len);
        k->seen_len[k->nseen++] = tok->term_len;
    }
    rp_terminfo info;
    int rc = rp_txn_term_get(k->txn, tok->term, tok->term_len, &info);
    if (rc != 0 && rc != RP_ENOTFOUND)
        return rc;
    rp_spell_alt alts[RP_SPELL_MAX_ALTS];
    size_t n;
    rc = rp_spell_alternatives(k->txn, k->an, k->vocab, k->text + tok->start,
                               tok->end - tok->start, tok->term,
                               tok->term_len, rc == 0 ? info.df : 0, alts,
                               &n);
    if (rc != 0 || n == 0)
        return rc;
    rp_correction *f = &k->fix[k->n++];
    f->off = tok->start;
    f->len = tok->end - tok->start;
    memcpy(f->term, alts[0].t.term, alts[0].t.len);
    f->term_len = alts[0].t.len;
    return k->n == RP_SPELL_MAX_FIXES ? RP_ESTOP : 0;
}

int rp_spell_check(rp_txn *txn, rp_analyzer *an, const rp_vocab *vocab,
                   const char *text, size_t len, rp_correction **out,
                   size_t *n)
{
    *out = NULL;
    *n = 0;
    check *k = calloc(1, sizeof *k);
    rp_correction *fix = malloc(RP_SPELL_MAX_FIXES * sizeof *fix);
    if (k == NULL || fix == NULL) {
        free(k);
        free(fix);
        return RP_ENOMEM;
    }
    k->txn = txn;
    k->an = an;
    k->vocab = vocab;
    k->text = text;
    k->fix = fix;
    int rc = rp_analyze(an, text, len, 0, check_word, k, NULL);
    if (rc == RP_ESTOP)
        rc = 0;
    if (rc == 0 && k->n > 0) {
        *out = fix;
        *n = k->n;
    } else {
        free(fix);
    }
    free(k);
    return rc;
}

typedef struct span {
    const char *term;
    size_t len;
    size_t start, end;
    int found;
} span;

static int find_term(void *ctx, const rp_token *tok)
{
    span *s = ctx;
    if (tok->term_len != s->len || memcmp(tok->term, s->term, s->len) != 0)
        return 0;
    s->start = tok->start;
    s->end = tok->end;
    s->found = 1;
    return 1;
}

/* The first document of term's postings, or 0 (no postings). */
static int first_doc(rp_txn *txn, const char *term, size_t len,
                     rp_docid *doc)
{
    *doc = 0;
    rp_blockcur bc;
    int rc = rp_blockcur_open(txn, term, len, &bc);
    if (rc == 0 && !bc.eof) {
        rp_docid docs[RP_BLOCK_DOCS];
        rc = rp_block_docs(&bc.hdr, docs);
        if (rc == 0 && bc.hdr.n > 0)
            *doc = docs[0];
    }
    rp_blockcur_close(&bc);
    return rc;
}

int rp_spell_surface(rp_txn *txn, rp_analyzer *an, const char *term,
                     size_t len, rp_buf *out)
{
    rp_docid doc;
    int rc = first_doc(txn, term, len, &doc);
    const void *rec;
    size_t reclen;
    if (rc == 0 && doc != 0)
        rc = rp_txn_doc_get(txn, doc, &rec, &reclen);
    if (rc != 0 || doc == 0)
        return rc != 0 ? rc : rp_buf_append(out, term, len);
    rp_doc d;
    rp_doc_init(&d);
    rc = rp_doc_decode(rec, reclen, &d);
    span s = {term, len, 0, 0, 0};
    const char *text = NULL;
    for (size_t i = 0; rc == 0 && !s.found && i < d.nfields; i++) {
        text = rp_doc_value(&d, &d.fields[i]);
        rc = rp_analyze(an, text, d.fields[i].len, 0, find_term, &s, NULL);
        if (rc == 1)
            rc = 0;
    }
    size_t before = out->len;
    if (rc == 0 && s.found) {
        rc = rp_tokenize(text + s.start, s.end - s.start, 0, first_folded,
                         out, NULL);
        if (rc == 1)
            rc = 0;
    }
    if (rc == 0 && out->len == before)
        rc = rp_buf_append(out, term, len);
    rp_doc_fini(&d);
    return rc;
}

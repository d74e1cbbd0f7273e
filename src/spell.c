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

/* Adds t unless it is there already (the spellings one edit away can
 * stem alike). */
static void cand_add(cands *c, const rp_fuzzy_term *t)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->t[i].len == t->len && memcmp(c->t[i].term, t->term, t->len) == 0)
            return;
    rp_fuzzy_keep(c->t, FIND_CAP, &c->n, t);
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
    if (rc == 0 && c.n == 0)
        rc = rp_fuzzy_find(txn, stem, stem_len, maxd, min_df, c.t, FIND_CAP,
                           &c.n, NULL);
    if (rc == RP_EINVAL)
        rc = 0; /* not a term the dictionary could hold */
    if (rc != 0)
        return rc;
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

#define SURFACE_DOCS 8   /* documents read for a term's written forms */
#define SURFACE_FORMS 16  /* distinct forms kept */
/* Bytes of each field read for them: a form shows near a field's start in
 * the documents that hold the term, and with 1 MiB documents reading them
 * whole would cost milliseconds for each corrected word. */
#define SURFACE_FIELD_BYTES 16384

/* The written forms of one stem in some documents, with counts. */
typedef struct forms {
    const char *term;
    size_t len;
    const char *text; /* the field being analysed */
    char form[SURFACE_FORMS][RP_TERM_MAX_BYTES];
    size_t flen[SURFACE_FORMS];
    unsigned count[SURFACE_FORMS];
    size_t n;
} forms;

static int collect_form(void *ctx, const rp_token *tok)
{
    forms *f = ctx;
    if (tok->term_len != f->len || memcmp(tok->term, f->term, f->len) != 0)
        return 0;
    /* The word as the tokenizer folds it, before stemming. */
    char buf[RP_TERM_MAX_BYTES];
    rp_buf folded = RP_BUF_INIT;
    int rc = rp_tokenize(f->text + tok->start, tok->end - tok->start, 0,
                         first_folded, &folded, NULL);
    size_t n = folded.len <= RP_TERM_MAX_BYTES ? folded.len : 0;
    if (n > 0)
        memcpy(buf, folded.data, n);
    rp_buf_fini(&folded);
    if (rc != 0 && rc != 1)
        return rc;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->flen[i] == n && memcmp(f->form[i], buf, n) == 0) {
            f->count[i]++;
            return 0;
        }
    if (f->n < SURFACE_FORMS) {
        memcpy(f->form[f->n], buf, n);
        f->flen[f->n] = n;
        f->count[f->n++] = 1;
    }
    return 0;
}

/* The length of the part of text[0..len) read for forms: all of it up to
 * SURFACE_FIELD_BYTES, else up to the last space within them, so no word
 * is cut (and a field with no space there is not read). */
static size_t head_of(const char *text, size_t len)
{
    if (len <= SURFACE_FIELD_BYTES)
        return len;
    size_t n = SURFACE_FIELD_BYTES;
    while (n > 0 && text[n - 1] != ' ')
        n--;
    return n;
}

/* Adds the forms of f->term in the first SURFACE_FIELD_BYTES of each of
 * document doc's fields. */
static int forms_in_doc(rp_txn *txn, rp_analyzer *an, rp_docid doc,
                        forms *f)
{
    const void *rec;
    size_t reclen;
    int rc = rp_txn_doc_get(txn, doc, &rec, &reclen);
    if (rc != 0)
        return rc == RP_ENOTFOUND ? 0 : rc;
    rp_doc d;
    rp_doc_init(&d);
    rc = rp_doc_decode(rec, reclen, &d);
    for (size_t i = 0; rc == 0 && i < d.nfields; i++) {
        f->text = rp_doc_value(&d, &d.fields[i]);
        rc = rp_analyze(an, f->text, head_of(f->text, d.fields[i].len), 0,
                        collect_form, f, NULL);
    }
    rp_doc_fini(&d);
    return rc;
}

int rp_spell_surface(rp_txn *txn, rp_analyzer *an, const char *term,
                     size_t len, const char *typed, size_t typed_len,
                     rp_buf *out)
{
    forms *f = calloc(1, sizeof *f);
    if (f == NULL)
        return RP_ENOMEM;
    f->term = term;
    f->len = len;
    rp_blockcur bc;
    int rc = rp_blockcur_open(txn, term, len, &bc);
    if (rc == 0 && !bc.eof) {
        rp_docid docs[RP_BLOCK_DOCS];
        rc = rp_block_docs(&bc.hdr, docs);
        for (uint32_t i = 0; rc == 0 && i < bc.hdr.n && i < SURFACE_DOCS; i++)
            rc = forms_in_doc(txn, an, docs[i], f);
    }
    rp_blockcur_close(&bc);
    rp_buf want = RP_BUF_INIT;
    if (rc == 0)
        rc = rp_tokenize(typed, typed_len, 0, first_folded, &want, NULL);
    if (rc == 1)
        rc = 0;
    /* The form nearest to what was typed, then the commonest, then the
     * shortest. */
    size_t best = SIZE_MAX;
    unsigned bestd = 0;
    for (size_t i = 0; rc == 0 && i < f->n; i++) {
        unsigned d = rp_fuzzy_distance((const char *)want.data, want.len,
                                       f->form[i], f->flen[i],
                                       RP_TERM_MAX_BYTES);
        if (best == SIZE_MAX || d < bestd ||
            (d == bestd && (f->count[i] > f->count[best] ||
                            (f->count[i] == f->count[best] &&
                             f->flen[i] < f->flen[best])))) {
            best = i;
            bestd = d;
        }
    }
    rp_buf_fini(&want);
    if (rc == 0)
        rc = best == SIZE_MAX ? rp_buf_append(out, term, len)
                              : rp_buf_append(out, f->form[best],
                                              f->flen[best]);
    free(f);
    return rc;
}

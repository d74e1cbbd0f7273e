/* SPDX-License-Identifier: MIT */
/*
 * spell: which typed words get corrected, with what, and how a correction
 * is written. The rules, measured with make eval's misspelled run
 * (docs/relevance.md):
 *   - a word is a candidate when it is absent from the dictionary, or
 *     rare (df <= RARE_DF), since a typo can itself occur in a few
 *     documents;
 *   - an alternative must be more common than the word by RARE_FACTOR, so
 *     a rare real word is not drowned by a common neighbour and its own
 *     documents stay first;
 *   - only the nearest distance class is kept: when one edit finds
 *     something, two-edit neighbours are noise.
 */
#include "rapport/spell.h"

#include <string.h>

#include "rapport/doc.h"
#include "rapport/postings.h"
#include "rapport/tokenize.h"
#include "rapport/utf8.h"

#define RARE_DF 2
#define RARE_FACTOR 8
#define FIRST_WEIGHT 0.8 /* the best alternative; others scale by df */
#define FIND_CAP 16

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

int rp_spell_alternatives(rp_txn *txn, const char *typed, size_t typed_len,
                          const char *stem, size_t stem_len, uint32_t df,
                          rp_spell_alt out[RP_SPELL_MAX_ALTS], size_t *n)
{
    *n = 0;
    size_t chars = word_chars(typed, typed_len);
    if (chars < RP_SPELL_MIN_CHARS || df > RARE_DF || stem_len == 0 ||
        stem_len > RP_TERM_MAX_BYTES)
        return 0;
    unsigned maxd = chars >= RP_SPELL_TWO_EDITS ? 2 : 1;
    uint32_t min_df = df == 0 ? 1 : df * RARE_FACTOR;
    rp_fuzzy_term found[FIND_CAP];
    size_t nfound;
    int rc = rp_fuzzy_find(txn, stem, stem_len, maxd, min_df, found,
                           FIND_CAP, &nfound, NULL);
    if (rc == RP_EINVAL)
        return 0; /* not a term the dictionary could hold */
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < nfound && *n < RP_SPELL_MAX_ALTS; i++) {
        if (found[i].dist != found[0].dist)
            break;
        out[*n].t = found[i];
        out[*n].weight =
            FIRST_WEIGHT * (double)found[i].df / (double)found[0].df;
        (*n)++;
    }
    return 0;
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

static int first_folded(void *ctx, const rp_token *tok)
{
    rp_buf *out = ctx;
    int rc = rp_buf_append(out, tok->term, tok->term_len);
    return rc != 0 ? rc : 1;
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

/* SPDX-License-Identifier: MIT */
/*
 * correct: the written form of corrections and the "did you mean" query.
 */
#include "rapport/correct.h"

#include <stdlib.h>
#include <string.h>

#include "rapport/query.h"

static int cmp_fix(const void *a, const void *b)
{
    const rp_fix *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Documents text matches, without typo tolerance, under base's filters. */
static int count(rp_txn *txn, rp_analyzer *an, const char *text,
                 size_t len, int syntax, const rp_search_opts *base,
                 uint64_t *total)
{
    rp_search_opts o = *base;
    o.typo = 0;
    o.count = 1;
    o.limit = 1;
    o.offset = 0;
    o.matched = NULL;
    rp_results r;
    int rc;
    if (syntax) {
        rp_query *q;
        rp_error err;
        rp_error_clear(&err);
        rc = rp_query_parse(text, len, &q, &err);
        if (rc == RP_EQUERY || rc == RP_ELIMIT) {
            *total = 0; /* a replacement cannot break the syntax, but a
                           query that does not parse finds nothing */
            return 0;
        }
        if (rc != 0)
            return rc;
        rc = rp_search(txn, an, q, &o, &r);
        rp_query_free(q);
    } else {
        rc = rp_search_text(txn, an, text, len, &o, &r);
    }
    *total = r.total;
    rp_results_fini(&r);
    return rc == RP_ELIMIT ? 0 : rc;
}

int rp_correct(rp_txn *txn, rp_analyzer *an, const char *q, size_t len,
               int syntax, const rp_correction *c, size_t n,
               const rp_search_opts *base, rp_corrected *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return 0;
    out->fix = calloc(n, sizeof *out->fix);
    if (out->fix == NULL)
        return RP_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (c[i].off > len || c[i].len > len - c[i].off)
            return RP_EINVAL;
        rp_fix *f = &out->fix[out->n++];
        f->off = c[i].off;
        f->len = c[i].len;
        f->word_off = out->words.len;
        rc = rp_spell_surface(txn, an, c[i].term, c[i].term_len,
                              q + c[i].off, c[i].len, &out->words);
        f->word_len = out->words.len - f->word_off;
    }
    if (rc != 0)
        return rc;
    qsort(out->fix, out->n, sizeof *out->fix, cmp_fix);
    size_t at = 0;
    for (size_t i = 0; i < out->n && rc == 0; i++) {
        const rp_fix *f = &out->fix[i];
        if (f->off < at)
            continue; /* overlapping: keep the first */
        rp_buf_append_rc(&out->text, q + at, f->off - at, &rc);
        rp_buf_append_rc(&out->text, out->words.data + f->word_off,
                         f->word_len, &rc);
        at = f->off + f->len;
    }
    rp_buf_append_rc(&out->text, q + at, len - at, &rc);
    uint64_t typed = 0, fixed = 0;
    if (rc == 0)
        rc = count(txn, an, q, len, syntax, base, &typed);
    if (rc == 0)
        rc = count(txn, an, (const char *)out->text.data, out->text.len,
                   syntax, base, &fixed);
    if (rc == 0)
        out->did_you_mean = fixed >= 2 * typed + 1;
    return rc;
}

int rp_correct_text(rp_txn *txn, rp_analyzer *an, const char *text,
                    size_t len, const rp_search_opts *base,
                    rp_corrected *out)
{
    memset(out, 0, sizeof *out);
    rp_correction *c;
    size_t n;
    int rc = rp_spell_check(txn, an, base->vocab, text, len, &c, &n);
    if (rc == 0)
        rc = rp_correct(txn, an, text, len, 0, c, n, base, out);
    free(c);
    return rc;
}

void rp_corrected_fini(rp_corrected *out)
{
    if (out == NULL)
        return;
    free(out->fix);
    rp_buf_fini(&out->words);
    rp_buf_fini(&out->text);
    memset(out, 0, sizeof *out);
}

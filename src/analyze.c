/* SPDX-License-Identifier: MIT */
/*
 * analyze: chains the tokenizer, the stop list and the stemmer into the
 * single analysis path both documents and queries take. It owns its
 * stemmer; the stop list is a static table.
 */
#include "rapport/analyze.h"

#include <stdlib.h>
#include <string.h>

#include "rapport/error.h"
#include "rapport/stem.h"
#include "rapport/stopwords.h"

struct rp_analyzer {
    rp_stemmer *stemmer;       /* owned */
    const rp_stoplist *stops;  /* static, may be NULL */
};

/* Words are stemmed in runs of RUN: the stem cache's line for a word is
 * loaded PREFETCH_AHEAD words before it is needed, so the misses of a run
 * overlap. A token's bytes are only valid during the tokenizer's callback,
 * so queued words are copied. */
#define RUN 32
#define PREFETCH_AHEAD 4

typedef struct pass {
    rp_analyzer *a;
    rp_token_cb cb;
    void *ctx;
    unsigned flags; /* RP_ANALYZE_* */
    size_t n;       /* tokens queued */
    rp_token tok[RUN];
    char bytes[RUN][RP_TERM_MAX_BYTES];
} pass;

int rp_analyzer_new(const char *lang, rp_analyzer **out)
{
    *out = NULL;
    if (lang == NULL)
        return RP_EINVAL;
    rp_analyzer *a = calloc(1, sizeof *a);
    if (a == NULL)
        return RP_ENOMEM;
    int rc = rp_stemmer_new(lang, &a->stemmer);
    if (rc != 0) {
        free(a);
        return rc;
    }
    a->stops = rp_stoplist_get(rp_stemmer_lang(a->stemmer));
    *out = a;
    return 0;
}

void rp_analyzer_free(rp_analyzer *a)
{
    if (a == NULL)
        return;
    rp_stemmer_free(a->stemmer);
    free(a);
}

const char *rp_analyzer_lang(const rp_analyzer *a)
{
    return rp_stemmer_lang(a->stemmer);
}

/* Stems the queued tokens and hands them on, in order. */
static int drain(pass *p)
{
    int rc = 0;
    size_t n = p->n;
    p->n = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i + PREFETCH_AHEAD < n) {
            const rp_token *ahead = &p->tok[i + PREFETCH_AHEAD];
            if (!(ahead->flags & RP_TOK_NUMBER))
                rp_stem_prefetch(p->a->stemmer, ahead->term, ahead->term_len);
        }
        rp_token t = p->tok[i];
        if (!(t.flags & RP_TOK_NUMBER))
            rc = rp_stem(p->a->stemmer, p->tok[i].term, p->tok[i].term_len,
                         &t.term, &t.term_len);
        if (rc == 0)
            rc = p->cb(p->ctx, &t);
    }
    return rc;
}

static int on_token(void *ctx, const rp_token *tok)
{
    pass *p = ctx;
    if (!(p->flags & RP_ANALYZE_STOPWORDS) &&
        rp_stoplist_has(p->a->stops, tok->term, tok->term_len))
        return 0;
    if (tok->term_len > RP_TERM_MAX_BYTES)
        return RP_EINVAL; /* the tokenizer promises otherwise */
    rp_token *q = &p->tok[p->n];
    *q = *tok;
    memcpy(p->bytes[p->n], tok->term, tok->term_len);
    q->term = p->bytes[p->n];
    return ++p->n == RUN ? drain(p) : 0;
}

int rp_analyze_flags(rp_analyzer *a, const char *text, size_t len,
                     rp_pos base, unsigned flags, rp_token_cb cb, void *ctx,
                     rp_pos *next_pos)
{
    pass p;
    p.a = a;
    p.cb = cb;
    p.ctx = ctx;
    p.flags = flags;
    p.n = 0;
    int rc = rp_tokenize(text, len, base, on_token, &p, next_pos);
    if (rc == 0)
        rc = drain(&p);
    return rc;
}

int rp_analyze(rp_analyzer *a, const char *text, size_t len, rp_pos base,
               rp_token_cb cb, void *ctx, rp_pos *next_pos)
{
    return rp_analyze_flags(a, text, len, base, 0, cb, ctx, next_pos);
}

int rp_analyzer_stem(rp_analyzer *a, const char *word, size_t len,
                     const char **stem, size_t *stem_len)
{
    return rp_stem(a->stemmer, word, len, stem, stem_len);
}

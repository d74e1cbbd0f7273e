/* SPDX-License-Identifier: MIT */
/*
 * analyze: chains the tokenizer, the stop list and the stemmer into the
 * single analysis path both documents and queries take. It owns its
 * stemmer; the stop list is a static table.
 */
#include "rapport/analyze.h"

#include <stdlib.h>

#include "rapport/error.h"
#include "rapport/stem.h"
#include "rapport/stopwords.h"

struct rp_analyzer {
    rp_stemmer *stemmer;       /* owned */
    const rp_stoplist *stops;  /* static, may be NULL */
};

typedef struct pass {
    rp_analyzer *a;
    rp_token_cb cb;
    void *ctx;
    unsigned flags; /* RP_ANALYZE_* */
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

static int on_token(void *ctx, const rp_token *tok)
{
    pass *p = ctx;
    if (!(p->flags & RP_ANALYZE_STOPWORDS) &&
        rp_stoplist_has(p->a->stops, tok->term, tok->term_len))
        return 0;
    if (tok->flags & RP_TOK_NUMBER)
        return p->cb(p->ctx, tok);
    rp_token t = *tok;
    int rc = rp_stem(p->a->stemmer, tok->term, tok->term_len, &t.term,
                     &t.term_len);
    if (rc != 0)
        return rc;
    return p->cb(p->ctx, &t);
}

int rp_analyze_flags(rp_analyzer *a, const char *text, size_t len,
                     rp_pos base, unsigned flags, rp_token_cb cb, void *ctx,
                     rp_pos *next_pos)
{
    pass p = {a, cb, ctx, flags};
    return rp_tokenize(text, len, base, on_token, &p, next_pos);
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

/* SPDX-License-Identifier: MIT */
/*
 * vocab: synonym rules and concepts over one table of analysed phrases
 * (rapport/phrase.h); rules and concepts refer to phrases by index.
 * Matching is a scan of the rules and concepts against the query's terms,
 * which is cheap for queries of a few dozen terms and a few hundred rules.
 */
#include "rapport/vocab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/buf.h"
#include "internal.h"
#include "rapport/error.h"
#include "rapport/schema.h"

/* Word evidence (see rp_vocab_concepts): a concept counts when the idf sum
 * of the query stems it uses reaches WORDS_MIN (one stem no other concept
 * uses, or two shared by a few) and WORDS_NEAR of the best concept's sum;
 * it then weighs WORDS_SHARE x its sum over the best. */
#ifndef RP_VOCAB_WORDS_MIN
#define RP_VOCAB_WORDS_MIN 3.0
#endif
#ifndef RP_VOCAB_WORDS_NEAR
#define RP_VOCAB_WORDS_NEAR 0.85
#endif
#ifndef RP_VOCAB_WORDS_SHARE
#define RP_VOCAB_WORDS_SHARE 4.0
#endif

typedef struct concept {
    int kind;                    /* 0 concern, 1 approach */
    size_t id_off, label_off;    /* NUL-terminated strings in v->bytes */
    size_t match_off, match_len; /* normalised facet value in v->bytes */
    size_t ph_off, nph;          /* phrase indices in v->refs */
    size_t parent_off[RP_VOCAB_MAX_PARENTS]; /* parent ids, unresolved */
    size_t nparents;
    size_t parent[RP_VOCAB_MAX_PARENTS];     /* resolved indices */
    size_t word_off, nwords;     /* its distinct stems in v->words */
} concept;

/* A distinct stem of a concept's phrases, with its idf over concepts. */
typedef struct cword {
    size_t ph, t;                /* the stem: term t of phrase ph */
    double idf;
} cword;

typedef struct rule {
    int one_way;
    size_t from_off, nfrom;      /* phrase indices in v->refs */
    size_t to_off, nto;
} rule;

struct rp_vocab {
    rp_analyzer *an; /* borrowed, for building */
    rp_buf bytes;    /* texts and stems */
    rp_phrases *phrases; /* every phrase of rules and concepts */
    size_t *refs;    /* phrase indices used by rules */
    size_t nrefs, caprefs;
    rule *rules;
    size_t nrules, caprules;
    concept *concepts;
    size_t nconcepts, capconcepts;
    cword *words;    /* per concept, filled by rp_vocab_resolve */
    size_t nwords, capwords;
};

int rp_vocab_new(rp_analyzer *an, rp_vocab **out)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return RP_ENOMEM;
    (*out)->an = an;
    if (rp_phrases_new(an, 0, &(*out)->phrases) != 0) {
        free(*out);
        *out = NULL;
        return RP_ENOMEM;
    }
    return 0;
}

void rp_vocab_free(rp_vocab *v)
{
    if (v == NULL)
        return;
    rp_buf_fini(&v->bytes);
    rp_phrases_free(v->phrases);
    free(v->refs);
    free(v->rules);
    free(v->concepts);
    free(v->words);
    free(v);
}

static int add_refs(rp_vocab *v, const char *const *texts, size_t n,
                    size_t *off, size_t *count)
{
    *off = v->nrefs;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t idx;
        int rc = rp_phrases_intern(v->phrases, texts[i], strlen(texts[i]),
                                   &idx);
        if (rc != 0)
            return rc;
        if (idx == SIZE_MAX)
            continue;
        if ((rc = rp__grow((void **)&v->refs, &v->caprefs, v->nrefs + 1,
                       sizeof(size_t))) != 0)
            return rc;
        v->refs[v->nrefs++] = idx;
        ++*count;
    }
    return 0;
}

int rp_vocab_add_rule(rp_vocab *v, int one_way, const char *const *from,
                      size_t nfrom, const char *const *to, size_t nto)
{
    rule r;
    memset(&r, 0, sizeof r);
    r.one_way = one_way;
    int rc = add_refs(v, from, nfrom, &r.from_off, &r.nfrom);
    if (rc == 0 && one_way)
        rc = add_refs(v, to, nto, &r.to_off, &r.nto);
    if (rc == 0)
        rc = rp__grow((void **)&v->rules, &v->caprules, v->nrules + 1,
                  sizeof(rule));
    if (rc == 0)
        v->rules[v->nrules++] = r;
    return rc;
}

size_t rp_vocab_nrules(const rp_vocab *v)
{
    return v->nrules;
}

static int mark_phrase(void *ctx, size_t phrase, unsigned first,
                       unsigned last)
{
    unsigned char *marks = ctx;
    (void)first;
    (void)last;
    marks[phrase] = 1;
    return 0;
}

/* Marks (1) the phrases occurring in q, in stack (cap bytes) when it is
 * large enough, else in a new array the caller frees (*marks != stack). */
static int phrase_marks(const rp_vocab *v, const rp_vterm *q, size_t n,
                        unsigned char *stack, size_t cap,
                        unsigned char **marks)
{
    size_t np = rp_phrases_count(v->phrases);
    *marks = stack;
    if (np > cap && (*marks = calloc(np, 1)) == NULL)
        return RP_ENOMEM;
    if (*marks == stack)
        memset(stack, 0, np);
    return rp_phrases_scan(v->phrases, q, n, mark_phrase, *marks);
}

int rp_vocab_expand(const rp_vocab *v, const rp_vterm *q, size_t n,
                    rp_vocab_alt_cb cb, void *ctx)
{
    /* Each phrase is added once and never when the query has it (marked
     * 1 when present, 2 once added). */
    unsigned char stack[1024], *seen;
    int rc = phrase_marks(v, q, n, stack, sizeof stack, &seen);
    for (size_t r = 0; r < v->nrules && rc == 0; r++) {
        const rule *ru = &v->rules[r];
        int hit = 0;
        for (size_t i = 0; i < ru->nfrom && !hit; i++)
            hit = seen[v->refs[ru->from_off + i]] == 1;
        if (!hit)
            continue;
        size_t off = ru->one_way ? ru->to_off : ru->from_off;
        size_t cnt = ru->one_way ? ru->nto : ru->nfrom;
        for (size_t i = 0; i < cnt && rc == 0; i++) {
            size_t p = v->refs[off + i];
            if (seen[p])
                continue;
            seen[p] = 2;
            size_t len;
            const char *text = rp_phrases_text(v->phrases, p, &len);
            rc = cb(ctx, text, len);
        }
    }
    if (seen != stack)
        free(seen);
    return rc;
}

/* Keeps a NUL-terminated copy of s in v->bytes; returns its offset. */
static int keep_str(rp_vocab *v, const char *s, size_t len, size_t *off)
{
    *off = v->bytes.len;
    int rc = rp_buf_append(&v->bytes, s, len);
    if (rc == 0)
        rc = rp_buf_append(&v->bytes, "", 1);
    return rc;
}

int rp_vocab_add_concept(rp_vocab *v, int kind, const char *id,
                         const char *label, const char *match,
                         const char *const *phrases, size_t n,
                         const char *const *parents, size_t nparents)
{
    /* Ids are facet values as they stand (lower case, no spaces), so the
     * concepts facet and rp_vocab_find use them unchanged. */
    size_t idlen = strlen(id);
    if (idlen == 0 || idlen > RP_FACET_VALUE_MAX)
        return RP_EINVAL;
    for (size_t i = 0; i < idlen; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') ||
              id[i] == '-'))
            return RP_EINVAL;
    for (size_t i = 0; i < v->nconcepts; i++)
        if (strcmp(rp_vocab_id(v, i), id) == 0)
            return RP_EINVAL;
    concept c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    char norm[RP_FACET_VALUE_MAX];
    c.match_len = rp_schema_facet_value(match, strlen(match), norm);
    if (c.match_len == 0)
        return RP_EINVAL; /* empty, or too long for a facet value */
    int rc = keep_str(v, id, strlen(id), &c.id_off);
    if (rc == 0)
        rc = keep_str(v, label, strlen(label), &c.label_off);
    if (rc == 0)
        rc = keep_str(v, norm, c.match_len, &c.match_off);
    for (size_t i = 0; rc == 0 && i < nparents && i < RP_VOCAB_MAX_PARENTS;
         i++) {
        rc = keep_str(v, parents[i], strlen(parents[i]), &c.parent_off[i]);
        c.nparents = i + 1;
    }
    if (rc == 0)
        rc = add_refs(v, phrases, n, &c.ph_off, &c.nph);
    if (rc == 0)
        rc = rp__grow((void **)&v->concepts, &v->capconcepts,
                      v->nconcepts + 1, sizeof(concept));
    if (rc == 0)
        v->concepts[v->nconcepts++] = c;
    return rc;
}

static int same_stem(const rp_vocab *v, const cword *w, const char *s,
                     size_t len)
{
    size_t wlen;
    const char *stem = rp_phrases_term(v->phrases, w->ph, w->t, &wlen);
    return wlen == len && memcmp(stem, s, len) == 0;
}

/* The distinct stem of concept c equal to s, or NULL. */
static const cword *concept_word(const rp_vocab *v, const concept *c,
                                 const char *s, size_t len)
{
    for (size_t i = 0; i < c->nwords; i++)
        if (same_stem(v, &v->words[c->word_off + i], s, len))
            return &v->words[c->word_off + i];
    return NULL;
}

/* Lists the distinct stems of each concept's phrases and gives each the
 * idf ln(N / df) over the N concepts, df being how many concepts use it:
 * a stem only one concept uses ("hoard") is strong evidence for it, one
 * many use ("feel") weak. Quadratic in the vocabulary's size, which is a
 * few thousand stems, once at load. */
static int index_words(rp_vocab *v)
{
    v->nwords = 0;
    for (size_t i = 0; i < v->nconcepts; i++) {
        concept *c = &v->concepts[i];
        c->word_off = v->nwords;
        c->nwords = 0;
        for (size_t p = 0; p < c->nph; p++) {
            size_t ph = v->refs[c->ph_off + p];
            for (size_t t = 0; t < rp_phrases_nterms(v->phrases, ph); t++) {
                size_t len;
                const char *stem = rp_phrases_term(v->phrases, ph, t, &len);
                if (concept_word(v, c, stem, len))
                    continue;
                int rc = rp__grow((void **)&v->words, &v->capwords,
                                  v->nwords + 1, sizeof(cword));
                if (rc != 0)
                    return rc;
                v->words[v->nwords].ph = ph;
                v->words[v->nwords].t = t;
                v->words[v->nwords].idf = 0;
                v->nwords++;
                c->nwords++;
            }
        }
    }
    for (size_t i = 0; i < v->nwords; i++) {
        size_t len, df = 0;
        const char *stem =
            rp_phrases_term(v->phrases, v->words[i].ph, v->words[i].t, &len);
        for (size_t c = 0; c < v->nconcepts; c++)
            df += concept_word(v, &v->concepts[c], stem, len) != NULL;
        v->words[i].idf = log((double)v->nconcepts / (double)df);
    }
    return 0;
}

int rp_vocab_resolve(rp_vocab *v)
{
    for (size_t i = 0; i < v->nconcepts; i++) {
        concept *c = &v->concepts[i];
        for (size_t p = 0; p < c->nparents; p++) {
            const char *want = (const char *)v->bytes.data + c->parent_off[p];
            size_t j = 0;
            while (j < v->nconcepts && strcmp(rp_vocab_id(v, j), want) != 0)
                j++;
            if (j == v->nconcepts)
                return RP_EDOC;
            c->parent[p] = j;
        }
    }
    return index_words(v);
}

size_t rp_vocab_nconcepts(const rp_vocab *v)
{
    return v->nconcepts;
}

size_t rp_vocab_find(const rp_vocab *v, const char *s, size_t len)
{
    char norm[RP_FACET_VALUE_MAX];
    size_t n = rp_schema_facet_value(s, len, norm);
    if (n == 0)
        return SIZE_MAX;
    for (size_t i = 0; i < v->nconcepts; i++) {
        const concept *c = &v->concepts[i];
        const char *id = rp_vocab_id(v, i);
        if ((c->match_len == n &&
             memcmp(v->bytes.data + c->match_off, norm, n) == 0) ||
            (strlen(id) == n && memcmp(id, norm, n) == 0))
            return i;
    }
    return SIZE_MAX;
}

int rp_vocab_kind(const rp_vocab *v, size_t i)
{
    return v->concepts[i].kind;
}

const char *rp_vocab_id(const rp_vocab *v, size_t i)
{
    return (const char *)v->bytes.data + v->concepts[i].id_off;
}

const char *rp_vocab_label(const rp_vocab *v, size_t i)
{
    return (const char *)v->bytes.data + v->concepts[i].label_off;
}

const char *rp_vocab_match(const rp_vocab *v, size_t i, size_t *len)
{
    *len = v->concepts[i].match_len;
    return (const char *)v->bytes.data + v->concepts[i].match_off;
}

size_t rp_vocab_parents(const rp_vocab *v, size_t i, size_t *out)
{
    const concept *c = &v->concepts[i];
    for (size_t p = 0; p < c->nparents; p++)
        out[p] = c->parent[p];
    return c->nparents;
}

static int cmp_stem(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return alen < blen ? -1 : 1;
    return memcmp(a, b, alen);
}

static int cmp_vterm_ptr(const void *a, const void *b)
{
    const rp_vterm *x = *(const rp_vterm *const *)a;
    const rp_vterm *y = *(const rp_vterm *const *)b;
    return cmp_stem(x->stem, x->len, y->stem, y->len);
}

/* The idf sum of the stems concept c uses that occur among the sorted
 * distinct query stems qs[0..nq): each concept word is looked up once. */
static double word_evidence(const rp_vocab *v, const concept *c,
                            const rp_vterm *const *qs, size_t nq)
{
    double sum = 0;
    for (size_t i = 0; i < c->nwords; i++) {
        const cword *w = &v->words[c->word_off + i];
        size_t len;
        const char *stem = rp_phrases_term(v->phrases, w->ph, w->t, &len);
        size_t lo = 0, hi = nq;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int r = cmp_stem(qs[mid]->stem, qs[mid]->len, stem, len);
            if (r == 0) {
                sum += w->idf;
                break;
            }
            if (r < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return sum;
}

/* Calls cb for the concepts q names: whole phrases, and word evidence
 * when words is set (see rp_vocab_concepts). The query's distinct stems
 * are sorted once, so the cost grows with n log n, not n squared. */
static int concepts(const rp_vocab *v, const rp_vterm *q, size_t n,
                    int words, rp_vocab_concept_hit_cb cb, void *ctx)
{
    const rp_vterm *qstack[256], **qs = qstack;
    double estack[256], *ev = estack;
    unsigned char stack[1024], *occurs = stack;
    int rc = 0;
    if (words && n > 256 && (qs = malloc(n * sizeof *qs)) == NULL)
        rc = RP_ENOMEM;
    if (rc == 0 && words && v->nconcepts > 256 &&
        (ev = malloc(v->nconcepts * sizeof *ev)) == NULL)
        rc = RP_ENOMEM;
    size_t nq = 0;
    double best = 0;
    if (rc == 0 && words) {
        for (size_t i = 0; i < n; i++)
            qs[i] = &q[i];
        qsort(qs, n, sizeof *qs, cmp_vterm_ptr);
        for (size_t i = 0; i < n; i++) /* drop repeats */
            if (nq == 0 || cmp_vterm_ptr(&qs[nq - 1], &qs[i]) != 0)
                qs[nq++] = qs[i];
        for (size_t i = 0; i < v->nconcepts; i++) {
            ev[i] = word_evidence(v, &v->concepts[i], qs, nq);
            if (ev[i] > best)
                best = ev[i];
        }
    }
    if (rc == 0)
        rc = phrase_marks(v, q, n, stack, sizeof stack, &occurs);
    for (size_t i = 0; i < v->nconcepts && rc == 0; i++) {
        const concept *c = &v->concepts[i];
        unsigned count = 0;
        for (size_t p = 0; p < c->nph; p++)
            count += occurs[v->refs[c->ph_off + p]];
        double w = count;
        double e = words ? ev[i] : 0;
        if (words && e >= RP_VOCAB_WORDS_MIN &&
            e >= RP_VOCAB_WORDS_NEAR * best)
            w += RP_VOCAB_WORDS_SHARE * e / best;
        if (w > 0)
            rc = cb(ctx, i, w);
    }
    if (occurs != stack)
        free(occurs);
    if (qs != qstack)
        free(qs);
    if (ev != estack)
        free(ev);
    return rc;
}

int rp_vocab_concepts(const rp_vocab *v, const rp_vterm *q, size_t n,
                      rp_vocab_concept_hit_cb cb, void *ctx)
{
    return concepts(v, q, n, 1, cb, ctx);
}

int rp_vocab_phrase_concepts(const rp_vocab *v, const rp_vterm *q, size_t n,
                             rp_vocab_concept_hit_cb cb, void *ctx)
{
    return concepts(v, q, n, 0, cb, ctx);
}

int rp_vocab_knows(const rp_vocab *v, const char *stem, size_t len)
{
    size_t n = rp_phrases_count(v->phrases);
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < rp_phrases_nterms(v->phrases, i); t++) {
            size_t tl;
            const char *term = rp_phrases_term(v->phrases, i, t, &tl);
            if (tl == len && memcmp(term, stem, len) == 0)
                return 1;
        }
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * match: specialist matching. The text's vocabulary concepts (with a
 * smaller share for their parents) select the specialists who list them,
 * through the concerns and approaches facets; a free-text search over
 * specialists adds text relevance; approaches weigh less than concerns.
 * Score = 0.65 x concept overlap (the share of the query's concept weight
 * the profile lists; for a visitor's words each listed concept counts less
 * the later the profile lists it) + 0.35 x text relevance (BM25F over the
 * best text score). A visitor's words also borrow the tags of the
 * article or question they find best (pseudo-relevance feedback), which
 * covers lay words no phrase of the vocabulary uses. Ordering then follows
 * the site's rules: accepting clients first, 5% relevance bands, a free
 * first consultation first inside a band, and near-ties rotated by a seed.
 */
#include "rapport/match.h"

#include <stdlib.h>
#include <string.h>

#include "rapport/about.h"
#include "rapport/buf.h"
#include "rapport/doc.h"
#include "rapport/docset.h"
#include "rapport/error.h"
#include "rapport/schema.h"

#define MAX_CONCEPTS 64
#ifndef PARENT_SHARE
#define PARENT_SHARE 0.3
#endif
#ifndef W_CONCEPTS
#define W_CONCEPTS 0.65
#endif
#define W_TEXT (1.0 - W_CONCEPTS)
#define BAND 0.05
#define TAG_WEIGHT 2.0        /* a document's own tag, against 1 a phrase */
#ifndef MENTION_WEIGHT
#define MENTION_WEIGHT 1.0    /* a concept its text mentions, as a phrase */
#endif
/* A concept a profile lists at place p (0 first) counts 1 / (1 + FOCUS x
 * p) of its weight, for a visitor's words: profiles name their main work
 * first. Chosen on the odd lines of corpus/eval/match.jsonl (0.2-0.3 tie,
 * 0.35 falls back); not used for a document's concepts, where it cost the
 * pairing eval (see docs/relevance.md). */
#ifndef FOCUS
#define FOCUS 0.25
#endif
/* An approach weighs APPROACH_SHARE of a concern in specialist matching:
 * a text names what troubles someone; the approaches found in it are
 * mostly incidental ("help", "group", "looking" are words of approaches'
 * phrasings), and one named outright still outweighs its concerns.
 * Chosen on the odd lines of the judgements (see docs/relevance.md). */
#ifndef APPROACH_SHARE
#define APPROACH_SHARE 0.35
#endif
/* Pseudo-relevance feedback for a visitor's words: each tag of the article
 * or question their words find best (BM25 over its text) adds
 * FEEDBACK_SHARE (a phrase found weighs 1), when that document shares a
 * concept with the words or they name none; its concepts re-weigh the
 * candidates but never add one. Chosen on the odd lines of the
 * judgements: one document, not three or five; tags, not the concepts its
 * text mentions (see docs/relevance.md). */
#ifndef FEEDBACK_SHARE
#define FEEDBACK_SHARE 0.75
#endif

typedef struct qconcept {
    size_t c;
    double w;
    int own;        /* the text names it (not feedback alone) */
    rp_docset *set; /* specialists listing it */
} qconcept;

typedef struct state {
    const rp_vocab *v;
    qconcept qc[MAX_CONCEPTS];
    size_t n;
    rp_vterms terms;  /* the text's */
    int feedback;     /* 1 while feedback concepts are added */
} state;

static void add_concept(state *s, size_t c, double w)
{
    size_t i = 0;
    while (i < s->n && s->qc[i].c != c)
        i++;
    if (i == s->n) {
        if (s->n == MAX_CONCEPTS)
            return;
        memset(&s->qc[s->n++], 0, sizeof s->qc[i]);
        s->qc[i].c = c;
    }
    s->qc[i].w += w;
    s->qc[i].own |= !s->feedback;
}

static int on_concept(void *ctx, size_t c, double count)
{
    state *s = ctx;
    add_concept(s, c, count);
    size_t par[RP_VOCAB_MAX_PARENTS];
    size_t np = rp_vocab_parents(s->v, c, par);
    for (size_t i = 0; i < np; i++)
        add_concept(s, par[i], PARENT_SHARE * count);
    return 0;
}

void rp_match_opts_init(rp_match_opts *o)
{
    memset(o, 0, sizeof *o);
    rp_search_opts_init(&o->search);
}

void rp_match_results_fini(rp_match_results *r)
{
    if (r == NULL)
        return;
    free(r->hits);
    memset(r, 0, sizeof *r);
}

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

typedef struct ranked {
    rp_match_hit hit;
    long band;
    uint64_t rot;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->hit.accepting != y->hit.accepting)
        return y->hit.accepting - x->hit.accepting;
    if (x->band != y->band)
        return x->band < y->band ? 1 : -1;
    if (x->hit.free != y->hit.free)
        return y->hit.free - x->hit.free;
    if (x->rot != y->rot)
        return x->rot < y->rot ? -1 : 1;
    if (x->hit.score != y->hit.score)
        return x->hit.score < y->hit.score ? 1 : -1;
    return (x->hit.doc > y->hit.doc) - (x->hit.doc < y->hit.doc);
}

static int cmp_qconcept(const void *a, const void *b)
{
    const qconcept *x = a, *y = b;
    return (x->w < y->w) - (x->w > y->w);
}

static int cmp_hit_doc(const void *a, const void *b)
{
    const rp_hit *x = a, *y = b;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

/* The set of documents with value v in facet f (a new set). */
static int facet_set(rp_txn *txn, int f, const char *v, rp_docset **out)
{
    return rp_txn_facet_get(txn, f, v, strlen(v), out);
}

/* Collects the stems of a document's indexed text fields. */
typedef struct doc_words {
    const rp_vterms *q;      /* the text's terms */
    unsigned char *found;    /* per q term: the document uses it */
} doc_words;

static int mark_word(void *ctx, const rp_token *tok)
{
    doc_words *w = ctx;
    for (size_t i = 0; i < w->q->n; i++)
        if (w->q->t[i].len == tok->term_len &&
            memcmp(w->q->t[i].stem, tok->term, tok->term_len) == 0)
            w->found[i] = 1;
    return 0;
}

/* Fills h->words with the words of text (st->terms) that the indexed
 * text of h's document uses too, each once, as the text wrote them. */
static int shared_words(rp_txn *txn, rp_analyzer *an, const state *st,
                        const char *text, rp_match_hit *h)
{
    h->nwords = 0;
    if (st->terms.n == 0)
        return 0;
    const void *rec;
    size_t len;
    rp_doc d;
    rp_doc_init(&d);
    doc_words w = {&st->terms, calloc(st->terms.n, 1)};
    int rc = w.found ? rp_txn_doc_get(txn, h->doc, &rec, &len) : RP_ENOMEM;
    if (rc == 0)
        rc = rp_doc_decode(rec, len, &d);
    for (size_t i = 0; rc == 0 && i < d.nfields; i++)
        if (rp_doc_srcfield(&d.fields[i])->field != RP_FIELD_ANY)
            rc = rp_analyze(an, rp_doc_value(&d, &d.fields[i]),
                            d.fields[i].len, 0, mark_word, &w, NULL);
    for (size_t i = 0; rc == 0 && i < st->terms.n; i++) {
        const rp_vterm *t = &st->terms.t[i];
        size_t wl = t->end - t->start;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = w.found[j] && st->terms.t[j].len == t->len &&
                   memcmp(st->terms.t[j].stem, t->stem, t->len) == 0;
        if (!w.found[i] || seen || wl >= RP_MATCH_WORD_BYTES ||
            h->nwords == RP_MATCH_MAX_WORDS)
            continue;
        memcpy(h->words[h->nwords], text + t->start, wl);
        h->words[h->nwords++][wl] = '\0';
    }
    free(w.found);
    rp_doc_fini(&d);
    return rc;
}

/* What is ranked: specialists under the site's ordering rules, or the
 * articles and questions related to a document (by score alone). */
typedef struct target {
    int related;     /* 0: specialists; 1: articles and questions */
    rp_docid self;   /* related: the document itself, left out */
    int focus;       /* 1: a listed concept counts by its place (FOCUS) */
} target;

/* The candidate set of tg: every stored specialist, or every article
 * and question but the document itself. */
static int target_set(rp_txn *txn, const target *tg, rp_docset **out)
{
    if (!tg->related)
        return facet_set(txn, RP_FACET_TYPE, "specialist", out);
    rp_docset *q = NULL;
    int rc = facet_set(txn, RP_FACET_TYPE, "article", out);
    if (rc == 0)
        rc = facet_set(txn, RP_FACET_TYPE, "question", &q);
    if (rc == 0) {
        rp_docset_or(*out, q);
        rp_docset_remove(*out, tg->self);
    }
    rp_docset_free(q);
    return rc;
}

/* Sets place[i] to the place (0 first) of st->qc[i]'s concept in the
 * concerns or the approaches that document d lists, for the concepts it
 * lists; the others keep their value. A listed value the vocabulary does
 * not know still takes its place. */
static int list_places(rp_txn *txn, const state *st, rp_docid d, size_t *place)
{
    const void *rec;
    size_t len;
    rp_doc doc;
    rp_doc_init(&doc);
    int rc = rp_txn_doc_get(txn, d, &rec, &len);
    if (rc == 0)
        rc = rp_doc_decode(rec, len, &doc);
    size_t next[2] = {0, 0}; /* the next place in concerns, approaches */
    for (size_t f = 0; rc == 0 && f < doc.nfields; f++) {
        const char *name = rp_doc_srcfield(&doc.fields[f])->name;
        int kind = strcmp(name, "concerns") == 0     ? 0
                   : strcmp(name, "approaches") == 0 ? 1
                                                     : -1;
        if (kind < 0)
            continue;
        size_t c = rp_vocab_find(st->v, rp_doc_value(&doc, &doc.fields[f]),
                                 doc.fields[f].len);
        for (size_t i = 0; i < st->n; i++)
            if (st->qc[i].c == c)
                place[i] = next[kind];
        next[kind]++;
    }
    rp_doc_fini(&doc);
    return rc;
}

/* Ranks the targets for the concepts in st and the text relevance of
 * text[0..len); frees nothing of st. */
static int rank(rp_txn *txn, rp_analyzer *an, state *st, const char *text,
                size_t len, const target *tg, const rp_match_opts *opts,
                rp_match_results *out)
{
    const rp_vocab *vocab = st->v;
    const rp_search_opts *so0 = &opts->search;
    size_t limit = so0->limit ? so0->limit : 10;
    uint32_t *ids = NULL; /* every candidate, once they are known */
    ranked *rk = NULL;
    rp_docset *cand = NULL, *targets = NULL, *acc = NULL, *fre = NULL;
    rp_docset *allow = NULL;
    rp_results tr;
    memset(&tr, 0, sizeof tr);
    int rc = 0;
    double wsum = 0;
    if (!tg->related)
        for (size_t i = 0; i < st->n; i++)
            if (rp_vocab_kind(vocab, st->qc[i].c) == 1)
                st->qc[i].w *= APPROACH_SHARE;
    /* Heaviest concepts first: each hit's reasons then come in order and
     * the ones kept are the heaviest. */
    qsort(st->qc, st->n, sizeof st->qc[0], cmp_qconcept);
    if (rc == 0)
        rc = rp_docset_new(&cand);
    if (rc == 0)
        rc = target_set(txn, tg, &targets);
    if (rc == 0 && !tg->related)
        rc = facet_set(txn, RP_FACET_ACCEPTING_CLIENTS, "true", &acc);
    if (rc == 0 && !tg->related)
        rc = facet_set(txn, RP_FACET_FREE_CONSULTATION, "true", &fre);
    for (size_t i = 0; rc == 0 && i < st->n; i++) {
        /* Articles and questions: the concepts filed at index time (tags
         * and mentions), else their tags. Specialists: what they list. */
        if (tg->related) {
            const char *id = rp_vocab_id(vocab, st->qc[i].c);
            rc = facet_set(txn, RP_FACET_CONCEPTS, id, &st->qc[i].set);
            if (rc == 0 && rp_docset_count(st->qc[i].set) > 0) {
                rp_docset_and(st->qc[i].set, targets);
                rp_docset_or(cand, st->qc[i].set);
                wsum += st->qc[i].w;
                continue;
            }
            rp_docset_free(st->qc[i].set);
            st->qc[i].set = NULL;
        }
        size_t mlen;
        const char *m = rp_vocab_match(vocab, st->qc[i].c, &mlen);
        int f = rp_vocab_kind(vocab, st->qc[i].c) == 0 ? RP_FACET_CONCERNS
                                                        : RP_FACET_APPROACHES;
        if (rc == 0)
            rc = rp_txn_facet_get(txn, f, m, mlen, &st->qc[i].set);
        if (rc == 0) {
            rp_docset_and(st->qc[i].set, targets);
            /* Feedback re-weighs candidates; it never adds one. */
            if (st->qc[i].own)
                rp_docset_or(cand, st->qc[i].set);
            wsum += st->qc[i].w;
        }
    }
    /* Text relevance over specialists, with the same filters. */
    rp_search_opts so = *so0;
    so.type = tg->related ? RP_DOC_NONE : RP_DOC_SPECIALIST;
    so.allow = NULL;
    if (rc == 0 && tg->related) {
        /* Text relevance among the targets only (and the filters). */
        if ((rc = rp_docset_new(&allow)) == 0) {
            rp_docset_or(allow, targets);
            if (so0->allow)
                rp_docset_and(allow, so0->allow);
            so.allow = allow;
        }
    }
    so.limit = RP_MATCH_CANDIDATES;
    so.offset = 0;
    so.count = 0;
    so.matched = NULL;
    if (rc == 0)
        rc = rp_search_text(txn, an, text, len, &so, &tr);
    double tmax = 0;
    for (size_t i = 0; rc == 0 && i < tr.nhits; i++) {
        rp_docset_add(cand, tr.hits[i].doc);
        if (tr.hits[i].score > tmax)
            tmax = tr.hits[i].score;
    }
    if (rc == 0 && so0->allow)
        rp_docset_and(cand, so0->allow);
    if (rc == 0)
        qsort(tr.hits, tr.nhits, sizeof *tr.hits, cmp_hit_doc);
    size_t nc = rc == 0 ? (size_t)rp_docset_count(cand) : 0;
    if (rc == 0 && ((ids = malloc((nc ? nc : 1) * sizeof *ids)) == NULL ||
                    (rk = malloc((nc ? nc : 1) * sizeof *rk)) == NULL))
        rc = RP_ENOMEM;
    if (rc == 0)
        nc = rp_docset_list(cand, ids, nc);
    size_t nr = 0;
    for (size_t k = 0; rc == 0 && k < nc; k++) {
        rp_docid d = ids[k];
        if (so0->budget) {
            rp_fees f;
            if ((rc = rp_txn_fees_get(txn, d, &f)) != 0)
                break;
            if (!f.known || f.min > so0->budget->max ||
                f.max < so0->budget->min)
                continue;
        }
        ranked *r = &rk[nr];
        memset(r, 0, sizeof *r);
        /* Profiles name their main concerns and approaches first: with
         * focus, the fifth of five counts less than the first. */
        size_t place[MAX_CONCEPTS];
        int listed = 0;
        for (size_t i = 0; i < st->n; i++) {
            place[i] = 0;
            listed |= rp_docset_contains(st->qc[i].set, d);
        }
        if (listed && tg->focus && (rc = list_places(txn, st, d, place)) != 0)
            break;
        double c = 0;
        for (size_t i = 0; i < st->n; i++) {
            if (!rp_docset_contains(st->qc[i].set, d))
                continue;
            c += st->qc[i].w / (1.0 + FOCUS * (double)place[i]);
            if (r->hit.nreasons < RP_MATCH_MAX_REASONS) {
                r->hit.reasons[r->hit.nreasons].concept = st->qc[i].c;
                r->hit.reasons[r->hit.nreasons++].weight = st->qc[i].w;
            }
        }
        rp_hit key = {d, 0};
        const rp_hit *th = bsearch(&key, tr.hits, tr.nhits, sizeof *tr.hits,
                                   cmp_hit_doc);
        double t = th && tmax > 0 ? th->score / tmax : 0;
        double score = wsum > 0 ? W_CONCEPTS * c / wsum + W_TEXT * t : t;
        if (!(score > 0))
            continue;
        r->hit.doc = d;
        r->hit.score = score;
        if (so0->matched)
            rp_docset_add(so0->matched, d);
        if (!tg->related) {
            r->hit.accepting = rp_docset_contains(acc, d);
            r->hit.free = rp_docset_contains(fre, d);
            r->band = (long)(score / BAND);
            r->rot = mix(((uint64_t)opts->seed << 32) ^ d);
        }
        nr++;
    }
    if (rc == 0) {
        qsort(rk, nr, sizeof *rk, cmp_ranked);
        size_t from = so0->offset < nr ? so0->offset : nr;
        size_t n = nr - from < limit ? nr - from : limit;
        out->hits = malloc((n ? n : 1) * sizeof *out->hits);
        if (out->hits == NULL)
            rc = RP_ENOMEM;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            out->hits[i] = rk[from + i].hit;
            rc = shared_words(txn, an, st, text, &out->hits[i]);
        }
        out->nhits = rc == 0 ? n : 0;
        out->total = nr;
    }
    for (size_t i = 0; i < st->n; i++)
        rp_docset_free(st->qc[i].set);
    rp_docset_free(cand);
    rp_docset_free(targets);
    rp_docset_free(allow);
    rp_docset_free(acc);
    rp_docset_free(fre);
    rp_results_fini(&tr);
    free(rk);
    free(ids);
    return rc;
}

typedef struct feedback {
    state *st;
    size_t tags[MAX_CONCEPTS]; /* the document's tags, as concepts */
    size_t ntags;
} feedback;

static int on_tag(void *ctx, size_t concept, unsigned how)
{
    feedback *fb = ctx;
    (void)how;
    if (fb->ntags < MAX_CONCEPTS)
        fb->tags[fb->ntags++] = concept;
    return 0;
}

/* Adds to st the tags of the article or question that text[0..len) finds
 * best (BM25, with so0's synonyms but not its filters, which are the
 * visitor's choices among specialists), at FEEDBACK_SHARE each, parents
 * at their share, when that document shares a concept with st or st has
 * none: a document about something else, found through one common word,
 * would lead away. Pseudo-relevance feedback, after Rocchio; the
 * document's tags rather than its words. */
static int add_feedback(rp_txn *txn, rp_analyzer *an, state *st,
                        const char *text, size_t len,
                        const rp_search_opts *so0)
{
    rp_docset *docs = NULL, *q = NULL;
    rp_results r;
    memset(&r, 0, sizeof r);
    rp_doc d;
    rp_doc_init(&d);
    feedback fb = {st, {0}, 0};
    int rc = facet_set(txn, RP_FACET_TYPE, "article", &docs);
    if (rc == 0)
        rc = facet_set(txn, RP_FACET_TYPE, "question", &q);
    rp_search_opts so;
    rp_search_opts_init(&so);
    so.vocab = so0->vocab;
    so.limit = 1;
    so.count = 0;
    if (rc == 0) {
        rp_docset_or(docs, q);
        so.allow = docs;
        rc = rp_search_text(txn, an, text, len, &so, &r);
    }
    const void *rec;
    size_t reclen;
    if (rc == 0 && r.nhits > 0 &&
        (rc = rp_txn_doc_get(txn, r.hits[0].doc, &rec, &reclen)) == 0)
        rc = rp_doc_decode(rec, reclen, &d);
    if (rc == 0 && r.nhits > 0)
        rc = rp_about_tags(st->v, &d, on_tag, &fb);
    int agree = st->n == 0;
    for (size_t i = 0; i < fb.ntags && !agree; i++)
        for (size_t j = 0; j < st->n && !agree; j++)
            agree = st->qc[j].c == fb.tags[i];
    st->feedback = 1;
    for (size_t i = 0; rc == 0 && agree && i < fb.ntags; i++)
        rc = on_concept(st, fb.tags[i], FEEDBACK_SHARE);
    st->feedback = 0;
    rp_doc_fini(&d);
    rp_results_fini(&r);
    rp_docset_free(docs);
    rp_docset_free(q);
    return rc;
}

static int check_opts(const rp_match_opts *opts)
{
    const rp_search_opts *so = &opts->search;
    return (so->limit ? so->limit : 10) > 100 ||
                   so->offset > RP_MATCH_CANDIDATES
               ? RP_EINVAL
               : 0;
}

static void free_state(state *st)
{
    if (st == NULL)
        return;
    rp_vterms_fini(&st->terms);
    free(st);
}

int rp_match(rp_txn *txn, rp_analyzer *an, const rp_vocab *vocab,
             const char *text, size_t len, const rp_match_opts *opts,
             rp_match_results *out)
{
    memset(out, 0, sizeof *out);
    int rc = check_opts(opts);
    if (rc != 0)
        return rc;
    state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return RP_ENOMEM;
    st->v = vocab;
    rc = rp_vterms_analyze(an, 0, text, len, &st->terms);
    if (rc == 0 && vocab)
        rc = rp_vocab_concepts(vocab, st->terms.t, st->terms.n, on_concept,
                               st);
    if (rc == 0 && vocab)
        rc = add_feedback(txn, an, st, text, len, &opts->search);
    if (rc == 0)
        rc = rank(txn, an, st, text, len, &(target){0, 0, 1}, opts, out);
    free_state(st);
    if (rc != 0)
        rp_match_results_fini(out);
    return rc;
}

static int on_about(void *ctx, size_t concept, unsigned how)
{
    return on_concept(ctx, concept,
                      (how & RP_ABOUT_TAGGED ? TAG_WEIGHT : 0) +
                          (how & RP_ABOUT_MENTIONED ? MENTION_WEIGHT : 0));
}

/* Ranks tg for what stored document doc is about. */
static int rank_for_doc(rp_txn *txn, rp_analyzer *an, const rp_vocab *vocab,
                        rp_docid doc, const target *tg,
                        const rp_match_opts *opts, rp_match_results *out)
{
    memset(out, 0, sizeof *out);
    int rc = check_opts(opts);
    if (rc != 0)
        return rc;
    const void *rec;
    size_t reclen;
    rp_doc d;
    rp_doc_init(&d);
    rp_buf text = RP_BUF_INIT;
    state *st = calloc(1, sizeof *st);
    rc = st ? rp_txn_doc_get(txn, doc, &rec, &reclen) : RP_ENOMEM;
    if (rc == 0)
        rc = rp_doc_decode(rec, reclen, &d);
    if (rc == 0)
        rc = rp_about_text(&d, &text);
    if (rc == 0) {
        st->v = vocab;
        rc = rp_vterms_analyze(an, 0, (const char *)text.data, text.len,
                               &st->terms);
    }
    if (rc == 0 && vocab)
        rc = rp_vocab_concepts(vocab, st->terms.t, st->terms.n, on_concept,
                               st);
    /* The document's own tags (concerns for a profile) weigh most; the
     * concepts its whole text mentions add a little. */
    if (rc == 0 && vocab)
        rc = rp_about_concepts(vocab, an, &d, on_about, st);
    if (rc == 0)
        rc = rank(txn, an, st, (const char *)text.data, text.len, tg, opts,
                  out);
    free_state(st);
    rp_buf_fini(&text);
    rp_doc_fini(&d);
    if (rc != 0)
        rp_match_results_fini(out);
    return rc;
}

int rp_match_doc(rp_txn *txn, rp_analyzer *an, const rp_vocab *vocab,
                 rp_docid doc, const rp_match_opts *opts,
                 rp_match_results *out)
{
    return rank_for_doc(txn, an, vocab, doc, &(target){0, doc, 0}, opts, out);
}

int rp_match_related(rp_txn *txn, rp_analyzer *an, const rp_vocab *vocab,
                     rp_docid doc, const rp_match_opts *opts,
                     rp_match_results *out)
{
    return rank_for_doc(txn, an, vocab, doc, &(target){1, doc, 0}, opts, out);
}

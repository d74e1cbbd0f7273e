/* SPDX-License-Identifier: MIT */
/*
 * search: query evaluation. The AST (or a bag of words) becomes a tree of
 * nodes: TERM (a posting cursor over LMDB blocks), PHRASE (a conjunction of
 * terms with a position check) and BOOL (MUST / SHOULD / NOT children).
 * Nodes are evaluated document at a time: seek(target) moves a node to its
 * first match >= target, and score() sums BM25F over the matching leaves in
 * a fixed child order, so every evaluation order gives bit-identical
 * scores. A root that is a disjunction runs MaxScore (Turtle and Flood,
 * 1995): children are ordered by score upper bound, and those whose bounds
 * together cannot beat the current k-th score are only probed, never used
 * to generate candidates. All state is allocated per call and freed before
 * returning.
 */
#include "rapport/search.h"

#include <stdlib.h>
#include <string.h>

#include "rapport/error.h"
#include "rapport/spell.h"
#include "internal.h"

#define END UINT32_MAX
#define MAX_TEXT_TERMS 1024  /* distinct terms kept from a text query */
#define MAX_TEXT_TOKENS 4096 /* terms read from a text query at most */
#define MAX_SYN_TERMS 64     /* query terms matched against synonym rules */
#define MAX_SYN_ALTS 16      /* phrases added by synonyms, at most */

enum { N_TERM, N_PHRASE, N_BOOL };

/* The offset of text that no one typed (a synonym's words): never
 * corrected. */
#define NOT_TYPED SIZE_MAX

typedef struct term {
    rp_blockcur cur;
    rp_docid docs[RP_BLOCK_DOCS];
    uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
    uint32_t total[RP_BLOCK_DOCS];
    uint32_t n;      /* postings in the loaded block, 0 when none */
    uint32_t i;      /* current posting in the block */
    int docs_ok;     /* docs decoded for this block (decoded lazily: a
                        block skipped by its bound is never decoded) */
    int tfs_ok;      /* tf and total decoded for this block */
    int bm_ok;       /* bm computed for this block */
    double bm;       /* the most a posting of this block can score */
    rp_poscursor pc;
    rp_pos *pos;     /* positions of the current posting (phrases) */
    uint32_t cappos;
    double idf;
    double qw;       /* query weight: repetitions of the term */
    uint32_t df;     /* documents holding the term (0: none) */
    unsigned mask;   /* fields the term counts in */
    double avg;      /* weighted average length over mask */
} term;

typedef struct node node;
struct node {
    int kind;
    rp_docid doc;     /* current match, END when exhausted */
    double bound;     /* upper bound of score() */
    term *t;          /* N_TERM */
    node **kids;      /* N_PHRASE (terms), N_BOOL */
    int *occur;       /* N_BOOL: rp_qoccur per kid */
    rp_pos *offs;     /* N_PHRASE: query position of each kid */
    size_t nkids;
    int has_must;     /* N_BOOL */
    int has_should;   /* N_BOOL */
};

typedef struct ctx {
    rp_txn *txn;
    rp_analyzer *an;
    const rp_search_opts *o;
    rp_scorer sc;
    rp_docid norms_doc;
    rp_norms norms;
    double wlen_all; /* the norms' weighted length over all fields */
    int rc;          /* sticky: the first error ends the evaluation */
    double qw_scale; /* multiplies the query weight of new terms */
    const struct vterms *syn_query; /* while adding synonyms: the query's
                                       own terms, which score nothing more */
    void **allocs;   /* everything to free at the end */
    size_t nallocs, capallocs;
    term **terms;    /* every term, to close their cursors */
    size_t nterms, capterms;
    /* Typo tolerance: the words corrected by this build of the tree, and
     * the alternatives found per stem, kept across rebuilds (the count
     * pass builds the tree again). Freed by spell_fini, not c_fini. */
    rp_correction *corr;
    size_t ncorr, capcorr;
    struct spell_memo *memo;
    size_t nmemo, capmemo;
} ctx;

typedef struct spell_memo {
    char stem[RP_TERM_MAX_BYTES];
    size_t len;
    rp_spell_alt alts[RP_SPELL_MAX_ALTS];
    size_t n;
} spell_memo;

/* ---- allocation -------------------------------------------------------- */

static void *c_alloc(ctx *c, size_t size)
{
    if (c->rc != 0)
        return NULL;
    if (rp__grow((void **)&c->allocs, &c->capallocs, c->nallocs + 1,
                 sizeof *c->allocs) != 0) {
        c->rc = RP_ENOMEM;
        return NULL;
    }
    void *p = calloc(1, size);
    if (p == NULL) {
        c->rc = RP_ENOMEM;
        return NULL;
    }
    c->allocs[c->nallocs++] = p;
    return p;
}

static void c_fini(ctx *c)
{
    for (size_t i = 0; i < c->nterms; i++) {
        rp_blockcur_close(&c->terms[i]->cur);
        free(c->terms[i]->pos);
    }
    for (size_t i = 0; i < c->nallocs; i++)
        free(c->allocs[i]);
    free(c->allocs);
    free(c->terms);
    c->allocs = NULL;
    c->terms = NULL;
    c->nallocs = c->capallocs = c->nterms = c->capterms = 0;
}

/* doc's field lengths, for scoring (the type is left RP_DOC_NONE: only a
 * type filter reads it, in doc_ok). */
static const rp_norms *norms_of(ctx *c, rp_docid doc)
{
    if (c->norms_doc != doc) {
        int rc = rp_txn_lens_get(c->txn, doc, c->norms.len);
        if (rc != 0 && c->rc == 0)
            c->rc = rc;
        c->norms_doc = doc;
        c->wlen_all = rp_score_wlen(&c->sc, &c->norms, RP_FIELD_ALL_MASK);
    }
    return &c->norms;
}

/* ---- term cursors ------------------------------------------------------ */

static int term_load(term *t)
{
    t->i = 0;
    t->tfs_ok = 0;
    t->docs_ok = 0;
    t->bm_ok = 0;
    if (t->cur.eof) {
        t->n = 0;
        return 0;
    }
    t->n = t->cur.hdr.n;
    rp_poscursor_init(&t->pc, &t->cur.hdr);
    return 0;
}

static int term_docs(ctx *c, term *t)
{
    if (t->docs_ok)
        return 0;
    int rc = rp_block_docs(&t->cur.hdr, t->docs);
    if (rc != 0) {
        c->rc = rc;
        t->n = 0;
        return rc;
    }
    t->docs_ok = 1;
    return 0;
}

/* The document of posting i; the first is known from the block header
 * without decoding. */
static rp_docid term_doc(ctx *c, term *t, uint32_t i)
{
    if (i == 0 && !t->docs_ok)
        return t->cur.hdr.first;
    if (term_docs(c, t) != 0)
        return END;
    return t->docs[i];
}

static int term_tfs(ctx *c, term *t)
{
    if (t->tfs_ok)
        return 0;
    int rc = rp_block_tfs(&t->cur.hdr, t->tf, t->total);
    if (rc != 0) {
        c->rc = rc;
        return rc;
    }
    t->tfs_ok = 1;
    return 0;
}

/* Moves from the current posting to the first one that counts in the
 * term's fields, crossing blocks as needed; sets n->doc. */
static void term_settle(ctx *c, node *n)
{
    term *t = n->t;
    for (;;) {
        if (c->rc != 0) {
            n->doc = END;
            return;
        }
        if (t->i < t->n) {
            if (t->mask == RP_FIELD_ALL_MASK) {
                n->doc = term_doc(c, t, t->i);
                return;
            }
            if (term_tfs(c, t) != 0 || term_docs(c, t) != 0)
                continue;
            for (; t->i < t->n; t->i++) {
                const uint16_t *tf = t->tf + (size_t)t->i * RP_NFIELDS;
                for (int f = 0; f < RP_NFIELDS; f++)
                    if ((t->mask & (1u << f)) && tf[f]) {
                        n->doc = t->docs[t->i];
                        return;
                    }
            }
            continue;
        }
        if (t->cur.eof) {
            n->doc = END;
            return;
        }
        int rc = rp_blockcur_next(&t->cur);
        if (rc != 0)
            c->rc = rc;
        else
            term_load(t);
        if (t->cur.eof)
            t->n = 0;
    }
}

/* Moves a term's block cursor to the first block whose last document is
 * >= target and loads its header (nothing decoded). Returns 0, or the
 * error, which also exhausts the node. */
static int to_block(ctx *c, node *n, rp_docid target)
{
    int rc = rp_blockcur_seek(&n->t->cur, target);
    if (rc != 0) {
        c->rc = rc;
        n->doc = END;
        return rc;
    }
    term_load(n->t);
    return 0;
}

static void term_seek(ctx *c, node *n, rp_docid target)
{
    term *t = n->t;
    if (n->doc >= target)
        return;
    if ((t->n == 0 || t->cur.hdr.last < target) && to_block(c, n, target))
        return;
    if (t->i == 0 && t->n > 0 && target <= t->cur.hdr.first) {
        term_settle(c, n); /* the block's first posting: no decoding */
        return;
    }
    if (t->n > 0 && term_docs(c, t) != 0) {
        n->doc = END;
        return;
    }
    /* Galloping is not worth it within 128 postings: binary search,
     * after a look at the next posting (an OR steps to doc + 1). The
     * search has no branch on the comparisons, which a seek to a random
     * place mispredicts half the time: it narrows [at, at + len] down to
     * the first posting >= target by halving len and moving at by a
     * conditional move. */
    uint32_t lo = t->i, hi = t->n;
    if (lo + 1 < hi && t->docs[lo] < target && t->docs[lo + 1] >= target) {
        t->i = lo + 1;
    } else if (lo < hi) {
        const rp_docid *at = t->docs + lo;
        uint32_t len = hi - lo;
        while (len > 1) {
            uint32_t half = len / 2;
            at = at[half] < target ? at + half : at;
            len -= half;
        }
        t->i = (uint32_t)(at - t->docs) + (*at < target);
    }
    term_settle(c, n);
}

static double term_score(ctx *c, node *n)
{
    term *t = n->t;
    if (term_tfs(c, t) != 0)
        return 0;
    const rp_norms *nm = norms_of(c, n->doc);
    double wlen = t->mask == RP_FIELD_ALL_MASK
                      ? c->wlen_all
                      : rp_score_wlen(&c->sc, nm, t->mask);
    return t->qw * rp_score_bm25f_pre(&c->sc, t->idf,
                                      t->tf + (size_t)t->i * RP_NFIELDS,
                                      wlen, t->avg, t->mask);
}

/* The most a posting of the term's current block can score: from the
 * block's score frontier when the scorer's weights are the defaults, else
 * from its per-field tf and length bounds; never above the term's own
 * bound. Computed once per block, from the header alone. */
static double block_bound(ctx *c, node *n)
{
    term *t = n->t;
    if (!t->bm_ok) {
        const rp_blockhdr *h = &t->cur.hdr;
        double b = rp_score_impacts(&c->sc, t->idf, &h->impacts, t->mask);
        double loose = rp_score_bound(&c->sc, t->idf, &h->bound, &h->lens,
                                      t->mask);
        b = t->qw * (b < loose ? b : loose);
        t->bm = b < n->bound ? b : n->bound;
        t->bm_ok = 1;
    }
    return t->bm;
}

/* Loads the current posting's positions into t->pos; returns the count. */
static uint32_t term_positions(ctx *c, term *t)
{
    if (term_tfs(c, t) != 0)
        return 0;
    uint32_t need = t->total[t->i], got = 0;
    if (need > t->cappos) {
        rp_pos *p = realloc(t->pos, need * sizeof *p);
        if (p == NULL) {
            c->rc = RP_ENOMEM;
            return 0;
        }
        t->pos = p;
        t->cappos = need;
    }
    if (t->pc.next > t->i)
        rp_poscursor_init(&t->pc, &t->cur.hdr);
    int rc = rp_block_positions(&t->pc, t->total, t->i, t->pos, t->cappos,
                                &got);
    if (rc != 0) {
        c->rc = rc;
        return 0;
    }
    return got;
}

/* ---- nodes ------------------------------------------------------------- */

static void n_seek(ctx *c, node *n, rp_docid target);

/* Whether the kids' positions in the current document line up as the
 * phrase's offsets say. The first kid's positions give the candidate
 * starts in increasing order, so the position each other kid needs only
 * grows: one cursor per kid walks its list once (the lists are short: a
 * term's occurrences in one document). */
static int phrase_matches(ctx *c, node *n)
{
    uint32_t counts[RP_QUERY_MAX_NODES], at[RP_QUERY_MAX_NODES];
    for (size_t k = 0; k < n->nkids; k++) {
        counts[k] = term_positions(c, n->kids[k]->t);
        if (counts[k] == 0)
            return 0;
        at[k] = 0;
    }
    const term *first = n->kids[0]->t;
    for (uint32_t j = 0; j < counts[0]; j++) {
        if (first->pos[j] < n->offs[0])
            continue;
        rp_pos base = first->pos[j] - n->offs[0];
        size_t k = 1;
        for (; k < n->nkids; k++) {
            const rp_pos *p = n->kids[k]->t->pos;
            rp_pos want = base + n->offs[k];
            while (at[k] < counts[k] && p[at[k]] < want)
                at[k]++;
            if (at[k] == counts[k])
                return 0; /* later starts need later positions still */
            if (p[at[k]] != want)
                break;
        }
        if (k == n->nkids)
            return 1;
    }
    return 0;
}

/* Moves every kid in kids[] whose occur matches to a common document >=
 * target (leapfrog). Returns the document or END. */
static rp_docid leapfrog(ctx *c, node *n, rp_docid target, int want_occur)
{
    rp_docid d = target;
    for (;;) {
        int agreed = 1;
        for (size_t k = 0; k < n->nkids; k++) {
            if (n->occur && n->occur[k] != want_occur)
                continue;
            n_seek(c, n->kids[k], d);
            if (n->kids[k]->doc == END || c->rc != 0)
                return END;
            if (n->kids[k]->doc > d) {
                d = n->kids[k]->doc;
                agreed = 0;
            }
        }
        if (agreed)
            return d;
    }
}

static void n_seek(ctx *c, node *n, rp_docid target)
{
    if (n->doc != 0 && n->doc >= target)
        return;
    if (n->kind == N_TERM) {
        term_seek(c, n, target);
        return;
    }
    for (;;) {
        rp_docid d;
        if (n->kind == N_PHRASE) {
            d = leapfrog(c, n, target, 0);
        } else if (n->has_must) {
            d = leapfrog(c, n, target, RP_OCCUR_MUST);
        } else {
            d = END;
            for (size_t k = 0; k < n->nkids; k++) {
                if (n->occur[k] != RP_OCCUR_SHOULD)
                    continue;
                n_seek(c, n->kids[k], target);
                if (n->kids[k]->doc < d)
                    d = n->kids[k]->doc;
            }
        }
        if (d == END || c->rc != 0) {
            n->doc = END;
            return;
        }
        int ok = 1;
        if (n->kind == N_PHRASE) {
            ok = phrase_matches(c, n);
        } else {
            for (size_t k = 0; k < n->nkids && ok; k++) {
                if (n->occur[k] != RP_OCCUR_NOT)
                    continue;
                n_seek(c, n->kids[k], d);
                ok = n->kids[k]->doc != d;
            }
        }
        if (c->rc != 0) {
            n->doc = END;
            return;
        }
        if (ok) {
            n->doc = d;
            return;
        }
        if (d == END - 1) {
            n->doc = END;
            return;
        }
        target = d + 1;
    }
}

static double n_score(ctx *c, node *n)
{
    if (n->kind == N_TERM)
        return term_score(c, n);
    double s = 0;
    for (size_t k = 0; k < n->nkids; k++) {
        node *kid = n->kids[k];
        if (n->kind == N_BOOL) {
            if (n->occur[k] == RP_OCCUR_NOT)
                continue;
            if (n->occur[k] == RP_OCCUR_SHOULD && n->has_must)
                n_seek(c, kid, n->doc);
            if (kid->doc != n->doc)
                continue;
        }
        s += n_score(c, kid);
    }
    return s;
}

/* ---- building the tree ------------------------------------------------- */

static node *new_node(ctx *c, int kind, size_t nkids)
{
    node *n = c_alloc(c, sizeof *n);
    if (n == NULL)
        return NULL;
    n->kind = kind;
    if (nkids) {
        n->kids = c_alloc(c, nkids * sizeof *n->kids);
        n->occur = c_alloc(c, nkids * sizeof *n->occur);
        n->offs = c_alloc(c, nkids * sizeof *n->offs);
        if (!n->kids || !n->occur || !n->offs)
            return NULL;
    }
    return n;
}

typedef struct vterms {
    rp_vterm t[MAX_SYN_TERMS];
    char stems[MAX_SYN_TERMS][RP_TERM_MAX_BYTES];
    size_t n;
} vterms;

static int in_query(const vterms *v, const char *s, size_t len)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->t[i].len == len && memcmp(v->t[i].stem, s, len) == 0)
            return 1;
    return 0;
}

static node *new_term(ctx *c, const char *s, size_t len, unsigned mask,
                      double qw)
{
    node *n = new_node(c, N_TERM, 0);
    term *t = n ? c_alloc(c, sizeof *t) : NULL;
    if (t == NULL)
        return NULL;
    if (rp__grow((void **)&c->terms, &c->capterms, c->nterms + 1,
                 sizeof *c->terms) != 0) {
        c->rc = RP_ENOMEM;
        return NULL;
    }
    c->terms[c->nterms++] = t;
    n->t = t;
    t->mask = mask;
    qw *= c->qw_scale;
    if (c->syn_query && in_query(c->syn_query, s, len))
        qw = 0; /* required by the phrase, already scored by the query */
    t->qw = qw;
    t->cur.eof = 1;
    rp_terminfo info;
    int rc = rp_txn_term_get(c->txn, s, len, &info);
    if (rc == RP_ENOTFOUND) {
        n->doc = END; /* no such term: matches nothing */
        return n;
    }
    t->df = info.df;
    t->idf = rp_score_idf(&c->sc, info.df);
    t->avg = rp_score_avglen(&c->sc, mask);
    n->bound = qw * rp_score_bound(&c->sc, t->idf, &info.bound, &info.lens,
                                   mask);
    if (rc == 0)
        rc = rp_blockcur_open(c->txn, s, len, &t->cur);
    if (rc == 0)
        rc = term_load(t);
    if (rc != 0) {
        c->rc = rc;
        return NULL;
    }
    return n;
}

typedef struct tokens {
    char text[RP_QUERY_MAX_NODES][RP_TERM_MAX_BYTES];
    size_t len[RP_QUERY_MAX_NODES];
    rp_pos pos[RP_QUERY_MAX_NODES];
    unsigned flags[RP_QUERY_MAX_NODES];
    size_t start[RP_QUERY_MAX_NODES], end[RP_QUERY_MAX_NODES];
    size_t n;
} tokens;

static int collect(void *ctx_, const rp_token *tok)
{
    tokens *t = ctx_;
    if (t->n == RP_QUERY_MAX_NODES)
        return 0; /* longer texts keep their first terms */
    memcpy(t->text[t->n], tok->term, tok->term_len);
    t->len[t->n] = tok->term_len;
    t->pos[t->n] = tok->pos;
    t->flags[t->n] = tok->flags;
    t->start[t->n] = tok->start;
    t->end[t->n] = tok->end;
    t->n++;
    return 0;
}

static node *phrase_of(ctx *c, const tokens *tk, unsigned mask)
{
    size_t m = 0;
    for (size_t i = 0; i < tk->n; i++)
        m += !(tk->flags[i] & RP_TOK_JOINED);
    if (m == 0)
        return NULL;
    node *n = m > 1 ? new_node(c, N_PHRASE, m) : NULL;
    if (m > 1 && n == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < tk->n; i++) {
        if (tk->flags[i] & RP_TOK_JOINED)
            continue;
        node *t = new_term(c, tk->text[i], tk->len[i], mask, 1.0);
        if (t == NULL)
            return NULL;
        if (m == 1)
            return t;
        n->kids[k] = t;
        n->occur[k] = RP_OCCUR_MUST;
        n->offs[k] = tk->pos[i] - tk->pos[0];
        n->bound += t->bound;
        k++;
    }
    n->nkids = m;
    n->occur = NULL; /* a phrase's kids are all required */
    return n;
}

/* ---- typo tolerance ---------------------------------------------------- */

/* The alternatives of a stem, from the memo or found and remembered. */
static const spell_memo *spell_lookup(ctx *c, const char *typed,
                                      size_t typed_len, const char *stem,
                                      size_t len, uint32_t df)
{
    for (size_t i = 0; i < c->nmemo; i++)
        if (c->memo[i].len == len && memcmp(c->memo[i].stem, stem, len) == 0)
            return &c->memo[i];
    if (rp__grow((void **)&c->memo, &c->capmemo, c->nmemo + 1,
                 sizeof *c->memo) != 0) {
        c->rc = RP_ENOMEM;
        return NULL;
    }
    spell_memo *m = &c->memo[c->nmemo];
    int rc = rp_spell_alternatives(c->txn, c->an, c->o->vocab, typed,
                                   typed_len, stem, len, df, m->alts, &m->n);
    if (rc != 0) {
        c->rc = rc;
        return NULL;
    }
    memcpy(m->stem, stem, len);
    m->len = len;
    c->nmemo++;
    return m;
}

static int note_correction(ctx *c, size_t off, size_t len,
                           const rp_fuzzy_term *best)
{
    for (size_t i = 0; i < c->ncorr; i++)
        if (c->corr[i].off == off)
            return 0;
    if (rp__grow((void **)&c->corr, &c->capcorr, c->ncorr + 1,
                 sizeof *c->corr) != 0)
        return RP_ENOMEM;
    rp_correction *k = &c->corr[c->ncorr++];
    k->off = off;
    k->len = len;
    memcpy(k->term, best->term, best->len);
    k->term_len = best->len;
    return 0;
}

/*
 * The node of one analysed word: its term, and with typo tolerance on and
 * a word that looks misspelled, an OR of the term and its alternatives.
 * typed is the word as written, at offset off of the query text.
 */
static node *word_node(ctx *c, const char *stem, size_t len,
                       const char *typed, size_t typed_len, size_t off,
                       unsigned mask, double qw)
{
    node *t = new_term(c, stem, len, mask, qw);
    if (t == NULL || !c->o->typo)
        return t;
    const spell_memo *m =
        spell_lookup(c, typed, typed_len, stem, len, t->t->df);
    if (m == NULL || m->n == 0)
        return m == NULL ? NULL : t;
    node *b = new_node(c, N_BOOL, m->n + 1);
    if (b == NULL)
        return NULL;
    b->kids[b->nkids++] = t;
    for (size_t i = 0; i < m->n; i++) {
        node *k = new_term(c, m->alts[i].t.term, m->alts[i].t.len, mask,
                           qw * m->alts[i].weight);
        if (k == NULL)
            return NULL;
        b->kids[b->nkids++] = k;
    }
    for (size_t i = 0; i < b->nkids; i++) {
        b->occur[i] = RP_OCCUR_SHOULD;
        b->bound += b->kids[i]->bound;
    }
    b->has_should = 1;
    int rc = note_correction(c, off, typed_len, &m->alts[0].t);
    if (rc != 0) {
        c->rc = rc;
        return NULL;
    }
    return b;
}

typedef struct prefix_scan {
    ctx *c;
    unsigned mask;
    node *bool_;
} prefix_scan;

static int on_prefix_term(void *ctx_, const char *word, size_t len,
                          const rp_terminfo *info)
{
    (void)info;
    prefix_scan *ps = ctx_;
    node *b = ps->bool_;
    if (b->nkids == RP_PREFIX_MAX_TERMS)
        return RP_ELIMIT; /* too broad: the caller asks for more letters */
    node *t = new_term(ps->c, word, len, ps->mask, 1.0);
    if (t == NULL)
        return ps->c->rc ? ps->c->rc : RP_ENOMEM;
    b->kids[b->nkids] = t;
    b->occur[b->nkids] = RP_OCCUR_SHOULD;
    b->nkids++;
    if (t->bound > b->bound)
        b->bound = t->bound; /* prefix terms rarely co-occur: see below */
    return 0;
}

static int first_token(void *ctx_, const rp_token *tok)
{
    tokens *t = ctx_;
    memcpy(t->text[0], tok->term, tok->term_len);
    t->len[0] = tok->term_len;
    t->n = 1;
    return 1;
}

static node *build_prefix(ctx *c, const char *raw, size_t len,
                          unsigned mask)
{
    /* Prefixes are matched against stems by their folded, unstemmed
     * form: "trauma*" finds "trauma", "traumat" ("traumatic") ... */
    tokens *tk = c_alloc(c, sizeof *tk);
    if (tk == NULL)
        return NULL;
    int rc = rp_tokenize(raw, len, 0, first_token, tk, NULL);
    if (rc < 0 && rc != RP_ESTOP) {
        c->rc = rc;
        return NULL;
    }
    if (tk->n == 0)
        return NULL;
    node *b = new_node(c, N_BOOL, RP_PREFIX_MAX_TERMS);
    if (b == NULL)
        return NULL;
    prefix_scan ps = {c, mask, b};
    rc = rp_txn_term_scan(c->txn, tk->text[0], tk->len[0], on_prefix_term,
                          &ps);
    if (rc < 0) {
        c->rc = rc;
        return NULL;
    }
    if (b->nkids == 0)
        return NULL;
    /* The bound of an OR is the sum of its kids' bounds. */
    b->bound = 0;
    for (size_t k = 0; k < b->nkids; k++)
        b->bound += b->kids[k]->bound;
    b->has_should = 1;
    return b;
}

static node *build(ctx *c, const rp_query *q, const rp_qnode *qn);

static node *build_word(ctx *c, const char *raw, size_t len, size_t off,
                        unsigned mask, int is_phrase)
{
    tokens *tk = c_alloc(c, sizeof *tk);
    if (tk == NULL)
        return NULL;
    int rc = rp_analyze(c->an, raw, len, 0, collect, tk, NULL);
    if (rc != 0) {
        c->rc = rc;
        return NULL;
    }
    if (tk->n == 0)
        return NULL;
    if (tk->n == 1 && !is_phrase && off != NOT_TYPED)
        return word_node(c, tk->text[0], tk->len[0], raw + tk->start[0],
                         tk->end[0] - tk->start[0], off + tk->start[0], mask,
                         1.0);
    if (tk->n == 1)
        return new_term(c, tk->text[0], tk->len[0], mask, 1.0);
    size_t joined = tk->n;
    for (size_t i = 0; i < tk->n; i++)
        if (tk->flags[i] & RP_TOK_JOINED)
            joined = i;
    node *ph = phrase_of(c, tk, mask);
    if (is_phrase || joined == tk->n || c->rc != 0)
        return ph;
    /* A compound word: its parts as a phrase, or the parts joined. */
    node *j = new_term(c, tk->text[joined], tk->len[joined], mask, 1.0);
    node *b = new_node(c, N_BOOL, 2);
    if (j == NULL || b == NULL)
        return NULL;
    b->nkids = 0;
    if (ph) {
        b->kids[b->nkids] = ph;
        b->occur[b->nkids++] = RP_OCCUR_SHOULD;
    }
    b->kids[b->nkids] = j;
    b->occur[b->nkids++] = RP_OCCUR_SHOULD;
    b->has_should = 1;
    for (size_t k = 0; k < b->nkids; k++)
        b->bound += b->kids[k]->bound;
    return b;
}

static node *build(ctx *c, const rp_query *q, const rp_qnode *qn)
{
    if (c->rc != 0)
        return NULL;
    const char *text = rp_query_text(q);
    unsigned mask = qn->field == RP_FIELD_ANY ? RP_FIELD_ALL_MASK
                                              : 1u << qn->field;
    if (qn->kind == RP_Q_WORD)
        return qn->prefix ? build_prefix(c, text + qn->off, qn->len, mask)
                          : build_word(c, text + qn->off, qn->len, qn->off,
                                       mask, 0);
    if (qn->kind == RP_Q_PHRASE)
        return build_word(c, text + qn->off, qn->len, qn->off, mask, 1);
    node *b = new_node(c, N_BOOL, qn->nkids ? qn->nkids : 1);
    if (b == NULL)
        return NULL;
    for (size_t i = 0; i < qn->nkids; i++) {
        node *k = build(c, q, qn->kids[i]);
        if (c->rc != 0)
            return NULL;
        if (k == NULL)
            continue; /* only stop words: the clause drops out */
        b->kids[b->nkids] = k;
        b->occur[b->nkids] = qn->kids[i]->occur;
        if (qn->kids[i]->occur == RP_OCCUR_MUST)
            b->has_must = 1;
        if (qn->kids[i]->occur == RP_OCCUR_SHOULD)
            b->has_should = 1;
        if (qn->kids[i]->occur != RP_OCCUR_NOT)
            b->bound += k->bound;
        b->nkids++;
    }
    if (!b->has_must && !b->has_should)
        return NULL; /* nothing positive to match */
    return b;
}

/* ---- top k --------------------------------------------------------------- */

typedef struct heap {
    rp_hit *h;
    size_t n, k;
} heap;

/* a is worse than b: lower score, or equal score and a later docid. */
static int worse(const rp_hit *a, const rp_hit *b)
{
    return a->score < b->score || (a->score == b->score && a->doc > b->doc);
}

static void heap_push(heap *hp, rp_docid doc, double score)
{
    rp_hit x = {doc, score};
    size_t i;
    if (hp->n < hp->k) {
        i = hp->n++;
        while (i > 0 && worse(&x, &hp->h[(i - 1) / 2])) {
            hp->h[i] = hp->h[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        hp->h[i] = x;
        return;
    }
    if (!worse(&hp->h[0], &x))
        return;
    i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const rp_hit *best = &x;
        if (l < hp->n && worse(&hp->h[l], best)) {
            m = l;
            best = &hp->h[l];
        }
        if (r < hp->n && worse(&hp->h[r], best))
            m = r;
        if (m == i)
            break;
        hp->h[i] = hp->h[m];
        i = m;
    }
    hp->h[i] = x;
}

/* The score a candidate must beat, or -1 while the heap is not full. */
static double threshold(const heap *hp)
{
    return hp->n < hp->k ? -1.0 : hp->h[0].score;
}

static int cmp_hits(const void *a, const void *b)
{
    const rp_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

/* The filters: type, allowed set, fee budget (a document without fees
 * never matches a budget). */
static int doc_ok(ctx *c, rp_docid doc)
{
    const rp_search_opts *o = c->o;
    if (o->type != RP_DOC_NONE) {
        rp_norms nm;
        int rc = rp_txn_norms_get(c->txn, doc, &nm);
        if (rc != 0 && c->rc == 0)
            c->rc = rc;
        if (rc != 0 || nm.type != o->type)
            return 0;
    }
    if (o->allow && !rp_docset_contains(o->allow, doc))
        return 0;
    if (o->budget) {
        rp_fees f;
        int rc = rp_txn_fees_get(c->txn, doc, &f);
        if (rc != 0 && c->rc == 0)
            c->rc = rc;
        if (!f.known || f.min > o->budget->max || f.max < o->budget->min)
            return 0;
    }
    return 1;
}

static void run_exhaustive(ctx *c, node *root, heap *hp, uint64_t *total)
{
    for (n_seek(c, root, 1); root->doc != END && c->rc == 0;
         n_seek(c, root, root->doc + 1)) {
        if (!doc_ok(c, root->doc))
            continue;
        ++*total;
        if (c->o->matched)
            rp_docset_add(c->o->matched, root->doc);
        heap_push(hp, root->doc, n_score(c, root));
        if (root->doc == END - 1)
            break;
    }
}

static int cmp_bound(const void *a, const void *b)
{
    const node *x = *(node *const *)a, *y = *(node *const *)b;
    return (x->bound > y->bound) - (x->bound < y->bound);
}

/* Essential terms are walked one posting at a time, and each posting's
 * norms are a cache miss: start loading those of a posting a few places
 * ahead, so they have arrived by the time it is scored. */
#define NORMS_AHEAD 4

static void prefetch_ahead(ctx *c, const node *n)
{
    if (n->kind != N_TERM || !n->t->docs_ok)
        return;
    const term *t = n->t;
    if (t->i + NORMS_AHEAD >= t->n)
        return;
    if (c->o->type != RP_DOC_NONE) /* doc_ok reads the type line too */
        rp_txn_norms_prefetch(c->txn, t->docs[t->i + NORMS_AHEAD]);
    else
        rp_txn_lens_prefetch(c->txn, t->docs[t->i + NORMS_AHEAD]);
}

/* Moves a term's block cursor to the block that may hold target, without
 * decoding: when its current block ends before target, the next block
 * that does not is loaded and the node left unpositioned (doc 0: the next
 * n_seek searches the block from its start). */
static void term_shallow(ctx *c, node *n, rp_docid target)
{
    term *t = n->t;
    if (n->doc == END || (n->doc != 0 && n->doc >= target))
        return;
    if (t->n > 0 && t->cur.hdr.last >= target)
        return;
    if (to_block(c, n, target) == 0)
        n->doc = t->cur.eof ? END : 0;
}

/* What a non-essential kid can add to any document in [d, *upto), for the
 * block-max check; lowers *upto to where that stops holding. A term is
 * brought to the block that may hold d; other kids count their bound. */
static double reach(ctx *c, node *n, rp_docid d, rp_docid *upto)
{
    if (n->kind != N_TERM)
        return n->bound;
    term_shallow(c, n, d);
    if (n->doc == END || c->rc != 0)
        return 0;
    const rp_blockhdr *h = &n->t->cur.hdr;
    rp_docid next = n->doc > d ? n->doc : h->first > d ? h->first : 0;
    if (next != 0) { /* nothing of it in [d, next) */
        if (next < *upto)
            *upto = next;
        return 0;
    }
    if (h->last < *upto)
        *upto = h->last + 1;
    return block_bound(c, n);
}

/* Whether d can still beat theta once the non-essential kids that do not
 * hold it count nothing: held (the essential kids' block bounds at d) plus
 * the reach of those that do. Checked before anything is scored, so a
 * document that only the essential kids hold costs seeks, not its norms
 * and scores. reach[i] is kid i's reach at d and below[i] the sum of
 * reach[0..i). Kids are seeked best bound first, only while the answer is
 * open; the others stay where they are. */
static int presence_beats(ctx *c, node **ess, size_t first,
                          const double *reach, const double *below,
                          double held, double theta, rp_docid d)
{
    double found = held;
    for (size_t i = first; i-- > 0 && found <= theta;) {
        if (found + reach[i] + below[i] <= theta)
            return 0;
        if (reach[i] == 0)
            continue;
        n_seek(c, ess[i], d);
        if (ess[i]->doc == d)
            found += reach[i];
    }
    return found > theta && c->rc == 0;
}

/* MaxScore over the SHOULD kids of a root without MUST kids. */
static void run_maxscore(ctx *c, node *root, heap *hp)
{
    size_t m = 0, nnot = 0;
    node **ess = c_alloc(c, root->nkids * sizeof *ess);
    node **nots = c_alloc(c, root->nkids * sizeof *nots);
    double *ub = c_alloc(c, root->nkids * sizeof *ub);
    double *contrib = c_alloc(c, root->nkids * sizeof *contrib);
    double *reachv = c_alloc(c, root->nkids * sizeof *reachv);
    double *below = c_alloc(c, (root->nkids + 1) * sizeof *below);
    size_t *slot = c_alloc(c, root->nkids * sizeof *slot);
    if (c->rc != 0)
        return;
    for (size_t k = 0; k < root->nkids; k++) {
        if (root->occur[k] == RP_OCCUR_NOT)
            nots[nnot++] = root->kids[k];
        else
            ess[m++] = root->kids[k];
    }
    /* ess sorted by bound; slot maps back to the canonical kid order. */
    qsort(ess, m, sizeof *ess, cmp_bound);
    for (size_t i = 0; i < m; i++) {
        ub[i] = ess[i]->bound + (i ? ub[i - 1] : 0);
        for (size_t k = 0; k < root->nkids; k++)
            if (root->kids[k] == ess[i])
                slot[i] = k;
        n_seek(c, ess[i], 1);
    }
    size_t first = 0; /* ess[first..m) are essential */
    while (c->rc == 0) {
        double theta = threshold(hp);
        while (first < m && ub[first] <= theta)
            first++;
        if (first == m)
            break;
        rp_docid d = END;
        for (size_t i = first; i < m; i++)
            if (ess[i]->doc < d)
                d = ess[i]->doc;
        if (d == END)
            break;
        /* Block-max check: what the kids' current blocks allow every
         * document from d up to the first block end or next candidate
         * (upto). When that cannot beat the threshold, those documents
         * are skipped unscored, and a skipped block is never decoded. */
        rp_docid upto = END;
        double held = 0; /* the block bounds of the essential kids at d */
        for (size_t i = first; i < m; i++) {
            node *e = ess[i];
            if (e->doc != d) {
                if (e->doc < upto)
                    upto = e->doc;
            } else if (e->kind == N_TERM && e->t->n > 0) {
                held += block_bound(c, e);
                if (e->t->cur.hdr.last < upto)
                    upto = e->t->cur.hdr.last + 1;
            } else {
                held += e->bound;
            }
        }
        below[0] = 0;
        for (size_t i = 0; i < first; i++) {
            reachv[i] = reach(c, ess[i], d, &upto);
            below[i + 1] = below[i] + reachv[i];
        }
        double most = below[first] + held;
        if (most <= theta && upto > d) {
            for (size_t i = first; i < m; i++)
                if (ess[i]->doc < upto) {
                    n_seek(c, ess[i], upto);
                    prefetch_ahead(c, ess[i]);
                }
            continue;
        }
        int ok = presence_beats(c, ess, first, reachv, below, held, theta,
                                d) &&
                 doc_ok(c, d);
        for (size_t j = 0; j < nnot && ok; j++) {
            n_seek(c, nots[j], d);
            ok = nots[j]->doc != d;
        }
        if (ok) {
            memset(contrib, 0, root->nkids * sizeof *contrib);
            double partial = 0;
            for (size_t i = first; i < m; i++)
                if (ess[i]->doc == d) {
                    double s = n_score(c, ess[i]);
                    contrib[slot[i]] = s;
                    partial += s;
                }
            /* Probe non-essential kids, best bound first, while the
             * document can still reach the threshold. */
            for (size_t i = first; i-- > 0 && ok;) {
                if (partial + ub[i] <= theta) {
                    ok = 0;
                    break;
                }
                n_seek(c, ess[i], d);
                if (ess[i]->doc == d) {
                    double s = n_score(c, ess[i]);
                    contrib[slot[i]] = s;
                    partial += s;
                }
            }
            if (ok && partial > theta) {
                double score = 0; /* canonical order: bit-identical sums */
                for (size_t k = 0; k < root->nkids; k++)
                    score += contrib[k];
                heap_push(hp, d, score);
            }
        }
        for (size_t i = first; i < m; i++)
            if (ess[i]->doc == d) {
                n_seek(c, ess[i], d == END - 1 ? END : d + 1);
                prefetch_ahead(c, ess[i]);
            }
    }
}

static void run_count(ctx *c, node *root, uint64_t *total)
{
    for (n_seek(c, root, 1); root->doc != END && c->rc == 0;
         n_seek(c, root, root->doc + 1)) {
        if (doc_ok(c, root->doc)) {
            ++*total;
            if (c->o->matched)
                rp_docset_add(c->o->matched, root->doc);
        }
        if (root->doc == END - 1)
            break;
    }
}

void rp_search_opts_init(rp_search_opts *o)
{
    memset(o, 0, sizeof *o);
    o->limit = 10;
    o->count = 1;
    o->synonym_weight = 0.5;
    rp_score_defaults(&o->params);
}

void rp_results_fini(rp_results *r)
{
    if (r == NULL)
        return;
    free(r->hits);
    free(r->corrections);
    memset(r, 0, sizeof *r);
}

typedef node *(*builder)(ctx *c, const void *arg);

static int execute(rp_txn *txn, rp_analyzer *an, const rp_search_opts *opts,
                   builder make, const void *arg, rp_results *out)
{
    memset(out, 0, sizeof *out);
    size_t limit = opts->limit ? opts->limit : 10;
    if (opts->offset > RP_SEARCH_MAX_K || limit > RP_SEARCH_MAX_K - opts->offset)
        return RP_EINVAL;
    ctx c;
    memset(&c, 0, sizeof c);
    c.txn = txn;
    c.an = an;
    c.o = opts;
    c.qw_scale = 1.0;
    rp_stats st;
    int rc = rp_txn_stats(txn, &st);
    if (rc == 0)
        rc = rp_scorer_init(&c.sc, &st, &opts->params);
    if (rc != 0)
        return rc;
    heap hp = {NULL, 0, opts->offset + limit};
    hp.h = malloc(hp.k * sizeof *hp.h);
    if (hp.h == NULL)
        return RP_ENOMEM;
    node *root = make(&c, arg);
    size_t ncorr = c.ncorr;
    uint64_t total = 0;
    int pruned = 0;
    if (root != NULL && c.rc == 0) {
        if (!opts->exhaustive && root->kind == N_BOOL && !root->has_must) {
            run_maxscore(&c, root, &hp);
            pruned = 1;
        } else {
            run_exhaustive(&c, root, &hp, &total);
        }
    }
    if (pruned && (opts->count || opts->matched) && c.rc == 0) {
        c_fini(&c);
        c.norms_doc = 0;
        c.ncorr = 0;
        root = make(&c, arg);
        if (root != NULL && c.rc == 0)
            run_count(&c, root, &total);
    }
    rc = c.rc;
    c_fini(&c);
    free(c.memo);
    if (rc != 0) {
        free(hp.h);
        free(c.corr);
        return rc;
    }
    out->corrections = c.corr;
    out->ncorrections = ncorr;
    qsort(hp.h, hp.n, sizeof *hp.h, cmp_hits);
    size_t skip = opts->offset < hp.n ? opts->offset : hp.n;
    memmove(hp.h, hp.h + skip, (hp.n - skip) * sizeof *hp.h);
    out->hits = hp.h;
    out->nhits = hp.n - skip;
    int exact = !pruned || opts->count || opts->matched;
    out->total = exact ? total : hp.n;
    out->total_exact = exact;
    return 0;
}

/* ---- synonyms --------------------------------------------------------- */


static int to_vterm(void *ctx_, const rp_token *tok)
{
    vterms *v = ctx_;
    if (v->n == MAX_SYN_TERMS)
        return RP_ESTOP;
    memcpy(v->stems[v->n], tok->term, tok->term_len);
    v->t[v->n].stem = v->stems[v->n];
    v->t[v->n].len = tok->term_len;
    v->t[v->n].pos = tok->pos;
    v->n++;
    return 0;
}

typedef struct expansion {
    ctx *c;
    node **alts;
    size_t n, cap;
} expansion;

static int on_alt(void *ctx_, const char *text, size_t len)
{
    expansion *e = ctx_;
    if (e->n == e->cap)
        return 0; /* enough alternatives */
    node *k = build_word(e->c, text, len, NOT_TYPED, RP_FIELD_ALL_MASK, 0);
    if (e->c->rc != 0)
        return e->c->rc;
    if (k != NULL)
        e->alts[e->n++] = k;
    return 0;
}

/* Adds, beside a disjunction root, the phrases the synonym rules add for
 * text, at the synonym weight. Returns the (new) root. */
static node *expand(ctx *c, node *root, const char *text, size_t len)
{
    const rp_search_opts *o = c->o;
    if (o->vocab == NULL || root == NULL || root->kind != N_BOOL ||
        root->has_must || !(o->synonym_weight > 0))
        return root;
    vterms *vt = c_alloc(c, sizeof *vt);
    expansion e = {c, c_alloc(c, MAX_SYN_ALTS * sizeof(node *)), 0,
                   MAX_SYN_ALTS};
    if (vt == NULL || e.alts == NULL)
        return NULL;
    int rc = rp_analyze(c->an, text, len, 0, to_vterm, vt, NULL);
    if (rc != 0 && rc != RP_ESTOP) {
        c->rc = rc;
        return NULL;
    }
    c->qw_scale = o->synonym_weight;
    c->syn_query = vt;
    rc = rp_vocab_expand(o->vocab, vt->t, vt->n, on_alt, &e);
    c->qw_scale = 1.0;
    c->syn_query = NULL;
    if (rc != 0) {
        c->rc = rc;
        return NULL;
    }
    if (e.n == 0)
        return root;
    node *b = new_node(c, N_BOOL, root->nkids + e.n);
    if (b == NULL)
        return NULL;
    for (size_t k = 0; k < root->nkids; k++) {
        b->kids[k] = root->kids[k];
        b->occur[k] = root->occur[k];
    }
    b->nkids = root->nkids;
    b->bound = root->bound;
    for (size_t k = 0; k < e.n; k++) {
        b->kids[b->nkids] = e.alts[k];
        b->occur[b->nkids++] = RP_OCCUR_SHOULD;
        b->bound += e.alts[k]->bound;
    }
    b->has_should = 1;
    return b;
}

static node *make_query(ctx *c, const void *arg)
{
    const rp_query *q = arg;
    if (rp_query_root(q)->occur == RP_OCCUR_NOT)
        return NULL; /* "NOT a" alone excludes without including anything */
    node *root = build(c, q, rp_query_root(q));
    if (root == NULL || root->kind == N_BOOL)
        return root;
    /* Give a lone leaf a BOOL parent so a disjunction root is uniform. */
    node *b = new_node(c, N_BOOL, 1);
    if (b == NULL)
        return NULL;
    b->kids[0] = root;
    b->occur[0] = RP_OCCUR_SHOULD;
    b->nkids = 1;
    b->has_should = 1;
    b->bound = root->bound;
    return b;
}

/* A plain query (no operators) also gets its synonyms. */
static node *make_query_syn(ctx *c, const void *arg)
{
    const rp_query *q = arg;
    node *root = make_query(c, arg);
    if (rp_query_structured(q))
        return root;
    const char *text = rp_query_text(q);
    return expand(c, root, text, strlen(text));
}

int rp_search(rp_txn *txn, rp_analyzer *an, const rp_query *q,
              const rp_search_opts *opts, rp_results *out)
{
    return execute(txn, an, opts, make_query_syn, q, out);
}

typedef struct text_arg {
    const char *text;
    size_t len;
} text_arg;

typedef struct bag {
    char (*term)[RP_TERM_MAX_BYTES];
    size_t *len;
    unsigned *count;
    size_t *start, *end; /* where the term was first written */
    size_t n;
    size_t seen; /* tokens read */
} bag;

static int to_bag(void *ctx_, const rp_token *tok)
{
    bag *b = ctx_;
    /* A pasted essay is searched by its first terms: this bounds the
     * quadratic de-duplication below and the query's cost. */
    if (++b->seen > MAX_TEXT_TOKENS)
        return RP_ESTOP;
    for (size_t i = 0; i < b->n; i++)
        if (b->len[i] == tok->term_len &&
            memcmp(b->term[i], tok->term, tok->term_len) == 0) {
            b->count[i]++;
            return 0;
        }
    if (b->n == MAX_TEXT_TERMS)
        return 0;
    memcpy(b->term[b->n], tok->term, tok->term_len);
    b->len[b->n] = tok->term_len;
    b->count[b->n] = 1;
    b->start[b->n] = tok->start;
    b->end[b->n] = tok->end;
    b->n++;
    return 0;
}

static node *make_text(ctx *c, const void *arg)
{
    const text_arg *ta = arg;
    bag b;
    b.term = c_alloc(c, MAX_TEXT_TERMS * sizeof *b.term);
    b.len = c_alloc(c, MAX_TEXT_TERMS * sizeof *b.len);
    b.count = c_alloc(c, MAX_TEXT_TERMS * sizeof *b.count);
    b.start = c_alloc(c, MAX_TEXT_TERMS * sizeof *b.start);
    b.end = c_alloc(c, MAX_TEXT_TERMS * sizeof *b.end);
    b.n = 0;
    b.seen = 0;
    if (c->rc != 0)
        return NULL;
    int rc = rp_analyze(c->an, ta->text, ta->len, 0, to_bag, &b, NULL);
    if (rc == RP_ESTOP)
        rc = 0;
    if (rc != 0) {
        c->rc = rc;
        return NULL;
    }
    if (b.n == 0)
        return NULL;
    node *root = new_node(c, N_BOOL, b.n);
    if (root == NULL)
        return NULL;
    for (size_t i = 0; i < b.n; i++) {
        node *t = word_node(c, b.term[i], b.len[i], ta->text + b.start[i],
                            b.end[i] - b.start[i], b.start[i],
                            RP_FIELD_ALL_MASK, b.count[i]);
        if (t == NULL)
            return NULL;
        root->kids[root->nkids] = t;
        root->occur[root->nkids++] = RP_OCCUR_SHOULD;
        root->bound += t->bound;
    }
    root->has_should = 1;
    return expand(c, root, ta->text, ta->len);
}

int rp_search_text(rp_txn *txn, rp_analyzer *an, const char *text,
                   size_t len, const rp_search_opts *opts, rp_results *out)
{
    text_arg ta = {text, len};
    return execute(txn, an, opts, make_text, &ta, out);
}

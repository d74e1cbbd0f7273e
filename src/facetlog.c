/* SPDX-License-Identifier: MIT */
/*
 * facetlog: the facet changes of one commit. Documents are filed as they
 * are stored or removed; each facet value's additions and removals are
 * collected in memory as document sets, then applied to the stored sets
 * in one pass (rp__facetlog_apply). Fees are written as documents are
 * filed. When the index holds a vocabulary, a document added is also filed
 * under the concepts it is about (facet 10).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rapport/about.h"
#include "rapport/docset.h"
#include "rapport/json.h"
#include "rapport/schema.h"
#include "rapport/vocab.h"

/* Changes to one facet value's set. */
typedef struct delta {
    int facet;
    char v[RP_FACET_VALUE_MAX];
    size_t len;
    rp_docset *add; /* owned, NULL until needed */
    rp_docset *del; /* owned, NULL until needed */
} delta;

struct rp__facetlog {
    delta *d;          /* owned */
    size_t n, cap;
    rp_docid doc;      /* the document being filed */
    int removing;      /* filing a removal */
    rp_vocab *vocab;   /* owned; NULL: no concepts facet */
    rp_analyzer *an;   /* borrowed, for the vocabulary's phrases */
    rp_docset *gone;   /* owned: documents removed, NULL until one is */
};

void rp__facetlog_free(rp__facetlog *fl)
{
    if (fl == NULL)
        return;
    for (size_t i = 0; i < fl->n; i++) {
        rp_docset_free(fl->d[i].add);
        rp_docset_free(fl->d[i].del);
    }
    free(fl->d);
    rp_vocab_free(fl->vocab);
    rp_docset_free(fl->gone);
    free(fl);
}

int rp__facetlog_new(rp_txn *t, rp_analyzer *an, rp__facetlog **out)
{
    *out = NULL;
    rp__facetlog *fl = calloc(1, sizeof *fl);
    if (fl == NULL)
        return RP_ENOMEM;
    fl->an = an;
    int rc = rp_json_index_vocab(t, an, &fl->vocab);
    if (rc != 0) {
        rp__facetlog_free(fl);
        return rc;
    }
    *out = fl;
    return 0;
}

static int on_facet(void *ctx, int facet, const char *v, size_t len)
{
    rp__facetlog *fl = ctx;
    delta *e = NULL;
    /* A batch touches few distinct values: search from the most recent. */
    for (size_t i = fl->n; i-- > 0;)
        if (fl->d[i].facet == facet && fl->d[i].len == len &&
            memcmp(fl->d[i].v, v, len) == 0) {
            e = &fl->d[i];
            break;
        }
    if (e == NULL) {
        if (rp__grow((void **)&fl->d, &fl->cap, fl->n + 1, sizeof *fl->d) != 0)
            return RP_ENOMEM;
        e = &fl->d[fl->n++];
        memset(e, 0, sizeof *e);
        e->facet = facet;
        memcpy(e->v, v, len);
        e->len = len;
    }
    rp_docset **set = fl->removing ? &e->del : &e->add;
    if (*set == NULL && rp_docset_new(set) != 0)
        return RP_ENOMEM;
    rp_docset_add(*set, fl->doc);
    return 0;
}

static int on_concept(void *ctx, size_t concept, unsigned how)
{
    rp__facetlog *fl = ctx;
    (void)how;
    const char *id = rp_vocab_id(fl->vocab, concept);
    char norm[RP_FACET_VALUE_MAX];
    size_t n = rp_schema_facet_value(id, strlen(id), norm);
    return n ? on_facet(fl, RP_FACET_CONCEPTS, norm, n) : 0;
}

int rp__facetlog_file(rp__facetlog *fl, rp_txn *t, const rp_doc *d,
                      rp_docid doc, int removing)
{
    rp_fees fees;
    fl->doc = doc;
    fl->removing = removing;
    int rc = rp_json_facets(d, on_facet, fl, &fees);
    /* A document's concepts are found again when it is added. When it
     * goes, it leaves every concept's set (rp__facetlog_apply), so that a
     * vocabulary changed since cannot leave it behind in one. */
    if (rc == 0 && fl->vocab && !removing)
        rc = rp_about_concepts(fl->vocab, fl->an, d, on_concept, fl);
    if (rc == 0 && removing) {
        if (fl->gone == NULL)
            rc = rp_docset_new(&fl->gone);
        if (rc == 0)
            rp_docset_add(fl->gone, doc);
    }
    if (rc == 0 && (fees.known || removing)) {
        if (removing)
            fees.known = 0;
        rc = rp_txn_fees_put(t, doc, &fees);
    }
    return rc;
}

void rp__facetlog_unfile(rp__facetlog *fl, const rp_docset *docs)
{
    for (size_t i = 0; i < fl->n; i++)
        if (fl->d[i].add)
            rp_docset_andnot(fl->d[i].add, docs);
}

typedef struct concept_value {
    char v[RP_FACET_VALUE_MAX];
    size_t len;
} concept_value;

typedef struct concept_values {
    const rp_docset *gone; /* the documents removed */
    concept_value *v;      /* the values whose sets hold some of them */
    size_t n, cap;
} concept_values;

static int collect_value(void *ctx, const char *v, size_t len,
                         const rp_docset *set)
{
    concept_values *cv = ctx;
    if (rp_docset_and_count(set, cv->gone) == 0)
        return 0;
    if (len > RP_FACET_VALUE_MAX)
        return RP_ECORRUPT;
    if (rp__grow((void **)&cv->v, &cv->cap, cv->n + 1, sizeof *cv->v) != 0)
        return RP_ENOMEM;
    memcpy(cv->v[cv->n].v, v, len);
    cv->v[cv->n++].len = len;
    return 0;
}

/* Takes the removed documents out of every stored concept's set. */
static int remove_gone(rp_txn *t, const rp_docset *gone)
{
    concept_values cv = {gone, NULL, 0, 0};
    int rc = rp_txn_facet_scan(t, RP_FACET_CONCEPTS, collect_value, &cv);
    for (size_t i = 0; rc == 0 && i < cv.n; i++) {
        rp_docset *set;
        rc = rp_txn_facet_get(t, RP_FACET_CONCEPTS, cv.v[i].v, cv.v[i].len,
                              &set);
        if (rc != 0)
            break;
        rp_docset_andnot(set, gone);
        rc = rp_txn_facet_put(t, RP_FACET_CONCEPTS, cv.v[i].v, cv.v[i].len,
                              set);
        rp_docset_free(set);
    }
    free(cv.v);
    return rc;
}

int rp__facetlog_apply(rp__facetlog *fl, rp_txn *t)
{
    int rc = fl->gone ? remove_gone(t, fl->gone) : 0;
    for (size_t i = 0; i < fl->n && rc == 0; i++) {
        delta *e = &fl->d[i];
        rp_docset *set;
        rc = rp_txn_facet_get(t, e->facet, e->v, e->len, &set);
        if (rc != 0)
            break;
        if (e->del)
            rp_docset_andnot(set, e->del);
        if (e->add)
            rp_docset_or(set, e->add);
        rc = rp_txn_facet_put(t, e->facet, e->v, e->len, set);
        rp_docset_free(set);
    }
    return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * about: the text comes from the named fields in document order; the
 * concepts from the tag-like fields (through rp_vocab_find) and from the
 * whole-phrase matches of each indexed text field analysed apart (so a
 * phrase never spans two fields). Word evidence is not used here: it is
 * relative to the best concept of a short text, and a long body would
 * name half the vocabulary.
 */
#include "rapport/about.h"

#include <stdlib.h>
#include <string.h>

#include "rapport/error.h"
#include "rapport/phrase.h"
#include "rapport/schema.h"

#define ABOUT_BODY_BYTES 600 /* of a body standing for a missing summary */

int rp_about_text(const rp_doc *d, rp_buf *out)
{
    static const char *const parts[] = {"title", "name", "summary",
                                        "headline"};
    int rc = 0, nparts = 0;
    const rp_docfield *body = NULL;
    for (size_t i = 0; i < d->nfields && rc == 0; i++) {
        const char *name = rp_doc_srcfield(&d->fields[i])->name;
        if (strcmp(name, "body") == 0)
            body = &d->fields[i];
        for (size_t p = 0; p < sizeof parts / sizeof *parts; p++)
            if (strcmp(name, parts[p]) == 0) {
                rc = rp_buf_append(out, rp_doc_value(d, &d->fields[i]),
                                   d->fields[i].len);
                if (rc == 0)
                    rc = rp_buf_append(out, "\n", 1);
                nparts++;
            }
    }
    if (rc == 0 && nparts < 2 && body) {
        size_t n = body->len;
        const char *b = rp_doc_value(d, body);
        if (n > ABOUT_BODY_BYTES) {
            /* Cut at the last white space; text without any (a long
             * word, CJK) is cut at a character boundary instead. */
            size_t cut = ABOUT_BODY_BYTES;
            while (cut > 0 && !strchr(" \t\r\n", b[cut]))
                cut--;
            if (cut == 0) {
                cut = ABOUT_BODY_BYTES;
                while (cut > 0 && ((unsigned char)b[cut] & 0xC0) == 0x80)
                    cut--;
            }
            n = cut;
        }
        rc = rp_buf_append(out, b, n);
    }
    return rc;
}

/* Fields whose values name concepts directly. */
static int tag_field(const char *name)
{
    return strcmp(name, "tags") == 0 || strcmp(name, "concerns") == 0 ||
           strcmp(name, "approaches") == 0;
}

typedef struct named {
    unsigned *how; /* per concept */
} named;

static int on_mention(void *ctx, size_t concept, double weight)
{
    named *n = ctx;
    (void)weight;
    n->how[concept] |= RP_ABOUT_MENTIONED;
    return 0;
}

int rp_about_concepts(const rp_vocab *v, rp_analyzer *an, const rp_doc *d,
                      rp_about_cb cb, void *ctx)
{
    size_t nc = rp_vocab_nconcepts(v);
    named n = {calloc(nc ? nc : 1, sizeof(unsigned))};
    if (n.how == NULL)
        return RP_ENOMEM;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < d->nfields; i++) {
        const rp_srcfield *src = rp_doc_srcfield(&d->fields[i]);
        const char *value = rp_doc_value(d, &d->fields[i]);
        size_t len = d->fields[i].len;
        if (tag_field(src->name)) {
            size_t c = rp_vocab_find(v, value, len);
            if (c != SIZE_MAX)
                n.how[c] |= RP_ABOUT_TAGGED;
        }
        if (src->field == RP_FIELD_ANY)
            continue;
        rp_vterms t;
        rc = rp_vterms_analyze(an, 0, value, len, &t);
        if (rc == 0)
            rc = rp_vocab_phrase_concepts(v, t.t, t.n, on_mention, &n);
        rp_vterms_fini(&t);
    }
    for (size_t c = 0; rc == 0 && c < nc; c++)
        if (n.how[c])
            rc = cb(ctx, c, n.how[c]);
    free(n.how);
    return rc;
}

int rp_about_tags(const rp_vocab *v, const rp_doc *d, rp_about_cb cb,
                  void *ctx)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < d->nfields; i++) {
        if (!tag_field(rp_doc_srcfield(&d->fields[i])->name))
            continue;
        size_t c = rp_vocab_find(v, rp_doc_value(d, &d->fields[i]),
                                 d->fields[i].len);
        /* A tag listed twice names its concept once. */
        for (size_t j = 0; c != SIZE_MAX && j < i; j++)
            if (tag_field(rp_doc_srcfield(&d->fields[j])->name) &&
                rp_vocab_find(v, rp_doc_value(d, &d->fields[j]),
                              d->fields[j].len) == c)
                c = SIZE_MAX;
        if (c != SIZE_MAX)
            rc = cb(ctx, c, RP_ABOUT_TAGGED);
    }
    return rc;
}

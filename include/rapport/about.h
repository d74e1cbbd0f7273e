/* SPDX-License-Identifier: MIT */
/*
 * about: what a stored document is about, for pairing it with specialists
 * and with other documents: a short text (title and summary, or the start
 * of the body) and the vocabulary concepts it names (its own tags or
 * concerns, and the concepts whose phrases occur in its indexed text).
 */
#ifndef RAPPORT_ABOUT_H
#define RAPPORT_ABOUT_H

#include <stddef.h>

#include "rapport/analyze.h"
#include "rapport/buf.h"
#include "rapport/doc.h"
#include "rapport/vocab.h"

/* Appends to out the text d is about: its title (or name) and summary
 * (or headline); with only one of them, the start of its body as well,
 * cut at a space. Returns 0 or RP_ENOMEM. */
int rp_about_text(const rp_doc *d, rp_buf *out);

/* How a document names a concept. */
enum { RP_ABOUT_TAGGED = 1, RP_ABOUT_MENTIONED = 2 };

/* Calls cb once for each concept of v that d names: RP_ABOUT_TAGGED when
 * one of its tags (or a profile's concerns or approaches) is the
 * concept, RP_ABOUT_MENTIONED when a phrase of the concept occurs in one
 * of its indexed text fields (both bits may be set). an analyses, as for
 * the index. Returns 0, cb's non-zero value, RP_EUTF8 or RP_ENOMEM. */
typedef int (*rp_about_cb)(void *ctx, size_t concept, unsigned how);
int rp_about_concepts(const rp_vocab *v, rp_analyzer *an, const rp_doc *d,
                      rp_about_cb cb, void *ctx);

/* Calls cb(ctx, concept, RP_ABOUT_TAGGED) once for each concept of v that
 * one of d's tags (or a profile's concerns or approaches) names, in the
 * order d lists them; its text is not read. Returns 0 or cb's non-zero
 * value. */
int rp_about_tags(const rp_vocab *v, const rp_doc *d, rp_about_cb cb,
                  void *ctx);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * docset: a set of document ids (a compressed bitmap), for filters and
 * facet counts. The only code that includes CRoaring's header; the set is
 * opaque. Sets read back from storage go through a bounds-checked decoder.
 */
#ifndef RAPPORT_DOCSET_H
#define RAPPORT_DOCSET_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/buf.h"

typedef struct rp_docset rp_docset;

/* A new empty set; free with rp_docset_free. Returns 0 or RP_ENOMEM. */
int rp_docset_new(rp_docset **out);

/* Frees s; NULL is fine. */
void rp_docset_free(rp_docset *s);

void rp_docset_add(rp_docset *s, uint32_t doc);
void rp_docset_remove(rp_docset *s, uint32_t doc);
int rp_docset_contains(const rp_docset *s, uint32_t doc);
uint64_t rp_docset_count(const rp_docset *s);

/* a = a AND b, a = a OR b, a = a AND NOT b. */
void rp_docset_and(rp_docset *a, const rp_docset *b);
void rp_docset_or(rp_docset *a, const rp_docset *b);
void rp_docset_andnot(rp_docset *a, const rp_docset *b);

/* |a AND b| without building it. */
uint64_t rp_docset_and_count(const rp_docset *a, const rp_docset *b);

/* Copies the smallest cap ids of s, ascending, into out; returns how many
 * were copied. */
size_t rp_docset_list(const rp_docset *s, uint32_t *out, size_t cap);

/* Appends s in CRoaring's portable format. Returns 0 or RP_ENOMEM. */
int rp_docset_encode(const rp_docset *s, rp_buf *out);

/* Reads a set stored by rp_docset_encode. out: a new set, or NULL on
 * failure. Returns 0, RP_ECORRUPT (not a valid encoding of exactly len
 * bytes) or RP_ENOMEM. */
int rp_docset_decode(const void *data, size_t len, rp_docset **out);

#endif

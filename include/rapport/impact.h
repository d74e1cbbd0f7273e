/* SPDX-License-Identifier: MIT */
/*
 * impact: what a set of postings (one block) can score at most, kept
 * small enough to store with the block. A posting's BM25F score rises with
 * its weighted term frequency (wtf) and falls with its document's weighted
 * length (wlen), whatever k1, b and the average length are, so the score of
 * every posting is bounded by that of some point on the set's frontier:
 * the (wtf, wlen) pairs no other posting beats on both. The frontier is
 * taken under the schema's default field weights over all fields, kept to
 * at most RP_IMPACTS_MAX points (neighbours merged into one point that
 * dominates both) and quantised outwards (wtf rounded up, wlen down, in
 * sixteenths). A bound from (largest tf, shortest length) per field mixes
 * different documents; the frontier does not, which is what lets a
 * common term's blocks be skipped. Plain structs, caller-owned; no I/O.
 */
#ifndef RAPPORT_IMPACT_H
#define RAPPORT_IMPACT_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/buf.h"
#include "rapport/schema.h"

#define RP_IMPACTS_MAX 4  /* points stored per block */
#define RP_IMPACT_SCALE 16 /* stored values are sixteenths */

/* A stored frontier: points in decreasing wtf (and decreasing wlen), each
 * value in 1/RP_IMPACT_SCALE units. n == 0: nothing is known. */
typedef struct rp_impacts {
    uint32_t n;
    uint32_t wtf[RP_IMPACTS_MAX];
    uint32_t wlen[RP_IMPACTS_MAX];
} rp_impacts;

/* Builds a frontier from postings added one at a time (at most
 * RP_IMPACT_BUILD points are held; past that, neighbours are merged). */
#define RP_IMPACT_BUILD 64
typedef struct rp_impact_builder {
    size_t n;
    double wtf[RP_IMPACT_BUILD];
    double wlen[RP_IMPACT_BUILD];
    double lensum; /* sum of the postings' wlen, for choosing merges */
    uint64_t count; /* postings added */
    float weight[RP_NFIELDS]; /* the schema's, read once */
} rp_impact_builder;

void rp_impact_builder_init(rp_impact_builder *b);

/* Adds a posting: its tf per field and its document's field lengths. */
void rp_impact_add(rp_impact_builder *b, const uint16_t tf[RP_NFIELDS],
                   const uint16_t len[RP_NFIELDS]);

/* The frontier of what was added, reduced to RP_IMPACTS_MAX points. */
void rp_impact_finish(const rp_impact_builder *b, rp_impacts *out);

/* The schema-weighted sum over all fields of per-field values (tfs or
 * lengths): what the frontier is made of, computed exactly as
 * rp_score_bm25f_pre and rp_score_wlen compute wtf and wlen with the
 * schema's weights. */
double rp_impact_weigh(const uint16_t v[RP_NFIELDS]);

/* Appends / parses: varint n, then n pairs of varints (wtf, wlen). get
 * returns the bytes read, or 0 on corrupt input (n over RP_IMPACTS_MAX,
 * short input). The points' order is not checked: the bound is their
 * maximum, whatever the order. */
int rp_impacts_put(rp_buf *out, const rp_impacts *imp);
size_t rp_impacts_get(const unsigned char *p, const unsigned char *end,
                      rp_impacts *imp);

#endif

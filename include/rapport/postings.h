/* SPDX-License-Identifier: MIT */
/*
 * postings: the codec for one block of a term's posting list: up to
 * RP_BLOCK_DOCS postings, each a document id, the term's frequency in each
 * field and its positions. Encodes from and decodes into caller-provided
 * structs; no I/O (the index module stores the bytes) and no allocation on
 * the decode path. Decoding treats its input as untrusted and returns
 * RP_ECORRUPT on any inconsistency.
 */
#ifndef RAPPORT_POSTINGS_H
#define RAPPORT_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/buf.h"
#include "rapport/impact.h"
#include "rapport/schema.h"
#include "rapport/tokenize.h"

typedef uint32_t rp_docid; /* internal document id, 1-based, never reused */

#define RP_BLOCK_DOCS 128 /* postings per full block */
#define RP_TF_MAX 65535   /* per-field term frequency saturates here */

/* Upper bounds over a set of postings (a block or a whole term), used by
 * dynamic pruning: maxtf[f] is the largest tf in field f. */
typedef struct rp_bound {
    uint16_t maxtf[RP_NFIELDS];
} rp_bound;

/* Lower bounds of the documents' field lengths over a set of postings:
 * minlen[f] is the shortest field f among them. With rp_bound it bounds a
 * block's BM25F score far more tightly than tfs alone. */
typedef struct rp_lenbound {
    uint16_t minlen[RP_NFIELDS];
} rp_lenbound;

/* A decoded block header: enough to decide whether to decode the rest. */
typedef struct rp_blockhdr {
    uint32_t n;          /* postings in the block, 1..RP_BLOCK_DOCS */
    rp_docid first;      /* first document id */
    rp_docid last;       /* last document id */
    rp_bound bound;      /* per-field maximum tf in the block */
    rp_lenbound lens;    /* per-field minimum document length */
    rp_impacts impacts;  /* score frontier under the default weights */
    const unsigned char *docs; /* start of the docid stream */
    const unsigned char *ftf;  /* start of the field/tf stream */
    const unsigned char *pos;  /* start of the position stream */
    const unsigned char *pos_end; /* one past the position stream */
    const unsigned char *end;  /* one past the block */
} rp_blockhdr;

/* One posting as the writer supplies it. */
typedef struct rp_posting {
    rp_docid doc;
    uint16_t tf[RP_NFIELDS]; /* occurrences per field */
    uint16_t len[RP_NFIELDS]; /* the document's field lengths (norms) */
    const rp_pos *pos;       /* all positions, ascending; count = sum tf */
    uint32_t npos;
} rp_posting;

/*
 * Appends the encoding of postings p[0..n) (1 <= n <= RP_BLOCK_DOCS, doc ids
 * non-zero and strictly ascending, each with npos == sum of tf and at least one tf > 0)
 * to out. Returns 0, RP_EINVAL for a contract violation or RP_ENOMEM.
 */
int rp_block_encode(const rp_posting *p, size_t n, rp_buf *out);

/* Parses the header of the block in data[0..len) into *out, checking every
 * length against len. Returns 0 or RP_ECORRUPT. */
int rp_block_header(const void *data, size_t len, rp_blockhdr *out);

/* Decodes the n document ids into docs[0..n). Returns 0 or RP_ECORRUPT
 * (stream too short, or ids not strictly ascending). */
int rp_block_docs(const rp_blockhdr *h, rp_docid docs[RP_BLOCK_DOCS]);

/*
 * Decodes the field/tf stream: for posting i, tf[i * RP_NFIELDS + f] is the
 * frequency in field f and total[i] the sum over fields. Returns 0 or
 * RP_ECORRUPT.
 */
int rp_block_tfs(const rp_blockhdr *h, uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS],
                 uint32_t total[RP_BLOCK_DOCS]);

/* A cursor over the position stream of a decoded block: call
 * rp_block_positions for postings in ascending order (skipping is allowed). */
typedef struct rp_poscursor {
    const unsigned char *p;   /* next unread byte */
    const unsigned char *end; /* end of the position stream */
    uint32_t next;            /* index of the posting p points at */
    uint32_t n;               /* postings in the block */
} rp_poscursor;

void rp_poscursor_init(rp_poscursor *c, const rp_blockhdr *h);

/*
 * Decodes the positions of posting i (>= the cursor's next posting, < the
 * block's n) into out[0..total[i]) given the totals from rp_block_tfs; at
 * most cap are written, and *n gets the full count. Returns 0, RP_EINVAL
 * (i out of order or range) or RP_ECORRUPT (including bytes left over
 * after the last posting).
 */
int rp_block_positions(rp_poscursor *c, const uint32_t total[RP_BLOCK_DOCS],
                       uint32_t i, rp_pos *out, uint32_t cap, uint32_t *n);

/* Merges b into a: a->maxtf[f] = max(a, b). */
void rp_bound_merge(rp_bound *a, const rp_bound *b);

/* An empty length bound: every minimum at 65535. */
void rp_lenbound_init(rp_lenbound *l);

/* Lowers l to cover a document with field lengths len. */
void rp_lenbound_add(rp_lenbound *l, const uint16_t len[RP_NFIELDS]);

/* Appends / parses RP_NFIELDS varints. rp_lenbound_get returns bytes read,
 * or 0 on corrupt input. */
int rp_lenbound_put(rp_buf *out, const rp_lenbound *l);
size_t rp_lenbound_get(const unsigned char *p, const unsigned char *end,
                       rp_lenbound *l);

/* Appends / parses a bound as a field mask byte plus a varint per field set.
 * rp_bound_get returns bytes read, or 0 on corrupt input. */
int rp_bound_put(rp_buf *out, const rp_bound *b);
size_t rp_bound_get(const unsigned char *p, const unsigned char *end,
                    rp_bound *b);

#endif

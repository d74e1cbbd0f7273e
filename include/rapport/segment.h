/* SPDX-License-Identifier: MIT */
/*
 * segment: an in-memory inverted index being built: documents are added one
 * at a time (their terms, fields and positions), and the result is read back
 * term by term, in byte order of the terms, as postings ready for the block
 * codec. It owns all its memory; one segment is used by one thread.
 */
#ifndef RAPPORT_SEGMENT_H
#define RAPPORT_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/postings.h"

typedef struct rp_segment rp_segment;

/* Creates an empty segment. Returns 0 or RP_ENOMEM; *out NULL on failure. */
int rp_segment_new(rp_segment **out);

/* Frees s; NULL is fine. */
void rp_segment_free(rp_segment *s);

/* Starts document doc, which must be greater than every document added so
 * far. Returns 0 or RP_EINVAL. */
int rp_segment_begin(rp_segment *s, rp_docid doc);

/* Adds one occurrence of term[0..len) (1..RP_TERM_MAX_BYTES bytes) in field
 * at pos to the current document. Returns 0, RP_EINVAL or RP_ENOMEM. */
int rp_segment_add(rp_segment *s, const char *term, size_t len, int field,
                   rp_pos pos);

/* One occurrence, for rp_segment_add_many. */
typedef struct rp_segocc {
    const char *term;
    uint32_t len;
    rp_pos pos;
} rp_segocc;

/* Adds run[0..n), all in field, to the current document: the same as
 * rp_segment_add on each in turn, but each term's place in the table is
 * loaded a few occurrences ahead, so the cache misses of successive terms
 * overlap instead of following one another. Returns 0, RP_EINVAL or
 * RP_ENOMEM; on failure the occurrences before the failing one are
 * added. */
int rp_segment_add_many(rp_segment *s, const rp_segocc *run, size_t n,
                        int field);

/* Ends the current document, turning its occurrences into postings.
 * Returns 0, RP_EINVAL (no document open) or RP_ENOMEM. */
int rp_segment_end(rp_segment *s);

/* Number of distinct terms and total postings so far. */
size_t rp_segment_nterms(const rp_segment *s);
uint64_t rp_segment_npostings(const rp_segment *s);

/* Sorts the terms in byte order and frees what only adding needed (the
 * hash table); call after the last document has ended. Returns 0, RP_EINVAL
 * (a document is still open) or RP_ENOMEM. No documents may be added
 * afterwards. */
int rp_segment_finish(rp_segment *s);

/* Term i (0 <= i < nterms) after rp_segment_finish, in sorted order: its
 * bytes (borrowed, valid while s lives) and document frequency. */
const char *rp_segment_term(const rp_segment *s, size_t i, size_t *len,
                            uint32_t *df);

/* Starts loading the postings of sorted term i into the cache, for a
 * reader a few terms on: they lie at random in memory. */
void rp_segment_prefetch(const rp_segment *s, size_t i);

/* Reads the postings of sorted term i in document order. The reader is a
 * caller-provided struct; postings it returns borrow its buffers and are
 * valid until the next call. */
typedef struct rp_segreader {
    const unsigned char *p;   /* next raw byte */
    const unsigned char *end; /* end of the term's raw postings */
    rp_docid doc;             /* last document id read */
    rp_pos *pos;              /* owned buffer for the current positions */
    uint32_t cap;             /* entries allocated in pos */
} rp_segreader;

/* Points r (zeroed by rp_segreader_init once, reusable across terms) at the
 * postings of sorted term i. */
void rp_segreader_init(rp_segreader *r);
void rp_segment_reader(const rp_segment *s, size_t i, rp_segreader *r);

/* Reads the next posting into *out (out->pos points into r). Returns 1 when
 * a posting was read, 0 at the end, RP_ENOMEM. */
int rp_segreader_next(rp_segreader *r, rp_posting *out);

/* Reads up to max (at most INT_MAX) postings into out[0..n) and returns n,
 * 0 at the end, or RP_ENOMEM. Their positions lie in r's buffer, valid
 * until the next read. A batch lets the caller start loading what it needs
 * for each of them (a merge: their documents' norms) before using the
 * first. */
int rp_segreader_read(rp_segreader *r, rp_posting *out, size_t max);

/* The document of the posting after the one last read, without reading
 * it, or 0 at the end: lets a caller start loading what it will need for
 * that document (a merge prefetches its norms) a posting early. */
rp_docid rp_segreader_peek(const rp_segreader *r);

/* Frees r's buffer and zeroes it; NULL is fine. */
void rp_segreader_fini(rp_segreader *r);

#endif

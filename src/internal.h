/* SPDX-License-Identifier: MIT */
/*
 * internal.h: helpers shared between src/ files but not public. Names are
 * rp__name. Nothing here is part of the library's contract.
 */
#ifndef RAPPORT_INTERNAL_H
#define RAPPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/analyze.h"
#include "rapport/doc.h"
#include "rapport/docset.h"
#include "rapport/error.h"
#include "rapport/index.h"
#include "rapport/ingest.h"
#include "rapport/segment.h"
#include "rapport/stopwords.h"

/* Grows the array *p (of elements of size bytes, *cap allocated) to hold
 * at least need elements, doubling from 64. Returns 0 or RP_ENOMEM (the
 * array is then unchanged). */
int rp__grow(void **p, size_t *cap, size_t need, size_t size);

/* What rp__merge needs: finished segments whose postings carry local
 * document ids, the map from local id to final docid (0: dropped), and
 * where to write. */
/* A batch operation as merging sees it, by local id: its docid (0 when it
 * is dropped) and its document's field lengths, side by side so that one
 * cache line brings both. */
typedef struct rp__docmap {
    rp_docid doc;
    uint16_t len[RP_NFIELDS];
} rp__docmap;

typedef struct rp__merge_in {
    rp_segment **segs;      /* finished segments (NULL entries skipped) */
    size_t nsegs;
    const rp__docmap *map;  /* map[local]; docids ascending where not 0 */
    size_t nmap;            /* entries in map */
    rp_txn *txn;            /* the write transaction */
    int bulk;               /* the index was empty: sorted appends */
    size_t stage_bytes;     /* > 0 (bulk only): commit posting blocks ahead
                               every stage_bytes of them, and write the
                               dictionary entries, which make them
                               reachable, in the last transaction */
    unsigned threads;       /* encoders for bulk builds */
    rp_progress_cb progress; /* may be NULL; phase "write" */
    void *progress_ctx;
} rp__merge_in;

/*
 * Appends the postings of every term in the segments to the index, merging
 * each term's postings from all segments in docid order and dropping
 * local ids that map to 0. Terms with no postings left are not written.
 * terms and postings (out) count what was written. Returns 0 or the first
 * error (RP_ENOMEM, RP_EFULL, RP_ECORRUPT, -errno).
 *
 * meanwhile, if not NULL, runs on the calling thread while bulk encoders
 * work on theirs (it may use the transaction: the encoders do not), or
 * with stage_bytes in the last transaction, after the staged postings; its
 * non-zero result fails the merge.
 */
int rp__merge(const rp__merge_in *in, int (*meanwhile)(void *), void *arg,
              uint64_t *terms, uint64_t *postings);

/* A file read as a byte stream, gzip inflated (src/instream.c). */
typedef struct rp__instream rp__instream;

/* Opens path. Returns 0, RP_ENOMEM or -errno, err naming the file. */
int rp__instream_open(const char *path, rp__instream **out, rp_error *err);

/* Reads up to cap bytes into out: *n > 0, or 0 at the end. A gzip stream
 * that is corrupt, fails its checksum or ends early gives RP_EIO; a read
 * failure -errno; err says which, naming the file. */
int rp__instream_read(rp__instream *s, void *out, size_t cap, size_t *n,
                      rp_error *err);

/* Bytes of the file read so far (for progress). */
uint64_t rp__instream_offset(const rp__instream *s);

void rp__instream_close(rp__instream *s); /* NULL is fine */

/* The facet changes of one commit (src/facetlog.c). */
typedef struct rp__facetlog rp__facetlog;

/* Makes an empty log for the write transaction t, loading the index's
 * vocabulary if it holds one. an (borrowed; must outlive the log) analyses
 * the vocabulary's phrases. Returns 0, RP_ENOMEM or RP_ECORRUPT. */
int rp__facetlog_new(rp_txn *t, rp_analyzer *an, rp__facetlog **out);
void rp__facetlog_free(rp__facetlog *fl);

/* Files d, stored (removing 0) or removed (1) under docid doc: collects
 * its facet values (and, when added, its concepts) and writes or deletes
 * its fees in t. Returns 0, RP_ENOMEM or an LMDB error. */
int rp__facetlog_file(rp__facetlog *fl, rp_txn *t, const rp_doc *d,
                      rp_docid doc, int removing);

/* Takes docs back out of every addition filed so far. */
void rp__facetlog_unfile(rp__facetlog *fl, const rp_docset *docs);

/* Applies the collected changes to the stored sets in t. */
int rp__facetlog_apply(rp__facetlog *fl, rp_txn *t);

/* src/jsonflat.c: decodes text (which passed rp_json_check) into d when
 * it is an object of strings and arrays of strings that are all its id,
 * type and string fields, once each, with a valid id, type and dates.
 * Returns 1 when it did, 0 when the text is for the general decoder (d
 * reset), or RP_ENOMEM (d reset). Never sets an error message. */
int rp__json_decode_flat(const char *text, size_t len, rp_doc *d);

/* src/json.c: the general decoder of rp_json_decode_doc, for any checked
 * text: through a cJSON tree, with an error message for every problem. */
int rp__json_decode_general(const char *text, size_t len, rp_doc *d,
                            rp_error *err);

/* src/stopwords.c: 1 if list's words of up to 8 bytes are in its hash (the
 * fast lookup), 0 if lookups compare them one by one. For the tests. */
int rp__stoplist_hashed(const rp_stoplist *list);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * index: the on-disk index in one LMDB environment: documents, external id
 * map, per-document field lengths, the term dictionary, posting blocks and
 * collection statistics (the byte layout is specified at the top of
 * src/index.c). This is the only module that includes lmdb.h; LMDB codes
 * never leave it. It stores and fetches; analysis and ranking live above.
 *
 * Threads: one rp_index is shared by all threads. Each thread runs its own
 * transactions; one write transaction at a time (LMDB serialises writers);
 * readers never block and see the last committed state.
 */
#ifndef RAPPORT_INDEX_H
#define RAPPORT_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/docset.h"
#include "rapport/error.h"
#include "rapport/postings.h"

#define RP_INDEX_FORMAT 5 /* bump with every storage format change */

typedef struct rp_index rp_index;
typedef struct rp_txn rp_txn;

typedef struct rp_index_opts {
    const char *lang;  /* stemmer language for a new index; NULL: "english".
                          For an existing index NULL means "as stored", and
                          a different name is an error. */
    size_t map_size;   /* LMDB map size in bytes; 0: 64 GiB (virtual).
                          The most the index can hold: a write that would
                          pass it fails with RP_EFULL and changes nothing.
                          Reopening with a larger size grows it; a smaller
                          one than the file is raised to the file's size. */
    int readonly;      /* open without write access */
    unsigned max_readers; /* read transactions open at once, over all
                             processes (LMDB reader slots); 0:
                             RP_INDEX_READERS. Set by the first process to
                             open the index; a later first opener may raise
                             it, never lower it. */
} rp_index_opts;

#define RP_INDEX_READERS 1024 /* default reader slots */

/*
 * Opens (creating when missing, unless readonly) the index in directory dir.
 * An existing empty directory is fine. Checks the format version.
 * out: the index, closed with rp_index_close(); NULL on failure.
 * Returns 0, RP_EVERSION (format mismatch: rebuild the index), RP_ELANG
 * (opts->lang differs from the stored language), RP_ECORRUPT, RP_ENOMEM or
 * -errno (e.g. -EACCES, -ENOENT when readonly and missing); err gets a
 * message naming the directory.
 */
int rp_index_open(const char *dir, const rp_index_opts *opts, rp_index **out,
                  rp_error *err);

/* Parses a byte count for a map size: digits with an optional K, M, G or
 * T suffix (powers of 1024), e.g. "64G". Returns 0 or RP_EINVAL (not a
 * count, zero, or too large for size_t). */
int rp_index_parse_size(const char *s, size_t *out);

/*
 * Frees the reader slots of processes that died while reading (LMDB's
 * mdb_reader_check): a slot left behind would pin old pages, so the index
 * would grow instead of reusing them. rp_index_open calls it; a long-running
 * process calls it now and then. cleared (may be NULL) gets the number of
 * slots freed. Returns 0 or -errno. Thread-safe; cost: one pass over the
 * slot table.
 */
int rp_index_reader_check(rp_index *ix, int *cleared);

/* 1 when every commit reaches the disk before rp_txn_commit returns and
 * pages are written by the library, not through a writable map: none of
 * LMDB's NOSYNC, NOMETASYNC, MAPASYNC or WRITEMAP flags is set. rapport
 * never sets them; tests check that it stays so. */
int rp_index_durable(const rp_index *ix);

/*
 * Writes a compacted copy of the index, as it stands in one read
 * transaction, into directory dest (created when missing), while other
 * threads and processes keep reading and writing. The copy holds only live
 * pages (LMDB's mdb_env_copy2 with MDB_CP_COMPACT) and opens as an index of
 * its own. The read transaction lasts as long as the copy, so pages freed
 * meanwhile are not reused until it ends. Returns 0, -EEXIST (dest already
 * holds a data.mdb: nothing is overwritten), RP_ENOMEM or -errno; err gets
 * a message naming dest. A failed copy may leave a partial dest/data.mdb.
 */
int rp_index_backup(rp_index *ix, const char *dest, rp_error *err);

/* Closes ix; all transactions must have ended. NULL is fine. */
void rp_index_close(rp_index *ix);

/* The stemmer language stored in the index. Borrowed, valid until close. */
const char *rp_index_lang(const rp_index *ix);

/* Bytes the index occupies on disk (the data file). */
uint64_t rp_index_disk_bytes(const rp_index *ix);

/* Bytes of pages each part of the index occupies. */
typedef struct rp_index_space {
    uint64_t docs;     /* stored document records */
    uint64_t ids;      /* external id map */
    uint64_t norms;    /* per-document field lengths */
    uint64_t terms;    /* the dictionary */
    uint64_t postings; /* posting blocks, with positions */
    uint64_t meta;
    uint64_t nterms;   /* entries in the dictionary */
} rp_index_space;

/* Fills out from LMDB's page counts. Returns 0 or a read error. */
int rp_index_space_get(rp_index *ix, rp_index_space *out);

/*
 * The writer lock. Every write transaction holds it from rp_txn_begin to
 * its commit or abort: a mutex among this handle's threads and an
 * exclusive flock(2) on data.mdb among processes and handles. Work that
 * spans several write transactions (a staged bulk batch, src/ingest.c)
 * holds it across them: rp_index_writer_hold, then the transactions, then
 * rp_index_writer_release, all on one thread (it is recursive for that
 * thread). Other writers wait meanwhile; readers never do. hold returns 0,
 * RP_EINVAL (readonly index) or -errno.
 */
int rp_index_writer_hold(rp_index *ix);
void rp_index_writer_release(rp_index *ix);

/* Begins a transaction: write != 0 for the (single) writer. out: free with
 * rp_txn_commit or rp_txn_abort. Returns 0, RP_EBUSY, RP_ENOMEM, RP_EINVAL
 * (write on a readonly index) or -errno. */
int rp_txn_begin(rp_index *ix, int write, rp_txn **out);

/* Commits (a read transaction just ends) and frees txn. Returns 0, RP_EFULL
 * (map full: nothing was written) or -errno; txn is freed either way. The
 * index keeps a few ended read transactions, reset, for the next readers
 * (rp_index_close frees them); to the caller they are gone. */
int rp_txn_commit(rp_txn *txn);

/* Abandons txn's changes and frees it. NULL is fine. */
void rp_txn_abort(rp_txn *txn);

/* Commits what write transaction txn holds and goes on in a new one under
 * the same writer lock, through the same txn. Only for writes no reader
 * reaches until a later transaction (staged records, see the storage spec
 * in src/index.c). Returns 0 or rp_txn_commit's errors; after a failure
 * txn can only be aborted. */
int rp_txn_checkpoint(rp_txn *txn);

/* *empty: 1 when neither the dictionary nor the posting blocks hold
 * anything, so a batch may stage postings. Returns 0 or an LMDB error. */
int rp_txn_postings_empty(rp_txn *txn, int *empty);

/* Collection statistics. */
typedef struct rp_stats {
    uint64_t ndocs;                /* live documents */
    uint64_t fieldlen[RP_NFIELDS]; /* sum of field lengths over live docs */
    rp_docid next_docid;           /* next id to assign (ids are never
                                      reused) */
    uint64_t ntype[RP_DOC_TYPES];  /* live documents per rp_doctype */
} rp_stats;

int rp_txn_stats(rp_txn *txn, rp_stats *out);
int rp_txn_put_stats(rp_txn *txn, const rp_stats *st);

/* Named settings stored with the index (meta key "cfg:" + name): the
 * vocabulary ("vocabulary"), later others. get: bytes borrowed until the
 * transaction ends, RP_ENOTFOUND when unset. put with len 0 removes. */
int rp_txn_setting_get(rp_txn *txn, const char *name, const void **data,
                       size_t *len);
int rp_txn_setting_put(rp_txn *txn, const char *name, const void *data,
                       size_t len);

/* Stored document records (see doc.h). Borrowed bytes are valid until the
 * transaction ends or writes again. RP_ENOTFOUND when absent. append != 0
 * asserts doc is larger than every stored id (bulk load). */
int rp_txn_doc_get(rp_txn *txn, rp_docid doc, const void **rec, size_t *len);
int rp_txn_doc_put(rp_txn *txn, rp_docid doc, const void *rec, size_t len,
                   int append);
int rp_txn_doc_del(rp_txn *txn, rp_docid doc);

/* Deletes the document and fee records under docids >= from (write
 * transaction), and every posting block when the dictionary is empty:
 * what a staged batch left behind when it did not commit (see the storage
 * spec in src/index.c). *swept (may be NULL) counts the records and
 * blocks. Returns 0, RP_EINVAL (read transaction) or an LMDB error. */
int rp_txn_sweep_staged(rp_txn *txn, rp_docid from, size_t *swept);

/* External id <-> internal id. RP_ENOTFOUND when absent. */
int rp_txn_id_get(rp_txn *txn, const char *id, size_t len, rp_docid *out);
int rp_txn_id_put(rp_txn *txn, const char *id, size_t len, rp_docid doc,
                  int append);
int rp_txn_id_del(rp_txn *txn, const char *id, size_t len);

/* Per-document type and field lengths (the BM25F norms). */
typedef struct rp_norms {
    rp_doctype type;               /* RP_DOC_NONE: no such document */
    uint16_t len[RP_NFIELDS];      /* terms per field, saturating */
} rp_norms;

/* Reads doc's norms (type RP_DOC_NONE when absent). Stored in chunks of
 * 256 documents; a read transaction keeps pointers to the chunks it has
 * looked up (a fixed table of 1,024), so later reads cost a table lookup.
 * Returns 0, RP_ECORRUPT or RP_ENOMEM. */
int rp_txn_norms_get(rp_txn *txn, rp_docid doc, rp_norms *out);

/* Reads only doc's field lengths (all zero when absent), for scoring a
 * document a posting names: a chunk keeps types and lengths apart, so this
 * touches one cache line where rp_txn_norms_get touches two. The type is
 * not checked. Returns 0, RP_ECORRUPT or RP_ENOMEM. */
int rp_txn_lens_get(rp_txn *txn, rp_docid doc, uint16_t len[RP_NFIELDS]);

/* Hints: in a read transaction, start loading doc's norms (both lines) or
 * only its lengths into the CPU cache, so that a search can ask for them a
 * few postings before it scores the document. They do nothing in a write
 * transaction; errors are left for the reads to report. */
void rp_txn_norms_prefetch(rp_txn *txn, rp_docid doc);
void rp_txn_lens_prefetch(rp_txn *txn, rp_docid doc);

/* Sets doc's norms (type RP_DOC_NONE clears them). Buffered per chunk and
 * written when the chunk changes or at commit. */
int rp_txn_norms_put(rp_txn *txn, rp_docid doc, const rp_norms *n);

/* The documents having value v[0..len) (normalised, see
 * rp_schema_facet_value) in facet f. out: a new set (empty when no document
 * has it), freed by the caller. Returns 0, RP_ECORRUPT or RP_ENOMEM. */
int rp_txn_facet_get(rp_txn *txn, int facet, const char *v, size_t len,
                     rp_docset **out);

/* Stores the set for (facet, value); an empty set removes the entry. */
int rp_txn_facet_put(rp_txn *txn, int facet, const char *v, size_t len,
                     const rp_docset *set);

/* Calls cb for every stored value of facet, in byte order, with its set
 * (borrowed for the call), until cb returns non-zero (returned). */
typedef int (*rp_facet_value_cb)(void *ctx, const char *v, size_t len,
                                 const rp_docset *set);
int rp_txn_facet_scan(rp_txn *txn, int facet, rp_facet_value_cb cb,
                      void *ctx);

/* A document's fee range (known 0 when it has none). Returns 0 or
 * RP_ECORRUPT. put with known 0 removes it. */
int rp_txn_fees_get(rp_txn *txn, rp_docid doc, rp_fees *out);
int rp_txn_fees_put(rp_txn *txn, rp_docid doc, const rp_fees *fees);

/* Dictionary entry of a term. */
typedef struct rp_terminfo {
    uint32_t df;    /* documents containing the term */
    uint64_t cf;    /* total occurrences */
    rp_bound bound; /* per-field max tf over the term (an upper bound) */
    rp_lenbound lens; /* per-field min length of its documents (a lower
                         bound: deletions leave it as it was) */
} rp_terminfo;

/* Looks term up. Returns 0, RP_ENOTFOUND or RP_ECORRUPT. */
int rp_txn_term_get(rp_txn *txn, const char *term, size_t len,
                    rp_terminfo *out);

/* Calls cb for each term starting with prefix[0..len), in byte order, until
 * cb returns non-zero (returned) or the terms run out (0). The term bytes
 * are borrowed for the call. */
typedef int (*rp_term_cb)(void *ctx, const char *term, size_t len,
                          const rp_terminfo *info);
int rp_txn_term_scan(rp_txn *txn, const char *prefix, size_t len,
                     rp_term_cb cb, void *ctx);

/*
 * A cursor over the dictionary in byte order, for walks that skip ahead
 * (fuzzy matching). Open with rp_termcur_open (caller frees with
 * rp_termcur_close); it lives no longer than its transaction. seek moves to
 * the first term >= key[0..len) (len 0: the first term), next to the
 * following one; both return 0 and set term, len (borrowed from LMDB, valid
 * until the cursor moves) and info, RP_ENOTFOUND past the last term,
 * RP_ECORRUPT or another error.
 */
typedef struct rp_termcur rp_termcur;
int rp_termcur_open(rp_txn *txn, rp_termcur **out);
int rp_termcur_seek(rp_termcur *tc, const char *key, size_t len,
                    const char **term, size_t *tlen, rp_terminfo *info);
int rp_termcur_next(rp_termcur *tc, const char **term, size_t *tlen,
                    rp_terminfo *info);
void rp_termcur_close(rp_termcur *tc);

/*
 * Appends postings to a term's list in a write transaction. Document ids
 * must be larger than any the term has. rp_appender is caller-provided:
 * begin, add postings in ascending document order, end. With bulk != 0 the
 * caller promises terms arrive in byte order, each new to the index (an
 * empty index), which lets LMDB append pages without searching.
 */
typedef struct rp_appender {
    rp_txn *txn;          /* NULL when writing to out */
    rp_buf *out;          /* buffered mode: records for rp_txn_put_records */
    rp_buf *terms_out;    /* buffered mode: its dictionary entries */
    char term[RP_TERM_MAX_BYTES];
    size_t term_len;
    int bulk;
    rp_terminfo info;     /* updated as postings arrive */
    rp_posting pend[RP_BLOCK_DOCS]; /* postings not yet written */
    size_t npend;
    rp_pos *pos;          /* owned copies of pending positions */
    size_t npos, cappos;
    rp_buf enc;           /* owned scratch for block encoding */
} rp_appender;

void rp_appender_init(rp_appender *a);
void rp_appender_fini(rp_appender *a);
int rp_appender_begin(rp_appender *a, rp_txn *txn, const char *term,
                      size_t len, int bulk);
int rp_appender_add(rp_appender *a, const rp_posting *p);
int rp_appender_end(rp_appender *a);

/*
 * Buffered mode, for bulk builds on several threads: the appender touches
 * no transaction and appends its blocks to out and its dictionary entry to
 * terms_out (out when NULL) as records that rp_txn_put_records later
 * writes, in order, with LMDB's sorted append. Terms must arrive in byte
 * order, each new to the index; the buffers of several appenders are
 * written in term order.
 */
int rp_appender_begin_buffered(rp_appender *a, rp_buf *out, rp_buf *terms_out,
                               const char *term, size_t len);

/* Writes records made by buffered appenders. Returns 0, RP_EFULL,
 * RP_ECORRUPT (malformed records, or keys not in order) or -errno. */
int rp_txn_put_records(rp_txn *txn, const rp_buf *records);

/* Removes doc from term's postings (no-op when absent) and updates the
 * term's df and cf, deleting the term when none remain. */
int rp_txn_term_remove(rp_txn *txn, const char *term, size_t len,
                       rp_docid doc);

/*
 * A cursor over a term's posting blocks, in document order, for readers.
 * Caller-provided; rp_blockcur_open positions it on the first block.
 * hdr is the current block's parsed header, valid until the cursor moves or
 * the transaction ends.
 */
typedef struct rp_blockcur {
    void *cursor;            /* owned LMDB cursor */
    char key[RP_TERM_MAX_BYTES + 5]; /* term, 0, big-endian last doc */
    size_t term_len;
    int eof;                 /* no current block */
    rp_blockhdr hdr;         /* current block */
} rp_blockcur;

/* Returns 0 (hdr set, or eof when the term has no postings), RP_ECORRUPT,
 * RP_ENOMEM. Close with rp_blockcur_close even on failure. */
int rp_blockcur_open(rp_txn *txn, const char *term, size_t len,
                     rp_blockcur *c);

/* Moves to the next block; sets eof at the end. Returns 0 or RP_ECORRUPT. */
int rp_blockcur_next(rp_blockcur *c);

/* Moves forward to the first block whose last document is >= doc (stays
 * when the current one qualifies). Returns 0 or RP_ECORRUPT. */
int rp_blockcur_seek(rp_blockcur *c, rp_docid doc);

void rp_blockcur_close(rp_blockcur *c);

#endif

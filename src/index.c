/* SPDX-License-Identifier: MIT */
/*
 * index: the LMDB storage of a rapport index, and the only code that
 * touches LMDB. Storage spec, format version 5 (RP_INDEX_FORMAT):
 *
 * One environment directory (data.mdb, lock.mdb) with eight named
 * databases.
 * Integers called BE32 are 4-byte big-endian (so byte order sorts them);
 * varints are unsigned LEB128.
 *
 *   meta      "format" -> u32 little-endian format version (5)
 *             "lang"   -> stemmer language name, ASCII ("english")
 *             "cfg:" + name -> a setting stored with the index, as given
 *                         ("cfg:vocabulary": the vocabulary JSON)
 *             "stats"  -> varint ndocs, varint next_docid, then RP_NFIELDS
 *                         varints: total length of each field over live
 *                         docs, then RP_DOC_TYPES varints: live documents
 *                         per type (index 0 unused)
 *   docs      BE32 docid -> document record (src/doc.c): u8 type, varint id
 *             length + id, varint field count + per field (u8 source field
 *             index, varint length, UTF-8 bytes), varint extra-JSON length +
 *             bytes
 *   ids       external id bytes -> BE32 docid
 *   norms     BE32 (docid >> 8) -> chunk of 256 documents: 256 type bytes
 *             (0 = no document), then 256 x RP_NFIELDS u16 little-endian
 *             field lengths (saturating at 65535), document-major
 *   terms     term bytes -> varint df, varint cf, bound (u8 field mask, one
 *             varint max tf per field in the mask, lowest field first),
 *             then RP_NFIELDS varints: the shortest length of each field
 *             among the term's documents (kept, not raised, on deletion)
 *   facets    u8 facet (rp_facet), normalised value bytes -> the set of
 *             docids having it, in CRoaring's portable bitmap format.
 *             Facet 10 (concepts: vocabulary concept id -> documents
 *             about it) is filled by batches committed while the index
 *             holds a vocabulary; it is absent from older indexes, which
 *             stay readable (the sets are simply empty)
 *   fees      BE32 docid -> fee_min, fee_max as two IEEE-754 doubles,
 *             little-endian (only documents that have both)
 *   postings  term bytes, 0x00, BE32 last docid of the block -> one posting
 *             block (layout in src/postings.c: counts, tf bound, length
 *             bound, Stream VByte docid gaps, field/tf bytes, varint
 *             position gaps, score frontier)
 *
 * A term's blocks hold up to 128 postings each, in docid order, so the key
 * order is the posting order, a B-tree seek to (term, d) lands on the block
 * that may hold d (skip data), and appending a new document touches only a
 * term's last block. Terms never contain a 0x00 byte (the tokenizer only
 * emits letters, digits, apostrophes and '.'), so keys of different terms
 * never interleave.
 *
 * Docids are assigned in increasing order and never reused; re-indexing an
 * id deletes the old docid's postings and stores the new version under a
 * new docid. Deletion removes the document from each of its terms' blocks.
 *
 * Writers and staged records: every write transaction holds the writer
 * lock, an exclusive flock(2) on data.mdb (and a mutex within a process).
 * A bulk batch into an empty index holds it across several transactions:
 * it stores document and fee records ahead, under docids from "stats"
 * next_docid on, in transactions that change nothing else. When the
 * dictionary (terms) and the posting blocks are empty too, it then writes
 * its posting blocks ahead the same way, keeping its dictionary entries
 * back. Its last transaction commits ids, norms, terms, the remaining
 * postings, facets and stats. Until then the staged records are
 * unreachable: no id, dictionary entry or statistic names them, and
 * readers reach posting blocks only through the dictionary. Records at or
 * past next_docid, and posting blocks while the dictionary is empty, found
 * by a writer holding the lock belong to a batch that died, and are swept
 * before it writes.
 *
 * History: version 1 had no length bounds (in blocks or terms); version 2
 * no per-type document counts in "stats"; version 3 no facets or fees;
 * version 4 no score frontier (src/impact.c) in posting blocks.
 *
 * Version check: rp_index_open reads meta "format"; a missing key on an
 * empty environment initialises a new index; any other value than
 * RP_INDEX_FORMAT fails with RP_EVERSION and the index must be rebuilt from
 * its sources (there is no in-place migration). Everything read back is
 * treated as untrusted: bad lengths or varints give RP_ECORRUPT.
 */
#define _DEFAULT_SOURCE /* flock */
#include "rapport/index.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "rapport/stem.h"

#define NORMS_CHUNK 256
#define NORMS_BYTES (NORMS_CHUNK + NORMS_CHUNK * RP_NFIELDS * 2)
#define DEFAULT_MAP_SIZE ((size_t)64 << 30)
#define IDLE_READERS 16 /* ended read transactions kept for reuse */

enum {
    DB_META,
    DB_DOCS,
    DB_IDS,
    DB_NORMS,
    DB_TERMS,
    DB_POSTINGS,
    DB_FACETS,
    DB_FEES,
    DB_COUNT
};
static const char *const db_names[DB_COUNT] = {
    "meta", "docs", "ids", "norms", "terms", "postings", "facets", "fees"};

struct rp_index {
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    char lang[32];
    int readonly;
    /* The writer lock (rp_index_writer_hold): a recursive mutex for the
     * threads of this process, and while it is held at depth >= 1 an
     * exclusive flock on data.mdb for other processes and handles. */
    pthread_mutex_t wmu;
    unsigned wdepth; /* guarded by wmu */
    /* Read transactions ended and kept for the next ones (reader_end):
     * reset, so they pin no snapshot, with their norms chunk tables. */
    pthread_mutex_t rmu;
    rp_txn *idle[IDLE_READERS]; /* guarded by rmu */
    size_t nidle;               /* guarded by rmu */
};

/* Slots of a read transaction's norms chunk table; a power of two. A
 * search walks documents in order, so chunks 1,024 apart rarely alternate,
 * and a slot taken by another chunk only costs a lookup again. */
#define RCHUNK_SLOTS 1024

struct rchunk {
    uint32_t tag;             /* chunk number + 1; 0: empty */
    const unsigned char *p;   /* its bytes; NULL: there is no such chunk */
};

struct rp_txn {
    rp_index *ix;
    MDB_txn *txn;
    int write; /* holds one level of the writer lock */
    /* Readers keep the norms chunks they have looked up in a
     * direct-mapped table of RCHUNK_SLOTS (made on first use): pointers
     * into LMDB's map, valid while the transaction lives. Its size does
     * not depend on how high docids go. The table outlives the
     * transaction when it is kept for reuse, and serves the next one on
     * the same snapshot (no commit in between: the same pages). */
    struct rchunk *rchunks; /* owned */
    size_t snap;            /* readers: the snapshot rchunks are from */
    /* Writers buffer one chunk and write it when another is needed. */
    uint32_t wchunk_no;
    int wchunk_loaded, wchunk_dirty;
    unsigned char wchunk[NORMS_BYTES];
};

static int map_rc(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return 0;
    case MDB_NOTFOUND:
        return RP_ENOTFOUND;
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
        return RP_EFULL;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_BAD_VALSIZE:
        return RP_ECORRUPT;
    case MDB_VERSION_MISMATCH:
        return RP_EVERSION;
    case MDB_READERS_FULL:
    case MDB_BAD_RSLOT:
        return RP_EBUSY;
    case MDB_MAP_RESIZED:
        return RP_EBUSY;
    default:
        return rc > 0 ? -rc : RP_EIO;
    }
}

static void be32_put(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t be32_get(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static int mkdirs(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return -ENAMETOOLONG;
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -errno;
        path[i] = c;
    }
    return 0;
}

static int get_val(rp_txn *t, int db, const void *k, size_t klen, MDB_val *v)
{
    MDB_val key = {klen, (void *)k};
    return map_rc(mdb_get(t->txn, t->ix->dbi[db], &key, v));
}

static int put_val(rp_txn *t, int db, const void *k, size_t klen,
                   const void *v, size_t vlen, unsigned flags)
{
    MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};
    return map_rc(mdb_put(t->txn, t->ix->dbi[db], &key, &val, flags));
}

static int del_val(rp_txn *t, int db, const void *k, size_t klen)
{
    MDB_val key = {klen, (void *)k};
    int rc = map_rc(mdb_del(t->txn, t->ix->dbi[db], &key, NULL));
    return rc == RP_ENOTFOUND ? 0 : rc;
}

static int canonical_lang(const char *lang, char *out, size_t cap)
{
    rp_stemmer *s;
    int rc = rp_stemmer_new(lang, &s);
    if (rc != 0)
        return rc;
    snprintf(out, cap, "%s", rp_stemmer_lang(s));
    rp_stemmer_free(s);
    return 0;
}

static int init_meta(rp_txn *t, const char *lang, rp_error *err,
                     const char *dir)
{
    MDB_val v;
    int rc = get_val(t, DB_META, "format", 6, &v);
    if (rc == RP_ENOTFOUND) {
        if (t->ix->readonly)
            return rp_error_set(err, RP_ECORRUPT, 0,
                                "%s: not a rapport index", dir);
        unsigned char fmt[4] = {RP_INDEX_FORMAT, 0, 0, 0};
        rp_stats st;
        memset(&st, 0, sizeof st);
        st.next_docid = 1;
        if ((rc = put_val(t, DB_META, "format", 6, fmt, 4, 0)) != 0 ||
            (rc = put_val(t, DB_META, "lang", 4, lang, strlen(lang), 0)) !=
                0 ||
            (rc = rp_txn_put_stats(t, &st)) != 0)
            return rc;
        snprintf(t->ix->lang, sizeof t->ix->lang, "%s", lang);
        return 0;
    }
    if (rc != 0)
        return rc;
    if (v.mv_size != 4)
        return rp_error_set(err, RP_ECORRUPT, 0, "%s: bad format key", dir);
    const unsigned char *f = v.mv_data;
    uint32_t version = f[0] | f[1] << 8 | (uint32_t)f[2] << 16 |
                       (uint32_t)f[3] << 24;
    if (version != RP_INDEX_FORMAT)
        return rp_error_set(err, RP_EVERSION, 0,
                            "%s: index format %u, this build reads %d; "
                            "rebuild the index",
                            dir, version, RP_INDEX_FORMAT);
    if ((rc = get_val(t, DB_META, "lang", 4, &v)) != 0)
        return rc == RP_ENOTFOUND ? RP_ECORRUPT : rc;
    if (v.mv_size == 0 || v.mv_size >= sizeof t->ix->lang)
        return RP_ECORRUPT;
    memcpy(t->ix->lang, v.mv_data, v.mv_size);
    t->ix->lang[v.mv_size] = '\0';
    return 0;
}

int rp_index_open(const char *dir, const rp_index_opts *opts, rp_index **out,
                  rp_error *err)
{
    static const rp_index_opts defaults = {NULL, 0, 0, 0};
    *out = NULL;
    if (opts == NULL)
        opts = &defaults;
    char lang[32];
    int rc = canonical_lang(opts->lang ? opts->lang : "english", lang,
                            sizeof lang);
    if (rc != 0)
        return rp_error_set(err, rc, 0, "unsupported language '%s'",
                            opts->lang);
    if (!opts->readonly && (rc = mkdirs(dir)) != 0)
        return rp_error_set(err, rc, 0, "%s: cannot create: %s", dir,
                            rp_strerror(rc));
    rp_index *ix = calloc(1, sizeof *ix);
    if (ix == NULL)
        return RP_ENOMEM;
    ix->readonly = opts->readonly;
    pthread_mutexattr_t ma;
    if (pthread_mutexattr_init(&ma) != 0) {
        free(ix);
        return RP_ENOMEM;
    }
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    rc = pthread_mutex_init(&ix->wmu, &ma) != 0 ? RP_ENOMEM : 0;
    pthread_mutexattr_destroy(&ma);
    if (rc == 0 && pthread_mutex_init(&ix->rmu, NULL) != 0) {
        pthread_mutex_destroy(&ix->wmu);
        rc = RP_ENOMEM;
    }
    if (rc != 0) {
        free(ix);
        return rc;
    }
    rp_txn *t = NULL;
    if ((rc = map_rc(mdb_env_create(&ix->env))) != 0)
        goto fail;
    mdb_env_set_maxdbs(ix->env, DB_COUNT);
    mdb_env_set_mapsize(ix->env, opts->map_size ? opts->map_size
                                                : DEFAULT_MAP_SIZE);
    mdb_env_set_maxreaders(ix->env, opts->max_readers ? opts->max_readers
                                                      : RP_INDEX_READERS);
    /* Durability: none of LMDB's no-sync, no-meta-sync, async-map or
     * writable-map flags, ever (rp_index_durable checks; tests/test_index.c
     * keeps them out of the source). A commit returns after its pages and then its
     * meta page were written and synced, so an acknowledged write survives
     * a crash and an interrupted one leaves the previous state. MDB_NOTLS:
     * a read transaction belongs to the request, not to the thread (the
     * HTTP pool may move requests between threads). */
    unsigned flags = MDB_NOTLS | (opts->readonly ? MDB_RDONLY : 0);
    if ((rc = map_rc(mdb_env_open(ix->env, dir, flags, 0644))) != 0) {
        rp_error_set(err, rc, 0, "%s: cannot open index: %s", dir,
                     rp_strerror(rc));
        goto fail;
    }
    /* Slots of readers that died since the last run would pin pages. */
    if ((rc = rp_index_reader_check(ix, NULL)) != 0)
        goto fail;
    t = calloc(1, sizeof *t);
    if (t == NULL) {
        rc = RP_ENOMEM;
        goto fail;
    }
    t->ix = ix;
    t->write = !opts->readonly;
    rc = map_rc(mdb_txn_begin(ix->env, NULL, opts->readonly ? MDB_RDONLY : 0,
                              &t->txn));
    if (rc != 0)
        goto fail;
    for (int i = 0; i < DB_COUNT && rc == 0; i++)
        rc = map_rc(mdb_dbi_open(t->txn, db_names[i],
                                 opts->readonly ? 0 : MDB_CREATE,
                                 &ix->dbi[i]));
    if (rc == RP_ENOTFOUND) {
        rp_error_set(err, RP_ECORRUPT, 0, "%s: not a rapport index", dir);
        rc = RP_ECORRUPT;
    }
    if (rc == 0)
        rc = init_meta(t, lang, err, dir);
    if (rc == 0 && opts->lang && strcmp(lang, ix->lang) != 0)
        rc = rp_error_set(err, RP_ELANG, 0,
                          "%s: index language is %s, not %s", dir, ix->lang,
                          lang);
    if (rc != 0)
        goto fail;
    rc = map_rc(mdb_txn_commit(t->txn));
    t->txn = NULL;
    free(t);
    t = NULL;
    if (rc != 0)
        goto fail;
    *out = ix;
    return 0;
fail:
    if (t != NULL) {
        if (t->txn)
            mdb_txn_abort(t->txn);
        free(t);
    }
    rp_error_set(err, rc, 0, "%s: %s", dir, rp_strerror(rc));
    if (ix->env)
        mdb_env_close(ix->env);
    pthread_mutex_destroy(&ix->wmu);
    pthread_mutex_destroy(&ix->rmu);
    free(ix);
    return rc;
}

int rp_index_parse_size(const char *s, size_t *out)
{
    *out = 0;
    if (s == NULL || *s < '0' || *s > '9')
        return RP_EINVAL;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    int shift = 0;
    switch (*end) {
    case 'T': case 't': shift = 40; break;
    case 'G': case 'g': shift = 30; break;
    case 'M': case 'm': shift = 20; break;
    case 'K': case 'k': shift = 10; break;
    case '\0': break;
    default: return RP_EINVAL;
    }
    if (shift && end[1] != '\0')
        return RP_EINVAL;
    if (errno != 0 || n == 0 || n > (SIZE_MAX >> shift))
        return RP_EINVAL;
    *out = (size_t)n << shift;
    return 0;
}

int rp_index_reader_check(rp_index *ix, int *cleared)
{
    int dead = 0;
    int rc = map_rc(mdb_reader_check(ix->env, &dead));
    if (cleared)
        *cleared = rc == 0 ? dead : 0;
    return rc;
}

int rp_index_durable(const rp_index *ix)
{
    unsigned flags = 0;
    if (mdb_env_get_flags(ix->env, &flags) != 0)
        return 0;
    return (flags & (MDB_NOSYNC | MDB_NOMETASYNC | MDB_MAPASYNC |
                     MDB_WRITEMAP)) == 0;
}

int rp_index_backup(rp_index *ix, const char *dest, rp_error *err)
{
    int rc = mkdirs(dest);
    if (rc == 0)
        rc = map_rc(mdb_env_copy2(ix->env, dest, MDB_CP_COMPACT));
    if (rc == -EEXIST)
        return rp_error_set(err, rc, 0, "%s: already holds an index",
                            dest);
    if (rc != 0)
        return rp_error_set(err, rc, 0, "%s: backup failed: %s", dest,
                            rp_strerror(rc));
    return 0;
}

static void reader_free(rp_txn *t);

void rp_index_close(rp_index *ix)
{
    if (ix == NULL)
        return;
    while (ix->nidle > 0)
        reader_free(ix->idle[--ix->nidle]);
    mdb_env_close(ix->env); /* closing data.mdb drops a flock left held */
    pthread_mutex_destroy(&ix->wmu);
    pthread_mutex_destroy(&ix->rmu);
    free(ix);
}

int rp_index_writer_hold(rp_index *ix)
{
    if (ix->readonly)
        return RP_EINVAL;
    pthread_mutex_lock(&ix->wmu);
    if (ix->wdepth == 0) {
        int fd = -1, rc = map_rc(mdb_env_get_fd(ix->env, &fd));
        while (rc == 0 && flock(fd, LOCK_EX) != 0)
            if (errno != EINTR)
                rc = -errno;
        if (rc != 0) {
            pthread_mutex_unlock(&ix->wmu);
            return rc;
        }
    }
    ix->wdepth++;
    return 0;
}

void rp_index_writer_release(rp_index *ix)
{
    if (--ix->wdepth == 0) {
        int fd = -1;
        if (mdb_env_get_fd(ix->env, &fd) == 0)
            (void)flock(fd, LOCK_UN);
    }
    pthread_mutex_unlock(&ix->wmu);
}

const char *rp_index_lang(const rp_index *ix)
{
    return ix->lang;
}

uint64_t rp_index_disk_bytes(const rp_index *ix)
{
    MDB_envinfo info;
    MDB_stat st;
    if (mdb_env_info(ix->env, &info) != 0 || mdb_env_stat(ix->env, &st) != 0)
        return 0;
    return (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
}

int rp_index_space_get(rp_index *ix, rp_index_space *out)
{
    memset(out, 0, sizeof *out);
    MDB_txn *txn;
    int rc = map_rc(mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &txn));
    if (rc != 0)
        return rc;
    uint64_t facets = 0, fees = 0;
    uint64_t *slot[DB_COUNT] = {&out->meta,  &out->docs,     &out->ids,
                                &out->norms, &out->terms,    &out->postings,
                                &facets,     &fees};
    for (int i = 0; i < DB_COUNT && rc == 0; i++) {
        MDB_stat st;
        rc = map_rc(mdb_stat(txn, ix->dbi[i], &st));
        if (rc == 0)
            *slot[i] = (uint64_t)st.ms_psize * (st.ms_branch_pages +
                                                st.ms_leaf_pages +
                                                st.ms_overflow_pages);
        if (rc == 0 && i == DB_TERMS)
            out->nterms = st.ms_entries;
    }
    mdb_txn_abort(txn);
    return rc;
}

/* Frees a read transaction that is not kept. */
static void reader_free(rp_txn *t)
{
    mdb_txn_abort(t->txn);
    free(t->rchunks);
    free(t);
}

/* Ends a read transaction: reset and kept for reuse while there is room,
 * else freed. */
static void reader_end(rp_txn *t)
{
    rp_index *ix = t->ix;
    mdb_txn_reset(t->txn);
    pthread_mutex_lock(&ix->rmu);
    int kept = ix->nidle < IDLE_READERS;
    if (kept)
        ix->idle[ix->nidle++] = t;
    pthread_mutex_unlock(&ix->rmu);
    if (!kept)
        reader_free(t);
}

/* A kept read transaction, renewed on the current snapshot; NULL when none
 * is kept or renewing fails. Its norms chunk table is emptied unless the
 * snapshot is the one the table was filled from. */
static rp_txn *reader_reuse(rp_index *ix)
{
    pthread_mutex_lock(&ix->rmu);
    rp_txn *t = ix->nidle ? ix->idle[--ix->nidle] : NULL;
    pthread_mutex_unlock(&ix->rmu);
    if (t == NULL)
        return NULL;
    if (mdb_txn_renew(t->txn) != 0) {
        reader_free(t);
        return NULL;
    }
    size_t snap = mdb_txn_id(t->txn);
    if (snap != t->snap && t->rchunks != NULL)
        memset(t->rchunks, 0, RCHUNK_SLOTS * sizeof *t->rchunks);
    t->snap = snap;
    return t;
}

int rp_txn_begin(rp_index *ix, int write, rp_txn **out)
{
    *out = NULL;
    if (write && ix->readonly)
        return RP_EINVAL;
    if (!write && (*out = reader_reuse(ix)) != NULL)
        return 0;
    rp_txn *t = malloc(sizeof *t);
    if (t == NULL)
        return RP_ENOMEM;
    memset(t, 0, offsetof(rp_txn, wchunk));
    t->ix = ix;
    t->write = write != 0;
    int rc = write ? rp_index_writer_hold(ix) : 0;
    if (rc == 0) {
        rc = map_rc(
            mdb_txn_begin(ix->env, NULL, write ? 0 : MDB_RDONLY, &t->txn));
        if (rc != 0 && write)
            rp_index_writer_release(ix);
    }
    if (rc != 0) {
        free(t);
        return rc;
    }
    if (!write)
        t->snap = mdb_txn_id(t->txn);
    *out = t;
    return 0;
}

static int flush_norms(rp_txn *t)
{
    if (!t->wchunk_dirty)
        return 0;
    unsigned char key[4];
    be32_put(key, t->wchunk_no);
    int any = 0;
    for (int i = 0; i < NORMS_CHUNK && !any; i++)
        any = t->wchunk[i] != 0;
    int rc = any ? put_val(t, DB_NORMS, key, 4, t->wchunk, NORMS_BYTES, 0)
                 : del_val(t, DB_NORMS, key, 4);
    if (rc == 0)
        t->wchunk_dirty = 0;
    return rc;
}

int rp_txn_commit(rp_txn *t)
{
    if (!t->write) {
        reader_end(t); /* nothing to commit */
        return 0;
    }
    int rc = flush_norms(t);
    if (rc != 0)
        mdb_txn_abort(t->txn);
    else
        rc = map_rc(mdb_txn_commit(t->txn));
    rp_index_writer_release(t->ix);
    free(t->rchunks);
    free(t);
    return rc;
}

int rp_txn_checkpoint(rp_txn *t)
{
    if (!t->write || t->txn == NULL)
        return RP_EINVAL;
    int rc = flush_norms(t);
    if (rc != 0)
        mdb_txn_abort(t->txn);
    else
        rc = map_rc(mdb_txn_commit(t->txn));
    t->txn = NULL;
    if (rc == 0)
        rc = map_rc(mdb_txn_begin(t->ix->env, NULL, 0, &t->txn));
    return rc;
}

/* Entries in the dictionary and in the posting blocks. */
static int postings_counts(rp_txn *t, size_t *terms, size_t *blocks)
{
    MDB_stat st;
    int rc = map_rc(mdb_stat(t->txn, t->ix->dbi[DB_TERMS], &st));
    *terms = rc == 0 ? st.ms_entries : 0;
    if (rc == 0)
        rc = map_rc(mdb_stat(t->txn, t->ix->dbi[DB_POSTINGS], &st));
    *blocks = rc == 0 ? st.ms_entries : 0;
    return rc;
}

int rp_txn_postings_empty(rp_txn *t, int *empty)
{
    size_t terms, blocks;
    int rc = postings_counts(t, &terms, &blocks);
    *empty = rc == 0 && terms == 0 && blocks == 0;
    return rc;
}

void rp_txn_abort(rp_txn *t)
{
    if (t == NULL)
        return;
    if (!t->write) {
        reader_end(t);
        return;
    }
    mdb_txn_abort(t->txn);
    rp_index_writer_release(t->ix);
    free(t->rchunks);
    free(t);
}

int rp_txn_stats(rp_txn *t, rp_stats *out)
{
    MDB_val v;
    memset(out, 0, sizeof *out);
    int rc = get_val(t, DB_META, "stats", 5, &v);
    if (rc != 0)
        return rc == RP_ENOTFOUND ? RP_ECORRUPT : rc;
    const unsigned char *p = v.mv_data, *end = p + v.mv_size;
    uint64_t x;
    size_t k;
    if ((k = rp_varint_get(p, end, &out->ndocs)) == 0)
        return RP_ECORRUPT;
    p += k;
    if ((k = rp_varint_get(p, end, &x)) == 0 || x == 0 || x > UINT32_MAX)
        return RP_ECORRUPT;
    out->next_docid = (rp_docid)x;
    p += k;
    for (int f = 0; f < RP_NFIELDS; f++) {
        if ((k = rp_varint_get(p, end, &out->fieldlen[f])) == 0)
            return RP_ECORRUPT;
        p += k;
    }
    for (int ty = 0; ty < RP_DOC_TYPES; ty++) {
        if ((k = rp_varint_get(p, end, &out->ntype[ty])) == 0)
            return RP_ECORRUPT;
        p += k;
    }
    return p == end ? 0 : RP_ECORRUPT;
}

int rp_txn_put_stats(rp_txn *t, const rp_stats *st)
{
    unsigned char buf[10 * (2 + RP_NFIELDS + RP_DOC_TYPES)];
    size_t n = rp_varint_put(buf, st->ndocs);
    n += rp_varint_put(buf + n, st->next_docid);
    for (int f = 0; f < RP_NFIELDS; f++)
        n += rp_varint_put(buf + n, st->fieldlen[f]);
    for (int ty = 0; ty < RP_DOC_TYPES; ty++)
        n += rp_varint_put(buf + n, st->ntype[ty]);
    return put_val(t, DB_META, "stats", 5, buf, n, 0);
}

static size_t setting_key(char *key, size_t cap, const char *name)
{
    int n = snprintf(key, cap, "cfg:%s", name);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

int rp_txn_setting_get(rp_txn *t, const char *name, const void **data,
                       size_t *len)
{
    char key[128];
    size_t klen = setting_key(key, sizeof key, name);
    MDB_val v;
    *data = NULL;
    *len = 0;
    if (klen == 0)
        return RP_EINVAL;
    int rc = get_val(t, DB_META, key, klen, &v);
    if (rc == 0) {
        *data = v.mv_data;
        *len = v.mv_size;
    }
    return rc;
}

int rp_txn_setting_put(rp_txn *t, const char *name, const void *data,
                       size_t len)
{
    char key[128];
    size_t klen = setting_key(key, sizeof key, name);
    if (klen == 0)
        return RP_EINVAL;
    if (len == 0)
        return del_val(t, DB_META, key, klen);
    return put_val(t, DB_META, key, klen, data, len, 0);
}

int rp_txn_doc_get(rp_txn *t, rp_docid doc, const void **rec, size_t *len)
{
    unsigned char key[4];
    MDB_val v;
    be32_put(key, doc);
    int rc = get_val(t, DB_DOCS, key, 4, &v);
    *rec = rc == 0 ? v.mv_data : NULL;
    *len = rc == 0 ? v.mv_size : 0;
    return rc;
}

int rp_txn_doc_put(rp_txn *t, rp_docid doc, const void *rec, size_t len,
                   int append)
{
    unsigned char key[4];
    be32_put(key, doc);
    return put_val(t, DB_DOCS, key, 4, rec, len, append ? MDB_APPEND : 0);
}

int rp_txn_doc_del(rp_txn *t, rp_docid doc)
{
    unsigned char key[4];
    be32_put(key, doc);
    return del_val(t, DB_DOCS, key, 4);
}

/* Deletes db's BE32 docid keys >= from; *n counts them. */
static int sweep_from(rp_txn *t, int db, rp_docid from, size_t *n)
{
    MDB_cursor *c;
    int rc = map_rc(mdb_cursor_open(t->txn, t->ix->dbi[db], &c));
    if (rc != 0)
        return rc;
    unsigned char key[4];
    be32_put(key, from);
    for (;;) {
        MDB_val k = {4, key}, v; /* seeks anew after each deletion */
        if ((rc = map_rc(mdb_cursor_get(c, &k, &v, MDB_SET_RANGE))) != 0 ||
            (rc = map_rc(mdb_cursor_del(c, 0))) != 0)
            break;
        (*n)++;
    }
    mdb_cursor_close(c);
    return rc == RP_ENOTFOUND ? 0 : rc;
}

int rp_txn_sweep_staged(rp_txn *t, rp_docid from, size_t *swept)
{
    size_t n = 0;
    int rc = t->write ? 0 : RP_EINVAL;
    if (rc == 0)
        rc = sweep_from(t, DB_DOCS, from, &n);
    if (rc == 0)
        rc = sweep_from(t, DB_FEES, from, &n);
    /* Blocks with no dictionary are a dead batch's staged postings. */
    size_t terms = 0, blocks = 0;
    if (rc == 0)
        rc = postings_counts(t, &terms, &blocks);
    if (rc == 0 && terms == 0 && blocks > 0) {
        rc = map_rc(mdb_drop(t->txn, t->ix->dbi[DB_POSTINGS], 0));
        n += blocks;
    }
    if (swept)
        *swept = n;
    return rc;
}

int rp_txn_id_get(rp_txn *t, const char *id, size_t len, rp_docid *out)
{
    MDB_val v;
    *out = 0;
    if (len == 0 || len > 511)
        return RP_ENOTFOUND;
    int rc = get_val(t, DB_IDS, id, len, &v);
    if (rc != 0)
        return rc;
    if (v.mv_size != 4)
        return RP_ECORRUPT;
    *out = be32_get(v.mv_data);
    return 0;
}

int rp_txn_id_put(rp_txn *t, const char *id, size_t len, rp_docid doc,
                  int append)
{
    unsigned char val[4];
    be32_put(val, doc);
    return put_val(t, DB_IDS, id, len, val, 4, append ? MDB_APPEND : 0);
}

int rp_txn_id_del(rp_txn *t, const char *id, size_t len)
{
    return del_val(t, DB_IDS, id, len);
}

/* Where slot's field lengths start in a chunk. */
#define NORMS_LENS(c, slot)                                                    \
    ((c) + NORMS_CHUNK + (size_t)(slot) * RP_NFIELDS * 2)

static void lens_from_chunk(const unsigned char *c, uint32_t slot,
                            uint16_t len[RP_NFIELDS])
{
    const unsigned char *l = NORMS_LENS(c, slot);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Stored little-endian: on such a host the bytes are the array. */
    memcpy(len, l, RP_NFIELDS * sizeof *len);
#else
    for (int f = 0; f < RP_NFIELDS; f++)
        len[f] = (uint16_t)(l[2 * f] | l[2 * f + 1] << 8);
#endif
}

static void norms_from_chunk(const unsigned char *c, uint32_t slot,
                             rp_norms *out)
{
    out->type = (rp_doctype)c[slot];
    lens_from_chunk(c, slot, out->len);
}

static int load_wchunk(rp_txn *t, uint32_t chunk)
{
    if (t->wchunk_loaded && t->wchunk_no == chunk)
        return 0;
    int rc = flush_norms(t);
    if (rc != 0)
        return rc;
    unsigned char key[4];
    MDB_val v;
    be32_put(key, chunk);
    rc = get_val(t, DB_NORMS, key, 4, &v);
    if (rc == 0 && v.mv_size != NORMS_BYTES)
        return RP_ECORRUPT;
    if (rc == 0)
        memcpy(t->wchunk, v.mv_data, NORMS_BYTES);
    else if (rc == RP_ENOTFOUND)
        memset(t->wchunk, 0, NORMS_BYTES);
    else
        return rc;
    t->wchunk_no = chunk;
    t->wchunk_loaded = 1;
    return 0;
}

/* A read transaction's norms chunk `chunk`: *out points at its bytes, or
 * is NULL when there is no such chunk. A chunk is looked up in LMDB once,
 * while its slot keeps it. Returns 0, RP_ECORRUPT, RP_ENOMEM or RP_EIO. */
static int read_chunk(rp_txn *t, uint32_t chunk, const unsigned char **out)
{
    *out = NULL;
    if (t->rchunks == NULL &&
        (t->rchunks = calloc(RCHUNK_SLOTS, sizeof *t->rchunks)) == NULL)
        return RP_ENOMEM;
    struct rchunk *e = &t->rchunks[chunk & (RCHUNK_SLOTS - 1)];
    if (e->tag != chunk + 1) { /* chunk < 2^24: no overflow */
        unsigned char key[4];
        MDB_val v;
        be32_put(key, chunk);
        int rc = get_val(t, DB_NORMS, key, 4, &v);
        if (rc != 0 && rc != RP_ENOTFOUND)
            return rc;
        if (rc == 0 && v.mv_size != NORMS_BYTES)
            return RP_ECORRUPT;
        e->tag = chunk + 1;
        e->p = rc == 0 ? v.mv_data : NULL;
    }
    *out = e->p;
    return 0;
}

/* doc's norms chunk in either kind of transaction: *out is NULL when a
 * read transaction has no such chunk (a write transaction's buffer is
 * zeroed instead). */
static int chunk_of(rp_txn *t, rp_docid doc, const unsigned char **out)
{
    uint32_t chunk = doc / NORMS_CHUNK;
    if (!t->write)
        return read_chunk(t, chunk, out);
    int rc = load_wchunk(t, chunk);
    *out = rc == 0 ? t->wchunk : NULL;
    return rc;
}

int rp_txn_norms_get(rp_txn *t, rp_docid doc, rp_norms *out)
{
    const unsigned char *c;
    int rc = chunk_of(t, doc, &c);
    if (rc != 0)
        return rc;
    if (c == NULL) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    norms_from_chunk(c, doc % NORMS_CHUNK, out);
    if ((unsigned)out->type >= RP_DOC_TYPES)
        return RP_ECORRUPT;
    return 0;
}

int rp_txn_lens_get(rp_txn *t, rp_docid doc, uint16_t len[RP_NFIELDS])
{
    const unsigned char *c;
    int rc = chunk_of(t, doc, &c);
    if (rc != 0)
        return rc;
    if (c == NULL)
        memset(len, 0, RP_NFIELDS * sizeof *len);
    else
        lens_from_chunk(c, doc % NORMS_CHUNK, len);
    return 0;
}

/* A read transaction's chunk for a prefetch, or NULL: a hint has no
 * errors, a failure shows when the norms are read. */
static const unsigned char *prefetch_chunk(rp_txn *t, rp_docid doc)
{
    const unsigned char *c;
    if (t->write || read_chunk(t, doc / NORMS_CHUNK, &c) != 0)
        return NULL;
    return c;
}

void rp_txn_norms_prefetch(rp_txn *t, rp_docid doc)
{
    const unsigned char *c = prefetch_chunk(t, doc);
    if (c == NULL)
        return;
    __builtin_prefetch(c + doc % NORMS_CHUNK); /* the type */
    __builtin_prefetch(NORMS_LENS(c, doc % NORMS_CHUNK));
}

void rp_txn_lens_prefetch(rp_txn *t, rp_docid doc)
{
    const unsigned char *c = prefetch_chunk(t, doc);
    if (c != NULL)
        __builtin_prefetch(NORMS_LENS(c, doc % NORMS_CHUNK));
}

int rp_txn_norms_put(rp_txn *t, rp_docid doc, const rp_norms *n)
{
    if (!t->write)
        return RP_EINVAL;
    uint32_t chunk = doc / NORMS_CHUNK, slot = doc % NORMS_CHUNK;
    int rc = load_wchunk(t, chunk);
    if (rc != 0)
        return rc;
    t->wchunk[slot] = (unsigned char)n->type;
    unsigned char *l = NORMS_LENS(t->wchunk, slot);
    for (int f = 0; f < RP_NFIELDS; f++) {
        uint16_t v = n->type == RP_DOC_NONE ? 0 : n->len[f];
        l[2 * f] = (unsigned char)v;
        l[2 * f + 1] = (unsigned char)(v >> 8);
    }
    t->wchunk_dirty = 1;
    return 0;
}

/* ---- facets and fees --------------------------------------------------- */

static size_t facet_key(unsigned char *key, int facet, const char *v,
                        size_t len)
{
    key[0] = (unsigned char)facet;
    memcpy(key + 1, v, len);
    return len + 1;
}

int rp_txn_facet_get(rp_txn *t, int facet, const char *v, size_t len,
                     rp_docset **out)
{
    *out = NULL;
    if (facet < 0 || facet >= RP_NFACETS || len == 0 ||
        len > RP_FACET_VALUE_MAX)
        return rp_docset_new(out);
    unsigned char key[RP_FACET_VALUE_MAX + 1];
    MDB_val val;
    int rc = get_val(t, DB_FACETS, key, facet_key(key, facet, v, len), &val);
    if (rc == RP_ENOTFOUND)
        return rp_docset_new(out);
    if (rc != 0)
        return rc;
    return rp_docset_decode(val.mv_data, val.mv_size, out);
}

int rp_txn_facet_put(rp_txn *t, int facet, const char *v, size_t len,
                     const rp_docset *set)
{
    if (facet < 0 || facet >= RP_NFACETS || len == 0 ||
        len > RP_FACET_VALUE_MAX)
        return RP_EINVAL;
    unsigned char key[RP_FACET_VALUE_MAX + 1];
    size_t klen = facet_key(key, facet, v, len);
    if (rp_docset_count(set) == 0)
        return del_val(t, DB_FACETS, key, klen);
    rp_buf enc = RP_BUF_INIT;
    int rc = rp_docset_encode(set, &enc);
    if (rc == 0)
        rc = put_val(t, DB_FACETS, key, klen, enc.data, enc.len, 0);
    rp_buf_fini(&enc);
    return rc;
}

int rp_txn_facet_scan(rp_txn *t, int facet, rp_facet_value_cb cb, void *ctx)
{
    MDB_cursor *c;
    int rc = map_rc(mdb_cursor_open(t->txn, t->ix->dbi[DB_FACETS], &c));
    if (rc != 0)
        return rc;
    unsigned char first = (unsigned char)facet;
    MDB_val k = {1, &first}, v;
    for (rc = map_rc(mdb_cursor_get(c, &k, &v, MDB_SET_RANGE)); rc == 0;
         rc = map_rc(mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
        const unsigned char *kb = k.mv_data;
        if (k.mv_size < 2 || kb[0] != first)
            break;
        rp_docset *set;
        if ((rc = rp_docset_decode(v.mv_data, v.mv_size, &set)) != 0)
            break;
        rc = cb(ctx, (const char *)kb + 1, k.mv_size - 1, set);
        rp_docset_free(set);
        if (rc != 0)
            break;
    }
    mdb_cursor_close(c);
    return rc == RP_ENOTFOUND ? 0 : rc;
}

int rp_txn_fees_get(rp_txn *t, rp_docid doc, rp_fees *out)
{
    unsigned char key[4];
    MDB_val v;
    memset(out, 0, sizeof *out);
    be32_put(key, doc);
    int rc = get_val(t, DB_FEES, key, 4, &v);
    if (rc == RP_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    if (v.mv_size != 16)
        return RP_ECORRUPT;
    memcpy(&out->min, v.mv_data, 8);
    memcpy(&out->max, (const unsigned char *)v.mv_data + 8, 8);
    out->known = 1;
    return 0;
}

int rp_txn_fees_put(rp_txn *t, rp_docid doc, const rp_fees *fees)
{
    unsigned char key[4], val[16];
    be32_put(key, doc);
    if (!fees->known)
        return del_val(t, DB_FEES, key, 4);
    memcpy(val, &fees->min, 8);
    memcpy(val + 8, &fees->max, 8);
    return put_val(t, DB_FEES, key, 4, val, 16, 0);
}

static int terminfo_decode(const MDB_val *v, rp_terminfo *out)
{
    const unsigned char *p = v->mv_data, *end = p + v->mv_size;
    uint64_t df;
    size_t k;
    if ((k = rp_varint_get(p, end, &df)) == 0 || df == 0 || df > UINT32_MAX)
        return RP_ECORRUPT;
    out->df = (uint32_t)df;
    p += k;
    if ((k = rp_varint_get(p, end, &out->cf)) == 0 || out->cf < df)
        return RP_ECORRUPT;
    p += k;
    if ((k = rp_bound_get(p, end, &out->bound)) == 0)
        return RP_ECORRUPT;
    p += k;
    if ((k = rp_lenbound_get(p, end, &out->lens)) == 0 || p + k != end)
        return RP_ECORRUPT;
    return 0;
}

static int terminfo_encode(const rp_terminfo *info, rp_buf *scratch)
{
    scratch->len = 0;
    int rc = 0;
    rp_buf_put_varint_rc(scratch, info->df, &rc);
    rp_buf_put_varint_rc(scratch, info->cf, &rc);
    if (rc == 0)
        rc = rp_bound_put(scratch, &info->bound);
    if (rc == 0)
        rc = rp_lenbound_put(scratch, &info->lens);
    return rc;
}

static int terminfo_put(rp_txn *t, const char *term, size_t len,
                        const rp_terminfo *info, int append, rp_buf *scratch)
{
    int rc = terminfo_encode(info, scratch);
    if (rc == 0)
        rc = put_val(t, DB_TERMS, term, len, scratch->data, scratch->len,
                     append ? MDB_APPEND : 0);
    return rc;
}

int rp_txn_term_get(rp_txn *t, const char *term, size_t len,
                    rp_terminfo *out)
{
    MDB_val v;
    memset(out, 0, sizeof *out);
    if (len == 0 || len > RP_TERM_MAX_BYTES)
        return RP_ENOTFOUND;
    int rc = get_val(t, DB_TERMS, term, len, &v);
    return rc != 0 ? rc : terminfo_decode(&v, out);
}

int rp_txn_term_scan(rp_txn *t, const char *prefix, size_t len,
                     rp_term_cb cb, void *ctx)
{
    MDB_cursor *c;
    int rc = map_rc(mdb_cursor_open(t->txn, t->ix->dbi[DB_TERMS], &c));
    if (rc != 0)
        return rc;
    MDB_val k = {len, (void *)prefix}, v;
    int op = len ? MDB_SET_RANGE : MDB_FIRST;
    for (rc = map_rc(mdb_cursor_get(c, &k, &v, op)); rc == 0;
         rc = map_rc(mdb_cursor_get(c, &k, &v, MDB_NEXT))) {
        if (k.mv_size < len || memcmp(k.mv_data, prefix, len) != 0)
            break;
        rp_terminfo info;
        if ((rc = terminfo_decode(&v, &info)) != 0)
            break;
        if ((rc = cb(ctx, k.mv_data, k.mv_size, &info)) != 0)
            break;
    }
    mdb_cursor_close(c);
    return rc == RP_ENOTFOUND ? 0 : rc;
}

struct rp_termcur {
    MDB_cursor *c;
};

int rp_termcur_open(rp_txn *t, rp_termcur **out)
{
    *out = NULL;
    rp_termcur *tc = malloc(sizeof *tc);
    if (tc == NULL)
        return RP_ENOMEM;
    int rc = map_rc(mdb_cursor_open(t->txn, t->ix->dbi[DB_TERMS], &tc->c));
    if (rc != 0) {
        free(tc);
        return rc;
    }
    *out = tc;
    return 0;
}

static int termcur_get(rp_termcur *tc, MDB_val *k, MDB_cursor_op op,
                       const char **term, size_t *tlen, rp_terminfo *info)
{
    MDB_val v;
    int rc = map_rc(mdb_cursor_get(tc->c, k, &v, op));
    if (rc != 0)
        return rc;
    if (k->mv_size == 0 || k->mv_size > RP_TERM_MAX_BYTES)
        return RP_ECORRUPT;
    *term = k->mv_data;
    *tlen = k->mv_size;
    return terminfo_decode(&v, info);
}

int rp_termcur_seek(rp_termcur *tc, const char *key, size_t len,
                    const char **term, size_t *tlen, rp_terminfo *info)
{
    MDB_val k = {len, (void *)key};
    return termcur_get(tc, &k, len ? MDB_SET_RANGE : MDB_FIRST, term, tlen,
                       info);
}

int rp_termcur_next(rp_termcur *tc, const char **term, size_t *tlen,
                    rp_terminfo *info)
{
    MDB_val k;
    return termcur_get(tc, &k, MDB_NEXT, term, tlen, info);
}

void rp_termcur_close(rp_termcur *tc)
{
    if (tc == NULL)
        return;
    mdb_cursor_close(tc->c);
    free(tc);
}

/* Builds the postings key of a term's block ending at last. */
static size_t block_key(unsigned char *key, const char *term, size_t len,
                        rp_docid last)
{
    memcpy(key, term, len);
    key[len] = 0;
    be32_put(key + len + 1, last);
    return len + 5;
}

static int key_is_term(const MDB_val *k, const char *term, size_t len)
{
    return k->mv_size == len + 5 && memcmp(k->mv_data, term, len) == 0 &&
           ((const unsigned char *)k->mv_data)[len] == 0;
}

static int key_matches_block(const MDB_val *k, const rp_blockhdr *h,
                             size_t len)
{
    return be32_get((const unsigned char *)k->mv_data + len + 1) == h->last;
}

/* Decodes every posting of a block into a->pend, copying positions. */
static int unpack_block(rp_appender *a, const rp_blockhdr *h)
{
    rp_docid docs[RP_BLOCK_DOCS];
    uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
    uint32_t total[RP_BLOCK_DOCS];
    int rc = rp_block_docs(h, docs);
    if (rc == 0)
        rc = rp_block_tfs(h, tf, total);
    if (rc != 0)
        return rc;
    size_t need = 0;
    for (uint32_t i = 0; i < h->n; i++)
        need += total[i];
    if (need > a->cappos) {
        rp_pos *p = realloc(a->pos, need * sizeof *p);
        if (p == NULL)
            return RP_ENOMEM;
        a->pos = p;
        a->cappos = need;
    }
    rp_poscursor pc;
    rp_poscursor_init(&pc, h);
    a->npend = 0;
    a->npos = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        rp_posting *p = &a->pend[i];
        uint32_t n;
        p->doc = docs[i];
        memcpy(p->tf, tf + (size_t)i * RP_NFIELDS, sizeof p->tf);
        rp_norms nm;
        if ((rc = rp_txn_norms_get(a->txn, p->doc, &nm)) != 0)
            return rc;
        memcpy(p->len, nm.len, sizeof p->len);
        rc = rp_block_positions(&pc, total, i, a->pos + a->npos, total[i],
                                &n);
        if (rc != 0)
            return rc;
        p->pos = NULL;
        p->npos = n;
        a->npos += n;
    }
    a->npend = h->n;
    if (pc.p != pc.end)
        return RP_ECORRUPT;
    return 0;
}

/* Points each pending posting at its positions (the buffer may have
 * moved since they were added). */
static void fix_positions(rp_appender *a)
{
    size_t off = 0;
    for (size_t i = 0; i < a->npend; i++) {
        a->pend[i].pos = a->pos + off;
        off += a->pend[i].npos;
    }
}

/* A buffered record: u8 database, varint key length, key, varint value
 * length, value. */
static int put_record(rp_buf *out, int db, const void *k, size_t klen,
                      const void *v, size_t vlen)
{
    int rc = 0;
    unsigned char d = (unsigned char)db;
    rp_buf_append_rc(out, &d, 1, &rc);
    rp_buf_put_varint_rc(out, klen, &rc);
    rp_buf_append_rc(out, k, klen, &rc);
    rp_buf_put_varint_rc(out, vlen, &rc);
    rp_buf_append_rc(out, v, vlen, &rc);
    return rc;
}

int rp_txn_put_records(rp_txn *t, const rp_buf *records)
{
    const unsigned char *p = records->data, *end = p + records->len;
    int rc = 0;
    while (rc == 0 && p < end) {
        unsigned db = *p++;
        uint64_t klen, vlen;
        size_t k = rp_varint_get(p, end, &klen);
        if (db != DB_TERMS && db != DB_POSTINGS)
            return RP_ECORRUPT;
        if (k == 0 || klen > (uint64_t)(end - p - (ptrdiff_t)k))
            return RP_ECORRUPT;
        const unsigned char *key = p + k;
        p = key + klen;
        k = rp_varint_get(p, end, &vlen);
        if (k == 0 || vlen > (uint64_t)(end - p - (ptrdiff_t)k))
            return RP_ECORRUPT;
        rc = put_val(t, (int)db, key, klen, p + k, vlen, MDB_APPEND);
        if (rc == RP_EIO)
            rc = RP_ECORRUPT; /* MDB_KEYEXIST: keys out of order */
        p += k + vlen;
    }
    return rc;
}

static int write_block(rp_appender *a)
{
    if (a->npend == 0)
        return 0;
    fix_positions(a);
    a->enc.len = 0;
    int rc = rp_block_encode(a->pend, a->npend, &a->enc);
    if (rc != 0)
        return rc;
    unsigned char key[RP_TERM_MAX_BYTES + 5];
    size_t klen = block_key(key, a->term, a->term_len,
                            a->pend[a->npend - 1].doc);
    if (a->out)
        rc = put_record(a->out, DB_POSTINGS, key, klen, a->enc.data,
                        a->enc.len);
    else
        rc = put_val(a->txn, DB_POSTINGS, key, klen, a->enc.data,
                     a->enc.len, a->bulk ? MDB_APPEND : 0);
    a->npend = 0;
    a->npos = 0;
    return rc;
}

void rp_appender_init(rp_appender *a)
{
    memset(a, 0, sizeof *a);
}

void rp_appender_fini(rp_appender *a)
{
    if (a == NULL)
        return;
    free(a->pos);
    rp_buf_fini(&a->enc);
    rp_appender_init(a);
}

int rp_appender_begin_buffered(rp_appender *a, rp_buf *out, rp_buf *terms_out,
                               const char *term, size_t len)
{
    if (out == NULL || len == 0 || len > RP_TERM_MAX_BYTES)
        return RP_EINVAL;
    a->txn = NULL;
    a->out = out;
    a->terms_out = terms_out ? terms_out : out;
    memcpy(a->term, term, len);
    a->term_len = len;
    a->bulk = 1;
    a->npend = 0;
    a->npos = 0;
    memset(&a->info, 0, sizeof a->info);
    rp_lenbound_init(&a->info.lens);
    return 0;
}

int rp_appender_begin(rp_appender *a, rp_txn *t, const char *term,
                      size_t len, int bulk)
{
    if (!t->write || len == 0 || len > RP_TERM_MAX_BYTES)
        return RP_EINVAL;
    a->txn = t;
    a->out = NULL;
    memcpy(a->term, term, len);
    a->term_len = len;
    a->bulk = bulk;
    a->npend = 0;
    a->npos = 0;
    memset(&a->info, 0, sizeof a->info);
    rp_lenbound_init(&a->info.lens);
    if (bulk)
        return 0;
    int rc = rp_txn_term_get(t, term, len, &a->info);
    if (rc == RP_ENOTFOUND) {
        memset(&a->info, 0, sizeof a->info);
        rp_lenbound_init(&a->info.lens);
        return 0;
    }
    if (rc != 0)
        return rc;
    /* Reopen the term's last block when it has room. */
    MDB_cursor *c;
    if ((rc = map_rc(mdb_cursor_open(t->txn, t->ix->dbi[DB_POSTINGS], &c))))
        return rc;
    unsigned char key[RP_TERM_MAX_BYTES + 5];
    MDB_val k = {block_key(key, term, len, UINT32_MAX), key}, v;
    rc = map_rc(mdb_cursor_get(c, &k, &v, MDB_SET_RANGE));
    if (rc == 0 && key_is_term(&k, term, len)) {
        /* the last possible key exists: that is the last block */
    } else if (rc == 0 || rc == RP_ENOTFOUND) {
        rc = map_rc(mdb_cursor_get(c, &k, &v,
                                   rc == 0 ? MDB_PREV : MDB_LAST));
    }
    if (rc == 0 && !key_is_term(&k, term, len))
        rc = RP_ECORRUPT; /* the dictionary has it but no block does */
    rp_blockhdr h;
    if (rc == 0)
        rc = rp_block_header(v.mv_data, v.mv_size, &h);
    if (rc == 0 && !key_matches_block(&k, &h, len))
        rc = RP_ECORRUPT;
    if (rc == 0 && h.n < RP_BLOCK_DOCS) {
        rc = unpack_block(a, &h);
        if (rc == 0)
            rc = map_rc(mdb_cursor_del(c, 0));
    }
    mdb_cursor_close(c);
    return rc == RP_ENOTFOUND ? RP_ECORRUPT : rc;
}

int rp_appender_add(rp_appender *a, const rp_posting *p)
{
    rp_docid last = a->npend ? a->pend[a->npend - 1].doc : 0;
    if (p->doc <= last)
        return RP_EINVAL;
    if (a->npend == RP_BLOCK_DOCS) {
        int rc = write_block(a);
        if (rc != 0)
            return rc;
    }
    if (a->npos + p->npos > a->cappos) {
        size_t cap = a->cappos ? a->cappos : 1024;
        while (cap < a->npos + p->npos)
            cap *= 2;
        rp_pos *q = realloc(a->pos, cap * sizeof *q);
        if (q == NULL)
            return RP_ENOMEM;
        a->pos = q;
        a->cappos = cap;
    }
    memcpy(a->pos + a->npos, p->pos, p->npos * sizeof(rp_pos));
    rp_posting *d = &a->pend[a->npend++];
    *d = *p;
    d->pos = NULL;
    a->npos += p->npos;
    a->info.df++;
    a->info.cf += p->npos;
    for (int f = 0; f < RP_NFIELDS; f++)
        if (p->tf[f] > a->info.bound.maxtf[f])
            a->info.bound.maxtf[f] = p->tf[f];
    rp_lenbound_add(&a->info.lens, p->len);
    return 0;
}

int rp_appender_end(rp_appender *a)
{
    int rc = write_block(a);
    if (rc != 0 || a->info.df == 0)
        return rc;
    if (a->out == NULL)
        return terminfo_put(a->txn, a->term, a->term_len, &a->info, a->bulk,
                            &a->enc);
    rc = terminfo_encode(&a->info, &a->enc);
    if (rc == 0)
        rc = put_record(a->terms_out, DB_TERMS, a->term, a->term_len,
                        a->enc.data, a->enc.len);
    return rc;
}

int rp_txn_term_remove(rp_txn *t, const char *term, size_t len, rp_docid doc)
{
    rp_terminfo info;
    int rc = rp_txn_term_get(t, term, len, &info);
    if (rc != 0)
        return rc == RP_ENOTFOUND ? 0 : rc;
    MDB_cursor *c;
    if ((rc = map_rc(mdb_cursor_open(t->txn, t->ix->dbi[DB_POSTINGS], &c))))
        return rc;
    unsigned char key[RP_TERM_MAX_BYTES + 5];
    MDB_val k = {block_key(key, term, len, doc), key}, v;
    rp_appender a;
    rp_appender_init(&a);
    a.txn = t; /* unpacking reads the norms of the block's documents */
    rc = map_rc(mdb_cursor_get(c, &k, &v, MDB_SET_RANGE));
    if (rc != 0 || !key_is_term(&k, term, len)) {
        mdb_cursor_close(c);
        return rc == RP_ENOTFOUND || rc == 0 ? 0 : rc;
    }
    rp_blockhdr h;
    rc = rp_block_header(v.mv_data, v.mv_size, &h);
    if (rc == 0 && !key_matches_block(&k, &h, len))
        rc = RP_ECORRUPT;
    if (rc == 0)
        rc = unpack_block(&a, &h);
    size_t i = 0;
    while (rc == 0 && i < a.npend && a.pend[i].doc != doc)
        i++;
    if (rc != 0 || i == a.npend) {
        mdb_cursor_close(c);
        rp_appender_fini(&a);
        return rc;
    }
    /* Drop posting i and its positions, then rewrite the block. */
    size_t off = 0;
    for (size_t j = 0; j < i; j++)
        off += a.pend[j].npos;
    uint32_t gone = a.pend[i].npos;
    memmove(a.pos + off, a.pos + off + gone,
            (a.npos - off - gone) * sizeof(rp_pos));
    memmove(&a.pend[i], &a.pend[i + 1], (a.npend - i - 1) * sizeof a.pend[0]);
    a.npend--;
    a.npos -= gone;
    rc = map_rc(mdb_cursor_del(c, 0));
    mdb_cursor_close(c);
    a.txn = t;
    memcpy(a.term, term, len);
    a.term_len = len;
    if (rc == 0)
        rc = write_block(&a);
    info.df--;
    info.cf -= gone;
    if (rc == 0)
        rc = info.df == 0 ? del_val(t, DB_TERMS, term, len)
                          : terminfo_put(t, term, len, &info, 0, &a.enc);
    rp_appender_fini(&a);
    return rc;
}

static int load_current(rp_blockcur *c, int rc, const MDB_val *k,
                        const MDB_val *v)
{
    if (rc == RP_ENOTFOUND || (rc == 0 && !key_is_term(k, c->key,
                                                       c->term_len))) {
        c->eof = 1;
        return 0;
    }
    if (rc != 0)
        return rc;
    rc = rp_block_header(v->mv_data, v->mv_size, &c->hdr);
    if (rc == 0 && !key_matches_block(k, &c->hdr, c->term_len))
        rc = RP_ECORRUPT;
    return rc;
}

int rp_blockcur_open(rp_txn *t, const char *term, size_t len,
                     rp_blockcur *c)
{
    memset(c, 0, sizeof *c);
    c->eof = 1;
    if (len == 0 || len > RP_TERM_MAX_BYTES)
        return 0;
    MDB_cursor *cur;
    int rc = map_rc(mdb_cursor_open(t->txn, t->ix->dbi[DB_POSTINGS], &cur));
    if (rc != 0)
        return rc;
    c->cursor = cur;
    c->term_len = len;
    c->eof = 0;
    MDB_val k = {block_key((unsigned char *)c->key, term, len, 0), c->key}, v;
    rc = map_rc(mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE));
    return load_current(c, rc, &k, &v);
}

int rp_blockcur_next(rp_blockcur *c)
{
    if (c->eof)
        return 0;
    MDB_val k, v;
    int rc = map_rc(mdb_cursor_get(c->cursor, &k, &v, MDB_NEXT));
    return load_current(c, rc, &k, &v);
}

int rp_blockcur_seek(rp_blockcur *c, rp_docid doc)
{
    /* A few steps forward are cheaper than a fresh B-tree descent. */
    for (int step = 0; step < 4; step++) {
        if (c->eof || c->hdr.last >= doc)
            return 0;
        int rc = rp_blockcur_next(c);
        if (rc != 0)
            return rc;
    }
    if (c->eof || c->hdr.last >= doc)
        return 0;
    unsigned char key[RP_TERM_MAX_BYTES + 5];
    MDB_val k = {block_key(key, c->key, c->term_len, doc), key}, v;
    int rc = map_rc(mdb_cursor_get(c->cursor, &k, &v, MDB_SET_RANGE));
    return load_current(c, rc, &k, &v);
}

void rp_blockcur_close(rp_blockcur *c)
{
    if (c->cursor)
        mdb_cursor_close(c->cursor);
    c->cursor = NULL;
    c->eof = 1;
}

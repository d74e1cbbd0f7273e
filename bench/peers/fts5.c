/* SPDX-License-Identifier: MIT */
/*
 * fts5: the SQLite FTS5 peer of the benchmark, built only by `make bench`.
 *   fts5 build DOCS.jsonl.gz DBFILE
 *   fts5 query DBFILE QUERIES.txt or|and|phrase PASSES
 * build makes one FTS5 table (id UNINDEXED, title, text) with tokenize
 * 'porter unicode61' and ranks by bm25 with the title weighted 2 and the
 * text 1 (rapport's BM25F weights), inserting every document in one
 * transaction. query runs each query line (the rule in bench/harness.h) as
 * an FTS5 expression of quoted terms, top 10 by rank. Both print one
 * result line (bench/harness.h) for scripts/bench.sh.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../harness.h"

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "fts5: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
    sqlite3_close(db);
    return 1;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "fts5: %s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Bytes of pages each table holds, from the dbstat virtual table: the
 * stored text is the content table (docs_content); everything else is
 * the index (docs_data: the term dictionary, postings and positions in
 * segments; docs_idx: the segment index; docs_docsize: column lengths
 * for bm25; docs_config). */
static int table_bytes(sqlite3 *db, const char *table, uint64_t *out)
{
    sqlite3_stmt *st;
    *out = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT coalesce(sum(pgsize), 0) FROM dbstat "
                           "WHERE name = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int build(const char *docs_path, const char *file)
{
    double t0 = bh_now();
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL;
    uint64_t ndocs = 0;
    unlink(file);
    if (sqlite3_open(file, &db) != SQLITE_OK)
        return fail(db, file);
    /* A 64 MB page cache for the bulk load; the rest is SQLite's default
     * (rollback journal, synchronous FULL: one fsync'ed commit). */
    if (exec(db, "PRAGMA cache_size = -65536") != 0 ||
        exec(db, "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, "
                 "title, text, tokenize = 'porter unicode61')") != 0 ||
        exec(db, "INSERT INTO docs(docs, rank) VALUES('rank', "
                 "'bm25(0.0, 2.0, 1.0)')") != 0 ||
        exec(db, "BEGIN") != 0)
        return fail(db, "schema");
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO docs(id, title, text) "
                           "VALUES(?1, ?2, ?3)",
                           -1, &ins, NULL) != SQLITE_OK)
        return fail(db, "prepare");
    bh_corpus *c = bh_corpus_open(docs_path);
    bh_doc d;
    int rc = c ? 1 : -1;
    while (rc == 1 && (rc = bh_corpus_next(c, &d)) == 1) {
        sqlite3_bind_text(ins, 1, d.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, d.title, (int)d.title_len, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, d.text, (int)d.text_len, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            sqlite3_finalize(ins);
            bh_corpus_close(c);
            return fail(db, "insert");
        }
        sqlite3_reset(ins);
        ndocs++;
    }
    bh_corpus_close(c);
    sqlite3_finalize(ins);
    if (rc != 0 || exec(db, "COMMIT") != 0)
        return fail(db, "load");
    if (sqlite3_close(db) != SQLITE_OK)
        return fail(NULL, "close");
    double secs = bh_now() - t0;

    /* Sizes, after the timing. */
    uint64_t content, data, idx, docsize;
    if (sqlite3_open(file, &db) != SQLITE_OK ||
        table_bytes(db, "docs_content", &content) != 0 ||
        table_bytes(db, "docs_data", &data) != 0 ||
        table_bytes(db, "docs_idx", &idx) != 0 ||
        table_bytes(db, "docs_docsize", &docsize) != 0)
        return fail(db, "dbstat");
    sqlite3_close(db);
    uint64_t bytes = bh_disk_bytes(file);
    bh_part parts[] = {{"data", data}, {"idx", idx}, {"docsize", docsize},
                       {"content", content}};
    bh_print_build("fts5", ndocs, secs, bh_gz_size(docs_path), bytes,
                   bytes - content, "file-minus-docs_content", parts, 4);
    return 0;
}

/* Appends "word" (FTS5 string syntax: a double quote doubled) to out. */
static size_t quote(char *out, size_t at, size_t cap, const char *w)
{
    if (at < cap)
        out[at++] = '"';
    for (; *w && at + 2 < cap; w++) {
        if (*w == '"')
            out[at++] = '"';
        out[at++] = *w;
    }
    if (at < cap)
        out[at++] = '"';
    return at;
}

/* The FTS5 expression for q: "a" OR "b", "a" AND "b", or "a b". */
static void expression(const bh_query *q, bh_mode m, char *out, size_t cap)
{
    size_t at = 0;
    if (m == BH_PHRASE) {
        char phrase[1024];
        size_t p = 0;
        for (size_t i = 0; i < q->nwords; i++)
            p += (size_t)snprintf(phrase + p, sizeof phrase - p, "%s%s",
                                  i ? " " : "", q->words[i]);
        at = quote(out, at, cap - 1, phrase);
    } else {
        for (size_t i = 0; i < q->nwords; i++) {
            if (i > 0)
                at += (size_t)snprintf(out + at, cap - at, "%s",
                                       m == BH_OR ? " OR " : " AND ");
            at = quote(out, at, cap - 1, q->words[i]);
        }
    }
    out[at] = '\0';
}

static int run(sqlite3_stmt *st, const bh_query *q, bh_mode m,
               uint64_t *hits)
{
    char expr[2048];
    expression(q, m, expr, sizeof expr);
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        (*hits)++;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int query(const char *file, const char *qpath, const char *mode,
                 int passes)
{
    bh_mode m;
    bh_query *qs;
    if (bh_mode_parse(mode, &m) != 0 || passes < 1) {
        fprintf(stderr, "fts5: mode is or, and or phrase; passes >= 1\n");
        return 2;
    }
    long n = bh_queries_load(qpath, m, &qs);
    if (n <= 0)
        return 1;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT rowid FROM docs WHERE docs MATCH ?1 "
                           "ORDER BY rank LIMIT 10",
                           -1, &st, NULL) != SQLITE_OK) {
        bh_queries_free(qs, n);
        return fail(db, file);
    }
    double *lat = malloc((size_t)n * passes * sizeof *lat);
    uint64_t hits = 0;
    /* One untimed warm-up pass, as for every engine. */
    for (long i = 0; lat && i < n; i++)
        if (run(st, &qs[i], m, &hits) != 0) {
            free(lat);
            lat = NULL;
        }
    if (lat == NULL) {
        sqlite3_finalize(st);
        bh_queries_free(qs, n);
        return fail(db, "query");
    }
    hits = 0;
    int rc = 0;
    double t0 = bh_now();
    for (int p = 0; p < passes; p++)
        for (long i = 0; i < n; i++) {
            double t = bh_now();
            rc |= run(st, &qs[i], m, &hits);
            lat[p * n + i] = (bh_now() - t) * 1e3;
        }
    double secs = bh_now() - t0;
    if (rc != 0) {
        free(lat);
        sqlite3_finalize(st);
        bh_queries_free(qs, n);
        return fail(db, "query");
    }
    bh_print_query("fts5", m, lat, (size_t)n * passes, (size_t)n, passes,
                   secs, hits);
    free(lat);
    sqlite3_finalize(st);
    sqlite3_close(db);
    bh_queries_free(qs, n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "build") == 0)
        return build(argv[2], argv[3]);
    if (argc == 6 && strcmp(argv[1], "query") == 0)
        return query(argv[2], argv[3], argv[4], atoi(argv[5]));
    fprintf(stderr, "usage: fts5 build DOCS.jsonl.gz DBFILE\n"
                    "       fts5 query DBFILE QUERIES.txt or|and|phrase "
                    "PASSES\n");
    return 2;
}

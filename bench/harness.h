/* SPDX-License-Identifier: MIT */
/*
 * harness: what the benchmark programs share, so rapport and its peers
 * (bench/peers/fts5.c, bench/peers/xapian.cc) are timed, fed and reported
 * the same way: clocks and peak RSS, the bench corpus read document by
 * document, the one rule that turns a query line into an OR, AND or phrase
 * query, latency percentiles, and the one machine-readable result line
 * scripts/bench.sh parses. Not part of librapport; it holds no globals.
 */
#ifndef RAPPORT_BENCH_HARNESS_H
#define RAPPORT_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

double bh_now(void);          /* monotonic clock, seconds */
double bh_peak_rss_mb(void);  /* peak resident set of this process, MB */
double bh_cpu_s(void);        /* user + system CPU of this process, s */

/* Bytes of the uncompressed data in a single-member gzip file, from its
 * trailer (ISIZE, exact below 4 GiB); 0 if it cannot be read. */
uint64_t bh_gz_size(const char *path);

/* Bytes of a file, or of every file under a directory. */
uint64_t bh_disk_bytes(const char *path);

/*
 * The bench corpus: JSON Lines, gzip-compressed, one {"id","title","text"}
 * object a line. bh_corpus_next gives the next document's three strings
 * (NUL-terminated, borrowed until the next call) and the raw line; it
 * returns 1 for a document, 0 at the end, -1 on a read or JSON error
 * (printed to stderr with the line number).
 */
typedef struct bh_corpus bh_corpus;
typedef struct bh_doc {
    const char *id, *title, *text;
    size_t title_len, text_len; /* bytes */
    const char *line;           /* the JSON line, without its newline */
    size_t line_len;            /* bytes */
} bh_doc;
bh_corpus *bh_corpus_open(const char *path); /* NULL: perror'd */
int bh_corpus_next(bh_corpus *c, bh_doc *out);
void bh_corpus_close(bh_corpus *c);

/*
 * Query lines, one rule for all engines. A line's words are its maximal
 * runs of ASCII letters and digits (letters lower-cased); its phrase is
 * the words between its first two double quotes.
 *   or:     every word of the line, any may match (quotes ignored);
 *   and:    every word of the line, all must match (quotes ignored);
 *   phrase: the phrase only, its words adjacent and in order; lines
 *           without a phrase are skipped.
 * A line left with no word is skipped. Every engine ranks by BM25 and
 * keeps the top 10.
 */
typedef enum bh_mode { BH_OR, BH_AND, BH_PHRASE } bh_mode;
int bh_mode_parse(const char *name, bh_mode *out); /* 0 or -1 */
const char *bh_mode_name(bh_mode m);

#define BH_MAX_WORDS 32
typedef struct bh_query {
    size_t nwords;
    char *words[BH_MAX_WORDS]; /* NUL-terminated, [a-z0-9]+ */
} bh_query;

/* Reads path into *out (free with bh_queries_free); returns how many
 * queries, or -1 (perror'd). */
long bh_queries_load(const char *path, bh_mode m, bh_query **out);
void bh_queries_free(bh_query *qs, long n);

/*
 * The result lines, one per command, "key=value" pairs separated by
 * spaces, starting with "result engine=NAME cmd=build|query". Sizes in
 * bytes, times in seconds or milliseconds as the key says.
 *
 * Build: docs, seconds from the program's start to the committed, closed
 * index, documents/s, MB/s of uncompressed JSON input (in_bytes), peak
 * RSS, CPU seconds, bytes on disk in total and without stored text (and
 * nostore_rule: how that figure was taken), then the engine's own parts,
 * "name=bytes" each.
 */
typedef struct bh_part {
    const char *name;
    uint64_t bytes;
} bh_part;
void bh_print_build(const char *engine, uint64_t docs, double secs,
                    uint64_t in_bytes, uint64_t bytes,
                    uint64_t bytes_nostore, const char *nostore_rule,
                    const bh_part *parts, size_t nparts);

/*
 * Query: lat holds n latencies in ms (sorted in place), nq queries run
 * passes times over secs seconds in all; hits is the number of hits
 * returned in all passes (a check that engines agree on what matches).
 */
void bh_print_query(const char *engine, bh_mode m, double *lat, size_t n,
                    size_t nq, int passes, double secs, uint64_t hits);

/* The p-quantile (0..1) of n sorted values; nearest rank. */
double bh_pct(const double *sorted, size_t n, double p);

/* Sorts n doubles ascending. */
void bh_sort(double *v, size_t n);

#ifdef __cplusplus
}
#endif

#endif

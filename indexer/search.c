/* SPDX-License-Identifier: MIT */
/*
 * rapport-search: runs one query, or a file of natural-language queries,
 * against an index and prints the hits as text, JSON or TREC run lines.
 * Argument parsing and printing only; searching is librapport's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/analyze.h"
#include "rapport/doc.h"
#include "rapport/error.h"
#include "rapport/filter.h"
#include "rapport/correct.h"
#include "rapport/index.h"
#include "rapport/json.h"
#include "rapport/match.h"
#include "rapport/query.h"
#include "rapport/search.h"

static const char usage[] =
    "usage: rapport-search --db DIR [--type T] [--limit N] [--offset N]\n"
    "                      [--format text|json|trec] [--k1 K1] [--b B]\n"
    "                      [--typo]\n"
    "                      QUERY\n"
    "       rapport-search --db DIR --queries FILE.jsonl [--limit N]\n"
    "                      --format trec [--tag TAG]\n"
    "  (a query line may carry \"filters\": {\"languages\": [...], ...})\n"
    "  --typo: words that look misspelled also match the nearest terms\n"
    "  --match: rank specialists for the text (as /v1/match does)\n"
    "  --match-doc: rank specialists for a stored document; the query\n"
    "               text is its id (as /v1/articles/ID/specialists)\n"
    "  --related: articles and questions related to a stored document;\n"
    "             the query text is its id (as /v1/documents/ID/related)\n"
    "  --seed N: with --match or --match-doc, rotates near-ties by N\n"
    "            (0 unless given; the server's seed parameter)\n";

enum { F_TEXT, F_JSON, F_TREC };

typedef struct cli {
    const char *db, *queries, *tag, *query;
    int format;
    int match;                 /* --match: specialist matching */
    int match_doc;             /* --match-doc, --related: the text is a
                                  document id */
    int related;               /* --related */
    const rp_vocab *vocab;
    rp_search_opts opts;
    uint32_t seed;             /* --seed: rp_match_opts.seed */
} cli;

static int fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "rapport-search: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 1;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *end != '\0' || *s == '-' || v > RP_SEARCH_MAX_K)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_args(int argc, char **argv, cli *c)
{
    memset(c, 0, sizeof *c);
    rp_search_opts_init(&c->opts);
    c->tag = "rapport";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            exit(0);
        } else if (strcmp(a, "--match") == 0) {
            c->match = 1;
            continue;
        } else if (strcmp(a, "--typo") == 0) {
            c->opts.typo = 1;
            continue;
        } else if (strcmp(a, "--match-doc") == 0) {
            c->match = c->match_doc = 1;
            continue;
        } else if (strcmp(a, "--related") == 0) {
            c->match = c->match_doc = c->related = 1;
            continue;
        } else if (strcmp(a, "--db") == 0 && v) {
            c->db = v;
        } else if (strcmp(a, "--queries") == 0 && v) {
            c->queries = v;
        } else if (strcmp(a, "--tag") == 0 && v) {
            c->tag = v;
        } else if (strcmp(a, "--type") == 0 && v) {
            c->opts.type = rp_schema_doctype(v, strlen(v));
            if (c->opts.type == RP_DOC_NONE)
                return fail("unknown type '%s' (article, question or "
                            "specialist)", v);
        } else if (strcmp(a, "--limit") == 0 && v) {
            if (parse_size(v, &c->opts.limit) != 0 || c->opts.limit == 0)
                return fail("--limit wants 1..10000, not '%s'", v);
        } else if (strcmp(a, "--seed") == 0 && v) {
            char *end;
            unsigned long long x = strtoull(v, &end, 10);
            if (*v == '\0' || *v == '-' || *end != '\0' || x > UINT32_MAX)
                return fail("--seed wants 0..4294967295, not '%s'", v);
            c->seed = (uint32_t)x;
        } else if (strcmp(a, "--offset") == 0 && v) {
            if (parse_size(v, &c->opts.offset) != 0)
                return fail("--offset wants 0..10000, not '%s'", v);
        } else if ((strcmp(a, "--k1") == 0 || strcmp(a, "--b") == 0) && v) {
            char *end;
            float x = strtof(v, &end);
            int is_k1 = a[2] == 'k';
            if (*v == '\0' || *end != '\0' || !(is_k1 ? x > 0 && x <= 100
                                                  : x >= 0 && x <= 1))
                return fail(is_k1 ? "--k1 wants a number in (0, 100], not "
                                    "'%s'"
                                  : "--b wants a number in [0, 1], not '%s'",
                            v);
            if (is_k1)
                c->opts.params.k1 = x;
            else
                c->opts.params.b = x;
        } else if (strcmp(a, "--format") == 0 && v) {
            if (strcmp(v, "text") == 0)
                c->format = F_TEXT;
            else if (strcmp(v, "json") == 0)
                c->format = F_JSON;
            else if (strcmp(v, "trec") == 0)
                c->format = F_TREC;
            else
                return fail("unknown format '%s' (text, json or trec)", v);
        } else if (strncmp(a, "--", 2) == 0) {
            fprintf(stderr, "rapport-search: unknown option %s\n%s", a,
                    usage);
            return 2;
        } else if (c->query == NULL) {
            c->query = a;
            continue;
        } else {
            return fail("one QUERY only (quote it): '%s'", a);
        }
        i++;
    }
    if (c->db == NULL || (c->query == NULL) == (c->queries == NULL)) {
        fputs(usage, stderr);
        return 2;
    }
    if (c->queries && c->format != F_TREC)
        return fail("%s", "--queries prints TREC runs: add --format trec");
    return 0;
}

/* The display title of a stored record: its title or name. */
static void title_of(const rp_doc *d, const char **s, size_t *len)
{
    *s = "";
    *len = 0;
    for (size_t i = 0; i < d->nfields; i++) {
        const rp_srcfield *src = rp_doc_srcfield(&d->fields[i]);
        if (src && src->field == RP_F_TITLE) {
            *s = rp_doc_value(d, &d->fields[i]);
            *len = d->fields[i].len;
            return;
        }
    }
}

/* What typo tolerance did, as JSON members ("corrected" and perhaps
 * "did_you_mean", each followed by a comma) or as text lines. */
static int print_corrected(const cli *c, const char *q,
                           const rp_corrected *cr, rp_buf *out)
{
    int rc = 0;
    if (cr == NULL || cr->n == 0)
        return 0;
    if (c->format == F_JSON) {
        rc = rp_json_put_corrected(out, q, cr);
        return rc ? rc : rp_buf_puts(out, ",");
    }
    for (size_t i = 0; rc == 0 && i < cr->n; i++) {
        const rp_fix *f = &cr->fix[i];
        rc = rp_buf_printf(out, "corrected: %.*s -> %.*s\n", (int)f->len,
                           q + f->off, (int)f->word_len,
                           (const char *)cr->words.data + f->word_off);
    }
    if (rc == 0 && cr->did_you_mean)
        rc = rp_buf_printf(out, "did you mean: %.*s\n", (int)cr->text.len,
                           (const char *)cr->text.data);
    return rc;
}

static int print_hits(const cli *c, rp_txn *txn, const rp_results *r,
                      const char *qid, const rp_corrected *cr)
{
    rp_doc d;
    rp_doc_init(&d);
    rp_buf out = RP_BUF_INIT;
    int rc = 0;
    if (c->format == F_JSON)
        rc = rp_buf_puts(&out, "{");
    if (c->format != F_TREC && rc == 0)
        rc = print_corrected(c, c->query, cr, &out);
    if (c->format == F_JSON && rc == 0)
        rc = rp_buf_printf(&out, "\"total\":%llu,\"total_exact\":%s,"
                           "\"hits\":[",
                           (unsigned long long)r->total,
                           r->total_exact ? "true" : "false");
    else if (c->format == F_TEXT && rc == 0)
        rc = rp_buf_printf(&out, "%llu result%s\n",
                           (unsigned long long)r->total,
                           r->total == 1 ? "" : "s");
    for (size_t i = 0; i < r->nhits && rc == 0; i++) {
        const void *rec;
        size_t len;
        rc = rp_txn_doc_get(txn, r->hits[i].doc, &rec, &len);
        if (rc == 0)
            rc = rp_doc_decode(rec, len, &d);
        if (rc != 0)
            break;
        size_t rank = c->opts.offset + i + 1;
        if (c->format == F_TREC) {
            rc = rp_buf_printf(&out, "%s Q0 %.*s %zu %.9g %s\n", qid,
                               (int)d.id_len, rp_doc_id(&d), rank,
                               r->hits[i].score, c->tag);
        } else if (c->format == F_JSON) {
            rc = rp_buf_printf(&out, "%s{\"rank\":%zu,\"score\":%.6g,"
                               "\"doc\":",
                               i ? "," : "", rank, r->hits[i].score);
            if (rc == 0)
                rc = rp_json_encode_doc(&d, &out);
            if (rc == 0)
                rc = rp_buf_puts(&out, "}");
        } else {
            const char *t;
            size_t tlen;
            title_of(&d, &t, &tlen);
            rc = rp_buf_printf(&out, "%3zu. %8.4f  %-10s %.*s  %.*s\n", rank,
                               r->hits[i].score,
                               rp_schema_doctype_name(d.type), (int)d.id_len,
                               rp_doc_id(&d), (int)tlen, t);
        }
    }
    if (rc == 0 && c->format == F_JSON)
        rc = rp_buf_puts(&out, "]}\n");
    if (rc == 0)
        fwrite(out.data, 1, out.len, stdout);
    rp_buf_fini(&out);
    rp_doc_fini(&d);
    return rc;
}

/* Runs rp_match and returns its hits in the shape of search results. With
 * --typo, the visitor's words are mended first (matching reads concepts
 * from them) and cr says how. */
static int match_as_results(const cli *c, rp_txn *txn, rp_analyzer *an,
                            const char *text, size_t len, rp_results *out,
                            rp_corrected *cr)
{
    memset(out, 0, sizeof *out);
    if (c->opts.typo && !c->match_doc) {
        int rc = rp_correct_text(txn, an, text, len, &c->opts, cr);
        if (rc != 0)
            return rc;
        if (cr->n > 0) {
            text = (const char *)cr->text.data;
            len = cr->text.len;
        }
    }
    rp_match_opts mo;
    rp_match_opts_init(&mo);
    mo.search = c->opts;
    mo.seed = c->seed;
    if (mo.search.limit > 100)
        mo.search.limit = 100;
    rp_match_results m;
    int rc;
    if (c->match_doc) {
        rp_docid doc;
        rc = rp_txn_id_get(txn, text, len, &doc);
        if (rc == RP_ENOTFOUND)
            fprintf(stderr, "rapport-search: no document '%.*s'\n", (int)len,
                    text);
        if (rc == 0)
            rc = c->related
                     ? rp_match_related(txn, an, c->vocab, doc, &mo, &m)
                     : rp_match_doc(txn, an, c->vocab, doc, &mo, &m);
    } else {
        rc = rp_match(txn, an, c->vocab, text, len, &mo, &m);
    }
    if (rc != 0)
        return rc;
    out->hits = malloc((m.nhits ? m.nhits : 1) * sizeof *out->hits);
    if (out->hits == NULL) {
        rp_match_results_fini(&m);
        return RP_ENOMEM;
    }
    for (size_t i = 0; i < m.nhits; i++) {
        out->hits[i].doc = m.hits[i].doc;
        /* Match order is by band, not by raw score; a TREC run is
         * re-sorted by score, so there the score is the reverse rank. */
        out->hits[i].score = c->format == F_TREC ? (double)(m.nhits - i)
                                                 : m.hits[i].score;
    }
    out->nhits = m.nhits;
    out->total = m.total;
    out->total_exact = 1;
    rp_match_results_fini(&m);
    return 0;
}

typedef struct filters {
    rp_txn *txn;
    rp_docset *allow; /* NULL: no filter yet */
    rp_error *err;
} filters;

static int add_filter(void *ctx, int facet, const char *values, size_t len)
{
    filters *fl = ctx;
    return rp_filter_add(fl->txn, &fl->allow, facet, values, len, fl->err);
}

static int run_queries(const cli *c, rp_txn *txn, rp_analyzer *an)
{
    FILE *f = fopen(c->queries, "r");
    if (f == NULL) {
        perror(c->queries);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    rp_buf id = RP_BUF_INIT, text = RP_BUF_INIT;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        rp_error err;
        rp_error_clear(&err);
        id.len = text.len = 0;
        rc = rp_json_decode_query(line, (size_t)n, &id, &text, &err);
        if (rc == 0)
            rc = rp_buf_append(&id, "", 1);
        if (rc != 0) {
            fprintf(stderr, "rapport-search: %s:%ld: %s\n", c->queries,
                    lineno, err.code ? err.msg : rp_strerror(rc));
            break;
        }
        /* The line's own filters narrow this query only. */
        cli lc = *c;
        filters fl = {txn, NULL, &err};
        rc = rp_json_query_filters(line, (size_t)n, add_filter, &fl, &err);
        if (rc != 0) {
            fprintf(stderr, "rapport-search: %s:%ld: %s\n", c->queries,
                    lineno, err.code ? err.msg : rp_strerror(rc));
            rp_docset_free(fl.allow);
            break;
        }
        if (fl.allow)
            lc.opts.allow = fl.allow;
        rp_results r;
        rp_corrected cr;
        memset(&cr, 0, sizeof cr);
        rc = c->match ? match_as_results(&lc, txn, an,
                                         (const char *)text.data, text.len,
                                         &r, &cr)
                      : rp_search_text(txn, an, (const char *)text.data,
                                       text.len, &lc.opts, &r);
        if (rc == 0)
            rc = print_hits(c, txn, &r, (const char *)id.data, NULL);
        rp_corrected_fini(&cr);
        rp_results_fini(&r);
        rp_docset_free(fl.allow);
        if (rc != 0)
            fprintf(stderr, "rapport-search: %s:%ld: %s\n", c->queries,
                    lineno, rp_strerror(rc));
    }
    free(line);
    rp_buf_fini(&id);
    rp_buf_fini(&text);
    fclose(f);
    return rc != 0;
}

static int run_query(const cli *c, rp_txn *txn, rp_analyzer *an)
{
    rp_error err;
    rp_error_clear(&err);
    rp_query *q = NULL;
    int rc = rp_query_parse(c->query, strlen(c->query), &q, &err);
    if (rc != 0) {
        fprintf(stderr, "rapport-search: query error at byte %zu: %s\n",
                err.offset, err.code ? err.msg : rp_strerror(rc));
        return 1;
    }
    rp_results r;
    memset(&r, 0, sizeof r);
    rp_corrected cr;
    memset(&cr, 0, sizeof cr);
    rc = c->match ? match_as_results(c, txn, an, c->query, strlen(c->query),
                                     &r, &cr)
                  : rp_search(txn, an, q, &c->opts, &r);
    if (rc == 0 && !c->match && r.ncorrections > 0)
        rc = rp_correct(txn, an, rp_query_text(q), strlen(rp_query_text(q)),
                        1, r.corrections, r.ncorrections, &c->opts, &cr);
    if (rc == 0)
        rc = print_hits(c, txn, &r, "1", &cr);
    rp_corrected_fini(&cr);
    rp_results_fini(&r);
    rp_query_free(q);
    if (rc != 0)
        fprintf(stderr, "rapport-search: %s\n", rp_strerror(rc));
    return rc != 0;
}

int main(int argc, char **argv)
{
    cli c;
    int rc = parse_args(argc, argv, &c);
    if (rc != 0)
        return rc;
    rp_error err;
    rp_error_clear(&err);
    rp_index_opts io = {NULL, 0, 1, 0};
    rp_index *ix = NULL;
    if ((rc = rp_index_open(c.db, &io, &ix, &err)) != 0)
        return fail("%s", err.msg);
    rp_analyzer *an = NULL;
    rp_txn *txn = NULL;
    rp_vocab *vocab = NULL;
    rc = rp_analyzer_new(rp_index_lang(ix), &an);
    if (rc == 0)
        rc = rp_txn_begin(ix, 0, &txn);
    if (rc == 0)
        rc = rp_json_index_vocab(txn, an, &vocab);
    c.opts.vocab = vocab;
    c.vocab = vocab;
    if (rc != 0) {
        rp_txn_abort(txn);
        rp_analyzer_free(an);
        rp_index_close(ix);
        return fail("%s", rp_strerror(rc));
    }
    rc = c.queries ? run_queries(&c, txn, an) : run_query(&c, txn, an);
    rp_vocab_free(vocab);
    rp_txn_abort(txn);
    rp_analyzer_free(an);
    rp_index_close(ix);
    return rc;
}

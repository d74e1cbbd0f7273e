/* SPDX-License-Identifier: MIT */
/*
 * rp-eval: scores a TREC run file against relevance judgements the way
 * trec_eval 9.x does with -c -m ndcg_cut.10 -m map_cut.100 -m recall.100,
 * and prints one summary line. It parses the two files, sorts each query's
 * run lines as trec_eval does and hands the grades to librapport's metrics
 * module; it holds no search logic. Every problem in the input is reported
 * with the file name and line, and the exit status is 1.
 */
#include "rapport/error.h"
#include "rapport/metrics.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The cutoffs of the three measures printed. */
/* Default cutoffs (trec_eval's ndcg_cut.10, map_cut.100, recall.100);
 * --cutoffs changes them. */
typedef struct cutoffs {
    int ndcg, map, recall;
} cutoffs;
#define DEFAULT_CUTOFFS {10, 100, 100}

/* The most whitespace-separated fields a line may have that we look at;
 * further fields of a run line are ignored, as trec_eval ignores them. */
#define MAX_FIELDS 8

/* A whole input file, NUL-terminated, cut in place into lines and fields.
 * The records below point into it. */
typedef struct text {
    const char *path; /* as given on the command line */
    char *data;       /* len bytes plus a NUL; owned */
    size_t len;       /* bytes read */
    size_t nlines;    /* number of '\n'-separated lines, upper bound */
} text;

/* One line of the qrels file. */
typedef struct judgement {
    const char *qid;   /* points into the qrels text */
    const char *docid; /* points into the qrels text */
    int grade;         /* as written; >= 1 is relevant, < 0 "unjudged" */
    long line;         /* 1-based line in the qrels file */
} judgement;

/* One line of the run file. */
typedef struct retrieved {
    const char *qid;   /* points into the run text */
    const char *docid; /* points into the run text */
    double score;      /* the SCORE column; higher ranks first */
    long line;         /* 1-based line in the run file */
} retrieved;

/* The judgements of one query: a slice of the qrels array sorted by
 * (qid, docid). */
typedef struct topic {
    const char *qid;
    size_t first; /* index of its first judgement */
    size_t count; /* number of judgements */
    size_t nrel;  /* judgements with grade >= 1 */
} topic;

/* Sums of the per-query measures, for the means. */
typedef struct totals {
    double ndcg, ap, recall;
    size_t queries;   /* queries scored (>= 1 relevant judgement) */
    size_t no_result; /* of those, queries with no line in the run */
} totals;

/* Prints "rp-eval: PATH:LINE: message" (or without LINE when it is 0) to
 * stderr and returns RP_EINVAL, so a parser can `return bad(...)`. */
static int bad(const char *path, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int bad(const char *path, long line, const char *fmt, ...)
{
    va_list ap;
    if (line > 0)
        fprintf(stderr, "rp-eval: %s:%ld: ", path, line);
    else
        fprintf(stderr, "rp-eval: %s: ", path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return RP_EINVAL;
}

/* Reads the whole file at path into t. On failure prints why and returns
 * -errno or RP_E*; t then holds nothing to free. */
static int text_read(const char *path, text *t)
{
    memset(t, 0, sizeof(*t));
    t->path = path;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;
        bad(path, 0, "cannot open: %s", strerror(e));
        return -e;
    }
    size_t cap = 1 << 16;
    char *data = malloc(cap);
    size_t len = 0;
    int rc = 0;
    while (data != NULL) {
        if (len + 1 == cap) {
            char *grown = realloc(data, cap * 2);
            if (grown == NULL) {
                free(data);
                data = NULL;
                break;
            }
            data = grown;
            cap *= 2;
        }
        size_t got = fread(data + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (data == NULL) {
        bad(path, 0, "out of memory");
        rc = RP_ENOMEM;
    } else if (ferror(f)) {
        bad(path, 0, "cannot read: %s", strerror(errno));
        rc = RP_EIO;
    }
    fclose(f);
    if (rc != 0) {
        free(data);
        return rc;
    }
    data[len] = '\0';
    /* Fields are cut at NUL bytes, so one inside the text would silently
     * shorten an identifier. */
    if (memchr(data, '\0', len) != NULL) {
        free(data);
        return bad(path, 0, "contains a NUL byte");
    }
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++)
        nlines += data[i] == '\n';
    t->data = data;
    t->len = len;
    t->nlines = nlines;
    return 0;
}

static void text_fini(text *t)
{
    free(t->data);
    memset(t, 0, sizeof(*t));
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Cuts the line starting at *pos into fields (NUL-terminating each in
 * place) and advances *pos past its newline. Stores up to MAX_FIELDS
 * pointers in fields and returns the total number of fields on the line,
 * which may be larger. Blank lines and lines whose first field starts with
 * '#' (trec_eval's comments) give 0. */
static size_t split_line(char **pos, char **fields)
{
    char *p = *pos;
    char *end = strchr(p, '\n');
    if (end == NULL)
        end = p + strlen(p);
    char *next = *end == '\n' ? end + 1 : end;
    *end = '\0';
    size_t n = 0;
    while (*p != '\0') {
        while (is_space(*p))
            p++;
        if (*p == '\0')
            break;
        if (n < MAX_FIELDS)
            fields[n] = p;
        n++;
        while (*p != '\0' && !is_space(*p))
            p++;
        if (*p != '\0')
            *p++ = '\0';
    }
    *pos = next;
    if (n > 0 && fields[0][0] == '#')
        return 0;
    return n;
}

/* Parses a whole decimal int; 0 or RP_EINVAL. */
static int parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < INT_MIN || v > INT_MAX)
        return RP_EINVAL;
    *out = (int)v;
    return 0;
}

/* Parses a whole, finite floating-point number; 0 or RP_EINVAL. */
static int parse_score(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return RP_EINVAL;
    *out = v;
    return 0;
}

/* Orders judgements by query, then document. */
static int cmp_judgement(const void *a, const void *b)
{
    const judgement *x = a, *y = b;
    int c = strcmp(x->qid, y->qid);
    return c != 0 ? c : strcmp(x->docid, y->docid);
}

/* Orders run lines by query, then document, to find duplicates. */
static int cmp_retrieved_doc(const void *a, const void *b)
{
    const retrieved *x = a, *y = b;
    int c = strcmp(x->qid, y->qid);
    return c != 0 ? c : strcmp(x->docid, y->docid);
}

/* Orders run lines as trec_eval ranks them (form_res_rels.c,
 * comp_sim_docno): by query, then score descending, then ties broken by
 * docid in descending strcmp order. The RANK column plays no part. */
static int cmp_retrieved_rank(const void *a, const void *b)
{
    const retrieved *x = a, *y = b;
    int c = strcmp(x->qid, y->qid);
    if (c != 0)
        return c;
    if (x->score > y->score)
        return -1;
    if (x->score < y->score)
        return 1;
    return strcmp(y->docid, x->docid);
}

/* Reads the qrels file: "QID DOCID GRADE" (our tab-separated form) or the
 * TREC form "QID ITER DOCID GRADE", any whitespace between fields. On
 * success *out holds *n judgements sorted by (qid, docid), caller frees. */
static int read_qrels(text *t, judgement **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    judgement *js = malloc(t->nlines * sizeof(*js));
    if (js == NULL) {
        bad(t->path, 0, "out of memory");
        return RP_ENOMEM;
    }
    size_t count = 0;
    char *pos = t->data;
    char *f[MAX_FIELDS];
    for (long line = 1; *pos != '\0'; line++) {
        size_t nf = split_line(&pos, f);
        if (nf == 0)
            continue;
        if (nf != 3 && nf != 4) {
            free(js);
            return bad(t->path, line,
                       "expected 'QID DOCID GRADE' or 'QID ITER DOCID "
                       "GRADE', found %zu fields",
                       nf);
        }
        judgement *j = &js[count++];
        j->qid = f[0];
        j->docid = f[nf - 2];
        j->line = line;
        if (parse_int(f[nf - 1], &j->grade) != 0) {
            free(js);
            return bad(t->path, line, "grade '%s' is not an integer",
                       f[nf - 1]);
        }
    }
    qsort(js, count, sizeof(*js), cmp_judgement);
    for (size_t i = 1; i < count; i++) {
        if (cmp_judgement(&js[i - 1], &js[i]) == 0) {
            long a = js[i - 1].line, b = js[i].line;
            int rc = bad(t->path, a > b ? a : b,
                         "query '%s' judges document '%s' twice (also "
                         "line %ld)",
                         js[i].qid, js[i].docid, a > b ? b : a);
            free(js);
            return rc;
        }
    }
    *out = js;
    *n = count;
    return 0;
}

/* Reads a TREC run: "QID Q0 DOCID RANK SCORE TAG", whitespace separated,
 * further fields ignored. On success *out holds *n lines in trec_eval's
 * rank order (see cmp_retrieved_rank), caller frees. A document listed
 * twice for one query is an error, as in trec_eval. */
static int read_run(text *t, retrieved **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    retrieved *rs = malloc(t->nlines * sizeof(*rs));
    if (rs == NULL) {
        bad(t->path, 0, "out of memory");
        return RP_ENOMEM;
    }
    size_t count = 0;
    char *pos = t->data;
    char *f[MAX_FIELDS];
    for (long line = 1; *pos != '\0'; line++) {
        size_t nf = split_line(&pos, f);
        if (nf == 0)
            continue;
        if (nf < 6) {
            free(rs);
            return bad(t->path, line,
                       "expected 'QID Q0 DOCID RANK SCORE TAG', found %zu "
                       "fields",
                       nf);
        }
        retrieved *r = &rs[count++];
        r->qid = f[0];
        r->docid = f[2];
        r->line = line;
        if (parse_score(f[4], &r->score) != 0) {
            free(rs);
            return bad(t->path, line, "score '%s' is not a finite number",
                       f[4]);
        }
    }
    qsort(rs, count, sizeof(*rs), cmp_retrieved_doc);
    for (size_t i = 1; i < count; i++) {
        if (cmp_retrieved_doc(&rs[i - 1], &rs[i]) == 0) {
            long a = rs[i - 1].line, b = rs[i].line;
            int rc = bad(t->path, a > b ? a : b,
                         "query '%s' retrieves document '%s' twice (also "
                         "line %ld)",
                         rs[i].qid, rs[i].docid, a > b ? b : a);
            free(rs);
            return rc;
        }
    }
    qsort(rs, count, sizeof(*rs), cmp_retrieved_rank);
    *out = rs;
    *n = count;
    return 0;
}

/* Groups the sorted judgements into topics; *out has room for n. Returns
 * the number of topics. */
static size_t group_topics(const judgement *js, size_t n, topic *out)
{
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) {
        if (nt == 0 || strcmp(out[nt - 1].qid, js[i].qid) != 0) {
            out[nt].qid = js[i].qid;
            out[nt].first = i;
            out[nt].count = 0;
            out[nt].nrel = 0;
            nt++;
        }
        out[nt - 1].count++;
        out[nt - 1].nrel += js[i].grade >= 1;
    }
    return nt;
}

/* Returns the index of the first run line of query qid in rs[0..n) (sorted
 * by qid first), or n if there is none. */
static size_t find_run(const retrieved *rs, size_t n, const char *qid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(rs[mid].qid, qid) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(rs[lo].qid, qid) == 0 ? lo : n;
}

/* Returns the grade of docid among a topic's judgements js[0..n) (sorted
 * by docid), 0 when it was not judged. */
static int find_grade(const judgement *js, size_t n, const char *docid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(js[mid].docid, docid);
        if (c == 0)
            return js[mid].grade;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Scores every topic with a relevant judgement, adds to *sum and, if
 * per_query, prints one line per topic. ranked and ideal are scratch arrays
 * with room for nr and nj ints. */
static void score_all(const judgement *js, const topic *ts, size_t nt,
                      const retrieved *rs, size_t nr, int per_query,
                      const cutoffs *k, int *ranked, int *ideal, totals *sum)
{
    for (size_t t = 0; t < nt; t++) {
        const topic *tp = &ts[t];
        /* trec_eval -c: only queries with a relevant judgement count, and
         * one the run never mentions counts as zero on every measure. */
        if (tp->nrel == 0)
            continue;
        const judgement *tj = &js[tp->first];
        size_t n = 0;
        for (size_t i = find_run(rs, nr, tp->qid);
             i < nr && strcmp(rs[i].qid, tp->qid) == 0; i++)
            ranked[n++] = find_grade(tj, tp->count, rs[i].docid);
        for (size_t i = 0; i < tp->count; i++)
            ideal[i] = tj[i].grade;
        double ndcg = rp_metric_ndcg(ranked, n, ideal, tp->count,
                                     (size_t)k->ndcg);
        double ap = rp_metric_ap(ranked, n, tp->nrel, (size_t)k->map);
        double recall = rp_metric_recall(ranked, n, tp->nrel,
                                         (size_t)k->recall);
        sum->ndcg += ndcg;
        sum->ap += ap;
        sum->recall += recall;
        sum->queries++;
        sum->no_result += n == 0;
        if (per_query)
            printf("%s\tndcg@%d %.4f  map@%d %.4f  recall@%d %.4f  "
                   "retrieved %zu  relevant %zu\n",
                   tp->qid, k->ndcg, ndcg, k->map, ap, k->recall, recall, n,
                   tp->nrel);
    }
}

/* Counts the distinct queries of the run that have no relevant judgement
 * and so are left out, as trec_eval leaves them out. */
static size_t count_unjudged(const retrieved *rs, size_t nr, const topic *ts,
                             size_t nt)
{
    size_t missing = 0;
    for (size_t i = 0; i < nr; i++) {
        if (i > 0 && strcmp(rs[i - 1].qid, rs[i].qid) == 0)
            continue;
        size_t lo = 0, hi = nt;
        int scored = 0;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(ts[mid].qid, rs[i].qid);
            if (c == 0) {
                scored = ts[mid].nrel > 0;
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        missing += !scored;
    }
    return missing;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: rp-eval QRELS RUN [--per-query] [--cutoffs N,M,R]\n"
            "  QRELS  lines 'QID<TAB>DOCID<TAB>GRADE' (or TREC "
            "'QID 0 DOCID GRADE')\n"
            "  RUN    TREC run lines 'QID Q0 DOCID RANK SCORE TAG'\n"
            "Prints nDCG@%d, MAP@%d and Recall@%d as trec_eval -c computes "
            "them,\naveraged over the queries with a relevant judgement. "
            "--per-query adds\none line per query first; --cutoffs sets the "
            "three cutoffs.\n",
            10, 100, 100);
}

int main(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    size_t npaths = 0;
    int per_query = 0;
    cutoffs k = DEFAULT_CUTOFFS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--per-query") == 0) {
            per_query = 1;
        } else if (strcmp(argv[i], "--cutoffs") == 0 && i + 1 < argc) {
            if (sscanf(argv[++i], "%d,%d,%d", &k.ndcg, &k.map, &k.recall) !=
                    3 ||
                k.ndcg < 1 || k.map < 1 || k.recall < 1) {
                fprintf(stderr, "rp-eval: --cutoffs wants N,M,R (e.g. "
                                "5,100,20)\n");
                return 1;
            }
        } else if (strcmp(argv[i], "-h") == 0 ||
                   strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "rp-eval: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 1;
        } else if (npaths < 2) {
            paths[npaths++] = argv[i];
        } else {
            fprintf(stderr, "rp-eval: too many arguments\n");
            usage(stderr);
            return 1;
        }
    }
    if (npaths != 2) {
        usage(stderr);
        return 1;
    }

    text qt, rt;
    judgement *js = NULL;
    retrieved *rs = NULL;
    topic *ts = NULL;
    int *ranked = NULL, *ideal = NULL;
    size_t nj = 0, nr = 0;
    int status = 1;
    memset(&rt, 0, sizeof(rt));
    if (text_read(paths[0], &qt) != 0)
        return 1;
    if (text_read(paths[1], &rt) != 0 || read_qrels(&qt, &js, &nj) != 0 ||
        read_run(&rt, &rs, &nr) != 0)
        goto done;
    ts = malloc((nj ? nj : 1) * sizeof(*ts));
    ranked = malloc((nr ? nr : 1) * sizeof(*ranked));
    ideal = malloc((nj ? nj : 1) * sizeof(*ideal));
    if (ts == NULL || ranked == NULL || ideal == NULL) {
        fprintf(stderr, "rp-eval: out of memory\n");
        goto done;
    }
    size_t nt = group_topics(js, nj, ts);
    totals sum = {0};
    score_all(js, ts, nt, rs, nr, per_query, &k, ranked, ideal, &sum);
    if (sum.queries == 0) {
        bad(qt.path, 0, "no query has a relevant judgement (grade >= 1)");
        goto done;
    }
    if (nr == 0)
        fprintf(stderr, "rp-eval: %s: warning: the run is empty\n", rt.path);
    else if (sum.no_result > 0)
        fprintf(stderr,
                "rp-eval: note: %zu of %zu judged queries have no line in "
                "the run (scored 0)\n",
                sum.no_result, sum.queries);
    size_t ignored = count_unjudged(rs, nr, ts, nt);
    if (ignored > 0)
        fprintf(stderr,
                "rp-eval: note: %zu run queries have no relevant judgement "
                "(ignored)\n",
                ignored);
    double q = (double)sum.queries;
    printf("ndcg@%d %.4f  map@%d %.4f  recall@%d %.4f  queries %zu\n", k.ndcg,
           sum.ndcg / q, k.map, sum.ap / q, k.recall, sum.recall / q,
           sum.queries);
    status = 0;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "rp-eval: cannot write the result: %s\n",
                strerror(errno));
        status = 1;
    }
done:
    free(ideal);
    free(ranked);
    free(ts);
    free(rs);
    free(js);
    text_fini(&rt);
    text_fini(&qt);
    return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * Tests for the metrics module (nDCG@k, AP@k, recall@k as trec_eval 9.x
 * computes them) on small rankings worked out by hand, with the arithmetic
 * in the comments. The last tests run the rp-eval binary on tiny qrels and
 * run files to check parsing, trec_eval's ordering of a run and the mean
 * over judged queries; they skip when the binary has not been built.
 */
#include "t.h"

#include "rapport/metrics.h"

#include <math.h>

#define EPS 1e-12

/* 1 / log2(3): the discount factor of rank 2. */
#define D2 (1.0 / log2(3.0))

static void test_perfect_ranking(void)
{
    /* Grades 3, 2, 1 in rank order against the same judged grades, given
     * in another order: DCG = IDCG = 3/1 + 2/log2(3) + 1/log2(4), so
     * nDCG = 1. Every relevant document is found at the top, so AP =
     * (1/1 + 2/2 + 3/3) / 3 = 1 and recall = 3/3 = 1. */
    const int ranked[] = {3, 2, 1};
    const int ideal[] = {1, 3, 2};
    ASSERT_NEAR(rp_metric_ndcg(ranked, 3, ideal, 3, 10), 1.0, EPS);
    ASSERT_NEAR(rp_metric_ap(ranked, 3, 3, 100), 1.0, EPS);
    ASSERT_NEAR(rp_metric_recall(ranked, 3, 3, 100), 1.0, EPS);
}

static void test_three_docs_one_missing(void)
{
    /* Judged: A = 2, B = 1, C = 1. The run retrieves B, an unjudged doc,
     * then A; C is never retrieved. ranked = {1, 0, 2}.
     * DCG@10  = 1/log2(2) + 0 + 2/log2(4) = 1 + 1 = 2.
     * IDCG@10 = 2/log2(2) + 1/log2(3) + 1/log2(4)
     *         = 2 + 0.6309297536 + 0.5 = 3.1309297536.
     * nDCG    = 2 / 3.1309297536 = 0.6387878865. */
    const int ranked[] = {1, 0, 2};
    const int ideal[] = {2, 1, 1};
    double want = 2.0 / (2.0 + D2 + 0.5);
    ASSERT_NEAR(want, 0.6387878865, 1e-10);
    ASSERT_NEAR(rp_metric_ndcg(ranked, 3, ideal, 3, 10), want, EPS);
    /* Relevant at ranks 1 and 3: AP = (1/1 + 2/3) / 3 = 5/9, the missing C
     * counting in the denominator. Recall = 2/3. */
    ASSERT_NEAR(rp_metric_ap(ranked, 3, 3, 100), 5.0 / 9.0, EPS);
    ASSERT_NEAR(rp_metric_recall(ranked, 3, 3, 100), 2.0 / 3.0, EPS);
}

static void test_ap(void)
{
    /* Relevant at ranks 2 and 5, two relevant in all:
     * AP = (1/2 + 2/5) / 2 = 0.45. */
    const int ranked[] = {0, 1, 0, 0, 1};
    ASSERT_NEAR(rp_metric_ap(ranked, 5, 2, 100), 0.45, EPS);
    /* Grade 2 is relevant too, and counts once like grade 1:
     * {2, 0, 1} gives (1/1 + 2/3) / 2 = 5/6. */
    const int graded[] = {2, 0, 1};
    ASSERT_NEAR(rp_metric_ap(graded, 3, 2, 100), 5.0 / 6.0, EPS);
}

static void test_ap_divides_by_all_relevant(void)
{
    /* Two relevant documents on top, five relevant in all. trec_eval
     * divides by nrel = 5, not by min(k, nrel) = 2:
     * k = 2: (1/1 + 2/2) / 5 = 0.4 (min(k, nrel) would give 1.0);
     * k = 1: (1/1) / 5 = 0.2. */
    const int ranked[] = {1, 1};
    ASSERT_NEAR(rp_metric_ap(ranked, 2, 5, 2), 0.4, EPS);
    ASSERT_NEAR(rp_metric_ap(ranked, 2, 5, 1), 0.2, EPS);
}

static void test_recall(void)
{
    /* Relevant at ranks 1, 3 and 4, four relevant in all:
     * k = 2: 1/4; k = 4: 3/4; k = 100 (beyond the list): still 3/4. */
    const int ranked[] = {1, 0, 1, 1};
    ASSERT_NEAR(rp_metric_recall(ranked, 4, 4, 2), 0.25, EPS);
    ASSERT_NEAR(rp_metric_recall(ranked, 4, 4, 4), 0.75, EPS);
    ASSERT_NEAR(rp_metric_recall(ranked, 4, 4, 100), 0.75, EPS);
}

static void test_empty_run(void)
{
    /* No results: every measure is 0 (a judged query the run misses). */
    const int ideal[] = {1, 2};
    ASSERT_NEAR(rp_metric_ndcg(NULL, 0, ideal, 2, 10), 0.0, EPS);
    ASSERT_NEAR(rp_metric_ap(NULL, 0, 2, 100), 0.0, EPS);
    ASSERT_NEAR(rp_metric_recall(NULL, 0, 2, 100), 0.0, EPS);
    /* No relevant judgement: 0 rather than a division by zero, even if the
     * list holds grades. */
    const int ranked[] = {1};
    ASSERT_NEAR(rp_metric_ndcg(ranked, 1, NULL, 0, 10), 0.0, EPS);
    ASSERT_NEAR(rp_metric_ap(ranked, 1, 0, 100), 0.0, EPS);
    ASSERT_NEAR(rp_metric_recall(ranked, 1, 0, 100), 0.0, EPS);
    /* Judged grades that are all 0 or negative give an ideal DCG of 0. */
    const int none[] = {0, -1};
    ASSERT_NEAR(rp_metric_ndcg(ranked, 1, none, 2, 10), 0.0, EPS);
}

static void test_cut_on_the_run(void)
{
    /* The only relevant document sits at rank 3. With k = 2 it is cut off:
     * every measure is 0. With k = 3: nDCG = (1/log2(4)) / (1/log2(2)) =
     * 0.5, AP = (1/3) / 1, recall = 1/1. */
    const int ranked[] = {0, 0, 1};
    const int ideal[] = {1};
    ASSERT_NEAR(rp_metric_ndcg(ranked, 3, ideal, 1, 2), 0.0, EPS);
    ASSERT_NEAR(rp_metric_ap(ranked, 3, 1, 2), 0.0, EPS);
    ASSERT_NEAR(rp_metric_recall(ranked, 3, 1, 2), 0.0, EPS);
    ASSERT_NEAR(rp_metric_ndcg(ranked, 3, ideal, 1, 3), 0.5, EPS);
    ASSERT_NEAR(rp_metric_ap(ranked, 3, 1, 3), 1.0 / 3.0, EPS);
    ASSERT_NEAR(rp_metric_recall(ranked, 3, 1, 3), 1.0, EPS);
    /* k = 0 keeps nothing. */
    ASSERT_NEAR(rp_metric_ndcg(ranked, 3, ideal, 1, 0), 0.0, EPS);
    ASSERT_NEAR(rp_metric_ap(ranked, 3, 1, 0), 0.0, EPS);
    ASSERT_NEAR(rp_metric_recall(ranked, 3, 1, 0), 0.0, EPS);
}

static void test_cut_on_the_ideal(void)
{
    /* Three relevant documents judged, one retrieved at rank 1. The ideal
     * list is cut at k as well:
     * k = 1: DCG 1, IDCG 1 -> 1.0;
     * k = 2: IDCG = 1 + 1/log2(3) = 1.6309297536 -> 0.6131471928;
     * k = 3: IDCG = 1.6309297536 + 1/log2(4) = 2.1309297536
     *        -> 0.4692787260. */
    const int ranked[] = {1, 0};
    const int ideal[] = {1, 1, 1};
    ASSERT_NEAR(rp_metric_ndcg(ranked, 2, ideal, 3, 1), 1.0, EPS);
    ASSERT_NEAR(rp_metric_ndcg(ranked, 2, ideal, 3, 2), 1.0 / (1.0 + D2), EPS);
    ASSERT_NEAR(1.0 / (1.0 + D2), 0.6131471928, 1e-10);
    ASSERT_NEAR(rp_metric_ndcg(ranked, 2, ideal, 3, 3), 1.0 / (1.0 + D2 + 0.5),
                EPS);
    ASSERT_NEAR(1.0 / (1.0 + D2 + 0.5), 0.4692787260, 1e-10);
}

static void test_graded_gains(void)
{
    /* The gain is the grade itself, not 2^grade - 1. ranked = {1, 3},
     * judged {3, 1}:
     * DCG  = 1/1 + 3/log2(3) = 1 + 1.8927892607 = 2.8927892607;
     * IDCG = 3/1 + 1/log2(3) = 3 + 0.6309297536 = 3.6309297536;
     * nDCG = 0.7967075810. (Exponential gains would give
     * (1 + 7/log2(3)) / (7 + 1/log2(3)) = 0.7098097414.) */
    const int ranked[] = {1, 3};
    const int ideal[] = {3, 1};
    double want = (1.0 + 3.0 * D2) / (3.0 + D2);
    ASSERT_NEAR(want, 0.7967075810, 1e-10);
    ASSERT_NEAR(rp_metric_ndcg(ranked, 2, ideal, 2, 10), want, EPS);
}

static void test_ideal_levels_unsorted(void)
{
    /* Judged grades in any order, with a gap (no 3), a 0 and a negative
     * grade, which the ideal ignores: it is 4, 4, 2, 1. ranked =
     * {4, 2, 4, 1}:
     * DCG  = 4/1 + 2/log2(3) + 4/log2(4) + 1/log2(5);
     * IDCG = 4/1 + 4/log2(3) + 2/log2(4) + 1/log2(5);
     * nDCG = 0.9670798988. The ideal order itself scores 1. */
    const int ideal[] = {1, 4, 0, 2, 4, -1};
    const int ranked[] = {4, 2, 4, 1};
    const int best[] = {4, 4, 2, 1};
    double l5 = 1.0 / log2(5.0);
    double want = (4.0 + 2.0 * D2 + 2.0 + l5) / (4.0 + 4.0 * D2 + 1.0 + l5);
    ASSERT_NEAR(want, 0.9670798988, 1e-10);
    ASSERT_NEAR(rp_metric_ndcg(ranked, 4, ideal, 6, 10), want, EPS);
    ASSERT_NEAR(rp_metric_ndcg(best, 4, ideal, 6, 10), 1.0, EPS);
}

static void test_negative_grades_in_run(void)
{
    /* trec_eval marks pooled-but-unjudged documents with a negative grade;
     * they gain nothing and are not relevant. ranked = {-1, 2}, judged
     * {2}: nDCG = (2/log2(3)) / 2 = 0.6309297536, AP = (1/2) / 1,
     * recall = 1. */
    const int ranked[] = {-1, 2};
    const int ideal[] = {2};
    ASSERT_NEAR(rp_metric_ndcg(ranked, 2, ideal, 1, 10), D2, EPS);
    ASSERT_NEAR(rp_metric_ap(ranked, 2, 1, 100), 0.5, EPS);
    ASSERT_NEAR(rp_metric_recall(ranked, 2, 1, 100), 1.0, EPS);
}

/* ---- rp-eval, the binary ---- */

/* Paths for one rp-eval run in a fresh temporary directory. */
typedef struct eval_files {
    char dir[64];
    char qrels[128];
    char run[128];
    char out[128];
    char err[128];
    char bin[256];
} eval_files;

/* Finds the rp-eval binary (in $RP_BUILD, as tests/run.sh sets it, else
 * build/) and makes a temporary directory; skips the test without the
 * binary. */
static void eval_setup(eval_files *f)
{
    const char *b = getenv("RP_BUILD");
    snprintf(f->bin, sizeof(f->bin), "%s/rp-eval", b ? b : "build");
    if (access(f->bin, X_OK) != 0)
        T_SKIP("%s not built (make %s)", f->bin, f->bin);
    snprintf(f->dir, sizeof(f->dir), "/tmp/rp-test-metrics-XXXXXX");
    ASSERT(mkdtemp(f->dir) != NULL);
    snprintf(f->qrels, sizeof(f->qrels), "%s/qrels.tsv", f->dir);
    snprintf(f->run, sizeof(f->run), "%s/run.trec", f->dir);
    snprintf(f->out, sizeof(f->out), "%s/out", f->dir);
    snprintf(f->err, sizeof(f->err), "%s/err", f->dir);
}

static void write_file(const char *path, const char *s)
{
    FILE *fp = fopen(path, "w");
    ASSERT(fp != NULL);
    ASSERT(fputs(s, fp) >= 0);
    ASSERT(fclose(fp) == 0);
}

/* Reads up to cap - 1 bytes of path into buf, NUL-terminated. */
static void read_file(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "r");
    ASSERT(fp != NULL);
    size_t n = fread(buf, 1, cap - 1, fp);
    buf[n] = '\0';
    fclose(fp);
}

/* Runs rp-eval on the files with extra arguments; returns its exit status
 * and leaves stdout and stderr in f->out and f->err. */
static int eval_run(const eval_files *f, const char *extra)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s' %s >'%s' 2>'%s'", f->bin,
             f->qrels, f->run, extra, f->out, f->err);
    int st = system(cmd);
    ASSERT(st != -1 && WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void eval_cleanup(const eval_files *f)
{
    unlink(f->qrels);
    unlink(f->run);
    unlink(f->out);
    unlink(f->err);
    rmdir(f->dir);
}

/* The run of the next two tests. q1's first two lines tie on score 5; the
 * RANK column lists d1 first, but trec_eval ignores it and breaks the tie
 * by docid descending, so the order is d9 (score 9), d2, d1. q3 has no
 * relevant judgement and q9 none at all: both are ignored. */
static const char run_text[] = "q1 Q0 d1 1 5.0 tag\n"
                               "q1 Q0 d2 2 5.0 tag\n"
                               "# a comment line\n"
                               "\n"
                               "q1\tQ0\td9\t3\t9\ttag\n"
                               "q2 Q0 d5 1 1.5 tag extra\n"
                               "q3 Q0 d7 1 1.0 tag\n"
                               "q9 Q0 dx 1 1.0 tag\n";

/* The expected summary for run_text, worked out by hand.
 * q1: ranked grades {0, 1, 2} (d9, d2, d1), judged {2, 1, 0}:
 *   nDCG = (1/log2(3) + 2/log2(4)) / (2 + 1/log2(3)) = 0.6199062333
 *   (ascending tie-break would give {0, 2, 1} and 0.6696...);
 *   AP = (1/2 + 2/3) / 2 = 7/12; recall = 2/2.
 * q2: d5 relevant at rank 1: 1, 1, 1.
 * q4: judged relevant, absent from the run: 0, 0, 0.
 * Means over 3 queries: nDCG 0.5399687444, MAP (7/12 + 1)/3 =
 * 0.5277777778, recall 2/3. */
static void expected_summary(char *buf, size_t cap)
{
    double q1 = (D2 + 1.0) / (2.0 + D2);
    snprintf(buf, cap,
             "ndcg@10 %.4f  map@100 %.4f  recall@100 %.4f  queries 3\n",
             (q1 + 1.0) / 3.0, (7.0 / 12.0 + 1.0) / 3.0, 2.0 / 3.0);
}

static void test_rp_eval_summary(void)
{
    eval_files f;
    eval_setup(&f);
    write_file(f.qrels, "q1\td1\t2\n"
                        "q1\td2\t1\n"
                        "q1\td9\t0\n"
                        "q2\td5\t1\n"
                        "q3\td7\t0\n"
                        "q4\td8\t1\n");
    write_file(f.run, run_text);
    char want[128], got[256];
    expected_summary(want, sizeof(want));
    ASSERT_STR_EQ(want, "ndcg@10 0.5400  map@100 0.5278  recall@100 "
                        "0.6667  queries 3\n");
    ASSERT_EQ(eval_run(&f, ""), 0);
    read_file(f.out, got, sizeof(got));
    ASSERT_STR_EQ(got, want);
    eval_cleanup(&f);
}

static void test_rp_eval_trec_qrels_and_per_query(void)
{
    /* The same judgements in the 4-column TREC form, with CRLF endings and
     * no final newline, give the same summary; --per-query adds one line
     * per scored query, in qid order. */
    eval_files f;
    eval_setup(&f);
    write_file(f.qrels, "q4 0 d8 1\r\n"
                        "q1 0 d1 2\r\n"
                        "q1 0 d2 1\r\n"
                        "q1 0 d9 0\r\n"
                        "q2 0 d5 1\r\n"
                        "q3 0 d7 0");
    write_file(f.run, run_text);
    char want[128], got[1024];
    expected_summary(want, sizeof(want));
    ASSERT_EQ(eval_run(&f, "--per-query"), 0);
    read_file(f.out, got, sizeof(got));
    char q1[128];
    snprintf(q1, sizeof(q1),
             "q1\tndcg@10 %.4f  map@100 %.4f  recall@100 1.0000  "
             "retrieved 3  relevant 2\n",
             (D2 + 1.0) / (2.0 + D2), 7.0 / 12.0);
    const char *p = got;
    ASSERT(strncmp(p, q1, strlen(q1)) == 0);
    p += strlen(q1);
    ASSERT(strncmp(p, "q2\t", 3) == 0);
    p = strchr(p, '\n') + 1;
    const char *q4 = "q4\tndcg@10 0.0000  map@100 0.0000  recall@100 "
                     "0.0000  retrieved 0  relevant 1\n";
    ASSERT(strncmp(p, q4, strlen(q4)) == 0);
    p = strchr(p, '\n') + 1;
    ASSERT_STR_EQ(p, want);
    eval_cleanup(&f);
}

/* Runs rp-eval on a bad input and checks it fails with a message naming
 * the file (by its base name) and line. */
static void expect_error(const char *qrels, const char *run, const char *where,
                         const char *what)
{
    eval_files f;
    eval_setup(&f);
    write_file(f.qrels, qrels);
    write_file(f.run, run);
    ASSERT_EQ(eval_run(&f, ""), 1);
    char err[1024], out[64];
    read_file(f.err, err, sizeof(err));
    read_file(f.out, out, sizeof(out));
    if (strstr(err, where) == NULL || strstr(err, what) == NULL)
        T_FAIL("stderr lacks '%s' and '%s': %s", where, what, err);
    ASSERT_STR_EQ(out, "");
    eval_cleanup(&f);
}

static void test_rp_eval_errors(void)
{
    const char *q = "q1\td1\t1\n";
    const char *r = "q1 Q0 d1 1 1.0 t\n";
    expect_error(q, "q1 Q0 d1 1 1.0 t\nq1 Q0 d2 2 1.0\n",
                 "run.trec:2:", "fields");
    expect_error(q, "q1 Q0 d1 1 high t\n", "run.trec:1:", "high");
    expect_error(q, "q1 Q0 d1 1 nan t\n", "run.trec:1:", "nan");
    expect_error(q, "q1 Q0 d1 1 2 t\nq1 Q0 d1 2 1 t\n", "run.trec:2:", "twice");
    expect_error("q1\td1\n", r, "qrels.tsv:1:", "fields");
    expect_error("q1\td1\t1\nq1\td2\tyes\n", r, "qrels.tsv:2:", "yes");
    expect_error("q1\td1\t1\n\nq1\td1\t2\n", r, "qrels.tsv:3:", "twice");
    expect_error("q1\td1\t0\n", r, "qrels.tsv", "no query");
}

static void test_rp_eval_usage(void)
{
    eval_files f;
    eval_setup(&f);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "'%s' only-one >/dev/null 2>&1", f.bin);
    int st = system(cmd);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    snprintf(cmd, sizeof(cmd),
             "'%s' /nonexistent/q /nonexistent/r "
             ">/dev/null 2>&1",
             f.bin);
    st = system(cmd);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    eval_cleanup(&f);
}

static const t_case cases[] = {
    T(test_perfect_ranking),
    T(test_three_docs_one_missing),
    T(test_ap),
    T(test_ap_divides_by_all_relevant),
    T(test_recall),
    T(test_empty_run),
    T(test_cut_on_the_run),
    T(test_cut_on_the_ideal),
    T(test_graded_gains),
    T(test_ideal_levels_unsorted),
    T(test_negative_grades_in_run),
    T(test_rp_eval_summary),
    T(test_rp_eval_trec_qrels_and_per_query),
    T(test_rp_eval_errors),
    T(test_rp_eval_usage),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of the two command-line tools, rapport-index and
 * rapport-search, run as child processes (found in $RP_BUILD, default
 * "build"; the tests skip when they are missing) on indexes in mkdtemp
 * directories. They check exit codes, summaries and messages, the three
 * output formats (JSON is read back with cJSON), paging, type filters,
 * query files, atomic batches, replacement, deletion and standard input.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "t.h"

#define MAX_ARGS 32

/* The test's state: a temporary directory (with the index in DIR/db) and
 * the two binaries. */
typedef struct fixture {
    char dir[64];
    char db[512];
    char index_bin[512];
    char search_bin[512];
} fixture;

static fixture fx;

/* What a child process did. */
typedef struct result {
    int status; /* exit status, or 128 + signal */
    char *out;  /* its standard output, NUL-terminated */
    char *err;  /* its standard error, NUL-terminated */
} result;


static void cleanup(void)
{
    if (fx.dir[0] != '\0')
        t_rm_rf(fx.dir);
}

/* Finds the binaries (skipping the test when they are missing) and makes
 * the temporary directory. */
static void setup(void)
{
    memset(&fx, 0, sizeof fx);
    const char *b = getenv("RP_BUILD");
    if (b == NULL || b[0] == '\0')
        b = "build";
    snprintf(fx.index_bin, sizeof fx.index_bin, "%s/rapport-index", b);
    snprintf(fx.search_bin, sizeof fx.search_bin, "%s/rapport-search", b);
    if (access(fx.index_bin, X_OK) != 0 || access(fx.search_bin, X_OK) != 0)
        T_SKIP("%s or %s not built (make all)", fx.index_bin, fx.search_bin);
    snprintf(fx.dir, sizeof fx.dir, "/tmp/rp_cli_XXXXXX");
    ASSERT(mkdtemp(fx.dir) != NULL);
    atexit(cleanup);
    snprintf(fx.db, sizeof fx.db, "%s/db", fx.dir);
}

/* DIR/rel into out. */
static const char *path_of(const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", fx.dir, rel);
    return out;
}

static void write_file(const char *rel, const char *text)
{
    char p[512];
    FILE *f = fopen(path_of(rel, p, sizeof p), "wb");
    ASSERT(f != NULL);
    ASSERT_EQ(fwrite(text, 1, strlen(text), f), strlen(text));
    ASSERT_EQ(fclose(f), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ASSERT(f != NULL);
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    ASSERT(buf != NULL);
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            buf = realloc(buf, cap *= 2);
            ASSERT(buf != NULL);
        }
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void result_fini(result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

/* Runs a tool: argv[0] is "index" or "search", the rest its arguments,
 * NULL-terminated. stdin_text (may be NULL: empty input) is its standard
 * input; stdout and stderr go through files in the temporary directory. */
static void run(result *r, const char *stdin_text, const char *const *argv)
{
    char in[512], out[512], err[512];
    write_file("stdin.tmp", stdin_text ? stdin_text : "");
    path_of("stdin.tmp", in, sizeof in);
    path_of("stdout.tmp", out, sizeof out);
    path_of("stderr.tmp", err, sizeof err);
    const char *args[MAX_ARGS + 1];
    int n = 0;
    args[n++] = strcmp(argv[0], "index") == 0 ? fx.index_bin : fx.search_bin;
    for (int i = 1; argv[i] != NULL; i++) {
        ASSERT(n < MAX_ARGS);
        args[n++] = argv[i];
    }
    args[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        int fi = open(in, O_RDONLY);
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fi < 0 || fo < 0 || fe < 0 || dup2(fi, 0) < 0 || dup2(fo, 1) < 0 ||
            dup2(fe, 2) < 0)
            _exit(126);
        execv(args[0], (char *const *)args);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        ASSERT(errno == EINTR);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = slurp(out);
    r->err = slurp(err);
}

/* Fails unless the run exited 0, showing its stderr. */
static void expect_ok(const result *r)
{
    if (r->status != 0)
        T_FAIL("exit status %d, stderr: %s", r->status, r->err);
}

/* Asserts s contains want. */
static void expect_has(const char *s, const char *want)
{
    if (strstr(s, want) == NULL)
        T_FAIL("\"%s\" not found in: %s", want, s);
}

/* Asserts s is exactly one non-empty line. */
static void expect_one_line(const char *s)
{
    size_t n = strlen(s);
    const char *nl = strchr(s, '\n');
    if (n < 2 || nl != s + n - 1)
        T_FAIL("want a one-line message, got: \"%s\"", s);
}

/* rapport-index --db DB path; must succeed. */
static void index_path(const char *path)
{
    const char *argv[] = {"index", "--db", fx.db, path, NULL};
    result r;
    run(&r, NULL, argv);
    expect_ok(&r);
    result_fini(&r);
}

static void index_corpus(void)
{
    if (access("corpus/docs", R_OK) != 0)
        T_SKIP("corpus/ not found (run from the repository root)");
    index_path("corpus/docs/");
}

/* Runs a JSON search (extra: more arguments, may be NULL) and returns the
 * parsed output, checked to have "total" and "hits" (caller deletes). */
static cJSON *search_json(const char *query, const char *const *extra)
{
    const char *argv[MAX_ARGS] = {"search", "--db", fx.db, "--format", "json"};
    int n = 5;
    for (int i = 0; extra != NULL && extra[i] != NULL; i++)
        argv[n++] = extra[i];
    argv[n++] = query;
    argv[n] = NULL;
    result r;
    run(&r, NULL, argv);
    expect_ok(&r);
    cJSON *j = cJSON_Parse(r.out);
    if (j == NULL)
        T_FAIL("output is not JSON: %s", r.out);
    result_fini(&r);
    ASSERT(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "total")));
    ASSERT(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "hits")));
    return j;
}

static double total_of(const cJSON *j)
{
    return cJSON_GetObjectItemCaseSensitive(j, "total")->valuedouble;
}

static int nhits_of(const cJSON *j)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "hits"));
}

/* The doc member of hit i. */
static const cJSON *hit_doc(const cJSON *j, int i)
{
    const cJSON *h =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "hits"), i);
    ASSERT(h != NULL);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(h, "doc");
    ASSERT(cJSON_IsObject(d));
    return d;
}

static const char *hit_str(const cJSON *j, int i, const char *member)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(hit_doc(j, i), member);
    ASSERT(cJSON_IsString(s));
    return s->valuestring;
}

/* The number of matches of query. */
static double count(const char *query)
{
    cJSON *j = search_json(query, NULL);
    double t = total_of(j);
    ASSERT_EQ(nhits_of(j), t < 10 ? t : 10);
    cJSON_Delete(j);
    return t;
}

/* Non-blank lines in the corpus's .jsonl files: its documents. */
static long corpus_docs(void)
{
    DIR *d = opendir("corpus/docs");
    ASSERT(d != NULL);
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 7 || strcmp(e->d_name + len - 6, ".jsonl") != 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "corpus/docs/%s", e->d_name);
        char *text = slurp(p);
        for (char *s = text; *s != '\0';) {
            char *nl = strchr(s, '\n');
            size_t l = nl ? (size_t)(nl - s) : strlen(s);
            n += strspn(s, " \t\r") < l;
            s += l + (nl != NULL);
        }
        free(text);
    }
    closedir(d);
    return n;
}

static void test_index_corpus(void)
{
    setup();
    if (access("corpus/docs", R_OK) != 0)
        T_SKIP("corpus/ not found (run from the repository root)");
    const char *argv[] = {"index", "--db", fx.db, "corpus/docs/", NULL};
    result r;
    run(&r, NULL, argv);
    expect_ok(&r);
    expect_has(r.out, "documents/s");
    char want[64];
    snprintf(want, sizeof want, "indexed %ld documents", corpus_docs());
    expect_has(r.out, want);
    ASSERT_STR_EQ(r.err, ""); /* no progress bar when not on a terminal */
    result_fini(&r);
    ASSERT(count("anxiety") > 0);
}

static void test_db_dir_created_or_empty(void)
{
    setup();
    write_file("d.jsonl", "{\"id\":\"d1\",\"title\":\"plonkity\"}\n");
    char doc[512], db[512];
    path_of("d.jsonl", doc, sizeof doc);
    /* A missing directory, two levels deep, is created. */
    snprintf(db, sizeof db, "%s/new/deeper", fx.dir);
    const char *argv[] = {"index", "--db", db, doc, NULL};
    result r;
    run(&r, NULL, argv);
    expect_ok(&r);
    result_fini(&r);
    struct stat st;
    ASSERT(stat(db, &st) == 0 && S_ISDIR(st.st_mode));
    /* An existing empty directory is fine. */
    snprintf(db, sizeof db, "%s/empty", fx.dir);
    ASSERT(mkdir(db, 0755) == 0);
    run(&r, NULL, argv);
    expect_ok(&r);
    result_fini(&r);
    snprintf(fx.db, sizeof fx.db, "%s", db);
    ASSERT_EQ(count("plonkity"), 1);
}

static void test_search_json(void)
{
    setup();
    index_corpus();
    const char *extra[] = {"--limit", "5", NULL};
    cJSON *j = search_json("anxiety", extra);
    ASSERT(total_of(j) >= 5);
    ASSERT_EQ(nhits_of(j), 5);
    double prev = 1e300;
    const cJSON *hits = cJSON_GetObjectItemCaseSensitive(j, "hits");
    for (int i = 0; i < 5; i++) {
        const cJSON *h = cJSON_GetArrayItem(hits, i);
        ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(h, "rank")->valueint, i + 1);
        double s = cJSON_GetObjectItemCaseSensitive(h, "score")->valuedouble;
        ASSERT(s > 0 && s <= prev);
        prev = s;
        ASSERT(strlen(hit_str(j, i, "id")) > 0);
        const char *t = hit_str(j, i, "type");
        ASSERT(strcmp(t, "article") == 0 || strcmp(t, "question") == 0 ||
               strcmp(t, "specialist") == 0);
    }
    cJSON_Delete(j);
    /* No match: valid JSON with total 0 and no hits. */
    j = search_json("xyzzyplughnothing", NULL);
    ASSERT_EQ(total_of(j), 0);
    ASSERT_EQ(nhits_of(j), 0);
    cJSON_Delete(j);
}

static void test_search_text(void)
{
    setup();
    index_corpus();
    const char *extra[] = {"--limit", "4", NULL};
    cJSON *j = search_json("anxiety", extra);
    const char *argv[] = {"search",   "--db", fx.db,     "--limit", "4",
                          "--format", "text", "anxiety", NULL};
    result r;
    run(&r, NULL, argv);
    expect_ok(&r);
    char want[64];
    snprintf(want, sizeof want, "%.0f results\n", total_of(j));
    ASSERT(strncmp(r.out, want, strlen(want)) == 0);
    /* Then one line per hit: rank, score, type, id (and title). */
    char *line = r.out + strlen(want);
    for (int i = 0; i < 4; i++) {
        char *nl = strchr(line, '\n');
        ASSERT(nl != NULL);
        *nl = '\0';
        int rank = 0;
        double score = 0;
        char type[32], id[300];
        ASSERT_EQ(sscanf(line, "%d. %lf %31s %299s", &rank, &score, type, id),
                  4);
        ASSERT_EQ(rank, i + 1);
        ASSERT_STR_EQ(type, hit_str(j, i, "type"));
        ASSERT_STR_EQ(id, hit_str(j, i, "id"));
        line = nl + 1;
    }
    ASSERT_STR_EQ(line, "");
    result_fini(&r);
    /* The default format is text. */
    const char *argv2[] = {"search", "--db",    fx.db, "--limit",
                           "4",      "anxiety", NULL};
    run(&r, NULL, argv2);
    expect_ok(&r);
    ASSERT(strncmp(r.out, want, strlen(want)) == 0);
    result_fini(&r);
    cJSON_Delete(j);
}

/* Splits a TREC run line into its six columns (modifies line). */
static void trec_cols(char *line, char **col)
{
    int n = 0;
    for (char *tok = strtok(line, " "); tok != NULL; tok = strtok(NULL, " "))
        if (n++ < 6)
            col[n - 1] = tok;
    if (n != 6)
        T_FAIL("TREC line with %d columns", n);
}

static void test_search_trec(void)
{
    setup();
    index_corpus();
    const char *extra[] = {"--limit", "6", NULL};
    cJSON *j = search_json("sleep", extra);
    int n = nhits_of(j);
    ASSERT(n >= 2);
    const char *argv[] = {"search",   "--db", fx.db,   "--limit", "6",
                          "--format", "trec", "sleep", NULL};
    result r;
    run(&r, NULL, argv);
    expect_ok(&r);
    char *save = r.out;
    double prev = 1e300;
    for (int i = 0; i < n; i++) {
        char *nl = strchr(save, '\n');
        ASSERT(nl != NULL);
        *nl = '\0';
        char *col[6];
        trec_cols(save, col);
        ASSERT_STR_EQ(col[1], "Q0");
        ASSERT_STR_EQ(col[2], hit_str(j, i, "id"));
        ASSERT_EQ(atoi(col[3]), i + 1);
        double s = strtod(col[4], NULL);
        ASSERT(s > 0 && s <= prev);
        prev = s;
        ASSERT_STR_EQ(col[5], "rapport");
        save = nl + 1;
    }
    ASSERT_STR_EQ(save, "");
    result_fini(&r);
    cJSON_Delete(j);
}

/* Asserts every hit of j has type t. */
static void all_of_type(const cJSON *j, const char *t)
{
    for (int i = 0; i < nhits_of(j); i++)
        ASSERT_STR_EQ(hit_str(j, i, "type"), t);
}

static void test_search_type(void)
{
    setup();
    index_corpus();
    const char *all[] = {"--limit", "50", NULL};
    cJSON *j = search_json("anxiety OR grief", all);
    int other = 0, specialists = 0;
    for (int i = 0; i < nhits_of(j); i++) {
        specialists += strcmp(hit_str(j, i, "type"), "specialist") == 0;
        other += strcmp(hit_str(j, i, "type"), "specialist") != 0;
    }
    /* Without a filter the query matches several types. */
    ASSERT(other > 0 && specialists > 0);
    double total = total_of(j);
    cJSON_Delete(j);
    const char *sp[] = {"--limit", "50", "--type", "specialist", NULL};
    j = search_json("anxiety OR grief", sp);
    ASSERT(nhits_of(j) > 0);
    all_of_type(j, "specialist");
    ASSERT(total_of(j) < total);
    cJSON_Delete(j);
    const char *q[] = {"--type", "question", NULL};
    j = search_json("anxiety OR grief", q);
    ASSERT(nhits_of(j) > 0);
    all_of_type(j, "question");
    cJSON_Delete(j);
    /* An unknown type is an error. */
    const char *argv[] = {"search", "--db", fx.db, "--type", "blog", "x", NULL};
    result r;
    run(&r, NULL, argv);
    ASSERT(r.status != 0);
    expect_has(r.err, "blog");
    result_fini(&r);
}

static void test_paging(void)
{
    setup();
    index_corpus();
    const char *four[] = {"--limit", "4", NULL};
    cJSON *a = search_json("therapy", four);
    ASSERT_EQ(nhits_of(a), 4);
    const char *page2[] = {"--limit", "2", "--offset", "2", NULL};
    cJSON *b = search_json("therapy", page2);
    ASSERT_EQ(nhits_of(b), 2);
    ASSERT_EQ(total_of(a), total_of(b));
    const cJSON *hits = cJSON_GetObjectItemCaseSensitive(b, "hits");
    for (int i = 0; i < 2; i++) {
        ASSERT_STR_EQ(hit_str(b, i, "id"), hit_str(a, i + 2, "id"));
        ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(hits, i),
                                                   "rank")
                      ->valueint,
                  i + 3);
    }
    cJSON_Delete(b);
    /* Past the end: no hits, same total. */
    char off[32];
    snprintf(off, sizeof off, "%.0f", total_of(a));
    const char *past[] = {"--offset", off, NULL};
    b = search_json("therapy", past);
    ASSERT_EQ(nhits_of(b), 0);
    ASSERT_EQ(total_of(a), total_of(b));
    cJSON_Delete(b);
    cJSON_Delete(a);
    /* A bad limit is an error. */
    const char *argv[] = {"search", "--db", fx.db, "--limit", "0", "x", NULL};
    result r;
    run(&r, NULL, argv);
    ASSERT(r.status != 0);
    expect_has(r.err, "limit");
    result_fini(&r);
}

static void test_queries_file(void)
{
    setup();
    index_corpus();
    write_file("q.jsonl", "{\"_id\":\"q1\",\"text\":\"anxiety\"}\n"
                          "\n"
                          "{\"_id\":\"q-2\",\"text\":\"grief after losing "
                          "a parent\",\"metadata\":{}}\r\n"
                          "{\"id\":\"q3\",\"text\":\"sleep\"}\n");
    char qf[512];
    path_of("q.jsonl", qf, sizeof qf);
    const char *argv[] = {"search", "--db",    fx.db,   "--queries",
                          qf,       "--limit", "3",     "--format",
                          "trec",   "--tag",   "mytag", NULL};
    result r;
    run(&r, NULL, argv);
    expect_ok(&r);
    static const char *const qids[] = {"q1", "q-2", "q3"};
    char *line = r.out;
    for (int q = 0; q < 3; q++) {
        for (int i = 0; i < 3; i++) {
            char *nl = strchr(line, '\n');
            if (nl == NULL)
                T_FAIL("query %s: %d lines only", qids[q], i);
            *nl = '\0';
            char *col[6];
            trec_cols(line, col);
            ASSERT_STR_EQ(col[0], qids[q]);
            ASSERT_STR_EQ(col[1], "Q0");
            ASSERT_EQ(atoi(col[3]), i + 1);
            ASSERT_STR_EQ(col[5], "mytag");
            line = nl + 1;
        }
    }
    ASSERT_STR_EQ(line, "");
    result_fini(&r);
    /* Query files print TREC runs only. */
    const char *argv2[] = {"search", "--db", fx.db, "--queries", qf, NULL};
    run(&r, NULL, argv2);
    ASSERT(r.status != 0);
    expect_has(r.err, "trec");
    result_fini(&r);
    /* A bad query line names the file and line. */
    write_file("bad.jsonl", "{\"_id\":\"q1\",\"text\":\"anxiety\"}\n"
                            "{\"_id\":\"q2\"}\n");
    path_of("bad.jsonl", qf, sizeof qf);
    const char *argv3[] = {"search", "--db",     fx.db,  "--queries",
                           qf,       "--format", "trec", NULL};
    run(&r, NULL, argv3);
    ASSERT(r.status != 0);
    expect_has(r.err, "bad.jsonl:2");
    result_fini(&r);
}

static void test_atomic_batch(void)
{
    setup();
    index_corpus();
    double before = count("anxiety");
    write_file("batch.jsonl",
               "{\"id\":\"t-good1\",\"title\":\"zorblattic\"}\n"
               "{\"id\":\"t-good2\",\"title\":\"quimfrazzle\"}\n"
               "{\"id\":\"t-bad\",\"title\":\"anxiety\",\"tags\":[1]}\n"
               "{\"id\":\"t-good3\",\"title\":\"flenwhistle anxiety\"}\n");
    char path[512];
    path_of("batch.jsonl", path, sizeof path);
    const char *argv[] = {"index", "--db", fx.db, path, NULL};
    result r;
    run(&r, NULL, argv);
    ASSERT(r.status != 0);
    char want[600];
    snprintf(want, sizeof want, "%s:3", path);
    expect_has(r.err, want);
    expect_has(r.err, "tags");
    expect_one_line(r.err);
    ASSERT_STR_EQ(r.out, "");
    result_fini(&r);
    ASSERT_EQ(count("zorblattic"), 0);
    ASSERT_EQ(count("quimfrazzle"), 0);
    ASSERT_EQ(count("flenwhistle"), 0);
    ASSERT_EQ(count("anxiety"), before);
    /* A JSON syntax error in the middle is just as fatal. */
    write_file("batch2.jsonl",
               "{\"id\":\"t-good1\",\"title\":\"zorblattic\"}\n"
               "{\"id\":\"t-good2\",\"title\":\"quimfrazzle\",}\n"
               "{\"id\":\"t-good3\",\"title\":\"flenwhistle\"}\n");
    path_of("batch2.jsonl", path, sizeof path);
    const char *argv2[] = {"index", "--db", fx.db, path, NULL};
    run(&r, NULL, argv2);
    ASSERT(r.status != 0);
    snprintf(want, sizeof want, "%s:2", path);
    expect_has(r.err, want);
    expect_one_line(r.err);
    result_fini(&r);
    ASSERT_EQ(count("zorblattic"), 0);
    ASSERT_EQ(count("flenwhistle"), 0);
    /* A good file before a bad path fails the whole run too. */
    write_file("good.jsonl", "{\"id\":\"t-good1\",\"title\":\"zorblattic\"}\n");
    char good[512];
    path_of("good.jsonl", good, sizeof good);
    path_of("missing.jsonl", path, sizeof path);
    const char *argv3[] = {"index", "--db", fx.db, good, path, NULL};
    run(&r, NULL, argv3);
    ASSERT(r.status != 0);
    expect_has(r.err, "missing.jsonl");
    expect_one_line(r.err);
    result_fini(&r);
    ASSERT_EQ(count("zorblattic"), 0);
}

static void test_reindex_replaces(void)
{
    setup();
    index_corpus();
    double before = count("anxiety");
    write_file("v1.jsonl", "{\"id\":\"t-re\",\"title\":\"wibblefrotz\"}\n");
    write_file("v2.json", "{\"id\":\"t-re\",\"type\":\"question\","
                          "\"title\":\"wobblegrunt\"}");
    char p[512];
    index_path(path_of("v1.jsonl", p, sizeof p));
    ASSERT_EQ(count("wibblefrotz"), 1);
    const char *argv[] = {"index", "--db", fx.db,
                          path_of("v2.json", p, sizeof p), NULL};
    result r;
    run(&r, NULL, argv);
    expect_ok(&r);
    expect_has(r.out, "indexed 1 documents (1 replaced)");
    result_fini(&r);
    ASSERT_EQ(count("wibblefrotz"), 0);
    cJSON *j = search_json("wobblegrunt", NULL);
    ASSERT_EQ(total_of(j), 1);
    ASSERT_STR_EQ(hit_str(j, 0, "id"), "t-re");
    ASSERT_STR_EQ(hit_str(j, 0, "type"), "question");
    cJSON_Delete(j);
    ASSERT_EQ(count("anxiety"), before);
}

static void test_delete(void)
{
    setup();
    index_corpus();
    write_file("del.jsonl", "{\"id\":\"t-del\",\"title\":\"snorklewump\"}\n"
                            "{\"id\":\"t-keep\",\"title\":\"snorklewump "
                            "kept\"}\n");
    char p[512];
    index_path(path_of("del.jsonl", p, sizeof p));
    ASSERT_EQ(count("snorklewump"), 2);
    const char *argv[] = {"index", "--db", fx.db, "--delete", "t-del", NULL};
    result r;
    run(&r, NULL, argv);
    expect_ok(&r);
    expect_has(r.out, "deleted 1");
    result_fini(&r);
    cJSON *j = search_json("snorklewump", NULL);
    ASSERT_EQ(total_of(j), 1);
    ASSERT_STR_EQ(hit_str(j, 0, "id"), "t-keep");
    cJSON_Delete(j);
    /* Deleting an id that is not there deletes nothing. */
    run(&r, NULL, argv);
    expect_ok(&r);
    expect_has(r.out, "deleted 0");
    result_fini(&r);
    /* An invalid id is an error. */
    const char *argv2[] = {"index", "--db", fx.db, "--delete", "a/b", NULL};
    run(&r, NULL, argv2);
    ASSERT(r.status != 0);
    expect_has(r.err, "a/b");
    expect_one_line(r.err);
    result_fini(&r);
    ASSERT_EQ(count("snorklewump"), 1);
}

static void test_malformed_query(void)
{
    setup();
    index_corpus();
    const char *argv[] = {"search", "--db", fx.db, "(anxiety", NULL};
    result r;
    run(&r, NULL, argv);
    ASSERT(r.status != 0);
    expect_has(r.err, "byte");
    expect_one_line(r.err);
    ASSERT_STR_EQ(r.out, "");
    result_fini(&r);
}

static void test_unknown_option_index(void)
{
    setup();
    const char *argv[] = {"index",        "--db",    fx.db,
                          "--frobnicate", "corpus/docs/", NULL};
    result r;
    run(&r, NULL, argv);
    ASSERT_EQ(r.status, 2);
    expect_has(r.err, "usage");
    result_fini(&r);
    /* Missing --db or paths: usage too. */
    const char *argv2[] = {"index", "corpus/docs/", NULL};
    run(&r, NULL, argv2);
    ASSERT_EQ(r.status, 2);
    expect_has(r.err, "usage");
    result_fini(&r);
    const char *argv3[] = {"index", "--db", fx.db, NULL};
    run(&r, NULL, argv3);
    ASSERT_EQ(r.status, 2);
    expect_has(r.err, "usage");
    result_fini(&r);
}

/* --vocabulary stores the synonyms with the index; searches use them. */
static void test_vocabulary(void)
{
    setup();
    if (access("corpus/vocabulary.json", R_OK) != 0)
        T_SKIP("corpus/vocabulary.json not found (run from the repository "
               "root)");
    const char *doc[] = {"index", "--db", fx.db, "--vocabulary",
                         "corpus/vocabulary.json", "-", NULL};
    result r;
    run(&r, "{\"id\":\"v1\",\"text\":\"post-traumatic stress\"}\n", doc);
    expect_ok(&r);
    result_fini(&r);
    const char *q[] = {"search", "--db", fx.db, "--format", "trec", "PTSD",
                       NULL};
    run(&r, NULL, q);
    expect_ok(&r);
    expect_has(r.out, " v1 1 ");
    result_fini(&r);
    /* A vocabulary that does not load is refused, naming the file. */
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.json", fx.dir);
    FILE *f = fopen(bad, "w");
    ASSERT(f != NULL);
    fputs("{\"concerns\":1}", f);
    fclose(f);
    const char *b[] = {"index", "--db", fx.db, "--vocabulary", bad, NULL};
    run(&r, NULL, b);
    ASSERT(r.status != 0);
    expect_has(r.err, "bad.json");
    expect_one_line(r.err);
    result_fini(&r);
    /* --seed rotates matching's near-ties; a bad value is refused. */
    const char *seeded[] = {"search", "--db", fx.db, "--match", "--seed",
                            "4294967295", "flashbacks", NULL};
    run(&r, NULL, seeded);
    expect_ok(&r);
    result_fini(&r);
    const char *badseed[] = {"search", "--db", fx.db, "--match", "--seed",
                             "-1", "flashbacks", NULL};
    run(&r, NULL, badseed);
    ASSERT_EQ(r.status, 1);
    expect_has(r.err, "--seed");
    result_fini(&r);
}

static void test_unknown_option_search(void)
{
    setup();
    const char *argv[] = {"search", "--db", fx.db, "--frobnicate", "x", NULL};
    result r;
    run(&r, NULL, argv);
    if (r.status != 2 || strstr(r.err, "usage") == NULL)
        T_FAIL("exit status %d (want 2), stderr: %s", r.status, r.err);
    result_fini(&r);
    const char *argv2[] = {"search", "x", NULL};
    run(&r, NULL, argv2);
    ASSERT_EQ(r.status, 2);
    expect_has(r.err, "usage");
    result_fini(&r);
}

static void test_search_missing_db(void)
{
    setup();
    char db[512];
    path_of("no-index-here", db, sizeof db);
    const char *argv[] = {"search", "--db", db, "anxiety", NULL};
    result r;
    run(&r, NULL, argv);
    ASSERT(r.status != 0);
    expect_one_line(r.err);
    result_fini(&r);
    /* Searching never creates an index. */
    ASSERT(access(db, F_OK) != 0);
}

static void test_index_bad_path(void)
{
    setup();
    write_file("notes.txt", "{\"id\":\"x\"}\n");
    char p[512];
    const char *argv[] = {"index", "--db", fx.db,
                          path_of("notes.txt", p, sizeof p), NULL};
    result r;
    run(&r, NULL, argv);
    ASSERT(r.status != 0);
    expect_has(r.err, "notes.txt");
    expect_one_line(r.err);
    result_fini(&r);
}

static void test_stdin_jsonl(void)
{
    setup();
    const char *argv[] = {"index", "--db", fx.db, "-", NULL};
    result r;
    run(&r,
        "{\"id\":\"in-1\",\"title\":\"gloptastic\"}\n"
        "\n"
        "{\"id\":\"in-2\",\"type\":\"specialist\",\"name\":\"gloptastic "
        "Person\"}\r\n",
        argv);
    expect_ok(&r);
    expect_has(r.out, "indexed 2 documents");
    result_fini(&r);
    ASSERT_EQ(count("gloptastic"), 2);
    const char *sp[] = {"--type", "specialist", NULL};
    cJSON *j = search_json("gloptastic", sp);
    ASSERT_EQ(total_of(j), 1);
    ASSERT_STR_EQ(hit_str(j, 0, "id"), "in-2");
    cJSON_Delete(j);
}

static void test_stdin_array(void)
{
    setup();
    const char *argv[] = {"index", "--db", fx.db, "-", NULL};
    result r;
    run(&r,
        "\n  [\n"
        "  {\"id\": \"arr-1\", \"title\": \"blimscrabble\"},\n"
        "  {\"id\": \"arr-2\", \"title\": \"blimscrabble two\",\n"
        "   \"tags\": [\"x\"]},\n"
        "  {\"id\": \"arr-3\", \"type\": \"question\", \"body\": \"y\"}\n"
        "]\n",
        argv);
    expect_ok(&r);
    expect_has(r.out, "indexed 3 documents");
    result_fini(&r);
    ASSERT_EQ(count("blimscrabble"), 2);
}

static const t_case cases[] = {
    T(test_index_corpus),
    T(test_db_dir_created_or_empty),
    T(test_search_json),
    T(test_search_text),
    T(test_search_trec),
    T(test_search_type),
    T(test_paging),
    T(test_queries_file),
    T(test_atomic_batch),
    T(test_reindex_replaces),
    T(test_delete),
    T(test_malformed_query),
    T(test_unknown_option_index),
    T(test_vocabulary),
    T(test_unknown_option_search),
    T(test_search_missing_db),
    T(test_index_bad_path),
    T(test_stdin_jsonl),
    T(test_stdin_array),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * Tests for feed, the corpus reader: JSON Lines (blank lines, CRLF, lines
 * spanning read chunks), .ndjson, .json objects and arrays, gzip input,
 * directories (recursive, sorted, hidden and foreign files skipped) and
 * standard input, plus the error for each kind of bad path. What was fed
 * is checked by committing the batch into a fresh index in a mkdtemp
 * directory and looking the documents up, and through the line numbers
 * that commit errors report.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "t.h"

#include "rapport/doc.h"
#include "rapport/feed.h"
#include "rapport/index.h"
#include "rapport/ingest.h"

#define MAX_FILES 16

/* The test's state: one temporary directory, an index in it, a batch on
 * that index, and the files the progress callback saw, in order. */
typedef struct fixture {
    char dir[64]; /* mkdtemp directory, removed at exit */
    rp_index *ix;
    rp_batch *b;
    uint64_t docs;             /* documents fed so far */
    rp_error err;              /* of the last feed or commit */
    char seen[MAX_FILES][256]; /* distinct files in progress order */
    int nseen;
    uint64_t last_done, last_total; /* last progress report */
} fixture;

static fixture fx;


static void cleanup(void)
{
    rp_batch_free(fx.b);
    rp_index_close(fx.ix);
    if (fx.dir[0] != '\0')
        t_rm_rf(fx.dir);
}

/* Creates the temporary directory, an index in DIR/db and a batch. */
static void setup(void)
{
    memset(&fx, 0, sizeof fx);
    snprintf(fx.dir, sizeof fx.dir, "/tmp/rp_feed_XXXXXX");
    ASSERT(mkdtemp(fx.dir) != NULL);
    atexit(cleanup);
    char db[128];
    snprintf(db, sizeof db, "%s/db", fx.dir);
    rp_error_clear(&fx.err);
    ASSERT_OK(rp_index_open(db, NULL, &fx.ix, &fx.err));
    rp_batch_opts o = {2, NULL, NULL, 0, 0};
    ASSERT_OK(rp_batch_new(fx.ix, &o, &fx.b));
}

/* DIR/rel into out. */
static const char *path_of(const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", fx.dir, rel);
    return out;
}

/* Creates the directories leading to DIR/rel. */
static void make_parents(const char *rel)
{
    char p[512];
    path_of(rel, p, sizeof p);
    for (char *s = p + strlen(fx.dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        ASSERT(mkdir(p, 0755) == 0 || errno == EEXIST);
        *s = '/';
    }
}

static void write_bytes(const char *rel, const char *data, size_t len)
{
    char p[512];
    make_parents(rel);
    FILE *f = fopen(path_of(rel, p, sizeof p), "wb");
    ASSERT(f != NULL);
    ASSERT_EQ(fwrite(data, 1, len, f), len);
    ASSERT_EQ(fclose(f), 0);
}

static void write_file(const char *rel, const char *text)
{
    write_bytes(rel, text, strlen(text));
}

static void write_gz(const char *rel, const char *text)
{
    char p[512];
    make_parents(rel);
    gzFile gz = gzopen(path_of(rel, p, sizeof p), "wb");
    ASSERT(gz != NULL);
    ASSERT_EQ(gzwrite(gz, text, (unsigned)strlen(text)), strlen(text));
    ASSERT_EQ(gzclose(gz), Z_OK);
}

static void on_progress(void *ctx, const char *file, uint64_t done,
                        uint64_t total)
{
    fixture *f = ctx;
    if (f->nseen == 0 || strcmp(f->seen[f->nseen - 1], file) != 0) {
        ASSERT(f->nseen < MAX_FILES);
        snprintf(f->seen[f->nseen++], sizeof f->seen[0], "%s", file);
    }
    f->last_done = done;
    f->last_total = total;
}

/* Feeds DIR/rel (or rel itself when it starts with '/' or is "-"). */
static int feed(const char *rel)
{
    char p[512];
    const char *path = rel[0] == '/' || strcmp(rel, "-") == 0
                           ? rel
                           : path_of(rel, p, sizeof p);
    rp_error_clear(&fx.err);
    return rp_feed_path(fx.b, path, on_progress, &fx, &fx.docs, &fx.err);
}

static int commit(void)
{
    rp_error_clear(&fx.err);
    return rp_batch_commit(fx.b, NULL, &fx.err);
}

/* Whether the index holds a document with external id. */
static int has_id(const char *id)
{
    rp_txn *t = NULL;
    ASSERT_OK(rp_txn_begin(fx.ix, 0, &t));
    rp_docid doc;
    int rc = rp_txn_id_get(t, id, strlen(id), &doc);
    rp_txn_abort(t);
    ASSERT(rc == 0 || rc == RP_ENOTFOUND);
    return rc == 0;
}

/* Asserts every id in the NULL-terminated list is in the index. */
static void expect_ids(const char *const *ids)
{
    for (; *ids != NULL; ids++)
        if (!has_id(*ids))
            T_FAIL("document \"%s\" not in the index", *ids);
}

/* The stored title of document id, into out. */
static void title_of(const char *id, char *out, size_t cap)
{
    rp_txn *t = NULL;
    ASSERT_OK(rp_txn_begin(fx.ix, 0, &t));
    rp_docid doc;
    ASSERT_OK(rp_txn_id_get(t, id, strlen(id), &doc));
    const void *rec;
    size_t len;
    ASSERT_OK(rp_txn_doc_get(t, doc, &rec, &len));
    rp_doc d;
    rp_doc_init(&d);
    ASSERT_OK(rp_doc_decode(rec, len, &d));
    out[0] = '\0';
    for (size_t i = 0; i < d.nfields; i++)
        if (strcmp(rp_doc_srcfield(&d.fields[i])->name, "title") == 0)
            snprintf(out, cap, "%.*s", (int)d.fields[i].len,
                     rp_doc_value(&d, &d.fields[i]));
    rp_doc_fini(&d);
    rp_txn_abort(t);
}

/* Asserts the last error names want (a substring). */
static void expect_msg(const char *want)
{
    if (strstr(fx.err.msg, want) == NULL)
        T_FAIL("error \"%s\" does not name \"%s\"", fx.err.msg, want);
}

static void test_jsonl_blank_lines_crlf(void)
{
    setup();
    write_file("a.jsonl", "{\"id\":\"a1\",\"title\":\"One\"}\r\n"
                          "\r\n"
                          "   \n"
                          "\n"
                          "\t{\"id\":\"a2\"}  \r\n"
                          "{\"id\":\"a3\",\"title\":\"no newline at end\"}");
    ASSERT_OK(feed("a.jsonl"));
    ASSERT_EQ(fx.docs, 3);
    ASSERT_EQ(rp_batch_size(fx.b), 3);
    ASSERT_OK(commit());
    static const char *const ids[] = {"a1", "a2", "a3", NULL};
    expect_ids(ids);
    char title[64];
    title_of("a1", title, sizeof title);
    ASSERT_STR_EQ(title, "One");
    title_of("a3", title, sizeof title);
    ASSERT_STR_EQ(title, "no newline at end");
    ASSERT(!has_id("a4"));
}

static void test_jsonl_line_numbers(void)
{
    /* Blank and CRLF lines still count, so a commit error points at the
     * right line of the right file. */
    setup();
    write_file("lines.jsonl", "{\"id\":\"l1\"}\r\n"
                              "\r\n"
                              "{\"id\":\"l3\"}\r\n"
                              "\n"
                              "{\"id\":\"l5\"}\n"
                              "{\"id\":\"l6\",\"title\":42}\r\n"
                              "{\"id\":\"l7\"}\n");
    ASSERT_OK(feed("lines.jsonl"));
    ASSERT_EQ(fx.docs, 5);
    ASSERT_EQ(commit(), RP_EDOC);
    expect_msg("lines.jsonl:6:");
    expect_msg("title");
    ASSERT_EQ(fx.err.line, 6);
    /* The batch was all or nothing. */
    ASSERT(!has_id("l1"));
    ASSERT(!has_id("l7"));
}

static void test_ndjson(void)
{
    setup();
    write_file("b.ndjson", "{\"id\":\"n1\"}\n{\"id\":\"n2\",\"type\":"
                           "\"question\",\"body\":\"B\"}\n");
    ASSERT_OK(feed("b.ndjson"));
    ASSERT_EQ(fx.docs, 2);
    ASSERT_OK(commit());
    static const char *const ids[] = {"n1", "n2", NULL};
    expect_ids(ids);
}

static void test_json_object(void)
{
    setup();
    write_file("one.json", "\n{\n  \"id\": \"o1\",\n  \"title\": \"Pretty\","
                           "\n  \"tags\": [\"a\",\n \"b\"]\n}\n\n");
    ASSERT_OK(feed("one.json"));
    ASSERT_EQ(fx.docs, 1);
    ASSERT_EQ(rp_batch_size(fx.b), 1);
    ASSERT_OK(commit());
    char title[64];
    title_of("o1", title, sizeof title);
    ASSERT_STR_EQ(title, "Pretty");
}

static void test_json_array(void)
{
    setup();
    write_file("many.json", "[\n"
                            "  {\"id\": \"j1\", \"title\": \"First\"},\n"
                            "  {\"id\": \"j2\",\n"
                            "   \"title\": \"Second [with] {brackets}, "
                            "\\\"quotes\\\"\"},\n"
                            "  {\"id\": \"j3\", \"tags\": [\"x\", \"y\"]}\n"
                            "]\n");
    ASSERT_OK(feed("many.json"));
    ASSERT_EQ(fx.docs, 3);
    ASSERT_EQ(rp_batch_size(fx.b), 3);
    ASSERT_OK(commit());
    static const char *const ids[] = {"j1", "j2", "j3", NULL};
    expect_ids(ids);
    char title[64];
    title_of("j2", title, sizeof title);
    ASSERT_STR_EQ(title, "Second [with] {brackets}, \"quotes\"");
}

static void test_json_array_line_numbers(void)
{
    setup();
    write_file("arr.json", "[\n"
                           "  {\"id\": \"k1\"},\n"
                           "  {\"id\": \"k2\"},\n"
                           "\n"
                           "  {\"id\": \"k 3\"}\n"
                           "]\n");
    ASSERT_OK(feed("arr.json"));
    ASSERT_EQ(fx.docs, 3);
    ASSERT_EQ(commit(), RP_EDOC);
    expect_msg("arr.json:5:");
    ASSERT_EQ(fx.err.line, 5);
    ASSERT(!has_id("k1"));
}

static void test_gzip(void)
{
    setup();
    write_gz("c.jsonl.gz", "{\"id\":\"g1\",\"title\":\"Zipped\"}\r\n\n"
                           "{\"id\":\"g2\"}\n");
    write_gz("d.json.gz", "[{\"id\":\"g3\"},{\"id\":\"g4\"}]");
    write_gz("e.ndjson.gz", "{\"id\":\"g5\"}");
    ASSERT_OK(feed("c.jsonl.gz"));
    ASSERT_EQ(fx.docs, 2);
    ASSERT_OK(feed("d.json.gz"));
    ASSERT_EQ(fx.docs, 4);
    ASSERT_OK(feed("e.ndjson.gz"));
    ASSERT_EQ(fx.docs, 5);
    ASSERT_EQ(rp_batch_size(fx.b), 5);
    ASSERT_OK(commit());
    static const char *const ids[] = {"g1", "g2", "g3", "g4", "g5", NULL};
    expect_ids(ids);
    char title[64];
    title_of("g1", title, sizeof title);
    ASSERT_STR_EQ(title, "Zipped");
}

static void test_gzip_line_numbers(void)
{
    setup();
    write_gz("z.jsonl.gz", "{\"id\":\"z1\"}\n\n{\"id\":\"z3\",\"tags\":[1]}\n");
    ASSERT_OK(feed("z.jsonl.gz"));
    ASSERT_EQ(commit(), RP_EDOC);
    expect_msg("z.jsonl.gz:3:");
}

static void test_gzip_corrupt(void)
{
    /* A gzip stream cut short is a read error naming the file, not a
     * silently shorter corpus. */
    setup();
    char big[20000];
    size_t n = 0;
    for (int i = 0; n + 64 < sizeof big; i++)
        n += (size_t)snprintf(big + n, sizeof big - n,
                              "{\"id\":\"t%d\",\"title\":\"w%d x%d\"}\n", i,
                              i * 7919, i * 104729);
    write_gz("full.jsonl.gz", big);
    char p[512];
    FILE *f = fopen(path_of("full.jsonl.gz", p, sizeof p), "rb");
    ASSERT(f != NULL);
    char gz[40000];
    size_t len = fread(gz, 1, sizeof gz, f);
    fclose(f);
    ASSERT(len > 100);
    write_bytes("cut.jsonl.gz", gz, len / 2);
    int rc = feed("cut.jsonl.gz");
    if (rc == 0)
        T_FAIL("a gzip file cut in half fed %llu documents without error",
               (unsigned long long)fx.docs);
    expect_msg("cut.jsonl.gz");
}

/* DIR/rel's bytes (malloc'd) and their count. */
static char *read_bytes(const char *rel, size_t *len)
{
    char p[512];
    FILE *f = fopen(path_of(rel, p, sizeof p), "rb");
    ASSERT(f != NULL);
    ASSERT_EQ(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ASSERT(n >= 0);
    rewind(f);
    char *data = malloc((size_t)n + 1);
    ASSERT(data != NULL);
    ASSERT_EQ(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return data;
}

/* Gzip members one after another are one stream; bytes after the last
 * that start no member are ignored; a gzip file is inflated whatever its
 * name; and a damaged checksum is an error naming the file. */
static void test_gzip_members_and_checksum(void)
{
    setup();
    write_gz("m1.gz", "{\"id\":\"m1\"}\n{\"id\":\"m2\"}\n");
    write_gz("m2.gz", "{\"id\":\"m3\"}\n");
    size_t l1, l2;
    char *a = read_bytes("m1.gz", &l1), *b = read_bytes("m2.gz", &l2);
    char *both = malloc(l1 + l2 + 16);
    ASSERT(both != NULL);
    memcpy(both, a, l1);
    memcpy(both + l1, b, l2);
    memcpy(both + l1 + l2, "\n\ntrailing", 10);
    write_bytes("two.jsonl.gz", both, l1 + l2 + 10);
    write_bytes("named.jsonl", both, l1 + l2);
    ASSERT_OK(feed("two.jsonl.gz"));
    ASSERT_EQ(fx.docs, 3);
    ASSERT_OK(feed("named.jsonl"));
    ASSERT_EQ(fx.docs, 6);
    /* The CRC-32 is the 8 bytes before the length, at the member's end. */
    a[l1 - 8] ^= 0x55;
    write_bytes("crc.jsonl.gz", a, l1);
    ASSERT(feed("crc.jsonl.gz") != 0);
    expect_msg("crc.jsonl.gz");
    expect_msg("checksum");
    free(a);
    free(b);
    free(both);
}

/* A gzip file over the reader's 256 KiB of compressed input at a time
 * reads whole, lines crossing every boundary. */
static void test_gzip_large(void)
{
    setup();
    size_t cap = 2u << 20, n = 0;
    char *text = malloc(cap);
    ASSERT(text != NULL);
    uint32_t x = 2463534242u;
    int count = 0;
    while (n + 400 < cap) {
        n += (size_t)snprintf(text + n, cap - n,
                              "{\"id\":\"r%d\",\"title\":\"", count++);
        for (int w = 0; w < 30; w++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            n += (size_t)snprintf(text + n, cap - n, "%s%08x", w ? " " : "",
                                  x);
        }
        n += (size_t)snprintf(text + n, cap - n, "\"}\n");
    }
    write_gz("big.jsonl.gz", text);
    free(text);
    size_t glen;
    free(read_bytes("big.jsonl.gz", &glen));
    ASSERT(glen > (512u << 10));
    ASSERT_OK(feed("big.jsonl.gz"));
    ASSERT_EQ(fx.docs, (uint64_t)count);
    ASSERT_OK(commit());
}

static void test_lines_across_chunks(void)
{
    /* About 2.5 MB of JSON Lines: lines cross the reader's 1 MiB chunks,
     * and any line cut wrongly would fail to parse at commit. */
    setup();
    size_t cap = 3u << 20, n = 0;
    char *text = malloc(cap);
    ASSERT(text != NULL);
    int count = 0;
    while (n + 1200 < (5u << 19)) {
        int pad = (count * 37) % 900;
        n += (size_t)snprintf(text + n, cap - n,
                              "{\"id\":\"big-%d\",\"title\":\"t%d\","
                              "\"body\":\"%.*s\"}%s",
                              count, count, pad,
                              "lorem ipsum dolor sit amet consectetur "
                              "adipiscing elit sed do eiusmod tempor "
                              "incididunt ut labore et dolore magna aliqua "
                              "ut enim ad minim veniam quis nostrud "
                              "exercitation ullamco laboris nisi ut aliquip "
                              "ex ea commodo consequat duis aute irure "
                              "dolor in reprehenderit in voluptate velit "
                              "esse cillum dolore eu fugiat nulla pariatur "
                              "excepteur sint occaecat cupidatat non "
                              "proident sunt in culpa qui officia deserunt "
                              "mollit anim id est laborum lorem ipsum dolor "
                              "sit amet consectetur adipiscing elit sed do "
                              "eiusmod tempor incididunt ut labore et "
                              "dolore magna aliqua ut enim ad minim veniam "
                              "quis nostrud exercitation ullamco laboris "
                              "nisi ut aliquip ex ea commodo consequat duis "
                              "aute irure dolor in reprehenderit in "
                              "voluptate velit esse cillum dolore eu fugiat "
                              "nulla pariatur excepteur sint occaecat "
                              "cupidatat non proident sunt in culpa qui "
                              "officia deserunt mollit anim id est laborum "
                              "lorem ipsum dolor sit amet consectetur "
                              "adipiscing elit sed do eiusmod tempor "
                              "incididunt ut labore et dolore magna aliqua "
                              "ut enim ad minim veniam quis nostrud "
                              "exercitation ullamco laboris nisi ut aliquip "
                              "ex ea commodo consequat duis aute irure "
                              "dolor in reprehenderit",
                              count % 3 == 0 ? "\r\n" : "\n");
        count++;
    }
    write_bytes("big.jsonl", text, n);
    free(text);
    ASSERT_OK(feed("big.jsonl"));
    ASSERT_EQ(fx.docs, count);
    ASSERT_EQ(rp_batch_size(fx.b), count);
    /* Progress ends at the whole file. */
    ASSERT_EQ(fx.last_total, n);
    ASSERT_EQ(fx.last_done, n);
    ASSERT_OK(commit());
    char id[32], want[32], title[64];
    for (int i = 0; i < count; i += 97) {
        snprintf(id, sizeof id, "big-%d", i);
        snprintf(want, sizeof want, "t%d", i);
        title_of(id, title, sizeof title);
        ASSERT_STR_EQ(title, want);
    }
    snprintf(id, sizeof id, "big-%d", count - 1);
    ASSERT(has_id(id));
}

static void test_directory(void)
{
    setup();
    write_file("in/b.jsonl", "{\"id\":\"dup\",\"title\":\"from b\"}\n"
                             "{\"id\":\"b1\"}\n");
    write_file("in/a/x.json", "[{\"id\":\"ax1\"},{\"id\":\"ax2\"}]");
    write_file("in/a/deeper/y.ndjson", "{\"id\":\"ay1\"}\n");
    write_gz("in/c.jsonl.gz", "{\"id\":\"c1\"}\n"
                              "{\"id\":\"dup\",\"title\":\"from c\"}\n");
    write_file("in/0first.jsonl", "{\"id\":\"f1\"}\n");
    write_file("in/README.txt", "not JSON at all {\n");
    write_file("in/notes.json.bak", "not JSON either\n");
    write_file("in/.hidden.jsonl", "{\"id\":\"hidden1\"}\n");
    write_file("in/.git/z.jsonl", "{\"id\":\"hidden2\"}\n");
    write_file("in/empty.jsonl", "");
    ASSERT_OK(feed("in"));
    ASSERT_EQ(fx.docs, 8);
    ASSERT_EQ(rp_batch_size(fx.b), 8);
    /* Files come in name order, depth first. */
    static const char *const order[] = {"in/0first.jsonl",
                                        "in/a/deeper/y.ndjson", "in/a/x.json",
                                        "in/b.jsonl", "in/c.jsonl.gz"};
    ASSERT_EQ(fx.nseen, 5);
    for (int i = 0; i < 5; i++) {
        char want[512];
        path_of(order[i], want, sizeof want);
        ASSERT_STR_EQ(fx.seen[i], want);
    }
    ASSERT_OK(commit());
    static const char *const ids[] = {"f1", "ax1", "ax2", "ay1",
                                      "b1", "c1",  "dup", NULL};
    expect_ids(ids);
    ASSERT(!has_id("hidden1"));
    ASSERT(!has_id("hidden2"));
    /* The later file in name order wins for a repeated id. */
    char title[64];
    title_of("dup", title, sizeof title);
    ASSERT_STR_EQ(title, "from c");
}

static void test_directory_bad_file(void)
{
    setup();
    write_file("in/a.jsonl", "{\"id\":\"ok\"}\n");
    write_file("in/sub/broken.json", "{\"id\": \"x\",}");
    int rc = feed("in");
    ASSERT_EQ(rc, RP_EJSON);
    expect_msg("in/sub/broken.json");
}

static void test_unknown_extension(void)
{
    setup();
    write_file("notes.txt", "{\"id\":\"t1\"}\n");
    write_file("data.jsonx", "{\"id\":\"t2\"}\n");
    char p[512];
    ASSERT_EQ(feed("notes.txt"), RP_EINVAL);
    ASSERT_EQ(fx.err.code, RP_EINVAL);
    expect_msg(path_of("notes.txt", p, sizeof p));
    ASSERT_EQ(feed("data.jsonx"), RP_EINVAL);
    expect_msg("data.jsonx");
    ASSERT_EQ(fx.docs, 0);
    ASSERT_EQ(rp_batch_size(fx.b), 0);
}

static void test_missing_path(void)
{
    setup();
    char p[512];
    ASSERT_EQ(feed("nope.jsonl"), -ENOENT);
    ASSERT_EQ(fx.err.code, -ENOENT);
    expect_msg(path_of("nope.jsonl", p, sizeof p));
    ASSERT_EQ(feed("no/such/dir"), -ENOENT);
    expect_msg("no/such/dir");
    ASSERT_EQ(fx.docs, 0);
}

static void test_bad_json_file(void)
{
    setup();
    write_file("bad.json", "[{\"id\":\"v1\"},\n{\"id\":\"v2\",\"n\":01}]");
    write_file("bad2.json", "{\"id\":\"v3\"} {\"id\":\"v4\"}");
    write_file("bad3.json", "[{\"id\":\"v5\",\"title\":\"\xc3\x28\"}]");
    ASSERT_EQ(feed("bad.json"), RP_EJSON);
    ASSERT_EQ(fx.err.code, RP_EJSON);
    expect_msg("bad.json");
    ASSERT_EQ(feed("bad2.json"), RP_EJSON);
    expect_msg("bad2.json");
    ASSERT_EQ(feed("bad3.json"), RP_EUTF8);
    expect_msg("bad3.json");
    /* Nothing from an invalid file reaches the batch. */
    ASSERT_EQ(fx.docs, 0);
    ASSERT_EQ(rp_batch_size(fx.b), 0);
}

static void test_counts_accumulate(void)
{
    setup();
    write_file("one.jsonl", "{\"id\":\"c1\"}\n{\"id\":\"c2\"}\n");
    write_file("two.json", "[{\"id\":\"c3\"}]");
    write_file("blank.jsonl", "\n\r\n  \n");
    write_file("blank.json", " \n ");
    fx.docs = 10;
    ASSERT_OK(feed("one.jsonl"));
    ASSERT_EQ(fx.docs, 12);
    ASSERT_OK(feed("two.json"));
    ASSERT_EQ(fx.docs, 13);
    ASSERT_OK(feed("blank.jsonl"));
    ASSERT_OK(feed("blank.json"));
    ASSERT_EQ(fx.docs, 13);
    ASSERT_EQ(rp_batch_size(fx.b), 3);
    /* Deletions are batch operations too. */
    ASSERT_OK(rp_batch_delete(fx.b, "c2", 2));
    ASSERT_EQ(rp_batch_size(fx.b), 4);
    ASSERT_OK(commit());
    ASSERT(has_id("c1"));
    ASSERT(!has_id("c2"));
    ASSERT(has_id("c3"));
}

/* Makes standard input read text. */
static void stdin_from(const char *text)
{
    write_file("stdin.txt", text);
    char p[512];
    ASSERT(freopen(path_of("stdin.txt", p, sizeof p), "r", stdin) != NULL);
}

static void test_stdin_jsonl(void)
{
    setup();
    stdin_from("\n{\"id\":\"s1\"}\r\n\n{\"id\":\"s2\",\"title\":\"T\"}");
    ASSERT_OK(feed("-"));
    ASSERT_EQ(fx.docs, 2);
    ASSERT_OK(commit());
    static const char *const ids[] = {"s1", "s2", NULL};
    expect_ids(ids);
}

static void test_stdin_array(void)
{
    setup();
    stdin_from("  \n[{\"id\":\"s3\"},\n {\"id\":\"s4\"}]\n");
    ASSERT_OK(feed("-"));
    ASSERT_EQ(fx.docs, 2);
    ASSERT_OK(commit());
    static const char *const ids[] = {"s3", "s4", NULL};
    expect_ids(ids);
}

static void test_stdin_empty(void)
{
    setup();
    stdin_from(" \n\n");
    ASSERT_OK(feed("-"));
    ASSERT_EQ(fx.docs, 0);
    ASSERT_EQ(rp_batch_size(fx.b), 0);
}

static void test_stdin_line_numbers(void)
{
    /* Leading blank lines count like any other line. */
    setup();
    stdin_from("\n\n{\"id\":\"ok\"}\n{\"id\":\"bad id\"}\n");
    ASSERT_OK(feed("-"));
    ASSERT_EQ(fx.docs, 2);
    ASSERT_EQ(commit(), RP_EDOC);
    expect_msg("<stdin>");
    if (fx.err.line != 4)
        T_FAIL("error on line %ld, want 4: %s", fx.err.line, fx.err.msg);
}

static void test_stdin_array_line_numbers(void)
{
    setup();
    stdin_from("\n[{\"id\":\"ok\"},\n{\"id\":\"bad id\"}]\n");
    ASSERT_OK(feed("-"));
    ASSERT_EQ(commit(), RP_EDOC);
    if (fx.err.line != 3)
        T_FAIL("error on line %ld, want 3: %s", fx.err.line, fx.err.msg);
}

static const t_case cases[] = {
    T(test_jsonl_blank_lines_crlf),
    T(test_jsonl_line_numbers),
    T(test_ndjson),
    T(test_json_object),
    T(test_json_array),
    T(test_json_array_line_numbers),
    T(test_gzip),
    T(test_gzip_line_numbers),
    T(test_gzip_corrupt),
    T(test_gzip_members_and_checksum),
    T(test_gzip_large),
    T(test_lines_across_chunks),
    T(test_directory),
    T(test_directory_bad_file),
    T(test_unknown_extension),
    T(test_missing_path),
    T(test_bad_json_file),
    T(test_counts_accumulate),
    T(test_stdin_jsonl),
    T(test_stdin_array),
    T(test_stdin_empty),
    T(test_stdin_line_numbers),
    T(test_stdin_array_line_numbers),
    {NULL, NULL},
};

T_MAIN(cases)

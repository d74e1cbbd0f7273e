/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of rapport-server: each test starts the real binary
 * (from $RP_BUILD, default build/) on 127.0.0.1 at an ephemeral port over
 * a fresh mkdtemp index, talks to it in raw HTTP/1.1 bytes
 * (tests/http_client.h) and stops it. Beyond the happy paths it sends
 * hostile input: invalid JSON, naughty strings, ambiguous framing and
 * smuggling attempts, oversized requests, and checks that the access log
 * keeps no query text or key. Cleanup when an assertion ends a test early:
 * each server child sets PR_SET_PDEATHSIG to SIGKILL, so it dies with its
 * test process whatever ends it, and an atexit handler also kills it and
 * removes the test's temporary directory.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "http_client.h"
#include "rapport/buf.h"
#include "rapport/utf8.h"
#include "t.h"
#include "tserver.h"

#define CLOSE_TIMEOUT_MS 3000 /* wait for the server to close on us */
#define MAX_REPORTED 25 /* failures printed per loop */
#define KEY_LEN 40

/* Runs rapport-index --db db corpus/ and fails the test unless it exits
 * 0. */
static void index_corpus(const char *db)
{
    char bin[256], log[128];
    binary(bin, sizeof bin, "rapport-index");
    path_in(log, sizeof log, "index.log");
    const char *argv[] = {bin, "--db", db, "corpus/docs/", NULL};
    pid_t pid = spawn(argv, log);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    forget(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        size_t n;
        char *text = read_file(log, &n);
        T_FAIL("rapport-index failed (status %d): %s", st,
               text ? text : "(no log)");
    }
}

/* Number of non-empty lines in corpus/<*.jsonl>. */
static long corpus_lines(void)
{
    DIR *d = opendir("corpus/docs");
    if (d == NULL)
        T_FAIL("opendir corpus: %s", strerror(errno));
    long lines = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 6, ".jsonl") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "corpus/docs/%s", e->d_name);
        size_t len;
        char *text = read_file(path, &len);
        if (text == NULL)
            T_FAIL("cannot read %s", path);
        int blank = 1;
        for (size_t i = 0; i < len; i++) {
            if (text[i] == '\n') {
                lines += !blank;
                blank = 1;
            } else if (text[i] != ' ' && text[i] != '\r' && text[i] != '\t') {
                blank = 0;
            }
        }
        lines += !blank;
        free(text);
    }
    closedir(d);
    return lines;
}

/* Strict UTF-8: no overlong forms, surrogates or values past U+10FFFF. */
static int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i], cp, min;
        size_t k;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1, cp = c & 0x1F, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* The body of r as JSON, or NULL when it is not valid UTF-8 JSON. */
static cJSON *parse_body(const hc_resp *r)
{
    if (r->body == NULL || !utf8_valid(r->body, r->body_len))
        return NULL;
    return cJSON_ParseWithLength(r->body, r->body_len);
}

/* The body of r as JSON; fails the test when it is not. Caller deletes. */
static cJSON *json_body(const hc_resp *r, const char *what)
{
    cJSON *j = parse_body(r);
    if (j == NULL)
        T_FAIL("%s: body is not valid UTF-8 JSON: %.*s", what,
               (int)(r->body_len > 300 ? 300 : r->body_len),
               r->body ? r->body : "");
    return j;
}

/* A GET that must answer status with a JSON body. Caller deletes. */
static cJSON *get_json(const server *s, const char *target, int status)
{
    hc_resp r;
    request(s, "GET", target, NULL, NULL, 0, &r);
    if (r.status != status)
        T_FAIL("GET %.80s: status %d, want %d: %.*s", target, r.status, status,
               (int)(r.body_len > 300 ? 300 : r.body_len),
               r.body ? r.body : "");
    cJSON *j = json_body(&r, target);
    hc_resp_free(&r);
    return j;
}

static const char *jstr(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!cJSON_IsNumber(v))
        T_FAIL("member \"%s\" is not a number", key);
    return v->valuedouble;
}

/* error.code of an error body, or NULL when the body is not one. */
static const char *error_code(const cJSON *j)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (!cJSON_IsObject(e) || jstr(e, "message") == NULL ||
        jstr(e, "type") == NULL)
        return NULL;
    return jstr(e, "code");
}

/* Does p[0..n) contain needle? */
static int contains(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return 1;
    return 0;
}

static int has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* Percent-encodes every byte of s[0..n) that is not unreserved. */
static void url_encode(rp_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                    c == '_' || c == '~';
        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
        if ((plain ? rp_buf_append(out, &s[i], 1) : rp_buf_append(out, e, 3)) !=
            0)
            T_FAIL("out of memory");
    }
}

/* Starts a server on a fresh index (the sample corpus indexed into it when
 * with_corpus) with an admin key file; key receives the key. */
static void start_admin(server *s, const char *logname, int with_corpus,
                        int quiet, char key[KEY_LEN + 1])
{
    char db[128], kf[128];
    make_db(db, sizeof db, "db");
    if (with_corpus)
        index_corpus(db);
    make_key(key, KEY_LEN, 0x9e3779b97f4a7c15ull);
    path_in(kf, sizeof kf, "admin.key");
    write_file(kf, key, KEY_LEN);
    const char *args[] = {"--db",     db,
                          "--admin-key-file", kf,
                          "--crisis", "corpus/crisis.json",
                          quiet ? "--quiet" : NULL, NULL};
    start_ok(s, logname, args);
}

/* ---- 1. start and stop -------------------------------------------------- */

static void test_start_stop(void)
{
    setup();
    need_binaries();
    char db[128];
    make_db(db, sizeof db, "db");
    server s;
    const char *args[] = {"--db", db, "--quiet", NULL};
    start_ok(&s, "server.log", args);

    hc_resp r;
    request(&s, "GET", "/healthz", NULL, NULL, 0, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(header_is(&r, "Content-Type", "application/json"));
    cJSON *j = json_body(&r, "/healthz");
    ASSERT_EQ(cJSON_GetArraySize(j), 1);
    ASSERT_STR_EQ(jstr(j, "status"), "ok");
    cJSON_Delete(j);
    hc_resp_free(&r);

    /* An idle keep-alive client and one stalled in its headers must not
     * hold up the shutdown. */
    char req[128];
    snprintf(req, sizeof req,
             "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
             (unsigned)s.port);
    int idle = hc_connect(s.port), stalled = hc_connect(s.port);
    ASSERT(idle >= 0 && stalled >= 0);
    ASSERT_OK(hc_send_all(idle, req, strlen(req)));
    hc_read(idle, IO_TIMEOUT_MS, 0, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(!r.eof);
    hc_resp_free(&r);
    const char *part = "GET /healthz HTTP/1.1\r\nHost: 1";
    ASSERT_OK(hc_send_all(stalled, part, strlen(part)));

    uint16_t port = s.port;
    double t0 = hc_now_ms();
    stop_ok(&s);
    close(idle);
    close(stalled);
    ASSERT(hc_now_ms() - t0 < STOP_TIMEOUT_MS);
    /* Nothing listens on the port any more. */
    int fd = hc_connect(port);
    if (fd >= 0)
        close(fd);
    ASSERT(fd < 0);
}

/* ---- 2. the API over the sample corpus --------------------------------- */

/* Searches and checks the shape of every hit; returns the parsed body. */
static cJSON *search(const server *s, const char *qs)
{
    char target[512];
    snprintf(target, sizeof target, "/v1/search?%s", qs);
    cJSON *j = get_json(s, target, 200);
    const cJSON *hits = cJSON_GetObjectItemCaseSensitive(j, "hits");
    if (!cJSON_IsArray(hits))
        T_FAIL("%s: no hits array", target);
    ASSERT(jnum(j, "total") >= cJSON_GetArraySize(hits));
    const cJSON *h;
    cJSON_ArrayForEach(h, hits)
    {
        if (jstr(h, "id") == NULL || jstr(h, "type") == NULL ||
            !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(h, "score")) ||
            !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(h, "fields")))
            T_FAIL("%s: a hit lacks id, type, score or fields", target);
    }
    return j;
}

static int snippets_with_mark(const cJSON *j)
{
    int n = 0;
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(j, "hits"))
    {
        const char *sn = jstr(h, "snippet");
        n += sn != NULL && strstr(sn, "<mark>") != NULL;
    }
    return n;
}

/* Is id among the hits of j? */
static int has_hit(const cJSON *j, const char *id)
{
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(j, "hits"))
    {
        const char *hid = jstr(h, "id");
        if (hid && strcmp(hid, id) == 0)
            return 1;
    }
    return 0;
}

/* A write with the given Authorization header line (or none). */
static int write_status(const server *s, const char *method, const char *target,
                        const char *auth_line, const char *ctype,
                        const char *body, hc_resp *r)
{
    char headers[512];
    snprintf(headers, sizeof headers, "%s%s%s%s", auth_line ? auth_line : "",
             ctype ? "Content-Type: " : "", ctype ? ctype : "",
             ctype ? "\r\n" : "");
    request(s, method, target, headers, body, body ? strlen(body) : 0, r);
    return r->status;
}

/* Checks an auth error: status, and a JSON error of type "auth". */
static void expect_auth_error(hc_resp *r, int status, const char *what)
{
    if (r->status != status)
        T_FAIL("%s: status %d, want %d", what, r->status, status);
    cJSON *j = json_body(r, what);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (error_code(j) == NULL || jstr(e, "type") == NULL ||
        strcmp(jstr(e, "type"), "auth") != 0)
        T_FAIL("%s: not an auth error body", what);
    cJSON_Delete(j);
    hc_resp_free(r);
}

static void test_api_corpus(void)
{
    setup();
    need_binaries();
    if (access("corpus/docs", R_OK) != 0)
        T_SKIP("corpus/ is missing (run from the repository root)");
    long ndocs = corpus_lines();
    ASSERT(ndocs > 0);
    char db[128], kf[128], key[KEY_LEN + 1];
    make_db(db, sizeof db, "db");
    index_corpus(db);
    make_key(key, KEY_LEN, 0x2545f4914f6cdd1dull);
    path_in(kf, sizeof kf, "admin.key");
    write_file(kf, key, KEY_LEN);
    server s;
    const char *args[] = {"--db",
                          db,
                          "--admin-key-file",
                          kf,
                          "--cors-origin",
                          "https://site.example",
                          "--quiet",
                          NULL};
    start_ok(&s, "server.log", args);

    /* Search: shape, limit. */
    cJSON *j = search(&s, "q=grief&limit=3");
    int nhits = cJSON_GetArraySize(cJSON_GetObjectItem(j, "hits"));
    double total = jnum(j, "total");
    ASSERT(total > 0);
    ASSERT(nhits >= 1 && nhits <= 3);
    ASSERT_EQ(nhits, total < 3 ? total : 3);
    ASSERT_STR_EQ(jstr(j, "query"), "grief");
    cJSON_Delete(j);

    /* Highlighting marks words only when asked. */
    j = search(&s, "q=grief&limit=10&highlight=1");
    ASSERT(snippets_with_mark(j) >= 1);
    cJSON_Delete(j);
    j = search(&s, "q=grief&limit=10");
    ASSERT_EQ(snippets_with_mark(j), 0);
    cJSON_Delete(j);

    /* The type filter keeps specialists only, and does filter. */
    j = search(&s, "q=grief&limit=100");
    double total_all = jnum(j, "total");
    int others = 0;
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(j, "hits"))
    {
        others += strcmp(jstr(h, "type"), "specialist") != 0;
    }
    cJSON_Delete(j);
    ASSERT(others > 0);
    j = search(&s, "q=grief&type=specialist&limit=100");
    ASSERT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "hits")) > 0);
    ASSERT(jnum(j, "total") < total_all);
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(j, "hits"))
    {
        ASSERT_STR_EQ(jstr(h, "type"), "specialist");
    }
    cJSON_Delete(j);

    /* Suggestions for a prefix. */
    j = get_json(&s, "/v1/suggest?q=panic", 200);
    const cJSON *sug = cJSON_GetObjectItem(j, "suggestions");
    ASSERT(cJSON_IsArray(sug));
    ASSERT(cJSON_GetArraySize(sug) > 0);
    cJSON_ArrayForEach(h, sug)
    {
        ASSERT(jstr(h, "text") != NULL && has_ci(jstr(h, "text"), "panic"));
        ASSERT(jstr(h, "id") != NULL && jstr(h, "type") != NULL);
    }
    cJSON_Delete(j);

    /* Stats count every corpus line. */
    j = get_json(&s, "/v1/stats", 200);
    ASSERT_EQ(jnum(j, "documents"), ndocs);
    cJSON_Delete(j);

    /* A write is visible to the very next search. */
    char auth[128], wrong[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", key);
    snprintf(wrong, sizeof wrong, "Authorization: Bearer %.*s%c\r\n",
             KEY_LEN - 1, key, key[KEY_LEN - 1] == 'x' ? 'y' : 'x');
    const char *nd =
        "{\"id\":\"e2e-one\",\"type\":\"question\",\"title\":\"The first "
        "quokkaflux question\",\"body\":\"Is quokkaflux a feeling?\"}\n"
        "{\"id\":\"e2e-two\",\"type\":\"question\",\"title\":\"Another "
        "one\",\"body\":\"Someone wrote quokkaflux here too.\"}\n";
    hc_resp r;
    write_status(&s, "PUT", "/v1/documents", auth, "application/x-ndjson", nd,
                 &r);
    ASSERT_EQ(r.status, 200);
    j = json_body(&r, "PUT /v1/documents");
    ASSERT_EQ(jnum(j, "indexed"), 2);
    cJSON_Delete(j);
    hc_resp_free(&r);
    j = search(&s, "q=quokkaflux");
    ASSERT_EQ(jnum(j, "total"), 2);
    ASSERT(has_hit(j, "e2e-one") && has_hit(j, "e2e-two"));
    cJSON_Delete(j);
    j = get_json(&s, "/v1/stats", 200);
    ASSERT_EQ(jnum(j, "documents"), ndocs + 2);
    cJSON_Delete(j);

    /* Delete one: the next search finds the other only. */
    write_status(&s, "DELETE", "/v1/documents/e2e-one", auth, NULL, NULL, &r);
    ASSERT_EQ(r.status, 200);
    j = json_body(&r, "DELETE");
    ASSERT_EQ(jnum(j, "deleted"), 1);
    cJSON_Delete(j);
    hc_resp_free(&r);
    j = search(&s, "q=quokkaflux");
    ASSERT_EQ(jnum(j, "total"), 1);
    ASSERT(has_hit(j, "e2e-two") && !has_hit(j, "e2e-one"));
    cJSON_Delete(j);
    cJSON_Delete(get_json(&s, "/v1/documents/e2e-one", 404));

    /* No key: 401; a wrong key of the right length or a prefix: 403. */
    write_status(&s, "PUT", "/v1/documents", NULL, "application/x-ndjson", nd,
                 &r);
    expect_auth_error(&r, 401, "PUT without a key");
    write_status(&s, "DELETE", "/v1/documents/e2e-two", NULL, NULL, NULL, &r);
    expect_auth_error(&r, 401, "DELETE without a key");
    write_status(&s, "PUT", "/v1/documents", wrong, "application/x-ndjson", nd,
                 &r);
    expect_auth_error(&r, 403, "PUT with a wrong key");
    write_status(&s, "DELETE", "/v1/documents/e2e-two", wrong, NULL, NULL, &r);
    expect_auth_error(&r, 403, "DELETE with a wrong key");
    char prefix[128];
    snprintf(prefix, sizeof prefix, "Authorization: Bearer %.*s\r\n",
             KEY_LEN / 2, key);
    write_status(&s, "DELETE", "/v1/documents/e2e-two", prefix, NULL, NULL, &r);
    expect_auth_error(&r, 403, "DELETE with half the key");
    /* ... and none of them changed anything. */
    j = search(&s, "q=quokkaflux");
    ASSERT_EQ(jnum(j, "total"), 1);
    ASSERT(has_hit(j, "e2e-two"));
    cJSON_Delete(j);

    /* CORS: the allowed origin is echoed, others get nothing. */
    request(&s, "GET", "/v1/search?q=grief", "Origin: https://site.example\r\n",
            NULL, 0, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(
        header_is(&r, "Access-Control-Allow-Origin", "https://site.example"));
    size_t vlen;
    const char *vary = hc_header(&r, "Vary", &vlen);
    ASSERT(vary != NULL && contains(vary, vlen, "Origin"));
    hc_resp_free(&r);
    request(&s, "OPTIONS", "/v1/search",
            "Origin: https://site.example\r\n"
            "Access-Control-Request-Method: GET\r\n"
            "Access-Control-Request-Headers: authorization\r\n",
            NULL, 0, &r);
    ASSERT_EQ(r.status, 204);
    size_t mlen;
    const char *methods = hc_header(&r, "Access-Control-Allow-Methods", &mlen);
    ASSERT(methods != NULL);
    ASSERT(contains(methods, mlen, "GET"));
    ASSERT(
        header_is(&r, "Access-Control-Allow-Origin", "https://site.example"));
    hc_resp_free(&r);
    request(&s, "GET", "/v1/search?q=grief",
            "Origin: https://other.example\r\n", NULL, 0, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(hc_header(&r, "Access-Control-Allow-Origin", NULL) == NULL);
    hc_resp_free(&r);
    request(&s, "OPTIONS", "/v1/search",
            "Origin: https://other.example\r\n"
            "Access-Control-Request-Method: GET\r\n",
            NULL, 0, &r);
    ASSERT(hc_header(&r, "Access-Control-Allow-Origin", NULL) == NULL);
    hc_resp_free(&r);

    stop_ok(&s);
}

/* ---- 3. key rules ------------------------------------------------------- */

/* Starts a server with key[0..len) as its admin key file; returns what
 * start_server returns. */
static int start_with_key(server *s, const char *name, const char *key,
                          size_t len)
{
    char db[128], kf[128], logname[64];
    snprintf(logname, sizeof logname, "%s.db", name);
    make_db(db, sizeof db, logname);
    snprintf(logname, sizeof logname, "%s.key", name);
    path_in(kf, sizeof kf, logname);
    write_file(kf, key, len);
    snprintf(logname, sizeof logname, "%s.log", name);
    const char *args[] = {"--db", db, "--admin-key-file", kf, "--quiet", NULL};
    return start_server(s, logname, args);
}

/* The server must refuse to start, exit non-zero and say why. */
static void expect_key_refused(const char *name, const char *key, size_t len)
{
    server s;
    if (start_with_key(&s, name, key, len) != 1) {
        stop_server(&s, STOP_TIMEOUT_MS);
        T_FAIL("%s: the server started with a %zu-byte key file", name, len);
    }
    ASSERT(WIFEXITED(s.status));
    ASSERT(WEXITSTATUS(s.status) != 0);
    size_t n;
    char *text = read_file(s.log, &n);
    ASSERT(text != NULL);
    if (!has_ci(text, "admin key"))
        T_FAIL("%s: stderr does not mention the admin key: %s", name, text);
    ASSERT(strstr(text, "listening") == NULL);
    free(text);
}

static void test_admin_key_rules(void)
{
    setup();
    need_binaries();
    expect_key_refused("short", "0123456789", 10);

    /* 31 bytes and a newline: the newline does not count toward 32. */
    char key[KEY_LEN + 2];
    make_key(key, 31, 77);
    key[31] = '\n';
    expect_key_refused("short-nl", key, 32);

    /* 40 bytes and a newline: the server starts and the key is the 40
     * bytes, no less. */
    make_key(key, KEY_LEN, 78);
    key[KEY_LEN] = '\n';
    server s;
    if (start_with_key(&s, "nl", key, KEY_LEN + 1) != 0)
        T_FAIL("the server refused a %d-byte key with a newline", KEY_LEN);
    key[KEY_LEN] = '\0';
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", key);
    const char *doc = "{\"id\":\"k-1\",\"type\":\"question\",\"title\":"
                      "\"Key test\",\"body\":\"A body.\"}";
    hc_resp r;
    write_status(&s, "PUT", "/v1/documents", auth, "application/json", doc, &r);
    if (r.status != 200)
        T_FAIL("PUT with the key from a file ending in a newline: %d %.*s",
               r.status, (int)r.body_len, r.body);
    hc_resp_free(&r);
    snprintf(auth, sizeof auth, "Authorization: Bearer %.*s\r\n", KEY_LEN - 1,
             key);
    write_status(&s, "PUT", "/v1/documents", auth, "application/json", doc, &r);
    expect_auth_error(&r, 403, "PUT with the key minus its last byte");
    stop_ok(&s);
}

/* ---- failure lists ------------------------------------------------------ */

/* Counts a failure in a loop and prints the first MAX_REPORTED. */
static void note(int *bad, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void note(int *bad, const char *fmt, ...)
{
    if (++*bad > MAX_REPORTED)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("  ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir starting with prefix; *n gets the count. */
static char **list_dir(const char *dir, const char *prefix, size_t *n)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
            if (names == NULL)
                T_FAIL("out of memory");
        }
        names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, *n, sizeof *names, cmp_names);
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Only JSON whitespace (or nothing)? */
static int json_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return 0;
    return 1;
}

/* ---- 4. invalid JSON bodies -------------------------------------------- */

static void test_json_bodies(void)
{
    setup();
    need_binaries();
    const char *sh = t_shared();
    if (sh == NULL)
        T_SKIP("no shared data (../shared/data or $RP_SHARED_DATA)");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/badinput/jsontestsuite", sh);
    size_t n = 0;
    char **names = list_dir(dir, "n_", &n);
    if (names == NULL || n == 0)
        T_SKIP("%s is missing or has no n_ files", dir);

    server s;
    char key[KEY_LEN + 1], headers[256];
    start_admin(&s, "server.log", 0, 1, key);
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
             key);
    int *status = calloc(n, sizeof *status);
    ASSERT(status != NULL);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *body = read_file(path, &len);
        if (body == NULL)
            T_FAIL("cannot read %s", path);
        hc_resp r;
        request(&s, "PUT", "/v1/documents", headers, body, len, &r);
        status[i] = r.status;
        cJSON *j = parse_body(&r);
        const char *code = j ? error_code(j) : NULL;
        /* The error must be about the JSON (its syntax, its UTF-8 or its
         * nesting depth), not about a document a lenient parser made of
         * it; an empty body may say so instead. */
        int code_ok =
            code != NULL &&
            (strcmp(code, "invalid_json") == 0 ||
             strcmp(code, "invalid_utf8") == 0 ||
             strcmp(code, "limit_exceeded") == 0 ||
             (strcmp(code, "empty_body") == 0 && json_blank(body, len)));
        if (r.status != 400 || !code_ok)
            note(&bad, "%s: status %d, code %s: %.*s", names[i], r.status,
                 code ? code : "(no JSON error body)",
                 (int)(r.body_len > 160 ? 160 : r.body_len),
                 r.body ? r.body : "");
        cJSON_Delete(j);
        hc_resp_free(&r);
        free(body);
    }
    cJSON_Delete(get_json(&s, "/healthz", 200));

    /* The n_ files Debian's cJSON 1.7.15 accepts must be refused too. */
    char list[512];
    snprintf(list, sizeof list, "%s/badinput/cjson-1.7.15-lenient-n.txt", sh);
    size_t llen;
    char *text = read_file(list, &llen);
    int listed = 0;
    for (char *line = text ? strtok(text, "\r\n") : NULL; line != NULL;
         line = strtok(NULL, "\r\n")) {
        if (*line == '\0' || *line == '#')
            continue;
        listed++;
        char **hit = bsearch(&line, names, n, sizeof *names, cmp_names);
        if (hit == NULL)
            note(&bad, "lenient list names %s, not in %s", line, dir);
        else if (status[hit - names] != 400)
            note(&bad, "lenient-cJSON case %s: status %d", line,
                 status[hit - names]);
    }
    free(text);
    stop_ok(&s);
    free(status);
    free_names(names, n);
    if (text == NULL)
        fprintf(stderr, "  note: %s is missing; lenient list not checked\n",
                list);
    else if (listed == 0)
        T_FAIL("%s lists no files", list);
    if (bad)
        T_FAIL("%d of %zu n_ files (+%d listed) not refused with a JSON 400",
               bad, n, listed);
}

/* ---- 5. naughty strings ------------------------------------------------- */

/* A reply to hostile input: 200 or 400, never anything else, with a
 * valid UTF-8 JSON body (an error body for 400). Returns the parsed body
 * when all holds, else notes the failure and returns NULL. */
static cJSON *check_reply(int *bad, const hc_resp *r, const char *what, int idx)
{
    cJSON *j = parse_body(r);
    if ((r->status != 200 && r->status != 400) || j == NULL ||
        (r->status == 400 && error_code(j) == NULL)) {
        note(bad, "%s #%d: status %d, body %s: %.*s", what, idx, r->status,
             j ? "JSON" : "not valid UTF-8 JSON",
             (int)(r->body_len > 120 ? 120 : r->body_len),
             r->body ? r->body : "");
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

/* Does member key of j hold exactly s[0..n)? */
static int jstr_is(const cJSON *j, const char *key, const char *s, size_t n)
{
    const char *v = jstr(j, key);
    return v != NULL && strlen(v) == n && memcmp(v, s, n) == 0;
}

/* One naughty string as a search and suggest query, and as a title.
 * Returns 1 when the title was stored (and its round trip checked). */
static int naughty_one(const server *s, const char *auth, const char *str,
                       size_t len, int idx, int *bad)
{
    rp_buf t = RP_BUF_INIT;
    hc_resp r;
    if (rp_buf_puts(&t, "/v1/search?highlight=1&q=") != 0)
        T_FAIL("out of memory");
    url_encode(&t, str, len);
    rp_buf_append(&t, "", 1);
    request(s, "GET", (const char *)t.data, NULL, NULL, 0, &r);
    cJSON *j = check_reply(bad, &r, "search", idx);
    /* A query that was accepted is echoed byte for byte. */
    if (j != NULL && r.status == 200 && !jstr_is(j, "query", str, len))
        note(bad, "search #%d: \"query\" is not the string sent", idx);
    cJSON_Delete(j);
    hc_resp_free(&r);

    t.len = 0;
    rp_buf_puts(&t, "/v1/suggest?q=");
    url_encode(&t, str, len);
    rp_buf_append(&t, "", 1);
    request(s, "GET", (const char *)t.data, NULL, NULL, 0, &r);
    cJSON_Delete(check_reply(bad, &r, "suggest", idx));
    hc_resp_free(&r);

    /* As a visitor's words for matching (crisis detection included). */
    t.len = 0;
    rp_buf_puts(&t, "/v1/match?q=");
    url_encode(&t, str, len);
    rp_buf_append(&t, "", 1);
    request(s, "GET", (const char *)t.data, NULL, NULL, 0, &r);
    j = check_reply(bad, &r, "match", idx);
    if (j != NULL && r.status == 200 && !jstr_is(j, "query", str, len))
        note(bad, "match #%d: \"query\" is not the string sent", idx);
    cJSON_Delete(j);
    hc_resp_free(&r);
    rp_buf_fini(&t);

    /* As a title, JSON-escaped by cJSON. */
    char id[32], *title = strndup(str, len);
    ASSERT(title != NULL);
    size_t tlen = strlen(title); /* a NUL would end the string here */
    snprintf(id, sizeof id, "blns-%d", idx);
    cJSON *doc = cJSON_CreateObject();
    ASSERT(doc != NULL);
    cJSON_AddStringToObject(doc, "id", id);
    cJSON_AddStringToObject(doc, "type", "question");
    cJSON_AddStringToObject(doc, "title", title);
    cJSON_AddStringToObject(doc, "body", "A naughty string as a title.");
    char *body = cJSON_PrintUnformatted(doc);
    ASSERT(body != NULL);
    cJSON_Delete(doc);
    request(s, "PUT", "/v1/documents", auth, body, strlen(body), &r);
    cJSON_free(body);
    j = check_reply(bad, &r, "PUT title", idx);
    int stored = j != NULL && r.status == 200;
    cJSON_Delete(j);
    hc_resp_free(&r);
    if (stored) {
        /* What was stored comes back unchanged. */
        char target[64];
        snprintf(target, sizeof target, "/v1/documents/%s", id);
        request(s, "GET", target, NULL, NULL, 0, &r);
        j = parse_body(&r);
        if (r.status != 200 || j == NULL || !jstr_is(j, "title", title, tlen))
            note(bad, "GET %s: status %d, title %s", id, r.status,
                 j ? "differs from the one sent" : "(no JSON)");
        cJSON_Delete(j);
        hc_resp_free(&r);
        /* Its neighbours and specialists, found from that title. */
        const char *pairs[] = {"/v1/documents/%s/related",
                               "/v1/articles/%s/specialists"};
        for (size_t k = 0; k < 2; k++) {
            snprintf(target, sizeof target, pairs[k], id);
            request(s, "GET", target, NULL, NULL, 0, &r);
            j = parse_body(&r);
            if (r.status != 200 || j == NULL ||
                !cJSON_IsArray(cJSON_GetObjectItem(j, "hits")))
                note(bad, "GET %s: status %d", target, r.status);
            cJSON_Delete(j);
            hc_resp_free(&r);
        }
    }
    free(title);
    return stored;
}

static void test_naughty_strings(void)
{
    setup();
    need_binaries();
    const char *sh = t_shared();
    if (sh == NULL)
        T_SKIP("no shared data (../shared/data or $RP_SHARED_DATA)");
    char path[512];
    snprintf(path, sizeof path, "%s/badinput/blns.txt", sh);
    size_t len;
    char *text = read_file(path, &len);
    if (text == NULL)
        T_SKIP("%s is missing", path);

    /* Over the sample corpus when there is one, so searches find text
     * and build snippets. */
    server s;
    char key[KEY_LEN + 1], auth[256];
    start_admin(&s, "server.log", access("corpus/docs", R_OK) == 0, 1, key);
    snprintf(auth, sizeof auth,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
             key);
    int bad = 0, count = 0, stored = 0;
    for (char *p = text, *end = text + len; p < end;) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        size_t n = (size_t)(eol - p);
        if (n > 0 && p[0] != '#')
            stored += naughty_one(&s, auth, p, n, ++count, &bad);
        p = eol + 1;
    }
    free(text);
    ASSERT(count > 0);
    /* Most titles are plain text: the round trip must have run. */
    ASSERT(stored > count / 2);

    /* Invalid UTF-8 in q is refused as such, in search and suggest. */
    static const char *const invalid[] = {"%FF%FE", "%C0%AF", "%ED%A0%80",
                                          "%E2%82", "abc%80", "%F4%90%80%80"};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        for (int route = 0; route < 2; route++) {
            char target[128];
            snprintf(target, sizeof target, "/v1/%s?q=%s",
                     route ? "suggest" : "search", invalid[i]);
            cJSON *j = get_json(&s, target, 400);
            if (error_code(j) == NULL ||
                strcmp(error_code(j), "invalid_utf8") != 0)
                T_FAIL("%s: code %s, want invalid_utf8", target,
                       error_code(j) ? error_code(j) : "(none)");
            cJSON_Delete(j);
        }
    }
    /* Every line of Markus Kuhn's UTF-8 stress test as q: the malformed
     * ones get 400 invalid_utf8, the others 200 or 400, never 5xx. */
    snprintf(path, sizeof path, "%s/badinput/UTF-8-test.txt", sh);
    size_t ulen;
    char *utext = read_file(path, &ulen);
    int ulines = 0, uinvalid = 0;
    for (char *p = utext, *end = utext ? utext + ulen : NULL; p && p < end;) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        size_t n = (size_t)(eol - p);
        if (n > 0 && n < 300) {
            int is_bad = rp_utf8_validate(p, n, NULL) != 0;
            rp_buf target = RP_BUF_INIT;
            rp_buf_puts(&target, "/v1/search?q=");
            url_encode(&target, p, n);
            rp_buf_append(&target, "", 1);
            hc_resp r;
            request(&s, "GET", (const char *)target.data, NULL, NULL, 0, &r);
            if (r.status >= 500 || (is_bad && r.status != 400) ||
                (!is_bad && r.status != 200 && r.status != 400))
                T_FAIL("UTF-8-test line %d: status %d", ulines + 1,
                       r.status);
            if (is_bad) {
                cJSON *j = cJSON_ParseWithLength(r.body, r.body_len);
                if (j == NULL || error_code(j) == NULL ||
                    strcmp(error_code(j), "invalid_utf8") != 0)
                    T_FAIL("UTF-8-test line %d: not invalid_utf8",
                           ulines + 1);
                cJSON_Delete(j);
                uinvalid++;
            }
            hc_resp_free(&r);
            rp_buf_fini(&target);
            ulines++;
        }
        p = eol + 1;
    }
    free(utext);
    if (utext)
        ASSERT(uinvalid > 20);
    cJSON_Delete(get_json(&s, "/healthz", 200));
    stop_ok(&s);
    if (bad)
        T_FAIL("%d failures over %d naughty strings", bad, count);
}

/* ---- 6. framing and desync ---------------------------------------------- */

#define SMUGGLED "GET /v1/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/* Sends bytes on a fresh connection: the server must answer exactly one
 * JSON error with the given status and "Connection: close", then close
 * the socket. */
static void expect_refused(const server *s, const char *what, const char *bytes,
                           size_t len, int status)
{
    hc_resp r;
    int rc = hc_exchange(s->port, bytes, len, CLOSE_TIMEOUT_MS, 1, &r);
    if (rc != 0)
        T_FAIL("%s: connect: %s", what, strerror(-rc));
    if (r.status != status)
        T_FAIL("%s: status %d, want %d; received: %.300s", what, r.status,
               status, r.raw);
    if (r.nresp != 1 || r.trailing != 0)
        T_FAIL("%s: %d status lines, %zu bytes after the first response: "
               "%.600s",
               what, r.nresp, r.trailing, r.raw);
    if (!r.eof)
        T_FAIL("%s: the server kept the connection open", what);
    if (!header_is(&r, "Connection", "close"))
        T_FAIL("%s: no \"Connection: close\"", what);
    cJSON *j = json_body(&r, what);
    ASSERT(error_code(j) != NULL);
    cJSON_Delete(j);
    hc_resp_free(&r);
}

static void expect_refused_str(const server *s, const char *what,
                               const char *bytes, int status)
{
    expect_refused(s, what, bytes, strlen(bytes), status);
}

/* Sends bytes and expects a 4xx (never 5xx), at most one response. */
static void expect_4xx(const server *s, const char *what, const char *bytes,
                       size_t len)
{
    hc_resp r;
    int rc = hc_exchange(s->port, bytes, len, CLOSE_TIMEOUT_MS, 1, &r);
    if (rc != 0)
        T_FAIL("%s: connect: %s", what, strerror(-rc));
    if (r.status < 400 || r.status > 499)
        T_FAIL("%s: status %d, want 4xx; received: %.300s", what, r.status,
               r.raw);
    if (r.nresp != 1)
        T_FAIL("%s: %d status lines: %.600s", what, r.nresp, r.raw);
    hc_resp_free(&r);
}

static void test_http_framing(void)
{
    setup();
    need_binaries();
    server s;
    char key[KEY_LEN + 1];
    start_admin(&s, "server.log", 0, 1, key);
    const char *head = "PUT /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Type: application/json\r\n";
    char buf[1024];

    /* (a) Content-Length with chunked, both orders; what follows the body
     * under one reading is a second request under the other. */
    snprintf(buf, sizeof buf,
             "%sContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
             "0\r\n\r\n" SMUGGLED,
             head);
    expect_refused_str(&s, "(a) CL then TE", buf, 400);
    snprintf(buf, sizeof buf,
             "%sTransfer-Encoding: chunked\r\nContent-Length: %zu\r\n\r\n"
             "0\r\n\r\n" SMUGGLED,
             head, strlen("0\r\n\r\n" SMUGGLED));
    expect_refused_str(&s, "(a) TE then CL", buf, 400);
    snprintf(buf, sizeof buf,
             "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
             "5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" SMUGGLED);
    expect_refused_str(&s, "(a) CL and TE on a GET", buf, 400);

    /* (b) Two different Content-Length headers. */
    snprintf(buf, sizeof buf,
             "%sContent-Length: 4\r\nContent-Length: 48\r\n\r\nabcd" SMUGGLED,
             head);
    expect_refused_str(&s, "(b) two Content-Lengths", buf, 400);

    /* (c) Whitespace between a header name and its colon. */
    snprintf(buf, sizeof buf, "%sContent-Length : 4\r\n\r\nabcd" SMUGGLED,
             head);
    expect_refused_str(&s, "(c) \"Content-Length :\"", buf, 400);
    snprintf(buf, sizeof buf,
             "%sContent-Length: 4\r\nTransfer-Encoding : chunked\r\n\r\n"
             "abcd" SMUGGLED,
             head);
    expect_refused_str(&s, "(c) \"Transfer-Encoding :\"", buf, 400);

    /* (d) A transfer coding other than chunked. */
    snprintf(buf, sizeof buf, "%sTransfer-Encoding: gzip\r\n\r\nabcd" SMUGGLED,
             head);
    expect_refused_str(&s, "(d) Transfer-Encoding: gzip", buf, 400);
    snprintf(buf, sizeof buf,
             "%sTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"
             "\r\n0\r\n\r\n" SMUGGLED,
             head);
    expect_refused_str(&s, "(d) chunked and gzip", buf, 400);

    /* (f) A declared body over 16 MiB is refused before it is sent. */
    snprintf(buf, sizeof buf, "%sContent-Length: %u\r\n\r\n", head,
             (16u << 20) + 1);
    expect_refused_str(&s, "(f) Content-Length 16 MiB + 1", buf, 413);

    /* ... also when the client waits for "100 Continue", which must not
     * be sent. */
    snprintf(buf, sizeof buf,
             "%sExpect: 100-continue\r\nContent-Length: %u\r\n\r\n", head,
             (16u << 20) + 1);
    expect_refused_str(&s, "(f) 16 MiB + 1 with Expect: 100-continue", buf,
                       413);
    /* ... and a chunked body that grows past 16 MiB while it is read. */
    rp_buf big = RP_BUF_INIT;
    rp_buf_printf(&big, "%sTransfer-Encoding: chunked\r\n\r\n", head);
    char chunk[65536];
    memset(chunk, '[', sizeof chunk);
    for (int i = 0; i < 257; i++) {
        rp_buf_printf(&big, "%zx\r\n", sizeof chunk);
        rp_buf_append(&big, chunk, sizeof chunk);
        rp_buf_puts(&big, "\r\n");
    }
    rp_buf_puts(&big, "0\r\n\r\n");
    expect_refused(&s, "(f) chunked body over 16 MiB", (const char *)big.data,
                   big.len, 413);

    /* (g) A 100 KB URL and (h) 100 KB of headers. */
    big.len = 0;
    rp_buf_puts(&big, "GET /v1/search?q=");
    for (int i = 0; i < 100000; i++)
        rp_buf_append(&big, "a", 1);
    rp_buf_puts(&big, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    expect_4xx(&s, "(g) 100 KB URL", (const char *)big.data, big.len);
    cJSON_Delete(get_json(&s, "/healthz", 200));
    big.len = 0;
    rp_buf_puts(&big, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (int i = 0; i < 100; i++) {
        rp_buf_printf(&big, "X-Filler-%d: ", i);
        for (int k = 0; k < 1000; k++)
            rp_buf_append(&big, "v", 1);
        rp_buf_puts(&big, "\r\n");
    }
    rp_buf_puts(&big, "\r\n");
    expect_4xx(&s, "(h) 100 KB of headers", (const char *)big.data, big.len);
    rp_buf_fini(&big);
    cJSON_Delete(get_json(&s, "/healthz", 200));
    stop_ok(&s);
}

/* ---- 6'. http-desync-guardian's severe cases ---------------------------- */

#define DG_MAX_CASES 64
#define DG_MAX_HEADERS 8
#define DG_TIMEOUT_MS 3000

/* A YAML scalar as bytes (it may hold NUL). */
typedef struct dg_bytes {
    char s[512];
    size_t len;
} dg_bytes;

typedef struct dg_case {
    dg_bytes name, uri, method, version, tier;
    dg_bytes hname[DG_MAX_HEADERS], hvalue[DG_MAX_HEADERS];
    size_t nh;
} dg_case;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the scalar in p[0..n): plain, 'single' or "double quoted" with
 * the escapes the suite uses (\r \n \t \0 \\ \" \xHH). Returns 0, or -1
 * for anything else. */
static int dg_scalar(const char *p, size_t n, dg_bytes *out)
{
    while (n > 0 && p[0] == ' ')
        p++, n--;
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
        n--;
    out->len = 0;
    if (n > 0 && (p[0] == '"' || p[0] == '\'')) {
        char q = p[0];
        size_t i = 1;
        for (; i < n; i++) {
            char c = p[i];
            if (c == q) {
                /* '' inside single quotes is one quote; else it closes. */
                if (q == '\'' && i + 1 < n && p[i + 1] == '\'')
                    i++;
                else
                    break;
            } else if (q == '"' && c == '\\') {
                if (++i >= n)
                    return -1;
                switch (p[i]) {
                case 'r':
                    c = '\r';
                    break;
                case 'n':
                    c = '\n';
                    break;
                case 't':
                    c = '\t';
                    break;
                case '0':
                    c = '\0';
                    break;
                case '\\':
                    c = '\\';
                    break;
                case '"':
                    c = '"';
                    break;
                case 'x':
                    if (i + 2 >= n || hexval(p[i + 1]) < 0 ||
                        hexval(p[i + 2]) < 0)
                        return -1;
                    c = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
                    i += 2;
                    break;
                default:
                    return -1;
                }
            }
            if (out->len == sizeof out->s)
                return -1;
            out->s[out->len++] = c;
        }
        /* The closing quote must end the line. */
        return i == n - 1 && p[i] == q ? 0 : -1;
    }
    if (n > sizeof out->s || memchr(p, '#', n) != NULL)
        return -1;
    memcpy(out->s, p, n);
    out->len = n;
    return 0;
}

static int starts(const char *p, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(p, prefix, k) == 0;
}

/* Parses severe.yaml line by line: a list of cases, each with name, uri,
 * method, version, headers (name, value, tier) and expected (tier, reason,
 * message items). Returns the number of cases, or -(line number) of the
 * first line this small parser does not understand. */
static int dg_parse(const char *text, size_t len, dg_case *cases)
{
    int ncases = 0, lineno = 0, state = 0; /* 1 case, 2 headers, 3 expected */
    dg_case *c = NULL;
    for (const char *p = text, *end = text + len; p < end; lineno++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        const char *l = p;
        size_t n = (size_t)(eol - p), ind = 0;
        p = eol + 1;
        while (ind < n && l[ind] == ' ')
            ind++;
        l += ind;
        n -= ind;
        if (n == 0 || l[0] == '#' || (n == 1 && l[0] == '\r'))
            continue;
        int bad = 0;
        if (ind == 0 && starts(l, n, "- name:")) {
            if (ncases == DG_MAX_CASES)
                return -(lineno + 1);
            c = &cases[ncases++];
            memset(c, 0, sizeof *c);
            bad = dg_scalar(l + 7, n - 7, &c->name);
            state = 1;
        } else if (c == NULL) {
            bad = 1;
        } else if (ind == 2 && starts(l, n, "uri:")) {
            bad = dg_scalar(l + 4, n - 4, &c->uri);
        } else if (ind == 2 && starts(l, n, "method:")) {
            bad = dg_scalar(l + 7, n - 7, &c->method);
        } else if (ind == 2 && starts(l, n, "version:")) {
            bad = dg_scalar(l + 8, n - 8, &c->version);
        } else if (ind == 2 && starts(l, n, "headers:")) {
            state = 2;
        } else if (ind == 2 && starts(l, n, "expected:")) {
            state = 3;
        } else if (state == 2 && ind == 4 && starts(l, n, "- name:")) {
            if (c->nh == DG_MAX_HEADERS)
                return -(lineno + 1);
            bad = dg_scalar(l + 7, n - 7, &c->hname[c->nh++]);
        } else if (state == 2 && ind == 6 && starts(l, n, "value:") &&
                   c->nh > 0) {
            bad = dg_scalar(l + 6, n - 6, &c->hvalue[c->nh - 1]);
        } else if (state == 2 && ind == 6 && starts(l, n, "tier:")) {
            /* The header's own tier is not needed. */
        } else if (state == 3 && ind == 4 && starts(l, n, "tier:")) {
            bad = dg_scalar(l + 5, n - 5, &c->tier);
        } else if (state == 3 && ind >= 4) {
            /* reason and required_message_items: for log checks only. */
        } else {
            bad = 1;
        }
        if (bad)
            return -(lineno + 1);
    }
    return ncases;
}

/* The raw request of a case. A Host header is added (first, as clients
 * send it) unless the case has one, so that a refusal is about what the
 * case tests and not about a missing Host. */
static void dg_request(const dg_case *c, rp_buf *out)
{
    int host = 0;
    for (size_t i = 0; i < c->nh; i++)
        host |=
            c->hname[i].len == 4 && strncasecmp(c->hname[i].s, "Host", 4) == 0;
    int rc = rp_buf_append(out, c->method.s, c->method.len);
    rc |= rp_buf_puts(out, " ");
    rc |= rp_buf_append(out, c->uri.s, c->uri.len);
    if (c->version.len > 0) {
        rc |= rp_buf_puts(out, " ");
        rc |= rp_buf_append(out, c->version.s, c->version.len);
    }
    rc |= rp_buf_puts(out, "\r\n");
    if (!host)
        rc |= rp_buf_puts(out, "Host: 127.0.0.1\r\n");
    for (size_t i = 0; i < c->nh; i++) {
        rc |= rp_buf_append(out, c->hname[i].s, c->hname[i].len);
        rc |= rp_buf_puts(out, ": ");
        rc |= rp_buf_append(out, c->hvalue[i].s, c->hvalue[i].len);
        rc |= rp_buf_puts(out, "\r\n");
    }
    rc |= rp_buf_puts(out, "\r\n");
    if (rc != 0)
        T_FAIL("out of memory");
}

/* Cases libmicrohttpd 0.9.75 (Debian bookworm) mishandles before our code
 * runs, so rapport cannot refuse them: it ends the headers at a line that
 * starts with NUL, hides everything after a NUL inside a header value (it
 * then waits for the body the visible Content-Length announces), and its
 * own 400/413 answers to malformed Content-Length values send their header
 * block twice. Documented in docs/api.md. They are still sent and their
 * outcome printed; one that starts passing is reported, not failed. */
static const char *const mhd_known[] = {
    "Bad Content-Length: 1000,1000",
    "Bad Content-Length: 1000 1000",
    "Bad Content-Length: 1000.1000",
    "Bad Content-Length (64-bits overflow)",
    "Bad character in Content-Length value: 1000\\x11",
    "\\0 in value is bad",
    "\\0 at the start of a line",
    "\\0 at the start of a value",
    "\\0 at the end of a value",
    "[white-space]Content-Length and Content-Length",
};

static int mhd_known_case(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof mhd_known / sizeof mhd_known[0]; i++)
        if (strlen(mhd_known[i]) == len && memcmp(mhd_known[i], name, len) == 0)
            return 1;
    return 0;
}

static void test_desync_guardian_severe(void)
{
    setup();
    need_binaries();
    const char *sh = t_shared();
    if (sh == NULL)
        T_SKIP("no shared data (../shared/data or $RP_SHARED_DATA)");
    char path[512];
    snprintf(path, sizeof path, "%s/badinput/http-desync-guardian/severe.yaml",
             sh);
    size_t len;
    char *text = read_file(path, &len);
    if (text == NULL)
        T_SKIP("%s is missing", path);
    dg_case *cases = calloc(DG_MAX_CASES, sizeof *cases);
    ASSERT(cases != NULL);
    int n = dg_parse(text, len, cases);
    free(text);
    if (n < 0)
        T_SKIP("%s:%d is beyond this test's line-by-line YAML reader", path,
               -n);
    if (n == 0)
        T_SKIP("%s holds no cases", path);
    for (int i = 0; i < n; i++)
        if (cases[i].tier.len != 6 || memcmp(cases[i].tier.s, "Severe", 6))
            T_SKIP("%s: case %d is not of tier Severe: misread?", path, i);

    server s;
    char key[KEY_LEN + 1];
    start_admin(&s, "server.log", 0, 1, key);
    /* All cases at once on their own connections, so that the cases the
     * server wrongly accepts (it then waits for a body) cost one timeout
     * in all rather than one each. */
    int *fds = calloc((size_t)n, sizeof *fds);
    hc_resp *rs = calloc((size_t)n, sizeof *rs);
    ASSERT(fds != NULL && rs != NULL);
    for (int i = 0; i < n; i++) {
        rp_buf req = RP_BUF_INIT;
        dg_request(&cases[i], &req);
        fds[i] = hc_connect(s.port);
        if (fds[i] < 0)
            T_FAIL("connect: %s", strerror(-fds[i]));
        int rc = hc_send_all(fds[i], req.data, req.len);
        rs[i].send_err = rc < 0 ? -rc : 0;
        rp_buf_fini(&req);
    }
    double deadline = hc_now_ms() + DG_TIMEOUT_MS;
    int bad = 0, known = 0;
    for (int i = 0; i < n; i++) {
        double left = deadline - hc_now_ms();
        /* Past the deadline, hc_read still takes what has arrived. */
        hc_read(fds[i], left > 0 ? (int)left : 0, 1, &rs[i]);
        close(fds[i]);
        const hc_resp *r = &rs[i];
        size_t first = r->raw ? strcspn(r->raw, "\r\n") : 0;
        int failed = r->status < 400 || r->status > 499 || r->nresp > 1 ||
                     r->trailing != 0;
        int is_known = mhd_known_case(cases[i].name.s, cases[i].name.len);
        if (is_known && !failed)
            fprintf(stderr, "  severe '%.*s': now refused cleanly (a "
                            "known libmicrohttpd limitation no longer "
                            "applies)\n",
                    (int)cases[i].name.len, cases[i].name.s);
        if (is_known && failed) {
            known++;
            fprintf(stderr, "  known libmicrohttpd limitation: '%.*s'\n",
                    (int)cases[i].name.len, cases[i].name.s);
        } else if (failed)
            note(&bad,
                 "severe '%.*s': status %d, %d status lines, %zu bytes after "
                 "the first response, %s; first line: %.*s",
                 (int)cases[i].name.len, cases[i].name.s, r->status, r->nresp,
                 r->trailing,
                 r->eof ? "closed" : "no close before the deadline", (int)first,
                 r->raw ? r->raw : "");
        hc_resp_free(&rs[i]);
    }
    free(fds);
    free(rs);
    free(cases);
    cJSON_Delete(get_json(&s, "/healthz", 200));
    stop_ok(&s);
    if (bad)
        T_FAIL("%d of %d severe.yaml cases not refused with one 4xx", bad, n);
    fprintf(stderr, "  severe.yaml: %d of %d refused with one 4xx; %d known "
                    "libmicrohttpd limitations\n",
            n - known, n, known);
}

/* ---- 7. access log privacy --------------------------------------------- */

/* One line of the access log: "METHOD ROUTE STATUS MICROSECONDS". */
static int log_line(const char *l, char *method, size_t mcap, char *route,
                    size_t rcap, int *status)
{
    const char *sp1 = strchr(l, ' ');
    const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    const char *sp3 = sp2 ? strchr(sp2 + 1, ' ') : NULL;
    if (sp3 == NULL || strchr(sp3 + 1, ' ') != NULL || sp1 == l ||
        (size_t)(sp1 - l) >= mcap || (size_t)(sp2 - sp1 - 1) >= rcap ||
        sp2 == sp1 + 1 || sp3 - sp2 != 4 || sp3[1] == '\0')
        return -1;
    for (const char *c = l; c < sp1; c++)
        if (*c < 'A' || *c > 'Z')
            return -1;
    for (const char *c = sp2 + 1; c < sp3; c++)
        if (*c < '0' || *c > '9')
            return -1;
    for (const char *c = sp3 + 1; *c; c++)
        if (*c < '0' || *c > '9')
            return -1;
    memcpy(method, l, (size_t)(sp1 - l));
    method[sp1 - l] = '\0';
    memcpy(route, sp1 + 1, (size_t)(sp2 - sp1 - 1));
    route[sp2 - sp1 - 1] = '\0';
    *status = atoi(sp2 + 1);
    return 0;
}

/* The real server with corpus/crisis.json: words of crisis get the
 * block first and results after; others get none. */
static void test_crisis_block(void)
{
    setup();
    need_binaries();
    server s;
    char key[KEY_LEN + 1];
    start_admin(&s, "crisis.log", 1, 1, key);
    const char *crisis[] = {"/v1/match?q=i%20want%20to%20end%20my%20life",
                            "/v1/search?q=been%20cutting%20myself%20again"};
    for (size_t i = 0; i < 2; i++) {
        hc_resp r;
        request(&s, "GET", crisis[i], NULL, NULL, 0, &r);
        ASSERT_EQ(r.status, 200);
        cJSON *j = json_body(&r, crisis[i]);
        ASSERT_STR_EQ(j->child->string, "crisis");
        cJSON *res = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "crisis"),
                                         "resources");
        ASSERT(cJSON_GetArraySize(res) > 3);
        ASSERT(cJSON_IsArray(cJSON_GetObjectItem(j, "hits")));
        cJSON_Delete(j);
        hc_resp_free(&r);
    }
    hc_resp r;
    request(&s, "GET", "/v1/match?q=grief%20after%20a%20loss", NULL, NULL, 0,
            &r);
    ASSERT_EQ(r.status, 200);
    cJSON *j = json_body(&r, "/v1/match");
    ASSERT(cJSON_GetObjectItem(j, "crisis") == NULL);
    ASSERT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "hits")) > 0);
    cJSON_Delete(j);
    hc_resp_free(&r);
    stop_ok(&s);
}

static void test_access_log(void)
{
    setup();
    need_binaries();
    server s;
    char key[KEY_LEN + 1], auth[256], wrong[256];
    start_admin(&s, "access.log", 0, 0, key);
    snprintf(auth, sizeof auth,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
             key);
    snprintf(wrong, sizeof wrong,
             "Authorization: Bearer wrongkey-zebra789-0123456789abcdef\r\n"
             "Content-Type: application/json\r\n");
    const char *doc = "{\"id\":\"log-1\",\"type\":\"question\",\"title\":"
                      "\"zebrabody456\",\"body\":\"zebraquery123 here\"}";
    static const struct {
        const char *method, *target, *route;
        int status;
        int auth; /* 0 none, 1 admin, 2 wrong */
    } reqs[] = {
        {"PUT", "/v1/documents", "/v1/documents", 200, 1},
        {"GET", "/v1/search?q=zebraquery123", "/v1/search", 200, 0},
        {"GET", "/v1/search?q=zebraquery123&type=question&highlight=1",
         "/v1/search", 200, 0},
        {"GET", "/v1/suggest?q=zebraquery123", "/v1/suggest", 200, 0},
        {"GET", "/v1/search?q=%FFzebraquery123", "/v1/search", 400, 0},
        {"PUT", "/v1/documents", "/v1/documents", 403, 2},
        {"GET", "/healthz", "/healthz", 200, 0},
    };
    size_t nreq = sizeof reqs / sizeof reqs[0];
    for (size_t i = 0; i < nreq; i++) {
        hc_resp r;
        int put = strcmp(reqs[i].method, "PUT") == 0;
        request(&s, reqs[i].method, reqs[i].target,
                reqs[i].auth == 1   ? auth
                : reqs[i].auth == 2 ? wrong
                                    : NULL,
                put ? doc : NULL, put ? strlen(doc) : 0, &r);
        if (r.status != reqs[i].status)
            T_FAIL("%s %s: status %d, want %d", reqs[i].method, reqs[i].target,
                   r.status, reqs[i].status);
        hc_resp_free(&r);
    }
    /* The search did find the document (the query reached the index). */
    cJSON *j = search(&s, "q=zebraquery123");
    ASSERT_EQ(jnum(j, "total"), 1);
    cJSON_Delete(j);
    stop_ok(&s);

    size_t len;
    char *text = read_file(s.log, &len);
    ASSERT(text != NULL);
    static const char *const secrets[] = {"zebraquery123", "zebrabody456",
                                          "wrongkey-zebra789"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(text, secrets[i]) != NULL)
            T_FAIL("the log contains \"%s\": %s", secrets[i], text);
    if (strstr(text, key) != NULL || strstr(text, "Bearer") != NULL)
        T_FAIL("the log contains the admin key");
    /* One line per request, in order; the search above is the last. */
    size_t seen = 0;
    for (char *l = strtok(text, "\n"); l != NULL; l = strtok(NULL, "\n")) {
        if (strncmp(l, "rapport-server: ", 16) == 0)
            continue;
        char method[16], route[64];
        int status;
        if (log_line(l, method, sizeof method, route, sizeof route, &status) !=
            0)
            T_FAIL("not an access log line: \"%s\"", l);
        if (seen == nreq) {
            ASSERT_STR_EQ(method, "GET");
            ASSERT_STR_EQ(route, "/v1/search");
            ASSERT_EQ(status, 200);
        } else if (seen > nreq) {
            T_FAIL("more access log lines than requests: \"%s\"", l);
        } else {
            ASSERT_STR_EQ(method, reqs[seen].method);
            ASSERT_STR_EQ(route, reqs[seen].route);
            ASSERT_EQ(status, reqs[seen].status);
        }
        seen++;
    }
    ASSERT_EQ(seen, nreq + 1);
    free(text);
}

static const t_case cases[] = {
    T(test_start_stop),
    T(test_api_corpus),
    T(test_admin_key_rules),
    T(test_json_bodies),
    T(test_naughty_strings),
    T(test_crisis_block),
    T(test_http_framing),
    T(test_desync_guardian_severe),
    T(test_access_log),
    {NULL, NULL},
};

T_MAIN(cases)

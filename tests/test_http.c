/* SPDX-License-Identifier: MIT */
/*
 * Tests for the API layer of rapport-server (server/api.c), called
 * directly with srv_request values: routes, JSON shapes, status codes,
 * authentication, CORS and writes becoming visible to the next request.
 * The HTTP listener is tested end to end in test_e2e.c.
 */
#include <cjson/cJSON.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../server/server.h"
#include "rapport/index.h"
#include "rapport/json.h"
#include "rapport/query.h"
#include "t.h"

#define ADMIN "0123456789abcdef0123456789abcdef"

typedef struct fixture {
    char dir[64];
    srv *s;
} fixture;

static void open_fx(fixture *f, const char *admin, const char *search)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/rapport-http-XXXXXX");
    ASSERT(mkdtemp(f->dir) != NULL);
    srv_opts o;
    memset(&o, 0, sizeof o);
    o.db = f->dir;
    o.admin_key = admin;
    o.admin_key_len = admin ? strlen(admin) : 0;
    o.search_key = search;
    o.search_key_len = search ? strlen(search) : 0;
    o.cors[0] = "https://example.org";
    o.ncors = 1;
    o.quiet = 1;
    rp_error err;
    rp_error_clear(&err);
    ASSERT_OK(srv_open(&o, &f->s, &err));
}

static void close_fx(fixture *f)
{
    srv_close(f->s);
    t_rm_rf(f->dir);
}

/* Runs one request; returns the status and leaves the parsed JSON body
 * in *json (caller deletes; NULL when the body is not JSON). */
static int call(fixture *f, const char *method, const char *path,
                const srv_param *params, size_t nparams, const char *auth,
                const char *ctype, const char *body, cJSON **json)
{
    srv_request req = {method, path, params, nparams, auth, ctype,
                       "https://example.org", body ? body : "",
                       body ? strlen(body) : 0};
    srv_response resp;
    srv_response_init(&resp);
    srv_handle(f->s, &req, &resp);
    int status = resp.status;
    if (json) {
        *json = cJSON_ParseWithLength((const char *)resp.body.data,
                                      resp.body.len);
        if (*json == NULL && resp.body.len > 0)
            T_FAIL("%s %s: body is not JSON: %.*s", method, path,
                   (int)resp.body.len, resp.body.data);
    }
    srv_response_fini(&resp);
    return status;
}

static const char *error_code(cJSON *j)
{
    cJSON *e = cJSON_GetObjectItem(j, "error");
    cJSON *c = cJSON_GetObjectItem(e, "code");
    return cJSON_IsString(c) ? c->valuestring : "";
}

static void put_docs(fixture *f, const char *body)
{
    cJSON *j;
    int st = call(f, "PUT", "/v1/documents", NULL, 0, "Bearer " ADMIN,
                  "application/x-ndjson", body, &j);
    if (st != 200)
        T_FAIL("PUT: %d %s", st, error_code(j));
    cJSON_Delete(j);
}

static void test_health_and_unknown(void)
{
    fixture f;
    open_fx(&f, NULL, NULL);
    cJSON *j;
    ASSERT_EQ(call(&f, "GET", "/healthz", NULL, 0, NULL, NULL, NULL, &j),
              200);
    ASSERT_STR_EQ(cJSON_GetObjectItem(j, "status")->valuestring, "ok");
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "GET", "/v1/nothing", NULL, 0, NULL, NULL, NULL, &j),
              404);
    ASSERT_STR_EQ(error_code(j), "not_found");
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "POST", "/v1/search", NULL, 0, NULL, NULL, NULL, &j),
              405);
    cJSON_Delete(j);
    close_fx(&f);
}

static void test_write_then_search(void)
{
    fixture f;
    open_fx(&f, ADMIN, NULL);
    put_docs(&f, "{\"id\":\"a1\",\"title\":\"Grief after a loss\","
                 "\"body\":\"Grief takes time. Be gentle.\"}\n"
                 "{\"id\":\"s1\",\"type\":\"specialist\",\"name\":\"Ana Ruiz\","
                 "\"bio\":\"I help with grief and loss.\","
                 "\"free_consultation\":true}\n");
    srv_param p[] = {{"q", "grief"}, {"highlight", "1"}};
    cJSON *j;
    ASSERT_EQ(call(&f, "GET", "/v1/search", p, 2, NULL, NULL, NULL, &j), 200);
    ASSERT_EQ(cJSON_GetObjectItem(j, "total")->valueint, 2);
    cJSON *hits = cJSON_GetObjectItem(j, "hits");
    ASSERT_EQ(cJSON_GetArraySize(hits), 2);
    cJSON *h0 = cJSON_GetArrayItem(hits, 0);
    ASSERT(cJSON_IsString(cJSON_GetObjectItem(h0, "id")));
    ASSERT(cJSON_IsNumber(cJSON_GetObjectItem(h0, "score")));
    ASSERT(cJSON_IsObject(cJSON_GetObjectItem(h0, "fields")));
    const char *snip = cJSON_GetObjectItem(h0, "snippet")->valuestring;
    ASSERT(strstr(snip, "<mark>") != NULL);
    ASSERT(cJSON_IsNumber(cJSON_GetObjectItem(j, "took_ms")));
    cJSON_Delete(j);
    /* Type filter, and a specialist's name. */
    srv_param ps[] = {{"q", "grief"}, {"type", "specialist"}};
    ASSERT_EQ(call(&f, "GET", "/v1/search", ps, 2, NULL, NULL, NULL, &j),
              200);
    hits = cJSON_GetObjectItem(j, "hits");
    ASSERT_EQ(cJSON_GetArraySize(hits), 1);
    ASSERT_STR_EQ(cJSON_GetObjectItem(cJSON_GetArrayItem(hits, 0), "name")
                      ->valuestring,
                  "Ana Ruiz");
    cJSON_Delete(j);
    /* The stored document, then its deletion, seen at once. */
    ASSERT_EQ(call(&f, "GET", "/v1/documents/s1", NULL, 0, NULL, NULL, NULL,
                   &j),
              200);
    ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(j, "free_consultation")));
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "DELETE", "/v1/documents/s1", NULL, 0,
                   "Bearer " ADMIN, NULL, NULL, &j),
              200);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "GET", "/v1/documents/s1", NULL, 0, NULL, NULL, NULL,
                   &j),
              404);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "DELETE", "/v1/documents/s1", NULL, 0,
                   "Bearer " ADMIN, NULL, NULL, &j),
              404);
    cJSON_Delete(j);
    srv_param pq[] = {{"q", "grief"}};
    ASSERT_EQ(call(&f, "GET", "/v1/search", pq, 1, NULL, NULL, NULL, &j),
              200);
    ASSERT_EQ(cJSON_GetObjectItem(j, "total")->valueint, 1);
    cJSON_Delete(j);
    /* Suggestions complete titles from a prefix. */
    srv_param sg[] = {{"q", "grie"}};
    ASSERT_EQ(call(&f, "GET", "/v1/suggest", sg, 1, NULL, NULL, NULL, &j),
              200);
    cJSON *sug = cJSON_GetObjectItem(j, "suggestions");
    ASSERT_EQ(cJSON_GetArraySize(sug), 1);
    ASSERT_STR_EQ(cJSON_GetObjectItem(cJSON_GetArrayItem(sug, 0), "text")
                      ->valuestring,
                  "Grief after a loss");
    cJSON *terms = cJSON_GetObjectItem(j, "terms");
    ASSERT_EQ(cJSON_GetArraySize(terms), 1);
    ASSERT_STR_EQ(cJSON_GetArrayItem(terms, 0)->valuestring, "grief");
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "GET", "/v1/stats", NULL, 0, NULL, NULL, NULL, &j),
              200);
    ASSERT_EQ(cJSON_GetObjectItem(j, "documents")->valueint, 1);
    cJSON_Delete(j);
    close_fx(&f);
}

static void test_auth(void)
{
    fixture f;
    open_fx(&f, ADMIN, "search-key");
    cJSON *j;
    const char *doc = "{\"id\":\"x\",\"body\":\"calm\"}";
    ASSERT_EQ(call(&f, "PUT", "/v1/documents", NULL, 0, NULL,
                   "application/json", doc, &j),
              401);
    ASSERT_STR_EQ(error_code(j), "unauthorized");
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "PUT", "/v1/documents", NULL, 0, "Bearer wrong",
                   "application/json", doc, &j),
              403);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "PUT", "/v1/documents", NULL, 0, "Bearer " ADMIN "x",
                   "application/json", doc, &j),
              403);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "PUT", "/v1/documents", NULL, 0, "Bearer " ADMIN,
                   "text/plain", doc, &j),
              415);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "PUT", "/v1/documents", NULL, 0, "Bearer " ADMIN,
                   "application/json", doc, &j),
              200);
    ASSERT_EQ(cJSON_GetObjectItem(j, "indexed")->valueint, 1);
    cJSON_Delete(j);
    srv_param p[] = {{"q", "calm"}};
    ASSERT_EQ(call(&f, "GET", "/v1/search", p, 1, NULL, NULL, NULL, &j), 401);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "GET", "/v1/search", p, 1, "Bearer search-key", NULL,
                   NULL, &j),
              200);
    cJSON_Delete(j);
    close_fx(&f);
    /* Without an admin key, writes are off; a short key is refused. */
    open_fx(&f, NULL, NULL);
    ASSERT_EQ(call(&f, "PUT", "/v1/documents", NULL, 0, "Bearer " ADMIN,
                   "application/json", doc, &j),
              403);
    ASSERT_STR_EQ(error_code(j), "writes_disabled");
    cJSON_Delete(j);
    close_fx(&f);
    srv_opts o;
    memset(&o, 0, sizeof o);
    o.db = "/tmp/never-created";
    o.admin_key = "short";
    o.admin_key_len = 5;
    srv *s = NULL;
    rp_error err;
    rp_error_clear(&err);
    ASSERT_EQ(srv_open(&o, &s, &err), RP_EINVAL);
    ASSERT(strstr(err.msg, "32") != NULL);
}

static void test_bad_requests(void)
{
    fixture f;
    open_fx(&f, ADMIN, NULL);
    cJSON *j;
    struct {
        srv_param p[2];
        size_t n;
        int status;
        const char *code;
    } cases[] = {
        {{{"limit", "5"}}, 1, 400, "missing_query"},
        {{{"q", "a"}, {"limit", "0"}}, 2, 400, "invalid_limit"},
        {{{"q", "a"}, {"limit", "101"}}, 2, 400, "invalid_limit"},
        {{{"q", "a"}, {"offset", "-1"}}, 2, 400, "invalid_offset"},
        {{{"q", "a"}, {"type", "blog"}}, 2, 400, "invalid_type"},
        {{{"q", "(anxiety"}}, 1, 400, "invalid_query"},
        {{{"q", "bad \xff utf8"}}, 1, 400, "invalid_utf8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int st = call(&f, "GET", "/v1/search", cases[i].p, cases[i].n, NULL,
                      NULL, NULL, &j);
        if (st != cases[i].status || strcmp(error_code(j), cases[i].code))
            T_FAIL("case %zu: %d %s", i, st, error_code(j));
        cJSON_Delete(j);
    }
    /* Bad documents: 400 naming the problem; nothing indexed. */
    ASSERT_EQ(call(&f, "PUT", "/v1/documents", NULL, 0, "Bearer " ADMIN,
                   "application/x-ndjson",
                   "{\"id\":\"ok\",\"body\":\"x\"}\n{\"id\":1}\n", &j),
              400);
    ASSERT_STR_EQ(error_code(j), "invalid_document");
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "GET", "/v1/documents/ok", NULL, 0, NULL, NULL, NULL,
                   &j),
              404);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "PUT", "/v1/documents", NULL, 0, "Bearer " ADMIN,
                   "application/json", "[01]", &j),
              400);
    ASSERT_STR_EQ(error_code(j), "invalid_json");
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "PUT", "/v1/documents", NULL, 0, "Bearer " ADMIN,
                   "application/json", "  ", &j),
              400);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "GET", "/v1/documents/a b", NULL, 0, NULL, NULL,
                   NULL, &j),
              400);
    cJSON_Delete(j);
    close_fx(&f);
}

static void test_filters_and_facets(void)
{
    fixture f;
    open_fx(&f, ADMIN, NULL);
    put_docs(&f,
             "{\"id\":\"s1\",\"type\":\"specialist\",\"name\":\"A\","
             "\"bio\":\"I help with anxiety.\",\"concerns\":[\"anxiety\","
             "\"Grief\"],\"languages\":[\"Spanish\",\"Catalan\"],"
             "\"online\":true,\"free_consultation\":true,\"fee_min\":40,"
             "\"fee_max\":60}\n"
             "{\"id\":\"s2\",\"type\":\"specialist\",\"name\":\"B\","
             "\"bio\":\"Anxiety and panic.\",\"concerns\":[\"anxiety\","
             "\"panic\"],\"languages\":[\"English\"],\"online\":false,"
             "\"fee_min\":90,\"fee_max\":120}\n"
             "{\"id\":\"s3\",\"type\":\"specialist\",\"name\":\"C\","
             "\"bio\":\"Anxiety in teens.\",\"concerns\":[\"adolescents\"],"
             "\"languages\":[\"catalan\"],\"online\":true}\n"
             "{\"id\":\"a1\",\"title\":\"Anxiety\",\"body\":\"About "
             "anxiety.\",\"tags\":[\"anxiety\"]}\n");
    struct {
        srv_param p[4];
        size_t n;
        const char *ids; /* expected hit ids, sorted, comma-joined */
    } cases[] = {
        {{{"q", "anxiety"}, {"languages", "spanish,CATALAN"}}, 2, "s1,s3"},
        {{{"q", "anxiety"}, {"concerns", "anxiety"}, {"online", "true"}},
         3, "s1"},
        {{{"q", "anxiety"}, {"concerns", "grief , panic"}}, 2, "s1,s2"},
        {{{"q", "anxiety"}, {"fee_min", "50"}, {"fee_max", "95"}}, 3,
         "s1,s2"},
        {{{"q", "anxiety"}, {"fee_max", "30"}}, 2, ""},
        {{{"q", "anxiety"}, {"type", "article,question"}}, 2, "a1"},
        {{{"q", "anxiety"}, {"languages", "klingon"}}, 2, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *j;
        int st = call(&f, "GET", "/v1/search", cases[i].p, cases[i].n, NULL,
                      NULL, NULL, &j);
        if (st != 200)
            T_FAIL("case %zu: status %d %s", i, st, error_code(j));
        char ids[128] = "";
        cJSON *hits = cJSON_GetObjectItem(j, "hits");
        /* Collect and sort the ids (a handful: insertion sort). */
        const char *v[8];
        int n = 0;
        cJSON *h;
        cJSON_ArrayForEach(h, hits)
        {
            if (n < 8)
                v[n++] = cJSON_GetObjectItem(h, "id")->valuestring;
        }
        for (int a = 1; a < n; a++)
            for (int b = a; b > 0 && strcmp(v[b - 1], v[b]) > 0; b--) {
                const char *tmp = v[b];
                v[b] = v[b - 1];
                v[b - 1] = tmp;
            }
        for (int a = 0; a < n; a++) {
            strcat(ids, a ? "," : "");
            strcat(ids, v[a]);
        }
        if (strcmp(ids, cases[i].ids) != 0)
            T_FAIL("case %zu: hits \"%s\", want \"%s\"", i, ids,
                   cases[i].ids);
        cJSON_Delete(j);
    }
    /* Facet counts over every match, not just the page. */
    srv_param fp[] = {{"q", "anxiety"}, {"facets", "concerns,languages,online"},
                      {"limit", "1"}};
    cJSON *j;
    ASSERT_EQ(call(&f, "GET", "/v1/search", fp, 3, NULL, NULL, NULL, &j), 200);
    cJSON *fc = cJSON_GetObjectItem(j, "facets");
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(fc, "concerns"),
                                  "anxiety")
                  ->valueint,
              3); /* s1, s2 and the article's tag */
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(fc, "languages"),
                                  "catalan")
                  ->valueint,
              2);
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(fc, "online"), "true")
                  ->valueint,
              2);
    cJSON_Delete(j);
    /* A replaced profile moves between facet values. */
    put_docs(&f, "{\"id\":\"s3\",\"type\":\"specialist\",\"name\":\"C\","
                 "\"bio\":\"Anxiety in teens.\",\"languages\":[\"Polish\"],"
                 "\"online\":false}\n");
    ASSERT_EQ(call(&f, "GET", "/v1/search", fp, 3, NULL, NULL, NULL, &j), 200);
    fc = cJSON_GetObjectItem(j, "facets");
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(fc, "languages"),
                                  "catalan")
                  ->valueint,
              1);
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(fc, "online"), "true")
                  ->valueint,
              1);
    cJSON_Delete(j);
    srv_param bad[] = {{"q", "x"}, {"facets", "colour"}};
    ASSERT_EQ(call(&f, "GET", "/v1/search", bad, 2, NULL, NULL, NULL, &j),
              400);
    ASSERT_STR_EQ(error_code(j), "invalid_facet");
    cJSON_Delete(j);
    /* A value too long to be a facet value is named as such. */
    char longv[80];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    srv_param badv[] = {{"q", "x"}, {"languages", longv}};
    ASSERT_EQ(call(&f, "GET", "/v1/search", badv, 2, NULL, NULL, NULL, &j),
              400);
    ASSERT_STR_EQ(error_code(j), "invalid_filter");
    ASSERT(strstr(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"),
                                      "message")
                      ->valuestring,
                  "longer than 64") != NULL);
    cJSON_Delete(j);
    srv_param badfee[] = {{"q", "x"}, {"fee_min", "9"}, {"fee_max", "3"}};
    ASSERT_EQ(call(&f, "GET", "/v1/search", badfee, 3, NULL, NULL, NULL, &j),
              400);
    cJSON_Delete(j);
    close_fx(&f);
}

/* Options for a quiet server over dir with writes enabled. */
static void admin_opts(srv_opts *o, const char *dir)
{
    memset(o, 0, sizeof *o);
    o->db = dir;
    o->admin_key = ADMIN;
    o->admin_key_len = strlen(ADMIN);
    o->quiet = 1;
}

/* Opens f on a new index holding the site's vocabulary
 * (corpus/vocabulary.json), with the admin key. */
static void open_vocab_fx(fixture *f)
{
    rp_buf vocab;
    t_repo_file("corpus/vocabulary.json", &vocab);
    open_fx(f, ADMIN, NULL);
    srv_close(f->s);
    /* Store the vocabulary, then reopen so the server loads it. */
    rp_index *ix;
    ASSERT_OK(rp_index_open(f->dir, NULL, &ix, NULL));
    ASSERT_OK(rp_json_store_vocab(ix, (const char *)vocab.data, vocab.len,
                                  NULL));
    rp_buf_fini(&vocab);
    rp_index_close(ix);
    srv_opts o;
    admin_opts(&o, f->dir);
    ASSERT_OK(srv_open(&o, &f->s, NULL));
}

/* The id of hit i of j's hits, or "" past the end. */
static const char *hit_id(cJSON *j, int i)
{
    cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hits"), i);
    cJSON *id = cJSON_GetObjectItem(h, "id");
    return cJSON_IsString(id) ? id->valuestring : "";
}

/* The concerns in hit i's matched_on, each followed by '|'. */
static void hit_concerns(cJSON *j, int i, char *out, size_t cap)
{
    cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hits"), i);
    cJSON *it;
    out[0] = '\0';
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(h, "matched_on"))
    {
        cJSON *c = cJSON_GetObjectItem(it, "concern");
        if (c && strlen(out) + strlen(c->valuestring) + 2 <= cap) {
            strcat(out, c->valuestring);
            strcat(out, "|");
        }
    }
}

/* /v1/match: concepts from the visitor's words select specialists, who
 * come with what matched; those not accepting clients come last. */
static void test_match(void)
{
    fixture f;
    open_vocab_fx(&f);
    put_docs(&f,
             "{\"id\":\"s1\",\"type\":\"specialist\",\"name\":\"A\","
             "\"bio\":\"Obsessions and compulsions.\",\"concerns\":[\"ocd\"],"
             "\"accepting_clients\":false}\n"
             "{\"id\":\"s2\",\"type\":\"specialist\",\"name\":\"B\","
             "\"bio\":\"Anxious thoughts.\",\"concerns\":[\"ocd\",\"anxiety\"],"
             "\"approaches\":[\"exposure and response prevention\"],"
             "\"accepting_clients\":true,\"languages\":[\"Spanish\"]}\n"
             "{\"id\":\"s3\",\"type\":\"specialist\",\"name\":\"C\","
             "\"bio\":\"Grief and loss.\",\"concerns\":[\"grief\"],"
             "\"accepting_clients\":true}\n"
             "{\"id\":\"a1\",\"title\":\"OCD\",\"body\":\"About ocd.\","
             "\"tags\":[\"ocd\"]}\n");
    srv_param p[] = {{"q", "i can't stop checking the stove"}, {"seed", "1"}};
    cJSON *j;
    ASSERT_EQ(call(&f, "GET", "/v1/match", p, 2, NULL, NULL, NULL, &j), 200);
    cJSON *hits = cJSON_GetObjectItem(j, "hits");
    ASSERT_EQ(cJSON_GetArraySize(hits), 2); /* specialists only, not a1/s3 */
    cJSON *h0 = cJSON_GetArrayItem(hits, 0), *h1 = cJSON_GetArrayItem(hits, 1);
    ASSERT_STR_EQ(cJSON_GetObjectItem(h0, "id")->valuestring, "s2");
    ASSERT_STR_EQ(cJSON_GetObjectItem(h1, "id")->valuestring, "s1");
    cJSON *why = cJSON_GetArrayItem(cJSON_GetObjectItem(h0, "matched_on"), 0);
    ASSERT_STR_EQ(cJSON_GetObjectItem(why, "concern")->valuestring, "OCD");
    /* Then the visitor's words the profile uses, as written: s1's bio
     * says nothing of checking or stoves. */
    cJSON_Delete(j);
    srv_param pw[] = {{"q", "Anxious about OCD, anxious again"}, {"seed", "1"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", pw, 2, NULL, NULL, NULL, &j), 200);
    h0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hits"), 0);
    ASSERT_STR_EQ(cJSON_GetObjectItem(h0, "id")->valuestring, "s2");
    cJSON *mo = cJSON_GetObjectItem(h0, "matched_on");
    char words[128] = "";
    cJSON *it;
    cJSON_ArrayForEach(it, mo)
    {
        cJSON *w = cJSON_GetObjectItem(it, "word");
        if (w) {
            strcat(words, w->valuestring);
            strcat(words, "|");
        }
    }
    ASSERT_STR_EQ(words, "Anxious|OCD|");
    cJSON_Delete(j);
    /* Facet counts cover every hit, not only the page. */
    srv_param pc[] = {{"q", "i can't stop checking the stove"},
                      {"limit", "1"},
                      {"facets", "languages,concerns"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", pc, 3, NULL, NULL, NULL, &j), 200);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "hits")), 1);
    cJSON *fc = cJSON_GetObjectItem(j, "facets");
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(fc, "languages"),
                                  "spanish")
                  ->valueint,
              1);
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(fc, "concerns"), "ocd")
                  ->valueint,
              2);
    cJSON_Delete(j);
    /* Filters apply. */
    srv_param pf[] = {{"q", "checking the stove"}, {"languages", "catalan"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", pf, 2, NULL, NULL, NULL, &j), 200);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "hits")), 0);
    cJSON_Delete(j);
    srv_param pe[] = {{"q", ""}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", pe, 1, NULL, NULL, NULL, &j), 400);
    cJSON_Delete(j);
    /* An article's specialists: a1 is tagged ocd. */
    ASSERT_EQ(call(&f, "GET", "/v1/articles/a1/specialists", p + 1, 1, NULL,
                   NULL, NULL, &j),
              200);
    ASSERT_STR_EQ(cJSON_GetObjectItem(j, "document")->valuestring, "a1");
    hits = cJSON_GetObjectItem(j, "hits");
    ASSERT_EQ(cJSON_GetArraySize(hits), 2);
    h0 = cJSON_GetArrayItem(hits, 0);
    ASSERT_STR_EQ(cJSON_GetObjectItem(h0, "id")->valuestring, "s2");
    why = cJSON_GetArrayItem(cJSON_GetObjectItem(h0, "matched_on"), 0);
    ASSERT_STR_EQ(cJSON_GetObjectItem(why, "concern")->valuestring, "OCD");
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "GET", "/v1/articles/nope/specialists", NULL, 0, NULL,
                   NULL, NULL, &j),
              404);
    cJSON_Delete(j);
    /* A specialist is not an article to pair with specialists. */
    ASSERT_EQ(call(&f, "GET", "/v1/articles/s2/specialists", NULL, 0, NULL,
                   NULL, NULL, &j),
              404);
    cJSON_Delete(j);
    /* Types are checked, and one type filters like the others. */
    srv_param pt[] = {{"q", "checking the stove"}, {"type", "bogus"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", pt, 2, NULL, NULL, NULL, &j), 400);
    cJSON_Delete(j);
    srv_param pa[] = {{"q", "checking the stove"}, {"type", "article"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", pa, 2, NULL, NULL, NULL, &j), 200);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "hits")), 0);
    cJSON_Delete(j);
    /* A query longer than a search may be is refused here too. */
    static char longq[RP_QUERY_MAX_BYTES + 2];
    memset(longq, 'a', sizeof longq - 1);
    srv_param pl[] = {{"q", longq}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", pl, 1, NULL, NULL, NULL, &j), 400);
    ASSERT_STR_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"),
                                      "code")
                      ->valuestring,
                  "limit_exceeded");
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "GET", "/v1/articles//specialists", NULL, 0, NULL,
                   NULL, NULL, &j),
              400);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "POST", "/v1/articles/a1/specialists", NULL, 0, NULL,
                   NULL, NULL, &j),
              405);
    cJSON_Delete(j);
    /* Related to a1: the other ocd question, never a1 itself nor a
     * specialist; the grief article does not share its concepts. */
    put_docs(&f, "{\"id\":\"q1\",\"type\":\"question\",\"title\":"
                 "\"I keep checking the locks\",\"tags\":[\"OCD\"]}\n"
                 "{\"id\":\"a2\",\"title\":\"Grief\",\"body\":"
                 "\"Loss.\",\"tags\":[\"grief\"]}\n");
    ASSERT_EQ(call(&f, "GET", "/v1/documents/a1/related", NULL, 0, NULL, NULL,
                   NULL, &j),
              200);
    ASSERT_STR_EQ(cJSON_GetObjectItem(j, "document")->valuestring, "a1");
    hits = cJSON_GetObjectItem(j, "hits");
    ASSERT_EQ(cJSON_GetArraySize(hits), 1);
    h0 = cJSON_GetArrayItem(hits, 0);
    ASSERT_STR_EQ(cJSON_GetObjectItem(h0, "id")->valuestring, "q1");
    ASSERT_STR_EQ(cJSON_GetObjectItem(h0, "type")->valuestring, "question");
    cJSON_Delete(j);
    srv_param ta[] = {{"type", "article"}};
    ASSERT_EQ(call(&f, "GET", "/v1/documents/a1/related", ta, 1, NULL, NULL,
                   NULL, &j),
              200);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "hits")), 0);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "GET", "/v1/documents/nope/related", NULL, 0, NULL,
                   NULL, NULL, &j),
              404);
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "DELETE", "/v1/documents/a1/related", NULL, 0,
                   "Bearer " ADMIN, NULL, NULL, &j),
              405);
    cJSON_Delete(j);
    /* The document itself is still there. */
    ASSERT_EQ(call(&f, "GET", "/v1/documents/a1", NULL, 0, NULL, NULL, NULL,
                   &j),
              200);
    cJSON_Delete(j);
    /* A profile's first concern is its main work: s3 lists only grief,
     * s4 grief fourth, so s3 comes first though s4's bio says more of
     * the visitor's words. */
    put_docs(&f, "{\"id\":\"s4\",\"type\":\"specialist\",\"name\":\"D\","
                 "\"bio\":\"Grief and the loss of a mother.\","
                 "\"concerns\":[\"anxiety\",\"sleep\",\"ocd\",\"grief\"],"
                 "\"accepting_clients\":true}\n");
    srv_param pg[] = {{"q", "grief after the loss of my mother"},
                      {"seed", "1"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", pg, 2, NULL, NULL, NULL, &j), 200);
    hits = cJSON_GetObjectItem(j, "hits");
    ASSERT_EQ(cJSON_GetArraySize(hits), 2);
    ASSERT_STR_EQ(
        cJSON_GetObjectItem(cJSON_GetArrayItem(hits, 0), "id")->valuestring,
        "s3");
    cJSON_Delete(j);
    /* What troubles the visitor outweighs the approaches its words touch
     * ("help" is a word of psychoeducation's and sex therapy's phrasings):
     * s3 lists grief, s5 those two approaches. */
    put_docs(&f, "{\"id\":\"s5\",\"type\":\"specialist\",\"name\":\"E\","
                 "\"bio\":\"Help with grief.\",\"approaches\":"
                 "[\"sex therapy\",\"psychoeducation\"],"
                 "\"accepting_clients\":true}\n");
    srv_param ph[] = {{"q", "looking for help with grief"}, {"seed", "1"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", ph, 2, NULL, NULL, NULL, &j), 200);
    hits = cJSON_GetObjectItem(j, "hits");
    ASSERT_STR_EQ(
        cJSON_GetObjectItem(cJSON_GetArrayItem(hits, 0), "id")->valuestring,
        "s3");
    cJSON_Delete(j);
    close_fx(&f);
}

/* Pseudo-relevance feedback: words no phrase of the vocabulary uses
 * ("console") find a question tagged screen use, and specialists found by
 * their text who list it come first; one who lists it but is not found
 * otherwise is not added; and a document that shares no concept with
 * words that name one lends them nothing. */
static void test_match_feedback(void)
{
    fixture f;
    open_vocab_fx(&f);
    put_docs(&f,
             "{\"id\":\"s1\",\"type\":\"specialist\",\"name\":\"A\","
             "\"bio\":\"Families when the console takes over.\","
             "\"concerns\":[\"screen use\"],\"accepting_clients\":true}\n"
             "{\"id\":\"s2\",\"type\":\"specialist\",\"name\":\"B\","
             "\"bio\":\"The console, the console.\","
             "\"concerns\":[\"grief\"],\"accepting_clients\":true}\n"
             "{\"id\":\"s3\",\"type\":\"specialist\",\"name\":\"C\","
             "\"bio\":\"Families.\",\"concerns\":[\"screen use\"],"
             "\"accepting_clients\":true}\n"
             "{\"id\":\"q1\",\"type\":\"question\",\"title\":"
             "\"My son will not leave the console\","
             "\"tags\":[\"screen use\"]}\n");
    srv_param p[] = {{"q", "the console all weekend"}, {"seed", "1"}};
    cJSON *j;
    char concerns[128];
    ASSERT_EQ(call(&f, "GET", "/v1/match", p, 2, NULL, NULL, NULL, &j), 200);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "hits")), 2);
    ASSERT_STR_EQ(hit_id(j, 0), "s1");
    ASSERT_STR_EQ(hit_id(j, 1), "s2");
    hit_concerns(j, 0, concerns, sizeof concerns);
    ASSERT_STR_EQ(concerns, "Screen use|");
    cJSON_Delete(j);
    /* Grief is named; q1 is still the best document, but about
     * something else: s2 lists grief, and s1 gets no concern. */
    srv_param pg[] = {{"q", "grief, and the console all weekend"},
                      {"seed", "1"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", pg, 2, NULL, NULL, NULL, &j), 200);
    ASSERT_STR_EQ(hit_id(j, 0), "s2");
    ASSERT_STR_EQ(hit_id(j, 1), "s1");
    hit_concerns(j, 1, concerns, sizeof concerns);
    ASSERT_STR_EQ(concerns, "");
    cJSON_Delete(j);
    close_fx(&f);
}

/* Writes text to path. */
static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    ASSERT(fp != NULL);
    ASSERT_EQ(fwrite(text, 1, strlen(text), fp), strlen(text));
    ASSERT_EQ(fclose(fp), 0);
}

/* Words that speak of a crisis put the crisis block first in /v1/search
 * and /v1/match, and the results still follow; other words get none; a
 * bad or missing crisis file stops the server from starting. */
static void test_crisis_block(void)
{
    fixture f;
    open_fx(&f, ADMIN, NULL);
    srv_close(f.s);
    char path[128];
    snprintf(path, sizeof path, "%s.crisis.json", f.dir);
    write_file(path, "{\"triggers\": [\"hurt myself\"],"
                     " \"message\": \"You are not alone.\","
                     " \"resources\": [{\"name\": \"Line\","
                     " \"contact\": \"Call 1\"}]}");
    srv_opts o;
    admin_opts(&o, f.dir);
    o.crisis_path = path;
    ASSERT_OK(srv_open(&o, &f.s, NULL));
    put_docs(&f, "{\"id\":\"s1\",\"type\":\"specialist\",\"name\":\"A\","
                 "\"bio\":\"I help people who hurt themselves.\","
                 "\"accepting_clients\":true}\n"
                 "{\"id\":\"a1\",\"title\":\"Grief\",\"body\":\"Loss.\"}\n");
    const char *routes[] = {"/v1/search", "/v1/match"};
    for (size_t r = 0; r < 2; r++) {
        srv_param p[] = {{"q", "sometimes I hurt myself"}};
        cJSON *j;
        ASSERT_EQ(call(&f, "GET", routes[r], p, 1, NULL, NULL, NULL, &j), 200);
        ASSERT_STR_EQ(j->child->string, "crisis"); /* first */
        cJSON *c = cJSON_GetObjectItem(j, "crisis");
        ASSERT_STR_EQ(cJSON_GetObjectItem(c, "message")->valuestring,
                      "You are not alone.");
        ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(c, "resources")), 1);
        ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "hits")), 1);
        cJSON_Delete(j);
        srv_param g[] = {{"q", "grief"}};
        ASSERT_EQ(call(&f, "GET", routes[r], g, 1, NULL, NULL, NULL, &j), 200);
        ASSERT(cJSON_GetObjectItem(j, "crisis") == NULL);
        cJSON_Delete(j);
    }
    /* A refused query (a syntax error) keeps the block before its error. */
    srv_param bad[] = {{"q", "sometimes I hurt myself ("}};
    cJSON *e;
    ASSERT_EQ(call(&f, "GET", "/v1/search", bad, 1, NULL, NULL, NULL, &e), 400);
    ASSERT_STR_EQ(e->child->string, "crisis");
    ASSERT(cJSON_GetObjectItem(e, "error") != NULL);
    cJSON_Delete(e);
    srv_param badm[] = {{"q", "sometimes I hurt myself"}, {"limit", "0"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", badm, 2, NULL, NULL, NULL, &e), 400);
    ASSERT_STR_EQ(e->child->string, "crisis");
    cJSON_Delete(e);
    srv_param badg[] = {{"q", "grief ("}};
    ASSERT_EQ(call(&f, "GET", "/v1/search", badg, 1, NULL, NULL, NULL, &e), 400);
    ASSERT(cJSON_GetObjectItem(e, "crisis") == NULL);
    cJSON_Delete(e);
    srv_close(f.s);
    f.s = NULL;
    /* A bad file, then a missing one: no server, a message naming it. */
    write_file(path, "{\"triggers\": []}");
    rp_error err;
    rp_error_clear(&err);
    srv *s = NULL;
    ASSERT_EQ(srv_open(&o, &s, &err), RP_EDOC);
    ASSERT(s == NULL && strstr(err.msg, path) && strstr(err.msg, "triggers"));
    ASSERT_EQ(unlink(path), 0);
    rp_error_clear(&err);
    ASSERT(srv_open(&o, &s, &err) != 0);
    ASSERT(s == NULL && strstr(err.msg, path));
    close_fx(&f);
}

/* Static files under --web: content types, a short public cache for
 * them (no-store for the API), and nothing outside the directory. */
static void test_static_files(void)
{
    fixture f;
    open_fx(&f, NULL, NULL);
    srv_close(f.s);
    char web[128], path[192];
    snprintf(web, sizeof web, "%s.web", f.dir);
    ASSERT_EQ(mkdir(web, 0700), 0);
    snprintf(path, sizeof path, "%s/index.html", web);
    write_file(path, "<!doctype html><title>t</title>");
    snprintf(path, sizeof path, "%s/box.js", web);
    write_file(path, "console.log(1);");
    /* A file beside the directory whose name extends the directory's. */
    char beside[192];
    snprintf(beside, sizeof beside, "%s-secret.html", web);
    write_file(beside, "secret");
    srv_opts o;
    memset(&o, 0, sizeof o);
    o.db = f.dir;
    o.quiet = 1;
    o.web_dir = web;
    ASSERT_OK(srv_open(&o, &f.s, NULL));
    static const struct {
        const char *path;
        int status;
        const char *type;
    } cases[] = {
        {"/", 200, "text/html; charset=utf-8"},
        {"/index.html", 200, "text/html; charset=utf-8"},
        {"/box.js", 200, "text/javascript; charset=utf-8"},
        {"/missing.html", 404, NULL},
        {"/../index.html", 404, NULL},
        {"/.hidden.html", 404, NULL},
        {"/box.exe", 404, NULL},
        {"-secret.html", 404, NULL},
        {".html", 404, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        srv_request req = {"GET", cases[i].path, NULL, 0, NULL, NULL, NULL,
                           "", 0};
        srv_response resp;
        srv_response_init(&resp);
        srv_handle(f.s, &req, &resp);
        if (resp.status != cases[i].status)
            T_FAIL("%s: status %d", cases[i].path, resp.status);
        if (cases[i].type) {
            ASSERT_STR_EQ(resp.content_type, cases[i].type);
            ASSERT_STR_EQ(resp.cache, "public, max-age=300");
        } else {
            ASSERT(resp.cache == NULL); /* errors are not cached */
        }
        srv_response_fini(&resp);
    }
    /* API answers are never cached. */
    srv_request api = {"GET", "/v1/stats", NULL, 0, NULL, NULL, NULL, "", 0};
    srv_response resp;
    srv_response_init(&resp);
    srv_handle(f.s, &api, &resp);
    ASSERT_EQ(resp.status, 200);
    ASSERT(resp.cache == NULL);
    srv_response_fini(&resp);
    snprintf(path, sizeof path, "%s/index.html", web);
    unlink(path);
    snprintf(path, sizeof path, "%s/box.js", web);
    unlink(path);
    rmdir(web);
    unlink(beside);
    close_fx(&f);
}

static void test_cors_preflight(void)
{
    fixture f;
    open_fx(&f, NULL, NULL);
    srv_request req = {"OPTIONS", "/v1/search", NULL, 0, NULL, NULL,
                       "https://example.org", "", 0};
    srv_response resp;
    srv_response_init(&resp);
    srv_handle(f.s, &req, &resp);
    ASSERT_EQ(resp.status, 204);
    ASSERT(resp.preflight);
    ASSERT_STR_EQ(resp.cors_origin, "https://example.org");
    srv_response_fini(&resp);
    req.origin = "https://evil.example";
    srv_response_init(&resp);
    srv_handle(f.s, &req, &resp);
    ASSERT(resp.cors_origin == NULL && !resp.preflight);
    srv_response_fini(&resp);
    close_fx(&f);
}

static void test_typos(void)
{
    fixture f;
    open_fx(&f, ADMIN, NULL);
    put_docs(&f, "{\"id\":\"a1\",\"title\":\"Flashbacks after trauma\","
                 "\"body\":\"What flashbacks are.\"}\n"
                 "{\"id\":\"s1\",\"type\":\"specialist\",\"name\":\"B\","
                 "\"bio\":\"I work with flashbacks and nightmares.\"}\n");
    cJSON *j;
    /* On by default: the word is read as meant, and said so. */
    srv_param p[] = {{"q", "flashbaks"}, {"highlight", "1"}};
    ASSERT_EQ(call(&f, "GET", "/v1/search", p, 2, NULL, NULL, NULL, &j), 200);
    ASSERT_EQ(cJSON_GetObjectItem(j, "total")->valueint, 2);
    cJSON *c = cJSON_GetObjectItem(j, "corrected");
    ASSERT_STR_EQ(cJSON_GetObjectItem(c, "flashbaks")->valuestring,
                  "flashbacks");
    ASSERT_STR_EQ(cJSON_GetObjectItem(j, "did_you_mean")->valuestring,
                  "flashbacks");
    cJSON *h0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hits"), 0);
    ASSERT(strstr(cJSON_GetObjectItem(h0, "snippet")->valuestring,
                  "<mark>") != NULL);
    cJSON_Delete(j);
    /* typo=false: as typed. */
    srv_param off[] = {{"q", "flashbaks"}, {"typo", "false"}};
    ASSERT_EQ(call(&f, "GET", "/v1/search", off, 2, NULL, NULL, NULL, &j),
              200);
    ASSERT_EQ(cJSON_GetObjectItem(j, "total")->valueint, 0);
    ASSERT(cJSON_GetObjectItem(j, "corrected") == NULL);
    cJSON_Delete(j);
    /* A bad value is refused on both routes. */
    srv_param bad[] = {{"q", "flashbaks"}, {"typo", "yes"}};
    ASSERT_EQ(call(&f, "GET", "/v1/search", bad, 2, NULL, NULL, NULL, &j),
              400);
    ASSERT_STR_EQ(error_code(j), "invalid_typo");
    cJSON_Delete(j);
    ASSERT_EQ(call(&f, "GET", "/v1/match", bad, 2, NULL, NULL, NULL, &j),
              400);
    ASSERT_STR_EQ(error_code(j), "invalid_typo");
    cJSON_Delete(j);
    /* Matching mends the words before ranking specialists. */
    srv_param m[] = {{"q", "nightmres and flashbaks"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", m, 1, NULL, NULL, NULL, &j), 200);
    c = cJSON_GetObjectItem(j, "corrected");
    ASSERT_STR_EQ(cJSON_GetObjectItem(c, "nightmres")->valuestring,
                  "nightmares");
    ASSERT_STR_EQ(cJSON_GetObjectItem(c, "flashbaks")->valuestring,
                  "flashbacks");
    ASSERT_EQ(cJSON_GetObjectItem(j, "total")->valueint, 1);
    cJSON_Delete(j);
    srv_param moff[] = {{"q", "nightmres and flashbaks"}, {"typo", "false"}};
    ASSERT_EQ(call(&f, "GET", "/v1/match", moff, 2, NULL, NULL, NULL, &j),
              200);
    ASSERT(cJSON_GetObjectItem(j, "corrected") == NULL);
    ASSERT_EQ(cJSON_GetObjectItem(j, "total")->valueint, 0);
    cJSON_Delete(j);
    close_fx(&f);
}

static const t_case cases[] = {
    T(test_health_and_unknown),
    T(test_write_then_search),
    T(test_auth),
    T(test_bad_requests),
    T(test_filters_and_facets),
    T(test_match),
    T(test_match_feedback),
    T(test_crisis_block),
    T(test_static_files),
    T(test_cors_preflight),
    T(test_typos),
    {NULL, NULL},
};

T_MAIN(cases)

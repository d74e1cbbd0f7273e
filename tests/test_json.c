/* SPDX-License-Identifier: MIT */
/*
 * Tests for the json module: decoding documents of each type (with the
 * exact error code and a message naming the field for each kind of bad
 * input), encoding them back and round-tripping, splitting a .json text
 * into its top-level documents, and decoding query lines. cJSON is used
 * here only as an independent reader of the extra JSON and encoder output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "t.h"

#include "rapport/buf.h"
#include "rapport/doc.h"
#include "rapport/json.h"

/* Decodes the C string s into d with a fresh error record. */
static int dec(const char *s, rp_doc *d, rp_error *e)
{
    rp_error_clear(e);
    return rp_json_decode_doc(s, strlen(s), d, e);
}

/* Writes d's fields as "name=value|name=value" (document order) into out,
 * so a whole document's fields compare with one string. */
static void fields_str(const rp_doc *d, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->nfields; i++) {
        const rp_srcfield *src = rp_doc_srcfield(&d->fields[i]);
        ASSERT(src != NULL);
        int w = snprintf(out + n, cap - n, "%s%s=%.*s", i ? "|" : "", src->name,
                         (int)d->fields[i].len, rp_doc_value(d, &d->fields[i]));
        ASSERT(w >= 0 && (size_t)w < cap - n);
        n += (size_t)w;
    }
}

/* Asserts d has the given id, type and fields (as fields_str writes). */
static void expect_doc(const rp_doc *d, const char *id, rp_doctype type,
                       const char *fields)
{
    char got[4096];
    ASSERT_MEM_EQ(rp_doc_id(d), d->id_len, id);
    ASSERT_EQ(d->type, type);
    fields_str(d, got, sizeof got);
    ASSERT_STR_EQ(got, fields);
}

/* Parses d's extra JSON with cJSON (caller deletes); NULL if none. */
static cJSON *extra_of(const rp_doc *d)
{
    if (d->extra_len == 0)
        return NULL;
    cJSON *x = cJSON_ParseWithLength((const char *)d->bytes.data + d->extra_off,
                                     d->extra_len);
    ASSERT(x != NULL);
    ASSERT(cJSON_IsObject(x));
    return x;
}

/* Expects decoding s to fail with code, err naming want (a substring), and
 * d left without an id or fields. */
static void expect_err(const char *s, int code, const char *want)
{
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    int rc = dec(s, &d, &e);
    if (rc != code)
        T_FAIL("decoding %s: rc %d (%s), want %d (%s); msg \"%s\"", s, rc,
               rp_strerror(rc), code, rp_strerror(code), e.msg);
    ASSERT_EQ(e.code, code);
    if (want != NULL && strstr(e.msg, want) == NULL)
        T_FAIL("decoding %s: message \"%s\" does not name \"%s\"", s, e.msg,
               want);
    ASSERT_EQ(d.id_len, 0);
    ASSERT_EQ(d.nfields, 0);
    ASSERT_EQ(d.extra_len, 0);
    rp_doc_fini(&d);
}

/* Decodes s, encodes it, decodes the output and asserts both decodes
 * agree on id, type, fields and extra JSON; also that encoding is stable
 * (encode(decode(encode(x))) == encode(x)). */
static void expect_round_trip(const char *s)
{
    rp_doc a, b;
    rp_doc_init(&a);
    rp_doc_init(&b);
    rp_error e;
    int rc = dec(s, &a, &e);
    if (rc != 0)
        T_FAIL("decoding %s: %s (%s)", s, rp_strerror(rc), e.msg);
    rp_buf out1 = RP_BUF_INIT, out2 = RP_BUF_INIT;
    ASSERT_OK(rp_json_encode_doc(&a, &out1));
    rp_error_clear(&e);
    rc = rp_json_decode_doc((const char *)out1.data, out1.len, &b, &e);
    if (rc != 0)
        T_FAIL("re-decoding %.*s: %s (%s)", (int)out1.len, out1.data,
               rp_strerror(rc), e.msg);
    char fa[4096], fb[4096];
    fields_str(&a, fa, sizeof fa);
    fields_str(&b, fb, sizeof fb);
    ASSERT_STR_EQ(fa, fb);
    ASSERT_EQ(a.type, b.type);
    ASSERT_EQ(a.id_len, b.id_len);
    ASSERT(memcmp(rp_doc_id(&a), rp_doc_id(&b), a.id_len) == 0);
    ASSERT_EQ(a.extra_len, b.extra_len);
    ASSERT(a.extra_len == 0 ||
           memcmp(a.bytes.data + a.extra_off, b.bytes.data + b.extra_off,
                  a.extra_len) == 0);
    ASSERT_OK(rp_json_encode_doc(&b, &out2));
    ASSERT_EQ(out1.len, out2.len);
    ASSERT(memcmp(out1.data, out2.data, out1.len) == 0);
    rp_buf_fini(&out1);
    rp_buf_fini(&out2);
    rp_doc_fini(&a);
    rp_doc_fini(&b);
}

static void test_decode_article(void)
{
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    ASSERT_OK(dec("{\"id\":\"art-1\",\"type\":\"article\",\"title\":\"Grief\","
                  "\"summary\":\"Short\",\"body\":\"Long text\","
                  "\"tags\":[\"loss\",\"family\"],\"author\":\"A. Writer\","
                  "\"published\":\"2024-02-29\",\"url\":\"https://x.org/a\","
                  "\"lang\":\"en\"}",
                  &d, &e));
    expect_doc(&d, "art-1", RP_DOC_ARTICLE,
               "title=Grief|summary=Short|body=Long text|tags=loss|"
               "tags=family|author=A. Writer|published=2024-02-29|"
               "url=https://x.org/a|lang=en");
    ASSERT_EQ(d.extra_len, 0);
    ASSERT_EQ(e.code, 0);
    rp_doc_fini(&d);
}

static void test_decode_default_type(void)
{
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    ASSERT_OK(dec("{\"title\":\"T\",\"id\":\"a\"}", &d, &e));
    expect_doc(&d, "a", RP_DOC_ARTICLE, "title=T");
    /* The decoder resets d: a second decode replaces everything. */
    ASSERT_OK(
        dec("{\"id\":\"b\",\"type\":\"question\",\"body\":\"B\"}", &d, &e));
    expect_doc(&d, "b", RP_DOC_QUESTION, "body=B");
    ASSERT_EQ(d.extra_len, 0);
    rp_doc_fini(&d);
}

static void test_decode_beir(void)
{
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    ASSERT_OK(dec("{\"_id\":\"MED-10\",\"title\":\"Statins\","
                  "\"text\":\"Recent studies have suggested\","
                  "\"metadata\":{}}",
                  &d, &e));
    expect_doc(&d, "MED-10", RP_DOC_ARTICLE,
               "title=Statins|text=Recent studies have suggested");
    /* "text" feeds the body of an article. */
    const rp_srcfield *src = rp_doc_srcfield(&d.fields[1]);
    ASSERT_EQ(src->field, RP_F_BODY);
    cJSON *x = extra_of(&d);
    ASSERT(x != NULL);
    ASSERT(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(x, "metadata")));
    ASSERT(cJSON_GetObjectItemCaseSensitive(x, "_id") == NULL);
    cJSON_Delete(x);
    rp_doc_fini(&d);
}

static void test_decode_question(void)
{
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    ASSERT_OK(dec("{\"id\":\"q-1\",\"type\":\"question\",\"title\":\"Why?\","
                  "\"body\":\"Because\",\"tags\":[\"sleep\"],"
                  "\"answered\":false}",
                  &d, &e));
    expect_doc(&d, "q-1", RP_DOC_QUESTION,
               "title=Why?|body=Because|tags=sleep");
    cJSON *x = extra_of(&d);
    ASSERT(x != NULL);
    ASSERT(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(x, "answered")));
    cJSON_Delete(x);
    rp_doc_fini(&d);
}

static void test_decode_specialist(void)
{
    static const char doc[] =
        "{\"id\":\"sp-1\",\"type\":\"specialist\",\"name\":\"Dr Who\","
        "\"headline\":\"Therapist\",\"bio\":\"Helps\","
        "\"concerns\":[\"anxiety\",\"grief\"],\"approaches\":[\"CBT\"],"
        "\"languages\":[\"English\",\"Welsh\"],\"city\":\"Cardiff\","
        "\"country\":\"UK\",\"online\":true,\"in_person\":false,"
        "\"fee_min\":60,\"fee_max\":95.5,\"currency\":\"GBP\","
        "\"url\":\"https://x.org/s\",\"rating\":{\"stars\":4},"
        "\"badges\":[1,\"two\",null]}";
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    ASSERT_OK(dec(doc, &d, &e));
    expect_doc(&d, "sp-1", RP_DOC_SPECIALIST,
               "name=Dr Who|headline=Therapist|bio=Helps|concerns=anxiety|"
               "concerns=grief|approaches=CBT|languages=English|"
               "languages=Welsh|city=Cardiff|country=UK|currency=GBP|"
               "url=https://x.org/s");
    /* Booleans, numbers and unknown members land in the extra JSON. */
    cJSON *x = extra_of(&d);
    ASSERT(x != NULL);
    ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "online")));
    ASSERT(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(x, "in_person")));
    cJSON *n = cJSON_GetObjectItemCaseSensitive(x, "fee_min");
    ASSERT(cJSON_IsNumber(n));
    ASSERT_NEAR(n->valuedouble, 60.0, 1e-9);
    n = cJSON_GetObjectItemCaseSensitive(x, "fee_max");
    ASSERT(cJSON_IsNumber(n));
    ASSERT_NEAR(n->valuedouble, 95.5, 1e-9);
    cJSON *r = cJSON_GetObjectItemCaseSensitive(x, "rating");
    ASSERT(cJSON_IsObject(r));
    ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(r, "stars")->valueint, 4);
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(x, "badges")),
              3);
    ASSERT(cJSON_GetObjectItemCaseSensitive(x, "name") == NULL);
    ASSERT(cJSON_GetObjectItemCaseSensitive(x, "id") == NULL);
    cJSON_Delete(x);

    /* ...and come back from the encoder, with the array fields as arrays. */
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_json_encode_doc(&d, &out));
    cJSON *j = cJSON_ParseWithLength((const char *)out.data, out.len);
    ASSERT(j != NULL);
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(j, "id")->valuestring,
                  "sp-1");
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(j, "type")->valuestring,
                  "specialist");
    cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "concerns");
    ASSERT(cJSON_IsArray(c));
    ASSERT_EQ(cJSON_GetArraySize(c), 2);
    ASSERT_STR_EQ(cJSON_GetArrayItem(c, 1)->valuestring, "grief");
    ASSERT(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "approaches")));
    ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "online")));
    ASSERT(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "in_person")));
    ASSERT_NEAR(cJSON_GetObjectItemCaseSensitive(j, "fee_max")->valuedouble,
                95.5, 1e-9);
    ASSERT(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "rating")));
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(j, "city")->valuestring,
                  "Cardiff");
    ASSERT_EQ(cJSON_GetArraySize(j), 18);
    cJSON_Delete(j);
    rp_buf_fini(&out);
    rp_doc_fini(&d);
}

static void test_decode_other_type_field_is_extra(void)
{
    /* "bio" belongs to specialists: on an article it is stored, not
     * indexed, and it is not an error. Likewise "title" on a specialist. */
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    ASSERT_OK(dec("{\"id\":\"a\",\"title\":\"T\",\"bio\":\"B\","
                  "\"online\":\"maybe\"}",
                  &d, &e));
    expect_doc(&d, "a", RP_DOC_ARTICLE, "title=T");
    cJSON *x = extra_of(&d);
    ASSERT(x != NULL);
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(x, "bio")->valuestring, "B");
    /* "online" is a specialist's bool; on an article any kind is fine. */
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(x, "online")->valuestring,
                  "maybe");
    cJSON_Delete(x);
    ASSERT_OK(dec("{\"id\":\"s\",\"type\":\"specialist\",\"title\":7,"
                  "\"name\":\"N\"}",
                  &d, &e));
    expect_doc(&d, "s", RP_DOC_SPECIALIST, "name=N");
    x = extra_of(&d);
    ASSERT(x != NULL);
    ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(x, "title")->valueint, 7);
    cJSON_Delete(x);
    rp_doc_fini(&d);
}

static void test_decode_errors_id(void)
{
    expect_err("{\"title\":\"T\"}", RP_EDOC, "id");
    expect_err("{\"id\":7,\"title\":\"T\"}", RP_EDOC, "id");
    expect_err("{\"id\":null}", RP_EDOC, "id");
    expect_err("{\"id\":\"\"}", RP_EDOC, "id");
    expect_err("{\"id\":\"has space\"}", RP_EDOC, "id");
    expect_err("{\"id\":\"has/slash\"}", RP_EDOC, "id");
    expect_err("{\"id\":\"tab\\there\"}", RP_EDOC, "id");
    expect_err("{\"id\":\"caf\xc3\xa9\"}", RP_EDOC, "id");
    expect_err("{\"_id\":[\"x\"]}", RP_EDOC, "id");
    expect_err("{\"id\":\"a\",\"id\":\"b\"}", RP_EDOC, "id");

    /* 256 bytes is the longest id; 257 is one too many. */
    char doc[400], id[258];
    memset(id, 'x', 257);
    id[257] = '\0';
    snprintf(doc, sizeof doc, "{\"id\":\"%s\"}", id);
    expect_err(doc, RP_EDOC, "id");
    id[256] = '\0';
    snprintf(doc, sizeof doc, "{\"id\":\"%s\"}", id);
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    ASSERT_OK(dec(doc, &d, &e));
    ASSERT_EQ(d.id_len, 256);
    /* Printable ASCII other than '/' is fine, escaped or not. */
    ASSERT_OK(dec("{\"id\":\"a!\\\"#~\\\\\\u0041\"}", &d, &e));
    ASSERT_MEM_EQ(rp_doc_id(&d), d.id_len, "a!\"#~\\A");
    rp_doc_fini(&d);
}

static void test_decode_id_nul_escape(void)
{
    /* "\u0000" is valid JSON but a NUL is not printable ASCII, so the id
     * is invalid; it must not be silently cut to "ab" (which would replace
     * the document "ab"). */
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    int rc = dec("{\"id\":\"ab\\u0000cd\",\"title\":\"T\"}", &d, &e);
    if (rc == 0)
        T_FAIL("id \"ab\\u0000cd\" accepted as \"%.*s\"", (int)d.id_len,
               rp_doc_id(&d));
    ASSERT_EQ(rc, RP_EDOC);
    ASSERT(strstr(e.msg, "id") != NULL);
    rp_doc_fini(&d);
}

static void test_decode_field_nul_escape(void)
{
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    /* A field value with "\u0000" is either kept whole (3 bytes) or
     * rejected, never cut short at the NUL. */
    int rc = dec("{\"id\":\"a\",\"title\":\"x\\u0000y\"}", &d, &e);
    if (rc == 0) {
        ASSERT_EQ(d.nfields, 1);
        if (d.fields[0].len != 3)
            T_FAIL("title \"x\\u0000y\" stored as %u byte(s) \"%.*s\"",
                   d.fields[0].len, (int)d.fields[0].len,
                   rp_doc_value(&d, &d.fields[0]));
        ASSERT(memcmp(rp_doc_value(&d, &d.fields[0]), "x\0y", 3) == 0);
    } else {
        ASSERT_EQ(rc, RP_EDOC);
        ASSERT(strstr(e.msg, "title") != NULL);
    }
    rp_doc_fini(&d);
}

static void test_decode_errors_fields(void)
{
    expect_err("{\"id\":\"a\",\"type\":\"blog\"}", RP_EDOC, "type");
    expect_err("{\"id\":\"a\",\"type\":\"Article\"}", RP_EDOC, "type");
    expect_err("{\"id\":\"a\",\"type\":1}", RP_EDOC, "type");
    expect_err("{\"id\":\"a\",\"type\":\"article\",\"type\":\"article\"}",
               RP_EDOC, "type");
    expect_err("{\"id\":\"a\",\"title\":42}", RP_EDOC, "title");
    expect_err("{\"id\":\"a\",\"body\":null}", RP_EDOC, "body");
    expect_err("{\"id\":\"a\",\"tags\":[\"x\",3]}", RP_EDOC, "tags");
    expect_err("{\"id\":\"a\",\"tags\":\"x\"}", RP_EDOC, "tags");
    expect_err("{\"id\":\"a\",\"tags\":[[\"x\"]]}", RP_EDOC, "tags");
    expect_err("{\"id\":\"s\",\"type\":\"specialist\",\"online\":\"yes\"}",
               RP_EDOC, "online");
    expect_err("{\"id\":\"s\",\"type\":\"specialist\",\"online\":1}", RP_EDOC,
               "online");
    expect_err("{\"id\":\"s\",\"type\":\"specialist\",\"fee_min\":\"60\"}",
               RP_EDOC, "fee_min");
    expect_err("{\"id\":\"s\",\"type\":\"specialist\",\"languages\":"
               "[\"en\",false]}",
               RP_EDOC, "languages");
    expect_err("{\"id\":\"a\",\"published\":\"2024-13-01\"}", RP_EDOC,
               "published");
    expect_err("{\"id\":\"a\",\"published\":\"24-01-01\"}", RP_EDOC,
               "published");
    expect_err("{\"id\":\"a\",\"published\":\"2024-00-10\"}", RP_EDOC,
               "published");
    expect_err("{\"id\":\"a\",\"published\":\"2024-01-32\"}", RP_EDOC,
               "published");
    expect_err("{\"id\":\"a\",\"published\":\"2024-1-01\"}", RP_EDOC,
               "published");
    expect_err("{\"id\":\"a\",\"published\":\"2024-01-01T00:00\"}", RP_EDOC,
               "published");
    expect_err("{\"id\":\"a\",\"published\":20240101}", RP_EDOC, "published");
    expect_err("{\"id\":\"a\",\"title\":\"x\",\"title\":\"y\"}", RP_EDOC,
               "title");
    expect_err("{\"id\":\"s\",\"type\":\"specialist\",\"online\":true,"
               "\"online\":false}",
               RP_EDOC, "online");
    /* Not an object at all. */
    expect_err("[{\"id\":\"a\"}]", RP_EDOC, "object");
    expect_err("\"a\"", RP_EDOC, "object");
    expect_err("42", RP_EDOC, "object");
    expect_err("null", RP_EDOC, "object");
}

static void test_decode_date_calendar(void)
{
    /* A "bad date" includes days the month does not have. */
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    ASSERT_OK(dec("{\"id\":\"a\",\"published\":\"2024-02-29\"}", &d, &e));
    ASSERT_OK(dec("{\"id\":\"a\",\"published\":\"2024-12-31\"}", &d, &e));
    rp_doc_fini(&d);
    expect_err("{\"id\":\"a\",\"published\":\"2024-02-30\"}", RP_EDOC,
               "published");
    expect_err("{\"id\":\"a\",\"published\":\"2023-02-29\"}", RP_EDOC,
               "published");
    expect_err("{\"id\":\"a\",\"published\":\"2024-04-31\"}", RP_EDOC,
               "published");
}

/* Expects s to be rejected by the strict check with code at byte off. */
static void expect_syntax(const char *s, size_t len, int code, size_t off)
{
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    rp_error_clear(&e);
    int rc = rp_json_decode_doc(s, len, &d, &e);
    if (rc != code)
        T_FAIL("decoding %.*s: rc %d (%s), want %s", (int)len, s, rc,
               rp_strerror(rc), rp_strerror(code));
    ASSERT_EQ(e.code, code);
    if (e.offset != off)
        T_FAIL("decoding %.*s: offset %zu, want %zu (%s)", (int)len, s,
               e.offset, off, e.msg);
    ASSERT(e.msg[0] != '\0');
    ASSERT_EQ(d.id_len, 0);
    rp_doc_fini(&d);
}

static void test_decode_strict_json(void)
{
    /* Each of these is accepted by cJSON alone; the offset is the first
     * byte that makes the text invalid. */
    static const char lead0[] = "{\"id\":\"a\",\"fee\":01}";
    expect_syntax(lead0, strlen(lead0), RP_EJSON,
                  (size_t)(strstr(lead0, "01") - lead0));
    static const char tab[] = "{\"id\":\"a\",\"title\":\"x\ty\"}";
    expect_syntax(tab, strlen(tab), RP_EJSON,
                  (size_t)(strchr(tab, '\t') - tab));
    static const char dot[] = "{\"id\":\"a\",\"n\":2.}";
    expect_syntax(dot, strlen(dot), RP_EJSON, (size_t)(strchr(dot, '}') - dot));
    static const char nl[] = "{\"id\":\"a\",\n\"title\":\"x\ny\"}";
    expect_syntax(nl, strlen(nl), RP_EJSON, (size_t)(strrchr(nl, '\n') - nl));
    static const char trail[] = "{\"id\":\"a\"} x";
    expect_syntax(trail, strlen(trail), RP_EJSON, strlen(trail) - 1);
    static const char comma[] = "{\"id\":\"a\",}";
    expect_syntax(comma, strlen(comma), RP_EJSON, strlen(comma) - 1);
    static const char nul[] = "{\"id\":\"a\"}\0";
    expect_syntax(nul, sizeof nul - 1, RP_EJSON, sizeof nul - 2);
    expect_syntax("", 0, RP_EJSON, 0);

    /* Invalid UTF-8 inside a string: a lone continuation byte and an
     * overlong encoding. */
    static const char u1[] = "{\"id\":\"a\",\"title\":\"ab\x80\"}";
    expect_syntax(u1, strlen(u1), RP_EUTF8, (size_t)(strchr(u1, '\x80') - u1));
    static const char u2[] = "{\"id\":\"a\",\"body\":\"x\xc0\xaf\"}";
    expect_syntax(u2, strlen(u2), RP_EUTF8, (size_t)(strchr(u2, '\xc0') - u2));
}

static void test_decode_too_big(void)
{
    /* A document of exactly RP_DOC_MAX_BYTES decodes; one byte more is
     * RP_ETOOBIG, before any parsing. */
    size_t len = RP_DOC_MAX_BYTES + 1;
    char *s = malloc(len);
    ASSERT(s != NULL);
    static const char head[] = "{\"id\":\"big\",\"body\":\"";
    memcpy(s, head, sizeof head - 1);
    memset(s + sizeof head - 1, 'a', len - (sizeof head - 1) - 2);
    memcpy(s + len - 2, "\"}", 2);
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    rp_error_clear(&e);
    ASSERT_EQ(rp_json_decode_doc(s, len, &d, &e), RP_ETOOBIG);
    ASSERT_EQ(e.code, RP_ETOOBIG);
    ASSERT(e.msg[0] != '\0');
    ASSERT_EQ(d.id_len, 0);
    /* One 'a' fewer: exactly the limit. */
    memcpy(s + len - 3, "\"}", 2);
    rp_error_clear(&e);
    ASSERT_OK(rp_json_decode_doc(s, len - 1, &d, &e));
    ASSERT_EQ(d.nfields, 1);
    ASSERT_EQ(d.fields[0].len, len - 1 - (sizeof head - 1) - 2);
    rp_doc_fini(&d);
    free(s);
}

static void test_decode_failure_resets(void)
{
    /* A failed decode leaves no trace of an earlier document in d. */
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    ASSERT_OK(dec("{\"id\":\"a\",\"title\":\"T\",\"x\":1}", &d, &e));
    ASSERT_EQ(dec("{\"id\":\"b\",\"title\":\"T\",\"title\":\"U\"}", &d, &e),
              RP_EDOC);
    ASSERT_EQ(d.id_len, 0);
    ASSERT_EQ(d.nfields, 0);
    ASSERT_EQ(d.extra_len, 0);
    ASSERT_EQ(d.type, RP_DOC_NONE);
    rp_doc_fini(&d);
}

static void test_encode_escapes(void)
{
    rp_doc d;
    rp_doc_init(&d);
    rp_error e;
    ASSERT_OK(dec("{\"id\":\"q\\\"1\",\"type\":\"question\","
                  "\"title\":\"a\\\"b\\\\c\\nd\\te\\u0001f\\u00e9\\/\"}",
                  &d, &e));
    expect_doc(&d, "q\"1", RP_DOC_QUESTION,
               "title=a\"b\\c\nd\te\x01"
               "f\xc3\xa9/");
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_json_encode_doc(&d, &out));
    ASSERT_MEM_EQ(out.data, out.len,
                  "{\"id\":\"q\\\"1\",\"type\":\"question\","
                  "\"title\":\"a\\\"b\\\\c\\nd\\te\\u0001f\xc3\xa9/\"}");
    rp_buf_fini(&out);
    rp_doc_fini(&d);
}

static void test_round_trip(void)
{
    expect_round_trip("{\"id\":\"a\"}");
    expect_round_trip("{\"id\":\"a\",\"title\":\"\",\"tags\":[]}");
    expect_round_trip("{\"_id\":\"b\",\"title\":\"T\",\"text\":\"body\","
                      "\"metadata\":{\"k\":[1,2,{\"z\":null}]}}");
    expect_round_trip("{\"id\":\"q\",\"type\":\"question\",\"tags\":"
                      "[\"a\",\"b\",\"c\"],\"body\":\"x\\u2028y\\r\"}");
    expect_round_trip("{\"type\":\"specialist\",\"id\":\"s\",\"online\":true,"
                      "\"name\":\"N\",\"concerns\":[\"a\"],\"fee_min\":-1.25,"
                      "\"fee_max\":1e3,\"approaches\":[\"b\",\"c\"],"
                      "\"languages\":[\"en\"],\"extra\":\"\\u0001\"}");
    expect_round_trip("{\"id\":\"u\",\"title\":\"\xe6\x97\xa5\xe6\x9c\xac "
                      "\xf0\x9f\x98\x80\",\"bio\":\"not indexed here\"}");
}

static void test_number_out_of_range(void)
{
    /* 1e400 is valid JSON but no double holds it: cJSON would store
     * infinity and print null, so a stored document could not be decoded
     * from its own JSON. It is refused, naming the field, also inside an
     * unknown member. */
    expect_err("{\"id\":\"s\",\"type\":\"specialist\",\"fee_min\":1e400}",
               RP_EDOC, "fee_min");
    expect_err("{\"id\":\"s\",\"meta\":{\"k\":[1,-1e999]}}", RP_EDOC,
               "meta");
    expect_err("{\"id\":\"s\",\"note\":\"a\\u0000\"}", RP_EDOC, "note");
    expect_err("{\"id\":\"s\",\"tags\":[\"ok\",\"\\u0000\"]}", RP_EDOC,
               "tags");
    expect_round_trip("{\"id\":\"s\",\"note\":\"a\\\\u0000\"}");
}

static void test_round_trip_corpus(void)
{
    /* Every document of the sample corpus round-trips. */
    static const char *const files[] = {"corpus/docs/articles.jsonl",
                                        "corpus/docs/questions.jsonl",
                                        "corpus/docs/specialists.jsonl"};
    long n = 0;
    for (size_t i = 0; i < 3; i++) {
        FILE *f = fopen(files[i], "r");
        if (f == NULL)
            T_SKIP("%s not found (run from the repository root)", files[i]);
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
            if (len <= 1)
                continue;
            line[len - 1] = line[len - 1] == '\n' ? '\0' : line[len - 1];
            expect_round_trip(line);
            n++;
        }
        free(line);
        fclose(f);
    }
    ASSERT(n > 10);
}

/* Records each element and its line. */
typedef struct elems {
    int n;
    char text[8][128];
    long line[8];
    int stop_at; /* return 99 on this call (1-based); 0: never */
} elems;

static int on_elem(void *ctx, const char *elem, size_t len, long line)
{
    elems *el = ctx;
    ASSERT(el->n < 8);
    ASSERT(len < sizeof el->text[0]);
    memcpy(el->text[el->n], elem, len);
    el->text[el->n][len] = '\0';
    el->line[el->n] = line;
    el->n++;
    return el->n == el->stop_at ? 99 : 0;
}

static int split(const char *s, elems *el, rp_error *e)
{
    memset(el->text, 0, sizeof el->text);
    el->n = 0;
    rp_error_clear(e);
    return rp_json_elements(s, strlen(s), on_elem, el, e);
}

static void test_elements_object(void)
{
    elems el = {0};
    rp_error e;
    ASSERT_OK(split("\n\n  {\"id\":\"a\",\n\"n\":[1,2]}\n", &el, &e));
    ASSERT_EQ(el.n, 1);
    ASSERT_EQ(el.line[0], 3);
    ASSERT(strncmp(el.text[0], "{\"id\":\"a\",\n\"n\":[1,2]}", 21) == 0);
    /* The element must decode as a document. */
    rp_doc d;
    rp_doc_init(&d);
    ASSERT_OK(rp_json_decode_doc(el.text[0], strlen(el.text[0]), &d, &e));
    ASSERT_MEM_EQ(rp_doc_id(&d), d.id_len, "a");
    rp_doc_fini(&d);
}

static void test_elements_array(void)
{
    elems el = {0};
    rp_error e;
    ASSERT_OK(split("[\n"
                    "  {\"id\": \"a\"},\n"
                    "  {\"id\": \"b\",\n"
                    "   \"title\": \"B\"}\n"
                    "  ,\n"
                    "\n"
                    "  {\"id\": \"c\"}\n"
                    "]\n",
                    &el, &e));
    ASSERT_EQ(el.n, 3);
    ASSERT_STR_EQ(el.text[0], "{\"id\": \"a\"}");
    ASSERT_STR_EQ(el.text[1], "{\"id\": \"b\",\n   \"title\": \"B\"}");
    ASSERT_STR_EQ(el.text[2], "{\"id\": \"c\"}");
    ASSERT_EQ(el.line[0], 2);
    ASSERT_EQ(el.line[1], 3);
    ASSERT_EQ(el.line[2], 7);
    /* Elements on one line share it. */
    ASSERT_OK(split("[{\"id\":\"x\"},{\"id\":\"y\"}]", &el, &e));
    ASSERT_EQ(el.n, 2);
    ASSERT_EQ(el.line[0], 1);
    ASSERT_EQ(el.line[1], 1);
    ASSERT_STR_EQ(el.text[1], "{\"id\":\"y\"}");
    /* An empty array has no documents. */
    ASSERT_OK(split(" [ \n ] ", &el, &e));
    ASSERT_EQ(el.n, 0);
}

static void test_elements_tricky(void)
{
    elems el = {0};
    rp_error e;
    ASSERT_OK(split("[{\"a\":[1,[2,{\"b\":\"]}\"}]],\"s\":\"x],}{\\\"y\\\\\"},"
                    "\"str, ] } \\\" [\",-1.5e3,[[],{}],true,null,"
                    "{\"k\":\"\\\\\"},\"\\\\\"]",
                    &el, &e));
    ASSERT_EQ(el.n, 8);
    ASSERT_STR_EQ(el.text[0],
                  "{\"a\":[1,[2,{\"b\":\"]}\"}]],\"s\":\"x],}{\\\"y\\\\\"}");
    ASSERT_STR_EQ(el.text[1], "\"str, ] } \\\" [\"");
    ASSERT_STR_EQ(el.text[2], "-1.5e3");
    ASSERT_STR_EQ(el.text[3], "[[],{}]");
    ASSERT_STR_EQ(el.text[4], "true");
    ASSERT_STR_EQ(el.text[5], "null");
    ASSERT_STR_EQ(el.text[6], "{\"k\":\"\\\\\"}");
    ASSERT_STR_EQ(el.text[7], "\"\\\\\"");
    /* A number last before ']' with no space, and whitespace around. */
    ASSERT_OK(split("[ 1 ,2\t,\r\n3]", &el, &e));
    ASSERT_EQ(el.n, 3);
    ASSERT_STR_EQ(el.text[0], "1");
    ASSERT_STR_EQ(el.text[1], "2");
    ASSERT_STR_EQ(el.text[2], "3");
    ASSERT_EQ(el.line[2], 2);
}

static void test_elements_errors(void)
{
    elems el = {0};
    rp_error e;
    ASSERT_EQ(split("[{\"id\":\"a\"},{\"id\":\"b\"", &el, &e), RP_EJSON);
    ASSERT_EQ(e.code, RP_EJSON);
    ASSERT_EQ(el.n, 0); /* a failed check calls back for nothing */
    ASSERT_EQ(split("[{\"id\":\"a\"},]", &el, &e), RP_EJSON);
    ASSERT_EQ(el.n, 0);
    ASSERT_EQ(split("[{\"id\":\"a\"}]\n[]", &el, &e), RP_EJSON);
    ASSERT_EQ(el.n, 0);
    ASSERT_EQ(split("{\"id\":01}", &el, &e), RP_EJSON);
    ASSERT_EQ(e.offset, 6);
    ASSERT_EQ(split("", &el, &e), RP_EJSON);
    ASSERT_EQ(split("  \n ", &el, &e), RP_EJSON);
    ASSERT_EQ(split("[\"\xff\"]", &el, &e), RP_EUTF8);
    ASSERT_EQ(e.offset, 2);
    ASSERT_EQ(el.n, 0);
    /* Too deep for the nesting limit. */
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    ASSERT_EQ(rp_json_elements(deep, sizeof deep, on_elem, &el, &e), RP_ELIMIT);
    ASSERT_EQ(el.n, 0);
    /* The callback's non-zero value stops the walk and is returned. */
    el.stop_at = 2;
    ASSERT_EQ(split("[1,2,3]", &el, &e), 99);
    ASSERT_EQ(el.n, 2);
}

static void test_decode_query(void)
{
    rp_buf id = RP_BUF_INIT, text = RP_BUF_INIT;
    rp_error e;
    rp_error_clear(&e);
    static const char q1[] = "{\"id\":\"q1\",\"text\":\"sleep \\\"loss\\\"\"}";
    ASSERT_OK(rp_json_decode_query(q1, strlen(q1), &id, &text, &e));
    ASSERT_MEM_EQ(id.data, id.len, "q1");
    ASSERT_MEM_EQ(text.data, text.len, "sleep \"loss\"");
    /* BEIR's "_id", extra members ignored, and output is appended. */
    static const char q2[] = "{\"_id\":\"PLAIN-3\",\"metadata\":{\"a\":1},"
                             "\"text\":\"grief\"}";
    ASSERT_OK(rp_json_decode_query(q2, strlen(q2), &id, &text, &e));
    ASSERT_MEM_EQ(id.data, id.len, "q1PLAIN-3");
    ASSERT_MEM_EQ(text.data, text.len, "sleep \"loss\"grief");
    static const char *const bad[] = {
        "{\"id\":\"q3\"}",
        "{\"text\":\"x\"}",
        "{\"id\":3,\"text\":\"x\"}",
        "{\"id\":\"q\",\"text\":[\"x\"]}",
        "[\"q\",\"x\"]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        id.len = text.len = 0;
        rp_error_clear(&e);
        int rc = rp_json_decode_query(bad[i], strlen(bad[i]), &id, &text, &e);
        if (rc != RP_EDOC)
            T_FAIL("%s: rc %d (%s), want RP_EDOC", bad[i], rc, rp_strerror(rc));
        ASSERT_EQ(e.code, RP_EDOC);
        ASSERT(e.msg[0] != '\0');
    }
    rp_error_clear(&e);
    static const char q4[] = "{\"id\":\"q\",\"text\":\"a\",}";
    ASSERT_EQ(rp_json_decode_query(q4, strlen(q4), &id, &text, &e), RP_EJSON);
    ASSERT_EQ(e.offset, strlen(q4) - 1);
    rp_error_clear(&e);
    static const char q5[] = "{\"id\":\"q\",\"text\":\"\xe2\x82\"}";
    ASSERT_EQ(rp_json_decode_query(q5, strlen(q5), &id, &text, &e), RP_EUTF8);
    rp_buf_fini(&id);
    rp_buf_fini(&text);
}

static void test_put_string(void)
{
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_buf_puts(&out, "x"));
    ASSERT_OK(rp_json_put_string(&out, "a\"\\\n\r\t\x01\x1f\x7f/\0z", 12));
    ASSERT_MEM_EQ(out.data, out.len,
                  "x\"a\\\"\\\\\\n\\r\\t\\u0001\\u001f\x7f/\\u0000z\"");
    out.len = 0;
    ASSERT_OK(rp_json_put_string(&out, "", 0));
    ASSERT_MEM_EQ(out.data, out.len, "\"\"");
    rp_buf_fini(&out);
}

static int on_filter(void *ctx, int facet, const char *values, size_t len)
{
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 256 - n, "%s=%.*s;", rp_schema_facet_name(facet),
             (int)len, values);
    return 0;
}

/* Filters written in query lines: strings, arrays and booleans, joined
 * with commas; unknown names and other kinds refused. */
static void test_query_filters(void)
{
    char out[256] = "";
    rp_error e;
    rp_error_clear(&e);
    const char *q = "{\"id\":\"m1\",\"query\":\"x\",\"filters\":"
                    "{\"languages\":[\"Spanish\",\"Catalan\"],"
                    "\"online\":true,\"city\":\"Berlin\"}}";
    ASSERT_OK(rp_json_query_filters(q, strlen(q), on_filter, out, &e));
    ASSERT_STR_EQ(out, "languages=Spanish,Catalan;online=true;city=Berlin;");
    out[0] = '\0';
    const char *none = "{\"id\":\"m1\",\"query\":\"x\",\"filters\":{}}";
    ASSERT_OK(rp_json_query_filters(none, strlen(none), on_filter, out, &e));
    ASSERT_OK(rp_json_query_filters("{}", 2, on_filter, out, &e));
    ASSERT_STR_EQ(out, "");
    static const struct {
        const char *line;
        int code;
        const char *says;
    } bad[] = {
        {"{\"filters\":{\"colour\":\"red\"}}", RP_EDOC,
         "unknown filter \"colour\""},
        {"{\"filters\":{\"languages\":[1]}}", RP_EDOC, "takes a string"},
        {"{\"filters\":{\"online\":null}}", RP_EDOC, "takes a string"},
        {"{\"filters\":[]}", RP_EDOC, "must be an object"},
        {"{\"filters\":", RP_EJSON, "not a JSON line"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rp_error_clear(&e);
        int rc = rp_json_query_filters(bad[i].line, strlen(bad[i].line),
                                       on_filter, out, &e);
        if (rc != bad[i].code || strstr(e.msg, bad[i].says) == NULL)
            T_FAIL("case %zu: rc %d, '%s'", i, rc, e.msg);
    }
}

static const t_case cases[] = {
    T(test_query_filters),
    T(test_decode_article),
    T(test_decode_default_type),
    T(test_decode_beir),
    T(test_decode_question),
    T(test_decode_specialist),
    T(test_decode_other_type_field_is_extra),
    T(test_decode_errors_id),
    T(test_decode_id_nul_escape),
    T(test_decode_field_nul_escape),
    T(test_decode_errors_fields),
    T(test_decode_date_calendar),
    T(test_decode_strict_json),
    T(test_decode_too_big),
    T(test_decode_failure_resets),
    T(test_encode_escapes),
    T(test_round_trip),
    T(test_number_out_of_range),
    T(test_round_trip_corpus),
    T(test_elements_object),
    T(test_elements_array),
    T(test_elements_tricky),
    T(test_elements_errors),
    T(test_decode_query),
    T(test_put_string),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * test_jsonflat: the direct decoder of flat documents against the general
 * (cJSON) decoder. Every text it takes must give the very record the
 * general decoder gives; every text outside its shape must be declined
 * with the document left empty, so the general decoder words the error.
 */
#include "t.h"

#include <string.h>

#include "../src/internal.h"
#include "rapport/doc.h"
#include "rapport/jsoncheck.h"
#include "rapport/json.h"

/* Decodes text both ways; returns what the direct decoder returned and,
 * when it took the text, checks both records are equal. */
static int both_ways(const char *text)
{
    size_t len = strlen(text);
    if (rp_json_check(text, len, RP_JSON_MAX_DEPTH, NULL) != 0)
        T_FAIL("not valid JSON: %s", text);
    rp_doc flat, general;
    rp_doc_init(&flat);
    rp_doc_init(&general);
    int got = rp__json_decode_flat(text, len, &flat);
    if (got == 1) {
        rp_error err;
        rp_error_clear(&err);
        int rc = rp__json_decode_general(text, len, &general, &err);
        if (rc != 0)
            T_FAIL("direct decoder took what the general one refuses (%s): "
                   "%s",
                   err.msg, text);
        rp_buf a, b;
        rp_buf_init(&a);
        rp_buf_init(&b);
        ASSERT_EQ(rp_doc_encode(&flat, &a), 0);
        ASSERT_EQ(rp_doc_encode(&general, &b), 0);
        if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
            T_FAIL("records differ for: %s", text);
        rp_buf_fini(&a);
        rp_buf_fini(&b);
    } else {
        ASSERT_EQ(got, 0);
        ASSERT_EQ(flat.nfields, 0);
        ASSERT_EQ(flat.bytes.len, 0);
        ASSERT_EQ(flat.id_len, 0);
    }
    rp_doc_fini(&flat);
    rp_doc_fini(&general);
    return got;
}

static void test_takes_flat_documents(void)
{
    static const char *const docs[] = {
        "{\"id\":\"a\"}",
        "{\"_id\":\"12-1\",\"title\":\"Anarchism\",\"text\":\"A political "
        "philosophy.\"}",
        " { \"id\" : \"a\" , \"title\" : \"T\" , \"body\" : \"B\" } \n",
        "{\"title\":\"before the id\",\"id\":\"x\"}",
        "{\"id\":\"q1\",\"type\":\"question\",\"title\":\"t\",\"body\":\"b\","
        "\"tags\":[\"grief\",\"loss\"]}",
        "{\"tags\":[ ],\"id\":\"e\"}",
        "{\"id\":\"e\",\"tags\":[\n\"a\" ,\n \"b\"\n]}",
        "{\"name\":\"Dr A\",\"type\":\"specialist\",\"id\":\"s1\","
        "\"concerns\":[\"anxiety\",\"trauma\"],\"approaches\":[\"CBT\"],"
        "\"languages\":[\"en\",\"fr\"],\"city\":\"Lyon\",\"bio\":\"b\"}",
        "{\"id\":\"d\",\"published\":\"2024-02-29\",\"author\":\"me\"}",
        "{\"id\":\"u\",\"title\":\"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u0041\"}",
        "{\"id\":\"u\",\"title\":\"caf\xc3\xa9 raw \xe2\x82\xac\"}",
        "{\"id\":\"esc\",\"body\":\"q\\\" bs\\\\ sl\\/ \\b\\f\\n\\r\\t end\"}",
        "{\"id\":\"esc2\",\"body\":\"ends in a backslash \\\\\"}",
        "{\"id\":\"esc3\",\"body\":\"\\\\\\\"\",\"title\":\"\"}",
        "{\"id\":\"ok\\u0041\"}",
        "{\"id\":\"x\",\"type\":\"art\\u0069cle\",\"summary\":\"s\"}",
        "{\"id\":\"x\",\"url\":\"https://example.org/a?b=c\",\"lang\":\"en\"}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        if (both_ways(docs[i]) != 1)
            T_FAIL("declined a flat document: %s", docs[i]);
}

static void test_declines_the_rest(void)
{
    static const char *const docs[] = {
        "[]",
        "\"a\"",
        "{}",
        "{\"title\":\"no id\"}",
        "{\"id\":5}",
        "{\"id\":\"a\",\"online\":true}",
        "{\"id\":\"a\",\"fee_min\":40}",
        "{\"id\":\"a\",\"title\":null}",
        "{\"id\":\"a\",\"extra\":\"unknown member\"}",
        "{\"id\":\"a\",\"meta\":{\"k\":\"v\"}}",
        "{\"id\":\"a\",\"title\":\"x\",\"title\":\"y\"}",
        "{\"id\":\"a\",\"_id\":\"b\"}",
        "{\"id\":\"a\",\"id\":\"a\"}",
        "{\"id\":\"a\",\"type\":\"question\",\"type\":\"question\"}",
        "{\"id\":\"has space\"}",
        "{\"id\":\"a/b\"}",
        "{\"id\":\"\"}",
        "{\"id\":\"a\\/b\"}",
        "{\"id\":\"a\",\"body\":\"nul \\u0000 inside\"}",
        "{\"i\\u0064\":\"a\"}",
        "{\"id\":\"a\",\"published\":\"2023-02-29\"}",
        "{\"id\":\"a\",\"published\":\"29/02/2024\"}",
        "{\"id\":\"a\",\"type\":\"podcast\"}",
        "{\"id\":\"a\",\"type\":[\"article\"]}",
        "{\"id\":[\"a\"]}",
        "{\"id\":\"a\",\"title\":[\"x\"]}",
        "{\"id\":\"a\",\"tags\":\"x\"}",
        "{\"id\":\"a\",\"tags\":[\"x\",1]}",
        "{\"id\":\"a\",\"tags\":[[\"x\"]]}",
        "{\"id\":\"a\",\"name\":\"an article has no name\"}",
        "{\"id\":\"s\",\"type\":\"specialist\",\"title\":\"nor a title\"}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        if (both_ways(docs[i]) != 0)
            T_FAIL("took what is not its shape: %s", docs[i]);

    /* More members than it looks at. */
    char big[2048] = "{\"id\":\"many\"";
    for (int k = 0; k < 40; k++)
        strcat(big, ",\"tags\":[]");
    strcat(big, "}");
    ASSERT_EQ(both_ways(big), 0);
}

/* Appends a random string body: plain ASCII, raw UTF-8, and each kind of
 * escape, including surrogate pairs and escaped backslashes next to the
 * closing quote. */
static void random_string(uint64_t *rng, char *out, size_t *o)
{
    static const char *const pieces[] = {
        "a",       "word ",   "\\\"",    "\\\\",       "\\/",
        "\\n",     "\\t",     "\\r",     "\\b",        "\\f",
        "\\u00e9", "\\u0041", "\\u20AC", "\\ud83d\\ude00", "\xc3\xa9",
        "\xe2\x80\x99", "\xf0\x9f\x98\x80", " ", "post-traumatic", "'"};
    int n = (int)(t_rand(rng) % 12);
    for (int k = 0; k < n; k++) {
        const char *p = pieces[t_rand(rng) % (sizeof pieces / sizeof *pieces)];
        size_t l = strlen(p);
        memcpy(out + *o, p, l);
        *o += l;
    }
}

static void put(char *out, size_t *o, const char *s)
{
    size_t l = strlen(s);
    memcpy(out + *o, s, l);
    *o += l;
}

/* Random flat documents of every type, in random member order, with
 * random whitespace: each must be taken, and give the general decoder's
 * record. */
static void test_random_equals_general(void)
{
    static const char *const types[] = {"article", "question", "specialist"};
    static const char *const ws[] = {"", " ", "\n", "\t ", "\r\n"};
    uint64_t rng = 42;
    size_t nsrc;
    const rp_srcfield *table = rp_schema_srcfields(&nsrc);
    for (int iter = 0; iter < 3000; iter++) {
        char text[8192];
        size_t o = 0;
        int t = (int)(t_rand(&rng) % 3);
        rp_doctype dt = rp_schema_doctype(types[t], strlen(types[t]));
        put(text, &o, "{");
        put(text, &o, ws[t_rand(&rng) % 5]);
        put(text, &o, "\"id\":\"doc-");
        o += (size_t)sprintf(text + o, "%d\"", iter);
        if (t_rand(&rng) % 4 != 0) {
            put(text, &o, ",\"type\"");
            put(text, &o, ws[t_rand(&rng) % 5]);
            put(text, &o, ":\"");
            put(text, &o, types[t]);
            put(text, &o, "\"");
        } else {
            dt = RP_DOC_ARTICLE;
            t = 0;
        }
        for (size_t k = 0; k < nsrc; k++) {
            const rp_srcfield *f = &table[k];
            if (rp_schema_srcfield(dt, f->name, strlen(f->name)) != f ||
                t_rand(&rng) % 2)
                continue;
            if (f->kind == RP_SRC_TEXT || f->kind == RP_SRC_STRING) {
                put(text, &o, ",\"");
                put(text, &o, f->name);
                put(text, &o, "\":");
                put(text, &o, ws[t_rand(&rng) % 5]);
                put(text, &o, "\"");
                random_string(&rng, text, &o);
                put(text, &o, "\"");
            } else if (f->kind == RP_SRC_TEXT_ARRAY) {
                put(text, &o, ",\"");
                put(text, &o, f->name);
                put(text, &o, "\":[");
                int n = (int)(t_rand(&rng) % 4);
                for (int e = 0; e < n; e++) {
                    put(text, &o, e ? "," : "");
                    put(text, &o, ws[t_rand(&rng) % 5]);
                    put(text, &o, "\"");
                    random_string(&rng, text, &o);
                    put(text, &o, "\"");
                }
                put(text, &o, ws[t_rand(&rng) % 5]);
                put(text, &o, "]");
            } else if (f->kind == RP_SRC_DATE) {
                put(text, &o, ",\"");
                put(text, &o, f->name);
                put(text, &o, "\":\"2020-01-31\"");
            }
        }
        put(text, &o, ws[t_rand(&rng) % 5]);
        put(text, &o, "}");
        text[o] = '\0';
        if (both_ways(text) != 1)
            T_FAIL("declined: %s", text);
    }
}

static const t_case cases[] = {
    T(test_takes_flat_documents),
    T(test_declines_the_rest),
    T(test_random_equals_general),
    {NULL, NULL},
};

T_MAIN(cases)

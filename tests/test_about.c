/* SPDX-License-Identifier: MIT */
/*
 * test_about: what a document is about. Its text is title and summary
 * (or name and headline), with the start of the body only when one of
 * them is missing, cut at a space; its concepts are its tags (by id or
 * label, any case) and the concepts whose phrases occur within one of its
 * indexed fields, never across two.
 */
#include "t.h"

#include <string.h>

#include "rapport/about.h"
#include "rapport/json.h"

static void decode(const char *json, rp_doc *d)
{
    rp_error err;
    rp_error_clear(&err);
    if (rp_json_decode_doc(json, strlen(json), d, &err) != 0)
        T_FAIL("decode: %s", err.msg);
}

static const char *text_of(const char *json)
{
    static char out[2048];
    rp_doc d;
    rp_doc_init(&d);
    decode(json, &d);
    rp_buf b = RP_BUF_INIT;
    ASSERT_OK(rp_about_text(&d, &b));
    ASSERT(b.len < sizeof out);
    if (b.len)
        memcpy(out, b.data, b.len);
    out[b.len] = '\0';
    rp_buf_fini(&b);
    rp_doc_fini(&d);
    return out;
}

static void test_text(void)
{
    ASSERT_STR_EQ(text_of("{\"id\":\"a\",\"title\":\"T\",\"summary\":\"S\","
                          "\"body\":\"B\"}"),
                  "T\nS\n");
    ASSERT_STR_EQ(text_of("{\"id\":\"s\",\"type\":\"specialist\","
                          "\"name\":\"N\",\"headline\":\"H\",\"bio\":\"B\"}"),
                  "N\nH\n");
    ASSERT_STR_EQ(text_of("{\"id\":\"q\",\"type\":\"question\","
                          "\"title\":\"T\",\"body\":\"the body\"}"),
                  "T\nthe body");
    /* A long body is cut at a space before 600 bytes. */
    static char json[4096];
    char body[1500];
    for (size_t i = 0; i < sizeof body - 1; i++)
        body[i] = i % 10 == 9 ? ' ' : 'x';
    body[sizeof body - 1] = '\0';
    snprintf(json, sizeof json,
             "{\"id\":\"q\",\"type\":\"question\",\"title\":\"T\","
             "\"body\":\"%s\"}",
             body);
    const char *t = text_of(json);
    ASSERT(strlen(t) <= 2 + 600);
    ASSERT(strlen(t) > 2 + 500);
    ASSERT(t[strlen(t) - 1] == 'x');
    /* Without spaces the cut falls on newlines; without any white space,
     * on a character boundary. */
    for (size_t i = 0; i < sizeof body - 1; i++)
        body[i] = i % 10 == 9 ? '\n' : 'x';
    snprintf(json, sizeof json,
             "{\"id\":\"q\",\"type\":\"question\",\"title\":\"T\","
             "\"body\":\"%s\"}",
             body);
    char *raw = strchr(json, '\n'); /* JSON wants \n escaped */
    ASSERT(raw != NULL);
    rp_buf esc = RP_BUF_INIT;
    for (const char *c = json; *c; c++)
        ASSERT_OK(*c == '\n' ? rp_buf_puts(&esc, "\\n")
                              : rp_buf_append(&esc, c, 1));
    ASSERT_OK(rp_buf_append(&esc, "", 1));
    t = text_of((const char *)esc.data);
    rp_buf_fini(&esc);
    ASSERT(strlen(t) > 2 + 500 && strlen(t) <= 2 + 600);
    static char cjk[4096];
    size_t n = (size_t)snprintf(cjk, sizeof cjk,
                                "{\"id\":\"q\",\"type\":\"question\","
                                "\"title\":\"T\",\"body\":\"a");
    for (int k = 0; k < 400; k++) /* U+4E2D, three bytes each */
        n += (size_t)snprintf(cjk + n, sizeof cjk - n, "\xe4\xb8\xad");
    snprintf(cjk + n, sizeof cjk - n, "\"}");
    t = text_of(cjk);
    /* Byte 600 is the last byte of a character: the cut backs off to 598,
     * where one begins. */
    ASSERT_EQ(strlen(t), 2 + 598);
    ASSERT_STR_EQ(text_of("{\"id\":\"a\"}"), "");
}

typedef struct got {
    char text[256];
    const rp_vocab *v;
} got;

static int on_concept(void *ctx, size_t c, unsigned how)
{
    got *g = ctx;
    size_t n = strlen(g->text);
    snprintf(g->text + n, sizeof g->text - n, "%s:%s%s ", rp_vocab_id(g->v, c),
             how & RP_ABOUT_TAGGED ? "T" : "", how & RP_ABOUT_MENTIONED ? "M" : "");
    return 0;
}

static void test_concepts(void)
{
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_vocab *v;
    ASSERT_OK(rp_vocab_new(an, &v));
    const char *grief[] = {"grief", "lost my mother"};
    const char *ocd[] = {"OCD", "checking the stove"};
    const char *sleep[] = {"sleep", "lying awake"};
    ASSERT_OK(rp_vocab_add_concept(v, 0, "grief", "Grief", "grief", grief, 2,
                                   NULL, 0));
    ASSERT_OK(rp_vocab_add_concept(v, 0, "ocd", "OCD", "ocd", ocd, 2, NULL,
                                   0));
    ASSERT_OK(rp_vocab_add_concept(v, 0, "sleep", "Sleep", "sleep", sleep, 2,
                                   NULL, 0));
    ASSERT_OK(rp_vocab_resolve(v));
    rp_doc d;
    rp_doc_init(&d);
    /* Tagged grief (by label, in capitals) and mentioned in the body;
     * "checking the" ends the title and "stove" starts the summary: no
     * OCD; sleep is neither. */
    decode("{\"id\":\"a\",\"title\":\"Always checking the\","
           "\"summary\":\"stove at night\",\"tags\":[\"GRIEF\",\"unknown\"],"
           "\"body\":\"Since I lost my mother, grief.\"}",
           &d);
    got g = {"", v};
    ASSERT_OK(rp_about_concepts(v, an, &d, on_concept, &g));
    ASSERT_STR_EQ(g.text, "grief:TM ");
    rp_doc_fini(&d);
    rp_doc_init(&d);
    decode("{\"id\":\"s\",\"type\":\"specialist\",\"name\":\"N\","
           "\"bio\":\"Clients who keep checking the stove.\","
           "\"concerns\":[\"sleep\"]}",
           &d);
    memset(g.text, 0, sizeof g.text);
    ASSERT_OK(rp_about_concepts(v, an, &d, on_concept, &g));
    /* A concern is a tag, and indexed text too: "sleep" mentions it. */
    ASSERT_STR_EQ(g.text, "ocd:M sleep:TM ");
    rp_doc_fini(&d);
    rp_vocab_free(v);
    rp_analyzer_free(an);
}

static const t_case cases[] = {
    T(test_text),
    T(test_concepts),
    {NULL, NULL},
};

T_MAIN(cases)

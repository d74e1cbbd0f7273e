/* SPDX-License-Identifier: MIT */
/*
 * test_crisis: crisis detection and its configuration. Over the project's
 * corpus/crisis.json: every trigger is found inside an ordinary sentence,
 * every not-trigger alone is not a crisis, visitors' words from the
 * judged queries are recognised, everyday phrases that share a word with
 * a trigger are not; the block is JSON with every resource. Over small
 * configurations: stop words count, a not-trigger clears only the
 * occurrences it covers, and every kind of bad file is refused with a
 * message naming the problem.
 */
#include "t.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "rapport/crisis.h"

static int detect(const rp_crisis *c, rp_analyzer *an, const char *text)
{
    int hit = -1;
    ASSERT_OK(rp_crisis_detect(c, an, text, strlen(text), &hit));
    return hit;
}

static rp_crisis *load(rp_analyzer *an, const char *json)
{
    rp_crisis *c = NULL;
    rp_error err;
    rp_error_clear(&err);
    int rc = rp_crisis_load(an, json, strlen(json), &c, &err);
    if (rc != 0)
        T_FAIL("load: %s", err.msg);
    return c;
}

static const char mini[] =
    "{\"triggers\": [\"kill myself\", \"I'm not safe\", \"suicide\"],"
    " \"not_triggers\": [\"suicide prevention\"],"
    " \"message\": \"Please reach out.\","
    " \"resources\": [{\"name\": \"Line\", \"contact\": \"Call 1\"}]}";

static void test_small_configuration(void)
{
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_crisis *c = load(an, mini);
    ASSERT_EQ(rp_crisis_ntriggers(c), 3);
    ASSERT_EQ(rp_crisis_nexceptions(c), 1);
    ASSERT_EQ(detect(c, an, "some days I want to kill myself"), 1);
    ASSERT_EQ(detect(c, an, "KILLING MYSELF"), 1); /* stemmed, any case */
    ASSERT_EQ(detect(c, an, "tonight I'm not safe"), 1);
    /* Stop words count: "safe" alone is not "I'm not safe". */
    ASSERT_EQ(detect(c, an, "how to feel safe again"), 0);
    ASSERT_EQ(detect(c, an, "myself, I would kill for a holiday"), 0);
    /* A not-trigger covers its own occurrence of a trigger only. */
    ASSERT_EQ(detect(c, an, "suicide prevention courses"), 0);
    ASSERT_EQ(detect(c, an, "suicide prevention did not stop my "
                            "thoughts of suicide"),
              1);
    ASSERT_EQ(detect(c, an, ""), 0);
    /* Text that cannot be read is not cleared. */
    int hit = 0;
    ASSERT_EQ(rp_crisis_detect(c, an, "bad \xff byte", 10, &hit), RP_EUTF8);
    ASSERT_EQ(hit, 1);
    /* A trigger far into a long text is found. */
    static char text[30000];
    size_t n = 0;
    for (int k = 0; k < 2000; k++)
        n += (size_t)snprintf(text + n, sizeof text - n, "calm ");
    snprintf(text + n, sizeof text - n, "and then suicide");
    ASSERT_EQ(detect(c, an, text), 1);
    size_t len;
    const char *block = rp_crisis_block(c, &len);
    ASSERT_STR_EQ(block, "{\"message\":\"Please reach out.\",\"resources\":"
                         "[{\"name\":\"Line\",\"contact\":\"Call 1\"}]}");
    ASSERT_EQ(len, strlen(block));
    rp_crisis_free(c);
    rp_crisis_free(NULL);
    rp_analyzer_free(an);
}

/* Each bad configuration fails with its code and a message naming it. */
static void test_bad_configuration(void)
{
    static const struct {
        const char *json;
        int code;
        const char *says;
    } bad[] = {
        {"{\"triggers\": [", RP_EJSON, "not valid JSON"},
        {"[]", RP_EDOC, "must be a JSON object"},
        {"{\"message\": \"m\", \"resources\": [{\"name\": \"n\", "
         "\"contact\": \"c\"}]}",
         RP_EDOC, "\"triggers\" must be a non-empty array"},
        {"{\"triggers\": [], \"message\": \"m\"}", RP_EDOC,
         "\"triggers\" must be a non-empty array"},
        {"{\"triggers\": [\"suicide\", 7]}", RP_EDOC,
         "\"triggers\"[1] must be a string"},
        {"{\"triggers\": [\"!!\", \"\"], \"message\": \"m\"}", RP_EDOC,
         "\"triggers\" has no words"},
        {"{\"triggers\": [\"x\"], \"not_triggers\": {}}", RP_EDOC,
         "\"not_triggers\" must be an array"},
        {"{\"triggers\": [\"x\"], \"not_triggers\": [\"w1 w2 w3 w4 w5 w6 w7 "
         "w8 w9 w10 w11 w12 w13 w14 w15 w16 w17\"]}",
         RP_ELIMIT, "\"not_triggers\"[0]"},
        {"{\"triggers\": [\"x\"], \"resources\": []}", RP_EDOC,
         "\"message\" must be a non-empty string"},
        {"{\"triggers\": [\"x\"], \"message\": \"m\"}", RP_EDOC,
         "\"resources\" must be a non-empty array"},
        {"{\"triggers\": [\"x\"], \"message\": \"m\", \"resources\": "
         "[{\"name\": \"n\"}]}",
         RP_EDOC, "\"resources\"[0] needs a \"name\" and a \"contact\""},
        {"{\"triggers\": [\"x\"], \"message\": \"m\", \"resources\": "
         "[{\"name\": \"n\", \"contact\": \"c\", \"url\": 3}]}",
         RP_EDOC, "\"resources\"[0].url must be a string"},
    };
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rp_crisis *c = (rp_crisis *)&c;
        rp_error err;
        rp_error_clear(&err);
        int rc = rp_crisis_load(an, bad[i].json, strlen(bad[i].json), &c,
                                &err);
        if (rc != bad[i].code || c != NULL ||
            strstr(err.msg, bad[i].says) == NULL)
            T_FAIL("case %zu: rc %d, message '%s'", i, rc, err.msg);
    }
    rp_analyzer_free(an);
}

static void test_project_configuration(void)
{
    rp_buf file;
    t_repo_file("corpus/crisis.json", &file);
    const char *text = (const char *)file.data;
    size_t len = file.len;
    rp_analyzer *an;
    ASSERT_OK(rp_analyzer_new("english", &an));
    rp_crisis *c = load(an, text);
    cJSON *root = cJSON_ParseWithLength(text, len);
    ASSERT(root != NULL);
    const cJSON *it;
    char sentence[512];
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "triggers"))
    {
        snprintf(sentence, sizeof sentence,
                 "lately %s and I do not know what to do", it->valuestring);
        if (detect(c, an, sentence) != 1)
            T_FAIL("trigger not found: %s", it->valuestring);
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "not_triggers"))
    {
        if (detect(c, an, it->valuestring) != 0)
            T_FAIL("not-trigger taken for a crisis: %s", it->valuestring);
    }
    /* Visitors' words (from corpus/eval/match.jsonl and beyond). */
    static const char *const crisis[] = {
        "i want to end my life",
        "dont want to wake up tomorrow, whats even the point",
        "been cutting myself again",
        "everyone would be better off without me",
        "I took too many pills",
    };
    for (size_t i = 0; i < sizeof crisis / sizeof *crisis; i++)
        if (detect(c, an, crisis[i]) != 1)
            T_FAIL("crisis not recognised: %s", crisis[i]);
    static const char *const everyday[] = {
        "how to feel safe in a relationship",
        "killing it at work but exhausted",
        "I could die of embarrassment",
        "my partner shuts down when we argue",
        "ideas to cut back on screen time",
        "i'm not ok",
        "grief after my mum died",
    };
    for (size_t i = 0; i < sizeof everyday / sizeof *everyday; i++)
        if (detect(c, an, everyday[i]) != 0)
            T_FAIL("everyday words taken for a crisis: %s", everyday[i]);
    size_t blen;
    const char *btext = rp_crisis_block(c, &blen);
    cJSON *block = cJSON_ParseWithLength(btext, blen);
    ASSERT(block != NULL);
    ASSERT(cJSON_IsString(cJSON_GetObjectItem(block, "message")));
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(block, "resources")),
              cJSON_GetArraySize(cJSON_GetObjectItem(root, "resources")));
    ASSERT(cJSON_GetObjectItem(block, "note") == NULL);
    cJSON_Delete(block);
    cJSON_Delete(root);
    rp_crisis_free(c);
    rp_analyzer_free(an);
    rp_buf_fini(&file);
}

static const t_case cases[] = {
    T(test_small_configuration),
    T(test_bad_configuration),
    T(test_project_configuration),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * crisis: triggers and not-triggers as two phrase tables analysed with
 * stop words kept, and the response block rendered once at load. A
 * detection analyses the text once, collects the spans of not-trigger
 * occurrences, then looks for a trigger occurrence outside all of them.
 */
#include "rapport/crisis.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rapport/phrase.h"

struct rp_crisis {
    rp_phrases *triggers;
    rp_phrases *exceptions;
    char *block; /* {"message":...,"resources":[...]} */
    size_t block_len;
};

void rp_crisis_free(rp_crisis *c)
{
    if (c == NULL)
        return;
    rp_phrases_free(c->triggers);
    rp_phrases_free(c->exceptions);
    free(c->block);
    free(c);
}

/* A non-empty string member, or NULL. */
static const char *text_of(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) && it->valuestring[0] ? it->valuestring : NULL;
}

/* Interns every string of array `name` (which must exist and be non-empty
 * when required) into table. */
static int load_phrases(const cJSON *root, const char *name, int required,
                        rp_phrases *table, rp_error *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, name);
    if (arr == NULL && !required)
        return 0;
    if (!cJSON_IsArray(arr) || (required && cJSON_GetArraySize(arr) == 0))
        return rp_error_set(err, RP_EDOC, 0,
                            "\"%s\" must be a%s array of phrases", name,
                            required ? " non-empty" : "n");
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it))
            return rp_error_set(err, RP_EDOC, 0,
                                "\"%s\"[%d] must be a string", name, i);
        size_t idx;
        int rc = rp_phrases_intern(table, it->valuestring,
                                   strlen(it->valuestring), &idx);
        if (rc != 0)
            return rp_error_set(err, rc, 0, "\"%s\"[%d]: %s", name, i,
                                rp_strerror(rc));
        i++;
    }
    return 0;
}

/* Renders the block from the message and the resources, checking each. */
static int render_block(rp_crisis *c, const cJSON *root, rp_error *err)
{
    const char *message = text_of(root, "message");
    if (message == NULL)
        return rp_error_set(err, RP_EDOC, 0,
                            "\"message\" must be a non-empty string");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "resources");
    if (!cJSON_IsArray(res) || cJSON_GetArraySize(res) == 0)
        return rp_error_set(err, RP_EDOC, 0,
                            "\"resources\" must be a non-empty array");
    cJSON *out = cJSON_CreateObject();
    cJSON *list = NULL;
    if (out && cJSON_AddStringToObject(out, "message", message))
        list = cJSON_AddArrayToObject(out, "resources");
    int rc = list ? 0 : RP_ENOMEM;
    int i = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, res)
    {
        if (rc != 0)
            break;
        const char *name = text_of(r, "name");
        const char *contact = text_of(r, "contact");
        if (!cJSON_IsObject(r) || name == NULL || contact == NULL) {
            rc = rp_error_set(err, RP_EDOC, 0,
                              "\"resources\"[%d] needs a \"name\" and a "
                              "\"contact\"",
                              i);
            break;
        }
        const char *keys[] = {"region", "name", "contact", "url"};
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(list, o)) {
            cJSON_Delete(o);
            rc = RP_ENOMEM;
            break;
        }
        for (size_t k = 0; k < sizeof keys / sizeof *keys && rc == 0; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, keys[k]);
            if (v == NULL)
                continue;
            if (!cJSON_IsString(v))
                rc = rp_error_set(err, RP_EDOC, 0,
                                  "\"resources\"[%d].%s must be a string", i,
                                  keys[k]);
            else if (!cJSON_AddStringToObject(o, keys[k], v->valuestring))
                rc = RP_ENOMEM;
        }
        i++;
    }
    if (rc == 0 && (c->block = cJSON_PrintUnformatted(out)) == NULL)
        rc = RP_ENOMEM;
    if (rc == 0)
        c->block_len = strlen(c->block);
    cJSON_Delete(out);
    return rc;
}

int rp_crisis_load(rp_analyzer *an, const char *text, size_t len,
                   rp_crisis **out, rp_error *err)
{
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (root == NULL)
        return rp_error_set(err, RP_EJSON, 0,
                            "the crisis configuration is not valid JSON");
    rp_crisis *c = calloc(1, sizeof *c);
    int rc = c ? 0 : RP_ENOMEM;
    if (rc == 0 && !cJSON_IsObject(root))
        rc = rp_error_set(err, RP_EDOC, 0,
                          "the crisis configuration must be a JSON object");
    if (rc == 0)
        rc = rp_phrases_new(an, RP_ANALYZE_STOPWORDS, &c->triggers);
    if (rc == 0)
        rc = rp_phrases_new(an, RP_ANALYZE_STOPWORDS, &c->exceptions);
    if (rc == 0)
        rc = load_phrases(root, "triggers", 1, c->triggers, err);
    if (rc == 0)
        rc = load_phrases(root, "not_triggers", 0, c->exceptions, err);
    if (rc == 0 && rp_phrases_count(c->triggers) == 0)
        rc = rp_error_set(err, RP_EDOC, 0, "\"triggers\" has no words");
    if (rc == 0)
        rc = render_block(c, root, err);
    cJSON_Delete(root);
    if (rc != 0) {
        rp_error_set(err, rc, 0, "%s", rp_strerror(rc));
        rp_crisis_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

typedef struct span {
    unsigned first, last;
} span;

typedef struct spans {
    span *s;
    size_t n, cap;
} spans;

static int add_span(void *ctx, size_t phrase, unsigned first, unsigned last)
{
    spans *sp = ctx;
    (void)phrase;
    if (rp__grow((void **)&sp->s, &sp->cap, sp->n + 1, sizeof(span)) != 0)
        return RP_ENOMEM;
    sp->s[sp->n].first = first;
    sp->s[sp->n].last = last;
    sp->n++;
    return 0;
}

/* Stops the search (returns 1) at a trigger occurrence that no
 * not-trigger occurrence covers. */
static int uncovered(void *ctx, size_t phrase, unsigned first,
                     unsigned last)
{
    const spans *ex = ctx;
    (void)phrase;
    for (size_t i = 0; i < ex->n; i++)
        if (ex->s[i].first <= first && last <= ex->s[i].last)
            return 0;
    return 1;
}

int rp_crisis_detect(const rp_crisis *c, rp_analyzer *an, const char *text,
                     size_t len, int *hit)
{
    *hit = 0;
    rp_vterms t;
    int rc = rp_vterms_analyze(an, RP_ANALYZE_STOPWORDS, text, len, &t);
    if (rc == RP_EUTF8)
        *hit = 1;
    spans ex = {NULL, 0, 0};
    if (rc == 0)
        rc = rp_phrases_scan(c->exceptions, t.t, t.n, add_span, &ex);
    if (rc == 0)
        *hit = rp_phrases_scan(c->triggers, t.t, t.n, uncovered, &ex) != 0;
    free(ex.s);
    rp_vterms_fini(&t);
    return rc;
}

const char *rp_crisis_block(const rp_crisis *c, size_t *len)
{
    *len = c->block_len;
    return c->block;
}

size_t rp_crisis_ntriggers(const rp_crisis *c)
{
    return rp_phrases_count(c->triggers);
}

size_t rp_crisis_nexceptions(const rp_crisis *c)
{
    return rp_phrases_count(c->exceptions);
}

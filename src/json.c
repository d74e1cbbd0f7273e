/* SPDX-License-Identifier: MIT */
/*
 * json: converts documents between JSON and rp_doc, through cJSON after a
 * strict syntax check. Owns nothing beyond each call; the cJSON trees it
 * builds are freed before returning.
 */
#include "rapport/json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rapport/correct.h"
#include "rapport/jsoncheck.h"

/* Offset of the first \u0000 escape in JSON text, or len. cJSON keeps
 * strings NUL-terminated, so a NUL inside one would silently cut it. */
static size_t find_nul_escape(const char *s, size_t len)
{
    for (size_t i = 0; i + 6 <= len; i++) {
        if (s[i] != '\\')
            continue;
        if (memcmp(s + i + 1, "u0000", 5) == 0)
            return i;
        i++; /* skip the escaped character, which may be a backslash */
    }
    return len;
}

/* Copies into name the top-level member whose value holds byte offset at
 * (text already checked strictly); "?" when there is none. */
static void member_at(const char *s, size_t len, size_t at, char *name,
                      size_t cap)
{
    int depth = 0;
    size_t key = 0, keylen = 0, str = 0;
    snprintf(name, cap, "?");
    for (size_t i = 0; i < len && i <= at; i++) {
        char ch = s[i];
        if (ch == '"') {
            str = i;
            for (i++; i < len && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            if (str < at && at < i && depth == 1) {
                size_t j = i + 1;
                while (j < len && (s[j] == ' ' || s[j] == '\t' ||
                                   s[j] == '\n' || s[j] == '\r'))
                    j++;
                if (j < len && s[j] == ':') { /* the NUL is in a name */
                    key = str + 1;
                    keylen = i - str - 1;
                    break;
                }
            }
            size_t j = i + 1;
            while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' ||
                               s[j] == '\r'))
                j++;
            if (depth == 1 && j < len && s[j] == ':') {
                key = str + 1;
                keylen = i - str - 1;
            }
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    if (keylen > 0)
        snprintf(name, cap, "%.*s", (int)(keylen < 64 ? keylen : 64),
                 s + key);
}

/* True if item holds a number cJSON could not represent (it would print
 * it as null). */
static int has_nonfinite(const cJSON *item, int depth)
{
    if (cJSON_IsNumber(item))
        return !isfinite(item->valuedouble);
    if (depth > RP_JSON_MAX_DEPTH)
        return 0;
    for (const cJSON *c = item->child; c; c = c->next)
        if (has_nonfinite(c, depth + 1))
            return 1;
    return 0;
}

static const char *kind_name(rp_srckind k)
{
    switch (k) {
    case RP_SRC_TEXT:
    case RP_SRC_STRING:
        return "a string";
    case RP_SRC_TEXT_ARRAY:
        return "an array of strings";
    case RP_SRC_DATE:
        return "a date string YYYY-MM-DD";
    case RP_SRC_BOOL:
        return "true or false";
    case RP_SRC_NUMBER:
        return "a number";
    }
    return "?";
}

/* Moves item into the extra object (creating it). */
static int keep_extra(cJSON **extra, cJSON *obj, cJSON *item, rp_error *err)
{
    if (has_nonfinite(item, 0))
        return rp_error_set(err, RP_EDOC, 0,
                            "field '%.64s': number out of range",
                            item->string);
    if (*extra == NULL && (*extra = cJSON_CreateObject()) == NULL)
        return RP_ENOMEM;
    cJSON_DetachItemViaPointer(obj, item);
    /* Adding copies the name: when that fails, the detached item is
     * ours to free. */
    if (!cJSON_AddItemToObject(*extra, item->string, item)) {
        cJSON_Delete(item);
        return RP_ENOMEM;
    }
    return 0;
}

static int decode_member(rp_doc *d, cJSON *obj, cJSON *item,
                         const rp_srcfield *src, cJSON **extra, rp_error *err)
{
    int ok;
    switch (src->kind) {
    case RP_SRC_TEXT:
    case RP_SRC_STRING:
        if (!cJSON_IsString(item))
            break;
        return rp_doc_add_field(d, src, item->valuestring,
                                strlen(item->valuestring));
    case RP_SRC_DATE:
        if (!cJSON_IsString(item) || !rp_schema_date_valid(item->valuestring,
                                              strlen(item->valuestring)))
            break;
        return rp_doc_add_field(d, src, item->valuestring, 10);
    case RP_SRC_TEXT_ARRAY:
        if (!cJSON_IsArray(item))
            break;
        ok = 1;
        for (cJSON *e = item->child; e && ok; e = e->next)
            ok = cJSON_IsString(e);
        if (!ok)
            break;
        for (cJSON *e = item->child; e; e = e->next) {
            int rc = rp_doc_add_field(d, src, e->valuestring,
                                      strlen(e->valuestring));
            if (rc != 0)
                return rc;
        }
        return 0;
    case RP_SRC_BOOL:
        if (!cJSON_IsBool(item))
            break;
        return keep_extra(extra, obj, item, err);
    case RP_SRC_NUMBER:
        if (!cJSON_IsNumber(item))
            break;
        return keep_extra(extra, obj, item, err);
    }
    return rp_error_set(err, RP_EDOC, 0, "field '%s' must be %s", src->name,
                        kind_name(src->kind));
}

static int decode_object(cJSON *root, rp_doc *d, rp_error *err)
{
    if (!cJSON_IsObject(root))
        return rp_error_set(err, RP_EDOC, 0, "document must be a JSON object");
    cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (id == NULL)
        id = cJSON_GetObjectItemCaseSensitive(root, "_id");
    if (id == NULL)
        return rp_error_set(err, RP_EDOC, 0, "missing \"id\"");
    if (!cJSON_IsString(id))
        return rp_error_set(err, RP_EDOC, 0, "\"id\" must be a string");
    int rc = rp_doc_set_id(d, id->valuestring, strlen(id->valuestring), err);
    if (rc != 0)
        return rc;
    d->type = RP_DOC_ARTICLE;
    cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
    if (type != NULL) {
        if (!cJSON_IsString(type))
            return rp_error_set(err, RP_EDOC, 0, "\"type\" must be a string");
        d->type = rp_schema_doctype(type->valuestring,
                                    strlen(type->valuestring));
        if (d->type == RP_DOC_NONE)
            return rp_error_set(err, RP_EDOC, 0,
                                "unknown type \"%.40s\" (want article, "
                                "question or specialist)",
                                type->valuestring);
    }
    size_t nsrc;
    const rp_srcfield *table = rp_schema_srcfields(&nsrc);
    uint64_t seen = 0;
    cJSON *extra = NULL, *next;
    for (cJSON *item = root->child; item && rc == 0; item = next) {
        next = item->next;
        if (item == id || item == type)
            continue;
        const char *name = item->string;
        if (strcmp(name, "id") == 0 || strcmp(name, "_id") == 0 ||
            strcmp(name, "type") == 0) {
            rc = rp_error_set(err, RP_EDOC, 0, "duplicate \"%s\"", name);
            break;
        }
        const rp_srcfield *src = rp_schema_srcfield(d->type, name,
                                                    strlen(name));
        if (src == NULL) {
            rc = keep_extra(&extra, root, item, err);
            continue;
        }
        uint64_t bit = 1ull << (src - table);
        if (seen & bit) {
            rc = rp_error_set(err, RP_EDOC, 0, "duplicate field '%s'", name);
            break;
        }
        seen |= bit;
        rc = decode_member(d, root, item, src, &extra, err);
    }
    if (rc == 0 && extra != NULL) {
        char *s = cJSON_PrintUnformatted(extra);
        rc = s ? rp_doc_set_extra(d, s, strlen(s)) : RP_ENOMEM;
        cJSON_free(s);
    }
    cJSON_Delete(extra);
    return rc;
}

int rp__json_decode_general(const char *text, size_t len, rp_doc *d,
                            rp_error *err)
{
    rp_doc_reset(d);
    size_t nul = find_nul_escape(text, len);
    if (nul < len) {
        char name[80];
        member_at(text, len, nul, name, sizeof name);
        return rp_error_set(err, RP_EDOC, nul,
                            "field '%s': strings must not contain \\u0000 "
                            "(byte %zu)",
                            name, nul);
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (root == NULL)
        return rp_error_set(err, RP_ENOMEM, 0, "out of memory parsing JSON");
    int rc = decode_object(root, d, err);
    cJSON_Delete(root);
    if (rc != 0)
        rp_doc_reset(d);
    return rc;
}

int rp_json_decode_doc(const char *text, size_t len, rp_doc *d,
                       rp_error *err)
{
    rp_doc_reset(d);
    if (len > RP_DOC_MAX_BYTES)
        return rp_error_set(err, RP_ETOOBIG, 0,
                            "document is %zu bytes, over the %u-byte limit",
                            len, RP_DOC_MAX_BYTES);
    int rc = rp_json_check(text, len, RP_JSON_MAX_DEPTH, err);
    if (rc != 0)
        return rc;
    /* The values take at most the text's bytes (escapes only shrink):
     * one exact reservation instead of a growth by copies, which would
     * also leave up to half of the buffer unused while the batch holds the
     * document. */
    if (rp_buf_reserve_exact(&d->bytes, len) != 0)
        return rp_error_set(err, RP_ENOMEM, 0, "out of memory decoding JSON");
    /* The common shape is decoded straight from the text; the rest, and
     * every error, through cJSON. */
    rc = rp__json_decode_flat(text, len, d);
    if (rc == 1)
        return 0;
    if (rc < 0)
        return rp_error_set(err, rc, 0, "%s decoding JSON", rp_strerror(rc));
    return rp__json_decode_general(text, len, d, err);
}

int rp_json_put_string(rp_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    int rc = rp_buf_reserve(out, len + 2);
    rp_buf_append_rc(out, "\"", 1, &rc);
    size_t start = 0;
    for (size_t i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rp_buf_append_rc(out, s + start, i - start, &rc);
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            rp_buf_append_rc(out, esc, 2, &rc);
        } else if (c == '\n') {
            rp_buf_append_rc(out, "\\n", 2, &rc);
        } else if (c == '\t') {
            rp_buf_append_rc(out, "\\t", 2, &rc);
        } else if (c == '\r') {
            rp_buf_append_rc(out, "\\r", 2, &rc);
        } else {
            rp_buf_append_rc(out, esc, 6, &rc);
        }
        start = i + 1;
    }
    rp_buf_append_rc(out, s + start, len - start, &rc);
    rp_buf_append_rc(out, "\"", 1, &rc);
    return rc;
}

int rp_json_encode_doc(const rp_doc *d, rp_buf *out)
{
    int rc = 0;
    rp_buf_append_rc(out, "{\"id\":", 6, &rc);
    if (rc == 0)
        rc = rp_json_put_string(out, rp_doc_id(d), d->id_len);
    rp_buf_append_rc(out, ",\"type\":\"", 9, &rc);
    const char *tname = rp_schema_doctype_name(d->type);
    rp_buf_append_rc(out, tname, strlen(tname), &rc);
    rp_buf_append_rc(out, "\"", 1, &rc);
    for (size_t i = 0; i < d->nfields && rc == 0; i++) {
        const rp_docfield *f = &d->fields[i];
        const rp_srcfield *src = rp_doc_srcfield(f);
        int is_array = src->kind == RP_SRC_TEXT_ARRAY;
        int first = i == 0 || d->fields[i - 1].src != f->src;
        int last = i + 1 == d->nfields || d->fields[i + 1].src != f->src;
        if (first) {
            rp_buf_append_rc(out, ",", 1, &rc);
            if (rc == 0)
                rc = rp_json_put_string(out, src->name, strlen(src->name));
            rp_buf_append_rc(out, is_array ? ":[" : ":", is_array ? 2 : 1,
                             &rc);
        } else {
            rp_buf_append_rc(out, ",", 1, &rc);
        }
        if (rc == 0)
            rc = rp_json_put_string(out, rp_doc_value(d, f), f->len);
        if (is_array && last)
            rp_buf_append_rc(out, "]", 1, &rc);
    }
    /* The extra JSON is an object we printed: splice its members in. */
    if (d->extra_len > 2) {
        rp_buf_append_rc(out, ",", 1, &rc);
        rp_buf_append_rc(out, d->bytes.data + d->extra_off + 1,
                         d->extra_len - 2, &rc);
    }
    rp_buf_append_rc(out, "}", 1, &rc);
    return rc;
}

static long line_at(const char *text, size_t from, size_t to, long line)
{
    for (size_t i = from; i < to; i++)
        line += text[i] == '\n';
    return line;
}

static size_t skip_ws(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
                       s[i] == '\r'))
        i++;
    return i;
}

/* End of the value starting at s[i], in text already checked strictly. */
static size_t value_end(const char *s, size_t i, size_t len)
{
    int depth = 0;
    do {
        char ch = s[i];
        if (ch == '"') {
            for (i++; i < len && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            i++;
        } else if (ch == '[' || ch == '{') {
            depth++;
            i++;
        } else if (ch == ']' || ch == '}') {
            depth--;
            i++;
        } else if (depth == 0) {
            while (i < len && s[i] != ',' && s[i] != ']' && s[i] != '}' &&
                   s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
                   s[i] != '\r')
                i++;
        } else {
            i++;
        }
    } while (depth > 0 && i < len);
    return i;
}

int rp_json_elements(const char *text, size_t len, rp_json_elem_cb cb,
                     void *ctx, rp_error *err)
{
    int rc = rp_json_check(text, len, RP_JSON_MAX_DEPTH, err);
    if (rc != 0)
        return rc;
    size_t i = skip_ws(text, 0, len);
    long line = line_at(text, 0, i, 1);
    if (text[i] != '[')
        return cb(ctx, text + i, len - i, line);
    size_t prev = i;
    i = skip_ws(text, i + 1, len);
    while (i < len && text[i] != ']') {
        line = line_at(text, prev, i, line);
        prev = i;
        size_t end = value_end(text, i, len);
        if ((rc = cb(ctx, text + i, end - i, line)) != 0)
            return rc;
        i = skip_ws(text, end, len);
        if (i < len && text[i] == ',')
            i = skip_ws(text, i + 1, len);
    }
    return 0;
}

int rp_json_decode_query(const char *line, size_t len, rp_buf *id,
                         rp_buf *text, rp_error *err)
{
    int rc = rp_json_check(line, len, RP_JSON_MAX_DEPTH, err);
    if (rc != 0)
        return rc;
    cJSON *root = cJSON_ParseWithLength(line, len);
    if (root == NULL)
        return RP_ENOMEM;
    cJSON *qid = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (qid == NULL)
        qid = cJSON_GetObjectItemCaseSensitive(root, "_id");
    cJSON *q = cJSON_GetObjectItemCaseSensitive(root, "text");
    if (q == NULL)
        q = cJSON_GetObjectItemCaseSensitive(root, "query");
    if (!cJSON_IsString(qid) || !cJSON_IsString(q))
        rc = rp_error_set(err, RP_EDOC, 0,
                          "query lines need string \"id\" and \"text\" "
                          "(or \"query\")");
    else if ((rc = rp_buf_puts(id, qid->valuestring)) == 0)
        rc = rp_buf_puts(text, q->valuestring);
    cJSON_Delete(root);
    return rc;
}

/* Appends one filter value to values, comma first unless it is the
 * first. */
static int join_value(rp_buf *values, const cJSON *v)
{
    const char *s = cJSON_IsTrue(v) ? "true"
                    : cJSON_IsFalse(v) ? "false"
                    : cJSON_IsString(v) ? v->valuestring
                                        : NULL;
    if (s == NULL)
        return RP_EDOC;
    int rc = values->len ? rp_buf_append(values, ",", 1) : 0;
    return rc == 0 ? rp_buf_puts(values, s) : rc;
}

int rp_json_query_filters(const char *line, size_t len, rp_json_filter_cb cb,
                          void *ctx, rp_error *err)
{
    cJSON *root = cJSON_ParseWithLength(line, len);
    if (root == NULL)
        return rp_error_set(err, RP_EJSON, 0, "not a JSON line");
    const cJSON *filters = cJSON_GetObjectItemCaseSensitive(root, "filters");
    int rc = 0;
    if (filters && !cJSON_IsObject(filters))
        rc = rp_error_set(err, RP_EDOC, 0, "\"filters\" must be an object");
    rp_buf values = RP_BUF_INIT;
    const cJSON *m;
    for (m = filters ? filters->child : NULL; rc == 0 && m; m = m->next) {
        int facet = rp_schema_facet(m->string, strlen(m->string));
        if (facet < 0) {
            rc = rp_error_set(err, RP_EDOC, 0, "unknown filter \"%s\"",
                              m->string);
            break;
        }
        values.len = 0;
        if (cJSON_IsArray(m)) {
            const cJSON *v;
            cJSON_ArrayForEach(v, m)
            {
                if (rc == 0)
                    rc = join_value(&values, v);
            }
        } else {
            rc = join_value(&values, m);
        }
        if (rc == RP_EDOC)
            rc = rp_error_set(err, RP_EDOC, 0,
                              "filter \"%s\" takes a string, an array of "
                              "strings, true or false",
                              m->string);
        if (rc == 0)
            rc = cb(ctx, facet, (const char *)values.data, values.len);
    }
    rp_buf_fini(&values);
    cJSON_Delete(root);
    return rc;
}

int rp_json_facets(const rp_doc *d, rp_facet_cb cb, void *ctx,
                   rp_fees *fees)
{
    char norm[RP_FACET_VALUE_MAX];
    fees->known = 0;
    fees->min = fees->max = 0;
    const char *tname = rp_schema_doctype_name(d->type);
    int rc = cb(ctx, RP_FACET_TYPE, tname, strlen(tname));
    for (size_t i = 0; rc == 0 && i < d->nfields; i++) {
        int facet = rp_schema_facet_of(rp_doc_srcfield(&d->fields[i]));
        if (facet < 0)
            continue;
        size_t n = rp_schema_facet_value(rp_doc_value(d, &d->fields[i]),
                                         d->fields[i].len, norm);
        if (n > 0)
            rc = cb(ctx, facet, norm, n);
    }
    if (rc != 0 || d->extra_len == 0)
        return rc;
    cJSON *extra = cJSON_ParseWithLength(
        (const char *)d->bytes.data + d->extra_off, d->extra_len);
    if (extra == NULL)
        return RP_ENOMEM; /* the extra JSON was checked when stored */
    cJSON *lo = NULL, *hi = NULL;
    for (cJSON *m = extra->child; m && rc == 0; m = m->next) {
        if (strcmp(m->string, "fee_min") == 0)
            lo = m;
        else if (strcmp(m->string, "fee_max") == 0)
            hi = m;
        const rp_srcfield *src = rp_schema_srcfield(d->type, m->string,
                                                    strlen(m->string));
        int facet = rp_schema_facet_of(src);
        if (facet >= 0 && cJSON_IsBool(m))
            rc = cb(ctx, facet, cJSON_IsTrue(m) ? "true" : "false",
                    cJSON_IsTrue(m) ? 4 : 5);
    }
    if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi)) {
        fees->known = 1;
        fees->min = lo->valuedouble;
        fees->max = hi->valuedouble;
    }
    cJSON_Delete(extra);
    return rc;
}

#define VOCAB_MAX_PHRASES 64

/* Collects the strings of an array member into out (at most cap);
 * returns the count, or -1 if it is not an array of strings. */
static int strings_of(const cJSON *obj, const char *name, const char **out,
                      size_t cap, size_t *n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (a == NULL)
        return 0;
    if (!cJSON_IsArray(a))
        return -1;
    for (const cJSON *e = a->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return -1;
        if (*n < cap)
            out[(*n)++] = e->valuestring;
    }
    return 0;
}

static int vocab_concepts(const cJSON *root, const char *key, int kind,
                          rp_vocab_concept_cb cb, void *ctx, rp_error *err)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!cJSON_IsArray(list))
        return rp_error_set(err, RP_EDOC, 0, "\"%s\" must be an array", key);
    int rc = 0;
    for (const cJSON *c = list->child; c && rc == 0; c = c->next) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
        const cJSON *label = cJSON_GetObjectItemCaseSensitive(c, "label");
        const cJSON *match = cJSON_GetObjectItemCaseSensitive(c, "match");
        if (!cJSON_IsString(id) || !cJSON_IsString(label) ||
            !cJSON_IsString(match))
            return rp_error_set(err, RP_EDOC, 0,
                                "every %s entry needs string id, label and "
                                "match",
                                key);
        const char *ph[VOCAB_MAX_PHRASES];
        size_t n = 0;
        ph[n++] = label->valuestring;
        if (strings_of(c, "phrasings", ph, VOCAB_MAX_PHRASES, &n) ||
            strings_of(c, "misspellings", ph, VOCAB_MAX_PHRASES, &n) ||
            strings_of(c, "abbreviations", ph, VOCAB_MAX_PHRASES, &n))
            return rp_error_set(err, RP_EDOC, 0,
                                "%s: phrasings, misspellings and "
                                "abbreviations must be arrays of strings",
                                id->valuestring);
        const char *par[VOCAB_MAX_PHRASES];
        size_t npar = 0;
        if (strings_of(c, "parents", par, VOCAB_MAX_PHRASES, &npar))
            return rp_error_set(err, RP_EDOC, 0,
                                "%s: parents must be an array of ids",
                                id->valuestring);
        rc = cb(ctx, kind, id->valuestring, label->valuestring,
                match->valuestring, ph, n, par, npar);
        if (rc == RP_EINVAL)
            rc = rp_error_set(err, RP_EDOC, 0,
                              "%s: ids are unique, 1..64 lower-case letters, "
                              "digits and '-'; match is 1..64 bytes",
                              id->valuestring);
        else if (rc == RP_ELIMIT)
            rc = rp_error_set(err, RP_EDOC, 0,
                              "%s: a phrase has more than 16 words",
                              id->valuestring);
    }
    return rc;
}

int rp_json_vocabulary(const char *text, size_t len,
                       rp_vocab_concept_cb concept, rp_vocab_rule_cb rule,
                       void *ctx, rp_error *err)
{
    int rc = rp_json_check(text, len, RP_JSON_MAX_DEPTH, err);
    if (rc != 0)
        return rc;
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (root == NULL)
        return RP_ENOMEM;
    rc = vocab_concepts(root, "concerns", 0, concept, ctx, err);
    if (rc == 0)
        rc = vocab_concepts(root, "approaches", 1, concept, ctx, err);
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(root, "synonyms");
    if (rc == 0 && rules != NULL && !cJSON_IsArray(rules))
        rc = rp_error_set(err, RP_EDOC, 0, "\"synonyms\" must be an array");
    for (const cJSON *r = rules ? rules->child : NULL; r && rc == 0;
         r = r->next) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(r, "type");
        const char *from[VOCAB_MAX_PHRASES], *to[VOCAB_MAX_PHRASES];
        size_t nfrom = 0, nto = 0;
        int one_way = cJSON_IsString(type) &&
                      strcmp(type->valuestring, "one_way") == 0;
        int equiv = cJSON_IsString(type) &&
                    strcmp(type->valuestring, "equivalent") == 0;
        int bad = !one_way && !equiv;
        if (equiv)
            bad |= strings_of(r, "terms", from, VOCAB_MAX_PHRASES, &nfrom);
        if (one_way)
            bad |= strings_of(r, "from", from, VOCAB_MAX_PHRASES, &nfrom) ||
                   strings_of(r, "to", to, VOCAB_MAX_PHRASES, &nto);
        if (bad)
            rc = rp_error_set(err, RP_EDOC, 0,
                              "a synonym rule is {\"type\":\"equivalent\","
                              "\"terms\":[...]} or {\"type\":\"one_way\","
                              "\"from\":[...],\"to\":[...]}");
        else
            rc = rule(ctx, one_way, from, nfrom, to, nto);
    }
    cJSON_Delete(root);
    return rc;
}

static int load_concept(void *ctx, int kind, const char *id,
                        const char *label, const char *match,
                        const char *const *phrases, size_t n,
                        const char *const *parents, size_t nparents)
{
    return rp_vocab_add_concept(ctx, kind, id, label, match, phrases, n,
                                parents, nparents);
}

static int load_rule(void *ctx, int one_way, const char *const *from,
                     size_t nfrom, const char *const *to, size_t nto)
{
    return rp_vocab_add_rule(ctx, one_way, from, nfrom, to, nto);
}

int rp_json_load_vocab(const char *text, size_t len, rp_vocab *v,
                       rp_error *err)
{
    int rc = rp_json_vocabulary(text, len, load_concept, load_rule, v, err);
    if (rc == 0 && (rc = rp_vocab_resolve(v)) == RP_EDOC)
        rp_error_set(err, rc, 0, "a concept's parent is not a concept id");
    return rc;
}

int rp_json_store_vocab(rp_index *ix, const char *text, size_t len,
                        rp_error *err)
{
    rp_analyzer *an = NULL;
    rp_vocab *v = NULL;
    rp_txn *t = NULL;
    int rc = rp_analyzer_new(rp_index_lang(ix), &an);
    if (rc == 0)
        rc = rp_vocab_new(an, &v);
    if (rc == 0)
        rc = rp_json_load_vocab(text, len, v, err);
    if (rc == 0)
        rc = rp_txn_begin(ix, 1, &t);
    if (rc == 0)
        rc = rp_txn_setting_put(t, "vocabulary", text, len);
    if (rc == 0) {
        rc = rp_txn_commit(t);
        t = NULL;
    }
    rp_txn_abort(t);
    rp_vocab_free(v);
    rp_analyzer_free(an);
    return rc;
}

int rp_json_index_vocab(rp_txn *txn, rp_analyzer *an, rp_vocab **out)
{
    *out = NULL;
    const void *data;
    size_t len;
    int rc = rp_txn_setting_get(txn, "vocabulary", &data, &len);
    if (rc == RP_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    if ((rc = rp_vocab_new(an, out)) != 0)
        return rc;
    rc = rp_json_load_vocab(data, len, *out, NULL);
    if (rc != 0) {
        rp_vocab_free(*out);
        *out = NULL;
        return rc == RP_ENOMEM ? rc : RP_ECORRUPT;
    }
    return 0;
}

int rp_json_put_corrected(rp_buf *out, const char *q,
                          const rp_corrected *cr)
{
    if (cr == NULL || cr->n == 0)
        return 0;
    int rc = rp_buf_puts(out, "\"corrected\":{");
    for (size_t i = 0; rc == 0 && i < cr->n; i++) {
        const rp_fix *f = &cr->fix[i];
        rc = rp_buf_puts(out, i ? "," : "");
        rc = rc ? rc : rp_json_put_string(out, q + f->off, f->len);
        rc = rc ? rc : rp_buf_puts(out, ":");
        rc = rc ? rc : rp_json_put_string(
                           out, (const char *)cr->words.data + f->word_off,
                           f->word_len);
    }
    rc = rc ? rc : rp_buf_puts(out, "}");
    if (rc == 0 && cr->did_you_mean) {
        rc = rp_buf_puts(out, ",\"did_you_mean\":");
        rc = rc ? rc : rp_json_put_string(out, (const char *)cr->text.data,
                                          cr->text.len);
    }
    return rc;
}

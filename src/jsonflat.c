/* SPDX-License-Identifier: MIT */
/*
 * jsonflat: decodes the common shape of a document straight from its JSON
 * text, without building a cJSON tree: an object whose members are all
 * strings or arrays of strings, each member an id, the type or a string
 * field of the document's type, none twice. Anything else (a number, a
 * boolean, an unknown member, a value of the wrong kind, a bad id, a
 * \u0000 escape) is left to the general decoder in json.c, which also
 * words every error; this module never reports one.
 *
 * The text must have passed rp_json_check, so its syntax, escapes and
 * UTF-8 are trusted. One pass finds the members and where their values
 * end; a second copies each value into the document, unescaping when it
 * has a backslash. Owns nothing beyond a call.
 */
#include <string.h>

#include "internal.h"
#include "rapport/error.h"

/* Members looked at; a document with more goes the general way. */
#define MAX_MEMBERS 32

typedef struct member {
    const char *key; /* raw key bytes (keys with escapes are not taken) */
    size_t key_len;
    const char *val; /* the value: a string's opening quote or '[' */
    size_t val_len;  /* through its closing quote or ']' */
    int array;
} member;

static size_t skip_ws(const char *s, size_t i, size_t len)
{
    while (i < len &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* Given the opening quote at s[i], returns the offset just past the
 * closing one. */
static size_t string_end(const char *s, size_t i, size_t len)
{
    const char *p = s + i + 1, *end = s + len;
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (q == NULL)
            return len; /* cannot happen in checked text */
        /* The quote is escaped when an odd run of backslashes precedes
         * it. */
        size_t run = 0;
        while (q - run > p && q[-1 - (ptrdiff_t)run] == '\\')
            run++;
        if (run % 2 == 0)
            return (size_t)(q - s) + 1;
        p = q + 1;
    }
}

/* Finds the top-level members. Returns their count, or -1 when the text is
 * not an object of strings and arrays of strings with plain keys. */
static int scan_members(const char *s, size_t len, member *m)
{
    size_t i = skip_ws(s, 0, len);
    if (i >= len || s[i] != '{')
        return -1;
    i = skip_ws(s, i + 1, len);
    int n = 0;
    if (i < len && s[i] == '}')
        return 0;
    while (i < len) {
        if (n == MAX_MEMBERS || s[i] != '"')
            return -1;
        size_t kend = string_end(s, i, len);
        m[n].key = s + i + 1;
        m[n].key_len = kend - i - 2;
        if (memchr(m[n].key, '\\', m[n].key_len) != NULL)
            return -1;
        i = skip_ws(s, kend, len);
        i = skip_ws(s, i + 1, len); /* past ':' */
        if (i >= len)
            return -1;
        size_t v = i;
        if (s[i] == '"') {
            i = string_end(s, i, len);
            m[n].array = 0;
        } else if (s[i] == '[') {
            i = skip_ws(s, i + 1, len);
            while (i < len && s[i] != ']') {
                if (s[i] != '"')
                    return -1;
                i = skip_ws(s, string_end(s, i, len), len);
                if (i < len && s[i] == ',')
                    i = skip_ws(s, i + 1, len);
            }
            i++; /* past ']' */
            m[n].array = 1;
        } else {
            return -1;
        }
        m[n].val = s + v;
        m[n].val_len = i - v;
        n++;
        i = skip_ws(s, i, len);
        if (i < len && s[i] == '}')
            return n;
        i = skip_ws(s, i + 1, len); /* past ',' */
    }
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static unsigned hex4(const char *p)
{
    unsigned u = 0;
    for (int k = 0; k < 4; k++)
        u = u << 4 | (unsigned)hexval(p[k]);
    return u;
}

/* Unescapes the body of a checked string, s[0..len), into out (room for
 * len bytes: escapes only shrink). Returns the bytes written, or
 * (size_t)-1 for a \u0000 escape. */
static size_t unescape(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        c = s[++i];
        switch (c) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned u = hex4(s + i + 1);
            i += 4;
            if (u == 0)
                return (size_t)-1;
            if (u >= 0xD800 && u <= 0xDBFF) { /* paired: checked */
                unsigned lo = hex4(s + i + 3);
                i += 6;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (u < 0x80) {
                out[o++] = (char)u;
            } else if (u < 0x800) {
                out[o++] = (char)(0xC0 | u >> 6);
                out[o++] = (char)(0x80 | (u & 0x3F));
            } else if (u < 0x10000) {
                out[o++] = (char)(0xE0 | u >> 12);
                out[o++] = (char)(0x80 | (u >> 6 & 0x3F));
                out[o++] = (char)(0x80 | (u & 0x3F));
            } else {
                out[o++] = (char)(0xF0 | u >> 18);
                out[o++] = (char)(0x80 | (u >> 12 & 0x3F));
                out[o++] = (char)(0x80 | (u >> 6 & 0x3F));
                out[o++] = (char)(0x80 | (u & 0x3F));
            }
            break;
        }
        default: out[o++] = c; break; /* '"', '\\', '/' */
        }
    }
    return o;
}

/* A string value s[0..len) with its quotes, as plain bytes: borrowed from
 * the text when it has no backslash, else unescaped into *scratch (grown,
 * owned by the caller). Returns 0, 1 for a \u0000 escape, or RP_ENOMEM. */
static int string_value(const char *s, size_t len, rp_buf *scratch,
                        const char **out, size_t *out_len)
{
    const char *body = s + 1;
    size_t n = len - 2;
    if (memchr(body, '\\', n) == NULL) {
        *out = body;
        *out_len = n;
        return 0;
    }
    scratch->len = 0;
    if (rp_buf_reserve(scratch, n) != 0)
        return RP_ENOMEM;
    size_t w = unescape(body, n, (char *)scratch->data);
    if (w == (size_t)-1)
        return 1;
    *out = (const char *)scratch->data;
    *out_len = w;
    return 0;
}

static int key_is(const member *m, const char *k)
{
    size_t n = strlen(k);
    return m->key_len == n && memcmp(m->key, k, n) == 0;
}

/* Adds the values of member m for field src. Returns 0, 1 when the value
 * is not this decoder's to take, or RP_ENOMEM. */
static int add_member(rp_doc *d, const member *m, const rp_srcfield *src,
                      rp_buf *scratch)
{
    if ((src->kind == RP_SRC_TEXT_ARRAY) != m->array)
        return 1;
    if (src->kind != RP_SRC_TEXT && src->kind != RP_SRC_STRING &&
        src->kind != RP_SRC_DATE && src->kind != RP_SRC_TEXT_ARRAY)
        return 1;
    const char *s = m->val, *end = m->val + m->val_len;
    size_t i = m->array ? skip_ws(s, 1, m->val_len) : 0;
    while (s + i < end && s[i] == '"') {
        size_t e = string_end(s, i, m->val_len);
        const char *v;
        size_t vlen;
        int rc = string_value(s + i, e - i, scratch, &v, &vlen);
        if (rc != 0)
            return rc;
        if (src->kind == RP_SRC_DATE && !rp_schema_date_valid(v, vlen))
            return 1;
        if ((rc = rp_doc_add_field(d, src, v, vlen)) != 0)
            return rc;
        if (!m->array)
            break;
        i = skip_ws(s, e, m->val_len);
        if (s[i] == ',')
            i = skip_ws(s, i + 1, m->val_len);
    }
    return 0;
}

int rp__json_decode_flat(const char *text, size_t len, rp_doc *d)
{
    member m[MAX_MEMBERS];
    int n = scan_members(text, len, m);
    if (n < 0)
        return 0;
    const member *id = NULL, *type = NULL;
    for (int k = 0; k < n; k++) {
        if (key_is(&m[k], "id") || key_is(&m[k], "_id")) {
            if (id != NULL)
                return 0;
            id = &m[k];
        } else if (key_is(&m[k], "type")) {
            if (type != NULL)
                return 0;
            type = &m[k];
        }
    }
    if (id == NULL || id->array || (type != NULL && type->array))
        return 0;
    rp_buf scratch;
    rp_buf_init(&scratch);
    const char *v;
    size_t vlen;
    int rc = string_value(id->val, id->val_len, &scratch, &v, &vlen);
    if (rc == 0 && (rc = rp_doc_set_id(d, v, vlen, NULL)) == RP_EDOC)
        rc = 1; /* an invalid id */
    d->type = RP_DOC_ARTICLE;
    if (rc == 0 && type != NULL) {
        rc = string_value(type->val, type->val_len, &scratch, &v, &vlen);
        if (rc == 0 && (d->type = rp_schema_doctype(v, vlen)) == RP_DOC_NONE)
            rc = 1;
    }
    size_t nsrc;
    const rp_srcfield *table = rp_schema_srcfields(&nsrc);
    uint64_t seen = 0;
    for (int k = 0; k < n && rc == 0; k++) {
        if (&m[k] == id || &m[k] == type)
            continue;
        const rp_srcfield *src =
            rp_schema_srcfield(d->type, m[k].key, m[k].key_len);
        if (src == NULL || (seen & 1ull << (src - table)))
            rc = 1;
        else {
            seen |= 1ull << (src - table);
            rc = add_member(d, &m[k], src, &scratch);
        }
    }
    rp_buf_fini(&scratch);
    if (rc != 0)
        rp_doc_reset(d);
    return rc == 0 ? 1 : rc == 1 ? 0 : rc;
}

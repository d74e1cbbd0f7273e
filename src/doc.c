/* SPDX-License-Identifier: MIT */
/*
 * doc: in-memory documents and their stored record:
 *
 *   u8      type (rp_doctype)
 *   varint  id length, then the id bytes
 *   varint  number of fields, then per field: u8 source field index
 *           (position in the schema's source table), varint length, bytes
 *   varint  extra JSON length, then the bytes (may be 0)
 *
 * Records read back from storage are untrusted and fully bounds-checked;
 * the extra JSON must be a valid JSON object.
 */
#include "rapport/doc.h"

#include <stdlib.h>
#include <string.h>

#include "rapport/jsoncheck.h"
#include "internal.h"

void rp_doc_init(rp_doc *d)
{
    memset(d, 0, sizeof *d);
}

void rp_doc_fini(rp_doc *d)
{
    if (d == NULL)
        return;
    rp_buf_fini(&d->bytes);
    free(d->fields);
    rp_doc_init(d);
}

void rp_doc_reset(rp_doc *d)
{
    d->type = RP_DOC_NONE;
    d->bytes.len = 0;
    d->id_off = d->id_len = 0;
    d->nfields = 0;
    d->extra_off = d->extra_len = 0;
}

int rp_doc_id_valid(const char *id, size_t len)
{
    if (len == 0 || len > RP_ID_MAX_BYTES)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c < 0x21 || c > 0x7e || c == '/')
            return 0;
    }
    return 1;
}

static int add_bytes(rp_doc *d, const void *p, size_t len, uint32_t *off)
{
    if (len > UINT32_MAX || d->bytes.len > UINT32_MAX - len)
        return RP_ETOOBIG;
    *off = (uint32_t)d->bytes.len;
    return rp_buf_append(&d->bytes, p, len);
}

int rp_doc_set_id(rp_doc *d, const char *id, size_t len, rp_error *err)
{
    if (!rp_doc_id_valid(id, len))
        return rp_error_set(err, RP_EDOC, 0,
                            "invalid id: want 1..%d bytes of printable ASCII "
                            "without spaces or '/'",
                            RP_ID_MAX_BYTES);
    d->id_len = (uint32_t)len;
    return add_bytes(d, id, len, &d->id_off);
}

int rp_doc_add_field(rp_doc *d, const rp_srcfield *src, const char *text,
                     size_t len)
{
    size_t n;
    const rp_srcfield *table = rp_schema_srcfields(&n);
    if (src < table || src >= table + n)
        return RP_EINVAL;
    if (rp__grow((void **)&d->fields, &d->cap, d->nfields + 1,
                 sizeof *d->fields) != 0)
        return RP_ENOMEM;
    rp_docfield *f = &d->fields[d->nfields];
    f->src = (uint8_t)(src - table);
    f->len = (uint32_t)len;
    int rc = add_bytes(d, text, len, &f->off);
    if (rc == 0)
        d->nfields++;
    return rc;
}

int rp_doc_set_extra(rp_doc *d, const char *json, size_t len)
{
    d->extra_len = (uint32_t)len;
    return add_bytes(d, json, len, &d->extra_off);
}

const char *rp_doc_id(const rp_doc *d)
{
    return (const char *)d->bytes.data + d->id_off;
}

const char *rp_doc_value(const rp_doc *d, const rp_docfield *f)
{
    return (const char *)d->bytes.data + f->off;
}

const rp_srcfield *rp_doc_srcfield(const rp_docfield *f)
{
    size_t n;
    const rp_srcfield *table = rp_schema_srcfields(&n);
    return f->src < n ? &table[f->src] : NULL;
}

int rp_doc_encode(const rp_doc *d, rp_buf *out)
{
    int rc = 0;
    unsigned char type = (unsigned char)d->type;
    rp_buf_append_rc(out, &type, 1, &rc);
    rp_buf_put_varint_rc(out, d->id_len, &rc);
    rp_buf_append_rc(out, rp_doc_id(d), d->id_len, &rc);
    rp_buf_put_varint_rc(out, d->nfields, &rc);
    for (size_t i = 0; i < d->nfields && rc == 0; i++) {
        const rp_docfield *f = &d->fields[i];
        rp_buf_append_rc(out, &f->src, 1, &rc);
        rp_buf_put_varint_rc(out, f->len, &rc);
        rp_buf_append_rc(out, rp_doc_value(d, f), f->len, &rc);
    }
    rp_buf_put_varint_rc(out, d->extra_len, &rc);
    rp_buf_append_rc(out, d->bytes.data + d->extra_off, d->extra_len, &rc);
    return rc;
}

static size_t get_span(const unsigned char *p, const unsigned char *end,
                       const unsigned char **bytes, uint32_t *len)
{
    size_t k = rp_varint_get32(p, end, len);
    if (k == 0 || *len > (size_t)(end - p - (ptrdiff_t)k))
        return 0;
    *bytes = p + k;
    return k + *len;
}

int rp_doc_record_id(const void *rec, size_t len, rp_doctype *type,
                     const char **id, size_t *id_len)
{
    const unsigned char *p = rec, *end = p + len, *b;
    uint32_t n;
    if (len < 2 || p[0] == RP_DOC_NONE || p[0] >= RP_DOC_TYPES)
        return RP_ECORRUPT;
    size_t k = get_span(p + 1, end, &b, &n);
    if (k == 0 || !rp_doc_id_valid((const char *)b, n))
        return RP_ECORRUPT;
    *type = (rp_doctype)p[0];
    *id = (const char *)b;
    *id_len = n;
    return 0;
}

int rp_doc_decode(const void *rec, size_t len, rp_doc *d)
{
    const unsigned char *p = rec, *end = p + len, *b;
    uint32_t n, count;
    size_t k, nsrc;
    rp_schema_srcfields(&nsrc);
    rp_doc_reset(d);
    const char *id;
    size_t id_len;
    rp_doctype type;
    if (rp_doc_record_id(rec, len, &type, &id, &id_len) != 0)
        return RP_ECORRUPT;
    d->type = type;
    int rc = 0;
    d->id_len = (uint32_t)id_len;
    if ((rc = add_bytes(d, id, id_len, &d->id_off)) != 0)
        return rc;
    p = (const unsigned char *)id + id_len;
    if ((k = rp_varint_get32(p, end, &count)) == 0)
        return RP_ECORRUPT;
    p += k;
    for (uint32_t i = 0; i < count; i++) {
        if (p >= end || *p >= nsrc)
            return RP_ECORRUPT;
        const rp_srcfield *src = rp_schema_srcfields(&nsrc) + *p++;
        if ((k = get_span(p, end, &b, &n)) == 0)
            return RP_ECORRUPT;
        p += k;
        if ((rc = rp_doc_add_field(d, src, (const char *)b, n)) != 0)
            return rc;
    }
    if ((k = get_span(p, end, &b, &n)) == 0 || p + k != end)
        return RP_ECORRUPT;
    /* The extra members are spliced into JSON output as they are: they
     * must be a JSON object. */
    if (n > 0 && (b[0] != '{' ||
                  rp_json_check((const char *)b, n, RP_JSON_MAX_DEPTH,
                                NULL) != 0))
        return RP_ECORRUPT;
    return rp_doc_set_extra(d, (const char *)b, n);
}

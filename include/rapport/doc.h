/* SPDX-License-Identifier: MIT */
/*
 * doc: a document in memory (type, external id, its string-valued source
 * fields, and a JSON object of its other members) and the binary record it
 * is stored as. The struct owns every byte it points at; it knows nothing
 * of JSON parsing (json.c) or LMDB (index.c).
 */
#ifndef RAPPORT_DOC_H
#define RAPPORT_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "rapport/buf.h"
#include "rapport/error.h"
#include "rapport/schema.h"

#define RP_ID_MAX_BYTES 256
#define RP_DOC_MAX_BYTES (1u << 20) /* largest document accepted, as JSON */

typedef struct rp_docfield {
    uint8_t src;  /* index into rp_schema_srcfields() */
    uint32_t off; /* value offset in the doc's byte buffer */
    uint32_t len; /* value length in bytes */
} rp_docfield;

typedef struct rp_doc {
    rp_doctype type;
    rp_buf bytes;        /* owns the id, field values and extra JSON */
    uint32_t id_off;     /* external id: offset in bytes */
    uint32_t id_len;     /* 1..RP_ID_MAX_BYTES */
    rp_docfield *fields; /* owned array, in document order */
    size_t nfields;
    size_t cap;          /* allocated entries in fields */
    uint32_t extra_off;  /* compact JSON object text of members that are not
                            string fields (booleans, numbers, unknown
                            members); extra_len 0 when there are none */
    uint32_t extra_len;
} rp_doc;

/* Zeroes d without allocating. */
void rp_doc_init(rp_doc *d);

/* Frees what d owns and zeroes it; NULL is fine. */
void rp_doc_fini(rp_doc *d);

/* Empties d, keeping its allocations for reuse. */
void rp_doc_reset(rp_doc *d);

/* True if id[0..len) is a valid external id: 1..256 bytes of printable
 * ASCII (0x21..0x7E) other than '/'. */
int rp_doc_id_valid(const char *id, size_t len);

/* Sets the id after validating it. Returns 0, RP_EDOC (err gets "invalid
 * id: ...") or RP_ENOMEM. */
int rp_doc_set_id(rp_doc *d, const char *id, size_t len, rp_error *err);

/* Appends a string value for source field src (an entry of the schema
 * table). Returns 0, RP_EINVAL or RP_ENOMEM. */
int rp_doc_add_field(rp_doc *d, const rp_srcfield *src, const char *text,
                     size_t len);

/* Sets the extra JSON object text. Returns 0 or RP_ENOMEM. */
int rp_doc_set_extra(rp_doc *d, const char *json, size_t len);

/* Borrowed views, valid until d changes. */
const char *rp_doc_id(const rp_doc *d);
const char *rp_doc_value(const rp_doc *d, const rp_docfield *f);
const rp_srcfield *rp_doc_srcfield(const rp_docfield *f);

/* Appends d's stored record to out. Returns 0 or RP_ENOMEM. */
int rp_doc_encode(const rp_doc *d, rp_buf *out);

/* Decodes a stored record into d (reset first). Returns 0, RP_ECORRUPT or
 * RP_ENOMEM. */
int rp_doc_decode(const void *rec, size_t len, rp_doc *d);

/* Reads only the type and external id of a stored record; *id borrows from
 * rec. Returns 0 or RP_ECORRUPT. Cost: a few bytes read. */
int rp_doc_record_id(const void *rec, size_t len, rp_doctype *type,
                     const char **id, size_t *id_len);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * json: documents and API payloads to and from JSON. The only code that
 * includes cJSON.h. Every JSON text is first checked strictly
 * (jsoncheck.h), because cJSON accepts some invalid JSON.
 */
#ifndef RAPPORT_JSON_H
#define RAPPORT_JSON_H

#include <stddef.h>

#include "rapport/buf.h"
#include "rapport/doc.h"
#include "rapport/error.h"
#include "rapport/index.h"
#include "rapport/vocab.h"

/*
 * Decodes one document, a JSON object, into d (reset first).
 * Accepted: "id" (or BEIR's "_id"), "type" ("article" when absent,
 * "question", "specialist"), and the source fields of that type
 * (schema.h) with their JSON kinds; other members are kept in d's extra
 * JSON, stored and returned but not indexed.
 * Returns 0; RP_ETOOBIG (over RP_DOC_MAX_BYTES); RP_EJSON or RP_EUTF8 (not
 * strict JSON; err->offset is the byte); RP_EDOC (not an object, missing or
 * malformed id, unknown type, a field of the wrong kind, a bad date, a
 * duplicate field); RP_ENOMEM. err->msg names the problem and the field.
 */
int rp_json_decode_doc(const char *text, size_t len, rp_doc *d,
                       rp_error *err);

/* Appends d as one compact JSON object: id, type, its fields (array
 * fields as arrays) and its extra members. Returns 0 or RP_ENOMEM. */
int rp_json_encode_doc(const rp_doc *d, rp_buf *out);

/* Called with each top-level document of a JSON text: the bytes of one
 * object (or other value) and its 1-based line in the text. */
typedef int (*rp_json_elem_cb)(void *ctx, const char *elem, size_t len,
                               long line);

/*
 * Checks text strictly, then calls cb once with the whole value if it is
 * not an array, or once per element if it is an array (a .json file holds
 * one document or an array of them). Returns 0, RP_EJSON / RP_EUTF8 /
 * RP_ELIMIT (err: line and offset), or cb's non-zero value.
 */
int rp_json_elements(const char *text, size_t len, rp_json_elem_cb cb,
                     void *ctx, rp_error *err);

/*
 * Decodes a query line {"id" or "_id": string, "text" or "query": string}
 * (extra
 * members ignored) into id and text (appended, not NUL-terminated).
 * Returns 0, RP_EJSON / RP_EUTF8 / RP_EDOC with err set, or RP_ENOMEM.
 */
int rp_json_decode_query(const char *line, size_t len, rp_buf *id,
                         rp_buf *text, rp_error *err);

/*
 * Calls cb once per member of a query line's "filters" object, with its
 * facet (rp_schema_facet) and its values joined by commas: a string, an
 * array of strings, or true / false. No "filters" member: no call.
 * Returns 0, cb's non-zero value, RP_EJSON / RP_EDOC with err set (an
 * unknown facet, a value of another kind), or RP_ENOMEM.
 */
typedef int (*rp_json_filter_cb)(void *ctx, int facet, const char *values,
                                 size_t len);
int rp_json_query_filters(const char *line, size_t len, rp_json_filter_cb cb,
                          void *ctx, rp_error *err);

/* Walks a vocabulary file (corpus/vocabulary.json): calls concept for each
 * concern (kind 0) and approach (kind 1) with its id, label, canonical
 * match label and every phrase that names it (label, phrasings,
 * misspellings, abbreviations); calls rule for each synonym rule: an
 * equivalent group (one_way 0, terms in from) or a one-way rule (from ->
 * to). Strings are borrowed for the call. Returns 0, RP_EJSON / RP_EUTF8
 * (not strict JSON), RP_EDOC (a shape error; err names it), a callback's
 * non-zero value, or RP_ENOMEM. */
typedef int (*rp_vocab_concept_cb)(void *ctx, int kind, const char *id,
                                   const char *label, const char *match,
                                   const char *const *phrases, size_t n,
                                   const char *const *parents,
                                   size_t nparents);
typedef int (*rp_vocab_rule_cb)(void *ctx, int one_way,
                                const char *const *from, size_t nfrom,
                                const char *const *to, size_t nto);
int rp_json_vocabulary(const char *text, size_t len,
                       rp_vocab_concept_cb concept, rp_vocab_rule_cb rule,
                       void *ctx, rp_error *err);

/* Loads the concepts and synonym rules of a vocabulary file into v (see
 * vocab.h) and resolves parent ids (an unknown one is RP_EDOC). Returns as
 * rp_json_vocabulary. */
int rp_json_load_vocab(const char *text, size_t len, rp_vocab *v,
                       rp_error *err);

/* Checks a vocabulary file (it must load) and stores it in the index as
 * the "vocabulary" setting, in its own write transaction. Returns 0,
 * RP_EJSON / RP_EUTF8 / RP_EDOC (err says why), RP_EFULL, RP_ENOMEM. */
int rp_json_store_vocab(rp_index *ix, const char *text, size_t len,
                        rp_error *err);

/* Builds the vocabulary stored in the index (analysed with an); *out is
 * NULL when the index has none. Returns 0, RP_ECORRUPT (a stored
 * vocabulary that does not load) or RP_ENOMEM. */
int rp_json_index_vocab(rp_txn *txn, rp_analyzer *an, rp_vocab **out);

/* A document's facet values (see rp_facet) and fee range, as the index
 * files them: the callback gets each (facet, normalised value) once per
 * occurrence; fees are set when both fee_min and fee_max are numbers. */
typedef int (*rp_facet_cb)(void *ctx, int facet, const char *value,
                           size_t len);

/* Calls cb for d's type, its facet fields, and its booleans (from the
 * extra JSON: "true"/"false"); fills fees. Returns 0, cb's non-zero value,
 * or RP_ENOMEM. */
int rp_json_facets(const rp_doc *d, rp_facet_cb cb, void *ctx,
                   rp_fees *fees);

/* Appends what typo tolerance did to query q: the members
 * "corrected": {typed: written, ...} and, when cr offers it,
 * "did_you_mean": text, without braces (the caller places them in its
 * object). Nothing when cr holds no correction. Returns 0 or RP_ENOMEM. */
struct rp_corrected;
int rp_json_put_corrected(rp_buf *out, const char *q,
                          const struct rp_corrected *cr);

/* Appends s[0..len) as a JSON string literal (quoted, escaped). */
int rp_json_put_string(rp_buf *out, const char *s, size_t len);

#endif

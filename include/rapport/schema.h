/* SPDX-License-Identifier: MIT */
/*
 * schema: the document model as constant tables: the three document types,
 * the indexed fields with their default BM25F weights, and the source
 * fields each type accepts (name, JSON kind, which indexed field it feeds).
 * This is the one place weights live; nothing here allocates or holds state.
 */
#ifndef RAPPORT_SCHEMA_H
#define RAPPORT_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

/* Document types. 0 marks "no document" in storage. */
typedef enum rp_doctype {
    RP_DOC_NONE = 0,
    RP_DOC_ARTICLE = 1,
    RP_DOC_QUESTION = 2,
    RP_DOC_SPECIALIST = 3,
} rp_doctype;
#define RP_DOC_TYPES 4

/* Indexed fields. Several source fields may feed one indexed field (an
 * article's title and a specialist's name both go to RP_F_TITLE). */
typedef enum rp_field {
    RP_F_TITLE = 0,
    RP_F_SUMMARY = 1,
    RP_F_TAGS = 2,
    RP_F_APPROACHES = 3,
    RP_F_BODY = 4,
    RP_F_AUTHOR = 5,
    RP_F_LANGUAGES = 6,
    RP_F_PLACE = 7,
} rp_field;
#define RP_NFIELDS 8
#define RP_FIELD_ANY (-1)
#define RP_FIELD_ALL_MASK ((1u << RP_NFIELDS) - 1)

/* Kinds of source field, as they appear in a document's JSON. */
typedef enum rp_srckind {
    RP_SRC_TEXT,       /* string, indexed */
    RP_SRC_TEXT_ARRAY, /* array of strings, indexed, each element apart */
    RP_SRC_STRING,     /* string, stored only */
    RP_SRC_DATE,       /* "YYYY-MM-DD", stored only */
    RP_SRC_BOOL,       /* true/false, stored only */
    RP_SRC_NUMBER,     /* number, stored only */
} rp_srckind;

typedef struct rp_srcfield {
    const char *name;  /* JSON member name */
    unsigned types;    /* bit (1 << rp_doctype) for each type accepting it */
    rp_srckind kind;
    int field;         /* rp_field it feeds, or RP_FIELD_ANY if not indexed */
} rp_srcfield;

/* Facets: exact-value attributes for filters and counts. Documents carry
 * them in fields (concerns, tags, approaches, languages, city, country),
 * booleans (online ...) or their type. */
typedef enum rp_facet {
    RP_FACET_TYPE = 0,
    RP_FACET_CONCERNS = 1,   /* a specialist's concerns, a document's tags */
    RP_FACET_APPROACHES = 2,
    RP_FACET_LANGUAGES = 3,
    RP_FACET_CITY = 4,
    RP_FACET_COUNTRY = 5,
    RP_FACET_ONLINE = 6,
    RP_FACET_IN_PERSON = 7,
    RP_FACET_FREE_CONSULTATION = 8,
    RP_FACET_ACCEPTING_CLIENTS = 9,
    RP_FACET_CONCEPTS = 10,  /* vocabulary concepts a document is about
                                (tagged or mentioned), by concept id; only
                                in an index that holds a vocabulary */
} rp_facet;
#define RP_NFACETS 11
#define RP_FACET_VALUE_MAX 64 /* bytes of a normalised value */

/* A specialist's fee range. */
typedef struct rp_fees {
    int known;  /* both fee_min and fee_max are numbers */
    double min; /* fee_min */
    double max; /* fee_max */
} rp_fees;

/* The facet named name[0..len) ("concerns", "online" ...), or -1. */
int rp_schema_facet(const char *name, size_t len);

/* The name of a facet; "?" when out of range. Static. */
const char *rp_schema_facet_name(int facet);

/* The facet a source field feeds, or -1. */
int rp_schema_facet_of(const rp_srcfield *src);

/* Normalises a facet value into out[0..RP_FACET_VALUE_MAX): ASCII letters
 * lower-cased, leading and trailing whitespace removed, inner runs of
 * whitespace made one space. Returns the length, or 0 when the value is
 * empty or longer than RP_FACET_VALUE_MAX. */
size_t rp_schema_facet_value(const char *v, size_t len,
                             char out[RP_FACET_VALUE_MAX]);

/* The doc type named by name[0..len) ("article", ...), or RP_DOC_NONE. */
rp_doctype rp_schema_doctype(const char *name, size_t len);

/* "article", "question", "specialist"; "none" for anything else. Static. */
const char *rp_schema_doctype_name(rp_doctype t);

/* The indexed field named by name[0..len), canonical or alias ("title",
 * "name", "bio", "concerns", "city" ...), or RP_FIELD_ANY if none. */
int rp_schema_field(const char *name, size_t len);

/* The canonical name of an indexed field. Static; "?" when out of range. */
const char *rp_schema_field_name(int field);

/* Default BM25F weight of an indexed field (title and name above headline,
 * summary and tags above body and bio). */
float rp_schema_weight(int field);

/* The source field named name[0..len) for type t, or NULL when t does not
 * accept it (then it is stored and returned but not indexed). Static. */
const rp_srcfield *rp_schema_srcfield(rp_doctype t, const char *name,
                                      size_t len);

/* True if s[0..len) is a date as RP_SRC_DATE fields take it: YYYY-MM-DD,
 * a real day of the Gregorian calendar. */
int rp_schema_date_valid(const char *s, size_t len);

/* The source field table (count in *n), for iteration. Static. */
const rp_srcfield *rp_schema_srcfields(size_t *n);

#endif

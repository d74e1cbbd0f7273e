/* SPDX-License-Identifier: MIT */
/*
 * query: the hand-written recursive-descent parser from a query string to an
 * AST of boolean nodes over words and phrases. It only does syntax: leaves
 * keep their raw bytes, and the search module runs them through the same
 * analysis as documents. The AST lives in one allocation owned by rp_query.
 */
#ifndef RAPPORT_QUERY_H
#define RAPPORT_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "rapport/buf.h"
#include "rapport/error.h"

/* Limits; exceeding one is RP_ELIMIT with the offset where it happened. */
#define RP_QUERY_MAX_BYTES 4096
#define RP_QUERY_MAX_NODES 256
#define RP_QUERY_MAX_DEPTH 32

typedef enum rp_qkind {
    RP_Q_WORD,   /* one word as typed; may be a prefix (word*) */
    RP_Q_PHRASE, /* the text between double quotes */
    RP_Q_BOOL,   /* children combined by their occur */
} rp_qkind;

/* How a BOOL node combines a child (Lucene's BooleanClause semantics). */
typedef enum rp_qoccur {
    RP_OCCUR_SHOULD, /* plain clause; a BOOL without MUST children needs at
                        least one SHOULD child to match */
    RP_OCCUR_MUST,   /* +clause, or an operand of AND */
    RP_OCCUR_NOT,    /* -clause, or NOT clause: excludes matches */
} rp_qoccur;

typedef struct rp_qnode rp_qnode;
struct rp_qnode {
    rp_qkind kind;
    rp_qoccur occur; /* how the parent BOOL uses this node; the root is
                        SHOULD, or NOT for a purely negative query
                        ("NOT a", "-a"), which matches nothing */
    int field;       /* rp_field id from field:..., else RP_FIELD_ANY; set on
                        WORD and PHRASE, inherited from field:( ... ) */
    bool prefix;     /* WORD only: written with a trailing '*' */
    size_t off;      /* WORD/PHRASE: byte offset of the raw text in the query
                        (for a PHRASE, just after the opening quote) */
    size_t len;      /* raw text length in bytes (the '*' not included) */
    rp_qnode **kids; /* BOOL only: children, in query order */
    size_t nkids;
};

typedef struct rp_query rp_query;

/*
 * Parses q[0..len) (UTF-8).
 *
 * Syntax: plain words; "phrases"; +require; -exclude; field:word,
 * field:"phrase" and field:(...) where field is a name rp_schema_field()
 * knows; word* (prefix); AND, OR, NOT (upper case only) and parentheses.
 * Juxtaposed clauses form one BOOL node whose children are SHOULD unless
 * marked + (MUST) or - / NOT (NOT). "a AND b" is a BOOL of MUST children;
 * "a OR b" a BOOL of SHOULD children. Precedence, loosest first:
 * juxtaposition, then OR, then AND, then the unary +, -, NOT and field:, so
 * "a b AND c" is (a (+b +c)) and "a OR b c" is ((a b) c) (the grammar is
 * spelled out at the top of src/query.c).
 *
 * A query is structured if it contains parentheses, a known field: prefix,
 * or a standalone AND, OR or NOT. A malformed structured query fails with
 * RP_EQUERY and err->offset at the problem. A plain query never fails:
 * stray + and - are ignored and an unbalanced quote is dropped, the rest
 * read as words.
 *
 * Returns 0 and *out (free with rp_query_free), or RP_EQUERY, RP_ELIMIT,
 * RP_EUTF8 (invalid UTF-8), RP_ENOMEM; *out is NULL on failure. An empty or
 * all-punctuation query gives a root BOOL with no children. Thread-safe.
 */
int rp_query_parse(const char *q, size_t len, rp_query **out, rp_error *err);

/* The root node; borrowed, valid until rp_query_free. Never NULL. */
const rp_qnode *rp_query_root(const rp_query *query);

/* The query text the node offsets refer to (a copy owned by query). */
const char *rp_query_text(const rp_query *query);

/* True if the parser read the query as structured (see rp_query_parse). */
bool rp_query_structured(const rp_query *query);

/* Frees query; NULL is fine. */
void rp_query_free(rp_query *query);

/*
 * Appends a canonical S-expression of the AST to out, for tests and
 * debugging: BOOL as "(" children ")" separated by spaces, each child
 * prefixed with "+" (MUST) or "-" (NOT); WORD as its raw text, with "*" when
 * prefix; PHRASE as "\"raw text\""; a field as "name:" before the leaf with
 * the canonical field name. Example: "anxiety +title:sleep -\"panic attack\""
 * dumps as "(anxiety +title:sleep -\"panic attack\")". Returns 0 or
 * RP_ENOMEM.
 */
int rp_query_dump(const rp_query *query, rp_buf *out);

#endif

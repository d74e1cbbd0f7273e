/* SPDX-License-Identifier: MIT */
/*
 * fuzz_query: feeds arbitrary bytes to rp_query_parse. On success it dumps
 * the AST and checks the parser's invariants: every leaf span lies inside
 * the text and is non-empty, phrases sit between quotes, children are
 * non-NULL, the node count stays within RP_QUERY_MAX_NODES, and the dump
 * parses back to the same dump unless a limit is hit. On failure, *out is
 * NULL, the code is one the contract names, and a query with no
 * parenthesis, colon or operator word never fails on syntax. Any violation
 * calls abort().
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rapport/buf.h"
#include "rapport/query.h"
#include "rapport/schema.h"

const char *const fuzz_shared_seeds[] = {"badinput/blns.txt", NULL};

static int has(const uint8_t *d, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(d + i, s, k) == 0)
            return 1;
    return 0;
}

/* A necessary condition for a structured query: a parenthesis, a colon
 * (for field:), or an upper-case operator word. */
static int maybe_structured(const uint8_t *d, size_t n)
{
    return has(d, n, "(") || has(d, n, ")") || has(d, n, ":") ||
           has(d, n, "AND") || has(d, n, "OR") || has(d, n, "NOT");
}

/* Walks n and returns the number of nodes under it, itself included. */
static size_t check_node(const rp_query *q, const rp_qnode *n, size_t len,
                         int is_root)
{
    const char *text = rp_query_text(q);
    if (n == NULL)
        abort();
    if (n->occur != RP_OCCUR_SHOULD && n->occur != RP_OCCUR_MUST &&
        n->occur != RP_OCCUR_NOT)
        abort();
    if (n->kind == RP_Q_BOOL) {
        if (n->nkids > 0 && n->kids == NULL)
            abort();
        /* One-child BOOLs are collapsed; only the root may be empty. */
        if (n->nkids == 1 || (n->nkids == 0 && !is_root))
            abort();
        size_t count = 1;
        for (size_t i = 0; i < n->nkids; i++)
            count += check_node(q, n->kids[i], len, 0);
        return count;
    }
    if (n->kind != RP_Q_WORD && n->kind != RP_Q_PHRASE)
        abort();
    if (n->len == 0 || n->off > len || n->len > len - n->off)
        abort();
    if (n->field < RP_FIELD_ANY || n->field >= RP_NFIELDS)
        abort();
    if (n->kind == RP_Q_PHRASE) {
        if (n->prefix || n->off == 0 || text[n->off - 1] != '"' ||
            n->off + n->len >= len || text[n->off + n->len] != '"' ||
            memchr(text + n->off, '"', n->len) != NULL)
            abort();
    } else {
        for (size_t i = n->off; i < n->off + n->len; i++) {
            char c = text[i];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
                c == '(' || c == ')' || c == '"')
                abort();
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_query *q = NULL;
    rp_error err;
    rp_error_clear(&err);
    int rc = rp_query_parse((const char *)data, size, &q, &err);
    if (rc != 0) {
        if (q != NULL || err.code != rc)
            abort();
        if (rc != RP_EQUERY && rc != RP_ELIMIT && rc != RP_EUTF8)
            abort();
        if (err.offset > size)
            abort();
        /* Plain queries never fail on syntax. */
        if (rc == RP_EQUERY && !maybe_structured(data, size))
            abort();
        return 0;
    }
    const rp_qnode *root = rp_query_root(q);
    if (root == NULL || memcmp(rp_query_text(q), data, size) != 0 ||
        rp_query_text(q)[size] != '\0')
        abort();
    if (check_node(q, root, size, 1) > RP_QUERY_MAX_NODES)
        abort();

    rp_buf b = RP_BUF_INIT;
    if (rp_query_dump(q, &b) != 0 || b.len == 0)
        abort();
    /* The dump is canonical: it parses back to itself, unless it grew past
     * a limit ("name:" dumps as "title:", implicit groups add parens). */
    if (root->kind != RP_Q_BOOL || root->nkids > 0) {
        rp_query *again = NULL;
        rc = rp_query_parse((const char *)b.data, b.len, &again, NULL);
        if (rc == 0) {
            rp_buf b2 = RP_BUF_INIT;
            if (rp_query_dump(again, &b2) != 0 || b2.len != b.len ||
                memcmp(b2.data, b.data, b.len) != 0)
                abort();
            rp_buf_fini(&b2);
            rp_query_free(again);
        } else if (rc != RP_ELIMIT) {
            abort();
        }
    }
    rp_buf_fini(&b);
    rp_query_free(q);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * query: a hand-written recursive-descent parser from a query string to an
 * AST of BOOL nodes over WORD and PHRASE leaves. It owns one allocation per
 * query (fixed node and child arrays plus a copy of the text), so freeing is
 * one call. It does syntax only: leaves keep their raw bytes and must not be
 * analysed (tokenized, stemmed) here.
 *
 * Grammar (tokens are separated by ASCII space, tab, CR or LF):
 *
 *   query   := clauses EOF
 *   clauses := clause*             juxtaposition: one BOOL, children keep
 *                                  their occur (SHOULD unless marked)
 *   clause  := orexpr
 *   orexpr  := andexpr ( "OR" andexpr )*     a BOOL of its operands when
 *                                            there is more than one
 *   andexpr := unary ( "AND" unary )*        a BOOL of MUST operands when
 *                                            there is more than one; a NOT
 *                                            operand stays NOT
 *   unary   := "+" unary | "-" unary | "NOT" unary | primary
 *   primary := FIELD primary | "(" clauses ")" | PHRASE | WORD
 *
 * Lexical rules:
 *   - WORD is a maximal run of bytes other than whitespace, '(', ')' and
 *     '"'. A leading run of '+'/'-' is a SIGN token instead, but only when
 *     the byte right after the run starts an operand (a word, a phrase, a
 *     '(', a field or NOT); otherwise the signs are noise and dropped.
 *     Inside a word, '+' and '-' are ordinary bytes ("c++").
 *   - Trailing '*'s make a WORD a prefix; they are not part of its span.
 *   - FIELD is "name:" at the start of a word, where rp_schema_field()
 *     knows name; the rest of the word is lexed as the next token, in which
 *     leading signs and AND/OR/NOT are plain text ("title:-x", "title:NOT").
 *     A word whose part before ':' is not a field name stays one word.
 *   - AND, OR and NOT are operators only as whole words in upper case.
 *   - PHRASE is the bytes between a '"' and the next '"'.
 *   - Noise is dropped: a word or phrase with no ASCII letter or digit and
 *     no non-ASCII byte ("!!!", "*", "\"\""), and lone signs. It can never
 *     yield a search term.
 *
 * A query is structured if its plain-mode token stream holds '(', ')', a
 * FIELD, AND, OR or NOT. Plain queries cannot fail on syntax: an
 * unterminated '"' is dropped and the rest read as words. Structured ones
 * fail with RP_EQUERY at the offending offset.
 *
 * Simplification: a BOOL that would have one child is not built; the child
 * stands in its place with occur combine(outer, child) = NOT if either is
 * NOT, else outer. Hence "(a)" is a, "+a" at the root is a (the root's
 * occur is SHOULD), and "NOT a" at the root is a with occur NOT.
 *
 * Recursion happens only through parentheses (bounded by
 * RP_QUERY_MAX_DEPTH): runs of unary operators and of fields are loops.
 */
#include "rapport/query.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/schema.h"
#include "rapport/utf8.h"

struct rp_query {
    rp_qnode *root;                       /* never NULL once parsed */
    bool structured;                      /* see rp_query_structured */
    size_t nnodes;                        /* nodes[] in use */
    size_t nkids;                         /* kids[] slots in use */
    size_t len;                           /* bytes of text, without NUL */
    rp_qnode nodes[RP_QUERY_MAX_NODES];   /* every node of the AST */
    rp_qnode *kids[RP_QUERY_MAX_NODES];   /* children arrays, back to back;
                                             each node is a child at most
                                             once, so this never runs out */
    char text[];                          /* the query, NUL-terminated */
};

typedef enum tkind {
    TK_EOF,
    TK_WORD,     /* text_off/text_len, prefix */
    TK_PHRASE,   /* text_off/text_len: between the quotes */
    TK_LPAREN,
    TK_RPAREN,
    TK_FIELD,    /* field; text_off/text_len: the name as typed */
    TK_SIGN,     /* a run of '+'/'-' before an operand; occur */
    TK_AND,
    TK_OR,
    TK_NOT,
    TK_BADQUOTE, /* structured mode: '"' without a closing '"' */
    TK_NOISE,    /* lexer-internal: dropped bytes */
} tkind;

typedef struct token {
    tkind kind;
    size_t off;       /* first byte of the token */
    size_t end;       /* first byte after the token */
    size_t text_off;  /* WORD, PHRASE: raw text; FIELD: name */
    size_t text_len;  /* bytes at text_off */
    bool prefix;      /* WORD: trailing '*' */
    int field;        /* FIELD: rp_field id */
    rp_qoccur occur;  /* SIGN: MUST, or NOT if the run holds a '-' */
} token;

typedef struct parser {
    const char *q;        /* the query's own copy of the text */
    size_t len;           /* bytes in q */
    bool structured;      /* decided by scan_structured before parsing */
    rp_query *qr;         /* receives the nodes */
    token tok;            /* the current (lookahead) token */
    int depth;            /* open parentheses around the current point */
    size_t sp;            /* entries in stack */
    rp_qnode *stack[RP_QUERY_MAX_NODES]; /* operands of open lists; holds
                                            distinct nodes, so it cannot
                                            overflow */
    rp_error *err;        /* may be NULL */
} parser;

/* RP_QUERY_MAX_NODES as text, for messages. */
#define STR2(x) #x
#define STR(x) STR2(x)

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Ends a word: whitespace, parentheses and the quote. */
static bool is_delim(char c)
{
    return is_space(c) || c == '(' || c == ')' || c == '"';
}

/* True if s[0..n) can yield no search term: no ASCII letter or digit and
 * no byte of a non-ASCII character. */
static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
            (c >= 'A' && c <= 'Z'))
            return false;
    }
    return true;
}

static bool word_is(const char *s, size_t n, const char *kw)
{
    return strlen(kw) == n && memcmp(s, kw, n) == 0;
}

/*
 * Lexes the one thing that starts at q[pos] (pos < len, not whitespace)
 * into *t, which may be TK_NOISE. bare: this byte directly follows a
 * field's ':', so leading signs and AND/OR/NOT are plain word text.
 */
static void lex_one(const parser *p, size_t pos, bool bare, token *t)
{
    const char *q = p->q;
    size_t len = p->len;
    memset(t, 0, sizeof *t);
    t->off = pos;
    t->end = pos + 1;
    t->field = RP_FIELD_ANY;
    t->occur = RP_OCCUR_SHOULD;
    char c = q[pos];

    if (c == '(' || c == ')') {
        t->kind = c == '(' ? TK_LPAREN : TK_RPAREN;
        return;
    }
    if (c == '"') {
        const char *close = memchr(q + pos + 1, '"', len - pos - 1);
        if (close == NULL) {
            /* Plain mode drops the quote and reads on as words. */
            t->kind = p->structured ? TK_BADQUOTE : TK_NOISE;
            return;
        }
        t->text_off = pos + 1;
        t->text_len = (size_t)(close - (q + pos + 1));
        t->end = (size_t)(close - q) + 1;
        t->kind = is_blank(q + t->text_off, t->text_len) ? TK_NOISE
                                                         : TK_PHRASE;
        return;
    }
    if ((c == '+' || c == '-') && !bare) {
        size_t k = pos;
        bool neg = false;
        while (k < len && (q[k] == '+' || q[k] == '-'))
            neg |= q[k++] == '-';
        t->end = k;
        t->kind = TK_NOISE;
        if (k < len && !is_space(q[k])) {
            /* q[k] is neither a sign nor whitespace, so this does not
             * recurse any further. */
            token next;
            lex_one(p, k, false, &next);
            switch (next.kind) {
            case TK_WORD:
            case TK_PHRASE:
            case TK_LPAREN:
            case TK_FIELD:
            case TK_NOT:
            case TK_BADQUOTE:
                t->kind = TK_SIGN;
                t->occur = neg ? RP_OCCUR_NOT : RP_OCCUR_MUST;
                break;
            default:
                break;
            }
        }
        return;
    }

    /* A word run; first see whether it starts with a known "field:". */
    size_t e = pos;
    while (e < len && !is_delim(q[e]) && q[e] != ':')
        e++;
    if (e < len && q[e] == ':' && e > pos) {
        int f = rp_schema_field(q + pos, e - pos);
        if (f != RP_FIELD_ANY) {
            t->kind = TK_FIELD;
            t->field = f;
            t->text_off = pos;
            t->text_len = e - pos;
            t->end = e + 1;
            return;
        }
    }
    while (e < len && !is_delim(q[e]))
        e++;
    t->end = e;
    if (!bare) {
        if (word_is(q + pos, e - pos, "AND")) {
            t->kind = TK_AND;
            return;
        }
        if (word_is(q + pos, e - pos, "OR")) {
            t->kind = TK_OR;
            return;
        }
        if (word_is(q + pos, e - pos, "NOT")) {
            t->kind = TK_NOT;
            return;
        }
    }
    size_t w = e;
    while (w > pos && q[w - 1] == '*')
        w--;
    t->prefix = w < e;
    t->text_off = pos;
    t->text_len = w - pos;
    t->kind = is_blank(q + pos, w - pos) ? TK_NOISE : TK_WORD;
}

/* Lexes the next token at or after pos, skipping whitespace and noise. */
static void lex(const parser *p, size_t pos, bool bare, token *t)
{
    for (;;) {
        while (pos < p->len && is_space(p->q[pos])) {
            pos++;
            bare = false;
        }
        if (pos >= p->len) {
            memset(t, 0, sizeof *t);
            t->kind = TK_EOF;
            t->off = t->end = p->len;
            t->field = RP_FIELD_ANY;
            return;
        }
        lex_one(p, pos, bare, t);
        if (t->kind != TK_NOISE)
            return;
        pos = t->end;
        bare = false;
    }
}

/* Decides plain or structured with one plain-mode pass of the lexer, so
 * quotes are respected exactly as the parser will see them. */
static bool scan_structured(const parser *p)
{
    token t;
    size_t pos = 0;
    for (;;) {
        lex(p, pos, false, &t);
        switch (t.kind) {
        case TK_EOF:
            return false;
        case TK_LPAREN:
        case TK_RPAREN:
        case TK_FIELD:
        case TK_AND:
        case TK_OR:
        case TK_NOT:
            return true;
        default:
            pos = t.end;
        }
    }
}

/* Moves to the next token; a lexical error surfaces here. */
static int advance(parser *p)
{
    lex(p, p->tok.end, p->tok.kind == TK_FIELD, &p->tok);
    if (p->tok.kind == TK_BADQUOTE)
        return rp_error_set(p->err, RP_EQUERY, p->tok.off,
                            "unterminated phrase at offset %zu",
                            p->tok.off);
    return 0;
}

static bool starts_unary(tkind k)
{
    return k == TK_WORD || k == TK_PHRASE || k == TK_LPAREN ||
           k == TK_FIELD || k == TK_SIGN || k == TK_NOT;
}

static const char *op_name(tkind k)
{
    return k == TK_AND ? "AND" : k == TK_OR ? "OR" : "NOT";
}

/* The occur of a node standing in for a one-child BOOL or carrying a unary
 * operator: an exclusion anywhere stays an exclusion; otherwise the outer
 * occur decides (so "(+a)" as a clause is a plain SHOULD a). */
static rp_qoccur combine(rp_qoccur outer, rp_qoccur inner)
{
    if (outer == RP_OCCUR_NOT || inner == RP_OCCUR_NOT)
        return RP_OCCUR_NOT;
    return outer;
}

static int new_node(parser *p, rp_qkind kind, size_t off, rp_qnode **out)
{
    rp_query *qr = p->qr;
    if (qr->nnodes >= RP_QUERY_MAX_NODES)
        return rp_error_set(p->err, RP_ELIMIT, off,
                            "query has more than " STR(RP_QUERY_MAX_NODES)
                            " terms and groups (at offset %zu)",
                            off);
    rp_qnode *n = &qr->nodes[qr->nnodes++];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->occur = RP_OCCUR_SHOULD;
    n->field = RP_FIELD_ANY;
    *out = n;
    return 0;
}

static void push(parser *p, rp_qnode *n)
{
    /* Entries are distinct nodes, at most RP_QUERY_MAX_NODES of them. */
    p->stack[p->sp++] = n;
}

/* Pops the operands pushed since base into *out: NULL for none, the node
 * itself for one, else a new BOOL (occur SHOULD) with them as children. */
static int pop_list(parser *p, size_t base, rp_qnode **out)
{
    size_t n = p->sp - base;
    *out = NULL;
    if (n == 0)
        return 0;
    if (n == 1) {
        *out = p->stack[base];
        p->sp = base;
        return 0;
    }
    rp_qnode *b;
    int rc = new_node(p, RP_Q_BOOL, p->tok.off, &b);
    if (rc != 0)
        return rc;
    rp_query *qr = p->qr;
    b->kids = &qr->kids[qr->nkids];
    b->nkids = n;
    memcpy(b->kids, &p->stack[base], n * sizeof *b->kids);
    qr->nkids += n;
    p->sp = base;
    *out = b;
    return 0;
}

/* Sets field on every leaf under n that has none of its own. */
static void apply_field(rp_qnode *n, int field)
{
    if (n->kind != RP_Q_BOOL) {
        if (n->field == RP_FIELD_ANY)
            n->field = field;
        return;
    }
    for (size_t i = 0; i < n->nkids; i++)
        apply_field(n->kids[i], field);
}

static int parse_clauses(parser *p, size_t lparen, rp_qnode **out);

/* primary := FIELD primary | "(" clauses ")" | PHRASE | WORD */
static int parse_primary(parser *p, rp_qnode **out)
{
    int rc;
    token field = {.kind = TK_EOF};
    bool has_field = false;
    /* Only the innermost field matters: it wins over the outer ones. */
    while (p->tok.kind == TK_FIELD) {
        field = p->tok;
        has_field = true;
        if ((rc = advance(p)) != 0)
            return rc;
    }
    rp_qnode *n = NULL;
    token t = p->tok;
    switch (t.kind) {
    case TK_WORD:
    case TK_PHRASE:
        rc = new_node(p, t.kind == TK_WORD ? RP_Q_WORD : RP_Q_PHRASE,
                      t.off, &n);
        if (rc != 0)
            return rc;
        n->off = t.text_off;
        n->len = t.text_len;
        n->prefix = t.prefix;
        if ((rc = advance(p)) != 0)
            return rc;
        break;
    case TK_LPAREN:
        if (p->depth >= RP_QUERY_MAX_DEPTH)
            return rp_error_set(p->err, RP_ELIMIT, t.off,
                                "parentheses nested deeper than " STR(
                                    RP_QUERY_MAX_DEPTH) " at offset %zu",
                                t.off);
        p->depth++;
        if ((rc = advance(p)) != 0 ||
            (rc = parse_clauses(p, t.off, &n)) != 0)
            return rc;
        /* parse_clauses stops only at the matching ')'. */
        p->depth--;
        if ((rc = advance(p)) != 0)
            return rc;
        break;
    default:
        if (has_field)
            return rp_error_set(p->err, RP_EQUERY, field.off,
                                "field '%.*s:' at offset %zu needs a term",
                                (int)field.text_len, p->q + field.text_off,
                                field.off);
        /* Callers check starts_unary first, so this is defensive. */
        return rp_error_set(p->err, RP_EQUERY, t.off,
                            "expected a term at offset %zu", t.off);
    }
    if (has_field)
        apply_field(n, field.field);
    *out = n;
    return 0;
}

/* unary := ("+" | "-" | "NOT")* primary, as a loop. */
static int parse_unary(parser *p, rp_qnode **out)
{
    int rc;
    rp_qoccur occ = RP_OCCUR_SHOULD;
    for (;;) {
        token t = p->tok;
        if (t.kind == TK_SIGN) {
            occ = combine(t.occur, occ);
        } else if (t.kind == TK_NOT) {
            occ = RP_OCCUR_NOT;
        } else {
            break;
        }
        if ((rc = advance(p)) != 0)
            return rc;
        if (!starts_unary(p->tok.kind))
            return rp_error_set(p->err, RP_EQUERY, t.off,
                                t.kind == TK_NOT
                                    ? "NOT at offset %zu needs an operand"
                                    : "sign at offset %zu needs an operand",
                                t.off);
    }
    rp_qnode *n = NULL;
    if ((rc = parse_primary(p, &n)) != 0)
        return rc;
    n->occur = combine(occ, n->occur);
    *out = n;
    return 0;
}

/* andexpr := unary ("AND" unary)*  and  orexpr := andexpr ("OR" andexpr)*;
 * op says which level this is. */
static int parse_binary(parser *p, tkind op, rp_qnode **out)
{
    int rc;
    size_t base = p->sp;
    for (;;) {
        rp_qnode *n = NULL;
        rc = op == TK_AND ? parse_unary(p, &n) : parse_binary(p, TK_AND, &n);
        if (rc != 0)
            return rc;
        push(p, n);
        if (p->tok.kind != op)
            break;
        token t = p->tok;
        if ((rc = advance(p)) != 0)
            return rc;
        if (!starts_unary(p->tok.kind))
            return rp_error_set(p->err, RP_EQUERY, t.off,
                                "%s at offset %zu needs a right-hand operand",
                                op_name(op), t.off);
    }
    if (op == TK_AND && p->sp - base > 1)
        for (size_t i = base; i < p->sp; i++)
            p->stack[i]->occur = combine(RP_OCCUR_MUST, p->stack[i]->occur);
    return pop_list(p, base, out);
}

/*
 * clauses := clause*, up to EOF (top level, lparen == SIZE_MAX) or up to the
 * ')' matching the '(' at offset lparen. *out is NULL when there are no
 * clauses (top level only; an empty group is an error).
 */
static int parse_clauses(parser *p, size_t lparen, rp_qnode **out)
{
    int rc;
    size_t base = p->sp;
    bool nested = lparen != SIZE_MAX;
    for (;;) {
        token t = p->tok;
        if (t.kind == TK_EOF) {
            if (nested)
                return rp_error_set(p->err, RP_EQUERY, lparen,
                                    "unbalanced '(' at offset %zu", lparen);
            break;
        }
        if (t.kind == TK_RPAREN) {
            if (nested)
                break;
            return rp_error_set(p->err, RP_EQUERY, t.off,
                                "')' at offset %zu without matching '('",
                                t.off);
        }
        if (t.kind == TK_AND || t.kind == TK_OR)
            return rp_error_set(p->err, RP_EQUERY, t.off,
                                "%s at offset %zu needs a left-hand operand",
                                op_name(t.kind), t.off);
        rp_qnode *n = NULL;
        if ((rc = parse_binary(p, TK_OR, &n)) != 0)
            return rc;
        push(p, n);
    }
    if (nested && p->sp == base)
        return rp_error_set(p->err, RP_EQUERY, lparen,
                            "empty parentheses at offset %zu", lparen);
    bool single = p->sp - base == 1;
    if ((rc = pop_list(p, base, out)) != 0)
        return rc;
    if (single)
        (*out)->occur = combine(RP_OCCUR_SHOULD, (*out)->occur);
    return 0;
}

int rp_query_parse(const char *q, size_t len, rp_query **out, rp_error *err)
{
    if (out == NULL)
        return rp_error_set(err, RP_EINVAL, 0, "no output for the query");
    *out = NULL;
    if (q == NULL && len > 0)
        return rp_error_set(err, RP_EINVAL, 0, "query text is NULL");
    if (len > RP_QUERY_MAX_BYTES)
        return rp_error_set(err, RP_ELIMIT, RP_QUERY_MAX_BYTES,
                            "query longer than " STR(RP_QUERY_MAX_BYTES)
                            " bytes");
    /* Strict (RFC 3629): no overlongs, surrogates or code points above
     * U+10FFFF. Checked before syntax, so bad bytes always give RP_EUTF8. */
    size_t bad = 0;
    if (len > 0 && rp_utf8_validate(q, len, &bad) != 0)
        return rp_error_set(err, RP_EUTF8, bad,
                            "invalid UTF-8 at offset %zu", bad);

    rp_query *qr = malloc(sizeof *qr + len + 1);
    if (qr == NULL)
        return rp_error_set(err, RP_ENOMEM, 0, "out of memory");
    qr->root = NULL;
    qr->nnodes = 0;
    qr->nkids = 0;
    qr->len = len;
    if (len > 0)
        memcpy(qr->text, q, len);
    qr->text[len] = '\0';

    /* The parser holds a 2 KiB operand stack: fine on any thread stack. */
    parser p;
    memset(&p, 0, sizeof p);
    p.q = qr->text;
    p.len = len;
    p.qr = qr;
    p.err = err;
    p.structured = scan_structured(&p);
    qr->structured = p.structured;
    p.tok.kind = TK_EOF; /* anything but TK_FIELD, ending at 0 */
    p.tok.end = 0;

    rp_qnode *root = NULL;
    int rc = advance(&p);
    if (rc == 0)
        rc = parse_clauses(&p, SIZE_MAX, &root);
    if (rc == 0 && root == NULL) {
        rc = new_node(&p, RP_Q_BOOL, 0, &root);
        if (rc == 0)
            root->kids = &qr->kids[qr->nkids];
    }
    if (rc != 0) {
        free(qr);
        return rc;
    }
    qr->root = root;
    *out = qr;
    return 0;
}

const rp_qnode *rp_query_root(const rp_query *query)
{
    return query->root;
}

const char *rp_query_text(const rp_query *query)
{
    return query->text;
}

bool rp_query_structured(const rp_query *query)
{
    return query->structured;
}

void rp_query_free(rp_query *query)
{
    free(query);
}

static void dump_node(const rp_query *qr, const rp_qnode *n, rp_buf *out,
                      int *rc)
{
    if (n->occur == RP_OCCUR_MUST)
        rp_buf_append_rc(out, "+", 1, rc);
    else if (n->occur == RP_OCCUR_NOT)
        rp_buf_append_rc(out, "-", 1, rc);
    if (n->kind == RP_Q_BOOL) {
        rp_buf_append_rc(out, "(", 1, rc);
        for (size_t i = 0; i < n->nkids; i++) {
            if (i > 0)
                rp_buf_append_rc(out, " ", 1, rc);
            dump_node(qr, n->kids[i], out, rc);
        }
        rp_buf_append_rc(out, ")", 1, rc);
        return;
    }
    if (n->field != RP_FIELD_ANY) {
        const char *name = rp_schema_field_name(n->field);
        rp_buf_append_rc(out, name, strlen(name), rc);
        rp_buf_append_rc(out, ":", 1, rc);
    }
    if (n->kind == RP_Q_PHRASE)
        rp_buf_append_rc(out, "\"", 1, rc);
    rp_buf_append_rc(out, qr->text + n->off, n->len, rc);
    if (n->kind == RP_Q_PHRASE)
        rp_buf_append_rc(out, "\"", 1, rc);
    else if (n->prefix)
        rp_buf_append_rc(out, "*", 1, rc);
}

int rp_query_dump(const rp_query *query, rp_buf *out)
{
    if (query == NULL || out == NULL)
        return RP_EINVAL;
    int rc = 0;
    dump_node(query, query->root, out, &rc);
    return rc;
}

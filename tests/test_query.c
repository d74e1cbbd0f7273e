/* SPDX-License-Identifier: MIT */
/*
 * test_query: the query parser, checked through its canonical dump for
 * plain and structured queries, through the exact code, offset and message
 * of each syntax error, and through the limits (bytes, nodes, depth) and
 * UTF-8 validation. Leaf spans are compared byte for byte with the text.
 */
#include "t.h"

#include "rapport/buf.h"
#include "rapport/query.h"
#include "rapport/schema.h"

/* Parses q and compares its dump with want; fails the test at line. */
static void check_dump(const char *q, const char *want, int line)
{
    rp_query *query = NULL;
    rp_error err;
    rp_error_clear(&err);
    int rc = rp_query_parse(q, strlen(q), &query, &err);
    if (rc != 0)
        T_FAIL("line %d: parse(\"%s\"): rc %d (%s) at %zu: %s", line, q, rc,
               rp_strerror(rc), err.offset, err.msg);
    if (query == NULL)
        T_FAIL("line %d: parse(\"%s\") gave no query", line, q);
    rp_buf b = RP_BUF_INIT;
    ASSERT_OK(rp_query_dump(query, &b));
    ASSERT_OK(rp_buf_append(&b, "", 1));
    if (strcmp((const char *)b.data, want) != 0)
        T_FAIL("line %d: dump(\"%s\") = \"%s\", want \"%s\"", line, q,
               (const char *)b.data, want);
    rp_buf_fini(&b);
    rp_query_free(query);
}
#define DUMP(q, want) check_dump((q), (want), __LINE__)

/* Parses q[0..len) and expects failure with code at offset, with msg (if
 * not NULL) a substring of the message, and *out reset to NULL. */
static void check_err(const char *q, size_t len, int code, size_t offset,
                      const char *msg, int line)
{
    rp_query *query = (rp_query *)&query; /* not NULL: must be reset */
    rp_error err;
    rp_error_clear(&err);
    int rc = rp_query_parse(q, len, &query, &err);
    if (rc != code)
        T_FAIL("line %d: parse(\"%.*s\"): rc %d (%s), want %d (%s)", line,
               (int)(len > 60 ? 60 : len), q, rc, rp_strerror(rc), code,
               rp_strerror(code));
    if (query != NULL)
        T_FAIL("line %d: *out not NULL after failure", line);
    if (err.code != code)
        T_FAIL("line %d: err.code %d, want %d", line, err.code, code);
    if (err.offset != offset)
        T_FAIL("line %d: parse(\"%.*s\"): offset %zu, want %zu (%s)", line,
               (int)(len > 60 ? 60 : len), q, err.offset, offset, err.msg);
    if (msg != NULL && strstr(err.msg, msg) == NULL)
        T_FAIL("line %d: message \"%s\" lacks \"%s\"", line, err.msg, msg);
}
#define ERR(q, code, off, msg)                                                 \
    check_err((q), strlen(q), (code), (off), (msg), __LINE__)

/* Parses q, which must succeed, and returns the query. */
static rp_query *parse_ok(const char *q, size_t len)
{
    rp_query *query = NULL;
    rp_error err;
    rp_error_clear(&err);
    int rc = rp_query_parse(q, len, &query, &err);
    if (rc != 0)
        T_FAIL("parse: rc %d (%s) at %zu: %s", rc, rp_strerror(rc),
               err.offset, err.msg);
    ASSERT(query != NULL);
    ASSERT(rp_query_root(query) != NULL);
    return query;
}

static void test_dump_plain(void)
{
    DUMP("anxiety", "anxiety");
    DUMP("grief loss", "(grief loss)");
    DUMP("+sleep -alcohol therapy", "(+sleep -alcohol therapy)");
    DUMP("\"panic attack\" breathing", "(\"panic attack\" breathing)");
    DUMP("trauma*", "trauma*");
    DUMP("trauma** care", "(trauma* care)");
    DUMP("a*b", "a*b");
    DUMP("c++ post-traumatic ratio:3", "(c++ post-traumatic ratio:3)");
    DUMP("ratio:3", "ratio:3");
    DUMP("Text: my therapist", "(Text: my therapist)");
    DUMP("anxiety and depression or not", "(anxiety and depression or not)");
    DUMP("ANDROID ORBIT NOTE", "(ANDROID ORBIT NOTE)");
    DUMP("AND*", "AND*");
    DUMP("  \t\r\nanxiety\n", "anxiety");
    DUMP("\xc3\xa5ngest oro", "(\xc3\xa5ngest oro)");
    DUMP("\xe2\x80\x94", "\xe2\x80\x94"); /* a non-ASCII word is kept */
    DUMP("foo\"bar\"baz", "(foo \"bar\" baz)");
    DUMP("\"a\"\"b\"", "(\"a\" \"b\")");
    DUMP("+1 -2", "(+1 -2)");
}

static void test_dump_signs(void)
{
    DUMP("+a", "a"); /* the root's occur is SHOULD */
    DUMP("-a", "-a");
    DUMP("+-a", "-a"); /* NOT wins over MUST */
    DUMP("-+a b", "(-a b)");
    DUMP("--a b", "(-a b)");
    DUMP("a - b", "(a b)"); /* a lone sign is ignored */
    DUMP("a -- b +", "(a b)");
    DUMP("a -\"panic attack\"", "(a -\"panic attack\")");
    DUMP("a -* b", "(a b)"); /* '*' alone is punctuation */
    DUMP("a+b a-b", "(a+b a-b)");
}

static void test_dump_empty(void)
{
    DUMP("", "()");
    DUMP("   \t\n", "()");
    DUMP("+ - \"\" *", "()");
    DUMP("!!! ??? ...", "()");
    DUMP("\"\"", "()");
    DUMP("\"   \"", "()");
    DUMP("a \"\" b", "(a b)");
}

static void test_dump_quotes_plain(void)
{
    DUMP("fear of \"abandonment", "(fear of abandonment)");
    DUMP("a \"b c\" \"d", "(a \"b c\" d)");
    DUMP("\"", "()");
    DUMP("\"a OR b\"", "\"a OR b\"");
    DUMP("\"(a\" b", "(\"(a\" b)");
}

static void test_dump_fields(void)
{
    DUMP("title:anxiety", "title:anxiety");
    DUMP("name:smith", "title:smith");
    DUMP("bio:(grief loss)", "(body:grief body:loss)");
    DUMP("title:\"panic attack\"", "title:\"panic attack\"");
    DUMP("title:(a body:b)", "(title:a body:b)");
    DUMP("title:body:x", "body:x");
    DUMP("title:-x", "title:-x");
    DUMP("title:NOT", "title:NOT");
    DUMP("title: anxiety", "title:anxiety");
    DUMP("-title:x y", "(-title:x y)");
    DUMP("title:trauma*", "title:trauma*");
    DUMP("city:oslo concerns:grief", "(place:oslo tags:grief)");
    DUMP("title:(a OR b) c", "((title:a title:b) c)");
    DUMP("unknownfield:(a)", "(unknownfield: a)");
    DUMP("tags:(\"a b\" (c -d))", "(tags:\"a b\" (tags:c -tags:d))");
}

static void test_dump_operators(void)
{
    DUMP("a AND b", "(+a +b)");
    DUMP("a OR b", "(a b)");
    DUMP("a b AND c", "(a (+b +c))");
    DUMP("a AND NOT b", "(+a -b)");
    DUMP("a AND -b", "(+a -b)");
    DUMP("(a OR b) AND c", "(+(a b) +c)");
    DUMP("NOT a", "-a");
    DUMP("NOT NOT a", "-a");
    DUMP("a OR b c", "((a b) c)");
    DUMP("a AND b AND c", "(+a +b +c)");
    DUMP("a OR b OR c", "(a b c)");
    DUMP("a OR b AND c", "(a (+b +c))");
    DUMP("+a OR b", "(+a b)");
    DUMP("-a AND b", "(-a +b)");
    DUMP("a AND (b OR c) -d", "((+a +(b c)) -d)");
    DUMP("NOT (a OR b) c", "(-(a b) c)");
    DUMP("a AND \"x y\"", "(+a +\"x y\")");
}

static void test_dump_parens(void)
{
    DUMP("(a)", "a");
    DUMP("((a))", "a");
    DUMP("(a b)", "(a b)");
    DUMP("(a b) (c d)", "((a b) (c d))");
    DUMP("-(a b)", "-(a b)");
    DUMP("-(a AND b)", "-(+a +b)");
    DUMP("x -(a)", "(x -a)");
    DUMP("x (+a)", "(x a)");
    DUMP("x (-a)", "(x -a)");
    DUMP("x +(-a)", "(x -a)");
    DUMP("(a) AND b", "(+a +b)");
    DUMP("(-a) AND b", "(-a +b)");
    DUMP("(a -- b)", "(a b)");
    DUMP("(a -)", "a");
}

static void test_errors(void)
{
    ERR("(anxiety", RP_EQUERY, 0, "unbalanced '(' at offset 0");
    ERR("a (b", RP_EQUERY, 2, "unbalanced '('");
    ERR("((a)", RP_EQUERY, 0, "unbalanced '('");
    ERR("anxiety)", RP_EQUERY, 7, "')'");
    ERR("anxiety)", RP_EQUERY, 7, "without matching '('");
    ERR("(a))", RP_EQUERY, 3, "without matching '('");
    ERR(")(", RP_EQUERY, 0, "without matching '('");
    ERR("a AND", RP_EQUERY, 2, "AND at offset 2 needs a right-hand operand");
    ERR("a AND b AND", RP_EQUERY, 8,
        "AND at offset 8 needs a right-hand operand");
    ERR("a AND )", RP_EQUERY, 2, "needs a right-hand operand");
    ERR("a OR OR b", RP_EQUERY, 2, "OR at offset 2 needs a right-hand");
    ERR("a OR", RP_EQUERY, 2, "OR at offset 2 needs a right-hand operand");
    ERR("a AND !!!", RP_EQUERY, 2, "needs a right-hand operand");
    ERR("OR b", RP_EQUERY, 0, "OR at offset 0 needs a left-hand operand");
    ERR("AND b", RP_EQUERY, 0, "AND at offset 0 needs a left-hand operand");
    ERR("(OR b)", RP_EQUERY, 1, "needs a left-hand operand");
    ERR("()", RP_EQUERY, 0, "empty parentheses at offset 0");
    ERR("a ( )", RP_EQUERY, 2, "empty parentheses");
    ERR("title:(!!!)", RP_EQUERY, 6, "empty parentheses");
    ERR("title:", RP_EQUERY, 0, "field 'title:' at offset 0 needs a term");
    ERR("x name:", RP_EQUERY, 2, "field 'name:'");
    ERR("title:+", RP_EQUERY, 0, "needs a term");
    ERR("title: AND b", RP_EQUERY, 0, "needs a term");
    ERR("title:\"open", RP_EQUERY, 6, "unterminated phrase at offset 6");
    ERR("(a) \"b", RP_EQUERY, 4, "unterminated phrase");
    ERR("a \"b OR c", RP_EQUERY, 2, "unterminated phrase");
    ERR("a -\"b OR c", RP_EQUERY, 3, "unterminated phrase");
    ERR("NOT", RP_EQUERY, 0, "NOT at offset 0 needs an operand");
    ERR("a NOT", RP_EQUERY, 2, "NOT at offset 2 needs an operand");
    ERR("a NOT )", RP_EQUERY, 2, "needs an operand");
}

static void test_err_null_and_args(void)
{
    rp_query *query = NULL;
    /* A NULL rp_error is allowed. */
    ASSERT_EQ(rp_query_parse("(a", 2, &query, NULL), RP_EQUERY);
    ASSERT(query == NULL);
    ASSERT_OK(rp_query_parse("a b", 3, &query, NULL));
    ASSERT(query != NULL);
    rp_query_free(query);
    /* An empty query may come as NULL with length 0. */
    query = NULL;
    ASSERT_OK(rp_query_parse(NULL, 0, &query, NULL));
    ASSERT_EQ(rp_query_root(query)->kind, RP_Q_BOOL);
    ASSERT_EQ(rp_query_root(query)->nkids, 0);
    rp_query_free(query);
    query = (rp_query *)&query;
    ASSERT_EQ(rp_query_parse(NULL, 3, &query, NULL), RP_EINVAL);
    ASSERT(query == NULL);
    ASSERT_EQ(rp_query_parse("a", 1, NULL, NULL), RP_EINVAL);
    rp_query_free(NULL);
}

static void test_length_is_respected(void)
{
    /* Bytes after len are not part of the query, NUL or not. */
    DUMP("a\0b", "a");
    rp_query *query = parse_ok("grief loss", 5);
    rp_buf b = RP_BUF_INIT;
    ASSERT_OK(rp_query_dump(query, &b));
    ASSERT_MEM_EQ(b.data, b.len, "grief");
    rp_buf_fini(&b);
    rp_query_free(query);
    /* An embedded NUL byte is valid UTF-8 and ends no word. */
    query = parse_ok("a\0b c", 5);
    const rp_qnode *root = rp_query_root(query);
    ASSERT_EQ(root->nkids, 2);
    ASSERT_EQ(root->kids[0]->len, 3);
    rp_query_free(query);
}

static void test_limit_bytes(void)
{
    char *q = malloc(RP_QUERY_MAX_BYTES + 1);
    ASSERT(q != NULL);
    memset(q, 'a', RP_QUERY_MAX_BYTES + 1);
    check_err(q, RP_QUERY_MAX_BYTES + 1, RP_ELIMIT, RP_QUERY_MAX_BYTES,
              NULL, __LINE__);
    /* Exactly the limit is fine: one long word. */
    rp_query *query = parse_ok(q, RP_QUERY_MAX_BYTES);
    ASSERT_EQ(rp_query_root(query)->kind, RP_Q_WORD);
    ASSERT_EQ(rp_query_root(query)->len, RP_QUERY_MAX_BYTES);
    rp_query_free(query);
    free(q);
}

/* Writes n words "w0 w1 ..." into buf; returns the offset of word k in
 * *koff (if k < n) and the length. */
static size_t make_words(char *buf, size_t cap, int n, int k, size_t *koff)
{
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        if (i == k)
            *koff = len + (i > 0);
        len += (size_t)snprintf(buf + len, cap - len, "%sw%d",
                                i > 0 ? " " : "", i);
    }
    return len;
}

static void test_limit_nodes(void)
{
    static char buf[RP_QUERY_MAX_BYTES];
    size_t koff = 0;
    /* 255 words and the root BOOL make exactly RP_QUERY_MAX_NODES. */
    size_t len = make_words(buf, sizeof buf, RP_QUERY_MAX_NODES - 1, -1,
                            &koff);
    rp_query *query = parse_ok(buf, len);
    ASSERT_EQ(rp_query_root(query)->nkids, RP_QUERY_MAX_NODES - 1);
    rp_query_free(query);
    /* 256 words fit as leaves, but the root BOOL does not. */
    len = make_words(buf, sizeof buf, RP_QUERY_MAX_NODES, -1, &koff);
    check_err(buf, len, RP_ELIMIT, len, "more than 256", __LINE__);
    /* 300 words: the 257th word is the first node that does not fit. */
    len = make_words(buf, sizeof buf, 300, RP_QUERY_MAX_NODES, &koff);
    ASSERT(koff > 0);
    ASSERT_MEM_EQ(buf + koff, 4, "w256");
    check_err(buf, len, RP_ELIMIT, koff, "more than 256", __LINE__);
}

static void test_limit_depth(void)
{
    char q[128];
    /* RP_QUERY_MAX_DEPTH nested parentheses are fine. */
    size_t n = 0;
    for (int i = 0; i < RP_QUERY_MAX_DEPTH; i++)
        q[n++] = '(';
    q[n++] = 'a';
    for (int i = 0; i < RP_QUERY_MAX_DEPTH; i++)
        q[n++] = ')';
    rp_query *query = parse_ok(q, n);
    ASSERT_EQ(rp_query_root(query)->kind, RP_Q_WORD);
    rp_query_free(query);
    /* One more fails at the first '(' too deep; so do 40. */
    n = 0;
    for (int i = 0; i < RP_QUERY_MAX_DEPTH + 1; i++)
        q[n++] = '(';
    q[n++] = 'a';
    for (int i = 0; i < RP_QUERY_MAX_DEPTH + 1; i++)
        q[n++] = ')';
    check_err(q, n, RP_ELIMIT, RP_QUERY_MAX_DEPTH, "deeper than 32",
              __LINE__);
    n = 0;
    for (int i = 0; i < 40; i++)
        q[n++] = '(';
    q[n++] = 'a';
    for (int i = 0; i < 40; i++)
        q[n++] = ')';
    check_err(q, n, RP_ELIMIT, RP_QUERY_MAX_DEPTH, NULL, __LINE__);
    /* Unbalanced and too deep: the depth is found first, on the way in. */
    memset(q, '(', 40);
    check_err(q, 40, RP_ELIMIT, RP_QUERY_MAX_DEPTH, NULL, __LINE__);
}

static void test_long_operator_chains(void)
{
    /* Runs of unary operators and fields do not nest the parser. */
    static char q[RP_QUERY_MAX_BYTES];
    memset(q, '-', 4000);
    q[4000] = 'a';
    rp_query *query = parse_ok(q, 4001);
    ASSERT_EQ(rp_query_root(query)->occur, RP_OCCUR_NOT);
    rp_query_free(query);
    size_t n = 0;
    for (int i = 0; i < 1000; i++) {
        memcpy(q + n, "NOT ", 4);
        n += 4;
    }
    q[n++] = 'a';
    query = parse_ok(q, n);
    ASSERT_EQ(rp_query_root(query)->kind, RP_Q_WORD);
    ASSERT_EQ(rp_query_root(query)->occur, RP_OCCUR_NOT);
    rp_query_free(query);
    n = 0;
    for (int i = 0; i < 600; i++) {
        memcpy(q + n, "title:", 6);
        n += 6;
    }
    q[n++] = 'x';
    query = parse_ok(q, n);
    ASSERT_EQ(rp_query_root(query)->field, RP_F_TITLE);
    ASSERT_EQ(rp_query_root(query)->off, n - 1);
    rp_query_free(query);
    /* A long run of lone signs and spaces is ignored. */
    for (n = 0; n + 2 <= 4000; n += 2)
        memcpy(q + n, "- ", 2);
    query = parse_ok(q, n);
    ASSERT_EQ(rp_query_root(query)->kind, RP_Q_BOOL);
    ASSERT_EQ(rp_query_root(query)->nkids, 0);
    rp_query_free(query);
}

static void test_utf8(void)
{
    ERR("\xff", RP_EUTF8, 0, NULL);
    ERR("ab\xc3", RP_EUTF8, 2, NULL);           /* truncated */
    ERR("a \xc0\xaf", RP_EUTF8, 2, NULL);       /* overlong '/' */
    ERR("\xe0\x80\xaf", RP_EUTF8, 0, NULL);     /* overlong, 3 bytes */
    ERR("xy\xed\xa0\x80", RP_EUTF8, 2, NULL);   /* surrogate */
    ERR("\xf4\x90\x80\x80", RP_EUTF8, 0, NULL); /* above U+10FFFF */
    ERR("\xf5\x80\x80\x80", RP_EUTF8, 0, NULL);
    ERR("\x80", RP_EUTF8, 0, NULL);             /* lone continuation */
    ERR("\xe2\x80x", RP_EUTF8, 0, NULL);        /* bad continuation */
    /* UTF-8 is checked before syntax. */
    ERR("(a \xff", RP_EUTF8, 3, NULL);
    DUMP("\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbf",
         "(\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbf)");
    DUMP("\xed\x9f\xbf", "\xed\x9f\xbf"); /* U+D7FF, just below surrogates */
}

static void test_structured_flag(void)
{
    static const struct {
        const char *q;
        bool structured;
    } cases[] = {
        {"a b", false},           {"a AND b", true},
        {"a OR b", true},         {"NOT a", true},
        {"(a)", true},            {"a)", false},
        {"title:x", true},        {"ratio:3", false},
        {"\"a OR b\"", false},    {"\"(\"", false},
        {"and or not", false},    {"a -b +c", false},
        {"ANDROID", false},       {"x name:y", true},
        {"", false},              {"AND*", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rp_query *query = NULL;
        int rc = rp_query_parse(cases[i].q, strlen(cases[i].q), &query,
                                NULL);
        if (strcmp(cases[i].q, "a)") == 0) {
            /* A stray ')' makes the query structured, hence an error. */
            ASSERT_EQ(rc, RP_EQUERY);
            continue;
        }
        ASSERT_OK(rc);
        if (rp_query_structured(query) != cases[i].structured)
            T_FAIL("structured(\"%s\") = %d", cases[i].q,
                   (int)rp_query_structured(query));
        rp_query_free(query);
    }
}

/* Collects the leaves of n in query order into out[*n_out]. */
static void leaves(const rp_qnode *n, const rp_qnode **out, size_t *n_out)
{
    if (n->kind != RP_Q_BOOL) {
        out[(*n_out)++] = n;
        return;
    }
    for (size_t i = 0; i < n->nkids; i++)
        leaves(n->kids[i], out, n_out);
}

static void test_spans(void)
{
    /* A plain query: signs, a phrase, a prefix, a colon word, a dropped
     * unbalanced quote. */
    const char *q = "  +sleep -\"panic attack\" trauma* ratio:3 c++ \"of";
    rp_query *query = parse_ok(q, strlen(q));
    const char *text = rp_query_text(query);
    ASSERT(text != q);
    ASSERT_MEM_EQ(text, strlen(q), q);
    ASSERT_EQ(text[strlen(q)], '\0');
    ASSERT(!rp_query_structured(query));
    const rp_qnode *l[16];
    size_t n = 0;
    leaves(rp_query_root(query), l, &n);
    ASSERT_EQ(n, 6);
    ASSERT_MEM_EQ(text + l[0]->off, l[0]->len, "sleep");
    ASSERT_EQ(l[0]->off, 3);
    ASSERT_EQ(l[0]->occur, RP_OCCUR_MUST);
    ASSERT_MEM_EQ(text + l[1]->off, l[1]->len, "panic attack");
    ASSERT_EQ(l[1]->kind, RP_Q_PHRASE);
    ASSERT_EQ(l[1]->off, 11);
    ASSERT_EQ(l[1]->occur, RP_OCCUR_NOT);
    ASSERT_MEM_EQ(text + l[2]->off, l[2]->len, "trauma");
    ASSERT(l[2]->prefix);
    ASSERT_EQ(l[2]->field, RP_FIELD_ANY);
    ASSERT_MEM_EQ(text + l[3]->off, l[3]->len, "ratio:3");
    ASSERT(!l[3]->prefix);
    ASSERT_MEM_EQ(text + l[4]->off, l[4]->len, "c++");
    ASSERT_MEM_EQ(text + l[5]->off, l[5]->len, "of");
    ASSERT_EQ(l[5]->off, strlen(q) - 2);
    rp_query_free(query);

    /* A structured query: fields, a field group, a prefix under NOT. */
    q = "(a OR name:\"b c\") AND NOT d* bio:(\"grief\" c++)";
    query = parse_ok(q, strlen(q));
    ASSERT(rp_query_structured(query));
    n = 0;
    leaves(rp_query_root(query), l, &n);
    ASSERT_EQ(n, 5);
    ASSERT_EQ(l[0]->off, 1);
    ASSERT_EQ(l[0]->len, 1);
    ASSERT_EQ(l[1]->off, 12);
    ASSERT_EQ(l[1]->len, 3);
    ASSERT_EQ(l[1]->kind, RP_Q_PHRASE);
    ASSERT_EQ(l[1]->field, RP_F_TITLE);
    ASSERT_MEM_EQ(q + l[1]->off, l[1]->len, "b c");
    ASSERT_EQ(l[2]->off, 26);
    ASSERT_EQ(l[2]->len, 1);
    ASSERT(l[2]->prefix);
    ASSERT_EQ(l[2]->occur, RP_OCCUR_NOT);
    ASSERT_MEM_EQ(q + l[3]->off, l[3]->len, "grief");
    ASSERT_EQ(l[3]->kind, RP_Q_PHRASE);
    ASSERT_EQ(l[3]->field, RP_F_BODY);
    ASSERT_MEM_EQ(q + l[4]->off, l[4]->len, "c++");
    ASSERT_EQ(l[4]->field, RP_F_BODY);
    rp_query_free(query);
}

static void test_tree_shape(void)
{
    rp_query *query = parse_ok("a b AND -c", 10);
    const rp_qnode *root = rp_query_root(query);
    ASSERT_EQ(root->kind, RP_Q_BOOL);
    ASSERT_EQ(root->occur, RP_OCCUR_SHOULD);
    ASSERT_EQ(root->nkids, 2);
    ASSERT_EQ(root->kids[0]->kind, RP_Q_WORD);
    ASSERT_EQ(root->kids[0]->occur, RP_OCCUR_SHOULD);
    const rp_qnode *and = root->kids[1];
    ASSERT_EQ(and->kind, RP_Q_BOOL);
    ASSERT_EQ(and->occur, RP_OCCUR_SHOULD);
    ASSERT_EQ(and->nkids, 2);
    ASSERT_EQ(and->kids[0]->occur, RP_OCCUR_MUST);
    ASSERT_EQ(and->kids[1]->occur, RP_OCCUR_NOT);
    ASSERT_EQ(and->kids[1]->field, RP_FIELD_ANY);
    rp_query_free(query);
}

static void test_dump_appends(void)
{
    rp_query *query = parse_ok("x", 1);
    rp_buf b = RP_BUF_INIT;
    ASSERT_OK(rp_buf_puts(&b, "q="));
    ASSERT_OK(rp_query_dump(query, &b));
    ASSERT_MEM_EQ(b.data, b.len, "q=x");
    rp_buf_fini(&b);
    rp_query_free(query);
}

/* A dump parses back to the same dump (for queries without limits). */
static void test_dump_roundtrip(void)
{
    static const char *const qs[] = {
        "+sleep -alcohol therapy",   "bio:(grief loss) -title:\"x y\"",
        "a OR b AND c d",            "-(a AND b) OR c*",
        "title:-x NOT (y OR z)",     "fear \"of",
    };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        rp_query *query = parse_ok(qs[i], strlen(qs[i]));
        rp_buf b = RP_BUF_INIT, b2 = RP_BUF_INIT;
        ASSERT_OK(rp_query_dump(query, &b));
        rp_query *again = parse_ok((const char *)b.data, b.len);
        ASSERT_OK(rp_query_dump(again, &b2));
        if (b.len != b2.len || memcmp(b.data, b2.data, b.len) != 0)
            T_FAIL("\"%s\": \"%.*s\" then \"%.*s\"", qs[i], (int)b.len,
                   (const char *)b.data, (int)b2.len, (const char *)b2.data);
        rp_buf_fini(&b);
        rp_buf_fini(&b2);
        rp_query_free(query);
        rp_query_free(again);
    }
}

static const t_case cases[] = {
    T(test_dump_plain),
    T(test_dump_signs),
    T(test_dump_empty),
    T(test_dump_quotes_plain),
    T(test_dump_fields),
    T(test_dump_operators),
    T(test_dump_parens),
    T(test_errors),
    T(test_err_null_and_args),
    T(test_length_is_respected),
    T(test_limit_bytes),
    T(test_limit_nodes),
    T(test_limit_depth),
    T(test_long_operator_chains),
    T(test_utf8),
    T(test_structured_flag),
    T(test_spans),
    T(test_tree_shape),
    T(test_dump_appends),
    T(test_dump_roundtrip),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * test_doc: the in-memory document and its stored record. Covers external
 * id validation byte by byte, a record assembled by hand from the layout in
 * src/doc.c, encode/decode round trips of articles, questions and
 * specialists built from the schema's source fields (with extra JSON, empty
 * and binary values, many fields), the rp_doc_record_id fast path, and
 * hostile records: every truncation and many byte flips must give
 * RP_ECORRUPT or a well-formed document, never a crash (run under ASan).
 */
#include "t.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/buf.h"
#include "rapport/doc.h"
#include "rapport/error.h"
#include "rapport/schema.h"


static const rp_srcfield *src(rp_doctype t, const char *name)
{
    const rp_srcfield *f = rp_schema_srcfield(t, name, strlen(name));
    if (f == NULL)
        T_FAIL("schema has no field %s for type %d", name, (int)t);
    return f;
}

/* The expected content of a document, kept apart from rp_doc. */
typedef struct mfield {
    const rp_srcfield *src;
    const char *val;
    size_t len;
} mfield;

typedef struct mdoc {
    rp_doctype type;
    const char *id;
    size_t id_len;
    mfield f[300];
    size_t nf;
    const char *extra;
    size_t extra_len;
} mdoc;

static void mdoc_field(mdoc *m, const rp_srcfield *s, const char *v, size_t len)
{
    ASSERT(m->nf < sizeof m->f / sizeof m->f[0]);
    m->f[m->nf].src = s;
    m->f[m->nf].val = v;
    m->f[m->nf].len = len;
    m->nf++;
}

static void build(const mdoc *m, rp_doc *d)
{
    d->type = m->type;
    ASSERT_OK(rp_doc_set_id(d, m->id, m->id_len, NULL));
    for (size_t i = 0; i < m->nf; i++)
        ASSERT_OK(rp_doc_add_field(d, m->f[i].src, m->f[i].val, m->f[i].len));
    if (m->extra_len > 0)
        ASSERT_OK(rp_doc_set_extra(d, m->extra, m->extra_len));
}

static void check(const rp_doc *d, const mdoc *m)
{
    ASSERT_EQ(d->type, m->type);
    ASSERT_EQ(d->id_len, m->id_len);
    ASSERT(memcmp(rp_doc_id(d), m->id, m->id_len) == 0);
    ASSERT_EQ(d->nfields, m->nf);
    for (size_t i = 0; i < m->nf; i++) {
        const rp_docfield *f = &d->fields[i];
        ASSERT(rp_doc_srcfield(f) == m->f[i].src);
        ASSERT_EQ(f->len, m->f[i].len);
        ASSERT(memcmp(rp_doc_value(d, f), m->f[i].val, f->len) == 0);
    }
    ASSERT_EQ(d->extra_len, m->extra_len);
    ASSERT(memcmp(d->bytes.data + d->extra_off, m->extra, m->extra_len) == 0);
}

static void test_id_valid(void)
{
    char buf[RP_ID_MAX_BYTES + 2];
    memset(buf, 'x', sizeof buf);
    ASSERT(rp_doc_id_valid("a", 1));
    ASSERT(rp_doc_id_valid(buf, RP_ID_MAX_BYTES));
    ASSERT(!rp_doc_id_valid(buf, RP_ID_MAX_BYTES + 1));
    ASSERT(!rp_doc_id_valid(buf, 0));
    ASSERT(!rp_doc_id_valid("", 0));
    ASSERT(rp_doc_id_valid("art-0042_v2.final~!$", 20));
    ASSERT(rp_doc_id_valid("abc/", 3)); /* only len bytes count */
    ASSERT(!rp_doc_id_valid("a b", 3));
    ASSERT(!rp_doc_id_valid("a/b", 3));
    ASSERT(!rp_doc_id_valid("/", 1));
    ASSERT(!rp_doc_id_valid("ab\x7f", 3));
    ASSERT(!rp_doc_id_valid("caf\xc3\xa9", 5));
    ASSERT(!rp_doc_id_valid("a\tb", 3));
    ASSERT(!rp_doc_id_valid("ab\n", 3));
    ASSERT(!rp_doc_id_valid("a\0b", 3));
    /* Every single byte: only 0x21..0x7e other than '/' is allowed, and a
     * bad byte anywhere in a long id spoils it. */
    for (int c = 0; c < 256; c++) {
        char one = (char)c;
        int want = c >= 0x21 && c <= 0x7e && c != '/';
        ASSERT_EQ(rp_doc_id_valid(&one, 1), want);
        memset(buf, 'q', RP_ID_MAX_BYTES);
        buf[c % RP_ID_MAX_BYTES] = (char)c;
        ASSERT_EQ(rp_doc_id_valid(buf, RP_ID_MAX_BYTES), want);
    }
}

static void test_set_id(void)
{
    rp_doc d;
    rp_doc_init(&d);
    rp_error err;
    rp_error_clear(&err);
    ASSERT_EQ(rp_doc_set_id(&d, "bad id", 6, &err), RP_EDOC);
    ASSERT_EQ(err.code, RP_EDOC);
    ASSERT(strncmp(err.msg, "invalid id", 10) == 0);
    ASSERT_EQ(rp_doc_set_id(&d, "x/y", 3, NULL), RP_EDOC);
    ASSERT_EQ(rp_doc_set_id(&d, "", 0, NULL), RP_EDOC);
    ASSERT_OK(rp_doc_set_id(&d, "good-id", 7, NULL));
    ASSERT_MEM_EQ(rp_doc_id(&d), d.id_len, "good-id");
    rp_doc_fini(&d);
}

static void test_add_field_checks_table(void)
{
    rp_doc d;
    rp_doc_init(&d);
    size_t n;
    const rp_srcfield *table = rp_schema_srcfields(&n);
    ASSERT(n > 0);
    rp_srcfield copy = table[0]; /* same content, not in the table */
    ASSERT_EQ(rp_doc_add_field(&d, &copy, "v", 1), RP_EINVAL);
    ASSERT_EQ(d.nfields, 0);
    ASSERT_OK(rp_doc_add_field(&d, &table[n - 1], "v", 1));
    ASSERT_OK(rp_doc_add_field(&d, &table[0], NULL, 0)); /* empty value */
    ASSERT_EQ(d.nfields, 2);
    ASSERT(rp_doc_srcfield(&d.fields[0]) == &table[n - 1]);
    ASSERT(rp_doc_srcfield(&d.fields[1]) == &table[0]);
    rp_doc_fini(&d);
}

/* A record assembled by hand from the layout described in src/doc.c. */
static void test_record_layout(void)
{
    size_t n;
    const rp_srcfield *table = rp_schema_srcfields(&n);
    const rp_srcfield *title = src(RP_DOC_ARTICLE, "title");
    const rp_srcfield *tags = src(RP_DOC_ARTICLE, "tags");
    /* clang-format off */
    unsigned char want[] = {
        RP_DOC_ARTICLE,
        2, 'a', '1',                            /* id */
        2,                                      /* two fields */
        (unsigned char)(title - table), 2, 'H', 'i',
        (unsigned char)(tags - table), 0,       /* an empty value */
        4, '{', '}', ' ', ' ',                  /* extra, stored verbatim */
    };
    /* clang-format on */
    rp_doc d;
    rp_doc_init(&d);
    d.type = RP_DOC_ARTICLE;
    ASSERT_OK(rp_doc_set_id(&d, "a1", 2, NULL));
    ASSERT_OK(rp_doc_add_field(&d, title, "Hi", 2));
    ASSERT_OK(rp_doc_add_field(&d, tags, "", 0));
    ASSERT_OK(rp_doc_set_extra(&d, "{}  ", 4));
    rp_buf out = RP_BUF_INIT;
    ASSERT_OK(rp_buf_puts(&out, "pre"));
    ASSERT_OK(rp_doc_encode(&d, &out)); /* appends */
    ASSERT_EQ(out.len, 3 + sizeof want);
    ASSERT(memcmp(out.data, "pre", 3) == 0);
    ASSERT(memcmp(out.data + 3, want, sizeof want) == 0);

    /* The same record without extra JSON ends in a zero length. */
    rp_doc e;
    rp_doc_init(&e);
    e.type = RP_DOC_QUESTION;
    ASSERT_OK(rp_doc_set_id(&e, "q", 1, NULL));
    rp_buf o2 = RP_BUF_INIT;
    ASSERT_OK(rp_doc_encode(&e, &o2));
    ASSERT_EQ(o2.len, 5);
    ASSERT(memcmp(o2.data, "\x02\x01q\x00\x00", 5) == 0);
    rp_buf_fini(&o2);
    rp_buf_fini(&out);
    rp_doc_fini(&d);
    rp_doc_fini(&e);
}

/* Fills m with one of several documents; the values live in static
 * storage or in pool (owned by the caller). */
static void sample(int which, mdoc *m, char *pool, size_t pool_len)
{
    memset(m, 0, sizeof *m);
    switch (which) {
    case 0:
        m->type = RP_DOC_ARTICLE;
        m->id = "coping-with-grief";
        mdoc_field(m, src(m->type, "title"), "Coping with grief", 17);
        mdoc_field(m, src(m->type, "summary"), "Small steps.", 12);
        mdoc_field(m, src(m->type, "body"),
                   "Grief comes in waves.\nTalk to someone.", 38);
        mdoc_field(m, src(m->type, "tags"), "grief", 5);
        mdoc_field(m, src(m->type, "tags"), "loss", 4);
        mdoc_field(m, src(m->type, "tags"), "bereavement", 11);
        mdoc_field(m, src(m->type, "author"), "Dr. A. N\xc3\xa9ri", 12);
        mdoc_field(m, src(m->type, "published"), "2024-02-29", 10);
        mdoc_field(m, src(m->type, "url"), "https://example.org/a/1", 23);
        mdoc_field(m, src(m->type, "lang"), "en", 2);
        m->extra = "{\"featured\":true,\"reading_minutes\":7}";
        break;
    case 1:
        m->type = RP_DOC_QUESTION;
        m->id = "q~1";
        mdoc_field(m, src(m->type, "title"), "Can't sleep?", 12);
        mdoc_field(m, src(m->type, "body"), "", 0);
        m->extra = "";
        break;
    case 2:
        m->type = RP_DOC_SPECIALIST;
        m->id = "sp-77";
        mdoc_field(m, src(m->type, "name"), "Jo Smith", 8);
        mdoc_field(m, src(m->type, "headline"), "CBT therapist", 13);
        mdoc_field(m, src(m->type, "bio"), "Ten years in practice.", 22);
        mdoc_field(m, src(m->type, "concerns"), "anxiety", 7);
        mdoc_field(m, src(m->type, "concerns"), "panic", 5);
        mdoc_field(m, src(m->type, "approaches"), "CBT", 3);
        mdoc_field(m, src(m->type, "languages"), "English", 7);
        mdoc_field(m, src(m->type, "languages"), "Fran\xc3\247ais", 8);
        mdoc_field(m, src(m->type, "city"), "Lyon", 4);
        mdoc_field(m, src(m->type, "country"), "FR", 2);
        mdoc_field(m, src(m->type, "currency"), "EUR", 3);
        m->extra = "{\"online\":true,\"fee_min\":50,\"fee_max\":90.5}";
        break;
    case 3: {
        /* Binary values, a 256-byte id, lengths around varint edges and
         * more than 127 fields. */
        m->type = RP_DOC_ARTICLE;
        ASSERT(pool_len >= 40000);
        for (size_t i = 0; i < pool_len; i++)
            pool[i] = (char)(i * 31 + 7);
        memset(pool, 'i', RP_ID_MAX_BYTES);
        m->id = pool;
        m->id_len = RP_ID_MAX_BYTES;
        static const size_t lens[] = {0, 1, 127, 128, 300, 16383, 16384};
        const rp_srcfield *b = src(m->type, "body");
        const rp_srcfield *t = src(m->type, "tags");
        for (size_t i = 0; i < 7; i++)
            mdoc_field(m, b, pool + 300, lens[i]);
        mdoc_field(m, t, "\0\0\xff", 3);
        for (size_t i = 0; i < 200; i++)
            mdoc_field(m, t, pool + 300 + i, i % 9);
        /* Extra members must be a JSON object: one of 16384 bytes. */
        char *x = pool + 20000;
        memcpy(x, "{\"pad\":\"", 8);
        memset(x + 8, 'x', 16384 - 10);
        memcpy(x + 16384 - 2, "\"}", 2);
        m->extra = x;
        m->extra_len = 16384;
        break;
    }
    default:
        /* Nothing but type and id. */
        m->type = RP_DOC_SPECIALIST;
        m->id = "~";
        m->extra = "";
        break;
    }
    if (m->id_len == 0)
        m->id_len = strlen(m->id);
    if (m->extra_len == 0)
        m->extra_len = strlen(m->extra);
}

#define NSAMPLES 5

static void test_round_trip(void)
{
    char *pool = malloc(40000);
    ASSERT(pool != NULL);
    rp_doc reused;
    rp_doc_init(&reused);
    for (int rep = 0; rep < 2; rep++) {
        for (int w = 0; w < NSAMPLES; w++) {
            int which = rep ? NSAMPLES - 1 - w : w;
            mdoc m;
            sample(which, &m, pool, 40000);
            rp_doc d;
            rp_doc_init(&d);
            build(&m, &d);
            check(&d, &m);
            rp_buf rec = RP_BUF_INIT;
            ASSERT_OK(rp_doc_encode(&d, &rec));

            /* Into a fresh struct and into one that held another doc. */
            rp_doc fresh;
            rp_doc_init(&fresh);
            ASSERT_OK(rp_doc_decode(rec.data, rec.len, &fresh));
            check(&fresh, &m);
            ASSERT_OK(rp_doc_decode(rec.data, rec.len, &reused));
            check(&reused, &m);

            /* Re-encoding gives the same bytes. */
            rp_buf again = RP_BUF_INIT;
            ASSERT_OK(rp_doc_encode(&fresh, &again));
            ASSERT_EQ(again.len, rec.len);
            ASSERT(memcmp(again.data, rec.data, rec.len) == 0);

            /* The fast path agrees and borrows from the record. */
            rp_doctype type = RP_DOC_NONE;
            const char *id = NULL;
            size_t id_len = 0;
            ASSERT_OK(rp_doc_record_id(rec.data, rec.len, &type, &id, &id_len));
            ASSERT_EQ(type, m.type);
            ASSERT_EQ(id_len, m.id_len);
            ASSERT(id > (const char *)rec.data &&
                   id + id_len <= (const char *)rec.data + rec.len);
            ASSERT(memcmp(id, m.id, id_len) == 0);

            rp_buf_fini(&again);
            rp_buf_fini(&rec);
            rp_doc_fini(&fresh);
            rp_doc_fini(&d);
        }
    }
    rp_doc_fini(&reused);
    free(pool);
}

static void test_record_id_fast_path(void)
{
    rp_doctype type;
    const char *id;
    size_t id_len;
    rp_doc d;
    rp_doc_init(&d);

    /* Type and id only: enough for the fast path, not for a decode. */
    unsigned char head[] = {RP_DOC_QUESTION, 3, 'q', '-', '9'};
    ASSERT_OK(rp_doc_record_id(head, sizeof head, &type, &id, &id_len));
    ASSERT_EQ(type, RP_DOC_QUESTION);
    ASSERT_MEM_EQ(id, id_len, "q-9");
    ASSERT(id == (const char *)head + 2);
    ASSERT_EQ(rp_doc_decode(head, sizeof head, &d), RP_ECORRUPT);

    /* Garbage after the id does not matter to the fast path. */
    unsigned char tail[] = {RP_DOC_ARTICLE, 1, 'z', 0xff, 0xff, 0xff};
    ASSERT_OK(rp_doc_record_id(tail, sizeof tail, &type, &id, &id_len));
    ASSERT_MEM_EQ(id, id_len, "z");

    /* Bad types, lengths and truncations. */
    unsigned char t0[] = {RP_DOC_NONE, 1, 'a', 0, 0};
    unsigned char t4[] = {RP_DOC_TYPES, 1, 'a', 0, 0};
    unsigned char tff[] = {0xff, 1, 'a', 0, 0};
    unsigned char len0[] = {RP_DOC_ARTICLE, 0, 0, 0};
    unsigned char short_id[] = {RP_DOC_ARTICLE, 4, 'a', 'b', 'c'};
    unsigned char huge_len[] = {RP_DOC_ARTICLE, 0xff, 0xff, 0xff, 0xff, 0x7f};
    unsigned char open_len[] = {RP_DOC_ARTICLE, 0x80};
    const struct {
        const unsigned char *p;
        size_t len;
    } bad[] = {
        {t0, sizeof t0},
        {t4, sizeof t4},
        {tff, sizeof tff},
        {len0, sizeof len0},
        {short_id, sizeof short_id},
        {huge_len, sizeof huge_len},
        {open_len, sizeof open_len},
        {head, 0},
        {head, 1},
        {head, 4},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_EQ(rp_doc_record_id(bad[i].p, bad[i].len, &type, &id, &id_len),
                  RP_ECORRUPT);
        ASSERT_EQ(rp_doc_decode(bad[i].p, bad[i].len, &d), RP_ECORRUPT);
    }

    /* Ids of 256 bytes are fine, 257 are not. */
    unsigned char big[2 + 2 + RP_ID_MAX_BYTES + 1 + 2];
    for (size_t n = RP_ID_MAX_BYTES; n <= RP_ID_MAX_BYTES + 1; n++) {
        size_t at = 0;
        big[at++] = RP_DOC_ARTICLE;
        big[at++] = (unsigned char)(0x80 | (n & 0x7f));
        big[at++] = (unsigned char)(n >> 7);
        memset(big + at, 'k', n);
        at += n;
        big[at++] = 0; /* no fields */
        big[at++] = 0; /* no extra */
        int want = n == RP_ID_MAX_BYTES ? 0 : RP_ECORRUPT;
        ASSERT_EQ(rp_doc_record_id(big, at, &type, &id, &id_len), want);
        ASSERT_EQ(rp_doc_decode(big, at, &d), want);
        if (want == 0)
            ASSERT_EQ(d.id_len, RP_ID_MAX_BYTES);
    }
    rp_doc_fini(&d);
}

/* A stored id that breaks the id rules (possible only through corruption)
 * must not come back as a document id: decode and the fast path refuse it
 * rather than hand "a/b" or control bytes to callers that trust ids. */
static void test_decode_rejects_invalid_id(void)
{
    static const char *const ids[] = {"a/b",  "a b",        "\x01",
                                      "\x7f", "ok\xc3\xa9", "\0"};
    static const size_t lens[] = {3, 3, 1, 1, 4, 1};
    rp_doc d;
    rp_doc_init(&d);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        unsigned char rec[16];
        size_t at = 0;
        rec[at++] = RP_DOC_ARTICLE;
        rec[at++] = (unsigned char)lens[i];
        memcpy(rec + at, ids[i], lens[i]);
        at += lens[i];
        rec[at++] = 0;
        rec[at++] = 0;
        rp_doctype type;
        const char *id;
        size_t id_len;
        int rc = rp_doc_decode(rec, at, &d);
        if (rc != RP_ECORRUPT)
            T_FAIL("id %zu decoded with rc %d", i, rc);
        rc = rp_doc_record_id(rec, at, &type, &id, &id_len);
        if (rc != RP_ECORRUPT)
            T_FAIL("id %zu: record_id rc %d", i, rc);
    }
    rp_doc_fini(&d);
}

/* Checks that a decoded document is well formed: what the record could
 * hold, every view inside the doc's own bytes, and a stable re-encoding. */
static void check_well_formed(const rp_doc *d, const unsigned char *rec,
                              size_t len)
{
    ASSERT(d->type > RP_DOC_NONE && d->type < RP_DOC_TYPES);
    ASSERT(d->id_len >= 1 && d->id_len <= RP_ID_MAX_BYTES);
    ASSERT((size_t)d->id_off + d->id_len <= d->bytes.len);
    ASSERT(rp_doc_id_valid(rp_doc_id(d), d->id_len));
    for (size_t i = 0; i < d->nfields; i++) {
        ASSERT(rp_doc_srcfield(&d->fields[i]) != NULL);
        ASSERT((size_t)d->fields[i].off + d->fields[i].len <= d->bytes.len);
    }
    ASSERT((size_t)d->extra_off + d->extra_len <= d->bytes.len);

    rp_doctype type;
    const char *id;
    size_t id_len;
    ASSERT_OK(rp_doc_record_id(rec, len, &type, &id, &id_len));
    ASSERT_EQ(type, d->type);
    ASSERT_EQ(id_len, d->id_len);
    ASSERT(memcmp(id, rp_doc_id(d), id_len) == 0);

    rp_buf again = RP_BUF_INIT;
    ASSERT_OK(rp_doc_encode(d, &again));
    rp_doc e;
    rp_doc_init(&e);
    ASSERT_OK(rp_doc_decode(again.data, again.len, &e));
    ASSERT_EQ(e.type, d->type);
    ASSERT_EQ(e.nfields, d->nfields);
    ASSERT_EQ(e.bytes.len, d->bytes.len);
    rp_buf b2 = RP_BUF_INIT;
    ASSERT_OK(rp_doc_encode(&e, &b2));
    ASSERT_EQ(b2.len, again.len);
    ASSERT(memcmp(b2.data, again.data, again.len) == 0);
    rp_buf_fini(&b2);
    rp_doc_fini(&e);
    rp_buf_fini(&again);
}

static void test_corrupt_records(void)
{
    static const unsigned char pats[] = {0x01, 0x02, 0x08, 0x20, 0x80, 0xFF};
    char *pool = malloc(40000);
    ASSERT(pool != NULL);
    rp_doc d;
    rp_doc_init(&d);
    for (int which = 0; which < NSAMPLES; which++) {
        if (which == 3)
            continue; /* the 40 KB sample is covered by the random flips */
        mdoc m;
        sample(which, &m, pool, 40000);
        rp_doc src_doc;
        rp_doc_init(&src_doc);
        build(&m, &src_doc);
        rp_buf rec = RP_BUF_INIT;
        ASSERT_OK(rp_doc_encode(&src_doc, &rec));
        size_t head = 1 + 1 + m.id_len; /* type, one-byte length, id */

        /* Every truncation: decode refuses it; the fast path works
         * exactly when the id is complete. */
        for (size_t cut = 0; cut < rec.len; cut++) {
            unsigned char *p = malloc(cut ? cut : 1);
            ASSERT(p != NULL);
            memcpy(p, rec.data, cut);
            ASSERT_EQ(rp_doc_decode(p, cut, &d), RP_ECORRUPT);
            rp_doctype type;
            const char *id;
            size_t id_len;
            int rc = rp_doc_record_id(p, cut, &type, &id, &id_len);
            ASSERT_EQ(rc, cut >= head ? 0 : RP_ECORRUPT);
            free(p);
        }
        /* One byte too many is corrupt for decode, not for the fast
         * path. */
        unsigned char *longer = malloc(rec.len + 1);
        ASSERT(longer != NULL);
        memcpy(longer, rec.data, rec.len);
        longer[rec.len] = 0;
        ASSERT_EQ(rp_doc_decode(longer, rec.len + 1, &d), RP_ECORRUPT);
        rp_doctype lt;
        const char *lid;
        size_t lid_len;
        ASSERT_OK(rp_doc_record_id(longer, rec.len + 1, &lt, &lid, &lid_len));
        free(longer);
        /* Every byte, several patterns. */
        unsigned char *p = malloc(rec.len);
        ASSERT(p != NULL);
        for (size_t i = 0; i < rec.len; i++) {
            for (size_t k = 0; k < sizeof pats; k++) {
                memcpy(p, rec.data, rec.len);
                p[i] ^= pats[k];
                int rc = rp_doc_decode(p, rec.len, &d);
                ASSERT(rc == 0 || rc == RP_ECORRUPT);
                if (rc == 0)
                    check_well_formed(&d, p, rec.len);
            }
        }
        free(p);
        rp_buf_fini(&rec);
        rp_doc_fini(&src_doc);
    }

    /* Random multi-byte damage to the large sample, and pure garbage. */
    uint64_t s = 0x3C6EF372FE94F82Bull;
    mdoc m;
    sample(3, &m, pool, 40000);
    rp_doc big;
    rp_doc_init(&big);
    build(&m, &big);
    rp_buf rec = RP_BUF_INIT;
    ASSERT_OK(rp_doc_encode(&big, &rec));
    unsigned char *p = malloc(rec.len);
    ASSERT(p != NULL);
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(p, rec.data, rec.len);
        int nflip = 1 + (int)(t_rand(&s) % 4);
        for (int j = 0; j < nflip; j++) {
            /* Aim at the first 2 KB, where the structure is. */
            size_t at = (size_t)(t_rand(&s) % (rec.len < 2048 ? rec.len : 2048));
            p[at] ^= (unsigned char)(1 + t_rand(&s) % 255);
        }
        size_t len = iter % 3 == 0 ? (size_t)(t_rand(&s) % rec.len) : rec.len;
        int rc = rp_doc_decode(p, len, &d);
        ASSERT(rc == 0 || rc == RP_ECORRUPT);
        if (rc == 0)
            check_well_formed(&d, p, len);
    }
    free(p);
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)(t_rand(&s) % 40);
        unsigned char *g = malloc(len ? len : 1);
        ASSERT(g != NULL);
        for (size_t i = 0; i < len; i++)
            g[i] = (unsigned char)(t_rand(&s) % 8 == 0 ? t_rand(&s) : t_rand(&s) % 4);
        int rc = rp_doc_decode(g, len, &d);
        ASSERT(rc == 0 || rc == RP_ECORRUPT);
        if (rc == 0)
            check_well_formed(&d, g, len);
        free(g);
    }
    rp_buf_fini(&rec);
    rp_doc_fini(&big);
    rp_doc_fini(&d);
    free(pool);
}

static void test_fini_zeroes(void)
{
    rp_doc zero;
    memset(&zero, 0, sizeof zero);
    rp_doc d;
    memset(&d, 0xA5, sizeof d);
    rp_doc_init(&d);
    ASSERT(memcmp(&d, &zero, sizeof d) == 0);
    mdoc m;
    sample(2, &m, NULL, 0);
    build(&m, &d);
    ASSERT(d.bytes.data != NULL && d.fields != NULL);
    rp_doc_fini(&d);
    ASSERT(memcmp(&d, &zero, sizeof d) == 0);
    rp_doc_fini(&d); /* again, harmless */
    ASSERT(memcmp(&d, &zero, sizeof d) == 0);
    rp_doc_fini(NULL);
}

static void test_reset_reuse(void)
{
    char *pool = malloc(40000);
    ASSERT(pool != NULL);
    rp_doc d;
    rp_doc_init(&d);
    for (int iter = 0; iter < 60; iter++) {
        mdoc m;
        sample(iter % NSAMPLES, &m, pool, 40000);
        build(&m, &d);
        check(&d, &m);
        rp_buf rec = RP_BUF_INIT;
        ASSERT_OK(rp_doc_encode(&d, &rec));
        size_t cap = d.bytes.cap;
        rp_docfield *fields = d.fields;
        rp_doc_reset(&d);
        ASSERT_EQ(d.type, RP_DOC_NONE);
        ASSERT_EQ(d.id_len, 0);
        ASSERT_EQ(d.nfields, 0);
        ASSERT_EQ(d.extra_len, 0);
        ASSERT_EQ(d.bytes.len, 0);
        ASSERT_EQ(d.bytes.cap, cap); /* allocations kept */
        ASSERT(d.fields == fields);
        ASSERT_OK(rp_doc_decode(rec.data, rec.len, &d));
        check(&d, &m);
        rp_doc_reset(&d);
        rp_buf_fini(&rec);
    }
    rp_doc_fini(&d);
    free(pool);
}

/* Stored extra members that are not a JSON object would be spliced into
 * responses as they are: decoding refuses them. */
static void test_decode_rejects_bad_extra(void)
{
    static const char *const extras[] = {"not json", "[1,2]", "{\"a\":",
                                         "{} {}"};
    rp_doc d;
    rp_doc_init(&d);
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++) {
        unsigned char rec[64];
        size_t at = 0, n = strlen(extras[i]);
        rec[at++] = RP_DOC_ARTICLE;
        rec[at++] = 1;
        rec[at++] = 'a';
        rec[at++] = 0; /* no fields */
        rec[at++] = (unsigned char)n;
        memcpy(rec + at, extras[i], n);
        at += n;
        if (rp_doc_decode(rec, at, &d) != RP_ECORRUPT)
            T_FAIL("extra \"%s\" accepted", extras[i]);
    }
    rp_doc_fini(&d);
}

static const t_case cases[] = {
    T(test_decode_rejects_bad_extra),
    T(test_id_valid),
    T(test_set_id),
    T(test_add_field_checks_table),
    T(test_record_layout),
    T(test_round_trip),
    T(test_record_id_fast_path),
    T(test_decode_rejects_invalid_id),
    T(test_corrupt_records),
    T(test_fini_zeroes),
    T(test_reset_reuse),
    {NULL, NULL},
};

T_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/*
 * fuzz_record: the other bytes read back from LMDB besides posting blocks.
 * The first input byte picks the decoder, the rest is the stored value:
 * even, a document record (rp_doc_decode, rp_doc_record_id); odd, a
 * facet's document set (rp_docset_decode, CRoaring's portable format).
 * Nothing may crash, every failure must be RP_ECORRUPT (or RP_ENOMEM), and
 * what decodes must agree with itself: the record's id and type read alone
 * match the full decode, and re-encoding what was decoded decodes again to
 * the same encoding. Any violation calls abort().
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rapport/buf.h"
#include "rapport/doc.h"
#include "rapport/docset.h"

const char *const fuzz_shared_seeds[] = {NULL};

static int ok_or_corrupt(int rc)
{
    if (rc != 0 && rc != RP_ECORRUPT && rc != RP_ENOMEM)
        abort();
    return rc == 0;
}

/* Aborts unless two encodings are the same bytes. */
static void same_bytes(const rp_buf *a, const rp_buf *b)
{
    if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0)
        abort();
}

static void doc_record(const unsigned char *p, size_t n)
{
    rp_doc a, b;
    rp_doc_init(&a);
    rp_doc_init(&b);
    rp_buf e1 = RP_BUF_INIT, e2 = RP_BUF_INIT;
    rp_doctype type;
    const char *id;
    size_t id_len;
    int head = rp_doc_record_id(p, n, &type, &id, &id_len);
    if (!ok_or_corrupt(rp_doc_decode(p, n, &a)))
        goto out;
    /* A record the full decoder accepts has a readable head. */
    if (head != 0 || type != a.type || id_len != a.id_len ||
        memcmp(id, rp_doc_id(&a), id_len) != 0)
        abort();
    if (rp_doc_encode(&a, &e1) != 0)
        goto out;
    if (!ok_or_corrupt(rp_doc_decode(e1.data, e1.len, &b)))
        abort(); /* our own encoding must decode */
    if (rp_doc_encode(&b, &e2) == 0)
        same_bytes(&e1, &e2);
out:
    rp_buf_fini(&e1);
    rp_buf_fini(&e2);
    rp_doc_fini(&a);
    rp_doc_fini(&b);
}

static void doc_set(const unsigned char *p, size_t n)
{
    rp_docset *a = NULL, *b = NULL;
    rp_buf e1 = RP_BUF_INIT, e2 = RP_BUF_INIT;
    if (!ok_or_corrupt(rp_docset_decode(p, n, &a)))
        goto out;
    if (rp_docset_encode(a, &e1) != 0)
        goto out;
    int rc = rp_docset_decode(e1.data, e1.len, &b);
    if (rc == RP_ENOMEM)
        goto out;
    if (rc != 0 || rp_docset_count(a) != rp_docset_count(b) ||
        rp_docset_and_count(a, b) != rp_docset_count(a))
        abort();
    if (rp_docset_encode(b, &e2) == 0)
        same_bytes(&e1, &e2);
out:
    rp_buf_fini(&e1);
    rp_buf_fini(&e2);
    rp_docset_free(a);
    rp_docset_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* A heap copy of exactly the value's size, so that an over-read shows
     * under AddressSanitizer. */
    size_t n = size - 1;
    unsigned char *buf = malloc(n ? n : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data + 1, n);
    if (data[0] % 2 == 0)
        doc_record(buf, n);
    else
        doc_set(buf, n);
    free(buf);
    return 0;
}

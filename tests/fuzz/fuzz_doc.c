/* SPDX-License-Identifier: MIT */
/*
 * fuzz_doc: feeds arbitrary bytes to rp_json_decode_doc. It must never
 * crash, must leave an error record that matches its return code, and
 * whatever it accepts must survive rp_json_encode_doc: the encoding decodes
 * again with the same id, type, fields and extra JSON, and encodes to the
 * same bytes. Any disagreement calls abort().
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rapport/buf.h"
#include "rapport/doc.h"
#include "rapport/json.h"

const char *const fuzz_shared_seeds[] = {
    "badinput/jsontestsuite",
    "badinput/blns.json",
    NULL,
};

/* Aborts unless a and b hold the same id, type, fields and extra JSON. */
static void same_doc(const rp_doc *a, const rp_doc *b)
{
    if (a->type != b->type || a->id_len != b->id_len ||
        memcmp(rp_doc_id(a), rp_doc_id(b), a->id_len) != 0)
        abort();
    if (a->nfields != b->nfields || a->extra_len != b->extra_len)
        abort();
    for (size_t i = 0; i < a->nfields; i++) {
        const rp_docfield *fa = &a->fields[i], *fb = &b->fields[i];
        if (fa->src != fb->src || fa->len != fb->len ||
            memcmp(rp_doc_value(a, fa), rp_doc_value(b, fb), fa->len) != 0)
            abort();
    }
    if (a->extra_len != 0 &&
        memcmp(a->bytes.data + a->extra_off, b->bytes.data + b->extra_off,
               a->extra_len) != 0)
        abort();
}

/* Aborts unless a rejected input left a consistent error record. */
static void check_error(int rc, const rp_error *err, const rp_doc *d,
                        size_t size)
{
    if (rc != RP_EJSON && rc != RP_EUTF8 && rc != RP_ELIMIT && rc != RP_EDOC &&
        rc != RP_ETOOBIG)
        abort();
    if (err->code != rc || err->offset > size || err->msg[0] == '\0')
        abort();
    if (memchr(err->msg, '\0', sizeof err->msg) == NULL)
        abort();
    if (d->id_len != 0 || d->nfields != 0 || d->extra_len != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_doc a, b;
    rp_doc_init(&a);
    rp_doc_init(&b);
    rp_error err;
    rp_error_clear(&err);
    int rc = rp_json_decode_doc((const char *)data, size, &a, &err);
    if (rc == RP_ENOMEM)
        goto out;
    if (rc != 0) {
        check_error(rc, &err, &a, size);
        goto out;
    }
    if (err.code != 0 || a.type == RP_DOC_NONE ||
        !rp_doc_id_valid(rp_doc_id(&a), a.id_len))
        abort();
    rp_buf out1 = RP_BUF_INIT, out2 = RP_BUF_INIT;
    if (rp_json_encode_doc(&a, &out1) != 0)
        goto out_bufs;
    /* The encoding may add a "type" member and spell numbers longer than
     * the input did, so near the size limit it can grow past it; such a
     * document cannot be re-read, by design. */
    if (out1.len > RP_DOC_MAX_BYTES)
        goto out_bufs;
    rp_error_clear(&err);
    rc = rp_json_decode_doc((const char *)out1.data, out1.len, &b, &err);
    if (rc == RP_ENOMEM)
        goto out_bufs;
    if (rc != 0)
        abort();
    same_doc(&a, &b);
    if (rp_json_encode_doc(&b, &out2) != 0)
        goto out_bufs;
    if (out1.len != out2.len || memcmp(out1.data, out2.data, out1.len) != 0)
        abort();
out_bufs:
    rp_buf_fini(&out1);
    rp_buf_fini(&out2);
out:
    rp_doc_fini(&a);
    rp_doc_fini(&b);
    return 0;
}

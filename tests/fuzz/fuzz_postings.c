/* SPDX-License-Identifier: MIT */
/*
 * fuzz_postings: treats the input as a stored posting block and decodes
 * all of it: rp_block_header, rp_block_docs, rp_block_tfs, then
 * rp_block_positions for every posting. Nothing may crash, every failure
 * must be RP_ECORRUPT, and what decodes must be consistent: ids strictly
 * ascending from the header's first to its last, totals equal to the sum
 * of field tfs, positions ascending. Any violation calls abort().
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rapport/error.h"
#include "rapport/postings.h"

const char *const fuzz_shared_seeds[] = {NULL};

/* Fails unless rc is 0 or RP_ECORRUPT; returns whether it was 0. */
static int ok_or_corrupt(int rc)
{
    if (rc != 0 && rc != RP_ECORRUPT)
        abort();
    return rc == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A heap copy of exactly the input's size, so an overread is seen by
     * AddressSanitizer even when the caller's buffer is larger. */
    unsigned char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    if (size > 0)
        memcpy(buf, data, size);

    rp_blockhdr h;
    if (!ok_or_corrupt(rp_block_header(buf, size, &h)))
        goto done;
    if (h.n < 1 || h.n > RP_BLOCK_DOCS || h.first == 0 || h.last < h.first ||
        h.end != buf + size || h.docs > h.ftf || h.ftf > h.pos ||
        h.pos > h.end || h.docs < buf)
        abort();

    rp_docid docs[RP_BLOCK_DOCS];
    if (ok_or_corrupt(rp_block_docs(&h, docs))) {
        if (docs[0] != h.first || docs[h.n - 1] != h.last)
            abort();
        for (uint32_t i = 1; i < h.n; i++)
            if (docs[i] <= docs[i - 1])
                abort();
    }

    uint16_t tf[RP_BLOCK_DOCS * RP_NFIELDS];
    uint32_t total[RP_BLOCK_DOCS];
    if (!ok_or_corrupt(rp_block_tfs(&h, tf, total)))
        goto done;
    for (uint32_t i = 0; i < h.n; i++) {
        uint32_t sum = 0;
        for (int f = 0; f < RP_NFIELDS; f++)
            sum += tf[i * RP_NFIELDS + f];
        if (sum == 0 || sum != total[i])
            abort();
    }

    rp_poscursor c;
    rp_poscursor_init(&c, &h);
    rp_pos out[256];
    for (uint32_t i = 0; i < h.n; i++) {
        uint32_t n = 0;
        /* Every third posting is skipped, to exercise the skip path. */
        if (i % 3 == 1 && i + 1 < h.n)
            continue;
        if (!ok_or_corrupt(rp_block_positions(&c, total, i, out, 256, &n)))
            break;
        if (n != total[i])
            abort();
        for (uint32_t j = 1; j < n && j < 256; j++)
            if (out[j] < out[j - 1])
                abort();
    }
done:
    free(buf);
    return 0;
}

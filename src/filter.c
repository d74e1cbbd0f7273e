/* SPDX-License-Identifier: MIT */
/*
 * filter: one facet constraint is the union of its values' sets; the
 * constraints are intersected into the caller's set.
 */
#include "rapport/filter.h"

#include <string.h>

#include "rapport/schema.h"

int rp_filter_add(rp_txn *txn, rp_docset **allow, int facet,
                  const char *values, size_t len, rp_error *err)
{
    rp_docset *any;
    int rc = rp_docset_new(&any);
    int nvalues = 0;
    for (size_t i = 0; rc == 0 && i < len;) {
        const char *p = values + i;
        const char *comma = memchr(p, ',', len - i);
        size_t n = comma ? (size_t)(comma - p) : len - i;
        char norm[RP_FACET_VALUE_MAX];
        size_t nn = rp_schema_facet_value(p, n, norm);
        /* 0 for blanks (skipped) and for values too long to be stored. */
        size_t k = 0;
        while (k < n && strchr(" \t\r\n", p[k]) && p[k] != '\0')
            k++;
        if (nn == 0 && k < n) {
            rc = rp_error_set(err, RP_EINVAL, 0,
                              "a %s value is longer than %d bytes",
                              rp_schema_facet_name(facet),
                              RP_FACET_VALUE_MAX);
            break;
        }
        if (nn > 0) {
            rp_docset *set;
            rc = rp_txn_facet_get(txn, facet, norm, nn, &set);
            if (rc == 0) {
                rp_docset_or(any, set);
                rp_docset_free(set);
                nvalues++;
            }
        }
        i += n + (comma != NULL);
    }
    if (rc == 0 && nvalues == 0)
        rc = rp_error_set(err, RP_EINVAL, 0, "%s needs at least one value",
                          rp_schema_facet_name(facet));
    if (rc != 0) {
        rp_docset_free(any);
        if (rc != RP_EINVAL) {
            rp_docset_free(*allow);
            *allow = NULL;
        }
        return rc;
    }
    if (*allow == NULL) {
        *allow = any;
    } else {
        rp_docset_and(*allow, any);
        rp_docset_free(any);
    }
    return 0;
}

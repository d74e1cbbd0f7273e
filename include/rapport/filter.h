/* SPDX-License-Identifier: MIT */
/*
 * filter: the documents a set of facet constraints allows. Each
 * constraint is one facet and a comma-separated list of values, any of
 * which will do ("languages=spanish,catalan"); different constraints must
 * all hold. The same rules serve the server's query parameters and the
 * filters written in judged queries.
 */
#ifndef RAPPORT_FILTER_H
#define RAPPORT_FILTER_H

#include <stddef.h>

#include "rapport/docset.h"
#include "rapport/error.h"
#include "rapport/index.h"

/*
 * Narrows *allow (NULL: everything, then a new set the caller frees) to
 * the documents having any of the comma-separated values[0..len) in
 * facet (values are normalised as facet values: case and surrounding
 * spaces ignored). Returns 0; RP_EINVAL with err when no value is given
 * or a value is longer than a facet value (64 bytes);
 * RP_ECORRUPT or RP_ENOMEM (then *allow is freed and NULL).
 */
int rp_filter_add(rp_txn *txn, rp_docset **allow, int facet,
                  const char *values, size_t len, rp_error *err);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * feed: reads corpus files into a batch: JSON Lines (.jsonl, .ndjson), JSON
 * (.json: one document or an array), each optionally gzip-compressed (.gz),
 * directories (recursively) and standard input. The only code that
 * includes zlib.h. It adds raw JSON with file and line; parsing happens at
 * commit.
 */
#ifndef RAPPORT_FEED_H
#define RAPPORT_FEED_H

#include <stdint.h>

#include "rapport/error.h"
#include "rapport/ingest.h"

/* Progress while reading: the file, and its bytes read and total (as
 * stored, so compressed bytes for .gz; total 0 when unknown, as for
 * stdin). */
typedef void (*rp_feed_progress_cb)(void *ctx, const char *file,
                                    uint64_t done, uint64_t total);

/*
 * Adds every document at path to b. path is a file named as above, a
 * directory (its files with those extensions, in name order, recursively;
 * hidden entries and other files are skipped), or "-" for standard input
 * (JSON Lines, or one JSON document or array when the first non-blank
 * byte is '['). Blank lines are skipped.
 * docs: incremented by the documents added. progress may be NULL.
 * Returns 0; -errno when a file cannot be read; RP_EINVAL for a file whose
 * name has none of the extensions; RP_EJSON / RP_EUTF8 when a .json file
 * is not valid JSON; RP_ENOMEM. err names the file (and line).
 */
int rp_feed_path(rp_batch *b, const char *path, rp_feed_progress_cb progress,
                 void *ctx, uint64_t *docs, rp_error *err);

/*
 * Adds the documents in data[0..len) to b: JSON Lines when jsonl is
 * non-zero, else one JSON document or an array of them. name labels error
 * messages ("request body"). Blank lines are skipped. Returns 0, RP_EJSON /
 * RP_EUTF8 / RP_ELIMIT (invalid JSON; err has the byte), RP_ENOMEM.
 */
int rp_feed_memory(rp_batch *b, const char *data, size_t len, int jsonl,
                   const char *name, uint64_t *docs, rp_error *err);

#endif

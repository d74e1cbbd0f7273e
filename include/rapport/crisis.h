/* SPDX-License-Identifier: MIT */
/*
 * crisis: recognises text that speaks of suicide, self-harm or immediate
 * danger, and holds the resources to show when it does. The configuration
 * is a JSON file (corpus/crisis.json):
 *
 *   {"triggers": [phrase, ...],       words that mean a crisis
 *    "not_triggers": [phrase, ...],   longer phrases that contain a
 *                                     trigger but are not one
 *                                     ("suicide prevention training")
 *    "message": text,                 shown above the resources
 *    "resources": [{"name", "contact", "region"?, "url"?}, ...]}
 *
 * Phrases are matched stemmed with their stop words ("I'm not safe" is
 * not "safe"), anywhere in the text, however long. A trigger counts unless
 * each of its occurrences lies inside an occurrence of a not-trigger.
 * Detection errs towards showing the block: a false alarm costs a visitor
 * a glance; a miss can cost more. Loaded once, then read-only and
 * thread-safe (each thread brings its own analyzer).
 */
#ifndef RAPPORT_CRISIS_H
#define RAPPORT_CRISIS_H

#include <stddef.h>

#include "rapport/analyze.h"
#include "rapport/error.h"

typedef struct rp_crisis rp_crisis;

/* Loads the configuration from JSON text (len bytes), analysing phrases
 * with an (borrowed during the call). Returns 0, RP_EJSON (not JSON),
 * RP_EDOC (a missing or empty field, a phrase that is not a string, a
 * resource without name or contact) with err saying which, or
 * RP_ENOMEM. */
int rp_crisis_load(rp_analyzer *an, const char *text, size_t len,
                   rp_crisis **out, rp_error *err);
void rp_crisis_free(rp_crisis *c);

/* Sets *hit to 1 when text (len bytes) speaks of a crisis, else 0. an is
 * the caller's analyzer, of the configuration's language. Returns 0,
 * RP_EUTF8 (then *hit is 1: text that cannot be read is not cleared) or
 * RP_ENOMEM. */
int rp_crisis_detect(const rp_crisis *c, rp_analyzer *an, const char *text,
                     size_t len, int *hit);

/* The block for responses: a JSON object {"message": ..., "resources":
 * [...]}, NUL-terminated, owned by c. */
const char *rp_crisis_block(const rp_crisis *c, size_t *len);

/* Numbers of triggers and not-triggers loaded (phrases with words). */
size_t rp_crisis_ntriggers(const rp_crisis *c);
size_t rp_crisis_nexceptions(const rp_crisis *c);

#endif

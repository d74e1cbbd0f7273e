/* SPDX-License-Identifier: MIT */
/*
 * arena: memory for many growing byte strings that are all freed together
 * (a segment's raw postings). A string lives in a slice of a power-of-two
 * size, cut from blocks the arena maps itself. Blocks past the first are
 * 2 MiB or more, aligned to 2 MiB and advised for transparent huge pages,
 * so where the kernel has them (THP in madvise or always mode) a build
 * takes one page fault per 2 MiB instead of one per 4 KiB. A string that
 * outgrows its slice moves to one twice as large; the old slice goes on a
 * free list for the next string of that size. A string larger than the
 * largest slice (1 MiB) is a heap block of its own. Everything goes at once with
 * rp_arena_free. One arena is used by one thread; it owns all its memory.
 */
#ifndef RAPPORT_ARENA_H
#define RAPPORT_ARENA_H

#include <stddef.h>

typedef struct rp_arena rp_arena;

/* Creates an empty arena (nothing mapped yet). Returns 0 or RP_ENOMEM. */
int rp_arena_new(rp_arena **out);

/* Frees a and every string in it; NULL is fine. */
void rp_arena_free(rp_arena *a);

/* Makes room for need more bytes after the first len bytes of the string
 * at *p, whose capacity is *cap (*p NULL and *cap 0 for a new string).
 * When it must move, the first len bytes go with it and *p and *cap are
 * updated. Returns 0, or RP_ENOMEM with the string unchanged. */
int rp_arena_reserve(rp_arena *a, unsigned char **p, size_t len,
                     size_t *cap, size_t need);

/* Bytes held so far: mapped blocks and the heap blocks of large strings. */
size_t rp_arena_mapped(const rp_arena *a);

#endif

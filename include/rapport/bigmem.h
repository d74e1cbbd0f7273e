/* SPDX-License-Identifier: MIT */
/*
 * bigmem: a few large arrays that grow by doubling (a segment's term
 * entries and its hash table). An array of RP_BIGMEM_MIN bytes or more is
 * a mapping of its own: it grows in place or is moved by the kernel
 * (mremap) without copying, and is advised for transparent huge pages, so
 * a build that fills it takes one page fault per 2 MiB instead of one per
 * 4 KiB where the kernel has them. Smaller arrays are heap blocks. Every
 * block is 64-byte aligned. The caller keeps each block's size and passes
 * it back; it owns the block until rp_bigmem_free.
 */
#ifndef RAPPORT_BIGMEM_H
#define RAPPORT_BIGMEM_H

#include <stddef.h>

#define RP_BIGMEM_MIN ((size_t)1 << 20)

/* A zeroed block of size bytes (size > 0), or NULL when out of memory. */
void *rp_bigmem_alloc(size_t size);

/* Grows block p of old bytes to size bytes (size > old), keeping its
 * contents; the bytes past old are unspecified. Returns the block, which
 * may have moved, or NULL with p unchanged when out of memory. */
void *rp_bigmem_grow(void *p, size_t old, size_t size);

/* Frees block p of size bytes; NULL is fine. */
void rp_bigmem_free(void *p, size_t size);

#endif

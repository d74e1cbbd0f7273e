/* SPDX-License-Identifier: MIT */
/*
 * bigmem: blocks under RP_BIGMEM_MIN come from malloc with 64 bytes to
 * spare, aligned up, the malloc pointer kept in the 8 bytes before the
 * block. Larger ones are anonymous mappings rounded up to whole pages.
 */
#define _GNU_SOURCE /* mremap */
#include "rapport/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t pages(size_t size)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    return (size + pg - 1) / pg * pg;
}

static void *heap_alloc(size_t size)
{
    unsigned char *raw = malloc(size + 64);
    if (raw == NULL)
        return NULL;
    /* malloc aligns to 16, so the gap is 16..64 bytes: room for raw. */
    unsigned char *p =
        (unsigned char *)(((uintptr_t)raw + 64) & ~(uintptr_t)63);
    ((void **)p)[-1] = raw;
    return p;
}

static void *map(size_t size)
{
    void *p = mmap(NULL, pages(size), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    madvise(p, pages(size), MADV_HUGEPAGE); /* a hint; may be refused */
    return p;
}

void *rp_bigmem_alloc(size_t size)
{
    if (size >= RP_BIGMEM_MIN)
        return map(size); /* anonymous pages are zero */
    void *p = heap_alloc(size);
    if (p != NULL)
        memset(p, 0, size);
    return p;
}

void *rp_bigmem_grow(void *p, size_t old, size_t size)
{
    if (old >= RP_BIGMEM_MIN) {
        void *q = mremap(p, pages(old), pages(size), MREMAP_MAYMOVE);
        if (q == MAP_FAILED)
            return NULL;
        madvise(q, pages(size), MADV_HUGEPAGE);
        return q;
    }
    void *q = size >= RP_BIGMEM_MIN ? map(size) : heap_alloc(size);
    if (q == NULL)
        return NULL;
    memcpy(q, p, old);
    rp_bigmem_free(p, old);
    return q;
}

void rp_bigmem_free(void *p, size_t size)
{
    if (p == NULL)
        return;
    if (size >= RP_BIGMEM_MIN)
        munmap(p, pages(size));
    else
        free(((void **)p)[-1]);
}

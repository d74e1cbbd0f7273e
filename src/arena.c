/* SPDX-License-Identifier: MIT */
/*
 * arena: power-of-two slices cut from blocks mapped with mmap. Block sizes
 * go 256 KiB (small, for the one-document segments of updates), then 2 MiB,
 * doubling up to 32 MiB; those of 2 MiB and more are aligned to 2 MiB and
 * advised MADV_HUGEPAGE. When a block cannot hold the next slice, what is
 * left of it is cut into free slices of the largest sizes that fit.
 * Strings over the largest slice are heap allocations behind a header
 * that links them into a list for rp_arena_free.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include "rapport/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rapport/error.h"

#define MIN_SHIFT 4  /* 16-byte slices */
#define MAX_SHIFT 20 /* 1 MiB slices */
#define NCLASS (MAX_SHIFT - MIN_SHIFT + 1)
#define HUGE_PAGE ((size_t)2 << 20)
#define FIRST_BLOCK ((size_t)256 << 10)
#define LAST_BLOCK ((size_t)32 << 20)

/* At the start of each mapped block. */
typedef struct block {
    struct block *next;
    size_t size; /* of the whole mapping */
} block;

/* Before the bytes of each string larger than the largest slice (16
 * bytes: the string stays as aligned as malloc's memory). */
typedef struct big {
    struct big *prev, *next;
} big;

struct rp_arena {
    unsigned char *cur, *end; /* unused part of the newest block */
    block *blocks;
    size_t next_block;        /* size of the next block to map */
    void *free[NCLASS];       /* free slices by size, linked through
                                 their first bytes */
    big *bigs;
    size_t mapped;
};

int rp_arena_new(rp_arena **out)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return RP_ENOMEM;
    (*out)->next_block = FIRST_BLOCK;
    return 0;
}

void rp_arena_free(rp_arena *a)
{
    if (a == NULL)
        return;
    for (block *b = a->blocks, *next; b != NULL; b = next) {
        next = b->next;
        munmap(b, b->size);
    }
    for (big *g = a->bigs, *next; g != NULL; g = next) {
        next = g->next;
        free(g);
    }
    free(a);
}

size_t rp_arena_mapped(const rp_arena *a)
{
    return a->mapped;
}

/* Maps size bytes, aligned to 2 MiB and advised for huge pages when size
 * is a multiple of 2 MiB. NULL when the kernel refuses. */
static void *map_block(size_t size)
{
    int huge = size % HUGE_PAGE == 0;
    size_t span = huge ? size + HUGE_PAGE : size;
    unsigned char *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (!huge)
        return p;
    uintptr_t at = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    size_t head = at - (uintptr_t)p, tail = span - head - size;
    if (head)
        munmap(p, head);
    if (tail)
        munmap((unsigned char *)at + size, tail);
    /* Only a hint: where THP is off, small pages serve. */
    madvise((void *)at, size, MADV_HUGEPAGE);
    return (void *)at;
}

/* Cuts what is left of the current block into free slices, largest
 * first (the bump pointer stays 16-byte aligned, so every cut is). */
static void keep_rest(rp_arena *a)
{
    for (int k = NCLASS - 1; k >= 0; k--) {
        size_t size = (size_t)1 << (k + MIN_SHIFT);
        while ((size_t)(a->end - a->cur) >= size) {
            *(void **)a->cur = a->free[k];
            a->free[k] = a->cur;
            a->cur += size;
        }
    }
}

static int new_block(rp_arena *a, size_t need)
{
    size_t size = a->next_block;
    while (size < need + sizeof(block))
        size *= 2;
    block *b = map_block(size);
    if (b == NULL)
        return RP_ENOMEM;
    keep_rest(a);
    b->size = size;
    b->next = a->blocks;
    a->blocks = b;
    a->mapped += size;
    a->cur = (unsigned char *)b + 16;
    a->end = (unsigned char *)b + size;
    if (a->next_block < HUGE_PAGE)
        a->next_block = HUGE_PAGE;
    else if (a->next_block < LAST_BLOCK)
        a->next_block *= 2;
    return 0;
}

/* The size class that holds size bytes (size <= 1 << MAX_SHIFT). */
static int class_of(size_t size)
{
    int k = 0;
    while (((size_t)1 << (k + MIN_SHIFT)) < size)
        k++;
    return k;
}

static void *slice_get(rp_arena *a, int k)
{
    size_t size = (size_t)1 << (k + MIN_SHIFT);
    if (a->free[k] != NULL) {
        void *p = a->free[k];
        a->free[k] = *(void **)p;
        return p;
    }
    if ((size_t)(a->end - a->cur) < size && new_block(a, size) != 0)
        return NULL;
    void *p = a->cur;
    a->cur += size;
    return p;
}

static void slice_put(rp_arena *a, void *p, size_t size)
{
    int k = class_of(size);
    *(void **)p = a->free[k];
    a->free[k] = p;
}

/* Moves a string into (or within) the heap, behind a big header. */
static int to_big(rp_arena *a, unsigned char **p, size_t len, size_t *cap,
                  size_t want)
{
    size_t newcap = *cap * 2 > want ? *cap * 2 : want;
    int was_big = *cap > ((size_t)1 << MAX_SHIFT);
    big *old = was_big ? (big *)(*p - sizeof(big)) : NULL;
    big *g = was_big ? realloc(old, sizeof(big) + newcap)
                     : malloc(sizeof(big) + newcap);
    if (g == NULL)
        return RP_ENOMEM;
    if (was_big) {
        a->mapped -= *cap;
        if (g->prev)
            g->prev->next = g;
        else
            a->bigs = g;
        if (g->next)
            g->next->prev = g;
    } else {
        if (*p != NULL) {
            memcpy((unsigned char *)(g + 1), *p, len);
            slice_put(a, *p, *cap);
        }
        g->prev = NULL;
        g->next = a->bigs;
        if (a->bigs)
            a->bigs->prev = g;
        a->bigs = g;
    }
    a->mapped += newcap;
    *p = (unsigned char *)(g + 1);
    *cap = newcap;
    return 0;
}

int rp_arena_reserve(rp_arena *a, unsigned char **p, size_t len,
                     size_t *cap, size_t need)
{
    size_t want = len + need;
    if (want <= *cap)
        return 0;
    if (want > ((size_t)1 << MAX_SHIFT))
        return to_big(a, p, len, cap, want);
    int k = class_of(want);
    unsigned char *q = slice_get(a, k);
    if (q == NULL)
        return RP_ENOMEM;
    if (len)
        memcpy(q, *p, len);
    if (*p != NULL)
        slice_put(a, *p, *cap);
    *p = q;
    *cap = (size_t)1 << (k + MIN_SHIFT);
    return 0;
}

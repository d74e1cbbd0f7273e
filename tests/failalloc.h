/* SPDX-License-Identifier: MIT */
/*
 * failalloc: a test-only allocator that can fail the Nth allocation. A
 * binary linked with tests/failalloc.o and
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,
 *   --wrap=strdup,--wrap=strndup
 * sends every allocation made by its own objects (librapport.a, the server
 * API, the test) through it, and fa_arm also routes cJSON's through it
 * (cJSON_InitHooks). Allocations inside the other shared libraries (LMDB,
 * libstemmer, CRoaring, libc) are not counted: those return their own
 * errors, which the library maps. It also counts blocks allocated and not
 * yet freed, so a test sees a leak without a leak checker. Not part of
 * librapport.
 */
#ifndef RAPPORT_FAILALLOC_H
#define RAPPORT_FAILALLOC_H

/* From now on, the nth allocation (1-based) returns NULL, once; 0: none
 * fails (counting goes on). Resets the count. */
void fa_arm(long n);

/* Allocations since the last fa_arm. */
long fa_count(void);

/* Whether the armed allocation has failed. */
int fa_fired(void);

/* Blocks allocated through the wrapper and not freed. */
long fa_live(void);

#endif

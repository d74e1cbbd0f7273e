/* SPDX-License-Identifier: MIT */
/*
 * failalloc: the allocator wrapper of tests/failalloc.h. The linker's
 * --wrap turns each call to malloc in the wrapped objects into a call to
 * __wrap_malloc, which reaches the real one as __real_malloc (so it works
 * under AddressSanitizer too). Counters are atomic: the API layer's
 * writes and searches may allocate on other threads. This is the only
 * test file besides fuzz_json.c and test_e2e.c that includes cJSON.h: it
 * installs cJSON's allocation hooks.
 */
#include "failalloc.h"

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static atomic_long fail_at;  /* 1-based allocation to fail; 0: none */
static atomic_long count;    /* allocations since fa_arm */
static atomic_long live;     /* blocks not freed */
static atomic_int fired;

static int fail_now(void)
{
    long n = atomic_fetch_add(&count, 1) + 1;
    if (n != atomic_load(&fail_at))
        return 0;
    atomic_store(&fired, 1);
    return 1;
}

void *__wrap_malloc(size_t n)
{
    if (fail_now())
        return NULL;
    void *p = __real_malloc(n);
    if (p != NULL)
        atomic_fetch_add(&live, 1);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (fail_now())
        return NULL;
    void *p = __real_calloc(n, size);
    if (p != NULL)
        atomic_fetch_add(&live, 1);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (fail_now())
        return NULL; /* p stays as it was, as with a real failure */
    void *q = __real_realloc(p, n);
    if (p == NULL && q != NULL)
        atomic_fetch_add(&live, 1);
    return q;
}

void __wrap_free(void *p)
{
    if (p != NULL)
        atomic_fetch_sub(&live, 1);
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

char *__wrap_strndup(const char *s, size_t n)
{
    size_t len = 0;
    while (len < n && s[len] != '\0')
        len++;
    char *p = __wrap_malloc(len + 1);
    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void fa_arm(long n)
{
    static int hooked;
    if (!hooked) {
        cJSON_Hooks h = {__wrap_malloc, __wrap_free};
        cJSON_InitHooks(&h);
        hooked = 1;
    }
    atomic_store(&fail_at, 0);
    atomic_store(&count, 0);
    atomic_store(&fired, 0);
    atomic_store(&fail_at, n);
}

long fa_count(void)
{
    return atomic_load(&count);
}

int fa_fired(void)
{
    return atomic_load(&fired);
}

long fa_live(void)
{
    return atomic_load(&live);
}

/* SPDX-License-Identifier: MIT */
/*
 * buf: growable byte buffers and LEB128 varints. The buffer owns its bytes;
 * varint readers bounds-check because stored bytes are untrusted.
 */
#include "rapport/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rapport/error.h"

void rp_buf_init(rp_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void rp_buf_fini(rp_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    rp_buf_init(b);
}

/* Makes room for extra more bytes, growing b to the capacity that
 * size(want) gives for want = len + extra. */
static int grow(rp_buf *b, size_t extra, size_t (*size)(size_t have,
                                                        size_t want))
{
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len)
        return RP_ENOMEM;
    size_t cap = size(b->cap, b->len + extra);
    unsigned char *p = realloc(b->data, cap ? cap : 1);
    if (p == NULL)
        return RP_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

static size_t doubled(size_t have, size_t want)
{
    size_t cap = have ? have : 64;
    while (cap < want)
        cap *= 2;
    return cap;
}

static size_t exact(size_t have, size_t want)
{
    (void)have;
    return want;
}

int rp_buf_reserve(rp_buf *b, size_t extra)
{
    return grow(b, extra, doubled);
}

int rp_buf_reserve_exact(rp_buf *b, size_t extra)
{
    return grow(b, extra, exact);
}

int rp_buf_append(rp_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    int rc = rp_buf_reserve(b, n);
    if (rc != 0)
        return rc;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int rp_buf_puts(rp_buf *b, const char *s)
{
    return rp_buf_append(b, s, strlen(s));
}

int rp_buf_printf(rp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return RP_EINVAL;
    int rc = rp_buf_reserve(b, (size_t)n + 1);
    if (rc != 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int rp_buf_put_varint(rp_buf *b, uint64_t v)
{
    int rc = rp_buf_reserve(b, 10);
    if (rc != 0)
        return rc;
    b->len += rp_varint_put(b->data + b->len, v);
    return 0;
}

void rp_buf_append_rc(rp_buf *b, const void *p, size_t n, int *rc)
{
    if (*rc == 0)
        *rc = rp_buf_append(b, p, n);
}

void rp_buf_put_varint_rc(rp_buf *b, uint64_t v, int *rc)
{
    if (*rc == 0)
        *rc = rp_buf_put_varint(b, v);
}

size_t rp_varint_get(const unsigned char *p, const unsigned char *end,
                     uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < 10 && p + i < end; i++) {
        uint64_t byte = p[i];
        if (i == 9 && byte > 1)
            return 0;
        x |= (byte & 0x7f) << (7 * i);
        if (byte < 0x80) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

/* rp_varint_get32 past its one-byte case (include/rapport/buf.h). */
size_t rp_varint_get32_long(const unsigned char *p, const unsigned char *end,
                            uint32_t *v)
{
    uint64_t x;
    size_t n = rp_varint_get(p, end, &x);
    if (n == 0 || x > UINT32_MAX)
        return 0;
    *v = (uint32_t)x;
    return n;
}

const unsigned char *rp_varint_skip(const unsigned char *p,
                                    const unsigned char *end, uint64_t count)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                          \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Eight bytes a step: the clear high bits mark where varints end. */
    while (count > 0 && end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t stops = ~w & 0x8080808080808080ull;
        unsigned n = (unsigned)__builtin_popcountll(stops);
        if (n < count) {
            count -= n;
            p += 8;
            continue;
        }
        while (--count > 0)
            stops &= stops - 1; /* drop the lowest stop */
        return p + (__builtin_ctzll(stops) >> 3) + 1;
    }
#endif
    for (; count > 0 && p < end; p++)
        if (*p < 0x80)
            count--;
    return count == 0 ? p : NULL;
}

int rp_buf_read_file(rp_buf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -errno;
    size_t before = b->len;
    char chunk[65536];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = rp_buf_append(b, chunk, n);
    if (rc == 0 && ferror(f))
        rc = -EIO;
    fclose(f);
    if (rc != 0)
        b->len = before;
    return rc;
}

int rp__grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) {
        if (c > SIZE_MAX / 2 / size)
            return RP_ENOMEM;
        c *= 2;
    }
    void *q = realloc(*p, c * size);
    if (q == NULL)
        return RP_ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}

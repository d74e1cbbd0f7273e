/* SPDX-License-Identifier: MIT */
/*
 * buf: a growable byte buffer (data, len, cap) passed by pointer, and the
 * LEB128 varint helpers the storage codecs share. The buffer owns its data;
 * rp_buf_fini releases it and leaves the struct zeroed.
 */
#ifndef RAPPORT_BUF_H
#define RAPPORT_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct rp_buf {
    unsigned char *data; /* owned; NULL when cap is 0 */
    size_t len;          /* bytes in use */
    size_t cap;          /* bytes allocated */
} rp_buf;

#define RP_BUF_INIT {NULL, 0, 0}

/* Zeroes b without allocating. */
void rp_buf_init(rp_buf *b);

/* Frees b's data (NULL b is fine) and zeroes it. */
void rp_buf_fini(rp_buf *b);

/* Ensures room for extra more bytes. Returns 0 or RP_ENOMEM. */
int rp_buf_reserve(rp_buf *b, size_t extra);

/* Like rp_buf_reserve, but when b must grow it grows to exactly len +
 * extra bytes: for a buffer whose final size is known, such as a decoded
 * document, where doubling would leave up to half of it unused. */
int rp_buf_reserve_exact(rp_buf *b, size_t extra);

/* Appends n bytes. Returns 0 or RP_ENOMEM. */
int rp_buf_append(rp_buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string (without its NUL). 0 or RP_ENOMEM. */
int rp_buf_puts(rp_buf *b, const char *s);

/* Appends printf-style text. Returns 0 or RP_ENOMEM. */
int rp_buf_printf(rp_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Appends the whole file at path. Returns 0, -errno (cannot open or
 * read it) or RP_ENOMEM; on error b keeps what it held before. */
int rp_buf_read_file(rp_buf *b, const char *path);

/* Appends v as an unsigned LEB128 varint (1..10 bytes). 0 or RP_ENOMEM. */
int rp_buf_put_varint(rp_buf *b, uint64_t v);

/* Sticky-rc forms for long builder sequences: do nothing once *rc != 0,
 * else set *rc to the result. */
void rp_buf_append_rc(rp_buf *b, const void *p, size_t n, int *rc);
void rp_buf_put_varint_rc(rp_buf *b, uint64_t v, int *rc);

/* Writes v as a varint to p (room for 10 bytes); returns bytes written.
 * Inline, as rp_varint_get32's one-byte case: a build runs them for every
 * position of every posting, three times over. */
static inline size_t rp_varint_put(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/* Reads a varint from p[0..end) into *v. Returns bytes read, or 0 if the
 * input ends early or the varint is longer than 10 bytes (stored data is
 * untrusted: callers map 0 to RP_ECORRUPT). */
size_t rp_varint_get(const unsigned char *p, const unsigned char *end,
                     uint64_t *v);

/* Past the next count varints from p, without decoding them: where they
 * end, or NULL if p[0..end) holds fewer. Their values are not checked (a
 * varint ends at the first byte below 0x80, however long). For position
 * lists a reader passes over. */
const unsigned char *rp_varint_skip(const unsigned char *p,
                                    const unsigned char *end, uint64_t count);

/* Same for a value that must fit in 32 bits; 0 if it does not. */
size_t rp_varint_get32_long(const unsigned char *p, const unsigned char *end,
                            uint32_t *v);
static inline size_t rp_varint_get32(const unsigned char *p,
                                     const unsigned char *end, uint32_t *v)
{
    if (p < end && p[0] < 0x80) {
        *v = p[0];
        return 1;
    }
    return rp_varint_get32_long(p, end, v);
}

#endif

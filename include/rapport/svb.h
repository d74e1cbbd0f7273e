/* SPDX-License-Identifier: MIT */
/*
 * svb: decoding Stream VByte delta-coded integers (the docid gaps of a
 * posting block) as libstreamvbyte encodes them: count 2-bit keys, four
 * to a byte, lowest bits first (key k: value k takes k + 1 bytes), then
 * the values' bytes, little-endian. Debian's libstreamvbyte is built for
 * the baseline x86-64 and decodes a byte at a time; this decoder uses
 * SSSE3's byte shuffle, four values a step, when the CPU has it
 * (checked once), and is exact about its input's end, so callers need
 * no padded copy.
 */
#ifndef RAPPORT_SVB_H
#define RAPPORT_SVB_H

#include <stddef.h>
#include <stdint.h>

/* The bytes count values take, keys and data, as their keys in
 * keys[0..avail) say; SIZE_MAX when the keys alone pass avail. */
size_t rp_svb_size(const unsigned char *keys, size_t avail, uint32_t count);

/* Decodes count gaps from in[0..len), which must hold exactly the bytes
 * the keys call for (the caller checks that), into running sums from
 * prev: out[i] = prev + gap[0] + ... + gap[i], modulo 2^32. Reads nothing
 * outside in[0..len) and writes only out[0..count). */
void rp_svb_delta_decode(const unsigned char *in, size_t len, uint32_t count,
                         uint32_t prev, uint32_t *out);

#endif

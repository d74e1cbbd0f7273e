/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h: what every tests/fuzz/fuzz_<target>.c provides. Each target is a
 * libFuzzer entry point (built with clang by `make fuzz`) and also links
 * with tests/fuzz/replay.c under gcc, which `make test` uses to replay the
 * committed seeds and crash finds in tests/fuzz/corpus/<target>/ plus the
 * shared bad-input files the target names.
 */
#ifndef RAPPORT_FUZZ_H
#define RAPPORT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Directories or files, relative to the shared data directory
 * (../shared/data), whose files the replay also feeds to the target.
 * NULL-terminated. Each target defines it (possibly as just {NULL}). */
extern const char *const fuzz_shared_seeds[];

#endif

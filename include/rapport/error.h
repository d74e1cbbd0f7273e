/* SPDX-License-Identifier: MIT */
/*
 * error: the error codes every librapport function returns, their names and
 * messages, and rp_error, the detailed error for bad user input (a document
 * line, a query). Fallible functions return 0 on success and a negative
 * value on failure: -errno for system failures, RP_E* for our own. This
 * module owns no state and never allocates.
 */
#ifndef RAPPORT_ERROR_H
#define RAPPORT_ERROR_H

#include <stddef.h>

/* One list defines each code, its name and its message (X-macro), so the
 * enum and the strings cannot drift apart. Codes sit far below errno. */
#define RP_ERRNO_MAP(X)                                                        \
    X(NOMEM, -30000, "out of memory")                                          \
    X(INVAL, -30001, "invalid argument")                                       \
    X(NOTFOUND, -30002, "not found")                                           \
    X(FULL, -30003, "index is full (map size reached)")                        \
    X(CORRUPT, -30004, "index data is corrupt")                                \
    X(VERSION, -30005, "index format version mismatch")                        \
    X(JSON, -30006, "invalid JSON")                                            \
    X(UTF8, -30007, "invalid UTF-8")                                           \
    X(DOC, -30008, "invalid document")                                         \
    X(TOOBIG, -30009, "input too large")                                       \
    X(QUERY, -30010, "malformed query")                                        \
    X(LANG, -30011, "unsupported stemmer language")                            \
    X(LIMIT, -30012, "limit exceeded")                                         \
    X(STOP, -30013, "stopped by callback")                                     \
    X(BUSY, -30014, "resource busy")                                           \
    X(IO, -30015, "input/output error")

typedef enum rp_errno {
#define RP_ERRNO_ENUM(name, code, msg) RP_E##name = (code),
    RP_ERRNO_MAP(RP_ERRNO_ENUM)
#undef RP_ERRNO_ENUM
} rp_errno;

/* Returns a static message for any return code: 0, a negative errno or an
 * RP_E* code. Never NULL; unknown codes give "unknown error". Thread-safe. */
const char *rp_strerror(int rc);

/* Returns the symbolic name ("RP_ECORRUPT", "ENOENT", "OK") of a code, for
 * responses that must not leak details. Static; never NULL. Thread-safe. */
const char *rp_errname(int rc);

#define RP_ERROR_MSG_BYTES 192

/* Detail for an error in user input. The first error set wins: later calls
 * to rp_error_set on the same struct are ignored until rp_error_clear. */
typedef struct rp_error {
    int code;                      /* RP_E* or -errno; 0 = no error */
    size_t offset;                 /* byte offset in the input, if known */
    long line;                     /* 1-based input line, 0 if not known */
    char msg[RP_ERROR_MSG_BYTES];  /* NUL-terminated, human readable */
} rp_error;

/* Resets err to "no error". err may be NULL. */
void rp_error_clear(rp_error *err);

/* Records code, offset and a printf-style message if err is non-NULL and no
 * error is recorded yet. Returns code, so a caller can write
 * `return rp_error_set(err, RP_EJSON, off, "...")`. */
int rp_error_set(rp_error *err, int code, size_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif

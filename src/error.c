/* SPDX-License-Identifier: MIT */
/*
 * error: names and messages for every return code, and the first-error-wins
 * rp_error recorder. Owns no state; never allocates.
 */
#include "rapport/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *rp_strerror(int rc)
{
    if (rc == 0)
        return "success";
    switch (rc) {
#define RP_ERRNO_MSG(name, code, msg)                                          \
    case code:                                                                 \
        return msg;
        RP_ERRNO_MAP(RP_ERRNO_MSG)
#undef RP_ERRNO_MSG
    default:
        break;
    }
    if (rc < 0 && rc > -4096)
        return strerror(-rc);
    return "unknown error";
}

const char *rp_errname(int rc)
{
    if (rc == 0)
        return "OK";
    switch (rc) {
#define RP_ERRNO_NAME(name, code, msg)                                         \
    case code:                                                                 \
        return "RP_E" #name;
        RP_ERRNO_MAP(RP_ERRNO_NAME)
#undef RP_ERRNO_NAME
    default:
        break;
    }
    return rc < 0 && rc > -4096 ? "ESYSTEM" : "EUNKNOWN";
}

void rp_error_clear(rp_error *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->offset = 0;
    err->line = 0;
    err->msg[0] = '\0';
}

int rp_error_set(rp_error *err, int code, size_t offset, const char *fmt, ...)
{
    if (err == NULL || err->code != 0)
        return code;
    err->code = code;
    err->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

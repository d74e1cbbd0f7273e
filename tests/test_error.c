/* SPDX-License-Identifier: MIT */
/*
 * Tests for error: every code has its own message and name, errno values
 * are named, and rp_error keeps the first error set.
 */
#include <errno.h>

#include "rapport/error.h"
#include "t.h"

static void test_every_code_named(void)
{
    static const int codes[] = {
#define CODE(name, code, msg) code,
        RP_ERRNO_MAP(CODE)
#undef CODE
    };
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        ASSERT(strncmp(rp_errname(codes[i]), "RP_E", 4) == 0);
        ASSERT(strcmp(rp_strerror(codes[i]), "unknown error") != 0);
        for (size_t j = 0; j < i; j++) {
            ASSERT(codes[i] != codes[j]);
            ASSERT(strcmp(rp_strerror(codes[i]), rp_strerror(codes[j])) != 0);
        }
    }
    ASSERT_STR_EQ(rp_errname(RP_ECORRUPT), "RP_ECORRUPT");
    ASSERT_STR_EQ(rp_errname(0), "OK");
    ASSERT_STR_EQ(rp_strerror(0), "success");
    ASSERT_STR_EQ(rp_strerror(-ENOENT), strerror(ENOENT));
    ASSERT_STR_EQ(rp_errname(-ENOENT), "ESYSTEM");
    ASSERT_STR_EQ(rp_strerror(12345), "unknown error");
}

static void test_first_error_wins(void)
{
    rp_error e;
    rp_error_clear(&e);
    ASSERT_EQ(e.code, 0);
    ASSERT_EQ(rp_error_set(&e, RP_EJSON, 7, "bad %s at %d", "comma", 7),
              RP_EJSON);
    ASSERT_EQ(rp_error_set(&e, RP_EDOC, 9, "later"), RP_EDOC);
    ASSERT_EQ(e.code, RP_EJSON);
    ASSERT_EQ(e.offset, 7);
    ASSERT_STR_EQ(e.msg, "bad comma at 7");
    rp_error_clear(&e);
    ASSERT_EQ(rp_error_set(&e, RP_EDOC, 1, "%s", "second"), RP_EDOC);
    ASSERT_STR_EQ(e.msg, "second");
    /* A NULL error is allowed and the code still comes back. */
    ASSERT_EQ(rp_error_set(NULL, RP_EUTF8, 0, "x"), RP_EUTF8);
    rp_error_clear(NULL);
    /* Long messages are cut, not overflowed. */
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rp_error_clear(&e);
    rp_error_set(&e, RP_EDOC, 0, "%s", big);
    ASSERT_EQ(strlen(e.msg), RP_ERROR_MSG_BYTES - 1);
}

static const t_case cases[] = {
    T(test_every_code_named),
    T(test_first_error_wins),
    {NULL, NULL},
};

T_MAIN(cases)
